// SPDX-License-Identifier: Apache-2.0
#include "report/excerpt.h"

#include "scan/scanner.h"

#include <algorithm>

namespace vigil {
namespace {

/// Byte offsets of each code point of `s` (plus the end), counting an invalid byte as one
/// code point, as the scanner does.
std::vector<std::size_t> codePointOffsets(std::string_view s)
{
    std::vector<std::size_t> offs;
    offs.reserve(s.size() + 1);
    std::size_t i = 0;
    while (i < s.size()) {
        offs.push_back(i);
        const auto c = static_cast<unsigned char>(s[i]);
        std::size_t len = 1;
        if (c >= 0xC2 && c <= 0xDF)
            len = 2;
        else if (c >= 0xE0 && c <= 0xEF)
            len = 3;
        else if (c >= 0xF0 && c <= 0xF4)
            len = 4;
        bool ok = i + len <= s.size();
        for (std::size_t k = 1; ok && k < len; ++k)
            ok = (static_cast<unsigned char>(s[i + k]) & 0xC0) == 0x80;
        i += ok ? len : 1;
    }
    offs.push_back(s.size());
    return offs;
}

} // namespace

std::string excerpt(std::string_view value, int start, int end,
                    const std::vector<Finding>& fieldFindings, bool redact, int radius)
{
    const std::vector<std::size_t> offs = codePointOffsets(value);
    const int count = static_cast<int>(offs.size()) - 1;
    const int focusStart = std::clamp(start < 0 ? 0 : start, 0, count);
    const int focusEnd = std::clamp(end < focusStart ? focusStart : end, focusStart, count);
    const int from = std::max(0, focusStart - radius);
    const int to = std::min(count, std::max(focusEnd, focusStart) + radius);
    const std::string_view window =
        value.substr(offs[static_cast<std::size_t>(from)],
                     offs[static_cast<std::size_t>(to)] - offs[static_cast<std::size_t>(from)]);

    std::string text;
    if (redact) {
        std::vector<std::pair<int, int>> spans;
        std::vector<std::string> rules;
        for (const Finding& f : fieldFindings) {
            if (f.category != "pii" && f.category != "secret")
                continue;
            if (f.start < 0) {
                // A sensitive finding without a span: the whole value is withheld.
                return "[REDACTED:" + f.rule + "]";
            }
            if (f.end <= from || f.start >= to)
                continue; // outside the window
            const int s = std::max(f.start, from), e = std::min(f.end, to);
            spans.emplace_back(s - from, e - from);
            rules.push_back(f.rule);
        }
        text = vigil::redact(window, spans, rules);
    } else {
        text = std::string(window);
    }
    for (char& c : text)
        if (c == '\n' || c == '\r' || c == '\t')
            c = ' ';
    return (from > 0 ? "..." : "") + text + (to < count ? "..." : "");
}

} // namespace vigil
