// SPDX-License-Identifier: Apache-2.0
// What `vigil-cli` does when the storage or the input is not what it expects: a disk that
// fills up during an import, an archive on read-only media, the permissions of the files it
// creates, devices, pipes and gzip files given to import. The filesystems are real: a tmpfs
// and a read-only bind mount, each made inside a private mount namespace (unshare), so
// nothing outside the test sees them.
#include "testsupport.h"

#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

#include <sys/stat.h>
#include <unistd.h>

namespace {

struct Run
{
    int code = -1;
    QByteArray out, err;
};

Run run(const QString& program, const QStringList& args, const QByteArray& input = {},
        int timeoutMs = 120000)
{
    QProcess p;
    p.start(program, args);
    if (!input.isEmpty())
        p.write(input);
    p.closeWriteChannel();
    if (!p.waitForFinished(timeoutMs)) {
        p.kill();
        p.waitForFinished();
        return Run{-2, p.readAllStandardOutput(), p.readAllStandardError()};
    }
    return Run{p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1,
               p.readAllStandardOutput(), p.readAllStandardError()};
}

Run cli(const QStringList& args, const QByteArray& input = {}, int timeoutMs = 120000)
{
    return run(QStringLiteral(VIGIL_CLI_PATH), args, input, timeoutMs);
}

/// Runs a shell script in a private mount namespace (as root, or as a user through a user
/// namespace), with $CLI the vigil-cli under test.
Run inMountNamespace(const QString& script)
{
    QStringList args;
    if (::geteuid() != 0)
        args << QStringLiteral("-r");
    args << QStringLiteral("-m") << QStringLiteral("sh") << QStringLiteral("-c")
         << QStringLiteral("set -u; CLI='%1'; %2").arg(QStringLiteral(VIGIL_CLI_PATH), script);
    return run(QStringLiteral("unshare"), args);
}

QByteArray eventLine(int i)
{
    return QByteArray(R"({"timestamp":"2026-11-21T10:00:00.000Z","event_type":"tool_call",)"
                      R"("agent_name":"a","thread_id":"t-)") +
           QByteArray::number(i % 40) +
           R"(","severity":"info","details":{"action":"s3:GetObject","resource":"arn:aws:s3:::b/)" +
           QByteArray::number(i) + R"(","note":")" + QByteArray(200, 'x') + "\"}}\n";
}

/// `n` event lines (no event_id: a line stored twice would count twice).
QByteArray lines(int n)
{
    QByteArray out;
    for (int i = 0; i < n; ++i)
        out += eventLine(i);
    return out;
}

int number(const QByteArray& out, const char* word)
{
    const QRegularExpression re(QStringLiteral("%1\\D*(\\d+)").arg(QLatin1String(word)));
    const auto m = re.match(QString::fromUtf8(out));
    return m.hasMatch() ? m.captured(1).toInt() : -1;
}

int statsEvents(const QString& db)
{
    const Run s = cli({QStringLiteral("stats"), QStringLiteral("--db"), db, QStringLiteral("--format"),
                       QStringLiteral("json")});
    return QJsonDocument::fromJson(s.out).object().value(QStringLiteral("events")).toInt(-1);
}

} // namespace

class TestCliStorage : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init() { QVERIFY(m_dir.isValid()); }
    void fullDiskStopsTheImportAndTheRerunResumes();
    void archiveOnReadOnlyMediaVerifies();
    void unmergedLogOnReadOnlyMediaIsNamed();
    void databaseFilesAreOwnerOnly();
    void deviceIsRefused();
    void pipesImportWithoutSeeking();
    void gzipImportsOnceAndTruncatedGzipSaysSo();

private:
    QString path(const QString& name) const { return m_dir.filePath(name); }
    void write(const QString& name, const QByteArray& data) const
    {
        QFile f(path(name));
        QVERIFY(f.open(QIODevice::WriteOnly | QIODevice::Truncate));
        f.write(data);
    }
    QTemporaryDir m_dir;
};

void TestCliStorage::fullDiskStopsTheImportAndTheRerunResumes()
{
    constexpr int kLines = 30000;
    write(QStringLiteral("big.jsonl"), lines(kLines));
    QDir().mkpath(path(QStringLiteral("small")));
    // 3 MiB fill up long before 30,000 events (about 10 MB stored) are in; then the
    // filesystem grows, as when space is freed, and the same import goes on.
    const Run r = inMountNamespace(QStringLiteral(
        "D='%1'; mount -t tmpfs -o size=3m tmpfs \"$D/small\" || exit 90; "
        "\"$CLI\" import --retry-for 0 --db \"$D/small/a.db\" \"$D/big.jsonl\" > \"$D/first.out\" 2> \"$D/first.err\"; "
        "echo $? > \"$D/first.code\"; "
        "mount -o remount,size=256m \"$D/small\" || exit 91; "
        "\"$CLI\" import --db \"$D/small/a.db\" \"$D/big.jsonl\" > \"$D/second.out\" 2> \"$D/second.err\" || exit 92; "
        "\"$CLI\" stats --db \"$D/small/a.db\" --format json > \"$D/final.json\" || exit 93; "
        "\"$CLI\" verify --db \"$D/small/a.db\" > \"$D/verify.out\" || exit 94")
                                      .arg(m_dir.path()));
    auto read = [&](const char* name) {
        QFile f(path(QLatin1String(name)));
        return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
    };
    QVERIFY2(r.code == 0, (QByteArray("script exit ") + QByteArray::number(r.code) + ": " + r.err +
                           read("first.err") + read("second.err"))
                              .constData());
    QCOMPARE(read("first.code").trimmed(), QByteArray("1"));
    const QByteArray firstErr = read("first.err");
    QVERIFY2(firstErr.contains("full") && firstErr.contains("run the same import again"),
             firstErr.constData());
    QCOMPARE(firstErr.count('\n'), 1); // one line, as spec/cli.md asks
    // The re-run stores only what the first run did not: every line once in total.
    const int rest = number(read("second.out"), "accepted");
    QVERIFY2(rest > 0 && rest < kLines, read("second.out").constData());
    QCOMPARE(QJsonDocument::fromJson(read("final.json")).object().value(QStringLiteral("events")).toInt(),
             kLines);
    QVERIFY(read("verify.out").startsWith("ok " + QByteArray::number(kLines) + " events"));
}

void TestCliStorage::archiveOnReadOnlyMediaVerifies()
{
    QDir().mkpath(path(QStringLiteral("archive")));
    QDir().mkpath(path(QStringLiteral("ro")));
    const QString db = path(QStringLiteral("archive/a.db"));
    QVERIFY(cli({QStringLiteral("import"), QStringLiteral("--db"), db,
                 vigil::test::sharedPath(QStringLiteral("samples/labeled-small/events.jsonl"))})
                .code == 0);
    const int events = statsEvents(db);
    QVERIFY(events > 0);
    const Run r = inMountNamespace(QStringLiteral(
        "D='%1'; mount --bind \"$D/archive\" \"$D/ro\" && mount -o remount,bind,ro \"$D/ro\" || exit 90; "
        "touch \"$D/ro/probe\" 2>/dev/null && exit 91; "
        "\"$CLI\" verify --db \"$D/ro/a.db\" > \"$D/verify.out\" 2>&1 || exit 92; "
        "\"$CLI\" stats --db \"$D/ro/a.db\" --format json > \"$D/stats.json\" 2>&1 || exit 93; "
        "\"$CLI\" report --db \"$D/ro/a.db\" --kind soc2 --format json -o \"$D/soc2.json\" 2> \"$D/report.err\" || exit 94; "
        "\"$CLI\" import --db \"$D/ro/a.db\" \"$D/ro/a.db\" 2> \"$D/import.err\"; echo $? > \"$D/import.code\"")
                                      .arg(m_dir.path()));
    auto read = [&](const char* name) {
        QFile f(path(QLatin1String(name)));
        return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
    };
    QVERIFY2(r.code == 0, (QByteArray("script exit ") + QByteArray::number(r.code) + " " + r.err +
                           read("verify.out") + read("stats.json") + read("report.err"))
                              .constData());
    QVERIFY2(read("verify.out").startsWith("ok " + QByteArray::number(events) + " events"),
             read("verify.out").constData());
    QCOMPARE(QJsonDocument::fromJson(read("stats.json")).object().value(QStringLiteral("events")).toInt(), events);
    QVERIFY(QFileInfo(path(QStringLiteral("soc2.json"))).size() > 0);
    // Writing is refused with a message that says why and what works instead.
    QCOMPARE(read("import.code").trimmed(), QByteArray("1"));
    QVERIFY2(read("import.err").contains("read-only"), read("import.err").constData());
}

void TestCliStorage::unmergedLogOnReadOnlyMediaIsNamed()
{
    // A copy taken while serve had the database open, without its -shm (backup tools skip
    // it): SQLite cannot read that -wal on read-only media. Vigil says so, instead of
    // calling the file "not SQLite" or silently reading it without the log's events.
    write(QStringLiteral("live.jsonl"), lines(200));
    const QString db = path(QStringLiteral("open.db"));
    QProcess serve;
    serve.start(QStringLiteral(VIGIL_CLI_PATH), {QStringLiteral("serve"), QStringLiteral("--db"), db,
                                                 QStringLiteral("--listen"), QStringLiteral("off"),
                                                 QStringLiteral("--tail"), path(QStringLiteral("live.jsonl")),
                                                 QStringLiteral("--quiet")});
    QVERIFY(serve.waitForStarted());
    QTRY_VERIFY_WITH_TIMEOUT(statsEvents(db) == 200, 20000);
    QDir().mkpath(path(QStringLiteral("copy")));
    QDir().mkpath(path(QStringLiteral("ro2")));
    QVERIFY(QFile::copy(db, path(QStringLiteral("copy/open.db"))));
    QVERIFY(QFile::copy(db + QStringLiteral("-wal"), path(QStringLiteral("copy/open.db-wal"))));
    QVERIFY(QFileInfo(path(QStringLiteral("copy/open.db-wal"))).size() > 0);
    serve.terminate();
    QVERIFY(serve.waitForFinished(20000));
    const Run r = inMountNamespace(QStringLiteral(
        "D='%1'; mount --bind \"$D/copy\" \"$D/ro2\" && mount -o remount,bind,ro \"$D/ro2\" || exit 90; "
        "\"$CLI\" verify --db \"$D/ro2/open.db\"")
                                      .arg(m_dir.path()));
    QCOMPARE(r.code, 1);
    QVERIFY2(r.err.contains("write-ahead log") && r.err.contains("copy the database"), r.err.constData());
    QVERIFY(!r.err.contains("not SQLite"));
}

void TestCliStorage::databaseFilesAreOwnerOnly()
{
    write(QStringLiteral("few.jsonl"), lines(50));
    const QString db = path(QStringLiteral("private/sub/p.db"));
    QDir().mkpath(path(QStringLiteral("private/sub")));
    // Under the usual umask 022 SQLite would create 0644 files: readable by every user.
    // serve keeps the database open, so its -wal and -shm exist while it runs.
    QProcess serve;
    serve.start(QStringLiteral("sh"), {QStringLiteral("-c"), QStringLiteral("umask 022; exec '%1' serve --db '%2' --listen off --tail '%3' --quiet")
                                                               .arg(QStringLiteral(VIGIL_CLI_PATH), db, path(QStringLiteral("few.jsonl")))});
    QVERIFY(serve.waitForStarted());
    QElapsedTimer t;
    t.start();
    while (!QFileInfo::exists(db + QStringLiteral("-shm")) && t.elapsed() < 20000)
        QTest::qWait(50);
    auto mode = [](const QString& p) {
        struct stat st
        {
        };
        return ::stat(p.toLocal8Bit().constData(), &st) == 0 ? int(st.st_mode & 0777) : -1;
    };
    QCOMPARE(mode(db), 0600);
    QCOMPARE(mode(db + QStringLiteral("-wal")), 0600);
    QCOMPARE(mode(db + QStringLiteral("-shm")), 0600);
    serve.terminate();
    QVERIFY(serve.waitForFinished(20000));
    QCOMPARE(serve.exitCode(), 0);
}

void TestCliStorage::deviceIsRefused()
{
    const QString db = path(QStringLiteral("dev.db"));
    const Run r = cli({QStringLiteral("import"), QStringLiteral("--db"), db, QStringLiteral("/dev/urandom")},
                      {}, 20000);
    QCOMPARE(r.code, 1);
    QVERIFY2(r.err.contains("character device"), r.err.constData());
    QCOMPARE(r.err.count('\n'), 1);
}

void TestCliStorage::pipesImportWithoutSeeking()
{
    const QByteArray data = lines(300);
    write(QStringLiteral("p.jsonl"), data);
    // Standard input from a pipe.
    const QString db = path(QStringLiteral("pipes.db"));
    Run r = cli({QStringLiteral("import"), QStringLiteral("--db"), db, QStringLiteral("-")}, data);
    QVERIFY2(r.code == 0, r.err.constData());
    QCOMPARE(number(r.out, "accepted"), 300);
    // A FIFO, written by another process.
    const QString fifo = path(QStringLiteral("events.fifo"));
    QVERIFY(::mkfifo(fifo.toLocal8Bit().constData(), 0600) == 0);
    QProcess writer;
    writer.start(QStringLiteral("sh"), {QStringLiteral("-c"), QStringLiteral("cat '%1' > '%2'").arg(path(QStringLiteral("p.jsonl")), fifo)});
    r = cli({QStringLiteral("import"), QStringLiteral("--db"), db, fifo});
    writer.waitForFinished();
    QVERIFY2(r.code == 0, r.err.constData());
    QCOMPARE(number(r.out, "accepted"), 300);
    // Process substitution: /dev/fd/N, a pipe.
    r = run(QStringLiteral("bash"), {QStringLiteral("-c"), QStringLiteral("'%1' import --db '%2' <(cat '%3')")
                                                              .arg(QStringLiteral(VIGIL_CLI_PATH), db, path(QStringLiteral("p.jsonl")))});
    QVERIFY2(r.code == 0, r.err.constData());
    QCOMPARE(number(r.out, "accepted"), 300);
    QCOMPARE(statsEvents(db), 900); // pipes keep no position: each read stores its lines
}

void TestCliStorage::gzipImportsOnceAndTruncatedGzipSaysSo()
{
    write(QStringLiteral("z.jsonl"), lines(2000));
    QVERIFY(run(QStringLiteral("gzip"), {QStringLiteral("-k"), path(QStringLiteral("z.jsonl"))}).code == 0);
    const QString gz = path(QStringLiteral("z.jsonl.gz"));
    const QString db = path(QStringLiteral("gz.db"));
    Run r = cli({QStringLiteral("import"), QStringLiteral("--db"), db, gz});
    QVERIFY2(r.code == 0, r.err.constData());
    QCOMPARE(number(r.out, "accepted"), 2000);
    r = cli({QStringLiteral("import"), QStringLiteral("--db"), db, gz});
    QVERIFY2(r.code == 0, r.err.constData());
    QCOMPARE(number(r.out, "accepted"), 0); // the same file: nothing twice
    // Cut the compressed file in half: the complete lines before the cut are stored, and the
    // error says the file is truncated.
    QFile full(gz);
    QVERIFY(full.open(QIODevice::ReadOnly));
    const QByteArray bytes = full.readAll();
    write(QStringLiteral("cut.jsonl.gz"), bytes.left(bytes.size() / 2));
    const QString db2 = path(QStringLiteral("cut.db"));
    r = cli({QStringLiteral("import"), QStringLiteral("--db"), db2, path(QStringLiteral("cut.jsonl.gz"))});
    QCOMPARE(r.code, 1);
    QVERIFY2(r.err.contains("truncated") || r.err.contains("ends in the middle"), r.err.constData());
    const int stored = statsEvents(db2);
    QVERIFY2(stored > 100 && stored < 2000, QByteArray::number(stored).constData());
    const Run q = cli({QStringLiteral("stats"), QStringLiteral("--db"), db2, QStringLiteral("--format"), QStringLiteral("json")});
    QCOMPARE(QJsonDocument::fromJson(q.out).object().value(QStringLiteral("rejected")).toInt(), 0);
}

QTEST_GUILESS_MAIN(TestCliStorage)
#include "tst_clistorage.moc"
