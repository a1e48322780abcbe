// SPDX-License-Identifier: Apache-2.0
// Every field of a decoded event as a list of strings, for tests that require two events to
// be identical (a reused event against a fresh one): a QCOMPARE of the lists names the
// first field that differs.
#pragma once

#include "ingest/auditevent.h"

#include <string>
#include <vector>

inline std::vector<std::string> eventFields(const vigil::AuditEvent& e)
{
    auto opt = [](const auto& v) { return v ? std::to_string(*v) : std::string("-"); };
    std::vector<std::string> v{e.timestamp,
                               e.eventType,
                               e.agentName,
                               e.threadId,
                               e.eventId,
                               e.userId,
                               e.traceId,
                               e.spanId,
                               e.detailsJson,
                               e.model,
                               e.workerName,
                               e.action,
                               e.resource,
                               e.outcome,
                               e.securityType,
                               e.outputSchema,
                               e.outputJson,
                               std::to_string(e.timestampMs),
                               std::to_string(int(e.kind)),
                               std::to_string(int(e.severity)),
                               std::to_string(e.detailsChars),
                               opt(e.tokens),
                               opt(e.cost),
                               opt(e.confidence),
                               opt(e.bytesScanned)};
    for (const vigil::TextField& t : e.texts)
        v.push_back(t.path + "=" + t.value);
    return v;
}
