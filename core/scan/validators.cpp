// SPDX-License-Identifier: Apache-2.0
#include "scan/validators.h"

#include "scan/utf8.h"

#include <array>
#include <cmath>
#include <string>

namespace vigil::scan::validators {
namespace {

int num(std::string_view digits, std::size_t n)
{
    int v = 0;
    for (std::size_t i = 0; i < n && i < digits.size(); ++i)
        v = v * 10 + (digits[i] - '0');
    return v;
}

bool allDigits(std::string_view s)
{
    for (char c : s)
        if (!isAsciiDigit(c))
            return false;
    return !s.empty();
}

} // namespace

bool luhnValid(std::string_view digits)
{
    if (!allDigits(digits))
        return false;
    int sum = 0;
    bool dbl = false;
    for (auto it = digits.rbegin(); it != digits.rend(); ++it) {
        int d = *it - '0';
        if (dbl) {
            d *= 2;
            if (d > 9)
                d -= 9;
        }
        sum += d;
        dbl = !dbl;
    }
    return sum % 10 == 0;
}

namespace {

/// One issuer identification number (IIN) range: the first `digits` digits of the card
/// number lie in [lo, hi] and the number is `minLength` to `maxLength` digits long
/// (`lengths`, when set, lists the only lengths allowed, as bits).
struct IinRange
{
    int digits;
    int lo, hi;
    int minLength, maxLength;
    unsigned lengths = 0;
};

constexpr unsigned len(int n)
{
    return 1u << n;
}

/// Card brands by IIN range and length (ISO/IEC 7812; the brands' published tables).
/// A number counts when any row takes it.
constexpr std::array<IinRange, 20> kIin{{
    {1, 4, 4, 13, 19, len(13) | len(16) | len(19)}, // Visa (incl. Electron)
    {2, 51, 55, 16, 16},                            // Mastercard
    {4, 2221, 2720, 16, 16},                        // Mastercard 2-series
    {4, 2200, 2204, 16, 19},                        // Mir
    {2, 34, 34, 15, 15},                            // American Express
    {2, 37, 37, 15, 15},
    {3, 300, 305, 14, 19}, // Diners Club International
    {4, 3095, 3095, 14, 19},
    {2, 36, 36, 14, 19},
    {2, 38, 39, 14, 19},
    {4, 3528, 3589, 16, 19}, // JCB
    {4, 6011, 6011, 16, 19}, // Discover
    {3, 644, 649, 16, 19},
    {2, 65, 65, 16, 19},     // Discover, RuPay
    {2, 62, 62, 16, 19},     // UnionPay (incl. Discover's 622126-622925)
    {2, 81, 82, 16, 16},     // UnionPay 81, RuPay 81-82
    {2, 60, 60, 16, 16},     // RuPay
    {2, 50, 50, 12, 19},     // Maestro 50 (incl. 5018, 5020, 5038), RuPay 508, Verve
    {2, 56, 69, 12, 19},     // Maestro 56-69 (6304, 6759, 676x, ...), InterPayment 636
    {4, 9792, 9792, 16, 16}, // Troy
}};

} // namespace

bool cardIssuerValid(std::string_view d)
{
    if (!allDigits(d))
        return false;
    const int n = int(d.size());
    if (n < 12 || n > 19)
        return false;
    // All one digit (0000..., 4444...) is filler, not a card.
    if (d.find_first_not_of(d[0]) == std::string_view::npos)
        return false;
    for (const IinRange& r : kIin) {
        const int p = num(d, std::size_t(r.digits));
        if (p < r.lo || p > r.hi || n < r.minLength || n > r.maxLength)
            continue;
        if (r.lengths == 0 || (r.lengths & len(n)))
            return true;
    }
    return false;
}

bool ssnValid(std::string_view area, std::string_view group, std::string_view serial)
{
    if (area.size() != 3 || group.size() != 2 || serial.size() != 4 || !allDigits(area) ||
        !allDigits(group) || !allDigits(serial))
        return false;
    const int a = num(area, 3);
    return a != 0 && a != 666 && a < 900 && num(group, 2) != 0 && num(serial, 4) != 0;
}

bool nanpValid(std::string_view d)
{
    if (d.size() != 10 || !allDigits(d))
        return false;
    if (d[0] < '2' || d[3] < '2' || d[1] == '9')
        return false;
    if (d[1] == '1' && d[2] == '1') // N11 service codes
        return false;
    if (d[4] == '1' && d[5] == '1')
        return false;
    return d.find_first_not_of(d[0]) != std::string_view::npos;
}

double shannonEntropy(std::string_view s)
{
    if (s.empty())
        return 0;
    std::array<int, 256> counts{};
    for (char c : s)
        ++counts[static_cast<unsigned char>(c)];
    double h = 0;
    const double n = double(s.size());
    for (int c : counts)
        if (c) {
            const double p = c / n;
            h -= p * std::log2(p);
        }
    return h;
}

int charClasses(std::string_view s)
{
    bool lower = false, upper = false, digit = false, other = false;
    for (char c : s) {
        if (c >= 'a' && c <= 'z')
            lower = true;
        else if (c >= 'A' && c <= 'Z')
            upper = true;
        else if (isAsciiDigit(c))
            digit = true;
        else
            other = true;
    }
    return int(lower) + int(upper) + int(digit) + int(other);
}

int alnumClasses(std::string_view s)
{
    bool lower = false, upper = false, digit = false;
    for (char c : s) {
        lower = lower || (c >= 'a' && c <= 'z');
        upper = upper || (c >= 'A' && c <= 'Z');
        digit = digit || isAsciiDigit(c);
    }
    return int(lower) + int(upper) + int(digit);
}

} // namespace vigil::scan::validators
