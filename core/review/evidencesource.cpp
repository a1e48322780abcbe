// SPDX-License-Identifier: Apache-2.0
#include "review/evidencesource.h"

#include <algorithm>
#include <array>

namespace vigil {

namespace {
// model_extraction: the session rules' category (resources/rules/model_extraction.json),
// so that a threat row can link it.
constexpr std::array<std::string_view, 11> kCategories{
    "injection", "pii",    "secret", "sql_mutation",         "log_injection",
    "length",    "schema", "iam",    "privilege_escalation", "model_extraction",
    "rejected"};
} // namespace

std::span<const std::string_view> knownFindingCategories()
{
    return kCategories;
}

bool isKnownFindingCategory(std::string_view category)
{
    return std::find(kCategories.begin(), kCategories.end(), category) != kCategories.end();
}

bool isFindingRuleId(std::string_view id)
{
    bool segmentStart = true;
    int segments = 1;
    for (std::size_t i = 0; i < id.size(); ++i) {
        const char c = id[i];
        const bool lower = c >= 'a' && c <= 'z';
        const bool digit = c >= '0' && c <= '9';
        if (c == '.') {
            if (segmentStart)
                return false; // empty segment
            segmentStart = true;
            ++segments;
            continue;
        }
        if (i == 0 && !lower)
            return false;
        if (!lower && !digit && c != '_' && c != '-')
            return false;
        segmentStart = false;
    }
    return !id.empty() && !segmentStart && segments >= 2;
}

bool isEventType(std::string_view type)
{
    if (type.empty() || type.size() > 64 || type[0] < 'a' || type[0] > 'z')
        return false;
    return std::all_of(type.begin(), type.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '-';
    });
}

std::int64_t countLinkedFindings(const std::vector<std::string>& links,
                                 const EvidenceSource& source, const EvidenceQuery& base)
{
    EvidenceQuery q = base;
    q.categories.clear();
    q.rules.clear();
    bool rejected = false;
    for (const auto& link : links) {
        if (link == kRejectedCategory)
            rejected = true;
        else if (link.find('.') != std::string::npos)
            q.rules.push_back(link);
        else
            q.categories.push_back(link);
    }
    std::int64_t total = 0;
    // Both lists empty would mean "any finding" to countFindings; no links means none.
    if (!q.categories.empty() || !q.rules.empty())
        total += source.countFindings(q);
    if (rejected)
        total += source.countRejected(q);
    return total;
}

} // namespace vigil
