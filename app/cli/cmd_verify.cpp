// SPDX-License-Identifier: Apache-2.0
// `vigil-cli verify`: checks the tamper-evident chain over the stored events, their findings,
// rejected lines and incidents.
#include "cli.h"

#include "store/chainverifier.h"
#include "store/database.h"

#include <iostream>

namespace vigil::cli {

int runVerify(const std::vector<std::string>& args)
{
    const std::vector<OptionSpec> spec{
        {"db", true, false, "SQLite database to check"},
        {"head", true, false,
         "a chain head exported earlier (64 hex digits): also detects truncation"},
        {"show-head", false, false, "print the current chain head after the result"},
    };
    auto parsed = parseArgs(args, spec);
    if (!parsed)
        return error("verify", parsed.error().message);
    if (parsed->help) {
        printHelp(
            "vigil-cli verify --db DB [--head HEX] [--show-head]",
            "Checks the tamper-evident chain of DB with its key (kept outside the database,\n"
            "under ~/.config/vigil/keys/): every event with its findings and finding summary\n"
            "against its keyed link, every erased event against its receipt, the receipts,\n"
            "the purge checkpoint, and the seals of rejected lines, incidents and their\n"
            "review history. Prints 'ok N events' and exits 0 when intact; prints 'broken\n"
            "at event N: why' (or 'broken: why' for a row that is not an event's) and exits\n"
            "4 at the first break (an edited, deleted or moved event or finding, or, given\n"
            "the head of an earlier report with --head, events cut from the end).",
            spec);
        return Ok;
    }
    const auto db = parsed->get("db");
    if (!db)
        return error("verify", "missing --db DB");
    if (!parsed->positional.empty())
        return error("verify", "unexpected argument " + parsed->positional.front());
    ChainVerifyOptions options;
    if (const auto head = parsed->get("head")) {
        options.exportedHead = chainHashFromHex(*head);
        if (!options.exportedHead)
            return error("verify", "--head takes the 64 hex digits of a chain head");
    }
    auto database = Database::openReader(*db);
    if (!database)
        return error("verify", oneLine(database.error().message));
    auto result = verifyChain(*database, options);
    if (!result)
        return error("verify", "cannot verify " + *db + ": " + oneLine(result.error().message));
    if (!result->intact) {
        if (result->position > 0)
            std::cout << "broken at event " << result->position << ": " << oneLine(result->reason)
                      << '\n';
        else
            std::cout << "broken: " << oneLine(result->reason) << '\n';
        return VerifyBroken;
    }
    std::cout << "ok " << result->events << " events\n";
    if (parsed->flag("show-head"))
        std::cout << "head "
                  << (result->head.link ? toHex(*result->head.link) : std::string("none"))
                  << " at event " << result->head.events << '\n';
    return Ok;
}

} // namespace vigil::cli
