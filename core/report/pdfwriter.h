// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace vigil {

/// A minimal PDF 1.4 writer: A4 pages, the standard Type1 fonts Helvetica, Helvetica-Bold
/// and Courier in WinAnsiEncoding (no embedding needed), text, lines, rectangles and
/// paths. Content streams are plain (uncompressed) so that the output is deterministic and
/// easy to inspect. Coordinates are PDF points from the bottom-left corner. Not
/// thread-safe; build one document per writer.
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

    /// Starts a new page and makes it current.
    void beginPage();
    /// Makes an earlier page current again (0-based), e.g. to stamp "page X of Y".
    void selectPage(int index);
    int pageCount() const { return static_cast<int>(m_pages.size()); }

    /// Draws one line of text with its baseline at (x, y). `utf8` is converted to
    /// WinAnsi; characters it lacks become `?` and control characters a space.
    void text(double x, double y, Font font, double size, std::string_view utf8,
              Color color = Color{0, 0, 0});
    void line(double x1, double y1, double x2, double y2, double width, Color color);
    void rect(double x, double y, double w, double h, Color fill);
    void strokeRect(double x, double y, double w, double h, double width, Color color);
    /// A closed, filled polygon (moveto, linetos, closepath, fill).
    void polygon(const std::vector<std::pair<double, double>>& points, Color fill);

    /// The complete file.
    std::string finish(const Info& info) const;

    /// Width in points of `utf8` set in `font` at `size` (the standard font metrics).
    static double textWidth(Font font, double size, std::string_view utf8);
    /// `utf8` in Windows-1252, the encoding the fonts are declared with.
    static std::string toWinAnsi(std::string_view utf8);
    /// A PDF literal string body: `(`, `)` and `\` escaped, bytes outside printable ASCII
    /// written as octal escapes.
    static std::string escapeString(std::string_view winAnsi);

private:
    std::string& current();
    std::vector<std::string> m_pages;
    int m_current = -1;
};

} // namespace vigil
