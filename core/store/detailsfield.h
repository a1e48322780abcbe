// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace vigil {

/// The string at `field` of an event, where `field` is a finding's JSON path
/// (`details.query`, `details.filters[0].value`) and `detailsJson` the stored details.
/// nullopt when the path is absent, not under `details`, or not a string (e.g. erased).
/// Held to the JSON limits (base/jsonlimits.h) before parsing.
std::optional<std::string> detailsFieldValue(std::string_view detailsJson, std::string_view field);

} // namespace vigil
