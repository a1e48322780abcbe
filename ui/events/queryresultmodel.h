// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "bridge/bridgetypes.h"

#include <QAbstractTableModel>

namespace vigil::ui {

/// The rows of a query that are not plain events (`stats` groups, or one row per finding)
/// as a read-only table of the query's columns. A row with an event carries its row id in
/// RowIdRole (common/eventcolumns.h), so that the detail pane can show it.
class QueryResultModel : public QAbstractTableModel
{
    Q_OBJECT

public:
    using QAbstractTableModel::QAbstractTableModel;

    void setResult(const QueryResultData& result);
    void clear();

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    QStringList m_columns;
    QVector<QStringList> m_cells;
    QVector<qint64> m_rowIds;
};

} // namespace vigil::ui
