// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "base/result.h"
#include "review/checkliststate.h"
#include "review/threatmatrix.h"

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace vigil {

class Database;
class StoreWriter;

/// A verdict as stored, with its row id (ids ascend in recording order).
struct StoredVerdict
{
    std::int64_t id = 0;
    Verdict verdict;

    bool operator==(const StoredVerdict&) const = default;
};

/// A threat matrix as stored: its id, the matrix, and when it was last saved.
struct StoredMatrix
{
    std::int64_t id = 0;
    ThreatMatrix matrix;
    std::int64_t updatedMs = 0;

    bool operator==(const StoredMatrix&) const = default;
};

/// Persistence of the review: reviewer verdicts and threat matrices (schema migration 3 -> 4,
/// tables `verdicts` and `threat_matrices`).
///
/// Verdicts are append-only: the table has no update or delete path, and triggers make
/// SQLite refuse UPDATE and DELETE on it, so the history is an audit trail. Matrices are
/// stored as exportMatrixJson() text plus their name, component and template for listing;
/// only a matrix that passes validateMatrix() is saved, so every stored matrix loads back.
///
/// Threading follows the store: every write runs on the StoreWriter's thread, either inside
/// a task the caller already runs (the `Database&` functions marked "writer task") or through
/// the instance functions, which post tasks to the writer. Reads take any connection (a
/// StoreReader's) on the caller's thread. A database written before migration 4 reads as
/// having no verdicts and no matrices.
class ReviewStore
{
public:
    /// Meta key set once the template matrices were seeded (seeding happens once per database).
    static constexpr std::string_view kSeededKey = "review.matrices_seeded";

    // ---- writer task: run inside the writer's transaction ----
    /// Appends `v` after validateVerdict(); returns the new row id.
    static Result<std::int64_t> insertVerdict(Database& db, const Verdict& v);
    /// Inserts (`id == 0`) or replaces matrix `id`; refuses a matrix with validation issues
    /// (the message names the first) and an unknown id. Returns the matrix's id.
    static Result<std::int64_t> writeMatrix(Database& db, std::int64_t id, const ThreatMatrix& m,
                                            std::int64_t nowMs);
    /// Deletes matrix `id`; an unknown id is an error.
    static Result<void> removeMatrix(Database& db, std::int64_t id);
    /// The first time it runs on a database without matrices, stores one matrix from each
    /// shipped template (named after the template, for the whole system) and records that
    /// in `meta`, so matrices a reviewer deletes later do not come back. Returns how many
    /// matrices it created (0 when already seeded or when matrices exist).
    static Result<int> seedMatrices(Database& db, std::int64_t nowMs);

    // ---- reads: any connection ----
    /// Every verdict recorded for `component` (empty: the system), in recording order.
    static Result<std::vector<StoredVerdict>> verdicts(Database& db, std::string_view component);
    /// The history of one item in one component, oldest first.
    static Result<std::vector<StoredVerdict>> verdictHistory(Database& db, std::string_view itemId,
                                                             std::string_view component);
    /// Components that have verdicts (plugins a reviewer named, agents), sorted; without "".
    static Result<std::vector<std::string>> verdictComponents(Database& db);
    /// Appends the stored verdicts of `state`'s component to it, skipping items the state
    /// does not hold (another checklist's).
    static Result<void> loadVerdicts(Database& db, ChecklistState& state);
    /// Whether seedMatrices() has run on this database.
    static Result<bool> isSeeded(Database& db);
    /// Every stored matrix, by id.
    static Result<std::vector<StoredMatrix>> matrices(Database& db);
    /// One matrix, or nullopt when there is no such id.
    static Result<std::optional<StoredMatrix>> matrix(Database& db, std::int64_t id);
    /// The matrices of `stored` without ids, in order (what threatOutputRows() takes).
    static std::vector<ThreatMatrix> plain(const std::vector<StoredMatrix>& stored);

    // ---- through the writer: each call is one task (one transaction) ----
    /// `writer` must outlive this object.
    explicit ReviewStore(StoreWriter& writer) : m_writer(writer) {}

    /// Records `v` and waits; returns its id.
    Result<std::int64_t> addVerdict(const Verdict& v);
    /// Records `v` without waiting; `done` runs on the writer thread after the commit (or with
    /// the error). An invalid verdict is refused at once: `done` gets the error on the
    /// caller's thread. Returns false when the writer has stopped (then `done` never runs).
    bool postVerdict(Verdict v, std::function<void(const Result<std::int64_t>&)> done = {});
    /// Saves (`id == 0`: inserts) and waits; returns the id.
    Result<std::int64_t> saveMatrix(std::int64_t id, const ThreatMatrix& m);
    /// Saves without waiting; see postVerdict().
    bool postSaveMatrix(std::int64_t id, ThreatMatrix m,
                        std::function<void(const Result<std::int64_t>&)> done = {});
    /// Deletes and waits.
    Result<void> deleteMatrix(std::int64_t id);
    /// seedMatrices() as a task; waits and returns how many were created.
    Result<int> seedTemplates();

private:
    StoreWriter& m_writer;
};

} // namespace vigil
