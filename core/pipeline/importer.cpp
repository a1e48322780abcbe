// SPDX-License-Identifier: Apache-2.0
#include "pipeline/importer.h"

#include "ingest/decoder.h"
#include "ingest/linesplitter.h"
#include "pipeline/fileidentity.h"
#include "pipeline/sourcestate.h"
#include "store/database.h"

#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <memory>

namespace vigil {
namespace {

struct Totals
{
    std::atomic<std::int64_t> accepted{0}, duplicates{0}, rejected{0}, findings{0};
    std::atomic<bool> failed{false};
    std::mutex errorMutex;
    Error error;
};

struct OpenFile
{
    std::string name; // as given
    std::string key;  // absolute path: the source's name in the database
    int fd = -1;
    FileIdentity id;
};

class ChunkBuilder
{
public:
    ChunkBuilder(IngestPipeline& pipeline, const ImportOptions& options, std::string sourceName,
                 std::optional<SourceCheckpoint> base, std::shared_ptr<Totals> totals)
        : m_pipeline(pipeline), m_options(options), m_sourceName(std::move(sourceName)),
          m_base(std::move(base)), m_totals(std::move(totals))
    {
        reset();
    }

    void add(const SplitLine& l, std::int64_t lineNo)
    {
        m_chunk.addLine(l.text, l.overlong, l.fullBytes, lineNo);
        m_endOffset = l.endOffset;
        m_lineNo = lineNo;
        if (m_chunk.lines.size() >= m_options.chunkLines ||
            m_chunk.data.size() >= m_options.chunkBytes)
            flush();
    }

    void flush()
    {
        if (m_chunk.lines.empty())
            return;
        if (m_base) {
            SourceCheckpoint c = *m_base;
            c.offset = m_endOffset;
            c.lineNo = m_lineNo;
            m_chunk.checkpoint = std::move(c);
        }
        m_chunk.onCommitted = [t = m_totals](const Result<CommitResult>& r) {
            if (r) {
                t->accepted += r->accepted;
                t->duplicates += r->duplicates;
                t->rejected += r->rejected;
                t->findings += r->findings;
            } else if (!t->failed.exchange(true)) {
                std::lock_guard l(t->errorMutex);
                t->error = r.error();
            }
        };
        m_pipeline.submit(std::move(m_chunk));
        reset();
    }

private:
    void reset()
    {
        m_chunk = RawChunk::withSpareStorage();
        m_chunk.sourceName = m_sourceName;
        m_chunk.data.reserve(std::min<std::size_t>(m_options.chunkBytes + 4096, 1 << 20));
    }

    IngestPipeline& m_pipeline;
    const ImportOptions& m_options;
    std::string m_sourceName;
    std::optional<SourceCheckpoint> m_base;
    std::shared_ptr<Totals> m_totals;
    RawChunk m_chunk;
    std::int64_t m_endOffset = 0;
    std::int64_t m_lineNo = 0;
};

} // namespace

Result<ImportSummary> importFiles(StoreWriter& writer, const std::vector<std::string>& paths,
                                  const ImportOptions& options)
{
    const auto started = std::chrono::steady_clock::now();
    std::vector<OpenFile> files;
    auto closeAll = [&] {
        for (OpenFile& f : files)
            if (f.fd > 0)
                ::close(f.fd);
    };
    std::int64_t total = 0;
    for (const std::string& p : paths) {
        OpenFile f;
        f.name = p;
        if (p == "-") {
            f.fd = 0;
            f.key = "-";
        } else {
            if (std::filesystem::is_directory(p)) {
                closeAll();
                return fail("import.is_directory", "cannot import " + p + ": is a directory");
            }
            f.fd = ::open(p.c_str(), O_RDONLY | O_CLOEXEC);
            if (f.fd < 0) {
                const std::string why = std::strerror(errno);
                closeAll();
                return fail("import.open", "cannot open " + p + ": " + why);
            }
            f.key = fileSourceKey(p);
            auto id = identifyFile(f.fd);
            if (!id) {
                ::close(f.fd);
                closeAll();
                return std::unexpected(id.error());
            }
            f.id = *id;
            total += f.id.size;
        }
        files.push_back(std::move(f));
    }

    auto totals = std::make_shared<Totals>();
    ImportSummary summary;
    ImportProgress progress;
    progress.bytesTotal = total;
    auto lastReport = std::chrono::steady_clock::now();
    {
        IngestPipeline pipeline(writer, options.pipeline);
        std::vector<char> buf(1 << 20);
        for (OpenFile& f : files) {
            std::int64_t start = 0;
            std::int64_t lineNo = 0;
            std::optional<SourceCheckpoint> base;
            if (f.fd != 0) {
                auto stored = lookupSource(writer, "file", f.key);
                if (!stored) {
                    closeAll();
                    return std::unexpected(stored.error());
                }
                // Resume only in the same file: same device and inode, same first bytes,
                // and not shorter than what was read (else it was truncated or replaced).
                if (canResume(*stored, f.fd, f.id)) {
                    start = stored->offset;
                    lineNo = stored->lineNo;
                }
                base = SourceCheckpoint{"file", f.key, f.id.device, f.id.inode,
                                        f.id.fingerprintLength, f.id.fingerprint, 0, 0};
                summary.skippedBytes += start;
                progress.bytesRead += start;
                if (::lseek(f.fd, start, SEEK_SET) < 0) {
                    closeAll();
                    return fail("import.seek", "cannot seek in " + f.name);
                }
            }
            const std::int64_t firstLine = lineNo;
            progress.currentFile = f.name;
            ChunkBuilder builder(pipeline, options, f.key, base, totals);
            LineSplitter splitter(kMaxLineBytes, 64 * 1024, start);
            auto sink = [&](const SplitLine& l) { builder.add(l, ++lineNo); };
            for (;;) {
                const ssize_t n = ::read(f.fd, buf.data(), buf.size());
                if (n < 0) {
                    if (errno == EINTR)
                        continue;
                    const std::string why = std::strerror(errno);
                    pipeline.stop();
                    closeAll();
                    return fail("import.read", "cannot read " + f.name + ": " + why);
                }
                if (n == 0)
                    break;
                summary.bytes += n;
                progress.bytesRead += n;
                splitter.feed(std::string_view(buf.data(), static_cast<std::size_t>(n)), sink);
                progress.linesRead = lineNo;
                if (options.progress) {
                    const auto now = std::chrono::steady_clock::now();
                    if (now - lastReport >= std::chrono::milliseconds(100)) {
                        lastReport = now;
                        options.progress(progress);
                    }
                }
            }
            splitter.finish(sink);
            builder.flush();
            summary.lines += lineNo - firstLine;
        }
        pipeline.stop();
    }
    closeAll();
    if (options.progress) {
        progress.linesRead = summary.lines;
        options.progress(progress);
    }
    if (totals->failed) {
        std::lock_guard l(totals->errorMutex);
        return std::unexpected(totals->error);
    }
    summary.accepted = totals->accepted;
    summary.duplicates = totals->duplicates;
    summary.rejected = totals->rejected;
    summary.findings = totals->findings;
    summary.seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    return summary;
}

} // namespace vigil
