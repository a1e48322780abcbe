// SPDX-License-Identifier: Apache-2.0
#include "scan/phoneplan.h"

#include "scan/utf8.h"

#include <phonenumbers/phonenumber.pb.h>
#include <phonenumbers/phonenumberutil.h>

#include <algorithm>
#include <cstdint>
#include <set>

namespace vigil::scan {
namespace {

using i18n::phonenumbers::PhoneNumber;
using i18n::phonenumbers::PhoneNumberUtil;

const PhoneNumberUtil& util()
{
    return *PhoneNumberUtil::GetInstance();
}

/// Digits of `formatted` and the digit offsets where a non-digit run separates two digits.
void digitsAndBreaks(std::string_view formatted, std::string& digits,
                     std::vector<std::size_t>& breaks)
{
    bool gap = false;
    for (char c : formatted) {
        if (isAsciiDigit(c)) {
            if (gap && !digits.empty())
                breaks.push_back(digits.size());
            gap = false;
            digits += c;
        } else {
            gap = true;
        }
    }
}

/// Behind a trunk prefix: `written` starts with the national format's first group (trunk
/// prefix and area code) and then either merges its groups (`010-12345678` for
/// `010 1234 5678`) or splits only its last group further (`07700 063 966` for
/// `07700 063966`). So `0532 0130 00` is neither French (`05 32 01 30 00`) nor Japanese
/// (`0532-01-3000`).
bool groupedLike(std::span<const std::size_t> written, const std::vector<std::size_t>& nat)
{
    auto in = [](std::span<const std::size_t> set, std::size_t v) {
        return std::find(set.begin(), set.end(), v) != set.end();
    };
    if (nat.empty() || written.front() != nat.front())
        return false;
    if (std::all_of(written.begin(), written.end(), [&](std::size_t b) { return in(nat, b); }))
        return true;
    return std::all_of(nat.begin(), nat.end(), [&](std::size_t b) { return in(written, b); }) &&
           std::all_of(written.begin(), written.end(),
                       [&](std::size_t b) { return in(nat, b) || b > nat.back(); });
}

bool mobile(PhoneNumberUtil::PhoneNumberType t)
{
    return t == PhoneNumberUtil::MOBILE || t == PhoneNumberUtil::FIXED_LINE_OR_MOBILE;
}

} // namespace

PhonePlan::PhonePlan(const std::vector<std::string>& regions, International check)
    : m_check(check)
{
    for (const std::string& r : regions) {
        if (!supportedRegion(r))
            continue;
        std::string trunk;
        util().GetNddPrefixForRegion(r, true, &trunk);
        m_regions.push_back(r);
        m_trunk.push_back(trunk);
        m_countryCode.push_back(util().GetCountryCodeForRegion(r));
    }
}

bool PhonePlan::supportedRegion(std::string_view region)
{
    std::set<std::string> regions;
    util().GetSupportedRegions(&regions);
    return regions.contains(std::string(region));
}

bool PhonePlan::international(std::string_view written) const
{
    PhoneNumber n;
    if (util().Parse(std::string(written), "ZZ", &n) != PhoneNumberUtil::NO_PARSING_ERROR)
        return false;
    if (m_check == International::Valid)
        return util().IsValidNumber(n);
    return util().IsPossibleNumberWithReason(n) == PhoneNumberUtil::IS_POSSIBLE;
}

bool PhonePlan::national(std::string_view digits, std::span<const std::size_t> breaks) const
{
    std::string formatted, natDigits;
    std::vector<std::size_t> natBreaks;
    for (std::size_t i = 0; i < m_regions.size(); ++i) {
        const std::string& region = m_regions[i];
        const bool trunk = !m_trunk[i].empty() && digits.starts_with(m_trunk[i]);
        // The national significant number is what follows the trunk prefix. Building the
        // number directly costs a third of PhoneNumberUtil::Parse, which runs a dozen
        // regular expressions per call; the national format compared below catches the
        // regions that dial differently.
        const std::string_view nsn = trunk ? digits.substr(m_trunk[i].size()) : digits;
        if (nsn.empty() || nsn.size() > 17)
            continue;
        PhoneNumber n;
        n.set_country_code(m_countryCode[i]);
        std::uint64_t value = 0;
        for (char c : nsn)
            value = value * 10 + std::uint64_t(c - '0');
        n.set_national_number(value);
        if (nsn[0] == '0') { // part of the number where no trunk prefix is dialled (Italy)
            n.set_italian_leading_zero(true);
            n.set_number_of_leading_zeros(
                int(std::min(nsn.find_first_not_of('0'), nsn.size() - 1)));
        }
        if (!util().IsValidNumberForRegion(n, region))
            continue;
        formatted.clear();
        natDigits.clear();
        natBreaks.clear();
        util().Format(n, PhoneNumberUtil::NATIONAL, &formatted);
        digitsAndBreaks(formatted, natDigits, natBreaks);
        if (natDigits != digits)
            continue; // e.g. a German number written without its leading 0
        if (breaks.empty()) {
            if (mobile(util().GetNumberType(n)) && (trunk || digits.size() >= 11))
                return true;
        } else if (trunk) {
            if (groupedLike(breaks, natBreaks))
                return true;
        } else if (std::equal(breaks.begin(), breaks.end(), natBreaks.begin(), natBreaks.end())) {
            return true;
        }
    }
    return false;
}

} // namespace vigil::scan
