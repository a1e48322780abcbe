// SPDX-License-Identifier: Apache-2.0
#pragma once

// Small pieces the store's read queries share: running a statement row by row, a WHERE
// clause built from optional filters with every value bound, and the user's search text
// turned into an FTS5 query that cannot be FTS5 syntax.

#include "base/result.h"
#include "store/database.h"

#include <cstdint>
#include <deque>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace vigil {

/// Runs `st` to the end, calling `row(st)` for each result row; the first SQLite error
/// stops it and is returned.
template <typename F> Result<void> eachRow(SqlStatement& st, F row)
{
    for (;;) {
        auto r = st.step();
        if (!r)
            return std::unexpected(r.error());
        if (!*r)
            return {};
        row(static_cast<const SqlStatement&>(st));
    }
}

/// A WHERE clause built from optional filters: each clause joins with AND and carries its
/// `?` parameters, which bind() binds in order. Every user value is a parameter, never SQL.
/// Texts are kept in a deque so that SQLITE_STATIC bindings stay valid while the statement
/// runs; keep the SqlWhere alive as long as the statement.
class SqlWhere
{
public:
    /// " WHERE a AND b", or "" when no clause was added.
    const std::string& sql() const { return m_sql; }

    /// A clause without parameters.
    void add(std::string_view clause);
    /// A clause with one `?` for `value`.
    void text(std::string_view clause, std::string value);
    void integer(std::string_view clause, std::int64_t value);
    /// `column IN (?, ?, ...)` over `values`; nothing when `values` is empty.
    void textIn(std::string_view column, const std::vector<std::string>& values);

    /// Binds the parameters from index 1; returns the next free index.
    int bind(SqlStatement& st) const;

private:
    std::string m_sql;
    std::deque<std::string> m_texts;
    std::vector<std::variant<std::int64_t, const std::string*>> m_values;
};

/// The user's search text as an FTS5 query in which every term (split at Unicode white
/// space) is a quoted prefix string: quotes are doubled, so no input can become FTS5
/// syntax (operators, columns, NEAR). Empty when the text has no term.
std::string ftsQuery(std::string_view text);

} // namespace vigil
