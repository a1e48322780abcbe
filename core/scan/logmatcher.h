// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstddef>
#include <string_view>
#include <vector>

namespace vigil::scan {

/// A log-injection match: byte offsets in the searched view.
struct LogHit
{
    std::size_t begin = 0;
    std::size_t end = 0;
};

/// Detectors for text that would forge or corrupt log output when rendered. Pure.
class LogMatcher
{
public:
    /// A line break (CR, LF, NEL, U+2028/2029) followed by what looks like a new log
    /// record. Strong shapes (an ISO timestamp, a JSON object whose first key is a log
    /// field such as `"timestamp"` or `"level"`, `level=` / `severity=`) count everywhere;
    /// weak ones (`[INFO]`, `ERROR:`, a syslog date, any `{"`) only when `!multiline`, so a
    /// stack trace's own lines stay clean. The hit runs from the break to the end of the
    /// forged line.
    static void findForgedRecords(std::string_view text, bool multiline, std::vector<LogHit>& out);

    /// ANSI / terminal escape sequences (ESC [ CSI, ESC ] OSC, DCS/APC/PM strings, two-byte
    /// escapes) and their C1 forms U+009B / U+009D; adjacent sequences form one hit.
    static void findEscapes(std::string_view text, std::vector<LogHit>& out);

    /// Other control characters: C0 except tab and line breaks, DEL, C1 (U+0080..U+009F), a
    /// bare CR (terminal overwrite); with `singleLine`, also any line break. Runs form one hit.
    /// ESC and the escape sequences are left to findEscapes.
    static void findControls(std::string_view text, bool singleLine, std::vector<LogHit>& out);
};

} // namespace vigil::scan
