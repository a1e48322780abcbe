// SPDX-License-Identifier: Apache-2.0
// The shipped checklists and threat templates against the seed texts they transcribe.
#include "review/checklist.h"
#include "review/evidencerule.h"
#include "review/threatmatrix.h"

#include "deepjson.h"
#include "reviewtestutil.h"

#include <QtTest/QtTest>

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

using namespace vigil;

namespace {

struct SeedItem
{
    std::string section;
    std::string text;
};

std::string between(const std::string& text, const std::string& from, const std::string& to)
{
    const auto a = text.find(from);
    const auto b = text.find(to, a == std::string::npos ? 0 : a);
    if (a == std::string::npos || b == std::string::npos)
        return {};
    return text.substr(a + from.size(), b - a - from.size());
}

std::vector<std::string> lines(const std::string& text)
{
    std::vector<std::string> out;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) {
        while (!line.empty() && (line.back() == '\r' || line.back() == ' '))
            line.pop_back();
        out.push_back(line);
    }
    return out;
}

std::string trim(std::string s)
{
    while (!s.empty() && s.front() == ' ')
        s.erase(s.begin());
    while (!s.empty() && s.back() == ' ')
        s.pop_back();
    return s;
}

/// "- • text" or "- text" (the two bullet forms of the seeds) -> "text"; else "".
std::string bulletText(const std::string& line)
{
    static const std::string bullet = "- \xE2\x80\xA2"; // "- •"
    if (line.starts_with(bullet))
        return trim(line.substr(bullet.size()));
    if (line.starts_with("- "))
        return trim(line.substr(2));
    return {};
}

std::vector<SeedItem> seedMaestro()
{
    std::string block = between(
        test::seedText("000_39412dd743e5c981.txt"),
        "For each new component, verify across all 7 layers:", "Security Checklist for Plugins");
    // The one broken line of the seed: its bullet, a line break, ".envfiles" glued together
    // and the next bullet on the same line.
    const std::string broken =
        "- \xE2\x80\xA2\n.envfiles excluded from version control - \xE2\x80\xA2";
    const auto at = block.find(broken);
    if (at != std::string::npos)
        block.replace(at, broken.size(),
                      "- \xE2\x80\xA2 .env files excluded from version control\n- \xE2\x80\xA2");
    std::vector<SeedItem> out;
    std::string section;
    for (const auto& line : lines(block)) {
        if (line.starts_with("Layer ") && line.ends_with(" Layer")) {
            // "Layer 2: Agent Logic Layer" -> "Agent Logic"
            const auto colon = line.find(": ");
            section =
                line.substr(colon + 2, line.size() - colon - 2 - std::string(" Layer").size());
        } else if (const auto text = bulletText(line); !text.empty()) {
            out.push_back({section, text});
        }
    }
    return out;
}

std::vector<SeedItem> seedHeadedList(const std::string& text, const std::string& from,
                                     const std::string& to, const std::string& skip)
{
    std::vector<SeedItem> out;
    std::string section;
    for (const auto& line : lines(between(text, from, to))) {
        if (line.empty() || line == skip)
            continue;
        if (const auto item = bulletText(line); !item.empty())
            out.push_back({section, item});
        else
            section = line;
    }
    return out;
}

std::vector<SeedItem> seedPlugin()
{
    return seedHeadedList(test::seedText("000_39412dd743e5c981.txt"),
                          "Security Checklist for Plugins\n", "Common Vulnerabilities",
                          "Before marking implementation as complete:");
}

std::vector<SeedItem> seedProduction()
{
    return seedHeadedList(test::seedText("003_256e4423a6ba6b28.txt"), "10. Production Checklist\n",
                          "Next in the Series", "");
}

/// Rows of a `| a | b |` Markdown table that follows `heading` in `text`.
std::vector<std::vector<std::string>> seedTable(const std::string& text, const std::string& heading)
{
    std::vector<std::vector<std::string>> rows;
    const auto at = text.find(heading);
    if (at == std::string::npos)
        return rows;
    bool started = false;
    for (const auto& line : lines(text.substr(at + heading.size()))) {
        if (!line.starts_with("|")) {
            if (started)
                break;
            continue;
        }
        started = true;
        if (line.starts_with("|---"))
            continue;
        std::vector<std::string> cells;
        std::string cell;
        for (std::size_t i = 1; i < line.size(); ++i) {
            if (line[i] == '|') {
                cells.push_back(trim(cell));
                cell.clear();
            } else {
                cell += line[i];
            }
        }
        rows.push_back(cells);
    }
    if (!rows.empty())
        rows.erase(rows.begin()); // header
    return rows;
}

const Checklist& byId(const std::vector<Checklist>& lists, const std::string& id)
{
    for (const auto& c : lists)
        if (c.id == id)
            return c;
    qFatal("no checklist %s", id.c_str());
}

} // namespace

class TestChecklists : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void seedParsersFindTheSeeds();
    void countsAndOrder();
    void textsMatchTheSeeds_data();
    void textsMatchTheSeeds();
    void idsSectionsAndLayers();
    void evidenceReferences();
    void checklistLoadErrorsNameTheJsonPath_data();
    void checklistLoadErrorsNameTheJsonPath();
    void evidenceRuleErrorsNameTheJsonPath_data();
    void evidenceRuleErrorsNameTheJsonPath();
    void limitsComeBeforeParsing_data();
    void limitsComeBeforeParsing();
    void maestroTemplateMatchesTheSeed();
    void attackSurfaceTemplateMatchesTheGuide();
    void templateLinksAsAgreed();
};

void TestChecklists::seedParsersFindTheSeeds()
{
    // Guards the test itself: if the seed files moved, every comparison below would be empty.
    QCOMPARE(seedMaestro().size(), 21u);
    QCOMPARE(seedPlugin().size(), 20u);
    QCOMPARE(seedProduction().size(), 20u);
}

void TestChecklists::countsAndOrder()
{
    const auto lists = loadChecklists();
    QVERIFY2(lists.has_value(), lists ? "" : lists.error().message.c_str());
    QCOMPARE(lists->size(), 3u);
    QCOMPARE((*lists)[0].id, std::string("maestro"));
    QCOMPARE((*lists)[1].id, std::string("plugin"));
    QCOMPARE((*lists)[2].id, std::string("production"));
    QCOMPARE((*lists)[0].items.size(), 21u);
    QCOMPARE((*lists)[1].items.size(), 20u);
    QCOMPARE((*lists)[2].items.size(), 20u);
    QCOMPARE(allItems(*lists).size(), 61u);
    QVERIFY((*lists)[0].scope == ChecklistScope::Component);
    QVERIFY((*lists)[1].scope == ChecklistScope::Component);
    QVERIFY((*lists)[2].scope == ChecklistScope::System);
}

void TestChecklists::textsMatchTheSeeds_data()
{
    QTest::addColumn<QString>("checklist");
    QTest::newRow("maestro") << QStringLiteral("maestro");
    QTest::newRow("plugin") << QStringLiteral("plugin");
    QTest::newRow("production") << QStringLiteral("production");
}

void TestChecklists::textsMatchTheSeeds()
{
    QFETCH(QString, checklist);
    const auto id = checklist.toStdString();
    const auto loaded = loadChecklist(id);
    QVERIFY2(loaded.has_value(), loaded ? "" : loaded.error().message.c_str());
    const auto seed = id == "maestro"  ? seedMaestro()
                      : id == "plugin" ? seedPlugin()
                                       : seedProduction();
    QCOMPARE(loaded->items.size(), seed.size());
    for (std::size_t i = 0; i < seed.size(); ++i) {
        const auto& item = loaded->items[i];
        QVERIFY2(item.text == seed[i].text,
                 (item.id + ": '" + item.text + "' != seed '" + seed[i].text + "'").c_str());
        QVERIFY2(item.section == seed[i].section,
                 (item.id + ": section '" + item.section + "' != seed '" + seed[i].section + "'")
                     .c_str());
    }
}

void TestChecklists::idsSectionsAndLayers()
{
    const auto lists = loadChecklists();
    QVERIFY(lists.has_value());
    std::set<std::string> ids;
    for (const auto& item : allItems(*lists))
        QVERIFY2(ids.insert(item.id).second, item.id.c_str());

    const auto& maestro = byId(*lists, "maestro");
    const std::vector<std::string> layers{"Model",     "Agent Logic", "Integration",  "Monitoring",
                                          "Execution", "Environment", "Orchestration"};
    for (std::size_t i = 0; i < maestro.items.size(); ++i) {
        const auto& item = maestro.items[i];
        const int layer = static_cast<int>(i / 3) + 1;
        QCOMPARE(item.layer, layer);
        QCOMPARE(item.section, layers[i / 3]);
        QCOMPARE(item.id, "maestro." + std::to_string(layer) + "." + std::to_string(i % 3 + 1));
        QCOMPARE(item.checklist, std::string("maestro"));
    }
    QCOMPARE(maestro.items[10].id, std::string("maestro.4.2"));
    QCOMPARE(maestro.items[10].text, std::string("No PII in default log output"));
    QCOMPARE(maestro.items[16].text, std::string(".env files excluded from version control"));

    const std::map<std::string, std::vector<std::string>> headings{
        {"plugin",
         {"Input Validation", "Output Safety", "Resource Management", "Observability",
          "External Dependencies"}},
        {"production", {"IAM", "Prompt Security", "Audit", "Network", "Secrets"}},
    };
    const std::map<std::string, std::vector<std::string>> slugs{
        {"plugin", {"input", "output", "resource", "observability", "external"}},
        {"production", {"iam", "prompt", "audit", "network", "secrets"}},
    };
    for (const auto& [id, names] : headings) {
        const auto& list = byId(*lists, id);
        for (std::size_t i = 0; i < list.items.size(); ++i) {
            const auto& item = list.items[i];
            QCOMPARE(item.section, names[i / 4]);
            QCOMPARE(item.id, id + "." + slugs.at(id)[i / 4] + "." + std::to_string(i % 4 + 1));
            QVERIFY(item.layer >= 1 && item.layer <= 7);
        }
    }
    QCOMPARE(byId(*lists, "plugin").items[5].id, std::string("plugin.output.2"));
    QCOMPARE(byId(*lists, "production").items[2].id, std::string("production.iam.3"));
    QCOMPARE(byId(*lists, "production").items[2].text, std::string("No wildcard (*) permissions"));
}

void TestChecklists::evidenceReferences()
{
    const auto lists = loadChecklists();
    QVERIFY(lists.has_value());
    std::map<std::string, std::string> ruleOf;
    for (const auto& item : allItems(*lists))
        ruleOf[item.id] = item.evidence ? item.evidence->id : std::string();
    // The items the review must judge from logs, and by which rule.
    const std::map<std::string, std::string> expected{
        {"maestro.4.1", "log_injection_absent"},
        {"maestro.4.2", "pii_absent"},
        {"maestro.2.1", "schema_valid_inputs"},
        {"plugin.input.1", "schema_valid_inputs"},
        {"plugin.output.2", "sensitive_absent_outputs"},
        {"plugin.observability.3", "sensitive_absent"},
        {"plugin.observability.4", "errors_logged"},
        {"production.iam.1", "iam_role_per_agent"},
        {"production.iam.2", "iam_boundary"},
        {"production.iam.3", "iam_no_wildcards"},
        {"production.prompt.1", "injection_classified"},
        {"production.prompt.3", "pii_absent_outputs"},
        {"production.prompt.4", "length_within_limits"},
        {"production.secrets.1", "secret_absent"},
        {"production.audit.1", "structured_logging"},
    };
    for (const auto& [item, rule] : expected)
        QVERIFY2(ruleOf[item] == rule, (item + " -> '" + ruleOf[item] + "'").c_str());
    // Items no log can judge stay with the reviewer.
    for (const auto* item : {"maestro.6.1", "maestro.7.3", "production.network.1",
                             "production.iam.4", "plugin.resource.3"})
        QVERIFY2(ruleOf[item].empty(), item);

    const auto rules = loadEvidenceRules();
    QVERIFY2(rules.has_value(), rules ? "" : rules.error().message.c_str());
    // Every shipped rule is used by at least one item.
    for (const auto& rule : *rules) {
        bool used = false;
        for (const auto& [item, id] : ruleOf)
            used = used || id == rule.id;
        QVERIFY2(used, rule.id.c_str());
    }
}

void TestChecklists::checklistLoadErrorsNameTheJsonPath_data()
{
    QTest::addColumn<QString>("json");
    QTest::addColumn<QString>("message");
    const QString head =
        QStringLiteral(R"({"checklist":"maestro","title":"T","scope":"component","items":[)");
    QTest::newRow("syntax") << QStringLiteral("{\"checklist\":")
                            << QStringLiteral("t.json: invalid JSON: ");
    QTest::newRow("unknown rule")
        << head +
               QStringLiteral(
                   R"({"id":"maestro.1.1","checklist":"maestro","section":"Model","layer":1,"text":"x","evidence":"nope"}]})")
        << QStringLiteral("t.json: items[0].evidence: unknown evidence rule 'nope'");
    QTest::newRow("layer")
        << head +
               QStringLiteral(
                   R"({"id":"maestro.1.1","checklist":"maestro","section":"Model","layer":9,"text":"x"}]})")
        << QStringLiteral("t.json: items[0].layer: expected an integer from 1 to 7");
    QTest::newRow("empty text")
        << head + QStringLiteral(
                      R"({"id":"maestro.1.1","checklist":"maestro","section":"Model","text":""}]})")
        << QStringLiteral("t.json: items[0].text: must not be empty");
    QTest::newRow("unknown key")
        << head +
               QStringLiteral(
                   R"({"id":"maestro.1.1","checklist":"maestro","section":"Model","text":"x","evidnce":"pii_absent"}]})")
        << QStringLiteral("t.json: items[0].evidnce: unknown key");
    QTest::newRow("duplicate id")
        << head +
               QStringLiteral(
                   R"({"id":"maestro.1.1","checklist":"maestro","section":"M","text":"x"},{"id":"maestro.1.1","checklist":"maestro","section":"M","text":"y"}]})")
        << QStringLiteral("t.json: items[1].id: duplicate id 'maestro.1.1'");
    QTest::newRow("prefix")
        << head + QStringLiteral(
                      R"({"id":"plugin.1","checklist":"maestro","section":"M","text":"x"}]})")
        << QStringLiteral("t.json: items[0].id: must start with 'maestro.'");
    QTest::newRow("other checklist")
        << head + QStringLiteral(
                      R"({"id":"maestro.1.1","checklist":"plugin","section":"M","text":"x"}]})")
        << QStringLiteral("t.json: items[0].checklist: expected 'maestro'");
    QTest::newRow("items type")
        << QStringLiteral(R"({"checklist":"maestro","title":"T","scope":"component","items":{}})")
        << QStringLiteral("t.json: items: expected an array");
    QTest::newRow("scope")
        << QStringLiteral(R"({"checklist":"maestro","title":"T","scope":"team","items":[]})")
        << QStringLiteral("t.json: scope: expected 'component' or 'system'");
}

void TestChecklists::checklistLoadErrorsNameTheJsonPath()
{
    QFETCH(QString, json);
    QFETCH(QString, message);
    const auto rules = loadEvidenceRules();
    QVERIFY(rules.has_value());
    const auto r = parseChecklist(json.toStdString(), "t.json", *rules);
    QVERIFY(!r.has_value());
    QCOMPARE(r.error().code, std::string("review.bad_checklist"));
    QVERIFY2(QString::fromStdString(r.error().message).startsWith(message),
             r.error().message.c_str());
}

void TestChecklists::evidenceRuleErrorsNameTheJsonPath_data()
{
    QTest::addColumn<QString>("rule");
    QTest::addColumn<QString>("message");
    QTest::newRow("kind") << QStringLiteral(R"({"id":"a","kind":"magic","description":"d"})")
                          << QStringLiteral("r.json: rules[0].kind: unknown kind 'magic'");
    QTest::newRow("category")
        << QStringLiteral(
               R"({"id":"a","kind":"no_findings","categories":["pi"],"description":"d"})")
        << QStringLiteral("r.json: rules[0].categories[0]: unknown finding category 'pi'");
    QTest::newRow("rule id")
        << QStringLiteral(R"({"id":"a","kind":"no_findings","rules":["Pii"],"description":"d"})")
        << QStringLiteral("r.json: rules[0].rules[0]: 'Pii' is not a dotted rule id");
    QTest::newRow("no links") << QStringLiteral(
                                     R"({"id":"a","kind":"no_findings","description":"d"})")
                              << QStringLiteral("r.json: rules[0].categories: no_findings needs");
    QTest::newRow("rejected with types")
        << QStringLiteral(
               R"({"id":"a","kind":"no_findings","categories":["rejected"],"event_types":["tool_call"],"description":"d"})")
        << QStringLiteral("r.json: rules[0].event_types: rejected lines have no event type");
    QTest::newRow("classified without population")
        << QStringLiteral(
               R"({"id":"a","kind":"findings_classified","categories":["injection"],"description":"d"})")
        << QStringLiteral("r.json: rules[0].event_types: findings_classified needs");
    QTest::newRow("events_present with categories")
        << QStringLiteral(
               R"({"id":"a","kind":"events_present","categories":["pii"],"event_types":["x"],"description":"d"})")
        << QStringLiteral("r.json: rules[0].categories: events_present takes no");
    QTest::newRow("iam with params")
        << QStringLiteral(
               R"({"id":"a","kind":"iam_no_wildcards","event_types":["x"],"description":"d"})")
        << QStringLiteral("r.json: rules[0].event_types: iam_no_wildcards takes no parameters");
    QTest::newRow("event type")
        << QStringLiteral(
               R"({"id":"a","kind":"events_present","event_types":["Bad Type"],"description":"d"})")
        << QStringLiteral("r.json: rules[0].event_types[0]: 'Bad Type' is not an event type");
    QTest::newRow("missing description")
        << QStringLiteral(R"({"id":"a","kind":"iam_boundary_present"})")
        << QStringLiteral("r.json: rules[0].description: missing");
}

void TestChecklists::evidenceRuleErrorsNameTheJsonPath()
{
    QFETCH(QString, rule);
    QFETCH(QString, message);
    const auto r = parseEvidenceRules(
        (QStringLiteral(R"({"version":1,"rules":[)") + rule + QStringLiteral("]}")).toStdString(),
        "r.json");
    QVERIFY(!r.has_value());
    QCOMPARE(r.error().code, std::string("review.bad_evidence_rules"));
    QVERIFY2(QString::fromStdString(r.error().message).startsWith(message),
             r.error().message.c_str());

    const auto dup = parseEvidenceRules(
        R"({"version":1,"rules":[{"id":"a","kind":"iam_boundary_present","description":"d"},{"id":"a","kind":"iam_boundary_present","description":"d"}]})",
        "r.json");
    QVERIFY(!dup.has_value());
    QCOMPARE(dup.error().message, std::string("r.json: rules[1].id: duplicate rule id 'a'"));
}

void TestChecklists::maestroTemplateMatchesTheSeed()
{
    const auto tpl = loadThreatTemplate("maestro");
    QVERIFY2(tpl.has_value(), tpl ? "" : tpl.error().message.c_str());
    const auto seed =
        seedTable(test::seedText("000_39412dd743e5c981.txt"), "Threat Matrix Template");
    QCOMPARE(seed.size(), 7u);
    QCOMPARE(tpl->rows.size(), 7u);
    for (std::size_t i = 0; i < seed.size(); ++i) {
        const auto& row = tpl->rows[i].row;
        QCOMPARE(std::to_string(row.layer), seed[i][0]);
        QCOMPARE(row.component, seed[i][1]);
        QCOMPARE(row.threat, seed[i][2]);
        QCOMPARE(std::string(toString(row.severity)), seed[i][3]);
        QCOMPARE(row.mitigation, seed[i][4]);
        QCOMPARE(test::name(row.status), std::string("open"));
    }
    QCOMPARE(tpl->rows[0].threatDisplay, std::string("Prompt injection"));
    QCOMPARE(tpl->rows[4].threatDisplay, std::string("Resource exhaustion"));
}

void TestChecklists::attackSurfaceTemplateMatchesTheGuide()
{
    const auto tpl = loadThreatTemplate("attack-surface");
    QVERIFY2(tpl.has_value(), tpl ? "" : tpl.error().message.c_str());
    const auto seed = seedTable(test::seedText("003_256e4423a6ba6b28.txt"), "1.1 Attack Surface");
    QCOMPARE(seed.size(), 6u);
    QCOMPARE(tpl->rows.size(), 6u);
    const std::map<std::string, ThreatSeverity> riskMap{{"Critical", ThreatSeverity::Critical},
                                                        {"High", ThreatSeverity::High},
                                                        {"Medium", ThreatSeverity::Med},
                                                        {"Low", ThreatSeverity::Low}};
    for (std::size_t i = 0; i < seed.size(); ++i) {
        const auto& tr = tpl->rows[i];
        QCOMPARE(tr.row.threat, seed[i][0]);
        QCOMPARE(tr.row.description, seed[i][1]);
        QCOMPARE(tr.seedRisk, seed[i][2]);
        QCOMPARE(test::name(tr.row.severity), test::name(riskMap.at(seed[i][2])));
        QVERIFY(tr.row.layer >= 1 && tr.row.layer <= 7);
        QVERIFY(!tr.rationale.empty());
    }
    // Critical/High/High/Medium/Medium/Low as the brief maps them.
    const std::vector<ThreatSeverity> expected{ThreatSeverity::Critical, ThreatSeverity::High,
                                               ThreatSeverity::High,     ThreatSeverity::Med,
                                               ThreatSeverity::Med,      ThreatSeverity::Low};
    for (std::size_t i = 0; i < expected.size(); ++i)
        QCOMPARE(test::name(tpl->rows[i].row.severity), test::name(expected[i]));
}

void TestChecklists::templateLinksAsAgreed()
{
    const auto templates = loadThreatTemplates();
    QVERIFY2(templates.has_value(), templates ? "" : templates.error().message.c_str());
    QCOMPARE(templates->size(), 2u);
    std::map<std::string, std::vector<std::string>> links;
    for (const auto& tpl : *templates)
        for (const auto& tr : tpl.rows)
            links[tr.row.threat] = tr.row.links;
    using V = std::vector<std::string>;
    QCOMPARE(links["Prompt inj."], V{"injection"});
    QCOMPARE(links["Log injection"], V{"log_injection"});
    QCOMPARE(links["Secret exposure"], V{"secret"});
    QCOMPARE(links["Resource exh."], V({"length"}));
    QCOMPARE(links["Type confusion"], V({"schema", "rejected"}));
    QCOMPARE(links["Privilege escalation"], V{"privilege_escalation"});
    QCOMPARE(links["Tool abuse"], V{"iam"});
    QCOMPARE(links["Data exfiltration"], V({"pii", "secret"}));
    QCOMPARE(links["Prompt injection"], V{"injection"});
}

void TestChecklists::limitsComeBeforeParsing_data()
{
    // Checklists, evidence rules and threat templates all read through one JSON reader; a
    // document nested 50,000 deep or over 16 MiB is refused with the limit it broke.
    QTest::addColumn<QString>("reader");
    QTest::addColumn<std::string>("json");
    QTest::addColumn<std::string>("message");
    const std::string deep = vigil::test::nestedArrays(50'000);
    // Three levels are open where the deep value starts: its 62nd bracket is one too many.
    const std::string itemsPrefix = R"({"checklist":"maestro","items":[{"text":)";
    const std::string inItems = itemsPrefix + deep + "}]}";
    const std::string huge = R"({"note":")" + std::string(16 * 1024 * 1024, 'n') + R"("})";
    const std::string hugeSize = std::to_string(huge.size());
    for (const char* reader : {"checklist", "evidence", "template"}) {
        const std::string name = std::string(reader) + ".json";
        QTest::addRow("%s: 50,000 arrays", reader)
            << QString::fromLatin1(reader) << deep
            << name + ": nested deeper than 64 levels at byte 64";
        QTest::addRow("%s: 50,000 objects", reader)
            << QString::fromLatin1(reader) << vigil::test::nestedObjects(50'000)
            << name + ": nested deeper than 64 levels at byte 320";
        QTest::addRow("%s: deep inside", reader)
            << QString::fromLatin1(reader) << inItems
            << name + ": nested deeper than 64 levels at byte " +
                   std::to_string(itemsPrefix.size() + 61);
        QTest::addRow("%s: over 16 MiB", reader)
            << QString::fromLatin1(reader) << huge
            << name + ": larger than 16 MiB (" + hugeSize + " bytes)";
    }
}

void TestChecklists::limitsComeBeforeParsing()
{
    QFETCH(QString, reader);
    QFETCH(std::string, json);
    QFETCH(std::string, message);
    const std::string name = reader.toStdString() + ".json";
    std::optional<Error> error;
    if (reader == u"checklist") {
        auto r = parseChecklist(json, name, {});
        QVERIFY(!r.has_value());
        error = r.error();
        QCOMPARE(error->code, std::string("review.bad_checklist"));
    } else if (reader == u"evidence") {
        auto r = parseEvidenceRules(json, name);
        QVERIFY(!r.has_value());
        error = r.error();
        QCOMPARE(error->code, std::string("review.bad_evidence_rules"));
    } else {
        auto r = parseThreatTemplate(json, name);
        QVERIFY(!r.has_value());
        error = r.error();
        QCOMPARE(error->code, std::string("review.bad_threat_template"));
    }
    QCOMPARE(error->message, message);
}

QTEST_APPLESS_MAIN(TestChecklists)
#include "tst_checklists.moc"
