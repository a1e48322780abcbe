// SPDX-License-Identifier: Apache-2.0
#include "pipeline/liveingest.h"

#include "base/timeutil.h"

#include "store/database.h"

#include <nlohmann/json.hpp>

namespace vigil {

using Clock = std::chrono::steady_clock;

LiveIngest::LiveIngest(StoreWriter& writer, LiveOptions options)
    : m_writer(writer), m_options(std::move(options))
{
}

LiveIngest::~LiveIngest()
{
    stop();
}

void LiveIngest::setLogSink(LiveLogSink sink)
{
    std::lock_guard l(m_mutex);
    m_log = std::move(sink);
}

void LiveIngest::setCommitListener(StoreWriter::CommitListener listener)
{
    m_writer.setCommitListener(std::move(listener));
}

Result<void> LiveIngest::start()
{
    std::lock_guard l(m_mutex);
    if (m_running || m_stopped)
        return fail("live.started", "the live pipeline was already started");
    m_pipeline = std::make_unique<IngestPipeline>(m_writer, m_options.pipeline);
    if (m_options.tcp) {
        m_tcp = std::make_unique<TcpServer>(*m_pipeline, *m_options.tcp, m_counters, m_log);
        if (auto r = m_tcp->start(); !r) {
            m_tcp.reset();
            m_pipeline.reset();
            return r;
        }
    }
    if (m_options.http) {
        m_http = std::make_unique<HttpServer>(*m_pipeline, *m_options.http, m_counters, m_log);
        if (auto r = m_http->start(); !r) {
            m_http.reset();
            if (m_tcp) {
                m_tcp->stopReading();
                m_tcp->stop(std::chrono::milliseconds(0));
                m_tcp.reset();
            }
            m_pipeline.reset();
            return r;
        }
    }
    m_tailer =
        std::make_unique<FileTailer>(m_writer, *m_pipeline, m_options.tail, m_counters, m_log);
    for (const std::string& f : m_options.tailFiles) {
        if (auto r = m_tailer->addFile(f); !r) {
            m_tailer.reset();
            if (m_http) {
                m_http->stopReading();
                m_http->stop(std::chrono::milliseconds(0));
                m_http.reset();
            }
            if (m_tcp) {
                m_tcp->stopReading();
                m_tcp->stop(std::chrono::milliseconds(0));
                m_tcp.reset();
            }
            m_pipeline.reset();
            return r;
        }
    }
    m_tailer->start();
    m_started = Clock::now();
    m_running = true;
    if (m_options.persistStatsEvery.count() > 0) {
        m_statsThread = std::thread([this] {
            std::unique_lock lock(m_mutex);
            while (m_running) {
                m_statsWake.wait_for(lock, m_options.persistStatsEvery);
                if (!m_running)
                    break;
                lock.unlock();
                persistStats();
                lock.lock();
            }
        });
    }
    return {};
}

void LiveIngest::stop()
{
    std::unique_lock lock(m_mutex);
    if (!m_running)
        return;
    m_running = false;
    m_stopped = true;
    lock.unlock();
    m_statsWake.notify_all();
    if (m_statsThread.joinable())
        m_statsThread.join();
    // Readers first, so that no new line arrives; then everything they handed on is
    // committed; then the last acknowledgements go out.
    if (m_tcp)
        m_tcp->stopReading();
    if (m_http)
        m_http->stopReading();
    if (m_tailer)
        m_tailer->stop();
    m_pipeline->drain();
    if (m_tcp)
        m_tcp->stop();
    if (m_http)
        m_http->stop();
    m_pipeline->stop();
    if (m_options.persistStatsEvery.count() > 0)
        persistStats();
}

bool LiveIngest::running() const
{
    std::lock_guard l(m_mutex);
    return m_running;
}

Result<void> LiveIngest::addTail(const std::string& path)
{
    std::lock_guard l(m_mutex);
    if (!m_tailer) {
        if (m_stopped)
            return fail("live.stopped", "the live pipeline has stopped");
        for (const std::string& f : m_options.tailFiles)
            if (f == path)
                return fail("tail.duplicate", "already following " + path);
        m_options.tailFiles.push_back(path);
        return {};
    }
    return m_tailer->addFile(path);
}

bool LiveIngest::removeTail(const std::string& path)
{
    std::lock_guard l(m_mutex);
    if (!m_tailer)
        return std::erase(m_options.tailFiles, path) > 0;
    return m_tailer->removeFile(path);
}

std::vector<TailFileStatus> LiveIngest::tailStatus() const
{
    std::lock_guard l(m_mutex);
    return m_tailer ? m_tailer->files() : std::vector<TailFileStatus>{};
}

std::string LiveIngest::listenAddress() const
{
    std::lock_guard l(m_mutex);
    return m_tcp ? m_tcp->listenAddress() : std::string();
}

std::string LiveIngest::httpAddress() const
{
    std::lock_guard l(m_mutex);
    return m_http ? m_http->listenAddress() : std::string();
}

LiveStats LiveIngest::stats() const
{
    LiveStats s;
    const LiveCounters& c = *m_counters;
    s.linesReceived = c.linesIn;
    s.bytesReceived = c.bytesIn;
    s.accepted = c.accepted;
    s.duplicates = c.duplicates;
    s.rejected = c.rejected;
    s.findings = c.findings;
    s.failedBatches = c.failedBatches;
    s.connectionsOpen = c.connectionsOpen;
    s.connectionsAccepted = c.connectionsAccepted;
    s.connectionsRefused = c.connectionsRefused;
    s.authFailures = c.authFailures;
    s.handshakeClosed = c.handshakeClosed;
    s.idleClosed = c.idleClosed;
    s.policyClosed = c.policyClosed;
    s.pausedConnections = c.pausedConnections;
    s.bufferedBytes = c.bufferedBytes;
    s.rotations = c.rotations;
    s.truncations = c.truncations;
    s.httpRequests = c.httpRequests;
    s.httpRefused = c.httpRefused;
    s.lastError = c.lastError();
    const WriterStats w = m_writer.stats();
    s.storageRetrying = w.retrying;
    s.storageError = w.lastError;
    s.storageRetries = w.retries;
    Clock::time_point started;
    {
        std::lock_guard l(m_mutex);
        if (m_pipeline) {
            const PipelineStats p = m_pipeline->stats();
            s.pipelineInFlight = p.inFlight;
            s.writerQueueDepth = p.writer.queueDepth;
        }
        if (m_tcp)
            s.listenAddress = m_tcp->listenAddress();
        if (m_http)
            s.httpAddress = m_http->listenAddress();
        if (m_tailer)
            s.files = m_tailer->files();
        started = m_started;
    }
    const auto now = Clock::now();
    s.uptimeSeconds =
        started == Clock::time_point{} ? 0.0 : std::chrono::duration<double>(now - started).count();

    // Rates over a window of recent samples (at most one sample per 200 ms, kept 5 s).
    std::lock_guard l(m_sampleMutex);
    if (m_samples.empty() || now - m_samples.back().at >= std::chrono::milliseconds(200))
        m_samples.push_back(Sample{now, s.linesReceived, s.accepted, s.bytesReceived});
    std::erase_if(m_samples, [&](const Sample& x) { return now - x.at > std::chrono::seconds(5); });
    Sample first = m_samples.front();
    if (m_samples.size() < 2 && started != Clock::time_point{})
        first = Sample{started, 0, 0, 0};
    const double dt = std::chrono::duration<double>(now - first.at).count();
    if (dt > 0.05) {
        s.linesPerSecond = double(s.linesReceived - first.lines) / dt;
        s.eventsPerSecond = double(s.accepted - first.events) / dt;
        s.bytesPerSecond = double(s.bytesReceived - first.bytes) / dt;
    }
    return s;
}

void LiveIngest::persistStats()
{
    const std::string json = liveStatsJson(stats(), nowEpochMs());
    m_writer.post([json](Database& db) { return writeMeta(db, "live_stats", json); });
}

std::string liveStatsJson(const LiveStats& s, std::optional<std::int64_t> writtenAtMs)
{
    nlohmann::ordered_json j;
    j["uptime_seconds"] = s.uptimeSeconds;
    j["lines_received"] = s.linesReceived;
    j["bytes_received"] = s.bytesReceived;
    j["accepted"] = s.accepted;
    j["duplicates"] = s.duplicates;
    j["rejected"] = s.rejected;
    j["findings"] = s.findings;
    j["failed_batches"] = s.failedBatches;
    j["lines_per_second"] = s.linesPerSecond;
    j["events_per_second"] = s.eventsPerSecond;
    j["bytes_per_second"] = s.bytesPerSecond;
    j["pipeline_in_flight"] = s.pipelineInFlight;
    j["writer_queue_depth"] = s.writerQueueDepth;
    j["connections_open"] = s.connectionsOpen;
    j["connections_accepted"] = s.connectionsAccepted;
    j["connections_refused"] = s.connectionsRefused;
    j["auth_failures"] = s.authFailures;
    j["handshake_closed"] = s.handshakeClosed;
    j["idle_closed"] = s.idleClosed;
    j["policy_closed"] = s.policyClosed;
    j["paused_connections"] = s.pausedConnections;
    j["buffered_bytes"] = s.bufferedBytes;
    j["rotations"] = s.rotations;
    j["truncations"] = s.truncations;
    j["listen"] = s.listenAddress;
    j["http_listen"] = s.httpAddress;
    j["http_requests"] = s.httpRequests;
    j["http_refused"] = s.httpRefused;
    j["files"] = nlohmann::ordered_json::array();
    for (const TailFileStatus& f : s.files)
        j["files"].push_back({{"path", f.path},
                              {"exists", f.exists},
                              {"offset", f.offset},
                              {"line", f.lineNo},
                              {"rotations", f.rotations},
                              {"truncations", f.truncations},
                              {"error", f.error}});
    j["last_error"] = s.lastError;
    j["storage_retrying"] = s.storageRetrying;
    j["storage_error"] = s.storageError;
    j["storage_retries"] = s.storageRetries;
    if (writtenAtMs)
        j["written_at"] = formatRfc3339Utc(*writtenAtMs); // tells a reader how fresh it is
    return j.dump();
}

} // namespace vigil
