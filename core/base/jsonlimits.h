// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "base/result.h"

#include <cstddef>
#include <filesystem>
#include <string>
#include <string_view>

namespace vigil {

/// How large and how deep a JSON document may be before Vigil parses it. The depth is the
/// audit format's (spec/audit-events.md): `[]` is one level, `[[]]` two.
struct JsonLimits
{
    std::size_t maxBytes = 16 * 1024 * 1024;
    std::size_t maxDepth = 64;
};

/// Checks `text` against `limits` without parsing it, so that no document reaches a parser
/// or a tree walk that it could exhaust: nlohmann's parser itself is iterative, but copying,
/// dumping and comparing a parsed value recurse once per level, and some tens of thousands of
/// levels overflow the stack. One pass over the bytes counts the `[` and `{` that are open
/// outside strings; nothing is allocated. Syntax is left to the parser: text that is not
/// JSON passes when it is small and shallow enough.
///
/// Errors, with `errorCode` as their code:
/// `<sourceName>: larger than 16 MiB (20000000 bytes)` and
/// `<sourceName>: nested deeper than 64 levels at byte N`, N counting from 0 to the bracket
/// that opens the first level too many. Thread-safe.
Result<void> checkJsonLimits(std::string_view text, std::string_view sourceName,
                             std::string_view errorCode, const JsonLimits& limits = {});

/// The same check without a message, for a reader that falls back quietly (to showing the
/// raw text, or to "not a match"). Thread-safe.
bool withinJsonLimits(std::string_view text, const JsonLimits& limits = {}) noexcept;

/// Reads the whole file at `path` if it holds at most `maxBytes`. The size is looked up
/// before anything is read, so an oversize file costs no memory; a file that grows while
/// it is read is still cut off at the limit. Errors name `path` as given:
/// `{ioErrorCode, "<path>: cannot read the file (No such file or directory)"}` or
/// `{tooLargeCode, "<path>: larger than 16 MiB (N bytes)"}` (no count for a pipe).
/// Thread-safe.
Result<std::string> readFileLimited(const std::filesystem::path& path, std::size_t maxBytes,
                                    std::string_view ioErrorCode, std::string_view tooLargeCode);

/// `16 MiB`, `64 KiB` or `1000 bytes`: a limit as the messages above name it.
std::string describeByteLimit(std::size_t bytes);

} // namespace vigil
