// SPDX-License-Identifier: Apache-2.0
#include "incidents/incidentsmodel.h"

#include "common/eventcolumns.h"
#include "theme.h"

namespace vigil::ui {

void IncidentsModel::setIncidents(const QVector<IncidentSummary>& incidents)
{
    beginResetModel();
    m_incidents = incidents;
    endResetModel();
}

const IncidentSummary* IncidentsModel::incidentAt(int row) const
{
    return row >= 0 && row < m_incidents.size() ? &m_incidents[row] : nullptr;
}

int IncidentsModel::rowOf(qint64 id) const
{
    for (int i = 0; i < m_incidents.size(); ++i)
        if (m_incidents[i].id == id)
            return i;
    return -1;
}

int IncidentsModel::rowCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : static_cast<int>(m_incidents.size());
}

void IncidentsModel::relabelLayers()
{
    if (!m_incidents.isEmpty())
        Q_EMIT dataChanged(index(0, ColLayer), index(rowCount() - 1, ColLayer));
}

int IncidentsModel::columnCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QString IncidentsModel::statusLabel(const QString& status)
{
    if (status == u"open")
        return tr("Open");
    if (status == u"investigating")
        return tr("Investigating");
    if (status == u"resolved")
        return tr("Resolved");
    if (status == u"false_positive")
        return tr("False positive");
    return status;
}

QVariant IncidentsModel::data(const QModelIndex& index, int role) const
{
    if (!index.isValid() || index.row() >= m_incidents.size() || index.column() >= ColumnCount)
        return {};
    const IncidentSummary& i = m_incidents[index.row()];
    switch (role) {
    case Qt::DisplayRole:
        switch (index.column()) {
        case ColId: return i.id;
        case ColSeverity: return findingSeverityName(i.severity);
        case ColStatus: return statusLabel(i.status);
        case ColTitle: return i.title;
        case ColCategory: return i.category;
        case ColLayer: return maestroLayerNames().value(i.layer - 1, QString::number(i.layer));
        case ColAgent: return i.agent;
        case ColFindings: return i.findings;
        case ColFirst: return formatTimestamp(i.firstMs);
        case ColLast: return formatTimestamp(i.lastMs);
        case ColAssignee: return i.assignee;
        default: return {};
        }
    case SortRole:
        switch (index.column()) {
        case ColId: return i.id;
        case ColSeverity: return i.severity;
        case ColLayer: return i.layer;
        case ColFindings: return i.findings;
        case ColFirst: return i.firstMs;
        case ColLast: return i.lastMs;
        default: return data(index, Qt::DisplayRole);
        }
    case Qt::ForegroundRole:
        if (index.column() == ColSeverity)
            return Theme::instance().findingSeverityColor(i.severity);
        return {};
    case Qt::ToolTipRole:
        if (index.column() == ColTitle)
            return i.notes.isEmpty() ? i.title : i.title + QStringLiteral("\n\n") + i.notes;
        return {};
    case IdRole: return i.id;
    case SeverityRole: return i.severity;
    default: return {};
    }
}

QVariant IncidentsModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case ColId: return tr("ID");
    case ColSeverity: return tr("Severity");
    case ColStatus: return tr("Status");
    case ColTitle: return tr("Title");
    case ColCategory: return tr("Category");
    case ColLayer: return tr("MAESTRO layer");
    case ColAgent: return tr("Agent");
    case ColFindings: return tr("Findings");
    case ColFirst: return tr("First seen");
    case ColLast: return tr("Last seen");
    case ColAssignee: return tr("Assignee");
    default: return {};
    }
}

} // namespace vigil::ui
