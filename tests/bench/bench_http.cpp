// SPDX-License-Identifier: Apache-2.0
// HTTP receiver figures (docs/performance.md, "HTTP receiver"): sustained events/s from 4
// HTTP/1.1 keep-alive clients posting NDJSON to /v1/events and OTLP (GenAI spans, as JSON and
// as protobuf) to /v1/traces, each request waiting for its 200 (which Vigil sends once the batch is
// committed), into SQLite with scanning on; and request-to-commit latency (send of a request
// to its 200) p50/p99 at a paced 10,000 events/s. Run by tests/bench/http.sh.
//
//   bench_http [--events N] [--clients C] [--batch B] [--rate R] [--seconds S]
//              [--workers W] [--dir DIR] [--mode ndjson|otlp|otlp-protobuf|both]
//
// `both` runs NDJSON and OTLP JSON; otlp-protobuf sends the same spans as OTLP JSON, each
// body re-encoded as protobuf before the clock starts.
#include "benchevents.h"
#include "otlpprotobufbody.h"

#include "base/timeutil.h"
#include "pipeline/engine.h"
#include "pipeline/liveingest.h"

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <sys/resource.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

using namespace vigil;
using vigil::bench::makeEvent;
using vigil::bench::percentile;
using Clock = std::chrono::steady_clock;
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;

namespace {

struct Run
{
    std::unique_ptr<StoreWriter> writer;
    std::unique_ptr<LiveIngest> live;
    int port = 0;
};

Run startRun(const std::string& db, const Engine& engine, unsigned workers)
{
    for (const char* suffix : {"", "-wal", "-shm"})
        std::filesystem::remove(db + suffix);
    StoreWriterOptions wo;
    wo.queueCapacity = 8; // as `vigil-cli serve`
    wo.retryMs = -1;
    auto w = StoreWriter::open(db, wo);
    if (!w) {
        std::fprintf(stderr, "bench_http: %s\n", w.error().message.c_str());
        std::exit(1);
    }
    Run r;
    r.writer = std::move(*w);
    LiveOptions o;
    o.tcp.reset();
    o.http.emplace();
    o.http->port = 0;
    o.pipeline.scanFactory = engine.scanFactory();
    o.pipeline.workers = workers;
    r.live = std::make_unique<LiveIngest>(*r.writer, o);
    if (auto s = r.live->start(); !s) {
        std::fprintf(stderr, "bench_http: %s\n", s.error().message.c_str());
        std::exit(1);
    }
    const std::string addr = r.live->httpAddress();
    r.port = std::stoi(addr.substr(addr.rfind(':') + 1));
    return r;
}

/// One keep-alive client; post() blocks until the answer. 429/503 are waited out and the
/// request sent again, as a shipper does.
class Client
{
public:
    explicit Client(int port) : m_port(port), m_stream(m_io) { connect(); }
    void connect()
    {
        m_stream.connect(asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"),
                                                 static_cast<unsigned short>(m_port)));
        m_stream.socket().set_option(asio::ip::tcp::no_delay(true));
    }
    int post(const std::string& target, const std::string& type, const std::string& body)
    {
        for (;;) {
            http::request<http::string_body> req{http::verb::post, target, 11};
            req.set(http::field::host, "127.0.0.1");
            req.set(http::field::content_type, type);
            req.body() = body;
            req.prepare_payload();
            http::write(m_stream, req);
            http::response<http::string_body> res;
            http::read(m_stream, m_buffer, res);
            const int status = static_cast<int>(res.result_int());
            if (status == 429 || status == 503) {
                // Refused before its body was read, so the server closed the connection.
                ++retries;
                std::this_thread::sleep_for(std::chrono::milliseconds(100));
                beast::error_code ignored;
                m_stream.socket().close(ignored);
                m_buffer.clear();
                connect();
                continue;
            }
            return status;
        }
    }
    std::int64_t retries = 0;

private:
    int m_port;
    asio::io_context m_io;
    beast::tcp_stream m_stream;
    beast::flat_buffer m_buffer;
};

std::string hex(std::uint64_t v, int digits)
{
    static const char* d = "0123456789abcdef";
    std::string s(static_cast<std::size_t>(digits), '0');
    for (int i = digits - 1; i >= 0 && v; --i, v >>= 4)
        s[static_cast<std::size_t>(i)] = d[v & 15];
    return s;
}

/// An ExportTraceServiceRequest of `n` GenAI spans: per agent run, an invoke_agent span with
/// a chat span and an execute_tool span under it (children first, as exporters send them).
std::string otlpBody(int client, std::int64_t first, int n, std::int64_t nowNs)
{
    std::string spans;
    for (int k = 0; k < n; ++k) {
        const std::int64_t i = first + k;
        const std::int64_t run = i / 3;
        const std::string trace = hex(0x5b8e000000000000ull + static_cast<std::uint64_t>(client), 16) +
                                  hex(static_cast<std::uint64_t>(run) + 1, 16);
        const std::string parent = hex(static_cast<std::uint64_t>(run * 4 + 1), 16);
        const std::string self = hex(static_cast<std::uint64_t>(i * 4 + 2), 16);
        const std::string t0 = std::to_string(nowNs), t1 = std::to_string(nowNs + 1000000);
        std::string attrs;
        std::string id = self, parentId = parent, name;
        switch (i % 3) {
        case 0:
            name = "chat gpt-4o";
            attrs = R"({"key":"gen_ai.operation.name","value":{"stringValue":"chat"}},)"
                    R"({"key":"gen_ai.request.model","value":{"stringValue":"gpt-4o"}},)"
                    R"({"key":"gen_ai.usage.input_tokens","value":{"intValue":"812"}},)"
                    R"({"key":"gen_ai.input.messages","value":{"stringValue":"[{\"role\":\"user\",\"parts\":[{\"type\":\"text\",\"content\":\"Viewers by region for channel )" +
                    std::to_string(i % 40) + R"( last week\"}]}]"}})";
            break;
        case 1:
            name = "execute_tool s3_get_object";
            attrs = R"({"key":"gen_ai.operation.name","value":{"stringValue":"execute_tool"}},)"
                    R"({"key":"gen_ai.tool.name","value":{"stringValue":"s3_get_object"}},)"
                    R"({"key":"gen_ai.tool.call.arguments","value":{"stringValue":"{\"bucket\":\"data\",\"key\":\"readonly/)" +
                    std::to_string(i) + R"(.csv\"}"}})";
            break;
        default:
            name = "invoke_agent analyst";
            id = parent;
            parentId.clear();
            attrs = R"({"key":"gen_ai.operation.name","value":{"stringValue":"invoke_agent"}},)"
                    R"({"key":"gen_ai.agent.name","value":{"stringValue":"analyst-)" +
                    std::to_string(client) + R"("}})";
            break;
        }
        if (!spans.empty())
            spans += ',';
        spans += R"({"traceId":")" + trace + R"(","spanId":")" + id + R"(","parentSpanId":")" +
                 parentId + R"(","name":")" + name + R"(","kind":1,"startTimeUnixNano":")" + t0 +
                 R"(","endTimeUnixNano":")" + t1 + R"(","attributes":[)" + attrs + "]}";
    }
    return R"({"resourceSpans":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"bench-agents"}}]},"scopeSpans":[{"scope":{"name":"bench"},"spans":[)" +
           spans + "]}]}]}";
}

long peakRssMiB()
{
    rusage u{};
    getrusage(RUSAGE_SELF, &u);
    return u.ru_maxrss / 1024;
}

struct Mode
{
    const char* name;
    const char* target;
    const char* type;
    bool otlp;
    bool protobuf = false;
};

std::string spansBody(const Mode& mode, int client, std::int64_t first, int n, std::int64_t nowNs)
{
    std::string json = otlpBody(client, first, n, nowNs);
    return mode.protobuf ? vigil::test::otlpJsonToProtobuf(json, true) : json;
}

void throughput(const Mode& mode, const Engine& engine, const std::string& dir, unsigned workers,
                std::int64_t events, int clients, int batch)
{
    // An agent run's three spans stay in one request: a child whose parent comes in the
    // client's next request would wait out the join window, since each client waits for an
    // answer before it sends again (docs/protocol.md).
    if (mode.otlp)
        batch = std::max(3, batch / 3 * 3);
    const std::int64_t perClient = events / clients / batch * batch;
    const std::int64_t total = perClient * clients;
    // Bodies are made before the clock starts.
    std::vector<std::vector<std::string>> bodies(static_cast<std::size_t>(clients));
    const std::string ts = formatRfc3339Utc(nowEpochMs());
    const std::int64_t nowNs = nowEpochMs() * 1'000'000;
    std::size_t bytes = 0;
    for (int c = 0; c < clients; ++c)
        for (std::int64_t i = 0; i < perClient; i += batch) {
            std::string b;
            if (mode.otlp) {
                b = spansBody(mode, c, i, batch, nowNs);
            } else {
                for (int k = 0; k < batch; ++k)
                    b += makeEvent(c, i + k, ts) + "\n";
            }
            bytes += b.size();
            bodies[std::size_t(c)].push_back(std::move(b));
        }
    Run r = startRun(dir + "/" + mode.name + "-throughput.db", engine, workers);
    std::atomic<std::int64_t> bad{0}, retries{0};
    const auto t0 = Clock::now();
    std::vector<std::thread> senders;
    for (int c = 0; c < clients; ++c)
        senders.emplace_back([&, c] {
            Client client(r.port);
            for (const std::string& b : bodies[std::size_t(c)])
                if (client.post(mode.target, mode.type, b) != 200)
                    ++bad;
            retries += client.retries;
        });
    for (auto& t : senders)
        t.join();
    // Every request was answered 200 after its commit: everything is stored now.
    const double secs = std::chrono::duration<double>(Clock::now() - t0).count();
    const LiveStats s = r.live->stats();
    r.live->stop();
    r.writer->close();
    std::printf("%s throughput: %lld %s from %d HTTP clients in requests of %d (%.1f MB) "
                "answered (= committed) in %.2f s: %.0f/s, %.1f MB/s; %lld stored, %lld "
                "findings, %lld quarantined, %lld non-200, %lld 429/503 retried; peak RSS "
                "%ld MiB\n",
                mode.name, static_cast<long long>(total), mode.otlp ? "spans" : "events",
                clients, batch, double(bytes) / 1e6, secs, double(total) / secs,
                double(bytes) / 1e6 / secs, static_cast<long long>(s.accepted),
                static_cast<long long>(s.findings), static_cast<long long>(s.rejected),
                static_cast<long long>(bad.load()), static_cast<long long>(retries.load()),
                peakRssMiB());
}

void latency(const Mode& mode, const Engine& engine, const std::string& dir, unsigned workers,
             int clients, int rate, int seconds)
{
    Run r = startRun(dir + "/" + mode.name + "-latency.db", engine, workers);
    const int ticksPerSecond = 100; // one request every 10 ms per client
    int perRequest = std::max(1, rate / clients / ticksPerSecond);
    if (mode.otlp) // whole agent runs, as in throughput()
        perRequest = (perRequest + 2) / 3 * 3;
    rate = perRequest * clients * ticksPerSecond;
    std::mutex m;
    std::vector<std::int64_t> us;
    std::vector<std::thread> senders;
    for (int c = 0; c < clients; ++c)
        senders.emplace_back([&, c] {
            Client client(r.port);
            auto next = Clock::now();
            std::int64_t i = 0;
            std::vector<std::int64_t> mine;
            for (int tick = 0; tick < seconds * ticksPerSecond; ++tick) {
                next += std::chrono::milliseconds(1000 / ticksPerSecond);
                std::this_thread::sleep_until(next);
                std::string body;
                if (mode.otlp) {
                    body = spansBody(mode, c + 100, i, perRequest, nowEpochMs() * 1'000'000);
                } else {
                    const std::string now = formatRfc3339Utc(nowEpochMs());
                    for (int k = 0; k < perRequest; ++k)
                        body += makeEvent(c + 100, i + k, now) + "\n";
                }
                i += perRequest;
                const auto sent = Clock::now();
                client.post(mode.target, mode.type, body);
                mine.push_back(std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - sent).count());
            }
            std::lock_guard l(m);
            us.insert(us.end(), mine.begin(), mine.end());
        });
    for (auto& t : senders)
        t.join();
    r.live->stop();
    r.writer->close();
    const std::size_t n = us.size();
    const double mx = n ? double(*std::max_element(us.begin(), us.end())) : 0;
    const double p50 = percentile(us, 0.50), p99 = percentile(us, 0.99);
    std::printf("%s latency: %zu requests of %d at %d %s/s from %d HTTP clients over %d s, "
                "request-to-commit (to its 200) p50 %.1f ms, p99 %.1f ms, max %.1f ms\n",
                mode.name, n, perRequest, rate, mode.otlp ? "spans" : "events", clients, seconds,
                p50 / 1000, p99 / 1000, mx / 1000);
}

} // namespace

int main(int argc, char** argv)
{
    std::int64_t events = 400000;
    int clients = 4, batch = 1000, rate = 10000, seconds = 10;
    unsigned workers = 0;
    std::string dir = std::filesystem::temp_directory_path() / "vigil-bench-http";
    std::string which = "both";
    for (int i = 1; i + 1 < argc; i += 2) {
        const std::string k = argv[i], v = argv[i + 1];
        if (k == "--events")
            events = std::stoll(v);
        else if (k == "--clients")
            clients = std::stoi(v);
        else if (k == "--batch")
            batch = std::stoi(v);
        else if (k == "--rate")
            rate = std::stoi(v);
        else if (k == "--seconds")
            seconds = std::stoi(v);
        else if (k == "--workers")
            workers = static_cast<unsigned>(std::stoul(v));
        else if (k == "--dir")
            dir = v;
        else if (k == "--mode")
            which = v;
        else {
            std::fprintf(stderr, "bench_http: unknown option %s\n", k.c_str());
            return 1;
        }
    }
    std::filesystem::create_directories(dir);
    auto engine = Engine::load(std::nullopt, std::nullopt);
    if (!engine) {
        std::fprintf(stderr, "bench_http: %s\n", engine.error().message.c_str());
        return 1;
    }
    const Mode modes[] = {{"ndjson", "/v1/events", "application/x-ndjson", false},
                          {"otlp", "/v1/traces", "application/json", true},
                          {"otlp-protobuf", "/v1/traces", "application/x-protobuf", true, true}};
    for (const Mode& mode : modes) {
        if (which != mode.name && (which != "both" || mode.protobuf))
            continue;
        throughput(mode, *engine, dir, workers, events, clients, batch);
        latency(mode, *engine, dir, workers, clients, rate, seconds);
    }
    return 0;
}
