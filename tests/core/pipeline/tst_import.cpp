// SPDX-License-Identifier: Apache-2.0
#include "testsupport.h"

#include "ingest/decoder.h"
#include "ingest/linesplitter.h"
#include "pipeline/importer.h"
#include "store/storereader.h"

#include <QTemporaryDir>
#include <QtTest>

#include <fstream>

using namespace vigil;

namespace {

std::string eventLine(int i, const std::string& id = {})
{
    return R"({"timestamp":"2026-11-21T10:00:00.000Z","event_type":"tool_call","agent_name":"a",)"
           R"("thread_id":"t-)" + std::to_string(i) + "\",\"severity\":\"info\"," +
           (id.empty() ? "" : "\"event_id\":\"" + id + "\",") +
           R"("details":{"action":"s3:GetObject","resource":"r/)" + std::to_string(i) + "\"}}";
}

void writeFile(const std::string& path, const std::string& content, bool append = false)
{
    std::ofstream f(path, append ? std::ios::app | std::ios::binary : std::ios::trunc | std::ios::binary);
    f << content;
}

ImportSummary importOk(StoreWriter& w, const std::vector<std::string>& files)
{
    ImportOptions o;
    o.chunkLines = 7; // many small chunks, to exercise ordering across workers
    o.pipeline.workers = 2;
    auto r = importFiles(w, files, o);
    if (!r)
        qFatal("import failed: %s", r.error().message.c_str());
    return *r;
}

} // namespace

class TestImport : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init() { QVERIFY(m_dir.isValid()); }
    void lineSplitterBoundsMemory();
    void sampleAcceptedPlusRejectedIsNonBlankLines();
    void reimportStoresNothingTwice();
    void appendedFileResumes();
    void replacedFileIsReadFromStart();
    void overlongLineIsQuarantinedAndReadingGoesOn();
    void missingFileIsAnError();
    void orderIsKeptAcrossWorkers();

private:
    std::string path(const char* name) const { return m_dir.filePath(QString::fromLatin1(name)).toStdString(); }
    QTemporaryDir m_dir;
};

void TestImport::lineSplitterBoundsMemory()
{
    LineSplitter s(100, 10);
    std::vector<std::pair<std::string, bool>> lines;
    auto sink = [&](const SplitLine& l) { lines.emplace_back(std::string(l.text), l.overlong); };
    s.feed("short\n", sink);
    for (int i = 0; i < 50; ++i) {
        s.feed(std::string(1000, 'x'), sink);
        QVERIFY(s.pendingBytes() <= 100);
    }
    s.feed("\nnext", sink);
    QCOMPARE(lines.size(), std::size_t(2));
    QCOMPARE(lines[1].first, std::string(10, 'x'));
    QVERIFY(lines[1].second);
    QVERIFY(s.finish(sink));
    QCOMPARE(lines.back().first, std::string("next"));
    QCOMPARE(s.committedOffset(), std::int64_t(6 + 50000 + 1 + 4));
}

void TestImport::sampleAcceptedPlusRejectedIsNonBlankLines()
{
    const std::string sample = test::sharedPath(QStringLiteral("samples/labeled-small/events.jsonl")).toStdString();
    std::ifstream in(sample);
    QVERIFY(in.good());
    std::int64_t nonBlank = 0;
    std::vector<std::string> lines;
    for (std::string l; std::getline(in, l);) {
        lines.push_back(l);
        nonBlank += !isBlankLine(l);
    }
    auto w = StoreWriter::open(path("sample.db"));
    QVERIFY(w.has_value());
    const ImportSummary s = importOk(**w, {sample});
    (*w)->close();
    QCOMPARE(s.accepted + s.rejected, nonBlank);
    QVERIFY(s.rejected > 0);

    auto reader = StoreReader::open(path("sample.db"));
    auto stats = reader->stats();
    QCOMPARE(stats->events, s.accepted);
    QCOMPARE(stats->rejected, s.rejected);
    // Every rejected line is in quarantine, verbatim, with its line number and a reason.
    SqlStatement st = *SqlStatement::prepare(reader->database(), "SELECT line_no, reason, raw FROM quarantine ORDER BY line_no");
    std::int64_t n = 0;
    while (*st.step()) {
        ++n;
        const auto lineNo = st.columnInt(0);
        QVERIFY(lineNo >= 1 && lineNo <= std::int64_t(lines.size()));
        QVERIFY(st.columnText(1).starts_with("input."));
        std::string raw = lines[std::size_t(lineNo - 1)];
        if (!raw.empty() && raw.back() == '\r')
            raw.pop_back();
        QCOMPARE(st.columnText(2), raw);
    }
    QCOMPARE(n, s.rejected);
}

void TestImport::reimportStoresNothingTwice()
{
    const std::string f = path("twice.jsonl");
    std::string content;
    for (int i = 0; i < 100; ++i)
        content += eventLine(i) + "\n";
    content += "garbage\n";
    writeFile(f, content);
    auto w = StoreWriter::open(path("twice.db"));
    const ImportSummary first = importOk(**w, {f});
    QCOMPARE(first.accepted, 100);
    QCOMPARE(first.rejected, 1);
    const ImportSummary second = importOk(**w, {f});
    QCOMPARE(second.accepted, 0);
    QCOMPARE(second.rejected, 0);
    QCOMPARE(second.skippedBytes, std::int64_t(content.size()));
    (*w)->close();
    auto s = StoreReader::open(path("twice.db"))->stats();
    QCOMPARE(s->events, 100);
    QCOMPARE(s->rejected, 1);
}

void TestImport::appendedFileResumes()
{
    const std::string f = path("grow.jsonl");
    writeFile(f, eventLine(1) + "\n" + eventLine(2) + "\n");
    auto w = StoreWriter::open(path("grow.db"));
    QCOMPARE(importOk(**w, {f}).accepted, 2);
    writeFile(f, eventLine(3) + "\n", true);
    const ImportSummary s = importOk(**w, {f});
    QCOMPARE(s.accepted, 1);
    (*w)->close();
    auto reader = StoreReader::open(path("grow.db"));
    auto rows = reader->events({}, std::nullopt, true, 10);
    QCOMPARE(rows->size(), std::size_t(3));
    QCOMPARE(rows->back().threadId, std::string("t-3"));
}

void TestImport::replacedFileIsReadFromStart()
{
    const std::string f = path("replaced.jsonl");
    writeFile(f, eventLine(1) + "\n" + eventLine(2) + "\n" + eventLine(3) + "\n");
    auto w = StoreWriter::open(path("replaced.db"));
    QCOMPARE(importOk(**w, {f}).accepted, 3);
    // Truncated and rewritten shorter: the stored offset is past its end, so it is new.
    QFile::remove(QString::fromStdString(f));
    writeFile(f, eventLine(7) + "\n");
    QCOMPARE(importOk(**w, {f}).accepted, 1);
}

void TestImport::overlongLineIsQuarantinedAndReadingGoesOn()
{
    const std::string f = path("long.jsonl");
    writeFile(f, eventLine(1) + "\n" + R"({"blob":")" + std::string(2 * 1024 * 1024, 'a') + "\"}\n" + eventLine(2) + "\n");
    auto w = StoreWriter::open(path("long.db"));
    const ImportSummary s = importOk(**w, {f});
    QCOMPARE(s.accepted, 2);
    QCOMPARE(s.rejected, 1);
    (*w)->close();
    auto reader = StoreReader::open(path("long.db"));
    SqlStatement st = *SqlStatement::prepare(reader->database(), "SELECT reason, length(raw), raw_bytes, line_no FROM quarantine");
    QVERIFY(*st.step());
    QCOMPARE(st.columnText(0), std::string("input.too_long"));
    QCOMPARE(st.columnInt(1), 64 * 1024);
    QCOMPARE(st.columnInt(2), std::int64_t(2 * 1024 * 1024 + 11));
    QCOMPARE(st.columnInt(3), 2);
}

void TestImport::missingFileIsAnError()
{
    auto w = StoreWriter::open(path("missing.db"));
    auto r = importFiles(**w, {path("nope.jsonl")}, {});
    QVERIFY(!r.has_value());
    QVERIFY(r.error().message.find("nope.jsonl") != std::string::npos);
    QVERIFY(r.error().message.find("No such file") != std::string::npos);
}

void TestImport::orderIsKeptAcrossWorkers()
{
    const std::string f = path("order.jsonl");
    std::string content;
    for (int i = 0; i < 2000; ++i)
        content += eventLine(i, "id-" + std::to_string(i)) + "\n";
    writeFile(f, content);
    auto w = StoreWriter::open(path("order.db"));
    QCOMPARE(importOk(**w, {f}).accepted, 2000);
    (*w)->close();
    auto reader = StoreReader::open(path("order.db"));
    auto rows = reader->eventsAfterRow(0, 5000);
    QCOMPARE(rows->size(), std::size_t(2000));
    for (std::size_t i = 0; i < rows->size(); ++i)
        QCOMPARE((*rows)[i].eventId, "id-" + std::to_string(i));
}

QTEST_GUILESS_MAIN(TestImport)
#include "tst_import.moc"
