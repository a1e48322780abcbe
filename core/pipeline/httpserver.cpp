// SPDX-License-Identifier: Apache-2.0
#include "pipeline/httpserver.h"

#include "base/timeutil.h"
#include "ingest/jsontext.h"
#include "ingest/linesplitter.h"
#include "ingest/otlpmapper.h"
#include "ingest/otlpprotobuf.h"
#include "pipeline/connectionlimiter.h"
#include "pipeline/httprequest.h"
#include "pipeline/ingestpipeline.h"
#include "pipeline/listenerutil.h"
#include "pipeline/tcpserver.h"

#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include <algorithm>
#include <array>
#include <future>
#include <map>
#include <optional>
#include <thread>
#include <variant>

namespace vigil {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

namespace {

/// The gRPC status code OTLP/HTTP protobuf answers carry for an HTTP status.
int grpcCodeOf(int httpStatus)
{
    switch (httpStatus) {
    case 400:
    case 415: return 3;  // INVALID_ARGUMENT
    case 401: return 16; // UNAUTHENTICATED
    case 404:
    case 405: return 12; // UNIMPLEMENTED
    case 413:
    case 431: return 8;  // RESOURCE_EXHAUSTED
    case 429:
    case 503: return 14; // UNAVAILABLE
    default: return 13;  // INTERNAL
    }
}

using Clock = std::chrono::steady_clock;
using httpreq::Route;

std::string_view sv(beast::string_view s)
{
    return {s.data(), s.size()};
}

/// `s` as a JSON string literal.
std::string jsonEscaped(std::string_view s)
{
    std::string out;
    appendJsonString(out, s);
    return out;
}

class Session;

} // namespace

namespace detail {

struct HttpServerState : std::enable_shared_from_this<HttpServerState>
{

    /// A request whose answer waits for its records to be committed.
    struct Waiting
    {
        std::weak_ptr<Session> session;
        Route route = Route::Events;
        std::int64_t chunks = 0;  ///< NDJSON: batches not yet committed
        std::int64_t records = 0; ///< OTLP: records not yet committed (held ones included)
        CommitResult result;
        std::optional<Error> error;
        std::optional<Error> bodyRejected; ///< OTLP: the body as a whole is not OTLP JSON
        std::string firstRejection;
    };

    HttpServerState(IngestPipeline& p, HttpOptions o, std::shared_ptr<LiveCounters> c,
                    LiveLogSink l)
        : pipeline(p), options(std::move(o)), counters(std::move(c)), log(std::move(l)),
          limiter(ConnectionLimits{options.maxConnections, options.maxPerAddress,
                                   options.maxHandshaking, options.handshakeTimeout,
                                   options.limitLoopbackPerAddress})
    {
        if (!counters)
            counters = std::make_shared<LiveCounters>();
    }

    IngestPipeline& pipeline;
    HttpOptions options;
    std::shared_ptr<LiveCounters> counters;
    LiveLogSink log;
    TokenDigest token{};
    ConnectionLimiter limiter;
    std::optional<OtlpMapper> mapper; // I/O thread only

    // OTLP bodies are read on these threads, then joined by `mapper` on the I/O thread.
    std::optional<asio::thread_pool> readPool;
    ToolActionMap tools;
    OtlpMapperOptions mapperOptions;
    std::mutex readersMutex;
    std::vector<std::unique_ptr<OtlpReader>> idleReaders; // one per read at a time

    asio::io_context io;
    std::optional<asio::ssl::context> tls;
    tcp::acceptor acceptor{io};
    asio::steady_timer tick{io};
    asio::steady_timer acceptRetry{io};
    std::thread thread;
    std::shared_ptr<IoMailbox> mailbox = std::make_shared<IoMailbox>();

    mutable std::mutex stateMutex;
    std::string address;
    bool started = false;
    bool finished = false;

    // I/O thread only.
    std::map<ConnectionLimiter::Id, std::shared_ptr<Session>> sessions;
    std::map<std::uint64_t, Waiting> waiting; // by request tag
    std::uint64_t nextTag = 1;
    std::int64_t heldBodyBytes = 0;
    bool readingStopped = false;
    bool closing = false;
    Clock::time_point lastRefusalLog{};
    Clock::time_point lastBusyLog{};

    void say(const std::string& m) const
    {
        if (log)
            log(m);
    }
    /// Logs at most one line a second (a crowd of clients told to come back later).
    void sayThrottled(const std::string& m)
    {
        const auto now = Clock::now();
        if (now - lastBusyLog < std::chrono::seconds(1))
            return;
        lastBusyLog = now;
        say(m);
    }
    bool needsHandshake() const { return tls.has_value() || !options.token.empty(); }

    void accept();
    void admit(tcp::socket socket, const tcp::endpoint& remote);
    void scheduleTick();
    void onTick();

    /// Reads OTLP body `tag` on the read pool, then joins it on the I/O thread. `reserved`
    /// bytes of the memory budget stay held until it is read.
    void readOtlp(OtlpSignal signal, std::string body, OtlpEncoding encoding, std::uint64_t tag,
                  std::int64_t reserved, std::string sourceName);
    /// I/O thread: gives the records of a body read to the mapper and submits those ready.
    void joinOtlp(OtlpReadBody read, std::uint64_t tag, std::int64_t reserved,
                  const std::string& sourceName);
    /// Submits OTLP records the mapper released, one batch per request they came with.
    void submitRecords(std::vector<ForeignRecord> records, const std::string& sourceName);
    /// A batch of request `tag` was committed (or failed) with `records` of its records.
    void committed(std::uint64_t tag, std::int64_t records, const Result<CommitResult>& r,
                   const std::string& sourceName);
    /// Answers request `tag` if nothing of it is outstanding.
    void maybeAnswer(std::uint64_t tag);
};

} // namespace detail

namespace {

using Impl = detail::HttpServerState;

using httpreq::Refusal;

/// One client connection on the I/O thread: reads requests one at a time (no pipelining:
/// the next request is read after the answer is written), kept alive by its pending
/// operations and by the server's map until closed.
class Session : public std::enable_shared_from_this<Session>
{
public:
    Session(Impl& server, ConnectionLimiter::Id id, tcp::socket socket, std::string peer)
        : m_server(server), m_id(id), m_stream(makeStream(server, std::move(socket))),
          m_peer(std::move(peer)), m_source("http " + m_peer)
    {
    }

    const std::string& peer() const { return m_peer; }
    bool closed() const { return m_closed; }
    bool protobuf() const { return m_protobuf; }

    void start()
    {
        if (auto* s = std::get_if<TlsStream>(&m_stream)) {
            beast::get_lowest_layer(*s).expires_after(m_server.options.handshakeTimeout);
            s->async_handshake(asio::ssl::stream_base::server,
                               [self = shared_from_this()](const beast::error_code& ec) {
                                   self->onTlsHandshake(ec);
                               });
            return;
        }
        if (!m_server.needsHandshake())
            m_authenticated = true;
        readHeader();
    }

    /// Between requests: close now. Mid-request: the request is dropped, unanswered.
    void stopReading()
    {
        m_stopping = true;
        if (!m_busy)
            close();
    }

    /// Closes once the request waiting for its commit (if any) was answered.
    void finish()
    {
        m_stopping = true;
        if (!m_busy || !m_waiting)
            close();
    }
    bool waitingForCommit() const { return m_waiting; }

    void close()
    {
        if (m_closed)
            return;
        m_closed = true;
        releaseBody();
        beast::error_code ec;
        lowest().socket().shutdown(tcp::socket::shutdown_both, ec);
        lowest().close();
        m_server.limiter.release(m_id);
        --m_server.counters->connectionsOpen;
        m_server.sessions.erase(m_id);
    }

    /// The commit of the request waiting on this connection completed: answer it.
    void answer(http::status status, std::string body, bool keepAlive)
    {
        m_waiting = false;
        auto res = std::make_shared<http::response<http::string_body>>(status, m_version);
        res->set(http::field::server, "vigil");
        res->set(http::field::content_type, m_protobuf ? "application/x-protobuf" : "application/json");
        res->keep_alive(keepAlive && m_keepAlive && !m_stopping);
        res->body() = std::move(body);
        res->prepare_payload();
        write(res);
    }

    void refuse(const Refusal& r)
    {
        ++m_server.counters->httpRefused;
        if (r.retryAfterSeconds > 0 || r.status == 401)
            m_server.sayThrottled("HTTP: answered " + std::to_string(r.status) +
                                  " to " + m_peer + ": " + r.message);
        auto res = std::make_shared<http::response<http::string_body>>(
            static_cast<http::status>(r.status), m_version);
        res->set(http::field::server, "vigil");
        res->set(http::field::content_type, m_protobuf ? "application/x-protobuf" : "application/json");
        if (r.retryAfterSeconds > 0)
            res->set(http::field::retry_after, std::to_string(r.retryAfterSeconds));
        if (r.status == 401)
            res->set(http::field::www_authenticate, "Bearer realm=\"vigil\"");
        if (r.status == 405)
            res->set(http::field::allow, "POST");
        res->keep_alive(!r.close && m_keepAlive && !m_stopping);
        if (m_protobuf)
            res->body() = otlppb::errorStatus(grpcCodeOf(r.status), r.code + ": " + r.message);
        else
            res->body() = "{\"code\":" + jsonEscaped(r.code) + ",\"message\":" +
                          jsonEscaped(r.message) + "}";
        res->prepare_payload();
        write(res);
    }

private:
    using PlainStream = beast::tcp_stream;
    using TlsStream = beast::ssl_stream<beast::tcp_stream>;
    using Stream = std::variant<PlainStream, TlsStream>;

    static Stream makeStream(Impl& server, tcp::socket socket)
    {
        if (server.tls)
            return Stream(std::in_place_type<TlsStream>, beast::tcp_stream(std::move(socket)),
                          *server.tls);
        return Stream(std::in_place_type<PlainStream>, std::move(socket));
    }

    beast::tcp_stream& lowest()
    {
        return std::visit([](auto& s) -> beast::tcp_stream& { return beast::get_lowest_layer(s); },
                          m_stream);
    }

    void onTlsHandshake(const beast::error_code& ec)
    {
        if (m_closed)
            return;
        if (ec) {
            ++m_server.counters->authFailures;
            m_server.say("TLS handshake with " + m_peer + " failed: " + ec.message());
            close();
            return;
        }
        if (!m_server.options.tlsClientCaFile.empty()) {
            // The handshake only succeeds with a certificate the CA signed.
            const std::string cn = peerCommonName(std::get<TlsStream>(m_stream).native_handle());
            m_source = "http " + (cn.empty() ? std::string("client-certificate") : "CN=" + cn) +
                       " " + m_peer;
        }
        if (m_server.options.token.empty())
            authenticated();
        readHeader();
    }

    void authenticated()
    {
        if (m_authenticated)
            return;
        m_authenticated = true;
        m_server.limiter.authenticated(m_id);
    }

    void readHeader()
    {
        if (m_closed)
            return;
        if (m_stopping) {
            close();
            return;
        }
        m_parser.emplace();
        m_parser->header_limit(static_cast<std::uint32_t>(
            std::min<std::size_t>(m_server.options.maxHeaderBytes, UINT32_MAX)));
        m_parser->body_limit(m_server.options.maxBodyBytes);
        m_busy = false;
        m_protobuf = false;
        const auto wait = m_requests == 0 && !m_authenticated ? m_server.options.handshakeTimeout
                          : m_requests == 0                   ? m_server.options.requestTimeout
                                                              : m_server.options.idleTimeout;
        lowest().expires_after(wait);
        std::visit(
            [&](auto& s) {
                http::async_read_header(s, m_buffer, *m_parser,
                                        [self = shared_from_this()](const beast::error_code& ec,
                                                                    std::size_t) {
                                            self->onHeader(ec);
                                        });
            },
            m_stream);
    }

    void onHeader(const beast::error_code& ec)
    {
        if (m_closed)
            return;
        if (ec) {
            if (ec == http::error::body_limit) // a Content-Length over the limit
                return refuse({413, "http.too_large",
                               "the body is " +
                                   (m_parser->content_length()
                                        ? std::to_string(*m_parser->content_length()) + " bytes, "
                                        : std::string()) +
                                   "over the limit of " +
                                   std::to_string(m_server.options.maxBodyBytes) +
                                   " bytes; send smaller batches"});
            if (ec == http::error::header_limit)
                return refuse({431, "http.header_too_large",
                               "request headers are larger than " +
                                   std::to_string(m_server.options.maxHeaderBytes) + " bytes"});
            if (ec == beast::error::timeout)
                ++(m_requests == 0 && !m_authenticated ? m_server.counters->handshakeClosed
                                                       : m_server.counters->idleClosed);
            else if (ec != http::error::end_of_stream &&
                     ec.category() == make_error_code(http::error::bad_target).category())
                // Not HTTP/1.1 at all: say so, in case the peer still listens.
                return refuse({400, "http.bad_request",
                               "not an HTTP/1.1 request: " + ec.message()});
            close();
            return;
        }
        m_busy = true;
        ++m_requests;
        ++m_server.counters->httpRequests;
        auto& req = m_parser->get();
        m_version = req.version();
        m_keepAlive = req.keep_alive();
        lowest().expires_after(m_server.options.requestTimeout);

        httpreq::RequestHead head;
        head.method = sv(req.method_string());
        head.target = sv(req.target());
        head.authorization = sv(req[http::field::authorization]);
        head.contentType = sv(req[http::field::content_type]);
        head.contentEncoding = sv(req[http::field::content_encoding]);
        if (const auto n = m_parser->content_length())
            head.contentLength = static_cast<std::uint64_t>(*n);
        head.chunked = m_parser->chunked();
        // An OTLP client that sends protobuf reads its answers, refusals too, as protobuf.
        m_protobuf = httpreq::speaksProtobuf(head);
        const auto vetted = httpreq::vetRequest(
            head, m_server.options, m_server.options.token.empty() ? nullptr : &m_server.token);
        if (const auto* no = std::get_if<httpreq::Refusal>(&vetted)) {
            if (no->status == 401)
                ++m_server.counters->authFailures;
            return refuse(*no);
        }
        const auto& ok = std::get<httpreq::Accepted>(vetted);
        if (ok.authenticated)
            authenticated();
        m_route = ok.route;
        m_gzip = ok.gzip;
        const auto length = m_parser->content_length();
        if (m_server.readingStopped)
            return refuse({503, "http.stopping",
                           "the receiver is shutting down; send again later", 5});
        switch (m_server.pipeline.room()) {
        case IngestPipeline::Room::Free:
            break;
        case IngestPipeline::Room::Full:
            return refuse({429, "http.busy",
                           "the store is behind; send again after Retry-After", 1});
        case IngestPipeline::Room::StorageFailing:
            return refuse({503, "store.failing",
                           "storing is failing (" + m_server.pipeline.stats().writer.lastError +
                               "); send again after Retry-After",
                           5});
        }
        // Bodies held at once stay within the global budget (a chunked body counts at its
        // limit, since its length is not known yet).
        const std::int64_t reserve =
            static_cast<std::int64_t>(length ? *length : m_server.options.maxBodyBytes);
        if (m_server.heldBodyBytes + reserve >
            static_cast<std::int64_t>(m_server.options.globalBudgetBytes))
            return refuse({503, "http.memory",
                           "too many large requests at once; send again after Retry-After", 1});
        m_reserved = reserve;
        m_server.heldBodyBytes += reserve;
        m_server.counters->bufferedBytes += reserve;

        if (beast::iequals(req[http::field::expect], "100-continue")) {
            auto cont = std::make_shared<http::response<http::empty_body>>(http::status::continue_,
                                                                           m_version);
            std::visit(
                [&](auto& s) {
                    http::async_write(s, *cont,
                                      [self = shared_from_this(), cont](const beast::error_code& e,
                                                                        std::size_t) {
                                          if (e)
                                              return self->close();
                                          self->readBody();
                                      });
                },
                m_stream);
            return;
        }
        readBody();
    }

    void readBody()
    {
        if (m_closed)
            return;
        std::visit(
            [&](auto& s) {
                http::async_read(s, m_buffer, *m_parser,
                                 [self = shared_from_this()](const beast::error_code& ec,
                                                             std::size_t n) {
                                     self->onBody(ec, n);
                                 });
            },
            m_stream);
    }

    void onBody(const beast::error_code& ec, std::size_t bytes)
    {
        if (m_closed)
            return;
        if (ec == http::error::body_limit)
            return refuse({413, "http.too_large",
                           "the body is longer than " +
                               std::to_string(m_server.options.maxBodyBytes) +
                               " bytes; send smaller batches"});
        if (ec) {
            if (ec == beast::error::timeout)
                ++m_server.counters->idleClosed;
            close(); // cut off or too slow: nothing of it is stored, the client sends again
            return;
        }
        m_server.counters->bytesIn += static_cast<std::int64_t>(bytes);
        lowest().expires_never();
        if (m_server.readingStopped) {
            close(); // after stopReading() nothing new goes in: unanswered, sent again
            return;
        }
        std::string body = std::move(m_parser->get().body());
        if (m_gzip) {
            auto decoded = httpreq::inflateBody(body, m_server.options.maxDecodedBytes);
            if (!decoded)
                return refuse({decoded.error().code == "http.too_large" ? 413 : 400,
                               decoded.error().code, decoded.error().message, 0, false});
            body = std::move(*decoded);
        }
        if (m_route == Route::Events) {
            events(body);
            releaseBody();
        } else {
            otlp(m_route == Route::Traces ? OtlpSignal::Traces : OtlpSignal::Logs,
                 std::move(body));
        }
    }

    void releaseBody()
    {
        if (m_reserved == 0)
            return;
        m_server.heldBodyBytes -= m_reserved;
        m_server.counters->bufferedBytes -= m_reserved;
        m_reserved = 0;
    }

    /// NDJSON: every line becomes an event or a quarantine row; the answer waits for all.
    void events(std::string_view body)
    {
        const std::uint64_t tag = m_server.nextTag++;
        auto& w = m_server.waiting[tag];
        w.session = weak_from_this();
        w.route = Route::Events;
        m_waiting = true;
        RawChunk chunk;
        std::int64_t lineNo = 0;
        const auto submit = [&] {
            if (chunk.lines.empty())
                return;
            ++w.chunks;
            chunk.sourceName = m_source;
            m_server.counters->linesIn += static_cast<std::int64_t>(chunk.lines.size());
            chunk.onCommitted = [mailbox = m_server.mailbox, counters = m_server.counters,
                                 state = m_server.weak_from_this(), tag,
                                 source = m_source](const Result<CommitResult>& r) {
                counters->recordCommit(r);
                mailbox->post([state, tag, r, source] {
                    if (auto s = state.lock())
                        s->committed(tag, 0, r, source);
                });
            };
            m_server.pipeline.submit(std::move(chunk));
            chunk = RawChunk{};
        };
        LineSplitter splitter(m_server.options.maxLineBytes);
        const auto onLine = [&](const SplitLine& l) {
            ++lineNo;
            if (isBlankLine(l.text) && !l.overlong)
                return;
            chunk.addLine(l.text, l.overlong, l.fullBytes, lineNo);
            if (chunk.lines.size() >= m_server.options.chunkLines)
                submit();
        };
        splitter.feed(body, onLine);
        splitter.finish(onLine);
        submit();
        m_server.maybeAnswer(tag);
    }

    /// OTLP: one record per span or log record; those waiting for a parent are answered for
    /// once they are stored too. The body is read off this thread and keeps its share of the
    /// memory budget until then.
    void otlp(OtlpSignal signal, std::string body)
    {
        const std::uint64_t tag = m_server.nextTag++;
        auto& w = m_server.waiting[tag];
        w.session = weak_from_this();
        w.route = signal == OtlpSignal::Traces ? Route::Traces : Route::Logs;
        m_waiting = true;
        m_server.readOtlp(signal, std::move(body),
                          m_protobuf ? OtlpEncoding::Protobuf : OtlpEncoding::Json, tag,
                          std::exchange(m_reserved, 0), "otlp " + m_peer);
    }

    template <typename Response> void write(const std::shared_ptr<Response>& res)
    {
        if (m_closed)
            return;
        const bool keep = res->keep_alive();
        lowest().expires_after(m_server.options.requestTimeout);
        std::visit(
            [&](auto& s) {
                http::async_write(s, *res,
                                  [self = shared_from_this(), res, keep](const beast::error_code& ec,
                                                                         std::size_t) {
                                      if (ec || !keep)
                                          return self->close();
                                      self->readHeader();
                                  });
            },
            m_stream);
    }

    Impl& m_server;
    const ConnectionLimiter::Id m_id;
    Stream m_stream;
    std::string m_peer;
    std::string m_source;
    beast::flat_buffer m_buffer{8192};
    std::optional<http::request_parser<http::string_body>> m_parser;
    unsigned m_version = 11;
    bool m_keepAlive = true;
    bool m_authenticated = false;
    bool m_closed = false;
    bool m_busy = false;     // a request is being read or answered
    bool m_waiting = false;  // its answer waits for the commit
    bool m_stopping = false;
    bool m_gzip = false;
    bool m_protobuf = false; // the request is OTLP protobuf, and so is its answer
    Route m_route = Route::Events;
    std::int64_t m_requests = 0;
    std::int64_t m_reserved = 0;
};

} // namespace

void detail::HttpServerState::readOtlp(OtlpSignal signal, std::string body,
                                       OtlpEncoding encoding, std::uint64_t tag,
                                       std::int64_t reserved, std::string sourceName)
{
    asio::post(*readPool, [state = shared_from_this(), signal, body = std::move(body), encoding,
                           tag, reserved, sourceName = std::move(sourceName)]() mutable {
        std::unique_ptr<OtlpReader> reader;
        {
            std::lock_guard l(state->readersMutex);
            if (!state->idleReaders.empty()) {
                reader = std::move(state->idleReaders.back());
                state->idleReaders.pop_back();
            }
        }
        if (!reader)
            reader = std::make_unique<OtlpReader>(state->tools, state->mapperOptions);
        OtlpReadBody read = reader->read(signal, body, tag, encoding);
        {
            std::lock_guard l(state->readersMutex);
            state->idleReaders.push_back(std::move(reader));
        }
        body = std::string(); // gone before the join
        state->mailbox->post(
            [state, read = std::make_shared<OtlpReadBody>(std::move(read)), tag, reserved,
             sourceName = std::move(sourceName)] {
                state->joinOtlp(std::move(*read), tag, reserved, sourceName);
            });
    });
}

void detail::HttpServerState::joinOtlp(OtlpReadBody read, std::uint64_t tag,
                                       std::int64_t reserved, const std::string& sourceName)
{
    heldBodyBytes -= reserved;
    counters->bufferedBytes -= reserved;
    if (closing || !mapper)
        return; // unanswered: its client sends it again
    std::optional<Error> rejected;
    if (const Error* bad = read.rejection())
        rejected = *bad;
    std::vector<ForeignRecord> records = mapper->join(std::move(read), nowEpochMs());
    if (readingStopped) {
        // The mapper was flushed when reading stopped: nothing read after may wait either.
        std::vector<ForeignRecord> held = mapper->flush();
        std::move(held.begin(), held.end(), std::back_inserter(records));
    }
    if (const auto it = waiting.find(tag); it != waiting.end()) {
        Waiting& w = it->second;
        for (const ForeignRecord& r : records)
            if (r.tag == tag)
                ++w.records;
        w.records += static_cast<std::int64_t>(mapper->pendingCount(tag));
        w.bodyRejected = std::move(rejected);
    }
    submitRecords(std::move(records), sourceName);
    maybeAnswer(tag);
}

void detail::HttpServerState::submitRecords(std::vector<ForeignRecord> records,
                                            const std::string& sourceName)
{
    // One batch per request: its commit result is then that request's alone.
    std::map<std::uint64_t, RawChunk> byTag;
    std::map<std::uint64_t, std::int64_t> counts;
    for (const ForeignRecord& r : records) {
        byTag[r.tag].addRecord(r);
        ++counts[r.tag];
        if (r.rejected())
            if (auto it = waiting.find(r.tag); it != waiting.end() && it->second.firstRejection.empty())
                it->second.firstRejection = r.rejectCode + ": " + r.rejectMessage;
    }
    for (auto& [tag, chunk] : byTag) {
        const std::int64_t n = counts[tag];
        chunk.sourceName = sourceName;
        counters->linesIn += n;
        if (auto it = waiting.find(tag); it != waiting.end())
            ++it->second.chunks;
        chunk.onCommitted = [mailbox = mailbox, counters = counters, state = weak_from_this(), tag,
                             n, sourceName](const Result<CommitResult>& r) {
            counters->recordCommit(r);
            mailbox->post([state, tag, n, r, sourceName] {
                if (auto s = state.lock())
                    s->committed(tag, n, r, sourceName);
            });
        };
        pipeline.submit(std::move(chunk));
    }
}

void detail::HttpServerState::committed(std::uint64_t tag, std::int64_t records,
                                        const Result<CommitResult>& r,
                                        const std::string& sourceName)
{
    if (!r) {
        // Nothing of the batch is stored and its request is answered 503, so its client
        // sends it again: the source may take later batches.
        pipeline.resumeSource(sourceName);
        say("storing a request from " + sourceName + " failed, answered 503: " +
            r.error().message);
    }
    const auto it = waiting.find(tag);
    if (it == waiting.end())
        return;
    Waiting& w = it->second;
    --w.chunks;
    w.records -= records;
    if (r) {
        w.result.accepted += r->accepted;
        w.result.duplicates += r->duplicates;
        w.result.rejected += r->rejected;
        w.result.findings += r->findings;
    } else if (!w.error) {
        w.error = r.error();
    }
    maybeAnswer(tag);
}

void detail::HttpServerState::maybeAnswer(std::uint64_t tag)
{
    const auto it = waiting.find(tag);
    if (it == waiting.end() || it->second.chunks > 0 || it->second.records > 0)
        return;
    Waiting w = std::move(it->second);
    waiting.erase(it);
    const auto session = w.session.lock();
    if (!session || session->closed())
        return;
    if (w.error) {
        const bool passing = w.error->code == "store.full" || w.error->code == "store.io" ||
                             w.error->code == "store.busy" || w.error->code == "store.nomem";
        session->refuse({503, w.error->code,
                         "not stored: " + w.error->message + "; send again later",
                         passing ? 5 : 30, false});
        return;
    }
    if (w.bodyRejected) {
        // OTLP says 400 for a body that cannot be read; it is quarantined all the same.
        session->refuse({400, w.bodyRejected->code,
                         w.bodyRejected->message + " (kept in Vigil's quarantine)", 0, false});
        return;
    }
    std::string body;
    const std::string partialMessage =
        std::to_string(w.result.rejected) + " record(s) quarantined in Vigil" +
        (w.firstRejection.empty() ? std::string() : ", the first: " + w.firstRejection);
    if (session->protobuf()) {
        body = otlppb::exportResponse(w.route == Route::Traces ? OtlpSignal::Traces
                                                               : OtlpSignal::Logs,
                                      w.result.rejected, partialMessage);
    } else if (w.route == Route::Events) {
        body = "{\"accepted\":" + std::to_string(w.result.accepted) +
               ",\"duplicates\":" + std::to_string(w.result.duplicates) +
               ",\"rejected\":" + std::to_string(w.result.rejected) + "}";
    } else if (w.result.rejected == 0) {
        body = "{}";
    } else {
        // OTLP's partial success: the rest is stored, these are quarantined with a reason, and
        // the client must not send them again.
        body = std::string("{\"partialSuccess\":{\"") +
               (w.route == Route::Traces ? "rejectedSpans" : "rejectedLogRecords") + "\":\"" +
               std::to_string(w.result.rejected) + "\",\"errorMessage\":" +
               jsonEscaped(partialMessage) + "}}";
    }
    session->answer(http::status::ok, std::move(body), true);
}

void detail::HttpServerState::accept()
{
    acceptor.async_accept(
        [self = shared_from_this()](const boost::system::error_code& ec, tcp::socket socket) {
            if (!self->acceptor.is_open() || self->readingStopped)
                return;
            if (ec) {
                if (ec == asio::error::operation_aborted)
                    return;
                self->acceptRetry.expires_after(std::chrono::milliseconds(100));
                self->acceptRetry.async_wait([self](const boost::system::error_code& e) {
                    if (!e)
                        self->accept();
                });
                return;
            }
            boost::system::error_code pe;
            const auto remote = socket.remote_endpoint(pe);
            if (pe) {
                boost::system::error_code ignored;
                socket.close(ignored);
            } else {
                self->admit(std::move(socket), remote);
            }
            self->accept();
        });
}

void detail::HttpServerState::admit(tcp::socket socket, const tcp::endpoint& remote)
{
    const std::string peer = endpointText(remote);
    auto a = limiter.admit(remote.address(), needsHandshake());
    if (!a.admitted()) {
        ++counters->connectionsRefused;
        boost::system::error_code ignored;
        socket.close(ignored);
        if (Clock::now() - lastRefusalLog >= std::chrono::seconds(1)) {
            lastRefusalLog = Clock::now();
            say("HTTP: refused a connection from " + peer + ": " + a.reason);
        }
        return;
    }
    for (const ConnectionLimiter::Id id : a.evicted)
        if (const auto it = sessions.find(id); it != sessions.end()) {
            ++counters->handshakeClosed;
            const auto old = it->second;
            old->close();
        }
    boost::system::error_code ec;
    socket.set_option(tcp::no_delay(true), ec);
    auto s = std::make_shared<Session>(*this, a.id, std::move(socket), peer);
    sessions.emplace(a.id, s);
    ++counters->connectionsOpen;
    ++counters->connectionsAccepted;
    s->start();
}

void detail::HttpServerState::scheduleTick()
{
    tick.expires_after(std::chrono::milliseconds(100));
    tick.async_wait([self = shared_from_this()](const boost::system::error_code& ec) {
        if (!ec)
            self->onTick();
    });
}

void detail::HttpServerState::onTick()
{
    if (!readingStopped) {
        for (const ConnectionLimiter::Id id : limiter.expired())
            if (const auto it = sessions.find(id); it != sessions.end()) {
                ++counters->handshakeClosed;
                const auto s = it->second;
                s->close();
            }
        // Records whose parent did not come within the join window go with the best agent
        // known; their requests can then be answered.
        if (mapper)
            submitRecords(mapper->expire(nowEpochMs()), "otlp (joined late)");
    }
    if (!closing)
        scheduleTick();
}

HttpServer::HttpServer(IngestPipeline& pipeline, HttpOptions options,
                       std::shared_ptr<LiveCounters> counters, LiveLogSink log)
    : m_impl(std::make_shared<detail::HttpServerState>(pipeline, std::move(options),
                                                       std::move(counters), std::move(log)))
{
}

HttpServer::~HttpServer()
{
    stopReading();
    stop(std::chrono::milliseconds(0));
}

Result<void> HttpServer::start()
{
    detail::HttpServerState& s = *m_impl;
    {
        std::lock_guard l(s.stateMutex);
        if (s.started)
            return fail("http.started", "the HTTP receiver is already running");
    }
    const HttpOptions& o = s.options;
    const std::string where =
        (o.host.find(':') != std::string::npos ? "[" + o.host + "]" : o.host) + ":" +
        std::to_string(o.port);
    boost::system::error_code ec;
    const auto addr = asio::ip::make_address(o.host == "localhost" ? "127.0.0.1" : o.host, ec);
    if (ec)
        return fail("http.bad_address", "cannot listen on " + where + ": not an IP address");
    if (!isLoopbackHost(o.host) && o.token.empty() && o.tlsClientCaFile.empty())
        return fail("http.token_required",
                    "refusing to listen for HTTP on " + where +
                        ": a non-loopback address accepts events from other machines, so it "
                        "needs a token (set VIGIL_TOKEN or give a token file) or client "
                        "certificates (--tls-client-ca)");
    if (o.tlsCertFile.empty() != o.tlsKeyFile.empty())
        return fail("http.tls_incomplete", "TLS needs both a certificate and a private key file");
    if (!o.tlsClientCaFile.empty() && o.tlsCertFile.empty())
        return fail("http.tls_incomplete",
                    "client certificates (--tls-client-ca) need the server's own certificate "
                    "and key (--tls-cert, --tls-key)");
    if (o.maxConnections == 0 || o.maxBodyBytes == 0 || o.maxHeaderBytes == 0 ||
        o.maxLineBytes == 0 || o.chunkLines == 0 || o.handshakeTimeout.count() <= 0 ||
        o.requestTimeout.count() <= 0 || o.idleTimeout.count() <= 0 ||
        o.globalBudgetBytes < o.maxBodyBytes)
        return fail("http.bad_limit",
                    "HTTP limits and timeouts must be > 0, and the memory budget at least one "
                    "body");
    if (!o.tlsCertFile.empty()) {
        s.tls.emplace(asio::ssl::context::tls_server);
        if (auto r = configureServerTls(*s.tls, o.tlsCertFile, o.tlsKeyFile, o.tlsClientCaFile,
                                        "http");
            !r) {
            s.tls.reset();
            return r;
        }
    }
    if (!o.token.empty())
        s.token = tokenDigest(o.token);
    auto tools = o.tools ? Result<ToolActionMap>(*o.tools) : ToolActionMap::builtin();
    if (!tools)
        return std::unexpected(tools.error());
    OtlpMapperOptions mo;
    mo.joinWindowMs = o.otlpJoinWindowMs;
    mo.maxBodyBytes = o.maxDecodedBytes;
    s.tools = *tools;
    s.mapperOptions = mo;
    s.mapper.emplace(std::move(*tools), mo);
    // Reading a body is most of an OTLP request's work; one thread per core, at most four.
    s.readPool.emplace(std::clamp(std::thread::hardware_concurrency(), 1U, 4U));

    const auto bound =
        listenOn(s.acceptor, tcp::endpoint(addr, o.port), "listen for HTTP on " + where, "http.listen");
    if (!bound)
        return std::unexpected(bound.error());
    {
        std::lock_guard l(s.stateMutex);
        s.address = endpointText(*bound);
        s.started = true;
    }
    s.mailbox->open(s.io);
    s.accept();
    s.scheduleTick();
    s.thread = std::thread([p = m_impl] { p->io.run(); });
    return {};
}

std::string HttpServer::listenAddress() const
{
    std::lock_guard l(m_impl->stateMutex);
    return m_impl->address;
}

void HttpServer::stopReading()
{
    detail::HttpServerState& s = *m_impl;
    {
        std::lock_guard l(s.stateMutex);
        if (!s.started || s.finished)
            return;
    }
    std::promise<void> done;
    asio::post(s.io, [&s, &done] {
        if (!s.readingStopped) {
            s.readingStopped = true;
            boost::system::error_code ec;
            s.acceptor.close(ec);
            s.acceptRetry.cancel();
            std::vector<std::shared_ptr<Session>> all;
            for (auto& [id, c] : s.sessions)
                all.push_back(c);
            for (auto& c : all)
                if (!c->waitingForCommit())
                    c->stopReading();
            // What still waits for a parent goes now, with the best agent known.
            if (s.mapper)
                s.submitRecords(s.mapper->flush(), "otlp (joined late)");
        }
        done.set_value();
    });
    done.get_future().wait();
}

void HttpServer::stop(std::chrono::milliseconds grace)
{
    detail::HttpServerState& s = *m_impl;
    {
        std::lock_guard l(s.stateMutex);
        if (!s.started || s.finished)
            return;
        s.finished = true;
    }
    asio::post(s.io, [&s, grace] {
        s.readingStopped = true;
        boost::system::error_code ec;
        s.acceptor.close(ec);
        s.acceptRetry.cancel();
        std::vector<std::shared_ptr<Session>> all;
        for (auto& [id, c] : s.sessions)
            all.push_back(c);
        for (auto& c : all)
            c->finish();
        auto deadline = std::make_shared<asio::steady_timer>(s.io);
        const auto until = Clock::now() + grace;
        auto check = std::make_shared<std::function<void()>>();
        *check = [&s, deadline, until, check] {
            if (s.sessions.empty() || Clock::now() >= until) {
                s.closing = true;
                std::vector<std::shared_ptr<Session>> rest;
                for (auto& [id, c] : s.sessions)
                    rest.push_back(c);
                for (auto& c : rest)
                    c->close();
                s.tick.cancel();
                s.io.stop();
                *check = nullptr;
                return;
            }
            deadline->expires_after(std::chrono::milliseconds(5));
            deadline->async_wait([check](const boost::system::error_code&) {
                if (*check)
                    (*check)();
            });
        };
        (*check)();
    });
    if (s.thread.joinable())
        s.thread.join();
    if (s.readPool)
        s.readPool->join(); // what the readers post now is dropped below, the server closing
    s.mailbox->close();
    s.sessions.clear();
    s.waiting.clear();
    s.io.restart();
    s.io.poll();
}

} // namespace vigil
