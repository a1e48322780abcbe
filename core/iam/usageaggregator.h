// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "ingest/auditevent.h"

#include <cstdint>
#include <limits>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace vigil::iam {

/// The action an event represents for IAM, if any: a `tool_call`'s action and resource
/// (field `details.action`), or the `model` of `brain_plan_created`/`worker_invoked` as
/// `bedrock:InvokeModel` on `foundation-model/<model>` (field `details.model`).
struct ObservedAction
{
    std::string action;
    std::string resource;
    std::string outcome;    ///< `allowed`, `denied`, `error`, or empty (model use, or absent)
    std::string_view field; ///< `details.action` or `details.model`
    bool modelUse = false;
};

/// The IAM-relevant action of `event`, or false when the event carries none (then `out`
/// is left as it was).
bool observedAction(const AuditEvent& event, ObservedAction& out);

/// Observed use of one (agent, action, resource). Actions are grouped case-insensitively
/// (the first spelling seen is kept for display); resources are kept as written.
struct UsageEntry
{
    std::string agent;
    std::string action;
    std::string resource;
    bool modelUse = false;
    std::uint64_t count = 0;
    std::uint64_t allowed = 0; ///< outcome `allowed`
    std::uint64_t denied = 0;  ///< outcome `denied`
    std::uint64_t errors = 0;  ///< outcome `error`
    std::uint64_t unspecified = 0;
    std::int64_t firstSeenMs = std::numeric_limits<std::int64_t>::max();
    std::int64_t lastSeenMs = std::numeric_limits<std::int64_t>::min();
    std::vector<std::int64_t> eventRefs; ///< the first maxRefs caller-supplied ids
};

/// Every agent seen in the window, whatever its events were.
struct AgentActivity
{
    std::string agent;
    std::uint64_t events = 0;
    std::int64_t firstSeenMs = std::numeric_limits<std::int64_t>::max();
    std::int64_t lastSeenMs = std::numeric_limits<std::int64_t>::min();
};

/// Aggregates the observed IAM use of a window of audit events, per (agent, action,
/// resource): count, outcome counts, first/last timestamps and up to `maxRefs` event refs
/// (ids the caller chooses: line numbers, row ids). Memory is bounded: at most `maxEntries`
/// distinct triples are kept; later new triples are only counted in droppedUses().
/// Not thread-safe: one owner feeds it; copy the entries out to share them.
class UsageAggregator
{
public:
    explicit UsageAggregator(std::size_t maxRefs = 16, std::size_t maxEntries = 100000);

    /// Records `event` (any kind: every event marks its agent as seen).
    void add(const AuditEvent& event, std::int64_t eventRef);
    /// Records one use directly.
    void addUse(std::string_view agent, std::string_view action, std::string_view resource,
                std::string_view outcome, std::int64_t timestampMs, std::int64_t eventRef,
                bool modelUse = false);
    /// Records that `activity.agent` appeared in `activity.events` events between its first
    /// and last timestamps, without recording any use: for callers that count agents
    /// separately from their IAM-relevant events (an aggregate query over a store). Merges
    /// with what add() recorded for the same agent; an empty agent name is ignored.
    void addAgentActivity(const AgentActivity& activity);
    /// Forgets everything.
    void clear();

    /// The entries, sorted by agent, then lowercased action, then resource.
    std::vector<UsageEntry> entries() const;
    /// Agents seen in any event, sorted by name.
    std::vector<AgentActivity> agents() const;
    /// Distinct triples and events not kept because maxEntries was reached.
    std::uint64_t droppedUses() const noexcept { return m_dropped; }
    std::size_t size() const noexcept { return m_entries.size(); }

private:
    void touchAgent(std::string_view agent, std::int64_t timestampMs);

    std::size_t m_maxRefs;
    std::size_t m_maxEntries;
    std::vector<UsageEntry> m_entries;
    std::unordered_map<std::string, std::size_t> m_index; ///< agent \0 lower(action) \0 resource
    std::unordered_map<std::string, AgentActivity> m_agents;
    std::uint64_t m_dropped = 0;
    std::string m_keyBuffer;
};

} // namespace vigil::iam
