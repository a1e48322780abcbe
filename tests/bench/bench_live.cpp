// SPDX-License-Identifier: Apache-2.0
// Live ingest figures: sustained events/s from 4 TCP clients into SQLite with scanning on,
// and receipt-to-commit latency p50/p99 at a paced 10,000 events/s. Run by tests/bench/live.sh,
// which also times the sqlite3 shell's raw load of the same lines (written by --lines-out).
//
//   bench_live [--events N] [--clients C] [--rate R] [--seconds S] [--workers W]
//              [--dir DIR] [--lines-out FILE] [--durable 0|1]
#include "benchevents.h"

#include "base/timeutil.h"
#include "pipeline/engine.h"
#include "pipeline/liveingest.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

using namespace vigil;
using vigil::bench::makeEvent;
using vigil::bench::percentile;
using Clock = std::chrono::steady_clock;

namespace {

int connectTo(int port)
{
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(static_cast<std::uint16_t>(port));
    ::inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
    if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
        std::perror("connect");
        std::exit(1);
    }
    const int one = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    return fd;
}

void sendAll(int fd, std::string_view data)
{
    while (!data.empty()) {
        const ssize_t n = ::send(fd, data.data(), data.size(), MSG_NOSIGNAL);
        if (n <= 0) {
            std::perror("send");
            std::exit(1);
        }
        data.remove_prefix(static_cast<std::size_t>(n));
    }
}

struct Run
{
    std::unique_ptr<StoreWriter> writer;
    std::unique_ptr<LiveIngest> live;
    int port = 0;
};

bool g_durable = false; // --durable 1: synchronous=FULL, as `serve --durable`

Run startRun(const std::string& db, const Engine& engine, unsigned workers)
{
    std::filesystem::remove(db);
    std::filesystem::remove(db + "-wal");
    std::filesystem::remove(db + "-shm");
    StoreWriterOptions wo;
    wo.queueCapacity = 8; // as `vigil-cli serve`
    wo.durable = g_durable;
    auto w = StoreWriter::open(db, wo);
    if (!w) {
        std::fprintf(stderr, "bench_live: %s\n", w.error().message.c_str());
        std::exit(1);
    }
    Run r;
    r.writer = std::move(*w);
    LiveOptions o;
    o.tcp->port = 0;
    o.pipeline.scanFactory = engine.scanFactory();
    o.pipeline.workers = workers;
    r.live = std::make_unique<LiveIngest>(*r.writer, o);
    if (auto s = r.live->start(); !s) {
        std::fprintf(stderr, "bench_live: %s\n", s.error().message.c_str());
        std::exit(1);
    }
    const std::string addr = r.live->listenAddress();
    r.port = std::stoi(addr.substr(addr.rfind(':') + 1));
    return r;
}

} // namespace

int main(int argc, char** argv)
{
    std::int64_t events = 400000;
    int clients = 4;
    int rate = 10000;
    int seconds = 10;
    unsigned workers = 0;
    std::string dir = std::filesystem::temp_directory_path() / "vigil-bench-live";
    std::string linesOut;
    for (int i = 1; i + 1 < argc; i += 2) {
        const std::string k = argv[i], v = argv[i + 1];
        if (k == "--events")
            events = std::stoll(v);
        else if (k == "--clients")
            clients = std::stoi(v);
        else if (k == "--rate")
            rate = std::stoi(v);
        else if (k == "--seconds")
            seconds = std::stoi(v);
        else if (k == "--workers")
            workers = static_cast<unsigned>(std::stoul(v));
        else if (k == "--dir")
            dir = v;
        else if (k == "--lines-out")
            linesOut = v;
        else if (k == "--durable")
            g_durable = v == "1";
        else {
            std::fprintf(stderr, "bench_live: unknown option %s\n", k.c_str());
            return 1;
        }
    }
    std::filesystem::create_directories(dir);
    auto engine = Engine::load(std::nullopt, std::nullopt);
    if (!engine) {
        std::fprintf(stderr, "bench_live: %s\n", engine.error().message.c_str());
        return 1;
    }

    // 1. Sustained throughput: every client sends its share as fast as it can.
    const std::int64_t perClient = events / clients;
    const std::int64_t total = perClient * clients;
    std::vector<std::string> payload(static_cast<std::size_t>(clients));
    const std::string ts = formatRfc3339Utc(nowEpochMs());
    for (int c = 0; c < clients; ++c)
        for (std::int64_t i = 0; i < perClient; ++i)
            payload[std::size_t(c)] += makeEvent(c, i, ts) + "\n";
    std::size_t bytes = 0;
    for (const auto& p : payload)
        bytes += p.size();
    if (!linesOut.empty()) {
        std::ofstream out(linesOut, std::ios::binary);
        for (const auto& p : payload)
            out << p;
    }
    {
        Run r = startRun(dir + "/throughput.db", *engine, workers);
        const auto t0 = Clock::now();
        std::vector<std::thread> senders;
        for (int c = 0; c < clients; ++c)
            senders.emplace_back([&, c] {
                const int fd = connectTo(r.port);
                const std::string& p = payload[std::size_t(c)];
                for (std::size_t off = 0; off < p.size(); off += 256 * 1024)
                    sendAll(fd, std::string_view(p).substr(off, 256 * 1024));
                ::shutdown(fd, SHUT_WR);
                char b;
                (void)::recv(fd, &b, 1, 0); // the server closes after the last line
                ::close(fd);
            });
        for (;;) {
            const LiveStats s = r.live->stats();
            if (s.accepted + s.duplicates + s.rejected >= total)
                break;
            std::this_thread::sleep_for(std::chrono::milliseconds(2));
        }
        const double secs = std::chrono::duration<double>(Clock::now() - t0).count();
        for (auto& t : senders)
            t.join();
        const LiveStats s = r.live->stats();
        r.live->stop();
        r.writer->close();
        std::printf("throughput: %lld events from %d TCP clients (%.1f MB) committed in %.2f s: "
                    "%.0f events/s, %.1f MB/s; %lld findings, %lld rejected\n",
                    static_cast<long long>(total), clients, double(bytes) / 1e6, secs,
                    double(total) / secs, double(bytes) / 1e6 / secs,
                    static_cast<long long>(s.findings), static_cast<long long>(s.rejected));
    }

    // 2. Latency at a paced rate: each event carries its send time as its timestamp; the
    //    commit listener measures commit time minus that.
    {
        Run r = startRun(dir + "/latency.db", *engine, workers);
        std::mutex m;
        std::vector<std::int64_t> latencies;
        latencies.reserve(static_cast<std::size_t>(rate) * std::size_t(seconds) + 1000);
        r.live->setCommitListener([&](const std::vector<CommittedEvent>& batch) {
            const std::int64_t now = nowEpochMs();
            std::lock_guard l(m);
            for (const CommittedEvent& e : batch)
                latencies.push_back(now - e.timestampMs);
        });
        const int ticksPerSecond = 100; // a burst every 10 ms per client
        const int perTick = std::max(1, rate / clients / ticksPerSecond);
        std::vector<std::thread> senders;
        std::atomic<std::int64_t> sent{0};
        for (int c = 0; c < clients; ++c)
            senders.emplace_back([&, c] {
                const int fd = connectTo(r.port);
                auto next = Clock::now();
                std::int64_t i = 0;
                for (int tick = 0; tick < seconds * ticksPerSecond; ++tick) {
                    next += std::chrono::milliseconds(1000 / ticksPerSecond);
                    std::this_thread::sleep_until(next);
                    std::string burst;
                    const std::string now = formatRfc3339Utc(nowEpochMs());
                    for (int k = 0; k < perTick; ++k)
                        burst += makeEvent(c + 100, i++, now) + "\n";
                    sendAll(fd, burst);
                    sent += perTick;
                }
                ::close(fd);
            });
        for (auto& t : senders)
            t.join();
        for (int i = 0; i < 500; ++i) {
            const LiveStats s = r.live->stats();
            if (s.accepted + s.duplicates + s.rejected >= sent)
                break;
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
        }
        r.live->stop();
        r.writer->close();
        std::lock_guard l(m);
        const std::size_t n = latencies.size();
        const double p50 = percentile(latencies, 0.50);
        const double p99 = percentile(latencies, 0.99);
        const double mx = n ? double(*std::max_element(latencies.begin(), latencies.end())) : 0;
        std::printf("latency: %zu events at %d events/s from %d TCP clients over %d s, "
                    "receipt-to-commit p50 %.0f ms, p99 %.0f ms, max %.0f ms\n",
                    n, rate, clients, seconds, p50, p99, mx);
    }
    return 0;
}
