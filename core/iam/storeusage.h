// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "base/result.h"
#include "iam/usageaggregator.h"
#include "store/database.h"

#include <cstdint>
#include <iosfwd>
#include <optional>

namespace vigil::iam {

/// Which stored events addUsageFromStore() reads.
struct StoreUsageOptions
{
    std::optional<std::int64_t> fromMs; ///< only events at or after (epoch ms)
    std::optional<std::int64_t> toMs;   ///< only events before (epoch ms)
    /// Also count every agent's events (any type) for UsageAggregator::agents(), which the
    /// least-privilege review uses to name agents without a role. One aggregate query over
    /// the `events_agent_ts` index.
    bool agentActivity = true;
};

/// What one addUsageFrom*() call read.
struct UsageReadStats
{
    std::uint64_t events = 0;   ///< events read (stored rows, or accepted lines)
    std::uint64_t uses = 0;     ///< IAM-relevant uses given to the aggregator
    std::uint64_t rejected = 0; ///< lines that are not valid events (files only)
};

/// Fills `usage` with the observed IAM use stored in `db` (a Vigil database, schema of
/// store/schema.cpp): the `details.action`, `details.resource` and `details.outcome` of
/// `tool_call` events and the `details.model` of `brain_plan_created` / `worker_invoked`
/// events (as `bedrock:InvokeModel` on `foundation-model/<model>`, see observedAction), each
/// with its event row id as the ref. Only rows of those three types are read, through the
/// `events_type_ts` index, with json_extract doing the decoding in SQLite; erased events
/// (details `{}`) carry no use. Rows come per event type in time order, so the refs an
/// entry keeps are its oldest events.
/// `db` is only read: a reader connection on the calling thread. Errors carry SQLite's
/// message (code `store.query`).
Result<UsageReadStats> addUsageFromStore(const Database& db, UsageAggregator& usage,
                                         const StoreUsageOptions& options = {});

/// Fills `usage` from audit events in the JSON Lines format read from `in`, decoded and
/// validated like an import; invalid lines are counted in `rejected` and skipped, blank
/// lines ignored. Refs are 1-based line numbers. Lines longer than kMaxLineBytes are
/// rejected without being held whole.
UsageReadStats addUsageFromLines(std::istream& in, UsageAggregator& usage);

} // namespace vigil::iam
