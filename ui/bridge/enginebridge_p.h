// SPDX-License-Identifier: Apache-2.0
// EngineBridge's private state, shared by the files the class is split into (bridge
// internal): enginebridge.cpp (databases, threads, tokens), eventbridge.cpp (events, the
// live tail, reveals, export), incidentbridge.cpp, overviewbridge.cpp (charts, status),
// querybridge.cpp, mutebridge.cpp and ingestbridge.cpp (imports, the demo feed).
#pragma once

#include "bridge/bridgeutil.h"
#include "bridge/demofeed.h"
#include "bridge/enginebridge.h"

#include "pipeline/engine.h"
#include "pipeline/ingestpipeline.h"
#include "pipeline/liveingest.h"
#include "store/storewriter.h"

#include <QElapsedTimer>
#include <QTimer>

#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <unordered_set>

namespace vigil::ui {

struct EngineBridge::Private
{
    EngineBridge* q = nullptr;
    std::optional<Engine> engine;
    std::unique_ptr<StoreWriter> writer;
    std::unique_ptr<IngestPipeline> pipeline; // lines handed over by ingestLines()
    std::unique_ptr<LiveIngest> live;         // TCP feed and followed files
    LiveSettings liveSettings;
    QString liveAddress;
    QString httpAddress;
    std::mutex ingestMutex; // guards `pipeline` and `lineNumbers` for ingestLines()
    std::map<std::string, std::int64_t> lineNumbers;
    std::string path;
    QString qpath;

    std::unique_ptr<BridgeWorker> query;     // pages, details, incident lists
    std::unique_ptr<BridgeWorker> aggregate; // charts, status, notifications
    std::unique_ptr<BridgeWorker> tail;      // the live tail

    std::mutex tokenMutex;
    std::unordered_set<quint64> pending;
    std::atomic<quint64> nextToken{1};

    std::atomic<bool> tailScheduled{false};
    std::int64_t tailLast = 0; // tail thread only

    QTimer* statusTimer = nullptr;
    QElapsedTimer rateClock;
    std::int64_t lastCommitted = 0;
    std::atomic<bool> statusPending{false};
    std::int64_t criticalSince = 0;  // aggregate thread only (after open)
    std::set<std::int64_t> notified; // aggregate thread only

    std::thread importThread;
    std::atomic<bool> importing{false};

    // Demo feed: a thread of its own whose timer streams the corpus' live part.
    std::unique_ptr<BridgeWorker> demoWorker;
    std::atomic<bool> demoRunning{false};
    std::atomic<bool> demoStreaming{false};

    quint64 newToken();
    bool isPending(quint64 t);
    /// True once for a pending token: the result may be emitted.
    bool finish(quint64 t);
    /// The read connection of worker `w` (opened on first use), or nullptr after reporting
    /// why it cannot be opened. Worker thread only.
    StoreReader* reader(BridgeWorker& w);

    // eventbridge.cpp
    void scheduleTail();
    void startTail();
    void drainTail();
    void loadDetail(quint64 token, qint64 rowId, bool reveal);
    // overviewbridge.cpp
    void startStatus();
    void updateStatus(IngestStatus status);
    // ingestbridge.cpp
    void demoTick(double perTick, double& carry, std::size_t& index, int& loop,
                  const std::shared_ptr<demo::Corpus>& c, demo::LineSender& sender);
};

} // namespace vigil::ui
