// SPDX-License-Identifier: Apache-2.0
// The agent policy loader (core/iam/policyset) and the evaluator over what it loads: any
// bytes give a PolicySet or an Error naming the source, never a crash; a loaded set is
// consistent (agents sorted, every agent's role index pointing at its role), and the
// evaluator's string-free decision agrees with its full one for every agent and every action
// and resource the file itself names.
//
// Input: the policy file, as is.

// Links: vigil_iam

#include "fuzzsupport.h"

#include "iam/evaluator.h"
#include "iam/policyset.h"

#include <memory>

namespace {

using vigil::fuzz::check;

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    auto loaded = vigil::iam::PolicySet::load(text, "fuzz.json");
    if (!loaded) {
        check(loaded.error().code == "iam.invalid_policy", "a refusal is iam.invalid_policy",
              loaded.error().code);
        check(loaded.error().message.starts_with("fuzz.json: "), "a refusal names the source first",
              loaded.error().message);
        return 0;
    }
    const auto set = std::make_shared<const vigil::iam::PolicySet>(std::move(*loaded));
    const auto& agents = set->agents();
    for (std::size_t i = 0; i < agents.size(); ++i) {
        check(i == 0 || agents[i - 1].name < agents[i].name, "agents are sorted and unique");
        check(agents[i].roleIndex < set->roles().size() &&
                  set->roles()[agents[i].roleIndex].name == agents[i].role,
              "an agent's role index points at its role", agents[i].name);
        check(set->agent(agents[i].name) == &agents[i], "agent() finds every agent");
    }

    // Probe with the actions and resources the file names (wildcards included), a few fixed
    // ones, and an unknown agent.
    std::vector<std::string> actions{"s3:GetObject", "", "*"};
    std::vector<std::string> resources{"arn:aws:s3:::bucket/key", "", "*"};
    const auto collect = [&](const vigil::iam::PolicyDocument& doc) {
        for (const vigil::iam::Statement& st : doc.statements) {
            for (const std::string& a : st.actions)
                if (actions.size() < 24)
                    actions.push_back(a);
            for (const std::string& r : st.resources)
                if (resources.size() < 24)
                    resources.push_back(r);
        }
    };
    for (const vigil::iam::Role& r : set->roles())
        collect(r.policy);
    if (const auto* b = set->boundary())
        collect(*b);

    const vigil::iam::Evaluator evaluator(set);
    std::vector<std::string> names{"no-such-agent"};
    for (std::size_t i = 0; i < agents.size() && i < 8; ++i)
        names.push_back(agents[i].name);
    for (const std::string& agent : names)
        for (const std::string& action : actions)
            for (const std::string& resource : resources) {
                const auto full = evaluator.evaluate(agent, action, resource);
                const auto code = evaluator.decide(agent, action, resource);
                const auto expanded = evaluator.expand(code);
                check(full.kind == expanded.kind && full.deciding.text == expanded.deciding.text &&
                          full.deciding.index == expanded.deciding.index,
                      "decide() agrees with evaluate()", agent + " " + action + " " + resource);
                const bool needsStatement = full.kind != vigil::iam::Decision::NotGranted &&
                                            full.kind != vigil::iam::Decision::UnknownAgent;
                check(full.deciding.isValid() == needsStatement &&
                          (evaluator.statementOf(code) != nullptr) == needsStatement,
                      "a decision names its statement exactly when one decided",
                      agent + " " + action + " " + resource);
                if (agent == "no-such-agent" && !set->agent(agent))
                    check(full.kind == vigil::iam::Decision::UnknownAgent,
                          "an agent without a role is unknown");
            }
    return 0;
}
