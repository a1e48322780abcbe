// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "base/result.h"
#include "review/threatmatrix.h"

#include <cstddef>
#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace vigil {

/// Sets one field of a row from text (parsed as setFieldText() does).
struct SetThreatField
{
    std::size_t row = 0;
    ThreatField field = ThreatField::Threat;
    std::string value;
};
/// Replaces a whole row (a row dialog's OK).
struct ReplaceThreatRow
{
    std::size_t row = 0;
    ThreatRow value;
};
/// Inserts `value` so that it becomes row `at` (`at == size` appends).
struct AddThreatRow
{
    std::size_t at = 0;
    ThreatRow value;
};
/// Removes one row.
struct DeleteThreatRow
{
    std::size_t row = 0;
};
/// Moves row `from` so that it ends up at index `to` (the rows between shift by one).
struct MoveThreatRow
{
    std::size_t from = 0;
    std::size_t to = 0;
};
/// Renames the matrix.
struct RenameThreatMatrix
{
    std::string name;
};
/// Changes the component the matrix is about.
struct SetThreatMatrixComponent
{
    std::string component;
};

/// One edit of a threat matrix.
using ThreatMatrixEdit =
    std::variant<SetThreatField, ReplaceThreatRow, AddThreatRow, DeleteThreatRow, MoveThreatRow,
                 RenameThreatMatrix, SetThreatMatrixComponent>;

/// A short label for undo menus: "Set severity of row 3", "Move row 2 to 5".
std::string describe(const ThreatMatrixEdit& edit);

/// Edits one matrix through commands with unlimited undo/redo. Each applied edit stores
/// its inverse; undo applies the inverse, redo the edit again, so memory grows with the
/// edits, not with the matrix size. An edit that fails (row out of range, unparsable
/// value) changes nothing; an edit that changes nothing is not recorded. Applying an edit
/// drops the redo stack. Semantic problems (empty threat, mitigated without mitigation)
/// are allowed while editing and reported by validate(). Not thread-safe.
class ThreatMatrixEditor
{
public:
    explicit ThreatMatrixEditor(ThreatMatrix matrix = {});

    const ThreatMatrix& matrix() const { return m_matrix; }

    /// Applies `edit` and records it for undo.
    Result<void> apply(ThreatMatrixEdit edit);

    bool canUndo() const { return !m_undo.empty(); }
    bool canRedo() const { return !m_redo.empty(); }
    /// Reverts the last applied edit; false when there is none.
    bool undo();
    /// Re-applies the last undone edit; false when there is none.
    bool redo();
    /// describe() of the edit undo()/redo() would act on; empty when none.
    std::string undoText() const;
    std::string redoText() const;
    std::size_t undoCount() const { return m_undo.size(); }
    std::size_t redoCount() const { return m_redo.size(); }

    /// Marks the current state as saved.
    void setClean();
    /// True when the matrix is in the state last marked saved (initially: as constructed).
    bool isClean() const;

    /// Replaces the matrix and forgets all history (the new state is clean).
    void reset(ThreatMatrix matrix);

    /// validateMatrix() of the current matrix.
    std::vector<MatrixIssue> validate() const { return validateMatrix(m_matrix); }

private:
    struct Step
    {
        ThreatMatrixEdit forward;
        ThreatMatrixEdit inverse;
    };

    /// Applies `edit` to the matrix; returns its inverse, or nullopt when nothing changed.
    Result<std::optional<ThreatMatrixEdit>> perform(const ThreatMatrixEdit& edit);

    ThreatMatrix m_matrix;
    std::vector<Step> m_undo;
    std::vector<Step> m_redo;
    // Depth of the undo stack at the saved state; nullopt once that state is unreachable.
    std::optional<std::size_t> m_cleanDepth = 0;
};

} // namespace vigil
