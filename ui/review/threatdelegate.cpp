// SPDX-License-Identifier: Apache-2.0
#include "review/threatdelegate.h"

#include "bridge/bridgetypes.h"
#include "bridge/reviewtypes.h"
#include "review/threatmatrixmodel.h"

#include <QComboBox>
#include <QCompleter>
#include <QLineEdit>

namespace vigil::ui {

ThreatDelegate::ThreatDelegate(QObject* parent) : QStyledItemDelegate(parent) {}

QList<QPair<QString, int>> ThreatDelegate::choices(int column)
{
    QList<QPair<QString, int>> out;
    switch (column) {
    case ThreatMatrixModel::ColLayer:
        for (int l = 1; l <= 7; ++l)
            out.push_back({ThreatMatrixModel::layerLabel(l), l});
        break;
    case ThreatMatrixModel::ColSeverity:
        for (int s = 0; s <= 3; ++s)
            out.push_back({threatSeverityText(static_cast<ThreatSeverityLevel>(s)), s});
        break;
    case ThreatMatrixModel::ColStatus:
        for (int s = 0; s <= 3; ++s)
            out.push_back({threatStatusLabel(static_cast<ThreatRowStatus>(s)), s});
        break;
    default:
        break;
    }
    return out;
}

QWidget* ThreatDelegate::createEditor(QWidget* parent, const QStyleOptionViewItem& option, const QModelIndex& index) const
{
    const auto options = choices(index.column());
    if (!options.isEmpty()) {
        auto* box = new QComboBox(parent);
        box->setObjectName(QStringLiteral("threatEnumEditor"));
        for (const auto& [label, value] : options)
            box->addItem(label, value);
        // Commit as soon as a choice is made with the mouse or Enter (createEditor is const;
        // the signal is not).
        auto* self = const_cast<ThreatDelegate*>(this);
        connect(box, &QComboBox::activated, self, [self, box] { Q_EMIT self->commitData(box); });
        return box;
    }
    QWidget* editor = QStyledItemDelegate::createEditor(parent, option, index);
    if (index.column() == ThreatMatrixModel::ColLinks)
        if (auto* line = qobject_cast<QLineEdit*>(editor)) {
            QStringList words = categoryNames();
            words.removeAll(QStringLiteral("other"));
            words.push_back(QStringLiteral("rejected"));
            auto* completer = new QCompleter(words, line);
            completer->setCaseSensitivity(Qt::CaseInsensitive);
            line->setCompleter(completer);
            line->setPlaceholderText(tr("e.g. pii; secret; injection.override"));
        }
    return editor;
}

void ThreatDelegate::setEditorData(QWidget* editor, const QModelIndex& index) const
{
    if (auto* box = qobject_cast<QComboBox*>(editor); box && !choices(index.column()).isEmpty()) {
        const int i = box->findData(index.data(Qt::EditRole).toInt());
        box->setCurrentIndex(std::max(0, i));
        return;
    }
    QStyledItemDelegate::setEditorData(editor, index);
}

void ThreatDelegate::setModelData(QWidget* editor, QAbstractItemModel* model, const QModelIndex& index) const
{
    if (auto* box = qobject_cast<QComboBox*>(editor); box && !choices(index.column()).isEmpty()) {
        model->setData(index, box->currentData(), Qt::EditRole);
        return;
    }
    QStyledItemDelegate::setModelData(editor, model, index);
}

} // namespace vigil::ui
