// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace vigil::iam {

/// An IAM wildcard pattern (`*` = any run of characters, `?` = exactly one), compiled once.
///
/// No regex: the pattern is split at `*` into literal segments (which may hold `?`) and
/// matched with anchored compares at both ends and a leftmost search in between, which is
/// exact for this pattern language and linear in practice. Common shapes (`*`, a literal,
/// `prefix*`, `*suffix`) take a single compare. Case folding is the caller's: for actions,
/// compile the lowercased pattern and match lowercased text (see asciiLower). Immutable after
/// construction, so one instance may be shared by any number of threads.
class GlobPattern
{
public:
    GlobPattern() = default;
    /// Compiles `pattern` as given (no case folding, no normalization).
    explicit GlobPattern(std::string_view pattern);

    /// True when `text` as a whole matches the pattern.
    bool matches(std::string_view text) const noexcept;

    /// The compiled pattern text (runs of `*` collapsed to one).
    const std::string& text() const noexcept { return m_text; }
    /// True for a pattern made only of `*` (matches everything, including "").
    bool matchesEverything() const noexcept { return m_shape == Shape::Any; }
    /// True when the pattern holds `*` or `?`.
    bool hasWildcards() const noexcept { return m_shape != Shape::Exact; }

private:
    enum class Shape : std::uint8_t { Any, Exact, Prefix, Suffix, General };
    struct Segment
    {
        std::uint32_t offset = 0;
        std::uint32_t length = 0;
        bool hasQuestion = false;
    };

    bool segmentAt(const Segment& s, std::string_view text, std::size_t pos) const noexcept;
    std::size_t findSegment(const Segment& s, std::string_view text, std::size_t from,
                            std::size_t to) const noexcept;

    std::string m_text;
    std::string m_literal; ///< Exact/Prefix/Suffix: the literal part
    std::vector<Segment> m_segments;
    Shape m_shape = Shape::Exact;
    bool m_leadingStar = false;
    bool m_trailingStar = false;
};

/// ASCII lowercase of `s` (IAM action names are ASCII; other bytes are kept).
std::string asciiLower(std::string_view s);

/// The resource part of an IAM resource, so that ARN and short forms compare equal:
/// `arn:aws:s3:::data-bucket/x` -> `data-bucket/x` (everything after the 5th colon of an
/// ARN), `s3:::data-bucket/x` or `dynamodb:us-east-1:123456789012:table/t` -> after the third
/// colon (a `service:region:account:` head with a lowercase service, a region of
/// `[a-z0-9-]*` and an account of digits or empty), anything else unchanged. An `arn:`
/// pattern with fewer than five colons that ends in `*` (e.g. `arn:aws:*`) can match any
/// ARN and becomes `*`. Returns a view into `resource` (or a static `*`).
std::string_view resourcePart(std::string_view resource) noexcept;

/// True when some string matches both patterns (exact, by dynamic programming over the two
/// patterns; meant for policy review, not for the per-event path).
bool globsIntersect(std::string_view a, std::string_view b);

/// True when every string `specific` matches is also matched by `general` (a sound,
/// conservative test: `*` in `specific` must be met by `*` in `general`, `?` by `?` or `*`).
/// May answer false for a few exotic pairs that do cover each other; never a false true.
bool globCovers(std::string_view general, std::string_view specific);

} // namespace vigil::iam
