// SPDX-License-Identifier: Apache-2.0
// Verdict histories are append-only; the state shows evidence and verdict side by side and
// flags conflicts.
#include "review/checkliststate.h"

#include "fakeevidencesource.h"
#include "reviewtestutil.h"

#include <QtTest/QtTest>

using namespace vigil;
using test::FakeEvidenceSource;

namespace {

std::vector<ChecklistItem> shippedItems()
{
    const auto lists = loadChecklists();
    if (!lists)
        qFatal("%s", lists.error().message.c_str());
    return allItems(*lists);
}

Verdict verdict(const std::string& item, VerdictKind kind, std::int64_t at,
                const std::string& reviewer = "ana", const std::string& note = {})
{
    return Verdict{item, {}, kind, note, reviewer, at};
}

} // namespace

class TestChecklistState : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void verdictKindNames();
    void historyIsAppendOnly();
    void historyRefusesInvalidVerdicts();
    void conflictRule_data();
    void conflictRule();
    void stateCombinesEvidenceAndLatestVerdict();
    void stateRefusesUnknownItemsAndOtherComponents();
    void componentStateFiltersEvidence();
};

void TestChecklistState::verdictKindNames()
{
    for (const auto k : {VerdictKind::Pass, VerdictKind::Fail, VerdictKind::NotApplicable})
        QVERIFY(verdictKindFromString(toString(k)) == k);
    QCOMPARE(std::string(toString(VerdictKind::NotApplicable)), std::string("not_applicable"));
    QVERIFY(!verdictKindFromString("n/a"));
}

void TestChecklistState::historyIsAppendOnly()
{
    VerdictHistory h;
    QVERIFY(h.empty());
    QVERIFY(h.latest() == nullptr);
    QVERIFY(h.append(verdict("maestro.4.2", VerdictKind::Fail, 2000, "ana", "PII in formatter")));
    QVERIFY(h.append(verdict("maestro.4.2", VerdictKind::Pass, 3000, "bo", "redaction deployed")));
    // A reviewer whose clock is behind still records after the others: order is recording
    // order, and nothing earlier is rewritten.
    QVERIFY(h.append(verdict("maestro.4.2", VerdictKind::NotApplicable, 1000, "cy")));
    QCOMPARE(h.size(), std::size_t(3));
    QCOMPARE(h.entries()[0].reviewer, std::string("ana"));
    QCOMPARE(h.entries()[0].note, std::string("PII in formatter"));
    QCOMPARE(h.entries()[1].reviewer, std::string("bo"));
    QCOMPARE(h.latest()->reviewer, std::string("cy"));
    QVERIFY(h.latest()->kind == VerdictKind::NotApplicable);
    // The interface offers no way to edit or remove: entries() is const, append() the only
    // mutator.
    static_assert(std::is_same_v<decltype(h.entries()), const std::vector<Verdict>&>);
}

void TestChecklistState::historyRefusesInvalidVerdicts()
{
    VerdictHistory h;
    auto r = h.append(verdict("maestro.4.2", VerdictKind::Pass, 1000, ""));
    QVERIFY(!r);
    QCOMPARE(r.error().code, std::string("review.bad_verdict"));
    QCOMPARE(r.error().message, std::string("verdict on maestro.4.2: reviewer is empty"));
    QVERIFY(!h.append(verdict("maestro.4.2", VerdictKind::Pass, 0)));
    QVERIFY(!h.append(verdict("", VerdictKind::Pass, 1000)));
    QVERIFY(h.append(verdict("maestro.4.2", VerdictKind::Pass, 1000)));
    // Another item's verdict does not belong here.
    QVERIFY(!h.append(verdict("maestro.4.1", VerdictKind::Pass, 1000)));
    Verdict otherComponent = verdict("maestro.4.2", VerdictKind::Pass, 1000);
    otherComponent.component = "formatter";
    QVERIFY(!h.append(otherComponent));
    QCOMPARE(h.size(), std::size_t(1));
}

void TestChecklistState::conflictRule_data()
{
    QTest::addColumn<int>("automatic"); // EvidenceStatus
    QTest::addColumn<int>("verdict");   // VerdictKind, -1 none
    QTest::addColumn<bool>("conflict");
    const int unknown = int(EvidenceStatus::Unknown), pass = int(EvidenceStatus::Pass),
              failing = int(EvidenceStatus::Fail);
    const int vPass = int(VerdictKind::Pass), vFail = int(VerdictKind::Fail),
              vNa = int(VerdictKind::NotApplicable);
    QTest::newRow("fail evidence, pass verdict") << failing << vPass << true;
    QTest::newRow("fail evidence, n/a verdict") << failing << vNa << true;
    QTest::newRow("fail evidence, fail verdict") << failing << vFail << false;
    QTest::newRow("fail evidence, no verdict") << failing << -1 << false;
    QTest::newRow("pass evidence, fail verdict") << pass << vFail << false;
    QTest::newRow("pass evidence, pass verdict") << pass << vPass << false;
    QTest::newRow("unknown, pass verdict") << unknown << vPass << false;
    QTest::newRow("unknown, n/a verdict") << unknown << vNa << false;
}

void TestChecklistState::conflictRule()
{
    QFETCH(int, automatic);
    QFETCH(int, verdict);
    QFETCH(bool, conflict);
    const auto v = verdict < 0 ? std::nullopt : std::optional(static_cast<VerdictKind>(verdict));
    QCOMPARE(isConflict(static_cast<EvidenceStatus>(automatic), v), conflict);
}

void TestChecklistState::stateCombinesEvidenceAndLatestVerdict()
{
    ChecklistState state(shippedItems());
    QCOMPARE(state.states().size(), std::size_t(61));

    FakeEvidenceSource source;
    source.add("worker_result", "formatter", 1000, "pii", "pii.email");
    state.evaluate(source);

    auto s = state.state("maestro.4.2");
    QVERIFY(s.has_value());
    QCOMPARE(test::name(s->automatic.status), std::string("fail"));
    QCOMPARE(s->automatic.count, std::int64_t(1));
    QVERIFY(!s->verdict);
    QVERIFY(!s->conflict);

    // The reviewer says pass although the logs show PII: shown side by side, flagged.
    QVERIFY(
        state.addVerdict(verdict("maestro.4.2", VerdictKind::Pass, 5000, "ana", "false positive")));
    s = state.state("maestro.4.2");
    QCOMPARE(test::name(s->automatic.status), std::string("fail"));
    QVERIFY(s->verdict && s->verdict->kind == VerdictKind::Pass);
    QCOMPARE(s->verdict->note, std::string("false positive"));
    QVERIFY(s->conflict);
    QCOMPARE(s->verdictCount, std::size_t(1));

    // A later fail verdict resolves the conflict; the history keeps both.
    QVERIFY(state.addVerdict(verdict("maestro.4.2", VerdictKind::Fail, 6000, "bo")));
    s = state.state("maestro.4.2");
    QVERIFY(!s->conflict);
    QCOMPARE(s->verdict->reviewer, std::string("bo"));
    QCOMPARE(state.history("maestro.4.2")->size(), std::size_t(2));

    // Re-evaluating on clean evidence keeps verdicts and updates the automatic side.
    FakeEvidenceSource clean;
    clean.add("worker_result");
    state.evaluate(clean);
    s = state.state("maestro.4.2");
    QCOMPARE(test::name(s->automatic.status), std::string("pass"));
    QVERIFY(s->verdict->kind == VerdictKind::Fail);
    QVERIFY(!s->conflict); // a stricter reviewer is not a conflict

    // Items no log judges: unknown until a verdict, never a conflict.
    QVERIFY(state.addVerdict(verdict("maestro.6.1", VerdictKind::NotApplicable, 7000)));
    s = state.state("maestro.6.1");
    QCOMPARE(test::name(s->automatic.status), std::string("unknown"));
    QVERIFY(s->verdict->kind == VerdictKind::NotApplicable);
    QVERIFY(!s->conflict);

    // setAutomatic overrides one item.
    EvidenceResult forced;
    forced.status = EvidenceStatus::Fail;
    forced.count = 4;
    QVERIFY(state.setAutomatic("maestro.6.1", forced));
    QVERIFY(state.state("maestro.6.1")->conflict);
    QVERIFY(!state.setAutomatic("maestro.9.9", forced));
}

void TestChecklistState::stateRefusesUnknownItemsAndOtherComponents()
{
    ChecklistState state(shippedItems());
    auto r = state.addVerdict(verdict("maestro.9.9", VerdictKind::Pass, 1000));
    QVERIFY(!r);
    QCOMPARE(r.error().code, std::string("review.unknown_item"));
    Verdict v = verdict("maestro.4.2", VerdictKind::Pass, 1000);
    v.component = "formatter";
    QVERIFY(!state.addVerdict(v));
    QVERIFY(state.history("maestro.9.9") == nullptr);
    QVERIFY(!state.state("maestro.9.9"));
}

void TestChecklistState::componentStateFiltersEvidence()
{
    const auto lists = loadChecklists();
    QVERIFY(lists.has_value());
    FakeEvidenceSource source;
    source.add("worker_result", "formatter", 1000, "pii");
    source.add("worker_result", "brain", 1000);

    ChecklistState brain(lists->front().items, "brain");
    brain.evaluate(source);
    QCOMPARE(test::name(brain.state("maestro.4.2")->automatic.status), std::string("pass"));
    ChecklistState formatter(lists->front().items, "formatter");
    formatter.evaluate(source, EvidenceScope{"ignored: the state's component wins"});
    QCOMPARE(test::name(formatter.state("maestro.4.2")->automatic.status), std::string("fail"));
    QCOMPARE(formatter.state("maestro.4.2")->component, std::string("formatter"));

    Verdict v = verdict("maestro.4.2", VerdictKind::Pass, 1000);
    v.component = "formatter";
    QVERIFY(formatter.addVerdict(v));
    QVERIFY(formatter.state("maestro.4.2")->conflict);
    QVERIFY(!brain.addVerdict(v));
}

QTEST_APPLESS_MAIN(TestChecklistState)
#include "tst_checkliststate.moc"
