// SPDX-License-Identifier: Apache-2.0
#pragma once

// JSON documents that break the readers' limits (core/base/jsonlimits.h): deeply nested
// values, for the tests of every reader that must refuse them before parsing.

#include <cstddef>
#include <string>

namespace vigil::test {

/// `levels` nested arrays: `[[[...]]]`.
inline std::string nestedArrays(std::size_t levels)
{
    return std::string(levels, '[') + std::string(levels, ']');
}

/// `levels` nested objects: `{"a":{"a":...{}}}`; level n opens at byte 5 * (n - 1).
inline std::string nestedObjects(std::size_t levels)
{
    std::string s;
    s.reserve(levels * 6);
    for (std::size_t i = 1; i < levels; ++i)
        s += "{\"a\":";
    s += "{}";
    s += std::string(levels - 1, '}');
    return s;
}

} // namespace vigil::test
