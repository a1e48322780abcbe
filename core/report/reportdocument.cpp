// SPDX-License-Identifier: Apache-2.0
#include "report/reportdocument.h"

#include "base/timeutil.h"

#include <array>
#include <string>

namespace vigil {
namespace {

constexpr std::array<std::pair<ReportKind, std::string_view>, 5> kKinds{{
    {ReportKind::Soc2, "soc2"},
    {ReportKind::Gdpr, "gdpr"},
    {ReportKind::Production, "production"},
    {ReportKind::Incidents, "incidents"},
    {ReportKind::Full, "full"},
}};

} // namespace

std::string_view toString(ReportKind k)
{
    for (const auto& [kind, name] : kKinds)
        if (kind == k)
            return name;
    return "soc2";
}

std::optional<ReportKind> reportKindFromString(std::string_view s)
{
    for (const auto& [kind, name] : kKinds)
        if (name == s)
            return kind;
    return std::nullopt;
}

std::string redactionNote(bool redacted)
{
    return redacted ? "PII and secrets are redacted in this report ([REDACTED:<rule>])."
                    : "UNREDACTED: this report was generated with --unredacted at the "
                      "reviewer's request and may contain personal data and secrets as they "
                      "were logged. Handle and store it accordingly.";
}

std::string windowText(const ReportMeta& meta)
{
    if (!meta.fromMs && !meta.toMs)
        return "all stored events (none stored)";
    return (meta.fromMs ? formatRfc3339Utc(*meta.fromMs) : std::string("the first event")) +
           " to " + (meta.toMs ? formatRfc3339Utc(*meta.toMs) : std::string("the last event"));
}

ReportTable metaTable(const ReportMeta& m)
{
    ReportTable t;
    t.id = "report";
    t.title = "Report";
    t.columns = {{"field", "Field"}, {"value", "Value"}};
    t.rows = {
        {"Title", m.title},
        {"Kind", std::string(toString(m.kind))},
        {"Window", windowText(m)},
        {"Generated", formatRfc3339Utc(m.generatedMs)},
        {"Database", m.database},
        {"Database UUID", m.databaseUuid},
        {"Chain head", m.chainHead.empty() ? "(no events)" : m.chainHead},
        {"Chain events", std::to_string(m.chainEvents)},
        {"Chain status", m.chainStatus},
        {"Events in window", std::to_string(m.eventsInWindow)},
        {"Redaction", redactionNote(m.redacted)},
        {"Vigil version", m.vigilVersion},
    };
    return t;
}

} // namespace vigil
