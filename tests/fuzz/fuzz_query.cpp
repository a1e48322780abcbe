// SPDX-License-Identifier: Apache-2.0
// The query compiler (core/query/query.h): any text either fails with a `query.*` error whose
// position lies inside the text, or compiles to one statement that SQLite prepares against the
// real schema, only reads, has exactly the parameters the compiler bound, and runs. The SQL
// never holds a quote, a comment or a statement separator beyond the compiler's own fixed
// literals, whatever the text held: nothing typed is spliced into it.
//
// Input: the query text. A compile takes microseconds, so a run tries many (Runs: below).

// Links: vigil_query
// Runs: 600000

#include "fuzzsupport.h"

#include "query/query.h"
#include "store/schema.h"

#include <sqlite3.h>

namespace {

using vigil::fuzz::check;

/// An in-memory database with the whole schema, made once.
sqlite3* schemaDb()
{
    static sqlite3* db = [] {
        sqlite3* d = nullptr;
        check(sqlite3_open(":memory:", &d) == SQLITE_OK, "open :memory:");
        for (const std::string& step : vigil::schemaMigrations())
            check(sqlite3_exec(d, step.c_str(), nullptr, nullptr, nullptr) == SQLITE_OK, "schema",
                  sqlite3_errmsg(d));
        return d;
    }();
    return db;
}

std::size_t chars(std::string_view s)
{
    std::size_t n = 0;
    for (char c : s)
        if ((static_cast<unsigned char>(c) & 0xC0) != 0x80)
            ++n;
    return n;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    auto q = vigil::query::compileQuery(text);
    if (!q) {
        const auto& e = q.error();
        check(e.code.starts_with("query."), "error code", e.code);
        check(!e.message.empty(), "error message");
        check(e.offset <= text.size(), "error offset inside the text", e.message);
        check(e.length >= 1, "error length", e.message);
        if (e.code != "query.too_long" && e.message != "the query is not valid UTF-8") {
            check(e.column >= 1 && static_cast<std::size_t>(e.column) <= chars(text) + 1, "error column",
                  e.message);
            check(static_cast<std::size_t>(e.column) == chars(text.substr(0, e.offset)) + 1,
                  "column and offset name the same place", e.message);
            check(e.message.find("at column " + std::to_string(e.column)) != std::string::npos,
                  "the message names the column", e.message);
        }
        return 0;
    }
    check(q->limit >= 1 && q->limit <= vigil::query::kMaxLimit, "limit within bounds");
    check(!q->columns.empty(), "columns");

    // Only the compiler's own literals may quote anything.
    std::string sql = q->sql;
    for (const char* fixed : {"'rejected'", "'pii'", "'secret'", "'.'", "'['", "''"})
        for (std::size_t at; (at = sql.find(fixed)) != std::string::npos;)
            sql.erase(at, std::string_view(fixed).size());
    for (const char* bad : {"'", "\"", ";", "--", "/*", "`", "\\"})
        check(sql.find(bad) == std::string::npos, "SQL holds only the compiler's own text", q->sql);

    sqlite3* db = schemaDb();
    sqlite3_stmt* st = nullptr;
    const char* tail = nullptr;
    check(sqlite3_prepare_v2(db, q->sql.c_str(), static_cast<int>(q->sql.size()), &st, &tail) == SQLITE_OK,
          "the SQL prepares", std::string(sqlite3_errmsg(db)) + ": " + q->sql);
    check(tail && *tail == '\0', "one statement", q->sql);
    check(sqlite3_stmt_readonly(st) != 0, "the statement only reads", q->sql);
    check(sqlite3_bind_parameter_count(st) == static_cast<int>(q->params.size()), "every parameter bound",
          q->sql);
    for (std::size_t i = 0; i < q->params.size(); ++i) {
        const int index = static_cast<int>(i) + 1;
        if (const auto* n = std::get_if<std::int64_t>(&q->params[i]))
            sqlite3_bind_int64(st, index, *n);
        else if (const auto* d = std::get_if<double>(&q->params[i]))
            sqlite3_bind_double(st, index, *d);
        else {
            const auto& s = std::get<std::string>(q->params[i]);
            sqlite3_bind_text(st, index, s.data(), static_cast<int>(s.size()), SQLITE_STATIC);
        }
    }
    int rc = SQLITE_ROW;
    for (int i = 0; i < 4 && rc == SQLITE_ROW; ++i)
        rc = sqlite3_step(st);
    check(rc == SQLITE_ROW || rc == SQLITE_DONE, "the statement runs", sqlite3_errmsg(db));
    sqlite3_finalize(st);
    return 0;
}
