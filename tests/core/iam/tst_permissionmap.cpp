// SPDX-License-Identifier: Apache-2.0
// The per-agent permission map: grant rows from the file, attempt rows from observed use,
// cell states, and the JSON/CSV that `vigil-cli iam` prints (golden files in data/).
#include "iam/permissionmap.h"

#include "iamtestsupport.h"
#include "testsupport.h"

#include <QtTest>

#include <nlohmann/json.hpp>

#include <fstream>

using namespace vigil;
using namespace vigil::iam;
using vigil::iamtest::modelUse;
using vigil::iamtest::toolCall;

namespace {

UsageAggregator seedUsage()
{
    UsageAggregator u;
    std::int64_t ref = 0;
    for (int i = 0; i < 2; ++i)
        u.add(modelUse(EventKind::BrainPlanCreated, "brain", "anthropic.claude-sonnet-4"), ++ref);
    u.add(modelUse(EventKind::BrainPlanCreated, "brain", "anthropic.claude-3-5-haiku"), ++ref);
    u.add(toolCall("brain", "dynamodb:DeleteTable", "table/agent-checkpoints", "denied"), ++ref);
    u.add(toolCall("brain", "iam:CreateUser", "user/backdoor", "denied"), ++ref);
    u.add(toolCall("brain", "dynamodb:Query", "table/agent-checkpoints", "allowed"), ++ref);
    for (int i = 0; i < 3; ++i)
        u.add(toolCall("sql-writer", "athena:StartQueryExecution", "workgroup/agent-queries"), ++ref);
    u.add(toolCall("sql-writer", "s3:GetObject", "arn:aws:s3:::data-bucket/readonly/a.csv"), ++ref);
    u.add(toolCall("sql-writer", "dynamodb:PutItem", "table/agent-checkpoints", "denied"), ++ref);
    u.add(toolCall("formatter", "s3:GetObject", "data-bucket/readonly/a.csv", "denied"), ++ref);
    return u;
}

std::string golden(const char* name)
{
    return vigil::iamtest::readText(QFINDTESTDATA(QString::fromLatin1(name)).toStdString());
}

/// Set VIGIL_UPDATE_GOLDEN=1 to rewrite the golden files from the current output.
void compareGolden(const std::string& actual, const char* name)
{
    if (qEnvironmentVariableIsSet("VIGIL_UPDATE_GOLDEN")) {
        const QString path = QStringLiteral(__FILE__).section(QLatin1Char('/'), 0, -2) +
                             QLatin1Char('/') + QString::fromLatin1(name);
        std::ofstream(path.toStdString(), std::ios::binary) << actual;
    }
    QCOMPARE(actual, golden(name));
}

} // namespace

class TestPermissionMap : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void grantsOnly();
    void withUsage();
    void goldenJson();
    void goldenCsv();
    void csvQuotingAndFormulas();
    void notActionAndConditionRows();
};

void TestPermissionMap::grantsOnly()
{
    const auto p = vigil::iamtest::seedPolicies();
    const PermissionMap map = PermissionMap::build(*p);
    // brain: 1 + 2 + 1 + 1 + 1 + 1 rows; sql-writer: 1 + 3 + 1 + 1 + 1 + 1 + 1.
    QCOMPARE(map.rows().size(), std::size_t(7 + 9));
    for (const PermissionRow& r : map.rows()) {
        QVERIFY(r.fromPolicy);
        QCOMPARE(r.observed, std::uint64_t(0));
        QVERIFY(r.state == CellState::AllowedUnused || r.state == CellState::ExplicitDeny);
    }
    QCOMPARE(map.rows()[0].agent, std::string("brain"));
    QCOMPARE(map.rows()[0].statement, std::string("agent-brain-role.Statement[0] (Sid InvokeSonnet)"));
    QCOMPARE(map.rows()[7].agent, std::string("sql-writer"));
    QCOMPARE(map.rows()[12].action, std::string("athena:*"));
    QCOMPARE(map.rows()[12].resource, std::string("NOT workgroup/agent-queries"));
}

void TestPermissionMap::withUsage()
{
    const auto p = vigil::iamtest::seedPolicies();
    const UsageAggregator usage = seedUsage();
    const PermissionMap map = PermissionMap::build(*p, &usage);
    auto state = [&](const std::string& agent, const std::string& action,
                     const std::string& resource) -> std::string {
        for (const PermissionRow& r : map.rows())
            if (r.agent == agent && r.action == action && r.resource == resource)
                return std::string(toString(r.state)) + "/" + std::to_string(r.observed);
        return "none";
    };
    QCOMPARE(state("brain", "bedrock:InvokeModel", "foundation-model/anthropic.claude-sonnet*"),
             std::string("allowed_used/2"));
    QCOMPARE(state("brain", "dynamodb:PutItem", "table/agent-checkpoints"),
             std::string("allowed_unused/0"));
    // The Deny row counts what it stopped; the attempt has its own row.
    QCOMPARE(state("brain", "bedrock:InvokeModel", "foundation-model/anthropic.claude-3-5-haiku*"),
             std::string("explicit_deny/1"));
    QCOMPARE(state("brain", "bedrock:InvokeModel", "foundation-model/anthropic.claude-3-5-haiku"),
             std::string("explicit_deny/1"));
    QCOMPARE(state("brain", "iam:CreateUser", "user/backdoor"), std::string("boundary_blocked/1"));
    QCOMPARE(state("brain", "dynamodb:Query", "table/agent-checkpoints"),
             std::string("denied_attempted/1"));
    QCOMPARE(state("sql-writer", "athena:StartQueryExecution", "workgroup/agent-queries"),
             std::string("allowed_used/3"));
    QCOMPARE(state("sql-writer", "s3:GetObject", "s3:::data-bucket/readonly/*"),
             std::string("allowed_used/1"));
    QCOMPARE(state("sql-writer", "dynamodb:PutItem", "table/agent-checkpoints"),
             std::string("explicit_deny/1"));
    QCOMPARE(state("formatter", "s3:GetObject", "data-bucket/readonly/a.csv"),
             std::string("denied_attempted/1"));
    // Agents sorted: brain, formatter (unknown, attempts only), sql-writer.
    QCOMPARE(map.rows().front().agent, std::string("brain"));
    QCOMPARE(map.rows().back().agent, std::string("sql-writer"));
}

void TestPermissionMap::goldenJson()
{
    const auto p = vigil::iamtest::seedPolicies();
    const UsageAggregator usage = seedUsage();
    const std::string json = PermissionMap::build(*p, &usage).toJson();
    const auto parsed = nlohmann::json::parse(json);
    QVERIFY(parsed.is_array());
    for (const auto& row : parsed) {
        QCOMPARE(row.size(), std::size_t(6));
        QVERIFY(row["statement"].is_string() || row["statement"].is_null());
        QVERIFY(row["observed"].is_number_unsigned());
    }
    compareGolden(json, "data/seed-map.json");
}

void TestPermissionMap::goldenCsv()
{
    const auto p = vigil::iamtest::seedPolicies();
    const UsageAggregator usage = seedUsage();
    compareGolden(PermissionMap::build(*p, &usage).toCsv(), "data/seed-map.csv");
}

void TestPermissionMap::csvQuotingAndFormulas()
{
    const auto p = vigil::iamtest::policyFromText(
        R"({"agents": {"a": "r"}, "roles": {"r": {"Statement": [)"
        R"({"Sid": "S", "Effect": "Allow", "Action": ["s3:GetObject", "s3:PutObject"],)"
        R"( "Resource": "b,\"k\""}]}}})");
    QVERIFY(p);
    UsageAggregator usage;
    usage.add(toolCall("a", "s3:GetObject", "=HYPERLINK(\"x\")"), 1);
    const std::string csv = PermissionMap::build(*p, &usage).toCsv();
    QCOMPARE(csv, std::string("agent,action,resource,decision,statement,observed\n"
                              "a,s3:GetObject,\"b,\"\"k\"\"\",allowed_unused,r.Statement[0] (Sid S),0\n"
                              "a,s3:PutObject,\"b,\"\"k\"\"\",allowed_unused,r.Statement[0] (Sid S),0\n"
                              "a,s3:GetObject,\"'=HYPERLINK(\"\"x\"\")\",denied_attempted,,1\n"));
}

void TestPermissionMap::notActionAndConditionRows()
{
    const auto p = vigil::iamtest::policyFromText(
        R"({"agents": {"a": "r"}, "roles": {"r": {"Statement": [)"
        R"({"Effect": "Allow", "NotAction": ["iam:*", "ec2:*", "kms:*"], "NotResource": ["x", "y"]},)"
        R"({"Effect": "Allow", "Action": "kms:Decrypt", "Resource": "k",)"
        R"( "Condition": {"Bool": {"aws:SecureTransport": "true"}}},)"
        R"({"Effect": "Allow", "Action": "sqs:SendMessage", "Resource": "q"}]}},)"
        R"( "permission_boundary": {"Statement": [{"Effect": "Allow", "Action": ["s3:*", "kms:*"],)"
        R"( "Resource": "*"}]}})");
    QVERIFY(p);
    UsageAggregator usage;
    usage.add(toolCall("a", "kms:Decrypt", "k"), 1);
    usage.add(toolCall("a", "s3:GetObject", "b"), 2);
    const PermissionMap map = PermissionMap::build(*p, &usage);
    QCOMPARE(map.rows().size(), std::size_t(3));
    QCOMPARE(map.rows()[0].action, std::string("NOT iam:*, ec2:*, kms:*"));
    QCOMPARE(map.rows()[0].resource, std::string("NOT x, y"));
    QVERIFY(map.rows()[0].state == CellState::AllowedUsed);
    QCOMPARE(map.rows()[0].observed, std::uint64_t(1));
    QVERIFY(map.rows()[1].state == CellState::Conditional);
    QCOMPARE(map.rows()[1].observed, std::uint64_t(1));
    QVERIFY(map.rows()[2].state == CellState::BoundaryBlocked);
}

QTEST_GUILESS_MAIN(TestPermissionMap)
#include "tst_permissionmap.moc"
