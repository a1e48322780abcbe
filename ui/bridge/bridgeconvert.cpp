// SPDX-License-Identifier: Apache-2.0
#include "bridge/bridgeconvert.h"

#include "bridge/bridgeutil.h"
#include "bridge/eventjson.h"

#include "base/timeutil.h"
#include "store/suppression.h"

#include <algorithm>

namespace vigil::ui {
namespace {

/// Counts as Qt's qint64 (long long), which std::int64_t (long) is not.
template <std::size_t N> std::array<qint64, N> qcounts(const std::array<std::int64_t, N>& in)
{
    std::array<qint64, N> out{};
    std::copy(in.begin(), in.end(), out.begin());
    return out;
}

} // namespace

EventFilter toFilter(const EventQuery& q)
{
    EventFilter f;
    if (q.minSeverity >= 0)
        f.minSeverity = static_cast<EventSeverity>(std::clamp(q.minSeverity, 0, 3));
    f.agent = str(q.agent);
    f.eventType = str(q.eventType);
    f.threadId = str(q.threadId);
    f.findingMask = q.findingMask;
    f.text = str(q.text);
    if (q.fromMs > 0)
        f.fromMs = q.fromMs;
    if (q.toMs > 0)
        f.toMs = q.toMs;
    return f;
}

FindingInfo toInfo(const FindingRow& f)
{
    FindingInfo i;
    i.id = f.id;
    i.incidentId = f.incidentId;
    i.rule = qstr(f.rule);
    i.category = qstr(f.category);
    i.field = qstr(f.field);
    i.message = qstr(f.message);
    i.layer = f.layer;
    i.severity = f.severity;
    i.start = f.start;
    i.end = f.end;
    return i;
}

IncidentFilter toFilter(const IncidentQuery& q)
{
    IncidentFilter f;
    f.statuses = slist(q.statuses);
    f.minSeverity = q.minSeverity;
    f.severity = q.severity;
    f.category = str(q.category);
    f.layer = q.layer;
    f.agent = str(q.agent);
    f.fromMs = q.fromMs;
    f.toMs = q.toMs;
    f.text = str(q.text);
    f.limit = q.limit;
    return f;
}

IncidentSummary toSummary(const IncidentRow& i)
{
    IncidentSummary s;
    s.id = i.id;
    s.title = qstr(i.title);
    s.category = qstr(i.category);
    s.rule = qstr(i.rule);
    s.agent = qstr(i.agent);
    s.threadId = qstr(i.threadId);
    s.status = qstr(i.status);
    s.assignee = qstr(i.assignee);
    s.notes = qstr(i.notes);
    s.layer = i.layer;
    s.severity = i.severity;
    s.firstMs = i.firstMs;
    s.lastMs = i.lastMs;
    s.findings = i.findings;
    s.updatedMs = i.updatedMs;
    s.mutedFindings = i.mutedFindings;
    return s;
}

IncidentDetail toDetail(const IncidentDetails& d)
{
    IncidentDetail out;
    out.incident = toSummary(d.incident);
    for (const IncidentHistoryRow& h : d.history)
        out.history.push_back(IncidentHistoryEntry{h.timestampMs, qstr(h.actor), qstr(h.field),
                                                   qstr(h.oldValue), qstr(h.newValue)});
    for (const IncidentFinding& f : d.findings) {
        FindingInfo info = toInfo(f.finding);
        info.muted = f.muted;
        out.findings.push_back(std::move(info));
    }
    return out;
}

vigil::OverviewRange toCore(OverviewRange range)
{
    switch (range) {
    case OverviewRange::LastHour:
        return vigil::OverviewRange::LastHour;
    case OverviewRange::Last24Hours:
        return vigil::OverviewRange::Last24Hours;
    case OverviewRange::All:
        return vigil::OverviewRange::All;
    }
    return vigil::OverviewRange::LastHour;
}

OverviewData toData(const Overview& o)
{
    OverviewData d;
    d.fromMs = o.fromMs;
    d.toMs = o.toMs;
    d.bucketMs = o.bucketMs;
    d.buckets.reserve(static_cast<qsizetype>(o.buckets.size()));
    for (const OverviewBucket& b : o.buckets)
        d.buckets.push_back(SeverityBucket{b.startMs, qcounts(b.counts)});
    for (const auto& [category, n] : o.findingsByCategory)
        d.findingsByCategory.push_back({qstr(category), n});
    d.findingsByLayer = qcounts(o.findingsByLayer);
    d.openIncidentsBySeverity = qcounts(o.openIncidentsBySeverity);
    for (const AgentUsageRow& u : o.usage)
        d.usage.push_back(AgentUsage{qstr(u.agent), u.tokens, u.cost});
    d.events = o.events;
    return d;
}

QVector<FindingInfo> findingsOf(StoreReader& r, std::int64_t rowId, bool markMuted)
{
    QVector<FindingInfo> out;
    if (auto fs = r.findingsForEvent(rowId))
        for (const FindingRow& f : *fs)
            out.push_back(toInfo(f));
    if (!markMuted || out.isEmpty())
        return out;
    const MuteScope scope = muteScopeOrNone(r.database(), nowEpochMs());
    if (auto muted = mutedFindingIds(r.database(), rowId, scope))
        for (FindingInfo& f : out)
            f.muted = std::binary_search(muted->begin(), muted->end(), f.id);
    return out;
}

EventSummary summarize(StoreReader& r, const EventRow& e)
{
    EventSummary s;
    s.rowId = e.rowId;
    s.timestampMs = e.timestampMs;
    s.eventType = qstr(e.eventType);
    s.agent = qstr(e.agent);
    s.threadId = qstr(e.threadId);
    s.eventId = qstr(e.eventId);
    s.severity = static_cast<int>(e.severity);
    s.findingMask = e.findingMask;
    s.findingSeverity = e.findingSeverity;
    const QVector<FindingInfo> findings = eventjson::maskHasSensitive(e.findingMask)
                                              ? findingsOf(r, e.rowId)
                                              : QVector<FindingInfo>{};
    s.preview = eventjson::preview(e.eventType, e.details, findings);
    return s;
}

} // namespace vigil::ui
