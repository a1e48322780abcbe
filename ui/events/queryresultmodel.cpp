// SPDX-License-Identifier: Apache-2.0
#include "events/queryresultmodel.h"

#include "common/eventcolumns.h"

namespace vigil::ui {

void QueryResultModel::setResult(const QueryResultData& result)
{
    beginResetModel();
    m_columns = result.columns;
    m_cells = result.cells;
    m_rowIds = result.rowIds;
    endResetModel();
}

void QueryResultModel::clear()
{
    setResult({});
}

int QueryResultModel::rowCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : static_cast<int>(m_cells.size());
}

int QueryResultModel::columnCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : static_cast<int>(m_columns.size());
}

QVariant QueryResultModel::data(const QModelIndex& index, int role) const
{
    if (!index.isValid() || index.row() >= m_cells.size() || index.column() >= m_columns.size())
        return {};
    const QStringList& row = m_cells[index.row()];
    const QString cell = index.column() < row.size() ? row[index.column()] : QString();
    switch (role) {
    case Qt::DisplayRole: {
        // One line in the table; the tooltip has the whole value.
        QString line = cell;
        line.replace(u'\n', u' ');
        return line.size() > 300 ? line.left(299) + u'…' : line;
    }
    case Qt::ToolTipRole:
        return cell.size() > 60 ? cell : QVariant();
    case RowIdRole:
        return index.row() < m_rowIds.size() ? QVariant(m_rowIds[index.row()]) : QVariant();
    case Qt::TextAlignmentRole:
        // Counts read best right-aligned.
        if (m_rowIds.isEmpty() && index.column() == m_columns.size() - 1)
            return QVariant(Qt::AlignRight | Qt::AlignVCenter);
        return {};
    default:
        return {};
    }
}

QVariant QueryResultModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole || section >= m_columns.size())
        return {};
    return m_columns[section];
}

} // namespace vigil::ui
