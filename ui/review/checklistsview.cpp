// SPDX-License-Identifier: Apache-2.0
#include "review/checklistsview.h"

#include "bridge/enginebridge.h"
#include "common/viewplaceholder.h"
#include "review/checklistmodel.h"
#include "review/evidencemodel.h"
#include "review/reviewicons.h"

#include <QButtonGroup>
#include <QCheckBox>
#include <QComboBox>
#include <QDateTime>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSettings>
#include <QShortcut>
#include <QSortFilterProxyModel>
#include <QSplitter>
#include <QTableView>
#include <QTreeView>
#include <QVBoxLayout>

#include <algorithm>

namespace vigil::ui {
namespace {

/// Keeps failing items (with "failing only") whose id, section or text contain the search
/// text; a group stays while one of its items does.
class ChecklistFilter : public QSortFilterProxyModel
{
public:
    explicit ChecklistFilter(QObject* parent) : QSortFilterProxyModel(parent)
    {
        setRecursiveFilteringEnabled(true);
        setFilterCaseSensitivity(Qt::CaseInsensitive);
    }
    void setFailingOnly(bool on)
    {
        m_failingOnly = on;
        invalidateFilter();
    }
    void setText(const QString& text)
    {
        m_text = text.trimmed();
        invalidateFilter();
    }

protected:
    bool filterAcceptsRow(int row, const QModelIndex& parent) const override
    {
        const QModelIndex i = sourceModel()->index(row, 0, parent);
        if (i.data(ChecklistModel::NodeKindRole).toInt() != ChecklistModel::ItemNode)
            return !m_failingOnly && m_text.isEmpty(); // else shown through their items
        if (m_failingOnly && !i.data(ChecklistModel::FailingRole).toBool())
            return false;
        return m_text.isEmpty() ||
               i.data(ChecklistModel::SearchTextRole).toString().contains(m_text, Qt::CaseInsensitive);
    }

private:
    bool m_failingOnly = false;
    QString m_text;
};

QLabel* muted(const QString& text, QWidget* parent)
{
    auto* l = new QLabel(text, parent);
    l->setProperty("role", QStringLiteral("muted"));
    l->setWordWrap(true);
    return l;
}

} // namespace

ChecklistsView::ChecklistsView(EngineBridge& bridge, QWidget* parent) : QWidget(parent), m_bridge(bridge)
{
    setObjectName(QStringLiteral("checklistsView"));
    m_model = new ChecklistModel(this);
    auto* filter = new ChecklistFilter(this);
    m_proxy = filter;
    m_proxy->setSourceModel(m_model);
    m_evidence = new EvidenceModel(this);
    m_history = new VerdictHistoryModel(this);

    auto* layout = new QVBoxLayout(this);
    auto* bar = new QHBoxLayout;
    auto* componentLabel = new QLabel(tr("&Component:"), this);
    m_componentBox = new QComboBox(this);
    m_componentBox->setObjectName(QStringLiteral("componentPicker"));
    m_componentBox->setEditable(true);
    m_componentBox->setInsertPolicy(QComboBox::NoInsert);
    m_componentBox->setMinimumContentsLength(18);
    m_componentBox->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
    m_componentBox->addItem(tr("Whole system"), QString());
    m_componentBox->setToolTip(tr("The MAESTRO and plugin checklists run per component: pick an agent seen in the "
                                  "events, or type a plugin name (as in agent_name) and press Enter."));
    componentLabel->setBuddy(m_componentBox);
    m_failingOnly = new QCheckBox(tr("F&ailing only"), this);
    m_failingOnly->setObjectName(QStringLiteral("failingOnly"));
    m_failingOnly->setToolTip(tr("Items whose evidence fails, whose verdict is fail, or in conflict"));
    m_search = new QLineEdit(this);
    m_search->setObjectName(QStringLiteral("searchBox"));
    m_search->setClearButtonEnabled(true);
    m_search->setPlaceholderText(tr("Filter items (Ctrl+F)"));
    m_state = muted(QString(), this);
    m_state->setWordWrap(false);
    bar->addWidget(componentLabel);
    bar->addWidget(m_componentBox);
    bar->addWidget(m_failingOnly);
    bar->addWidget(m_search, 1);
    bar->addWidget(m_state);
    layout->addLayout(bar);

    m_split = new QSplitter(Qt::Horizontal, this);
    m_tree = new QTreeView(m_split);
    m_tree->setObjectName(QStringLiteral("checklistTree"));
    m_tree->setModel(m_proxy);
    m_placeholder = new ViewPlaceholder(m_tree);
    m_tree->setUniformRowHeights(true);
    m_tree->setAlternatingRowColors(true);
    m_tree->setSelectionMode(QAbstractItemView::SingleSelection);
    m_tree->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_tree->setAllColumnsShowFocus(true);
    m_tree->header()->setStretchLastSection(true);
    m_tree->setColumnWidth(ChecklistModel::ColItem, 340);
    m_tree->setColumnWidth(ChecklistModel::ColStatus, 150);
    m_tree->setColumnWidth(ChecklistModel::ColVerdict, 150);

    auto* detail = new QWidget(m_split);
    auto* dl = new QVBoxLayout(detail);
    dl->setContentsMargins(8, 0, 0, 0);
    m_title = new QLabel(tr("Select a checklist item."), detail);
    m_title->setProperty("role", QStringLiteral("heading"));
    m_title->setWordWrap(true);
    m_meta = muted(QString(), detail);
    m_meta->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_auto = new QLabel(detail);
    m_auto->setWordWrap(true);
    m_auto->setTextFormat(Qt::RichText);
    m_rule = muted(QString(), detail);
    m_conflict = new QLabel(detail);
    m_conflict->setWordWrap(true);
    m_conflict->setObjectName(QStringLiteral("conflictBadge"));
    m_conflict->hide();
    dl->addWidget(m_title);
    dl->addWidget(m_meta);
    dl->addWidget(m_auto);
    dl->addWidget(m_rule);
    dl->addWidget(m_conflict);

    m_detailSplit = new QSplitter(Qt::Vertical, detail);
    auto* evidenceBox = new QGroupBox(tr("Evidence behind the status"), m_detailSplit);
    auto* el = new QVBoxLayout(evidenceBox);
    m_evidenceTable = new QTableView(evidenceBox);
    m_evidenceTable->setObjectName(QStringLiteral("evidenceTable"));
    m_evidenceTable->setModel(m_evidence);
    m_evidenceTable->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_evidenceTable->setSelectionMode(QAbstractItemView::SingleSelection);
    m_evidenceTable->setWordWrap(false);
    m_evidenceTable->verticalHeader()->hide();
    m_evidenceTable->verticalHeader()->setDefaultSectionSize(m_evidenceTable->fontMetrics().height() + 8);
    m_evidenceTable->horizontalHeader()->setStretchLastSection(true);
    m_evidenceTable->setColumnWidth(EvidenceModel::ColTime, 150);
    m_evidenceTable->setColumnWidth(EvidenceModel::ColKind, 120);
    m_evidenceTable->setColumnWidth(EvidenceModel::ColAgent, 110);
    auto* evidenceButtons = new QHBoxLayout;
    m_evidenceCount = muted(QString(), evidenceBox);
    m_openEvent = new QPushButton(tr("&Open Event"), evidenceBox);
    m_openEvent->setObjectName(QStringLiteral("openEventButton"));
    m_openEvent->setEnabled(false);
    m_showAll = new QPushButton(tr("Show All in &Events"), evidenceBox);
    m_showAll->setObjectName(QStringLiteral("showAllButton"));
    m_showAll->setEnabled(false);
    evidenceButtons->addWidget(m_evidenceCount, 1);
    evidenceButtons->addWidget(m_openEvent);
    evidenceButtons->addWidget(m_showAll);
    el->addWidget(m_evidenceTable);
    el->addLayout(evidenceButtons);

    auto* verdictBox = new QGroupBox(tr("Verdict"), m_detailSplit);
    auto* vl = new QVBoxLayout(verdictBox);
    auto* kinds = new QHBoxLayout;
    m_pass = new QPushButton(tr("&Pass"), verdictBox);
    m_pass->setCheckable(true);
    m_pass->setObjectName(QStringLiteral("verdictPass"));
    m_fail = new QPushButton(tr("&Fail"), verdictBox);
    m_fail->setCheckable(true);
    m_fail->setObjectName(QStringLiteral("verdictFail"));
    m_na = new QPushButton(tr("&Not applicable"), verdictBox);
    m_na->setCheckable(true);
    m_na->setObjectName(QStringLiteral("verdictNotApplicable"));
    m_kinds = new QButtonGroup(this);
    m_kinds->addButton(m_pass);
    m_kinds->addButton(m_fail);
    m_kinds->addButton(m_na);
    m_pass->setIcon(review::verdictIcon(QStringLiteral("pass")));
    m_fail->setIcon(review::verdictIcon(QStringLiteral("fail")));
    m_na->setIcon(review::verdictIcon(QStringLiteral("not_applicable")));
    kinds->addWidget(m_pass);
    kinds->addWidget(m_fail);
    kinds->addWidget(m_na);
    kinds->addStretch(1);
    m_reviewer = muted(tr("as %1").arg(EngineBridge::actorName()), verdictBox);
    kinds->addWidget(m_reviewer);
    m_note = new QPlainTextEdit(verdictBox);
    m_note->setObjectName(QStringLiteral("verdictNote"));
    m_note->setPlaceholderText(tr("Note: why (kept with the verdict; the history cannot be edited)"));
    m_note->setTabChangesFocus(true);
    m_note->setMaximumHeight(m_note->fontMetrics().height() * 4 + 12);
    m_record = new QPushButton(tr("&Record Verdict"), verdictBox);
    m_record->setObjectName(QStringLiteral("recordVerdict"));
    m_record->setToolTip(tr("Record the verdict (Ctrl+Return)"));
    m_record->setEnabled(false);
    auto* recordRow = new QHBoxLayout;
    recordRow->addStretch(1);
    recordRow->addWidget(m_record);
    vl->addLayout(kinds);
    vl->addWidget(m_note);
    vl->addLayout(recordRow);

    auto* historyBox = new QGroupBox(tr("Verdict history"), m_detailSplit);
    auto* hl = new QVBoxLayout(historyBox);
    m_historyTable = new QTableView(historyBox);
    m_historyTable->setObjectName(QStringLiteral("verdictHistory"));
    m_historyTable->setModel(m_history);
    m_historyTable->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_historyTable->setWordWrap(false);
    m_historyTable->verticalHeader()->hide();
    m_historyTable->verticalHeader()->setDefaultSectionSize(m_historyTable->fontMetrics().height() + 8);
    m_historyTable->horizontalHeader()->setStretchLastSection(true);
    m_historyTable->setColumnWidth(VerdictHistoryModel::ColTime, 150);
    m_historyTable->setColumnWidth(VerdictHistoryModel::ColKind, 130);
    hl->addWidget(m_historyTable);
    dl->addWidget(m_detailSplit, 1);
    m_detailSplit->setStretchFactor(0, 3);
    m_detailSplit->setStretchFactor(1, 0);
    m_detailSplit->setStretchFactor(2, 2);

    m_split->addWidget(m_tree);
    m_split->addWidget(detail);
    m_split->setStretchFactor(0, 3);
    m_split->setStretchFactor(1, 2);
    m_split->setSizes({820, 560});
    layout->addWidget(m_split, 1);

    setTabOrder(m_componentBox, m_failingOnly);
    setTabOrder(m_failingOnly, m_search);
    setTabOrder(m_search, m_tree);
    setTabOrder(m_tree, m_evidenceTable);
    setTabOrder(m_evidenceTable, m_openEvent);
    setTabOrder(m_openEvent, m_showAll);
    setTabOrder(m_showAll, m_pass);
    setTabOrder(m_pass, m_fail);
    setTabOrder(m_fail, m_na);
    setTabOrder(m_na, m_note);
    setTabOrder(m_note, m_record);
    setTabOrder(m_record, m_historyTable);

    // ---- behaviour --------------------------------------------------------------------
    // A listed entry, or a plugin name typed and confirmed with Enter (not inserted: the
    // list is the observed agents and the components that have verdicts).
    const auto pick = [this](const QString& text) {
        const int i = m_componentBox->findText(text);
        setComponent(i >= 0 ? m_componentBox->itemData(i).toString() : text.trimmed());
    };
    connect(m_componentBox, &QComboBox::textActivated, this, pick);
    connect(m_componentBox->lineEdit(), &QLineEdit::returnPressed, this,
            [this, pick] { pick(m_componentBox->currentText()); });
    connect(m_failingOnly, &QCheckBox::toggled, this, [this, filter](bool on) {
        filter->setFailingOnly(on);
        m_tree->expandAll();
    });
    connect(m_search, &QLineEdit::textChanged, this, [this, filter](const QString& text) {
        filter->setText(text);
        m_tree->expandAll();
    });
    connect(m_tree->selectionModel(), &QItemSelectionModel::currentChanged, this, &ChecklistsView::onCurrentChanged);
    connect(m_evidenceTable, &QTableView::activated, this, &ChecklistsView::openEntry);
    connect(m_evidenceTable->selectionModel(), &QItemSelectionModel::currentChanged, this, [this](const QModelIndex& i) {
        const EvidenceEntry* e = i.isValid() ? m_evidence->entry(i.row()) : nullptr;
        m_openEvent->setEnabled(e && e->eventRowId > 0);
    });
    connect(m_openEvent, &QPushButton::clicked, this, [this] { openEntry(m_evidenceTable->currentIndex()); });
    connect(m_showAll, &QPushButton::clicked, this, &ChecklistsView::showAllInEvents);
    connect(m_kinds, &QButtonGroup::buttonToggled, this, [this] { updateRecordEnabled(); });
    connect(m_record, &QPushButton::clicked, this, &ChecklistsView::onRecord);
    auto* recordKey = new QShortcut(QKeySequence(Qt::CTRL | Qt::Key_Return), this);
    recordKey->setContext(Qt::WidgetWithChildrenShortcut);
    connect(recordKey, &QShortcut::activated, this, &ChecklistsView::onRecord);
    auto* refreshKey = new QShortcut(QKeySequence::Refresh, this);
    refreshKey->setContext(Qt::WidgetWithChildrenShortcut);
    connect(refreshKey, &QShortcut::activated, this, &ChecklistsView::reload);

    connect(&m_bridge, &EngineBridge::databaseOpened, this, [this] {
        m_firstReport = true;
        reload();
    });
    connect(&m_bridge, &EngineBridge::storeChanged, this, [this] { reload(); });
    connect(&m_bridge, &EngineBridge::checklistsEvaluated, this,
            [this](quint64 token, const ChecklistReport& report) {
                // A live re-evaluation has a larger token than any request before it.
                if (m_token == 0 || token < m_token || report.component != m_component)
                    return;
                m_token = token;
                applyReport(report);
            });
    connect(&m_bridge, &EngineBridge::evidenceLoaded, this, [this](quint64 token, const EvidenceList& list) {
        if (!m_evidenceTokens.remove(token))
            return;
        m_evidenceRows += list.rows;
        std::stable_sort(m_evidenceRows.begin(), m_evidenceRows.end(),
                         [](const EvidenceEntry& a, const EvidenceEntry& b) { return a.timestampMs > b.timestampMs; });
        const ChecklistItemState* item = m_model->item(m_model->indexOfItem(m_currentId));
        m_evidence->setRows(m_evidenceRows, item ? item->subjects : QStringList{},
                            item ? subjectKind(*item) : QString());
        qint64 total = 0;
        if (item)
            for (const EvidenceListingRef& l : item->listings)
                total += l.target == EvidenceTargetKind::Iam ? 0 : l.count;
        m_evidenceCount->setText(m_evidenceRows.size() < total
                                     ? tr("Showing the newest %L1 of %L2").arg(m_evidenceRows.size()).arg(total)
                                     : tr("%Ln row(s)", nullptr, static_cast<int>(m_evidenceRows.size() + (item ? item->subjects.size() : 0))));
        if (m_evidenceTokens.isEmpty())
            Q_EMIT evidenceShown(m_currentId);
    });
    connect(&m_bridge, &EngineBridge::verdictHistoryLoaded, this, [this](quint64 token, const QVector<VerdictInfo>& h) {
        if (token != m_historyToken)
            return;
        m_history->setHistory(h);
        if (!h.isEmpty())
            m_historyTable->scrollToBottom();
        Q_EMIT historyShown(m_currentId);
    });
    connect(&m_bridge, &EngineBridge::verdictRecorded, this,
            [this](quint64 token, bool ok, const VerdictInfo& v, const QString& message) {
                if (token != m_verdictToken)
                    return;
                m_verdictToken = 0;
                updateRecordEnabled();
                if (!ok) {
                    m_state->setText(message);
                    return;
                }
                m_note->clear();
                m_state->setText(tr("Recorded %1 on %2").arg(review::statusLabel(v.kind), v.itemId));
                if (v.itemId == m_currentId)
                    m_historyToken = m_bridge.loadVerdictHistory(m_currentId, v.component);
                Q_EMIT verdictSaved(v);
                reload();
            });

    if (m_bridge.isOpen())
        reload();
}

QAbstractButton* ChecklistsView::verdictButton(const QString& kind) const
{
    if (kind == u"pass")
        return m_pass;
    if (kind == u"fail")
        return m_fail;
    if (kind == u"not_applicable")
        return m_na;
    return nullptr;
}

void ChecklistsView::reload()
{
    const quint64 token = m_bridge.evaluateChecklists(m_component);
    if (token == 0)
        return;
    m_token = token;
    m_state->setText(tr("Evaluating…"));
    if (m_firstReport)
        m_placeholder->setMessage(tr("Loading checklists: evaluating the evidence…"));
}

void ChecklistsView::setComponent(const QString& component)
{
    if (component == m_component && m_token != 0)
        return;
    m_component = component;
    const int i = m_componentBox->findData(component);
    if (i >= 0)
        m_componentBox->setCurrentIndex(i);
    else
        m_componentBox->setEditText(component);
    reload();
}

void ChecklistsView::setFailingOnly(bool on)
{
    m_failingOnly->setChecked(on);
}

void ChecklistsView::updateComponents(const ChecklistReport& report)
{
    QStringList names = report.observedAgents;
    for (const QString& c : report.reviewedComponents)
        if (!names.contains(c))
            names.push_back(c);
    if (!m_component.isEmpty() && !names.contains(m_component))
        names.push_back(m_component);
    std::sort(names.begin(), names.end());
    QStringList shown;
    for (int i = 1; i < m_componentBox->count(); ++i)
        shown.push_back(m_componentBox->itemData(i).toString());
    if (shown == names)
        return;
    const QSignalBlocker block(m_componentBox);
    while (m_componentBox->count() > 1)
        m_componentBox->removeItem(1);
    for (const QString& n : names)
        m_componentBox->addItem(report.observedAgents.contains(n) ? n : tr("%1 (plugin)").arg(n), n);
    const int current = m_componentBox->findData(m_component);
    m_componentBox->setCurrentIndex(std::max(0, current));
}

void ChecklistsView::applyReport(const ChecklistReport& report)
{
    const QString keep = m_currentId;
    m_model->setReport(report);
    m_placeholder->setMessage(report.error.isEmpty() ? QString() : tr("The checklists could not be evaluated."));
    updateComponents(report);
    // Expanded once; later reports update in place and keep what the reviewer collapsed.
    if (m_firstReport)
        m_tree->expandAll();
    const QString when = QDateTime::fromMSecsSinceEpoch(report.evaluatedAtMs).toString(QStringLiteral("HH:mm:ss"));
    m_state->setText(!report.error.isEmpty() ? tr("Evaluation failed: %1").arg(report.error)
                     : report.hasPolicies    ? tr("Evaluated %1 · IAM file loaded").arg(when)
                                             : tr("Evaluated %1 · no IAM file: IAM items stay unknown").arg(when));
    const ChecklistItemState* kept = keep.isEmpty() ? nullptr : m_model->item(m_model->indexOfItem(keep));
    if (m_autoSelect && (!kept || kept->autoStatus != u"fail")) {
        // Until the reviewer picks an item, show the first failing one (else the first), so
        // that the pane opens on evidence.
        QString first;
        for (const ChecklistItemState& it : report.items) {
            if (first.isEmpty())
                first = it.id;
            if (it.autoStatus == u"fail") {
                first = it.id;
                break;
            }
        }
        if (!first.isEmpty() && first != keep) {
            selectItem(first);
            m_autoSelect = true; // still the view's choice, not the reviewer's
            m_firstReport = false;
            Q_EMIT reportApplied();
            return;
        }
    }
    if (!keep.isEmpty() && m_model->indexOfItem(keep).isValid()) {
        const QModelIndex source = m_model->indexOfItem(keep);
        const QModelIndex proxied = m_proxy->mapFromSource(source);
        if (proxied.isValid() && m_tree->currentIndex() != proxied) {
            m_selecting = true;
            m_tree->setCurrentIndex(proxied);
            m_selecting = false;
        }
        showItem(m_model->item(source), false);
    }
    m_firstReport = false;
    Q_EMIT reportApplied();
}

bool ChecklistsView::selectItem(const QString& id)
{
    m_autoSelect = false;
    const QModelIndex source = m_model->indexOfItem(id);
    if (!source.isValid())
        return false;
    QModelIndex proxied = m_proxy->mapFromSource(source);
    if (!proxied.isValid()) {
        // Hidden by a filter: clear the filters so that the item can be shown.
        m_search->clear();
        m_failingOnly->setChecked(false);
        proxied = m_proxy->mapFromSource(source);
    }
    // A hidden tree has no height yet: scrolling now would push the item to the top.
    if (m_tree->isVisible())
        m_tree->scrollTo(proxied);
    m_selecting = true;
    m_tree->setCurrentIndex(proxied);
    m_selecting = false;
    return m_currentId == id;
}

void ChecklistsView::onCurrentChanged()
{
    if (!m_selecting)
        m_autoSelect = false; // the reviewer chose
    const QModelIndex source = m_proxy->mapToSource(m_tree->currentIndex());
    const ChecklistItemState* item = m_model->item(source);
    if (!item) {
        // A checklist or section row: nothing to judge.
        m_currentId.clear();
        showItem(nullptr, true);
        return;
    }
    if (item->id == m_currentId)
        return;
    m_currentId = item->id;
    showItem(item, true);
}

void ChecklistsView::showItem(const ChecklistItemState* item, bool reloadEvidence)
{
    if (!item) {
        m_title->setText(tr("Select a checklist item."));
        m_meta->clear();
        m_auto->clear();
        m_rule->clear();
        m_conflict->hide();
        m_evidence->clear();
        m_history->setHistory({});
        m_evidenceCount->clear();
        updateRecordEnabled();
        return;
    }
    m_title->setText(item->text);
    m_meta->setText(metaText(*item));
    const QColor color = review::statusColor(item->autoStatus);
    m_auto->setText(tr("<b style=\"color:%1\">%2</b> — %3")
                        .arg(color.name(), review::statusLabel(item->autoStatus).toHtmlEscaped(),
                             item->ruleId.isEmpty() ? tr("no log can judge this item; a reviewer decides.").toHtmlEscaped()
                                                    : item->reason.toHtmlEscaped()));
    m_rule->setText(item->ruleId.isEmpty() ? QString() : tr("Rule %1: %2").arg(item->ruleId, item->ruleDescription));
    m_rule->setVisible(!item->ruleId.isEmpty());
    if (item->conflict) {
        m_conflict->setText(tr("<b style=\"color:%1\">⚠ Conflict</b>: the latest verdict (%2 by %3) says the item holds, "
                               "the evidence says it fails.")
                                .arg(review::statusColor(QStringLiteral("conflict")).name(),
                                     review::statusLabel(item->verdict ? item->verdict->kind : QString()).toHtmlEscaped(),
                                     (item->verdict ? item->verdict->reviewer : QString()).toHtmlEscaped()));
        m_conflict->show();
    } else {
        m_conflict->hide();
    }
    if (reloadEvidence || item->evidenceCount != m_currentEvidenceCount) {
        loadEvidenceFor(*item);
        m_historyToken = m_bridge.loadVerdictHistory(item->id, item->component);
        if (reloadEvidence) {
            const QSignalBlocker block(m_kinds);
            m_kinds->setExclusive(false);
            for (QAbstractButton* b : m_kinds->buttons())
                b->setChecked(false);
            m_kinds->setExclusive(true);
        }
    }
    m_currentEvidenceCount = item->evidenceCount;
    updateRecordEnabled();
}

void ChecklistsView::loadEvidenceFor(const ChecklistItemState& item)
{
    m_evidenceTokens.clear();
    m_evidenceRows.clear();
    m_evidence->setRows({}, item.subjects, subjectKind(item));
    bool listable = false;
    for (const EvidenceListingRef& l : item.listings) {
        if (l.target == EvidenceTargetKind::Iam)
            continue;
        listable = listable || l.target != EvidenceTargetKind::Rejected;
        if (const quint64 t = m_bridge.loadEvidence(l, 500))
            m_evidenceTokens.insert(t);
    }
    m_showAll->setEnabled(listable);
    m_openEvent->setEnabled(false);
    if (m_evidenceTokens.isEmpty()) {
        m_evidenceCount->setText(item.subjects.isEmpty()
                                     ? (item.ruleId.isEmpty() ? tr("No evidence rule: nothing to list.")
                                                              : tr("Nothing in scope to list."))
                                     : tr("%Ln %1 problem(s)", nullptr, static_cast<int>(item.subjects.size()))
                                           .arg(subjectKind(item)));
        Q_EMIT evidenceShown(item.id);
    } else {
        m_evidenceCount->setText(tr("Loading…"));
    }
}

void ChecklistsView::openEntry(const QModelIndex& index)
{
    const EvidenceEntry* e = index.isValid() ? m_evidence->entry(index.row()) : nullptr;
    if (!e || e->eventRowId <= 0)
        return;
    EventQuery q;
    q.agent = e->agent;
    q.eventType = e->eventType;
    q.threadId = e->threadId;
    q.fromMs = e->timestampMs;
    q.toMs = e->timestampMs;
    Q_EMIT openEvents(q);
}

void ChecklistsView::showAllInEvents()
{
    const ChecklistItemState* item = m_model->item(m_model->indexOfItem(m_currentId));
    if (!item)
        return;
    for (const EvidenceListingRef& l : item->listings) {
        if (l.target != EvidenceTargetKind::Findings && l.target != EvidenceTargetKind::Events)
            continue;
        EventQuery q;
        q.agent = l.agent;
        if (l.eventTypes.size() == 1)
            q.eventType = l.eventTypes.front();
        if (l.target == EvidenceTargetKind::Findings) {
            for (const QString& c : l.categories)
                q.findingMask |= categoryBit(c);
            for (const QString& r : l.rules)
                q.findingMask |= categoryBit(r.section(u'.', 0, 0));
        }
        if (l.fromMs > 0 && l.fromMs != std::numeric_limits<qint64>::min())
            q.fromMs = l.fromMs;
        if (l.toMs != std::numeric_limits<qint64>::max())
            q.toMs = l.toMs;
        Q_EMIT openEvents(q);
        return;
    }
}

void ChecklistsView::updateRecordEnabled()
{
    m_record->setEnabled(!m_currentId.isEmpty() && m_kinds->checkedButton() && m_verdictToken == 0 && m_bridge.isOpen());
}

void ChecklistsView::onRecord()
{
    if (!m_record->isEnabled())
        return;
    const QString kind = m_kinds->checkedButton() == m_pass   ? QStringLiteral("pass")
                         : m_kinds->checkedButton() == m_fail ? QStringLiteral("fail")
                                                              : QStringLiteral("not_applicable");
    recordVerdict(kind, m_note->toPlainText().trimmed());
}

bool ChecklistsView::recordVerdict(const QString& kind, const QString& note)
{
    const ChecklistItemState* item = m_model->item(m_model->indexOfItem(m_currentId));
    if (!item)
        return false;
    m_verdictToken = m_bridge.recordVerdict(item->id, item->component, kind, note);
    updateRecordEnabled();
    if (m_verdictToken)
        m_state->setText(tr("Recording…"));
    return m_verdictToken != 0;
}

void ChecklistsView::layerNamesChanged()
{
    m_model->relabelSections();
    if (const ChecklistItemState* item = m_model->item(m_proxy->mapToSource(m_tree->currentIndex())))
        m_meta->setText(metaText(*item));
}

QString ChecklistsView::subjectKind(const ChecklistItemState& item)
{
    return item.ruleId == QLatin1String("secrets_rotated") ? tr("Rotation") : tr("IAM");
}

QString ChecklistsView::metaText(const ChecklistItemState& item) const
{
    const QString scope = item.component.isEmpty() ? tr("whole system") : tr("component %1").arg(item.component);
    return tr("%1 · %2 · %3").arg(item.id, ChecklistModel::sectionLabel(item), scope);
}

void ChecklistsView::focusSearch()
{
    m_search->setFocus(Qt::ShortcutFocusReason);
    m_search->selectAll();
}

void ChecklistsView::saveState(QSettings& settings) const
{
    settings.setValue(QStringLiteral("split"), m_split->saveState());
    settings.setValue(QStringLiteral("detailSplit"), m_detailSplit->saveState());
    settings.setValue(QStringLiteral("tree"), m_tree->header()->saveState());
    settings.setValue(QStringLiteral("failingOnly"), m_failingOnly->isChecked());
}

void ChecklistsView::restoreState(QSettings& settings)
{
    m_split->restoreState(settings.value(QStringLiteral("split")).toByteArray());
    m_detailSplit->restoreState(settings.value(QStringLiteral("detailSplit")).toByteArray());
    m_tree->header()->restoreState(settings.value(QStringLiteral("tree")).toByteArray());
    m_failingOnly->setChecked(settings.value(QStringLiteral("failingOnly"), false).toBool());
}

} // namespace vigil::ui
