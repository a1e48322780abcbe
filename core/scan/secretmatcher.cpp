// SPDX-License-Identifier: Apache-2.0
#include "scan/secretmatcher.h"

#include "base/jsonlimits.h"
#include "scan/payloaddecoder.h"
#include "scan/utf8.h"
#include "scan/validators.h"

#include <hs/hs.h>
#include <nlohmann/json.hpp>

#include <algorithm>
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

/// `\n`, `\r` or `\t` written out in a logged string ends a value.
bool isEscapedBreak(std::string_view text, std::size_t i)
{
    return text[i] == '\\' && i + 1 < text.size() &&
           (text[i + 1] == 'n' || text[i + 1] == 'r' || text[i + 1] == 't');
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

bool containsCaseless(std::string_view haystack, const std::vector<std::string>& needles)
{
    if (needles.empty())
        return true;
    const std::string low = lower(haystack);
    for (const std::string& n : needles)
        if (low.find(n) != std::string::npos)
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

std::expected<SecretAllowlistMatcher, PatternSet::CompileError>
SecretAllowlistMatcher::compile(Entries entries, const std::vector<std::string>& patterns)
{
    SecretAllowlistMatcher m;
    m.m_entries = std::move(entries);
    std::vector<HsPattern> hp;
    for (std::size_t i = 0; i < patterns.size(); ++i)
        hp.push_back(HsPattern{patterns[i], HS_FLAG_CASELESS | HS_FLAG_SINGLEMATCH, unsigned(i)});
    auto set = PatternSet::compile(hp);
    if (!set)
        return std::unexpected(set.error());
    m.m_patterns = std::move(*set);
    return m;
}

bool SecretAllowlistMatcher::isValue(std::string_view value) const
{
    return std::find(m_entries.values.begin(), m_entries.values.end(), value) !=
           m_entries.values.end();
}

bool SecretAllowlistMatcher::allows(std::string_view value, hs_scratch* scratch,
                                    bool structural) const
{
    if (isValue(value))
        return true;
    const std::string low = lower(value);
    for (const std::string& w : m_entries.stopwords)
        if (low.find(w) != std::string::npos)
            return true;
    if (structural && (m_entries.repeatRun || m_entries.ascendingRun)) {
        // A run of one character, or an ascending run, is typed rather than generated.
        std::size_t same = 1, asc = 1;
        for (std::size_t i = 1; i < low.size(); ++i) {
            // Base64 of zero bytes is a run of `A`: inside a long value it is data.
            const bool zeros = value[i] == 'A' && value.size() >= 32;
            same = (low[i] == low[i - 1] && !zeros) ? same + 1 : 1;
            asc = (isAsciiAlnum(low[i]) && low[i] == low[i - 1] + 1) ? asc + 1 : 1;
            // In a long random value (a base64 blob) short runs occur by chance.
            const std::size_t longer = value.size() > 64 ? 12 : 0;
            if ((m_entries.repeatRun && same >= std::max(m_entries.repeatRun, longer)) ||
                (m_entries.ascendingRun && asc >= std::max(m_entries.ascendingRun, longer)))
                return true;
        }
    }
    if (m_patterns.empty() || !scratch)
        return false;
    thread_local std::vector<HsMatch> hits;
    hits.clear();
    m_patterns.scan(value, scratch, hits);
    return !hits.empty();
}

std::optional<ByteSpan> SecretMatcher::token(std::string_view text, std::size_t b, std::size_t e,
                                             const TokenGate& gate, const AllowCheck& allow)
{
    while (e < text.size() && (isTokenChar(text[e]) || (gate.base64 && isBase64Body(text[e]))))
        ++e;
    const std::string_view tok = text.substr(b, e - b);
    if (b > 0 && (text[b - 1] == '.' || isAsciiDigit(text[b - 1])))
        return std::nullopt; // part of a file or host name (`video_box.ico-7a38.png`) or a number
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
    if (body.size() < gate.minLength || (gate.maxLength && body.size() > gate.maxLength) ||
        !randomEnough(body, gate.minEntropy) || alnumClasses(body) < gate.minClasses ||
        allow.allows(body) || allow.isValue(tok) || !containsCaseless(text, gate.keywords))
        return std::nullopt;
    return ByteSpan{b, e};
}

std::optional<ByteSpan> SecretMatcher::jwt(std::string_view text, std::size_t b, std::size_t e,
                                           const AllowCheck& allow)
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
    if (allow.allows(tok.substr(d1 + 1), false))
        return std::nullopt;
    return ByteSpan{b, e};
}

std::optional<ByteSpan> SecretMatcher::pem(std::string_view text, std::size_t b, std::size_t e,
                                           std::size_t minBody, const AllowCheck& allow)
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
    if (body < minBody || allow.allows(sample, false))
        return std::nullopt;
    std::size_t end = bodyEnd;
    if (text.substr(i).starts_with("-----END")) {
        const std::size_t close = text.find("-----", i + 8);
        end = close == std::string_view::npos ? text.size() : close + 5;
    }
    return ByteSpan{b, end};
}

std::optional<ByteSpan> SecretMatcher::assignment(std::string_view text, std::size_t b,
                                                  std::size_t e, const AssignmentGate& gate,
                                                  const AllowCheck& allow)
{
    // The whole identifier around the credential word: `kms_key_id`, `publicToken`.
    auto identChar = [](char c) { return isAsciiAlnum(c) || c == '_' || c == '.' || c == '-'; };
    std::size_t ib = b, ie = b;
    while (ib > 0 && identChar(text[ib - 1]))
        --ib;
    while (ie < e && identChar(text[ie]))
        ++ie;
    if (!gate.excludeKeys.empty() || !gate.excludeKeySuffixes.empty()) {
        const std::string ident = lower(text.substr(ib, ie - ib));
        for (const std::string& k : gate.excludeKeys)
            if (ident.find(k) != std::string::npos)
                return std::nullopt;
        std::string bare;
        for (char c : ident)
            if (c != '_' && c != '.' && c != '-')
                bare += c;
        for (const std::string& k : gate.excludeKeySuffixes)
            if (bare.ends_with(k))
                return std::nullopt;
    }
    // `<apiToken>value</apiToken>`: a `>` after the identifier only counts inside a tag.
    bool tagValue = false;
    {
        std::size_t op = e;
        while (op > ie && (text[op - 1] == ' ' || text[op - 1] == '\t' || text[op - 1] == '\n' ||
                           text[op - 1] == '\r' || text[op - 1] == '"' || text[op - 1] == '\'' ||
                           text[op - 1] == '`'))
            --op;
        tagValue = op == ie + 1 && text[ie] == '>'; // right after the name: `<apiToken>`
        if (tagValue && (ib == 0 || text[ib - 1] != '<'))
            return std::nullopt;
    }
    std::size_t i = e;
    char quote = (e > 0 && (text[e - 1] == '"' || text[e - 1] == '\'' || text[e - 1] == '`'))
                     ? text[e - 1]
                     : 0;
    while (i < text.size() && (text[i] == '"' || text[i] == '\'' || text[i] == ' ' ||
                               text[i] == '`' || text[i] == '\t')) {
        if (quote && text[i] == quote)
            return std::nullopt; // `password: ""`: empty
        if (text[i] != ' ' && text[i] != '\t')
            quote = text[i];
        ++i;
    }
    const std::size_t vb = i;
    while (i < text.size() && i - vb < gate.maxLength && isValueChar(text[i]) &&
           !isEscapedBreak(text, i))
        ++i;
    std::size_t ve = i;
    std::size_t dots = 0;
    while (ve > vb && (text[ve - 1] == '.' || text[ve - 1] == ':'))
        dots += text[--ve] == '.'; // sentence punctuation
    if (dots >= 2)
        return std::nullopt; // `ops_eyJzaWduSW5B..`: shown cut short
    const std::string_view value = text.substr(vb, ve - vb);
    if (value.size() < gate.minLength)
        return std::nullopt;
    if (i < text.size() && (text[i] == '(' || text[i] == '['))
        return std::nullopt; // code: os.environ["KEY"], get_secret("name")
    if (tagValue) { // the element must close right after the value
        std::size_t j = i;
        while (j < text.size() &&
               (text[j] == ' ' || text[j] == '\t' || text[j] == '\n' || text[j] == '\r'))
            ++j;
        if (!text.substr(j).starts_with("</"))
            return std::nullopt;
    }
    const std::string low = lower(value);
    if (value.front() == '$' || value.front() == '%' || value.front() == '{' ||
        value.front() == '/' || value.front() == '.' ||
        containsAny(low, {"environ", "getenv", "process.env", "secretsmanager", "vault:",
                          "arn:aws:secretsmanager", "keyvault", "null", "undefined", "://"}))
        return std::nullopt;
    // Letters and `_.-` alone are names (`access_token_url`, `my-secret-name`), not keys.
    if (std::all_of(value.begin(), value.end(),
                    [](char c) { return isAsciiAlpha(c) || c == '_' || c == '.' || c == '-'; }))
        return std::nullopt;
    // Long runs of digits alone are random keys too (`41736534086677885561968728212015`).
    const bool longDigits =
        value.size() >= 24 && std::all_of(value.begin(), value.end(), isAsciiDigit);
    if (!randomEnough(value, gate.minEntropy) ||
        (charClasses(value) < gate.minClasses && !longDigits) || allow.allows(value) ||
        !containsCaseless(text, gate.keywords))
        return std::nullopt;
    return ByteSpan{vb, ve};
}

std::optional<ByteSpan> SecretMatcher::basicAuth(std::string_view text, std::size_t b,
                                                 std::size_t e, const AllowCheck& allow)
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
    if (allow.allows(decoded.substr(colon + 1)))
        return std::nullopt;
    return ByteSpan{vb, ve};
}

std::optional<ByteSpan> SecretMatcher::connectionString(std::string_view text, std::size_t b,
                                                        std::size_t e, const ConnectionGate& gate,
                                                        const AllowCheck& allow)
{
    const std::string_view m = text.substr(b, e - b);
    std::size_t pb = 0, pe = 0;
    if (!m.empty() && m.back() == '@') {
        // scheme://user:password@ (the user may be empty: `redis://:password@host`)
        const std::size_t scheme = m.find("://");
        if (scheme == std::string_view::npos)
            return std::nullopt;
        const std::size_t colon = m.find(':', scheme + 3);
        if (colon == std::string_view::npos || colon + 2 > m.size() - 1)
            return std::nullopt;
        pb = b + colon + 1;
        pe = e - 1;
    } else if (m.find("-u") != std::string_view::npos ||
               m.find("--user") != std::string_view::npos) {
        // curl -u user:password / --user=user:password
        if (!containsCaseless(text, gate.contextWords))
            return std::nullopt;
        std::size_t i = e;
        const char quote = i < text.size() && (text[i] == '"' || text[i] == '\'') ? text[i++] : 0;
        const std::size_t ub = i;
        while (i < text.size() && static_cast<unsigned char>(text[i]) > 0x20 && text[i] != quote &&
               text[i] != ':')
            ++i;
        if (i >= text.size() || text[i] != ':' || (i == ub && !quote))
            return std::nullopt; // an empty user counts only quoted: `-u ":password"`
        pb = ++i;
        while (i < text.size() && static_cast<unsigned char>(text[i]) > 0x20 &&
               (quote ? text[i] != quote : (text[i] != '"' && text[i] != '\'')))
            ++i;
        pe = i;
    } else {
        // key=value form: `Password=...;`, `;password=...`, `?password=...&`
        if (!containsCaseless(text, gate.contextWords))
            return std::nullopt;
        std::size_t i = e;
        if (i < text.size() && (text[i] == '"' || text[i] == '\''))
            ++i; // ADO.NET allows a quoted value
        pb = i;
        while (i < text.size() && text[i] != ';' && text[i] != '&' && text[i] != '"' &&
               text[i] != '\'' && !isEscapedBreak(text, i) &&
               static_cast<unsigned char>(text[i]) > 0x20)
            ++i;
        pe = i;
    }
    const std::string_view pass = text.substr(pb, pe - pb);
    if (pass.size() < gate.minLength || pass.front() == '$' || pass.front() == '{' ||
        pass.front() == '<' || allow.allows(pass))
        return std::nullopt;
    return ByteSpan{pb, pe};
}

} // namespace vigil::scan
