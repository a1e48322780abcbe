// SPDX-License-Identifier: Apache-2.0
// The dashboard's aggregates (store/overview.h) against a count by hand of generated
// events: the timeline's buckets by severity, findings by category and layer, open
// incidents by severity, tokens and cost per agent; the status counters and vocabulary.
#include "storefixture.h"

#include "base/timeutil.h"
#include "store/incidentreview.h"
#include "store/incidentstore.h"
#include "store/overview.h"
#include "store/storereader.h"

#include <QTemporaryDir>
#include <QtTest>

#include <algorithm>
#include <map>

using namespace vigil;
using namespace vigil::test;

namespace {

constexpr std::int64_t kT0 = 1'795'000'000'000; // 2026-11-18
constexpr std::int64_t kMinute = 60'000;
constexpr int kEvents = 300;

const char* const kTypes[] = {"user_query_received", "brain_plan_created", "sql_executed",
                              "worker_result"};
const char* const kAgents[] = {"brain", "sql-writer", "formatter"};
const char* const kRules[] = {"pii.email", "secret.aws_key", "injection.override",
                              "sql_mutation.drop"};

/// Event i of the generated set: 37 s apart (about three hours), every fifth with a finding.
EventSpec generated(int i, std::int64_t start = kT0)
{
    EventSpec s;
    s.eventId = "g-" + std::to_string(i);
    s.ms = start + i * 37'000LL;
    s.type = kTypes[i % 4];
    s.agent = kAgents[i % 3];
    s.thread = "t-" + std::to_string(i % 7);
    s.severity = static_cast<EventSeverity>(i % 4);
    if (s.type == std::string("brain_plan_created"))
        s.details = R"({"plan":"p","model":"m","tokens":)" + std::to_string(10 * i) +
                    R"(,"cost":)" + std::to_string(0.5 * i) + "}";
    else if (s.type == std::string("sql_executed"))
        s.details = R"({"sql":"SELECT 1","cost":0.25})";
    else
        s.details = R"({"query":"q )" + std::to_string(i) + R"("})";
    if (i % 5 == 0)
        s.findings = {finding(kRules[(i / 5) % 4], static_cast<FindingSeverity>(i % 4),
                              "details.query", -1, -1, i % 7 + 1)};
    return s;
}

/// What loadOverview should say about `events` for the window [from, to) of width `bucket`.
struct HandCount
{
    std::vector<std::array<std::int64_t, 4>> buckets;
    std::int64_t events = 0;
    std::map<std::string, std::int64_t> byCategory;
    std::array<std::int64_t, 7> byLayer{};
    std::map<std::string, std::pair<std::int64_t, double>> usage;
};

HandCount count(const std::vector<EventSpec>& events, std::int64_t from, std::int64_t to,
                std::int64_t bucket)
{
    HandCount h;
    h.buckets.resize(static_cast<std::size_t>((to - from + bucket - 1) / bucket));
    for (const EventSpec& e : events) {
        if (e.ms < from || e.ms >= to)
            continue;
        h.buckets[static_cast<std::size_t>((e.ms - from) / bucket)]
                 [static_cast<std::size_t>(e.severity)]++;
        ++h.events;
        for (const Finding& f : e.findings) {
            h.byCategory[f.category]++;
            h.byLayer[static_cast<std::size_t>(f.layer - 1)]++;
        }
        const int i = std::stoi(e.eventId.substr(2));
        if (e.type == std::string("brain_plan_created")) {
            h.usage[e.agent].first += 10 * i;
            h.usage[e.agent].second += 0.5 * i;
        } else if (e.type == std::string("sql_executed")) {
            h.usage[e.agent].first += 0;
            h.usage[e.agent].second += 0.25;
        }
    }
    return h;
}

} // namespace

class TestOverview : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();
    void windows_data();
    void windows();
    void aggregatesEqualAHandCount_data();
    void aggregatesEqualAHandCount();
    void longHistoriesUseWiderBuckets();
    void openIncidentsBySeverity();
    void emptyDatabase();
    void countersAndVocabulary();

private:
    void fill(const std::vector<EventSpec>& events);
    Database reader();

    std::unique_ptr<QTemporaryDir> m_dir; // a fresh one per test function and data row
    std::string m_path;
    std::unique_ptr<StoreWriter> m_writer;
    std::vector<EventSpec> m_events;
};

void TestOverview::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
    m_path = m_dir->filePath(QStringLiteral("ov.db")).toStdString();
    auto w = StoreWriter::open(m_path);
    QVERIFY2(w, w ? "" : w.error().message.c_str());
    m_writer = std::move(*w);
    m_events.clear();
    if (QByteArray(QTest::currentTestFunction()) != "emptyDatabase") {
        std::vector<EventSpec> events;
        for (int i = 0; i < kEvents; ++i)
            events.push_back(generated(i));
        fill(events);
    }
}

void TestOverview::cleanup()
{
    if (m_writer)
        m_writer->close();
    m_writer.reset();
    m_dir.reset();
}

void TestOverview::fill(const std::vector<EventSpec>& events)
{
    auto c = commit(*m_writer, events);
    QVERIFY(c);
    QCOMPARE(c->accepted, static_cast<std::int64_t>(events.size()));
    m_events.insert(m_events.end(), events.begin(), events.end());
}

Database TestOverview::reader()
{
    auto db = Database::openReader(m_path);
    if (!db)
        qFatal("reader: %s", db.error().message.c_str());
    return std::move(*db);
}

void TestOverview::windows_data()
{
    QTest::addColumn<int>("range");
    QTest::addColumn<qint64>("spanMs");
    QTest::addColumn<int>("buckets");
    QTest::newRow("last hour") << int(OverviewRange::LastHour) << qint64(60 * kMinute) << 60;
    QTest::newRow("last 24 hours")
        << int(OverviewRange::Last24Hours) << qint64(24 * 60 * kMinute) << 24 * 60;
}

void TestOverview::windows()
{
    QFETCH(int, range);
    QFETCH(qint64, spanMs);
    QFETCH(int, buckets);
    Database db = reader();
    auto o = loadOverview(db, static_cast<OverviewRange>(range), MuteScope{nowEpochMs(), false});
    QVERIFY(o);
    // The window ends at the newest event, rounded up to the next whole minute.
    const std::int64_t last = m_events.back().ms;
    QCOMPARE(o->toMs, (last / kMinute + 1) * kMinute);
    QVERIFY(o->toMs > last);
    QCOMPARE(o->fromMs, o->toMs - spanMs);
    QCOMPARE(o->bucketMs, kMinute);
    QCOMPARE(o->buckets.size(), std::size_t(buckets));
    for (std::size_t i = 0; i < o->buckets.size(); ++i)
        QCOMPARE(o->buckets[i].startMs, o->fromMs + static_cast<std::int64_t>(i) * kMinute);
    QCOMPARE(int(o->range), range);
}

void TestOverview::aggregatesEqualAHandCount_data()
{
    QTest::addColumn<int>("range");
    QTest::newRow("last hour") << int(OverviewRange::LastHour);
    QTest::newRow("last 24 hours") << int(OverviewRange::Last24Hours);
    QTest::newRow("all") << int(OverviewRange::All);
}

void TestOverview::aggregatesEqualAHandCount()
{
    QFETCH(int, range);
    Database db = reader();
    auto o = loadOverview(db, static_cast<OverviewRange>(range), MuteScope{nowEpochMs(), false});
    QVERIFY(o);
    if (range == int(OverviewRange::All))
        QCOMPARE(o->fromMs, (kT0 / kMinute) * kMinute);
    const HandCount h = count(m_events, o->fromMs, o->toMs, o->bucketMs);
    QCOMPARE(o->events, h.events);
    if (range != int(OverviewRange::LastHour))
        QCOMPARE(o->events, std::int64_t(kEvents)); // three hours: all of them
    else
        QVERIFY(o->events > 0 && o->events < kEvents);
    QCOMPARE(o->buckets.size(), h.buckets.size());
    for (std::size_t i = 0; i < h.buckets.size(); ++i)
        QCOMPARE(o->buckets[i].counts, h.buckets[i]);

    // Findings by category, most first, then by name.
    std::vector<std::pair<std::string, std::int64_t>> byCategory(h.byCategory.begin(),
                                                                 h.byCategory.end());
    std::stable_sort(byCategory.begin(), byCategory.end(),
                     [](const auto& a, const auto& b) { return a.second > b.second; });
    QCOMPARE(o->findingsByCategory, byCategory);
    QCOMPARE(o->findingsByLayer, h.byLayer);

    QCOMPARE(o->usage.size(), h.usage.size());
    std::size_t i = 0;
    for (const auto& [agent, u] : h.usage) { // both by agent name
        QCOMPARE(o->usage[i].agent, agent);
        QCOMPARE(o->usage[i].tokens, u.first);
        QVERIFY2(std::abs(o->usage[i].cost - u.second) < 1e-6, agent.c_str());
        ++i;
    }
}

void TestOverview::longHistoriesUseWiderBuckets()
{
    // Three days before the rest: more than 24 hours, so buckets of whole minutes widen to
    // keep the chart at about 720 of them.
    std::vector<EventSpec> old;
    for (int i = 0; i < 5; ++i)
        old.push_back(generated(1000 + i, kT0 - 3 * 24 * 60 * kMinute));
    fill(old);
    Database db = reader();
    auto o = loadOverview(db, OverviewRange::All, MuteScope{nowEpochMs(), false});
    QVERIFY(o);
    const std::int64_t span = o->toMs - o->fromMs;
    QVERIFY(span > 24 * 60 * kMinute);
    QCOMPARE(o->bucketMs, (span / 720 / kMinute + 1) * kMinute);
    QVERIFY(o->buckets.size() <= 721);
    QCOMPARE(o->events, std::int64_t(kEvents + 5));
    const HandCount h = count(m_events, o->fromMs, o->toMs, o->bucketMs);
    for (std::size_t b = 0; b < h.buckets.size(); ++b)
        QCOMPARE(o->buckets[b].counts, h.buckets[b]);
    // The last 24 hours still use minutes and leave the old events out.
    auto day = loadOverview(db, OverviewRange::Last24Hours, MuteScope{nowEpochMs(), false});
    QCOMPARE(day->bucketMs, kMinute);
    QCOMPARE(day->events, std::int64_t(kEvents));
}

void TestOverview::openIncidentsBySeverity()
{
    // By hand: the incidents table itself (no mute rules exist here).
    const auto handCount = [&] {
        Database db = reader();
        std::array<std::int64_t, 4> out{};
        auto st = SqlStatement::prepare(
            db, "SELECT severity FROM incidents WHERE status IN ('open', 'investigating')");
        while (*st->step())
            out[static_cast<std::size_t>(st->columnInt(0))]++;
        return out;
    };
    Database db = reader();
    auto o = loadOverview(db, OverviewRange::LastHour, MuteScope{nowEpochMs(), false});
    QVERIFY(o);
    const auto before = handCount();
    QVERIFY(std::accumulate(before.begin(), before.end(), std::int64_t{0}) > 2);
    QCOMPARE(o->openIncidentsBySeverity, before);

    // Resolving one and putting another under investigation: one fewer open.
    auto rows = listIncidents(db, {}, MuteScope{nowEpochMs(), false});
    QVERIFY(rows && rows->size() > 2);
    const IncidentRow resolved = (*rows)[0];
    IncidentReviewChange r;
    r.status = "resolved";
    QVERIFY(m_writer->run(
        [&](Database& w) { return updateIncidentReview(w, {resolved.id}, r, "alice", kT0); }));
    IncidentReviewChange inv;
    inv.status = "investigating";
    QVERIFY(m_writer->run(
        [&](Database& w) { return updateIncidentReview(w, {(*rows)[1].id}, inv, "alice", kT0); }));
    auto after = loadOverview(db, OverviewRange::LastHour, MuteScope{nowEpochMs(), false});
    QVERIFY(after);
    auto expected = before;
    expected[static_cast<std::size_t>(resolved.severity)]--;
    QCOMPARE(after->openIncidentsBySeverity, expected);
    QCOMPARE(after->openIncidentsBySeverity, handCount());
}

void TestOverview::emptyDatabase()
{
    Database db = reader();
    auto o = loadOverview(db, OverviewRange::LastHour, MuteScope{nowEpochMs(), false});
    QVERIFY(o);
    QCOMPARE(o->events, 0);
    QCOMPARE(o->buckets.size(), std::size_t(60));
    QVERIFY(o->findingsByCategory.empty());
    QVERIFY(o->usage.empty());
    QCOMPARE(*lastEventRowId(db), 0);
    auto c = storeCounters(db, MuteScope{nowEpochMs(), false});
    QVERIFY(c);
    QCOMPARE(c->events, 0);
    QCOMPARE(c->openIncidents, 0);
    auto v = eventVocabulary(db);
    QVERIFY(v && v->agents.empty() && v->eventTypes.empty());
}

void TestOverview::countersAndVocabulary()
{
    Database db = reader();
    auto c = storeCounters(db, MuteScope{nowEpochMs(), false});
    QVERIFY(c);
    QCOMPARE(c->events, std::int64_t(kEvents));
    QCOMPARE(c->findings, std::int64_t(kEvents / 5));
    QCOMPARE(c->openIncidents, *countOpenIncidents(db, MuteScope{nowEpochMs(), false}));
    QVERIFY(c->openIncidents > 0);

    auto v = eventVocabulary(db);
    QVERIFY(v);
    QCOMPARE(v->agents, (std::vector<std::string>{"brain", "formatter", "sql-writer"}));
    QCOMPARE(v->eventTypes, (std::vector<std::string>{"brain_plan_created", "sql_executed",
                                                      "user_query_received", "worker_result"}));
    auto r = StoreReader::open(m_path);
    auto newest = r->eventsAfterRow(0, kEvents + 1);
    QCOMPARE(*lastEventRowId(db), newest->back().rowId);
}

QTEST_GUILESS_MAIN(TestOverview)
#include "tst_overview.moc"
