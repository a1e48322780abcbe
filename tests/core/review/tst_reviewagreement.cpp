// SPDX-License-Identifier: Apache-2.0
// The checklists and the threat matrices judge the same findings the same way: a checklist
// item whose linked finding categories have findings in scope is never Pass, and a threat
// row that shares a link with an item counts those findings (issue 20, item 4.1).
#include "review/checklist.h"
#include "review/evidencerule.h"
#include "review/threatmatrix.h"

#include "fakeevidencesource.h"
#include "reviewtestutil.h"

#include <QtTest/QtTest>

#include <algorithm>
#include <string>
#include <vector>

using namespace vigil;
using test::FakeEvidenceSource;

namespace {

std::vector<ChecklistItem> componentItems()
{
    const auto lists = loadChecklists();
    if (!lists)
        qFatal("%s", lists.error().message.c_str());
    std::vector<ChecklistItem> out;
    for (const ChecklistItem& item : allItems(*lists))
        if (item.checklist == "maestro" || item.checklist == "plugin")
            out.push_back(item);
    return out;
}

/// The finding links of an item's rule: its categories and rule ids.
std::vector<std::string> linksOfItem(const ChecklistItem& item)
{
    std::vector<std::string> links;
    if (!item.evidence || (item.evidence->kind != EvidenceKind::NoFindings &&
                           item.evidence->kind != EvidenceKind::FindingsClassified))
        return links;
    links = item.evidence->categories;
    links.insert(links.end(), item.evidence->rules.begin(), item.evidence->rules.end());
    return links;
}

/// An event type the item's rule does not look at (its findings are "elsewhere").
std::string otherEventType(const ChecklistItem& item)
{
    const auto& types = item.evidence->eventTypes;
    for (const char* t : {"user_query_received", "tool_call", "worker_result", "brain_plan_created"})
        if (std::find(types.begin(), types.end(), t) == types.end())
            return t;
    return "human_escalation";
}

/// Clean events of every type the item's rule looks at, so that without findings it passes.
FakeEvidenceSource cleanSourceFor(const ChecklistItem& item)
{
    FakeEvidenceSource source;
    if (item.evidence->eventTypes.empty())
        source.add("worker_invoked", "brain");
    for (const auto& t : item.evidence->eventTypes)
        source.add(t, "brain");
    return source;
}

void addEvidence(FakeEvidenceSource& source, const std::string& link, const std::string& eventType)
{
    if (link == kRejectedCategory) {
        source.rejected.push_back({"brain", 1000});
        return;
    }
    const bool isRule = link.find('.') != std::string::npos;
    const std::string category = isRule ? link.substr(0, link.find('.')) : link;
    source.add(eventType, "brain", 1000, category, isRule ? link : std::string());
}

} // namespace

class TestReviewAgreement : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void promptItemFailsOnInjectionInUserQueries();
    void itemWithLinkedFindingsIsNeverPass();
    void threatRowsAndItemsAgree();
};

void TestReviewAgreement::promptItemFailsOnInjectionInUserQueries()
{
    // The reviewer's case: 72 injection findings in user queries, none in brain plans or
    // worker inputs. The Model row of the MAESTRO matrix counts 72; the Model item "No
    // user-controlled prompts sent to LLM" said Pass.
    ChecklistItem item;
    for (const ChecklistItem& i : componentItems())
        if (i.id == "maestro.1.1")
            item = i;
    QVERIFY(item.evidence);
    FakeEvidenceSource source;
    source.add("brain_plan_created", "brain");
    source.add("worker_invoked", "sql-writer");
    for (int i = 0; i < 72; ++i)
        source.add("user_query_received", "brain", 1000 + i, "injection", "injection.override");

    const auto tpl = loadThreatTemplate("maestro");
    QVERIFY(tpl);
    QCOMPARE(tpl->rows[0].row.layer, 1);
    QCOMPARE(findingsFor(tpl->rows[0].row, source), std::int64_t(72));

    const EvidenceResult r = evaluateItem(item, source);
    QCOMPARE(test::name(r.status), std::string("fail"));
    QCOMPARE(r.count, std::int64_t(72));
    QVERIFY2(r.reason.find("72") != std::string::npos, r.reason.c_str());
}

void TestReviewAgreement::itemWithLinkedFindingsIsNeverPass()
{
    // Every MAESTRO and plugin item with finding links: a finding of each link, in an event
    // the rule does not look at, keeps the item from passing, and says how many there are.
    int checked = 0;
    for (const ChecklistItem& item : componentItems()) {
        const auto links = linksOfItem(item);
        if (links.empty() || item.evidence->kind == EvidenceKind::FindingsClassified)
            continue;
        const FakeEvidenceSource clean = cleanSourceFor(item);
        QVERIFY2(evaluateItem(item, clean).status == EvidenceStatus::Pass, item.id.c_str());
        for (const std::string& link : links) {
            FakeEvidenceSource source = clean;
            addEvidence(source, link, otherEventType(item));
            const EvidenceResult r = evaluateItem(item, source);
            const std::string what = item.id + " with a " + link + " finding elsewhere: " +
                                     std::string(toString(r.status)) + " (" + r.reason + ")";
            QVERIFY2(r.status != EvidenceStatus::Pass, what.c_str());
            QVERIFY2(r.count >= 1, what.c_str());
            QVERIFY2(!r.listings.empty(), what.c_str()); // the drill-down lists them
            ++checked;
        }
    }
    QVERIFY(checked >= 15);
}

void TestReviewAgreement::threatRowsAndItemsAgree()
{
    // Each seeded template row against each MAESTRO and plugin item that shares one of its
    // links: when the row counts findings of that link, the item is not Pass.
    const auto templates = loadThreatTemplates();
    QVERIFY(templates);
    int pairs = 0;
    for (const ThreatTemplate& tpl : *templates) {
        for (const ThreatTemplateRow& tr : tpl.rows) {
            for (const ChecklistItem& item : componentItems()) {
                const auto links = linksOfItem(item);
                if (item.evidence && item.evidence->kind == EvidenceKind::FindingsClassified)
                    continue;
                for (const std::string& link : tr.row.links) {
                    if (std::find(links.begin(), links.end(), link) == links.end())
                        continue;
                    for (const std::string& type : {otherEventType(item), std::string("user_query_received")}) {
                        FakeEvidenceSource source = cleanSourceFor(item);
                        addEvidence(source, link, type);
                        const std::int64_t row = findingsFor(tr.row, source);
                        const EvidenceResult r = evaluateItem(item, source);
                        const std::string what = tpl.id + " '" + tr.row.threat + "' counts " +
                                                 std::to_string(row) + " " + link + " in " + type +
                                                 "; " + item.id + " is " +
                                                 std::string(toString(r.status)) + " (" + r.reason + ")";
                        QVERIFY2(row >= 1, what.c_str());
                        QVERIFY2(r.status != EvidenceStatus::Pass, what.c_str());
                        ++pairs;
                    }
                }
            }
        }
    }
    QVERIFY(pairs >= 10);
}

QTEST_APPLESS_MAIN(TestReviewAgreement)
#include "tst_reviewagreement.moc"
