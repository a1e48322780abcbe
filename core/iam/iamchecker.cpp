// SPDX-License-Identifier: Apache-2.0
#include "iam/iamchecker.h"

#include "iam/displaytext.h"
#include "iam/usageaggregator.h"

#include <algorithm>

namespace vigil::iam {

namespace {

FindingSeverity raised(FindingSeverity s)
{
    return s == FindingSeverity::Critical ? s
                                          : static_cast<FindingSeverity>(static_cast<int>(s) + 1);
}

std::string quotedName(std::string_view s)
{
    return "\"" + displayText(s, 64) + "\"";
}

std::string outcomeNote(std::string_view outcome)
{
    if (outcome == "allowed")
        return "; the call succeeded, so the deployed policy differs from the file";
    if (outcome == "denied")
        return "; the call was denied";
    if (outcome == "error")
        return "; the call failed";
    return {};
}

void addUnique(std::vector<std::size_t>& v, std::size_t x)
{
    if (std::find(v.begin(), v.end(), x) == v.end())
        v.push_back(x);
}

bool permits(Decision::Kind k)
{
    return k == Decision::Allowed || k == Decision::Conditional;
}

} // namespace

IamChecker::IamChecker(std::shared_ptr<const PolicySet> policies)
    : IamChecker(std::move(policies), Options{})
{
}

IamChecker::IamChecker(std::shared_ptr<const PolicySet> policies, Options options)
    : m_evaluator(std::move(policies)), m_options(options)
{
    for (const AgentEntry& a : m_evaluator.policies().agents()) {
        if (a.tier == AgentTier::Orchestrator)
            addUnique(m_orchestratorRoles, a.roleIndex);
        else if (a.tier == AgentTier::Worker)
            addUnique(m_workerRoles, a.roleIndex);
    }
}

DecisionCode IamChecker::escalationSource(std::string_view agent, std::string_view action,
                                          std::string_view resource) const
{
    const DecisionCode none{Decision::NotGranted, PolicySource::None, -1, -1};
    const AgentEntry* a = m_evaluator.policies().agent(agent);
    if (!a || a->tier != AgentTier::Worker)
        return none;
    // Only an action some worker role permits is a worker's action; that includes the
    // agent's own role, so a use its role allows is never an escalation.
    for (std::size_t r : m_workerRoles)
        if (permits(m_evaluator.decideForRole(r, action, resource).kind))
            return none;
    for (std::size_t r : m_orchestratorRoles) {
        const DecisionCode c = m_evaluator.decideForRole(r, action, resource);
        if (permits(c.kind))
            return c;
    }
    return none;
}

void IamChecker::check(const AuditEvent& event, std::vector<Finding>& out) const
{
    ObservedAction use;
    if (!observedAction(event, use))
        return;
    const DecisionCode code = m_evaluator.decide(event.agentName, use.action, use.resource);
    if (code.kind == Decision::Allowed)
        return;
    if (code.kind == Decision::Conditional && !m_options.reportConditional)
        return;

    const Decision d = m_evaluator.expand(code);
    const std::string what = "agent " + quotedName(event.agentName) + " used " +
                             displayText(use.action, 96) + " on " + displayText(use.resource);
    const AgentEntry* agent = m_evaluator.policies().agent(event.agentName);
    const std::string roleName = agent ? displayText(agent->role, 96) : std::string();

    Finding f;
    f.category = "iam";
    f.layer = use.modelUse ? kLayerModelUse : kLayerToolUse;
    f.field = std::string(use.field);
    switch (code.kind) {
    case Decision::ExplicitDeny:
        f.rule = std::string(kRuleExplicitDeny);
        f.severity = FindingSeverity::High;
        f.message = what + ", which " + displayText(d.deciding.label()) + " explicitly denies";
        break;
    case Decision::BoundaryDeny:
        f.rule = std::string(kRuleBoundary);
        f.severity = FindingSeverity::Critical;
        f.message = what + ", which the permission boundary explicitly denies (" +
                    displayText(d.deciding.label()) + ")";
        break;
    case Decision::BoundaryNotAllowed:
        f.rule = std::string(kRuleBoundary);
        f.severity = FindingSeverity::High;
        f.message = what + ", which " + displayText(d.deciding.label()) +
                    " allows but the permission boundary does not";
        break;
    case Decision::NotGranted:
        f.rule = std::string(kRuleNotGranted);
        f.severity = FindingSeverity::Medium;
        f.message = what + ", which role " + roleName + " does not grant";
        break;
    case Decision::UnknownAgent:
        f.rule = std::string(kRuleUnknownAgent);
        f.severity = FindingSeverity::Medium;
        f.message = what + ", but the agent has no role in the policy file (implicit deny)";
        break;
    case Decision::Conditional:
        f.rule = std::string(kRuleConditional);
        f.severity = FindingSeverity::Low;
        if (const Statement* st = m_evaluator.statementOf(code); st && st->effect == Effect::Deny)
            f.message = what + ", which is denied when the Condition of " +
                        displayText(d.deciding.label()) + " holds (Vigil does not evaluate it)";
        else
            f.message = what + ", allowed only under the Condition of " +
                        displayText(d.deciding.label()) + " (Vigil does not evaluate it)";
        break;
    case Decision::Allowed:
        return;
    }
    if (code.kind != Decision::Conditional) {
        if (use.outcome == "allowed")
            f.severity = raised(f.severity);
        f.message += outcomeNote(use.outcome);
    }
    out.push_back(f);

    if (!d.isDenied())
        return;
    const DecisionCode esc = escalationSource(event.agentName, use.action, use.resource);
    if (esc.role < 0)
        return;
    const Decision ed = m_evaluator.expand(esc);
    Finding p;
    p.rule = std::string(kRuleWorkerEscalation);
    p.category = "privilege_escalation";
    p.layer = kLayerEscalation;
    p.severity = FindingSeverity::High;
    p.field = std::string(use.field);
    p.message = "worker " + what + ", which only orchestrator roles allow (" +
                displayText(ed.deciding.label()) + ")" + outcomeNote(use.outcome);
    out.push_back(std::move(p));
}

} // namespace vigil::iam
