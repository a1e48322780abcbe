// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "base/result.h"
#include "ingest/auditevent.h"
#include "scan/finding.h"
#include "store/chain.h"
#include "store/database.h"

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <variant>
#include <vector>

namespace vigil {

/// Where a batch of lines came from, and how far into it the batch reaches. Committed in the
/// same transaction as the batch's events, so a crash neither loses nor repeats a line.
struct SourceCheckpoint
{
    std::string kind; ///< file | tcp | stdin
    std::string name; ///< path or peer
    std::int64_t device = 0;
    std::int64_t inode = 0;
    std::int64_t fingerprintLength = 0;
    std::string fingerprint;
    std::int64_t offset = 0; ///< bytes consumed after this batch
    std::int64_t lineNo = 0; ///< lines consumed after this batch
};

/// An accepted event with the findings the scanners made of it.
struct IngestedEvent
{
    AuditEvent event;
    std::vector<Finding> findings;
    std::int64_t lineNo = 0;
    std::optional<ChainHash> leaf; ///< the event's content hash, when a worker computed it
    /// For an event with findings, set after scanning (hashFindings(), store/recordseal.h):
    /// its chain leaf with the finding summary, the digest of its findings and each
    /// finding's hash. The writer computes what is missing.
    std::optional<ChainHash> summaryLeaf;
    std::optional<ChainHash> findingsDigest;
    std::vector<ChainHash> findingHashes;
};

/// The fields of `e` that the integrity chain covers.
inline CanonicalFields canonicalFields(const AuditEvent& e)
{
    return CanonicalFields{e.timestampMs, e.eventType, e.agentName, e.threadId,
                           static_cast<int>(e.severity), e.eventId, e.userId, e.traceId,
                           e.spanId, e.detailsJson};
}

/// A line that is not a valid event, kept for review with the reason it was refused.
struct QuarantinedLine
{
    std::string raw;            ///< at most 64 KiB of the line
    std::int64_t rawBytes = 0;  ///< the line's full length
    std::string reason;         ///< input.* code
    std::string message;
    std::int64_t lineNo = 0;
};

/// A compact summary of a committed event, handed to listeners (the live view) as a value.
struct CommittedEvent
{
    std::int64_t rowId = 0;
    std::int64_t timestampMs = 0;
    std::string eventType;
    std::string agent;
    std::string threadId;
    EventSeverity severity = EventSeverity::Info;
    std::uint32_t findingMask = 0;
    int findingSeverity = -1;
};

/// What one committed batch did.
struct CommitResult
{
    std::int64_t accepted = 0;
    std::int64_t duplicates = 0;
    std::int64_t rejected = 0;
    std::int64_t findings = 0;
    std::vector<std::int64_t> incidents; ///< incidents created or updated
};

/// Work for the writer: a batch of ingested lines. `onCommitted` runs on the writer thread
/// right after the commit (or with the error after a rollback); keep it short.
struct WriteBatch
{
    std::string sourceName;
    std::optional<SourceCheckpoint> checkpoint;
    std::vector<IngestedEvent> events;
    std::vector<QuarantinedLine> rejected;
    /// The content hash of each rejected line (store/recordseal.h), in the same order, when a
    /// worker computed them; otherwise the writer does.
    std::vector<ChainHash> rejectedHashes;
    /// When the rejected lines were received; 0: when the batch commits.
    std::int64_t receivedMs = 0;
    std::function<void(const Result<CommitResult>&)> onCommitted;
};

/// Live counters of the writer, readable from any thread.
struct WriterStats
{
    std::int64_t committedEvents = 0;
    std::int64_t duplicates = 0;
    std::int64_t rejected = 0;
    std::int64_t findings = 0;
    std::int64_t batches = 0;
    std::int64_t queueDepth = 0;
    std::int64_t failedBatches = 0;
    std::int64_t retries = 0; ///< commit attempts repeated after a passing storage error
    bool retrying = false;    ///< a batch is waiting to be tried again right now
    /// The last storage error (empty when none happened), with the time it happened.
    std::string lastError;
    std::int64_t lastErrorMs = 0;
    /// Sources stopped by a failed batch: nothing of theirs commits until resumeSource().
    std::vector<std::string> stoppedSources;
};

struct StoreWriterOptions
{
    std::size_t queueCapacity = 4;           ///< batches; submit() blocks when full
    std::int64_t incidentWindowMs = 10 * 60 * 1000; ///< same agent and rule within this joins
    std::size_t groupEvents = 8192; ///< queued batches share one transaction up to this many events
    /// How long a batch that failed with a passing storage error (disk full, I/O error, a
    /// lock) is tried again, with backoff, before it fails: -1 until the writer closes (live
    /// sources, whose readers simply wait), 0 not at all. Every later batch waits behind it.
    std::int64_t retryMs = -1;
    std::int64_t retryFirstDelayMs = 50;
    std::int64_t retryMaxDelayMs = 2000;
    /// synchronous=FULL (see WriterOpenOptions::durable).
    bool durable = false;
};

/// The single writer of a Vigil database. Owns one connection and one thread; everything
/// that changes the database goes through it, as a WriteBatch or as a task. The queue is
/// bounded: submit() blocks (backpressure) rather than dropping. Thread-safe.
///
/// A batch that fails stops its source (`WriteBatch::sourceName`): every later batch of that
/// source fails too, without touching the database, so a source's stored offset never runs
/// past lines that were not stored. A passing storage error is first retried (see
/// StoreWriterOptions::retryMs). resumeSource() lets a reader start again from the source's
/// stored position.
class StoreWriter
{
public:
    using Task = std::function<Result<void>(Database&)>;
    using CommitListener = std::function<void(const std::vector<CommittedEvent>&)>;

    static Result<std::unique_ptr<StoreWriter>> open(const std::string& path,
                                                     StoreWriterOptions options = {});
    ~StoreWriter();
    StoreWriter(const StoreWriter&) = delete;
    StoreWriter& operator=(const StoreWriter&) = delete;

    /// Queues a batch; blocks while the queue is full. Returns false once closed.
    bool submit(WriteBatch batch);

    /// Runs `task` on the writer thread inside its own transaction; `done` gets the result
    /// there. Use for every other change (incident reviews, verdicts, erasure, purge).
    bool post(Task task, std::function<void(const Result<void>&)> done = {});

    /// Runs `task` on the writer thread and waits for its result.
    Result<void> run(Task task);

    /// run() for a task that yields a value.
    template <typename T>
    Result<T> runResult(std::function<Result<T>(Database&)> task)
    {
        std::optional<T> value;
        auto r = run([&](Database& db) -> Result<void> {
            auto v = task(db);
            if (!v)
                return std::unexpected(v.error());
            value = std::move(*v);
            return {};
        });
        if (!r)
            return std::unexpected(r.error());
        return std::move(*value);
    }

    /// post() for a task that yields a value: `done` gets it, or the error, on the writer
    /// thread.
    template <typename T>
    bool postResult(std::function<Result<T>(Database&)> task,
                    std::function<void(const Result<T>&)> done)
    {
        auto value = std::make_shared<std::optional<T>>();
        return post(
            [task = std::move(task), value](Database& db) -> Result<void> {
                auto v = task(db);
                if (!v)
                    return std::unexpected(v.error());
                *value = std::move(*v);
                return {};
            },
            [value, done = std::move(done)](const Result<void>& r) {
                if (!done)
                    return;
                if (r)
                    done(std::move(**value));
                else
                    done(std::unexpected(r.error()));
            });
    }

    /// Waits until everything queued before this call is committed.
    void flush();

    /// Drains the queue, commits, stops the thread. Idempotent.
    void close();

    /// Lets batches of `sourceName` commit again after a failure stopped it. Call it only
    /// once no batch of the failed run is still queued, and read again from the stored
    /// position.
    void resumeSource(const std::string& sourceName);

    /// Called on the writer thread after each batch commit with its accepted events.
    void setCommitListener(CommitListener listener);

    WriterStats stats() const;
    const std::string& path() const { return m_path; }

private:
    struct TaskItem
    {
        Task task;
        std::function<void(const Result<void>&)> done;
    };
    using Item = std::variant<WriteBatch, TaskItem>;

    StoreWriter(Database db, StoreWriterOptions options);
    Result<void> prepare();
    void loop();
    void commitGroup(std::vector<WriteBatch>& group, std::vector<CommittedEvent>& committed);
    Result<CommitResult> writeBatch(WriteBatch& batch, std::vector<CommittedEvent>& committed);
    Result<void> inTransaction(const std::function<Result<void>()>& body);
    void releaseBatches(std::vector<WriteBatch>& group);
    Result<CommitResult> commitAlone(WriteBatch& batch, std::vector<CommittedEvent>& committed);
    void noteError(const Error& e);
    void reaperLoop();
    Result<void> flushTouches();
    Result<std::int64_t> threadNumber(const std::string& threadId);
    Result<std::int64_t> incidentFor(const IngestedEvent& ev, const Finding& f,
                                     std::int64_t eventRow);

    Database m_db;
    StoreWriterOptions m_options;
    std::string m_path;

    mutable std::mutex m_mutex;
    std::condition_variable m_notEmpty;
    std::condition_variable m_notFull;
    std::condition_variable m_idle;
    std::deque<Item> m_queue;
    bool m_closing = false;
    bool m_busy = false;
    std::size_t m_held = 0; // batches taken into the group being committed, beyond the first
    std::thread m_thread;
    std::condition_variable m_retryWake; // cuts a retry's wait short when closing
    std::map<std::string, Error, std::less<>> m_stopped; // by source name
    bool m_retrying = false;
    std::string m_lastError;
    std::int64_t m_lastErrorMs = 0;

    std::mutex m_listenerMutex;
    CommitListener m_listener;
    std::atomic<bool> m_hasListener{false}; // lets the writer skip building the summaries

    // Frees committed batches off the writer thread (releaseBatches).
    std::thread m_reaper;
    std::mutex m_reaperMutex;
    std::condition_variable m_reaperWake;
    std::deque<std::vector<WriteBatch>> m_graveyard;
    bool m_reaperStop = false;

    std::atomic<std::int64_t> m_committed{0}, m_duplicates{0}, m_rejected{0}, m_findings{0},
        m_batches{0}, m_failed{0}, m_retries{0};

    struct Prepared;
    std::unique_ptr<Prepared> m_st;
};

} // namespace vigil
