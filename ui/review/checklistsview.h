// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "bridge/bridgetypes.h"
#include "bridge/reviewtypes.h"
#include "viewpage.h"

#include <QSet>
#include <QWidget>

class QButtonGroup;
class QCheckBox;
class QComboBox;
class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QAbstractButton;
class QPushButton;
class QSortFilterProxyModel;
class QSplitter;
class QTableView;
class QTreeView;

namespace vigil::ui {

class ChecklistModel;
class EngineBridge;
class EvidenceModel;
class VerdictHistoryModel;
class ViewPlaceholder;

/// The three seed checklists with live evidence: a tree (checklist, section, item) with
/// status icons, a "failing only" filter and a text filter, a component picker (the agents
/// seen in the events, and any plugin name the reviewer types), and a detail pane with the
/// evidence behind the automatic status (double-click or Enter opens an event in the
/// Events view), the verdict editor (pass, fail, not applicable and a note, recorded as the
/// OS user) and the item's verdict history. Evaluation happens in the bridge's review
/// thread and repeats as findings arrive; the view only shows results.
class ChecklistsView : public QWidget, public ViewPage
{
    Q_OBJECT

public:
    explicit ChecklistsView(EngineBridge& bridge, QWidget* parent = nullptr);

    /// Re-evaluates for `component` (empty: the whole system).
    void setComponent(const QString& component);
    QString component() const { return m_component; }
    void setFailingOnly(bool on);
    /// Selects (and shows the detail of) the item with `id`; from then on, live updates keep
    /// it selected.
    bool selectItem(const QString& id);
    QString currentItemId() const { return m_currentId; }
    /// Asks the bridge for a new evaluation.
    void reload();
    /// Records a verdict on the current item as the verdict editor's button does.
    bool recordVerdict(const QString& kind, const QString& note);

    ChecklistModel* model() const { return m_model; }
    QSortFilterProxyModel* proxy() const { return m_proxy; }
    QTreeView* tree() const { return m_tree; }
    EvidenceModel* evidenceModel() const { return m_evidence; }
    QTableView* evidenceTable() const { return m_evidenceTable; }
    VerdictHistoryModel* historyModel() const { return m_history; }
    QComboBox* componentBox() const { return m_componentBox; }
    QCheckBox* failingOnlyBox() const { return m_failingOnly; }
    QPlainTextEdit* noteEdit() const { return m_note; }
    QPushButton* recordButton() const { return m_record; }
    /// The checkable button of a verdict kind (`pass`, `fail`, `not_applicable`).
    QAbstractButton* verdictButton(const QString& kind) const;

    void focusSearch() override;
    void layerNamesChanged() override;
    void saveState(QSettings& settings) const override;
    void restoreState(QSettings& settings) override;

Q_SIGNALS:
    /// Drill-down into the Events view.
    void openEvents(const vigil::ui::EventQuery& query);
    /// A report was applied to the tree (first load, a change, or a live re-evaluation).
    void reportApplied();
    void evidenceShown(const QString& itemId);
    void historyShown(const QString& itemId);
    void verdictSaved(const vigil::ui::VerdictInfo& verdict);

private:
    void applyReport(const ChecklistReport& report);
    void updateComponents(const ChecklistReport& report);
    void onCurrentChanged();
    QString metaText(const ChecklistItemState& item) const;
    static QString subjectKind(const ChecklistItemState& item);
    void showItem(const ChecklistItemState* item, bool reloadEvidence);
    void loadEvidenceFor(const ChecklistItemState& item);
    void openEntry(const QModelIndex& index);
    void showAllInEvents();
    void onRecord();
    void updateRecordEnabled();

    EngineBridge& m_bridge;
    ChecklistModel* m_model;
    QSortFilterProxyModel* m_proxy;
    EvidenceModel* m_evidence;
    VerdictHistoryModel* m_history;
    QComboBox* m_componentBox;
    QCheckBox* m_failingOnly;
    QLineEdit* m_search;
    QLabel* m_state;
    QSplitter* m_split;
    QSplitter* m_detailSplit;
    QTreeView* m_tree;
    ViewPlaceholder* m_placeholder;
    QLabel* m_title;
    QLabel* m_meta;
    QLabel* m_auto;
    QLabel* m_rule;
    QLabel* m_evidenceCount;
    QTableView* m_evidenceTable;
    QPushButton* m_openEvent;
    QPushButton* m_showAll;
    QPushButton* m_pass;
    QPushButton* m_fail;
    QPushButton* m_na;
    QButtonGroup* m_kinds;
    QPlainTextEdit* m_note;
    QPushButton* m_record;
    QLabel* m_reviewer;
    QLabel* m_conflict;
    QTableView* m_historyTable;

    QString m_component;
    QString m_currentId;
    qint64 m_currentEvidenceCount = -1;
    quint64 m_token = 0;
    QSet<quint64> m_evidenceTokens;
    QVector<EvidenceEntry> m_evidenceRows;
    quint64 m_historyToken = 0;
    quint64 m_verdictToken = 0;
    bool m_firstReport = true;
    bool m_autoSelect = true;  ///< until the reviewer picks an item, show a failing one
    bool m_selecting = false; ///< a programmatic selection is under way
};

} // namespace vigil::ui
