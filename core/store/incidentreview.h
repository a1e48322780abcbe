// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "base/result.h"
#include "store/database.h"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace vigil {

/// A reviewer's change to incidents: each field that is set replaces the stored one.
struct IncidentReviewChange
{
    std::optional<std::string> status; ///< open | investigating | resolved | false_positive
    std::optional<std::string> assignee;
    std::optional<std::string> notes;
};

/// Whether `status` is one of the four incident states.
bool isIncidentStatus(std::string_view status);

/// Applies `change` to the incidents `ids`, inside the caller's transaction on the writer
/// connection (a StoreWriter task). For every field that actually changes, one
/// incident_history row (time, actor, field, old and new value) is appended to the
/// incident's keyed history chain and the incident is resealed (store/recordseal.h), so
/// `vigil-cli verify` keeps passing; an incident that no longer matched its seal keeps the
/// old seal, so the earlier change stays visible. Fields are applied in the order status,
/// assignee, notes; ids that do not exist are skipped. Refuses an unknown status.
Result<void> updateIncidentReview(Database& db, const std::vector<std::int64_t>& ids,
                                  const IncidentReviewChange& change, std::string_view actor,
                                  std::int64_t nowMs);

} // namespace vigil
