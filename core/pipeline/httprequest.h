// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "base/result.h"
#include "pipeline/httpserver.h"
#include "pipeline/listenerutil.h"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

namespace vigil::httpreq {

/// The HTTP receiver's decisions that depend only on the request, kept apart from the
/// sockets so that they can be tested and fuzzed on their own (tests/fuzz/fuzz_http.cpp).

/// What a path asks for.
enum class Route : std::uint8_t { None, Events, Traces, Logs };

/// A request's head, as the parser read it.
struct RequestHead
{
    std::string_view method;
    std::string_view target;
    std::string_view authorization;
    std::string_view contentType;
    std::string_view contentEncoding;
    std::optional<std::uint64_t> contentLength;
    bool chunked = false;
};

/// An error answer: status, a stable code and a message for the client's log.
struct Refusal
{
    int status = 400;
    std::string code;
    std::string message;
    int retryAfterSeconds = 0; ///< >0: a Retry-After header
    bool close = true;         ///< the body was not read: the connection cannot go on
};

/// A request to read: where its body goes and how it is encoded.
struct Accepted
{
    Route route = Route::Events;
    bool gzip = false;
    bool authenticated = false; ///< it carried the right bearer token
};

/// Checks path, method, bearer token (when `token` is given), content type and encoding and
/// length against `options`, in that order: the first failing check answers.
std::variant<Accepted, Refusal> vetRequest(const RequestHead& head, const HttpOptions& options,
                                           const TokenDigest* token);

/// Inflates a gzip body to at most `maxBytes`: over it `http.too_large`, damaged gzip
/// `input.gzip_corrupt` / `input.gzip_truncated`. Never holds more than `maxBytes` plus one
/// piece of output.
Result<std::string> inflateBody(std::string_view body, std::size_t maxBytes);

/// Whether the request is OTLP in protobuf form (application/x-protobuf to /v1/traces or
/// /v1/logs): its body is read as protobuf, and every answer to it, refusals included, is
/// protobuf too.
bool speaksProtobuf(const RequestHead& head);

/// The media type of a Content-Type or Content-Encoding value without parameters, lower-cased.
std::string mediaType(std::string_view value);

} // namespace vigil::httpreq
