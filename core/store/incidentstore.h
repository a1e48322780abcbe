// SPDX-License-Identifier: Apache-2.0
#pragma once

// Reading incidents as reviewers see them: the list with its filters, one incident with
// its review history, findings and evidence, and the counts the status bar, the overview
// and the notifier show. Changes go through store/incidentreview.h (a writer task).
//
// Every read leaves out findings that a mute rule in force at `mute.nowMs` mutes
// (store/suppression.h): an incident's `findings` and `severity` are those of its unmuted
// findings, and an incident whose findings are all muted is listed, marked (muted()), but
// is not counted as open work. All functions read on the caller's connection and thread.

#include "base/result.h"
#include "store/database.h"
#include "store/storereader.h"
#include "store/suppression.h"

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace vigil {

/// Filters of the incident list; empty members do not filter.
struct IncidentFilter
{
    std::vector<std::string> statuses; ///< any of these (open, investigating, ...)
    int minSeverity = -1;              ///< at least this severity (0 low .. 3 critical)
    int severity = -1;                 ///< exactly this severity
    std::string category;
    int layer = 0; ///< MAESTRO layer 1..7
    std::string agent;
    std::int64_t fromMs = 0; ///< incidents still active at or after (last_ms >= fromMs)
    std::int64_t toMs = 0;   ///< incidents begun at or before (first_ms <= toMs)
    /// Matched with FTS5 over title, notes, category, rule and agent, every term as a
    /// quoted prefix string (ftsQuery), never as FTS5 syntax.
    std::string text;
    int limit = 10000; ///< at most this many rows; negative: all
};

/// One incident as the list shows it.
struct IncidentRow
{
    std::int64_t id = 0;
    std::string title;
    std::string category;
    std::string rule;
    std::string agent;
    std::string threadId;
    std::string status; ///< open | investigating | resolved | false_positive
    std::string assignee;
    std::string notes;
    int layer = 0;
    int severity = 0; ///< 0 low .. 3 critical, of the unmuted findings
    std::int64_t firstMs = 0;
    std::int64_t lastMs = 0;
    std::int64_t findings = 0; ///< findings not muted
    std::int64_t updatedMs = 0;
    std::int64_t mutedFindings = 0; ///< findings muted by a rule in force
    /// Every finding is muted: the incident leaves counts and alerts until a rule lapses.
    bool muted() const { return findings == 0 && mutedFindings > 0; }
};

/// One entry of an incident's append-only review history.
struct IncidentHistoryRow
{
    std::int64_t timestampMs = 0;
    std::string actor;
    std::string field; ///< status | assignee | notes
    std::string oldValue;
    std::string newValue;
};

/// A finding of an incident and whether a mute rule in force mutes it.
struct IncidentFinding
{
    FindingRow finding;
    bool muted = false;
};

/// One incident with everything its detail view shows.
struct IncidentDetails
{
    IncidentRow incident;
    std::vector<IncidentHistoryRow> history; ///< oldest first
    std::vector<IncidentFinding> findings;   ///< by time, at most kMaxIncidentFindings
    /// The events of those findings in the same order, each once, at most
    /// kMaxIncidentEvidence (read them with StoreReader::event).
    std::vector<std::int64_t> evidenceRowIds;
};

inline constexpr int kMaxIncidentFindings = 1000;
inline constexpr std::size_t kMaxIncidentEvidence = 500;

/// The incidents matching `filter`, most recently active first (then by id, descending).
Result<std::vector<IncidentRow>> listIncidents(Database& db, const IncidentFilter& filter,
                                               const MuteScope& mute);

/// Incident `id` as the list shows it; nullopt when there is none.
Result<std::optional<IncidentRow>> loadIncident(Database& db, std::int64_t id,
                                                const MuteScope& mute);

/// The review history of incident `id`, oldest first (empty for an unknown id).
Result<std::vector<IncidentHistoryRow>> loadIncidentHistory(Database& db, std::int64_t id);

/// Incident `id` with its history, findings and evidence; nullopt when there is none.
Result<std::optional<IncidentDetails>> loadIncidentDetails(Database& db, std::int64_t id,
                                                           const MuteScope& mute);

/// Open or investigating incidents with at least one unmuted finding.
Result<std::int64_t> countOpenIncidents(Database& db, const MuteScope& mute);

/// The same incidents counted by severity (0 low .. 3 critical).
Result<std::array<std::int64_t, 4>> openIncidentsBySeverity(Database& db, const MuteScope& mute);

/// Incidents of critical severity with an unmuted finding that were created or changed at
/// or after `sinceMs` (what the notifier announces), by id.
Result<std::vector<IncidentRow>> criticalIncidentsSince(Database& db, std::int64_t sinceMs,
                                                        const MuteScope& mute);

} // namespace vigil
