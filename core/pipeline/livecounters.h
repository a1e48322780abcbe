// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "base/result.h"
#include "store/storewriter.h"

#include <atomic>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <string_view>

namespace vigil {

/// Receives one-line operational messages of the live readers (a connection refused, a file
/// rotated). Called from reader threads; must be thread-safe. Messages never contain a token
/// or the content of a line.
using LiveLogSink = std::function<void(std::string_view message)>;

/// Counters shared by the live readers (file tailer, TCP server) and read by LiveIngest.
/// Every member is atomic or guarded, so any thread may update or read it.
struct LiveCounters
{
    std::atomic<std::int64_t> linesIn{0};  ///< lines handed to the pipeline
    std::atomic<std::int64_t> bytesIn{0};  ///< bytes read from files and sockets
    std::atomic<std::int64_t> accepted{0}; ///< events committed
    std::atomic<std::int64_t> duplicates{0};
    std::atomic<std::int64_t> rejected{0}; ///< lines quarantined
    std::atomic<std::int64_t> findings{0};
    std::atomic<std::int64_t> failedBatches{0};

    std::atomic<std::int64_t> connectionsOpen{0};
    std::atomic<std::int64_t> connectionsAccepted{0};
    std::atomic<std::int64_t> connectionsRefused{0}; ///< over the connection limits
    std::atomic<std::int64_t> authFailures{0};
    /// Closed in their handshake: too slow (handshake timeout), or evicted for a newer one.
    std::atomic<std::int64_t> handshakeClosed{0};
    std::atomic<std::int64_t> idleClosed{0};
    std::atomic<std::int64_t> policyClosed{0};      ///< too many quarantined lines, commit failure
    std::atomic<std::int64_t> pausedConnections{0}; ///< waiting for the memory budget now
    std::atomic<std::int64_t> bufferedBytes{0};     ///< held by connections now

    std::atomic<std::int64_t> httpRequests{0}; ///< HTTP requests received (any outcome)
    std::atomic<std::int64_t> httpRefused{0};  ///< answered with an error status
    std::atomic<std::int64_t> rotations{0};
    std::atomic<std::int64_t> truncations{0};

    /// Adds a committed batch's result; remembers the error of a failed one.
    void recordCommit(const Result<CommitResult>& r)
    {
        if (r) {
            accepted += r->accepted;
            duplicates += r->duplicates;
            rejected += r->rejected;
            findings += r->findings;
        } else {
            ++failedBatches;
            setError(r.error().message);
        }
    }

    void setError(std::string message)
    {
        std::lock_guard l(m_errorMutex);
        m_lastError = std::move(message);
    }

    std::string lastError() const
    {
        std::lock_guard l(m_errorMutex);
        return m_lastError;
    }

private:
    mutable std::mutex m_errorMutex;
    std::string m_lastError;
};

} // namespace vigil
