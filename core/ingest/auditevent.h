// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace vigil {

/// Severity of an audit event as the producer declared it.
enum class EventSeverity : std::uint8_t { Info, Warning, Error, Critical };

/// The event types spec/audit-events.md knows; anything else is kept as Custom.
enum class EventKind : std::uint8_t {
    UserQueryReceived,
    BrainPlanCreated,
    WorkerInvoked,
    WorkerResult,
    SqlExecuted,
    HumanEscalation,
    SecurityEvent,
    ErrorOccurred,
    ToolCall,
    Custom,
};

std::string_view toString(EventSeverity s);
std::optional<EventSeverity> eventSeverityFromString(std::string_view s);
EventKind eventKindFromType(std::string_view eventType);

/// One string value found inside `details` (or a scanned top-level field), with its JSON
/// path in the dotted form the CLI prints: `details.query`, `details.filters[0].value`.
struct TextField
{
    std::string path;
    std::string value;
};

/// A validated audit event. Built once by the decoder; nothing downstream indexes raw JSON
/// again. Optional strings are empty when absent (the spec forbids empty values).
struct AuditEvent
{
    std::int64_t timestampMs = 0;
    std::string timestamp; ///< as written, validated RFC 3339 UTC
    std::string eventType;
    EventKind kind = EventKind::Custom;
    std::string agentName;
    std::string threadId;
    EventSeverity severity = EventSeverity::Info;
    std::string eventId;
    std::string userId; ///< top-level user_id, else details.user_id of a user query
    std::string traceId;
    std::string spanId;

    /// `details` re-serialized compactly (minified), at most 64 KiB.
    std::string detailsJson;

    /// Every string leaf of `details`, depth first, in document order. Scanners read these.
    std::vector<TextField> texts;

    // Typed details of the known event types (empty / nullopt when not applicable).
    std::string model;                 ///< brain_plan_created, worker_invoked
    std::optional<std::int64_t> tokens; ///< brain_plan_created
    std::optional<double> cost;         ///< brain_plan_created, sql_executed
    std::string workerName;             ///< worker_invoked
    std::string action;                 ///< tool_call: `service:Action`
    std::string resource;               ///< tool_call
    std::string outcome;                ///< tool_call: allowed | denied | error (optional)
    std::string securityType;           ///< security_event.type
    std::string outputSchema;           ///< worker_result.schema: metric | table (optional)
    std::string outputJson;             ///< worker_result.output when it is an object/array (minified)
    std::optional<double> confidence;   ///< worker_result, human_escalation
    std::optional<std::int64_t> bytesScanned; ///< sql_executed

    /// Character count of the whole `details` object as serialized (for the 10,000 limit).
    std::size_t detailsChars = 0;

    /// The first value of `texts` at exactly `path`, or nullptr.
    const TextField* text(std::string_view path) const;
};

} // namespace vigil
