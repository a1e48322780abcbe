// SPDX-License-Identifier: Apache-2.0
// `vigil-cli serve` end to end: refusals, SIGTERM/SIGINT flush and exit 0, tokens that never
// reach stderr, limits from the command line, and tailing.
#include "livetestclient.h"
#include "serveprocess.h"
#include "testsupport.h"

#include "store/storereader.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

#include <sys/stat.h>

#include <fstream>
#include <thread>
#include <tuple>

using namespace vigil;
using namespace std::chrono_literals;
using test::LiveTestClient;
using test::seqEvent;
using test::ServeProcess;

namespace {

std::int64_t countRows(const std::string& db, const char* table)
{
    auto r = StoreReader::open(db);
    if (!r)
        return -1;
    auto st = SqlStatement::prepare(r->database(), std::string("SELECT COUNT(*) FROM ") + table);
    if (!st || !*st->step())
        return -1;
    return st->columnInt(0);
}

std::string lines(std::int64_t from, std::int64_t to)
{
    std::string s;
    for (std::int64_t i = from; i <= to; ++i)
        s += seqEvent(i, "ev-" + std::to_string(i)) + "\n";
    return s;
}

QProcessEnvironment envWithout(const QString& name)
{
    auto env = QProcessEnvironment::systemEnvironment();
    env.remove(name);
    return env;
}

} // namespace

class TestServe : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init() { QVERIFY(m_dir.isValid()); }
    void helpAndRefusals();
    void sigtermFlushesAndExitsZero();
    void sigintFlushesAndExitsZero();
    void tokenNeverInStderr();
    void limitsFromTheCommandLine();
    void handshakeLimitsFromTheCommandLine();
    void tailsFiles();

private:
    QString path(const QString& name) const { return m_dir.filePath(name); }
    QTemporaryDir m_dir;
};

void TestServe::helpAndRefusals()
{
    const auto env = envWithout(QStringLiteral("VIGIL_TOKEN"));
    {
        ServeProcess p;
        QCOMPARE(p.runToEnd({QStringLiteral("--help")}), 0);
    }
    {
        ServeProcess p;
        QCOMPARE(p.runToEnd({}, env), 1);
        QVERIFY(p.err().contains("missing --db"));
    }
    {
        // A non-loopback plaintext bind without a token refuses to start, and says why.
        ServeProcess p;
        QCOMPARE(p.runToEnd({QStringLiteral("--db"), path(QStringLiteral("a.db")),
                             QStringLiteral("--listen"), QStringLiteral("0.0.0.0:0")},
                            env),
                 1);
        const QByteArray err = p.err();
        QVERIFY2(err.contains("non-loopback") && err.contains("token"), err.constData());
        QCOMPARE(err.count('\n'), 1); // one line
    }
    {
        const std::string tokenFile = path(QStringLiteral("token")).toStdString();
        std::ofstream(tokenFile) << "do-not-print-me-7781\n";
        ::chmod(tokenFile.c_str(), 0644);
        ServeProcess p;
        QCOMPARE(p.runToEnd({QStringLiteral("--db"), path(QStringLiteral("a.db")),
                             QStringLiteral("--token-file"), QString::fromStdString(tokenFile)},
                            env),
                 1);
        QVERIFY(p.err().contains("chmod 600"));
        QVERIFY(!p.err().contains("do-not-print-me"));
    }
    {
        ServeProcess p;
        QCOMPARE(p.runToEnd({QStringLiteral("--db"), path(QStringLiteral("a.db")),
                             QStringLiteral("--tls-cert"), path(QStringLiteral("missing.pem"))},
                            env),
                 1);
        QVERIFY(p.err().contains("TLS needs both"));
    }
    {
        ServeProcess p;
        QCOMPARE(p.runToEnd({QStringLiteral("--db"), path(QStringLiteral("a.db")),
                             QStringLiteral("--listen"), QStringLiteral("nowhere")},
                            env),
                 1);
    }
}

void TestServe::sigtermFlushesAndExitsZero()
{
    const std::string db = path(QStringLiteral("term.db")).toStdString();
    ServeProcess p;
    // Lines wait with their connection for up to 10 s: only the flush on SIGTERM stores them.
    QVERIFY(p.start({QStringLiteral("--db"), QString::fromStdString(db), QStringLiteral("--listen"),
                     QStringLiteral("127.0.0.1:0"), QStringLiteral("--flush-ms"),
                     QStringLiteral("10000")}));
    QVERIFY(p.port() > 0);
    LiveTestClient acker, plain;
    QVERIFY(acker.connect(p.port()));
    QVERIFY(plain.connect(p.port()));
    QVERIFY(acker.sendAll("{\"hello\":{\"ack\":true}}\n" + lines(1, 400)));
    QVERIFY(plain.sendAll(lines(401, 500)));
    std::this_thread::sleep_for(500ms);
    QCOMPARE(acker.acked(), 0);
    QCOMPARE(p.stop(SIGTERM), 0);
    QCOMPARE(acker.waitAck(400, 5000), 400); // the last acknowledgement went out first
    QCOMPARE(countRows(db, "events"), 500);
    const QByteArray err = p.err();
    QVERIFY2(err.contains("stopping on SIGTERM"), err.constData());
    QVERIFY2(err.contains("500 accepted"), err.constData());
}

void TestServe::sigintFlushesAndExitsZero()
{
    const std::string db = path(QStringLiteral("int.db")).toStdString();
    ServeProcess p;
    QVERIFY(p.start({QStringLiteral("--db"), QString::fromStdString(db), QStringLiteral("--listen"),
                     QStringLiteral("127.0.0.1:0"), QStringLiteral("--flush-ms"),
                     QStringLiteral("10000")}));
    LiveTestClient c;
    QVERIFY(c.connect(p.port()));
    QVERIFY(c.sendAll(lines(1, 50)));
    std::this_thread::sleep_for(300ms);
    QCOMPARE(p.stop(SIGINT), 0);
    QCOMPARE(countRows(db, "events"), 50);
}

void TestServe::tokenNeverInStderr()
{
    const std::string db = path(QStringLiteral("token.db")).toStdString();
    const std::string token = "env-token-5b2c9e01aa";
    auto env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("VIGIL_TOKEN"), QString::fromStdString(token));
    ServeProcess p;
    QVERIFY(p.start({QStringLiteral("--db"), QString::fromStdString(db), QStringLiteral("--listen"),
                     QStringLiteral("127.0.0.1:0")},
                    env));
    QVERIFY(p.err().contains("token required"));
    LiveTestClient missing, wrong;
    QVERIFY(missing.connect(p.port()));
    QVERIFY(missing.sendAll(lines(1, 10)));
    QVERIFY(missing.waitClosed(5000));
    QVERIFY(wrong.connect(p.port()));
    QVERIFY(wrong.sendAll("{\"auth\":\"env-token-5b2c9e01ab\"}\n" + lines(11, 20)));
    QVERIFY(wrong.waitClosed(5000));
    std::this_thread::sleep_for(300ms);
    QCOMPARE(countRows(db, "events"), 0);
    QCOMPARE(countRows(db, "quarantine"), 0);

    LiveTestClient right;
    QVERIFY(right.connect(p.port()));
    QVERIFY(right.sendAll("{\"auth\":\"" + token + "\"}\n{\"hello\":{\"ack\":true}}\n" +
                          lines(21, 30)));
    QCOMPARE(right.waitAck(10, 5000), 10);
    QCOMPARE(p.stop(), 0);
    const QByteArray err = p.err();
    QVERIFY2(err.contains("authentication failed"), err.constData());
    QVERIFY(!err.contains(token.c_str()));
    QVERIFY(!err.contains("env-token-5b2c9e01ab"));
    QCOMPARE(countRows(db, "events"), 10);
    // Nor in the database's live counters.
    auto r = StoreReader::open(db);
    auto st = SqlStatement::prepare(r->database(), "SELECT value FROM meta WHERE key='live_stats'");
    QVERIFY(*st->step());
    QVERIFY(st->columnText(0).find(token) == std::string::npos);
    QVERIFY(st->columnText(0).find("\"auth_failures\":2") != std::string::npos);

    // `vigil-cli stats` shows those counters beside the totals.
    QProcess stats;
    stats.start(QStringLiteral(VIGIL_CLI_PATH),
                {QStringLiteral("stats"), QStringLiteral("--db"), QString::fromStdString(db)});
    QVERIFY(stats.waitForFinished(30000));
    QCOMPARE(stats.exitCode(), 0);
    const QJsonObject totals = QJsonDocument::fromJson(stats.readAllStandardOutput()).object();
    QCOMPARE(totals.value(QStringLiteral("events")).toInteger(), 10);
    const QJsonObject live = totals.value(QStringLiteral("live")).toObject();
    QCOMPARE(live.value(QStringLiteral("auth_failures")).toInteger(), 2);
    QCOMPARE(live.value(QStringLiteral("accepted")).toInteger(), 10);
    QVERIFY(live.value(QStringLiteral("written_at")).toString().endsWith(u'Z'));
    QVERIFY(live.contains(QStringLiteral("writer_queue_depth")));
    QProcess table;
    table.start(QStringLiteral(VIGIL_CLI_PATH), {QStringLiteral("stats"), QStringLiteral("--db"),
                                                 QString::fromStdString(db), QStringLiteral("--format"),
                                                 QStringLiteral("table")});
    QVERIFY(table.waitForFinished(30000));
    QCOMPARE(table.exitCode(), 0);
    const QByteArray text = table.readAllStandardOutput();
    QVERIFY2(text.contains("\nlive        127.0.0.1:") && text.contains("\n  events/s  "),
             text.constData());
}

void TestServe::limitsFromTheCommandLine()
{
    const std::string db = path(QStringLiteral("limits.db")).toStdString();
    ServeProcess p;
    QVERIFY(
        p.start({QStringLiteral("--db"), QString::fromStdString(db), QStringLiteral("--listen"),
                 QStringLiteral("127.0.0.1:0"), QStringLiteral("--max-connections"),
                 QStringLiteral("2"), QStringLiteral("--idle-timeout"), QStringLiteral("0.8")}));
    LiveTestClient a, b, c;
    QVERIFY(a.connect(p.port()));
    QVERIFY(b.connect(p.port()));
    std::this_thread::sleep_for(100ms);
    QVERIFY(c.connect(p.port()));
    QVERIFY(c.waitClosed(2000));                   // the third of two is closed at once
    QVERIFY(b.sendAll(seqEvent(1).substr(0, 20))); // trickles, never completes a line
    const auto started = std::chrono::steady_clock::now();
    QVERIFY(a.waitClosed(5000)); // idle
    QVERIFY(b.waitClosed(5000)); // trickling
    QVERIFY(std::chrono::steady_clock::now() - started < 3s);
    QCOMPARE(p.stop(), 0);
    const QByteArray err = p.err();
    QVERIFY2(err.contains("(1 refused"), err.constData());
    QVERIFY2(err.contains("2 closed idle"), err.constData());
}

void TestServe::handshakeLimitsFromTheCommandLine()
{
    QProcess help;
    help.start(QStringLiteral(VIGIL_CLI_PATH), {QStringLiteral("serve"), QStringLiteral("--help")});
    QVERIFY(help.waitForFinished(30000));
    const QByteArray text = help.readAllStandardOutput();
    QVERIFY2(text.contains("--handshake-timeout") && text.contains("--max-per-address"),
             text.constData());
    const auto env = envWithout(QStringLiteral("VIGIL_TOKEN"));
    const QString db = path(QStringLiteral("hs.db"));
    for (const auto& [option, value, message] :
         {std::tuple{"--handshake-timeout", "0", "--handshake-timeout takes a number of seconds"},
          std::tuple{"--handshake-timeout", "soon",
                     "--handshake-timeout takes a number of seconds"},
          std::tuple{"--max-per-address", "-1", "--max-per-address takes a number"}}) {
        ServeProcess p;
        QCOMPARE(p.runToEnd({QStringLiteral("--db"), db, QString::fromUtf8(option),
                             QString::fromUtf8(value)},
                            env),
                 1);
        QVERIFY2(p.err().contains(message), p.err().constData());
    }

    const std::string token = "hs-token-40d1";
    auto withToken = env;
    withToken.insert(QStringLiteral("VIGIL_TOKEN"), QString::fromStdString(token));
    ServeProcess p;
    QVERIFY(
        p.start({QStringLiteral("--db"), db, QStringLiteral("--listen"),
                 QStringLiteral("127.0.0.1:0"), QStringLiteral("--handshake-timeout"),
                 QStringLiteral("0.4"), QStringLiteral("--max-per-address"), QStringLiteral("4")},
                withToken));
    LiveTestClient silent;
    QVERIFY(silent.connect(p.port()));
    QVERIFY(silent.sendAll("{\"auth\":")); // and never the rest
    QVERIFY(silent.waitClosed(3000));      // before the default 5 s could have
    // Loopback peers are not limited per address: more than 4 authenticate and are served.
    std::vector<LiveTestClient> clients(6);
    for (std::size_t i = 0; i < clients.size(); ++i) {
        QVERIFY(clients[i].connect(p.port()));
        QVERIFY(clients[i].sendAll("{\"auth\":\"" + token + "\"}\n{\"hello\":{\"ack\":true}}\n" +
                                   lines(std::int64_t(i) + 1, std::int64_t(i) + 1)));
    }
    for (auto& c : clients)
        QCOMPARE(c.waitAck(1, 5000), 1);
    QCOMPARE(p.stop(), 0);
    const QByteArray err = p.err();
    QVERIFY2(err.contains("handshake not completed within 400 ms"), err.constData());
    QVERIFY2(err.contains("1 closed in their handshake"), err.constData());
    QVERIFY(!err.contains(token.c_str()));
}

void TestServe::tailsFiles()
{
    const std::string db = path(QStringLiteral("tail.db")).toStdString();
    const std::string log = path(QStringLiteral("app.log")).toStdString();
    std::ofstream(log) << lines(1, 20);
    ServeProcess p;
    QVERIFY(
        p.start({QStringLiteral("--db"), QString::fromStdString(db), QStringLiteral("--listen"),
                 QStringLiteral("off"), QStringLiteral("--tail"), QString::fromStdString(log)}));
    QVERIFY(p.err().contains("not listening; following"));
    std::ofstream(log, std::ios::app) << lines(21, 30);
    QElapsedTimer t;
    t.start();
    while (countRows(db, "events") < 30 && t.elapsed() < 10000)
        std::this_thread::sleep_for(20ms);
    QCOMPARE(p.stop(), 0);
    QCOMPARE(countRows(db, "events"), 30);
    // A restart resumes at the stored offset: nothing twice.
    std::ofstream(log, std::ios::app) << lines(31, 35);
    ServeProcess again;
    QVERIFY(again.start({QStringLiteral("--db"), QString::fromStdString(db),
                         QStringLiteral("--listen"), QStringLiteral("off"),
                         QStringLiteral("--tail"), QString::fromStdString(log)}));
    t.restart();
    while (countRows(db, "events") < 35 && t.elapsed() < 10000)
        std::this_thread::sleep_for(20ms);
    QCOMPARE(again.stop(), 0);
    QCOMPARE(countRows(db, "events"), 35);
    QCOMPARE(countRows(db, "quarantine"), 0);
}

QTEST_GUILESS_MAIN(TestServe)
#include "tst_serve.moc"
