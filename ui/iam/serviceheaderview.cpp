// SPDX-License-Identifier: Apache-2.0
#include "iam/serviceheaderview.h"

#include "iam/permissionmapmodel.h"

#include <QPainter>
#include <QStyleOptionHeader>

namespace vigil::ui {

ServiceHeaderView::ServiceHeaderView(QWidget* parent) : QHeaderView(Qt::Horizontal, parent)
{
    setSectionsClickable(true);
    setHighlightSections(true);
    setSectionsMovable(false);
    setDefaultAlignment(Qt::AlignCenter);
    setMinimumSectionSize(44);
}

int ServiceHeaderView::bandHeight() const
{
    return fontMetrics().height() + 12;
}

QString ServiceHeaderView::serviceAt(int logicalIndex) const
{
    return model() ? model()->headerData(logicalIndex, Qt::Horizontal, PermissionMapModel::ServiceRole).toString()
                   : QString();
}

std::pair<int, int> ServiceHeaderView::groupOf(int logicalIndex) const
{
    const QString service = serviceAt(logicalIndex);
    int first = logicalIndex, last = logicalIndex;
    while (first > 0 && serviceAt(first - 1) == service)
        --first;
    while (last + 1 < count() && serviceAt(last + 1) == service)
        ++last;
    return {first, last};
}

QSize ServiceHeaderView::sectionSizeFromContents(int logicalIndex) const
{
    QSize s = QHeaderView::sectionSizeFromContents(logicalIndex);
    s.setHeight(2 * bandHeight());
    return s;
}

void ServiceHeaderView::paintSection(QPainter* painter, const QRect& rect, int logicalIndex) const
{
    if (!rect.isValid())
        return;
    const int band = rect.height() / 2;
    // The action, in the lower band, as any header section.
    painter->save();
    QHeaderView::paintSection(painter, QRect(rect.left(), rect.top() + band, rect.width(), rect.height() - band),
                              logicalIndex);
    painter->restore();

    // The service, once across its group (each section of the group paints the same cell;
    // the part outside the viewport is cut so that the name stays visible while scrolling).
    const auto [first, last] = groupOf(logicalIndex);
    const int x0 = sectionViewportPosition(first);
    const int x1 = sectionViewportPosition(last) + sectionSize(last);
    QRect group(x0, rect.top(), x1 - x0, band);
    group = group.intersected(QRect(0, rect.top(), viewport()->width(), band));
    if (group.isEmpty())
        return;
    QStyleOptionHeader opt;
    initStyleOption(&opt);
    opt.rect = group;
    opt.section = first;
    opt.text = serviceAt(logicalIndex);
    opt.textAlignment = Qt::AlignCenter;
    opt.position = QStyleOptionHeader::Middle;
    opt.orientation = Qt::Horizontal;
    opt.state = QStyle::State_Raised | QStyle::State_Horizontal | (isEnabled() ? QStyle::State_Enabled : QStyle::State_None);
    painter->save();
    QFont f = painter->font();
    f.setBold(true);
    painter->setFont(f);
    style()->drawControl(QStyle::CE_Header, &opt, painter, this);
    painter->restore();
}

} // namespace vigil::ui
