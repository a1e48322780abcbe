// SPDX-License-Identifier: Apache-2.0
// The line decoder (core/ingest/decoder): any bytes give an event or a Rejection, never a
// crash; decoding is deterministic, and decoding into a recycled event (as the pipeline does,
// reusing the storage of the last line's strings) gives exactly what a fresh event gets.
//
// Input: lines separated by `\n`; each is decoded into one recycled event and into a fresh one.

// Links: vigil_ingest
// Runs: 25000

#include "fuzzsupport.h"

#include "ingest/decoder.h"

namespace {

using vigil::AuditEvent;
using vigil::fuzz::check;

std::string fields(const AuditEvent& e)
{
    std::string s = std::to_string(e.timestampMs) + "|" + e.timestamp + "|" + e.eventType + "|" +
                    std::to_string(int(e.kind)) + "|" + e.agentName + "|" + e.threadId + "|" +
                    std::to_string(int(e.severity)) + "|" + e.eventId + "|" + e.userId + "|" +
                    e.traceId + "|" + e.spanId + "|" + e.detailsJson + "|" + e.model + "|" +
                    (e.tokens ? std::to_string(*e.tokens) : "-") + "|" +
                    (e.cost ? std::to_string(*e.cost) : "-") + "|" + e.workerName + "|" + e.action +
                    "|" + e.resource + "|" + e.outcome + "|" + e.securityType + "|" +
                    e.outputSchema + "|" + e.outputJson + "|" +
                    (e.confidence ? std::to_string(*e.confidence) : "-") + "|" +
                    (e.bytesScanned ? std::to_string(*e.bytesScanned) : "-") + "|" +
                    std::to_string(e.detailsChars);
    for (const vigil::TextField& t : e.texts)
        s += "|" + t.path + "=" + t.value;
    return s;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    static vigil::Decoder recycledDecoder;
    static AuditEvent recycled; // keeps the previous input's strings, like a pipeline slot
    vigil::Decoder fresh;
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    for (const std::string_view line : vigil::fuzz::lines(text)) {
        if (vigil::isBlankLine(line))
            continue;
        const auto a = recycledDecoder.decode(line, recycled);
        AuditEvent e;
        const auto b = fresh.decode(line, e);
        check(a.has_value() == b.has_value(), "a recycled event decodes like a fresh one");
        if (!a) {
            check(a.error().code == b.error().code && a.error().message == b.error().message,
                  "the same line is rejected the same way", a.error().message);
            check(a.error().code.starts_with("input."), "rejections are input.* codes",
                  a.error().code);
            continue;
        }
        check(fields(recycled) == fields(e), "a recycled event decodes like a fresh one",
              fields(recycled) + "\n  vs " + fields(e));
        check(line.size() <= vigil::kMaxLineBytes, "no accepted line is over the limit");
        check(e.detailsJson.size() <= vigil::kMaxDetailsBytes, "details within 64 KiB");
        for (const vigil::TextField& t : e.texts)
            check(t.path == "details" || t.path.starts_with("details.") ||
                      t.path.starts_with("details["),
                  "every text field lies in details", t.path);
    }
    return 0;
}
