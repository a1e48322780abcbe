// SPDX-License-Identifier: Apache-2.0
// Incident reviews through the store (the path the desktop app takes): history rows in
// order, the keyed history chain and the incident seal keep verify passing; editing or
// deleting the history, or rewriting the state behind the review path, is reported.
#include "reporttestsupport.h"

#include "store/chainverifier.h"
#include "store/incidentreview.h"

using namespace vigil;
using namespace vigil::test;

class TestIncidentReview : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void reviewKeepsVerifyPassing();
    void refusesUnknownStatus();
    void detectsHistoryTampering_data();
    void detectsHistoryTampering();
    void tamperedIncidentStaysBroken();
    void laterFindingsKeepTheReviewSealed();

private:
    QString dbPath() const { return m_dir->filePath(QStringLiteral("review.db")); }
    /// Two incidents (threads t-0 and t-1), then reviews: five history rows, four of the
    /// first incident.
    void fillAndReview();
    Result<void> review(const std::vector<std::int64_t>& ids, IncidentReviewChange change,
                        const std::string& actor, std::int64_t atMs);
    Result<ChainVerification> verify();

    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<StoreWriter> m_writer;
};

void TestIncidentReview::init()
{
    m_writer.reset();
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
    useKeyFolder(*m_dir);
}

Result<void> TestIncidentReview::review(const std::vector<std::int64_t>& ids,
                                        IncidentReviewChange change, const std::string& actor,
                                        std::int64_t atMs)
{
    return m_writer->run(
        [&](Database& db) { return updateIncidentReview(db, ids, change, actor, atMs); });
}

Result<ChainVerification> TestIncidentReview::verify()
{
    auto db = Database::openReader(dbPath().toStdString());
    if (!db)
        return std::unexpected(db.error());
    return verifyChain(*db);
}

void TestIncidentReview::fillAndReview()
{
    auto w = StoreWriter::open(dbPath().toStdString());
    QVERIFY(w);
    m_writer = std::move(*w);
    auto events = simpleEvents(4);
    events[0].findings = {makeFinding("pii.email", "pii", FindingSeverity::High)};
    events[1].findings = {
        makeFinding("secret.aws_access_key", "secret", FindingSeverity::Critical)};
    QVERIFY(commit(*m_writer, std::move(events)));
    QCOMPARE(rawScalar(dbPath(), "SELECT count(*) FROM incidents"), std::string("2"));
    IncidentReviewChange a;
    a.status = "investigating";
    a.assignee = "alice";
    QVERIFY(review({1}, a, "alice", 1000));
    IncidentReviewChange b;
    b.notes = "looks like a real leak";
    QVERIFY(review({1}, b, "alice", 2000));
    IncidentReviewChange c;
    c.status = "resolved";
    QVERIFY(review({1, 2, 99}, c, "bob", 3000)); // 99 does not exist
    IncidentReviewChange same;
    same.assignee = "alice"; // unchanged: no history row
    QVERIFY(review({1}, same, "bob", 3500));
}

void TestIncidentReview::reviewKeepsVerifyPassing()
{
    fillAndReview();
    m_writer->close();
    auto v = verify();
    QVERIFY2(v && v->intact, v ? v->reason.c_str() : v.error().message.c_str());
    QCOMPARE(v->incidents, 2);
    QCOMPARE(v->history, 5);
    QCOMPARE(rawScalar(dbPath(), "SELECT group_concat(field || ':' || old_value || '>' || "
                                 "new_value || ':' || actor, ' | ') FROM "
                                 "(SELECT * FROM incident_history ORDER BY id)"),
             std::string("status:open>investigating:alice | assignee:>alice:alice | "
                         "notes:>looks like a real leak:alice | "
                         "status:investigating>resolved:bob | status:open>resolved:bob"));
    QCOMPARE(rawScalar(dbPath(), "SELECT status || ',' || assignee || ',' || notes FROM "
                                 "incidents WHERE id=1"),
             std::string("resolved,alice,looks like a real leak"));
}

void TestIncidentReview::refusesUnknownStatus()
{
    fillAndReview();
    IncidentReviewChange bad;
    bad.status = "closed";
    auto r = review({1}, bad, "mallory", 4000);
    QVERIFY(!r);
    QCOMPARE(r.error().code, std::string("incident.status"));
    m_writer->close();
    QCOMPARE(rawScalar(dbPath(), "SELECT status FROM incidents WHERE id=1"),
             std::string("resolved"));
    QVERIFY(verify()->intact);
}

void TestIncidentReview::detectsHistoryTampering_data()
{
    QTest::addColumn<QString>("sql");
    QTest::addColumn<QString>("why");
    QTest::newRow("new value edited")
        << QStringLiteral("UPDATE incident_history SET new_value='false_positive' WHERE id=4")
        << QStringLiteral("history entry 4 of incident 1");
    QTest::newRow("actor edited") << QStringLiteral(
                                         "UPDATE incident_history SET actor='carol' WHERE id=1")
                                  << QStringLiteral("history entry 1 of incident 1");
    QTest::newRow("time edited") << QStringLiteral("UPDATE incident_history SET ts_ms=1 WHERE id=2")
                                 << QStringLiteral("history entry 2 of incident 1");
    QTest::newRow("first entry deleted")
        << QStringLiteral("DELETE FROM incident_history WHERE id=1")
        << QStringLiteral("history entry 2 of incident 1");
    QTest::newRow("middle entry deleted")
        << QStringLiteral("DELETE FROM incident_history WHERE id=3")
        << QStringLiteral("history entry 4 of incident 1");
    QTest::newRow("last entry deleted") << QStringLiteral("DELETE FROM incident_history WHERE id=4")
                                        << QStringLiteral("incident 1: its review history");
    QTest::newRow("all history deleted")
        << QStringLiteral("DELETE FROM incident_history WHERE incident_id=1")
        << QStringLiteral("incident 1: its review history");
    QTest::newRow("state and history rolled back")
        << QStringLiteral("DELETE FROM incident_history WHERE id=5; "
                          "UPDATE incidents SET status='open' WHERE id=2")
        << QStringLiteral("incident 2");
    QTest::newRow("state rewritten")
        << QStringLiteral("UPDATE incidents SET status='false_positive', assignee='' WHERE id=1")
        << QStringLiteral("incident 1 was changed");
    QTest::newRow("incident and history deleted")
        << QStringLiteral("DELETE FROM incident_history WHERE incident_id=2; "
                          "DELETE FROM incidents WHERE id=2")
        << QStringLiteral("incidents: 1 incidents deleted");
}

void TestIncidentReview::detectsHistoryTampering()
{
    QFETCH(QString, sql);
    QFETCH(QString, why);
    fillAndReview();
    m_writer->close();
    QVERIFY(verify()->intact);
    QVERIFY(rawExec(dbPath(), sql.toStdString()));
    auto v = verify();
    QVERIFY(v);
    QVERIFY(!v->intact);
    QCOMPARE(v->position, 0);
    QVERIFY2(v->reason.find(why.toStdString()) != std::string::npos, v->reason.c_str());
}

void TestIncidentReview::tamperedIncidentStaysBroken()
{
    fillAndReview();
    QVERIFY(rawExec(dbPath(), "UPDATE incidents SET notes='nothing to see' WHERE id=2"));
    // A later review through the store must not seal over the edit.
    IncidentReviewChange c;
    c.assignee = "dave";
    QVERIFY(review({2}, c, "dave", 5000));
    m_writer->close();
    auto v = verify();
    QVERIFY(v && !v->intact);
    QVERIFY2(v->reason.find("incident 2 was changed") != std::string::npos, v->reason.c_str());
}

void TestIncidentReview::laterFindingsKeepTheReviewSealed()
{
    fillAndReview();
    // The writer updates the counts of a reopened incident that a new finding joins (and
    // reseals it); a finding of the resolved incident's rule opens a new one.
    IncidentReviewChange reopen;
    reopen.status = "open";
    QVERIFY(review({2}, reopen, "bob", 6000));
    auto more = simpleEvents(6);
    std::vector<IngestedEvent> later(more.begin() + 4, more.end());
    later[0].findings = {makeFinding("secret.aws_access_key", "secret", FindingSeverity::Critical)};
    later[1].findings = {makeFinding("pii.email", "pii", FindingSeverity::High)};
    QVERIFY(commit(*m_writer, std::move(later)));
    m_writer->close();
    auto v = verify();
    QVERIFY2(v && v->intact, v ? v->reason.c_str() : v.error().message.c_str());
    QCOMPARE(rawScalar(dbPath(), "SELECT findings FROM incidents WHERE id=2"), std::string("2"));
    QVERIFY(rawExec(dbPath(), "UPDATE incidents SET findings=1 WHERE id=2"));
    QVERIFY(!verify()->intact);
}

QTEST_GUILESS_MAIN(TestIncidentReview)
#include "tst_incidentreview.moc"
