// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "base/result.h"
#include "review/evidencesource.h"

#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace vigil {

/// How an evidence rule judges a checklist item (resources/checklists/evidence-rules.json).
enum class EvidenceKind : std::uint8_t
{
    /// fail: findings of `categories`/`rules` (in events of `eventTypes`) exist;
    /// unknown: none there, but findings of the rule's links exist in scope in other events
    /// (never pass while a threat row with the same links counts findings: the count is
    /// countLinkedFindings(), the one a threat matrix shows, and the listing lists them);
    /// pass: no linked finding in scope, and events of `eventTypes` (any event when empty)
    /// were scanned; unknown: no such events in scope.
    NoFindings,
    /// pass: events of `eventTypes` (the screened population) exist, so every attempt in
    /// them was classified; evidence is the count of classified findings, or of screened
    /// events when none was found; unknown: no such events. Never fails on its own.
    FindingsClassified,
    /// pass: events of `eventTypes` exist; unknown otherwise. Never fails.
    EventsPresent,
    /// fail: an agent has no defined role, or agents share a role; unknown without IAM.
    IamRolePerAgent,
    /// pass: a permission boundary is defined; fail: none; unknown without IAM.
    IamBoundaryPresent,
    /// fail: wildcard grants (see IamGrant) exist; pass: none; unknown without IAM.
    IamNoWildcards,
    /// fail: a secret is older than its class of the rotation table allows (guide 7.2,
    /// review/secretrotation.h), at the end of the window or now; pass: rotations are logged
    /// and none is overdue; unknown: no rotation logged. The subjects name each overdue
    /// secret.
    SecretsRotated,
};

std::string_view toString(EvidenceKind k);
std::optional<EvidenceKind> evidenceKindFromString(std::string_view s);

/// A named, data-defined rule. Which parameters matter depends on `kind` (see above);
/// parseEvidenceRules() refuses parameters a kind does not take.
struct EvidenceRule
{
    std::string id;
    EvidenceKind kind = EvidenceKind::NoFindings;
    std::vector<std::string> categories; ///< may include `rejected` (quarantined lines)
    std::vector<std::string> rules;      ///< dotted finding rule ids
    std::vector<std::string> eventTypes;
    std::string description; ///< one sentence a reviewer reads next to the status

    bool operator==(const EvidenceRule&) const = default;
};

/// The finding links of `rule`, the same kind of list a threat row holds: its categories
/// (`rejected` included) and then its rule ids. countLinkedFindings() over these links and a
/// scope is what the threat matrices count for a row with the same links.
std::vector<std::string> findingLinks(const EvidenceRule& rule);

/// Automatic status of a checklist item.
enum class EvidenceStatus : std::uint8_t
{
    Unknown,
    Pass,
    Fail
};

std::string_view toString(EvidenceStatus s);
std::optional<EvidenceStatus> evidenceStatusFromString(std::string_view s);

/// What a listing shows.
enum class EvidenceTarget : std::uint8_t
{
    Findings,
    Events,
    Rejected,
    Iam
};

std::string_view toString(EvidenceTarget t);

/// One list behind a status: run `query` against the target (findings, events or
/// quarantine) to show the `count` rows; for `Iam`, the rows are the result's subjects.
struct EvidenceListing
{
    EvidenceTarget target = EvidenceTarget::Findings;
    EvidenceQuery query;
    std::int64_t count = 0;

    bool operator==(const EvidenceListing&) const = default;
};

/// The evaluation of one rule. `count` is the evidence behind `status`: the failing
/// findings/lines/grants on fail, the examined events (or classified findings) on pass; on
/// unknown the linked findings outside the rule's event types (see NoFindings), else 0.
/// `listings` tell how to list exactly those rows.
struct EvidenceResult
{
    EvidenceStatus status = EvidenceStatus::Unknown;
    std::int64_t count = 0;
    std::string ruleId; ///< empty when the item has no rule
    std::string reason; ///< one line, e.g. `3 pii findings`
    std::vector<EvidenceListing> listings;
    std::vector<std::string> subjects; ///< IAM rules: offending agents, roles or grants

    bool operator==(const EvidenceResult&) const = default;
};

/// Where a review looks: one component (an agent name, or a plugin as it appears in
/// `agent_name`; empty for the whole system) and an inclusive time window.
struct EvidenceScope
{
    std::string component;
    std::int64_t fromMs = std::numeric_limits<std::int64_t>::min();
    std::int64_t toMs = std::numeric_limits<std::int64_t>::max();

    /// A query with this scope's agent and window and nothing else.
    EvidenceQuery baseQuery() const;
};

/// Judges `rule` against `source` within `scope`. Pure function of its inputs; IAM rules
/// restricted to `scope.component` look only at that agent (and its role).
EvidenceResult evaluateEvidence(const EvidenceRule& rule, const EvidenceSource& source,
                                const EvidenceScope& scope = {});

/// The result for an item without a rule: unknown until a reviewer decides.
EvidenceResult noEvidenceRule();

/// Parses an evidence-rules document (`{"rules":[{id, kind, ...}]}`). `sourceName` prefixes
/// error messages, which name the JSON path of the fault (`rules[2].kind: ...`). Refuses
/// unknown keys, unknown kinds and categories, parameters a kind does not take, and
/// duplicate ids; nothing is half-loaded.
Result<std::vector<EvidenceRule>> parseEvidenceRules(std::string_view json,
                                                     std::string_view sourceName);

/// The rules shipped in resources/checklists/evidence-rules.json.
Result<std::vector<EvidenceRule>> loadEvidenceRules();

} // namespace vigil
