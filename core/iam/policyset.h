// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "base/result.h"
#include "iam/globpattern.h"

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace vigil::iam {

/// `Effect` of a policy statement.
enum class Effect : std::uint8_t { Allow, Deny };

/// Tier of an agent (`tiers` in the policy file); Unspecified when the file says nothing.
enum class AgentTier : std::uint8_t { Unspecified, Orchestrator, Worker };

std::string_view toString(Effect e);
std::string_view toString(AgentTier t);

/// One statement of an AWS policy document, as written and compiled.
///
/// `actions`/`resources` keep the text of the file (for display); the patterns are the
/// compiled forms: actions lowercased, resources reduced to their resource part (see
/// resourcePart). When `notAction` is set, `actions` lists the NotAction entries (same for
/// `notResource`). `condition` is the minified `Condition` object, empty when there is none:
/// conditions are shown, never evaluated.
struct Statement
{
    Effect effect = Effect::Allow;
    std::string sid;
    bool notAction = false;
    std::vector<std::string> actions;
    bool notResource = false;
    std::vector<std::string> resources;
    std::string condition;
    std::string text; ///< the whole statement, minified JSON

    std::vector<GlobPattern> actionPatterns;
    std::vector<GlobPattern> resourcePatterns;

    bool hasCondition() const noexcept { return !condition.empty(); }
    /// True when the statement covers `lowerAction` (already lowercased), NotAction applied.
    bool matchesAction(std::string_view lowerAction) const noexcept;
    /// True when the statement covers `part` (a resourcePart()), NotResource applied.
    bool matchesResource(std::string_view part) const noexcept;
    /// Both of the above.
    bool applies(std::string_view lowerAction, std::string_view part) const noexcept
    {
        return matchesAction(lowerAction) && matchesResource(part);
    }
};

/// An AWS policy document: `Version`, optional `Id`, and its statements in file order.
struct PolicyDocument
{
    std::string version;
    std::string id;
    std::vector<Statement> statements;
};

/// A named role of the policy file and its identity policy.
struct Role
{
    std::string name;
    PolicyDocument policy;
};

/// An agent of the `agents` map: its role (name and index into PolicySet::roles()) and tier.
struct AgentEntry
{
    std::string name;
    std::string role;
    std::size_t roleIndex = 0;
    AgentTier tier = AgentTier::Unspecified;
    /// The ARN of the IAM role the agent assumes in AWS (`role_arns`), empty when not given:
    /// CloudTrail records of that role are the agent's.
    std::string roleArn;
};

/// The agent IAM policy file (spec/iam-policies.md), validated and compiled.
///
/// Loaded whole or refused whole: load() either returns a complete set or an Error
/// (code `iam.invalid_policy`, or `iam.io_error` from loadFile) whose message starts with
/// the source name and the JSON path of the fault, e.g.
/// `policies.json: $.roles.agent-brain-role.Statement[2].Effect: expected "Allow" or "Deny"`.
/// Rejects: invalid JSON or UTF-8, nesting deeper than 64, duplicate keys, unknown keys,
/// wrong types, an agent whose role is not in `roles`, an agent name the audit format
/// cannot carry, a tier other than `orchestrator`/`worker` or for an agent not in `agents`,
/// a `role_arns` entry for an agent not in `agents`, that is not an IAM role ARN
/// (`arn:<partition>:iam::<account>:role/<name>`) or that another agent already has,
/// a document without `Statement`, a statement without Effect, with both or neither of
/// Action/NotAction (or Resource/NotResource), with Principal, or with empty lists.
/// Immutable once loaded: share it as `std::shared_ptr<const PolicySet>` across threads.
class PolicySet
{
public:
    /// Largest policy file accepted (bytes).
    static constexpr std::size_t kMaxFileBytes = 16 * 1024 * 1024;
    /// Deepest JSON nesting accepted (the audit format's limit).
    static constexpr std::size_t kMaxDepth = 64;

    /// Parses and validates `json`; `sourceName` prefixes every error message.
    static Result<PolicySet> load(std::string_view json, std::string_view sourceName);
    /// Reads `path` (at most kMaxFileBytes) and load()s it under the name `path` as given.
    static Result<PolicySet> loadFile(const std::filesystem::path& path);

    PolicySet() = default;

    const std::string& sourceName() const noexcept { return m_sourceName; }
    /// Every agent of `agents`, sorted by name.
    const std::vector<AgentEntry>& agents() const noexcept { return m_agents; }
    /// The agent named exactly `name` (agent names are case-sensitive), or nullptr.
    const AgentEntry* agent(std::string_view name) const noexcept;
    /// Every role of `roles`, in file order.
    const std::vector<Role>& roles() const noexcept { return m_roles; }
    /// The role named `name`, or nullptr.
    const Role* role(std::string_view name) const noexcept;
    /// The permission boundary applied to every role, or nullptr when the file has none.
    const PolicyDocument* boundary() const noexcept { return m_hasBoundary ? &m_boundary : nullptr; }
    /// True when the file has a `tiers` object (even an empty one).
    bool hasTiers() const noexcept { return m_hasTiers; }

private:
    friend class PolicyLoader;

    std::string m_sourceName;
    std::vector<AgentEntry> m_agents;
    std::vector<Role> m_roles;
    PolicyDocument m_boundary;
    bool m_hasBoundary = false;
    bool m_hasTiers = false;
};

} // namespace vigil::iam
