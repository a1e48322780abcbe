// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "base/result.h"
#include "store/database.h"

#include <cstdint>
#include <map>
#include <string>
#include <string_view>

namespace vigil {

class StoreWriter;

inline constexpr std::int64_t kMsPerDay = 24LL * 60 * 60 * 1000;

/// Retention periods in days by scope. A scope is an event type, `*` (every type without
/// its own entry), `findings`, `incidents` or `quarantine` (rejected lines, by the time
/// they were received).
struct RetentionPolicy
{
    std::map<std::string, int, std::less<>> days;

    /// The period of `eventType` (its own entry, else `*`).
    int daysFor(std::string_view eventType) const;
    /// The period of a non-event scope (`findings`, `incidents`, `quarantine`).
    int scopeDays(std::string_view scope) const;
};

/// The built-in periods: the seed guide's table (section 6.1) plus spec/audit-events.md:
/// `*` 90; sql_executed, human_escalation, security_event and tool_call 365; findings and
/// incidents 365; quarantine 90.
const RetentionPolicy& defaultRetention();

/// The defaults merged with the overrides stored in the `retention` table.
Result<RetentionPolicy> loadRetention(Database& db);

/// A valid scope: an event type (`^[a-z][a-z0-9_.-]{0,63}$`), `*`, `findings`,
/// `incidents` or `quarantine`.
bool isRetentionScope(std::string_view scope);

/// Stores an override (1 to 36,500 days) for `scope`; refuses an invalid scope or period.
Result<void> setRetention(Database& db, std::string_view scope, int days);
/// Removes an override: the scope falls back to its default.
Result<void> resetRetention(Database& db, std::string_view scope);

/// What a purge removed.
struct PurgeResult
{
    std::int64_t nowMs = 0;
    std::map<std::string, std::int64_t> eventsByType; ///< tombstoned, by event type
    std::int64_t events = 0;
    std::int64_t findings = 0;
    std::int64_t incidents = 0;
    std::int64_t quarantined = 0;
    std::int64_t compacted = 0; ///< tombstones removed from the front of the chain
    std::int64_t unsealed = 0;  ///< purged events that did not match their seal
    std::int64_t keptAltered = 0; ///< expired incidents kept: they did not match their seal
    std::int64_t receiptId = 0; ///< 0 when nothing was removed
    RetentionPolicy policy;
    /// Set when tombstones at the front could not be compacted because the chain there
    /// does not verify (they stay, and verify reports the break).
    std::string compactionRefused;
};

/// Applies the retention policy at `nowMs`, inside the caller's transaction on the writer
/// connection. An item is kept while its age is at most its period and removed once it is
/// older: an event with `ts < nowMs - days * 86,400,000` goes. Expired events become
/// tombstones (content removed, chain kept, see erasure.h); expired findings, incidents
/// (by their last finding, with their history) and quarantined lines are deleted, and their
/// seals follow (store/recordseal.h: an amendment for an event that lost findings, the keyed
/// sets); an incident that no longer matches its seal is kept (`keptAltered`). Then the
/// run of tombstones at the front of the chain (all but the newest event) is removed and
/// a keyed checkpoint records where the chain continues (their remaining findings join the
/// keyed set of orphaned findings), so verify still passes. A receipt records the run when
/// anything was removed.
Result<PurgeResult> purgeExpired(Database& db, std::int64_t nowMs, const std::string& actor = {});

/// The same, run on the writer thread (waits for the result). The desktop app calls this
/// on a timer.
Result<PurgeResult> purgeExpired(StoreWriter& writer, std::int64_t nowMs,
                                 const std::string& actor = {});

/// What purgeExpired would remove at `nowMs`, removing nothing: the purge runs inside a
/// savepoint that is rolled back, so the counts are exactly those of a purge at that time.
/// `receiptId` is 0. Runs inside the caller's transaction on the writer connection.
Result<PurgeResult> previewPurge(Database& db, std::int64_t nowMs);
/// The same, run on the writer thread.
Result<PurgeResult> previewPurge(StoreWriter& writer, std::int64_t nowMs);

/// Whether the desktop app may apply retention to this database on its own (meta key
/// `retention.auto`). Off unless someone enabled it for this database: opening an archive
/// of old events must never delete them. `vigil-cli purge` is always an explicit request.
Result<bool> autoRetentionEnabled(Database& db);
Result<void> setAutoRetention(Database& db, bool enabled);

/// When retention last removed something from this database (its newest purge receipt,
/// epoch ms), nullopt before the first purge. The desktop app asks before a first purge.
Result<std::optional<std::int64_t>> lastPurgeMs(Database& db);

} // namespace vigil
