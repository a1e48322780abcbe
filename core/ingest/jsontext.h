// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace vigil {

/// Appends `value` as a JSON string (quotes included): `"` and `\` escaped, control
/// characters as \uXXXX. `value` must be UTF-8 (what a JSON parser hands out).
void appendJsonString(std::string& out, std::string_view value);

/// One member of a JSON object as written: the key without its quotes (escapes left as
/// they are) and the byte range of its value in the object's text.
struct ObjectMember
{
    std::string_view key;
    std::size_t valueBegin = 0;
    std::size_t valueEnd = 0;
};

/// The top-level members of the JSON object `text` (leading and trailing whitespace
/// allowed), found by following strings and brackets only: no parse, no recursion. Nothing
/// when `text` is not shaped like one object. It does not validate the values: the decoder
/// does that later on the whole text.
std::optional<std::vector<ObjectMember>> scanObjectMembers(std::string_view text);

} // namespace vigil
