// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "pipeline/ingestpipeline.h"

#include <condition_variable>
#include <deque>
#include <functional>
#include <future>
#include <mutex>
#include <thread>
#include <vector>

namespace vigil {

/// Decodes and scans chunks on a fixed set of worker threads, each with its own decoder and
/// scan scratch, and returns each result as a future; callers that keep the futures in
/// submission order get results in input order without a writer (the `scan` command).
/// submit() blocks while `maxQueued` chunks wait for a worker. Thread-safe.
class ChunkPool
{
public:
    ChunkPool(unsigned workers, ScanFactory factory, std::size_t maxQueued = 8);
    ~ChunkPool();
    ChunkPool(const ChunkPool&) = delete;
    ChunkPool& operator=(const ChunkPool&) = delete;

    std::future<WriteBatch> submit(RawChunk chunk);

private:
    struct Job
    {
        RawChunk chunk;
        std::promise<WriteBatch> result;
    };
    void loop();

    ScanFactory m_factory;
    std::size_t m_maxQueued;
    std::mutex m_mutex;
    std::condition_variable m_work, m_space;
    std::deque<Job> m_jobs;
    bool m_stopping = false;
    std::vector<std::thread> m_threads;
};

/// A sensible number of decode/scan workers for this machine: every core but one for the
/// reader and the writer, at least one.
unsigned defaultWorkerCount();

} // namespace vigil
