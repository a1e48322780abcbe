// SPDX-License-Identifier: Apache-2.0
// Loading the agent IAM policy file: the seed fixture, the shared sample, and every way a
// file is refused (as a whole, with the JSON path of the fault).
// Note: JSON in raw strings here avoids a slash followed by a star, which moc reads as a
// comment opener.
#include "iam/policyset.h"

#include "iamtestsupport.h"
#include "testsupport.h"

#include <QtTest>

#include <string>

using namespace vigil::iam;

namespace {

/// A minimal valid file with one role of three statements; error rows patch it.
const std::string kBase = R"({
  "agents": {"brain": "r"},
  "roles": {"r": {"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "b/k"},
    {"Effect": "Allow", "Action": ["s3:PutObject"], "Resource": ["b/o"]},
    {"Effect": "Deny", "Action": "s3:DeleteObject", "Resource": "b/k"}
  ]}}
})";

std::string patched(const std::string& from, const std::string& to)
{
    std::string s = kBase;
    const auto pos = s.find(from);
    Q_ASSERT(pos != std::string::npos);
    return s.replace(pos, from.size(), to);
}

std::string nested(int depth)
{
    // A Condition value nested so that the whole document reaches `depth` levels: the root
    // object, roles, the document of r, the Statement array, the statement, Condition and
    // the operator block make 7 levels before the value.
    std::string v = "1";
    for (int i = 7; i < depth; ++i)
        v = "[" + v + "]";
    return patched(R"("Resource": "b/k"},)",
                   R"("Resource": "b/k", "Condition": {"ForAnyValue:StringEquals": {"k": )" + v +
                       "}}},");
}

} // namespace

class TestPolicySet : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void roleArns();
    void seedFixture();
    void sharedSample();
    void statementShapes();
    void refuses_data();
    void refuses();
    void depthLimit();
    void nothingHalfApplied();
    void loadFileErrors();
    void sizeLimit();
};

void TestPolicySet::seedFixture()
{
    auto r = PolicySet::loadFile(vigil::iamtest::seedPolicyPath());
    QVERIFY2(r.has_value(), r ? "" : r.error().message.c_str());
    const PolicySet& p = *r;
    QCOMPARE(p.agents().size(), std::size_t(2));
    QCOMPARE(p.agents()[0].name, std::string("brain"));
    QCOMPARE(p.agents()[0].role, std::string("agent-brain-role"));
    QVERIFY(p.agents()[0].tier == AgentTier::Orchestrator);
    QCOMPARE(p.agents()[1].name, std::string("sql-writer"));
    QVERIFY(p.agents()[1].tier == AgentTier::Worker);
    QVERIFY(p.hasTiers());

    const Role* brain = p.role("agent-brain-role");
    QVERIFY(brain);
    // Section 2.1: three grants, three denials (Haiku, DeleteTable, DeleteObject).
    QCOMPARE(brain->policy.statements.size(), std::size_t(6));
    QCOMPARE(brain->policy.statements[1].actions,
             (std::vector<std::string>{"dynamodb:GetItem", "dynamodb:PutItem"}));
    const Role* sql = p.role("agent-sql-writer-role");
    QVERIFY(sql);
    QCOMPARE(sql->policy.statements.size(), std::size_t(7));
    // As the seed writes it: the short `s3:::` form, compiled to the resource part.
    QCOMPARE(sql->policy.statements[2].resources[0], std::string("s3:::data-bucket/readonly/*"));
    QCOMPARE(sql->policy.statements[2].resourcePatterns[0].text(),
             std::string("data-bucket/readonly/*"));
    QVERIFY(sql->policy.statements[3].notResource);

    // Section 2.3: the boundary's twelve allowed actions and five denied ones.
    QVERIFY(p.boundary());
    QCOMPARE(p.boundary()->statements.size(), std::size_t(2));
    QCOMPARE(p.boundary()->statements[0].actions.size(), std::size_t(12));
    QCOMPARE(p.boundary()->statements[1].actions.size(), std::size_t(5));
    QVERIFY(p.boundary()->statements[1].effect == Effect::Deny);
}

void TestPolicySet::roleArns()
{
    // Optional: the base file has none, and its agents have no ARN.
    auto plain = PolicySet::load(kBase, "policies.json");
    QVERIFY(plain.has_value());
    QVERIFY(plain->agent("brain")->roleArn.empty());
    auto r = PolicySet::load(
        patched(R"("roles")", R"("role_arns": {"brain": "arn:aws:iam::123456789012:role/path/r"}, "roles")"),
        "policies.json");
    QVERIFY2(r.has_value(), r ? "" : r.error().message.c_str());
    QCOMPARE(r->agent("brain")->roleArn, std::string("arn:aws:iam::123456789012:role/path/r"));
}

void TestPolicySet::sharedSample()
{
    auto r = PolicySet::loadFile(vigil::iamtest::samplePath("policies.json"));
    QVERIFY2(r.has_value(), r ? "" : r.error().message.c_str());
    QCOMPARE(r->agents().size(), std::size_t(4));
    QCOMPARE(r->roles().size(), std::size_t(4));
    // Roles keep the file's order.
    QCOMPARE(r->roles()[0].name, std::string("agent-brain-role"));
    QCOMPARE(r->roles()[3].name, std::string("agent-formatter-role"));
    QVERIFY(r->agent("formatter"));
    QVERIFY(!r->agent("Formatter"));
    QVERIFY(r->agent("weight-applier")->tier == AgentTier::Worker);
}

void TestPolicySet::statementShapes()
{
    const std::string text = R"({
      "agents": {"a.b": "r"},
      "roles": {"r": {"Statement": {"Sid": "One", "Effect": "Allow",
        "NotAction": ["IAM:*"], "Resource": "*",
        "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "true"}}}}},
      "description": "a single statement object, NotAction, a Condition, no Version"
    })";
    auto r = PolicySet::load(text, "x.json");
    QVERIFY2(r.has_value(), r ? "" : r.error().message.c_str());
    const Statement& st = r->roles()[0].policy.statements.at(0);
    QCOMPARE(st.sid, std::string("One"));
    QVERIFY(st.notAction);
    QCOMPARE(st.actions[0], std::string("IAM:*"));
    QCOMPARE(st.actionPatterns[0].text(), std::string("iam:*"));
    QVERIFY(st.hasCondition());
    QCOMPARE(st.condition, std::string(R"({"Bool":{"aws:MultiFactorAuthPresent":"true"}})"));
    QVERIFY(!r->boundary());
    QVERIFY(!r->hasTiers());
    QVERIFY(r->agents()[0].tier == AgentTier::Unspecified);
    QCOMPARE(r->sourceName(), std::string("x.json"));
}

void TestPolicySet::refuses_data()
{
    QTest::addColumn<QString>("json");
    QTest::addColumn<QString>("message");

    auto row = [](const char* name, const std::string& json, const std::string& message) {
        QTest::newRow(name) << QString::fromStdString(json)
                            << QString::fromStdString("policies.json: " + message);
    };
    row("bad effect in the third statement",
        patched(R"("Effect": "Deny")", R"("Effect": "deny")"),
        R"($.roles.r.Statement[2].Effect: expected "Allow" or "Deny")");
    row("effect of the wrong type", patched(R"("Effect": "Deny")", R"("Effect": true)"),
        R"($.roles.r.Statement[2].Effect: expected "Allow" or "Deny")");
    row("missing effect", patched(R"("Effect": "Deny", )", ""),
        R"($.roles.r.Statement[2]: missing "Effect")");
    row("unknown role", patched(R"("brain": "r")", R"("brain": "nope")"),
        R"($.agents.brain: role "nope" is not defined in $.roles)");
    row("role reference not a string", patched(R"("brain": "r")", R"("brain": ["r"])"),
        R"($.agents.brain: expected a role name (string), got an array)");
    row("bad agent name", patched(R"("brain": "r")", R"("bad name": "r")"),
        R"($.agents["bad name"]: not a valid agent_name (letters, digits, '_', '.', '-'; )"
        R"(1 to 64 characters, starting with a letter or digit))");
    row("bad tier", patched(R"("agents")", R"("tiers": {"brain": "boss"}, "agents")"),
        R"($.tiers.brain: expected "orchestrator" or "worker")");
    row("tier for an agent not listed",
        patched(R"("agents")", R"("tiers": {"ghost": "worker"}, "agents")"),
        R"($.tiers.ghost: agent is not listed in $.agents)");
    row("tiers not an object", patched(R"("agents")", R"("tiers": [], "agents")"),
        R"($.tiers: expected an object, got an array)");
    row("missing Statement", R"({"agents": {}, "roles": {"r": {"Version": "2012-10-17"}}})",
        R"($.roles.r: missing "Statement")");
    row("empty Statement", R"({"agents": {}, "roles": {"r": {"Statement": []}}})",
        R"($.roles.r.Statement: expected at least one statement)");
    row("Statement of the wrong type", R"({"agents": {}, "roles": {"r": {"Statement": "x"}}})",
        R"($.roles.r.Statement: expected an array of statements, got a string)");
    row("both Action and NotAction",
        patched(R"("Action": ["s3:PutObject"])",
                R"("Action": ["s3:PutObject"], "NotAction": "s3:GetObject")"),
        R"($.roles.r.Statement[1]: both "Action" and "NotAction" given (use one))");
    row("neither Action nor NotAction", patched(R"("Action": ["s3:PutObject"], )", ""),
        R"($.roles.r.Statement[1]: missing "Action" or "NotAction")");
    row("both Resource and NotResource",
        patched(R"("Resource": ["b/o"])", R"("Resource": ["b/o"], "NotResource": "x")"),
        R"($.roles.r.Statement[1]: both "Resource" and "NotResource" given (use one))");
    row("missing Resource", patched(R"(, "Resource": ["b/o"])", ""),
        R"($.roles.r.Statement[1]: missing "Resource" or "NotResource")");
    row("action entry of the wrong type",
        patched(R"(["s3:PutObject"])", R"(["s3:PutObject", 7])"),
        R"($.roles.r.Statement[1].Action[1]: expected a string, got a number)");
    row("action without service", patched(R"("s3:GetObject")", R"("GetObject")"),
        R"($.roles.r.Statement[0].Action: expected "*" or "service:action")");
    row("empty action list", patched(R"(["s3:PutObject"])", "[]"),
        R"($.roles.r.Statement[1].Action: expected at least one entry)");
    row("empty resource", patched(R"(["b/o"])", R"(["b/o", ""])"),
        R"($.roles.r.Statement[1].Resource[1]: expected a non-empty resource without control )"
        R"(characters)");
    row("resource object", patched(R"(["b/o"])", R"({"b": "o"})"),
        R"($.roles.r.Statement[1].Resource: expected a string or an array of strings, got an )"
        R"(object)");
    row("Principal", patched(R"("Effect": "Deny")", R"("Effect": "Deny", "Principal": "*")"),
        R"($.roles.r.Statement[2].Principal: not allowed in an identity policy or permission )"
        R"(boundary)");
    row("unknown statement key", patched(R"("Effect": "Deny")", R"("Effect": "Deny", "Efect": 1)"),
        R"($.roles.r.Statement[2].Efect: unknown key (expected Sid, Effect, Action, NotAction, )"
        R"(Resource, NotResource, Condition))");
    row("Condition not an object",
        patched(R"("Resource": "b/k"},)", R"("Resource": "b/k", "Condition": "x"},)"),
        R"($.roles.r.Statement[0].Condition: expected an object, got a string)");
    row("Condition operator not an object",
        patched(R"("Resource": "b/k"},)", R"("Resource": "b/k", "Condition": {"Bool": 1}},)"),
        R"($.roles.r.Statement[0].Condition.Bool: expected an object, got a number)");
    row("bad Version", patched(R"("2012-10-17")", R"("2012-10-18")"),
        R"($.roles.r.Version: expected "2012-10-17" or "2008-10-17")");
    row("Sid with a newline", patched(R"("Effect": "Deny")", R"("Sid": "a\nb", "Effect": "Deny")"),
        R"($.roles.r.Statement[2].Sid: expected at most 128 printable characters)");
    row("typo in a top-level key", patched(R"("roles")", R"("permissions_boundary": {}, "roles")"),
        R"($.permissions_boundary: unknown key (expected agents, roles, permission_boundary, )"
        R"(tiers, role_arns))");
    row("role ARN for an unknown agent",
        patched(R"("roles")", R"("role_arns": {"nobody": "arn:aws:iam::1:role/r"}, "roles")"),
        R"($.role_arns.nobody: agent is not listed in $.agents)");
    row("role ARN that is not a role",
        patched(R"("roles")", R"("role_arns": {"brain": "arn:aws:iam::1:user/r"}, "roles")"),
        R"($.role_arns.brain: expected the ARN of an IAM role, "arn:aws:iam::123456789012:role/NAME")");
    row("one role ARN for two agents",
        patched(R"({"brain": "r"})", R"({"brain": "r", "w": "r"}, "role_arns": {"brain": "arn:aws:iam::1:role/r", "w": "arn:aws:iam::1:role/r"})"),
        R"($.role_arns.w: role ARN is already given to agent brain (one role ARN names one agent))");
    row("missing roles", R"({"agents": {}})", R"($: missing "roles")");
    row("missing agents", R"({"roles": {}})", R"($: missing "agents")");
    row("not an object", R"([1, 2])", R"($: expected an object, got an array)");
    row("role name with a dot",
        R"({"agents": {}, "roles": {"a.b": {"Statement": [{"Effect": "Maybe"}]}}})",
        R"($.roles["a.b"].Statement[0].Effect: expected "Allow" or "Deny")");
    row("error in the boundary",
        patched(R"("agents")", R"("permission_boundary": {"Statement": [)"
                               R"({"Effect": "Allow", "Action": "*", "Resource": "*"},)"
                               R"({"Effect": "Allow", "Action": "*"}]}, "agents")"),
        R"($.permission_boundary.Statement[1]: missing "Resource" or "NotResource")");
    row("duplicate key", patched(R"("Effect": "Deny")", R"("Effect": "Deny", "Effect": "Allow")"),
        R"($.roles.r.Statement[2].Effect: duplicate key)");
    row("duplicate agent", patched(R"("brain": "r")", R"("brain": "r", "brain": "r")"),
        R"($.agents.brain: duplicate key)");
    row("bad version", patched(R"("agents")", R"("version": 2, "agents")"),
        R"($.version: expected 1)");
}

void TestPolicySet::refuses()
{
    QFETCH(QString, json);
    QFETCH(QString, message);
    auto r = PolicySet::load(json.toStdString(), "policies.json");
    QVERIFY(!r.has_value());
    QCOMPARE(r.error().code, std::string("iam.invalid_policy"));
    QCOMPARE(r.error().message, message.toStdString());
}

void TestPolicySet::depthLimit()
{
    QVERIFY(PolicySet::load(kBase, "policies.json").has_value());
    auto ok = PolicySet::load(nested(64), "policies.json");
    QVERIFY2(ok.has_value(), ok ? "" : ok.error().message.c_str());
    auto deep = PolicySet::load(nested(65), "policies.json");
    QVERIFY(!deep.has_value());
    QVERIFY2(deep.error().message.starts_with("policies.json: $.roles.r.Statement[0].Condition"),
             deep.error().message.c_str());
    QVERIFY(deep.error().message.ends_with(": nested deeper than 64 levels"));
    // Far deeper than any stack would take if parsed recursively.
    const std::string bomb = std::string(1'000'000, '[') + std::string(1'000'000, ']');
    auto b = PolicySet::load(bomb, "bomb.json");
    QVERIFY(!b.has_value());
    QVERIFY(b.error().message.ends_with("nested deeper than 64 levels"));

    auto syntax = PolicySet::load(R"({"agents": {}, "roles": {})", "policies.json");
    QVERIFY(!syntax.has_value());
    QVERIFY2(syntax.error().message.starts_with("policies.json: invalid JSON: parse error at line 1"),
             syntax.error().message.c_str());
    auto utf8 = PolicySet::load("{\"agents\": {\"\xff\": \"r\"}, \"roles\": {}}", "policies.json");
    QVERIFY(!utf8.has_value());
    QVERIFY(utf8.error().message.starts_with("policies.json: invalid JSON: "));
    QVERIFY(!PolicySet::load("", "policies.json").has_value());
}

void TestPolicySet::nothingHalfApplied()
{
    // A reviewer's current set stays in force when a changed file is refused; a refused
    // load yields no set at all, however late in the file the fault is.
    auto current = vigil::iamtest::seedPolicies();
    QVERIFY(current);
    const std::string broken = patched(R"("agents")", R"("permission_boundary": {"Statement": )"
                                                      R"([{"Effect": "Allow"}]}, "agents")");
    auto r = PolicySet::load(broken, "policies.json");
    QVERIFY(!r.has_value());
    if (r)
        current = std::make_shared<const PolicySet>(std::move(*r));
    QCOMPARE(current->agents().size(), std::size_t(2));
    QCOMPARE(current->sourceName(), vigil::iamtest::seedPolicyPath());
}

void TestPolicySet::loadFileErrors()
{
    auto missing = PolicySet::loadFile("/nonexistent/policies.json");
    QVERIFY(!missing.has_value());
    QCOMPARE(missing.error().code, std::string("iam.io_error"));
    QVERIFY(missing.error().message.starts_with("/nonexistent/policies.json: cannot read the file"));
    auto dir = PolicySet::loadFile(VIGIL_RESOURCE_DIR);
    QVERIFY(!dir.has_value());
}

void TestPolicySet::sizeLimit()
{
    const std::string huge(PolicySet::kMaxFileBytes + 1, ' ');
    auto r = PolicySet::load(huge, "policies.json");
    QVERIFY(!r.has_value());
    QCOMPARE(r.error().code, std::string("iam.invalid_policy"));
    QCOMPARE(r.error().message, std::string("policies.json: larger than 16 MiB (16777217 bytes)"));
    // A file is refused by its size before it is read (this one is sparse: 1 GiB on paper).
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const std::string path = dir.filePath(QStringLiteral("policies.json")).toStdString();
    {
        QFile f(QString::fromStdString(path));
        QVERIFY(f.open(QIODevice::WriteOnly) && f.resize(qint64(1) << 30));
    }
    auto file = PolicySet::loadFile(path);
    QVERIFY(!file.has_value());
    QCOMPARE(file.error().code, std::string("iam.invalid_policy"));
    QCOMPARE(file.error().message, path + ": larger than 16 MiB (1073741824 bytes)");
}

QTEST_GUILESS_MAIN(TestPolicySet)
#include "tst_policyset.moc"
