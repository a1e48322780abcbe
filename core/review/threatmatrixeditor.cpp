// SPDX-License-Identifier: Apache-2.0
#include "review/threatmatrixeditor.h"

#include "review/strcat.h"

#include <utility>

namespace vigil {

using reviewdetail::cat;

namespace {

template <class... Ts> struct Overloaded : Ts...
{
    using Ts::operator()...;
};
template <class... Ts> Overloaded(Ts...) -> Overloaded<Ts...>;

std::unexpected<Error> noRow(std::size_t row, std::size_t size)
{
    return fail("review.bad_edit",
                cat("row ", row + 1, " does not exist (the matrix has ", size, " rows)"));
}

} // namespace

std::string describe(const ThreatMatrixEdit& edit)
{
    return std::visit(
        Overloaded{
            [](const SetThreatField& e) {
                return cat("Set ", toString(e.field), " of row ", e.row + 1);
            },
            [](const ReplaceThreatRow& e) { return cat("Edit row ", e.row + 1); },
            [](const AddThreatRow& e) { return cat("Add row ", e.at + 1); },
            [](const DeleteThreatRow& e) { return cat("Delete row ", e.row + 1); },
            [](const MoveThreatRow& e) { return cat("Move row ", e.from + 1, " to ", e.to + 1); },
            [](const RenameThreatMatrix&) { return std::string("Rename matrix"); },
            [](const SetThreatMatrixComponent&) { return std::string("Set matrix component"); },
        },
        edit);
}

ThreatMatrixEditor::ThreatMatrixEditor(ThreatMatrix matrix) : m_matrix(std::move(matrix)) {}

Result<std::optional<ThreatMatrixEdit>> ThreatMatrixEditor::perform(const ThreatMatrixEdit& edit)
{
    using Out = Result<std::optional<ThreatMatrixEdit>>;
    auto& rows = m_matrix.rows;
    return std::visit(
        Overloaded{
            [&](const SetThreatField& e) -> Out {
                if (e.row >= rows.size())
                    return noRow(e.row, rows.size());
                ThreatRow changed = rows[e.row];
                if (auto ok = setFieldText(changed, e.field, e.value); !ok)
                    return fail(ok.error().code, cat("row ", e.row + 1, ", ", toString(e.field),
                                                     ": ", ok.error().message));
                if (changed == rows[e.row])
                    return std::nullopt;
                ThreatMatrixEdit inverse =
                    ReplaceThreatRow{e.row, std::exchange(rows[e.row], changed)};
                return inverse;
            },
            [&](const ReplaceThreatRow& e) -> Out {
                if (e.row >= rows.size())
                    return noRow(e.row, rows.size());
                if (e.value == rows[e.row])
                    return std::nullopt;
                ThreatMatrixEdit inverse =
                    ReplaceThreatRow{e.row, std::exchange(rows[e.row], e.value)};
                return inverse;
            },
            [&](const AddThreatRow& e) -> Out {
                if (e.at > rows.size())
                    return fail("review.bad_edit", cat("cannot insert at row ", e.at + 1,
                                                       " (the matrix has ", rows.size(), " rows)"));
                rows.insert(rows.begin() + static_cast<std::ptrdiff_t>(e.at), e.value);
                ThreatMatrixEdit inverse = DeleteThreatRow{e.at};
                return inverse;
            },
            [&](const DeleteThreatRow& e) -> Out {
                if (e.row >= rows.size())
                    return noRow(e.row, rows.size());
                ThreatMatrixEdit inverse = AddThreatRow{e.row, rows[e.row]};
                rows.erase(rows.begin() + static_cast<std::ptrdiff_t>(e.row));
                return inverse;
            },
            [&](const MoveThreatRow& e) -> Out {
                if (e.from >= rows.size())
                    return noRow(e.from, rows.size());
                if (e.to >= rows.size())
                    return noRow(e.to, rows.size());
                if (e.from == e.to)
                    return std::nullopt;
                ThreatRow moved = std::move(rows[e.from]);
                rows.erase(rows.begin() + static_cast<std::ptrdiff_t>(e.from));
                rows.insert(rows.begin() + static_cast<std::ptrdiff_t>(e.to), std::move(moved));
                ThreatMatrixEdit inverse = MoveThreatRow{e.to, e.from};
                return inverse;
            },
            [&](const RenameThreatMatrix& e) -> Out {
                if (e.name == m_matrix.name)
                    return std::nullopt;
                ThreatMatrixEdit inverse = RenameThreatMatrix{std::exchange(m_matrix.name, e.name)};
                return inverse;
            },
            [&](const SetThreatMatrixComponent& e) -> Out {
                if (e.component == m_matrix.component)
                    return std::nullopt;
                ThreatMatrixEdit inverse =
                    SetThreatMatrixComponent{std::exchange(m_matrix.component, e.component)};
                return inverse;
            },
        },
        edit);
}

Result<void> ThreatMatrixEditor::apply(ThreatMatrixEdit edit)
{
    auto inverse = perform(edit);
    if (!inverse)
        return std::unexpected(inverse.error());
    if (!*inverse)
        return {};
    if (m_cleanDepth && *m_cleanDepth > m_undo.size())
        m_cleanDepth.reset(); // the saved state was on the redo stack we drop now
    m_redo.clear();
    m_undo.push_back(Step{std::move(edit), std::move(**inverse)});
    return {};
}

bool ThreatMatrixEditor::undo()
{
    if (m_undo.empty())
        return false;
    Step step = std::move(m_undo.back());
    m_undo.pop_back();
    // An inverse never fails: it restores a state the matrix was in.
    (void)perform(step.inverse);
    m_redo.push_back(std::move(step));
    return true;
}

bool ThreatMatrixEditor::redo()
{
    if (m_redo.empty())
        return false;
    Step step = std::move(m_redo.back());
    m_redo.pop_back();
    (void)perform(step.forward);
    m_undo.push_back(std::move(step));
    return true;
}

std::string ThreatMatrixEditor::undoText() const
{
    return m_undo.empty() ? std::string() : describe(m_undo.back().forward);
}

std::string ThreatMatrixEditor::redoText() const
{
    return m_redo.empty() ? std::string() : describe(m_redo.back().forward);
}

void ThreatMatrixEditor::setClean()
{
    m_cleanDepth = m_undo.size();
}

bool ThreatMatrixEditor::isClean() const
{
    return m_cleanDepth && *m_cleanDepth == m_undo.size();
}

void ThreatMatrixEditor::reset(ThreatMatrix matrix)
{
    m_matrix = std::move(matrix);
    m_undo.clear();
    m_redo.clear();
    m_cleanDepth = 0;
}

} // namespace vigil
