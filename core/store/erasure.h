// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "base/result.h"
#include "store/chain.h"
#include "store/database.h"
#include "store/receipt.h"

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace vigil {

class StoreWriter;

/// What a GDPR erasure selects: every event of one conversation thread, or of one user.
enum class ErasureSubject : std::uint8_t
{
    Thread,
    User
};

/// `thread` or `user`.
std::string_view toString(ErasureSubject s);

struct ErasureRequest
{
    ErasureSubject subject = ErasureSubject::Thread;
    std::string value;      ///< the thread id or user id, exactly as logged
    std::string actor;      ///< who asks (osUserName() when empty)
    std::int64_t nowMs = 0; ///< when (now when 0)
};

/// What an erasure did. `unsealed` counts erased events whose content no longer matched
/// their chain link before the erasure (already tampered): they are erased all the same
/// and stay reported as broken by verify.
struct ErasureOutcome
{
    Receipt receipt;
    std::int64_t unsealed = 0;
};

/// GDPR erasure, inside the caller's transaction on the writer connection (a StoreWriter
/// task). Each live event of the subject becomes a tombstone: thread, user, trace and span
/// ids and details are removed; timestamp, type, agent and severity stay (retention needs
/// them), the producer's event_id stays (a resend of an erased event is still recognised
/// as a duplicate instead of storing the content again), and the leaf hash is kept with a
/// keyed tag so the chain still verifies. Findings of those events lose their character
/// spans (rule, category and counts stay); incidents of the affected threads lose the
/// thread id; quarantined lines that name the subject lose their raw text. A receipt is
/// written even when nothing matched. Refuses an empty value.
Result<ErasureOutcome> eraseSubject(Database& db, const ErasureRequest& request);

/// The same, run on the writer thread (waits for the result).
Result<ErasureOutcome> eraseSubject(StoreWriter& writer, const ErasureRequest& request);

/// What tombstoning did: rows tombstoned, and how many of them did not match their seal.
struct TombstoneStats
{
    std::int64_t rows = 0;
    std::int64_t unsealed = 0;
};

/// Turns the live events `rowIds` (ascending) into tombstones of receipt `receiptId`.
/// Each row's leaf is recomputed from its content and checked against its stored link
/// before the content goes. Building block of erasure and purge; inside a transaction.
Result<TombstoneStats> tombstoneEvents(Database& db, ChainHasher& hasher, std::int64_t receiptId,
                                       const std::vector<std::int64_t>& rowIds);

} // namespace vigil
