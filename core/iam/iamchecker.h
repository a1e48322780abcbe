// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "iam/evaluator.h"
#include "iam/policyset.h"
#include "ingest/auditevent.h"
#include "scan/finding.h"

#include <memory>
#include <string_view>
#include <vector>

namespace vigil::iam {

/// Rule ids the checker emits (category in brackets).
inline constexpr std::string_view kRuleExplicitDeny = "iam.explicit_deny";   ///< [iam]
inline constexpr std::string_view kRuleBoundary = "iam.boundary";            ///< [iam]
inline constexpr std::string_view kRuleNotGranted = "iam.not_granted";       ///< [iam]
inline constexpr std::string_view kRuleUnknownAgent = "iam.unknown_agent";   ///< [iam]
inline constexpr std::string_view kRuleConditional = "iam.conditional";      ///< [iam]
inline constexpr std::string_view kRuleWorkerEscalation =
    "privilege_escalation.worker_uses_orchestrator_permission"; ///< [privilege_escalation]

/// MAESTRO layers of the findings: a tool call to a cloud service is an Integration-layer
/// (3) matter; the choice of model an agent invokes is a Model-layer (1) matter; a worker
/// using what only orchestrators may do breaks the Orchestration layer's (7) hierarchy.
inline constexpr int kLayerToolUse = 3;
inline constexpr int kLayerModelUse = 1;
inline constexpr int kLayerEscalation = 7;

/// Turns the IAM-relevant action of each audit event (see observedAction) into findings.
///
/// Category `iam`, one finding per event whose action the agent's role does not plainly
/// allow: `iam.explicit_deny` (a Deny of the role; High), `iam.boundary` (a Deny of the
/// permission boundary, Critical; or an action the role allows outside the boundary,
/// High), `iam.not_granted` (no Allow; Medium), `iam.unknown_agent` (the agent has no role;
/// Medium), and `iam.conditional` (allowed only under a Condition Vigil does not evaluate;
/// Low; off with Options::reportConditional = false).
/// The event's `outcome` does not decide whether there is a finding: a denied call is still
/// an attempt outside the agent's permissions (the labeled corpus flags denied and allowed
/// attempts alike). It does raise the severity one step when the outcome is `allowed`: the
/// call succeeded although the file forbids it, so the deployed policy differs from the file.
///
/// Category `privilege_escalation` (`privilege_escalation.worker_uses_orchestrator_permission`,
/// High), in addition to the `iam` finding of the same event: a `worker`-tier agent did what
/// its own role does not allow, what the role of at least one `orchestrator`-tier agent
/// allows (or allows conditionally), and what no worker-tier agent's role allows, i.e. an
/// action "only orchestrator agents' roles allow" (spec/iam-policies.md). Agents without a
/// tier are never judged for escalation.
///
/// Field: `details.action` for tool calls, `details.model` for model use; no span. Messages
/// name the agent, action, resource and the deciding statement (role and index, plus Sid),
/// with control characters replaced and long values cut; the policy file holds no secrets
/// and nothing of the event but those three fields is quoted.
/// Thread-safe: check() is const and uses only the immutable PolicySet.
class IamChecker
{
public:
    struct Options
    {
        bool reportConditional = true;
    };

    explicit IamChecker(std::shared_ptr<const PolicySet> policies);
    IamChecker(std::shared_ptr<const PolicySet> policies, Options options);

    /// Appends the findings of `event` to `out` (none for events without an IAM action).
    void check(const AuditEvent& event, std::vector<Finding>& out) const;

    const Evaluator& evaluator() const noexcept { return m_evaluator; }

    /// For a worker-tier `agent` whose own decision is a deny: the orchestrator role
    /// decision that makes the use an escalation, or an invalid code (role -1) when it is not.
    DecisionCode escalationSource(std::string_view agent, std::string_view action,
                                  std::string_view resource) const;

private:
    Evaluator m_evaluator;
    Options m_options;
    std::vector<std::size_t> m_orchestratorRoles;
    std::vector<std::size_t> m_workerRoles;
};

} // namespace vigil::iam
