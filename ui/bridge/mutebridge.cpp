// SPDX-License-Identifier: Apache-2.0
// EngineBridge's mute rules (core/store/suppression.h): added and removed through the
// writer with the OS user as actor, listed with their status and matched findings.
#include "bridge/enginebridge_p.h"

#include "base/timeutil.h"
#include "store/suppression.h"

namespace vigil::ui {
namespace {

MuteRuleData toMuteRuleData(const SuppressionRule& r, std::int64_t now, std::int64_t findings)
{
    MuteRuleData m;
    m.id = r.id;
    m.rule = qstr(r.rule);
    m.agent = qstr(r.agent);
    m.field = qstr(r.field);
    m.pattern = qstr(r.pattern);
    m.reason = qstr(r.reason);
    m.author = qstr(r.author);
    m.expiresMs = r.expiresMs.value_or(0);
    m.createdMs = r.createdMs;
    m.removedMs = r.removedMs;
    m.status = qstr(std::string(suppressionStatus(r, now)));
    m.findings = findings;
    return m;
}

} // namespace

quint64 EngineBridge::addMuteRule(const MuteRuleData& rule)
{
    if (!d->writer)
        return 0;
    SuppressionRule r;
    r.rule = str(rule.rule.trimmed());
    r.agent = str(rule.agent.trimmed());
    r.field = str(rule.field.trimmed());
    r.pattern = str(rule.pattern);
    r.reason = str(rule.reason.trimmed());
    r.author = str(rule.author.isEmpty() ? actorName() : rule.author);
    if (rule.expiresMs > 0)
        r.expiresMs = rule.expiresMs;
    const std::string actor = str(actorName());
    const quint64 token = d->newToken();
    Private* p = d.get();
    // The app never creates a rule that mutes everything: that takes the CLI's --all.
    d->writer->postResult<std::int64_t>(
        [r, actor](Database& db) { return addSuppression(db, r, false, actor, nowEpochMs()); },
        [p, token](const Result<std::int64_t>& id) {
            const qint64 newId = id ? *id : 0;
            const QString error = id ? QString() : qstr(id.error().message);
            EngineBridge* q = p->q;
            QMetaObject::invokeMethod(
                q,
                [q, token, newId, error] {
                    Q_EMIT q->muteRuleAdded(token, error.isEmpty(), newId, error);
                    if (error.isEmpty())
                        Q_EMIT q->muteRulesChanged();
                },
                Qt::QueuedConnection);
        });
    return token;
}

quint64 EngineBridge::removeMuteRule(qint64 id, const QString& reason)
{
    if (!d->writer)
        return 0;
    const std::string why = str(reason.trimmed());
    const std::string actor = str(actorName());
    const quint64 token = d->newToken();
    Private* p = d.get();
    d->writer->post(
        [id, why, actor](Database& db) {
            return removeSuppression(db, id, why, actor, nowEpochMs());
        },
        [p, token, id](const Result<void>& r) {
            const QString error = r ? QString() : qstr(r.error().message);
            EngineBridge* q = p->q;
            QMetaObject::invokeMethod(
                q,
                [q, token, id, error] {
                    Q_EMIT q->muteRuleRemoved(token, error.isEmpty(), id, error);
                    if (error.isEmpty())
                        Q_EMIT q->muteRulesChanged();
                },
                Qt::QueuedConnection);
        });
    return token;
}

quint64 EngineBridge::loadMuteRules()
{
    if (!d->query)
        return 0;
    const quint64 token = d->newToken();
    Private* p = d.get();
    d->query->post([p, token] {
        if (!p->isPending(token))
            return;
        QVector<MuteRuleData> out;
        if (StoreReader* r = p->reader(*p->query)) {
            Database& db = r->database();
            auto rules = listSuppressions(db, true);
            auto counts = suppressionFindingCounts(db);
            if (!rules || !counts) {
                Q_EMIT p->q->errorOccurred(qstr((!rules ? rules.error() : counts.error()).message));
            } else {
                const std::int64_t now = nowEpochMs();
                for (const SuppressionRule& rule : *rules) {
                    const auto n = counts->find(rule.id);
                    out.push_back(toMuteRuleData(rule, now, n == counts->end() ? 0 : n->second));
                }
            }
        }
        if (p->finish(token))
            Q_EMIT p->q->muteRulesLoaded(token, out);
    });
    return token;
}

} // namespace vigil::ui
