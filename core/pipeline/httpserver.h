// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "base/result.h"
#include "ingest/decoder.h"
#include "ingest/toolactionmap.h"
#include "pipeline/livecounters.h"

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

namespace vigil {

class IngestPipeline;
namespace detail {
struct HttpServerState;
}

/// OTLP/HTTP's registered port; Vigil listens on loopback by default.
inline constexpr std::uint16_t kDefaultHttpPort = 4318;

/// Settings of the HTTP receiver. The defaults are the documented ones (docs/protocol.md,
/// "HTTP").
struct HttpOptions
{
    std::string host = "127.0.0.1";        ///< an IP literal or `localhost`
    std::uint16_t port = kDefaultHttpPort; ///< 0 picks a free port (see listenAddress())
    /// Required as `Authorization: Bearer <token>` when set; empty means no token, which only
    /// a loopback address allows (or a client certificate, see tlsClientCaFile). Never logged.
    std::string token;
    std::string tlsCertFile; ///< PEM certificate chain; with tlsKeyFile, HTTPS only
    std::string tlsKeyFile;  ///< PEM private key
    /// PEM CA bundle: clients must present a certificate it signed (mutual TLS). A verified
    /// certificate authenticates the connection (with a token, both are required) and its
    /// subject's common name names the source.
    std::string tlsClientCaFile;
    std::size_t maxBodyBytes = 16u << 20;    ///< a request body as sent; over it: 413
    std::size_t maxDecodedBytes = 64u << 20; ///< after Content-Encoding: gzip; over it: 413
    std::size_t maxHeaderBytes = 16u << 10;  ///< request line and headers; over it: 431
    std::size_t maxLineBytes = kMaxLineBytes;///< NDJSON lines over it are quarantined
    std::size_t maxConnections = 256;
    std::size_t maxPerAddress = 32; ///< see TcpOptions; loopback unlimited unless asked
    bool limitLoopbackPerAddress = false;
    std::size_t maxHandshaking = 0; ///< 0: half of maxConnections
    /// The TLS handshake and the first request's headers must arrive within this.
    std::chrono::milliseconds handshakeTimeout{std::chrono::seconds(5)};
    /// A request, from its first header byte to its last body byte, must arrive within this.
    std::chrono::milliseconds requestTimeout{std::chrono::seconds(30)};
    /// A kept-alive connection with no new request for this long is closed.
    std::chrono::milliseconds idleTimeout{std::chrono::seconds(60)};
    /// Request bodies all connections may hold at once; a request that would pass it is
    /// answered 503 with Retry-After before its body is read.
    std::size_t globalBudgetBytes = 256u << 20;
    std::size_t chunkLines = 2048; ///< NDJSON lines per pipeline batch at most
    /// How long an OTLP span or log record whose agent depends on a parent span not seen yet
    /// waits for it (OtlpMapperOptions::joinWindowMs). Its request is answered once it is
    /// stored, so this also bounds how late that answer can be.
    std::int64_t otlpJoinWindowMs = 2000;
    /// Tool names to IAM actions for OTLP tool calls; nullptr: the built-in table.
    std::shared_ptr<const ToolActionMap> tools;
};

/// The HTTP receiver: `POST /v1/traces` and `POST /v1/logs` with OTLP/HTTP JSON
/// (OpenTelemetry GenAI spans and log records, mapped by OtlpMapper) and `POST /v1/events`
/// with Vigil's own lines (NDJSON: Vector's `http` sink, syslog-ng's `http()`, Fluent Bit),
/// on one Boost.Asio thread of its own, handed to the pipeline in batches.
///
/// A request is answered 200 only once every event and quarantined record it carried is
/// committed: the answer is the acknowledgement, and a client that gets anything else sends
/// the batch again (events with an `event_id`, and every OTLP record, are then stored once).
/// 401 for a missing or wrong bearer token, 404/405 for another path or method, 411 without
/// a length, 413 over a size limit, 415 for a content type or encoding it cannot read
/// (OTLP protobuf among them: the message says to export JSON), 429 with Retry-After while
/// the pipeline is full, 503 with Retry-After while the storage fails or memory is spent.
/// Records that do not decode are quarantined with their reason and the request still
/// succeeds (OTLP answers carry partialSuccess with the count). Header size, body size,
/// decoded size, slow clients, connection counts and the memory of all bodies together are
/// bounded (HttpOptions). A non-loopback address without a token or client CA is refused by
/// start(). Thread-safe; the pipeline must outlive the server.
class HttpServer
{
public:
    HttpServer(IngestPipeline& pipeline, HttpOptions options,
               std::shared_ptr<LiveCounters> counters, LiveLogSink log = {});
    ~HttpServer();
    HttpServer(const HttpServer&) = delete;
    HttpServer& operator=(const HttpServer&) = delete;

    /// Checks the settings, loads the TLS files, binds and starts the I/O thread; refuses
    /// with a message that says why.
    Result<void> start();

    /// The bound address as `HOST:PORT`; empty before start.
    std::string listenAddress() const;

    /// Stops accepting, closes connections between requests, and hands everything received
    /// on (OTLP records still waiting for a parent go with the best agent known). Requests
    /// not fully received are dropped unanswered: their client sends them again. Blocks.
    void stopReading();

    /// Answers the requests committed by now (waiting at most `grace`), closes every
    /// connection and stops the thread. Idempotent. Call after the pipeline was drained.
    void stop(std::chrono::milliseconds grace = std::chrono::milliseconds(1000));

private:
    std::shared_ptr<detail::HttpServerState> m_impl;
};

} // namespace vigil
