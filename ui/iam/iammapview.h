// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "bridge/bridgetypes.h"
#include "bridge/iamtypes.h"
#include "viewpage.h"

#include <QElapsedTimer>
#include <QImage>
#include <QPointer>
#include <QWidget>

class QComboBox;
class QLabel;
class QMessageBox;
class QMimeData;
class QPlainTextEdit;
class QPushButton;
class QSplitter;
class QStackedWidget;
class QTabWidget;
class QTableView;
class QTreeWidget;

namespace vigil::ui {

class EngineBridge;
class EventListModel;
class PermissionMapModel;
class PolicyDiffDialog;

/// The per-agent IAM permission map: agents by actions (grouped by service) as a grid of
/// colored, lettered cells with a legend; the selected cell's entries, deciding statements
/// and the events behind it; the least-privilege review of the policy file; filters by
/// agent and service; loading or replacing the policy file (File menu, button, or a .json
/// dropped on the view) through a diff that must be accepted; export as CSV or PNG.
/// Everything comes from the bridge (loadIamMap and friends), computed off the UI thread.
class IamMapView : public QWidget, public ViewPage
{
    Q_OBJECT

public:
    explicit IamMapView(EngineBridge& bridge, QWidget* parent = nullptr);

    PermissionMapModel* model() const { return m_model; }
    QTableView* grid() const { return m_grid; }
    QComboBox* agentFilter() const { return m_agentFilter; }
    QComboBox* serviceFilter() const { return m_serviceFilter; }
    QLabel* cellTitle() const { return m_cellTitle; }
    QTreeWidget* cellEntries() const { return m_entries; }
    QPlainTextEdit* statementText() const { return m_statements; }
    EventListModel* eventsModel() const { return m_events; }
    QTableView* eventsTable() const { return m_eventsTable; }
    QTreeWidget* reviewList() const { return m_review; }
    QTabWidget* detailTabs() const { return m_tabs; }
    QLabel* policyLabel() const { return m_policyLabel; }
    /// The diff dialog of the latest policy check while it is open, else null.
    PolicyDiffDialog* diffDialog() const;
    /// The message of the latest refused policy file while it is shown, else null.
    QMessageBox* policyError() const;

    /// Asks the bridge for a fresh map (keeps the selected cell when it still exists).
    void reload();
    /// Asks for a policy file and checks it (see loadPolicyFile).
    void choosePolicyFile();
    /// Checks `path` through the bridge and shows the diff (or the refusal); applying the
    /// diff makes it the map's policy set.
    void loadPolicyFile(const QString& path);
    /// Makes `agent` × `action` the current cell (if shown) and fills the detail.
    /// Makes the cell current (the detail pane shows it) and, with `scroll`, scrolls to it.
    bool selectCell(const QString& agent, const QString& action, bool scroll = true);

    /// The visible entries (filters applied) in the columns of `vigil-cli iam --format csv`.
    QByteArray csv() const;
    bool writeCsv(const QString& path, QString* error = nullptr) const;
    /// The whole grid (not only what is scrolled into view) with a title and the legend.
    QImage renderImage() const;
    bool writePng(const QString& path, QString* error = nullptr) const;

    void focusSearch() override;
    bool canExport() const override;
    void exportData(QWidget* dialogParent) override;
    void saveState(QSettings& settings) const override;
    void restoreState(QSettings& settings) override;

Q_SIGNALS:
    void openEvents(const vigil::ui::EventQuery& query);
    /// A map arrived and is shown.
    void mapShown();
    /// The detail of a cell is shown (its events may still be loading).
    void cellShown(const QString& agent, const QString& action);
    /// The events of the current cell (or entry) arrived.
    void cellEventsShown(int count);
    /// A policy check finished: a diff dialog or a refusal is showing.
    void policyCheckShown(bool ok);

protected:
    void dragEnterEvent(QDragEnterEvent* event) override;
    void dragMoveEvent(QDragMoveEvent* event) override;
    void dropEvent(QDropEvent* event) override;
    void showEvent(QShowEvent* event) override;

private:
    void onMap(quint64 token, const IamMapData& map);
    void onPolicyCheck(quint64 token, const IamPolicyCheck& check);
    void showCell(const QModelIndex& index);
    void showEntries(const QVector<int>& entries);
    void fillFilters();
    void applyFilters();
    void fillReview();
    void updateSummary();
    static QString droppedPolicyFile(const QMimeData* mime);

    EngineBridge& m_bridge;
    PermissionMapModel* m_model;
    EventListModel* m_events;
    QLabel* m_policyLabel;
    QPushButton* m_loadButton;
    QComboBox* m_agentFilter;
    QComboBox* m_serviceFilter;
    QLabel* m_summary;
    QStackedWidget* m_stack;
    QLabel* m_placeholder;
    QSplitter* m_split;
    QTableView* m_grid;
    QTabWidget* m_tabs;
    QLabel* m_cellTitle;
    QLabel* m_cellFacts;
    QTreeWidget* m_entries;
    QPlainTextEdit* m_statements;
    QTableView* m_eventsTable;
    QTreeWidget* m_review;
    QPlainTextEdit* m_reviewDetail;
    QPointer<PolicyDiffDialog> m_diffDialog;
    QPointer<QMessageBox> m_policyError;
    quint64 m_mapToken = 0;
    quint64 m_checkToken = 0;
    quint64 m_eventsToken = 0;
    QElapsedTimer m_loaded;
    bool m_autoSelected = false;
    QString m_currentAgent;
    QString m_currentAction;
};

} // namespace vigil::ui
