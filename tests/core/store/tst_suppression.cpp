// SPDX-License-Identifier: Apache-2.0
// Mute rules (store/suppression.h): matching, the glob, expiry that gives findings back
// without a rescan, live incident counts, the append-only history and the rule file.
#include "testsupport.h"

#include "base/timeutil.h"
#include "store/database.h"
#include "store/schema.h"
#include "store/storewriter.h"
#include "store/suppression.h"

#include <QTemporaryDir>
#include <QtTest>

#include <algorithm>
#include <condition_variable>
#include <mutex>

using namespace vigil;

namespace {

constexpr std::int64_t kT0 = 1'790'000'000'000;

Finding finding(const std::string& rule, const std::string& field, FindingSeverity sev,
                int start = -1, int end = -1)
{
    Finding f;
    f.rule = rule;
    f.category = rule.substr(0, rule.find('.'));
    f.layer = 3;
    f.severity = sev;
    f.field = field;
    f.start = start;
    f.end = end;
    f.message = "test finding";
    return f;
}

IngestedEvent makeEvent(const std::string& id, const std::string& agent, std::int64_t ms,
                    std::string details, std::vector<Finding> findings)
{
    IngestedEvent ie;
    ie.event.timestampMs = ms;
    ie.event.eventType = "tool_call";
    ie.event.kind = EventKind::ToolCall;
    ie.event.agentName = agent;
    ie.event.threadId = "thread-" + agent;
    ie.event.severity = EventSeverity::Warning;
    ie.event.eventId = id;
    ie.event.detailsJson = std::move(details);
    ie.findings = std::move(findings);
    return ie;
}

Result<CommitResult> commit(StoreWriter& w, std::vector<IngestedEvent> events)
{
    WriteBatch b;
    b.sourceName = "test";
    b.events = std::move(events);
    std::optional<Result<CommitResult>> out;
    std::mutex m;
    std::condition_variable cv;
    b.onCommitted = [&](const Result<CommitResult>& r) {
        std::lock_guard l(m);
        out = r;
        cv.notify_one();
    };
    w.submit(std::move(b));
    std::unique_lock l(m);
    cv.wait(l, [&] { return out.has_value(); });
    return *out;
}

std::int64_t count(Database& db, const std::string& sql)
{
    auto n = queryInt(db, sql.c_str());
    return n ? *n : -1;
}

SuppressionRule byRule(const std::string& rule, const std::string& reason = "known noise")
{
    SuppressionRule r;
    r.rule = rule;
    r.reason = reason;
    r.author = "alice";
    return r;
}

} // namespace

class TestSuppression : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();
    void glob_data();
    void glob();
    void globCostIsBounded();
    void matchedTextCountsCodePoints();
    void validation();
    void expiryAndDuration();
    void migrationCreatesTheTables();
    void mutedWhileInForceAndBackWhenExpired();
    void patternMatchesTheMatchedText();
    void incidentCountsLeaveMutedFindingsOut();
    void historyRecordsEveryChange();
    void historyAndRulesAreNeverDeleted();
    void findingCountsPerRule();
    void ruleFileRoundTrip();
    void ruleFileRefusals();

private:
    StoreWriter& writer() { return ***m_writer; }
    Database reader();
    std::int64_t add(const SuppressionRule& r, std::int64_t nowMs, bool allowAll = false);
    /// Stores two agents' events: `sql-writer` with two pii.email findings (one incident) and
    /// one secret, `planner` with one pii.email.
    void seed();

    QTemporaryDir m_dir;
    std::string m_path;
    std::optional<Result<std::unique_ptr<StoreWriter>>> m_writer;
};

void TestSuppression::init()
{
    QVERIFY(m_dir.isValid());
    m_path = m_dir.filePath(QStringLiteral("mute-%1.db").arg(QLatin1String(QTest::currentTestFunction())))
                 .toStdString();
    m_writer = StoreWriter::open(m_path);
    QVERIFY2(m_writer->has_value(), *m_writer ? "" : m_writer->error().message.c_str());
}

void TestSuppression::cleanup()
{
    if (m_writer && m_writer->has_value())
        (**m_writer)->close();
    m_writer.reset();
}

Database TestSuppression::reader()
{
    writer().flush();
    auto db = Database::openReader(m_path);
    if (!db)
        qFatal("reader: %s", db.error().message.c_str());
    return std::move(*db);
}

std::int64_t TestSuppression::add(const SuppressionRule& r, std::int64_t nowMs, bool allowAll)
{
    auto id = writer().runResult<std::int64_t>(
        [&](Database& db) { return addSuppression(db, r, allowAll, "alice", nowMs); });
    if (!id)
        qWarning("add: %s", id.error().message.c_str());
    return id ? *id : 0;
}

void TestSuppression::seed()
{
    const std::string details = R"({"output":"mail bob@example.com or eve@corp.test"})";
    std::vector<IngestedEvent> events;
    events.push_back(makeEvent("e1", "sql-writer", kT0, details,
                           {finding("pii.email", "details.output", FindingSeverity::High, 5, 20)}));
    events.push_back(makeEvent("e2", "sql-writer", kT0 + 1000, details,
                           {finding("pii.email", "details.output", FindingSeverity::Medium, 24, 37),
                            finding("secret.aws", "details.output", FindingSeverity::Critical)}));
    events.push_back(makeEvent("e3", "planner", kT0 + 2000, details,
                           {finding("pii.email", "details.output", FindingSeverity::Medium, 5, 20)}));
    auto r = commit(writer(), std::move(events));
    QVERIFY2(r.has_value(), r ? "" : r.error().message.c_str());
    QCOMPARE(r->findings, 4);
}

void TestSuppression::glob_data()
{
    QTest::addColumn<QString>("pattern");
    QTest::addColumn<QString>("text");
    QTest::addColumn<bool>("match");
    QTest::newRow("literal") << "abc" << "abc" << true;
    QTest::newRow("literal is whole text") << "abc" << "abcd" << false;
    QTest::newRow("substring") << "*@example.com*" << "bob@example.com" << true;
    QTest::newRow("suffix") << "*@example.com" << "bob@example.com.evil" << false;
    QTest::newRow("question is one code point") << "b?b" << QString::fromUtf8("b\xc3\xa9" "b") << true;
    QTest::newRow("question needs one") << "b?b" << "bb" << false;
    QTest::newRow("star may be empty") << "a*b" << "ab" << true;
    QTest::newRow("stars collapse") << "a***b" << "axxb" << true;
    QTest::newRow("backtrack") << "*ab*ab" << "xxabyyabab" << true;
    QTest::newRow("escaped star") << "a\\*b" << "a*b" << true;
    QTest::newRow("escaped star is literal") << "a\\*b" << "axb" << false;
    QTest::newRow("case-sensitive") << "ABC" << "abc" << false;
    QTest::newRow("empty text") << "*" << "" << true;
    QTest::newRow("empty pattern") << "" << "x" << false;
    QTest::newRow("trailing backslash") << "a\\" << "a\\" << true;
}

void TestSuppression::glob()
{
    QFETCH(QString, pattern);
    QFETCH(QString, text);
    QFETCH(bool, match);
    QCOMPARE(globMatch(pattern.toStdString(), text.toStdString()), match);
}

void TestSuppression::globCostIsBounded()
{
    // The pattern that makes backtracking matchers exponential: answered in one pass per
    // star over 64 KiB (no time is measured; an exponential matcher would not return).
    const std::string text(64 * 1024, 'a');
    QVERIFY(!globMatch("*a*a*a*a*a*a*a*a*a*a*a*a*b", text));
    QVERIFY(globMatch("*a*a*a*a*a*a*a*a*a*a*a*a*", text));
}

void TestSuppression::matchedTextCountsCodePoints()
{
    const std::string v = "caf\xc3\xa9 bob@example.com";
    QCOMPARE(matchedText(v, 5, 20), std::string("bob@example.com"));
    QCOMPARE(matchedText(v, 3, 4), std::string("\xc3\xa9"));
    QCOMPARE(matchedText(v, -1, -1), v);
    QCOMPARE(matchedText(v, 30, 40), std::string());
}

void TestSuppression::validation()
{
    SuppressionRule r;
    r.reason = "noise";
    r.author = "alice";
    auto empty = validateSuppression(r, false);
    QVERIFY(!empty);
    QCOMPARE(empty.error().code, std::string("mute.empty_rule"));
    QVERIFY(validateSuppression(r, true));
    r.agent = "planner";
    QVERIFY(validateSuppression(r, false));
    r.reason = "  ";
    QCOMPARE(validateSuppression(r, false).error().code, std::string("mute.no_reason"));
    r.reason = "noise";
    r.pattern = std::string(kMaxMutePatternBytes + 1, 'x');
    QCOMPARE(validateSuppression(r, false).error().code, std::string("mute.pattern_too_long"));
    r.pattern = "a\nb";
    QCOMPARE(validateSuppression(r, false).error().code, std::string("mute.control"));
    r.pattern.clear();
    r.expiresMs = -1;
    QCOMPARE(validateSuppression(r, false).error().code, std::string("mute.bad_expiry"));
    r.expiresMs = 253'402'300'800'000; // year 10000
    QCOMPARE(validateSuppression(r, false).error().code, std::string("mute.bad_expiry"));
}

void TestSuppression::expiryAndDuration()
{
    QCOMPARE(*parseMuteExpiry("2026-12-31T18:00:00Z"), *parseRfc3339Utc("2026-12-31T18:00:00Z"));
    QCOMPARE(*parseMuteExpiry("2026-12-31"), *parseRfc3339Utc("2026-12-31T00:00:00Z"));
    QCOMPARE(*parseMuteExpiry("1790000000000"), std::int64_t{1790000000000});
    QCOMPARE(parseMuteExpiry("next tuesday").error().code, std::string("mute.bad_expiry"));
    QCOMPARE(parseMuteExpiry("2026-13-01").error().code, std::string("mute.bad_expiry"));
    QCOMPARE(*parseMuteDuration("30d"), std::int64_t{30} * 86'400'000);
    QCOMPARE(*parseMuteDuration("12h"), std::int64_t{12} * 3'600'000);
    QCOMPARE(*parseMuteDuration("45m"), std::int64_t{45} * 60'000);
    QCOMPARE(*parseMuteDuration("2w"), std::int64_t{14} * 86'400'000);
    for (const char* bad : {"", "d", "0d", "-3d", "3x", "3.5d", "99999999w"})
        QVERIFY2(!parseMuteDuration(bad), bad);
}

void TestSuppression::migrationCreatesTheTables()
{
    // Whatever number the mute migration ends up with, the schema this build writes has it.
    QCOMPARE(static_cast<int>(schemaMigrations().size()), kSchemaVersion);
    QVERIFY(std::any_of(schemaMigrations().begin(), schemaMigrations().end(), [](const std::string& m) {
        return m.find("CREATE TABLE IF NOT EXISTS suppression_history") != std::string::npos;
    }));
    Database db = reader();
    QCOMPARE(db.userVersion(), kSchemaVersion);
    QCOMPARE(count(db, "SELECT count(*) FROM suppressions"), 0);
}

void TestSuppression::mutedWhileInForceAndBackWhenExpired()
{
    seed();
    const std::int64_t expires = kT0 + 3'600'000;
    SuppressionRule r = byRule("pii.email");
    r.agent = "sql-writer";
    r.expiresMs = expires;
    QVERIFY(add(r, kT0) > 0);

    Database db = reader();
    auto mutedAt = [&](std::int64_t now) {
        auto scope = muteScope(db, now);
        if (!scope)
            return std::int64_t{-1};
        return count(db, "SELECT count(*) FROM findings f WHERE " + mutedFindingSql(*scope, "f"));
    };
    QCOMPARE(mutedAt(kT0), 2);          // both of sql-writer's emails, not planner's
    QCOMPARE(mutedAt(expires - 1), 2);
    QCOMPARE(mutedAt(expires), 0);      // expiry is exclusive, and nothing was rescanned
    QVERIFY(!muteScope(db, expires)->any);
    QCOMPARE(mutedFindingSql(*muteScope(db, expires), "f"), std::string("0"));
    QCOMPARE(count(db, "SELECT count(*) FROM findings"), 4); // muting never deletes
}

void TestSuppression::patternMatchesTheMatchedText()
{
    seed();
    SuppressionRule r = byRule("");
    r.pattern = "*@example.com";
    const std::int64_t id = add(r, kT0);
    QVERIFY(id > 0);
    Database db = reader();
    auto scope = muteScope(db, kT0);
    QVERIFY(scope && scope->any);
    // e1 and e3 matched bob@example.com; e2's span is eve@corp.test; the secret has no span,
    // so its matched text is the whole value, which ends with corp.test.
    QCOMPARE(count(db, "SELECT count(*) FROM findings f WHERE " + mutedFindingSql(*scope, "f")), 2);
    QCOMPARE(count(db, "SELECT count(*) FROM findings f WHERE agent = 'planner' AND " +
                           mutedFindingSql(*scope, "f")), 1);

    // The same decision in memory (vigil-cli scan --mute).
    const std::string value = "mail bob@example.com or eve@corp.test";
    QVERIFY(suppressionMatches(r, finding("pii.email", "details.output", FindingSeverity::High, 5, 20),
                               "x", std::string_view(value)));
    QVERIFY(!suppressionMatches(r, finding("pii.email", "details.output", FindingSeverity::High, 24, 37),
                                "x", std::string_view(value)));
    QVERIFY(!suppressionMatches(r, finding("pii.email", "details.output", FindingSeverity::High, 5, 20),
                                "x", std::nullopt));
}

void TestSuppression::incidentCountsLeaveMutedFindingsOut()
{
    seed();
    Database before = reader();
    const std::string live = "SELECT sum(" + liveIncidentFindingsSql(*muteScope(before, kT0), "i") +
                             ") FROM incidents i";
    const std::int64_t stored = count(before, "SELECT sum(findings) FROM incidents");
    QCOMPARE(count(before, live), stored); // no rule: the stored counts, unchanged

    SuppressionRule r = byRule("secret.aws");
    r.expiresMs = kT0 + 10'000;
    QVERIFY(add(r, kT0) > 0);
    Database db = reader();
    auto scope = *muteScope(db, kT0);
    QCOMPARE(count(db, "SELECT sum(" + liveIncidentFindingsSql(scope, "i") + ") FROM incidents i"),
             stored - 1);
    // The secret's incident holds only muted findings: it leaves the incident counts, and the
    // highest live severity of sql-writer's findings is no longer critical.
    const std::string liveIncidents = "SELECT count(*) FROM incidents i WHERE " +
                                      liveIncidentFindingsSql(scope, "i") + " > 0";
    QCOMPARE(count(db, liveIncidents), count(db, "SELECT count(*) FROM incidents") - 1);
    QCOMPARE(count(db, "SELECT count(*) FROM incidents i WHERE " + liveIncidentSeveritySql(scope, "i") +
                           " >= 3 AND " + liveIncidentFindingsSql(scope, "i") + " > 0"),
             0);
    // Once the rule expires the incident is back, critical again.
    auto later = *muteScope(db, kT0 + 10'000);
    QCOMPARE(count(db, "SELECT count(*) FROM incidents i WHERE " + liveIncidentSeveritySql(later, "i") +
                           " >= 3 AND " + liveIncidentFindingsSql(later, "i") + " > 0"),
             1);
}

void TestSuppression::historyRecordsEveryChange()
{
    const std::int64_t id = add(byRule("pii.email", "test fixtures"), kT0);
    QVERIFY(id > 0);
    SuppressionRule wanted = byRule("pii.email");
    wanted.reason = "";
    wanted.expiresMs = kT0 + 86'400'000;
    QVERIFY(writer().run([&](Database& db) {
        return changeSuppression(db, id, wanted, false, "only for a day", "bob", kT0 + 10);
    }));
    auto noReason = writer().run([&](Database& db) {
        return removeSuppression(db, id, " ", "carol", kT0 + 20);
    });
    QCOMPARE(noReason.error().code, std::string("mute.no_reason"));
    QVERIFY(writer().run([&](Database& db) {
        return removeSuppression(db, id, "fixtures are gone", "carol", kT0 + 20);
    }));
    auto again = writer().run([&](Database& db) {
        return removeSuppression(db, id, "twice", "carol", kT0 + 30);
    });
    QCOMPARE(again.error().code, std::string("mute.removed"));

    Database db = reader();
    auto history = suppressionHistory(db, id);
    QVERIFY(history);
    QCOMPARE(history->size(), std::size_t{3});
    const auto& h = *history;
    QCOMPARE(h[0].action, std::string("add"));
    QCOMPARE(h[0].actor, std::string("alice"));
    QCOMPARE(h[0].reason, std::string("test fixtures"));
    QCOMPARE(h[0].atMs, kT0);
    QCOMPARE(h[1].action, std::string("change"));
    QCOMPARE(h[1].actor, std::string("bob"));
    QCOMPARE(h[1].reason, std::string("only for a day"));
    QVERIFY(h[1].ruleJson.find(formatRfc3339Utc(kT0 + 86'400'000)) != std::string::npos);
    QCOMPARE(h[2].action, std::string("remove"));
    QCOMPARE(h[2].actor, std::string("carol"));
    QCOMPARE(h[2].atMs, kT0 + 20);

    auto listed = listSuppressions(db, false);
    QVERIFY(listed && listed->empty());
    auto all = listSuppressions(db, true);
    QVERIFY(all && all->size() == 1);
    QCOMPARE(all->front().removedMs, kT0 + 20);
    QCOMPARE(all->front().reason, std::string("test fixtures")); // the change kept it
    QCOMPARE(suppressionStatus(all->front(), kT0), std::string_view("removed"));
    QVERIFY(!muteScope(db, kT0 + 21)->any);
}

void TestSuppression::historyAndRulesAreNeverDeleted()
{
    QVERIFY(add(byRule("pii.email"), kT0) > 0);
    for (const char* sql : {"DELETE FROM suppressions", "DELETE FROM suppression_history",
                            "UPDATE suppression_history SET actor = 'mallory'"}) {
        auto r = writer().run([&](Database& db) { return db.exec(sql); });
        QVERIFY2(!r, sql);
    }
    Database db = reader();
    QCOMPARE(count(db, "SELECT count(*) FROM suppressions"), 1);
    QCOMPARE(count(db, "SELECT count(*) FROM suppression_history WHERE actor = 'alice'"), 1);
}

void TestSuppression::findingCountsPerRule()
{
    seed();
    const std::int64_t email = add(byRule("pii.email"), kT0);
    SuppressionRule planner = byRule("");
    planner.agent = "planner";
    planner.expiresMs = kT0 - 1; // expired already: still counted by its criteria
    const std::int64_t old = add(planner, kT0);
    Database db = reader();
    auto counts = suppressionFindingCounts(db);
    QVERIFY(counts);
    QCOMPARE((*counts)[email], 3);
    QCOMPARE((*counts)[old], 1);
    auto inRange = suppressionFindingCounts(db, std::pair{kT0 + 500, kT0 + 1500});
    QCOMPARE((*inRange)[email], 1);
}

void TestSuppression::ruleFileRoundTrip()
{
    SuppressionRule a = byRule("pii.email", "test fixtures");
    a.id = 4;
    a.agent = "planner";
    a.field = "details.output";
    a.pattern = "*@example.com";
    a.expiresMs = kT0 + 1000;
    a.createdMs = kT0;
    SuppressionRule all;
    all.reason = "maintenance window";
    all.author = "bob";
    SuppressionRule gone = byRule("secret.aws");
    gone.removedMs = kT0;
    const std::string json = suppressionsToJson({a, all, gone}, kT0, {{4, 12}});
    QVERIFY(json.find("\"findings\":12") != std::string::npos);
    QVERIFY(json.find("\"all\":true") != std::string::npos);
    auto back = suppressionsFromJson(json);
    QVERIFY2(back, back ? "" : back.error().message.c_str());
    QCOMPARE(back->size(), std::size_t{2}); // the removed rule is skipped
    const SuppressionRule& b = back->front();
    QCOMPARE(b.rule, a.rule);
    QCOMPARE(b.agent, a.agent);
    QCOMPARE(b.field, a.field);
    QCOMPARE(b.pattern, a.pattern);
    QCOMPARE(b.reason, a.reason);
    QCOMPARE(b.author, a.author);
    QCOMPARE(b.expiresMs, a.expiresMs);
    QVERIFY(back->at(1).matchesEverything());
}

void TestSuppression::ruleFileRefusals()
{
    struct Case
    {
        const char* json;
        const char* code;
    };
    for (const Case& c : {
             Case{R"({"vigil_mute_rules":1,"rules":[{"reason":"x"}]})", "mute.empty_rule"},
             Case{R"({"vigil_mute_rules":1,"rules":[{"rule":"a","reason":"x","colour":"red"}]})", "mute.file"},
             Case{R"({"vigil_mute_rules":1,"rules":[{"rule":"a"}]})", "mute.no_reason"},
             Case{R"({"vigil_mute_rules":1,"rules":[{"rule":"a","reason":"x","expires":"soon"}]})", "mute.file"},
             Case{R"({"vigil_mute_rules":2,"rules":[]})", "mute.file"},
             Case{R"([1,2])", "mute.file"},
             Case{R"({"rules":[{"rule":1,"reason":"x"}]})", "mute.file"},
         }) {
        auto r = suppressionsFromJson(c.json);
        QVERIFY2(!r, c.json);
        QCOMPARE(r.error().code, std::string(c.code));
    }
    auto ok = suppressionsFromJson(R"({"vigil_mute_rules":1,"rules":[{"reason":"window","all":true}]})");
    QVERIFY(ok && ok->size() == 1);
}

QTEST_GUILESS_MAIN(TestSuppression)
#include "tst_suppression.moc"
