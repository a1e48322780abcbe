// SPDX-License-Identifier: Apache-2.0
// Each shipped evidence rule flips between unknown, pass and fail on its evidence.
#include "review/checklist.h"
#include "review/evidencerule.h"

#include "fakeevidencesource.h"
#include "reviewtestutil.h"

#include <QtTest/QtTest>

#include <map>
#include <string>

using namespace vigil;
using test::FakeEvidenceSource;

namespace {

const EvidenceRule& shippedRule(const std::string& id)
{
    static const auto rules = loadEvidenceRules();
    if (!rules)
        qFatal("%s", rules.error().message.c_str());
    for (const auto& r : *rules)
        if (r.id == id)
            return r;
    qFatal("no rule %s", id.c_str());
}

const ChecklistItem& shippedItem(const std::string& id)
{
    static const auto lists = loadChecklists();
    static const auto items = lists ? allItems(*lists) : std::vector<ChecklistItem>();
    for (const auto& item : items)
        if (item.id == id)
            return item;
    qFatal("no item %s", id.c_str());
}

std::string status(const EvidenceResult& r)
{
    return test::name(r.status);
}

IamFacts cleanIam()
{
    IamFacts iam;
    iam.hasBoundary = true;
    iam.roleByAgent = {{"brain", "agent-brain-role"}, {"sql-writer", "agent-sql-writer-role"}};
    iam.definedRoles = {"agent-brain-role", "agent-sql-writer-role"};
    iam.observedAgents = {"brain", "sql-writer", "brain"};
    return iam;
}

} // namespace

class TestEvidenceRules : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void noFindingsRulesFlip_data();
    void noFindingsRulesFlip();
    void noFindingsRespectsEventTypes();
    void scopeFiltersComponentAndWindow();
    void rejectedLinesGoToQuarantineCount();
    void listingsListTheEvidence();
    void injectionClassification();
    void errorPathsLogged();
    void iamRulesUnknownWithoutPolicyFile();
    void iamRolePerAgent();
    void iamBoundary();
    void iamWildcards();
    void itemsWithoutRuleStayUnknown();
    void namedItemsJudgeTheirEvidence();
};

void TestEvidenceRules::noFindingsRulesFlip_data()
{
    QTest::addColumn<QString>("rule");
    QTest::addColumn<QString>("category");  // a failing finding of this category
    QTest::addColumn<QString>("eventType"); // in an event of this type
    const auto rules = loadEvidenceRules();
    QVERIFY(rules.has_value());
    for (const auto& r : *rules) {
        if (r.kind != EvidenceKind::NoFindings)
            continue;
        const std::string type = r.eventTypes.empty() ? "worker_result" : r.eventTypes.front();
        for (const auto& c : r.categories) {
            if (c == kRejectedCategory)
                continue;
            QTest::newRow((r.id + "/" + c).c_str())
                << QString::fromStdString(r.id) << QString::fromStdString(c)
                << QString::fromStdString(type);
        }
    }
}

void TestEvidenceRules::noFindingsRulesFlip()
{
    QFETCH(QString, rule);
    QFETCH(QString, category);
    QFETCH(QString, eventType);
    const auto& r = shippedRule(rule.toStdString());

    FakeEvidenceSource source;
    QCOMPARE(status(evaluateEvidence(r, source)), std::string("unknown"));

    source.add(eventType.toStdString());
    source.add(eventType.toStdString());
    auto result = evaluateEvidence(r, source);
    QCOMPARE(status(result), std::string("pass"));
    QCOMPARE(result.count, std::int64_t(2)); // the scanned events
    QCOMPARE(result.ruleId, rule.toStdString());

    source.add(eventType.toStdString(), "brain", 1000, category.toStdString());
    result = evaluateEvidence(r, source);
    QCOMPARE(status(result), std::string("fail"));
    QCOMPARE(result.count, std::int64_t(1)); // the finding
    QVERIFY(!result.reason.empty());
}

void TestEvidenceRules::noFindingsRespectsEventTypes()
{
    // "Output scanning for PII" fails on worker results only: PII in a user's own question
    // is not an output. But a threat row linking pii counts it, so the item does not pass
    // either: unknown, with the finding listed, until a reviewer decides.
    const auto& r = shippedRule("pii_absent_outputs");
    FakeEvidenceSource source;
    source.add("user_query_received", "brain", 1000, "pii", "pii.email");
    QCOMPARE(status(evaluateEvidence(r, source)), std::string("unknown"));
    source.add("worker_result", "formatter");
    const auto elsewhere = evaluateEvidence(r, source);
    QCOMPARE(status(elsewhere), std::string("unknown"));
    QCOMPARE(elsewhere.count, std::int64_t(1));
    QCOMPARE(elsewhere.listings.size(), std::size_t(1));
    QVERIFY(elsewhere.listings[0].query.eventTypes.empty());
    QVERIFY2(elsewhere.reason.find("other events than worker_result") != std::string::npos,
             elsewhere.reason.c_str());
    FakeEvidenceSource clean;
    clean.add("user_query_received");
    clean.add("worker_result", "formatter");
    QCOMPARE(status(evaluateEvidence(r, clean)), std::string("pass"));
    source.add("worker_result", "formatter", 1000, "pii", "pii.phone");
    const auto result = evaluateEvidence(r, source);
    QCOMPARE(status(result), std::string("fail"));
    QCOMPARE(result.count, std::int64_t(1));
    // While "No PII in default log output" counts both.
    QCOMPARE(evaluateEvidence(shippedRule("pii_absent"), source).count, std::int64_t(2));
}

void TestEvidenceRules::scopeFiltersComponentAndWindow()
{
    const auto& r = shippedRule("pii_absent");
    FakeEvidenceSource source;
    source.add("worker_result", "brain", 1000);
    source.add("worker_result", "formatter", 5000, "pii");

    QCOMPARE(status(evaluateEvidence(r, source)), std::string("fail"));
    QCOMPARE(status(evaluateEvidence(r, source, EvidenceScope{"brain"})), std::string("pass"));
    QCOMPARE(status(evaluateEvidence(r, source, EvidenceScope{"formatter"})), std::string("fail"));
    QCOMPARE(status(evaluateEvidence(r, source, EvidenceScope{"nobody"})), std::string("unknown"));
    QCOMPARE(status(evaluateEvidence(r, source, EvidenceScope{"", 0, 4999})), std::string("pass"));
    QCOMPARE(status(evaluateEvidence(r, source, EvidenceScope{"", 5000, 5000})),
             std::string("fail"));
    QCOMPARE(status(evaluateEvidence(r, source, EvidenceScope{"", 6000, 9000})),
             std::string("unknown"));
}

void TestEvidenceRules::rejectedLinesGoToQuarantineCount()
{
    const auto& r = shippedRule("structured_logging");
    FakeEvidenceSource source;
    source.add("tool_call");
    QCOMPARE(status(evaluateEvidence(r, source)), std::string("pass"));

    source.rejected.push_back({"", 1000});
    source.rejected.push_back({"", 2000});
    const auto result = evaluateEvidence(r, source);
    QCOMPARE(status(result), std::string("fail"));
    QCOMPARE(result.count, std::int64_t(2));
    QCOMPARE(result.listings.size(), std::size_t(1));
    QVERIFY(result.listings[0].target == EvidenceTarget::Rejected);
    QCOMPARE(result.reason, std::string("2 rejected lines"));

    source.add("human_escalation", "brain", 1000, "log_injection", "log_injection.crlf");
    const auto both = evaluateEvidence(r, source);
    QCOMPARE(both.count, std::int64_t(3));
    QCOMPARE(both.listings.size(), std::size_t(2));
    QCOMPARE(both.reason, std::string("1 log_injection finding and 2 rejected lines"));

    // The contract: countFindings never sees the category `rejected`.
    for (const auto& q : source.findingQueries)
        QVERIFY(std::find(q.categories.begin(), q.categories.end(), "rejected") ==
                q.categories.end());

    // A rejected line whose agent could not be read does not count for a component.
    QCOMPARE(status(evaluateEvidence(shippedRule("schema_valid_inputs"), source,
                                     EvidenceScope{"brain"})),
             std::string("pass"));
}

void TestEvidenceRules::listingsListTheEvidence()
{
    const auto& r = shippedRule("sensitive_absent_outputs");
    FakeEvidenceSource source;
    source.add("worker_result", "formatter", 1000, "secret", "secret.aws");
    const auto fail = evaluateEvidence(r, source, EvidenceScope{"formatter", 0, 2000});
    QCOMPARE(fail.listings.size(), std::size_t(1));
    const auto& listing = fail.listings[0];
    QVERIFY(listing.target == EvidenceTarget::Findings);
    QCOMPARE(listing.count, fail.count);
    QCOMPARE(listing.query.categories, (std::vector<std::string>{"pii", "secret"}));
    QCOMPARE(listing.query.eventTypes, std::vector<std::string>{"worker_result"});
    QCOMPARE(listing.query.agent, std::string("formatter"));
    QCOMPARE(listing.query.fromMs, std::int64_t(0));
    QCOMPARE(listing.query.toMs, std::int64_t(2000));
    // Running the listing's query gives exactly the evidence count.
    QCOMPARE(source.countFindings(listing.query), fail.count);

    FakeEvidenceSource clean;
    clean.add("worker_result");
    const auto pass = evaluateEvidence(r, clean);
    QVERIFY(pass.listings.at(0).target == EvidenceTarget::Events);
    QCOMPARE(clean.countEvents(pass.listings[0].query), pass.count);
}

void TestEvidenceRules::injectionClassification()
{
    const auto& r = shippedRule("injection_classified");
    FakeEvidenceSource source;
    // No user queries at all: nothing was screened.
    QCOMPARE(status(evaluateEvidence(r, source)), std::string("unknown"));
    // Injection text elsewhere does not make a screened population.
    source.add("worker_invoked", "sql-writer", 1000, "injection");
    QCOMPARE(status(evaluateEvidence(r, source)), std::string("unknown"));

    source.add("user_query_received");
    source.add("user_query_received");
    auto result = evaluateEvidence(r, source);
    QCOMPARE(status(result), std::string("pass"));
    QCOMPARE(result.count, std::int64_t(2)); // screened queries, no attempt
    QVERIFY(result.listings.at(0).target == EvidenceTarget::Events);

    source.add("user_query_received", "brain", 1000, "injection", "injection.override");
    result = evaluateEvidence(r, source);
    QCOMPARE(status(result), std::string("pass"));
    QCOMPARE(result.count, std::int64_t(1)); // the classified attempt
    QVERIFY(result.listings.at(0).target == EvidenceTarget::Findings);
    QCOMPARE(result.reason,
             std::string("1 injection attempt classified in 3 user_query_received events"));
}

void TestEvidenceRules::errorPathsLogged()
{
    const auto& r = shippedRule("errors_logged");
    FakeEvidenceSource source;
    source.add("tool_call");
    QCOMPARE(status(evaluateEvidence(r, source)), std::string("unknown"));
    source.add("error_occurred", "sql-writer");
    const auto result = evaluateEvidence(r, source);
    QCOMPARE(status(result), std::string("pass"));
    QCOMPARE(result.count, std::int64_t(1));
    QCOMPARE(result.reason, std::string("1 error_occurred event logged"));

    // "Error messages don't leak internal state": a key in a stack trace fails it.
    const auto& leak = shippedRule("sensitive_absent_errors");
    QCOMPARE(status(evaluateEvidence(leak, source)), std::string("pass"));
    source.add("error_occurred", "sql-writer", 1000, "secret", "secret.github");
    QCOMPARE(status(evaluateEvidence(leak, source)), std::string("fail"));
}

void TestEvidenceRules::iamRulesUnknownWithoutPolicyFile()
{
    FakeEvidenceSource source;
    source.add("tool_call");
    for (const auto* id : {"iam_role_per_agent", "iam_boundary", "iam_no_wildcards"}) {
        const auto result = evaluateEvidence(shippedRule(id), source);
        QCOMPARE(status(result), std::string("unknown"));
        QCOMPARE(result.reason, std::string("no IAM policy file"));
    }
}

void TestEvidenceRules::iamRolePerAgent()
{
    const auto& r = shippedRule("iam_role_per_agent");
    FakeEvidenceSource source;
    source.iamFacts = cleanIam();
    auto result = evaluateEvidence(r, source);
    QCOMPARE(status(result), std::string("pass"));
    QCOMPARE(result.count, std::int64_t(2));

    // An agent seen in events without a role in the file.
    source.iamFacts->observedAgents.push_back("formatter");
    result = evaluateEvidence(r, source);
    QCOMPARE(status(result), std::string("fail"));
    QCOMPARE(result.subjects, std::vector<std::string>{"agent formatter has no role"});
    QVERIFY(result.listings.at(0).target == EvidenceTarget::Iam);
    // Scoped to another agent, that problem is not this component's.
    QCOMPARE(status(evaluateEvidence(r, source, EvidenceScope{"brain"})), std::string("pass"));
    QCOMPARE(status(evaluateEvidence(r, source, EvidenceScope{"formatter"})), std::string("fail"));

    // Two agent types sharing one role.
    source.iamFacts = cleanIam();
    source.iamFacts->roleByAgent["weight-applier"] = "agent-sql-writer-role";
    result = evaluateEvidence(r, source);
    QCOMPARE(status(result), std::string("fail"));
    QCOMPARE(result.subjects,
             std::vector<std::string>{
                 "role agent-sql-writer-role is shared by sql-writer, weight-applier"});
    QCOMPARE(status(evaluateEvidence(r, source, EvidenceScope{"brain"})), std::string("pass"));

    // A mapping to a role the file does not define.
    source.iamFacts = cleanIam();
    source.iamFacts->roleByAgent["brain"] = "agent-missing-role";
    result = evaluateEvidence(r, source);
    QCOMPARE(status(result), std::string("fail"));
    QCOMPARE(result.subjects,
             std::vector<std::string>{"agent brain: role agent-missing-role is not defined"});

    // No agents anywhere: nothing to judge.
    source.iamFacts = IamFacts{};
    QCOMPARE(status(evaluateEvidence(r, source)), std::string("unknown"));
}

void TestEvidenceRules::iamBoundary()
{
    const auto& r = shippedRule("iam_boundary");
    FakeEvidenceSource source;
    source.iamFacts = cleanIam();
    auto result = evaluateEvidence(r, source);
    QCOMPARE(status(result), std::string("pass"));
    QCOMPARE(result.count, std::int64_t(2));
    source.iamFacts->hasBoundary = false;
    result = evaluateEvidence(r, source);
    QCOMPARE(status(result), std::string("fail"));
    QCOMPARE(result.count, std::int64_t(2));
    QCOMPARE(result.subjects,
             (std::vector<std::string>{"agent-brain-role", "agent-sql-writer-role"}));
    QCOMPARE(evaluateEvidence(r, source, EvidenceScope{"brain"}).count, std::int64_t(1));
}

void TestEvidenceRules::iamWildcards()
{
    const auto& r = shippedRule("iam_no_wildcards");
    FakeEvidenceSource source;
    source.iamFacts = cleanIam();
    QCOMPARE(status(evaluateEvidence(r, source)), std::string("pass"));
    source.iamFacts->wildcardGrants.push_back({"agent-sql-writer-role", "s3:*", "*"});
    source.iamFacts->wildcardGrants.push_back(
        {"agent-sql-writer-role", "athena:GetQueryResults", "*"});
    const auto result = evaluateEvidence(r, source);
    QCOMPARE(status(result), std::string("fail"));
    QCOMPARE(result.count, std::int64_t(2));
    QCOMPARE(result.subjects.front(), std::string("agent-sql-writer-role: Allow s3:* on *"));
    QCOMPARE(status(evaluateEvidence(r, source, EvidenceScope{"brain"})), std::string("pass"));
    QCOMPARE(evaluateEvidence(r, source, EvidenceScope{"sql-writer"}).count, std::int64_t(2));
}

void TestEvidenceRules::itemsWithoutRuleStayUnknown()
{
    FakeEvidenceSource source;
    source.add("tool_call", "brain", 1000, "pii");
    source.iamFacts = cleanIam();
    const auto result = evaluateItem(shippedItem("production.network.1"), source);
    QCOMPARE(status(result), std::string("unknown"));
    QCOMPARE(result.count, std::int64_t(0));
    QVERIFY(result.ruleId.empty());
}

void TestEvidenceRules::namedItemsJudgeTheirEvidence()
{
    // The examples of the brief, through the items themselves.
    FakeEvidenceSource source;
    source.add("worker_result", "formatter");
    source.add("user_query_received");
    source.iamFacts = cleanIam();
    for (const auto* id : {"maestro.4.2", "maestro.4.1", "production.prompt.4",
                           "production.secrets.1", "plugin.output.2", "maestro.2.1"})
        QVERIFY2(evaluateItem(shippedItem(id), source).status == EvidenceStatus::Pass, id);

    const std::map<std::string, std::string> failingCategory{
        {"maestro.4.2", "pii"},
        {"maestro.4.1", "log_injection"},
        {"production.prompt.4", "length"},
        {"production.secrets.1", "secret"},
        {"plugin.output.2", "pii"},
        {"maestro.2.1", "schema"},
    };
    for (const auto& [id, category] : failingCategory) {
        FakeEvidenceSource failing = source;
        failing.add("worker_result", "formatter", 1000, category);
        QVERIFY2(evaluateItem(shippedItem(id), failing).status == EvidenceStatus::Fail, id.c_str());
    }
    source.iamFacts->wildcardGrants.push_back({"agent-brain-role", "*", "*"});
    QCOMPARE(status(evaluateItem(shippedItem("production.iam.3"), source)), std::string("fail"));
}

QTEST_APPLESS_MAIN(TestEvidenceRules)
#include "tst_evidencerules.moc"
