// SPDX-License-Identifier: Apache-2.0
// Every acceptance and rejection rule of spec/audit-events.md, as data.
#include "eventfields.h"
#include "ingest/decoder.h"

#include "testsupport.h"

#include <QtTest>

#include <string>

using namespace vigil;

namespace {

const std::string kValid =
    R"({"timestamp":"2026-11-21T10:00:00.123Z","event_type":"user_query_received",)"
    R"("agent_name":"brain","thread_id":"t-4f2a","severity":"info","user_id":"u-17",)"
    R"("details":{"query":"Viewers by region for channel 7 last week"}})";

std::string withDetails(const std::string& type, const std::string& details)
{
    return R"({"timestamp":"2026-11-21T10:00:00Z","event_type":")" + type +
           R"(","agent_name":"sql-writer","thread_id":"t-1","severity":"info","details":)" +
           details + "}";
}

std::string replaced(std::string s, const std::string& from, const std::string& to)
{
    const auto pos = s.find(from);
    Q_ASSERT(pos != std::string::npos);
    return s.replace(pos, from.size(), to);
}

} // namespace

class TestDecoder : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void accepts_data();
    void accepts();
    void rejects_data();
    void rejects();
    void missingEachRequiredField_data();
    void missingEachRequiredField();
    void typedFields();
    void textsHavePaths();
    void deepNestingIsRefusedWithoutRecursion();
    void decoderIsReusable();
    void reusedEventMatchesFreshOne();
    void detailsMinifiedFromText_data();
    void detailsMinifiedFromText();
    void detailsCharsCountsCodePoints();
    void blankLines();
};

void TestDecoder::accepts_data()
{
    QTest::addColumn<QByteArray>("line");
    QTest::newRow("spec example") << QByteArray::fromStdString(kValid);
    QTest::newRow("crlf") << QByteArray::fromStdString(kValid + "\r");
    QTest::newRow("cloudwatch prefix")
        << QByteArray::fromStdString("2026-11-21T10:00:00.123Z " + kValid);
    QTest::newRow("no fraction") << QByteArray::fromStdString(
        replaced(kValid, "10:00:00.123Z", "10:00:00Z"));
    QTest::newRow("custom type kept") << QByteArray::fromStdString(
        withDetails("my.custom-event_2", R"({"anything":[1,{"x":null}]})"));
    QTest::newRow("tool call") << QByteArray::fromStdString(withDetails(
        "tool_call",
        R"({"action":"s3:GetObject","resource":"arn:aws:s3:::b/k","outcome":"denied"})"));
    QTest::newRow("plan as object") << QByteArray::fromStdString(withDetails(
        "brain_plan_created", R"({"plan":{"steps":[1,2]},"model":"m","tokens":0,"cost":0.5})"));
    QTest::newRow("worker result with table") << QByteArray::fromStdString(withDetails(
        "worker_result",
        R"({"output_hash":"ab","confidence":1,"latency_ms":3,"schema":"table","output":{"columns":[],"rows":[]}})"));
    QTest::newRow("filters") << QByteArray::fromStdString(withDetails(
        "worker_invoked",
        R"({"worker_name":"w","input_hash":"h","model":"m","filters":[{"column":"region","operator":"=","value":"west"},{"column":"c","operator":"IN","value":[1,2]}]})"));
    QTest::newRow("unicode text") << QByteArray::fromStdString(
        replaced(kValid, "Viewers by region", "Zuschauer \u00fc\u00e4 \xe2\x9c\x93 \\u00e9"));
    QTest::newRow("event id") << QByteArray::fromStdString(
        replaced(kValid, R"("user_id":"u-17",)",
                 R"("user_id":"u-17","event_id":"e-1","trace_id":"tr","span_id":"sp",)"));
    QTest::newRow("thread 100 chars")
        << QByteArray::fromStdString(replaced(kValid, "t-4f2a", std::string(100, 't')));
    QTest::newRow("nesting 64") << QByteArray::fromStdString(
        withDetails("custom", std::string(63, '[') == ""
                                  ? ""
                                  : "{\"a\":" + std::string(62, '[') + std::string(62, ']') + "}"));
    QTest::newRow("bom") << QByteArray::fromStdString("\xEF\xBB\xBF" + kValid);
}

void TestDecoder::accepts()
{
    QFETCH(QByteArray, line);
    Decoder d;
    AuditEvent ev;
    const auto r = d.decode(std::string_view(line.constData(), std::size_t(line.size())), ev);
    QVERIFY2(r.has_value(), r ? "" : r.error().message.c_str());
    QVERIFY(!ev.agentName.empty());
    QVERIFY(ev.timestampMs > 0);
}

void TestDecoder::rejects_data()
{
    QTest::addColumn<QByteArray>("line");
    QTest::addColumn<QString>("reason");
    auto row = [](const char* name, const std::string& line, const char* reason) {
        QTest::newRow(name) << QByteArray::fromStdString(line) << QString::fromLatin1(reason);
    };
    row("truncated json", kValid.substr(0, 60), "input.invalid_json");
    row("garbage", "hello world", "input.invalid_json");
    row("trailing garbage", kValid + "x", "input.invalid_json");
    row("array", "[1,2,3]", "input.not_object");
    row("string", "\"just a string\"", "input.not_object");
    row("number", "42", "input.not_object");
    row("prefix not a timestamp", "INFO " + kValid, "input.invalid_json");
    row("prefix two spaces", "2026-11-21T10:00:00.123Z  " + kValid.substr(1), "input.invalid_json");
    row("timestamp not utc", replaced(kValid, "10:00:00.123Z", "10:00:00.123+01:00"),
        "input.bad_value");
    row("timestamp garbage", replaced(kValid, "2026-11-21T10:00:00.123Z", "yesterday"),
        "input.bad_value");
    row("timestamp feb 30", replaced(kValid, "2026-11-21", "2026-02-30"), "input.bad_value");
    row("timestamp number", replaced(kValid, R"("2026-11-21T10:00:00.123Z")", "1700000000"),
        "input.bad_type");
    row("severity unknown", replaced(kValid, R"("info")", R"("debug")"), "input.bad_value");
    row("severity case", replaced(kValid, R"("info")", R"("INFO")"), "input.bad_value");
    row("event type upper", replaced(kValid, "user_query_received", "UserQuery"),
        "input.bad_value");
    row("event type too long", replaced(kValid, "user_query_received", "a" + std::string(64, 'b')),
        "input.bad_value");
    row("agent bad char", replaced(kValid, R"("brain")", R"("br ain")"), "input.bad_value");
    row("agent leading dash", replaced(kValid, R"("brain")", R"("-brain")"), "input.bad_value");
    row("thread too long", replaced(kValid, "t-4f2a", std::string(101, 't')), "input.bad_value");
    row("thread control char", replaced(kValid, "t-4f2a", "t\\u0007x"), "input.bad_value");
    row("thread empty", replaced(kValid, "t-4f2a", ""), "input.bad_value");
    row("details not object",
        replaced(kValid, R"({"query":"Viewers by region for channel 7 last week"})", R"("text")"),
        "input.bad_type");
    row("user id too long", replaced(kValid, "u-17", std::string(101, 'u')), "input.bad_value");
    row("event id number", replaced(kValid, R"("user_id":"u-17",)", R"("event_id":5,)"),
        "input.bad_type");
    row("event id too long",
        replaced(kValid, R"("user_id":"u-17",)", R"("event_id":")" + std::string(129, 'e') + "\","),
        "input.bad_value");
    row("duplicate key",
        replaced(kValid, R"("severity":"info",)", R"("severity":"info","severity":"critical",)"),
        "input.bad_value");
    row("query missing", withDetails("user_query_received", "{}"), "input.missing_field");
    row("query number", withDetails("user_query_received", R"({"query":5})"), "input.bad_type");
    row("tokens negative",
        withDetails("brain_plan_created", R"({"plan":"p","model":"m","tokens":-1,"cost":0})"),
        "input.bad_value");
    row("tokens fractional",
        withDetails("brain_plan_created", R"({"plan":"p","model":"m","tokens":1.5,"cost":0})"),
        "input.bad_type");
    row("cost negative",
        withDetails("sql_executed", R"({"query_hash":"q","bytes_scanned":1,"cost":-0.1})"),
        "input.bad_value");
    row("confidence above 1",
        withDetails("worker_result", R"({"output_hash":"o","confidence":1.2,"latency_ms":1})"),
        "input.bad_value");
    row("latency string",
        withDetails("worker_result", R"({"output_hash":"o","confidence":0.2,"latency_ms":"1"})"),
        "input.bad_type");
    row("schema unknown",
        withDetails("worker_result",
                    R"({"output_hash":"o","confidence":0.2,"latency_ms":1,"schema":"chart"})"),
        "input.bad_value");
    row("escalation no reason", withDetails("human_escalation", R"({"confidence":0.2})"),
        "input.missing_field");
    row("security no type", withDetails("security_event", R"({"details":"x"})"),
        "input.missing_field");
    row("error no type", withDetails("error_occurred", R"({"stack_trace":"x"})"),
        "input.missing_field");
    row("tool action malformed",
        withDetails("tool_call", R"({"action":"GetObject","resource":"r"})"), "input.bad_value");
    row("tool outcome unknown",
        withDetails("tool_call", R"({"action":"s3:GetObject","resource":"r","outcome":"maybe"})"),
        "input.bad_value");
    row("filters not array",
        withDetails("worker_invoked",
                    R"({"worker_name":"w","input_hash":"h","model":"m","filters":{}})"),
        "input.bad_type");
    row("filter without column",
        withDetails(
            "worker_invoked",
            R"({"worker_name":"w","input_hash":"h","model":"m","filters":[{"operator":"=","value":"x"}]})"),
        "input.missing_field");
    row("invalid utf8", replaced(kValid, "Viewers", "View\xff\xfe"), "input.invalid_utf8");
    row("overlong utf8", replaced(kValid, "Viewers", "\xc0\xaf"), "input.invalid_utf8");
    row("lone surrogate escape", replaced(kValid, "Viewers", "\\ud800"), "input.invalid_json");
    row("nesting 65",
        withDetails("custom", "{\"a\":" + std::string(63, '[') + std::string(63, ']') + "}"),
        "input.too_deep");
    row("details over 64 KiB",
        withDetails("custom", R"({"blob":")" + std::string(70000, 'x') + "\"}"), "input.too_long");
    row("line over 1 MiB",
        withDetails("custom", R"({"blob":")" + std::string(2 * 1024 * 1024, 'x') + "\"}"),
        "input.too_long");
}

void TestDecoder::rejects()
{
    QFETCH(QByteArray, line);
    QFETCH(QString, reason);
    Decoder d;
    AuditEvent ev;
    const auto r = d.decode(std::string_view(line.constData(), std::size_t(line.size())), ev);
    QVERIFY(!r.has_value());
    QCOMPARE(QString::fromStdString(r.error().code), reason);
    QVERIFY(!r.error().message.empty());
}

void TestDecoder::missingEachRequiredField_data()
{
    QTest::addColumn<QString>("field");
    for (const char* f :
         {"timestamp", "event_type", "agent_name", "thread_id", "severity", "details"})
        QTest::newRow(f) << QString::fromLatin1(f);
}

void TestDecoder::missingEachRequiredField()
{
    QFETCH(QString, field);
    // Remove `"field":value,` from the example by re-building it without that key.
    const std::string f = field.toStdString();
    std::string line = kValid;
    const auto key = line.find("\"" + f + "\":");
    QVERIFY(key != std::string::npos);
    std::size_t end = key;
    int depth = 0;
    bool inString = false;
    for (end = line.find(':', key) + 1; end < line.size(); ++end) {
        const char c = line[end];
        if (inString) {
            if (c == '\\')
                ++end;
            else if (c == '"')
                inString = false;
            continue;
        }
        if (c == '"')
            inString = true;
        else if (c == '{')
            ++depth;
        else if (c == '}') {
            if (depth == 0)
                break;
            --depth;
        } else if (c == ',' && depth == 0)
            break;
    }
    if (line[end] == ',')
        line.erase(key, end - key + 1);
    else
        line.erase(key - 1, end - key + 1); // last field: drop the comma before it
    Decoder d;
    AuditEvent ev;
    const auto r = d.decode(line, ev);
    QVERIFY2(!r.has_value(), line.c_str());
    QCOMPARE(QString::fromStdString(r.error().code), QStringLiteral("input.missing_field"));
    QVERIFY(r.error().message.find(f) != std::string::npos);
}

void TestDecoder::typedFields()
{
    Decoder d;
    AuditEvent ev;
    QVERIFY(d.decode(kValid, ev));
    QVERIFY(ev.kind == EventKind::UserQueryReceived);
    QVERIFY(ev.severity == EventSeverity::Info);
    QCOMPARE(ev.timestampMs, 1795255200123LL);
    QCOMPARE(ev.threadId, std::string("t-4f2a"));
    QCOMPARE(ev.userId, std::string("u-17"));

    QVERIFY(d.decode(
        withDetails("tool_call", R"({"action":"s3:GetObject","resource":"arn:aws:s3:::b/k"})"),
        ev));
    QVERIFY(ev.kind == EventKind::ToolCall);
    QCOMPARE(ev.action, std::string("s3:GetObject"));
    QCOMPARE(ev.resource, std::string("arn:aws:s3:::b/k"));
    QVERIFY(ev.outcome.empty());

    QVERIFY(d.decode(
        withDetails(
            "brain_plan_created",
            R"({"plan":"p","model":"anthropic.claude-sonnet-4","tokens":1059,"cost":0.0094})"),
        ev));
    QCOMPARE(ev.model, std::string("anthropic.claude-sonnet-4"));
    QCOMPARE(*ev.tokens, 1059LL);
    QCOMPARE(*ev.cost, 0.0094);

    QVERIFY(d.decode(
        withDetails(
            "worker_result",
            R"({"output_hash":"o","confidence":0.5,"latency_ms":1,"schema":"metric","output":{"value":1}})"),
        ev));
    QCOMPARE(ev.outputSchema, std::string("metric"));
    QCOMPARE(ev.outputJson, std::string(R"({"value":1})"));
}

void TestDecoder::textsHavePaths()
{
    Decoder d;
    AuditEvent ev;
    QVERIFY(d.decode(
        withDetails(
            "worker_invoked",
            R"({"worker_name":"w","input_hash":"h","model":"m","filters":[{"column":"region","operator":"=","value":"west"}]})"),
        ev));
    QVERIFY(ev.text("details.worker_name"));
    QCOMPARE(ev.text("details.filters[0].value")->value, std::string("west"));
    QCOMPARE(ev.text("details.filters[0].column")->value, std::string("region"));
    QVERIFY(!ev.text("details.nothing"));
    QCOMPARE(ev.detailsJson.front(), '{');
}

void TestDecoder::deepNestingIsRefusedWithoutRecursion()
{
    // 100,000 levels, closed and unclosed: refused by a linear pre-pass, no stack use.
    for (bool closed : {true, false}) {
        std::string deep = std::string(100000, '[') + (closed ? std::string(100000, ']') : "");
        Decoder d;
        AuditEvent ev;
        const auto r = d.decode(withDetails("custom", "{\"a\":" + deep + "}"), ev);
        QVERIFY(!r);
        QCOMPARE(QString::fromStdString(r.error().code), QStringLiteral("input.too_deep"));
    }
    // Brackets inside strings do not count.
    Decoder d;
    AuditEvent ev;
    QVERIFY(d.decode(withDetails("custom", "{\"a\":\"" + std::string(1000, '[') + "\"}"), ev));
}

void TestDecoder::decoderIsReusable()
{
    Decoder d;
    AuditEvent ev;
    QVERIFY(d.decode(
        withDetails("tool_call", R"({"action":"s3:GetObject","resource":"r","outcome":"denied"})"),
        ev));
    QVERIFY(!d.decode("not json", ev));
    QVERIFY(d.decode(kValid, ev));
    QVERIFY(ev.action.empty()); // nothing left over from the earlier event
    QVERIFY(ev.outcome.empty());
}

// The pipeline decodes into recycled events; every field of a reused event must equal what a
// fresh event gets, whatever the event before it held.
void TestDecoder::reusedEventMatchesFreshOne()
{
    const std::string big =
        R"({"timestamp":"2026-11-21T10:00:00Z","event_type":"worker_invoked","agent_name":"sql-writer",)"
        R"("thread_id":"t-1","severity":"warning","event_id":"e-1","trace_id":"tr","span_id":"sp",)"
        R"("user_id":"u-9","details":{"worker_name":"w","input_hash":"h","model":"m","input":"long )" +
        std::string(300, 'x') +
        R"(","filters":[{"column":"a","operator":"=","value":"1"},{"column":"b","operator":"=","value":"2"}]}})";
    const std::vector<std::string> lines{
        big,
        kValid,
        withDetails("brain_plan_created", R"({"plan":"p","model":"m2","tokens":7,"cost":0.5})"),
        big,
        "not json",
        withDetails("tool_call", R"({"action":"s3:GetObject","resource":"r"})"),
        withDetails(
            "worker_result",
            R"({"output_hash":"o","confidence":1,"latency_ms":2,"schema":"table","output":[1]})"),
        withDetails("custom", "{}")};
    Decoder reusing, fresh;
    AuditEvent reused;
    for (const std::string& line : lines) {
        AuditEvent one;
        const bool ok = bool(fresh.decode(line, one));
        QCOMPARE(bool(reusing.decode(line, reused)), ok);
        if (!ok)
            continue;
        QCOMPARE(eventFields(reused), eventFields(one));
    }
}

void TestDecoder::detailsMinifiedFromText_data()
{
    QTest::addColumn<std::string>("details");
    QTest::addColumn<std::string>("stored");
    QTest::newRow("spaces") << std::string(R"( { "query" : "a  b" , "n" : [ 1, 2 ] } )")
                            << std::string(R"({"query":"a  b","n":[1,2]})");
    QTest::newRow("newline-free tabs")
        << std::string("{\t\"query\":\t\"x\"}") << std::string(R"({"query":"x"})");
    QTest::newRow("nested details key")
        << std::string(R"({"type":"t","details":{"a":"}","b":[{"details":1}]}})")
        << std::string(R"({"type":"t","details":{"a":"}","b":[{"details":1}]}})");
    QTest::newRow("quotes and brackets in strings")
        << std::string(R"({"q":"say \"}\" , ] {"})") << std::string(R"({"q":"say \"}\" , ] {"})");
}

// `details` is stored minified from its own text, not re-serialized from the parse tree.
void TestDecoder::detailsMinifiedFromText()
{
    QFETCH(std::string, details);
    QFETCH(std::string, stored);
    Decoder d;
    AuditEvent ev;
    const std::string line = withDetails("custom", details);
    QVERIFY2(d.decode(line, ev), line.c_str());
    QCOMPARE(ev.detailsJson, stored);

    // `details` placed first, and spelled with an escape in its key: same result.
    const std::string first =
        R"({"details":)" + details +
        R"(,"timestamp":"2026-11-21T10:00:00Z","event_type":"custom","agent_name":"a","thread_id":"t","severity":"info"})";
    QVERIFY2(d.decode(first, ev), first.c_str());
    QCOMPARE(ev.detailsJson, stored);
    const std::string escaped = replaced(first, R"("details")", R"("det\u0061ils")");
    QVERIFY2(d.decode(escaped, ev), escaped.c_str());
    QVERIFY(ev.detailsJson.starts_with("{"));
    QVERIFY(ev.text("details.q") || ev.text("details.query") || ev.text("details.type"));
}

void TestDecoder::detailsCharsCountsCodePoints()
{
    // Two-, three- and four-byte characters on both sides of 8- and 16-byte boundaries, in
    // a short value and in one long enough for the counter lanes to be summed midway.
    const std::string unit =
        "caf\xC3\xA9 \xE6\x97\xA5\xE6\x9C\xAC \xF0\x9F\x99\x82 abcdefghijklmnop \xC3\xA9";
    for (int repeat : {1, 3, 200}) {
        std::string text;
        for (int i = 0; i < repeat; ++i)
            text += unit;
        Decoder d;
        AuditEvent ev;
        QVERIFY(d.decode(withDetails("custom", R"({"q":")" + text + R"("})"), ev));
        const QString expected =
            QStringLiteral("{\"q\":\"") + QString::fromUtf8(text.c_str()) + QStringLiteral("\"}");
        QCOMPARE(ev.detailsChars, std::size_t(expected.toStdU32String().size()));
    }
}

void TestDecoder::blankLines()
{
    QVERIFY(isBlankLine(""));
    QVERIFY(isBlankLine("  \t\r"));
    QVERIFY(!isBlankLine(" x "));
}

QTEST_GUILESS_MAIN(TestDecoder)
#include "tst_decoder.moc"
