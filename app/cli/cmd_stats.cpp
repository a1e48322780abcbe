// SPDX-License-Identifier: Apache-2.0
#include "cli.h"

#include "base/jsonlimits.h"
#include "base/timeutil.h"
#include "store/storereader.h"

#include <nlohmann/json.hpp>

#include <iostream>

namespace vigil::cli {

int runStats(const std::vector<std::string>& args)
{
    const std::vector<OptionSpec> spec{
        {"db", true, false, "SQLite database to read"},
        {"format", true, false, "json (default) or table"},
    };
    auto parsed = parseArgs(args, spec);
    if (!parsed)
        return error("stats", parsed.error().message);
    if (parsed->help) {
        printHelp("vigil-cli stats --db DB [--format json|table]",
                  "Prints the totals of DB: events, rejected lines, duplicates, findings by\n"
                  "category and incidents.",
                  spec);
        return Ok;
    }
    const auto db = parsed->get("db");
    if (!db)
        return error("stats", "missing --db DB");
    const std::string format = parsed->get("format").value_or("json");
    if (format != "json" && format != "table")
        return error("stats", "--format must be json or table");
    if (!parsed->positional.empty())
        return error("stats", "unexpected argument " + parsed->positional.front());

    auto reader = StoreReader::open(*db);
    if (!reader)
        return error("stats", reader.error().message);
    auto s = reader->stats();
    if (!s)
        return error("stats", s.error().message);
    // What a running `vigil-cli serve` last stored; serve writes it, but a database edited by
    // hand may hold anything, and a tree too deep to copy or print is shown as absent.
    const bool haveLive = !s->liveStats.empty() && withinJsonLimits(s->liveStats);

    if (format == "json") {
        nlohmann::ordered_json j;
        j["events"] = s->events;
        j["rejected"] = s->rejected;
        j["duplicates"] = s->duplicates;
        j["findings"] = nlohmann::ordered_json::object();
        for (const auto& [category, n] : s->findingsByCategory)
            j["findings"][category] = n;
        j["findings_total"] = s->findings;
        j["incidents"] = s->incidents;
        j["open_incidents"] = s->openIncidents;
        j["rejected_by_reason"] = nlohmann::ordered_json::object();
        for (const auto& [reason, n] : s->rejectedByReason)
            j["rejected_by_reason"][reason] = n;
        j["sources"] = s->sources;
        j["first_event"] = s->events ? nlohmann::ordered_json(formatRfc3339Utc(s->firstEventMs))
                                     : nlohmann::ordered_json(nullptr);
        j["last_event"] = s->events ? nlohmann::ordered_json(formatRfc3339Utc(s->lastEventMs))
                                    : nlohmann::ordered_json(nullptr);
        j["database_bytes"] = s->databaseBytes;
        j["erased"] = s->erased;
        // Rates, queue depths, connections.
        auto live = haveLive ? nlohmann::ordered_json::parse(s->liveStats, nullptr, false)
                             : nlohmann::ordered_json(nlohmann::ordered_json::value_t::discarded);
        j["live"] = live.is_discarded() ? nlohmann::ordered_json(nullptr) : std::move(live);
        std::cout << j.dump(2) << '\n';
    } else {
        std::cout << "events      " << withThousands(s->events) << '\n'
                  << "rejected    " << withThousands(s->rejected) << '\n'
                  << "duplicates  " << withThousands(s->duplicates) << '\n'
                  << "incidents   " << withThousands(s->incidents) << " ("
                  << withThousands(s->openIncidents) << " open)\n"
                  << "findings    " << withThousands(s->findings) << '\n';
        for (const auto& [category, n] : s->findingsByCategory)
            std::cout << "  " << category << std::string(20 - std::min<std::size_t>(category.size(), 18), ' ')
                      << withThousands(n) << '\n';
        if (s->erased > 0)
            std::cout << "erased      " << withThousands(s->erased) << " (tombstones)\n";
        const auto live = haveLive ? nlohmann::json::parse(s->liveStats, nullptr, false)
                                   : nlohmann::json();
        if (live.is_object()) {
            std::cout << "live        " << live.value("listen", std::string("-")) << ", as of "
                      << live.value("written_at", std::string("?")) << '\n';
            for (auto [label, key] : {std::pair{"events/s", "events_per_second"},
                                      {"queue depth", "writer_queue_depth"},
                                      {"in flight", "pipeline_in_flight"},
                                      {"connections open", "connections_open"},
                                      {"rejected", "rejected"},
                                      {"duplicates", "duplicates"}}) {
                const std::string name = label;
                std::cout << "  " << name << std::string(18 - name.size(), ' ')
                          << withThousands(static_cast<std::int64_t>(live.value(key, 0.0)))
                          << '\n';
            }
        }
    }
    return Ok;
}

} // namespace vigil::cli
