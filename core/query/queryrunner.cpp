// SPDX-License-Identifier: Apache-2.0
#include "query/queryrunner.h"

#include "base/timeutil.h"
#include "ingest/auditevent.h"
#include "scan/finding.h"
#include "store/database.h"

#include <sqlite3.h>

#include <cstdio>

namespace vigil::query {

Result<QueryResult> runQuery(Database& db, const CompiledQuery& query)
{
    auto st = SqlStatement::prepare(db, query.sql);
    if (!st)
        return fail("query.run", "the query could not be prepared: " + st.error().message);
    for (std::size_t i = 0; i < query.params.size(); ++i) {
        const int index = static_cast<int>(i) + 1;
        if (const auto* n = std::get_if<std::int64_t>(&query.params[i]))
            st->bind(index, *n);
        else if (const auto* d = std::get_if<double>(&query.params[i]))
            st->bind(index, *d);
        else
            // The parameter's string lives in `query` until the statement is done.
            st->bindText(index, std::get<std::string>(query.params[i]));
    }
    QueryResult out;
    out.columns = query.columns;
    out.aggregate = query.aggregate;
    const int first = query.aggregate ? 0 : 1; // a row of events starts with the row id
    const int n = static_cast<int>(query.columns.size());
    for (;;) {
        auto row = st->step();
        if (!row)
            return fail("query.run", "the query failed: " + row.error().message);
        if (!*row)
            break;
        if (static_cast<int>(out.rows.size()) >= query.limit) {
            out.truncated = true;
            break;
        }
        if (!query.aggregate)
            out.eventRowIds.push_back(st->columnInt(0));
        std::vector<Cell> cells;
        cells.reserve(static_cast<std::size_t>(n));
        for (int c = first; c < first + n; ++c) {
            switch (sqlite3_column_type(st->handle(), c)) {
            case SQLITE_NULL: cells.emplace_back(std::monostate{}); break;
            case SQLITE_INTEGER: cells.emplace_back(st->columnInt(c)); break;
            case SQLITE_FLOAT: cells.emplace_back(st->columnDouble(c)); break;
            default: cells.emplace_back(st->columnText(c)); break;
            }
        }
        out.rows.push_back(std::move(cells));
    }
    return out;
}

Result<QueryResult> runQueryText(Database& db, std::string_view text)
{
    auto q = compileQuery(text);
    if (!q)
        return std::unexpected(q.error().toError());
    return runQuery(db, *q);
}

std::string cellText(ValueKind kind, const Cell& cell)
{
    if (std::holds_alternative<std::monostate>(cell))
        return {};
    if (const auto* s = std::get_if<std::string>(&cell))
        return *s;
    if (const auto* d = std::get_if<double>(&cell)) {
        char buf[32];
        std::snprintf(buf, sizeof buf, "%.15g", *d);
        return buf;
    }
    const std::int64_t v = std::get<std::int64_t>(cell);
    switch (kind) {
    case ValueKind::Timestamp: return formatRfc3339Utc(v);
    case ValueKind::EventSeverity:
        if (v >= 0 && v <= 3)
            return std::string(toString(static_cast<EventSeverity>(v)));
        break;
    case ValueKind::FindingSeverity:
        if (v >= 0 && v <= 3)
            return std::string(toString(static_cast<FindingSeverity>(v)));
        break;
    default: break;
    }
    return std::to_string(v);
}

} // namespace vigil::query
