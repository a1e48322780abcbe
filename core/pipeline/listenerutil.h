// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "base/result.h"

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>

#include <array>
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

/// The common name of the peer's verified certificate, printable ASCII only (it becomes part
/// of a source name shown to reviewers), or empty without one.
std::string peerCommonName(SSL* ssl);

} // namespace vigil
