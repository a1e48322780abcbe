// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "base/result.h"

#include <string>
#include <string_view>
#include <unordered_map>

namespace vigil {

/// What one tool call means in IAM terms: the `service:Action` it performs and the resource
/// it touches. `resource` may hold `{name}` placeholders, filled from the call's top-level
/// arguments of that name (strings and numbers).
struct ToolAction
{
    std::string action;
    std::string resource; ///< empty: `tool/<tool name>`
};

/// The user-editable table that turns a GenAI tool name (`gen_ai.tool.name`) into an IAM
/// action, so the permission map can check tool use against the agents' roles
/// (docs/event-format.md, "OpenTelemetry GenAI"). The file format:
///
///     {"version": 1, "tools": {"read_file": {"action": "s3:GetObject",
///                                            "resource": "arn:aws:s3:::{bucket}/{key}"},
///                              "web_search": "http:Get"}}
///
/// Loading refuses the whole file on any fault (over 1 MiB, nested deeper than 8 levels,
/// more than 10,000 tools, an action not shaped `service:Action`, unknown keys), with a
/// message naming the file and the JSON path. Immutable once loaded; safe to share
/// read-only between threads.
class ToolActionMap
{
public:
    static constexpr std::size_t kMaxFileBytes = 1024 * 1024;
    static constexpr std::size_t kMaxDepth = 8;
    static constexpr std::size_t kMaxTools = 10000;

    /// An empty table: every tool maps to `tool:<name>`.
    ToolActionMap() = default;

    /// Parses a table from `text`; `sourceName` names it in error messages.
    static Result<ToolActionMap> parse(std::string_view text, std::string_view sourceName);

    /// Reads and parses the file at `path`.
    static Result<ToolActionMap> loadFile(const std::string& path);

    /// The default table shipped in resources/otel/tool-actions.json.
    static Result<ToolActionMap> builtin();

    /// The entry for `toolName` (exact, case-sensitive), or nullptr.
    const ToolAction* find(std::string_view toolName) const;

    std::size_t size() const { return m_tools.size(); }

private:
    struct Hash
    {
        using is_transparent = void;
        std::size_t operator()(std::string_view s) const
        {
            return std::hash<std::string_view>{}(s);
        }
    };
    std::unordered_map<std::string, ToolAction, Hash, std::equal_to<>> m_tools;
};

/// True when `s` has the `service:Action` shape the decoder accepts for `details.action`.
bool isValidIamAction(std::string_view s);

/// `tool:<name>` for a tool without an entry: characters an IAM action name cannot hold
/// (anything but letters, digits, `-` and `_`) become `_`, and the name is cut to 200 bytes.
std::string unmappedToolAction(std::string_view toolName);

} // namespace vigil
