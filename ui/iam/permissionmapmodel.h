// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "bridge/iamtypes.h"

#include <QAbstractTableModel>
#include <QColor>
#include <QHash>

namespace vigil::ui {

/// The permission map as a grid: one row per agent, one column per action (as written in
/// the policy file or observed), columns grouped by service (the part before `:`, `*` for
/// a bare `*`, `NotAction` for NotAction lists). A cell holds every map entry of that
/// agent and action (several resources, grants and attempts) and shows the most telling
/// of their states (see rank()). Filtering by agent and by service changes the rows and
/// columns: only agents and actions with at least one entry under the filters remain.
class PermissionMapModel : public QAbstractTableModel
{
    Q_OBJECT

public:
    enum Role : int {
        StateRole = Qt::UserRole + 1, ///< int IamCellState shown (-1 for an empty cell)
        SecondaryStateRole,           ///< int IamCellState of the next state, -1 when one only
        StatesRole,                   ///< QVariantList of the distinct states (ints), by rank
        ObservedRole,                 ///< qint64 events behind the cell
        EntriesRole,                  ///< QVariantList of indexes into map().rows
        ServiceRole,                  ///< header: the column's service
        ActionRole,                   ///< header/cell: the full action
        AgentRole,                    ///< header/cell: the agent
    };

    struct Column
    {
        QString key;     ///< lowercased action
        QString action;  ///< first spelling seen
        QString label;   ///< header text: the action without its service
        QString service;
    };

    struct Cell
    {
        QVector<int> entries; ///< indexes into map().rows, in map order
        int primary = -1;     ///< IamCellState shown
        int secondary = -1;
        QVector<int> states;  ///< distinct states by rank
        qint64 observed = 0;  ///< events behind the cell (a Deny and its attempts once)
        qint64 primaryObserved = 0; ///< of which decided as the shown state (the chip's number)
        qint64 secondaryObserved = 0; ///< of which decided as the secondary state (its number)
    };

    explicit PermissionMapModel(QObject* parent = nullptr);

    /// Replaces the map (a model reset); filters naming what no longer exists are dropped.
    void setMap(const IamMapData& map);
    const IamMapData& map() const { return m_map; }

    /// Shows one agent (exact name), or every agent when empty.
    void setAgentFilter(const QString& agent);
    /// Shows one service's actions, or every service when empty.
    void setServiceFilter(const QString& service);
    QString agentFilter() const { return m_agentFilter; }
    QString serviceFilter() const { return m_serviceFilter; }

    /// Every agent and service of the map, whatever the filters, in display order.
    QStringList allAgents() const;
    QStringList allServices() const;

    QString agentAt(int row) const;
    const Column* columnAt(int column) const;
    const Cell* cellAt(const QModelIndex& index) const;
    /// The cell of `agent` and `action` (case-insensitive) under the current filters.
    QModelIndex indexOf(const QString& agent, const QString& action) const;
    /// The map entries of every visible cell, in map order (what an export writes).
    QVector<int> visibleEntries() const;
    const IamAgentInfo* agentInfo(const QString& agent) const;

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;
    Qt::ItemFlags flags(const QModelIndex& index) const override;

    /// The service of an action pattern as the columns group it.
    static QString serviceOf(const QString& action);
    /// Which of a cell's entries it shows, lower first: observed denials before grants in
    /// use, grants in use before denials nobody ran into, unused grants last.
    static int rank(IamCellState state, qint64 observed);
    /// Glyph of a state, so that the grid reads without color: ✓ ○ ✗ B D ?
    static QString glyph(IamCellState state);
    /// A short label for the legend and the detail ("allowed, used").
    static QString label(IamCellState state);
    /// Fill and text color of a state's chip in the light or dark theme.
    static QColor fillColor(IamCellState state, bool dark);
    static QColor textColor(IamCellState state, bool dark);

private:
    void rebuild();
    QString cellText(const Cell& cell) const;
    QString cellToolTip(int row, const Cell& cell) const;

    IamMapData m_map;
    QString m_agentFilter;
    QString m_serviceFilter;
    QStringList m_agents;              ///< all agents, sorted
    QVector<Column> m_columns;         ///< all columns, in display order
    QHash<quint64, Cell> m_cells;      ///< key: agent index << 32 | column index
    QVector<int> m_rows;               ///< visible agents (indexes into m_agents)
    QVector<int> m_cols;               ///< visible columns (indexes into m_columns)
    QHash<QString, int> m_agentInfo;   ///< agent -> index into m_map.agents
};

} // namespace vigil::ui
