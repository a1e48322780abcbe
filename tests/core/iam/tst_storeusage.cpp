// SPDX-License-Identifier: Apache-2.0
// Observed IAM use read back from a Vigil database (and from event lines): the same
// aggregation as feeding the events in memory, row ids as refs, the time window, erased
// events, agent activity, and the permission map's refs built from it.
#include "iam/permissionmap.h"
#include "iam/policyreview.h"
#include "iam/storeusage.h"

#include "iamtestsupport.h"
#include "testsupport.h"

#include "ingest/decoder.h"
#include "store/database.h"
#include "store/storereader.h"
#include "store/storewriter.h"

#include <QTemporaryDir>
#include <QtTest>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <condition_variable>
#include <mutex>
#include <sstream>

using namespace vigil;
using namespace vigil::iam;

namespace {

constexpr std::int64_t kT0 = 1'760'000'000'000;

IngestedEvent toolCallEvent(const std::string& agent, const std::string& action, const std::string& resource,
                            const std::string& outcome, std::int64_t ms)
{
    IngestedEvent ie;
    ie.event = iamtest::toolCall(agent, action, resource, outcome, ms);
    ie.event.threadId = "t-1";
    nlohmann::json d{{"action", action}, {"resource", resource}};
    if (!outcome.empty())
        d["outcome"] = outcome;
    ie.event.detailsJson = d.dump();
    return ie;
}

IngestedEvent modelEvent(EventKind kind, const std::string& agent, const std::string& model, std::int64_t ms)
{
    IngestedEvent ie;
    ie.event = iamtest::modelUse(kind, agent, model, ms);
    ie.event.threadId = "t-1";
    ie.event.detailsJson = nlohmann::json{{"model", model}, {"tokens", 10}}.dump();
    return ie;
}

IngestedEvent otherEvent(const std::string& agent, std::int64_t ms)
{
    IngestedEvent ie;
    ie.event.eventType = "sql_executed";
    ie.event.kind = EventKind::SqlExecuted;
    ie.event.agentName = agent;
    ie.event.threadId = "t-1";
    ie.event.timestampMs = ms;
    // An action-looking key on another event type is not a use.
    ie.event.detailsJson = R"({"query":"SELECT 1","action":"s3:GetObject","resource":"x"})";
    return ie;
}

void commit(StoreWriter& w, std::vector<IngestedEvent> events)
{
    std::mutex m;
    std::condition_variable cv;
    std::optional<Result<CommitResult>> result;
    WriteBatch b;
    b.sourceName = "test";
    b.events = std::move(events);
    b.onCommitted = [&](const Result<CommitResult>& r) { // writer thread
        std::lock_guard l(m);
        result = r;
        cv.notify_one();
    };
    QVERIFY(w.submit(std::move(b)));
    std::unique_lock l(m);
    cv.wait(l, [&] { return result.has_value(); });
    QVERIFY2(result->has_value(), *result ? "" : (*result).error().message.c_str());
}

/// The events of the fixture, in insertion order (row ids 1..n in a fresh database).
std::vector<IngestedEvent> fixture()
{
    std::vector<IngestedEvent> v;
    std::int64_t t = kT0;
    v.push_back(modelEvent(EventKind::BrainPlanCreated, "brain", "anthropic.claude-sonnet-4", t += 1000));
    v.push_back(modelEvent(EventKind::WorkerInvoked, "sql-writer", "anthropic.claude-3-5-haiku", t += 1000));
    v.push_back(toolCallEvent("sql-writer", "athena:StartQueryExecution", "workgroup/agent-queries", "allowed", t += 1000));
    v.push_back(toolCallEvent("sql-writer", "athena:StartQueryExecution", "workgroup/agent-queries", "allowed", t += 1000));
    v.push_back(toolCallEvent("sql-writer", "ATHENA:startQueryExecution", "workgroup/agent-queries", "error", t += 1000));
    v.push_back(otherEvent("sql-writer", t += 1000));
    v.push_back(toolCallEvent("sql-writer", "s3:DeleteObject", "arn:aws:s3:::data-bucket/readonly/a", "denied", t += 1000));
    v.push_back(toolCallEvent("sql-writer", "dynamodb:PutItem", "table/agent-checkpoints", "", t += 1000));
    v.push_back(toolCallEvent("brain", "dynamodb:GetItem", "table/agent-checkpoints", "allowed", t += 1000));
    v.push_back(modelEvent(EventKind::BrainPlanCreated, "brain", "anthropic.claude-3-5-haiku", t += 1000));
    v.push_back(toolCallEvent("stranger", "s3:GetObject", "data-bucket/x", "allowed", t += 1000));
    v.push_back(otherEvent("observer", t += 1000));
    v.push_back(modelEvent(EventKind::BrainPlanCreated, "brain", "anthropic.claude-sonnet-4", t += 1000));
    return v;
}

} // namespace

class TestStoreUsage : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void sameAsInMemory();
    void refsAreRowIds();
    void timeWindow();
    void erasedEventsCarryNoUse();
    void emptyDatabase();
    void permissionMapRefs();
    void reviewSeesAgentsOfAnyEvent();
    void fromLines();
    void overlongLineIsRejected();

private:
    std::string path(const char* name) const { return m_dir.filePath(QString::fromLatin1(name)).toStdString(); }
    Result<StoreReader> filledStore(const char* name, const std::vector<IngestedEvent>& events);

    QTemporaryDir m_dir;
};

void TestStoreUsage::initTestCase()
{
    QVERIFY(m_dir.isValid());
}

Result<StoreReader> TestStoreUsage::filledStore(const char* name, const std::vector<IngestedEvent>& events)
{
    auto w = StoreWriter::open(path(name));
    if (!w)
        return std::unexpected(w.error());
    // Two batches, as an import would commit them.
    const auto half = static_cast<std::ptrdiff_t>(events.size() / 2);
    commit(**w, {events.begin(), events.begin() + half});
    commit(**w, {events.begin() + half, events.end()});
    (*w)->close();
    return StoreReader::open(path(name));
}

void TestStoreUsage::sameAsInMemory()
{
    const auto events = fixture();
    auto reader = filledStore("same.db", events);
    QVERIFY2(reader.has_value(), reader ? "" : reader.error().message.c_str());

    UsageAggregator stored;
    auto stats = addUsageFromStore(reader->database(), stored);
    QVERIFY2(stats.has_value(), stats ? "" : stats.error().message.c_str());
    QCOMPARE(stats->events, std::uint64_t(11)); // the two sql_executed rows are not read
    QCOMPARE(stats->uses, std::uint64_t(11));

    UsageAggregator memory;
    for (std::size_t i = 0; i < events.size(); ++i)
        memory.add(events[i].event, static_cast<std::int64_t>(i + 1));

    const auto a = stored.entries();
    const auto b = memory.entries();
    QCOMPARE(a.size(), b.size());
    for (std::size_t i = 0; i < a.size(); ++i) {
        QCOMPARE(a[i].agent, b[i].agent);
        QCOMPARE(a[i].action, b[i].action);
        QCOMPARE(a[i].resource, b[i].resource);
        QCOMPARE(a[i].modelUse, b[i].modelUse);
        QCOMPARE(a[i].count, b[i].count);
        QCOMPARE(a[i].allowed, b[i].allowed);
        QCOMPARE(a[i].denied, b[i].denied);
        QCOMPARE(a[i].errors, b[i].errors);
        QCOMPARE(a[i].unspecified, b[i].unspecified);
        QCOMPARE(a[i].firstSeenMs, b[i].firstSeenMs);
        QCOMPARE(a[i].lastSeenMs, b[i].lastSeenMs);
        auto ra = a[i].eventRefs, rb = b[i].eventRefs;
        std::sort(ra.begin(), ra.end());
        std::sort(rb.begin(), rb.end());
        QCOMPARE(ra, rb);
    }
    const auto sa = stored.agents();
    const auto sb = memory.agents();
    QCOMPARE(sa.size(), sb.size());
    for (std::size_t i = 0; i < sa.size(); ++i) {
        QCOMPARE(sa[i].agent, sb[i].agent);
        QCOMPARE(sa[i].events, sb[i].events);
        QCOMPARE(sa[i].firstSeenMs, sb[i].firstSeenMs);
        QCOMPARE(sa[i].lastSeenMs, sb[i].lastSeenMs);
    }
}

void TestStoreUsage::refsAreRowIds()
{
    auto reader = filledStore("refs.db", fixture());
    QVERIFY(reader.has_value());
    UsageAggregator usage;
    QVERIFY(addUsageFromStore(reader->database(), usage).has_value());
    bool seen = false;
    for (const UsageEntry& e : usage.entries()) {
        if (e.agent == "sql-writer" && e.action == "athena:StartQueryExecution") {
            // Actions group case-insensitively; the first spelling is kept.
            QCOMPARE(e.count, std::uint64_t(3));
            QCOMPARE(e.allowed, std::uint64_t(2));
            QCOMPARE(e.errors, std::uint64_t(1));
            auto refs = e.eventRefs;
            std::sort(refs.begin(), refs.end());
            QCOMPARE(refs, (std::vector<std::int64_t>{3, 4, 5}));
            seen = true;
        }
        for (std::int64_t ref : e.eventRefs) {
            auto row = reader->event(ref);
            QVERIFY(row.has_value() && row->has_value());
            QCOMPARE((*row)->agent, e.agent);
        }
    }
    QVERIFY(seen);
}

void TestStoreUsage::timeWindow()
{
    auto reader = filledStore("window.db", fixture());
    QVERIFY(reader.has_value());
    StoreUsageOptions o;
    o.fromMs = kT0 + 3000; // events 3.. (1-based)
    o.toMs = kT0 + 6000;   // up to event 5
    UsageAggregator usage;
    auto stats = addUsageFromStore(reader->database(), usage, o);
    QVERIFY(stats.has_value());
    QCOMPARE(stats->uses, std::uint64_t(3));
    const auto entries = usage.entries();
    QCOMPARE(entries.size(), std::size_t(1));
    QCOMPARE(entries[0].count, std::uint64_t(3));
    QCOMPARE(entries[0].firstSeenMs, kT0 + 3000);
    QCOMPARE(entries[0].lastSeenMs, kT0 + 5000);
    const auto agents = usage.agents();
    QCOMPARE(agents.size(), std::size_t(1));
    QCOMPARE(agents[0].agent, std::string("sql-writer"));
    QCOMPARE(agents[0].events, std::uint64_t(3));
}

void TestStoreUsage::erasedEventsCarryNoUse()
{
    QVERIFY(filledStore("erased.db", fixture()).has_value());
    {
        // What erasure leaves of an event: its row, with details '{}'.
        auto db = Database::openWriter(path("erased.db"));
        QVERIFY(db.has_value());
        QVERIFY(db->exec("UPDATE events SET details = '{}', erased = 1 WHERE id IN (3, 4, 5, 1)").has_value());
    }
    auto again = StoreReader::open(path("erased.db"));
    QVERIFY(again.has_value());
    UsageAggregator usage;
    auto stats = addUsageFromStore(again->database(), usage);
    QVERIFY(stats.has_value());
    QCOMPARE(stats->events, std::uint64_t(11));
    QCOMPARE(stats->uses, std::uint64_t(7));
    for (const UsageEntry& e : usage.entries())
        QVERIFY2(e.action != "athena:StartQueryExecution", e.action.c_str());
}

void TestStoreUsage::emptyDatabase()
{
    auto reader = filledStore("empty.db", {});
    QVERIFY(reader.has_value());
    UsageAggregator usage;
    auto stats = addUsageFromStore(reader->database(), usage);
    QVERIFY(stats.has_value());
    QCOMPARE(stats->events, std::uint64_t(0));
    QCOMPARE(usage.size(), std::size_t(0));
    QVERIFY(usage.agents().empty());
}

void TestStoreUsage::permissionMapRefs()
{
    auto reader = filledStore("map.db", fixture());
    QVERIFY(reader.has_value());
    UsageAggregator usage;
    QVERIFY(addUsageFromStore(reader->database(), usage).has_value());
    const auto policies = iamtest::seedPolicies();
    QVERIFY(policies);
    const PermissionMap map = PermissionMap::build(*policies, &usage);
    bool grant = false, deny = false, unknown = false;
    for (const PermissionRow& r : map.rows()) {
        QVERIFY(r.eventRefs.size() <= r.observed);
        if (r.agent == "sql-writer" && r.fromPolicy && r.action == "athena:StartQueryExecution") {
            QCOMPARE(std::string(toString(r.state)), std::string("allowed_used"));
            QCOMPARE(r.observed, std::uint64_t(3));
            auto refs = r.eventRefs;
            std::sort(refs.begin(), refs.end());
            QCOMPARE(refs, (std::vector<std::int64_t>{3, 4, 5}));
            QVERIFY(!r.statements.empty());
            QCOMPARE(r.statements.front().policy, std::string("agent-sql-writer-role"));
            QCOMPARE(r.statements.front().label(), r.statement);
            grant = true;
        }
        if (r.agent == "brain" && !r.fromPolicy && r.action == "bedrock:InvokeModel") {
            // Haiku for the brain: its role's NoCheapModels Deny.
            QCOMPARE(std::string(toString(r.state)), std::string("explicit_deny"));
            QCOMPARE(r.eventRefs, (std::vector<std::int64_t>{10}));
            QCOMPARE(r.statements.size(), std::size_t(1));
            QCOMPARE(r.statements.front().sid, std::string("NoCheapModels"));
            QVERIFY(r.statements.front().text.find("\"Deny\"") != std::string::npos);
            deny = true;
        }
        if (r.agent == "stranger") {
            QCOMPARE(std::string(toString(r.state)), std::string("denied_attempted"));
            QCOMPARE(r.eventRefs, (std::vector<std::int64_t>{11}));
            QVERIFY(r.statements.empty());
            unknown = true;
        }
    }
    QVERIFY(grant);
    QVERIFY(deny);
    QVERIFY(unknown);
}

void TestStoreUsage::reviewSeesAgentsOfAnyEvent()
{
    auto reader = filledStore("review.db", fixture());
    QVERIFY(reader.has_value());
    UsageAggregator usage;
    QVERIFY(addUsageFromStore(reader->database(), usage).has_value());
    const auto policies = iamtest::seedPolicies();
    QVERIFY(policies);
    QStringList unknown;
    for (const ReviewItem& i : reviewPolicies(*policies, &usage))
        if (i.kind == ReviewKind::UnknownAgent)
            unknown << QString::fromStdString(i.agent);
    // "observer" only has a sql_executed event: still an agent seen without a role.
    QCOMPARE(unknown, (QStringList{QStringLiteral("observer"), QStringLiteral("stranger")}));
}

void TestStoreUsage::fromLines()
{
    std::istringstream in(
        R"({"timestamp":"2025-11-21T04:40:00.000Z","event_type":"tool_call","agent_name":"sql-writer","thread_id":"t","severity":"info","details":{"action":"s3:GetObject","resource":"data-bucket/readonly/a","outcome":"allowed"}})"
        "\n\n"
        "not json\n"
        R"({"timestamp":"2025-11-21T04:40:01.000Z","event_type":"worker_invoked","agent_name":"sql-writer","thread_id":"t","severity":"info","details":{"worker_name":"sql-writer","input_hash":"00ff","model":"anthropic.claude-3-5-haiku"}})"
        "\r\n"
        R"({"timestamp":"2025-11-21T04:40:02.000Z","event_type":"sql_executed","agent_name":"sql-writer","thread_id":"t","severity":"info","details":{"query_hash":"ab12","bytes_scanned":10,"cost":0.01}})");
    UsageAggregator usage;
    const UsageReadStats stats = addUsageFromLines(in, usage);
    QCOMPARE(stats.rejected, std::uint64_t(1));
    QCOMPARE(stats.events, std::uint64_t(3));
    QCOMPARE(stats.uses, std::uint64_t(2));
    const auto entries = usage.entries();
    QCOMPARE(entries.size(), std::size_t(2));
    QCOMPARE(entries[0].action, std::string("bedrock:InvokeModel"));
    QCOMPARE(entries[0].eventRefs, (std::vector<std::int64_t>{4}));
    QCOMPARE(entries[1].action, std::string("s3:GetObject"));
    QCOMPARE(entries[1].eventRefs, (std::vector<std::int64_t>{1}));
    QCOMPARE(usage.agents().at(0).events, std::uint64_t(3));
}

void TestStoreUsage::overlongLineIsRejected()
{
    std::string text(kMaxLineBytes + 10, 'x');
    text += "\n{}\n";
    std::istringstream in(text);
    UsageAggregator usage;
    const UsageReadStats stats = addUsageFromLines(in, usage);
    QCOMPARE(stats.rejected, std::uint64_t(2)); // the long line, and `{}` (no fields)
    QCOMPARE(stats.events, std::uint64_t(0));
}

QTEST_GUILESS_MAIN(TestStoreUsage)
#include "tst_storeusage.moc"
