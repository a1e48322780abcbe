// SPDX-License-Identifier: Apache-2.0
#pragma once

// Shared by the libFuzzer targets (tests/fuzz/fuzz_<unit>.cpp). A target is one file that
// defines LLVMFuzzerTestOneInput and checks the unit's contract with fuzz::check(); a failed
// check prints what broke and aborts, and libFuzzer keeps the input as a crash artifact.

#include "ingest/auditevent.h"
#include "scan/finding.h"

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <source_location>
#include <string>
#include <string_view>
#include <vector>

namespace vigil::fuzz {

/// Aborts with `what` (and `detail`) unless `ok`: a broken invariant is a finding like a crash.
inline void check(bool ok, const char* what, const std::string& detail = {},
                  std::source_location at = std::source_location::current())
{
    if (ok)
        return;
    std::fprintf(stderr, "fuzz check failed at %s:%u: %s\n", at.file_name(),
                 static_cast<unsigned>(at.line()), what);
    if (!detail.empty())
        std::fprintf(stderr, "  %s\n", detail.c_str());
    std::abort();
}

/// Takes parameters off the front of the fuzzer's bytes; what is left is the payload. Reading
/// past the end yields zeros, so every input is usable.
class Input
{
public:
    Input(const std::uint8_t* data, std::size_t size)
        : m_rest(reinterpret_cast<const char*>(data), size)
    {
    }

    std::uint8_t byte()
    {
        if (m_rest.empty())
            return 0;
        const auto b = static_cast<std::uint8_t>(m_rest.front());
        m_rest.remove_prefix(1);
        return b;
    }
    /// A value in [lo, hi] from two bytes.
    std::size_t range(std::size_t lo, std::size_t hi)
    {
        const std::size_t v = (std::size_t(byte()) << 8) | byte();
        return lo + v % (hi - lo + 1);
    }
    std::string_view rest() const { return m_rest; }

private:
    std::string_view m_rest;
};

/// `text` cut at every `\n` (the newline dropped; a last piece without one kept).
inline std::vector<std::string_view> lines(std::string_view text)
{
    std::vector<std::string_view> out;
    while (!text.empty()) {
        const std::size_t nl = text.find('\n');
        out.push_back(text.substr(0, nl));
        if (nl == std::string_view::npos)
            break;
        text.remove_prefix(nl + 1);
    }
    return out;
}

/// A finding on one line, for messages (the rule and where, never matched text).
inline std::string describe(const Finding& f)
{
    return f.rule + " " + f.field + " [" + std::to_string(f.start) + ", " + std::to_string(f.end) +
           ") " + std::string(toString(f.severity)) + " layer " + std::to_string(f.layer) + ": " +
           f.message;
}

/// The findings of several events, one finding per line, each prefixed with its event.
inline std::string describe(const std::vector<std::vector<Finding>>& all)
{
    std::string out;
    for (std::size_t i = 0; i < all.size(); ++i)
        for (const Finding& f : all[i])
            out += "\n  event " + std::to_string(i) + ": " + describe(f);
    return out;
}

} // namespace vigil::fuzz
