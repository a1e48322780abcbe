// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "base/result.h"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl/context.hpp>

#include <array>
#include <mutex>
#include <string>
#include <string_view>

typedef struct ssl_st SSL;

namespace vigil {

/// What the network listeners (TcpServer, HttpServer) share: how a peer is written, how a
/// token is compared, how a TLS server context is set up and who a client certificate names.

/// `1.2.3.4:5` or `[::1]:5`.
std::string endpointText(const boost::asio::ip::tcp::endpoint& e);

using TokenDigest = std::array<unsigned char, 32>;
/// SHA-256 of a token: candidates are compared digest to digest, in constant time, so the
/// comparison says nothing about the token's length or prefix.
TokenDigest tokenDigest(std::string_view token);
bool tokenDigestsEqual(const TokenDigest& a, const TokenDigest& b);

/// A TLS 1.2+ server context from a PEM certificate chain and key; with `clientCaFile`, peers
/// must present a certificate that CA signed (mutual TLS). Errors name the file and start
/// with `codePrefix` (`tcp`, `http`): `<prefix>.tls_cert`, `.tls_key`, `.tls_client_ca`.
Result<void> configureServerTls(boost::asio::ssl::context& ctx, const std::string& certFile,
                                const std::string& keyFile, const std::string& clientCaFile,
                                const std::string& codePrefix);

/// Where callbacks on other threads (the writer's commit callbacks) post work for a
/// listener's I/O thread; `io` is cleared when that thread ends, so a late callback never
/// touches a dead io_context.
struct IoMailbox
{
    std::mutex mutex;
    boost::asio::io_context* io = nullptr;

    template <typename F> void post(F&& f)
    {
        std::lock_guard l(mutex);
        if (io)
            boost::asio::post(*io, std::forward<F>(f));
    }
    void open(boost::asio::io_context& context)
    {
        std::lock_guard l(mutex);
        io = &context;
    }
    void close()
    {
        std::lock_guard l(mutex);
        io = nullptr;
    }
};

/// Opens `acceptor` on `endpoint` (address reuse on), binds and listens; on failure closes it
/// again and says why under `code`, naming `what` ("listen on 127.0.0.1:7514"). Returns the
/// bound endpoint (the real port when 0 was asked).
Result<boost::asio::ip::tcp::endpoint> listenOn(boost::asio::ip::tcp::acceptor& acceptor,
                                                const boost::asio::ip::tcp::endpoint& endpoint,
                                                const std::string& what, const std::string& code);

/// The common name of the peer's verified certificate, printable ASCII only (it becomes part
/// of a source name shown to reviewers), or empty without one.
std::string peerCommonName(SSL* ssl);

} // namespace vigil
