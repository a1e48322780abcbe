// SPDX-License-Identifier: Apache-2.0
// `vigil-cli report`: compliance reports (PDF, HTML, CSV, JSON) and finding exports (OCSF, SARIF).
#include "cli.h"

#include "base/timeutil.h"
#include "iam/policyset.h"
#include "report/reportbuilder.h"
#include "report/reportfile.h"

#include <iostream>

namespace vigil::cli {

int runReport(const std::vector<std::string>& args)
{
    const std::vector<OptionSpec> spec{
        {"db", true, false, "SQLite database to report on"},
        {"kind", true, false, "soc2, gdpr, production, incidents or full"},
        {"format", true, false, "pdf, html, csv, json; or ocsf / sarif for the findings"},
        {"o", true, false,
         "output file (written whole, via a temporary file; replaced if it exists)"},
        {"output", true, false, "same as -o"},
        {"from", true, false, "window start, RFC 3339 UTC (default: the first event)"},
        {"to", true, false, "window end, RFC 3339 UTC (default: the last event)"},
        {"policies", true, false, "agent IAM policy file, for access control and the IAM map"},
        {"unredacted", false, false, "keep PII and secrets in excerpts (noted in the report)"},
        {"no-verify", false, false, "do not check the chain (the report says so)"},
        {"layer-names", true, false,
         "seed (default) or csa: MAESTRO layers named as in the seed skill or as the Cloud "
         "Security Alliance names them"},
    };
    auto parsed = parseArgs(args, spec);
    if (!parsed)
        return error("report", parsed.error().message);
    if (parsed->help) {
        printHelp(
            "vigil-cli report --db DB --kind soc2|gdpr|production|incidents|full "
            "--format pdf|html|csv|json|ocsf|sarif -o FILE",
            "Writes a compliance report of DB for the window: the SOC 2 control table, GDPR\n"
            "(erasures, retention, data minimization), the production checklist, incidents,\n"
            "or all of them plus threat matrices and the IAM map (full). Every report states\n"
            "the window, the chain head and whether the chain verified. PII and secrets are\n"
            "redacted unless --unredacted is given. --format ocsf or sarif exports the\n"
            "window's findings as OCSF Detection Findings (class 2004) or SARIF 2.1.0.\n"
            "-o - writes to standard output.",
            spec);
        return Ok;
    }
    const auto db = parsed->get("db");
    if (!db)
        return error("report", "missing --db DB");
    const auto kindText = parsed->get("kind");
    if (!kindText)
        return error("report", "missing --kind (soc2, gdpr, production, incidents or full)");
    const auto kind = reportKindFromString(*kindText);
    if (!kind)
        return error("report", "--kind must be soc2, gdpr, production, incidents or full");
    const auto formatText = parsed->get("format");
    if (!formatText)
        return error("report", "missing --format (pdf, html, csv, json, ocsf or sarif)");
    const auto format = reportFormatFromString(*formatText);
    if (!format)
        return error("report", "--format must be pdf, html, csv, json, ocsf or sarif");
    const auto output = parsed->get("o") ? parsed->get("o") : parsed->get("output");
    if (!output || output->empty())
        return error("report", "missing -o FILE");
    if (!parsed->positional.empty())
        return error("report", "unexpected argument " + parsed->positional.front());

    ReportRequest request;
    request.kind = *kind;
    request.redact = !parsed->flag("unredacted");
    request.verifyChain = !parsed->flag("no-verify");
    if (const auto naming = parsed->get("layer-names")) {
        const auto n = parseLayerNaming(*naming);
        if (!n)
            return error("report", "--layer-names must be seed or csa");
        request.layerNaming = *n;
    }
    for (const char* name : {"from", "to"}) {
        if (const auto text = parsed->get(name)) {
            const auto ms = parseRfc3339Utc(*text);
            if (!ms)
                return error("report",
                             std::string("--") + name +
                                 " takes an RFC 3339 UTC time such as 2026-11-21T10:00:00Z");
            (std::string_view(name) == "from" ? request.fromMs : request.toMs) = *ms;
        }
    }
    if (request.fromMs && request.toMs && *request.fromMs > *request.toMs)
        return error("report", "--from is after --to");
    if (const auto file = parsed->get("policies")) {
        auto p = iam::PolicySet::loadFile(*file);
        if (!p)
            return error("report", oneLine(p.error().message));
        request.policies = std::make_shared<const iam::PolicySet>(std::move(*p));
    }

    auto database = Database::openReader(*db);
    if (!database)
        return error("report", oneLine(database.error().message));
    auto bytes = generateReport(*database, request, *format);
    if (!bytes)
        return error("report", oneLine(bytes.error().message));
    if (*output == "-") {
        std::cout << *bytes;
        return std::cout.good() ? Ok : error("report", "cannot write to standard output");
    }
    if (auto r = writeReportFile(*output, *bytes, Overwrite::Replace, !request.redact); !r)
        return error("report", oneLine(r.error().message));
    std::cerr << "vigil-cli report: wrote " << *output << " (" << toString(*kind) << ", "
              << toString(*format) << ", "
              << withThousands(static_cast<std::int64_t>(bytes->size())) << " bytes"
              << (request.redact ? "" : ", UNREDACTED") << ")\n";
    return Ok;
}

} // namespace vigil::cli
