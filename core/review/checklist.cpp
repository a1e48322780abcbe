// SPDX-License-Identifier: Apache-2.0
#include "review/checklist.h"

#include "base/embedded.h"
#include "review/jsonreader.h"
#include "review/strcat.h"

#include <algorithm>
#include <array>
#include <set>

namespace vigil {

using reviewdetail::cat;
using reviewdetail::childPath;
using reviewdetail::indexPath;

namespace {
constexpr std::array<std::string_view, 3> kChecklistIds{"maestro", "plugin", "production"};
} // namespace

std::span<const std::string_view> checklistIds()
{
    return kChecklistIds;
}

Result<Checklist> parseChecklist(std::string_view json, std::string_view sourceName,
                                 const std::vector<EvidenceRule>& rules)
{
    const reviewdetail::JsonReader reader(sourceName, "review.bad_checklist");
    auto doc = reader.parse(json);
    if (!doc)
        return std::unexpected(doc.error());
    if (auto ok =
            reader.object(*doc, "", {"checklist", "title", "source", "scope", "note", "items"});
        !ok)
        return std::unexpected(ok.error());

    Checklist out;
    auto id = reader.string(*doc, "", "checklist", true, true);
    auto title = reader.string(*doc, "", "title", true, true);
    auto source = reader.string(*doc, "", "source", false, false);
    auto scope = reader.string(*doc, "", "scope", true, true);
    for (const auto* r : {&id, &title, &source, &scope})
        if (!*r)
            return std::unexpected(r->error());
    out.id = std::move(*id);
    out.title = std::move(*title);
    out.source = std::move(*source);
    if (*scope == "component")
        out.scope = ChecklistScope::Component;
    else if (*scope == "system")
        out.scope = ChecklistScope::System;
    else
        return std::unexpected(reader.error("scope", "expected 'component' or 'system'"));

    const auto itemsIt = doc->find("items");
    if (itemsIt == doc->end())
        return std::unexpected(reader.error("items", "missing"));
    if (auto ok = reader.array(*itemsIt, "items"); !ok)
        return std::unexpected(ok.error());

    std::set<std::string> ids;
    const std::string prefix = out.id + ".";
    for (std::size_t i = 0; i < itemsIt->size(); ++i) {
        const auto path = indexPath("items", i);
        const auto& obj = (*itemsIt)[i];
        if (auto ok = reader.object(obj, path,
                                    {"id", "checklist", "section", "layer", "text", "evidence"});
            !ok)
            return std::unexpected(ok.error());
        ChecklistItem item;
        auto itemId = reader.string(obj, path, "id", true, true);
        auto checklist = reader.string(obj, path, "checklist", true, true);
        auto section = reader.string(obj, path, "section", true, true);
        auto text = reader.string(obj, path, "text", true, true);
        auto ruleRef = reader.string(obj, path, "evidence", false, true);
        auto layer = reader.integer(obj, path, "layer", false, 1, 7);
        for (const auto* r : {&itemId, &checklist, &section, &text, &ruleRef})
            if (!*r)
                return std::unexpected(r->error());
        if (!layer)
            return std::unexpected(layer.error());
        if (!itemId->starts_with(prefix) || itemId->size() == prefix.size())
            return std::unexpected(
                reader.error(childPath(path, "id"), cat("must start with '", prefix, "'")));
        if (!ids.insert(*itemId).second)
            return std::unexpected(
                reader.error(childPath(path, "id"), cat("duplicate id '", *itemId, "'")));
        if (*checklist != out.id)
            return std::unexpected(
                reader.error(childPath(path, "checklist"), cat("expected '", out.id, "'")));
        item.id = std::move(*itemId);
        item.checklist = std::move(*checklist);
        item.section = std::move(*section);
        item.text = std::move(*text);
        item.layer = static_cast<int>(layer->value_or(0));
        if (!ruleRef->empty()) {
            const auto rule = std::find_if(rules.begin(), rules.end(),
                                           [&](const EvidenceRule& r) { return r.id == *ruleRef; });
            if (rule == rules.end())
                return std::unexpected(reader.error(childPath(path, "evidence"),
                                                    cat("unknown evidence rule '", *ruleRef, "'")));
            item.evidence = *rule;
        }
        out.items.push_back(std::move(item));
    }
    return out;
}

namespace {

Result<Checklist> loadWithRules(std::string_view id, const std::vector<EvidenceRule>& rules)
{
    const std::string path = cat("checklists/", id, ".json");
    const auto text = embeddedResource(path);
    if (!text)
        return fail("review.missing_resource", cat(path, " is not embedded"));
    auto checklist = parseChecklist(*text, path, rules);
    if (checklist && checklist->id != id)
        return fail("review.bad_checklist", cat(path, ": checklist: expected '", id, "'"));
    return checklist;
}

} // namespace

Result<Checklist> loadChecklist(std::string_view id)
{
    auto rules = loadEvidenceRules();
    if (!rules)
        return std::unexpected(rules.error());
    return loadWithRules(id, *rules);
}

Result<std::vector<Checklist>> loadChecklists()
{
    auto rules = loadEvidenceRules();
    if (!rules)
        return std::unexpected(rules.error());
    std::vector<Checklist> out;
    for (const auto id : kChecklistIds) {
        auto checklist = loadWithRules(id, *rules);
        if (!checklist)
            return std::unexpected(checklist.error());
        out.push_back(std::move(*checklist));
    }
    return out;
}

std::vector<ChecklistItem> allItems(const std::vector<Checklist>& checklists)
{
    std::vector<ChecklistItem> out;
    for (const auto& c : checklists)
        out.insert(out.end(), c.items.begin(), c.items.end());
    return out;
}

EvidenceResult evaluateItem(const ChecklistItem& item, const EvidenceSource& source,
                            const EvidenceScope& scope)
{
    if (!item.evidence)
        return noEvidenceRule();
    return evaluateEvidence(*item.evidence, source, scope);
}

} // namespace vigil
