// SPDX-License-Identifier: Apache-2.0
#include "testsupport.h"

#include "ingest/decoder.h"
#include "store/storereader.h"
#include "store/storewriter.h"

#include <QTemporaryDir>
#include <QtTest>

#include <sqlite3.h>

#include <future>
#include <mutex>

using namespace vigil;

namespace {

IngestedEvent makeEvent(const std::string& id, const std::string& thread, std::int64_t ms,
                        std::vector<Finding> findings = {})
{
    IngestedEvent ie;
    ie.event.timestampMs = ms;
    ie.event.eventType = "tool_call";
    ie.event.kind = EventKind::ToolCall;
    ie.event.agentName = "sql-writer";
    ie.event.threadId = thread;
    ie.event.severity = EventSeverity::Warning;
    ie.event.eventId = id;
    ie.event.detailsJson = R"({"action":"s3:GetObject","resource":"r"})";
    ie.findings = std::move(findings);
    return ie;
}

Finding finding(const std::string& rule, const std::string& category, FindingSeverity sev)
{
    Finding f;
    f.rule = rule;
    f.category = category;
    f.layer = 3;
    f.severity = sev;
    f.field = "details.action";
    f.message = "test finding";
    return f;
}

Result<CommitResult> commit(StoreWriter& w, WriteBatch b)
{
    std::optional<Result<CommitResult>> out;
    std::mutex m;
    std::condition_variable cv;
    b.onCommitted = [&](const Result<CommitResult>& r) {
        std::lock_guard l(m);
        out = r;
        cv.notify_one();
    };
    w.submit(std::move(b));
    std::unique_lock l(m);
    cv.wait(l, [&] { return out.has_value(); });
    return *out;
}

} // namespace

class TestStore : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init() { QVERIFY(m_dir.isValid()); }
    void migratesAnEmptyFile();
    void refusesNewerSchema();
    void refusesNonDatabase();
    void refusesMissingDirectory();
    void roundTrip();
    void duplicateEventIdStoredOnce();
    void quarantineKeepsLineAndReason();
    void findingsGroupIntoIncidents();
    void checkpointCommittedWithBatch();
    void keysetPaging();
    void walModeAndIndexes();
    void queuedBatchesCommitTogether();

private:
    std::string path(const char* name) const { return m_dir.filePath(QString::fromLatin1(name)).toStdString(); }
    QTemporaryDir m_dir;
};

void TestStore::migratesAnEmptyFile()
{
    const std::string p = path("empty.db");
    { QFile f(QString::fromStdString(p)); QVERIFY(f.open(QIODevice::WriteOnly)); }
    auto w = StoreWriter::open(p);
    QVERIFY2(w.has_value(), w ? "" : w.error().message.c_str());
    (*w)->close();
    auto r = StoreReader::open(p);
    QVERIFY(r.has_value());
    QCOMPARE(r->database().userVersion(), kSchemaVersion);
    auto s = r->stats();
    QVERIFY(s.has_value());
    QCOMPARE(s->events, 0);
}

void TestStore::refusesNewerSchema()
{
    const std::string p = path("newer.db");
    {
        auto w = StoreWriter::open(p);
        QVERIFY(w.has_value());
    }
    sqlite3* db = nullptr;
    QCOMPARE(sqlite3_open(p.c_str(), &db), SQLITE_OK);
    QCOMPARE(sqlite3_exec(db, "PRAGMA user_version=99", nullptr, nullptr, nullptr), SQLITE_OK);
    sqlite3_close(db);
    auto w = StoreWriter::open(p);
    QVERIFY(!w.has_value());
    QCOMPARE(w.error().code, std::string("store.newer_schema"));
    QVERIFY(w.error().message.find("newer") != std::string::npos);
    auto r = StoreReader::open(p);
    QVERIFY(!r.has_value());
    QCOMPARE(r.error().code, std::string("store.newer_schema"));
}

void TestStore::refusesNonDatabase()
{
    const std::string p = path("text.db");
    {
        QFile f(QString::fromStdString(p));
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(QByteArray(8192, 'x'));
    }
    auto w = StoreWriter::open(p);
    QVERIFY(!w.has_value());
    QCOMPARE(w.error().code, std::string("store.not_a_database"));
}

void TestStore::refusesMissingDirectory()
{
    auto w = StoreWriter::open(path("no/such/dir/x.db"));
    QVERIFY(!w.has_value());
    QVERIFY(w.error().message.find("does not exist") != std::string::npos);
}

void TestStore::roundTrip()
{
    const std::string p = path("rt.db");
    auto w = StoreWriter::open(p);
    QVERIFY(w.has_value());
    WriteBatch b;
    b.sourceName = "test";
    b.events.push_back(makeEvent("e1", "t1", 1000));
    b.events.push_back(makeEvent("", "t2", 2000));
    auto r = commit(**w, std::move(b));
    QVERIFY(r.has_value());
    QCOMPARE(r->accepted, 2);
    auto reader = StoreReader::open(p);
    QVERIFY(reader.has_value());
    auto rows = reader->events({}, std::nullopt, true, 10);
    QVERIFY(rows.has_value());
    QCOMPARE(rows->size(), std::size_t(2));
    const EventRow& e = rows->front();
    QCOMPARE(e.timestampMs, 1000);
    QCOMPARE(e.eventType, std::string("tool_call"));
    QCOMPARE(e.agent, std::string("sql-writer"));
    QCOMPARE(e.threadId, std::string("t1"));
    QVERIFY(e.severity == EventSeverity::Warning);
    QCOMPARE(e.eventId, std::string("e1"));
    QCOMPARE(e.details, std::string(R"({"action":"s3:GetObject","resource":"r"})"));
    QVERIFY(rows->back().eventId.empty());
}

void TestStore::duplicateEventIdStoredOnce()
{
    const std::string p = path("dup.db");
    auto w = StoreWriter::open(p);
    QVERIFY(w.has_value());
    WriteBatch b1;
    b1.events.push_back(makeEvent("same", "t1", 1000));
    b1.events.push_back(makeEvent("same", "t1", 1000)); // resent within one batch
    QCOMPARE(commit(**w, std::move(b1))->duplicates, 1);
    WriteBatch b2;
    b2.events.push_back(makeEvent("same", "t1", 1000)); // resent later
    b2.events.push_back(makeEvent("other", "t1", 1000));
    auto r = commit(**w, std::move(b2));
    QCOMPARE(r->accepted, 1);
    QCOMPARE(r->duplicates, 1);
    auto s = StoreReader::open(p)->stats();
    QCOMPARE(s->events, 2);
    QCOMPARE(s->duplicates, 2);
}

void TestStore::quarantineKeepsLineAndReason()
{
    const std::string p = path("q.db");
    auto w = StoreWriter::open(p);
    WriteBatch b;
    b.sourceName = "feed";
    b.rejected.push_back(QuarantinedLine{"{not json", 9, "input.invalid_json", "not valid JSON", 7});
    QCOMPARE(commit(**w, std::move(b))->rejected, 1);
    auto reader = StoreReader::open(p);
    SqlStatement st = *SqlStatement::prepare(reader->database(),
        "SELECT source, line_no, reason, raw, raw_bytes FROM quarantine");
    QVERIFY(*st.step());
    QCOMPARE(st.columnText(0), std::string("feed"));
    QCOMPARE(st.columnInt(1), 7);
    QCOMPARE(st.columnText(2), std::string("input.invalid_json"));
    QCOMPARE(st.columnText(3), std::string("{not json"));
    QCOMPARE(st.columnInt(4), 9);
    QCOMPARE(reader->stats()->rejectedByReason.at("input.invalid_json"), 1);
}

void TestStore::findingsGroupIntoIncidents()
{
    const std::string p = path("inc.db");
    auto w = StoreWriter::open(p, StoreWriterOptions{64, 60'000});
    WriteBatch b;
    // Same thread and category: one incident, highest severity wins.
    b.events.push_back(makeEvent("a", "t1", 1000, {finding("pii.email", "pii", FindingSeverity::Medium)}));
    b.events.push_back(makeEvent("b", "t1", 2000, {finding("pii.ssn", "pii", FindingSeverity::Critical)}));
    // Other thread, same agent and rule within the window: joins the first incident.
    b.events.push_back(makeEvent("c", "t2", 30'000, {finding("pii.email", "pii", FindingSeverity::Low)}));
    // Same agent and rule, outside the window, other thread: a new incident.
    b.events.push_back(makeEvent("d", "t3", 500'000, {finding("pii.email", "pii", FindingSeverity::Low)}));
    // Another category in t1: its own incident.
    b.events.push_back(makeEvent("e", "t1", 3000, {finding("secret.aws", "secret", FindingSeverity::High)}));
    auto r = commit(**w, std::move(b));
    QCOMPARE(r->findings, 5);
    auto reader = StoreReader::open(p);
    auto s = reader->stats();
    QCOMPARE(s->incidents, 3);
    QCOMPARE(s->findingsByCategory.at("pii"), 4);
    SqlStatement st = *SqlStatement::prepare(reader->database(),
        "SELECT findings, severity, first_ms, last_ms, status FROM incidents ORDER BY id");
    QVERIFY(*st.step());
    QCOMPARE(st.columnInt(0), 3);
    QCOMPARE(st.columnInt(1), int(FindingSeverity::Critical));
    QCOMPARE(st.columnInt(2), 1000);
    QCOMPARE(st.columnInt(3), 30'000);
    QCOMPARE(st.columnText(4), std::string("open"));
    auto rows = reader->events({}, std::nullopt, true, 10);
    QVERIFY(rows->front().findingMask != 0);
    QCOMPARE(rows->front().findingSeverity, int(FindingSeverity::Medium));
    QCOMPARE(reader->findingsForEvent(rows->front().rowId)->size(), std::size_t(1));
}

void TestStore::checkpointCommittedWithBatch()
{
    const std::string p = path("cp.db");
    auto w = StoreWriter::open(p);
    WriteBatch b;
    b.checkpoint = SourceCheckpoint{"file", "/var/log/a.jsonl", 1, 2, 10, "abcd", 4096, 12};
    b.events.push_back(makeEvent("x", "t", 1));
    QVERIFY(commit(**w, std::move(b)).has_value());
    auto reader = StoreReader::open(p);
    SqlStatement st = *SqlStatement::prepare(reader->database(),
        "SELECT offset, line_no, fingerprint FROM sources WHERE name='/var/log/a.jsonl'");
    QVERIFY(*st.step());
    QCOMPARE(st.columnInt(0), 4096);
    QCOMPARE(st.columnInt(1), 12);
    QCOMPARE(st.columnText(2), std::string("abcd"));
}

void TestStore::keysetPaging()
{
    const std::string p = path("page.db");
    auto w = StoreWriter::open(p);
    WriteBatch b;
    for (int i = 0; i < 250; ++i)
        b.events.push_back(makeEvent("", "t" + std::to_string(i % 7), 1000 + (i / 2) * 10));
    QCOMPARE(commit(**w, std::move(b))->accepted, 250);
    auto reader = StoreReader::open(p);
    std::vector<std::int64_t> seen;
    std::optional<EventKey> key;
    for (;;) {
        auto page = reader->events({}, key, true, 40);
        QVERIFY(page.has_value());
        if (page->empty())
            break;
        QVERIFY(page->size() <= 40);
        for (const EventRow& r : *page)
            seen.push_back(r.rowId);
        key = EventKey{page->back().timestampMs, page->back().rowId};
    }
    QCOMPARE(seen.size(), std::size_t(250));
    QVERIFY(std::is_sorted(seen.begin(), seen.end()));
    // Descending from the end, filtered by thread.
    EventFilter f;
    f.threadId = "t3";
    auto desc = reader->events(f, std::nullopt, false, 1000);
    QCOMPARE(desc->size(), std::size_t(36)); // i % 7 == 3 for i < 250
    QCOMPARE(*reader->countEvents(f), 36);
    for (const EventRow& r : *desc)
        QCOMPARE(r.threadId, std::string("t3"));
    QVERIFY(desc->front().timestampMs >= desc->back().timestampMs);
    f.threadId = "no-such-thread";
    QCOMPARE(*reader->countEvents(f), 0);
    // User text is a parameter, never SQL.
    EventFilter evil;
    evil.text = "') OR 1=1 --";
    QCOMPARE(*reader->countEvents(evil), 0);
}

void TestStore::walModeAndIndexes()
{
    const std::string p = path("wal.db");
    {
        auto w = StoreWriter::open(p);
        WriteBatch b;
        for (auto [id, sev] : {std::pair{"i1", EventSeverity::Info}, {"w1", EventSeverity::Warning},
                               {"i2", EventSeverity::Info}, {"c1", EventSeverity::Critical}}) {
            b.events.push_back(makeEvent(id, "t1", 1000));
            b.events.back().event.severity = sev;
        }
        QCOMPARE(commit(**w, std::move(b))->accepted, 4);
    }
    auto reader = StoreReader::open(p);
    SqlStatement st = *SqlStatement::prepare(reader->database(), "PRAGMA journal_mode");
    QVERIFY(*st.step());
    QCOMPARE(st.columnText(0), std::string("wal"));
    SqlStatement idx = *SqlStatement::prepare(reader->database(),
        "SELECT group_concat(name) FROM sqlite_master WHERE type='index' AND tbl_name='events'");
    QVERIFY(*idx.step());
    const std::string names = idx.columnText(0);
    for (const char* n : {"events_ts", "events_agent_ts", "events_type_ts", "events_notable_ts", "events_thread_no", "events_event_id"})
        QVERIFY2(names.find(n) != std::string::npos, n);
    QVERIFY(names.find("events_sev_ts") == std::string::npos); // dropped by migration 5
    QVERIFY(names.find("events_thread,") == std::string::npos && !names.ends_with("events_thread"));
    // Threads are numbered in order of first appearance.
    SqlStatement threads = *SqlStatement::prepare(reader->database(),
        "SELECT group_concat(id || '=' || thread_id) FROM threads");
    QVERIFY(*threads.step());
    QCOMPARE(threads.columnText(0), std::string("1=t1"));

    // The reviewer's "at least warning" filter finds those events, and its clause (as
    // StoreReader spells it) reads the partial index rather than every info event.
    EventFilter notable;
    notable.minSeverity = EventSeverity::Warning;
    QCOMPARE(*reader->countEvents(notable), 2);
    notable.minSeverity = EventSeverity::Critical;
    QCOMPARE(reader->events(notable, std::nullopt, false, 10)->size(), 1u);
    SqlStatement plan = *SqlStatement::prepare(reader->database(),
        "EXPLAIN QUERY PLAN SELECT id FROM events WHERE severity >= 1 AND severity > 0 ORDER BY ts DESC LIMIT 50");
    std::string detail;
    while (*plan.step())
        detail += plan.columnText(3);
    QVERIFY2(detail.find("events_notable_ts") != std::string::npos, detail.c_str());
}

void TestStore::queuedBatchesCommitTogether()
{
    const std::string p = path("group.db");
    StoreWriterOptions options;
    options.queueCapacity = 16;
    options.groupEvents = 6; // three batches of two
    auto w = StoreWriter::open(p, options);
    // Hold the writer in a task while ten batches queue up behind it.
    std::promise<void> release;
    std::shared_future<void> released = release.get_future().share();
    QVERIFY((*w)->post([released](Database&) -> Result<void> {
        released.wait();
        return {};
    }));
    std::mutex m;
    std::vector<int> order;
    std::int64_t accepted = 0, duplicates = 0;
    for (int i = 0; i < 10; ++i) {
        WriteBatch b;
        b.events.push_back(makeEvent("g" + std::to_string(i), "t" + std::to_string(i), 1000 + i));
        b.events.push_back(makeEvent("g" + std::to_string(i / 2), "u", 2000 + i)); // some repeat
        b.onCommitted = [&, i](const Result<CommitResult>& r) {
            std::lock_guard l(m);
            order.push_back(i);
            if (r) {
                accepted += r->accepted;
                duplicates += r->duplicates;
            }
        };
        QVERIFY((*w)->submit(std::move(b)));
    }
    release.set_value();
    (*w)->flush();
    // Every batch reports, in submission order, with its own counts.
    QCOMPARE(order, (std::vector<int>{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}));
    QCOMPARE(accepted, 10);
    QCOMPARE(duplicates, 10);
    QCOMPARE((*w)->stats().batches, 10);
    QCOMPARE(StoreReader::open(p)->stats()->events, 10);
}

QTEST_GUILESS_MAIN(TestStore)
#include "tst_store.moc"
