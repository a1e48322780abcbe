// SPDX-License-Identifier: Apache-2.0
// EngineBridge's aggregates: the overview's chart data (core/store/overview.h), and the
// status bar's counters with the notifications of new critical incidents, every second.
#include "bridge/enginebridge_p.h"

#include "bridge/bridgeconvert.h"

#include "base/timeutil.h"
#include "store/incidentstore.h"
#include "store/overview.h"

#include <QFileInfo>

namespace vigil::ui {

void EngineBridge::Private::startStatus()
{
    statusTimer = new QTimer(q);
    statusTimer->setInterval(1000);
    QObject::connect(statusTimer, &QTimer::timeout, q, [this] {
        if (!writer || statusPending.exchange(true))
            return;
        const WriterStats ws = writer->stats();
        IngestStatus s;
        const double secs = std::max(0.001, double(rateClock.restart()) / 1000.0);
        s.eventsPerSecond = double(ws.committedEvents - lastCommitted) / secs;
        lastCommitted = ws.committedEvents;
        s.queueDepth = ws.queueDepth;
        s.storageRetrying = ws.retrying;
        s.storageError = qstr(ws.lastError);
        for (const std::string& name : ws.stoppedSources)
            s.stoppedSources << qstr(name);
        if (pipeline)
            s.queueDepth += pipeline->stats().inFlight;
        if (live) {
            const LiveStats ls = live->stats();
            s.queueDepth += ls.pipelineInFlight;
            s.connections = ls.connectionsOpen;
            s.followedFiles = static_cast<qint64>(ls.files.size());
            s.listenAddress = liveAddress;
            s.httpAddress = httpAddress;
        }
        s.state = importing               ? QStringLiteral("importing")
                  : demoStreaming         ? QStringLiteral("demo")
                  : s.eventsPerSecond > 0 ? QStringLiteral("live")
                                          : QStringLiteral("idle");
        aggregate->post([this, s] { updateStatus(s); });
    });
}

void EngineBridge::Private::updateStatus(IngestStatus status)
{
    StoreReader* r = reader(*aggregate);
    if (!r) {
        statusPending = false;
        return;
    }
    Database& db = r->database();
    // Incidents whose findings are all muted leave the count and the alerts.
    const MuteScope mute = muteScopeOrNone(db, nowEpochMs());
    if (auto c = storeCounters(db, mute)) {
        status.sources = c->sources;
        status.events = c->events;
        status.findings = c->findings;
        status.openIncidents = c->openIncidents;
    }
    status.databaseBytes =
        QFileInfo(qpath).size() + QFileInfo(qpath + QStringLiteral("-wal")).size();
    Q_EMIT q->statusUpdated(status);

    // Critical incidents created or raised to critical since the database was opened.
    if (auto critical = criticalIncidentsSince(db, criticalSince, mute)) {
        QVector<IncidentSummary> fresh;
        for (const IncidentRow& i : *critical)
            if (notified.insert(i.id).second)
                fresh.push_back(toSummary(i));
        if (!fresh.isEmpty())
            Q_EMIT q->criticalIncidents(fresh);
    }
    statusPending = false;
}

quint64 EngineBridge::loadOverview(OverviewRange range)
{
    if (!d->aggregate)
        return 0;
    const quint64 token = d->newToken();
    Private* p = d.get();
    d->aggregate->post([p, token, range] {
        if (!p->isPending(token))
            return;
        OverviewData o;
        if (StoreReader* r = p->reader(*p->aggregate)) {
            Database& db = r->database();
            auto overview =
                vigil::loadOverview(db, toCore(range), muteScopeOrNone(db, nowEpochMs()));
            if (overview)
                o = toData(*overview);
            else
                Q_EMIT p->q->errorOccurred(qstr(overview.error().message));
        }
        o.range = range;
        if (p->finish(token))
            Q_EMIT p->q->overviewReady(token, o);
    });
    return token;
}

} // namespace vigil::ui
