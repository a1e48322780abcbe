// SPDX-License-Identifier: Apache-2.0
// EngineBridge's IAM map requests: the permission map, review and policy diff of core/iam,
// computed on the bridge's worker threads from the open database and handed to the views
// as the values of bridge/iamtypes.h.
#include "bridge/enginebridge.h"

#include "bridge/bridgeconvert.h"
#include "bridge/bridgeutil.h"
#include "bridge/eventjson.h"

#include "base/jsonlimits.h"
#include "iam/permissionmap.h"
#include "iam/policyreview.h"
#include "iam/policyset.h"
#include "iam/storeusage.h"
#include "iam/usageaggregator.h"
#include "store/storereader.h"

#include <QDir>
#include <QFileInfo>
#include <QTimer>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <map>
#include <mutex>
#include <set>
#include <tuple>

namespace vigil::ui {

QString iamCellStateName(IamCellState state)
{
    return QString::fromLatin1(iam::toString(static_cast<iam::CellState>(state)));
}

/// The IAM side of the bridge. `policies`/`source` belong to the UI thread; the candidate
/// of the latest check is written by a worker and read by the UI thread, under `mutex`.
struct EngineBridge::IamState
{
    std::shared_ptr<const iam::PolicySet> policies; ///< set by applyIamPolicies(), else null
    QString source;

    std::mutex mutex;
    quint64 candidateToken = 0;
    std::shared_ptr<const iam::PolicySet> candidate;
    QString candidateSource;
};

namespace {

// Events an aggregated use remembers, and distinct uses kept: beyond them a use is counted
// in IamMapData::droppedUses only.
constexpr std::size_t kRefsPerUse = 64;
constexpr std::size_t kMaxUses = 200000;

/// The policy file's name as the user knows it: the engine reads embedded policies (the
/// demo's) through a temporary file whose name means nothing to anyone.
QString describeSource(const std::string& sourceName)
{
    const QFileInfo info(qstr(sourceName));
    if (info.fileName().startsWith(QStringLiteral("vigil-policies-")) &&
        info.absolutePath() == QFileInfo(QDir::tempPath()).absoluteFilePath())
        return QObject::tr("embedded policies");
    return qstr(sourceName);
}

QString prettyJson(const std::string& minified)
{
    if (!withinJsonLimits(minified))
        return qstr(minified);
    const auto j = nlohmann::ordered_json::parse(minified, nullptr, false);
    if (j.is_discarded())
        return qstr(minified);
    return qstr(j.dump(2, ' ', false, nlohmann::ordered_json::error_handler_t::replace));
}

IamStatement toStatement(const iam::StatementRef& ref)
{
    IamStatement s;
    s.boundary = ref.source == iam::PolicySource::Boundary;
    s.policy = qstr(ref.policy);
    s.index = ref.index;
    s.sid = qstr(ref.sid);
    s.label = qstr(ref.label());
    s.json = prettyJson(ref.text);
    return s;
}

IamMapRow toRow(const iam::PermissionRow& r)
{
    IamMapRow row;
    row.agent = qstr(r.agent);
    row.action = qstr(r.action);
    row.resource = qstr(r.resource);
    row.state = static_cast<IamCellState>(r.state);
    row.statementLabel = qstr(r.statement);
    row.observed = static_cast<qint64>(r.observed);
    row.fromPolicy = r.fromPolicy;
    for (const iam::StatementRef& s : r.statements)
        row.statements.push_back(toStatement(s));
    row.eventRefs.reserve(static_cast<qsizetype>(r.eventRefs.size()));
    for (std::int64_t ref : r.eventRefs)
        row.eventRefs.push_back(ref);
    return row;
}

/// Observed use of the open database, or none.
struct Usage
{
    iam::UsageAggregator aggregator{kRefsPerUse, kMaxUses};
    bool fromDatabase = false;
    iam::UsageReadStats stats;
    QString error;

    const iam::UsageAggregator* get() const { return fromDatabase ? &aggregator : nullptr; }
};

void readUsage(StoreReader* reader, Usage& usage)
{
    if (!reader)
        return;
    auto read = iam::addUsageFromStore(reader->database(), usage.aggregator);
    if (!read) {
        usage.error = qstr(read.error().message);
        return;
    }
    usage.stats = *read;
    usage.fromDatabase = true;
}

IamMapData buildMap(const iam::PolicySet& policies, const QString& source, const Usage& usage)
{
    IamMapData m;
    m.hasPolicies = true;
    m.policySource = source;
    m.error = usage.error;
    m.observedFromDatabase = usage.fromDatabase;
    m.observedEvents = static_cast<qint64>(usage.stats.events);
    m.observedUses = static_cast<qint64>(usage.stats.uses);
    m.droppedUses = static_cast<qint64>(usage.aggregator.droppedUses());

    const iam::PermissionMap map = iam::PermissionMap::build(policies, usage.get());
    m.rows.reserve(static_cast<qsizetype>(map.rows().size()));
    std::map<std::string, IamAgentInfo> agents;
    for (const iam::AgentEntry& a : policies.agents()) {
        IamAgentInfo& info = agents[a.name];
        info.name = qstr(a.name);
        info.role = qstr(a.role);
        if (a.tier != iam::AgentTier::Unspecified)
            info.tier = qstr(std::string(iam::toString(a.tier)));
    }
    if (usage.fromDatabase)
        for (const iam::AgentActivity& a : usage.aggregator.agents()) {
            IamAgentInfo& info = agents[a.agent];
            info.name = qstr(a.agent);
            info.events = static_cast<qint64>(a.events);
        }
    for (const iam::PermissionRow& r : map.rows()) {
        m.rows.push_back(toRow(r));
        if (!agents.contains(r.agent))
            agents[r.agent].name = qstr(r.agent);
    }
    for (auto& [name, info] : agents)
        m.agents.push_back(std::move(info));

    for (const iam::ReviewItem& i : iam::reviewPolicies(policies, usage.get())) {
        IamReviewEntry e;
        e.kind = QString::fromLatin1(iam::toString(i.kind));
        e.severity = static_cast<int>(i.severity);
        e.agent = qstr(i.agent);
        e.role = qstr(i.role);
        if (i.statement.isValid()) {
            e.statementLabel = qstr(i.statement.label());
            e.statementJson = prettyJson(i.statement.text);
        }
        e.text = qstr(i.text);
        m.review.push_back(std::move(e));
    }
    return m;
}

// ---- diff of two policy sets --------------------------------------------------------

constexpr std::string_view kBoundaryName = "permission_boundary";

/// Every document of a set by name (roles, and the boundary under its key name).
std::map<std::string, const iam::PolicyDocument*> documents(const iam::PolicySet* p)
{
    std::map<std::string, const iam::PolicyDocument*> out;
    if (!p)
        return out;
    for (const iam::Role& r : p->roles())
        out[r.name] = &r.policy;
    if (p->boundary())
        out[std::string(kBoundaryName)] = p->boundary();
    return out;
}

/// Labels of the statements of `doc` whose text `other` does not have (as many times).
QStringList statementsNotIn(const std::string& name, const iam::PolicyDocument& doc,
                            const iam::PolicyDocument* other)
{
    std::multiset<std::string> remaining;
    if (other)
        for (const iam::Statement& s : other->statements)
            remaining.insert(s.text);
    QStringList out;
    const iam::PolicySource source =
        name == kBoundaryName ? iam::PolicySource::Boundary : iam::PolicySource::Role;
    for (std::size_t i = 0; i < doc.statements.size(); ++i) {
        const auto it = remaining.find(doc.statements[i].text);
        if (it != remaining.end()) {
            remaining.erase(it);
            continue;
        }
        out << qstr(iam::makeStatementRef(source, name, doc, static_cast<int>(i)).label());
    }
    return out;
}

QString agentLine(const iam::AgentEntry& a)
{
    QString s = qstr(a.role);
    if (a.tier != iam::AgentTier::Unspecified)
        s += QStringLiteral(" (%1)").arg(QString::fromLatin1(iam::toString(a.tier)));
    return s;
}

struct CellKey
{
    std::string agent, action, resource;
    bool fromPolicy = true;
    auto operator<=>(const CellKey&) const = default;
};

struct CellValue
{
    std::vector<int> states; // sorted: entries with the same key compare as a multiset
    std::string statement;   // of the first entry
};

std::map<CellKey, CellValue> cellsOf(const iam::PermissionMap& map)
{
    std::map<CellKey, CellValue> out;
    for (const iam::PermissionRow& r : map.rows()) {
        CellValue& v = out[CellKey{r.agent, r.action, r.resource, r.fromPolicy}];
        if (v.states.empty())
            v.statement = r.statement;
        v.states.insert(std::lower_bound(v.states.begin(), v.states.end(), static_cast<int>(r.state)),
                        static_cast<int>(r.state));
    }
    return out;
}

IamPolicyDiff diffPolicies(const iam::PolicySet* before, const QString& beforeSource,
                           const iam::PolicySet& after, const QString& afterSource, const Usage& usage)
{
    IamPolicyDiff d;
    d.oldSource = beforeSource;
    d.newSource = afterSource;

    std::map<std::string, const iam::AgentEntry*> oldAgents, newAgents;
    if (before)
        for (const iam::AgentEntry& a : before->agents())
            oldAgents[a.name] = &a;
    for (const iam::AgentEntry& a : after.agents())
        newAgents[a.name] = &a;
    for (const auto& [name, a] : newAgents) {
        const auto it = oldAgents.find(name);
        if (it == oldAgents.end())
            d.addedAgents << QStringLiteral("%1: %2").arg(qstr(name), agentLine(*a));
        else if (agentLine(*it->second) != agentLine(*a))
            d.changedAgents << QStringLiteral("%1: %2 → %3").arg(qstr(name), agentLine(*it->second), agentLine(*a));
    }
    for (const auto& [name, a] : oldAgents)
        if (!newAgents.contains(name))
            d.removedAgents << QStringLiteral("%1: %2").arg(qstr(name), agentLine(*a));

    const auto oldDocs = documents(before);
    const auto newDocs = documents(&after);
    for (const auto& [name, doc] : newDocs) {
        const auto it = oldDocs.find(name);
        if (it == oldDocs.end())
            d.addedRoles << qstr(name);
        d.addedStatements << statementsNotIn(name, *doc, it == oldDocs.end() ? nullptr : it->second);
    }
    for (const auto& [name, doc] : oldDocs) {
        const auto it = newDocs.find(name);
        if (it == newDocs.end())
            d.removedRoles << qstr(name);
        d.removedStatements << statementsNotIn(name, *doc, it == newDocs.end() ? nullptr : it->second);
    }

    // Map entries: the same observed use under both files; an entry "changes" when its
    // decision does (a statement merely renumbered is not a change of the map).
    const auto oldCells = before ? cellsOf(iam::PermissionMap::build(*before, usage.get()))
                                 : std::map<CellKey, CellValue>{};
    const auto newCells = cellsOf(iam::PermissionMap::build(after, usage.get()));
    auto change = [](const CellKey& k) {
        IamCellChange c;
        c.agent = qstr(k.agent);
        c.action = qstr(k.action);
        c.resource = qstr(k.resource);
        c.fromPolicy = k.fromPolicy;
        return c;
    };
    for (const auto& [key, value] : newCells) {
        const auto it = oldCells.find(key);
        if (it != oldCells.end() && it->second.states == value.states)
            continue;
        IamCellChange c = change(key);
        c.newState = value.states.front();
        c.newStatement = qstr(value.statement);
        if (it != oldCells.end()) {
            c.oldState = it->second.states.front();
            c.oldStatement = qstr(it->second.statement);
        }
        d.cells.push_back(std::move(c));
    }
    for (const auto& [key, value] : oldCells) {
        if (newCells.contains(key))
            continue;
        IamCellChange c = change(key);
        c.oldState = value.states.front();
        c.oldStatement = qstr(value.statement);
        d.cells.push_back(std::move(c));
    }
    std::sort(d.cells.begin(), d.cells.end(), [](const IamCellChange& a, const IamCellChange& b) {
        return std::tie(a.agent, a.action, a.resource) < std::tie(b.agent, b.action, b.resource);
    });
    return d;
}


} // namespace

bool EngineBridge::hasIamPolicies() const
{
    return (m_iam && m_iam->policies) || iamEnginePolicies();
}

QString EngineBridge::iamPolicySource() const
{
    if (m_iam && m_iam->policies)
        return m_iam->source;
    const auto engine = iamEnginePolicies();
    return engine ? describeSource(engine->sourceName()) : QString();
}

quint64 EngineBridge::loadIamMap()
{
    if (!m_iam)
        m_iam = std::make_shared<IamState>();
    const quint64 token = iamNewToken();
    std::shared_ptr<const iam::PolicySet> policies = m_iam->policies ? m_iam->policies : iamEnginePolicies();
    const QString source = iamPolicySource();
    auto job = [this, token, policies, source](StoreReader* reader) {
        if (!iamIsPending(token))
            return;
        IamMapData data;
        if (policies) {
            Usage usage;
            readUsage(reader, usage);
            data = buildMap(*policies, source, usage);
        }
        if (iamFinish(token))
            Q_EMIT iamMapReady(token, data);
    };
    if (!iamPost(false, job))
        QTimer::singleShot(0, this, [job] { job(nullptr); }); // policy-only: small, no I/O
    return token;
}

quint64 EngineBridge::checkIamPolicies(const QString& path)
{
    if (!m_iam)
        m_iam = std::make_shared<IamState>();
    const quint64 token = iamNewToken();
    std::shared_ptr<const iam::PolicySet> current = m_iam->policies ? m_iam->policies : iamEnginePolicies();
    const QString currentSource = iamPolicySource();
    std::shared_ptr<IamState> state = m_iam;
    auto job = [this, token, path, current, currentSource, state](StoreReader* reader) {
        if (!iamIsPending(token))
            return;
        IamPolicyCheck check;
        check.path = path;
        auto loaded = iam::PolicySet::loadFile(path.toStdString());
        if (!loaded) {
            check.error = qstr(loaded.error().message);
        } else {
            auto set = std::make_shared<const iam::PolicySet>(std::move(*loaded));
            Usage usage;
            readUsage(reader, usage);
            check.diff = diffPolicies(current.get(), currentSource, *set, path, usage);
            check.ok = true;
            std::lock_guard l(state->mutex);
            state->candidateToken = token;
            state->candidate = std::move(set);
            state->candidateSource = path;
        }
        if (iamFinish(token))
            Q_EMIT iamPoliciesChecked(token, check);
    };
    if (!iamPost(false, job))
        QTimer::singleShot(0, this, [job] { job(nullptr); });
    return token;
}

bool EngineBridge::applyIamPolicies(quint64 token)
{
    if (!m_iam || token == 0)
        return false;
    QString source;
    {
        std::lock_guard l(m_iam->mutex);
        if (m_iam->candidateToken != token || !m_iam->candidate)
            return false;
        m_iam->policies = std::move(m_iam->candidate);
        m_iam->source = m_iam->candidateSource;
        m_iam->candidate.reset();
        m_iam->candidateToken = 0;
        source = m_iam->source;
    }
    Q_EMIT iamPoliciesChanged(source);
    return true;
}

quint64 EngineBridge::loadIamEvents(const QVector<qint64>& rowIds)
{
    const quint64 token = iamNewToken();
    auto job = [this, token, rowIds](StoreReader* reader) {
        if (!iamIsPending(token))
            return;
        QVector<EventSummary> out;
        if (reader) {
            for (qint64 id : rowIds) {
                auto row = reader->event(id);
                if (row && *row)
                    out.push_back(summarize(*reader, **row));
            }
        }
        if (iamFinish(token))
            Q_EMIT iamEventsLoaded(token, out);
    };
    if (!iamPost(true, job))
        QTimer::singleShot(0, this, [job] { job(nullptr); });
    return token;
}

} // namespace vigil::ui
