// SPDX-License-Identifier: Apache-2.0
#include "review/checkliststate.h"

#include "review/strcat.h"

namespace vigil {

using reviewdetail::cat;

std::string_view toString(VerdictKind k)
{
    switch (k) {
    case VerdictKind::Pass:
        return "pass";
    case VerdictKind::Fail:
        return "fail";
    case VerdictKind::NotApplicable:
        return "not_applicable";
    }
    return "pass";
}

std::optional<VerdictKind> verdictKindFromString(std::string_view s)
{
    for (const auto k : {VerdictKind::Pass, VerdictKind::Fail, VerdictKind::NotApplicable})
        if (toString(k) == s)
            return k;
    return std::nullopt;
}

Result<void> validateVerdict(const Verdict& v)
{
    if (v.itemId.empty())
        return fail("review.bad_verdict", "a verdict needs a checklist item id");
    if (v.reviewer.empty())
        return fail("review.bad_verdict", cat("verdict on ", v.itemId, ": reviewer is empty"));
    if (v.atMs <= 0)
        return fail("review.bad_verdict", cat("verdict on ", v.itemId, ": time is not set"));
    return {};
}

Result<void> VerdictHistory::append(Verdict v)
{
    if (auto ok = validateVerdict(v); !ok)
        return ok;
    if (!m_entries.empty() &&
        (m_entries.front().itemId != v.itemId || m_entries.front().component != v.component))
        return fail("review.bad_verdict",
                    cat("verdict on ", v.itemId, " does not belong to the history of ",
                        m_entries.front().itemId));
    m_entries.push_back(std::move(v));
    return {};
}

bool isConflict(EvidenceStatus automatic, std::optional<VerdictKind> verdict)
{
    return automatic == EvidenceStatus::Fail && verdict &&
           (*verdict == VerdictKind::Pass || *verdict == VerdictKind::NotApplicable);
}

ChecklistState::ChecklistState(std::vector<ChecklistItem> items, std::string component)
    : m_items(std::move(items)), m_component(std::move(component)),
      m_automatic(m_items.size(), noEvidenceRule()), m_histories(m_items.size())
{
}

void ChecklistState::evaluate(const EvidenceSource& source, const EvidenceScope& window)
{
    EvidenceScope scope = window;
    scope.component = m_component;
    for (std::size_t i = 0; i < m_items.size(); ++i)
        m_automatic[i] = evaluateItem(m_items[i], source, scope);
}

std::optional<std::size_t> ChecklistState::indexOf(std::string_view itemId) const
{
    for (std::size_t i = 0; i < m_items.size(); ++i)
        if (m_items[i].id == itemId)
            return i;
    return std::nullopt;
}

Result<void> ChecklistState::setAutomatic(std::string_view itemId, EvidenceResult result)
{
    const auto i = indexOf(itemId);
    if (!i)
        return fail("review.unknown_item", cat("no checklist item '", itemId, "'"));
    m_automatic[*i] = std::move(result);
    return {};
}

Result<void> ChecklistState::addVerdict(Verdict v)
{
    const auto i = indexOf(v.itemId);
    if (!i)
        return fail("review.unknown_item", cat("no checklist item '", v.itemId, "'"));
    if (v.component != m_component)
        return fail("review.bad_verdict",
                    cat("verdict on ", v.itemId, " is for component '", v.component,
                        "', this review is for '", m_component, "'"));
    return m_histories[*i].append(std::move(v));
}

const VerdictHistory* ChecklistState::history(std::string_view itemId) const
{
    const auto i = indexOf(itemId);
    return i ? &m_histories[*i] : nullptr;
}

ItemState ChecklistState::stateAt(std::size_t i) const
{
    ItemState s;
    s.item = m_items[i];
    s.component = m_component;
    s.automatic = m_automatic[i];
    if (const Verdict* latest = m_histories[i].latest())
        s.verdict = *latest;
    s.verdictCount = m_histories[i].size();
    s.conflict =
        isConflict(s.automatic.status, s.verdict ? std::optional(s.verdict->kind) : std::nullopt);
    return s;
}

std::vector<ItemState> ChecklistState::states() const
{
    std::vector<ItemState> out;
    out.reserve(m_items.size());
    for (std::size_t i = 0; i < m_items.size(); ++i)
        out.push_back(stateAt(i));
    return out;
}

Result<ItemState> ChecklistState::state(std::string_view itemId) const
{
    const auto i = indexOf(itemId);
    if (!i)
        return fail("review.unknown_item", cat("no checklist item '", itemId, "'"));
    return stateAt(*i);
}

} // namespace vigil
