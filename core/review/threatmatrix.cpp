// SPDX-License-Identifier: Apache-2.0
#include "review/threatmatrix.h"

#include "base/embedded.h"
#include "review/jsonreader.h"
#include "review/strcat.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <set>

namespace vigil {

using reviewdetail::cat;
using reviewdetail::childPath;
using reviewdetail::indexPath;

namespace {

constexpr std::array<ThreatField, 9> kFields{
    ThreatField::Layer,    ThreatField::Component,  ThreatField::Threat,
    ThreatField::Severity, ThreatField::Mitigation, ThreatField::Status,
    ThreatField::Owner,    ThreatField::Links,      ThreatField::Description};

constexpr std::array<std::string_view, 2> kTemplateIds{"maestro", "attack-surface"};
constexpr std::array<std::string_view, 3> kBuiltinTemplateIds{"maestro", "attack-surface",
                                                               "vigil"};

constexpr std::size_t kMaxFieldChars = 4000;

bool equalsIgnoreCase(std::string_view a, std::string_view b)
{
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               const auto lower = [](char c) {
                   return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
               };
               return lower(x) == lower(y);
           });
}

std::string_view trimmed(std::string_view s)
{
    const auto space = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; };
    while (!s.empty() && space(s.front()))
        s.remove_prefix(1);
    while (!s.empty() && space(s.back()))
        s.remove_suffix(1);
    return s;
}

std::vector<std::string> splitLinks(std::string_view text)
{
    std::vector<std::string> out;
    std::string current;
    for (const char c : text) {
        if (c == ';' || c == ',' || c == ' ' || c == '\t' || c == '\r' || c == '\n') {
            if (!current.empty())
                out.push_back(std::move(current));
            current.clear();
        } else {
            current += c;
        }
    }
    if (!current.empty())
        out.push_back(std::move(current));
    return out;
}

/// Character count of UTF-8 text (lead bytes only).
std::size_t charCount(std::string_view s)
{
    return static_cast<std::size_t>(
        std::count_if(s.begin(), s.end(), [](char c) { return (c & 0xC0) != 0x80; }));
}

/// The string member behind a text field (const-ness follows `row`); nullptr otherwise.
template <typename Row> auto textField(Row& row, ThreatField field) -> decltype(&row.component)
{
    switch (field) {
    case ThreatField::Component:
        return &row.component;
    case ThreatField::Threat:
        return &row.threat;
    case ThreatField::Mitigation:
        return &row.mitigation;
    case ThreatField::Owner:
        return &row.owner;
    case ThreatField::Description:
        return &row.description;
    default:
        return nullptr;
    }
}

} // namespace

std::string_view toString(ThreatSeverity s)
{
    switch (s) {
    case ThreatSeverity::Low:
        return "LOW";
    case ThreatSeverity::Med:
        return "MED";
    case ThreatSeverity::High:
        return "HIGH";
    case ThreatSeverity::Critical:
        return "CRITICAL";
    }
    return "MED";
}

std::optional<ThreatSeverity> threatSeverityFromString(std::string_view s)
{
    for (const auto v :
         {ThreatSeverity::Low, ThreatSeverity::Med, ThreatSeverity::High, ThreatSeverity::Critical})
        if (equalsIgnoreCase(s, toString(v)))
            return v;
    if (equalsIgnoreCase(s, "MEDIUM"))
        return ThreatSeverity::Med;
    return std::nullopt;
}

std::string_view toString(ThreatStatus s)
{
    switch (s) {
    case ThreatStatus::Open:
        return "open";
    case ThreatStatus::Mitigated:
        return "mitigated";
    case ThreatStatus::Accepted:
        return "accepted";
    case ThreatStatus::NotApplicable:
        return "not_applicable";
    }
    return "open";
}

std::optional<ThreatStatus> threatStatusFromString(std::string_view s)
{
    for (const auto v : {ThreatStatus::Open, ThreatStatus::Mitigated, ThreatStatus::Accepted,
                         ThreatStatus::NotApplicable})
        if (equalsIgnoreCase(s, toString(v)))
            return v;
    return std::nullopt;
}

std::span<const ThreatField> threatFields()
{
    return kFields;
}

std::string_view toString(ThreatField f)
{
    switch (f) {
    case ThreatField::Layer:
        return "layer";
    case ThreatField::Component:
        return "component";
    case ThreatField::Threat:
        return "threat";
    case ThreatField::Severity:
        return "severity";
    case ThreatField::Mitigation:
        return "mitigation";
    case ThreatField::Status:
        return "status";
    case ThreatField::Owner:
        return "owner";
    case ThreatField::Links:
        return "links";
    case ThreatField::Description:
        return "description";
    }
    return "layer";
}

std::optional<ThreatField> threatFieldFromString(std::string_view s)
{
    s = trimmed(s);
    for (const auto f : kFields)
        if (equalsIgnoreCase(s, toString(f)))
            return f;
    if (equalsIgnoreCase(s, "sev"))
        return ThreatField::Severity;
    return std::nullopt;
}

std::string fieldText(const ThreatRow& row, ThreatField field)
{
    switch (field) {
    case ThreatField::Layer:
        return std::to_string(row.layer);
    case ThreatField::Severity:
        return std::string(toString(row.severity));
    case ThreatField::Status:
        return std::string(toString(row.status));
    case ThreatField::Links: {
        std::string out;
        for (const auto& l : row.links) {
            if (!out.empty())
                out += ';';
            out += l;
        }
        return out;
    }
    default:
        return *textField(row, field);
    }
}

Result<void> setFieldText(ThreatRow& row, ThreatField field, std::string_view text)
{
    switch (field) {
    case ThreatField::Layer: {
        const auto t = trimmed(text);
        int layer = 0;
        const auto [end, ec] = std::from_chars(t.data(), t.data() + t.size(), layer);
        if (t.empty() || ec != std::errc() || end != t.data() + t.size() || layer < 1 || layer > 7)
            return fail("review.bad_field", cat("'", t, "' is not a layer from 1 to 7"));
        row.layer = layer;
        return {};
    }
    case ThreatField::Severity: {
        const auto t = trimmed(text);
        const auto s = threatSeverityFromString(t);
        if (!s)
            return fail("review.bad_field", cat("'", t, "' is not LOW, MED, HIGH or CRITICAL"));
        row.severity = *s;
        return {};
    }
    case ThreatField::Status: {
        const auto t = trimmed(text);
        const auto s = threatStatusFromString(t);
        if (!s)
            return fail("review.bad_field",
                        cat("'", t, "' is not open, mitigated, accepted or not_applicable"));
        row.status = *s;
        return {};
    }
    case ThreatField::Links:
        row.links = splitLinks(text);
        return {};
    default:
        *textField(row, field) = std::string(text);
        return {};
    }
}

std::string describe(const MatrixIssue& issue)
{
    if (issue.row < 0)
        return cat("matrix: ", issue.message);
    if (issue.field)
        return cat("row ", issue.row + 1, ", ", toString(*issue.field), ": ", issue.message);
    return cat("row ", issue.row + 1, ": ", issue.message);
}

std::vector<MatrixIssue> validateRow(const ThreatRow& row, int index)
{
    std::vector<MatrixIssue> out;
    const auto issue = [&](ThreatField f, std::string message) {
        out.push_back(MatrixIssue{index, f, std::move(message)});
    };
    if (row.layer < 1 || row.layer > 7)
        issue(ThreatField::Layer, cat("'", row.layer, "' is not a layer from 1 to 7"));
    if (trimmed(row.component).empty())
        issue(ThreatField::Component, "is empty");
    if (trimmed(row.threat).empty())
        issue(ThreatField::Threat, "is empty");
    for (const auto f : kFields) {
        const std::string* text = textField(row, f);
        if (text == nullptr)
            continue;
        const bool singleLine =
            f == ThreatField::Component || f == ThreatField::Threat || f == ThreatField::Owner;
        if (singleLine && text->find_first_of("\r\n") != std::string::npos)
            issue(f, "must be one line");
        if (charCount(*text) > kMaxFieldChars)
            issue(f, cat("is longer than ", kMaxFieldChars, " characters"));
    }
    std::set<std::string> seen;
    for (const auto& link : row.links) {
        const bool isRule = link.find('.') != std::string::npos;
        if (isRule ? !isFindingRuleId(link) : !isKnownFindingCategory(link))
            issue(ThreatField::Links, isRule ? cat("'", link, "' is not a dotted rule id")
                                             : cat("'", link, "' is not a finding category"));
        else if (!seen.insert(link).second)
            issue(ThreatField::Links, cat("'", link, "' is listed twice"));
    }
    if (row.status == ThreatStatus::Mitigated && trimmed(row.mitigation).empty())
        issue(ThreatField::Mitigation, "a mitigated threat must name its mitigation");
    if (row.status == ThreatStatus::Accepted && trimmed(row.owner).empty())
        issue(ThreatField::Owner, "an accepted risk must have an owner");
    return out;
}

std::vector<MatrixIssue> validateMatrix(const ThreatMatrix& matrix)
{
    std::vector<MatrixIssue> out;
    if (trimmed(matrix.name).empty())
        out.push_back(MatrixIssue{-1, std::nullopt, "name is empty"});
    for (std::size_t i = 0; i < matrix.rows.size(); ++i) {
        auto rowIssues = validateRow(matrix.rows[i], static_cast<int>(i));
        out.insert(out.end(), rowIssues.begin(), rowIssues.end());
    }
    return out;
}

std::span<const std::string_view> threatTemplateIds()
{
    return kTemplateIds;
}

std::span<const std::string_view> builtinThreatTemplateIds()
{
    return kBuiltinTemplateIds;
}

Result<ThreatTemplate> parseThreatTemplate(std::string_view json, std::string_view sourceName)
{
    const reviewdetail::JsonReader reader(sourceName, "review.bad_threat_template");
    auto doc = reader.parse(json);
    if (!doc)
        return std::unexpected(doc.error());
    if (auto ok = reader.object(*doc, "", {"template", "name", "source", "note", "rows"}); !ok)
        return std::unexpected(ok.error());
    ThreatTemplate out;
    auto id = reader.string(*doc, "", "template", true, true);
    auto name = reader.string(*doc, "", "name", true, true);
    auto source = reader.string(*doc, "", "source", false, false);
    for (const auto* r : {&id, &name, &source})
        if (!*r)
            return std::unexpected(r->error());
    out.id = std::move(*id);
    out.name = std::move(*name);
    out.source = std::move(*source);

    const auto rowsIt = doc->find("rows");
    if (rowsIt == doc->end())
        return std::unexpected(reader.error("rows", "missing"));
    if (auto ok = reader.array(*rowsIt, "rows"); !ok)
        return std::unexpected(ok.error());
    for (std::size_t i = 0; i < rowsIt->size(); ++i) {
        const auto path = indexPath("rows", i);
        const auto& obj = (*rowsIt)[i];
        if (auto ok = reader.object(obj, path,
                                    {"layer", "component", "threat", "severity", "mitigation",
                                     "links", "description", "display", "risk", "rationale",
                                     "status", "owner", "proof"});
            !ok)
            return std::unexpected(ok.error());
        ThreatTemplateRow tr;
        auto layer = reader.integer(obj, path, "layer", true, 1, 7);
        if (!layer)
            return std::unexpected(layer.error());
        tr.row.layer = static_cast<int>(**layer);
        auto component = reader.string(obj, path, "component", true, true);
        auto threat = reader.string(obj, path, "threat", true, true);
        auto severity = reader.string(obj, path, "severity", true, true);
        auto mitigation = reader.string(obj, path, "mitigation", false, false);
        auto description = reader.string(obj, path, "description", false, false);
        auto risk = reader.string(obj, path, "risk", false, false);
        auto rationale = reader.string(obj, path, "rationale", false, false);
        auto status = reader.string(obj, path, "status", false, false);
        auto owner = reader.string(obj, path, "owner", false, false);
        for (const auto* r : {&component, &threat, &severity, &mitigation, &description, &risk,
                              &rationale, &status, &owner})
            if (!*r)
                return std::unexpected(r->error());
        auto proof = reader.stringArray(obj, path, "proof");
        if (!proof)
            return std::unexpected(proof.error());
        auto links = reader.stringArray(obj, path, "links");
        if (!links)
            return std::unexpected(links.error());
        // Templates spell severities exactly as the matrix does; no aliases in shipped data.
        const auto sev = threatSeverityFromString(*severity);
        if (!sev || toString(*sev) != *severity)
            return std::unexpected(
                reader.error(childPath(path, "severity"), "expected LOW, MED, HIGH or CRITICAL"));
        tr.row.component = std::move(*component);
        tr.row.threat = std::move(*threat);
        tr.row.severity = *sev;
        tr.row.mitigation = std::move(*mitigation);
        tr.row.description = std::move(*description);
        tr.row.links = std::move(*links);
        if (!status->empty()) {
            const auto st = threatStatusFromString(*status);
            if (!st)
                return std::unexpected(reader.error(
                    childPath(path, "status"), "expected open, mitigated, accepted or not_applicable"));
            tr.row.status = *st;
        }
        tr.row.owner = std::move(*owner);
        tr.proof = std::move(*proof);
        if (!tr.proof.empty()) {
            // The row says what proves its mitigation wherever it is shown or exported.
            std::string proven = "Proven by:";
            for (std::size_t p = 0; p < tr.proof.size(); ++p)
                proven += (p ? "; " : " ") + tr.proof[p];
            tr.row.description += (tr.row.description.empty() ? "" : "\n") + proven;
        }
        tr.seedRisk = std::move(*risk);
        tr.rationale = std::move(*rationale);
        if (const auto display = obj.find("display"); display != obj.end()) {
            const auto displayPath = childPath(path, "display");
            if (auto ok = reader.object(*display, displayPath, {"threat", "mitigation"}); !ok)
                return std::unexpected(ok.error());
            auto t = reader.string(*display, displayPath, "threat", false, true);
            auto m = reader.string(*display, displayPath, "mitigation", false, true);
            for (const auto* r : {&t, &m})
                if (!*r)
                    return std::unexpected(r->error());
            tr.threatDisplay = std::move(*t);
            tr.mitigationDisplay = std::move(*m);
        }
        if (tr.threatDisplay.empty())
            tr.threatDisplay = tr.row.threat;
        if (tr.mitigationDisplay.empty())
            tr.mitigationDisplay = tr.row.mitigation;
        if (const auto issues = validateRow(tr.row); !issues.empty()) {
            const auto& first = issues.front();
            return std::unexpected(reader.error(
                first.field ? childPath(path, toString(*first.field)) : path, first.message));
        }
        out.rows.push_back(std::move(tr));
    }
    return out;
}

Result<ThreatTemplate> loadThreatTemplate(std::string_view id)
{
    const std::string path = cat("threats/", id, ".json");
    const auto text = embeddedResource(path);
    if (!text)
        return fail("review.missing_resource", cat(path, " is not embedded"));
    auto tpl = parseThreatTemplate(*text, path);
    if (tpl && tpl->id != id)
        return fail("review.bad_threat_template", cat(path, ": template: expected '", id, "'"));
    return tpl;
}

Result<std::vector<ThreatTemplate>> loadThreatTemplates(bool builtin)
{
    std::vector<ThreatTemplate> out;
    for (const auto id : builtin ? builtinThreatTemplateIds() : threatTemplateIds()) {
        auto tpl = loadThreatTemplate(id);
        if (!tpl)
            return std::unexpected(tpl.error());
        out.push_back(std::move(*tpl));
    }
    return out;
}

ThreatMatrix createMatrixFromTemplate(const ThreatTemplate& tpl, std::string name,
                                      std::string component)
{
    ThreatMatrix m = createBlankMatrix(std::move(name), std::move(component));
    m.templateId = tpl.id;
    for (const auto& tr : tpl.rows)
        m.rows.push_back(tr.row);
    return m;
}

ThreatMatrix createBlankMatrix(std::string name, std::string component)
{
    ThreatMatrix m;
    m.name = std::move(name);
    m.component = std::move(component);
    return m;
}

std::int64_t findingsFor(const ThreatRow& row, const EvidenceSource& source,
                         const EvidenceScope& scope)
{
    return countLinkedFindings(row.links, source, scope.baseQuery());
}

} // namespace vigil
