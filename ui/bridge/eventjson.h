// SPDX-License-Identifier: Apache-2.0
#pragma once

// Rendering of stored events for the views (bridge-internal): pretty-printed JSON with the
// stored finding spans highlighted, PII and secrets replaced by `[REDACTED:<rule>]` unless
// revealed, and the one-line previews of the tables, redacted the same way.

#include "bridge/bridgetypes.h"

#include <string>
#include <string_view>

namespace vigil::ui::eventjson {

/// Categories whose matched text is hidden until a reveal: personal data and secrets.
bool isSensitiveCategory(const QString& category);
/// True when a finding mask has a bit of a sensitive category.
bool maskHasSensitive(quint32 mask);

/// Replaces the code-point spans of `findings` on `value` by `[REDACTED:<rule>]`.
/// Overlapping spans merge into one marker (named after the first rule).
std::string redact(std::string_view value, const QVector<FindingInfo>& spans);

/// The details JSON (minified) with every sensitive span redacted (store/detailsfield.h).
std::string redactedDetails(std::string_view detailsJson, const QVector<FindingInfo>& findings);

struct TopLevel
{
    qint64 timestampMs = 0;
    std::string eventType, agent, threadId, severity, eventId, userId;
};

/// The whole event as indented JSON with highlights. `findings` carry field paths in the
/// dotted form (`details.output`, `details.filters[0].value`, `thread_id`).
void render(const TopLevel& top, std::string_view detailsJson, const QVector<FindingInfo>& findings,
            bool reveal, EventDetail& out);

/// One line of text describing the details of an event of `eventType`, sensitive spans
/// redacted; at most `maxChars` characters.
QString preview(std::string_view eventType, std::string_view detailsJson,
                const QVector<FindingInfo>& findings, int maxChars = 200);

} // namespace vigil::ui::eventjson
