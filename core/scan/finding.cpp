// SPDX-License-Identifier: Apache-2.0
#include "scan/finding.h"

#include <array>

namespace vigil {
namespace {

constexpr std::array<std::string_view, 4> kNames{"low", "medium", "high", "critical"};

} // namespace

std::string_view toString(FindingSeverity s)
{
    return kNames[static_cast<std::size_t>(s)];
}

std::optional<FindingSeverity> findingSeverityFromString(std::string_view s)
{
    for (std::size_t i = 0; i < kNames.size(); ++i)
        if (kNames[i] == s)
            return static_cast<FindingSeverity>(i);
    return std::nullopt;
}

} // namespace vigil
