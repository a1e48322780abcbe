// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "base/result.h"
#include "report/reportdocument.h"
#include "store/database.h"
#include "store/suppression.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace vigil {

/// A stored finding with what an export names about it. `excerpt` is a short piece of the
/// matched value with PII and secrets redacted unless asked otherwise (excerpt.h); it is
/// empty where the event was erased or the value is not text.
struct ExportedFinding
{
    std::int64_t id = 0;
    std::int64_t eventRowId = 0;
    std::int64_t timestampMs = 0;
    std::string agent;
    std::string rule;
    std::string category;
    int layer = 0;
    int severity = 0; ///< 0 low .. 3 critical
    std::string field;
    int start = -1;
    int end = -1;
    std::string message;
    std::int64_t incidentId = 0;
    std::string eventType;   ///< empty for rejected lines
    std::string sourceKind;  ///< file | tcp | stdin, or empty
    std::string sourceName;  ///< path or peer
    std::int64_t lineNo = 0; ///< 1-based line in the source, 0 when unknown
    std::string excerpt;
    /// The mute rule in force that mutes the finding (the lowest id of those that do), or
    /// nullopt: store/suppression.h. A muted finding is exported all the same, marked.
    std::optional<SuppressionRule> suppressedBy;
};

struct FindingExportOptions
{
    std::optional<std::int64_t> fromMs; ///< inclusive window on the finding's time
    std::optional<std::int64_t> toMs;
    bool redact = true;
    std::size_t limit = 0; ///< 0: all
    std::int64_t nowMs = 0; ///< the instant mute rules are judged at (now when 0)
};

/// The findings of the window in time order (then id), with their sources and excerpts.
Result<std::vector<ExportedFinding>> loadExportFindings(Database& db,
                                                        const FindingExportOptions& options);

/// OCSF 1.1 Detection Finding (class_uid 2004, category 2 Findings, activity 1 Create,
/// type_uid 200401) events as a JSON array, one object per finding: severity_id 2..5 from
/// low..critical, time in ms, metadata (product Vigil, version), finding_info (uid
/// `<db-uuid>:<id>`, title, types = [category], analytic = the rule), the agent as
/// resource, evidences (field, span, excerpt) and `unmapped` (MAESTRO layer, event type,
/// incident, redaction). A muted finding has status_id 3 (Suppressed) and its rule under
/// `unmapped.suppression`.
std::string renderOcsf(const std::vector<ExportedFinding>& findings, const ReportMeta& meta);

/// A SARIF 2.1.0 log with one run: the driver `Vigil` with one reportingDescriptor per
/// rule seen, one result per finding (level error for high/critical, warning for medium,
/// note for low), located in its source file and line when it came from a file, with the
/// JSON path as a logical location; properties carry category, layer, agent, time, span
/// and excerpt. The run's properties note the window, the chain head and the redaction.
/// A muted finding carries `suppressions: [{kind: external, status: accepted,
/// justification: <reason>}]` with the rule's id, author and expiry as properties.
std::string renderSarif(const std::vector<ExportedFinding>& findings, const ReportMeta& meta);

} // namespace vigil
