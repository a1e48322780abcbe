// SPDX-License-Identifier: Apache-2.0
#include "iam/policyreview.h"

#include "iam/displaytext.h"

#include <algorithm>

namespace vigil::iam {

std::string_view toString(ReviewKind k)
{
    switch (k) {
    case ReviewKind::MissingBoundary:
        return "missing_boundary";
    case ReviewKind::UnassignedRole:
        return "unassigned_role";
    case ReviewKind::WildcardAction:
        return "wildcard_action";
    case ReviewKind::WildcardServiceAction:
        return "wildcard_service_action";
    case ReviewKind::WildcardResource:
        return "wildcard_resource";
    case ReviewKind::NotActionAllow:
        return "not_action_allow";
    case ReviewKind::NotResourceAllow:
        return "not_resource_allow";
    case ReviewKind::ConditionalGrant:
        return "conditional_grant";
    case ReviewKind::DeadGrant:
        return "dead_grant";
    case ReviewKind::UnusedGrant:
        return "unused_grant";
    case ReviewKind::MissingTier:
        return "missing_tier";
    case ReviewKind::UnknownAgent:
        return "unknown_agent";
    }
    return "unknown";
}

namespace {

constexpr std::string_view kBoundaryName = "permission_boundary";

std::string joined(const std::vector<std::string>& v)
{
    std::string out;
    for (const std::string& s : v) {
        if (!out.empty())
            out += ", ";
        out += displayText(s, 96);
    }
    return out;
}

bool isServiceWildcard(std::string_view lowerAction)
{
    return lowerAction.size() > 2 && lowerAction.ends_with(":*") &&
           lowerAction.find_first_of("*?") == lowerAction.size() - 1;
}

class Reviewer
{
public:
    Reviewer(const PolicySet& p, const UsageAggregator* usage) : m_p(p)
    {
        if (usage) {
            m_entries = usage->entries();
            m_agentsSeen = usage->agents();
            m_haveUsage = true;
        }
    }

    std::vector<ReviewItem> run()
    {
        if (!m_p.boundary())
            add(ReviewKind::MissingBoundary, FindingSeverity::High, {}, {}, {},
                "no permission_boundary: nothing caps what a role may grant");
        for (std::size_t r = 0; r < m_p.roles().size(); ++r)
            reviewRole(r);
        reviewAgents();
        return std::move(m_items);
    }

private:
    void add(ReviewKind kind, FindingSeverity sev, std::string agent, std::string role,
             StatementRef ref, std::string text)
    {
        m_items.push_back(ReviewItem{kind, sev, std::move(agent), std::move(role), std::move(ref),
                                     std::move(text)});
    }

    std::vector<std::string> holders(std::size_t roleIndex) const
    {
        std::vector<std::string> out;
        for (const AgentEntry& a : m_p.agents())
            if (a.roleIndex == roleIndex)
                out.push_back(a.name);
        return out;
    }

    void reviewRole(std::size_t roleIndex)
    {
        const Role& role = m_p.roles()[roleIndex];
        const std::vector<std::string> agents = holders(roleIndex);
        if (agents.empty())
            add(ReviewKind::UnassignedRole, FindingSeverity::Low, {}, role.name, {},
                "role " + displayText(role.name, 96) + " is not assigned to any agent");
        const auto& sts = role.policy.statements;
        for (std::size_t i = 0; i < sts.size(); ++i) {
            const Statement& st = sts[i];
            if (st.effect != Effect::Allow)
                continue;
            const StatementRef ref =
                makeStatementRef(PolicySource::Role, role.name, role.policy, static_cast<int>(i));
            const std::string label = displayText(ref.label());
            reviewGrantShape(role, st, ref, label);
            reviewDeadAndUnused(role, st, ref, label, agents);
        }
    }

    void reviewGrantShape(const Role& role, const Statement& st, const StatementRef& ref,
                          const std::string& label)
    {
        if (st.notAction)
            add(ReviewKind::NotActionAllow, FindingSeverity::High, {}, role.name, ref,
                label + " allows every action except " + joined(st.actions));
        else
            for (std::size_t a = 0; a < st.actions.size(); ++a) {
                const std::string& lower = st.actionPatterns[a].text();
                if (lower == "*")
                    add(ReviewKind::WildcardAction, FindingSeverity::Critical, {}, role.name, ref,
                        label + " allows every action (Action \"*\")");
                else if (isServiceWildcard(lower))
                    add(ReviewKind::WildcardServiceAction, FindingSeverity::Medium, {}, role.name,
                        ref,
                        label + " allows every action of a service (" +
                            displayText(st.actions[a], 96) + ")");
            }
        if (st.notResource)
            add(ReviewKind::NotResourceAllow, FindingSeverity::Medium, {}, role.name, ref,
                label + " applies to every resource except " + joined(st.resources));
        else
            for (std::size_t r = 0; r < st.resources.size(); ++r)
                if (st.resourcePatterns[r].matchesEverything())
                    add(ReviewKind::WildcardResource, FindingSeverity::Medium, {}, role.name, ref,
                        label + " applies to every resource (" + displayText(st.resources[r], 96) +
                            ")");
        if (st.hasCondition())
            add(ReviewKind::ConditionalGrant, FindingSeverity::Low, {}, role.name, ref,
                label + " has a Condition (" + displayText(st.condition) +
                    "), which Vigil shows but does not evaluate");
    }

    /// Entries of the observed use by any of `agents` that `st` covers through action
    /// pattern `a` (or any action, for a = npos).
    bool used(const Statement& st, std::size_t a, const std::vector<std::string>& agents) const
    {
        for (const UsageEntry& e : m_entries) {
            if (std::find(agents.begin(), agents.end(), e.agent) == agents.end())
                continue;
            const std::string lower = asciiLower(e.action);
            const bool actionOk = a == std::string::npos ? st.matchesAction(lower)
                                                         : st.actionPatterns[a].matches(lower);
            if (actionOk && st.matchesResource(resourcePart(e.resource)))
                return true;
        }
        return false;
    }

    void reviewDeadAndUnused(const Role& role, const Statement& st, const StatementRef& ref,
                             const std::string& label, const std::vector<std::string>& agents)
    {
        const PolicyDocument* boundary = m_p.boundary();
        if (st.notAction || st.notResource) {
            if (m_haveUsage && !used(st, std::string::npos, agents))
                add(ReviewKind::UnusedGrant, FindingSeverity::Low, {}, role.name, ref,
                    label + " was not used in the observed window");
            return;
        }
        for (std::size_t a = 0; a < st.actions.size(); ++a) {
            bool anyLive = false;
            for (std::size_t r = 0; r < st.resources.size(); ++r) {
                int deciding = -1;
                const BoundaryVerdict v = boundaryVerdictForGrant(
                    boundary, st.actionPatterns[a].text(), st.resourcePatterns[r].text(), &deciding);
                if (v == BoundaryVerdict::Permits) {
                    anyLive = true;
                    continue;
                }
                const std::string grant = label + " grants " + displayText(st.actions[a], 96) +
                                          " on " + displayText(st.resources[r]);
                if (v == BoundaryVerdict::Blocked)
                    add(ReviewKind::DeadGrant, FindingSeverity::Medium, {}, role.name, ref,
                        grant + ", but the permission boundary denies it (" +
                            makeStatementRef(PolicySource::Boundary, kBoundaryName, *boundary,
                                             deciding)
                                .label() +
                            ")");
                else
                    add(ReviewKind::DeadGrant, FindingSeverity::Medium, {}, role.name, ref,
                        grant + ", but the permission boundary does not allow it");
            }
            if (anyLive && m_haveUsage && !used(st, a, agents))
                add(ReviewKind::UnusedGrant, FindingSeverity::Low, {}, role.name, ref,
                    label + " grants " + displayText(st.actions[a], 96) +
                        ", which no agent holding the role (" +
                        (agents.empty() ? std::string("none") : joined(agents)) +
                        ") used in the observed window");
        }
    }

    void reviewAgents()
    {
        if (!m_p.hasTiers()) {
            if (!m_p.agents().empty())
                add(ReviewKind::MissingTier, FindingSeverity::Low, {}, {}, {},
                    "the file has no tiers: privilege escalation between agents is not checked");
        } else {
            for (const AgentEntry& a : m_p.agents())
                if (a.tier == AgentTier::Unspecified)
                    add(ReviewKind::MissingTier, FindingSeverity::Low, a.name, a.role, {},
                        "agent " + displayText(a.name, 96) +
                            " has no tier: privilege escalation is not checked for it");
        }
        for (const AgentActivity& seen : m_agentsSeen)
            if (!m_p.agent(seen.agent))
                add(ReviewKind::UnknownAgent, FindingSeverity::Medium, seen.agent, {}, {},
                    "agent " + displayText(seen.agent, 96) + " appears in " +
                        std::to_string(seen.events) +
                        " events but has no role in the policy file (every action is an "
                        "implicit deny)");
    }

    const PolicySet& m_p;
    std::vector<UsageEntry> m_entries;
    std::vector<AgentActivity> m_agentsSeen;
    bool m_haveUsage = false;
    std::vector<ReviewItem> m_items;
};

} // namespace

std::vector<ReviewItem> reviewPolicies(const PolicySet& policies, const UsageAggregator* usage)
{
    return Reviewer(policies, usage).run();
}

} // namespace vigil::iam
