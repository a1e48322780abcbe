// SPDX-License-Identifier: Apache-2.0
#pragma once

// Line breaking and column sizing for laid-out reports (the PDF), independent of any font:
// the caller passes a function that measures text. Pure functions, thread-safe.

#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace vigil {

/// Byte length of the UTF-8 sequence that starts with `lead` (1 for a stray byte), so that
/// text is never cut inside a character.
std::size_t utf8SequenceLength(unsigned char lead);

/// Width of a piece of UTF-8 text in the caller's unit (points for the PDF). Must not
/// decrease when text is appended.
using TextMeasure = std::function<double(std::string_view)>;

/// The separators after which a word too long for its line may break: `.`, `_`, `/`, `-`,
/// `:`, `,` (so `secret.openai_key` breaks as `secret.` / `openai_key`, never inside
/// `openai`).
bool isBreakSeparator(char c);

/// Breaks `text` into lines no wider than `width`:
///  - at every `\n`;
///  - between words, at spaces (the spaces where a line breaks are dropped; others stay);
///  - a word that does not fit on a line of its own is broken after its separators
///    (isBreakSeparator; the separator ends the line), filling lines greedily, starting on
///    the current line;
///  - only a piece between separators that alone is wider than `width` is cut inside, at
///    UTF-8 code point boundaries, at least one code point per line.
/// Nothing but those spaces and newlines is ever dropped: the lines, concatenated, hold
/// every other character of `text` in order. An empty text gives one empty line.
std::vector<std::string> wrapText(std::string_view text, double width, const TextMeasure& measure);

/// Width of the widest space-separated word of `text` (the narrowest a column can be
/// without breaking a word inside).
double widestWord(std::string_view text, const TextMeasure& measure);

/// Width of the widest piece of `text` between spaces and after separators (`openai_` of
/// `secret.openai_key`): the narrowest a column can be without cutting inside a piece.
double widestPiece(std::string_view text, const TextMeasure& measure);

/// Width of the widest line of `text` (lines split at `\n`): what the text needs unwrapped.
double widestLine(std::string_view text, const TextMeasure& measure);

/// What one table column needs: `min`, its widest piece (narrower, text must be cut inside);
/// `preferred`, its widest word (narrower, words break at their separators); `max`, its
/// widest unwrapped cell; and `weight`, its share of room when several columns want more
/// than they get.
struct ColumnExtent
{
    double min = 0;
    double preferred = 0;
    double max = 0;
    double weight = 1;
};

/// Widths for `columns` that sum to `total` (when total > 0). Room is given out as water
/// fills vessels: a column that needs little more gets all it needs, the others share the
/// rest by `weight`.
///  - When every column can have its `preferred` width, each gets at least that and, from
///    the room left, up to its `max`; room left after that is shared by `weight`;
///  - else, when every column can have its `min`, each gets at least that and the room up to
///    `preferred` is shared (the widest words of some columns then break at separators);
///  - else the mins are scaled down together (words then have to be cut).
std::vector<double> fitColumns(const std::vector<ColumnExtent>& columns, double total);

} // namespace vigil
