// SPDX-License-Identifier: Apache-2.0
// GDPR erasure: tombstones keep the chain verifiable, the receipt holds none of the erased
// content, findings/incidents/quarantine lose what identified the subject.
#include "reporttestsupport.h"

#include "store/chainverifier.h"
#include "store/erasure.h"
#include "store/receipt.h"
#include "store/retention.h"

#include <QFile>

using namespace vigil;
using namespace vigil::test;

class TestErasure : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void eraseThreadThenVerify();
    void eraseUser();
    void receiptHoldsNoErasedContent();
    void eraseIsIdempotent();
    void tamperedEventStaysBroken();
    void eraseThenPurgeThenVerify();
    void refusesEmptySelector();

private:
    QString path() const { return m_dir->filePath(QStringLiteral("erase.db")); }
    void fillMixed();
    Result<ChainVerification> verify();
    /// Rows (any table, any text column) that still contain `needle`.
    int occurrences(const std::string& needle);

    std::unique_ptr<QTemporaryDir> m_dir;
};

void TestErasure::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
    useKeyFolder(*m_dir);
}

Result<ChainVerification> TestErasure::verify()
{
    auto db = Database::openReader(path().toStdString());
    if (!db)
        return std::unexpected(db.error());
    return verifyChain(*db);
}

void TestErasure::fillMixed()
{
    auto w = StoreWriter::open(path().toStdString());
    QVERIFY(w);
    std::vector<IngestedEvent> events;
    for (int i = 0; i < 12; ++i) {
        EventSpec s;
        const bool alice = i % 3 == 0;
        s.thread = alice ? "thread-alice" : "thread-bob-" + std::to_string(i % 2);
        s.user = alice ? "alice@example.com" : "u-bob";
        s.eventId = "ev-" + std::to_string(i);
        s.ms = 1'795'000'000'000 + i * 1000;
        s.details = alice ? R"({"query":"my card is 4111 1111 1111 1111, mail alice@example.com"})"
                          : R"({"query":"viewers by region"})";
        if (alice)
            s.findings = {
                makeFinding("pii.email", "pii", FindingSeverity::High, "details.query", 40, 57)};
        events.push_back(makeEvent(s));
    }
    QVERIFY(commit(**w, std::move(events)));
    // A rejected line that names alice's thread, and one that does not.
    QuarantinedLine q1;
    q1.raw = R"({"thread_id":"thread-alice","details":{"query":"alice@example.com"})";
    q1.rawBytes = static_cast<std::int64_t>(q1.raw.size());
    q1.reason = "input.invalid_json";
    q1.message = "bad";
    QuarantinedLine q2 = q1;
    q2.raw = R"({"thread_id":"other")";
    QVERIFY(commit(**w, {}, {q1, q2}));
    (*w)->close();
}

int TestErasure::occurrences(const std::string& needle)
{
    int n = 0;
    const QString p = path();
    for (const char* sql :
         {"SELECT count(*) FROM events WHERE instr(thread_id || ifnull(user_id,'') || details, ?)",
          "SELECT count(*) FROM incidents WHERE instr(group_key || title || thread_id, ?)",
          "SELECT count(*) FROM quarantine WHERE instr(raw, ?)",
          "SELECT count(*) FROM receipts WHERE instr(actor || selector || selector_hash || detail, "
          "?)",
          "SELECT count(*) FROM audit_trail WHERE instr(target || detail, ?)",
          "SELECT count(*) FROM threads WHERE instr(thread_id, ?)"}) {
        std::string q = sql;
        const auto at = q.find('?');
        q.replace(at, 1, "'" + needle + "'");
        n += std::stoi(rawScalar(p, q));
    }
    return n;
}

void TestErasure::eraseThreadThenVerify()
{
    fillMixed();
    ErasureRequest req{ErasureSubject::Thread, "thread-alice", "dpo", 1'796'000'000'000};
    auto r = [&] {
        auto w = StoreWriter::open(path().toStdString());
        return eraseSubject(**w, req); // the writer's connection closes here (WAL checkpoint)
    }();
    QVERIFY2(r.has_value(), r ? "" : r.error().message.c_str());
    QCOMPARE(r->receipt.events, 4);
    QCOMPARE(r->receipt.findings, 4);
    QCOMPARE(r->receipt.incidents, 1);
    QCOMPARE(r->receipt.quarantined, 1);
    QCOMPARE(r->unsealed, 0);
    auto v = verify();
    QVERIFY2(v && v->intact, v ? v->reason.c_str() : v.error().message.c_str());
    QCOMPARE(v->events, 12);
    QCOMPARE(v->tombstones, 4);
    QCOMPARE(occurrences("thread-alice"), 0);
    QCOMPARE(occurrences("alice@example.com"), 0);
    QCOMPARE(occurrences("4111"), 0);
    // Not even in free space of the file.
    QFile file(path());
    QVERIFY(file.open(QIODevice::ReadOnly));
    const QByteArray bytes = file.readAll();
    QVERIFY(!bytes.contains("4111 1111"));
    QVERIFY(!bytes.contains("thread-alice"));
    // Other subjects are untouched; counts of findings stay, their spans are gone.
    QCOMPARE(rawScalar(path(), "SELECT count(*) FROM events WHERE thread_id LIKE 'thread-bob%'"),
             std::string("8"));
    QCOMPARE(rawScalar(path(), "SELECT count(*) FROM findings"), std::string("4"));
    QCOMPARE(rawScalar(path(), "SELECT count(*) FROM findings WHERE span_start IS NOT NULL"),
             std::string("0"));
    QCOMPARE(rawScalar(path(), "SELECT findings FROM incidents"), std::string("4"));
    // Timestamp, type and event id stay for retention and duplicate detection.
    QCOMPARE(rawScalar(path(),
                       "SELECT count(*) FROM events WHERE erased<>0 AND event_id IS NOT NULL "
                       "AND event_type='user_query_received' AND ts>0"),
             std::string("4"));
}

void TestErasure::eraseUser()
{
    fillMixed();
    auto w = StoreWriter::open(path().toStdString());
    QVERIFY(w);
    auto r = eraseSubject(**w, ErasureRequest{ErasureSubject::User, "u-bob", "dpo", 0});
    QVERIFY(r);
    QCOMPARE(r->receipt.events, 8);
    QCOMPARE(r->receipt.selector, std::string("user"));
    // A resend of an erased event is a duplicate: the content does not come back.
    EventSpec again;
    again.eventId = "ev-1";
    again.user = "u-bob";
    again.details = R"({"query":"viewers by region"})";
    auto c = commit(**w, {makeEvent(again)});
    QVERIFY(c);
    QCOMPARE(c->duplicates, 1);
    (*w)->close();
    QCOMPARE(occurrences("u-bob"), 0);
    QCOMPARE(occurrences("viewers by region"), 0);
    // Bob's threads had no other events: their numbers went with them; alice's stays.
    QCOMPARE(occurrences("thread-bob"), 0);
    QCOMPARE(rawScalar(path(), "SELECT count(*) FROM threads WHERE thread_id='thread-alice'"),
             std::string("1"));
    QVERIFY(verify()->intact);
}

void TestErasure::receiptHoldsNoErasedContent()
{
    fillMixed();
    auto w = StoreWriter::open(path().toStdString());
    auto r =
        eraseSubject(**w, ErasureRequest{ErasureSubject::User, "alice@example.com", "dpo", 42});
    (*w)->close();
    QVERIFY(r);
    const Receipt& rc = r->receipt;
    QCOMPARE(rc.kind, std::string("erase"));
    QCOMPARE(rc.actor, std::string("dpo"));
    QCOMPARE(rc.timestampMs, 42);
    QCOMPARE(rc.events, 4);
    QCOMPARE(rc.selectorHash.size(), 64u);
    for (const std::string* s :
         {&rc.kind, &rc.actor, &rc.selector, &rc.selectorHash, &rc.detail, &rc.tag})
        for (const char* content : {"alice", "example.com", "4111", "thread-alice", "card"})
            QVERIFY2(s->find(content) == std::string::npos, s->c_str());
    // The stored receipt matches and verifies; the hash is stable for the same subject.
    auto db = Database::openReader(path().toStdString());
    auto stored = readReceipt(*db, rc.id);
    QVERIFY(stored && *stored);
    QCOMPARE((*stored)->selectorHash, rc.selectorHash);
    auto hasher = ChainHasher::create(*loadChainKey(*db));
    QCOMPARE(selectorHash(*hasher, "user", "alice@example.com"), rc.selectorHash);
    QVERIFY(selectorHash(*hasher, "thread", "alice@example.com") != rc.selectorHash);
    QCOMPARE(rawScalar(path(), "SELECT action FROM audit_trail"), std::string("erase"));
    QVERIFY(verify()->intact);
}

void TestErasure::eraseIsIdempotent()
{
    fillMixed();
    auto w = StoreWriter::open(path().toStdString());
    QVERIFY(eraseSubject(**w, ErasureRequest{ErasureSubject::Thread, "thread-alice", "a", 0}));
    auto again = eraseSubject(**w, ErasureRequest{ErasureSubject::Thread, "thread-alice", "a", 0});
    auto none = eraseSubject(**w, ErasureRequest{ErasureSubject::Thread, "no-such-thread", "a", 0});
    (*w)->close();
    QVERIFY(again && none);
    QCOMPARE(again->receipt.events, 0);
    QCOMPARE(none->receipt.events, 0);
    QCOMPARE(rawScalar(path(), "SELECT count(*) FROM receipts"), std::string("3"));
    QVERIFY(verify()->intact);
}

void TestErasure::tamperedEventStaysBroken()
{
    fillMixed();
    QVERIFY(rawExec(path(), "UPDATE events SET details='{\"query\":\"forged\"}' WHERE id=4"));
    auto w = StoreWriter::open(path().toStdString());
    auto r = eraseSubject(**w, ErasureRequest{ErasureSubject::Thread, "thread-alice", "a", 0});
    (*w)->close();
    QVERIFY(r);
    QCOMPARE(r->receipt.events, 4);
    QCOMPARE(r->unsealed, 1);
    auto v = verify();
    QVERIFY(v && !v->intact);
    QCOMPARE(v->position, 4); // erasure did not seal over the earlier edit
}

void TestErasure::eraseThenPurgeThenVerify()
{
    fillMixed();
    auto w = StoreWriter::open(path().toStdString());
    QVERIFY(eraseSubject(**w, ErasureRequest{ErasureSubject::Thread, "thread-alice", "a", 0}));
    auto p = purgeExpired(**w, 1'795'000'000'000 + 90 * kMsPerDay + 6000);
    QVERIFY(p);
    QCOMPARE(p->events, 4); // ev-0..ev-5 are older than 90 days; 2 of them were erased already
    QVERIFY(p->compacted >= 1);
    QVERIFY(commit(**w, simpleEvents(2, 1'805'000'000'000)));
    (*w)->close();
    auto v = verify();
    QVERIFY2(v && v->intact, v ? v->reason.c_str() : "");
}

void TestErasure::refusesEmptySelector()
{
    fillMixed();
    auto w = StoreWriter::open(path().toStdString());
    auto r = eraseSubject(**w, ErasureRequest{ErasureSubject::User, "", "a", 0});
    (*w)->close();
    QVERIFY(!r);
    QCOMPARE(rawScalar(path(), "SELECT count(*) FROM receipts"), std::string("0"));
}

QTEST_GUILESS_MAIN(TestErasure)
#include "tst_erasure.moc"
