// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "base/result.h"
#include "ingest/otlpmapper.h"

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace vigil::otlppb {

/// OTLP/HTTP with `Content-Type: application/x-protobuf`: the body is an
/// ExportTraceServiceRequest or ExportLogsServiceRequest in protobuf's binary form
/// (core/ingest/proto, the official schemas). Vigil reads it by converting it, straight from
/// the wire format and without building messages, into the OTLP/JSON form that OtlpMapper
/// reads, so both encodings share one mapping. Ids come out base64 (protobuf's JSON
/// mapping), which the mapper accepts beside hex.

/// Converts `body`. At most `maxJsonBytes` of JSON are produced: a body that expands beyond
/// them is refused (`input.too_long`), so memory stays bounded whatever the input. A body
/// that is not a valid message of that type is `input.invalid_protobuf`, with protobuf's
/// reason. Never throws.
Result<std::string> toJson(OtlpSignal signal, std::string_view body, std::size_t maxJsonBytes);

/// A binary body as quarantine text: `protobuf (N bytes), base64: ...` of as many leading
/// bytes as fit in `maxChars`.
std::string quarantineText(std::string_view body, std::size_t maxChars);

/// The answer to a request stored in full (`rejected` == 0) or in part: an
/// Export{Trace,Logs}ServiceResponse, with `partial_success` set when records were
/// quarantined, serialized.
std::string exportResponse(OtlpSignal signal, std::int64_t rejected, std::string_view message);

/// An error answer's body: a google.rpc.Status with the given gRPC code and message,
/// serialized, as OTLP/HTTP asks of a protobuf server.
std::string errorStatus(int grpcCode, std::string_view message);

} // namespace vigil::otlppb
