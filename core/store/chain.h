// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "base/result.h"
#include "store/database.h"

#include <array>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace vigil {

// The tamper-evident chain over stored events (docs/integrity.md).
//
//   leaf_i  = SHA-256(0x00 || canonical(event_i))
//   chain_0 = HMAC-SHA256(key, "vigil.chain.genesis" || db_uuid)
//   chain_i = HMAC-SHA256(key, chain_{i-1} || leaf_i)
//
// `chain_i` is stored with event i (events.chain); the chain head is the link of the last
// stored event. The key is a per-database secret kept outside the database file, so whoever
// can edit the file cannot recompute a link after changing, removing or moving an event.

/// A SHA-256 sized value: a leaf hash, a chain link or a tag.
using ChainHash = std::array<std::uint8_t, 32>;

/// Lowercase hex of `h` (64 characters).
std::string toHex(const ChainHash& h);
/// Parses 64 hex digits (either case); nullopt for anything else.
std::optional<ChainHash> chainHashFromHex(std::string_view hex);

/// The 32-byte blob in column `col` of the current row, or nullopt when NULL or mis-sized.
std::optional<ChainHash> columnHash(const SqlStatement& st, int col);

/// The stored columns that make up an event's canonical form. Views must stay alive while
/// the fields are used. An empty optional text counts as absent (NULL), as the store writes
/// it: the spec forbids empty values there.
struct CanonicalFields
{
    std::int64_t timestampMs = 0;
    std::string_view eventType;
    std::string_view agent;
    std::string_view threadId;
    int severity = 0;
    std::string_view eventId;
    std::string_view userId;
    std::string_view traceId;
    std::string_view spanId;
    std::string_view details;
};

/// Canonical-form building blocks: `bytes` bytes of `v`, big-endian; a text as its 4-byte
/// big-endian length and its bytes, or 0xFFFFFFFF alone for an absent (empty) optional.
void appendBigEndian(std::string& out, std::uint64_t v, int bytes);
void appendText(std::string& out, std::string_view s, bool optional);

/// Writes the canonical serialization of `f` into `out` (replacing its content): the
/// timestamp as 8 bytes big-endian, then event_type, agent, thread_id, the severity as one
/// byte, event_id, user_id, trace_id, span_id and details, each text as a 4-byte big-endian
/// length and its bytes (0xFFFFFFFF for an absent optional). Deterministic and injective.
void canonicalEvent(const CanonicalFields& f, std::string& out);

/// The per-database chain secret: 32 random bytes in a file of its own, mode 0600, under
/// `$XDG_CONFIG_HOME/vigil/keys/<db-uuid>.key` (`~/.config` when XDG_CONFIG_HOME is unset).
class ChainKey
{
public:
    /// The folder that holds key files.
    static std::filesystem::path keyDirectory();
    /// The key file of the database with uuid `dbUuid`.
    static std::filesystem::path keyPath(std::string_view dbUuid);

    /// Reads a key file. Refuses a file that is not a regular file owned by this user, is
    /// readable or writable by group or others, a symlink, or not 64 hex digits.
    static Result<ChainKey> load(const std::filesystem::path& file);
    /// Creates a new random key file (O_EXCL, mode 0600; parent folders 0700). Refuses to
    /// replace an existing file.
    static Result<ChainKey> create(const std::filesystem::path& file);

    std::span<const std::uint8_t> bytes() const { return m_key; }

private:
    ChainKey() = default;
    std::array<std::uint8_t, 32> m_key{};
};

class LeafHasher;

/// Computes leaves, links and tags with OpenSSL contexts created once and reused, so the
/// per-event cost stays at two SHA-256 passes. Not thread-safe: one per thread.
class ChainHasher
{
public:
    static Result<ChainHasher> create(const ChainKey& key);
    ChainHasher(ChainHasher&&) noexcept;
    ChainHasher& operator=(ChainHasher&&) noexcept;
    ~ChainHasher();

    /// SHA-256(0x00 || canonical).
    ChainHash leaf(std::string_view canonical);
    /// The leaf of an event given as fields (uses an internal buffer).
    ChainHash leaf(const CanonicalFields& fields);
    /// HMAC(key, prev || leaf).
    ChainHash link(const ChainHash& prev, const ChainHash& leaf);
    /// The link before the first event of the database `dbUuid`.
    ChainHash genesis(std::string_view dbUuid);
    /// A keyed tag of `data` in the domain `domain` (tombstones, receipts, checkpoints):
    /// HMAC(key, 0x02 || domain || 0x00 || data).
    ChainHash tag(std::string_view domain, std::string_view data);
    /// The unkeyed hashes (content of findings, rejected lines) on this hasher's thread.
    LeafHasher& plain();

private:
    struct Impl;
    explicit ChainHasher(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> d;
    std::string m_buffer;
};

/// Where the chain starts after purged events were removed from its front: the position
/// (number of events before the first stored one), the row id and link of the last removed
/// event, and a keyed tag over the three. Kept in `meta` under `chain.checkpoint`.
struct ChainCheckpoint
{
    std::int64_t position = 0;
    std::int64_t rowId = 0;
    ChainHash link{};
    ChainHash tag{};
};

/// The keyed tag of a checkpoint.
ChainHash checkpointTag(ChainHasher& hasher, std::int64_t position, std::int64_t rowId,
                        const ChainHash& link);
/// The keyed tag of a tombstone: binds the row, the leaf it keeps and its receipt.
ChainHash tombstoneTag(ChainHasher& hasher, std::int64_t rowId, const ChainHash& leaf,
                       std::int64_t receiptId);

/// Reads the checkpoint from `meta` (nullopt when none; an error when it is malformed).
Result<std::optional<ChainCheckpoint>> readCheckpoint(Database& db);
/// Writes the checkpoint into `meta` (inside the caller's transaction).
Result<void> writeCheckpoint(Database& db, const ChainCheckpoint& cp);

/// The database's uuid from `meta` (`db_uuid`), or nullopt.
Result<std::optional<std::string>> databaseUuid(Database& db);

/// Loads the chain key of an existing database for checks and tombstones: reads db_uuid
/// and the key file. Fails with `store.chain_key_missing` when either is absent.
Result<ChainKey> loadChainKey(Database& db);

/// The chain head as stored: the link of the last event (or of the checkpoint when every
/// event was removed, or nullopt for a database without sealed events), and the number of
/// events in the chain (checkpoint position plus stored events). Needs no key.
struct ChainHead
{
    std::optional<ChainHash> link;
    std::int64_t events = 0;
};
Result<ChainHead> readChainHead(Database& db);

/// Computes event leaves, which need no key, so that decode workers can hash events before
/// the writer links them (the writer's thread is the import's bottleneck). One per thread.
class LeafHasher
{
public:
    LeafHasher();
    ~LeafHasher();
    LeafHasher(const LeafHasher&) = delete;
    LeafHasher& operator=(const LeafHasher&) = delete;

    /// SHA-256(0x00 || canonical(fields)); nullopt when OpenSSL has no SHA-256.
    std::optional<ChainHash> leaf(const CanonicalFields& fields);
    /// False when OpenSSL has no SHA-256 (then every hash below is all zeros).
    bool valid() const;
    /// SHA-256 of `bytes` (the caller puts the domain byte first).
    ChainHash sha256(std::string_view bytes);
    /// A buffer for building canonical forms, reused between calls.
    std::string& scratch();

private:
    struct Impl;
    std::unique_ptr<Impl> d;
};

/// The append side of the chain, owned by the writer thread. open() gives the database a
/// uuid and a key when it has none (and then seals events written before the chain
/// existed), refuses a sealed database whose key file is missing, and loads the head.
/// seal() computes the link of the next event without advancing; advance() moves the head
/// once the event was actually stored (an ignored duplicate never advances the chain).
class ChainSealer
{
public:
    static Result<ChainSealer> open(Database& db);

    /// The link for an event that would follow the current head.
    ChainHash seal(const CanonicalFields& fields);
    /// The same, for an event whose leaf was already computed (LeafHasher).
    ChainHash sealLeaf(const ChainHash& leaf) { return m_hasher.link(m_head, leaf); }
    void advance(const ChainHash& link) { m_head = link; }
    const ChainHash& head() const { return m_head; }
    /// Restores the head saved before a transaction that rolled back.
    void restore(const ChainHash& head) { m_head = head; }
    ChainHasher& hasher() { return m_hasher; }

private:
    static Result<ChainSealer> openLocked(Database& db);
    ChainSealer(ChainHasher hasher, ChainHash head) : m_hasher(std::move(hasher)), m_head(head) {}
    ChainHasher m_hasher;
    ChainHash m_head;
    std::string m_canonical;
};

} // namespace vigil
