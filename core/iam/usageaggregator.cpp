// SPDX-License-Identifier: Apache-2.0
#include "iam/usageaggregator.h"

#include "iam/globpattern.h"

#include <algorithm>
#include <tuple>

namespace vigil::iam {

bool observedAction(const AuditEvent& event, ObservedAction& out)
{
    if (event.kind == EventKind::ToolCall && !event.action.empty()) {
        out.action = event.action;
        out.resource = event.resource;
        out.outcome = event.outcome;
        out.field = "details.action";
        out.modelUse = false;
        return true;
    }
    if ((event.kind == EventKind::BrainPlanCreated || event.kind == EventKind::WorkerInvoked) &&
        !event.model.empty()) {
        out.action = "bedrock:InvokeModel";
        out.resource = "foundation-model/" + event.model;
        out.outcome.clear();
        out.field = "details.model";
        out.modelUse = true;
        return true;
    }
    return false;
}

UsageAggregator::UsageAggregator(std::size_t maxRefs, std::size_t maxEntries)
    : m_maxRefs(maxRefs), m_maxEntries(maxEntries)
{
}

void UsageAggregator::touchAgent(std::string_view agent, std::int64_t timestampMs)
{
    auto it = m_agents.find(std::string(agent));
    if (it == m_agents.end())
        it = m_agents.emplace(std::string(agent), AgentActivity{std::string(agent), 0,
                                                                timestampMs, timestampMs})
                 .first;
    AgentActivity& a = it->second;
    ++a.events;
    a.firstSeenMs = std::min(a.firstSeenMs, timestampMs);
    a.lastSeenMs = std::max(a.lastSeenMs, timestampMs);
}

void UsageAggregator::add(const AuditEvent& event, std::int64_t eventRef)
{
    if (event.agentName.empty())
        return;
    touchAgent(event.agentName, event.timestampMs);
    ObservedAction use;
    if (observedAction(event, use))
        addUse(event.agentName, use.action, use.resource, use.outcome, event.timestampMs, eventRef,
               use.modelUse);
}

void UsageAggregator::addUse(std::string_view agent, std::string_view action,
                             std::string_view resource, std::string_view outcome,
                             std::int64_t timestampMs, std::int64_t eventRef, bool modelUse)
{
    m_keyBuffer.assign(agent);
    m_keyBuffer.push_back('\0');
    m_keyBuffer += asciiLower(action);
    m_keyBuffer.push_back('\0');
    m_keyBuffer.append(resource);
    auto it = m_index.find(m_keyBuffer);
    if (it == m_index.end()) {
        if (m_entries.size() >= m_maxEntries) {
            ++m_dropped;
            return;
        }
        it = m_index.emplace(m_keyBuffer, m_entries.size()).first;
        UsageEntry e;
        e.agent = std::string(agent);
        e.action = std::string(action);
        e.resource = std::string(resource);
        e.modelUse = modelUse;
        m_entries.push_back(std::move(e));
    }
    UsageEntry& e = m_entries[it->second];
    ++e.count;
    if (outcome == "allowed")
        ++e.allowed;
    else if (outcome == "denied")
        ++e.denied;
    else if (outcome == "error")
        ++e.errors;
    else
        ++e.unspecified;
    e.firstSeenMs = std::min(e.firstSeenMs, timestampMs);
    e.lastSeenMs = std::max(e.lastSeenMs, timestampMs);
    if (e.eventRefs.size() < m_maxRefs)
        e.eventRefs.push_back(eventRef);
}

void UsageAggregator::addAgentActivity(const AgentActivity& activity)
{
    if (activity.agent.empty() || activity.events == 0)
        return;
    auto it = m_agents.find(activity.agent);
    if (it == m_agents.end()) {
        m_agents.emplace(activity.agent, activity);
        return;
    }
    AgentActivity& a = it->second;
    a.events += activity.events;
    a.firstSeenMs = std::min(a.firstSeenMs, activity.firstSeenMs);
    a.lastSeenMs = std::max(a.lastSeenMs, activity.lastSeenMs);
}

void UsageAggregator::clear()
{
    m_entries.clear();
    m_index.clear();
    m_agents.clear();
    m_dropped = 0;
}

std::vector<UsageEntry> UsageAggregator::entries() const
{
    std::vector<UsageEntry> out = m_entries;
    std::sort(out.begin(), out.end(), [](const UsageEntry& a, const UsageEntry& b) {
        const std::string la = asciiLower(a.action);
        const std::string lb = asciiLower(b.action);
        return std::tie(a.agent, la, a.resource) < std::tie(b.agent, lb, b.resource);
    });
    return out;
}

std::vector<AgentActivity> UsageAggregator::agents() const
{
    std::vector<AgentActivity> out;
    out.reserve(m_agents.size());
    for (const auto& [name, a] : m_agents)
        out.push_back(a);
    std::sort(out.begin(), out.end(),
              [](const AgentActivity& a, const AgentActivity& b) { return a.agent < b.agent; });
    return out;
}

} // namespace vigil::iam
