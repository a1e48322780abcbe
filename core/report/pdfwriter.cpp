// SPDX-License-Identifier: Apache-2.0
#include "report/pdfwriter.h"

#include "report/truetype.h"

#include <zlib.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <iterator>
#include <set>

namespace vigil {
namespace {

// Advance widths (1/1000 em) of the printable ASCII range 32..126, from the Adobe AFM
// files of the standard fonts.
// clang-format off
constexpr std::array<std::uint16_t, 95> kHelvetica{
    278, 278, 355, 556, 556, 889, 667, 191, 333, 333, 389, 584, 278, 333, 278, 278,  // 32-47
    556, 556, 556, 556, 556, 556, 556, 556, 556, 556, 278, 278, 584, 584, 584, 556,  // 48-63
    1015, 667, 667, 722, 722, 667, 611, 778, 722, 278, 500, 667, 556, 833, 722, 778, // 64-79
    667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611, 278, 278, 278, 469, 556,  // 80-95
    333, 556, 556, 500, 556, 556, 278, 556, 556, 222, 222, 500, 222, 833, 556, 556,  // 96-111
    556, 556, 333, 500, 278, 556, 500, 722, 500, 500, 500, 334, 260, 334, 584};      // 112-126
constexpr std::array<std::uint16_t, 95> kHelveticaBold{
    278, 333, 474, 556, 556, 889, 722, 238, 333, 333, 389, 584, 278, 333, 278, 278,
    556, 556, 556, 556, 556, 556, 556, 556, 556, 556, 333, 333, 584, 584, 584, 611,
    975, 722, 722, 722, 722, 667, 611, 778, 722, 278, 556, 722, 611, 833, 722, 778,
    667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611, 333, 278, 333, 584, 556,
    333, 556, 611, 556, 611, 556, 333, 611, 611, 278, 278, 556, 278, 889, 611, 611,
    611, 611, 389, 556, 333, 611, 556, 778, 556, 556, 500, 389, 280, 389, 584};
// clang-format on
// Outside ASCII the widths are estimated on the wide side, so wrapping never overflows.
constexpr std::uint16_t kWideEstimate = 667;

struct Cp1252Extra
{
    char32_t cp;
    unsigned char byte;
};
constexpr Cp1252Extra kCp1252[] = {
    {0x20AC, 0x80}, {0x201A, 0x82}, {0x0192, 0x83}, {0x201E, 0x84}, {0x2026, 0x85}, {0x2020, 0x86},
    {0x2021, 0x87}, {0x02C6, 0x88}, {0x2030, 0x89}, {0x0160, 0x8A}, {0x2039, 0x8B}, {0x0152, 0x8C},
    {0x017D, 0x8E}, {0x2018, 0x91}, {0x2019, 0x92}, {0x201C, 0x93}, {0x201D, 0x94}, {0x2022, 0x95},
    {0x2013, 0x96}, {0x2014, 0x97}, {0x02DC, 0x98}, {0x2122, 0x99}, {0x0161, 0x9A}, {0x203A, 0x9B},
    {0x0153, 0x9C}, {0x017E, 0x9E}, {0x0178, 0x9F},
};

// Decodes one UTF-8 sequence at `i`; invalid bytes decode as U+FFFD one byte at a time.
char32_t nextCodePoint(std::string_view s, std::size_t& i)
{
    const auto b0 = static_cast<unsigned char>(s[i]);
    int len = 0;
    char32_t cp = 0;
    if (b0 < 0x80) {
        ++i;
        return b0;
    }
    if ((b0 & 0xE0) == 0xC0) {
        len = 2;
        cp = b0 & 0x1F;
    } else if ((b0 & 0xF0) == 0xE0) {
        len = 3;
        cp = b0 & 0x0F;
    } else if ((b0 & 0xF8) == 0xF0) {
        len = 4;
        cp = b0 & 0x07;
    } else {
        ++i;
        return 0xFFFD;
    }
    if (i + static_cast<std::size_t>(len) > s.size()) {
        ++i;
        return 0xFFFD;
    }
    for (int k = 1; k < len; ++k) {
        const auto b = static_cast<unsigned char>(s[i + static_cast<std::size_t>(k)]);
        if ((b & 0xC0) != 0x80) {
            ++i;
            return 0xFFFD;
        }
        cp = (cp << 6) | (b & 0x3F);
    }
    i += static_cast<std::size_t>(len);
    return cp;
}

std::string number(double v)
{
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.2f", v);
    std::string s = buf;
    while (s.back() == '0')
        s.pop_back();
    if (s.back() == '.')
        s.pop_back();
    return s == "-0" ? "0" : s;
}

std::string colorOp(PdfWriter::Color c, const char* op)
{
    return number(c.r) + " " + number(c.g) + " " + number(c.b) + " " + op + "\n";
}

const char* fontName(PdfWriter::Font f)
{
    switch (f) {
    case PdfWriter::Font::Bold:
        return "/F2";
    case PdfWriter::Font::Mono:
        return "/F3";
    case PdfWriter::Font::Regular:
        break;
    }
    return "/F1";
}

/// Characters that draw nothing (Unicode's Default_Ignorable_Code_Point, the common part):
/// dropped when the face has no glyph for them, rather than shown as `?`.
bool defaultIgnorable(char32_t cp)
{
    return cp == 0x00AD || cp == 0x034F || cp == 0x061C || (cp >= 0x115F && cp <= 0x1160) ||
           (cp >= 0x17B4 && cp <= 0x17B5) || (cp >= 0x180B && cp <= 0x180F) ||
           (cp >= 0x200B && cp <= 0x200F) || (cp >= 0x202A && cp <= 0x202E) ||
           (cp >= 0x2060 && cp <= 0x206F) || cp == 0x3164 || (cp >= 0xFE00 && cp <= 0xFE0F) ||
           cp == 0xFEFF || cp == 0xFFA0 || (cp >= 0xFFF0 && cp <= 0xFFF8) ||
           (cp >= 0x1BCA0 && cp <= 0x1BCA3) || (cp >= 0x1D173 && cp <= 0x1D17A) ||
           (cp >= 0xE0000 && cp <= 0xE0FFF);
}

std::string hex4(std::uint32_t v)
{
    char buf[8];
    std::snprintf(buf, sizeof buf, "%04X", v & 0xFFFF);
    return buf;
}

/// `cp` in UTF-16BE hex, a surrogate pair above the BMP.
std::string utf16Hex(char32_t cp)
{
    if (cp < 0x10000)
        return hex4(cp);
    const char32_t v = cp - 0x10000;
    return hex4(0xD800 + (v >> 10)) + hex4(0xDC00 + (v & 0x3FF));
}

/// A PDF text string for the Info dictionary: a literal when it is printable ASCII, else
/// UTF-16BE with its byte order mark.
std::string textString(std::string_view utf8)
{
    bool ascii = true;
    for (const char c : utf8)
        ascii = ascii && static_cast<unsigned char>(c) >= 0x20 && static_cast<unsigned char>(c) < 0x7F;
    if (ascii)
        return "(" + PdfWriter::escapeString(utf8) + ")";
    std::string out = "<FEFF";
    for (std::size_t i = 0; i < utf8.size();) {
        const char32_t cp = nextCodePoint(utf8, i);
        out += utf16Hex(cp < 0x20 ? U' ' : cp);
    }
    return out + ">";
}

std::string deflate(std::string_view data)
{
    uLongf size = compressBound(static_cast<uLong>(data.size()));
    std::string out(size, '\0');
    if (compress2(reinterpret_cast<Bytef*>(out.data()), &size,
                  reinterpret_cast<const Bytef*>(data.data()), static_cast<uLong>(data.size()),
                  Z_BEST_COMPRESSION) != Z_OK)
        return {};
    out.resize(size);
    return out;
}

/// The six-letter subset tag PDF puts before a subset font's name, from the glyphs it holds,
/// so that the same text gives the same file.
std::string subsetTag(const std::map<std::uint16_t, char32_t>& glyphs, std::size_t slot)
{
    std::uint64_t h = 1469598103934665603ull ^ slot;
    for (const auto& [g, cp] : glyphs)
        h = (h ^ g) * 1099511628211ull;
    std::string tag;
    for (int i = 0; i < 6; ++i) {
        tag.push_back(static_cast<char>('A' + h % 26));
        h /= 26;
    }
    return tag;
}

double widthIn(const PdfFontSet& fonts, PdfWriter::Font font, double size, std::string_view utf8)
{
    if (!fonts.embedded()) {
        const std::string s = PdfWriter::toWinAnsi(utf8);
        if (font == PdfWriter::Font::Mono)
            return static_cast<double>(s.size()) * 0.6 * size;
        const auto& table = font == PdfWriter::Font::Bold ? kHelveticaBold : kHelvetica;
        double units = 0;
        for (const char ch : s) {
            const auto c = static_cast<unsigned char>(ch);
            units += (c >= 32 && c <= 126) ? table[c - 32] : kWideEstimate;
        }
        return units * size / 1000.0;
    }
    double units = 0;
    for (std::size_t i = 0; i < utf8.size();) {
        char32_t cp = nextCodePoint(utf8, i);
        if (cp < 0x20 || cp == 0x7F)
            cp = U' ';
        if (const auto g = fonts.glyphFor(font, cp); g.slot >= 0)
            units += fonts.face(static_cast<std::size_t>(g.slot))->advance(g.id);
    }
    return units * size / 1000.0;
}

} // namespace

PdfFontSet::~PdfFontSet() = default;

std::shared_ptr<const PdfFontSet> PdfFontSet::standard()
{
    static const std::shared_ptr<const PdfFontSet> none(new PdfFontSet());
    return none;
}

std::shared_ptr<const PdfFontSet> PdfFontSet::load(const std::string& regular,
                                                   const std::string& bold,
                                                   const std::string& mono,
                                                   const std::string& fallback,
                                                   std::string* error)
{
    std::shared_ptr<PdfFontSet> set(new PdfFontSet());
    for (const std::string* path : {&regular, &bold, &mono}) {
        auto face = TrueTypeFont::load(*path, error);
        if (!face)
            return nullptr;
        set->m_faces.push_back(std::make_unique<TrueTypeFont>(std::move(*face)));
    }
    if (!fallback.empty())
        if (auto face = TrueTypeFont::load(fallback))
            set->m_faces.push_back(std::make_unique<TrueTypeFont>(std::move(*face)));
    return set;
}

std::shared_ptr<const PdfFontSet> PdfFontSet::system()
{
    static const std::shared_ptr<const PdfFontSet> fonts = [] {
        const std::string dejavu = "/usr/share/fonts/truetype/dejavu/";
        std::string fallback;
        for (const char* path : {"/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf",
                                 "/usr/share/fonts-droid-fallback/truetype/DroidSansFallback.ttf",
                                 "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc"}) {
            std::error_code ec;
            if (std::filesystem::is_regular_file(path, ec)) {
                fallback = path;
                break;
            }
        }
        auto set = load(dejavu + "DejaVuSans.ttf", dejavu + "DejaVuSans-Bold.ttf",
                        dejavu + "DejaVuSansMono.ttf", fallback);
        return set ? set : standard();
    }();
    return fonts;
}

const TrueTypeFont* PdfFontSet::face(std::size_t slot) const
{
    return slot < m_faces.size() ? m_faces[slot].get() : nullptr;
}

PdfFontSet::Glyph PdfFontSet::glyphFor(PdfWriter::Font font, char32_t cp) const
{
    const auto slot = static_cast<int>(font);
    const TrueTypeFont& own = *m_faces[static_cast<std::size_t>(slot)];
    if (const std::uint16_t g = own.glyph(cp))
        return {slot, g, cp};
    if (defaultIgnorable(cp))
        return {};
    if (const TrueTypeFont* fallback = face(3))
        if (const std::uint16_t g = fallback->glyph(cp))
            return {3, g, cp};
    return {slot, own.glyph(U'?'), U'?'};
}

PdfWriter::PdfWriter() : PdfWriter(PdfFontSet::system()) {}

PdfWriter::PdfWriter(std::shared_ptr<const PdfFontSet> fonts)
    : m_fonts(fonts ? std::move(fonts) : PdfFontSet::standard())
{
}

PdfWriter::~PdfWriter() = default;

std::string PdfWriter::toWinAnsi(std::string_view utf8)
{
    std::string out;
    out.reserve(utf8.size());
    for (std::size_t i = 0; i < utf8.size();) {
        const char32_t cp = nextCodePoint(utf8, i);
        if (cp < 0x20 || cp == 0x7F) {
            out.push_back(' ');
        } else if (cp < 0x7F || (cp >= 0xA0 && cp <= 0xFF)) {
            out.push_back(static_cast<char>(cp));
        } else {
            char mapped = '?';
            for (const auto& e : kCp1252)
                if (e.cp == cp)
                    mapped = static_cast<char>(e.byte);
            out.push_back(mapped);
        }
    }
    return out;
}

std::string PdfWriter::escapeString(std::string_view winAnsi)
{
    std::string out;
    out.reserve(winAnsi.size() + 8);
    for (const char ch : winAnsi) {
        const auto c = static_cast<unsigned char>(ch);
        if (c == '(' || c == ')' || c == '\\') {
            out.push_back('\\');
            out.push_back(ch);
        } else if (c < 0x20 || c >= 0x7F) {
            char buf[8];
            std::snprintf(buf, sizeof buf, "\\%03o", c);
            out += buf;
        } else {
            out.push_back(ch);
        }
    }
    return out;
}

double PdfWriter::textWidth(Font font, double size, std::string_view utf8)
{
    return widthIn(*PdfFontSet::system(), font, size, utf8);
}

double PdfWriter::measure(Font font, double size, std::string_view utf8) const
{
    return widthIn(*m_fonts, font, size, utf8);
}

std::string& PdfWriter::current()
{
    if (m_current < 0)
        beginPage();
    return m_pages[static_cast<std::size_t>(m_current)];
}

void PdfWriter::beginPage()
{
    m_pages.emplace_back();
    m_current = static_cast<int>(m_pages.size()) - 1;
}

void PdfWriter::selectPage(int index)
{
    if (index >= 0 && index < pageCount())
        m_current = index;
}

std::string PdfWriter::embeddedText(double x, double y, Font font, double size,
                                    std::string_view utf8, Color color)
{
    std::string out = "BT\n" + colorOp(color, "rg") + number(x) + " " + number(y) + " Td\n";
    int runSlot = -1;
    std::string run;
    auto flush = [&] {
        if (!run.empty())
            out += "/F" + std::to_string(runSlot + 1) + " " + number(size) + " Tf\n<" + run +
                   "> Tj\n";
        run.clear();
    };
    for (std::size_t i = 0; i < utf8.size();) {
        char32_t cp = nextCodePoint(utf8, i);
        if (cp < 0x20 || cp == 0x7F)
            cp = U' ';
        const auto g = m_fonts->glyphFor(font, cp);
        if (g.slot < 0)
            continue;
        if (g.slot != runSlot) {
            flush();
            runSlot = g.slot;
        }
        run += hex4(g.id);
        m_used[static_cast<std::size_t>(g.slot)].try_emplace(g.id, g.shows);
    }
    flush();
    return out + "ET\n";
}

void PdfWriter::text(double x, double y, Font font, double size, std::string_view utf8, Color color)
{
    std::string& c = current();
    if (m_fonts->embedded()) {
        c += embeddedText(x, y, font, size, utf8, color);
        return;
    }
    c += "BT\n" + colorOp(color, "rg") + fontName(font) + " " + number(size) + " Tf\n" + number(x) +
         " " + number(y) + " Td\n(" + escapeString(toWinAnsi(utf8)) + ") Tj\nET\n";
}

void PdfWriter::line(double x1, double y1, double x2, double y2, double width, Color color)
{
    std::string& c = current();
    c += "q\n" + colorOp(color, "RG") + number(width) + " w\n" + number(x1) + " " + number(y1) +
         " m\n" + number(x2) + " " + number(y2) + " l\nS\nQ\n";
}

void PdfWriter::rect(double x, double y, double w, double h, Color fill)
{
    std::string& c = current();
    c += "q\n" + colorOp(fill, "rg") + number(x) + " " + number(y) + " " + number(w) + " " +
         number(h) + " re\nf\nQ\n";
}

void PdfWriter::strokeRect(double x, double y, double w, double h, double width, Color color)
{
    std::string& c = current();
    c += "q\n" + colorOp(color, "RG") + number(width) + " w\n" + number(x) + " " + number(y) + " " +
         number(w) + " " + number(h) + " re\nS\nQ\n";
}

void PdfWriter::polygon(const std::vector<std::pair<double, double>>& points, Color fill)
{
    if (points.size() < 3)
        return;
    std::string& c = current();
    c += "q\n" + colorOp(fill, "rg");
    for (std::size_t i = 0; i < points.size(); ++i)
        c += number(points[i].first) + " " + number(points[i].second) + (i ? " l\n" : " m\n");
    c += "h\nf\nQ\n";
}

void PdfWriter::finishEmbedded(std::vector<std::string>& objects, std::string& fonts) const
{
    for (std::size_t slot = 0; slot < m_used.size(); ++slot) {
        const auto& used = m_used[slot];
        const TrueTypeFont* face = m_fonts->face(slot);
        if (used.empty() || !face)
            continue;
        const std::size_t base = objects.size() + 1;
        const std::string name = subsetTag(used, slot) + "+" + face->postScriptName();
        const auto& m = face->metrics();

        std::string widths;
        std::int32_t previous = -2;
        // Runs of consecutive glyph ids share one array: `3 [600 600] 9 [250]`.
        for (const auto& [glyph, cp] : used) {
            if (glyph == previous + 1)
                widths += " ";
            else
                widths += std::string(previous < 0 ? "" : "] ") + std::to_string(glyph) + " [";
            widths += std::to_string(std::lround(face->advance(glyph)));
            previous = glyph;
        }
        widths += "]";

        std::set<std::uint16_t> glyphs;
        std::string cmap;
        std::size_t inBlock = 0;
        for (auto it = used.begin(); it != used.end(); ++it) {
            glyphs.insert(it->first);
            if (inBlock == 0) {
                const auto left = static_cast<std::size_t>(std::distance(it, used.end()));
                cmap += std::to_string(std::min<std::size_t>(left, 100)) + " beginbfchar\n";
            }
            cmap += "<" + hex4(it->first) + "> <" + utf16Hex(it->second) + ">\n";
            if (++inBlock == 100 || std::next(it) == used.end()) {
                cmap += "endbfchar\n";
                inBlock = 0;
            }
        }
        const std::string toUnicode =
            "/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n"
            "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n"
            "/CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n"
            "1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n" +
            cmap + "endcmap\nCMapName currentdict /CMap defineresource pop\nend\nend\n";
        const std::string file = face->subset(glyphs);
        const std::string packed = deflate(file);

        objects.push_back("<< /Type /Font /Subtype /Type0 /BaseFont /" + name +
                          " /Encoding /Identity-H /DescendantFonts [" + std::to_string(base + 1) +
                          " 0 R] /ToUnicode " + std::to_string(base + 4) + " 0 R >>");
        objects.push_back("<< /Type /Font /Subtype /CIDFontType2 /BaseFont /" + name +
                          " /CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) /Supplement "
                          "0 >> /FontDescriptor " +
                          std::to_string(base + 2) + " 0 R /CIDToGIDMap /Identity /DW 1000 /W [" +
                          widths + "] >>");
        objects.push_back("<< /Type /FontDescriptor /FontName /" + name + " /Flags " +
                          (m.fixedPitch ? "33" : "32") + " /FontBBox [" +
                          std::to_string(m.bbox[0]) + " " + std::to_string(m.bbox[1]) + " " +
                          std::to_string(m.bbox[2]) + " " + std::to_string(m.bbox[3]) +
                          "] /ItalicAngle " + number(m.italicAngle) + " /Ascent " +
                          std::to_string(m.ascent) + " /Descent " + std::to_string(m.descent) +
                          " /CapHeight " + std::to_string(m.capHeight) + " /StemV 80 /FontFile2 " +
                          std::to_string(base + 3) + " 0 R >>");
        objects.push_back("<< /Length " + std::to_string(packed.size()) + " /Length1 " +
                          std::to_string(file.size()) + " /Filter /FlateDecode >>\nstream\n" +
                          packed + "\nendstream");
        objects.push_back("<< /Length " + std::to_string(toUnicode.size()) + " >>\nstream\n" +
                          toUnicode + "endstream");
        fonts += "/F" + std::to_string(slot + 1) + " " + std::to_string(base) + " 0 R ";
    }
}

std::string PdfWriter::finish(const Info& info) const
{
    std::vector<std::string> objects; // object i+1: 1 catalog, 2 pages, 3 info, then fonts
    const std::size_t pages = m_pages.empty() ? 1 : m_pages.size();
    objects.push_back("<< /Type /Catalog /Pages 2 0 R >>");
    objects.emplace_back(); // the page tree, once the pages' numbers are known
    std::string infoDict = "<< /Producer (Vigil) /Title " + textString(info.title);
    if (!info.subject.empty())
        infoDict += " /Subject " + textString(info.subject);
    if (!info.creationDate.empty())
        infoDict += " /CreationDate (D:" + escapeString(toWinAnsi(info.creationDate)) + ")";
    infoDict += " >>";
    objects.push_back(infoDict);

    std::string fonts;
    if (m_fonts->embedded()) {
        finishEmbedded(objects, fonts);
    } else {
        int n = 1;
        for (const char* base : {"Helvetica", "Helvetica-Bold", "Courier"}) {
            objects.push_back(std::string("<< /Type /Font /Subtype /Type1 /BaseFont /") + base +
                              " /Encoding /WinAnsiEncoding >>");
            fonts += "/F" + std::to_string(n++) + " " + std::to_string(objects.size()) + " 0 R ";
        }
    }

    const std::size_t firstPage = objects.size() + 1;
    std::string kids;
    for (std::size_t i = 0; i < pages; ++i)
        kids += (i ? " " : "") + std::to_string(firstPage + 2 * i) + " 0 R";
    objects[1] = "<< /Type /Pages /Kids [" + kids + "] /Count " + std::to_string(pages) + " >>";
    for (std::size_t i = 0; i < pages; ++i) {
        const std::string& content = m_pages.empty() ? std::string() : m_pages[i];
        objects.push_back("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 " + number(kPageWidth) +
                          " " + number(kPageHeight) + "] /Resources << /Font << " + fonts +
                          ">> >> /Contents " + std::to_string(firstPage + 2 * i + 1) + " 0 R >>");
        objects.push_back("<< /Length " + std::to_string(content.size()) + " >>\nstream\n" +
                          content + "endstream");
    }

    std::string out = "%PDF-1.4\n%\xE2\xE3\xCF\xD3\n";
    std::vector<std::size_t> offsets;
    for (std::size_t i = 0; i < objects.size(); ++i) {
        offsets.push_back(out.size());
        out += std::to_string(i + 1) + " 0 obj\n" + objects[i] + "\nendobj\n";
    }
    const std::size_t xref = out.size();
    out += "xref\n0 " + std::to_string(objects.size() + 1) + "\n0000000000 65535 f \n";
    for (const std::size_t off : offsets) {
        char buf[24];
        std::snprintf(buf, sizeof buf, "%010zu 00000 n \n", off);
        out += buf;
    }
    out += "trailer\n<< /Size " + std::to_string(objects.size() + 1) +
           " /Root 1 0 R /Info 3 0 R >>\nstartxref\n" + std::to_string(xref) + "\n%%EOF\n";
    return out;
}

} // namespace vigil
