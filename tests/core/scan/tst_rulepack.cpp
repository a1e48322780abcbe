// SPDX-License-Identifier: Apache-2.0
// Rule packs: the embedded packs load, errors name the source and JSON path, user packs
// add, override and disable rules, and bad patterns fail Scanner::create with their origin.

#include "scan/rulepack.h"
#include "deepjson.h"
#include "scantestutil.h"
#include "testsupport.h"

#include <QSet>

using namespace scantest;
using vigil::RulePack;

namespace {

QString msg(const vigil::Error& e)
{
    return QString::fromStdString(e.message);
}

} // namespace

class TestRulePack : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void builtinLoads();
    void builtinIdsAndLayers();
    void errorsNameThePath_data();
    void errorsNameThePath();
    void mergeIsAtomic();
    void limitsComeBeforeParsing_data();
    void limitsComeBeforeParsing();
    void userPackDisables();
    void userPackOverrides();
    void userPackAddsRule();
    void badPatternNamesItsRule();
    void userConfusables();
};

void TestRulePack::builtinLoads()
{
    const auto pack = RulePack::builtin();
    QVERIFY2(pack.has_value(), pack ? "" : pack.error().message.c_str());
    QVERIFY(pack->rules().size() >= 30);
    QVERIFY(pack->confusables().size() >= 150);
    QCOMPARE(pack->confusables().at(0x0430), std::string("a")); // Cyrillic a
    const auto scanner = vigil::Scanner::create(*pack);
    QVERIFY2(scanner.has_value(), scanner ? "" : scanner.error().message.c_str());
    QCOMPARE((*scanner)->rules().size(), pack->rules().size());
}

void TestRulePack::builtinIdsAndLayers()
{
    const auto pack = RulePack::builtin();
    QSet<QString> ids;
    for (const vigil::RuleInfo& r : pack->rules()) {
        const QString id = QString::fromStdString(r.id);
        QVERIFY2(!ids.contains(id), qPrintable(id));
        ids.insert(id);
        QVERIFY2(id.startsWith(QString::fromStdString(r.category) + QLatin1Char('.')), qPrintable(id));
        QVERIFY(r.layer >= 1 && r.layer <= 7);
        QVERIFY(!r.message.empty());
        QVERIFY(r.source.starts_with("rules/"));
    }
    // The CLI contract names the PII rules exactly.
    for (const char* id : {"pii.email", "pii.phone", "pii.ssn", "pii.credit_card"})
        QVERIFY2(ids.contains(QLatin1String(id)), id);
    QCOMPARE(pack->rule("injection.override")->layer, 1);
    QCOMPARE(pack->rule("pii.email")->layer, 4);
    QCOMPARE(pack->rule("secret.aws_access_key")->layer, 6);
    QCOMPARE(pack->rule("sql_mutation.ddl")->layer, 5);
    QCOMPARE(pack->rule("log_injection.forged_record")->layer, 4);
    QCOMPARE(pack->rule("length.query")->layer, 2);
    QCOMPARE(pack->rule("schema.missing_field")->layer, 2);
}

void TestRulePack::errorsNameThePath_data()
{
    QTest::addColumn<QByteArray>("json");
    QTest::addColumn<QString>("message");
    QTest::newRow("not json") << QByteArray("{rules: [}") << QStringLiteral("user.json: not valid JSON");
    QTest::newRow("not object") << QByteArray("[]")
                                << QStringLiteral("user.json: $: expected an object with \"rules\" and/or \"confusables\"");
    QTest::newRow("unknown top key") << QByteArray(R"({"rulez": []})") << QStringLiteral("user.json: $.rulez: unknown key");
    QTest::newRow("rules not array") << QByteArray(R"({"rules": {}})") << QStringLiteral("user.json: $.rules: expected an array");
    QTest::newRow("missing id") << QByteArray(R"({"rules": [{"category": "pii"}]})")
                                << QStringLiteral("user.json: $.rules[0].id: missing or not a string");
    QTest::newRow("bad id") << QByteArray(R"({"rules": [{"id": "NoDots"}]})")
                            << QStringLiteral("user.json: $.rules[0].id: expected a dotted lowercase id like pii.email");
    QTest::newRow("bad severity")
        << QByteArray(R"({"rules": [{"id": "pii.email"}, {"id": "pii.phone"}, {"id": "pii.ssn"}, {"id": "pii.credit_card", "severity": "urgent"}]})")
        << QStringLiteral("user.json: $.rules[3].severity: expected one of low|medium|high|critical");
    QTest::newRow("bad layer") << QByteArray(R"({"rules": [{"id": "pii.email", "layer": 9}]})")
                               << QStringLiteral("user.json: $.rules[0].layer: expected an integer from 1 to 7 (MAESTRO layer)");
    QTest::newRow("bad kind") << QByteArray(R"({"rules": [{"id": "x.y", "kind": "magic"}]})")
                              << QStringLiteral("user.json: $.rules[0].kind: expected one of phrase|regex|token|jwt|pem|"
                                                "assignment|basic_auth|connection_string|encoded|hidden_text|email|phone|"
                                                "ssn|credit_card|iban|sql|log_forged_record|log_escape|log_control|length|"
                                                "details_length|schema|security_event|classifier|near_duplicate|query_burst|"
                                                "prompt_probing");
    QTest::newRow("unknown rule key") << QByteArray(R"({"rules": [{"id": "pii.email", "sevrity": "low"}]})")
                                      << QStringLiteral("user.json: $.rules[0].sevrity: unknown key");
    QTest::newRow("fields not strings") << QByteArray(R"({"rules": [{"id": "pii.email", "fields": ["a", 3]}]})")
                                        << QStringLiteral("user.json: $.rules[0].fields[1]: expected a string");
    QTest::newRow("new rule incomplete")
        << QByteArray(R"({"rules": [{"id": "custom.thing", "category": "custom", "layer": 3, "kind": "regex", "message": "m"}]})")
        << QStringLiteral("user.json: $.rules[0].patterns: kind regex needs at least one pattern");
    QTest::newRow("new rule missing message")
        << QByteArray(R"({"rules": [{"id": "custom.thing", "category": "custom", "layer": 3, "kind": "regex", "patterns": ["x"]}]})")
        << QStringLiteral("user.json: $.rules[0].message: missing (required for a new rule)");
    QTest::newRow("unknown param") << QByteArray(R"({"rules": [{"id": "pii.phone", "params": {"bare": true}}]})")
                                   << QStringLiteral("user.json: $.rules[0].params.bare: unknown parameter for kind phone "
                                                     "(known: bare_nanp, international, international_check, default_regions)");
    QTest::newRow("unknown region") << QByteArray(R"({"rules": [{"id": "pii.phone", "params": {"default_regions": ["US", "uk"]}}]})")
                                    << QStringLiteral("user.json: $.rules[0].params.default_regions[1]: unknown region code uk "
                                                      "(expected an upper-case CLDR code such as US or GB)");
    QTest::newRow("international check") << QByteArray(R"({"rules": [{"id": "pii.phone", "params": {"international_check": "strict"}}]})")
                                         << QStringLiteral("user.json: $.rules[0].params.international_check: expected one of possible|valid");
    QTest::newRow("param type") << QByteArray(R"({"rules": [{"id": "length.query", "params": {"max": "2000"}}]})")
                                << QStringLiteral("user.json: $.rules[0].params.max: expected an integer from 1 to 100000000");
    QTest::newRow("param choice") << QByteArray(R"({"rules": [{"id": "injection.encoded", "params": {"encodings": ["rot13"]}}]})")
                                  << QStringLiteral("user.json: $.rules[0].params.encodings[0]: expected one of base64|hex|escapes|tags");
    QTest::newRow("patterns on validator")
        << QByteArray(R"({"rules": [{"id": "pii.email", "patterns": ["@"]}]})")
        << QStringLiteral("user.json: $.rules[0].patterns: kind email takes no patterns");
    QTest::newRow("confusable target") << QByteArray(R"({"confusables": {"A": ["0410"]}})")
                                       << QStringLiteral("user.json: $.confusables.A: target must be 1 to 8 lowercase ASCII letters or digits");
    QTest::newRow("confusable cp") << QByteArray(R"({"confusables": {"a": ["zz"]}})")
                                   << QStringLiteral("user.json: $.confusables.a[0]: expected a non-ASCII code point in hex, e.g. \"0430\"");
}

void TestRulePack::errorsNameThePath()
{
    QFETCH(QByteArray, json);
    QFETCH(QString, message);
    auto pack = RulePack::builtin();
    const auto r = pack->merge(json.toStdString(), "user.json");
    QVERIFY(!r.has_value());
    QCOMPARE(msg(r.error()), message);
    QCOMPARE(r.error().code, std::string("rules.invalid"));
}

void TestRulePack::mergeIsAtomic()
{
    auto pack = RulePack::builtin();
    const auto before = pack->rules().size();
    const std::string json =
        R"({"rules": [{"id": "pii.email", "enabled": false}, {"id": "pii.phone", "layer": 0}]})";
    const auto r = pack->merge(json, "user.json");
    QVERIFY(!r.has_value());
    QCOMPARE(pack->rules().size(), before);
    QVERIFY(pack->rule("pii.email")->enabled);
}

void TestRulePack::limitsComeBeforeParsing_data()
{
    // A user pack nested 50,000 deep used to overflow the stack (copying or dumping the
    // parsed `params` recurses per level); now it is refused before it is parsed.
    QTest::addColumn<std::string>("json");
    QTest::addColumn<std::string>("message");
    const std::string deep = vigil::test::nestedArrays(50'000);
    QTest::newRow("50,000 arrays")
        << deep << std::string("user.json: nested deeper than 64 levels at byte 64");
    QTest::newRow("50,000 objects")
        << vigil::test::nestedObjects(50'000)
        << std::string("user.json: nested deeper than 64 levels at byte 320");
    // Three levels are open where the deep value starts: its 62nd bracket is one too many.
    const std::string paramsPrefix = R"({"rules": [{"id": "pii.phone", "params": )";
    QTest::newRow("50,000 deep params")
        << paramsPrefix + deep + "}]}"
        << "user.json: nested deeper than 64 levels at byte " +
               std::to_string(paramsPrefix.size() + 61);
    // Objects are what overflowed: merging `params` into the rule's defaults recursed.
    QTest::newRow("50,000 deep params objects")
        << paramsPrefix + vigil::test::nestedObjects(50'000) + "}]}"
        << "user.json: nested deeper than 64 levels at byte " +
               std::to_string(paramsPrefix.size() + 5 * 61);
    const std::string confusablesPrefix = R"({"confusables": {"x": )";
    QTest::newRow("50,000 deep confusables")
        << confusablesPrefix + vigil::test::nestedObjects(50'000) + "}}"
        << "user.json: nested deeper than 64 levels at byte " +
               std::to_string(confusablesPrefix.size() + 5 * 62);
    const std::string huge =
        R"({"description": ")" + std::string(RulePack::kMaxPackBytes, 'd') + R"("})";
    QTest::newRow("over 16 MiB") << huge
                                 << "user.json: larger than 16 MiB (" +
                                        std::to_string(huge.size()) + " bytes)";
}

void TestRulePack::limitsComeBeforeParsing()
{
    QFETCH(std::string, json);
    QFETCH(std::string, message);
    auto pack = RulePack::builtin();
    QVERIFY(pack.has_value());
    const auto before = pack->rules().size();
    const auto r = pack->merge(json, "user.json");
    QVERIFY(!r.has_value());
    QCOMPARE(r.error().code, std::string("rules.invalid"));
    QCOMPARE(r.error().message, message);
    QCOMPARE(pack->rules().size(), before);
}

void TestRulePack::userPackDisables()
{
    auto pack = RulePack::builtin();
    const std::string json = R"({"rules": [{"id": "pii.phone", "enabled": false}]})";
    QVERIFY(pack->merge(json, "user.json"));
    QVERIFY(!pack->rule("pii.phone")->enabled);
    const auto scanner = vigil::Scanner::create(*pack);
    QVERIFY(scanner);
    const auto e = makeField("worker_result", "output", "call 555-234-5678 or mail a@example.com");
    QCOMPARE(rules(scan(e, **scanner)), QStringList{QStringLiteral("pii.email")});
    QCOMPARE(rules(scan(e)), (QStringList{QStringLiteral("pii.phone"), QStringLiteral("pii.email")}));
}

void TestRulePack::userPackOverrides()
{
    auto pack = RulePack::builtin();
    const std::string json = R"({"rules": [
        {"id": "pii.email", "severity": "critical", "layer": 3, "message": "mail in {where}"},
        {"id": "length.query", "params": {"max": 10}},
        {"id": "pii.phone", "params": {"bare_nanp": false}}]})";
    QVERIFY(pack->merge(json, "user.json"));
    const vigil::RuleInfo* email = pack->rule("pii.email");
    QCOMPARE(int(email->severity), int(vigil::FindingSeverity::Critical));
    QCOMPARE(email->kind, std::string("email")); // untouched keys stay
    QCOMPARE(email->source, std::string("user.json: $.rules[0]"));
    QCOMPARE(pack->rule("pii.phone")->paramsJson,
             std::string(R"({"bare_nanp":false,"default_regions":["US","GB","DE","FR","JP","CN","IN","BR"],)"
                         R"("international":true,"international_check":"possible"})"));
    const auto scanner = vigil::Scanner::create(*pack);
    QVERIFY(scanner);
    auto fs = scan(makeField("user_query_received", "query", "a@example.com and 5757195821"), **scanner);
    // Ordered by start: the e-mail at 0, the length overflow from 10.
    QCOMPARE(rules(fs), (QStringList{QStringLiteral("pii.email"), QStringLiteral("length.query")}));
    QCOMPARE(fs[0].layer, 3);
    QCOMPARE(fs[0].message, std::string("mail in user query"));
    QCOMPARE(fs[1].start, 10);
}

void TestRulePack::userPackAddsRule()
{
    auto pack = RulePack::builtin();
    const std::string json = R"({"rules": [{"id": "custom.ticket", "category": "pii", "layer": 4, "severity": "low",
        "kind": "regex", "patterns": ["\\bTCK-[0-9]{6}\\b"], "fields": ["details.output"],
        "message": "internal ticket number in {where}"}]})";
    QVERIFY(pack->merge(json, "user.json"));
    const auto scanner = vigil::Scanner::create(*pack);
    QVERIFY(scanner);
    const std::string v = "see TCK-123456 now";
    auto fs = scan(makeField("worker_result", "output", v), **scanner);
    QCOMPARE(rules(fs), QStringList{QStringLiteral("custom.ticket")});
    QCOMPARE(slice(v, fs[0].start, fs[0].end), QStringLiteral("TCK-123456"));
    QVERIFY(scan(makeField("worker_result", "reason", v), **scanner).empty()); // fields glob
}

void TestRulePack::badPatternNamesItsRule()
{
    auto pack = RulePack::builtin();
    const std::string json = R"({"rules": [{"id": "custom.bad", "category": "custom", "layer": 3, "kind": "regex",
        "patterns": ["ok", "(unclosed"], "message": "m"}]})";
    QVERIFY(pack->merge(json, "mine.json"));
    const auto scanner = vigil::Scanner::create(*pack);
    QVERIFY(!scanner);
    QCOMPARE(scanner.error().code, std::string("rules.bad_pattern"));
    QVERIFY2(scanner.error().message.starts_with("mine.json: $.rules[0].patterns[1]: "),
             scanner.error().message.c_str());
}

void TestRulePack::userConfusables()
{
    auto pack = RulePack::builtin();
    // Map the Cherokee-like letter U+13D2 to 's' (not in the built-in table).
    const std::string json = R"({"confusables": {"s": ["13D2"]}})";
    QVERIFY(pack->merge(json, "user.json"));
    const auto scanner = vigil::Scanner::create(*pack);
    const auto e = makeField("user_query_received", "query", "\xE1\x8F\x92ystem prompt");
    // The built-in table does not fold it, so no phrase rule matches (the classifier, which
    // reads non-ASCII text, may still score it).
    QVERIFY(!hasRule(scan(e), "injection.prompt_disclosure"));
    QCOMPARE(rules(scan(e, **scanner)), QStringList{QStringLiteral("injection.prompt_disclosure")});
}

QTEST_GUILESS_MAIN(TestRulePack)
#include "tst_rulepack.moc"
