// SPDX-License-Identifier: Apache-2.0
#include "store/incidentstore.h"

#include "store/sqlutil.h"

#include <algorithm>

namespace vigil {
namespace {

constexpr const char* kIncidentColumns =
    "id, title, category, rule, agent, thread_id, layer, severity, first_ms, last_ms, "
    "findings, status, assignee, notes, updated_ms, stored_findings";

/// The incidents table as reads see it: `findings` and `severity` leave out findings that a
/// mute rule in force mutes; `stored_findings` is the stored count. Select kIncidentColumns
/// from it, with the incidents' own column names in WHERE.
std::string incidentsSource(const MuteScope& scope)
{
    return "(SELECT i.id, i.title, i.category, i.rule, i.agent, i.thread_id, i.layer, " +
           liveIncidentSeveritySql(scope, "i") + " AS severity, i.first_ms, i.last_ms, " +
           liveIncidentFindingsSql(scope, "i") +
           " AS findings, i.status, i.assignee, i.notes, "
           "i.updated_ms, i.findings AS stored_findings FROM incidents i)";
}

/// Open work: open or investigating, with a finding no rule in force mutes.
constexpr const char* kOpenWork = " WHERE status IN ('open', 'investigating') AND findings > 0";

IncidentRow readIncident(const SqlStatement& st)
{
    IncidentRow i;
    i.id = st.columnInt(0);
    i.title = st.columnText(1);
    i.category = st.columnText(2);
    i.rule = st.columnText(3);
    i.agent = st.columnText(4);
    i.threadId = st.columnText(5);
    i.layer = static_cast<int>(st.columnInt(6));
    i.severity = static_cast<int>(st.columnInt(7));
    i.firstMs = st.columnInt(8);
    i.lastMs = st.columnInt(9);
    i.findings = st.columnInt(10);
    i.status = st.columnText(11);
    i.assignee = st.columnText(12);
    i.notes = st.columnText(13);
    i.updatedMs = st.columnInt(14);
    i.mutedFindings = std::max<std::int64_t>(0, st.columnInt(15) - i.findings);
    return i;
}

Result<std::vector<IncidentRow>> selectIncidents(Database& db, const std::string& tail,
                                                 const SqlWhere& where, const MuteScope& mute,
                                                 std::optional<int> limit = {})
{
    auto st = SqlStatement::prepare(db, std::string("SELECT ") + kIncidentColumns + " FROM " +
                                            incidentsSource(mute) + where.sql() + tail);
    if (!st)
        return std::unexpected(st.error());
    const int next = where.bind(*st);
    if (limit)
        st->bind(next, *limit);
    std::vector<IncidentRow> out;
    auto done = eachRow(*st, [&](const SqlStatement& s) { out.push_back(readIncident(s)); });
    if (!done)
        return std::unexpected(done.error());
    return out;
}

} // namespace

Result<std::vector<IncidentRow>> listIncidents(Database& db, const IncidentFilter& filter,
                                               const MuteScope& mute)
{
    SqlWhere w;
    w.textIn("status", filter.statuses);
    if (filter.minSeverity >= 0)
        w.integer("severity >= ?", filter.minSeverity);
    if (filter.severity >= 0)
        w.integer("severity = ?", filter.severity);
    if (!filter.category.empty())
        w.text("category = ?", filter.category);
    if (filter.layer > 0)
        w.integer("layer = ?", filter.layer);
    if (!filter.agent.empty())
        w.text("agent = ?", filter.agent);
    if (filter.fromMs > 0)
        w.integer("last_ms >= ?", filter.fromMs);
    if (filter.toMs > 0)
        w.integer("first_ms <= ?", filter.toMs);
    if (std::string fts = ftsQuery(filter.text); !fts.empty())
        w.text("id IN (SELECT rowid FROM incidents_fts WHERE incidents_fts MATCH ?)",
               std::move(fts));
    // A negative LIMIT is no limit in SQLite.
    return selectIncidents(db, " ORDER BY last_ms DESC, id DESC LIMIT ?", w, mute,
                           filter.limit < 0 ? -1 : filter.limit);
}

Result<std::optional<IncidentRow>> loadIncident(Database& db, std::int64_t id,
                                                const MuteScope& mute)
{
    SqlWhere w;
    w.integer("id = ?", id);
    auto rows = selectIncidents(db, "", w, mute);
    if (!rows)
        return std::unexpected(rows.error());
    if (rows->empty())
        return std::optional<IncidentRow>{};
    return std::optional<IncidentRow>{std::move(rows->front())};
}

Result<std::vector<IncidentHistoryRow>> loadIncidentHistory(Database& db, std::int64_t id)
{
    auto hist = SqlStatement::prepare(
        db, "SELECT ts_ms, actor, field, old_value, new_value FROM incident_history "
            "WHERE incident_id = ?1 ORDER BY ts_ms, id");
    if (!hist)
        return std::unexpected(hist.error());
    hist->bind(1, id);
    std::vector<IncidentHistoryRow> out;
    auto h = eachRow(*hist, [&](const SqlStatement& s) {
        out.push_back(IncidentHistoryRow{s.columnInt(0), s.columnText(1), s.columnText(2),
                                         s.columnText(3), s.columnText(4)});
    });
    if (!h)
        return std::unexpected(h.error());
    return out;
}

Result<std::optional<IncidentDetails>> loadIncidentDetails(Database& db, std::int64_t id,
                                                           const MuteScope& mute)
{
    auto incident = loadIncident(db, id, mute);
    if (!incident)
        return std::unexpected(incident.error());
    if (!*incident)
        return std::optional<IncidentDetails>{};
    IncidentDetails out;
    out.incident = std::move(**incident);

    auto history = loadIncidentHistory(db, id);
    if (!history)
        return std::unexpected(history.error());
    out.history = std::move(*history);

    auto fs = SqlStatement::prepare(
        db, "SELECT id, event_rowid, ts, agent, rule, category, field, message, layer, severity, "
            "coalesce(span_start, -1), coalesce(span_end, -1), " +
                mutedFindingSql(mute, "findings") +
                " FROM findings WHERE incident_id = ?1 ORDER BY ts, id LIMIT ?2");
    if (!fs)
        return std::unexpected(fs.error());
    fs->bind(1, id).bind(2, kMaxIncidentFindings);
    auto f = eachRow(*fs, [&](const SqlStatement& s) {
        IncidentFinding row;
        FindingRow& fr = row.finding;
        fr.id = s.columnInt(0);
        fr.eventRowId = s.columnInt(1);
        fr.timestampMs = s.columnInt(2);
        fr.agent = s.columnText(3);
        fr.rule = s.columnText(4);
        fr.category = s.columnText(5);
        fr.field = s.columnText(6);
        fr.message = s.columnText(7);
        fr.layer = static_cast<int>(s.columnInt(8));
        fr.severity = static_cast<int>(s.columnInt(9));
        fr.start = static_cast<int>(s.columnInt(10));
        fr.end = static_cast<int>(s.columnInt(11));
        fr.incidentId = id;
        row.muted = s.columnInt(12) != 0;
        // Findings of one event sit together (they share its time): each event once.
        if (out.evidenceRowIds.empty() || out.evidenceRowIds.back() != fr.eventRowId)
            out.evidenceRowIds.push_back(fr.eventRowId);
        out.findings.push_back(std::move(row));
    });
    if (!f)
        return std::unexpected(f.error());
    if (out.evidenceRowIds.size() > kMaxIncidentEvidence)
        out.evidenceRowIds.resize(kMaxIncidentEvidence);
    return std::optional<IncidentDetails>{std::move(out)};
}

Result<std::int64_t> countOpenIncidents(Database& db, const MuteScope& mute)
{
    const std::string sql = "SELECT count(*) FROM " + incidentsSource(mute) + kOpenWork;
    return queryInt(db, sql.c_str());
}

Result<std::array<std::int64_t, 4>> openIncidentsBySeverity(Database& db, const MuteScope& mute)
{
    auto st = SqlStatement::prepare(db, "SELECT severity, count(*) FROM " + incidentsSource(mute) +
                                            kOpenWork + " GROUP BY severity");
    if (!st)
        return std::unexpected(st.error());
    std::array<std::int64_t, 4> out{};
    auto done = eachRow(*st, [&](const SqlStatement& s) {
        const auto sev = std::clamp<std::int64_t>(s.columnInt(0), 0, 3);
        out[static_cast<std::size_t>(sev)] += s.columnInt(1);
    });
    if (!done)
        return std::unexpected(done.error());
    return out;
}

Result<std::vector<IncidentRow>> criticalIncidentsSince(Database& db, std::int64_t sinceMs,
                                                        const MuteScope& mute)
{
    SqlWhere w;
    w.add("severity >= 3 AND findings > 0");
    w.integer("updated_ms >= ?", sinceMs);
    return selectIncidents(db, " ORDER BY id", w, mute);
}

} // namespace vigil
