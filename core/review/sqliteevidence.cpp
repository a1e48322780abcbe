// SPDX-License-Identifier: Apache-2.0
#include "review/sqliteevidence.h"

#include "iam/policyreview.h"
#include "iam/policyset.h"
#include "review/strcat.h"
#include "store/database.h"

#include <algorithm>
#include <limits>
#include <map>
#include <utility>
#include <variant>

namespace vigil {

using reviewdetail::cat;

namespace {

std::string joined(const std::vector<std::string>& items, std::string_view separator)
{
    std::string out;
    for (const auto& s : items) {
        if (!out.empty())
            out += separator;
        out += s;
    }
    return out;
}

bool isWildcardKind(iam::ReviewKind k)
{
    using K = iam::ReviewKind;
    return k == K::WildcardAction || k == K::WildcardServiceAction || k == K::WildcardResource ||
           k == K::NotActionAllow || k == K::NotResourceAllow;
}

/// A WHERE clause built from optional filters with its parameters, bound in order. The
/// values stay in the clause, which must outlive the statement (SQLITE_STATIC bindings).
class Clause
{
public:
    void add(std::string condition) { m_parts.push_back(std::move(condition)); }
    void text(std::string_view condition, std::string value)
    {
        add(std::string(condition));
        m_values.emplace_back(std::move(value));
    }
    void integer(std::string_view condition, std::int64_t value)
    {
        add(std::string(condition));
        m_values.emplace_back(value);
    }
    /// `column IN (?, ?, ...)` over `values` (non-empty); the caller adds it.
    std::string in(std::string_view column, const std::vector<std::string>& values)
    {
        std::string out = cat(column, " IN (");
        for (std::size_t i = 0; i < values.size(); ++i) {
            out += i ? ", ?" : "?";
            m_values.emplace_back(values[i]);
        }
        return out + ")";
    }

    std::string where() const
    {
        if (m_parts.empty())
            return {};
        return " WHERE " + joined(m_parts, " AND ");
    }
    /// Binds every parameter from index 1; returns the next free index.
    int bind(SqlStatement& st) const
    {
        int i = 1;
        for (const auto& v : m_values) {
            if (const auto* n = std::get_if<std::int64_t>(&v))
                st.bind(i++, *n);
            else
                st.bindText(i++, std::get<std::string>(v));
        }
        return i;
    }

private:
    std::vector<std::string> m_parts;
    std::vector<std::variant<std::int64_t, std::string>> m_values;
};

/// The single integer `sql` (with `c`'s parameters) yields.
Result<std::int64_t> scalar(Database& db, const std::string& sql, const Clause& c)
{
    auto st = SqlStatement::prepare(db, sql);
    if (!st)
        return std::unexpected(st.error());
    c.bind(*st);
    auto row = st->step();
    if (!row)
        return std::unexpected(row.error());
    return *row ? st->columnInt(0) : 0;
}

void addWindow(Clause& c, std::string_view column, const EvidenceQuery& q)
{
    if (q.fromMs != std::numeric_limits<std::int64_t>::min())
        c.integer(cat(column, " >= ?"), q.fromMs);
    if (q.toMs != std::numeric_limits<std::int64_t>::max())
        c.integer(cat(column, " <= ?"), q.toMs);
}

/// Filters of a findings query (`f` = findings, `e` = events when `join`).
Clause findingsClause(const EvidenceQuery& q)
{
    Clause c;
    // Rejected lines are counted from the quarantine, never as findings (evidencesource.h).
    c.add("f.category <> 'rejected'");
    if (!q.categories.empty() && !q.rules.empty()) {
        std::string cats = c.in("f.category", q.categories);
        std::string rules = c.in("f.rule", q.rules);
        c.add(cat("(", cats, " OR ", rules, ")"));
    } else if (!q.categories.empty()) {
        c.add(c.in("f.category", q.categories));
    } else if (!q.rules.empty()) {
        c.add(c.in("f.rule", q.rules));
    }
    if (!q.eventTypes.empty())
        c.add(c.in("e.event_type", q.eventTypes));
    if (!q.agent.empty())
        c.text("f.agent = ?", q.agent);
    addWindow(c, "f.ts", q);
    return c;
}

Clause eventsClause(const EvidenceQuery& q)
{
    Clause c;
    if (!q.eventTypes.empty())
        c.add(c.in("event_type", q.eventTypes));
    if (!q.agent.empty())
        c.text("agent = ?", q.agent);
    addWindow(c, "ts", q);
    return c;
}

Clause rejectedClause(const EvidenceQuery& q)
{
    Clause c;
    // Quarantined lines have no trusted agent: only an unscoped query sees them.
    if (!q.agent.empty())
        c.add("0");
    addWindow(c, "received_ms", q);
    return c;
}

std::string findingsFrom(const EvidenceQuery& q)
{
    return q.eventTypes.empty() ? " FROM findings f"
                                : " FROM findings f JOIN events e ON e.id = f.event_rowid";
}

constexpr std::string_view kSeverityNames[] = {"low", "medium", "high", "critical"};
constexpr std::string_view kEventSeverityNames[] = {"info", "warning", "error", "critical"};

std::string_view severityName(std::int64_t s, const std::string_view (&names)[4])
{
    return s >= 0 && s <= 3 ? names[s] : std::string_view("?");
}

} // namespace

IamFacts iamFactsFrom(const iam::PolicySet& policies, std::vector<std::string> observedAgents)
{
    IamFacts facts;
    facts.hasBoundary = policies.boundary() != nullptr;
    for (const iam::AgentEntry& a : policies.agents())
        facts.roleByAgent[a.name] = a.role;
    for (const iam::Role& r : policies.roles())
        facts.definedRoles.push_back(r.name);
    facts.observedAgents = std::move(observedAgents);

    // One grant per flagged statement, in review order (roles in file order).
    std::map<std::pair<std::string, int>, bool> seen;
    for (const iam::ReviewItem& item : iam::reviewPolicies(policies)) {
        if (!isWildcardKind(item.kind) || item.statement.source != iam::PolicySource::Role)
            continue;
        const iam::Role* role = policies.role(item.statement.policy);
        const int index = item.statement.index;
        if (!role || index < 0 ||
            static_cast<std::size_t>(index) >= role->policy.statements.size())
            continue;
        if (!seen.emplace(std::pair{role->name, index}, true).second)
            continue;
        const iam::Statement& st = role->policy.statements[static_cast<std::size_t>(index)];
        IamGrant g;
        g.role = role->name;
        g.action = (st.notAction ? "NotAction: " : "") + joined(st.actions, ", ");
        g.resource = (st.notResource ? "NotResource: " : "") + joined(st.resources, ", ");
        facts.wildcardGrants.push_back(std::move(g));
    }
    return facts;
}

SqliteEvidenceSource::SqliteEvidenceSource(Database& db, const iam::PolicySet* policies)
    : m_db(db)
{
    if (!policies)
        return;
    auto agents = observedAgents();
    m_iam = iamFactsFrom(*policies, agents ? std::move(*agents) : std::vector<std::string>{});
}

void SqliteEvidenceSource::remember(const Error& e) const
{
    if (!m_error)
        m_error = e;
}

std::int64_t SqliteEvidenceSource::counted(const Result<std::int64_t>& n) const
{
    if (n)
        return *n;
    remember(n.error());
    return 0;
}

std::int64_t SqliteEvidenceSource::countFindings(const EvidenceQuery& q) const
{
    const Clause c = findingsClause(q);
    return counted(scalar(m_db, "SELECT count(*)" + findingsFrom(q) + c.where(), c));
}

std::int64_t SqliteEvidenceSource::countEvents(const EvidenceQuery& q) const
{
    const Clause c = eventsClause(q);
    return counted(scalar(m_db, "SELECT count(*) FROM events" + c.where(), c));
}

std::vector<SecretRotations> SqliteEvidenceSource::secretRotations(const EvidenceQuery& q) const
{
    EvidenceQuery events = q;
    events.eventTypes = {"security_event"};
    Clause c = eventsClause(events);
    // The type test keeps other security events out before their JSON is read here.
    c.add("json_extract(details, '$.type') = 'secret_rotated'");
    auto st = SqlStatement::prepare(m_db, "SELECT ts, details FROM events" + c.where());
    if (!st) {
        remember(st.error());
        return {};
    }
    c.bind(*st);
    std::map<std::string, SecretRotations> bySecret;
    for (;;) {
        auto row = st->step();
        if (!row) {
            remember(row.error());
            return {};
        }
        if (!*row)
            break;
        const std::string secret = rotatedSecret(st->columnText(1));
        if (secret.empty())
            continue;
        SecretRotations& s = bySecret[secret];
        s.secret = secret;
        s.lastMs = std::max(s.lastMs, st->columnInt(0));
        ++s.count;
    }
    std::vector<SecretRotations> out;
    for (auto& [name, s] : bySecret)
        out.push_back(std::move(s));
    return out;
}

std::int64_t SqliteEvidenceSource::countRejected(const EvidenceQuery& q) const
{
    if (!q.agent.empty())
        return 0; // rejected lines have no trusted agent
    const Clause c = rejectedClause(q);
    return counted(scalar(m_db, "SELECT count(*) FROM quarantine" + c.where(), c));
}

Result<std::vector<std::string>> SqliteEvidenceSource::observedAgents() const
{
    auto st = SqlStatement::prepare(m_db, "SELECT DISTINCT agent FROM events ORDER BY agent");
    if (!st)
        return std::unexpected(st.error());
    std::vector<std::string> out;
    for (;;) {
        auto row = st->step();
        if (!row)
            return std::unexpected(row.error());
        if (!*row)
            break;
        out.push_back(st->columnText(0));
    }
    return out;
}

Result<std::vector<EvidenceRow>> SqliteEvidenceSource::list(const EvidenceListing& listing,
                                                            int limit, int offset) const
{
    std::vector<EvidenceRow> out;
    if (limit <= 0 || listing.target == EvidenceTarget::Iam)
        return out;
    const EvidenceQuery& q = listing.query;
    Clause c;
    std::string sql;
    switch (listing.target) {
    case EvidenceTarget::Findings:
        c = findingsClause(q);
        // A left join: the type filter, when there is one, drops findings without event.
        sql = "SELECT f.id, f.event_rowid, f.ts, f.agent, coalesce(e.event_type, ''), "
              "f.category, f.rule, f.severity, f.field, f.message, coalesce(e.thread_id, '') "
              "FROM findings f LEFT JOIN events e ON e.id = f.event_rowid" +
              c.where() + " ORDER BY f.ts DESC, f.id DESC";
        break;
    case EvidenceTarget::Events:
        c = eventsClause(q);
        sql = "SELECT id, ts, agent, event_type, severity, thread_id FROM events" + c.where() +
              " ORDER BY ts DESC, id DESC";
        break;
    case EvidenceTarget::Rejected:
        c = rejectedClause(q);
        sql = "SELECT id, received_ms, source, coalesce(line_no, 0), reason, message "
              "FROM quarantine" +
              c.where() + " ORDER BY received_ms DESC, id DESC";
        break;
    case EvidenceTarget::Iam:
        return out;
    }
    sql += " LIMIT ? OFFSET ?";
    auto st = SqlStatement::prepare(m_db, sql);
    if (!st)
        return std::unexpected(st.error());
    const int next = c.bind(*st);
    st->bind(next, static_cast<std::int64_t>(limit)).bind(next + 1, static_cast<std::int64_t>(std::max(0, offset)));
    for (;;) {
        auto row = st->step();
        if (!row)
            return std::unexpected(row.error());
        if (!*row)
            break;
        EvidenceRow r;
        r.target = listing.target;
        switch (listing.target) {
        case EvidenceTarget::Findings: {
            r.id = st->columnInt(0);
            r.eventRowId = st->columnInt(1);
            r.timestampMs = st->columnInt(2);
            r.agent = st->columnText(3);
            r.eventType = st->columnText(4);
            r.category = st->columnText(5);
            r.rule = st->columnText(6);
            r.severity = static_cast<int>(st->columnInt(7));
            r.threadId = st->columnText(10);
            const std::string field = st->columnText(8);
            r.summary = cat(r.rule, " (", severityName(r.severity, kSeverityNames), ") in ",
                            field.empty() ? std::string("the event") : field, ": ",
                            st->columnText(9));
            break;
        }
        case EvidenceTarget::Events:
            r.id = st->columnInt(0);
            r.eventRowId = r.id;
            r.timestampMs = st->columnInt(1);
            r.agent = st->columnText(2);
            r.eventType = st->columnText(3);
            r.severity = static_cast<int>(st->columnInt(4));
            r.threadId = st->columnText(5);
            r.summary = cat(r.eventType, " (", severityName(r.severity, kEventSeverityNames),
                            ") by ", r.agent, " in thread ", r.threadId);
            break;
        case EvidenceTarget::Rejected: {
            r.id = st->columnInt(0);
            r.timestampMs = st->columnInt(1);
            r.category = std::string(kRejectedCategory);
            r.rule = st->columnText(4);
            const std::int64_t line = st->columnInt(3);
            r.summary = cat(r.rule, ": ", st->columnText(5), " (", st->columnText(2),
                            line > 0 ? cat(" line ", line) : std::string(), ")");
            break;
        }
        case EvidenceTarget::Iam:
            break;
        }
        out.push_back(std::move(r));
    }
    return out;
}

} // namespace vigil
