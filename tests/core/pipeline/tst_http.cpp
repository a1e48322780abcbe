// SPDX-License-Identifier: Apache-2.0
// The HTTP receiver with real sockets on 127.0.0.1 and a real HTTP/1.1 client (Boost.Beast):
// answers only after commit, NDJSON and OTLP (JSON and protobuf), the bearer token, every
// refusal status, gzip, the OTLP agent join across two requests, and 503 while the disk is full.
#include "faultyvfs.h"
#include "livetestclient.h"
#include "otlpprotobufbody.h"
#include "otlptestsupport.h"
#include "testsupport.h"

#include "google/rpc/status.pb.h"

#include "pipeline/liveingest.h"
#include "store/storereader.h"

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <nlohmann/json.hpp>
#include <zlib.h>

#include <QTemporaryDir>
#include <QtTest>

#include <array>
#include <atomic>
#include <cstdio>
#include <future>
#include <mutex>
#include <thread>

using namespace vigil;
using namespace std::chrono_literals;
using test::seqEvent;

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

namespace {

struct Reply
{
    int status = 0; ///< 0: no answer (connection closed, timeout); see error
    std::string body;
    std::string retryAfter;
    std::string wwwAuthenticate;
    std::string contentType;
    std::string error;
};

/// One request on a fresh connection, with a deadline; never blocks for longer.
Reply request(int port, http::verb verb, const std::string& target, std::string body,
              const std::vector<std::pair<std::string, std::string>>& headers = {},
              bool chunked = false, std::chrono::seconds timeout = 20s)
{
    asio::io_context io;
    beast::tcp_stream s(io);
    http::request<http::string_body> req{verb, target, 11};
    req.set(http::field::host, "127.0.0.1");
    bool typed = false;
    for (const auto& [k, v] : headers) {
        req.set(k, v);
        typed = typed || beast::iequals(k, "Content-Type");
    }
    if (!typed && verb == http::verb::post)
        req.set(http::field::content_type, "application/x-ndjson");
    req.body() = std::move(body);
    if (chunked)
        req.chunked(true);
    else
        req.prepare_payload();
    beast::flat_buffer buffer;
    http::response_parser<http::string_body> res;
    res.body_limit(64 << 20);
    Reply out;
    s.expires_after(timeout);
    s.async_connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), static_cast<unsigned short>(port)),
                    [&](const beast::error_code& ec) {
                        if (ec) {
                            out.error = ec.message();
                            return;
                        }
                        http::async_write(s, req, [&](const beast::error_code& ew, std::size_t) {
                            // A refusal may come before the whole body was sent: read anyway.
                            (void)ew;
                            http::async_read(s, buffer, res,
                                             [&](const beast::error_code& er, std::size_t) {
                                                 if (er) {
                                                     out.error = er.message();
                                                     return;
                                                 }
                                                 const auto& m = res.get();
                                                 out.status = static_cast<int>(m.result_int());
                                                 out.body = m.body();
                                                 out.retryAfter = std::string(m[http::field::retry_after]);
                                                 out.wwwAuthenticate =
                                                     std::string(m[http::field::www_authenticate]);
                                                 out.contentType =
                                                     std::string(m[http::field::content_type]);
                                             });
                        });
                    });
    io.run();
    return out;
}

/// Sends `bytes` as they are and reads until the server closes (or 10 s pass): for requests
/// no well-behaved client would write.
std::string raw(int port, const std::string& bytes, std::chrono::milliseconds wait = 10s)
{
    asio::io_context io;
    tcp::socket s(io);
    boost::system::error_code ec;
    s.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), static_cast<unsigned short>(port)), ec);
    if (ec)
        return "connect: " + ec.message();
    asio::write(s, asio::buffer(bytes), ec);
    std::string out;
    std::array<char, 4096> buf{};
    const auto deadline = std::chrono::steady_clock::now() + wait;
    s.non_blocking(true);
    while (std::chrono::steady_clock::now() < deadline) {
        const std::size_t n = s.read_some(asio::buffer(buf), ec);
        if (ec == asio::error::would_block) {
            std::this_thread::sleep_for(10ms);
            continue;
        }
        if (ec)
            return out + "<closed>";
        out.append(buf.data(), n);
    }
    return out + "<open>";
}

Reply post(int port, const std::string& target, std::string body,
           const std::vector<std::pair<std::string, std::string>>& headers = {})
{
    return request(port, http::verb::post, target, std::move(body), headers);
}

std::string gzip(std::string_view in)
{
    z_stream z{};
    if (deflateInit2(&z, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
        qFatal("deflateInit2");
    std::string out(deflateBound(&z, static_cast<uLong>(in.size())) + 64, '\0');
    z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
    z.avail_in = static_cast<uInt>(in.size());
    z.next_out = reinterpret_cast<Bytef*>(out.data());
    z.avail_out = static_cast<uInt>(out.size());
    if (deflate(&z, Z_FINISH) != Z_STREAM_END)
        qFatal("deflate");
    out.resize(z.total_out);
    deflateEnd(&z);
    return out;
}

std::string lines(std::int64_t from, std::int64_t to, const std::string& idPrefix = {})
{
    std::string s;
    for (std::int64_t i = from; i <= to; ++i)
        s += seqEvent(i, idPrefix.empty() ? std::string() : idPrefix + std::to_string(i)) + "\n";
    return s;
}

template <typename Pred> bool waitUntil(Pred pred, std::chrono::milliseconds timeout = 10s)
{
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
        if (pred())
            return true;
        std::this_thread::sleep_for(10ms);
    }
    return pred();
}

std::int64_t count(const std::string& db, const std::string& sql)
{
    auto r = StoreReader::open(db);
    if (!r)
        return -1;
    auto st = SqlStatement::prepare(r->database(), sql);
    if (!st || !*st->step())
        return -1;
    return st->columnInt(0);
}

/// A writer and a live pipeline with only the HTTP receiver, on a free loopback port.
struct Server
{
    explicit Server(const std::string& dbPath, HttpOptions http = {}) : db(dbPath)
    {
        StoreWriterOptions wo;
        wo.retryMs = -1; // as serve: a storage failure is retried until it commits
        wo.retryFirstDelayMs = 20;
        wo.retryMaxDelayMs = 100;
        auto w = StoreWriter::open(db, wo);
        if (!w)
            qFatal("cannot open %s", db.c_str());
        writer = std::move(*w);
        http.port = 0;
        options.tcp.reset();
        options.http = http;
        options.pipeline.workers = 1;
        live = std::make_unique<LiveIngest>(*writer, options);
        live->setLogSink([this](std::string_view m) {
            std::lock_guard l(logMutex);
            log += std::string(m) + "\n";
        });
    }
    ~Server()
    {
        live->stop();
        writer->close();
    }
    Result<void> start() { return live->start(); }
    int port() const
    {
        const std::string a = live->httpAddress();
        return std::stoi(a.substr(a.rfind(':') + 1));
    }
    std::string logText()
    {
        std::lock_guard l(logMutex);
        return log;
    }

    std::string db;
    LiveOptions options;
    std::unique_ptr<StoreWriter> writer;
    std::unique_ptr<LiveIngest> live;
    std::mutex logMutex;
    std::string log;
};

/// An OTLP/JSON traces body of `spans` under one resource: each (trace, span, parent, agent),
/// an `invoke_agent` span when it names an agent, else a `chat` span that inherits one.
std::string tracesBody(const std::vector<std::array<std::string, 4>>& spans)
{
    nlohmann::json list = nlohmann::json::array();
    for (const auto& [trace, span, parent, agent] : spans) {
        nlohmann::json attrs = nlohmann::json::array();
        attrs.push_back({{"key", "gen_ai.operation.name"},
                         {"value", {{"stringValue", agent.empty() ? "chat" : "invoke_agent"}}}});
        if (!agent.empty())
            attrs.push_back({{"key", "gen_ai.agent.name"}, {"value", {{"stringValue", agent}}}});
        nlohmann::json s = {{"traceId", trace},
                            {"spanId", span},
                            {"name", agent.empty() ? "chat" : "invoke_agent " + agent},
                            {"startTimeUnixNano", "1764000000000000000"},
                            {"endTimeUnixNano", "1764000001000000000"},
                            {"attributes", attrs}};
        if (!parent.empty())
            s["parentSpanId"] = parent;
        list.push_back(std::move(s));
    }
    nlohmann::json resource = {
        {"resource",
         {{"attributes",
           nlohmann::json::array({{{"key", "service.name"}, {"value", {{"stringValue", "svc"}}}}})}}},
        {"scopeSpans", nlohmann::json::array({{{"spans", list}}})}};
    return nlohmann::json{{"resourceSpans", nlohmann::json::array({resource})}}.dump();
}

/// A trace id (32 hex digits) and span id (16) numbered `n`.
std::string traceId(int n)
{
    char b[33];
    std::snprintf(b, sizeof b, "%032x", n + 1);
    return b;
}
std::string spanId(int n)
{
    char b[17];
    std::snprintf(b, sizeof b, "%016x", n + 1);
    return b;
}

} // namespace

class TestHttp : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void ndjsonIsAnsweredOnceStored();
    void resentBatchIsStoredOnce();
    void bearerToken();
    void refusals_data();
    void refusals();
    void overLongHeadersAre431();
    void chunkedBodyOverTheLimitIs413();
    void absurdContentLengthIsRefusedUnread();
    void slowClientIsClosed();
    void gzipBodies();
    void otlpTracesAndLogs();
    void otlpChildAnsweredWhenItsParentArrives();
    void otlpBodiesFromManyClientsJoinAcrossRequests();
    void stopWithOtlpBodiesInFlightLosesNothingAnswered();
    void malformedOtlpIs400AndQuarantined();
    void otlpProtobufIsReadAndAnsweredInKind();
    void malformedProtobufIs400WithAStatus();
    void protobufRefusalsAreStatusMessages();
    void fullDiskAnswers503UntilItIsFreed();
    void nonLoopbackNeedsATokenOrClientCertificates();

private:
    std::string path(const char* name) const { return m_dir.filePath(QString::fromLatin1(name)).toStdString(); }
    QTemporaryDir m_dir;
};

void TestHttp::initTestCase()
{
    QVERIFY(m_dir.isValid());
    test::FaultyVfs::install(); // before any database is opened
}

void TestHttp::ndjsonIsAnsweredOnceStored()
{
    Server s(path("ndjson.db"));
    QVERIFY(s.start());
    const Reply r = post(s.port(), "/v1/events", lines(1, 3) + "\nnot json at all\n");
    QCOMPARE(r.status, 200);
    const auto j = nlohmann::json::parse(r.body);
    QCOMPARE(j["accepted"].get<int>(), 3);
    QCOMPARE(j["rejected"].get<int>(), 1);
    // The answer came after the commit: the rows are there already, with no waiting.
    QCOMPARE(count(s.db, "SELECT COUNT(*) FROM events"), std::int64_t(3));
    QCOMPARE(count(s.db, "SELECT COUNT(*) FROM quarantine"), std::int64_t(1));
    QCOMPARE(count(s.db, "SELECT line_no FROM quarantine"), std::int64_t(5)); // its line in the body
}

void TestHttp::resentBatchIsStoredOnce()
{
    Server s(path("resend.db"));
    QVERIFY(s.start());
    const std::string body = lines(1, 50, "resend-");
    QCOMPARE(post(s.port(), "/v1/events", body).status, 200);
    const Reply again = post(s.port(), "/v1/events", body);
    QCOMPARE(again.status, 200);
    const auto j = nlohmann::json::parse(again.body);
    QCOMPARE(j["accepted"].get<int>(), 0);
    QCOMPARE(j["duplicates"].get<int>(), 50);
    QCOMPARE(count(s.db, "SELECT COUNT(*) FROM events"), std::int64_t(50));
}

void TestHttp::bearerToken()
{
    HttpOptions o;
    o.token = "http-token-0042";
    Server s(path("token.db"), o);
    QVERIFY(s.start());
    const Reply none = post(s.port(), "/v1/events", lines(1, 2));
    QCOMPARE(none.status, 401);
    QVERIFY(none.wwwAuthenticate.starts_with("Bearer"));
    QCOMPARE(post(s.port(), "/v1/events", lines(1, 2), {{"Authorization", "Bearer wrong"}}).status,
             401);
    QCOMPARE(post(s.port(), "/v1/events", lines(1, 2), {{"Authorization", "Basic aHR0cA=="}}).status,
             401);
    QCOMPARE(count(s.db, "SELECT COUNT(*) FROM events"), std::int64_t(0));
    QCOMPARE(post(s.port(), "/v1/events", lines(1, 2), {{"Authorization", "Bearer http-token-0042"}})
                 .status,
             200);
    QCOMPARE(count(s.db, "SELECT COUNT(*) FROM events"), std::int64_t(2));
    QVERIFY(!s.logText().contains("http-token-0042"));
    QCOMPARE(s.live->stats().authFailures, std::int64_t(3));
}

void TestHttp::refusals_data()
{
    QTest::addColumn<int>("verb");
    QTest::addColumn<QString>("target");
    QTest::addColumn<QString>("contentType");
    QTest::addColumn<QString>("encoding");
    QTest::addColumn<int>("bodyBytes");
    QTest::addColumn<int>("status");
    QTest::addColumn<QString>("says");

    const int post = static_cast<int>(http::verb::post);
    QTest::newRow("unknown path") << post << "/v1/metrics" << "application/json" << "" << 10 << 404
                                  << "/v1/events";
    QTest::newRow("GET") << static_cast<int>(http::verb::get) << "/v1/events" << "" << "" << 0
                         << 405 << "POST";
    QTest::newRow("protobuf as events") << post << "/v1/events" << "application/x-protobuf" << ""
                                        << 10 << 415 << "x-ndjson";
    QTest::newRow("OTLP as text") << post << "/v1/logs" << "text/plain" << "" << 10 << 415
                                  << "application/json";
    QTest::newRow("events as XML") << post << "/v1/events" << "application/xml" << "" << 10 << 415
                                   << "x-ndjson";
    QTest::newRow("brotli") << post << "/v1/events" << "application/x-ndjson" << "br" << 10 << 415
                            << "gzip";
    QTest::newRow("body over the limit") << post << "/v1/events" << "application/x-ndjson" << ""
                                         << (70 << 10) << 413 << "smaller batches";
}

void TestHttp::refusals()
{
    QFETCH(int, verb);
    QFETCH(QString, target);
    QFETCH(QString, contentType);
    QFETCH(QString, encoding);
    QFETCH(int, bodyBytes);
    QFETCH(int, status);
    QFETCH(QString, says);
    HttpOptions o;
    o.maxBodyBytes = 64 << 10;
    Server s(m_dir.filePath(QStringLiteral("refusals-%1.db").arg(QString::fromLatin1(QTest::currentDataTag()).replace(QLatin1Char(' '), QLatin1Char('-')))).toStdString(), o);
    QVERIFY(s.start());
    std::vector<std::pair<std::string, std::string>> headers;
    if (!contentType.isEmpty())
        headers.emplace_back("Content-Type", contentType.toStdString());
    if (!encoding.isEmpty())
        headers.emplace_back("Content-Encoding", encoding.toStdString());
    std::string body = lines(1, 1);
    body.resize(static_cast<std::size_t>(bodyBytes), ' ');
    const Reply r = request(s.port(), static_cast<http::verb>(verb), target.toStdString(), body,
                            headers);
    QCOMPARE(r.status, status);
    QVERIFY2(QString::fromStdString(r.body).contains(says), r.body.c_str());
    QCOMPARE(count(s.db, "SELECT COUNT(*) FROM events"), std::int64_t(0));
    // The receiver goes on serving.
    QCOMPARE(post(s.port(), "/v1/events", lines(1, 1)).status, 200);
}

void TestHttp::overLongHeadersAre431()
{
    HttpOptions o;
    o.maxHeaderBytes = 4096;
    Server s(path("headers.db"), o);
    QVERIFY(s.start());
    const Reply r = post(s.port(), "/v1/events", lines(1, 1), {{"X-Padding", std::string(8000, 'a')}});
    QCOMPARE(r.status, 431);
    QCOMPARE(count(s.db, "SELECT COUNT(*) FROM events"), std::int64_t(0));
}

void TestHttp::chunkedBodyOverTheLimitIs413()
{
    HttpOptions o;
    o.maxBodyBytes = 16 << 10;
    Server s(path("chunked.db"), o);
    QVERIFY(s.start());
    const Reply big = request(s.port(), http::verb::post, "/v1/events", lines(1, 200), {}, true);
    QCOMPARE(big.status, 413);
    const Reply small = request(s.port(), http::verb::post, "/v1/events", lines(1, 20), {}, true);
    QCOMPARE(small.status, 200);
    QCOMPARE(count(s.db, "SELECT COUNT(*) FROM events"), std::int64_t(20));
}

void TestHttp::absurdContentLengthIsRefusedUnread()
{
    Server s(path("huge.db"));
    QVERIFY(s.start());
    // 10 GB declared: refused from the header alone, and nothing is reserved for it.
    const std::string answer = raw(s.port(), "POST /v1/events HTTP/1.1\r\nHost: x\r\n"
                                             "Content-Type: application/x-ndjson\r\n"
                                             "Content-Length: 10737418240\r\n\r\n{\"a\":");
    QVERIFY2(answer.starts_with("HTTP/1.1 413"), answer.c_str());
    QVERIFY(answer.ends_with("<closed>"));
    QCOMPARE(s.live->stats().bufferedBytes, std::int64_t(0));
    QCOMPARE(post(s.port(), "/v1/events", lines(1, 1)).status, 200);
}

void TestHttp::slowClientIsClosed()
{
    HttpOptions o;
    o.requestTimeout = 300ms;
    Server s(path("slow.db"), o);
    QVERIFY(s.start());
    // Half a request line, then nothing: closed at the deadline, unanswered.
    const std::string answer = raw(s.port(), "POST /v1/eve");
    QCOMPARE(answer, std::string("<closed>"));
    QVERIFY(s.live->stats().idleClosed + s.live->stats().handshakeClosed >= 1);
}

void TestHttp::gzipBodies()
{
    HttpOptions o;
    o.maxDecodedBytes = 1 << 20;
    Server s(path("gzip.db"), o);
    QVERIFY(s.start());
    const std::vector<std::pair<std::string, std::string>> gz{{"Content-Encoding", "gzip"}};
    QCOMPARE(post(s.port(), "/v1/events", gzip(lines(1, 10)), gz).status, 200);
    QCOMPARE(count(s.db, "SELECT COUNT(*) FROM events"), std::int64_t(10));
    // A bomb: 4 KiB on the wire, 8 MiB once inflated. Refused, memory bounded.
    const Reply bomb = post(s.port(), "/v1/events", gzip(std::string(8 << 20, '\n')), gz);
    QCOMPARE(bomb.status, 413);
    QVERIFY(bomb.body.find("decompresses") != std::string::npos);
    std::string cut = gzip(lines(11, 20));
    cut.resize(cut.size() / 2);
    const Reply truncated = post(s.port(), "/v1/events", cut, gz);
    QCOMPARE(truncated.status, 400);
    QVERIFY(truncated.body.find("gzip") != std::string::npos);
    QCOMPARE(post(s.port(), "/v1/events", "not gzip at all", gz).status, 400);
    QCOMPARE(count(s.db, "SELECT COUNT(*) FROM events"), std::int64_t(10));
}

void TestHttp::otlpTracesAndLogs()
{
    Server s(path("otlp.db"));
    QVERIFY(s.start());
    const std::vector<std::pair<std::string, std::string>> json{{"Content-Type", "application/json"}};
    const Reply traces = post(s.port(), "/v1/traces", test::otlpFixture("traces-genai-latest.json"), json);
    QCOMPARE(traces.status, 200);
    QCOMPARE(traces.body, std::string("{}"));
    const Reply logs = post(s.port(), "/v1/logs", test::otlpFixture("logs-genai-events.json"), json);
    QCOMPARE(logs.status, 200);
    QVERIFY(count(s.db, "SELECT COUNT(*) FROM events") > 0);
    // Spans keep their trace (log records may have none).
    QVERIFY(count(s.db, "SELECT COUNT(*) FROM events WHERE trace_id = '5b8efff798038103d269b633813fc60c'") > 0);
    // A resent body stores nothing twice: every OTLP record has a derived event_id.
    const std::int64_t before = count(s.db, "SELECT COUNT(*) FROM events");
    QCOMPARE(post(s.port(), "/v1/traces", test::otlpFixture("traces-genai-latest.json"), json).status, 200);
    QCOMPARE(count(s.db, "SELECT COUNT(*) FROM events"), before);
}

void TestHttp::otlpChildAnsweredWhenItsParentArrives()
{
    HttpOptions o;
    o.otlpJoinWindowMs = 20'000; // long: only the parent's arrival can release the children
    Server s(path("join.db"), o);
    QVERIFY(s.start());
    const int port = s.port();
    const std::vector<std::pair<std::string, std::string>> json{{"Content-Type", "application/json"}};
    auto children = std::async(std::launch::async, [&] {
        return post(port, "/v1/traces", test::otlpFixture("traces-children-first.json"), json);
    });
    // The children's request is not answered: its records wait for their parent's agent.
    QCOMPARE(children.wait_for(600ms), std::future_status::timeout);
    QCOMPARE(count(s.db, "SELECT COUNT(*) FROM events"), std::int64_t(0));
    const Reply parent = post(port, "/v1/traces", test::otlpFixture("traces-parent-later.json"), json);
    QCOMPARE(parent.status, 200);
    QCOMPARE(children.wait_for(10s), std::future_status::ready);
    QCOMPARE(children.get().status, 200);
    QCOMPARE(count(s.db, "SELECT COUNT(*) FROM events"), std::int64_t(4));
    QCOMPARE(count(s.db, "SELECT COUNT(*) FROM events WHERE agent = 'research-agent'"),
             std::int64_t(4));
}

void TestHttp::otlpBodiesFromManyClientsJoinAcrossRequests()
{
    // Bodies are read on several threads at once and joined on one: a child sent by one client
    // still finds the agent of a parent another client sends, in whatever order they are read.
    HttpOptions o;
    o.otlpJoinWindowMs = 20'000; // long: only the parents' arrival can release the children
    Server s(path("many.db"), o);
    QVERIFY(s.start());
    const int port = s.port();
    constexpr int kTraces = 40;
    const std::vector<std::pair<std::string, std::string>> json{{"Content-Type", "application/json"}};
    std::vector<std::future<std::vector<int>>> clients;
    for (int c = 0; c < 4; ++c)
        clients.push_back(std::async(std::launch::async, [&, c] {
            std::vector<int> statuses;
            for (int t = c; t < kTraces; t += 4) {
                // Even clients send children of the odd clients' parents and the reverse.
                const int other = t % 2 == 0 ? t + 1 : t - 1;
                const std::string trace = traceId(other), parent = spanId(other * 10);
                std::vector<std::array<std::string, 4>> spans;
                for (int k = 1; k <= 3; ++k)
                    spans.push_back({trace, spanId(other * 10 + k), parent, ""});
                spans.push_back({traceId(t), spanId(t * 10), "", "agent-" + std::to_string(t)});
                statuses.push_back(post(port, "/v1/traces", tracesBody(spans), json).status);
            }
            return statuses;
        }));
    for (auto& c : clients) {
        QCOMPARE(c.wait_for(30s), std::future_status::ready);
        for (int status : c.get())
            QCOMPARE(status, 200);
    }
    QCOMPARE(count(s.db, "SELECT COUNT(*) FROM events"), std::int64_t(kTraces * 4));
    QCOMPARE(count(s.db, "SELECT COUNT(*) FROM quarantine"), std::int64_t(0));
    // Each trace's three children carry the agent its parent names, none the fallback.
    for (int t = 0; t < kTraces; ++t)
        QCOMPARE(count(s.db, "SELECT COUNT(*) FROM events WHERE trace_id = '" + traceId(t) +
                                 "' AND agent = 'agent-" + std::to_string(t) + "'"),
                 std::int64_t(4));
}

void TestHttp::stopWithOtlpBodiesInFlightLosesNothingAnswered()
{
    // Stopping while bodies are still being read: every request answered 200 is stored, and
    // the rest are left unanswered (their clients send them again), never half stored.
    Server s(path("stopotlp.db"));
    QVERIFY(s.start());
    const int port = s.port();
    const std::vector<std::pair<std::string, std::string>> json{{"Content-Type", "application/json"}};
    std::atomic<bool> go{true};
    std::mutex m;
    std::vector<int> answered; // traces whose request was answered 200
    std::vector<std::thread> clients;
    for (int c = 0; c < 4; ++c)
        clients.emplace_back([&, c] {
            for (int t = c; go && t < 100'000; t += 4) {
                std::vector<std::array<std::string, 4>> spans;
                spans.push_back({traceId(t), spanId(0), "", "agent-" + std::to_string(c)});
                for (int k = 1; k < 200; ++k)
                    spans.push_back({traceId(t), spanId(k), spanId(0), ""});
                const Reply r = request(port, http::verb::post, "/v1/traces", tracesBody(spans),
                                        json, false, 5s);
                if (r.status == 200) {
                    std::lock_guard l(m);
                    answered.push_back(t);
                }
            }
        });
    QVERIFY(waitUntil([&] {
        std::lock_guard l(m);
        return answered.size() >= 8;
    }));
    s.live->stop();
    go = false;
    for (auto& c : clients)
        c.join();
    std::lock_guard l(m);
    for (int t : answered)
        QCOMPARE(count(s.db, "SELECT COUNT(*) FROM events WHERE trace_id = '" + traceId(t) + "'"),
                 std::int64_t(200));
    // A trace is stored whole or not at all.
    QCOMPARE(count(s.db, "SELECT COUNT(*) FROM (SELECT trace_id FROM events GROUP BY trace_id "
                         "HAVING COUNT(*) <> 200)"),
             std::int64_t(0));
}

void TestHttp::malformedOtlpIs400AndQuarantined()
{
    Server s(path("badotlp.db"));
    QVERIFY(s.start());
    const std::vector<std::pair<std::string, std::string>> json{{"Content-Type", "application/json"}};
    const Reply r = post(s.port(), "/v1/traces", "{\"resourceSpans\":[{\"scopeSpans\":", json);
    QCOMPARE(r.status, 400);
    QVERIFY(r.body.find("quarantine") != std::string::npos);
    QCOMPARE(count(s.db, "SELECT COUNT(*) FROM quarantine"), std::int64_t(1));
    // One bad span among good ones: 200 with partialSuccess, the bad one quarantined.
    std::string body = test::otlpFixture("traces-genai-latest.json");
    const auto at = body.find("\"traceId\"");
    QVERIFY(at != std::string::npos);
    body.replace(at, 9, "\"traceXd\"");
    const Reply partial = post(s.port(), "/v1/traces", body, json);
    QCOMPARE(partial.status, 200);
    const auto j = nlohmann::json::parse(partial.body);
    QVERIFY2(j.contains("partialSuccess"), partial.body.c_str());
    QCOMPARE(j["partialSuccess"]["rejectedSpans"].get<std::string>(), std::string("1"));
    QCOMPARE(count(s.db, "SELECT COUNT(*) FROM quarantine"), std::int64_t(2));
}

void TestHttp::otlpProtobufIsReadAndAnsweredInKind()
{
    Server s(path("otlp-pb.db"));
    QVERIFY(s.start());
    const std::vector<std::pair<std::string, std::string>> pb{{"Content-Type", "application/x-protobuf"}};
    const Reply traces = post(s.port(), "/v1/traces",
                              test::otlpJsonToProtobuf(test::otlpFixture("traces-genai-latest.json"), true), pb);
    QCOMPARE(traces.status, 200);
    QCOMPARE(traces.contentType, std::string("application/x-protobuf"));
    opentelemetry::proto::collector::trace::v1::ExportTraceServiceResponse answer;
    QVERIFY(answer.ParseFromString(traces.body));
    QVERIFY(!answer.has_partial_success());
    const Reply logs = post(s.port(), "/v1/logs",
                            test::otlpJsonToProtobuf(test::otlpFixture("logs-genai-events.json"), false), pb);
    QCOMPARE(logs.status, 200);
    const std::int64_t stored = count(s.db, "SELECT COUNT(*) FROM events");
    QVERIFY(stored > 0);
    QCOMPARE(count(s.db, "SELECT COUNT(*) FROM events WHERE trace_id = '5b8efff798038103d269b633813fc60c'"),
             count(s.db, "SELECT COUNT(*) FROM events WHERE trace_id <> ''"));
    QCOMPARE(count(s.db, "SELECT COUNT(*) FROM quarantine"), std::int64_t(0));
    // The same records sent again as JSON are the same events: nothing is stored twice.
    const std::vector<std::pair<std::string, std::string>> json{{"Content-Type", "application/json"}};
    QCOMPARE(post(s.port(), "/v1/traces", test::otlpFixture("traces-genai-latest.json"), json).status, 200);
    QCOMPARE(post(s.port(), "/v1/logs", test::otlpFixture("logs-genai-events.json"), json).status, 200);
    QCOMPARE(count(s.db, "SELECT COUNT(*) FROM events"), stored);
}

void TestHttp::malformedProtobufIs400WithAStatus()
{
    Server s(path("badpb.db"));
    QVERIFY(s.start());
    const std::vector<std::pair<std::string, std::string>> pb{{"Content-Type", "application/x-protobuf"}};
    std::string cut = test::otlpJsonToProtobuf(test::otlpFixture("traces-genai-latest.json"), true);
    cut.resize(cut.size() - 3); // inside the last span
    const Reply r = post(s.port(), "/v1/traces", cut, pb);
    QCOMPARE(r.status, 400);
    QCOMPARE(r.contentType, std::string("application/x-protobuf"));
    google::rpc::Status status;
    QVERIFY(status.ParseFromString(r.body));
    QCOMPARE(status.code(), 3); // INVALID_ARGUMENT
    QVERIFY2(status.message().find("input.invalid_protobuf") != std::string::npos, status.message().c_str());
    QVERIFY(status.message().find("quarantine") != std::string::npos);
    // Nothing of the damaged body is stored as events; all of it is in quarantine.
    QCOMPARE(count(s.db, "SELECT COUNT(*) FROM events"), std::int64_t(0));
    QCOMPARE(count(s.db, "SELECT COUNT(*) FROM quarantine WHERE CAST(raw AS TEXT) LIKE 'protobuf (%'"), std::int64_t(1));
    // Gzip around protobuf, as exporters send it, is read.
    const Reply gz = post(s.port(), "/v1/traces",
                          gzip(test::otlpJsonToProtobuf(test::otlpFixture("traces-genai-latest.json"), true)),
                          {{"Content-Type", "application/x-protobuf"}, {"Content-Encoding", "gzip"}});
    QCOMPARE(gz.status, 200);
    QVERIFY(count(s.db, "SELECT COUNT(*) FROM events") > 0);
}

void TestHttp::protobufRefusalsAreStatusMessages()
{
    HttpOptions o;
    o.token = "pb-token-1";
    Server s(path("pbtoken.db"), o);
    QVERIFY(s.start());
    const std::string body = test::otlpJsonToProtobuf(test::otlpFixture("logs-genai-events.json"), false);
    const Reply r = post(s.port(), "/v1/logs", body, {{"Content-Type", "application/x-protobuf"}});
    QCOMPARE(r.status, 401);
    QCOMPARE(r.contentType, std::string("application/x-protobuf"));
    google::rpc::Status status;
    QVERIFY(status.ParseFromString(r.body));
    QCOMPARE(status.code(), 16); // UNAUTHENTICATED
    // A JSON client on the same connection kind still hears JSON.
    const Reply j = post(s.port(), "/v1/logs", "{}", {{"Content-Type", "application/json"}});
    QCOMPARE(j.status, 401);
    QCOMPARE(j.contentType, std::string("application/json"));
    QCOMPARE(post(s.port(), "/v1/logs", body,
                  {{"Content-Type", "application/x-protobuf"}, {"Authorization", "Bearer pb-token-1"}})
                 .status,
             200);
}

void TestHttp::fullDiskAnswers503UntilItIsFreed()
{
    Server s(path("full.db"));
    QVERIFY(s.start());
    const int port = s.port();
    test::FaultyVfs::setFull(true);
    auto first = std::async(std::launch::async,
                            [&] { return post(port, "/v1/events", lines(1, 5, "full-")); });
    // Its batch is held and retried: no answer yet, and newcomers hear 503 with Retry-After.
    QVERIFY(waitUntil([&] { return s.writer->stats().retrying; }));
    QCOMPARE(first.wait_for(300ms), std::future_status::timeout);
    const Reply later = post(port, "/v1/events", lines(6, 10, "full-"));
    QCOMPARE(later.status, 503);
    QVERIFY(!later.retryAfter.empty());
    test::FaultyVfs::setFull(false);
    QCOMPARE(first.wait_for(10s), std::future_status::ready);
    QCOMPARE(first.get().status, 200);
    // The client sends the refused batch again, as a shipper does.
    QCOMPARE(post(port, "/v1/events", lines(6, 10, "full-")).status, 200);
    QCOMPARE(count(s.db, "SELECT COUNT(*) FROM events"), std::int64_t(10));
}

void TestHttp::nonLoopbackNeedsATokenOrClientCertificates()
{
    HttpOptions o;
    o.host = "0.0.0.0";
    Server s(path("open.db"), o);
    const auto r = s.start();
    QVERIFY(!r);
    QCOMPARE(QString::fromStdString(r.error().code), QStringLiteral("http.token_required"));
}

QTEST_GUILESS_MAIN(TestHttp)
#include "tst_http.moc"
