// SPDX-License-Identifier: Apache-2.0
#include "iam/permissionmap.h"

#include "iam/evaluator.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <map>
#include <memory>
#include <set>

namespace vigil::iam {

std::string_view toString(CellState s)
{
    switch (s) {
    case CellState::AllowedUsed:
        return "allowed_used";
    case CellState::AllowedUnused:
        return "allowed_unused";
    case CellState::DeniedAttempted:
        return "denied_attempted";
    case CellState::BoundaryBlocked:
        return "boundary_blocked";
    case CellState::ExplicitDeny:
        return "explicit_deny";
    case CellState::Conditional:
        return "conditional";
    }
    return "allowed_unused";
}

namespace {

constexpr std::string_view kBoundaryName = "permission_boundary";

std::string notList(const std::vector<std::string>& v)
{
    std::string out = "NOT ";
    for (std::size_t i = 0; i < v.size(); ++i) {
        if (i)
            out += ", ";
        out += v[i];
    }
    return out;
}

/// Index of the first entry of `pats` matching `text`, 0 for a negated list (one entry).
std::size_t entryOf(const std::vector<GlobPattern>& pats, bool negated, std::string_view text)
{
    if (negated)
        return 0;
    for (std::size_t i = 0; i < pats.size(); ++i)
        if (pats[i].matches(text))
            return i;
    return 0;
}

class Builder
{
public:
    Builder(const PolicySet& p, const UsageAggregator* usage)
        : m_p(p),
          // Aliasing constructor: a non-owning pointer, valid for the duration of build().
          m_eval(std::shared_ptr<const PolicySet>(std::shared_ptr<const PolicySet>(), &p))
    {
        if (usage)
            m_entries = usage->entries();
    }

    std::vector<PermissionRow> run()
    {
        std::set<std::string> names;
        for (const AgentEntry& a : m_p.agents())
            names.insert(a.name);
        for (const UsageEntry& e : m_entries)
            names.insert(e.agent);
        for (const std::string& name : names)
            buildAgent(name);
        return std::move(m_rows);
    }

private:
    struct GrantKey
    {
        std::size_t statement;
        std::size_t action;
        std::size_t resource;
        auto operator<=>(const GrantKey&) const = default;
    };

    void buildAgent(const std::string& name)
    {
        std::map<GrantKey, std::size_t> grants;
        const AgentEntry* agent = m_p.agent(name);
        if (agent) {
            const Role& role = m_p.roles()[agent->roleIndex];
            for (std::size_t i = 0; i < role.policy.statements.size(); ++i)
                addGrantRows(name, role, i, grants);
        }
        for (const UsageEntry& e : m_entries)
            if (e.agent == name)
                addUse(e, grants);
    }

    void addGrantRows(const std::string& agent, const Role& role, std::size_t i,
                      std::map<GrantKey, std::size_t>& grants)
    {
        const Statement& st = role.policy.statements[i];
        const StatementRef ref =
            makeStatementRef(PolicySource::Role, role.name, role.policy, static_cast<int>(i));
        const std::string label = ref.label();
        const std::size_t na = st.notAction ? 1 : st.actions.size();
        const std::size_t nr = st.notResource ? 1 : st.resources.size();
        for (std::size_t a = 0; a < na; ++a) {
            for (std::size_t r = 0; r < nr; ++r) {
                PermissionRow row;
                row.agent = agent;
                row.action = st.notAction ? notList(st.actions) : st.actions[a];
                row.resource = st.notResource ? notList(st.resources) : st.resources[r];
                row.statement = label;
                row.fromPolicy = true;
                row.statements.push_back(ref);
                int boundaryIndex = -1;
                if (st.hasCondition())
                    row.state = CellState::Conditional;
                else if (st.effect == Effect::Deny)
                    row.state = CellState::ExplicitDeny;
                else if (!st.notAction && !st.notResource &&
                         boundaryVerdictForGrant(m_p.boundary(), st.actionPatterns[a].text(),
                                                 st.resourcePatterns[r].text(), &boundaryIndex) !=
                             BoundaryVerdict::Permits)
                    row.state = CellState::BoundaryBlocked;
                else
                    row.state = CellState::AllowedUnused;
                if (row.state == CellState::BoundaryBlocked && boundaryIndex >= 0)
                    row.statements.push_back(makeStatementRef(PolicySource::Boundary, kBoundaryName,
                                                              *m_p.boundary(), boundaryIndex));
                grants.emplace(GrantKey{i, a, r}, m_rows.size());
                m_rows.push_back(std::move(row));
            }
        }
    }

    /// Adds `count` to the grant row of role statement `code.statement` that covers the use.
    bool creditGrant(const DecisionCode& code, const UsageEntry& e,
                     std::map<GrantKey, std::size_t>& grants)
    {
        const Statement* st = m_eval.statementOf(code);
        if (!st || code.source != PolicySource::Role)
            return false;
        const std::size_t a =
            entryOf(st->actionPatterns, st->notAction, asciiLower(e.action));
        const std::size_t r =
            entryOf(st->resourcePatterns, st->notResource, resourcePart(e.resource));
        const auto it = grants.find(GrantKey{static_cast<std::size_t>(code.statement), a, r});
        if (it == grants.end())
            return false;
        PermissionRow& row = m_rows[it->second];
        row.observed += e.count;
        addRefs(row, e);
        if (row.state == CellState::AllowedUnused)
            row.state = CellState::AllowedUsed;
        return true;
    }

    static void addRefs(PermissionRow& row, const UsageEntry& e)
    {
        for (std::int64_t ref : e.eventRefs) {
            if (row.eventRefs.size() >= PermissionMap::kMaxRowRefs)
                return;
            row.eventRefs.push_back(ref);
        }
    }

    void addAttempt(const UsageEntry& e, CellState state, std::string statement,
                    const StatementRef& deciding)
    {
        PermissionRow row;
        row.agent = e.agent;
        row.action = e.action;
        row.resource = e.resource;
        row.state = state;
        row.statement = std::move(statement);
        row.observed = e.count;
        row.fromPolicy = false;
        if (deciding.isValid())
            row.statements.push_back(deciding);
        addRefs(row, e);
        m_rows.push_back(std::move(row));
    }

    void addUse(const UsageEntry& e, std::map<GrantKey, std::size_t>& grants)
    {
        const DecisionCode code = m_eval.decide(e.agent, e.action, e.resource);
        const StatementRef deciding = m_eval.expand(code).deciding;
        const std::string label = deciding.label();
        switch (code.kind) {
        case Decision::Allowed:
            if (!creditGrant(code, e, grants))
                addAttempt(e, CellState::AllowedUsed, label, deciding);
            break;
        case Decision::Conditional: {
            const Statement* st = m_eval.statementOf(code);
            if (!(st && st->effect == Effect::Allow && creditGrant(code, e, grants)))
                addAttempt(e, CellState::Conditional, label, deciding);
            break;
        }
        case Decision::ExplicitDeny:
            creditGrant(code, e, grants);
            addAttempt(e, CellState::ExplicitDeny, label, deciding);
            break;
        case Decision::BoundaryDeny:
            addAttempt(e, CellState::BoundaryBlocked, label, deciding);
            break;
        case Decision::BoundaryNotAllowed:
            addAttempt(e, CellState::BoundaryBlocked, std::string(kBoundaryName), deciding);
            break;
        case Decision::NotGranted:
        case Decision::UnknownAgent:
            addAttempt(e, CellState::DeniedAttempted, {}, {});
            break;
        }
    }

    const PolicySet& m_p;
    Evaluator m_eval;
    std::vector<UsageEntry> m_entries;
    std::vector<PermissionRow> m_rows;
};

std::string csvCell(std::string_view v)
{
    std::string s(v);
    if (!s.empty() && (s[0] == '=' || s[0] == '+' || s[0] == '-' || s[0] == '@' || s[0] == '\t' ||
                       s[0] == '\r'))
        s.insert(s.begin(), '\'');
    if (s.find_first_of(",\"\r\n") == std::string::npos && (s.empty() || (s.front() != ' ' && s.back() != ' ')))
        return s;
    std::string out = "\"";
    for (char c : s) {
        if (c == '"')
            out += "\"\"";
        else
            out.push_back(c);
    }
    out += '"';
    return out;
}

} // namespace

PermissionMap PermissionMap::build(const PolicySet& policies, const UsageAggregator* usage)
{
    PermissionMap map;
    map.m_rows = Builder(policies, usage).run();
    return map;
}

std::string PermissionMap::toJson() const
{
    nlohmann::ordered_json arr = nlohmann::ordered_json::array();
    for (const PermissionRow& r : m_rows) {
        nlohmann::ordered_json o;
        o["agent"] = r.agent;
        o["action"] = r.action;
        o["resource"] = r.resource;
        o["decision"] = std::string(toString(r.state));
        if (r.statement.empty())
            o["statement"] = nullptr;
        else
            o["statement"] = r.statement;
        o["observed"] = r.observed;
        arr.push_back(std::move(o));
    }
    return arr.dump(2, ' ', false, nlohmann::ordered_json::error_handler_t::replace) + "\n";
}

std::string PermissionMap::toCsv() const
{
    std::string out = "agent,action,resource,decision,statement,observed\n";
    for (const PermissionRow& r : m_rows) {
        out += csvCell(r.agent);
        out += ',';
        out += csvCell(r.action);
        out += ',';
        out += csvCell(r.resource);
        out += ',';
        out += toString(r.state);
        out += ',';
        out += csvCell(r.statement);
        out += ',';
        out += std::to_string(r.observed);
        out += '\n';
    }
    return out;
}

} // namespace vigil::iam
