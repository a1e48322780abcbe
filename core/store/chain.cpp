// SPDX-License-Identifier: Apache-2.0
#include "store/chain.h"

#include "store/recordseal.h"

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <openssl/rand.h>
#include <sqlite3.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

namespace vigil {
namespace {

constexpr std::string_view kHexDigits = "0123456789abcdef";

void putBigEndian(std::string& out, std::uint64_t v, int bytes)
{
    for (int i = bytes - 1; i >= 0; --i)
        out.push_back(static_cast<char>((v >> (8 * i)) & 0xFF));
}

void putText(std::string& out, std::string_view s, bool optional)
{
    if (optional && s.empty()) {
        putBigEndian(out, 0xFFFFFFFFu, 4);
        return;
    }
    putBigEndian(out, s.size(), 4);
    out.append(s);
}

std::string hexOf(std::span<const std::uint8_t> bytes)
{
    std::string s;
    s.reserve(bytes.size() * 2);
    for (std::uint8_t b : bytes) {
        s.push_back(kHexDigits[b >> 4]);
        s.push_back(kHexDigits[b & 0xF]);
    }
    return s;
}

int hexValue(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

std::string errnoText()
{
    return std::strerror(errno);
}

Result<void> makePrivateDirectories(const std::filesystem::path& dir)
{
    std::filesystem::path current;
    for (const auto& part : dir) {
        current /= part;
        if (current.empty() || current == current.root_path())
            continue;
        if (::mkdir(current.c_str(), 0700) != 0 && errno != EEXIST)
            return fail("store.chain_key",
                        "cannot create key folder " + current.string() + ": " + errnoText());
    }
    struct stat st
    {
    };
    if (::lstat(dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode))
        return fail("store.chain_key", "key folder " + dir.string() + " is not a folder");
    return {};
}

// A missing or unreadable value reads as none; callers treat both as "not set yet".
std::optional<std::string> metaValue(Database& db, std::string_view key)
{
    auto v = readMeta(db, key);
    return v ? *v : std::nullopt;
}

Result<std::string> newUuid()
{
    std::array<std::uint8_t, 16> b{};
    if (RAND_bytes(b.data(), static_cast<int>(b.size())) != 1)
        return fail("store.chain_key", "the system random generator failed");
    b[6] = static_cast<std::uint8_t>((b[6] & 0x0F) | 0x40); // version 4
    b[8] = static_cast<std::uint8_t>((b[8] & 0x3F) | 0x80); // RFC 4122 variant
    const std::string h = hexOf(b);
    return h.substr(0, 8) + "-" + h.substr(8, 4) + "-" + h.substr(12, 4) + "-" + h.substr(16, 4) +
           "-" + h.substr(20);
}

bool isUuid(std::string_view s)
{
    if (s.size() != 36)
        return false;
    for (std::size_t i = 0; i < s.size(); ++i) {
        const bool dash = i == 8 || i == 13 || i == 18 || i == 23;
        if (dash ? s[i] != '-' : hexValue(s[i]) < 0)
            return false;
    }
    return true;
}

} // namespace

std::optional<ChainHash> columnHash(const SqlStatement& st, int col)
{
    if (st.columnIsNull(col))
        return std::nullopt;
    const void* p = sqlite3_column_blob(st.handle(), col);
    if (!p || sqlite3_column_bytes(st.handle(), col) != 32)
        return std::nullopt;
    ChainHash h;
    std::memcpy(h.data(), p, 32);
    return h;
}

std::string toHex(const ChainHash& h)
{
    return hexOf(h);
}

std::optional<ChainHash> chainHashFromHex(std::string_view hex)
{
    if (hex.size() != 64)
        return std::nullopt;
    ChainHash h;
    for (std::size_t i = 0; i < 32; ++i) {
        const int hi = hexValue(hex[2 * i]), lo = hexValue(hex[2 * i + 1]);
        if (hi < 0 || lo < 0)
            return std::nullopt;
        h[i] = static_cast<std::uint8_t>(hi << 4 | lo);
    }
    return h;
}

void appendBigEndian(std::string& out, std::uint64_t v, int bytes)
{
    putBigEndian(out, v, bytes);
}

void appendText(std::string& out, std::string_view s, bool optional)
{
    putText(out, s, optional);
}

void canonicalEvent(const CanonicalFields& f, std::string& out)
{
    out.clear();
    putBigEndian(out, static_cast<std::uint64_t>(f.timestampMs), 8);
    putText(out, f.eventType, false);
    putText(out, f.agent, false);
    putText(out, f.threadId, false);
    out.push_back(static_cast<char>(f.severity & 0xFF));
    putText(out, f.eventId, true);
    putText(out, f.userId, true);
    putText(out, f.traceId, true);
    putText(out, f.spanId, true);
    putText(out, f.details, false);
}

// ---- ChainKey ----------------------------------------------------------------------------

std::filesystem::path ChainKey::keyDirectory()
{
    const char* xdg = std::getenv("XDG_CONFIG_HOME");
    std::filesystem::path base;
    if (xdg && *xdg == '/') {
        base = xdg;
    } else {
        const char* home = std::getenv("HOME");
        base = std::filesystem::path(home && *home ? home : "/") / ".config";
    }
    return base / "vigil" / "keys";
}

std::filesystem::path ChainKey::keyPath(std::string_view dbUuid)
{
    return keyDirectory() / (std::string(dbUuid) + ".key");
}

Result<ChainKey> ChainKey::load(const std::filesystem::path& file)
{
    const int fd = ::open(file.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) {
        if (errno == ENOENT)
            return fail("store.chain_key_missing",
                        "the chain key " + file.string() + " does not exist");
        return fail("store.chain_key",
                    "cannot read the chain key " + file.string() + ": " + errnoText());
    }
    struct stat st
    {
    };
    std::string text(80, '\0');
    ssize_t n = -1;
    if (::fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && (st.st_mode & 077) == 0 &&
        st.st_uid == ::geteuid())
        n = ::read(fd, text.data(), text.size());
    ::close(fd);
    if (!S_ISREG(st.st_mode))
        return fail("store.chain_key", "the chain key " + file.string() + " is not a regular file");
    if ((st.st_mode & 077) != 0)
        return fail("store.chain_key_permissions",
                    "the chain key " + file.string() +
                        " is readable or writable by other users; refusing to use it "
                        "(chmod 600 it if it was not exposed, or treat the chain as unverifiable)");
    if (st.st_uid != ::geteuid())
        return fail("store.chain_key",
                    "the chain key " + file.string() + " belongs to another user");
    if (n < 64)
        return fail("store.chain_key", "the chain key " + file.string() + " is malformed");
    text.resize(static_cast<std::size_t>(n));
    while (!text.empty() && (text.back() == '\n' || text.back() == '\r'))
        text.pop_back();
    const auto h = chainHashFromHex(text);
    if (!h)
        return fail("store.chain_key", "the chain key " + file.string() + " is malformed");
    ChainKey k;
    k.m_key = *h;
    return k;
}

Result<ChainKey> ChainKey::create(const std::filesystem::path& file)
{
    if (auto r = makePrivateDirectories(file.parent_path()); !r)
        return std::unexpected(r.error());
    ChainKey k;
    if (RAND_bytes(k.m_key.data(), static_cast<int>(k.m_key.size())) != 1)
        return fail("store.chain_key", "the system random generator failed");
    const int fd = ::open(file.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd < 0)
        return fail("store.chain_key",
                    "cannot create the chain key " + file.string() + ": " + errnoText());
    const std::string text = hexOf(k.m_key) + "\n";
    const bool ok = ::fchmod(fd, 0600) == 0 &&
                    ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size()) &&
                    ::fsync(fd) == 0;
    ::close(fd);
    if (!ok) {
        ::unlink(file.c_str());
        return fail("store.chain_key", "cannot write the chain key " + file.string());
    }
    return k;
}

// ---- ChainHasher -------------------------------------------------------------------------

struct ChainHasher::Impl
{
    LeafHasher plain;
    EVP_MD* md = nullptr;
    EVP_MD_CTX* mdCtx = nullptr;
    EVP_MAC* mac = nullptr;
    EVP_MAC_CTX* macCtx = nullptr;

    ~Impl()
    {
        EVP_MAC_CTX_free(macCtx);
        EVP_MAC_free(mac);
        EVP_MD_CTX_free(mdCtx);
        EVP_MD_free(md);
    }

    void macBegin()
    {
        // A NULL key keeps the key set at creation: HMAC restarts from its precomputed pads.
        EVP_MAC_init(macCtx, nullptr, 0, nullptr);
    }
    void macUpdate(const void* p, std::size_t n)
    {
        EVP_MAC_update(macCtx, static_cast<const unsigned char*>(p), n);
    }
    ChainHash macEnd()
    {
        ChainHash out{};
        std::size_t len = 0;
        EVP_MAC_final(macCtx, out.data(), &len, out.size());
        return out;
    }
};

ChainHasher::ChainHasher(std::unique_ptr<Impl> impl) : d(std::move(impl)) {}
ChainHasher::ChainHasher(ChainHasher&&) noexcept = default;
ChainHasher& ChainHasher::operator=(ChainHasher&&) noexcept = default;
ChainHasher::~ChainHasher() = default;

Result<ChainHasher> ChainHasher::create(const ChainKey& key)
{
    auto impl = std::make_unique<Impl>();
    impl->md = EVP_MD_fetch(nullptr, "SHA256", nullptr);
    impl->mdCtx = EVP_MD_CTX_new();
    impl->mac = EVP_MAC_fetch(nullptr, "HMAC", nullptr);
    if (impl->mac)
        impl->macCtx = EVP_MAC_CTX_new(impl->mac);
    if (!impl->md || !impl->mdCtx || !impl->macCtx)
        return fail("store.crypto", "OpenSSL has no SHA-256 or HMAC");
    char digest[] = "SHA256";
    const OSSL_PARAM params[] = {
        OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0),
        OSSL_PARAM_construct_end(),
    };
    const auto k = key.bytes();
    if (EVP_MAC_init(impl->macCtx, k.data(), k.size(), params) != 1)
        return fail("store.crypto", "cannot initialise HMAC-SHA256");
    return ChainHasher(std::move(impl));
}

namespace {

ChainHash digestLeaf(EVP_MD_CTX* ctx, const EVP_MD* md, std::string_view canonical)
{
    static constexpr unsigned char kLeafPrefix = 0x00;
    ChainHash out{};
    unsigned int len = 0;
    EVP_DigestInit_ex2(ctx, md, nullptr);
    EVP_DigestUpdate(ctx, &kLeafPrefix, 1);
    EVP_DigestUpdate(ctx, canonical.data(), canonical.size());
    EVP_DigestFinal_ex(ctx, out.data(), &len);
    return out;
}

} // namespace

ChainHash ChainHasher::leaf(std::string_view canonical)
{
    return digestLeaf(d->mdCtx, d->md, canonical);
}

// ---- LeafHasher --------------------------------------------------------------------------

struct LeafHasher::Impl
{
    EVP_MD* md = EVP_MD_fetch(nullptr, "SHA256", nullptr);
    EVP_MD_CTX* ctx = EVP_MD_CTX_new();
    std::string buffer;

    ~Impl()
    {
        EVP_MD_CTX_free(ctx);
        EVP_MD_free(md);
    }
};

LeafHasher::LeafHasher() : d(std::make_unique<Impl>()) {}
LeafHasher::~LeafHasher() = default;

bool LeafHasher::valid() const
{
    return d->md && d->ctx;
}

ChainHash LeafHasher::sha256(std::string_view bytes)
{
    ChainHash out{};
    if (!valid())
        return out;
    unsigned int len = 0;
    EVP_DigestInit_ex2(d->ctx, d->md, nullptr);
    EVP_DigestUpdate(d->ctx, bytes.data(), bytes.size());
    EVP_DigestFinal_ex(d->ctx, out.data(), &len);
    return out;
}

std::string& LeafHasher::scratch()
{
    return d->buffer;
}

std::optional<ChainHash> LeafHasher::leaf(const CanonicalFields& fields)
{
    if (!d->md || !d->ctx)
        return std::nullopt;
    canonicalEvent(fields, d->buffer);
    return digestLeaf(d->ctx, d->md, d->buffer);
}

ChainHash ChainHasher::leaf(const CanonicalFields& fields)
{
    canonicalEvent(fields, m_buffer);
    return leaf(m_buffer);
}

ChainHash ChainHasher::link(const ChainHash& prev, const ChainHash& leafHash)
{
    d->macBegin();
    d->macUpdate(prev.data(), prev.size());
    d->macUpdate(leafHash.data(), leafHash.size());
    return d->macEnd();
}

ChainHash ChainHasher::genesis(std::string_view dbUuid)
{
    static constexpr std::string_view kGenesis = "vigil.chain.genesis";
    d->macBegin();
    d->macUpdate(kGenesis.data(), kGenesis.size());
    d->macUpdate(dbUuid.data(), dbUuid.size());
    return d->macEnd();
}

LeafHasher& ChainHasher::plain()
{
    return d->plain;
}

ChainHash ChainHasher::tag(std::string_view domain, std::string_view data)
{
    static constexpr unsigned char kTagPrefix = 0x02, kSeparator = 0x00;
    d->macBegin();
    d->macUpdate(&kTagPrefix, 1);
    d->macUpdate(domain.data(), domain.size());
    d->macUpdate(&kSeparator, 1);
    d->macUpdate(data.data(), data.size());
    return d->macEnd();
}

// ---- checkpoints and tombstones -----------------------------------------------------------

ChainHash checkpointTag(ChainHasher& hasher, std::int64_t position, std::int64_t rowId,
                        const ChainHash& link)
{
    std::string data;
    putBigEndian(data, static_cast<std::uint64_t>(position), 8);
    putBigEndian(data, static_cast<std::uint64_t>(rowId), 8);
    data.append(reinterpret_cast<const char*>(link.data()), link.size());
    return hasher.tag("checkpoint", data);
}

ChainHash tombstoneTag(ChainHasher& hasher, std::int64_t rowId, const ChainHash& leaf,
                       std::int64_t receiptId)
{
    std::string data;
    putBigEndian(data, static_cast<std::uint64_t>(rowId), 8);
    data.append(reinterpret_cast<const char*>(leaf.data()), leaf.size());
    putBigEndian(data, static_cast<std::uint64_t>(receiptId), 8);
    return hasher.tag("tombstone", data);
}

Result<std::optional<ChainCheckpoint>> readCheckpoint(Database& db)
{
    const auto v = metaValue(db, "chain.checkpoint");
    if (!v)
        return std::optional<ChainCheckpoint>{};
    // position:rowid:link-hex:tag-hex
    ChainCheckpoint cp;
    const auto bad = [] {
        return fail("store.chain_checkpoint", "the chain checkpoint in meta is malformed");
    };
    std::string_view s = *v;
    std::array<std::string_view, 4> parts;
    for (std::size_t i = 0; i < 4; ++i) {
        const auto colon = s.find(':');
        if ((i < 3) != (colon != std::string_view::npos))
            return bad();
        parts[i] = s.substr(0, colon);
        if (colon != std::string_view::npos)
            s.remove_prefix(colon + 1);
    }
    try {
        std::size_t used = 0;
        cp.position = std::stoll(std::string(parts[0]), &used);
        if (used != parts[0].size())
            return bad();
        cp.rowId = std::stoll(std::string(parts[1]), &used);
        if (used != parts[1].size())
            return bad();
    } catch (...) {
        return bad();
    }
    const auto link = chainHashFromHex(parts[2]);
    const auto tag = chainHashFromHex(parts[3]);
    if (!link || !tag || cp.position < 0 || cp.rowId < 0)
        return bad();
    cp.link = *link;
    cp.tag = *tag;
    return std::optional<ChainCheckpoint>(cp);
}

Result<void> writeCheckpoint(Database& db, const ChainCheckpoint& cp)
{
    return writeMeta(db, "chain.checkpoint",
                   std::to_string(cp.position) + ":" + std::to_string(cp.rowId) + ":" +
                       toHex(cp.link) + ":" + toHex(cp.tag));
}

Result<std::optional<std::string>> databaseUuid(Database& db)
{
    auto v = metaValue(db, "db_uuid");
    if (v && !isUuid(*v))
        return fail("store.chain_key", "the database uuid in meta is malformed");
    return v;
}

Result<ChainKey> loadChainKey(Database& db)
{
    auto uuid = databaseUuid(db);
    if (!uuid)
        return std::unexpected(uuid.error());
    if (!*uuid)
        return fail("store.chain_key_missing",
                    "the database has no uuid, so no chain key (it was never opened for writing)");
    return ChainKey::load(ChainKey::keyPath(**uuid));
}

Result<ChainHead> readChainHead(Database& db)
{
    ChainHead head;
    auto cp = readCheckpoint(db);
    if (!cp)
        return std::unexpected(cp.error());
    auto count = queryInt(db, "SELECT count(*) FROM events");
    if (!count)
        return std::unexpected(count.error());
    head.events = *count + (*cp ? (*cp)->position : 0);
    auto st = SqlStatement::prepare(db, "SELECT chain FROM events ORDER BY id DESC LIMIT 1");
    if (!st)
        return std::unexpected(st.error());
    auto row = st->step();
    if (!row)
        return std::unexpected(row.error());
    if (*row)
        head.link = columnHash(*st, 0);
    else if (*cp)
        head.link = (*cp)->link;
    return head;
}

// ---- ChainSealer -------------------------------------------------------------------------

namespace {

// Seals every event of a database written before the chain existed, in row order. Only
// ever called for a database that had no uuid, i.e. was never sealed.
Result<ChainHash> sealLegacyEvents(Database& db, ChainHasher& hasher, ChainHash head)
{
    auto sel = SqlStatement::prepare(
        db, "SELECT id, ts, event_type, agent, thread_id, severity, event_id, user_id, "
            "trace_id, span_id, details FROM events ORDER BY id");
    auto upd = SqlStatement::prepare(db, "UPDATE events SET chain=?2 WHERE id=?1");
    if (!sel)
        return std::unexpected(sel.error());
    if (!upd)
        return std::unexpected(upd.error());
    for (;;) {
        auto row = sel->step();
        if (!row)
            return std::unexpected(row.error());
        if (!*row)
            break;
        CanonicalFields f;
        f.timestampMs = sel->columnInt(1);
        f.eventType = sel->columnTextView(2);
        f.agent = sel->columnTextView(3);
        f.threadId = sel->columnTextView(4);
        f.severity = static_cast<int>(sel->columnInt(5));
        f.eventId = sel->columnTextView(6);
        f.userId = sel->columnTextView(7);
        f.traceId = sel->columnTextView(8);
        f.spanId = sel->columnTextView(9);
        f.details = sel->columnTextView(10);
        head = hasher.link(head, hasher.leaf(f));
        upd->bind(1, sel->columnInt(0)).bindBlob(2, head.data(), 32);
        auto r = upd->run();
        upd->reset();
        if (!r)
            return std::unexpected(r.error());
    }
    return head;
}

} // namespace

Result<ChainSealer> ChainSealer::openLocked(Database& db)
{
    auto uuid = databaseUuid(db);
    if (!uuid)
        return std::unexpected(uuid.error());
    if (!*uuid) {
        // A new database, or one written before the chain existed: give it a uuid and a key,
        // then seal whatever it holds.
        auto id = newUuid();
        if (!id)
            return std::unexpected(id.error());
        auto key = ChainKey::create(ChainKey::keyPath(*id));
        if (!key)
            return std::unexpected(key.error());
        auto hasher = ChainHasher::create(*key);
        if (!hasher)
            return std::unexpected(hasher.error());
        auto head = sealLegacyEvents(db, *hasher, hasher->genesis(*id));
        if (!head)
            return std::unexpected(head.error());
        if (auto r = sealExistingRecords(db, *hasher); !r)
            return std::unexpected(r.error());
        if (auto r = writeMeta(db, "db_uuid", *id); !r)
            return std::unexpected(r.error());
        return ChainSealer::open(db); // reopen through the normal path (db_uuid now set)
    }
    auto key = ChainKey::load(ChainKey::keyPath(**uuid));
    if (!key && key.error().code == "store.chain_key_missing") {
        // Nothing sealed yet (a database created elsewhere and never written): a new key
        // protects what comes. With sealed events, a new key would orphan the chain.
        auto sealed = queryInt(db, "SELECT count(*) FROM events WHERE chain IS NOT NULL");
        auto cp = readCheckpoint(db);
        // Rows beside the events (rejected lines) may be sealed even without events.
        auto records = readMeta(db, "chain.summary_from");
        if (!sealed)
            return std::unexpected(sealed.error());
        if (!cp)
            return std::unexpected(cp.error());
        if (!records)
            return std::unexpected(records.error());
        if (*sealed == 0 && !*cp && !*records) {
            key = ChainKey::create(ChainKey::keyPath(**uuid));
            if (key) {
                auto hasher = ChainHasher::create(*key);
                if (!hasher)
                    return std::unexpected(hasher.error());
                if (auto r = sealExistingRecords(db, *hasher); !r)
                    return std::unexpected(r.error());
            }
        } else
            return fail("store.chain_key_missing",
                        "the chain key of this database (" + ChainKey::keyPath(**uuid).string() +
                            ") is missing; copy it from the account that created the database "
                            "before writing to it");
    }
    if (!key)
        return std::unexpected(key.error());
    auto hasher = ChainHasher::create(*key);
    if (!hasher)
        return std::unexpected(hasher.error());
    auto last = SqlStatement::prepare(
        db, "SELECT chain FROM events WHERE chain IS NOT NULL ORDER BY id DESC LIMIT 1");
    if (!last)
        return std::unexpected(last.error());
    auto row = last->step();
    if (!row)
        return std::unexpected(row.error());
    std::optional<ChainHash> head;
    if (*row)
        head = columnHash(*last, 0);
    if (!head) {
        auto cp = readCheckpoint(db);
        if (!cp)
            return std::unexpected(cp.error());
        head = *cp ? (*cp)->link : hasher->genesis(**uuid);
    }
    return ChainSealer(std::move(*hasher), *head);
}

Result<ChainSealer> ChainSealer::open(Database& db)
{
    // Serialise with other writers opening the same file: only one creates the uuid and key.
    const bool ownTransaction = sqlite3_get_autocommit(db.handle()) != 0;
    if (ownTransaction)
        if (auto r = db.exec("BEGIN IMMEDIATE"); !r)
            return std::unexpected(r.error());
    auto s = openLocked(db);
    if (ownTransaction) {
        if (s) {
            if (auto r = db.exec("COMMIT"); !r)
                return std::unexpected(r.error());
        } else {
            (void)db.exec("ROLLBACK");
        }
    }
    return s;
}

ChainHash ChainSealer::seal(const CanonicalFields& fields)
{
    canonicalEvent(fields, m_canonical);
    return m_hasher.link(m_head, m_hasher.leaf(m_canonical));
}

} // namespace vigil
