// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "base/result.h"

#include <cstdint>
#include <string>
#include <string_view>

namespace vigil {

/// Identity of a file on disk: device and inode (which the system reuses) plus a hash of its
/// first bytes (which tells a reused inode from the file that had it).
struct FileIdentity
{
    std::int64_t device = 0;
    std::int64_t inode = 0;
    std::int64_t size = 0;
    std::int64_t fingerprintLength = 0;
    std::string fingerprint;
};

inline constexpr std::int64_t kFingerprintBytes = 1024;

/// Reads the identity of the open file `fd`: fstat plus a hash of its first
/// min(size, `prefix`) bytes (pread; the file position is untouched).
Result<FileIdentity> identifyFile(int fd, std::int64_t prefix = kFingerprintBytes);

/// Hash of the first `length` bytes of `fd`, hex; empty when the file is shorter.
std::string fingerprintPrefix(int fd, std::int64_t length);

/// The same hash over bytes already in memory: fingerprintOf(first n bytes of a file) equals
/// fingerprintPrefix(fd, n).
std::string fingerprintOf(std::string_view bytes);

} // namespace vigil
