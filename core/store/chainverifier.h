// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "base/result.h"
#include "store/chain.h"
#include "store/database.h"

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

namespace vigil {

/// The outcome of a chain check.
struct ChainVerification
{
    bool intact = false;
    std::int64_t events = 0;             ///< stored events checked (tombstones included)
    std::int64_t tombstones = 0;         ///< of which erased or purged
    std::int64_t receipts = 0;           ///< erasure and purge receipts checked
    std::int64_t checkpointPosition = 0; ///< events removed from the front by purges
    std::int64_t findings = 0;           ///< findings checked (of stored and of purged events)
    std::int64_t quarantined = 0;        ///< rejected lines checked
    std::int64_t incidents = 0;          ///< incidents checked
    std::int64_t history = 0;            ///< incident history entries checked
    ChainHead head;                      ///< the head as stored
    /// When broken: the 1-based chain position of the first bad event (checkpoint position
    /// plus its rank among stored events), its row id (0 when the break is past the last
    /// event: truncation), and why. A finding or the finding summary breaks at its event.
    /// `position` is 0 when the break is not an event's (a receipt, the checkpoint, a
    /// rejected line, an incident or its history, the findings of purged events).
    std::int64_t position = 0;
    std::int64_t rowId = 0;
    std::string reason;
};

struct ChainVerifyOptions
{
    /// A head exported earlier (from a report or `verify --show-head`). The chain must
    /// still pass through it; otherwise events were removed from the end.
    std::optional<ChainHash> exportedHead;
    /// Called now and then with events checked so far and the total.
    std::function<void(std::int64_t done, std::int64_t total)> progress;
};

/// Checks the whole chain of `db` with its key: every stored event's leaf (with its
/// findings and finding summary) against its link, every tombstone's tag and receipt, every
/// amendment of findings, every receipt's tag, the purge checkpoint, given an exported head
/// that the chain reaches it, and then the keyed seals and sets of the findings of purged
/// events, rejected lines, incidents and their history (store/recordseal.h). Stops at the
/// first break.
/// Errors (as values) only when the check cannot run: no key (`store.chain_key_missing`),
/// a key with loose permissions, or SQLite failures. Reads only; any connection works.
Result<ChainVerification> verifyChain(Database& db, const ChainVerifyOptions& options = {});

} // namespace vigil
