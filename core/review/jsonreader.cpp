// SPDX-License-Identifier: Apache-2.0
#include "review/jsonreader.h"
#include "base/jsonlimits.h"
#include "review/strcat.h"

#include <algorithm>

namespace vigil::reviewdetail {

using nlohmann::json;

std::string childPath(std::string_view parent, std::string_view key)
{
    if (parent.empty())
        return std::string(key);
    return cat(parent, ".", key);
}

std::string indexPath(std::string_view parent, std::size_t index)
{
    return cat(parent, "[", index, "]");
}

JsonReader::JsonReader(std::string_view sourceName, std::string_view errorCode)
    : m_source(sourceName), m_code(errorCode)
{
}

Result<json> JsonReader::parse(std::string_view text) const
{
    if (auto ok = checkJsonLimits(text, m_source, m_code); !ok)
        return std::unexpected(ok.error());
    try {
        return json::parse(text);
    } catch (const json::parse_error& e) {
        // nlohmann's what() reads "[json.exception.parse_error.101] parse error at line 1,
        // column 2: ..."; the bracketed id means nothing to a user.
        std::string what = e.what();
        if (const auto close = what.find("] "); what.starts_with("[") && close != std::string::npos)
            what.erase(0, close + 2);
        return fail(m_code, cat(m_source, ": invalid JSON: ", what));
    }
}

Error JsonReader::error(std::string_view path, std::string_view problem) const
{
    if (path.empty())
        return Error{m_code, cat(m_source, ": ", problem)};
    return Error{m_code, cat(m_source, ": ", path, ": ", problem)};
}

Result<void> JsonReader::object(const json& v, std::string_view path,
                                std::initializer_list<std::string_view> allowed) const
{
    if (!v.is_object())
        return std::unexpected(error(path.empty() ? "(root)" : path, "expected an object"));
    for (const auto& [key, value] : v.items()) {
        if (std::find(allowed.begin(), allowed.end(), key) == allowed.end())
            return std::unexpected(error(childPath(path, key), "unknown key"));
    }
    return {};
}

Result<void> JsonReader::array(const json& v, std::string_view path) const
{
    if (!v.is_array())
        return std::unexpected(error(path, "expected an array"));
    return {};
}

Result<std::string> JsonReader::string(const json& obj, std::string_view path, std::string_view key,
                                       bool required, bool nonEmpty) const
{
    const auto it = obj.find(key);
    if (it == obj.end()) {
        if (required)
            return std::unexpected(error(childPath(path, key), "missing"));
        return std::string();
    }
    if (!it->is_string())
        return std::unexpected(error(childPath(path, key), "expected a string"));
    auto value = it->get<std::string>();
    if (nonEmpty && value.empty())
        return std::unexpected(error(childPath(path, key), "must not be empty"));
    return value;
}

Result<std::optional<std::int64_t>> JsonReader::integer(const json& obj, std::string_view path,
                                                        std::string_view key, bool required,
                                                        std::int64_t min, std::int64_t max) const
{
    const auto it = obj.find(key);
    if (it == obj.end() || it->is_null()) {
        if (required)
            return std::unexpected(error(childPath(path, key), "missing"));
        return std::optional<std::int64_t>();
    }
    const auto outOfRange = [&] {
        return std::unexpected(
            error(childPath(path, key), cat("expected an integer from ", min, " to ", max)));
    };
    if (!it->is_number_integer())
        return outOfRange();
    if (it->is_number_unsigned()) {
        const auto u = it->get<std::uint64_t>();
        // JSON's non-negative integers parse as unsigned: the lower bound holds for them too.
        if (u > static_cast<std::uint64_t>(max) || (min > 0 && u < static_cast<std::uint64_t>(min)))
            return outOfRange();
        return std::optional<std::int64_t>(static_cast<std::int64_t>(u));
    }
    const auto v = it->get<std::int64_t>();
    if (v < min || v > max)
        return outOfRange();
    return std::optional<std::int64_t>(v);
}

Result<std::vector<std::string>> JsonReader::stringArray(const json& obj, std::string_view path,
                                                         std::string_view key) const
{
    std::vector<std::string> out;
    const auto it = obj.find(key);
    if (it == obj.end())
        return out;
    const auto arrayPath = childPath(path, key);
    if (!it->is_array())
        return std::unexpected(error(arrayPath, "expected an array of strings"));
    for (std::size_t i = 0; i < it->size(); ++i) {
        const auto& v = (*it)[i];
        if (!v.is_string() || v.get_ref<const std::string&>().empty())
            return std::unexpected(error(indexPath(arrayPath, i), "expected a non-empty string"));
        out.push_back(v.get<std::string>());
    }
    return out;
}

} // namespace vigil::reviewdetail
