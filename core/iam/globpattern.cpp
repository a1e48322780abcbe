// SPDX-License-Identifier: Apache-2.0
#include "iam/globpattern.h"

#include <algorithm>
#include <cstring>

namespace vigil::iam {

GlobPattern::GlobPattern(std::string_view pattern)
{
    // Collapse runs of '*': "a**b" means the same as "a*b" and keeps the segments non-empty.
    m_text.reserve(pattern.size());
    for (char c : pattern)
        if (c != '*' || m_text.empty() || m_text.back() != '*')
            m_text.push_back(c);

    const bool hasStar = m_text.find('*') != std::string::npos;
    const bool hasQuestion = m_text.find('?') != std::string::npos;
    if (m_text == "*") {
        m_shape = Shape::Any;
        return;
    }
    if (!hasStar && !hasQuestion) {
        m_shape = Shape::Exact;
        m_literal = m_text;
        return;
    }
    m_leadingStar = m_text.front() == '*';
    m_trailingStar = m_text.back() == '*';
    const std::size_t stars = static_cast<std::size_t>(std::count(m_text.begin(), m_text.end(), '*'));
    if (!hasQuestion && stars == 1 && (m_leadingStar || m_trailingStar)) {
        m_shape = m_trailingStar ? Shape::Prefix : Shape::Suffix;
        m_literal = m_trailingStar ? m_text.substr(0, m_text.size() - 1) : m_text.substr(1);
        return;
    }
    m_shape = Shape::General;
    std::size_t start = 0;
    while (start <= m_text.size()) {
        std::size_t star = m_text.find('*', start);
        if (star == std::string::npos)
            star = m_text.size();
        if (star > start) {
            Segment s;
            s.offset = static_cast<std::uint32_t>(start);
            s.length = static_cast<std::uint32_t>(star - start);
            s.hasQuestion = std::string_view(m_text).substr(start, star - start).find('?') !=
                            std::string_view::npos;
            m_segments.push_back(s);
        }
        start = star + 1;
    }
}

bool GlobPattern::segmentAt(const Segment& s, std::string_view text, std::size_t pos) const noexcept
{
    const char* p = m_text.data() + s.offset;
    const char* t = text.data() + pos;
    if (!s.hasQuestion)
        return std::memcmp(p, t, s.length) == 0;
    for (std::uint32_t i = 0; i < s.length; ++i)
        if (p[i] != '?' && p[i] != t[i])
            return false;
    return true;
}

std::size_t GlobPattern::findSegment(const Segment& s, std::string_view text, std::size_t from,
                                     std::size_t to) const noexcept
{
    // Leftmost occurrence of the segment inside text[from, to).
    if (to < from || to - from < s.length)
        return std::string_view::npos;
    if (!s.hasQuestion) {
        const std::string_view window = text.substr(from, to - from);
        const std::size_t at =
            window.find(std::string_view(m_text.data() + s.offset, s.length));
        return at == std::string_view::npos ? at : from + at;
    }
    for (std::size_t pos = from; pos + s.length <= to; ++pos)
        if (segmentAt(s, text, pos))
            return pos;
    return std::string_view::npos;
}

bool GlobPattern::matches(std::string_view text) const noexcept
{
    switch (m_shape) {
    case Shape::Any:
        return true;
    case Shape::Exact:
        return text == m_literal;
    case Shape::Prefix:
        return text.starts_with(m_literal);
    case Shape::Suffix:
        return text.ends_with(m_literal);
    case Shape::General:
        break;
    }
    // Greedy leftmost placement of the floating segments is exact here: between two stars a
    // segment has a fixed length, so placing it earlier never removes a later option.
    std::size_t lo = 0;
    std::size_t hi = text.size();
    std::size_t first = 0;
    std::size_t last = m_segments.size();
    if (!m_leadingStar) {
        const Segment& s = m_segments.front();
        if (s.length > hi || !segmentAt(s, text, 0))
            return false;
        lo = s.length;
        first = 1;
    }
    if (!m_trailingStar) {
        if (first == last) // one segment, anchored at both ends
            return lo == hi;
        const Segment& s = m_segments[last - 1];
        if (s.length > hi - lo || !segmentAt(s, text, hi - s.length))
            return false;
        hi -= s.length;
        --last;
    }
    for (std::size_t i = first; i < last; ++i) {
        const std::size_t at = findSegment(m_segments[i], text, lo, hi);
        if (at == std::string_view::npos)
            return false;
        lo = at + m_segments[i].length;
    }
    return true;
}

std::string asciiLower(std::string_view s)
{
    std::string out(s);
    for (char& c : out)
        if (c >= 'A' && c <= 'Z')
            c = static_cast<char>(c - 'A' + 'a');
    return out;
}

namespace {

bool allOf(std::string_view s, bool (*pred)(char)) noexcept
{
    return std::all_of(s.begin(), s.end(), pred);
}

bool isServiceChar(char c) noexcept
{
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
}

bool isRegionChar(char c) noexcept
{
    return isServiceChar(c) || c == '*' || c == '?';
}

bool isAccountChar(char c) noexcept
{
    return (c >= '0' && c <= '9') || c == '*' || c == '?';
}

} // namespace

std::string_view resourcePart(std::string_view resource) noexcept
{
    if (resource.starts_with("arn:")) {
        std::size_t pos = 0;
        for (int colon = 0; colon < 5; ++colon) {
            pos = resource.find(':', pos);
            if (pos == std::string_view::npos)
                return resource.ends_with('*') ? std::string_view("*") : resource;
            ++pos;
        }
        return resource.substr(pos);
    }
    // `service:region:account:rest`, as the seed writes `s3:::data-bucket/readonly/*`.
    const std::size_t c1 = resource.find(':');
    if (c1 == std::string_view::npos || c1 == 0)
        return resource;
    const std::size_t c2 = resource.find(':', c1 + 1);
    if (c2 == std::string_view::npos)
        return resource;
    const std::size_t c3 = resource.find(':', c2 + 1);
    if (c3 == std::string_view::npos)
        return resource;
    const std::string_view service = resource.substr(0, c1);
    const std::string_view region = resource.substr(c1 + 1, c2 - c1 - 1);
    const std::string_view account = resource.substr(c2 + 1, c3 - c2 - 1);
    if (!allOf(service, isServiceChar) || !allOf(region, isRegionChar))
        return resource;
    if (account != "aws" && !allOf(account, isAccountChar))
        return resource;
    return resource.substr(c3 + 1);
}

bool globsIntersect(std::string_view a, std::string_view b)
{
    // f[i][j]: some string matches both a[i..] and b[j..]. Filled from the ends.
    const std::size_t n = a.size();
    const std::size_t m = b.size();
    std::vector<char> f((n + 1) * (m + 1), 0);
    auto at = [&](std::size_t i, std::size_t j) -> char& { return f[i * (m + 1) + j]; };
    for (std::size_t i = n + 1; i-- > 0;) {
        for (std::size_t j = m + 1; j-- > 0;) {
            bool r = false;
            if (i == n && j == m)
                r = true;
            else if (i < n && a[i] == '*')
                r = at(i + 1, j) || (j < m && at(i, j + 1));
            else if (j < m && b[j] == '*')
                r = at(i, j + 1) || (i < n && at(i + 1, j));
            else if (i < n && j < m)
                r = (a[i] == '?' || b[j] == '?' || a[i] == b[j]) && at(i + 1, j + 1);
            at(i, j) = r ? 1 : 0;
        }
    }
    return at(0, 0) != 0;
}

bool globCovers(std::string_view general, std::string_view specific)
{
    // c[i][j]: general[i..] covers specific[j..]; a '*' of general absorbs any token.
    const std::size_t n = general.size();
    const std::size_t m = specific.size();
    std::vector<char> c((n + 1) * (m + 1), 0);
    auto at = [&](std::size_t i, std::size_t j) -> char& { return c[i * (m + 1) + j]; };
    for (std::size_t i = n + 1; i-- > 0;) {
        for (std::size_t j = m + 1; j-- > 0;) {
            bool r = false;
            if (i == n)
                r = j == m;
            else if (general[i] == '*')
                r = at(i + 1, j) || (j < m && at(i, j + 1));
            else if (j == m)
                r = false;
            else if (general[i] == '?')
                r = specific[j] != '*' && at(i + 1, j + 1);
            else
                r = specific[j] == general[i] && at(i + 1, j + 1);
            at(i, j) = r ? 1 : 0;
        }
    }
    return at(0, 0) != 0;
}

} // namespace vigil::iam
