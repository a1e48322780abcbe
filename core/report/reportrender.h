// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "report/reportdocument.h"

#include <optional>
#include <string>
#include <string_view>

namespace vigil {

/// Output formats of `vigil-cli report --format`. Pdf, Html, Csv and Json render a
/// ReportDocument; Ocsf and Sarif export the findings of the window (findingexport.h).
enum class ReportFormat : std::uint8_t
{
    Pdf,
    Html,
    Csv,
    Json,
    Ocsf,
    Sarif
};

/// `pdf`, `html`, `csv`, `json`, `ocsf`, `sarif`.
std::string_view toString(ReportFormat f);
std::optional<ReportFormat> reportFormatFromString(std::string_view s);
/// The usual file extension, without dot (`ocsf` and `sarif` export `.ocsf.json` and
/// `.sarif`).
std::string_view fileExtension(ReportFormat f);

/// A paginated A4 PDF: every page has a header with the title, the time window and the
/// chain head, and a footer `Page X of Y`; charts are vector bars; table columns are sized
/// from their content and text breaks at spaces, then after `. _ / - : ,` (textwrap.h);
/// tables repeat their header after a page break; a heading never ends a page (it moves
/// on with the first lines or rows of what follows). Deterministic for a given document.
std::string renderPdf(const ReportDocument& doc);

struct HtmlOptions
{
    /// Inline SVG charts (the file format). Off: charts as HTML tables of bars, for
    /// viewers without SVG (the desktop preview's QTextBrowser).
    bool svgCharts = true;
};

/// A self-contained HTML5 page: inline CSS and SVG, no scripts and no external resources
/// (a Content-Security-Policy forbids them), every text HTML-escaped.
std::string renderHtml(const ReportDocument& doc, const HtmlOptions& options = {});

/// RFC 4180 CSV (CRLF line ends). One header `section,table,row,c1..cN`; each table (the
/// report metadata first, then every table and chart of every section) contributes a row 0
/// with its column titles and one record per row, padded to N cells. Every cell goes
/// through the project's one CSV cell function (review/threatmatrixio.h csvCell): a value
/// starting with `=`, `+`, `-`, `@`, tab or CR gets a leading `'`, then RFC 4180 quoting.
std::string renderCsv(const ReportDocument& doc);

/// The document as JSON (indented by 2, ending in a newline): `report` (metadata) and
/// `sections` (each with `paragraphs`, `tables` with rows as objects keyed by column id,
/// numeric columns as numbers, and `charts`).
std::string renderJson(const ReportDocument& doc);

/// `&`, `<`, `>`, `"` and `'` as entities.
std::string htmlEscape(std::string_view text);

} // namespace vigil
