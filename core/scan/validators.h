// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <string_view>

namespace vigil::scan {

/// Checksums and plausibility checks that turn pattern candidates into findings. Pure.
namespace validators {

/// Luhn (mod 10) over a string of ASCII digits.
bool luhnValid(std::string_view digits);

/// Issuer (IIN) range and length of a payment card number, 12 to 19 digits: Visa,
/// Mastercard incl. 2-series, Mir, Amex, Diners, JCB, Discover, UnionPay, RuPay, Maestro
/// (50, 56-69, 12 to 19 digits), Troy. `digits` are ASCII digits only.
bool cardIssuerValid(std::string_view digits);

/// US SSN rules: area not 000, 666 or 900-999; group not 00; serial not 0000.
bool ssnValid(std::string_view area, std::string_view group, std::string_view serial);

/// NANP number (10 digits, no country code): area and exchange codes start with 2-9,
/// neither is an N11 service code, and the area code's middle digit is not 9.
bool nanpValid(std::string_view tenDigits);

/// Shannon entropy in bits per byte.
double shannonEntropy(std::string_view s);

/// How many of lowercase, uppercase, digit, other-printable occur in `s` (0..4).
int charClasses(std::string_view s);

/// How many of lowercase, uppercase, digit occur in `s` (0..3); separators do not count,
/// so `learn-contrib` has one class and `3b68dd9b` two.
int alnumClasses(std::string_view s);

} // namespace validators
} // namespace vigil::scan
