// SPDX-License-Identifier: Apache-2.0
#include "pipeline/engine.h"

#include "base/jsonlimits.h"
#include "iam/iamchecker.h"
#include "iam/policyset.h"
#include "scan/queryanomaly.h"
#include "scan/rulepack.h"
#include "scan/scanner.h"

namespace vigil {

Result<Engine> Engine::load(const std::optional<std::string>& rulesFile,
                            const std::optional<std::string>& policiesFile)
{
    auto pack = RulePack::builtin();
    if (!pack)
        return std::unexpected(pack.error());
    if (rulesFile) {
        auto text = readFileLimited(*rulesFile, RulePack::kMaxPackBytes, "engine.open",
                                    "engine.too_large");
        if (!text)
            return std::unexpected(text.error());
        if (auto r = pack->merge(*text, *rulesFile); !r)
            return std::unexpected(r.error());
    }
    auto scanner = Scanner::create(*pack);
    if (!scanner)
        return std::unexpected(scanner.error());
    auto sessions = QueryAnomalyRules::fromPack(*pack);
    if (!sessions)
        return std::unexpected(sessions.error());
    Engine e;
    e.m_scanner = *scanner;
    e.m_sessions = *sessions;
    if (policiesFile) {
        auto policies = iam::PolicySet::loadFile(*policiesFile);
        if (!policies)
            return std::unexpected(policies.error());
        e.m_policies = std::make_shared<const iam::PolicySet>(std::move(*policies));
        e.m_iam = std::make_shared<const iam::IamChecker>(e.m_policies);
    }
    return e;
}

ScanFactory Engine::scanFactory() const
{
    return [scanner = m_scanner, iam = m_iam]() -> ScanFunction {
        struct State
        {
            std::unique_ptr<ScanScratch> scratch;
            std::vector<const AuditEvent*> events;
            std::vector<std::vector<Finding>*> outs;
        };
        auto state = std::make_shared<State>();
        state->scratch = scanner->makeScratch();
        return [scanner, iam, state](std::span<IngestedEvent> group) {
            state->events.clear();
            state->outs.clear();
            for (IngestedEvent& ie : group) {
                state->events.push_back(&ie.event);
                state->outs.push_back(&ie.findings);
            }
            scanner->scan(state->events, *state->scratch, state->outs);
            if (iam)
                for (IngestedEvent& ie : group)
                    iam->check(ie.event, ie.findings);
        };
    };
}

ScanFunction Engine::sessionStage() const
{
    if (!m_sessions || m_sessions->empty())
        return {};
    auto tracker = std::make_shared<QueryAnomalyTracker>(m_sessions);
    return [tracker](std::span<IngestedEvent> events) {
        for (IngestedEvent& ie : events) {
            const std::size_t before = ie.findings.size();
            tracker->observe(ie.event, ie.findings);
            if (ie.findings.size() != before) { // the chain hashes no longer cover them
                ie.summaryLeaf.reset();
                ie.findingsDigest.reset();
                ie.findingHashes.clear();
            }
        }
    };
}

std::shared_ptr<const RoleAgentMap> roleAgentsOf(const iam::PolicySet* policies)
{
    if (!policies)
        return nullptr;
    auto map = std::make_shared<RoleAgentMap>();
    for (const iam::AgentEntry& a : policies->agents())
        if (!a.roleArn.empty())
            map->emplace(a.roleArn, a.name);
    if (map->empty())
        return nullptr;
    return map;
}

} // namespace vigil
