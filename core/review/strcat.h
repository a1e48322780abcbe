// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <concepts>
#include <string>
#include <string_view>

// Internal to core/review: message building without <format> (absent from GCC 12's library).
namespace vigil::reviewdetail {

inline void appendPiece(std::string& out, std::string_view s)
{
    out += s;
}
inline void appendPiece(std::string& out, char c)
{
    out += c;
}
template <std::integral I>
requires(!std::same_as<I, char> && !std::same_as<I, bool>) void appendPiece(std::string& out,
                                                                            I value)
{
    out += std::to_string(value);
}

/// Concatenates strings, characters and integers: `cat("rows[", 3, "]")`.
template <typename... Args> std::string cat(const Args&... args)
{
    std::string out;
    (appendPiece(out, args), ...);
    return out;
}

} // namespace vigil::reviewdetail
