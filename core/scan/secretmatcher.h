// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "scan/patternset.h"

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace vigil::scan {

/// Byte span [first, second) in the searched view.
using ByteSpan = std::pair<std::size_t, std::size_t>;

/// The compiled secret allowlist (RulePack::secretAllowlist()): documented placeholders and
/// example keys that no secret rule reports. Immutable after compile(); allows() is
/// thread-safe given one Hyperscan scratch per thread that was grown for `patterns()`.
class SecretAllowlistMatcher
{
public:
    struct Entries
    {
        std::vector<std::string> stopwords; ///< lowercase substrings
        std::vector<std::string> values;    ///< exact values
        std::size_t repeatRun = 0;          ///< 0: off
        std::size_t ascendingRun = 0;       ///< 0: off
    };

    /// Compiles `patterns` (caseless, each matched against the value alone). On failure the
    /// error's index names the pattern.
    static std::expected<SecretAllowlistMatcher, PatternSet::CompileError>
    compile(Entries entries, const std::vector<std::string>& patterns);

    SecretAllowlistMatcher() = default;

    /// True when `value` is a placeholder or documented example: it holds a stopword, is one
    /// of the values, matches a pattern, or (when `structural`) has a run of one character or
    /// an ascending run. PEM bodies skip the structural checks (`AAAAA` is common there).
    bool allows(std::string_view value, hs_scratch* scratch, bool structural = true) const;

    /// True when `value` is exactly one of the listed values.
    bool isValue(std::string_view value) const;

    const PatternSet& patterns() const { return m_patterns; }

private:
    Entries m_entries;
    PatternSet m_patterns;
};

/// The allowlist and the thread's scratch, as the validators below receive them.
struct AllowCheck
{
    const SecretAllowlistMatcher* list = nullptr;
    hs_scratch* scratch = nullptr;

    bool allows(std::string_view value, bool structural = true) const
    {
        return list && list->allows(value, scratch, structural);
    }
    bool isValue(std::string_view value) const { return list && list->isValue(value); }
};

/// Gates for a provider token (`sk-...`, `AKIA...`, `ghp_...`): the body after the longest
/// matching prefix must be long, mixed (letter/digit classes) and random-looking enough.
struct TokenGate
{
    double minEntropy = 3.0;
    std::size_t minLength = 16;
    int minClasses = 1;
    std::size_t minSegment = 0; ///< longest run between '-' / '_' (0: no check): slugs fail
    /// Longest body (0: no limit): a fixed-size key inside a longer run is not one.
    std::size_t maxLength = 0;
    /// The token runs on over `+`, `/` and `=` past the match (the pattern finds its head).
    bool base64 = false;
    std::vector<std::string> prefixes;
    std::vector<std::string> excludePrefixes;
    std::vector<std::string> keywords; ///< lowercase; the text must hold one (gitleaks' keywords)
};

/// Gates for a generic `key = value` assignment; the span reported is the value's.
struct AssignmentGate
{
    std::size_t minLength = 8;
    std::size_t maxLength = 256;
    double minEntropy = 3.0;
    int minClasses = 2;
    /// Identifiers that name something else (`public_key`, `secret_name`, `keyboard`):
    /// lowercase substrings, and suffixes of the identifier with `_`, `.` and `-` removed.
    std::vector<std::string> excludeKeys;
    std::vector<std::string> excludeKeySuffixes;
    std::vector<std::string> keywords; ///< lowercase; the text must hold one (empty: any text)
};

/// Gates for a connection string's inline password (URI userinfo or `Password=` pairs).
struct ConnectionGate
{
    std::size_t minLength = 3;
    std::vector<std::string> contextWords; ///< lowercase; a `key=value` form needs one in the text
};

/// Validators for secret candidates that Hyperscan found. Each takes the candidate's byte
/// span in `text` and returns the span to report, or nullopt when the candidate is a
/// placeholder the allowlist names, an ordinary word, or fails its format's checks. Pure
/// apart from the allowlist's scratch.
class SecretMatcher
{
public:
    static std::optional<ByteSpan> token(std::string_view text, std::size_t b, std::size_t e,
                                         const TokenGate& gate, const AllowCheck& allow);
    /// header.payload.signature where the header decodes to a JSON object with "alg".
    static std::optional<ByteSpan> jwt(std::string_view text, std::size_t b, std::size_t e,
                                       const AllowCheck& allow);
    /// `-----BEGIN ... PRIVATE KEY-----` followed by a real key body (>= `minBody` base64
    /// characters), through the END line when present.
    static std::optional<ByteSpan> pem(std::string_view text, std::size_t b, std::size_t e,
                                       std::size_t minBody, const AllowCheck& allow);
    /// The value after a `password=` / `api_key:` style match ending at `e`. Values that are
    /// code (`os.environ[...]`, `get_secret(...)`), templates (`${X}`, `<key>`), URLs, paths
    /// or bare words (letters and `_.-` only) do not count.
    static std::optional<ByteSpan> assignment(std::string_view text, std::size_t b, std::size_t e,
                                              const AssignmentGate& gate, const AllowCheck& allow);
    /// `Basic <base64 of user:password>`.
    static std::optional<ByteSpan> basicAuth(std::string_view text, std::size_t b, std::size_t e,
                                             const AllowCheck& allow);
    /// The inline password of a connection string: `scheme://user:password@host` (the match
    /// ends at `@`), the value after a `password=` / `pwd=` match ending at `e` in
    /// `key=value;` form (JDBC, ADO.NET, libpq), or the password of `curl -u user:password`;
    /// the last two need one of the gate's context words (`server=`, `jdbc:`, `curl`, ...) in
    /// the text. Empty values and placeholders do not count.
    static std::optional<ByteSpan> connectionString(std::string_view text, std::size_t b,
                                                    std::size_t e, const ConnectionGate& gate,
                                                    const AllowCheck& allow);
};

} // namespace vigil::scan
