// SPDX-License-Identifier: Apache-2.0
#include "pipeline/connectionlimiter.h"

#include <algorithm>

namespace vigil {

namespace ip = boost::asio::ip;

namespace {

bool isLoopback(const ip::address& a)
{
    if (a.is_v6() && a.to_v6().is_v4_mapped())
        return ip::make_address_v4(ip::v4_mapped, a.to_v6()).is_loopback();
    return a.is_loopback();
}

} // namespace

ConnectionLimiter::ConnectionLimiter(ConnectionLimits limits) : m_limits(limits)
{
    m_limits.maxConnections = std::max<std::size_t>(1, m_limits.maxConnections);
    m_handshakeSlots =
        m_limits.maxHandshaking > 0 ? m_limits.maxHandshaking : (m_limits.maxConnections + 1) / 2;
    m_handshakeSlots = std::clamp<std::size_t>(m_handshakeSlots, 1, m_limits.maxConnections);
}

std::string ConnectionLimiter::addressKey(const ip::address& peer)
{
    if (peer.is_v4())
        return peer.to_v4().to_string();
    const ip::address_v6 v6 = peer.to_v6();
    if (v6.is_v4_mapped())
        return ip::make_address_v4(ip::v4_mapped, v6).to_string();
    // One IPv6 host usually holds a whole /64: count the prefix, not the address.
    ip::address_v6::bytes_type b = v6.to_bytes();
    std::fill(b.begin() + 8, b.end(), static_cast<unsigned char>(0));
    return ip::address_v6(b).to_string() + "/64";
}

ConnectionLimiter::Admission ConnectionLimiter::admit(const ip::address& peer, bool handshake,
                                                      Clock::time_point now)
{
    Admission a;
    const bool perAddress =
        m_limits.maxPerAddress > 0 && (m_limits.limitLoopback || !isLoopback(peer));
    const std::string key = perAddress ? addressKey(peer) : std::string();

    std::lock_guard l(m_mutex);
    // Each limit in turn: when it is taken, the oldest connection still in its handshake that
    // counts towards it makes room; when none does, the newcomer is refused.
    const auto makeRoom = [&](const std::string& within) {
        const Id victim = oldestHandshaking(within);
        if (victim == 0)
            return false;
        a.evicted.push_back(victim);
        forget(m_entries.find(victim));
        return true;
    };
    if (perAddress) {
        const auto it = m_perAddress.find(key);
        if (it != m_perAddress.end() && it->second >= m_limits.maxPerAddress && !makeRoom(key)) {
            a.verdict = Verdict::RefusedPerAddress;
            a.reason = std::to_string(m_limits.maxPerAddress) + " connections from " + key +
                       " are open (the per-address limit)";
            return a;
        }
    }
    if (m_entries.size() >= m_limits.maxConnections && !makeRoom({})) {
        a.verdict = Verdict::RefusedTotal;
        a.reason = std::to_string(m_limits.maxConnections) + " connections are open (the limit)";
        return a;
    }
    if (handshake && m_handshaking.size() >= m_handshakeSlots)
        makeRoom({}); // always succeeds: the share is full of handshakes

    a.id = m_next++;
    m_entries.emplace(a.id, Entry{key, handshake, now});
    if (handshake)
        m_handshaking.insert(a.id);
    if (!key.empty())
        ++m_perAddress[key];
    return a;
}

void ConnectionLimiter::authenticated(Id id)
{
    std::lock_guard l(m_mutex);
    const auto it = m_entries.find(id);
    if (it == m_entries.end())
        return;
    it->second.handshaking = false;
    m_handshaking.erase(id);
}

void ConnectionLimiter::release(Id id)
{
    std::lock_guard l(m_mutex);
    const auto it = m_entries.find(id);
    if (it != m_entries.end())
        forget(it);
}

std::vector<ConnectionLimiter::Id> ConnectionLimiter::expired(Clock::time_point now)
{
    std::vector<Id> out;
    std::lock_guard l(m_mutex);
    for (const Id id : m_handshaking)
        if (now - m_entries.at(id).since >= m_limits.handshakeTimeout)
            out.push_back(id);
    for (const Id id : out)
        forget(m_entries.find(id));
    return out;
}

std::size_t ConnectionLimiter::open() const
{
    std::lock_guard l(m_mutex);
    return m_entries.size();
}

std::size_t ConnectionLimiter::handshaking() const
{
    std::lock_guard l(m_mutex);
    return m_handshaking.size();
}

std::size_t ConnectionLimiter::fromAddress(const ip::address& peer) const
{
    std::lock_guard l(m_mutex);
    const auto it = m_perAddress.find(addressKey(peer));
    return it == m_perAddress.end() ? 0 : it->second;
}

void ConnectionLimiter::forget(std::map<Id, Entry>::iterator it)
{
    if (!it->second.key.empty()) {
        const auto p = m_perAddress.find(it->second.key);
        if (p != m_perAddress.end() && --p->second == 0)
            m_perAddress.erase(p);
    }
    m_handshaking.erase(it->first);
    m_entries.erase(it);
}

ConnectionLimiter::Id ConnectionLimiter::oldestHandshaking(const std::string& key) const
{
    for (const Id id : m_handshaking)
        if (key.empty() || m_entries.at(id).key == key)
            return id;
    return 0;
}

} // namespace vigil
