// SPDX-License-Identifier: Apache-2.0
// The evaluation logic AWS documents for identity policies with a permission boundary, as
// a table: one row per rule, on a policy written for the purpose and on the seed's roles.
#include "iam/evaluator.h"

#include "iamtestsupport.h"
#include "testsupport.h"

#include <QtTest>

#include <nlohmann/json.hpp>

#include <string>

using namespace vigil::iam;

namespace {

/// The evaluator fixture: data/evaluator-policy.json, with or without its boundary.
std::shared_ptr<const PolicySet> fixture(bool withBoundary)
{
    nlohmann::ordered_json j = nlohmann::ordered_json::parse(vigil::iamtest::readText(
        QFINDTESTDATA("data/evaluator-policy.json").toStdString()));
    if (!withBoundary)
        j.erase("permission_boundary");
    return vigil::iamtest::policyFromText(j.dump());
}

std::shared_ptr<const PolicySet> bounded()
{
    static auto p = fixture(true);
    return p;
}

std::shared_ptr<const PolicySet> unbounded()
{
    static auto p = fixture(false);
    return p;
}

} // namespace

class TestEvaluator : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void evaluate_data();
    void evaluate();
    void seed_data();
    void seed();
    void decisionValues();
    void decideForRoleIgnoresAgent();
    void boundaryVerdict_data();
    void boundaryVerdict();
};

void TestEvaluator::initTestCase()
{
    QVERIFY(bounded());
    QVERIFY(unbounded());
    QVERIFY(vigil::iamtest::seedPolicies());
}

void TestEvaluator::evaluate_data()
{
    QTest::addColumn<bool>("withBoundary");
    QTest::addColumn<QString>("agent");
    QTest::addColumn<QString>("action");
    QTest::addColumn<QString>("resource");
    QTest::addColumn<QString>("kind");
    QTest::addColumn<QString>("deciding");

    auto row = [](const char* name, bool b, const char* agent, const char* action,
                  const char* resource, const char* kind, const char* deciding) {
        QTest::newRow(name) << b << agent << action << resource << kind << deciding;
    };
    // Allow, and the resource forms: ARN in the policy vs plain, short, ARN in the event.
    row("allow, ARN pattern, ARN event", true, "a", "s3:GetObject",
        "arn:aws:s3:::bucket/data/x.csv", "allowed", "role-a.Statement[0] (Sid ReadData)");
    row("allow, ARN pattern, plain event", true, "a", "s3:GetObject", "bucket/data/x.csv",
        "allowed", "role-a.Statement[0] (Sid ReadData)");
    row("allow, ARN pattern, short event", true, "a", "s3:GetObject", "s3:::bucket/data/x.csv",
        "allowed", "role-a.Statement[0] (Sid ReadData)");
    row("allow, plain pattern, ARN event", true, "a", "s3:PutObject",
        "arn:aws:s3:::bucket/out/r.json", "allowed", "role-a.Statement[1]");
    // Case: actions ignore it, resources do not.
    row("actions are case-insensitive", true, "a", "S3:GETOBJECT", "bucket/data/x.csv", "allowed",
        "role-a.Statement[0] (Sid ReadData)");
    row("resources are case-sensitive", true, "a", "s3:GetObject", "bucket/DATA/x.csv",
        "not_granted", "");
    // Deny wins over allow, in the role and in the boundary.
    row("explicit deny wins over allow", true, "a", "s3:GetObject", "bucket/data/secret/k",
        "explicit_deny", "role-a.Statement[2] (Sid DenySecret)");
    row("role deny reported before boundary deny", true, "a", "s3:DeleteBucket", "bucket",
        "explicit_deny", "role-a.Statement[7]");
    row("boundary explicit deny beats role allow", true, "a", "ec2:DescribeInstances", "i-1",
        "boundary_deny", "permission_boundary.Statement[1] (Sid NoCompute)");
    row("boundary intersection: role allows, boundary not", true, "a", "sqs:SendMessage",
        "queue/q", "boundary_not_allowed", "role-a.Statement[4]");
    row("implicit deny", true, "a", "s3:GetObject", "other/x", "not_granted", "");
    // Wildcards.
    row("question matches one character", true, "a", "logs:PutLogEvents", "log-group/app-1",
        "allowed", "role-a.Statement[6]");
    row("question in the action", true, "a", "logs:PutXogEvents", "log-group/app-1", "allowed",
        "role-a.Statement[6]");
    row("question does not match two", true, "a", "logs:PutLogEvents", "log-group/app-12",
        "not_granted", "");
    row("star matches any run", true, "a", "s3:GetObject", "bucket/data/a/b/c/d.csv", "allowed",
        "role-a.Statement[0] (Sid ReadData)");
    // NotAction / NotResource.
    row("NotAction allows what is not listed", true, "b", "athena:StartQueryExecution",
        "workgroup/w", "allowed", "role-b.Statement[0] (Sid AllButIamAndS3)");
    row("NotAction excludes what is listed", true, "b", "iam:CreateUser", "user/x",
        "not_granted", "");
    row("NotAction excludes service wildcard", true, "b", "s3:GetObject", "bucket/x",
        "not_granted", "");
    row("NotResource allows other resources", true, "b", "s3:ListBucket", "bucket/public",
        "allowed", "role-b.Statement[1]");
    row("NotResource excludes the listed one", true, "b", "s3:ListBucket", "bucket/private",
        "not_granted", "");
    row("NotResource with ARN event", true, "b", "s3:ListBucket", "arn:aws:s3:::bucket/private",
        "not_granted", "");
    // Conditions are never a plain allow.
    row("conditional allow", true, "a", "dynamodb:GetItem", "table/t", "conditional",
        "role-a.Statement[5]");
    row("conditional deny over allow", true, "b", "sns:Publish", "topic/t", "conditional",
        "role-b.Statement[2] (Sid OnlyFromVpc)");
    row("conditional boundary allow", true, "a", "kms:Decrypt", "key/k", "conditional",
        "permission_boundary.Statement[3]");
    // Unknown agent, and agent names are case-sensitive.
    row("unknown agent", true, "zed", "s3:GetObject", "bucket/data/x", "unknown_agent", "");
    row("agent names are case-sensitive", true, "A", "s3:GetObject", "bucket/data/x",
        "unknown_agent", "");
    // Without a boundary the role alone decides.
    row("no boundary: role allow suffices", false, "a", "sqs:SendMessage", "queue/q", "allowed",
        "role-a.Statement[4]");
    row("no boundary: ec2 allowed", false, "a", "ec2:DescribeInstances", "i-1", "allowed",
        "role-a.Statement[3]");
    row("no boundary: role deny still wins", false, "a", "s3:DeleteBucket", "bucket",
        "explicit_deny", "role-a.Statement[7]");
    row("no boundary: kms allowed", false, "a", "kms:Decrypt", "key/k", "allowed",
        "role-a.Statement[8]");
}

void TestEvaluator::evaluate()
{
    QFETCH(bool, withBoundary);
    QFETCH(QString, agent);
    QFETCH(QString, action);
    QFETCH(QString, resource);
    QFETCH(QString, kind);
    QFETCH(QString, deciding);
    const Evaluator ev(withBoundary ? bounded() : unbounded());
    const Decision d = ev.evaluate(agent.toStdString(), action.toStdString(), resource.toStdString());
    QCOMPARE(std::string(toString(d.kind)), kind.toStdString());
    QCOMPARE(d.deciding.label(), deciding.toStdString());
    // The compact and the full forms agree.
    const DecisionCode c = ev.decide(agent.toStdString(), action.toStdString(), resource.toStdString());
    QCOMPARE(std::string(toString(c.kind)), std::string(toString(d.kind)));
}

void TestEvaluator::seed_data()
{
    QTest::addColumn<QString>("agent");
    QTest::addColumn<QString>("action");
    QTest::addColumn<QString>("resource");
    QTest::addColumn<QString>("kind");
    QTest::addColumn<QString>("deciding");
    QTest::newRow("brain sonnet") << "brain" << "bedrock:InvokeModel"
                                  << "foundation-model/anthropic.claude-sonnet-4" << "allowed"
                                  << "agent-brain-role.Statement[0] (Sid InvokeSonnet)";
    QTest::newRow("brain haiku") << "brain" << "bedrock:InvokeModel"
                                 << "foundation-model/anthropic.claude-3-5-haiku"
                                 << "explicit_deny" << "agent-brain-role.Statement[3] (Sid NoCheapModels)";
    QTest::newRow("brain checkpoint write") << "brain" << "dynamodb:PutItem"
                                            << "table/agent-checkpoints" << "allowed"
                                            << "agent-brain-role.Statement[1] (Sid ReadWriteCheckpoints)";
    QTest::newRow("brain index query") << "brain" << "dynamodb:Query"
                                       << "table/agent-checkpoints/index/by-thread" << "allowed"
                                       << "agent-brain-role.Statement[2] (Sid QueryCheckpointIndexes)";
    QTest::newRow("brain query on the table itself") << "brain" << "dynamodb:Query"
                                                     << "table/agent-checkpoints" << "not_granted"
                                                     << "";
    QTest::newRow("brain delete table") << "brain" << "dynamodb:DeleteTable"
                                        << "table/agent-checkpoints" << "explicit_deny"
                                        << "agent-brain-role.Statement[4] (Sid NeverDeleteTables)";
    QTest::newRow("brain iam") << "brain" << "iam:CreateUser" << "user/backdoor" << "boundary_deny"
                               << "permission_boundary.Statement[1] (Sid NeverEvenIfRoleAllows)";
    QTest::newRow("sql-writer athena") << "sql-writer" << "athena:StartQueryExecution"
                                       << "workgroup/agent-queries" << "allowed"
                                       << "agent-sql-writer-role.Statement[1] (Sid RunQueriesInAgentWorkgroup)";
    QTest::newRow("sql-writer other workgroup") << "sql-writer" << "athena:StartQueryExecution"
                                                << "workgroup/primary" << "explicit_deny"
                                                << "agent-sql-writer-role.Statement[3] (Sid NoOtherWorkgroups)";
    QTest::newRow("sql-writer read data, ARN event vs s3::: pattern")
        << "sql-writer" << "s3:GetObject" << "arn:aws:s3:::data-bucket/readonly/a.csv" << "allowed"
        << "agent-sql-writer-role.Statement[2] (Sid ReadOnlyData)";
    QTest::newRow("sql-writer write data") << "sql-writer" << "s3:PutObject"
                                           << "arn:aws:s3:::data-bucket/readonly/x.csv"
                                           << "explicit_deny"
                                           << "agent-sql-writer-role.Statement[4] (Sid ReadOnlyAccessToData)";
    QTest::newRow("sql-writer checkpoints") << "sql-writer" << "dynamodb:GetItem"
                                            << "table/agent-checkpoints" << "explicit_deny"
                                            << "agent-sql-writer-role.Statement[6] (Sid NoCheckpointAccess)";
    QTest::newRow("sql-writer sonnet") << "sql-writer" << "bedrock:InvokeModel"
                                       << "foundation-model/anthropic.claude-sonnet-4"
                                       << "not_granted" << "";
    QTest::newRow("formatter has no role") << "formatter" << "bedrock:InvokeModel"
                                           << "foundation-model/anthropic.claude-3-5-haiku"
                                           << "unknown_agent" << "";
}

void TestEvaluator::seed()
{
    QFETCH(QString, agent);
    QFETCH(QString, action);
    QFETCH(QString, resource);
    QFETCH(QString, kind);
    QFETCH(QString, deciding);
    const Evaluator ev(vigil::iamtest::seedPolicies());
    const Decision d = ev.evaluate(agent.toStdString(), action.toStdString(), resource.toStdString());
    QCOMPARE(std::string(toString(d.kind)), kind.toStdString());
    QCOMPARE(d.deciding.label(), deciding.toStdString());
}

void TestEvaluator::decisionValues()
{
    const Evaluator ev(bounded());
    const Decision d = ev.evaluate("a", "s3:GetObject", "bucket/data/secret/k");
    QVERIFY(d.isDenied());
    QVERIFY(!d.isAllowed());
    QVERIFY(d.deciding.source == PolicySource::Role);
    QCOMPARE(d.deciding.policy, std::string("role-a"));
    QCOMPARE(d.deciding.index, 2);
    QCOMPARE(d.deciding.sid, std::string("DenySecret"));
    QCOMPARE(d.deciding.text,
             std::string("{\"Sid\":\"DenySecret\",\"Effect\":\"Deny\",\"Action\":\"s3:GetObject\","
                         "\"Resource\":\"bucket/data/secret/\x2a\"}"));
    const Decision c = ev.evaluate("a", "dynamodb:GetItem", "table/t");
    QVERIFY(!c.isAllowed());
    QVERIFY(!c.isDenied());
    QVERIFY(c.deciding.text.find("Condition") != std::string::npos);
}

void TestEvaluator::decideForRoleIgnoresAgent()
{
    const Evaluator ev(vigil::iamtest::seedPolicies());
    const auto& roles = ev.policies().roles();
    QCOMPARE(roles.size(), std::size_t(2));
    QCOMPARE(roles[0].name, std::string("agent-brain-role"));
    QVERIFY(ev.decideForRole(0, "dynamodb:PutItem", "table/agent-checkpoints").kind == Decision::Allowed);
    QVERIFY(ev.decideForRole(1, "dynamodb:PutItem", "table/agent-checkpoints").kind == Decision::ExplicitDeny);
    QVERIFY(ev.decideForRole(9, "dynamodb:PutItem", "table/agent-checkpoints").kind == Decision::UnknownAgent);
}

void TestEvaluator::boundaryVerdict_data()
{
    QTest::addColumn<QString>("action");
    QTest::addColumn<QString>("resource");
    QTest::addColumn<int>("verdict");
    QTest::newRow("inside") << "s3:getobject" << "bucket/*" << int(BoundaryVerdict::Permits);
    QTest::newRow("denied service") << "ec2:describeinstances" << "*" << int(BoundaryVerdict::Blocked);
    QTest::newRow("denied service wildcard") << "ec2:*" << "*" << int(BoundaryVerdict::Blocked);
    QTest::newRow("not allowed") << "sqs:sendmessage" << "*" << int(BoundaryVerdict::NotAllowed);
    QTest::newRow("partly allowed wildcard") << "s*" << "*" << int(BoundaryVerdict::Permits);
    QTest::newRow("conditional allow counts") << "kms:decrypt" << "*" << int(BoundaryVerdict::Permits);
}

void TestEvaluator::boundaryVerdict()
{
    QFETCH(QString, action);
    QFETCH(QString, resource);
    QFETCH(int, verdict);
    QCOMPARE(int(boundaryVerdictForGrant(bounded()->boundary(), action.toStdString(),
                                         resource.toStdString())),
             verdict);
    QCOMPARE(int(boundaryVerdictForGrant(nullptr, action.toStdString(), resource.toStdString())),
             int(BoundaryVerdict::Permits));
}

QTEST_GUILESS_MAIN(TestEvaluator)
#include "tst_evaluator.moc"
