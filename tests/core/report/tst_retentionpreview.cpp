// SPDX-License-Identifier: Apache-2.0
// What the desktop app asks before retention removes anything: the preview counts exactly
// what a purge at the same time removes and changes nothing; automatic retention is off for
// a database until it is turned on; the first purge is known.
#include "reporttestsupport.h"

#include "store/chainverifier.h"
#include "store/retention.h"

using namespace vigil;
using namespace vigil::test;

namespace {
constexpr std::int64_t kNow = 1'800'000'000'000; // 2027-01-15T08:00:00Z
}

class TestRetentionPreview : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init()
    {
        m_dir = std::make_unique<QTemporaryDir>();
        QVERIFY(m_dir->isValid());
        useKeyFolder(*m_dir);
    }
    void previewCountsExactlyAndRemovesNothing();
    void automaticRetentionIsOffUntilTurnedOn();

private:
    std::string path() const { return m_dir->filePath(QStringLiteral("p.db")).toStdString(); }
    std::unique_ptr<QTemporaryDir> m_dir;
};

void TestRetentionPreview::previewCountsExactlyAndRemovesNothing()
{
    auto w = StoreWriter::open(path());
    QVERIFY(w);
    std::vector<IngestedEvent> events;
    for (int i = 0; i < 6; ++i) {
        EventSpec s;
        s.type = i % 2 ? "user_query_received" : "tool_call";
        s.thread = "t-" + std::to_string(i);
        s.ms = kNow - (i < 4 ? 400 : 10) * kMsPerDay; // four a year old, two recent
        if (i == 1)
            s.findings = {makeFinding("pii.email", "pii", FindingSeverity::High)};
        events.push_back(makeEvent(s));
    }
    QVERIFY(commit(**w, std::move(events)));
    const QString p = QString::fromStdString(path());
    auto last = (*w)->runResult<std::optional<std::int64_t>>([](Database& db) { return lastPurgeMs(db); });
    QVERIFY(last && !*last);

    auto preview = previewPurge(**w, kNow);
    QVERIFY2(preview, preview ? "" : preview.error().message.c_str());
    QCOMPARE(preview->events, 4);
    QCOMPARE(preview->eventsByType.at("tool_call"), 2);
    QCOMPARE(preview->eventsByType.at("user_query_received"), 2);
    QCOMPARE(preview->findings, 1);
    QCOMPARE(preview->receiptId, 0);
    // Nothing changed: no tombstone, no receipt, the finding is there, the chain verifies.
    QCOMPARE(rawScalar(p, "SELECT count(*) FROM events WHERE erased=0"), std::string("6"));
    QCOMPARE(rawScalar(p, "SELECT count(*) FROM receipts"), std::string("0"));
    QCOMPARE(rawScalar(p, "SELECT count(*) FROM findings"), std::string("1"));

    auto purged = purgeExpired(**w, kNow, "tester");
    QVERIFY(purged);
    QCOMPARE(purged->events, preview->events);
    QCOMPARE(purged->findings, preview->findings);
    QCOMPARE(purged->incidents, preview->incidents);
    QCOMPARE(purged->eventsByType, preview->eventsByType);
    last = (*w)->runResult<std::optional<std::int64_t>>([](Database& db) { return lastPurgeMs(db); });
    QVERIFY(last && *last);
    (*w)->close();
    auto db = Database::openReader(path());
    QVERIFY(db);
    auto v = verifyChain(*db);
    QVERIFY(v && v->intact);
}

void TestRetentionPreview::automaticRetentionIsOffUntilTurnedOn()
{
    auto w = StoreWriter::open(path());
    QVERIFY(w);
    auto on = (*w)->runResult<bool>([](Database& db) { return autoRetentionEnabled(db); });
    QVERIFY(on && !*on);
    QVERIFY((*w)->run([](Database& db) { return setAutoRetention(db, true); }));
    on = (*w)->runResult<bool>([](Database& db) { return autoRetentionEnabled(db); });
    QVERIFY(on && *on);
    QVERIFY((*w)->run([](Database& db) { return setAutoRetention(db, false); }));
    on = (*w)->runResult<bool>([](Database& db) { return autoRetentionEnabled(db); });
    QVERIFY(on && !*on);
    (*w)->close();
}

QTEST_GUILESS_MAIN(TestRetentionPreview)
#include "tst_retentionpreview.moc"
