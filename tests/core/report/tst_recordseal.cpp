// SPDX-License-Identifier: Apache-2.0
// Findings, the finding summary of events, rejected lines and incidents inside the integrity
// chain: verify finds each kind of tampering at the right row, and erasure, retention and
// the writer's own incident updates keep it passing (while staying sensitive afterwards).
#include "reporttestsupport.h"

#include "base/timeutil.h"
#include "store/chain.h"
#include "store/chainverifier.h"
#include "store/database.h"
#include "store/erasure.h"
#include "store/retention.h"

#include <QFile>

#include <algorithm>

using namespace vigil;
using namespace vigil::test;

namespace {
constexpr std::int64_t kT0 = 1'795'000'000'000; // 2026-11-18
}

class TestRecordSeal : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void intactRecordsVerify();
    void detectsDeletedFinding();
    void detectsChangedFinding_data();
    void detectsChangedFinding();
    void detectsChangedSummary_data();
    void detectsChangedSummary();
    void detectsQuarantineTampering_data();
    void detectsQuarantineTampering();
    void detectsIncidentTampering_data();
    void detectsIncidentTampering();
    void erasureKeepsRecordsVerifiable();
    void findingsPurgedBeforeTheirEvents();
    void findingsOfCompactedEventsStaySealed();
    void purgeOfEverythingThenNewRows();
    void migratesSchema6Database();

private:
    QString dbPath() const { return m_dir->filePath(QStringLiteral("records.db")); }
    /// Twelve events of threads t-0..t-2; events 2, 4, 5, 8 and 11 carry findings (4 has
    /// two, with spans); a second batch adds findings to the same incidents; two rejected
    /// lines, one of which names thread t-1.
    void fill();
    Result<ChainVerification> verify();
    /// Verify must report a break whose reason contains `what`, at `position` (0: not an
    /// event's).
    void expectBroken(std::int64_t position, const char* what);

    std::unique_ptr<QTemporaryDir> m_dir;
};

void TestRecordSeal::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
    useKeyFolder(*m_dir);
}

Result<ChainVerification> TestRecordSeal::verify()
{
    auto db = Database::openReader(dbPath().toStdString());
    if (!db)
        return std::unexpected(db.error());
    return verifyChain(*db);
}

void TestRecordSeal::expectBroken(std::int64_t position, const char* what)
{
    auto v = verify();
    QVERIFY2(v.has_value(), v ? "" : v.error().message.c_str());
    QVERIFY2(!v->intact, "verify passed");
    QVERIFY2(v->reason.find(what) != std::string::npos, v->reason.c_str());
    QCOMPARE(v->position, position);
}

void TestRecordSeal::fill()
{
    auto w = StoreWriter::open(dbPath().toStdString());
    QVERIFY(w);
    auto events = simpleEvents(12, kT0);
    auto add = [&](int index, Finding f) { events[index - 1].findings.push_back(std::move(f)); };
    add(2, makeFinding("pii.email", "pii", FindingSeverity::High, "details.query", 3, 20));
    add(4, makeFinding("secret.aws_access_key", "secret", FindingSeverity::Critical,
                       "details.query", 0, 9));
    add(4, makeFinding("injection.override", "injection", FindingSeverity::Medium, "details.query",
                       10, 18));
    add(5, makeFinding("sql.mutation", "sql_mutation", FindingSeverity::High, "details.sql"));
    add(8, makeFinding("pii.email", "pii", FindingSeverity::Low, "details.query", 1, 2));
    add(11, makeFinding("injection.override", "injection", FindingSeverity::High, "details.query",
                        0, 4));
    QVERIFY(commit(**w, std::move(events)));
    // More findings for the same threads and categories: the incidents grow.
    auto more = simpleEvents(15, kT0);
    std::vector<IngestedEvent> later(more.begin() + 12, more.end());
    later[0].findings = {makeFinding("pii.email", "pii", FindingSeverity::Critical)};
    QuarantinedLine a{R"({"thread_id":"t-1","details":{"query":"broken)", 34, "input.invalid_json",
                      "not valid JSON", 13};
    QuarantinedLine b{"not json at all", 15, "input.invalid_json", "not valid JSON", 14};
    QVERIFY(commit(**w, std::move(later), {a, b}));
    (*w)->close();
}

void TestRecordSeal::intactRecordsVerify()
{
    fill();
    auto v = verify();
    QVERIFY2(v && v->intact, v ? v->reason.c_str() : v.error().message.c_str());
    QCOMPARE(v->events, 15);
    QCOMPARE(rawScalar(dbPath(), "SELECT count(*) FROM findings"), std::string("7"));
    QVERIFY(std::stoi(rawScalar(dbPath(), "SELECT count(*) FROM incidents")) >= 4);
    QCOMPARE(rawScalar(dbPath(), "SELECT count(*) FROM quarantine"), std::string("2"));
    // Every row carries its seal: findings their hash, events with findings the digest their
    // leaf covers, rejected lines and incidents a keyed seal.
    QCOMPARE(rawScalar(dbPath(), "SELECT count(*) FROM findings WHERE length(hash)=32"),
             std::string("7"));
    QCOMPARE(rawScalar(dbPath(), "SELECT count(*) FROM events WHERE length(fdigest)=32"),
             std::string("6"));
    QCOMPARE(rawScalar(dbPath(), "SELECT count(*) FROM quarantine WHERE length(seal)=32"),
             std::string("2"));
    QCOMPARE(rawScalar(dbPath(), "SELECT count(*) FROM incidents WHERE length(seal)<>32"),
             std::string("0"));
}

void TestRecordSeal::detectsDeletedFinding()
{
    fill();
    QVERIFY(rawExec(dbPath(), "DELETE FROM findings WHERE id=(SELECT max(id) FROM findings "
                              "WHERE event_rowid=4)"));
    expectBroken(4, "findings of event 4 (row 4)");
    auto v = verify();
    QVERIFY2(v->reason.find("deleted") != std::string::npos, v->reason.c_str());
}

void TestRecordSeal::detectsChangedFinding_data()
{
    QTest::addColumn<QString>("sql");
    QTest::addColumn<int>("position");
    const auto second =
        QStringLiteral(" WHERE id=(SELECT max(id) FROM findings WHERE event_rowid=4)");
    QTest::newRow("rule") << QStringLiteral("UPDATE findings SET rule='pii.phone'") + second << 4;
    QTest::newRow("category") << QStringLiteral("UPDATE findings SET category='other'") + second
                              << 4;
    QTest::newRow("severity") << QStringLiteral("UPDATE findings SET severity=0") + second << 4;
    QTest::newRow("span start") << QStringLiteral("UPDATE findings SET span_start=11") + second
                                << 4;
    QTest::newRow("span removed")
        << QStringLiteral("UPDATE findings SET span_start=NULL, span_end=NULL") + second << 4;
    QTest::newRow("layer") << QStringLiteral("UPDATE findings SET layer=7") + second << 4;
    QTest::newRow("message") << QStringLiteral("UPDATE findings SET message='fine'") + second << 4;
    QTest::newRow("aged, for retention to take it")
        << QStringLiteral("UPDATE findings SET ts=ts-400*86400000") + second << 4;
    QTest::newRow("agent") << QStringLiteral("UPDATE findings SET agent='other'") + second << 4;
    QTest::newRow("detached as rejected")
        << QStringLiteral("UPDATE findings SET category='rejected'") + second << 4;
    QTest::newRow("moved to an earlier event")
        << QStringLiteral("UPDATE findings SET event_rowid=3") + second << 3;
    QTest::newRow("moved to no event")
        << QStringLiteral("UPDATE findings SET event_rowid=999") + second << 4;
}

void TestRecordSeal::detectsChangedFinding()
{
    QFETCH(QString, sql);
    QFETCH(int, position);
    fill();
    QVERIFY(rawExec(dbPath(), sql.toStdString()));
    expectBroken(position, "finding");
}

void TestRecordSeal::detectsChangedSummary_data()
{
    QTest::addColumn<QString>("sql");
    QTest::addColumn<QString>("why");
    QTest::newRow("mask zeroed") << QStringLiteral("UPDATE events SET finding_mask=0 WHERE id=4")
                                 << QStringLiteral("finding summary");
    QTest::newRow("severity lowered")
        << QStringLiteral("UPDATE events SET finding_sev=0 WHERE id=4")
        << QStringLiteral("finding summary");
    QTest::newRow("summary zeroed")
        << QStringLiteral("UPDATE events SET finding_mask=0, finding_sev=-1 WHERE id=4")
        << QStringLiteral("finding summary");
    QTest::newRow("summary and findings gone")
        << QStringLiteral("DELETE FROM findings WHERE event_rowid=4; "
                          "UPDATE events SET finding_mask=0, finding_sev=-1 WHERE id=4")
        << QStringLiteral("event 4 (row 4)");
}

void TestRecordSeal::detectsChangedSummary()
{
    QFETCH(QString, sql);
    QFETCH(QString, why);
    fill();
    QVERIFY(rawExec(dbPath(), sql.toStdString()));
    expectBroken(4, why.toUtf8().constData());
}

void TestRecordSeal::detectsQuarantineTampering_data()
{
    QTest::addColumn<QString>("sql");
    QTest::newRow("raw edited") << QStringLiteral("UPDATE quarantine SET raw=X'7B7D' WHERE id=1");
    QTest::newRow("reason edited")
        << QStringLiteral("UPDATE quarantine SET reason='input.too_long' WHERE id=2");
    QTest::newRow("message edited")
        << QStringLiteral("UPDATE quarantine SET message='ok' WHERE id=2");
    QTest::newRow("received time edited")
        << QStringLiteral("UPDATE quarantine SET received_ms=received_ms-1 WHERE id=1");
    QTest::newRow("line number edited")
        << QStringLiteral("UPDATE quarantine SET line_no=1 WHERE id=1");
    QTest::newRow("row deleted") << QStringLiteral("DELETE FROM quarantine WHERE id=1");
    QTest::newRow("all rows deleted") << QStringLiteral("DELETE FROM quarantine");
    QTest::newRow("marked erased")
        << QStringLiteral("UPDATE quarantine SET raw=X'', message='erased' WHERE id=1");
}

void TestRecordSeal::detectsQuarantineTampering()
{
    QFETCH(QString, sql);
    fill();
    QVERIFY(rawExec(dbPath(), sql.toStdString()));
    expectBroken(0, "quarantine");
}

void TestRecordSeal::detectsIncidentTampering_data()
{
    QTest::addColumn<QString>("sql");
    const auto first = QStringLiteral(" WHERE id=(SELECT min(id) FROM incidents)");
    QTest::newRow("status") << QStringLiteral("UPDATE incidents SET status='resolved'") + first;
    QTest::newRow("false positive")
        << QStringLiteral("UPDATE incidents SET status='false_positive'") + first;
    QTest::newRow("assignee") << QStringLiteral("UPDATE incidents SET assignee='mallory'") + first;
    QTest::newRow("notes") << QStringLiteral("UPDATE incidents SET notes='benign'") + first;
    QTest::newRow("severity") << QStringLiteral("UPDATE incidents SET severity=0") + first;
    QTest::newRow("finding count") << QStringLiteral("UPDATE incidents SET findings=1") + first;
    QTest::newRow("category") << QStringLiteral("UPDATE incidents SET category='other'") + first;
    QTest::newRow("deleted") << QStringLiteral(
        "DELETE FROM incidents WHERE id=(SELECT max(id) FROM incidents)");
}

void TestRecordSeal::detectsIncidentTampering()
{
    QFETCH(QString, sql);
    fill();
    QVERIFY(rawExec(dbPath(), sql.toStdString()));
    expectBroken(0, "incident");
}

void TestRecordSeal::erasureKeepsRecordsVerifiable()
{
    fill();
    {
        auto w = StoreWriter::open(dbPath().toStdString());
        QVERIFY(w);
        auto r = eraseSubject(**w, ErasureRequest{ErasureSubject::Thread, "t-1", "dpo", kT0});
        QVERIFY2(r.has_value(), r ? "" : r.error().message.c_str());
        QCOMPARE(r->receipt.events, 5);   // rows 2, 5, 8, 11, 14
        QCOMPARE(r->receipt.findings, 4); // of rows 2, 5, 8, 11
        QCOMPARE(r->receipt.quarantined, 1);
        QVERIFY(r->receipt.incidents >= 1);
    }
    auto v = verify();
    QVERIFY2(v && v->intact, v ? v->reason.c_str() : v.error().message.c_str());
    QCOMPARE(rawScalar(dbPath(), "SELECT count(*) FROM findings WHERE event_rowid IN (2, 8, 11) "
                                 "AND span_start IS NULL"),
             std::string("3"));
    QCOMPARE(rawScalar(dbPath(), "SELECT count(*) FROM incidents WHERE thread_id='t-1'"),
             std::string("0"));
    // Still sensitive: the scrubbed findings, the wiped line and the rewritten incidents.
    QVERIFY(rawExec(dbPath(), "DELETE FROM findings WHERE event_rowid=8"));
    expectBroken(8, "findings of event 8");
}

void TestRecordSeal::findingsPurgedBeforeTheirEvents()
{
    fill();
    {
        auto w = StoreWriter::open(dbPath().toStdString());
        QVERIFY(w);
        QVERIFY((*w)->run([](Database& db) { return setRetention(db, "findings", 30); }));
        QVERIFY((*w)->run([](Database& db) { return setRetention(db, "incidents", 30); }));
        // 31 days after the first events: their findings go, the events (90 days) stay.
        auto r = purgeExpired(**w, kT0 + 31 * kMsPerDay, "ops");
        QVERIFY2(r.has_value(), r ? "" : r.error().message.c_str());
        QCOMPARE(r->events, 0);
        QCOMPARE(r->findings, 7);
        QVERIFY(r->incidents >= 4);
    }
    auto v = verify();
    QVERIFY2(v && v->intact, v ? v->reason.c_str() : v.error().message.c_str());
    QCOMPARE(rawScalar(dbPath(), "SELECT count(*) FROM findings"), std::string("0"));
    // The summary stays with the event, and so does its seal.
    QVERIFY(rawExec(dbPath(), "UPDATE events SET finding_mask=0 WHERE id=4"));
    expectBroken(4, "event 4 (row 4)");
}

void TestRecordSeal::findingsOfCompactedEventsStaySealed()
{
    fill();
    {
        auto w = StoreWriter::open(dbPath().toStdString());
        QVERIFY(w);
        // 100 days later the events (90 days) are purged and removed from the front of
        // the chain; their findings (365 days) stay.
        auto r = purgeExpired(**w, kT0 + 100 * kMsPerDay, "ops");
        QVERIFY2(r.has_value(), r ? "" : r.error().message.c_str());
        QCOMPARE(r->events, 15);
        QCOMPARE(r->compacted, 14);
        QCOMPARE(r->findings, 0);
        QVERIFY(commit(**w, simpleEvents(2, kT0 + 100 * kMsPerDay)).has_value());
    }
    auto v = verify();
    QVERIFY2(v && v->intact, v ? v->reason.c_str() : v.error().message.c_str());
    QCOMPARE(rawScalar(dbPath(), "SELECT count(*) FROM findings"), std::string("7"));
    QVERIFY(rawExec(dbPath(), "DELETE FROM findings WHERE id=(SELECT min(id) FROM findings)"));
    expectBroken(0, "findings of purged events");
    // Once their own period is over, they go too, and verify passes again.
    for (const char* suffix : {"", "-wal", "-shm"})
        QFile::remove(dbPath() + QLatin1String(suffix));
    fill();
    {
        auto w = StoreWriter::open(dbPath().toStdString());
        QVERIFY(w);
        QVERIFY(purgeExpired(**w, kT0 + 100 * kMsPerDay, "ops").has_value());
        auto r = purgeExpired(**w, kT0 + 400 * kMsPerDay, "ops");
        QVERIFY(r.has_value());
        QCOMPARE(r->findings, 7);
    }
    v = verify();
    QVERIFY2(v && v->intact, v ? v->reason.c_str() : v.error().message.c_str());
}

void TestRecordSeal::purgeOfEverythingThenNewRows()
{
    fill();
    // Past every period of the rows of fill(), whose rejected lines are received now.
    const std::int64_t later = std::max(nowEpochMs(), kT0 + kMsPerDay) + 400 * kMsPerDay;
    {
        auto w = StoreWriter::open(dbPath().toStdString());
        QVERIFY(w);
        auto r = purgeExpired(**w, later, "ops");
        QVERIFY2(r.has_value(), r ? "" : r.error().message.c_str());
        QCOMPARE(r->quarantined, 2);
        QCOMPARE(r->findings, 7);
        QVERIFY(r->incidents >= 4);
        // New events, findings, incidents and rejected lines after the purge.
        auto fresh = simpleEvents(3, later);
        for (auto& e : fresh)
            e.event.eventId += "-new";
        fresh[1].findings = {makeFinding("pii.email", "pii", FindingSeverity::High)};
        QVERIFY(commit(**w, std::move(fresh),
                       {QuarantinedLine{"{", 1, "input.invalid_json", "not valid JSON", 1}})
                    .has_value());
    }
    auto v = verify();
    QVERIFY2(v && v->intact, v ? v->reason.c_str() : v.error().message.c_str());
    QCOMPARE(rawScalar(dbPath(), "SELECT count(*) FROM quarantine"), std::string("1"));
    QCOMPARE(rawScalar(dbPath(), "SELECT count(*) FROM incidents"), std::string("1"));
    QVERIFY(rawExec(dbPath(), "DELETE FROM quarantine"));
    expectBroken(0, "quarantine");
}

void TestRecordSeal::migratesSchema6Database()
{
    fill();
    // Turn the database into what schema 6 wrote: no record seals, and every event linked
    // over its content alone.
    {
        auto db = Database::openReader(dbPath().toStdString());
        QVERIFY(db);
        auto key = loadChainKey(*db);
        QVERIFY(key);
        auto hasher = ChainHasher::create(*key);
        QVERIFY(hasher);
        ChainHash prev = hasher->genesis(**databaseUuid(*db));
        auto st = SqlStatement::prepare(*db, "SELECT id, ts, event_type, agent, thread_id, "
                                             "severity, event_id, user_id, trace_id, span_id, "
                                             "details FROM events ORDER BY id");
        QVERIFY(st);
        std::string sql;
        while (*st->step()) {
            prev = hasher->link(
                prev, hasher->leaf(CanonicalFields{
                          st->columnInt(1), st->columnTextView(2), st->columnTextView(3),
                          st->columnTextView(4), static_cast<int>(st->columnInt(5)),
                          st->columnTextView(6), st->columnTextView(7), st->columnTextView(8),
                          st->columnTextView(9), st->columnTextView(10)}));
            sql += "UPDATE events SET chain=X'" + toHex(prev) +
                   "' WHERE id=" + std::to_string(st->columnInt(0)) + ";";
        }
        QVERIFY(rawExec(dbPath(), sql));
    }
    QVERIFY(rawExec(dbPath(),
                    "ALTER TABLE events DROP COLUMN fdigest; ALTER TABLE events DROP COLUMN fseal; "
                    "ALTER TABLE events DROP COLUMN freceipt; "
                    "ALTER TABLE findings DROP COLUMN hash; "
                    "ALTER TABLE quarantine DROP COLUMN erased; "
                    "ALTER TABLE quarantine DROP COLUMN seal; "
                    "ALTER TABLE incidents DROP COLUMN hlink; "
                    "ALTER TABLE incidents DROP COLUMN seal; "
                    "ALTER TABLE incident_history DROP COLUMN link; "
                    "DROP TABLE saved_queries; " // schema 8
                    "DROP TABLE suppression_history; DROP TABLE suppressions; " // schema 9
                    "DELETE FROM meta WHERE key LIKE 'chain.set.%' OR key='chain.summary_from'; "
                    // A review as schema 6 stored it.
                    "INSERT INTO incident_history(incident_id, ts_ms, actor, field, old_value, "
                    "new_value) SELECT min(id), 5, 'alice', 'status', 'open', 'investigating' "
                    "FROM incidents; "
                    "UPDATE incidents SET status='investigating' "
                    "WHERE id=(SELECT min(id) FROM incidents); "
                    "PRAGMA user_version=6;"));
    {
        auto w = StoreWriter::open(dbPath().toStdString()); // migrates and seals once
        QVERIFY2(w.has_value(), w ? "" : w.error().message.c_str());
        auto more = simpleEvents(17, kT0);
        std::vector<IngestedEvent> newer(more.begin() + 15, more.end());
        newer[0].findings = {makeFinding("pii.email", "pii", FindingSeverity::High)};
        QVERIFY(commit(**w, std::move(newer)).has_value());
    }
    QCOMPARE(rawScalar(dbPath(), "PRAGMA user_version"), std::to_string(kSchemaVersion));
    auto v = verify();
    QVERIFY2(v && v->intact, v ? v->reason.c_str() : v.error().message.c_str());
    QCOMPARE(v->events, 17);
    // The events sealed before the migration now have their findings sealed as well.
    QVERIFY(rawExec(dbPath(), "DELETE FROM findings WHERE id=(SELECT max(id) FROM findings "
                              "WHERE event_rowid=4)"));
    expectBroken(4, "findings of event 4 (row 4)");
    QVERIFY(rawExec(dbPath(), "UPDATE events SET finding_mask=0 WHERE id=2"));
    expectBroken(2, "finding summary");
}

QTEST_GUILESS_MAIN(TestRecordSeal)
#include "tst_recordseal.moc"
