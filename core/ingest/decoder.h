// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "base/result.h"
#include "ingest/auditevent.h"

#include <cstddef>
#include <memory>
#include <string_view>

namespace vigil {

/// Limits from spec/audit-events.md.
inline constexpr std::size_t kMaxLineBytes = 1024 * 1024;
inline constexpr std::size_t kMaxDetailsBytes = 64 * 1024;
inline constexpr std::size_t kMaxDepth = 64;

/// Why a line was rejected: a stable reason code (`input.invalid_json`, `input.not_object`,
/// `input.missing_field`, `input.bad_type`, `input.bad_value`, `input.too_deep`,
/// `input.too_long`, `input.invalid_utf8`) and a message naming the field at fault.
using Rejection = Error;

/// Turns one line of the audit format into a typed, validated AuditEvent or a Rejection.
///
/// Accepts an optional trailing `\r`, and a CloudWatch prefix (an RFC 3339 timestamp and one
/// space before the object). Checks size, UTF-8 and nesting depth before building anything,
/// so no input can exhaust memory or the stack. Blank lines are the caller's to skip (see
/// isBlankLine). Not thread-safe: use one Decoder per thread; it reuses its buffers.
class Decoder
{
public:
    Decoder();
    ~Decoder();
    Decoder(const Decoder&) = delete;
    Decoder& operator=(const Decoder&) = delete;

    /// Decodes `line` (without its `\n`). On success fills `out`, overwriting every field
    /// but reusing the storage of its strings, so decoding into recycled events allocates
    /// little. On rejection `out` holds no meaningful event.
    std::expected<void, Rejection> decode(std::string_view line, AuditEvent& out);

private:
    struct Impl;
    std::unique_ptr<Impl> m_impl;
};

/// True for lines the format skips silently: empty or only spaces, tabs and a `\r`.
bool isBlankLine(std::string_view line);

} // namespace vigil
