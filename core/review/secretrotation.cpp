// SPDX-License-Identifier: Apache-2.0
#include "review/secretrotation.h"

#include "base/embedded.h"
#include "iam/globpattern.h"
#include "review/jsonreader.h"
#include "review/strcat.h"

#include <nlohmann/json.hpp>

#include <algorithm>

namespace vigil {

using reviewdetail::cat;
using reviewdetail::indexPath;

namespace {

constexpr std::int64_t kDayMs = 86'400'000;

} // namespace

const RotationClass* RotationTable::classify(std::string_view secret) const
{
    const std::string name = iam::asciiLower(secret);
    for (const RotationClass& c : classes)
        for (const std::string& pattern : c.match)
            if (iam::GlobPattern(iam::asciiLower(pattern)).matches(name))
                return &c;
    return nullptr;
}

Result<RotationTable> parseRotationTable(std::string_view json, std::string_view sourceName)
{
    const reviewdetail::JsonReader reader(sourceName, "review.bad_rotation_table");
    auto doc = reader.parse(json);
    if (!doc)
        return std::unexpected(doc.error());
    if (auto ok = reader.object(*doc, "", {"version", "source", "note", "classes"}); !ok)
        return std::unexpected(ok.error());
    const auto list = doc->find("classes");
    if (list == doc->end())
        return std::unexpected(reader.error("classes", "missing"));
    if (auto ok = reader.array(*list, "classes"); !ok)
        return std::unexpected(ok.error());
    RotationTable out;
    for (std::size_t i = 0; i < list->size(); ++i) {
        const auto path = indexPath("classes", i);
        const auto& obj = (*list)[i];
        if (auto ok = reader.object(obj, path, {"id", "name", "max_age_days", "method", "match"});
            !ok)
            return std::unexpected(ok.error());
        RotationClass c;
        auto id = reader.string(obj, path, "id", true, true);
        auto name = reader.string(obj, path, "name", true, true);
        auto method = reader.string(obj, path, "method", false, false);
        for (const auto* r : {&id, &name, &method})
            if (!*r)
                return std::unexpected(r->error());
        auto age = reader.integer(obj, path, "max_age_days", false, 1, 36500);
        if (!age)
            return std::unexpected(age.error());
        auto match = reader.stringArray(obj, path, "match");
        if (!match)
            return std::unexpected(match.error());
        if (match->empty())
            return std::unexpected(reader.error(reviewdetail::childPath(path, "match"), "needs at least one pattern"));
        c.id = std::move(*id);
        c.name = std::move(*name);
        c.method = std::move(*method);
        if (*age)
            c.maxAgeDays = static_cast<int>(**age);
        c.match = std::move(*match);
        out.classes.push_back(std::move(c));
    }
    return out;
}

Result<RotationTable> loadRotationTable()
{
    constexpr std::string_view path = "checklists/secret-rotation.json";
    const auto text = embeddedResource(path);
    if (!text)
        return fail("review.missing_resource", cat(path, " is not embedded"));
    return parseRotationTable(*text, path);
}

std::string rotatedSecret(std::string_view detailsJson)
{
    const auto d = nlohmann::json::parse(detailsJson, nullptr, false);
    if (!d.is_object())
        return {};
    const auto type = d.find("type");
    if (type == d.end() || !type->is_string() || type->get<std::string>() != "secret_rotated")
        return {};
    const auto named = [](const nlohmann::json& o) -> std::string {
        for (const char* key : {"secret", "secret_name", "name"})
            if (const auto it = o.find(key); it != o.end() && it->is_string())
                return it->get<std::string>();
        return {};
    };
    if (std::string s = named(d); !s.empty())
        return s;
    if (const auto inner = d.find("details"); inner != d.end()) {
        if (inner->is_string())
            return inner->get<std::string>();
        if (inner->is_object())
            return named(*inner);
    }
    return {};
}

std::vector<RotationState> rotationStates(const RotationTable& table,
                                          const std::vector<SecretRotations>& seen,
                                          std::int64_t nowMs)
{
    std::vector<RotationState> out;
    for (const SecretRotations& s : seen) {
        RotationState st;
        st.secret = s.secret;
        st.lastMs = s.lastMs;
        if (const RotationClass* c = table.classify(s.secret)) {
            st.classId = c->id;
            st.className = c->name;
            st.maxAgeDays = c->maxAgeDays;
            if (c->maxAgeDays) {
                st.dueMs = s.lastMs + static_cast<std::int64_t>(*c->maxAgeDays) * kDayMs;
                st.overdue = nowMs > st.dueMs;
            }
        }
        out.push_back(std::move(st));
    }
    std::sort(out.begin(), out.end(), [](const RotationState& a, const RotationState& b) {
        return a.overdue != b.overdue ? a.overdue : a.secret < b.secret;
    });
    return out;
}

} // namespace vigil
