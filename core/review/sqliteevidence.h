// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "base/result.h"
#include "review/evidencerule.h"
#include "review/evidencesource.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace vigil {

class Database;
namespace iam {
class PolicySet;
}

/// The IAM facts a checklist judges, taken from a parsed policy file: the agent -> role
/// map, the defined roles, whether a permission boundary exists, and one IamGrant per Allow
/// statement of a role that iam::reviewPolicies() flags as wildcard_action,
/// wildcard_service_action, wildcard_resource, not_action_allow or not_resource_allow
/// (a statement flagged for several of these is one grant). `observedAgents` is copied
/// as given. Pure function.
IamFacts iamFactsFrom(const iam::PolicySet& policies, std::vector<std::string> observedAgents);

/// One row behind an EvidenceListing, for drill-down: an event, a finding (with the row
/// id of its event) or a rejected line. Holds no matched text: findings carry their rule
/// and message, rejected lines their reason and message, never the raw line.
struct EvidenceRow
{
    EvidenceTarget target = EvidenceTarget::Events;
    std::int64_t id = 0;         ///< events.id, findings.id or quarantine.id
    std::int64_t eventRowId = 0; ///< the event (for findings, the event they belong to); 0 for rejected
    std::int64_t timestampMs = 0; ///< event time; for rejected lines, when the line was received
    std::string agent;            ///< empty for rejected lines
    std::string eventType;        ///< empty for rejected lines
    std::string threadId;         ///< the event's thread; empty for rejected lines
    std::string category;         ///< findings: category; rejected: `rejected`
    std::string rule;             ///< findings: rule id; rejected: the input.* reason
    int severity = -1;            ///< findings: 0 low .. 3 critical; events: 0 info .. 3 critical
    std::string summary;          ///< one line a reviewer reads

    bool operator==(const EvidenceRow&) const = default;
};

/// EvidenceSource over a Vigil database (core/store schema), on one connection that the
/// caller owns: a StoreReader's, or the writer's inside a task. Follows the EvidenceQuery
/// contract exactly:
/// - countFindings: findings whose `category IN categories OR rule IN rules` (both empty:
///   any), narrowed by the type of the finding's event, `findings.agent` and the event
///   time (`findings.ts`), inclusive.
/// - countEvents: events by type, agent and `ts`, inclusive.
/// - countRejected: quarantined lines by the time they were received. Rejected lines have
///   no trusted agent, so a query with a non-empty agent counts none.
/// Every value is a bound parameter. IamFacts come from an optional policy set plus the
/// distinct agents of the events table, read once when the source is created. Not
/// thread-safe (like its connection); a query that fails counts as 0 and is remembered in
/// lastError(), so a caller can tell "none" from "could not read".
class SqliteEvidenceSource : public EvidenceSource
{
public:
    /// `db` must outlive the source. With `policies`, iam() returns facts; without, nullptr.
    explicit SqliteEvidenceSource(Database& db, const iam::PolicySet* policies = nullptr);

    std::int64_t countFindings(const EvidenceQuery& q) const override;
    std::int64_t countEvents(const EvidenceQuery& q) const override;
    std::int64_t countRejected(const EvidenceQuery& q) const override;
    const IamFacts* iam() const override { return m_iam ? &*m_iam : nullptr; }
    std::vector<SecretRotations> secretRotations(const EvidenceQuery& q) const override;

    /// Up to `limit` rows behind `listing` (newest first), skipping `offset`. Findings,
    /// events and rejected lines follow the same filters as the counts; an `Iam` listing
    /// has no rows (its subjects are in the EvidenceResult).
    Result<std::vector<EvidenceRow>> list(const EvidenceListing& listing, int limit,
                                          int offset = 0) const;

    /// Distinct agents of the stored events, sorted.
    Result<std::vector<std::string>> observedAgents() const;

    /// The first error since construction, if any query failed.
    const std::optional<Error>& lastError() const { return m_error; }

private:
    std::int64_t counted(const Result<std::int64_t>& n) const;
    void remember(const Error& e) const;

    Database& m_db;
    std::optional<IamFacts> m_iam;
    mutable std::optional<Error> m_error;
};

} // namespace vigil
