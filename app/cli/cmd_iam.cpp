// SPDX-License-Identifier: Apache-2.0
#include "cli.h"

#include "iam/permissionmap.h"
#include "iam/policyreview.h"
#include "iam/policyset.h"
#include "iam/storeusage.h"
#include "iam/usageaggregator.h"
#include "store/storereader.h"

#include <nlohmann/json.hpp>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <iostream>

namespace vigil::cli {
namespace {

/// RFC 4180 cell with the same formula guard as PermissionMap::toCsv().
std::string csvCell(std::string_view v)
{
    std::string s(v);
    if (!s.empty() && (s[0] == '=' || s[0] == '+' || s[0] == '-' || s[0] == '@' || s[0] == '\t' || s[0] == '\r'))
        s.insert(s.begin(), '\'');
    if (s.find_first_of(",\"\r\n") == std::string::npos && (s.empty() || (s.front() != ' ' && s.back() != ' ')))
        return s;
    std::string out = "\"";
    for (char c : s) {
        if (c == '"')
            out += "\"\"";
        else
            out.push_back(c);
    }
    return out + '"';
}

nlohmann::ordered_json textOrNull(const std::string& s)
{
    return s.empty() ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(s);
}

std::string reviewJson(const std::vector<iam::ReviewItem>& items)
{
    nlohmann::ordered_json arr = nlohmann::ordered_json::array();
    for (const iam::ReviewItem& i : items) {
        nlohmann::ordered_json o;
        o["kind"] = std::string(iam::toString(i.kind));
        o["severity"] = std::string(toString(i.severity));
        o["agent"] = textOrNull(i.agent);
        o["role"] = textOrNull(i.role);
        o["statement"] = textOrNull(i.statement.label());
        o["text"] = i.text;
        arr.push_back(std::move(o));
    }
    return arr.dump(2, ' ', false, nlohmann::ordered_json::error_handler_t::replace) + "\n";
}

std::string reviewCsv(const std::vector<iam::ReviewItem>& items)
{
    std::string out = "kind,severity,agent,role,statement,text\n";
    for (const iam::ReviewItem& i : items) {
        out += std::string(iam::toString(i.kind)) + ',' + std::string(toString(i.severity)) + ',' +
               csvCell(i.agent) + ',' + csvCell(i.role) + ',' + csvCell(i.statement.label()) + ',' +
               csvCell(i.text) + '\n';
    }
    return out;
}

} // namespace

int runIam(const std::vector<std::string>& args)
{
    const std::vector<OptionSpec> spec{
        {"policies", true, false, "agent IAM policy file (spec/iam-policies.md), required"},
        {"db", true, false, "Vigil database whose stored events give the observed use"},
        {"format", true, false, "json (default) or csv"},
        {"review", false, false, "print the least-privilege review of the file instead of the map"},
    };
    auto parsed = parseArgs(args, spec);
    if (!parsed)
        return error("iam", parsed.error().message);
    if (parsed->help) {
        printHelp("vigil-cli iam --policies FILE [--db DB] [--format json|csv] [--review] [FILE.jsonl|-]...",
                  "Prints the per-agent permission map of the policy file: one row per grant of\n"
                  "each agent's role (action, resource pattern, decision, deciding statement and\n"
                  "how many observed events it decided) and one per observed action that was not\n"
                  "plainly allowed. Observed use comes from the tool_call events and the models of\n"
                  "plan and worker events stored in DB and/or read from the given event files;\n"
                  "without either, every grant is unused. Decisions: allowed_used, allowed_unused,\n"
                  "denied_attempted, boundary_blocked, explicit_deny, conditional. --review lists\n"
                  "wildcard, dead, unused and conditional grants, agents without a role or tier,\n"
                  "and a missing boundary.",
                  spec);
        return Ok;
    }
    const auto policiesPath = parsed->get("policies");
    if (!policiesPath)
        return error("iam", "missing --policies FILE");
    const std::string format = parsed->get("format").value_or("json");
    if (format != "json" && format != "csv")
        return error("iam", "--format must be json or csv");
    const bool review = parsed->flag("review");
    int stdinInputs = 0;
    for (const std::string& f : parsed->positional)
        stdinInputs += f == "-";
    if (stdinInputs > 1)
        return error("iam", "standard input (-) given more than once");

    auto policies = iam::PolicySet::loadFile(*policiesPath);
    if (!policies)
        return error("iam", policies.error().message);

    iam::UsageAggregator usage(16, 1'000'000);
    bool haveUsage = false;
    if (const auto db = parsed->get("db")) {
        auto reader = StoreReader::open(*db);
        if (!reader)
            return error("iam", reader.error().message);
        auto read = iam::addUsageFromStore(reader->database(), usage);
        if (!read)
            return error("iam", *db + ": " + read.error().message);
        haveUsage = true;
    }
    for (const std::string& file : parsed->positional) {
        if (file == "-") {
            const auto read = iam::addUsageFromLines(std::cin, usage);
            if (read.rejected)
                std::cerr << "vigil-cli iam: stdin: " << withThousands(static_cast<std::int64_t>(read.rejected))
                          << " lines are not valid events and were skipped\n";
        } else {
            std::ifstream in(file, std::ios::binary);
            if (!in)
                return error("iam", "cannot open " + file + ": " + std::strerror(errno));
            const auto read = iam::addUsageFromLines(in, usage);
            if (in.bad())
                return error("iam", "cannot read " + file + ": " + std::strerror(errno));
            if (read.rejected)
                std::cerr << "vigil-cli iam: " << file << ": "
                          << withThousands(static_cast<std::int64_t>(read.rejected))
                          << " lines are not valid events and were skipped\n";
        }
        haveUsage = true;
    }
    if (usage.droppedUses())
        std::cerr << "vigil-cli iam: more than " << withThousands(1'000'000)
                  << " distinct (agent, action, resource) uses; "
                  << withThousands(static_cast<std::int64_t>(usage.droppedUses())) << " not counted\n";

    const iam::UsageAggregator* observed = haveUsage ? &usage : nullptr;
    if (review) {
        const auto items = iam::reviewPolicies(*policies, observed);
        std::cout << (format == "json" ? reviewJson(items) : reviewCsv(items));
    } else {
        const auto map = iam::PermissionMap::build(*policies, observed);
        std::cout << (format == "json" ? map.toJson() : map.toCsv());
    }
    std::cout.flush();
    return std::cout ? Ok : error("iam", "cannot write the output");
}

} // namespace vigil::cli
