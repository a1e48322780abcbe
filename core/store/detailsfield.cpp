// SPDX-License-Identifier: Apache-2.0
#include "store/detailsfield.h"

#include "base/jsonlimits.h"
#include "scan/scanner.h"

#include <nlohmann/json.hpp>

#include <algorithm>

namespace vigil {
namespace {

using Json = nlohmann::ordered_json;

/// Redacts, in place, every string of `j`, `path` being its own path (`details.filters[0]`).
void redactTree(Json& j, const std::string& path, const std::vector<Finding>& findings)
{
    if (j.is_object()) {
        for (auto it = j.begin(); it != j.end(); ++it)
            redactTree(it.value(), path + "." + it.key(), findings);
    } else if (j.is_array()) {
        for (std::size_t i = 0; i < j.size(); ++i)
            redactTree(j[i], path + "[" + std::to_string(i) + "]", findings);
    } else if (j.is_string()) {
        j = redact(j.get_ref<const std::string&>(), path, findings);
    }
}

} // namespace

std::string redactedDetails(std::string_view detailsJson, const std::vector<Finding>& findings)
{
    const bool sensitive = std::any_of(findings.begin(), findings.end(), [](const Finding& f) {
        return f.start >= 0 && (f.category == "pii" || f.category == "secret");
    });
    if (!sensitive || !withinJsonLimits(detailsJson))
        return std::string(detailsJson);
    Json d = Json::parse(detailsJson, nullptr, false);
    if (d.is_discarded())
        return std::string(detailsJson);
    redactTree(d, "details", findings);
    return d.dump(-1, ' ', false, Json::error_handler_t::replace);
}

std::optional<std::string> detailsFieldValue(std::string_view detailsJson, std::string_view field)
{
    static constexpr std::string_view kRoot = "details";
    if (!field.starts_with(kRoot))
        return std::nullopt;
    field.remove_prefix(kRoot.size());
    // Stored details passed the decoder's limits; a database edited by hand may not have.
    if (!withinJsonLimits(detailsJson))
        return std::nullopt;
    const auto doc = nlohmann::json::parse(detailsJson, nullptr, false);
    if (doc.is_discarded())
        return std::nullopt;
    const nlohmann::json* node = &doc;
    while (!field.empty()) {
        if (field.front() == '.') {
            field.remove_prefix(1);
            const auto end = field.find_first_of(".[");
            const std::string key(field.substr(0, end));
            field.remove_prefix(end == std::string_view::npos ? field.size() : end);
            if (!node->is_object())
                return std::nullopt;
            const auto it = node->find(key);
            if (it == node->end())
                return std::nullopt;
            node = &*it;
        } else if (field.front() == '[') {
            const auto close = field.find(']');
            if (close == std::string_view::npos || !node->is_array())
                return std::nullopt;
            std::size_t index = 0;
            for (const char c : field.substr(1, close - 1)) {
                if (c < '0' || c > '9')
                    return std::nullopt;
                index = index * 10 + static_cast<std::size_t>(c - '0');
            }
            field.remove_prefix(close + 1);
            if (index >= node->size())
                return std::nullopt;
            node = &(*node)[index];
        } else {
            return std::nullopt;
        }
    }
    if (!node->is_string())
        return std::nullopt;
    return node->get<std::string>();
}

} // namespace vigil
