// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "bridge/reviewtypes.h"

#include <QAbstractItemModel>

namespace vigil::ui {

/// The checklists as a tree: checklist -> section -> item. Columns: the item (text), its
/// automatic status with the evidence count, the latest verdict (with a conflict badge)
/// and the reason. Checklist and section rows summarize their items. setReport() updates
/// the rows in place when the items are the same (a live re-evaluation keeps expansion and
/// selection), and resets the model otherwise.
class ChecklistModel : public QAbstractItemModel
{
    Q_OBJECT

public:
    enum Column { ColItem = 0, ColStatus, ColVerdict, ColReason, ColumnCount };
    enum Role {
        NodeKindRole = Qt::UserRole + 1, ///< 0 checklist, 1 section, 2 item
        ItemIdRole,                      ///< item id (items), checklist id (checklists)
        StatusRole,                      ///< item: pass/fail/unknown; groups: worst of their items
        FailingRole,                     ///< bool: the item (or any item below) fails or conflicts
        SearchTextRole,                  ///< id, section and text, for the filter
    };
    enum NodeKind { ChecklistNode = 0, SectionNode = 1, ItemNode = 2 };

    explicit ChecklistModel(QObject* parent = nullptr);

    void setReport(const ChecklistReport& report);
    /// MAESTRO section headings changed (View > MAESTRO Layer Names).
    void relabelSections();
    /// An item's section as shown: a MAESTRO item's layer label, else the seed's heading.
    static QString sectionLabel(const ChecklistItemState& item);
    const ChecklistReport& report() const { return m_report; }

    /// The item at `index` (any column), or nullptr for a group row.
    const ChecklistItemState* item(const QModelIndex& index) const;
    /// The index (column 0) of the item with `id`, or an invalid index.
    QModelIndex indexOfItem(const QString& id) const;

    QModelIndex index(int row, int column, const QModelIndex& parent = {}) const override;
    QModelIndex parent(const QModelIndex& child) const override;
    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    struct Node
    {
        NodeKind kind = ChecklistNode;
        int parent = -1;       ///< index into m_nodes, -1 for top level
        int row = 0;           ///< row under its parent
        QVector<int> children; ///< indexes into m_nodes
        int checklist = -1;    ///< index into m_report.checklists
        QString section;
        int item = -1;         ///< index into m_report.items
    };
    struct Tally
    {
        int pass = 0, fail = 0, unknown = 0, conflicts = 0, verdicts = 0, total = 0;
    };

    void rebuild();
    Tally tally(int node) const;
    QVariant groupData(const Node& n, int column, int role) const;
    QVariant itemData(const ChecklistItemState& it, int column, int role) const;
    static QString structureKey(const ChecklistReport& r);

    ChecklistReport m_report;
    QVector<Node> m_nodes;
    QVector<int> m_roots;
};

} // namespace vigil::ui
