// SPDX-License-Identifier: Apache-2.0
#include "pipeline/importer.h"

#include "ingest/decoder.h"
#include "ingest/gzipstream.h"
#include "ingest/linesplitter.h"
#include "pipeline/fileidentity.h"
#include "pipeline/sourcestate.h"
#include "store/database.h"

#include <fcntl.h>
#include <sys/stat.h>
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
    std::string failedSource;        // the file whose batch failed first
    std::int64_t failedFirstLine = 0; // the first line of that batch: nothing from it on is stored
};

struct OpenFile
{
    std::string name; // as given
    std::string key;  // absolute path: the source's name in the database
    int fd = -1;
    bool stream = false; // standard input, a pipe or a socket: read once, no position kept
    bool gzip = false;
    InputFormat format = InputFormat::Auto; // decided here for files, while reading for streams
    FileIdentity id;
};

/// The format of a regular file from its first bytes, decompressed when it is gzip. A file
/// that cannot be peeked at is taken as Vigil lines: reading it then reports the fault.
InputFormat peekFormat(int fd, bool gzip)
{
    std::string raw(kDetectBytes, '\0');
    const ssize_t n = ::pread(fd, raw.data(), raw.size(), 0);
    if (n <= 0)
        return InputFormat::Vigil;
    raw.resize(static_cast<std::size_t>(n));
    if (!gzip)
        return detectInputFormat(raw);
    std::string head;
    GzipStream gz;
    (void)gz.feed(raw, [&](std::string_view out) {
        if (head.size() < kDetectBytes)
            head.append(out.substr(0, kDetectBytes - head.size()));
    });
    return detectInputFormat(head);
}

/// A gzip file can resume where its stored (decompressed) offset ends when it is the same
/// file: rotated logs are compressed once and never appended to.
bool canResumeCompressed(const StoredSource& stored, int fd, const FileIdentity& id)
{
    return stored.found && stored.device == id.device && stored.inode == id.inode &&
           stored.fingerprintLength <= id.size &&
           fingerprintPrefix(fd, stored.fingerprintLength) == stored.fingerprint;
}

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
        if (m_chunk.lines.empty())
            m_firstLine = lineNo;
        m_chunk.addLine(l.text, l.overlong, l.fullBytes, lineNo);
        m_endOffset = l.endOffset;
        m_lineNo = lineNo;
        if (m_chunk.lines.size() >= m_options.chunkLines ||
            m_chunk.data.size() >= m_options.chunkBytes)
            flush();
    }

    void addRecord(const ForeignRecord& r, std::int64_t endOffset)
    {
        if (m_chunk.lines.empty())
            m_firstLine = r.recordNo;
        m_chunk.addRecord(r);
        m_endOffset = endOffset;
        m_lineNo = r.recordNo;
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
        m_chunk.onCommitted = [t = m_totals, source = m_sourceName,
                               first = m_firstLine](const Result<CommitResult>& r) {
            if (r) {
                t->accepted += r->accepted;
                t->duplicates += r->duplicates;
                t->rejected += r->rejected;
                t->findings += r->findings;
            } else if (!t->failed.exchange(true)) {
                std::lock_guard l(t->errorMutex);
                t->error = r.error();
                t->failedSource = source;
                t->failedFirstLine = first;
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
    std::int64_t m_firstLine = 0;
};

/// Opens one input for import and classifies it; refuses what cannot be imported.
Result<OpenFile> openInput(const std::string& p, InputFormat format)
{
    OpenFile f;
    f.name = p;
    f.format = format;
    if (p == "-") {
        f.fd = 0;
        f.key = "-";
    } else {
        if (std::filesystem::is_directory(p))
            return fail("import.is_directory", "cannot import " + p + ": is a directory");
        f.fd = ::open(p.c_str(), O_RDONLY | O_CLOEXEC);
        if (f.fd < 0)
            return fail("import.open", "cannot open " + p + ": " + std::strerror(errno));
        f.key = fileSourceKey(p);
    }
    struct stat st
    {
    };
    if (::fstat(f.fd, &st) != 0) {
        const std::string why = std::strerror(errno);
        if (f.fd > 0)
            ::close(f.fd);
        return fail("import.open", "cannot stat " + p + ": " + why);
    }
    if (S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode)) {
        // /dev/urandom and the like never end and hold no lines: importing one would
        // fill the disk with quarantined garbage.
        if (f.fd > 0)
            ::close(f.fd);
        return fail("import.not_a_file",
                    "cannot import " + p + ": it is a " +
                        (S_ISCHR(st.st_mode) ? "character" : "block") +
                        " device, not a file or a pipe");
    }
    if (!S_ISREG(st.st_mode)) {
        f.stream = true; // a FIFO, a socket, a terminal: read it once, start to end
        return f;
    }
    auto id = identifyFile(f.fd);
    if (!id) {
        if (f.fd > 0)
            ::close(f.fd);
        return std::unexpected(id.error());
    }
    f.id = *id;
    char head[2] = {};
    f.gzip = ::pread(f.fd, head, 2, 0) == 2 && looksGzipped(std::string_view(head, 2));
    if (f.format == InputFormat::Auto)
        f.format = peekFormat(f.fd, f.gzip);
    if (f.fd == 0)
        f.stream = true; // "-" redirected from a file: still no position kept
    return f;
}

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
        auto f = openInput(p, options.format);
        if (!f) {
            closeAll();
            return std::unexpected(f.error());
        }
        total += f->id.size;
        files.push_back(std::move(*f));
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
            if (totals->failed)
                break;
            std::int64_t start = 0;
            std::int64_t lineNo = 0;
            // Records of a converted format are not lines at byte offsets: a resumed file
            // is read again from the start and its stored records are passed over.
            const bool records = f.format != InputFormat::Vigil && f.format != InputFormat::Auto;
            std::int64_t skipRecords = 0;
            std::optional<SourceCheckpoint> base;
            if (!f.stream) {
                auto stored = lookupSource(writer, "file", f.key);
                if (!stored) {
                    pipeline.stop();
                    closeAll();
                    return std::unexpected(stored.error());
                }
                // Resume only in the same file: same device and inode, same first bytes,
                // and not shorter than what was read (else it was truncated or replaced).
                if (f.gzip ? canResumeCompressed(*stored, f.fd, f.id)
                           : canResume(*stored, f.fd, f.id)) {
                    start = stored->offset;
                    lineNo = stored->lineNo;
                }
                base = SourceCheckpoint{"file", f.key, f.id.device, f.id.inode,
                                        f.id.fingerprintLength, f.id.fingerprint, 0, 0};
                summary.skippedBytes += start;
                if (records) {
                    skipRecords = lineNo;
                    start = 0;
                } else if (!f.gzip) {
                    progress.bytesRead += start;
                    if (::lseek(f.fd, start, SEEK_SET) < 0) {
                        pipeline.stop();
                        closeAll();
                        return fail("import.seek", "cannot seek in " + f.name);
                    }
                }
            }
            // A run stopped by a failed batch left this source stopped in the writer.
            writer.resumeSource(f.key);
            const std::int64_t firstLine = lineNo;
            progress.currentFile = f.name;
            ChunkBuilder builder(pipeline, options, f.key, base, totals);
            LineSplitter splitter(kMaxLineBytes, 64 * 1024, start);
            auto sink = [&](const SplitLine& l) { builder.add(l, ++lineNo); };
            InputRouter router(f.format, options.reader, splitter);
            const RecordSink recordSink = [&](ForeignRecord&& r, std::int64_t endOffset) {
                if (r.recordNo <= skipRecords)
                    return; // stored by an earlier run
                lineNo = r.recordNo;
                builder.addRecord(r, endOffset);
            };
            std::optional<GzipStream> gzip;
            // Bytes of a compressed file's decompressed stream that an earlier run stored.
            std::int64_t skip = f.gzip ? start : 0;
            auto deliver = [&](std::string_view bytes) {
                if (skip > 0) {
                    const auto n = std::min<std::int64_t>(skip, static_cast<std::int64_t>(bytes.size()));
                    bytes.remove_prefix(static_cast<std::size_t>(n));
                    skip -= n;
                }
                router.feed(bytes, sink, recordSink);
            };
            bool first = true;
            for (;;) {
                if (totals->failed)
                    break; // the writer refuses this source from the failed batch on
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
                const std::string_view bytes(buf.data(), static_cast<std::size_t>(n));
                if (first && f.stream && looksGzipped(bytes))
                    f.gzip = true;
                first = false;
                if (f.gzip && !gzip)
                    gzip.emplace();
                summary.bytes += n;
                progress.bytesRead += n;
                if (gzip) {
                    if (auto r = gzip->feed(bytes, deliver); !r) {
                        router.finish(sink, recordSink);
                        builder.flush();
                        pipeline.stop();
                        closeAll();
                        return fail(r.error().code, f.name + ": " + r.error().message +
                                                        "; the lines before it were stored");
                    }
                } else {
                    deliver(bytes);
                }
                progress.linesRead = lineNo;
                if (options.progress) {
                    const auto now = std::chrono::steady_clock::now();
                    if (now - lastReport >= std::chrono::milliseconds(100)) {
                        lastReport = now;
                        options.progress(progress);
                    }
                }
            }
            if (totals->failed)
                break;
            if (gzip) {
                if (auto r = gzip->finish(); !r) {
                    // The complete lines are stored; the cut-off last one is not a line.
                    router.settle(sink, recordSink);
                    builder.flush();
                    pipeline.stop();
                    closeAll();
                    return fail(r.error().code, f.name + ": " + r.error().message +
                                                    "; the complete lines before it were stored");
                }
            }
            router.finish(sink, recordSink);
            builder.flush();
            summary.lines += lineNo - firstLine;
            summary.skippedRecords += router.skipped();
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
        const Error& e = totals->error;
        const std::string where = totals->failedSource == "-" ? std::string("standard input")
                                                              : totals->failedSource;
        std::string advice = isTransientStoreError(e)
                                 ? "free space (or end what holds the database) and run the "
                                   "same import again: it resumes at that line"
                                 : "run the same import again once the cause is fixed: it "
                                   "resumes at that line";
        return fail(e.code, "storing " + where + " failed at line " +
                                std::to_string(totals->failedFirstLine) + ": " + e.message +
                                ". Every line before it is stored, none after it; " + advice);
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
