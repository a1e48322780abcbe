// SPDX-License-Identifier: Apache-2.0
// `vigil-cli erase`: GDPR erasure of a thread's or a user's events.
#include "cli.h"

#include "store/erasure.h"
#include "store/storewriter.h"

#include <filesystem>
#include <iostream>

namespace vigil::cli {

int runErase(const std::vector<std::string>& args)
{
    const std::vector<OptionSpec> spec{
        {"db", true, false, "SQLite database to erase from"},
        {"thread", true, false, "erase every event of this thread id"},
        {"user", true, false, "erase every event of this user id"},
        {"actor", true, false, "who asks, for the receipt (default: the OS user)"},
    };
    auto parsed = parseArgs(args, spec);
    if (!parsed)
        return error("erase", parsed.error().message);
    if (parsed->help) {
        printHelp(
            "vigil-cli erase --db DB (--thread ID | --user ID) [--actor NAME]",
            "GDPR erasure: every stored event of the thread or user becomes a tombstone\n"
            "(content removed, chain hash kept, so 'verify' still passes); findings of those\n"
            "events lose their character spans, incidents of the threads their thread id,\n"
            "rejected lines naming the subject their text. Leaves a receipt (when, by whom,\n"
            "how many, a keyed hash of the id) that holds none of the erased content.",
            spec);
        return Ok;
    }
    const auto db = parsed->get("db");
    if (!db)
        return error("erase", "missing --db DB");
    const auto thread = parsed->get("thread");
    const auto user = parsed->get("user");
    if (thread.has_value() == user.has_value())
        return error("erase", "give exactly one of --thread ID and --user ID");
    if (!parsed->positional.empty())
        return error("erase", "unexpected argument " + parsed->positional.front());
    const std::string value = thread ? *thread : *user;
    if (value.empty())
        return error("erase",
                     thread ? "--thread needs a non-empty id" : "--user needs a non-empty id");
    if (!std::filesystem::is_regular_file(*db))
        return error("erase", "database " + *db + " does not exist");

    auto writer = StoreWriter::open(*db);
    if (!writer)
        return error("erase", oneLine(writer.error().message));
    ErasureRequest request;
    request.subject = thread ? ErasureSubject::Thread : ErasureSubject::User;
    request.value = value;
    request.actor = parsed->get("actor").value_or("");
    auto outcome = eraseSubject(**writer, request);
    (*writer)->close();
    writer->reset(); // closing the connection checkpoints the WAL: no erased page lingers there
    if (!outcome)
        return error("erase", oneLine(outcome.error().message));
    const Receipt& r = outcome->receipt;
    std::cout << "erased " << r.events << " events (findings " << r.findings << ", incidents "
              << r.incidents << ", rejected lines " << r.quarantined << "; receipt " << r.id
              << ")\n";
    if (outcome->unsealed > 0)
        std::cerr << "vigil-cli erase: warning: " << outcome->unsealed
                  << " of the erased events no longer matched their seal before the erasure; "
                     "'vigil-cli verify' reports them\n";
    return Ok;
}

} // namespace vigil::cli
