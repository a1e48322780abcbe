// SPDX-License-Identifier: Apache-2.0
#include "pipeline/sourcestate.h"

#include "store/database.h"
#include "store/storewriter.h"

#include <filesystem>

namespace vigil {

Result<StoredSource> lookupSource(StoreWriter& writer, std::string_view kind,
                                  const std::string& name)
{
    StoredSource s;
    auto r = writer.run([&](Database& db) -> Result<void> {
        auto st = SqlStatement::prepare(db, "SELECT device, inode, fp_len, fingerprint, offset, "
                                            "line_no, updated_ms FROM sources "
                                            "WHERE kind=?1 AND name=?2");
        if (!st)
            return std::unexpected(st.error());
        st->bindText(1, kind).bindText(2, name);
        auto row = st->step();
        if (!row)
            return std::unexpected(row.error());
        if (*row) {
            s.found = true;
            s.device = st->columnInt(0);
            s.inode = st->columnInt(1);
            s.fingerprintLength = st->columnInt(2);
            s.fingerprint = st->columnText(3);
            s.offset = st->columnInt(4);
            s.lineNo = st->columnInt(5);
            s.updatedMs = st->columnInt(6);
        }
        return {};
    });
    if (!r)
        return std::unexpected(r.error());
    return s;
}

bool canResume(const StoredSource& stored, int fd, const FileIdentity& id)
{
    return stored.found && stored.device == id.device && stored.inode == id.inode &&
           stored.offset <= id.size && stored.fingerprintLength <= id.size &&
           fingerprintPrefix(fd, stored.fingerprintLength) == stored.fingerprint;
}

std::string fileSourceKey(const std::string& path)
{
    std::error_code ec;
    auto abs = std::filesystem::absolute(path, ec);
    if (ec)
        return std::filesystem::path(path).lexically_normal().string();
    return abs.lexically_normal().string();
}

} // namespace vigil
