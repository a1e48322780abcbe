// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "bridge/bridgetypes.h"

#include <QByteArray>

namespace vigil::ui {

/// Incidents as CSV (RFC 4180: CRLF records, quoted fields; text cells that a spreadsheet
/// would evaluate are prefixed with ').
QByteArray incidentsToCsv(const QVector<IncidentSummary>& incidents);
/// Incidents as a JSON array of objects with the same fields.
QByteArray incidentsToJson(const QVector<IncidentSummary>& incidents);

} // namespace vigil::ui
