// SPDX-License-Identifier: Apache-2.0
// Secret rotation (guide 7.2): the rotation table as data, which secret belongs to which
// class, the rotation events' shapes, overdue at the end of the window, and the
// `secrets_rotated` evidence rule of "Automatic rotation configured".
#include "fakeevidencesource.h"

#include "review/evidencerule.h"
#include "review/secretrotation.h"

#include <QtTest/QtTest>

using namespace vigil;

namespace {

constexpr std::int64_t kDay = 86'400'000;
constexpr std::int64_t kEnd = 1'800'000'000'000; // the end of the review window

const EvidenceRule& rotationRule()
{
    static const auto rules = loadEvidenceRules();
    for (const EvidenceRule& r : *rules)
        if (r.id == "secrets_rotated")
            return r;
    qFatal("no secrets_rotated rule");
}

EvidenceScope window()
{
    EvidenceScope s;
    s.toMs = kEnd;
    return s;
}

} // namespace

class TestSecretRotation : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void tableIsTheGuides();
    void classifyByName();
    void rotationEventShapes();
    void overdueAtTheWindowsEnd();
    void ruleFailsOnOverdue();
    void rulePassesWhenKept();
    void ruleUnknownWithoutTrackedRotations();
    void badTablesAreRefused();
};

void TestSecretRotation::tableIsTheGuides()
{
    const auto t = loadRotationTable();
    QVERIFY2(t, t ? "" : t.error().message.c_str());
    QCOMPARE(t->classes.size(), std::size_t(4));
    const auto age = [&](std::string_view id) -> std::optional<int> {
        for (const RotationClass& c : t->classes)
            if (c.id == id)
                return c.maxAgeDays;
        qFatal("no class");
    };
    QCOMPARE(age("langsmith"), std::optional<int>(90));
    QCOMPARE(age("database"), std::optional<int>(30));
    QCOMPARE(age("encryption"), std::optional<int>(365));
    QCOMPARE(age("bedrock"), std::optional<int>()); // IAM role: no rotation needed
}

void TestSecretRotation::classifyByName()
{
    const auto t = loadRotationTable();
    QVERIFY(t);
    const auto cls = [&](std::string_view s) {
        const RotationClass* c = t->classify(s);
        return c ? c->id : std::string("-");
    };
    QCOMPARE(cls("agent-system/langsmith-api-key"), std::string("langsmith"));
    QCOMPARE(cls("Agent-System/LangSmith-API-Key"), std::string("langsmith"));
    QCOMPARE(cls("prod/db-password"), std::string("database"));
    QCOMPARE(cls("rds/agent-readonly"), std::string("database"));
    QCOMPARE(cls("agent-system/bedrock-api-key"), std::string("bedrock"));
    QCOMPARE(cls("kms/report-data-key"), std::string("encryption"));
    QCOMPARE(cls("slack-webhook"), std::string("-"));
}

void TestSecretRotation::rotationEventShapes()
{
    QCOMPARE(rotatedSecret(R"({"type":"secret_rotated","details":{"secret":"a"}})"), std::string("a"));
    QCOMPARE(rotatedSecret(R"({"type":"secret_rotated","details":{"secret_name":"b"}})"), std::string("b"));
    QCOMPARE(rotatedSecret(R"({"type":"secret_rotated","secret":"c"})"), std::string("c"));
    QCOMPARE(rotatedSecret(R"({"type":"secret_rotated","details":"d"})"), std::string("d"));
    // Hard negatives: another security event naming a secret, no name, not JSON.
    QCOMPARE(rotatedSecret(R"({"type":"access_denied","details":{"secret":"a"}})"), std::string());
    QCOMPARE(rotatedSecret(R"({"type":"secret_rotated","details":{"when":"now"}})"), std::string());
    QCOMPARE(rotatedSecret(R"({"type":"secret_rotated","details":{"secret":5}})"), std::string());
    QCOMPARE(rotatedSecret("not json"), std::string());
}

void TestSecretRotation::overdueAtTheWindowsEnd()
{
    const auto t = loadRotationTable();
    QVERIFY(t);
    const auto states = rotationStates(*t,
                                       {{"prod/db-password", kEnd - 29 * kDay, 3},
                                        {"prod/db-admin-password", kEnd - 31 * kDay, 1},
                                        {"agent-system/bedrock-api-key", kEnd - 900 * kDay, 1},
                                        {"slack-webhook", kEnd - 900 * kDay, 1}},
                                       kEnd);
    QCOMPARE(states.size(), std::size_t(4));
    QCOMPARE(states.front().secret, std::string("prod/db-admin-password")); // overdue first
    QVERIFY(states.front().overdue);
    QCOMPARE(states.front().dueMs, kEnd - kDay);
    for (std::size_t i = 1; i < states.size(); ++i)
        QVERIFY2(!states[i].overdue, states[i].secret.c_str());
    const auto untracked = std::find_if(states.begin(), states.end(),
                                        [](const RotationState& s) { return s.secret == "slack-webhook"; });
    QVERIFY(untracked->classId.empty());
}

void TestSecretRotation::ruleFailsOnOverdue()
{
    test::FakeEvidenceSource source;
    source.rotations = {{"prod/db-password", kEnd - 45 * kDay, 2},
                        {"agent-system/langsmith-api-key", kEnd - 10 * kDay, 1}};
    const EvidenceResult r = evaluateEvidence(rotationRule(), source, window());
    QVERIFY(r.status == EvidenceStatus::Fail);
    QCOMPARE(r.count, std::int64_t(1));
    QCOMPARE(r.subjects.size(), std::size_t(1));
    QVERIFY2(r.subjects.front().starts_with("prod/db-password (Database credentials, every 30 days)"),
             r.subjects.front().c_str());
    QCOMPARE(r.reason, std::string("1 secret overdue for rotation"));
    // The rotation events are listed behind the status.
    QCOMPARE(r.listings.size(), std::size_t(1));
    QVERIFY(r.listings.front().target == EvidenceTarget::Events);
    QCOMPARE(r.listings.front().query.eventTypes, std::vector<std::string>{"security_event"});
}

void TestSecretRotation::rulePassesWhenKept()
{
    test::FakeEvidenceSource source;
    source.rotations = {{"prod/db-password", kEnd - 5 * kDay, 6},
                        {"kms/data-key", kEnd - 300 * kDay, 1}};
    const EvidenceResult r = evaluateEvidence(rotationRule(), source, window());
    QVERIFY(r.status == EvidenceStatus::Pass);
    QCOMPARE(r.count, std::int64_t(2));
    QVERIFY(r.subjects.empty());
}

void TestSecretRotation::ruleUnknownWithoutTrackedRotations()
{
    test::FakeEvidenceSource none;
    QVERIFY(evaluateEvidence(rotationRule(), none, window()).status == EvidenceStatus::Unknown);
    // Only role-based or untracked secrets: nothing has a period to be kept to.
    test::FakeEvidenceSource roles;
    roles.rotations = {{"agent-system/bedrock-api-key", kEnd - 900 * kDay, 1},
                       {"slack-webhook", kEnd - 900 * kDay, 1}};
    const EvidenceResult r = evaluateEvidence(rotationRule(), roles, window());
    QVERIFY(r.status == EvidenceStatus::Unknown);
    QVERIFY(r.subjects.empty());
}

void TestSecretRotation::badTablesAreRefused()
{
    const auto noPatterns = parseRotationTable(
        R"({"classes":[{"id":"x","name":"X","max_age_days":5,"match":[]}]})", "t.json");
    QVERIFY(!noPatterns);
    QVERIFY2(noPatterns.error().message.find("classes[0].match") != std::string::npos,
             noPatterns.error().message.c_str());
    const auto badAge = parseRotationTable(
        R"({"classes":[{"id":"x","name":"X","max_age_days":0,"match":["*"]}]})", "t.json");
    QVERIFY(!badAge);
    const auto unknownKey = parseRotationTable(
        R"({"classes":[{"id":"x","name":"X","days":5,"match":["*"]}]})", "t.json");
    QVERIFY(!unknownKey);
}

QTEST_GUILESS_MAIN(TestSecretRotation)
#include "tst_secretrotation.moc"
