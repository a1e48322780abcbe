// SPDX-License-Identifier: Apache-2.0
// File tailing through the live pipeline: rotation matrix with sequence-numbered lines
// (0 lost, 0 duplicated), resume, partial lines, overlong lines, files that do not exist yet.
#include "livetestclient.h"
#include "testsupport.h"

#include "pipeline/liveingest.h"
#include "store/storereader.h"

#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

#include <fcntl.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <thread>

using namespace vigil;
using namespace std::chrono_literals;

namespace {

/// Appends through a descriptor kept open, like a logging program (O_APPEND, so writes
/// after a truncation go to the new end).
class LogWriter
{
public:
    explicit LogWriter(std::string path) : m_path(std::move(path)) { reopen(); }
    ~LogWriter() { ::close(m_fd); }

    void reopen()
    {
        if (m_fd >= 0)
            ::close(m_fd);
        m_fd = ::open(m_path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    }

    void write(std::string_view s)
    {
        while (!s.empty()) {
            const ssize_t n = ::write(m_fd, s.data(), s.size());
            if (n <= 0)
                qFatal("write failed");
            s.remove_prefix(static_cast<std::size_t>(n));
        }
    }

    void lines(std::int64_t from, std::int64_t to)
    {
        std::string s;
        for (std::int64_t i = from; i <= to; ++i)
            s += test::seqEvent(i) + "\n";
        write(s);
    }

private:
    std::string m_path;
    int m_fd = -1;
};

std::int64_t countEvents(const std::string& db)
{
    auto r = StoreReader::open(db);
    if (!r)
        return -1;
    auto s = r->stats();
    return s ? s->events : -1;
}

bool waitForEvents(const std::string& db, std::int64_t n, std::chrono::milliseconds timeout = 15s)
{
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
        if (countEvents(db) >= n)
            return true;
        std::this_thread::sleep_for(20ms);
    }
    return false;
}

/// Sequence numbers found in the database: seq -> how many times stored.
std::map<std::int64_t, int> storedSequences(const std::string& db)
{
    std::map<std::int64_t, int> out;
    auto r = StoreReader::open(db);
    auto st = SqlStatement::prepare(r->database(), "SELECT thread_id FROM events");
    while (*st->step())
        ++out[std::stoll(st->columnText(0).substr(2))];
    return out;
}

/// "" when 1..n are each stored exactly once; otherwise what is lost or duplicated.
std::string checkExactlyOnce(const std::string& db, std::int64_t n)
{
    const auto seqs = storedSequences(db);
    std::string lost, dup;
    for (std::int64_t i = 1; i <= n; ++i) {
        const auto it = seqs.find(i);
        if (it == seqs.end())
            lost += " " + std::to_string(i);
        else if (it->second > 1)
            dup += " " + std::to_string(i) + "x" + std::to_string(it->second);
    }
    for (const auto& [k, v] : seqs)
        if (k < 1 || k > n)
            dup += " unexpected:" + std::to_string(k);
    if (lost.size() > 200)
        lost = lost.substr(0, 200) + "...";
    if (dup.size() > 200)
        dup = dup.substr(0, 200) + "...";
    return lost.empty() && dup.empty() ? std::string() : "lost:" + lost + " duplicated:" + dup;
}

LiveOptions tailOptions(const std::string& file)
{
    LiveOptions o;
    o.tcp.reset();
    o.tailFiles = {file};
    o.tail.pollInterval = 20ms;
    o.tail.rotationQuiet = 150ms;
    o.tail.chunkLines = 64; // many small batches: more checkpoints to get wrong
    o.pipeline.workers = 2;
    return o;
}

} // namespace

class TestTail : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init() { QVERIFY(m_dir.isValid()); }
    void rotation_data();
    void rotation();
    void rotatedAgainWhileFinishingTheLast_data();
    void rotatedAgainWhileFinishingTheLast();
    void twoRotationsWhileStopped();
    void compressAndDelaycompressWhileStopped();
    void rotationsAfterAnUnreadableOneAreRead();
    void restartResumesWithoutDuplicates();
    void offsetBeyondSizeMeansNewFile();
    void partialLineHeldUntilNewline();
    void overlongLineQuarantinedAndTailingGoesOn();
    void fileThatDoesNotExistYet();
    void addAndRemoveWhileRunning();
    void cloudWatchExportLinesTailedAndResumed();
    void cloudWatchDocumentWaitsForItsFirstKey();
    void cloudTrailFileTailedWithRoleAgents();
    void namedFormatOverridesDetection();
    void gzipFileAtThePathIsReadDecompressed();

private:
    std::string path(const std::string& name) const
    {
        return m_dir.filePath(QString::fromStdString(name)).toStdString();
    }
    QTemporaryDir m_dir;
};

void TestTail::rotation_data()
{
    QTest::addColumn<QString>("kind");
    QTest::newRow("rename and create") << QStringLiteral("rename");
    QTest::newRow("copytruncate") << QStringLiteral("copytruncate");
    QTest::newRow("delete and recreate") << QStringLiteral("delete");
}

void TestTail::rotation()
{
    QFETCH(QString, kind);
    const std::string dir = path(kind.toStdString());
    std::filesystem::create_directories(dir);
    const std::string log = dir + "/app.log";
    const std::string db = dir + "/live.db";
    constexpr int kTotal = 3000;

    auto writer = StoreWriter::open(db);
    QVERIFY(writer.has_value());
    LiveIngest live(**writer, tailOptions(log));
    QVERIFY(live.start().has_value());

    {
        LogWriter w(log);
        for (int i = 1; i <= kTotal; i += 50) {
            w.lines(i, i + 49);
            std::this_thread::sleep_for(2ms);
            if (i == 1001 || i == 2001) { // two rotations, mid-stream
                // Once the tailer has seen this generation (a file must live for a poll
                // interval to be seen at all), while its last lines may still be unread.
                QVERIFY(waitForEvents(db, i - 500));
                namespace fs = std::filesystem;
                if (kind == QLatin1String("rename")) {
                    if (fs::exists(log + ".1"))
                        fs::rename(log + ".1", log + ".2");
                    fs::rename(log, log + ".1");
                    w.reopen(); // creates the new file
                } else if (kind == QLatin1String("copytruncate")) {
                    if (fs::exists(log + ".1"))
                        fs::rename(log + ".1", log + ".2");
                    fs::copy_file(log, log + ".1");
                    QCOMPARE(::truncate(log.c_str(), 0), 0);
                } else {
                    fs::remove(log);
                    w.reopen(); // recreated within a second
                }
            }
        }
    }
    QVERIFY2(waitForEvents(db, kTotal), std::to_string(countEvents(db)).c_str());
    std::this_thread::sleep_for(300ms); // nothing more may arrive
    const LiveStats st = live.stats();
    live.stop();
    (*writer)->close();
    const std::string problems = checkExactlyOnce(db, kTotal);
    QVERIFY2(problems.empty(), problems.c_str());
    QCOMPARE(st.rejected, 0);
    if (kind == QLatin1String("copytruncate"))
        QVERIFY(st.truncations >= 2);
    else
        QVERIFY(st.rotations >= 2);
}

void TestTail::rotatedAgainWhileFinishingTheLast_data()
{
    rotation_data();
}

void TestTail::rotatedAgainWhileFinishingTheLast()
{
    QFETCH(QString, kind);
    const std::string dir = path("again-" + kind.toStdString());
    std::filesystem::create_directories(dir);
    const std::string log = dir + "/app.log";
    const std::string db = dir + "/live.db";
    auto writer = StoreWriter::open(db);
    LiveOptions o = tailOptions(log);
    o.tail.rotationQuiet = 1500ms; // the first rotated file is still being finished...
    LiveIngest live(**writer, o);
    QVERIFY(live.start().has_value());
    namespace fs = std::filesystem;
    auto rotate = [&](LogWriter& w) {
        if (kind == QLatin1String("rename")) {
            if (fs::exists(log + ".1"))
                fs::rename(log + ".1", log + ".2");
            fs::rename(log, log + ".1");
            w.reopen();
        } else if (kind == QLatin1String("copytruncate")) {
            if (fs::exists(log + ".1"))
                fs::rename(log + ".1", log + ".2");
            fs::copy_file(log, log + ".1");
            QCOMPARE(::truncate(log.c_str(), 0), 0);
        } else {
            fs::remove(log);
            w.reopen();
        }
    };
    {
        LogWriter w(log);
        w.lines(1, 100);
        QVERIFY(waitForEvents(db, 50));
        rotate(w);
        std::this_thread::sleep_for(40ms);
        w.lines(101, 200);
        std::this_thread::sleep_for(40ms);
        rotate(w); // ...when the second rotation comes
        w.lines(201, 300);
    }
    QVERIFY2(waitForEvents(db, 300), std::to_string(countEvents(db)).c_str());
    std::this_thread::sleep_for(300ms);
    live.stop();
    (*writer)->close();
    const std::string problems = checkExactlyOnce(db, 300);
    QVERIFY2(problems.empty(), problems.c_str());
}

void TestTail::twoRotationsWhileStopped()
{
    const std::string log = path("stopped.log");
    const std::string db = path("stopped.db");
    auto writer = StoreWriter::open(db);
    QVERIFY(writer.has_value());
    {
        LiveIngest live(**writer, tailOptions(log));
        QVERIFY(live.start().has_value());
        LogWriter(log).lines(1, 100);
        QVERIFY(waitForEvents(db, 100));
        live.stop();
    }
    namespace fs = std::filesystem;
    // While stopped: more lines, rotate, more, rotate again, more, and a partial last line.
    LogWriter(log).lines(101, 150);
    fs::rename(log, log + ".1");
    std::this_thread::sleep_for(5ms);
    LogWriter(log).lines(151, 200);
    fs::rename(log + ".1", log + ".2");
    fs::rename(log, log + ".1");
    std::this_thread::sleep_for(5ms);
    LogWriter(log).lines(201, 250);
    LogWriter(log).write(test::seqEvent(251));

    LiveIngest live(**writer, tailOptions(log));
    QVERIFY(live.start().has_value());
    QVERIFY2(waitForEvents(db, 250), std::to_string(countEvents(db)).c_str());
    std::this_thread::sleep_for(300ms);
    QCOMPARE(countEvents(db), 250); // 251 waits for its newline
    LogWriter(log).write("\n");
    QVERIFY(waitForEvents(db, 251));
    live.stop();
    (*writer)->close();
    const std::string problems = checkExactlyOnce(db, 251);
    QVERIFY2(problems.empty(), problems.c_str());
}

/// gzip's way of compressing a rotated file: NAME.N becomes NAME.N+1.gz, written anew.
void gzipTo(const std::string& from, const std::string& to)
{
    QProcess p;
    p.setStandardOutputFile(QString::fromStdString(to));
    p.start(QStringLiteral("gzip"), {QStringLiteral("-c"), QString::fromStdString(from)});
    QVERIFY(p.waitForFinished() && p.exitCode() == 0);
    std::filesystem::remove(from);
}

void TestTail::compressAndDelaycompressWhileStopped()
{
    // logrotate with compress + delaycompress, twice while Vigil is stopped: the file it was
    // reading ends up as NAME.2.gz (newer by time than NAME.1, which was rotated later).
    const std::string log = path("delay.log");
    const std::string db = path("delay.db");
    auto writer = StoreWriter::open(db);
    QVERIFY(writer.has_value());
    {
        LiveIngest live(**writer, tailOptions(log));
        QVERIFY(live.start().has_value());
        LogWriter(log).lines(1, 100);
        QVERIFY(waitForEvents(db, 100));
        live.stop();
    }
    namespace fs = std::filesystem;
    LogWriter(log).lines(101, 150);
    fs::rename(log, log + ".1");
    LogWriter(log).lines(151, 200);
    std::this_thread::sleep_for(20ms);
    gzipTo(log + ".1", log + ".2.gz");
    fs::rename(log, log + ".1");
    LogWriter(log).lines(201, 250);

    std::vector<std::string> said;
    std::mutex m;
    LiveIngest live(**writer, tailOptions(log));
    live.setLogSink([&](std::string_view s) {
        std::lock_guard l(m);
        said.emplace_back(s);
    });
    QVERIFY(live.start().has_value());
    QVERIFY2(waitForEvents(db, 250), std::to_string(countEvents(db)).c_str());
    std::this_thread::sleep_for(300ms);
    live.stop();
    (*writer)->close();
    const std::string problems = checkExactlyOnce(db, 250);
    QVERIFY2(problems.empty(), problems.c_str());
    std::lock_guard l(m);
    QVERIFY(std::any_of(said.begin(), said.end(), [&](const std::string& s) {
        return s.find(".2.gz") != std::string::npos;
    }));
}

void TestTail::rotationsAfterAnUnreadableOneAreRead()
{
    // The file being read was compressed in a format Vigil does not read: its rest is lost
    // (and said so), but the rotations after it are still read.
    const std::string log = path("bz.log");
    const std::string db = path("bz.db");
    auto writer = StoreWriter::open(db);
    QVERIFY(writer.has_value());
    {
        LiveIngest live(**writer, tailOptions(log));
        QVERIFY(live.start().has_value());
        LogWriter(log).lines(1, 100);
        QVERIFY(waitForEvents(db, 100));
        live.stop();
    }
    namespace fs = std::filesystem;
    std::this_thread::sleep_for(20ms);
    LogWriter(log).lines(101, 150);
    fs::rename(log, log + ".1");
    LogWriter(log).lines(151, 200);
    fs::rename(log + ".1", log + ".2.bz2"); // stands in for bzip2: never opened
    fs::rename(log, log + ".1");
    LogWriter(log).lines(201, 250);

    std::vector<std::string> said;
    std::mutex m;
    LiveIngest live(**writer, tailOptions(log));
    live.setLogSink([&](std::string_view s) {
        std::lock_guard l(m);
        said.emplace_back(s);
    });
    QVERIFY(live.start().has_value());
    QVERIFY2(waitForEvents(db, 200), std::to_string(countEvents(db)).c_str());
    std::this_thread::sleep_for(300ms);
    live.stop();
    (*writer)->close();
    const auto seqs = storedSequences(db);
    QCOMPARE(seqs.size(), std::size_t(200));
    for (std::int64_t i : {1, 100, 151, 200, 201, 250})
        QVERIFY2(seqs.count(i) == 1, std::to_string(i).c_str());
    QCOMPARE(seqs.count(101), std::size_t(0));
    std::lock_guard l(m);
    QVERIFY(std::any_of(said.begin(), said.end(), [&](const std::string& s) {
        return s.find(".2.bz2") != std::string::npos && s.find("not reading") != std::string::npos;
    }));
}

void TestTail::restartResumesWithoutDuplicates()
{
    const std::string log = path("resume.log");
    const std::string db = path("resume.db");
    auto writer = StoreWriter::open(db);
    for (int round = 0; round < 3; ++round) {
        LiveIngest live(**writer, tailOptions(log));
        QVERIFY(live.start().has_value());
        LogWriter(log).lines(round * 100 + 1, round * 100 + 100);
        QVERIFY(waitForEvents(db, round * 100 + 100));
        live.stop();
    }
    (*writer)->close();
    const std::string problems = checkExactlyOnce(db, 300);
    QVERIFY2(problems.empty(), problems.c_str());
    // The checkpoint is the file's identity and the end of its last committed line.
    auto r = StoreReader::open(db);
    auto st = SqlStatement::prepare(r->database(), "SELECT offset, line_no, fp_len FROM sources "
                                                   "WHERE kind='file'");
    QVERIFY(*st->step());
    QCOMPARE(st->columnInt(0), std::int64_t(std::filesystem::file_size(log)));
    QCOMPARE(st->columnInt(1), 300);
    QCOMPARE(st->columnInt(2), 1024);
}

void TestTail::offsetBeyondSizeMeansNewFile()
{
    const std::string log = path("shrunk.log");
    const std::string db = path("shrunk.db");
    auto writer = StoreWriter::open(db);
    {
        LiveIngest live(**writer, tailOptions(log));
        QVERIFY(live.start().has_value());
        LogWriter(log).lines(1, 50);
        QVERIFY(waitForEvents(db, 50));
        live.stop();
    }
    // Same inode, truncated and rewritten shorter while stopped.
    QCOMPARE(::truncate(log.c_str(), 0), 0);
    LogWriter(log).lines(51, 52);
    LiveIngest live(**writer, tailOptions(log));
    QVERIFY(live.start().has_value());
    QVERIFY(waitForEvents(db, 52));
    live.stop();
    (*writer)->close();
    const std::string problems = checkExactlyOnce(db, 52);
    QVERIFY2(problems.empty(), problems.c_str());
}

void TestTail::partialLineHeldUntilNewline()
{
    const std::string log = path("partial.log");
    const std::string db = path("partial.db");
    auto writer = StoreWriter::open(db);
    LiveIngest live(**writer, tailOptions(log));
    QVERIFY(live.start().has_value());
    const std::string line = test::seqEvent(1);
    LogWriter w(log);
    w.write(line.substr(0, 40));
    std::this_thread::sleep_for(200ms);
    w.write(line.substr(40));
    std::this_thread::sleep_for(200ms);
    QCOMPARE(countEvents(db), 0);
    QCOMPARE(live.stats().rejected, 0);
    w.write("\n");
    QVERIFY(waitForEvents(db, 1));
    live.stop();
    (*writer)->close();
    QVERIFY(checkExactlyOnce(db, 1).empty());
}

void TestTail::overlongLineQuarantinedAndTailingGoesOn()
{
    const std::string log = path("long.log");
    const std::string db = path("long.db");
    auto writer = StoreWriter::open(db);
    LiveIngest live(**writer, tailOptions(log));
    QVERIFY(live.start().has_value());
    LogWriter w(log);
    w.lines(1, 1);
    const std::string big = R"({"blob":")" + std::string(1536 * 1024, 'x') + "\"}";
    for (std::size_t i = 0; i < big.size(); i += 100000) { // arrives over several polls
        w.write(std::string_view(big).substr(i, 100000));
        std::this_thread::sleep_for(5ms);
    }
    w.write("\n");
    w.lines(2, 2);
    QVERIFY(waitForEvents(db, 2));
    live.stop();
    (*writer)->close();
    auto r = StoreReader::open(db);
    auto st =
        SqlStatement::prepare(r->database(), "SELECT reason, raw_bytes, line_no FROM quarantine");
    QVERIFY(*st->step());
    QCOMPARE(st->columnText(0), std::string("input.too_long"));
    QCOMPARE(st->columnInt(1), std::int64_t(big.size()));
    QCOMPARE(st->columnInt(2), 2);
    QVERIFY(!*st->step());
    QVERIFY(checkExactlyOnce(db, 2).empty());
}

void TestTail::fileThatDoesNotExistYet()
{
    const std::string log = path("later/app.log");
    const std::string db = path("later.db");
    auto writer = StoreWriter::open(db);
    LiveIngest live(**writer, tailOptions(log));
    QVERIFY(live.start().has_value());
    std::this_thread::sleep_for(100ms);
    auto files = live.tailStatus();
    QCOMPARE(files.size(), std::size_t(1));
    QVERIFY(!files[0].exists);
    std::filesystem::create_directories(path("later"));
    LogWriter(log).lines(1, 10);
    QVERIFY(waitForEvents(db, 10));
    files = live.tailStatus();
    QVERIFY(files[0].exists);
    QCOMPARE(files[0].lineNo, 10);
    live.stop();
    (*writer)->close();
}

void TestTail::addAndRemoveWhileRunning()
{
    const std::string a = path("a.log"), b = path("b.log");
    const std::string db = path("addremove.db");
    auto writer = StoreWriter::open(db);
    LiveIngest live(**writer, tailOptions(a));
    QVERIFY(live.start().has_value());
    QVERIFY(!live.addTail(a).has_value());                          // already followed
    QVERIFY(!live.addTail(m_dir.path().toStdString()).has_value()); // a directory
    QVERIFY(live.addTail(b).has_value());
    LogWriter(a).lines(1, 5);
    LogWriter(b).lines(6, 10);
    QVERIFY(waitForEvents(db, 10));
    QVERIFY(live.removeTail(b));
    QVERIFY(!live.removeTail(b));
    std::this_thread::sleep_for(100ms);
    LogWriter(b).lines(11, 20); // no longer followed
    LogWriter(a).lines(21, 21);
    QVERIFY(waitForEvents(db, 11));
    std::this_thread::sleep_for(200ms);
    QCOMPARE(countEvents(db), 11);
    QCOMPARE(live.tailStatus().size(), std::size_t(1));
    live.stop();
    (*writer)->close();
}

namespace {

/// A CloudWatch Logs S3 export line: the ingestion time, a space, the message.
std::string exportLine(std::int64_t seq)
{
    return "2026-11-21T10:00:00.000Z " + test::seqEvent(seq) + "\n";
}

std::string jsonEscaped(std::string_view s)
{
    std::string out;
    for (char c : s) {
        if (c == '"' || c == '\\')
            out += '\\';
        out += c;
    }
    return out;
}

std::string tailedFormat(const LiveIngest& live)
{
    const auto files = live.tailStatus();
    return files.empty() ? std::string() : files.front().format;
}

std::string storedText(const std::string& db, const std::string& sql)
{
    auto r = StoreReader::open(db);
    auto st = SqlStatement::prepare(r->database(), sql);
    std::string out;
    while (*st->step())
        out += (out.empty() ? "" : ",") + st->columnText(0);
    return out;
}

} // namespace

void TestTail::cloudWatchExportLinesTailedAndResumed()
{
    const std::string log = path("export.log");
    const std::string db = path("export.db");
    auto writer = StoreWriter::open(db);
    {
        LiveIngest live(**writer, tailOptions(log));
        QVERIFY(live.start().has_value());
        LogWriter w(log);
        // The first bytes alone could still be a number: nothing is decided on them.
        w.write("2026-1");
        std::this_thread::sleep_for(60ms);
        QCOMPARE(countEvents(db), 0);
        std::string rest = exportLine(1).substr(6);
        for (int i = 2; i <= 50; ++i)
            rest += exportLine(i);
        w.write(rest);
        QVERIFY(waitForEvents(db, 50));
        QCOMPARE(tailedFormat(live), std::string("cloudwatch"));
        live.stop();
    }
    // Stopped, more lines arrive; the next run converts the file again from its start and
    // stores only what it had not stored.
    {
        std::string more;
        for (int i = 51; i <= 80; ++i)
            more += exportLine(i);
        LogWriter(log).write(more);
        LiveIngest live(**writer, tailOptions(log));
        QVERIFY(live.start().has_value());
        QVERIFY(waitForEvents(db, 80));
        std::this_thread::sleep_for(100ms);
        live.stop();
    }
    (*writer)->close();
    const std::string problems = checkExactlyOnce(db, 80);
    QVERIFY2(problems.empty(), problems.c_str());
    QCOMPARE(storedText(db, "SELECT count(*) FROM quarantine"), std::string("0"));
    // The checkpoint counts records, and its offset is the end of the last one.
    QCOMPARE(storedText(db, "SELECT line_no || ':' || offset FROM sources WHERE kind='file'"),
             "80:" + std::to_string(std::filesystem::file_size(log)));
}

void TestTail::cloudWatchDocumentWaitsForItsFirstKey()
{
    // A saved `aws logs filter-log-events` answer, written in pieces: `{\n  "ev` alone says
    // nothing, and reading it as audit lines would quarantine the whole document.
    std::string doc = "{\n  \"events\": [";
    for (int i = 1; i <= 20; ++i)
        doc += std::string(i > 1 ? "," : "") + "\n    {\"logStreamName\":\"brain/1\",\"timestamp\":" +
               std::to_string(1795255200000 + i) + ",\"message\":\"" +
               jsonEscaped(test::seqEvent(i)) + "\",\"eventId\":\"3795179525520000000000" +
               std::to_string(10 + i) + "\"}";
    doc += "\n  ],\n  \"searchedLogStreams\": []\n}\n";
    const std::string log = path("cw.json");
    const std::string db = path("cw.db");
    auto writer = StoreWriter::open(db);
    LiveOptions o = tailOptions(log);
    o.tail.rotationQuiet = 2s; // longer than the pause below: the format must wait for the key
    LiveIngest live(**writer, o);
    QVERIFY(live.start().has_value());
    LogWriter w(log);
    const std::size_t cut = doc.find("ev") + 2;
    w.write(doc.substr(0, cut));
    std::this_thread::sleep_for(150ms);
    QCOMPARE(tailedFormat(live), std::string("auto"));
    w.write(doc.substr(cut));
    QVERIFY(waitForEvents(db, 20));
    QCOMPARE(tailedFormat(live), std::string("cloudwatch"));
    live.stop();
    (*writer)->close();
    const std::string problems = checkExactlyOnce(db, 20);
    QVERIFY2(problems.empty(), problems.c_str());
    QCOMPARE(storedText(db, "SELECT count(*) FROM quarantine"), std::string("0"));
    // The envelope's eventId is kept beside the event; the event_id derives from the time and
    // the message, which an S3 export of the same events has too.
    QCOMPARE(storedText(db, "SELECT count(DISTINCT json_extract(details, '$.cloudwatch.event_id')) "
                            "FROM events WHERE event_id LIKE 'cw-%'"),
             std::string("20"));
}

void TestTail::cloudTrailFileTailedWithRoleAgents()
{
    const std::string log = path("trail.json");
    std::filesystem::copy_file(test::dataPath(QStringLiteral("cloudtrail/trail.json")).toStdString(), log);
    const std::string db = path("trail.db");
    auto writer = StoreWriter::open(db);
    LiveOptions o = tailOptions(log);
    o.tail.reader.roleAgents = std::make_shared<RoleAgentMap>(
        RoleAgentMap{{"arn:aws:iam::123456789012:role/agent-brain-role", "brain"},
                     {"arn:aws:iam::123456789012:role/agent-sql-writer-role", "sql-writer"}});
    LiveIngest live(**writer, o);
    QVERIFY(live.start().has_value());
    QVERIFY(waitForEvents(db, 5));
    live.stop();
    (*writer)->close();
    QCOMPARE(storedText(db, "SELECT agent || ' ' || json_extract(details, '$.action') || ' ' || "
                            "json_extract(details, '$.outcome') FROM events ORDER BY line_no"),
             std::string("brain bedrock:InvokeModel allowed,sql-writer dynamodb:PutItem denied,"
                         "etl-nightly-role s3:GetObject allowed,Mary_Major cloudtrail:StartLogging "
                         "allowed,brain ec2:RunInstances denied"));
}

void TestTail::namedFormatOverridesDetection()
{
    // Told the file holds Vigil lines, a CloudTrail file is read line by line: each of its
    // lines is quarantined (none is an audit event), none is lost, none is converted.
    const std::string trail = test::dataPath(QStringLiteral("cloudtrail/trail.json")).toStdString();
    const std::string log = path("named.log");
    std::filesystem::copy_file(trail, log);
    int lines = 0;
    {
        std::ifstream in(trail);
        for (std::string l; std::getline(in, l);)
            lines += l.find_first_not_of(" \t\r") != std::string::npos ? 1 : 0;
    }
    QVERIFY(lines > 20);
    const std::string db = path("named.db");
    auto writer = StoreWriter::open(db);
    LiveOptions o = tailOptions(log);
    o.tail.format = InputFormat::Vigil;
    LiveIngest live(**writer, o);
    QVERIFY(live.start().has_value());
    const std::string expected = std::to_string(lines);
    const auto deadline = std::chrono::steady_clock::now() + 15s;
    while (storedText(db, "SELECT count(*) FROM quarantine") != expected &&
           std::chrono::steady_clock::now() < deadline)
        std::this_thread::sleep_for(20ms);
    QCOMPARE(tailedFormat(live), std::string("vigil"));
    live.stop();
    (*writer)->close();
    QCOMPARE(storedText(db, "SELECT count(*) FROM quarantine"), expected);
    QCOMPARE(countEvents(db), 0);
}

void TestTail::gzipFileAtThePathIsReadDecompressed()
{
    // A compressed S3 export copied to the followed path: the file exists (empty) before its
    // bytes arrive, and they arrive in two writes.
    const std::string plain = path("export.txt");
    {
        std::string text;
        for (int i = 1; i <= 40; ++i)
            text += exportLine(i);
        LogWriter(plain).write(text);
    }
    const std::string gz = path("export.txt.gz");
    QCOMPARE(QProcess::execute(QStringLiteral("gzip"), {QStringLiteral("-kn"), QString::fromStdString(plain)}), 0);
    std::string bytes;
    {
        std::ifstream in(gz, std::ios::binary);
        bytes.assign(std::istreambuf_iterator<char>(in), {});
    }
    const std::string log = path("000000.gz");
    const std::string db = path("gz.db");
    auto writer = StoreWriter::open(db);
    for (int round = 0; round < 2; ++round) {
        LiveIngest live(**writer, tailOptions(log));
        QVERIFY(live.start().has_value());
        if (round == 0) {
            LogWriter w(log);
            std::this_thread::sleep_for(60ms);
            w.write(bytes.substr(0, bytes.size() / 2));
            std::this_thread::sleep_for(60ms);
            w.write(bytes.substr(bytes.size() / 2));
        }
        QVERIFY(waitForEvents(db, 40));
        std::this_thread::sleep_for(150ms); // the second run must find nothing new to store
        QCOMPARE(tailedFormat(live), std::string("cloudwatch"));
        live.stop();
    }
    (*writer)->close();
    const std::string problems = checkExactlyOnce(db, 40);
    QVERIFY2(problems.empty(), problems.c_str());
    QCOMPARE(storedText(db, "SELECT count(*) FROM quarantine"), std::string("0"));
}

QTEST_GUILESS_MAIN(TestTail)
#include "tst_tail.moc"
