// SPDX-License-Identifier: Apache-2.0
// EngineBridge's events: pages and counts of the event list, the detail (redacted, or
// revealed once the reveal is in the audit trail), the live tail, the filter vocabulary
// and the export (core/report/eventexport.h).
#include "bridge/enginebridge_p.h"

#include "bridge/bridgeconvert.h"
#include "bridge/eventjson.h"

#include "base/timeutil.h"
#include "report/eventexport.h"
#include "store/overview.h"
#include "store/revealaudit.h"

#include <QSaveFile>

namespace vigil::ui {

void EngineBridge::Private::scheduleTail()
{
    if (!tailScheduled.exchange(true))
        tail->post([this] { drainTail(); });
}

void EngineBridge::Private::startTail()
{
    // The tail starts after what is stored now; commits wake it, and a slow poll catches
    // rows committed by other processes (vigil-cli import into the same database).
    tail->post([this] {
        if (StoreReader* r = reader(*tail))
            tailLast = lastEventRowId(r->database()).value_or(0);
        auto* poll = new QTimer(tail->context());
        QObject::connect(poll, &QTimer::timeout, tail->context(), [this] { drainTail(); });
        poll->start(1000);
    });
    writer->setCommitListener([this](const std::vector<CommittedEvent>&) { scheduleTail(); });
}

void EngineBridge::Private::drainTail()
{
    tailScheduled = false;
    StoreReader* r = reader(*tail);
    if (!r)
        return;
    constexpr int kPage = 4096;
    for (;;) {
        auto rows = r->eventsAfterRow(tailLast, kPage);
        if (!rows || rows->empty())
            return;
        QVector<EventSummary> out;
        out.reserve(static_cast<qsizetype>(rows->size()));
        for (const EventRow& e : *rows)
            out.push_back(summarize(*r, e));
        tailLast = rows->back().rowId;
        Q_EMIT q->eventsCommitted(out);
        if (rows->size() < static_cast<std::size_t>(kPage))
            return;
    }
}

void EngineBridge::Private::loadDetail(quint64 token, qint64 rowId, bool reveal)
{
    if (!isPending(token))
        return;
    EventDetail detail;
    detail.found = false;
    if (StoreReader* r = reader(*query)) {
        auto ev = r->event(rowId);
        if (ev && *ev) {
            const EventRow& e = **ev;
            const QVector<FindingInfo> findings = findingsOf(*r, rowId, true);
            detail.summary = summarize(*r, e);
            eventjson::TopLevel top{
                e.timestampMs, e.eventType, e.agent, e.threadId, std::string(toString(e.severity)),
                e.eventId,     e.userId};
            eventjson::render(top, e.details, findings, reveal, detail);
            detail.found = true;
        }
    }
    if (finish(token))
        Q_EMIT q->eventDetailReady(token, detail);
}

quint64 EngineBridge::loadEvents(const EventQuery& query, std::optional<PageKey> after, int limit)
{
    if (!d->query)
        return 0;
    const quint64 token = d->newToken();
    Private* p = d.get();
    d->query->post([p, token, query, after, limit] {
        if (!p->isPending(token))
            return; // cancelled before it ran: the loader skips the query
        QVector<EventSummary> out;
        if (StoreReader* r = p->reader(*p->query)) {
            std::optional<EventKey> from;
            if (after)
                from = EventKey{after->timestampMs, after->rowId};
            auto rows = r->events(toFilter(query), from, query.ascending, limit);
            if (rows) {
                out.reserve(static_cast<qsizetype>(rows->size()));
                for (const EventRow& e : *rows)
                    out.push_back(summarize(*r, e));
            } else {
                Q_EMIT p->q->errorOccurred(qstr(rows.error().message));
            }
        }
        if (p->finish(token))
            Q_EMIT p->q->eventsLoaded(token, out);
    });
    return token;
}

quint64 EngineBridge::countEvents(const EventQuery& query)
{
    if (!d->aggregate)
        return 0;
    const quint64 token = d->newToken();
    Private* p = d.get();
    d->aggregate->post([p, token, query] {
        if (!p->isPending(token))
            return;
        qint64 n = 0;
        if (StoreReader* r = p->reader(*p->aggregate))
            n = r->countEvents(toFilter(query)).value_or(0);
        if (p->finish(token))
            Q_EMIT p->q->eventsCounted(token, n);
    });
    return token;
}

quint64 EngineBridge::loadEventDetail(qint64 rowId)
{
    if (!d->query)
        return 0;
    const quint64 token = d->newToken();
    Private* p = d.get();
    d->query->post([p, token, rowId] { p->loadDetail(token, rowId, false); });
    return token;
}

quint64 EngineBridge::revealEventDetail(qint64 rowId)
{
    if (!d->writer)
        return 0;
    const quint64 token = d->newToken();
    Private* p = d.get();
    const std::string actor = str(actorName());
    const bool queued = d->writer->post(
        [rowId, actor](Database& db) { return recordEventReveal(db, rowId, actor, nowEpochMs()); },
        [p, token, rowId](const Result<void>& r) {
            // Writer thread: the reveal is committed before the clear text is read.
            if (!r) {
                p->finish(token);
                Q_EMIT p->q->errorOccurred(
                    QObject::tr("The reveal could not be recorded, so the event stays redacted: %1")
                        .arg(qstr(r.error().message)));
                return;
            }
            Q_EMIT p->q->revealRecorded(rowId);
            p->query->post([p, token, rowId] { p->loadDetail(token, rowId, true); });
        });
    if (!queued)
        d->finish(token);
    return queued ? token : 0;
}

quint64 EngineBridge::loadVocabulary()
{
    if (!d->aggregate)
        return 0;
    const quint64 token = d->newToken();
    Private* p = d.get();
    d->aggregate->post([p, token] {
        if (!p->isPending(token))
            return;
        QStringList agents, types;
        if (StoreReader* r = p->reader(*p->aggregate)) {
            if (auto v = eventVocabulary(r->database())) {
                agents = qlist(v->agents);
                types = qlist(v->eventTypes);
            }
        }
        if (p->finish(token))
            Q_EMIT p->q->vocabularyReady(token, agents, types);
    });
    return token;
}

quint64 EngineBridge::exportEvents(const EventQuery& query, const QString& path,
                                   ExportFormat format)
{
    if (!d->query)
        return 0;
    const quint64 token = d->newToken();
    Private* p = d.get();
    d->query->post([p, token, query, path, format] {
        StoreReader* r = p->reader(*p->query);
        QSaveFile out(path);
        if (!r || !out.open(QIODevice::WriteOnly)) {
            if (p->finish(token))
                Q_EMIT p->q->exportFinished(token, false,
                                            tr("Cannot write %1: %2").arg(path, out.errorString()));
            return;
        }
        EventExportOptions options;
        options.filter = toFilter(query);
        options.ascending = query.ascending;
        options.format =
            format == ExportFormat::Csv ? EventExportFormat::Csv : EventExportFormat::JsonLines;
        const auto written = vigil::exportEvents(
            *r, options,
            [&out](std::string_view bytes) {
                return out.write(bytes.data(), static_cast<qint64>(bytes.size())) ==
                       static_cast<qint64>(bytes.size());
            },
            [p, token] { return p->isPending(token); });
        if (!written && written.error().code == "export.cancelled")
            return; // QSaveFile discards the partial file
        const bool ok = written && out.commit();
        QString message;
        if (ok)
            message = tr("Exported %L1 events to %2 (personal data and secrets redacted).")
                          .arg(*written)
                          .arg(path);
        else if (!written && written.error().code != "export.write")
            message = qstr(written.error().message);
        else
            message = tr("Cannot write %1: %2").arg(path, out.errorString());
        if (p->finish(token))
            Q_EMIT p->q->exportFinished(token, ok, message);
    });
    return token;
}

} // namespace vigil::ui
