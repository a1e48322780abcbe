// SPDX-License-Identifier: Apache-2.0
// Queries run against a real store: results, saved queries through the writer, the schema-8
// migration, and SQL-injection text in every literal and field position.
#include "testsupport.h"

#include "query/query.h"
#include "query/queryrunner.h"
#include "query/savedqueries.h"
#include "store/storereader.h"
#include "store/storewriter.h"

#include <QTemporaryDir>
#include <QtTest>

#include <sqlite3.h>

#include <condition_variable>
#include <mutex>

using namespace vigil;
using namespace vigil::query;

namespace {

constexpr std::int64_t kT0 = 1795255200000; // 2026-11-21T10:00:00Z

IngestedEvent event(const std::string& type, const std::string& agent, const std::string& thread,
                    std::int64_t ms, EventSeverity sev, const std::string& details)
{
    IngestedEvent ie;
    ie.event.timestampMs = ms;
    ie.event.eventType = type;
    ie.event.kind = eventKindFromType(type);
    ie.event.agentName = agent;
    ie.event.threadId = thread;
    ie.event.severity = sev;
    ie.event.eventId = "ev-" + std::to_string(ms);
    ie.event.detailsJson = details;
    return ie;
}

Finding finding(const std::string& rule, const std::string& category, FindingSeverity sev)
{
    Finding f;
    f.rule = rule;
    f.category = category;
    f.layer = 7;
    f.severity = sev;
    f.field = "details.action";
    f.message = "test finding";
    return f;
}

Result<CommitResult> commit(StoreWriter& w, WriteBatch b)
{
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

/// Seven events: two security events, four tool calls (three denied), one user query whose
/// text is itself an injection attempt.
void fill(StoreWriter& w)
{
    WriteBatch b;
    b.sourceName = "test";
    b.events.push_back(event("security_event", "guard", "t1", kT0 + 1000, EventSeverity::Warning,
                             "{\"type\":\"prompt_injection\",\"details\":\"ignore previous\"}"));
    b.events.push_back(event("tool_call", "sql-writer", "t1", kT0 + 2000, EventSeverity::Info,
                             "{\"action\":\"s3:DeleteObject\",\"resource\":\"arn:aws:s3:::b/k\",\"outcome\":\"denied\"}"));
    b.events.back().findings = {finding("iam.not_granted", "iam", FindingSeverity::High)};
    b.events.push_back(event("tool_call", "sql-writer", "t1", kT0 + 3000, EventSeverity::Info,
                             "{\"action\":\"s3:PutObject\",\"resource\":\"arn:aws:s3:::b/k\",\"outcome\":\"denied\"}"));
    b.events.push_back(event("tool_call", "reporter", "t3", kT0 + 4000, EventSeverity::Info,
                             "{\"action\":\"s3:GetObject\",\"resource\":\"arn:aws:s3:::b/k\",\"outcome\":\"denied\"}"));
    b.events.push_back(event("tool_call", "reporter", "t3", kT0 + 5000, EventSeverity::Info,
                             "{\"action\":\"s3:GetObject\",\"resource\":\"arn:aws:s3:::b/k\",\"outcome\":\"allowed\"}"));
    b.events.push_back(event("security_event", "brain", "t2", kT0 + 6000, EventSeverity::Critical,
                             "{\"type\":\"pii_leak\",\"details\":\"mail bob@example.com now\"}"));
    b.events.back().event.userId = "u-1";
    b.events.back().findings = {finding("pii.email", "pii", FindingSeverity::High),
                                finding("secret.aws", "secret", FindingSeverity::Critical)};
    b.events.back().findings[0].field = "details.details"; // the address, code points 5..20
    b.events.back().findings[0].start = 5;
    b.events.back().findings[0].end = 20;
    b.events.push_back(event("user_query_received", "brain", "t2", kT0 + 7000, EventSeverity::Info,
                             "{\"query\":\"x' OR 1=1 --\"}"));
    auto r = commit(w, std::move(b));
    QVERIFY2(r.has_value(), r ? "" : r.error().message.c_str());
    QCOMPARE(r->accepted, 7);
}

std::string rawScalar(const std::string& path, const char* sql)
{
    sqlite3* db = nullptr;
    sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr);
    sqlite3_stmt* st = nullptr;
    std::string out = "<error>";
    if (sqlite3_prepare_v2(db, sql, -1, &st, nullptr) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
        out = reinterpret_cast<const char*>(sqlite3_column_text(st, 0) ? sqlite3_column_text(st, 0)
                                                                       : reinterpret_cast<const unsigned char*>(""));
    sqlite3_finalize(st);
    sqlite3_close(db);
    return out;
}

bool rawExec(const std::string& path, const char* sql)
{
    sqlite3* db = nullptr;
    if (sqlite3_open(path.c_str(), &db) != SQLITE_OK)
        return false;
    const bool ok = sqlite3_exec(db, sql, nullptr, nullptr, nullptr) == SQLITE_OK;
    sqlite3_close(db);
    return ok;
}

/// Column `c` of every row, as shown.
QByteArrayList column(const QueryResult& r, std::size_t c)
{
    QByteArrayList out;
    for (const auto& row : r.rows)
        out << QByteArray::fromStdString(cellText(r.columns[c].kind, row[c]));
    return out;
}

/// `s` as a double-quoted literal of the language.
std::string literal(const std::string& s, char quote = '"')
{
    std::string out(1, quote);
    for (char c : s) {
        if (c == quote || c == '\\')
            out += '\\';
        out += c;
    }
    return out + quote;
}

} // namespace

class TestQueryRun : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void guideQuery();
    void filtersAndTypes();
    void statsCountGroups();
    void findingsJoin();
    void redactsUnlessAsked();
    void limitCutsAndSays();
    void builtinsRun();
    void injectionInLiterals();
    void injectionInFieldPositions();
    void savedQueriesThroughTheWriter();
    void migratesSchema7();

private:
    QueryResult run(const std::string& text);
    QTemporaryDir m_dir;
    std::string m_path;
    std::optional<StoreReader> m_reader;
};

void TestQueryRun::initTestCase()
{
    QVERIFY(m_dir.isValid());
    m_path = m_dir.filePath(QStringLiteral("q.db")).toStdString();
    auto w = StoreWriter::open(m_path);
    QVERIFY2(w.has_value(), w ? "" : w.error().message.c_str());
    fill(**w);
    (*w)->close();
    auto r = StoreReader::open(m_path);
    QVERIFY(r.has_value());
    m_reader.emplace(std::move(*r));
}

QueryResult TestQueryRun::run(const std::string& text)
{
    auto r = runQueryText(m_reader->database(), text);
    if (!r)
        qWarning("%s: %s", text.c_str(), r.error().message.c_str());
    return r ? *r : QueryResult{};
}

void TestQueryRun::guideQuery()
{
    const QueryResult r = run("fields @timestamp, event_type, agent_name, details\n"
                              "| filter event_type = \"security_event\"\n"
                              "| sort @timestamp desc\n"
                              "| limit 100");
    QCOMPARE(r.columns.size(), std::size_t(4));
    QCOMPARE(column(r, 0), (QByteArrayList{"2026-11-21T10:00:06.000Z", "2026-11-21T10:00:01.000Z"}));
    QCOMPARE(column(r, 2), (QByteArrayList{"brain", "guard"}));
    // Redacted by default, in the stored key order.
    QCOMPARE(column(r, 3).at(0), QByteArray("{\"type\":\"pii_leak\",\"details\":\"mail [REDACTED:pii.email] now\"}"));
    QCOMPARE(column(r, 3).at(1), QByteArray("{\"type\":\"prompt_injection\",\"details\":\"ignore previous\"}"));
    QCOMPARE(r.eventRowIds, (std::vector<std::int64_t>{6, 1}));
    QVERIFY(!r.truncated);
    QVERIFY(!r.aggregate);
}

void TestQueryRun::filtersAndTypes()
{
    QCOMPARE(run("filter thread_id = \"t2\" | fields agent").eventRowIds, (std::vector<std::int64_t>{7, 6}));
    QCOMPARE(run("filter @timestamp >= \"2026-11-21T10:00:05Z\" and @timestamp < \"2026-11-21T11:00:07+01:00\"")
                 .eventRowIds,
             (std::vector<std::int64_t>{6, 5}));
    QCOMPARE(run("filter @timestamp >= 1795255206000").eventRowIds, (std::vector<std::int64_t>{7, 6}));
    QCOMPARE(run("filter details like \"OR 1=1\"").eventRowIds, (std::vector<std::int64_t>{7}));
    QCOMPARE(run("filter details.outcome = \"denied\" and not agent = \"reporter\" | sort @timestamp asc").eventRowIds,
             (std::vector<std::int64_t>{2, 3}));
    QCOMPARE(run("filter agent not like \"er\"").eventRowIds, (std::vector<std::int64_t>{7, 6, 1}));
    // "not equal" keeps events without the optional field.
    QCOMPARE(run("filter user_id != \"u-1\"").eventRowIds.size(), std::size_t(6));
    QCOMPARE(run("filter user_id = \"u-1\"").eventRowIds, (std::vector<std::int64_t>{6}));
    QCOMPARE(run("filter severity >= \"warning\" | fields severity").rows.size(), std::size_t(2));
    QCOMPARE(column(run("filter severity = 3 | fields severity, agent"), 0), QByteArrayList{"critical"});
    QCOMPARE(run("filter agent in [\"guard\", \"brain\"] or (event_type = \"tool_call\" and details.action = "
                 "\"s3:PutObject\")")
                 .eventRowIds,
             (std::vector<std::int64_t>{7, 6, 3, 1}));
    QCOMPARE(column(run("filter event_type = \"tool_call\" | fields details.action | sort @timestamp | limit 1"), 0),
             QByteArrayList{"s3:DeleteObject"});
}

void TestQueryRun::statsCountGroups()
{
    const QueryResult r = run("stats count() by event_type");
    QVERIFY(r.aggregate);
    QVERIFY(r.eventRowIds.empty());
    QCOMPARE(column(r, 0), (QByteArrayList{"tool_call", "security_event", "user_query_received"}));
    QCOMPARE(column(r, 1), (QByteArrayList{"4", "2", "1"}));
    QCOMPARE(column(run("stats count()"), 0), QByteArrayList{"7"});
    const QueryResult s = run("stats count() as n by agent, severity | sort agent asc");
    QCOMPARE(column(s, 0), (QByteArrayList{"brain", "brain", "guard", "reporter", "sql-writer"}));
    QCOMPARE(column(s, 1), (QByteArrayList{"info", "critical", "warning", "info", "info"}));
    QCOMPARE(QString::fromStdString(s.columns[2].name), QStringLiteral("n"));
}

void TestQueryRun::findingsJoin()
{
    const QueryResult r = run("filter finding.category = \"iam\" | fields agent, finding.rule, finding.severity");
    QCOMPARE(r.eventRowIds, (std::vector<std::int64_t>{2}));
    QCOMPARE(column(r, 1), QByteArrayList{"iam.not_granted"});
    QCOMPARE(column(r, 2), QByteArrayList{"high"});
    // One row per finding: event 6 has two.
    QCOMPARE(run("filter finding.severity >= \"high\"").eventRowIds, (std::vector<std::int64_t>{6, 6, 2}));
    QCOMPARE(column(run("source findings | stats count()"), 0), QByteArrayList{"3"});
    const QueryResult c = run("source findings | stats count() by finding.category | sort finding.category");
    QCOMPARE(column(c, 0), (QByteArrayList{"iam", "pii", "secret"}));
}

void TestQueryRun::redactsUnlessAsked()
{
    const std::string text = "fields details.details, details | filter event_type = \"security_event\"";
    auto r = runQueryText(m_reader->database(), text);
    QVERIFY(r);
    QCOMPARE(column(*r, 0), (QByteArrayList{"mail [REDACTED:pii.email] now", "ignore previous"}));
    QVERIFY(!column(*r, 1).at(0).contains("bob@"));
    auto raw = runQueryText(m_reader->database(), text, RunOptions{false});
    QVERIFY(raw);
    QCOMPARE(column(*raw, 0), (QByteArrayList{"mail bob@example.com now", "ignore previous"}));
    QCOMPARE(column(*raw, 1).at(0), QByteArray("{\"type\":\"pii_leak\",\"details\":\"mail bob@example.com now\"}"));
    // A stats group of a details value holding PII in one of its events is not shown.
    auto s = runQueryText(m_reader->database(), "stats count() by details.details | sort details.details");
    QVERIFY(s);
    QCOMPARE(column(*s, 0), (QByteArrayList{"", "ignore previous", "[REDACTED]"}));
    QCOMPARE(column(*s, 1), (QByteArrayList{"5", "1", "1"}));
    auto sr = runQueryText(m_reader->database(), "stats count() by details.details | sort details.details",
                           RunOptions{false});
    QCOMPARE(column(*sr, 0), (QByteArrayList{"", "ignore previous", "mail bob@example.com now"}));
    // Values the scanners found nothing in are shown as stored.
    QCOMPARE(column(run("stats count() by details.type | sort details.type"), 0),
             (QByteArrayList{"", "pii_leak", "prompt_injection"}));
}

void TestQueryRun::limitCutsAndSays()
{
    const QueryResult r = run("filter event_type = \"tool_call\" | limit 2");
    QCOMPARE(r.eventRowIds, (std::vector<std::int64_t>{5, 4}));
    QVERIFY(r.truncated);
    QVERIFY(!run("filter event_type = \"tool_call\" | limit 4").truncated);
}

void TestQueryRun::builtinsRun()
{
    for (const SavedQuery& b : builtinQueries()) {
        auto r = runQueryText(m_reader->database(), b.text);
        QVERIFY2(r.has_value(), (b.name + ": " + (r ? "" : r.error().message)).c_str());
    }
    auto denied = findSavedQuery(m_reader->database(), "denied-tool-calls");
    QVERIFY(denied && denied->has_value());
    const QueryResult d = run((*denied)->text);
    QCOMPARE(column(d, 0), (QByteArrayList{"sql-writer", "reporter"}));
    QCOMPARE(column(d, 1), (QByteArrayList{"2", "1"}));
    QCOMPARE(QString::fromStdString(d.columns[1].name), QStringLiteral("denied"));
    QCOMPARE(run(builtinQueries().front().text).eventRowIds, (std::vector<std::int64_t>{6, 1}));
}

void TestQueryRun::injectionInLiterals()
{
    // A connection that could write: were any text spliced into SQL, it could do harm here.
    auto db = Database::openWriter(m_path);
    QVERIFY(db.has_value());
    const std::vector<std::string> evil{
        "x' OR 1=1 --",
        "x\" OR 1=1 --",
        "'; DROP TABLE events; --",
        "\"); DROP TABLE events; --",
        "') OR ('1'='1",
        "%' OR '%'='",
        "x' UNION SELECT name, sql, 1, 1, 1, 1, 1 FROM sqlite_master --",
        "?1",
        "$.outcome') OR 1=1 --",
        "\\",
    };
    const std::vector<std::string> templates{
        "filter agent = @",         "filter agent != @ | stats count()", "filter event_type in [\"x\", @]",
        "filter details.type = @",  "filter agent like @",               "filter finding.rule = @",
        "filter thread_id = @",     "filter user_id = @",                "filter details.outcome not in [@] and agent = @",
    };
    for (const std::string& s : evil) {
        for (char quote : {'"', '\''}) {
            for (const std::string& t : templates) {
                std::string text;
                for (char c : t)
                    text += c == '@' ? literal(s, quote) : std::string(1, c);
                auto q = compileQuery(text);
                QVERIFY2(q.has_value(), (text + ": " + (q ? "" : q.error().message)).c_str());
                // The text is a parameter, never SQL: it is bound verbatim...
                QVERIFY2(std::any_of(q->params.begin(), q->params.end(),
                                     [&](const Param& p) {
                                         const auto* v = std::get_if<std::string>(&p);
                                         return v && *v == s;
                                     }),
                         text.c_str());
                // ...and nothing of it reaches the statement, which only reads.
                if (s.size() > 2)
                    QVERIFY2(q->sql.find(s) == std::string::npos, text.c_str());
                auto st = SqlStatement::prepare(*db, q->sql);
                QVERIFY(st.has_value());
                QVERIFY(sqlite3_stmt_readonly(st->handle()) != 0);
                auto r = runQuery(*db, *q);
                QVERIFY2(r.has_value(), (text + ": " + (r ? "" : r.error().message)).c_str());
                if (t.starts_with("filter agent != "))
                    QCOMPARE(column(*r, 0), QByteArrayList{"7"}); // every event, as data would have it
                else
                    QVERIFY2(r->rows.empty(), text.c_str());
            }
            // Where a time or a severity is expected, the text is refused as a value.
            for (const char* t : {"filter @timestamp = ", "filter severity = ", "filter finding.severity <= "}) {
                auto q = compileQuery(t + literal(s, quote));
                QVERIFY(!q);
                QCOMPARE(q.error().code, std::string("query.value"));
                QCOMPARE(q.error().column, static_cast<int>(std::string(t).size()) + 1);
            }
            // A number field refuses text.
            auto layer = compileQuery("filter finding.layer = " + literal(s, quote));
            QVERIFY(!layer);
            QCOMPARE(layer.error().code, std::string("query.type"));
        }
    }
    // The injection text stored as data is found as data, exactly.
    auto r = runQueryText(*db, "filter details like " + literal("x' OR 1=1 --"));
    QVERIFY(r);
    QCOMPARE(r->eventRowIds, (std::vector<std::int64_t>{7}));
    QCOMPARE(rawScalar(m_path, "SELECT count(*) FROM events"), std::string("7"));
    QCOMPARE(rawScalar(m_path, "SELECT count(*) FROM sqlite_master WHERE name IN ('events', 'findings', "
                               "'saved_queries')"),
             std::string("3"));
}

void TestQueryRun::injectionInFieldPositions()
{
    auto db = Database::openWriter(m_path);
    QVERIFY(db.has_value());
    const std::string tablesBefore = rawScalar(m_path, "SELECT group_concat(name) FROM sqlite_master");
    const std::vector<std::string> attempts{
        "fields agent; DROP TABLE events",
        "filter agent; DROP TABLE events = \"x\"",
        "sort agent; DROP TABLE events",
        "sort agent desc; DELETE FROM events",
        "stats count() by agent; DROP TABLE events",
        "stats count() as x; DROP by agent",
        "fields details.x'); DROP TABLE events; --",
        "fields details.x\"]",
        "fields details.a b",
        "filter agent = \"x\" --",
        "filter agent = \"x\" | sort agent asc --",
        "fields agent /* x */",
        "fields (SELECT 1)",
        "fields agent, sqlite_master",
        "fields e.id",
        "fields f.rule",
        "filter e.erased = 1",
        "filter 1 = 1",
        "filter agent = agent",
        "filter agent = \"x\" OR 1=1",
        "source events; DROP TABLE events",
        "source sqlite_master",
        "limit 1; DROP TABLE events",
        "limit 1 OR 1=1",
        "limit -1",
        "filter agent = \"x\" | limit (SELECT 1)",
        "fields `agent`",
        "fields [agent]",
        "fields agent\x01",
        "stats count() as \"x\" by agent",
        "stats count() as agent",
        "stats count() by \"agent\"",
        "filter agent = \"x\"; DROP TABLE events",
        "filter agent IN (SELECT agent FROM events)",
    };
    for (const std::string& text : attempts) {
        auto q = compileQuery(text);
        QVERIFY2(!q.has_value(), (text + " compiled to " + (q ? q->sql : std::string())).c_str());
        QVERIFY(q.error().code.starts_with("query."));
        QVERIFY2(q.error().message.find("at column ") != std::string::npos, q.error().message.c_str());
        QVERIFY(q.error().column >= 1 && q.error().column <= static_cast<int>(text.size()) + 1);
        auto r = runQueryText(*db, text);
        QVERIFY(!r.has_value());
        QCOMPARE(r.error().code, q.error().code);
    }
    // A saved query's name is checked before anything is stored.
    auto w = StoreWriter::open(m_path);
    QVERIFY(w);
    auto saved = (*w)->run([](Database& d) {
        return saveQuery(d, "x'; DROP TABLE events; --", "filter agent = \"a\"", "t", 1);
    });
    QVERIFY(!saved);
    QCOMPARE(saved.error().code, std::string("query.bad_name"));
    (*w)->close();
    QCOMPARE(rawScalar(m_path, "SELECT count(*) FROM events"), std::string("7"));
    QCOMPARE(rawScalar(m_path, "SELECT group_concat(name) FROM sqlite_master"), tablesBefore);
}

void TestQueryRun::savedQueriesThroughTheWriter()
{
    auto w = StoreWriter::open(m_path);
    QVERIFY(w);
    const std::string text = "filter agent = " + literal("x' OR 1=1 --") + " | stats count() by agent";
    QVERIFY((*w)->run([&](Database& d) { return saveQuery(d, "mine", text, "alice", 1000); }));
    QVERIFY((*w)->run([&](Database& d) { return saveQuery(d, "a-first", "limit 5", "bob", 2000); }));

    auto list = listSavedQueries(m_reader->database());
    QVERIFY(list);
    const std::size_t nb = builtinQueries().size();
    QCOMPARE(list->size(), nb + 2);
    QVERIFY((*list)[0].builtin);
    QCOMPARE((*list)[nb].name, std::string("a-first")); // saved ones by name, after the built-ins
    QCOMPARE((*list)[nb + 1].name, std::string("mine"));
    QCOMPARE((*list)[nb + 1].text, text); // stored verbatim
    QCOMPARE((*list)[nb + 1].author, std::string("alice"));
    QVERIFY(!(*list)[nb + 1].builtin);

    // Saving under the same name replaces the text.
    QVERIFY((*w)->run([&](Database& d) { return saveQuery(d, "mine", "limit 3", "carol", 3000); }));
    auto found = findSavedQuery(m_reader->database(), "mine");
    QVERIFY(found && found->has_value());
    QCOMPARE((*found)->text, std::string("limit 3"));
    QCOMPARE((*found)->author, std::string("carol"));
    QCOMPARE((*found)->updatedMs, std::int64_t(3000));

    // Refusals: a query that does not compile, a built-in's name; nothing changes.
    auto bad = (*w)->run([](Database& d) { return saveQuery(d, "broken", "filter agnt = \"x\"", "a", 1); });
    QVERIFY(!bad);
    QCOMPARE(bad.error().code, std::string("query.unknown_field"));
    QCOMPARE(bad.error().message, std::string("unknown field 'agnt' at column 8; did you mean 'agent'?"));
    auto builtin = (*w)->run([](Database& d) { return saveQuery(d, "suspicious-activity", "limit 1", "a", 1); });
    QCOMPARE(builtin.error().code, std::string("query.builtin"));
    auto delBuiltin = (*w)->run([](Database& d) { return deleteSavedQuery(d, "suspicious-activity"); });
    QCOMPARE(delBuiltin.error().code, std::string("query.builtin"));

    QVERIFY((*w)->run([](Database& d) { return deleteSavedQuery(d, "mine"); }));
    auto again = (*w)->run([](Database& d) { return deleteSavedQuery(d, "mine"); });
    QCOMPARE(again.error().code, std::string("query.not_found"));
    QCOMPARE(again.error().message, std::string("no saved query is called 'mine'"));
    QVERIFY((*w)->run([](Database& d) { return deleteSavedQuery(d, "a-first"); }));
    (*w)->close();
    QCOMPARE(listSavedQueries(m_reader->database())->size(), nb);
    auto gone = findSavedQuery(m_reader->database(), "mine");
    QVERIFY(gone && !gone->has_value());
}

void TestQueryRun::migratesSchema7()
{
    const std::string p = m_dir.filePath(QStringLiteral("old.db")).toStdString();
    {
        auto w = StoreWriter::open(p);
        QVERIFY(w);
        fill(**w);
        QVERIFY((*w)->run([](Database& d) { return saveQuery(d, "kept", "limit 1", "a", 1); }));
    }
    // What schema 7 wrote: no saved_queries table.
    QVERIFY(rawExec(p, "DROP TABLE saved_queries; PRAGMA user_version=7;"));
    {
        // A reader does not migrate: it sees the built-ins only.
        auto r = StoreReader::open(p);
        QVERIFY2(r.has_value(), r ? "" : r.error().message.c_str());
        QCOMPARE(r->database().userVersion(), 7);
        auto list = listSavedQueries(r->database());
        QVERIFY(list);
        QCOMPARE(list->size(), builtinQueries().size());
        auto none = findSavedQuery(r->database(), "kept");
        QVERIFY(none && !none->has_value());
        QVERIFY(runQueryText(r->database(), "stats count()").has_value());
    }
    {
        auto w = StoreWriter::open(p); // migrates 7 -> 8 and on
        QVERIFY2(w.has_value(), w ? "" : w.error().message.c_str());
        QVERIFY((*w)->run([](Database& d) { return saveQuery(d, "after", "limit 2", "a", 2); }));
    }
    QCOMPARE(rawScalar(p, "PRAGMA user_version"), std::to_string(kSchemaVersion));
    QCOMPARE(rawScalar(p, "SELECT group_concat(name) FROM saved_queries"), std::string("after"));
    QCOMPARE(rawScalar(p, "SELECT count(*) FROM events"), std::string("7"));
    auto r = StoreReader::open(p);
    QVERIFY(r);
    QCOMPARE(listSavedQueries(r->database())->back().name, std::string("after"));
}

QTEST_GUILESS_MAIN(TestQueryRun)
#include "tst_queryrun.moc"
