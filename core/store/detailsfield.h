// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "scan/finding.h"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace vigil {

/// The string at `field` of an event, where `field` is a finding's JSON path
/// (`details.query`, `details.filters[0].value`) and `detailsJson` the stored details.
/// nullopt when the path is absent, not under `details`, or not a string (e.g. erased).
/// Held to the JSON limits (base/jsonlimits.h) before parsing.
std::optional<std::string> detailsFieldValue(std::string_view detailsJson, std::string_view field);

/// The details JSON, minified in its stored key order, with the span of every finding of
/// a category holding sensitive content (`pii`, `secret`) replaced in its string by
/// `[REDACTED:<rule>]` through scan's redact(), as every display and export does. Details
/// that are not JSON or break the JSON limits (a database edited by hand) come back as
/// they are.
std::string redactedDetails(std::string_view detailsJson, const std::vector<Finding>& findings);

} // namespace vigil
