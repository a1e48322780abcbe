// SPDX-License-Identifier: Apache-2.0
#include "store/recordseal.h"

#include "store/schema.h"

#include <sqlite3.h>

#include <algorithm>
#include <array>

namespace vigil {
namespace {

void putInt(std::string& out, std::int64_t v)
{
    appendBigEndian(out, static_cast<std::uint64_t>(v), 8);
}

void putHash(std::string& out, const ChainHash& h)
{
    out.append(reinterpret_cast<const char*>(h.data()), h.size());
}

void putOptHash(std::string& out, const std::optional<ChainHash>& h)
{
    out.push_back(h ? '\x01' : '\x00');
    if (h)
        putHash(out, *h);
}

void putOptInt(std::string& out, const std::optional<std::int64_t>& v)
{
    out.push_back(v ? '\x01' : '\x00');
    if (v)
        putInt(out, *v);
}

std::optional<std::int64_t> optInt(const SqlStatement& st, int col)
{
    if (st.columnIsNull(col))
        return std::nullopt;
    return st.columnInt(col);
}

// "a:b:c:d" into exactly `n` parts.
bool splitColons(std::string_view s, std::span<std::string_view> parts)
{
    for (std::size_t i = 0; i < parts.size(); ++i) {
        const auto colon = s.find(':');
        const bool last = i + 1 == parts.size();
        if (last != (colon == std::string_view::npos))
            return false;
        parts[i] = s.substr(0, colon);
        if (!last)
            s.remove_prefix(colon + 1);
    }
    return true;
}

std::optional<std::int64_t> parseInt(std::string_view s)
{
    if (s.empty() || s.size() > 19)
        return std::nullopt;
    std::int64_t v = 0;
    for (char c : s) {
        if (c < '0' || c > '9')
            return std::nullopt;
        v = v * 10 + (c - '0');
    }
    return v;
}

ChainHash setTag(ChainHasher& hasher, RecordSetKind kind, const RecordSet& set)
{
    std::string data(recordSetKey(kind));
    data.push_back('\0');
    putInt(data, set.anchor);
    putInt(data, set.count);
    putHash(data, set.sum);
    return hasher.tag("set", data);
}

ChainHash summaryFromTag(ChainHasher& hasher, std::int64_t from)
{
    std::string data;
    putInt(data, from);
    return hasher.tag("summary_from", data);
}

} // namespace

const char* const kFindingSealColumns =
    "ts, agent, rule, category, layer, severity, field, span_start, span_end, message";

FindingFields findingFromRow(const SqlStatement& st, int first)
{
    FindingFields f;
    f.ts = st.columnInt(first);
    f.agent = st.columnTextView(first + 1);
    f.rule = st.columnTextView(first + 2);
    f.category = st.columnTextView(first + 3);
    f.layer = st.columnInt(first + 4);
    f.severity = st.columnInt(first + 5);
    f.field = st.columnTextView(first + 6);
    f.start = optInt(st, first + 7);
    f.end = optInt(st, first + 8);
    f.message = st.columnTextView(first + 9);
    return f;
}

const char* const kIncidentSealColumns =
    "group_key, title, category, rule, agent, thread_id, layer, severity, first_ms, last_ms, "
    "findings, status, assignee, notes, hlink, seal";

IncidentFields incidentFromRow(const SqlStatement& st, std::int64_t id, int first)
{
    IncidentFields f;
    f.id = id;
    f.groupKey = st.columnText(first);
    f.title = st.columnText(first + 1);
    f.category = st.columnText(first + 2);
    f.rule = st.columnText(first + 3);
    f.agent = st.columnText(first + 4);
    f.threadId = st.columnText(first + 5);
    f.layer = st.columnInt(first + 6);
    f.severity = st.columnInt(first + 7);
    f.firstMs = st.columnInt(first + 8);
    f.lastMs = st.columnInt(first + 9);
    f.findings = st.columnInt(first + 10);
    f.status = st.columnText(first + 11);
    f.assignee = st.columnText(first + 12);
    f.notes = st.columnText(first + 13);
    f.historyLink = columnHash(st, first + 14);
    return f;
}

FindingSummary summarizeFindings(const std::vector<Finding>& findings)
{
    FindingSummary s;
    for (const Finding& f : findings) {
        s.mask |= 1u << findingCategoryBit(f.category);
        s.severity = std::max(s.severity, static_cast<int>(f.severity));
    }
    return s;
}

FindingFields findingFields(const Finding& f, std::int64_t ts, std::string_view agent)
{
    FindingFields out;
    out.ts = ts;
    out.agent = agent;
    out.rule = f.rule;
    out.category = f.category;
    out.layer = f.layer;
    out.severity = static_cast<int>(f.severity);
    out.field = f.field;
    if (f.start >= 0) {
        out.start = f.start;
        out.end = f.end;
    }
    out.message = f.message;
    return out;
}

ChainHash findingHash(LeafHasher& hasher, const FindingFields& f)
{
    std::string& s = hasher.scratch();
    s.clear();
    s.push_back('\x04');
    putInt(s, f.ts);
    appendText(s, f.agent, false);
    appendText(s, f.rule, false);
    appendText(s, f.category, false);
    putInt(s, f.layer);
    putInt(s, f.severity);
    appendText(s, f.field, false);
    putOptInt(s, f.start);
    putOptInt(s, f.end);
    appendText(s, f.message, false);
    return hasher.sha256(s);
}

ChainHash findingsDigest(LeafHasher& hasher, std::span<const ChainHash> hashes)
{
    std::string& s = hasher.scratch();
    s.clear();
    s.push_back('\x03');
    putInt(s, static_cast<std::int64_t>(hashes.size()));
    for (const ChainHash& h : hashes)
        putHash(s, h);
    return hasher.sha256(s);
}

ChainHash eventLeaf(LeafHasher& hasher, const ChainHash& content, bool legacy,
                    FindingSummary summary, const std::optional<ChainHash>& digest)
{
    if (legacy || (summary.empty() && !digest))
        return content;
    std::string& s = hasher.scratch();
    s.clear();
    s.push_back('\x01');
    putHash(s, content);
    putInt(s, summary.mask);
    putInt(s, summary.severity);
    putOptHash(s, digest);
    return hasher.sha256(s);
}

void hashFindings(IngestedEvent& ie, LeafHasher& hasher)
{
    if (!ie.leaf || ie.findings.empty() || !hasher.valid())
        return;
    ie.findingHashes.clear();
    for (const Finding& f : ie.findings)
        ie.findingHashes.push_back(
            findingHash(hasher, findingFields(f, ie.event.timestampMs, ie.event.agentName)));
    ie.findingsDigest = findingsDigest(hasher, ie.findingHashes);
    ie.summaryLeaf =
        eventLeaf(hasher, *ie.leaf, false, summarizeFindings(ie.findings), ie.findingsDigest);
}

ChainHash quarantineHash(LeafHasher& hasher, const QuarantineFields& q)
{
    std::string& s = hasher.scratch();
    s.clear();
    s.push_back('\x05');
    appendText(s, q.source, false);
    putInt(s, q.lineNo);
    appendText(s, q.reason, false);
    appendText(s, q.message, false);
    appendText(s, q.raw, false);
    putInt(s, q.rawBytes);
    return hasher.sha256(s);
}

ChainHash findingsSeal(ChainHasher& hasher, std::int64_t rowId, FindingSummary summary,
                       const std::optional<ChainHash>& digest, std::int64_t receipt)
{
    std::string data;
    putInt(data, rowId);
    putInt(data, summary.mask);
    putInt(data, summary.severity);
    putOptHash(data, digest);
    putInt(data, receipt);
    return hasher.tag("findings", data);
}

ChainHash quarantineSeal(ChainHasher& hasher, std::int64_t id, std::int64_t receivedMs,
                         std::optional<std::int64_t> sourceId, std::int64_t erased,
                         const ChainHash& content)
{
    std::string data;
    putInt(data, id);
    putInt(data, receivedMs);
    putOptInt(data, sourceId);
    putInt(data, erased);
    putHash(data, content);
    return hasher.tag("quarantine", data);
}

ChainHash historyGenesis(ChainHasher& hasher, std::int64_t incidentId)
{
    std::string data;
    putInt(data, incidentId);
    return hasher.tag("incident.genesis", data);
}

ChainHash historyLink(ChainHasher& hasher, const ChainHash& prev, const HistoryFields& h)
{
    std::string data;
    putHash(data, prev);
    putInt(data, h.incidentId);
    putInt(data, h.tsMs);
    appendText(data, h.actor, false);
    appendText(data, h.field, false);
    appendText(data, h.oldValue, false);
    appendText(data, h.newValue, false);
    return hasher.tag("incident.history", data);
}

ChainHash incidentSeal(ChainHasher& hasher, const IncidentFields& f)
{
    std::string data;
    putInt(data, f.id);
    for (const std::string* t :
         {&f.groupKey, &f.title, &f.category, &f.rule, &f.agent, &f.threadId})
        appendText(data, *t, false);
    for (std::int64_t v : {f.layer, f.severity, f.firstMs, f.lastMs, f.findings})
        putInt(data, v);
    for (const std::string* t : {&f.status, &f.assignee, &f.notes})
        appendText(data, *t, false);
    putHash(data, f.historyLink ? *f.historyLink : historyGenesis(hasher, f.id));
    return hasher.tag("incident", data);
}

std::string_view toString(RecordSetKind kind)
{
    switch (kind) {
    case RecordSetKind::Quarantine:
        return "quarantine";
    case RecordSetKind::Incidents:
        return "incidents";
    case RecordSetKind::Orphans:
        return "orphan findings";
    }
    return "?";
}

std::string recordSetKey(RecordSetKind kind)
{
    switch (kind) {
    case RecordSetKind::Quarantine:
        return "chain.set.quarantine";
    case RecordSetKind::Incidents:
        return "chain.set.incidents";
    case RecordSetKind::Orphans:
        return "chain.set.orphans";
    }
    return "chain.set.unknown";
}

void RecordSet::toggle(const ChainHash& element, std::int64_t delta)
{
    for (std::size_t i = 0; i < sum.size(); ++i)
        sum[i] ^= element[i];
    count += delta;
}

ChainHash quarantineElement(ChainHasher& hasher, const ChainHash& seal)
{
    return hasher.tag("set.quarantine",
                      std::string_view(reinterpret_cast<const char*>(seal.data()), seal.size()));
}

ChainHash incidentElement(ChainHasher& hasher, std::int64_t incidentId)
{
    std::string data;
    putInt(data, incidentId);
    return hasher.tag("set.incident", data);
}

ChainHash orphanElement(ChainHasher& hasher, std::int64_t findingId, std::int64_t eventRow,
                        const ChainHash& hash)
{
    std::string data;
    putInt(data, findingId);
    putInt(data, eventRow);
    putHash(data, hash);
    return hasher.tag("set.orphan", data);
}

Result<RecordSet> readRecordSet(Database& db, ChainHasher& hasher, RecordSetKind kind)
{
    auto v = readMeta(db, recordSetKey(kind));
    if (!v)
        return std::unexpected(v.error());
    RecordSet set;
    set.valid = false;
    if (!*v)
        return set; // missing: whoever removed it must not get a fresh, empty set
    // anchor:count:sum-hex:tag-hex
    std::array<std::string_view, 4> parts;
    if (!splitColons(**v, parts))
        return set;
    const auto anchor = parseInt(parts[0]);
    const auto count = parseInt(parts[1]);
    const auto sum = chainHashFromHex(parts[2]);
    const auto tag = chainHashFromHex(parts[3]);
    if (!anchor || !count || !sum || !tag)
        return set;
    set.anchor = *anchor;
    set.count = *count;
    set.sum = *sum;
    set.valid = setTag(hasher, kind, set) == *tag;
    return set;
}

Result<void> writeRecordSet(Database& db, ChainHasher& hasher, RecordSetKind kind,
                            const RecordSet& set)
{
    // An invalid set keeps a tag that never matches: updating it must not seal over the
    // change that made it invalid.
    const ChainHash tag = set.valid ? setTag(hasher, kind, set) : ChainHash{};
    return writeMeta(db, recordSetKey(kind),
                     std::to_string(set.anchor) + ":" + std::to_string(set.count) + ":" +
                         toHex(set.sum) + ":" + toHex(tag));
}

Result<std::optional<std::int64_t>> readSummaryFrom(Database& db, ChainHasher& hasher)
{
    auto v = readMeta(db, "chain.summary_from");
    if (!v)
        return std::unexpected(v.error());
    std::optional<std::int64_t> none;
    if (!*v)
        return none;
    std::array<std::string_view, 2> parts;
    if (!splitColons(**v, parts))
        return none;
    const auto from = parseInt(parts[0]);
    const auto tag = chainHashFromHex(parts[1]);
    if (!from || !tag || summaryFromTag(hasher, *from) != *tag)
        return none;
    return from;
}

// ---- EventFindingsStore -------------------------------------------------------------------

Result<EventFindingsStore> EventFindingsStore::create(Database& db, ChainHasher& hasher)
{
    EventFindingsStore s(hasher);
    auto from = readSummaryFrom(db, hasher);
    if (!from)
        return std::unexpected(from.error());
    // Without a valid boundary every row counts as sealed with its summary: legacy rows then
    // fail their checks, and nothing is resealed over them.
    s.m_summaryFrom = from->value_or(1);
    struct Def
    {
        SqlStatement* target;
        const char* sql;
    };
    const std::string findingsSql = std::string("SELECT id, ") + kFindingSealColumns +
                                    " FROM findings WHERE event_rowid=?1 AND "
                                    "category<>'rejected' ORDER BY id";
    const Def defs[] = {
        {&s.m_event,
         "SELECT finding_mask, finding_sev, fdigest, fseal, freceipt FROM events WHERE id=?1"},
        {&s.m_findings, findingsSql.c_str()},
        {&s.m_setHash, "UPDATE findings SET hash=?2 WHERE id=?1"},
        {&s.m_amend, "UPDATE events SET fseal=?2, freceipt=?3 WHERE id=?1"},
    };
    for (const Def& d : defs) {
        auto st = SqlStatement::prepare(db, d.sql);
        if (!st)
            return std::unexpected(st.error());
        *d.target = std::move(*st);
    }
    return s;
}

Result<EventFindings> EventFindingsStore::read(std::int64_t rowId)
{
    EventFindings out;
    out.legacy = rowId < m_summaryFrom;
    m_event.bind(1, rowId);
    auto row = m_event.step();
    if (row && *row) {
        out.present = true;
        out.summary.mask = static_cast<std::uint32_t>(m_event.columnInt(0));
        out.summary.severity = static_cast<int>(m_event.columnInt(1));
        out.sealedDigest = columnHash(m_event, 2);
        out.fseal = columnHash(m_event, 3);
        out.freceipt = m_event.columnInt(4);
    }
    m_event.reset();
    if (!row)
        return std::unexpected(row.error());
    m_findings.bind(1, rowId);
    std::vector<ChainHash> hashes;
    for (;;) {
        auto f = m_findings.step();
        if (!f) {
            m_findings.reset();
            return std::unexpected(f.error());
        }
        if (!*f)
            break;
        const ChainHash h = findingHash(m_hasher->plain(), findingFromRow(m_findings, 1));
        out.findings.emplace_back(m_findings.columnInt(0), h);
        hashes.push_back(h);
    }
    m_findings.reset();
    if (!hashes.empty())
        out.digest = findingsDigest(m_hasher->plain(), hashes);
    return out;
}

bool EventFindingsStore::intact(std::int64_t rowId, const EventFindings& state)
{
    if (!state.present)
        return false;
    if (state.fseal)
        return *state.fseal ==
               findingsSeal(*m_hasher, rowId, state.summary, state.digest, state.freceipt);
    return !state.legacy && state.digest == state.sealedDigest;
}

Result<void> EventFindingsStore::reseal(std::int64_t rowId, std::int64_t receipt)
{
    auto state = read(rowId);
    if (!state)
        return std::unexpected(state.error());
    for (const auto& [id, hash] : state->findings) {
        m_setHash.bind(1, id).bindBlob(2, hash.data(), static_cast<int>(hash.size()));
        auto r = m_setHash.run();
        m_setHash.reset();
        if (!r)
            return r;
    }
    const ChainHash seal = findingsSeal(*m_hasher, rowId, state->summary, state->digest, receipt);
    m_amend.bind(1, rowId).bindBlob(2, seal.data(), static_cast<int>(seal.size())).bind(3, receipt);
    auto r = m_amend.run();
    m_amend.reset();
    return r;
}

// ---- incidents ----------------------------------------------------------------------------

Result<std::optional<std::pair<IncidentFields, std::optional<ChainHash>>>>
readIncident(Database& db, std::int64_t id)
{
    auto st = SqlStatement::prepare(db, std::string("SELECT ") + kIncidentSealColumns +
                                            " FROM incidents WHERE id=?1");
    if (!st)
        return std::unexpected(st.error());
    st->bind(1, id);
    auto row = st->step();
    if (!row)
        return std::unexpected(row.error());
    std::optional<std::pair<IncidentFields, std::optional<ChainHash>>> out;
    if (*row)
        out.emplace(incidentFromRow(*st, id, 0), columnHash(*st, 15));
    return out;
}

Result<bool> incidentIntact(Database& db, ChainHasher& hasher, std::int64_t id)
{
    auto incident = readIncident(db, id);
    if (!incident)
        return std::unexpected(incident.error());
    if (!*incident)
        return false;
    const auto& [fields, seal] = **incident;
    auto st = SqlStatement::prepare(db, "SELECT ts_ms, actor, field, old_value, new_value, link "
                                        "FROM incident_history WHERE incident_id=?1 ORDER BY id");
    if (!st)
        return std::unexpected(st.error());
    st->bind(1, id);
    const ChainHash genesis = historyGenesis(hasher, id);
    ChainHash prev = genesis;
    for (;;) {
        auto row = st->step();
        if (!row)
            return std::unexpected(row.error());
        if (!*row)
            break;
        const HistoryFields h{id,
                              st->columnInt(0),
                              st->columnTextView(1),
                              st->columnTextView(2),
                              st->columnTextView(3),
                              st->columnTextView(4)};
        const ChainHash expected = historyLink(hasher, prev, h);
        if (columnHash(*st, 5) != expected)
            return false;
        prev = expected;
    }
    if (fields.historyLink.value_or(genesis) != prev)
        return false;
    return seal && *seal == incidentSeal(hasher, fields);
}

Result<void> writeIncidentSeal(Database& db, ChainHasher& hasher, const IncidentFields& f)
{
    auto st = SqlStatement::prepare(db, "UPDATE incidents SET seal=?2 WHERE id=?1");
    if (!st)
        return std::unexpected(st.error());
    const ChainHash seal = incidentSeal(hasher, f);
    st->bind(1, f.id).bindBlob(2, seal.data(), static_cast<int>(seal.size()));
    return st->run();
}

// ---- sealing once -------------------------------------------------------------------------

Result<void> sealExistingRecords(Database& db, ChainHasher& hasher)
{
    auto cp = readCheckpoint(db);
    if (!cp)
        return std::unexpected(cp.error());
    const std::int64_t cpRow = *cp ? (*cp)->rowId : 0;
    auto maxId = queryInt(db, "SELECT coalesce(max(id), 0) FROM events");
    if (!maxId)
        return std::unexpected(maxId.error());
    // Every event stored so far was linked over its content alone.
    const std::int64_t summaryFrom = std::max(*maxId, cpRow) + 1;
    if (auto r = writeMeta(db, "chain.summary_from",
                           std::to_string(summaryFrom) + ":" +
                               toHex(summaryFromTag(hasher, summaryFrom)));
        !r)
        return r;

    // Findings: their hashes; those of removed events join the orphan set; every stored
    // event gets an amendment over the findings it has now (legacy events carry no summary
    // in their link).
    RecordSet orphans;
    orphans.anchor = cpRow;
    {
        auto ev = SqlStatement::prepare(
            db, "SELECT id, finding_mask, finding_sev FROM events ORDER BY id");
        auto fs = SqlStatement::prepare(db, std::string("SELECT event_rowid, id, ") +
                                                kFindingSealColumns +
                                                " FROM findings WHERE category<>'rejected' "
                                                "ORDER BY event_rowid, id");
        auto setHash = SqlStatement::prepare(db, "UPDATE findings SET hash=?2 WHERE id=?1");
        auto amend =
            SqlStatement::prepare(db, "UPDATE events SET fseal=?2, freceipt=0 WHERE id=?1");
        for (auto* s : {&ev, &fs, &setHash, &amend})
            if (!*s)
                return std::unexpected(s->error());
        bool fsRow = false;
        auto nextFinding = [&]() -> Result<void> {
            auto r = fs->step();
            if (!r)
                return std::unexpected(r.error());
            fsRow = *r;
            return {};
        };
        // Hashes one finding (the cursor's current row) and stores its hash.
        auto takeFinding = [&]() -> Result<ChainHash> {
            const ChainHash h = findingHash(hasher.plain(), findingFromRow(*fs, 2));
            setHash->bind(1, fs->columnInt(1)).bindBlob(2, h.data(), 32);
            auto r = setHash->run();
            setHash->reset();
            if (!r)
                return std::unexpected(r.error());
            return h;
        };
        if (auto r = nextFinding(); !r)
            return r;
        for (;;) {
            auto row = ev->step();
            if (!row)
                return std::unexpected(row.error());
            if (!*row)
                break;
            const std::int64_t id = ev->columnInt(0);
            // Findings of rows before this one: of removed events (orphans), or of no
            // stored event at all (left for verify to report).
            while (fsRow && fs->columnInt(0) < id) {
                auto h = takeFinding();
                if (!h)
                    return std::unexpected(h.error());
                if (fs->columnInt(0) <= cpRow)
                    orphans.toggle(orphanElement(hasher, fs->columnInt(1), fs->columnInt(0), *h),
                                   1);
                if (auto r = nextFinding(); !r)
                    return r;
            }
            std::vector<ChainHash> hashes;
            while (fsRow && fs->columnInt(0) == id) {
                auto h = takeFinding();
                if (!h)
                    return std::unexpected(h.error());
                hashes.push_back(*h);
                if (auto r = nextFinding(); !r)
                    return r;
            }
            const FindingSummary summary{static_cast<std::uint32_t>(ev->columnInt(1)),
                                         static_cast<int>(ev->columnInt(2))};
            std::optional<ChainHash> digest;
            if (!hashes.empty())
                digest = findingsDigest(hasher.plain(), hashes);
            const ChainHash seal = findingsSeal(hasher, id, summary, digest, 0);
            amend->bind(1, id).bindBlob(2, seal.data(), 32);
            auto r = amend->run();
            amend->reset();
            if (!r)
                return r;
        }
        while (fsRow) {
            auto h = takeFinding();
            if (!h)
                return std::unexpected(h.error());
            if (fs->columnInt(0) <= cpRow)
                orphans.toggle(orphanElement(hasher, fs->columnInt(1), fs->columnInt(0), *h), 1);
            if (auto r = nextFinding(); !r)
                return r;
        }
    }

    // Rejected lines.
    RecordSet quarantine;
    {
        auto sel = SqlStatement::prepare(db, "SELECT id, received_ms, source_id, source, line_no, "
                                             "reason, message, raw, raw_bytes, erased "
                                             "FROM quarantine ORDER BY id");
        auto upd = SqlStatement::prepare(db, "UPDATE quarantine SET seal=?2 WHERE id=?1");
        if (!sel)
            return std::unexpected(sel.error());
        if (!upd)
            return std::unexpected(upd.error());
        for (;;) {
            auto row = sel->step();
            if (!row)
                return std::unexpected(row.error());
            if (!*row)
                break;
            const std::int64_t id = sel->columnInt(0);
            const QuarantineFields q{sel->columnTextView(3), sel->columnInt(4),
                                     sel->columnTextView(5), sel->columnTextView(6),
                                     sel->columnTextView(7), sel->columnInt(8)};
            const ChainHash seal =
                quarantineSeal(hasher, id, sel->columnInt(1), optInt(*sel, 2), sel->columnInt(9),
                               quarantineHash(hasher.plain(), q));
            quarantine.toggle(quarantineElement(hasher, seal), 1);
            upd->bind(1, id).bindBlob(2, seal.data(), 32);
            auto r = upd->run();
            upd->reset();
            if (!r)
                return r;
        }
    }

    // Incidents and their history.
    RecordSet incidents;
    {
        auto sel = SqlStatement::prepare(db, std::string("SELECT id, ") + kIncidentSealColumns +
                                                 " FROM incidents ORDER BY id");
        auto hist = SqlStatement::prepare(
            db, "SELECT id, ts_ms, actor, field, old_value, new_value FROM incident_history "
                "WHERE incident_id=?1 ORDER BY id");
        auto setLink = SqlStatement::prepare(db, "UPDATE incident_history SET link=?2 WHERE id=?1");
        auto setSeal =
            SqlStatement::prepare(db, "UPDATE incidents SET hlink=?2, seal=?3 WHERE id=?1");
        for (auto* s : {&sel, &hist, &setLink, &setSeal})
            if (!*s)
                return std::unexpected(s->error());
        for (;;) {
            auto row = sel->step();
            if (!row)
                return std::unexpected(row.error());
            if (!*row)
                break;
            const std::int64_t id = sel->columnInt(0);
            IncidentFields f = incidentFromRow(*sel, id, 1);
            f.historyLink.reset();
            ChainHash prev = historyGenesis(hasher, id);
            hist->bind(1, id);
            for (;;) {
                auto h = hist->step();
                if (!h) {
                    hist->reset();
                    return std::unexpected(h.error());
                }
                if (!*h)
                    break;
                prev = historyLink(hasher, prev,
                                   HistoryFields{id, hist->columnInt(1), hist->columnTextView(2),
                                                 hist->columnTextView(3), hist->columnTextView(4),
                                                 hist->columnTextView(5)});
                f.historyLink = prev;
                setLink->bind(1, hist->columnInt(0)).bindBlob(2, prev.data(), 32);
                auto r = setLink->run();
                setLink->reset();
                if (!r) {
                    hist->reset();
                    return r;
                }
            }
            hist->reset();
            const ChainHash seal = incidentSeal(hasher, f);
            setSeal->bind(1, id);
            if (f.historyLink)
                setSeal->bindBlob(2, f.historyLink->data(), 32);
            else
                setSeal->bindNull(2);
            setSeal->bindBlob(3, seal.data(), 32);
            auto r = setSeal->run();
            setSeal->reset();
            if (!r)
                return r;
            incidents.toggle(incidentElement(hasher, id), 1);
        }
    }

    for (const auto& [kind, set] : {std::pair{RecordSetKind::Orphans, &orphans},
                                    std::pair{RecordSetKind::Quarantine, &quarantine},
                                    std::pair{RecordSetKind::Incidents, &incidents}})
        if (auto r = writeRecordSet(db, hasher, kind, *set); !r)
            return r;
    return {};
}

Result<void> sealRecordsAfterMigration(Database& db)
{
    auto uuid = databaseUuid(db);
    if (!uuid)
        return std::unexpected(uuid.error());
    if (!*uuid)
        return {}; // no chain yet: ChainSealer::open seals everything when it makes the key
    auto key = ChainKey::load(ChainKey::keyPath(**uuid));
    if (!key && key.error().code == "store.chain_key_missing") {
        auto sealed = queryInt(db, "SELECT count(*) FROM events WHERE chain IS NOT NULL");
        auto cp = readCheckpoint(db);
        if (!sealed)
            return std::unexpected(sealed.error());
        if (!cp)
            return std::unexpected(cp.error());
        if (*sealed == 0 && !*cp)
            return {}; // nothing sealed: ChainSealer::open makes a key and seals then
        return fail("store.chain_key_missing",
                    "the chain key of this database (" + ChainKey::keyPath(**uuid).string() +
                        ") is missing; copy it from the account that created the database "
                        "before writing to it");
    }
    if (!key)
        return std::unexpected(key.error());
    auto hasher = ChainHasher::create(*key);
    if (!hasher)
        return std::unexpected(hasher.error());
    return sealExistingRecords(db, *hasher);
}

} // namespace vigil
