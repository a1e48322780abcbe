// SPDX-License-Identifier: Apache-2.0
// TrueType parsing after the OpenType specification (https://learn.microsoft.com/typography/
// opentype/spec/): the table directory, head, hhea, maxp, hmtx, post, OS/2, name, loca, glyf
// and cmap formats 4 and 12. Only what a PDF writer needs; no hinting, shaping or kerning.
#include "report/truetype.h"

#include <algorithm>
#include <cstring>
#include <fstream>

namespace vigil {
namespace {

constexpr std::size_t kMaxFontBytes = 64u << 20;
/// A cmap that maps more code points than this is not a font anyone embeds in a report.
constexpr std::size_t kMaxMappings = 1u << 20;

/// Big-endian reads that fail (return nothing) instead of reading past the end.
class Reader
{
public:
    explicit Reader(std::string_view bytes) : m_bytes(bytes) {}

    bool has(std::size_t offset, std::size_t n) const
    {
        return offset <= m_bytes.size() && n <= m_bytes.size() - offset;
    }
    std::optional<std::uint16_t> u16(std::size_t offset) const
    {
        if (!has(offset, 2))
            return std::nullopt;
        return static_cast<std::uint16_t>((byte(offset) << 8) | byte(offset + 1));
    }
    std::optional<std::int16_t> s16(std::size_t offset) const
    {
        const auto v = u16(offset);
        if (!v)
            return std::nullopt;
        return static_cast<std::int16_t>(*v);
    }
    std::optional<std::uint32_t> u32(std::size_t offset) const
    {
        if (!has(offset, 4))
            return std::nullopt;
        return (static_cast<std::uint32_t>(byte(offset)) << 24) |
               (static_cast<std::uint32_t>(byte(offset + 1)) << 16) |
               (static_cast<std::uint32_t>(byte(offset + 2)) << 8) | byte(offset + 3);
    }

private:
    std::uint32_t byte(std::size_t i) const { return static_cast<unsigned char>(m_bytes[i]); }
    std::string_view m_bytes;
};

void put16(std::string& out, std::uint32_t v)
{
    out.push_back(static_cast<char>((v >> 8) & 0xFF));
    out.push_back(static_cast<char>(v & 0xFF));
}

void put32(std::string& out, std::uint32_t v)
{
    put16(out, v >> 16);
    put16(out, v & 0xFFFF);
}

void set32(std::string& out, std::size_t at, std::uint32_t v)
{
    for (int k = 0; k < 4; ++k)
        out[at + static_cast<std::size_t>(k)] = static_cast<char>((v >> (24 - 8 * k)) & 0xFF);
}

/// The table checksum: the sum of the big-endian 32-bit words, the last one zero-padded.
std::uint32_t checksum(std::string_view data)
{
    std::uint32_t sum = 0;
    for (std::size_t i = 0; i < data.size(); i += 4) {
        std::uint32_t word = 0;
        for (std::size_t k = 0; k < 4; ++k)
            word = (word << 8) |
                   (i + k < data.size() ? static_cast<unsigned char>(data[i + k]) : 0u);
        sum += word;
    }
    return sum;
}

int toThousandths(int units, std::uint16_t unitsPerEm)
{
    const long scaled = static_cast<long>(units) * 1000;
    return static_cast<int>(scaled >= 0 ? (scaled + unitsPerEm / 2) / unitsPerEm
                                        : (scaled - unitsPerEm / 2) / unitsPerEm);
}

/// The PostScript name as PDF needs it: printable ASCII without the delimiters PDF names
/// cannot hold unescaped.
std::string cleanName(std::string_view raw)
{
    std::string out;
    for (const char c : raw)
        if (c > 0x20 && c < 0x7F && !std::strchr("()<>[]{}/%#", c))
            out.push_back(c);
    return out;
}

/// cmap format 12: groups of consecutive code points mapped to consecutive glyphs.
template <typename Add>
void readFormat12(const Reader& r, std::size_t at, Add&& add)
{
    const std::uint32_t groups = r.u32(at + 12).value_or(0);
    for (std::uint32_t g = 0; g < groups && r.has(at + 16 + 12u * g, 12); ++g) {
        const std::size_t rec = at + 16 + 12u * g;
        const std::uint32_t start = *r.u32(rec);
        const std::uint32_t end = std::min<std::uint32_t>(*r.u32(rec + 4), 0x10FFFF);
        const std::uint32_t glyph = *r.u32(rec + 8);
        for (std::uint32_t cp = start; cp <= end; ++cp)
            if (!add(cp, glyph + (cp - start)))
                return;
    }
}

/// cmap format 4: BMP segments, each mapped by a delta or through the glyph id array.
template <typename Add>
void readFormat4(const Reader& r, std::size_t at, Add&& add)
{
    const std::size_t segments = r.u16(at + 6).value_or(0) / 2;
    const std::size_t ends = at + 14;
    const std::size_t starts = ends + 2 * segments + 2;
    const std::size_t deltas = starts + 2 * segments;
    const std::size_t ranges = deltas + 2 * segments;
    for (std::size_t s = 0; s < segments; ++s) {
        const auto end = r.u16(ends + 2 * s);
        const auto start = r.u16(starts + 2 * s);
        const auto delta = r.u16(deltas + 2 * s);
        const auto range = r.u16(ranges + 2 * s);
        if (!end || !start || !delta || !range)
            return;
        for (std::uint32_t cp = *start; cp <= *end && cp != 0xFFFF; ++cp) {
            std::uint32_t glyph = 0;
            if (*range == 0) {
                glyph = (cp + *delta) & 0xFFFF;
            } else {
                const auto g = r.u16(ranges + 2 * s + *range + 2 * (cp - *start));
                glyph = g && *g ? (*g + *delta) & 0xFFFF : 0;
            }
            if (!add(cp, glyph))
                return;
        }
    }
}

} // namespace

std::optional<TrueTypeFont> TrueTypeFont::load(const std::string& path, std::string* error)
{
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        if (error)
            *error = "cannot open " + path;
        return std::nullopt;
    }
    std::string bytes;
    char buf[1 << 16];
    while (in.read(buf, sizeof buf) || in.gcount() > 0) {
        bytes.append(buf, static_cast<std::size_t>(in.gcount()));
        if (bytes.size() > kMaxFontBytes) {
            if (error)
                *error = path + " is larger than 64 MiB";
            return std::nullopt;
        }
    }
    std::string why;
    auto font = parse(std::move(bytes), &why);
    if (!font && error)
        *error = path + ": " + why;
    return font;
}

std::optional<TrueTypeFont> TrueTypeFont::parse(std::string bytes, std::string* error)
{
    TrueTypeFont f;
    f.m_bytes = std::move(bytes);
    std::string why;
    const Reader r(f.m_bytes);
    std::uint32_t directory = 0;
    if (f.m_bytes.starts_with("ttcf")) {
        // A collection: the first face's table directory.
        const auto count = r.u32(8);
        const auto first = r.u32(12);
        if (!count || *count == 0 || !first)
            why = "a font collection without faces";
        else
            directory = *first;
    }
    if (why.empty() && f.readTables(directory, why) && f.readCmap(why))
        return f;
    if (error)
        *error = why;
    return std::nullopt;
}

std::string_view TrueTypeFont::table(std::string_view tag) const
{
    for (const auto& [t, entry] : m_tables)
        if (std::string_view(t.data(), 4) == tag)
            return std::string_view(m_bytes).substr(entry.offset, entry.length);
    return {};
}

bool TrueTypeFont::readTables(std::uint32_t directory, std::string& error)
{
    const Reader r(m_bytes);
    const auto version = r.u32(directory);
    if (!version || (*version != 0x00010000 && *version != 0x74727565 /* 'true' */)) {
        error = version && *version == 0x4F54544F
                    ? "CFF outlines (OpenType/CFF) are not supported"
                    : "not a TrueType font";
        return false;
    }
    const std::uint16_t count = r.u16(directory + 4).value_or(0);
    for (std::uint16_t i = 0; i < count; ++i) {
        const std::size_t rec = directory + 12 + 16u * i;
        const auto offset = r.u32(rec + 8);
        const auto length = r.u32(rec + 12);
        if (!offset || !length || !r.has(*offset, *length)) {
            error = "a table lies outside the file";
            return false;
        }
        std::array<char, 4> tag{};
        std::memcpy(tag.data(), m_bytes.data() + rec, 4);
        m_tables.push_back({tag, Table{*offset, *length}});
    }

    for (const char* required : {"head", "hhea", "maxp", "hmtx", "loca", "glyf", "cmap"})
        if (table(required).empty()) {
            error = std::string("no ") + required + " table";
            return false;
        }

    const Reader head(table("head"));
    const Reader hhea(table("hhea"));
    const Reader maxp(table("maxp"));
    const auto upem = head.u16(18);
    const auto locFormat = head.s16(50);
    const auto glyphs = maxp.u16(4);
    const auto metricsCount = hhea.u16(34);
    if (!upem || *upem < 16 || *upem > 16384 || !locFormat || !glyphs || *glyphs == 0 ||
        !metricsCount || *metricsCount == 0 || *metricsCount > *glyphs) {
        error = "malformed head, hhea or maxp table";
        return false;
    }
    m_unitsPerEm = *upem;
    m_longLoca = *locFormat == 1;
    m_numGlyphs = *glyphs;
    const std::size_t locaEntries = static_cast<std::size_t>(m_numGlyphs) + 1;
    if (table("loca").size() < locaEntries * (m_longLoca ? 4 : 2)) {
        error = "the loca table is shorter than the glyph count";
        return false;
    }

    const Reader hmtx(table("hmtx"));
    m_advances.resize(m_numGlyphs);
    std::uint16_t last = 0;
    for (std::uint16_t g = 0; g < m_numGlyphs; ++g) {
        if (g < *metricsCount) {
            const auto adv = hmtx.u16(4u * g);
            if (!adv) {
                error = "the hmtx table is shorter than hhea says";
                return false;
            }
            last = *adv;
        }
        m_advances[g] = last;
    }

    auto& m = m_metrics;
    m.ascent = toThousandths(hhea.s16(4).value_or(0), m_unitsPerEm);
    m.descent = toThousandths(hhea.s16(6).value_or(0), m_unitsPerEm);
    for (int k = 0; k < 4; ++k)
        m.bbox[static_cast<std::size_t>(k)] =
            toThousandths(head.s16(36 + 2 * static_cast<std::size_t>(k)).value_or(0), m_unitsPerEm);
    m.capHeight = m.ascent;
    if (const Reader os2(table("OS/2")); os2.u16(0).value_or(0) >= 2)
        if (const auto cap = os2.s16(88); cap && *cap > 0)
            m.capHeight = toThousandths(*cap, m_unitsPerEm);
    if (const Reader post(table("post")); post.u32(0)) {
        m.italicAngle = static_cast<std::int32_t>(post.u32(4).value_or(0)) / 65536.0;
        m.fixedPitch = post.u32(12).value_or(0) != 0;
    }

    // The PostScript name (name id 6), Windows UTF-16BE or Macintosh Roman.
    const std::string_view name = table("name");
    const Reader n(name);
    const std::uint16_t records = n.u16(2).value_or(0);
    const std::uint16_t strings = n.u16(4).value_or(0);
    for (std::uint16_t i = 0; i < records && m_psName.empty(); ++i) {
        const std::size_t rec = 6 + 12u * i;
        const auto platform = n.u16(rec);
        const auto id = n.u16(rec + 6);
        const auto len = n.u16(rec + 8);
        const auto off = n.u16(rec + 10);
        if (!platform || !id || !len || !off || *id != 6 ||
            !n.has(static_cast<std::size_t>(strings) + *off, *len))
            continue;
        const std::string_view raw = name.substr(static_cast<std::size_t>(strings) + *off, *len);
        std::string ascii;
        if (*platform == 3 || *platform == 0) {
            for (std::size_t k = 1; k < raw.size(); k += 2)
                ascii.push_back(raw[k - 1] == 0 ? raw[k] : '?');
        } else {
            ascii = std::string(raw);
        }
        m_psName = cleanName(ascii);
    }
    if (m_psName.empty())
        m_psName = "Font";
    return true;
}

bool TrueTypeFont::readCmap(std::string& error)
{
    const std::string_view cmap = table("cmap");
    const Reader r(cmap);
    const std::uint16_t count = r.u16(2).value_or(0);
    // Every Unicode subtable, full-repertoire ones (format 12) first, the first mapping of a
    // code point winning: a font's format 12 table need not cover all of its format 4 one.
    std::vector<std::pair<int, std::uint32_t>> subtables; // (-rank, offset)
    for (std::uint16_t i = 0; i < count; ++i) {
        const std::size_t rec = 4 + 8u * i;
        const auto platform = r.u16(rec);
        const auto encoding = r.u16(rec + 2);
        const auto offset = r.u32(rec + 4);
        if (!platform || !encoding || !offset)
            continue;
        const auto format = r.u16(*offset);
        const bool unicode = *platform == 0 || (*platform == 3 && (*encoding == 1 || *encoding == 10));
        if (unicode && format && (*format == 12 || *format == 4))
            subtables.emplace_back(*format == 12 ? -2 : -1, *offset);
    }
    std::sort(subtables.begin(), subtables.end());
    subtables.erase(std::unique(subtables.begin(), subtables.end()), subtables.end());
    if (subtables.empty()) {
        error = "no Unicode character map (cmap format 4 or 12)";
        return false;
    }
    // False once the map is full or a damaged table has made it look at too many code
    // points, which ends the reading.
    std::size_t visited = 0;
    auto add = [&](char32_t cp, std::uint32_t glyph) {
        if (m_cmap.size() >= kMaxMappings || ++visited > 4 * kMaxMappings)
            return false;
        if (glyph != 0 && glyph < m_numGlyphs)
            m_cmap.emplace_back(cp, static_cast<std::uint16_t>(glyph));
        return true;
    };
    for (const auto& [rank, at] : subtables) {
        if (rank == -2)
            readFormat12(r, at, add);
        else
            readFormat4(r, at, add);
    }
    std::stable_sort(m_cmap.begin(), m_cmap.end(),
                     [](const auto& a, const auto& b) { return a.first < b.first; });
    m_cmap.erase(std::unique(m_cmap.begin(), m_cmap.end(),
                             [](const auto& a, const auto& b) { return a.first == b.first; }),
                 m_cmap.end());
    if (m_cmap.empty()) {
        error = "the character map maps nothing";
        return false;
    }
    return true;
}

std::uint16_t TrueTypeFont::glyph(char32_t cp) const
{
    const auto it = std::lower_bound(m_cmap.begin(), m_cmap.end(), cp,
                                     [](const auto& e, char32_t c) { return e.first < c; });
    return it != m_cmap.end() && it->first == cp ? it->second : 0;
}

double TrueTypeFont::advance(std::uint16_t glyph) const
{
    if (glyph >= m_advances.size())
        return 0;
    return m_advances[glyph] * 1000.0 / m_unitsPerEm;
}

std::optional<std::pair<std::uint32_t, std::uint32_t>>
TrueTypeFont::glyphRange(std::uint16_t glyph) const
{
    if (glyph >= m_numGlyphs)
        return std::nullopt;
    const Reader loca(table("loca"));
    std::optional<std::uint32_t> from, to;
    if (m_longLoca) {
        from = loca.u32(4u * glyph);
        to = loca.u32(4u * glyph + 4);
    } else {
        if (const auto a = loca.u16(2u * glyph))
            from = 2u * *a;
        if (const auto b = loca.u16(2u * glyph + 2))
            to = 2u * *b;
    }
    if (!from || !to || *to < *from || *to > table("glyf").size())
        return std::nullopt;
    return std::pair{*from, *to};
}

std::string TrueTypeFont::subset(const std::set<std::uint16_t>& glyphs) const
{
    const std::string_view glyf = table("glyf");
    const Reader g(glyf);

    // Close over composite glyphs: a kept composite keeps the glyphs it is built from.
    std::set<std::uint16_t> keep{0};
    std::vector<std::uint16_t> todo(glyphs.begin(), glyphs.end());
    todo.push_back(0);
    while (!todo.empty()) {
        const std::uint16_t id = todo.back();
        todo.pop_back();
        const auto range = glyphRange(id);
        if (id >= m_numGlyphs || !range)
            continue;
        keep.insert(id);
        if (range->second - range->first < 10 || g.s16(range->first).value_or(0) >= 0)
            continue;
        std::size_t at = range->first + 10;
        for (int guard = 0; guard < 256 && at + 4 <= range->second; ++guard) {
            const std::uint16_t flags = g.u16(at).value_or(0);
            const std::uint16_t component = g.u16(at + 2).value_or(0);
            if (component < m_numGlyphs && !keep.contains(component))
                todo.push_back(component);
            at += 4 + ((flags & 0x0001) ? 4 : 2);
            if (flags & 0x0008)
                at += 2;
            else if (flags & 0x0040)
                at += 4;
            else if (flags & 0x0080)
                at += 8;
            if (!(flags & 0x0020))
                break;
        }
    }

    // glyf and a long-format loca with the same glyph ids, unused outlines empty.
    std::string newGlyf, newLoca;
    for (std::uint32_t id = 0; id < m_numGlyphs; ++id) {
        put32(newLoca, static_cast<std::uint32_t>(newGlyf.size()));
        if (!keep.contains(static_cast<std::uint16_t>(id)))
            continue;
        if (const auto range = glyphRange(static_cast<std::uint16_t>(id))) {
            newGlyf.append(glyf.substr(range->first, range->second - range->first));
            while (newGlyf.size() % 4)
                newGlyf.push_back('\0');
        }
    }
    put32(newLoca, static_cast<std::uint32_t>(newGlyf.size()));

    std::string head(table("head"));
    if (head.size() >= 54) {
        set32(head, 8, 0); // checkSumAdjustment, fixed below
        head[50] = 0;
        head[51] = 1; // indexToLocFormat: long
    }

    // Tags in ascending order, as the directory requires.
    const std::vector<std::pair<std::string_view, std::string>> tables = [&] {
        std::vector<std::pair<std::string_view, std::string>> t;
        for (const std::string_view tag : {"cvt ", "fpgm", "glyf", "head", "hhea", "hmtx", "loca",
                                           "maxp", "prep"}) {
            if (tag == "glyf")
                t.emplace_back(tag, newGlyf);
            else if (tag == "loca")
                t.emplace_back(tag, newLoca);
            else if (tag == "head")
                t.emplace_back(tag, head);
            else if (const std::string_view data = table(tag); !data.empty())
                t.emplace_back(tag, std::string(data));
        }
        return t;
    }();

    std::string out;
    const auto n = static_cast<std::uint16_t>(tables.size());
    std::uint16_t power = 1, log2 = 0;
    while (power * 2 <= n) {
        power = static_cast<std::uint16_t>(power * 2);
        ++log2;
    }
    put32(out, 0x00010000);
    put16(out, n);
    put16(out, power * 16u);
    put16(out, log2);
    put16(out, n * 16u - power * 16u);
    std::size_t offset = 12 + 16u * n;
    std::size_t headAt = 0;
    for (const auto& [tag, data] : tables) {
        out.append(tag);
        put32(out, checksum(data));
        put32(out, static_cast<std::uint32_t>(offset));
        put32(out, static_cast<std::uint32_t>(data.size()));
        if (tag == "head")
            headAt = offset;
        offset += (data.size() + 3) / 4 * 4;
    }
    for (const auto& [tag, data] : tables) {
        out.append(data);
        while (out.size() % 4)
            out.push_back('\0');
    }
    if (head.size() >= 54)
        set32(out, headAt + 8, 0xB1B0AFBAu - checksum(out));
    return out;
}

} // namespace vigil
