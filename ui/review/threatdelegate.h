// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QStyledItemDelegate>

namespace vigil::ui {

/// Editors of a threat-matrix table: a combo box for the enumerations (layer 1-7 with the
/// MAESTRO layer names, severity LOW/MED/HIGH/CRITICAL, status open/mitigated/accepted/not
/// applicable), a line edit for the links with the known finding categories to complete,
/// and the default editors for free text. Writes through ThreatMatrixModel::setData, so
/// every edit is undoable.
class ThreatDelegate : public QStyledItemDelegate
{
    Q_OBJECT

public:
    explicit ThreatDelegate(QObject* parent = nullptr);

    QWidget* createEditor(QWidget* parent, const QStyleOptionViewItem& option, const QModelIndex& index) const override;
    void setEditorData(QWidget* editor, const QModelIndex& index) const override;
    void setModelData(QWidget* editor, QAbstractItemModel* model, const QModelIndex& index) const override;

    /// The (label, value) choices of an enumeration column; empty for other columns.
    static QList<QPair<QString, int>> choices(int column);
};

} // namespace vigil::ui
