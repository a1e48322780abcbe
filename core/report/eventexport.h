// SPDX-License-Identifier: Apache-2.0
#pragma once

// Stored events as a file: every event matching a filter, with the rule ids of its
// findings, as JSON Lines (one audit event per line, in the format Vigil reads, plus
// `findings`) or CSV. PII and secrets are redacted unless asked otherwise. Used by the
// desktop's Export and `vigil-cli export`.

#include "base/result.h"
#include "store/storereader.h"

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace vigil {

enum class EventExportFormat : std::uint8_t
{
    JsonLines, ///< one JSON object per line, LF-terminated
    Csv,       ///< RFC 4180, CRLF, a header row (review/threatmatrixio.h csvCell)
};

/// `jsonl` or `csv`.
std::optional<EventExportFormat> eventExportFormatFromString(std::string_view name);

struct EventExportOptions
{
    EventFilter filter;
    bool ascending = false; ///< oldest first; newest first otherwise (as the views list)
    EventExportFormat format = EventExportFormat::JsonLines;
    /// Replace every span of a PII or secret finding by `[REDACTED:<rule>]`
    /// (store/detailsfield.h redactedDetails). Off only on explicit request.
    bool redact = true;
};

/// Writes every event matching `options` through `write`, in pages, and returns how many
/// were written. `write` returns false when the bytes could not be written: the export
/// stops with `export.write`. `keepGoing`, when given, is asked before each page; false
/// stops with `export.cancelled` (the caller discards what was written). The reader is
/// used on the caller's thread.
Result<std::int64_t> exportEvents(StoreReader& reader, const EventExportOptions& options,
                                  const std::function<bool(std::string_view)>& write,
                                  const std::function<bool()>& keepGoing = {});

} // namespace vigil
