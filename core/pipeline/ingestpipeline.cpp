// SPDX-License-Identifier: Apache-2.0
#include "pipeline/ingestpipeline.h"

#include "ingest/decoder.h"
#include "pipeline/chunkpool.h"
#include "store/eventrecycler.h"
#include "store/recordseal.h"

#include <algorithm>
#include <mutex>

namespace vigil {
namespace {

struct SpareChunkStorage
{
    static constexpr std::size_t kMaxSpare = 4;
    static constexpr std::size_t kMaxDataBytes = 8u << 20;

    std::mutex mutex;
    std::vector<std::pair<std::string, std::vector<RawChunk::Line>>> spare;
};

SpareChunkStorage& spareChunkStorage()
{
    static SpareChunkStorage s;
    return s;
}

} // namespace

void RawChunk::addLine(std::string_view text, bool overlong, std::int64_t fullBytes,
                       std::int64_t lineNo)
{
    lines.push_back(Line{static_cast<std::uint32_t>(data.size()),
                         static_cast<std::uint32_t>(text.size()), overlong, fullBytes, lineNo,
                         -1});
    data.append(text);
}

void RawChunk::addRejected(std::string_view raw, std::int64_t fullBytes, std::string code,
                           std::string message, std::int64_t lineNo)
{
    addLine(raw, false, fullBytes, lineNo);
    lines.back().rejection = static_cast<std::int32_t>(rejections.size());
    rejections.push_back(Rejection{std::move(code), std::move(message)});
}

void RawChunk::addRecord(const ForeignRecord& record)
{
    if (record.rejected())
        addRejected(record.raw, record.rawBytes, record.rejectCode, record.rejectMessage,
                    record.recordNo);
    else
        addLine(record.line, false, static_cast<std::int64_t>(record.line.size()),
                record.recordNo);
}

RawChunk RawChunk::withSpareStorage()
{
    RawChunk chunk;
    SpareChunkStorage& s = spareChunkStorage();
    std::lock_guard lock(s.mutex);
    if (!s.spare.empty()) {
        chunk.data = std::move(s.spare.back().first);
        chunk.lines = std::move(s.spare.back().second);
        s.spare.pop_back();
    }
    return chunk;
}

void RawChunk::recycle(RawChunk&& chunk)
{
    if (chunk.data.capacity() > SpareChunkStorage::kMaxDataBytes)
        return;
    chunk.data.clear();
    chunk.lines.clear();
    SpareChunkStorage& s = spareChunkStorage();
    std::lock_guard lock(s.mutex);
    if (s.spare.size() < SpareChunkStorage::kMaxSpare)
        s.spare.emplace_back(std::move(chunk.data), std::move(chunk.lines));
}

IngestPipeline::IngestPipeline(StoreWriter& writer, PipelineOptions options)
    : m_writer(writer), m_options(std::move(options))
{
    const unsigned n = m_options.workers ? m_options.workers : defaultWorkerCount();
    for (unsigned i = 0; i < n; ++i)
        m_workers.emplace_back([this] { workerLoop(); });
}

IngestPipeline::~IngestPipeline()
{
    stop();
}

bool IngestPipeline::submit(RawChunk chunk)
{
    std::unique_lock lock(m_mutex);
    m_spaceAvailable.wait(lock, [&] {
        return m_stopping || m_inFlight < static_cast<std::int64_t>(m_options.maxInFlight);
    });
    if (m_stopping)
        return false;
    ++m_inFlight;
    ++m_chunksIn;
    m_linesIn += static_cast<std::int64_t>(chunk.lines.size());
    m_pending.emplace(m_nextSeq++, std::move(chunk));
    m_workAvailable.notify_one();
    return true;
}

IngestPipeline::Room IngestPipeline::room() const
{
    if (m_writer.stats().retrying)
        return Room::StorageFailing;
    std::lock_guard lock(m_mutex);
    return m_inFlight >= static_cast<std::int64_t>(m_options.maxInFlight) ? Room::Full : Room::Free;
}

void IngestPipeline::resumeSource(const std::string& sourceName)
{
    m_writer.resumeSource(sourceName);
}

void IngestPipeline::drain()
{
    {
        std::unique_lock lock(m_mutex);
        m_drained.wait(lock, [&] { return m_inFlight == 0; });
    }
    m_writer.flush();
}

void IngestPipeline::stop()
{
    drain();
    {
        std::lock_guard lock(m_mutex);
        if (m_stopping)
            return;
        m_stopping = true;
    }
    m_workAvailable.notify_all();
    m_spaceAvailable.notify_all();
    for (std::thread& t : m_workers)
        if (t.joinable())
            t.join();
}

PipelineStats IngestPipeline::stats() const
{
    PipelineStats s;
    {
        std::lock_guard lock(m_mutex);
        s.chunksIn = m_chunksIn;
        s.linesIn = m_linesIn;
        s.inFlight = m_inFlight;
    }
    s.writer = m_writer.stats();
    return s;
}

WriteBatch IngestPipeline::process(RawChunk& chunk, Decoder& decoder, const ScanFunction& scan,
                                   LeafHasher* leaves)
{
    WriteBatch batch;
    batch.sourceName = chunk.sourceName;
    batch.checkpoint = std::move(chunk.checkpoint);
    batch.onCommitted = std::move(chunk.onCommitted);
    // Decode into recycled events: their strings keep their storage (see EventRecycler).
    // Scan in small groups of consecutive events, while they are still in the cache.
    constexpr std::size_t kScanGroup = 16;
    batch.events = EventRecycler::take();
    std::size_t used = 0, scanned = 0;
    auto scanPending = [&] {
        if (scan && used > scanned) {
            scan(std::span<IngestedEvent>(batch.events.data() + scanned, used - scanned));
            // The chain leaf of an event with findings covers them (store/recordseal.h):
            // hash them here, not on the writer's thread.
            if (leaves)
                for (std::size_t i = scanned; i < used; ++i)
                    hashFindings(batch.events[i], *leaves);
        }
        scanned = used;
    };
    auto reject = [&](QuarantinedLine q) {
        if (leaves && leaves->valid())
            batch.rejectedHashes.push_back(
                quarantineHash(*leaves, QuarantineFields{batch.sourceName, q.lineNo, q.reason,
                                                         q.message, q.raw, q.rawBytes}));
        batch.rejected.push_back(std::move(q));
    };
    for (const RawChunk::Line& l : chunk.lines) {
        const std::string_view text(chunk.data.data() + l.offset, l.length);
        if (l.rejection >= 0) {
            RawChunk::Rejection& r = chunk.rejections[static_cast<std::size_t>(l.rejection)];
            batch.rejected.push_back(QuarantinedLine{std::string(text), l.fullBytes,
                                                     std::move(r.code), std::move(r.message),
                                                     l.lineNo});
            continue;
        }
        if (l.overlong) {
            reject(QuarantinedLine{
                std::string(text), l.fullBytes, "input.too_long",
                "line is longer than 1 MiB (" + std::to_string(l.fullBytes) + " bytes)", l.lineNo});
            continue;
        }
        if (isBlankLine(text))
            continue;
        if (used == batch.events.size())
            batch.events.emplace_back();
        IngestedEvent& ie = batch.events[used];
        EventRecycler::prepare(ie);
        ie.lineNo = l.lineNo;
        if (auto r = decoder.decode(text, ie.event); !r) { // the slot serves the next line
            reject(QuarantinedLine{
                std::string(text.substr(0, std::min<std::size_t>(text.size(), kMaxDetailsBytes))),
                l.fullBytes, r.error().code, r.error().message, l.lineNo});
            continue;
        }
        if (leaves)
            ie.leaf = leaves->leaf(canonicalFields(ie.event));
        if (++used - scanned == kScanGroup)
            scanPending();
    }
    scanPending();
    batch.events.resize(used);
    return batch;
}

void IngestPipeline::workerLoop()
{
    Decoder decoder;
    LeafHasher leaves;
    const ScanFunction scan = m_options.scanFactory ? m_options.scanFactory() : ScanFunction{};
    for (;;) {
        std::pair<std::uint64_t, RawChunk> job;
        {
            std::unique_lock lock(m_mutex);
            m_workAvailable.wait(lock, [&] { return m_stopping || !m_pending.empty(); });
            if (m_pending.empty())
                return;
            job = std::move(m_pending.front());
            m_pending.pop();
        }
        WriteBatch batch = process(job.second, decoder, scan, &leaves);
        RawChunk::recycle(std::move(job.second));

        // Hand batches to the writer strictly in submission order. Whoever finishes the
        // next expected chunk forwards it and any that were waiting behind it.
        std::unique_lock lock(m_mutex);
        m_done.emplace(job.first, std::move(batch));
        if (m_forwarding)
            continue; // the thread forwarding now will pick this one up in order
        m_forwarding = true;
        while (!m_done.empty() && m_done.begin()->first == m_nextToWriter) {
            WriteBatch next = std::move(m_done.begin()->second);
            m_done.erase(m_done.begin());
            ++m_nextToWriter;
            lock.unlock();
            if (m_options.ordered)
                m_options.ordered(std::span<IngestedEvent>(next.events));
            m_writer.submit(std::move(next));
            lock.lock();
            --m_inFlight;
            m_spaceAvailable.notify_one();
            if (m_inFlight == 0)
                m_drained.notify_all();
        }
        m_forwarding = false;
    }
}

} // namespace vigil
