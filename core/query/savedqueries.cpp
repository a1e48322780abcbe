// SPDX-License-Identifier: Apache-2.0
#include "query/savedqueries.h"

#include "base/embedded.h"
#include "query/query.h"
#include "store/database.h"

#include <nlohmann/json.hpp>
#include <sqlite3.h>

namespace vigil::query {

namespace {

/// Whether the table exists: a database of an older schema, read without migrating, lacks
/// it and reads as having no saved queries.
Result<bool> hasSavedTable(Database& db)
{
    return hasTable(db, "saved_queries");
}

const SavedQuery* findBuiltin(std::string_view name)
{
    for (const SavedQuery& q : builtinQueries())
        if (q.name == name)
            return &q;
    return nullptr;
}

SavedQuery rowQuery(const SqlStatement& st)
{
    SavedQuery q;
    q.name = st.columnText(0);
    q.text = st.columnText(1);
    q.author = st.columnText(2);
    q.updatedMs = st.columnInt(3);
    return q;
}

} // namespace

const std::vector<SavedQuery>& builtinQueries()
{
    static const std::vector<SavedQuery> kBuiltins = [] {
        std::vector<SavedQuery> out;
        const auto text = embeddedResource("queries/builtin.json");
        if (!text)
            return out;
        const auto j = nlohmann::json::parse(*text, nullptr, false);
        if (!j.is_object() || !j.contains("queries") || !j["queries"].is_array())
            return out;
        for (const auto& q : j["queries"]) {
            SavedQuery s;
            s.name = q.value("name", std::string());
            s.text = q.value("query", std::string());
            s.description = q.value("description", std::string());
            s.builtin = true;
            out.push_back(std::move(s));
        }
        return out;
    }();
    return kBuiltins;
}

Result<void> checkQueryName(std::string_view name)
{
    if (name.empty() || name.size() > 64)
        return fail("query.bad_name", "a query name is 1 to 64 characters long");
    for (std::size_t i = 0; i < name.size(); ++i) {
        const char c = name[i];
        const bool alnum = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
        if (!alnum && (i == 0 || (c != '.' && c != '_' && c != '-')))
            return fail("query.bad_name",
                        "query name '" + std::string(name) +
                            "' may hold only a-z, 0-9, '.', '_' and '-', and starts with a "
                            "letter or digit");
    }
    if (findBuiltin(name))
        return fail("query.builtin",
                    "'" + std::string(name) + "' is a built-in query; choose another name");
    return {};
}

Result<std::vector<SavedQuery>> listSavedQueries(Database& db)
{
    std::vector<SavedQuery> out = builtinQueries();
    auto has = hasSavedTable(db);
    if (!has)
        return std::unexpected(has.error());
    if (!*has)
        return out;
    auto st = SqlStatement::prepare(
        db, "SELECT name, query, author, updated_ms FROM saved_queries ORDER BY name");
    if (!st)
        return std::unexpected(st.error());
    for (;;) {
        auto row = st->step();
        if (!row)
            return std::unexpected(row.error());
        if (!*row)
            break;
        out.push_back(rowQuery(*st));
    }
    return out;
}

Result<std::optional<SavedQuery>> findSavedQuery(Database& db, std::string_view name)
{
    if (const SavedQuery* b = findBuiltin(name))
        return std::optional<SavedQuery>(*b);
    auto has = hasSavedTable(db);
    if (!has)
        return std::unexpected(has.error());
    if (!*has)
        return std::optional<SavedQuery>();
    auto st = SqlStatement::prepare(
        db, "SELECT name, query, author, updated_ms FROM saved_queries WHERE name = ?1");
    if (!st)
        return std::unexpected(st.error());
    st->bindText(1, name);
    auto row = st->step();
    if (!row)
        return std::unexpected(row.error());
    if (!*row)
        return std::optional<SavedQuery>();
    return std::optional<SavedQuery>(rowQuery(*st));
}

Result<void> saveQuery(Database& db, std::string_view name, std::string_view text,
                       std::string_view author, std::int64_t nowMs)
{
    if (auto ok = checkQueryName(name); !ok)
        return ok;
    if (auto compiled = compileQuery(text); !compiled)
        return std::unexpected(compiled.error().toError());
    auto count = SqlStatement::prepare(
        db, "SELECT count(*), sum(name = ?1) FROM saved_queries");
    if (!count)
        return std::unexpected(count.error());
    count->bindText(1, name);
    if (auto row = count->step(); !row)
        return std::unexpected(row.error());
    if (count->columnInt(1) == 0 &&
        count->columnInt(0) >= static_cast<std::int64_t>(kMaxSavedQueries))
        return fail("query.too_many", "the database already holds " +
                                          std::to_string(kMaxSavedQueries) +
                                          " saved queries; delete one first");
    auto st = SqlStatement::prepare(
        db, "INSERT INTO saved_queries(name, query, author, created_ms, updated_ms) "
            "VALUES (?1, ?2, ?3, ?4, ?4) ON CONFLICT(name) DO UPDATE SET "
            "query = excluded.query, author = excluded.author, updated_ms = excluded.updated_ms");
    if (!st)
        return std::unexpected(st.error());
    st->bindText(1, name).bindText(2, text).bindText(3, author).bind(4, nowMs);
    return st->run();
}

Result<void> deleteSavedQuery(Database& db, std::string_view name)
{
    if (findBuiltin(name))
        return fail("query.builtin",
                    "'" + std::string(name) + "' is a built-in query and cannot be deleted");
    auto st = SqlStatement::prepare(db, "DELETE FROM saved_queries WHERE name = ?1");
    if (!st)
        return std::unexpected(st.error());
    st->bindText(1, name);
    if (auto r = st->run(); !r)
        return r;
    if (sqlite3_changes(db.handle()) == 0)
        return fail("query.not_found", "no saved query is called '" + std::string(name) + "'");
    return {};
}

} // namespace vigil::query
