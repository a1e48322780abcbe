// SPDX-License-Identifier: Apache-2.0
// `vigil-cli query`: the three output formats byte for byte, the caret under a syntax error,
// saved queries (list, save, run, delete) and the exit codes of spec/cli.md.
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

Run cli(std::initializer_list<const char*> fixed, const QStringList& more = {})
{
    QStringList args;
    for (const char* a : fixed)
        args << QString::fromUtf8(a);
    args << more;
    QProcess p;
    p.start(QStringLiteral(VIGIL_CLI_PATH), args);
    p.closeWriteChannel();
    if (!p.waitForFinished(120000)) {
        p.kill();
        p.waitForFinished();
        return Run{-2, p.readAllStandardOutput(), p.readAllStandardError()};
    }
    return Run{p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1, p.readAllStandardOutput(),
               p.readAllStandardError()};
}

// Four events: two security events (one with text a spreadsheet would run as a formula)
// and two denied tool calls.
const char* const kEvents =
    "{\"timestamp\":\"2026-11-21T10:00:01.000Z\",\"event_type\":\"security_event\",\"agent_name\":\"guard\","
    "\"thread_id\":\"t-1\",\"severity\":\"warning\",\"event_id\":\"e1\",\"details\":{\"type\":\"prompt_injection\","
    "\"details\":\"said \\\"stop\\\", then left\"}}\n"
    "{\"timestamp\":\"2026-11-21T10:00:02.000Z\",\"event_type\":\"tool_call\",\"agent_name\":\"sql-writer\","
    "\"thread_id\":\"t-1\",\"severity\":\"info\",\"event_id\":\"e2\",\"details\":{\"action\":\"s3:DeleteObject\","
    "\"resource\":\"arn:aws:s3:::b/k\",\"outcome\":\"denied\"}}\n"
    "{\"timestamp\":\"2026-11-21T10:00:03.000Z\",\"event_type\":\"tool_call\",\"agent_name\":\"reporter\","
    "\"thread_id\":\"t-2\",\"severity\":\"info\",\"event_id\":\"e3\",\"details\":{\"action\":\"s3:GetObject\","
    "\"resource\":\"arn:aws:s3:::b/k\",\"outcome\":\"denied\"}}\n"
    "{\"timestamp\":\"2026-11-21T10:00:04.000Z\",\"event_type\":\"security_event\",\"agent_name\":\"brain\","
    "\"thread_id\":\"t-2\",\"severity\":\"critical\",\"event_id\":\"e4\",\"details\":{\"type\":\"exfiltration\","
    "\"details\":\"=HYPERLINK(\\\"http://x\\\")\"}}\n"
    "{\"timestamp\":\"2026-11-21T10:00:05.000Z\",\"event_type\":\"worker_result\",\"agent_name\":\"formatter\","
    "\"thread_id\":\"t-3\",\"severity\":\"info\",\"event_id\":\"e5\",\"details\":{\"output_hash\":\"abc\","
    "\"confidence\":0.9,\"latency_ms\":12,\"output\":\"write to maria.lopez@example.com today\"}}\n";

} // namespace

class TestCliQuery : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void tableFormat();
    void csvQuotesAndGuards();
    void jsonFormat();
    void syntaxErrorShowsACaret();
    void builtinQueries();
    void savedQueriesRoundTrip();
    void redactsUnlessUnredacted();
    void usageErrors();
    void injectionTextIsData();

private:
    QString db() const { return m_dir.filePath(QStringLiteral("q.db")); }
    QTemporaryDir m_dir;
};

void TestCliQuery::initTestCase()
{
    QVERIFY(m_dir.isValid());
    const QString input = m_dir.filePath(QStringLiteral("events.jsonl"));
    QFile f(input);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write(kEvents);
    f.close();
    const Run r = cli({"import", "--db"}, {db(), input});
    QVERIFY2(r.code == 0, r.err.constData());
    QVERIFY2(r.out.contains("accepted 5"), r.out.constData());
}

void TestCliQuery::tableFormat()
{
    const Run r = cli({"query", "--db"}, {db(), QStringLiteral("fields @timestamp, agent_name, severity | filter "
                                                               "event_type = \"security_event\"")});
    QCOMPARE(r.code, 0);
    QCOMPARE(r.out, QByteArray("@timestamp                agent_name  severity\n"
                               "------------------------  ----------  --------\n"
                               "2026-11-21T10:00:04.000Z  brain       critical\n"
                               "2026-11-21T10:00:01.000Z  guard       warning\n"));
    QCOMPARE(r.err, QByteArray("2 rows\n"));

    const Run cut = cli({"query", "--db"}, {db(), QStringLiteral("fields agent | sort @timestamp asc | limit 1")});
    QCOMPARE(cut.code, 0);
    QCOMPARE(cut.out, QByteArray("agent\n-----\nguard\n"));
    QCOMPARE(cut.err, QByteArray("1 row (more match: the limit stopped it; raise it with '| limit N', at most "
                                 "100,000)\n"));
}

void TestCliQuery::csvQuotesAndGuards()
{
    const Run r = cli({"query", "--format", "csv", "--db"},
                      {db(), QStringLiteral("filter event_type = \"security_event\" | fields agent, details.details, "
                                            "details | sort agent")});
    QCOMPARE(r.code, 0);
    QCOMPARE(r.out, QByteArray("agent,details.details,details\r\n"
                               "brain,\"'=HYPERLINK(\"\"http://x\"\")\",\"{\"\"type\"\":\"\"exfiltration\"\",\"\"details\"\":"
                               "\"\"=HYPERLINK(\\\"\"http://x\\\"\")\"\"}\"\r\n"
                               "guard,\"said \"\"stop\"\", then left\",\"{\"\"type\"\":\"\"prompt_injection\"\",\"\"details\"\":"
                               "\"\"said \\\"\"stop\\\"\", then left\"\"}\"\r\n"));
}

void TestCliQuery::jsonFormat()
{
    const Run r = cli({"query", "--format", "json", "--db"},
                      {db(), QStringLiteral("fields @timestamp, agent, severity, details.outcome, user_id | filter "
                                            "event_type = \"tool_call\" | sort @timestamp")});
    QCOMPARE(r.code, 0);
    const QJsonArray rows = QJsonDocument::fromJson(r.out).array();
    QCOMPARE(rows.size(), 2);
    const QJsonObject first = rows.at(0).toObject();
    QCOMPARE(first.value(QStringLiteral("@timestamp")).toString(), QStringLiteral("2026-11-21T10:00:02.000Z"));
    QCOMPARE(first.value(QStringLiteral("agent")).toString(), QStringLiteral("sql-writer"));
    QCOMPARE(first.value(QStringLiteral("severity")).toString(), QStringLiteral("info"));
    QCOMPARE(first.value(QStringLiteral("details.outcome")).toString(), QStringLiteral("denied"));
    QVERIFY(first.value(QStringLiteral("user_id")).isNull());
    QCOMPARE(first.keys().size(), 5);

    const Run s = cli({"query", "--format", "json", "--db"}, {db(), QStringLiteral("stats count() by severity")});
    QCOMPARE(s.code, 0);
    const QJsonArray groups = QJsonDocument::fromJson(s.out).array();
    QCOMPARE(groups.size(), 3);
    QCOMPARE(groups.at(0).toObject().value(QStringLiteral("severity")).toString(), QStringLiteral("info"));
    QCOMPARE(groups.at(0).toObject().value(QStringLiteral("count")).toInt(), 3); // a number, not text
}

void TestCliQuery::syntaxErrorShowsACaret()
{
    const Run r = cli({"query", "--db"}, {db(), QStringLiteral("filter agent = \"a\" | sort agnt")});
    QCOMPARE(r.code, 1);
    QVERIFY(r.out.isEmpty());
    QCOMPARE(r.err, QByteArray("vigil-cli query: unknown field 'agnt' at column 27; did you mean 'agent'?\n"
                               "  filter agent = \"a\" | sort agnt\n"
                               "                            ^^^^\n"));
    // A query on several lines is shown on one, so the caret still sits under the column.
    const Run m = cli({"query", "--db"}, {db(), QStringLiteral("filter agent = \"a\"\n| limit 0")});
    QCOMPARE(m.code, 1);
    QCOMPARE(m.err, QByteArray("vigil-cli query: limit 0 is outside 1..100000 at column 28\n"
                               "  filter agent = \"a\" | limit 0\n"
                               "                             ^\n"));
}

void TestCliQuery::builtinQueries()
{
    const Run r = cli({"query", "--saved", "suspicious-activity", "--db"}, {db()});
    QCOMPARE(r.code, 0);
    QVERIFY(r.out.startsWith("@timestamp                event_type      agent_name  details\n"));
    QCOMPARE(r.out.count('\n'), 4);
    QCOMPARE(r.err, QByteArray("2 rows\n"));

    const Run d = cli({"query", "--saved", "denied-tool-calls", "--format", "csv", "--db"}, {db()});
    QCOMPARE(d.code, 0);
    QCOMPARE(d.out, QByteArray("agent,denied\r\nreporter,1\r\nsql-writer,1\r\n"));

    const Run missing = cli({"query", "--saved", "nope", "--db"}, {db()});
    QCOMPARE(missing.code, 1);
    QCOMPARE(missing.err, QByteArray("vigil-cli query: no saved query is called 'nope' (see --list)\n"));
}

void TestCliQuery::savedQueriesRoundTrip()
{
    const Run save = cli({"query", "--save", "guard-only", "--author", "alice", "--db"},
                         {db(), QStringLiteral("filter agent = \"guard\" | fields agent, event_type")});
    QCOMPARE(save.code, 0);
    QCOMPARE(save.out, QByteArray("saved query guard-only\n"));

    const Run list = cli({"query", "--list", "--format", "json", "--db"}, {db()});
    QCOMPARE(list.code, 0);
    const QJsonArray all = QJsonDocument::fromJson(list.out).array();
    QVERIFY(all.size() >= 4);
    QCOMPARE(all.at(0).toObject().value(QStringLiteral("name")).toString(), QStringLiteral("suspicious-activity"));
    QVERIFY(all.at(0).toObject().value(QStringLiteral("builtin")).toBool());
    const QJsonObject mine = all.last().toObject();
    QCOMPARE(mine.value(QStringLiteral("name")).toString(), QStringLiteral("guard-only"));
    QCOMPARE(mine.value(QStringLiteral("author")).toString(), QStringLiteral("alice"));
    QVERIFY(!mine.value(QStringLiteral("builtin")).toBool());
    QCOMPARE(mine.value(QStringLiteral("query")).toString(),
             QStringLiteral("filter agent = \"guard\" | fields agent, event_type"));

    const Run table = cli({"query", "--list", "--db"}, {db()});
    QCOMPARE(table.code, 0);
    QVERIFY(table.out.startsWith("name "));
    QVERIFY(table.out.contains("\nguard-only "));
    QVERIFY(table.out.contains(" saved by alice\n"));

    const Run runIt = cli({"query", "--saved", "guard-only", "--format", "csv", "--db"}, {db()});
    QCOMPARE(runIt.code, 0);
    QCOMPARE(runIt.out, QByteArray("agent,event_type\r\nguard,security_event\r\n"));

    const Run bad = cli({"query", "--save", "broken", "--db"}, {db(), QStringLiteral("filter agent = 5")});
    QCOMPARE(bad.code, 1);
    QCOMPARE(bad.err, QByteArray("vigil-cli query: 'agent' is text: write the value in quotes, \"5\" at column 16\n"
                                 "  filter agent = 5\n"
                                 "                 ^\n"));
    const Run builtin = cli({"query", "--save", "suspicious-activity", "--db"}, {db(), QStringLiteral("limit 1")});
    QCOMPARE(builtin.code, 1);
    QCOMPARE(builtin.err, QByteArray("vigil-cli query: 'suspicious-activity' is a built-in query; choose another name\n"));
    const Run badName = cli({"query", "--save", "Bad Name", "--db"}, {db(), QStringLiteral("limit 1")});
    QCOMPARE(badName.code, 1);
    QVERIFY(badName.err.startsWith("vigil-cli query: query name 'Bad Name' may hold only"));

    const Run del = cli({"query", "--delete", "guard-only", "--db"}, {db()});
    QCOMPARE(del.code, 0);
    QCOMPARE(del.out, QByteArray("deleted query guard-only\n"));
    const Run again = cli({"query", "--delete", "guard-only", "--db"}, {db()});
    QCOMPARE(again.code, 1);
    QCOMPARE(again.err, QByteArray("vigil-cli query: no saved query is called 'guard-only'\n"));
    const Run delBuiltin = cli({"query", "--delete", "denied-tool-calls", "--db"}, {db()});
    QCOMPARE(delBuiltin.code, 1);
    QCOMPARE(delBuiltin.err,
             QByteArray("vigil-cli query: 'denied-tool-calls' is a built-in query and cannot be deleted\n"));
}

void TestCliQuery::redactsUnlessUnredacted()
{
    const QString q = QStringLiteral("fields details.output | filter event_type = \"worker_result\"");
    const Run r = cli({"query", "--format", "csv", "--db"}, {db(), q});
    QCOMPARE(r.code, 0);
    QCOMPARE(r.out, QByteArray("details.output\r\nwrite to [REDACTED:pii.email] today\r\n"));
    const Run raw = cli({"query", "--unredacted", "--format", "csv", "--db"}, {db(), q});
    QCOMPARE(raw.code, 0);
    QCOMPARE(raw.out, QByteArray("details.output\r\nwrite to maria.lopez@example.com today\r\n"));
}

void TestCliQuery::usageErrors()
{
    QCOMPARE(cli({"query", "--help"}).code, 0);
    const struct
    {
        std::initializer_list<const char*> args;
        const char* err;
    } cases[] = {
        {{"query", "limit 1"}, "vigil-cli query: missing --db DB\n"},
        {{"query", "--db", "x.db"}, "vigil-cli query: missing QUERY (or --saved NAME, --list)\n"},
        {{"query", "--db", "x.db", "--format", "xml", "limit 1"}, "vigil-cli query: --format must be table, json or csv\n"},
        {{"query", "--db", "x.db", "--list", "--saved", "a"}, "vigil-cli query: use one of --saved, --save, --delete and --list\n"},
        {{"query", "--db", "x.db", "limit", "1"}, "vigil-cli query: unexpected argument 1 (quote the whole query as one argument)\n"},
        {{"query", "--db", "x.db", "--save", "a"}, "vigil-cli query: missing the QUERY to save\n"},
        {{"query", "--db", "x.db", "--author", "a", "limit 1"}, "vigil-cli query: --author goes with --save\n"},
        {{"query", "--db", "x.db", "--list", "--unredacted"}, "vigil-cli query: --unredacted goes with a query or --saved\n"},
    };
    for (const auto& c : cases) {
        const Run r = cli(c.args);
        QCOMPARE(r.code, 1);
        QCOMPARE(r.err, QByteArray(c.err));
        QVERIFY(r.out.isEmpty());
    }
    const QString none = m_dir.filePath(QStringLiteral("none.db"));
    const Run noDb = cli({"query", "--db"}, {none, QStringLiteral("limit 1")});
    QCOMPARE(noDb.code, 1);
    QVERIFY(noDb.err.startsWith("vigil-cli query: database "));
    QVERIFY(noDb.err.endsWith(" does not exist\n"));
    // Saving into a mistyped path does not create a database there.
    const Run saveNoDb = cli({"query", "--save", "x", "--db"}, {none, QStringLiteral("limit 1")});
    QCOMPARE(saveNoDb.code, 1);
    QCOMPARE(saveNoDb.err, "vigil-cli query: database " + none.toUtf8() + " does not exist\n");
    QVERIFY(!QFile::exists(none));
}

void TestCliQuery::injectionTextIsData()
{
    const Run lit = cli({"query", "--db"}, {db(), QStringLiteral("filter agent = \"x' OR 1=1 --\" or agent = 'x\\' "
                                                                 "OR \\'1\\'=\\'1'")});
    QCOMPARE(lit.code, 0);
    QCOMPARE(lit.err, QByteArray("0 rows\n"));
    const Run field = cli({"query", "--db"}, {db(), QStringLiteral("fields agent; DROP TABLE events")});
    QCOMPARE(field.code, 1);
    QCOMPARE(field.err.left(field.err.indexOf('\n')),
             QByteArray("vigil-cli query: unexpected character ';' at column 13"));
    const Run save = cli({"query", "--save", "x'; DROP TABLE events; --", "--db"}, {db(), QStringLiteral("limit 1")});
    QCOMPARE(save.code, 1);
    const Run count = cli({"query", "--format", "csv", "--db"}, {db(), QStringLiteral("stats count()")});
    QCOMPARE(count.out, QByteArray("count\r\n5\r\n"));
}

QTEST_GUILESS_MAIN(TestCliQuery)
#include "tst_cliquery.moc"
