// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "base/result.h"
#include "review/evidencerule.h"

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace vigil {

/// One item of a seed checklist, as shipped in resources/checklists/<checklist>.json.
struct ChecklistItem
{
    std::string id;        ///< stable: `maestro.4.2`, `plugin.output.2`, `production.iam.3`
    std::string checklist; ///< `maestro`, `plugin` or `production`
    std::string section;   ///< MAESTRO layer name (`Monitoring`) or the seed's heading (`IAM`)
    int layer = 0;         ///< MAESTRO layer 1..7; 0 where none is meaningful
    std::string text;      ///< the seed's wording
    std::optional<EvidenceRule> evidence; ///< how logs judge it; none: a reviewer decides

    bool operator==(const ChecklistItem&) const = default;
};

/// Whether a checklist is run once per component (agent or plugin) or once per system.
enum class ChecklistScope : std::uint8_t
{
    Component,
    System
};

/// A seed checklist with its items in the seed's order.
struct Checklist
{
    std::string id;
    std::string title;
    std::string source; ///< which seed and section the items come from
    ChecklistScope scope = ChecklistScope::System;
    std::vector<ChecklistItem> items;
};

/// The shipped checklists, in output order: `maestro`, `plugin`, `production`.
std::span<const std::string_view> checklistIds();

/// Parses a checklist document, resolving each item's `evidence` reference in `rules`.
/// Errors name `sourceName` and the JSON path (`items[4].evidence: unknown rule 'x'`).
/// Refuses unknown keys, duplicate or mis-prefixed ids, an item of another checklist, an
/// empty text or section, and layers outside 1..7.
Result<Checklist> parseChecklist(std::string_view json, std::string_view sourceName,
                                 const std::vector<EvidenceRule>& rules);

/// Loads the embedded `checklists/<id>.json` with the embedded evidence rules.
Result<Checklist> loadChecklist(std::string_view id);

/// Loads every shipped checklist, in checklistIds() order.
Result<std::vector<Checklist>> loadChecklists();

/// All items of `checklists`, in order.
std::vector<ChecklistItem> allItems(const std::vector<Checklist>& checklists);

/// The automatic status of `item`: its rule evaluated in `scope`, or noEvidenceRule().
EvidenceResult evaluateItem(const ChecklistItem& item, const EvidenceSource& source,
                            const EvidenceScope& scope = {});

} // namespace vigil
