// SPDX-License-Identifier: Apache-2.0
#include "ingest/toolactionmap.h"

#include "base/embedded.h"

#include <simdjson.h>

#include <fstream>
#include <sstream>

namespace vigil {
namespace {

bool isAlnum(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

} // namespace

bool isValidIamAction(std::string_view s)
{
    // The same rule as the decoder's check of details.action.
    const auto colon = s.find(':');
    if (colon == std::string_view::npos || colon == 0 || colon + 1 >= s.size() || s.size() > 256)
        return false;
    for (char c : s.substr(0, colon))
        if (!(isAlnum(c) || c == '-' || c == '_' || c == '.'))
            return false;
    for (char c : s.substr(colon + 1))
        if (!(isAlnum(c) || c == '-' || c == '_' || c == '*' || c == '?'))
            return false;
    return true;
}

std::string unmappedToolAction(std::string_view toolName)
{
    std::string out = "tool:";
    for (char c : toolName.substr(0, 200))
        out += (isAlnum(c) || c == '-' || c == '_') ? c : '_';
    if (out.size() == 5)
        out += '_';
    return out;
}

Result<ToolActionMap> ToolActionMap::parse(std::string_view text, std::string_view sourceName)
{
    const std::string src(sourceName);
    auto bad = [&](const std::string& path, const std::string& what) {
        return fail("otel.tool_map_invalid", src + ": " + path + ": " + what);
    };
    if (text.size() > kMaxFileBytes)
        return fail("otel.tool_map_invalid",
                    src + ": the file is larger than 1 MiB; split it or remove unused tools");

    simdjson::dom::parser parser;
    if (parser.allocate(text.size() + 1, kMaxDepth) != simdjson::SUCCESS)
        return fail("otel.tool_map_invalid", src + ": out of memory while reading the file");
    simdjson::dom::element root;
    const simdjson::padded_string padded(text);
    if (const auto err = parser.parse(padded).get(root); err) {
        if (err == simdjson::DEPTH_ERROR)
            return bad("$", "nested deeper than 8 levels");
        return bad("$", std::string("not valid JSON (") + simdjson::error_message(err) + ")");
    }
    simdjson::dom::object top;
    if (root.get_object().get(top) != simdjson::SUCCESS)
        return bad("$", "expected an object with \"version\" and \"tools\"");

    ToolActionMap map;
    bool sawVersion = false, sawTools = false;
    for (auto field : top) {
        const std::string_view key = field.key;
        if (key == "version") {
            int64_t v = 0;
            if (field.value.get_int64().get(v) != simdjson::SUCCESS || v != 1)
                return bad("$.version", "expected 1");
            sawVersion = true;
        } else if (key == "description") {
            if (!field.value.is_string())
                return bad("$.description", "expected a string");
        } else if (key == "tools") {
            simdjson::dom::object tools;
            if (field.value.get_object().get(tools) != simdjson::SUCCESS)
                return bad("$.tools", "expected an object of tool name -> action");
            sawTools = true;
            for (auto tool : tools) {
                const std::string name(tool.key);
                const std::string path = "$.tools[\"" + name + "\"]";
                if (name.empty() || name.size() > 256)
                    return bad(path, "a tool name must be 1 to 256 bytes");
                if (map.m_tools.size() >= kMaxTools)
                    return bad("$.tools", "more than 10,000 tools");
                ToolAction entry;
                if (tool.value.is_string()) {
                    entry.action = std::string(std::string_view(tool.value));
                } else if (tool.value.is_object()) {
                    for (auto f : simdjson::dom::object(tool.value)) {
                        const std::string_view k = f.key;
                        std::string* slot = k == "action"     ? &entry.action
                                            : k == "resource" ? &entry.resource
                                                              : nullptr;
                        if (!slot && k != "description")
                            return bad(path + "." + std::string(k),
                                       "unknown key (expected action, resource, description)");
                        if (!f.value.is_string())
                            return bad(path + "." + std::string(k), "expected a string");
                        if (slot)
                            slot->assign(std::string_view(f.value));
                    }
                    if (entry.action.empty())
                        return bad(path + ".action", "missing");
                } else {
                    return bad(path, "expected \"service:Action\" or {\"action\", \"resource\"}");
                }
                if (!isValidIamAction(entry.action))
                    return bad(path + (tool.value.is_object() ? ".action" : ""),
                               "\"" + entry.action + "\" does not look like service:Action");
                if (!map.m_tools.emplace(name, std::move(entry)).second)
                    return bad(path, "tool given twice");
            }
        } else {
            return bad("$." + std::string(key), "unknown key (expected version, tools)");
        }
    }
    if (!sawVersion)
        return bad("$.version", "missing (expected 1)");
    if (!sawTools)
        return bad("$.tools", "missing");
    return map;
}

Result<ToolActionMap> ToolActionMap::loadFile(const std::string& path)
{
    std::ifstream in(path, std::ios::binary);
    if (!in)
        return fail("otel.tool_map_io", path + ": cannot open the file; check the path");
    std::string text;
    char buf[65536];
    while (in.read(buf, sizeof buf) || in.gcount() > 0) {
        text.append(buf, static_cast<std::size_t>(in.gcount()));
        if (text.size() > kMaxFileBytes)
            return fail("otel.tool_map_invalid",
                        path + ": the file is larger than 1 MiB; split it or remove unused tools");
    }
    if (in.bad())
        return fail("otel.tool_map_io", path + ": read error");
    return parse(text, path);
}

Result<ToolActionMap> ToolActionMap::builtin()
{
    const auto text = embeddedResource("otel/tool-actions.json");
    if (!text)
        return fail("otel.tool_map_missing",
                    "the built-in tool table (resources/otel/tool-actions.json) is not embedded");
    return parse(*text, "otel/tool-actions.json");
}

const ToolAction* ToolActionMap::find(std::string_view toolName) const
{
    const auto it = m_tools.find(toolName);
    return it == m_tools.end() ? nullptr : &it->second;
}

} // namespace vigil
