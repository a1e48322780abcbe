// SPDX-License-Identifier: Apache-2.0
#pragma once

// Aggregates over the store for the dashboard: the overview's pre-aggregated chart data,
// the status bar's counters and the vocabulary of the filter pickers. Each reads on the
// caller's connection and thread (the views run them on a reader thread, never the UI's).

#include "base/result.h"
#include "store/database.h"
#include "store/suppression.h"

#include <array>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace vigil {

/// The window an overview covers. It always ends at the newest stored event (a database of
/// old logs still shows its last hour), rounded up to a whole minute.
enum class OverviewRange : int
{
    LastHour = 0,
    Last24Hours = 1,
    All = 2
};

/// Events of one bucket of the timeline, by event severity (info, warning, error, critical).
struct OverviewBucket
{
    std::int64_t startMs = 0;
    std::array<std::int64_t, 4> counts{};
};

/// Tokens (of `brain_plan_created` events) and cost (of those and of `sql_executed`) that
/// one agent's events declare in `details.tokens` / `details.cost`.
struct AgentUsageRow
{
    std::string agent;
    std::int64_t tokens = 0;
    double cost = 0;
};

/// The overview of one window [fromMs, toMs): per-minute buckets up to 24 hours, wider ones
/// (at most about 720) for longer histories.
struct Overview
{
    OverviewRange range = OverviewRange::LastHour;
    std::int64_t fromMs = 0;
    std::int64_t toMs = 0;
    std::int64_t bucketMs = 60000;
    std::vector<OverviewBucket> buckets;
    std::int64_t events = 0; ///< in the window (the sum of the buckets)
    /// Findings of the window by category, most first (then by name).
    std::vector<std::pair<std::string, std::int64_t>> findingsByCategory;
    std::array<std::int64_t, 7> findingsByLayer{}; ///< MAESTRO layers 1..7, in the window
    /// Open work by severity (0 low .. 3 critical): a state, not a rate, so all of it
    /// whatever the window; muted incidents are left out (incidentstore.h).
    std::array<std::int64_t, 4> openIncidentsBySeverity{};
    std::vector<AgentUsageRow> usage; ///< in the window, by agent name
};

/// The overview of `range`, with mute rules judged in `mute`. Findings are counted whether
/// muted or not (they stay stored and countable); open incidents without the muted ones.
Result<Overview> loadOverview(Database& db, OverviewRange range, const MuteScope& mute);

/// The counters of the status bar.
struct StoreCounters
{
    std::int64_t sources = 0;
    std::int64_t events = 0; ///< stored rows, erasure tombstones included
    std::int64_t findings = 0;
    std::int64_t openIncidents = 0; ///< countOpenIncidents()
};
Result<StoreCounters> storeCounters(Database& db, const MuteScope& mute);

/// Distinct agents and event types of the stored events, sorted, for filter pickers.
struct EventVocabulary
{
    std::vector<std::string> agents;
    std::vector<std::string> eventTypes;
};
Result<EventVocabulary> eventVocabulary(Database& db);

/// The highest stored event row id (0 when there is none): where a live tail starts.
Result<std::int64_t> lastEventRowId(Database& db);

} // namespace vigil
