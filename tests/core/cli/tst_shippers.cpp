// SPDX-License-Identifier: Apache-2.0
// Real shippers against `vigil-cli serve --http`: syslog-ng from Debian (syslog-ng-core,
// syslog-ng-mod-http) tails a file and delivers it with its http() destination, with a bearer
// token, over mutual TLS, and through a full disk: Vigil answers 503, syslog-ng sends the
// batch again, and every event is stored once. The disk is a real 3 MiB tmpfs in a private
// mount namespace (unshare), filled and freed from inside it (nsenter).
#include "serveprocess.h"
#include "testsupport.h"

#include <nlohmann/json.hpp>

#include <QFile>
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

#include <sys/stat.h>

#include <fstream>

using namespace vigil;

namespace {

struct Run
{
    int code = -1;
    QByteArray out, err;
};

Run run(const QString& program, const QStringList& args, int timeoutMs = 60000)
{
    QProcess p;
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

std::string eventLine(int i)
{
    return "{\"timestamp\":\"2026-11-21T10:00:00.000Z\",\"event_type\":\"tool_call\","
           "\"agent_name\":\"sql-writer\",\"thread_id\":\"t-" +
           std::to_string(i) + "\",\"severity\":\"info\",\"event_id\":\"shipped-" +
           std::to_string(i) +
           "\",\"details\":{\"action\":\"s3:GetObject\",\"resource\":\"arn:aws:s3:::b/k" +
           std::to_string(i) + "\"}}\n";
}

void appendEvents(const QString& file, int from, int to, const std::string& extra = {})
{
    std::ofstream out(file.toStdString(), std::ios::app);
    for (int i = from; i <= to; ++i)
        out << eventLine(i);
    out << extra;
}

/// `stats --format json` of DB, run by `prefix` (nsenter into serve's namespace) when given.
nlohmann::json stats(const QString& db, const QStringList& prefix = {})
{
    const QStringList args = QStringList{QStringLiteral("stats"), QStringLiteral("--db"), db,
                                         QStringLiteral("--format"), QStringLiteral("json")};
    const Run r = prefix.isEmpty()
                      ? run(QStringLiteral(VIGIL_CLI_PATH), args)
                      : run(prefix.front(), prefix.mid(1) + QStringList{QStringLiteral(VIGIL_CLI_PATH)} + args);
    if (r.code != 0)
        return nlohmann::json::object();
    auto j = nlohmann::json::parse(r.out.toStdString(), nullptr, false);
    return j.is_discarded() ? nlohmann::json::object() : j;
}

std::int64_t storedEvents(const QString& db, const QStringList& prefix = {})
{
    const auto j = stats(db, prefix);
    return j.contains("events") ? j["events"].get<std::int64_t>() : -1;
}

template <typename Pred> bool waitUntil(Pred pred, int timeoutMs = 60000)
{
    QElapsedTimer t;
    t.start();
    while (t.elapsed() < timeoutMs) {
        if (pred())
            return true;
        QTest::qWait(200);
    }
    return pred();
}

/// syslog-ng in the foreground with its own persist, pid and control files.
class SyslogNg
{
public:
    bool start(const QString& dir, const QString& config)
    {
        const QString conf = dir + QStringLiteral("/syslog-ng.conf");
        QFile f(conf);
        if (!f.open(QIODevice::WriteOnly))
            return false;
        f.write(config.toUtf8());
        f.close();
        m_process.setProcessChannelMode(QProcess::MergedChannels);
        m_process.start(QStringLiteral("syslog-ng"),
                        {QStringLiteral("-F"), QStringLiteral("--no-caps"), QStringLiteral("-f"), conf,
                         QStringLiteral("-R"), dir + QStringLiteral("/syslog-ng.persist"),
                         QStringLiteral("-p"), dir + QStringLiteral("/syslog-ng.pid"),
                         QStringLiteral("-c"), dir + QStringLiteral("/syslog-ng.ctl")});
        return m_process.waitForStarted(10000);
    }
    QByteArray output() { return m_output += m_process.readAll(); }
    bool running() const { return m_process.state() == QProcess::Running; }
    ~SyslogNg()
    {
        if (m_process.state() != QProcess::NotRunning) {
            m_process.terminate();
            if (!m_process.waitForFinished(10000))
                m_process.kill();
            m_process.waitForFinished(5000);
        }
    }

private:
    QProcess m_process;
    QByteArray m_output;
};

/// syslog-ng's http() destination for /v1/events: `headers` are added to the header list,
/// `options` to the end.
QString httpDestination(int port, const QString& headers, const QString& options = {},
                        const QString& scheme = QStringLiteral("http"))
{
    return QStringLiteral("  http(url(\"%1://127.0.0.1:%2/v1/events\") method(\"POST\")\n"
                          "       headers(\"Content-Type: application/x-ndjson\"%3)\n"
                          "       body(\"${MESSAGE}\") delimiter(\"\\n\") batch-lines(100)\n"
                          "       batch-timeout(200) retries(1000) time-reopen(1)%4);\n")
        .arg(scheme)
        .arg(port)
        .arg(headers, options);
}

std::int64_t rejectedLines(const QString& db, const QStringList& prefix = {})
{
    const auto j = stats(db, prefix);
    return j.contains("rejected") ? j["rejected"].get<std::int64_t>() : -1;
}

QString config(const QString& feed, const QString& destination)
{
    return QStringLiteral("@version: 3.38\n"
                          "options { stats-freq(0); };\n"
                          "source s_feed { file(\"%1\" flags(no-parse) follow-freq(0.2)); };\n"
                          "destination d_vigil {\n%2};\n"
                          "log { source(s_feed); destination(d_vigil); };\n")
        .arg(feed, destination);
}

} // namespace

class TestShippers : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void syslogNgOverHttpWithBearerToken();
    void syslogNgOverMutualTls();
    void syslogNgOverTlsToTheTcpFeed();
    void syslogNgResendsWhatWasAnswered503();

private:
    QString path(const QString& name) const { return m_dir.filePath(name); }
    QString tokenFile();
    QString makePki();
    QTemporaryDir m_dir;
};

void TestShippers::initTestCase()
{
    QVERIFY(m_dir.isValid());
    // Installed by packaging/setup.sh; a missing one is a failure, never a skip.
    const Run v = run(QStringLiteral("syslog-ng"), {QStringLiteral("--version")});
    QVERIFY2(v.code == 0, "syslog-ng is not installed (Debian packages syslog-ng-core and "
                          "syslog-ng-mod-http; packaging/setup.sh installs them)");
    QVERIFY2(QFile::exists(QStringLiteral("/usr/lib/syslog-ng/3.38/libhttp.so")) ||
                 v.out.contains("http"),
             "syslog-ng's http() destination is missing (Debian package syslog-ng-mod-http)");
}

QString TestShippers::tokenFile()
{
    const QString file = path(QStringLiteral("token"));
    if (!QFile::exists(file)) {
        QFile f(file);
        if (!f.open(QIODevice::WriteOnly))
            qFatal("token file");
        f.write("shipper-token-5521\n");
        f.close();
        ::chmod(file.toLocal8Bit().constData(), 0600);
    }
    return file;
}

void TestShippers::syslogNgOverHttpWithBearerToken()
{
    const QString db = path(QStringLiteral("bearer.db"));
    const QString feed = path(QStringLiteral("bearer.log"));
    appendEvents(feed, 1, 300, "this line is not an event\n");
    test::ServeProcess serve;
    QVERIFY2(serve.start({QStringLiteral("--db"), db, QStringLiteral("--listen"), QStringLiteral("off"),
                          QStringLiteral("--http"), QStringLiteral("127.0.0.1:0"),
                          QStringLiteral("--token-file"), tokenFile()}),
             serve.err().constData());
    QVERIFY(serve.httpPort() > 0);

    // A wrong token: every batch is answered 401 and nothing is stored.
    {
        const QString dir = path(QStringLiteral("sng-wrong"));
        QVERIFY(QDir().mkpath(dir));
        SyslogNg wrong;
        QVERIFY(wrong.start(dir, config(feed, httpDestination(serve.httpPort(),
                                                                QStringLiteral(", \"Authorization: Bearer not-it\""))
                                                   .replace(QStringLiteral("retries(1000)"), QStringLiteral("retries(1)")))));
        QVERIFY2(waitUntil([&] { return serve.err().contains("answered 401"); }),
                 serve.err().constData());
        QCOMPARE(storedEvents(db), std::int64_t(0));
    }

    const QString dir = path(QStringLiteral("sng-bearer"));
    QVERIFY(QDir().mkpath(dir));
    SyslogNg sng;
    QVERIFY(sng.start(dir, config(feed, httpDestination(serve.httpPort(),
                                                        QStringLiteral(", \"Authorization: Bearer shipper-token-5521\"")))));
    QVERIFY2(waitUntil([&] { return storedEvents(db) == 300 && rejectedLines(db) == 1; }),
             sng.output().constData()); // the garbage line is quarantined
    QCOMPARE(serve.stop(), 0);
    QVERIFY2(!serve.err().contains("shipper-token-5521"), "the token must never be logged");
}

/// A CA, a server certificate for 127.0.0.1 and a client certificate (CN agent-shipper),
/// made once with the openssl program; the folder, or empty when openssl failed.
QString TestShippers::makePki()
{
    const QString d = path(QStringLiteral("pki"));
    if (QFile::exists(d + QStringLiteral("/client.pem")))
        return d;
    if (!QDir().mkpath(d))
        return {};
    bool ok = true;
    const auto at = [&](const QString& name) { return d + QLatin1Char('/') + name; };
    const auto openssl = [&](const QStringList& a) {
        const Run r = run(QStringLiteral("openssl"), a);
        if (r.code != 0)
            qWarning("openssl: %s", r.err.constData());
        ok = ok && r.code == 0;
    };
    const QStringList ec{QStringLiteral("-newkey"), QStringLiteral("ec"), QStringLiteral("-pkeyopt"),
                         QStringLiteral("ec_paramgen_curve:prime256v1"), QStringLiteral("-nodes")};
    openssl(QStringList{QStringLiteral("req"), QStringLiteral("-x509")} + ec +
            QStringList{QStringLiteral("-keyout"), at(QStringLiteral("ca.key")), QStringLiteral("-out"), at(QStringLiteral("ca.pem")),
                        QStringLiteral("-days"), QStringLiteral("2"), QStringLiteral("-subj"),
                        QStringLiteral("/CN=vigil-test-ca")});
    for (const QString& who : {QStringLiteral("server"), QStringLiteral("client")}) {
        QFile ext(at(who + QStringLiteral(".ext")));
        if (!ext.open(QIODevice::WriteOnly))
            return {};
        ext.write(who == QStringLiteral("server") ? "subjectAltName=IP:127.0.0.1\n"
                                                  : "extendedKeyUsage=clientAuth\n");
        ext.close();
        openssl(QStringList{QStringLiteral("req")} + ec +
                QStringList{QStringLiteral("-keyout"), at(who + QStringLiteral(".key")), QStringLiteral("-out"),
                            at(who + QStringLiteral(".csr")), QStringLiteral("-subj"),
                            who == QStringLiteral("server") ? QStringLiteral("/CN=127.0.0.1")
                                                            : QStringLiteral("/CN=agent-shipper")});
        openssl({QStringLiteral("x509"), QStringLiteral("-req"), QStringLiteral("-in"), at(who + QStringLiteral(".csr")),
                 QStringLiteral("-CA"), at(QStringLiteral("ca.pem")), QStringLiteral("-CAkey"), at(QStringLiteral("ca.key")),
                 QStringLiteral("-CAcreateserial"), QStringLiteral("-out"), at(who + QStringLiteral(".pem")),
                 QStringLiteral("-days"), QStringLiteral("2"), QStringLiteral("-extfile"), at(who + QStringLiteral(".ext"))});
    }

    return ok ? d : QString();
}

void TestShippers::syslogNgOverMutualTls()
{
    const QString d = makePki();
    QVERIFY(!d.isEmpty());
    const auto at = [&](const QString& name) { return d + QLatin1Char('/') + name; };
    const QString db = path(QStringLiteral("mtls.db"));
    const QString feed = path(QStringLiteral("mtls.log"));
    appendEvents(feed, 1, 200, "not an event either\n");
    test::ServeProcess serve;
    QVERIFY2(serve.start({QStringLiteral("--db"), db, QStringLiteral("--listen"), QStringLiteral("off"),
                          QStringLiteral("--http"), QStringLiteral("127.0.0.1:0"),
                          QStringLiteral("--tls-cert"), at(QStringLiteral("server.pem")), QStringLiteral("--tls-key"),
                          at(QStringLiteral("server.key")), QStringLiteral("--tls-client-ca"), at(QStringLiteral("ca.pem"))}),
             serve.err().constData());
    QVERIFY(serve.err().contains("mutual TLS"));

    const QString dir = path(QStringLiteral("sng-mtls"));
    QVERIFY(QDir().mkpath(dir));
    SyslogNg sng;
    const QString tls = QStringLiteral("\n       tls(ca-file(\"%1/ca.pem\") cert-file(\"%1/client.pem\") "
                                       "key-file(\"%1/client.key\") peer-verify(yes))")
                            .arg(d);
    QVERIFY(sng.start(dir, config(feed, httpDestination(serve.httpPort(), {}, tls, QStringLiteral("https")))));
    QVERIFY2(waitUntil([&] { return storedEvents(db) == 200 && rejectedLines(db) == 1; }),
             sng.output().constData());
    QCOMPARE(serve.stop(), 0);
    // The verified certificate names the source: the quarantined line says who sent it.
    const Run q = run(QStringLiteral("sqlite3"), {db, QStringLiteral("SELECT source FROM quarantine")});
    QVERIFY2(q.out.startsWith("http CN=agent-shipper 127.0.0.1:"), q.out.constData());

    // Without a client certificate the handshake fails and nothing is stored.
    const QString db2 = path(QStringLiteral("mtls-none.db"));
    test::ServeProcess strict;
    QVERIFY(strict.start({QStringLiteral("--db"), db2, QStringLiteral("--listen"), QStringLiteral("off"),
                          QStringLiteral("--http"), QStringLiteral("127.0.0.1:0"),
                          QStringLiteral("--tls-cert"), at(QStringLiteral("server.pem")), QStringLiteral("--tls-key"),
                          at(QStringLiteral("server.key")), QStringLiteral("--tls-client-ca"), at(QStringLiteral("ca.pem"))}));
    const Run curl = run(QStringLiteral("curl"),
                         {QStringLiteral("-sS"), QStringLiteral("--cacert"), at(QStringLiteral("ca.pem")),
                          QStringLiteral("-H"), QStringLiteral("Content-Type: application/x-ndjson"),
                          QStringLiteral("--data-binary"), QString::fromStdString(eventLine(1)),
                          QStringLiteral("https://127.0.0.1:%1/v1/events").arg(strict.httpPort())});
    QVERIFY2(curl.code != 0, curl.out.constData());
    QCOMPARE(strict.stop(), 0);
    QVERIFY(strict.err().contains("TLS handshake with 127.0.0.1:"));
    QCOMPARE(storedEvents(db2), std::int64_t(0));
}

void TestShippers::syslogNgOverTlsToTheTcpFeed()
{
    // syslog-ng's network() destination over TLS with a client certificate: the verified
    // certificate stands in for the auth line, and its CN names the source.
    const QString d = makePki();
    QVERIFY(!d.isEmpty());
    const QString db = path(QStringLiteral("tcp-mtls.db"));
    const QString feed = path(QStringLiteral("tcp-mtls.log"));
    appendEvents(feed, 1, 150, "no event here\n");
    test::ServeProcess serve;
    QVERIFY2(serve.start({QStringLiteral("--db"), db, QStringLiteral("--listen"), QStringLiteral("127.0.0.1:0"),
                          QStringLiteral("--tls-cert"), d + QStringLiteral("/server.pem"),
                          QStringLiteral("--tls-key"), d + QStringLiteral("/server.key"),
                          QStringLiteral("--tls-client-ca"), d + QStringLiteral("/ca.pem")}),
             serve.err().constData());
    QVERIFY(serve.err().contains("mutual TLS, no token"));
    const QString dir = path(QStringLiteral("sng-tcp"));
    QVERIFY(QDir().mkpath(dir));
    SyslogNg sng;
    const QString destination =
        QStringLiteral("  network(\"127.0.0.1\" port(%1) transport(\"tls\") template(\"${MESSAGE}\\n\")\n"
                       "    tls(ca-file(\"%2/ca.pem\") cert-file(\"%2/client.pem\") key-file(\"%2/client.key\")\n"
                       "        peer-verify(required-trusted)));\n")
            .arg(serve.port())
            .arg(d);
    QVERIFY(sng.start(dir, config(feed, destination)));
    QVERIFY2(waitUntil([&] { return storedEvents(db) == 150 && rejectedLines(db) == 1; }),
             sng.output().constData());
    QCOMPARE(serve.stop(), 0);
    const Run q = run(QStringLiteral("sqlite3"), {db, QStringLiteral("SELECT source FROM quarantine")});
    QVERIFY2(q.out.startsWith("tcp CN=agent-shipper 127.0.0.1:"), q.out.constData());

    // A client without a certificate gets no further than the handshake.
    const QString db2 = path(QStringLiteral("tcp-mtls-none.db"));
    test::ServeProcess strict;
    QVERIFY(strict.start({QStringLiteral("--db"), db2, QStringLiteral("--listen"), QStringLiteral("127.0.0.1:0"),
                          QStringLiteral("--tls-cert"), d + QStringLiteral("/server.pem"),
                          QStringLiteral("--tls-key"), d + QStringLiteral("/server.key"),
                          QStringLiteral("--tls-client-ca"), d + QStringLiteral("/ca.pem")}));
    QProcess client;
    client.start(QStringLiteral("openssl"),
                 {QStringLiteral("s_client"), QStringLiteral("-quiet"), QStringLiteral("-CAfile"),
                  d + QStringLiteral("/ca.pem"), QStringLiteral("-connect"),
                  QStringLiteral("127.0.0.1:%1").arg(strict.port())});
    QVERIFY(client.waitForStarted(10000));
    client.write(QByteArray::fromStdString(eventLine(1)));
    client.closeWriteChannel();
    QVERIFY(client.waitForFinished(20000));
    QCOMPARE(strict.stop(), 0);
    QVERIFY2(strict.err().contains("TLS handshake failed"), strict.err().constData());
    QCOMPARE(storedEvents(db2), std::int64_t(0));
}

void TestShippers::syslogNgResendsWhatWasAnswered503()
{
    // serve stores into a 3 MiB tmpfs of its own; the test fills and frees it from inside.
    const QString small = path(QStringLiteral("small"));
    QVERIFY(QDir().mkpath(small));
    const QString db = small + QStringLiteral("/vigil.db");
    const QString feed = path(QStringLiteral("full.log"));
    appendEvents(feed, 1, 100);
    test::ServeProcess serve;
    QVERIFY2(serve.startWrapped(QStringLiteral("unshare"),
                                {QStringLiteral("-m"), QStringLiteral("sh"), QStringLiteral("-c"),
                                 QStringLiteral("mount -t tmpfs -o size=3m tmpfs \"$0\" && exec \"$@\""),
                                 small},
                                {QStringLiteral("--db"), db, QStringLiteral("--listen"), QStringLiteral("off"),
                                 QStringLiteral("--http"), QStringLiteral("127.0.0.1:0"),
                                 QStringLiteral("--token-file"), tokenFile()}),
             serve.err().constData());
    const QStringList inside{QStringLiteral("nsenter"), QStringLiteral("-t"),
                             QString::number(serve.pid()), QStringLiteral("-m")};

    const QString dir = path(QStringLiteral("sng-full"));
    QVERIFY(QDir().mkpath(dir));
    SyslogNg sng;
    // timeout(2): a request held by the full disk times out and syslog-ng sends it again.
    QVERIFY(sng.start(dir, config(feed, httpDestination(serve.httpPort(),
                                                        QStringLiteral(", \"Authorization: Bearer shipper-token-5521\""),
                                                        QStringLiteral(" timeout(2)")))));
    QVERIFY2(waitUntil([&] { return storedEvents(db, inside) == 100; }), sng.output().constData());

    // Fill the disk, then ship more: the held batch is retried, newcomers are told 503.
    run(inside.front(), inside.mid(1) + QStringList{QStringLiteral("dd"), QStringLiteral("if=/dev/zero"),
                                                    QStringLiteral("of=") + small + QStringLiteral("/fill"),
                                                    QStringLiteral("bs=64k")});
    appendEvents(feed, 101, 500);
    QVERIFY2(waitUntil([&] { return serve.err().contains("answered 503"); }), serve.err().constData());
    QCOMPARE(storedEvents(db, inside), std::int64_t(100));

    // Free it: everything syslog-ng sent again is stored, each event once.
    QCOMPARE(run(inside.front(), inside.mid(1) + QStringList{QStringLiteral("rm"), small + QStringLiteral("/fill")}).code, 0);
    QVERIFY2(waitUntil([&] { return storedEvents(db, inside) == 500; }), serve.err().constData());
    const auto j = stats(db, inside);
    QCOMPARE(j["events"].get<std::int64_t>(), std::int64_t(500));
    QCOMPARE(run(inside.front(), inside.mid(1) + QStringList{QStringLiteral(VIGIL_CLI_PATH), QStringLiteral("verify"),
                                                             QStringLiteral("--db"), db}).code,
             0);
    QCOMPARE(serve.stop(), 0);
    QVERIFY(serve.err().contains("storing works again"));
}

QTEST_GUILESS_MAIN(TestShippers)
#include "tst_shippers.moc"
