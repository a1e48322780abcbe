// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "ingest/auditevent.h"
#include "ingest/foreignrecord.h"
#include "scan/finding.h"
#include "store/storewriter.h"

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <queue>
#include <span>
#include <string>
#include <thread>
#include <vector>

namespace vigil {

/// Per-thread scanning function: appends each event's findings to its `findings`. Called
/// with a few consecutive events at a time, so scanners can share work between them.
using ScanFunction = std::function<void(std::span<IngestedEvent>)>;
/// Makes one ScanFunction per worker thread (each with its own scratch state). May be empty:
/// then events are stored without findings.
using ScanFactory = std::function<ScanFunction()>;

/// Raw lines of one source, cut but not decoded, on their way to a worker.
struct RawChunk
{
    struct Line
    {
        std::uint32_t offset = 0; ///< into `data`
        std::uint32_t length = 0;
        bool overlong = false;
        std::int64_t fullBytes = 0;
        std::int64_t lineNo = 0;
        std::int32_t rejection = -1; ///< into `rejections` when a converter refused the record
    };
    /// Why a converter (CloudWatch, CloudTrail, OTLP) refused a record: it reaches the writer
    /// as a QuarantinedLine with this code, its raw bytes being the line's text.
    struct Rejection
    {
        std::string code;
        std::string message;
    };
    std::string sourceName;
    std::string data;
    std::vector<Line> lines;
    std::vector<Rejection> rejections;
    std::optional<SourceCheckpoint> checkpoint; ///< where the source stands after this chunk
    std::function<void(const Result<CommitResult>&)> onCommitted;

    void addLine(std::string_view text, bool overlong, std::int64_t fullBytes, std::int64_t lineNo);
    /// Adds a record a converter refused: `raw` is kept for quarantine under `code`.
    void addRejected(std::string_view raw, std::int64_t fullBytes, std::string code,
                     std::string message, std::int64_t lineNo);
    /// Adds a converted record (its line, decoded like any other) or its rejection, under
    /// the record's number.
    void addRecord(const ForeignRecord& record);

    /// An empty chunk whose data and line storage come from chunks already decoded (see
    /// recycle()), so a reader filling chunk after chunk reuses warm buffers instead of
    /// growing a fresh string, page by page, for every chunk.
    static RawChunk withSpareStorage();
    /// Hands a decoded chunk's buffers back for withSpareStorage(). Bounded: a few spare
    /// buffers, none larger than 8 MiB. Thread-safe.
    static void recycle(RawChunk&& chunk);
};

/// Counters of a running pipeline, for status bars and `stats`.
struct PipelineStats
{
    std::int64_t chunksIn = 0;
    std::int64_t linesIn = 0;
    std::int64_t inFlight = 0; ///< chunks between submit() and the writer's queue
    WriterStats writer;
};

struct PipelineOptions
{
    unsigned workers = 0;        ///< decode/scan threads; 0 picks from the core count
    std::size_t maxInFlight = 6; ///< chunks submitted but not yet handed to the writer
    ScanFactory scanFactory;
    /// Runs on each batch's events in submission order, one batch at a time, just before
    /// the writer takes it: for checks that follow a stream (Engine::sessionStage()).
    ScanFunction ordered;
};

/// Decodes and scans chunks on worker threads and hands the results to the store's single
/// writer in submission order, so checkpoints of a source only move forward. Bounded:
/// submit() blocks while `maxInFlight` chunks are in progress (backpressure, never a drop).
/// Thread-safe; the StoreWriter must outlive the pipeline.
class IngestPipeline
{
public:
    IngestPipeline(StoreWriter& writer, PipelineOptions options);
    ~IngestPipeline();
    IngestPipeline(const IngestPipeline&) = delete;
    IngestPipeline& operator=(const IngestPipeline&) = delete;

    /// Queues a chunk; blocks while the pipeline is full. Returns false after stop().
    bool submit(RawChunk chunk);

    /// Waits until every chunk submitted so far is committed.
    void drain();

    /// Drains, then stops the workers. Idempotent.
    void stop();

    PipelineStats stats() const;

    enum class Room : std::uint8_t
    {
        Free,          ///< submit() takes a chunk now
        Full,          ///< `maxInFlight` chunks are in progress: submit() would block
        StorageFailing ///< the writer retries a batch after a storage error (a full disk)
    };
    /// Whether a chunk would go in now, for readers that would rather say "later" (HTTP
    /// 429/503) than wait.
    Room room() const;

    /// Lets a source whose batch failed commit again (StoreWriter::resumeSource): for
    /// readers whose failed batches are sent again by their client, not resumed from a
    /// stored offset.
    void resumeSource(const std::string& sourceName);

    /// Decodes and scans one chunk into a write batch (the workers' job; public for tests).
    /// With `leaves`, also computes the chain hashes of each event (its leaf, with its
    /// findings after scanning) and of each rejected line, off the writer's thread.
    static WriteBatch process(RawChunk& chunk, class Decoder& decoder, const ScanFunction& scan,
                              LeafHasher* leaves = nullptr);

private:
    void workerLoop();

    StoreWriter& m_writer;
    PipelineOptions m_options;

    mutable std::mutex m_mutex;
    std::condition_variable m_workAvailable;
    std::condition_variable m_spaceAvailable;
    std::condition_variable m_drained;
    std::queue<std::pair<std::uint64_t, RawChunk>> m_pending;
    std::map<std::uint64_t, WriteBatch> m_done; // finished out of order, waiting their turn
    std::uint64_t m_nextSeq = 0;                // next sequence number to assign
    std::uint64_t m_nextToWriter = 0;           // next sequence number the writer gets
    std::int64_t m_inFlight = 0;
    std::int64_t m_chunksIn = 0, m_linesIn = 0;
    bool m_forwarding = false; // one thread at a time hands batches on
    bool m_stopping = false;
    std::vector<std::thread> m_workers;
};

} // namespace vigil
