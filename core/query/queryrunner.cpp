// SPDX-License-Identifier: Apache-2.0
#include "query/queryrunner.h"

#include "base/timeutil.h"
#include "ingest/auditevent.h"
#include "scan/finding.h"
#include "store/database.h"

#include <sqlite3.h>

#include "base/jsonlimits.h"
#include "scan/scanner.h"
#include "store/schema.h"

#include <nlohmann/json.hpp>

#include <cstdio>

namespace vigil::query {

namespace {

/// The PII and secret findings of event `rowId`, with their spans.
Result<std::vector<Finding>> sensitiveFindings(Database& db, std::int64_t rowId)
{
    auto st = SqlStatement::prepare(db, "SELECT rule, category, field, span_start, span_end FROM findings "
                                        "WHERE event_rowid = ?1 AND category IN ('pii', 'secret')");
    if (!st)
        return std::unexpected(st.error());
    st->bind(1, rowId);
    std::vector<Finding> out;
    for (;;) {
        auto row = st->step();
        if (!row)
            return std::unexpected(row.error());
        if (!*row)
            return out;
        Finding f;
        f.rule = st->columnText(0);
        f.category = st->columnText(1);
        f.field = st->columnText(2);
        f.start = st->columnIsNull(3) ? -1 : static_cast<int>(st->columnInt(3));
        f.end = st->columnIsNull(4) ? -1 : static_cast<int>(st->columnInt(4));
        out.push_back(std::move(f));
    }
}

/// Redacts every string of `j`, `path` being its own path (`details.filters[0]`).
void redactTree(nlohmann::ordered_json& j, const std::string& path, const std::vector<Finding>& findings)
{
    if (j.is_object()) {
        for (auto it = j.begin(); it != j.end(); ++it)
            redactTree(it.value(), path + "." + it.key(), findings);
    } else if (j.is_array()) {
        for (std::size_t i = 0; i < j.size(); ++i)
            redactTree(j[i], path + "[" + std::to_string(i) + "]", findings);
    } else if (j.is_string()) {
        j = redact(j.get_ref<const std::string&>(), path, findings);
    }
}

/// `cell`, the value at `path` of an event's details, without the spans of `findings`.
void redactCell(Cell& cell, const std::string& path, const std::vector<Finding>& findings)
{
    auto* text = std::get_if<std::string>(&cell);
    if (!text)
        return;
    // The whole details, or an object or array json_extract() returned as JSON text.
    const bool json = path == "details" || ((text->starts_with('{') || text->starts_with('[')) &&
                                            withinJsonLimits(*text));
    if (json) {
        auto j = nlohmann::ordered_json::parse(*text, nullptr, false); // keeps the stored key order
        if (!j.is_discarded() && (j.is_object() || j.is_array())) {
            redactTree(j, path, findings);
            *text = j.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
            return;
        }
    }
    *text = redact(*text, path, findings);
}

} // namespace

Result<QueryResult> runQuery(Database& db, const CompiledQuery& query, const RunOptions& options)
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
    const int first = query.aggregate ? 0 : 2; // a row of events starts with id and mask
    const int n = static_cast<int>(query.columns.size());
    const std::uint32_t sensitiveBits =
        (1u << findingCategoryBit("pii")) | (1u << findingCategoryBit("secret"));
    bool fromDetails = false;
    for (const Column& c : query.columns)
        fromDetails = fromDetails || !c.detailsPath.empty();
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
        if (options.redact && fromDetails) {
            if (query.aggregate) {
                for (std::size_t c = 0; c < query.columns.size(); ++c)
                    if (const int flag = query.columns[c].sensitiveFlag; flag >= 0 && st->columnInt(flag) != 0)
                        cells[c] = std::string(kRedactedGroup);
            } else if ((static_cast<std::uint32_t>(st->columnInt(1)) & sensitiveBits) != 0) {
                auto findings = sensitiveFindings(db, out.eventRowIds.back());
                if (!findings)
                    return fail("query.run", "the query failed: " + findings.error().message);
                for (std::size_t c = 0; c < query.columns.size(); ++c)
                    if (!query.columns[c].detailsPath.empty())
                        redactCell(cells[c], query.columns[c].detailsPath, *findings);
            }
        }
        out.rows.push_back(std::move(cells));
    }
    return out;
}

Result<QueryResult> runQueryText(Database& db, std::string_view text, const RunOptions& options)
{
    auto q = compileQuery(text);
    if (!q)
        return std::unexpected(q.error().toError());
    return runQuery(db, *q, options);
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
