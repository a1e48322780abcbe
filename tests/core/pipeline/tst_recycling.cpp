// SPDX-License-Identifier: Apache-2.0
// Workers decode into event vectors recycled from finished batches (EventRecycler), and
// readers fill chunks whose buffers come from decoded chunks (RawChunk::recycle). Nothing of
// an earlier event or chunk may show through, and both pools must stay bounded.

#include "eventfields.h"
#include "ingest/decoder.h"
#include "pipeline/ingestpipeline.h"
#include "store/eventrecycler.h"

#include <QTest>

#include <string>
#include <vector>

using namespace vigil;

namespace {

std::string eventLine(const std::string& type, const std::string& details,
                      const std::string& extra = {})
{
    return R"({"timestamp":"2026-11-21T10:00:00Z","event_type":")" + type +
           R"(","agent_name":"sql-writer","thread_id":"t-1","severity":"info",)" + extra +
           R"("details":)" + details + "}";
}

RawChunk chunkOf(const std::vector<std::string>& lines)
{
    RawChunk c;
    c.sourceName = "test";
    std::int64_t no = 0;
    for (const std::string& l : lines)
        c.addLine(l, false, std::int64_t(l.size()), ++no);
    return c;
}

std::vector<std::string> fields(const IngestedEvent& ie)
{
    std::vector<std::string> v = eventFields(ie.event);
    v.push_back(std::to_string(ie.lineNo));
    v.push_back(std::to_string(ie.findings.size()));
    v.push_back(ie.leaf ? "leaf" : "-");
    return v;
}

void drainPool()
{
    while (!EventRecycler::take().empty()) {
    }
}

// A chunk without spare storage has only the empty string's inline capacity.
bool hasSpareStorage(const RawChunk& c)
{
    return c.data.capacity() > std::string().capacity();
}

void drainChunkPool()
{
    while (hasSpareStorage(RawChunk::withSpareStorage())) {
    }
}

} // namespace

class TestRecycling : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void init() { drainPool(); }
    void recycledEventsDecodeLikeFreshOnes();
    void poolIsBounded();
    void largeEventsAreNotKept();
    void chunkBuffersAreReusedEmpty();
    void chunkPoolIsBounded();
};

void TestRecycling::recycledEventsDecodeLikeFreshOnes()
{
    const std::string many =
        R"({"worker_name":"w","input_hash":"h","model":"m","input":")" + std::string(200, 'q') +
        R"(","filters":[{"column":"a","operator":"=","value":"1"},{"column":"b","operator":"=","value":"2"}]})";
    const std::vector<std::string> first{
        eventLine("worker_invoked", many,
                  R"("event_id":"e-1","trace_id":"tr","span_id":"sp","user_id":"u",)"),
        eventLine("worker_invoked", many),
        eventLine("tool_call", R"({"action":"s3:GetObject","resource":"r","outcome":"denied"})"),
        eventLine("worker_invoked", many)};
    const std::vector<std::string> second{eventLine("custom", "{}"), "not json",
                                          eventLine("custom", R"({"a":"b"})"), "",
                                          eventLine("user_query_received", R"({"query":"hi"})")};

    Decoder decoder;
    // A scan function that flags every event, so recycled events carry findings to clear.
    const ScanFunction scan = [](std::span<IngestedEvent> group) {
        for (IngestedEvent& ie : group) {
            Finding f;
            f.rule = "test.rule";
            ie.findings.push_back(f);
        }
    };
    RawChunk a = chunkOf(first);
    WriteBatch used = IngestPipeline::process(a, decoder, scan);
    QCOMPARE(used.events.size(), first.size());
    EventRecycler::give(std::move(used.events));

    RawChunk b = chunkOf(second);
    const WriteBatch reused = IngestPipeline::process(b, decoder, ScanFunction{});
    QCOMPARE(reused.events.size(), std::size_t(3));
    QCOMPARE(reused.rejected.size(), std::size_t(1));
    QCOMPARE(reused.rejected[0].lineNo, std::int64_t(2));

    drainPool();
    RawChunk c = chunkOf(second);
    Decoder freshDecoder;
    const WriteBatch fresh = IngestPipeline::process(c, freshDecoder, ScanFunction{});
    QCOMPARE(fresh.events.size(), reused.events.size());
    for (std::size_t i = 0; i < fresh.events.size(); ++i)
        QCOMPARE(fields(reused.events[i]), fields(fresh.events[i]));
}

void TestRecycling::poolIsBounded()
{
    for (int i = 0; i < 40; ++i) {
        std::vector<IngestedEvent> v(3);
        EventRecycler::give(std::move(v));
    }
    int kept = 0;
    while (!EventRecycler::take().empty())
        ++kept;
    QVERIFY(kept > 0);
    QVERIFY2(kept < 40, "the pool keeps every vector it is given");
}

void TestRecycling::largeEventsAreNotKept()
{
    std::vector<IngestedEvent> v(2);
    v[0].event.detailsJson.assign(64 * 1024, 'x');
    v[1].event.detailsJson.assign(100, 'y');
    v[1].findings.resize(2);
    EventRecycler::give(std::move(v));
    std::vector<IngestedEvent> back = EventRecycler::take();
    QCOMPARE(back.size(), std::size_t(2));
    for (IngestedEvent& e : back)
        EventRecycler::prepare(e);
    QVERIFY(back[0].event.detailsJson.capacity() < 1024);
    QVERIFY(back[1].event.detailsJson.capacity() >= 100); // small enough to keep its storage
    QVERIFY(back[1].findings.empty());
}

void TestRecycling::chunkBuffersAreReusedEmpty()
{
    drainChunkPool();
    RawChunk used = chunkOf({eventLine("custom", R"({"a":"b"})"), eventLine("custom", "{}")});
    const std::size_t capacity = used.data.capacity();
    used.checkpoint = SourceCheckpoint{};
    RawChunk::recycle(std::move(used));

    RawChunk next = RawChunk::withSpareStorage();
    QVERIFY(next.data.empty());
    QVERIFY(next.lines.empty());
    QVERIFY(next.sourceName.empty());
    QVERIFY(!next.checkpoint);
    QVERIFY(!next.onCommitted);
    QCOMPARE(next.data.capacity(), capacity); // the buffer itself came back

    // A chunk built on it decodes exactly like one built from scratch.
    const std::string line = eventLine("user_query_received", R"({"query":"hello"})");
    next.addLine(line, false, std::int64_t(line.size()), 1);
    Decoder decoder;
    const WriteBatch batch = IngestPipeline::process(next, decoder, ScanFunction{});
    QCOMPARE(batch.events.size(), std::size_t(1));
    QCOMPARE(batch.events[0].event.eventType, std::string("user_query_received"));
}

void TestRecycling::chunkPoolIsBounded()
{
    drainChunkPool();
    for (int i = 0; i < 40; ++i) {
        RawChunk c;
        c.data.reserve(1024);
        RawChunk::recycle(std::move(c));
    }
    RawChunk huge;
    huge.data.reserve(16u << 20);
    RawChunk::recycle(std::move(huge));
    int kept = 0;
    for (;;) {
        const RawChunk c = RawChunk::withSpareStorage(); // fresh each time: not assigned into
        if (!hasSpareStorage(c))
            break;
        QVERIFY2(c.data.capacity() < (16u << 20), "a 16 MiB buffer was kept");
        ++kept;
    }
    QVERIFY(kept > 0);
    QVERIFY2(kept < 40, "the pool keeps every buffer it is given");
}

QTEST_GUILESS_MAIN(TestRecycling)
#include "tst_recycling.moc"
