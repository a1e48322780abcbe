// SPDX-License-Identifier: Apache-2.0
// The HTTP receiver's request handling without sockets: Beast's request parser with the
// receiver's header and body limits, then Vigil's own decisions on the head
// (core/pipeline/httprequest: route, method, bearer token, content type and encoding,
// length) and the gzip inflation of the body. Any bytes give an answer or a parse error,
// never a crash; a refusal is a 4xx with a code and a message; an accepted request has a
// route; no body and no inflated body passes its limit.
//
// Input: one byte of flags (bit 0: the receiver has a token), then the request bytes.

// Links: vigil_pipeline
// Runs: 200000

#include "fuzzsupport.h"

#include "pipeline/httprequest.h"

#include <boost/beast/http.hpp>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    using namespace vigil;
    namespace http = boost::beast::http;
    fuzz::Input in(data, size);
    const std::uint8_t flags = in.byte();
    const std::string_view bytes = in.rest();

    HttpOptions options;
    options.maxHeaderBytes = 4096;
    options.maxBodyBytes = 16 * 1024;
    options.maxDecodedBytes = 64 * 1024;
    const TokenDigest token = tokenDigest("fuzz-token");

    http::request_parser<http::string_body> parser;
    parser.header_limit(static_cast<std::uint32_t>(options.maxHeaderBytes));
    parser.body_limit(options.maxBodyBytes);
    parser.eager(true);
    boost::beast::error_code ec;
    std::size_t used = 0;
    while (used < bytes.size() && !parser.is_done()) {
        const std::size_t n =
            parser.put(boost::asio::buffer(bytes.data() + used, bytes.size() - used), ec);
        if (ec || n == 0)
            break;
        used += n;
    }
    if (!parser.is_header_done())
        return 0;
    const auto& req = parser.get();
    const auto sv = [](boost::beast::string_view s) { return std::string_view(s.data(), s.size()); };
    httpreq::RequestHead head;
    head.method = sv(req.method_string());
    head.target = sv(req.target());
    head.authorization = sv(req[http::field::authorization]);
    head.contentType = sv(req[http::field::content_type]);
    head.contentEncoding = sv(req[http::field::content_encoding]);
    if (const auto n = parser.content_length())
        head.contentLength = static_cast<std::uint64_t>(*n);
    head.chunked = parser.chunked();
    const auto vetted = httpreq::vetRequest(head, options, (flags & 1) ? &token : nullptr);
    if (const auto* no = std::get_if<httpreq::Refusal>(&vetted)) {
        fuzz::check(no->status >= 400 && no->status < 500, "a refusal of the head is a 4xx",
                    std::to_string(no->status));
        fuzz::check(!no->code.empty() && !no->message.empty(), "a refusal says why");
        for (const char c : no->message)
            fuzz::check(static_cast<unsigned char>(c) >= 0x20 && c != 0x7f,
                        "a refusal's message is printable (it quotes the client)");
        return 0;
    }
    const auto& ok = std::get<httpreq::Accepted>(vetted);
    fuzz::check(ok.route != httpreq::Route::None, "an accepted request has a route");
    fuzz::check(!(flags & 1) || ok.authenticated, "with a token, only the token gets in");
    if (!parser.is_done())
        return 0;
    const std::string& body = req.body();
    fuzz::check(body.size() <= options.maxBodyBytes, "no body passes the limit");
    if (ok.gzip) {
        const auto inflated = httpreq::inflateBody(body, options.maxDecodedBytes);
        if (inflated)
            fuzz::check(inflated->size() <= options.maxDecodedBytes,
                        "no inflated body passes the limit");
        else
            fuzz::check(inflated.error().code == "http.too_large" ||
                            inflated.error().code.starts_with("input.gzip"),
                        "an inflation error has a known code", inflated.error().code);
    }
    return 0;
}
