// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "base/result.h"
#include "scan/finding.h"

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

struct sqlite3;

namespace vigil {

class Database;

/// A reviewer's rule that mutes findings (known false positives) without deleting them
/// (schema migration 8 -> 9, table `suppressions`; docs/review.md "Muting findings").
///
/// A finding is muted by a rule when every criterion the rule sets holds: `rule`, `agent`
/// and `field` compare exactly with the finding's rule id, its event's agent and its JSON
/// path; `pattern` is a glob over the finding's matched text (the code points of its span
/// in the field's value, or the whole value when the finding has no span). A rule without
/// any criterion mutes everything and is refused unless asked for explicitly (`allowAll`).
/// A rule is in force while it is not removed and not expired; muting is decided when a
/// finding is read (mutedFindingSql), never stored with the finding, so a rule that expires
/// or is removed gives its findings back at once, without rescanning.
struct SuppressionRule
{
    std::int64_t id = 0; ///< 0 until stored
    std::string rule;    ///< finding rule id, e.g. `pii.email`; empty: any
    std::string agent;   ///< agent name; empty: any
    std::string field;   ///< finding field path, e.g. `details.output`; empty: any
    std::string pattern; ///< glob over the matched text (globMatch); empty: any
    std::string reason;  ///< why the findings are muted (required)
    std::string author;  ///< who muted them (required)
    std::optional<std::int64_t> expiresMs; ///< epoch ms after which the rule stops; none: never
    std::int64_t createdMs = 0;
    std::int64_t updatedMs = 0;
    std::int64_t removedMs = 0; ///< 0 while the rule exists; else when it was removed

    /// True when the rule sets no criterion, so it matches every finding.
    bool matchesEverything() const
    {
        return rule.empty() && agent.empty() && field.empty() && pattern.empty();
    }
    bool operator==(const SuppressionRule&) const = default;
};

/// `active`, `expired` or `removed` at `nowMs`.
std::string_view suppressionStatus(const SuppressionRule& r, std::int64_t nowMs);

/// Whether `r` is in force at `nowMs`: not removed and not expired (expiry is exclusive: a
/// rule that expires at T no longer mutes at T).
bool suppressionActive(const SuppressionRule& r, std::int64_t nowMs);

/// Longest accepted pattern, in bytes, and longest rule, agent, field, reason or author.
inline constexpr std::size_t kMaxMutePatternBytes = 256;
inline constexpr std::size_t kMaxMuteTextBytes = 1024;

/// Checks what a stored rule must hold: a non-empty reason and author, criteria within the
/// limits above without control characters, a glob that parses, and at least one criterion
/// unless `allowAll` (`mute.empty_rule`: such a rule would mute every finding), and an
/// expiry between 1970 and the end of year 9999.
Result<void> validateSuppression(const SuppressionRule& r, bool allowAll);

/// Glob match over code points: `*` any run (also empty), `?` one code point, `\` makes the
/// next character literal; everything else matches itself, case-sensitively, and the
/// pattern must cover the whole text (`*token*` for a substring). Never backtracks more
/// than once per text position, so the cost is at most text length times pattern length:
/// no pattern can make it exponential. A trailing lone `\` matches a backslash.
bool globMatch(std::string_view pattern, std::string_view text);

/// The code points [start, end) of `value` (the whole value when start < 0): the text a
/// finding matched, as the pattern of a rule sees it.
std::string matchedText(std::string_view value, int start, int end);

/// Whether `r`'s criteria match finding `f` of an event of `agent`, where `value` is the
/// string at `f.field` (nullopt when the finding has none, e.g. a rejected line). Says
/// nothing about whether the rule is in force (suppressionActive).
bool suppressionMatches(const SuppressionRule& r, const Finding& f, std::string_view agent,
                        const std::optional<std::string_view>& value);

/// An expiry as given by a user: RFC 3339 UTC (`2026-12-31T00:00:00Z`, a fraction
/// allowed), a date (`2026-12-31`, midnight UTC) or epoch milliseconds (digits only).
Result<std::int64_t> parseMuteExpiry(std::string_view text);

/// A duration such as `30d`, `12h`, `45m` or `2w` in milliseconds (a positive whole number
/// and one unit, at most ten years).
Result<std::int64_t> parseMuteDuration(std::string_view text);

// ---- the database (writer tasks run inside the StoreWriter's transaction) ----

/// One entry of a rule's history (table `suppression_history`, append-only: triggers refuse
/// UPDATE and DELETE): what was done, by whom, when, why, and the rule as it stood after.
struct SuppressionHistoryEntry
{
    std::int64_t id = 0;
    std::int64_t suppressionId = 0;
    std::int64_t atMs = 0;
    std::string actor;
    std::string action; ///< add | change | remove
    std::string reason;
    std::string ruleJson; ///< the rule after the action (suppressionToJson)
};

/// Writer task: stores `r` (after validateSuppression) with `author`/created/updated from
/// `actor` and `nowMs` when they are empty, records an `add` history entry with `r.reason`,
/// and returns the new id.
Result<std::int64_t> addSuppression(Database& db, SuppressionRule r, bool allowAll,
                                    std::string_view actor, std::int64_t nowMs);

/// Writer task: replaces the criteria, reason and expiry of rule `id` with those of `wanted`
/// and records a `change` entry with `why`. Refuses a removed or unknown rule, an empty
/// `why`, and what validateSuppression refuses.
Result<void> changeSuppression(Database& db, std::int64_t id, const SuppressionRule& wanted,
                               bool allowAll, std::string_view why, std::string_view actor,
                               std::int64_t nowMs);

/// Writer task: marks rule `id` removed (the row stays, for the history and the reports)
/// and records a `remove` entry with `why`. Refuses an empty `why`, an unknown rule and one
/// already removed.
Result<void> removeSuppression(Database& db, std::int64_t id, std::string_view why,
                               std::string_view actor, std::int64_t nowMs);

/// The stored rules in id order, removed ones only when `includeRemoved`. A database
/// without the table (written before the migration, opened read-only) has none.
Result<std::vector<SuppressionRule>> listSuppressions(Database& db, bool includeRemoved);

/// The history of rule `id` (every rule's when `id` is 0), in recording order.
Result<std::vector<SuppressionHistoryEntry>> suppressionHistory(Database& db, std::int64_t id);

/// For each stored rule, how many stored findings its criteria match (whether or not the
/// rule is in force), restricted to finding times in [fromMs, toMs] when given.
Result<std::map<std::int64_t, std::int64_t>>
suppressionFindingCounts(Database& db,
                         std::optional<std::pair<std::int64_t, std::int64_t>> range = {});

/// What read queries need to know to leave muted findings out at one instant. Cheap: one
/// query. `any` is false when no rule is in force (or the table does not exist), and then
/// every SQL fragment below is a constant, so reads cost what they did before muting.
struct MuteScope
{
    std::int64_t nowMs = 0;
    bool any = false;
};
Result<MuteScope> muteScope(Database& db, std::int64_t nowMs);
/// muteScope(), or a scope without rules when they cannot be read: a view then shows every
/// finding unmuted rather than nothing.
MuteScope muteScopeOrNone(Database& db, std::int64_t nowMs);

/// The ids of the findings of event `eventRowId` that a rule in force in `scope` mutes, in
/// id order (none without rules in force).
Result<std::vector<std::int64_t>> mutedFindingIds(Database& db, std::int64_t eventRowId,
                                                  const MuteScope& scope);

/// An SQL expression that is 1 when the finding row aliased `f` (columns of `findings`) is
/// muted by a rule in force at `scope.nowMs`, else 0. Uses the SQL function
/// `vigil_mute_text`, which every Database connection registers.
std::string mutedFindingSql(const MuteScope& scope, std::string_view f);

/// An SQL expression: the id of the lowest-numbered rule in force that mutes finding `f`,
/// or NULL (always NULL without rules in force).
std::string mutingRuleSql(const MuteScope& scope, std::string_view f);

/// SQL expressions over the incident row aliased `i`: how many of its findings are not
/// muted, and the highest severity among them (the stored severity when all are muted).
/// Without rules in force they are the stored `findings` and `severity` columns.
std::string liveIncidentFindingsSql(const MuteScope& scope, std::string_view i);
std::string liveIncidentSeveritySql(const MuteScope& scope, std::string_view i);

/// Registers `vigil_mute_text(pattern, details, field, start, end)` on a connection: 1 when
/// the matched text of a finding (field `field` of the event details JSON `details`, span
/// [start, end)) matches glob `pattern`. Database::open* call it for every connection.
void registerSuppressionFunctions(sqlite3* db);

// ---- the rule file (`vigil-cli mute list --format json`, `vigil-cli scan --mute`) ----

/// One rule as a JSON object of the rule file (docs/cli.md "Mute rule files"). `findings`
/// is written when given.
std::string suppressionToJson(const SuppressionRule& r, std::int64_t nowMs,
                              std::optional<std::int64_t> findings = {});

/// The rule file: `{"vigil_mute_rules": 1, "rules": [...]}`.
std::string suppressionsToJson(const std::vector<SuppressionRule>& rules, std::int64_t nowMs,
                               const std::map<std::int64_t, std::int64_t>& findings = {});

/// Reads a rule file. Each rule needs a reason and at least one criterion, or `"all": true`;
/// unknown keys, bad expiries and other types are refused with the rule's index. Removed
/// rules (`"status": "removed"`) are skipped; expired ones are kept (suppressionActive
/// leaves them out).
Result<std::vector<SuppressionRule>> suppressionsFromJson(std::string_view text);

} // namespace vigil
