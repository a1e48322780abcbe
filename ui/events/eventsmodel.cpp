// SPDX-License-Identifier: Apache-2.0
#include "events/eventsmodel.h"

#include "bridge/enginebridge.h"
#include "common/eventcolumns.h"

namespace vigil::ui {

EventsModel::EventsModel(EngineBridge& bridge, QObject* parent)
    : QAbstractTableModel(parent), m_bridge(bridge)
{
    connect(&m_bridge, &EngineBridge::eventsLoaded, this, &EventsModel::onLoaded);
    connect(&m_bridge, &EngineBridge::eventsCounted, this, [this](quint64 token, qint64 n) {
        if (token != m_countToken)
            return;
        m_countToken = 0;
        m_total = n;
        Q_EMIT totalCountChanged(n);
    });
}

void EventsModel::setQuery(const EventQuery& query)
{
    m_query = query;
    reload();
}

void EventsModel::cancelAll()
{
    for (const Page& p : m_pages)
        if (p.state == PageState::Loading)
            m_bridge.cancel(p.token);
    m_bridge.cancel(m_countToken);
}

void EventsModel::reload()
{
    cancelAll();
    beginResetModel();
    m_pages.clear();
    m_rows = 0;
    m_exhausted = false;
    m_fixed = false;
    endResetModel();
    m_total = -1;
    m_countToken = m_bridge.countEvents(m_query);
    appendPage();
}

void EventsModel::showRows(const QVector<EventSummary>& rows)
{
    cancelAll();
    m_countToken = 0;
    beginResetModel();
    m_pages.clear();
    // The same pages as a load would fill, all present: kPageSize rows each, the last shorter.
    for (qsizetype first = 0; first < rows.size(); first += kPageSize) {
        Page page;
        page.rows = rows.mid(first, kPageSize);
        page.count = static_cast<int>(page.rows.size());
        page.state = PageState::Loaded;
        page.last = PageKey{page.rows.back().timestampMs, page.rows.back().rowId};
        m_pages.push_back(std::move(page));
    }
    m_rows = static_cast<int>(rows.size());
    m_exhausted = true;
    m_fixed = true;
    endResetModel();
    m_total = rows.size();
    Q_EMIT totalCountChanged(m_total);
}

void EventsModel::appendPage()
{
    if (!m_bridge.isOpen())
        return;
    Page page;
    if (!m_pages.empty())
        page.after = m_pages.back().last;
    page.count = kPageSize;
    beginInsertRows({}, m_rows, m_rows + kPageSize - 1);
    m_pages.push_back(std::move(page));
    m_rows += kPageSize;
    endInsertRows();
    request(m_pages.size() - 1);
}

void EventsModel::request(std::size_t index) const
{
    Page& page = m_pages[index];
    page.state = PageState::Loading;
    page.lastUse = ++m_clock;
    page.token = m_bridge.loadEvents(m_query, page.after, kPageSize);
}

void EventsModel::onLoaded(quint64 token, const QVector<EventSummary>& rows)
{
    auto it = std::find_if(m_pages.begin(), m_pages.end(),
                           [&](const Page& p) { return p.state == PageState::Loading && p.token == token; });
    if (it == m_pages.end())
        return; // a page of an earlier query or order: stale
    const std::size_t pageIndex = static_cast<std::size_t>(it - m_pages.begin());
    const int first = static_cast<int>(pageIndex) * kPageSize;
    Page& page = *it;
    const bool isLast = pageIndex + 1 == m_pages.size();
    if (isLast && rows.size() < page.count) {
        // The end of the result: drop the placeholders this page did not fill.
        beginRemoveRows({}, first + static_cast<int>(rows.size()), first + page.count - 1);
        m_rows -= page.count - static_cast<int>(rows.size());
        page.count = static_cast<int>(rows.size());
        m_exhausted = true;
        endRemoveRows();
    }
    page.rows = rows;
    page.state = PageState::Loaded;
    page.token = 0;
    if (!rows.isEmpty())
        page.last = PageKey{rows.back().timestampMs, rows.back().rowId};
    else
        page.last = page.after;
    if (page.count > 0)
        Q_EMIT dataChanged(index(first, 0), index(first + page.count - 1, EventColumnCount - 1));
    evict(pageIndex);
    Q_EMIT pageLoaded();
}

void EventsModel::evict(std::size_t keep)
{
    if (m_fixed)
        return; // a query's rows cannot be loaded again page by page
    for (;;) {
        int loaded = 0;
        std::size_t oldest = m_pages.size();
        for (std::size_t i = 0; i < m_pages.size(); ++i) {
            if (m_pages[i].state != PageState::Loaded)
                continue;
            ++loaded;
            if (i != keep && (oldest == m_pages.size() || m_pages[i].lastUse < m_pages[oldest].lastUse))
                oldest = i;
        }
        if (loaded <= kMaxLoadedPages || oldest == m_pages.size())
            return;
        Page& p = m_pages[oldest];
        p.rows = {};
        p.state = PageState::Empty; // keeps `after` and `last`: reloadable by key
    }
}

const EventSummary* EventsModel::summaryAt(int row) const
{
    if (row < 0 || row >= m_rows)
        return nullptr;
    const Page& page = m_pages[static_cast<std::size_t>(row / kPageSize)];
    const int offset = row % kPageSize;
    if (page.state != PageState::Loaded || offset >= page.rows.size())
        return nullptr;
    return &page.rows[offset];
}

bool EventsModel::isLoading() const
{
    return m_countToken != 0 || std::any_of(m_pages.begin(), m_pages.end(), [](const Page& p) {
               return p.state == PageState::Loading;
           });
}

int EventsModel::loadedPageCount() const
{
    return static_cast<int>(std::count_if(m_pages.begin(), m_pages.end(),
                                          [](const Page& p) { return p.state == PageState::Loaded; }));
}

int EventsModel::rowCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : m_rows;
}

int EventsModel::columnCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : EventColumnCount;
}

QVariant EventsModel::data(const QModelIndex& index, int role) const
{
    if (!index.isValid() || index.row() >= m_rows || index.column() >= EventColumnCount)
        return {};
    const std::size_t pageIndex = static_cast<std::size_t>(index.row() / kPageSize);
    Page& page = m_pages[pageIndex];
    page.lastUse = ++m_clock;
    if (page.state == PageState::Loaded && index.row() % kPageSize < page.rows.size())
        return eventCellData(page.rows[index.row() % kPageSize], index.column(), role);
    if (page.state == PageState::Empty && m_bridge.isOpen())
        request(pageIndex); // an evicted page scrolled back into view
    if (role == PlaceholderRole)
        return true;
    if (role == Qt::DisplayRole && index.column() == ColTime)
        return tr("Loading…");
    return {};
}

QVariant EventsModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal)
        return {};
    return eventHeaderData(section, role);
}

bool EventsModel::canFetchMore(const QModelIndex& parent) const
{
    if (parent.isValid() || m_exhausted || m_pages.empty())
        return false;
    const Page& last = m_pages.back();
    return last.state == PageState::Loaded && last.count == kPageSize;
}

void EventsModel::fetchMore(const QModelIndex& parent)
{
    if (canFetchMore(parent))
        appendPage();
}

void EventsModel::sort(int column, Qt::SortOrder order)
{
    // Keyset paging orders by time only; other columns keep the time order. A query's
    // rows keep the order its `sort` gave them.
    if (column != ColTime || m_fixed)
        return;
    const bool ascending = order == Qt::AscendingOrder;
    if (ascending == m_query.ascending && !m_pages.empty())
        return;
    m_query.ascending = ascending;
    reload();
}

} // namespace vigil::ui
