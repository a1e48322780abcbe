// SPDX-License-Identifier: Apache-2.0
#include "store/storereader.h"

#include "base/timeutil.h"
#include "store/suppression.h"

#include <algorithm>
#include <filesystem>

namespace vigil {
namespace {

constexpr const char* kEventColumns =
    "id, ts, event_type, agent, thread_id, severity, event_id, user_id, details, finding_mask, "
    "finding_sev";

EventRow readEvent(const SqlStatement& st)
{
    EventRow r;
    r.rowId = st.columnInt(0);
    r.timestampMs = st.columnInt(1);
    r.eventType = st.columnText(2);
    r.agent = st.columnText(3);
    r.threadId = st.columnText(4);
    r.severity = static_cast<EventSeverity>(std::clamp<std::int64_t>(st.columnInt(5), 0, 3));
    r.eventId = st.columnText(6);
    r.userId = st.columnText(7);
    r.details = st.columnText(8);
    r.findingMask = static_cast<std::uint32_t>(st.columnInt(9));
    r.findingSeverity = static_cast<int>(st.columnInt(10));
    return r;
}

// Builds the WHERE clause of a filter; every user value is a bound parameter, never SQL.
struct Where
{
    std::string sql;
    std::vector<std::string> texts;
    std::vector<std::int64_t> ints;
    std::vector<bool> isText; // order of parameters

    void add(const std::string& clause)
    {
        sql += sql.empty() ? " WHERE " : " AND ";
        sql += clause;
    }
    void text(const std::string& clause, std::string v)
    {
        add(clause);
        texts.push_back(std::move(v));
        isText.push_back(true);
    }
    void integer(const std::string& clause, std::int64_t v)
    {
        add(clause);
        ints.push_back(v);
        isText.push_back(false);
    }
    int bind(SqlStatement& st) const
    {
        int i = 1;
        std::size_t t = 0, n = 0;
        for (bool isT : isText) {
            if (isT)
                st.bindText(i++, texts[t++]);
            else
                st.bind(i++, ints[n++]);
        }
        return i;
    }
};

Where whereFor(const EventFilter& f)
{
    Where w;
    if (f.minSeverity) {
        w.integer("severity >= ?", static_cast<int>(*f.minSeverity));
        // Spelled out so the planner can prove the partial index events_notable_ts applies.
        if (*f.minSeverity > EventSeverity::Info)
            w.add("severity > 0");
    }
    if (!f.agent.empty())
        w.text("agent = ?", f.agent);
    if (!f.eventType.empty())
        w.text("event_type = ?", f.eventType);
    if (!f.threadId.empty())
        w.text("thread_no = (SELECT id FROM threads WHERE thread_id = ?)", f.threadId);
    if (f.findingMask)
        w.integer("(finding_mask & ?) != 0", f.findingMask);
    if (!f.text.empty())
        w.text("instr(details, ?) > 0", f.text);
    if (f.fromMs)
        w.integer("ts >= ?", *f.fromMs);
    if (f.toMs)
        w.integer("ts <= ?", *f.toMs);
    return w;
}

} // namespace

Result<StoreReader> StoreReader::open(const std::string& path)
{
    auto db = Database::openReader(path);
    if (!db)
        return std::unexpected(db.error());
    return StoreReader(std::move(*db));
}

Result<StoreStats> StoreReader::stats()
{
    StoreStats s;
    struct Q
    {
        std::int64_t* out;
        const char* sql;
    };
    // Tombstones (erased <> 0) keep their row for the integrity chain; they are not events
    // any more (subtracted below). The partial index events_erased makes counting them cheap.
    for (const Q& q : {Q{&s.events, "SELECT count(*) FROM events"},
                       Q{&s.erased, "SELECT count(*) FROM events WHERE erased <> 0"},
                       Q{&s.rejected, "SELECT count(*) FROM quarantine"},
                       Q{&s.duplicates, "SELECT value FROM counters WHERE name='duplicates'"},
                       Q{&s.findings, "SELECT count(*) FROM findings"},
                       Q{&s.incidents, "SELECT count(*) FROM incidents"},
                       Q{&s.openIncidents, "SELECT count(*) FROM incidents WHERE status IN "
                                           "('open', 'investigating')"},
                       Q{&s.sources, "SELECT count(*) FROM sources"},
                       Q{&s.firstEventMs, "SELECT coalesce(min(ts), 0) FROM events"},
                       Q{&s.lastEventMs, "SELECT coalesce(max(ts), 0) FROM events"}}) {
        auto v = queryInt(m_db, q.sql);
        if (!v)
            return std::unexpected(v.error());
        *q.out = *v;
    }
    s.events -= s.erased;
    // An incident whose findings are all muted by a rule in force is not open work.
    auto mute = muteScope(m_db, nowEpochMs());
    if (!mute)
        return std::unexpected(mute.error());
    if (mute->any) {
        const std::string sql = "SELECT count(*) FROM incidents i WHERE i.status IN ('open', "
                                "'investigating') AND " +
                                liveIncidentFindingsSql(*mute, "i") + " > 0";
        auto v = queryInt(m_db, sql.c_str());
        if (!v)
            return std::unexpected(v.error());
        s.openIncidents = *v;
    }
    for (auto [map, sql] :
         {std::pair{&s.findingsByCategory,
                    "SELECT category, count(*) FROM findings GROUP BY category ORDER BY category"},
          std::pair{&s.rejectedByReason,
                    "SELECT reason, count(*) FROM quarantine GROUP BY reason ORDER BY reason"}}) {
        auto st = SqlStatement::prepare(m_db, sql);
        if (!st)
            return std::unexpected(st.error());
        for (;;) {
            auto row = st->step();
            if (!row)
                return std::unexpected(row.error());
            if (!*row)
                break;
            (*map)[st->columnText(0)] = st->columnInt(1);
        }
    }
    auto live = readMeta(m_db, "live_stats");
    if (!live)
        return std::unexpected(live.error());
    s.liveStats = live->value_or("");
    std::error_code ec;
    s.databaseBytes = static_cast<std::int64_t>(std::filesystem::file_size(m_db.path(), ec));
    const auto wal = std::filesystem::file_size(m_db.path() + "-wal", ec);
    if (!ec)
        s.databaseBytes += static_cast<std::int64_t>(wal);
    return s;
}

Result<std::vector<EventRow>> StoreReader::events(const EventFilter& filter,
                                                  std::optional<EventKey> from, bool ascending,
                                                  int limit)
{
    Where w = whereFor(filter);
    if (from) {
        w.integer(ascending ? "(ts > ? OR (ts = " : "(ts < ? OR (ts = ", from->timestampMs);
        // Row values spelled out so that the ts index serves the range.
        w.sql += "?";
        w.ints.push_back(from->timestampMs);
        w.isText.push_back(false);
        w.sql += ascending ? " AND id > ?))" : " AND id < ?))";
        w.ints.push_back(from->rowId);
        w.isText.push_back(false);
    }
    const std::string sql = std::string("SELECT ") + kEventColumns + " FROM events" + w.sql +
                            (ascending ? " ORDER BY ts, id" : " ORDER BY ts DESC, id DESC") +
                            " LIMIT ?";
    auto st = SqlStatement::prepare(m_db, sql);
    if (!st)
        return std::unexpected(st.error());
    const int next = w.bind(*st);
    st->bind(next, limit);
    std::vector<EventRow> out;
    for (;;) {
        auto row = st->step();
        if (!row)
            return std::unexpected(row.error());
        if (!*row)
            break;
        out.push_back(readEvent(*st));
    }
    return out;
}

Result<std::vector<EventRow>> StoreReader::eventsAfterRow(std::int64_t afterRowId, int limit)
{
    auto st = SqlStatement::prepare(m_db, std::string("SELECT ") + kEventColumns +
                                           " FROM events WHERE id > ?1 ORDER BY id LIMIT ?2");
    if (!st)
        return std::unexpected(st.error());
    st->bind(1, afterRowId).bind(2, limit);
    std::vector<EventRow> out;
    for (;;) {
        auto row = st->step();
        if (!row)
            return std::unexpected(row.error());
        if (!*row)
            break;
        out.push_back(readEvent(*st));
    }
    return out;
}

Result<std::optional<EventRow>> StoreReader::event(std::int64_t rowId)
{
    auto st = SqlStatement::prepare(m_db, std::string("SELECT ") + kEventColumns +
                                           " FROM events WHERE id = ?1");
    if (!st)
        return std::unexpected(st.error());
    st->bind(1, rowId);
    auto row = st->step();
    if (!row)
        return std::unexpected(row.error());
    if (!*row)
        return std::optional<EventRow>{};
    return std::optional<EventRow>{readEvent(*st)};
}

Result<std::vector<FindingRow>> StoreReader::findingsForEvent(std::int64_t rowId)
{
    auto st = SqlStatement::prepare(
        m_db, "SELECT id, event_rowid, ts, agent, rule, category, layer, severity, field, "
              "coalesce(span_start, -1), coalesce(span_end, -1), message, "
              "coalesce(incident_id, 0) FROM findings WHERE event_rowid = ?1 ORDER BY id");
    if (!st)
        return std::unexpected(st.error());
    st->bind(1, rowId);
    std::vector<FindingRow> out;
    for (;;) {
        auto row = st->step();
        if (!row)
            return std::unexpected(row.error());
        if (!*row)
            break;
        FindingRow f;
        f.id = st->columnInt(0);
        f.eventRowId = st->columnInt(1);
        f.timestampMs = st->columnInt(2);
        f.agent = st->columnText(3);
        f.rule = st->columnText(4);
        f.category = st->columnText(5);
        f.layer = static_cast<int>(st->columnInt(6));
        f.severity = static_cast<int>(st->columnInt(7));
        f.field = st->columnText(8);
        f.start = static_cast<int>(st->columnInt(9));
        f.end = static_cast<int>(st->columnInt(10));
        f.message = st->columnText(11);
        f.incidentId = st->columnInt(12);
        out.push_back(std::move(f));
    }
    return out;
}

Result<std::int64_t> StoreReader::countEvents(const EventFilter& filter)
{
    Where w = whereFor(filter);
    auto st = SqlStatement::prepare(m_db, "SELECT count(*) FROM events" + w.sql);
    if (!st)
        return std::unexpected(st.error());
    w.bind(*st);
    auto row = st->step();
    if (!row)
        return std::unexpected(row.error());
    return st->columnInt(0);
}

} // namespace vigil
