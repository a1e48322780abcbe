// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "base/result.h"
#include "review/threatmatrix.h"

#include <string>
#include <string_view>
#include <vector>

namespace vigil {

// Threat matrices as files: CSV (RFC 4180), Markdown table and JSON. Exports are pure
// functions of the matrix; imports refuse a whole file on the first structural fault and
// report up to five row problems at once, each with its line and column, in one line
// (error code `review.bad_import`). Every function is thread-safe.

/// One CSV cell: guarded against formula injection, then quoted per RFC 4180 when it holds
/// `,`, `"`, CR or LF. A value starting with `=`, `+`, `-`, `@`, tab or CR gets a `'`
/// prefix, and so does a value of `'`s followed by one of those characters, so that
/// csvUnguard() restores every value exactly.
std::string csvCell(std::string_view value);
/// Removes the prefix csvCell() added: one `'` when the `'`s are followed by `=`, `+`, `-`,
/// `@`, tab or CR.
std::string csvUnguard(std::string_view cell);
/// Cells joined by `,` and ended by CRLF.
std::string csvRow(const std::vector<std::string>& cells);

/// One parsed CSV cell with where it starts (1-based line; 1-based column = cell index).
struct CsvCell
{
    std::string value;
    int line = 0;
    int column = 0;
};

/// Parses RFC 4180 text (CRLF or LF line ends, a leading UTF-8 BOM skipped, empty lines
/// skipped). Refuses an unterminated quote, text after a closing quote and a quote inside
/// an unquoted cell, naming line and column. Values are returned as written (no unguard).
Result<std::vector<std::vector<CsvCell>>> parseCsv(std::string_view text);

/// A Markdown table cell: `\` -> `\\`, `|` -> `\|`, a line break -> `<br>`, a literal
/// `<br>` -> `\<br>`.
std::string markdownCell(std::string_view value);
/// `| a | b |` ended by LF.
std::string markdownRow(const std::vector<std::string>& cells);
/// The `|---|---|` row for `columns` columns, ended by LF.
std::string markdownDelimiterRow(std::size_t columns);

/// Columns `layer,component,threat,severity,mitigation,status,owner,links,description`;
/// links joined by `;`.
std::string exportMatrixCsv(const ThreatMatrix& matrix);
/// A GitHub-flavoured Markdown table with the seed's headings
/// (`| Layer | Component | Threat | Sev | Mitigation | Status | Owner | Links | Description |`).
std::string exportMatrixMarkdown(const ThreatMatrix& matrix);
/// `{"name", "component", "template", "rows": [{layer, component, threat, severity,
/// mitigation, status, owner, links: [...], description}]}`, indented by 2.
std::string exportMatrixJson(const ThreatMatrix& matrix);

/// Largest file an import reads (bytes); a JSON import is also refused when nested deeper than
/// 64 levels. Both are checked before the text is parsed.
inline constexpr std::size_t kMaxMatrixImportBytes = 16 * 1024 * 1024;

/// Reads rows from CSV with a header naming the columns (any order, case-insensitive,
/// `sev` for severity). `layer`, `component`, `threat` and `severity` are required; an
/// unknown or repeated column is refused. Every row must pass validateRow().
Result<ThreatMatrix> importMatrixCsv(std::string_view text, std::string name);
/// Reads the first Markdown table in `text` (lines before it are skipped; the table ends
/// at the first line not starting with `|`). Same columns and checks as CSV. Cells are
/// trimmed, so spaces around a value are not kept.
Result<ThreatMatrix> importMatrixMarkdown(std::string_view text, std::string name);
/// Reads exportMatrixJson() output; errors name the JSON path (`rows[2].severity`).
Result<ThreatMatrix> importMatrixJson(std::string_view text);

} // namespace vigil
