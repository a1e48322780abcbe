// SPDX-License-Identifier: Apache-2.0
#include "review/reviewoutput.h"

#include "base/timeutil.h"
#include "review/threatmatrixio.h"

#include <nlohmann/json.hpp>

namespace vigil {

namespace {

using Json = nlohmann::ordered_json;

Json nullOr(const std::string& s)
{
    return s.empty() ? Json(nullptr) : Json(s);
}

std::vector<std::string> threatCells(const ThreatOutputRow& r)
{
    return {r.matrix,
            std::to_string(r.row.layer),
            r.row.component,
            r.row.threat,
            std::string(toString(r.row.severity)),
            r.row.mitigation,
            std::string(toString(r.row.status)),
            std::to_string(r.findings)};
}

const std::vector<std::string>& threatColumns()
{
    static const std::vector<std::string> columns{
        "matrix", "layer", "component", "threat", "severity", "mitigation", "status", "findings"};
    return columns;
}

} // namespace

std::string checklistJson(const std::vector<ItemState>& states)
{
    Json out = Json::array();
    for (const auto& s : states) {
        Json o;
        o["id"] = s.item.id;
        o["checklist"] = s.item.checklist;
        o["section"] = s.item.section;
        o["layer"] = s.item.layer > 0 ? Json(s.item.layer) : Json(nullptr);
        o["text"] = s.item.text;
        o["component"] = nullOr(s.component);
        o["auto"] = toString(s.automatic.status);
        o["evidence"] = s.automatic.count;
        o["evidence_rule"] = nullOr(s.automatic.ruleId);
        o["reason"] = s.automatic.reason;
        if (!s.automatic.subjects.empty())
            o["subjects"] = s.automatic.subjects; // IAM problems, overdue secrets
        o["verdict"] = s.verdict ? Json(toString(s.verdict->kind)) : Json(nullptr);
        o["verdict_note"] = s.verdict ? Json(s.verdict->note) : Json(nullptr);
        o["verdict_reviewer"] = s.verdict ? Json(s.verdict->reviewer) : Json(nullptr);
        o["verdict_at"] = s.verdict ? Json(formatRfc3339Utc(s.verdict->atMs)) : Json(nullptr);
        o["verdicts"] = s.verdictCount;
        o["conflict"] = s.conflict;
        out.push_back(std::move(o));
    }
    return out.dump(2) + "\n";
}

std::vector<ThreatOutputRow> threatOutputRows(const std::vector<ThreatMatrix>& matrices,
                                              const EvidenceSource& source,
                                              const EvidenceScope& window)
{
    std::vector<ThreatOutputRow> out;
    for (const auto& m : matrices) {
        EvidenceScope scope = window;
        scope.component = m.component;
        for (const auto& row : m.rows)
            out.push_back(ThreatOutputRow{m.name, row, findingsFor(row, source, scope)});
    }
    return out;
}

std::optional<ThreatsFormat> threatsFormatFromString(std::string_view s)
{
    if (s == "csv")
        return ThreatsFormat::Csv;
    if (s == "json")
        return ThreatsFormat::Json;
    if (s == "md")
        return ThreatsFormat::Markdown;
    return std::nullopt;
}

std::string threatsCsv(const std::vector<ThreatOutputRow>& rows)
{
    std::string out = csvRow(threatColumns());
    for (const auto& r : rows)
        out += csvRow(threatCells(r));
    return out;
}

std::string threatsJson(const std::vector<ThreatOutputRow>& rows)
{
    Json out = Json::array();
    for (const auto& r : rows) {
        Json o;
        o["matrix"] = r.matrix;
        o["layer"] = r.row.layer;
        o["component"] = r.row.component;
        o["threat"] = r.row.threat;
        o["severity"] = toString(r.row.severity);
        o["mitigation"] = r.row.mitigation;
        o["status"] = toString(r.row.status);
        o["findings"] = r.findings;
        o["owner"] = r.row.owner;
        o["links"] = r.row.links;
        if (!r.row.description.empty())
            o["description"] = r.row.description; // for Vigil's own rows, the tests that prove them
        out.push_back(std::move(o));
    }
    return out.dump(2) + "\n";
}

std::string threatsMarkdown(const std::vector<ThreatOutputRow>& rows)
{
    std::string out = markdownRow(threatColumns());
    out += markdownDelimiterRow(threatColumns().size());
    for (const auto& r : rows)
        out += markdownRow(threatCells(r));
    return out;
}

std::string formatThreats(const std::vector<ThreatOutputRow>& rows, ThreatsFormat format)
{
    switch (format) {
    case ThreatsFormat::Csv:
        return threatsCsv(rows);
    case ThreatsFormat::Json:
        return threatsJson(rows);
    case ThreatsFormat::Markdown:
        return threatsMarkdown(rows);
    }
    return threatsCsv(rows);
}

} // namespace vigil
