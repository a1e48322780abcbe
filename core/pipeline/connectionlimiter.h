// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <boost/asio/ip/address.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <vector>

namespace vigil {

/// The connection-slot limits of a listener (docs/protocol.md, "Limits").
struct ConnectionLimits
{
    std::size_t maxConnections = 256; ///< open connections at most, all kinds together
    /// Open connections from one address at most (an IPv4 address, or the /64 of an IPv6
    /// address); 0: no such limit. Loopback peers are not counted unless limitLoopback.
    std::size_t maxPerAddress = 32;
    /// Connections still in their handshake (TLS, authentication) at most; 0: half of
    /// maxConnections, rounded up. The rest of maxConnections is kept for connections that
    /// completed it.
    std::size_t maxHandshaking = 0;
    /// A connection must complete its handshake within this long.
    std::chrono::milliseconds handshakeTimeout{std::chrono::seconds(5)};
    /// Whether maxPerAddress applies to loopback peers too. Off by default: every local
    /// client shares 127.0.0.1 (or ::1), and a local process can pick any 127.x.y.z source,
    /// so the limit would shrink what well-behaved local agents get without stopping anyone.
    bool limitLoopback = false;
};

/// Decides which connections a listener takes, so that no one peer, and no crowd of peers
/// that never finish their handshake, can take every slot:
///
/// - at most maxConnections are open, at most maxPerAddress from one address;
/// - connections in their handshake may hold at most maxHandshaking slots, so the others
///   stay free for peers that authenticated; completing the handshake (authenticated())
///   never fails;
/// - a handshake older than handshakeTimeout is reported by expired();
/// - when a new connection finds a limit taken and some of it is held by connections still
///   in their handshake, the oldest of those is evicted (returned to be closed) instead of
///   refusing the newcomer: a peer that completes its handshake promptly always gets in,
///   however many slow ones are queued. A limit held only by connections past their
///   handshake refuses the newcomer.
///
/// It only counts: the caller closes what admit() evicts and what expired() returns, and
/// calls release() when a connection ends. Thread-safe (one mutex), so several listeners
/// may share one limiter.
class ConnectionLimiter
{
public:
    using Id = std::uint64_t;
    using Clock = std::chrono::steady_clock;

    enum class Verdict
    {
        Admitted,
        RefusedTotal,     ///< maxConnections are open, none of them in its handshake
        RefusedPerAddress ///< maxPerAddress from this address are open, none in its handshake
    };

    struct Admission
    {
        Verdict verdict = Verdict::Admitted;
        Id id = 0; ///< of the admitted connection (ids are never 0 and never reused)
        /// Connections in their handshake that lost their slot to this one: close them.
        /// They are no longer counted; release() of them does nothing.
        std::vector<Id> evicted;
        /// For a refusal: what is full, for a log line ("8 connections are open (the
        /// limit)").
        std::string reason;

        bool admitted() const { return verdict == Verdict::Admitted; }
    };

    explicit ConnectionLimiter(ConnectionLimits limits);

    const ConnectionLimits& limits() const { return m_limits; }
    /// maxHandshaking as it applies (the default resolved).
    std::size_t handshakeSlots() const { return m_handshakeSlots; }

    /// A new connection from `peer`. With `handshake`, it starts in its handshake (call
    /// authenticated() when it completes); without, it counts as authenticated at once.
    Admission admit(const boost::asio::ip::address& peer, bool handshake,
                    Clock::time_point now = Clock::now());

    /// The connection completed its handshake: it leaves the handshake share. Unknown ids
    /// (evicted, expired, released) are ignored.
    void authenticated(Id id);

    /// The connection ended. Unknown ids are ignored.
    void release(Id id);

    /// Connections whose handshake began more than handshakeTimeout before `now`, oldest
    /// first. They are no longer counted: close them.
    std::vector<Id> expired(Clock::time_point now = Clock::now());

    std::size_t open() const;        ///< connections counted now
    std::size_t handshaking() const; ///< of them, in their handshake
    std::size_t fromAddress(const boost::asio::ip::address& peer) const;

    /// The key connections are counted under: the IPv4 address (also of an IPv4-mapped
    /// IPv6 one), or the first 64 bits of an IPv6 address, written as `2001:db8:1:2::/64`.
    static std::string addressKey(const boost::asio::ip::address& peer);

private:
    struct Entry
    {
        std::string key; ///< empty when the peer is not limited per address
        bool handshaking = false;
        Clock::time_point since{};
    };

    void forget(std::map<Id, Entry>::iterator it);
    Id oldestHandshaking(const std::string& key) const; ///< 0 when none; empty key: any

    ConnectionLimits m_limits;
    std::size_t m_handshakeSlots = 1;
    mutable std::mutex m_mutex;
    Id m_next = 1;
    std::map<Id, Entry> m_entries;
    std::set<Id> m_handshaking; ///< ids grow with admission, so begin() is the oldest
    std::map<std::string, std::size_t> m_perAddress;
};

} // namespace vigil
