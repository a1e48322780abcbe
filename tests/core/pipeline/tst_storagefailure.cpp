// SPDX-License-Identifier: Apache-2.0
// A full disk must stop a source at the failed batch: nothing after it commits, so its stored
// position never runs past lines that were not stored, and the same import (or the tailer,
// once space returns) goes on from the first line not stored. The disk fills through a
// fault-injecting SQLite VFS (tests/support/faultyvfs.h) in front of the real files.
#include "faultyvfs.h"
#include "testsupport.h"

#include "pipeline/importer.h"
#include "pipeline/liveingest.h"
#include "store/database.h"
#include "store/storewriter.h"

#include <QTemporaryDir>
#include <QtTest>

#include <atomic>
#include <fstream>

using namespace vigil;
using vigil::test::FaultyVfs;

namespace {

// Lines without event_id on purpose: a line stored twice would show as two events.
std::string eventLine(int i)
{
    return R"({"timestamp":"2026-11-21T10:00:00.000Z","event_type":"tool_call","agent_name":"a",)"
           R"("thread_id":"t-)" + std::to_string(i % 50) + R"(","severity":"info",)"
           R"("details":{"action":"s3:GetObject","resource":"r/)" + std::to_string(i) + "\"}}";
}

/// `count` lines, every 20th not an event (it is quarantined).
void writeLines(const std::string& path, int from, int count, bool append = false)
{
    std::ofstream f(path, append ? std::ios::app : std::ios::trunc);
    for (int i = from; i < from + count; ++i)
        f << (i % 20 == 7 ? std::string("not json ") + std::to_string(i) : eventLine(i)) << '\n';
}

std::int64_t count(StoreWriter& w, const char* sql)
{
    auto n = w.runResult<std::int64_t>([sql](Database& db) { return queryInt(db, sql); });
    if (!n)
        qFatal("%s: %s", sql, n.error().message.c_str());
    return *n;
}

/// Makes the disk "fill up" after `commits` batches have committed.
void fillAfter(StoreWriter& w, int commits)
{
    auto seen = std::make_shared<std::atomic<int>>(0);
    w.setCommitListener([seen, commits](const std::vector<CommittedEvent>&) {
        if (++*seen == commits)
            FaultyVfs::setFull(true);
    });
}

WriteBatch batch(const std::string& source, int line, std::int64_t offset,
                 std::shared_ptr<std::vector<Result<CommitResult>>> results)
{
    WriteBatch b;
    b.sourceName = source;
    b.checkpoint = SourceCheckpoint{"file", source, 1, 1, 0, {}, offset, line};
    IngestedEvent ie;
    ie.event.timestampMs = 1'790'000'000'000 + line;
    ie.event.eventType = "tool_call";
    ie.event.agentName = "a";
    ie.event.threadId = "t";
    ie.event.detailsJson = "{}";
    ie.lineNo = line;
    b.events.push_back(std::move(ie));
    b.onCommitted = [results](const Result<CommitResult>& r) { results->push_back(r); };
    return b;
}

bool waitFor(const std::function<bool()>& done, int ms = 20000)
{
    QElapsedTimer t;
    t.start();
    while (!done()) {
        if (t.elapsed() > ms)
            return false;
        QTest::qWait(20);
    }
    return true;
}

} // namespace

class TestStorageFailure : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() { FaultyVfs::install(); }
    void init()
    {
        FaultyVfs::setFull(false);
        QVERIFY(m_dir.isValid());
    }
    void cleanup() { FaultyVfs::setFull(false); }

    void storageErrorsHaveTheirOwnCodes();
    void failedBatchStopsItsSourceOnly();
    void importStopsAtTheFailedBatchAndResumesThere();
    void liveWriterWaitsForSpaceAndLosesNothing();
    void tailerReadsAgainFromTheStoredLineAfterAFailure();

private:
    std::string path(const char* name) const { return (m_dir.path() + QLatin1Char('/') + QLatin1String(name)).toStdString(); }
    QTemporaryDir m_dir;
};

void TestStorageFailure::storageErrorsHaveTheirOwnCodes()
{
    auto db = Database::openWriter(path("codes.db"));
    QVERIFY(db.has_value());
    QVERIFY(db->exec("CREATE TABLE t(x)").has_value());
    FaultyVfs::setFull(true);
    auto r = db->exec("BEGIN; INSERT INTO t VALUES (randomblob(100000)); COMMIT;");
    FaultyVfs::setFull(false);
    (void)db->exec("ROLLBACK");
    QVERIFY(!r.has_value());
    QCOMPARE(r.error().code, std::string("store.full"));
    QVERIFY(isTransientStoreError(r.error()));
}

void TestStorageFailure::failedBatchStopsItsSourceOnly()
{
    StoreWriterOptions o;
    o.retryMs = 0; // fail at once
    auto w = StoreWriter::open(path("stop.db"), o);
    QVERIFY(w.has_value());
    auto results = std::make_shared<std::vector<Result<CommitResult>>>();
    QVERIFY((*w)->submit(batch("A", 1, 100, results)));
    (*w)->flush();
    FaultyVfs::setFull(true);
    QVERIFY((*w)->submit(batch("A", 2, 200, results)));
    (*w)->flush();
    FaultyVfs::setFull(false);
    // Space is back, but A stays stopped at its failed batch; B is not affected.
    QVERIFY((*w)->submit(batch("A", 3, 300, results)));
    QVERIFY((*w)->submit(batch("B", 1, 50, results)));
    (*w)->flush();
    QCOMPARE(results->size(), std::size_t(4));
    QVERIFY((*results)[0].has_value());
    QVERIFY(!(*results)[1].has_value());
    QCOMPARE((*results)[1].error().code, std::string("store.full"));
    QVERIFY(!(*results)[2].has_value());
    QCOMPARE((*results)[2].error().code, std::string("store.source_stopped"));
    QVERIFY((*results)[3].has_value());
    QCOMPARE(count(**w, "SELECT offset FROM sources WHERE name='A'"), 100);
    const WriterStats s = (*w)->stats();
    QCOMPARE(s.stoppedSources, std::vector<std::string>{"A"});
    QVERIFY(s.lastError.find("full") != std::string::npos);

    (*w)->resumeSource("A");
    QVERIFY((*w)->submit(batch("A", 2, 200, results)));
    (*w)->flush();
    QVERIFY(results->back().has_value());
    QCOMPARE(count(**w, "SELECT offset FROM sources WHERE name='A'"), 200);
    QCOMPARE(count(**w, "SELECT COUNT(*) FROM events"), 3);
}

void TestStorageFailure::importStopsAtTheFailedBatchAndResumesThere()
{
    const std::string log = path("import.jsonl");
    constexpr int kLines = 6000;
    writeLines(log, 0, kLines);
    StoreWriterOptions wo;
    wo.retryMs = 0;
    wo.queueCapacity = 16; // many batches queued behind the one that fails
    wo.groupEvents = 1;    // one transaction per batch, so "after 5 commits" is exact
    auto w = StoreWriter::open(path("import.db"), wo);
    QVERIFY(w.has_value());
    ImportOptions io;
    io.chunkLines = 100;
    io.pipeline.workers = 2;
    fillAfter(**w, 5);
    auto failed = importFiles(**w, {log}, io);
    FaultyVfs::setFull(false);
    (*w)->setCommitListener({});
    QVERIFY(!failed.has_value());
    QCOMPARE(failed.error().code, std::string("store.full"));
    QVERIFY2(failed.error().message.find("failed at line") != std::string::npos,
             failed.error().message.c_str());
    QVERIFY(FaultyVfs::refusedWrites() > 0);

    // The stored position is exactly where the stored lines end.
    const std::int64_t storedLines = count(**w, "SELECT line_no FROM sources");
    QVERIFY(storedLines > 0 && storedLines < kLines);
    QCOMPARE(count(**w, "SELECT COUNT(*) FROM events") + count(**w, "SELECT COUNT(*) FROM quarantine"),
             storedLines);

    // Space is back: the same import stores the rest, each line once.
    auto again = importFiles(**w, {log}, io);
    QVERIFY2(again.has_value(), again ? "" : again.error().message.c_str());
    QCOMPARE(again->lines, kLines - storedLines);
    QCOMPARE(count(**w, "SELECT COUNT(*) FROM events"), std::int64_t(kLines - kLines / 20));
    QCOMPARE(count(**w, "SELECT COUNT(*) FROM quarantine"), std::int64_t(kLines / 20));
    QCOMPARE(count(**w, "SELECT COUNT(DISTINCT line_no) FROM events"), std::int64_t(kLines - kLines / 20));
    QCOMPARE(count(**w, "SELECT line_no FROM sources"), std::int64_t(kLines));
}

void TestStorageFailure::liveWriterWaitsForSpaceAndLosesNothing()
{
    const std::string log = path("live.jsonl");
    writeLines(log, 0, 2000);
    StoreWriterOptions wo; // live: retry until it commits
    wo.retryFirstDelayMs = 10;
    wo.retryMaxDelayMs = 100;
    auto w = StoreWriter::open(path("live.db"), wo);
    QVERIFY(w.has_value());
    LiveOptions lo;
    lo.tcp.reset();
    lo.tailFiles = {log};
    lo.tail.pollInterval = std::chrono::milliseconds(20);
    lo.tail.chunkLines = 100;
    LiveIngest live(**w, lo);
    QVERIFY(live.start().has_value());
    QVERIFY(waitFor([&] { return live.stats().accepted + live.stats().rejected == 2000; }));

    FaultyVfs::setFull(true);
    writeLines(log, 2000, 3000, true);
    QVERIFY(waitFor([&] { return live.stats().storageRetrying; }));
    const LiveStats during = live.stats();
    QVERIFY(during.storageError.find("full") != std::string::npos);
    QCOMPARE(during.failedBatches, 0);
    FaultyVfs::setFull(false);
    QVERIFY(waitFor([&] { return live.stats().accepted + live.stats().rejected == 5000; }));
    live.stop();
    QVERIFY(!live.stats().storageRetrying);
    QVERIFY(live.stats().storageRetries > 0);
    QCOMPARE(count(**w, "SELECT COUNT(*) FROM events"), std::int64_t(5000 - 5000 / 20));
    QCOMPARE(count(**w, "SELECT line_no FROM sources"), std::int64_t(5000));
}

void TestStorageFailure::tailerReadsAgainFromTheStoredLineAfterAFailure()
{
    const std::string log = path("tailed.jsonl");
    writeLines(log, 0, 1000);
    StoreWriterOptions wo;
    wo.retryMs = 0; // every failure reaches the tailer
    auto w = StoreWriter::open(path("tailed.db"), wo);
    QVERIFY(w.has_value());
    std::vector<std::string> said;
    std::mutex saidMutex;
    LiveOptions lo;
    lo.tcp.reset();
    lo.tailFiles = {log};
    lo.tail.pollInterval = std::chrono::milliseconds(20);
    lo.tail.chunkLines = 50;
    LiveIngest live(**w, lo);
    live.setLogSink([&](std::string_view m) {
        std::lock_guard l(saidMutex);
        said.emplace_back(m);
    });
    QVERIFY(live.start().has_value());
    QVERIFY(waitFor([&] { return live.stats().accepted + live.stats().rejected == 1000; }));
    FaultyVfs::setFull(true);
    writeLines(log, 1000, 2000, true);
    QVERIFY(waitFor([&] { return live.stats().failedBatches > 0; }));
    FaultyVfs::setFull(false);
    QVERIFY(waitFor([&] { return count(**w, "SELECT line_no FROM sources") == 3000; }));
    live.stop();
    QCOMPARE(count(**w, "SELECT COUNT(*) FROM events"), std::int64_t(3000 - 3000 / 20));
    QCOMPARE(count(**w, "SELECT COUNT(*) FROM quarantine"), std::int64_t(3000 / 20));
    std::lock_guard l(saidMutex);
    QVERIFY(std::any_of(said.begin(), said.end(), [](const std::string& m) {
        return m.find("storing failed") != std::string::npos;
    }));
}

QTEST_GUILESS_MAIN(TestStorageFailure)
#include "tst_storagefailure.moc"
