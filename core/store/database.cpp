// SPDX-License-Identifier: Apache-2.0
#include "store/database.h"

#include "store/recordseal.h"
#include "store/schema.h"
#include "store/suppression.h"

#include <fcntl.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <utility>

namespace vigil {
namespace {

/// The Error code for SQLite's primary result code: the ones a caller can act on (retry
/// after freeing space, wait for a lock) get their own code.
std::string sqliteCode(int rc)
{
    switch (rc & 0xff) {
    case SQLITE_FULL:
        return "store.full";
    case SQLITE_IOERR:
        return "store.io";
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
        return "store.busy";
    case SQLITE_NOMEM:
        return "store.nomem";
    case SQLITE_READONLY:
        return "store.read_only";
    default:
        return "store.sqlite";
    }
}

Error sqliteError(sqlite3* db, std::string_view what)
{
    if (!db)
        return Error{"store.nomem", std::string(what) + ": out of memory"};
    return Error{sqliteCode(sqlite3_extended_errcode(db)),
                 std::string(what) + ": " + sqlite3_errmsg(db)};
}

bool onReadOnlyFilesystem(const std::string& path)
{
    struct statvfs vfs
    {
    };
    return ::statvfs(path.c_str(), &vfs) == 0 && (vfs.f_flag & ST_RDONLY) != 0;
}

bool hasSqliteHeader(const std::string& path)
{
    std::ifstream in(path, std::ios::binary);
    char head[16] = {};
    in.read(head, sizeof head);
    return in.gcount() == 16 && std::memcmp(head, "SQLite format 3", 16) == 0;
}

/// `path` as an SQLite URI filename with the given query (the characters a URI path
/// gives meaning to are percent-encoded).
std::string sqliteUri(const std::string& path, std::string_view query)
{
    std::string uri = "file:";
    for (char c : path) {
        if (c == '?' || c == '#' || c == '%') {
            char buf[4];
            std::snprintf(buf, sizeof buf, "%%%02X", static_cast<unsigned char>(c));
            uri += buf;
        } else {
            uri += c;
        }
    }
    uri += '?';
    uri += query;
    return uri;
}

/// Creates an empty database file readable by its owner only, so the events (and the PII
/// they may hold) are never world-readable, whatever the umask. SQLite gives the -wal
/// and -shm files it creates later the main file's permissions. An existing file is left
/// as it is.
Result<void> createPrivateFile(const std::string& path)
{
    const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd < 0) {
        if (errno == EEXIST)
            return {};
        if (errno == EROFS)
            return fail("store.read_only", "cannot create database " + path +
                                               ": the filesystem is read-only");
        return fail("store.open", "cannot create database " + path + ": " + std::strerror(errno));
    }
    ::fchmod(fd, 0600); // O_CREAT's mode is masked by the umask only towards stricter
    ::close(fd);
    return {};
}

} // namespace

Result<void> createPrivateDirectory(const std::string& path)
{
    std::error_code ec;
    if (std::filesystem::is_directory(path, ec))
        return {};
    std::filesystem::path p(path);
    if (p.has_parent_path() && p.parent_path() != p)
        if (auto r = createPrivateDirectory(p.parent_path().string()); !r)
            return r;
    if (::mkdir(path.c_str(), 0700) != 0 && errno != EEXIST)
        return fail("store.no_directory",
                    "cannot create directory " + path + ": " + std::strerror(errno));
    return {};
}

Result<Database> Database::openWriter(const std::string& path, const WriterOpenOptions& options)
{
    const std::filesystem::path p(path);
    if (p.has_parent_path() && !std::filesystem::is_directory(p.parent_path()))
        return fail("store.no_directory", "cannot create database " + path +
                                              ": directory does not exist");
    if (onReadOnlyFilesystem(p.has_parent_path() ? p.parent_path().string() : "."))
        return fail("store.read_only",
                    "database " + path + " is on a read-only filesystem; verify, stats and "
                    "report open it read-only, anything that writes needs a writable copy");
    if (auto r = createPrivateFile(path); !r)
        return std::unexpected(r.error());
    sqlite3* db = nullptr;
    const int rc = sqlite3_open_v2(path.c_str(), &db,
                                   SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
                                       SQLITE_OPEN_NOMUTEX,
                                   nullptr);
    if (rc != SQLITE_OK) {
        Error e{"store.open", "cannot open database " + path + ": " +
                                  (db ? sqlite3_errmsg(db) : sqlite3_errstr(rc))};
        sqlite3_close(db);
        return std::unexpected(e);
    }
    Database d(db, path);
    sqlite3_busy_timeout(db, 5000);
    registerSuppressionFunctions(db);
    // Probe that the file is writable and a database before touching its schema.
    if (auto r = d.exec("PRAGMA journal_mode=WAL"); !r) {
        if (sqlite3_errcode(db) == SQLITE_NOTADB)
            return fail("store.not_a_database", path + " is not a Vigil database (not SQLite)");
        if (sqlite3_errcode(db) == SQLITE_READONLY || sqlite3_errcode(db) == SQLITE_CANTOPEN)
            return fail("store.read_only", "database " + path + " is not writable");
        return std::unexpected(r.error());
    }
    const std::string sync = options.durable ? "FULL" : "NORMAL";
    if (auto r = d.exec("PRAGMA synchronous=" + sync + "; PRAGMA foreign_keys=ON; "
                        "PRAGMA cache_size=-49152; PRAGMA temp_store=MEMORY; "
                        // A checkpoint every ~40 MB of WAL rather than SQLite's 4 MB: index
                        // pages that many transactions touch are copied back once, not each
                        // time (measured: 16.4 s -> 12.6 s for a 1M-event import).
                        "PRAGMA wal_autocheckpoint=10000;");
        !r)
        return std::unexpected(r.error());
    if (auto r = d.migrate(); !r)
        return std::unexpected(r.error());
    return d;
}

Result<Database> Database::openReader(const std::string& path)
{
    if (!std::filesystem::exists(path))
        return fail("store.missing", "database " + path + " does not exist");
    auto opened = openReadOnly(path, path, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX);
    if (!opened)
        return std::unexpected(opened.error());
    Database d = std::move(*opened);
    int version = d.userVersion();
    if (version < 0 && hasSqliteHeader(path) && onReadOnlyFilesystem(path)) {
        // SQLite cannot read a WAL database on read-only media without a -shm file it can
        // write. Archived copies (a database Vigil closed has no -wal) are read as immutable.
        // A non-empty -wal beside it would be ignored that way, silently hiding its events.
        std::error_code ec;
        const auto walBytes = std::filesystem::file_size(path + "-wal", ec);
        if (!ec && walBytes > 0)
            return fail("store.read_only_wal",
                        "database " + path + " is on read-only media with an unmerged "
                        "write-ahead log (" + path + "-wal, " + std::to_string(walBytes) +
                        " bytes) that SQLite cannot read there; copy the database with its "
                        "-wal and -shm files to writable storage and open the copy");
        auto immutable = openReadOnly(sqliteUri(path, "immutable=1"), path,
                                      SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_URI);
        if (!immutable)
            return std::unexpected(immutable.error());
        d = std::move(*immutable);
        version = d.userVersion();
    }
    if (version < 0)
        return fail("store.not_a_database", path + " is not a Vigil database (not SQLite)");
    if (version > kSchemaVersion)
        return fail("store.newer_schema",
                    "database " + path + " was written by a newer Vigil (schema " +
                        std::to_string(version) + ", this build reads up to " +
                        std::to_string(kSchemaVersion) + ")");
    if (version == 0)
        return fail("store.empty", path + " is not a Vigil database (no schema)");
    (void)d.exec("PRAGMA cache_size=-16384; PRAGMA temp_store=MEMORY;");
    return d;
}

Result<Database> Database::openReadOnly(const std::string& name, const std::string& path, int flags)
{
    sqlite3* db = nullptr;
    const int rc = sqlite3_open_v2(name.c_str(), &db, flags, nullptr);
    if (rc != SQLITE_OK) {
        Error e{"store.open", "cannot open database " + path + ": " +
                                  (db ? sqlite3_errmsg(db) : sqlite3_errstr(rc))};
        sqlite3_close(db);
        return std::unexpected(e);
    }
    sqlite3_busy_timeout(db, 5000);
    registerSuppressionFunctions(db);
    return Database(db, path);
}

Database::Database(Database&& o) noexcept
    : m_db(std::exchange(o.m_db, nullptr)), m_path(std::move(o.m_path))
{
}

Database& Database::operator=(Database&& o) noexcept
{
    if (this != &o) {
        sqlite3_close_v2(m_db);
        m_db = std::exchange(o.m_db, nullptr);
        m_path = std::move(o.m_path);
    }
    return *this;
}

Database::~Database()
{
    sqlite3_close_v2(m_db);
}

Result<void> Database::exec(std::string_view sql)
{
    char* msg = nullptr;
    const std::string s(sql);
    if (const int rc = sqlite3_exec(m_db, s.c_str(), nullptr, nullptr, &msg); rc != SQLITE_OK) {
        Error e{sqliteCode(sqlite3_extended_errcode(m_db)), msg ? msg : sqlite3_errstr(rc)};
        sqlite3_free(msg);
        return std::unexpected(e);
    }
    return {};
}

int Database::userVersion() const
{
    sqlite3_stmt* st = nullptr;
    if (sqlite3_prepare_v2(m_db, "PRAGMA user_version", -1, &st, nullptr) != SQLITE_OK)
        return -1;
    int v = -1;
    if (sqlite3_step(st) == SQLITE_ROW)
        v = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    return v;
}

Result<void> Database::migrate()
{
    const int version = userVersion();
    if (version < 0)
        return fail("store.not_a_database", m_path + " is not a Vigil database (not SQLite)");
    if (version > kSchemaVersion)
        return fail("store.newer_schema",
                    "database " + m_path + " was written by a newer Vigil (schema " +
                        std::to_string(version) + ", this build writes " +
                        std::to_string(kSchemaVersion) + "); upgrade Vigil to open it");
    const auto& steps = schemaMigrations();
    for (int v = version; v < kSchemaVersion; ++v) {
        if (auto r = exec("BEGIN IMMEDIATE"); !r)
            return r;
        auto r = exec(steps[static_cast<std::size_t>(v)]);
        if (r && v + 1 == 7) {
            // The new seals cover the rows stored so far, in the same transaction, so that a
            // crash cannot leave a schema-7 database with unsealed rows.
            if (auto s = sealRecordsAfterMigration(*this); !s) {
                (void)exec("ROLLBACK");
                return std::unexpected(s.error());
            }
        }
        if (r)
            r = exec("PRAGMA user_version=" + std::to_string(v + 1));
        if (!r) {
            (void)exec("ROLLBACK");
            return fail("store.migration", "migrating " + m_path + " to schema " +
                                               std::to_string(v + 1) + " failed: " +
                                               r.error().message);
        }
        if (auto c = exec("COMMIT"); !c)
            return c;
    }
    return {};
}

Result<SqlStatement> SqlStatement::prepare(const Database& db, std::string_view sql)
{
    sqlite3_stmt* st = nullptr;
    if (sqlite3_prepare_v3(db.handle(), sql.data(), static_cast<int>(sql.size()),
                           SQLITE_PREPARE_PERSISTENT, &st, nullptr) != SQLITE_OK)
        return std::unexpected(sqliteError(db.handle(), "preparing statement"));
    return SqlStatement(st, db.handle());
}

SqlStatement::SqlStatement(SqlStatement&& o) noexcept
    : m_stmt(std::exchange(o.m_stmt, nullptr)), m_db(o.m_db)
{
}

SqlStatement& SqlStatement::operator=(SqlStatement&& o) noexcept
{
    if (this != &o) {
        sqlite3_finalize(m_stmt);
        m_stmt = std::exchange(o.m_stmt, nullptr);
        m_db = o.m_db;
    }
    return *this;
}

SqlStatement::~SqlStatement()
{
    sqlite3_finalize(m_stmt);
}

SqlStatement& SqlStatement::bind(int i, std::int64_t v)
{
    sqlite3_bind_int64(m_stmt, i, v);
    return *this;
}

SqlStatement& SqlStatement::bind(int i, double v)
{
    sqlite3_bind_double(m_stmt, i, v);
    return *this;
}

SqlStatement& SqlStatement::bindText(int i, std::string_view v)
{
    sqlite3_bind_text(m_stmt, i, v.data(), static_cast<int>(v.size()), SQLITE_STATIC);
    return *this;
}

SqlStatement& SqlStatement::bindTextOrNull(int i, std::string_view v)
{
    if (v.empty())
        sqlite3_bind_null(m_stmt, i);
    else
        sqlite3_bind_text(m_stmt, i, v.data(), static_cast<int>(v.size()), SQLITE_STATIC);
    return *this;
}

SqlStatement& SqlStatement::bindBlob(int i, const void* data, int size)
{
    sqlite3_bind_blob(m_stmt, i, data, size, SQLITE_STATIC);
    return *this;
}

SqlStatement& SqlStatement::bindNull(int i)
{
    sqlite3_bind_null(m_stmt, i);
    return *this;
}

Result<bool> SqlStatement::step()
{
    const int rc = sqlite3_step(m_stmt);
    if (rc == SQLITE_ROW)
        return true;
    if (rc == SQLITE_DONE)
        return false;
    return std::unexpected(sqliteError(m_db, "SQLite statement failed"));
}

Result<void> SqlStatement::run()
{
    for (;;) {
        auto r = step();
        if (!r)
            return std::unexpected(r.error());
        if (!*r)
            return {};
    }
}

void SqlStatement::reset()
{
    sqlite3_reset(m_stmt);
    sqlite3_clear_bindings(m_stmt);
}

std::int64_t SqlStatement::columnInt(int c) const { return sqlite3_column_int64(m_stmt, c); }
double SqlStatement::columnDouble(int c) const { return sqlite3_column_double(m_stmt, c); }
bool SqlStatement::columnIsNull(int c) const { return sqlite3_column_type(m_stmt, c) == SQLITE_NULL; }

std::string_view SqlStatement::columnTextView(int c) const
{
    const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(m_stmt, c));
    return p ? std::string_view(p, static_cast<std::size_t>(sqlite3_column_bytes(m_stmt, c)))
             : std::string_view();
}

std::string SqlStatement::columnText(int c) const { return std::string(columnTextView(c)); }

Result<std::int64_t> queryInt(Database& db, const char* sql)
{
    auto st = SqlStatement::prepare(db, sql);
    if (!st)
        return std::unexpected(st.error());
    auto row = st->step();
    if (!row)
        return std::unexpected(row.error());
    return *row ? st->columnInt(0) : 0;
}

Result<bool> hasTable(Database& db, std::string_view table)
{
    auto st = SqlStatement::prepare(db, "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?1");
    if (!st)
        return std::unexpected(st.error());
    st->bindText(1, table);
    auto row = st->step();
    if (!row)
        return std::unexpected(row.error());
    return *row;
}

Result<std::optional<std::string>> readMeta(Database& db, std::string_view key)
{
    auto st = SqlStatement::prepare(db, "SELECT value FROM meta WHERE key=?1");
    if (!st)
        return std::unexpected(st.error());
    st->bindText(1, key);
    auto row = st->step();
    if (!row)
        return std::unexpected(row.error());
    if (!*row)
        return std::optional<std::string>{};
    return std::optional<std::string>{st->columnText(0)};
}

Result<void> writeMeta(Database& db, std::string_view key, std::string_view value)
{
    auto st = SqlStatement::prepare(db, "INSERT INTO meta(key, value) VALUES (?1, ?2) "
                                        "ON CONFLICT(key) DO UPDATE SET value=excluded.value");
    if (!st)
        return std::unexpected(st.error());
    st->bindText(1, key).bindText(2, value);
    return st->run();
}

} // namespace vigil
