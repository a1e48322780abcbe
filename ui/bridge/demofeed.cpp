// SPDX-License-Identifier: Apache-2.0
#include "bridge/demofeed.h"

#include "base/embedded.h"
#include "base/jsonlimits.h"
#include "base/timeutil.h"

#include <nlohmann/json.hpp>

#include <netdb.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>

namespace vigil::ui::demo {
namespace {

// The value of a top-level string field written as "key":"value" (the generator writes
// compact JSON, timestamp first), as [begin, end) offsets of the value; npos when absent.
std::pair<std::size_t, std::size_t> stringField(std::string_view line, std::string_view key)
{
    const std::string needle = "\"" + std::string(key) + "\":\"";
    const std::size_t at = line.find(needle);
    if (at == std::string_view::npos)
        return {std::string_view::npos, std::string_view::npos};
    const std::size_t begin = at + needle.size();
    const std::size_t end = line.find('"', begin);
    return {begin, end == std::string_view::npos ? begin : end};
}

} // namespace

Corpus corpus()
{
    Corpus c;
    const auto text = embeddedResource("demo/demo.jsonl");
    if (!text)
        return c;
    std::string_view rest = *text;
    while (!rest.empty()) {
        const std::size_t nl = rest.find('\n');
        std::string_view line = rest.substr(0, nl);
        rest = nl == std::string_view::npos ? std::string_view() : rest.substr(nl + 1);
        if (line.empty())
            continue;
        const auto [b, e] = stringField(line, "timestamp");
        std::int64_t ts = 0;
        if (b != std::string_view::npos)
            ts = parseRfc3339Utc(line.substr(b, e - b)).value_or(0);
        c.lines.push_back(line);
        c.timestamps.push_back(ts);
    }
    // The last tenth of the story arrives live; the rest is history when the demo opens.
    c.liveStart = c.lines.size() - c.lines.size() / 10;
    return c;
}

std::string policies()
{
    const auto seed = embeddedResource("policies/seed-agents.json");
    const auto workers = embeddedResource("demo/worker-roles.json");
    if (!seed)
        return workers ? std::string(*workers) : std::string();
    // Merging copies subtrees, which recurses: a file over the JSON limits goes to the
    // policy loader as it is, and the loader names the fault.
    if (!withinJsonLimits(*seed) || (workers && !withinJsonLimits(*workers)))
        return std::string(*seed);
    auto merged = nlohmann::ordered_json::parse(*seed, nullptr, false);
    const auto extra = workers ? nlohmann::ordered_json::parse(*workers, nullptr, false) : nlohmann::ordered_json();
    if (merged.is_discarded() || !merged.is_object())
        return std::string(*seed); // the engine reports what is wrong with it
    if (extra.is_object() && extra.contains("agents")) {
        for (const auto& [agent, role] : extra["agents"].items()) {
            if (merged["agents"].contains(agent))
                continue;
            merged["agents"][agent] = role;
            if (extra.contains("tiers") && extra["tiers"].contains(agent))
                merged["tiers"][agent] = extra["tiers"][agent];
            const std::string roleName = role.get<std::string>();
            if (extra["roles"].contains(roleName))
                merged["roles"][roleName] = extra["roles"][roleName];
        }
    }
    return merged.dump(2);
}

std::string rebase(std::string_view line, std::int64_t timestampMs, int loop)
{
    std::string out(line);
    if (const auto [b, e] = stringField(out, "timestamp"); b != std::string::npos)
        out.replace(b, e - b, formatRfc3339Utc(timestampMs));
    if (loop > 0) {
        const std::string suffix = "-r" + std::to_string(loop);
        for (const char* key : {"event_id", "thread_id"})
            if (const auto [b, e] = stringField(out, key); b != std::string::npos)
                out.insert(e, suffix);
        // Users too, wherever the line names them (top level and details): a replayed
        // user asking the corpus's questions again would otherwise be a near-duplicate
        // query run for the model-extraction rules.
        for (std::size_t from = 0;;) {
            const auto [b, e] = stringField(std::string_view(out).substr(from), "user_id");
            if (b == std::string::npos)
                break;
            out.insert(from + e, suffix);
            from += e + suffix.size();
        }
    }
    return out;
}

LineSender::~LineSender()
{
    close();
}

bool LineSender::connectTo(const std::string& address)
{
    close();
    const std::size_t colon = address.rfind(':');
    if (colon == std::string::npos)
        return false;
    std::string host = address.substr(0, colon);
    if (host.size() >= 2 && host.front() == '[' && host.back() == ']')
        host = host.substr(1, host.size() - 2);
    const std::string port = address.substr(colon + 1);
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV;
    addrinfo* list = nullptr;
    if (::getaddrinfo(host.c_str(), port.c_str(), &hints, &list) != 0)
        return false;
    for (addrinfo* ai = list; ai && m_fd < 0; ai = ai->ai_next) {
        const int fd = ::socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol);
        if (fd < 0)
            continue;
        if (::connect(fd, ai->ai_addr, ai->ai_addrlen) == 0)
            m_fd = fd;
        else
            ::close(fd);
    }
    ::freeaddrinfo(list);
    return m_fd >= 0;
}

bool LineSender::send(const std::vector<std::string>& lines)
{
    if (m_fd < 0)
        return false;
    std::string buffer;
    for (const std::string& l : lines) {
        buffer += l;
        buffer += '\n';
    }
    std::size_t done = 0;
    while (done < buffer.size()) {
        const ssize_t n = ::send(m_fd, buffer.data() + done, buffer.size() - done, MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            close();
            return false;
        }
        done += static_cast<std::size_t>(n);
    }
    return true;
}

void LineSender::close()
{
    if (m_fd >= 0)
        ::close(m_fd);
    m_fd = -1;
}

} // namespace vigil::ui::demo
