// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "review/secretrotation.h"

#include <cstdint>
#include <limits>
#include <map>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace vigil {

/// What to count or list in the evidence behind a checklist item or threat row.
///
/// Every non-empty filter narrows the match (AND), except `categories` and `rules`, which
/// are alternatives of each other: a finding matches when its category is in `categories`
/// OR its rule is in `rules` (both empty: any finding). `eventTypes` narrows to events of
/// those types (for findings: the type of the event the finding belongs to). `agent` is
/// the component filter (an event's `agent_name`). The window is inclusive on both ends
/// and applies to the event's timestamp.
///
/// Rejected lines are not findings of the findings table: the evaluator never passes the
/// category `rejected` to countFindings(); it asks countRejected() instead.
struct EvidenceQuery
{
    std::vector<std::string> categories;
    std::vector<std::string> rules;
    std::vector<std::string> eventTypes;
    std::string agent;
    std::int64_t fromMs = std::numeric_limits<std::int64_t>::min();
    std::int64_t toMs = std::numeric_limits<std::int64_t>::max();

    bool operator==(const EvidenceQuery&) const = default;
};

/// One wildcard grant in an agent role: an `Allow` statement whose Action is `*` or
/// `service:*`, that uses `NotAction` or `NotResource`, or whose Resource is exactly `*`
/// (core/iam's review kinds wildcard_action, wildcard_service_action, wildcard_resource,
/// not_action_allow, not_resource_allow). Explicit denies and the permission boundary (a
/// ceiling, not a grant) never count. Path wildcards such as
/// `table/agent-checkpoints/index/*` (which the seed guide itself uses) do not count either.
struct IamGrant
{
    std::string role;
    std::string action;   ///< as written, e.g. `s3:*`, or `NotAction: s3:DeleteObject`
    std::string resource; ///< as written, e.g. `*`

    bool operator==(const IamGrant&) const = default;
};

/// Facts about the agent IAM file (spec/iam-policies.md) that checklist rules judge.
/// The caller fills it from the parsed policy file (core/iam) and the agents seen in the
/// store; everything else (roles shared by several agents, agents without a role) the
/// evaluator derives. A plain value: copy it freely.
struct IamFacts
{
    /// `permission_boundary` is present (it applies to every agent role).
    bool hasBoundary = false;
    /// The file's `agents` map: agent name -> role name.
    std::map<std::string, std::string> roleByAgent;
    /// Names defined under `roles`.
    std::vector<std::string> definedRoles;
    /// Agent names that occur in stored events (any order, duplicates allowed).
    std::vector<std::string> observedAgents;
    /// Every wildcard grant of every role (see IamGrant).
    std::vector<IamGrant> wildcardGrants;
};

/// Read-only access to the evidence a review judges: stored events, their findings, the
/// quarantine of rejected lines, and the IAM file. Implementations decide threading; the
/// review code calls it from one thread at a time and never keeps a pointer beyond a call.
class EvidenceSource
{
public:
    virtual ~EvidenceSource() = default;

    /// Findings matching `q` (categories OR rules; event types, agent, window AND).
    virtual std::int64_t countFindings(const EvidenceQuery& q) const = 0;
    /// Stored events matching `q.eventTypes`, `q.agent` and the window; categories and
    /// rules are ignored.
    virtual std::int64_t countEvents(const EvidenceQuery& q) const = 0;
    /// Rejected (quarantined) lines in the window. A line whose agent could not be read
    /// matches only an empty `q.agent`; categories, rules and event types are ignored.
    virtual std::int64_t countRejected(const EvidenceQuery& q) const = 0;
    /// The IAM facts, or nullptr when no policy file was given.
    virtual const IamFacts* iam() const = 0;
    /// Secrets named by `security_event`s of type `secret_rotated` matching `q.agent` and the
    /// window, each with its latest rotation; other query fields are ignored.
    virtual std::vector<SecretRotations> secretRotations(const EvidenceQuery& q) const = 0;
};

/// The finding categories of spec/cli.md: injection, pii, secret, sql_mutation,
/// log_injection, length, schema, iam, privilege_escalation, model_extraction, rejected.
std::span<const std::string_view> knownFindingCategories();
bool isKnownFindingCategory(std::string_view category);

/// A dotted finding rule id: lowercase segments of `a-z 0-9 _ -`, the first starting with a
/// letter, at least two segments (`pii.email`, `input.invalid_json`).
bool isFindingRuleId(std::string_view id);

/// An event type as spec/audit-events.md allows it: `^[a-z][a-z0-9_.-]{0,63}$`.
bool isEventType(std::string_view type);

/// The category that stands for rejected (quarantined) lines.
inline constexpr std::string_view kRejectedCategory = "rejected";

/// Counts the evidence a list of links names: findings whose category or rule is linked,
/// plus rejected lines when `rejected` is linked. A link with a dot is a rule id
/// (`pii.email`), one without is a category (`pii`). `base` supplies the agent, event
/// types and window; its categories and rules are replaced. No links: 0.
std::int64_t countLinkedFindings(const std::vector<std::string>& links,
                                 const EvidenceSource& source, const EvidenceQuery& base = {});

} // namespace vigil
