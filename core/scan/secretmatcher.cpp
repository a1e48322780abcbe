// SPDX-License-Identifier: Apache-2.0
#include "scan/secretmatcher.h"

#include "base/jsonlimits.h"
#include "scan/payloaddecoder.h"
#include "scan/utf8.h"
#include "scan/validators.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <array>
#include <cmath>

namespace vigil::scan {
namespace {

using namespace validators;

bool isTokenChar(char c)
{
    return isAsciiAlnum(c) || c == '_' || c == '-';
}

bool isBase64Body(char c)
{
    return isAsciiAlnum(c) || c == '+' || c == '/' || c == '=';
}

bool isValueChar(char c)
{
    const auto u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u == 0x7F)
        return false;
    switch (c) {
    case '"': case '\'': case '`': case ',': case ';': case '&': case '<': case '>':
    case ')': case ']': case '}': case '(': case '[':
        return false;
    default:
        return true;
    }
}

std::string lower(std::string_view s)
{
    std::string out(s);
    for (char& c : out)
        c = asciiLower(c);
    return out;
}

bool containsAny(std::string_view haystack, std::initializer_list<std::string_view> needles)
{
    for (std::string_view n : needles)
        if (haystack.find(n) != std::string_view::npos)
            return true;
    return false;
}

/// Shannon entropy per character is at most log2(length), so short values are held to a
/// proportionally lower bar.
bool randomEnough(std::string_view s, double minEntropy)
{
    const double cap = 0.85 * std::log2(double(std::max<std::size_t>(s.size(), 2)));
    return shannonEntropy(s) >= std::min(minEntropy, cap);
}

} // namespace

std::optional<ByteSpan> SecretMatcher::token(std::string_view text, std::size_t b, std::size_t e,
                                             const TokenGate& gate)
{
    while (e < text.size() && isTokenChar(text[e]))
        ++e;
    const std::string_view tok = text.substr(b, e - b);
    for (const std::string& x : gate.excludePrefixes)
        if (tok.starts_with(x))
            return std::nullopt;
    std::size_t strip = 0;
    for (const std::string& p : gate.prefixes)
        if (tok.starts_with(p) && p.size() > strip)
            strip = p.size();
    const std::string_view body = tok.substr(strip);
    if (gate.minSegment) {
        // `sk-2024-annual-report-v2` is a slug of short words, not a generated key.
        std::size_t longest = 0, run = 0;
        for (char c : body) {
            run = (c == '-' || c == '_') ? 0 : run + 1;
            longest = std::max(longest, run);
        }
        if (longest < gate.minSegment)
            return std::nullopt;
    }
    if (body.size() < gate.minLength || looksLikePlaceholder(tok) ||
        !randomEnough(body, gate.minEntropy) || alnumClasses(body) < gate.minClasses)
        return std::nullopt;
    return ByteSpan{b, e};
}

std::optional<ByteSpan> SecretMatcher::jwt(std::string_view text, std::size_t b, std::size_t e)
{
    while (e < text.size() && (isTokenChar(text[e]) || text[e] == '.'))
        ++e;
    while (e > b && text[e - 1] == '.')
        --e;
    const std::string_view tok = text.substr(b, e - b);
    const std::size_t d1 = tok.find('.');
    const std::size_t d2 = d1 == std::string_view::npos ? d1 : tok.find('.', d1 + 1);
    if (d2 == std::string_view::npos)
        return std::nullopt;
    std::string header;
    // The header is decoded text, not bounded by the event's own depth check.
    if (!PayloadDecoder::decodeBase64(tok.substr(0, d1), header) || !withinJsonLimits(header))
        return std::nullopt;
    const nlohmann::json h = nlohmann::json::parse(header, nullptr, false);
    if (!h.is_object() || !h.contains("alg") || !h["alg"].is_string())
        return std::nullopt;
    if (looksLikePlaceholder(tok.substr(d1 + 1)))
        return std::nullopt;
    return ByteSpan{b, e};
}

std::optional<ByteSpan> SecretMatcher::pem(std::string_view text, std::size_t b, std::size_t e,
                                           std::size_t minBody)
{
    std::size_t i = e;
    std::size_t body = 0;
    std::size_t bodyEnd = e;
    std::string sample;
    while (i < text.size()) {
        const char c = text[i];
        if (c == '\\' && i + 1 < text.size() && (text[i + 1] == 'n' || text[i + 1] == 'r')) {
            i += 2; // a JSON-escaped newline inside a logged string
            continue;
        }
        if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
            ++i;
            continue;
        }
        if (isBase64Body(c)) {
            ++body;
            if (sample.size() < 64)
                sample += c;
            bodyEnd = ++i;
            continue;
        }
        break;
    }
    if (body < minBody || looksLikePlaceholder(sample))
        return std::nullopt;
    std::size_t end = bodyEnd;
    if (text.substr(i).starts_with("-----END")) {
        const std::size_t close = text.find("-----", i + 8);
        end = close == std::string_view::npos ? text.size() : close + 5;
    }
    return ByteSpan{b, end};
}

std::optional<ByteSpan> SecretMatcher::assignment(std::string_view text, std::size_t e,
                                                  const AssignmentGate& gate)
{
    std::size_t i = e;
    while (i < text.size() && (text[i] == '"' || text[i] == '\'' || text[i] == ' '))
        ++i;
    const std::size_t vb = i;
    while (i < text.size() && i - vb < gate.maxLength && isValueChar(text[i]))
        ++i;
    std::size_t ve = i;
    while (ve > vb && (text[ve - 1] == '.' || text[ve - 1] == ':'))
        --ve; // sentence punctuation
    const std::string_view value = text.substr(vb, ve - vb);
    if (value.size() < gate.minLength)
        return std::nullopt;
    if (i < text.size() && (text[i] == '(' || text[i] == '['))
        return std::nullopt; // code: os.environ["KEY"], get_secret("name")
    const std::string low = lower(value);
    if (value.front() == '$' || value.front() == '%' || value.front() == '{' ||
        containsAny(low, {"environ", "getenv", "process.env", "secretsmanager", "vault:",
                          "arn:aws:secretsmanager", "keyvault", "null", "undefined"}))
        return std::nullopt;
    if (looksLikePlaceholder(value) || !randomEnough(value, gate.minEntropy) ||
        charClasses(value) < gate.minClasses)
        return std::nullopt;
    return ByteSpan{vb, ve};
}

std::optional<ByteSpan> SecretMatcher::basicAuth(std::string_view text, std::size_t b,
                                                 std::size_t e)
{
    std::size_t vb = b;
    while (vb < e && !(text[vb] == ' ' || text[vb] == '\t'))
        ++vb;
    while (vb < text.size() && (text[vb] == ' ' || text[vb] == '\t'))
        ++vb;
    std::size_t ve = vb;
    while (ve < text.size() && isBase64Body(text[ve]))
        ++ve;
    std::string decoded;
    if (ve - vb < 8 || !PayloadDecoder::decodeBase64(text.substr(vb, ve - vb), decoded))
        return std::nullopt;
    const std::size_t colon = decoded.find(':');
    if (colon == std::string::npos || colon == 0 || colon + 1 >= decoded.size())
        return std::nullopt;
    for (char c : decoded)
        if (static_cast<unsigned char>(c) < 0x20 || static_cast<unsigned char>(c) >= 0x7F)
            return std::nullopt;
    if (looksLikePlaceholder(decoded.substr(colon + 1)))
        return std::nullopt;
    return ByteSpan{vb, ve};
}

std::optional<ByteSpan> SecretMatcher::urlCredentials(std::string_view text, std::size_t b,
                                                      std::size_t e)
{
    const std::string_view m = text.substr(b, e - b);
    const std::size_t scheme = m.find("://");
    if (scheme == std::string_view::npos || m.empty() || m.back() != '@')
        return std::nullopt;
    const std::size_t colon = m.find(':', scheme + 3);
    if (colon == std::string_view::npos || colon + 2 > m.size() - 1)
        return std::nullopt;
    const std::string_view pass = m.substr(colon + 1, m.size() - 1 - colon - 1);
    const std::string low = lower(pass);
    static constexpr std::array<std::string_view, 6> kDummy{"password", "pass", "secret",
                                                            "pwd",      "passwd", "changeme"};
    for (std::string_view d : kDummy)
        if (low == d)
            return std::nullopt;
    if (pass.size() < 3 || pass.front() == '$' || pass.front() == '{' || pass.front() == '%' ||
        looksLikePlaceholder(pass))
        return std::nullopt;
    return ByteSpan{b + colon + 1, e - 1};
}

} // namespace vigil::scan
