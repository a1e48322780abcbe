// SPDX-License-Identifier: Apache-2.0
// `vigil-cli checklist`: the three seed checklists with their automatic status from the
// evidence in DB (and the IAM file) and the reviewers' latest verdicts, as JSON.
#include "cli.h"

#include "iam/policyset.h"
#include "review/checklist.h"
#include "review/checkliststate.h"
#include "review/reviewoutput.h"
#include "review/reviewstore.h"
#include "review/sqliteevidence.h"
#include "store/storereader.h"

#include <iostream>
#include <optional>

namespace vigil::cli {

int runChecklist(const std::vector<std::string>& args)
{
    const std::vector<OptionSpec> spec{
        {"db", true, false, "SQLite database whose events, findings and rejected lines are the evidence"},
        {"policies", true, false, "agent IAM policy file: judges the IAM items (else they stay unknown)"},
        {"component", true, false,
         "agent or plugin (as in agent_name) to run the MAESTRO and plugin checklists for; "
         "default: the whole system"},
        {"format", true, false, "json (the default and only format)"},
    };
    auto parsed = parseArgs(args, spec);
    if (!parsed)
        return error("checklist", parsed.error().message);
    if (parsed->help) {
        printHelp("vigil-cli checklist --db DB [--policies FILE] [--component AGENT] [--format json]",
                  "Prints one JSON object per item of the three seed checklists (MAESTRO 7-layer\n"
                  "check: 21 items, plugin security checklist: 20, production checklist: 20) with\n"
                  "`auto` (pass, fail or unknown from the evidence in DB), `evidence` (the count\n"
                  "behind it) and the latest reviewer `verdict` (or null). With --component, the\n"
                  "MAESTRO and plugin checklists are judged on that component's events only; the\n"
                  "production checklist is always judged for the whole system.",
                  spec);
        return Ok;
    }
    const auto db = parsed->get("db");
    if (!db)
        return error("checklist", "missing --db DB");
    if (const std::string format = parsed->get("format").value_or("json"); format != "json")
        return error("checklist", "--format must be json");
    if (!parsed->positional.empty())
        return error("checklist", "unexpected argument " + parsed->positional.front());
    const std::string component = parsed->get("component").value_or("");
    if (parsed->get("component") && component.empty())
        return error("checklist", "--component needs a name");

    std::optional<iam::PolicySet> policies;
    if (const auto file = parsed->get("policies")) {
        auto p = iam::PolicySet::loadFile(*file);
        if (!p)
            return error("checklist", oneLine(p.error().message));
        policies = std::move(*p);
    }
    auto reader = StoreReader::open(*db);
    if (!reader)
        return error("checklist", oneLine(reader.error().message));
    auto checklists = loadChecklists();
    if (!checklists)
        return error("checklist", oneLine(checklists.error().message));

    SqliteEvidenceSource source(reader->database(), policies ? &*policies : nullptr);
    std::vector<ItemState> states;
    for (const Checklist& c : *checklists) {
        ChecklistState state(c.items, c.scope == ChecklistScope::Component ? component : std::string());
        state.evaluate(source);
        if (auto r = ReviewStore::loadVerdicts(reader->database(), state); !r)
            return error("checklist", oneLine(r.error().message));
        for (ItemState& s : state.states())
            states.push_back(std::move(s));
    }
    if (source.lastError())
        return error("checklist", "cannot read the evidence in " + *db + ": " +
                                      oneLine(source.lastError()->message));
    std::cout << checklistJson(states);
    return Ok;
}

} // namespace vigil::cli
