// SPDX-License-Identifier: Apache-2.0
#include "events/eventsview.h"

#include "bridge/enginebridge.h"
#include "common/eventcolumns.h"
#include "common/eventdelegate.h"
#include "common/eventdetailpane.h"
#include "common/eventfilterbar.h"
#include "common/eventtablemenu.h"
#include "common/exportdialog.h"
#include "events/eventsmodel.h"
#include "events/querybar.h"
#include "events/queryresultmodel.h"

#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QSettings>
#include <QShortcut>
#include <QSplitter>
#include <QStackedWidget>
#include <QTableView>
#include <QToolButton>
#include <QVBoxLayout>

namespace vigil::ui {

EventsView::EventsView(EngineBridge& bridge, QWidget* parent) : QWidget(parent), m_bridge(bridge)
{
    m_model = new EventsModel(bridge, this);
    auto* layout = new QVBoxLayout(this);
    m_queryBar = new QueryBar(bridge, this);
    layout->addWidget(m_queryBar);
    auto* top = new QHBoxLayout;
    m_filters = new EventFilterBar(this);
    auto* refresh = new QToolButton(this);
    refresh->setText(tr("Refresh"));
    refresh->setToolTip(tr("Load the newest events again (F5)"));
    refresh->setShortcut(QKeySequence::Refresh);
    m_count = new QLabel(this);
    m_count->setProperty("role", QStringLiteral("muted"));
    top->addWidget(m_filters, 1);
    top->addWidget(refresh);
    layout->addLayout(top);

    m_split = new QSplitter(Qt::Horizontal, this);
    m_tables = new QStackedWidget(m_split);
    m_table = new QTableView(m_tables);
    m_table->setObjectName(QStringLiteral("eventsTable"));
    m_table->setModel(m_model);
    m_table->setItemDelegate(new EventDelegate(m_table));
    new EventTableMenu(m_table, m_filters);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::SingleSelection);
    m_table->setAlternatingRowColors(true);
    m_table->setSortingEnabled(true);
    m_table->setWordWrap(false);
    m_table->verticalHeader()->hide();
    m_table->verticalHeader()->setDefaultSectionSize(m_table->fontMetrics().height() + 8);
    m_table->horizontalHeader()->setStretchLastSection(true);
    m_table->horizontalHeader()->setSortIndicator(ColTime, Qt::DescendingOrder);
    m_table->setColumnWidth(ColTime, 178);
    m_table->setColumnWidth(ColSeverity, 74);
    m_table->setColumnWidth(ColType, 140);
    m_table->setColumnWidth(ColAgent, 100);
    m_table->setColumnWidth(ColThread, 90);
    m_table->setColumnWidth(ColFindings, 110);
    m_tables->addWidget(m_table);
    m_resultModel = new QueryResultModel(this);
    m_results = new QTableView(m_tables);
    m_results->setObjectName(QStringLiteral("queryResultsTable"));
    m_results->setModel(m_resultModel);
    m_results->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_results->setSelectionMode(QAbstractItemView::SingleSelection);
    m_results->setAlternatingRowColors(true);
    m_results->setWordWrap(false);
    m_results->verticalHeader()->hide();
    m_results->verticalHeader()->setDefaultSectionSize(m_table->fontMetrics().height() + 8);
    m_results->horizontalHeader()->setStretchLastSection(true);
    m_tables->addWidget(m_results);
    m_detail = new EventDetailPane(bridge, m_split);
    m_split->setStretchFactor(0, 3);
    m_split->setStretchFactor(1, 2);
    m_split->setSizes({900, 520});
    layout->addWidget(m_split, 1);
    layout->addWidget(m_count);

    connect(m_filters, &EventFilterBar::queryChanged, this, [this] {
        EventQuery q = m_filters->query();
        q.ascending = m_model->query().ascending;
        if (m_queryActive) {
            leaveQuery();
            m_queryBar->clear(); // the filters decide the list now
        }
        m_model->setQuery(q);
    });
    connect(refresh, &QToolButton::clicked, this, [this] {
        if (m_queryActive)
            m_queryBar->run(); // the query again, with what arrived since
        else
            m_model->reload();
    });
    connect(m_queryBar, &QueryBar::resultReady, this, &EventsView::showQueryResult);
    connect(m_queryBar, &QueryBar::cleared, this, [this] {
        if (!m_queryActive)
            return;
        leaveQuery();
        m_model->reload();
    });
    connect(m_results->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
            [this](const QModelIndex& current) {
                const qint64 row = current.data(RowIdRole).toLongLong();
                if (row > 0)
                    m_detail->setEvent(row);
            });
    // Ctrl+L as in a browser's address bar; "/" as in less and vim (a text field that has
    // the focus takes "/" as text first).
    for (const QKeySequence& keys : {QKeySequence(Qt::CTRL | Qt::Key_L), QKeySequence(Qt::Key_Slash)}) {
        auto* shortcut = new QShortcut(keys, this);
        shortcut->setContext(Qt::WidgetWithChildrenShortcut);
        connect(shortcut, &QShortcut::activated, this, &EventsView::focusQuery);
    }
    connect(m_model, &EventsModel::totalCountChanged, this, &EventsView::updateCount);
    connect(m_model, &EventsModel::modelReset, this, [this] {
        m_detail->clear();
        m_newer = 0;
        updateCount();
    });
    connect(m_resultModel, &QueryResultModel::modelReset, this, [this] { m_detail->clear(); });
    // The history is a snapshot: newer events are counted, and loaded when the view is
    // shown again or Refresh is pressed (an empty list picks them up by itself).
    connect(&m_bridge, &EngineBridge::eventsCommitted, this, [this](const QVector<EventSummary>& rows) {
        m_newer += rows.size();
        if (m_model->rowCount() == 0 && !m_model->isLoading() && !m_queryActive)
            m_model->reload();
        else
            updateCount();
    });
    connect(m_table->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
            [this](const QModelIndex& current) {
                const qint64 row = current.data(RowIdRole).toLongLong();
                if (row > 0)
                    m_detail->setEvent(row);
            });
    // A selected row whose page arrives after the click.
    connect(m_model, &EventsModel::pageLoaded, this, [this] {
        const QModelIndex current = m_table->currentIndex();
        if (current.isValid() && m_detail->rowId() == 0)
            if (const qint64 row = current.data(RowIdRole).toLongLong(); row > 0)
                m_detail->setEvent(row);
    });
    connect(&m_bridge, &EngineBridge::databaseOpened, this, [this] {
        m_model->reload();
        m_vocabularyToken = m_bridge.loadVocabulary();
    });
    // Purged or erased rows show as what they are now (tombstones), not as they were.
    connect(&m_bridge, &EngineBridge::storeChanged, this, [this] {
        if (m_queryActive)
            m_queryBar->run();
        else
            m_model->reload();
    });
    connect(&m_bridge, &EngineBridge::vocabularyReady, this,
            [this](quint64 token, const QStringList& agents, const QStringList& types) {
                if (token == m_vocabularyToken)
                    m_filters->setVocabulary(agents, types);
            });
    if (m_bridge.isOpen()) {
        m_model->reload();
        m_vocabularyToken = m_bridge.loadVocabulary();
    }
}

void EventsView::applyQuery(const EventQuery& query)
{
    if (m_queryActive) {
        leaveQuery();
        m_queryBar->clear();
    }
    m_filters->setQuery(query);
    m_model->setQuery(query);
    m_table->horizontalHeader()->setSortIndicator(ColTime, query.ascending ? Qt::AscendingOrder
                                                                           : Qt::DescendingOrder);
}

void EventsView::showQueryResult(const QueryResultData& result)
{
    m_queryActive = true;
    m_queryTruncated = result.truncated;
    m_queryRows = result.cells.size();
    m_newer = 0;
    if (result.eventRows) {
        m_resultModel->clear();
        m_tables->setCurrentWidget(m_table);
        m_model->showRows(result.events);
    } else {
        m_resultModel->setResult(result);
        m_tables->setCurrentWidget(m_results);
        m_results->resizeColumnsToContents();
        // Long values are cut at 360 px (the tooltip has them); the last column stretches.
        for (int c = 0; c + 1 < m_resultModel->columnCount(); ++c)
            m_results->setColumnWidth(c, std::min(m_results->columnWidth(c), 360));
        // Sizing the columns fixed the last one too; stretching it again fills the table.
        m_results->horizontalHeader()->setStretchLastSection(false);
        m_results->horizontalHeader()->setStretchLastSection(true);
    }
    updateCount();
}

void EventsView::leaveQuery()
{
    if (!m_queryActive)
        return;
    m_queryActive = false;
    m_resultModel->clear();
    m_tables->setCurrentWidget(m_table);
}

void EventsView::focusQuery()
{
    m_queryBar->lineEdit()->setFocus(Qt::ShortcutFocusReason);
    m_queryBar->lineEdit()->selectAll();
}

void EventsView::updateCount()
{
    if (m_queryActive) {
        QString text = m_tables->currentWidget() == m_results ? tr("Query: %L1 rows").arg(m_queryRows)
                                                              : tr("Query: %L1 events").arg(m_queryRows);
        if (m_queryTruncated)
            text += tr(" · the limit stopped it, more match (raise it with | limit N, at most 100,000)");
        if (m_newer > 0)
            text += tr(" · %L1 newer events arrived since; Refresh (F5) runs the query again").arg(m_newer);
        text += tr(" · Esc in the query bar goes back to the filters");
        m_count->setText(text);
        return;
    }
    const qint64 n = m_model->totalCount();
    QString text = n < 0 ? tr("Counting…") : tr("%L1 events match").arg(n);
    if (m_newer > 0)
        text += tr(" · %L1 newer events arrived since; Refresh (F5) shows them").arg(m_newer);
    m_count->setText(text);
}

void EventsView::showEvent(QShowEvent* event)
{
    QWidget::showEvent(event);
    if (m_newer > 0 && !m_table->currentIndex().isValid())
        m_model->reload();
}

void EventsView::focusSearch()
{
    m_filters->searchBox()->setFocus(Qt::ShortcutFocusReason);
    m_filters->searchBox()->selectAll();
}

void EventsView::exportData(QWidget* dialogParent)
{
    exportEventsWithDialog(m_bridge, m_model->query(), dialogParent);
}

void EventsView::saveState(QSettings& settings) const
{
    settings.setValue(QStringLiteral("splitter"), m_split->saveState());
    settings.setValue(QStringLiteral("header"), m_table->horizontalHeader()->saveState());
}

void EventsView::restoreState(QSettings& settings)
{
    m_split->restoreState(settings.value(QStringLiteral("splitter")).toByteArray());
    m_table->horizontalHeader()->restoreState(settings.value(QStringLiteral("header")).toByteArray());
    // The restored sort indicator decides the order.
    const bool ascending = m_table->horizontalHeader()->sortIndicatorOrder() == Qt::AscendingOrder &&
                           m_table->horizontalHeader()->sortIndicatorSection() == ColTime;
    if (ascending != m_model->query().ascending)
        m_model->sort(ColTime, ascending ? Qt::AscendingOrder : Qt::DescendingOrder);
}

} // namespace vigil::ui
