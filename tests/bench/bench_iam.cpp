// SPDX-License-Identifier: Apache-2.0
// IAM evaluator throughput on the seed's roles and boundary (resources/policies/
// seed-agents.json) with a synthetic mix of agents, actions and resources: allowed and
// denied, role and boundary denies, ARN and short resource forms, unknown agents.
//
// Usage: bench_iam [POLICY_FILE] [--seconds S]
// Prints decisions per second for Evaluator::decide() (compact code), Evaluator::evaluate()
// (full Decision value with statement strings) and IamChecker::check() (findings per event).
#include "iam/evaluator.h"
#include "iam/iamchecker.h"
#include "iam/policyset.h"

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <random>
#include <string>
#include <string_view>
#include <vector>

using namespace vigil;
using namespace vigil::iam;

namespace {

struct Request
{
    std::string agent;
    std::string action;
    std::string resource;
};

std::vector<Request> makeMix(std::size_t n)
{
    const std::vector<std::string> agents{"brain", "brain", "sql-writer", "sql-writer",
                                          "sql-writer", "formatter"};
    struct Pair
    {
        const char* action;
        const char* resource;
    };
    // Weighted toward what agents really do (allowed use), with the attacks mixed in.
    const std::vector<Pair> pairs{
        {"bedrock:InvokeModel", "foundation-model/anthropic.claude-sonnet-4"},
        {"bedrock:InvokeModel", "foundation-model/anthropic.claude-3-5-haiku"},
        {"dynamodb:GetItem", "table/agent-checkpoints"},
        {"dynamodb:PutItem", "table/agent-checkpoints"},
        {"dynamodb:Query", "table/agent-checkpoints/index/by-thread"},
        {"dynamodb:DeleteTable", "table/agent-checkpoints"},
        {"athena:StartQueryExecution", "workgroup/agent-queries"},
        {"athena:GetQueryResults", "workgroup/agent-queries"},
        {"athena:StartQueryExecution", "workgroup/primary"},
        {"s3:GetObject", "arn:aws:s3:::data-bucket/readonly/weights-%.csv"},
        {"s3:GetObject", "s3:::data-bucket/readonly/a-%.csv"},
        {"s3:GetObject", "data-bucket/private/%.csv"},
        {"S3:PUTOBJECT", "arn:aws:s3:::data-bucket/readonly/x-%.csv"},
        {"s3:DeleteObject", "arn:aws:s3:::data-bucket/readonly/x.csv"},
        {"iam:CreateUser", "user/backdoor"},
        {"ec2:RunInstances", "arn:aws:ec2:us-east-1:123456789012:instance/i-%"},
        {"logs:PutLogEvents", "log-group:/agents/%"},
    };
    std::mt19937 rng(42);
    std::uniform_int_distribution<std::size_t> pa(0, agents.size() - 1);
    std::uniform_int_distribution<std::size_t> pp(0, pairs.size() - 1);
    std::uniform_int_distribution<int> pk(0, 999);
    std::vector<Request> out;
    out.reserve(n);
    for (std::size_t i = 0; i < n; ++i) {
        const Pair& p = pairs[pp(rng)];
        std::string resource = p.resource;
        if (const auto pos = resource.find('%'); pos != std::string::npos)
            resource.replace(pos, 1, std::to_string(pk(rng)));
        out.push_back(Request{agents[pa(rng)], p.action, std::move(resource)});
    }
    return out;
}

template <typename F>
void run(const char* name, const char* unit, const std::vector<Request>& mix, double seconds, F&& f)
{
    using Clock = std::chrono::steady_clock;
    std::size_t done = 0;
    std::size_t sink = 0;
    const auto start = Clock::now();
    auto now = start;
    do {
        for (const Request& r : mix)
            sink += f(r);
        done += mix.size();
        now = Clock::now();
    } while (std::chrono::duration<double>(now - start).count() < seconds);
    const double elapsed = std::chrono::duration<double>(now - start).count();
    std::printf("%-22s %12zu %s in %.3f s = %12.0f %s/s (checksum %zu)\n", name, done, unit,
                elapsed, static_cast<double>(done) / elapsed, unit, sink);
}

} // namespace

int main(int argc, char** argv)
{
    std::string path = std::string(VIGIL_RESOURCE_DIR) + "/policies/seed-agents.json";
    double seconds = 2.0;
    for (int i = 1; i < argc; ++i) {
        const std::string_view a = argv[i];
        if (a == "--seconds" && i + 1 < argc)
            seconds = std::atof(argv[++i]);
        else
            path = a;
    }
    auto loaded = PolicySet::loadFile(path);
    if (!loaded) {
        std::fprintf(stderr, "bench_iam: %s\n", loaded.error().message.c_str());
        return 1;
    }
    auto policies = std::make_shared<const PolicySet>(std::move(*loaded));
    const Evaluator evaluator(policies);
    const IamChecker checker(policies);
    const std::vector<Request> mix = makeMix(4096);

    std::size_t allowed = 0;
    for (const Request& r : mix)
        allowed += evaluator.decide(r.agent, r.action, r.resource).kind == Decision::Allowed;
    std::printf("bench_iam: %s, %zu requests in the mix (%zu allowed)\n", path.c_str(), mix.size(),
                allowed);

    run("Evaluator::decide", "decisions", mix, seconds, [&](const Request& r) {
        return static_cast<std::size_t>(evaluator.decide(r.agent, r.action, r.resource).kind);
    });
    run("Evaluator::evaluate", "decisions", mix, seconds, [&](const Request& r) {
        const Decision d = evaluator.evaluate(r.agent, r.action, r.resource);
        return static_cast<std::size_t>(d.kind) + d.deciding.text.size();
    });

    std::vector<AuditEvent> events;
    events.reserve(mix.size());
    for (const Request& r : mix) {
        AuditEvent e;
        e.kind = EventKind::ToolCall;
        e.eventType = "tool_call";
        e.agentName = r.agent;
        e.action = r.action;
        e.resource = r.resource;
        e.outcome = "allowed";
        events.push_back(std::move(e));
    }
    std::vector<Finding> findings;
    std::size_t i = 0;
    run("IamChecker::check", "events", mix, seconds, [&](const Request&) {
        findings.clear();
        checker.check(events[i++ % events.size()], findings);
        return findings.size();
    });
    return 0;
}
