// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "base/result.h"
#include "ingest/decoder.h"
#include "ingest/inputformat.h"
#include "pipeline/livecounters.h"

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace vigil {

class IngestPipeline;
class StoreWriter;

/// How the tailer polls and batches.
struct TailOptions
{
    std::chrono::milliseconds pollInterval{100}; ///< how often files are checked for news
    /// A rotated (renamed, deleted or copied) file is finished, and the file now at the path
    /// started, once the rotated one has not been written to for this long.
    std::chrono::milliseconds rotationQuiet{1000};
    std::size_t chunkLines = 2048;       ///< lines per batch at most
    std::size_t chunkBytes = 512 * 1024; ///< bytes per batch at most
    std::size_t maxLineBytes = kMaxLineBytes;
    /// What the files hold. Auto decides per file from its first bytes (as `import` does):
    /// Vigil lines, CloudWatch Logs (S3 export lines, subscription payloads, or a saved
    /// filter-log-events document), CloudTrail or OTLP JSON lines.
    InputFormat format = InputFormat::Auto;
    ReaderOptions reader; ///< record cap and CloudTrail's role-to-agent map
};

/// What a tailed file is doing, as a value for status views.
struct TailFileStatus
{
    std::string path;        ///< absolute path, the source's name in the database
    bool exists = false;     ///< a file is open at the path (or being finished after rotation)
    std::int64_t offset = 0; ///< bytes of the current file handed on as complete lines
    std::int64_t lineNo = 0; ///< lines of the current file handed on
    std::int64_t rotations = 0;
    std::int64_t truncations = 0;
    std::string format; ///< what the current file is read as ("auto" until its first bytes decide)
    std::string error; ///< why the file cannot be read now, empty when fine
};

/// Follows files like `tail -F`, on one thread of its own, and feeds their lines to the
/// pipeline in batches whose checkpoints (device, inode, first-bytes fingerprint, offset)
/// commit in the same transaction as the batch's events.
///
/// - On start (and when a file is added) reading resumes at the stored checkpoint when the
///   file at the path is the one it describes; otherwise the stored file is looked for
///   among the rotated siblings (`NAME.N`, `NAME-SUFFIX`, not compressed ones) and
///   finished first, then every sibling rotated after it, then the file at the path from
///   its start. A stored offset beyond a file's size means a new file.
/// - Rename-and-create, delete-and-recreate and copytruncate rotations are followed; the
///   old file is finished through its open descriptor before the new one is read.
///   A truncated file is read from its start, after the unread rest of its copy if one
///   sits beside it.
/// - A partial last line is held until its newline arrives (or the file is rotated away).
/// - A line longer than maxLineBytes is quarantined as too long; reading goes on after it.
/// - A path that does not exist yet is waited for.
/// - Each file is read as the format its first bytes show (TailOptions::format). Records of
///   a format other than Vigil lines are converted as `import` converts them; such a file
///   is read again from its start after a restart, passing over the records stored before.
/// Memory is bounded by one read buffer, one held line and one batch per file. When the
/// pipeline is full, reading stops until it has room (nothing is dropped).
/// Thread-safe; the writer and pipeline must outlive the tailer.
class FileTailer
{
public:
    FileTailer(StoreWriter& writer, IngestPipeline& pipeline, TailOptions options,
               std::shared_ptr<LiveCounters> counters, LiveLogSink log = {});
    ~FileTailer();
    FileTailer(const FileTailer&) = delete;
    FileTailer& operator=(const FileTailer&) = delete;

    /// Starts the tailing thread. Idempotent.
    void start();

    /// Hands every complete line read so far on to the pipeline and stops the thread
    /// (held partial lines are read again on the next start). Idempotent.
    void stop();

    /// Starts following `path` (which need not exist yet). Refuses a directory, a path
    /// that is already followed, and an empty path.
    Result<void> addFile(const std::string& path);

    /// Stops following `path`, after handing its complete lines on. False when not followed.
    bool removeFile(const std::string& path);

    /// A snapshot of every followed file.
    std::vector<TailFileStatus> files() const;

private:
    struct Impl;
    std::unique_ptr<Impl> m_impl;
};

} // namespace vigil
