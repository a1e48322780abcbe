// SPDX-License-Identifier: Apache-2.0
// CSV and JSON renderings of a ReportDocument, and the format names.
#include "report/reportrender.h"

#include "base/timeutil.h"
#include "review/threatmatrixio.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <array>
#include <charconv>

namespace vigil {
namespace {

constexpr std::array<std::pair<ReportFormat, std::string_view>, 6> kFormats{{
    {ReportFormat::Pdf, "pdf"},
    {ReportFormat::Html, "html"},
    {ReportFormat::Csv, "csv"},
    {ReportFormat::Json, "json"},
    {ReportFormat::Ocsf, "ocsf"},
    {ReportFormat::Sarif, "sarif"},
}};

ReportTable chartTable(const ReportChart& c)
{
    ReportTable t;
    t.id = c.id;
    t.title = c.title;
    t.columns = {{"label", "Label"}, {"value", c.unit.empty() ? "Value" : c.unit, 1, true}};
    for (const ReportBar& b : c.bars) {
        char buf[32];
        const auto r = std::to_chars(buf, buf + sizeof buf, b.value);
        t.rows.push_back({b.label, std::string(buf, r.ptr)});
    }
    return t;
}

nlohmann::ordered_json cellJson(const ReportColumn& col, const std::string& cell)
{
    if (col.numeric && !cell.empty()) {
        std::int64_t i = 0;
        const auto r = std::from_chars(cell.data(), cell.data() + cell.size(), i);
        if (r.ec == std::errc() && r.ptr == cell.data() + cell.size())
            return i;
        double d = 0;
        const auto rd = std::from_chars(cell.data(), cell.data() + cell.size(), d);
        if (rd.ec == std::errc() && rd.ptr == cell.data() + cell.size())
            return d;
    }
    return cell;
}

} // namespace

std::string_view toString(ReportFormat f)
{
    for (const auto& [format, name] : kFormats)
        if (format == f)
            return name;
    return "pdf";
}

std::optional<ReportFormat> reportFormatFromString(std::string_view s)
{
    for (const auto& [format, name] : kFormats)
        if (name == s)
            return format;
    return std::nullopt;
}

std::string_view fileExtension(ReportFormat f)
{
    switch (f) {
    case ReportFormat::Ocsf:
        return "ocsf.json";
    case ReportFormat::Sarif:
        return "sarif";
    default:
        return toString(f);
    }
}

std::string renderCsv(const ReportDocument& doc)
{
    struct Named
    {
        std::string section;
        ReportTable table;
    };
    std::vector<Named> tables;
    tables.push_back({"report", metaTable(doc.meta)});
    for (const ReportSection& s : doc.sections)
        for (const ReportBlock& b : s.blocks) {
            if (const auto* t = std::get_if<ReportTable>(&b))
                tables.push_back({s.id, *t});
            else if (const auto* c = std::get_if<ReportChart>(&b))
                tables.push_back({s.id, chartTable(*c)});
        }
    std::size_t width = 0;
    for (const Named& n : tables)
        width = std::max(width, n.table.columns.size());

    std::string out = "section,table,row";
    for (std::size_t i = 1; i <= width; ++i)
        out += ",c" + std::to_string(i);
    out += "\r\n";
    auto record = [&](const Named& n, std::size_t row, const std::vector<std::string>& cells) {
        out += csvCell(n.section) + "," + csvCell(n.table.id) + "," + std::to_string(row);
        for (std::size_t i = 0; i < width; ++i)
            out += "," + (i < cells.size() ? csvCell(cells[i]) : std::string());
        out += "\r\n";
    };
    for (const Named& n : tables) {
        std::vector<std::string> titles;
        for (const ReportColumn& c : n.table.columns)
            titles.push_back(c.title);
        record(n, 0, titles);
        for (std::size_t r = 0; r < n.table.rows.size(); ++r)
            record(n, r + 1, n.table.rows[r]);
    }
    return out;
}

std::string renderJson(const ReportDocument& doc)
{
    using J = nlohmann::ordered_json;
    const ReportMeta& m = doc.meta;
    J report;
    report["title"] = m.title;
    report["kind"] = toString(m.kind);
    report["generated"] = formatRfc3339Utc(m.generatedMs);
    report["window"] = {{"from", m.fromMs ? J(formatRfc3339Utc(*m.fromMs)) : J(nullptr)},
                        {"to", m.toMs ? J(formatRfc3339Utc(*m.toMs)) : J(nullptr)}};
    report["database"] = m.database;
    report["database_uuid"] = m.databaseUuid;
    report["chain"] = {{"head", m.chainHead.empty() ? J(nullptr) : J(m.chainHead)},
                       {"events", m.chainEvents},
                       {"status", m.chainStatus}};
    report["events_in_window"] = m.eventsInWindow;
    report["redacted"] = m.redacted;
    report["redaction_note"] = redactionNote(m.redacted);
    report["vigil_version"] = m.vigilVersion;

    J sections = J::array();
    for (const ReportSection& s : doc.sections) {
        J js;
        js["id"] = s.id;
        js["title"] = s.title;
        js["paragraphs"] = J::array();
        js["tables"] = J::array();
        js["charts"] = J::array();
        for (const ReportBlock& b : s.blocks) {
            if (const auto* p = std::get_if<ReportParagraph>(&b)) {
                js["paragraphs"].push_back(p->text);
            } else if (const auto* t = std::get_if<ReportTable>(&b)) {
                J jt;
                jt["id"] = t->id;
                jt["title"] = t->title;
                jt["columns"] = J::array();
                for (const ReportColumn& c : t->columns)
                    jt["columns"].push_back({{"id", c.id}, {"title", c.title}});
                jt["rows"] = J::array();
                for (const auto& row : t->rows) {
                    J jr = J::object();
                    for (std::size_t i = 0; i < t->columns.size(); ++i)
                        jr[t->columns[i].id] =
                            cellJson(t->columns[i], i < row.size() ? row[i] : std::string());
                    jt["rows"].push_back(std::move(jr));
                }
                js["tables"].push_back(std::move(jt));
            } else if (const auto* c = std::get_if<ReportChart>(&b)) {
                J jc;
                jc["id"] = c->id;
                jc["title"] = c->title;
                jc["unit"] = c->unit;
                jc["bars"] = J::array();
                for (const ReportBar& bar : c->bars)
                    jc["bars"].push_back(
                        {{"label", bar.label},
                         {"value",
                          bar.value == static_cast<double>(static_cast<std::int64_t>(bar.value))
                              ? J(static_cast<std::int64_t>(bar.value))
                              : J(bar.value)}});
                js["charts"].push_back(std::move(jc));
            }
        }
        sections.push_back(std::move(js));
    }
    J root;
    root["report"] = std::move(report);
    root["sections"] = std::move(sections);
    // Replace invalid UTF-8 (e.g. in logged text) rather than throw.
    return root.dump(2, ' ', false, J::error_handler_t::replace) + "\n";
}

} // namespace vigil
