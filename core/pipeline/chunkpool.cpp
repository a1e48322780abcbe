// SPDX-License-Identifier: Apache-2.0
#include "pipeline/chunkpool.h"

#include "ingest/decoder.h"

namespace vigil {

unsigned defaultWorkerCount()
{
    const unsigned n = std::thread::hardware_concurrency();
    return n > 2 ? n - 1 : (n == 2 ? 2 : 1);
}

ChunkPool::ChunkPool(unsigned workers, ScanFactory factory, std::size_t maxQueued)
    : m_factory(std::move(factory)), m_maxQueued(maxQueued)
{
    if (workers == 0)
        workers = defaultWorkerCount();
    for (unsigned i = 0; i < workers; ++i)
        m_threads.emplace_back([this] { loop(); });
}

ChunkPool::~ChunkPool()
{
    {
        std::lock_guard l(m_mutex);
        m_stopping = true;
    }
    m_work.notify_all();
    m_space.notify_all();
    for (std::thread& t : m_threads)
        t.join();
}

std::future<WriteBatch> ChunkPool::submit(RawChunk chunk)
{
    std::unique_lock l(m_mutex);
    m_space.wait(l, [&] { return m_stopping || m_jobs.size() < m_maxQueued; });
    Job job{std::move(chunk), {}};
    auto f = job.result.get_future();
    m_jobs.push_back(std::move(job));
    m_work.notify_one();
    return f;
}

void ChunkPool::loop()
{
    Decoder decoder;
    const ScanFunction scan = m_factory ? m_factory() : ScanFunction{};
    for (;;) {
        Job job;
        {
            std::unique_lock l(m_mutex);
            m_work.wait(l, [&] { return m_stopping || !m_jobs.empty(); });
            if (m_jobs.empty())
                return;
            job = std::move(m_jobs.front());
            m_jobs.pop_front();
        }
        m_space.notify_one();
        WriteBatch batch = IngestPipeline::process(job.chunk, decoder, scan);
        RawChunk::recycle(std::move(job.chunk));
        job.result.set_value(std::move(batch));
    }
}

} // namespace vigil
