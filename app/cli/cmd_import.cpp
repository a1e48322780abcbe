// SPDX-License-Identifier: Apache-2.0
#include "cli.h"
#include "pipeline/engine.h"

#include "pipeline/importer.h"
#include "store/storewriter.h"

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <iostream>

namespace vigil::cli {

int runImport(const std::vector<std::string>& args)
{
    const std::vector<OptionSpec> spec{
        {"db", true, false, "SQLite database to store into (created if missing)"},
        {"format", true, false,
         "what the files hold: " + inputFormatNames(", ") +
             " (default auto: decided for each file from its content)"},
        {"rules", true, false, "extra rule pack (JSON) that adds, overrides or disables rules"},
        {"policies", true, false, "agent IAM policy file, for iam findings"},
        {"workers", true, false, "decode/scan threads (default: from the core count)"},
        {"no-scan", false, false, "store events without scanning them (no findings)"},
        {"retry-for", true, false,
         "seconds to keep retrying a batch that failed on a full disk, an I/O error or a "
         "locked database before stopping (default 5)"},
        {"durable", false, false,
         "commit with synchronous=FULL: stored events survive a power loss (slower)"},
    };
    auto parsed = parseArgs(args, spec);
    if (!parsed)
        return error("import", parsed.error().message);
    if (parsed->help) {
        printHelp("vigil-cli import --db DB [--format FORMAT] [--rules FILE] [--policies FILE] FILE...",
                  "Stores the audit events of each FILE (\"-\" for standard input), their\n"
                  "findings and incidents in DB. Lines that are not valid events are kept in\n"
                  "quarantine with the reason. Importing a file again stores nothing twice.\n"
                  "Gzip-compressed files are read as such. Pipes (\"-\", FIFOs, <(...)) are\n"
                  "read once from start to end. If storing fails (a full disk), nothing after\n"
                  "the failed line is stored and the same command resumes there.\n"
                  "Besides Vigil's own lines it reads CloudWatch Logs output (filter-log-events\n"
                  "and get-log-events JSON, S3 export files, subscription payloads),\n"
                  "CloudTrail log files and OTLP JSON (OpenTelemetry GenAI spans and log\n"
                  "records, as the Collector's file exporter writes them); the format is\n"
                  "recognized by content (--format auto).",
                  spec);
        return Ok;
    }
    const auto db = parsed->get("db");
    if (!db)
        return error("import", "missing --db DB");
    if (parsed->positional.empty())
        return error("import", "no input file given");
    InputFormat format = InputFormat::Auto;
    if (auto f = parsed->get("format")) {
        const auto known = inputFormatFromString(*f);
        if (!known)
            return error("import", "--format must be one of " + inputFormatNames(", ") + " (got \"" +
                                       *f + "\")");
        format = *known;
    }

    auto engine = loadEngine(parsed->get("rules"), parsed->get("policies"));
    if (!engine)
        return error("import", engine.error().message);

    StoreWriterOptions writerOptions;
    writerOptions.durable = parsed->flag("durable");
    writerOptions.retryMs = 5000;
    if (auto r = parsed->get("retry-for")) {
        char* end = nullptr;
        const double secs = std::strtod(r->c_str(), &end);
        if (r->empty() || end != r->c_str() + r->size() || !(secs >= 0) || secs > 86400)
            return error("import", "--retry-for takes a number of seconds from 0 to 86400");
        writerOptions.retryMs = static_cast<std::int64_t>(secs * 1000.0 + 0.5);
    }
    auto writer = StoreWriter::open(*db, writerOptions);
    if (!writer)
        return error("import", writer.error().message);

    ImportOptions options;
    options.format = format;
    options.reader.roleAgents = roleAgentsOf(engine->policies().get());
    if (!parsed->flag("no-scan"))
        engine->configure(options.pipeline);
    if (auto w = parsed->get("workers")) {
        try {
            options.pipeline.workers = static_cast<unsigned>(std::stoul(*w));
        } catch (...) {
            return error("import", "--workers takes a number");
        }
    }
    ProgressBar bar(stderrIsTerminal());
    const auto started = std::chrono::steady_clock::now();
    options.progress = [&](const ImportProgress& p) {
        const double secs =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
        bar.update(p.bytesTotal > 0 ? double(p.bytesRead) / double(p.bytesTotal) : 0.0,
                   secs > 0 ? double(p.linesRead) / secs : 0.0, p.currentFile);
    };
    auto summary = importFiles(**writer, parsed->positional, options);
    bar.finish();
    (*writer)->close();
    if (!summary)
        return error("import", summary.error().message);
    const double rate = summary->seconds > 0 ? double(summary->lines) / summary->seconds : 0.0;
    std::printf("accepted %lld, duplicates %lld, rejected %lld, findings %lld "
                "(%lld lines in %.2f s, %s lines/s)\n",
                static_cast<long long>(summary->accepted),
                static_cast<long long>(summary->duplicates),
                static_cast<long long>(summary->rejected),
                static_cast<long long>(summary->findings), static_cast<long long>(summary->lines),
                summary->seconds, withThousands(static_cast<std::int64_t>(rate)).c_str());
    if (summary->skippedRecords > 0)
        std::printf("skipped %lld CloudWatch control messages (not log events)\n",
                    static_cast<long long>(summary->skippedRecords));
    return Ok;
}

} // namespace vigil::cli
