// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <expected>
#include <string>
#include <utility>

namespace vigil {

/// An error a user can act on: a stable machine code (`input.missing_field`,
/// `store.newer_schema`, ...) and a one-line message that names the problem.
/// Errors cross every module border as values; nothing in core/ prints or throws them.
struct Error
{
    std::string code;
    std::string message;
};

template <typename T>
using Result = std::expected<T, Error>;

/// Convenience for `return fail("code", "message");` in functions returning Result<T>.
inline std::unexpected<Error> fail(std::string code, std::string message)
{
    return std::unexpected<Error>(Error{std::move(code), std::move(message)});
}

} // namespace vigil
