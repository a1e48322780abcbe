// SPDX-License-Identifier: Apache-2.0
// Cost of the tamper-evident chain (issue 8) on the writer thread.
//
//   bench_chain CORPUS [EVENTS] [DBDIR]
//
// Decodes up to EVENTS (default 200,000) lines of CORPUS (bench_gencorpus output), then
//  1. seals them with ChainSealer alone (canonical form + SHA-256 leaf + HMAC link): the
//     marginal per-event cost the chain adds to the writer;
//  2. commits them through a StoreWriter in batches of 4,096 without findings (the writer
//     thread's whole per-event work, chain included) into DBDIR (default /dev/shm);
//  3. runs verifyChain over the result.
// Key files go to a private temporary XDG_CONFIG_HOME.
#include "ingest/decoder.h"
#include "store/chain.h"
#include "store/chainverifier.h"
#include "store/storewriter.h"

#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <mutex>
#include <string>
#include <vector>

using namespace vigil;
using Clock = std::chrono::steady_clock;

static double secondsSince(Clock::time_point t)
{
    return std::chrono::duration<double>(Clock::now() - t).count();
}

int main(int argc, char** argv)
{
    if (argc < 2) {
        std::fprintf(stderr, "usage: bench_chain CORPUS [EVENTS] [DBDIR]\n");
        return 1;
    }
    const std::size_t limit = argc > 2 ? std::strtoull(argv[2], nullptr, 10) : 200000;
    const std::filesystem::path dir = argc > 3 ? argv[3] : "/dev/shm";
    char tmpl[] = "/tmp/bench-chain-XXXXXX";
    const char* keys = ::mkdtemp(tmpl);
    if (!keys)
        return 1;
    ::setenv("XDG_CONFIG_HOME", keys, 1);

    std::ifstream in(argv[1]);
    std::vector<IngestedEvent> events;
    Decoder decoder;
    std::string line;
    std::size_t bytes = 0;
    while (events.size() < limit && std::getline(in, line)) {
        IngestedEvent ie;
        if (decoder.decode(line, ie.event)) {
            bytes += ie.event.detailsJson.size();
            events.push_back(std::move(ie));
        }
    }
    std::printf("events: %zu (details %.1f bytes on average)\n", events.size(),
                events.empty() ? 0.0 : double(bytes) / double(events.size()));

    // 1. Sealing alone.
    {
        auto db = Database::openWriter(":memory:");
        auto sealer = ChainSealer::open(*db);
        if (!sealer) {
            std::fprintf(stderr, "%s\n", sealer.error().message.c_str());
            return 1;
        }
        const auto t = Clock::now();
        for (const IngestedEvent& ie : events) {
            const AuditEvent& e = ie.event;
            sealer->advance(sealer->seal(CanonicalFields{
                e.timestampMs, e.eventType, e.agentName, e.threadId, static_cast<int>(e.severity),
                e.eventId, e.userId, e.traceId, e.spanId, e.detailsJson}));
        }
        const double s = secondsSince(t);
        std::printf("seal only:      %8.3f s  %10.0f events/s  %6.0f ns/event\n", s,
                    double(events.size()) / s, s * 1e9 / double(events.size()));
    }

    // 2. The writer thread, chain included.
    const std::string path = (dir / "bench-chain.db").string();
    for (const char* suffix : {"", "-wal", "-shm"})
        std::filesystem::remove(path + suffix);
    {
        auto writer = StoreWriter::open(path);
        if (!writer) {
            std::fprintf(stderr, "%s\n", writer.error().message.c_str());
            return 1;
        }
        const auto t = Clock::now();
        for (std::size_t i = 0; i < events.size(); i += 4096) {
            WriteBatch b;
            b.sourceName = "bench";
            const std::size_t end = std::min(events.size(), i + 4096);
            b.events.assign(
                std::make_move_iterator(events.begin() + static_cast<std::ptrdiff_t>(i)),
                std::make_move_iterator(events.begin() + static_cast<std::ptrdiff_t>(end)));
            (*writer)->submit(std::move(b));
        }
        (*writer)->flush();
        const double s = secondsSince(t);
        (*writer)->close();
        std::printf("writer commit:  %8.3f s  %10.0f events/s  (%lld stored)\n", s,
                    double(events.size()) / s,
                    static_cast<long long>((*writer)->stats().committedEvents));
    }

    // 3. Verify.
    {
        auto db = Database::openReader(path);
        const auto t = Clock::now();
        auto v = verifyChain(*db);
        const double s = secondsSince(t);
        std::printf("verify:         %8.3f s  %10.0f events/s  (%s)\n", s,
                    double(events.size()) / s, v && v->intact ? "intact" : "NOT intact");
    }
    for (const char* suffix : {"", "-wal", "-shm"})
        std::filesystem::remove(path + suffix);
    std::filesystem::remove_all(keys);
    return 0;
}
