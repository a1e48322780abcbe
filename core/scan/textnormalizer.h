// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace vigil::scan {

/// Text derived from a field value plus, for each byte, the code point index in the original
/// value that produced it. Spans found in derived text map back through `src`.
struct MappedText
{
    std::string text;
    std::vector<int> src;

    void clear()
    {
        text.clear();
        src.clear();
    }
    void push(char c, int origin)
    {
        text += c;
        src.push_back(origin);
    }
};

/// A view to match on: the original ASCII value itself (`src == nullptr`, byte i is code
/// point i) or a MappedText.
struct TextRef
{
    std::string_view text;
    const int* src = nullptr;

    int origin(std::size_t byte) const { return src ? src[byte] : int(byte); }
    /// Original code point span of the bytes [begin, end), end exclusive.
    std::pair<int, int> span(std::size_t begin, std::size_t end) const
    {
        if (end <= begin)
            return {origin(begin), origin(begin)};
        return {origin(begin), origin(end - 1) + 1};
    }
};

/// Text hidden in Unicode tag characters (U+E0020..E007E encode ASCII), with the original
/// code point span of the tag run.
struct TagPayload
{
    std::string ascii;
    int begin = -1;
    int end = -1;
};

/// Builds the two views detectors match on. Immutable after construction; thread-safe.
///
/// - The *raw view* (PII, secrets, SQL, log checks) is the value with compatibility forms
///   folded (NFKC: fullwidth, mathematical alphanumerics, ligatures, NBSP) and invisible
///   characters removed (zero-width, bidi controls, tag characters, variation selectors,
///   soft hyphen) as well as combining marks; case and script are kept.
/// - The *phrase view* (injection phrases) additionally folds case, folds homoglyphs to
///   Latin with the rule pack's confusables table, maps leetspeak digits inside words,
///   collapses every run of separators to one space (to `:` when the run holds a colon) and
///   joins letters spaced out one by one (`i g n o r e` -> `ignore`).
class TextNormalizer
{
public:
    explicit TextNormalizer(const std::map<char32_t, std::string>& confusables);

    /// Raw view of `in` into `out`. `inSrc` maps each byte of `in` to the original code
    /// point (nullptr: `in` is the original). Returns false, leaving `out` untouched, when
    /// `in` is pure ASCII and `inSrc` is null: the input is then its own raw view. Tag
    /// payloads are appended to `tags` when given.
    bool raw(std::string_view in, const int* inSrc, MappedText& out,
             std::vector<TagPayload>* tags) const;

    /// Phrase view of `in` into `out`; fills `src` (origin per output byte) when non-null.
    void phrase(TextRef in, std::string& out, std::vector<int>* src) const;

    /// The confusable replacement of `c`, or nullptr.
    const std::string* confusable(char32_t c) const;

    /// True for code points removed from both views (zero-width, bidi, tags, ...).
    static bool isInvisible(char32_t c);

private:
    template <bool Map>
    std::size_t buildPhrase(TextRef in, char* buf, std::vector<int>* src) const;

    std::unordered_map<char32_t, std::string> m_confusables;
};

} // namespace vigil::scan
