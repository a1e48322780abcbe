// SPDX-License-Identifier: Apache-2.0
#include "iam/displaytext.h"

namespace vigil::iam {

std::string displayText(std::string_view text, std::size_t maxBytes)
{
    bool cut = false;
    if (text.size() > maxBytes) {
        std::size_t end = maxBytes;
        // Step back over UTF-8 continuation bytes so no code point is split.
        while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80)
            --end;
        text = text.substr(0, end);
        cut = true;
    }
    std::string out;
    out.reserve(text.size() + 3);
    for (std::size_t i = 0; i < text.size(); ++i) {
        const auto u = static_cast<unsigned char>(text[i]);
        const auto next = [&](std::size_t k) {
            return i + k < text.size() ? static_cast<unsigned char>(text[i + k]) : 0;
        };
        if (u < 0x20 || u == 0x7f) {
            out.push_back('?');
        } else if (u == 0xC2 && next(1) >= 0x80 && next(1) <= 0x9F) { // C1 controls
            out.push_back('?');
            i += 1;
        } else if (u == 0xE2 && next(1) == 0x80 && (next(2) == 0xA8 || next(2) == 0xA9)) {
            out.push_back('?'); // U+2028, U+2029 line and paragraph separators
            i += 2;
        } else {
            out.push_back(text[i]);
        }
    }
    if (cut)
        out += "...";
    return out;
}

} // namespace vigil::iam
