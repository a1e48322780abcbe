// SPDX-License-Identifier: Apache-2.0
// The self-contained HTML rendering of a ReportDocument.
#include "report/reportrender.h"

#include "base/timeutil.h"

#include <algorithm>
#include <cstdio>

namespace vigil {
namespace {

constexpr std::string_view kStyle = R"css(
body{font-family:Helvetica,Arial,sans-serif;font-size:14px;color:#1d2430;margin:2em auto;max-width:1100px;padding:0 1em}
h1{font-size:24px;margin:0 0 .3em}
h2{font-size:19px;border-bottom:2px solid #2f5d8a;padding-bottom:.2em;margin-top:1.8em}
h3{font-size:15px;margin:1.2em 0 .4em}
table{border-collapse:collapse;width:100%;margin:.4em 0 1em}
th,td{border:1px solid #c9d1dc;padding:4px 6px;text-align:left;vertical-align:top}
th{background:#e8edf3}
td.num{text-align:right;white-space:nowrap}
code{font-family:Courier,monospace;font-size:12px;word-break:break-all}
.header{background:#f3f6f9;border:1px solid #c9d1dc;padding:.8em 1em}
.header table{margin:0}
.header th{width:12em;background:transparent;border:none;padding:2px 6px}
.header td{border:none;padding:2px 6px}
.redaction{padding:.5em .8em;border-left:4px solid #2f5d8a;background:#eef3f8}
.unredacted{border-left-color:#b42318;background:#fdecea;font-weight:bold}
.pass{color:#1a7f37;font-weight:bold}
.fail{color:#b42318;font-weight:bold}
.unknown{color:#6b7280;font-weight:bold}
.empty{color:#6b7280;font-style:italic}
footer{margin-top:2em;color:#6b7280;font-size:12px}
)css";

/// Fill colour of a bar by its tone (the same palette as the PDF).
std::string_view toneColor(std::string_view tone)
{
    if (tone == "pass" || tone == "low" || tone == "resolved")
        return "#1a7f37";
    if (tone == "fail" || tone == "critical")
        return "#b42318";
    if (tone == "high")
        return "#d9480f";
    if (tone == "medium" || tone == "investigating")
        return "#c58a00";
    if (tone == "unknown" || tone == "false_positive")
        return "#8a94a3";
    return "#2f5d8a";
}

std::string formatValue(double v)
{
    char buf[32];
    if (v == static_cast<double>(static_cast<long long>(v)))
        std::snprintf(buf, sizeof buf, "%lld", static_cast<long long>(v));
    else
        std::snprintf(buf, sizeof buf, "%.2f", v);
    return buf;
}

std::string anchor(std::string_view id)
{
    std::string out;
    for (const char c : id)
        out.push_back((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ? c : '-');
    return out;
}

void svgChart(std::string& out, const ReportChart& c)
{
    const int labelWidth = 220, barWidth = 380, rowHeight = 22, width = labelWidth + barWidth + 80;
    const int height = static_cast<int>(c.bars.size()) * rowHeight + 10;
    double maxValue = 0;
    for (const ReportBar& b : c.bars)
        maxValue = std::max(maxValue, b.value);
    out += "<svg xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" width=\"" +
           std::to_string(width) + "\" height=\"" + std::to_string(height) + "\" viewBox=\"0 0 " +
           std::to_string(width) + " " + std::to_string(height) + "\" aria-label=\"" +
           htmlEscape(c.title) + "\">\n";
    out += "<line x1=\"" + std::to_string(labelWidth) + "\" y1=\"0\" x2=\"" +
           std::to_string(labelWidth) + "\" y2=\"" + std::to_string(height) +
           "\" stroke=\"#8a94a3\"/>\n";
    int y = 4;
    for (const ReportBar& b : c.bars) {
        const int w = maxValue > 0 ? static_cast<int>(b.value / maxValue * barWidth + 0.5) : 0;
        out += "<text x=\"" + std::to_string(labelWidth - 6) + "\" y=\"" + std::to_string(y + 14) +
               "\" font-size=\"12\" text-anchor=\"end\" fill=\"#1d2430\">" + htmlEscape(b.label) +
               "</text>\n";
        out += "<rect x=\"" + std::to_string(labelWidth) + "\" y=\"" + std::to_string(y + 2) +
               "\" width=\"" + std::to_string(w) + "\" height=\"" + std::to_string(rowHeight - 6) +
               "\" fill=\"" + std::string(toneColor(b.tone)) + "\"/>\n";
        out += "<text x=\"" + std::to_string(labelWidth + w + 6) + "\" y=\"" +
               std::to_string(y + 14) + "\" font-size=\"12\" fill=\"#1d2430\">" +
               formatValue(b.value) + "</text>\n";
        y += rowHeight;
    }
    out += "</svg>\n";
}

void tableChart(std::string& out, const ReportChart& c)
{
    double maxValue = 0;
    for (const ReportBar& b : c.bars)
        maxValue = std::max(maxValue, b.value);
    out += "<table class=\"chart\">\n";
    for (const ReportBar& b : c.bars) {
        const int pct = maxValue > 0 ? std::max(1, static_cast<int>(b.value / maxValue * 100)) : 1;
        out += "<tr><td width=\"30%\">" + htmlEscape(b.label) + "</td><td><table width=\"" +
               std::to_string(pct) + "%\" cellspacing=\"0\" cellpadding=\"2\"><tr><td bgcolor=\"" +
               std::string(toneColor(b.tone)) +
               "\"></td></tr></table></td><td class=\"num\" width=\"10%\">" + formatValue(b.value) +
               "</td></tr>\n";
    }
    out += "</table>\n";
}

void table(std::string& out, const ReportTable& t)
{
    if (!t.title.empty())
        out += "<h3>" + htmlEscape(t.title) + "</h3>\n";
    if (t.rows.empty()) {
        out += "<p class=\"empty\">" + htmlEscape(t.emptyText) + "</p>\n";
        return;
    }
    out += "<table id=\"" + anchor(t.id) + "\">\n<thead><tr>";
    for (const ReportColumn& c : t.columns)
        out += "<th>" + htmlEscape(c.title) + "</th>";
    out += "</tr></thead>\n<tbody>\n";
    for (const auto& row : t.rows) {
        out += "<tr>";
        for (std::size_t i = 0; i < t.columns.size(); ++i) {
            const std::string& cell = i < row.size() ? row[i] : std::string();
            const ReportColumn& col = t.columns[i];
            if (col.numeric)
                out += "<td class=\"num\">";
            else if ((col.id == "status" || col.id == "auto" || col.id == "verdict") &&
                     (cell == "pass" || cell == "fail" || cell == "unknown"))
                out += "<td class=\"" + cell + "\">";
            else if (col.id == "verdict" && cell.ends_with("(conflict)"))
                out += "<td class=\"fail\">"; // a verdict over failing evidence
            else
                out += "<td>";
            if (col.id == "head" || col.id == "hash")
                out += "<code>" + htmlEscape(cell) + "</code>";
            else
                out += htmlEscape(cell);
            out += "</td>";
        }
        out += "</tr>\n";
    }
    out += "</tbody>\n</table>\n";
}

} // namespace

std::string htmlEscape(std::string_view text)
{
    std::string out;
    out.reserve(text.size() + 16);
    for (const char c : text) {
        switch (c) {
        case '&':
            out += "&amp;";
            break;
        case '<':
            out += "&lt;";
            break;
        case '>':
            out += "&gt;";
            break;
        case '"':
            out += "&quot;";
            break;
        case '\'':
            out += "&#39;";
            break;
        default:
            out.push_back(c);
        }
    }
    return out;
}

std::string renderHtml(const ReportDocument& doc, const HtmlOptions& options)
{
    const ReportMeta& m = doc.meta;
    std::string out;
    out.reserve(64 * 1024);
    out += "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
           "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
           "style-src 'unsafe-inline'\">\n"
           "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
           "<meta name=\"generator\" content=\"Vigil " +
           htmlEscape(m.vigilVersion) + "\">\n<title>" + htmlEscape(m.title) + "</title>\n<style>" +
           std::string(kStyle) + "</style>\n</head>\n<body>\n";
    out += "<div class=\"header\">\n<h1>" + htmlEscape(m.title) + "</h1>\n<table>\n";
    const ReportTable meta = metaTable(m);
    for (const auto& row : meta.rows) {
        if (row[0] == "Title" || row[0] == "Redaction")
            continue;
        out += "<tr><th>" + htmlEscape(row[0]) + "</th><td>";
        out +=
            row[0] == "Chain head" ? "<code>" + htmlEscape(row[1]) + "</code>" : htmlEscape(row[1]);
        out += "</td></tr>\n";
    }
    out += "</table>\n</div>\n";
    out += std::string("<p class=\"redaction") + (m.redacted ? "" : " unredacted") + "\">" +
           htmlEscape(redactionNote(m.redacted)) + "</p>\n";

    for (const ReportSection& s : doc.sections) {
        out += "<section id=\"" + anchor(s.id) + "\">\n<h2>" + htmlEscape(s.title) + "</h2>\n";
        for (const ReportBlock& b : s.blocks) {
            if (const auto* p = std::get_if<ReportParagraph>(&b)) {
                out += "<p>" + htmlEscape(p->text) + "</p>\n";
            } else if (const auto* t = std::get_if<ReportTable>(&b)) {
                table(out, *t);
            } else if (const auto* c = std::get_if<ReportChart>(&b)) {
                out += "<h3>" + htmlEscape(c->title) + "</h3>\n";
                if (c->bars.empty())
                    out += "<p class=\"empty\">No data.</p>\n";
                else if (options.svgCharts)
                    svgChart(out, *c);
                else
                    tableChart(out, *c);
            }
        }
        out += "</section>\n";
    }
    out += "<footer>Generated " + htmlEscape(formatRfc3339Utc(m.generatedMs)) + " by Vigil " +
           htmlEscape(m.vigilVersion) + ". Chain head " + htmlEscape(m.chainHead) + " over " +
           std::to_string(m.chainEvents) + " events.</footer>\n</body>\n</html>\n";
    return out;
}

} // namespace vigil
