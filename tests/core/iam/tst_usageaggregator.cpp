// SPDX-License-Identifier: Apache-2.0
// Observed IAM use per (agent, action, resource): counts, outcomes, first/last seen, event
// refs, the model-as-action rule, and the memory bounds.
#include "iam/usageaggregator.h"

#include "iamtestsupport.h"
#include "testsupport.h"

#include <QtTest>

using namespace vigil;
using namespace vigil::iam;
using vigil::iamtest::modelUse;
using vigil::iamtest::toolCall;

class TestUsageAggregator : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void observedActions_data();
    void observedActions();
    void aggregates();
    void refsAndEntriesAreBounded();
    void agentsSeen();
};

void TestUsageAggregator::observedActions_data()
{
    QTest::addColumn<int>("kind");
    QTest::addColumn<QString>("action");
    QTest::addColumn<QString>("resource");
    QTest::addColumn<QString>("model");
    QTest::addColumn<bool>("has");
    QTest::addColumn<QString>("expectedAction");
    QTest::addColumn<QString>("expectedResource");
    QTest::addColumn<QString>("field");
    QTest::newRow("tool call") << int(EventKind::ToolCall) << "s3:GetObject" << "b/k" << ""
                               << true << "s3:GetObject" << "b/k" << "details.action";
    QTest::newRow("tool call without action") << int(EventKind::ToolCall) << "" << "b/k" << ""
                                              << false << "" << "" << "";
    QTest::newRow("plan model") << int(EventKind::BrainPlanCreated) << "" << "" << "m-1" << true
                                << "bedrock:InvokeModel" << "foundation-model/m-1"
                                << "details.model";
    QTest::newRow("worker model") << int(EventKind::WorkerInvoked) << "" << "" << "m-2" << true
                                  << "bedrock:InvokeModel" << "foundation-model/m-2"
                                  << "details.model";
    QTest::newRow("worker without model") << int(EventKind::WorkerInvoked) << "" << "" << ""
                                          << false << "" << "" << "";
    QTest::newRow("worker result") << int(EventKind::WorkerResult) << "" << "" << "m" << false
                                   << "" << "" << "";
    QTest::newRow("custom with action") << int(EventKind::Custom) << "s3:GetObject" << "b" << ""
                                        << false << "" << "" << "";
}

void TestUsageAggregator::observedActions()
{
    QFETCH(int, kind);
    QFETCH(QString, action);
    QFETCH(QString, resource);
    QFETCH(QString, model);
    QFETCH(bool, has);
    QFETCH(QString, expectedAction);
    QFETCH(QString, expectedResource);
    QFETCH(QString, field);
    AuditEvent e;
    e.kind = static_cast<EventKind>(kind);
    e.agentName = "a";
    e.action = action.toStdString();
    e.resource = resource.toStdString();
    e.model = model.toStdString();
    ObservedAction use;
    QCOMPARE(observedAction(e, use), has);
    if (has) {
        QCOMPARE(use.action, expectedAction.toStdString());
        QCOMPARE(use.resource, expectedResource.toStdString());
        QCOMPARE(std::string(use.field), field.toStdString());
    }
}

void TestUsageAggregator::aggregates()
{
    UsageAggregator agg;
    agg.add(toolCall("w", "s3:GetObject", "b/1", "allowed", 3000), 30);
    agg.add(toolCall("w", "S3:getobject", "b/1", "denied", 1000), 10);
    agg.add(toolCall("w", "s3:GetObject", "b/1", "", 2000), 20);
    agg.add(toolCall("w", "s3:GetObject", "b/1", "error", 4000), 40);
    agg.add(toolCall("w", "s3:GetObject", "b/2", "allowed", 5000), 50);
    agg.add(toolCall("a", "s3:GetObject", "b/1", "allowed", 6000), 60);
    agg.add(modelUse(EventKind::BrainPlanCreated, "a", "m", 7000), 70);
    agg.add(modelUse(EventKind::BrainPlanCreated, "a", "m", 8000), 80);

    const auto es = agg.entries();
    QCOMPARE(es.size(), std::size_t(4));
    // Sorted by agent, lowercased action, resource.
    QCOMPARE(es[0].agent, std::string("a"));
    QCOMPARE(es[0].action, std::string("bedrock:InvokeModel"));
    QCOMPARE(es[0].resource, std::string("foundation-model/m"));
    QVERIFY(es[0].modelUse);
    QCOMPARE(es[0].count, std::uint64_t(2));
    QCOMPARE(es[0].unspecified, std::uint64_t(2));
    QCOMPARE(es[1].agent, std::string("a"));
    QCOMPARE(es[1].action, std::string("s3:GetObject"));

    const UsageEntry& w1 = es[2];
    QCOMPARE(w1.agent, std::string("w"));
    QCOMPARE(w1.action, std::string("s3:GetObject")); // first spelling seen
    QCOMPARE(w1.resource, std::string("b/1"));
    QVERIFY(!w1.modelUse);
    QCOMPARE(w1.count, std::uint64_t(4));
    QCOMPARE(w1.allowed, std::uint64_t(1));
    QCOMPARE(w1.denied, std::uint64_t(1));
    QCOMPARE(w1.errors, std::uint64_t(1));
    QCOMPARE(w1.unspecified, std::uint64_t(1));
    QCOMPARE(w1.firstSeenMs, std::int64_t(1000));
    QCOMPARE(w1.lastSeenMs, std::int64_t(4000));
    QCOMPARE(w1.eventRefs, (std::vector<std::int64_t>{30, 10, 20, 40}));
    QCOMPARE(es[3].resource, std::string("b/2"));

    agg.clear();
    QVERIFY(agg.entries().empty());
    QVERIFY(agg.agents().empty());
}

void TestUsageAggregator::refsAndEntriesAreBounded()
{
    UsageAggregator agg(3, 2);
    for (int i = 0; i < 10; ++i)
        agg.add(toolCall("w", "s3:GetObject", "b/1"), i);
    agg.add(toolCall("w", "s3:GetObject", "b/2"), 100);
    agg.add(toolCall("w", "s3:GetObject", "b/3"), 101);
    agg.add(toolCall("w", "s3:GetObject", "b/4"), 102);
    agg.add(toolCall("w", "s3:GetObject", "b/1"), 103); // known triples still count
    QCOMPARE(agg.size(), std::size_t(2));
    QCOMPARE(agg.droppedUses(), std::uint64_t(2));
    const auto es = agg.entries();
    QCOMPARE(es[0].count, std::uint64_t(11));
    QCOMPARE(es[0].eventRefs, (std::vector<std::int64_t>{0, 1, 2}));
}

void TestUsageAggregator::agentsSeen()
{
    UsageAggregator agg;
    AuditEvent q;
    q.kind = EventKind::UserQueryReceived;
    q.agentName = "brain";
    q.timestampMs = 500;
    agg.add(q, 1);
    agg.add(toolCall("w", "s3:GetObject", "b/1", "allowed", 900), 2);
    agg.add(toolCall("brain", "s3:GetObject", "b/1", "allowed", 700), 3);
    AuditEvent anonymous; // no agent: ignored
    agg.add(anonymous, 4);
    const auto as = agg.agents();
    QCOMPARE(as.size(), std::size_t(2));
    QCOMPARE(as[0].agent, std::string("brain"));
    QCOMPARE(as[0].events, std::uint64_t(2));
    QCOMPARE(as[0].firstSeenMs, std::int64_t(500));
    QCOMPARE(as[0].lastSeenMs, std::int64_t(700));
    QCOMPARE(as[1].agent, std::string("w"));
    QCOMPARE(agg.entries().size(), std::size_t(2));
}

QTEST_GUILESS_MAIN(TestUsageAggregator)
#include "tst_usageaggregator.moc"
