// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstddef>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace vigil::scan {

/// Numbering-plan checks for phone-number candidates, backed by libphonenumber (the
/// metadata of every country's plan: lengths, assigned ranges, trunk prefixes, national
/// formats). Each question parses with regular expressions, so PiiMatcher asks only about
/// the few digit clusters its tokenizer has already cut out and shaped. Immutable after
/// construction; safe to share between threads (PhoneNumberUtil is a thread-safe singleton).
class PhonePlan
{
public:
    /// How strict the check of a number written with `+` and a country code is.
    enum class International
    {
        Possible, ///< a length the country's plan allows (the `+` already says "phone")
        Valid,    ///< and inside a range the plan assigns
    };

    /// `regions`: CLDR region codes ("US", "GB", ...) tried, in order, for numbers written
    /// without `+`; unknown codes are ignored (the rule pack loader rejects them first).
    PhonePlan(const std::vector<std::string>& regions, International check);

    /// True for an upper-case CLDR region code libphonenumber has a plan for.
    static bool supportedRegion(std::string_view region);

    /// `written` starts with `+` and holds digits and the separators as written (spaces,
    /// `-`, `.`, `(0)`). True when the country code is assigned and the rest passes the
    /// International check.
    bool international(std::string_view written) const;

    /// A number written without `+`. `digits`: its digits as written, trunk prefix
    /// included; `breaks`: digit offsets where the writer put a separator. True when the
    /// number is valid for one of the regions and is written the way that region writes it
    /// at home: the digits equal the region's national format (so `0` before the area code
    /// where the region dials one), and
    /// - behind a trunk prefix, the first group is the national format's (trunk prefix and
    ///   area code) and the rest merges its groups or splits only its last group further;
    /// - without one (US, Brazil, Chinese mobiles), the breaks are exactly the national
    ///   format's;
    /// - with no breaks at all, it is a mobile number, of at least 11 digits when it has no
    ///   trunk prefix (an epoch second is a valid Brazilian landline).
    bool national(std::string_view digits, std::span<const std::size_t> breaks) const;

    const std::vector<std::string>& regions() const { return m_regions; }

private:
    std::vector<std::string> m_regions;
    std::vector<std::string> m_trunk; ///< national (trunk) prefix of each region, may be empty
    std::vector<int> m_countryCode;
    International m_check;
};

} // namespace vigil::scan
