// SPDX-License-Identifier: Apache-2.0
#include "ingest/jsonarraystream.h"

#include <algorithm>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace vigil {
namespace {

bool isSpace(char c)
{
    return c == ' ' || c == '\n' || c == '\r' || c == '\t';
}

int indexOf(const std::vector<std::string>& keys, std::string_view key)
{
    for (std::size_t i = 0; i < keys.size(); ++i)
        if (keys[i] == key)
            return static_cast<int>(i);
    return -1;
}

/// Index of the first `"` or `\\` at or after `i`, or npos: what ends a run of string bytes.
std::size_t findStringStop(std::string_view s, std::size_t i)
{
#if defined(__SSE2__)
    const __m128i quote = _mm_set1_epi8('"');
    const __m128i backslash = _mm_set1_epi8('\\');
    for (; i + 16 <= s.size(); i += 16) {
        const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(s.data() + i));
        const auto stops = static_cast<unsigned>(
            _mm_movemask_epi8(_mm_or_si128(_mm_cmpeq_epi8(v, quote), _mm_cmpeq_epi8(v, backslash))));
        if (stops != 0)
            return i + static_cast<std::size_t>(__builtin_ctz(stops));
    }
#endif
    for (; i < s.size(); ++i)
        if (s[i] == '"' || s[i] == '\\')
            return i;
    return std::string_view::npos;
}

/// Index of the first `"`, `{`, `}`, `[` or `]` at or after `i`, or npos: what matters
/// outside strings. (`[` and `{`, `]` and `}` differ only in bit 0x20.)
std::size_t findStructural(std::string_view s, std::size_t i)
{
#if defined(__SSE2__)
    const __m128i quote = _mm_set1_epi8('"');
    const __m128i bit = _mm_set1_epi8(0x20);
    const __m128i open = _mm_set1_epi8('{');
    const __m128i close = _mm_set1_epi8('}');
    for (; i + 16 <= s.size(); i += 16) {
        const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(s.data() + i));
        const __m128i folded = _mm_or_si128(v, bit);
        const auto stops = static_cast<unsigned>(_mm_movemask_epi8(
            _mm_or_si128(_mm_cmpeq_epi8(v, quote),
                         _mm_or_si128(_mm_cmpeq_epi8(folded, open), _mm_cmpeq_epi8(folded, close)))));
        if (stops != 0)
            return i + static_cast<std::size_t>(__builtin_ctz(stops));
    }
#endif
    for (; i < s.size(); ++i) {
        const char c = s[i];
        if (c == '"' || (c | 0x20) == '{' || (c | 0x20) == '}')
            return i;
    }
    return std::string_view::npos;
}

constexpr std::size_t kMaxKeyBytes = 256;
constexpr std::size_t kMaxCaptureBytes = 1024;

} // namespace

JsonArrayStream::JsonArrayStream(Options options) : m_options(std::move(options))
{
    m_options.keepBytes = std::min(m_options.keepBytes, m_options.maxElementBytes);
}

const std::string* JsonArrayStream::captured(std::string_view key) const
{
    for (const auto& [k, v] : m_captured)
        if (k == key)
            return &v;
    return nullptr;
}

void JsonArrayStream::beginElement(std::string_view, std::size_t at)
{
    m_element.clear();
    m_elementBytes = 0;
    m_elementSpans = false;
    m_elementStart = at;
}

void JsonArrayStream::appendElement(std::string_view bytes)
{
    m_elementBytes += static_cast<std::int64_t>(bytes.size());
    const std::size_t cap = m_elementBytes > static_cast<std::int64_t>(m_options.maxElementBytes)
                                ? m_options.keepBytes
                                : m_options.maxElementBytes;
    if (m_element.size() < cap)
        m_element.append(bytes.substr(0, cap - m_element.size()));
    if (m_element.size() > cap)
        m_element.resize(cap);
}

void JsonArrayStream::endElement(std::string_view piece, std::size_t end,
                                 const ElementSink& onElement, bool truncated)
{
    const std::string_view tail = piece.substr(m_elementStart, end - m_elementStart);
    Element e;
    if (!m_elementSpans && tail.size() <= m_options.maxElementBytes) {
        e.text = tail;
        e.fullBytes = static_cast<std::int64_t>(tail.size());
    } else {
        appendElement(tail);
        e.text = m_element;
        e.fullBytes = m_elementBytes;
    }
    e.oversized = e.fullBytes > static_cast<std::int64_t>(m_options.maxElementBytes);
    if (e.oversized && e.text.size() > m_options.keepBytes)
        e.text = e.text.substr(0, m_options.keepBytes);
    while (!e.text.empty() && isSpace(e.text.back()))
        e.text.remove_suffix(1);
    e.tooDeep = m_maxDepth > static_cast<std::int64_t>(m_options.maxDepth);
    e.truncated = truncated;
    e.arrayKey = static_cast<std::size_t>(m_arrayKey);
    e.endOffset = m_offset + static_cast<std::int64_t>(end);
    onElement(e);
    m_element.clear();
    m_elementSpans = false;
}

void JsonArrayStream::fault(std::string code, std::string message, std::string_view near,
                            const FaultSink& onFault)
{
    m_failed = true;
    Fault f;
    f.code = std::move(code);
    f.message = std::move(message);
    f.raw = std::string(near.substr(0, 256));
    f.endOffset = m_offset;
    onFault(f);
}

void JsonArrayStream::feed(std::string_view piece, const ElementSink& onElement,
                           const FaultSink& onFault)
{
    if (m_failed)
        return;
    const std::size_t n = piece.size();
    for (std::size_t i = 0; i < n; ++i) {
        const char c = piece[i];
        switch (m_state) {
        case State::Between:
            if (isSpace(c))
                break;
            if (c == '{') {
                m_state = State::ExpectKey;
                m_captured.clear();
                break;
            }
            if (m_documents == 0 && m_offset + static_cast<std::int64_t>(i) < 3 &&
                static_cast<unsigned char>(c) >= 0xBB)
                break; // a UTF-8 byte order mark
            fault("input.not_object", "expected a JSON object here", piece.substr(i), onFault);
            return;
        case State::ExpectKey:
            if (isSpace(c) || c == ',')
                break;
            if (c == '"') {
                m_key.clear();
                m_keyEscape = false;
                m_state = State::Key;
                break;
            }
            if (c == '}') {
                m_state = State::Between;
                ++m_documents;
                break;
            }
            fault("input.invalid_json", "expected a key in the top-level object",
                  piece.substr(i), onFault);
            return;
        case State::Key:
        case State::Capture: {
            std::string& into = m_state == State::Key ? m_key : m_captureValue;
            const std::size_t cap = m_state == State::Key ? kMaxKeyBytes : kMaxCaptureBytes;
            if (m_keyEscape) {
                m_keyEscape = false;
            } else if (c == '\\') {
                m_keyEscape = true;
            } else if (c == '"') {
                if (m_state == State::Key) {
                    m_state = State::ExpectColon;
                } else {
                    m_captured.emplace_back(m_options.captureKeys[static_cast<std::size_t>(m_captureKey)],
                                            m_captureValue);
                    m_state = State::AfterValue;
                }
                break;
            }
            if (into.size() < cap)
                into.push_back(c);
            break;
        }
        case State::ExpectColon:
            if (isSpace(c))
                break;
            if (c == ':') {
                m_state = State::ExpectValue;
                break;
            }
            fault("input.invalid_json", "expected ':' after a key", piece.substr(i), onFault);
            return;
        case State::ExpectValue:
            if (isSpace(c))
                break;
            m_arrayKey = indexOf(m_options.arrayKeys, m_key);
            m_captureKey = indexOf(m_options.captureKeys, m_key);
            if (c == '[' && m_arrayKey >= 0) {
                m_state = State::ArrayItems;
                break;
            }
            if (c == '"' && m_captureKey >= 0) {
                m_captureValue.clear();
                m_keyEscape = false;
                m_state = State::Capture;
                break;
            }
            m_state = State::SkipValue;
            m_depth = 0;
            m_inString = false;
            m_escape = false;
            m_scalar = false;
            if (c == '"') {
                m_inString = true;
                m_scalar = true;
            } else if (c == '{' || c == '[') {
                m_depth = 1;
            } else {
                m_scalar = true; // a number or a literal: ends at , } or a space
            }
            break;
        case State::SkipValue:
            if (m_escape) {
                m_escape = false; // the escaped character, at the start of this piece
                break;
            }
            if (m_inString) {
                const std::size_t j = piece.find_first_of("\"\\", i);
                if (j == std::string_view::npos) {
                    i = n;
                    break;
                }
                i = j;
                if (piece[i] == '\\') {
                    ++i; // the escaped character, possibly in the next piece
                    if (i == n)
                        m_escape = true;
                    break;
                }
                m_inString = false;
                if (m_depth == 0)
                    m_state = State::AfterValue;
                break;
            }
            if (m_depth == 0 && m_scalar) {
                // The scalar ends at the first byte after it, which is handled here as
                // AfterValue would (this byte may be the first of a piece).
                if (c == ',') {
                    m_state = State::ExpectKey;
                } else if (c == '}') {
                    m_state = State::Between;
                    ++m_documents;
                } else if (isSpace(c)) {
                    m_state = State::AfterValue;
                }
                break;
            }
            if (c == '"')
                m_inString = true;
            else if (c == '{' || c == '[')
                ++m_depth;
            else if ((c == '}' || c == ']') && --m_depth == 0)
                m_state = State::AfterValue;
            break;
        case State::AfterValue:
            if (isSpace(c))
                break;
            if (c == ',') {
                m_state = State::ExpectKey;
                break;
            }
            if (c == '}') {
                m_state = State::Between;
                ++m_documents;
                break;
            }
            fault("input.invalid_json", "expected ',' or '}' after a top-level value",
                  piece.substr(i), onFault);
            return;
        case State::ArrayItems:
            if (isSpace(c) || c == ',')
                break;
            if (c == ']') {
                m_state = State::AfterValue;
                break;
            }
            beginElement(piece, i);
            m_state = State::InElement;
            m_inString = c == '"';
            m_escape = false;
            m_scalar = !(c == '{' || c == '[');
            m_depth = m_scalar ? 0 : 1;
            m_maxDepth = m_depth;
            break;
        case State::InElement:
            if (m_escape) {
                m_escape = false; // the escaped character, at the start of this piece
                break;
            }
            if (m_scalar) {
                if (m_inString) {
                    const std::size_t j = findStringStop(piece, i);
                    if (j == std::string_view::npos) {
                        i = n - 1;
                        break;
                    }
                    i = j;
                    if (piece[i] == '\\') {
                        if (i + 1 < n)
                            ++i;
                        else
                            m_escape = true;
                        break;
                    }
                    m_inString = false;
                    endElement(piece, i + 1, onElement, false);
                    m_state = State::ArrayItems;
                    break;
                }
                // As above: the byte ending a scalar element is handled here, as
                // ArrayItems would.
                if (c == ',' || c == ']' || isSpace(c)) {
                    endElement(piece, i, onElement, false);
                    m_state = c == ']' ? State::AfterValue : State::ArrayItems;
                }
                break;
            }
            // An object or array: jump from stop to stop (quotes and backslashes inside
            // strings, quotes and brackets outside) without leaving this case. On leaving,
            // `i` is the last byte dealt with.
            for (;;) {
                if (m_inString) {
                    const std::size_t j = findStringStop(piece, i);
                    if (j == std::string_view::npos) {
                        i = n - 1;
                        break;
                    }
                    if (piece[j] == '\\') {
                        if (j + 1 == n) {
                            m_escape = true; // the escaped character is in the next piece
                            i = j;
                            break;
                        }
                        i = j + 2;
                        continue;
                    }
                    m_inString = false;
                    i = j + 1;
                    continue;
                }
                const std::size_t j = findStructural(piece, i);
                if (j == std::string_view::npos) {
                    i = n - 1;
                    break;
                }
                i = j;
                const char s = piece[j];
                if (s == '"') {
                    m_inString = true;
                } else if ((s | 0x20) == '{') {
                    if (++m_depth > m_maxDepth)
                        m_maxDepth = m_depth;
                } else if (--m_depth == 0) {
                    endElement(piece, j + 1, onElement, false);
                    m_state = State::ArrayItems;
                    break;
                }
                ++i;
            }
            break;
        }
        if (i >= n)
            break;
    }
    if (m_state == State::InElement) {
        appendElement(piece.substr(m_elementStart));
        m_elementSpans = true;
        m_elementStart = 0;
    }
    m_offset += static_cast<std::int64_t>(n);
}

void JsonArrayStream::finish(const ElementSink& onElement, const FaultSink& onFault)
{
    if (m_failed)
        return;
    if (m_state == State::InElement) {
        endElement(std::string_view(), 0, onElement, true);
        m_state = State::Between;
        return;
    }
    if (m_state != State::Between)
        fault("input.invalid_json", "the input ended inside the JSON document", {}, onFault);
}

} // namespace vigil
