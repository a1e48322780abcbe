// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "base/result.h"
#include "ingest/auditevent.h"
#include "scan/finding.h"
#include "scan/rulepack.h"

#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace vigil {

/// Per-thread mutable state of a Scanner: Hyperscan scratch space, normalization buffers
/// and a per-field rule plan cache. Create with Scanner::makeScratch(); use from one thread
/// at a time, and only with the scanner that made it.
class ScanScratch
{
public:
    ~ScanScratch();
    ScanScratch(const ScanScratch&) = delete;
    ScanScratch& operator=(const ScanScratch&) = delete;

    struct Impl;

private:
    friend class Scanner;
    ScanScratch();
    std::unique_ptr<Impl> m_impl;
};

/// The detection engine: rule patterns compiled once into Hyperscan databases, plus the C++
/// validators (Luhn, SSN, NANP, entropy, SQL tokenizer, Unicode normalization) they feed.
/// Immutable after create(); share one instance read-only across threads, each thread with
/// its own ScanScratch. scan() is a pure function of (event, compiled rules).
class Scanner
{
public:
    /// Compiles the enabled rules of `pack`. Fails when a pattern does not compile (the
    /// error names the rule's source and pattern index) or Hyperscan cannot allocate.
    static Result<std::shared_ptr<const Scanner>> create(const RulePack& pack);

    ~Scanner();
    Scanner(const Scanner&) = delete;
    Scanner& operator=(const Scanner&) = delete;

    /// Scratch space for one thread. Returns nullptr only when memory runs out.
    std::unique_ptr<ScanScratch> makeScratch() const;

    /// Appends the findings of `event` to `out`: first those in text fields, in the order of
    /// `event.texts` and by start offset within a field, then event-level ones (total
    /// length, output schema, security_event) in rule order. Deterministic. Findings carry
    /// spans in code points of the original value, never the matched text.
    void scan(const AuditEvent& event, ScanScratch& scratch, std::vector<Finding>& out) const;

    /// Scans several events at once: the findings of `*events[i]` are appended to `*outs[i]`,
    /// exactly as scan() would. Cheaper for short events, whose fast passes then share one
    /// Hyperscan call (each call has a fixed cost). `events` and `outs` have the same size.
    void scan(std::span<const AuditEvent* const> events, ScanScratch& scratch,
              std::span<std::vector<Finding>* const> outs) const;

    /// Every rule of the pack the scanner was made from (disabled ones included).
    const std::vector<RuleInfo>& rules() const;

    struct Impl;

private:
    Scanner();
    std::unique_ptr<Impl> m_impl;
};

/// The single redaction function every display and export uses: replaces each code point
/// span [first, second) of `value` with `[REDACTED:<rule>]`, `rules[i]` naming span i.
/// Overlapping spans merge (their rule names joined by `+`); spans are clamped to the value;
/// invalid UTF-8 counts one code point per bad byte, as in the scanner.
std::string redact(std::string_view value, const std::vector<std::pair<int, int>>& spans,
                   const std::vector<std::string>& rules);

/// Redacts, in `value` of field `field`, every spanned finding of a category that holds
/// sensitive content (`pii`, `secret`).
std::string redact(std::string_view value, std::string_view field,
                   const std::vector<Finding>& findings);

} // namespace vigil
