// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "base/result.h"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace vigil {
class Database;
}

namespace vigil::query {

/// Most queries one database keeps (built-ins not counted).
inline constexpr std::size_t kMaxSavedQueries = 1000;

/// A named query: one of the built-ins (resources/queries/builtin.json, the same in every
/// database) or one saved in the database's `saved_queries` table (schema 8).
struct SavedQuery
{
    std::string name;
    std::string text;
    std::string description; ///< built-ins only
    bool builtin = false;
    std::string author;       ///< who saved it (the OS user); empty for built-ins
    std::int64_t updatedMs = 0;
};

/// The built-in queries, in their file's order. Each compiles (a test holds them to it).
const std::vector<SavedQuery>& builtinQueries();

/// Whether `name` can name a saved query: 1 to 64 characters of `a-z`, `0-9`, `.`, `_`,
/// `-`, starting with a letter or digit, and not a built-in's name.
Result<void> checkQueryName(std::string_view name);

/// Built-ins first, then the database's queries by name. Reads through `db` (a reader
/// connection is enough); a database of an older schema, read without migrating, has
/// only the built-ins.
Result<std::vector<SavedQuery>> listSavedQueries(Database& db);

/// The query called `name` (built-in or saved), or nullopt.
Result<std::optional<SavedQuery>> findSavedQuery(Database& db, std::string_view name);

/// Saves `text` as `name`, replacing a saved query of that name. Refuses a bad name, a
/// built-in's name, a query that does not compile (`query.*` with its column) and a
/// database already holding kMaxSavedQueries others. Run it on the store writer thread
/// (StoreWriter::run / post), which holds the transaction.
Result<void> saveQuery(Database& db, std::string_view name, std::string_view text,
                       std::string_view author, std::int64_t nowMs);

/// Deletes the saved query `name`. Refuses a built-in's name; a name not stored is
/// `query.not_found`. Run it on the store writer thread.
Result<void> deleteSavedQuery(Database& db, std::string_view name);

} // namespace vigil::query
