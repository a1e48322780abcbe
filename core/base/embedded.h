// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <optional>
#include <string_view>
#include <vector>

namespace vigil {

/// Data files from resources/ (rule packs, checklists, threat templates, demo corpus),
/// compiled into the binary so that every program works without an install tree.
/// `path` is relative to resources/, e.g. `rules/pii.json`. Thread-safe (immutable).
std::optional<std::string_view> embeddedResource(std::string_view path);

/// Paths of every embedded resource that starts with `prefix`, sorted.
std::vector<std::string_view> embeddedResourcePaths(std::string_view prefix);

} // namespace vigil
