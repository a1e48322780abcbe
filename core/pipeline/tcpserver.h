// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "base/result.h"
#include "ingest/decoder.h"
#include "pipeline/livecounters.h"

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

namespace vigil {

class IngestPipeline;
namespace detail {
struct TcpServerState;
}

/// Default address of the live feed: loopback only.
inline constexpr const char* kDefaultListenHost = "127.0.0.1";
inline constexpr std::uint16_t kDefaultListenPort = 7514;

/// Settings of the TCP feed. Every limit is configurable; the defaults are the documented
/// ones (docs/protocol.md).
struct TcpOptions
{
    std::string host = kDefaultListenHost;   ///< an IP literal or `localhost`
    std::uint16_t port = kDefaultListenPort; ///< 0 picks a free port (see listenAddress())
    /// Shared secret a client must present as its first line, `{"auth":"<token>"}`. Empty
    /// means no authentication, which only a loopback address allows. Never logged.
    std::string token;
    std::string tlsCertFile; ///< PEM certificate chain; with tlsKeyFile, TLS is required
    std::string tlsKeyFile;  ///< PEM private key
    /// PEM CA bundle: clients must present a certificate it signed (mutual TLS). A verified
    /// certificate authenticates the connection in place of the auth line (with a token as
    /// well, both are required) and its common name names the source (`tcp CN=<name> ...`).
    std::string tlsClientCaFile;
    std::size_t maxLineBytes = kMaxLineBytes; ///< longer lines are quarantined as too long
    std::size_t maxConnections = 256;         ///< further connections are closed at once
    /// Connections from one address (an IPv4 address, an IPv6 /64) at most; 0: no limit.
    /// Loopback peers are not limited unless limitLoopbackPerAddress (see ConnectionLimits).
    std::size_t maxPerAddress = 32;
    bool limitLoopbackPerAddress = false;
    /// Slots that connections still in their handshake (the TLS handshake, the
    /// authentication line) may hold; 0: half of maxConnections. The others are kept for
    /// clients that authenticated.
    std::size_t maxHandshaking = 0;
    /// With a token or TLS, a connection that has not completed its handshake this long
    /// after it was accepted is closed.
    std::chrono::milliseconds handshakeTimeout{std::chrono::seconds(5)};
    /// A connection that completes no line for this long is closed (idle or trickling).
    std::chrono::milliseconds idleTimeout{std::chrono::seconds(300)};
    /// Complete lines one connection may hold before they are handed to the pipeline.
    std::size_t connectionBudgetBytes = 512 * 1024;
    /// Bytes all connections together may hold (partial lines and lines not yet handed
    /// on). Over it, connections holding more than the reserve stop reading until memory
    /// is released.
    std::size_t globalBudgetBytes = 64 * 1024 * 1024;
    /// What a connection may always hold, even when the global budget is spent, so that
    /// clients sending ordinary lines keep being served.
    std::size_t connectionReserveBytes = 64 * 1024;
    /// While the global budget is spent, one paused connection at a time may read on to
    /// complete the line it holds (or to its end, so that its close is seen). If it sends
    /// nothing for this long meanwhile, it is closed: it would hold that memory forever.
    std::chrono::milliseconds overdraftStallTimeout{std::chrono::seconds(5)};
    /// A connection is closed once this many of its lines were quarantined; 0: never.
    std::int64_t maxRejectedLines = 10000;
    std::size_t chunkLines = 2048; ///< lines per batch at most
    /// Lines are handed on at least this often, so an event is committed soon after it came.
    std::chrono::milliseconds flushInterval{50};
};

/// Parses `HOST:PORT`, `[IPv6]:PORT` or `PORT` (on the default host). Rejects anything
/// else, a port above 65535, and host names other than `localhost`.
Result<std::pair<std::string, std::uint16_t>> parseListenAddress(const std::string& text);

/// Whether `host` (an IP literal or `localhost`) is a loopback address.
bool isLoopbackHost(const std::string& host);

/// Reads a token from `path`: the file must be a regular file, mode 0600 or stricter
/// (no group or other permissions), and hold one non-empty line. Error messages name the
/// file, never its content.
Result<std::string> readTokenFile(const std::string& path);

/// The TCP feed: newline-delimited audit events (spec/audit-events.md) from many clients,
/// on one Boost.Asio thread of its own, handed to the pipeline in batches.
///
/// Protocol (docs/protocol.md): with a token, the first line must be `{"auth":"<token>"}`,
/// else the connection is closed and nothing it sent is stored. A client whose next (or
/// first) line is `{"hello":{"ack":true}}` is sent `{"ack":N}\n` whenever its first N lines
/// after the handshake are durably stored or quarantined; other clients are never written
/// to. Lines over the line limit and lines that do not decode are quarantined with their
/// reason and the connection goes on, until maxRejectedLines. Idle and trickling
/// connections are closed after idleTimeout. Slots are given out by a ConnectionLimiter
/// (maxConnections, maxPerAddress, maxHandshaking, handshakeTimeout): a connection over a
/// limit is closed at once, or takes the slot of the oldest connection still in its
/// handshake. Memory is bounded by the per-connection and global budgets: over them a
/// connection stops being read (backpressure), nothing is dropped. A connection skipping an
/// over-long line is read on (it holds no more for it), and one stopped connection at a time
/// may read on to finish its line or reach its end, so every close is seen and memory stays
/// within the global budget plus one line. When the pipeline is full, reading stops until it
/// has room.
///
/// A non-loopback address without a token is refused by start(). Thread-safe; the
/// pipeline must outlive the server.
class TcpServer
{
public:
    TcpServer(IngestPipeline& pipeline, TcpOptions options, std::shared_ptr<LiveCounters> counters,
              LiveLogSink log = {});
    ~TcpServer();
    TcpServer(const TcpServer&) = delete;
    TcpServer& operator=(const TcpServer&) = delete;

    /// Checks the settings, loads the TLS files, binds and starts the I/O thread. Refuses
    /// a non-loopback address without a token, half a TLS setting, unreadable TLS files, and
    /// an address in use, each with a message that says why.
    Result<void> start();

    /// The bound address as `HOST:PORT` (the real port when 0 was asked); empty before start.
    std::string listenAddress() const;

    /// Stops accepting and reading, and hands every complete line received on to the
    /// pipeline. Blocks until done. Connections stay open so acknowledgements can be sent.
    void stopReading();

    /// Sends the acknowledgements of lines committed by now (waiting at most `grace`),
    /// closes every connection and stops the thread. Idempotent. Call after the pipeline
    /// has been drained, so the last acknowledgements cover everything received.
    void stop(std::chrono::milliseconds grace = std::chrono::milliseconds(1000));

private:
    std::shared_ptr<detail::TcpServerState> m_impl;
};

} // namespace vigil
