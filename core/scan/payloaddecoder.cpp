// SPDX-License-Identifier: Apache-2.0
#include "scan/payloaddecoder.h"

#include "scan/utf8.h"

#include <array>

namespace vigil::scan {
namespace {

int hexValue(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

bool isHex(char c)
{
    return hexValue(c) >= 0;
}

int base64Value(char c)
{
    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 26;
    if (c >= '0' && c <= '9')
        return c - '0' + 52;
    if (c == '+' || c == '-')
        return 62;
    if (c == '/' || c == '_')
        return 63;
    return -1;
}

bool isBase64Char(char c)
{
    return base64Value(c) >= 0;
}

struct Entity
{
    std::string_view name;
    char32_t cp;
};
constexpr std::array<Entity, 8> kEntities{{{"lt", '<'},
                                           {"gt", '>'},
                                           {"amp", '&'},
                                           {"quot", '"'},
                                           {"apos", '\''},
                                           {"nbsp", 0xA0},
                                           {"colon", ':'},
                                           {"sol", '/'}}};

} // namespace

bool PayloadDecoder::decodeBase64(std::string_view in, std::string& out)
{
    out.clear();
    while (!in.empty() && in.back() == '=')
        in.remove_suffix(1);
    if (in.size() % 4 == 1)
        in.remove_suffix(1);
    unsigned acc = 0;
    int bits = 0;
    for (char c : in) {
        const int v = base64Value(c);
        if (v < 0)
            return false;
        acc = (acc << 6) | unsigned(v);
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out += char((acc >> bits) & 0xFF);
        }
    }
    return true;
}

bool PayloadDecoder::looksLikeText(std::string_view bytes, double minPrintable)
{
    if (bytes.empty())
        return false;
    int total = 0;
    int printable = 0;
    int letters = 0;
    for (std::size_t i = 0; i < bytes.size(); ++total) {
        const std::size_t b = i;
        const char32_t c = decodeUtf8(bytes, i);
        if (c == 0xFFFD && i == b + 1)
            return false; // not UTF-8: random bytes
        if ((c >= 0x20 && c < 0x7F) || c == '\t' || c == '\n' || c == '\r' || c >= 0xA0)
            ++printable;
        if (c < 0x80 ? isAsciiAlpha(char(c)) : c >= 0xA0)
            ++letters;
    }
    return letters >= 4 && printable >= minPrintable * total;
}

void PayloadDecoder::findBase64(std::string_view text, std::size_t minLen, double minPrintable,
                                std::vector<EncodedRun>& out)
{
    std::string decoded;
    for (std::size_t i = 0; i < text.size();) {
        if (!isBase64Char(text[i])) {
            ++i;
            continue;
        }
        std::size_t j = i;
        bool std = false;
        bool url = false;
        bool allHex = true;
        while (j < text.size() && isBase64Char(text[j])) {
            std = std || text[j] == '+' || text[j] == '/';
            url = url || text[j] == '-' || text[j] == '_';
            allHex = allHex && isHex(text[j]);
            ++j;
        }
        std::size_t end = j;
        while (end < text.size() && end < j + 2 && text[end] == '=')
            ++end;
        // All-hex runs are hashes or hex payloads (findHex); text in base64 is never all-hex.
        if (j - i >= minLen && !(std && url) && !allHex && decodeBase64(text.substr(i, j - i), decoded) &&
            looksLikeText(decoded, minPrintable))
            out.push_back(EncodedRun{i, end, decoded, "base64"});
        i = end;
    }
}

void PayloadDecoder::findHex(std::string_view text, std::size_t minLen, double minPrintable,
                             std::vector<EncodedRun>& out)
{
    const std::size_t n = text.size();
    auto pairAt = [&](std::size_t k) { return k + 1 < n && isHex(text[k]) && isHex(text[k + 1]); };
    auto byteAt = [&](std::size_t k) { return char(hexValue(text[k]) * 16 + hexValue(text[k + 1])); };
    std::string decoded;
    for (std::size_t i = 0; i < n;) {
        if (!isHex(text[i]) || (i > 0 && isAsciiAlnum(text[i - 1]))) {
            ++i;
            continue;
        }
        const std::size_t begin = i;
        if (text[i] == '0' && i + 2 < n && (text[i + 1] == 'x' || text[i + 1] == 'X') &&
            isHex(text[i + 2]))
            i += 2;
        decoded.clear();
        std::size_t digits = 0;
        std::size_t j = i;
        const bool separated = pairAt(j) && j + 2 < n &&
                               (text[j + 2] == ' ' || text[j + 2] == ':' || text[j + 2] == '-') &&
                               pairAt(j + 3) && (j + 5 >= n || !isHex(text[j + 5]));
        if (separated) {
            // `69 67 6e ...`: byte pairs joined by one consistent separator.
            const char sep = text[j + 2];
            while (true) {
                decoded += byteAt(j);
                digits += 2;
                j += 2;
                if (j < n && text[j] == sep && pairAt(j + 1) && (j + 3 >= n || !isHex(text[j + 3])))
                    ++j;
                else
                    break;
            }
        } else {
            while (pairAt(j)) {
                decoded += byteAt(j);
                digits += 2;
                j += 2;
            }
        }
        const bool bounded = j >= n || !isAsciiAlnum(text[j]);
        if (bounded && digits >= minLen && looksLikeText(decoded, minPrintable))
            out.push_back(EncodedRun{begin, j, decoded, "hex"});
        i = j > begin ? j : begin + 1;
        while (i < n && isAsciiAlnum(text[i]))
            ++i;
    }
}

int PayloadDecoder::unescape(TextRef in, MappedText& out)
{
    const std::string_view t = in.text;
    out.clear();
    out.text.reserve(t.size());
    out.src.reserve(t.size());
    int count = 0;
    bool percent = false;
    for (std::size_t k = 0; k + 2 < t.size(); ++k)
        if (t[k] == '%' && isHex(t[k + 1]) && isHex(t[k + 2])) {
            percent = true;
            break;
        }
    auto emitCp = [&](char32_t c, int origin) {
        const std::size_t before = out.text.size();
        appendUtf8(out.text, c);
        out.src.insert(out.src.end(), out.text.size() - before, origin);
    };
    for (std::size_t i = 0; i < t.size();) {
        const int origin = in.origin(i);
        const char c = t[i];
        if (c == '%' && i + 2 < t.size() && isHex(t[i + 1]) && isHex(t[i + 2])) {
            out.push(char(hexValue(t[i + 1]) * 16 + hexValue(t[i + 2])), origin);
            i += 3;
            ++count;
            continue;
        }
        if (c == '+' && percent) {
            out.push(' ', origin);
            ++i;
            continue;
        }
        if (c == '\\' && i + 3 < t.size() && (t[i + 1] == 'x' || t[i + 1] == 'X') &&
            isHex(t[i + 2]) && isHex(t[i + 3])) {
            out.push(char(hexValue(t[i + 2]) * 16 + hexValue(t[i + 3])), origin);
            i += 4;
            ++count;
            continue;
        }
        if (c == '\\' && i + 5 < t.size() && (t[i + 1] == 'u' || t[i + 1] == 'U') &&
            isHex(t[i + 2]) && isHex(t[i + 3]) && isHex(t[i + 4]) && isHex(t[i + 5])) {
            char32_t cp = 0;
            for (int k = 2; k < 6; ++k)
                cp = cp * 16 + char32_t(hexValue(t[i + std::size_t(k)]));
            std::size_t len = 6;
            if (cp >= 0xD800 && cp <= 0xDBFF && i + 11 < t.size() && t[i + 6] == '\\' &&
                (t[i + 7] == 'u' || t[i + 7] == 'U')) {
                char32_t lo = 0;
                bool ok = true;
                for (int k = 8; k < 12; ++k) {
                    const int v = hexValue(t[i + std::size_t(k)]);
                    ok = ok && v >= 0;
                    lo = lo * 16 + char32_t(v < 0 ? 0 : v);
                }
                if (ok && lo >= 0xDC00 && lo <= 0xDFFF) {
                    cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
                    len = 12;
                }
            }
            if (cp >= 0xD800 && cp <= 0xDFFF)
                cp = 0xFFFD;
            emitCp(cp, origin);
            i += len;
            ++count;
            continue;
        }
        if (c == '&' && i + 2 < t.size()) {
            const std::size_t semi = t.find(';', i + 1);
            if (semi != std::string_view::npos && semi - i <= 10) {
                const std::string_view body = t.substr(i + 1, semi - i - 1);
                char32_t cp = 0;
                bool ok = false;
                if (body.size() >= 2 && body[0] == '#') {
                    const bool hex = body[1] == 'x' || body[1] == 'X';
                    const std::string_view num = body.substr(hex ? 2 : 1);
                    ok = !num.empty();
                    for (char d : num) {
                        const int v = hex ? hexValue(d) : (isAsciiDigit(d) ? d - '0' : -1);
                        if (v < 0 || cp > 0x10FFFF) {
                            ok = false;
                            break;
                        }
                        cp = cp * (hex ? 16 : 10) + char32_t(v);
                    }
                    ok = ok && cp <= 0x10FFFF && !(cp >= 0xD800 && cp <= 0xDFFF) && cp != 0;
                } else {
                    for (const Entity& e : kEntities)
                        if (e.name == body) {
                            cp = e.cp;
                            ok = true;
                        }
                }
                if (ok) {
                    emitCp(cp, origin);
                    i = semi + 1;
                    ++count;
                    continue;
                }
            }
        }
        out.push(c, origin);
        ++i;
    }
    return count;
}

} // namespace vigil::scan
