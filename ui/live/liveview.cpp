// SPDX-License-Identifier: Apache-2.0
#include "live/liveview.h"

#include "bridge/enginebridge.h"
#include "common/eventcolumns.h"
#include "common/eventdelegate.h"
#include "common/eventdetailpane.h"
#include "common/eventfilterbar.h"
#include "common/eventtablemenu.h"
#include "live/livemodel.h"

#include <QCheckBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QScrollBar>
#include <QSettings>
#include <QShortcut>
#include <QShowEvent>
#include <QSplitter>
#include <QTableView>
#include <QTimer>
#include <QVBoxLayout>

namespace vigil::ui {
namespace {
constexpr int kRecentRows = 1000;
constexpr int kOlderPage = 1000;
} // namespace

LiveView::LiveView(EngineBridge& bridge, QWidget* parent) : QWidget(parent), m_bridge(bridge)
{
    m_model = new LiveModel(this);
    auto* layout = new QVBoxLayout(this);
    auto* controls = new QHBoxLayout;
    m_pause = new QPushButton(tr("Pause"), this);
    m_pause->setObjectName(QStringLiteral("pauseButton"));
    m_pause->setCheckable(true);
    m_pause->setToolTip(tr("Pause the tail (Space); events keep arriving and wait"));
    m_follow = new QCheckBox(tr("Follow"), this);
    m_follow->setObjectName(QStringLiteral("followCheck"));
    m_follow->setChecked(true);
    m_follow->setToolTip(tr("Keep the newest event in view"));
    m_waiting = new QLabel(this);
    m_waiting->setObjectName(QStringLiteral("waitingLabel"));
    m_older = new QPushButton(tr("Load Older"), this);
    m_older->setToolTip(tr("Page %L1 older events from the database above the first row").arg(kOlderPage));
    controls->addWidget(m_pause);
    controls->addWidget(m_follow);
    controls->addWidget(m_waiting);
    controls->addStretch(1);
    controls->addWidget(m_older);
    layout->addLayout(controls);
    m_filters = new EventFilterBar(this);
    m_filters->searchBox()->setPlaceholderText(tr("Filter the tail: text in summary, agent, type, thread (Ctrl+F)"));
    layout->addWidget(m_filters);

    m_split = new QSplitter(Qt::Horizontal, this);
    m_table = new QTableView(m_split);
    m_table->setObjectName(QStringLiteral("liveTable"));
    // When the ring drops the selected row, the selection model would make the next row
    // current and the detail pane would jump to it. These two run before the selection
    // model's own handlers (connected first, so called first): the pane keeps its event and
    // the table loses its selection instead.
    connect(m_model, &QAbstractItemModel::rowsAboutToBeRemoved, this,
            [this](const QModelIndex&, int first, int last) {
                const int current = m_table->selectionModel() ? m_table->selectionModel()->currentIndex().row() : -1;
                m_droppingCurrent = current >= first && current <= last;
            });
    connect(m_model, &QAbstractItemModel::rowsRemoved, this, [this] {
        if (!m_droppingCurrent)
            return;
        m_table->selectionModel()->clear();
        m_droppingCurrent = false;
    });
    m_table->setModel(m_model);
    m_table->setItemDelegate(new EventDelegate(m_table));
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::SingleSelection);
    m_table->setAlternatingRowColors(true);
    m_table->setWordWrap(false);
    m_table->verticalHeader()->hide();
    m_table->verticalHeader()->setSectionResizeMode(QHeaderView::Fixed);
    m_table->verticalHeader()->setDefaultSectionSize(m_table->fontMetrics().height() + 8);
    m_table->horizontalHeader()->setStretchLastSection(true);
    m_table->setColumnWidth(ColTime, 178);
    m_table->setColumnWidth(ColSeverity, 74);
    m_table->setColumnWidth(ColType, 140);
    m_table->setColumnWidth(ColAgent, 100);
    m_table->setColumnWidth(ColThread, 90);
    m_table->setColumnWidth(ColFindings, 110);
    new EventTableMenu(m_table, m_filters, [this](const EventQuery& q) { Q_EMIT openEvents(q); });
    m_detail = new EventDetailPane(bridge, m_split);
    m_split->setStretchFactor(0, 3);
    m_split->setStretchFactor(1, 2);
    m_split->setSizes({900, 520});
    layout->addWidget(m_split, 1);

    // Space pauses while the live view (or a child without text input) has the focus.
    auto* space = new QShortcut(QKeySequence(Qt::Key_Space), this);
    space->setContext(Qt::WidgetWithChildrenShortcut);
    connect(space, &QShortcut::activated, this, &LiveView::togglePause);
    connect(m_pause, &QPushButton::toggled, this, &LiveView::setPaused);
    // Follow means "show me the newest": it resumes a paused tail and scrolls to the end.
    connect(m_follow, &QCheckBox::toggled, this, [this](bool on) {
        if (on) {
            if (m_model->isPaused())
                setPaused(false);
            scrollToNewest();
        }
        updateWaiting(m_model->waitingCount());
    });
    connect(m_older, &QPushButton::clicked, this, &LiveView::loadOlder);
    connect(m_filters, &EventFilterBar::queryChanged, this, &LiveView::applyFilter);
    connect(m_model, &LiveModel::waitingChanged, this, &LiveView::updateWaiting);
    connect(m_model, &LiveModel::flushed, this, [this] { m_scrollPending = true; });
    connect(&m_bridge, &EngineBridge::eventsCommitted, m_model, &LiveModel::append);
    connect(&m_bridge, &EngineBridge::eventsLoaded, this,
            [this](quint64 token, const QVector<EventSummary>& rows) {
                if (token == m_recentToken) {
                    m_recentToken = 0;
                    m_model->setRecent(QVector<EventSummary>(rows.rbegin(), rows.rend()));
                    m_scrollPending = true;
                } else if (token == m_olderToken) {
                    m_olderToken = 0;
                    m_model->prependOlder(QVector<EventSummary>(rows.rbegin(), rows.rend()));
                    m_older->setEnabled(true);
                }
            });
    connect(&m_bridge, &EngineBridge::databaseOpened, this, [this] {
        applyFilter();
        m_vocabularyToken = m_bridge.loadVocabulary();
    });
    connect(&m_bridge, &EngineBridge::storeChanged, this, [this] { applyFilter(); });
    connect(&m_bridge, &EngineBridge::vocabularyReady, this,
            [this](quint64 token, const QStringList& agents, const QStringList& types) {
                if (token == m_vocabularyToken)
                    m_filters->setVocabulary(agents, types);
            });
    connect(m_table->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
            [this](const QModelIndex& current) {
                if (m_droppingCurrent)
                    return;
                if (const qint64 row = current.data(RowIdRole).toLongLong(); row > 0)
                    m_detail->setEvent(row);
            });
    // Scrolling away from the newest row leaves follow mode; scrolling back re-enters it.
    connect(m_table->verticalScrollBar(), &QScrollBar::valueChanged, this, [this](int value) {
        if (m_autoScrolling)
            return;
        const bool atBottom = value >= m_table->verticalScrollBar()->maximum() - 1;
        if (m_follow->isChecked() == atBottom)
            return;
        if (!m_model->isPaused()) {
            m_follow->setChecked(atBottom);
            return;
        }
        // Paused, the box only tells where the view is: reaching the end does not resume.
        const QSignalBlocker block(m_follow);
        m_follow->setChecked(atBottom);
    });
    // Auto-scroll on a timer, not per flush: at most a few scrolls a second.
    m_scrollTimer = new QTimer(this);
    m_scrollTimer->setInterval(150);
    connect(m_scrollTimer, &QTimer::timeout, this, [this] {
        if (!m_scrollPending || !m_follow->isChecked() || m_model->isPaused() || !isVisible())
            return;
        m_scrollPending = false;
        scrollToNewest();
    });
    m_scrollTimer->start();
    updateWaiting(0);
    if (m_bridge.isOpen()) {
        applyFilter();
        m_vocabularyToken = m_bridge.loadVocabulary();
    }
}

void LiveView::scrollToNewest()
{
    auto scroll = [this] {
        m_autoScrolling = true;
        m_table->scrollToBottom();
        m_autoScrolling = false;
    };
    scroll();
    // Rows inserted since the last layout are not in the scroll range yet: scroll again once
    // the table has laid them out, or the newest rows stay just below the viewport.
    QTimer::singleShot(0, this, [this, scroll] {
        if (m_follow->isChecked() && !m_model->isPaused())
            scroll();
    });
}

void LiveView::showEvent(QShowEvent* event)
{
    QWidget::showEvent(event);
    // Rows that arrived while another view was showing: the tail opens on the newest.
    if (m_follow->isChecked() && !m_model->isPaused())
        m_scrollPending = true;
}

void LiveView::applyFilter()
{
    const EventQuery q = m_filters->query();
    m_model->setFilter(q);
    m_bridge.cancel(m_recentToken);
    m_bridge.cancel(m_olderToken);
    m_olderToken = 0;
    m_older->setEnabled(true);
    // The tail starts with the most recent matching events already stored.
    m_recentToken = m_bridge.loadEvents(q, std::nullopt, kRecentRows);
}

void LiveView::loadOlder()
{
    const EventSummary* first = m_model->summaryAt(0);
    if (!first || m_olderToken)
        return;
    // Older rows are for reading back: hold the tail so they stay in the ring.
    setPaused(true);
    EventQuery q = m_model->filter();
    q.ascending = false;
    m_older->setEnabled(false);
    m_olderToken = m_bridge.loadEvents(q, PageKey{first->timestampMs, first->rowId}, kOlderPage);
}

void LiveView::setPaused(bool paused)
{
    m_model->setPaused(paused);
    {
        const QSignalBlocker block(m_pause);
        m_pause->setChecked(paused);
    }
    m_pause->setText(paused ? tr("Resume") : tr("Pause"));
    updateWaiting(m_model->waitingCount());
    if (!paused && m_follow->isChecked())
        m_scrollPending = true;
}

bool LiveView::isPaused() const
{
    return m_model->isPaused();
}

void LiveView::togglePause()
{
    setPaused(!isPaused());
}

void LiveView::setFollow(bool follow)
{
    m_follow->setChecked(follow);
}

bool LiveView::isFollowing() const
{
    return m_follow->isChecked();
}

void LiveView::focusTable()
{
    m_table->setFocus(Qt::OtherFocusReason);
}

void LiveView::updateWaiting(qint64 waiting)
{
    if (!m_model->isPaused()) {
        m_waiting->setText(m_follow->isChecked()
                               ? tr("Live")
                               : tr("Live · scrolled back: Follow or Ctrl+End shows the newest"));
        return;
    }
    m_waiting->setText(tr("Paused · %L1 new events waiting").arg(waiting));
}

void LiveView::focusSearch()
{
    m_filters->searchBox()->setFocus(Qt::ShortcutFocusReason);
    m_filters->searchBox()->selectAll();
}

void LiveView::saveState(QSettings& settings) const
{
    settings.setValue(QStringLiteral("splitter"), m_split->saveState());
    settings.setValue(QStringLiteral("header"), m_table->horizontalHeader()->saveState());
}

void LiveView::restoreState(QSettings& settings)
{
    m_split->restoreState(settings.value(QStringLiteral("splitter")).toByteArray());
    m_table->horizontalHeader()->restoreState(settings.value(QStringLiteral("header")).toByteArray());
    // Follow is not restored: a tail always opens on its newest rows.
    settings.remove(QStringLiteral("follow"));
}

} // namespace vigil::ui
