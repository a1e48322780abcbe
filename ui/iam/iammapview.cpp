// SPDX-License-Identifier: Apache-2.0
#include "iam/iammapview.h"

#include "bridge/enginebridge.h"
#include "common/csv.h"
#include "common/eventcolumns.h"
#include "common/eventdelegate.h"
#include "common/eventlistmodel.h"
#include "iam/permissioncelldelegate.h"
#include "iam/permissionmapmodel.h"
#include "iam/policydiffdialog.h"
#include "iam/serviceheaderview.h"
#include "theme.h"

#include <QComboBox>
#include <QDir>
#include <QDragEnterEvent>
#include <QDropEvent>
#include <QFileDialog>
#include <QFileInfo>
#include <QFontDatabase>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLocale>
#include <QMessageBox>
#include <QMimeData>
#include <QPainter>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSaveFile>
#include <QSettings>
#include <QScrollBar>
#include <QSplitter>
#include <QStackedWidget>
#include <QStandardPaths>
#include <QTabWidget>
#include <QTableView>
#include <QTreeWidget>
#include <QUrl>
#include <QVBoxLayout>

#include <algorithm>
#include <climits>

namespace vigil::ui {
namespace {

constexpr int kMaxCellEvents = 500;
constexpr int kMaxImageSide = 30000;
constexpr qint64 kStaleMs = 30000;

QLabel* caption(const QString& text, QWidget* parent)
{
    auto* l = new QLabel(text, parent);
    l->setProperty("role", QStringLiteral("muted"));
    return l;
}

int clampInt(qint64 n)
{
    return int(std::min<qint64>(n, INT_MAX));
}

QString indent(const QString& text, int spaces)
{
    const QString pad(spaces, u' ');
    QStringList lines = text.split(u'\n');
    for (QString& l : lines)
        l.prepend(pad);
    return lines.join(u'\n');
}

} // namespace

IamMapView::IamMapView(EngineBridge& bridge, QWidget* parent) : QWidget(parent), m_bridge(bridge)
{
    setObjectName(QStringLiteral("iamMapView"));
    setAcceptDrops(true);
    m_model = new PermissionMapModel(this);
    m_events = new EventListModel(this);

    auto* layout = new QVBoxLayout(this);
    auto* bar = new QHBoxLayout;
    m_policyLabel = new QLabel(this);
    m_policyLabel->setObjectName(QStringLiteral("iamPolicySource"));
    m_policyLabel->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_policyLabel->setTextFormat(Qt::RichText);
    m_loadButton = new QPushButton(tr("&Load Policies…"), this);
    m_loadButton->setObjectName(QStringLiteral("iamLoadPolicies"));
    m_loadButton->setToolTip(tr("Load or replace the IAM policy file; you see what changes before it applies. "
                                "You can also drop a .json file on this view."));
    m_agentFilter = new QComboBox(this);
    m_agentFilter->setObjectName(QStringLiteral("iamAgentFilter"));
    m_agentFilter->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    m_agentFilter->addItem(tr("All agents"), QString());
    m_serviceFilter = new QComboBox(this);
    m_serviceFilter->setObjectName(QStringLiteral("iamServiceFilter"));
    m_serviceFilter->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    m_serviceFilter->addItem(tr("All services"), QString());
    auto* agentLabel = new QLabel(tr("A&gent"), this);
    agentLabel->setBuddy(m_agentFilter);
    auto* serviceLabel = new QLabel(tr("Ser&vice"), this);
    serviceLabel->setBuddy(m_serviceFilter);
    auto* refresh = new QPushButton(tr("&Refresh"), this);
    refresh->setObjectName(QStringLiteral("iamRefresh"));
    refresh->setToolTip(tr("Read the observed use from the database again"));
    auto* exportCsv = new QPushButton(tr("Export &CSV…"), this);
    exportCsv->setObjectName(QStringLiteral("iamExportCsv"));
    auto* exportPng = new QPushButton(tr("Export &PNG…"), this);
    exportPng->setObjectName(QStringLiteral("iamExportPng"));
    bar->addWidget(m_policyLabel, 1);
    bar->addWidget(m_loadButton);
    bar->addSpacing(12);
    bar->addWidget(agentLabel);
    bar->addWidget(m_agentFilter);
    bar->addWidget(serviceLabel);
    bar->addWidget(m_serviceFilter);
    bar->addSpacing(12);
    bar->addWidget(refresh);
    bar->addWidget(exportCsv);
    bar->addWidget(exportPng);
    layout->addLayout(bar);

    auto* legendRow = new QHBoxLayout;
    legendRow->addWidget(new PermissionLegend(this), 1);
    m_summary = caption(QString(), this);
    m_summary->setObjectName(QStringLiteral("iamSummary"));
    legendRow->addWidget(m_summary);
    layout->addLayout(legendRow);

    m_stack = new QStackedWidget(this);
    // Until the first map arrives, the view cannot know whether a policy file is loaded.
    m_placeholder = new QLabel(tr("Loading the IAM map…"), m_stack);
    m_placeholder->setObjectName(QStringLiteral("iamPlaceholder"));
    m_placeholder->setAlignment(Qt::AlignCenter);
    m_placeholder->setWordWrap(true);
    m_stack->addWidget(m_placeholder);

    m_split = new QSplitter(Qt::Horizontal, m_stack);
    m_grid = new QTableView(m_split);
    m_grid->setObjectName(QStringLiteral("iamGrid"));
    m_grid->setHorizontalHeader(new ServiceHeaderView(m_grid));
    m_grid->setModel(m_model);
    m_grid->setItemDelegate(new PermissionCellDelegate(m_grid));
    m_grid->setSelectionMode(QAbstractItemView::SingleSelection);
    m_grid->setSelectionBehavior(QAbstractItemView::SelectItems);
    m_grid->setShowGrid(false);
    m_grid->setWordWrap(false);
    m_grid->setTabKeyNavigation(false);
    m_grid->setCornerButtonEnabled(false);
    m_grid->setMouseTracking(true);
    m_grid->verticalHeader()->setSectionResizeMode(QHeaderView::Fixed);
    m_grid->verticalHeader()->setDefaultSectionSize(m_grid->fontMetrics().height() + 14);
    m_grid->verticalHeader()->setDefaultAlignment(Qt::AlignLeft | Qt::AlignVCenter);
    m_grid->setAccessibleName(tr("Permission map: agents by actions"));

    m_tabs = new QTabWidget(m_split);
    m_tabs->setObjectName(QStringLiteral("iamDetailTabs"));
    auto* cellPage = new QWidget(m_tabs);
    auto* cl = new QVBoxLayout(cellPage);
    m_cellTitle = new QLabel(cellPage);
    m_cellTitle->setObjectName(QStringLiteral("iamCellTitle"));
    m_cellTitle->setProperty("role", QStringLiteral("heading"));
    m_cellTitle->setWordWrap(true);
    m_cellFacts = new QLabel(cellPage);
    m_cellFacts->setObjectName(QStringLiteral("iamCellFacts"));
    m_cellFacts->setWordWrap(true);
    m_cellFacts->setTextInteractionFlags(Qt::TextSelectableByMouse);
    cl->addWidget(m_cellTitle);
    cl->addWidget(m_cellFacts);
    auto* detailSplit = new QSplitter(Qt::Vertical, cellPage);
    m_entries = new QTreeWidget(detailSplit);
    m_entries->setObjectName(QStringLiteral("iamCellEntries"));
    m_entries->setRootIsDecorated(false);
    m_entries->setUniformRowHeights(true);
    m_entries->setHeaderLabels({tr("Decision"), tr("Resource"), tr("Events"), tr("Statement")});
    m_entries->setToolTip(tr("The entries of the cell: grants of the role and observed actions"));
    auto* statementsBox = new QWidget(detailSplit);
    auto* sl = new QVBoxLayout(statementsBox);
    sl->setContentsMargins(0, 4, 0, 0);
    sl->addWidget(caption(tr("Why: the deciding statements"), statementsBox));
    m_statements = new QPlainTextEdit(statementsBox);
    m_statements->setObjectName(QStringLiteral("iamStatements"));
    m_statements->setReadOnly(true);
    m_statements->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    m_statements->setLineWrapMode(QPlainTextEdit::NoWrap);
    sl->addWidget(m_statements);
    auto* eventsBox = new QWidget(detailSplit);
    auto* el = new QVBoxLayout(eventsBox);
    el->setContentsMargins(0, 4, 0, 0);
    el->addWidget(caption(tr("Events behind it (Enter or double-click opens one in the Events view)"), eventsBox));
    m_eventsTable = new QTableView(eventsBox);
    m_eventsTable->setObjectName(QStringLiteral("iamCellEvents"));
    m_eventsTable->setModel(m_events);
    m_eventsTable->setItemDelegate(new EventDelegate(m_eventsTable));
    m_eventsTable->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_eventsTable->setSelectionMode(QAbstractItemView::SingleSelection);
    m_eventsTable->setTabKeyNavigation(false);
    m_eventsTable->verticalHeader()->hide();
    m_eventsTable->verticalHeader()->setDefaultSectionSize(m_eventsTable->fontMetrics().height() + 8);
    m_eventsTable->horizontalHeader()->setStretchLastSection(true);
    m_eventsTable->setColumnWidth(ColTime, 180);
    m_eventsTable->setColumnHidden(ColThread, true);
    el->addWidget(m_eventsTable);
    detailSplit->setStretchFactor(0, 2);
    detailSplit->setStretchFactor(1, 3);
    detailSplit->setStretchFactor(2, 3);
    cl->addWidget(detailSplit, 1);
    m_tabs->addTab(cellPage, tr("Ce&ll"));

    auto* reviewPage = new QSplitter(Qt::Vertical, m_tabs);
    m_review = new QTreeWidget(reviewPage);
    m_review->setObjectName(QStringLiteral("iamReview"));
    m_review->setRootIsDecorated(false);
    m_review->setUniformRowHeights(true);
    m_review->setHeaderLabels({tr("Severity"), tr("Kind"), tr("Subject"), tr("Finding")});
    m_reviewDetail = new QPlainTextEdit(reviewPage);
    m_reviewDetail->setObjectName(QStringLiteral("iamReviewDetail"));
    m_reviewDetail->setReadOnly(true);
    m_reviewDetail->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    reviewPage->setStretchFactor(0, 3);
    reviewPage->setStretchFactor(1, 2);
    m_tabs->addTab(reviewPage, tr("Least-Privilege &Review"));

    m_split->setStretchFactor(0, 3);
    m_split->setStretchFactor(1, 2);
    m_split->setSizes({600, 400}); // scaled to the room there is; restoreState() may override
    m_stack->addWidget(m_split);
    layout->addWidget(m_stack, 1);
    setTabOrder(m_serviceFilter, m_grid);
    setTabOrder(m_grid, m_tabs);
    setFocusProxy(m_grid);

    // ---- behaviour ----
    connect(m_loadButton, &QPushButton::clicked, this, &IamMapView::choosePolicyFile);
    connect(refresh, &QPushButton::clicked, this, &IamMapView::reload);
    connect(exportCsv, &QPushButton::clicked, this, [this] {
        const QString path = QFileDialog::getSaveFileName(
            this, tr("Export the permission map"),
            QStandardPaths::writableLocation(QStandardPaths::DocumentsLocation) + QStringLiteral("/iam-map.csv"),
            tr("CSV (*.csv)"));
        QString error;
        if (!path.isEmpty() && !writeCsv(path, &error))
            QMessageBox::warning(this, tr("Export failed"), error);
    });
    connect(exportPng, &QPushButton::clicked, this, [this] {
        const QString path = QFileDialog::getSaveFileName(
            this, tr("Export the permission map as an image"),
            QStandardPaths::writableLocation(QStandardPaths::PicturesLocation) + QStringLiteral("/iam-map.png"),
            tr("PNG image (*.png)"));
        QString error;
        if (!path.isEmpty() && !writePng(path, &error))
            QMessageBox::warning(this, tr("Export failed"), error);
    });
    connect(m_agentFilter, &QComboBox::activated, this, &IamMapView::applyFilters);
    connect(m_serviceFilter, &QComboBox::activated, this, &IamMapView::applyFilters);
    connect(m_grid->selectionModel(), &QItemSelectionModel::currentChanged, this,
            [this](const QModelIndex& current) { showCell(current); });
    connect(m_grid, &QTableView::activated, this, [this] {
        if (m_entries->topLevelItemCount() > 0) {
            m_tabs->setCurrentIndex(0);
            m_entries->setFocus(Qt::OtherFocusReason);
        }
    });
    connect(m_entries, &QTreeWidget::currentItemChanged, this, [this](QTreeWidgetItem* item) {
        if (item)
            showEntries({item->data(0, Qt::UserRole).toInt()});
    });
    connect(m_eventsTable, &QTableView::activated, this, [this](const QModelIndex& index) {
        if (const EventSummary* e = m_events->summaryAt(index.row())) {
            EventQuery q;
            q.agent = e->agent;
            q.eventType = e->eventType;
            q.fromMs = e->timestampMs;
            q.toMs = e->timestampMs;
            q.ascending = true;
            Q_EMIT openEvents(q);
        }
    });
    connect(m_review, &QTreeWidget::currentItemChanged, this, [this](QTreeWidgetItem* item) {
        const int i = item ? item->data(0, Qt::UserRole).toInt() : -1;
        const auto& review = m_model->map().review;
        if (i < 0 || i >= review.size()) {
            m_reviewDetail->clear();
            return;
        }
        const IamReviewEntry& e = review[i];
        QString text = e.text;
        if (!e.statementLabel.isEmpty())
            text += QStringLiteral("\n\n") + e.statementLabel + u'\n' + e.statementJson;
        m_reviewDetail->setPlainText(text);
    });
    connect(m_review, &QTreeWidget::itemActivated, this, [this](QTreeWidgetItem* item) {
        const int i = item->data(0, Qt::UserRole).toInt();
        const auto& review = m_model->map().review;
        if (i < 0 || i >= review.size() || review[i].agent.isEmpty())
            return;
        const int at = m_agentFilter->findData(review[i].agent);
        if (at >= 0) {
            m_agentFilter->setCurrentIndex(at);
            applyFilters();
        }
    });

    connect(&m_bridge, &EngineBridge::iamMapReady, this, &IamMapView::onMap);
    connect(&m_bridge, &EngineBridge::iamPoliciesChecked, this, &IamMapView::onPolicyCheck);
    connect(&m_bridge, &EngineBridge::iamPoliciesChanged, this, [this] { reload(); });
    connect(&m_bridge, &EngineBridge::databaseOpened, this, [this] { reload(); });
    connect(&m_bridge, &EngineBridge::storeChanged, this, [this] { reload(); });
    connect(&m_bridge, &EngineBridge::importFinished, this, [this] { reload(); });
    connect(&m_bridge, &EngineBridge::demoLoaded, this, [this] { reload(); });
    connect(&m_bridge, &EngineBridge::iamEventsLoaded, this, [this](quint64 token, const QVector<EventSummary>& rows) {
        if (token != m_eventsToken)
            return;
        m_eventsToken = 0;
        m_events->setEvents(rows);
        Q_EMIT cellEventsShown(int(rows.size()));
    });
    connect(&Theme::instance(), &Theme::changed, this, [this] { m_grid->viewport()->update(); });

    showCell({});
    reload();
}

PolicyDiffDialog* IamMapView::diffDialog() const
{
    return m_diffDialog;
}

QMessageBox* IamMapView::policyError() const
{
    return m_policyError;
}

void IamMapView::reload()
{
    m_bridge.cancel(m_mapToken);
    m_mapToken = m_bridge.loadIamMap();
}

void IamMapView::onMap(quint64 token, const IamMapData& map)
{
    if (token != m_mapToken)
        return;
    m_mapToken = 0;
    m_loaded.restart();
    const QString agent = m_currentAgent, action = m_currentAction;
    m_model->setMap(map);
    fillFilters();
    m_grid->resizeColumnsToContents();
    m_placeholder->setText(tr("No IAM policy file is loaded.\n\nLoad one with File > Load IAM Policies… or "
                              "drop a .json policy file here."));
    m_stack->setCurrentIndex(map.hasPolicies ? 1 : 0);
    m_policyLabel->setText(map.hasPolicies
                               ? tr("Policies: <b>%1</b>").arg(QDir::toNativeSeparators(map.policySource).toHtmlEscaped())
                               : tr("No IAM policy file loaded"));
    m_policyLabel->setToolTip(map.policySource);
    fillReview();
    updateSummary();
    // A refreshed map keeps the current cell and the grid's scroll position.
    bool shown = !agent.isEmpty() && selectCell(agent, action, false);
    if (!shown && !m_autoSelected && m_model->rowCount() > 0) {
        // First map: open the most telling cell, an observed denial if there is one.
        QModelIndex best;
        int bestRank = INT_MAX;
        for (int r = 0; r < m_model->rowCount(); ++r)
            for (int c = 0; c < m_model->columnCount(); ++c) {
                const auto* cell = m_model->cellAt(m_model->index(r, c));
                if (!cell || cell->primary < 0)
                    continue;
                const int k = PermissionMapModel::rank(static_cast<IamCellState>(cell->primary), cell->primaryObserved);
                if (k < bestRank) {
                    bestRank = k;
                    best = m_model->index(r, c);
                }
            }
        if (best.isValid()) {
            m_autoSelected = true;
            // The detail pane shows that cell; the grid still opens at its first column,
            // not scrolled to wherever the cell happens to be.
            shown = selectCell(m_model->agentAt(best.row()), m_model->columnAt(best.column())->action, false);
        }
    }
    if (!shown)
        showCell({});
    Q_EMIT mapShown();
}

void IamMapView::fillFilters()
{
    const QString agent = m_model->agentFilter();
    const QString service = m_model->serviceFilter();
    m_agentFilter->clear();
    m_agentFilter->addItem(tr("All agents"), QString());
    for (const QString& a : m_model->allAgents())
        m_agentFilter->addItem(a, a);
    m_agentFilter->setCurrentIndex(std::max(0, m_agentFilter->findData(agent)));
    m_serviceFilter->clear();
    m_serviceFilter->addItem(tr("All services"), QString());
    for (const QString& s : m_model->allServices())
        m_serviceFilter->addItem(s, s);
    m_serviceFilter->setCurrentIndex(std::max(0, m_serviceFilter->findData(service)));
}

void IamMapView::applyFilters()
{
    const QString agent = m_currentAgent, action = m_currentAction;
    m_model->setAgentFilter(m_agentFilter->currentData().toString());
    m_model->setServiceFilter(m_serviceFilter->currentData().toString());
    m_grid->resizeColumnsToContents();
    updateSummary();
    if (agent.isEmpty() || !selectCell(agent, action))
        showCell({});
}

void IamMapView::updateSummary()
{
    const IamMapData& m = m_model->map();
    if (!m.hasPolicies) {
        m_summary->clear();
        return;
    }
    QString text = tr("%n agent(s) × %1 action(s)", nullptr, m_model->rowCount()).arg(m_model->columnCount());
    if (m.observedFromDatabase)
        text += tr(" · observed: %L1 IAM uses in %L2 events").arg(m.observedUses).arg(m.observedEvents);
    else
        text += tr(" · no observed use (no database)");
    if (m.droppedUses > 0)
        text += tr(" · %L1 uses beyond the limit not shown").arg(m.droppedUses);
    if (!m.error.isEmpty())
        text += QStringLiteral(" · ") + m.error;
    m_summary->setText(text);
}

void IamMapView::fillReview()
{
    m_review->clear();
    m_reviewDetail->clear();
    const auto& review = m_model->map().review;
    for (int i = 0; i < review.size(); ++i) {
        const IamReviewEntry& e = review[i];
        QString subject = !e.agent.isEmpty() ? e.agent : e.role;
        if (!e.statementLabel.isEmpty())
            subject = e.statementLabel;
        auto* item = new QTreeWidgetItem(m_review, {findingSeverityName(e.severity), e.kind, subject, e.text});
        item->setData(0, Qt::UserRole, i);
        item->setForeground(0, Theme::instance().findingSeverityColor(e.severity));
        item->setToolTip(3, e.text);
        item->setToolTip(2, e.statementJson.isEmpty() ? subject : e.statementJson);
    }
    for (int c = 0; c < 3; ++c)
        m_review->resizeColumnToContents(c);
    m_tabs->setTabText(1, tr("Least-Privilege &Review (%1)").arg(review.size()));
}

bool IamMapView::selectCell(const QString& agent, const QString& action, bool scroll)
{
    const QModelIndex idx = m_model->indexOf(agent, action);
    if (!idx.isValid())
        return false;
    if (m_grid->currentIndex() == idx)
        showCell(idx);
    else if (scroll)
        m_grid->selectionModel()->setCurrentIndex(idx, QItemSelectionModel::ClearAndSelect);
    else {
        // Without the view's scroll to the new current index.
        const bool autoScroll = m_grid->hasAutoScroll();
        m_grid->setAutoScroll(false);
        m_grid->selectionModel()->setCurrentIndex(idx, QItemSelectionModel::ClearAndSelect);
        m_grid->setAutoScroll(autoScroll);
    }
    if (scroll)
        m_grid->scrollTo(idx);
    return true;
}

void IamMapView::showCell(const QModelIndex& index)
{
    m_entries->clear();
    const PermissionMapModel::Cell* cell = m_model->cellAt(index);
    if (!index.isValid()) {
        m_currentAgent.clear();
        m_currentAction.clear();
        m_cellTitle->setText(m_model->map().hasPolicies ? tr("Select a cell of the map.") : QString());
        m_cellFacts->clear();
        showEntries({});
        return;
    }
    m_currentAgent = m_model->agentAt(index.row());
    m_currentAction = m_model->columnAt(index.column())->action;
    m_cellTitle->setText(QStringLiteral("%1 · %2").arg(m_currentAgent.toHtmlEscaped(), m_currentAction.toHtmlEscaped()));
    const IamAgentInfo* info = m_model->agentInfo(m_currentAgent);
    QString facts = info && !info->role.isEmpty()
                        ? tr("role <b>%1</b>").arg(info->role.toHtmlEscaped()) +
                              (info->tier.isEmpty() ? QString() : tr(" · tier %1").arg(info->tier))
                        : tr("<b>no role</b> in the policy file");
    if (!cell) {
        m_cellFacts->setText(facts + tr("<br>No entry: the role neither grants nor denies this action, and the agent "
                                        "was not seen attempting it."));
        showEntries({});
        Q_EMIT cellShown(m_currentAgent, m_currentAction);
        return;
    }
    QStringList states;
    for (int s : cell->states)
        states << PermissionMapModel::glyph(static_cast<IamCellState>(s)) + u' ' +
                      PermissionMapModel::label(static_cast<IamCellState>(s));
    facts += tr(" · %n entry(s): ", nullptr, int(cell->entries.size())) + states.join(QStringLiteral(", ")).toHtmlEscaped() +
             tr(" · %n event(s)", nullptr, clampInt(cell->observed));
    m_cellFacts->setText(facts);
    const auto& rows = m_model->map().rows;
    // The entries of the state the chip shows first (denials seen before grants in use).
    QVector<int> ordered = cell->entries;
    std::stable_sort(ordered.begin(), ordered.end(), [&rows](int a, int b) {
        return PermissionMapModel::rank(rows[a].state, rows[a].observed) <
               PermissionMapModel::rank(rows[b].state, rows[b].observed);
    });
    for (int e : ordered) {
        const IamMapRow& r = rows[e];
        auto* item = new QTreeWidgetItem(m_entries, {PermissionMapModel::glyph(r.state) + u' ' + PermissionMapModel::label(r.state),
                                                     r.resource, QLocale().toString(r.observed),
                                                     r.statementLabel.isEmpty() ? tr("(none: implicit deny)") : r.statementLabel});
        item->setData(0, Qt::UserRole, e);
        item->setForeground(0, PermissionMapModel::fillColor(r.state, Theme::instance().isDark()));
        item->setToolTip(1, r.resource);
        item->setToolTip(3, r.statementLabel);
        item->setTextAlignment(2, Qt::AlignRight | Qt::AlignVCenter);
    }
    for (int c = 0; c < 3; ++c)
        m_entries->resizeColumnToContents(c);
    showEntries(ordered);
    Q_EMIT cellShown(m_currentAgent, m_currentAction);
}

void IamMapView::showEntries(const QVector<int>& entries)
{
    const auto& rows = m_model->map().rows;
    QStringList blocks;
    QVector<qint64> refs;
    for (int e : entries) {
        if (e < 0 || e >= rows.size())
            continue;
        const IamMapRow& r = rows[e];
        const IamAgentInfo* info = m_model->agentInfo(r.agent);
        const bool hasRole = info && !info->role.isEmpty();
        QString why;
        switch (r.state) {
        case IamCellState::AllowedUsed:
            why = r.fromPolicy ? tr("Granted by the role, and used.") : tr("Allowed by the statement below.");
            break;
        case IamCellState::AllowedUnused:
            why = tr("Granted by the role, but not used in the observed events: a candidate to remove.");
            break;
        case IamCellState::DeniedAttempted:
            why = hasRole ? tr("Attempted, but no statement of role %1 allows it: an implicit deny.").arg(info->role)
                          : tr("Attempted by an agent without a role in the policy file: an implicit deny.");
            break;
        case IamCellState::BoundaryBlocked:
            if (r.fromPolicy)
                why = r.statements.size() > 1 ? tr("The role grants it, but a Deny of the permission boundary voids the grant.")
                                              : tr("The role grants it, but no Allow of the permission boundary covers it: "
                                                   "the grant is dead.");
            else if (r.statementLabel == u"permission_boundary")
                why = tr("The role allows it, but no Allow of the permission boundary covers it.");
            else
                why = tr("A Deny of the permission boundary stopped it.");
            break;
        case IamCellState::ExplicitDeny:
            why = r.fromPolicy ? tr("A Deny of the role; its events are the attempts it stopped.")
                               : tr("Attempted, and stopped by a Deny of the role.");
            break;
        case IamCellState::Conditional:
            why = tr("Decided by a statement with a Condition, which Vigil shows but does not evaluate.");
            break;
        }
        QString block = QStringLiteral("%1 %2 — %3 on %4").arg(PermissionMapModel::glyph(r.state),
                                                                 PermissionMapModel::label(r.state), r.action, r.resource);
        block += tr(" (%n event(s))", nullptr, clampInt(r.observed));
        block += u'\n' + why;
        for (const IamStatement& s : r.statements) {
            const QString where = s.boundary ? tr("permission boundary") : tr("role %1").arg(s.policy);
            QString head = tr("%1, Statement[%2]").arg(where).arg(s.index);
            if (!s.sid.isEmpty())
                head += tr(", Sid %1").arg(s.sid);
            block += QStringLiteral("\n\n  ") + head + u'\n' + indent(s.json, 2);
        }
        blocks << block;
        // In the order of the entries, so that the events of the shown state come first.
        for (qint64 ref : r.eventRefs)
            if (refs.size() < kMaxCellEvents && !refs.contains(ref))
                refs << ref;
    }
    m_statements->setPlainText(blocks.join(QStringLiteral("\n\n") + QString(60, u'─') + QStringLiteral("\n\n")));
    m_bridge.cancel(m_eventsToken);
    m_eventsToken = 0;
    if (refs.isEmpty()) {
        m_events->setEvents({});
        Q_EMIT cellEventsShown(0);
        return;
    }
    m_eventsToken = m_bridge.loadIamEvents(refs);
}

void IamMapView::choosePolicyFile()
{
    const QString current = m_bridge.iamPolicySource();
    const QString dir = QFileInfo::exists(current) ? QFileInfo(current).absolutePath()
                                                   : QStandardPaths::writableLocation(QStandardPaths::HomeLocation);
    const QString path = QFileDialog::getOpenFileName(this, tr("Load IAM policies"), dir,
                                                      tr("IAM policy files (*.json);;All files (*)"));
    if (!path.isEmpty())
        loadPolicyFile(path);
}

void IamMapView::loadPolicyFile(const QString& path)
{
    m_bridge.cancel(m_checkToken);
    m_checkToken = m_bridge.checkIamPolicies(path);
}

void IamMapView::onPolicyCheck(quint64 token, const IamPolicyCheck& check)
{
    if (token != m_checkToken)
        return;
    m_checkToken = 0;
    if (m_diffDialog)
        m_diffDialog->reject();
    if (!check.ok) {
        if (m_policyError)
            m_policyError->close();
        auto* box = new QMessageBox(QMessageBox::Warning, tr("IAM policies refused"),
                                    tr("Vigil cannot use %1; the current policies stay.")
                                        .arg(QDir::toNativeSeparators(check.path)),
                                    QMessageBox::Ok, this);
        box->setObjectName(QStringLiteral("iamPolicyError"));
        box->setInformativeText(check.error);
        box->setAttribute(Qt::WA_DeleteOnClose);
        m_policyError = box;
        box->open();
        Q_EMIT policyCheckShown(false);
        return;
    }
    auto* dialog = new PolicyDiffDialog(check.diff, this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    m_diffDialog = dialog;
    connect(dialog, &QDialog::accepted, this, [this, token] {
        if (!m_bridge.applyIamPolicies(token))
            QMessageBox::warning(this, tr("IAM policies"), tr("The policy file could not be applied; load it again."));
    });
    dialog->open();
    Q_EMIT policyCheckShown(true);
}

QString IamMapView::droppedPolicyFile(const QMimeData* mime)
{
    if (!mime || !mime->hasUrls() || mime->urls().size() != 1)
        return {};
    const QUrl url = mime->urls().front();
    if (!url.isLocalFile() || !url.toLocalFile().endsWith(QStringLiteral(".json"), Qt::CaseInsensitive))
        return {};
    return url.toLocalFile();
}

void IamMapView::dragEnterEvent(QDragEnterEvent* event)
{
    if (!droppedPolicyFile(event->mimeData()).isEmpty())
        event->acceptProposedAction();
}

void IamMapView::dragMoveEvent(QDragMoveEvent* event)
{
    if (!droppedPolicyFile(event->mimeData()).isEmpty())
        event->acceptProposedAction();
}

void IamMapView::dropEvent(QDropEvent* event)
{
    const QString path = droppedPolicyFile(event->mimeData());
    if (path.isEmpty())
        return;
    event->acceptProposedAction();
    loadPolicyFile(path);
}

void IamMapView::showEvent(QShowEvent* event)
{
    QWidget::showEvent(event);
    if (m_mapToken == 0 && m_loaded.isValid() && m_loaded.elapsed() > kStaleMs)
        reload();
}

QByteArray IamMapView::csv() const
{
    QString out = csv::record({QStringLiteral("agent"), QStringLiteral("action"), QStringLiteral("resource"),
                               QStringLiteral("decision"), QStringLiteral("statement"), QStringLiteral("observed")});
    const auto& rows = m_model->map().rows;
    for (int e : m_model->visibleEntries()) {
        const IamMapRow& r = rows[e];
        out += csv::record({csv::cell(r.agent), csv::cell(r.action), csv::cell(r.resource),
                            csv::cell(iamCellStateName(r.state)), csv::cell(r.statementLabel), csv::number(r.observed)});
    }
    return out.toUtf8();
}

bool IamMapView::writeCsv(const QString& path, QString* error) const
{
    QSaveFile f(path);
    if (!f.open(QIODevice::WriteOnly) || f.write(csv()) < 0 || !f.commit()) {
        if (error)
            *error = tr("Cannot write %1: %2").arg(QDir::toNativeSeparators(path), f.errorString());
        return false;
    }
    return true;
}

QImage IamMapView::renderImage() const
{
    const bool dark = Theme::instance().isDark();
    const QPalette pal = m_grid->palette();
    const QFont font = m_grid->font();
    QFont bold = font;
    bold.setBold(true);
    QFont title = bold;
    title.setPointSizeF(font.pointSizeF() * 1.25);
    const QFontMetrics fm(font), bfm(bold), tfm(title);
    const int rows = m_model->rowCount(), cols = m_model->columnCount();
    const int margin = 16;
    const int band = fm.height() + 12;
    const int rowH = fm.height() + 14;
    int agentW = 0;
    for (int r = 0; r < rows; ++r)
        agentW = std::max(agentW, bfm.horizontalAdvance(m_model->headerData(r, Qt::Vertical).toString()));
    agentW += 24;
    QVector<int> colW(cols);
    int gridW = 0;
    for (int c = 0; c < cols; ++c) {
        int w = bfm.horizontalAdvance(m_model->headerData(c, Qt::Horizontal).toString()) + 20;
        for (int r = 0; r < rows; ++r)
            w = std::max(w, bfm.horizontalAdvance(m_model->index(r, c).data().toString()) + 20);
        colW[c] = std::max({w, 52, m_grid->columnWidth(c)});
        gridW += colW[c];
    }
    const int width = std::max(2 * margin + agentW + gridW, 640);
    const int titleH = tfm.height() + 6;
    const int legendH = PermissionLegend::paintLegend(nullptr, QPoint(margin, 0), width - 2 * margin, font, dark, {});
    const int gridTop = margin + titleH + 4 + legendH + 12;
    const int height = gridTop + 2 * band + rows * rowH + margin;
    if (width > kMaxImageSide || height > kMaxImageSide)
        return {};

    QImage img(width, height, QImage::Format_ARGB32_Premultiplied);
    img.fill(pal.color(QPalette::Base));
    QPainter p(&img);
    p.setRenderHint(QPainter::TextAntialiasing, true);
    const QColor text = pal.color(QPalette::Text);
    const QColor headerFill = pal.color(QPalette::Button);
    const QColor line = pal.color(QPalette::Mid);
    p.setFont(title);
    p.setPen(text);
    p.drawText(QRect(margin, margin, width - 2 * margin, titleH), Qt::AlignLeft | Qt::AlignVCenter,
               tr("IAM permission map — %1").arg(QDir::toNativeSeparators(m_model->map().policySource)));
    PermissionLegend::paintLegend(&p, QPoint(margin, margin + titleH + 4), width - 2 * margin, font, dark, text);

    // Header: service bands over action names.
    const int x0 = margin + agentW;
    int x = x0;
    auto* header = qobject_cast<ServiceHeaderView*>(m_grid->horizontalHeader());
    for (int c = 0; c < cols;) {
        const int last = header ? header->groupOf(c).second : c;
        int groupW = 0;
        for (int k = c; k <= last; ++k)
            groupW += colW[k];
        const QRect groupRect(x, gridTop, groupW, band);
        p.fillRect(groupRect, headerFill);
        p.setPen(line);
        p.drawRect(groupRect.adjusted(0, 0, -1, -1));
        p.setFont(bold);
        p.setPen(text);
        p.drawText(groupRect, Qt::AlignCenter, m_model->headerData(c, Qt::Horizontal, PermissionMapModel::ServiceRole).toString());
        for (int k = c; k <= last; ++k) {
            const QRect r(x, gridTop + band, colW[k], band);
            p.fillRect(r, headerFill);
            p.setPen(line);
            p.drawRect(r.adjusted(0, 0, -1, -1));
            p.setPen(text);
            p.drawText(r, Qt::AlignCenter, m_model->headerData(k, Qt::Horizontal).toString());
            x += colW[k];
        }
        c = last + 1;
    }
    // Rows: agent names and chips.
    for (int r = 0; r < rows; ++r) {
        const int y = gridTop + 2 * band + r * rowH;
        if (r % 2)
            p.fillRect(QRect(margin, y, agentW + gridW, rowH), pal.color(QPalette::AlternateBase));
        QFont agentFont = bold;
        agentFont.setItalic(m_model->headerData(r, Qt::Vertical, Qt::FontRole).isValid());
        p.setFont(agentFont);
        p.setPen(text);
        p.drawText(QRect(margin + 4, y, agentW - 8, rowH), Qt::AlignLeft | Qt::AlignVCenter,
                   m_model->headerData(r, Qt::Vertical).toString());
        int cx = x0;
        for (int c = 0; c < cols; ++c) {
            const QModelIndex idx = m_model->index(r, c);
            const int state = idx.data(PermissionMapModel::StateRole).toInt();
            if (state >= 0)
                PermissionCellDelegate::paintChip(&p, QRect(cx, y, colW[c], rowH).adjusted(3, 3, -3, -3),
                                                  static_cast<IamCellState>(state), idx.data().toString(), font, dark,
                                                  idx.data(PermissionMapModel::SecondaryStateRole).toInt());
            cx += colW[c];
        }
    }
    p.end();
    return img;
}

bool IamMapView::writePng(const QString& path, QString* error) const
{
    const QImage img = renderImage();
    if (img.isNull()) {
        if (error)
            *error = tr("The map is too large for one image; filter it by agent or service first.");
        return false;
    }
    QSaveFile f(path);
    if (!f.open(QIODevice::WriteOnly) || !img.save(&f, "PNG") || !f.commit()) {
        if (error)
            *error = tr("Cannot write %1: %2").arg(QDir::toNativeSeparators(path), f.errorString());
        return false;
    }
    return true;
}

void IamMapView::focusSearch()
{
    m_agentFilter->setFocus(Qt::ShortcutFocusReason);
}

bool IamMapView::canExport() const
{
    return m_model->map().hasPolicies;
}

void IamMapView::exportData(QWidget* dialogParent)
{
    QString selected;
    const QString path = QFileDialog::getSaveFileName(
        dialogParent, tr("Export the permission map"),
        QStandardPaths::writableLocation(QStandardPaths::DocumentsLocation) + QStringLiteral("/iam-map.csv"),
        tr("CSV (*.csv);;PNG image (*.png)"), &selected);
    if (path.isEmpty())
        return;
    const bool png = path.endsWith(QStringLiteral(".png"), Qt::CaseInsensitive) || selected.startsWith(u'P');
    QString error;
    if (!(png ? writePng(path, &error) : writeCsv(path, &error)))
        QMessageBox::warning(dialogParent, tr("Export failed"), error);
}

void IamMapView::saveState(QSettings& settings) const
{
    settings.setValue(QStringLiteral("split"), m_split->saveState());
}

void IamMapView::restoreState(QSettings& settings)
{
    m_split->restoreState(settings.value(QStringLiteral("split")).toByteArray());
}

} // namespace vigil::ui
