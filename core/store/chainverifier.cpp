// SPDX-License-Identifier: Apache-2.0
#include "store/chainverifier.h"

#include "store/receipt.h"

#include <map>

namespace vigil {
namespace {

ChainVerification broken(ChainVerification v, std::int64_t position, std::int64_t rowId,
                         std::string reason)
{
    v.intact = false;
    v.position = position;
    v.rowId = rowId;
    v.reason = std::move(reason);
    return v;
}

std::string eventName(std::int64_t position, std::int64_t rowId)
{
    return "event " + std::to_string(position) + " (row " + std::to_string(rowId) + ")";
}

} // namespace

Result<ChainVerification> verifyChain(Database& db, const ChainVerifyOptions& options)
{
    ChainVerification v;
    auto uuid = databaseUuid(db);
    if (!uuid)
        return std::unexpected(uuid.error());
    auto key = loadChainKey(db);
    if (!key)
        return std::unexpected(key.error());
    auto hasher = ChainHasher::create(*key);
    if (!hasher)
        return std::unexpected(hasher.error());
    auto head = readChainHead(db);
    if (!head)
        return std::unexpected(head.error());
    v.head = *head;

    // Receipts first: every tombstone must point at an untouched one.
    auto receipts = readReceipts(db);
    if (!receipts)
        return std::unexpected(receipts.error());
    std::map<std::int64_t, bool> receiptOk;
    for (const Receipt& r : *receipts) {
        const bool ok = toHex(receiptTag(*hasher, r)) == r.tag;
        receiptOk[r.id] = ok;
        ++v.receipts;
        if (!ok)
            return broken(v, 0, 0,
                          "receipt " + std::to_string(r.id) + " (" + r.kind +
                              ") was altered: it does not match its tag");
    }

    auto cp = readCheckpoint(db);
    if (!cp)
        return broken(v, 0, 0, cp.error().message);
    ChainHash prev = hasher->genesis(uuid->value_or(""));
    std::int64_t position = 0, minRow = 0;
    if (*cp) {
        if (checkpointTag(*hasher, (*cp)->position, (*cp)->rowId, (*cp)->link) != (*cp)->tag)
            return broken(v, (*cp)->position, 0,
                          "the purge checkpoint was altered: it does not match its tag");
        prev = (*cp)->link;
        position = (*cp)->position;
        minRow = (*cp)->rowId;
        v.checkpointPosition = position;
    }
    const bool exportedIsBase = options.exportedHead && *options.exportedHead == prev;
    bool reachedExported = exportedIsBase;

    auto st = SqlStatement::prepare(
        db, "SELECT id, ts, event_type, agent, thread_id, severity, event_id, user_id, trace_id, "
            "span_id, details, erased, leaf, tomb, chain FROM events ORDER BY id");
    if (!st)
        return std::unexpected(st.error());
    const std::int64_t total = head->events - position;
    std::int64_t prevRow = minRow;
    for (;;) {
        auto row = st->step();
        if (!row)
            return std::unexpected(row.error());
        if (!*row)
            break;
        ++position;
        ++v.events;
        const std::int64_t id = st->columnInt(0);
        if (options.progress && v.events % 65536 == 0)
            options.progress(v.events, total);
        if (id <= minRow)
            return broken(v, position, id,
                          eventName(position, id) +
                              " lies before the purge checkpoint: rows were renumbered");
        const auto stored = columnHash(*st, 14);
        if (!stored)
            return broken(v, position, id,
                          eventName(position, id) + " is not sealed (no chain link)");
        ChainHash leaf;
        const std::int64_t receipt = st->columnInt(11);
        if (receipt != 0) {
            ++v.tombstones;
            const auto kept = columnHash(*st, 12);
            const auto tomb = columnHash(*st, 13);
            const auto it = receiptOk.find(receipt);
            if (!kept || !tomb || it == receiptOk.end() ||
                tombstoneTag(*hasher, id, *kept, receipt) != *tomb)
                return broken(v, position, id,
                              eventName(position, id) +
                                  " is marked erased without a valid erasure receipt");
            leaf = *kept;
        } else {
            CanonicalFields f;
            f.timestampMs = st->columnInt(1);
            f.eventType = st->columnTextView(2);
            f.agent = st->columnTextView(3);
            f.threadId = st->columnTextView(4);
            f.severity = static_cast<int>(st->columnInt(5));
            f.eventId = st->columnTextView(6);
            f.userId = st->columnTextView(7);
            f.traceId = st->columnTextView(8);
            f.spanId = st->columnTextView(9);
            f.details = st->columnTextView(10);
            leaf = hasher->leaf(f);
        }
        if (hasher->link(prev, leaf) != *stored) {
            // Row ids are assigned in insertion order without gaps (purged rows leave the
            // front only, past the checkpoint), so a gap means a removed event.
            std::string why;
            if (id != prevRow + 1)
                why = eventName(position, id) + " does not follow the event before it: row ids " +
                      "jump from " + std::to_string(prevRow) + " to " + std::to_string(id) +
                      ", an event was deleted";
            else if (receipt == 0)
                why = eventName(position, id) +
                      " does not match its seal: its content was changed, or events were "
                      "reordered";
            else
                why = eventName(position, id) +
                      " is a tombstone whose kept hash does not match its seal";
            return broken(v, position, id, why);
        }
        prev = *stored;
        prevRow = id;
        if (options.exportedHead && *options.exportedHead == prev)
            reachedExported = true;
    }
    if (options.exportedHead && !reachedExported)
        return broken(v, position + 1, 0,
                      "the chain ends at event " + std::to_string(position) +
                          " without reaching the exported head: events were removed from "
                          "the end (or the head belongs to another database)");
    v.intact = true;
    return v;
}

} // namespace vigil
