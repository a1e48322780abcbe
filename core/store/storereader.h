// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "base/result.h"
#include "ingest/auditevent.h"
#include "store/database.h"

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace vigil {

/// Totals of a database, as `vigil-cli stats` prints them.
struct StoreStats
{
    std::int64_t events = 0;
    std::int64_t rejected = 0;
    std::int64_t duplicates = 0;
    std::int64_t findings = 0;
    std::int64_t incidents = 0;
    std::int64_t openIncidents = 0; ///< open or investigating, less those all of whose findings are muted
    std::int64_t sources = 0;
    std::int64_t databaseBytes = 0;
    std::int64_t firstEventMs = 0;
    std::int64_t lastEventMs = 0;
    std::map<std::string, std::int64_t> findingsByCategory;
    std::map<std::string, std::int64_t> rejectedByReason;
    std::int64_t erased = 0;   ///< tombstones left by erasure and purge (not in `events`)
    std::string liveStats;     ///< the last counters `vigil-cli serve` stored (JSON), or ""
};

/// One stored event as the views show it.
struct EventRow
{
    std::int64_t rowId = 0;
    std::int64_t timestampMs = 0;
    std::string eventType;
    std::string agent;
    std::string threadId;
    EventSeverity severity = EventSeverity::Info;
    std::string eventId;
    std::string userId;
    std::string details; ///< minified JSON
    std::uint32_t findingMask = 0;
    int findingSeverity = -1;
};

/// One stored finding.
struct FindingRow
{
    std::int64_t id = 0;
    std::int64_t eventRowId = 0;
    std::int64_t timestampMs = 0;
    std::string agent;
    std::string rule;
    std::string category;
    int layer = 0;
    int severity = 0;
    std::string field;
    int start = -1;
    int end = -1;
    std::string message;
    std::int64_t incidentId = 0;
};

/// Filters of the event list; empty members do not filter.
struct EventFilter
{
    std::optional<EventSeverity> minSeverity;
    std::string agent;
    std::string eventType;
    std::string threadId;
    std::uint32_t findingMask = 0; ///< events having any of these category bits
    std::string text;              ///< substring of the details JSON (bound as a parameter)
    std::optional<std::int64_t> fromMs, toMs;
};

/// Where a page of events starts, for keyset paging ordered by (timestamp, row id).
struct EventKey
{
    std::int64_t timestampMs = 0;
    std::int64_t rowId = 0;
};

/// Read-only queries over a database on its own connection (WAL lets it read while the
/// writer commits). One reader per thread; not thread-safe.
class StoreReader
{
public:
    static Result<StoreReader> open(const std::string& path);

    Result<StoreStats> stats();

    /// Up to `limit` events after (ascending) or before (descending) `from`; with no `from`,
    /// from the start or the end. Never scans more than the page it returns plus the index.
    Result<std::vector<EventRow>> events(const EventFilter& filter, std::optional<EventKey> from,
                                         bool ascending, int limit);

    /// Events with row id greater than `afterRowId`, ascending by row id (the live tail).
    Result<std::vector<EventRow>> eventsAfterRow(std::int64_t afterRowId, int limit);

    Result<std::optional<EventRow>> event(std::int64_t rowId);
    Result<std::vector<FindingRow>> findingsForEvent(std::int64_t rowId);
    Result<std::int64_t> countEvents(const EventFilter& filter);

    Database& database() { return m_db; }

private:
    explicit StoreReader(Database db) : m_db(std::move(db)) {}
    Database m_db;
};

} // namespace vigil
