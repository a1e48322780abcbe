// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "base/result.h"
#include "pipeline/filetailer.h"
#include "pipeline/httpserver.h"
#include "pipeline/ingestpipeline.h"
#include "pipeline/livecounters.h"
#include "pipeline/tcpserver.h"
#include "store/storewriter.h"

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace vigil {

/// Everything the live pipeline needs to run: which readers, their limits, the scanner.
struct LiveOptions
{
    std::optional<TcpOptions> tcp = TcpOptions{}; ///< nullopt: no TCP feed
    std::optional<HttpOptions> http;              ///< nullopt: no HTTP receiver
    std::vector<std::string> tailFiles;           ///< files followed from the start
    TailOptions tail;
    /// Decode/scan workers and the scanner. maxInFlight bounds the chunks between the
    /// readers and the writer; readers block (stop reading) while it is reached.
    PipelineOptions pipeline;
    /// When non-zero, a JSON snapshot of the counters is written to the database's `meta`
    /// table (key `live_stats`) this often, for `vigil-cli stats` run beside `serve`.
    std::chrono::milliseconds persistStatsEvery{0};
};

/// Counters of a running live pipeline, as a value (any thread may hold a copy).
struct LiveStats
{
    double uptimeSeconds = 0;
    std::int64_t linesReceived = 0; ///< lines handed to the pipeline
    std::int64_t bytesReceived = 0;
    std::int64_t accepted = 0;   ///< events committed
    std::int64_t duplicates = 0; ///< events already stored (same event_id)
    std::int64_t rejected = 0;   ///< lines quarantined
    std::int64_t findings = 0;
    std::int64_t failedBatches = 0;
    double linesPerSecond = 0; ///< over the last few seconds
    double eventsPerSecond = 0;
    double bytesPerSecond = 0;
    std::int64_t pipelineInFlight = 0; ///< chunks between readers and the writer's queue
    std::int64_t writerQueueDepth = 0; ///< batches waiting for the writer
    std::int64_t connectionsOpen = 0;
    std::int64_t connectionsAccepted = 0;
    std::int64_t connectionsRefused = 0;
    std::int64_t authFailures = 0;
    std::int64_t handshakeClosed = 0; ///< too slow to authenticate, or evicted by a newer one
    std::int64_t idleClosed = 0;
    std::int64_t policyClosed = 0;
    std::int64_t pausedConnections = 0;
    std::int64_t bufferedBytes = 0; ///< held by connections now
    std::int64_t rotations = 0;
    std::int64_t truncations = 0;
    std::string listenAddress; ///< empty without a TCP feed
    std::string httpAddress;   ///< empty without the HTTP receiver
    std::int64_t httpRequests = 0;
    std::int64_t httpRefused = 0; ///< answered with an error status (401, 413, 429, 503, ...)
    std::vector<TailFileStatus> files;
    std::string lastError; ///< of the last failed commit, empty when none
    /// The writer is holding a batch that failed on the storage (a full disk) and tries it
    /// again; nothing later commits, nothing is acknowledged, readers wait meanwhile.
    bool storageRetrying = false;
    std::string storageError;        ///< the writer's last storage error, empty when none
    std::int64_t storageRetries = 0; ///< commit attempts repeated so far
};

/// The live pipeline the desktop app and `vigil-cli serve` run: a TCP feed, an HTTP receiver
/// (OTLP and NDJSON) and followed files feeding one IngestPipeline into the caller's
/// StoreWriter.
///
/// start() brings everything up (or nothing, with the reason); stop() stops reading, hands
/// every complete line received on, waits until it is committed, sends the last
/// acknowledgements and closes the connections. Values, never pointers, cross threads:
/// stats() and files() return copies; the commit listener gets value batches on the writer
/// thread. Thread-safe; the writer must outlive this object. Not restartable: make a new
/// one to change the listen address or token.
class LiveIngest
{
public:
    LiveIngest(StoreWriter& writer, LiveOptions options);
    ~LiveIngest();
    LiveIngest(const LiveIngest&) = delete;
    LiveIngest& operator=(const LiveIngest&) = delete;

    /// Sets where operational messages go (connection refused, file rotated). Call before
    /// start(). The sink runs on reader threads and never receives a token.
    void setLogSink(LiveLogSink sink);

    /// Called on the writer thread after every committed batch with its accepted events
    /// (the writer's listener: it sees imports through the same writer too). Keep it short.
    void setCommitListener(StoreWriter::CommitListener listener);

    /// Starts the pipeline, the TCP feed and the tailer. Refuses (and starts nothing) when
    /// the feed cannot listen (address in use, non-loopback without token, bad TLS files) or
    /// a tailed path is a directory.
    Result<void> start();

    /// Stops reading, commits everything received, acknowledges and closes. Idempotent.
    void stop();

    bool running() const;

    /// Follows another file (it need not exist yet). Works before and after start().
    Result<void> addTail(const std::string& path);
    /// Stops following a file. False when it was not followed.
    bool removeTail(const std::string& path);
    std::vector<TailFileStatus> tailStatus() const;

    /// `HOST:PORT` actually bound (the real port when 0 was asked); empty without TCP.
    std::string listenAddress() const;
    /// The same for the HTTP receiver; empty without it.
    std::string httpAddress() const;

    /// A snapshot of the counters; rates are computed over the last few seconds of calls.
    LiveStats stats() const;

private:
    void persistStats();

    StoreWriter& m_writer;
    LiveOptions m_options;
    LiveLogSink m_log;
    std::shared_ptr<LiveCounters> m_counters = std::make_shared<LiveCounters>();
    std::unique_ptr<IngestPipeline> m_pipeline;
    std::unique_ptr<FileTailer> m_tailer;
    std::unique_ptr<TcpServer> m_tcp;
    std::unique_ptr<HttpServer> m_http;

    mutable std::mutex m_mutex;
    bool m_running = false;
    bool m_stopped = false;
    std::chrono::steady_clock::time_point m_started{};
    std::thread m_statsThread;
    std::condition_variable m_statsWake;

    struct Sample
    {
        std::chrono::steady_clock::time_point at;
        std::int64_t lines = 0, events = 0, bytes = 0;
    };
    mutable std::mutex m_sampleMutex;
    mutable std::vector<Sample> m_samples;
};

/// The counters as a JSON object (the `live_stats` meta value, and `serve`'s summary).
/// With `writtenAtMs`, also says when they were taken (`written_at`).
std::string liveStatsJson(const LiveStats& stats,
                          std::optional<std::int64_t> writtenAtMs = std::nullopt);

} // namespace vigil
