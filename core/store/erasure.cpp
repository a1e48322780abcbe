// SPDX-License-Identifier: Apache-2.0
#include "store/erasure.h"

#include "base/timeutil.h"
#include "store/recordseal.h"
#include "store/storewriter.h"

#include <nlohmann/json.hpp>
#include <sqlite3.h>

#include <optional>
#include <set>

namespace vigil {
namespace {

// The link before row `rowId`: the previous row's, else the checkpoint's, else genesis.
class PreviousLink
{
public:
    static Result<PreviousLink> create(Database& db, ChainHasher& hasher)
    {
        PreviousLink p;
        auto st = SqlStatement::prepare(
            db, "SELECT chain FROM events WHERE id < ?1 ORDER BY id DESC LIMIT 1");
        if (!st)
            return std::unexpected(st.error());
        p.m_prev = std::move(*st);
        auto cp = readCheckpoint(db);
        if (!cp)
            return std::unexpected(cp.error());
        if (*cp) {
            p.m_base = (*cp)->link;
        } else {
            auto uuid = databaseUuid(db);
            if (!uuid)
                return std::unexpected(uuid.error());
            p.m_base = hasher.genesis(uuid->value_or(""));
        }
        return p;
    }

    Result<std::optional<ChainHash>> before(std::int64_t rowId)
    {
        m_prev.bind(1, rowId);
        auto row = m_prev.step();
        std::optional<ChainHash> out;
        if (row && *row)
            out = columnHash(m_prev, 0);
        else if (row)
            out = m_base;
        m_prev.reset();
        if (!row)
            return std::unexpected(row.error());
        return out;
    }

private:
    SqlStatement m_prev;
    ChainHash m_base{};
};

} // namespace

std::string_view toString(ErasureSubject s)
{
    return s == ErasureSubject::Thread ? "thread" : "user";
}

Result<TombstoneStats> tombstoneEvents(Database& db, ChainHasher& hasher, std::int64_t receiptId,
                                       const std::vector<std::int64_t>& rowIds)
{
    TombstoneStats stats;
    auto prev = PreviousLink::create(db, hasher);
    if (!prev)
        return std::unexpected(prev.error());
    auto from = readSummaryFrom(db, hasher);
    if (!from)
        return std::unexpected(from.error());
    const std::int64_t summaryFrom = from->value_or(1);
    auto sel = SqlStatement::prepare(
        db, "SELECT ts, event_type, agent, thread_id, severity, event_id, user_id, trace_id, "
            "span_id, details, chain, thread_no, finding_mask, finding_sev, fdigest "
            "FROM events WHERE id=?1 AND erased=0");
    auto upd = SqlStatement::prepare(
        db, "UPDATE events SET thread_id='', thread_no=NULL, user_id=NULL, trace_id=NULL, "
            "span_id=NULL, details='{}', erased=?2, leaf=?3, tomb=?4 WHERE id=?1");
    // A thread none of whose events remain leaves no trace of its id either.
    auto dropThread = SqlStatement::prepare(
        db, "DELETE FROM threads WHERE id=?1 AND NOT EXISTS "
            "(SELECT 1 FROM events WHERE thread_no=?1)");
    if (!dropThread)
        return std::unexpected(dropThread.error());
    std::set<std::int64_t> threads;
    if (!sel)
        return std::unexpected(sel.error());
    if (!upd)
        return std::unexpected(upd.error());
    for (const std::int64_t id : rowIds) {
        sel->bind(1, id);
        auto row = sel->step();
        if (!row) {
            sel->reset();
            return std::unexpected(row.error());
        }
        if (!*row) {
            sel->reset();
            continue; // gone or already a tombstone
        }
        CanonicalFields f;
        f.timestampMs = sel->columnInt(0);
        f.eventType = sel->columnTextView(1);
        f.agent = sel->columnTextView(2);
        f.threadId = sel->columnTextView(3);
        f.severity = static_cast<int>(sel->columnInt(4));
        f.eventId = sel->columnTextView(5);
        f.userId = sel->columnTextView(6);
        f.traceId = sel->columnTextView(7);
        f.spanId = sel->columnTextView(8);
        f.details = sel->columnTextView(9);
        // The tombstone keeps the content hash; the link also covers the finding summary.
        const ChainHash leaf = hasher.leaf(f);
        const ChainHash chainLeaf =
            eventLeaf(hasher.plain(), leaf, id < summaryFrom,
                      FindingSummary{static_cast<std::uint32_t>(sel->columnInt(12)),
                                     static_cast<int>(sel->columnInt(13))},
                      columnHash(*sel, 14));
        const std::optional<ChainHash> stored = columnHash(*sel, 10);
        if (!sel->columnIsNull(11))
            threads.insert(sel->columnInt(11));
        sel->reset();

        auto before = prev->before(id);
        if (!before)
            return std::unexpected(before.error());
        // A row that no longer matches its link keeps the leaf of what it holds now, so the
        // break stays visible to verify instead of being sealed over.
        if (!stored || !*before || hasher.link(**before, chainLeaf) != *stored)
            ++stats.unsealed;
        const ChainHash tag = tombstoneTag(hasher, id, leaf, receiptId);
        upd->bind(1, id)
            .bind(2, receiptId)
            .bindBlob(3, leaf.data(), static_cast<int>(leaf.size()))
            .bindBlob(4, tag.data(), static_cast<int>(tag.size()));
        auto r = upd->run();
        upd->reset();
        if (!r)
            return std::unexpected(r.error());
        ++stats.rows;
    }
    for (const std::int64_t thread : threads) {
        dropThread->bind(1, thread);
        auto r = dropThread->run();
        dropThread->reset();
        if (!r)
            return std::unexpected(r.error());
    }
    return stats;
}

Result<ErasureOutcome> eraseSubject(Database& db, const ErasureRequest& request)
{
    if (request.value.empty())
        return fail("erase.empty_selector", "the thread or user id to erase is empty");
    auto key = loadChainKey(db);
    if (!key)
        return std::unexpected(key.error());
    auto hasher = ChainHasher::create(*key);
    if (!hasher)
        return std::unexpected(hasher.error());

    // Overwrite freed and rewritten cells with zeros while erasing, so the removed content
    // does not linger in free pages of the file (the WAL is truncated at the next checkpoint).
    (void)db.exec("PRAGMA secure_delete=ON");
    struct RestoreSecureDelete
    {
        Database& db;
        ~RestoreSecureDelete() { (void)db.exec("PRAGMA secure_delete=OFF"); }
    } restore{db};

    ErasureOutcome out;
    Receipt& rc = out.receipt;
    rc.timestampMs = request.nowMs ? request.nowMs : nowEpochMs();
    rc.kind = "erase";
    rc.actor = request.actor.empty() ? osUserName() : request.actor;
    rc.selector = std::string(toString(request.subject));
    rc.selectorHash = selectorHash(*hasher, rc.selector, request.value);
    if (auto r = insertReceipt(db, rc); !r)
        return std::unexpected(r.error());

    const bool byThread = request.subject == ErasureSubject::Thread;
    auto sel = SqlStatement::prepare(
        db, byThread
                ? "SELECT id, thread_id FROM events WHERE thread_id=?1 AND erased=0 ORDER BY id"
                : "SELECT id, thread_id FROM events WHERE user_id=?1 AND erased=0 ORDER BY id");
    if (!sel)
        return std::unexpected(sel.error());
    sel->bindText(1, request.value);
    std::vector<std::int64_t> ids;
    std::set<std::string> threads;
    for (;;) {
        auto row = sel->step();
        if (!row)
            return std::unexpected(row.error());
        if (!*row)
            break;
        ids.push_back(sel->columnInt(0));
        threads.insert(sel->columnText(1));
    }
    if (byThread)
        threads.insert(request.value);

    // Findings first, while the rows are still recognisable: drop their character spans.
    // Events whose findings matched their seal get an amendment over the scrubbed ones; a
    // mismatch found here stays for verify to report.
    auto findingsStore = EventFindingsStore::create(db, *hasher);
    if (!findingsStore)
        return std::unexpected(findingsStore.error());
    std::vector<std::int64_t> reseal;
    for (const std::int64_t id : ids) {
        auto state = findingsStore->read(id);
        if (!state)
            return std::unexpected(state.error());
        if (!state->findings.empty() && findingsStore->intact(id, *state))
            reseal.push_back(id);
    }
    auto scrubFindings =
        SqlStatement::prepare(db, "UPDATE findings SET span_start=NULL, span_end=NULL "
                                  "WHERE event_rowid=?1 AND category<>'rejected'");
    if (!scrubFindings)
        return std::unexpected(scrubFindings.error());
    auto countFindings = SqlStatement::prepare(
        db, "SELECT count(*) FROM findings WHERE event_rowid=?1 AND category<>'rejected'");
    if (!countFindings)
        return std::unexpected(countFindings.error());
    for (const std::int64_t id : ids) {
        countFindings->bind(1, id);
        auto row = countFindings->step();
        if (row && *row)
            rc.findings += countFindings->columnInt(0);
        countFindings->reset();
        if (!row)
            return std::unexpected(row.error());
        scrubFindings->bind(1, id);
        auto r = scrubFindings->run();
        scrubFindings->reset();
        if (!r)
            return std::unexpected(r.error());
    }

    auto tomb = tombstoneEvents(db, *hasher, rc.id, ids);
    if (!tomb)
        return std::unexpected(tomb.error());
    rc.events = tomb->rows;
    out.unsealed = tomb->unsealed;
    for (const std::int64_t id : reseal)
        if (auto r = findingsStore->reseal(id, rc.id); !r)
            return std::unexpected(r.error());
    if (request.subject == ErasureSubject::Thread) {
        // Even a thread number left without events (a resent duplicate can leave one) goes.
        auto dropThread = SqlStatement::prepare(db, "DELETE FROM threads WHERE thread_id=?1");
        if (!dropThread)
            return std::unexpected(dropThread.error());
        dropThread->bindText(1, request.value);
        if (auto r = dropThread->run(); !r)
            return std::unexpected(r.error());
    }

    // Incidents of the affected threads keep their counts but lose the thread id. Each is
    // resealed when it matched its seal before.
    auto incidentsOf =
        SqlStatement::prepare(db, "SELECT id FROM incidents WHERE thread_id=?1 ORDER BY id");
    auto scrubIncident = SqlStatement::prepare(
        db, "UPDATE incidents SET thread_id='', group_key='erased:' || id, "
            "title=category || ' ' || rule || ' by ' || agent || ' in an erased thread' "
            "WHERE id=?1");
    if (!incidentsOf)
        return std::unexpected(incidentsOf.error());
    if (!scrubIncident)
        return std::unexpected(scrubIncident.error());
    for (const std::string& t : threads) {
        if (t.empty())
            continue;
        std::vector<std::int64_t> incidentIds;
        incidentsOf->bindText(1, t);
        for (;;) {
            auto row = incidentsOf->step();
            if (!row) {
                incidentsOf->reset();
                return std::unexpected(row.error());
            }
            if (!*row)
                break;
            incidentIds.push_back(incidentsOf->columnInt(0));
        }
        incidentsOf->reset();
        for (const std::int64_t id : incidentIds) {
            auto intact = incidentIntact(db, *hasher, id);
            if (!intact)
                return std::unexpected(intact.error());
            scrubIncident->bind(1, id);
            auto r = scrubIncident->run();
            scrubIncident->reset();
            if (!r)
                return std::unexpected(r.error());
            ++rc.incidents;
            if (!*intact)
                continue;
            auto incident = readIncident(db, id);
            if (!incident)
                return std::unexpected(incident.error());
            if (*incident)
                if (auto s = writeIncidentSeal(db, *hasher, (*incident)->first); !s)
                    return std::unexpected(s.error());
        }
    }

    // The incident search index would keep the old titles' terms in its segments until
    // they merge; merge them now (no-op without the index).
    if (rc.incidents > 0)
        (void)db.exec("INSERT INTO incidents_fts(incidents_fts) VALUES ('optimize')");

    // Quarantined lines are raw text: drop those that name the subject (best effort: the
    // line was not valid JSON to begin with, so only the compact spelling is matched).
    const std::string needle = std::string(byThread ? "\"thread_id\":" : "\"user_id\":") +
                               nlohmann::json(request.value).dump();
    // Each wiped line is resealed (naming the receipt) when it matched its seal before, and
    // its element in the keyed set of rejected lines is replaced.
    auto q = SqlStatement::prepare(
        db, "SELECT id, received_ms, source_id, source, line_no, reason, raw_bytes, message, "
            "raw, erased, seal FROM quarantine WHERE instr(raw, ?1) > 0 ORDER BY id");
    auto wipe = SqlStatement::prepare(
        db, "UPDATE quarantine SET raw=X'', message='erased', erased=?2, seal=?3 WHERE id=?1");
    if (!q)
        return std::unexpected(q.error());
    if (!wipe)
        return std::unexpected(wipe.error());
    auto lines = readRecordSet(db, *hasher, RecordSetKind::Quarantine);
    if (!lines)
        return std::unexpected(lines.error());
    struct Wiped
    {
        std::int64_t id;
        ChainHash seal;
    };
    std::vector<Wiped> wiped;
    q->bindBlob(1, needle.data(), static_cast<int>(needle.size()));
    for (;;) {
        auto row = q->step();
        if (!row)
            return std::unexpected(row.error());
        if (!*row)
            break;
        const std::int64_t id = q->columnInt(0);
        const std::int64_t received = q->columnInt(1);
        const std::optional<std::int64_t> sourceId =
            q->columnIsNull(2) ? std::nullopt : std::optional(q->columnInt(2));
        QuarantineFields fields{q->columnTextView(3), q->columnInt(4),      q->columnTextView(5),
                                q->columnTextView(7), q->columnTextView(8), q->columnInt(6)};
        const ChainHash before = quarantineSeal(*hasher, id, received, sourceId, q->columnInt(9),
                                                quarantineHash(hasher->plain(), fields));
        const std::optional<ChainHash> stored = columnHash(*q, 10);
        fields.message = "erased";
        fields.raw = {};
        const ChainHash after = quarantineSeal(*hasher, id, received, sourceId, rc.id,
                                               quarantineHash(hasher->plain(), fields));
        lines->toggle(quarantineElement(*hasher, before), -1);
        lines->toggle(quarantineElement(*hasher, after), 1);
        // A line that did not match its seal keeps the old seal: the earlier edit stays
        // visible (and the set no longer matches either).
        wiped.push_back(Wiped{id, stored == before ? after : stored.value_or(ChainHash{})});
    }
    q->reset();
    for (const Wiped& w : wiped) {
        wipe->bind(1, w.id).bind(2, rc.id).bindBlob(3, w.seal.data(), 32);
        auto r = wipe->run();
        wipe->reset();
        if (!r)
            return std::unexpected(r.error());
    }
    rc.quarantined = static_cast<std::int64_t>(wiped.size());
    if (!wiped.empty())
        if (auto r = writeRecordSet(db, *hasher, RecordSetKind::Quarantine, *lines); !r)
            return std::unexpected(r.error());

    if (auto r = finishReceipt(db, *hasher, rc); !r)
        return std::unexpected(r.error());

    auto trail = SqlStatement::prepare(db, "INSERT INTO audit_trail(ts_ms, actor, action, target, "
                                           "detail) VALUES (?1, ?2, ?3, ?4, ?5)");
    if (!trail)
        return std::unexpected(trail.error());
    const std::string target = rc.selector + ":" + rc.selectorHash.substr(0, 16);
    const std::string detail =
        "receipt " + std::to_string(rc.id) + ", " + std::to_string(rc.events) + " events";
    trail->bind(1, rc.timestampMs)
        .bindText(2, rc.actor)
        .bindText(3, "erase")
        .bindText(4, target)
        .bindText(5, detail);
    if (auto r = trail->run(); !r)
        return std::unexpected(r.error());
    return out;
}

Result<ErasureOutcome> eraseSubject(StoreWriter& writer, const ErasureRequest& request)
{
    std::optional<Result<ErasureOutcome>> out;
    auto r = writer.run([&](Database& db) -> Result<void> {
        out = eraseSubject(db, request);
        if (!*out)
            return std::unexpected(out->error());
        return {};
    });
    if (!r)
        return std::unexpected(r.error());
    return std::move(*out);
}

} // namespace vigil
