// SPDX-License-Identifier: Apache-2.0
#include "scan/piimatcher.h"

#include "scan/phoneplan.h"
#include "scan/utf8.h"
#include "scan/validators.h"

#include <unicode/uchar.h>

#include <algorithm>
#include <array>

namespace vigil::scan {
namespace {

using namespace validators;

// ---------------------------------------------------------------------------------------------
// E-mail

bool isLocalChar(char c)
{
    return isAsciiAlnum(c) || c == '.' || c == '_' || c == '%' || c == '+' || c == '-';
}

bool isDomainChar(char c)
{
    return isAsciiAlnum(c) || c == '.' || c == '-';
}

/// A letter, digit or combining mark beyond ASCII: what internationalized domain labels
/// (IDNA) and local parts (RFC 6531) hold besides the ASCII set.
bool isIntlWordChar(char32_t c)
{
    if (c < 0x80 || c == 0xFFFD)
        return false;
    return (U_GET_GC_MASK(UChar32(c)) & (U_GC_L_MASK | U_GC_M_MASK | U_GC_ND_MASK)) != 0;
}

bool isIntlLetter(char32_t c)
{
    return c >= 0x80 && c != 0xFFFD && (U_GET_GC_MASK(UChar32(c)) & (U_GC_L_MASK | U_GC_M_MASK)) != 0;
}

/// The code point that ends just before byte `end`; `start` receives its first byte.
char32_t decodeBefore(std::string_view t, std::size_t end, std::size_t& start)
{
    std::size_t s = end - 1;
    for (int k = 0; k < 3 && s > 0 && (static_cast<unsigned char>(t[s]) & 0xC0) == 0x80; ++k)
        --s;
    std::size_t i = s;
    const char32_t c = decodeUtf8(t, i);
    if (i != end) {
        start = end - 1;
        return 0xFFFD;
    }
    start = s;
    return c;
}

/// Code points of a UTF-8 run, each invalid byte counting as one.
std::size_t codePoints(std::string_view s)
{
    return std::size_t(codePointCount(s));
}

/// A top-level label: alphabetic ASCII (2 to 24 letters), punycode (`xn--p1ai`), or
/// letters of another script (`广告`, `рф`).
bool validTld(std::string_view tld)
{
    if (isAscii(tld)) {
        if (tld.size() >= 5 && (tld.starts_with("xn--") || tld.starts_with("XN--")))
            return std::all_of(tld.begin() + 4, tld.end(),
                               [](char c) { return isAsciiAlnum(c) || c == '-'; });
        return tld.size() >= 2 && tld.size() <= 24 &&
               std::all_of(tld.begin(), tld.end(), [](char c) { return isAsciiAlpha(c); });
    }
    std::size_t n = 0;
    for (std::size_t i = 0; i < tld.size(); ++n)
        if (!isIntlLetter(decodeUtf8(tld, i)))
            return false;
    return n >= 2;
}

/// Validates `local` and `domain` (labels joined by dots); false for `admin@localhost`.
bool validAddress(std::string_view local, std::string_view domain)
{
    if (local.empty() || codePoints(local) > 64 || local.front() == '.' || local.back() == '.' ||
        local.find("..") != std::string_view::npos)
        return false;
    if (domain.size() < 4 || codePoints(domain) > 253)
        return false;
    int labels = 0;
    std::size_t start = 0;
    std::string_view last;
    while (start <= domain.size()) {
        std::size_t dot = domain.find('.', start);
        if (dot == std::string_view::npos)
            dot = domain.size();
        const std::string_view label = domain.substr(start, dot - start);
        if (label.empty() || codePoints(label) > 63 || label.front() == '-' || label.back() == '-')
            return false;
        ++labels;
        last = label;
        start = dot + 1;
    }
    return labels >= 2 && validTld(last);
}

/// Case-insensitive match of `word` at `pos`, bracketed by ( ) [ ] { } with optional spaces,
/// e.g. ` [at] `. Returns the end offset or 0.
std::size_t bracketWord(std::string_view t, std::size_t pos, std::string_view word)
{
    std::size_t i = pos;
    while (i < t.size() && t[i] == ' ')
        ++i;
    if (i >= t.size() || (t[i] != '[' && t[i] != '(' && t[i] != '{'))
        return 0;
    const char close = t[i] == '[' ? ']' : t[i] == '(' ? ')' : '}';
    ++i;
    while (i < t.size() && t[i] == ' ')
        ++i;
    for (char w : word) {
        if (i >= t.size() || asciiLower(t[i]) != w)
            return 0;
        ++i;
    }
    while (i < t.size() && t[i] == ' ')
        ++i;
    if (i >= t.size() || t[i] != close)
        return 0;
    ++i;
    while (i < t.size() && t[i] == ' ')
        ++i;
    return i;
}

void findObfuscatedEmails(std::string_view t, std::vector<PiiHit>& out)
{
    for (std::size_t i = 0; i < t.size(); ++i) {
        if (t[i] != '[' && t[i] != '(' && t[i] != '{')
            continue;
        std::size_t lead = i;
        while (lead > 0 && t[lead - 1] == ' ')
            --lead;
        const std::size_t after = bracketWord(t, lead, "at");
        if (!after)
            continue;
        std::size_t ls = lead;
        while (ls > 0 && isLocalChar(t[ls - 1]))
            --ls;
        const std::string_view local = t.substr(ls, lead - ls);
        // Domain: labels joined by `.` or ` [dot] `.
        std::string domain;
        std::size_t j = after;
        std::size_t end = after;
        while (j < t.size()) {
            std::size_t k = j;
            while (k < t.size() && (isAsciiAlnum(t[k]) || t[k] == '-'))
                ++k;
            if (k == j)
                break;
            domain.append(t.substr(j, k - j));
            end = k;
            if (k < t.size() && t[k] == '.' && k + 1 < t.size() && isAsciiAlnum(t[k + 1])) {
                domain += '.';
                j = k + 1;
            } else if (const std::size_t d = bracketWord(t, k, "dot")) {
                domain += '.';
                j = d;
            } else {
                break;
            }
        }
        if (validAddress(local, domain))
            out.push_back(PiiHit{NumberKind::Phone, ls, end});
    }
}

// ---------------------------------------------------------------------------------------------
// IBAN

struct IbanCountry
{
    char code[3];
    unsigned char length;
};

/// IBAN lengths by country (SWIFT IBAN registry), sorted by code.
constexpr std::array<IbanCountry, 89> kIbanLengths{{
    {"AD", 24}, {"AE", 23}, {"AL", 28}, {"AT", 20}, {"AZ", 28}, {"BA", 20}, {"BE", 16},
    {"BG", 22}, {"BH", 22}, {"BI", 27}, {"BR", 29}, {"BY", 28}, {"CH", 21}, {"CR", 22},
    {"CY", 28}, {"CZ", 24}, {"DE", 22}, {"DJ", 27}, {"DK", 18}, {"DO", 28}, {"EE", 20},
    {"EG", 29}, {"ES", 24}, {"FI", 18}, {"FK", 18}, {"FO", 18}, {"FR", 27}, {"GB", 22},
    {"GE", 22}, {"GI", 23}, {"GL", 18}, {"GR", 27}, {"GT", 28}, {"HR", 21}, {"HU", 28},
    {"IE", 22}, {"IL", 23}, {"IQ", 23}, {"IS", 26}, {"IT", 27}, {"JO", 30}, {"KW", 30},
    {"KZ", 20}, {"LB", 28}, {"LC", 32}, {"LI", 21}, {"LT", 20}, {"LU", 20}, {"LV", 21},
    {"LY", 25}, {"MC", 27}, {"MD", 24}, {"ME", 22}, {"MK", 19}, {"MN", 20}, {"MR", 27},
    {"MT", 31}, {"MU", 30}, {"NI", 28}, {"NL", 18}, {"NO", 15}, {"OM", 23}, {"PK", 24},
    {"PL", 28}, {"PS", 29}, {"PT", 25}, {"QA", 29}, {"RO", 24}, {"RS", 22}, {"RU", 33},
    {"SA", 24}, {"SC", 31}, {"SD", 18}, {"SE", 24}, {"SI", 19}, {"SK", 24}, {"SM", 27},
    {"SO", 23}, {"ST", 25}, {"SV", 28}, {"TL", 23}, {"TN", 24}, {"TR", 26}, {"UA", 29},
    {"VA", 22}, {"VG", 24}, {"XK", 20}, {"YE", 30},
}};

char asciiUpper(char c)
{
    return (c >= 'a' && c <= 'z') ? char(c - 32) : c;
}

std::size_t ibanLength(char a, char b)
{
    const char code[3] = {asciiUpper(a), asciiUpper(b), 0};
    const auto it = std::lower_bound(
        kIbanLengths.begin(), kIbanLengths.end(), code,
        [](const IbanCountry& c, const char* k) { return std::string_view(c.code) < k; });
    return it != kIbanLengths.end() && std::string_view(it->code) == code ? it->length : 0;
}

/// ISO 7064 MOD 97-10 over `iban` (alphanumeric, no separators): the first four characters
/// moved to the end, letters read as 10..35, the remainder must be 1.
bool ibanChecksumValid(std::string_view iban)
{
    int r = 0;
    auto feed = [&](char c) {
        if (isAsciiDigit(c))
            r = (r * 10 + (c - '0')) % 97;
        else
            r = (r * 100 + (asciiUpper(c) - 'A' + 10)) % 97;
    };
    for (std::size_t i = 4; i < iban.size(); ++i)
        feed(iban[i]);
    for (std::size_t i = 0; i < 4; ++i)
        feed(iban[i]);
    return r == 1;
}

bool isWordByte(char c)
{
    return isAsciiAlnum(c) || c == '_';
}

// ---------------------------------------------------------------------------------------------
// Numbers

struct Group
{
    std::size_t begin = 0; ///< digits
    std::size_t end = 0;
    std::size_t outerBegin = 0; ///< including parentheses
    std::size_t outerEnd = 0;
    bool paren = false;
    std::size_t size() const { return end - begin; }
};

struct Cluster
{
    bool plus = false;
    std::size_t plusPos = 0;
    std::vector<Group> groups;
    std::vector<char> seps; ///< between groups: ' ', '-', '.', or ')' for "(555)123"
};

bool isJoiner(char c)
{
    return c == '-' || c == '.' || c == ',' || c == '/' || c == '_';
}

class NumberScanner
{
public:
    NumberScanner(std::string_view t, const NumberOptions& o, std::vector<PiiHit>& out)
        : m_t(t), m_o(o), m_out(out)
    {
    }

    void run()
    {
        PiiMatcher::findIbans(m_t, m_ibans);
        if (m_o.iban)
            m_out.insert(m_out.end(), m_ibans.begin(), m_ibans.end());
        const std::size_t n = m_t.size();
        std::size_t i = 0;
        std::size_t iban = 0;
        while (i < n) {
            while (iban < m_ibans.size() && m_ibans[iban].end <= i)
                ++iban;
            if (iban < m_ibans.size() && m_ibans[iban].begin <= i) {
                i = m_ibans[iban].end; // its digit groups are neither card nor phone
                continue;
            }
            if (!startable(i)) {
                ++i;
                continue;
            }
            if (!leftBounded(i)) {
                i = skipToken(i);
                continue;
            }
            Cluster c;
            const std::size_t end = parse(i, c);
            if (c.groups.empty()) {
                ++i;
                continue;
            }
            if (!rightBounded(end)) {
                i = skipToken(end);
                continue;
            }
            evaluate(c);
            i = end;
        }
    }

private:
    bool digitAt(std::size_t k) const { return k < m_t.size() && isAsciiDigit(m_t[k]); }
    bool groupStart(std::size_t k) const
    {
        return digitAt(k) || (k < m_t.size() && m_t[k] == '(' && digitAt(k + 1));
    }
    bool startable(std::size_t k) const
    {
        return groupStart(k) || (m_t[k] == '+' && groupStart(k + 1));
    }
    bool leftBounded(std::size_t k) const
    {
        if (k == 0)
            return true;
        const char b = m_t[k - 1];
        if (isAsciiAlnum(b) || b == '_' || static_cast<unsigned char>(b) >= 0x80)
            return false;
        if (isJoiner(b) && k >= 2 && isAsciiAlnum(m_t[k - 2]))
            return false;
        return true;
    }
    bool rightBounded(std::size_t k) const
    {
        if (k >= m_t.size())
            return true;
        const char a = m_t[k];
        if (isAsciiAlnum(a) || a == '_' || static_cast<unsigned char>(a) >= 0x80)
            return false;
        if ((isJoiner(a) || a == ':') && digitAt(k + 1))
            return false;
        return true;
    }
    /// Offset past the alphanumeric / joined token at `start` (at least one byte on).
    std::size_t skipToken(std::size_t start) const
    {
        std::size_t k = start;
        while (k < m_t.size() && (isAsciiAlnum(m_t[k]) || isJoiner(m_t[k]) || m_t[k] == ':' ||
                                  m_t[k] == '+' || static_cast<unsigned char>(m_t[k]) >= 0x80))
            ++k;
        return std::max(k, start + 1);
    }

    /// Reads digit groups joined by single separators; returns the end offset.
    std::size_t parse(std::size_t i, Cluster& c) const
    {
        const std::size_t n = m_t.size();
        if (m_t[i] == '+') {
            c.plus = true;
            c.plusPos = i;
            ++i;
        }
        while (i < n) {
            Group g;
            g.outerBegin = i;
            if (m_t[i] == '(') {
                g.paren = true;
                ++i;
            }
            g.begin = i;
            while (digitAt(i))
                ++i;
            g.end = i;
            if (g.paren) {
                if (i >= n || m_t[i] != ')' || g.size() > 4)
                    return c.groups.empty() ? g.outerBegin + 1 : c.groups.back().outerEnd;
                ++i;
            }
            g.outerEnd = i;
            c.groups.push_back(g);
            if (c.groups.size() > 4096)
                return i;
            if (g.paren) {
                char sep = ')';
                std::size_t next = i;
                if (next < n && m_t[next] == ' ') {
                    sep = ' ';
                    ++next;
                }
                if (!groupStart(next))
                    return i;
                c.seps.push_back(sep);
                i = next;
                continue;
            }
            if (i + 1 < n && (m_t[i] == ' ' || m_t[i] == '-' || m_t[i] == '.') && groupStart(i + 1)) {
                c.seps.push_back(m_t[i]);
                ++i;
                continue;
            }
            if (i < n && m_t[i] == '(' && digitAt(i + 1)) { // "+44(0)20..."
                c.seps.push_back(')');
                continue;
            }
            return i;
        }
        return i;
    }

    std::string digits(const Cluster& c, std::size_t a, std::size_t b) const
    {
        std::string d;
        for (std::size_t k = a; k <= b; ++k)
            d.append(m_t.substr(c.groups[k].begin, c.groups[k].size()));
        return d;
    }
    bool sameSeps(const Cluster& c, std::size_t a, std::size_t b, std::string_view allowed) const
    {
        for (std::size_t k = a; k < b; ++k)
            if (c.seps[k] != c.seps[a] || allowed.find(c.seps[k]) == std::string_view::npos)
                return false;
        return true;
    }
    bool anyParen(const Cluster& c, std::size_t a, std::size_t b) const
    {
        for (std::size_t k = a; k <= b; ++k)
            if (c.groups[k].paren)
                return true;
        return false;
    }

    bool isCard(const Cluster& c, std::size_t a, std::size_t b) const
    {
        if (anyParen(c, a, b) || (a == 0 && c.plus))
            return false;
        const std::size_t count = b - a + 1;
        if (count > 1) {
            if (!sameSeps(c, a, b, " -"))
                return false;
            bool fours = c.groups[a].size() == 4;
            for (std::size_t k = a + 1; k < b; ++k)
                fours = fours && c.groups[k].size() == 4;
            const std::size_t last = c.groups[b].size();
            const bool amex = count == 3 && c.groups[a].size() == 4 &&
                              c.groups[a + 1].size() == 6 && (last == 5 || last == 4);
            if (!((fours && last >= 1 && last <= 4) || amex))
                return false;
        }
        const std::string d = digits(c, a, b);
        return d.size() >= m_o.cardMinDigits && d.size() <= m_o.cardMaxDigits &&
               cardIssuerValid(d) && luhnValid(d);
    }

    bool isSsn(const Cluster& c, std::size_t a, std::size_t b) const
    {
        if (anyParen(c, a, b) || (a == 0 && c.plus))
            return false;
        const std::size_t count = b - a + 1;
        if (count == 3) {
            if (c.groups[a].size() != 3 || c.groups[a + 1].size() != 2 ||
                c.groups[a + 2].size() != 4)
                return false;
            std::string seps = "-";
            if (m_o.ssnSpaces)
                seps += ' ';
            if (m_o.ssnDots)
                seps += '.';
            if (!sameSeps(c, a, b, seps))
                return false;
        } else if (count == 1) {
            if (c.groups[a].size() != 9 || !hasSsnContext(c.groups[a].begin))
                return false;
        } else {
            return false;
        }
        const std::string d = digits(c, a, b);
        return ssnValid(d.substr(0, 3), d.substr(3, 2), d.substr(5, 4));
    }

    bool hasSsnContext(std::size_t pos) const
    {
        const std::size_t from = pos > m_o.ssnContextWindow ? pos - m_o.ssnContextWindow : 0;
        std::string before(m_t.substr(from, pos - from));
        for (char& ch : before)
            ch = asciiLower(ch);
        for (const std::string& w : m_o.ssnContext)
            if (!w.empty() && before.find(w) != std::string::npos)
                return true;
        return false;
    }

    /// (555) 123-4567, 555-123-4567, 555.123.4567, 555 123 4567, 1-555-123-4567 and the
    /// bare 10-digit form; `rest` starts at the area code.
    bool isNanpShape(const Cluster& c, std::size_t a, std::size_t b) const
    {
        const std::size_t count = b - a + 1;
        if (count == 1)
            return c.groups[a].size() == 10 && !c.groups[a].paren;
        if (count != 3)
            return false;
        const Group& g1 = c.groups[a];
        if (g1.size() != 3 || c.groups[a + 1].size() != 3 || c.groups[a + 2].size() != 4 ||
            c.groups[a + 1].paren || c.groups[a + 2].paren)
            return false;
        const char s1 = c.seps[a];
        const char s2 = c.seps[a + 1];
        if (s2 == ')')
            return false;
        if (g1.paren)
            return s1 == ')' || s1 == ' ';
        return s1 == s2 && s1 != ')';
    }

    /// `+1 555 234 5678`, `+15552345678`, `1-800-555-0199`: a lone `1` before a NANP
    /// shape, or eleven digits after `+`.
    bool isNanpWithOne(const Cluster& c, std::size_t a, std::size_t b, const std::string& d,
                       bool plus) const
    {
        if (d[0] != '1')
            return false;
        if (a == b)
            return plus && d.size() == 11 && nanpValid(d.substr(1));
        const bool one = c.groups[a].size() == 1 && !c.groups[a].paren;
        return one && c.seps[a] != ')' && isNanpShape(c, a + 1, b) && nanpValid(d.substr(1));
    }

    bool isPhone(const Cluster& c, std::size_t a, std::size_t b) const
    {
        const bool plus = a == 0 && c.plus;
        const std::size_t count = b - a + 1;
        const std::string d = digits(c, a, b);
        if (plus) {
            if (isNanpWithOne(c, a, b, d, true))
                return true;
            // E.164 allows 15 digits (one more for a written trunk `(0)`); the shortest
            // plans have 8 with the country code.
            return m_o.phoneInternational && m_o.phonePlan && d.size() >= 8 && d.size() <= 16 &&
                   m_o.phonePlan->international(
                       m_t.substr(c.plusPos, c.groups[b].outerEnd - c.plusPos));
        }
        if (count >= 2 && c.groups[a].size() == 1 && !c.groups[a].paren && d[0] == '1')
            return isNanpWithOne(c, a, b, d, false);
        if (isNanpShape(c, a, b)) {
            if (count == 3) // 3-3-4 is read as NANP only: 055-234-5678 is no Japanese number
                return nanpValid(d);
            if (m_o.phoneBareNanp && nanpValid(d))
                return true;
        }
        return isNational(c, a, b, d);
    }

    /// A number of one of the plan's regions written without `+` (07700 900123,
    /// 090-1234-5678, 13812345678, (11) 91234-5678). Cheap shape checks first; the plan
    /// (libphonenumber) sees only what passes them.
    bool isNational(const Cluster& c, std::size_t a, std::size_t b, const std::string& d) const
    {
        if (!m_o.phonePlan || m_o.phonePlan->regions().empty())
            return false;
        // It stands alone: a free digit group beside it makes it part of a longer run
        // (an order number, a list of counts, the tail of a card-shaped number).
        if ((a > 0 && !(*m_used)[a - 1]) || (b + 1 < c.groups.size() && !(*m_used)[b + 1]))
            return false;
        const std::size_t count = b - a + 1;
        // `00` opens an international call. Unbroken, a number is a mobile: 10 to 12 digits
        // behind a trunk prefix (0612345678, 07700900123, 015123456789), else 11 (Chinese
        // and Brazilian mobiles; epoch milliseconds and timestamps are longer).
        if (count > 6 || d.size() < 9 || d.size() > 17 || d.starts_with("00"))
            return false;
        if (count == 1 && (d[0] == '0' ? d.size() < 10 || d.size() > 12 : d.size() != 11))
            return false;
        // One separator throughout, after an optional `(area)`.
        const std::size_t from = c.groups[a].paren ? a + 1 : a;
        for (std::size_t k = from; k < b; ++k)
            if (c.seps[k] != c.seps[from] || c.seps[k] == ')')
                return false;
        const char sep = from < b ? c.seps[from] : ' ';
        std::vector<std::size_t> breaks; // digit offsets where a group ends
        std::size_t total = 0;
        bool ipv4 = sep == '.' && count == 4;
        for (std::size_t k = a; k <= b; ++k) {
            const std::size_t size = c.groups[k].size();
            if ((k > a && (c.groups[k].paren || size < 2)) || (sep == '.' && size < 2))
                return false;
            ipv4 = ipv4 && size <= 3;
            total += size;
            if (k < b)
                breaks.push_back(total);
        }
        if (ipv4)
            return false;
        // The first group is a trunk prefix with an area code (`020`, `(030)`) or, without a
        // trunk prefix, an area code of 2 to 4 digits (`(11)`, `138`).
        const std::size_t lead = c.groups[a].size();
        if (count > 1 && (d[0] == '0' ? lead < 2 : (lead < 2 || lead > 4)))
            return false;
        return m_o.phonePlan->national(d, breaks);
    }

    template <typename Pred>
    void pass(const Cluster& c, std::vector<char>& used, std::size_t maxGroups, NumberKind kind,
              Pred pred)
    {
        const std::size_t k = c.groups.size();
        for (std::size_t len = std::min(maxGroups, k); len >= 1; --len) {
            for (std::size_t a = 0; a + len <= k; ++a) {
                const std::size_t b = a + len - 1;
                if (a > 0 && c.seps[a - 1] != ' ')
                    continue;
                if (b + 1 < k && c.seps[b] != ' ')
                    continue;
                bool free = true;
                for (std::size_t g = a; g <= b; ++g)
                    free = free && !used[g];
                if (!free || !pred(c, a, b))
                    continue;
                for (std::size_t g = a; g <= b; ++g)
                    used[g] = 1;
                const std::size_t begin = (a == 0 && c.plus) ? c.plusPos : c.groups[a].outerBegin;
                m_out.push_back(PiiHit{kind, begin, c.groups[b].outerEnd});
            }
        }
    }

    void evaluate(const Cluster& c)
    {
        std::vector<char> used(c.groups.size(), 0);
        m_used = &used;
        if (m_o.card)
            pass(c, used, 5, NumberKind::Card,
                 [this](const Cluster& cl, std::size_t a, std::size_t b) { return isCard(cl, a, b); });
        if (m_o.ssn)
            pass(c, used, 3, NumberKind::Ssn,
                 [this](const Cluster& cl, std::size_t a, std::size_t b) { return isSsn(cl, a, b); });
        if (m_o.phone)
            pass(c, used, 7, NumberKind::Phone, [this](const Cluster& cl, std::size_t a,
                                                       std::size_t b) { return isPhone(cl, a, b); });
    }

    std::string_view m_t;
    const NumberOptions& m_o;
    std::vector<PiiHit>& m_out;
    std::vector<PiiHit> m_ibans;
    const std::vector<char>* m_used = nullptr; ///< groups of the current cluster already taken
};

} // namespace

void PiiMatcher::findEmails(std::string_view t, bool obfuscated, std::vector<PiiHit>& out)
{
    for (std::size_t at = t.find('@'); at != std::string_view::npos; at = t.find('@', at + 1)) {
        std::size_t ls = at;
        while (ls > 0) {
            const auto b = static_cast<unsigned char>(t[ls - 1]);
            if (b < 0x80) {
                if (!isLocalChar(char(b)))
                    break;
                --ls;
                continue;
            }
            std::size_t start = 0;
            if (!isIntlWordChar(decodeBefore(t, ls, start)))
                break;
            ls = start;
        }
        while (ls < at && t[ls] == '.')
            ++ls;
        // The domain, and where its ASCII part ends: `bob@example.com您好` is
        // `bob@example.com` when the longer run does not validate.
        std::size_t de = at + 1;
        std::size_t asciiEnd = std::string_view::npos;
        while (de < t.size()) {
            const auto b = static_cast<unsigned char>(t[de]);
            if (b < 0x80) {
                if (!isDomainChar(char(b)))
                    break;
                ++de;
                continue;
            }
            std::size_t next = de;
            if (!isIntlWordChar(decodeUtf8(t, next)))
                break;
            if (asciiEnd == std::string_view::npos)
                asciiEnd = de;
            de = next;
        }
        auto trimmed = [&](std::size_t end) {
            while (end > at + 1 && (t[end - 1] == '.' || t[end - 1] == '-'))
                --end;
            return end;
        };
        const std::string_view local = t.substr(ls, at - ls);
        de = trimmed(de);
        if (validAddress(local, t.substr(at + 1, de - at - 1))) {
            out.push_back(PiiHit{NumberKind::Phone, ls, de});
        } else if (asciiEnd != std::string_view::npos && asciiEnd > at + 1) {
            de = trimmed(asciiEnd);
            if (validAddress(local, t.substr(at + 1, de - at - 1)))
                out.push_back(PiiHit{NumberKind::Phone, ls, de});
        }
    }
    if (obfuscated)
        findObfuscatedEmails(t, out);
}

void PiiMatcher::findNumbers(std::string_view text, const NumberOptions& options,
                             std::vector<PiiHit>& out)
{
    NumberScanner(text, options, out).run();
}

void PiiMatcher::findIbans(std::string_view t, std::vector<PiiHit>& out)
{
    const std::size_t n = t.size();
    std::string chars;
    for (std::size_t i = 0; i + 4 <= n; ++i) {
        if (!isAsciiAlpha(t[i]) || !isAsciiAlpha(t[i + 1]) || !isAsciiDigit(t[i + 2]) ||
            !isAsciiDigit(t[i + 3]) || (i > 0 && isWordByte(t[i - 1])))
            continue;
        const std::size_t length = ibanLength(t[i], t[i + 1]);
        if (!length)
            continue;
        chars.clear();
        std::size_t j = i;
        const bool grouped = i + 4 < n && t[i + 4] == ' ';
        bool ok = true;
        while (ok && chars.size() < length) {
            const std::size_t want = grouped ? std::min<std::size_t>(4, length - chars.size())
                                             : length - chars.size();
            if (grouped && !chars.empty()) {
                ok = j < n && t[j] == ' ';
                ++j;
            }
            for (std::size_t k = 0; ok && k < want; ++k, ++j) {
                ok = j < n && isAsciiAlnum(t[j]);
                if (ok)
                    chars += t[j];
            }
        }
        if (!ok || (j < n && isWordByte(t[j])) || !ibanChecksumValid(chars))
            continue;
        out.push_back(PiiHit{NumberKind::Iban, i, j});
        i = j - 1;
    }
}

} // namespace vigil::scan
