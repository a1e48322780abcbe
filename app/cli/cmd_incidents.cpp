// SPDX-License-Identifier: Apache-2.0
// `vigil-cli incidents list|show|update`: the incidents of a database and their triage,
// as the desktop's Incidents view reads and changes them (store/incidentstore.h,
// store/incidentreview.h).
#include "cli.h"

#include "base/timeutil.h"
#include "review/threatmatrixio.h"
#include "scan/finding.h"
#include "store/database.h"
#include "store/incidentreview.h"
#include "store/incidentstore.h"
#include "store/receipt.h"
#include "store/storereader.h"
#include "store/storewriter.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <tuple>

namespace vigil::cli {
namespace {

using Json = nlohmann::ordered_json;

constexpr std::string_view kUsage =
    "vigil-cli incidents list --db DB [--status S]... [--category C] [--agent A] "
    "[--severity SEV] [--text WORDS] [--limit N] [--format table|json|csv]\n"
    "       vigil-cli incidents show --db DB ID [--format table|json]\n"
    "       vigil-cli incidents update --db DB ID... [--status S] [--assignee NAME] "
    "[--note TEXT] [--actor NAME]";

std::string severityName(int severity)
{
    return std::string(toString(static_cast<FindingSeverity>(std::clamp(severity, 0, 3))));
}

std::string timeText(std::int64_t ms)
{
    return ms > 0 ? formatRfc3339Utc(ms) : std::string();
}

Json timeJson(std::int64_t ms)
{
    return ms > 0 ? Json(formatRfc3339Utc(ms)) : Json(nullptr);
}

Json incidentJson(const IncidentRow& i)
{
    Json j;
    j["id"] = i.id;
    j["title"] = i.title;
    j["status"] = i.status;
    j["severity"] = severityName(i.severity);
    j["category"] = i.category;
    j["rule"] = i.rule;
    j["layer"] = i.layer;
    j["agent"] = i.agent;
    j["thread_id"] = i.threadId;
    j["assignee"] = i.assignee;
    j["notes"] = i.notes;
    j["first"] = timeJson(i.firstMs);
    j["last"] = timeJson(i.lastMs);
    j["updated"] = timeJson(i.updatedMs);
    j["findings"] = i.findings;
    j["muted_findings"] = i.mutedFindings;
    j["muted"] = i.muted();
    return j;
}

/// A positive incident id, or nullopt.
std::optional<std::int64_t> parseId(const std::string& text)
{
    try {
        std::size_t used = 0;
        const std::int64_t id = std::stoll(text, &used);
        if (used == text.size() && id > 0)
            return id;
    } catch (...) {
    }
    return std::nullopt;
}

int runList(const std::vector<std::string>& args)
{
    const std::vector<OptionSpec> spec{
        {"db", true, false, "SQLite database"},
        {"status", true, true,
         "open, investigating, resolved or false_positive (repeatable: any of them)"},
        {"category", true, false, "incidents of this finding category, e.g. pii"},
        {"agent", true, false, "incidents of this agent"},
        {"severity", true, false, "at least this severity: low, medium, high or critical"},
        {"text", true, false, "words of the title, notes, category, rule or agent (each a prefix)"},
        {"limit", true, false, "at most N incidents (default: all)"},
        {"format", true, false, "table (default), json or csv"},
    };
    auto parsed = parseArgs(args, spec);
    if (!parsed)
        return error("incidents list", parsed.error().message);
    if (parsed->help) {
        printHelp("vigil-cli incidents list --db DB [--status S]... [--category C] [--agent A] "
                  "[--severity SEV] [--text WORDS] [--limit N] [--format table|json|csv]",
                  "Lists the incidents of DB, most recently active first, as the Incidents view\n"
                  "does. Findings muted by a rule in force are left out of each incident's count\n"
                  "and severity; an incident whose findings are all muted is listed as muted.",
                  spec);
        return Ok;
    }
    const auto dbPath = parsed->get("db");
    if (!dbPath)
        return error("incidents list", "missing --db DB");
    if (!parsed->positional.empty())
        return error("incidents list", "unexpected argument " + parsed->positional.front());
    const std::string format = parsed->get("format").value_or("table");
    if (format != "table" && format != "json" && format != "csv")
        return error("incidents list", "--format must be table, json or csv");
    IncidentFilter filter;
    filter.limit = -1;
    for (const std::string& s : parsed->all("status")) {
        if (!isIncidentStatus(s))
            return error("incidents list",
                         "--status must be open, investigating, resolved or false_positive, not '" +
                             s + "'");
        filter.statuses.push_back(s);
    }
    filter.category = parsed->get("category").value_or("");
    filter.agent = parsed->get("agent").value_or("");
    filter.text = parsed->get("text").value_or("");
    if (const auto sev = parsed->get("severity")) {
        const auto s = findingSeverityFromString(*sev);
        if (!s)
            return error("incidents list", "--severity must be low, medium, high or critical");
        filter.minSeverity = static_cast<int>(*s);
    }
    if (const auto limit = parsed->get("limit")) {
        const auto n = parseId(*limit);
        if (!n || *n > 1'000'000'000)
            return error("incidents list",
                         "--limit must be a positive number, not '" + *limit + "'");
        filter.limit = static_cast<int>(*n);
    }

    auto db = Database::openReader(*dbPath);
    if (!db)
        return error("incidents list", oneLine(db.error().message));
    auto rows = listIncidents(*db, filter, muteScopeOrNone(*db, nowEpochMs()));
    if (!rows)
        return error("incidents list", oneLine(rows.error().message));

    if (format == "json") {
        Json out = Json::array();
        for (const IncidentRow& i : *rows)
            out.push_back(incidentJson(i));
        std::cout << out.dump(2, ' ', false, Json::error_handler_t::replace) << '\n';
    } else if (format == "csv") {
        std::cout << csvRow({"id", "status", "severity", "category", "rule", "layer", "agent",
                             "thread_id", "findings", "muted_findings", "first", "last", "updated",
                             "assignee", "title", "notes"});
        for (const IncidentRow& i : *rows)
            std::cout << csvRow({std::to_string(i.id), i.status, severityName(i.severity),
                                 i.category, i.rule, std::to_string(i.layer), i.agent, i.threadId,
                                 std::to_string(i.findings), std::to_string(i.mutedFindings),
                                 timeText(i.firstMs), timeText(i.lastMs), timeText(i.updatedMs),
                                 i.assignee, i.title, i.notes});
    } else if (rows->empty()) {
        std::cout << "no incidents\n";
    } else {
        std::printf("%6s  %-14s  %-8s  %-14s  %-16s  %8s  %-20s  %s\n", "id", "status", "severity",
                    "category", "agent", "findings", "last", "title");
        for (const IncidentRow& i : *rows)
            std::printf("%6lld  %-14s  %-8s  %-14s  %-16s  %8s  %-20s  %s\n",
                        static_cast<long long>(i.id), i.status.c_str(),
                        severityName(i.severity).c_str(), i.category.c_str(), i.agent.c_str(),
                        i.muted() ? "muted" : withThousands(i.findings).c_str(),
                        timeText(i.lastMs).c_str(), oneLine(i.title).c_str());
    }
    return std::cout.good() ? Ok : error("incidents list", "cannot write to standard output");
}

int runShow(const std::vector<std::string>& args)
{
    const std::vector<OptionSpec> spec{
        {"db", true, false, "SQLite database"},
        {"format", true, false, "table (default) or json"},
    };
    auto parsed = parseArgs(args, spec);
    if (!parsed)
        return error("incidents show", parsed.error().message);
    if (parsed->help) {
        printHelp("vigil-cli incidents show --db DB ID [--format table|json]",
                  "Shows incident ID of DB: its fields, its review history (who changed what,\n"
                  "when), its findings (rule, field and span, never the matched text) and the\n"
                  "events behind them.",
                  spec);
        return Ok;
    }
    const auto dbPath = parsed->get("db");
    if (!dbPath)
        return error("incidents show", "missing --db DB");
    if (parsed->positional.size() != 1)
        return error("incidents show", parsed->positional.empty()
                                           ? "missing the incident ID (see incidents list)"
                                           : "show takes one incident ID");
    const auto id = parseId(parsed->positional.front());
    if (!id)
        return error("incidents show", "incident ID must be a positive number, not '" +
                                           parsed->positional.front() + "'");
    const std::string format = parsed->get("format").value_or("table");
    if (format != "table" && format != "json")
        return error("incidents show", "--format must be table or json");

    auto reader = StoreReader::open(*dbPath);
    if (!reader)
        return error("incidents show", oneLine(reader.error().message));
    Database& db = reader->database();
    auto details = loadIncidentDetails(db, *id, muteScopeOrNone(db, nowEpochMs()));
    if (!details)
        return error("incidents show", oneLine(details.error().message));
    if (!*details)
        return error("incidents show", "no incident " + std::to_string(*id) + " in " + *dbPath);
    const IncidentDetails& d = **details;
    std::vector<EventRow> evidence;
    for (const std::int64_t row : d.evidenceRowIds) {
        auto ev = reader->event(row);
        if (!ev)
            return error("incidents show", oneLine(ev.error().message));
        if (*ev)
            evidence.push_back(std::move(**ev));
    }

    if (format == "json") {
        Json j = incidentJson(d.incident);
        j["history"] = Json::array();
        for (const IncidentHistoryRow& h : d.history)
            j["history"].push_back(Json{{"time", timeJson(h.timestampMs)},
                                        {"actor", h.actor},
                                        {"field", h.field},
                                        {"old", h.oldValue},
                                        {"new", h.newValue}});
        j["findings"] = Json::array();
        for (const IncidentFinding& f : d.findings) {
            Json o{{"id", f.finding.id},
                   {"rule", f.finding.rule},
                   {"category", f.finding.category},
                   {"severity", severityName(f.finding.severity)},
                   {"layer", f.finding.layer},
                   {"field", f.finding.field},
                   {"message", f.finding.message},
                   {"event", f.finding.eventRowId},
                   {"time", timeJson(f.finding.timestampMs)},
                   {"muted", f.muted}};
            if (f.finding.start >= 0) {
                o["start"] = f.finding.start;
                o["end"] = f.finding.end;
            }
            j["findings"].push_back(std::move(o));
        }
        j["evidence"] = Json::array();
        for (const EventRow& e : evidence)
            j["evidence"].push_back(Json{{"event", e.rowId},
                                         {"time", timeJson(e.timestampMs)},
                                         {"event_type", e.eventType},
                                         {"agent_name", e.agent},
                                         {"thread_id", e.threadId},
                                         {"event_id", e.eventId}});
        std::cout << j.dump(2, ' ', false, Json::error_handler_t::replace) << '\n';
        return std::cout.good() ? Ok : error("incidents show", "cannot write to standard output");
    }

    const IncidentRow& i = d.incident;
    std::cout << "incident   " << i.id << ": " << oneLine(i.title) << '\n'
              << "status     " << i.status << (i.muted() ? " (all findings muted)" : "") << '\n'
              << "severity   " << severityName(i.severity) << '\n'
              << "category   " << i.category << " (" << i.rule << ", layer " << i.layer << ")\n"
              << "agent      " << i.agent << ", thread " << i.threadId << '\n'
              << "active     " << timeText(i.firstMs) << " .. " << timeText(i.lastMs) << '\n'
              << "findings   " << withThousands(i.findings)
              << (i.mutedFindings ? " (+" + withThousands(i.mutedFindings) + " muted)" : "") << '\n'
              << "assignee   " << (i.assignee.empty() ? "-" : i.assignee) << '\n'
              << "notes      " << (i.notes.empty() ? "-" : oneLine(i.notes)) << '\n';
    std::cout << "\nhistory (" << d.history.size() << ")\n";
    for (const IncidentHistoryRow& h : d.history)
        std::cout << "  " << timeText(h.timestampMs) << "  " << h.actor << "  " << h.field << ": '"
                  << oneLine(h.oldValue) << "' -> '" << oneLine(h.newValue) << "'\n";
    std::cout << "\nfindings (" << d.findings.size() << ")\n";
    for (const IncidentFinding& f : d.findings) {
        std::cout << "  " << timeText(f.finding.timestampMs) << "  "
                  << severityName(f.finding.severity) << "  " << f.finding.rule << "  "
                  << f.finding.field;
        if (f.finding.start >= 0)
            std::cout << " [" << f.finding.start << ", " << f.finding.end << ")";
        std::cout << "  event " << f.finding.eventRowId << (f.muted ? "  (muted)" : "") << '\n';
    }
    std::cout << "\nevidence (" << evidence.size() << " events)\n";
    for (const EventRow& e : evidence)
        std::cout << "  " << e.rowId << "  " << timeText(e.timestampMs) << "  " << e.eventType
                  << "  " << e.agent << (e.eventId.empty() ? "" : "  " + e.eventId) << '\n';
    return std::cout.good() ? Ok : error("incidents show", "cannot write to standard output");
}

int runUpdate(const std::vector<std::string>& args)
{
    const std::vector<OptionSpec> spec{
        {"db", true, false, "SQLite database (must exist)"},
        {"status", true, false, "open, investigating, resolved or false_positive"},
        {"assignee", true, false, "who works on it (an empty value clears it)"},
        {"note", true, false,
         "the incident's notes (replaces them; the old text stays in the history)"},
        {"actor", true, false, "who makes the change; default: the OS user"},
    };
    auto parsed = parseArgs(args, spec);
    if (!parsed)
        return error("incidents update", parsed.error().message);
    if (parsed->help) {
        printHelp("vigil-cli incidents update --db DB ID... [--status S] [--assignee NAME] "
                  "[--note TEXT] [--actor NAME]",
                  "Changes the status, assignee or notes of incidents ID... of DB, as the\n"
                  "Incidents view does: every field that changes appends an entry (time, actor,\n"
                  "old and new value) to the incident's history, which is never edited, and the\n"
                  "incident is resealed so that verify keeps passing. All IDs change or none.",
                  spec);
        return Ok;
    }
    const auto dbPath = parsed->get("db");
    if (!dbPath)
        return error("incidents update", "missing --db DB");
    if (parsed->positional.empty())
        return error("incidents update", "missing the incident ID (see incidents list)");
    std::vector<std::int64_t> ids;
    for (const std::string& text : parsed->positional) {
        const auto id = parseId(text);
        if (!id)
            return error("incidents update",
                         "incident ID must be a positive number, not '" + text + "'");
        if (std::find(ids.begin(), ids.end(), *id) == ids.end())
            ids.push_back(*id);
    }
    IncidentReviewChange change;
    change.status = parsed->get("status");
    if (parsed->values.count("assignee"))
        change.assignee = parsed->all("assignee").back();
    if (parsed->values.count("note"))
        change.notes = parsed->all("note").back();
    if (!change.status && !change.assignee && !change.notes)
        return error("incidents update", "nothing to change: give --status, --assignee or --note");
    if (change.status && !isIncidentStatus(*change.status))
        return error("incidents update",
                     "--status must be open, investigating, resolved or false_positive, not '" +
                         *change.status + "'");
    const std::string actor = parsed->get("actor").value_or(osUserName());
    if (!std::filesystem::exists(*dbPath))
        return error("incidents update", "database " + *dbPath + " does not exist");

    auto writer = StoreWriter::open(*dbPath);
    if (!writer)
        return error("incidents update", oneLine(writer.error().message));
    // One task, one transaction: the check that every incident exists, what changes, and
    // the change itself.
    std::vector<std::string> changes;
    const std::int64_t now = nowEpochMs();
    auto done = (*writer)->run([&](Database& db) -> Result<void> {
        const MuteScope none{now, false};
        for (const std::int64_t id : ids) {
            auto incident = loadIncident(db, id, none);
            if (!incident)
                return std::unexpected(incident.error());
            if (!*incident)
                return fail("incident.unknown",
                            "no incident " + std::to_string(id) + " in " + *dbPath);
            for (const auto& [field, current, wanted] :
                 {std::tuple{"status", &(*incident)->status, &change.status},
                  std::tuple{"assignee", &(*incident)->assignee, &change.assignee},
                  std::tuple{"notes", &(*incident)->notes, &change.notes}})
                if (*wanted && **wanted != *current)
                    changes.push_back("incident " + std::to_string(id) + ": " + field + " '" +
                                      oneLine(*current) + "' -> '" + oneLine(**wanted) + "'");
        }
        return updateIncidentReview(db, ids, change, actor, now);
    });
    (*writer)->close();
    if (!done)
        return error("incidents update", oneLine(done.error().message));
    for (const std::string& c : changes)
        std::cout << c << '\n';
    std::cout << (changes.empty()
                      ? std::string("nothing changed")
                      : "recorded " + std::to_string(changes.size()) +
                            (changes.size() == 1 ? " change" : " changes") + " by " + actor)
              << '\n';
    return Ok;
}

} // namespace

int runIncidents(const std::vector<std::string>& args)
{
    if (args.empty() || args.front() == "--help" || args.front() == "-h") {
        (args.empty() ? std::cerr : std::cout)
            << "usage: " << kUsage
            << "\n\nIncidents group related findings; triage them as the desktop does. See "
               "'vigil-cli incidents SUBCOMMAND --help'.\n";
        return args.empty() ? InputError : Ok;
    }
    const std::string sub = args.front();
    const std::vector<std::string> rest(args.begin() + 1, args.end());
    if (sub == "list")
        return runList(rest);
    if (sub == "show")
        return runShow(rest);
    if (sub == "update")
        return runUpdate(rest);
    return error("incidents", "unknown subcommand '" + sub + "' (use list, show or update)");
}

} // namespace vigil::cli
