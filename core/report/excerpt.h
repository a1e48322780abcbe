// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "scan/finding.h"
#include "store/detailsfield.h" // detailsFieldValue(), used with excerpt() by the reports

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace vigil {

/// A short piece of `value` around the code points [start, end) (the start of the value
/// when start < 0): at most `radius` code points either side, with `...` where it was cut.
/// When `redact` is true, every span of `fieldFindings` whose category holds sensitive
/// content (`pii`, `secret`) is replaced by `[REDACTED:<rule>]` through scan's redact(),
/// spans cut by the window included. Line breaks become spaces.
std::string excerpt(std::string_view value, int start, int end,
                    const std::vector<Finding>& fieldFindings, bool redact, int radius = 60);

} // namespace vigil
