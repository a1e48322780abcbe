// SPDX-License-Identifier: Apache-2.0
#include "scan/rulepack.h"

#include "base/embedded.h"
#include "base/jsonlimits.h"
#include "scan/phoneplan.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <array>
#include <charconv>
#include <span>

namespace vigil {
namespace {

using nlohmann::json;

enum class ParamType
{
    Bool,
    Int,
    Number,
    String,
    StringList,
    RegionList, ///< CLDR region codes libphonenumber has a numbering plan for
    StringMap,
    IntMap
};

struct ParamSpec
{
    std::string_view name;
    ParamType type;
    double lo = 0;
    double hi = 0;
    std::span<const std::string_view> choices = {}; ///< for String and StringList, when set
};

struct KindSpec
{
    std::string_view kind;
    bool needsPatterns;
    std::span<const ParamSpec> params;
};

constexpr std::array<std::string_view, 4> kEncodings{"base64", "hex", "escapes", "tags"};
constexpr std::array<std::string_view, 2> kSqlModes{"statement", "embedded"};
constexpr std::array<std::string_view, 2> kPhoneChecks{"possible", "valid"};
constexpr std::array<std::string_view, 5> kSchemaChecks{"not_object", "missing_field",
                                                        "wrong_type", "out_of_range",
                                                        "row_limit"};

constexpr std::array<ParamSpec, 1> kRegexParams{{{"caseless", ParamType::Bool}}};
constexpr std::array<ParamSpec, 10> kTokenParams{{
    {"caseless", ParamType::Bool},
    {"base64", ParamType::Bool},
    {"min_segment", ParamType::Int, 0, 4096},
    {"min_entropy", ParamType::Number, 0, 8},
    {"min_length", ParamType::Int, 1, 4096},
    {"max_length", ParamType::Int, 1, 4096},
    {"min_classes", ParamType::Int, 1, 3},
    {"prefixes", ParamType::StringList},
    {"exclude_prefixes", ParamType::StringList},
    {"keywords", ParamType::StringList},
}};
constexpr std::array<ParamSpec, 3> kConnectionParams{{
    {"caseless", ParamType::Bool},
    {"min_length", ParamType::Int, 1, 4096},
    {"context_words", ParamType::StringList},
}};
constexpr std::array<ParamSpec, 1> kPemParams{{{"min_body", ParamType::Int, 1, 100000}}};
constexpr std::array<ParamSpec, 8> kAssignmentParams{{
    {"caseless", ParamType::Bool},
    {"min_length", ParamType::Int, 1, 4096},
    {"max_length", ParamType::Int, 1, 4096},
    {"min_entropy", ParamType::Number, 0, 8},
    {"min_classes", ParamType::Int, 1, 4},
    {"exclude_keys", ParamType::StringList},
    {"exclude_key_suffixes", ParamType::StringList},
    {"keywords", ParamType::StringList},
}};
constexpr std::array<ParamSpec, 1> kCaselessOnly{{{"caseless", ParamType::Bool}}};
constexpr std::array<ParamSpec, 5> kEncodedParams{{
    {"encodings", ParamType::StringList, 0, 0, kEncodings},
    {"min_base64", ParamType::Int, 8, 4096},
    {"min_hex", ParamType::Int, 8, 4096},
    {"max_depth", ParamType::Int, 1, 4},
    {"min_printable", ParamType::Number, 0, 1},
}};
constexpr std::array<ParamSpec, 1> kHiddenTextParams{{{"min_chars", ParamType::Int, 1, 4096}}};
constexpr std::array<ParamSpec, 5> kClassifierParams{{
    {"threshold", ParamType::Number, 0, 1},
    {"min_chars", ParamType::Int, 0, 100000},
    {"show_ngrams", ParamType::Int, 0, 10},
    {"gate_non_ascii", ParamType::Bool},
    {"gate_words", ParamType::StringList},
}};
constexpr std::array<ParamSpec, 1> kEmailParams{{{"obfuscated", ParamType::Bool}}};
constexpr std::array<ParamSpec, 4> kPhoneParams{{
    {"bare_nanp", ParamType::Bool},
    {"international", ParamType::Bool},
    {"international_check", ParamType::String, 0, 0, kPhoneChecks},
    {"default_regions", ParamType::RegionList},
}};
constexpr std::array<ParamSpec, 4> kSsnParams{{
    {"allow_spaces", ParamType::Bool},
    {"allow_dots", ParamType::Bool},
    {"context_words", ParamType::StringList},
    {"context_window", ParamType::Int, 0, 200},
}};
constexpr std::array<ParamSpec, 2> kCardParams{{
    {"min_digits", ParamType::Int, 12, 19},
    {"max_digits", ParamType::Int, 12, 19},
}};
constexpr std::array<ParamSpec, 2> kSqlParams{{
    {"mode", ParamType::String, 0, 0, kSqlModes},
    {"keywords", ParamType::StringList},
}};
constexpr std::array<ParamSpec, 1> kForgedParams{{{"multiline_fields", ParamType::StringList}}};
constexpr std::array<ParamSpec, 1> kControlParams{{{"single_line_fields", ParamType::StringList}}};
constexpr std::array<ParamSpec, 1> kLengthParams{{{"max", ParamType::Int, 1, 100000000}}};
constexpr std::array<ParamSpec, 2> kSchemaParams{{
    {"check", ParamType::String, 0, 0, kSchemaChecks},
    {"max_rows", ParamType::Int, 0, 1000000000},
}};
constexpr std::array<ParamSpec, 3> kSecurityEventParams{{
    {"aliases", ParamType::StringMap},
    {"layers", ParamType::IntMap, 1, 7},
    {"outcome_suffixes", ParamType::StringList},
}};

constexpr std::array<std::string_view, 2> kScopes{"user", "thread"};
constexpr std::array<ParamSpec, 5> kNearDuplicateParams{{
    {"scope", ParamType::String, 0, 0, kScopes},
    {"repeats", ParamType::Int, 1, 1000},
    {"similarity", ParamType::Number, 0.5, 1},
    {"min_chars", ParamType::Int, 0, 10000},
    {"window_s", ParamType::Int, 1, 7 * 86400},
}};
constexpr std::array<ParamSpec, 3> kBurstParams{{
    {"scope", ParamType::String, 0, 0, kScopes},
    {"max_queries", ParamType::Int, 1, 1000000},
    {"window_s", ParamType::Int, 1, 7 * 86400},
}};
constexpr std::array<ParamSpec, 5> kProbingParams{{
    {"scope", ParamType::String, 0, 0, kScopes},
    {"probes", ParamType::Int, 1, 1000},
    {"window_s", ParamType::Int, 1, 7 * 86400},
    {"phrases", ParamType::StringList},
    {"signal_rules", ParamType::StringList},
}};

constexpr std::array<KindSpec, 27> kKinds{{
    {"phrase", true, {}},
    {"regex", true, kRegexParams},
    {"token", true, kTokenParams},
    {"jwt", true, {}},
    {"pem", true, kPemParams},
    {"assignment", true, kAssignmentParams},
    {"basic_auth", true, kCaselessOnly},
    {"connection_string", true, kConnectionParams},
    {"encoded", false, kEncodedParams},
    {"hidden_text", false, kHiddenTextParams},
    {"email", false, kEmailParams},
    {"phone", false, kPhoneParams},
    {"ssn", false, kSsnParams},
    {"credit_card", false, kCardParams},
    {"iban", false, {}},
    {"sql", false, kSqlParams},
    {"log_forged_record", false, kForgedParams},
    {"log_escape", false, {}},
    {"log_control", false, kControlParams},
    {"length", false, kLengthParams},
    {"details_length", false, kLengthParams},
    {"schema", false, kSchemaParams},
    {"security_event", false, kSecurityEventParams},
    {"classifier", false, kClassifierParams},
    {"near_duplicate", false, kNearDuplicateParams},
    {"query_burst", false, kBurstParams},
    {"prompt_probing", false, kProbingParams},
}};

} // namespace

bool isSessionKind(std::string_view kind)
{
    return kind == "near_duplicate" || kind == "query_burst" || kind == "prompt_probing";
}

namespace {

const KindSpec* findKind(std::string_view kind)
{
    for (const KindSpec& k : kKinds)
        if (k.kind == kind)
            return &k;
    return nullptr;
}

std::string kindList()
{
    std::string out;
    for (const KindSpec& k : kKinds) {
        if (!out.empty())
            out += '|';
        out += k.kind;
    }
    return out;
}

std::string joinChoices(std::span<const std::string_view> choices)
{
    std::string out;
    for (std::string_view c : choices) {
        if (!out.empty())
            out += '|';
        out += c;
    }
    return out;
}

bool validRuleId(std::string_view id)
{
    // Dotted lowercase words: `pii.email`, `injection.prompt_disclosure`.
    if (id.empty() || id.size() > 100 || id.front() == '.' || id.back() == '.')
        return false;
    bool dot = false;
    char prev = 0;
    for (char c : id) {
        if (c == '.') {
            if (prev == '.')
                return false;
            dot = true;
        } else if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-')) {
            return false;
        }
        prev = c;
    }
    return dot;
}

bool validCategory(std::string_view c)
{
    if (c.empty() || c.size() > 64)
        return false;
    return std::all_of(c.begin(), c.end(),
                       [](char ch) { return (ch >= 'a' && ch <= 'z') || ch == '_'; });
}

/// Builds `source: $.path: message` errors.
class Loader
{
public:
    explicit Loader(std::string_view source) : m_source(source) {}

    std::unexpected<Error> error(const std::string& path, const std::string& what) const
    {
        return fail("rules.invalid", m_source + ": " + path + ": " + what);
    }

    Result<std::vector<std::string>> stringList(const json& v, const std::string& path,
                                                bool allowEmpty = true) const
    {
        if (!v.is_array())
            return error(path, "expected an array of strings");
        std::vector<std::string> out;
        for (std::size_t i = 0; i < v.size(); ++i) {
            if (!v[i].is_string())
                return error(path + "[" + std::to_string(i) + "]", "expected a string");
            out.push_back(v[i].get<std::string>());
            if (!allowEmpty && out.back().empty())
                return error(path + "[" + std::to_string(i) + "]", "must not be empty");
        }
        return out;
    }

    Result<void> checkParams(const KindSpec& kind, const json& params,
                             const std::string& path) const
    {
        if (!params.is_object())
            return error(path, "expected an object");
        for (auto it = params.begin(); it != params.end(); ++it) {
            const std::string p = path + "." + it.key();
            const auto spec = std::find_if(kind.params.begin(), kind.params.end(),
                                           [&](const ParamSpec& s) { return s.name == it.key(); });
            if (spec == kind.params.end()) {
                std::string known;
                for (const ParamSpec& s : kind.params)
                    known += (known.empty() ? "" : ", ") + std::string(s.name);
                return error(p, "unknown parameter for kind " + std::string(kind.kind) +
                                    (known.empty() ? " (it takes none)" : " (known: " + known + ")"));
            }
            if (auto r = checkParam(*spec, *it, p); !r)
                return r;
        }
        return {};
    }

private:
    Result<void> checkParam(const ParamSpec& spec, const json& v, const std::string& p) const
    {
        switch (spec.type) {
        case ParamType::Bool:
            if (!v.is_boolean())
                return error(p, "expected true or false");
            return {};
        case ParamType::Int:
            if (!v.is_number_integer() || v.get<double>() < spec.lo || v.get<double>() > spec.hi)
                return error(p, "expected an integer from " + std::to_string(int(spec.lo)) +
                                    " to " + std::to_string(long(spec.hi)));
            return {};
        case ParamType::Number:
            if (!v.is_number() || v.get<double>() < spec.lo || v.get<double>() > spec.hi)
                return error(p, "expected a number from " + std::to_string(int(spec.lo)) +
                                    " to " + std::to_string(int(spec.hi)));
            return {};
        case ParamType::String:
            if (!v.is_string())
                return error(p, "expected a string");
            if (!spec.choices.empty() &&
                std::find(spec.choices.begin(), spec.choices.end(), v.get<std::string>()) ==
                    spec.choices.end())
                return error(p, "expected one of " + joinChoices(spec.choices));
            return {};
        case ParamType::StringList: {
            auto list = stringList(v, p, false);
            if (!list)
                return std::unexpected(list.error());
            if (!spec.choices.empty())
                for (std::size_t i = 0; i < list->size(); ++i)
                    if (std::find(spec.choices.begin(), spec.choices.end(), (*list)[i]) ==
                        spec.choices.end())
                        return error(p + "[" + std::to_string(i) + "]",
                                     "expected one of " + joinChoices(spec.choices));
            return {};
        }
        case ParamType::RegionList: {
            auto list = stringList(v, p, false);
            if (!list)
                return std::unexpected(list.error());
            for (std::size_t i = 0; i < list->size(); ++i)
                if (!scan::PhonePlan::supportedRegion((*list)[i]))
                    return error(p + "[" + std::to_string(i) + "]",
                                 "unknown region code " + (*list)[i] +
                                     " (expected an upper-case CLDR code such as US or GB)");
            return {};
        }
        case ParamType::StringMap:
        case ParamType::IntMap:
            if (!v.is_object())
                return error(p, "expected an object");
            for (auto it = v.begin(); it != v.end(); ++it) {
                const std::string q = p + "." + it.key();
                if (spec.type == ParamType::StringMap && !it->is_string())
                    return error(q, "expected a string");
                if (spec.type == ParamType::IntMap &&
                    (!it->is_number_integer() || it->get<double>() < spec.lo ||
                     it->get<double>() > spec.hi))
                    return error(q, "expected an integer from " + std::to_string(int(spec.lo)) +
                                        " to " + std::to_string(int(spec.hi)));
            }
            return {};
        }
        return {};
    }

    std::string m_source;
};

constexpr std::array<std::string_view, 13> kRuleKeys{
    "id",       "category", "layer",       "severity", "kind",    "fields",      "exclude_fields",
    "event_types", "message", "description", "enabled", "patterns", "params"};

/// Applies the keys present in `obj` to `rule` (a new rule starts default-constructed).
Result<void> applyRule(const Loader& L, const json& obj, const std::string& path, RuleInfo& rule)
{
    for (auto it = obj.begin(); it != obj.end(); ++it)
        if (std::find(kRuleKeys.begin(), kRuleKeys.end(), it.key()) == kRuleKeys.end())
            return L.error(path + "." + it.key(), "unknown key");

    auto str = [&](const char* key, std::string& out) -> Result<void> {
        if (!obj.contains(key))
            return {};
        if (!obj[key].is_string())
            return L.error(path + "." + key, "expected a string");
        out = obj[key].get<std::string>();
        return {};
    };
    auto list = [&](const char* key, std::vector<std::string>& out) -> Result<void> {
        if (!obj.contains(key))
            return {};
        auto v = L.stringList(obj[key], path + "." + key, false);
        if (!v)
            return std::unexpected(v.error());
        out = std::move(*v);
        return {};
    };

    if (auto r = str("category", rule.category); !r)
        return r;
    if (obj.contains("category") && !validCategory(rule.category))
        return L.error(path + ".category", "expected lowercase letters and underscores");
    if (obj.contains("layer")) {
        const json& v = obj["layer"];
        if (!v.is_number_integer() || v.get<long>() < 1 || v.get<long>() > 7)
            return L.error(path + ".layer", "expected an integer from 1 to 7 (MAESTRO layer)");
        rule.layer = v.get<int>();
    }
    if (obj.contains("severity")) {
        const json& v = obj["severity"];
        const auto s = v.is_string() ? findingSeverityFromString(v.get<std::string>())
                                     : std::nullopt;
        if (!s)
            return L.error(path + ".severity", "expected one of low|medium|high|critical");
        rule.severity = *s;
    }
    if (auto r = str("kind", rule.kind); !r)
        return r;
    if (obj.contains("kind") && !findKind(rule.kind))
        return L.error(path + ".kind", "expected one of " + kindList());
    if (auto r = list("fields", rule.fields); !r)
        return r;
    if (obj.contains("fields") && rule.fields.empty())
        return L.error(path + ".fields", "must list at least one field glob (\"*\" for all)");
    if (auto r = list("exclude_fields", rule.excludeFields); !r)
        return r;
    if (auto r = list("event_types", rule.eventTypes); !r)
        return r;
    if (auto r = str("message", rule.message); !r)
        return r;
    if (auto r = str("description", rule.description); !r)
        return r;
    if (obj.contains("enabled")) {
        if (!obj["enabled"].is_boolean())
            return L.error(path + ".enabled", "expected true or false");
        rule.enabled = obj["enabled"].get<bool>();
    }
    if (auto r = list("patterns", rule.patterns); !r)
        return r;
    if (obj.contains("params")) {
        if (!obj["params"].is_object())
            return L.error(path + ".params", "expected an object");
        json merged = json::parse(rule.paramsJson);
        merged.update(obj["params"]);
        rule.paramsJson = merged.dump();
    }
    return {};
}

/// Checks what a complete rule needs, after a patch or for a new rule.
Result<void> checkComplete(const Loader& L, const RuleInfo& rule, const std::string& path)
{
    if (rule.category.empty())
        return L.error(path + ".category", "missing (required for a new rule)");
    if (rule.layer == 0)
        return L.error(path + ".layer", "missing (required for a new rule)");
    if (rule.kind.empty())
        return L.error(path + ".kind", "missing (required for a new rule)");
    if (rule.message.empty())
        return L.error(path + ".message", "missing (required for a new rule)");
    const KindSpec* kind = findKind(rule.kind);
    if (kind->needsPatterns && rule.patterns.empty())
        return L.error(path + ".patterns", "kind " + rule.kind + " needs at least one pattern");
    if (!kind->needsPatterns && !rule.patterns.empty())
        return L.error(path + ".patterns", "kind " + rule.kind + " takes no patterns");
    return L.checkParams(*kind, json::parse(rule.paramsJson), path + ".params");
}

std::optional<char32_t> parseCodePoint(std::string_view s)
{
    if (s.starts_with("U+") || s.starts_with("u+"))
        s.remove_prefix(2);
    unsigned v = 0;
    const auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v, 16);
    if (ec != std::errc() || p != s.data() + s.size() || s.empty() || v > 0x10FFFF ||
        (v >= 0xD800 && v <= 0xDFFF) || v < 0x80)
        return std::nullopt;
    return char32_t(v);
}

bool asciiLowerWord(std::string_view s)
{
    return !s.empty() && s.size() <= 8 &&
           std::all_of(s.begin(), s.end(),
                       [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); });
}

Result<void> loadConfusables(const Loader& L, const json& doc,
                             std::map<char32_t, std::string>& table)
{
    if (doc.contains("confusables")) {
        const json& c = doc["confusables"];
        if (!c.is_object())
            return L.error("$.confusables", "expected an object of target -> [code points]");
        for (auto it = c.begin(); it != c.end(); ++it) {
            const std::string p = "$.confusables." + it.key();
            if (!asciiLowerWord(it.key()))
                return L.error(p, "target must be 1 to 8 lowercase ASCII letters or digits");
            auto cps = L.stringList(*it, p, false);
            if (!cps)
                return std::unexpected(cps.error());
            for (std::size_t i = 0; i < cps->size(); ++i) {
                const auto cp = parseCodePoint((*cps)[i]);
                if (!cp)
                    return L.error(p + "[" + std::to_string(i) + "]",
                                   "expected a non-ASCII code point in hex, e.g. \"0430\"");
                table[*cp] = it.key();
            }
        }
    }
    if (doc.contains("confusable_ranges")) {
        const json& r = doc["confusable_ranges"];
        if (!r.is_array())
            return L.error("$.confusable_ranges", "expected an array");
        for (std::size_t i = 0; i < r.size(); ++i) {
            const std::string p = "$.confusable_ranges[" + std::to_string(i) + "]";
            const json& e = r[i];
            if (!e.is_object() || !e.contains("from") || !e.contains("to") ||
                !e.contains("target") || !e["from"].is_string() || !e["to"].is_string() ||
                !e["target"].is_string())
                return L.error(p, "expected {\"from\": hex, \"to\": hex, \"target\": letter}");
            const auto from = parseCodePoint(e["from"].get<std::string>());
            const auto to = parseCodePoint(e["to"].get<std::string>());
            const std::string target = e["target"].get<std::string>();
            if (!from || !to || *to < *from || *to - *from > 25)
                return L.error(p, "from/to must be hex code points at most 26 apart");
            if (target.size() != 1 || target[0] < 'a' || target[0] + (*to - *from) > 'z')
                return L.error(p + ".target", "expected one lowercase letter that the range "
                                              "maps onto consecutively within a..z");
            for (char32_t c = *from; c <= *to; ++c)
                table[c] = std::string(1, char(target[0] + (c - *from)));
        }
    }
    return {};
}

Result<void> loadAllowlist(const Loader& L, const json& doc, SecretAllowlist& out)
{
    if (!doc.contains("allowlist"))
        return {};
    const json& a = doc["allowlist"];
    if (!a.is_object())
        return L.error("$.allowlist", "expected an object");
    static constexpr std::array<std::string_view, 6> kKeys{
        "description", "stopwords", "values", "patterns", "repeat_run", "ascending_run"};
    for (auto it = a.begin(); it != a.end(); ++it)
        if (std::find(kKeys.begin(), kKeys.end(), it.key()) == kKeys.end())
            return L.error("$.allowlist." + it.key(), "unknown key");
    auto list = [&](const char* key, std::vector<std::string>& into, bool lower) -> Result<void> {
        if (!a.contains(key))
            return {};
        auto v = L.stringList(a[key], std::string("$.allowlist.") + key, false);
        if (!v)
            return std::unexpected(v.error());
        for (std::string s : *v) {
            if (lower)
                for (char& c : s)
                    c = (c >= 'A' && c <= 'Z') ? char(c + 32) : c;
            if (std::find(into.begin(), into.end(), s) == into.end())
                into.push_back(std::move(s));
        }
        return {};
    };
    if (auto r = list("stopwords", out.stopwords, true); !r)
        return r;
    if (auto r = list("values", out.values, false); !r)
        return r;
    if (auto r = list("patterns", out.patterns, false); !r)
        return r;
    for (const char* key : {"repeat_run", "ascending_run"}) {
        if (!a.contains(key))
            continue;
        const json& v = a[key];
        if (!v.is_number_integer() || v.get<long>() < 0 || v.get<long>() > 64)
            return L.error(std::string("$.allowlist.") + key,
                           "expected an integer from 0 to 64 (0: no check)");
        (std::string_view(key) == "repeat_run" ? out.repeatRun : out.ascendingRun) =
            v.get<std::size_t>();
    }
    if (a.contains("description")) {
        if (!a["description"].is_string())
            return L.error("$.allowlist.description", "expected a string");
        out.descriptions.push_back(a["description"].get<std::string>());
    }
    return {};
}

} // namespace

Result<RulePack> RulePack::builtin()
{
    RulePack pack;
    for (std::string_view path : embeddedResourcePaths("rules/")) {
        if (!path.ends_with(".json"))
            continue;
        const auto text = embeddedResource(path);
        if (auto r = pack.merge(*text, path); !r)
            return std::unexpected(r.error());
    }
    if (pack.m_rules.empty())
        return fail("rules.missing", "no rule packs are embedded (resources/rules/*.json)");
    return pack;
}

const RuleInfo* RulePack::rule(std::string_view id) const
{
    for (const RuleInfo& r : m_rules)
        if (r.id == id)
            return &r;
    return nullptr;
}

Result<void> RulePack::merge(std::string_view text, std::string_view sourceName)
{
    const Loader L(sourceName);
    if (auto ok = checkJsonLimits(text, sourceName, "rules.invalid", {kMaxPackBytes, kMaxDepth});
        !ok)
        return ok;
    json doc = json::parse(text, nullptr, false);
    if (doc.is_discarded())
        return fail("rules.invalid", std::string(sourceName) + ": not valid JSON");
    if (!doc.is_object())
        return L.error("$", "expected an object with \"rules\" and/or \"confusables\"");
    static constexpr std::array<std::string_view, 7> kTopKeys{
        "pack",        "description",       "version", "rules",
        "confusables", "confusable_ranges", "allowlist"};
    for (auto it = doc.begin(); it != doc.end(); ++it)
        if (std::find(kTopKeys.begin(), kTopKeys.end(), it.key()) == kTopKeys.end())
            return L.error("$." + it.key(), "unknown key");

    std::vector<RuleInfo> rules = m_rules;
    std::map<char32_t, std::string> confusables = m_confusables;
    if (auto r = loadConfusables(L, doc, confusables); !r)
        return r;
    SecretAllowlist allowlist = m_allowlist;
    if (auto r = loadAllowlist(L, doc, allowlist); !r)
        return r;

    if (doc.contains("rules")) {
        const json& list = doc["rules"];
        if (!list.is_array())
            return L.error("$.rules", "expected an array");
        for (std::size_t i = 0; i < list.size(); ++i) {
            const std::string path = "$.rules[" + std::to_string(i) + "]";
            const json& obj = list[i];
            if (!obj.is_object())
                return L.error(path, "expected an object");
            if (!obj.contains("id") || !obj["id"].is_string())
                return L.error(path + ".id", "missing or not a string");
            const std::string id = obj["id"].get<std::string>();
            if (!validRuleId(id))
                return L.error(path + ".id", "expected a dotted lowercase id like pii.email");
            auto existing = std::find_if(rules.begin(), rules.end(),
                                         [&](const RuleInfo& r) { return r.id == id; });
            RuleInfo rule = existing != rules.end() ? *existing : RuleInfo{};
            rule.id = id;
            if (auto r = applyRule(L, obj, path, rule); !r)
                return r;
            if (auto r = checkComplete(L, rule, path); !r)
                return r;
            rule.source = std::string(sourceName) + ": " + path;
            if (existing != rules.end())
                *existing = std::move(rule);
            else
                rules.push_back(std::move(rule));
        }
    }
    m_rules = std::move(rules);
    m_confusables = std::move(confusables);
    m_allowlist = std::move(allowlist);
    return {};
}

} // namespace vigil
