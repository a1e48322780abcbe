// SPDX-License-Identifier: Apache-2.0
// `vigil-cli export`: stored events as JSON Lines or CSV (report/eventexport.h), with PII
// and secrets redacted unless --unredacted is given, as the desktop's Export writes them.
#include "cli.h"

#include "base/timeutil.h"
#include "report/eventexport.h"
#include "report/reportfile.h"
#include "store/schema.h"
#include "store/storereader.h"

#include <algorithm>
#include <iostream>

namespace vigil::cli {

int runExport(const std::vector<std::string>& args)
{
    const std::vector<OptionSpec> spec{
        {"db", true, false, "SQLite database"},
        {"category", true, false, "events with a finding of this category, e.g. pii"},
        {"agent", true, false, "events of this agent"},
        {"thread", true, false, "events of this thread id"},
        {"event-type", true, false, "events of this type, e.g. sql_executed"},
        {"from", true, false, "events at or after this time, RFC 3339 UTC"},
        {"to", true, false, "events at or before this time, RFC 3339 UTC"},
        {"format", true, false, "jsonl (default: one event per line, as Vigil reads them) or csv"},
        {"o", true, false,
         "output file (written whole, via a temporary file; - for standard output)"},
        {"output", true, false, "same as -o"},
        {"unredacted", false, false,
         "keep PII and secrets (the file is then readable by you only)"},
    };
    auto parsed = parseArgs(args, spec);
    if (!parsed)
        return error("export", parsed.error().message);
    if (parsed->help) {
        printHelp(
            "vigil-cli export --db DB [--category C] [--agent A] [--thread T] [--event-type E] "
            "[--from TIME] [--to TIME] [--format jsonl|csv] -o FILE [--unredacted]",
            "Writes the stored events of DB that match every filter given, oldest first,\n"
            "each with the rule ids of its findings. PII and secrets are replaced by\n"
            "[REDACTED:<rule>] unless --unredacted is given.",
            spec);
        return Ok;
    }
    const auto db = parsed->get("db");
    if (!db)
        return error("export", "missing --db DB");
    if (!parsed->positional.empty())
        return error("export", "unexpected argument " + parsed->positional.front());
    const auto format = eventExportFormatFromString(parsed->get("format").value_or("jsonl"));
    if (!format)
        return error("export", "--format must be jsonl or csv");
    const auto output = parsed->get("o") ? parsed->get("o") : parsed->get("output");
    if (!output || output->empty())
        return error("export", "missing -o FILE");

    EventExportOptions options;
    options.format = *format;
    options.ascending = true;
    options.redact = !parsed->flag("unredacted");
    if (const auto category = parsed->get("category")) {
        const auto& names = findingCategoryBits();
        if (std::find(names.begin(), names.end(), *category) == names.end()) {
            std::string list;
            for (const std::string& n : names)
                list += (list.empty() ? "" : ", ") + n;
            return error("export",
                         "--category must be one of " + list + ", not '" + *category + "'");
        }
        options.filter.findingMask = 1u << findingCategoryBit(*category);
    }
    options.filter.agent = parsed->get("agent").value_or("");
    options.filter.threadId = parsed->get("thread").value_or("");
    options.filter.eventType = parsed->get("event-type").value_or("");
    for (const char* name : {"from", "to"}) {
        if (const auto text = parsed->get(name)) {
            const auto ms = parseRfc3339Utc(*text);
            if (!ms)
                return error("export",
                             std::string("--") + name +
                                 " takes an RFC 3339 UTC time such as 2026-11-21T10:00:00Z");
            (std::string_view(name) == "from" ? options.filter.fromMs : options.filter.toMs) = *ms;
        }
    }
    if (options.filter.fromMs && options.filter.toMs &&
        *options.filter.fromMs > *options.filter.toMs)
        return error("export", "--from is after --to");

    auto reader = StoreReader::open(*db);
    if (!reader)
        return error("export", oneLine(reader.error().message));
    const bool toStdout = *output == "-";
    std::string bytes;
    auto written = exportEvents(*reader, options, [&](std::string_view chunk) {
        if (!toStdout) {
            bytes.append(chunk);
            return true;
        }
        std::cout.write(chunk.data(), static_cast<std::streamsize>(chunk.size()));
        return std::cout.good();
    });
    if (!written)
        return error("export", toStdout && written.error().code == "export.write"
                                   ? std::string("cannot write to standard output")
                                   : oneLine(written.error().message));
    if (!toStdout) {
        if (auto r = writeReportFile(*output, bytes, Overwrite::Replace, !options.redact); !r)
            return error("export", oneLine(r.error().message));
    }
    std::cerr << "vigil-cli export: wrote " << withThousands(*written) << " events to "
              << (toStdout ? std::string("standard output") : *output) << " ("
              << (*format == EventExportFormat::Csv ? "csv" : "jsonl") << ", "
              << (options.redact ? "PII and secrets redacted" : "UNREDACTED") << ")\n";
    return Ok;
}

} // namespace vigil::cli
