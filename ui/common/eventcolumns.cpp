// SPDX-License-Identifier: Apache-2.0
#include "common/eventcolumns.h"

#include "theme.h"

#include <QCoreApplication>
#include <QDateTime>

namespace vigil::ui {

QString formatTimestamp(qint64 ms)
{
    return QDateTime::fromMSecsSinceEpoch(ms).toString(QStringLiteral("yyyy-MM-dd HH:mm:ss.zzz"));
}

QVariant eventHeaderData(int section, int role)
{
    if (role != Qt::DisplayRole)
        return {};
    switch (section) {
    case ColTime: return QCoreApplication::translate("vigil", "Time");
    case ColSeverity: return QCoreApplication::translate("vigil", "Severity");
    case ColType: return QCoreApplication::translate("vigil", "Event type");
    case ColAgent: return QCoreApplication::translate("vigil", "Agent");
    case ColThread: return QCoreApplication::translate("vigil", "Thread");
    case ColFindings: return QCoreApplication::translate("vigil", "Findings");
    case ColSummary: return QCoreApplication::translate("vigil", "Summary");
    default: return {};
    }
}

namespace {

/// The finding categories of `mask`, comma-separated, in bit order.
QString categoriesOf(quint32 mask)
{
    QStringList names;
    for (int b = 0; b < categoryNames().size(); ++b)
        if (mask & (1u << b))
            names << categoryNames().at(b);
    return names.join(QStringLiteral(", "));
}

} // namespace

QVariant eventCellData(const EventSummary& e, int column, int role)
{
    switch (role) {
    case Qt::DisplayRole:
        switch (column) {
        case ColTime: return formatTimestamp(e.timestampMs);
        case ColSeverity: return severityName(e.severity);
        case ColType: return e.eventType;
        case ColAgent: return e.agent;
        case ColThread: return e.threadId;
        case ColFindings: return categoriesOf(e.findingMask);
        case ColSummary: return e.preview;
        default: return {};
        }
    case Qt::ToolTipRole:
        if (column == ColSummary)
            return e.preview;
        if (column == ColFindings && e.findingSeverity >= 0)
            return QCoreApplication::translate("vigil", "%1\nHighest finding severity: %2")
                .arg(categoriesOf(e.findingMask), findingSeverityName(e.findingSeverity));
        return {};
    case Qt::ForegroundRole:
        if (column == ColSeverity && e.severity > 0)
            return Theme::instance().eventSeverityColor(e.severity);
        return {};
    case RowIdRole: return e.rowId;
    case FindingMaskRole: return e.findingMask;
    case FindingSeverityRole: return e.findingSeverity;
    case SeverityRole: return e.severity;
    case TimestampRole: return e.timestampMs;
    case PlaceholderRole: return false;
    default: return {};
    }
}

} // namespace vigil::ui
