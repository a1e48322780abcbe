// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "bridge/iamtypes.h"

#include <QStyledItemDelegate>
#include <QWidget>

namespace vigil::ui {

/// Paints a permission-map cell as a chip: the fill color of its state, its glyph and the
/// number of events behind it, and, when the cell holds entries of another state too, a
/// corner in that state's color. Focus and selection draw an outline, so the keyboard
/// position stays visible on any fill.
class PermissionCellDelegate : public QStyledItemDelegate
{
    Q_OBJECT

public:
    using QStyledItemDelegate::QStyledItemDelegate;

    void paint(QPainter* painter, const QStyleOptionViewItem& option, const QModelIndex& index) const override;
    QSize sizeHint(const QStyleOptionViewItem& option, const QModelIndex& index) const override;

    /// Paints one chip of `state` with `text` into `rect` (shared with the legend and the
    /// PNG export).
    static void paintChip(QPainter* painter, const QRect& rect, IamCellState state, const QString& text,
                          const QFont& font, bool dark, int secondaryState = -1);
};

/// The legend of the map: one chip per state with its glyph and label.
class PermissionLegend : public QWidget
{
    Q_OBJECT

public:
    explicit PermissionLegend(QWidget* parent = nullptr);

    QSize sizeHint() const override;
    /// Paints the legend at `topLeft`, `width` wide at most (only measures when `painter` is
    /// null); returns the height used.
    static int paintLegend(QPainter* painter, const QPoint& topLeft, int width, const QFont& font, bool dark,
                           const QColor& textColor);

protected:
    void paintEvent(QPaintEvent* event) override;
    void resizeEvent(QResizeEvent* event) override;
};

} // namespace vigil::ui
