// SPDX-License-Identifier: Apache-2.0
// The OTLP/HTTP mapper (core/ingest/otlpmapper, with otlpprotobuf for protobuf bodies): any
// body gives records, never a crash;
// every record is either a rejection with an input.* code or a Vigil event line that the
// real decoder accepts, so a converted span can never be lost between the mapper and the
// store.
//
// Input: one byte choosing the signal (bit 0: 0 traces, 1 logs) and the encoding (bit 1:
// 0 JSON, 1 protobuf), then the body.

// Links: vigil_ingest
// Runs: 16000

#include "fuzzsupport.h"

#include "ingest/decoder.h"
#include "ingest/otlpmapper.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    using namespace vigil;
    fuzz::Input in(data, size);
    const std::uint8_t mode = in.byte();
    const OtlpSignal signal = mode & 1 ? OtlpSignal::Logs : OtlpSignal::Traces;
    const OtlpEncoding encoding = mode & 2 ? OtlpEncoding::Protobuf : OtlpEncoding::Json;
    const std::string_view body = in.rest();
    static const ToolActionMap tools = ToolActionMap::builtin().value_or(ToolActionMap{});
    const auto records = mapOtlpBody(signal, reinterpret_cast<const std::uint8_t*>(body.data()),
                                     body.size(), tools, encoding);
    Decoder decoder;
    AuditEvent event;
    for (const ForeignRecord& r : records) {
        if (r.rejected()) {
            fuzz::check(r.rejectCode.starts_with("input."), "a rejection has an input.* code",
                        r.rejectCode);
            fuzz::check(r.line.empty(), "a rejection carries no event line");
            fuzz::check(r.raw.size() <= 64 * 1024, "at most 64 KiB of a rejected record is kept");
            continue;
        }
        auto decoded = decoder.decode(r.line, event);
        fuzz::check(decoded.has_value(), "a converted record decodes as a Vigil event",
                    decoded ? std::string() : decoded.error().code + ": " + r.line.substr(0, 400));
    }
    return 0;
}
