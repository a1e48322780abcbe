// SPDX-License-Identifier: Apache-2.0
#include "live/livemodel.h"

#include "common/eventcolumns.h"

#include <QTimer>

namespace vigil::ui {

LiveModel::LiveModel(QObject* parent) : QAbstractTableModel(parent)
{
    m_flushTimer = new QTimer(this);
    m_flushTimer->setSingleShot(true);
    m_flushTimer->setInterval(kFlushMs);
    connect(m_flushTimer, &QTimer::timeout, this, &LiveModel::flush);
}

void LiveModel::setFilter(const EventQuery& filter)
{
    m_filter = filter;
    beginResetModel();
    m_rows.clear();
    m_pending.clear();
    endResetModel();
    m_waitingCount = 0;
    Q_EMIT waitingChanged(0);
}

bool LiveModel::matches(const EventSummary& e) const
{
    const EventQuery& f = m_filter;
    if (f.minSeverity >= 0 && e.severity < f.minSeverity)
        return false;
    if (!f.agent.isEmpty() && e.agent != f.agent)
        return false;
    if (!f.eventType.isEmpty() && e.eventType != f.eventType)
        return false;
    if (!f.threadId.isEmpty() && e.threadId != f.threadId)
        return false;
    if (f.findingMask && !(e.findingMask & f.findingMask))
        return false;
    if (!f.text.isEmpty()) {
        const bool hit = e.preview.contains(f.text, Qt::CaseInsensitive) ||
                         e.threadId.contains(f.text, Qt::CaseInsensitive) ||
                         e.eventId.contains(f.text, Qt::CaseInsensitive) ||
                         e.agent.contains(f.text, Qt::CaseInsensitive) ||
                         e.eventType.contains(f.text, Qt::CaseInsensitive);
        if (!hit)
            return false;
    }
    return true;
}

void LiveModel::append(const QVector<EventSummary>& rows)
{
    const qint64 newest = newestRowId();
    int added = 0;
    for (const EventSummary& e : rows) {
        if (e.rowId <= newest || !matches(e))
            continue;
        m_pending.push_back(e);
        ++added;
    }
    if (added == 0)
        return;
    if (m_paused) {
        // Rows beyond the ring's capacity would be trimmed on resume anyway.
        while (m_pending.size() > static_cast<std::size_t>(kCapacity))
            m_pending.pop_front();
        m_waitingCount += added;
        Q_EMIT waitingChanged(m_waitingCount);
        return;
    }
    if (!m_flushTimer->isActive())
        m_flushTimer->start();
}

void LiveModel::flush()
{
    m_flushTimer->stop();
    if (m_paused || m_pending.empty())
        return;
    // Only the newest kCapacity of the queued rows can stay.
    while (m_pending.size() > static_cast<std::size_t>(kCapacity))
        m_pending.pop_front();
    const int n = static_cast<int>(m_pending.size());
    trim(kCapacity - n);
    const int first = static_cast<int>(m_rows.size());
    beginInsertRows({}, first, first + n - 1);
    m_rows.insert(m_rows.end(), std::make_move_iterator(m_pending.begin()),
                  std::make_move_iterator(m_pending.end()));
    m_pending.clear();
    endInsertRows();
    Q_EMIT flushed(n);
}

void LiveModel::trim(int capacity)
{
    const int excess = static_cast<int>(m_rows.size()) - std::max(0, capacity);
    if (excess <= 0)
        return;
    beginRemoveRows({}, 0, excess - 1);
    m_rows.erase(m_rows.begin(), m_rows.begin() + excess);
    endRemoveRows();
}

void LiveModel::setRecent(const QVector<EventSummary>& rows)
{
    beginResetModel();
    m_rows.assign(rows.begin(), rows.end());
    const qint64 newest = newestRowId();
    std::erase_if(m_pending, [newest](const EventSummary& e) { return e.rowId <= newest; });
    endResetModel();
}

void LiveModel::prependOlder(const QVector<EventSummary>& rows)
{
    if (rows.isEmpty())
        return;
    beginInsertRows({}, 0, static_cast<int>(rows.size()) - 1);
    m_rows.insert(m_rows.begin(), rows.begin(), rows.end());
    endInsertRows();
}

void LiveModel::setPaused(bool paused)
{
    if (paused == m_paused)
        return;
    m_paused = paused;
    if (!paused) {
        m_waitingCount = 0;
        Q_EMIT waitingChanged(0);
        flush();
    }
}

const EventSummary* LiveModel::summaryAt(int row) const
{
    if (row < 0 || row >= static_cast<int>(m_rows.size()))
        return nullptr;
    return &m_rows[static_cast<std::size_t>(row)];
}

qint64 LiveModel::newestRowId() const
{
    if (!m_pending.empty())
        return m_pending.back().rowId;
    return m_rows.empty() ? 0 : m_rows.back().rowId;
}

int LiveModel::rowCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : static_cast<int>(m_rows.size());
}

int LiveModel::columnCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : EventColumnCount;
}

QVariant LiveModel::data(const QModelIndex& index, int role) const
{
    if (!index.isValid() || index.row() >= static_cast<int>(m_rows.size()) || index.column() >= EventColumnCount)
        return {};
    return eventCellData(m_rows[static_cast<std::size_t>(index.row())], index.column(), role);
}

QVariant LiveModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal)
        return {};
    return eventHeaderData(section, role);
}

} // namespace vigil::ui
