// SPDX-License-Identifier: Apache-2.0
#include "store/revealaudit.h"

#include "store/sqlutil.h"

namespace vigil {

Result<void> recordEventReveal(Database& db, std::int64_t rowId, std::string_view actor,
                               std::int64_t nowMs)
{
    auto st = SqlStatement::prepare(
        db, "INSERT INTO audit_trail(ts_ms, actor, action, target, detail) "
            "SELECT ?1, ?2, 'reveal_event', 'event:' || ?3, coalesce(event_id, '') "
            "FROM events WHERE id = ?3");
    if (!st)
        return std::unexpected(st.error());
    st->bind(1, nowMs).bindText(2, actor).bind(3, rowId);
    return st->run();
}

Result<std::vector<AuditEntry>> auditEntries(Database& db, std::string_view action)
{
    SqlWhere w;
    if (!action.empty())
        w.text("action = ?", std::string(action));
    auto st = SqlStatement::prepare(
        db, "SELECT id, ts_ms, actor, action, target, coalesce(detail, '') FROM audit_trail" +
                w.sql() + " ORDER BY id");
    if (!st)
        return std::unexpected(st.error());
    w.bind(*st);
    std::vector<AuditEntry> out;
    auto done = eachRow(*st, [&](const SqlStatement& s) {
        out.push_back(AuditEntry{s.columnInt(0), s.columnInt(1), s.columnText(2), s.columnText(3),
                                 s.columnText(4), s.columnText(5)});
    });
    if (!done)
        return std::unexpected(done.error());
    return out;
}

} // namespace vigil
