// SPDX-License-Identifier: Apache-2.0
// `vigil-cli mute add|list|remove`: the reviewers' mute rules of a database
// (store/suppression.h, docs/review.md "Muting findings").
#include "cli.h"

#include "base/timeutil.h"
#include "store/database.h"
#include "store/storewriter.h"
#include "store/suppression.h"

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <iostream>

namespace vigil::cli {
namespace {

std::string osUser()
{
    for (const char* name : {"USER", "LOGNAME"})
        if (const char* v = std::getenv(name); v && *v)
            return v;
    return "unknown";
}

constexpr std::string_view kUsage =
    "vigil-cli mute add --db DB [--rule R] [--agent A] [--field F] [--pattern GLOB] [--all] "
    "--reason TEXT [--author NAME] [--expires TIME | --for DURATION]\n"
    "       vigil-cli mute list --db DB [--format table|json] [--removed]\n"
    "       vigil-cli mute remove --db DB ID --reason TEXT [--author NAME]";

std::string criteria(const SuppressionRule& r)
{
    if (r.matchesEverything())
        return "all findings";
    std::string out;
    for (const auto& [name, value] : {std::pair<const char*, const std::string*>{"rule", &r.rule},
                                      {"agent", &r.agent},
                                      {"field", &r.field},
                                      {"pattern", &r.pattern}})
        if (!value->empty())
            out += (out.empty() ? "" : " ") + std::string(name) + "=" + *value;
    return out;
}

int runAdd(const std::vector<std::string>& args)
{
    const std::vector<OptionSpec> spec{
        {"db", true, false, "SQLite database (must exist)"},
        {"rule", true, false, "mute findings of this rule id, e.g. pii.email"},
        {"agent", true, false, "mute findings in this agent's events"},
        {"field", true, false, "mute findings at this field path, e.g. details.output"},
        {"pattern", true, false,
         "mute findings whose matched text matches this glob (* any run, ? one character, "
         "\\ escapes; the whole text: *x* for a substring)"},
        {"all", false, false,
         "allow a rule without rule, agent, field or pattern (mutes everything)"},
        {"reason", true, false, "why these findings are muted (required)"},
        {"author", true, false, "who mutes them; default: the OS user"},
        {"expires", true, false,
         "when the rule stops: RFC 3339 UTC (2026-12-31T18:00:00Z), a date (2026-12-31) or "
         "epoch ms; default: never"},
        {"for", true, false, "how long the rule lasts from now: 45m, 12h, 30d, 2w"},
    };
    auto parsed = parseArgs(args, spec);
    if (!parsed)
        return error("mute add", parsed.error().message);
    if (parsed->help) {
        printHelp(kUsage.substr(0, kUsage.find('\n')),
                  "Adds a mute rule to DB. Muted findings stay stored and countable, but leave\n"
                  "incident counts and alerts, and reports mark them suppressed, until the rule\n"
                  "expires or is removed. A finding is muted when every criterion given holds.",
                  spec);
        return Ok;
    }
    const auto db = parsed->get("db");
    if (!db)
        return error("mute add", "missing --db DB");
    if (!parsed->positional.empty())
        return error("mute add", "unexpected argument " + parsed->positional.front());
    const auto reason = parsed->get("reason");
    if (!reason)
        return error("mute add", "missing --reason TEXT (why these findings are muted)");
    SuppressionRule r;
    r.rule = parsed->get("rule").value_or("");
    r.agent = parsed->get("agent").value_or("");
    r.field = parsed->get("field").value_or("");
    r.pattern = parsed->get("pattern").value_or("");
    r.reason = *reason;
    r.author = parsed->get("author").value_or(osUser());
    const std::int64_t now = nowEpochMs();
    if (parsed->get("expires") && parsed->get("for"))
        return error("mute add", "give --expires or --for, not both");
    if (auto e = parsed->get("expires")) {
        auto ms = parseMuteExpiry(*e);
        if (!ms)
            return error("mute add", ms.error().message);
        if (*ms <= now)
            return error("mute add", "--expires " + *e + " is already past");
        r.expiresMs = *ms;
    } else if (auto f = parsed->get("for")) {
        auto ms = parseMuteDuration(*f);
        if (!ms)
            return error("mute add", ms.error().message);
        r.expiresMs = now + *ms;
    }
    const bool all = parsed->flag("all");
    if (auto ok = validateSuppression(r, all); !ok)
        return error("mute add", ok.error().message);
    if (!std::filesystem::exists(*db))
        return error("mute add", "database " + *db + " does not exist");
    auto writer = StoreWriter::open(*db);
    if (!writer)
        return error("mute add", oneLine(writer.error().message));
    auto id = (*writer)->runResult<std::int64_t>(
        [&](Database& d) { return addSuppression(d, r, all, r.author, now); });
    (*writer)->close();
    if (!id)
        return error("mute add", oneLine(id.error().message));
    std::cout << "added mute rule " << *id << ": " << criteria(r) << ", "
              << (r.expiresMs ? "until " + formatRfc3339Utc(*r.expiresMs)
                              : std::string("no expiry"))
              << ", by " << r.author << '\n';
    return Ok;
}

int runList(const std::vector<std::string>& args)
{
    const std::vector<OptionSpec> spec{
        {"db", true, false, "SQLite database"},
        {"format", true, false, "table (default) or json (the rule file scan --mute reads)"},
        {"removed", false, false, "list removed rules too"},
    };
    auto parsed = parseArgs(args, spec);
    if (!parsed)
        return error("mute list", parsed.error().message);
    if (parsed->help) {
        printHelp("vigil-cli mute list --db DB [--format table|json] [--removed]",
                  "Lists the mute rules of DB with their status (active, expired, removed) and\n"
                  "how many stored findings each matches.",
                  spec);
        return Ok;
    }
    const auto dbPath = parsed->get("db");
    if (!dbPath)
        return error("mute list", "missing --db DB");
    if (!parsed->positional.empty())
        return error("mute list", "unexpected argument " + parsed->positional.front());
    const std::string format = parsed->get("format").value_or("table");
    if (format != "table" && format != "json")
        return error("mute list", "--format must be table or json");
    auto db = Database::openReader(*dbPath);
    if (!db)
        return error("mute list", oneLine(db.error().message));
    auto rules = listSuppressions(*db, parsed->flag("removed"));
    if (!rules)
        return error("mute list", oneLine(rules.error().message));
    auto counts = suppressionFindingCounts(*db);
    if (!counts)
        return error("mute list", oneLine(counts.error().message));
    const std::int64_t now = nowEpochMs();
    if (format == "json") {
        std::cout << suppressionsToJson(*rules, now, *counts);
        return Ok;
    }
    if (rules->empty()) {
        std::cout << "no mute rules\n";
        return Ok;
    }
    std::printf("%5s  %-8s  %-24s  %8s  %-12s  %s\n", "id", "status", "expires", "findings",
                "author", "criteria: reason");
    for (const SuppressionRule& r : *rules) {
        const auto it = counts->find(r.id);
        std::printf("%5lld  %-8s  %-24s  %8lld  %-12s  %s: %s\n", static_cast<long long>(r.id),
                    std::string(suppressionStatus(r, now)).c_str(),
                    r.expiresMs ? formatRfc3339Utc(*r.expiresMs).c_str() : "never",
                    static_cast<long long>(it == counts->end() ? 0 : it->second), r.author.c_str(),
                    criteria(r).c_str(), oneLine(r.reason).c_str());
    }
    return Ok;
}

int runRemove(const std::vector<std::string>& args)
{
    const std::vector<OptionSpec> spec{
        {"db", true, false, "SQLite database (must exist)"},
        {"reason", true, false, "why the rule goes (required)"},
        {"author", true, false, "who removes it; default: the OS user"},
    };
    auto parsed = parseArgs(args, spec);
    if (!parsed)
        return error("mute remove", parsed.error().message);
    if (parsed->help) {
        printHelp("vigil-cli mute remove --db DB ID --reason TEXT [--author NAME]",
                  "Removes mute rule ID: its findings count again at once. The rule stays in\n"
                  "the history (mute list --removed) with who removed it and why.",
                  spec);
        return Ok;
    }
    const auto dbPath = parsed->get("db");
    if (!dbPath)
        return error("mute remove", "missing --db DB");
    if (parsed->positional.size() != 1)
        return error("mute remove", parsed->positional.empty()
                                        ? "missing the rule ID (see mute list)"
                                        : "remove takes one rule ID");
    std::int64_t id = 0;
    try {
        std::size_t used = 0;
        id = std::stoll(parsed->positional.front(), &used);
        if (used != parsed->positional.front().size() || id <= 0)
            throw std::invalid_argument("id");
    } catch (...) {
        return error("mute remove",
                     "rule ID must be a positive number, not '" + parsed->positional.front() + "'");
    }
    const auto reason = parsed->get("reason");
    if (!reason)
        return error("mute remove", "missing --reason TEXT (why the rule goes)");
    const std::string author = parsed->get("author").value_or(osUser());
    if (!std::filesystem::exists(*dbPath))
        return error("mute remove", "database " + *dbPath + " does not exist");
    auto writer = StoreWriter::open(*dbPath);
    if (!writer)
        return error("mute remove", oneLine(writer.error().message));
    auto ok = (*writer)->run(
        [&](Database& d) { return removeSuppression(d, id, *reason, author, nowEpochMs()); });
    (*writer)->close();
    if (!ok)
        return error("mute remove", oneLine(ok.error().message));
    std::cout << "removed mute rule " << id << " by " << author << '\n';
    return Ok;
}

} // namespace

int runMute(const std::vector<std::string>& args)
{
    if (args.empty() || args.front() == "--help" || args.front() == "-h") {
        (args.empty() ? std::cerr : std::cout)
            << "usage: " << kUsage
            << "\n\nMute rules silence known false positives without "
               "deleting them; see 'vigil-cli mute SUBCOMMAND --help'.\n";
        return args.empty() ? InputError : Ok;
    }
    const std::string sub = args.front();
    const std::vector<std::string> rest(args.begin() + 1, args.end());
    if (sub == "add")
        return runAdd(rest);
    if (sub == "list")
        return runList(rest);
    if (sub == "remove")
        return runRemove(rest);
    return error("mute", "unknown subcommand '" + sub + "' (use add, list or remove)");
}

} // namespace vigil::cli
