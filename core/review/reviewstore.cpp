// SPDX-License-Identifier: Apache-2.0
#include "review/reviewstore.h"

#include "base/timeutil.h"
#include "review/strcat.h"
#include "review/threatmatrixio.h"
#include "store/database.h"
#include "store/storewriter.h"

#include <sqlite3.h>

#include <initializer_list>
#include <memory>
#include <utility>

namespace vigil {

using reviewdetail::cat;

namespace {

/// Verdicts selected by `sql` with `params` bound as text, in order.
Result<std::vector<StoredVerdict>> readVerdicts(Database& db, const std::string& sql,
                                                std::initializer_list<std::string_view> params)
{
    std::vector<StoredVerdict> out;
    auto exists = hasTable(db, "verdicts");
    if (!exists)
        return std::unexpected(exists.error());
    if (!*exists)
        return out;
    auto st = SqlStatement::prepare(db, sql);
    if (!st)
        return std::unexpected(st.error());
    int index = 0;
    for (const std::string_view p : params)
        st->bindText(++index, p);
    for (;;) {
        auto row = st->step();
        if (!row)
            return std::unexpected(row.error());
        if (!*row)
            return out;
        StoredVerdict v;
        v.id = st->columnInt(0);
        v.verdict.itemId = st->columnText(1);
        v.verdict.component = st->columnText(2);
        const auto kind = verdictKindFromString(st->columnTextView(3));
        if (!kind)
            return fail("review.bad_verdict",
                        cat("stored verdict ", v.id, " has an unknown kind ", st->columnText(3)));
        v.verdict.kind = *kind;
        v.verdict.note = st->columnText(4);
        v.verdict.reviewer = st->columnText(5);
        v.verdict.atMs = st->columnInt(6);
        out.push_back(std::move(v));
    }
}

constexpr const char* kVerdictColumns =
    "SELECT id, item_id, component, kind, note, reviewer, at_ms FROM verdicts ";

Result<StoredMatrix> readMatrix(const SqlStatement& st)
{
    StoredMatrix m;
    m.id = st.columnInt(0);
    auto parsed = importMatrixJson(st.columnTextView(1));
    if (!parsed)
        return fail("review.bad_matrix",
                    cat("stored threat matrix ", m.id, " cannot be read: ", parsed.error().message));
    m.matrix = std::move(*parsed);
    m.updatedMs = st.columnInt(2);
    return m;
}

} // namespace

Result<std::int64_t> ReviewStore::insertVerdict(Database& db, const Verdict& v)
{
    if (auto ok = validateVerdict(v); !ok)
        return std::unexpected(ok.error());
    auto st = SqlStatement::prepare(
        db, "INSERT INTO verdicts(item_id, component, kind, note, reviewer, at_ms) "
            "VALUES (?1, ?2, ?3, ?4, ?5, ?6)");
    if (!st)
        return std::unexpected(st.error());
    st->bindText(1, v.itemId)
        .bindText(2, v.component)
        .bindText(3, toString(v.kind))
        .bindText(4, v.note)
        .bindText(5, v.reviewer)
        .bind(6, v.atMs);
    if (auto r = st->run(); !r)
        return std::unexpected(r.error());
    return sqlite3_last_insert_rowid(db.handle());
}

Result<std::int64_t> ReviewStore::writeMatrix(Database& db, std::int64_t id, const ThreatMatrix& m,
                                              std::int64_t nowMs)
{
    if (const auto issues = validateMatrix(m); !issues.empty())
        return fail("review.bad_matrix",
                    cat("threat matrix '", m.name, "' is not saved: ", describe(issues.front())));
    const std::string json = exportMatrixJson(m);
    auto st = SqlStatement::prepare(
        db, id == 0 ? "INSERT INTO threat_matrices(name, component, template_id, json, updated_ms) "
                      "VALUES (?1, ?2, ?3, ?4, ?5)"
                    : "UPDATE threat_matrices SET name = ?1, component = ?2, template_id = ?3, "
                      "json = ?4, updated_ms = ?5 WHERE id = ?6");
    if (!st)
        return std::unexpected(st.error());
    st->bindText(1, m.name).bindText(2, m.component).bindText(3, m.templateId).bindText(4, json).bind(5, nowMs);
    if (id != 0)
        st->bind(6, id);
    if (auto r = st->run(); !r)
        return std::unexpected(r.error());
    if (id == 0)
        return sqlite3_last_insert_rowid(db.handle());
    if (sqlite3_changes(db.handle()) == 0)
        return fail("review.no_matrix", cat("there is no threat matrix ", id));
    return id;
}

Result<void> ReviewStore::removeMatrix(Database& db, std::int64_t id)
{
    auto st = SqlStatement::prepare(db, "DELETE FROM threat_matrices WHERE id = ?1");
    if (!st)
        return std::unexpected(st.error());
    st->bind(1, id);
    if (auto r = st->run(); !r)
        return r;
    if (sqlite3_changes(db.handle()) == 0)
        return fail("review.no_matrix", cat("there is no threat matrix ", id));
    return {};
}

Result<int> ReviewStore::seedMatrices(Database& db, std::int64_t nowMs)
{
    auto seeded = SqlStatement::prepare(
        db, "SELECT (SELECT count(*) FROM meta WHERE key = ?1), (SELECT count(*) FROM threat_matrices)");
    if (!seeded)
        return std::unexpected(seeded.error());
    seeded->bindText(1, kSeededKey);
    auto row = seeded->step();
    if (!row)
        return std::unexpected(row.error());
    const bool already = *row && seeded->columnInt(0) > 0;
    const bool hasMatrices = *row && seeded->columnInt(1) > 0;
    seeded->reset();
    if (already)
        return 0;
    int created = 0;
    if (!hasMatrices) {
        auto templates = loadThreatTemplates();
        if (!templates)
            return std::unexpected(templates.error());
        for (const ThreatTemplate& t : *templates) {
            auto id = writeMatrix(db, 0, createMatrixFromTemplate(t, t.name), nowMs);
            if (!id)
                return std::unexpected(id.error());
            ++created;
        }
    }
    auto mark = SqlStatement::prepare(db, "INSERT OR REPLACE INTO meta(key, value) VALUES (?1, ?2)");
    if (!mark)
        return std::unexpected(mark.error());
    const std::string when = std::to_string(nowMs);
    mark->bindText(1, kSeededKey).bindText(2, when);
    if (auto r = mark->run(); !r)
        return std::unexpected(r.error());
    return created;
}

Result<std::vector<StoredVerdict>> ReviewStore::verdicts(Database& db, std::string_view component)
{
    return readVerdicts(db, std::string(kVerdictColumns) + "WHERE component = ?1 ORDER BY id",
                        {component});
}

Result<std::vector<StoredVerdict>> ReviewStore::verdictHistory(Database& db, std::string_view itemId,
                                                               std::string_view component)
{
    return readVerdicts(db,
                        std::string(kVerdictColumns) +
                            "WHERE item_id = ?1 AND component = ?2 ORDER BY id",
                        {itemId, component});
}

Result<std::vector<std::string>> ReviewStore::verdictComponents(Database& db)
{
    std::vector<std::string> out;
    auto exists = hasTable(db, "verdicts");
    if (!exists)
        return std::unexpected(exists.error());
    if (!*exists)
        return out;
    auto st = SqlStatement::prepare(
        db, "SELECT DISTINCT component FROM verdicts WHERE component <> '' ORDER BY component");
    if (!st)
        return std::unexpected(st.error());
    for (;;) {
        auto row = st->step();
        if (!row)
            return std::unexpected(row.error());
        if (!*row)
            return out;
        out.push_back(st->columnText(0));
    }
}

Result<void> ReviewStore::loadVerdicts(Database& db, ChecklistState& state)
{
    auto stored = verdicts(db, state.component());
    if (!stored)
        return std::unexpected(stored.error());
    for (StoredVerdict& v : *stored) {
        if (!state.history(v.verdict.itemId))
            continue; // an item of another checklist run for the same component
        if (auto r = state.addVerdict(std::move(v.verdict)); !r)
            return r;
    }
    return {};
}

Result<bool> ReviewStore::isSeeded(Database& db)
{
    auto st = SqlStatement::prepare(db, "SELECT 1 FROM meta WHERE key = ?1");
    if (!st)
        return std::unexpected(st.error());
    st->bindText(1, kSeededKey);
    return st->step();
}

Result<std::vector<StoredMatrix>> ReviewStore::matrices(Database& db)
{
    std::vector<StoredMatrix> out;
    auto exists = hasTable(db, "threat_matrices");
    if (!exists)
        return std::unexpected(exists.error());
    if (!*exists)
        return out;
    auto st = SqlStatement::prepare(db, "SELECT id, json, updated_ms FROM threat_matrices ORDER BY id");
    if (!st)
        return std::unexpected(st.error());
    for (;;) {
        auto row = st->step();
        if (!row)
            return std::unexpected(row.error());
        if (!*row)
            return out;
        auto m = readMatrix(*st);
        if (!m)
            return std::unexpected(m.error());
        out.push_back(std::move(*m));
    }
}

Result<std::optional<StoredMatrix>> ReviewStore::matrix(Database& db, std::int64_t id)
{
    auto exists = hasTable(db, "threat_matrices");
    if (!exists)
        return std::unexpected(exists.error());
    if (!*exists)
        return std::optional<StoredMatrix>{};
    auto st = SqlStatement::prepare(db, "SELECT id, json, updated_ms FROM threat_matrices WHERE id = ?1");
    if (!st)
        return std::unexpected(st.error());
    st->bind(1, id);
    auto row = st->step();
    if (!row)
        return std::unexpected(row.error());
    if (!*row)
        return std::optional<StoredMatrix>{};
    auto m = readMatrix(*st);
    if (!m)
        return std::unexpected(m.error());
    return std::optional<StoredMatrix>(std::move(*m));
}

std::vector<ThreatMatrix> ReviewStore::plain(const std::vector<StoredMatrix>& stored)
{
    std::vector<ThreatMatrix> out;
    out.reserve(stored.size());
    for (const StoredMatrix& s : stored)
        out.push_back(s.matrix);
    return out;
}

Result<std::int64_t> ReviewStore::addVerdict(const Verdict& v)
{
    return m_writer.runResult<std::int64_t>([&](Database& db) { return insertVerdict(db, v); });
}

bool ReviewStore::postVerdict(Verdict v, std::function<void(const Result<std::int64_t>&)> done)
{
    if (auto ok = validateVerdict(v); !ok) {
        if (done)
            done(std::unexpected(ok.error()));
        return true;
    }
    return m_writer.postResult<std::int64_t>(
        [v = std::move(v)](Database& db) { return insertVerdict(db, v); }, std::move(done));
}

Result<std::int64_t> ReviewStore::saveMatrix(std::int64_t id, const ThreatMatrix& m)
{
    return m_writer.runResult<std::int64_t>(
        [&](Database& db) { return writeMatrix(db, id, m, nowEpochMs()); });
}

bool ReviewStore::postSaveMatrix(std::int64_t id, ThreatMatrix m,
                                 std::function<void(const Result<std::int64_t>&)> done)
{
    return m_writer.postResult<std::int64_t>(
        [id, m = std::move(m)](Database& db) { return writeMatrix(db, id, m, nowEpochMs()); },
        std::move(done));
}

Result<void> ReviewStore::deleteMatrix(std::int64_t id)
{
    return m_writer.run([id](Database& db) { return removeMatrix(db, id); });
}

Result<int> ReviewStore::seedTemplates()
{
    return m_writer.runResult<int>([](Database& db) { return seedMatrices(db, nowEpochMs()); });
}

} // namespace vigil
