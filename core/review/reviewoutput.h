// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "review/checkliststate.h"
#include "review/evidencerule.h"
#include "review/evidencesource.h"
#include "review/threatmatrix.h"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace vigil {

// What `vigil-cli checklist` and `vigil-cli threats` print (spec/cli.md), built from value
// structs so that the CLI only gathers data and writes the string. Pure functions.

/// `vigil-cli checklist --format json`: a JSON array (indented by 2, ending in a newline)
/// with one object per state, in order: `id`, `checklist`, `section`, `layer` (1..7 or
/// null), `text`, `component` (null for the system), `auto` (`pass`/`fail`/`unknown`),
/// `evidence` (count behind `auto`), `evidence_rule` (rule id or null), `reason`,
/// `verdict` (`pass`/`fail`/`not_applicable` or null), `verdict_note`,
/// `verdict_reviewer`, `verdict_at` (RFC 3339 UTC; all three null without a verdict),
/// `verdicts` (history length) and `conflict`.
std::string checklistJson(const std::vector<ItemState>& states);

/// One line of `vigil-cli threats`.
struct ThreatOutputRow
{
    std::string matrix;
    ThreatRow row;
    std::int64_t findings = 0;

    bool operator==(const ThreatOutputRow&) const = default;
};

/// Every row of every matrix with its live finding count. A matrix with a component counts
/// only that component's findings; `window` bounds the time.
std::vector<ThreatOutputRow> threatOutputRows(const std::vector<ThreatMatrix>& matrices,
                                              const EvidenceSource& source,
                                              const EvidenceScope& window = {});

/// Output formats of `vigil-cli threats --format`.
enum class ThreatsFormat : std::uint8_t
{
    Csv,
    Json,
    Markdown
};

/// `csv`, `json` or `md`.
std::optional<ThreatsFormat> threatsFormatFromString(std::string_view s);

/// CSV (RFC 4180, CRLF, formula-guarded) with the header
/// `matrix,layer,component,threat,severity,mitigation,status,findings`.
std::string threatsCsv(const std::vector<ThreatOutputRow>& rows);
/// A JSON array (indented by 2, ending in a newline) of objects with `matrix`, `layer`,
/// `component`, `threat`, `severity`, `mitigation`, `status`, `findings`, and also
/// `owner` and `links`.
std::string threatsJson(const std::vector<ThreatOutputRow>& rows);
/// A Markdown table with the CSV's columns.
std::string threatsMarkdown(const std::vector<ThreatOutputRow>& rows);
/// One of the three above.
std::string formatThreats(const std::vector<ThreatOutputRow>& rows, ThreatsFormat format);

} // namespace vigil
