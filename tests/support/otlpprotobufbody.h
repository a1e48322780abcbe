// SPDX-License-Identifier: Apache-2.0
#pragma once

// OTLP/JSON test bodies re-encoded as protobuf with the official generated classes
// (core/ingest/proto), so that one fixture exercises both encodings of the receiver.

#include "opentelemetry/proto/collector/logs/v1/logs_service.pb.h"
#include "opentelemetry/proto/collector/trace/v1/trace_service.pb.h"

#include <google/protobuf/util/json_util.h>
#include <nlohmann/json.hpp>
#include <openssl/evp.h>

#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

namespace vigil::test {

namespace detail {

inline std::string hexToBase64(std::string_view hex)
{
    std::string bytes;
    for (std::size_t i = 0; i + 1 < hex.size(); i += 2)
        bytes.push_back(static_cast<char>(std::stoi(std::string(hex.substr(i, 2)), nullptr, 16)));
    std::string out((bytes.size() + 2) / 3 * 4 + 1, '\0'); // EVP_EncodeBlock adds a NUL
    out.resize(static_cast<std::size_t>(
        EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                        reinterpret_cast<const unsigned char*>(bytes.data()),
                        static_cast<int>(bytes.size()))));
    return out;
}

/// OTLP/JSON writes trace and span ids in hex; protobuf's JSON mapping of `bytes` is base64.
inline void idsToBase64(nlohmann::json& j)
{
    if (j.is_array()) {
        for (auto& e : j)
            idsToBase64(e);
    } else if (j.is_object()) {
        for (auto it = j.begin(); it != j.end(); ++it) {
            if ((it.key() == "traceId" || it.key() == "spanId" || it.key() == "parentSpanId") &&
                it->is_string())
                *it = hexToBase64(it->get<std::string>());
            else
                idsToBase64(*it);
        }
    }
}

} // namespace detail

/// The protobuf form of an OTLP/JSON export request: traces when `traces`, else logs.
/// A body the generated parser refuses ends the run (it is a broken fixture). Free of Qt, so
/// that the benchmarks can use it too.
inline std::string otlpJsonToProtobuf(std::string_view json, bool traces)
{
    nlohmann::json j = nlohmann::json::parse(json);
    detail::idsToBase64(j);
    const std::string text = j.dump();
    std::string out;
    const auto parse = [&](google::protobuf::Message& m) {
        const auto st = google::protobuf::util::JsonStringToMessage(text, &m);
        if (!st.ok()) {
            std::fprintf(stderr, "fixture is not an OTLP export request: %s\n",
                         std::string(st.message()).c_str());
            std::abort();
        }
        m.SerializeToString(&out);
    };
    if (traces) {
        opentelemetry::proto::collector::trace::v1::ExportTraceServiceRequest r;
        parse(r);
    } else {
        opentelemetry::proto::collector::logs::v1::ExportLogsServiceRequest r;
        parse(r);
    }
    return out;
}

} // namespace vigil::test
