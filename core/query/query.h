// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "base/result.h"

#include <cstddef>
#include <cstdint>
#include <expected>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace vigil::query {

// A small query language over stored events and findings, in the style of CloudWatch Logs
// Insights (docs/review.md, "Saved queries"):
//
//   fields @timestamp, event_type, agent_name, details
//   | filter event_type = "security_event"
//   | sort @timestamp desc
//   | limit 100
//
// A query compiles to one SQLite SELECT whose every value (strings, numbers, times, JSON
// paths) is a bind parameter; field names come from a fixed table and only that table's
// SQL is ever written into the statement. Compiling is a pure function: thread-safe.

/// Longest query text accepted, in bytes.
inline constexpr std::size_t kMaxQueryBytes = 4096;
/// Rows returned when a query has no `limit`.
inline constexpr int kDefaultLimit = 1000;
/// Largest `limit` accepted.
inline constexpr int kMaxLimit = 100000;
/// Deepest nesting of parentheses and `not` in a filter.
inline constexpr int kMaxFilterDepth = 32;
/// Most values in one `in [...]` list.
inline constexpr int kMaxInValues = 256;

/// How a column's values are stored and shown.
enum class ValueKind {
    Text,
    Integer,
    Timestamp,       ///< epoch milliseconds, shown as RFC 3339
    EventSeverity,   ///< 0 info .. 3 critical, shown by name
    FindingSeverity, ///< 0 low .. 3 critical, shown by name
    Json,            ///< a value taken out of `details` (text, number or JSON)
    Count,           ///< `count()` of stats
};

/// One output column: its name as the query wrote it (`agent_name`, `count`).
struct Column
{
    std::string name;
    ValueKind kind = ValueKind::Text;
    /// For a value taken from the event's details, its path as findings name it (`details`,
    /// `details.query`), so that a runner can redact PII and secrets in it; else empty.
    std::string detailsPath;
    /// Stats only: the result column (0-based, in the SQL row) that is 1 when an event of
    /// the group has a PII or secret finding in this column's details value; -1 when none.
    int sensitiveFlag = -1;
};

/// A bound value. Parameter i of CompiledQuery::params is SQL parameter ?(i+1).
using Param = std::variant<std::int64_t, double, std::string>;

/// A query ready to run: SQL text with numbered parameters only, the values to bind, and
/// what comes back. Rows of a non-aggregate query start with the event's row id and its
/// finding mask (columns not listed in `columns`), then one value per column; rows of stats
/// have one value per column, then the flags of Column::sensitiveFlag.
struct CompiledQuery
{
    std::string sql;
    std::vector<Param> params;
    std::vector<Column> columns;
    bool aggregate = false; ///< `stats`: rows are groups, not events
    bool findings = false;  ///< one row per finding (a `finding.*` field or `source findings`)
    int limit = kDefaultLimit;
};

/// Why a query does not compile, and where. `column` is 1-based and counts characters
/// (Unicode code points) of the query text; `offset` is the same place as a 0-based byte
/// offset. `length` is how many bytes the faulty token spans (at least 1, for a caret).
struct QueryError
{
    std::string code;    ///< query.syntax, query.unknown_field, query.unknown_command,
                         ///< query.type, query.value, query.limit, query.too_long
    std::string message; ///< names the problem and the column, with a suggestion if any
    int column = 1;
    std::size_t offset = 0;
    std::size_t length = 1;

    Error toError() const { return Error{code, message}; }
};

template <typename T>
using QueryResultOr = std::expected<T, QueryError>;

/// Compiles `text`. Refuses text over kMaxQueryBytes, invalid UTF-8, unknown commands and
/// fields (suggesting the nearest name), values of the wrong type for their field (a
/// number for `agent`, an unknown severity name, a time that is not ISO-8601), a limit
/// outside 1..kMaxLimit, nesting deeper than kMaxFilterDepth, and commands in an order
/// that has no meaning (`filter` after `stats`, `fields` with `stats`, a command twice).
QueryResultOr<CompiledQuery> compileQuery(std::string_view text);

/// The commands, for completion: `fields`, `filter`, `sort`, `limit`, `stats`, `source`.
const std::vector<std::string>& queryCommands();

/// Every field name a query may use (canonical names and the guide's aliases, such as
/// `agent_name`), for completion and documentation. `details.<key>` paths are not listed.
const std::vector<std::string>& queryFieldNames();

/// Keywords of filters and commands (`and`, `or`, `not`, `like`, `in`, `asc`, `desc`, `by`,
/// `count()`), for completion.
const std::vector<std::string>& queryKeywords();

/// Milliseconds since the epoch of an ISO-8601 time: `2026-11-21`, `2026-11-21T10:00`,
/// `2026-11-21T10:00:00`, with optional fraction and `Z` or `+HH:MM` / `-HH:MM` offset; a
/// time without an offset is UTC. nullopt for anything else.
std::optional<std::int64_t> parseIsoTime(std::string_view text);

} // namespace vigil::query
