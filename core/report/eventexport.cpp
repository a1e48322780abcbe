// SPDX-License-Identifier: Apache-2.0
#include "report/eventexport.h"

#include "base/jsonlimits.h"
#include "base/timeutil.h"
#include "review/threatmatrixio.h"
#include "store/detailsfield.h"
#include "store/schema.h"

#include <nlohmann/json.hpp>

namespace vigil {
namespace {

constexpr int kPage = 2000;

/// Whether `mask` has the bit of a category holding sensitive content.
bool maskHasSensitive(std::uint32_t mask)
{
    static const std::uint32_t sensitive =
        (1u << findingCategoryBit("pii")) | (1u << findingCategoryBit("secret"));
    return (mask & sensitive) != 0;
}

std::vector<Finding> asFindings(const std::vector<FindingRow>& rows)
{
    std::vector<Finding> out;
    out.reserve(rows.size());
    for (const FindingRow& r : rows) {
        Finding f;
        f.rule = r.rule;
        f.category = r.category;
        f.field = r.field;
        f.start = r.start;
        f.end = r.end;
        out.push_back(std::move(f));
    }
    return out;
}

std::string csvLine(const EventRow& e, const std::string& rules, const std::string& details)
{
    return csvRow({formatRfc3339Utc(e.timestampMs), std::string(toString(e.severity)), e.eventType,
                   e.agent, e.threadId, e.eventId, rules, details});
}

std::string jsonLine(const EventRow& e, const std::vector<FindingRow>& findings,
                     const std::string& details)
{
    using Json = nlohmann::ordered_json;
    Json j;
    j["timestamp"] = formatRfc3339Utc(e.timestampMs);
    j["event_type"] = e.eventType;
    j["agent_name"] = e.agent;
    j["thread_id"] = e.threadId;
    j["severity"] = std::string(toString(e.severity));
    if (!e.eventId.empty())
        j["event_id"] = e.eventId;
    if (!e.userId.empty())
        j["user_id"] = e.userId;
    auto tree = withinJsonLimits(details) ? Json::parse(details, nullptr, false)
                                          : Json(Json::value_t::discarded);
    // Details that are not JSON (a database edited by hand) go out as text.
    j["details"] = tree.is_discarded() ? Json(details) : std::move(tree);
    std::vector<std::string> rules;
    for (const FindingRow& f : findings)
        rules.push_back(f.rule);
    j["findings"] = rules;
    return j.dump(-1, ' ', false, Json::error_handler_t::replace) + "\n";
}

} // namespace

std::optional<EventExportFormat> eventExportFormatFromString(std::string_view name)
{
    if (name == "jsonl")
        return EventExportFormat::JsonLines;
    if (name == "csv")
        return EventExportFormat::Csv;
    return std::nullopt;
}

Result<std::int64_t> exportEvents(StoreReader& reader, const EventExportOptions& options,
                                  const std::function<bool(std::string_view)>& write,
                                  const std::function<bool()>& keepGoing)
{
    const bool csv = options.format == EventExportFormat::Csv;
    if (csv && !write(csvRow({"timestamp", "severity", "event_type", "agent_name", "thread_id",
                              "event_id", "findings", "details"})))
        return fail("export.write", "the export could not be written");
    std::optional<EventKey> from;
    std::int64_t written = 0;
    for (;;) {
        if (keepGoing && !keepGoing())
            return fail("export.cancelled", "the export was cancelled");
        auto rows = reader.events(options.filter, from, options.ascending, kPage);
        if (!rows)
            return std::unexpected(rows.error());
        for (const EventRow& e : *rows) {
            auto findings = reader.findingsForEvent(e.rowId);
            if (!findings)
                return std::unexpected(findings.error());
            const std::string details = options.redact && maskHasSensitive(e.findingMask)
                                            ? redactedDetails(e.details, asFindings(*findings))
                                            : e.details;
            std::string line;
            if (csv) {
                std::string rules;
                for (const FindingRow& f : *findings)
                    rules += (rules.empty() ? "" : " ") + f.rule;
                line = csvLine(e, rules, details);
            } else {
                line = jsonLine(e, *findings, details);
            }
            if (!write(line))
                return fail("export.write", "the export could not be written");
            ++written;
        }
        if (rows->size() < static_cast<std::size_t>(kPage))
            break;
        from = EventKey{rows->back().timestampMs, rows->back().rowId};
    }
    return written;
}

} // namespace vigil
