// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <string>
#include <vector>

namespace vigil {

/// The schema as a list of migrations: entry i takes `user_version` i to i+1. Entries are
/// append-only once released; each runs in its own transaction.
const std::vector<std::string>& schemaMigrations();

/// Category names in the order of their bit in `events.finding_mask`.
const std::vector<std::string>& findingCategoryBits();

/// The bit for `category` in `events.finding_mask`; the "other" bit collects categories
/// that have no bit of their own (security_event types).
unsigned findingCategoryBit(const std::string& category);

} // namespace vigil
