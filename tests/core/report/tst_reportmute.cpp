// SPDX-License-Identifier: Apache-2.0
// Reports and finding exports of a database with mute rules: the "Suppression rules"
// section (reason, author, expiry, findings per rule) in every format, muted findings marked
// suppressed in SARIF (kind external, with the justification) and OCSF (status Suppressed),
// incidents whose findings are all muted left out, and everything back once the rule expires.
#include "reporttestsupport.h"

#include "base/timeutil.h"
#include "report/reportbuilder.h"
#include "report/reportrender.h"
#include "store/suppression.h"

#include <nlohmann/json.hpp>

using namespace vigil;
using namespace vigil::test;

namespace {

constexpr std::int64_t kExpires = kFixtureNow + 86'400'000;

const nlohmann::json* section(const nlohmann::json& report, const std::string& id)
{
    for (const auto& s : report["sections"])
        if (s["id"] == id)
            return &s;
    return nullptr;
}

const nlohmann::json* table(const nlohmann::json& sec, const std::string& id)
{
    for (const auto& t : sec["tables"])
        if (t["id"] == id)
            return &t;
    return nullptr;
}

} // namespace

class TestReportMute : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void sarifMarksMutedFindingsSuppressed();
    void ocsfMarksMutedFindingsSuppressed();
    void reportListsTheRules();
    void mutedIncidentsLeaveTheReport();
    void expiredRuleGivesEverythingBack();
    void everyFormatHasTheSection_data();
    void everyFormatHasTheSection();

private:
    std::string generate(ReportKind kind, ReportFormat format, std::int64_t now = kFixtureNow);

    std::unique_ptr<QTemporaryDir> m_dir;
    std::string m_db;
};

void TestReportMute::initTestCase()
{
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
    useKeyFolder(*m_dir);
    m_db = m_dir->filePath(QStringLiteral("fixture.db")).toStdString();
    QVERIFY(buildReportFixture(m_db));
    auto w = StoreWriter::open(m_db);
    QVERIFY(w);
    SuppressionRule secret;
    secret.rule = "secret.aws_access_key";
    secret.reason = "AWS's documented example key";
    secret.author = "alice";
    secret.expiresMs = kExpires;
    SuppressionRule gone;
    gone.agent = "brain";
    gone.reason = "noisy while tuning";
    gone.author = "bob";
    QVERIFY((*w)->run([&](Database& db) -> Result<void> {
        auto a = addSuppression(db, secret, false, "alice", kFixtureNow - 1000);
        if (!a)
            return std::unexpected(a.error());
        auto b = addSuppression(db, gone, false, "bob", kFixtureNow - 1000);
        if (!b)
            return std::unexpected(b.error());
        return removeSuppression(db, *b, "tuning done", "bob", kFixtureNow - 500);
    }));
    (*w)->close();
}

std::string TestReportMute::generate(ReportKind kind, ReportFormat format, std::int64_t now)
{
    auto db = Database::openReader(m_db);
    if (!db)
        qFatal("open: %s", db.error().message.c_str());
    ReportRequest r;
    r.kind = kind;
    r.nowMs = now;
    auto out = generateReport(*db, r, format);
    if (!out)
        qFatal("generate: %s", out.error().message.c_str());
    return *out;
}

void TestReportMute::sarifMarksMutedFindingsSuppressed()
{
    const auto sarif = nlohmann::json::parse(generate(ReportKind::Full, ReportFormat::Sarif));
    int suppressed = 0, results = 0;
    for (const auto& r : sarif["runs"][0]["results"]) {
        ++results;
        if (!r.contains("suppressions")) {
            QVERIFY(r["ruleId"] != "secret.aws_access_key");
            continue;
        }
        ++suppressed;
        QCOMPARE(r["ruleId"].get<std::string>(), std::string("secret.aws_access_key"));
        const auto& s = r["suppressions"][0];
        QCOMPARE(s["kind"].get<std::string>(), std::string("external"));
        QCOMPARE(s["status"].get<std::string>(), std::string("accepted"));
        QCOMPARE(s["justification"].get<std::string>(), std::string("AWS's documented example key"));
        QCOMPARE(s["properties"]["author"].get<std::string>(), std::string("alice"));
        QCOMPARE(s["properties"]["expires"].get<std::string>(), formatRfc3339Utc(kExpires));
    }
    QCOMPARE(suppressed, 1);
    QVERIFY(results > 1); // muting never drops a finding from the export
}

void TestReportMute::ocsfMarksMutedFindingsSuppressed()
{
    const auto ocsf = nlohmann::json::parse(generate(ReportKind::Full, ReportFormat::Ocsf));
    int suppressed = 0;
    for (const auto& f : ocsf) {
        if (f["status_id"] == 3) {
            ++suppressed;
            QCOMPARE(f["status"].get<std::string>(), std::string("Suppressed"));
            QCOMPARE(f["unmapped"]["suppression"]["reason"].get<std::string>(),
                     std::string("AWS's documented example key"));
        } else {
            QCOMPARE(f["status_id"].get<int>(), 1);
        }
    }
    QCOMPARE(suppressed, 1);
}

void TestReportMute::reportListsTheRules()
{
    const auto report = nlohmann::json::parse(generate(ReportKind::Incidents, ReportFormat::Json));
    const auto* sec = section(report, "suppression-rules");
    QVERIFY(sec);
    QCOMPARE((*sec)["title"].get<std::string>(), std::string("Suppression rules"));
    const auto* rules = table(*sec, "suppression-rule-list");
    QVERIFY(rules);
    QCOMPARE((*rules)["rows"].size(), std::size_t{2}); // the removed rule stays listed
    const auto& a = (*rules)["rows"][0];
    QCOMPARE(a["status"].get<std::string>(), std::string("active"));
    QCOMPARE(a["criteria"].get<std::string>(), std::string("rule secret.aws_access_key"));
    QCOMPARE(a["reason"].get<std::string>(), std::string("AWS's documented example key"));
    QCOMPARE(a["author"].get<std::string>(), std::string("alice"));
    QCOMPARE(a["expires"].get<std::string>(), formatRfc3339Utc(kExpires));
    QCOMPARE(a["findings"].get<int>(), 1);
    const auto& b = (*rules)["rows"][1];
    QCOMPARE(b["status"].get<std::string>(), std::string("removed"));
    QCOMPARE(b["expires"].get<std::string>(), std::string("never"));
    QVERIFY(b["findings"].get<int>() >= 1); // brain's findings in the window
}

void TestReportMute::mutedIncidentsLeaveTheReport()
{
    const auto report = nlohmann::json::parse(generate(ReportKind::Incidents, ReportFormat::Json));
    const auto* inc = section(report, "incidents");
    QVERIFY(inc);
    for (const auto& row : (*table(*inc, "incident-list"))["rows"])
        QVERIFY(row["rule"] != "secret.aws_access_key");
    const auto* overview = section(report, "overview");
    bool noted = false;
    for (const auto& row : (*table(*overview, "figures"))["rows"])
        if (row["measure"] == "Incidents left out: all their findings muted") {
            QCOMPARE(row["value"].get<int>(), 1);
            noted = true;
        } else if (row["measure"] == "Findings") {
            QCOMPARE(row["value"].get<int>(), 6); // still counted
        }
    QVERIFY(noted);
}

void TestReportMute::expiredRuleGivesEverythingBack()
{
    const auto sarif = nlohmann::json::parse(generate(ReportKind::Full, ReportFormat::Sarif, kExpires));
    for (const auto& r : sarif["runs"][0]["results"])
        QVERIFY(!r.contains("suppressions"));
    const auto report =
        nlohmann::json::parse(generate(ReportKind::Incidents, ReportFormat::Json, kExpires));
    bool secretBack = false;
    for (const auto& row : (*table(*section(report, "incidents"), "incident-list"))["rows"])
        secretBack = secretBack || row["rule"] == "secret.aws_access_key";
    QVERIFY(secretBack);
    const auto* rules = table(*section(report, "suppression-rules"), "suppression-rule-list");
    QCOMPARE((*rules)["rows"][0]["status"].get<std::string>(), std::string("expired"));
}

void TestReportMute::everyFormatHasTheSection_data()
{
    QTest::addColumn<int>("format");
    QTest::newRow("html") << int(ReportFormat::Html);
    QTest::newRow("csv") << int(ReportFormat::Csv);
    QTest::newRow("pdf") << int(ReportFormat::Pdf);
}

void TestReportMute::everyFormatHasTheSection()
{
    QFETCH(int, format);
    const std::string out = generate(ReportKind::Soc2, static_cast<ReportFormat>(format));
    if (static_cast<ReportFormat>(format) == ReportFormat::Pdf) {
        QVERIFY(out.starts_with("%PDF"));
        QVERIFY(out.size() > 1000);
        return; // PDF text is compressed; the document the PDF renders is checked above
    }
    // HTML names the section by its title, CSV by its id.
    QVERIFY(out.find("Suppression rules") != std::string::npos ||
            out.find("suppression-rules,suppression-rule-list") != std::string::npos);
    QVERIFY(out.find("documented example key") != std::string::npos);
    QVERIFY(out.find("alice") != std::string::npos);
}

QTEST_GUILESS_MAIN(TestReportMute)
#include "tst_reportmute.moc"
