// SPDX-License-Identifier: Apache-2.0
// `vigil-cli verify`, `erase`, `purge` and `retention` as spec/cli.md says: `ok N events`
// and exit 0 when intact; exit 4 and the first bad position for each of the four tamper
// kinds, and for tampered findings, finding summaries, rejected lines and incidents; erase
// then verify passes; purge at 89, 90 and 91 days.
#include "testsupport.h"

#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QtTest>

#include <sqlite3.h>

#include <sys/stat.h>

namespace {

struct Run
{
    int code = -1;
    QByteArray out, err;
};

QString sample()
{
    return vigil::test::sharedPath(QStringLiteral("samples/labeled-small/events.jsonl"));
}

bool sql(const QString& db, const char* statement)
{
    sqlite3* h = nullptr;
    if (sqlite3_open(db.toUtf8().constData(), &h) != SQLITE_OK)
        return false;
    const bool ok = sqlite3_exec(h, statement, nullptr, nullptr, nullptr) == SQLITE_OK;
    sqlite3_close(h);
    return ok;
}

} // namespace

class TestCliVerify : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void intactDatabaseVerifies();
    void tamperKinds_data();
    void tamperKinds();
    void recordTamperKinds_data();
    void recordTamperKinds();
    void truncationNeedsTheExportedHead();
    void eraseThenVerify();
    void eraseUsage_data();
    void eraseUsage();
    void purgeAt89_90_91Days_data();
    void purgeAt89_90_91Days();
    void retentionIsConfigurable();
    void missingKeyIsAnError();
    void helpAndUsage();

private:
    Run cli(const QStringList& args) const;
    /// A fresh copy of the imported sample database.
    QString copy(const QString& name);

    QTemporaryDir m_dir;
    QString m_base;
    int m_events = 0;
};

Run TestCliVerify::cli(const QStringList& args) const
{
    QProcess p;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("XDG_CONFIG_HOME"), m_dir.filePath(QStringLiteral("config")));
    p.setProcessEnvironment(env);
    p.start(QStringLiteral(VIGIL_CLI_PATH), args);
    p.waitForFinished(120000);
    return Run{p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1,
               p.readAllStandardOutput(), p.readAllStandardError()};
}

QString TestCliVerify::copy(const QString& name)
{
    const QString path = m_dir.filePath(name);
    QFile::remove(path);
    if (!QFile::copy(m_base, path))
        qFatal("copy failed");
    QFile::setPermissions(path, QFile::ReadOwner | QFile::WriteOwner);
    return path;
}

void TestCliVerify::initTestCase()
{
    QVERIFY(m_dir.isValid());
    m_base = m_dir.filePath(QStringLiteral("base.db"));
    const Run r = cli({QStringLiteral("import"), QStringLiteral("--db"), m_base, sample()});
    QVERIFY2(r.code == 0, r.err.constData());
    const auto m =
        QRegularExpression(QStringLiteral("accepted (\\d+)")).match(QString::fromUtf8(r.out));
    QVERIFY(m.hasMatch());
    m_events = m.captured(1).toInt();
    QVERIFY(m_events > 1000);
    // The key lives outside the database, private to the user.
    const QDir keys(m_dir.filePath(QStringLiteral("config/vigil/keys")));
    const QStringList files = keys.entryList({QStringLiteral("*.key")}, QDir::Files);
    QCOMPARE(files.size(), 1);
    struct stat st
    {
    };
    QCOMPARE(::stat(keys.filePath(files.front()).toUtf8().constData(), &st), 0);
    QCOMPARE(st.st_mode & 0777, 0600u);
}

void TestCliVerify::intactDatabaseVerifies()
{
    const Run r = cli({QStringLiteral("verify"), QStringLiteral("--db"), m_base});
    QCOMPARE(r.code, 0);
    QCOMPARE(r.out, QByteArray("ok " + QByteArray::number(m_events) + " events\n"));
    const Run h = cli(
        {QStringLiteral("verify"), QStringLiteral("--db"), m_base, QStringLiteral("--show-head")});
    QCOMPARE(h.code, 0);
    QVERIFY(QRegularExpression(QStringLiteral("\nhead [0-9a-f]{64} at event %1\n$").arg(m_events))
                .match(QString::fromUtf8(h.out))
                .hasMatch());
}

void TestCliVerify::tamperKinds_data()
{
    QTest::addColumn<QString>("statement");
    QTest::addColumn<int>("position");
    QTest::newRow("edit")
        << QStringLiteral("UPDATE events SET details='{\"query\":\"nothing to see\"}' WHERE id=17")
        << 17;
    QTest::newRow("edit severity")
        << QStringLiteral("UPDATE events SET severity=(severity + 1) % 4 WHERE id=500") << 500;
    QTest::newRow("delete") << QStringLiteral("DELETE FROM events WHERE id=42") << 42;
    QTest::newRow("reorder") << QStringLiteral("UPDATE events SET id=-1 WHERE id=30; "
                                               "UPDATE events SET id=30 WHERE id=31; "
                                               "UPDATE events SET id=31 WHERE id=-1;")
                             << 30;
}

void TestCliVerify::tamperKinds()
{
    QFETCH(QString, statement);
    QFETCH(int, position);
    const QString db = copy(QStringLiteral("tamper.db"));
    QVERIFY(sql(db, statement.toUtf8().constData()));
    const Run r = cli({QStringLiteral("verify"), QStringLiteral("--db"), db});
    QCOMPARE(r.code, 4);
    QVERIFY2(r.out.startsWith("broken at event " + QByteArray::number(position) + ": "),
             r.out.constData());
    QCOMPARE(r.out.count('\n'), 1);
}

void TestCliVerify::recordTamperKinds_data()
{
    QTest::addColumn<QString>("statement");
    QTest::addColumn<QString>("positionQuery"); // the event it breaks at; empty: not an event's
    QTest::addColumn<QString>("expected");      // what the line must name
    const QString first = QStringLiteral("(SELECT min(id) FROM findings)");
    const QString owner = QStringLiteral("SELECT event_rowid FROM findings ORDER BY id LIMIT 1");
    QTest::newRow("finding deleted") << QStringLiteral("DELETE FROM findings WHERE id=") + first
                                     << owner << QStringLiteral("a finding was deleted");
    QTest::newRow("finding rule") << QStringLiteral("UPDATE findings SET rule='x.y' WHERE id=") +
                                         first
                                  << owner << QStringLiteral("was changed");
    QTest::newRow("finding category")
        << QStringLiteral("UPDATE findings SET category='other' WHERE id=") + first << owner
        << QStringLiteral("was changed");
    QTest::newRow("finding severity")
        << QStringLiteral("UPDATE findings SET severity=0 WHERE id=") + first << owner
        << QStringLiteral("was changed");
    QTest::newRow("finding span")
        << QStringLiteral("UPDATE findings SET span_end=span_end+5 WHERE id=(SELECT min(id) FROM "
                          "findings WHERE span_end IS NOT NULL)")
        << QStringLiteral("SELECT event_rowid FROM findings WHERE span_end IS NOT NULL "
                          "ORDER BY id LIMIT 1")
        << QStringLiteral("was changed");
    QTest::newRow("finding summary zeroed")
        << QStringLiteral("UPDATE events SET finding_mask=0, finding_sev=-1 WHERE id=(SELECT "
                          "max(id) FROM events WHERE finding_mask<>0)")
        << QStringLiteral("SELECT max(id) FROM events WHERE finding_mask<>0")
        << QStringLiteral("finding summary");
    QTest::newRow("rejected line deleted")
        << QStringLiteral("DELETE FROM quarantine WHERE id=(SELECT min(id) FROM quarantine)")
        << QString() << QStringLiteral("quarantine: 1 rejected lines deleted");
    QTest::newRow("rejected line edited")
        << QStringLiteral("UPDATE quarantine SET raw=X'7B7D' WHERE id=(SELECT max(id) FROM "
                          "quarantine)")
        << QString() << QStringLiteral("quarantine row");
    QTest::newRow("incident state")
        << QStringLiteral("UPDATE incidents SET status='false_positive' WHERE id=(SELECT min(id) "
                          "FROM incidents)")
        << QString() << QStringLiteral("was changed: its status, assignee");
    QTest::newRow("incident assignee")
        << QStringLiteral("UPDATE incidents SET assignee='nobody' WHERE id=(SELECT max(id) FROM "
                          "incidents)")
        << QString() << QStringLiteral("was changed: its status, assignee");
    QTest::newRow("incident deleted")
        << QStringLiteral("DELETE FROM incidents WHERE id=(SELECT max(id) FROM incidents)")
        << QString() << QStringLiteral("incidents: 1 incidents deleted");
}

void TestCliVerify::recordTamperKinds()
{
    QFETCH(QString, statement);
    QFETCH(QString, positionQuery);
    QFETCH(QString, expected);
    const QString db = copy(QStringLiteral("records.db"));
    QByteArray prefix("broken: ");
    if (!positionQuery.isEmpty()) {
        sqlite3* h = nullptr;
        QCOMPARE(sqlite3_open(db.toUtf8().constData(), &h), SQLITE_OK);
        sqlite3_stmt* st = nullptr;
        QCOMPARE(sqlite3_prepare_v2(h, positionQuery.toUtf8().constData(), -1, &st, nullptr),
                 SQLITE_OK);
        QCOMPARE(sqlite3_step(st), SQLITE_ROW);
        // Nothing was purged from this database: an event's position is its row id.
        prefix = "broken at event " + QByteArray::number(sqlite3_column_int64(st, 0)) + ": ";
        sqlite3_finalize(st);
        sqlite3_close(h);
    }
    QVERIFY(sql(db, statement.toUtf8().constData()));
    const Run r = cli({QStringLiteral("verify"), QStringLiteral("--db"), db});
    QCOMPARE(r.code, 4);
    QVERIFY2(r.out.startsWith(prefix), r.out.constData());
    QVERIFY2(r.out.contains(expected.toUtf8()), r.out.constData());
    QCOMPARE(r.out.count('\n'), 1);
}

void TestCliVerify::truncationNeedsTheExportedHead()
{
    const QString db = copy(QStringLiteral("trunc.db"));
    const Run h =
        cli({QStringLiteral("verify"), QStringLiteral("--db"), db, QStringLiteral("--show-head")});
    const QString head = QRegularExpression(QStringLiteral("head ([0-9a-f]{64})"))
                             .match(QString::fromUtf8(h.out))
                             .captured(1);
    QCOMPARE(head.size(), 64);
    QVERIFY(sql(db, "DELETE FROM events WHERE id > (SELECT max(id) - 5 FROM events)"));
    // Without the exported head the shorter chain is self-consistent...
    QCOMPARE(cli({QStringLiteral("verify"), QStringLiteral("--db"), db}).code, 0);
    // ...with it, the cut is found right after the last remaining event.
    const Run r =
        cli({QStringLiteral("verify"), QStringLiteral("--db"), db, QStringLiteral("--head"), head});
    QCOMPARE(r.code, 4);
    QVERIFY2(r.out.startsWith("broken at event " + QByteArray::number(m_events - 4) + ": "),
             r.out.constData());
    QVERIFY(r.out.contains("exported head"));
    // A head that is not hex is a usage error.
    QCOMPARE(cli({QStringLiteral("verify"), QStringLiteral("--db"), db, QStringLiteral("--head"),
                  QStringLiteral("xyz")})
                 .code,
             1);
}

void TestCliVerify::eraseThenVerify()
{
    const QString db = copy(QStringLiteral("erase.db"));
    const Run r = cli({QStringLiteral("erase"), QStringLiteral("--db"), db,
                       QStringLiteral("--thread"), QStringLiteral("t-2265b1f5")});
    QVERIFY2(r.code == 0, r.err.constData());
    QVERIFY2(QRegularExpression(QStringLiteral("^erased [1-9]\\d* events"))
                 .match(QString::fromUtf8(r.out))
                 .hasMatch(),
             r.out.constData());
    const Run u = cli({QStringLiteral("erase"), QStringLiteral("--db"), db,
                       QStringLiteral("--user"), QStringLiteral("u-292")});
    QCOMPARE(u.code, 0);
    QVERIFY(u.out.startsWith("erased "));
    const Run v = cli({QStringLiteral("verify"), QStringLiteral("--db"), db});
    QCOMPARE(v.code, 0);
    QCOMPARE(v.out, QByteArray("ok " + QByteArray::number(m_events) + " events\n"));
    // stats counts the tombstones apart: they are no longer events.
    const qint64 erased = QString::fromUtf8(r.out).section(u' ', 1, 1).toLongLong() +
                          QString::fromUtf8(u.out).section(u' ', 1, 1).toLongLong();
    QVERIFY(erased > 0);
    const Run s = cli({QStringLiteral("stats"), QStringLiteral("--db"), db});
    QCOMPARE(s.code, 0);
    const QJsonObject totals = QJsonDocument::fromJson(s.out).object();
    QCOMPARE(totals.value(QStringLiteral("erased")).toInteger(), erased);
    QCOMPARE(totals.value(QStringLiteral("events")).toInteger(), m_events - erased);
    QVERIFY(totals.value(QStringLiteral("live")).isNull()); // never served
    // The receipts hold neither id nor content.
    sqlite3* h = nullptr;
    QCOMPARE(sqlite3_open(db.toUtf8().constData(), &h), SQLITE_OK);
    sqlite3_stmt* st = nullptr;
    QCOMPARE(sqlite3_prepare_v2(
                 h,
                 "SELECT group_concat(kind || actor || selector || selector_hash || detail, '|') "
                 "FROM receipts",
                 -1, &st, nullptr),
             SQLITE_OK);
    QCOMPARE(sqlite3_step(st), SQLITE_ROW);
    const QByteArray receipts(reinterpret_cast<const char*>(sqlite3_column_text(st, 0)));
    sqlite3_finalize(st);
    QCOMPARE(sqlite3_prepare_v2(
                 h, "SELECT count(*) FROM events WHERE thread_id='t-2265b1f5' OR user_id='u-292'",
                 -1, &st, nullptr),
             SQLITE_OK);
    QCOMPARE(sqlite3_step(st), SQLITE_ROW);
    QCOMPARE(sqlite3_column_int(st, 0), 0);
    sqlite3_finalize(st);
    sqlite3_close(h);
    QVERIFY(receipts.contains("erase"));
    QVERIFY(!receipts.contains("t-2265b1f5"));
    QVERIFY(!receipts.contains("u-292"));
}

void TestCliVerify::eraseUsage_data()
{
    QTest::addColumn<QStringList>("args");
    QTest::newRow("no selector") << QStringList{QStringLiteral("--db"), QStringLiteral("@")};
    QTest::newRow("both") << QStringList{QStringLiteral("--db"),     QStringLiteral("@"),
                                         QStringLiteral("--thread"), QStringLiteral("a"),
                                         QStringLiteral("--user"),   QStringLiteral("b")};
    QTest::newRow("empty") << QStringList{QStringLiteral("--db"), QStringLiteral("@"),
                                          QStringLiteral("--user"), QString()};
    QTest::newRow("missing db") << QStringList{QStringLiteral("--db"), QStringLiteral("nope.db"),
                                               QStringLiteral("--user"), QStringLiteral("u")};
}

void TestCliVerify::eraseUsage()
{
    QFETCH(QStringList, args);
    const QString db = copy(QStringLiteral("usage.db"));
    args.replaceInStrings(QStringLiteral("@"), db);
    args.replaceInStrings(QStringLiteral("nope.db"), m_dir.filePath(QStringLiteral("nope.db")));
    args.prepend(QStringLiteral("erase"));
    const Run r = cli(args);
    QCOMPARE(r.code, 1);
    QVERIFY(r.err.startsWith("vigil-cli erase: "));
    QCOMPARE(r.err.count('\n'), 1);
    QVERIFY(!QFile::exists(m_dir.filePath(QStringLiteral("nope.db"))));
}

void TestCliVerify::purgeAt89_90_91Days_data()
{
    QTest::addColumn<QString>("now");
    QTest::addColumn<int>("removed");
    // The events are from 2026-01-01T00:00:00Z; 90 days later is 2026-04-01T00:00:00Z.
    QTest::newRow("89 days") << QStringLiteral("2026-03-31T00:00:00Z") << 0;
    QTest::newRow("90 days") << QStringLiteral("2026-04-01T00:00:00Z") << 0;
    QTest::newRow("90 days + 1 ms") << QStringLiteral("2026-04-01T00:00:00.001Z") << 1;
    QTest::newRow("91 days") << QStringLiteral("2026-04-02T00:00:00Z") << 1;
}

void TestCliVerify::purgeAt89_90_91Days()
{
    QFETCH(QString, now);
    QFETCH(int, removed);
    const QString events = m_dir.filePath(QStringLiteral("aged.jsonl"));
    {
        QFile f(events);
        QVERIFY(f.open(QIODevice::WriteOnly | QIODevice::Truncate));
        f.write(
            R"({"timestamp":"2026-01-01T00:00:00Z","event_type":"user_query_received","agent_name":"brain","thread_id":"t-1","severity":"info","details":{"query":"old question"}})"
            "\n"
            R"({"timestamp":"2026-01-01T00:00:00Z","event_type":"sql_executed","agent_name":"sql-writer","thread_id":"t-1","severity":"info","details":{"query_hash":"h","bytes_scanned":1,"cost":0}})"
            "\n"
            R"({"timestamp":"2026-03-30T00:00:00Z","event_type":"user_query_received","agent_name":"brain","thread_id":"t-2","severity":"info","details":{"query":"newer question"}})"
            "\n");
    }
    const QString db = m_dir.filePath(QStringLiteral("aged.db"));
    QFile::remove(db);
    QCOMPARE(cli({QStringLiteral("import"), QStringLiteral("--db"), db, events}).code, 0);
    const Run r =
        cli({QStringLiteral("purge"), QStringLiteral("--db"), db, QStringLiteral("--now"), now});
    QVERIFY2(r.code == 0, r.err.constData());
    QVERIFY2(r.out.contains("removed " + QByteArray::number(removed) + " events in total"),
             r.out.constData());
    if (removed)
        QVERIFY2(r.out.contains("removed 1 user_query_received events older than 90 days"),
                 r.out.constData());
    else
        QVERIFY(!r.out.contains("user_query_received"));
    QVERIFY(!r.out.contains("sql_executed")); // 365 days
    const Run v = cli({QStringLiteral("verify"), QStringLiteral("--db"), db});
    QCOMPARE(v.code, 0);
    QVERIFY(v.out.startsWith("ok "));
}

void TestCliVerify::retentionIsConfigurable()
{
    const QString db = copy(QStringLiteral("retention.db"));
    const Run show = cli({QStringLiteral("retention"), QStringLiteral("--db"), db});
    QCOMPARE(show.code, 0);
    QVERIFY(show.out.contains("sql_executed"));
    const Run set = cli({QStringLiteral("retention"), QStringLiteral("--db"), db,
                         QStringLiteral("--set"), QStringLiteral("user_query_received=7")});
    QCOMPARE(set.code, 0);
    QVERIFY2(QRegularExpression(QStringLiteral("user_query_received\\s+7  \\(configured\\)"))
                 .match(QString::fromUtf8(set.out))
                 .hasMatch(),
             set.out.constData());
    QCOMPARE(cli({QStringLiteral("retention"), QStringLiteral("--db"), db, QStringLiteral("--set"),
                  QStringLiteral("Bad=3")})
                 .code,
             1);
    QCOMPARE(cli({QStringLiteral("retention"), QStringLiteral("--db"), db, QStringLiteral("--set"),
                  QStringLiteral("x=0")})
                 .code,
             1);
}

void TestCliVerify::missingKeyIsAnError()
{
    const QString db = copy(QStringLiteral("nokey.db"));
    QProcess p;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("XDG_CONFIG_HOME"), m_dir.filePath(QStringLiteral("elsewhere")));
    p.setProcessEnvironment(env);
    p.start(QStringLiteral(VIGIL_CLI_PATH), {QStringLiteral("verify"), QStringLiteral("--db"), db});
    p.waitForFinished(60000);
    QCOMPARE(p.exitCode(), 1);
    const QByteArray err = p.readAllStandardError();
    QVERIFY2(err.contains("chain key") && err.count('\n') == 1, err.constData());
    // Writing is refused too: a new key would orphan the chain.
    p.start(QStringLiteral(VIGIL_CLI_PATH), {QStringLiteral("erase"), QStringLiteral("--db"), db,
                                             QStringLiteral("--user"), QStringLiteral("u-1")});
    p.waitForFinished(60000);
    QCOMPARE(p.exitCode(), 1);
}

void TestCliVerify::helpAndUsage()
{
    for (const char* cmd : {"verify", "erase", "purge", "retention", "report"}) {
        const Run r = cli({QString::fromLatin1(cmd), QStringLiteral("--help")});
        QCOMPARE(r.code, 0);
        QVERIFY(r.out.startsWith("usage: vigil-cli "));
    }
    const Run r = cli({QStringLiteral("verify")});
    QCOMPARE(r.code, 1);
    QCOMPARE(r.err, QByteArray("vigil-cli verify: missing --db DB\n"));
    const Run p = cli({QStringLiteral("purge"), QStringLiteral("--db"), m_base,
                       QStringLiteral("--now"), QStringLiteral("yesterday")});
    QCOMPARE(p.code, 1);
    QCOMPARE(cli({QStringLiteral("verify"), QStringLiteral("--db"),
                  m_dir.filePath(QStringLiteral("none.db"))})
                 .code,
             1);
}

QTEST_GUILESS_MAIN(TestCliVerify)
#include "tst_verify.moc"
