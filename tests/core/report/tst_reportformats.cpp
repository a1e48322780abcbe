// SPDX-License-Identifier: Apache-2.0
// Reports against golden files (CSV, JSON, HTML, OCSF, SARIF; keyed hashes, uuid and version
// normalized), formula-injection guarding, escaping and redaction.
//
// To refresh the goldens after an intended change: VIGIL_UPDATE_GOLDENS=1 tst_reportformats,
// then review the diff of tests/data/expected/report/.
#include "reporttestsupport.h"

#include "report/excerpt.h"
#include "report/reportbuilder.h"
#include "report/reportrender.h"
#include "review/threatmatrixio.h"

#include <QFile>

#include <nlohmann/json.hpp>

using namespace vigil;
using namespace vigil::test;

class TestReportFormats : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void goldens_data();
    void goldens();
    void formulaInjectionCellsAreGuarded_data();
    void formulaInjectionCellsAreGuarded();
    void csvOfReportGuardsCells();
    void htmlEscapesEverything();
    void redactionIsTheDefault();
    void unredactedIsNoted();
    void everyKindBuilds_data();
    void everyKindBuilds();
    void windowNarrowsTheReport();
    void chainStatusIsReported();
    void ocsfAndSarifShape();
    void excerptRedactsAcrossTheWindow();

private:
    std::string generate(ReportKind kind, ReportFormat format, bool redact = true);

    std::unique_ptr<QTemporaryDir> m_dir;
    std::string m_db;
};

void TestReportFormats::initTestCase()
{
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
    useKeyFolder(*m_dir);
    m_db = m_dir->filePath(QStringLiteral("fixture.db")).toStdString();
    QVERIFY(buildReportFixture(m_db));
}

std::string TestReportFormats::generate(ReportKind kind, ReportFormat format, bool redact)
{
    auto db = Database::openReader(m_db);
    if (!db)
        qFatal("open: %s", db.error().message.c_str());
    ReportRequest r;
    r.kind = kind;
    r.nowMs = kFixtureNow;
    r.redact = redact;
    auto out = generateReport(*db, r, format);
    if (!out)
        qFatal("generate: %s", out.error().message.c_str());
    return *out;
}

void TestReportFormats::goldens_data()
{
    QTest::addColumn<int>("kind");
    QTest::addColumn<int>("format");
    QTest::addColumn<QString>("file");
    QTest::newRow("soc2 csv") << int(ReportKind::Soc2) << int(ReportFormat::Csv)
                              << QStringLiteral("soc2.csv");
    QTest::newRow("production csv") << int(ReportKind::Production) << int(ReportFormat::Csv)
                                    << QStringLiteral("production.csv");
    QTest::newRow("gdpr json") << int(ReportKind::Gdpr) << int(ReportFormat::Json)
                               << QStringLiteral("gdpr.json");
    QTest::newRow("soc2 json") << int(ReportKind::Soc2) << int(ReportFormat::Json)
                               << QStringLiteral("soc2.json");
    QTest::newRow("incidents html") << int(ReportKind::Incidents) << int(ReportFormat::Html)
                                    << QStringLiteral("incidents.html");
    QTest::newRow("gdpr html") << int(ReportKind::Gdpr) << int(ReportFormat::Html)
                               << QStringLiteral("gdpr.html");
    QTest::newRow("findings ocsf") << int(ReportKind::Incidents) << int(ReportFormat::Ocsf)
                                   << QStringLiteral("findings.ocsf.json");
    QTest::newRow("findings sarif") << int(ReportKind::Incidents) << int(ReportFormat::Sarif)
                                    << QStringLiteral("findings.sarif");
}

void TestReportFormats::goldens()
{
    QFETCH(int, kind);
    QFETCH(int, format);
    QFETCH(QString, file);
    const std::string actual =
        normalizeReport(generate(static_cast<ReportKind>(kind), static_cast<ReportFormat>(format)));
    const QString path = dataPath(QStringLiteral("expected/report/") + file);
    if (qEnvironmentVariableIsSet("VIGIL_UPDATE_GOLDENS")) {
        QFile out(path);
        QVERIFY(out.open(QIODevice::WriteOnly | QIODevice::Truncate));
        out.write(actual.data(), static_cast<qint64>(actual.size()));
        QSKIP("golden written");
    }
    QFile in(path);
    QVERIFY2(in.open(QIODevice::ReadOnly), qPrintable(QStringLiteral("missing golden ") + path));
    const std::string expected = in.readAll().toStdString();
    if (actual != expected) {
        // Show the first differing line.
        std::size_t i = 0;
        while (i < actual.size() && i < expected.size() && actual[i] == expected[i])
            ++i;
        const std::size_t from =
            actual.rfind('\n', i) == std::string::npos ? 0 : actual.rfind('\n', i) + 1;
        const std::string got = actual.substr(from, 160),
                          want = expected.substr(std::min(from, expected.size()), 160);
        QFAIL(qPrintable(QStringLiteral("%1 differs at byte %2:\n got: %3\nwant: %4")
                             .arg(file)
                             .arg(i)
                             .arg(QString::fromStdString(got), QString::fromStdString(want))));
    }
}

void TestReportFormats::formulaInjectionCellsAreGuarded_data()
{
    QTest::addColumn<QString>("value");
    QTest::addColumn<QString>("cell");
    QTest::newRow("equals") << QStringLiteral("=1+1") << QStringLiteral("'=1+1");
    QTest::newRow("plus") << QStringLiteral("+1") << QStringLiteral("'+1");
    QTest::newRow("minus") << QStringLiteral("-1") << QStringLiteral("'-1");
    QTest::newRow("at") << QStringLiteral("@SUM(A1)") << QStringLiteral("'@SUM(A1)");
    QTest::newRow("tab") << QStringLiteral("\tx") << QStringLiteral("'\tx");
    QTest::newRow("cr") << QStringLiteral("\rx") << QStringLiteral("\"'\rx\"");
    QTest::newRow("hyperlink with quotes and comma")
        << QStringLiteral("=HYPERLINK(\"http://x\",\"y\")")
        << QStringLiteral("\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\"");
    QTest::newRow("plain") << QStringLiteral("plain text") << QStringLiteral("plain text");
    QTest::newRow("inner equals") << QStringLiteral("a=b") << QStringLiteral("a=b");
    QTest::newRow("newline") << QStringLiteral("a\nb") << QStringLiteral("\"a\nb\"");
}

void TestReportFormats::formulaInjectionCellsAreGuarded()
{
    QFETCH(QString, value);
    QFETCH(QString, cell);
    QCOMPARE(QString::fromStdString(csvCell(value.toStdString())), cell);
}

void TestReportFormats::csvOfReportGuardsCells()
{
    const std::string csv = generate(ReportKind::Incidents, ReportFormat::Csv);
    // The injection excerpt starts with "=cmd": a spreadsheet must see text.
    QVERIFY2(csv.find(",'=cmd|") != std::string::npos || csv.find(",\"'=cmd|") != std::string::npos,
             csv.c_str());
    QVERIFY(csv.find(",=cmd") == std::string::npos);
    QVERIFY(csv.find(",\"=cmd") == std::string::npos);
    // RFC 4180: CRLF records, one header, every record the same number of fields.
    QVERIFY(csv.starts_with("section,table,row,c1,"));
    QVERIFY(csv.ends_with("\r\n"));
}

void TestReportFormats::htmlEscapesEverything()
{
    ReportDocument doc;
    doc.meta.title = "<script>alert(1)</script>";
    doc.meta.chainHead = "\"><img src=x onerror=alert(1)>";
    ReportSection s{"x\" onload=\"y", "A & B <c>", {}};
    s.blocks.push_back(ReportParagraph{"it's <b>bold</b>"});
    s.blocks.push_back(ReportTable{"t", "T", {{"c", "<th>"}}, {{"</td><script>"}}, "none"});
    s.blocks.push_back(ReportChart{"c", "<svg>", "n", {{"</text><script>", 3, ""}}});
    doc.sections.push_back(std::move(s));
    const std::string html = renderHtml(doc);
    QVERIFY(html.find("<script>") == std::string::npos);
    QVERIFY(html.find("<img") == std::string::npos);
    QVERIFY(html.find("&lt;script&gt;alert(1)&lt;/script&gt;") != std::string::npos);
    QVERIFY(html.find("it&#39;s &lt;b&gt;bold&lt;/b&gt;") != std::string::npos);
    QVERIFY(html.find("id=\"x--onload--y\"") != std::string::npos);
    QVERIFY(html.find("Content-Security-Policy") != std::string::npos);
    // Self-contained: nothing fetched from elsewhere.
    for (const char* external : {"src=\"http", "href=\"http", "<link", "@import", "url("})
        QVERIFY2(html.find(external) == std::string::npos, external);
}

void TestReportFormats::redactionIsTheDefault()
{
    for (const ReportFormat f : {ReportFormat::Html, ReportFormat::Csv, ReportFormat::Json,
                                 ReportFormat::Ocsf, ReportFormat::Sarif}) {
        const std::string out = generate(ReportKind::Full, f);
        for (const char* secret : {"jane.doe@example.com", "AKIAIOSFODNN7EXAMPLE", "555-867-5309"})
            QVERIFY2(out.find(secret) == std::string::npos,
                     qPrintable(QStringLiteral("%1 leaks %2")
                                    .arg(QString::fromUtf8(toString(f).data()),
                                         QString::fromUtf8(secret))));
        if (f != ReportFormat::Ocsf && f != ReportFormat::Sarif)
            QVERIFY(out.find("[REDACTED:pii.email]") != std::string::npos);
        if (f == ReportFormat::Ocsf)
            QVERIFY(out.find("\"redacted\": true") != std::string::npos);
        else
            QVERIFY(out.find("PII and secrets are redacted") != std::string::npos);
    }
}

void TestReportFormats::unredactedIsNoted()
{
    const std::string out = generate(ReportKind::Gdpr, ReportFormat::Json, false);
    QVERIFY(out.find("jane.doe@example.com") != std::string::npos);
    QVERIFY(out.find("UNREDACTED") != std::string::npos);
    QVERIFY(out.find("\"redacted\": false") != std::string::npos);
    // Erased content stays erased whatever the reviewer asks.
    QVERIFY(out.find("555-867-5309") == std::string::npos);
    QVERIFY(out.find("t-erase") == std::string::npos);
}

void TestReportFormats::everyKindBuilds_data()
{
    QTest::addColumn<int>("kind");
    for (const char* k : {"soc2", "gdpr", "production", "incidents", "full"})
        QTest::newRow(k) << int(*reportKindFromString(k));
}

void TestReportFormats::everyKindBuilds()
{
    QFETCH(int, kind);
    for (const ReportFormat f :
         {ReportFormat::Html, ReportFormat::Csv, ReportFormat::Json, ReportFormat::Pdf}) {
        const std::string out = generate(static_cast<ReportKind>(kind), f);
        QVERIFY(!out.empty());
        if (f == ReportFormat::Json) {
            const auto j = nlohmann::json::parse(out);
            QCOMPARE(j["report"]["kind"].get<std::string>(),
                     std::string(toString(static_cast<ReportKind>(kind))));
            QCOMPARE(j["report"]["chain"]["head"].get<std::string>().size(), 64u);
            QVERIFY(j["report"]["chain"]["status"].get<std::string>().starts_with("intact"));
        }
    }
    const std::string json = generate(ReportKind::Full, ReportFormat::Json);
    for (const char* section :
         {"\"soc2-controls\"", "\"production-checklist\"", "\"incidents\"", "\"gdpr-erasure\"",
          "\"gdpr-retention\"", "\"gdpr-minimization\"", "\"threat-matrices\"", "\"iam-map\""})
        QVERIFY2(json.find(section) != std::string::npos, section);
}

void TestReportFormats::windowNarrowsTheReport()
{
    auto db = Database::openReader(m_db);
    ReportRequest r;
    r.kind = ReportKind::Incidents;
    r.nowMs = kFixtureNow;
    r.fromMs = 1'795'255'204'000; // from the t-beta query on
    r.toMs = 1'795'255'205'000;
    auto doc = buildReport(*db, r);
    QVERIFY(doc);
    QCOMPARE(doc->meta.eventsInWindow, 2);
    QCOMPARE(*doc->meta.fromMs, *r.fromMs);
    const std::string json = renderJson(*doc);
    QVERIFY(json.find("injection.override") != std::string::npos);
    QVERIFY(json.find("secret.aws_access_key") == std::string::npos);
}

void TestReportFormats::chainStatusIsReported()
{
    const QString copy = m_dir->filePath(QStringLiteral("tampered.db"));
    QVERIFY(QFile::copy(QString::fromStdString(m_db), copy));
    // The copy shares the uuid, hence the key.
    QVERIFY(rawExec(copy, "UPDATE events SET details='{\"query\":\"edited\"}' WHERE id=3"));
    auto db = Database::openReader(copy.toStdString());
    ReportRequest r;
    r.nowMs = kFixtureNow;
    auto doc = buildReport(*db, r);
    QVERIFY(doc);
    QVERIFY2(doc->meta.chainStatus.starts_with("broken at event 3"), doc->meta.chainStatus.c_str());
    const std::string html = renderHtml(*doc);
    QVERIFY(html.find("broken at event 3") != std::string::npos);
    // SOC 2 audit logging fails on a broken chain.
    const std::string csv = renderCsv(*doc);
    QVERIFY(csv.find("tamper-evident chain BROKEN") != std::string::npos);
    r.verifyChain = false;
    doc = buildReport(*db, r);
    QVERIFY(doc->meta.chainStatus.starts_with("not verified"));
}

void TestReportFormats::ocsfAndSarifShape()
{
    const auto ocsf = nlohmann::json::parse(generate(ReportKind::Full, ReportFormat::Ocsf));
    QVERIFY(ocsf.is_array());
    QCOMPARE(ocsf.size(), 6u); // the erased event's finding stays (without content)
    for (const auto& f : ocsf) {
        QCOMPARE(f["class_uid"].get<int>(), 2004);
        QCOMPARE(f["category_uid"].get<int>(), 2);
        QCOMPARE(f["type_uid"].get<int>(), 200401);
        QVERIFY(f["severity_id"].get<int>() >= 2 && f["severity_id"].get<int>() <= 5);
        QVERIFY(f.contains("time") && f.contains("metadata") && f.contains("finding_info"));
        QVERIFY(f["metadata"].contains("product") && f["metadata"].contains("version"));
        QVERIFY(f["finding_info"].contains("uid") && f["finding_info"].contains("title"));
    }
    const auto sarif = nlohmann::json::parse(generate(ReportKind::Full, ReportFormat::Sarif));
    QCOMPARE(sarif["version"].get<std::string>(), std::string("2.1.0"));
    QCOMPARE(sarif["runs"].size(), 1u);
    const auto& run = sarif["runs"][0];
    QCOMPARE(run["tool"]["driver"]["name"].get<std::string>(), std::string("Vigil"));
    QCOMPARE(run["results"].size(), 6u);
    for (const auto& r : run["results"]) {
        const auto idx = r["ruleIndex"].get<std::size_t>();
        QCOMPARE(run["tool"]["driver"]["rules"][idx]["id"], r["ruleId"]);
        const std::string level = r["level"].get<std::string>();
        QVERIFY(level == "error" || level == "warning" || level == "note");
    }
    QCOMPARE(run["properties"]["redacted"].get<bool>(), true);
}

void TestReportFormats::excerptRedactsAcrossTheWindow()
{
    Finding pii;
    pii.rule = "pii.email";
    pii.category = "pii";
    pii.start = 2;
    pii.end = 13;
    const std::string value = "x a@b.example y";
    QCOMPARE(excerpt(value, 2, 13, {pii}, true), std::string("x [REDACTED:pii.email] y"));
    QCOMPARE(excerpt(value, 2, 13, {pii}, false), value);
    // A window that cuts through the match still hides the part inside it.
    const std::string cut = excerpt(value, 0, 1, {pii}, true, 4);
    QVERIFY2(cut.find('@') == std::string::npos && cut.find("a@") == std::string::npos,
             cut.c_str());
    // Multi-byte text is cut at code points.
    const std::string utf = excerpt("\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9", 3, 4, {}, true, 1);
    QCOMPARE(utf, std::string("...\u00e9\u00e9\u00e9..."));
    // A sensitive finding without a span withholds the value.
    pii.start = pii.end = -1;
    QCOMPARE(excerpt(value, -1, -1, {pii}, true), std::string("[REDACTED:pii.email]"));
    QCOMPARE(detailsFieldValue(R"({"filters":[{"value":"v0"},{"value":"v1"}]})",
                               "details.filters[1].value"),
             std::optional<std::string>("v1"));
    QVERIFY(!detailsFieldValue(R"({"a":1})", "details.a"));
    QVERIFY(!detailsFieldValue(R"({"a":"x"})", "thread_id"));
    // Stored details beyond the JSON limits (a database edited by hand) give no excerpt.
    std::string deep = "\"x\"";
    std::string path = "details";
    for (int i = 0; i < 65; ++i) {
        deep = "{\"a\":" + deep + "}";
        if (i > 0)
            path += ".a";
    }
    path += ".a";
    QVERIFY(!detailsFieldValue(deep, path));
    QCOMPARE(detailsFieldValue("{\"a\":" + std::string(R"({"a":"x"})") + "}", "details.a.a"),
             std::optional<std::string>("x"));
}

QTEST_GUILESS_MAIN(TestReportFormats)
#include "tst_reportformats.moc"
