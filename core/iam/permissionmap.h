// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "iam/evaluator.h"
#include "iam/policyset.h"
#include "iam/usageaggregator.h"

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace vigil::iam {

/// State of one cell of the permission map.
enum class CellState : std::uint8_t {
    AllowedUsed,     ///< a grant the agent used in the window
    AllowedUnused,   ///< a grant the agent did not use
    DeniedAttempted, ///< an observed action no Allow grants (or by an agent without role)
    BoundaryBlocked, ///< a grant the boundary voids, or an observed action the boundary stopped
    ExplicitDeny,    ///< a Deny of the role, or an observed action one of them denies
    Conditional,     ///< a statement with a Condition (not evaluated), or a use decided by one
};

/// `allowed_used`, `allowed_unused`, `denied_attempted`, `boundary_blocked`,
/// `explicit_deny`, `conditional`.
std::string_view toString(CellState s);

/// One row: what `agent` may or tried to do.
///
/// Grant rows (`fromPolicy`) come from the file, one per action entry × resource entry of
/// each statement of the agent's role (a NotAction/NotResource list is one entry written
/// `NOT a, b`), with the patterns as written; `observed` counts the events that this
/// statement decided (for a Deny row: the attempts it stopped). Attempt rows come from the
/// observed use, one per concrete (action, resource) that was not plainly allowed, with the
/// deciding statement; an attempt stopped by a role Deny is thus counted on both rows.
struct PermissionRow
{
    std::string agent;
    std::string action;
    std::string resource;
    CellState state = CellState::AllowedUnused;
    std::string statement; ///< StatementRef::label() of the deciding statement, or empty
    std::uint64_t observed = 0;
    bool fromPolicy = true;
    /// The statements behind the state, as values: the row's own statement (a grant row's;
    /// an attempt's deciding Deny, conditional statement, or the role Allow that the boundary
    /// does not allow), then, for a grant the boundary voids with a Deny, that boundary
    /// statement. Empty for implicit denies (no statement decided).
    std::vector<StatementRef> statements;
    /// Refs (see UsageAggregator) of the events counted in `observed`, at most kMaxRowRefs:
    /// those the aggregator kept of each use.
    std::vector<std::int64_t> eventRefs;
};

/// The per-agent permission map: the file's grants combined with the observed use.
///
/// Rows are grouped by agent (sorted by name; agents seen in the use but absent from the
/// file come with their attempts only), grant rows in statement order first, then attempt
/// rows ordered by action and resource. An immutable value once built: copy it to the UI.
class PermissionMap
{
public:
    /// Most event refs kept on one row.
    static constexpr std::size_t kMaxRowRefs = 256;

    /// Builds the map of `policies`, with observed counts from `usage` when given.
    static PermissionMap build(const PolicySet& policies, const UsageAggregator* usage = nullptr);

    const std::vector<PermissionRow>& rows() const noexcept { return m_rows; }

    /// What `vigil-cli iam --format json` prints: a JSON array of objects with the keys
    /// `agent`, `action`, `resource`, `decision` (a CellState name), `statement` (string, or
    /// null when no statement decided) and `observed` (integer), indented by 2, ending in `\n`.
    std::string toJson() const;
    /// What `vigil-cli iam --format csv` prints: the header
    /// `agent,action,resource,decision,statement,observed` and one line per row, `\n` line
    /// ends, RFC 4180 quoting; a cell starting with `=`, `+`, `-`, `@`, tab or CR is
    /// prefixed with `'` so that spreadsheets do not run it as a formula.
    std::string toCsv() const;

private:
    std::vector<PermissionRow> m_rows;
};

} // namespace vigil::iam
