// SPDX-License-Identifier: Apache-2.0
// The paginated PDF rendering of a ReportDocument: a small flow layout (headings kept with
// what follows them, wrapped paragraphs, tables sized to their content that break across
// pages with their header repeated, vector bar charts) on PdfWriter.
#include "report/pdfwriter.h"
#include "report/reportrender.h"
#include "report/textwrap.h"

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

/// Breaks `text` into lines no wider than `width` (textwrap.h: at spaces, then after
/// separators, cutting only a piece that alone is too wide).
std::vector<std::string> wrap(std::string_view text, Font font, double size, double width)
{
    return wrapText(text, width, [font, size](std::string_view s) {
        return PdfWriter::textWidth(font, size, s);
    });
}

/// How a table cell is set: status words in their tone, a conflicting verdict in the fail
/// tone, hashes in the monospaced font.
struct CellStyle
{
    Font font = Font::Regular;
    Color color = kInk;
};

CellStyle cellStyle(const ReportColumn& col, std::string_view cell)
{
    if ((col.id == "status" || col.id == "auto" || col.id == "verdict") &&
        (cell == "pass" || cell == "fail" || cell == "unknown"))
        return {Font::Bold, toneColor(cell)};
    if (col.id == "verdict" && cell.ends_with("(conflict)"))
        return {Font::Bold, toneColor("fail")};
    if (col.id == "head" || col.id == "hash")
        return {Font::Mono, kInk};
    return {};
}

/// Cuts `text` to fit `width` on one line, ending in `...`.
std::string fitLine(const std::string& text, Font font, double size, double width)
{
    if (PdfWriter::textWidth(font, size, text) <= width)
        return text;
    std::string out;
    for (std::size_t i = 0; i < text.size();) {
        const std::size_t len = utf8SequenceLength(static_cast<unsigned char>(text[i]));
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
        m_fresh = false;
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
        // The heading waits until the first block has room for its first lines or rows.
        m_pending.push_back({s.title, Heading::Section});
        for (const ReportBlock& b : s.blocks) {
            if (const auto* p = std::get_if<ReportParagraph>(&b))
                paragraph(p->text, Font::Regular, kInk);
            else if (const auto* t = std::get_if<ReportTable>(&b))
                table(*t, true);
            else if (const auto* c = std::get_if<ReportChart>(&b))
                chart(*c);
        }
        // A section without blocks leaves its heading waiting for the next section's first
        // block, so that it does not end a page alone either.
    }

    std::string finish()
    {
        if (!m_pending.empty())
            ensure(0); // headings of trailing sections without blocks
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
    /// A heading waiting to be drawn together with the first lines of what follows it.
    struct Heading
    {
        enum Kind : std::uint8_t
        {
            Section, ///< 14 pt with a rule below
            Block    ///< a table's or chart's title, 10.5 pt
        };
        std::string text;
        Kind kind = Block;

        double height() const { return kind == Section ? 38 : 17; }
    };

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
        m_fresh = true;
    }

    double pendingHeight() const
    {
        double h = 0;
        for (const Heading& p : m_pending)
            h += p.height();
        return h;
    }

    /// Makes room for `height` below the waiting headings (a new page when they do not fit
    /// together, unless the page is still empty), then draws the headings. True when it
    /// started a new page.
    bool ensure(double height)
    {
        bool broke = false;
        if (m_y - height - pendingHeight() < kBottom && !m_fresh) {
            newPage();
            broke = true;
        }
        for (const Heading& h : m_pending) {
            if (h.kind == Heading::Section) {
                m_y -= 10;
                m_pdf.text(kLeft, m_y - 14, Font::Bold, 14, h.text, kAccent);
                m_y -= 20;
                m_pdf.line(kLeft, m_y, kLeft + kWidth, m_y, 0.8, kAccent);
                m_y -= 8;
            } else {
                m_pdf.text(kLeft, m_y - 10.5, Font::Bold, 10.5, h.text, kInk);
                m_y -= 17;
            }
        }
        m_pending.clear();
        m_fresh = false;
        return broke;
    }

    void paragraph(const std::string& text, Font font, Color color)
    {
        const double size = 9.5, lh = 12.5;
        const auto lines = wrap(text, font, size, kWidth);
        for (std::size_t i = 0; i < lines.size(); ++i) {
            // A paragraph starts with two lines together, so a heading keeps both.
            ensure(i == 0 && lines.size() > 1 ? 2 * lh : lh);
            m_pdf.text(kLeft, m_y - size, font, size, lines[i], color);
            m_y -= lh;
        }
        m_y -= 5;
    }

    struct Cells
    {
        std::vector<std::vector<std::string>> lines;
        std::vector<CellStyle> styles;
        double height = 0;
    };

    static double measure(Font font, std::string_view s)
    {
        return PdfWriter::textWidth(font, kCell, s);
    }

    /// Column widths from the content (textwrap.h fitColumns): each column at most its
    /// widest cell; at least its widest word where the page allows, else at least its widest
    /// piece between separators, so that words break at separators before anything is cut.
    /// No column's minimum exceeds a share of the page, so one long token cannot squeeze
    /// the rest.
    static std::vector<double> columnWidths(const ReportTable& t)
    {
        std::vector<ColumnExtent> extents;
        const TextMeasure bold = [](std::string_view s) { return measure(Font::Bold, s); };
        for (std::size_t i = 0; i < t.columns.size(); ++i) {
            const ReportColumn& col = t.columns[i];
            ColumnExtent e{widestPiece(col.title, bold), widestWord(col.title, bold),
                           widestLine(col.title, bold), col.weight};
            for (const auto& row : t.rows) {
                if (i >= row.size())
                    continue;
                const Font f = cellStyle(col, row[i]).font;
                const TextMeasure m = [f](std::string_view s) { return measure(f, s); };
                e.min = std::max(e.min, widestPiece(row[i], m));
                e.preferred = std::max(e.preferred, widestWord(row[i], m));
                e.max = std::max(e.max, widestLine(row[i], m));
            }
            const double cap = kWidth * kMaxColumnShare;
            e.min = std::min(e.min + 2 * kPad, cap);
            e.preferred = std::min(e.preferred + 2 * kPad, cap);
            e.max = e.max + 2 * kPad;
            extents.push_back(e);
        }
        return fitColumns(extents, kWidth);
    }

    Cells layoutRow(const ReportTable& t, const std::vector<std::string>& cells,
                    const std::vector<double>& widths, bool header) const
    {
        Cells c;
        std::size_t most = 1;
        for (std::size_t i = 0; i < widths.size(); ++i) {
            const std::string& cell = i < cells.size() ? cells[i] : std::string();
            const CellStyle style =
                header ? CellStyle{Font::Bold, kInk} : cellStyle(t.columns[i], cell);
            auto lines = wrap(cell, style.font, kCell, widths[i] - 2 * kPad);
            if (lines.size() > kMaxCellLines) {
                lines.resize(kMaxCellLines);
                lines.back() += " ...";
            }
            most = std::max(most, lines.size());
            c.lines.push_back(std::move(lines));
            c.styles.push_back(style);
        }
        c.height = static_cast<double>(most) * kLine + 5;
        return c;
    }

    void drawRow(const ReportTable& t, const Cells& c, const std::vector<double>& widths,
                 bool header)
    {
        if (header)
            m_pdf.rect(kLeft, m_y - c.height, kWidth, c.height, kHeaderFill);
        double x = kLeft;
        for (std::size_t i = 0; i < widths.size(); ++i) {
            const ReportColumn& col = t.columns[i];
            const CellStyle& style = c.styles[i];
            double y = m_y - 3 - kCell;
            for (const std::string& l : c.lines[i]) {
                const double tx =
                    col.numeric && !header
                        ? x + widths[i] - kPad - PdfWriter::textWidth(style.font, kCell, l)
                        : x + kPad;
                m_pdf.text(tx, y, style.font, kCell, l, style.color);
                y -= kLine;
            }
            x += widths[i];
        }
        m_y -= c.height;
        m_pdf.line(kLeft, m_y, kLeft + kWidth, m_y, 0.4, kRule);
    }

    void table(const ReportTable& t, bool withTitle)
    {
        if (withTitle && !t.title.empty())
            m_pending.push_back({t.title, Heading::Block});
        if (t.rows.empty()) {
            paragraph(t.emptyText, Font::Regular, kMuted);
            return;
        }
        const std::vector<double> widths = columnWidths(t);
        std::vector<std::string> titles;
        for (const ReportColumn& c : t.columns)
            titles.push_back(c.title);
        const Cells head = layoutRow(t, titles, widths, true);
        bool needHeader = true;
        for (const auto& row : t.rows) {
            const Cells cells = layoutRow(t, row, widths, false);
            // A row continues the table on a new page under a repeated header.
            if (ensure(cells.height + (needHeader ? head.height : 0)))
                needHeader = true;
            if (needHeader) {
                drawRow(t, head, widths, true);
                needHeader = false;
            }
            drawRow(t, cells, widths, false);
        }
        m_y -= 10;
    }

    void chart(const ReportChart& c)
    {
        const double rowH = 14, labelW = 150;
        m_pending.push_back({c.title, Heading::Block});
        if (c.bars.empty()) {
            paragraph("No data.", Font::Regular, kMuted);
            return;
        }
        // The whole chart on one page when it fits on one, else at least its first bars.
        const double body = rowH * static_cast<double>(c.bars.size());
        const double page = kContentTop - kBottom - pendingHeight();
        ensure(body <= page ? body : rowH * 3);
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
            m_fresh = false;
        }
        m_pdf.line(x0, top, x0, m_y, 0.6, kMuted); // the value axis

        m_y -= 10;
    }

    static constexpr double kCell = 7.5;
    static constexpr double kLine = 9.5;
    static constexpr double kPad = 3;               ///< left and right padding of a cell
    static constexpr double kMaxColumnShare = 0.45; ///< no column's minimum beyond this

    const ReportDocument& m_doc;
    PdfWriter m_pdf;
    double m_y = 0;
    bool m_fresh = true; ///< nothing drawn on the current page below its header yet
    std::vector<Heading> m_pending;
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
