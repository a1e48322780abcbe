// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "base/result.h"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

struct sqlite3;
struct sqlite3_stmt;

namespace vigil {

/// The schema version this build writes. A database with a higher `user_version` was
/// written by a newer Vigil and is refused rather than misread.
inline constexpr int kSchemaVersion = 9;

/// How a writer connection commits.
struct WriterOpenOptions
{
    /// `synchronous=FULL`: a commit (and so an acknowledgement) survives power loss, not
    /// only a crash of the process, at the cost of an fsync per transaction. The default,
    /// `synchronous=NORMAL` in WAL mode, survives a crash of Vigil or of any process but can
    /// lose the last transactions when the machine loses power.
    bool durable = false;
};

/// The error codes that name a passing condition of the storage (disk full, I/O error, a
/// lock held by another process, out of memory): the same write may succeed later.
inline bool isTransientStoreError(const Error& e)
{
    return e.code == "store.full" || e.code == "store.io" || e.code == "store.busy" ||
           e.code == "store.nomem";
}

/// Creates `path` and its missing parents with mode 0700 (owner only); an existing
/// directory is left as it is.
Result<void> createPrivateDirectory(const std::string& path);

/// One SQLite connection. Owned by exactly one thread at a time; not thread-safe.
/// `openWriter` creates the file if needed (mode 0600), switches it to WAL and applies
/// migrations; it refuses a database on a read-only filesystem. `openReader` opens an
/// existing database read-only (it never migrates); on read-only media it opens a closed
/// database as immutable and refuses one whose unmerged -wal it could not read there.
class Database
{
public:
    static Result<Database> openWriter(const std::string& path,
                                       const WriterOpenOptions& options = {});
    static Result<Database> openReader(const std::string& path);

    Database(Database&& other) noexcept;
    Database& operator=(Database&& other) noexcept;
    Database(const Database&) = delete;
    Database& operator=(const Database&) = delete;
    ~Database();

    sqlite3* handle() const { return m_db; }
    const std::string& path() const { return m_path; }

    /// Runs one or more statements without results. Errors carry SQLite's message.
    Result<void> exec(std::string_view sql);

    /// The schema version found in the file (0 for a new file).
    int userVersion() const;

private:
    Database(sqlite3* db, std::string path) : m_db(db), m_path(std::move(path)) {}
    static Result<Database> openReadOnly(const std::string& name, const std::string& path,
                                         int flags);
    Result<void> migrate();

    sqlite3* m_db = nullptr;
    std::string m_path;
};

/// A prepared statement, finalized on destruction. Binding helpers take 1-based indexes.
class SqlStatement
{
public:
    SqlStatement() = default;
    static Result<SqlStatement> prepare(const Database& db, std::string_view sql);
    SqlStatement(SqlStatement&& other) noexcept;
    SqlStatement& operator=(SqlStatement&& other) noexcept;
    SqlStatement(const SqlStatement&) = delete;
    SqlStatement& operator=(const SqlStatement&) = delete;
    ~SqlStatement();

    SqlStatement& bind(int index, std::int64_t value);
    SqlStatement& bind(int index, int value) { return bind(index, static_cast<std::int64_t>(value)); }
    SqlStatement& bind(int index, double value);
    /// Binds text that must stay alive until the statement is reset (SQLITE_STATIC).
    SqlStatement& bindText(int index, std::string_view value);
    /// Binds text, or NULL when `value` is empty.
    SqlStatement& bindTextOrNull(int index, std::string_view value);
    SqlStatement& bindBlob(int index, const void* data, int size);
    SqlStatement& bindNull(int index);

    /// Steps once: true when a row is available, false when done. Errors become values.
    Result<bool> step();
    /// Steps until done, for statements without rows.
    Result<void> run();
    void reset();

    std::int64_t columnInt(int col) const;
    double columnDouble(int col) const;
    std::string columnText(int col) const;
    std::string_view columnTextView(int col) const;
    bool columnIsNull(int col) const;

    sqlite3_stmt* handle() const { return m_stmt; }

private:
    explicit SqlStatement(sqlite3_stmt* s, sqlite3* db) : m_stmt(s), m_db(db) {}
    sqlite3_stmt* m_stmt = nullptr;
    sqlite3* m_db = nullptr;
};

/// The integer in the first column of the first row `sql` yields (0 for no row).
Result<std::int64_t> queryInt(Database& db, const char* sql);
/// Whether `table` exists: a database of an older schema, read without migrating, lacks
/// the tables later migrations add, and its readers treat them as empty.
Result<bool> hasTable(Database& db, std::string_view table);

/// The value stored under `key` in the meta table, or nullopt when there is none.
Result<std::optional<std::string>> readMeta(Database& db, std::string_view key);
/// Stores `value` under `key` in the meta table, replacing what was there.
Result<void> writeMeta(Database& db, std::string_view key, std::string_view value);

} // namespace vigil
