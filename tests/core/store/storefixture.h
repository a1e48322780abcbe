// SPDX-License-Identifier: Apache-2.0
// Helpers of the store's read tests (incidents, overview): events and findings built by
// hand (no scanner involved), committed through the real StoreWriter.
#pragma once

#include "testsupport.h"

#include "store/storewriter.h"

#include <QtTest>

#include <condition_variable>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace vigil::test {

inline Finding finding(const std::string& rule, FindingSeverity sev,
                       const std::string& field = "details.query", int start = -1, int end = -1,
                       int layer = 4)
{
    Finding f;
    f.rule = rule;
    f.category = rule.substr(0, rule.find('.'));
    f.layer = layer;
    f.severity = sev;
    f.field = field;
    f.start = start;
    f.end = end;
    f.message = f.category + " finding (" + rule + ")";
    return f;
}

struct EventSpec
{
    std::string id;
    std::int64_t ms = 0;
    std::string type = "user_query_received";
    std::string agent = "brain";
    std::string thread = "t-1";
    EventSeverity severity = EventSeverity::Info;
    std::string details = R"({"query":"hello"})";
    std::vector<Finding> findings;
};

inline IngestedEvent makeEvent(const EventSpec& s)
{
    IngestedEvent ie;
    ie.event.timestampMs = s.ms;
    ie.event.eventType = s.type;
    ie.event.kind = eventKindFromType(s.type);
    ie.event.agentName = s.agent;
    ie.event.threadId = s.thread;
    ie.event.eventId = s.id;
    ie.event.severity = s.severity;
    ie.event.detailsJson = s.details;
    ie.findings = s.findings;
    return ie;
}

/// Commits `events` as one batch and waits until it is committed.
inline Result<CommitResult> commit(StoreWriter& w, const std::vector<EventSpec>& events)
{
    WriteBatch b;
    b.sourceName = "test";
    for (const EventSpec& s : events)
        b.events.push_back(makeEvent(s));
    std::optional<Result<CommitResult>> out;
    std::mutex m;
    std::condition_variable cv;
    b.onCommitted = [&](const Result<CommitResult>& r) {
        std::lock_guard l(m);
        out = r;
        cv.notify_one();
    };
    w.submit(std::move(b));
    std::unique_lock l(m);
    cv.wait(l, [&] { return out.has_value(); });
    return *out;
}

} // namespace vigil::test
