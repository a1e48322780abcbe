// SPDX-License-Identifier: Apache-2.0
// The paginated PDF rendering of a ReportDocument: a small flow layout (headings,
// wrapped paragraphs, tables that break across pages, vector bar charts) on PdfWriter.
#include "report/pdfwriter.h"
#include "report/reportrender.h"

#include "base/timeutil.h"

#include <algorithm>
#include <cstdio>

namespace vigil {
namespace {

using Font = PdfWriter::Font;
using Color = PdfWriter::Color;

constexpr double kLeft = 48, kRight = 48, kBottom = 58;
constexpr double kContentTop = PdfWriter::kPageHeight - 74;
constexpr double kWidth = PdfWriter::kPageWidth - kLeft - kRight;
constexpr Color kInk{0.11, 0.14, 0.19};
constexpr Color kMuted{0.42, 0.45, 0.5};
constexpr Color kRule{0.79, 0.82, 0.86};
constexpr Color kHeaderFill{0.91, 0.93, 0.95};
constexpr Color kAccent{0.18, 0.36, 0.54};
constexpr int kMaxCellLines = 30;

Color toneColor(std::string_view tone)
{
    if (tone == "pass" || tone == "low" || tone == "resolved")
        return {0.10, 0.50, 0.22};
    if (tone == "fail" || tone == "critical")
        return {0.71, 0.14, 0.09};
    if (tone == "high")
        return {0.85, 0.28, 0.06};
    if (tone == "medium" || tone == "investigating")
        return {0.77, 0.54, 0.0};
    if (tone == "unknown" || tone == "false_positive")
        return {0.54, 0.58, 0.64};
    return kAccent;
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

/// Byte length of the UTF-8 sequence starting with `c` (1 for stray bytes).
std::size_t sequenceLength(unsigned char c)
{
    if (c >= 0xF0 && c < 0xF8)
        return 4;
    if (c >= 0xE0)
        return c < 0xF0 ? 3 : 1;
    if (c >= 0xC0)
        return 2;
    return 1;
}

/// Breaks `text` into lines no wider than `width`: at spaces where possible, inside a word
/// that alone is too wide, and at every newline.
std::vector<std::string> wrap(std::string_view text, Font font, double size, double width)
{
    std::vector<std::string> lines;
    std::size_t start = 0;
    while (start <= text.size()) {
        const std::size_t nl = text.find('\n', start);
        const std::string_view para =
            text.substr(start, nl == std::string_view::npos ? std::string_view::npos : nl - start);
        std::string line;
        std::size_t i = 0;
        while (i < para.size()) {
            std::size_t end = para.find(' ', i);
            if (end == std::string_view::npos)
                end = para.size();
            std::string word(para.substr(i, end - i));
            const std::string candidate = line.empty() ? word : line + " " + word;
            if (PdfWriter::textWidth(font, size, candidate) <= width) {
                line = candidate;
            } else {
                if (!line.empty()) {
                    lines.push_back(line);
                    line.clear();
                }
                // A word wider than the line: cut it at code point boundaries.
                while (PdfWriter::textWidth(font, size, word) > width) {
                    std::size_t cut = 0, next = 0;
                    while (next < word.size()) {
                        const std::size_t len =
                            sequenceLength(static_cast<unsigned char>(word[next]));
                        if (PdfWriter::textWidth(font, size, word.substr(0, next + len)) > width)
                            break;
                        next += len;
                        cut = next;
                    }
                    if (cut == 0)
                        cut = sequenceLength(static_cast<unsigned char>(word[0]));
                    lines.push_back(word.substr(0, cut));
                    word.erase(0, cut);
                }
                line = word;
            }
            i = end + 1;
        }
        lines.push_back(line);
        if (nl == std::string_view::npos)
            break;
        start = nl + 1;
    }
    return lines;
}

/// Cuts `text` to fit `width` on one line, ending in `...`.
std::string fitLine(const std::string& text, Font font, double size, double width)
{
    if (PdfWriter::textWidth(font, size, text) <= width)
        return text;
    std::string out;
    for (std::size_t i = 0; i < text.size();) {
        const std::size_t len = sequenceLength(static_cast<unsigned char>(text[i]));
        if (PdfWriter::textWidth(font, size, out + text.substr(i, len) + "...") > width)
            break;
        out += text.substr(i, len);
        i += len;
    }
    return out + "...";
}

class Layout
{
public:
    explicit Layout(const ReportDocument& doc) : m_doc(doc) { newPage(); }

    void title()
    {
        m_pdf.text(kLeft, m_y - 18, Font::Bold, 18, m_doc.meta.title, kInk);
        m_y -= 30;
        ReportTable meta = metaTable(m_doc.meta);
        std::erase_if(meta.rows, [](const std::vector<std::string>& r) {
            return r[0] == "Title" || r[0] == "Redaction"; // the heading and the note below
        });
        table(meta, false);
        const bool redacted = m_doc.meta.redacted;
        paragraph(redactionNote(redacted), redacted ? Font::Regular : Font::Bold,
                  redacted ? kInk : toneColor("fail"));
    }

    void section(const ReportSection& s)
    {
        ensure(60);
        m_y -= 10;
        m_pdf.text(kLeft, m_y - 14, Font::Bold, 14, s.title, kAccent);
        m_y -= 20;
        m_pdf.line(kLeft, m_y, kLeft + kWidth, m_y, 0.8, kAccent);
        m_y -= 8;
        for (const ReportBlock& b : s.blocks) {
            if (const auto* p = std::get_if<ReportParagraph>(&b))
                paragraph(p->text, Font::Regular, kInk);
            else if (const auto* t = std::get_if<ReportTable>(&b))
                table(*t, true);
            else if (const auto* c = std::get_if<ReportChart>(&b))
                chart(*c);
        }
    }

    std::string finish()
    {
        const int pages = m_pdf.pageCount();
        const ReportMeta& m = m_doc.meta;
        const std::string left = "Vigil " + m.vigilVersion + " - " + std::string(toString(m.kind)) +
                                 " report - " + (m.redacted ? "redacted" : "UNREDACTED");
        for (int i = 0; i < pages; ++i) {
            m_pdf.selectPage(i);
            m_pdf.line(kLeft, 44, kLeft + kWidth, 44, 0.5, kRule);
            m_pdf.text(kLeft, 32, Font::Regular, 7.5, left, kMuted);
            const std::string pageText =
                "Page " + std::to_string(i + 1) + " of " + std::to_string(pages);
            m_pdf.text(kLeft + kWidth - PdfWriter::textWidth(Font::Regular, 7.5, pageText), 32,
                       Font::Regular, 7.5, pageText, kMuted);
        }
        PdfWriter::Info info;
        info.title = m.title;
        info.subject = "Window " + windowText(m) + "; chain head " + m.chainHead;
        const std::string ts = formatRfc3339Utc(m.generatedMs); // 2026-11-21T10:00:00.000Z
        if (ts.size() >= 19)
            info.creationDate = ts.substr(0, 4) + ts.substr(5, 2) + ts.substr(8, 2) +
                                ts.substr(11, 2) + ts.substr(14, 2) + ts.substr(17, 2) + "Z";
        return m_pdf.finish(info);
    }

private:
    void newPage()
    {
        m_pdf.beginPage();
        const ReportMeta& m = m_doc.meta;
        const double top = PdfWriter::kPageHeight - 30;
        m_pdf.text(kLeft, top, Font::Bold, 9, fitLine(m.title, Font::Bold, 9, kWidth * 0.6), kInk);
        const std::string gen = "Generated " + formatRfc3339Utc(m.generatedMs);
        m_pdf.text(kLeft + kWidth - PdfWriter::textWidth(Font::Regular, 7.5, gen), top,
                   Font::Regular, 7.5, gen, kMuted);
        m_pdf.text(kLeft, top - 11, Font::Regular, 7.5, "Window: " + windowText(m), kInk);
        const std::string label = "Chain head: ";
        const double lw = PdfWriter::textWidth(Font::Regular, 7.5, label);
        m_pdf.text(kLeft, top - 21, Font::Regular, 7.5, label, kInk);
        const std::string head = m.chainHead.empty() ? "(no events)" : m.chainHead;
        m_pdf.text(kLeft + lw, top - 21, Font::Mono, 7, head, kInk);
        const std::string tail =
            " (" + std::to_string(m.chainEvents) + " events, " +
            (m.chainStatus.starts_with("intact")   ? std::string("intact")
             : m.chainStatus.starts_with("broken") ? std::string("BROKEN")
                                                   : std::string("not verified")) +
            ")";
        m_pdf.text(kLeft + lw + PdfWriter::textWidth(Font::Mono, 7, head), top - 21, Font::Regular,
                   7.5, tail, kInk);
        m_pdf.line(kLeft, top - 28, kLeft + kWidth, top - 28, 0.6, kRule);
        m_y = kContentTop;
    }

    void ensure(double height)
    {
        if (m_y - height < kBottom)
            newPage();
    }

    void paragraph(const std::string& text, Font font, Color color)
    {
        const double size = 9.5, lh = 12.5;
        for (const std::string& l : wrap(text, font, size, kWidth)) {
            ensure(lh);
            m_pdf.text(kLeft, m_y - size, font, size, l, color);
            m_y -= lh;
        }
        m_y -= 5;
    }

    struct Cells
    {
        std::vector<std::vector<std::string>> lines;
        double height = 0;
    };

    Cells layoutRow(const std::vector<std::string>& cells, const std::vector<double>& widths,
                    Font font) const
    {
        Cells c;
        std::size_t most = 1;
        for (std::size_t i = 0; i < widths.size(); ++i) {
            auto lines =
                wrap(i < cells.size() ? cells[i] : std::string(), font, kCell, widths[i] - 6);
            if (lines.size() > kMaxCellLines) {
                lines.resize(kMaxCellLines);
                lines.back() += " ...";
            }
            most = std::max(most, lines.size());
            c.lines.push_back(std::move(lines));
        }
        c.height = static_cast<double>(most) * kLine + 5;
        return c;
    }

    void drawRow(const ReportTable& t, const Cells& c, const std::vector<double>& widths, Font font,
                 bool header)
    {
        if (header)
            m_pdf.rect(kLeft, m_y - c.height, kWidth, c.height, kHeaderFill);
        double x = kLeft;
        for (std::size_t i = 0; i < widths.size(); ++i) {
            const ReportColumn& col = t.columns[i];
            const std::string cell =
                header || i >= c.lines.size() || c.lines[i].empty() ? std::string() : c.lines[i][0];
            Color color = kInk;
            Font f = font;
            if (!header && (col.id == "status" || col.id == "auto" || col.id == "verdict") &&
                (cell == "pass" || cell == "fail" || cell == "unknown")) {
                color = toneColor(cell);
                f = Font::Bold;
            }
            if (!header && (col.id == "head" || col.id == "hash"))
                f = Font::Mono;
            double y = m_y - 3 - kCell;
            for (const std::string& l : c.lines[i]) {
                const double tx = col.numeric && !header
                                      ? x + widths[i] - 3 - PdfWriter::textWidth(f, kCell, l)
                                      : x + 3;
                m_pdf.text(tx, y, f, kCell, l, color);
                y -= kLine;
            }
            x += widths[i];
        }
        m_y -= c.height;
        m_pdf.line(kLeft, m_y, kLeft + kWidth, m_y, 0.4, kRule);
    }

    void table(const ReportTable& t, bool withTitle)
    {
        if (withTitle && !t.title.empty()) {
            ensure(40);
            m_pdf.text(kLeft, m_y - 10.5, Font::Bold, 10.5, t.title, kInk);
            m_y -= 16;
        }
        if (t.rows.empty()) {
            paragraph(t.emptyText, Font::Regular, kMuted);
            return;
        }
        double total = 0;
        for (const ReportColumn& c : t.columns)
            total += c.weight;
        std::vector<double> widths;
        for (const ReportColumn& c : t.columns)
            widths.push_back(kWidth * c.weight / total);
        std::vector<std::string> titles;
        for (const ReportColumn& c : t.columns)
            titles.push_back(c.title);
        const Cells head = layoutRow(titles, widths, Font::Bold);
        bool needHeader = true;
        for (const auto& row : t.rows) {
            const Cells cells = layoutRow(row, widths, Font::Regular);
            if (m_y - cells.height - (needHeader ? head.height : 0) < kBottom) {
                newPage();
                needHeader = true;
            }
            if (needHeader) {
                drawRow(t, head, widths, Font::Bold, true);
                needHeader = false;
            }
            drawRow(t, cells, widths, Font::Regular, false);
        }
        m_y -= 10;
    }

    void chart(const ReportChart& c)
    {
        const double rowH = 14, labelW = 150;
        const double height =
            18 + (c.bars.empty() ? 14 : rowH * static_cast<double>(c.bars.size())) + 10;
        ensure(std::min(height, kContentTop - kBottom));
        m_pdf.text(kLeft, m_y - 10.5, Font::Bold, 10.5, c.title, kInk);
        m_y -= 18;
        if (c.bars.empty()) {
            paragraph("No data.", Font::Regular, kMuted);
            return;
        }
        double maxValue = 0;
        for (const ReportBar& b : c.bars)
            maxValue = std::max(maxValue, b.value);
        const double x0 = kLeft + labelW + 5, barMax = kWidth - labelW - 50;
        double top = m_y;
        for (const ReportBar& b : c.bars) {
            if (m_y - rowH < kBottom) { // continue the chart on a new page, with its own axis
                m_pdf.line(x0, top, x0, m_y, 0.6, kMuted);
                newPage();
                top = m_y;
            }
            const std::string label = fitLine(b.label, Font::Regular, 8, labelW);
            m_pdf.text(x0 - 5 - PdfWriter::textWidth(Font::Regular, 8, label), m_y - 10,
                       Font::Regular, 8, label, kInk);
            const double w = maxValue > 0 ? b.value / maxValue * barMax : 0;
            if (w > 0)
                m_pdf.polygon(
                    {{x0, m_y - 12}, {x0 + w, m_y - 12}, {x0 + w, m_y - 2}, {x0, m_y - 2}},
                    toneColor(b.tone));
            m_pdf.text(x0 + w + 4, m_y - 10, Font::Regular, 8, formatValue(b.value), kInk);
            m_y -= rowH;
        }
        m_pdf.line(x0, top, x0, m_y, 0.6, kMuted); // the value axis

        m_y -= 10;
    }

    static constexpr double kCell = 7.5;
    static constexpr double kLine = 9.5;

    const ReportDocument& m_doc;
    PdfWriter m_pdf;
    double m_y = 0;
};

} // namespace

std::string renderPdf(const ReportDocument& doc)
{
    Layout layout(doc);
    layout.title();
    for (const ReportSection& s : doc.sections)
        layout.section(s);
    return layout.finish();
}

} // namespace vigil
