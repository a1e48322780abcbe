// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "iam/policyset.h"

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace vigil::iam {

/// Which document of the policy file a statement belongs to.
enum class PolicySource : std::uint8_t { None, Role, Boundary };

/// A reference to one statement, as a self-contained value (safe to hand to another thread).
struct StatementRef
{
    PolicySource source = PolicySource::None;
    std::string policy; ///< role name, or `permission_boundary`
    int index = -1;     ///< position in the document's Statement array
    std::string sid;
    std::string text;   ///< the statement, minified JSON

    bool isValid() const noexcept { return source != PolicySource::None && index >= 0; }
    /// `agent-brain-role.Statement[3]`, with ` (Sid DenyHaiku)` when the statement has a Sid;
    /// empty when invalid.
    std::string label() const;
};

/// The answer of the evaluator for one (agent, action, resource).
struct Decision
{
    enum Kind : std::uint8_t {
        Allowed,            ///< role allows, boundary (if any) allows, no Deny applies
        Conditional,        ///< would be allowed, but a Condition decides (not evaluated)
        ExplicitDeny,       ///< a Deny statement of the role applies
        BoundaryDeny,       ///< a Deny statement of the permission boundary applies
        BoundaryNotAllowed, ///< the role allows it, the boundary has no Allow for it
        NotGranted,         ///< implicit deny: no Allow of the role applies
        UnknownAgent,       ///< the agent has no role in the file (implicit deny)
    };
    Kind kind = NotGranted;
    /// The statement that decided: the Deny for ExplicitDeny/BoundaryDeny, the role's Allow
    /// for Allowed and BoundaryNotAllowed, the conditional statement for Conditional; invalid
    /// for NotGranted and UnknownAgent.
    StatementRef deciding;

    /// True only for Allowed (a Conditional is never a plain allow).
    bool isAllowed() const noexcept { return kind == Allowed; }
    /// True for every kind that is neither Allowed nor Conditional.
    bool isDenied() const noexcept { return kind != Allowed && kind != Conditional; }
};

/// `allowed`, `conditional`, `explicit_deny`, `boundary_deny`, `boundary_not_allowed`,
/// `not_granted`, `unknown_agent`.
std::string_view toString(Decision::Kind k);

/// A decision without strings, for hot paths: which statement of which role (or of the
/// boundary) decided. Expand it with Evaluator::expand() when a value is needed.
struct DecisionCode
{
    Decision::Kind kind = Decision::NotGranted;
    PolicySource source = PolicySource::None;
    int role = -1;      ///< index into PolicySet::roles(), -1 for an unknown agent
    int statement = -1; ///< index into the deciding document's statements
};

/// AWS's documented evaluation of identity policy + permission boundary.
///
/// An unconditional Deny of the role wins (ExplicitDeny), then one of the boundary
/// (BoundaryDeny); then the action must be allowed by the role (else NotGranted) and, when
/// the file has a boundary, by the boundary too (else BoundaryNotAllowed). Where the
/// outcome would be an allow but a statement with a Condition is involved (a conditional
/// Allow was the only allow, or a conditional Deny also matches), the answer is Conditional.
/// Actions compare case-insensitively, resources case-sensitively on their resourcePart()
/// (so `arn:aws:s3:::b/k`, `s3:::b/k` and `b/k` are one resource); `*` and `?` are wildcards.
/// Patterns are compiled at load, so an evaluation does no allocation when actions are at
/// most 128 bytes. Thread-safe: const and stateless beyond the shared, immutable PolicySet.
class Evaluator
{
public:
    explicit Evaluator(std::shared_ptr<const PolicySet> policies);

    /// Full decision for `agent` (exact, case-sensitive name) doing `action` on `resource`.
    Decision evaluate(std::string_view agent, std::string_view action,
                      std::string_view resource) const;
    /// Same as evaluate(), without building strings.
    DecisionCode decide(std::string_view agent, std::string_view action,
                        std::string_view resource) const;
    /// The decision for role `roleIndex` (its policy and the boundary), whoever holds it.
    DecisionCode decideForRole(std::size_t roleIndex, std::string_view action,
                               std::string_view resource) const;
    /// The value form of a code obtained from this evaluator.
    Decision expand(const DecisionCode& code) const;
    /// The statement a code points at, or nullptr.
    const Statement* statementOf(const DecisionCode& code) const noexcept;

    const PolicySet& policies() const noexcept { return *m_policies; }
    const std::shared_ptr<const PolicySet>& sharedPolicies() const noexcept { return m_policies; }

private:
    DecisionCode decideLower(std::size_t roleIndex, std::string_view lowerAction,
                             std::string_view part) const noexcept;

    std::shared_ptr<const PolicySet> m_policies;
};

/// How the boundary treats a whole grant (a role's action pattern × resource pattern),
/// judged on the patterns themselves (see globsIntersect/globCovers): Blocked when an
/// unconditional boundary Deny covers all of it, NotAllowed when no boundary Allow overlaps
/// it, Permits otherwise (also when there is no boundary). Patterns are the compiled forms:
/// lowercased action, resourcePart() of the resource.
enum class BoundaryVerdict : std::uint8_t { Permits, Blocked, NotAllowed };
BoundaryVerdict boundaryVerdictForGrant(const PolicyDocument* boundary,
                                        std::string_view lowerActionPattern,
                                        std::string_view resourcePattern, int* decidingIndex = nullptr);

/// Builds the StatementRef of statement `index` of `doc` (role name or `permission_boundary`).
StatementRef makeStatementRef(PolicySource source, std::string_view policyName,
                              const PolicyDocument& doc, int index);

} // namespace vigil::iam
