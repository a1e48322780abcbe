// SPDX-License-Identifier: Apache-2.0
#include "report/textwrap.h"

#include <algorithm>
#include <numeric>

namespace vigil {

std::size_t utf8SequenceLength(unsigned char lead)
{
    if (lead >= 0xF0 && lead < 0xF8)
        return 4;
    if (lead >= 0xE0)
        return lead < 0xF0 ? 3 : 1;
    if (lead >= 0xC0)
        return 2;
    return 1;
}

namespace {

/// Splits `word` after each separator: `secret.openai_key` -> `secret.`, `openai_`, `key`.
std::vector<std::string_view> pieces(std::string_view word)
{
    std::vector<std::string_view> out;
    std::size_t start = 0;
    for (std::size_t i = 0; i < word.size(); ++i)
        if (isBreakSeparator(word[i]) && i + 1 < word.size()) {
            out.push_back(word.substr(start, i + 1 - start));
            start = i + 1;
        }
    out.push_back(word.substr(start));
    return out;
}

/// Breaks the lines of one paragraph (no `\n` in it) into `out`.
class ParagraphWrapper
{
public:
    ParagraphWrapper(double width, const TextMeasure& measure, std::vector<std::string>& out)
        : m_width(width), m_measure(measure), m_out(out)
    {
    }

    void run(std::string_view para)
    {
        std::size_t i = 0;
        bool first = true;
        while (i < para.size()) {
            const std::size_t wordStart = para.find_first_not_of(' ', i);
            const std::string_view glue =
                para.substr(i, (wordStart == std::string_view::npos ? para.size() : wordStart) - i);
            if (wordStart == std::string_view::npos) { // trailing spaces
                if (fits(m_line + std::string(glue)))
                    m_line += glue;
                break;
            }
            std::size_t wordEnd = para.find(' ', wordStart);
            if (wordEnd == std::string_view::npos)
                wordEnd = para.size();
            word(glue, para.substr(wordStart, wordEnd - wordStart), first);
            first = false;
            i = wordEnd;
        }
        emit();
    }

private:
    // The tolerance absorbs rounding: a column sized to exactly its widest word (width +
    // padding - padding) must still hold that word.
    bool fits(std::string_view s) const { return m_measure(s) <= m_width + 1e-6; }

    void emit()
    {
        m_out.push_back(std::move(m_line));
        m_line.clear();
    }

    /// Places `word`, preceded by the spaces `glue` unless a line breaks there. Leading
    /// spaces of the paragraph (indentation) stay while the first word fits behind them.
    void word(std::string_view glue, std::string_view w, bool first)
    {
        const bool atLineStart = m_line.empty() && !first;
        std::string candidate =
            atLineStart ? std::string(w) : m_line + std::string(glue) + std::string(w);
        if (fits(candidate)) {
            m_line = std::move(candidate);
            return;
        }
        if (fits(w)) { // fits on a line of its own: break before it
            if (!m_line.empty())
                emit();
            m_line = std::string(w);
            return;
        }
        // Too long for any line: break after its separators, beginning on this line.
        std::string_view before = atLineStart ? std::string_view() : glue;
        for (std::string_view piece : pieces(w)) {
            std::string next = m_line + std::string(before) + std::string(piece);
            if (fits(next)) {
                m_line = std::move(next);
                before = {};
                continue;
            }
            before = {}; // the spaces where the line breaks are dropped
            if (!m_line.empty())
                emit();
            if (fits(piece)) {
                m_line = std::string(piece);
                continue;
            }
            hardBreak(piece);
        }
    }

    /// Cuts a piece wider than a line at code point boundaries; the rest stays as the line
    /// (a lone code point wider than the line too: it cannot be cut).
    void hardBreak(std::string_view piece)
    {
        while (!fits(piece)) {
            std::size_t cut = 0;
            while (cut < piece.size()) {
                const std::size_t next = std::min(
                    piece.size(), cut + utf8SequenceLength(static_cast<unsigned char>(piece[cut])));
                if (!fits(piece.substr(0, next)))
                    break;
                cut = next;
            }
            if (cut == 0) // not even one code point fits: one per line
                cut = std::min(piece.size(), utf8SequenceLength(static_cast<unsigned char>(piece[0])));
            if (cut >= piece.size())
                break;
            m_out.emplace_back(piece.substr(0, cut));
            piece.remove_prefix(cut);
        }
        m_line = std::string(piece);
    }

    double m_width;
    const TextMeasure& m_measure;
    std::vector<std::string>& m_out;
    std::string m_line;
};

template <typename F> void eachLine(std::string_view text, F&& f)
{
    std::size_t start = 0;
    while (true) {
        const std::size_t nl = text.find('\n', start);
        f(text.substr(start, nl == std::string_view::npos ? std::string_view::npos : nl - start));
        if (nl == std::string_view::npos)
            return;
        start = nl + 1;
    }
}

/// Calls `f` with every space-separated word of every line of `text`.
template <typename F> void eachWord(std::string_view text, F&& f)
{
    eachLine(text, [&](std::string_view line) {
        std::size_t i = 0;
        while (i < line.size()) {
            const std::size_t start = line.find_first_not_of(' ', i);
            if (start == std::string_view::npos)
                return;
            std::size_t end = line.find(' ', start);
            if (end == std::string_view::npos)
                end = line.size();
            f(line.substr(start, end - start));
            i = end;
        }
    });
}

} // namespace

bool isBreakSeparator(char c)
{
    return c == '.' || c == '_' || c == '/' || c == '-' || c == ':' || c == ',';
}

std::vector<std::string> wrapText(std::string_view text, double width, const TextMeasure& measure)
{
    std::vector<std::string> lines;
    ParagraphWrapper wrapper(width, measure, lines);
    eachLine(text, [&](std::string_view para) { wrapper.run(para); });
    return lines;
}

double widestWord(std::string_view text, const TextMeasure& measure)
{
    double most = 0;
    eachWord(text, [&](std::string_view word) { most = std::max(most, measure(word)); });
    return most;
}

double widestPiece(std::string_view text, const TextMeasure& measure)
{
    double most = 0;
    eachWord(text, [&](std::string_view word) {
        for (std::string_view piece : pieces(word))
            most = std::max(most, measure(piece));
    });
    return most;
}

double widestLine(std::string_view text, const TextMeasure& measure)
{
    double most = 0;
    eachLine(text, [&](std::string_view line) { most = std::max(most, measure(line)); });
    return most;
}

namespace {

/// Widths from `lower` towards `upper` that use `total` (>= the sum of `lower`); room left
/// when all have `upper` is shared by weight.
std::vector<double> fill(const std::vector<double>& lower, const std::vector<double>& upper,
                         const std::vector<double>& weight, double total)
{
    const std::size_t n = lower.size();
    std::vector<double> widths = lower;
    double room = total - std::accumulate(lower.begin(), lower.end(), 0.0);
    std::vector<bool> active(n);
    for (std::size_t i = 0; i < n; ++i)
        active[i] = upper[i] > lower[i];
    // The level rises until the room is used; a column whose wish lies below the level is
    // satisfied and leaves the pool.
    while (room > 1e-9) {
        double poolWeight = 0;
        for (std::size_t i = 0; i < n; ++i)
            if (active[i])
                poolWeight += weight[i];
        if (poolWeight == 0)
            break;
        const double level = room / poolWeight;
        bool satisfiedAny = false;
        for (std::size_t i = 0; i < n; ++i)
            if (active[i] && upper[i] - lower[i] <= level * weight[i]) {
                widths[i] = upper[i];
                room -= upper[i] - lower[i];
                active[i] = false;
                satisfiedAny = true;
            }
        if (!satisfiedAny) {
            for (std::size_t i = 0; i < n; ++i)
                if (active[i])
                    widths[i] += level * weight[i];
            room = 0;
        }
    }
    if (room > 1e-9) { // every column has its upper width: share what is left
        const double all = std::accumulate(weight.begin(), weight.end(), 0.0);
        for (std::size_t i = 0; i < n; ++i)
            widths[i] += room * weight[i] / all;
    }
    return widths;
}

} // namespace

std::vector<double> fitColumns(const std::vector<ColumnExtent>& columns, double total)
{
    const std::size_t n = columns.size();
    if (n == 0 || total <= 0)
        return std::vector<double>(n, 0.0);
    std::vector<double> min(n), preferred(n), max(n), weight(n);
    for (std::size_t i = 0; i < n; ++i) {
        min[i] = std::max(0.0, columns[i].min);
        preferred[i] = std::max(min[i], columns[i].preferred);
        max[i] = std::max(preferred[i], columns[i].max);
        weight[i] = columns[i].weight > 0 ? columns[i].weight : 1.0;
    }
    if (std::accumulate(preferred.begin(), preferred.end(), 0.0) <= total)
        return fill(preferred, max, weight, total);
    const double sumMin = std::accumulate(min.begin(), min.end(), 0.0);
    if (sumMin <= total)
        return fill(min, preferred, weight, total);
    for (double& w : min)
        w = sumMin > 0 ? w * total / sumMin : total / static_cast<double>(n);
    return min;
}

} // namespace vigil
