// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace vigil::scan {

class PhonePlan;

/// What a number-shaped candidate turned out to be.
enum class NumberKind { Phone, Ssn, Card, Iban };

/// One PII match: byte offsets in the searched view.
struct PiiHit
{
    NumberKind kind = NumberKind::Phone; ///< unused for emails
    std::size_t begin = 0;
    std::size_t end = 0;
};

/// Which number detectors run and how strict they are (from the pii rules' params).
struct NumberOptions
{
    bool phone = true;
    bool phoneBareNanp = true;    ///< `5551234567` alone counts when it is a valid NANP number
    bool phoneInternational = true; ///< `+` and a country code, judged by `phonePlan`
    /// libphonenumber's plans: `+` numbers and national forms outside the NANP shapes.
    /// Without one only NANP numbers (bare, grouped, `1-` or `+1`) are found.
    const PhonePlan* phonePlan = nullptr;
    bool ssn = true;
    bool ssnSpaces = true;        ///< `123 45 6789` as well as `123-45-6789`
    bool ssnDots = true;          ///< `123.45.6789`
    std::vector<std::string> ssnContext; ///< words that make a bare 9-digit number an SSN
    std::size_t ssnContextWindow = 24;
    bool card = true;
    std::size_t cardMinDigits = 12;
    std::size_t cardMaxDigits = 19;
    /// Report IBANs (NumberKind::Iban). They are found and kept out of the other kinds
    /// either way: their digit groups look like card and phone numbers.
    bool iban = false;
};

/// Finds e-mail addresses and phone / SSN / payment-card numbers with C++ validators (no
/// regex): candidates are cut out at token boundaries, so digits that belong to longer
/// alphanumeric or dotted runs (hashes, UUIDs, IPs, versions, decimals) never count. Pure.
class PiiMatcher
{
public:
    /// `local@domain.tld` with at least two domain labels and a TLD that is alphabetic
    /// (ASCII or any script) or punycode (`xn--`). Local part and domain may hold letters,
    /// digits and marks of any script in UTF-8 (`用户@例子.广告`, `user@bücher.de`); so
    /// `@decorator` (no local part) and `admin@localhost` (no TLD) do not count. With
    /// `obfuscated`, also `name [at] domain [dot] com` forms.
    static void findEmails(std::string_view text, bool obfuscated, std::vector<PiiHit>& out);

    /// Number-shaped PII. Each digit belongs to at most one hit; IBANs are cut out first,
    /// then priority card > SSN > phone.
    static void findNumbers(std::string_view text, const NumberOptions& options,
                            std::vector<PiiHit>& out);

    /// IBANs: country code, two check digits and the BBAN, compact or in groups of four
    /// joined by single spaces, exactly as long as the country's IBAN and with a valid
    /// ISO 7064 mod-97 checksum. Case-insensitive.
    static void findIbans(std::string_view text, std::vector<PiiHit>& out);
};

} // namespace vigil::scan
