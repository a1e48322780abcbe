// SPDX-License-Identifier: Apache-2.0
#include "ingest/auditevent.h"

#include <array>

namespace vigil {
namespace {

constexpr std::array<std::string_view, 4> kSeverityNames{"info", "warning", "error", "critical"};

struct KindName
{
    std::string_view name;
    EventKind kind;
};
constexpr std::array<KindName, 9> kKinds{{
    {"user_query_received", EventKind::UserQueryReceived},
    {"brain_plan_created", EventKind::BrainPlanCreated},
    {"worker_invoked", EventKind::WorkerInvoked},
    {"worker_result", EventKind::WorkerResult},
    {"sql_executed", EventKind::SqlExecuted},
    {"human_escalation", EventKind::HumanEscalation},
    {"security_event", EventKind::SecurityEvent},
    {"error_occurred", EventKind::ErrorOccurred},
    {"tool_call", EventKind::ToolCall},
}};

} // namespace

std::string_view toString(EventSeverity s)
{
    return kSeverityNames[static_cast<std::size_t>(s)];
}

std::optional<EventSeverity> eventSeverityFromString(std::string_view s)
{
    for (std::size_t i = 0; i < kSeverityNames.size(); ++i)
        if (kSeverityNames[i] == s)
            return static_cast<EventSeverity>(i);
    return std::nullopt;
}

EventKind eventKindFromType(std::string_view eventType)
{
    for (const KindName& k : kKinds)
        if (k.name == eventType)
            return k.kind;
    return EventKind::Custom;
}

const TextField* AuditEvent::text(std::string_view path) const
{
    for (const TextField& t : texts)
        if (t.path == path)
            return &t;
    return nullptr;
}

} // namespace vigil
