// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "base/maestro.h"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace vigil {

/// The kinds of compliance report (spec/cli.md `--kind`).
enum class ReportKind : std::uint8_t
{
    Soc2,
    Gdpr,
    Production,
    Incidents,
    Full
};

/// `soc2`, `gdpr`, `production`, `incidents`, `full`.
std::string_view toString(ReportKind k);
std::optional<ReportKind> reportKindFromString(std::string_view s);

/// One column of a report table. In PDF, columns are sized from their content
/// (textwrap.h fitColumns); `weight` is a column's share of the room that several columns
/// want more of than they get. `numeric` cells are right-aligned and written as JSON
/// numbers.
struct ReportColumn
{
    std::string id;
    std::string title;
    double weight = 1.0;
    bool numeric = false;
};

/// A table: every row has one cell per column.
struct ReportTable
{
    std::string id;
    std::string title;
    std::vector<ReportColumn> columns;
    std::vector<std::vector<std::string>> rows;
    std::string emptyText = "None.";
};

/// One bar of a chart.
struct ReportBar
{
    std::string label;
    double value = 0;
    std::string tone; ///< optional colour hint: `pass`, `fail`, `unknown`, `critical`, ...
};

/// A horizontal bar chart of pre-aggregated values.
struct ReportChart
{
    std::string id;
    std::string title;
    std::string unit; ///< what the values count, e.g. `findings`
    std::vector<ReportBar> bars;
};

/// A paragraph of plain text.
struct ReportParagraph
{
    std::string text;
};

using ReportBlock = std::variant<ReportParagraph, ReportTable, ReportChart>;

/// A titled section: blocks in reading order.
struct ReportSection
{
    std::string id;
    std::string title;
    std::vector<ReportBlock> blocks;
};

/// What the header of every report states.
struct ReportMeta
{
    ReportKind kind = ReportKind::Soc2;
    std::string title;
    std::int64_t generatedMs = 0;
    std::optional<std::int64_t> fromMs; ///< the window; unset ends are open
    std::optional<std::int64_t> toMs;
    std::string database; ///< file name of the database (no folders)
    std::string databaseUuid;
    std::string chainHead; ///< hex link of the last stored event, empty when none
    std::int64_t chainEvents = 0;
    std::string chainStatus; ///< `intact`, `broken at event N: ...` or `not verified: ...`
    std::int64_t eventsInWindow = 0;
    bool redacted = true;
    std::string vigilVersion;
    LayerNaming layerNaming = LayerNaming::Seed; ///< how layers are named in the report
};

/// A report as data; the renderers (reportrender.h) turn it into PDF, HTML, CSV or JSON.
/// A plain value: build it on a worker thread and hand it over.
struct ReportDocument
{
    ReportMeta meta;
    std::vector<ReportSection> sections;
};

/// The sentence every format prints about redaction.
std::string redactionNote(bool redacted);
/// The metadata as a two-column (field, value) table, as CSV and the summaries show it.
ReportTable metaTable(const ReportMeta& meta);

/// The window as text: `2026-11-01T00:00:00.000Z to 2026-11-30T23:59:59.999Z`, with
/// `the beginning` / `now` for open ends.
std::string windowText(const ReportMeta& meta);

} // namespace vigil
