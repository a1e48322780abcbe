// SPDX-License-Identifier: Apache-2.0
#include "scan/logmatcher.h"

#include "scan/utf8.h"

#include <array>
#include <string>

namespace vigil::scan {
namespace {

/// Length of the line break at `i` (LF, CR, CRLF, NEL, LS, PS) or 0.
std::size_t lineBreak(std::string_view t, std::size_t i)
{
    const auto c = static_cast<unsigned char>(t[i]);
    if (c == '\n')
        return 1;
    if (c == '\r')
        return (i + 1 < t.size() && t[i + 1] == '\n') ? 2 : 1;
    if (c == 0xC2 && i + 1 < t.size() && static_cast<unsigned char>(t[i + 1]) == 0x85)
        return 2;
    if (c == 0xE2 && i + 2 < t.size() && static_cast<unsigned char>(t[i + 1]) == 0x80 &&
        (static_cast<unsigned char>(t[i + 2]) == 0xA8 || static_cast<unsigned char>(t[i + 2]) == 0xA9))
        return 3;
    return 0;
}

bool digits(std::string_view t, std::size_t i, std::size_t n)
{
    if (i + n > t.size())
        return false;
    for (std::size_t k = 0; k < n; ++k)
        if (!isAsciiDigit(t[i + k]))
            return false;
    return true;
}

bool startsWithCi(std::string_view t, std::size_t i, std::string_view w)
{
    if (i + w.size() > t.size())
        return false;
    for (std::size_t k = 0; k < w.size(); ++k)
        if (asciiLower(t[i + k]) != w[k])
            return false;
    return true;
}

/// `2026-11-21T10:00` or `2026-11-21 10:00`.
bool isoTimestamp(std::string_view t, std::size_t i)
{
    return digits(t, i, 4) && i + 16 <= t.size() && t[i + 4] == '-' && digits(t, i + 5, 2) &&
           t[i + 7] == '-' && digits(t, i + 8, 2) && (t[i + 10] == 'T' || t[i + 10] == ' ') &&
           digits(t, i + 11, 2) && t[i + 13] == ':' && digits(t, i + 14, 2);
}

constexpr std::array<std::string_view, 17> kLogKeys{
    "timestamp", "@timestamp", "time", "ts", "level", "severity", "event_type", "eventtype",
    "msg", "message", "log", "logger", "event", "agent_name", "thread_id", "loglevel", "lvl"};

constexpr std::array<std::string_view, 15> kLevels{
    "INFO",  "WARN",   "WARNING", "ERROR", "DEBUG",    "CRITICAL", "FATAL",   "TRACE",
    "NOTICE", "ALERT", "EMERG",   "EMERGENCY", "SEVERE", "AUDIT",  "SECURITY"};

constexpr std::array<std::string_view, 12> kMonths{"jan", "feb", "mar", "apr", "may", "jun",
                                                   "jul", "aug", "sep", "oct", "nov", "dec"};

/// A JSON object opening whose first key is a log field: `{"timestamp":`.
bool jsonRecord(std::string_view t, std::size_t i, bool anyKey)
{
    if (i >= t.size() || t[i] != '{')
        return false;
    ++i;
    while (i < t.size() && (t[i] == ' ' || t[i] == '\t'))
        ++i;
    if (i >= t.size() || t[i] != '"')
        return false;
    if (anyKey)
        return true;
    ++i;
    for (std::string_view k : kLogKeys)
        if (startsWithCi(t, i, k) && i + k.size() < t.size() && t[i + k.size()] == '"')
            return true;
    return false;
}

bool keyValueRecord(std::string_view t, std::size_t i)
{
    for (std::string_view k : {std::string_view("level="), std::string_view("lvl="),
                               std::string_view("severity="), std::string_view("loglevel=")})
        if (startsWithCi(t, i, k))
            return true;
    return (startsWithCi(t, i, "time=") && digits(t, i + 5, 1)) ||
           (startsWithCi(t, i, "ts=") && digits(t, i + 3, 1));
}

/// An uppercase level word opening a line: `ERROR: ...`, `WARN something`.
bool levelWord(std::string_view t, std::size_t i)
{
    for (std::string_view l : kLevels)
        if (t.substr(i).starts_with(l)) {
            const std::size_t e = i + l.size();
            if (e < t.size() && (t[e] == ':' || t[e] == ' '))
                return true;
        }
    return false;
}

bool bracketLevel(std::string_view t, std::size_t i)
{
    if (i >= t.size() || t[i] != '[')
        return false;
    std::string upper;
    std::size_t j = i + 1;
    while (j < t.size() && isAsciiAlpha(t[j]) && upper.size() < 10)
        upper += char(t[j++] & ~0x20);
    if (j >= t.size() || t[j] != ']')
        return false;
    for (std::string_view l : kLevels)
        if (l == upper)
            return true;
    return false;
}

bool syslogDate(std::string_view t, std::size_t i)
{
    if (i < t.size() && t[i] == '<') { // <34>Oct 11 ...
        std::size_t j = i + 1;
        while (j < t.size() && j < i + 4 && isAsciiDigit(t[j]))
            ++j;
        if (j > i + 1 && j < t.size() && t[j] == '>')
            return true;
    }
    for (std::string_view m : kMonths)
        if (startsWithCi(t, i, m) && i + 3 < t.size() && t[i + 3] == ' ') {
            std::size_t j = i + 4;
            while (j < t.size() && t[j] == ' ')
                ++j;
            std::size_t d = j;
            while (d < t.size() && isAsciiDigit(t[d]))
                ++d;
            return d > j && d - j <= 2 && d + 1 < t.size() && t[d] == ' ' && digits(t, d + 1, 2) &&
                   d + 3 < t.size() && t[d + 3] == ':';
        }
    return false;
}

bool forged(std::string_view t, std::size_t i, bool multiline)
{
    std::size_t j = i;
    if (j < t.size() && t[j] == '[' && isoTimestamp(t, j + 1))
        return true;
    if (isoTimestamp(t, j) || jsonRecord(t, j, false) || keyValueRecord(t, j))
        return true;
    if (multiline)
        return false;
    return bracketLevel(t, j) || levelWord(t, j) || syslogDate(t, j) || jsonRecord(t, j, true);
}

/// End of the escape sequence starting at `i` (ESC or a C1 introducer), or `i` when none.
std::size_t escapeEnd(std::string_view t, std::size_t i)
{
    const std::size_t n = t.size();
    auto u = [&](std::size_t k) { return static_cast<unsigned char>(t[k]); };
    std::size_t j;
    char kind;
    if (u(i) == 0x1B) {
        if (i + 1 >= n)
            return i + 1;
        const unsigned char next = u(i + 1);
        if (next == '[') {
            kind = '[';
        } else if (next == ']' || next == 'P' || next == '_' || next == '^' || next == 'X') {
            kind = ']';
        } else if (next >= 0x20 && next <= 0x2F) {
            j = i + 1;
            while (j < n && u(j) >= 0x20 && u(j) <= 0x2F)
                ++j;
            return (j < n && u(j) >= 0x30 && u(j) <= 0x7E) ? j + 1 : j;
        } else if (next >= 0x30 && next <= 0x7E) {
            return i + 2;
        } else {
            return i + 1;
        }
        j = i + 2;
    } else if (u(i) == 0xC2 && i + 1 < n && (u(i + 1) == 0x9B || u(i + 1) == 0x9D ||
                                              u(i + 1) == 0x90 || u(i + 1) == 0x9E ||
                                              u(i + 1) == 0x9F)) {
        kind = u(i + 1) == 0x9B ? '[' : ']';
        j = i + 2;
    } else {
        return i;
    }
    if (kind == '[') {
        while (j < n && u(j) >= 0x30 && u(j) <= 0x3F)
            ++j;
        while (j < n && u(j) >= 0x20 && u(j) <= 0x2F)
            ++j;
        return (j < n && u(j) >= 0x40 && u(j) <= 0x7E) ? j + 1 : j;
    }
    // String sequences end at BEL, ESC \ or ST (U+009C).
    const std::size_t cap = std::min(n, j + 4096);
    while (j < cap) {
        if (u(j) == 0x07)
            return j + 1;
        if (u(j) == 0x1B && j + 1 < n && t[j + 1] == '\\')
            return j + 2;
        if (u(j) == 0xC2 && j + 1 < n && u(j + 1) == 0x9C)
            return j + 2;
        ++j;
    }
    return j;
}

void add(std::vector<LogHit>& out, std::size_t b, std::size_t e, std::size_t floor)
{
    if (out.size() > floor && out.back().end == b)
        out.back().end = e;
    else
        out.push_back(LogHit{b, e});
}

} // namespace

void LogMatcher::findForgedRecords(std::string_view t, bool multiline, std::vector<LogHit>& out)
{
    for (std::size_t i = 0; i < t.size();) {
        const std::size_t br = lineBreak(t, i);
        if (!br) {
            ++i;
            continue;
        }
        std::size_t j = i + br;
        while (j < t.size() && (t[j] == ' ' || t[j] == '\t' || t[j] == '\r' || t[j] == '\n'))
            ++j;
        if (j < t.size() && forged(t, j, multiline)) {
            std::size_t e = j;
            while (e < t.size() && !lineBreak(t, e))
                ++e;
            out.push_back(LogHit{i, e});
            i = e;
        } else {
            i += br;
        }
    }
}

void LogMatcher::findEscapes(std::string_view t, std::vector<LogHit>& out)
{
    const std::size_t floor = out.size();
    for (std::size_t i = 0; i < t.size();) {
        const std::size_t e = escapeEnd(t, i);
        if (e == i) {
            ++i;
            continue;
        }
        add(out, i, e, floor);
        i = e;
    }
}

void LogMatcher::findControls(std::string_view t, bool singleLine, std::vector<LogHit>& out)
{
    const std::size_t floor = out.size();
    for (std::size_t i = 0; i < t.size();) {
        const auto c = static_cast<unsigned char>(t[i]);
        if (c == 0x1B || (c == 0xC2 && escapeEnd(t, i) != i)) {
            i = escapeEnd(t, i);
            continue;
        }
        std::size_t len = 0;
        if (c < 0x20 || c == 0x7F) {
            if (c == '\t') {
                len = 0;
            } else if (c == '\n' || (c == '\r' && i + 1 < t.size() && t[i + 1] == '\n')) {
                len = singleLine ? lineBreak(t, i) : 0;
                if (!len) {
                    i += lineBreak(t, i);
                    continue;
                }
            } else {
                len = 1; // includes a bare CR, which overwrites the line on a terminal
            }
        } else if (c == 0xC2 && i + 1 < t.size() && static_cast<unsigned char>(t[i + 1]) >= 0x80 &&
                   static_cast<unsigned char>(t[i + 1]) <= 0x9F) {
            len = (static_cast<unsigned char>(t[i + 1]) == 0x85 && !singleLine) ? 0 : 2;
            if (!len) {
                i += 2;
                continue;
            }
        } else if (singleLine && lineBreak(t, i) == 3) {
            len = 3;
        }
        if (len) {
            add(out, i, i + len, floor);
            i += len;
        } else {
            ++i;
        }
    }
}

} // namespace vigil::scan
