// SPDX-License-Identifier: Apache-2.0
#include "iam/storeusage.h"

#include "ingest/decoder.h"

#include <istream>
#include <limits>
#include <streambuf>
#include <string>

namespace vigil::iam {
namespace {

Result<void> queryFailed(const Error& e)
{
    return fail("store.query", "cannot read observed IAM use: " + e.message);
}

/// Binds the optional window to parameters ?1 and ?2 (open ends as the int64 extremes).
void bindWindow(SqlStatement& st, const StoreUsageOptions& o)
{
    st.bind(1, o.fromMs.value_or(std::numeric_limits<std::int64_t>::min()));
    st.bind(2, o.toMs.value_or(std::numeric_limits<std::int64_t>::max()));
}

} // namespace

Result<UsageReadStats> addUsageFromStore(const Database& db, UsageAggregator& usage,
                                         const StoreUsageOptions& options)
{
    UsageReadStats stats;
    // `event_type IN (...)` with a range on ts is answered from events_type_ts: the other
    // event types, usually the bulk of a store, are never visited. INDEXED BY makes a
    // planner change (or a dropped index) an error rather than a silent full scan; rows
    // come per type in time order, with no sort.
    auto st = SqlStatement::prepare(
        db,
        "SELECT id, ts, agent, event_type, json_extract(details, '$.action'), "
        "json_extract(details, '$.resource'), json_extract(details, '$.outcome'), "
        "json_extract(details, '$.model') FROM events INDEXED BY events_type_ts "
        "WHERE event_type IN ('tool_call', 'brain_plan_created', 'worker_invoked') "
        "AND ts >= ?1 AND ts < ?2");
    if (!st)
        return std::unexpected(queryFailed(st.error()).error());
    bindWindow(*st, options);
    const std::string toolCall = "tool_call";
    std::string resource;
    for (;;) {
        auto row = st->step();
        if (!row)
            return std::unexpected(queryFailed(row.error()).error());
        if (!*row)
            break;
        ++stats.events;
        const std::int64_t id = st->columnInt(0);
        const std::int64_t ts = st->columnInt(1);
        const std::string_view agent = st->columnTextView(2);
        if (agent.empty())
            continue;
        if (st->columnTextView(3) == toolCall) {
            if (st->columnIsNull(4))
                continue; // erased, or a tool call without action (the decoder refuses those)
            usage.addUse(agent, st->columnTextView(4), st->columnTextView(5),
                         st->columnTextView(6), ts, id, false);
        } else {
            if (st->columnIsNull(7))
                continue;
            const std::string_view model = st->columnTextView(7);
            if (model.empty())
                continue;
            resource.assign("foundation-model/");
            resource.append(model);
            usage.addUse(agent, "bedrock:InvokeModel", resource, {}, ts, id, true);
        }
        ++stats.uses;
    }

    if (options.agentActivity) {
        auto agents = SqlStatement::prepare(
            db, "SELECT agent, count(*), min(ts), max(ts) FROM events "
                "WHERE ts >= ?1 AND ts < ?2 GROUP BY agent");
        if (!agents)
            return std::unexpected(queryFailed(agents.error()).error());
        bindWindow(*agents, options);
        for (;;) {
            auto row = agents->step();
            if (!row)
                return std::unexpected(queryFailed(row.error()).error());
            if (!*row)
                break;
            AgentActivity a;
            a.agent = agents->columnText(0);
            a.events = static_cast<std::uint64_t>(agents->columnInt(1));
            a.firstSeenMs = agents->columnInt(2);
            a.lastSeenMs = agents->columnInt(3);
            usage.addAgentActivity(a);
        }
    }
    return stats;
}

UsageReadStats addUsageFromLines(std::istream& in, UsageAggregator& usage)
{
    UsageReadStats stats;
    Decoder decoder;
    AuditEvent event;
    std::string line;
    std::int64_t lineNo = 0;
    std::streambuf* buf = in.rdbuf();
    for (;;) {
        line.clear();
        bool tooLong = false;
        bool any = false;
        // A bounded getline: an overlong line is consumed, never held whole.
        for (int c = buf ? buf->sbumpc() : std::char_traits<char>::eof();
             c != std::char_traits<char>::eof(); c = buf->sbumpc()) {
            any = true;
            if (c == '\n')
                break;
            if (line.size() < kMaxLineBytes)
                line.push_back(static_cast<char>(c));
            else
                tooLong = true;
        }
        if (!any)
            break;
        ++lineNo;
        if (tooLong) {
            ++stats.rejected;
            continue;
        }
        if (isBlankLine(line))
            continue;
        if (!decoder.decode(line, event)) {
            ++stats.rejected;
            continue;
        }
        ++stats.events;
        ObservedAction use;
        if (observedAction(event, use))
            ++stats.uses;
        usage.add(event, lineNo);
    }
    return stats;
}

} // namespace vigil::iam
