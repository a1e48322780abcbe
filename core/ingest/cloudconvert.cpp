// SPDX-License-Identifier: Apache-2.0
#include "ingest/cloudconvert.h"

#include "ingest/jsontext.h"

#include <openssl/evp.h>
#include <simdjson.h>

#include <algorithm>
#include <array>

namespace vigil {
namespace {

using simdjson::dom::element;
using simdjson::dom::object;

constexpr std::size_t kMaxRaw = 64 * 1024;

std::string_view stringAt(const object& o, std::string_view key)
{
    std::string_view v;
    if (o.at_key(key).get_string().get(v) != simdjson::SUCCESS)
        return {};
    return v;
}

object objectAt(const object& o, std::string_view key, bool& ok)
{
    object out;
    ok = o.at_key(key).get_object().get(out) == simdjson::SUCCESS;
    return out;
}

bool isAlnum(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

/// A name the audit format accepts as agent_name (letters, digits, _ . -; at most 64;
/// starting with a letter or digit), made from an IAM name.
std::string agentNameFrom(std::string_view name)
{
    std::string out;
    for (char c : name) {
        if (out.size() == 64)
            break;
        if (isAlnum(c) || c == '_' || c == '.' || c == '-')
            out.push_back(c);
        else if (!out.empty())
            out.push_back('-'); // IAM names may hold + = , @
    }
    return out.empty() ? std::string("unknown") : out;
}

/// At most 100 printable ASCII characters (the audit format's thread_id rule).
std::string threadFrom(std::string_view s)
{
    std::string out;
    for (char c : s) {
        if (out.size() == 100)
            break;
        out.push_back(static_cast<unsigned char>(c) >= 0x20 && static_cast<unsigned char>(c) < 0x7f ? c : '?');
    }
    return out;
}

void addField(std::string& out, std::string_view key, std::string_view value)
{
    if (value.empty())
        return;
    out.push_back(',');
    appendJsonString(out, key);
    out.push_back(':');
    appendJsonString(out, value);
}

bool isDeniedCode(std::string_view code)
{
    return code == "AccessDenied" || code == "UnauthorizedOperation" ||
           code == "Client.UnauthorizedOperation" ||
           code.find("AccessDenied") != std::string_view::npos ||
           code.find("UnauthorizedOperation") != std::string_view::npos;
}

/// The IAM service prefix of an `eventSource` host: s3.amazonaws.com -> s3. The few
/// services whose endpoint is not their action prefix are named here.
std::string_view serviceOf(std::string_view eventSource)
{
    const std::string_view host = eventSource.substr(0, eventSource.find('.'));
    if (host == "monitoring")
        return "cloudwatch";
    if (host == "email")
        return "ses";
    return host;
}

simdjson::dom::parser& threadParser()
{
    thread_local simdjson::dom::parser parser;
    return parser;
}

} // namespace

ForeignRecord rejectedRecord(std::string code, std::string message, std::string_view raw,
                             std::int64_t rawBytes, std::int64_t recordNo)
{
    ForeignRecord r;
    r.rejectCode = std::move(code);
    r.rejectMessage = std::move(message);
    r.raw = std::string(raw.substr(0, std::min(raw.size(), kMaxRaw)));
    r.rawBytes = rawBytes;
    r.recordNo = recordNo;
    return r;
}

std::string cloudWatchEventId(std::int64_t timestampMs, std::string_view message)
{
    const std::string ts = std::to_string(timestampMs);
    std::array<unsigned char, EVP_MAX_MD_SIZE> md{};
    unsigned int len = 0;
    EVP_MD_CTX* ctx = EVP_MD_CTX_new();
    EVP_DigestInit_ex(ctx, EVP_sha256(), nullptr);
    EVP_DigestUpdate(ctx, ts.data(), ts.size());
    EVP_DigestUpdate(ctx, "\n", 1);
    EVP_DigestUpdate(ctx, message.data(), message.size());
    EVP_DigestFinal_ex(ctx, md.data(), &len);
    EVP_MD_CTX_free(ctx);
    static constexpr char kHex[] = "0123456789abcdef";
    std::string id = "cw-";
    for (unsigned i = 0; i < 16; ++i) {
        id.push_back(kHex[md[i] >> 4]);
        id.push_back(kHex[md[i] & 15]);
    }
    return id;
}

ForeignRecord convertCloudWatchMessage(std::string_view message, std::int64_t timestampMs,
                                       const CloudWatchContext& context, std::int64_t recordNo,
                                       const ReaderOptions& options)
{
    if (message.find_first_not_of(" \t\r\n") == std::string_view::npos)
        // An event that is there but says nothing: quarantined, not dropped as a blank line
        // (found by fuzz_foreign).
        return rejectedRecord("input.missing_field", "CloudWatch log event with an empty message",
                              message, static_cast<std::int64_t>(message.size()), recordNo);
    ForeignRecord r;
    r.recordNo = recordNo;
    r.rawBytes = static_cast<std::int64_t>(message.size());
    const auto members = scanObjectMembers(message);
    if (!members) {
        r.line = std::string(message); // not an object: the decoder says why
        return r;
    }
    bool hasEventId = false, cloudTrail = false;
    int eventSource = 0;
    const ObjectMember* details = nullptr;
    for (const ObjectMember& m : *members) {
        if (m.key == "event_id")
            hasEventId = true;
        else if (m.key == "details")
            details = &m;
        else if (m.key == "eventSource" || m.key == "eventName" || m.key == "eventTime")
            ++eventSource;
        else if (m.key == "eventVersion")
            cloudTrail = true;
    }
    if (cloudTrail && eventSource == 3 && !details)
        return convertCloudTrailRecord(message, recordNo, options);

    // Splice, without re-serializing the message: an event_id after the opening brace,
    // the envelope's facts at the start of details.
    const std::size_t open = message.find('{') + 1;
    std::string line;
    line.reserve(message.size() + 160);
    line.append(message.substr(0, open));
    if (!hasEventId) {
        line.append("\"event_id\":");
        appendJsonString(line, cloudWatchEventId(timestampMs, message));
        if (!members->empty())
            line.push_back(',');
    }
    std::size_t at = open;
    if (details && message[details->valueBegin] == '{' &&
        (!context.logGroup.empty() || !context.logStream.empty() || !context.eventId.empty())) {
        const auto inner = scanObjectMembers(
            message.substr(details->valueBegin, details->valueEnd - details->valueBegin));
        const bool taken =
            inner && std::any_of(inner->begin(), inner->end(),
                                 [](const ObjectMember& m) { return m.key == "cloudwatch"; });
        if (inner && !taken) {
            const std::size_t brace = details->valueBegin + 1;
            line.append(message.substr(at, brace - at));
            std::string cw;
            addField(cw, "log_group", context.logGroup);
            addField(cw, "log_stream", context.logStream);
            addField(cw, "event_id", context.eventId);
            line.append("\"cloudwatch\":{");
            line.append(std::string_view(cw).substr(1));
            line.push_back('}');
            if (!inner->empty())
                line.push_back(',');
            at = brace;
        }
    }
    line.append(message.substr(at));
    r.line = std::move(line);
    return r;
}

ForeignRecord convertCloudTrailRecord(std::string_view record, std::int64_t recordNo,
                                      const ReaderOptions& options)
{
    auto reject = [&](std::string code, std::string message) {
        return rejectedRecord(std::move(code), "CloudTrail record: " + std::move(message), record,
                              static_cast<std::int64_t>(record.size()), recordNo);
    };
    element doc;
    if (auto err = threadParser().parse(record.data(), record.size(), true).get(doc); err)
        return reject(err == simdjson::UTF8_ERROR ? "input.invalid_utf8" : "input.invalid_json",
                      std::string("not valid JSON (") + simdjson::error_message(err) + ")");
    object rec;
    if (doc.get_object().get(rec) != simdjson::SUCCESS)
        return reject("input.not_object", "an element of Records is not an object");
    const std::string_view eventTime = stringAt(rec, "eventTime");
    const std::string_view eventSource = stringAt(rec, "eventSource");
    const std::string_view eventName = stringAt(rec, "eventName");
    if (eventTime.empty())
        return reject("input.missing_field", "no eventTime");
    if (eventSource.empty())
        return reject("input.missing_field", "no eventSource");
    if (eventName.empty())
        return reject("input.missing_field", "no eventName");

    bool haveIdentity = false, haveContext = false, haveIssuer = false;
    const object identity = objectAt(rec, "userIdentity", haveIdentity);
    object issuer;
    if (haveIdentity) {
        const object session = objectAt(identity, "sessionContext", haveContext);
        if (haveContext)
            issuer = objectAt(session, "sessionIssuer", haveIssuer);
    }
    std::string_view roleArn, roleName, principal, userName, identityType, account, invokedBy;
    if (haveIdentity) {
        principal = stringAt(identity, "principalId");
        userName = stringAt(identity, "userName");
        identityType = stringAt(identity, "type");
        account = stringAt(identity, "accountId");
        invokedBy = stringAt(identity, "invokedBy");
    }
    if (haveIssuer) {
        roleArn = stringAt(issuer, "arn");
        roleName = stringAt(issuer, "userName");
    }

    std::string agent, agentSource;
    if (!roleArn.empty() && options.roleAgents) {
        if (const auto it = options.roleAgents->find(std::string(roleArn));
            it != options.roleAgents->end()) {
            agent = it->second;
            agentSource = "role_arns";
        }
    }
    if (agent.empty()) {
        if (!roleArn.empty()) {
            agent = agentNameFrom(!roleName.empty() ? roleName
                                                    : roleArn.substr(roleArn.rfind('/') + 1));
            agentSource = "role name: the role is not in the policy file's role_arns";
        } else if (!userName.empty()) {
            agent = agentNameFrom(userName);
            agentSource = "IAM user name: not an assumed role";
        } else if (identityType == "Root") {
            agent = "root";
            agentSource = "root user of the account";
        } else if (!invokedBy.empty()) {
            agent = agentNameFrom(invokedBy);
            agentSource = "invoking service: no role or user";
        } else {
            agent = "unknown";
            agentSource = "the record names no role or user";
        }
    }

    std::string_view resource;
    simdjson::dom::array resources;
    if (rec.at_key("resources").get_array().get(resources) == simdjson::SUCCESS) {
        for (element e : resources) {
            object ro;
            if (e.get_object().get(ro) == simdjson::SUCCESS) {
                resource = stringAt(ro, "ARN");
                if (!resource.empty())
                    break;
            }
        }
    }
    const std::string_view errorCode = stringAt(rec, "errorCode");
    const std::string_view outcome =
        errorCode.empty() ? "allowed" : (isDeniedCode(errorCode) ? "denied" : "error");

    std::string line;
    line.reserve(512 + std::min<std::size_t>(record.size() / 4, 4096));
    line.append("{\"event_type\":\"tool_call\"");
    addField(line, "event_id", stringAt(rec, "eventID"));
    addField(line, "timestamp", eventTime);
    addField(line, "agent_name", agent);
    addField(line, "thread_id",
             threadFrom(!principal.empty() ? principal
                                           : (!account.empty() ? account : std::string_view("cloudtrail"))));
    addField(line, "severity", outcome == "denied" ? "warning" : "info");
    line.append(",\"details\":{\"action\":");
    std::string action(serviceOf(eventSource));
    action.push_back(':');
    action.append(eventName);
    appendJsonString(line, action);
    addField(line, "resource", resource.empty() ? std::string_view("*") : resource);
    addField(line, "outcome", outcome);
    addField(line, "source", "cloudtrail");
    addField(line, "event_source", eventSource);
    addField(line, "agent_source", agentSource);
    addField(line, "role_arn", roleArn);
    addField(line, "identity_type", identityType);
    addField(line, "account_id", account);
    addField(line, "aws_region", stringAt(rec, "awsRegion"));
    addField(line, "source_ip", stringAt(rec, "sourceIPAddress"));
    addField(line, "user_agent", stringAt(rec, "userAgent"));
    addField(line, "request_id", stringAt(rec, "requestID"));
    addField(line, "error_code", errorCode);
    addField(line, "error_message", stringAt(rec, "errorMessage"));
    line.append("}}");

    ForeignRecord r;
    r.line = std::move(line);
    r.rawBytes = static_cast<std::int64_t>(record.size());
    r.recordNo = recordNo;
    return r;
}

} // namespace vigil
