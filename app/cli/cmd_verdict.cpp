// SPDX-License-Identifier: Apache-2.0
// `vigil-cli verdict`: records a reviewer's verdict on one checklist item (append-only).
#include "cli.h"

#include "base/timeutil.h"
#include "review/checklist.h"
#include "review/reviewstore.h"
#include "store/storewriter.h"

#include <cstdlib>
#include <filesystem>
#include <iostream>

namespace vigil::cli {

namespace {

std::string defaultReviewer()
{
    for (const char* name : {"USER", "LOGNAME"})
        if (const char* v = std::getenv(name); v && *v)
            return v;
    return "unknown";
}

} // namespace

int runVerdict(const std::vector<std::string>& args)
{
    const std::vector<OptionSpec> spec{
        {"db", true, false, "SQLite database (must exist)"},
        {"item", true, false, "checklist item id, e.g. maestro.4.2 (see vigil-cli checklist)"},
        {"component", true, false,
         "agent or plugin the MAESTRO or plugin item was reviewed for; default: the system"},
        {"kind", true, false, "pass, fail or not_applicable"},
        {"note", true, false, "why (kept with the verdict)"},
        {"reviewer", true, false, "who decided; default: the OS user"},
    };
    auto parsed = parseArgs(args, spec);
    if (!parsed)
        return error("verdict", parsed.error().message);
    if (parsed->help) {
        printHelp("vigil-cli verdict --db DB --item ID [--component C] --kind pass|fail|not_applicable "
                  "[--note TEXT] [--reviewer NAME]",
                  "Appends a reviewer's verdict to the item's history in DB. Verdicts are never\n"
                  "edited or deleted: a changed mind is a new verdict. `vigil-cli checklist` shows\n"
                  "the latest next to the automatic status.",
                  spec);
        return Ok;
    }
    const auto db = parsed->get("db");
    if (!db)
        return error("verdict", "missing --db DB");
    const auto itemId = parsed->get("item");
    if (!itemId)
        return error("verdict", "missing --item ID");
    const auto kindText = parsed->get("kind");
    if (!kindText)
        return error("verdict", "missing --kind pass|fail|not_applicable");
    const auto kind = verdictKindFromString(*kindText);
    if (!kind)
        return error("verdict", "--kind must be pass, fail or not_applicable, not '" + *kindText + "'");
    if (!parsed->positional.empty())
        return error("verdict", "unexpected argument " + parsed->positional.front());

    auto checklists = loadChecklists();
    if (!checklists)
        return error("verdict", oneLine(checklists.error().message));
    const Checklist* owner = nullptr;
    for (const Checklist& c : *checklists)
        for (const ChecklistItem& item : c.items)
            if (item.id == *itemId)
                owner = &c;
    if (!owner)
        return error("verdict", "unknown checklist item '" + *itemId + "' (see vigil-cli checklist)");
    Verdict v;
    v.itemId = *itemId;
    v.component = parsed->get("component").value_or("");
    if (!v.component.empty() && owner->scope == ChecklistScope::System)
        return error("verdict", "the " + owner->id +
                                    " checklist is reviewed for the whole system: drop --component");
    v.kind = *kind;
    v.note = parsed->get("note").value_or("");
    v.reviewer = parsed->get("reviewer").value_or(defaultReviewer());
    v.atMs = nowEpochMs();
    if (auto ok = validateVerdict(v); !ok)
        return error("verdict", oneLine(ok.error().message));

    if (!std::filesystem::exists(*db))
        return error("verdict", "database " + *db + " does not exist");
    auto writer = StoreWriter::open(*db);
    if (!writer)
        return error("verdict", oneLine(writer.error().message));
    ReviewStore store(**writer);
    auto id = store.addVerdict(v);
    (*writer)->close();
    if (!id)
        return error("verdict", oneLine(id.error().message));
    std::cout << "recorded verdict " << *id << ": " << v.itemId
              << (v.component.empty() ? std::string() : " (" + v.component + ")") << " "
              << toString(v.kind) << " by " << v.reviewer << '\n';
    return Ok;
}

} // namespace vigil::cli
