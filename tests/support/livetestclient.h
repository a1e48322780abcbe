// SPDX-License-Identifier: Apache-2.0
// A plain blocking-with-deadline TCP client for the live-ingest tests (real sockets on
// 127.0.0.1), and helpers to make sequence-numbered audit events.
#pragma once

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

namespace vigil::test {

/// An audit event whose thread_id carries `seq` (and, when given, an event_id).
inline std::string seqEvent(std::int64_t seq, const std::string& eventId = {},
                            const std::string& timestamp = "2026-11-21T10:00:00.000Z")
{
    return R"({"timestamp":")" + timestamp +
           R"(","event_type":"tool_call","agent_name":"seq-writer","thread_id":"s-)" +
           std::to_string(seq) + "\",\"severity\":\"info\"," +
           (eventId.empty() ? std::string() : "\"event_id\":\"" + eventId + "\",") +
           R"("details":{"action":"s3:GetObject","resource":"arn:aws:s3:::bucket/readonly/)" +
           std::to_string(seq) + ".csv\"}}";
}

/// One client connection. Every call has a deadline; nothing blocks forever.
class LiveTestClient
{
public:
    LiveTestClient() = default;
    LiveTestClient(const LiveTestClient&) = delete;
    LiveTestClient& operator=(const LiveTestClient&) = delete;
    LiveTestClient(LiveTestClient&& o) noexcept : m_fd(o.m_fd), m_in(std::move(o.m_in))
    {
        o.m_fd = -1;
    }
    ~LiveTestClient() { close(); }

    /// Connects to `host`:`port`; with `from`, from that local address (any 127.x.y.z works
    /// on Linux, so tests can play several loopback peers).
    bool connect(int port, const char* host = "127.0.0.1", const char* from = nullptr)
    {
        close();
        m_fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (m_fd < 0)
            return false;
        if (from) {
            sockaddr_in local{};
            local.sin_family = AF_INET;
            ::inet_pton(AF_INET, from, &local.sin_addr);
            if (::bind(m_fd, reinterpret_cast<sockaddr*>(&local), sizeof local) != 0) {
                close();
                return false;
            }
        }
        sockaddr_in a{};
        a.sin_family = AF_INET;
        a.sin_port = htons(static_cast<std::uint16_t>(port));
        ::inet_pton(AF_INET, host, &a.sin_addr);
        if (::connect(m_fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
            close();
            return false;
        }
        const int one = 1;
        ::setsockopt(m_fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        ::fcntl(m_fd, F_SETFL, ::fcntl(m_fd, F_GETFL) | O_NONBLOCK);
        return true;
    }

    void close()
    {
        if (m_fd >= 0)
            ::close(m_fd);
        m_fd = -1;
    }

    void shutdownWrite() { ::shutdown(m_fd, SHUT_WR); }
    int fd() const { return m_fd; }
    bool isOpen() const { return m_fd >= 0; }

    /// Sends all of `data` within `timeoutMs`; false on error, peer close or timeout.
    bool sendAll(std::string_view data, int timeoutMs = 10000)
    {
        const auto deadline =
            std::chrono::steady_clock::now() + std::chrono::milliseconds(timeoutMs);
        while (!data.empty()) {
            const ssize_t n = ::send(m_fd, data.data(), data.size(), MSG_NOSIGNAL);
            if (n > 0) {
                data.remove_prefix(static_cast<std::size_t>(n));
                continue;
            }
            if (n < 0 && errno != EAGAIN && errno != EINTR)
                return false;
            if (!waitFor(POLLOUT, deadline))
                return false;
        }
        return true;
    }

    /// Sends what fits now without waiting; returns the bytes sent (-1 on error).
    ssize_t sendSome(std::string_view data)
    {
        const ssize_t n = ::send(m_fd, data.data(), data.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
        if (n < 0 && (errno == EAGAIN || errno == EINTR))
            return 0;
        return n;
    }

    /// Reads whatever arrives within `timeoutMs` into the input buffer. Returns false when
    /// the peer closed (or reset) the connection.
    bool pump(int timeoutMs)
    {
        const auto deadline =
            std::chrono::steady_clock::now() + std::chrono::milliseconds(timeoutMs);
        for (;;) {
            char buf[4096];
            const ssize_t n = ::recv(m_fd, buf, sizeof buf, 0);
            if (n > 0) {
                m_in.append(buf, static_cast<std::size_t>(n));
                continue;
            }
            if (n == 0)
                return false;
            if (errno != EAGAIN && errno != EINTR)
                return false;
            if (!waitFor(POLLIN, deadline))
                return true;
        }
    }

    /// True when the peer closes within `timeoutMs`.
    bool waitClosed(int timeoutMs)
    {
        const auto deadline =
            std::chrono::steady_clock::now() + std::chrono::milliseconds(timeoutMs);
        while (std::chrono::steady_clock::now() < deadline) {
            const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                                  deadline - std::chrono::steady_clock::now())
                                  .count();
            if (!pump(static_cast<int>(std::max<std::int64_t>(1, left))))
                return true;
        }
        return false;
    }

    /// The highest `{"ack":N}` received so far (0 when none); consumes complete ack lines.
    std::int64_t acked()
    {
        std::size_t nl;
        while ((nl = m_in.find('\n')) != std::string::npos) {
            const std::string line = m_in.substr(0, nl);
            m_in.erase(0, nl + 1);
            const auto p = line.find("\"ack\":");
            if (p != std::string::npos)
                m_acked = std::max<std::int64_t>(m_acked, std::stoll(line.substr(p + 6)));
            else
                m_unexpected += line + "\n";
        }
        return m_acked;
    }

    /// Waits until at least `n` lines are acknowledged; returns the highest ack seen.
    std::int64_t waitAck(std::int64_t n, int timeoutMs)
    {
        const auto deadline =
            std::chrono::steady_clock::now() + std::chrono::milliseconds(timeoutMs);
        while (acked() < n && std::chrono::steady_clock::now() < deadline)
            if (!pump(20))
                break;
        return acked();
    }

    const std::string& input() const { return m_in; }
    const std::string& unexpected() const { return m_unexpected; }

private:
    bool waitFor(short events, std::chrono::steady_clock::time_point deadline)
    {
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                              deadline - std::chrono::steady_clock::now())
                              .count();
        if (left <= 0)
            return false;
        pollfd p{m_fd, events, 0};
        return ::poll(&p, 1, static_cast<int>(left)) > 0;
    }

    int m_fd = -1;
    std::string m_in;
    std::string m_unexpected;
    std::int64_t m_acked = 0;
};

} // namespace vigil::test
