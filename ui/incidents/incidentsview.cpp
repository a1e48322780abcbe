// SPDX-License-Identifier: Apache-2.0
#include "incidents/incidentsview.h"

#include "bridge/enginebridge.h"
#include "common/eventcolumns.h"
#include "common/eventdelegate.h"
#include "common/eventdetailpane.h"
#include "common/eventlistmodel.h"
#include "common/viewplaceholder.h"
#include "incidents/incidentexport.h"
#include "incidents/incidentsmodel.h"
#include "mute/mutedialog.h"
#include "theme.h"

#include <QAction>
#include <QCheckBox>
#include <QComboBox>
#include <QMenu>
#include <QDateTime>
#include <QFileDialog>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QMessageBox>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSaveFile>
#include <QSettings>
#include <QSortFilterProxyModel>
#include <QSplitter>
#include <QStandardPaths>
#include <QTabWidget>
#include <QTableView>
#include <QTimer>
#include <QTreeWidget>
#include <QVBoxLayout>

#include <algorithm>

namespace vigil::ui {
namespace {

const QStringList& statusValues()
{
    static const QStringList values{QStringLiteral("open"), QStringLiteral("investigating"),
                                    QStringLiteral("resolved"), QStringLiteral("false_positive")};
    return values;
}

} // namespace

IncidentsView::IncidentsView(EngineBridge& bridge, QWidget* parent) : QWidget(parent), m_bridge(bridge)
{
    m_model = new IncidentsModel(this);
    m_proxy = new QSortFilterProxyModel(this);
    m_proxy->setSourceModel(m_model);
    m_proxy->setSortRole(IncidentsModel::SortRole);
    m_evidence = new EventListModel(this);

    auto* layout = new QVBoxLayout(this);
    auto* filters = new QHBoxLayout;
    m_search = new QLineEdit(this);
    m_search->setObjectName(QStringLiteral("searchBox"));
    m_search->setClearButtonEnabled(true);
    m_search->setPlaceholderText(tr("Search title, notes, category, rule, agent (Ctrl+F)"));
    m_statusFilter = new QComboBox(this);
    m_statusFilter->setObjectName(QStringLiteral("statusFilter"));
    m_statusFilter->addItem(tr("Open and investigating"), QStringList{QStringLiteral("open"), QStringLiteral("investigating")});
    m_statusFilter->addItem(tr("Any status"), QStringList{});
    for (const QString& s : statusValues())
        m_statusFilter->addItem(IncidentsModel::statusLabel(s), QStringList{s});
    m_severityFilter = new QComboBox(this);
    m_severityFilter->setObjectName(QStringLiteral("incidentSeverityFilter"));
    // Data: a minimum severity 0..3, or 10 + an exact severity.
    m_severityFilter->addItem(tr("Any severity"), -1);
    m_severityFilter->addItem(tr("Medium and above"), 1);
    m_severityFilter->addItem(tr("High and above"), 2);
    m_severityFilter->addItem(tr("Critical"), 3);
    m_severityFilter->addItem(tr("High only"), 12);
    m_severityFilter->addItem(tr("Medium only"), 11);
    m_severityFilter->addItem(tr("Low only"), 10);
    m_categoryFilter = new QComboBox(this);
    m_categoryFilter->setObjectName(QStringLiteral("incidentCategoryFilter"));
    m_categoryFilter->addItem(tr("Any category"), QString());
    for (const QString& c : categoryNames())
        m_categoryFilter->addItem(c, c);
    m_layerFilter = new QComboBox(this);
    m_layerFilter->setObjectName(QStringLiteral("layerFilter"));
    m_layerFilter->addItem(tr("Any layer"), 0);
    for (int l = 1; l <= 7; ++l)
        m_layerFilter->addItem(maestroLayerNames().at(l - 1), l);
    m_agentFilter = new QComboBox(this);
    m_agentFilter->setObjectName(QStringLiteral("incidentAgentFilter"));
    m_agentFilter->addItem(tr("All agents"), QString());
    m_timeFilter = new QComboBox(this);
    m_timeFilter->setObjectName(QStringLiteral("timeFilter"));
    m_timeFilter->addItem(tr("Any time"), 0);
    m_timeFilter->addItem(tr("Last hour"), 3600);
    m_timeFilter->addItem(tr("Last 24 hours"), 86400);
    m_timeFilter->addItem(tr("Last 7 days"), 7 * 86400);
    filters->addWidget(m_search, 2);
    for (QComboBox* box : {m_statusFilter, m_severityFilter, m_categoryFilter, m_layerFilter, m_agentFilter, m_timeFilter}) {
        box->setSizeAdjustPolicy(QComboBox::AdjustToContents);
        filters->addWidget(box);
        connect(box, &QComboBox::activated, this, &IncidentsView::reload);
    }
    layout->addLayout(filters);

    auto* actions = new QHBoxLayout;
    m_count = new QLabel(this);
    m_count->setProperty("role", QStringLiteral("muted"));
    m_falsePositive = new QPushButton(tr("Mark Selected as False Positive"), this);
    m_falsePositive->setObjectName(QStringLiteral("falsePositiveButton"));
    auto* exportButton = new QPushButton(tr("Export Selection…"), this);
    m_showMuted = new QCheckBox(tr("Show muted"), this);
    m_showMuted->setObjectName(QStringLiteral("showMuted"));
    m_showMuted->setToolTip(tr("List incidents whose findings are all muted by a suppression rule"));
    m_mutedCount = new QLabel(this);
    m_mutedCount->setObjectName(QStringLiteral("mutedCount"));
    m_mutedCount->setProperty("role", QStringLiteral("muted"));
    auto* rulesButton = new QPushButton(tr("Suppression Rules…"), this);
    rulesButton->setObjectName(QStringLiteral("muteRulesButton"));
    actions->addWidget(m_count);
    actions->addSpacing(12);
    actions->addWidget(m_showMuted);
    actions->addWidget(m_mutedCount, 1);
    actions->addWidget(rulesButton);
    actions->addWidget(m_falsePositive);
    actions->addWidget(exportButton);
    layout->addLayout(actions);

    m_split = new QSplitter(Qt::Horizontal, this);
    m_table = new QTableView(m_split);
    m_table->setObjectName(QStringLiteral("incidentsTable"));
    m_table->setModel(m_proxy);
    m_placeholder = new ViewPlaceholder(m_table);
    m_table->setSortingEnabled(true);
    m_table->sortByColumn(IncidentsModel::ColLast, Qt::DescendingOrder);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::ExtendedSelection);
    m_table->setAlternatingRowColors(true);
    m_table->setWordWrap(false);
    m_table->verticalHeader()->hide();
    m_table->verticalHeader()->setDefaultSectionSize(m_table->fontMetrics().height() + 8);
    m_table->horizontalHeader()->setStretchLastSection(true);
    m_table->setContextMenuPolicy(Qt::CustomContextMenu);
    // Ctrl+M while the table has focus; the event findings below have their own.
    m_muteAction = new QAction(tr("Mute Findings Like This…"), m_table);
    m_muteAction->setObjectName(QStringLiteral("muteIncidentAction"));
    m_muteAction->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_M));
    m_muteAction->setShortcutContext(Qt::WidgetShortcut);
    m_table->addAction(m_muteAction);
    m_table->setColumnWidth(IncidentsModel::ColId, 50);
    m_table->setColumnWidth(IncidentsModel::ColSeverity, 70);
    m_table->setColumnWidth(IncidentsModel::ColStatus, 100);
    m_table->setColumnWidth(IncidentsModel::ColTitle, 300);
    m_table->setColumnWidth(IncidentsModel::ColCategory, 110);
    m_table->setColumnWidth(IncidentsModel::ColLayer, 120);
    m_table->setColumnWidth(IncidentsModel::ColFirst, 170);
    m_table->setColumnWidth(IncidentsModel::ColLast, 170);

    auto* detail = new QWidget(m_split);
    auto* dl = new QVBoxLayout(detail);
    dl->setContentsMargins(6, 0, 0, 0);
    m_title = new QLabel(tr("Select an incident."), detail);
    m_title->setProperty("role", QStringLiteral("heading"));
    m_title->setWordWrap(true);
    m_facts = new QLabel(detail);
    m_facts->setWordWrap(true);
    m_facts->setTextInteractionFlags(Qt::TextSelectableByMouse);
    dl->addWidget(m_title);
    dl->addWidget(m_facts);
    auto* form = new QFormLayout;
    m_status = new QComboBox(detail);
    m_status->setObjectName(QStringLiteral("reviewStatus"));
    for (const QString& s : statusValues())
        m_status->addItem(IncidentsModel::statusLabel(s), s);
    m_assignee = new QLineEdit(detail);
    m_assignee->setObjectName(QStringLiteral("reviewAssignee"));
    m_assignee->setPlaceholderText(tr("Who looks into it"));
    m_notes = new QPlainTextEdit(detail);
    m_notes->setObjectName(QStringLiteral("reviewNotes"));
    m_notes->setPlaceholderText(tr("What was found, what was done"));
    m_notes->setMaximumHeight(90);
    m_save = new QPushButton(tr("Save Review"), detail);
    m_save->setObjectName(QStringLiteral("saveReview"));
    form->addRow(tr("Status"), m_status);
    form->addRow(tr("Assignee"), m_assignee);
    form->addRow(tr("Notes"), m_notes);
    form->addRow(QString(), m_save);
    dl->addLayout(form);
    auto* tabs = new QTabWidget(detail);
    auto* evidence = new QSplitter(Qt::Vertical, tabs);
    m_evidenceTable = new QTableView(evidence);
    m_evidenceTable->setObjectName(QStringLiteral("evidenceTable"));
    m_evidenceTable->setModel(m_evidence);
    m_evidenceTable->setItemDelegate(new EventDelegate(m_evidenceTable));
    m_evidenceTable->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_evidenceTable->setSelectionMode(QAbstractItemView::SingleSelection);
    m_evidenceTable->verticalHeader()->hide();
    m_evidenceTable->verticalHeader()->setDefaultSectionSize(m_evidenceTable->fontMetrics().height() + 8);
    m_evidenceTable->horizontalHeader()->setStretchLastSection(true);
    m_evidenceTable->setColumnWidth(ColTime, 180);
    m_evidenceTable->setToolTip(tr("Double-click to open the event's thread in the Events view"));
    m_eventDetail = new EventDetailPane(bridge, evidence);
    tabs->addTab(evidence, tr("Evidence"));
    m_timeline = new QTreeWidget(tabs);
    m_timeline->setObjectName(QStringLiteral("timeline"));
    m_timeline->setRootIsDecorated(false);
    m_timeline->setHeaderLabels({tr("Time"), tr("What"), tr("Who")});
    m_timeline->header()->setStretchLastSection(false);
    m_timeline->header()->setSectionResizeMode(1, QHeaderView::Stretch);
    tabs->addTab(m_timeline, tr("Timeline"));
    dl->addWidget(tabs, 1);
    m_split->setStretchFactor(0, 3);
    m_split->setStretchFactor(1, 2);
    m_split->setSizes({820, 600});
    layout->addWidget(m_split, 1);
    setFormEnabled(false);

    m_debounce = new QTimer(this);
    m_debounce->setSingleShot(true);
    m_debounce->setInterval(300);
    connect(m_debounce, &QTimer::timeout, this, &IncidentsView::reload);
    connect(m_search, &QLineEdit::textEdited, m_debounce, qOverload<>(&QTimer::start));
    connect(m_search, &QLineEdit::returnPressed, this, &IncidentsView::reload);
    // New findings keep changing incidents while the view is open.
    m_refresh = new QTimer(this);
    m_refresh->setInterval(5000);
    connect(m_refresh, &QTimer::timeout, this, [this] {
        if (isVisible() && m_listToken == 0)
            reload();
    });
    m_refresh->start();

    connect(m_save, &QPushButton::clicked, this, &IncidentsView::saveReview);
    connect(m_falsePositive, &QPushButton::clicked, this, &IncidentsView::markSelectedFalsePositive);
    connect(exportButton, &QPushButton::clicked, this, [this] { exportData(this); });
    connect(rulesButton, &QPushButton::clicked, this, &IncidentsView::showMuteRules);
    connect(m_muteAction, &QAction::triggered, this, &IncidentsView::muteCurrent);
    connect(m_showMuted, &QCheckBox::toggled, this, &IncidentsView::showIncidents);
    connect(m_table, &QWidget::customContextMenuRequested, this, [this](const QPoint& pos) {
        if (!m_table->indexAt(pos).isValid())
            return;
        QMenu menu(this);
        menu.addAction(m_muteAction);
        menu.addAction(m_falsePositive->text(), this, &IncidentsView::markSelectedFalsePositive);
        menu.exec(m_table->viewport()->mapToGlobal(pos));
    });
    connect(m_table->selectionModel(), &QItemSelectionModel::currentRowChanged, this, &IncidentsView::onCurrentChanged);
    connect(m_evidenceTable->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
            [this](const QModelIndex& current) {
                if (const qint64 row = current.data(RowIdRole).toLongLong(); row > 0)
                    m_eventDetail->setEvent(row);
            });
    connect(m_evidenceTable, &QTableView::doubleClicked, this, [this](const QModelIndex& index) {
        if (const EventSummary* e = m_evidence->summaryAt(index.row())) {
            EventQuery q;
            q.threadId = e->threadId;
            q.ascending = true;
            Q_EMIT openEvents(q);
        }
    });

    connect(&m_bridge, &EngineBridge::incidentsLoaded, this,
            [this](quint64 token, const QVector<IncidentSummary>& rows) {
                if (token != m_listToken)
                    return;
                m_listToken = 0;
                m_loaded = rows;
                m_listLoaded = true;
                showIncidents();
                Q_EMIT incidentsReloaded();
            });
    connect(&m_bridge, &EngineBridge::muteRulesChanged, this, [this] { reload(); });
    connect(&m_bridge, &EngineBridge::incidentDetailReady, this,
            [this](quint64 token, const IncidentDetail& detail) {
                if (token != m_detailToken)
                    return;
                m_detailToken = 0;
                showDetail(detail);
            });
    connect(&m_bridge, &EngineBridge::incidentsChanged, this, [this] { reload(); });
    connect(&m_bridge, &EngineBridge::databaseOpened, this, [this] {
        m_current = 0;
        m_listLoaded = false; // another database: its first list is on its way
        reload();
    });
    connect(&m_bridge, &EngineBridge::storeChanged, this, [this] { reload(); });
    connect(&m_bridge, &EngineBridge::vocabularyReady, this,
            [this](quint64, const QStringList& agents, const QStringList&) {
                for (const QString& a : agents)
                    if (m_agentFilter->findData(a) < 0)
                        m_agentFilter->addItem(a, a);
            });
    if (m_bridge.isOpen())
        reload();
}

void IncidentsView::showIncidents()
{
    QVector<IncidentSummary> rows;
    rows.reserve(m_loaded.size());
    m_mutedIncidents = 0;
    for (const IncidentSummary& i : std::as_const(m_loaded)) {
        if (i.muted()) {
            ++m_mutedIncidents;
            if (!m_showMuted->isChecked())
                continue;
        }
        rows.push_back(i);
    }
    m_mutedCount->setText(m_mutedIncidents == 0 ? QString()
                          : m_showMuted->isChecked()
                              ? tr("%L1 muted, listed in grey").arg(m_mutedIncidents)
                              : tr("%L1 muted, hidden").arg(m_mutedIncidents));
    const qint64 keep = m_pendingSelect ? m_pendingSelect : m_current;
    QList<qint64> selected;
    for (const IncidentSummary& i : selectedIncidents())
        selected << i.id;
    m_model->setIncidents(rows);
    if (!m_listLoaded) {
        // Until the first list arrives there is nothing to count: say so, not "0 incidents".
        m_count->setText(tr("Loading incidents…"));
        m_placeholder->setMessage(tr("Loading incidents…"));
        return;
    }
    m_count->setText(tr("%L1 incidents").arg(rows.size()));
    m_placeholder->setMessage(m_mutedIncidents > 0 && !m_showMuted->isChecked()
                                  ? tr("Every matching incident is muted. \"Show muted\" lists them.")
                                  : tr("No incidents match the filters."));
    for (qint64 id : selected) {
        const int row = m_model->rowOf(id);
        if (row >= 0)
            m_table->selectionModel()->select(m_proxy->mapFromSource(m_model->index(row, 0)),
                                              QItemSelectionModel::Select | QItemSelectionModel::Rows);
    }
    if (keep) {
        const int row = m_model->rowOf(keep);
        if (row >= 0) {
            m_pendingSelect = 0;
            const QModelIndex idx = m_proxy->mapFromSource(m_model->index(row, 0));
            m_table->selectionModel()->setCurrentIndex(
                idx, selected.isEmpty() ? QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows
                                        : QItemSelectionModel::NoUpdate);
        }
    }
}

IncidentQuery IncidentsView::query() const
{
    IncidentQuery q;
    q.text = m_search->text();
    q.statuses = m_statusFilter->currentData().toStringList();
    if (const int sev = m_severityFilter->currentData().toInt(); sev >= 10)
        q.severity = sev - 10;
    else
        q.minSeverity = sev;
    q.category = m_categoryFilter->currentData().toString();
    q.layer = m_layerFilter->currentData().toInt();
    q.agent = m_agentFilter->currentData().toString();
    if (const int secs = m_timeFilter->currentData().toInt(); secs > 0)
        q.fromMs = QDateTime::currentMSecsSinceEpoch() - qint64(secs) * 1000;
    return q;
}

void IncidentsView::applyQuery(const IncidentQuery& q)
{
    m_search->setText(q.text);
    int s = m_statusFilter->findData(q.statuses);
    m_statusFilter->setCurrentIndex(s >= 0 ? s : 1);
    const int sev = q.severity == 3 ? 3 : q.severity >= 0 ? 10 + q.severity : q.minSeverity;
    m_severityFilter->setCurrentIndex(std::max(0, m_severityFilter->findData(sev)));
    m_categoryFilter->setCurrentIndex(std::max(0, m_categoryFilter->findData(q.category)));
    if (!q.category.isEmpty() && m_categoryFilter->findData(q.category) < 0) {
        m_categoryFilter->addItem(q.category, q.category);
        m_categoryFilter->setCurrentIndex(m_categoryFilter->count() - 1);
    }
    m_layerFilter->setCurrentIndex(std::max(0, m_layerFilter->findData(q.layer)));
    if (!q.agent.isEmpty() && m_agentFilter->findData(q.agent) < 0)
        m_agentFilter->addItem(q.agent, q.agent);
    m_agentFilter->setCurrentIndex(std::max(0, m_agentFilter->findData(q.agent)));
    m_timeFilter->setCurrentIndex(0);
    reload();
}

void IncidentsView::reload()
{
    m_debounce->stop();
    m_bridge.cancel(m_listToken);
    m_listToken = m_bridge.loadIncidents(query());
    if (!m_listLoaded && m_listToken != 0) {
        m_count->setText(tr("Loading incidents…"));
        m_placeholder->setMessage(tr("Loading incidents…"));
    }
}

void IncidentsView::selectIncident(qint64 id)
{
    const int row = m_model->rowOf(id);
    if (row < 0) {
        m_pendingSelect = id; // after the reload in flight
        return;
    }
    m_table->selectionModel()->setCurrentIndex(m_proxy->mapFromSource(m_model->index(row, 0)),
                                               QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
}

QVector<IncidentSummary> IncidentsView::selectedIncidents() const
{
    QVector<IncidentSummary> out;
    for (const QModelIndex& idx : m_table->selectionModel()->selectedRows())
        if (const IncidentSummary* i = m_model->incidentAt(m_proxy->mapToSource(idx).row()))
            out.push_back(*i);
    std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.id < b.id; });
    return out;
}

void IncidentsView::onCurrentChanged()
{
    const QModelIndex current = m_table->currentIndex();
    const qint64 id = current.isValid() ? m_proxy->mapToSource(current).data(IncidentsModel::IdRole).toLongLong() : 0;
    if (id == m_current) {
        // The same incident after a reload: refresh what is shown unless the user is typing.
        if (id && !formDirty())
            m_detailToken = m_bridge.loadIncidentDetail(id);
        return;
    }
    m_current = id;
    m_bridge.cancel(m_detailToken);
    m_detailToken = 0;
    if (!id) {
        setFormEnabled(false);
        return;
    }
    m_shown = IncidentSummary{};
    m_detailToken = m_bridge.loadIncidentDetail(id);
}

bool IncidentsView::formDirty() const
{
    if (!m_shown.id)
        return false;
    return m_status->currentData().toString() != m_shown.status || m_assignee->text() != m_shown.assignee ||
           m_notes->toPlainText() != m_shown.notes;
}

void IncidentsView::setFormEnabled(bool enabled)
{
    for (QWidget* w : std::initializer_list<QWidget*>{m_status, m_assignee, m_notes, m_save})
        w->setEnabled(enabled);
    if (!enabled) {
        m_title->setText(tr("Select an incident."));
        m_facts->clear();
        m_evidence->setEvents({});
        m_timeline->clear();
        m_eventDetail->clear();
    }
}

void IncidentsView::showFacts(const IncidentSummary& i)
{
    m_factsOf = i;
    const QColor sev = Theme::instance().findingSeverityColor(i.severity);
    m_facts->setText(tr("<span style='color:%1;font-weight:600'>%2</span> · %3 · rule <b>%4</b> · %5<br>"
                        "agent <b>%6</b> · thread %7 · %L8 findings<br>first %9 · last %10")
                         .arg(sev.name(), findingSeverityName(i.severity), i.category.toHtmlEscaped(),
                              i.rule.toHtmlEscaped(), maestroLayerNames().value(i.layer - 1),
                              i.agent.toHtmlEscaped(), i.threadId.toHtmlEscaped())
                         .arg(i.findings)
                         .arg(formatTimestamp(i.firstMs), formatTimestamp(i.lastMs)) +
                     (i.mutedFindings > 0
                          ? QStringLiteral("<br>") +
                                (i.muted() ? (i.mutedFindings == 1 ? tr("Its finding is muted")
                                                                   : tr("All %L1 findings are muted").arg(i.mutedFindings)) +
                                                 tr(" by a suppression rule: the incident leaves counts and alerts "
                                                    "while the rule is in force.")
                                           : (i.mutedFindings == 1 ? tr("1 more finding is muted")
                                                                   : tr("%L1 more findings are muted").arg(i.mutedFindings)) +
                                                 tr(" by a suppression rule."))
                          : QString()));
}

void IncidentsView::showDetail(const IncidentDetail& d)
{
    if (!d.found) {
        setFormEnabled(false);
        return;
    }
    const IncidentSummary& i = d.incident;
    setFormEnabled(true);
    m_title->setText(QStringLiteral("#%1  %2").arg(i.id).arg(i.title.toHtmlEscaped()));
    showFacts(i);
    if (!formDirty() || m_shown.id != i.id) {
        m_status->setCurrentIndex(std::max(0, m_status->findData(i.status)));
        m_assignee->setText(i.assignee);
        m_notes->setPlainText(i.notes);
        m_shown = i;
    }
    const qint64 selectedEvent = m_eventDetail->rowId();
    m_evidence->setEvents(d.evidence);
    int select = d.evidence.isEmpty() ? -1 : 0; // the first evidence unless one was chosen
    for (int r = 0; r < d.evidence.size(); ++r)
        if (d.evidence[r].rowId == selectedEvent)
            select = r;
    if (select >= 0)
        m_evidenceTable->selectRow(select);

    // Timeline: the findings as they arrived and every review change, oldest first.
    struct Entry
    {
        qint64 ms;
        QString what;
        QString who;
    };
    std::vector<Entry> entries;
    for (const EventSummary& e : d.evidence) {
        QStringList cats;
        for (int b = 0; b < categoryNames().size(); ++b)
            if (e.findingMask & (1u << b))
                cats << categoryNames().at(b);
        entries.push_back({e.timestampMs, tr("%1 event (%2)").arg(e.eventType, cats.join(QStringLiteral(", "))), e.agent});
    }
    for (const IncidentHistoryEntry& h : d.history)
        entries.push_back({h.timestampMs,
                           tr("%1: %2 → %3").arg(h.field, h.oldValue.isEmpty() ? tr("(empty)") : h.oldValue,
                                                 h.newValue.isEmpty() ? tr("(empty)") : h.newValue),
                           h.actor});
    std::stable_sort(entries.begin(), entries.end(), [](const Entry& a, const Entry& b) { return a.ms < b.ms; });
    m_timeline->clear();
    for (const Entry& e : entries) {
        auto* item = new QTreeWidgetItem(m_timeline, {formatTimestamp(e.ms), e.what, e.who});
        item->setToolTip(1, e.what);
    }
    m_timeline->resizeColumnToContents(0);
    m_timeline->resizeColumnToContents(2);
    Q_EMIT detailLoaded(i.id);
}

void IncidentsView::muteCurrent()
{
    const QModelIndex current = m_table->currentIndex();
    if (!current.isValid())
        return;
    const IncidentSummary* i = m_model->incidentAt(m_proxy->mapToSource(current).row());
    if (!i)
        return;
    MuteRuleData prefill;
    prefill.rule = i->rule;
    prefill.agent = i->agent;
    // The field of the finding shown below, offered unchecked: an incident spans fields.
    if (const EventDetail& e = m_eventDetail->detail(); !e.findings.isEmpty())
        for (const FindingInfo& f : e.findings)
            if (f.rule == i->rule) {
                prefill.field = f.field;
                break;
            }
    MuteDialog::ask(this, m_bridge, prefill, false);
}

void IncidentsView::showMuteRules()
{
    if (auto* open = findChild<MuteRulesDialog*>()) {
        open->raise();
        open->activateWindow();
        return;
    }
    auto* dialog = new MuteRulesDialog(m_bridge, this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->show();
}

void IncidentsView::saveReview()
{
    if (!m_current)
        return;
    IncidentChange change;
    const QString status = m_status->currentData().toString();
    if (status != m_shown.status)
        change.status = status;
    if (m_assignee->text() != m_shown.assignee)
        change.assignee = m_assignee->text();
    if (m_notes->toPlainText() != m_shown.notes)
        change.notes = m_notes->toPlainText();
    if (!change.status && !change.assignee && !change.notes)
        return;
    m_shown.status = status;
    m_shown.assignee = m_assignee->text();
    m_shown.notes = m_notes->toPlainText();
    m_bridge.updateIncidents({m_current}, change);
}

void IncidentsView::markSelectedFalsePositive()
{
    QVector<qint64> ids;
    for (const IncidentSummary& i : selectedIncidents())
        if (i.status != u"false_positive")
            ids << i.id;
    if (ids.isEmpty())
        return;
    IncidentChange change;
    change.status = QStringLiteral("false_positive");
    m_bridge.updateIncidents(ids, change);
}

bool IncidentsView::writeExport(const QString& path, bool json, QString* error) const
{
    QVector<IncidentSummary> rows = selectedIncidents();
    if (rows.isEmpty())
        rows = m_model->incidents();
    QSaveFile f(path);
    if (!f.open(QIODevice::WriteOnly)) {
        if (error)
            *error = f.errorString();
        return false;
    }
    f.write(json ? incidentsToJson(rows) : incidentsToCsv(rows));
    if (!f.commit()) {
        if (error)
            *error = f.errorString();
        return false;
    }
    return true;
}

void IncidentsView::exportData(QWidget* dialogParent)
{
    QString selected;
    const QString path = QFileDialog::getSaveFileName(
        dialogParent, tr("Export incidents"),
        QStandardPaths::writableLocation(QStandardPaths::DocumentsLocation) + QStringLiteral("/incidents.csv"),
        tr("CSV (*.csv);;JSON (*.json)"), &selected);
    if (path.isEmpty())
        return;
    const bool json = path.endsWith(QStringLiteral(".json"), Qt::CaseInsensitive) || selected.startsWith(u'J');
    QString error;
    if (!writeExport(path, json, &error))
        QMessageBox::warning(dialogParent, tr("Export failed"), tr("Cannot write %1: %2").arg(path, error));
}

void IncidentsView::layerNamesChanged()
{
    for (int l = 1; l <= 7; ++l)
        m_layerFilter->setItemText(m_layerFilter->findData(l), maestroLayerNames().at(l - 1));
    m_model->relabelLayers();
    if (m_factsOf.id)
        showFacts(m_factsOf);
}

void IncidentsView::focusSearch()
{
    m_search->setFocus(Qt::ShortcutFocusReason);
    m_search->selectAll();
}

void IncidentsView::saveState(QSettings& settings) const
{
    settings.setValue(QStringLiteral("splitter"), m_split->saveState());
    settings.setValue(QStringLiteral("header"), m_table->horizontalHeader()->saveState());
}

void IncidentsView::restoreState(QSettings& settings)
{
    m_split->restoreState(settings.value(QStringLiteral("splitter")).toByteArray());
    m_table->horizontalHeader()->restoreState(settings.value(QStringLiteral("header")).toByteArray());
}

} // namespace vigil::ui
