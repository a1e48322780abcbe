// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "base/result.h"
#include "scan/finding.h"

#include <cstddef>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace vigil {

/// One detection rule as data (resources/rules/*.json or a user pack). `kind` names the C++
/// detector that executes it; `patterns` and `paramsJson` configure that detector. The
/// meaning of each kind and its parameters is documented in resources/rules/README.md.
struct RuleInfo
{
    std::string id;        ///< stable dotted id, e.g. `pii.email`
    std::string category;  ///< finding category, e.g. `pii`
    int layer = 0;         ///< MAESTRO layer 1..7
    FindingSeverity severity = FindingSeverity::Medium;
    std::vector<std::string> fields{"*"}; ///< path globs of the text fields read (`*`, `[*]`)
    std::string message;   ///< generic text; `{where}` is replaced by the field's role
    bool enabled = true;

    std::string kind;                       ///< detector: phrase, regex, token, email, sql, ...
    std::vector<std::string> excludeFields; ///< path globs never read
    std::vector<std::string> eventTypes;    ///< empty: every event type
    std::vector<std::string> patterns;      ///< Hyperscan expressions (pattern kinds only)
    std::string paramsJson = "{}";          ///< detector parameters, validated, minified JSON
    std::string description;                ///< why the rule exists and why this layer
    std::string source;                     ///< where it was defined: `rules/pii.json: $.rules[0]`
};

/// Kinds run over a stream of queries by QueryAnomalyTracker (scan/queryanomaly.h), not by
/// the Scanner on one event: `near_duplicate`, `query_burst`, `prompt_probing`.
bool isSessionKind(std::string_view kind);

/// Values that secret rules never report: documented placeholders and example keys. Applied
/// by the scanner to the span every `secret` rule would report (for provider tokens, to the
/// part after the prefix, so `sk_test_` is not a stopword hit). Packs add to it.
struct SecretAllowlist
{
    std::vector<std::string> stopwords; ///< lowercase; a value containing one is allowed
    std::vector<std::string> values;    ///< exact values (documented example keys)
    std::vector<std::string> patterns;  ///< Hyperscan expressions over the value alone, caseless
    std::size_t repeatRun = 0;          ///< a run of this many of one character (0: no check)
    std::size_t ascendingRun = 0;       ///< a run of this many ascending letters or digits (0: off)
    std::vector<std::string> descriptions; ///< why, one per pack that added entries
};

/// A set of rules plus the homoglyph table the injection detector folds with. Built from the
/// embedded packs, then optionally patched by user packs. Loading validates everything a
/// scanner needs except regex syntax (checked by Scanner::create); every error names the
/// source and the JSON path, e.g. `rules/pii.json: $.rules[3].severity: expected one of
/// low|medium|high|critical`. A value type; not synchronized.
class RulePack
{
public:
    /// Largest pack merge() reads (bytes), and its deepest JSON nesting.
    static constexpr std::size_t kMaxPackBytes = 16 * 1024 * 1024;
    static constexpr std::size_t kMaxDepth = 64;

    /// The packs embedded from resources/rules/*.json, merged in path order.
    static Result<RulePack> builtin();

    /// Merges one pack. A rule whose id is new is added (all required keys present); a rule
    /// whose id exists is patched key by key (`{"id": "pii.phone", "enabled": false}`
    /// disables it; `params` keys are merged). `confusables` entries are added or replaced.
    /// Refuses a pack larger than kMaxPackBytes or nested deeper than kMaxDepth before
    /// parsing it (`rules.invalid`). On error the pack is left unchanged.
    Result<void> merge(std::string_view json, std::string_view sourceName);

    const std::vector<RuleInfo>& rules() const { return m_rules; }

    /// The rule with this id, or nullptr.
    const RuleInfo* rule(std::string_view id) const;

    /// Homoglyph folding table: code point -> ASCII replacement (lowercase).
    const std::map<char32_t, std::string>& confusables() const { return m_confusables; }

    /// The merged `allowlist` of every pack (README: "Allowlist").
    const SecretAllowlist& secretAllowlist() const { return m_allowlist; }

private:
    std::vector<RuleInfo> m_rules;
    std::map<char32_t, std::string> m_confusables;
    SecretAllowlist m_allowlist;
};

} // namespace vigil
