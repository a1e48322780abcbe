// SPDX-License-Identifier: Apache-2.0
// The SQLite evidence source against the EvidenceQuery contract (the in-memory fake is the
// reference), every shipped evidence rule flipping on evidence committed by the store
// writer, the IAM facts of a policy file, drill-down listings, and the review tables:
// append-only verdicts and stored threat matrices.
#include "testsupport.h"

#include "fakeevidencesource.h"

#include "base/timeutil.h"
#include "iam/policyset.h"
#include "review/checklist.h"
#include "review/checkliststate.h"
#include "review/reviewoutput.h"
#include "review/reviewstore.h"
#include "review/sqliteevidence.h"
#include "review/threatmatrixeditor.h"
#include "store/storereader.h"
#include "store/storewriter.h"

#include <QFile>
#include <QTemporaryDir>
#include <QtTest>

#include <condition_variable>
#include <limits>
#include <mutex>

using namespace vigil;
using test::FakeEvidenceSource;

namespace {

std::string statusName(const EvidenceResult& r)
{
    return std::string(toString(r.status));
}

/// Builds the same evidence in a database (through the store writer) and in the fake.
class Evidence
{
public:
    explicit Evidence(const std::string& path) : m_path(path)
    {
        auto w = StoreWriter::open(path);
        if (!w)
            qFatal("%s", w.error().message.c_str());
        m_writer = std::move(*w);
    }

    /// An event and, with a category, one finding in it (rule `<category>.test` by default).
    void add(const std::string& type, const std::string& agent, std::int64_t ts,
             const std::string& category = {}, const std::string& rule = {})
    {
        m_fake.add(type, agent, ts, category, rule);
        IngestedEvent ie;
        ie.event.timestampMs = ts;
        ie.event.eventType = type;
        ie.event.kind = eventKindFromType(type);
        ie.event.agentName = agent;
        ie.event.threadId = "t-" + std::to_string(++m_seq);
        ie.event.severity = EventSeverity::Info;
        ie.event.detailsJson = R"({"n":1})";
        if (!category.empty()) {
            Finding f;
            f.category = category;
            f.rule = rule.empty() ? category + ".test" : rule;
            f.layer = 4;
            f.severity = FindingSeverity::High;
            f.field = "details.n";
            f.message = "test " + f.rule;
            ie.findings.push_back(f);
        }
        m_batch.events.push_back(std::move(ie));
    }

    /// A rejected line (received now: the quarantine knows no event time nor agent).
    void reject(const std::string& reason = "input.invalid_json")
    {
        m_fake.rejected.push_back({"", nowEpochMs()});
        QuarantinedLine q;
        q.raw = "{not json";
        q.rawBytes = 9;
        q.reason = reason;
        q.message = "not valid JSON";
        q.lineNo = ++m_seq;
        m_batch.rejected.push_back(std::move(q));
    }

    /// Commits what was added since the last commit.
    void commit()
    {
        std::mutex m;
        std::condition_variable cv;
        bool done = false;
        bool ok = false;
        m_batch.sourceName = "test";
        m_batch.onCommitted = [&](const Result<CommitResult>& r) {
            std::lock_guard l(m);
            ok = r.has_value();
            done = true;
            cv.notify_one();
        };
        m_writer->submit(std::move(m_batch));
        m_batch = {};
        std::unique_lock l(m);
        cv.wait(l, [&] { return done; });
        QVERIFY(ok);
    }

    StoreReader reader() const
    {
        auto r = StoreReader::open(m_path);
        if (!r)
            qFatal("%s", r.error().message.c_str());
        return std::move(*r);
    }

    StoreWriter& writer() { return *m_writer; }
    FakeEvidenceSource& fake() { return m_fake; }

private:
    std::string m_path;
    std::unique_ptr<StoreWriter> m_writer;
    WriteBatch m_batch;
    FakeEvidenceSource m_fake;
    int m_seq = 0;
};

const std::vector<EvidenceRule>& shippedRules()
{
    static const auto rules = loadEvidenceRules();
    if (!rules)
        qFatal("%s", rules.error().message.c_str());
    return *rules;
}

const EvidenceRule& shippedRule(const std::string& id)
{
    for (const auto& r : shippedRules())
        if (r.id == id)
            return r;
    qFatal("no rule %s", id.c_str());
}

iam::PolicySet policies(const std::string& json)
{
    auto p = iam::PolicySet::load(json, "test.json");
    if (!p)
        qFatal("%s", p.error().message.c_str());
    return std::move(*p);
}

// A plain string literal: moc misreads "/*" inside raw strings as a comment.
constexpr const char* kWildPolicies =
    "{\n"
    "  \"agents\": {\"brain\": \"brain-role\", \"formatter\": \"formatter-role\", \"sql-writer\": \"formatter-role\"},\n"
    "  \"roles\": {\n"
    "    \"brain-role\": {\"Version\": \"2012-10-17\", \"Statement\": [\n"
    "      {\"Effect\": \"Allow\", \"Action\": \"*\", \"Resource\": \"*\"},\n"
    "      {\"Effect\": \"Allow\", \"Action\": \"dynamodb:Query\", \"Resource\": \"table/agent-checkpoints/index/*\"},\n"
    "      {\"Effect\": \"Deny\", \"Action\": \"s3:*\", \"Resource\": \"*\"}\n"
    "    ]},\n"
    "    \"formatter-role\": {\"Version\": \"2012-10-17\", \"Statement\": [\n"
    "      {\"Effect\": \"Allow\", \"Action\": \"s3:*\", \"Resource\": \"arn:aws:s3:::bucket/out/*\"},\n"
    "      {\"Effect\": \"Allow\", \"NotAction\": \"s3:DeleteObject\", \"Resource\": \"arn:aws:s3:::bucket/x\"}\n"
    "    ]},\n"
    "    \"unused-role\": {\"Version\": \"2012-10-17\", \"Statement\": [\n"
    "      {\"Effect\": \"Allow\", \"Action\": \"s3:GetObject\", \"Resource\": \"arn:aws:s3:::bucket/y\"}\n"
    "    ]}\n"
    "  }\n"
    "}\n";

} // namespace

class TestSqliteEvidence : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init() { QVERIFY(m_dir.isValid()); }
    void countsMatchTheContract_data();
    void countsMatchTheContract();
    void rejectedLinesHaveNoAgent();
    void noFindingsRulesFlip_data();
    void noFindingsRulesFlip();
    void rejectedLinesFailStructuredLogging();
    void classifiedAndPresentRules();
    void namedItemsOnRealEvidence();
    void iamFactsFromPolicyFile();
    void iamRulesOnRealFacts();
    void listingsShowTheRowsBehindAStatus();
    void verdictsPersistAppendOnly();
    void verdictsLoadIntoChecklistState();
    void matricesSeedOnceAndPersist();
    void matrixEditsSaveAndReload();
    void invalidMatrixIsRefused();
    void threatRowsCountStoredFindings();

private:
    std::string path(const QString& name) const { return m_dir.filePath(name).toStdString(); }
    int m_db = 0;
    std::string freshPath() { return path(QStringLiteral("db%1.db").arg(++m_db)); }
    QTemporaryDir m_dir;
};

void TestSqliteEvidence::countsMatchTheContract_data()
{
    QTest::addColumn<QStringList>("categories");
    QTest::addColumn<QStringList>("rules");
    QTest::addColumn<QStringList>("types");
    QTest::addColumn<QString>("agent");
    QTest::addColumn<qint64>("from");
    QTest::addColumn<qint64>("to");
    const qint64 lo = std::numeric_limits<qint64>::min();
    const qint64 hi = std::numeric_limits<qint64>::max();
    QTest::newRow("everything") << QStringList{} << QStringList{} << QStringList{} << QString() << lo << hi;
    QTest::newRow("one category") << QStringList{QStringLiteral("pii")} << QStringList{} << QStringList{} << QString() << lo << hi;
    QTest::newRow("two categories") << QStringList{QStringLiteral("pii"), QStringLiteral("secret")} << QStringList{} << QStringList{} << QString() << lo << hi;
    QTest::newRow("rule only") << QStringList{} << QStringList{QStringLiteral("pii.email")} << QStringList{} << QString() << lo << hi;
    QTest::newRow("category OR rule") << QStringList{QStringLiteral("secret")} << QStringList{QStringLiteral("pii.email")} << QStringList{} << QString() << lo << hi;
    QTest::newRow("event type") << QStringList{QStringLiteral("pii")} << QStringList{} << QStringList{QStringLiteral("worker_result")} << QString() << lo << hi;
    QTest::newRow("two event types") << QStringList{} << QStringList{} << QStringList{QStringLiteral("worker_result"), QStringLiteral("error_occurred")} << QString() << lo << hi;
    QTest::newRow("agent") << QStringList{QStringLiteral("pii")} << QStringList{} << QStringList{} << QStringLiteral("formatter") << lo << hi;
    QTest::newRow("unknown agent") << QStringList{} << QStringList{} << QStringList{} << QStringLiteral("nobody") << lo << hi;
    QTest::newRow("window inclusive") << QStringList{} << QStringList{} << QStringList{} << QString() << qint64(2000) << qint64(3000);
    QTest::newRow("window and all filters") << QStringList{QStringLiteral("pii")} << QStringList{QStringLiteral("injection.override")} << QStringList{QStringLiteral("worker_result"), QStringLiteral("user_query_received")} << QStringLiteral("brain") << qint64(1000) << qint64(2999);
    QTest::newRow("hostile text is a value") << QStringList{QStringLiteral("pii' OR 1=1 --")} << QStringList{} << QStringList{QStringLiteral("x\"); DROP TABLE events; --")} << QStringLiteral("' OR ''='") << lo << hi;
}

void TestSqliteEvidence::countsMatchTheContract()
{
    QFETCH(QStringList, categories);
    QFETCH(QStringList, rules);
    QFETCH(QStringList, types);
    QFETCH(QString, agent);
    QFETCH(qint64, from);
    QFETCH(qint64, to);

    Evidence e(freshPath());
    e.add("worker_result", "formatter", 1000, "pii", "pii.email");
    e.add("worker_result", "formatter", 2000, "pii", "pii.phone");
    e.add("worker_result", "brain", 2000, "secret", "secret.aws_key");
    e.add("user_query_received", "brain", 2999, "injection", "injection.override");
    e.add("user_query_received", "brain", 3000);
    e.add("error_occurred", "sql-writer", 3001, "pii", "pii.email");
    e.add("tool_call", "sql-writer", 4000);
    e.commit();
    StoreReader reader = e.reader();
    SqliteEvidenceSource source(reader.database());

    EvidenceQuery q;
    for (const QString& c : categories)
        q.categories.push_back(c.toStdString());
    for (const QString& r : rules)
        q.rules.push_back(r.toStdString());
    for (const QString& t : types)
        q.eventTypes.push_back(t.toStdString());
    q.agent = agent.toStdString();
    q.fromMs = from;
    q.toMs = to;
    QCOMPARE(source.countFindings(q), e.fake().countFindings(q));
    QCOMPARE(source.countEvents(q), e.fake().countEvents(q));
    QCOMPARE(source.countRejected(q), e.fake().countRejected(q));
    QVERIFY(!source.lastError());
    QVERIFY(source.iam() == nullptr);
}

void TestSqliteEvidence::rejectedLinesHaveNoAgent()
{
    Evidence e(freshPath());
    e.add("tool_call", "brain", 1000);
    e.reject();
    e.reject("input.missing_field");
    e.commit();
    StoreReader reader = e.reader();
    SqliteEvidenceSource source(reader.database());
    QCOMPARE(source.countRejected({}), std::int64_t(2));
    EvidenceQuery scoped;
    scoped.agent = "brain";
    QCOMPARE(source.countRejected(scoped), std::int64_t(0));
    // The window applies to when the line was received.
    EvidenceQuery past;
    past.toMs = 1000;
    QCOMPARE(source.countRejected(past), std::int64_t(0));
    EvidenceQuery recent;
    recent.fromMs = nowEpochMs() - 60'000;
    QCOMPARE(source.countRejected(recent), std::int64_t(2));
    // Rejected lines are never findings.
    QCOMPARE(source.countFindings({}), std::int64_t(0));
}

void TestSqliteEvidence::noFindingsRulesFlip_data()
{
    QTest::addColumn<QString>("rule");
    for (const EvidenceRule& r : shippedRules())
        if (r.kind == EvidenceKind::NoFindings)
            QTest::newRow(r.id.c_str()) << QString::fromStdString(r.id);
}

void TestSqliteEvidence::noFindingsRulesFlip()
{
    QFETCH(QString, rule);
    const EvidenceRule& r = shippedRule(rule.toStdString());
    const std::string type = r.eventTypes.empty() ? std::string("tool_call") : r.eventTypes.front();
    std::string category;
    for (const auto& c : r.categories)
        if (c != kRejectedCategory && category.empty())
            category = c;
    QVERIFY(!category.empty());

    Evidence e(freshPath());
    {
        StoreReader reader = e.reader();
        SqliteEvidenceSource source(reader.database());
        QCOMPARE(statusName(evaluateEvidence(r, source)), std::string("unknown"));
    }
    e.add(type, "formatter", 1000);
    e.commit();
    {
        StoreReader reader = e.reader();
        SqliteEvidenceSource source(reader.database());
        const auto result = evaluateEvidence(r, source);
        QCOMPARE(statusName(result), std::string("pass"));
        QCOMPARE(result.count, std::int64_t(1));
    }
    if (!r.eventTypes.empty()) {
        // A finding of the rule's category in an event the rule does not look at: not a
        // failure of the item, but a threat row linking the category counts it, so the item
        // does not pass either. Its listing finds exactly that finding.
        e.add("some_other_type", "formatter", 1000, category);
        e.commit();
        StoreReader reader = e.reader();
        SqliteEvidenceSource source(reader.database());
        const auto result = evaluateEvidence(r, source);
        QCOMPARE(statusName(result), std::string("unknown"));
        QCOMPARE(result.count, std::int64_t(1));
        QCOMPARE(result.listings.size(), std::size_t(1));
        QCOMPARE(source.countFindings(result.listings[0].query), std::int64_t(1));
    }
    e.add(type, "formatter", 2000, category);
    e.commit();
    StoreReader reader = e.reader();
    SqliteEvidenceSource source(reader.database());
    const auto result = evaluateEvidence(r, source);
    QCOMPARE(statusName(result), std::string("fail"));
    QCOMPARE(result.count, std::int64_t(1));
    // Scoped to another component, the finding is not there.
    QCOMPARE(statusName(evaluateEvidence(r, source, EvidenceScope{"brain"})), std::string("unknown"));
    QVERIFY(evaluateEvidence(r, source, EvidenceScope{"formatter"}).status == EvidenceStatus::Fail);
    QVERIFY(!source.lastError());
}

void TestSqliteEvidence::rejectedLinesFailStructuredLogging()
{
    const EvidenceRule& r = shippedRule("structured_logging");
    Evidence e(freshPath());
    e.add("tool_call", "brain", 1000);
    e.commit();
    {
        StoreReader reader = e.reader();
        SqliteEvidenceSource source(reader.database());
        QCOMPARE(statusName(evaluateEvidence(r, source)), std::string("pass"));
    }
    e.reject();
    e.commit();
    StoreReader reader = e.reader();
    SqliteEvidenceSource source(reader.database());
    const auto result = evaluateEvidence(r, source);
    QCOMPARE(statusName(result), std::string("fail"));
    QCOMPARE(result.count, std::int64_t(1));
    QCOMPARE(result.listings.size(), std::size_t(1));
    QVERIFY(result.listings.front().target == EvidenceTarget::Rejected);
    // A component's run cannot blame it for lines without a readable agent.
    QCOMPARE(statusName(evaluateEvidence(r, source, EvidenceScope{"brain"})), std::string("pass"));
}

void TestSqliteEvidence::classifiedAndPresentRules()
{
    const EvidenceRule& classified = shippedRule("injection_classified");
    const EvidenceRule& errors = shippedRule("errors_logged");
    Evidence e(freshPath());
    {
        StoreReader reader = e.reader();
        SqliteEvidenceSource source(reader.database());
        QCOMPARE(statusName(evaluateEvidence(classified, source)), std::string("unknown"));
        QCOMPARE(statusName(evaluateEvidence(errors, source)), std::string("unknown"));
    }
    e.add("user_query_received", "brain", 1000);
    e.add("user_query_received", "brain", 1100);
    e.add("error_occurred", "sql-writer", 1200);
    e.commit();
    {
        StoreReader reader = e.reader();
        SqliteEvidenceSource source(reader.database());
        auto result = evaluateEvidence(classified, source);
        QCOMPARE(statusName(result), std::string("pass"));
        QCOMPARE(result.count, std::int64_t(2)); // screened queries
        result = evaluateEvidence(errors, source);
        QCOMPARE(statusName(result), std::string("pass"));
        QCOMPARE(result.count, std::int64_t(1));
    }
    e.add("user_query_received", "brain", 1300, "injection", "injection.override");
    e.commit();
    StoreReader reader = e.reader();
    SqliteEvidenceSource source(reader.database());
    const auto result = evaluateEvidence(classified, source);
    QCOMPARE(statusName(result), std::string("pass"));
    QCOMPARE(result.count, std::int64_t(1)); // the classified attempt
    QVERIFY(result.listings.front().target == EvidenceTarget::Findings);
}

void TestSqliteEvidence::namedItemsOnRealEvidence()
{
    auto lists = loadChecklists();
    QVERIFY(lists);
    const auto items = allItems(*lists);
    auto item = [&](const std::string& id) -> const ChecklistItem& {
        for (const auto& i : items)
            if (i.id == id)
                return i;
        qFatal("no item %s", id.c_str());
    };
    Evidence e(freshPath());
    e.add("worker_result", "formatter", 1000);
    e.add("user_query_received", "brain", 1000);
    e.commit();
    {
        StoreReader reader = e.reader();
        SqliteEvidenceSource source(reader.database());
        for (const char* id : {"maestro.4.2", "maestro.4.1", "production.prompt.4", "production.secrets.1", "plugin.output.2"})
            QVERIFY2(evaluateItem(item(id), source).status == EvidenceStatus::Pass, id);
    }
    e.add("worker_result", "formatter", 2000, "pii", "pii.email");
    e.add("worker_result", "formatter", 2000, "log_injection", "log_injection.newline");
    e.add("user_query_received", "brain", 2000, "length", "length.question");
    e.add("worker_result", "formatter", 2000, "secret", "secret.aws_key");
    e.commit();
    StoreReader reader = e.reader();
    SqliteEvidenceSource source(reader.database());
    for (const char* id : {"maestro.4.2", "maestro.4.1", "production.prompt.4", "production.secrets.1", "plugin.output.2"})
        QVERIFY2(evaluateItem(item(id), source).status == EvidenceStatus::Fail, id);
}

void TestSqliteEvidence::iamFactsFromPolicyFile()
{
    const iam::PolicySet p = policies(kWildPolicies);
    const IamFacts facts = iamFactsFrom(p, {"brain", "unmapped"});
    QVERIFY(!facts.hasBoundary);
    QCOMPARE(facts.roleByAgent.size(), std::size_t(3));
    QCOMPARE(facts.roleByAgent.at("sql-writer"), std::string("formatter-role"));
    QCOMPARE(facts.definedRoles, (std::vector<std::string>{"brain-role", "formatter-role", "unused-role"}));
    QCOMPARE(facts.observedAgents, (std::vector<std::string>{"brain", "unmapped"}));
    // Action and Resource "*" in one statement: one grant. Path wildcards, explicit denies
    // and plain grants do not count.
    QCOMPARE(facts.wildcardGrants.size(), std::size_t(3));
    QVERIFY((facts.wildcardGrants[0] == IamGrant{"brain-role", "*", "*"}));
    QVERIFY((facts.wildcardGrants[1] == IamGrant{"formatter-role", "s3:*", "arn:aws:s3:::bucket/out/*"}));
    QVERIFY((facts.wildcardGrants[2] ==
             IamGrant{"formatter-role", "NotAction: s3:DeleteObject", "arn:aws:s3:::bucket/x"}));

    // The shared sample file: one role per agent, a boundary, no wildcard grant.
    QFile f(test::sharedPath(QStringLiteral("samples/labeled-small/policies.json")));
    QVERIFY(f.open(QIODevice::ReadOnly));
    const iam::PolicySet sample = policies(f.readAll().toStdString());
    const IamFacts clean = iamFactsFrom(sample, {});
    QVERIFY(clean.hasBoundary);
    QVERIFY(clean.wildcardGrants.empty());
    QCOMPARE(clean.roleByAgent.size(), std::size_t(4));
}

void TestSqliteEvidence::iamRulesOnRealFacts()
{
    Evidence e(freshPath());
    e.add("tool_call", "brain", 1000);
    e.add("tool_call", "stranger", 1000);
    e.commit();
    StoreReader reader = e.reader();
    const iam::PolicySet p = policies(kWildPolicies);
    SqliteEvidenceSource source(reader.database(), &p);
    QVERIFY(source.iam());
    QCOMPARE(source.iam()->observedAgents, (std::vector<std::string>{"brain", "stranger"}));

    auto wild = evaluateEvidence(shippedRule("iam_no_wildcards"), source);
    QCOMPARE(statusName(wild), std::string("fail"));
    QCOMPARE(wild.count, std::int64_t(3));
    QCOMPARE(wild.subjects.front(), std::string("brain-role: Allow * on *"));
    auto boundary = evaluateEvidence(shippedRule("iam_boundary"), source);
    QCOMPARE(statusName(boundary), std::string("fail"));
    auto roles = evaluateEvidence(shippedRule("iam_role_per_agent"), source);
    QCOMPARE(statusName(roles), std::string("fail")); // a shared role, an agent without one
    QCOMPARE(roles.subjects.size(), std::size_t(2));

    QFile f(test::sharedPath(QStringLiteral("samples/labeled-small/policies.json")));
    QVERIFY(f.open(QIODevice::ReadOnly));
    const iam::PolicySet sample = policies(f.readAll().toStdString());
    SqliteEvidenceSource clean(reader.database(), &sample);
    QCOMPARE(statusName(evaluateEvidence(shippedRule("iam_no_wildcards"), clean)), std::string("pass"));
    QCOMPARE(statusName(evaluateEvidence(shippedRule("iam_boundary"), clean)), std::string("pass"));
    QCOMPARE(statusName(evaluateEvidence(shippedRule("iam_role_per_agent"), clean, EvidenceScope{"brain"})),
             std::string("pass"));
    // Without a policy file, the IAM rules cannot judge.
    SqliteEvidenceSource none(reader.database());
    QCOMPARE(statusName(evaluateEvidence(shippedRule("iam_boundary"), none)), std::string("unknown"));
}

void TestSqliteEvidence::listingsShowTheRowsBehindAStatus()
{
    Evidence e(freshPath());
    e.add("worker_result", "formatter", 1000, "pii", "pii.email");
    e.add("worker_result", "formatter", 3000, "pii", "pii.ssn");
    e.add("tool_call", "brain", 2000, "pii", "pii.phone");
    e.add("tool_call", "brain", 2500);
    e.reject();
    e.commit();
    StoreReader reader = e.reader();
    SqliteEvidenceSource source(reader.database());

    const auto fail = evaluateEvidence(shippedRule("pii_absent_outputs"), source);
    QCOMPARE(statusName(fail), std::string("fail"));
    QCOMPARE(fail.listings.size(), std::size_t(1));
    auto rows = source.list(fail.listings.front(), 100);
    QVERIFY(rows);
    QCOMPARE(static_cast<std::int64_t>(rows->size()), fail.count);
    QCOMPARE(rows->front().rule, std::string("pii.ssn")); // newest first
    QCOMPARE(rows->front().eventType, std::string("worker_result"));
    QVERIFY(rows->front().eventRowId > 0);
    QVERIFY(rows->front().summary.find("pii.ssn") != std::string::npos);
    auto event = reader.event(rows->front().eventRowId);
    QVERIFY(event && *event);
    QCOMPARE((*event)->timestampMs, std::int64_t(3000));
    // Paging.
    auto second = source.list(fail.listings.front(), 1, 1);
    QVERIFY(second);
    QCOMPARE(second->size(), std::size_t(1));
    QCOMPARE(second->front().rule, std::string("pii.email"));

    const auto pass = evaluateEvidence(shippedRule("errors_logged"), source);
    QCOMPARE(statusName(pass), std::string("unknown"));
    const auto logged = evaluateEvidence(shippedRule("schema_valid"), source);
    QCOMPARE(statusName(logged), std::string("pass"));
    rows = source.list(logged.listings.front(), 100);
    QVERIFY(rows);
    QCOMPARE(rows->size(), std::size_t(4));
    QVERIFY(rows->front().target == EvidenceTarget::Events);
    QCOMPARE(rows->front().timestampMs, std::int64_t(3000));

    const auto rejected = evaluateEvidence(shippedRule("schema_valid_inputs"), source);
    QCOMPARE(statusName(rejected), std::string("fail"));
    rows = source.list(rejected.listings.back(), 100);
    QVERIFY(rows);
    QCOMPARE(rows->size(), std::size_t(1));
    QCOMPARE(rows->front().rule, std::string("input.invalid_json"));
    QVERIFY(rows->front().summary.find("{not json") == std::string::npos); // never the raw line
    QVERIFY(source.list(EvidenceListing{EvidenceTarget::Iam, {}, 3}, 10)->empty());
}

void TestSqliteEvidence::verdictsPersistAppendOnly()
{
    const std::string p = freshPath();
    Evidence e(p);
    ReviewStore store(e.writer());
    Verdict v{"maestro.4.2", "formatter", VerdictKind::Pass, "checked the logger", "alice", 1000};
    auto first = store.addVerdict(v);
    QVERIFY(first);
    v.kind = VerdictKind::Fail;
    v.note = "found a leak";
    v.reviewer = "bob";
    v.atMs = 900; // another reviewer's clock: recording order still wins
    auto second = store.addVerdict(v);
    QVERIFY(second);
    QVERIFY(*second > *first);
    QVERIFY(store.addVerdict(Verdict{"maestro.4.2", "", VerdictKind::NotApplicable, "", "carol", 1200}));
    QVERIFY(!store.addVerdict(Verdict{"maestro.4.2", "", VerdictKind::Pass, "", "", 1200})); // no reviewer

    StoreReader reader = e.reader();
    auto history = ReviewStore::verdictHistory(reader.database(), "maestro.4.2", "formatter");
    QVERIFY(history);
    QCOMPARE(history->size(), std::size_t(2));
    QCOMPARE(history->at(0).verdict.reviewer, std::string("alice"));
    QVERIFY(history->at(1).verdict.kind == VerdictKind::Fail);
    QCOMPARE(history->at(1).verdict.note, std::string("found a leak"));
    QCOMPARE(history->at(1).verdict.atMs, std::int64_t(900));
    auto system = ReviewStore::verdictHistory(reader.database(), "maestro.4.2", "");
    QVERIFY(system);
    QCOMPARE(system->size(), std::size_t(1));
    auto components = ReviewStore::verdictComponents(reader.database());
    QVERIFY(components);
    QCOMPARE(*components, std::vector<std::string>{"formatter"});

    // No way to edit or remove history, not even with SQL on the writer.
    for (const char* sql : {"UPDATE verdicts SET kind = 'pass'", "DELETE FROM verdicts"}) {
        auto r = e.writer().run([sql](Database& db) { return db.exec(sql); });
        QVERIFY2(!r, sql);
        QVERIFY(r.error().message.find("append-only") != std::string::npos);
    }
    history = ReviewStore::verdictHistory(reader.database(), "maestro.4.2", "formatter");
    QCOMPARE(history->size(), std::size_t(2));
    QVERIFY(history->at(1).verdict.kind == VerdictKind::Fail);

    // The asynchronous path reports the id on the writer thread.
    std::mutex m;
    std::condition_variable cv;
    std::optional<Result<std::int64_t>> posted;
    QVERIFY(store.postVerdict(Verdict{"production.iam.3", "", VerdictKind::Pass, "ok", "dave", 5},
                              [&](const Result<std::int64_t>& r) {
                                  std::lock_guard l(m);
                                  posted = r;
                                  cv.notify_one();
                              }));
    std::unique_lock l(m);
    cv.wait(l, [&] { return posted.has_value(); });
    QVERIFY(*posted);
    QVERIFY(**posted > *second);
}

void TestSqliteEvidence::verdictsLoadIntoChecklistState()
{
    Evidence e(freshPath());
    e.add("worker_result", "formatter", 1000, "pii", "pii.email");
    e.commit();
    ReviewStore store(e.writer());
    QVERIFY(store.addVerdict(Verdict{"maestro.4.2", "formatter", VerdictKind::Fail, "", "alice", 10}));
    QVERIFY(store.addVerdict(Verdict{"maestro.4.2", "formatter", VerdictKind::Pass, "false positive", "bob", 20}));
    QVERIFY(store.addVerdict(Verdict{"production.iam.1", "formatter", VerdictKind::Pass, "", "bob", 20}));

    auto maestro = loadChecklist("maestro");
    QVERIFY(maestro);
    StoreReader reader = e.reader();
    SqliteEvidenceSource source(reader.database());
    ChecklistState state(maestro->items, "formatter");
    state.evaluate(source);
    QVERIFY(ReviewStore::loadVerdicts(reader.database(), state)); // skips the production item
    auto s = state.state("maestro.4.2");
    QVERIFY(s);
    QVERIFY(s->automatic.status == EvidenceStatus::Fail);
    QVERIFY(s->verdict && s->verdict->kind == VerdictKind::Pass);
    QCOMPARE(s->verdictCount, std::size_t(2));
    QVERIFY(s->conflict); // verdict pass over failing evidence
}

void TestSqliteEvidence::matricesSeedOnceAndPersist()
{
    Evidence e(freshPath());
    ReviewStore store(e.writer());
    {
        StoreReader reader = e.reader();
        QVERIFY(ReviewStore::matrices(reader.database())->empty());
        QVERIFY(!*ReviewStore::isSeeded(reader.database()));
    }
    auto created = store.seedTemplates();
    QVERIFY(created);
    QCOMPARE(*created, 2);
    QCOMPARE(*store.seedTemplates(), 0);
    StoreReader reader = e.reader();
    QVERIFY(*ReviewStore::isSeeded(reader.database()));
    auto stored = ReviewStore::matrices(reader.database());
    QVERIFY(stored);
    QCOMPARE(stored->size(), std::size_t(2));
    auto templates = loadThreatTemplates();
    QVERIFY(templates);
    for (std::size_t i = 0; i < 2; ++i) {
        QVERIFY((stored->at(i).matrix == createMatrixFromTemplate(templates->at(i), templates->at(i).name)));
        QVERIFY(stored->at(i).updatedMs > 0);
    }
    // Deleted matrices do not come back: seeding happens once per database.
    QVERIFY(store.deleteMatrix(stored->at(0).id));
    QVERIFY(store.deleteMatrix(stored->at(1).id));
    QVERIFY(!store.deleteMatrix(stored->at(1).id));
    QCOMPARE(*store.seedTemplates(), 0);
    QVERIFY(ReviewStore::matrices(reader.database())->empty());
}

void TestSqliteEvidence::matrixEditsSaveAndReload()
{
    Evidence e(freshPath());
    ReviewStore store(e.writer());
    auto tpl = loadThreatTemplate("maestro");
    QVERIFY(tpl);
    ThreatMatrixEditor editor(createMatrixFromTemplate(*tpl, "Formatter plugin", "formatter"));
    auto id = store.saveMatrix(0, editor.matrix());
    QVERIFY(id);
    QVERIFY(editor.apply(SetThreatField{1, ThreatField::Severity, "CRITICAL"}));
    QVERIFY(editor.apply(MoveThreatRow{0, 6}));
    ThreatRow extra;
    extra.layer = 6;
    extra.component = "Vault";
    extra.threat = "Key reuse";
    extra.links = {"secret", "pii.email"};
    QVERIFY(editor.apply(AddThreatRow{0, extra}));
    QVERIFY(editor.apply(DeleteThreatRow{3}));
    QVERIFY(editor.undo());
    QVERIFY(store.saveMatrix(*id, editor.matrix()));

    StoreReader reader = e.reader();
    auto loaded = ReviewStore::matrix(reader.database(), *id);
    QVERIFY(loaded && *loaded);
    QVERIFY(((*loaded)->matrix == editor.matrix()));
    QCOMPARE((*loaded)->matrix.rows.size(), std::size_t(8));
    QCOMPARE((*loaded)->matrix.rows.front().threat, std::string("Key reuse"));
    QVERIFY((*loaded)->matrix.rows[1].severity == ThreatSeverity::Critical);
    QCOMPARE((*loaded)->matrix.rows.back().threat, std::string("Prompt inj."));
    QVERIFY(!*ReviewStore::matrix(reader.database(), *id + 100));
    QVERIFY(!store.saveMatrix(*id + 100, editor.matrix())); // no such matrix
}

void TestSqliteEvidence::invalidMatrixIsRefused()
{
    Evidence e(freshPath());
    ReviewStore store(e.writer());
    ThreatMatrix m = createBlankMatrix("Blank");
    QVERIFY(store.saveMatrix(0, m)); // no rows is fine
    m.rows.push_back(ThreatRow{});   // empty component and threat
    auto r = store.saveMatrix(0, m);
    QVERIFY(!r);
    QVERIFY2(r.error().message.find("row 1") != std::string::npos, r.error().message.c_str());
    StoreReader reader = e.reader();
    QCOMPARE(ReviewStore::matrices(reader.database())->size(), std::size_t(1));
}

void TestSqliteEvidence::threatRowsCountStoredFindings()
{
    Evidence e(freshPath());
    e.add("user_query_received", "brain", 1000, "injection", "injection.override");
    e.add("worker_result", "formatter", 1000, "secret", "secret.aws_key");
    e.add("worker_result", "formatter", 1000, "schema", "schema.type");
    e.reject();
    e.commit();
    ReviewStore store(e.writer());
    QCOMPARE(*store.seedTemplates(), 2);
    auto tpl = loadThreatTemplate("maestro");
    QVERIFY(store.saveMatrix(0, createMatrixFromTemplate(*tpl, "Formatter", "formatter")));
    StoreReader reader = e.reader();
    SqliteEvidenceSource source(reader.database());
    auto stored = ReviewStore::matrices(reader.database());
    QVERIFY(stored);
    const auto rows = threatOutputRows(ReviewStore::plain(*stored), source);
    auto count = [&](const std::string& matrix, const std::string& threat) -> std::int64_t {
        for (const auto& r : rows)
            if (r.matrix == matrix && r.row.threat == threat)
                return r.findings;
        return -1;
    };
    QCOMPARE(count("MAESTRO threat matrix", "Prompt inj."), std::int64_t(1));
    QCOMPARE(count("MAESTRO threat matrix", "Type confusion"), std::int64_t(2)); // schema + rejected
    QCOMPARE(count("MAESTRO threat matrix", "Secret exposure"), std::int64_t(1));
    QCOMPARE(count("Formatter", "Prompt inj."), std::int64_t(0));   // the brain's, not the formatter's
    QCOMPARE(count("Formatter", "Type confusion"), std::int64_t(1)); // rejected lines have no agent
    QVERIFY(!source.lastError());
}

QTEST_GUILESS_MAIN(TestSqliteEvidence)
#include "tst_sqliteevidence.moc"
