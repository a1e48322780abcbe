// SPDX-License-Identifier: Apache-2.0
// The official OpenTelemetry JavaScript SDK (npm, pinned in tests/clients/otel/package-lock.json)
// exports an agent run to `vigil-cli serve --http`, once with its OTLP/HTTP JSON exporters and
// once with its protobuf ones: GenAI spans whose children end, and are
// exported, before their parent, and a log record sent in its own request before the spans
// it belongs to. Every record must reach the database with the parent's agent, the
// conversation as its thread, the tool call mapped to an IAM action, and the scanners' findings.
#include "serveprocess.h"
#include "testsupport.h"

#include <nlohmann/json.hpp>

#include <QDir>
#include <QFile>
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

#include <sys/stat.h>

using namespace vigil;

namespace {

struct Run
{
    int code = -1;
    QByteArray out, err;
};

Run run(const QString& program, const QStringList& args, const QString& dir = {},
        int timeoutMs = 60000)
{
    QProcess p;
    if (!dir.isEmpty())
        p.setWorkingDirectory(dir);
    p.start(program, args);
    if (!p.waitForStarted(10000))
        return Run{-1, {}, program.toUtf8() + " did not start"};
    if (!p.waitForFinished(timeoutMs)) {
        p.kill();
        p.waitForFinished(5000);
        return Run{-1, p.readAllStandardOutput(), p.readAllStandardError() + " (timed out)"};
    }
    return Run{p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1, p.readAllStandardOutput(),
               p.readAllStandardError()};
}

QString clientDir()
{
    return QDir(test::dataPath(QStringLiteral("../clients/otel"))).absolutePath();
}

/// Rows of `sql` as lines of `|`-separated columns (the sqlite3 shell's list mode).
QStringList rows(const QString& db, const QString& sql)
{
    const Run r = run(QStringLiteral("sqlite3"), {db, sql});
    if (r.code != 0)
        return {QStringLiteral("sqlite3 failed: ") + QString::fromUtf8(r.err)};
    return QString::fromUtf8(r.out).split(QLatin1Char('\n'), Qt::SkipEmptyParts);
}

} // namespace

class TestOtelSdk : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void agentRunArrivesWhole_data();
    void agentRunArrivesWhole();
    void wrongTokenFailsTheExport_data();
    void wrongTokenFailsTheExport();

private:
    QString startServe(test::ServeProcess& serve, const QString& db);
    QTemporaryDir m_dir;
};

void TestOtelSdk::initTestCase()
{
    QVERIFY(m_dir.isValid());
    // Installed by packaging/setup.sh (npm ci in tests/clients/otel); missing is a failure.
    QVERIFY2(run(QStringLiteral("node"), {QStringLiteral("--version")}).code == 0,
             "node is not installed (Debian package nodejs; packaging/setup.sh installs it)");
    QVERIFY2(QFile::exists(clientDir() + QStringLiteral("/node_modules/@opentelemetry/sdk-trace-base")),
             "the OpenTelemetry SDK is not installed: run npm ci in tests/clients/otel "
             "(packaging/setup.sh test does)");
    QFile token(m_dir.filePath(QStringLiteral("token")));
    QVERIFY(token.open(QIODevice::WriteOnly));
    token.write("otel-sdk-token-77\n");
    token.close();
    ::chmod(token.fileName().toLocal8Bit().constData(), 0600);
}

QString TestOtelSdk::startServe(test::ServeProcess& serve, const QString& db)
{
    if (!serve.start({QStringLiteral("--db"), db, QStringLiteral("--listen"), QStringLiteral("off"),
                      QStringLiteral("--http"), QStringLiteral("127.0.0.1:0"),
                      QStringLiteral("--token-file"), m_dir.filePath(QStringLiteral("token"))}) ||
        serve.httpPort() == 0)
        return {};
    return QStringLiteral("http://127.0.0.1:%1").arg(serve.httpPort());
}

void TestOtelSdk::agentRunArrivesWhole_data()
{
    QTest::addColumn<QString>("protocol");
    QTest::newRow("http/json") << QStringLiteral("json");
    QTest::newRow("http/protobuf") << QStringLiteral("protobuf");
}

void TestOtelSdk::agentRunArrivesWhole()
{
    QFETCH(QString, protocol);
    const QString db = m_dir.filePath(QStringLiteral("otel-%1.db").arg(protocol));
    test::ServeProcess serve;
    const QString base = startServe(serve, db);
    QVERIFY2(!base.isEmpty(), serve.err().constData());

    const Run sdk = run(QStringLiteral("node"),
                        {QStringLiteral("emit.mjs"), base, QStringLiteral("otel-sdk-token-77"),
                         QStringLiteral("run1"), protocol},
                        clientDir());
    // The SDK reports success only for exports answered 200, which Vigil sends once stored.
    QVERIFY2(sdk.code == 0, (sdk.out + sdk.err).constData());
    QCOMPARE(serve.stop(), 0);

    // Three spans and the log record, every one with the agent of the invoke_agent span
    // that was exported after them, in the conversation's thread, in one trace.
    const QStringList events = rows(db, QStringLiteral(
        "SELECT event_type, agent, thread_id FROM events ORDER BY event_type"));
    QCOMPARE(events, (QStringList{QStringLiteral("agent_invoked|research-agent|conv-run1"),
                                  QStringLiteral("tool_call|research-agent|conv-run1"),
                                  QStringLiteral("user_query_received|research-agent|conv-run1"),
                                  QStringLiteral("worker_invoked|research-agent|conv-run1")}));
    QCOMPARE(rows(db, QStringLiteral("SELECT COUNT(DISTINCT trace_id) FROM events WHERE trace_id <> ''")),
             QStringList{QStringLiteral("1")});
    // The tool call is an IAM action (the built-in tool table) and its error status counts.
    QCOMPARE(rows(db, QStringLiteral("SELECT json_extract(details, '$.action'), "
                                     "json_extract(details, '$.resource') FROM events "
                                     "WHERE event_type = 'tool_call'")),
             QStringList{QStringLiteral("fs:ReadFile|file//etc/passwd")});
    QCOMPARE(rows(db, QStringLiteral("SELECT severity >= 2 FROM events WHERE event_type = 'tool_call'")),
             QStringList{QStringLiteral("1")});
    // The prompt's injection attempt and e-mail address were scanned where they arrived: in
    // the chat span's messages and in the log record's body.
    QCOMPARE(rows(db, QStringLiteral("SELECT DISTINCT e.event_type FROM findings f JOIN events e "
                                     "ON e.id = f.event_rowid WHERE f.category = 'injection' "
                                     "ORDER BY 1")),
             (QStringList{QStringLiteral("user_query_received"), QStringLiteral("worker_invoked")}));
    QVERIFY(!rows(db, QStringLiteral("SELECT 1 FROM findings WHERE category = 'pii' LIMIT 1")).isEmpty());
    QCOMPARE(rows(db, QStringLiteral("SELECT COUNT(*) FROM quarantine")), QStringList{QStringLiteral("0")});

    // A second run, into the same database after a restart, is a trace of its own.
    test::ServeProcess again;
    const QString base2 = startServe(again, db);
    QVERIFY2(!base2.isEmpty(), again.err().constData());
    const Run resend = run(QStringLiteral("node"),
                           {QStringLiteral("emit.mjs"), base2, QStringLiteral("otel-sdk-token-77"),
                            QStringLiteral("run2"), protocol},
                           clientDir());
    QVERIFY2(resend.code == 0, (resend.out + resend.err).constData());
    QCOMPARE(again.stop(), 0);
    QCOMPARE(rows(db, QStringLiteral("SELECT COUNT(*) FROM events")), QStringList{QStringLiteral("8")});
    QCOMPARE(rows(db, QStringLiteral("SELECT COUNT(DISTINCT trace_id) FROM events")),
             QStringList{QStringLiteral("2")});
}

void TestOtelSdk::wrongTokenFailsTheExport_data()
{
    agentRunArrivesWhole_data();
}

void TestOtelSdk::wrongTokenFailsTheExport()
{
    QFETCH(QString, protocol);
    const QString db = m_dir.filePath(QStringLiteral("refused-%1.db").arg(protocol));
    test::ServeProcess serve;
    const QString base = startServe(serve, db);
    QVERIFY2(!base.isEmpty(), serve.err().constData());
    const Run sdk = run(QStringLiteral("node"),
                        {QStringLiteral("emit.mjs"), base, QStringLiteral("not-the-token"),
                         QStringLiteral("run3"), protocol},
                        clientDir());
    QCOMPARE(sdk.code, 1); // the exporter saw the 401
    QCOMPARE(serve.stop(), 0);
    QVERIFY(serve.err().contains("answered 401"));
    QCOMPARE(rows(db, QStringLiteral("SELECT COUNT(*) FROM events")), QStringList{QStringLiteral("0")});
}

QTEST_GUILESS_MAIN(TestOtelSdk)
#include "tst_otelsdk.moc"
