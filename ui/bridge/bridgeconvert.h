// SPDX-License-Identifier: Apache-2.0
// Conversions between core/'s plain values and the Qt value structs of bridgetypes.h
// (bridge internal). Pure functions but for the two that read an event's findings.
#pragma once

#include "bridge/bridgetypes.h"

#include "store/incidentstore.h"
#include "store/overview.h"
#include "store/storereader.h"

namespace vigil::ui {

EventFilter toFilter(const EventQuery& q);
FindingInfo toInfo(const FindingRow& f);
IncidentFilter toFilter(const IncidentQuery& q);
IncidentSummary toSummary(const IncidentRow& i);
/// The detail of an incident without its evidence events (the caller reads those).
IncidentDetail toDetail(const IncidentDetails& d);
vigil::OverviewRange toCore(OverviewRange range);
OverviewData toData(const Overview& o);

/// The stored findings of event `rowId` (none when they cannot be read); with `markMuted`,
/// those a mute rule in force now mutes are marked.
QVector<FindingInfo> findingsOf(StoreReader& r, std::int64_t rowId, bool markMuted = false);

/// An event as a table row, its preview redacted (the findings are read only for events
/// with personal data or secrets, whose spans the preview needs).
EventSummary summarize(StoreReader& r, const EventRow& e);

} // namespace vigil::ui
