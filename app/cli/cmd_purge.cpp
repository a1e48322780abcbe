// SPDX-License-Identifier: Apache-2.0
// `vigil-cli purge` (apply retention) and `vigil-cli retention` (show or set the periods).
#include "cli.h"

#include "base/timeutil.h"
#include "store/retention.h"
#include "store/storewriter.h"

#include <charconv>
#include <filesystem>
#include <iostream>

namespace vigil::cli {

namespace {

std::string days(int d)
{
    return std::to_string(d) + (d == 1 ? " day" : " days");
}

} // namespace

int runPurge(const std::vector<std::string>& args)
{
    const std::vector<OptionSpec> spec{
        {"db", true, false, "SQLite database to purge"},
        {"now", true, false, "the time to judge ages against (RFC 3339 UTC; default: now)"},
        {"actor", true, false, "who runs it, for the receipt (default: the OS user)"},
        {"dry-run", false, false, "only count what would be removed; remove nothing"},
    };
    auto parsed = parseArgs(args, spec);
    if (!parsed)
        return error("purge", parsed.error().message);
    if (parsed->help) {
        printHelp(
            "vigil-cli purge --db DB [--now TIMESTAMP]",
            "Applies the retention periods (90 days by default; 365 for sql_executed,\n"
            "human_escalation, security_event, tool_call, findings and incidents; see\n"
            "'vigil-cli retention'). An item older than its period is removed: events become\n"
            "tombstones that keep the chain verifiable, findings, incidents and rejected\n"
            "lines are deleted. Prints what it removed, by event type. With --dry-run it\n"
            "prints what it would remove and changes nothing.",
            spec);
        return Ok;
    }
    const auto db = parsed->get("db");
    if (!db)
        return error("purge", "missing --db DB");
    if (!parsed->positional.empty())
        return error("purge", "unexpected argument " + parsed->positional.front());
    std::int64_t now = nowEpochMs();
    if (const auto text = parsed->get("now")) {
        const auto ms = parseRfc3339Utc(*text);
        if (!ms)
            return error("purge", "--now takes an RFC 3339 UTC time such as 2026-11-21T10:00:00Z");
        now = *ms;
    }
    if (!std::filesystem::is_regular_file(*db))
        return error("purge", "database " + *db + " does not exist");
    auto writer = StoreWriter::open(*db);
    if (!writer)
        return error("purge", oneLine(writer.error().message));
    const bool dryRun = parsed->flag("dry-run");
    auto result = dryRun ? previewPurge(**writer, now)
                         : purgeExpired(**writer, now, parsed->get("actor").value_or(""));
    (*writer)->close();
    writer->reset();
    if (!result)
        return error("purge", oneLine(result.error().message));

    const RetentionPolicy& p = result->policy;
    const char* removed = dryRun ? "would remove " : "removed ";
    std::cout << (dryRun ? "dry run of a purge at " : "purge at ") << formatRfc3339Utc(now);
    if (result->receiptId)
        std::cout << " (receipt " << result->receiptId << ")";
    std::cout << '\n';
    for (const auto& [type, n] : result->eventsByType)
        std::cout << removed << n << " " << type << " events older than "
                  << days(p.daysFor(type)) << '\n';
    std::cout << removed << result->findings << " findings older than "
              << days(p.scopeDays("findings")) << '\n'
              << removed << result->incidents << " incidents older than "
              << days(p.scopeDays("incidents")) << '\n'
              << removed << result->quarantined << " rejected lines older than "
              << days(p.scopeDays("quarantine")) << '\n'
              << removed << result->events << " events in total\n";
    if (result->keptAltered > 0)
        std::cerr << "vigil-cli purge: warning: " << result->keptAltered
                  << " expired incidents kept: they no longer match their seal; run 'vigil-cli "
                     "verify'\n";
    if (!result->compactionRefused.empty())
        std::cerr << "vigil-cli purge: warning: tombstones kept: " << result->compactionRefused
                  << "; run 'vigil-cli verify'\n";
    return Ok;
}

int runRetention(const std::vector<std::string>& args)
{
    const std::vector<OptionSpec> spec{
        {"db", true, false, "SQLite database"},
        {"set", true, true,
         "SCOPE=DAYS: keep SCOPE (an event type, '*', findings, incidents, quarantine) DAYS days"},
        {"reset", true, true, "SCOPE: back to the default period"},
        {"auto", true, false,
         "on|off: whether the desktop app applies retention to DB every hour (off for a "
         "database it did not create, until turned on)"},
    };
    auto parsed = parseArgs(args, spec);
    if (!parsed)
        return error("retention", parsed.error().message);
    if (parsed->help) {
        printHelp("vigil-cli retention --db DB [--set SCOPE=DAYS]... [--reset SCOPE]... [--auto on|off]",
                  "Shows the retention periods in force (the defaults merged with DB's settings),\n"
                  "after applying any --set and --reset, and whether the desktop app applies\n"
                  "them on its own. 'vigil-cli purge' applies them.",
                  spec);
        return Ok;
    }
    const auto db = parsed->get("db");
    if (!db)
        return error("retention", "missing --db DB");
    if (!parsed->positional.empty())
        return error("retention", "unexpected argument " + parsed->positional.front());
    std::vector<std::pair<std::string, int>> sets;
    for (const std::string& s : parsed->all("set")) {
        const auto eq = s.find('=');
        int d = 0;
        const char* end = s.data() + s.size();
        if (eq == std::string::npos || std::from_chars(s.data() + eq + 1, end, d).ptr != end ||
            eq + 1 == s.size())
            return error("retention", "--set takes SCOPE=DAYS, e.g. --set user_query_received=30");
        if (!isRetentionScope(s.substr(0, eq)))
            return error("retention",
                         "'" + s.substr(0, eq) +
                             "' is not an event type, '*', findings, incidents or quarantine");
        if (d < 1 || d > 36500)
            return error("retention", "a retention period is 1 to 36500 days");
        sets.emplace_back(s.substr(0, eq), d);
    }
    std::optional<bool> setAuto;
    if (auto a = parsed->get("auto")) {
        if (*a != "on" && *a != "off")
            return error("retention", "--auto takes on or off");
        setAuto = *a == "on";
    }
    if (!std::filesystem::is_regular_file(*db))
        return error("retention", "database " + *db + " does not exist");
    bool autoOn = false;
    auto writer = StoreWriter::open(*db);
    if (!writer)
        return error("retention", oneLine(writer.error().message));
    std::optional<RetentionPolicy> policy;
    auto r = (*writer)->run([&](Database& d) -> Result<void> {
        for (const auto& [scope, n] : sets)
            if (auto x = setRetention(d, scope, n); !x)
                return x;
        for (const std::string& scope : parsed->all("reset"))
            if (auto x = resetRetention(d, scope); !x)
                return x;
        if (setAuto)
            if (auto x = setAutoRetention(d, *setAuto); !x)
                return x;
        auto p = loadRetention(d);
        if (!p)
            return std::unexpected(p.error());
        policy = std::move(*p);
        auto a = autoRetentionEnabled(d);
        if (!a)
            return std::unexpected(a.error());
        autoOn = *a;
        return {};
    });
    (*writer)->close();
    if (!r)
        return error("retention", oneLine(r.error().message));
    const RetentionPolicy& defaults = defaultRetention();
    for (const auto& [scope, n] : policy->days) {
        const auto it = defaults.days.find(scope);
        std::cout << scope << std::string(scope.size() < 24 ? 24 - scope.size() : 1, ' ') << n
                  << (it == defaults.days.end() || it->second != n ? "  (configured)" : "") << '\n';
    }
    std::cout << "automatic retention in the desktop app: " << (autoOn ? "on" : "off") << '\n';
    return Ok;
}

} // namespace vigil::cli
