// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "base/result.h"

#include <cstdint>
#include <memory>
#include <string_view>

namespace vigil {

/// True when `head` starts with the gzip magic bytes (1f 8b).
inline bool looksGzipped(std::string_view head)
{
    return head.size() >= 2 && static_cast<unsigned char>(head[0]) == 0x1f &&
           static_cast<unsigned char>(head[1]) == 0x8b;
}

/// Streaming gzip decompression with bounded memory: compressed bytes go in, decompressed
/// bytes come out in pieces of at most 256 KiB, so a "gzip bomb" costs time, never memory.
/// Concatenated members (what `cat a.gz b.gz` and some log shippers produce) are read as
/// one stream. Not thread-safe.
class GzipStream
{
public:
    GzipStream();
    ~GzipStream();
    GzipStream(const GzipStream&) = delete;
    GzipStream& operator=(const GzipStream&) = delete;

    /// Decompresses `input`, calling `sink(std::string_view)` for each piece of output.
    /// Returns an error (`input.gzip_corrupt`) on data that is not valid gzip; what was
    /// decompressed before it has been delivered.
    template <typename Sink>
    Result<void> feed(std::string_view input, Sink&& sink)
    {
        for (;;) {
            std::string_view out;
            auto more = step(input, out);
            if (!more)
                return std::unexpected(more.error());
            if (!out.empty())
                sink(out);
            if (!*more)
                return {};
        }
    }

    /// Called at the end of the input: an error (`input.gzip_truncated`) when the last
    /// member was cut short.
    Result<void> finish() const;

    /// Decompressed bytes delivered so far.
    std::int64_t outputBytes() const { return m_outBytes; }

private:
    // One inflate round: consumes from `input` (advancing it), sets `out` to what it
    // produced; true while there is more to do with this input.
    Result<bool> step(std::string_view& input, std::string_view& out);

    struct State;
    std::unique_ptr<State> m_state;
    std::int64_t m_outBytes = 0;
};

} // namespace vigil
