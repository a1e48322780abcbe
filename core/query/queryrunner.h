// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "base/result.h"
#include "query/query.h"

#include <cstdint>
#include <string>
#include <variant>
#include <vector>

namespace vigil {
class Database;
}

namespace vigil::query {

/// One value of a result row: NULL, a whole number, a real number or text.
using Cell = std::variant<std::monostate, std::int64_t, double, std::string>;

/// What a query returned. For a non-aggregate query `eventRowIds[i]` is the stored event
/// behind `rows[i]` (the views open it); an aggregate query has none.
struct QueryResult
{
    std::vector<Column> columns;
    std::vector<std::vector<Cell>> rows;
    std::vector<std::int64_t> eventRowIds;
    bool aggregate = false;
    bool truncated = false; ///< more rows matched than the query's limit
};

/// The text that stands for a stats group value holding PII or a secret.
inline constexpr std::string_view kRedactedGroup = "[REDACTED]";

struct RunOptions
{
    /// PII and secrets the scanners found in values taken from details are replaced by
    /// `[REDACTED:<rule>]` (through scan's redact(), as every display and export does); a
    /// stats group value of details that holds any in one of its events is kRedactedGroup.
    bool redact = true;
};

/// Runs a compiled query on `db` (a reader connection; the statement only reads), binding
/// every parameter. Errors of SQLite come back as `query.run` with its message. The caller
/// owns the connection's thread.
Result<QueryResult> runQuery(Database& db, const CompiledQuery& query, const RunOptions& options = {});

/// Compiles and runs `text`; a compile error becomes its QueryError's code and message.
Result<QueryResult> runQueryText(Database& db, std::string_view text, const RunOptions& options = {});

/// How `cell` of a column of `kind` reads: times as RFC 3339, severities by name, NULL
/// as an empty string, numbers in decimal.
std::string cellText(ValueKind kind, const Cell& cell);

} // namespace vigil::query
