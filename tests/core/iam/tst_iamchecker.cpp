// SPDX-License-Identifier: Apache-2.0
// Findings of the IAM checker: rule per decision, privilege escalation, severity and
// message rules, and the shared labeled sample (precision and recall 1.0 per line for the
// `iam` and `privilege_escalation` categories).
#include "iam/iamchecker.h"

#include "iamtestsupport.h"
#include "testsupport.h"

#include <QtTest>

#include <nlohmann/json.hpp>

#include <fstream>
#include <set>
#include <string>

using namespace vigil;
using namespace vigil::iam;

namespace {

std::vector<Finding> findingsOf(const IamChecker& c, const AuditEvent& e)
{
    std::vector<Finding> out;
    c.check(e, out);
    return out;
}

std::string rulesOf(const std::vector<Finding>& fs)
{
    std::string out;
    for (const Finding& f : fs) {
        if (!out.empty())
            out += ' ';
        out += f.rule;
    }
    return out;
}

const char* severityName(FindingSeverity s)
{
    switch (s) {
    case FindingSeverity::Low:
        return "low";
    case FindingSeverity::Medium:
        return "medium";
    case FindingSeverity::High:
        return "high";
    case FindingSeverity::Critical:
        return "critical";
    }
    return "?";
}

/// Builds the AuditEvent fields the checker reads from one line of the sample (the decoder
/// is not used here, so this test depends on core/iam only). False for lines that are not
/// an event object with an agent.
bool eventFromLine(const std::string& line, AuditEvent& e)
{
    const auto j = nlohmann::json::parse(line, nullptr, false);
    if (j.is_discarded() || !j.is_object())
        return false;
    if (!j.contains("agent_name") || !j["agent_name"].is_string() || !j.contains("event_type") ||
        !j["event_type"].is_string())
        return false;
    e = AuditEvent{};
    e.agentName = j["agent_name"].get<std::string>();
    e.eventType = j["event_type"].get<std::string>();
    if (e.eventType == "tool_call")
        e.kind = EventKind::ToolCall;
    else if (e.eventType == "brain_plan_created")
        e.kind = EventKind::BrainPlanCreated;
    else if (e.eventType == "worker_invoked")
        e.kind = EventKind::WorkerInvoked;
    else
        e.kind = EventKind::Custom;
    if (!j.contains("details") || !j["details"].is_object())
        return true;
    const auto& d = j["details"];
    auto str = [&](const char* key) {
        return d.contains(key) && d[key].is_string() ? d[key].get<std::string>() : std::string();
    };
    if (e.kind == EventKind::ToolCall) {
        e.action = str("action");
        e.resource = str("resource");
        e.outcome = str("outcome");
    } else if (e.kind == EventKind::BrainPlanCreated || e.kind == EventKind::WorkerInvoked) {
        e.model = str("model");
        e.workerName = str("worker_name");
    }
    return true;
}

} // namespace

class TestIamChecker : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void seedEvents_data();
    void seedEvents();
    void escalationNeedsOrchestratorOnlyPermission();
    void noTiersNoEscalation();
    void conditional();
    void fieldsLayersAndMessages();
    void messagesAreSanitized();
    void labeledSample();

private:
    std::shared_ptr<const PolicySet> m_seed;
};

void TestIamChecker::initTestCase()
{
    m_seed = vigil::iamtest::seedPolicies();
    QVERIFY(m_seed);
}

void TestIamChecker::seedEvents_data()
{
    QTest::addColumn<QString>("agent");
    QTest::addColumn<QString>("action");   // empty: model use
    QTest::addColumn<QString>("resource"); // the model for model use
    QTest::addColumn<QString>("outcome");
    QTest::addColumn<QString>("rules");
    QTest::addColumn<QString>("severities");

    auto row = [](const char* name, const char* agent, const char* action, const char* resource,
                  const char* outcome, const char* rules, const char* severities) {
        QTest::newRow(name) << agent << action << resource << outcome << rules << severities;
    };
    row("brain on sonnet", "brain", "", "anthropic.claude-sonnet-4", "", "", "");
    row("brain on haiku", "brain", "", "anthropic.claude-3-5-haiku", "", "iam.explicit_deny",
        "high");
    row("sql-writer on haiku", "sql-writer", "", "anthropic.claude-3-5-haiku", "", "", "");
    row("sql-writer on sonnet: brain-only model", "sql-writer", "", "anthropic.claude-sonnet-4", "",
        "iam.not_granted privilege_escalation.worker_uses_orchestrator_permission",
        "medium high");
    row("sql-writer query", "sql-writer", "athena:StartQueryExecution", "workgroup/agent-queries",
        "allowed", "", "");
    row("sql-writer reads data", "sql-writer", "s3:GetObject",
        "arn:aws:s3:::data-bucket/readonly/a.csv", "allowed", "", "");
    row("brain deletes the table, succeeded", "brain", "dynamodb:DeleteTable",
        "table/agent-checkpoints", "allowed", "iam.explicit_deny", "critical");
    row("brain deletes the table, denied", "brain", "dynamodb:DeleteTable",
        "table/agent-checkpoints", "denied", "iam.explicit_deny", "high");
    row("brain creates a user", "brain", "iam:CreateUser", "user/backdoor", "denied",
        "iam.boundary", "critical");
    row("brain queries a table it may not", "brain", "dynamodb:Query", "table/agent-checkpoints",
        "error", "iam.not_granted", "medium");
    row("sql-writer writes checkpoints: escalation", "sql-writer", "dynamodb:PutItem",
        "table/agent-checkpoints", "denied",
        "iam.explicit_deny privilege_escalation.worker_uses_orchestrator_permission",
        "high high");
    row("sql-writer writes data", "sql-writer", "s3:PutObject",
        "arn:aws:s3:::data-bucket/readonly/x.csv", "denied", "iam.explicit_deny", "high");
    row("sql-writer other workgroup", "sql-writer", "athena:GetQueryResults", "workgroup/primary",
        "allowed", "iam.explicit_deny", "critical");
    row("unknown agent", "formatter", "s3:GetObject", "arn:aws:s3:::data-bucket/readonly/a.csv",
        "denied", "iam.unknown_agent", "medium");
    row("unknown agent model", "formatter", "", "anthropic.claude-sonnet-4", "",
        "iam.unknown_agent", "medium");
}

void TestIamChecker::seedEvents()
{
    QFETCH(QString, agent);
    QFETCH(QString, action);
    QFETCH(QString, resource);
    QFETCH(QString, outcome);
    QFETCH(QString, rules);
    QFETCH(QString, severities);
    const IamChecker checker(m_seed);
    const AuditEvent e =
        action.isEmpty()
            ? vigil::iamtest::modelUse(agent == QLatin1String("brain") ? EventKind::BrainPlanCreated
                                                             : EventKind::WorkerInvoked,
                             agent.toStdString(), resource.toStdString())
            : vigil::iamtest::toolCall(agent.toStdString(), action.toStdString(), resource.toStdString(),
                             outcome.toStdString());
    const auto fs = findingsOf(checker, e);
    QCOMPARE(rulesOf(fs), rules.toStdString());
    std::string sev;
    for (const Finding& f : fs)
        sev += (sev.empty() ? "" : " ") + std::string(severityName(f.severity));
    QCOMPARE(sev, severities.toStdString());
    for (const Finding& f : fs) {
        QVERIFY(f.category == "iam" || f.category == "privilege_escalation");
        QVERIFY(f.rule.starts_with(f.category + "."));
        QCOMPARE(f.start, -1);
        QCOMPARE(f.end, -1);
    }
}

void TestIamChecker::escalationNeedsOrchestratorOnlyPermission()
{
    // Only what orchestrator roles alone allow is an escalation: a worker doing what another
    // worker may do is a plain `iam` finding.
    const auto p = vigil::iamtest::policyFromText(R"({
      "agents": {"boss": "boss-role", "w1": "w1-role", "w2": "w2-role", "free": "w2-role"},
      "tiers": {"boss": "orchestrator", "w1": "worker", "w2": "worker"},
      "roles": {
        "boss-role": {"Statement": [
          {"Sid": "BossOnly", "Effect": "Allow", "Action": "dynamodb:PutItem", "Resource": "table/t"},
          {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "b/k"},
          {"Effect": "Allow", "Action": "sqs:SendMessage", "Resource": "q",
           "Condition": {"Bool": {"aws:SecureTransport": "true"}}}]},
        "w1-role": {"Statement": [
          {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "b/k"}]},
        "w2-role": {"Statement": [
          {"Effect": "Allow", "Action": "athena:GetQueryResults", "Resource": "workgroup/w"}]}
      }})");
    QVERIFY(p);
    const IamChecker c(p);
    QCOMPARE(rulesOf(findingsOf(c, vigil::iamtest::toolCall("w2", "dynamodb:PutItem", "table/t"))),
             std::string("iam.not_granted privilege_escalation.worker_uses_orchestrator_permission"));
    const auto esc = findingsOf(c, vigil::iamtest::toolCall("w2", "dynamodb:PutItem", "table/t"));
    QVERIFY2(esc[1].message.find("boss-role.Statement[0] (Sid BossOnly)") != std::string::npos,
             esc[1].message.c_str());
    // w1 may read b/k too: not an orchestrator-only permission.
    QCOMPARE(rulesOf(findingsOf(c, vigil::iamtest::toolCall("w2", "s3:GetObject", "b/k"))),
             std::string("iam.not_granted"));
    // A conditional orchestrator grant still marks orchestrator-only ground.
    QCOMPARE(rulesOf(findingsOf(c, vigil::iamtest::toolCall("w2", "sqs:SendMessage", "q"))),
             std::string("iam.not_granted privilege_escalation.worker_uses_orchestrator_permission"));
    // The orchestrator itself, and an agent without a tier, are never escalating.
    QCOMPARE(rulesOf(findingsOf(c, vigil::iamtest::toolCall("boss", "athena:GetQueryResults", "workgroup/w"))),
             std::string("iam.not_granted"));
    QCOMPARE(rulesOf(findingsOf(c, vigil::iamtest::toolCall("free", "dynamodb:PutItem", "table/t"))),
             std::string("iam.not_granted"));
    // Nothing the orchestrator may do either.
    QCOMPARE(rulesOf(findingsOf(c, vigil::iamtest::toolCall("w2", "ec2:RunInstances", "i"))),
             std::string("iam.not_granted"));
    QVERIFY(c.escalationSource("w2", "dynamodb:PutItem", "table/t").role == 0);
    QVERIFY(c.escalationSource("boss", "dynamodb:PutItem", "table/t").role == -1);
}

void TestIamChecker::noTiersNoEscalation()
{
    const auto p = vigil::iamtest::policyFromText(R"({
      "agents": {"boss": "boss-role", "w": "w-role"},
      "roles": {
        "boss-role": {"Statement": [{"Effect": "Allow", "Action": "dynamodb:PutItem", "Resource": "t"}]},
        "w-role": {"Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "b"}]}
      }})");
    QVERIFY(p);
    const IamChecker c(p);
    QCOMPARE(rulesOf(findingsOf(c, vigil::iamtest::toolCall("w", "dynamodb:PutItem", "t"))),
             std::string("iam.not_granted"));
}

void TestIamChecker::conditional()
{
    const auto p = vigil::iamtest::policyFromText(R"({
      "agents": {"a": "r"},
      "roles": {"r": {"Statement": [
        {"Sid": "Mfa", "Effect": "Allow", "Action": "s3:GetObject", "Resource": "b",
         "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "true"}}},
        {"Effect": "Allow", "Action": "s3:PutObject", "Resource": "b"},
        {"Sid": "Vpc", "Effect": "Deny", "Action": "s3:PutObject", "Resource": "b",
         "Condition": {"StringNotEquals": {"aws:SourceVpc": "vpc-1"}}}]}}})");
    QVERIFY(p);
    const IamChecker c(p);
    const auto fs = findingsOf(c, vigil::iamtest::toolCall("a", "s3:GetObject", "b", "allowed"));
    QCOMPARE(rulesOf(fs), std::string("iam.conditional"));
    QVERIFY(fs[0].severity == FindingSeverity::Low); // not raised by the outcome
    QVERIFY2(fs[0].message.find("allowed only under the Condition of r.Statement[0] (Sid Mfa)") !=
                 std::string::npos,
             fs[0].message.c_str());
    const auto deny = findingsOf(c, vigil::iamtest::toolCall("a", "s3:PutObject", "b"));
    QCOMPARE(rulesOf(deny), std::string("iam.conditional"));
    QVERIFY2(deny[0].message.find("denied when the Condition of r.Statement[2] (Sid Vpc) holds") !=
                 std::string::npos,
             deny[0].message.c_str());

    const IamChecker quiet(p, IamChecker::Options{false});
    QVERIFY(findingsOf(quiet, vigil::iamtest::toolCall("a", "s3:GetObject", "b")).empty());
}

void TestIamChecker::fieldsLayersAndMessages()
{
    const IamChecker c(m_seed);
    const auto model =
        findingsOf(c, vigil::iamtest::modelUse(EventKind::BrainPlanCreated, "brain", "anthropic.claude-3-5-haiku"));
    QCOMPARE(model.size(), std::size_t(1));
    QCOMPARE(model[0].field, std::string("details.model"));
    QCOMPARE(model[0].layer, kLayerModelUse);
    QCOMPARE(model[0].category, std::string("iam"));
    QCOMPARE(model[0].message,
             std::string("agent \"brain\" used bedrock:InvokeModel on "
                         "foundation-model/anthropic.claude-3-5-haiku, which "
                         "agent-brain-role.Statement[3] (Sid NoCheapModels) explicitly denies"));

    const auto esc = findingsOf(
        c, vigil::iamtest::toolCall("sql-writer", "dynamodb:PutItem", "table/agent-checkpoints", "denied"));
    QCOMPARE(esc.size(), std::size_t(2));
    QCOMPARE(esc[0].field, std::string("details.action"));
    QCOMPARE(esc[0].layer, kLayerToolUse);
    QCOMPARE(esc[1].category, std::string("privilege_escalation"));
    QCOMPARE(esc[1].layer, kLayerEscalation);
    QCOMPARE(esc[1].field, std::string("details.action"));
    QCOMPARE(esc[1].message,
             std::string("worker agent \"sql-writer\" used dynamodb:PutItem on "
                         "table/agent-checkpoints, which only orchestrator roles allow "
                         "(agent-brain-role.Statement[1] (Sid ReadWriteCheckpoints)); the call "
                         "was denied"));

    const auto boundary = findingsOf(c, vigil::iamtest::toolCall("brain", "iam:CreateUser", "user/backdoor"));
    QCOMPARE(boundary[0].message,
             std::string("agent \"brain\" used iam:CreateUser on user/backdoor, which the "
                         "permission boundary explicitly denies (permission_boundary.Statement[1] "
                         "(Sid NeverEvenIfRoleAllows)); the call succeeded, so the deployed "
                         "policy differs from the file"));

    // Events without an IAM action produce nothing.
    AuditEvent query;
    query.kind = EventKind::UserQueryReceived;
    query.agentName = "brain";
    QVERIFY(findingsOf(c, query).empty());
    QVERIFY(findingsOf(c, vigil::iamtest::toolCall("brain", "", "x")).empty());
    QVERIFY(findingsOf(c, vigil::iamtest::modelUse(EventKind::WorkerInvoked, "brain", "")).empty());
}

void TestIamChecker::messagesAreSanitized()
{
    const IamChecker c(m_seed);
    const std::string resource = "table/x\n2026-01-01 fake log line\r\x1b[31m" + std::string(500, 'A');
    const auto fs = findingsOf(c, vigil::iamtest::toolCall("sql-writer\n", "s3:GetObject", resource));
    QCOMPARE(fs.size(), std::size_t(1));
    const std::string& m = fs[0].message;
    QVERIFY(m.find('\n') == std::string::npos);
    QVERIFY(m.find('\r') == std::string::npos);
    QVERIFY(m.find('\x1b') == std::string::npos);
    QVERIFY(m.size() < 400);
    QVERIFY(m.find("...") != std::string::npos);
}

void TestIamChecker::labeledSample()
{
    auto policies = PolicySet::loadFile(vigil::iamtest::samplePath("policies.json"));
    QVERIFY2(policies.has_value(), policies ? "" : policies.error().message.c_str());
    const IamChecker checker(std::make_shared<const PolicySet>(std::move(*policies)));

    std::ifstream events(vigil::iamtest::samplePath("events.jsonl"));
    std::ifstream labels(vigil::iamtest::samplePath("labels.jsonl"));
    QVERIFY(events && labels);
    const std::set<std::string> judged{"iam", "privilege_escalation"};
    std::map<std::string, int> tp, fp, fn;
    std::string eventLine, labelLine;
    int lineNo = 0;
    int labeledLines = 0;
    QStringList mismatches;
    while (std::getline(events, eventLine)) {
        ++lineNo;
        QVERIFY(std::getline(labels, labelLine));
        const auto label = nlohmann::json::parse(labelLine);
        QCOMPARE(label["line"].get<int>(), lineNo);
        std::set<std::string> expected;
        for (const auto& c : label["cats"])
            if (judged.count(c.get<std::string>()))
                expected.insert(c.get<std::string>());
        std::set<std::string> got;
        AuditEvent e;
        if (eventFromLine(eventLine, e)) {
            std::vector<Finding> fs;
            checker.check(e, fs);
            for (const Finding& f : fs)
                got.insert(f.category);
        }
        if (!expected.empty())
            ++labeledLines;
        for (const std::string& cat : judged) {
            const bool g = got.count(cat) > 0;
            const bool x = expected.count(cat) > 0;
            if (g && x)
                ++tp[cat];
            else if (g)
                ++fp[cat];
            else if (x)
                ++fn[cat];
            if (g != x)
                mismatches << QStringLiteral("line %1: %2 %3").arg(lineNo).arg(
                    QString::fromStdString(cat), g ? QStringLiteral("unexpected")
                                                   : QStringLiteral("missed"));
        }
    }
    QVERIFY2(mismatches.isEmpty(), qPrintable(mismatches.join(QStringLiteral("; "))));
    QCOMPARE(labeledLines, 20);
    QCOMPARE(tp["iam"], 20);
    QCOMPARE(tp["privilege_escalation"], 3);
    QCOMPARE(fp["iam"] + fn["iam"] + fp["privilege_escalation"] + fn["privilege_escalation"], 0);
}

QTEST_GUILESS_MAIN(TestIamChecker)
#include "tst_iamchecker.moc"
