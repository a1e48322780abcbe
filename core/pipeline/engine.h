// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "base/result.h"
#include "ingest/inputformat.h"
#include "pipeline/ingestpipeline.h"

#include <memory>
#include <optional>
#include <string>

namespace vigil {

class Scanner;
class QueryAnomalyRules;
namespace iam {
class PolicySet;
class IamChecker;
} // namespace iam

/// The compiled detection setup shared by every ingest path: the built-in rule pack merged
/// with an optional user pack, and an optional agent IAM policy file. Immutable once loaded
/// and cheap to copy; the scanner and checker inside are shared read-only between threads.
class Engine
{
public:
    /// Loads the built-in rules, merges `rulesFile` (add, override, disable) and loads
    /// `policiesFile`. Any fault refuses the whole setup with a message naming the file and
    /// the JSON path.
    static Result<Engine> load(const std::optional<std::string>& rulesFile,
                               const std::optional<std::string>& policiesFile);

    /// One scanning function per calling thread, with its own scratch space: the content
    /// scanners, then the IAM checks when a policy file is loaded.
    ScanFactory scanFactory() const;

    /// Sets what a pipeline takes from the engine: the scan factory and a fresh session stage.
    void configure(PipelineOptions& options) const
    {
        options.scanFactory = scanFactory();
        options.ordered = sessionStage();
    }

    /// A fresh session stage (PipelineOptions::ordered): the rule pack's session rules
    /// (scan/queryanomaly.h) over the events it is given, in order, with its own state.
    /// Empty when the pack has no enabled session rule.
    ScanFunction sessionStage() const;

    std::shared_ptr<const Scanner> scanner() const { return m_scanner; }
    std::shared_ptr<const QueryAnomalyRules> sessionRules() const { return m_sessions; }
    std::shared_ptr<const iam::PolicySet> policies() const { return m_policies; }
    std::shared_ptr<const iam::IamChecker> iamChecker() const { return m_iam; }

private:
    std::shared_ptr<const Scanner> m_scanner;
    std::shared_ptr<const QueryAnomalyRules> m_sessions;
    std::shared_ptr<const iam::PolicySet> m_policies;
    std::shared_ptr<const iam::IamChecker> m_iam;
};

/// Shorthand used by the command line.
/// The policy file's `role_arns` as a lookup from role ARN to agent, for converting
/// CloudTrail records; nullptr without a policy file or without role_arns.
std::shared_ptr<const RoleAgentMap> roleAgentsOf(const iam::PolicySet* policies);

inline Result<Engine> loadEngine(const std::optional<std::string>& rulesFile,
                                 const std::optional<std::string>& policiesFile)
{
    return Engine::load(rulesFile, policiesFile);
}

} // namespace vigil
