// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "base/result.h"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

// Internal to core/review: typed reads of JSON documents whose errors name the document
// and the JSON path of the fault (`checklists/maestro.json: items[3].layer: ...`).
namespace vigil::reviewdetail {

/// Reads values out of one parsed document; every error it returns is
/// `{code, "<source>: <path>: <problem>"}`. Stateless apart from the names; cheap to copy.
class JsonReader
{
public:
    JsonReader(std::string_view sourceName, std::string_view errorCode);

    /// Parses `text`; a syntax error names the line and column. Text over 16 MiB or nested
    /// deeper than 64 levels is refused before it is parsed (see checkJsonLimits).
    Result<nlohmann::json> parse(std::string_view text) const;

    Error error(std::string_view path, std::string_view problem) const;

    /// `v` must be an object holding no keys outside `allowed`.
    Result<void> object(const nlohmann::json& v, std::string_view path,
                        std::initializer_list<std::string_view> allowed) const;
    /// `v` must be an array.
    Result<void> array(const nlohmann::json& v, std::string_view path) const;

    /// obj[key] as a string. Missing: error when `required`, else "". `nonEmpty` refuses "".
    Result<std::string> string(const nlohmann::json& obj, std::string_view path,
                               std::string_view key, bool required, bool nonEmpty) const;
    /// obj[key] as an integer within [min, max]; missing: nullopt unless `required`.
    Result<std::optional<std::int64_t>> integer(const nlohmann::json& obj, std::string_view path,
                                                std::string_view key, bool required,
                                                std::int64_t min, std::int64_t max) const;
    /// obj[key] as an array of non-empty strings; missing: empty.
    Result<std::vector<std::string>> stringArray(const nlohmann::json& obj, std::string_view path,
                                                 std::string_view key) const;

private:
    std::string m_source;
    std::string m_code;
};

/// `parent.key`, or `key` at the root.
std::string childPath(std::string_view parent, std::string_view key);
/// `parent[index]`.
std::string indexPath(std::string_view parent, std::size_t index);

} // namespace vigil::reviewdetail
