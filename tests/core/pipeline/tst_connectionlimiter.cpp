// SPDX-License-Identifier: Apache-2.0
// ConnectionLimiter on its own: the total and per-address limits, the share of slots for
// connections in their handshake, eviction of the oldest handshake, and handshake deadlines.
#include "testsupport.h"

#include "pipeline/connectionlimiter.h"

#include <QtTest>

#include <set>

using namespace vigil;
using namespace std::chrono_literals;
using Limiter = ConnectionLimiter;
using Verdict = ConnectionLimiter::Verdict;

namespace {

boost::asio::ip::address ip(const char* text)
{
    return boost::asio::ip::make_address(text);
}

ConnectionLimits limits(std::size_t total, std::size_t perAddress, std::size_t handshaking = 0)
{
    ConnectionLimits l;
    l.maxConnections = total;
    l.maxPerAddress = perAddress;
    l.maxHandshaking = handshaking;
    return l;
}

} // namespace

class TestConnectionLimiter : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void defaults();
    void totalLimitRefusesWhenEveryoneIsAuthenticated();
    void perAddressLimit();
    void ipv6IsCountedByPrefixAndMappedIpv4AsIpv4();
    void loopbackIsNotLimitedPerAddressUnlessAsked();
    void handshakesUseOnlyTheirShare();
    void newcomerEvictsTheOldestHandshake();
    void perAddressEvictionStaysWithinTheAddress();
    void expiredHandshakes();
    void releaseAndAuthenticateOfUnknownIdsAreIgnored();
};

void TestConnectionLimiter::defaults()
{
    const ConnectionLimits d;
    QCOMPARE(d.maxConnections, std::size_t(256));
    QCOMPARE(d.maxPerAddress, std::size_t(32));
    QCOMPARE(d.handshakeTimeout, std::chrono::milliseconds(5s));
    QVERIFY(!d.limitLoopback);
    QCOMPARE(Limiter(d).handshakeSlots(), std::size_t(128));
    QCOMPARE(Limiter(limits(7, 0)).handshakeSlots(), std::size_t(4)); // half, rounded up
    QCOMPARE(Limiter(limits(1, 0)).handshakeSlots(), std::size_t(1));
    QCOMPARE(Limiter(limits(4, 0, 9)).handshakeSlots(), std::size_t(4)); // never above the total
}

void TestConnectionLimiter::totalLimitRefusesWhenEveryoneIsAuthenticated()
{
    Limiter l(limits(3, 0));
    std::set<Limiter::Id> ids;
    for (const char* a : {"192.0.2.1", "192.0.2.2", "192.0.2.3"}) {
        const auto r = l.admit(ip(a), false);
        QVERIFY(r.admitted());
        QVERIFY(r.id != 0);
        QVERIFY(r.evicted.empty());
        ids.insert(r.id);
    }
    QCOMPARE(ids.size(), std::size_t(3));
    const auto refused = l.admit(ip("192.0.2.4"), false);
    QCOMPARE(refused.verdict, Verdict::RefusedTotal);
    QCOMPARE(refused.reason, std::string("3 connections are open (the limit)"));
    QCOMPARE(l.open(), std::size_t(3));
    QCOMPARE(refused.id, Limiter::Id(0));
    l.release(*ids.begin());
    const auto again = l.admit(ip("192.0.2.4"), false);
    QVERIFY(again.admitted());
    QVERIFY(again.id > *ids.rbegin()); // ids are not reused
}

void TestConnectionLimiter::perAddressLimit()
{
    Limiter l(limits(10, 2));
    const auto a = l.admit(ip("198.51.100.7"), false);
    QVERIFY(a.admitted());
    QVERIFY(l.admit(ip("198.51.100.7"), false).admitted());
    const auto third = l.admit(ip("198.51.100.7"), false);
    QCOMPARE(third.verdict, Verdict::RefusedPerAddress);
    QCOMPARE(third.reason,
             std::string("2 connections from 198.51.100.7 are open (the per-address limit)"));
    QVERIFY(l.admit(ip("198.51.100.8"), false).admitted()); // another address is not affected
    QCOMPARE(l.fromAddress(ip("198.51.100.7")), std::size_t(2));
    l.release(a.id);
    QCOMPARE(l.fromAddress(ip("198.51.100.7")), std::size_t(1));
    QVERIFY(l.admit(ip("198.51.100.7"), false).admitted());
    // 0: no per-address limit.
    Limiter open(limits(10, 0));
    for (int i = 0; i < 10; ++i)
        QVERIFY(open.admit(ip("198.51.100.7"), false).admitted());
}

void TestConnectionLimiter::ipv6IsCountedByPrefixAndMappedIpv4AsIpv4()
{
    QCOMPARE(Limiter::addressKey(ip("2001:db8:1:2:aaaa::1")), std::string("2001:db8:1:2::/64"));
    QCOMPARE(Limiter::addressKey(ip("::ffff:192.0.2.9")), std::string("192.0.2.9"));
    Limiter l(limits(10, 2));
    QVERIFY(l.admit(ip("2001:db8:1:2::1"), false).admitted());
    QVERIFY(l.admit(ip("2001:db8:1:2:ffff:ffff:ffff:ffff"), false).admitted());
    QCOMPARE(l.admit(ip("2001:db8:1:2::3"), false).verdict, Verdict::RefusedPerAddress);
    QVERIFY(l.admit(ip("2001:db8:1:3::1"), false).admitted()); // the next /64
    QVERIFY(l.admit(ip("192.0.2.9"), false).admitted());
    QVERIFY(l.admit(ip("192.0.2.9"), false).admitted());
    QCOMPARE(l.admit(ip("::ffff:192.0.2.9"), false).verdict, Verdict::RefusedPerAddress);
}

void TestConnectionLimiter::loopbackIsNotLimitedPerAddressUnlessAsked()
{
    Limiter l(limits(10, 2));
    for (int i = 0; i < 5; ++i) {
        QVERIFY(l.admit(ip("127.0.0.1"), false).admitted());
        QVERIFY(l.admit(ip("::1"), false).admitted());
    }
    QCOMPARE(l.admit(ip("::ffff:127.0.0.1"), false).verdict, Verdict::RefusedTotal);

    ConnectionLimits strict = limits(10, 2);
    strict.limitLoopback = true;
    Limiter s(strict);
    QVERIFY(s.admit(ip("127.0.0.1"), false).admitted());
    QVERIFY(s.admit(ip("127.0.0.1"), false).admitted());
    QCOMPARE(s.admit(ip("127.0.0.1"), false).verdict, Verdict::RefusedPerAddress);
    QVERIFY(s.admit(ip("127.0.0.2"), false).admitted());
}

void TestConnectionLimiter::handshakesUseOnlyTheirShare()
{
    Limiter l(limits(4, 0)); // two slots for handshakes
    const auto h1 = l.admit(ip("192.0.2.1"), true);
    const auto h2 = l.admit(ip("192.0.2.2"), true);
    QVERIFY(h1.admitted() && h2.admitted() && h2.evicted.empty());
    // The share is full although two slots are free: the oldest handshake makes room.
    const auto h3 = l.admit(ip("192.0.2.3"), true);
    QVERIFY(h3.admitted());
    QCOMPARE(h3.evicted, std::vector<Limiter::Id>{h1.id});
    QCOMPARE(l.open(), std::size_t(2));
    QCOMPARE(l.handshaking(), std::size_t(2));
    // Authenticating never fails and frees the handshake share, not the total.
    l.authenticated(h2.id);
    l.authenticated(h3.id);
    QCOMPARE(l.handshaking(), std::size_t(0));
    QCOMPARE(l.open(), std::size_t(2));
    const auto h4 = l.admit(ip("192.0.2.4"), true);
    const auto h5 = l.admit(ip("192.0.2.5"), true);
    QVERIFY(h4.admitted() && h5.admitted() && h5.evicted.empty());
    const auto h6 = l.admit(ip("192.0.2.6"), true); // every slot is taken now
    QVERIFY(h6.admitted());
    QCOMPARE(h6.evicted, std::vector<Limiter::Id>{h4.id});
    QCOMPARE(l.open(), std::size_t(4));
    // Connections that authenticated can fill every slot; then nobody is evicted.
    l.authenticated(h5.id);
    l.authenticated(h6.id);
    QCOMPARE(l.admit(ip("192.0.2.6"), true).verdict, Verdict::RefusedTotal);
    QCOMPARE(l.admit(ip("192.0.2.6"), false).verdict, Verdict::RefusedTotal);
}

void TestConnectionLimiter::newcomerEvictsTheOldestHandshake()
{
    Limiter l(limits(4, 0, 4)); // every slot may hold a handshake
    std::vector<Limiter::Id> ids;
    for (int i = 0; i < 4; ++i)
        ids.push_back(l.admit(ip("203.0.113.1"), true).id);
    l.authenticated(ids[0]); // the oldest is past its handshake: it is never evicted
    const auto a = l.admit(ip("203.0.113.2"), true);
    QVERIFY(a.admitted());
    QCOMPARE(a.evicted, std::vector<Limiter::Id>{ids[1]});
    const auto b = l.admit(ip("203.0.113.3"), false); // no handshake needed: same rule
    QCOMPARE(b.evicted, std::vector<Limiter::Id>{ids[2]});
    QCOMPARE(l.open(), std::size_t(4));
    l.release(ids[1]); // already gone: ignored
    QCOMPARE(l.open(), std::size_t(4));
    QCOMPARE(l.handshaking(), std::size_t(2)); // ids[3] and a
}

void TestConnectionLimiter::perAddressEvictionStaysWithinTheAddress()
{
    Limiter l(limits(10, 2, 10));
    const auto other = l.admit(ip("192.0.2.50"), true);  // older, another address
    const auto mine1 = l.admit(ip("192.0.2.60"), true);  // in its handshake
    const auto mine2 = l.admit(ip("192.0.2.60"), false); // authenticated
    const auto again = l.admit(ip("192.0.2.60"), true);
    QVERIFY(again.admitted());
    QCOMPARE(again.evicted, std::vector<Limiter::Id>{mine1.id}); // not `other`
    QCOMPARE(l.admit(ip("192.0.2.60"), true).evicted, std::vector<Limiter::Id>{again.id});
    l.authenticated(mine2.id);
    QCOMPARE(l.fromAddress(ip("192.0.2.60")), std::size_t(2));
    QCOMPARE(l.open(), std::size_t(3));
    QVERIFY(other.admitted());
}

void TestConnectionLimiter::expiredHandshakes()
{
    ConnectionLimits lim = limits(10, 0);
    lim.handshakeTimeout = 2s;
    Limiter l(lim);
    const auto t0 = Limiter::Clock::now();
    const auto a = l.admit(ip("192.0.2.1"), true, t0);
    const auto b = l.admit(ip("192.0.2.2"), true, t0 + 1s);
    const auto c = l.admit(ip("192.0.2.3"), true, t0 + 1s);
    const auto d = l.admit(ip("192.0.2.4"), false, t0); // no handshake: no deadline
    l.authenticated(c.id);
    QVERIFY(l.expired(t0 + 1999ms).empty());
    QCOMPARE(l.expired(t0 + 2s), std::vector<Limiter::Id>{a.id});
    QVERIFY(l.expired(t0 + 2s).empty()); // reported once, then no longer counted
    QCOMPARE(l.expired(t0 + 10s), std::vector<Limiter::Id>{b.id});
    QCOMPARE(l.open(), std::size_t(2)); // c and d
    QVERIFY(d.admitted());
}

void TestConnectionLimiter::releaseAndAuthenticateOfUnknownIdsAreIgnored()
{
    Limiter l(limits(2, 1));
    l.release(12345);
    l.authenticated(12345);
    const auto a = l.admit(ip("192.0.2.1"), true);
    l.release(a.id);
    l.release(a.id);
    l.authenticated(a.id);
    QCOMPARE(l.open(), std::size_t(0));
    QCOMPARE(l.handshaking(), std::size_t(0));
    QCOMPARE(l.fromAddress(ip("192.0.2.1")), std::size_t(0));
    QVERIFY(l.admit(ip("192.0.2.1"), false).admitted());
}

QTEST_GUILESS_MAIN(TestConnectionLimiter)
#include "tst_connectionlimiter.moc"
