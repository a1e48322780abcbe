// SPDX-License-Identifier: Apache-2.0
#include "review/evidencerule.h"

#include "base/embedded.h"
#include "base/timeutil.h"
#include "review/jsonreader.h"
#include "review/strcat.h"

#include <algorithm>
#include <array>
#include <map>
#include <set>
#include <utility>

namespace vigil {

using reviewdetail::cat;

namespace {

constexpr std::array<std::pair<EvidenceKind, std::string_view>, 7> kKindNames{{
    {EvidenceKind::NoFindings, "no_findings"},
    {EvidenceKind::FindingsClassified, "findings_classified"},
    {EvidenceKind::EventsPresent, "events_present"},
    {EvidenceKind::IamRolePerAgent, "iam_role_per_agent"},
    {EvidenceKind::IamBoundaryPresent, "iam_boundary_present"},
    {EvidenceKind::IamNoWildcards, "iam_no_wildcards"},
    {EvidenceKind::SecretsRotated, "secrets_rotated"},
}};

constexpr std::array<std::pair<EvidenceStatus, std::string_view>, 3> kStatusNames{{
    {EvidenceStatus::Unknown, "unknown"},
    {EvidenceStatus::Pass, "pass"},
    {EvidenceStatus::Fail, "fail"},
}};

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

/// "error_occurred events" or "events"; singular for a count of 1.
std::string eventsPhrase(const std::vector<std::string>& eventTypes, std::int64_t n = 2)
{
    const std::string_view noun = n == 1 ? "event" : "events";
    if (eventTypes.empty())
        return std::string(noun);
    return cat(joined(eventTypes, "/"), " ", noun);
}

std::string plural(std::int64_t n, std::string_view one, std::string_view many)
{
    return cat(n, " ", n == 1 ? one : many);
}

/// The findings part of a rule's links as a query (without `rejected`), and whether the
/// rule also counts rejected lines.
struct SplitQuery
{
    EvidenceQuery findings;
    bool rejected = false;
    bool hasFindingFilter() const
    {
        return !findings.categories.empty() || !findings.rules.empty();
    }
};

SplitQuery splitQuery(const EvidenceRule& rule, const EvidenceQuery& base)
{
    SplitQuery out{base, false};
    for (const auto& c : rule.categories) {
        if (c == kRejectedCategory)
            out.rejected = true;
        else
            out.findings.categories.push_back(c);
    }
    out.findings.rules = rule.rules;
    return out;
}

std::string linkPhrase(const EvidenceRule& rule)
{
    std::vector<std::string> names;
    for (const auto& c : rule.categories)
        if (c != kRejectedCategory)
            names.push_back(c);
    names.insert(names.end(), rule.rules.begin(), rule.rules.end());
    return joined(names, "/");
}

EvidenceResult evaluateNoFindings(const EvidenceRule& rule, const EvidenceSource& source,
                                  const EvidenceQuery& base)
{
    EvidenceResult r;
    r.ruleId = rule.id;
    const SplitQuery split = splitQuery(rule, base);
    const std::int64_t findings =
        split.hasFindingFilter() ? source.countFindings(split.findings) : 0;
    const std::int64_t rejected = split.rejected ? source.countRejected(base) : 0;
    if (findings + rejected > 0) {
        r.status = EvidenceStatus::Fail;
        r.count = findings + rejected;
        std::vector<std::string> parts;
        if (findings > 0) {
            r.listings.push_back({EvidenceTarget::Findings, split.findings, findings});
            parts.push_back(
                cat(findings, " ", linkPhrase(rule), findings == 1 ? " finding" : " findings"));
            if (!rule.eventTypes.empty())
                parts.back() += " in " + eventsPhrase(rule.eventTypes);
        }
        if (rejected > 0) {
            r.listings.push_back({EvidenceTarget::Rejected, base, rejected});
            parts.push_back(plural(rejected, "rejected line", "rejected lines"));
        }
        r.reason = joined(parts, " and ");
        return r;
    }
    if (!rule.eventTypes.empty()) {
        // The rule looks at some events only, but the threat matrices count every linked
        // finding in scope. Findings elsewhere keep the item from passing: a reviewer
        // decides whether they bear on it.
        EvidenceQuery anywhere = base;
        anywhere.eventTypes.clear();
        const std::int64_t elsewhere = countLinkedFindings(findingLinks(rule), source, anywhere);
        if (elsewhere > 0) {
            r.count = elsewhere;
            r.listings.push_back({EvidenceTarget::Findings, splitQuery(rule, anywhere).findings, elsewhere});
            r.reason = cat(elsewhere, " ", linkPhrase(rule), elsewhere == 1 ? " finding" : " findings",
                           " in other events than ", eventsPhrase(rule.eventTypes),
                           ", none in those; a reviewer decides");
            return r;
        }
    }
    const std::int64_t events = source.countEvents(base);
    if (events > 0) {
        r.status = EvidenceStatus::Pass;
        r.count = events;
        r.listings.push_back({EvidenceTarget::Events, base, events});
        std::vector<std::string> what;
        if (split.hasFindingFilter())
            what.push_back(linkPhrase(rule) + " findings");
        if (split.rejected)
            what.push_back("rejected lines");
        r.reason = cat("no ", joined(what, " or "), " in ", events, " scanned ",
                       eventsPhrase(rule.eventTypes, events));
        return r;
    }
    r.reason = cat("no ", eventsPhrase(rule.eventTypes), " in scope");
    return r;
}

EvidenceResult evaluateClassified(const EvidenceRule& rule, const EvidenceSource& source,
                                  const EvidenceQuery& base)
{
    EvidenceResult r;
    r.ruleId = rule.id;
    const std::int64_t screened = source.countEvents(base);
    if (screened <= 0) {
        r.reason = cat("no ", eventsPhrase(rule.eventTypes), " in scope");
        return r;
    }
    r.status = EvidenceStatus::Pass;
    const SplitQuery split = splitQuery(rule, base);
    const std::int64_t classified = source.countFindings(split.findings);
    if (classified > 0) {
        r.count = classified;
        r.listings.push_back({EvidenceTarget::Findings, split.findings, classified});
        r.reason =
            cat(plural(classified, linkPhrase(rule) + " attempt", linkPhrase(rule) + " attempts"),
                " classified in ", screened, " ", eventsPhrase(rule.eventTypes, screened));
    } else {
        r.count = screened;
        r.listings.push_back({EvidenceTarget::Events, base, screened});
        r.reason = cat(screened, " screened ", eventsPhrase(rule.eventTypes, screened), ", no ",
                       linkPhrase(rule), " attempt");
    }
    return r;
}

EvidenceResult evaluateEventsPresent(const EvidenceRule& rule, const EvidenceSource& source,
                                     const EvidenceQuery& base)
{
    EvidenceResult r;
    r.ruleId = rule.id;
    const std::int64_t events = source.countEvents(base);
    if (events > 0) {
        r.status = EvidenceStatus::Pass;
        r.count = events;
        r.listings.push_back({EvidenceTarget::Events, base, events});
        r.reason = cat(events, " ", eventsPhrase(rule.eventTypes, events), " logged");
    } else {
        r.reason = cat("no ", eventsPhrase(rule.eventTypes), " in scope");
    }
    return r;
}

/// Agents a rule looks at: the scoped component alone, else every mapped or observed agent.
std::set<std::string> agentsInScope(const IamFacts& iam, const EvidenceScope& scope)
{
    if (!scope.component.empty())
        return {scope.component};
    std::set<std::string> agents(iam.observedAgents.begin(), iam.observedAgents.end());
    for (const auto& [agent, role] : iam.roleByAgent)
        agents.insert(agent);
    return agents;
}

bool roleDefined(const IamFacts& iam, const std::string& role)
{
    return std::find(iam.definedRoles.begin(), iam.definedRoles.end(), role) !=
           iam.definedRoles.end();
}

/// Roles whose agents the rule looks at (all defined roles when not scoped).
std::vector<std::string> rolesInScope(const IamFacts& iam, const EvidenceScope& scope)
{
    if (scope.component.empty())
        return iam.definedRoles;
    const auto it = iam.roleByAgent.find(scope.component);
    if (it == iam.roleByAgent.end() || !roleDefined(iam, it->second))
        return {};
    return {it->second};
}

EvidenceResult finishIam(EvidenceResult r)
{
    if (r.status == EvidenceStatus::Fail)
        r.listings.push_back({EvidenceTarget::Iam, {}, r.count});
    return r;
}

EvidenceResult evaluateRolePerAgent(const EvidenceRule& rule, const IamFacts& iam,
                                    const EvidenceScope& scope)
{
    EvidenceResult r;
    r.ruleId = rule.id;
    const auto agents = agentsInScope(iam, scope);
    std::map<std::string, std::vector<std::string>> agentsByRole;
    for (const auto& [agent, role] : iam.roleByAgent)
        if (!role.empty())
            agentsByRole[role].push_back(agent);
    std::set<std::string> sharedReported;
    for (const auto& agent : agents) {
        const auto it = iam.roleByAgent.find(agent);
        if (it == iam.roleByAgent.end() || it->second.empty()) {
            r.subjects.push_back(cat("agent ", agent, " has no role"));
            continue;
        }
        if (!roleDefined(iam, it->second)) {
            r.subjects.push_back(cat("agent ", agent, ": role ", it->second, " is not defined"));
            continue;
        }
        const auto& sharing = agentsByRole[it->second];
        if (sharing.size() > 1 && sharedReported.insert(it->second).second)
            r.subjects.push_back(cat("role ", it->second, " is shared by ", joined(sharing, ", ")));
    }
    if (!r.subjects.empty()) {
        r.status = EvidenceStatus::Fail;
        r.count = static_cast<std::int64_t>(r.subjects.size());
        r.reason = cat(plural(r.count, "role problem", "role problems"), " in the IAM file");
        return finishIam(std::move(r));
    }
    if (agents.empty()) {
        r.reason = "no agents in the IAM file or the events";
        return r;
    }
    r.status = EvidenceStatus::Pass;
    r.count = static_cast<std::int64_t>(agents.size());
    r.reason =
        cat(r.count, r.count == 1 ? " agent has its own role" : " agents each have their own role");
    return r;
}

EvidenceResult evaluateBoundary(const EvidenceRule& rule, const IamFacts& iam,
                                const EvidenceScope& scope)
{
    EvidenceResult r;
    r.ruleId = rule.id;
    const auto roles = rolesInScope(iam, scope);
    if (roles.empty()) {
        r.reason = "no agent roles to bound";
        return r;
    }
    r.count = static_cast<std::int64_t>(roles.size());
    if (iam.hasBoundary) {
        r.status = EvidenceStatus::Pass;
        r.reason =
            cat("a permission boundary applies to ", plural(r.count, "agent role", "agent roles"));
        return r;
    }
    r.status = EvidenceStatus::Fail;
    r.subjects = roles;
    r.reason =
        cat("no permission boundary: ", plural(r.count, "agent role", "agent roles"), " unbounded");
    return finishIam(std::move(r));
}

EvidenceResult evaluateWildcards(const EvidenceRule& rule, const IamFacts& iam,
                                 const EvidenceScope& scope)
{
    EvidenceResult r;
    r.ruleId = rule.id;
    const auto roles = rolesInScope(iam, scope);
    for (const auto& g : iam.wildcardGrants) {
        if (!scope.component.empty() &&
            std::find(roles.begin(), roles.end(), g.role) == roles.end())
            continue;
        r.subjects.push_back(cat(g.role, ": Allow ", g.action, " on ", g.resource));
    }
    if (!r.subjects.empty()) {
        r.status = EvidenceStatus::Fail;
        r.count = static_cast<std::int64_t>(r.subjects.size());
        r.reason = cat(plural(r.count, "wildcard grant", "wildcard grants"), " in agent roles");
        return finishIam(std::move(r));
    }
    if (roles.empty()) {
        r.reason = "no agent roles to check";
        return r;
    }
    r.status = EvidenceStatus::Pass;
    r.count = static_cast<std::int64_t>(roles.size());
    r.reason = cat("no wildcard grant in ", plural(r.count, "agent role", "agent roles"));
    return r;
}

EvidenceResult evaluateRotation(const EvidenceRule& rule, const EvidenceSource& source,
                                const EvidenceQuery& base)
{
    EvidenceResult r;
    r.ruleId = rule.id;
    const auto table = loadRotationTable();
    if (!table) {
        r.reason = cat("the rotation table cannot be read: ", table.error().message);
        return r;
    }
    const std::vector<SecretRotations> seen = source.secretRotations(base);
    if (seen.empty()) {
        r.reason = "no secret_rotated security events in scope";
        return r;
    }
    // Overdue at the end of the window; an open window ends now.
    const std::int64_t at =
        base.toMs == std::numeric_limits<std::int64_t>::max() ? nowEpochMs() : base.toMs;
    std::int64_t tracked = 0;
    for (const RotationState& s : rotationStates(*table, seen, at)) {
        if (s.maxAgeDays)
            ++tracked;
        if (s.overdue)
            r.subjects.push_back(cat(s.secret, " (", s.className, ", every ", *s.maxAgeDays,
                                     " days): last rotated ", formatRfc3339Utc(s.lastMs),
                                     ", due ", formatRfc3339Utc(s.dueMs)));
    }
    EvidenceQuery rotationEvents = base;
    rotationEvents.eventTypes = {"security_event"};
    r.listings.push_back({EvidenceTarget::Events, std::move(rotationEvents),
                          static_cast<std::int64_t>(seen.size())});
    if (!r.subjects.empty()) {
        r.status = EvidenceStatus::Fail;
        r.count = static_cast<std::int64_t>(r.subjects.size());
        r.reason = cat(plural(r.count, "secret", "secrets"), " overdue for rotation");
    } else if (tracked > 0) {
        r.status = EvidenceStatus::Pass;
        r.count = tracked;
        r.reason = cat(plural(tracked, "secret", "secrets"), " rotated within the guide's periods");
    } else {
        r.reason = cat(plural(static_cast<std::int64_t>(seen.size()), "rotated secret", "rotated secrets"),
                       ", none with a rotation period (IAM roles or untracked names)");
    }
    return r;
}

bool isIamKind(EvidenceKind k)
{
    return k == EvidenceKind::IamRolePerAgent || k == EvidenceKind::IamBoundaryPresent ||
           k == EvidenceKind::IamNoWildcards;
}

} // namespace

std::string_view toString(EvidenceKind k)
{
    for (const auto& [kind, name] : kKindNames)
        if (kind == k)
            return name;
    return "no_findings";
}

std::optional<EvidenceKind> evidenceKindFromString(std::string_view s)
{
    for (const auto& [kind, name] : kKindNames)
        if (name == s)
            return kind;
    return std::nullopt;
}

std::string_view toString(EvidenceStatus s)
{
    for (const auto& [status, name] : kStatusNames)
        if (status == s)
            return name;
    return "unknown";
}

std::optional<EvidenceStatus> evidenceStatusFromString(std::string_view s)
{
    for (const auto& [status, name] : kStatusNames)
        if (name == s)
            return status;
    return std::nullopt;
}

std::string_view toString(EvidenceTarget t)
{
    switch (t) {
    case EvidenceTarget::Findings:
        return "findings";
    case EvidenceTarget::Events:
        return "events";
    case EvidenceTarget::Rejected:
        return "rejected";
    case EvidenceTarget::Iam:
        return "iam";
    }
    return "findings";
}

std::vector<std::string> findingLinks(const EvidenceRule& rule)
{
    std::vector<std::string> links = rule.categories;
    links.insert(links.end(), rule.rules.begin(), rule.rules.end());
    return links;
}

EvidenceQuery EvidenceScope::baseQuery() const
{
    EvidenceQuery q;
    q.agent = component;
    q.fromMs = fromMs;
    q.toMs = toMs;
    return q;
}

EvidenceResult noEvidenceRule()
{
    EvidenceResult r;
    r.reason = "no log evidence; a reviewer decides";
    return r;
}

EvidenceResult evaluateEvidence(const EvidenceRule& rule, const EvidenceSource& source,
                                const EvidenceScope& scope)
{
    if (isIamKind(rule.kind)) {
        const IamFacts* iam = source.iam();
        if (iam == nullptr) {
            EvidenceResult r;
            r.ruleId = rule.id;
            r.reason = "no IAM policy file";
            return r;
        }
        switch (rule.kind) {
        case EvidenceKind::IamRolePerAgent:
            return evaluateRolePerAgent(rule, *iam, scope);
        case EvidenceKind::IamBoundaryPresent:
            return evaluateBoundary(rule, *iam, scope);
        default:
            return evaluateWildcards(rule, *iam, scope);
        }
    }
    EvidenceQuery base = scope.baseQuery();
    base.eventTypes = rule.eventTypes;
    switch (rule.kind) {
    case EvidenceKind::FindingsClassified:
        return evaluateClassified(rule, source, base);
    case EvidenceKind::EventsPresent:
        return evaluateEventsPresent(rule, source, base);
    case EvidenceKind::SecretsRotated:
        return evaluateRotation(rule, source, base);
    default:
        return evaluateNoFindings(rule, source, base);
    }
}

Result<std::vector<EvidenceRule>> parseEvidenceRules(std::string_view json,
                                                     std::string_view sourceName)
{
    const reviewdetail::JsonReader reader(sourceName, "review.bad_evidence_rules");
    auto doc = reader.parse(json);
    if (!doc)
        return std::unexpected(doc.error());
    if (auto ok = reader.object(*doc, "", {"version", "note", "rules"}); !ok)
        return std::unexpected(ok.error());
    if (auto v = reader.integer(*doc, "", "version", true, 1, 1); !v)
        return std::unexpected(v.error());
    const auto rulesIt = doc->find("rules");
    if (rulesIt == doc->end())
        return std::unexpected(reader.error("rules", "missing"));
    if (auto ok = reader.array(*rulesIt, "rules"); !ok)
        return std::unexpected(ok.error());

    std::vector<EvidenceRule> out;
    std::set<std::string> ids;
    for (std::size_t i = 0; i < rulesIt->size(); ++i) {
        const auto path = reviewdetail::indexPath("rules", i);
        const auto& obj = (*rulesIt)[i];
        if (auto ok = reader.object(
                obj, path, {"id", "kind", "categories", "rules", "event_types", "description"});
            !ok)
            return std::unexpected(ok.error());
        EvidenceRule rule;
        auto id = reader.string(obj, path, "id", true, true);
        if (!id)
            return std::unexpected(id.error());
        if (!ids.insert(*id).second)
            return std::unexpected(reader.error(reviewdetail::childPath(path, "id"),
                                                cat("duplicate rule id '", *id, "'")));
        rule.id = std::move(*id);
        auto kindName = reader.string(obj, path, "kind", true, true);
        if (!kindName)
            return std::unexpected(kindName.error());
        const auto kind = evidenceKindFromString(*kindName);
        if (!kind) {
            std::vector<std::string> names;
            for (const auto& [k, name] : kKindNames)
                names.emplace_back(name);
            return std::unexpected(reader.error(
                reviewdetail::childPath(path, "kind"),
                cat("unknown kind '", *kindName, "' (known: ", joined(names, ", "), ")")));
        }
        rule.kind = *kind;
        auto categories = reader.stringArray(obj, path, "categories");
        auto ruleIds = reader.stringArray(obj, path, "rules");
        auto eventTypes = reader.stringArray(obj, path, "event_types");
        auto description = reader.string(obj, path, "description", true, true);
        for (const auto* r : {&categories, &ruleIds, &eventTypes})
            if (!*r)
                return std::unexpected(r->error());
        if (!description)
            return std::unexpected(description.error());
        for (std::size_t k = 0; k < categories->size(); ++k)
            if (!isKnownFindingCategory((*categories)[k]))
                return std::unexpected(reader.error(
                    reviewdetail::indexPath(reviewdetail::childPath(path, "categories"), k),
                    cat("unknown finding category '", (*categories)[k], "'")));
        for (std::size_t k = 0; k < ruleIds->size(); ++k)
            if (!isFindingRuleId((*ruleIds)[k]))
                return std::unexpected(
                    reader.error(reviewdetail::indexPath(reviewdetail::childPath(path, "rules"), k),
                                 cat("'", (*ruleIds)[k], "' is not a dotted rule id")));
        for (std::size_t k = 0; k < eventTypes->size(); ++k)
            if (!isEventType((*eventTypes)[k]))
                return std::unexpected(reader.error(
                    reviewdetail::indexPath(reviewdetail::childPath(path, "event_types"), k),
                    cat("'", (*eventTypes)[k], "' is not an event type")));
        rule.categories = std::move(*categories);
        rule.rules = std::move(*ruleIds);
        rule.eventTypes = std::move(*eventTypes);
        rule.description = std::move(*description);

        const bool links = !rule.categories.empty() || !rule.rules.empty();
        const bool rejected = std::find(rule.categories.begin(), rule.categories.end(),
                                        kRejectedCategory) != rule.categories.end();
        const auto refuse = [&](std::string_view key, std::string_view why) {
            return std::unexpected(reader.error(reviewdetail::childPath(path, key), why));
        };
        switch (rule.kind) {
        case EvidenceKind::NoFindings:
            if (!links)
                return refuse("categories", "no_findings needs categories or rules");
            if (rejected && !rule.eventTypes.empty())
                return refuse("event_types", "rejected lines have no event type");
            break;
        case EvidenceKind::FindingsClassified:
            if (!links)
                return refuse("categories", "findings_classified needs categories or rules");
            if (rejected)
                return refuse("categories", "rejected lines are not classified findings");
            if (rule.eventTypes.empty())
                return refuse("event_types", "findings_classified needs the screened event types");
            break;
        case EvidenceKind::EventsPresent:
            if (links)
                return refuse(rule.categories.empty() ? "rules" : "categories",
                              "events_present takes no categories or rules");
            if (rule.eventTypes.empty())
                return refuse("event_types", "events_present needs event types");
            break;
        default:
            if (links || !rule.eventTypes.empty())
                return refuse(links ? (rule.categories.empty() ? "rules" : "categories")
                                    : "event_types",
                              cat(toString(rule.kind), " takes no parameters"));
            break;
        }
        out.push_back(std::move(rule));
    }
    return out;
}

Result<std::vector<EvidenceRule>> loadEvidenceRules()
{
    constexpr std::string_view path = "checklists/evidence-rules.json";
    const auto text = embeddedResource(path);
    if (!text)
        return fail("review.missing_resource", cat(path, " is not embedded"));
    return parseEvidenceRules(*text, path);
}

} // namespace vigil
