// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "bridge/bridgetypes.h"

#include <QAbstractTableModel>

namespace vigil::ui {

/// A small, fixed list of events (an incident's evidence) in the common event columns.
class EventListModel : public QAbstractTableModel
{
    Q_OBJECT

public:
    using QAbstractTableModel::QAbstractTableModel;

    void setEvents(const QVector<EventSummary>& events);
    const EventSummary* summaryAt(int row) const;

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    QVector<EventSummary> m_events;
};

} // namespace vigil::ui
