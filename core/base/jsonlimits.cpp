// SPDX-License-Identifier: Apache-2.0
#include "base/jsonlimits.h"

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <optional>
#include <system_error>

namespace vigil {

std::string describeByteLimit(std::size_t bytes)
{
    constexpr std::size_t kKiB = 1024;
    constexpr std::size_t kMiB = 1024 * kKiB;
    if (bytes >= kMiB && bytes % kMiB == 0)
        return std::to_string(bytes / kMiB) + " MiB";
    if (bytes >= kKiB && bytes % kKiB == 0)
        return std::to_string(bytes / kKiB) + " KiB";
    return std::to_string(bytes) + " bytes";
}

namespace {

/// `<source>: larger than 16 MiB (N bytes)`; without `actual` (a pipe), no count.
std::unexpected<Error> tooLarge(std::string_view code, std::string_view source, std::size_t limit,
                                std::optional<std::uintmax_t> actual)
{
    std::string message = std::string(source) + ": larger than " + describeByteLimit(limit);
    if (actual)
        message += " (" + std::to_string(*actual) + " bytes)";
    return fail(std::string(code), std::move(message));
}

constexpr std::size_t kWithin = static_cast<std::size_t>(-1);

/// The offset of the bracket that opens level `maxDepth + 1`, or kWithin.
std::size_t tooDeepAt(std::string_view text, std::size_t maxDepth) noexcept
{
    std::size_t depth = 0;
    const std::size_t n = text.size();
    for (std::size_t i = 0; i < n; ++i) {
        switch (text[i]) {
        case '"':
            // Skip the string: a backslash escapes the next byte, so `\"` does not end it.
            for (++i; i < n && text[i] != '"'; ++i)
                if (text[i] == '\\')
                    ++i;
            break;
        case '[':
        case '{':
            if (++depth > maxDepth)
                return i;
            break;
        case ']':
        case '}':
            // An unbalanced closer is a syntax error the parser will name.
            if (depth > 0)
                --depth;
            break;
        default:
            break;
        }
    }
    return kWithin;
}

} // namespace

Result<void> checkJsonLimits(std::string_view text, std::string_view sourceName,
                             std::string_view errorCode, const JsonLimits& limits)
{
    if (text.size() > limits.maxBytes)
        return tooLarge(errorCode, sourceName, limits.maxBytes, text.size());
    if (const std::size_t at = tooDeepAt(text, limits.maxDepth); at != kWithin)
        return fail(std::string(errorCode), std::string(sourceName) + ": nested deeper than " +
                                                std::to_string(limits.maxDepth) +
                                                " levels at byte " + std::to_string(at));
    return {};
}

bool withinJsonLimits(std::string_view text, const JsonLimits& limits) noexcept
{
    return text.size() <= limits.maxBytes && tooDeepAt(text, limits.maxDepth) == kWithin;
}

Result<std::string> readFileLimited(const std::filesystem::path& path, std::size_t maxBytes,
                                    std::string_view ioErrorCode, std::string_view tooLargeCode)
{
    const std::string name = path.string();
    std::ifstream in(path, std::ios::binary);
    if (!in)
        return fail(std::string(ioErrorCode),
                    name + ": cannot read the file (" + std::strerror(errno) + ")");
    std::error_code ec;
    const auto status = std::filesystem::status(path, ec);
    if (std::filesystem::is_directory(status))
        return fail(std::string(ioErrorCode), name + ": cannot read the file (it is a folder)");
    if (std::filesystem::is_regular_file(status)) {
        const auto size = std::filesystem::file_size(path, ec);
        if (!ec && size > maxBytes)
            return tooLarge(tooLargeCode, name, maxBytes, size);
    }
    // Stop at the first block past the limit: enough to tell a pipe or a growing file that is
    // too large from one that fits.
    std::string text;
    char block[64 * 1024];
    while (text.size() <= maxBytes) {
        in.read(block, static_cast<std::streamsize>(sizeof block));
        const auto got = static_cast<std::size_t>(in.gcount());
        text.append(block, got);
        if (got < sizeof block)
            break;
    }
    if (in.bad())
        return fail(std::string(ioErrorCode),
                    name + ": cannot read the file (" + std::strerror(errno) + ")");
    if (text.size() > maxBytes)
        return tooLarge(tooLargeCode, name, maxBytes, std::nullopt);
    return text;
}

} // namespace vigil
