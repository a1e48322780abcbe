// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "base/result.h"
#include "pipeline/fileidentity.h"

#include <cstdint>
#include <string>
#include <string_view>

namespace vigil {

class StoreWriter;

/// A source's checkpoint as stored in the `sources` table: the identity of the file it last
/// read and how far (bytes and lines) its committed events reach.
struct StoredSource
{
    bool found = false;
    std::int64_t device = 0;
    std::int64_t inode = 0;
    std::int64_t fingerprintLength = 0;
    std::string fingerprint;
    std::int64_t offset = 0;
    std::int64_t lineNo = 0;
    std::int64_t updatedMs = 0; ///< when the position was last stored (epoch ms)
};

/// Reads the checkpoint of source (`kind`, `name`) through the writer's connection, so it is
/// consistent with every batch queued before the call. Blocks until the writer answers.
Result<StoredSource> lookupSource(StoreWriter& writer, std::string_view kind,
                                  const std::string& name);

/// Whether the open file `fd` with identity `id` is the file `stored` describes and still
/// holds everything it covered: same device and inode, not shorter than the stored offset,
/// and the same first bytes. Anything else (inode reused, truncated, replaced) is a new file
/// that is read from its start.
bool canResume(const StoredSource& stored, int fd, const FileIdentity& id);

/// The name a file source is stored under: its absolute, lexically normal path.
std::string fileSourceKey(const std::string& path);

} // namespace vigil
