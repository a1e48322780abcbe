// SPDX-License-Identifier: Apache-2.0
// Least-privilege review of a policy file: wildcard and negated grants, conditions, grants
// the boundary voids, grants never used, agents without role or tier, a missing boundary.
#include "iam/policyreview.h"

#include "iamtestsupport.h"
#include "testsupport.h"

#include <QtTest>

using namespace vigil;
using namespace vigil::iam;
using vigil::iamtest::toolCall;

namespace {

const std::string kCrafted = R"({
  "agents": {"a": "r-wild", "b": "r-wild"},
  "tiers": {"a": "worker"},
  "roles": {
    "r-wild": {"Statement": [
      {"Sid": "Everything", "Effect": "Allow", "Action": "*", "Resource": "*"},
      {"Effect": "Allow", "Action": "S3:*", "Resource": "arn:aws:s3:::*"},
      {"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"},
      {"Effect": "Allow", "Action": "s3:GetObject", "NotResource": "b/secret"},
      {"Effect": "Allow", "Action": "kms:Decrypt", "Resource": "key/k",
       "Condition": {"Bool": {"aws:SecureTransport": "true"}}},
      {"Effect": "Allow", "Action": "ec2:RunInstances", "Resource": "*"},
      {"Effect": "Deny", "Action": "*", "Resource": "*"}
    ]},
    "r-unused": {"Statement": [
      {"Effect": "Allow", "Action": "sqs:SendMessage", "Resource": "queue/q"}
    ]}
  },
  "permission_boundary": {"Statement": [
    {"Effect": "Allow", "Action": ["s3:*", "ec2:*", "sqs:*"], "Resource": "*"},
    {"Sid": "NoCompute", "Effect": "Deny", "Action": "ec2:*", "Resource": "*"}
  ]}
})";

std::string kinds(const std::vector<ReviewItem>& items)
{
    std::string out;
    for (const ReviewItem& i : items) {
        if (!out.empty())
            out += ' ';
        out += toString(i.kind);
        if (i.statement.isValid())
            out += "@" + std::to_string(i.statement.index);
    }
    return out;
}

const ReviewItem* find(const std::vector<ReviewItem>& items, ReviewKind k)
{
    for (const ReviewItem& i : items)
        if (i.kind == k)
            return &i;
    return nullptr;
}

} // namespace

class TestPolicyReview : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void seedFileIsClean();
    void seedWithUsage();
    void craftedFile();
    void craftedWithUsage();
    void missingBoundaryAndTiers();
};

void TestPolicyReview::seedFileIsClean()
{
    const auto p = vigil::iamtest::seedPolicies();
    QVERIFY(p);
    QCOMPARE(kinds(reviewPolicies(*p)), std::string());
}

void TestPolicyReview::seedWithUsage()
{
    const auto p = vigil::iamtest::seedPolicies();
    UsageAggregator usage;
    usage.add(vigil::iamtest::modelUse(EventKind::BrainPlanCreated, "brain",
                                       "anthropic.claude-sonnet-4"),
              1);
    usage.add(toolCall("brain", "dynamodb:GetItem", "table/agent-checkpoints"), 2);
    usage.add(toolCall("sql-writer", "athena:StartQueryExecution", "workgroup/agent-queries"), 3);
    usage.add(toolCall("sql-writer", "s3:GetObject", "arn:aws:s3:::data-bucket/readonly/a.csv"), 4);
    usage.add(toolCall("formatter", "s3:GetObject", "data-bucket/readonly/a.csv"), 5);
    const auto items = reviewPolicies(*p, &usage);
    QCOMPARE(kinds(items), std::string("unused_grant@1 unused_grant@2 unused_grant@0 "
                                       "unused_grant@1 unused_grant@1 unknown_agent"));
    QCOMPARE(items[0].role, std::string("agent-brain-role"));
    QCOMPARE(items[0].text,
             std::string("agent-brain-role.Statement[1] (Sid ReadWriteCheckpoints) grants "
                         "dynamodb:PutItem, which no agent holding the role (brain) used in the "
                         "observed window"));
    QCOMPARE(items[2].role, std::string("agent-sql-writer-role"));
    QVERIFY(items[3].text.find("athena:GetQueryExecution") != std::string::npos);
    QVERIFY(items[4].text.find("athena:GetQueryResults") != std::string::npos);
    QCOMPARE(items[5].agent, std::string("formatter"));
    QVERIFY(items[5].severity == FindingSeverity::Medium);
}

void TestPolicyReview::craftedFile()
{
    const auto p = vigil::iamtest::policyFromText(kCrafted);
    QVERIFY(p);
    const auto items = reviewPolicies(*p);
    QCOMPARE(kinds(items),
             std::string("wildcard_action@0 wildcard_resource@0 "
                         "wildcard_service_action@1 wildcard_resource@1 "
                         "not_action_allow@2 wildcard_resource@2 "
                         "not_resource_allow@3 "
                         "conditional_grant@4 dead_grant@4 "
                         "wildcard_resource@5 dead_grant@5 "
                         "unassigned_role "
                         "missing_tier"));
    const ReviewItem* wild = find(items, ReviewKind::WildcardAction);
    QCOMPARE(wild->text, std::string("r-wild.Statement[0] (Sid Everything) allows every action "
                                     "(Action \"*\")"));
    QVERIFY(wild->severity == FindingSeverity::Critical);
    QCOMPARE(wild->statement.sid, std::string("Everything"));
    QCOMPARE(items[8].text, std::string("r-wild.Statement[4] grants kms:Decrypt on key/k, but the "
                                        "permission boundary does not allow it"));
    QCOMPARE(items[10].text, std::string("r-wild.Statement[5] grants ec2:RunInstances on *, but "
                                         "the permission boundary denies it "
                                         "(permission_boundary.Statement[1] (Sid NoCompute))"));
    QCOMPARE(items[11].role, std::string("r-unused"));
    QCOMPARE(items[12].agent, std::string("b"));
}

void TestPolicyReview::craftedWithUsage()
{
    const auto p = vigil::iamtest::policyFromText(kCrafted);
    UsageAggregator usage;
    usage.add(toolCall("a", "s3:GetObject", "b/x"), 1);
    usage.add(toolCall("zed", "s3:GetObject", "b/x"), 2);
    const auto items = reviewPolicies(*p, &usage);
    // a's one call uses statements 0 to 3; 4 and 5 are dead (not also unused); the
    // unassigned role's grant is unused; zed has no role.
    QVERIFY(kinds(items).ends_with("unassigned_role unused_grant@0 missing_tier unknown_agent"));
    QCOMPARE(items.back().agent, std::string("zed"));
    QVERIFY(find(items, ReviewKind::UnusedGrant)->text.find("(none)") != std::string::npos);
}

void TestPolicyReview::missingBoundaryAndTiers()
{
    const auto p = vigil::iamtest::policyFromText(
        R"({"agents": {"a": "r"}, "roles": {"r": {"Statement": [)"
        R"({"Effect": "Allow", "Action": "s3:GetObject", "Resource": "b/k"}]}}})");
    QVERIFY(p);
    const auto items = reviewPolicies(*p);
    QCOMPARE(kinds(items), std::string("missing_boundary missing_tier"));
    QVERIFY(items[0].severity == FindingSeverity::High);
    QVERIFY(items[1].agent.empty());
}

QTEST_GUILESS_MAIN(TestPolicyReview)
#include "tst_policyreview.moc"
