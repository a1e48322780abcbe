// SPDX-License-Identifier: Apache-2.0
#include "pipeline/tcpserver.h"

#include "pipeline/connectionlimiter.h"
#include "pipeline/ingestpipeline.h"
#include "pipeline/listenerutil.h"

#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <nlohmann/json.hpp>

#include <poll.h>
#include <sys/stat.h>

#include <array>
#include <deque>
#include <fstream>
#include <functional>
#include <future>
#include <map>
#include <thread>

namespace vigil {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

namespace {

using Clock = std::chrono::steady_clock;

/// Before authentication a line may not be longer than this: an unauthenticated peer cannot
/// make the server hold more.
constexpr std::size_t kMaxHandshakeLine = 4096;
constexpr std::size_t kReadBufferBytes = 32 * 1024;
constexpr std::size_t kQuarantineKeep = 64 * 1024;

} // namespace

Result<std::pair<std::string, std::uint16_t>> parseListenAddress(const std::string& text)
{
    std::string host = kDefaultListenHost;
    std::string port = text;
    if (text.starts_with("[")) {
        const auto close = text.find("]:");
        if (close == std::string::npos)
            return fail("tcp.bad_address", "listen address " + text + " is not [IPv6]:PORT");
        host = text.substr(1, close - 1);
        port = text.substr(close + 2);
    } else if (const auto colon = text.rfind(':'); colon != std::string::npos) {
        host = text.substr(0, colon);
        port = text.substr(colon + 1);
        if (host.find(':') != std::string::npos)
            return fail("tcp.bad_address",
                        "listen address " + text + ": write an IPv6 address as [ADDRESS]:PORT");
    }
    if (port.empty() || port.size() > 5 ||
        port.find_first_not_of("0123456789") != std::string::npos || std::stoul(port) > 65535)
        return fail("tcp.bad_address", "listen address " + text + " has no valid port (0-65535)");
    if (host == "localhost")
        host = "127.0.0.1";
    boost::system::error_code ec;
    asio::ip::make_address(host, ec);
    if (ec)
        return fail("tcp.bad_address",
                    "listen address " + text + ": host must be an IP address or localhost");
    return std::pair{host, static_cast<std::uint16_t>(std::stoul(port))};
}

bool isLoopbackHost(const std::string& host)
{
    if (host == "localhost")
        return true;
    boost::system::error_code ec;
    const auto a = asio::ip::make_address(host, ec);
    if (ec)
        return false;
    if (a.is_v6() && a.to_v6().is_v4_mapped())
        return asio::ip::make_address_v4(asio::ip::v4_mapped, a.to_v6()).is_loopback();
    return a.is_loopback();
}

Result<std::string> readTokenFile(const std::string& path)
{
    struct stat st
    {
    };
    if (::stat(path.c_str(), &st) != 0)
        return fail("tcp.token_file",
                    "cannot read token file " + path + ": " + std::strerror(errno));
    if (!S_ISREG(st.st_mode))
        return fail("tcp.token_file", "token file " + path + " is not a regular file");
    if ((st.st_mode & 077) != 0) {
        char mode[8];
        std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(st.st_mode & 07777));
        return fail("tcp.token_file_mode", "token file " + path + " has mode " + mode +
                                               "; it must be readable by its owner only "
                                               "(chmod 600 " +
                                               path + ")");
    }
    std::ifstream in(path, std::ios::binary);
    if (!in)
        return fail("tcp.token_file", "cannot read token file " + path);
    std::string text(4096, '\0');
    in.read(text.data(), static_cast<std::streamsize>(text.size()));
    text.resize(static_cast<std::size_t>(in.gcount()));
    if (const auto nl = text.find('\n'); nl != std::string::npos)
        text.resize(nl);
    while (!text.empty() && (text.back() == '\r' || text.back() == ' ' || text.back() == '\t'))
        text.pop_back();
    if (text.empty())
        return fail("tcp.token_file", "token file " + path + " holds no token");
    return text;
}

namespace {
class Connection;
}

namespace detail {

struct TcpServerState : std::enable_shared_from_this<TcpServerState>
{

    /// Folds a burst of like events (refusals, evictions) into one log line per second.
    struct Throttle
    {
        Clock::time_point last{};
        std::int64_t count = 0;
    };

    TcpServerState(IngestPipeline& p, TcpOptions o, std::shared_ptr<LiveCounters> c, LiveLogSink l)
        : pipeline(p), options(std::move(o)), counters(std::move(c)), log(std::move(l)),
          limiter(ConnectionLimits{options.maxConnections, options.maxPerAddress,
                                   options.maxHandshaking, options.handshakeTimeout,
                                   options.limitLoopbackPerAddress})
    {
        if (!counters)
            counters = std::make_shared<LiveCounters>();
    }

    IngestPipeline& pipeline;
    TcpOptions options;
    std::shared_ptr<LiveCounters> counters;
    LiveLogSink log;
    TokenDigest token{};
    ConnectionLimiter limiter;

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
    std::map<ConnectionLimiter::Id, std::shared_ptr<Connection>> connections;
    std::deque<std::weak_ptr<Connection>> paused;
    /// The one paused connection that may read past the spent budget until it completes
    /// the line it holds, reaches its end (a close hidden behind unread bytes), or stalls.
    /// Passed on in turn, so every paused peer is read again and its close is seen, while
    /// memory stays within the budget plus one line (docs/protocol.md).
    std::weak_ptr<Connection> overdraft;
    std::int64_t held = 0;
    bool readingStopped = false;
    bool closing = false;
    Throttle refusals, evictions, lateHandshakes;

    void say(const std::string& m) const
    {
        if (log)
            log(m);
    }
    /// Logs `what` (which gets the count folded in) at most once a second.
    void sayThrottled(Throttle& t, const std::function<std::string(std::int64_t)>& what)
    {
        ++t.count;
        const auto now = Clock::now();
        if (now - t.last < std::chrono::seconds(1))
            return;
        say(what(t.count));
        t.last = now;
        t.count = 0;
    }
    /// Whether a connection has a handshake to complete before it may send events.
    bool needsHandshake() const { return tls.has_value() || !options.token.empty(); }

    void accept();
    /// Takes a new connection if the limiter gives it a slot (closing those it evicts).
    void admit(tcp::socket socket, const tcp::endpoint& remote);
    /// Closes the connections whose handshake took longer than handshakeTimeout.
    void closeLateHandshakes(Clock::time_point now);
    void onTick();
    void scheduleTick();
    void resumePaused();
    /// Gives the overdraft to a paused connection with something to read when nobody holds
    /// it: first one whose peer closed or reset, else the one paused longest.
    void grantOverdraft();
    void charge(std::int64_t delta)
    {
        held += delta;
        counters->bufferedBytes += delta;
    }
    bool tokenMatches(std::string_view candidate) const
    {
        return tokenDigestsEqual(tokenDigest(candidate), token);
    }
};

} // namespace detail

namespace {

/// One client. Lives on the I/O thread; kept alive by its pending operations and by the
/// server's set until closed.
class Connection : public std::enable_shared_from_this<Connection>
{
public:
    using Impl = detail::TcpServerState;
    enum class Phase
    {
        Tls,
        Auth,
        Hello,
        Stream
    };

    Connection(Impl& server, ConnectionLimiter::Id id, tcp::socket socket, std::string peer)
        : m_server(server), m_id(id), m_socket(std::move(socket)), m_peer(std::move(peer)),
          m_lastLine(Clock::now())
    {
        if (m_server.tls)
            m_tls.emplace(m_socket, *m_server.tls);
    }

    void start()
    {
        if (m_tls) {
            m_phase = Phase::Tls;
            m_tls->async_handshake(
                asio::ssl::stream_base::server,
                [self = shared_from_this()](const boost::system::error_code& ec) {
                    if (self->m_closed)
                        return;
                    if (ec) {
                        self->close("TLS handshake failed");
                        return;
                    }
                    self->afterTransport();
                });
            return;
        }
        afterTransport();
    }

    /// Closes the connection, after handing its complete lines on. `why` is logged when set.
    void close(const std::string& why = {})
    {
        if (m_closed)
            return;
        if (m_phase == Phase::Stream && !m_server.closing)
            submit();
        m_closed = true;
        boost::system::error_code ec;
        m_socket.shutdown(tcp::socket::shutdown_both, ec);
        m_socket.close(ec);
        if (m_paused) {
            m_paused = false;
            --m_server.counters->pausedConnections;
        }
        // Give the memory back (assigning an empty string would keep the buffer).
        std::string().swap(m_partial);
        {
            RawChunk gone = std::move(m_chunk);
        }
        m_chunk = RawChunk{};
        std::vector<char>().swap(m_readBuffer);
        recharge();
        --m_server.counters->connectionsOpen;
        if (!why.empty())
            m_server.say("connection from " + m_peer + " closed: " + why);
        auto self = shared_from_this();
        m_server.connections.erase(m_id);
        m_server.limiter.release(m_id);
        m_overdraft = false;
        m_server.resumePaused();
        m_server.grantOverdraft();
    }

    /// Called on the I/O thread after a batch of this connection was committed (or failed).
    void committed(std::int64_t lastLine, bool ok, std::int64_t rejected)
    {
        if (m_closed)
            return;
        if (!ok) {
            ++m_server.counters->policyClosed;
            close("its lines could not be stored; closing so that they are sent again");
            return;
        }
        m_committed = std::max(m_committed, lastLine);
        m_rejected += rejected;
        if (m_server.options.maxRejectedLines > 0 &&
            m_rejected >= m_server.options.maxRejectedLines && !m_draining) {
            ++m_server.counters->policyClosed;
            m_server.say("connection from " + m_peer + " closed: " + std::to_string(m_rejected) +
                         " lines quarantined (the limit)");
            m_draining = true;
            cancelRead();
            if (m_overdraft) {
                m_overdraft = false; // it reads no more
                m_server.grantOverdraft();
            }
        }
        writeAck();
        maybeFinish();
    }

    /// Periodic work: hand on lines waiting longer than the flush interval, close peers that
    /// completed no line with content for the idle timeout.
    void onTick(Clock::time_point now)
    {
        if (m_closed)
            return;
        if (!m_chunk.lines.empty() && now - m_chunkStarted >= m_server.options.flushInterval)
            submit();
        if (m_overdraft && now - m_lastByte >= m_server.options.overdraftStallTimeout &&
            !m_server.readingStopped) {
            // It was given memory beyond the budget to finish its line and sends nothing:
            // holding on to it would block everyone else waiting for memory.
            ++m_server.counters->policyClosed;
            close("stopped sending in the middle of a line of " + std::to_string(m_partial.size()) +
                  " bytes while memory was short (the memory budget is spent)");
            return;
        }
        if (now - m_lastLine >= m_server.options.idleTimeout && !m_server.readingStopped) {
            ++m_server.counters->idleClosed;
            close("no complete line for " +
                  std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(
                                     m_server.options.idleTimeout)
                                     .count()) +
                  " ms (blank lines do not count)");
        }
    }

    /// Stop reading for shutdown: hand complete lines on; keep the socket for acks.
    void stopReading()
    {
        if (m_closed)
            return;
        if (m_phase == Phase::Stream)
            submit();
        cancelRead();
    }

    /// Final acknowledgement and close, for shutdown.
    void finish()
    {
        if (m_closed)
            return;
        m_draining = true;
        if (!m_ack || m_phase != Phase::Stream) {
            close();
            return;
        }
        writeAck();
        maybeFinish(true);
    }

    void resume()
    {
        if (m_closed || !m_paused)
            return;
        m_paused = false;
        --m_server.counters->pausedConnections;
        read();
    }

    bool closed() const { return m_closed; }
    const std::string& peer() const { return m_peer; }
    bool paused() const { return m_paused; }
    bool hasOverdraft() const { return m_overdraft && !m_closed; }

    enum class Pending
    {
        Nothing,
        Bytes,   ///< unread bytes wait in the kernel
        Finished ///< the peer shut down its side or reset: reading on reaches the end
    };
    /// What waits to be read on the socket, without reading it.
    Pending pending()
    {
        pollfd p{m_socket.native_handle(), POLLIN | POLLRDHUP, 0};
        if (::poll(&p, 1, 0) <= 0)
            return Pending::Nothing;
        if ((p.revents & (POLLRDHUP | POLLHUP | POLLERR)) != 0)
            return Pending::Finished;
        return (p.revents & POLLIN) != 0 ? Pending::Bytes : Pending::Nothing;
    }

    /// Reads past the spent global budget until the line held now is complete, the
    /// connection ends, or the peer stalls (see TcpServerState::overdraft).
    void grantOverdraft()
    {
        m_overdraft = true;
        m_overdraftLines = m_linesDone;
        resume();
    }

private:
    void afterTransport()
    {
        if (m_tls && !m_server.options.tlsClientCaFile.empty()) {
            // The handshake succeeded, so the client's certificate is one the CA signed: it
            // names the source and, without a token, stands in for the auth line.
            const std::string cn = peerCommonName(m_tls->native_handle());
            m_source = "tcp " + (cn.empty() ? std::string("client-certificate") : "CN=" + cn) +
                       " " + m_peer;
        }
        m_phase = m_server.options.token.empty() ? Phase::Hello : Phase::Auth;
        if (m_phase == Phase::Hello)
            m_server.limiter.authenticated(m_id);
        m_readBuffer.resize(kReadBufferBytes);
        recharge();
        read();
    }

    void cancelRead()
    {
        boost::system::error_code ec;
        m_socket.cancel(ec);
    }

    void read()
    {
        if (m_closed || m_reading || m_paused || m_eof || m_draining || m_server.readingStopped)
            return;
        m_reading = true;
        m_lastByte = Clock::now(); // a stall is measured from here: the peer's turn
        auto handler = [self = shared_from_this()](const boost::system::error_code& ec,
                                                   std::size_t n) { self->onRead(ec, n); };
        if (m_tls)
            m_tls->async_read_some(asio::buffer(m_readBuffer), std::move(handler));
        else
            m_socket.async_read_some(asio::buffer(m_readBuffer), std::move(handler));
    }

    void onRead(const boost::system::error_code& ec, std::size_t n)
    {
        m_reading = false;
        if (m_closed)
            return;
        if (ec) {
            if (ec == asio::error::operation_aborted && (m_server.readingStopped || m_draining))
                return; // stopped on purpose; the socket stays for acknowledgements
            if (ec == asio::error::eof || ec == asio::ssl::error::stream_truncated) {
                onEof();
                return;
            }
            close(m_phase == Phase::Stream ? std::string() : "read error");
            return;
        }
        m_server.counters->bytesIn += static_cast<std::int64_t>(n);
        consume(std::string_view(m_readBuffer.data(), n));
        if (m_closed)
            return;
        if (m_chunk.data.size() >= m_server.options.connectionBudgetBytes)
            submit();
        recharge();
        bool passOn = false;
        if (m_overdraft && (m_linesDone != m_overdraftLines || m_discarding)) {
            // Its line is complete (or over the limit, so no longer held): back to the rules.
            m_overdraft = false;
            passOn = true;
        }
        if (m_server.held > static_cast<std::int64_t>(m_server.options.globalBudgetBytes)) {
            // Over the global budget: hand lines on first, then stop reading if this
            // connection still holds more than its reserve. A connection skipping an
            // over-long line goes on: what it reads is dropped, and only so is its close seen.
            submit();
            recharge();
            if (!m_overdraft && !m_discarding &&
                m_server.held > static_cast<std::int64_t>(m_server.options.globalBudgetBytes) &&
                m_charged > static_cast<std::int64_t>(m_server.options.connectionReserveBytes)) {
                m_paused = true;
                ++m_server.counters->pausedConnections;
                m_server.paused.push_back(weak_from_this());
                m_server.grantOverdraft();
                return;
            }
        }
        read();
        if (passOn)
            m_server.grantOverdraft();
    }

    std::size_t lineLimit() const
    {
        return m_phase == Phase::Auth ? kMaxHandshakeLine : m_server.options.maxLineBytes;
    }

    /// Cuts `data` into lines with bounded memory: a line over the limit keeps only its first
    /// bytes (for quarantine) and the rest is skipped up to its newline.
    void consume(std::string_view data)
    {
        while (!data.empty() && !m_closed) {
            const std::size_t nl = data.find('\n');
            const std::string_view piece = nl == std::string_view::npos ? data : data.substr(0, nl);
            const std::size_t limit = lineLimit();
            if (m_discarding) {
                m_discarded += static_cast<std::int64_t>(piece.size());
            } else if (m_partial.size() + piece.size() > limit) {
                if (m_phase == Phase::Auth) {
                    // An unauthenticated peer may not make us skip megabytes.
                    ++m_server.counters->authFailures;
                    m_phase = Phase::Tls;
                    close("authentication failed (first line too long)");
                    return;
                }
                m_discarded = static_cast<std::int64_t>(m_partial.size() + piece.size());
                const std::size_t keep = std::min(kQuarantineKeep, limit);
                if (m_partial.size() < keep)
                    m_partial.append(piece.substr(0, keep - m_partial.size()));
                m_partial.resize(std::min(m_partial.size(), keep));
                m_partial.shrink_to_fit();
                m_discarding = true;
            } else if (nl != std::string_view::npos && m_partial.empty()) {
                onLine(piece, false, static_cast<std::int64_t>(piece.size()));
                data.remove_prefix(nl + 1);
                continue;
            } else {
                appendPartial(piece);
            }
            if (nl == std::string_view::npos)
                return;
            data.remove_prefix(nl + 1);
            if (m_discarding) {
                onLine(m_partial, true, m_discarded);
                m_discarding = false;
                m_discarded = 0;
            } else {
                onLine(m_partial, false, static_cast<std::int64_t>(m_partial.size()));
            }
            releasePartial();
        }
    }

    void appendPartial(std::string_view piece)
    {
        const std::size_t need = m_partial.size() + piece.size();
        if (need > m_partial.capacity()) {
            // Grow by half, never past the line limit: capacity is what the budget counts.
            const std::size_t grown =
                std::max(need, m_partial.capacity() + m_partial.capacity() / 2);
            m_partial.reserve(std::min(grown, lineLimit()));
        }
        m_partial.append(piece);
    }

    void releasePartial()
    {
        if (m_partial.capacity() > m_server.options.connectionReserveBytes)
            std::string().swap(m_partial);
        else
            m_partial.clear();
    }

    void onEof()
    {
        m_eof = true;
        m_overdraft = false; // everything is read: the next paused connection may have it
        if ((m_phase == Phase::Stream || m_phase == Phase::Hello) &&
            (!m_partial.empty() || m_discarding)) {
            // The peer closed after a last line without a newline: take it as a line.
            if (m_discarding)
                onLine(m_partial, true, m_discarded);
            else
                onLine(m_partial, false, static_cast<std::int64_t>(m_partial.size()));
            m_discarding = false;
            releasePartial();
        }
        if (m_phase != Phase::Stream || !m_ack) {
            close();
            return;
        }
        submit();
        recharge();
        maybeFinish();
        if (!m_closed)
            m_server.grantOverdraft();
    }

    void onLine(std::string_view text, bool overlong, std::int64_t fullBytes)
    {
        ++m_linesDone;
        // Only a line with content is progress: a trickle of blank lines costs the peer
        // nothing and must not keep its slot.
        if (overlong || !isBlankLine(text))
            m_lastLine = Clock::now();
        switch (m_phase) {
        case Phase::Tls:
            return;
        case Phase::Auth: {
            std::string token;
            if (!overlong && authToken(text, token) && m_server.tokenMatches(token)) {
                m_phase = Phase::Hello;
                m_server.limiter.authenticated(m_id);
                return;
            }
            ++m_server.counters->authFailures;
            m_phase = Phase::Tls; // ignore anything else it sent
            close("authentication failed");
            return;
        }
        case Phase::Hello: {
            bool ack = false;
            if (!overlong && hello(text, ack)) {
                m_ack = ack;
                m_phase = Phase::Stream;
                return;
            }
            std::string ignored;
            if (!overlong && authToken(text, ignored))
                return; // no token is needed here; an auth line is accepted and ignored
            m_phase = Phase::Stream;
            break;
        }
        case Phase::Stream:
            break;
        }
        ++m_lines;
        if (m_chunk.lines.empty())
            m_chunkStarted = Clock::now();
        m_chunk.addLine(text, overlong, fullBytes, m_lines);
        if (m_chunk.lines.size() >= m_server.options.chunkLines)
            submit();
    }

    static bool authToken(std::string_view text, std::string& token)
    {
        if (text.size() > kMaxHandshakeLine || text.find("\"auth\"") == std::string_view::npos)
            return false;
        auto j = nlohmann::json::parse(text, nullptr, false);
        if (j.is_discarded() || !j.is_object() || j.size() != 1 || !j.contains("auth") ||
            !j["auth"].is_string())
            return false;
        token = j["auth"].get<std::string>();
        return true;
    }

    static bool hello(std::string_view text, bool& ack)
    {
        if (text.size() > kMaxHandshakeLine || text.find("\"hello\"") == std::string_view::npos)
            return false;
        auto j = nlohmann::json::parse(text, nullptr, false);
        if (j.is_discarded() || !j.is_object() || j.size() != 1 || !j.contains("hello") ||
            !j["hello"].is_object())
            return false;
        const auto& h = j["hello"];
        ack = h.contains("ack") && h["ack"].is_boolean() && h["ack"].get<bool>();
        return true;
    }

    /// Hands the lines gathered so far to the pipeline (blocks while it is full).
    void submit()
    {
        if (m_chunk.lines.empty())
            return;
        RawChunk chunk = std::move(m_chunk);
        m_chunk = RawChunk{};
        chunk.sourceName = m_source;
        const std::int64_t last = m_lines;
        m_submitted = last;
        m_server.counters->linesIn += static_cast<std::int64_t>(chunk.lines.size());
        chunk.onCommitted = [weak = weak_from_this(), last, counters = m_server.counters,
                             mailbox = m_server.mailbox](const Result<CommitResult>& r) {
            counters->recordCommit(r);
            const bool ok = r.has_value();
            const std::int64_t rejected = ok ? r->rejected : 0;
            mailbox->post([weak, last, ok, rejected] {
                if (auto c = weak.lock())
                    c->committed(last, ok, rejected);
            });
        };
        m_server.pipeline.submit(std::move(chunk));
        recharge();
    }

    void writeAck()
    {
        if (!m_ack || m_writing || m_committed <= m_ackSent || m_closed)
            return;
        m_writing = true;
        const std::int64_t n = m_committed;
        m_ackOut = "{\"ack\":" + std::to_string(n) + "}\n";
        auto handler = [self = shared_from_this(), n](const boost::system::error_code& ec,
                                                      std::size_t) {
            self->m_writing = false;
            if (self->m_closed)
                return;
            if (ec) {
                self->close();
                return;
            }
            self->m_ackSent = n;
            self->writeAck();
            self->maybeFinish();
        };
        if (m_tls)
            asio::async_write(*m_tls, asio::buffer(m_ackOut), std::move(handler));
        else
            asio::async_write(m_socket, asio::buffer(m_ackOut), std::move(handler));
    }

    /// After end of input (or when draining), close once every line is committed and
    /// acknowledged. `force` closes once nothing is being written (shutdown).
    void maybeFinish(bool force = false)
    {
        if (m_closed || !(m_eof || m_draining) || m_writing)
            return;
        const bool done = m_chunk.lines.empty() && m_committed >= m_submitted &&
                          (!m_ack || m_ackSent >= m_committed);
        if (done || (force && (!m_ack || m_ackSent >= m_committed)))
            close();
    }

    void recharge()
    {
        const auto now = static_cast<std::int64_t>(m_partial.capacity() + m_chunk.data.capacity() +
                                                   m_readBuffer.capacity());
        const std::int64_t delta = now - m_charged;
        m_charged = now;
        m_server.charge(delta);
        if (delta < 0)
            m_server.resumePaused();
    }

    Impl& m_server;
    const ConnectionLimiter::Id m_id;
    tcp::socket m_socket;
    std::optional<asio::ssl::stream<tcp::socket&>> m_tls;
    std::string m_peer;
    std::string m_source = "tcp " + m_peer; ///< what its lines are stored under
    Phase m_phase = Phase::Hello;
    bool m_closed = false, m_reading = false, m_paused = false, m_eof = false, m_draining = false,
         m_ack = false, m_writing = false, m_overdraft = false;
    /// Lines completed (any kind), and how many there were when the overdraft was granted.
    std::int64_t m_linesDone = 0, m_overdraftLines = 0;
    Clock::time_point m_lastByte{};
    std::vector<char> m_readBuffer;
    std::string m_partial;
    bool m_discarding = false;
    std::int64_t m_discarded = 0;
    RawChunk m_chunk;
    Clock::time_point m_chunkStarted{};
    Clock::time_point m_lastLine;
    std::int64_t m_lines = 0, m_submitted = 0, m_committed = 0, m_ackSent = 0, m_rejected = 0;
    std::string m_ackOut;
    std::int64_t m_charged = 0;
};

} // namespace

void detail::TcpServerState::accept()
{
    acceptor.async_accept(
        [self = shared_from_this()](const boost::system::error_code& ec, tcp::socket socket) {
            if (!self->acceptor.is_open() || self->readingStopped)
                return;
            if (ec) {
                if (ec == asio::error::operation_aborted)
                    return;
                // Out of descriptors or a transient error: try again shortly.
                self->acceptRetry.expires_after(std::chrono::milliseconds(100));
                self->acceptRetry.async_wait([self](const boost::system::error_code& e) {
                    if (!e)
                        self->accept();
                });
                return;
            }
            boost::system::error_code pe;
            const auto remote = socket.remote_endpoint(pe);
            if (pe) { // gone before we could look at it
                boost::system::error_code ignored;
                socket.close(ignored);
                self->accept();
                return;
            }
            self->admit(std::move(socket), remote);
            self->accept();
        });
}

void detail::TcpServerState::admit(tcp::socket socket, const tcp::endpoint& remote)
{
    const std::string peer = endpointText(remote);
    auto a = limiter.admit(remote.address(), needsHandshake());
    if (!a.admitted()) {
        ++counters->connectionsRefused;
        boost::system::error_code ignored;
        socket.close(ignored);
        sayThrottled(refusals, [&](std::int64_t n) {
            return "refused " + std::to_string(n) + " connection(s), last from " + peer + ": " +
                   a.reason;
        });
        return;
    }
    for (const ConnectionLimiter::Id id : a.evicted) {
        const auto it = connections.find(id);
        if (it == connections.end())
            continue;
        const std::shared_ptr<Connection> old = it->second;
        ++counters->handshakeClosed;
        old->close();
        sayThrottled(evictions, [&](std::int64_t n) {
            return "closed " + std::to_string(n) +
                   " connection(s) still in their handshake, last from " + old->peer() +
                   ", to make room for newer ones (" + std::to_string(limiter.handshakeSlots()) +
                   " of " + std::to_string(options.maxConnections) +
                   " slots may be in a handshake)";
        });
    }
    boost::system::error_code ec;
    socket.set_option(tcp::no_delay(true), ec);
    auto c = std::make_shared<Connection>(*this, a.id, std::move(socket), peer);
    connections.emplace(a.id, c);
    ++counters->connectionsOpen;
    ++counters->connectionsAccepted;
    c->start();
}

void detail::TcpServerState::closeLateHandshakes(Clock::time_point now)
{
    for (const ConnectionLimiter::Id id : limiter.expired(now)) {
        const auto it = connections.find(id);
        if (it == connections.end())
            continue;
        const std::shared_ptr<Connection> c = it->second;
        ++counters->handshakeClosed;
        c->close();
        sayThrottled(lateHandshakes, [&](std::int64_t n) {
            return "closed " + std::to_string(n) + " connection(s), last from " + c->peer() +
                   ": handshake not completed within " +
                   std::to_string(options.handshakeTimeout.count()) + " ms";
        });
    }
}

void detail::TcpServerState::scheduleTick()
{
    const auto period = std::max(std::chrono::milliseconds(5),
                                 std::min(options.flushInterval, std::chrono::milliseconds(1000)));
    tick.expires_after(period);
    tick.async_wait([self = shared_from_this()](const boost::system::error_code& ec) {
        if (!ec)
            self->onTick();
    });
}

void detail::TcpServerState::onTick()
{
    const auto now = Clock::now();
    if (!readingStopped)
        closeLateHandshakes(now);
    std::vector<std::shared_ptr<Connection>> all;
    for (auto& [id, c] : connections)
        all.push_back(c);
    for (auto& c : all)
        c->onTick(now);
    // A paused peer may have closed or sent more since the last look.
    grantOverdraft();
    if (!closing)
        scheduleTick();
}

void detail::TcpServerState::grantOverdraft()
{
    if (readingStopped || closing)
        return;
    if (auto holder = overdraft.lock(); holder && holder->hasOverdraft())
        return;
    overdraft.reset();
    std::erase_if(paused, [](const std::weak_ptr<Connection>& w) {
        auto c = w.lock();
        return !c || c->closed() || !c->paused();
    });
    auto pick = paused.end();
    for (auto it = paused.begin(); it != paused.end(); ++it) {
        const auto p = it->lock()->pending();
        if (p == Connection::Pending::Finished) {
            pick = it;
            break;
        }
        if (p == Connection::Pending::Bytes && pick == paused.end())
            pick = it;
    }
    if (pick == paused.end())
        return;
    auto c = pick->lock();
    paused.erase(pick);
    overdraft = c;
    c->grantOverdraft();
}

void detail::TcpServerState::resumePaused()
{
    while (!paused.empty() && held <= static_cast<std::int64_t>(options.globalBudgetBytes)) {
        auto c = paused.front().lock();
        paused.pop_front();
        if (c && !c->closed() && c->paused())
            c->resume();
    }
}

TcpServer::TcpServer(IngestPipeline& pipeline, TcpOptions options,
                     std::shared_ptr<LiveCounters> counters, LiveLogSink log)
    : m_impl(std::make_shared<detail::TcpServerState>(pipeline, std::move(options),
                                                      std::move(counters), std::move(log)))
{
}

TcpServer::~TcpServer()
{
    stopReading();
    stop(std::chrono::milliseconds(0));
}

Result<void> TcpServer::start()
{
    detail::TcpServerState& s = *m_impl;
    {
        std::lock_guard l(s.stateMutex);
        if (s.started)
            return fail("tcp.started", "the TCP feed is already running");
    }
    const TcpOptions& o = s.options;
    const std::string where =
        (o.host.find(':') != std::string::npos ? "[" + o.host + "]" : o.host) + ":" +
        std::to_string(o.port);
    boost::system::error_code ec;
    const auto addr = asio::ip::make_address(o.host == "localhost" ? "127.0.0.1" : o.host, ec);
    if (ec)
        return fail("tcp.bad_address", "cannot listen on " + where + ": not an IP address");
    if (!isLoopbackHost(o.host) && o.token.empty() && o.tlsClientCaFile.empty())
        return fail("tcp.token_required",
                    "refusing to listen on " + where +
                        ": a non-loopback address accepts events from other machines, so it "
                        "needs a token (set VIGIL_TOKEN or give a token file) or client "
                        "certificates (--tls-client-ca); loopback addresses such as 127.0.0.1 "
                        "need neither");
    if (o.tlsCertFile.empty() != o.tlsKeyFile.empty())
        return fail("tcp.tls_incomplete", "TLS needs both a certificate and a private key file");
    if (o.maxConnections == 0 || o.maxLineBytes == 0 || o.idleTimeout.count() <= 0 ||
        o.handshakeTimeout.count() <= 0 || o.overdraftStallTimeout.count() <= 0)
        return fail("tcp.bad_limit", "connection limit, line limit, idle, handshake and "
                                     "stall timeouts must be > 0");
    if (!o.tlsClientCaFile.empty() && o.tlsCertFile.empty())
        return fail("tcp.tls_incomplete",
                    "client certificates (--tls-client-ca) need the server's own certificate "
                    "and key (--tls-cert, --tls-key)");
    if (!o.tlsCertFile.empty()) {
        s.tls.emplace(asio::ssl::context::tls_server);
        if (auto r = configureServerTls(*s.tls, o.tlsCertFile, o.tlsKeyFile, o.tlsClientCaFile,
                                        "tcp");
            !r) {
            s.tls.reset();
            return r;
        }
    }
    if (!o.token.empty())
        s.token = tokenDigest(o.token);

    const auto bound =
        listenOn(s.acceptor, tcp::endpoint(addr, o.port), "listen on " + where, "tcp.listen");
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

std::string TcpServer::listenAddress() const
{
    std::lock_guard l(m_impl->stateMutex);
    return m_impl->address;
}

void TcpServer::stopReading()
{
    detail::TcpServerState& s = *m_impl;
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
            std::vector<std::shared_ptr<Connection>> all;
            for (auto& [id, c] : s.connections)
                all.push_back(c);
            for (auto& c : all)
                c->stopReading();
        }
        done.set_value();
    });
    done.get_future().wait();
}

void TcpServer::stop(std::chrono::milliseconds grace)
{
    detail::TcpServerState& s = *m_impl;
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
        std::vector<std::shared_ptr<Connection>> all;
        for (auto& [id, c] : s.connections)
            all.push_back(c);
        for (auto& c : all)
            c->finish();
        auto deadline = std::make_shared<asio::steady_timer>(s.io);
        // Poll until every connection has sent its last acknowledgement, or the grace ends.
        auto until = Clock::now() + grace;
        auto check = std::make_shared<std::function<void()>>();
        *check = [&s, deadline, until, check] {
            if (s.connections.empty() || Clock::now() >= until) {
                s.closing = true;
                std::vector<std::shared_ptr<Connection>> rest;
                for (auto& [id, c] : s.connections)
                    rest.push_back(c);
                for (auto& c : rest)
                    c->close();
                s.tick.cancel();
                s.io.stop();
                *check = nullptr; // break the self-reference
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
    s.mailbox->close();
    // Release what the handlers still hold (connections, timers) on this thread.
    s.connections.clear();
    s.paused.clear();
    s.io.restart();
    s.io.poll();
}

} // namespace vigil
