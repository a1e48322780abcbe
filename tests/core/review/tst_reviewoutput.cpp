// SPDX-License-Identifier: Apache-2.0
// What `vigil-cli checklist` and `vigil-cli threats` print (spec/cli.md), against goldens.
#include "review/checkliststate.h"
#include "review/reviewoutput.h"
#include "review/threatmatrix.h"

#include "fakeevidencesource.h"
#include "reviewtestutil.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QtTest/QtTest>

using namespace vigil;
using test::FakeEvidenceSource;

namespace {

/// A small deployment: PII leaked by the formatter, a secret in a stack trace, screened user
/// queries with one injection attempt, a rejected line, and an IAM file with one wildcard.
FakeEvidenceSource deployment()
{
    FakeEvidenceSource s;
    s.add("user_query_received", "brain", 1000);
    s.add("user_query_received", "brain", 2000, "injection", "injection.override");
    s.add("brain_plan_created", "brain", 2100);
    s.add("worker_invoked", "sql-writer", 2200);
    s.add("sql_executed", "sql-writer", 2300);
    s.add("worker_result", "formatter", 2400, "pii", "pii.email");
    s.add("error_occurred", "sql-writer", 2500, "secret", "secret.github");
    s.add("tool_call", "sql-writer", 2600, "iam", "iam.not_granted");
    s.rejected.push_back({"", 3000});
    IamFacts iam;
    iam.hasBoundary = true;
    iam.roleByAgent = {{"brain", "agent-brain-role"},
                       {"sql-writer", "agent-sql-writer-role"},
                       {"formatter", "agent-formatter-role"}};
    iam.definedRoles = {"agent-brain-role", "agent-sql-writer-role", "agent-formatter-role"};
    iam.observedAgents = {"brain", "sql-writer", "formatter"};
    iam.wildcardGrants = {{"agent-formatter-role", "s3:*", "*"}};
    s.iamFacts = iam;
    return s;
}

std::vector<ItemState> reviewedStates()
{
    const auto lists = loadChecklists();
    if (!lists)
        qFatal("%s", lists.error().message.c_str());
    ChecklistState state(allItems(*lists));
    state.evaluate(deployment());
    const std::int64_t t = 1795255200000; // 2026-11-21T10:00:00.000Z
    const auto add = [&](const char* id, VerdictKind k, const char* reviewer, const char* note,
                         std::int64_t at) {
        if (!state.addVerdict(Verdict{id, {}, k, note, reviewer, at}))
            qFatal("verdict on %s refused", id);
    };
    add("maestro.4.2", VerdictKind::Fail, "ana", "formatter echoes e-mail addresses", t);
    add("maestro.4.2", VerdictKind::Pass, "bo", "redaction shipped in 2.3", t + 60000);
    add("production.network.1", VerdictKind::NotApplicable, "ana", "no AWS deployment", t + 120000);
    add("production.iam.2", VerdictKind::Pass, "ana", "", t + 180000);
    return state.states();
}

std::vector<ThreatMatrix> matrices()
{
    auto maestro = loadThreatTemplate("maestro");
    auto surface = loadThreatTemplate("attack-surface");
    if (!maestro || !surface)
        qFatal("templates");
    ThreatMatrix system = createMatrixFromTemplate(*surface, "System attack surface");
    system.rows[0].status = ThreatStatus::Mitigated;
    system.rows[0].owner = "ana";
    ThreatMatrix formatter = createMatrixFromTemplate(*maestro, "Formatter plugin", "formatter");
    formatter.rows[5].mitigation = "=env vars, not config"; // a cell a spreadsheet would run
    return {system, formatter};
}

} // namespace

class TestReviewOutput : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void checklistJsonMatchesTheContract();
    void checklistJsonGolden();
    void threatRowsCountFindingsPerMatrixComponent();
    void threatsGoldens();
    void threatsFormats();
};

void TestReviewOutput::checklistJsonMatchesTheContract()
{
    const std::string text = checklistJson(reviewedStates());
    QJsonParseError error{};
    const auto doc = QJsonDocument::fromJson(QByteArray::fromStdString(text), &error);
    QCOMPARE(error.error, QJsonParseError::NoError);
    QVERIFY(doc.isArray());
    const QJsonArray items = doc.array();
    QCOMPARE(items.size(), 61);
    QMap<QString, int> perChecklist;
    for (const auto& v : items) {
        const QJsonObject o = v.toObject();
        for (const char* key :
             {"id", "checklist", "section", "text", "auto", "evidence", "verdict"})
            QVERIFY2(o.contains(QLatin1String(key)), key);
        perChecklist[o[QStringLiteral("checklist")].toString()]++;
        const QString status = o[QStringLiteral("auto")].toString();
        QVERIFY(status == QStringLiteral("pass") || status == QStringLiteral("fail") ||
                status == QStringLiteral("unknown"));
        QVERIFY(o[QStringLiteral("evidence")].isDouble());
        QVERIFY(o[QStringLiteral("verdict")].isNull() || o[QStringLiteral("verdict")].isString());
    }
    QCOMPARE(perChecklist[QStringLiteral("maestro")], 21);
    QCOMPARE(perChecklist[QStringLiteral("plugin")], 20);
    QCOMPARE(perChecklist[QStringLiteral("production")], 20);

    const auto find = [&](const char* id) {
        for (const auto& v : items)
            if (v.toObject()[QStringLiteral("id")].toString() == QLatin1String(id))
                return v.toObject();
        return QJsonObject();
    };
    const QJsonObject pii = find("maestro.4.2");
    QCOMPARE(pii[QStringLiteral("auto")].toString(), QStringLiteral("fail"));
    QCOMPARE(pii[QStringLiteral("evidence")].toInt(), 1);
    QCOMPARE(pii[QStringLiteral("verdict")].toString(), QStringLiteral("pass"));
    QCOMPARE(pii[QStringLiteral("verdicts")].toInt(), 2);
    QCOMPARE(pii[QStringLiteral("conflict")].toBool(), true);
    QCOMPARE(pii[QStringLiteral("verdict_at")].toString(),
             QStringLiteral("2026-11-21T10:01:00.000Z"));
    const QJsonObject wildcard = find("production.iam.3");
    QCOMPARE(wildcard[QStringLiteral("auto")].toString(), QStringLiteral("fail"));
    QVERIFY(wildcard[QStringLiteral("verdict")].isNull());
    const QJsonObject classified = find("production.prompt.1");
    QCOMPARE(classified[QStringLiteral("auto")].toString(), QStringLiteral("pass"));
    QCOMPARE(classified[QStringLiteral("evidence")].toInt(), 1);
    const QJsonObject network = find("production.network.1");
    QCOMPARE(network[QStringLiteral("auto")].toString(), QStringLiteral("unknown"));
    QCOMPARE(network[QStringLiteral("verdict")].toString(), QStringLiteral("not_applicable"));
    QVERIFY(network[QStringLiteral("evidence_rule")].isNull());
}

void TestReviewOutput::checklistJsonGolden()
{
    QVERIFY(test::matchesGolden("checklist_cli.json", checklistJson(reviewedStates())));
    QCOMPARE(checklistJson({}), std::string("[]\n"));
}

void TestReviewOutput::threatRowsCountFindingsPerMatrixComponent()
{
    const auto rows = threatOutputRows(matrices(), deployment());
    QCOMPARE(rows.size(), std::size_t(13));
    QCOMPARE(rows[0].matrix, std::string("System attack surface"));
    QCOMPARE(rows[0].findings, std::int64_t(1)); // the injection attempt
    QCOMPARE(rows[1].findings, std::int64_t(2)); // pii + secret, all agents
    QCOMPARE(rows[3].findings, std::int64_t(1)); // tool abuse: iam
    QCOMPARE(rows[6].matrix, std::string("Formatter plugin"));
    QCOMPARE(rows[6].findings, std::int64_t(0));  // injection, but not the formatter's
    QCOMPARE(rows[7].findings, std::int64_t(0));  // schema + rejected (unreadable agent)
    QCOMPARE(rows[11].findings, std::int64_t(0)); // secret: the sql-writer's, not formatter's
    const auto windowed = threatOutputRows(matrices(), deployment(), EvidenceScope{"", 0, 1500});
    QCOMPARE(windowed[0].findings, std::int64_t(0));
}

void TestReviewOutput::threatsGoldens()
{
    const auto rows = threatOutputRows(matrices(), deployment());
    QVERIFY(test::matchesGolden("threats_cli.csv", threatsCsv(rows)));
    QVERIFY(test::matchesGolden("threats_cli.md", threatsMarkdown(rows)));
    QVERIFY(test::matchesGolden("threats_cli.json", threatsJson(rows)));
}

void TestReviewOutput::threatsFormats()
{
    QVERIFY(threatsFormatFromString("csv") == ThreatsFormat::Csv);
    QVERIFY(threatsFormatFromString("json") == ThreatsFormat::Json);
    QVERIFY(threatsFormatFromString("md") == ThreatsFormat::Markdown);
    QVERIFY(!threatsFormatFromString("markdown"));
    QVERIFY(!threatsFormatFromString("CSV"));
    const auto rows = threatOutputRows(matrices(), deployment());
    QCOMPARE(formatThreats(rows, ThreatsFormat::Csv), threatsCsv(rows));
    QCOMPARE(formatThreats(rows, ThreatsFormat::Json), threatsJson(rows));
    QCOMPARE(formatThreats(rows, ThreatsFormat::Markdown), threatsMarkdown(rows));
    QCOMPARE(threatsCsv({}),
             std::string("matrix,layer,component,threat,severity,mitigation,status,findings\r\n"));
    QCOMPARE(threatsJson({}), std::string("[]\n"));
}

QTEST_APPLESS_MAIN(TestReviewOutput)
#include "tst_reviewoutput.moc"
