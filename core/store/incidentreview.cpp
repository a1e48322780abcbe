// SPDX-License-Identifier: Apache-2.0
#include "store/incidentreview.h"

#include "store/chain.h"
#include "store/recordseal.h"

#include <array>

namespace vigil {

bool isIncidentStatus(std::string_view status)
{
    return status == "open" || status == "investigating" || status == "resolved" ||
           status == "false_positive";
}

Result<void> updateIncidentReview(Database& db, const std::vector<std::int64_t>& ids,
                                  const IncidentReviewChange& change, std::string_view actor,
                                  std::int64_t nowMs)
{
    if (change.status && !isIncidentStatus(*change.status))
        return fail("incident.status", "unknown incident status '" + *change.status +
                                           "' (use open, investigating, resolved or "
                                           "false_positive)");
    if (!change.status && !change.assignee && !change.notes)
        return {};
    auto key = loadChainKey(db);
    if (!key)
        return std::unexpected(key.error());
    auto hasher = ChainHasher::create(*key);
    if (!hasher)
        return std::unexpected(hasher.error());

    auto hist = SqlStatement::prepare(
        db, "INSERT INTO incident_history(incident_id, ts_ms, actor, field, old_value, "
            "new_value, link) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)");
    auto upd = SqlStatement::prepare(
        db, "UPDATE incidents SET status=?2, assignee=?3, notes=?4, hlink=?5, seal=?6, "
            "updated_ms=?7 WHERE id=?1");
    if (!hist)
        return std::unexpected(hist.error());
    if (!upd)
        return std::unexpected(upd.error());

    struct Field
    {
        const char* name;
        const std::optional<std::string>* value;
        std::string IncidentFields::*column;
    };
    const std::array<Field, 3> fields{{{"status", &change.status, &IncidentFields::status},
                                       {"assignee", &change.assignee, &IncidentFields::assignee},
                                       {"notes", &change.notes, &IncidentFields::notes}}};
    // Field by field, then incident by incident: the history keeps that order.
    for (const Field& field : fields) {
        if (!*field.value)
            continue;
        for (const std::int64_t id : ids) {
            auto incident = readIncident(db, id);
            if (!incident)
                return std::unexpected(incident.error());
            if (!*incident)
                continue;
            auto intact = incidentIntact(db, *hasher, id);
            if (!intact)
                return std::unexpected(intact.error());
            auto [f, seal] = std::move(**incident);
            std::string& current = f.*field.column;
            const std::string& wanted = **field.value;
            if (current == wanted)
                continue;
            const ChainHash prev = f.historyLink.value_or(historyGenesis(*hasher, id));
            const ChainHash link = historyLink(
                *hasher, prev, HistoryFields{id, nowMs, actor, field.name, current, wanted});
            hist->bind(1, id)
                .bind(2, nowMs)
                .bindText(3, actor)
                .bindText(4, field.name)
                .bindText(5, current)
                .bindText(6, wanted)
                .bindBlob(7, link.data(), static_cast<int>(link.size()));
            auto h = hist->run();
            hist->reset();
            if (!h)
                return h;
            current = wanted;
            f.historyLink = link;
            if (*intact)
                seal = incidentSeal(*hasher, f);
            upd->bind(1, id)
                .bindText(2, f.status)
                .bindText(3, f.assignee)
                .bindText(4, f.notes)
                .bindBlob(5, link.data(), static_cast<int>(link.size()));
            if (seal)
                upd->bindBlob(6, seal->data(), static_cast<int>(seal->size()));
            else
                upd->bindNull(6);
            upd->bind(7, nowMs);
            auto u = upd->run();
            upd->reset();
            if (!u)
                return u;
        }
    }
    return {};
}

} // namespace vigil
