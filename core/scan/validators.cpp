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

bool cardIssuerValid(std::string_view d)
{
    if (!allDigits(d))
        return false;
    const std::size_t n = d.size();
    if (n < 12 || n > 19)
        return false;
    // All one digit (0000..., 4444...) is filler, not a card.
    if (d.find_first_not_of(d[0]) == std::string_view::npos)
        return false;
    const int p2 = num(d, 2);
    const int p3 = num(d, 3);
    const int p4 = num(d, 4);
    const int p6 = num(d, 6);
    switch (d[0]) {
    case '4': // Visa
        return n == 13 || n == 16 || n == 19;
    case '5':
        if (p2 >= 51 && p2 <= 55) // Mastercard
            return n == 16;
        return n >= 12; // Maestro 50, 56-59
    case '2': // Mastercard 2-series
        return p4 >= 2221 && p4 <= 2720 && n == 16;
    case '3':
        if (p2 == 34 || p2 == 37) // Amex
            return n == 15;
        if ((p3 >= 300 && p3 <= 305) || p2 == 36 || p2 == 38 || p2 == 39) // Diners
            return n >= 14;
        if (p4 >= 3528 && p4 <= 3589) // JCB
            return n >= 16;
        return false;
    case '6':
        if (p4 == 6011 || (p3 >= 644 && p3 <= 649) || p2 == 65 ||
            (p6 >= 622126 && p6 <= 622925) || p2 == 62) // Discover, UnionPay
            return n >= 16;
        return n >= 12; // Maestro and other 6-series schemes
    default:
        return false;
    }
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

int countryCodeLength(std::string_view d)
{
    if (d.empty() || !isAsciiDigit(d[0]) || d[0] == '0')
        return 0;
    if (d[0] == '1' || d[0] == '7')
        return 1;
    if (d.size() < 2)
        return 0;
    static constexpr std::array<int, 44> kTwo{20, 27, 30, 31, 32, 33, 34, 36, 39, 40, 41,
                                              43, 44, 45, 46, 47, 48, 49, 51, 52, 53, 54,
                                              55, 56, 57, 58, 60, 61, 62, 63, 64, 65, 66,
                                              81, 82, 84, 86, 90, 91, 92, 93, 94, 95, 98};
    const int two = num(d, 2);
    for (int c : kTwo)
        if (c == two)
            return 2;
    // Three-digit codes live in these zones.
    static constexpr std::array<int, 22> kThreePrefix{21, 22, 23, 24, 25, 26, 29, 35, 37, 38, 42,
                                                      50, 59, 67, 68, 69, 85, 87, 88, 96, 97, 99};
    if (d.size() < 3 || !isAsciiDigit(d[2]))
        return 0;
    for (int c : kThreePrefix)
        if (c == two)
            return 3;
    return 0;
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
