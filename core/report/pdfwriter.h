// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace vigil {

class PdfFontSet;

/// A minimal PDF 1.4 writer: A4 pages, text, lines, rectangles and paths.
///
/// Text is set in TrueType fonts embedded as subsets (DejaVu Sans, Sans Bold and Sans Mono,
/// with Droid Sans Fallback for the CJK characters DejaVu lacks), so any name an agent or a
/// user has reaches the page and pdftotext reads it back (each font carries a ToUnicode map).
/// Without those font files the writer falls back to the standard Type1 fonts Helvetica,
/// Helvetica-Bold and Courier in WinAnsiEncoding, and characters outside it become `?`.
/// Glyphs are placed one after another: no shaping, so scripts that need it (Arabic,
/// Indic) show their unjoined forms, and right-to-left text runs left to right.
///
/// Content streams are plain (uncompressed) so that the output is deterministic and easy to
/// inspect; embedded fonts are compressed. Coordinates are PDF points from the bottom-left
/// corner. Not thread-safe; build one document per writer.
class PdfWriter
{
public:
    enum class Font : std::uint8_t
    {
        Regular,
        Bold,
        Mono
    };

    /// An RGB colour, each channel 0..1.
    struct Color
    {
        double r, g, b;
    };

    /// Document information written into the Info dictionary.
    struct Info
    {
        std::string title;
        std::string subject;
        std::string creationDate; ///< PDF date string without `D:`, e.g. 20261121100000Z
    };

    static constexpr double kPageWidth = 595.28;
    static constexpr double kPageHeight = 841.89;

    /// A writer that sets text in the system's fonts (PdfFontSet::system()).
    PdfWriter();
    /// A writer that sets text in `fonts`; PdfFontSet::standard() for the Type1 fonts only.
    explicit PdfWriter(std::shared_ptr<const PdfFontSet> fonts);
    ~PdfWriter();

    /// Starts a new page and makes it current.
    void beginPage();
    /// Makes an earlier page current again (0-based), e.g. to stamp "page X of Y".
    void selectPage(int index);
    int pageCount() const { return static_cast<int>(m_pages.size()); }

    /// Draws one line of text with its baseline at (x, y). Control characters become a
    /// space; characters no font has become `?`, default-ignorable ones (zero-width joiners,
    /// variation selectors) are dropped.
    void text(double x, double y, Font font, double size, std::string_view utf8,
              Color color = Color{0, 0, 0});
    void line(double x1, double y1, double x2, double y2, double width, Color color);
    void rect(double x, double y, double w, double h, Color fill);
    void strokeRect(double x, double y, double w, double h, double width, Color color);
    /// A closed, filled polygon (moveto, linetos, closepath, fill).
    void polygon(const std::vector<std::pair<double, double>>& points, Color fill);

    /// The complete file.
    std::string finish(const Info& info) const;

    /// Width in points of `utf8` set in `font` at `size` in the system's fonts, the ones a
    /// default-constructed writer uses.
    static double textWidth(Font font, double size, std::string_view utf8);
    /// Width in points of `utf8` set in `font` at `size` in this writer's fonts.
    double measure(Font font, double size, std::string_view utf8) const;
    /// `utf8` in Windows-1252, the encoding the fonts are declared with.
    static std::string toWinAnsi(std::string_view utf8);
    /// A PDF literal string body: `(`, `)` and `\` escaped, bytes outside printable ASCII
    /// written as octal escapes.
    static std::string escapeString(std::string_view winAnsi);

private:
    std::string& current();
    std::string embeddedText(double x, double y, Font font, double size, std::string_view utf8,
                             Color color);
    void finishEmbedded(std::vector<std::string>& objects, std::string& fonts) const;

    std::shared_ptr<const PdfFontSet> m_fonts;
    std::vector<std::string> m_pages;
    int m_current = -1;
    /// Per embedded font slot (regular, bold, mono, fallback): each glyph used and the
    /// character it first showed, for the subset, the widths and the ToUnicode map.
    std::array<std::map<std::uint16_t, char32_t>, 4> m_used;
};

class TrueTypeFont;

/// The fonts a PdfWriter embeds: one TrueType face per PdfWriter::Font and a fallback face
/// for characters they lack. Immutable once built, so writers on several threads share one.
class PdfFontSet
{
public:
    /// DejaVu Sans, Sans Bold and Sans Mono from /usr/share/fonts (Debian's
    /// fonts-dejavu-core), with Droid Sans Fallback (fonts-droid-fallback) or WenQuanYi Zen
    /// Hei for CJK when installed; the standard set when the DejaVu files are missing. Read
    /// once per process.
    static std::shared_ptr<const PdfFontSet> system();
    /// No embedded fonts: the standard Type1 fonts in WinAnsiEncoding.
    static std::shared_ptr<const PdfFontSet> standard();
    /// The faces in the given files (the fallback may be empty); nothing when one of the
    /// three faces does not load, with the reason in `error`.
    static std::shared_ptr<const PdfFontSet> load(const std::string& regular,
                                                  const std::string& bold,
                                                  const std::string& mono,
                                                  const std::string& fallback,
                                                  std::string* error = nullptr);
    ~PdfFontSet();

    bool embedded() const { return !m_faces.empty(); }
    /// Slot 0-2: the face of PdfWriter::Font Regular, Bold, Mono; slot 3: the fallback
    /// (nullptr when there is none, or when the set is the standard one).
    const TrueTypeFont* face(std::size_t slot) const;

    /// How a character is drawn: the face slot, its glyph, and the character that glyph
    /// shows (`?` when it stands in for one no face has). Slot -1: nothing is drawn.
    struct Glyph
    {
        int slot = -1;
        std::uint16_t id = 0;
        char32_t shows = 0;
    };
    /// `cp` in `font`: the font's own face, else the fallback face, else the font's `?`;
    /// default-ignorable characters without a glyph of their own are dropped.
    Glyph glyphFor(PdfWriter::Font font, char32_t cp) const;

private:
    PdfFontSet() = default;
    std::vector<std::unique_ptr<TrueTypeFont>> m_faces; ///< regular, bold, mono[, fallback]
};

} // namespace vigil
