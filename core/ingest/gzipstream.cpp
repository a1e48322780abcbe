// SPDX-License-Identifier: Apache-2.0
#include "ingest/gzipstream.h"

#include <zlib.h>

#include <vector>

namespace vigil {

struct GzipStream::State
{
    z_stream z{};
    std::vector<unsigned char> out = std::vector<unsigned char>(256 * 1024);
    bool initialized = false;
    bool inMember = false; // inside a member that has not ended yet
    bool consumedAny = false;
};

GzipStream::GzipStream() : m_state(std::make_unique<State>())
{
    // 16 + MAX_WBITS: gzip wrapper only (no raw deflate, no zlib header).
    m_state->initialized = inflateInit2(&m_state->z, 16 + MAX_WBITS) == Z_OK;
}

GzipStream::~GzipStream()
{
    if (m_state->initialized)
        inflateEnd(&m_state->z);
}

Result<bool> GzipStream::step(std::string_view& input, std::string_view& out)
{
    State& s = *m_state;
    out = {};
    if (!s.initialized)
        return fail("input.gzip_corrupt", "cannot start gzip decompression (out of memory)");
    if (input.empty())
        return false;
    s.z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(input.data()));
    s.z.avail_in = static_cast<uInt>(std::min<std::size_t>(input.size(), 1u << 30));
    s.z.next_out = s.out.data();
    s.z.avail_out = static_cast<uInt>(s.out.size());
    const uInt inBefore = s.z.avail_in;
    const int rc = inflate(&s.z, Z_NO_FLUSH);
    const std::size_t used = inBefore - s.z.avail_in;
    input.remove_prefix(used);
    const std::size_t produced = s.out.size() - s.z.avail_out;
    out = std::string_view(reinterpret_cast<const char*>(s.out.data()), produced);
    m_outBytes += static_cast<std::int64_t>(produced);
    if (used > 0) {
        s.inMember = true;
        s.consumedAny = true;
    }
    switch (rc) {
    case Z_STREAM_END:
        // One member ended; another may follow (concatenated gzip).
        s.inMember = false;
        inflateReset(&s.z);
        return !input.empty() || produced > 0;
    case Z_OK:
        return !input.empty() || s.z.avail_out == 0;
    case Z_BUF_ERROR:
        // No progress possible with what we have: needs more input.
        return false;
    case Z_MEM_ERROR:
        return fail("input.gzip_corrupt", "gzip decompression ran out of memory");
    default:
        return fail("input.gzip_corrupt",
                    std::string("not valid gzip data after ") + std::to_string(m_outBytes) +
                        " decompressed bytes: " + (s.z.msg ? s.z.msg : "corrupt stream"));
    }
}

Result<void> GzipStream::finish() const
{
    if (m_state->inMember)
        return fail("input.gzip_truncated",
                    "the gzip data ends in the middle of a member, after " +
                        std::to_string(m_outBytes) + " decompressed bytes");
    return {};
}

} // namespace vigil
