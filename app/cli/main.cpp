// SPDX-License-Identifier: Apache-2.0
// vigil-cli: every engine job without a display. Dispatches to one function per subcommand.
#include "cli.h"

#include <cstring>
#include <iostream>

namespace {

struct Command
{
    const char* name;
    int (*run)(const std::vector<std::string>&);
    const char* summary;
};

const Command kCommands[] = {
    {"scan", vigil::cli::runScan, "scan audit events and print findings (jsonl, table, SARIF)"},
    {"import", vigil::cli::runImport, "store audit events, their findings and incidents"},
    {"stats", vigil::cli::runStats, "totals of a database as JSON"},
    {"query", vigil::cli::runQuery, "run a query over events and findings; saved queries"},
    {"serve", vigil::cli::runServe, "live ingest: a TCP feed and followed files, until SIGTERM"},
    {"iam", vigil::cli::runIam, "per-agent permission map of an IAM policy file, or its review"},
    {"checklist", vigil::cli::runChecklist, "the seed checklists with evidence status and verdicts (JSON)"},
    {"threats", vigil::cli::runThreats, "threat-matrix rows with observed finding counts (csv, json, md)"},
    {"verdict", vigil::cli::runVerdict, "record a reviewer verdict on a checklist item"},
    {"incidents", vigil::cli::runIncidents, "list, show and triage incidents (status, assignee, notes)"},
    {"mute", vigil::cli::runMute, "add, list or remove rules that mute known false positives"},
    {"report", vigil::cli::runReport, "compliance report (pdf, html, csv, json) or findings (ocsf, sarif)"},
    {"export", vigil::cli::runExport, "stored events as JSON Lines or CSV, PII and secrets redacted"},
    {"verify", vigil::cli::runVerify, "check the tamper-evident chain of stored events"},
    {"erase", vigil::cli::runErase, "GDPR erasure of a thread's or a user's events"},
    {"purge", vigil::cli::runPurge, "apply the retention periods"},
    {"retention", vigil::cli::runRetention, "show or set the retention periods"},
};

void usage(std::ostream& out)
{
    out << "usage: vigil-cli COMMAND [OPTIONS]\n\ncommands:\n";
    for (const Command& c : kCommands)
        out << "  " << c.name << std::string(12 - std::strlen(c.name), ' ') << c.summary << '\n';
    out << "\nRun 'vigil-cli COMMAND --help' for a command's options.\n";
}

} // namespace

int main(int argc, char** argv)
{
    if (argc < 2) {
        usage(std::cerr);
        return vigil::cli::InputError;
    }
    const std::string cmd = argv[1];
    if (cmd == "--help" || cmd == "-h" || cmd == "help") {
        usage(std::cout);
        return vigil::cli::Ok;
    }
    if (cmd == "--version") {
        std::cout << "vigil-cli " << VIGIL_VERSION << '\n';
        return vigil::cli::Ok;
    }
    const std::vector<std::string> args(argv + 2, argv + argc);
    for (const Command& c : kCommands)
        if (cmd == c.name)
            return c.run(args);
    std::cerr << "vigil-cli: unknown command '" << cmd << "' (see vigil-cli --help)\n";
    return vigil::cli::InputError;
}
