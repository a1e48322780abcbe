// SPDX-License-Identifier: Apache-2.0
#include "scan/textnormalizer.h"

#include "scan/utf8.h"

#include <unicode/normalizer2.h>
#include <unicode/uchar.h>
#include <unicode/unistr.h>

#include <algorithm>
#include <array>

namespace vigil::scan {
namespace {

const icu::Normalizer2* nfkc()
{
    static const icu::Normalizer2* const instance = [] {
        UErrorCode status = U_ZERO_ERROR;
        const icu::Normalizer2* n = icu::Normalizer2::getNFKCInstance(status);
        return U_SUCCESS(status) ? n : nullptr;
    }();
    return instance;
}

bool isMark(char32_t c)
{
    const auto t = u_charType(UChar32(c));
    return t == U_NON_SPACING_MARK || t == U_ENCLOSING_MARK;
}

char leet(char c)
{
    switch (c) {
    case '0': return 'o';
    case '1': return 'i';
    case '3': return 'e';
    case '4': return 'a';
    case '5': return 's';
    case '7': return 't';
    case '8': return 'b';
    case '9': return 'g';
    case '@': return 'a';
    case '$': return 's';
    default: return c;
    }
}

} // namespace

TextNormalizer::TextNormalizer(const std::map<char32_t, std::string>& confusables)
    : m_confusables(confusables.begin(), confusables.end())
{
}

const std::string* TextNormalizer::confusable(char32_t c) const
{
    const auto it = m_confusables.find(c);
    return it == m_confusables.end() ? nullptr : &it->second;
}

bool TextNormalizer::isInvisible(char32_t c)
{
    if (c < 0xAD)
        return false;
    return c == 0x00AD || c == 0x034F || c == 0x061C || c == 0x115F || c == 0x1160 ||
           c == 0x17B4 || c == 0x17B5 || (c >= 0x180B && c <= 0x180F) ||
           (c >= 0x200B && c <= 0x200F) || (c >= 0x202A && c <= 0x202E) ||
           (c >= 0x2060 && c <= 0x206F) || c == 0x3164 || (c >= 0xFE00 && c <= 0xFE0F) ||
           c == 0xFEFF || c == 0xFFA0 || (c >= 0xFFF9 && c <= 0xFFFB) ||
           (c >= 0x1BCA0 && c <= 0x1BCA3) || (c >= 0x1D173 && c <= 0x1D17A) ||
           (c >= 0xE0000 && c <= 0xE0FFF);
}

bool TextNormalizer::raw(std::string_view in, const int* inSrc, MappedText& out,
                         std::vector<TagPayload>* tags) const
{
    if (!inSrc && isAscii(in))
        return false;
    out.clear();
    out.text.reserve(in.size());
    out.src.reserve(in.size());

    const icu::Normalizer2* norm = nfkc();
    icu::UnicodeString dec;
    TagPayload run;
    bool inRun = false;
    bool flagEmoji = false;
    char32_t prev = 0;
    auto flush = [&] {
        if (inRun && tags && !flagEmoji && !run.ascii.empty())
            tags->push_back(run);
        inRun = false;
        run = TagPayload{};
    };
    auto emit = [&](char32_t c, int origin) {
        const std::size_t before = out.text.size();
        appendUtf8(out.text, c);
        out.src.insert(out.src.end(), out.text.size() - before, origin);
    };

    int cp = 0;
    for (std::size_t i = 0; i < in.size(); ++cp) {
        const std::size_t b = i;
        const char32_t c = decodeUtf8(in, i);
        const int origin = inSrc ? inSrc[b] : cp;
        if (c < 0x80) {
            flush();
            out.push(char(c), origin);
            prev = c;
            continue;
        }
        if (c >= 0xE0000 && c <= 0xE007F) {
            // ASCII smuggling: tag characters mirror ASCII and render as nothing.
            if (!inRun) {
                inRun = true;
                run.begin = origin;
                flagEmoji = prev == 0x1F3F4; // subdivision flags are legitimate tag runs
            }
            if (c >= 0xE0020 && c <= 0xE007E)
                run.ascii += char(c - 0xE0000);
            run.end = origin + 1;
            if (c == 0xE007F)
                flush();
            continue;
        }
        if (isInvisible(c))
            continue;
        flush();
        prev = c;
        if (isMark(c))
            continue;
        if (norm && norm->getDecomposition(UChar32(c), dec)) {
            for (int32_t k = 0; k < dec.length();) {
                const UChar32 d = dec.char32At(k);
                k += U16_LENGTH(d);
                if (!isMark(char32_t(d)) && !isInvisible(char32_t(d)))
                    emit(char32_t(d), origin);
            }
        } else {
            emit(c, origin);
        }
    }
    flush();
    return true;
}

namespace {

/// Byte classes of the ASCII fast path.
enum : unsigned char { CSep, CAlpha, CDigit, CColon, CAtDollar };

constexpr std::array<unsigned char, 128> kAsciiClass = [] {
    std::array<unsigned char, 128> t{};
    for (int c = 0; c < 128; ++c) {
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))
            t[std::size_t(c)] = CAlpha;
        else if (c >= '0' && c <= '9')
            t[std::size_t(c)] = CDigit;
        else if (c == ':')
            t[std::size_t(c)] = CColon;
        else if (c == '@' || c == '$')
            t[std::size_t(c)] = CAtDollar;
        else
            t[std::size_t(c)] = CSep;
    }
    return t;
}();

/// Writes the phrase view into a caller-sized buffer; see TextNormalizer::phrase. With
/// `Map`, also records the original code point of every output byte.
template <bool Map>
class PhraseWriter
{
public:
    PhraseWriter(char* buf, std::vector<int>* src) : m_buf(buf), m_src(src) {}

    /// Appends one word character.
    void word(char c, int origin, bool alpha, bool leetable)
    {
        begin();
        put(c, origin);
        m_tokAlpha = m_tokAlpha || alpha;
        m_tokLeet = m_tokLeet || leetable;
    }

    /// Appends the run of ASCII letters and digits at `in.text[i]`; returns the offset after it.
    std::size_t asciiRun(TextRef in, std::size_t i)
    {
        begin();
        const std::string_view t = in.text;
        bool alpha = false, digit = false;
        for (; i < t.size(); ++i) {
            const auto ch = static_cast<unsigned char>(t[i]);
            if (ch >= 0x80)
                break;
            const unsigned char cls = kAsciiClass[ch];
            if (cls == CAlpha) {
                alpha = true;
                m_buf[m_w++] = char(ch | 0x20);
            } else if (cls == CDigit) {
                digit = true;
                m_buf[m_w++] = char(ch);
            } else {
                break;
            }
            if constexpr (Map)
                m_src->push_back(in.origin(i));
        }
        m_tokAlpha = m_tokAlpha || alpha;
        m_tokLeet = m_tokLeet || digit;
        return i;
    }

    void separator(bool colon, int origin)
    {
        endToken();
        if (!m_pendingSep) {
            m_pendingSep = true;
            m_sepOrigin = origin;
            m_sepRun = 0;
        }
        ++m_sepRun;
        m_sepColon = m_sepColon || colon;
    }

    bool inToken() const { return m_inToken; }
    char last() const { return m_buf[m_w - 1]; }

    /// Ends the text; returns the final size after joining spaced-out letters.
    std::size_t finish()
    {
        endToken();
        if (m_pendingSep && m_sepColon && m_w > 0) // "... override:" ends the text
            put(':', m_sepOrigin);
        if (m_maxSingleRun < 4 || m_softSeps.empty())
            return m_w;
        std::vector<char> drop(m_w, 0);
        for (std::size_t p : m_softSeps) {
            const std::size_t next = p + 1;
            const bool nextSingle = next < m_w && isAsciiAlpha(m_buf[next]) &&
                                    (next + 1 == m_w || m_buf[next + 1] == ' ' ||
                                     m_buf[next + 1] == ':');
            if (nextSingle)
                drop[p] = 1;
        }
        std::size_t w = 0;
        for (std::size_t r = 0; r < m_w; ++r) {
            if (drop[r])
                continue;
            m_buf[w] = m_buf[r];
            if constexpr (Map)
                (*m_src)[w] = (*m_src)[r];
            ++w;
        }
        if constexpr (Map)
            m_src->resize(w);
        return w;
    }

private:
    void put(char c, int origin)
    {
        m_buf[m_w++] = c;
        if constexpr (Map)
            m_src->push_back(origin);
    }

    void begin()
    {
        if (m_inToken)
            return;
        m_tokAfterSoft = false;
        if (m_pendingSep && m_w > 0) {
            m_tokAfterSoft = m_sepRun == 1 && !m_sepColon;
            if (m_tokAfterSoft && m_prevSingle)
                m_softSeps.push_back(m_w);
            put(m_sepColon ? ':' : ' ', m_sepOrigin);
        }
        m_pendingSep = false;
        m_sepColon = false;
        m_inToken = true;
        m_tokStart = m_w;
        m_tokAlpha = false;
        m_tokLeet = false;
    }

    void endToken()
    {
        if (!m_inToken)
            return;
        m_inToken = false;
        if (m_tokAlpha && m_tokLeet)
            for (std::size_t k = m_tokStart; k < m_w; ++k)
                m_buf[k] = leet(m_buf[k]);
        const bool single = m_w - m_tokStart == 1 && isAsciiAlpha(m_buf[m_tokStart]);
        m_singleRun = single ? ((m_prevSingle && m_tokAfterSoft) ? m_singleRun + 1 : 1) : 0;
        m_maxSingleRun = std::max(m_maxSingleRun, m_singleRun);
        m_prevSingle = single;
    }

    char* m_buf;
    std::vector<int>* m_src;
    std::size_t m_w = 0;
    bool m_pendingSep = false;
    bool m_sepColon = false;
    int m_sepOrigin = 0;
    int m_sepRun = 0;
    bool m_inToken = false;
    std::size_t m_tokStart = 0;
    bool m_tokAlpha = false;
    bool m_tokLeet = false;
    bool m_tokAfterSoft = false;
    bool m_prevSingle = false;
    int m_singleRun = 0;
    int m_maxSingleRun = 0;
    std::vector<std::size_t> m_softSeps; ///< separators between one-letter tokens
};

} // namespace

template <bool Map>
std::size_t TextNormalizer::buildPhrase(TextRef in, char* buf, std::vector<int>* src) const
{
    PhraseWriter<Map> w(buf, src);
    const std::string_view t = in.text;
    auto originAt = [&](std::size_t i) { return Map ? in.origin(i) : 0; };
    for (std::size_t i = 0; i < t.size();) {
        const auto ch = static_cast<unsigned char>(t[i]);
        if (ch < 0x80) {
            switch (kAsciiClass[ch]) {
            case CAlpha:
            case CDigit: i = w.asciiRun(in, i); break;
            case CColon: w.separator(true, originAt(i++)); break;
            case CAtDollar:
                // `ign@re`: a symbol inside a word stands for a letter.
                if (w.inToken() && isAsciiAlnum(w.last()) && i + 1 < t.size() &&
                    isAsciiAlnum(t[i + 1]))
                    w.word(char(ch), originAt(i), false, true);
                else
                    w.separator(false, originAt(i));
                ++i;
                break;
            default: w.separator(false, originAt(i++)); break;
            }
            continue;
        }
        const int origin = originAt(i);
        const char32_t c = decodeUtf8(t, i);
        if (isInvisible(c) || isMark(c))
            continue;
        const std::string* rep = confusable(c);
        char32_t folded = c;
        if (!rep) {
            folded = char32_t(u_foldCase(UChar32(c), U_FOLD_CASE_DEFAULT));
            rep = confusable(folded);
        }
        if (rep) {
            for (char r : *rep)
                w.word(r, origin, isAsciiAlpha(r), isAsciiDigit(r));
        } else if (u_isalnum(UChar32(folded))) {
            std::string bytes;
            appendUtf8(bytes, folded);
            for (char b : bytes)
                w.word(b, origin, true, false);
        } else {
            w.separator(false, origin);
        }
    }
    return w.finish();
}

void TextNormalizer::phrase(TextRef in, std::string& out, std::vector<int>* src) const
{
    if (src) {
        src->clear();
        src->reserve(in.text.size() + 8);
    }
    // Each input byte yields at most two output bytes, except a non-ASCII code point (two or
    // more bytes) folded to a confusable of up to 8 letters: 9 per code point.
    const std::size_t cap = in.text.size() * 5 + 16;
    out.resize_and_overwrite(cap, [&](char* buf, std::size_t) {
        return src ? buildPhrase<true>(in, buf, src) : buildPhrase<false>(in, buf, nullptr);
    });
}

} // namespace vigil::scan
