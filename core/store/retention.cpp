// SPDX-License-Identifier: Apache-2.0
#include "store/retention.h"

#include "base/timeutil.h"
#include "store/chain.h"
#include "store/erasure.h"
#include "store/receipt.h"
#include "store/recordseal.h"
#include "store/storewriter.h"

#include <nlohmann/json.hpp>
#include <sqlite3.h>

#include <algorithm>
#include <map>
#include <optional>

namespace vigil {
namespace {

constexpr int kMaxDays = 36500;

bool isSpecialScope(std::string_view s)
{
    return s == "*" || s == "findings" || s == "incidents" || s == "quarantine";
}

Result<std::int64_t> runChanges(Database& db, std::string_view sql, std::int64_t cutoff)
{
    auto st = SqlStatement::prepare(db, sql);
    if (!st)
        return std::unexpected(st.error());
    st->bind(1, cutoff);
    if (auto r = st->run(); !r)
        return std::unexpected(r.error());
    return static_cast<std::int64_t>(sqlite3_changes(db.handle()));
}

// Removes the run of tombstones at the front of the chain (never the newest event, so row
// ids are not reused) after checking each of them, and moves the checkpoint past them.
Result<void> compactFront(Database& db, ChainHasher& hasher, PurgeResult& out)
{
    auto cp = readCheckpoint(db);
    if (!cp)
        return std::unexpected(cp.error());
    ChainHash prev{};
    if (*cp) {
        if (checkpointTag(hasher, (*cp)->position, (*cp)->rowId, (*cp)->link) != (*cp)->tag) {
            out.compactionRefused = "the chain checkpoint does not match its tag";
            return {};
        }
        prev = (*cp)->link;
    } else {
        auto uuid = databaseUuid(db);
        if (!uuid)
            return std::unexpected(uuid.error());
        prev = hasher.genesis(uuid->value_or(""));
    }
    auto st = SqlStatement::prepare(db, "SELECT id, erased, leaf, tomb, chain, finding_mask, "
                                        "finding_sev, fdigest FROM events "
                                        "WHERE id < (SELECT max(id) FROM events) ORDER BY id");
    if (!st)
        return std::unexpected(st.error());
    auto from = readSummaryFrom(db, hasher);
    if (!from)
        return std::unexpected(from.error());
    const std::int64_t summaryFrom = from->value_or(1);
    auto findings = EventFindingsStore::create(db, hasher);
    if (!findings)
        return std::unexpected(findings.error());
    // The findings a removed tombstone still has join the keyed set of orphaned findings.
    std::vector<ChainHash> orphaned;
    std::int64_t lastId = 0, count = 0;
    ChainHash lastLink{};
    for (;;) {
        auto row = st->step();
        if (!row)
            return std::unexpected(row.error());
        if (!*row)
            break;
        const std::int64_t id = st->columnInt(0);
        const std::int64_t receipt = st->columnInt(1);
        if (receipt == 0)
            break; // the first live event ends the run
        const auto leaf = columnHash(*st, 2);
        const auto tomb = columnHash(*st, 3);
        const auto link = columnHash(*st, 4);
        if (!leaf || !tomb || !link || tombstoneTag(hasher, id, *leaf, receipt) != *tomb ||
            hasher.link(prev, eventLeaf(hasher.plain(), *leaf, id < summaryFrom,
                                        FindingSummary{static_cast<std::uint32_t>(st->columnInt(5)),
                                                       static_cast<int>(st->columnInt(6))},
                                        columnHash(*st, 7))) != *link) {
            out.compactionRefused = "the chain does not verify at row " + std::to_string(id);
            break;
        }
        auto state = findings->read(id);
        if (!state)
            return std::unexpected(state.error());
        if (!findings->intact(id, *state)) {
            out.compactionRefused =
                "the findings of row " + std::to_string(id) + " do not match their seal";
            break;
        }
        for (const auto& [findingId, hash] : state->findings)
            orphaned.push_back(orphanElement(hasher, findingId, id, hash));
        prev = *link;
        lastId = id;
        lastLink = *link;
        ++count;
    }
    st->reset();
    if (count == 0)
        return {};
    auto del = SqlStatement::prepare(db, "DELETE FROM events WHERE id <= ?1");
    if (!del)
        return std::unexpected(del.error());
    del->bind(1, lastId);
    if (auto r = del->run(); !r)
        return std::unexpected(r.error());
    ChainCheckpoint next;
    next.position = (*cp ? (*cp)->position : 0) + count;
    next.rowId = lastId;
    next.link = lastLink;
    next.tag = checkpointTag(hasher, next.position, next.rowId, next.link);
    if (auto r = writeCheckpoint(db, next); !r)
        return std::unexpected(r.error());
    auto set = readRecordSet(db, hasher, RecordSetKind::Orphans);
    if (!set)
        return std::unexpected(set.error());
    // A set that belonged to another checkpoint than the one it moves from stays invalid.
    if (set->anchor != (*cp ? (*cp)->rowId : 0))
        set->valid = false;
    for (const ChainHash& e : orphaned)
        set->toggle(e, 1);
    set->anchor = lastId;
    if (auto r = writeRecordSet(db, hasher, RecordSetKind::Orphans, *set); !r)
        return std::unexpected(r.error());
    out.compacted = count;
    return {};
}

// Deletes findings older than `cutoff`. A stored event that loses findings gets an
// amendment naming the receipt (when its findings matched their seal before); findings of
// events already removed from the chain leave the keyed set of orphaned findings.
Result<void> purgeFindings(Database& db, ChainHasher& hasher, std::int64_t cutoff,
                           std::int64_t receipt, PurgeResult& out)
{
    auto cp = readCheckpoint(db);
    if (!cp)
        return std::unexpected(cp.error());
    const std::int64_t cpRow = *cp ? (*cp)->rowId : 0;
    auto expired =
        SqlStatement::prepare(db, std::string("SELECT event_rowid, id, ") + kFindingSealColumns +
                                      " FROM findings WHERE ts < ?1 AND "
                                      "category<>'rejected' ORDER BY event_rowid, id");
    if (!expired)
        return std::unexpected(expired.error());
    auto store = EventFindingsStore::create(db, hasher);
    if (!store)
        return std::unexpected(store.error());
    auto orphans = readRecordSet(db, hasher, RecordSetKind::Orphans);
    if (!orphans)
        return std::unexpected(orphans.error());
    if (orphans->anchor != cpRow)
        orphans->valid = false;
    bool orphansChanged = false;
    std::map<std::int64_t, bool> events; // stored events that lose findings: intact before?
    expired->bind(1, cutoff);
    for (;;) {
        auto row = expired->step();
        if (!row)
            return std::unexpected(row.error());
        if (!*row)
            break;
        const std::int64_t eventRow = expired->columnInt(0);
        if (eventRow <= cpRow) {
            orphans->toggle(orphanElement(hasher, expired->columnInt(1), eventRow,
                                          findingHash(hasher.plain(), findingFromRow(*expired, 2))),
                            -1);
            orphansChanged = true;
        } else if (!events.contains(eventRow)) {
            events[eventRow] = false;
        }
    }
    expired->reset();
    for (auto& [eventRow, intact] : events) {
        auto state = store->read(eventRow);
        if (!state)
            return std::unexpected(state.error());
        intact = store->intact(eventRow, *state);
    }
    auto deleted = runChanges(db, "DELETE FROM findings WHERE ts < ?1", cutoff);
    if (!deleted)
        return std::unexpected(deleted.error());
    out.findings = *deleted;
    for (const auto& [eventRow, intact] : events)
        if (intact)
            if (auto r = store->reseal(eventRow, receipt); !r)
                return r;
    if (orphansChanged)
        return writeRecordSet(db, hasher, RecordSetKind::Orphans, *orphans);
    return {};
}

// Deletes incidents whose last finding is older than `cutoff`, with their history, and
// takes them out of the keyed set of incidents. An incident that no longer matches its seal
// stays, so that verify still reports the change.
Result<void> purgeIncidents(Database& db, ChainHasher& hasher, std::int64_t cutoff,
                            PurgeResult& out)
{
    auto sel = SqlStatement::prepare(db, "SELECT id FROM incidents WHERE last_ms < ?1 ORDER BY id");
    if (!sel)
        return std::unexpected(sel.error());
    sel->bind(1, cutoff);
    std::vector<std::int64_t> ids;
    for (;;) {
        auto row = sel->step();
        if (!row)
            return std::unexpected(row.error());
        if (!*row)
            break;
        ids.push_back(sel->columnInt(0));
    }
    sel->reset();
    if (ids.empty())
        return {};
    auto set = readRecordSet(db, hasher, RecordSetKind::Incidents);
    if (!set)
        return std::unexpected(set.error());
    std::vector<SqlStatement> steps;
    for (const char* sql : {"DELETE FROM incident_history WHERE incident_id=?1",
                            "UPDATE findings SET incident_id=NULL WHERE incident_id=?1",
                            "DELETE FROM incidents WHERE id=?1"}) {
        auto st = SqlStatement::prepare(db, sql);
        if (!st)
            return std::unexpected(st.error());
        steps.push_back(std::move(*st));
    }
    for (const std::int64_t id : ids) {
        auto intact = incidentIntact(db, hasher, id);
        if (!intact)
            return std::unexpected(intact.error());
        if (!*intact) {
            ++out.keptAltered;
            continue;
        }
        for (SqlStatement& st : steps) {
            st.bind(1, id);
            auto r = st.run();
            st.reset();
            if (!r)
                return r;
        }
        set->toggle(incidentElement(hasher, id), -1);
        ++out.incidents;
    }
    return writeRecordSet(db, hasher, RecordSetKind::Incidents, *set);
}

// Deletes rejected lines received before `cutoff` and takes them out of their keyed set
// (by their content now: a line changed before would leave the set unmatched for good).
Result<void> purgeQuarantine(Database& db, ChainHasher& hasher, std::int64_t cutoff,
                             PurgeResult& out)
{
    auto sel = SqlStatement::prepare(db, "SELECT id, received_ms, source_id, source, line_no, "
                                         "reason, message, raw, raw_bytes, erased "
                                         "FROM quarantine WHERE received_ms < ?1");
    if (!sel)
        return std::unexpected(sel.error());
    auto set = readRecordSet(db, hasher, RecordSetKind::Quarantine);
    if (!set)
        return std::unexpected(set.error());
    sel->bind(1, cutoff);
    std::int64_t n = 0;
    for (;;) {
        auto row = sel->step();
        if (!row)
            return std::unexpected(row.error());
        if (!*row)
            break;
        const QuarantineFields q{sel->columnTextView(3), sel->columnInt(4),
                                 sel->columnTextView(5), sel->columnTextView(6),
                                 sel->columnTextView(7), sel->columnInt(8)};
        const ChainHash seal =
            quarantineSeal(hasher, sel->columnInt(0), sel->columnInt(1),
                           sel->columnIsNull(2) ? std::nullopt : std::optional(sel->columnInt(2)),
                           sel->columnInt(9), quarantineHash(hasher.plain(), q));
        set->toggle(quarantineElement(hasher, seal), -1);
        ++n;
    }
    sel->reset();
    if (n == 0)
        return {};
    auto deleted = runChanges(db, "DELETE FROM quarantine WHERE received_ms < ?1", cutoff);
    if (!deleted)
        return std::unexpected(deleted.error());
    out.quarantined = *deleted;
    return writeRecordSet(db, hasher, RecordSetKind::Quarantine, *set);
}

} // namespace

int RetentionPolicy::daysFor(std::string_view eventType) const
{
    if (auto it = days.find(eventType); it != days.end() && !isSpecialScope(eventType))
        return it->second;
    return scopeDays("*");
}

int RetentionPolicy::scopeDays(std::string_view scope) const
{
    if (auto it = days.find(scope); it != days.end())
        return it->second;
    return defaultRetention().days.at(std::string(scope));
}

const RetentionPolicy& defaultRetention()
{
    static const RetentionPolicy kDefaults{{
        {"*", 90},
        {"sql_executed", 365},
        {"human_escalation", 365},
        {"security_event", 365},
        {"tool_call", 365},
        {"findings", 365},
        {"incidents", 365},
        {"quarantine", 90},
    }};
    return kDefaults;
}

bool isRetentionScope(std::string_view s)
{
    if (isSpecialScope(s))
        return true;
    if (s.empty() || s.size() > 64 || s[0] < 'a' || s[0] > 'z')
        return false;
    return std::all_of(s.begin(), s.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '-';
    });
}

Result<RetentionPolicy> loadRetention(Database& db)
{
    RetentionPolicy p = defaultRetention();
    auto st = SqlStatement::prepare(db, "SELECT scope, days FROM retention");
    if (!st)
        return std::unexpected(st.error());
    for (;;) {
        auto row = st->step();
        if (!row)
            return std::unexpected(row.error());
        if (!*row)
            break;
        const std::string scope = st->columnText(0);
        const auto days = st->columnInt(1);
        if (isRetentionScope(scope) && days > 0 && days <= kMaxDays)
            p.days[scope] = static_cast<int>(days);
    }
    return p;
}

Result<void> setRetention(Database& db, std::string_view scope, int days)
{
    if (!isRetentionScope(scope))
        return fail("retention.scope", "'" + std::string(scope) +
                                           "' is not an event type, '*', 'findings', "
                                           "'incidents' or 'quarantine'");
    if (days < 1 || days > kMaxDays)
        return fail("retention.days", "a retention period is 1 to 36500 days");
    auto st = SqlStatement::prepare(db, "INSERT INTO retention(scope, days) VALUES (?1, ?2) "
                                        "ON CONFLICT(scope) DO UPDATE SET days=excluded.days");
    if (!st)
        return std::unexpected(st.error());
    st->bindText(1, scope).bind(2, days);
    return st->run();
}

Result<void> resetRetention(Database& db, std::string_view scope)
{
    auto st = SqlStatement::prepare(db, "DELETE FROM retention WHERE scope=?1");
    if (!st)
        return std::unexpected(st.error());
    st->bindText(1, scope);
    return st->run();
}

Result<PurgeResult> purgeExpired(Database& db, std::int64_t nowMs, const std::string& actor)
{
    PurgeResult out;
    out.nowMs = nowMs;
    auto policy = loadRetention(db);
    if (!policy)
        return std::unexpected(policy.error());
    out.policy = *policy;
    auto key = loadChainKey(db);
    if (!key)
        return std::unexpected(key.error());
    auto hasher = ChainHasher::create(*key);
    if (!hasher)
        return std::unexpected(hasher.error());

    // Expired live events: types with their own period, then the rest under '*'.
    std::vector<std::pair<std::int64_t, std::string>> expired; // row id, type
    auto byType = SqlStatement::prepare(
        db, "SELECT id FROM events WHERE event_type=?1 AND ts < ?2 AND erased=0");
    auto byDefault =
        SqlStatement::prepare(db, "SELECT id, event_type FROM events WHERE ts < ?1 AND erased=0");
    if (!byType)
        return std::unexpected(byType.error());
    if (!byDefault)
        return std::unexpected(byDefault.error());
    for (const auto& [scope, days] : policy->days) {
        if (isSpecialScope(scope))
            continue;
        byType->bindText(1, scope).bind(2, nowMs - days * kMsPerDay);
        for (;;) {
            auto row = byType->step();
            if (!row) {
                byType->reset();
                return std::unexpected(row.error());
            }
            if (!*row)
                break;
            expired.emplace_back(byType->columnInt(0), scope);
        }
        byType->reset();
    }
    byDefault->bind(1, nowMs - policy->scopeDays("*") * kMsPerDay);
    for (;;) {
        auto row = byDefault->step();
        if (!row)
            return std::unexpected(row.error());
        if (!*row)
            break;
        std::string type = byDefault->columnText(1);
        if (!policy->days.contains(type) || isSpecialScope(type))
            expired.emplace_back(byDefault->columnInt(0), std::move(type));
    }
    byDefault->reset();
    std::sort(expired.begin(), expired.end());

    Receipt rc;
    rc.timestampMs = nowMs;
    rc.kind = "purge";
    rc.actor = actor.empty() ? osUserName() : actor;
    rc.selector = "retention";
    if (auto r = insertReceipt(db, rc); !r)
        return std::unexpected(r.error());

    std::vector<std::int64_t> ids;
    ids.reserve(expired.size());
    for (const auto& [id, type] : expired) {
        ids.push_back(id);
        ++out.eventsByType[type];
    }
    auto tomb = tombstoneEvents(db, *hasher, rc.id, ids);
    if (!tomb)
        return std::unexpected(tomb.error());
    out.events = tomb->rows;
    out.unsealed = tomb->unsealed;

    const std::int64_t findingsCutoff = nowMs - policy->scopeDays("findings") * kMsPerDay;
    const std::int64_t incidentsCutoff = nowMs - policy->scopeDays("incidents") * kMsPerDay;
    const std::int64_t quarantineCutoff = nowMs - policy->scopeDays("quarantine") * kMsPerDay;
    if (auto r = purgeFindings(db, *hasher, findingsCutoff, rc.id, out); !r)
        return std::unexpected(r.error());
    if (auto r = purgeIncidents(db, *hasher, incidentsCutoff, out); !r)
        return std::unexpected(r.error());
    if (auto r = purgeQuarantine(db, *hasher, quarantineCutoff, out); !r)
        return std::unexpected(r.error());

    if (auto r = compactFront(db, *hasher, out); !r)
        return std::unexpected(r.error());

    if (out.events + out.findings + out.incidents + out.quarantined + out.compacted == 0) {
        // Nothing expired: no receipt (the schedule runs hourly).
        auto del = SqlStatement::prepare(db, "DELETE FROM receipts WHERE id=?1");
        if (!del)
            return std::unexpected(del.error());
        del->bind(1, rc.id);
        if (auto r = del->run(); !r)
            return std::unexpected(r.error());
        return out;
    }
    nlohmann::ordered_json detail;
    detail["now"] = formatRfc3339Utc(nowMs);
    detail["events_by_type"] = nlohmann::ordered_json::object();
    for (const auto& [type, n] : out.eventsByType)
        detail["events_by_type"][type] = n;
    detail["compacted"] = out.compacted;
    detail["retention_days"] = nlohmann::ordered_json::object();
    for (const auto& [scope, days] : out.policy.days)
        detail["retention_days"][scope] = days;
    rc.events = out.events;
    rc.findings = out.findings;
    rc.incidents = out.incidents;
    rc.quarantined = out.quarantined;
    rc.detail = detail.dump();
    if (auto r = finishReceipt(db, *hasher, rc); !r)
        return std::unexpected(r.error());
    out.receiptId = rc.id;
    auto trail =
        SqlStatement::prepare(db, "INSERT INTO audit_trail(ts_ms, actor, action, target, detail) "
                                  "VALUES (?1, ?2, 'purge', 'retention', ?3)");
    if (!trail)
        return std::unexpected(trail.error());
    const std::string text =
        "receipt " + std::to_string(rc.id) + ", " + std::to_string(out.events) + " events";
    trail->bind(1, nowMs).bindText(2, rc.actor).bindText(3, text);
    if (auto r = trail->run(); !r)
        return std::unexpected(r.error());
    return out;
}

Result<PurgeResult> purgeExpired(StoreWriter& writer, std::int64_t nowMs, const std::string& actor)
{
    std::optional<Result<PurgeResult>> out;
    auto r = writer.run([&](Database& db) -> Result<void> {
        out = purgeExpired(db, nowMs, actor);
        if (!*out)
            return std::unexpected(out->error());
        return {};
    });
    if (!r)
        return std::unexpected(r.error());
    return std::move(*out);
}

Result<PurgeResult> previewPurge(Database& db, std::int64_t nowMs)
{
    if (auto r = db.exec("SAVEPOINT retention_preview"); !r)
        return std::unexpected(r.error());
    auto out = purgeExpired(db, nowMs, {});
    // Nothing of the trial run stays, whatever happened in it.
    auto undo = db.exec("ROLLBACK TO retention_preview; RELEASE retention_preview");
    if (!out)
        return out;
    if (!undo)
        return std::unexpected(undo.error());
    out->receiptId = 0;
    return out;
}

Result<PurgeResult> previewPurge(StoreWriter& writer, std::int64_t nowMs)
{
    return writer.runResult<PurgeResult>([nowMs](Database& db) { return previewPurge(db, nowMs); });
}

Result<bool> autoRetentionEnabled(Database& db)
{
    auto v = readMeta(db, "retention.auto");
    if (!v)
        return std::unexpected(v.error());
    return *v && **v == "on";
}

Result<void> setAutoRetention(Database& db, bool enabled)
{
    return writeMeta(db, "retention.auto", enabled ? "on" : "off");
}

Result<std::optional<std::int64_t>> lastPurgeMs(Database& db)
{
    auto st = SqlStatement::prepare(db, "SELECT max(ts_ms) FROM receipts WHERE kind='purge'");
    if (!st)
        return std::unexpected(st.error());
    auto row = st->step();
    if (!row)
        return std::unexpected(row.error());
    if (!*row || st->columnIsNull(0))
        return std::optional<std::int64_t>();
    return std::optional<std::int64_t>(st->columnInt(0));
}

} // namespace vigil
