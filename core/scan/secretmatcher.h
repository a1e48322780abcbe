// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace vigil::scan {

/// Byte span [first, second) in the searched view.
using ByteSpan = std::pair<std::size_t, std::size_t>;

/// Gates for a provider token (`sk-...`, `AKIA...`, `ghp_...`): the body after the longest
/// matching prefix must be long, mixed (letter/digit classes) and random-looking enough.
struct TokenGate
{
    double minEntropy = 3.0;
    std::size_t minLength = 16;
    int minClasses = 1;
    std::size_t minSegment = 0; ///< longest run between '-' / '_' (0: no check): slugs fail
    std::vector<std::string> prefixes;
    std::vector<std::string> excludePrefixes;
};

/// Gates for a generic `key = value` assignment; the span reported is the value's.
struct AssignmentGate
{
    std::size_t minLength = 8;
    std::size_t maxLength = 256;
    double minEntropy = 3.0;
    int minClasses = 2;
};

/// Validators for secret candidates that Hyperscan found. Each takes the candidate's byte
/// span in `text` and returns the span to report, or nullopt when the candidate is a
/// placeholder, an ordinary word, or fails its format's checks. Pure.
class SecretMatcher
{
public:
    static std::optional<ByteSpan> token(std::string_view text, std::size_t b, std::size_t e,
                                         const TokenGate& gate);
    /// header.payload.signature where the header decodes to a JSON object with "alg".
    static std::optional<ByteSpan> jwt(std::string_view text, std::size_t b, std::size_t e);
    /// `-----BEGIN ... PRIVATE KEY-----` followed by a real key body (>= `minBody` base64
    /// characters), through the END line when present.
    static std::optional<ByteSpan> pem(std::string_view text, std::size_t b, std::size_t e,
                                       std::size_t minBody);
    /// The value after a `password=` / `api_key:` style match ending at `e`. Values that are
    /// code (`os.environ[...]`, `get_secret(...)`) or templates (`${X}`, `<key>`) do not count.
    static std::optional<ByteSpan> assignment(std::string_view text, std::size_t e,
                                              const AssignmentGate& gate);
    /// `Basic <base64 of user:password>`.
    static std::optional<ByteSpan> basicAuth(std::string_view text, std::size_t b, std::size_t e);
    /// The password of `scheme://user:password@host`.
    static std::optional<ByteSpan> urlCredentials(std::string_view text, std::size_t b,
                                                  std::size_t e);
};

} // namespace vigil::scan
