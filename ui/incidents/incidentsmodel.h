// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "bridge/bridgetypes.h"

#include <QAbstractTableModel>

namespace vigil::ui {

/// Incidents as loaded for the current filter (the bridge filters in SQL, FTS5 included);
/// sorting happens in a QSortFilterProxyModel on SortRole.
class IncidentsModel : public QAbstractTableModel
{
    Q_OBJECT

public:
    enum Column : int { ColId, ColSeverity, ColStatus, ColTitle, ColCategory, ColLayer, ColAgent,
                        ColFindings, ColFirst, ColLast, ColAssignee, ColumnCount };
    enum Role : int { IdRole = Qt::UserRole + 1, SortRole, SeverityRole };

    using QAbstractTableModel::QAbstractTableModel;

    void setIncidents(const QVector<IncidentSummary>& incidents);
    const QVector<IncidentSummary>& incidents() const { return m_incidents; }
    const IncidentSummary* incidentAt(int row) const;
    int rowOf(qint64 id) const;

    int rowCount(const QModelIndex& parent = {}) const override;
    /// The layer column's labels changed (View > MAESTRO Layer Names).
    void relabelLayers();
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

    static QString statusLabel(const QString& status);

private:
    QVector<IncidentSummary> m_incidents;
};

} // namespace vigil::ui
