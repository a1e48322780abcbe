// SPDX-License-Identifier: Apache-2.0
// EngineBridge's query bar: queries compiled and run by core/query on the query worker,
// and the saved queries, stored through the writer.
#include "bridge/enginebridge_p.h"

#include "bridge/bridgeconvert.h"

#include "base/timeutil.h"
#include "query/query.h"
#include "query/queryrunner.h"
#include "query/savedqueries.h"

namespace vigil::ui {

quint64 EngineBridge::runQuery(const QString& text)
{
    if (!d->query)
        return 0;
    const quint64 token = d->newToken();
    Private* p = d.get();
    d->query->post([p, token, text] {
        if (!p->isPending(token))
            return;
        QueryResultData out;
        out.text = text;
        const std::string utf8 = str(text);
        auto compiled = query::compileQuery(utf8);
        if (!compiled) {
            const query::QueryError& e = compiled.error();
            const std::size_t offset = std::min(e.offset, utf8.size());
            const std::size_t length = std::min(e.length, utf8.size() - offset);
            out.error = qstr(e.message);
            out.errorColumn = e.column;
            // Positions in the QString the user edits (UTF-16), not in the UTF-8 bytes.
            out.errorPosition = static_cast<int>(
                QString::fromUtf8(utf8.data(), static_cast<qsizetype>(offset)).size());
            out.errorLength =
                std::max<int>(1, static_cast<int>(QString::fromUtf8(utf8.data() + offset,
                                                                    static_cast<qsizetype>(length))
                                                      .size()));
        } else if (StoreReader* r = p->reader(*p->query)) {
            auto result = query::runQuery(r->database(), *compiled); // redacted
            if (!result) {
                out.error = qstr(result.error().message);
            } else {
                out.ok = true;
                out.truncated = result->truncated;
                out.eventRows = !compiled->aggregate && !compiled->findings;
                for (const query::Column& c : result->columns)
                    out.columns << qstr(c.name);
                out.cells.reserve(static_cast<qsizetype>(result->rows.size()));
                for (const auto& row : result->rows) {
                    QStringList cells;
                    for (std::size_t c = 0; c < result->columns.size(); ++c)
                        cells << qstr(query::cellText(result->columns[c].kind, row[c]));
                    out.cells.push_back(std::move(cells));
                }
                for (std::int64_t id : result->eventRowIds)
                    out.rowIds.push_back(id);
                if (out.eventRows) {
                    out.events.reserve(out.rowIds.size());
                    for (qint64 id : out.rowIds) {
                        if (!p->isPending(token))
                            return; // superseded: stop reading
                        auto ev = r->event(id);
                        if (ev && *ev)
                            out.events.push_back(summarize(*r, **ev));
                    }
                }
            }
        } else {
            out.error = tr("The database cannot be read");
        }
        if (p->finish(token))
            Q_EMIT p->q->queryFinished(token, out);
    });
    return token;
}

quint64 EngineBridge::loadSavedQueries()
{
    if (!d->query)
        return 0;
    const quint64 token = d->newToken();
    Private* p = d.get();
    d->query->post([p, token] {
        if (!p->isPending(token))
            return;
        QVector<SavedQueryInfo> out;
        if (StoreReader* r = p->reader(*p->query)) {
            auto list = query::listSavedQueries(r->database());
            if (!list)
                Q_EMIT p->q->errorOccurred(
                    tr("Cannot read the saved queries: %1").arg(qstr(list.error().message)));
            for (const query::SavedQuery& q : list ? *list : query::builtinQueries())
                out.push_back(SavedQueryInfo{qstr(q.name), qstr(q.text), qstr(q.description),
                                             qstr(q.author), q.builtin});
        }
        if (p->finish(token))
            Q_EMIT p->q->savedQueriesLoaded(token, out);
    });
    return token;
}

quint64 EngineBridge::saveQuery(const QString& name, const QString& text)
{
    if (!d->writer)
        return 0;
    const quint64 token = d->newToken();
    Private* p = d.get();
    const std::string n = str(name), t = str(text), actor = str(actorName());
    const bool queued = d->writer->post(
        [n, t, actor](Database& db) { return query::saveQuery(db, n, t, actor, nowEpochMs()); },
        [p, token, name](const Result<void>& r) {
            if (p->finish(token))
                Q_EMIT p->q->querySaved(token, r.has_value(),
                                        r ? tr("Saved query %1").arg(name)
                                          : qstr(r.error().message));
        });
    if (!queued)
        d->finish(token);
    return queued ? token : 0;
}

quint64 EngineBridge::deleteSavedQuery(const QString& name)
{
    if (!d->writer)
        return 0;
    const quint64 token = d->newToken();
    Private* p = d.get();
    const std::string n = str(name);
    const bool queued =
        d->writer->post([n](Database& db) { return query::deleteSavedQuery(db, n); },
                        [p, token, name](const Result<void>& r) {
                            if (p->finish(token))
                                Q_EMIT p->q->querySaved(token, r.has_value(),
                                                        r ? tr("Deleted query %1").arg(name)
                                                          : qstr(r.error().message));
                        });
    if (!queued)
        d->finish(token);
    return queued ? token : 0;
}

QStringList EngineBridge::queryVocabulary()
{
    return qlist(query::queryCommands()) + qlist(query::queryFieldNames()) +
           qlist(query::queryKeywords());
}

} // namespace vigil::ui
