// SPDX-License-Identifier: Apache-2.0
// The tamper-evident chain: key handling, sealing at insert, and verify catching edits,
// deletions, reordering and (with an exported head) truncation at the right position.
#include "reporttestsupport.h"

#include "store/chain.h"
#include "store/chainverifier.h"
#include "store/receipt.h"
#include "store/schema.h"

#include <QFile>
#include <QFileInfo>

#include <sys/stat.h>

using namespace vigil;
using namespace vigil::test;

class TestChain : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void canonicalFormIsInjective();
    void keyFileIsPrivate();
    void refusesLooseKeyFile();
    void refusesSymlinkedKeyFile();
    void sealedDatabaseWithoutKeyIsRefused();
    void intactChainVerifies();
    void duplicatesDoNotAdvanceTheChain();
    void rolledBackBatchDoesNotAdvanceTheChain();
    void detectsEdit_data();
    void detectsEdit();
    void detectsDeletion();
    void detectsReordering();
    void detectsTruncationWithExportedHead();
    void detectsForgedTombstone();
    void detectsAlteredReceipt();
    void detectsUnsealedInsert();
    void sealsLegacyDatabaseOnce();
    void headSurvivesReopen();

private:
    QString dbPath() const { return m_dir->filePath(QStringLiteral("chain.db")); }
    /// A database with `n` events; returns its verified head.
    ChainHash fill(int n);
    Result<ChainVerification> verify(std::optional<ChainHash> head = std::nullopt);

    std::unique_ptr<QTemporaryDir> m_dir;
};

void TestChain::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
    useKeyFolder(*m_dir);
}

ChainHash TestChain::fill(int n)
{
    auto w = StoreWriter::open(dbPath().toStdString());
    if (!w)
        qFatal("open: %s", w.error().message.c_str());
    auto r = commit(**w, simpleEvents(n));
    if (!r || r->accepted != n)
        qFatal("commit failed");
    (*w)->close();
    auto v = verify();
    if (!v || !v->intact || !v->head.link)
        qFatal("fresh chain does not verify");
    return *v->head.link;
}

Result<ChainVerification> TestChain::verify(std::optional<ChainHash> head)
{
    auto db = Database::openReader(dbPath().toStdString());
    if (!db)
        return std::unexpected(db.error());
    ChainVerifyOptions o;
    o.exportedHead = head;
    return verifyChain(*db, o);
}

void TestChain::canonicalFormIsInjective()
{
    // Moving a byte from one field to the next must change the serialization.
    std::string a, b;
    canonicalEvent(CanonicalFields{1, "ab", "c", "t", 0, {}, {}, {}, {}, "{}"}, a);
    canonicalEvent(CanonicalFields{1, "a", "bc", "t", 0, {}, {}, {}, {}, "{}"}, b);
    QVERIFY(a != b);
    // An absent optional differs from any present one.
    canonicalEvent(CanonicalFields{1, "a", "b", "t", 0, "x", {}, {}, {}, "{}"}, a);
    canonicalEvent(CanonicalFields{1, "a", "b", "t", 0, {}, "x", {}, {}, "{}"}, b);
    QVERIFY(a != b);
    canonicalEvent(CanonicalFields{-5, "a", "b", "t", 3, {}, {}, {}, {}, "{}"}, a);
    QCOMPARE(a.substr(0, 8), std::string("\xff\xff\xff\xff\xff\xff\xff\xfb", 8));
}

void TestChain::keyFileIsPrivate()
{
    fill(3);
    auto db = Database::openReader(dbPath().toStdString());
    QVERIFY(db);
    auto uuid = databaseUuid(*db);
    QVERIFY(uuid && *uuid);
    const auto path = ChainKey::keyPath(**uuid);
    QVERIFY(path.string().starts_with(m_dir->path().toStdString() + "/config/vigil/keys/"));
    struct stat st
    {
    };
    QCOMPARE(::stat(path.c_str(), &st), 0);
    QCOMPARE(st.st_mode & 0777, 0600u);
    QCOMPARE(::stat(path.parent_path().c_str(), &st), 0);
    QCOMPARE(st.st_mode & 0777, 0700u);
    // The key is not in the database file.
    auto key = ChainKey::load(path);
    QVERIFY(key);
    QFile f(dbPath());
    QVERIFY(f.open(QIODevice::ReadOnly));
    const QByteArray raw = f.readAll();
    const QByteArray keyBytes(reinterpret_cast<const char*>(key->bytes().data()), 32);
    QVERIFY(!raw.contains(keyBytes));
    QVERIFY(!raw.contains(QByteArray::fromStdString(
        toHex(*chainHashFromHex(QByteArray(keyBytes.toHex()).toStdString())))));
    // create() never replaces an existing key.
    QVERIFY(!ChainKey::create(path));
}

void TestChain::refusesLooseKeyFile()
{
    fill(3);
    auto db = Database::openReader(dbPath().toStdString());
    QVERIFY(db);
    const auto path = ChainKey::keyPath(**databaseUuid(*db));
    QCOMPARE(::chmod(path.c_str(), 0640), 0);
    auto v = verifyChain(*db);
    QVERIFY(!v);
    QCOMPARE(v.error().code, std::string("store.chain_key_permissions"));
    auto w = StoreWriter::open(dbPath().toStdString());
    QVERIFY(!w);
    QCOMPARE(w.error().code, std::string("store.chain_key_permissions"));
    QCOMPARE(::chmod(path.c_str(), 0600), 0);
    QVERIFY(verifyChain(*db));
}

void TestChain::refusesSymlinkedKeyFile()
{
    fill(2);
    auto db = Database::openReader(dbPath().toStdString());
    const auto path = ChainKey::keyPath(**databaseUuid(*db));
    const auto moved = path.string() + ".real";
    QCOMPARE(::rename(path.c_str(), moved.c_str()), 0);
    QCOMPARE(::symlink(moved.c_str(), path.c_str()), 0);
    QVERIFY(!ChainKey::load(path));
}

void TestChain::sealedDatabaseWithoutKeyIsRefused()
{
    fill(2);
    auto db = Database::openReader(dbPath().toStdString());
    const auto path = ChainKey::keyPath(**databaseUuid(*db));
    QVERIFY(std::filesystem::remove(path));
    auto w = StoreWriter::open(dbPath().toStdString());
    QVERIFY(!w);
    QCOMPARE(w.error().code, std::string("store.chain_key_missing"));
    // No new key was made behind the user's back.
    QVERIFY(!std::filesystem::exists(path));
    auto v = verifyChain(*db);
    QVERIFY(!v);
    QCOMPARE(v.error().code, std::string("store.chain_key_missing"));
}

void TestChain::intactChainVerifies()
{
    fill(40);
    auto v = verify();
    QVERIFY(v);
    QVERIFY(v->intact);
    QCOMPARE(v->events, 40);
    QCOMPARE(v->head.events, 40);
    QVERIFY(v->head.link.has_value());
    // An empty database verifies too.
    QFile::remove(dbPath());
    auto w = StoreWriter::open(dbPath().toStdString());
    QVERIFY(w);
    (*w)->close();
    v = verify();
    QVERIFY(v && v->intact);
    QCOMPARE(v->events, 0);
}

void TestChain::duplicatesDoNotAdvanceTheChain()
{
    auto w = StoreWriter::open(dbPath().toStdString());
    QVERIFY(w);
    QVERIFY(commit(**w, simpleEvents(5)));
    (*w)->flush();
    const std::string before =
        rawScalar(dbPath(), "SELECT hex(chain) FROM events ORDER BY id DESC LIMIT 1");
    auto r = commit(**w, simpleEvents(5)); // same event ids
    QVERIFY(r);
    QCOMPARE(r->duplicates, 5);
    auto more = simpleEvents(7);
    auto r2 = commit(**w, std::vector<IngestedEvent>(more.begin() + 3, more.end()));
    QVERIFY(r2);
    QCOMPARE(r2->accepted, 2);
    QCOMPARE(r2->duplicates, 2);
    (*w)->close();
    QCOMPARE(rawScalar(dbPath(), "SELECT hex(chain) FROM events WHERE id=5"), before);
    auto v = verify();
    QVERIFY(v && v->intact);
    QCOMPARE(v->events, 7);
}

void TestChain::rolledBackBatchDoesNotAdvanceTheChain()
{
    auto w = StoreWriter::open(dbPath().toStdString());
    QVERIFY(w);
    QVERIFY(commit(**w, simpleEvents(3)));
    (*w)->flush();
    QVERIFY(rawExec(dbPath(),
                    "CREATE TRIGGER boom BEFORE INSERT ON findings "
                    "WHEN NEW.rule = 'test.boom' BEGIN SELECT RAISE(ABORT, 'boom'); END"));
    EventSpec s;
    s.eventId = "x-1";
    s.findings = {makeFinding("test.boom", "injection", FindingSeverity::High)};
    EventSpec ok;
    ok.eventId = "x-0";
    auto r = commit(**w, {makeEvent(ok), makeEvent(s)});
    QVERIFY(!r); // the whole batch rolled back, including the first event
    s.findings.clear();
    // The failed batch stopped its source: nothing of it commits until it is resumed.
    auto refused = commit(**w, {makeEvent(s)});
    QVERIFY(!refused);
    QCOMPARE(refused.error().code, std::string("store.source_stopped"));
    (*w)->resumeSource("test");
    QVERIFY(commit(**w, {makeEvent(s)}));
    (*w)->close();
    auto v = verify();
    QVERIFY(v && v->intact);
    QCOMPARE(v->events, 4);
}

void TestChain::detectsEdit_data()
{
    QTest::addColumn<QString>("sql");
    QTest::newRow("details") << QStringLiteral(
        "UPDATE events SET details='{\"query\":\"changed\"}' WHERE id=5");
    QTest::newRow("severity") << QStringLiteral("UPDATE events SET severity=3 WHERE id=5");
    QTest::newRow("timestamp") << QStringLiteral("UPDATE events SET ts=ts+1 WHERE id=5");
    QTest::newRow("user") << QStringLiteral("UPDATE events SET user_id='u-9' WHERE id=5");
    QTest::newRow("event id removed")
        << QStringLiteral("UPDATE events SET event_id=NULL WHERE id=5");
    QTest::newRow("link replaced") << QStringLiteral(
        "UPDATE events SET chain=(SELECT chain FROM events WHERE id=4) WHERE id=5");
}

void TestChain::detectsEdit()
{
    QFETCH(QString, sql);
    fill(12);
    QVERIFY(rawExec(dbPath(), sql.toStdString()));
    auto v = verify();
    QVERIFY(v);
    QVERIFY(!v->intact);
    QCOMPARE(v->position, 5);
    QCOMPARE(v->rowId, 5);
    QVERIFY2(v->reason.find("event 5") != std::string::npos, v->reason.c_str());
}

void TestChain::detectsDeletion()
{
    fill(12);
    QVERIFY(rawExec(dbPath(), "DELETE FROM events WHERE id=7"));
    auto v = verify();
    QVERIFY(v && !v->intact);
    QCOMPARE(v->position, 7);
    QCOMPARE(v->rowId, 8);
    QVERIFY2(v->reason.find("deleted") != std::string::npos, v->reason.c_str());
}

void TestChain::detectsReordering()
{
    fill(12);
    // Swap events 3 and 9 (with their links, as a whole-row move would).
    QVERIFY(rawExec(dbPath(), "UPDATE events SET id=1000 WHERE id=3; "
                              "UPDATE events SET id=3 WHERE id=9; "
                              "UPDATE events SET id=9 WHERE id=1000;"));
    auto v = verify();
    QVERIFY(v && !v->intact);
    QCOMPARE(v->position, 3);
    QVERIFY2(v->reason.find("reordered") != std::string::npos, v->reason.c_str());
}

void TestChain::detectsTruncationWithExportedHead()
{
    const ChainHash head = fill(12);
    QVERIFY(rawExec(dbPath(), "DELETE FROM events WHERE id > 9"));
    auto plain = verify();
    QVERIFY(plain && plain->intact); // without an exported head, a shorter chain is consistent
    QCOMPARE(plain->events, 9);
    auto v = verify(head);
    QVERIFY(v && !v->intact);
    QCOMPARE(v->position, 10);
    QCOMPARE(v->rowId, 0);
    QVERIFY2(v->reason.find("exported head") != std::string::npos, v->reason.c_str());
    // A head exported earlier still verifies after the chain grew.
    auto w = StoreWriter::open(dbPath().toStdString());
    QVERIFY(w);
    const ChainHash older = *plain->head.link;
    auto more = simpleEvents(20);
    QVERIFY(commit(**w, std::vector<IngestedEvent>(more.begin() + 12, more.end())));
    (*w)->close();
    auto grown = verify(older);
    QVERIFY(grown && grown->intact);
}

void TestChain::detectsForgedTombstone()
{
    fill(6);
    // An attacker wipes event 4 and marks it erased, with its true leaf (the leaf hash is
    // not keyed) but cannot make the keyed tombstone tag.
    auto db = Database::openReader(dbPath().toStdString());
    QVERIFY(db);
    auto st = SqlStatement::prepare(*db, "SELECT ts, event_type, agent, thread_id, severity, "
                                         "event_id, user_id, trace_id, span_id, details "
                                         "FROM events WHERE id=4");
    QVERIFY(st && *st->step());
    std::string canonical;
    canonicalEvent(CanonicalFields{st->columnInt(0), st->columnTextView(1), st->columnTextView(2),
                                   st->columnTextView(3), static_cast<int>(st->columnInt(4)),
                                   st->columnTextView(5), st->columnTextView(6),
                                   st->columnTextView(7), st->columnTextView(8),
                                   st->columnTextView(9)},
                   canonical);
    QByteArray leafInput(1, '\0');
    leafInput += QByteArray::fromStdString(canonical);
    const QByteArray leaf = QCryptographicHash::hash(leafInput, QCryptographicHash::Sha256);
    QVERIFY(rawExec(dbPath(), "INSERT INTO receipts(ts_ms, kind, actor, selector, selector_hash) "
                              "VALUES (1, 'erase', 'mallory', 'thread', ''); "
                              "UPDATE events SET details='{}', thread_id='', erased=1, leaf=X'" +
                                  leaf.toHex().toStdString() + "', tomb=zeroblob(32) WHERE id=4"));
    auto v = verify();
    QVERIFY(v && !v->intact);
    // The forged receipt itself fails first.
    QVERIFY2(v->reason.find("receipt") != std::string::npos, v->reason.c_str());
    QVERIFY(rawExec(dbPath(), "DELETE FROM receipts"));
    v = verify();
    QVERIFY(v && !v->intact);
    QCOMPARE(v->position, 4);
    QVERIFY2(v->reason.find("erased") != std::string::npos, v->reason.c_str());
}

void TestChain::detectsAlteredReceipt()
{
    fill(4);
    auto w = StoreWriter::open(dbPath().toStdString());
    QVERIFY(w);
    QVERIFY((*w)->run([](Database& db) -> Result<void> {
        auto hasher = ChainHasher::create(*loadChainKey(db));
        Receipt r;
        r.timestampMs = 5;
        r.kind = "erase";
        r.actor = "alice";
        r.selector = "user";
        if (auto x = insertReceipt(db, r); !x)
            return x;
        r.events = 2;
        return finishReceipt(db, *hasher, r);
    }));
    (*w)->close();
    QVERIFY(verify()->intact);
    QVERIFY(rawExec(dbPath(), "UPDATE receipts SET events=1"));
    auto v = verify();
    QVERIFY(v && !v->intact);
    QCOMPARE(v->position, 0);
    QVERIFY2(v->reason.find("receipt 1") != std::string::npos, v->reason.c_str());
}

void TestChain::detectsUnsealedInsert()
{
    fill(5);
    QVERIFY(rawExec(dbPath(), "INSERT INTO events(ts, event_type, agent, thread_id, severity, "
                              "details) VALUES (1, 'user_query_received', 'brain', 't', 0, '{}')"));
    auto v = verify();
    QVERIFY(v && !v->intact);
    QCOMPARE(v->position, 6);
    QVERIFY2(v->reason.find("not sealed") != std::string::npos, v->reason.c_str());
    // A forged link does not pass either.
    QVERIFY(rawExec(dbPath(), "UPDATE events SET chain=randomblob(32) WHERE id=6"));
    v = verify();
    QVERIFY(v && !v->intact);
    QCOMPARE(v->position, 6);
}

void TestChain::sealsLegacyDatabaseOnce()
{
    // A schema-1 database (before the chain) with events in it.
    {
        sqlite3* raw = nullptr;
        QCOMPARE(sqlite3_open(dbPath().toUtf8().constData(), &raw), SQLITE_OK);
        QCOMPARE(sqlite3_exec(raw, schemaMigrations().front().c_str(), nullptr, nullptr, nullptr),
                 SQLITE_OK);
        QCOMPARE(
            sqlite3_exec(raw,
                         "PRAGMA user_version=1; "
                         "INSERT INTO events(ts, event_type, agent, thread_id, severity, details) "
                         "VALUES (1, 'user_query_received', 'brain', 't-1', 0, '{\"q\":1}'),"
                         "(2, 'worker_result', 'w', 't-1', 1, '{\"q\":2}');",
                         nullptr, nullptr, nullptr),
            SQLITE_OK);
        sqlite3_close(raw);
    }
    auto w = StoreWriter::open(dbPath().toStdString());
    QVERIFY(w);
    QVERIFY(commit(**w, simpleEvents(3)));
    (*w)->close();
    auto v = verify();
    QVERIFY(v && v->intact);
    QCOMPARE(v->events, 5);
    // Unsealing a row later is not "legacy" any more: it stays broken after a reopen.
    QVERIFY(rawExec(dbPath(), "UPDATE events SET chain=NULL WHERE id=2"));
    w = StoreWriter::open(dbPath().toStdString());
    QVERIFY(w);
    (*w)->close();
    v = verify();
    QVERIFY(v && !v->intact);
    QCOMPARE(v->position, 2);
}

void TestChain::headSurvivesReopen()
{
    fill(5);
    for (int round = 0; round < 3; ++round) {
        auto w = StoreWriter::open(dbPath().toStdString());
        QVERIFY(w);
        auto more = simpleEvents(5 + (round + 1) * 2);
        QVERIFY(commit(**w, std::vector<IngestedEvent>(more.end() - 2, more.end())));
        (*w)->close();
    }
    auto v = verify();
    QVERIFY(v && v->intact);
    QCOMPARE(v->events, 11);
}

QTEST_GUILESS_MAIN(TestChain)
#include "tst_chain.moc"
