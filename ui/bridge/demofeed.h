// SPDX-License-Identifier: Apache-2.0
#pragma once

// The embedded demo corpus (resources/demo/demo.jsonl), bridge-internal. Its timestamps are
// relative to a fixed base; loading rebases them so that the demo has recent data.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace vigil::ui::demo {

struct Corpus
{
    std::vector<std::string_view> lines;   ///< non-blank lines, in order
    std::vector<std::int64_t> timestamps;  ///< epoch ms as written, per line
    std::size_t liveStart = 0;             ///< first line that is streamed rather than imported
};

/// The embedded corpus; empty when it is missing from the build.
Corpus corpus();

/// The demo's IAM policy file: resources/policies/seed-agents.json, plus the roles of
/// resources/demo/worker-roles.json for agents the seed file does not cover. Empty when
/// neither is embedded.
std::string policies();

/// The line with its `timestamp` set to `timestampMs`; when `loop` > 0, `event_id` and
/// `thread_id` and every `user_id` get a `-r<loop>` suffix so that a replay is stored as new
/// events of new users.
std::string rebase(std::string_view line, std::int64_t timestampMs, int loop);

/// A blocking TCP client that writes newline-terminated lines to the live feed (the demo
/// streams through it like any producer would). Not thread-safe; one thread uses it.
class LineSender
{
public:
    LineSender() = default;
    ~LineSender();
    LineSender(const LineSender&) = delete;
    LineSender& operator=(const LineSender&) = delete;

    /// Connects to `address` (`HOST:PORT`, IPv4 or `[IPv6]:PORT`).
    bool connectTo(const std::string& address);
    /// Writes each line and a newline; false (and closed) on a write error.
    bool send(const std::vector<std::string>& lines);
    bool isConnected() const { return m_fd >= 0; }
    void close();

private:
    int m_fd = -1;
};

} // namespace vigil::ui::demo
