// SPDX-License-Identifier: Apache-2.0
#pragma once

// The audit trail of reveals: who saw the clear text of an event (PII and secrets that
// every view and export otherwise redacts), and when. Entries go to the append-only
// `audit_trail` table, beside those of erasure and retention.

#include "base/result.h"
#include "store/database.h"

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace vigil {

/// Writer task (inside a StoreWriter transaction): records that `actor` revealed event
/// `rowId` at `nowMs` (action `reveal_event`, target `event:<rowId>`, detail: the event's
/// `event_id`, empty when it has none). Records nothing for an event that does not exist.
/// Callers show the clear text only after this committed.
Result<void> recordEventReveal(Database& db, std::int64_t rowId, std::string_view actor,
                               std::int64_t nowMs);

/// One entry of the audit trail.
struct AuditEntry
{
    std::int64_t id = 0;
    std::int64_t timestampMs = 0;
    std::string actor;
    std::string action; ///< reveal_event, erase, purge, ...
    std::string target;
    std::string detail;
};

/// The entries of `action` (every entry when empty), in recording order.
Result<std::vector<AuditEntry>> auditEntries(Database& db, std::string_view action = {});

} // namespace vigil
