// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "bridge/bridgetypes.h"
#include "viewpage.h"

#include <QWidget>

class QAction;
class QCheckBox;
class QComboBox;
class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QPushButton;
class QSortFilterProxyModel;
class QSplitter;
class QTableView;
class QTimer;
class QTreeWidget;

namespace vigil::ui {

class EngineBridge;
class EventDetailPane;
class EventListModel;
class IncidentsModel;
class ViewPlaceholder;

/// The incident browser: filters and full-text search, a sortable table, and a detail pane
/// with the review workflow (status, assignee, notes; every change kept in the incident's
/// history), the evidence events and a timeline. Bulk "mark as false positive" and export
/// of the selection as CSV or JSON.
class IncidentsView : public QWidget, public ViewPage
{
    Q_OBJECT

public:
    explicit IncidentsView(EngineBridge& bridge, QWidget* parent = nullptr);

    void applyQuery(const IncidentQuery& query);
    IncidentQuery query() const;
    void selectIncident(qint64 id);
    void reload();

    IncidentsModel* model() const { return m_model; }
    QSortFilterProxyModel* proxy() const { return m_proxy; }
    QTableView* table() const { return m_table; }
    EventListModel* evidenceModel() const { return m_evidence; }
    QComboBox* statusEdit() const { return m_status; }
    QLineEdit* assigneeEdit() const { return m_assignee; }
    QPlainTextEdit* notesEdit() const { return m_notes; }
    QTreeWidget* timeline() const { return m_timeline; }
    qint64 currentIncidentId() const { return m_current; }
    QVector<IncidentSummary> selectedIncidents() const;
    /// "Show muted": incidents whose findings are all muted are listed (greyed) too.
    QCheckBox* showMutedBox() const { return m_showMuted; }
    /// How many listed incidents are muted ("3 muted"), shown beside the toggle.
    QLabel* mutedCountLabel() const { return m_mutedCount; }
    qint64 mutedIncidents() const { return m_mutedIncidents; }
    QAction* muteAction() const { return m_muteAction; }

    /// Writes the selection (all listed incidents when nothing is selected) to `path`.
    bool writeExport(const QString& path, bool json, QString* error = nullptr) const;

    void focusSearch() override;
    void layerNamesChanged() override;
    bool canExport() const override { return true; }
    void exportData(QWidget* dialogParent) override;
    void saveState(QSettings& settings) const override;
    void restoreState(QSettings& settings) override;

public Q_SLOTS:
    void saveReview();
    void markSelectedFalsePositive();
    /// Opens "Mute findings like this…" for the current incident (its rule and agent).
    void muteCurrent();
    /// Opens the list of mute rules, where they can be removed.
    void showMuteRules();

Q_SIGNALS:
    void openEvents(const vigil::ui::EventQuery& query);
    /// The list was reloaded (filters, a change, or the periodic refresh).
    void incidentsReloaded();
    void detailLoaded(qint64 incidentId);

private:
    void onCurrentChanged();
    void showIncidents();
    void showDetail(const IncidentDetail& detail);
    void showFacts(const IncidentSummary& incident);
    void setFormEnabled(bool enabled);
    bool formDirty() const;

    EngineBridge& m_bridge;
    IncidentsModel* m_model;
    QSortFilterProxyModel* m_proxy;
    EventListModel* m_evidence;
    QLineEdit* m_search;
    QComboBox* m_statusFilter;
    QComboBox* m_severityFilter;
    QComboBox* m_categoryFilter;
    QComboBox* m_layerFilter;
    QComboBox* m_agentFilter;
    QComboBox* m_timeFilter;
    QTableView* m_table;
    QSplitter* m_split;
    QLabel* m_title;
    QLabel* m_facts;
    QComboBox* m_status;
    QLineEdit* m_assignee;
    QPlainTextEdit* m_notes;
    QPushButton* m_save;
    QPushButton* m_falsePositive;
    QLabel* m_count;
    QTableView* m_evidenceTable;
    EventDetailPane* m_eventDetail;
    QTreeWidget* m_timeline;
    QTimer* m_debounce;
    QTimer* m_refresh;
    QCheckBox* m_showMuted;
    QLabel* m_mutedCount;
    QAction* m_muteAction;
    QVector<IncidentSummary> m_loaded; ///< the last list, muted incidents included
    bool m_listLoaded = false;         ///< a list has arrived (else the view says it is loading)
    ViewPlaceholder* m_placeholder = nullptr;
    qint64 m_mutedIncidents = 0;
    quint64 m_listToken = 0;
    quint64 m_detailToken = 0;
    qint64 m_current = 0;
    qint64 m_pendingSelect = 0;
    IncidentSummary m_shown;   ///< the incident as the form last loaded it
    IncidentSummary m_factsOf; ///< the incident whose facts line shows
};

} // namespace vigil::ui
