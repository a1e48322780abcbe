// SPDX-License-Identifier: Apache-2.0
// The query language's compiler: SQL and bound parameters of valid queries, and every
// error with its code and position.
#include "testsupport.h"

#include "query/query.h"
#include "query/savedqueries.h"

#include <QtTest>

using namespace vigil;
using namespace vigil::query;

Q_DECLARE_METATYPE(std::string)

namespace {

QByteArray show(const Param& p)
{
    if (const auto* n = std::get_if<std::int64_t>(&p))
        return QByteArray::number(static_cast<qlonglong>(*n));
    if (const auto* d = std::get_if<double>(&p))
        return QByteArray::number(*d);
    return '"' + QByteArray::fromStdString(std::get<std::string>(p)) + '"';
}

QByteArrayList show(const std::vector<Param>& params)
{
    QByteArrayList out;
    for (const Param& p : params)
        out << show(p);
    return out;
}

QByteArrayList names(const std::vector<Column>& cols)
{
    QByteArrayList out;
    for (const Column& c : cols)
        out << QByteArray::fromStdString(c.name);
    return out;
}

} // namespace

class TestQuery : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void compiles_data();
    void compiles();
    void columnsAndKinds();
    void errorsCarryTheirPosition_data();
    void errorsCarryTheirPosition();
    void columnCountsCharactersNotBytes();
    void limitsAreBounded();
    void isoTimes();
    void builtinsCompile();
    void queryNames();
    void completionLists();
};

void TestQuery::compiles_data()
{
    QTest::addColumn<QString>("query");
    QTest::addColumn<QString>("sql");
    QTest::addColumn<QByteArrayList>("params");

    QTest::newRow("guide 6.3")
        << "fields @timestamp, event_type, agent_name, details | filter event_type = \"security_event\" "
           "| sort @timestamp desc | limit 100"
        << "SELECT e.id, e.finding_mask, e.ts, e.event_type, e.agent, e.details FROM events e WHERE e.erased = 0 "
           "AND (e.event_type = ?1) ORDER BY e.ts DESC, e.id DESC LIMIT ?2"
        << QByteArrayList{"\"security_event\"", "101"};
    QTest::newRow("guide 6.3 on four lines")
        << "fields @timestamp, event_type, agent_name, details\n| filter event_type = \"security_event\"\n"
           "| sort @timestamp desc\n| limit 100"
        << "SELECT e.id, e.finding_mask, e.ts, e.event_type, e.agent, e.details FROM events e WHERE e.erased = 0 "
           "AND (e.event_type = ?1) ORDER BY e.ts DESC, e.id DESC LIMIT ?2"
        << QByteArrayList{"\"security_event\"", "101"};
    QTest::newRow("default columns, default limit")
        << "filter agent = 'sql-writer'"
        << "SELECT e.id, e.finding_mask, e.ts, e.event_type, e.agent, e.severity, e.thread_id, e.details FROM events e "
           "WHERE e.erased = 0 AND (e.agent = ?1) ORDER BY e.ts DESC, e.id DESC LIMIT ?2"
        << QByteArrayList{"\"sql-writer\"", "1001"};
    QTest::newRow("and, or, not, parentheses, severity by name, stats by")
        << "filter agent = \"a\" and (severity >= \"warning\" or not user_id = \"u\") | stats count() by agent"
        << "SELECT e.agent, count(*) FROM events e WHERE e.erased = 0 AND ((e.agent = ?1) AND "
           "((e.severity >= ?2) OR (NOT (e.user_id = ?3)))) GROUP BY e.agent ORDER BY count(*) DESC, "
           "e.agent ASC LIMIT ?4"
        << QByteArrayList{"\"a\"", "1", "\"u\"", "1001"};
    QTest::newRow("time, details path, not in, like")
        << "filter @timestamp >= \"2026-11-21T10:00:00Z\" and details.outcome = \"denied\" and agent not in "
           "[\"x\", \"y\"] and details like \"DROP\""
        << "SELECT e.id, e.finding_mask, e.ts, e.event_type, e.agent, e.severity, e.thread_id, e.details FROM events e "
           "WHERE e.erased = 0 AND ((((e.ts >= ?1) AND (json_extract(CASE WHEN json_valid(e.details) "
           "THEN e.details END, ?2) = ?3)) AND (e.agent NOT IN (?4, ?5))) AND (instr(coalesce(CAST("
           "e.details AS TEXT), ''), ?6) > 0)) ORDER BY e.ts DESC, e.id DESC LIMIT ?7"
        << QByteArrayList{"1795255200000", "\"$.outcome\"", "\"denied\"", "\"x\"", "\"y\"", "\"DROP\"", "1001"};
    QTest::newRow("one parameter per details path")
        << "filter details.a = 1 or details.a = 2.5 | fields details.a | sort details.a"
        << "SELECT e.id, e.finding_mask, json_extract(CASE WHEN json_valid(e.details) THEN e.details END, ?1) FROM events e "
           "WHERE e.erased = 0 AND ((json_extract(CASE WHEN json_valid(e.details) THEN e.details END, ?1) = ?2) "
           "OR (json_extract(CASE WHEN json_valid(e.details) THEN e.details END, ?1) = ?3)) ORDER BY "
           "json_extract(CASE WHEN json_valid(e.details) THEN e.details END, ?1) ASC, e.id DESC LIMIT ?4"
        << QByteArrayList{"\"$.a\"", "1", "2.5", "1001"};
    QTest::newRow("finding fields join findings")
        << "filter finding.category = \"iam\" | fields agent, finding.rule"
        << "SELECT e.id, e.finding_mask, e.agent, f.rule FROM findings f JOIN events e ON e.id = f.event_rowid WHERE "
           "f.category <> 'rejected' AND e.erased = 0 AND (f.category = ?1) ORDER BY e.ts DESC, e.id DESC, "
           "f.id DESC LIMIT ?2"
        << QByteArrayList{"\"iam\"", "1001"};
    QTest::newRow("source findings, count alone")
        << "source findings | stats count()"
        << "SELECT count(*) FROM findings f JOIN events e ON e.id = f.event_rowid WHERE f.category <> "
           "'rejected' AND e.erased = 0 LIMIT ?1"
        << QByteArrayList{"1001"};
    QTest::newRow("thread through its number")
        << "filter thread_id = \"t-1\""
        << "SELECT e.id, e.finding_mask, e.ts, e.event_type, e.agent, e.severity, e.thread_id, e.details FROM events e "
           "WHERE e.erased = 0 AND (e.thread_no = (SELECT id FROM threads WHERE thread_id = ?1)) "
           "ORDER BY e.ts DESC, e.id DESC LIMIT ?2"
        << QByteArrayList{"\"t-1\"", "1001"};
    QTest::newRow("!= on an optional field keeps absent values, severity names of findings")
        << "filter user_id != \"u\" and finding.severity in [\"high\", 3] | stats count(*) as n by "
           "finding.rule | sort n asc | limit 5"
        << "SELECT f.rule, count(*) FROM findings f JOIN events e ON e.id = f.event_rowid WHERE "
           "f.category <> 'rejected' AND e.erased = 0 AND ((e.user_id IS NOT ?1) AND (f.severity IN (?2, ?3))) "
           "GROUP BY f.rule ORDER BY count(*) ASC, f.rule ASC LIMIT ?4"
        << QByteArrayList{"\"u\"", "2", "3", "6"};
    QTest::newRow("escapes in strings, == and <>")
        << "filter agent == \"a\\\"b\\\\\" and event_type <> 'it\\'s'"
        << "SELECT e.id, e.finding_mask, e.ts, e.event_type, e.agent, e.severity, e.thread_id, e.details FROM events e "
           "WHERE e.erased = 0 AND ((e.agent = ?1) AND (e.event_type != ?2)) ORDER BY e.ts DESC, e.id DESC "
           "LIMIT ?3"
        << QByteArrayList{"\"a\"b\\\"", "\"it's\"", "1001"};
    QTest::newRow("keywords in any case, several filters, sort on two fields")
        << "FILTER severity > 0 | Filter agent = \"a\" | SORT agent DESC, @timestamp"
        << "SELECT e.id, e.finding_mask, e.ts, e.event_type, e.agent, e.severity, e.thread_id, e.details FROM events e "
           "WHERE e.erased = 0 AND (e.severity > ?1) AND (e.agent = ?2) ORDER BY e.agent DESC, e.ts ASC, "
           "e.id DESC LIMIT ?3"
        << QByteArrayList{"0", "\"a\"", "1001"};
}

void TestQuery::compiles()
{
    QFETCH(QString, query);
    QFETCH(QString, sql);
    QFETCH(QByteArrayList, params);
    auto q = compileQuery(query.toStdString());
    QVERIFY2(q.has_value(), q ? "" : q.error().message.c_str());
    QCOMPARE(QString::fromStdString(q->sql), sql);
    QCOMPARE(show(q->params), params);
    // No value of the query is ever part of the SQL text.
    for (const Param& p : q->params)
        if (const auto* s = std::get_if<std::string>(&p); s && s->size() > 2)
            QVERIFY2(q->sql.find(*s) == std::string::npos, s->c_str());
}

void TestQuery::columnsAndKinds()
{
    auto q = compileQuery("fields @timestamp, event_type, agent_name, details | limit 100");
    QVERIFY(q);
    QCOMPARE(names(q->columns), (QByteArrayList{"@timestamp", "event_type", "agent_name", "details"}));
    QCOMPARE(q->columns[0].kind, ValueKind::Timestamp);
    QVERIFY(!q->aggregate);
    QVERIFY(!q->findings);
    QCOMPARE(q->limit, 100);

    auto s = compileQuery("stats count() as denied by agent, details.action");
    QVERIFY(s);
    QCOMPARE(names(s->columns), (QByteArrayList{"agent", "details.action", "denied"}));
    QCOMPARE(s->columns[1].kind, ValueKind::Json);
    QCOMPARE(s->columns[2].kind, ValueKind::Count);
    QVERIFY(s->aggregate);

    auto f = compileQuery("source findings");
    QVERIFY(f);
    QVERIFY(f->findings);
    QCOMPARE(names(f->columns), (QByteArrayList{"@timestamp", "event_type", "agent", "severity", "finding.rule",
                                             "finding.category", "finding.severity", "finding.field"}));
}

void TestQuery::errorsCarryTheirPosition_data()
{
    QTest::addColumn<QString>("query");
    QTest::addColumn<QString>("code");
    QTest::addColumn<int>("column");
    QTest::addColumn<QString>("message");

    QTest::newRow("unknown field, with suggestion")
        << "fields @timestamp | filter agnt = \"x\"" << "query.unknown_field" << 28
        << "unknown field 'agnt' at column 28; did you mean 'agent'?";
    QTest::newRow("unknown field, no suggestion")
        << "fields zzzzzzzz" << "query.unknown_field" << 8 << "unknown field 'zzzzzzzz' at column 8";
    QTest::newRow("unknown finding field")
        << "fields finding.x" << "query.unknown_field" << 8
        << "unknown field 'finding.x' at column 8; finding fields are finding.rule, finding.category, "
           "finding.severity, finding.layer, finding.field, finding.message";
    QTest::newRow("unknown command")
        << "fields agent | filtr agent = \"a\"" << "query.unknown_command" << 16
        << "unknown command 'filtr' at column 16; did you mean 'filter'?";
    QTest::newRow("number for a text field")
        << "filter agent = 5" << "query.type" << 16 << "'agent' is text: write the value in quotes, \"5\" at column 16";
    QTest::newRow("unknown severity")
        << "filter severity = \"urgent\"" << "query.value" << 19
        << "bad severity string \"urgent\" for 'severity' (one of info, warning, error, critical) at column 19";
    QTest::newRow("severity out of range")
        << "filter finding.severity = 7" << "query.value" << 27
        << "bad severity '7' for 'finding.severity' (one of low, medium, high, critical) at column 27";
    QTest::newRow("bad time")
        << "filter @timestamp > \"yesterday\"" << "query.value" << 21
        << "bad time \"yesterday\" for '@timestamp' (use ISO-8601, e.g. \"2026-11-21T10:00:00Z\") at column 21";
    QTest::newRow("text for a number")
        << "filter finding.layer = \"3\"" << "query.type" << 24
        << "'finding.layer' is a whole number; found string \"3\" at column 24";
    QTest::newRow("unclosed string")
        << "filter agent = \"x" << "query.syntax" << 16 << "string not closed (started at column 16)";
    QTest::newRow("bad escape")
        << "filter agent = \"a\\qb\"" << "query.syntax" << 18
        << "unknown escape '\\q' in a string (use \\\", \\', \\\\, \\n or \\t) at column 18";
    QTest::newRow("trailing pipe")
        << "filter agent = \"x\" |" << "query.syntax" << 21
        << "expected a command (fields, filter, sort, limit, stats, source), found the end of the query at column 21";
    QTest::newRow("empty")
        << "   " << "query.syntax" << 4 << "the query is empty (start with a command such as 'filter') at column 4";
    QTest::newRow("missing parenthesis")
        << "filter (agent = \"x\"" << "query.syntax" << 20 << "expected ')', found the end of the query at column 20";
    QTest::newRow("unexpected character")
        << "filter agent ~ \"x\"" << "query.syntax" << 14 << "unexpected character '~' at column 14";
    QTest::newRow("semicolon")
        << "fields agent; DROP TABLE events" << "query.syntax" << 13 << "unexpected character ';' at column 13";
    QTest::newRow("missing operator")
        << "filter agent \"x\"" << "query.syntax" << 14
        << "expected a comparison (=, !=, <, <=, >, >=, like, in) after 'agent', found string \"x\" at column 14";
    QTest::newRow("lone !")
        << "filter agent ! \"x\"" << "query.syntax" << 14 << "'!' must be followed by '=' (write !=) at column 14";
    QTest::newRow("like on a number field")
        << "filter severity like \"x\"" << "query.type" << 17
        << "'like' needs a text field; 'severity' is not text at column 17";
    QTest::newRow("like without a string")
        << "filter agent like 5" << "query.syntax" << 19 << "'like' takes a \"string\" to look for, found '5' at column 19";
    QTest::newRow("not without like or in")
        << "filter agent not = \"x\"" << "query.syntax" << 18
        << "expected 'like' or 'in' after 'not', found '=' at column 18";
    QTest::newRow("in without list")
        << "filter agent in \"x\"" << "query.syntax" << 17 << "expected '[' after 'in', found string \"x\" at column 17";
    QTest::newRow("in list unclosed")
        << "filter agent in [\"x\" \"y\"]" << "query.syntax" << 22 << "expected ',' or ']', found string \"y\" at column 22";
    QTest::newRow("string as a field")
        << "filter \"agent\" = \"x\"" << "query.syntax" << 8 << "expected a field name, found string \"agent\" at column 8";
    QTest::newRow("bad details path")
        << "fields details.a..b" << "query.syntax" << 8
        << "bad path 'details.a..b': each key after 'details.' is letters, digits or '_' at column 8";
    QTest::newRow("number into letters")
        << "limit 10x" << "query.syntax" << 7 << "a number cannot run into letters ('10x') at column 7";
    QTest::newRow("limit zero") << "limit 0" << "query.limit" << 7 << "limit 0 is outside 1..100000 at column 7";
    QTest::newRow("limit too large")
        << "filter agent = \"a\" | limit 100001" << "query.limit" << 28 << "limit 100001 is outside 1..100000 at column 28";
    QTest::newRow("limit not a number")
        << "limit \"5\"" << "query.syntax" << 7 << "'limit' takes a whole number, found string \"5\" at column 7";
    QTest::newRow("field twice")
        << "fields agent, severity, agent_name" << "query.syntax" << 25 << "'agent_name' is listed twice at column 25";
    QTest::newRow("group twice")
        << "stats count() by agent, agent" << "query.syntax" << 25 << "'agent' is listed twice at column 25";
    QTest::newRow("command twice") << "sort agent | sort agent" << "query.syntax" << 14 << "'sort' given twice at column 14";
    QTest::newRow("filter after stats")
        << "stats count() by agent | filter agent = \"a\"" << "query.syntax" << 26
        << "'filter' after 'stats' is not supported; filter first at column 26";
    QTest::newRow("filter after sort")
        << "sort agent | filter agent = \"a\"" << "query.syntax" << 14
        << "'filter' must come before 'sort' and 'limit' at column 14";
    QTest::newRow("fields with stats")
        << "fields agent | stats count()" << "query.syntax" << 16 << "'stats' cannot be combined with 'fields' at column 16";
    QTest::newRow("sort after stats by another field")
        << "stats count() by agent | sort severity" << "query.syntax" << 31
        << "after 'stats', sort by 'count' or a field of its 'by' list, not 'severity' at column 31";
    QTest::newRow("stats other than count")
        << "stats sum(severity)" << "query.syntax" << 7 << "'stats' supports count() only, found 'sum' at column 7";
    QTest::newRow("count with an argument")
        << "stats count(agent)" << "query.syntax" << 13 << "count() takes no argument; found 'agent' at column 13";
    QTest::newRow("source not first")
        << "filter agent = \"a\" | source findings" << "query.syntax" << 22 << "'source' must be the first command at column 22";
    QTest::newRow("source of something else")
        << "source incidents" << "query.syntax" << 8 << "'source' takes 'events' or 'findings', found 'incidents' at column 8";
    QTest::newRow("two commands without a pipe")
        << "filter agent = \"a\" limit 5" << "query.syntax" << 20
        << "unexpected 'limit' in 'filter' (commands are separated by '|') at column 20";
}

void TestQuery::errorsCarryTheirPosition()
{
    QFETCH(QString, query);
    QFETCH(QString, code);
    QFETCH(int, column);
    QFETCH(QString, message);
    const std::string text = query.toStdString();
    auto q = compileQuery(text);
    QVERIFY(!q.has_value());
    QCOMPARE(QString::fromStdString(q.error().code), code);
    QCOMPARE(QString::fromStdString(q.error().message), message);
    QCOMPARE(q.error().column, column);
    QCOMPARE(static_cast<int>(q.error().offset), column - 1); // ASCII: bytes are characters
    QVERIFY(q.error().length >= 1);
}

void TestQuery::columnCountsCharactersNotBytes()
{
    auto bad = compileQuery("filter agent = \"\xff\"");
    QVERIFY(!bad);
    QCOMPARE(bad.error().code, std::string("query.syntax"));
    QCOMPARE(bad.error().message, std::string("the query is not valid UTF-8"));
    QCOMPARE(bad.error().column, 1);

    // "é" is two bytes: the column counts it once, the offset twice.
    const std::string text = "filter agent = \"\xc3\xa9\" and agnt = \"x\"";
    auto q = compileQuery(text);
    QVERIFY(!q);
    QCOMPARE(q.error().column, 24);
    QCOMPARE(q.error().offset, std::size_t(24));
    QCOMPARE(q.error().length, std::size_t(4));
    QCOMPARE(q.error().message, std::string("unknown field 'agnt' at column 24; did you mean 'agent'?"));
}

void TestQuery::limitsAreBounded()
{
    std::string longQuery = "filter agent = \"" + std::string(kMaxQueryBytes, 'a') + "\"";
    auto q = compileQuery(longQuery);
    QVERIFY(!q);
    QCOMPARE(q.error().code, std::string("query.too_long"));
    QCOMPARE(q.error().column, 1);
    QCOMPARE(q.error().message, "the query is " + std::to_string(longQuery.size()) +
                                    " bytes long; the limit is 4096");

    std::string deep = "filter " + std::string(40, '(') + "agent = \"a\"" + std::string(40, ')');
    auto d = compileQuery(deep);
    QVERIFY(!d);
    QCOMPARE(d.error().code, std::string("query.limit"));
    QCOMPARE(d.error().message, std::string("the filter nests deeper than 32 levels at column 41"));
    // 32 levels are fine.
    QVERIFY(compileQuery("filter " + std::string(32, '(') + "agent = \"a\"" + std::string(32, ')')));

    std::string many = "filter agent in [";
    for (int i = 0; i <= kMaxInValues; ++i)
        many += (i ? ", \"" : "\"") + std::to_string(i) + "\"";
    many += "]";
    auto m = compileQuery(many);
    QVERIFY(!m);
    QCOMPARE(m.error().code, std::string("query.limit"));
    QVERIFY(m.error().message.starts_with("an 'in' list holds at most 256 values at column "));

    auto max = compileQuery("limit 100000");
    QVERIFY(max);
    QCOMPARE(max->limit, kMaxLimit);
    QCOMPARE(show(max->params), QByteArrayList{"100001"});
}

void TestQuery::isoTimes()
{
    QCOMPARE(parseIsoTime("2026-11-21T10:00:00Z"), std::optional<std::int64_t>(1795255200000));
    QCOMPARE(parseIsoTime("2026-11-21T10:00:00.250Z"), std::optional<std::int64_t>(1795255200250));
    QCOMPARE(parseIsoTime("2026-11-21T10:00:00"), std::optional<std::int64_t>(1795255200000));
    QCOMPARE(parseIsoTime("2026-11-21T10:00"), std::optional<std::int64_t>(1795255200000));
    QCOMPARE(parseIsoTime("2026-11-21"), std::optional<std::int64_t>(1795219200000));
    QCOMPARE(parseIsoTime("2026-11-21T12:00:00+02:00"), std::optional<std::int64_t>(1795255200000));
    QCOMPARE(parseIsoTime("2026-11-21T05:30:00-04:30"), std::optional<std::int64_t>(1795255200000));
    QCOMPARE(parseIsoTime("2026-11-21 10:00:00Z"), std::optional<std::int64_t>(1795255200000));
    QCOMPARE(parseIsoTime("yesterday"), std::optional<std::int64_t>());
    QCOMPARE(parseIsoTime("2026-13-01"), std::optional<std::int64_t>());
    QCOMPARE(parseIsoTime("2026-11-21T10:00:00+25:00"), std::optional<std::int64_t>());
    QCOMPARE(parseIsoTime(""), std::optional<std::int64_t>());
}

void TestQuery::builtinsCompile()
{
    const auto& b = builtinQueries();
    QVERIFY(b.size() >= 3);
    QCOMPARE(b.front().name, std::string("suspicious-activity"));
    QCOMPARE(b.front().text, std::string("fields @timestamp, event_type, agent_name, details | filter event_type = "
                                         "\"security_event\" | sort @timestamp desc | limit 100"));
    bool anyStats = false;
    for (const SavedQuery& s : b) {
        QVERIFY(s.builtin);
        QVERIFY2(!s.description.empty(), s.name.c_str());
        auto q = compileQuery(s.text);
        QVERIFY2(q.has_value(), (s.name + ": " + (q ? "" : q.error().message)).c_str());
        anyStats = anyStats || q->aggregate;
    }
    QVERIFY(anyStats);
}

void TestQuery::queryNames()
{
    QVERIFY(checkQueryName("my-query.v2_x"));
    QVERIFY(checkQueryName("0day"));
    for (const char* bad : {"", "-x", ".x", "My-Query", "x y", "x'; DROP TABLE events; --", "\xc3\xa9t\xc3\xa9"})
        QCOMPARE(checkQueryName(bad).error().code, std::string("query.bad_name"));
    QCOMPARE(checkQueryName(std::string(65, 'a')).error().code, std::string("query.bad_name"));
    QVERIFY(checkQueryName(std::string(64, 'a')));
    auto b = checkQueryName("suspicious-activity");
    QCOMPARE(b.error().code, std::string("query.builtin"));
    QCOMPARE(b.error().message, std::string("'suspicious-activity' is a built-in query; choose another name"));
}

void TestQuery::completionLists()
{
    const auto& f = queryFieldNames();
    for (const char* n : {"@timestamp", "agent", "agent_name", "event_type", "finding.rule", "finding.category",
                          "finding.severity", "finding.layer", "details"})
        QVERIFY2(std::find(f.begin(), f.end(), n) != f.end(), n);
    QCOMPARE(queryCommands(), (std::vector<std::string>{"fields", "filter", "sort", "limit", "stats", "source"}));
    // Every listed field compiles.
    for (const std::string& n : f)
        QVERIFY2(compileQuery("fields " + n), n.c_str());
}

QTEST_GUILESS_MAIN(TestQuery)
#include "tst_query.moc"
