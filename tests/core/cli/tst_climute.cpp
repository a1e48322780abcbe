// SPDX-License-Identifier: Apache-2.0
// `vigil-cli mute add|list|remove` and `vigil-cli scan --mute`: rules stored with their
// history, the rule file round trip, muted findings printed as suppressed (jsonl, table,
// SARIF) and left out of --fail-on, output unchanged without --mute, one-line refusals.
#include "testsupport.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

namespace {

struct Run
{
    int code = -1;
    QByteArray out, err;
};

Run cli(const QStringList& args)
{
    QProcess p;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("USER"), QStringLiteral("tester"));
    p.setProcessEnvironment(env);
    p.start(QStringLiteral(VIGIL_CLI_PATH), args);
    p.waitForFinished(120000);
    return Run{p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1, p.readAllStandardOutput(),
               p.readAllStandardError()};
}

// Two agents; the planner's line holds an email of the test domain, the formatter's one of
// a customer, and an AWS key (a critical finding).
const char kEvents[] =
    R"({"timestamp":"2026-11-21T10:00:00.000Z","event_type":"worker_result","agent_name":"planner","thread_id":"t-1","severity":"info","details":{"output_hash":"0a1b2c3d","confidence":0.9,"latency_ms":12,"output":"contact qa-bot@test.example.com for the run"}})"
    "\n"
    R"({"timestamp":"2026-11-21T10:00:01.000Z","event_type":"worker_result","agent_name":"formatter","thread_id":"t-2","severity":"info","details":{"output_hash":"0a1b2c3d","confidence":0.9,"latency_ms":12,"output":"row 17: maria_g@corp.example.co.uk, region north"}})"
    "\n"
    R"({"timestamp":"2026-11-21T10:00:02.000Z","event_type":"worker_result","agent_name":"formatter","thread_id":"t-2","severity":"info","details":{"output_hash":"0a1b2c3d","confidence":0.9,"latency_ms":12,"output":"key AKIAZ7QK3M9XW2PLR4TB used"}})"
    "\n";

QList<QJsonObject> jsonLines(const QByteArray& out)
{
    QList<QJsonObject> lines;
    for (const QByteArray& l : out.split('\n'))
        if (!l.isEmpty())
            lines.push_back(QJsonDocument::fromJson(l).object());
    return lines;
}

} // namespace

class TestCliMute : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void addListRemove();
    void listJsonIsARuleFile();
    void refusals_data();
    void refusals();
    void scanWithoutMuteIsUnchanged();
    void scanMuteChangesTheExitCode();
    void scanMuteMarksSarifSuppressed();
    void scanMuteTableAndExpiredRules();
    void scanMuteRefusesBadFiles();

private:
    QString path(const char* name) const { return m_dir.filePath(QLatin1String(name)); }
    QString writeFile(const char* name, const QByteArray& text) const;
    QString freshDb(const char* name) const;

    QTemporaryDir m_dir;
    QString m_events;
};

QString TestCliMute::writeFile(const char* name, const QByteArray& text) const
{
    QFile f(path(name));
    if (!f.open(QIODevice::WriteOnly) || f.write(text) != text.size())
        qFatal("cannot write %s", name);
    return f.fileName();
}

QString TestCliMute::freshDb(const char* name) const
{
    const QString db = path(name);
    const Run r = cli({QStringLiteral("import"), QStringLiteral("--db"), db, m_events});
    if (r.code != 0)
        qWarning("import failed: %s", r.err.constData());
    return db;
}

void TestCliMute::initTestCase()
{
    QVERIFY(m_dir.isValid());
    m_events = writeFile("events.jsonl", kEvents);
}

static int openIncidents(const QString& db)
{
    const Run r = cli({QStringLiteral("stats"), QStringLiteral("--db"), db, QStringLiteral("--format"), QStringLiteral("json")});
    return QJsonDocument::fromJson(r.out).object().value(QStringLiteral("open_incidents")).toInt(-1);
}

void TestCliMute::addListRemove()
{
    const QString db = freshDb("crud.db");
    const int open = openIncidents(db);
    QVERIFY(open >= 2);
    Run add = cli({QStringLiteral("mute"), QStringLiteral("add"), QStringLiteral("--db"), db,
                   QStringLiteral("--rule"), QStringLiteral("pii.email"), QStringLiteral("--agent"),
                   QStringLiteral("planner"), QStringLiteral("--reason"), QStringLiteral("test account"),
                   QStringLiteral("--for"), QStringLiteral("30d")});
    QVERIFY2(add.code == 0, add.err.constData());
    QVERIFY(add.out.startsWith("added mute rule 1: rule=pii.email agent=planner, until "));
    QVERIFY(add.out.contains("by tester"));
    QCOMPARE(openIncidents(db), open - 1); // the planner's only incident is all muted

    Run list = cli({QStringLiteral("mute"), QStringLiteral("list"), QStringLiteral("--db"), db});
    QCOMPARE(list.code, 0);
    QVERIFY(list.out.contains("active"));
    QVERIFY(list.out.contains("rule=pii.email agent=planner: test account"));

    Run removeNoReason = cli({QStringLiteral("mute"), QStringLiteral("remove"), QStringLiteral("--db"), db,
                              QStringLiteral("1")});
    QCOMPARE(removeNoReason.code, 1);
    QVERIFY(removeNoReason.err.contains("--reason"));
    Run remove = cli({QStringLiteral("mute"), QStringLiteral("remove"), QStringLiteral("--db"), db,
                      QStringLiteral("1"), QStringLiteral("--reason"), QStringLiteral("account deleted")});
    QVERIFY2(remove.code == 0, remove.err.constData());
    QCOMPARE(remove.out, QByteArray("removed mute rule 1 by tester\n"));
    QCOMPARE(openIncidents(db), open);
    Run again = cli({QStringLiteral("mute"), QStringLiteral("remove"), QStringLiteral("--db"), db,
                     QStringLiteral("1"), QStringLiteral("--reason"), QStringLiteral("twice")});
    QCOMPARE(again.code, 1);
    QVERIFY(again.err.contains("already removed"));

    QCOMPARE(cli({QStringLiteral("mute"), QStringLiteral("list"), QStringLiteral("--db"), db}).out,
             QByteArray("no mute rules\n"));
    Run removed = cli({QStringLiteral("mute"), QStringLiteral("list"), QStringLiteral("--db"), db,
                       QStringLiteral("--removed")});
    QVERIFY(removed.out.contains("removed"));
    QVERIFY(removed.out.contains("test account"));
}

void TestCliMute::listJsonIsARuleFile()
{
    const QString db = freshDb("json.db");
    QCOMPARE(cli({QStringLiteral("mute"), QStringLiteral("add"), QStringLiteral("--db"), db,
                  QStringLiteral("--pattern"), QStringLiteral("*@test.example.com"),
                  QStringLiteral("--reason"), QStringLiteral("test domain"), QStringLiteral("--author"),
                  QStringLiteral("alice"), QStringLiteral("--expires"), QStringLiteral("2099-01-01")})
                 .code,
             0);
    const Run list = cli({QStringLiteral("mute"), QStringLiteral("list"), QStringLiteral("--db"), db,
                          QStringLiteral("--format"), QStringLiteral("json")});
    QCOMPARE(list.code, 0);
    const QJsonObject doc = QJsonDocument::fromJson(list.out).object();
    QCOMPARE(doc.value(QStringLiteral("vigil_mute_rules")).toInt(), 1);
    const QJsonObject rule = doc.value(QStringLiteral("rules")).toArray().at(0).toObject();
    QCOMPARE(rule.value(QStringLiteral("pattern")).toString(), QStringLiteral("*@test.example.com"));
    QCOMPARE(rule.value(QStringLiteral("author")).toString(), QStringLiteral("alice"));
    QCOMPARE(rule.value(QStringLiteral("expires")).toString(), QStringLiteral("2099-01-01T00:00:00.000Z"));
    QCOMPARE(rule.value(QStringLiteral("status")).toString(), QStringLiteral("active"));
    QCOMPARE(rule.value(QStringLiteral("findings")).toInt(), 1); // the planner's email only

    // What list prints, scan reads.
    const QString file = writeFile("exported.json", list.out);
    const Run scan = cli({QStringLiteral("scan"), QStringLiteral("--format"), QStringLiteral("jsonl"),
                          QStringLiteral("--mute"), file, m_events});
    QCOMPARE(scan.code, 0);
    int suppressed = 0;
    for (const QJsonObject& o : jsonLines(scan.out))
        suppressed += o.value(QStringLiteral("suppressed")).toBool() ? 1 : 0;
    QCOMPARE(suppressed, 1);
}

void TestCliMute::refusals_data()
{
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<QString>("message");
    const QString db = path("refusals.db");
    auto add = [&](QStringList rest) {
        return QStringList{QStringLiteral("mute"), QStringLiteral("add"), QStringLiteral("--db"), db} + rest;
    };
    QTest::newRow("mutes everything")
        << add({QStringLiteral("--reason"), QStringLiteral("x")}) << QStringLiteral("would mute every finding");
    QTest::newRow("no reason") << add({QStringLiteral("--rule"), QStringLiteral("pii.email")})
                               << QStringLiteral("missing --reason");
    QTest::newRow("bad expiry") << add({QStringLiteral("--rule"), QStringLiteral("a"), QStringLiteral("--reason"),
                                        QStringLiteral("x"), QStringLiteral("--expires"), QStringLiteral("friday")})
                                << QStringLiteral("cannot read expiry 'friday'");
    QTest::newRow("past expiry") << add({QStringLiteral("--rule"), QStringLiteral("a"), QStringLiteral("--reason"),
                                         QStringLiteral("x"), QStringLiteral("--expires"), QStringLiteral("2001-01-01")})
                                 << QStringLiteral("already past");
    QTest::newRow("bad duration") << add({QStringLiteral("--rule"), QStringLiteral("a"), QStringLiteral("--reason"),
                                          QStringLiteral("x"), QStringLiteral("--for"), QStringLiteral("3 days")})
                                  << QStringLiteral("cannot read duration");
    QTest::newRow("both expiries") << add({QStringLiteral("--rule"), QStringLiteral("a"), QStringLiteral("--reason"),
                                           QStringLiteral("x"), QStringLiteral("--for"), QStringLiteral("3d"),
                                           QStringLiteral("--expires"), QStringLiteral("2099-01-01")})
                                   << QStringLiteral("not both");
    QTest::newRow("unknown option") << add({QStringLiteral("--rules"), QStringLiteral("a")})
                                    << QStringLiteral("unknown option --rules");
    QTest::newRow("unknown subcommand") << QStringList{QStringLiteral("mute"), QStringLiteral("edit")}
                                        << QStringLiteral("unknown subcommand 'edit'");
    QTest::newRow("missing database")
        << QStringList{QStringLiteral("mute"), QStringLiteral("add"), QStringLiteral("--db"), path("none.db"),
                       QStringLiteral("--rule"), QStringLiteral("a"), QStringLiteral("--reason"), QStringLiteral("x")}
        << QStringLiteral("does not exist");
    QTest::newRow("bad id") << QStringList{QStringLiteral("mute"), QStringLiteral("remove"), QStringLiteral("--db"),
                                           db, QStringLiteral("x1"), QStringLiteral("--reason"), QStringLiteral("x")}
                            << QStringLiteral("positive number");
}

void TestCliMute::refusals()
{
    QFETCH(QStringList, args);
    QFETCH(QString, message);
    if (!QFile::exists(path("refusals.db")))
        freshDb("refusals.db");
    const Run r = cli(args);
    QCOMPARE(r.code, 1);
    QVERIFY2(r.err.contains(message.toUtf8()), r.err.constData());
    QCOMPARE(r.err.count('\n'), 1); // one line
    QVERIFY(r.out.isEmpty());
    // Nothing was stored by a refused command.
    const Run list = cli({QStringLiteral("mute"), QStringLiteral("list"), QStringLiteral("--db"), path("refusals.db")});
    QCOMPARE(list.out, QByteArray("no mute rules\n"));
}

void TestCliMute::scanWithoutMuteIsUnchanged()
{
    const Run r = cli({QStringLiteral("scan"), QStringLiteral("--format"), QStringLiteral("jsonl"), m_events});
    QCOMPARE(r.code, 0);
    QVERIFY(!r.out.contains("suppress"));
    QVERIFY(!r.err.contains("muted"));
    QVERIFY(r.err.startsWith("scanned 3 lines: 3 events accepted, 0 lines rejected; "));
}

void TestCliMute::scanMuteChangesTheExitCode()
{
    const QStringList base{QStringLiteral("scan"), QStringLiteral("--format"), QStringLiteral("jsonl"),
                           QStringLiteral("--fail-on"), QStringLiteral("critical")};
    const Run before = cli(base + QStringList{m_events});
    QCOMPARE(before.code, 3); // the AWS key

    const QString file = writeFile("secret.json", R"({"vigil_mute_rules": 1, "rules": [
        {"rule": "secret.aws_access_key", "agent": "formatter", "reason": "rotated CI key",
         "author": "alice", "expires": null}]})");
    // The id the scanner gives that key: take it from the unmuted run.
    QString secretRule;
    for (const QJsonObject& o : jsonLines(before.out))
        if (o.value(QStringLiteral("category")).toString() == QStringLiteral("secret"))
            secretRule = o.value(QStringLiteral("rule")).toString();
    QVERIFY(!secretRule.isEmpty());
    QByteArray text;
    {
        QFile f(file);
        QVERIFY(f.open(QIODevice::ReadOnly));
        text = f.readAll().replace("secret.aws_access_key", secretRule.toUtf8());
    }
    writeFile("secret.json", text);

    const Run after = cli(base + QStringList{QStringLiteral("--mute"), file, m_events});
    QCOMPARE(after.code, 0);
    const auto lines = jsonLines(after.out);
    QCOMPARE(lines.size(), jsonLines(before.out).size()); // printed all the same
    int suppressed = 0;
    for (const QJsonObject& o : lines)
        if (o.value(QStringLiteral("suppressed")).toBool()) {
            ++suppressed;
            QCOMPARE(o.value(QStringLiteral("rule")).toString(), secretRule);
            QCOMPARE(o.value(QStringLiteral("suppression")).toString(),
                     QStringLiteral("rotated CI key"));
        }
    QCOMPARE(suppressed, 1);
    QVERIFY2(after.err.contains(", 1 muted;"), after.err.constData());

    // The emails still trip a lower threshold.
    const Run medium = cli({QStringLiteral("scan"), QStringLiteral("--format"), QStringLiteral("jsonl"),
                            QStringLiteral("--fail-on"), QStringLiteral("low"), QStringLiteral("--mute"), file,
                            m_events});
    QCOMPARE(medium.code, 3);
}

void TestCliMute::scanMuteMarksSarifSuppressed()
{
    const QString file = writeFile("pii.json", R"({"vigil_mute_rules": 1, "rules": [
        {"rule": "pii.email", "pattern": "*@test.example.com", "reason": "QA mailbox", "author": "bob"}]})");
    const Run r = cli({QStringLiteral("scan"), QStringLiteral("--format"), QStringLiteral("sarif"),
                       QStringLiteral("--mute"), file, m_events});
    QCOMPARE(r.code, 0);
    const QJsonArray results = QJsonDocument::fromJson(r.out).object().value(QStringLiteral("runs"))
                                   .toArray().at(0).toObject().value(QStringLiteral("results")).toArray();
    QVERIFY(results.size() >= 3);
    int suppressed = 0;
    for (const QJsonValue& v : results) {
        const QJsonObject res = v.toObject();
        if (!res.contains(QStringLiteral("suppressions")))
            continue;
        ++suppressed;
        const QJsonObject s = res.value(QStringLiteral("suppressions")).toArray().at(0).toObject();
        QCOMPARE(s.value(QStringLiteral("kind")).toString(), QStringLiteral("external"));
        QCOMPARE(s.value(QStringLiteral("justification")).toString(), QStringLiteral("QA mailbox"));
        QCOMPARE(res.value(QStringLiteral("locations")).toArray().at(0).toObject()
                     .value(QStringLiteral("physicalLocation")).toObject().value(QStringLiteral("region"))
                     .toObject().value(QStringLiteral("startLine")).toInt(),
                 1);
    }
    QCOMPARE(suppressed, 1); // the customer's email on line 2 is not muted
}

void TestCliMute::scanMuteTableAndExpiredRules()
{
    const QString expired = writeFile("expired.json", R"({"vigil_mute_rules": 1, "rules": [
        {"rule": "pii.email", "reason": "was noise", "author": "bob", "expires": "2001-01-01T00:00:00Z"}]})");
    const Run r = cli({QStringLiteral("scan"), QStringLiteral("--format"), QStringLiteral("table"),
                       QStringLiteral("--mute"), expired, m_events});
    QCOMPARE(r.code, 0);
    QVERIFY(!r.out.contains("[muted"));
    QVERIFY(r.err.contains(", 0 muted;"));

    const QString live = writeFile("live.json", R"({"vigil_mute_rules": 1, "rules": [
        {"agent": "planner", "reason": "planner runs against fixtures", "author": "bob"}]})");
    const Run t = cli({QStringLiteral("scan"), QStringLiteral("--format"), QStringLiteral("table"),
                       QStringLiteral("--mute"), live, m_events});
    QCOMPARE(t.code, 0);
    QVERIFY2(t.out.contains("[muted: planner runs against fixtures]"), t.out.constData());
}

void TestCliMute::scanMuteRefusesBadFiles()
{
    struct Case
    {
        const char* name;
        QByteArray text;
        const char* message;
    };
    const QList<Case> cases{
        {"empty-rule.json", R"({"vigil_mute_rules": 1, "rules": [{"reason": "everything"}]})",
         "would mute every finding; add \"all\": true"},
        {"bad-expiry.json", R"({"vigil_mute_rules": 1, "rules": [{"rule": "a", "reason": "x", "expires": "soon"}]})",
         "rule 1: cannot read expiry 'soon'"},
        {"not-json.json", "rules:", "not valid JSON"},
    };
    for (const Case& c : cases) {
        const QString file = writeFile(c.name, c.text);
        const Run r = cli({QStringLiteral("scan"), QStringLiteral("--mute"), file, m_events});
        QCOMPARE(r.code, 1);
        QVERIFY2(r.err.contains(c.message), r.err.constData());
        QVERIFY(r.out.isEmpty());
    }
    const Run missing = cli({QStringLiteral("scan"), QStringLiteral("--mute"), path("nope.json"), m_events});
    QCOMPARE(missing.code, 1);
    QVERIFY(missing.err.contains("nope.json"));
    const QString all = writeFile("all.json", R"({"vigil_mute_rules": 1, "rules": [{"reason": "freeze", "all": true}]})");
    const Run everything = cli({QStringLiteral("scan"), QStringLiteral("--format"), QStringLiteral("jsonl"),
                                QStringLiteral("--fail-on"), QStringLiteral("low"), QStringLiteral("--mute"), all,
                                m_events});
    QCOMPARE(everything.code, 0);
}

QTEST_GUILESS_MAIN(TestCliMute)
#include "tst_climute.moc"
