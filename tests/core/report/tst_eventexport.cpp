// SPDX-License-Identifier: Apache-2.0
// Event exports (report/eventexport.h): JSON Lines and CSV against golden files, PII and
// secrets redacted by default and kept only on request, filters, keyset paging past one
// page, and the stops (a failed write, a cancel).
// To refresh the goldens after an intended change: VIGIL_UPDATE_GOLDENS=1 tst_eventexport,
// then review the diff of tests/data/expected/export/.
#include "reporttestsupport.h"

#include "report/eventexport.h"
#include "review/threatmatrixio.h"
#include "store/schema.h"
#include "store/storereader.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

using namespace vigil;
using namespace vigil::test;

namespace {

constexpr std::int64_t kT0 = 1'795'255'200'000; // 2026-11-21T10:00:00Z

const char* const kSecrets[] = {"jane.doe@example.com", "AKIAIOSFODNN7EXAMPLE", "555-867-5309"};

} // namespace

class TestEventExport : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void goldens_data();
    void goldens();
    void redactedByDefault_data();
    void redactedByDefault();
    void unredactedOnRequest();
    void jsonLinesAreEvents();
    void csvGuardsAndQuotes();
    void filters();
    void pagesPastOnePage();
    void stopsOnAFailedWrite();
    void stopsWhenCancelled();
    void formatNames();

private:
    Result<std::string> run(EventExportOptions options, std::int64_t* count = nullptr);
    QString dbPath() const { return m_dir.filePath(QStringLiteral("export.db")); }

    QTemporaryDir m_dir;
    std::optional<StoreReader> m_reader;
};

void TestEventExport::initTestCase()
{
    QVERIFY(m_dir.isValid());
    useKeyFolder(m_dir);
    auto w = StoreWriter::open(dbPath().toStdString());
    QVERIFY(w);
    std::vector<IngestedEvent> ev;
    auto add = [&](std::int64_t ms, const char* type, const char* agent, const char* thread,
                   const char* details, std::vector<Finding> findings = {},
                   EventSeverity sev = EventSeverity::Info) {
        EventSpec s;
        s.ms = ms;
        s.type = type;
        s.agent = agent;
        s.thread = thread;
        s.details = details;
        s.findings = std::move(findings);
        s.severity = sev;
        s.eventId = "ex-" + std::to_string(ev.size() + 1);
        s.user = ev.empty() ? "u-17" : "";
        ev.push_back(makeEvent(s));
    };
    add(kT0, "user_query_received", "brain", "t-1",
        R"({"query":"Email jane.doe@example.com the weekly report"})",
        {makeFinding("pii.email", "pii", FindingSeverity::High, "details.query", 6, 26, 4)});
    add(kT0 + 1000, "sql_executed", "sql-writer", "t-2",
        R"({"sql":"DROP TABLE viewers","cost":0.002})",
        {makeFinding("sql.mutation", "sql_mutation", FindingSeverity::High, "details.sql", 0, 10,
                     2)},
        EventSeverity::Warning);
    add(kT0 + 2000, "worker_result", "formatter", "t-1",
        R"({"output":"key AKIAIOSFODNN7EXAMPLE found","notes":{"calls":["call 555-867-5309 now"]}})",
        {makeFinding("secret.aws_access_key", "secret", FindingSeverity::Critical, "details.output",
                     4, 24, 6),
         makeFinding("pii.phone", "pii", FindingSeverity::High, "details.notes.calls[0]", 5, 17,
                     4)},
        EventSeverity::Error);
    add(kT0 + 3000, "user_query_received", "brain", "t-3",
        R"({"query":"hello, \"world\"\nline two"})");
    add(kT0 + 4000, "tool_call", "=HYPERLINK(\"x\")", "t-3",
        R"({"action":"s3:GetObject","resource":"arn:aws:s3:::b/k","outcome":"allowed"})");
    auto c = commit(**w, std::move(ev));
    QVERIFY(c && c->accepted == 5);
    (*w)->close();
    auto r = StoreReader::open(dbPath().toStdString());
    QVERIFY(r);
    m_reader.emplace(std::move(*r));
}

Result<std::string> TestEventExport::run(EventExportOptions options, std::int64_t* count)
{
    std::string out;
    auto n = exportEvents(*m_reader, options, [&](std::string_view b) {
        out.append(b);
        return true;
    });
    if (!n)
        return std::unexpected(n.error());
    if (count)
        *count = *n;
    return out;
}

void TestEventExport::goldens_data()
{
    QTest::addColumn<int>("format");
    QTest::addColumn<bool>("redact");
    QTest::addColumn<QString>("file");
    QTest::newRow("jsonl") << int(EventExportFormat::JsonLines) << true
                           << QStringLiteral("events.jsonl");
    QTest::newRow("csv") << int(EventExportFormat::Csv) << true << QStringLiteral("events.csv");
    QTest::newRow("csv unredacted")
        << int(EventExportFormat::Csv) << false << QStringLiteral("events-unredacted.csv");
}

void TestEventExport::goldens()
{
    QFETCH(int, format);
    QFETCH(bool, redact);
    QFETCH(QString, file);
    EventExportOptions o;
    o.format = static_cast<EventExportFormat>(format);
    o.redact = redact;
    o.ascending = true;
    auto actual = run(o);
    QVERIFY(actual);
    const QString path = dataPath(QStringLiteral("expected/export/") + file);
    if (qEnvironmentVariableIsSet("VIGIL_UPDATE_GOLDENS")) {
        QFile out(path);
        QVERIFY(out.open(QIODevice::WriteOnly | QIODevice::Truncate));
        out.write(actual->data(), static_cast<qint64>(actual->size()));
        QSKIP("golden written");
    }
    QFile in(path);
    QVERIFY2(in.open(QIODevice::ReadOnly), qPrintable(QStringLiteral("missing golden ") + path));
    QCOMPARE(*actual, in.readAll().toStdString());
}

void TestEventExport::redactedByDefault_data()
{
    QTest::addColumn<int>("format");
    QTest::newRow("jsonl") << int(EventExportFormat::JsonLines);
    QTest::newRow("csv") << int(EventExportFormat::Csv);
}

void TestEventExport::redactedByDefault()
{
    QFETCH(int, format);
    EventExportOptions o;
    o.format = static_cast<EventExportFormat>(format);
    std::int64_t n = 0;
    auto out = run(o, &n);
    QVERIFY(out);
    QCOMPARE(n, 5);
    for (const char* s : kSecrets)
        QVERIFY2(out->find(s) == std::string::npos, s);
    for (const char* marker :
         {"[REDACTED:pii.email]", "[REDACTED:secret.aws_access_key]", "[REDACTED:pii.phone]"})
        QVERIFY2(out->find(marker) != std::string::npos, marker);
    // What is not sensitive stays, a SQL mutation included.
    QVERIFY(out->find("DROP TABLE viewers") != std::string::npos);
    QVERIFY(out->find("the weekly report") != std::string::npos);
}

void TestEventExport::unredactedOnRequest()
{
    EventExportOptions o;
    o.redact = false;
    for (const auto format : {EventExportFormat::JsonLines, EventExportFormat::Csv}) {
        o.format = format;
        auto out = run(o);
        QVERIFY(out);
        for (const char* s : kSecrets)
            QVERIFY2(out->find(s) != std::string::npos, s);
        QVERIFY(out->find("[REDACTED:") == std::string::npos);
    }
}

void TestEventExport::jsonLinesAreEvents()
{
    EventExportOptions o; // newest first, as the views list
    auto out = run(o);
    QVERIFY(out);
    const QList<QByteArray> lines = QByteArray::fromStdString(*out).split('\n');
    QCOMPARE(lines.size(), 6); // five lines and the empty rest after the last LF
    QVERIFY(lines.last().isEmpty());
    QStringList ids;
    for (int i = 0; i < 5; ++i) {
        QJsonParseError err;
        const QJsonObject j = QJsonDocument::fromJson(lines[i], &err).object();
        QCOMPARE(err.error, QJsonParseError::NoError);
        ids << j.value(QStringLiteral("event_id")).toString();
        QVERIFY(j.value(QStringLiteral("details")).isObject());
        QVERIFY(j.value(QStringLiteral("findings")).isArray());
        QVERIFY(j.value(QStringLiteral("timestamp")).toString().endsWith(u'Z'));
    }
    QCOMPARE(ids,
             (QStringList{QStringLiteral("ex-5"), QStringLiteral("ex-4"), QStringLiteral("ex-3"),
                          QStringLiteral("ex-2"), QStringLiteral("ex-1")}));
    const QJsonObject third = QJsonDocument::fromJson(lines[2]).object();
    QCOMPARE(third.value(QStringLiteral("findings")).toArray().size(), 2);
    QCOMPARE(third.value(QStringLiteral("severity")).toString(), QStringLiteral("error"));
    QCOMPARE(third.value(QStringLiteral("details"))
                 .toObject()
                 .value(QStringLiteral("notes"))
                 .toObject()
                 .value(QStringLiteral("calls"))
                 .toArray()
                 .at(0)
                 .toString(),
             QStringLiteral("call [REDACTED:pii.phone] now"));
    QCOMPARE(QJsonDocument::fromJson(lines[4]).object().value(QStringLiteral("user_id")).toString(),
             QStringLiteral("u-17"));
}

void TestEventExport::csvGuardsAndQuotes()
{
    EventExportOptions o;
    o.format = EventExportFormat::Csv;
    o.ascending = true;
    auto out = run(o);
    QVERIFY(out);
    auto rows = parseCsv(*out);
    QVERIFY(rows);
    QCOMPARE(rows->size(), std::size_t(6));
    std::vector<std::string> header;
    for (const CsvCell& c : rows->front())
        header.push_back(c.value);
    QCOMPARE(header, (std::vector<std::string>{"timestamp", "severity", "event_type", "agent_name",
                                               "thread_id", "event_id", "findings", "details"}));
    // A value a spreadsheet would run as a formula is defused; quotes and line breaks survive.
    QCOMPARE((*rows)[5][3].value, std::string("'=HYPERLINK(\"x\")"));
    QCOMPARE(csvUnguard((*rows)[5][3].value), std::string("=HYPERLINK(\"x\")"));
    QCOMPARE((*rows)[4][7].value, std::string(R"({"query":"hello, \"world\"\nline two"})"));
    QCOMPARE((*rows)[3][6].value, std::string("secret.aws_access_key pii.phone"));
    QCOMPARE((*rows)[1][0].value, std::string("2026-11-21T10:00:00.000Z"));
    QVERIFY(out->ends_with("\r\n"));
}

void TestEventExport::filters()
{
    const auto idsOf = [&](EventFilter f) {
        EventExportOptions o;
        o.filter = std::move(f);
        o.ascending = true;
        QStringList ids;
        auto out = run(o);
        if (!out)
            return QStringList{QStringLiteral("error")};
        for (const QByteArray& line : QByteArray::fromStdString(*out).split('\n'))
            if (!line.isEmpty())
                ids << QJsonDocument::fromJson(line)
                           .object()
                           .value(QStringLiteral("event_id"))
                           .toString();
        return ids;
    };
    EventFilter pii;
    pii.findingMask = 1u << findingCategoryBit("pii");
    QCOMPARE(idsOf(pii), (QStringList{QStringLiteral("ex-1"), QStringLiteral("ex-3")}));
    EventFilter thread;
    thread.threadId = "t-3";
    QCOMPARE(idsOf(thread), (QStringList{QStringLiteral("ex-4"), QStringLiteral("ex-5")}));
    EventFilter agent;
    agent.agent = "brain";
    agent.threadId = "t-1";
    QCOMPARE(idsOf(agent), (QStringList{QStringLiteral("ex-1")}));
    EventFilter window;
    window.fromMs = kT0 + 1000;
    window.toMs = kT0 + 2000;
    QCOMPARE(idsOf(window), (QStringList{QStringLiteral("ex-2"), QStringLiteral("ex-3")}));
    EventFilter none;
    none.agent = "nobody";
    QCOMPARE(idsOf(none), QStringList{});
}

void TestEventExport::pagesPastOnePage()
{
    QTemporaryDir dir;
    const std::string path = dir.filePath(QStringLiteral("many.db")).toStdString();
    {
        auto w = StoreWriter::open(path);
        QVERIFY(w);
        QVERIFY(commit(**w, simpleEvents(4500)));
        (*w)->close();
    }
    auto r = StoreReader::open(path);
    QVERIFY(r);
    for (const bool ascending : {true, false}) {
        EventExportOptions o;
        o.ascending = ascending;
        std::vector<std::string> ids;
        auto n = exportEvents(*r, o, [&](std::string_view line) {
            const auto at = line.find("\"event_id\":\"");
            ids.emplace_back(line.substr(at + 12, line.find('"', at + 12) - at - 12));
            return true;
        });
        QVERIFY(n);
        QCOMPARE(*n, 4500);
        QCOMPARE(ids.size(), std::size_t(4500));
        QCOMPARE(ids.front(), std::string(ascending ? "e-0" : "e-4499"));
        QCOMPARE(ids.back(), std::string(ascending ? "e-4499" : "e-0"));
        std::sort(ids.begin(), ids.end());
        QVERIFY(std::adjacent_find(ids.begin(), ids.end()) == ids.end()); // each once
    }
}

void TestEventExport::stopsOnAFailedWrite()
{
    int calls = 0;
    auto n = exportEvents(*m_reader, {}, [&](std::string_view) { return ++calls < 3; });
    QVERIFY(!n);
    QCOMPARE(n.error().code, std::string("export.write"));
    QCOMPARE(calls, 3);
}

void TestEventExport::stopsWhenCancelled()
{
    std::string out;
    auto n = exportEvents(
        *m_reader, {},
        [&](std::string_view b) {
            out.append(b);
            return true;
        },
        [] { return false; });
    QVERIFY(!n);
    QCOMPARE(n.error().code, std::string("export.cancelled"));
    QVERIFY(out.empty());
}

void TestEventExport::formatNames()
{
    QCOMPARE(eventExportFormatFromString("jsonl"),
             std::optional<EventExportFormat>(EventExportFormat::JsonLines));
    QCOMPARE(eventExportFormatFromString("csv"),
             std::optional<EventExportFormat>(EventExportFormat::Csv));
    QVERIFY(!eventExportFormatFromString("json"));
    QVERIFY(!eventExportFormatFromString(""));
}

QTEST_GUILESS_MAIN(TestEventExport)
#include "tst_eventexport.moc"
