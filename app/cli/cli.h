// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "base/result.h"

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace vigil::cli {

/// Exit codes of spec/cli.md.
enum Exit : int { Ok = 0, InputError = 1, FailOnTripped = 3, VerifyBroken = 4 };

/// A subcommand's options: `--name VALUE`, repeatable `--name VALUE`, and `--flag`.
struct OptionSpec
{
    std::string name;  ///< without dashes
    bool takesValue = true;
    bool repeatable = false;
    std::string help;
};

struct ParsedArgs
{
    std::map<std::string, std::vector<std::string>> values;
    std::vector<std::string> positional;
    bool help = false;

    std::optional<std::string> get(const std::string& name) const;
    std::vector<std::string> all(const std::string& name) const;
    bool flag(const std::string& name) const { return values.count(name) > 0; }
};

/// Parses `args` against `spec`; unknown options and missing values are usage errors.
Result<ParsedArgs> parseArgs(const std::vector<std::string>& args,
                             const std::vector<OptionSpec>& spec);

/// Prints `vigil-cli <command>: <message>` on stderr and returns InputError.
int error(std::string_view command, std::string_view message);

/// Prints a usage text built from the spec.
void printHelp(std::string_view usage, std::string_view summary, const std::vector<OptionSpec>& spec);

/// Whether standard error / output is a terminal.
bool stderrIsTerminal();
bool stdoutIsTerminal();

/// A progress line on stderr ("\r[####    ]  45%  210,000 events/s"), only on a terminal.
class ProgressBar
{
public:
    explicit ProgressBar(bool enabled) : m_enabled(enabled) {}
    void update(double fraction, double eventsPerSecond, std::string_view label);
    void finish();

private:
    bool m_enabled;
    bool m_drawn = false;
};

std::string withThousands(std::int64_t n);

int runImport(const std::vector<std::string>& args);
int runStats(const std::vector<std::string>& args);
int runServe(const std::vector<std::string>& args);
int runScan(const std::vector<std::string>& args);
/// `vigil-cli iam`: the permission map (or --review) of a policy file, with observed use.
int runIam(const std::vector<std::string>& args);

// ---- review (cmd_checklist.cpp, cmd_threats.cpp, cmd_verdict.cpp) ----
/// `vigil-cli checklist`: the three seed checklists with automatic status and verdicts (JSON).
int runChecklist(const std::vector<std::string>& args);
/// `vigil-cli threats`: every threat-matrix row with its observed findings (csv, json, md).
int runThreats(const std::vector<std::string>& args);
/// `vigil-cli verdict`: appends a reviewer verdict to a checklist item's history.
int runVerdict(const std::vector<std::string>& args);
/// `vigil-cli mute add|list|remove`: the mute rules (suppressions) of a database.
int runMute(const std::vector<std::string>& args);
/// `vigil-cli incidents list|show|update`: the incidents of a database and their triage.
int runIncidents(const std::vector<std::string>& args);
// ---- integrity and compliance (cmd_verify.cpp, cmd_erase.cpp, cmd_purge.cpp, cmd_report.cpp) ----
/// `vigil-cli verify`: checks the tamper-evident chain; exit 4 at the first break.
int runVerify(const std::vector<std::string>& args);
/// `vigil-cli erase`: GDPR erasure of a thread or a user, leaving a receipt.
int runErase(const std::vector<std::string>& args);
/// `vigil-cli purge`: applies the retention periods and prints what it removed.
int runPurge(const std::vector<std::string>& args);
/// `vigil-cli retention`: shows (and sets) the retention periods.
int runRetention(const std::vector<std::string>& args);
/// `vigil-cli report`: compliance reports (pdf, html, csv, json) and finding exports.
int runReport(const std::vector<std::string>& args);
/// `vigil-cli export`: stored events as JSON Lines or CSV, redacted unless --unredacted.
int runExport(const std::vector<std::string>& args);
// ---- queries (cmd_query.cpp) ----
/// `vigil-cli query`: runs a query (or a saved one); lists, saves and deletes saved queries.
int runQuery(const std::vector<std::string>& args);

/// `message` with line breaks turned into spaces, for one-line errors.
inline std::string oneLine(std::string message)
{
    for (char& c : message)
        if (c == '\n' || c == '\r')
            c = ' ';
    return message;
}

} // namespace vigil::cli
