// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "base/result.h"
#include "store/chain.h"
#include "store/database.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace vigil {

/// The record an erasure (GDPR) or a purge (retention) leaves behind: what was selected
/// (as a keyed hash, never the raw value), when, by whom and how many rows it touched.
/// It holds none of the removed content. `tag` is a keyed tag over every other field, so
/// an edited receipt fails `vigil-cli verify`.
struct Receipt
{
    std::int64_t id = 0;
    std::int64_t timestampMs = 0;
    std::string kind;         ///< `erase` or `purge`
    std::string actor;        ///< the OS user who ran it
    std::string selector;     ///< `thread`, `user` or `retention`
    std::string selectorHash; ///< hex HMAC of `<selector>:<value>`; empty for a purge
    std::int64_t events = 0;
    std::int64_t findings = 0;
    std::int64_t incidents = 0;
    std::int64_t quarantined = 0;
    std::string detail = "{}"; ///< JSON: per-type counts and cutoffs of a purge
    std::string tag;           ///< hex
};

/// The keyed tag of `r` (all fields but `tag`).
ChainHash receiptTag(ChainHasher& hasher, const Receipt& r);

/// The keyed hash that stands for a selector value in receipts: HMAC of `<kind>:<value>`.
/// Stable for one database, so whoever holds the key can confirm that a given id was
/// erased; without the key a low-entropy id cannot be recovered from it.
std::string selectorHash(ChainHasher& hasher, std::string_view kind, std::string_view value);

/// Inserts `r` (its id is set from the new row) with a placeholder tag; call
/// finishReceipt() once the counts are known. Inside the caller's transaction.
Result<void> insertReceipt(Database& db, Receipt& r);
/// Stores the counts and the tag of `r`.
Result<void> finishReceipt(Database& db, ChainHasher& hasher, Receipt& r);

/// Every receipt, oldest first.
Result<std::vector<Receipt>> readReceipts(Database& db);
/// One receipt, or nullopt.
Result<std::optional<Receipt>> readReceipt(Database& db, std::int64_t id);

/// The OS user running this process (login name, else the numeric uid).
std::string osUserName();

} // namespace vigil
