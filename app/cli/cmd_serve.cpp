// SPDX-License-Identifier: Apache-2.0
#include "cli.h"

#include "pipeline/engine.h"
#include "pipeline/liveingest.h"
#include "store/storewriter.h"

#include <signal.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstdio>
#include <cstdlib>
#include <ctime>

namespace vigil::cli {
namespace {

template <typename T> bool parseNumber(const std::optional<std::string>& text, T& out)
{
    if (!text)
        return true;
    const char* end = text->data() + text->size();
    auto [p, ec] = std::from_chars(text->data(), end, out);
    return ec == std::errc() && p == end;
}

bool parseSeconds(const std::optional<std::string>& text, std::chrono::milliseconds& out)
{
    if (!text)
        return true;
    char* end = nullptr;
    errno = 0;
    const double s = std::strtod(text->c_str(), &end);
    if (errno != 0 || end != text->c_str() + text->size() || !(s > 0) || s > 1e7)
        return false;
    out = std::chrono::milliseconds(static_cast<std::int64_t>(s * 1000.0 + 0.5));
    return out.count() > 0;
}

void logLine(std::string_view message)
{
    std::fprintf(stderr, "vigil-cli serve: %.*s\n", static_cast<int>(message.size()),
                 message.data());
}

} // namespace

int runServe(const std::vector<std::string>& args)
{
    const std::vector<OptionSpec> spec{
        {"db", true, false, "SQLite database to store into (created if missing)"},
        {"listen", true, false, "HOST:PORT of the TCP feed (default 127.0.0.1:7514; off: none)"},
        {"http", true, false,
         "HOST:PORT of the HTTP receiver: OTLP/HTTP JSON on /v1/traces and /v1/logs, NDJSON "
         "on /v1/events (off by default; 4318 is OTLP's port)"},
        {"tail", true, true, "follow FILE like tail -F (repeatable)"},
        {"input-format", true, false,
         "what tailed files hold: " + inputFormatNames(", ") +
             " (auto: decided per file from its first bytes)"},
        {"rules", true, false, "extra rule pack (JSON) that adds, overrides or disables rules"},
        {"policies", true, false, "agent IAM policy file, for iam findings"},
        {"token-file", true, false, "file (mode 0600) holding the token clients must present"},
        {"tls-cert", true, false, "PEM certificate chain: serve TLS (with --tls-key)"},
        {"tls-key", true, false, "PEM private key of --tls-cert"},
        {"tls-client-ca", true, false,
         "PEM CA bundle: clients must present a certificate it signed (mutual TLS); it stands "
         "in for the token and names the source"},
        {"max-body", true, false, "HTTP: bytes per request body as sent (16777216)"},
        {"join-window-ms", true, false,
         "HTTP: how long an OTLP span waits for its parent's agent (2000)"},
        {"max-connections", true, false, "open connections at most (default 256)"},
        {"durable", false, false,
         "commit with synchronous=FULL: an acknowledged event survives a power loss, not only "
         "a crash (slower)"},
        {"max-per-address", true, false, "connections from one address at most (32; 0 none)"},
        {"handshake-timeout", true, false, "seconds for the TLS handshake and auth line (5)"},
        {"idle-timeout", true, false, "seconds without a non-blank line before a close (300)"},
        {"max-line", true, false, "bytes per line; longer ones are quarantined (1048576)"},
        {"connection-budget", true, false, "bytes of lines a connection holds at most (524288)"},
        {"memory-budget", true, false, "bytes all connections hold at most (67108864)"},
        {"max-rejected", true, false,
         "close a connection after N quarantined lines (10000; 0 never)"},
        {"workers", true, false, "decode/scan threads (default: from the core count)"},
        {"flush-ms", true, false, "hand lines on at least this often (50)"},
        {"poll-ms", true, false, "check tailed files this often (100)"},
        {"rotation-quiet-ms", true, false, "finish a rotated file once quiet this long (1000)"},
        {"quiet", false, false, "print only the start line, errors and the summary"},
    };
    auto parsed = parseArgs(args, spec);
    if (!parsed)
        return error("serve", parsed.error().message);
    if (parsed->help) {
        printHelp("vigil-cli serve --db DB [--listen HOST:PORT] [--tail FILE]... [OPTIONS]",
                  "Runs the live pipeline without a window: a TCP feed of newline-delimited\n"
                  "audit events and followed files, scanned and stored in DB, until SIGINT or\n"
                  "SIGTERM; then everything received is committed and it exits 0.\n"
                  "A non-loopback --listen needs a token, from the environment variable\n"
                  "VIGIL_TOKEN or from --token-file (never from the command line).\n"
                  "With a token or TLS, at most half of --max-connections may be clients\n"
                  "still in their handshake; a newcomer takes the slot of the oldest of them,\n"
                  "so clients that authenticate promptly always get in. --max-per-address\n"
                  "counts an IPv6 peer by its /64 and leaves loopback peers out: they all\n"
                  "share 127.0.0.1. Over --memory-budget, connections holding more than\n"
                  "64 KiB stop being read, but one at a time reads on to finish its line,\n"
                  "so every close is seen.\n"
                  "--http adds an HTTP receiver for OTLP/HTTP JSON (/v1/traces, /v1/logs)\n"
                  "and NDJSON (/v1/events): each request is answered 200 once all it\n"
                  "carried is stored, 429/503 with Retry-After when it cannot be yet. It\n"
                  "shares the token (as Authorization: Bearer), --tls-cert/--tls-key and\n"
                  "the connection limits with the TCP feed.\n"
                  "Tailed files may hold any format import reads (--input-format), each\n"
                  "recognized by its first bytes: CloudWatch Logs exports and subscription\n"
                  "payloads, CloudTrail, OTLP JSON lines; gzip rotations are read too.\n"
                  "The protocol is in docs/protocol.md.",
                  spec);
        return Ok;
    }
    if (!parsed->positional.empty())
        return error("serve", "unexpected argument " + parsed->positional.front());
    const auto db = parsed->get("db");
    if (!db)
        return error("serve", "missing --db DB");

    LiveOptions options;
    const std::string listen = parsed->get("listen").value_or("127.0.0.1:7514");
    if (listen == "off" || listen == "none") {
        options.tcp.reset();
    } else {
        auto addr = parseListenAddress(listen);
        if (!addr)
            return error("serve", addr.error().message);
        options.tcp->host = addr->first;
        options.tcp->port = addr->second;
    }
    options.tailFiles = parsed->all("tail");
    if (auto f = parsed->get("input-format")) {
        const auto known = inputFormatFromString(*f);
        if (!known)
            return error("serve", "--input-format must be one of " + inputFormatNames(", ") +
                                      " (got \"" + *f + "\")");
        options.tail.format = *known;
    }
    if (const auto http = parsed->get("http")) {
        auto addr = parseListenAddress(*http);
        if (!addr)
            return error("serve", "--http: " + addr.error().message);
        options.http.emplace();
        options.http->host = addr->first;
        options.http->port = addr->second;
    }
    if (!options.tcp && !options.http && options.tailFiles.empty())
        return error("serve", "nothing to serve: --listen off, no --http and no --tail FILE");

    const char* envToken = std::getenv("VIGIL_TOKEN");
    const auto tokenFile = parsed->get("token-file");
    std::string token;
    if (tokenFile && envToken && *envToken)
        return error("serve", "a token is given both in VIGIL_TOKEN and by --token-file; "
                              "give only one");
    if (tokenFile) {
        auto t = readTokenFile(*tokenFile);
        if (!t)
            return error("serve", t.error().message);
        token = std::move(*t);
    } else if (envToken && *envToken) {
        token = envToken;
    }

    if (options.tcp) {
        TcpOptions& t = *options.tcp;
        t.token = token;
        t.tlsCertFile = parsed->get("tls-cert").value_or("");
        t.tlsKeyFile = parsed->get("tls-key").value_or("");
        t.tlsClientCaFile = parsed->get("tls-client-ca").value_or("");
        std::size_t flushMs = 50;
        if (!parseNumber(parsed->get("max-connections"), t.maxConnections) || t.maxConnections == 0)
            return error("serve", "--max-connections takes a number above 0");
        if (!parseNumber(parsed->get("max-per-address"), t.maxPerAddress))
            return error("serve", "--max-per-address takes a number, 0 for no limit");
        if (!parseSeconds(parsed->get("idle-timeout"), t.idleTimeout))
            return error("serve", "--idle-timeout takes a number of seconds above 0");
        if (!parseSeconds(parsed->get("handshake-timeout"), t.handshakeTimeout))
            return error("serve", "--handshake-timeout takes a number of seconds above 0");
        if (!parseNumber(parsed->get("max-line"), t.maxLineBytes) || t.maxLineBytes < 1024)
            return error("serve", "--max-line takes a number of bytes, at least 1024");
        if (!parseNumber(parsed->get("connection-budget"), t.connectionBudgetBytes) ||
            t.connectionBudgetBytes < 1024)
            return error("serve", "--connection-budget takes a number of bytes, at least 1024");
        if (!parseNumber(parsed->get("memory-budget"), t.globalBudgetBytes) ||
            t.globalBudgetBytes < 1024 * 1024)
            return error("serve", "--memory-budget takes a number of bytes, at least 1048576");
        if (!parseNumber(parsed->get("max-rejected"), t.maxRejectedLines) || t.maxRejectedLines < 0)
            return error("serve", "--max-rejected takes a number, 0 for no limit");
        if (!parseNumber(parsed->get("flush-ms"), flushMs) || flushMs == 0)
            return error("serve", "--flush-ms takes a number above 0");
        t.flushInterval = std::chrono::milliseconds(flushMs);
    } else if (!options.http && (!token.empty() || parsed->get("tls-cert") || parsed->get("tls-key") ||
                                 parsed->get("tls-client-ca"))) {
        return error("serve", "a token or TLS setting needs a TCP feed (--listen) or --http");
    }
    if (options.http) {
        HttpOptions& h = *options.http;
        h.token = token;
        h.tlsCertFile = parsed->get("tls-cert").value_or("");
        h.tlsKeyFile = parsed->get("tls-key").value_or("");
        h.tlsClientCaFile = parsed->get("tls-client-ca").value_or("");
        if (!parseNumber(parsed->get("max-connections"), h.maxConnections) || h.maxConnections == 0)
            return error("serve", "--max-connections takes a number above 0");
        if (!parseNumber(parsed->get("max-per-address"), h.maxPerAddress))
            return error("serve", "--max-per-address takes a number, 0 for no limit");
        if (!parseSeconds(parsed->get("handshake-timeout"), h.handshakeTimeout))
            return error("serve", "--handshake-timeout takes a number of seconds above 0");
        if (!parseNumber(parsed->get("max-line"), h.maxLineBytes) || h.maxLineBytes < 1024)
            return error("serve", "--max-line takes a number of bytes, at least 1024");
        if (!parseNumber(parsed->get("max-body"), h.maxBodyBytes) || h.maxBodyBytes < 1024 ||
            h.maxBodyBytes > (1u << 30))
            return error("serve", "--max-body takes a number of bytes from 1024 to 1073741824");
        h.maxDecodedBytes = std::max(h.maxDecodedBytes, h.maxBodyBytes);
        h.globalBudgetBytes = std::max(h.globalBudgetBytes, h.maxBodyBytes);
        if (!parseNumber(parsed->get("join-window-ms"), h.otlpJoinWindowMs) ||
            h.otlpJoinWindowMs < 0)
            return error("serve", "--join-window-ms takes a number of milliseconds, 0 or more");
    } else if (parsed->get("max-body") || parsed->get("join-window-ms")) {
        return error("serve", "--max-body and --join-window-ms are settings of the HTTP "
                              "receiver (--http)");
    }
    std::size_t pollMs = 100, quietMs = 1000;
    if (!parseNumber(parsed->get("poll-ms"), pollMs) || pollMs == 0)
        return error("serve", "--poll-ms takes a number above 0");
    if (!parseNumber(parsed->get("rotation-quiet-ms"), quietMs))
        return error("serve", "--rotation-quiet-ms takes a number");
    options.tail.pollInterval = std::chrono::milliseconds(pollMs);
    options.tail.rotationQuiet = std::chrono::milliseconds(quietMs);
    if (!parseNumber(parsed->get("workers"), options.pipeline.workers))
        return error("serve", "--workers takes a number");
    options.persistStatsEvery = std::chrono::seconds(5);

    auto engine = loadEngine(parsed->get("rules"), parsed->get("policies"));
    if (!engine)
        return error("serve", engine.error().message);
    engine->configure(options.pipeline);
    options.tail.reader.roleAgents = roleAgentsOf(engine->policies().get());

    // Signals are taken synchronously by this thread; every thread started from here on
    // inherits the blocked mask, so none of them is interrupted.
    sigset_t stopSignals;
    sigemptyset(&stopSignals);
    sigaddset(&stopSignals, SIGINT);
    sigaddset(&stopSignals, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &stopSignals, nullptr);
    ::signal(SIGPIPE, SIG_IGN);

    StoreWriterOptions writerOptions;
    writerOptions.queueCapacity = 8; // bounded memory: batches wait in the pipeline instead
    writerOptions.durable = parsed->flag("durable");
    // A batch that fails on the storage (a full disk) is retried until it commits or serve
    // stops; meanwhile nothing later commits or is acknowledged and readers wait.
    writerOptions.retryMs = -1;
    auto writer = StoreWriter::open(*db, writerOptions);
    if (!writer)
        return error("serve", writer.error().message);

    const bool quiet = parsed->flag("quiet");
    LiveIngest live(**writer, options);
    if (!quiet)
        live.setLogSink(logLine);
    const auto started = std::chrono::steady_clock::now();
    if (auto r = live.start(); !r) {
        (*writer)->close();
        return error("serve", r.error().message);
    }

    std::string banner;
    if (options.tcp) {
        const TcpOptions& t = *options.tcp;
        banner = "listening on " + live.listenAddress() + " (" +
                 (t.tlsCertFile.empty()       ? "plaintext"
                  : t.tlsClientCaFile.empty() ? "TLS"
                                              : "mutual TLS") +
                 ", " +
                 (t.token.empty() ? "no token" : "token required") + ")";
    } else if (!options.http) {
        banner = "not listening";
    }
    if (options.http) {
        const HttpOptions& h = *options.http;
        banner += std::string(banner.empty() ? "" : "; ") + "HTTP on " + live.httpAddress() + " (" +
                  (h.tlsCertFile.empty() ? "plaintext"
                   : h.tlsClientCaFile.empty() ? "TLS"
                                               : "mutual TLS") +
                  ", " + (h.token.empty() ? "no token" : "bearer token required") +
                  "; POST /v1/traces, /v1/logs, /v1/events)";
    }
    if (!options.tailFiles.empty()) {
        banner += "; following";
        for (std::size_t i = 0; i < options.tailFiles.size(); ++i)
            banner += (i ? ", " : " ") + options.tailFiles[i];
    }
    banner += "; storing into " + *db;
    logLine(banner);
    if (options.tcp && !isLoopbackHost(options.tcp->host) && options.tcp->tlsCertFile.empty())
        logLine("warning: without TLS the token and the events cross the network unencrypted "
                "(see --tls-cert and --tls-key)");
    std::fflush(stderr);

    int signal = 0;
    bool wasRetrying = false;
    for (;;) {
        const timespec wait{1, 0};
        siginfo_t info{};
        const int s = sigtimedwait(&stopSignals, &info, &wait);
        if (s == SIGINT || s == SIGTERM) {
            signal = s;
            break;
        }
        // Say when storing starts and stops failing: the operator has to free space.
        const WriterStats w = (*writer)->stats();
        if (w.retrying != wasRetrying) {
            wasRetrying = w.retrying;
            if (!quiet)
                logLine(w.retrying ? "storing is failing (" + w.lastError +
                                         "); holding every input and retrying, nothing is "
                                         "acknowledged until it succeeds"
                                   : std::string("storing works again; resuming"));
            std::fflush(stderr);
        }
    }
    logLine(std::string("stopping on ") + (signal == SIGINT ? "SIGINT" : "SIGTERM") +
            ": committing what was received");
    live.stop();
    const LiveStats st = live.stats();
    (*writer)->close();
    const double secs =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    char summary[512];
    std::snprintf(summary, sizeof summary,
                  "stopped after %.1f s: %s lines received, %s accepted, %s duplicates, "
                  "%s rejected, %s findings; %s connections (%s refused, %s failed "
                  "authentication, %s closed in their handshake, %s closed idle)",
                  secs, withThousands(st.linesReceived).c_str(), withThousands(st.accepted).c_str(),
                  withThousands(st.duplicates).c_str(), withThousands(st.rejected).c_str(),
                  withThousands(st.findings).c_str(), withThousands(st.connectionsAccepted).c_str(),
                  withThousands(st.connectionsRefused).c_str(),
                  withThousands(st.authFailures).c_str(), withThousands(st.handshakeClosed).c_str(),
                  withThousands(st.idleClosed).c_str());
    logLine(summary);
    if (options.http)
        logLine("HTTP: " + withThousands(st.httpRequests) + " requests, " +
                withThousands(st.httpRefused) + " answered with an error status");
    if (st.failedBatches > 0)
        return error("serve", withThousands(st.failedBatches) +
                                  " batches could not be stored: " + st.lastError);
    return Ok;
}

} // namespace vigil::cli
