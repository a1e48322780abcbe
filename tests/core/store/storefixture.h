// SPDX-License-Identifier: Apache-2.0
// Helpers of the store's read tests (incidents, overview): events and findings built by
// hand (no scanner involved), committed through the real StoreWriter. The event and batch
// helpers are the report tests' (reporttestsupport.h); these add only the shorthands the
// read tests use.
#pragma once

#include "../report/reporttestsupport.h"

namespace vigil::test {

/// makeFinding() with the category taken from the rule id (`pii.email` -> `pii`).
inline Finding finding(const std::string& rule, FindingSeverity sev,
                       const std::string& field = "details.query", int start = -1, int end = -1,
                       int layer = 4)
{
    return makeFinding(rule, rule.substr(0, rule.find('.')), sev, field, start, end, layer);
}

/// Commits `events` as one batch and waits until it is committed.
inline Result<CommitResult> commit(StoreWriter& w, const std::vector<EventSpec>& events)
{
    std::vector<IngestedEvent> batch;
    for (const EventSpec& s : events)
        batch.push_back(makeEvent(s));
    return commit(w, std::move(batch));
}

} // namespace vigil::test
