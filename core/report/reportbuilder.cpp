// SPDX-License-Identifier: Apache-2.0
#include "report/reportbuilder.h"

#include "base/maestro.h"
#include "base/timeutil.h"
#include "iam/permissionmap.h"
#include "iam/policyset.h"
#include "iam/usageaggregator.h"
#include "report/excerpt.h"
#include "report/findingexport.h"
#include "review/checklist.h"
#include "review/checkliststate.h"
#include "review/reviewoutput.h"
#include "review/reviewstore.h"
#include "review/sqliteevidence.h"
#include "review/threatmatrix.h"
#include "store/chain.h"
#include "store/chainverifier.h"
#include "store/incidentstore.h"
#include "store/receipt.h"
#include "store/retention.h"
#include "store/suppression.h"

#include <algorithm>
#include <deque>
#include <filesystem>
#include <limits>
#include <map>
#include <set>

namespace vigil {
namespace {

constexpr const char* kSeverity[] = {"low", "medium", "high", "critical"};
/// Event types whose logs SOC 2 audit logging wants kept a year (the guide's 365-day rows).
constexpr const char* kYearTypes[] = {"sql_executed", "human_escalation", "security_event",
                                      "tool_call"};

std::string severityName(std::int64_t s)
{
    return kSeverity[std::clamp<std::int64_t>(s, 0, 3)];
}
std::string num(std::int64_t n)
{
    return std::to_string(n);
}
std::string plural(std::int64_t n, const std::string& one, const std::string& many)
{
    return std::to_string(n) + " " + (n == 1 ? one : many);
}

/// A prepared query with positional parameters, for the many small counts of a report.
class Query
{
public:
    Query(Database& db, std::string_view sql) : m_st(SqlStatement::prepare(db, sql)) {}
    Query& bind(std::int64_t v)
    {
        if (m_st)
            m_st->bind(++m_index, v);
        return *this;
    }
    Query& text(const std::string& v)
    {
        m_texts.push_back(v);
        if (m_st)
            m_st->bindText(++m_index, m_texts.back());
        return *this;
    }
    /// Steps once; false at the end or on error (check ok()).
    bool next()
    {
        if (!m_st)
            return false;
        auto r = m_st->step();
        if (!r)
            m_error = r.error();
        return r && *r;
    }
    std::int64_t integer(int col) const { return m_st->columnInt(col); }
    std::string str(int col) const { return m_st->columnText(col); }
    bool isNull(int col) const { return m_st->columnIsNull(col); }
    std::int64_t scalar() { return next() ? integer(0) : 0; }
    std::optional<Error> error() const
    {
        if (!m_st)
            return m_st.error();
        return m_error;
    }

private:
    Result<SqlStatement> m_st;
    int m_index = 0;
    std::deque<std::string> m_texts; // stable addresses for SQLITE_STATIC binding
    std::optional<Error> m_error;
};

/// One run of a checklist (the system's, or one component's) as the report shows it.
struct ChecklistRun
{
    std::string checklist; ///< `maestro`, `plugin`, `production`
    std::string title;     ///< the checklist's title
    std::string component; ///< empty: the whole system
    std::vector<ItemState> states;
};

/// One recorded verdict, and whether it still stands.
struct VerdictEntry
{
    StoredVerdict stored;
    bool current = false; ///< the latest of its item and component
};

/// Everything several sections share, gathered once.
struct Facts
{
    std::int64_t from = std::numeric_limits<std::int64_t>::min();
    std::int64_t to = std::numeric_limits<std::int64_t>::max();
    std::int64_t now = 0;
    std::int64_t events = 0;
    std::int64_t tombstones = 0;
    std::int64_t rejected = 0;
    std::int64_t findings = 0;
    std::map<std::string, std::int64_t> byCategory;
    std::vector<IncidentRow> incidents; ///< overlapping the window, most severe first
    std::map<std::string, std::int64_t> incidentsByStatus;
    std::map<std::int64_t, std::int64_t> incidentsBySeverity;
    RetentionPolicy retention;
    std::vector<Receipt> receipts;
    bool chainIntact = false;
    bool chainBroken = false;
    MuteScope mute;                          ///< mute rules in force at `now`
    std::vector<SuppressionRule> suppressions; ///< every stored rule, removed ones too
    std::map<std::int64_t, std::int64_t> suppressedInWindow; ///< rule -> findings it matches
    std::int64_t mutedFindings = 0;          ///< findings of the window muted at `now`
    std::int64_t mutedIncidents = 0;         ///< incidents left out: all their findings muted
    std::optional<IamFacts> iam;
    std::vector<ItemState> production;
    // The review, gathered for the full report only:
    std::vector<ChecklistRun> reviewRuns; ///< MAESTRO and plugin: the system, then components
    std::vector<VerdictEntry> verdictLog; ///< every verdict ever recorded, in recording order
};

class Builder
{
public:
    Builder(Database& db, const ReportRequest& r) : m_db(db), m_req(r) {}

    Result<ReportDocument> build(bool metaOnly);

private:
    Result<void> gatherMeta(ReportDocument& doc);
    Result<void> gatherFacts();
    Result<void> gatherReview();
    bool cancelled() const { return m_req.cancelled && m_req.cancelled(); }

    ReportSection overview();
    ReportSection soc2();
    ReportSection production();
    ReportSection checklist(std::string_view id, std::string sectionId);
    ReportSection maestroChecklist() { return checklist("maestro", "maestro-checklist"); }
    ReportSection pluginChecklist() { return checklist("plugin", "plugin-checklist"); }
    ReportSection verdicts();
    ReportSection incidents();
    std::vector<ReportTable> incidentTriage();
    ReportSection gdprErasure();
    ReportSection gdprRetention();
    ReportSection gdprMinimization();
    ReportSection threats();
    ReportSection iamMap();
    ReportSection suppressionRules();

    ReportChart findingsChart() const;
    std::string excerptFor(std::int64_t eventRow, const std::string& field, int start, int end,
                           const std::string& details);
    const ItemState* productionItem(std::string_view id) const;
    std::string itemStatusText(std::string_view id) const;

    Database& m_db;
    const ReportRequest& m_req;
    Facts m_f;
};

// ---- gathering ---------------------------------------------------------------------------

Result<void> Builder::gatherMeta(ReportDocument& doc)
{
    ReportMeta& m = doc.meta;
    m.kind = m_req.kind;
    static const std::map<ReportKind, std::string> kTitles{
        {ReportKind::Soc2, "SOC 2 compliance report"},
        {ReportKind::Gdpr, "GDPR compliance report"},
        {ReportKind::Production, "Production readiness report"},
        {ReportKind::Incidents, "Incident report"},
        {ReportKind::Full, "Security and compliance report (full)"},
    };
    m.title = kTitles.at(m_req.kind);
    m.generatedMs = m_f.now;
    m.database = m_req.databaseName.empty() ? std::filesystem::path(m_db.path()).filename().string()
                                            : m_req.databaseName;
    m.vigilVersion = m_req.vigilVersion;
    m.redacted = m_req.redact;
    m.layerNaming = m_req.layerNaming;
    if (auto uuid = databaseUuid(m_db); uuid && *uuid)
        m.databaseUuid = **uuid;

    Query range(m_db, "SELECT min(ts), max(ts) FROM events");
    if (range.next() && !range.isNull(0)) {
        m_f.from = m_req.fromMs.value_or(range.integer(0));
        m_f.to = m_req.toMs.value_or(range.integer(1));
    } else {
        if (m_req.fromMs)
            m_f.from = *m_req.fromMs;
        if (m_req.toMs)
            m_f.to = *m_req.toMs;
    }
    if (auto e = range.error())
        return std::unexpected(*e);
    if (m_f.from != std::numeric_limits<std::int64_t>::min())
        m.fromMs = m_f.from;
    if (m_f.to != std::numeric_limits<std::int64_t>::max())
        m.toMs = m_f.to;

    auto head = readChainHead(m_db);
    if (!head)
        return std::unexpected(head.error());
    m.chainHead = head->link ? toHex(*head->link) : std::string();
    m.chainEvents = head->events;
    if (!m_req.verifyChain) {
        m.chainStatus = "not verified: the check was not requested";
    } else if (auto v = verifyChain(m_db); !v) {
        m.chainStatus = "not verified: " + v.error().message;
    } else if (v->intact) {
        m.chainStatus =
            "intact (" + plural(v->events, "stored event", "stored events") + " checked)";
        m_f.chainIntact = true;
    } else {
        m.chainStatus = v->position > 0 ? "broken at event " + num(v->position) + ": " + v->reason
                                        : "broken: " + v->reason;
        m_f.chainBroken = true;
    }

    Query events(
        m_db, "SELECT count(*), count(NULLIF(erased, 0)) FROM events WHERE ts >= ?1 AND ts <= ?2");
    events.bind(m_f.from).bind(m_f.to);
    if (events.next()) {
        m_f.events = events.integer(0);
        m_f.tombstones = events.integer(1);
    }
    if (auto e = events.error())
        return std::unexpected(*e);
    m.eventsInWindow = m_f.events;
    return {};
}

Result<void> Builder::gatherFacts()
{
    Query rejected(m_db,
                   "SELECT count(*) FROM quarantine WHERE received_ms >= ?1 AND received_ms <= ?2");
    m_f.rejected = rejected.bind(m_f.from).bind(m_f.to).scalar();
    Query cats(m_db, "SELECT category, count(*) FROM findings WHERE ts >= ?1 AND ts <= ?2 "
                     "GROUP BY category ORDER BY category");
    cats.bind(m_f.from).bind(m_f.to);
    while (cats.next()) {
        m_f.byCategory[cats.str(0)] = cats.integer(1);
        m_f.findings += cats.integer(1);
    }
    if (auto e = cats.error())
        return std::unexpected(*e);

    // Muted findings leave incident counts and severities; an incident all of whose
    // findings are muted leaves the report's incidents (and is counted apart).
    auto scope = muteScope(m_db, m_f.now);
    if (!scope)
        return std::unexpected(scope.error());
    m_f.mute = *scope;
    auto rules = listSuppressions(m_db, true);
    if (!rules)
        return std::unexpected(rules.error());
    m_f.suppressions = std::move(*rules);
    if (!m_f.suppressions.empty()) {
        auto counts = suppressionFindingCounts(m_db, std::pair{m_f.from, m_f.to});
        if (!counts)
            return std::unexpected(counts.error());
        m_f.suppressedInWindow = std::move(*counts);
    }
    if (m_f.mute.any) {
        Query muted(m_db, "SELECT count(*) FROM findings f WHERE f.ts >= ?1 AND f.ts <= ?2 AND " +
                              mutedFindingSql(m_f.mute, "f"));
        m_f.mutedFindings = muted.bind(m_f.from).bind(m_f.to).scalar();
        if (auto e = muted.error())
            return std::unexpected(*e);
    }
    // The incidents as reviewers read them (store/incidentstore.h), with their triage.
    IncidentFilter filter;
    filter.limit = -1;
    auto incidents = listIncidents(m_db, filter, m_f.mute);
    if (!incidents)
        return std::unexpected(incidents.error());
    std::erase_if(*incidents, [&](const IncidentRow& r) {
        return r.lastMs < m_f.from || r.firstMs > m_f.to; // not active in the window
    });
    std::ranges::stable_sort(*incidents, [](const IncidentRow& a, const IncidentRow& b) {
        if (a.severity != b.severity)
            return a.severity > b.severity;
        if (a.lastMs != b.lastMs)
            return a.lastMs > b.lastMs;
        return a.id < b.id;
    });
    for (IncidentRow& r : *incidents) {
        if (m_f.mute.any && r.findings == 0) {
            ++m_f.mutedIncidents;
            continue;
        }
        ++m_f.incidentsByStatus[r.status];
        ++m_f.incidentsBySeverity[std::clamp(r.severity, 0, 3)];
        m_f.incidents.push_back(std::move(r));
    }

    auto retention = loadRetention(m_db);
    if (!retention)
        return std::unexpected(retention.error());
    m_f.retention = *retention;
    auto receipts = readReceipts(m_db);
    if (!receipts)
        return std::unexpected(receipts.error());
    m_f.receipts = *receipts;

    // The production checklist, with retention judged here (the one item the store knows).
    auto checklist = loadChecklist("production");
    if (!checklist)
        return std::unexpected(checklist.error());
    ChecklistState state(checklist->items);
    SqliteEvidenceSource source(m_db, m_req.policies.get());
    if (source.iam())
        m_f.iam = *source.iam();
    state.evaluate(source, EvidenceScope{"", m_f.from, m_f.to});
    EvidenceResult retentionResult;
    retentionResult.ruleId = "retention_policy";
    std::vector<std::string> shortOnes;
    for (const char* t : kYearTypes)
        if (m_f.retention.daysFor(t) < 365)
            shortOnes.push_back(std::string(t) + " " + num(m_f.retention.daysFor(t)) + " d");
    for (const char* s : {"findings", "incidents"})
        if (m_f.retention.scopeDays(s) < 365)
            shortOnes.push_back(std::string(s) + " " + num(m_f.retention.scopeDays(s)) + " d");
    retentionResult.status = shortOnes.empty() ? EvidenceStatus::Pass : EvidenceStatus::Fail;
    retentionResult.count = static_cast<std::int64_t>(shortOnes.size());
    if (shortOnes.empty()) {
        retentionResult.reason = "security, SQL, escalation and tool-call logs, findings and "
                                 "incidents are kept at least 365 days";
    } else {
        retentionResult.reason = "kept less than 365 days:";
        for (const std::string& s : shortOnes)
            retentionResult.reason += " " + s + ";";
        retentionResult.reason.pop_back();
    }
    (void)state.setAutomatic("production.audit.3", retentionResult);

    if (auto r = ReviewStore::loadVerdicts(m_db, state); !r)
        return std::unexpected(r.error());
    if (source.lastError())
        return std::unexpected(*source.lastError());
    m_f.production = state.states();
    if (m_req.kind == ReportKind::Full)
        return gatherReview();
    return {};
}

Result<void> Builder::gatherReview()
{
    auto checklists = loadChecklists();
    if (!checklists)
        return std::unexpected(checklists.error());
    auto named = ReviewStore::verdictComponents(m_db);
    if (!named)
        return std::unexpected(named.error());
    std::vector<std::string> components{""};
    components.insert(components.end(), named->begin(), named->end());
    std::map<std::string, std::vector<StoredVerdict>> byComponent;
    for (const std::string& c : components) {
        auto v = ReviewStore::verdicts(m_db, c);
        if (!v)
            return std::unexpected(v.error());
        byComponent[c] = std::move(*v);
    }

    // MAESTRO and plugin checklists run per component: the system's run, and one for each
    // component a reviewer gave verdicts on that checklist's items.
    SqliteEvidenceSource source(m_db, m_req.policies.get());
    for (const Checklist& list : *checklists) {
        if (list.id == "production")
            continue; // gatherFacts() judged it, with retention
        for (const std::string& c : components) {
            const auto& given = byComponent[c];
            if (!c.empty() && (list.scope == ChecklistScope::System ||
                               std::ranges::none_of(given, [&](const StoredVerdict& v) {
                                   return v.verdict.itemId.starts_with(list.id + ".");
                               })))
                continue;
            ChecklistState state(list.items, c);
            state.evaluate(source, EvidenceScope{"", m_f.from, m_f.to});
            if (auto r = ReviewStore::loadVerdicts(m_db, state); !r)
                return std::unexpected(r.error());
            m_f.reviewRuns.push_back({list.id, list.title, c, state.states()});
        }
    }
    if (source.lastError())
        return std::unexpected(*source.lastError());

    // Every verdict, in recording order; the last of each item and component stands.
    std::map<std::pair<std::string, std::string>, std::int64_t> latest;
    for (const auto& [c, list] : byComponent)
        for (const StoredVerdict& v : list) {
            m_f.verdictLog.push_back(VerdictEntry{v, false});
            auto& id = latest[{v.verdict.itemId, c}];
            id = std::max(id, v.id);
        }
    std::ranges::sort(m_f.verdictLog, {}, [](const VerdictEntry& e) { return e.stored.id; });
    for (VerdictEntry& e : m_f.verdictLog)
        e.current = latest[{e.stored.verdict.itemId, e.stored.verdict.component}] == e.stored.id;
    return {};
}

// ---- helpers -----------------------------------------------------------------------------

const ItemState* Builder::productionItem(std::string_view id) const
{
    for (const ItemState& s : m_f.production)
        if (s.item.id == id)
            return &s;
    return nullptr;
}

std::string Builder::itemStatusText(std::string_view id) const
{
    const ItemState* s = productionItem(id);
    if (!s)
        return "unknown";
    std::string text(toString(s->automatic.status));
    if (s->verdict)
        text += " (verdict " + std::string(toString(s->verdict->kind)) + ")";
    return text;
}

ReportChart Builder::findingsChart() const
{
    ReportChart c{"findings-by-category", "Findings by category", "findings", {}};
    for (const auto& [category, n] : m_f.byCategory)
        c.bars.push_back({category, static_cast<double>(n),
                          category == "pii" || category == "secret" ? "high" : ""});
    return c;
}

std::string Builder::excerptFor(std::int64_t eventRow, const std::string& field, int start, int end,
                                const std::string& details)
{
    const auto value = detailsFieldValue(details, field);
    if (!value)
        return details == "{}" ? "(erased)" : "(not text)";
    std::vector<Finding> same;
    Query q(m_db, "SELECT rule, category, span_start, span_end FROM findings "
                  "WHERE event_rowid = ?1 AND field = ?2 AND category <> 'rejected'");
    q.bind(eventRow).text(field);
    while (q.next()) {
        Finding f;
        f.rule = q.str(0);
        f.category = q.str(1);
        f.field = field;
        f.start = q.isNull(2) ? -1 : static_cast<int>(q.integer(2));
        f.end = q.isNull(3) ? -1 : static_cast<int>(q.integer(3));
        same.push_back(std::move(f));
    }
    return excerpt(*value, start, end, same, m_req.redact);
}

// ---- sections ----------------------------------------------------------------------------

ReportSection Builder::overview()
{
    ReportSection s{"overview", "Overview", {}};
    std::int64_t erasures = 0, purges = 0;
    for (const Receipt& r : m_f.receipts)
        ++(r.kind == "erase" ? erasures : purges);
    std::int64_t open = 0;
    for (const auto& [status, n] : m_f.incidentsByStatus)
        if (status == "open" || status == "investigating")
            open += n;
    ReportTable t{"figures",
                  "Key figures",
                  {{"measure", "Measure", 3}, {"value", "Value", 1, true}},
                  {},
                  "None."};
    t.rows = {
        {"Events in the window", num(m_f.events)},
        {"of which erased or purged (tombstones)", num(m_f.tombstones)},
        {"Rejected lines received in the window", num(m_f.rejected)},
        {"Findings", num(m_f.findings)},
        {"Incidents active in the window", num(static_cast<std::int64_t>(m_f.incidents.size()))},
        {"of which open or investigating", num(open)},
        {"Erasure receipts (all time)", num(erasures)},
        {"Purge receipts (all time)", num(purges)},
    };
    if (!m_f.suppressions.empty()) {
        t.rows.push_back({"Findings muted by a rule in force (kept, counted above)",
                          num(m_f.mutedFindings)});
        t.rows.push_back({"Incidents left out: all their findings muted", num(m_f.mutedIncidents)});
    }
    s.blocks.push_back(std::move(t));
    s.blocks.push_back(findingsChart());
    return s;
}

ReportSection Builder::soc2()
{
    ReportSection s{"soc2-controls", "SOC 2 controls", {}};
    s.blocks.push_back(ReportParagraph{
        "The control table of the seed guide (section 9.2), each judged from the evidence in "
        "this database for the window. 'unknown' means the logs cannot show it and a reviewer "
        "has to attach evidence."});
    ReportTable t{"controls",
                  "Controls",
                  {{"control", "Control", 1.1},
                   {"implementation", "Implementation (guide)", 1.5},
                   {"evidence", "Evidence", 3.4},
                   {"status", "Status", 0.7}},
                  {},
                  "None."};
    auto cat = [&](const char* c) {
        const auto it = m_f.byCategory.find(c);
        return it == m_f.byCategory.end() ? std::int64_t{0} : it->second;
    };
    auto worst = [](std::initializer_list<EvidenceStatus> all) {
        bool unknown = false;
        for (EvidenceStatus st : all) {
            if (st == EvidenceStatus::Fail)
                return std::string("fail");
            unknown = unknown || st == EvidenceStatus::Unknown;
        }
        return std::string(unknown ? "unknown" : "pass");
    };
    auto autoOf = [&](std::string_view id) {
        const ItemState* st = productionItem(id);
        if (!st)
            return EvidenceStatus::Unknown;
        if (st->verdict && st->verdict->kind == VerdictKind::Fail)
            return EvidenceStatus::Fail;
        if (st->automatic.status == EvidenceStatus::Unknown && st->verdict &&
            st->verdict->kind == VerdictKind::Pass)
            return EvidenceStatus::Pass;
        return st->automatic.status;
    };

    // Access control.
    {
        Query denied(m_db,
                     "SELECT count(*) FROM events WHERE event_type = 'tool_call' AND erased = 0 "
                     "AND json_extract(details, '$.outcome') = 'denied' AND ts >= ?1 AND ts <= ?2");
        const std::int64_t deniedCalls = denied.bind(m_f.from).bind(m_f.to).scalar();
        const std::int64_t iamFindings = cat("iam"), escalations = cat("privilege_escalation");
        std::string evidence;
        if (m_f.iam) {
            evidence = "IAM file: one role per agent " + itemStatusText("production.iam.1") +
                       ", permission boundary " + itemStatusText("production.iam.2") +
                       ", no wildcard grants " + itemStatusText("production.iam.3") + "; ";
        } else {
            evidence = "No IAM policy file given (--policies), so roles, boundary and wildcards "
                       "are not judged; ";
        }
        evidence +=
            plural(iamFindings, "IAM finding", "IAM findings") + ", " +
            plural(escalations, "privilege escalation finding", "privilege escalation findings") +
            ", " + plural(deniedCalls, "denied tool call", "denied tool calls") +
            ". MFA for humans is not visible in agent logs.";
        std::string status;
        if (iamFindings > 0 || escalations > 0)
            status = "fail";
        else if (m_f.iam)
            status = worst({autoOf("production.iam.1"), autoOf("production.iam.2"),
                            autoOf("production.iam.3")});
        else
            status = "unknown";
        t.rows.push_back(
            {"Access control", "IAM roles per agent, MFA for humans", evidence, status});
    }
    // Audit logging.
    {
        std::vector<std::string> shortOnes;
        for (const char* ty : kYearTypes)
            if (m_f.retention.daysFor(ty) < 365)
                shortOnes.push_back(std::string(ty) + " " + num(m_f.retention.daysFor(ty)) +
                                    " days");
        const std::int64_t injections = cat("log_injection");
        std::string evidence =
            plural(m_f.events, "event", "events") + " stored in the window, " +
            plural(m_f.rejected, "rejected line", "rejected lines") + ", " +
            plural(injections, "log injection finding", "log injection findings") +
            "; structured logging " + itemStatusText("production.audit.1") +
            "; retention of security, SQL, escalation and tool-call logs " +
            (shortOnes.empty() ? std::string("at least 365 days")
                               : "below 365 days for " + shortOnes.front()) +
            "; tamper-evident chain " +
            (m_f.chainIntact   ? std::string("intact")
             : m_f.chainBroken ? std::string("BROKEN")
                               : std::string("not verified")) +
            ".";
        std::string status;
        if (m_f.chainBroken || !shortOnes.empty() || injections > 0 ||
            autoOf("production.audit.1") == EvidenceStatus::Fail)
            status = "fail";
        else if (m_f.events > 0 && m_f.chainIntact)
            status = "pass";
        else
            status = "unknown";
        t.rows.push_back(
            {"Audit logging", "CloudWatch structured logs, 365 day retention", evidence, status});
    }
    // Change management.
    {
        Query trail(m_db, "SELECT count(*) FROM audit_trail");
        Query history(m_db, "SELECT count(*) FROM incident_history");
        Query overrides(m_db, "SELECT count(*) FROM retention");
        const std::string evidence =
            "Not observable in agent audit logs: attach the CI/CD approval records. Changes "
            "recorded in this database: " +
            plural(trail.scalar(), "audit-trail entry", "audit-trail entries") + ", " +
            plural(history.scalar(), "incident change", "incident changes") + ", " +
            plural(overrides.scalar(), "retention override", "retention overrides") + ".";
        t.rows.push_back({"Change management", "CI/CD with approval gates", evidence, "unknown"});
    }
    // Encryption.
    {
        const std::int64_t secrets = cat("secret");
        const ItemState* item = productionItem("production.network.4");
        const std::string verdict = item && item->verdict
                                        ? std::string(toString(item->verdict->kind))
                                        : std::string("none");
        const std::string evidence =
            plural(secrets, "secret finding", "secret findings") +
            " (credentials or keys logged in plain text); reviewer verdict on 'Encryption in "
            "transit (TLS) and at rest (KMS)': " +
            verdict + ". KMS and TLS settings are not visible in agent logs.";
        std::string status = "unknown";
        if (secrets > 0 || (item && item->verdict && item->verdict->kind == VerdictKind::Fail))
            status = "fail";
        else if (item && item->verdict && item->verdict->kind == VerdictKind::Pass)
            status = "pass";
        t.rows.push_back(
            {"Encryption", "KMS for data at rest, TLS for data in transit", evidence, status});
    }
    // Incident response.
    {
        std::int64_t highOpen = 0;
        for (const IncidentRow& r : m_f.incidents)
            if (r.severity >= 2 && r.status == "open")
                ++highOpen;
        Query sec(m_db, "SELECT count(*) FROM events WHERE event_type = 'security_event' AND ts >= "
                        "?1 AND ts <= ?2");
        const std::int64_t securityEvents = sec.bind(m_f.from).bind(m_f.to).scalar();
        auto by = [&](const char* st) {
            const auto it = m_f.incidentsByStatus.find(st);
            return it == m_f.incidentsByStatus.end() ? std::int64_t{0} : it->second;
        };
        const std::string evidence =
            plural(static_cast<std::int64_t>(m_f.incidents.size()), "incident", "incidents") +
            " (open " + num(by("open")) + ", investigating " + num(by("investigating")) +
            ", resolved " + num(by("resolved")) + ", false positive " + num(by("false_positive")) +
            "); " + plural(highOpen, "high or critical incident", "high or critical incidents") +
            " not yet triaged; " + plural(securityEvents, "security event", "security events") +
            " logged; alerts to SNS " + itemStatusText("production.audit.2") +
            ". Runbook documentation is a reviewer check.";
        std::string status = "unknown";
        if (highOpen > 0)
            status = "fail";
        else if (!m_f.incidents.empty())
            status = "pass";
        t.rows.push_back(
            {"Incident response", "SNS alerts, runbook documentation", evidence, status});
    }
    ReportChart chart{"controls-by-status", "Controls by status", "controls", {}};
    std::map<std::string, int> counts{{"pass", 0}, {"fail", 0}, {"unknown", 0}};
    for (const auto& row : t.rows)
        ++counts[row[3]];
    for (const char* st : {"pass", "fail", "unknown"})
        chart.bars.push_back({st, static_cast<double>(counts[st]), st});
    s.blocks.push_back(std::move(t));
    s.blocks.push_back(std::move(chart));
    return s;
}

/// "whole system" for the empty component.
std::string componentText(const std::string& component)
{
    return component.empty() ? std::string("whole system") : component;
}

/// The verdict cell of a checklist row: the latest verdict, `(conflict)` where it passes or
/// waives an item the logs show failing.
std::string verdictText(const ItemState& st)
{
    std::string verdict = st.verdict ? std::string(toString(st.verdict->kind)) : std::string();
    if (st.conflict)
        verdict += " (conflict)";
    return verdict;
}

ReportSection Builder::production()
{
    ReportSection s{"production-checklist", "Production checklist", {}};
    s.blocks.push_back(ReportParagraph{
        "The seed guide's production checklist (section 10). 'Auto' is judged from the logs "
        "of the window (unknown where logs cannot tell); 'Verdict' is the latest reviewer "
        "decision."});
    ReportChart chart{"checklist-by-status", "Items by automatic status", "items", {}};
    std::map<std::string, int> counts{{"pass", 0}, {"fail", 0}, {"unknown", 0}};
    ReportTable t{"items",
                  "Items",
                  {{"id", "ID", 1.4},
                   {"section", "Section", 0.8},
                   {"text", "Item", 1.9},
                   {"auto", "Auto", 0.6},
                   {"evidence", "Evidence", 0.6, true},
                   {"reason", "Reason", 1.9},
                   {"verdict", "Verdict", 0.7}},
                  {},
                  "None."};
    for (const ItemState& st : m_f.production) {
        const std::string a(toString(st.automatic.status));
        ++counts[a];
        t.rows.push_back({st.item.id, st.item.section, st.item.text, a, num(st.automatic.count),
                          st.automatic.reason, verdictText(st)});
    }
    for (const char* st : {"pass", "fail", "unknown"})
        chart.bars.push_back({st, static_cast<double>(counts[st]), st});
    s.blocks.push_back(std::move(chart));
    s.blocks.push_back(std::move(t));
    return s;
}

ReportSection Builder::checklist(std::string_view id, std::string sectionId)
{
    std::vector<const ChecklistRun*> runs;
    for (const ChecklistRun& r : m_f.reviewRuns)
        if (r.checklist == id)
            runs.push_back(&r);
    ReportSection s{std::move(sectionId), runs.empty() ? std::string(id) : runs.front()->title, {}};
    std::string scope = "run for the whole system";
    if (runs.size() > 1) {
        scope += " and for each component a reviewer gave verdicts on (";
        for (std::size_t i = 1; i < runs.size(); ++i)
            scope += (i > 1 ? ", " : "") + runs[i]->component;
        scope += ")";
    }
    s.blocks.push_back(ReportParagraph{
        "The seed's " + s.title + ", " + scope +
        ". 'Auto' is judged from the logs of the window (unknown where logs cannot tell; a "
        "component's run looks only at its own events); 'Verdict' is the latest reviewer "
        "decision, marked '(conflict)' where it passes or waives an item the logs show "
        "failing. Every verdict, with who gave it, when and why, is listed under Review "
        "verdicts."});
    for (const ChecklistRun* run : runs) {
        ReportChart chart{std::string(id) + "-by-status" +
                              (run->component.empty() ? "" : "-" + run->component),
                          "Items by automatic status (" + componentText(run->component) + ")",
                          "items",
                          {}};
        std::map<std::string, int> counts{{"pass", 0}, {"fail", 0}, {"unknown", 0}};
        ReportTable t{std::string(id) + "-items" +
                          (run->component.empty() ? "" : "-" + run->component),
                      "Items (" + componentText(run->component) + ")",
                      {{"id", "ID", 1.2},
                       {"section", id == "maestro" ? "Layer" : "Section", 0.9},
                       {"text", "Item", 2},
                       {"auto", "Auto", 0.6},
                       {"evidence", "Evidence", 0.6, true},
                       {"reason", "Reason", 1.9},
                       {"verdict", "Verdict", 0.9},
                       {"reviewer", "Reviewer", 0.7}},
                      {},
                      "None."};
        for (const ItemState& st : run->states) {
            const std::string a(toString(st.automatic.status));
            ++counts[a];
            t.rows.push_back({st.item.id,
                              id == "maestro" && st.item.layer > 0
                                  ? maestroLayerLabel(st.item.layer, m_req.layerNaming)
                                  : st.item.section,
                              st.item.text, a, num(st.automatic.count), st.automatic.reason,
                              verdictText(st), st.verdict ? st.verdict->reviewer : std::string()});
        }
        for (const char* st : {"pass", "fail", "unknown"})
            chart.bars.push_back({st, static_cast<double>(counts[st]), st});
        s.blocks.push_back(std::move(chart));
        s.blocks.push_back(std::move(t));
    }
    return s;
}

ReportSection Builder::verdicts()
{
    ReportSection s{"verdicts", "Review verdicts", {}};
    ReportTable conflicts{"verdict-conflicts",
                          "Conflicts: verdicts over failing evidence",
                          {{"id", "Item", 1.1},
                           {"component", "Component", 0.8},
                           {"text", "Text", 1.6},
                           {"auto", "Auto", 0.5},
                           {"reason", "Evidence", 1.8},
                           {"verdict", "Verdict", 0.9},
                           {"reviewer", "Reviewer", 0.7},
                           {"note", "Note", 1.6}},
                          {},
                          "No conflicts: no verdict passes or waives an item that the logs "
                          "show failing."};
    auto addConflicts = [&](const std::vector<ItemState>& states) {
        for (const ItemState& st : states)
            if (st.conflict)
                conflicts.rows.push_back({st.item.id, componentText(st.component), st.item.text,
                                          std::string(toString(st.automatic.status)),
                                          st.automatic.reason, verdictText(st),
                                          st.verdict ? st.verdict->reviewer : std::string(),
                                          st.verdict ? st.verdict->note : std::string()});
    };
    addConflicts(m_f.production);
    for (const ChecklistRun& run : m_f.reviewRuns)
        addConflicts(run.states);

    std::set<std::pair<std::string, std::string>> itemsReviewed;
    for (const VerdictEntry& e : m_f.verdictLog)
        itemsReviewed.insert({e.stored.verdict.itemId, e.stored.verdict.component});
    s.blocks.push_back(ReportParagraph{
        "Reviewers' verdicts on checklist items, all recorded time. Verdicts are append-only: "
        "a changed mind is a new verdict, and the history below is the audit trail; the latest "
        "of an item stands ('current'). " +
        plural(static_cast<std::int64_t>(m_f.verdictLog.size()), "verdict", "verdicts") +
        " recorded on " + plural(static_cast<std::int64_t>(itemsReviewed.size()), "item", "items") +
        "; " + plural(static_cast<std::int64_t>(conflicts.rows.size()), "conflict", "conflicts") +
        " (a pass or not_applicable verdict where the logs show the item failing)."});
    s.blocks.push_back(std::move(conflicts));

    ReportTable history{"verdict-history",
                        "Verdict history",
                        {{"n", "#", 0.35, true},
                         {"when", "Recorded", 1.3},
                         {"id", "Item", 1.1},
                         {"component", "Component", 0.8},
                         {"verdict", "Verdict", 0.8},
                         {"reviewer", "Reviewer", 0.7},
                         {"note", "Note", 2},
                         {"standing", "Standing", 0.7}},
                        {},
                        "No verdicts recorded."};
    const std::size_t first =
        m_f.verdictLog.size() > static_cast<std::size_t>(std::max(m_req.maxRows, 0))
            ? m_f.verdictLog.size() - static_cast<std::size_t>(std::max(m_req.maxRows, 0))
            : 0;
    if (first > 0)
        s.blocks.push_back(ReportParagraph{"Only the latest " + num(m_req.maxRows) + " of " +
                                           num(static_cast<std::int64_t>(m_f.verdictLog.size())) +
                                           " verdicts are listed."});
    for (std::size_t i = first; i < m_f.verdictLog.size(); ++i) {
        const VerdictEntry& e = m_f.verdictLog[i];
        const Verdict& v = e.stored.verdict;
        history.rows.push_back({num(static_cast<std::int64_t>(i + 1)), formatRfc3339Utc(v.atMs),
                                v.itemId, componentText(v.component), std::string(toString(v.kind)),
                                v.reviewer, v.note, e.current ? "current" : "superseded"});
    }
    s.blocks.push_back(std::move(history));
    return s;
}

ReportSection Builder::incidents()
{
    ReportSection s{"incidents", "Incidents", {}};
    ReportChart bySeverity{"incidents-by-severity", "Incidents by severity", "incidents", {}};
    for (std::int64_t sev = 3; sev >= 0; --sev) {
        const auto it = m_f.incidentsBySeverity.find(sev);
        bySeverity.bars.push_back(
            {severityName(sev),
             static_cast<double>(it == m_f.incidentsBySeverity.end() ? 0 : it->second),
             severityName(sev)});
    }
    ReportChart byStatus{"incidents-by-status", "Incidents by status", "incidents", {}};
    for (const char* st : {"open", "investigating", "resolved", "false_positive"}) {
        const auto it = m_f.incidentsByStatus.find(st);
        byStatus.bars.push_back(
            {st, static_cast<double>(it == m_f.incidentsByStatus.end() ? 0 : it->second), st});
    }
    s.blocks.push_back(std::move(bySeverity));
    s.blocks.push_back(std::move(byStatus));

    ReportTable t{"incident-list",
                  "Incidents active in the window",
                  {{"id", "ID", 0.45, true},
                   {"severity", "Severity", 0.7},
                   {"status", "Status", 0.85},
                   {"assignee", "Assignee", 0.8},
                   {"rule", "Rule", 1.3},
                   {"agent", "Agent", 0.9},
                   {"first_seen", "First seen", 1.35},
                   {"last_seen", "Last seen", 1.35},
                   {"findings", "Findings", 0.65, true},
                   {"title", "Title", 2.2}},
                  {},
                  "No incidents in the window."};
    for (const IncidentRow& r : m_f.incidents) {
        if (static_cast<int>(t.rows.size()) >= m_req.maxRows)
            break;
        t.rows.push_back({num(r.id), severityName(r.severity), r.status, r.assignee, r.rule,
                          r.agent, formatRfc3339Utc(r.firstMs), formatRfc3339Utc(r.lastMs),
                          num(r.findings), r.title});
    }
    if (static_cast<int>(m_f.incidents.size()) > m_req.maxRows)
        s.blocks.push_back(ReportParagraph{"Only the " + num(m_req.maxRows) + " most severe of " +
                                           num(static_cast<std::int64_t>(m_f.incidents.size())) +
                                           " incidents are listed."});
    s.blocks.push_back(std::move(t));
    for (ReportTable& triage : incidentTriage())
        s.blocks.push_back(std::move(triage));

    ReportTable rules{"findings-by-rule",
                      "Findings by rule",
                      {{"rule", "Rule", 1.6},
                       {"category", "Category", 1.2},
                       {"severity", "Highest severity", 1},
                       {"layer", "MAESTRO layer", 1.2},
                       {"findings", "Findings", 0.8, true}},
                      {},
                      "No findings in the window."};
    Query q(m_db, "SELECT rule, category, max(severity), min(layer), count(*) FROM findings "
                  "WHERE ts >= ?1 AND ts <= ?2 GROUP BY rule, category ORDER BY count(*) DESC, "
                  "rule LIMIT ?3");
    q.bind(m_f.from).bind(m_f.to).bind(m_req.maxRows);
    while (q.next())
        rules.rows.push_back(
            {q.str(0), q.str(1), severityName(q.integer(2)),
             maestroLayerLabel(static_cast<int>(q.integer(3)), m_req.layerNaming), num(q.integer(4))});
    s.blocks.push_back(std::move(rules));

    ReportTable ex{"incident-evidence",
                   "Evidence excerpts",
                   {{"incident", "Incident", 0.6, true},
                    {"rule", "Rule", 1.2},
                    {"field", "Field", 1.2},
                    {"excerpt", "Excerpt", 4}},
                   {},
                   "No excerpts."};
    int shown = 0;
    for (const IncidentRow& r : m_f.incidents) {
        if (shown >= m_req.maxExcerpts)
            break;
        Query f(m_db,
                "SELECT f.event_rowid, f.field, f.span_start, f.span_end, f.rule, e.details "
                "FROM findings f JOIN events e ON e.id = f.event_rowid "
                "WHERE f.incident_id = ?1 AND f.category <> 'rejected' AND NOT " +
                    mutedFindingSql(m_f.mute, "f") + " ORDER BY f.id DESC LIMIT 1");
        f.bind(r.id);
        if (!f.next())
            continue;
        ex.rows.push_back(
            {num(r.id), f.str(4), f.str(1),
             excerptFor(f.integer(0), f.str(1), f.isNull(2) ? -1 : static_cast<int>(f.integer(2)),
                        f.isNull(3) ? -1 : static_cast<int>(f.integer(3)), f.str(5))});
        ++shown;
    }
    s.blocks.push_back(ReportParagraph{redactionNote(m_req.redact)});
    s.blocks.push_back(std::move(ex));
    return s;
}

std::vector<ReportTable> Builder::incidentTriage()
{
    ReportTable review{"incident-triage",
                       "Triage: assignee and notes",
                       {{"id", "ID", 0.45, true},
                        {"status", "Status", 0.85},
                        {"assignee", "Assignee", 0.8},
                        {"notes", "Notes", 4},
                        {"updated", "Last change", 1.35}},
                       {},
                       "No incident has an assignee or notes."};
    ReportTable history{"incident-history",
                        "Triage history",
                        {{"incident", "Incident", 0.6, true},
                         {"when", "When", 1.35},
                         {"actor", "By", 0.8},
                         {"field", "Field", 0.7},
                         {"from", "From", 1.8},
                         {"to", "To", 1.8}},
                        {},
                        "No triage changes recorded."};
    std::size_t listed = 0;
    for (const IncidentRow& r : m_f.incidents) {
        if (listed++ >= static_cast<std::size_t>(std::max(m_req.maxRows, 0)))
            break;
        auto changes = loadIncidentHistory(m_db, r.id);
        if (!changes) {
            history.emptyText = "The triage history could not be read: " + changes.error().message;
            break;
        }
        if (!r.assignee.empty() || !r.notes.empty() || !changes->empty())
            review.rows.push_back(
                {num(r.id), r.status, r.assignee, r.notes,
                 changes->empty() ? std::string() : formatRfc3339Utc(changes->back().timestampMs)});
        for (const IncidentHistoryRow& h : *changes)
            if (static_cast<int>(history.rows.size()) < m_req.maxRows)
                history.rows.push_back({num(r.id), formatRfc3339Utc(h.timestampMs), h.actor,
                                        h.field, h.oldValue, h.newValue});
    }
    std::vector<ReportTable> out;
    out.push_back(std::move(review));
    out.push_back(std::move(history));
    return out;
}

ReportSection Builder::gdprErasure()
{
    ReportSection s{"gdpr-erasure", "Right to erasure", {}};
    ReportTable t{"erasures",
                  "Erasures done",
                  {{"receipt", "Receipt", 0.6, true},
                   {"when", "When", 1.4},
                   {"by", "By", 0.8},
                   {"subject", "Subject", 0.6},
                   {"hash", "Subject hash", 1.2},
                   {"events", "Events", 0.6, true},
                   {"findings", "Findings", 0.65, true},
                   {"incidents", "Incidents", 0.7, true},
                   {"quarantined", "Rejected lines", 0.75, true}},
                  {},
                  "No erasures recorded."};
    for (const Receipt& r : m_f.receipts)
        if (r.kind == "erase")
            t.rows.push_back({num(r.id), formatRfc3339Utc(r.timestampMs), r.actor, r.selector,
                              "hmac:" + r.selectorHash.substr(0, 16), num(r.events),
                              num(r.findings), num(r.incidents), num(r.quarantined)});
    s.blocks.push_back(ReportParagraph{
        plural(static_cast<std::int64_t>(t.rows.size()), "erasure", "erasures") +
        " recorded. An erased event keeps only its time, type, agent, severity and producer "
        "event id as a tombstone that keeps its chain hash; receipts hold a keyed hash of the "
        "thread or user id, never the id or any erased content."});
    s.blocks.push_back(std::move(t));
    return s;
}

ReportSection Builder::gdprRetention()
{
    ReportSection s{"gdpr-retention", "Retention in force", {}};
    const RetentionPolicy& p = m_f.retention;
    const RetentionPolicy& d = defaultRetention();
    ReportTable t{"retention",
                  "Retention periods",
                  {{"scope", "Scope", 1.6},
                   {"days", "Days", 0.6, true},
                   {"default", "Default", 0.6, true},
                   {"source", "Set by", 0.8},
                   {"overdue", "Older than period", 1, true},
                   {"status", "Status", 1}},
                  {},
                  "None."};
    std::set<std::string> types;
    Query seen(m_db, "SELECT DISTINCT event_type FROM events ORDER BY event_type");
    while (seen.next())
        types.insert(seen.str(0));
    for (const auto& [scope, days] : p.days)
        if (scope != "*" && scope != "findings" && scope != "incidents" && scope != "quarantine")
            types.insert(scope);
    auto row = [&](const std::string& scope, int days, int def, std::int64_t overdue) {
        const bool configured = p.days.contains(scope) &&
                                (!d.days.contains(scope) || d.days.at(scope) != p.days.at(scope));
        t.rows.push_back({scope, num(days), num(def), configured ? "configuration" : "default",
                          num(overdue), overdue > 0 ? "purge due" : "in force"});
    };
    for (const std::string& type : types) {
        const int days = p.daysFor(type);
        Query q(m_db,
                "SELECT count(*) FROM events WHERE event_type = ?1 AND erased = 0 AND ts < ?2");
        q.text(type).bind(m_f.now - days * kMsPerDay);
        row(type, days, d.daysFor(type), q.scalar());
    }
    row("* (other event types)", p.scopeDays("*"), d.scopeDays("*"), 0);
    Query f(m_db, "SELECT count(*) FROM findings WHERE ts < ?1");
    row("findings", p.scopeDays("findings"), d.scopeDays("findings"),
        f.bind(m_f.now - p.scopeDays("findings") * kMsPerDay).scalar());
    Query i(m_db, "SELECT count(*) FROM incidents WHERE last_ms < ?1");
    row("incidents", p.scopeDays("incidents"), d.scopeDays("incidents"),
        i.bind(m_f.now - p.scopeDays("incidents") * kMsPerDay).scalar());
    Query q(m_db, "SELECT count(*) FROM quarantine WHERE received_ms < ?1");
    row("quarantine (rejected lines)", p.scopeDays("quarantine"), d.scopeDays("quarantine"),
        q.bind(m_f.now - p.scopeDays("quarantine") * kMsPerDay).scalar());
    s.blocks.push_back(ReportParagraph{
        "An item is kept while its age is at most its period and removed by the next purge "
        "once older (vigil-cli purge, or hourly in the desktop app). 'Older than period' "
        "counts items due for removal at " +
        formatRfc3339Utc(m_f.now) + "."});
    s.blocks.push_back(std::move(t));

    ReportTable purges{"purges",
                       "Purges done",
                       {{"receipt", "Receipt", 0.6, true},
                        {"when", "When", 1.4},
                        {"by", "By", 0.8},
                        {"events", "Events", 0.7, true},
                        {"findings", "Findings", 0.7, true},
                        {"incidents", "Incidents", 0.7, true},
                        {"quarantined", "Rejected lines", 0.8, true}},
                       {},
                       "No purges recorded."};
    for (const Receipt& r : m_f.receipts)
        if (r.kind == "purge")
            purges.rows.push_back({num(r.id), formatRfc3339Utc(r.timestampMs), r.actor,
                                   num(r.events), num(r.findings), num(r.incidents),
                                   num(r.quarantined)});
    s.blocks.push_back(std::move(purges));
    return s;
}

ReportSection Builder::gdprMinimization()
{
    ReportSection s{"gdpr-minimization", "Data minimization", {}};
    Query users(m_db, "SELECT count(*) FROM events WHERE user_id IS NOT NULL AND erased = 0 AND ts "
                      ">= ?1 AND ts <= ?2");
    const std::int64_t withUser = users.bind(m_f.from).bind(m_f.to).scalar();
    const auto pii = m_f.byCategory.contains("pii") ? m_f.byCategory.at("pii") : 0;
    s.blocks.push_back(ReportParagraph{
        plural(pii, "PII finding", "PII findings") +
        " in the window: personal data that agents "
        "logged although the guide asks not to store unnecessary PII (section 9.1). " +
        plural(withUser, "event carries", "events carry") + " a user id."});
    ReportChart chart{"pii-by-rule", "PII findings by rule", "findings", {}};
    ReportTable t{"pii-findings",
                  "PII findings by rule, agent and field",
                  {{"rule", "Rule", 1.2},
                   {"agent", "Agent", 1},
                   {"field", "Field", 1.6},
                   {"findings", "Findings", 0.7, true}},
                  {},
                  "No PII findings in the window."};
    Query byRule(
        m_db,
        "SELECT rule, count(*) FROM findings WHERE category = 'pii' AND ts >= ?1 AND ts <= ?2 "
        "GROUP BY rule ORDER BY rule");
    byRule.bind(m_f.from).bind(m_f.to);
    while (byRule.next())
        chart.bars.push_back({byRule.str(0), static_cast<double>(byRule.integer(1)), "high"});
    Query rows(m_db, "SELECT rule, agent, field, count(*) FROM findings WHERE category = 'pii' "
                     "AND ts >= ?1 AND ts <= ?2 GROUP BY rule, agent, field "
                     "ORDER BY count(*) DESC, rule, agent, field LIMIT ?3");
    rows.bind(m_f.from).bind(m_f.to).bind(m_req.maxRows);
    while (rows.next())
        t.rows.push_back({rows.str(0), rows.str(1), rows.str(2), num(rows.integer(3))});
    s.blocks.push_back(std::move(chart));
    s.blocks.push_back(std::move(t));

    ReportTable ex{"pii-evidence",
                   "Latest PII findings",
                   {{"when", "When", 1.3},
                    {"agent", "Agent", 0.8},
                    {"rule", "Rule", 1},
                    {"field", "Field", 1.1},
                    {"excerpt", "Excerpt", 3.4}},
                   {},
                   "No excerpts."};
    Query q(
        m_db,
        "SELECT f.ts, f.agent, f.rule, f.field, f.span_start, f.span_end, f.event_rowid, e.details "
        "FROM findings f JOIN events e ON e.id = f.event_rowid "
        "WHERE f.category = 'pii' AND e.erased = 0 AND f.ts >= ?1 AND f.ts <= ?2 "
        "ORDER BY f.ts DESC, f.id DESC LIMIT ?3");
    q.bind(m_f.from).bind(m_f.to).bind(m_req.maxExcerpts);
    while (q.next())
        ex.rows.push_back(
            {formatRfc3339Utc(q.integer(0)), q.str(1), q.str(2), q.str(3),
             excerptFor(q.integer(6), q.str(3), q.isNull(4) ? -1 : static_cast<int>(q.integer(4)),
                        q.isNull(5) ? -1 : static_cast<int>(q.integer(5)), q.str(7))});
    s.blocks.push_back(ReportParagraph{redactionNote(m_req.redact)});
    s.blocks.push_back(std::move(ex));
    return s;
}

ReportSection Builder::threats()
{
    ReportSection s{"threat-matrices", "Threat matrices", {}};
    // The reviewers' matrices; a database without any gets the shipped templates.
    std::vector<ThreatMatrix> matrices;
    std::vector<StoredMatrix> stored;
    std::string origin = "The threat matrices stored in this database";
    if (auto read = ReviewStore::matrices(m_db); read && !read->empty()) {
        stored = std::move(*read);
        matrices = ReviewStore::plain(stored);
    }
    if (matrices.empty()) {
        auto templates = loadThreatTemplates();
        if (!templates) {
            s.blocks.push_back(ReportParagraph{"The threat templates could not be loaded: " +
                                               templates.error().message});
            return s;
        }
        for (const ThreatTemplate& tpl : *templates)
            matrices.push_back(createMatrixFromTemplate(tpl, tpl.name));
        origin = "No threat matrices are stored yet; the shipped templates (the MAESTRO "
                 "7-layer template and the guide's attack surface table)";
    }
    SqliteEvidenceSource source(m_db, m_req.policies.get());
    const auto rows = threatOutputRows(matrices, source, EvidenceScope{"", m_f.from, m_f.to});
    s.blocks.push_back(ReportParagraph{
        origin + ", with the findings observed for each threat in the window. " +
        (m_req.layerNaming == LayerNaming::Seed
             ? "Layers carry the seed skill's names."
             : "Layers carry the Cloud Security Alliance's names and numbers (L1-L7), each the "
               "CSA layer whose scope matches the seed's layer of that row.")});
    ReportTable t{"threats",
                  "Threats",
                  {{"matrix", "Matrix", 1},
                   {"layer", "Layer", 0.8},
                   {"component", "Component", 1},
                   {"threat", "Threat", 1.6},
                   {"severity", "Severity", 0.7},
                   {"mitigation", "Mitigation", 1.6},
                   {"status", "Status", 0.7},
                   {"owner", "Owner", 0.7},
                   {"findings", "Findings", 0.6, true}},
                  {},
                  "No threat rows."};
    ReportTable summary{"matrices",
                        "Matrices",
                        {{"matrix", "Matrix", 1.6},
                         {"component", "Component", 0.9},
                         {"template", "Template", 0.9},
                         {"threats", "Threats", 0.6, true},
                         {"open", "Open", 0.5, true},
                         {"findings", "Findings", 0.6, true},
                         {"saved", "Last saved", 1.3}},
                        {},
                        "No threat matrices."};
    std::size_t next = 0;
    for (std::size_t i = 0; i < matrices.size(); ++i) {
        const ThreatMatrix& m = matrices[i];
        std::int64_t open = 0, findings = 0;
        for (std::size_t k = 0; k < m.rows.size() && next < rows.size(); ++k, ++next) {
            open += rows[next].row.status == ThreatStatus::Open ? 1 : 0;
            findings += rows[next].findings;
        }
        summary.rows.push_back({m.name, componentText(m.component),
                                m.templateId.empty() ? std::string("(blank)") : m.templateId,
                                num(static_cast<std::int64_t>(m.rows.size())), num(open),
                                num(findings),
                                i < stored.size() ? formatRfc3339Utc(stored[i].updatedMs)
                                                  : std::string("not stored")});
    }
    ReportChart chart{"findings-by-threat", "Observed findings by threat", "findings", {}};
    for (const ThreatOutputRow& r : rows) {
        t.rows.push_back({r.matrix, maestroLayerLabel(r.row.layer, m_req.layerNaming),
                          r.row.component, r.row.threat, std::string(toString(r.row.severity)),
                          r.row.mitigation, std::string(toString(r.row.status)), r.row.owner,
                          num(r.findings)});
        if (r.findings > 0)
            chart.bars.push_back({r.row.threat, static_cast<double>(r.findings), ""});
    }
    s.blocks.push_back(std::move(summary));
    s.blocks.push_back(std::move(chart));
    s.blocks.push_back(std::move(t));
    return s;
}

ReportSection Builder::iamMap()
{
    ReportSection s{"iam-map", "IAM permission map", {}};
    iam::UsageAggregator usage;
    Query q(m_db, "SELECT agent, event_type, json_extract(details, '$.action'), "
                  "json_extract(details, '$.resource'), json_extract(details, '$.outcome'), "
                  "json_extract(details, '$.model'), ts, id FROM events WHERE erased = 0 "
                  "AND event_type IN ('tool_call', 'brain_plan_created', 'worker_invoked') "
                  "AND ts >= ?1 AND ts <= ?2");
    q.bind(m_f.from).bind(m_f.to);
    while (q.next()) {
        if (q.str(1) == "tool_call") {
            if (!q.isNull(2))
                usage.addUse(q.str(0), q.str(2), q.str(3), q.str(4), q.integer(6), q.integer(7));
        } else if (!q.isNull(5)) {
            usage.addUse(q.str(0), "bedrock:InvokeModel", "foundation-model/" + q.str(5), "",
                         q.integer(6), q.integer(7), true);
        }
    }
    if (!m_req.policies) {
        s.blocks.push_back(ReportParagraph{
            "No IAM policy file was given (--policies FILE), so granted permissions cannot be "
            "mapped; the observed use follows."});
        ReportTable t{"observed-use",
                      "Observed use",
                      {{"agent", "Agent", 1},
                       {"action", "Action", 1.3},
                       {"resource", "Resource", 2.2},
                       {"uses", "Uses", 0.6, true},
                       {"denied", "Denied", 0.6, true}},
                      {},
                      "No IAM-relevant events in the window."};
        for (const iam::UsageEntry& e : usage.entries()) {
            if (static_cast<int>(t.rows.size()) >= m_req.maxRows)
                break;
            t.rows.push_back({e.agent, e.action, e.resource,
                              num(static_cast<std::int64_t>(e.count)),
                              num(static_cast<std::int64_t>(e.denied))});
        }
        s.blocks.push_back(std::move(t));
        return s;
    }
    const iam::PermissionMap map = iam::PermissionMap::build(*m_req.policies, &usage);
    ReportChart chart{"permissions-by-decision", "Permission map cells by decision", "cells", {}};
    std::map<std::string, std::int64_t> byState;
    ReportTable t{"permissions",
                  "Permissions per agent",
                  {{"agent", "Agent", 0.9},
                   {"action", "Action", 1.2},
                   {"resource", "Resource", 1.6},
                   {"decision", "Decision", 1},
                   {"statement", "Statement", 1.5},
                   {"observed", "Observed", 0.6, true}},
                  {},
                  "No agents in the policy file."};
    for (const iam::PermissionRow& r : map.rows()) {
        ++byState[std::string(iam::toString(r.state))];
        if (static_cast<int>(t.rows.size()) < m_req.maxRows)
            t.rows.push_back({r.agent, r.action, r.resource, std::string(iam::toString(r.state)),
                              r.statement, num(static_cast<std::int64_t>(r.observed))});
    }
    for (const auto& [state, n] : byState)
        chart.bars.push_back({state, static_cast<double>(n),
                              state == "allowed_used"       ? "pass"
                              : state == "denied_attempted" ? "fail"
                                                            : ""});
    s.blocks.push_back(std::move(chart));
    s.blocks.push_back(std::move(t));
    return s;
}

ReportSection Builder::suppressionRules()
{
    ReportSection s{"suppression-rules", "Suppression rules", {}};
    s.blocks.push_back(ReportParagraph{
        "Reviewers' mute rules for known false positives. A muted finding stays stored and "
        "counted among the findings; it leaves incident counts, severities and alerts while "
        "its rule is in force, and counts again once the rule expires or is removed. "
        "'Findings' is how many findings of the window the rule's criteria match; " +
        plural(m_f.mutedFindings, "finding is", "findings are") + " muted now."});
    ReportTable t{"suppression-rule-list",
                  "Mute rules",
                  {{"id", "ID", 0.4, true},
                   {"status", "Status", 0.7},
                   {"criteria", "Criteria", 2.2},
                   {"reason", "Reason", 2.2},
                   {"author", "Author", 0.9},
                   {"created", "Created", 1.35},
                   {"expires", "Expires", 1.35},
                   {"findings", "Findings", 0.65, true}},
                  {},
                  "No mute rules."};
    for (const SuppressionRule& r : m_f.suppressions) {
        std::string criteria;
        if (r.matchesEverything())
            criteria = "all findings";
        for (const auto& [name, value] :
             {std::pair<const char*, const std::string*>{"rule", &r.rule}, {"agent", &r.agent},
              {"field", &r.field}, {"pattern", &r.pattern}})
            if (!value->empty())
                criteria += (criteria.empty() ? "" : ", ") + std::string(name) + " " + *value;
        const auto n = m_f.suppressedInWindow.find(r.id);
        t.rows.push_back({num(r.id), std::string(suppressionStatus(r, m_f.now)), criteria, r.reason,
                          r.author, formatRfc3339Utc(r.createdMs),
                          r.expiresMs ? formatRfc3339Utc(*r.expiresMs) : "never",
                          num(n == m_f.suppressedInWindow.end() ? 0 : n->second)});
    }
    s.blocks.push_back(std::move(t));
    return s;
}

Result<ReportDocument> Builder::build(bool metaOnly)
{
    m_f.now = m_req.nowMs ? m_req.nowMs : nowEpochMs();
    ReportDocument doc;
    if (auto r = gatherMeta(doc); !r)
        return std::unexpected(r.error());
    if (metaOnly)
        return doc;
    if (auto r = gatherFacts(); !r)
        return std::unexpected(r.error());
    using Make = ReportSection (Builder::*)();
    std::vector<Make> parts{&Builder::overview};
    switch (m_req.kind) {
    case ReportKind::Soc2:
        parts.push_back(&Builder::soc2);
        break;
    case ReportKind::Gdpr:
        parts.insert(parts.end(),
                     {&Builder::gdprErasure, &Builder::gdprRetention, &Builder::gdprMinimization});
        break;
    case ReportKind::Production:
        parts.push_back(&Builder::production);
        break;
    case ReportKind::Incidents:
        parts.push_back(&Builder::incidents);
        break;
    case ReportKind::Full:
        parts.insert(parts.end(),
                     {&Builder::soc2, &Builder::production, &Builder::maestroChecklist,
                      &Builder::pluginChecklist, &Builder::verdicts, &Builder::incidents,
                      &Builder::gdprErasure, &Builder::gdprRetention, &Builder::gdprMinimization,
                      &Builder::threats, &Builder::iamMap});
        break;
    }
    // Only a database with mute rules gets the section, so reports of others read as before.
    if (!m_f.suppressions.empty())
        parts.push_back(&Builder::suppressionRules);
    for (const Make part : parts) {
        if (cancelled())
            return fail("report.cancelled", "report generation was cancelled");
        doc.sections.push_back((this->*part)());
    }
    return doc;
}

} // namespace

Result<ReportDocument> buildReport(Database& db, const ReportRequest& request)
{
    return Builder(db, request).build(false);
}

Result<std::string> generateReport(Database& db, const ReportRequest& request, ReportFormat format,
                                   const HtmlOptions& html)
{
    if (format == ReportFormat::Ocsf || format == ReportFormat::Sarif) {
        auto doc = Builder(db, request).build(true);
        if (!doc)
            return std::unexpected(doc.error());
        FindingExportOptions o;
        o.fromMs = doc->meta.fromMs;
        o.toMs = doc->meta.toMs;
        o.redact = request.redact;
        o.nowMs = request.nowMs;
        auto findings = loadExportFindings(db, o);
        if (!findings)
            return std::unexpected(findings.error());
        return format == ReportFormat::Ocsf ? renderOcsf(*findings, doc->meta)
                                            : renderSarif(*findings, doc->meta);
    }
    auto doc = buildReport(db, request);
    if (!doc)
        return std::unexpected(doc.error());
    switch (format) {
    case ReportFormat::Pdf:
        return renderPdf(*doc);
    case ReportFormat::Html:
        return renderHtml(*doc, html);
    case ReportFormat::Csv:
        return renderCsv(*doc);
    case ReportFormat::Json:
    default:
        return renderJson(*doc);
    }
}

} // namespace vigil
