// SPDX-License-Identifier: Apache-2.0
#include "report/findingexport.h"

#include "base/maestro.h"
#include "base/timeutil.h"
#include "report/excerpt.h"

#include <nlohmann/json.hpp>

#include <limits>
#include <map>

namespace vigil {
namespace {

using J = nlohmann::ordered_json;

constexpr const char* kSeverityNames[] = {"Low", "Medium", "High", "Critical"};

int clampSeverity(int s)
{
    return s < 0 ? 0 : s > 3 ? 3 : s;
}

/// Percent-encodes a path for a SARIF artifact URI (RFC 3986 unreserved and `/` kept).
std::string uriOf(const std::string& path)
{
    static constexpr char kHex[] = "0123456789ABCDEF";
    std::string out = path.starts_with("/") ? "file://" : "";
    for (const char ch : path) {
        const auto c = static_cast<unsigned char>(ch);
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
            c == '-' || c == '.' || c == '_' || c == '~' || c == '/') {
            out.push_back(ch);
        } else {
            out.push_back('%');
            out.push_back(kHex[c >> 4]);
            out.push_back(kHex[c & 15]);
        }
    }
    return out;
}

std::string dump(const J& j)
{
    return j.dump(2, ' ', false, J::error_handler_t::replace) + "\n";
}

} // namespace

Result<std::vector<ExportedFinding>> loadExportFindings(Database& db,
                                                        const FindingExportOptions& options)
{
    // Events' findings, then rejected lines' (their event_rowid is a quarantine id).
    auto st = SqlStatement::prepare(
        db, "SELECT f.id, f.event_rowid, f.ts, f.agent, f.rule, f.category, f.layer, f.severity, "
            "f.field, f.span_start, f.span_end, f.message, f.incident_id, "
            "CASE WHEN f.category = 'rejected' THEN '' ELSE e.event_type END, "
            "s.kind, s.name, "
            "CASE WHEN f.category = 'rejected' THEN q.line_no ELSE e.line_no END, "
            "CASE WHEN f.category = 'rejected' THEN NULL ELSE e.details END "
            "FROM findings f "
            "LEFT JOIN events e ON f.category <> 'rejected' AND e.id = f.event_rowid "
            "LEFT JOIN quarantine q ON f.category = 'rejected' AND q.id = f.event_rowid "
            "LEFT JOIN sources s ON s.id = CASE WHEN f.category = 'rejected' THEN q.source_id "
            "ELSE e.source_id END "
            "WHERE f.ts >= ?1 AND f.ts <= ?2 ORDER BY f.ts, f.id");
    if (!st)
        return std::unexpected(st.error());
    st->bind(1, options.fromMs.value_or(std::numeric_limits<std::int64_t>::min()))
        .bind(2, options.toMs.value_or(std::numeric_limits<std::int64_t>::max()));
    std::vector<ExportedFinding> out;
    std::map<std::int64_t, std::string> details; // event row -> details JSON
    for (;;) {
        auto row = st->step();
        if (!row)
            return std::unexpected(row.error());
        if (!*row || (options.limit && out.size() >= options.limit))
            break;
        ExportedFinding f;
        f.id = st->columnInt(0);
        f.eventRowId = st->columnInt(1);
        f.timestampMs = st->columnInt(2);
        f.agent = st->columnText(3);
        f.rule = st->columnText(4);
        f.category = st->columnText(5);
        f.layer = static_cast<int>(st->columnInt(6));
        f.severity = clampSeverity(static_cast<int>(st->columnInt(7)));
        f.field = st->columnText(8);
        f.start = st->columnIsNull(9) ? -1 : static_cast<int>(st->columnInt(9));
        f.end = st->columnIsNull(10) ? -1 : static_cast<int>(st->columnInt(10));
        f.message = st->columnText(11);
        f.incidentId = st->columnIsNull(12) ? 0 : st->columnInt(12);
        f.eventType = st->columnText(13);
        f.sourceKind = st->columnText(14);
        f.sourceName = st->columnText(15);
        f.lineNo = st->columnIsNull(16) ? 0 : st->columnInt(16);
        if (!st->columnIsNull(17))
            details.emplace(f.eventRowId, st->columnText(17));
        out.push_back(std::move(f));
    }
    st->reset();

    // Excerpts need every sensitive span of the same field of the same event.
    std::map<std::pair<std::int64_t, std::string>, std::vector<Finding>> byField;
    for (const ExportedFinding& f : out) {
        if (f.category == "rejected")
            continue;
        Finding x;
        x.rule = f.rule;
        x.category = f.category;
        x.field = f.field;
        x.start = f.start;
        x.end = f.end;
        byField[{f.eventRowId, f.field}].push_back(std::move(x));
    }
    for (ExportedFinding& f : out) {
        const auto d = details.find(f.eventRowId);
        if (f.category == "rejected" || d == details.end())
            continue;
        const auto value = detailsFieldValue(d->second, f.field);
        if (value)
            f.excerpt =
                excerpt(*value, f.start, f.end, byField[{f.eventRowId, f.field}], options.redact);
    }
    return out;
}

std::string renderOcsf(const std::vector<ExportedFinding>& findings, const ReportMeta& meta)
{
    J all = J::array();
    for (const ExportedFinding& f : findings) {
        const std::string uid = meta.databaseUuid + ":" + std::to_string(f.id);
        J j;
        j["activity_id"] = 1;
        j["activity_name"] = "Create";
        j["category_uid"] = 2;
        j["category_name"] = "Findings";
        j["class_uid"] = 2004;
        j["class_name"] = "Detection Finding";
        j["type_uid"] = 200401;
        j["type_name"] = "Detection Finding: Create";
        j["severity_id"] = f.severity + 2;
        j["severity"] = kSeverityNames[f.severity];
        j["status_id"] = 1;
        j["status"] = "New";
        j["time"] = f.timestampMs;
        j["message"] = f.message;
        j["metadata"] = {
            {"version", "1.1.0"},
            {"product",
             {{"name", "Vigil"}, {"vendor_name", "Vigil"}, {"version", meta.vigilVersion}}},
            {"uid", uid}};
        j["finding_info"] = {
            {"uid", uid},
            {"title", f.message},
            {"types", J::array({f.category})},
            {"created_time", f.timestampMs},
            {"analytic", {{"uid", f.rule}, {"name", f.rule}, {"type_id", 1}, {"type", "Rule"}}}};
        j["resources"] = J::array({J{{"name", f.agent}, {"type", "AI Agent"}}});
        J evidence{{"field", f.field}};
        if (f.start >= 0) {
            evidence["start"] = f.start;
            evidence["end"] = f.end;
        }
        if (!f.excerpt.empty())
            evidence["excerpt"] = f.excerpt;
        j["evidences"] = J::array({J{{"data", evidence}}});
        J unmapped{{"maestro_layer", f.layer},
                   {"maestro_layer_name", maestroLayerName(f.layer, meta.layerNaming)},
                   {"csa_maestro_layer", csaLayerOf(f.layer)},
                   {"redacted", meta.redacted}};
        if (!f.eventType.empty())
            unmapped["event_type"] = f.eventType;
        if (f.incidentId)
            unmapped["incident_id"] = f.incidentId;
        if (!f.sourceName.empty()) {
            unmapped["source"] = f.sourceName;
            unmapped["line"] = f.lineNo;
        }
        j["unmapped"] = std::move(unmapped);
        all.push_back(std::move(j));
    }
    return dump(all);
}

std::string renderSarif(const std::vector<ExportedFinding>& findings, const ReportMeta& meta)
{
    std::map<std::string, std::size_t> ruleIndex;
    J rules = J::array();
    for (const ExportedFinding& f : findings) {
        if (ruleIndex.contains(f.rule))
            continue;
        ruleIndex[f.rule] = rules.size();
        rules.push_back({{"id", f.rule},
                         {"name", f.rule},
                         {"shortDescription", {{"text", f.category + " finding (" + f.rule + ")"}}},
                         {"properties",
                          {{"category", f.category},
                           {"maestro_layer", f.layer},
                           {"maestro_layer_name", maestroLayerName(f.layer, meta.layerNaming)},
                           {"csa_maestro_layer", csaLayerOf(f.layer)}}}});
    }
    J results = J::array();
    for (const ExportedFinding& f : findings) {
        J r;
        r["ruleId"] = f.rule;
        r["ruleIndex"] = ruleIndex[f.rule];
        r["level"] = f.severity >= 2 ? "error" : f.severity == 1 ? "warning" : "note";
        r["message"] = {{"text", f.message}};
        J location;
        if (f.sourceKind == "file" && !f.sourceName.empty()) {
            J physical{{"artifactLocation", {{"uri", uriOf(f.sourceName)}}}};
            if (f.lineNo > 0)
                physical["region"] = {{"startLine", f.lineNo}};
            location["physicalLocation"] = std::move(physical);
        }
        location["logicalLocations"] = J::array({J{{"name", f.field},
                                                   {"fullyQualifiedName", f.agent + "/" + f.field},
                                                   {"kind", "member"}}});
        r["locations"] = J::array({std::move(location)});
        r["partialFingerprints"] = {
            {"vigilFinding/v1", meta.databaseUuid + ":" + std::to_string(f.id)}};
        J props{{"category", f.category},
                {"severity", kSeverityNames[f.severity]},
                {"maestro_layer", f.layer},
                {"maestro_layer_name", maestroLayerName(f.layer, meta.layerNaming)},
                {"csa_maestro_layer", csaLayerOf(f.layer)},
                {"agent", f.agent},
                {"time", formatRfc3339Utc(f.timestampMs)}};
        if (!f.eventType.empty())
            props["event_type"] = f.eventType;
        if (f.start >= 0) {
            props["start"] = f.start;
            props["end"] = f.end;
        }
        if (!f.excerpt.empty())
            props["excerpt"] = f.excerpt;
        if (f.incidentId)
            props["incident_id"] = f.incidentId;
        r["properties"] = std::move(props);
        results.push_back(std::move(r));
    }
    J run;
    run["tool"] = {
        {"driver",
         {{"name", "Vigil"}, {"version", meta.vigilVersion}, {"rules", std::move(rules)}}}};
    run["invocations"] = J::array({J{{"executionSuccessful", true}}});
    run["results"] = std::move(results);
    run["properties"] = {
        {"window", windowText(meta)},   {"database", meta.database},
        {"chain_head", meta.chainHead}, {"chain_status", meta.chainStatus},
        {"redacted", meta.redacted},    {"redaction_note", redactionNote(meta.redacted)}};
    J log;
    log["$schema"] = "https://json.schemastore.org/sarif-2.1.0.json";
    log["version"] = "2.1.0";
    log["runs"] = J::array({std::move(run)});
    return dump(log);
}

} // namespace vigil
