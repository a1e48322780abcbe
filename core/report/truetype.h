// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace vigil {

/// A TrueType font (glyf outlines), read from a .ttf file or the first face of a .ttc, with
/// what a PDF writer needs to set text in it and embed it: the Unicode character map, advance
/// widths, the metrics of the font descriptor, and a subsetter.
///
/// Every offset read from the file is bounds-checked: a truncated or hostile font fails to
/// parse (or loses the glyphs whose data is out of range), it never reads outside the bytes.
class TrueTypeFont
{
public:
    /// Metrics in 1/1000 em, as a PDF font descriptor states them.
    struct Metrics
    {
        int ascent = 0;
        int descent = 0;
        int capHeight = 0;
        std::array<int, 4> bbox{}; ///< xMin, yMin, xMax, yMax
        double italicAngle = 0;
        bool fixedPitch = false;
    };

    /// Parses a font held in `bytes`; on failure returns nothing and says why in `error`.
    static std::optional<TrueTypeFont> parse(std::string bytes, std::string* error = nullptr);
    /// Reads and parses the font file at `path` (at most 64 MiB).
    static std::optional<TrueTypeFont> load(const std::string& path, std::string* error = nullptr);

    /// The glyph that shows `cp`, or 0 (.notdef) when the font has none.
    std::uint16_t glyph(char32_t cp) const;
    /// The advance width of `glyph` in 1/1000 em.
    double advance(std::uint16_t glyph) const;
    std::uint16_t glyphCount() const { return m_numGlyphs; }
    const Metrics& metrics() const { return m_metrics; }
    /// The PostScript name from the name table (ASCII, no spaces), e.g. `DejaVuSans-Bold`.
    const std::string& postScriptName() const { return m_psName; }

    /// A standalone TrueType file that draws `glyphs` (and the components of composite
    /// glyphs, and .notdef) exactly as this font does. Glyph ids stay the same, so text set
    /// with this font's ids shows through the subset; the outlines of every other glyph are
    /// dropped, and with them the tables a PDF viewer does not read (cmap, name, kerning).
    std::string subset(const std::set<std::uint16_t>& glyphs) const;

private:
    struct Table
    {
        std::uint32_t offset = 0;
        std::uint32_t length = 0;
    };

    TrueTypeFont() = default;
    bool readTables(std::uint32_t directory, std::string& error);
    bool readCmap(std::string& error);
    std::optional<std::pair<std::uint32_t, std::uint32_t>> glyphRange(std::uint16_t glyph) const;
    std::string_view table(std::string_view tag) const;

    std::string m_bytes;
    std::vector<std::pair<std::array<char, 4>, Table>> m_tables;
    std::vector<std::pair<char32_t, std::uint16_t>> m_cmap; ///< sorted by code point
    std::vector<std::uint16_t> m_advances;                   ///< font units, one per glyph
    std::uint16_t m_numGlyphs = 0;
    std::uint16_t m_unitsPerEm = 1000;
    bool m_longLoca = false;
    Metrics m_metrics;
    std::string m_psName;
};

} // namespace vigil
