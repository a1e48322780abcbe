// SPDX-License-Identifier: Apache-2.0
#pragma once

// The columns every event table shows (history, live tail, incident evidence), so that the
// models differ only in how they hold rows.

#include "bridge/bridgetypes.h"

#include <QVariant>

namespace vigil::ui {

enum EventColumn : int { ColTime, ColSeverity, ColType, ColAgent, ColThread, ColFindings, ColSummary, EventColumnCount };

/// Item data roles of event models beyond the standard ones.
enum EventRole : int {
    RowIdRole = Qt::UserRole + 1,
    FindingMaskRole,
    FindingSeverityRole,
    SeverityRole,
    TimestampRole,
    PlaceholderRole, ///< true while the row's page has not arrived
};

QVariant eventHeaderData(int section, int role);
QVariant eventCellData(const EventSummary& e, int column, int role);
/// Display text of an epoch-ms timestamp in the tables (local time, milliseconds).
QString formatTimestamp(qint64 ms);

} // namespace vigil::ui
