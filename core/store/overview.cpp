// SPDX-License-Identifier: Apache-2.0
#include "store/overview.h"

#include "store/incidentstore.h"
#include "store/sqlutil.h"

#include <algorithm>

namespace vigil {
namespace {

constexpr std::int64_t kMinute = 60000;

/// Sets the window and the empty buckets of `o` from the first and last event times.
void shapeWindow(Overview& o, std::int64_t first, std::int64_t last)
{
    o.toMs = (std::max<std::int64_t>(last, 1) / kMinute + 1) * kMinute;
    switch (o.range) {
    case OverviewRange::LastHour:
        o.fromMs = o.toMs - 60 * kMinute;
        break;
    case OverviewRange::Last24Hours:
        o.fromMs = o.toMs - 24 * 60 * kMinute;
        break;
    case OverviewRange::All:
        o.fromMs = (first / kMinute) * kMinute;
        break;
    }
    if (o.toMs - o.fromMs < kMinute)
        o.fromMs = o.toMs - kMinute;
    // Per minute where that gives a readable chart; wider buckets over long histories.
    const std::int64_t span = o.toMs - o.fromMs;
    o.bucketMs = std::max<std::int64_t>(kMinute, (span / 720 / kMinute + 1) * kMinute);
    if (span <= 24 * 60 * kMinute)
        o.bucketMs = kMinute;
    const std::int64_t n = (span + o.bucketMs - 1) / o.bucketMs;
    o.buckets.resize(static_cast<std::size_t>(n));
    for (std::int64_t i = 0; i < n; ++i)
        o.buckets[static_cast<std::size_t>(i)].startMs = o.fromMs + i * o.bucketMs;
}

/// Runs `sql` with ?1 = from, ?2 = to, ?3 = bucket width, calling `row` for each row.
template <typename F>
Result<void> overRange(Database& db, const Overview& o, const char* sql, F row)
{
    auto st = SqlStatement::prepare(db, sql);
    if (!st)
        return std::unexpected(st.error());
    st->bind(1, o.fromMs).bind(2, o.toMs).bind(3, o.bucketMs);
    return eachRow(*st, row);
}

} // namespace

Result<Overview> loadOverview(Database& db, OverviewRange range, const MuteScope& mute)
{
    Overview o;
    o.range = range;
    auto first = queryInt(db, "SELECT coalesce(min(ts), 0) FROM events");
    if (!first)
        return std::unexpected(first.error());
    auto last = queryInt(db, "SELECT coalesce(max(ts), 0) FROM events");
    if (!last)
        return std::unexpected(last.error());
    shapeWindow(o, *first, *last);
    const auto nBuckets = static_cast<std::int64_t>(o.buckets.size());

    auto r = overRange(
        db, o,
        "SELECT (ts - ?1) / ?3 AS b, severity, count(*) FROM events "
        "WHERE ts >= ?1 AND ts < ?2 GROUP BY b, severity",
        [&](const SqlStatement& s) {
            const auto b = s.columnInt(0);
            const auto sev = std::clamp<std::int64_t>(s.columnInt(1), 0, 3);
            if (b >= 0 && b < nBuckets) {
                o.buckets[static_cast<std::size_t>(b)].counts[static_cast<std::size_t>(sev)] +=
                    s.columnInt(2);
                o.events += s.columnInt(2);
            }
        });
    if (!r)
        return std::unexpected(r.error());
    r = overRange(
        db, o,
        "SELECT category, count(*) AS n FROM findings WHERE ts >= ?1 AND ts < ?2 AND ?3 > 0 "
        "GROUP BY category ORDER BY n DESC, category",
        [&](const SqlStatement& s) {
            o.findingsByCategory.emplace_back(s.columnText(0), s.columnInt(1));
        });
    if (!r)
        return std::unexpected(r.error());
    r = overRange(
        db, o,
        "SELECT layer, count(*) FROM findings WHERE ts >= ?1 AND ts < ?2 AND ?3 > 0 GROUP BY layer",
        [&](const SqlStatement& s) {
            const auto layer = s.columnInt(0);
            if (layer >= 1 && layer <= 7)
                o.findingsByLayer[static_cast<std::size_t>(layer - 1)] += s.columnInt(1);
        });
    if (!r)
        return std::unexpected(r.error());
    auto open = openIncidentsBySeverity(db, mute);
    if (!open)
        return std::unexpected(open.error());
    o.openIncidentsBySeverity = *open;
    r = overRange(
        db, o,
        "SELECT agent, "
        "sum(CASE WHEN event_type = 'brain_plan_created' "
        "THEN coalesce(json_extract(details, '$.tokens'), 0) ELSE 0 END), "
        "sum(coalesce(json_extract(details, '$.cost'), 0)) "
        "FROM events WHERE event_type IN ('brain_plan_created', 'sql_executed') "
        "AND ts >= ?1 AND ts < ?2 AND ?3 > 0 GROUP BY agent ORDER BY agent",
        [&](const SqlStatement& s) {
            o.usage.push_back(AgentUsageRow{s.columnText(0), s.columnInt(1), s.columnDouble(2)});
        });
    if (!r)
        return std::unexpected(r.error());
    return o;
}

Result<StoreCounters> storeCounters(Database& db, const MuteScope& mute)
{
    StoreCounters c;
    for (auto [out, sql] : {std::pair{&c.sources, "SELECT count(*) FROM sources"},
                            std::pair{&c.events, "SELECT count(*) FROM events"},
                            std::pair{&c.findings, "SELECT count(*) FROM findings"}}) {
        auto n = queryInt(db, sql);
        if (!n)
            return std::unexpected(n.error());
        *out = *n;
    }
    auto open = countOpenIncidents(db, mute);
    if (!open)
        return std::unexpected(open.error());
    c.openIncidents = *open;
    return c;
}

Result<EventVocabulary> eventVocabulary(Database& db)
{
    EventVocabulary v;
    for (auto [list, sql] :
         {std::pair{&v.agents, "SELECT DISTINCT agent FROM events ORDER BY 1"},
          std::pair{&v.eventTypes, "SELECT DISTINCT event_type FROM events ORDER BY 1"}}) {
        auto st = SqlStatement::prepare(db, sql);
        if (!st)
            return std::unexpected(st.error());
        auto done = eachRow(*st, [&](const SqlStatement& s) { list->push_back(s.columnText(0)); });
        if (!done)
            return std::unexpected(done.error());
    }
    return v;
}

Result<std::int64_t> lastEventRowId(Database& db)
{
    return queryInt(db, "SELECT coalesce(max(id), 0) FROM events");
}

} // namespace vigil
