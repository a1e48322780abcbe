// SPDX-License-Identifier: Apache-2.0
#include "common/eventdelegate.h"

#include "bridge/bridgetypes.h"
#include "common/eventcolumns.h"
#include "theme.h"

#include <QApplication>
#include <QPainter>
#include <QPainterPath>

#include <algorithm>
#include <bit>

namespace vigil::ui {

void EventDelegate::paint(QPainter* painter, const QStyleOptionViewItem& option,
                          const QModelIndex& index) const
{
    if (index.data(PlaceholderRole).toBool()) {
        QStyleOptionViewItem opt(option);
        initStyleOption(&opt, index);
        opt.palette.setColor(QPalette::Text, option.palette.color(QPalette::PlaceholderText));
        QStyledItemDelegate::paint(painter, opt, index);
        return;
    }
    const Theme& theme = Theme::instance();
    if (index.column() == ColFindings) {
        // The cell's background, selection and focus without its text: the badges replace
        // the category names. (QStyledItemDelegate::paint would fill the text in again.)
        QStyleOptionViewItem opt(option);
        initStyleOption(&opt, index);
        opt.text.clear();
        const QWidget* widget = option.widget;
        QStyle* style = widget ? widget->style() : QApplication::style();
        style->drawControl(QStyle::CE_ItemViewItem, &opt, painter, widget);
        const quint32 mask = index.data(FindingMaskRole).toUInt();
        if (!mask)
            return;
        painter->save();
        painter->setRenderHint(QPainter::Antialiasing);
        QFont f = option.font;
        f.setPointSizeF(std::max(6.5, f.pointSizeF() * 0.78));
        f.setBold(true);
        painter->setFont(f);
        const QFontMetrics fm(f);
        int x = option.rect.left() + 4;
        const int h = fm.height() + 2;
        const int y = option.rect.center().y() - h / 2;
        int left = std::popcount(mask);
        for (int b = 0; b < categoryNames().size(); ++b) {
            if (!(mask & (1u << b)))
                continue;
            const QString text = Theme::categoryBadge(b);
            const int w = fm.horizontalAdvance(text) + 10;
            // The badges that do not fit are counted, not cut: "+2" (the tooltip names them).
            const QString more = QStringLiteral("+%1").arg(left - 1);
            const int reserve = left > 1 ? fm.horizontalAdvance(more) + 6 : 0;
            if (x + w + reserve > option.rect.right()) {
                painter->setPen(option.palette.color(option.state & QStyle::State_Selected ? QPalette::HighlightedText
                                                                                         : QPalette::Text));
                painter->drawText(QRect(x, y, option.rect.right() - x, h), Qt::AlignLeft | Qt::AlignVCenter,
                                  QStringLiteral("+%1").arg(left));
                break;
            }
            --left;
            QPainterPath path;
            path.addRoundedRect(QRectF(x, y, w, h), 3, 3);
            painter->fillPath(path, theme.categoryColor(b));
            painter->setPen(Qt::white);
            painter->drawText(QRect(x, y, w, h), Qt::AlignCenter, text);
            x += w + 4;
        }
        painter->restore();
        return;
    }
    if (index.column() != ColTime) {
        QStyledItemDelegate::paint(painter, option, index);
        return;
    }
    {
        QStyleOptionViewItem opt(option);
        opt.rect.adjust(6, 0, 0, 0);
        QStyledItemDelegate::paint(painter, opt, index);
        if (option.state & QStyle::State_Selected)
            painter->fillRect(QRect(option.rect.left(), option.rect.top(), 6, option.rect.height()),
                              option.palette.brush(QPalette::Highlight));

        const int fsev = index.data(FindingSeverityRole).toInt();
        const int sev = index.data(SeverityRole).toInt();
        QColor stripe;
        if (fsev >= 0)
            stripe = theme.findingSeverityColor(fsev);
        else if (sev > 0)
            stripe = theme.eventSeverityColor(sev);
        if (stripe.isValid())
            painter->fillRect(QRect(option.rect.left(), option.rect.top() + 1, 4, option.rect.height() - 2),
                              stripe);
    }
}

QSize EventDelegate::sizeHint(const QStyleOptionViewItem& option, const QModelIndex& index) const
{
    QSize s = QStyledItemDelegate::sizeHint(option, index);
    if (index.column() == ColFindings) {
        const quint32 mask = index.data(FindingMaskRole).toUInt();
        s.setWidth(std::max(s.width() / 2, 12 + 48 * static_cast<int>(std::popcount(mask))));
    }
    return s;
}

} // namespace vigil::ui
