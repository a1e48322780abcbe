// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "scan/textnormalizer.h"

#include <string>
#include <string_view>
#include <vector>

namespace vigil::scan {

/// One run of encoded text found in a view, with its decoded bytes.
struct EncodedRun
{
    std::size_t begin = 0; ///< byte offsets in the searched text
    std::size_t end = 0;
    std::string decoded;
    const char* encoding = ""; ///< "base64" or "hex"
};

/// Finders and decoders for payloads hidden from phrase matching. Pure functions.
class PayloadDecoder
{
public:
    /// Runs of base64 / base64url of at least `minLen` characters whose decoding looks like
    /// text (see looksLikeText).
    static void findBase64(std::string_view text, std::size_t minLen, double minPrintable,
                           std::vector<EncodedRun>& out);

    /// Runs of hex digits (plain, `0x`-prefixed, or byte pairs separated by one space, `:`
    /// or `-`) of at least `minLen` digits whose decoding looks like text.
    static void findHex(std::string_view text, std::size_t minLen, double minPrintable,
                        std::vector<EncodedRun>& out);

    /// Decodes escapes in place of their text: `%41` (and `+` as space once any `%XX` is
    /// present), `\x41`, `\u0041`, `&#65;`, `&#x41;` and the common named HTML entities.
    /// `out.src` maps each decoded byte to the original code point of its escape. Returns
    /// the number of escapes decoded (0: `out` is unspecified).
    static int unescape(TextRef in, MappedText& out);

    /// True when `bytes` is valid UTF-8 text: at least `minPrintable` of its code points
    /// printable, and at least four letters.
    static bool looksLikeText(std::string_view bytes, double minPrintable);

    /// Standard or URL-safe base64 (padding optional); nullopt-like false on bad input.
    static bool decodeBase64(std::string_view in, std::string& out);
};

} // namespace vigil::scan
