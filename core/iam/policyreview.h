// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "iam/evaluator.h"
#include "iam/policyset.h"
#include "iam/usageaggregator.h"
#include "scan/finding.h"

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace vigil::iam {

/// What a least-privilege review item is about.
enum class ReviewKind : std::uint8_t {
    MissingBoundary,       ///< the file has no permission_boundary
    UnassignedRole,        ///< a role no agent holds
    WildcardAction,        ///< an Allow with Action `*`
    WildcardServiceAction, ///< an Allow with Action `service:*`
    WildcardResource,      ///< an Allow with Resource `*` (any ARN form of it)
    NotActionAllow,        ///< an Allow with NotAction: everything but the list
    NotResourceAllow,      ///< an Allow with NotResource
    ConditionalGrant,      ///< an Allow with a Condition, which Vigil does not evaluate
    DeadGrant,             ///< an Allow the boundary denies or does not allow: it grants nothing
    UnusedGrant,           ///< an Allow no agent holding the role used in the observed window
    MissingTier,           ///< an agent without tier, so escalation is not checked for it
    UnknownAgent,          ///< an agent seen in events that has no role in the file
};

/// `missing_boundary`, `unassigned_role`, `wildcard_action`, `wildcard_service_action`,
/// `wildcard_resource`, `not_action_allow`, `not_resource_allow`, `conditional_grant`,
/// `dead_grant`, `unused_grant`, `missing_tier`, `unknown_agent`.
std::string_view toString(ReviewKind k);

/// One item of the review: a value, safe to hand to the UI thread.
struct ReviewItem
{
    ReviewKind kind = ReviewKind::MissingBoundary;
    FindingSeverity severity = FindingSeverity::Low;
    std::string agent;      ///< the agent concerned (MissingTier, UnknownAgent), else empty
    std::string role;       ///< the role concerned, else empty
    StatementRef statement; ///< the statement concerned, invalid for file-level items
    std::string text;       ///< one line for a reviewer
};

/// Least-privilege review of a policy file, optionally against the observed use of a
/// window of events. Grant-level items (wildcards, NotAction/NotResource allows, conditions,
/// dead grants) need only the file; UnusedGrant and UnknownAgent items are produced only
/// when `usage` is given. Dead grants are judged per action × resource entry on the
/// patterns (boundaryVerdictForGrant); unused grants per action entry of an Allow (or per
/// statement for NotAction), against every agent holding the role. Deterministic order:
/// file-level items, then roles in file order and statements in order, then agents by name.
std::vector<ReviewItem> reviewPolicies(const PolicySet& policies,
                                       const UsageAggregator* usage = nullptr);

} // namespace vigil::iam
