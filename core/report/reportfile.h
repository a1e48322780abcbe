// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "base/result.h"
#include "report/reportdocument.h"
#include "report/reportrender.h"

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

namespace vigil {

/// What to do when the target file exists.
enum class Overwrite : std::uint8_t
{
    Replace,
    Refuse
};

/// Writes `bytes` to exactly `path` and nowhere else: into a new temporary file in the
/// same folder (created 0600), synced, then renamed over `path` (Replace) or linked to it
/// only if it does not exist yet (Refuse, error `report.exists`). A symlink at `path` is
/// replaced, never followed. Refuses an empty path, a path that is a folder, and a folder
/// that does not exist. `privateFile` keeps mode 0600 (unredacted reports); otherwise the
/// file gets 0666 minus the umask. Nothing is left behind on failure.
Result<void> writeReportFile(const std::filesystem::path& path, std::string_view bytes,
                             Overwrite overwrite, bool privateFile);

/// Joins a folder the user chose with a file name from anywhere else (a suggestion built
/// from a database name, a name typed in a field), refusing any name that would leave the
/// folder or hide in it: empty, `.` or `..`, containing `/`, `\` or NUL or a control
/// character, starting with `.`, or longer than 255 bytes (`report.bad_name`).
Result<std::filesystem::path> reportPathIn(const std::filesystem::path& folder,
                                           std::string_view fileName);

/// A file name for a report: `vigil-<kind>-<database stem>-<yyyymmdd>.<ext>`, where the
/// stem keeps only `A-Z a-z 0-9 - _` (other characters become `-`, at most 40).
std::string suggestedReportName(ReportKind kind, ReportFormat format, std::string_view databaseName,
                                std::int64_t nowMs);

} // namespace vigil
