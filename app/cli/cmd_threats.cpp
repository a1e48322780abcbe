// SPDX-License-Identifier: Apache-2.0
// `vigil-cli threats`: every row of every threat matrix stored in DB with the number of
// observed findings linked to it, as CSV, JSON or Markdown.
#include "cli.h"

#include "review/reviewoutput.h"
#include "review/reviewstore.h"
#include "review/sqliteevidence.h"
#include "store/storereader.h"
#include "store/storewriter.h"

#include <algorithm>
#include <iostream>

namespace vigil::cli {

int runThreats(const std::vector<std::string>& args)
{
    const std::vector<OptionSpec> spec{
        {"db", true, false, "SQLite database holding the matrices and the evidence"},
        {"format", true, false, "csv (default), json or md"},
        {"template", true, false,
         "print this shipped template instead of the stored matrices: maestro, attack-surface "
         "or vigil (Vigil's own threat model), with findings counted in DB"},
    };
    auto parsed = parseArgs(args, spec);
    if (!parsed)
        return error("threats", parsed.error().message);
    if (parsed->help) {
        printHelp("vigil-cli threats --db DB [--format csv|json|md] [--template ID]",
                  "Prints every row of every threat matrix in DB (matrix, layer, component, threat,\n"
                  "severity, mitigation, status, findings), where findings counts the observed\n"
                  "findings of the categories and rules the row links to (for a matrix about one\n"
                  "component, only that component's). The first time it meets a database without\n"
                  "matrices it stores one from each shipped template (the MAESTRO threat matrix\n"
                  "and the system attack surface), as the desktop app does. --template vigil\n"
                  "prints Vigil's own threat model: each threat to Vigil, its mitigation and the\n"
                  "tests that prove it.",
                  spec);
        return Ok;
    }
    const auto db = parsed->get("db");
    if (!db)
        return error("threats", "missing --db DB");
    const auto format = threatsFormatFromString(parsed->get("format").value_or("csv"));
    if (!format)
        return error("threats", "--format must be csv, json or md");
    if (!parsed->positional.empty())
        return error("threats", "unexpected argument " + parsed->positional.front());

    auto reader = StoreReader::open(*db);
    if (!reader)
        return error("threats", oneLine(reader.error().message));
    if (const auto id = parsed->get("template")) {
        const auto ids = builtinThreatTemplateIds();
        if (std::find(ids.begin(), ids.end(), *id) == ids.end())
            return error("threats", "--template must be maestro, attack-surface or vigil");
        auto tpl = loadThreatTemplate(*id);
        if (!tpl)
            return error("threats", oneLine(tpl.error().message));
        SqliteEvidenceSource source(reader->database());
        const auto rows = threatOutputRows({createMatrixFromTemplate(*tpl, tpl->name)}, source);
        if (source.lastError())
            return error("threats", "cannot read the findings in " + *db + ": " +
                                        oneLine(source.lastError()->message));
        std::cout << formatThreats(rows, *format);
        return Ok;
    }
    auto stored = ReviewStore::matrices(reader->database());
    if (!stored)
        return error("threats", oneLine(stored.error().message));
    std::vector<ThreatMatrix> matrices = ReviewStore::plain(*stored);
    if (matrices.empty()) {
        // First use: seed the templates into the database (once; see ReviewStore). When
        // the file cannot be written, show them without storing.
        bool seeded = false;
        if (auto writer = StoreWriter::open(*db)) {
            ReviewStore store(**writer);
            seeded = store.seedTemplates().has_value();
            (*writer)->close();
        }
        if (seeded) {
            reader = StoreReader::open(*db);
            if (!reader)
                return error("threats", oneLine(reader.error().message));
            stored = ReviewStore::matrices(reader->database());
            if (!stored)
                return error("threats", oneLine(stored.error().message));
            matrices = ReviewStore::plain(*stored);
        } else if (!ReviewStore::isSeeded(reader->database()).value_or(false)) {
            auto templates = loadThreatTemplates();
            if (!templates)
                return error("threats", oneLine(templates.error().message));
            for (const ThreatTemplate& t : *templates)
                matrices.push_back(createMatrixFromTemplate(t, t.name));
        }
    }
    SqliteEvidenceSource source(reader->database());
    const auto rows = threatOutputRows(matrices, source);
    if (source.lastError())
        return error("threats", "cannot read the findings in " + *db + ": " +
                                    oneLine(source.lastError()->message));
    std::cout << formatThreats(rows, *format);
    return Ok;
}

} // namespace vigil::cli
