// SPDX-License-Identifier: Apache-2.0
#include "store/detailsfield.h"

#include "base/jsonlimits.h"

#include <nlohmann/json.hpp>

namespace vigil {

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
