// SPDX-License-Identifier: Apache-2.0
// The scanner (core/scan/scanner) with the real rule packs of resources/rules: scanning a group
// of events at once (their ASCII fields joined into one Hyperscan call, as the pipeline does)
// gives exactly the findings of scanning each event alone, and every finding's span lies
// inside the field it names.
//
// Input: the first byte picks how events are made, the rest is cut at `\n`.
//   even: each line is an audit event line, decoded (lines the decoder rejects are skipped);
//   odd:  each line becomes the value of one text field of an event whose type and field name
//         come from fixed lists, so mutations reach the detectors without having to keep the
//         JSON valid. The line is made valid UTF-8 first, as the decoder guarantees.

// Links: vigil_ingest vigil_scan
// Runs: 8000

#include "fuzzsupport.h"

#include "ingest/decoder.h"
#include "scan/rulepack.h"
#include "scan/scanner.h"
#include "scan/utf8.h"

#include <array>
#include <memory>

namespace {

using vigil::AuditEvent;
using vigil::Finding;
using vigil::fuzz::check;
using vigil::fuzz::describe;

const vigil::Scanner& scanner()
{
    static const std::shared_ptr<const vigil::Scanner> s = [] {
        auto pack = vigil::RulePack::builtin();
        check(pack.has_value(), "the embedded rule packs load", pack ? "" : pack.error().message);
        auto created = vigil::Scanner::create(*pack);
        check(created.has_value(), "the embedded rule packs compile",
              created ? "" : created.error().message);
        return *created;
    }();
    return *s;
}

/// `line` as valid UTF-8: each byte that starts no well-formed sequence becomes `?`.
std::string validUtf8(std::string_view line)
{
    std::string out;
    out.reserve(line.size());
    for (std::size_t i = 0; i < line.size();) {
        const std::size_t start = i;
        const char32_t c = vigil::scan::decodeUtf8(line, i);
        if (c == 0xFFFD && !(i - start == 3 && line.substr(start, 3) == "\xEF\xBF\xBD"))
            out += '?';
        else
            out.append(line.substr(start, i - start));
    }
    return out;
}

/// An event of a known type holding `value` in one field, as the decoder would build it.
AuditEvent fieldEvent(std::string value, std::size_t pick)
{
    static constexpr std::array<std::string_view, 9> kTypes{
        "user_query_received", "brain_plan_created", "worker_invoked",
        "worker_result",       "sql_executed",       "human_escalation",
        "security_event",      "error_occurred",     "tool_call"};
    static constexpr std::array<std::string_view, 8> kFields{
        "details.query",  "details.output",  "details.plan",  "details.sql",
        "details.reason", "details.message", "details.input", "details.args[0]"};
    AuditEvent e;
    e.timestamp = "2026-11-21T10:00:00.000Z";
    e.timestampMs = 1'795'255'200'000;
    e.eventType = std::string(kTypes[pick % kTypes.size()]);
    e.kind = vigil::eventKindFromType(e.eventType);
    e.agentName = "fuzz-agent";
    e.threadId = "t-fuzz";
    const std::string path(kFields[(pick / kTypes.size()) % kFields.size()]);
    e.detailsChars = path.size() + value.size() + 8;
    e.texts.push_back(vigil::TextField{path, std::move(value)});
    return e;
}

} // namespace

// The rule packs compile once, before the first input: under ASan and with a cold pattern cache
// that takes longer than libFuzzer's per-input timeout, which does not run during initialisation.
extern "C" int LLVMFuzzerInitialize(int* /*argc*/, char*** /*argv*/)
{
    scanner();
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    const vigil::Scanner& s = scanner();
    static const std::unique_ptr<vigil::ScanScratch> scratch = s.makeScratch();
    static vigil::Decoder decoder;

    vigil::fuzz::Input in(data, size);
    const bool decode = (in.byte() & 1) == 0;
    std::vector<AuditEvent> events;
    std::size_t pick = 0;
    for (const std::string_view line : vigil::fuzz::lines(in.rest())) {
        if (events.size() == 64)
            break;
        if (decode) {
            AuditEvent e;
            if (!vigil::isBlankLine(line) && decoder.decode(line, e))
                events.push_back(std::move(e));
        } else {
            events.push_back(fieldEvent(validUtf8(line), pick++));
        }
    }
    if (events.empty())
        return 0;

    std::vector<std::vector<Finding>> alone(events.size());
    for (std::size_t i = 0; i < events.size(); ++i)
        s.scan(events[i], *scratch, alone[i]);

    std::vector<std::vector<Finding>> together(events.size());
    std::vector<const AuditEvent*> eventPtrs;
    std::vector<std::vector<Finding>*> outPtrs;
    for (std::size_t i = 0; i < events.size(); ++i) {
        eventPtrs.push_back(&events[i]);
        outPtrs.push_back(&together[i]);
    }
    s.scan(eventPtrs, *scratch, outPtrs);

    for (std::size_t i = 0; i < events.size(); ++i) {
        const bool same =
            alone[i].size() == together[i].size() &&
            std::equal(alone[i].begin(), alone[i].end(), together[i].begin(),
                       [](const Finding& a, const Finding& b) {
                           return describe(a) == describe(b) && a.category == b.category;
                       });
        check(same, "a group scan finds what one-at-a-time scans find",
              "event " + std::to_string(i) + " alone:" + describe({alone[i]}) +
                  "\n in the group:" + describe({together[i]}));
        for (const Finding& f : alone[i]) {
            if (f.start < 0 && f.end < 0)
                continue;
            // Duplicate keys give two fields of one path: the span must fit one of them.
            bool named = false;
            bool inside = false;
            int length = 0;
            for (const vigil::TextField& t : events[i].texts) {
                if (t.path != f.field)
                    continue;
                named = true;
                length = vigil::scan::codePointCount(t.value);
                inside = inside || (0 <= f.start && f.start < f.end && f.end <= length);
            }
            check(named, "a finding with a span names a text field", describe(f));
            check(inside, "a finding's span lies inside its field",
                  describe(f) + " in a field of " + std::to_string(length) + " code points");
        }
    }
    return 0;
}
