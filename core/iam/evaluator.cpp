// SPDX-License-Identifier: Apache-2.0
#include "iam/evaluator.h"

#include <algorithm>
#include <array>

namespace vigil::iam {

namespace {

constexpr std::string_view kBoundaryName = "permission_boundary";

/// Lowercases into a stack buffer when the text fits, so the hot path does not allocate.
class LowerText
{
public:
    explicit LowerText(std::string_view s)
    {
        char* out = m_buffer.data();
        if (s.size() > m_buffer.size()) {
            m_heap.resize(s.size());
            out = m_heap.data();
        }
        for (std::size_t i = 0; i < s.size(); ++i) {
            const char c = s[i];
            out[i] = (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
        }
        m_view = std::string_view(out, s.size());
    }
    std::string_view view() const noexcept { return m_view; }

private:
    std::array<char, 128> m_buffer{};
    std::string m_heap;
    std::string_view m_view;
};

/// The first matches of one document, split by effect and by condition.
struct Scan
{
    int deny = -1;
    int condDeny = -1;
    int allow = -1;
    int condAllow = -1;
};

Scan scanDocument(const PolicyDocument& doc, std::string_view lowerAction,
                  std::string_view part, bool stopAtDeny) noexcept
{
    Scan s;
    const auto& sts = doc.statements;
    for (std::size_t i = 0; i < sts.size(); ++i) {
        const Statement& st = sts[i];
        if (!st.applies(lowerAction, part))
            continue;
        const int idx = static_cast<int>(i);
        if (st.effect == Effect::Deny) {
            if (!st.hasCondition()) {
                s.deny = idx;
                if (stopAtDeny)
                    return s;
            } else if (s.condDeny < 0) {
                s.condDeny = idx;
            }
        } else if (!st.hasCondition()) {
            if (s.allow < 0)
                s.allow = idx;
        } else if (s.condAllow < 0) {
            s.condAllow = idx;
        }
    }
    return s;
}

} // namespace

std::string StatementRef::label() const
{
    if (!isValid())
        return {};
    std::string out = policy + ".Statement[" + std::to_string(index) + "]";
    if (!sid.empty())
        out += " (Sid " + sid + ")";
    return out;
}

std::string_view toString(Decision::Kind k)
{
    switch (k) {
    case Decision::Allowed:
        return "allowed";
    case Decision::Conditional:
        return "conditional";
    case Decision::ExplicitDeny:
        return "explicit_deny";
    case Decision::BoundaryDeny:
        return "boundary_deny";
    case Decision::BoundaryNotAllowed:
        return "boundary_not_allowed";
    case Decision::NotGranted:
        return "not_granted";
    case Decision::UnknownAgent:
        return "unknown_agent";
    }
    return "not_granted";
}

StatementRef makeStatementRef(PolicySource source, std::string_view policyName,
                              const PolicyDocument& doc, int index)
{
    StatementRef ref;
    if (index < 0 || static_cast<std::size_t>(index) >= doc.statements.size())
        return ref;
    const Statement& st = doc.statements[static_cast<std::size_t>(index)];
    ref.source = source;
    ref.policy = std::string(policyName);
    ref.index = index;
    ref.sid = st.sid;
    ref.text = st.text;
    return ref;
}

Evaluator::Evaluator(std::shared_ptr<const PolicySet> policies) : m_policies(std::move(policies))
{
    if (!m_policies)
        m_policies = std::make_shared<const PolicySet>();
}

DecisionCode Evaluator::decide(std::string_view agent, std::string_view action,
                               std::string_view resource) const
{
    const AgentEntry* a = m_policies->agent(agent);
    if (!a)
        return DecisionCode{Decision::UnknownAgent, PolicySource::None, -1, -1};
    const LowerText lower(action);
    return decideLower(a->roleIndex, lower.view(), resourcePart(resource));
}

DecisionCode Evaluator::decideForRole(std::size_t roleIndex, std::string_view action,
                                      std::string_view resource) const
{
    if (roleIndex >= m_policies->roles().size())
        return DecisionCode{Decision::UnknownAgent, PolicySource::None, -1, -1};
    const LowerText lower(action);
    return decideLower(roleIndex, lower.view(), resourcePart(resource));
}

DecisionCode Evaluator::decideLower(std::size_t roleIndex, std::string_view lowerAction,
                                    std::string_view part) const noexcept
{
    const int role = static_cast<int>(roleIndex);
    const PolicyDocument& doc = m_policies->roles()[roleIndex].policy;
    const Scan r = scanDocument(doc, lowerAction, part, true);
    if (r.deny >= 0)
        return DecisionCode{Decision::ExplicitDeny, PolicySource::Role, role, r.deny};

    const PolicyDocument* boundary = m_policies->boundary();
    Scan b;
    if (boundary) {
        b = scanDocument(*boundary, lowerAction, part, true);
        if (b.deny >= 0)
            return DecisionCode{Decision::BoundaryDeny, PolicySource::Boundary, role, b.deny};
    }
    if (r.allow < 0 && r.condAllow < 0)
        return DecisionCode{Decision::NotGranted, PolicySource::None, role, -1};
    const int roleAllow = r.allow >= 0 ? r.allow : r.condAllow;
    if (boundary && b.allow < 0 && b.condAllow < 0)
        return DecisionCode{Decision::BoundaryNotAllowed, PolicySource::Role, role, roleAllow};
    // From here the request would be allowed; a Condition anywhere on the path makes it
    // conditional. Report the role's own condition first, then a conditional Deny, then the
    // boundary's conditional Allow.
    if (r.allow < 0)
        return DecisionCode{Decision::Conditional, PolicySource::Role, role, r.condAllow};
    if (r.condDeny >= 0)
        return DecisionCode{Decision::Conditional, PolicySource::Role, role, r.condDeny};
    if (boundary && b.condDeny >= 0)
        return DecisionCode{Decision::Conditional, PolicySource::Boundary, role, b.condDeny};
    if (boundary && b.allow < 0)
        return DecisionCode{Decision::Conditional, PolicySource::Boundary, role, b.condAllow};
    return DecisionCode{Decision::Allowed, PolicySource::Role, role, r.allow};
}

const Statement* Evaluator::statementOf(const DecisionCode& code) const noexcept
{
    if (code.statement < 0)
        return nullptr;
    const PolicyDocument* doc = nullptr;
    if (code.source == PolicySource::Boundary)
        doc = m_policies->boundary();
    else if (code.source == PolicySource::Role && code.role >= 0 &&
             static_cast<std::size_t>(code.role) < m_policies->roles().size())
        doc = &m_policies->roles()[static_cast<std::size_t>(code.role)].policy;
    if (!doc || static_cast<std::size_t>(code.statement) >= doc->statements.size())
        return nullptr;
    return &doc->statements[static_cast<std::size_t>(code.statement)];
}

Decision Evaluator::expand(const DecisionCode& code) const
{
    Decision d;
    d.kind = code.kind;
    if (code.source == PolicySource::Boundary && m_policies->boundary())
        d.deciding = makeStatementRef(PolicySource::Boundary, kBoundaryName, *m_policies->boundary(),
                                      code.statement);
    else if (code.source == PolicySource::Role && code.role >= 0 &&
             static_cast<std::size_t>(code.role) < m_policies->roles().size()) {
        const Role& r = m_policies->roles()[static_cast<std::size_t>(code.role)];
        d.deciding = makeStatementRef(PolicySource::Role, r.name, r.policy, code.statement);
    }
    return d;
}

Decision Evaluator::evaluate(std::string_view agent, std::string_view action,
                             std::string_view resource) const
{
    return expand(decide(agent, action, resource));
}

namespace {

bool coversAll(const Statement& st, bool actions, std::string_view pattern)
{
    const auto& pats = actions ? st.actionPatterns : st.resourcePatterns;
    const bool negated = actions ? st.notAction : st.notResource;
    if (negated) // applies to all of `pattern` when no excluded entry overlaps it
        return std::none_of(pats.begin(), pats.end(),
                            [&](const GlobPattern& p) { return globsIntersect(p.text(), pattern); });
    return std::any_of(pats.begin(), pats.end(),
                       [&](const GlobPattern& p) { return globCovers(p.text(), pattern); });
}

bool overlaps(const Statement& st, bool actions, std::string_view pattern)
{
    const auto& pats = actions ? st.actionPatterns : st.resourcePatterns;
    const bool negated = actions ? st.notAction : st.notResource;
    if (negated) // misses all of `pattern` only when one excluded entry covers it
        return std::none_of(pats.begin(), pats.end(),
                            [&](const GlobPattern& p) { return globCovers(p.text(), pattern); });
    return std::any_of(pats.begin(), pats.end(),
                       [&](const GlobPattern& p) { return globsIntersect(p.text(), pattern); });
}

} // namespace

BoundaryVerdict boundaryVerdictForGrant(const PolicyDocument* boundary,
                                        std::string_view lowerActionPattern,
                                        std::string_view resourcePattern, int* decidingIndex)
{
    if (decidingIndex)
        *decidingIndex = -1;
    if (!boundary)
        return BoundaryVerdict::Permits;
    const auto& sts = boundary->statements;
    for (std::size_t i = 0; i < sts.size(); ++i) {
        const Statement& st = sts[i];
        if (st.effect == Effect::Deny && !st.hasCondition() &&
            coversAll(st, true, lowerActionPattern) && coversAll(st, false, resourcePattern)) {
            if (decidingIndex)
                *decidingIndex = static_cast<int>(i);
            return BoundaryVerdict::Blocked;
        }
    }
    for (std::size_t i = 0; i < sts.size(); ++i) {
        const Statement& st = sts[i];
        if (st.effect == Effect::Allow && overlaps(st, true, lowerActionPattern) &&
            overlaps(st, false, resourcePattern))
            return BoundaryVerdict::Permits;
    }
    return BoundaryVerdict::NotAllowed;
}

} // namespace vigil::iam
