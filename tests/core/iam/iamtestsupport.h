// SPDX-License-Identifier: Apache-2.0
// Helpers shared by the IAM tests: policy fixtures and hand-built audit events (the tests do
// not depend on the decoder).
#pragma once

#include "iam/policyset.h"
#include "ingest/auditevent.h"

#include <QtTest>

#include <fstream>
#include <memory>
#include <sstream>
#include <string>

namespace vigil::iamtest {

using namespace vigil::iam;

inline std::string readText(const std::string& path)
{
    std::ifstream in(path, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

inline std::string seedPolicyPath()
{
    return std::string(VIGIL_RESOURCE_DIR) + "/policies/seed-agents.json";
}

inline std::string samplePath(const std::string& file)
{
    return std::string(VIGIL_SHARED_DIR) + "/samples/labeled-small/" + file;
}

/// Loads a policy text that the test expects to be valid (fails the test otherwise).
inline std::shared_ptr<const PolicySet> policyFromText(const std::string& json)
{
    auto r = PolicySet::load(json, "test.json");
    if (!r) {
        qWarning("%s", r.error().message.c_str());
        return nullptr;
    }
    return std::make_shared<const PolicySet>(std::move(*r));
}

inline std::shared_ptr<const PolicySet> seedPolicies()
{
    auto r = PolicySet::loadFile(seedPolicyPath());
    if (!r) {
        qWarning("%s", r.error().message.c_str());
        return nullptr;
    }
    return std::make_shared<const PolicySet>(std::move(*r));
}

inline AuditEvent toolCall(const std::string& agent, const std::string& action,
                           const std::string& resource, const std::string& outcome = "allowed",
                           std::int64_t timestampMs = 1'700'000'000'000)
{
    AuditEvent e;
    e.eventType = "tool_call";
    e.kind = EventKind::ToolCall;
    e.agentName = agent;
    e.action = action;
    e.resource = resource;
    e.outcome = outcome;
    e.timestampMs = timestampMs;
    return e;
}

inline AuditEvent modelUse(EventKind kind, const std::string& agent, const std::string& model,
                           std::int64_t timestampMs = 1'700'000'000'000)
{
    AuditEvent e;
    e.kind = kind;
    e.eventType = kind == EventKind::BrainPlanCreated ? "brain_plan_created" : "worker_invoked";
    e.agentName = agent;
    e.model = model;
    e.timestampMs = timestampMs;
    return e;
}

} // namespace vigil::iamtest
