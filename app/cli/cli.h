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

} // namespace vigil::cli
