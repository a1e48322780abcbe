// SPDX-License-Identifier: Apache-2.0
// Mute rule files (core/store/suppression: suppressionsFromJson, the file `vigil-cli scan
// --mute` reads) and the glob of their patterns: any bytes give rules or a `mute.*` refusal,
// never a crash; every rule read passes validateSuppression and reads back the same from the
// JSON `vigil-cli mute list --format json` would print for it; and the glob, on the rule's
// own pattern against arbitrary text, terminates, matches the text escaped as a pattern of
// itself and is matched by `*`.
//
// Input: the rule file, as is. Each rule's pattern is also matched against the whole input.

// Links: vigil_store

#include "fuzzsupport.h"

#include "store/suppression.h"

namespace {

using vigil::fuzz::check;

std::string escaped(std::string_view text)
{
    std::string out;
    for (const char c : text) {
        if (c == '*' || c == '?' || c == '\\')
            out.push_back('\\');
        out.push_back(c);
    }
    return out;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    auto rules = vigil::suppressionsFromJson(text);
    if (!rules) {
        check(rules.error().code.starts_with("mute."), "a refusal has a mute.* code", rules.error().code);
        check(!rules.error().message.empty(), "a refusal says why");
        return 0;
    }
    for (const vigil::SuppressionRule& r : *rules) {
        check(vigil::validateSuppression(r, r.matchesEverything()).has_value(), "a rule read is valid", r.reason);
        auto back = vigil::suppressionsFromJson(vigil::suppressionsToJson({r}, 0));
        check(back.has_value() && back->size() == 1, "a rule reads back from its own JSON",
              back ? std::string() : back.error().message);
        const vigil::SuppressionRule& b = back->front();
        check(b.rule == r.rule && b.agent == r.agent && b.field == r.field && b.pattern == r.pattern &&
                  b.reason == r.reason && b.author == r.author && b.expiresMs == r.expiresMs,
              "a rule reads back the same");
        (void)vigil::globMatch(r.pattern, text);
    }
    // The glob on arbitrary text (the input cut at its first NUL into pattern and text).
    const auto cut = text.find('\0');
    const std::string_view pattern = text.substr(0, std::min(cut, vigil::kMaxMutePatternBytes));
    const std::string_view subject = cut == std::string_view::npos ? text : text.substr(cut + 1);
    (void)vigil::globMatch(pattern, subject);
    check(vigil::globMatch("*", subject), "* matches any text");
    check(vigil::globMatch(escaped(subject), subject), "a text escaped as a pattern matches itself");
    return 0;
}
