// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "base/result.h"
#include "store/chain.h"
#include "store/database.h"
#include "store/storewriter.h"

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace vigil {

// Seals of the rows beside the events (docs/integrity.md, "Findings, rejected lines,
// incidents"):
//
// - An event's findings and its summary columns (finding_mask, finding_sev) go into the
//   event's own chain leaf, so deleting or editing them breaks the event chain at that
//   event. The leaf of an event with findings is
//       SHA-256(0x01 || content || mask || severity || digest)
//   where content is the event's content hash (SHA-256(0x00 || canonical event), what a
//   tombstone keeps) and digest = SHA-256(0x03 || count || hash of each finding in id
//   order). An event without findings keeps the content hash as its leaf. Events stored
//   before schema 7 ("legacy": below chain.summary_from) were linked over the content hash
//   alone; their findings are sealed by a keyed `events.fseal` instead.
// - A legitimate change of an event's findings (erasure drops spans, retention deletes
//   expired findings) writes a keyed amendment: `events.fseal` over the findings as they
//   are now, naming the receipt of the change in `events.freceipt`.
// - Findings of events that a purge removed from the front of the chain ("orphans"),
//   rejected lines (quarantine) and incidents are kept in keyed sets: each row has a hidden
//   element (a keyed tag of the row), and `meta` holds the count and the XOR of the
//   elements with a keyed tag. Rejected lines, incidents and incident history entries also
//   carry a keyed seal of their own, so an edit is found at its row.
// - An incident's review history is a keyed hash chain per incident; the incident's seal
//   covers its last link.

/// The summary columns of an event: one bit per finding category, the highest severity.
struct FindingSummary
{
    std::uint32_t mask = 0;
    int severity = -1;

    bool empty() const { return mask == 0 && severity == -1; }
    bool operator==(const FindingSummary&) const = default;
};

/// The summary the writer stores for `findings`.
FindingSummary summarizeFindings(const std::vector<Finding>& findings);

/// The stored columns of a finding that its hash covers (all but its id, its event row and
/// its incident). Views must outlive the use.
struct FindingFields
{
    std::int64_t ts = 0; ///< its event's time (retention and report windows go by it)
    std::string_view agent;
    std::string_view rule;
    std::string_view category;
    std::int64_t layer = 0;
    std::int64_t severity = 0;
    std::string_view field;
    std::optional<std::int64_t> start; ///< span_start; nullopt for NULL
    std::optional<std::int64_t> end;   ///< span_end; nullopt for NULL
    std::string_view message;
};

/// The columns the writer stores for `f` of an event at `ts` by `agent` (no span when
/// `f.start` < 0).
FindingFields findingFields(const Finding& f, std::int64_t ts, std::string_view agent);

/// The finding columns of a seal, for a SELECT list; findingFromRow() reads them from
/// `firstColumn` on.
extern const char* const kFindingSealColumns;
FindingFields findingFromRow(const SqlStatement& st, int firstColumn);

/// SHA-256(0x04 || canonical finding). Integers are 8 bytes big-endian, texts length-prefixed.
ChainHash findingHash(LeafHasher& hasher, const FindingFields& f);
/// SHA-256(0x03 || count || hashes...): the digest of one event's findings, in id order.
ChainHash findingsDigest(LeafHasher& hasher, std::span<const ChainHash> hashes);
/// The chain leaf of an event: its content hash when the event is legacy or has neither a
/// summary nor findings; otherwise SHA-256(0x01 || content || mask || severity || digest).
ChainHash eventLeaf(LeafHasher& hasher, const ChainHash& content, bool legacy,
                    FindingSummary summary, const std::optional<ChainHash>& digest);

/// Completes an event's chain hashes after scanning, on the thread that scanned it: the
/// hash of each finding, their digest and the event's leaf (which must hold the content
/// hash already). Leaves events without findings alone.
void hashFindings(IngestedEvent& ie, LeafHasher& hasher);

/// The stored columns of a rejected line that its content hash covers.
struct QuarantineFields
{
    std::string_view source;
    std::int64_t lineNo = 0;
    std::string_view reason;
    std::string_view message;
    std::string_view raw;
    std::int64_t rawBytes = 0;
};

/// SHA-256(0x05 || canonical rejected line).
ChainHash quarantineHash(LeafHasher& hasher, const QuarantineFields& q);

/// The keyed amendment of an event's findings: binds the row, its summary, the digest of
/// the findings it has now (nullopt: none) and the receipt of the change (0: sealed once
/// when the database was migrated to schema 7).
ChainHash findingsSeal(ChainHasher& hasher, std::int64_t rowId, FindingSummary summary,
                       const std::optional<ChainHash>& digest, std::int64_t receipt);

/// The keyed seal of a rejected line: row id, receipt time, source row, erasing receipt
/// (0: not erased) and its content hash.
ChainHash quarantineSeal(ChainHasher& hasher, std::int64_t id, std::int64_t receivedMs,
                         std::optional<std::int64_t> sourceId, std::int64_t erased,
                         const ChainHash& content);

/// Every column of an incident but `updated_ms`, plus the link of its last history entry
/// (nullopt: no history yet).
struct IncidentFields
{
    std::int64_t id = 0;
    std::string groupKey, title, category, rule, agent, threadId;
    std::int64_t layer = 0, severity = 0, firstMs = 0, lastMs = 0, findings = 0;
    std::string status, assignee, notes;
    std::optional<ChainHash> historyLink;
};

/// One incident_history row.
struct HistoryFields
{
    std::int64_t incidentId = 0;
    std::int64_t tsMs = 0;
    std::string_view actor, field, oldValue, newValue;
};

/// The link before an incident's first history entry.
ChainHash historyGenesis(ChainHasher& hasher, std::int64_t incidentId);
/// HMAC over the previous link and the entry.
ChainHash historyLink(ChainHasher& hasher, const ChainHash& prev, const HistoryFields& h);
/// The keyed seal of an incident (its history link, or the genesis without history).
ChainHash incidentSeal(ChainHasher& hasher, const IncidentFields& f);

/// The keyed sets of rows that are not inside the event chain.
enum class RecordSetKind : std::uint8_t
{
    Quarantine, ///< rejected lines
    Incidents,  ///< incident ids
    Orphans,    ///< findings of events removed from the front of the chain
};

/// `quarantine`, `incidents` or `orphan findings`.
std::string_view toString(RecordSetKind kind);

/// A keyed set's state: how many rows, the XOR of their hidden elements, and for orphans
/// the checkpoint row it belongs to. `valid` is false when the stored state was missing or
/// did not match its tag: it then stays invalid (written with a tag that never matches)
/// rather than being sealed over.
struct RecordSet
{
    std::int64_t anchor = 0;
    std::int64_t count = 0;
    ChainHash sum{};
    bool valid = true;

    /// Adds (`delta` 1) or removes (-1) an element.
    void toggle(const ChainHash& element, std::int64_t delta);
};

/// The hidden element of a rejected line (from its seal), an incident (from its id), an
/// orphaned finding (from its id, event row and hash).
ChainHash quarantineElement(ChainHasher& hasher, const ChainHash& seal);
ChainHash incidentElement(ChainHasher& hasher, std::int64_t incidentId);
ChainHash orphanElement(ChainHasher& hasher, std::int64_t findingId, std::int64_t eventRow,
                        const ChainHash& hash);

/// Reads a set's state from `meta` and checks its tag (missing or altered: valid = false).
Result<RecordSet> readRecordSet(Database& db, ChainHasher& hasher, RecordSetKind kind);
/// Stores a set's state (inside the caller's transaction).
Result<void> writeRecordSet(Database& db, ChainHasher& hasher, RecordSetKind kind,
                            const RecordSet& set);
/// The `meta` key of a set.
std::string recordSetKey(RecordSetKind kind);

/// The first event row whose leaf carries its finding summary (`chain.summary_from`, with
/// a keyed tag); rows below it are legacy. nullopt when missing or altered.
Result<std::optional<std::int64_t>> readSummaryFrom(Database& db, ChainHasher& hasher);

/// The findings state of one event, read for a check or an amendment.
struct EventFindings
{
    bool present = false; ///< the event row exists
    bool legacy = false;
    FindingSummary summary;
    std::optional<ChainHash> sealedDigest; ///< events.fdigest: what the link covers
    std::optional<ChainHash> fseal;        ///< events.fseal
    std::int64_t freceipt = 0;
    std::vector<std::pair<std::int64_t, ChainHash>> findings; ///< id, hash of the content now
    std::optional<ChainHash> digest; ///< of `findings`; nullopt when there are none
};

/// Reads, checks and reseals single events' findings (erasure, purge, compaction). Holds
/// prepared statements on `db`; use inside one transaction on the writer connection.
class EventFindingsStore
{
public:
    static Result<EventFindingsStore> create(Database& db, ChainHasher& hasher);

    Result<EventFindings> read(std::int64_t rowId);
    /// Whether the findings an event has now are what its link (or its amendment) covers.
    /// Says nothing about the event's own content (the caller checks its link).
    bool intact(std::int64_t rowId, const EventFindings& state);
    /// Writes the amendment for the findings `rowId` has now (after a legitimate change by
    /// `receipt`) and refreshes their stored hashes.
    Result<void> reseal(std::int64_t rowId, std::int64_t receipt);

private:
    explicit EventFindingsStore(ChainHasher& hasher) : m_hasher(&hasher) {}
    ChainHasher* m_hasher;
    std::int64_t m_summaryFrom = 1;
    SqlStatement m_event, m_findings, m_setHash, m_amend;
};

/// The incident columns a seal covers, then `hlink` and `seal`, for a SELECT list:
/// incidentFromRow() reads them starting at `firstColumn` (the seal at firstColumn + 15).
extern const char* const kIncidentSealColumns;
IncidentFields incidentFromRow(const SqlStatement& st, std::int64_t id, int firstColumn);

/// Reads an incident row (nullopt when there is none) and its stored seal.
Result<std::optional<std::pair<IncidentFields, std::optional<ChainHash>>>>
readIncident(Database& db, std::int64_t id);

/// Whether incident `id` matches its seal and its history chain is whole.
Result<bool> incidentIntact(Database& db, ChainHasher& hasher, std::int64_t id);

/// Stores the seal of `f` on its incident row.
Result<void> writeIncidentSeal(Database& db, ChainHasher& hasher, const IncidentFields& f);

/// Seals, once, what a database held before these seals existed: the summary boundary,
/// every finding's hash, an amendment for every event below the boundary, the orphaned
/// findings, every rejected line, every incident and its history, and the three sets.
/// Inside the caller's transaction; never call it for a database that was sealed already
/// (it would seal over earlier edits).
Result<void> sealExistingRecords(Database& db, ChainHasher& hasher);

/// The migration to schema 7 runs this inside its transaction: a database that already has
/// a chain key gets sealExistingRecords(); one without (never written by a writer, or older
/// than the chain) is sealed when the writer gives it a key (ChainSealer::open).
Result<void> sealRecordsAfterMigration(Database& db);

} // namespace vigil
