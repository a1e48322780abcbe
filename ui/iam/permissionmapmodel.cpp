// SPDX-License-Identifier: Apache-2.0
#include "iam/permissionmapmodel.h"

#include <QFont>
#include <QLocale>

#include <algorithm>
#include <climits>
#include <map>

namespace vigil::ui {
namespace {

quint64 cellKey(int agent, int column)
{
    return (quint64(quint32(agent)) << 32) | quint32(column);
}

const QString& notActionService()
{
    static const QString s = QStringLiteral("NotAction");
    return s;
}

/// Services in column order: `*` first, then by name, NotAction lists last.
bool serviceLess(const QString& a, const QString& b)
{
    auto weight = [](const QString& s) { return s == u"*" ? 0 : s == notActionService() ? 2 : 1; };
    const int wa = weight(a), wb = weight(b);
    return wa != wb ? wa < wb : a < b;
}

} // namespace

PermissionMapModel::PermissionMapModel(QObject* parent) : QAbstractTableModel(parent) {}

QString PermissionMapModel::serviceOf(const QString& action)
{
    if (action.startsWith(QStringLiteral("NOT ")))
        return notActionService();
    const qsizetype colon = action.indexOf(u':');
    return (colon < 0 ? action : action.left(colon)).toLower();
}

int PermissionMapModel::rank(IamCellState state, qint64 observed)
{
    switch (state) {
    case IamCellState::DeniedAttempted:
        return 0;
    case IamCellState::BoundaryBlocked:
        return observed > 0 ? 1 : 6;
    case IamCellState::ExplicitDeny:
        return observed > 0 ? 2 : 5;
    case IamCellState::Conditional:
        return observed > 0 ? 3 : 7;
    case IamCellState::AllowedUsed:
        return 4;
    case IamCellState::AllowedUnused:
        return 8;
    }
    return 9;
}

QString PermissionMapModel::glyph(IamCellState state)
{
    switch (state) {
    case IamCellState::AllowedUsed:
        return QStringLiteral("✓");
    case IamCellState::AllowedUnused:
        return QStringLiteral("○");
    case IamCellState::DeniedAttempted:
        return QStringLiteral("✗");
    case IamCellState::BoundaryBlocked:
        return QStringLiteral("B");
    case IamCellState::ExplicitDeny:
        return QStringLiteral("D");
    case IamCellState::Conditional:
        return QStringLiteral("?");
    }
    return {};
}

QString PermissionMapModel::label(IamCellState state)
{
    switch (state) {
    case IamCellState::AllowedUsed:
        return tr("allowed, used");
    case IamCellState::AllowedUnused:
        return tr("allowed, unused");
    case IamCellState::DeniedAttempted:
        return tr("attempted, denied");
    case IamCellState::BoundaryBlocked:
        return tr("boundary blocked");
    case IamCellState::ExplicitDeny:
        return tr("explicit deny");
    case IamCellState::Conditional:
        return tr("conditional");
    }
    return {};
}

QColor PermissionMapModel::fillColor(IamCellState state, bool dark)
{
    switch (state) {
    case IamCellState::AllowedUsed:
        return dark ? QColor(0x38, 0x8e, 0x3c) : QColor(0x2e, 0x7d, 0x32);
    case IamCellState::AllowedUnused:
        return dark ? QColor(0x23, 0x3d, 0x27) : QColor(0xd4, 0xec, 0xd5);
    case IamCellState::DeniedAttempted:
        return dark ? QColor(0xe5, 0x39, 0x35) : QColor(0xc6, 0x28, 0x28);
    case IamCellState::BoundaryBlocked:
        return dark ? QColor(0xf5, 0x7c, 0x00) : QColor(0xe6, 0x51, 0x00);
    case IamCellState::ExplicitDeny:
        return dark ? QColor(0x9c, 0x4d, 0xcc) : QColor(0x6a, 0x1b, 0x9a);
    case IamCellState::Conditional:
        return dark ? QColor(0xfb, 0xc0, 0x2d) : QColor(0xf9, 0xa8, 0x25);
    }
    return {};
}

QColor PermissionMapModel::textColor(IamCellState state, bool dark)
{
    switch (state) {
    case IamCellState::AllowedUnused:
        return dark ? QColor(0xa5, 0xd6, 0xa7) : QColor(0x1b, 0x5e, 0x20);
    case IamCellState::Conditional:
        return QColor(0x1d, 0x21, 0x29);
    default:
        return Qt::white;
    }
}

void PermissionMapModel::setMap(const IamMapData& map)
{
    beginResetModel();
    m_map = map;
    m_agentInfo.clear();
    for (int i = 0; i < m_map.agents.size(); ++i)
        m_agentInfo.insert(m_map.agents[i].name, i);

    // Columns: distinct actions (case-insensitive), grouped by service.
    std::map<QString, Column> columns;
    QStringList agents;
    for (const IamMapRow& r : std::as_const(m_map.rows)) {
        const QString key = r.action.toLower();
        if (!columns.contains(key)) {
            Column c;
            c.key = key;
            c.action = r.action;
            c.service = serviceOf(r.action);
            const qsizetype colon = r.action.indexOf(u':');
            c.label = c.service == notActionService() || colon < 0 ? r.action : r.action.mid(colon + 1);
            columns.emplace(key, std::move(c));
        }
        if (agents.isEmpty() || agents.back() != r.agent)
            agents << r.agent;
    }
    agents.removeDuplicates();
    std::sort(agents.begin(), agents.end());
    m_agents = agents;
    m_columns.clear();
    for (auto& [key, c] : columns)
        m_columns.push_back(std::move(c));
    std::stable_sort(m_columns.begin(), m_columns.end(), [](const Column& a, const Column& b) {
        if (a.service != b.service)
            return serviceLess(a.service, b.service);
        return a.key < b.key;
    });
    QHash<QString, int> agentIndex, columnIndex;
    for (int i = 0; i < m_agents.size(); ++i)
        agentIndex.insert(m_agents[i], i);
    for (int i = 0; i < m_columns.size(); ++i)
        columnIndex.insert(m_columns[i].key, i);

    m_cells.clear();
    for (int i = 0; i < m_map.rows.size(); ++i) {
        const IamMapRow& r = m_map.rows[i];
        m_cells[cellKey(agentIndex.value(r.agent), columnIndex.value(r.action.toLower()))].entries.push_back(i);
    }
    for (Cell& c : m_cells) {
        // A role's Deny counts the attempts it stopped, which have entries of their own: in
        // one cell, count those events once.
        qint64 denyGrants = 0, denyAttempts = 0, others = 0;
        for (int e : std::as_const(c.entries)) {
            const IamMapRow& r = m_map.rows[e];
            if (r.state != IamCellState::ExplicitDeny)
                others += r.observed;
            else if (r.fromPolicy)
                denyGrants += r.observed;
            else
                denyAttempts += r.observed;
        }
        c.observed = others + std::max(denyGrants, denyAttempts);
        // Distinct states ordered by their most telling entry.
        std::map<int, int> best; // state -> lowest rank
        for (int e : std::as_const(c.entries)) {
            const IamMapRow& r = m_map.rows[e];
            const int s = static_cast<int>(r.state);
            const int k = rank(r.state, r.observed);
            const auto it = best.find(s);
            if (it == best.end() || k < it->second)
                best[s] = k;
        }
        std::vector<std::pair<int, int>> order; // (rank, state)
        for (auto [s, k] : best)
            order.emplace_back(k, s);
        std::sort(order.begin(), order.end());
        for (auto [k, s] : order)
            c.states.push_back(s);
        c.primary = c.states.value(0, -1);
        c.secondary = c.states.value(1, -1);
        // The number on the chip belongs to the state it shows (a cell that is mostly used
        // grants but shows a Deny counts the attempts the Deny stopped); the second state's
        // number follows it, so "D 2" never hides 326 allowed uses beside it.
        auto observedAs = [&](int state) {
            qint64 grants = 0, attempts = 0;
            for (int e : std::as_const(c.entries)) {
                const IamMapRow& r = m_map.rows[e];
                if (static_cast<int>(r.state) == state)
                    (r.fromPolicy ? grants : attempts) += r.observed;
            }
            return state == static_cast<int>(IamCellState::ExplicitDeny) ? std::max(grants, attempts) : grants + attempts;
        };
        c.primaryObserved = observedAs(c.primary);
        c.secondaryObserved = c.secondary >= 0 ? observedAs(c.secondary) : 0;
    }
    if (!m_agentFilter.isEmpty() && !m_agents.contains(m_agentFilter))
        m_agentFilter.clear();
    if (!m_serviceFilter.isEmpty() && !allServices().contains(m_serviceFilter))
        m_serviceFilter.clear();
    rebuild();
    endResetModel();
}

void PermissionMapModel::setAgentFilter(const QString& agent)
{
    if (agent == m_agentFilter)
        return;
    beginResetModel();
    m_agentFilter = agent;
    rebuild();
    endResetModel();
}

void PermissionMapModel::setServiceFilter(const QString& service)
{
    if (service == m_serviceFilter)
        return;
    beginResetModel();
    m_serviceFilter = service;
    rebuild();
    endResetModel();
}

void PermissionMapModel::rebuild()
{
    m_rows.clear();
    m_cols.clear();
    QVector<bool> rowUsed(m_agents.size()), colUsed(m_columns.size());
    for (auto it = m_cells.cbegin(); it != m_cells.cend(); ++it) {
        const int a = int(it.key() >> 32), c = int(it.key() & 0xffffffffu);
        if (!m_agentFilter.isEmpty() && m_agents[a] != m_agentFilter)
            continue;
        if (!m_serviceFilter.isEmpty() && m_columns[c].service != m_serviceFilter)
            continue;
        rowUsed[a] = true;
        colUsed[c] = true;
    }
    for (int a = 0; a < m_agents.size(); ++a)
        if (rowUsed[a])
            m_rows.push_back(a);
    for (int c = 0; c < m_columns.size(); ++c)
        if (colUsed[c])
            m_cols.push_back(c);
}

QStringList PermissionMapModel::allAgents() const
{
    return m_agents;
}

QStringList PermissionMapModel::allServices() const
{
    QStringList out;
    for (const Column& c : m_columns)
        if (out.isEmpty() || out.back() != c.service)
            out << c.service;
    return out;
}

QString PermissionMapModel::agentAt(int row) const
{
    return row >= 0 && row < m_rows.size() ? m_agents[m_rows[row]] : QString();
}

const PermissionMapModel::Column* PermissionMapModel::columnAt(int column) const
{
    return column >= 0 && column < m_cols.size() ? &m_columns[m_cols[column]] : nullptr;
}

const PermissionMapModel::Cell* PermissionMapModel::cellAt(const QModelIndex& index) const
{
    if (!index.isValid() || index.model() != this || index.row() >= m_rows.size() || index.column() >= m_cols.size())
        return nullptr;
    const auto it = m_cells.constFind(cellKey(m_rows[index.row()], m_cols[index.column()]));
    return it == m_cells.cend() ? nullptr : &*it;
}

QModelIndex PermissionMapModel::indexOf(const QString& agent, const QString& action) const
{
    int row = -1, column = -1;
    for (int r = 0; r < m_rows.size() && row < 0; ++r)
        if (m_agents[m_rows[r]] == agent)
            row = r;
    const QString key = action.toLower();
    for (int c = 0; c < m_cols.size() && column < 0; ++c)
        if (m_columns[m_cols[c]].key == key)
            column = c;
    return row >= 0 && column >= 0 ? index(row, column) : QModelIndex();
}

QVector<int> PermissionMapModel::visibleEntries() const
{
    QVector<int> out;
    for (int r = 0; r < m_rows.size(); ++r)
        for (int c = 0; c < m_cols.size(); ++c)
            if (const Cell* cell = cellAt(index(r, c)))
                out += cell->entries;
    std::sort(out.begin(), out.end());
    return out;
}

const IamAgentInfo* PermissionMapModel::agentInfo(const QString& agent) const
{
    const auto it = m_agentInfo.constFind(agent);
    return it == m_agentInfo.cend() ? nullptr : &m_map.agents[*it];
}

int PermissionMapModel::rowCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

int PermissionMapModel::columnCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : int(m_cols.size());
}

Qt::ItemFlags PermissionMapModel::flags(const QModelIndex& index) const
{
    if (!index.isValid())
        return Qt::NoItemFlags;
    // Empty cells stay selectable so that the keyboard can cross them.
    return Qt::ItemIsEnabled | Qt::ItemIsSelectable | Qt::ItemNeverHasChildren;
}

QString PermissionMapModel::cellText(const Cell& cell) const
{
    if (cell.primary < 0)
        return {};
    QString text = glyph(static_cast<IamCellState>(cell.primary));
    if (cell.primaryObserved > 0)
        text += u' ' + QLocale().toString(cell.primaryObserved);
    if (cell.secondary >= 0 && cell.secondaryObserved > 0)
        text += QStringLiteral(" · ") + glyph(static_cast<IamCellState>(cell.secondary)) + u' ' +
                QLocale().toString(cell.secondaryObserved);
    return text;
}

QString PermissionMapModel::cellToolTip(int row, const Cell& cell) const
{
    QStringList lines;
    if (!cell.entries.isEmpty())
        lines << QStringLiteral("<b>%1 · %2</b>")
                     .arg(agentAt(row).toHtmlEscaped(), m_map.rows[cell.entries.front()].action.toHtmlEscaped());
    // Allowed and denied uses first, each with the statement that decided the most of them.
    struct Tally
    {
        qint64 events = 0;
        qint64 best = 0;
        QString statement;
    };
    Tally allowed, denied;
    for (int e : cell.entries) {
        const IamMapRow& r = m_map.rows[e];
        if (r.observed <= 0)
            continue;
        Tally& t = r.state == IamCellState::AllowedUsed || r.state == IamCellState::Conditional ? allowed : denied;
        t.events += r.observed;
        if (r.observed > t.best) {
            t.best = r.observed;
            t.statement = r.statementLabel;
        }
    }
    for (const auto& [t, what] : {std::pair{&allowed, tr("allowed")}, std::pair{&denied, tr("denied")}}) {
        if (t->events == 0)
            continue;
        QString line = tr("%L1 %2").arg(t->events).arg(what);
        if (!t->statement.isEmpty())
            line += tr(", decided by %1").arg(t->statement.toHtmlEscaped());
        lines << line;
    }
    for (int e : cell.entries) {
        const IamMapRow& r = m_map.rows[e];
        QString line = QStringLiteral("%1 %2 — %3").arg(glyph(r.state), label(r.state), r.resource.toHtmlEscaped());
        if (r.observed > 0)
            line += tr(" · %n event(s)", nullptr, int(std::min<qint64>(r.observed, INT_MAX)));
        if (!r.statementLabel.isEmpty())
            line += QStringLiteral(" · ") + r.statementLabel.toHtmlEscaped();
        lines << line;
    }
    return lines.join(QStringLiteral("<br>"));
}

QVariant PermissionMapModel::data(const QModelIndex& index, int role) const
{
    if (!index.isValid() || index.row() >= m_rows.size() || index.column() >= m_cols.size())
        return {};
    const Cell* cell = cellAt(index);
    switch (role) {
    case Qt::DisplayRole:
        return cell ? cellText(*cell) : QString();
    case Qt::ToolTipRole:
        return cell ? cellToolTip(index.row(), *cell) : QVariant();
    case Qt::AccessibleTextRole: {
        QString what = m_agents[m_rows[index.row()]] + QStringLiteral(", ") + m_columns[m_cols[index.column()]].action + QStringLiteral(": ");
        if (!cell)
            return QString(what + tr("no entry"));
        QStringList states;
        for (int s : cell->states)
            states << label(static_cast<IamCellState>(s));
        return QString(what + states.join(QStringLiteral(", ")) + tr("; %n event(s)", nullptr, int(std::min<qint64>(cell->observed, INT_MAX))));
    }
    case Qt::TextAlignmentRole:
        return int(Qt::AlignCenter);
    case StateRole:
        return cell ? cell->primary : -1;
    case SecondaryStateRole:
        return cell ? cell->secondary : -1;
    case StatesRole: {
        QVariantList out;
        if (cell)
            for (int s : cell->states)
                out << s;
        return out;
    }
    case ObservedRole:
        return cell ? cell->observed : qint64(0);
    case EntriesRole: {
        QVariantList out;
        if (cell)
            for (int e : cell->entries)
                out << e;
        return out;
    }
    case ActionRole:
        return m_columns[m_cols[index.column()]].action;
    case ServiceRole:
        return m_columns[m_cols[index.column()]].service;
    case AgentRole:
        return m_agents[m_rows[index.row()]];
    default:
        return {};
    }
}

QVariant PermissionMapModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation == Qt::Horizontal) {
        const Column* c = columnAt(section);
        if (!c)
            return {};
        switch (role) {
        case Qt::DisplayRole:
            return c->label;
        case Qt::ToolTipRole:
            return c->action;
        case ServiceRole:
            return c->service;
        case ActionRole:
            return c->action;
        default:
            return {};
        }
    }
    const QString agent = agentAt(section);
    if (agent.isEmpty())
        return {};
    const IamAgentInfo* info = agentInfo(agent);
    const bool hasRole = info && !info->role.isEmpty();
    switch (role) {
    case Qt::DisplayRole:
        return hasRole ? agent : tr("%1 (no role)").arg(agent);
    case Qt::ToolTipRole: {
        if (!hasRole)
            return tr("%1 has no role in the policy file: every action it takes is an implicit deny.").arg(agent);
        QString tip = tr("%1 · role %2").arg(agent, info->role);
        if (!info->tier.isEmpty())
            tip += tr(" · tier %1").arg(info->tier);
        if (info->events > 0)
            tip += tr(" · %L1 events stored").arg(info->events);
        return tip;
    }
    case Qt::FontRole: {
        if (hasRole)
            return {};
        QFont f;
        f.setItalic(true);
        return f;
    }
    case AgentRole:
        return agent;
    default:
        return {};
    }
}

} // namespace vigil::ui
