// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstdint>
#include <string>

namespace vigil {

/// One record of a format other than Vigil's own lines (an OTLP span or log record, a
/// CloudWatch log event, a CloudTrail record), converted for the pipeline. A converter
/// either produces `line`, a Vigil audit event as one line of JSON (spec/audit-events.md),
/// which then goes through the same decoder, validation and scanners as any line; or it
/// rejects the record with an `input.*` code and a message, and the record is quarantined
/// with `raw`. Either way nothing is dropped without a trace.
struct ForeignRecord
{
    std::string line;          ///< the converted event; empty when rejected
    std::string rejectCode;    ///< input.* code when rejected, else empty
    std::string rejectMessage; ///< what is wrong, for the user
    std::string raw;           ///< the record as received (at most 64 KiB kept), for quarantine
    std::int64_t rawBytes = 0; ///< the record's full size
    std::int64_t recordNo = 0; ///< 1-based position in its input: the line number it is stored under
    /// Which delivery the record came with, as the caller numbered it (OtlpMapper::map's
    /// `tag`): a receiver that answers a request only once all of its records are stored
    /// finds them by it, whenever the mapper releases them. 0 when unused.
    std::uint64_t tag = 0;

    bool rejected() const { return !rejectCode.empty(); }
};

} // namespace vigil
