// SPDX-License-Identifier: Apache-2.0
// The TCP feed with real sockets on 127.0.0.1: acknowledgements, limits, timeouts, memory
// budgets, authentication, TLS, quarantine of garbage, flush on stop.
#include "livetestclient.h"
#include "testsupport.h"

#include "pipeline/liveingest.h"
#include "store/storereader.h"

#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>

#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

#include <sys/stat.h>

#include <algorithm>
#include <fstream>
#include <mutex>
#include <thread>

using namespace vigil;
using namespace std::chrono_literals;
using test::LiveTestClient;
using test::seqEvent;

namespace {

std::int64_t countRows(const std::string& db, const char* table)
{
    auto r = StoreReader::open(db);
    if (!r)
        return -1;
    auto st = SqlStatement::prepare(r->database(), std::string("SELECT COUNT(*) FROM ") + table);
    if (!st || !*st->step())
        return -1;
    return st->columnInt(0);
}

bool waitForRows(const std::string& db, const char* table, std::int64_t n,
                 std::chrono::milliseconds timeout = 15s)
{
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
        if (countRows(db, table) >= n)
            return true;
        std::this_thread::sleep_for(20ms);
    }
    return false;
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

std::string lines(std::int64_t from, std::int64_t to, const std::string& idPrefix = {})
{
    std::string s;
    for (std::int64_t i = from; i <= to; ++i)
        s += seqEvent(i, idPrefix.empty() ? std::string() : idPrefix + std::to_string(i)) + "\n";
    return s;
}

/// A writer and a live pipeline with only the TCP feed, on a free loopback port.
struct Server
{
    explicit Server(const std::string& dbPath, TcpOptions tcp = {}) : db(dbPath)
    {
        auto w = StoreWriter::open(db);
        if (!w)
            qFatal("cannot open %s", db.c_str());
        writer = std::move(*w);
        if (tcp.port == kDefaultListenPort)
            tcp.port = 0;
        options.tcp = tcp;
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
        const std::string a = live->listenAddress();
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

} // namespace

class TestTcp : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init() { QVERIFY(m_dir.isValid()); }
    void listenAddressParsing();
    void tokenFileMustBePrivate();
    void ackProtocolAndSilenceForOthers();
    void stopCommitsAndAcknowledgesEverythingReceived();
    void idleAndTricklingClientsAreClosed();
    void connectionLimit();
    void defaultConnectionLimitIs256();
    void tokenRequiredAndNeverLogged();
    void nonLoopbackWithoutTokenRefusesToStart();
    void garbageAndInvalidUtf8AreQuarantined();
    void tooManyRejectedLinesClosesTheConnection();
    void overlongLineIsQuarantinedAndTheConnectionGoesOn();
    void globalBudgetBoundsMemoryAndOthersAreServed();
    void closedPeersAreSeenWhileMemoryIsShort_data();
    void closedPeersAreSeenWhileMemoryIsShort();
    void stalledLineIsClosedWhileMemoryIsShort();
    void blankLinesDoNotKeepAConnectionOpen();
    void unauthenticatedFloodCannotLockOutAuthenticatedClients();
    void handshakeMustCompleteInTime();
    void perAddressLimit();
    void tlsWithToken();
    void tlsSettingsAreChecked();

private:
    std::string path(const std::string& name) const
    {
        return m_dir.filePath(QString::fromStdString(name)).toStdString();
    }
    QTemporaryDir m_dir;
};

void TestTcp::listenAddressParsing()
{
    auto a = parseListenAddress("127.0.0.1:7514");
    QVERIFY(a.has_value());
    QCOMPARE(a->first, std::string("127.0.0.1"));
    QCOMPARE(int(a->second), 7514);
    a = parseListenAddress("[::1]:9000");
    QVERIFY(a.has_value());
    QCOMPARE(a->first, std::string("::1"));
    a = parseListenAddress("localhost:1");
    QCOMPARE(a->first, std::string("127.0.0.1"));
    a = parseListenAddress("8000");
    QCOMPARE(a->first, std::string("127.0.0.1"));
    QVERIFY(!parseListenAddress("127.0.0.1:70000").has_value());
    QVERIFY(!parseListenAddress("example.com:80").has_value());
    QVERIFY(!parseListenAddress("::1:80").has_value());
    QVERIFY(!parseListenAddress("127.0.0.1:").has_value());
    QVERIFY(isLoopbackHost("127.0.0.1"));
    QVERIFY(isLoopbackHost("127.1.2.3"));
    QVERIFY(isLoopbackHost("::1"));
    QVERIFY(isLoopbackHost("::ffff:127.0.0.1"));
    QVERIFY(!isLoopbackHost("0.0.0.0"));
    QVERIFY(!isLoopbackHost("::"));
    QVERIFY(!isLoopbackHost("192.168.1.10"));
}

void TestTcp::tokenFileMustBePrivate()
{
    const std::string f = path("token");
    const std::string secret = "tok-3f9a1c77e2";
    std::ofstream(f) << secret << "\n";
    ::chmod(f.c_str(), 0644);
    auto t = readTokenFile(f);
    QVERIFY(!t.has_value());
    QVERIFY(t.error().message.find("chmod 600") != std::string::npos);
    QVERIFY(t.error().message.find(secret) == std::string::npos);
    ::chmod(f.c_str(), 0600);
    t = readTokenFile(f);
    QVERIFY(t.has_value());
    QCOMPARE(*t, secret);
    std::ofstream(path("empty")) << "\n";
    ::chmod(path("empty").c_str(), 0600);
    QVERIFY(!readTokenFile(path("empty")).has_value());
    QVERIFY(!readTokenFile(path("missing")).has_value());
}

void TestTcp::ackProtocolAndSilenceForOthers()
{
    Server s(path("ack.db"));
    QVERIFY(s.start().has_value());
    LiveTestClient acker, quiet;
    QVERIFY(acker.connect(s.port()));
    QVERIFY(quiet.connect(s.port()));
    QVERIFY(acker.sendAll("{\"hello\":{\"ack\":true}}\n"));
    QVERIFY(acker.sendAll(lines(1, 500)));
    QVERIFY(quiet.sendAll(lines(501, 600)));
    QCOMPARE(acker.waitAck(500, 10000), 500);
    QVERIFY(acker.unexpected().empty());
    // Acknowledged means stored: visible to a reader right away.
    QCOMPARE(countRows(s.db, "events"), 500 + (countRows(s.db, "events") - 500));
    QVERIFY(countRows(s.db, "events") >= 500);
    QVERIFY(acker.sendAll(lines(601, 650) + "not json\n"));
    QCOMPARE(acker.waitAck(551, 10000), 551); // quarantined lines count as done too
    QVERIFY(waitForRows(s.db, "events", 650));
    QVERIFY(quiet.pump(200));
    QVERIFY(quiet.input().empty()); // never written to
    const LiveStats st = s.live->stats();
    QCOMPARE(st.accepted, 650);
    QCOMPARE(st.rejected, 1);
    QCOMPARE(st.connectionsOpen, 2);
}

void TestTcp::stopCommitsAndAcknowledgesEverythingReceived()
{
    TcpOptions o;
    o.flushInterval = 10s; // lines stay with the connection until stop()
    Server s(path("stop.db"), o);
    QVERIFY(s.start().has_value());
    LiveTestClient c;
    QVERIFY(c.connect(s.port()));
    QVERIFY(c.sendAll("{\"hello\":{\"ack\":true}}\n" + lines(1, 300)));
    QVERIFY(waitUntil([&] { return s.live->stats().bytesReceived > 0; }));
    std::this_thread::sleep_for(200ms);
    QCOMPARE(countRows(s.db, "events"), 0);
    s.live->stop();
    QCOMPARE(countRows(s.db, "events"), 300);
    QCOMPARE(c.waitAck(300, 5000), 300);
    QVERIFY(c.waitClosed(2000));
}

void TestTcp::idleAndTricklingClientsAreClosed()
{
    TcpOptions o;
    o.idleTimeout = 600ms;
    Server s(path("idle.db"), o);
    QVERIFY(s.start().has_value());
    LiveTestClient idle, trickle, busy;
    QVERIFY(idle.connect(s.port()));
    QVERIFY(trickle.connect(s.port()));
    QVERIFY(busy.connect(s.port()));
    const std::string line = seqEvent(1) + "\n";
    const auto start = std::chrono::steady_clock::now();
    std::size_t sent = 0;
    int busySeq = 1;
    bool idleClosed = false, trickleClosed = false;
    while (std::chrono::steady_clock::now() - start < 1500ms) {
        // One byte every 50 ms: never a complete line within the timeout.
        if (!trickleClosed &&
            trickle.sendSome(std::string_view(line).substr(sent % line.size(), 1)) == 1)
            ++sent;
        QVERIFY(busy.sendAll(seqEvent(busySeq++) + "\n")); // a line every 50 ms: stays
        idleClosed = idleClosed || !idle.pump(0);
        trickleClosed = trickleClosed || !trickle.pump(0);
        std::this_thread::sleep_for(50ms);
    }
    QVERIFY(idle.waitClosed(1000) || idleClosed);
    QVERIFY(trickle.waitClosed(1000) || trickleClosed);
    QVERIFY(busy.pump(0)); // still open
    QVERIFY(busy.sendAll(seqEvent(busySeq) + "\n"));
    QVERIFY(waitForRows(s.db, "events", busySeq));
    const LiveStats st = s.live->stats();
    QCOMPARE(st.idleClosed, 2);
    QCOMPARE(st.connectionsOpen, 1);
    QVERIFY(s.logText().find("no complete line") != std::string::npos);
}

void TestTcp::connectionLimit()
{
    TcpOptions o;
    o.maxConnections = 3;
    Server s(path("limit.db"), o);
    QVERIFY(s.start().has_value());
    std::vector<LiveTestClient> clients(3);
    for (auto& c : clients)
        QVERIFY(c.connect(s.port()));
    QVERIFY(waitUntil([&] { return s.live->stats().connectionsOpen == 3; }));
    LiveTestClient extra;
    QVERIFY(extra.connect(s.port())); // the kernel accepts; Vigil closes it at once
    QVERIFY(extra.waitClosed(2000));
    QCOMPARE(s.live->stats().connectionsRefused, 1);
    for (std::size_t i = 0; i < clients.size(); ++i)
        QVERIFY(clients[i].sendAll(seqEvent(std::int64_t(i) + 1) + "\n"));
    QVERIFY(waitForRows(s.db, "events", 3));
    clients[0].close();
    QVERIFY(waitUntil([&] { return s.live->stats().connectionsOpen == 2; }));
    LiveTestClient again;
    QVERIFY(again.connect(s.port()));
    QVERIFY(again.sendAll("{\"hello\":{\"ack\":true}}\n" + seqEvent(4) + "\n"));
    QCOMPARE(again.waitAck(1, 5000), 1);
    QVERIFY(s.logText().find("3 connections are open (the limit)") != std::string::npos);
}

void TestTcp::defaultConnectionLimitIs256()
{
    QCOMPARE(TcpOptions{}.maxConnections, std::size_t(256));
    QCOMPARE(TcpOptions{}.idleTimeout, std::chrono::milliseconds(300s));
    QCOMPARE(TcpOptions{}.maxLineBytes, std::size_t(1024 * 1024));
    QCOMPARE(TcpOptions{}.maxPerAddress, std::size_t(32));
    QVERIFY(!TcpOptions{}.limitLoopbackPerAddress);
    QCOMPARE(TcpOptions{}.maxHandshaking, std::size_t(0)); // half of maxConnections
    QCOMPARE(TcpOptions{}.handshakeTimeout, std::chrono::milliseconds(5s));
    QCOMPARE(TcpOptions{}.overdraftStallTimeout, std::chrono::milliseconds(5s));
    QCOMPARE(TcpOptions{}.host, std::string("127.0.0.1"));
    QCOMPARE(int(TcpOptions{}.port), 7514);
    Server s(path("limit256.db"));
    QVERIFY(s.start().has_value());
    std::vector<LiveTestClient> clients(256);
    for (auto& c : clients)
        QVERIFY(c.connect(s.port()));
    QVERIFY(waitUntil([&] { return s.live->stats().connectionsOpen == 256; }));
    LiveTestClient the257th;
    QVERIFY(the257th.connect(s.port()));
    QVERIFY(the257th.waitClosed(2000));
    QCOMPARE(s.live->stats().connectionsRefused, 1);
    QCOMPARE(s.live->stats().connectionsOpen, 256);
    QVERIFY(clients.back().sendAll(seqEvent(1) + "\n"));
    QVERIFY(waitForRows(s.db, "events", 1));
}

void TestTcp::tokenRequiredAndNeverLogged()
{
    const std::string token = "vigil-tok-8d1e55b0c4f2";
    const std::string guess = "vigil-tok-guess-1234";
    TcpOptions o;
    o.token = token;
    Server s(path("token.db"), o);
    QVERIFY(s.start().has_value());

    LiveTestClient none, wrong, right, overlong;
    QVERIFY(none.connect(s.port()));
    QVERIFY(none.sendAll(lines(1, 3)));
    QVERIFY(none.waitClosed(3000));
    QVERIFY(wrong.connect(s.port()));
    QVERIFY(wrong.sendAll("{\"auth\":\"" + guess + "\"}\n" + lines(4, 6)));
    QVERIFY(wrong.waitClosed(3000));
    QVERIFY(overlong.connect(s.port()));
    QVERIFY(overlong.sendAll("{\"auth\":\"" + std::string(10000, 'a'))); // bounded pre-auth
    QVERIFY(overlong.waitClosed(3000));
    std::this_thread::sleep_for(200ms);
    QCOMPARE(countRows(s.db, "events"), 0);
    QCOMPARE(countRows(s.db, "quarantine"), 0);

    QVERIFY(right.connect(s.port()));
    QVERIFY(
        right.sendAll("{\"auth\":\"" + token + "\"}\n{\"hello\":{\"ack\":true}}\n" + lines(7, 9)));
    QCOMPARE(right.waitAck(3, 5000), 3);
    QCOMPARE(countRows(s.db, "events"), 3);
    const LiveStats st = s.live->stats();
    QCOMPARE(st.authFailures, 3);
    s.live->stop();
    const std::string log = s.logText();
    QVERIFY(log.find("authentication failed") != std::string::npos);
    QVERIFY(log.find(token) == std::string::npos);
    QVERIFY(log.find(guess) == std::string::npos);
    QVERIFY(liveStatsJson(s.live->stats()).find(token) == std::string::npos);
}

void TestTcp::nonLoopbackWithoutTokenRefusesToStart()
{
    TcpOptions o;
    o.host = "0.0.0.0";
    {
        Server s(path("open.db"), o);
        auto r = s.start();
        QVERIFY(!r.has_value());
        QCOMPARE(r.error().code, std::string("tcp.token_required"));
        QVERIFY(r.error().message.find("non-loopback") != std::string::npos);
        QVERIFY(r.error().message.find("token") != std::string::npos);
        QVERIFY(!s.live->running());
    }
    o.token = "secret-for-any-address";
    Server s(path("open2.db"), o);
    QVERIFY(s.start().has_value());
    LiveTestClient c;
    QVERIFY(c.connect(s.port()));
    QVERIFY(c.sendAll("{\"auth\":\"secret-for-any-address\"}\n" + lines(1, 1)));
    QVERIFY(waitForRows(s.db, "events", 1));
}

void TestTcp::garbageAndInvalidUtf8AreQuarantined()
{
    TcpOptions o;
    o.maxRejectedLines = 0; // never close for rejects here
    Server s(path("garbage.db"), o);
    QVERIFY(s.start().has_value());
    LiveTestClient c;
    QVERIFY(c.connect(s.port()));
    std::string binary;
    for (int i = 0; i < 4096; ++i)
        binary += static_cast<char>((i * 131 + 7) % 256 == '\n' ? 0 : (i * 131 + 7) % 256);
    const std::string badUtf8 =
        seqEvent(2).replace(seqEvent(2).find("readonly"), 8, "read\xC3\x28only");
    QVERIFY(c.sendAll("{\"hello\":{\"ack\":true}}\n" + seqEvent(1) + "\n" + binary + "\n" +
                      badUtf8 + "\n" + std::string("\x00\x01\x02", 3) + "\n" + seqEvent(3) + "\n"));
    QCOMPARE(c.waitAck(5, 10000), 5);
    QVERIFY(c.pump(0)); // the connection goes on
    QCOMPARE(countRows(s.db, "events"), 2);
    auto r = StoreReader::open(s.db);
    auto st = SqlStatement::prepare(r->database(), "SELECT line_no, reason, raw_bytes, source "
                                                   "FROM quarantine ORDER BY line_no");
    std::vector<std::pair<std::int64_t, std::string>> got;
    while (*st->step()) {
        got.emplace_back(st->columnInt(0), st->columnText(1));
        QVERIFY(st->columnText(3).starts_with("tcp 127.0.0.1:"));
    }
    QCOMPARE(got.size(), std::size_t(3));
    QCOMPARE(got[0].first, 2);
    QVERIFY(got[0].second == "input.invalid_utf8" || got[0].second == "input.invalid_json");
    QCOMPARE(got[1], std::make_pair(std::int64_t(3), std::string("input.invalid_utf8")));
    QCOMPARE(got[2].first, 4);
    QVERIFY(got[2].second.starts_with("input."));
}

void TestTcp::tooManyRejectedLinesClosesTheConnection()
{
    TcpOptions o;
    o.maxRejectedLines = 5;
    Server s(path("reject.db"), o);
    QVERIFY(s.start().has_value());
    LiveTestClient c;
    QVERIFY(c.connect(s.port()));
    std::string junk;
    for (int i = 0; i < 20; ++i)
        junk += "\xff\xfe garbage " + std::to_string(i) + "\n";
    QVERIFY(c.sendAll("{\"hello\":{\"ack\":true}}\n" + seqEvent(1) + "\n" + junk));
    QVERIFY(c.waitClosed(5000));
    QVERIFY(c.acked() >= 6); // what was stored or quarantined is acknowledged first
    QCOMPARE(countRows(s.db, "events"), 1);
    QVERIFY(countRows(s.db, "quarantine") >= 5);
    QCOMPARE(s.live->stats().policyClosed, 1);
}

void TestTcp::overlongLineIsQuarantinedAndTheConnectionGoesOn()
{
    Server s(path("overlong.db"));
    QVERIFY(s.start().has_value());
    LiveTestClient c;
    QVERIFY(c.connect(s.port()));
    const std::string big = R"({"blob":")" + std::string(1536 * 1024, 'y') + "\"}";
    QVERIFY(c.sendAll("{\"hello\":{\"ack\":true}}\n" + seqEvent(1) + "\n" + big + "\n" +
                      seqEvent(2) + "\n"));
    QCOMPARE(c.waitAck(3, 10000), 3);
    QCOMPARE(countRows(s.db, "events"), 2);
    auto r = StoreReader::open(s.db);
    auto st = SqlStatement::prepare(r->database(), "SELECT reason, raw_bytes, length(raw), "
                                                   "line_no FROM quarantine");
    QVERIFY(*st->step());
    QCOMPARE(st->columnText(0), std::string("input.too_long"));
    QCOMPARE(st->columnInt(1), std::int64_t(big.size()));
    QCOMPARE(st->columnInt(2), 64 * 1024);
    QCOMPARE(st->columnInt(3), 2);
}

void TestTcp::globalBudgetBoundsMemoryAndOthersAreServed()
{
    TcpOptions o;
    o.globalBudgetBytes = 4 * 1024 * 1024;
    o.idleTimeout = 3s;
    Server s(path("budget.db"), o);
    QVERIFY(s.start().has_value());
    constexpr int kHogs = 24;
    std::vector<LiveTestClient> hogs(kHogs);
    const std::string mib(1024 * 1024, 'z');
    std::vector<std::size_t> sent(kHogs, 0);
    for (auto& h : hogs)
        QVERIFY(h.connect(s.port()));
    const auto deadline = std::chrono::steady_clock::now() + 3s;
    while (std::chrono::steady_clock::now() < deadline) {
        bool all = true;
        for (int i = 0; i < kHogs; ++i) {
            if (sent[i] < mib.size()) {
                const ssize_t n = hogs[i].sendSome(std::string_view(mib).substr(sent[i]));
                QVERIFY(n >= 0);
                sent[i] += std::size_t(n);
                all = all && sent[i] == mib.size();
            }
        }
        if (all)
            break;
        std::this_thread::sleep_for(5ms);
    }
    QVERIFY(waitUntil([&] { return s.live->stats().pausedConnections > 0; }));
    // Budget plus one line (of the one connection that may read past the budget to finish
    // it) plus, per connection, at most its reserve, one read and the growth slack.
    const std::int64_t bound = 4 * 1024 * 1024 + (1024 + 32) * 1024 + kHogs * (64 + 32 + 64) * 1024;
    QVERIFY2(s.live->stats().bufferedBytes <= bound,
             std::to_string(s.live->stats().bufferedBytes).c_str());

    LiveTestClient good;
    QVERIFY(good.connect(s.port()));
    QVERIFY(good.sendAll("{\"hello\":{\"ack\":true}}\n" + lines(1, 2000)));
    QCOMPARE(good.waitAck(2000, 15000), 2000);
    QVERIFY(s.live->stats().bufferedBytes <= bound);
    // Half the hogs close; the others, and the good client, go at their idle timeout (or,
    // holding the overdraft, when they stall): nothing is held for them afterwards.
    for (int i = 0; i < kHogs / 2; ++i)
        hogs[i].close();
    QVERIFY(waitUntil([&] { return s.live->stats().connectionsOpen == 0; }, 15s));
    const LiveStats st = s.live->stats();
    QVERIFY2(st.bufferedBytes < 256 * 1024, std::to_string(st.bufferedBytes).c_str());
    QCOMPARE(st.pausedConnections, 0);
    LiveTestClient after;
    QVERIFY(after.connect(s.port()));
    QVERIFY(after.sendAll("{\"hello\":{\"ack\":true}}\n" + lines(2001, 2010)));
    QCOMPARE(after.waitAck(10, 5000), 10);
}

void TestTcp::closedPeersAreSeenWhileMemoryIsShort_data()
{
    QTest::addColumn<int>("maxLine");
    QTest::addColumn<int>("budget");
    QTest::addColumn<QString>("reason");
    // Each client's MiB is a partial line the server must hold...
    QTest::newRow("held") << 1024 * 1024 << 1024 * 1024 << QStringLiteral("input.invalid_json");
    // ... or, over the line limit, skipped up to a newline that never comes.
    QTest::newRow("skipped") << 48 * 1024 << 256 * 1024 << QStringLiteral("input.too_long");
}

void TestTcp::closedPeersAreSeenWhileMemoryIsShort()
{
    // Scaled down from 256 clients, 1 MiB each, 64 MiB budget: every slot is taken by a
    // client that sent more than the budget lets the server hold, then closed. The idle
    // timeout keeps its default (300 s), so only seeing those closes can free the slots.
    QFETCH(int, maxLine);
    QFETCH(int, budget);
    QFETCH(QString, reason);
    TcpOptions o;
    o.maxConnections = 8;
    o.maxLineBytes = std::size_t(maxLine);
    o.globalBudgetBytes = std::size_t(budget);
    o.maxRejectedLines = 0;
    o.overdraftStallTimeout = 60s; // no hog may be closed for stalling: each must be seen closing
    Server s(path("closedpeers-" + std::to_string(maxLine) + ".db"), o);
    QVERIFY(s.start().has_value());
    constexpr int kHogs = 8;
    std::vector<LiveTestClient> hogs(kHogs);
    for (auto& h : hogs)
        QVERIFY(h.connect(s.port()));
    QVERIFY(waitUntil([&] { return s.live->stats().connectionsOpen == kHogs; }));
    const std::string mib(1024 * 1024, 'h');
    std::vector<std::size_t> sent(kHogs, 0);
    // Send until every hog sent its MiB or the server stopped taking more from all of them.
    auto lastProgress = std::chrono::steady_clock::now();
    const auto deadline = lastProgress + 5s;
    while (std::chrono::steady_clock::now() < deadline &&
           std::chrono::steady_clock::now() - lastProgress < 300ms) {
        bool all = true;
        for (int i = 0; i < kHogs; ++i) {
            if (sent[i] == mib.size())
                continue;
            const ssize_t n = hogs[i].sendSome(std::string_view(mib).substr(sent[i]));
            QVERIFY(n >= 0);
            if (n > 0)
                lastProgress = std::chrono::steady_clock::now();
            sent[i] += std::size_t(n);
            all = all && sent[i] == mib.size();
        }
        if (all)
            break;
        std::this_thread::sleep_for(5ms);
    }
    // The budget is spent: the server holds more than it allows for new lines, and (for
    // partial lines) stopped reading some hogs.
    QVERIFY(waitUntil([&] { return s.live->stats().bufferedBytes > budget; }));
    if (maxLine >= budget)
        QVERIFY(waitUntil([&] { return s.live->stats().pausedConnections > 0; }));
    for (auto& h : hogs)
        h.close(); // their FIN waits behind bytes the server has not read

    QVERIFY2(waitUntil([&] { return s.live->stats().connectionsOpen == 0; }, 10s),
             std::to_string(s.live->stats().connectionsOpen).c_str());
    LiveTestClient next;
    QVERIFY(next.connect(s.port()));
    QVERIFY(next.sendAll("{\"hello\":{\"ack\":true}}\n" + lines(1, 100)));
    QCOMPARE(next.waitAck(100, 10000), 100);

    // Nothing the hogs sent was lost: each one's bytes, taken as its last line when it
    // closed, were quarantined with their full length.
    QVERIFY(waitForRows(s.db, "quarantine", kHogs));
    auto r = StoreReader::open(s.db);
    auto st = SqlStatement::prepare(r->database(),
                                    "SELECT raw_bytes, reason FROM quarantine ORDER BY raw_bytes");
    std::vector<std::int64_t> stored, expected;
    while (*st->step()) {
        stored.push_back(st->columnInt(0));
        QCOMPARE(QString::fromStdString(st->columnText(1)), reason);
    }
    for (std::size_t n : sent)
        expected.push_back(std::int64_t(n));
    std::sort(expected.begin(), expected.end());
    QCOMPARE(stored, expected);
    // What the hogs held is given back: only the new client's buffers are left.
    QVERIFY2(s.live->stats().bufferedBytes < 128 * 1024,
             std::to_string(s.live->stats().bufferedBytes).c_str());
}

void TestTcp::stalledLineIsClosedWhileMemoryIsShort()
{
    // Hogs that send a MiB without a newline and then nothing, connection still open: each
    // in turn may read past the spent budget to finish its line; one that sends nothing
    // meanwhile is closed, so the next one gets its turn and memory stays bounded.
    TcpOptions o;
    o.globalBudgetBytes = 1024 * 1024;
    o.overdraftStallTimeout = 300ms; // the idle timeout stays at 300 s
    Server s(path("stall.db"), o);
    QVERIFY(s.start().has_value());
    constexpr int kHogs = 4;
    std::vector<LiveTestClient> hogs(kHogs);
    for (auto& h : hogs)
        QVERIFY(h.connect(s.port()));
    const std::string mib(1024 * 1024, 's');
    std::vector<std::size_t> sent(kHogs, 0);
    const std::int64_t bound = (1024 + 1024 + 32) * 1024 + kHogs * (64 + 32 + 64) * 1024;
    std::int64_t peak = 0;
    LiveTestClient good;
    QVERIFY(good.connect(s.port()));
    QVERIFY(good.sendAll("{\"hello\":{\"ack\":true}}\n"));
    std::int64_t goodSent = 0;
    bool allClosed = false;
    const auto deadline = std::chrono::steady_clock::now() + 20s;
    while (!allClosed && std::chrono::steady_clock::now() < deadline) {
        allClosed = true;
        for (int i = 0; i < kHogs; ++i) {
            if (!hogs[i].isOpen())
                continue;
            if (sent[i] < mib.size()) {
                const ssize_t n = hogs[i].sendSome(std::string_view(mib).substr(sent[i]));
                if (n > 0)
                    sent[i] += std::size_t(n);
            }
            if (!hogs[i].pump(0))
                hogs[i].close();
            else
                allClosed = false;
        }
        peak = std::max(peak, s.live->stats().bufferedBytes);
        // A client with ordinary lines is served all along.
        QVERIFY(good.sendAll(lines(goodSent + 1, goodSent + 10)));
        goodSent += 10;
        QCOMPARE(good.waitAck(goodSent, 10000), goodSent);
        std::this_thread::sleep_for(10ms);
    }
    QVERIFY2(allClosed, "a hog holding a partial line was never closed");
    QVERIFY2(peak <= bound, std::to_string(peak).c_str());
    for (std::size_t n : sent)
        QVERIFY(n > 256 * 1024); // the budget really was spent
    const LiveStats st = s.live->stats();
    QCOMPARE(st.policyClosed, kHogs);
    QCOMPARE(st.idleClosed, 0);
    QCOMPARE(st.connectionsOpen, 1);
    QCOMPARE(st.pausedConnections, 0);
    QVERIFY2(st.bufferedBytes < 128 * 1024, std::to_string(st.bufferedBytes).c_str());
    QVERIFY(s.logText().find("stopped sending in the middle of a line") != std::string::npos);
    QCOMPARE(countRows(s.db, "quarantine"), 0); // partial lines of open peers are not lines
}

void TestTcp::blankLinesDoNotKeepAConnectionOpen()
{
    TcpOptions o;
    o.idleTimeout = 600ms;
    Server s(path("blank.db"), o);
    QVERIFY(s.start().has_value());
    LiveTestClient blank, busy;
    QVERIFY(blank.connect(s.port()));
    QVERIFY(busy.connect(s.port()));
    QVERIFY(blank.sendAll("{\"hello\":{\"ack\":true}}\n"));
    const auto start = std::chrono::steady_clock::now();
    bool blankClosed = false;
    int busySeq = 0;
    const char* const blanks[] = {"\n", "\r\n", "  \t\n"};
    // A blank line every 50 ms, for as long as the connection lasts (at most 5 s): never
    // a line with content. It must be closed while its blank lines still flow.
    for (int i = 0; !blankClosed && std::chrono::steady_clock::now() - start < 5s; ++i) {
        blankClosed = !blank.sendAll(blanks[i % 3], 1000) || !blank.pump(0);
        if (i % 2 == 0)
            QVERIFY(busy.sendAll(seqEvent(++busySeq) + "\n"));
        std::this_thread::sleep_for(50ms);
    }
    QVERIFY(blankClosed);
    QVERIFY(busy.pump(0)); // a client completing lines stays
    QVERIFY(waitForRows(s.db, "events", busySeq));
    QCOMPARE(s.live->stats().idleClosed, 1);
    QCOMPARE(s.live->stats().connectionsOpen, 1);
}

void TestTcp::unauthenticatedFloodCannotLockOutAuthenticatedClients()
{
    // Scaled down from 256: clients that never finish their authentication line, and that
    // come back as soon as they are closed, against a client that authenticates at once.
    const std::string token = "flood-token-51c0";
    TcpOptions o;
    o.token = token;
    o.maxConnections = 8;
    Server s(path("flood.db"), o);
    QVERIFY(s.start().has_value());
    const std::string auth = "{\"auth\":\"" + token + "\"}\n{\"hello\":{\"ack\":true}}\n";

    LiveTestClient early; // authenticated before the flood
    QVERIFY(early.connect(s.port()));
    QVERIFY(early.sendAll(auth + lines(1, 1)));
    QCOMPARE(early.waitAck(1, 5000), 1);

    std::vector<LiveTestClient> flood(12);
    int reconnects = 0;
    auto refill = [&] {
        for (auto& f : flood) {
            if (f.isOpen() && f.pump(0))
                continue;
            if (f.isOpen())
                ++reconnects;
            if (f.connect(s.port()))
                f.sendSome("{\"auth\":\"fl");
        }
    };
    for (int i = 0; i < 5; ++i) {
        refill();
        std::this_thread::sleep_for(20ms);
    }

    LiveTestClient late; // connects while the flood holds every slot it can get
    QVERIFY(late.connect(s.port()));
    QVERIFY(late.sendAll(auth + lines(2, 101)));
    QVERIFY(early.sendAll(lines(102, 111)));
    const auto deadline = std::chrono::steady_clock::now() + 10s;
    bool lateOpen = true;
    while (std::chrono::steady_clock::now() < deadline &&
           (late.acked() < 100 || early.acked() < 11)) {
        refill();
        lateOpen = late.pump(20) && lateOpen;
        QVERIFY(early.pump(0));
        if (!lateOpen)
            break;
    }
    QVERIFY2(lateOpen, "the server closed the authenticated client");
    QCOMPARE(late.acked(), 100);
    QCOMPARE(early.acked(), 11);
    QVERIFY(reconnects > 0); // the flood really pressed on the slots
    QVERIFY(s.live->stats().connectionsOpen <= 8);
    QVERIFY(s.live->stats().handshakeClosed > 0);
    QVERIFY(s.logText().find("still in their handshake") != std::string::npos);
    QCOMPARE(countRows(s.db, "events"), 111);
}

void TestTcp::handshakeMustCompleteInTime()
{
    const std::string token = "deadline-token-77";
    TcpOptions o;
    o.token = token;
    o.handshakeTimeout = 400ms; // the idle timeout stays at 300 s
    Server s(path("deadline.db"), o);
    QVERIFY(s.start().has_value());
    LiveTestClient slow, silent, done;
    QVERIFY(slow.connect(s.port()));
    QVERIFY(silent.connect(s.port()));
    QVERIFY(done.connect(s.port()));
    QVERIFY(done.sendAll("{\"auth\":\"" + token + "\"}\n{\"hello\":{\"ack\":true}}\n"));
    const std::string authLine = "{\"auth\":\"" + token + "\"}\n";
    const auto start = std::chrono::steady_clock::now();
    std::size_t sent = 0;
    bool slowClosed = false;
    while (!slowClosed && std::chrono::steady_clock::now() - start < 3s) {
        // One byte every 50 ms: the auth line would take 1.4 s.
        if (sent < authLine.size() && slow.sendSome(authLine.substr(sent, 1)) == 1)
            ++sent;
        slowClosed = !slow.pump(0);
        std::this_thread::sleep_for(50ms);
    }
    QVERIFY(slowClosed);
    QVERIFY(sent < authLine.size());  // closed before its line was complete
    QVERIFY(silent.waitClosed(2000)); // long before the idle timeout
    // The client that authenticated in time keeps its connection although it sent nothing
    // since; it is served.
    QVERIFY(done.pump(300));
    QVERIFY(done.sendAll(lines(1, 5)));
    QCOMPARE(done.waitAck(5, 5000), 5);
    const LiveStats st = s.live->stats();
    QCOMPARE(st.handshakeClosed, 2);
    QCOMPARE(st.authFailures, 0);
    QCOMPARE(st.connectionsOpen, 1);
    QCOMPARE(countRows(s.db, "quarantine"), 0);
    QVERIFY(s.logText().find("handshake not completed within 400 ms") != std::string::npos);
}

void TestTcp::perAddressLimit()
{
    TcpOptions o;
    o.maxPerAddress = 2;
    o.limitLoopbackPerAddress = true; // loopback sources play two remote hosts here
    Server s(path("peraddress.db"), o);
    QVERIFY(s.start().has_value());
    LiveTestClient a1, a2, a3, b1;
    QVERIFY(a1.connect(s.port(), "127.0.0.1", "127.0.0.2"));
    QVERIFY(a2.connect(s.port(), "127.0.0.1", "127.0.0.2"));
    QVERIFY(waitUntil([&] { return s.live->stats().connectionsOpen == 2; }));
    QVERIFY(a3.connect(s.port(), "127.0.0.1", "127.0.0.2"));
    QVERIFY(a3.waitClosed(2000)); // a third from the same address is closed at once
    QVERIFY(b1.connect(s.port(), "127.0.0.1", "127.0.0.3"));
    QVERIFY(b1.sendAll("{\"hello\":{\"ack\":true}}\n" + lines(1, 1)));
    QCOMPARE(b1.waitAck(1, 5000), 1); // another address is served
    QCOMPARE(s.live->stats().connectionsRefused, 1);
    QVERIFY(s.logText().find("2 connections from 127.0.0.2 are open (the per-address limit)") !=
            std::string::npos);
    a1.close();
    QVERIFY(waitUntil([&] { return s.live->stats().connectionsOpen == 2; }));
    LiveTestClient a4;
    QVERIFY(a4.connect(s.port(), "127.0.0.1", "127.0.0.2"));
    QVERIFY(a4.sendAll("{\"hello\":{\"ack\":true}}\n" + lines(2, 2)));
    QCOMPARE(a4.waitAck(1, 5000), 1);

    // By default loopback peers are not limited per address.
    TcpOptions d;
    d.maxPerAddress = 2;
    Server local(path("peraddress-local.db"), d);
    QVERIFY(local.start().has_value());
    std::vector<LiveTestClient> many(5);
    for (auto& c : many)
        QVERIFY(c.connect(local.port()));
    QVERIFY(waitUntil([&] { return local.live->stats().connectionsOpen == 5; }));
    QCOMPARE(local.live->stats().connectionsRefused, 0);
}

void TestTcp::tlsWithToken()
{
    if (QProcess::execute(QStringLiteral("openssl"), {QStringLiteral("version")}) != 0)
        QSKIP("the openssl program is needed to make a test certificate");
    const QString cert = QString::fromStdString(path("cert.pem"));
    const QString key = QString::fromStdString(path("key.pem"));
    QCOMPARE(QProcess::execute(
                 QStringLiteral("openssl"),
                 {QStringLiteral("req"), QStringLiteral("-x509"), QStringLiteral("-newkey"),
                  QStringLiteral("rsa:2048"), QStringLiteral("-nodes"), QStringLiteral("-keyout"),
                  key, QStringLiteral("-out"), cert, QStringLiteral("-days"), QStringLiteral("1"),
                  QStringLiteral("-subj"), QStringLiteral("/CN=127.0.0.1")}),
             0);
    TcpOptions o;
    o.token = "tls-token-0042";
    o.tlsCertFile = cert.toStdString();
    o.tlsKeyFile = key.toStdString();
    Server s(path("tls.db"), o);
    QVERIFY(s.start().has_value());

    namespace asio = boost::asio;
    asio::io_context io;
    asio::ssl::context ctx(asio::ssl::context::tls_client);
    ctx.set_verify_mode(asio::ssl::verify_none);
    asio::ssl::stream<asio::ip::tcp::socket> tls(io, ctx);
    tls.next_layer().connect({asio::ip::make_address("127.0.0.1"), std::uint16_t(s.port())});
    tls.handshake(asio::ssl::stream_base::client);
    const std::string out =
        "{\"auth\":\"tls-token-0042\"}\n{\"hello\":{\"ack\":true}}\n" + lines(1, 50);
    asio::write(tls, asio::buffer(out));
    asio::streambuf in;
    std::string acked;
    while (acked != "{\"ack\":50}") {
        asio::read_until(tls, in, '\n');
        std::istream is(&in);
        std::getline(is, acked);
    }
    QCOMPARE(countRows(s.db, "events"), 50);

    // A plaintext client on the TLS port gets nothing stored.
    LiveTestClient plain;
    QVERIFY(plain.connect(s.port()));
    plain.sendAll("{\"auth\":\"tls-token-0042\"}\n" + lines(51, 60));
    QVERIFY(plain.waitClosed(5000));
    QCOMPARE(countRows(s.db, "events"), 50);
}

void TestTcp::tlsSettingsAreChecked()
{
    TcpOptions o;
    o.tlsCertFile = path("nope-cert.pem");
    {
        Server s(path("tls1.db"), o);
        auto r = s.start();
        QVERIFY(!r.has_value());
        QCOMPARE(r.error().code, std::string("tcp.tls_incomplete"));
    }
    o.tlsKeyFile = path("nope-key.pem");
    Server s(path("tls2.db"), o);
    auto r = s.start();
    QVERIFY(!r.has_value());
    QCOMPARE(r.error().code, std::string("tcp.tls_cert"));
    QVERIFY(r.error().message.find("nope-cert.pem") != std::string::npos);
}

QTEST_GUILESS_MAIN(TestTcp)
#include "tst_tcp.moc"
