// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "base/result.h"
#include "review/checklist.h"
#include "review/evidencerule.h"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace vigil {

/// A reviewer's decision on a checklist item.
enum class VerdictKind : std::uint8_t
{
    Pass,
    Fail,
    NotApplicable
};

/// `pass`, `fail`, `not_applicable`.
std::string_view toString(VerdictKind k);
std::optional<VerdictKind> verdictKindFromString(std::string_view s);

/// One recorded verdict. A plain value; the store persists it as one row of an
/// append-only table (item_id, component, kind, note, reviewer, at_ms).
struct Verdict
{
    std::string itemId;
    std::string component; ///< empty: the whole system (the checklist's system-wide run)
    VerdictKind kind = VerdictKind::Pass;
    std::string note;
    std::string reviewer;
    std::int64_t atMs = 0; ///< when it was recorded, ms since the epoch

    bool operator==(const Verdict&) const = default;
};

/// Refuses a verdict without item id or reviewer, or with a time <= 0.
Result<void> validateVerdict(const Verdict& v);

/// The verdicts of one item in one component, oldest first. Append-only: a changed mind
/// is a new verdict, never an edit, so the history is an audit trail of the review.
/// The latest verdict is the last appended (recording order, not clock order: reviewers'
/// clocks may differ).
class VerdictHistory
{
public:
    /// Appends `v` after validateVerdict(); refuses a verdict for another item or
    /// component than the entries already held.
    Result<void> append(Verdict v);

    const std::vector<Verdict>& entries() const { return m_entries; }
    const Verdict* latest() const { return m_entries.empty() ? nullptr : &m_entries.back(); }
    std::size_t size() const { return m_entries.size(); }
    bool empty() const { return m_entries.empty(); }

private:
    std::vector<Verdict> m_entries;
};

/// True when the reviewer's verdict contradicts failing evidence: the verdict is `pass` or
/// `not_applicable` while the logs show the item failing. A `fail` verdict over passing
/// evidence is not a conflict: the logs only show the absence of a problem in the window,
/// and a reviewer may know more (a stricter verdict is always safe).
bool isConflict(EvidenceStatus automatic, std::optional<VerdictKind> verdict);

/// What one row of the checklist view shows: the automatic status and the latest verdict
/// side by side.
struct ItemState
{
    ChecklistItem item;
    std::string component;
    EvidenceResult automatic;
    std::optional<Verdict> verdict; ///< the latest, if any
    std::size_t verdictCount = 0;
    bool conflict = false;

    bool operator==(const ItemState&) const = default;
};

/// The review state of a set of checklist items for one component (empty: the system):
/// automatic results plus verdict histories. A value type, not thread-safe; build one per
/// evaluation and hand copies of states() to other threads.
class ChecklistState
{
public:
    explicit ChecklistState(std::vector<ChecklistItem> items, std::string component = {});

    const std::string& component() const { return m_component; }
    const std::vector<ChecklistItem>& items() const { return m_items; }

    /// Evaluates every item's rule within `window`'s time range; the component filter is
    /// always this state's component.
    void evaluate(const EvidenceSource& source, const EvidenceScope& window = {});

    /// Sets one item's automatic result (e.g. computed elsewhere); refuses an unknown item.
    Result<void> setAutomatic(std::string_view itemId, EvidenceResult result);

    /// Appends a verdict to its item's history (loading from the store or recording a new
    /// one); refuses an unknown item or another component.
    Result<void> addVerdict(Verdict v);

    /// The item's history, or nullptr for an unknown item.
    const VerdictHistory* history(std::string_view itemId) const;

    /// One state per item, in item order.
    std::vector<ItemState> states() const;
    /// The state of one item.
    Result<ItemState> state(std::string_view itemId) const;

private:
    std::optional<std::size_t> indexOf(std::string_view itemId) const;
    ItemState stateAt(std::size_t i) const;

    std::vector<ChecklistItem> m_items;
    std::string m_component;
    std::vector<EvidenceResult> m_automatic;
    std::vector<VerdictHistory> m_histories;
};

} // namespace vigil
