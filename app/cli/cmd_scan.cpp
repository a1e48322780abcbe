// SPDX-License-Identifier: Apache-2.0
#include "cli.h"

#include "base/maestro.h"
#include "ingest/decoder.h"
#include "ingest/inputformat.h"
#include "ingest/linesplitter.h"
#include "pipeline/chunkpool.h"
#include "pipeline/engine.h"
#include "scan/scanner.h"
#include "base/jsonlimits.h"
#include "base/timeutil.h"
#include "store/eventrecycler.h"
#include "store/suppression.h"

#include <nlohmann/json.hpp>

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <deque>
#include <iostream>
#include <map>

namespace vigil::cli {
namespace {

/// One output record: a finding of an event, or a rejected line.
struct Record
{
    std::int64_t line = 0;
    Finding finding;
    const SuppressionRule* mutedBy = nullptr; ///< the first --mute rule that mutes it
};

constexpr int kRejectedLayer = 2; // Agent Logic: inputs validated via typed schemas

/// The first of `rules` that mutes `f` of event `e` (nullptr for a rejected line's `e`).
const SuppressionRule* muting(const std::vector<SuppressionRule>& rules, const Finding& f,
                              const AuditEvent* e)
{
    for (const SuppressionRule& r : rules) {
        std::optional<std::string_view> value;
        if (e)
            if (const TextField* t = e->text(f.field))
                value = t->value;
        if (suppressionMatches(r, f, e ? std::string_view(e->agentName) : std::string_view(), value))
            return &r;
    }
    return nullptr;
}

std::vector<Record> recordsOf(WriteBatch& batch, const std::vector<SuppressionRule>& mute)
{
    std::vector<Record> out;
    for (IngestedEvent& e : batch.events)
        for (Finding& f : e.findings) {
            const SuppressionRule* by = mute.empty() ? nullptr : muting(mute, f, &e.event);
            out.push_back(Record{e.lineNo, std::move(f), by});
        }
    for (const QuarantinedLine& q : batch.rejected) {
        Finding f;
        f.rule = q.reason;
        f.category = "rejected";
        f.layer = kRejectedLayer;
        f.severity = FindingSeverity::Medium;
        f.message = q.message;
        const SuppressionRule* by = mute.empty() ? nullptr : muting(mute, f, nullptr);
        out.push_back(Record{q.lineNo, std::move(f), by});
    }
    std::stable_sort(out.begin(), out.end(),
                     [](const Record& a, const Record& b) { return a.line < b.line; });
    return out;
}

nlohmann::ordered_json toJson(const Record& r)
{
    nlohmann::ordered_json j;
    j["line"] = r.line;
    j["rule"] = r.finding.rule;
    j["category"] = r.finding.category;
    j["severity"] = std::string(toString(r.finding.severity));
    j["layer"] = r.finding.layer;
    if (!r.finding.field.empty())
        j["field"] = r.finding.field;
    if (r.finding.start >= 0) {
        j["start"] = r.finding.start;
        j["end"] = r.finding.end;
    }
    j["message"] = r.finding.message;
    if (r.mutedBy) {
        j["suppressed"] = true;
        j["suppression"] = r.mutedBy->reason;
    }
    return j;
}

const char* sarifLevel(FindingSeverity s)
{
    switch (s) {
    case FindingSeverity::Critical:
    case FindingSeverity::High:
        return "error";
    case FindingSeverity::Medium:
        return "warning";
    case FindingSeverity::Low:
        return "note";
    }
    return "warning";
}

struct Totals
{
    std::int64_t lines = 0, accepted = 0, rejected = 0, bytes = 0, muted = 0;
    std::map<std::string, std::int64_t> byCategory;
    std::optional<FindingSeverity> worst;
};

} // namespace

int runScan(const std::vector<std::string>& args)
{
    const std::vector<OptionSpec> spec{
        {"policies", true, false,
         "agent IAM policy file: adds iam and privilege_escalation findings"},
        {"rules", true, false, "extra rule pack (JSON) that adds, overrides or disables rules"},
        {"format", true, false, "jsonl (default when not a terminal), table or sarif"},
        {"input-format", true, false,
         "what the input holds: " + inputFormatNames(", ") +
             " (default auto: decided from its content)"},
        {"fail-on", true, false,
         "exit 3 when a finding of this severity or higher is made "
         "(low, medium, high, critical)"},
        {"workers", true, false, "decode/scan threads (default: from the core count)"},
        {"layer-names", true, false,
         "seed (default) or csa: the MAESTRO layer names SARIF output carries beside the "
         "layer number"},
        {"sessions", false, false,
         "also run the session rules (model extraction: near-identical queries, query bursts, "
         "system-prompt probing), which judge each user's queries together, in input order"},
        {"mute", true, true,
         "mute rule file (the JSON of `vigil-cli mute list --format json`): matching findings "
         "are printed as suppressed and do not count for --fail-on; repeatable"},
    };
    auto parsed = parseArgs(args, spec);
    if (!parsed)
        return error("scan", parsed.error().message);
    if (parsed->help) {
        printHelp("vigil-cli scan [--policies FILE] [--rules FILE] [--format jsonl|table|sarif] "
                  "[--input-format FORMAT] [--fail-on SEVERITY] [--mute FILE] [--sessions] FILE|-",
                  "Scans audit events and prints one finding per line, in input order; lines\n"
                  "that are not valid events are reported in category \"rejected\". A summary\n"
                  "goes to standard error. Matched PII and secrets are never printed.\n"
                  "CloudWatch Logs output and CloudTrail files are read as well (see\n"
                  "--input-format); `line` is then the record's number in the input.",
                  spec);
        return Ok;
    }
    if (parsed->positional.size() != 1)
        return error("scan", parsed->positional.empty()
                                 ? "no input file given (use - for standard input)"
                                 : "scan takes exactly one input");
    const std::string format =
        parsed->get("format").value_or(stdoutIsTerminal() ? "table" : "jsonl");
    if (format != "jsonl" && format != "table" && format != "sarif")
        return error("scan", "--format must be jsonl, table or sarif");
    LayerNaming layerNaming = LayerNaming::Seed;
    if (const auto naming = parsed->get("layer-names")) {
        const auto n = parseLayerNaming(*naming);
        if (!n)
            return error("scan", "--layer-names must be seed or csa");
        layerNaming = *n;
    }
    InputFormat inputFormat = InputFormat::Auto;
    if (auto f = parsed->get("input-format")) {
        const auto known = inputFormatFromString(*f);
        if (!known)
            return error("scan", "--input-format must be one of " + inputFormatNames(", ") +
                                     " (got \"" + *f + "\")");
        inputFormat = *known;
    }
    std::optional<FindingSeverity> failOn;
    if (auto f = parsed->get("fail-on")) {
        failOn = findingSeverityFromString(*f);
        if (!failOn)
            return error("scan", "--fail-on must be low, medium, high or critical");
    }
    unsigned workers = 0;
    if (auto w = parsed->get("workers")) {
        try {
            workers = static_cast<unsigned>(std::stoul(*w));
        } catch (...) {
            return error("scan", "--workers takes a number");
        }
    }

    // Rules in force now; expired ones in the file are kept there but mute nothing.
    std::vector<SuppressionRule> mute;
    for (const std::string& file : parsed->all("mute")) {
        auto text = readFileLimited(file, JsonLimits{}.maxBytes, "mute.file", "mute.file");
        if (!text)
            return error("scan", "--mute " + oneLine(text.error().message));
        auto rules = suppressionsFromJson(*text);
        if (!rules)
            return error("scan", "--mute " + file + ": " + oneLine(rules.error().message));
        const std::int64_t now = nowEpochMs();
        for (SuppressionRule& r : *rules)
            if (suppressionActive(r, now))
                mute.push_back(std::move(r));
    }

    const std::string input = parsed->positional.front();
    int fd = 0;
    if (input != "-") {
        fd = ::open(input.c_str(), O_RDONLY | O_CLOEXEC);
        if (fd < 0)
            return error("scan", "cannot open " + input + ": " + std::strerror(errno));
    }
    auto engine = loadEngine(parsed->get("rules"), parsed->get("policies"));
    if (!engine) {
        if (fd > 0)
            ::close(fd);
        return error("scan", engine.error().message);
    }

    // Session rules follow each user through the input, so they run here, in input order.
    const ScanFunction sessions = parsed->flag("sessions") ? engine->sessionStage() : ScanFunction{};

    const auto started = std::chrono::steady_clock::now();
    Totals totals;
    nlohmann::ordered_json sarifResults = nlohmann::ordered_json::array();
    std::string out;
    auto emit = [&](WriteBatch batch) {
        if (sessions)
            sessions(std::span<IngestedEvent>(batch.events));
        totals.accepted += static_cast<std::int64_t>(batch.events.size());
        totals.rejected += static_cast<std::int64_t>(batch.rejected.size());
        for (const Record& r : recordsOf(batch, mute)) {
            ++totals.byCategory[r.finding.category];
            if (r.mutedBy)
                ++totals.muted;
            else if (!totals.worst || r.finding.severity > *totals.worst)
                totals.worst = r.finding.severity;
            if (format == "jsonl") {
                out += toJson(r).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
                out += '\n';
            } else if (format == "table") {
                char buf[96];
                std::snprintf(
                    buf, sizeof buf, "%7lld  %-8s  %-20s  ", static_cast<long long>(r.line),
                    std::string(toString(r.finding.severity)).c_str(), r.finding.category.c_str());
                out += buf;
                out += r.finding.rule;
                out += "  ";
                out += r.finding.field.empty() ? "-" : r.finding.field;
                if (r.finding.start >= 0)
                    out += "[" + std::to_string(r.finding.start) + ":" +
                           std::to_string(r.finding.end) + "]";
                out += "  " + r.finding.message;
                if (r.mutedBy)
                    out += "  [muted: " + oneLine(r.mutedBy->reason) + "]";
                out += "\n";
            } else {
                nlohmann::ordered_json res;
                res["ruleId"] = r.finding.rule;
                res["level"] = sarifLevel(r.finding.severity);
                res["message"]["text"] = r.finding.message;
                nlohmann::ordered_json loc;
                loc["physicalLocation"]["artifactLocation"]["uri"] = input == "-" ? "stdin" : input;
                loc["physicalLocation"]["region"]["startLine"] = r.line;
                if (!r.finding.field.empty())
                    loc["logicalLocations"] = nlohmann::ordered_json::array(
                        {{{"fullyQualifiedName", r.finding.field}, {"kind", "member"}}});
                res["locations"] = nlohmann::ordered_json::array({loc});
                res["properties"]["category"] = r.finding.category;
                res["properties"]["layer"] = r.finding.layer;
                res["properties"]["layer_name"] = maestroLayerName(r.finding.layer, layerNaming);
                res["properties"]["csa_layer"] = csaLayerOf(r.finding.layer);
                res["properties"]["severity"] = std::string(toString(r.finding.severity));
                if (r.finding.start >= 0) {
                    res["properties"]["start"] = r.finding.start;
                    res["properties"]["end"] = r.finding.end;
                }
                if (r.mutedBy)
                    res["suppressions"] = nlohmann::ordered_json::array(
                        {{{"kind", "external"}, {"status", "accepted"},
                          {"justification", r.mutedBy->reason}}});
                sarifResults.push_back(std::move(res));
            }
        }
        if (out.size() > (1 << 16)) {
            std::fwrite(out.data(), 1, out.size(), stdout);
            out.clear();
        }
        EventRecycler::give(std::move(batch.events));
    };

    if (format == "table")
        out += "   line  severity  category              rule  field  message\n";
    {
        ChunkPool pool(workers, engine->scanFactory());
        std::deque<std::future<WriteBatch>> pending;
        // Small chunks, few of them ahead: enough to keep the workers fed (reading is far
        // faster than decoding), while the lines, events and recycled buffers in flight
        // (about 1,500 events) stay in the cache. 4,096-line chunks, 16 ahead, had recycled
        // storage always out of the cache: 256-line chunks made the scan about 13% faster.
        const std::size_t maxPending = 6;
        const std::size_t chunkLines = 256, chunkBytes = 256 << 10;
        RawChunk chunk = RawChunk::withSpareStorage();
        std::int64_t lineNo = 0;
        auto flushChunk = [&] {
            if (chunk.lines.empty())
                return;
            pending.push_back(pool.submit(std::move(chunk)));
            chunk = RawChunk::withSpareStorage();
            while (pending.size() > maxPending ||
                   (!pending.empty() && pending.front().wait_for(std::chrono::seconds(0)) ==
                                            std::future_status::ready)) {
                emit(pending.front().get());
                pending.pop_front();
            }
        };
        LineSplitter splitter(kMaxLineBytes);
        auto sink = [&](const SplitLine& l) {
            chunk.addLine(l.text, l.overlong, l.fullBytes, ++lineNo);
            if (chunk.lines.size() >= chunkLines || chunk.data.size() >= chunkBytes)
                flushChunk();
        };
        ReaderOptions readerOptions;
        readerOptions.roleAgents = roleAgentsOf(engine->policies().get());
        InputRouter router(inputFormat, readerOptions, splitter);
        const RecordSink recordSink = [&](ForeignRecord&& r, std::int64_t) {
            lineNo = r.recordNo; // a record's number is its `line` in the output
            chunk.addRecord(r);
            if (chunk.lines.size() >= chunkLines || chunk.data.size() >= chunkBytes)
                flushChunk();
        };
        std::vector<char> buf(1 << 20);
        for (;;) {
            const ssize_t n = ::read(fd, buf.data(), buf.size());
            if (n < 0 && errno == EINTR)
                continue;
            if (n < 0) {
                const std::string why = std::strerror(errno);
                if (fd > 0)
                    ::close(fd);
                return error("scan", "cannot read " + input + ": " + why);
            }
            if (n == 0)
                break;
            totals.bytes += n;
            router.feed(std::string_view(buf.data(), static_cast<std::size_t>(n)), sink, recordSink);
        }
        router.finish(sink, recordSink);
        flushChunk();
        for (auto& f : pending)
            emit(f.get());
        totals.lines = lineNo;
    }
    if (fd > 0)
        ::close(fd);

    if (format == "sarif") {
        nlohmann::ordered_json rules = nlohmann::ordered_json::array();
        for (const RuleInfo& r : engine->scanner()->rules()) {
            if (!r.enabled) // a disabled rule (pii.iban by default) reports nothing
                continue;
            nlohmann::ordered_json rule;
            rule["id"] = r.id;
            rule["shortDescription"]["text"] = r.message.empty() ? r.id : r.message;
            rule["properties"]["category"] = r.category;
            rule["properties"]["layer"] = r.layer;
            rule["properties"]["layer_name"] = maestroLayerName(r.layer, layerNaming);
            rule["properties"]["csa_layer"] = csaLayerOf(r.layer);
            rules.push_back(std::move(rule));
        }
        nlohmann::ordered_json sarif;
        sarif["$schema"] = "https://json.schemastore.org/sarif-2.1.0.json";
        sarif["version"] = "2.1.0";
        nlohmann::ordered_json run;
        run["tool"]["driver"]["name"] = "Vigil";
        run["tool"]["driver"]["version"] = VIGIL_VERSION;
        run["tool"]["driver"]["informationUri"] = "https://example.invalid/vigil";
        run["tool"]["driver"]["rules"] = std::move(rules);
        run["results"] = std::move(sarifResults);
        sarif["runs"] = nlohmann::ordered_json::array({std::move(run)});
        out += sarif.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
    }
    std::fwrite(out.data(), 1, out.size(), stdout);
    std::fflush(stdout);

    const double secs =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    std::string cats;
    std::int64_t total = 0;
    for (const auto& [c, n] : totals.byCategory) {
        cats += (cats.empty() ? "" : ", ") + c + " " + std::to_string(n);
        total += n;
    }
    // Only with --mute does the summary name muted findings: without it, it reads as before.
    const std::string mutedNote =
        parsed->flag("mute") ? ", " + std::to_string(totals.muted) + " muted" : std::string();
    std::fprintf(
        stderr,
        "scanned %lld lines: %lld events accepted, %lld lines rejected; %lld findings%s%s%s%s; "
        "%.2f s, %.1f MB/s\n",
        static_cast<long long>(totals.lines), static_cast<long long>(totals.accepted),
        static_cast<long long>(totals.rejected), static_cast<long long>(total),
        cats.empty() ? "" : " (", cats.c_str(), cats.empty() ? "" : ")", mutedNote.c_str(), secs,
        secs > 0 ? double(totals.bytes) / 1e6 / secs : 0.0);
    if (failOn && totals.worst && *totals.worst >= *failOn)
        return FailOnTripped;
    return Ok;
}

} // namespace vigil::cli
