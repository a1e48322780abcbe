// SPDX-License-Identifier: Apache-2.0
#include "common/eventlistmodel.h"

#include "common/eventcolumns.h"

namespace vigil::ui {

void EventListModel::setEvents(const QVector<EventSummary>& events)
{
    beginResetModel();
    m_events = events;
    endResetModel();
}

const EventSummary* EventListModel::summaryAt(int row) const
{
    return row >= 0 && row < m_events.size() ? &m_events[row] : nullptr;
}

int EventListModel::rowCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : static_cast<int>(m_events.size());
}

int EventListModel::columnCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : EventColumnCount;
}

QVariant EventListModel::data(const QModelIndex& index, int role) const
{
    if (!index.isValid() || index.row() >= m_events.size() || index.column() >= EventColumnCount)
        return {};
    return eventCellData(m_events[index.row()], index.column(), role);
}

QVariant EventListModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    return orientation == Qt::Horizontal ? eventHeaderData(section, role) : QVariant();
}

} // namespace vigil::ui
