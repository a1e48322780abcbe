// SPDX-License-Identifier: Apache-2.0
#include "pipeline/httprequest.h"

#include "ingest/gzipstream.h"

namespace vigil::httpreq {
namespace {

Route routeOf(std::string_view target)
{
    if (const auto q = target.find('?'); q != std::string_view::npos)
        target = target.substr(0, q);
    if (target == "/v1/events")
        return Route::Events;
    if (target == "/v1/traces")
        return Route::Traces;
    if (target == "/v1/logs")
        return Route::Logs;
    return Route::None;
}

bool equalsIgnoringCase(std::string_view a, std::string_view b)
{
    if (a.size() != b.size())
        return false;
    for (std::size_t i = 0; i < a.size(); ++i)
        if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i])))
            return false;
    return true;
}

bool isProtobufType(std::string_view mediaType)
{
    return mediaType == "application/x-protobuf" || mediaType == "application/protobuf";
}

/// Printable ASCII of at most 64 bytes: a client's header quoted in a message.
std::string printable(std::string_view s)
{
    std::string out;
    for (const char c : s.substr(0, 64))
        out.push_back(static_cast<unsigned char>(c) >= 0x20 && static_cast<unsigned char>(c) < 0x7f ? c : '?');
    return out;
}

} // namespace

std::string mediaType(std::string_view value)
{
    if (const auto semi = value.find(';'); semi != std::string_view::npos)
        value = value.substr(0, semi);
    while (!value.empty() && (value.back() == ' ' || value.back() == '\t'))
        value.remove_suffix(1);
    while (!value.empty() && (value.front() == ' ' || value.front() == '\t'))
        value.remove_prefix(1);
    std::string out(value);
    for (char& c : out)
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

bool speaksProtobuf(const RequestHead& head)
{
    const Route route = routeOf(head.target);
    return (route == Route::Traces || route == Route::Logs) &&
           isProtobufType(mediaType(head.contentType));
}

std::variant<Accepted, Refusal> vetRequest(const RequestHead& head, const HttpOptions& options,
                                           const TokenDigest* token)
{
    Accepted ok;
    ok.route = routeOf(head.target);
    if (ok.route == Route::None)
        return Refusal{404, "http.not_found",
                       "no such endpoint: POST events to /v1/events (NDJSON) or OTLP (JSON or "
                       "protobuf) to /v1/traces and /v1/logs"};
    if (head.method != "POST")
        return Refusal{405, "http.method", printable(head.method) + " is not accepted here: use POST"};
    if (token) {
        constexpr std::string_view scheme = "Bearer ";
        const std::string_view auth = head.authorization;
        ok.authenticated = auth.size() > scheme.size() &&
                           equalsIgnoringCase(auth.substr(0, scheme.size()), scheme) &&
                           tokenDigestsEqual(tokenDigest(auth.substr(scheme.size())), *token);
        if (!ok.authenticated)
            return Refusal{401, "http.unauthorized",
                           auth.empty() ? "this receiver needs Authorization: Bearer <token>"
                                        : "the bearer token is not valid"};
    }
    const std::string type = mediaType(head.contentType);
    if (ok.route == Route::Events) {
        if (!type.empty() && type != "application/x-ndjson" && type != "application/json" &&
            type != "application/jsonl" && type != "application/json-lines" &&
            type != "application/x-jsonlines" && type != "text/plain")
            return Refusal{415, "http.content_type",
                           "/v1/events takes newline-delimited JSON (application/x-ndjson), not " +
                               printable(type)};
    } else if (type != "application/json" && !isProtobufType(type)) {
        return Refusal{415, "http.content_type",
                       "OTLP/HTTP bodies must be application/json or application/x-protobuf" +
                           (type.empty() ? std::string() : ", not " + printable(type))};
    }
    const std::string encoding = mediaType(head.contentEncoding);
    if (!encoding.empty() && encoding != "identity" && encoding != "gzip")
        return Refusal{415, "http.content_encoding",
                       "Content-Encoding " + printable(encoding) + " is not supported (gzip is)"};
    ok.gzip = encoding == "gzip";
    if (head.contentLength && *head.contentLength > options.maxBodyBytes)
        return Refusal{413, "http.too_large",
                       "the body is " + std::to_string(*head.contentLength) +
                           " bytes, over the limit of " + std::to_string(options.maxBodyBytes) +
                           "; send smaller batches"};
    if (!head.contentLength && !head.chunked)
        return Refusal{411, "http.length_required",
                       "a POST needs Content-Length or chunked transfer encoding"};
    return ok;
}

Result<std::string> inflateBody(std::string_view body, std::size_t maxBytes)
{
    std::string decoded;
    GzipStream gz;
    bool over = false;
    Result<void> r;
    // In 64 KiB pieces of input, so that a bomb is given up after at most one piece's worth
    // of inflating (zlib's ratio is at most about 1:1000) past the limit, not after all of it.
    constexpr std::size_t kPiece = 64 * 1024;
    for (std::size_t at = 0; r && !over && at < body.size(); at += kPiece)
        r = gz.feed(body.substr(at, kPiece), [&](std::string_view out) {
            if (over || decoded.size() + out.size() > maxBytes) {
                over = true;
                return;
            }
            decoded.append(out);
        });
    if (r && !over)
        r = gz.finish();
    if (over)
        return fail("http.too_large",
                    "the body decompresses to more than " + std::to_string(maxBytes) + " bytes");
    if (!r)
        return fail(r.error().code, "the gzip body cannot be read: " + r.error().message);
    return decoded;
}

} // namespace vigil::httpreq
