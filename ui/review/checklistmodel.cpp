// SPDX-License-Identifier: Apache-2.0
#include "review/checklistmodel.h"

#include "bridge/bridgetypes.h"
#include "review/reviewicons.h"

#include <QDateTime>
#include <QFont>

namespace vigil::ui {

ChecklistModel::ChecklistModel(QObject* parent) : QAbstractItemModel(parent) {}

QString ChecklistModel::structureKey(const ChecklistReport& r)
{
    QString key;
    for (const ChecklistInfo& c : r.checklists)
        key += c.id + u'|';
    for (const ChecklistItemState& i : r.items)
        key += i.id + u'/' + i.section + u'|';
    return key;
}

QString ChecklistModel::sectionLabel(const ChecklistItemState& item)
{
    if (item.checklist == QLatin1String("maestro") && item.layer >= 1 && item.layer <= 7)
        return maestroLayerNames().at(item.layer - 1);
    return item.section;
}

void ChecklistModel::relabelSections()
{
    for (int r = 0; r < rowCount(); ++r) {
        const QModelIndex top = index(r, 0);
        const int n = rowCount(top);
        if (n > 0)
            Q_EMIT dataChanged(index(0, ColItem, top), index(n - 1, ColItem, top));
    }
}

void ChecklistModel::setReport(const ChecklistReport& report)
{
    const bool sameShape = !m_nodes.isEmpty() && structureKey(report) == structureKey(m_report);
    if (sameShape) {
        m_report = report;
        // Every row of every level may change its status or summary.
        for (const int root : m_roots) {
            const QModelIndex top = index(m_nodes[root].row, 0);
            Q_EMIT dataChanged(top, top.siblingAtColumn(ColumnCount - 1));
            for (int s = 0; s < rowCount(top); ++s) {
                const QModelIndex section = index(s, 0, top);
                Q_EMIT dataChanged(section, section.siblingAtColumn(ColumnCount - 1));
                const int n = rowCount(section);
                if (n > 0)
                    Q_EMIT dataChanged(index(0, 0, section), index(n - 1, ColumnCount - 1, section));
            }
        }
        return;
    }
    beginResetModel();
    m_report = report;
    rebuild();
    endResetModel();
}

void ChecklistModel::rebuild()
{
    m_nodes.clear();
    m_roots.clear();
    for (int c = 0; c < m_report.checklists.size(); ++c) {
        Node top;
        top.kind = ChecklistNode;
        top.checklist = c;
        top.row = static_cast<int>(m_roots.size());
        const int topIndex = static_cast<int>(m_nodes.size());
        m_nodes.push_back(top);
        m_roots.push_back(topIndex);
        for (int i = 0; i < m_report.items.size(); ++i) {
            const ChecklistItemState& it = m_report.items[i];
            if (it.checklist != m_report.checklists[c].id)
                continue;
            int sectionIndex = -1;
            for (const int child : std::as_const(m_nodes[topIndex].children))
                if (m_nodes[child].section == it.section)
                    sectionIndex = child;
            if (sectionIndex < 0) {
                Node section;
                section.kind = SectionNode;
                section.parent = topIndex;
                section.checklist = c;
                section.section = it.section;
                section.row = static_cast<int>(m_nodes[topIndex].children.size());
                sectionIndex = static_cast<int>(m_nodes.size());
                m_nodes.push_back(section);
                m_nodes[topIndex].children.push_back(sectionIndex);
            }
            Node leaf;
            leaf.kind = ItemNode;
            leaf.parent = sectionIndex;
            leaf.checklist = c;
            leaf.section = it.section;
            leaf.item = i;
            leaf.row = static_cast<int>(m_nodes[sectionIndex].children.size());
            const int leafIndex = static_cast<int>(m_nodes.size());
            m_nodes.push_back(leaf);
            m_nodes[sectionIndex].children.push_back(leafIndex);
        }
    }
}

const ChecklistItemState* ChecklistModel::item(const QModelIndex& index) const
{
    if (!index.isValid() || index.model() != this)
        return nullptr;
    const Node& n = m_nodes[static_cast<int>(index.internalId())];
    return n.kind == ItemNode ? &m_report.items[n.item] : nullptr;
}

QModelIndex ChecklistModel::indexOfItem(const QString& id) const
{
    for (int i = 0; i < m_nodes.size(); ++i)
        if (m_nodes[i].kind == ItemNode && m_report.items[m_nodes[i].item].id == id)
            return createIndex(m_nodes[i].row, 0, static_cast<quintptr>(i));
    return {};
}

QModelIndex ChecklistModel::index(int row, int column, const QModelIndex& parent) const
{
    if (row < 0 || column < 0 || column >= ColumnCount)
        return {};
    if (!parent.isValid()) {
        if (row >= m_roots.size())
            return {};
        return createIndex(row, column, static_cast<quintptr>(m_roots[row]));
    }
    if (parent.column() != 0)
        return {};
    const Node& p = m_nodes[static_cast<int>(parent.internalId())];
    if (row >= p.children.size())
        return {};
    return createIndex(row, column, static_cast<quintptr>(p.children[row]));
}

QModelIndex ChecklistModel::parent(const QModelIndex& child) const
{
    if (!child.isValid())
        return {};
    const Node& n = m_nodes[static_cast<int>(child.internalId())];
    if (n.parent < 0)
        return {};
    return createIndex(m_nodes[n.parent].row, 0, static_cast<quintptr>(n.parent));
}

int ChecklistModel::rowCount(const QModelIndex& parent) const
{
    if (!parent.isValid())
        return static_cast<int>(m_roots.size());
    if (parent.column() != 0)
        return 0;
    return static_cast<int>(m_nodes[static_cast<int>(parent.internalId())].children.size());
}

int ChecklistModel::columnCount(const QModelIndex&) const
{
    return ColumnCount;
}

ChecklistModel::Tally ChecklistModel::tally(int node) const
{
    Tally t;
    const Node& n = m_nodes[node];
    if (n.kind == ItemNode) {
        const ChecklistItemState& it = m_report.items[n.item];
        ++t.total;
        if (it.autoStatus == u"pass")
            ++t.pass;
        else if (it.autoStatus == u"fail")
            ++t.fail;
        else
            ++t.unknown;
        t.conflicts += it.conflict ? 1 : 0;
        t.verdicts += it.verdict ? 1 : 0;
        return t;
    }
    for (const int c : n.children) {
        const Tally sub = tally(c);
        t.pass += sub.pass;
        t.fail += sub.fail;
        t.unknown += sub.unknown;
        t.conflicts += sub.conflicts;
        t.verdicts += sub.verdicts;
        t.total += sub.total;
    }
    return t;
}

QVariant ChecklistModel::groupData(const Node& n, int column, int role) const
{
    const int self = static_cast<int>(&n - m_nodes.constData());
    const Tally t = tally(self);
    const QString worst = t.fail > 0 ? QStringLiteral("fail") : t.pass > 0 ? QStringLiteral("pass") : QStringLiteral("unknown");
    switch (role) {
    case Qt::DisplayRole:
        if (column == ColItem) {
            if (n.kind == ChecklistNode) {
                const ChecklistInfo& c = m_report.checklists[n.checklist];
                return c.perComponent && !m_report.component.isEmpty()
                           ? tr("%1 — %2").arg(c.title, m_report.component)
                           : c.title;
            }
            if (n.kind == SectionNode && !n.children.isEmpty())
                return sectionLabel(m_report.items[m_nodes[n.children.front()].item]);
            return n.section;
        }
        if (column == ColStatus) {
            QStringList parts;
            if (t.fail)
                parts << tr("%1 fail").arg(t.fail);
            if (t.pass)
                parts << tr("%1 pass").arg(t.pass);
            if (t.unknown)
                parts << tr("%1 unknown").arg(t.unknown);
            return parts.join(QStringLiteral(" · "));
        }
        if (column == ColVerdict)
            return t.conflicts > 0 ? tr("%1/%2 reviewed, %3 conflict").arg(t.verdicts).arg(t.total).arg(t.conflicts)
                                   : tr("%1/%2 reviewed").arg(t.verdicts).arg(t.total);
        if (column == ColReason && n.kind == ChecklistNode) {
            const ChecklistInfo& c = m_report.checklists[n.checklist];
            return c.perComponent ? (m_report.component.isEmpty() ? tr("Whole system (pick a component to review one)")
                                                                  : tr("Component: %1").arg(m_report.component))
                                  : tr("Whole system");
        }
        return {};
    case Qt::DecorationRole:
        if (column == ColStatus)
            return review::statusIcon(worst);
        if (column == ColVerdict && t.conflicts > 0)
            return review::conflictIcon();
        return {};
    case Qt::FontRole:
        if (column == ColItem) {
            QFont f;
            f.setBold(true);
            return f;
        }
        return {};
    case Qt::ToolTipRole:
        if (n.kind == ChecklistNode)
            return m_report.checklists[n.checklist].source;
        return {};
    case NodeKindRole:
        return static_cast<int>(n.kind);
    case ItemIdRole:
        return n.kind == ChecklistNode ? m_report.checklists[n.checklist].id : n.section;
    case StatusRole:
        return worst;
    case FailingRole:
        return t.fail > 0 || t.conflicts > 0;
    case SearchTextRole:
        return n.kind == ChecklistNode ? m_report.checklists[n.checklist].title : n.section;
    default:
        return {};
    }
}

QVariant ChecklistModel::itemData(const ChecklistItemState& it, int column, int role) const
{
    switch (role) {
    case Qt::DisplayRole:
        switch (column) {
        case ColItem:
            return it.text;
        case ColStatus:
            return it.ruleId.isEmpty() ? review::statusLabel(it.autoStatus)
                                       : tr("%1 (%L2)").arg(review::statusLabel(it.autoStatus)).arg(it.evidenceCount);
        case ColVerdict:
            if (!it.verdict)
                return it.conflict ? tr("Conflict") : tr("—");
            return it.conflict ? tr("%1 — conflict").arg(review::statusLabel(it.verdict->kind))
                               : tr("%1 by %2").arg(review::statusLabel(it.verdict->kind), it.verdict->reviewer);
        case ColReason:
            return it.ruleId.isEmpty() ? tr("No log can judge this; a reviewer decides.") : it.reason;
        }
        return {};
    case Qt::DecorationRole:
        if (column == ColStatus)
            return review::statusIcon(it.autoStatus);
        if (column == ColVerdict) {
            if (it.conflict)
                return review::conflictIcon();
            if (it.verdict)
                return review::verdictIcon(it.verdict->kind);
        }
        return {};
    case Qt::ForegroundRole:
        if (column == ColStatus && it.autoStatus == u"fail")
            return review::statusColor(it.autoStatus);
        if (column == ColVerdict && it.conflict)
            return review::statusColor(QStringLiteral("conflict"));
        return {};
    case Qt::ToolTipRole: {
        QString tip = QStringLiteral("<b>%1</b> — %2<br>%3").arg(it.id.toHtmlEscaped(), it.section.toHtmlEscaped(), it.text.toHtmlEscaped());
        if (!it.ruleId.isEmpty())
            tip += QStringLiteral("<br><br>%1: %2<br><i>%3</i>")
                       .arg(review::statusLabel(it.autoStatus), it.reason.toHtmlEscaped(), it.ruleDescription.toHtmlEscaped());
        if (it.verdict)
            tip += tr("<br><br>Verdict: %1 by %2 on %3").arg(review::statusLabel(it.verdict->kind), it.verdict->reviewer.toHtmlEscaped(),
                                                           QDateTime::fromMSecsSinceEpoch(it.verdict->atMs).toString(Qt::ISODate));
        if (it.conflict)
            tip += tr("<br><b>Conflict:</b> the verdict says it holds, the evidence says it fails.");
        return tip;
    }
    case NodeKindRole:
        return static_cast<int>(ItemNode);
    case ItemIdRole:
        return it.id;
    case StatusRole:
        return it.autoStatus;
    case FailingRole:
        return it.autoStatus == u"fail" || it.conflict || (it.verdict && it.verdict->kind == u"fail");
    case SearchTextRole:
        return it.id + u' ' + it.section + u' ' + it.text;
    default:
        return {};
    }
}

QVariant ChecklistModel::data(const QModelIndex& index, int role) const
{
    if (!index.isValid() || index.model() != this)
        return {};
    const Node& n = m_nodes[static_cast<int>(index.internalId())];
    if (n.kind == ItemNode)
        return itemData(m_report.items[n.item], index.column(), role);
    return groupData(n, index.column(), role);
}

QVariant ChecklistModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case ColItem:
        return tr("Item");
    case ColStatus:
        return tr("Evidence");
    case ColVerdict:
        return tr("Verdict");
    case ColReason:
        return tr("Why");
    }
    return {};
}

} // namespace vigil::ui
