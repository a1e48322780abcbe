// SPDX-License-Identifier: Apache-2.0
#include "iam/policyset.h"

#include "base/jsonlimits.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <optional>
#include <unordered_set>

namespace vigil::iam {

using Json = nlohmann::ordered_json;

std::string_view toString(Effect e)
{
    return e == Effect::Allow ? "Allow" : "Deny";
}

std::string_view toString(AgentTier t)
{
    switch (t) {
    case AgentTier::Orchestrator:
        return "orchestrator";
    case AgentTier::Worker:
        return "worker";
    case AgentTier::Unspecified:
        break;
    }
    return "unspecified";
}

bool Statement::matchesAction(std::string_view lowerAction) const noexcept
{
    const bool any = std::any_of(actionPatterns.begin(), actionPatterns.end(),
                                 [&](const GlobPattern& p) { return p.matches(lowerAction); });
    return any != notAction;
}

bool Statement::matchesResource(std::string_view part) const noexcept
{
    const bool any = std::any_of(resourcePatterns.begin(), resourcePatterns.end(),
                                 [&](const GlobPattern& p) { return p.matches(part); });
    return any != notResource;
}

const AgentEntry* PolicySet::agent(std::string_view name) const noexcept
{
    const auto it = std::lower_bound(m_agents.begin(), m_agents.end(), name,
                                     [](const AgentEntry& a, std::string_view n) { return a.name < n; });
    return it != m_agents.end() && it->name == name ? &*it : nullptr;
}

const Role* PolicySet::role(std::string_view name) const noexcept
{
    for (const Role& r : m_roles)
        if (r.name == name)
            return &r;
    return nullptr;
}

namespace {

constexpr std::string_view kInvalid = "iam.invalid_policy";

/// `.key` when the key is a plain identifier, `["key"]` (JSON-escaped) otherwise.
std::string pathComponent(std::string_view key)
{
    const bool plain = !key.empty() && std::all_of(key.begin(), key.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
               c == '_' || c == '-';
    });
    if (plain)
        return "." + std::string(key);
    return "[" + Json(std::string(key)).dump(-1, ' ', true, Json::error_handler_t::replace) + "]";
}

std::string indexComponent(std::size_t i)
{
    return "[" + std::to_string(i) + "]";
}

/// First pass over the text with nlohmann's SAX interface (iterative, no DOM): bounds the
/// nesting depth before anything is built and catches duplicate keys, which a DOM parse
/// would silently collapse to the last one.
class Prescan
{
public:
    explicit Prescan(std::size_t maxDepth) : m_maxDepth(maxDepth) {}

    std::string error; ///< path: reason, or the parser's message
    bool syntaxError = false;

    bool null() { return scalar(); }
    bool boolean(bool) { return scalar(); }
    bool number_integer(Json::number_integer_t) { return scalar(); }
    bool number_unsigned(Json::number_unsigned_t) { return scalar(); }
    bool number_float(Json::number_float_t, const Json::string_t&) { return scalar(); }
    bool string(Json::string_t&) { return scalar(); }
    bool binary(Json::binary_t&) { return scalar(); }
    bool start_object(std::size_t) { return open(true); }
    bool end_object() { return close(); }
    bool start_array(std::size_t) { return open(false); }
    bool end_array() { return close(); }
    bool key(Json::string_t& k)
    {
        Frame& f = m_stack.back();
        if (!f.keys.insert(k).second) {
            error = path() + pathComponent(k) + ": duplicate key";
            return false;
        }
        f.key = k;
        return true;
    }
    bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception& ex)
    {
        std::string what = ex.what();
        if (const std::size_t p = what.find("] "); what.starts_with("[json.exception") &&
                                                   p != std::string::npos)
            what.erase(0, p + 2);
        if (what.size() > 300)
            what = what.substr(0, 300) + "...";
        // The parser quotes the last token read, which may hold invalid UTF-8 or controls.
        for (char& c : what)
            if (static_cast<unsigned char>(c) < 0x20 || static_cast<unsigned char>(c) >= 0x7f)
                c = '?';
        error = "invalid JSON: " + what;
        syntaxError = true;
        return false;
    }

private:
    struct Frame
    {
        bool object = false;
        std::size_t count = 0;
        std::string label;
        std::string key;
        std::unordered_set<std::string> keys;
    };

    std::string childLabel()
    {
        if (m_stack.empty())
            return {};
        Frame& f = m_stack.back();
        if (f.object)
            return pathComponent(f.key);
        return indexComponent(f.count++);
    }
    bool scalar()
    {
        childLabel();
        return true;
    }
    bool open(bool object)
    {
        Frame f;
        f.object = object;
        f.label = childLabel();
        m_stack.push_back(std::move(f));
        if (m_stack.size() > m_maxDepth) {
            error = path() + ": nested deeper than " + std::to_string(m_maxDepth) + " levels";
            return false;
        }
        return true;
    }
    bool close()
    {
        m_stack.pop_back();
        return true;
    }
    std::string path() const
    {
        std::string p = "$";
        for (const Frame& f : m_stack)
            p += f.label;
        return p;
    }

    std::size_t m_maxDepth;
    std::vector<Frame> m_stack;
};

const char* typeName(const Json& j)
{
    switch (j.type()) {
    case Json::value_t::null:
        return "null";
    case Json::value_t::object:
        return "an object";
    case Json::value_t::array:
        return "an array";
    case Json::value_t::string:
        return "a string";
    case Json::value_t::boolean:
        return "a boolean";
    case Json::value_t::binary:
        return "binary data";
    case Json::value_t::discarded:
        return "nothing";
    default:
        return "a number";
    }
}

bool hasControl(std::string_view s)
{
    return std::any_of(s.begin(), s.end(),
                       [](char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7f; });
}

/// Agent names as spec/audit-events.md allows them in `agent_name`.
bool isAgentName(std::string_view s)
{
    if (s.empty() || s.size() > 64)
        return false;
    auto alnum = [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    };
    if (!alnum(s.front()))
        return false;
    return std::all_of(s.begin(), s.end(),
                       [&](char c) { return alnum(c) || c == '_' || c == '.' || c == '-'; });
}

/// `*`, or `service:name` where service is `[A-Za-z0-9-*?]+` and name is non-empty without `:`.
bool isActionPattern(std::string_view a)
{
    if (a == "*")
        return true;
    const std::size_t colon = a.find(':');
    if (colon == std::string_view::npos || colon == 0 || colon + 1 >= a.size())
        return false;
    const std::string_view service = a.substr(0, colon);
    const std::string_view name = a.substr(colon + 1);
    const bool serviceOk = std::all_of(service.begin(), service.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
               c == '-' || c == '*' || c == '?';
    });
    return serviceOk && name.find(':') == std::string_view::npos && !hasControl(name) &&
           name.find(' ') == std::string_view::npos;
}

/// `arn:<partition>:iam::<account>:role/<path/>name`, printable, at most 2048 characters.
bool isRoleArn(std::string_view a)
{
    if (a.size() > 2048 || hasControl(a) || !a.starts_with("arn:"))
        return false;
    const std::size_t iam = a.find(":iam::");
    if (iam == std::string_view::npos || iam < 5)
        return false;
    const std::size_t role = a.find(":role/", iam + 6);
    return role != std::string_view::npos && role + 6 < a.size();
}

} // namespace

/// Walks the DOM of a prescanned file; stops at the first fault and keeps it in m_error.
class PolicyLoader
{
public:
    explicit PolicyLoader(std::string_view source) : m_source(source) {}

    std::optional<Error> error;

    bool fault(const std::string& path, const std::string& what)
    {
        error = Error{std::string(kInvalid), m_source + ": " + path + ": " + what};
        return false;
    }

    bool expectType(const Json& j, Json::value_t t, const std::string& path, const char* want)
    {
        if (j.type() == t)
            return true;
        return fault(path, std::string("expected ") + want + ", got " + typeName(j));
    }

    bool loadRoot(const Json& root, PolicySet& out)
    {
        if (!expectType(root, Json::value_t::object, "$", "an object"))
            return false;
        for (const auto& [key, value] : root.items()) {
            if (key == "agents" || key == "roles" || key == "permission_boundary" || key == "tiers" ||
                key == "role_arns")
                continue;
            if (key == "description") {
                if (!expectType(value, Json::value_t::string, "$.description", "a string"))
                    return false;
                continue;
            }
            if (key == "version") {
                if (!value.is_number_integer() || value.get<long long>() != 1)
                    return fault("$.version", "expected 1");
                continue;
            }
            return fault("$" + pathComponent(key),
                         "unknown key (expected agents, roles, permission_boundary, tiers, "
                         "role_arns)");
        }
        if (!root.contains("roles"))
            return fault("$", "missing \"roles\"");
        if (!root.contains("agents"))
            return fault("$", "missing \"agents\"");

        const Json& roles = root.at("roles");
        if (!expectType(roles, Json::value_t::object, "$.roles", "an object"))
            return false;
        for (const auto& [name, doc] : roles.items()) {
            const std::string path = "$.roles" + pathComponent(name);
            if (name.empty() || name.size() > 128 || hasControl(name))
                return fault(path, "a role name must be 1 to 128 printable characters");
            Role role;
            role.name = name;
            if (!loadDocument(doc, path, role.policy))
                return false;
            out.m_roles.push_back(std::move(role));
        }

        const Json& agents = root.at("agents");
        if (!expectType(agents, Json::value_t::object, "$.agents", "an object"))
            return false;
        for (const auto& [name, roleName] : agents.items()) {
            const std::string path = "$.agents" + pathComponent(name);
            if (!isAgentName(name))
                return fault(path, "not a valid agent_name (letters, digits, '_', '.', '-'; "
                                   "1 to 64 characters, starting with a letter or digit)");
            if (!expectType(roleName, Json::value_t::string, path, "a role name (string)"))
                return false;
            const std::string& r = roleName.get_ref<const std::string&>();
            const auto it = std::find_if(out.m_roles.begin(), out.m_roles.end(),
                                         [&](const Role& x) { return x.name == r; });
            if (it == out.m_roles.end())
                return fault(path, "role " + Json(r).dump(-1, ' ', true, Json::error_handler_t::replace) +
                                       " is not defined in $.roles");
            AgentEntry a;
            a.name = name;
            a.role = r;
            a.roleIndex = static_cast<std::size_t>(it - out.m_roles.begin());
            out.m_agents.push_back(std::move(a));
        }
        std::sort(out.m_agents.begin(), out.m_agents.end(),
                  [](const AgentEntry& a, const AgentEntry& b) { return a.name < b.name; });

        if (root.contains("tiers")) {
            const Json& tiers = root.at("tiers");
            if (!expectType(tiers, Json::value_t::object, "$.tiers", "an object"))
                return false;
            out.m_hasTiers = true;
            for (const auto& [name, tier] : tiers.items()) {
                const std::string path = "$.tiers" + pathComponent(name);
                auto it = std::find_if(out.m_agents.begin(), out.m_agents.end(),
                                       [&](const AgentEntry& a) { return a.name == name; });
                if (it == out.m_agents.end())
                    return fault(path, "agent is not listed in $.agents");
                if (tier.is_string() && tier.get_ref<const std::string&>() == "orchestrator")
                    it->tier = AgentTier::Orchestrator;
                else if (tier.is_string() && tier.get_ref<const std::string&>() == "worker")
                    it->tier = AgentTier::Worker;
                else
                    return fault(path, "expected \"orchestrator\" or \"worker\"");
            }
        }

        if (root.contains("role_arns")) {
            const Json& arns = root.at("role_arns");
            if (!expectType(arns, Json::value_t::object, "$.role_arns", "an object"))
                return false;
            for (const auto& [name, arn] : arns.items()) {
                const std::string path = "$.role_arns" + pathComponent(name);
                auto it = std::find_if(out.m_agents.begin(), out.m_agents.end(),
                                       [&](const AgentEntry& a) { return a.name == name; });
                if (it == out.m_agents.end())
                    return fault(path, "agent is not listed in $.agents");
                if (!arn.is_string() || !isRoleArn(arn.get_ref<const std::string&>()))
                    return fault(path, "expected the ARN of an IAM role, "
                                       "\"arn:aws:iam::123456789012:role/NAME\"");
                const std::string& a = arn.get_ref<const std::string&>();
                for (const AgentEntry& other : out.m_agents)
                    if (other.roleArn == a)
                        return fault(path, "role ARN is already given to agent " + other.name +
                                               " (one role ARN names one agent)");
                it->roleArn = a;
            }
        }

        if (root.contains("permission_boundary")) {
            if (!loadDocument(root.at("permission_boundary"), "$.permission_boundary",
                              out.m_boundary))
                return false;
            out.m_hasBoundary = true;
        }
        return true;
    }

    bool loadDocument(const Json& doc, const std::string& path, PolicyDocument& out)
    {
        if (!expectType(doc, Json::value_t::object, path, "a policy document (object)"))
            return false;
        for (const auto& [key, value] : doc.items()) {
            const std::string p = path + pathComponent(key);
            if (key == "Version") {
                if (!value.is_string() || (value.get_ref<const std::string&>() != "2012-10-17" &&
                                           value.get_ref<const std::string&>() != "2008-10-17"))
                    return fault(p, "expected \"2012-10-17\" or \"2008-10-17\"");
                out.version = value.get<std::string>();
            } else if (key == "Id") {
                if (!expectType(value, Json::value_t::string, p, "a string"))
                    return false;
                out.id = value.get<std::string>();
            } else if (key != "Statement") {
                return fault(p, "unknown key (expected Version, Id, Statement)");
            }
        }
        if (!doc.contains("Statement"))
            return fault(path, "missing \"Statement\"");
        const Json& st = doc.at("Statement");
        const std::string sp = path + ".Statement";
        if (st.is_object()) {
            Statement s;
            if (!loadStatement(st, sp, s))
                return false;
            out.statements.push_back(std::move(s));
            return true;
        }
        if (!expectType(st, Json::value_t::array, sp, "an array of statements"))
            return false;
        if (st.empty())
            return fault(sp, "expected at least one statement");
        for (std::size_t i = 0; i < st.size(); ++i) {
            Statement s;
            if (!loadStatement(st[i], sp + indexComponent(i), s))
                return false;
            out.statements.push_back(std::move(s));
        }
        return true;
    }

    bool loadStringList(const Json& v, const std::string& path, bool action,
                        std::vector<std::string>& out)
    {
        auto one = [&](const Json& e, const std::string& p) {
            if (!e.is_string())
                return fault(p, std::string("expected a string, got ") + typeName(e));
            const std::string& s = e.get_ref<const std::string&>();
            if (action && !isActionPattern(s))
                return fault(p, "expected \"*\" or \"service:action\"");
            if (!action && (s.empty() || hasControl(s)))
                return fault(p, "expected a non-empty resource without control characters");
            out.push_back(s);
            return true;
        };
        if (v.is_string())
            return one(v, path);
        if (!v.is_array())
            return fault(path, std::string("expected a string or an array of strings, got ") +
                                   typeName(v));
        if (v.empty())
            return fault(path, "expected at least one entry");
        for (std::size_t i = 0; i < v.size(); ++i)
            if (!one(v[i], path + indexComponent(i)))
                return false;
        return true;
    }

    bool loadStatement(const Json& st, const std::string& path, Statement& out)
    {
        if (!expectType(st, Json::value_t::object, path, "a statement (object)"))
            return false;
        for (const auto& [key, value] : st.items()) {
            const std::string p = path + pathComponent(key);
            if (key == "Principal" || key == "NotPrincipal")
                return fault(p, "not allowed in an identity policy or permission boundary");
            if (key != "Sid" && key != "Effect" && key != "Action" && key != "NotAction" &&
                key != "Resource" && key != "NotResource" && key != "Condition")
                return fault(p, "unknown key (expected Sid, Effect, Action, NotAction, Resource, "
                                "NotResource, Condition)");
        }
        if (st.contains("Sid")) {
            const Json& sid = st.at("Sid");
            if (!expectType(sid, Json::value_t::string, path + ".Sid", "a string"))
                return false;
            const std::string& s = sid.get_ref<const std::string&>();
            if (s.size() > 128 || hasControl(s))
                return fault(path + ".Sid", "expected at most 128 printable characters");
            out.sid = s;
        }
        if (!st.contains("Effect"))
            return fault(path, "missing \"Effect\"");
        const Json& effect = st.at("Effect");
        if (effect.is_string() && effect.get_ref<const std::string&>() == "Allow")
            out.effect = Effect::Allow;
        else if (effect.is_string() && effect.get_ref<const std::string&>() == "Deny")
            out.effect = Effect::Deny;
        else
            return fault(path + ".Effect", "expected \"Allow\" or \"Deny\"");

        const bool hasA = st.contains("Action");
        const bool hasNA = st.contains("NotAction");
        if (hasA && hasNA)
            return fault(path, "both \"Action\" and \"NotAction\" given (use one)");
        if (!hasA && !hasNA)
            return fault(path, "missing \"Action\" or \"NotAction\"");
        out.notAction = hasNA;
        if (!loadStringList(st.at(hasA ? "Action" : "NotAction"),
                            path + (hasA ? ".Action" : ".NotAction"), true, out.actions))
            return false;

        const bool hasR = st.contains("Resource");
        const bool hasNR = st.contains("NotResource");
        if (hasR && hasNR)
            return fault(path, "both \"Resource\" and \"NotResource\" given (use one)");
        if (!hasR && !hasNR)
            return fault(path, "missing \"Resource\" or \"NotResource\"");
        out.notResource = hasNR;
        if (!loadStringList(st.at(hasR ? "Resource" : "NotResource"),
                            path + (hasR ? ".Resource" : ".NotResource"), false, out.resources))
            return false;

        if (st.contains("Condition")) {
            const Json& c = st.at("Condition");
            if (!expectType(c, Json::value_t::object, path + ".Condition", "an object"))
                return false;
            for (const auto& [op, block] : c.items())
                if (!expectType(block, Json::value_t::object,
                                path + ".Condition" + pathComponent(op), "an object"))
                    return false;
            out.condition = c.dump();
            if (c.empty())
                out.condition.clear(); // `{}` constrains nothing: a plain statement
        }
        out.text = st.dump();

        for (const std::string& a : out.actions)
            out.actionPatterns.emplace_back(asciiLower(a));
        for (const std::string& r : out.resources)
            out.resourcePatterns.emplace_back(resourcePart(r));
        return true;
    }

private:
    std::string m_source;
};

Result<PolicySet> PolicySet::load(std::string_view json, std::string_view sourceName)
{
    const std::string source(sourceName);
    // The size here; the depth in the prescan below, which names the JSON path of the fault.
    if (json.size() > kMaxFileBytes)
        return fail(std::string(kInvalid), source + ": larger than " +
                                               describeByteLimit(kMaxFileBytes) + " (" +
                                               std::to_string(json.size()) + " bytes)");
    {
        Prescan pre(kMaxDepth);
        const bool ok = Json::sax_parse(json, &pre, Json::input_format_t::json, true);
        if (!ok) {
            std::string what = pre.error.empty() ? std::string("invalid JSON") : pre.error;
            return fail(std::string(kInvalid), source + ": " + what);
        }
    }
    Json root;
    try {
        root = Json::parse(json);
    } catch (const Json::exception&) {
        return fail(std::string(kInvalid), source + ": invalid JSON");
    }
    PolicySet set;
    set.m_sourceName = source;
    PolicyLoader loader(source);
    if (!loader.loadRoot(root, set))
        return std::unexpected(*loader.error);
    return set;
}

Result<PolicySet> PolicySet::loadFile(const std::filesystem::path& path)
{
    auto text = readFileLimited(path, kMaxFileBytes, "iam.io_error", kInvalid);
    if (!text)
        return std::unexpected(text.error());
    return load(*text, path.string());
}

} // namespace vigil::iam
