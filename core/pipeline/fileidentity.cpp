// SPDX-License-Identifier: Apache-2.0
#include "pipeline/fileidentity.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

namespace vigil {

std::string fingerprintPrefix(int fd, std::int64_t length)
{
    std::vector<char> buf(static_cast<std::size_t>(length));
    std::int64_t got = 0;
    while (got < length) {
        const ssize_t n = ::pread(fd, buf.data() + got, static_cast<std::size_t>(length - got), got);
        if (n <= 0)
            break;
        got += n;
    }
    if (got < length)
        return {};
    return fingerprintOf(std::string_view(buf.data(), buf.size()));
}

std::string fingerprintOf(std::string_view bytes)
{
    // FNV-1a 64: a fingerprint, not a security boundary.
    std::uint64_t h = 1469598103934665603ull;
    for (char c : bytes) {
        h ^= static_cast<unsigned char>(c);
        h *= 1099511628211ull;
    }
    char out[17];
    static const char* hex = "0123456789abcdef";
    for (int i = 15; i >= 0; --i) {
        out[i] = hex[h & 0xF];
        h >>= 4;
    }
    out[16] = 0;
    return out;
}

Result<FileIdentity> identifyFile(int fd, std::int64_t prefix)
{
    struct stat st{};
    if (::fstat(fd, &st) != 0)
        return fail("ingest.stat", std::string("cannot stat file: ") + std::strerror(errno));
    FileIdentity id;
    id.device = static_cast<std::int64_t>(st.st_dev);
    id.inode = static_cast<std::int64_t>(st.st_ino);
    id.size = static_cast<std::int64_t>(st.st_size);
    id.fingerprintLength = std::min<std::int64_t>(id.size, prefix);
    id.fingerprint = fingerprintPrefix(fd, id.fingerprintLength);
    return id;
}

} // namespace vigil
