// SPDX-License-Identifier: Apache-2.0
#include "pipeline/listenerutil.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

namespace vigil {

std::string endpointText(const boost::asio::ip::tcp::endpoint& e)
{
    const auto a = e.address();
    return (a.is_v6() ? "[" + a.to_string() + "]" : a.to_string()) + ":" + std::to_string(e.port());
}

TokenDigest tokenDigest(std::string_view token)
{
    TokenDigest d{};
    unsigned int len = 0;
    EVP_Digest(token.data(), token.size(), d.data(), &len, EVP_sha256(), nullptr);
    return d;
}

bool tokenDigestsEqual(const TokenDigest& a, const TokenDigest& b)
{
    return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

Result<void> configureServerTls(boost::asio::ssl::context& ctx, const std::string& certFile,
                                const std::string& keyFile, const std::string& clientCaFile,
                                const std::string& codePrefix)
{
    namespace ssl = boost::asio::ssl;
    ctx.set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                    ssl::context::no_sslv3 | ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1 |
                    ssl::context::single_dh_use);
    boost::system::error_code ec;
    ctx.use_certificate_chain_file(certFile, ec);
    if (ec)
        return fail(codePrefix + ".tls_cert",
                    "cannot load TLS certificate " + certFile + ": " + ec.message());
    ctx.use_private_key_file(keyFile, ssl::context::pem, ec);
    if (ec)
        return fail(codePrefix + ".tls_key",
                    "cannot load TLS private key " + keyFile + ": " + ec.message());
    if (!clientCaFile.empty()) {
        ctx.load_verify_file(clientCaFile, ec);
        if (ec)
            return fail(codePrefix + ".tls_client_ca",
                        "cannot load client CA " + clientCaFile + ": " + ec.message());
        ctx.set_verify_mode(ssl::verify_peer | ssl::verify_fail_if_no_peer_cert);
    }
    return {};
}

Result<boost::asio::ip::tcp::endpoint> listenOn(boost::asio::ip::tcp::acceptor& acceptor,
                                                const boost::asio::ip::tcp::endpoint& endpoint,
                                                const std::string& what, const std::string& code)
{
    using tcp = boost::asio::ip::tcp;
    boost::system::error_code ec;
    acceptor.open(endpoint.protocol(), ec);
    if (!ec)
        acceptor.set_option(tcp::acceptor::reuse_address(true), ec);
    if (!ec)
        acceptor.bind(endpoint, ec);
    if (!ec)
        acceptor.listen(boost::asio::socket_base::max_listen_connections, ec);
    tcp::endpoint bound;
    if (!ec)
        bound = acceptor.local_endpoint(ec);
    if (ec) {
        boost::system::error_code ignored;
        acceptor.close(ignored);
        return fail(code, "cannot " + what + ": " + ec.message());
    }
    return bound;
}

std::string peerCommonName(SSL* ssl)
{
    X509* cert = SSL_get1_peer_certificate(ssl);
    if (!cert)
        return {};
    std::string cn;
    if (X509_NAME* name = X509_get_subject_name(cert)) {
        char buf[256];
        const int n = X509_NAME_get_text_by_NID(name, NID_commonName, buf, sizeof buf);
        if (n > 0)
            cn.assign(buf, static_cast<std::size_t>(n));
    }
    X509_free(cert);
    std::erase_if(cn, [](char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7f; });
    return cn;
}

} // namespace vigil
