// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "base/result.h"
#include "base/maestro.h"
#include "report/reportdocument.h"
#include "report/reportrender.h"
#include "store/database.h"

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

namespace vigil {

namespace iam {
class PolicySet;
}

/// What to report on.
struct ReportRequest
{
    ReportKind kind = ReportKind::Soc2;
    /// Inclusive window on event time; unset ends default to the first / last stored event.
    std::optional<std::int64_t> fromMs;
    std::optional<std::int64_t> toMs;
    /// PII and secrets in excerpts are replaced by `[REDACTED:<rule>]` unless false; the
    /// choice is stated in the report either way.
    bool redact = true;
    std::int64_t nowMs = 0;   ///< generation time (now when 0); also "now" for retention checks
    std::string databaseName; ///< shown in the header; default: the file name of the database
    /// The agent IAM file: IAM checklist items, SOC 2 access control and the IAM map of the
    /// full report need it; without it they say so.
    std::shared_ptr<const iam::PolicySet> policies;
    bool verifyChain = true; ///< check the chain (needs the key) and state the result
    int maxExcerpts = 25;    ///< evidence excerpts per section
    int maxRows = 500;       ///< rows per listing table
    std::string vigilVersion = VIGIL_VERSION;
    /// The names MAESTRO layers are shown with (the seed's by default; base/maestro.h).
    LayerNaming layerNaming = LayerNaming::Seed;
    /// Polled between sections; true stops the build with `report.cancelled`.
    std::function<bool()> cancelled;
};

/// Builds the report `request.kind` from `db` (a read connection; nothing is written):
///  - every kind: an overview (counts and findings by category);
///  - soc2: the guide's control table (access control, audit logging, change management,
///    encryption, incident response), each with its evidence and a pass/fail/unknown status;
///  - gdpr: erasures done (receipts), retention in force (with items overdue for purge),
///    purges done, and data-minimization findings (PII) with redacted excerpts;
///  - production: the production checklist with automatic status, evidence and verdicts;
///  - incidents: incidents by severity and status with their assignee, the triage (notes)
///    and its history, findings by rule, evidence excerpts;
///  - full: all of the above plus the MAESTRO and plugin checklists (the system's run and
///    one per component with verdicts on them), the review verdicts (conflicts and the
///    append-only history), the threat matrices (stored ones by name, else the shipped
///    templates, with live finding counts) and the per-agent IAM permission map.
/// The header carries the window, the chain head and (when verifyChain) the check result.
Result<ReportDocument> buildReport(Database& db, const ReportRequest& request);

/// Builds and renders in one go. Pdf, Html, Csv and Json render the document; Ocsf and
/// Sarif export the window's findings instead (findingexport.h), for every kind.
Result<std::string> generateReport(Database& db, const ReportRequest& request, ReportFormat format,
                                   const HtmlOptions& html = {});

} // namespace vigil
