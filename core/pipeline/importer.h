// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "base/result.h"
#include "ingest/inputformat.h"
#include "pipeline/ingestpipeline.h"

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace vigil {

/// Progress of an import, reported from the reading thread.
struct ImportProgress
{
    std::int64_t bytesRead = 0;
    std::int64_t bytesTotal = 0;
    std::int64_t linesRead = 0;
    std::string currentFile;
};

/// What an import did, over all its files.
struct ImportSummary
{
    std::int64_t lines = 0;      ///< lines read (blank ones included)
    std::int64_t accepted = 0;   ///< events stored
    std::int64_t duplicates = 0; ///< events already stored (same event_id)
    std::int64_t rejected = 0;   ///< lines quarantined
    std::int64_t findings = 0;
    std::int64_t bytes = 0;
    std::int64_t skippedBytes = 0; ///< already imported before (resumed past)
    std::int64_t skippedRecords = 0; ///< passed over by design (CloudWatch CONTROL_MESSAGE)
    double seconds = 0;
};

struct ImportOptions
{
    PipelineOptions pipeline;
    std::size_t chunkLines = 2048;
    std::size_t chunkBytes = 4 * 1024 * 1024;
    std::function<void(const ImportProgress&)> progress; ///< called at most every ~100 ms
    /// What the files hold; Auto decides for each file from its first (decompressed) bytes.
    InputFormat format = InputFormat::Auto;
    ReaderOptions reader; ///< record cap and CloudTrail role mapping
};

/// Imports whole files (or "-" for standard input) through the pipeline into the writer's
/// database. A file already imported resumes where its stored offset ends, so importing the
/// same file again stores nothing twice; a file whose identity changed is read from the
/// start. A missing or unreadable file is an error before anything is stored. Files of a
/// format other than Vigil lines (CloudWatch, CloudTrail) are converted record by record;
/// resuming one reads it again from the start and skips the records already stored.
Result<ImportSummary> importFiles(StoreWriter& writer, const std::vector<std::string>& paths,
                                  const ImportOptions& options);

} // namespace vigil
