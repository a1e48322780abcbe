// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace vigil {

/// One line cut from a byte stream.
struct SplitLine
{
    std::string_view text;     ///< without the newline; for an overlong line, its first bytes
    bool overlong = false;     ///< longer than the cap: `text` holds only the kept prefix
    std::int64_t fullBytes = 0;///< the line's whole length, newline excluded
    std::int64_t endOffset = 0;///< stream offset just past this line's newline
};

/// Cuts a byte stream into lines with bounded memory: a line longer than `maxLine` bytes is
/// not buffered whole; its first `keepBytes` are kept for quarantine and the rest skipped up
/// to the next newline, where reading goes on. Not thread-safe.
class LineSplitter
{
public:
    explicit LineSplitter(std::size_t maxLine, std::size_t keepBytes = 64 * 1024,
                          std::int64_t startOffset = 0);

    /// Feeds bytes; calls `sink(const SplitLine&)` for each complete line. The SplitLine's
    /// text is valid only during the call.
    template <typename Sink>
    void feed(std::string_view data, Sink&& sink);

    /// Emits a held partial line as a line (end of a file being imported). Returns whether
    /// there was one.
    template <typename Sink>
    bool finish(Sink&& sink);

    /// Bytes of an incomplete line held (capped at maxLine + 1).
    std::size_t pendingBytes() const { return m_partial.size(); }
    /// Offset just past the last complete line.
    std::int64_t committedOffset() const { return m_offset; }

private:
    std::size_t m_maxLine;
    std::size_t m_keep;
    std::int64_t m_offset;       // offset of the start of m_partial
    std::string m_partial;
    bool m_discarding = false;   // inside an overlong line
    std::int64_t m_discarded = 0;// bytes of the overlong line seen so far
};

template <typename Sink>
void LineSplitter::feed(std::string_view data, Sink&& sink)
{
    while (!data.empty()) {
        const std::size_t nl = data.find('\n');
        const std::string_view piece = nl == std::string_view::npos ? data : data.substr(0, nl);
        if (m_discarding) {
            m_discarded += static_cast<std::int64_t>(piece.size());
        } else if (m_partial.size() + piece.size() > m_maxLine) {
            // Keep the head for quarantine, then skip to the newline.
            const std::size_t room = m_partial.size() < m_keep ? m_keep - m_partial.size() : 0;
            m_discarded = static_cast<std::int64_t>(m_partial.size() + piece.size());
            m_partial.append(piece.substr(0, std::min(room, piece.size())));
            if (m_partial.size() > m_keep)
                m_partial.resize(m_keep);
            m_discarding = true;
        } else if (nl != std::string_view::npos && m_partial.empty()) {
            // Fast path: the whole line is in `data`; no copy.
            m_offset += static_cast<std::int64_t>(piece.size() + 1);
            sink(SplitLine{piece, false, static_cast<std::int64_t>(piece.size()), m_offset});
            data.remove_prefix(nl + 1);
            continue;
        } else {
            m_partial.append(piece);
        }
        if (nl == std::string_view::npos)
            return;
        data.remove_prefix(nl + 1);
        if (m_discarding) {
            m_offset += m_discarded + 1;
            sink(SplitLine{m_partial, true, m_discarded, m_offset});
            m_discarding = false;
            m_discarded = 0;
        } else {
            m_offset += static_cast<std::int64_t>(m_partial.size() + 1);
            sink(SplitLine{m_partial, false, static_cast<std::int64_t>(m_partial.size()),
                           m_offset});
        }
        m_partial.clear();
    }
}

template <typename Sink>
bool LineSplitter::finish(Sink&& sink)
{
    if (m_partial.empty() && !m_discarding)
        return false;
    if (m_discarding) {
        m_offset += m_discarded;
        sink(SplitLine{m_partial, true, m_discarded, m_offset});
    } else {
        m_offset += static_cast<std::int64_t>(m_partial.size());
        sink(SplitLine{m_partial, false, static_cast<std::int64_t>(m_partial.size()), m_offset});
    }
    m_partial.clear();
    m_discarding = false;
    m_discarded = 0;
    return true;
}

} // namespace vigil
