// SPDX-License-Identifier: Apache-2.0
#include "review/reviewicons.h"

#include "theme.h"

#include <QCoreApplication>
#include <QPainter>
#include <QPainterPath>
#include <QPixmap>

namespace vigil::ui::review {
namespace {

enum class Glyph { Check, Cross, Question, Dash, Bang };

QIcon badge(const QColor& fill, Glyph glyph, bool outlined)
{
    QIcon icon;
    for (const int size : {16, 32}) {
        QPixmap pm(size, size);
        pm.fill(Qt::transparent);
        QPainter p(&pm);
        p.setRenderHint(QPainter::Antialiasing);
        const qreal s = size;
        const QRectF r(s * 0.06, s * 0.06, s * 0.88, s * 0.88);
        if (outlined) {
            p.setPen(QPen(fill, s * 0.1));
            p.setBrush(Qt::NoBrush);
            p.drawEllipse(r.adjusted(s * 0.05, s * 0.05, -s * 0.05, -s * 0.05));
        } else {
            p.setPen(Qt::NoPen);
            p.setBrush(fill);
            p.drawEllipse(r);
        }
        const QColor ink = outlined ? fill : QColor(Qt::white);
        QPen pen(ink, s * 0.13, Qt::SolidLine, Qt::RoundCap, Qt::RoundJoin);
        p.setPen(pen);
        p.setBrush(Qt::NoBrush);
        QPainterPath path;
        switch (glyph) {
        case Glyph::Check:
            path.moveTo(s * 0.29, s * 0.52);
            path.lineTo(s * 0.44, s * 0.67);
            path.lineTo(s * 0.72, s * 0.36);
            p.drawPath(path);
            break;
        case Glyph::Cross:
            p.drawLine(QPointF(s * 0.34, s * 0.34), QPointF(s * 0.66, s * 0.66));
            p.drawLine(QPointF(s * 0.66, s * 0.34), QPointF(s * 0.34, s * 0.66));
            break;
        case Glyph::Dash:
            p.drawLine(QPointF(s * 0.32, s * 0.5), QPointF(s * 0.68, s * 0.5));
            break;
        case Glyph::Bang:
            p.drawLine(QPointF(s * 0.5, s * 0.27), QPointF(s * 0.5, s * 0.56));
            p.drawPoint(QPointF(s * 0.5, s * 0.73));
            break;
        case Glyph::Question: {
            QFont f = p.font();
            f.setPixelSize(static_cast<int>(s * 0.62));
            f.setBold(true);
            p.setFont(f);
            p.drawText(QRectF(0, 0, s, s), Qt::AlignCenter, QStringLiteral("?"));
            break;
        }
        }
        icon.addPixmap(pm);
    }
    return icon;
}

} // namespace

QColor statusColor(const QString& status)
{
    const bool dark = Theme::instance().isDark();
    if (status == u"pass")
        return dark ? QColor(0x5c, 0xc2, 0x6a) : QColor(0x2e, 0x7d, 0x32);
    if (status == u"fail")
        return dark ? QColor(0xff, 0x5c, 0x6c) : QColor(0xc4, 0x1d, 0x2e);
    if (status == u"conflict")
        return dark ? QColor(0xf0, 0xb4, 0x29) : QColor(0xc7, 0x6a, 0x00);
    if (status == u"not_applicable")
        return dark ? QColor(0x8f, 0xa3, 0xbf) : QColor(0x5b, 0x6b, 0x82);
    return dark ? QColor(0x80, 0x88, 0x94) : QColor(0x8a, 0x93, 0x9e);
}

QIcon statusIcon(const QString& status)
{
    if (status == u"pass")
        return badge(statusColor(status), Glyph::Check, false);
    if (status == u"fail")
        return badge(statusColor(status), Glyph::Cross, false);
    return badge(statusColor(QStringLiteral("unknown")), Glyph::Question, true);
}

QIcon verdictIcon(const QString& kind)
{
    if (kind == u"pass")
        return badge(statusColor(kind), Glyph::Check, true);
    if (kind == u"fail")
        return badge(statusColor(kind), Glyph::Cross, true);
    return badge(statusColor(QStringLiteral("not_applicable")), Glyph::Dash, true);
}

QIcon conflictIcon()
{
    return badge(statusColor(QStringLiteral("conflict")), Glyph::Bang, false);
}

QString statusLabel(const QString& status)
{
    if (status == u"pass")
        return QCoreApplication::translate("vigil::ui::review", "Pass");
    if (status == u"fail")
        return QCoreApplication::translate("vigil::ui::review", "Fail");
    if (status == u"not_applicable")
        return QCoreApplication::translate("vigil::ui::review", "Not applicable");
    return QCoreApplication::translate("vigil::ui::review", "Unknown");
}

} // namespace vigil::ui::review
