// SPDX-License-Identifier: Apache-2.0
#include "ingest/jsontext.h"

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace vigil {
namespace {

bool isSpace(char c)
{
    return c == ' ' || c == '\n' || c == '\r' || c == '\t';
}

/// Index just past the string starting at text[i] == '"', or npos.
std::size_t skipString(std::string_view text, std::size_t i)
{
    for (++i; i < text.size(); ++i) {
        const std::size_t j = text.find_first_of("\"\\", i);
        if (j == std::string_view::npos)
            return std::string_view::npos;
        if (text[j] == '"')
            return j + 1;
        i = j + 1; // skip the escaped character
    }
    return std::string_view::npos;
}

/// Index just past the value starting at text[i], or npos.
std::size_t skipValue(std::string_view text, std::size_t i)
{
    if (i >= text.size())
        return std::string_view::npos;
    if (text[i] == '"')
        return skipString(text, i);
    if (text[i] != '{' && text[i] != '[') {
        while (i < text.size() && text[i] != ',' && text[i] != '}' && text[i] != ']' &&
               !isSpace(text[i]))
            ++i;
        return i;
    }
    std::size_t depth = 0;
    while (i < text.size()) {
        const char c = text[i];
        if (c == '"') {
            i = skipString(text, i);
            if (i == std::string_view::npos)
                return i;
            continue;
        }
        if (c == '{' || c == '[')
            ++depth;
        else if ((c == '}' || c == ']') && --depth == 0)
            return i + 1;
        ++i;
    }
    return std::string_view::npos;
}

} // namespace

void appendJsonString(std::string& out, std::string_view value)
{
    static constexpr char kHex[] = "0123456789abcdef";
    out.push_back('"');
    std::size_t run = 0;
    for (std::size_t i = 0; i < value.size(); ++i) {
#if defined(__SSE2__)
        // Skip 16 bytes at a time while none needs escaping (most text needs none).
        {
            const __m128i quote = _mm_set1_epi8('"');
            const __m128i backslash = _mm_set1_epi8('\\');
            const __m128i space = _mm_set1_epi8(0x20);
            while (i + 16 <= value.size()) {
                const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(value.data() + i));
                // Bytes below 0x20, unsigned: min(v, 0x20) != 0x20.
                const __m128i control = _mm_xor_si128(_mm_cmpeq_epi8(_mm_min_epu8(v, space), space),
                                                       _mm_set1_epi8(-1));
                const auto stops = static_cast<unsigned>(_mm_movemask_epi8(_mm_or_si128(
                    control, _mm_or_si128(_mm_cmpeq_epi8(v, quote), _mm_cmpeq_epi8(v, backslash)))));
                if (stops != 0) {
                    i += static_cast<std::size_t>(__builtin_ctz(stops));
                    break;
                }
                i += 16;
            }
            if (i >= value.size())
                break;
        }
#endif
        const auto c = static_cast<unsigned char>(value[i]);
        if (c >= 0x20 && c != '"' && c != '\\')
            continue;
        out.append(value.substr(run, i - run));
        run = i + 1;
        switch (c) {
        case '"':
            out.append("\\\"");
            break;
        case '\\':
            out.append("\\\\");
            break;
        case '\n':
            out.append("\\n");
            break;
        case '\r':
            out.append("\\r");
            break;
        case '\t':
            out.append("\\t");
            break;
        default:
            out.append("\\u00");
            out.push_back(kHex[c >> 4]);
            out.push_back(kHex[c & 15]);
        }
    }
    out.append(value.substr(run));
    out.push_back('"');
}

std::optional<std::vector<ObjectMember>> scanObjectMembers(std::string_view text)
{
    std::size_t i = 0;
    auto ws = [&] {
        while (i < text.size() && isSpace(text[i]))
            ++i;
    };
    ws();
    if (i >= text.size() || text[i] != '{')
        return std::nullopt;
    ++i;
    std::vector<ObjectMember> members;
    for (;;) {
        ws();
        if (i >= text.size())
            return std::nullopt;
        if (text[i] == '}') {
            ++i;
            break;
        }
        if (!members.empty()) {
            if (text[i] != ',')
                return std::nullopt;
            ++i;
            ws();
        }
        if (i >= text.size() || text[i] != '"')
            return std::nullopt;
        const std::size_t keyEnd = skipString(text, i);
        if (keyEnd == std::string_view::npos)
            return std::nullopt;
        ObjectMember m;
        m.key = text.substr(i + 1, keyEnd - i - 2);
        i = keyEnd;
        ws();
        if (i >= text.size() || text[i] != ':')
            return std::nullopt;
        ++i;
        ws();
        m.valueBegin = i;
        i = skipValue(text, i);
        if (i == std::string_view::npos)
            return std::nullopt;
        m.valueEnd = i;
        members.push_back(m);
    }
    ws();
    if (i != text.size())
        return std::nullopt;
    return members;
}

} // namespace vigil
