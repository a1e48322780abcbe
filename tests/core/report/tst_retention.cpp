// SPDX-License-Identifier: Apache-2.0
// Retention: the default table, overrides, the exact day boundary, findings/incidents/
// quarantine, and the chain staying verifiable across purges (tombstones, checkpoint).
#include "reporttestsupport.h"

#include "store/chainverifier.h"
#include "store/incidentreview.h"
#include "store/receipt.h"
#include "store/retention.h"

using namespace vigil;
using namespace vigil::test;

namespace {
constexpr std::int64_t kNow = 1'800'000'000'000; // 2027-01-15T08:00:00Z
}

class TestRetention : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void defaultsFollowTheGuide();
    void boundaryIsExact_data();
    void boundaryIsExact();
    void overridesApply();
    void refusesBadOverrides();
    void findingsIncidentsAndQuarantine();
    void chainVerifiesAfterPurges();
    void nothingExpiredLeavesNoReceipt();
    void receiptRecordsTheRun();

private:
    std::string path() const { return m_dir->filePath(QStringLiteral("ret.db")).toStdString(); }
    Result<ChainVerification> verify();

    std::unique_ptr<QTemporaryDir> m_dir;
};

void TestRetention::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
    useKeyFolder(*m_dir);
}

Result<ChainVerification> TestRetention::verify()
{
    auto db = Database::openReader(path());
    if (!db)
        return std::unexpected(db.error());
    return verifyChain(*db);
}

void TestRetention::defaultsFollowTheGuide()
{
    const RetentionPolicy& p = defaultRetention();
    for (const char* t : {"user_query_received", "brain_plan_created", "worker_invoked",
                          "worker_result", "error_occurred", "custom.thing"})
        QCOMPARE(p.daysFor(t), 90);
    for (const char* t : {"sql_executed", "human_escalation", "security_event", "tool_call"})
        QCOMPARE(p.daysFor(t), 365);
    QCOMPARE(p.scopeDays("findings"), 365);
    QCOMPARE(p.scopeDays("incidents"), 365);
    QCOMPARE(p.scopeDays("quarantine"), 90);
    // "findings" as an event type name would not pick the findings period.
    QCOMPARE(p.daysFor("findings"), 90);
}

void TestRetention::boundaryIsExact_data()
{
    QTest::addColumn<QString>("type");
    QTest::addColumn<qint64>("ageMs");
    QTest::addColumn<bool>("removed");
    const qint64 day = kMsPerDay;
    QTest::newRow("90-day type, 89 days")
        << QStringLiteral("user_query_received") << 89 * day << false;
    QTest::newRow("90-day type, 90 days")
        << QStringLiteral("user_query_received") << 90 * day << false;
    QTest::newRow("90-day type, 90 days + 1 ms")
        << QStringLiteral("user_query_received") << 90 * day + 1 << true;
    QTest::newRow("90-day type, 91 days")
        << QStringLiteral("user_query_received") << 91 * day << true;
    QTest::newRow("365-day type, 91 days") << QStringLiteral("sql_executed") << 91 * day << false;
    QTest::newRow("365-day type, 365 days")
        << QStringLiteral("security_event") << 365 * day << false;
    QTest::newRow("365-day type, 366 days") << QStringLiteral("tool_call") << 366 * day << true;
    QTest::newRow("custom type, 91 days") << QStringLiteral("my.custom") << 91 * day << true;
}

void TestRetention::boundaryIsExact()
{
    QFETCH(QString, type);
    QFETCH(qint64, ageMs);
    QFETCH(bool, removed);
    auto w = StoreWriter::open(path());
    QVERIFY(w);
    EventSpec s;
    s.type = type.toStdString();
    s.ms = kNow - ageMs;
    s.details = R"({"secret":"content-to-go"})";
    EventSpec fresh;
    fresh.ms = kNow;
    QVERIFY(commit(**w, {makeEvent(s), makeEvent(fresh)}));
    auto r = purgeExpired(**w, kNow, "tester");
    QVERIFY2(r.has_value(), r ? "" : r.error().message.c_str());
    (*w)->close();
    QCOMPARE(r->events, removed ? 1 : 0);
    QCOMPARE(rawScalar(QString::fromStdString(path()),
                       "SELECT count(*) FROM events WHERE details LIKE '%content-to-go%'"),
             std::string(removed ? "0" : "1"));
    if (removed)
        QCOMPARE(r->eventsByType.at(type.toStdString()), 1);
    auto v = verify();
    QVERIFY(v && v->intact);
}

void TestRetention::overridesApply()
{
    auto w = StoreWriter::open(path());
    QVERIFY(w);
    QVERIFY((*w)->run([](Database& db) { return setRetention(db, "user_query_received", 30); }));
    QVERIFY((*w)->run([](Database& db) { return setRetention(db, "*", 400); }));
    EventSpec a; // 31 days old, own period 30: goes
    a.ms = kNow - 31 * kMsPerDay;
    EventSpec b; // 200 days old worker_result, default now 400: stays
    b.type = "worker_result";
    b.ms = kNow - 200 * kMsPerDay;
    QVERIFY(commit(**w, {makeEvent(a), makeEvent(b)}));
    auto r = purgeExpired(**w, kNow);
    QVERIFY(r);
    QCOMPARE(r->events, 1);
    QCOMPARE(r->eventsByType.count("user_query_received"), 1u);
    QCOMPARE(r->policy.daysFor("worker_result"), 400);
    // Reset falls back to the default.
    QVERIFY((*w)->run([](Database& db) { return resetRetention(db, "*"); }));
    r = purgeExpired(**w, kNow);
    QVERIFY(r);
    QCOMPARE(r->events, 1);
    QCOMPARE(r->eventsByType.count("worker_result"), 1u);
    (*w)->close();
}

void TestRetention::refusesBadOverrides()
{
    auto w = StoreWriter::open(path());
    QVERIFY(w);
    QVERIFY(!(*w)->run([](Database& db) { return setRetention(db, "Bad Type", 10); }));
    QVERIFY(!(*w)->run([](Database& db) { return setRetention(db, "x", 0); }));
    QVERIFY(!(*w)->run([](Database& db) { return setRetention(db, "x", 40000); }));
    QVERIFY((*w)->run([](Database& db) { return setRetention(db, "findings", 500); }));
    (*w)->close();
}

void TestRetention::findingsIncidentsAndQuarantine()
{
    auto w = StoreWriter::open(path());
    QVERIFY(w);
    EventSpec old; // a 365-day event with a finding 366 days old
    old.type = "security_event";
    old.ms = kNow - 366 * kMsPerDay;
    old.findings = {makeFinding("injection.override", "injection", FindingSeverity::High)};
    EventSpec recent;
    recent.type = "security_event";
    recent.thread = "t-2";
    recent.ms = kNow - 364 * kMsPerDay;
    recent.findings = {makeFinding("pii.email", "pii", FindingSeverity::High)};
    QVERIFY(commit(**w, {makeEvent(old), makeEvent(recent)}));
    (*w)->flush();
    const QString p = QString::fromStdString(path());
    // A quarantined line received 91 days ago, one received today. Both go through the
    // writer and the review path, which seal them: rows inserted behind their back count as
    // tampering since schema 7.
    QVERIFY(commit(**w, {}, {QuarantinedLine{"A", 1, "input.invalid_json", "m", 0}},
                   kNow - 91 * kMsPerDay));
    QVERIFY(commit(**w, {}, {QuarantinedLine{"B", 1, "input.invalid_json", "m", 0}}, kNow));
    QVERIFY((*w)->run([](Database& db) -> Result<void> {
        auto st = SqlStatement::prepare(db, "SELECT id FROM incidents");
        if (!st)
            return std::unexpected(st.error());
        std::vector<std::int64_t> ids;
        while (*st->step())
            ids.push_back(st->columnInt(0));
        IncidentReviewChange resolved;
        resolved.status = "resolved";
        return updateIncidentReview(db, ids, resolved, "a", 1);
    }));
    auto r = purgeExpired(**w, kNow);
    QVERIFY(r);
    (*w)->close();
    QCOMPARE(r->events, 1);
    QCOMPARE(r->findings, 1);
    QCOMPARE(r->incidents, 1);
    QCOMPARE(r->quarantined, 1);
    QCOMPARE(rawScalar(p, "SELECT count(*) FROM findings"), std::string("1"));
    QCOMPARE(rawScalar(p, "SELECT rule FROM findings"), std::string("pii.email"));
    QCOMPARE(rawScalar(p, "SELECT count(*) FROM incidents"), std::string("1"));
    QCOMPARE(rawScalar(p, "SELECT count(*) FROM incident_history"), std::string("1"));
    QCOMPARE(rawScalar(p, "SELECT hex(raw) FROM quarantine"), std::string("42"));
    QVERIFY(verify()->intact);
}

void TestRetention::chainVerifiesAfterPurges()
{
    auto w = StoreWriter::open(path());
    QVERIFY(w);
    // Interleaved: 90-day queries and 365-day SQL events, all 100 days old, then recent ones.
    std::vector<IngestedEvent> batch;
    for (int i = 0; i < 10; ++i) {
        EventSpec s;
        s.type = i % 3 == 2 ? "sql_executed" : "user_query_received";
        s.ms = kNow - 100 * kMsPerDay + i;
        s.eventId = "old-" + std::to_string(i);
        batch.push_back(makeEvent(s));
    }
    for (int i = 0; i < 3; ++i) {
        EventSpec s;
        s.ms = kNow - kMsPerDay + i;
        s.eventId = "new-" + std::to_string(i);
        batch.push_back(makeEvent(s));
    }
    QVERIFY(commit(**w, std::move(batch)));
    auto r = purgeExpired(**w, kNow);
    QVERIFY(r);
    QCOMPARE(r->events, 7);
    QCOMPARE(r->compacted, 2); // rows 1 and 2; row 3 is a live sql_executed event
    (*w)->flush();
    auto v = verify();
    QVERIFY2(v && v->intact, v ? v->reason.c_str() : v.error().message.c_str());
    QCOMPARE(v->events, 11);
    QCOMPARE(v->checkpointPosition, 2);
    QCOMPARE(v->tombstones, 5);
    QCOMPARE(v->head.events, 13);

    // A year later everything old is gone; the chain keeps its positions and verifies.
    r = purgeExpired(**w, kNow + 300 * kMsPerDay);
    QVERIFY(r);
    QCOMPARE(r->events, 6);
    QCOMPARE(r->compacted, 10); // rows 3 to 12: all but the newest event
    EventSpec later;
    later.ms = kNow + 300 * kMsPerDay;
    later.eventId = "later";
    QVERIFY(commit(**w, {makeEvent(later)}));
    (*w)->close();
    v = verify();
    QVERIFY2(v && v->intact, v ? v->reason.c_str() : "");
    QCOMPARE(v->events, 2);
    QCOMPARE(v->checkpointPosition, 12);
    QCOMPARE(v->head.events, 14);

    // Deleting the newest-but-one tombstone now is caught, at its chain position.
    const QString p = QString::fromStdString(path());
    QVERIFY(rawExec(p, "DELETE FROM events WHERE id=(SELECT min(id) FROM events)"));
    v = verify();
    QVERIFY(v && !v->intact);
    QCOMPARE(v->position, 13);
    // So is a forged checkpoint.
    QVERIFY(
        rawExec(p, "UPDATE meta SET value='13' || substr(value, 3) WHERE key='chain.checkpoint'"));
    v = verify();
    QVERIFY(v && !v->intact);
    QVERIFY2(v->reason.find("checkpoint") != std::string::npos, v->reason.c_str());
}

void TestRetention::nothingExpiredLeavesNoReceipt()
{
    auto w = StoreWriter::open(path());
    QVERIFY(w);
    QVERIFY(commit(**w, simpleEvents(3, kNow - kMsPerDay)));
    auto r = purgeExpired(**w, kNow);
    (*w)->close();
    QVERIFY(r);
    QCOMPARE(r->events, 0);
    QCOMPARE(r->receiptId, 0);
    QCOMPARE(rawScalar(QString::fromStdString(path()), "SELECT count(*) FROM receipts"),
             std::string("0"));
}

void TestRetention::receiptRecordsTheRun()
{
    auto w = StoreWriter::open(path());
    QVERIFY(w);
    QVERIFY(commit(**w, simpleEvents(4, kNow - 100 * kMsPerDay)));
    auto r = purgeExpired(**w, kNow, "ops");
    (*w)->close();
    QVERIFY(r);
    QVERIFY(r->receiptId > 0);
    auto db = Database::openReader(path());
    auto receipts = readReceipts(*db);
    QVERIFY(receipts);
    QCOMPARE(receipts->size(), 1u);
    const Receipt& rc = receipts->front();
    QCOMPARE(rc.kind, std::string("purge"));
    QCOMPARE(rc.actor, std::string("ops"));
    QCOMPARE(rc.events, 4);
    QVERIFY(rc.detail.find("\"user_query_received\":4") != std::string::npos);
    QVERIFY(rc.detail.find("question number") == std::string::npos);
    QCOMPARE(
        rawScalar(QString::fromStdString(path()), "SELECT action || ' ' || actor FROM audit_trail"),
        std::string("purge ops"));
    QVERIFY(verify()->intact);
}

QTEST_GUILESS_MAIN(TestRetention)
#include "tst_retention.moc"
