// SPDX-License-Identifier: Apache-2.0
// EngineBridge's incidents: the list, one incident's detail with its history and evidence
// (core/store/incidentstore.h), and review changes through the writer
// (core/store/incidentreview.h).
#include "bridge/enginebridge_p.h"

#include "bridge/bridgeconvert.h"

#include "base/timeutil.h"
#include "store/incidentreview.h"
#include "store/incidentstore.h"

namespace vigil::ui {

quint64 EngineBridge::loadIncidents(const IncidentQuery& query)
{
    if (!d->query)
        return 0;
    const quint64 token = d->newToken();
    Private* p = d.get();
    d->query->post([p, token, query] {
        if (!p->isPending(token))
            return;
        QVector<IncidentSummary> out;
        if (StoreReader* r = p->reader(*p->query)) {
            Database& db = r->database();
            // Incidents whose findings are all muted come along, marked (IncidentSummary::
            // muted()): the view hides them unless asked to show what is muted.
            auto rows = listIncidents(db, toFilter(query), muteScopeOrNone(db, nowEpochMs()));
            if (rows) {
                out.reserve(static_cast<qsizetype>(rows->size()));
                for (const IncidentRow& i : *rows)
                    out.push_back(toSummary(i));
            } else {
                Q_EMIT p->q->errorOccurred(qstr(rows.error().message));
            }
        }
        if (p->finish(token))
            Q_EMIT p->q->incidentsLoaded(token, out);
    });
    return token;
}

quint64 EngineBridge::loadIncidentDetail(qint64 incidentId)
{
    if (!d->query)
        return 0;
    const quint64 token = d->newToken();
    Private* p = d.get();
    d->query->post([p, token, incidentId] {
        if (!p->isPending(token))
            return;
        IncidentDetail out;
        out.found = false;
        if (StoreReader* r = p->reader(*p->query)) {
            Database& db = r->database();
            auto details = loadIncidentDetails(db, incidentId, muteScopeOrNone(db, nowEpochMs()));
            if (!details) {
                Q_EMIT p->q->errorOccurred(qstr(details.error().message));
            } else if (*details) {
                out = toDetail(**details);
                for (const std::int64_t row : (*details)->evidenceRowIds)
                    if (auto ev = r->event(row); ev && *ev)
                        out.evidence.push_back(summarize(*r, **ev));
            }
        }
        if (p->finish(token))
            Q_EMIT p->q->incidentDetailReady(token, out);
    });
    return token;
}

void EngineBridge::updateIncidents(const QVector<qint64>& ids, const IncidentChange& change)
{
    if (!d->writer || ids.isEmpty())
        return;
    if (change.status && !isIncidentStatus(str(*change.status))) {
        Q_EMIT errorOccurred(tr("Unknown incident status: %1").arg(*change.status));
        return;
    }
    // The store appends the history, links it into the incident's keyed history chain and
    // reseals the incident (store/incidentreview.h), so verify keeps passing.
    IncidentReviewChange review;
    if (change.status)
        review.status = str(*change.status);
    if (change.assignee)
        review.assignee = str(*change.assignee);
    if (change.notes)
        review.notes = str(*change.notes);
    const std::string actor = str(actorName());
    std::vector<std::int64_t> rows(ids.begin(), ids.end());
    Private* p = d.get();
    d->writer->post(
        [rows, review, actor](Database& db) -> Result<void> {
            return updateIncidentReview(db, rows, review, actor, nowEpochMs());
        },
        [p, ids](const Result<void>& r) {
            // Writer thread: hand the outcome to the bridge's thread, so whoever reacts to it
            // (views, a waiting test) sees it only once the event loop runs again.
            const QString error = r ? QString() : qstr(r.error().message);
            EngineBridge* q = p->q;
            QMetaObject::invokeMethod(
                q,
                [q, ids, error] {
                    if (error.isEmpty())
                        Q_EMIT q->incidentsChanged(ids);
                    else
                        Q_EMIT q->errorOccurred(
                            QObject::tr("The incident change was not saved: %1").arg(error));
                },
                Qt::QueuedConnection);
        });
}

} // namespace vigil::ui
