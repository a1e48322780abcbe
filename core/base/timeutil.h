// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace vigil {

/// Parses an RFC 3339 UTC timestamp with a `Z` suffix and an optional fraction
/// (`2026-11-21T10:00:00.123Z`) into milliseconds since the Unix epoch. Returns nullopt for
/// anything else: offsets other than Z, out-of-range fields, trailing bytes.
std::optional<std::int64_t> parseRfc3339Utc(std::string_view text);

/// Formats milliseconds since the epoch as `YYYY-MM-DDTHH:MM:SS.mmmZ`.
std::string formatRfc3339Utc(std::int64_t epochMs);

/// Milliseconds since the epoch, now (system clock).
std::int64_t nowEpochMs();

} // namespace vigil
