// SPDX-License-Identifier: Apache-2.0
// What the live benchmarks (bench_live over TCP, bench_http over HTTP) send and how they
// summarize latencies, so that their figures compare.
#pragma once

#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

namespace vigil::bench {

/// A mix of the known event types; about one in eight carries something a scanner reports.
inline std::string makeEvent(int client, std::int64_t i, const std::string& timestamp)
{
    const std::string head = R"({"timestamp":")" + timestamp + R"(","agent_name":"agent-)" +
                             std::to_string(i % 7) + R"(","thread_id":"t-)" +
                             std::to_string(client) + "-" + std::to_string(i % 500) +
                             R"(","severity":"info","event_id":"b-)" + std::to_string(client) +
                             "-" + std::to_string(i) + "\",";
    switch (i % 8) {
    case 0:
        return head +
               R"("event_type":"user_query_received","details":{"query":"Viewers by region for channel )" +
               std::to_string(i % 40) + R"( last week, split by device type","channel":"web"}})";
    case 1:
        return head +
               R"("event_type":"tool_call","details":{"action":"s3:GetObject","resource":"arn:aws:s3:::data-bucket/readonly/)" +
               std::to_string(i) + R"(.csv","outcome":"allowed"}})";
    case 2:
        return head +
               R"("event_type":"worker_invoked","details":{"worker_name":"sql-writer","input_hash":"9f2c)" +
               std::to_string(i) +
               R"(","model":"claude-3-haiku","input":"count viewers per region"}})";
    case 3:
        return head + R"("event_type":"worker_result","details":{"output_hash":"a1)" +
               std::to_string(i) +
               R"(","confidence":0.93,"latency_ms":412,"output":"region,viewers\nnorth,1200\nsouth,980","schema":"table"}})";
    case 4:
        return head + R"("event_type":"sql_executed","details":{"query_hash":"q)" +
               std::to_string(i) +
               R"(","bytes_scanned":1048576,"cost":0.002,"sql":"SELECT region, COUNT(*) FROM views WHERE week = 47 GROUP BY region","table":"views"}})";
    case 5:
        return head +
               R"("event_type":"brain_plan_created","details":{"plan":"1. query views 2. aggregate 3. chart","model":"claude-3-sonnet","tokens":812,"cost":0.01}})";
    case 6:
        return head +
               R"("event_type":"error_occurred","details":{"error_type":"timeout","state_id":"s-)" +
               std::to_string(i) + R"("}})";
    default:
        // Something for the scanners: PII in a user question.
        return head +
               R"("event_type":"user_query_received","details":{"query":"email the report to jane.doe)" +
               std::to_string(i % 100) + R"(@example.com please"}})";
    }
}

inline double percentile(std::vector<std::int64_t>& v, double p)
{
    if (v.empty())
        return 0;
    const auto k = static_cast<std::size_t>(p * double(v.size() - 1));
    std::nth_element(v.begin(), v.begin() + std::ptrdiff_t(k), v.end());
    return double(v[k]);
}


} // namespace vigil::bench
