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

/// Runs a compiled query on `db` (a reader connection; the statement only reads), binding
/// every parameter. Errors of SQLite come back as `query.run` with its message. The caller
/// owns the connection's thread.
Result<QueryResult> runQuery(Database& db, const CompiledQuery& query);

/// Compiles and runs `text`; a compile error becomes its QueryError's code and message.
Result<QueryResult> runQueryText(Database& db, std::string_view text);

/// How `cell` of a column of `kind` reads: times as RFC 3339, severities by name, NULL
/// as an empty string, numbers in decimal.
std::string cellText(ValueKind kind, const Cell& cell);

} // namespace vigil::query
