// SPDX-License-Identifier: Apache-2.0
#include "store/chainverifier.h"

#include "store/receipt.h"
#include "store/recordseal.h"
#include "store/schema.h"

#include <map>
#include <vector>

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

std::string setMismatch(std::int64_t sealed, std::int64_t stored, const char* what)
{
    if (stored < sealed)
        return std::to_string(sealed - stored) + " " + what + " deleted (" +
               std::to_string(sealed) + " sealed, " + std::to_string(stored) + " stored)";
    if (stored > sealed)
        return std::to_string(stored - sealed) + " " + what + " added (" + std::to_string(sealed) +
               " sealed, " + std::to_string(stored) + " stored)";
    return what + std::string(" replaced or changed (") + std::to_string(stored) +
           " stored, as many as were sealed, but not the same)";
}

// One finding as stored: its id, event row, stored hash and the hash of its content now.
struct StoredFinding
{
    std::int64_t id = 0;
    std::int64_t eventRow = 0;
    std::optional<ChainHash> stored;
    ChainHash hash{};
    FindingSummary summary; ///< what this finding adds to its event's summary
};

// Walks the findings of events in (event row, id) order, beside the walk over events.
class FindingCursor
{
public:
    static Result<FindingCursor> open(Database& db, ChainHasher& hasher)
    {
        auto st = SqlStatement::prepare(db, std::string("SELECT event_rowid, id, hash, ") +
                                                kFindingSealColumns +
                                                " FROM findings WHERE category<>'rejected' "
                                                "ORDER BY event_rowid, id");
        if (!st)
            return std::unexpected(st.error());
        FindingCursor c(std::move(*st), hasher);
        if (auto r = c.next(); !r)
            return std::unexpected(r.error());
        return c;
    }

    bool atEnd() const { return !m_row; }
    const StoredFinding& current() const { return m_current; }

    Result<void> next()
    {
        auto row = m_st.step();
        if (!row)
            return std::unexpected(row.error());
        m_row = *row;
        if (!m_row)
            return {};
        const FindingFields f = findingFromRow(m_st, 3);
        m_current.eventRow = m_st.columnInt(0);
        m_current.id = m_st.columnInt(1);
        m_current.stored = columnHash(m_st, 2);
        m_current.hash = findingHash(m_hasher->plain(), f);
        m_current.summary.mask = 1u << findingCategoryBit(std::string(f.category));
        m_current.summary.severity = static_cast<int>(f.severity);
        return {};
    }

private:
    FindingCursor(SqlStatement st, ChainHasher& hasher) : m_st(std::move(st)), m_hasher(&hasher) {}
    SqlStatement m_st;
    ChainHasher* m_hasher;
    bool m_row = false;
    StoredFinding m_current;
};

// Why an event's findings do not match their seal, for the report.
std::string findingsBreak(const std::string& event, const std::vector<StoredFinding>& findings,
                          bool amended)
{
    for (const StoredFinding& f : findings)
        if (f.stored && *f.stored != f.hash)
            return "finding " + std::to_string(f.id) + " of " + event +
                   " was changed: its rule, category, severity, span or another column is not "
                   "what was sealed";
    return "the findings of " + event + " do not match their seal" +
           (amended ? " (as amended by its last erasure or purge)" : "") +
           ": a finding was deleted or added, or changed together with its hash (it has " +
           std::to_string(findings.size()) + ")";
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
    auto validReceipt = [&](std::int64_t id) { return receiptOk.contains(id); };

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
    auto summaryFrom = readSummaryFrom(db, *hasher);
    if (!summaryFrom)
        return std::unexpected(summaryFrom.error());
    if (!*summaryFrom)
        return broken(v, 0, 0,
                      "the boundary between events sealed before and after schema 7 "
                      "(chain.summary_from in meta) is missing or was altered");
    const bool exportedIsBase = options.exportedHead && *options.exportedHead == prev;
    bool reachedExported = exportedIsBase;

    // Findings of events removed from the front of the chain are checked as a set.
    auto findings = FindingCursor::open(db, *hasher);
    if (!findings)
        return std::unexpected(findings.error());
    RecordSet orphans;
    orphans.anchor = minRow;
    while (!findings->atEnd() && findings->current().eventRow <= minRow) {
        const StoredFinding& f = findings->current();
        orphans.toggle(orphanElement(*hasher, f.id, f.eventRow, f.hash), 1);
        ++v.findings;
        if (auto r = findings->next(); !r)
            return std::unexpected(r.error());
    }

    auto st = SqlStatement::prepare(
        db, "SELECT id, ts, event_type, agent, thread_id, severity, event_id, user_id, trace_id, "
            "span_id, details, erased, leaf, tomb, chain, finding_mask, finding_sev, fdigest, "
            "fseal, freceipt FROM events ORDER BY id");
    if (!st)
        return std::unexpected(st.error());
    const std::int64_t total = head->events - position;
    std::int64_t prevRow = minRow;
    std::vector<StoredFinding> own;
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
        ChainHash content;
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
            content = *kept;
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
            content = hasher->leaf(f);
        }

        // Findings of rows the chain does not hold are reported once the link is checked
        // (a deleted event is the better explanation); then this event's own.
        std::optional<StoredFinding> dangling;
        while (!findings->atEnd() && findings->current().eventRow < id) {
            if (!dangling)
                dangling = findings->current();
            if (auto r = findings->next(); !r)
                return std::unexpected(r.error());
        }
        own.clear();
        std::vector<ChainHash> hashes;
        FindingSummary fromFindings;
        while (!findings->atEnd() && findings->current().eventRow == id) {
            own.push_back(findings->current());
            hashes.push_back(own.back().hash);
            fromFindings.mask |= own.back().summary.mask;
            fromFindings.severity = std::max(fromFindings.severity, own.back().summary.severity);
            ++v.findings;
            if (auto r = findings->next(); !r)
                return std::unexpected(r.error());
        }
        std::optional<ChainHash> digest;
        if (!hashes.empty())
            digest = findingsDigest(hasher->plain(), hashes);
        const FindingSummary summary{static_cast<std::uint32_t>(st->columnInt(15)),
                                     static_cast<int>(st->columnInt(16))};
        const auto sealedDigest = columnHash(*st, 17);
        const auto fseal = columnHash(*st, 18);
        const std::int64_t freceipt = st->columnInt(19);
        const bool legacy = id < **summaryFrom;

        const ChainHash leaf = eventLeaf(hasher->plain(), content, legacy, summary, sealedDigest);
        if (hasher->link(prev, leaf) != *stored) {
            // Row ids are assigned in insertion order without gaps (purged rows leave the
            // front only, past the checkpoint), so a gap means a removed event.
            std::string why;
            if (id != prevRow + 1) {
                why = eventName(position, id) + " does not follow the event before it: row ids " +
                      "jump from " + std::to_string(prevRow) + " to " + std::to_string(id) +
                      ", an event was deleted";
            } else {
                // Was it the finding summary? Try the summary its findings give, and the
                // digest of the findings it has.
                std::string summaryWhy;
                if (!legacy) {
                    for (const auto& [s, d] :
                         {std::pair{fromFindings, sealedDigest}, std::pair{fromFindings, digest},
                          std::pair{summary, digest}}) {
                        if ((s == summary && d == sealedDigest) ||
                            hasher->link(prev, eventLeaf(hasher->plain(), content, false, s, d)) !=
                                *stored)
                            continue;
                        summaryWhy = s != summary
                                         ? " its finding summary (finding_mask, finding_sev) was "
                                           "changed"
                                         : " its findings digest (fdigest) was changed";
                        break;
                    }
                }
                if (!summaryWhy.empty())
                    why = eventName(position, id) + " does not match its seal:" + summaryWhy;
                else if (receipt == 0)
                    why = eventName(position, id) +
                          " does not match its seal: its content or its finding summary was "
                          "changed, or events were reordered";
                else
                    why = eventName(position, id) +
                          " is a tombstone whose kept hash does not match its seal";
            }
            return broken(v, position, id, why);
        }
        if (dangling)
            return broken(v, position, id,
                          "finding " + std::to_string(dangling->id) + " belongs to event row " +
                              std::to_string(dangling->eventRow) +
                              ", which is not stored: it was moved to another event, or its "
                              "event was deleted");

        // The findings it has now: what its link covers, or what its amendment covers.
        const auto event = [&] { return eventName(position, id); };
        if (fseal) {
            if (freceipt != 0 && !validReceipt(freceipt))
                return broken(v, position, id,
                              "the findings of " + event() + " were amended by receipt " +
                                  std::to_string(freceipt) + ", which does not exist");
            if (findingsSeal(*hasher, id, summary, digest, freceipt) != *fseal) {
                // The findings as they are, with the summary they give, match: the summary
                // columns were changed (for a legacy event, which keeps its summary only
                // here).
                const bool summaryChanged =
                    !own.empty() && summary != fromFindings &&
                    findingsSeal(*hasher, id, fromFindings, digest, freceipt) == *fseal;
                return broken(v, position, id,
                              summaryChanged
                                  ? event() + " does not match the seal of its findings: its "
                                              "finding summary (finding_mask, finding_sev) was "
                                              "changed"
                                  : findingsBreak(event(), own, true));
            }
        } else if (legacy) {
            return broken(v, position, id,
                          "the findings of " + event() +
                              " are not sealed (the event predates schema 7 and has no "
                              "amendment)");
        } else if (digest != sealedDigest) {
            return broken(v, position, id, findingsBreak(event(), own, false));
        }
        prev = *stored;
        prevRow = id;
        if (options.exportedHead && *options.exportedHead == prev)
            reachedExported = true;
    }
    if (!findings->atEnd()) {
        const StoredFinding& f = findings->current();
        return broken(v, 0, 0,
                      "finding " + std::to_string(f.id) + " belongs to event row " +
                          std::to_string(f.eventRow) +
                          ", which is not stored: it was moved to another event, or its event "
                          "was deleted");
    }
    if (options.exportedHead && !reachedExported)
        return broken(v, position + 1, 0,
                      "the chain ends at event " + std::to_string(position) +
                          " without reaching the exported head: events were removed from "
                          "the end (or the head belongs to another database)");

    // Findings of purged events.
    auto sealedOrphans = readRecordSet(db, *hasher, RecordSetKind::Orphans);
    if (!sealedOrphans)
        return std::unexpected(sealedOrphans.error());
    if (!sealedOrphans->valid || sealedOrphans->anchor != minRow)
        return broken(v, 0, 0,
                      "the seal over the findings of purged events (chain.set.orphans in "
                      "meta) is missing or was altered");
    if (sealedOrphans->count != orphans.count || sealedOrphans->sum != orphans.sum)
        return broken(v, 0, 0,
                      "findings of purged events: " +
                          setMismatch(sealedOrphans->count, orphans.count, "findings"));

    // Rejected lines.
    {
        auto sealed = readRecordSet(db, *hasher, RecordSetKind::Quarantine);
        if (!sealed)
            return std::unexpected(sealed.error());
        if (!sealed->valid)
            return broken(v, 0, 0,
                          "the seal over the rejected lines (chain.set.quarantine in meta) is "
                          "missing or was altered");
        auto q = SqlStatement::prepare(db, "SELECT id, received_ms, source_id, source, line_no, "
                                           "reason, message, raw, raw_bytes, erased, seal "
                                           "FROM quarantine ORDER BY id");
        if (!q)
            return std::unexpected(q.error());
        RecordSet seen;
        for (;;) {
            auto row = q->step();
            if (!row)
                return std::unexpected(row.error());
            if (!*row)
                break;
            ++v.quarantined;
            const std::int64_t id = q->columnInt(0);
            const std::int64_t erased = q->columnInt(9);
            const QuarantineFields fields{q->columnTextView(3), q->columnInt(4),
                                          q->columnTextView(5), q->columnTextView(6),
                                          q->columnTextView(7), q->columnInt(8)};
            const ChainHash seal =
                quarantineSeal(*hasher, id, q->columnInt(1),
                               q->columnIsNull(2) ? std::nullopt : std::optional(q->columnInt(2)),
                               erased, quarantineHash(hasher->plain(), fields));
            if (columnHash(*q, 10) != seal)
                return broken(v, 0, 0,
                              "quarantine row " + std::to_string(id) +
                                  " (a rejected line) was changed: it does not match its seal");
            if (erased != 0 && !validReceipt(erased))
                return broken(v, 0, 0,
                              "quarantine row " + std::to_string(id) +
                                  " is marked erased without a valid erasure receipt");
            seen.toggle(quarantineElement(*hasher, seal), 1);
        }
        if (sealed->count != seen.count || sealed->sum != seen.sum)
            return broken(
                v, 0, 0, "quarantine: " + setMismatch(sealed->count, seen.count, "rejected lines"));
    }

    // Incidents and their review history.
    {
        auto sealed = readRecordSet(db, *hasher, RecordSetKind::Incidents);
        if (!sealed)
            return std::unexpected(sealed.error());
        if (!sealed->valid)
            return broken(v, 0, 0,
                          "the seal over the incidents (chain.set.incidents in meta) is missing "
                          "or was altered");
        auto inc = SqlStatement::prepare(db, std::string("SELECT id, ") + kIncidentSealColumns +
                                                 " FROM incidents ORDER BY id");
        auto hist = SqlStatement::prepare(
            db, "SELECT incident_id, id, ts_ms, actor, field, old_value, new_value, link "
                "FROM incident_history ORDER BY incident_id, id");
        if (!inc)
            return std::unexpected(inc.error());
        if (!hist)
            return std::unexpected(hist.error());
        auto histRow = hist->step();
        if (!histRow)
            return std::unexpected(histRow.error());
        auto orphanedEntry = [&]() {
            return broken(v, 0, 0,
                          "history entry " + std::to_string(hist->columnInt(1)) +
                              " belongs to incident " + std::to_string(hist->columnInt(0)) +
                              ", which is not stored: the incident was deleted");
        };
        RecordSet seen;
        for (;;) {
            auto row = inc->step();
            if (!row)
                return std::unexpected(row.error());
            if (!*row)
                break;
            ++v.incidents;
            const std::int64_t id = inc->columnInt(0);
            const IncidentFields f = incidentFromRow(*inc, id, 1);
            const std::string name = "incident " + std::to_string(id);
            if (*histRow && hist->columnInt(0) < id)
                return orphanedEntry();
            const ChainHash genesis = historyGenesis(*hasher, id);
            ChainHash last = genesis;
            while (*histRow && hist->columnInt(0) == id) {
                ++v.history;
                const HistoryFields h{id,
                                      hist->columnInt(2),
                                      hist->columnTextView(3),
                                      hist->columnTextView(4),
                                      hist->columnTextView(5),
                                      hist->columnTextView(6)};
                const ChainHash expected = historyLink(*hasher, last, h);
                if (columnHash(*hist, 7) != expected)
                    return broken(v, 0, 0,
                                  "history entry " + std::to_string(hist->columnInt(1)) + " of " +
                                      name +
                                      " does not match its seal: it was changed, or an entry "
                                      "before it was deleted");
                last = expected;
                histRow = hist->step();
                if (!histRow)
                    return std::unexpected(histRow.error());
            }
            if (f.historyLink.value_or(genesis) != last)
                return broken(v, 0, 0,
                              name + ": its review history does not reach its sealed last entry: "
                                     "history entries were deleted");
            if (columnHash(*inc, 16) != incidentSeal(*hasher, f))
                return broken(v, 0, 0,
                              name + " was changed: its status, assignee, notes, severity, counts "
                                     "or other columns do not match its seal");
            seen.toggle(incidentElement(*hasher, id), 1);
        }
        if (*histRow)
            return orphanedEntry();
        if (sealed->count != seen.count || sealed->sum != seen.sum)
            return broken(v, 0, 0,
                          "incidents: " + setMismatch(sealed->count, seen.count, "incidents"));
    }
    v.intact = true;
    return v;
}

} // namespace vigil
