// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "review/evidencesource.h"

#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace vigil::test {

/// An in-memory EvidenceSource that follows the EvidenceQuery contract literally, so the
/// tests double as its executable specification. Records every query it receives.
class FakeEvidenceSource : public EvidenceSource
{
public:
    struct Event
    {
        std::string eventType;
        std::string agent;
        std::int64_t ts = 0;
    };
    struct Finding
    {
        std::string category;
        std::string rule;
        std::string eventType;
        std::string agent;
        std::int64_t ts = 0;
    };
    struct Rejected
    {
        std::string agent; ///< empty: unreadable
        std::int64_t ts = 0;
    };

    std::vector<Event> events;
    std::vector<Finding> findings;
    std::vector<Rejected> rejected;
    std::optional<IamFacts> iamFacts;
    std::vector<SecretRotations> rotations; ///< by secret, as a store would report them
    mutable std::vector<EvidenceQuery> findingQueries;

    /// Adds an event and, when `category` is given, one finding in it.
    void add(const std::string& eventType, const std::string& agent = "brain",
             std::int64_t ts = 1000, const std::string& category = {}, const std::string& rule = {})
    {
        events.push_back({eventType, agent, ts});
        if (!category.empty())
            findings.push_back(
                {category, rule.empty() ? category + ".test" : rule, eventType, agent, ts});
    }

    std::int64_t countFindings(const EvidenceQuery& q) const override
    {
        findingQueries.push_back(q);
        return std::count_if(findings.begin(), findings.end(), [&](const Finding& f) {
            const bool linked = (q.categories.empty() && q.rules.empty()) ||
                                contains(q.categories, f.category) || contains(q.rules, f.rule);
            return linked && matchesEvent(q, f.eventType, f.agent, f.ts);
        });
    }
    std::int64_t countEvents(const EvidenceQuery& q) const override
    {
        return std::count_if(events.begin(), events.end(), [&](const Event& e) {
            return matchesEvent(q, e.eventType, e.agent, e.ts);
        });
    }
    std::int64_t countRejected(const EvidenceQuery& q) const override
    {
        return std::count_if(rejected.begin(), rejected.end(), [&](const Rejected& r) {
            return (q.agent.empty() || q.agent == r.agent) && r.ts >= q.fromMs && r.ts <= q.toMs;
        });
    }
    const IamFacts* iam() const override { return iamFacts ? &*iamFacts : nullptr; }
    std::vector<SecretRotations> secretRotations(const EvidenceQuery& q) const override
    {
        std::vector<SecretRotations> out;
        for (const SecretRotations& r : rotations)
            if (r.lastMs >= q.fromMs && r.lastMs <= q.toMs)
                out.push_back(r);
        return out;
    }

private:
    static bool contains(const std::vector<std::string>& v, const std::string& s)
    {
        return std::find(v.begin(), v.end(), s) != v.end();
    }
    static bool matchesEvent(const EvidenceQuery& q, const std::string& type,
                             const std::string& agent, std::int64_t ts)
    {
        return (q.eventTypes.empty() || contains(q.eventTypes, type)) &&
               (q.agent.empty() || q.agent == agent) && ts >= q.fromMs && ts <= q.toMs;
    }
};

} // namespace vigil::test
