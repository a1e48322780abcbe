// SPDX-License-Identifier: Apache-2.0
#include "iam/permissioncelldelegate.h"

#include "iam/permissionmapmodel.h"
#include "theme.h"

#include <QPainter>
#include <QPainterPath>

namespace vigil::ui {

void PermissionCellDelegate::paintChip(QPainter* painter, const QRect& rect, IamCellState state, const QString& text,
                                       const QFont& font, bool dark, int secondaryState)
{
    painter->save();
    painter->setRenderHint(QPainter::Antialiasing, true);
    const QColor fill = PermissionMapModel::fillColor(state, dark);
    QPainterPath chip;
    chip.addRoundedRect(QRectF(rect), 3, 3);
    painter->fillPath(chip, fill);
    if (state == IamCellState::AllowedUnused) {
        // The palest chip gets an outline so that it stands out from an empty cell.
        painter->setPen(QPen(PermissionMapModel::textColor(state, dark), 1, Qt::DotLine));
        painter->drawPath(chip);
    }
    if (secondaryState >= 0) {
        const int s = std::min(rect.height() / 2, 11);
        QPainterPath corner;
        corner.moveTo(rect.right() + 1 - s, rect.top());
        corner.lineTo(rect.right() + 1, rect.top());
        corner.lineTo(rect.right() + 1, rect.top() + s);
        corner.closeSubpath();
        painter->setClipPath(chip);
        painter->fillPath(corner, PermissionMapModel::fillColor(static_cast<IamCellState>(secondaryState), dark));
        painter->setPen(QPen(dark ? QColor(0x17, 0x19, 0x1e) : Qt::white, 1));
        painter->drawLine(QPointF(rect.right() + 1 - s, rect.top()), QPointF(rect.right() + 1, rect.top() + s));
        painter->setClipping(false);
    }
    QFont f = font;
    f.setBold(true);
    painter->setFont(f);
    painter->setPen(PermissionMapModel::textColor(state, dark));
    painter->drawText(rect, Qt::AlignCenter, text);
    painter->restore();
}

void PermissionCellDelegate::paint(QPainter* painter, const QStyleOptionViewItem& option, const QModelIndex& index) const
{
    const bool dark = Theme::instance().isDark();
    const int state = index.data(PermissionMapModel::StateRole).toInt();
    const QRect chip = option.rect.adjusted(3, 3, -3, -3);
    if (state >= 0)
        paintChip(painter, chip, static_cast<IamCellState>(state), index.data(Qt::DisplayRole).toString(), option.font,
                  dark, index.data(PermissionMapModel::SecondaryStateRole).toInt());
    const bool focus = option.state & QStyle::State_HasFocus;
    const bool selected = option.state & QStyle::State_Selected;
    if (focus || selected) {
        painter->save();
        painter->setRenderHint(QPainter::Antialiasing, true);
        QPen pen(option.palette.color(QPalette::Highlight), focus ? 2.5 : 1.5);
        painter->setPen(pen);
        painter->setBrush(Qt::NoBrush);
        painter->drawRoundedRect(QRectF(option.rect).adjusted(1.5, 1.5, -1.5, -1.5), 4, 4);
        painter->restore();
    }
}

QSize PermissionCellDelegate::sizeHint(const QStyleOptionViewItem& option, const QModelIndex& index) const
{
    QFont f = option.font;
    f.setBold(true);
    const QFontMetrics fm(f);
    const int w = fm.horizontalAdvance(index.data(Qt::DisplayRole).toString()) + 20;
    return {std::max(w, 52), fm.height() + 14};
}

PermissionLegend::PermissionLegend(QWidget* parent) : QWidget(parent)
{
    setObjectName(QStringLiteral("iamLegend"));
    setSizePolicy(QSizePolicy::Preferred, QSizePolicy::Fixed);
    connect(&Theme::instance(), &Theme::changed, this, [this] { update(); });
}

namespace {

constexpr int kChipWidth = 26;
constexpr int kGap = 6;
constexpr int kItemGap = 18;

} // namespace

int PermissionLegend::paintLegend(QPainter* painter, const QPoint& topLeft, int width, const QFont& font, bool dark,
                                  const QColor& textColor)
{
    const QFontMetrics fm(font);
    const int h = fm.height() + 8;
    int x = topLeft.x(), y = topLeft.y();
    for (int s = 0; s < kIamCellStateCount; ++s) {
        const auto state = static_cast<IamCellState>(s);
        const QString text = PermissionMapModel::label(state);
        const int itemWidth = kChipWidth + kGap + fm.horizontalAdvance(text);
        if (x > topLeft.x() && x + itemWidth > topLeft.x() + width) {
            x = topLeft.x();
            y += h + 4;
        }
        if (painter) {
            PermissionCellDelegate::paintChip(painter, QRect(x, y, kChipWidth, h), state,
                                              PermissionMapModel::glyph(state), font, dark);
            painter->save();
            painter->setFont(font);
            painter->setPen(textColor);
            painter->drawText(QRect(x + kChipWidth + kGap, y, itemWidth, h), Qt::AlignVCenter | Qt::AlignLeft, text);
            painter->restore();
        }
        x += itemWidth + kItemGap;
    }
    return y + h - topLeft.y();
}

QSize PermissionLegend::sizeHint() const
{
    const QFontMetrics fm(font());
    int w = 0;
    for (int s = 0; s < kIamCellStateCount; ++s)
        w += kChipWidth + kGap + fm.horizontalAdvance(PermissionMapModel::label(static_cast<IamCellState>(s))) + kItemGap;
    return {w, fm.height() + 12};
}

void PermissionLegend::resizeEvent(QResizeEvent* event)
{
    QWidget::resizeEvent(event);
    // Wraps on narrow windows.
    const int needed = paintLegend(nullptr, QPoint(2, 2), width() - 4, font(), false, {}) + 4;
    if (needed != height())
        setFixedHeight(needed);
}

void PermissionLegend::paintEvent(QPaintEvent*)
{
    QPainter p(this);
    paintLegend(&p, QPoint(2, 2), width() - 4, font(), Theme::instance().isDark(),
                palette().color(QPalette::WindowText));
}

} // namespace vigil::ui
