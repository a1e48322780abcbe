// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "base/result.h"
#include "ingest/auditevent.h"
#include "scan/finding.h"
#include "scan/rulepack.h"

#include <array>
#include <cstdint>
#include <list>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace vigil {

namespace scan {
class TextNormalizer;
}

/// The session rules of a rule pack (seed guide 1.1, "Model extraction: repeated queries
/// extract system prompt"), compiled for QueryAnomalyTracker. These rules judge a user's
/// queries together, not one event alone, so the Scanner skips them (isSessionKind()):
///
/// - `near_duplicate`: a query that, with `repeats` earlier ones of the same scope inside
///   `window_s`, forms a group of near-identical queries (character-trigram similarity at
///   least `similarity` after phrase normalization). Short texts (under `min_chars`) are
///   greetings and acknowledgements, not extraction, and do not count.
/// - `query_burst`: more than `max_queries` queries of one scope inside `window_s`.
/// - `prompt_probing`: `probes` queries of one scope inside `window_s` that ask for the
///   model's instructions: a `phrases` entry in the query, or a finding of one of
///   `signal_rules` (e.g. injection.prompt_disclosure) on the same event.
///
/// `scope` is `user` (the user id, or the thread when the event has none) or `thread`.
/// Immutable; shared read-only between threads.
class QueryAnomalyRules
{
public:
    /// The enabled session rules of `pack`; an empty set when it has none. Fails when a
    /// rule reads a field path with a wildcard (session rules read exact paths).
    static Result<std::shared_ptr<const QueryAnomalyRules>> fromPack(const RulePack& pack);

    ~QueryAnomalyRules();
    bool empty() const { return m_rules.empty(); }

    enum class Kind : std::uint8_t { NearDuplicate, Burst, Probing };
    enum class Scope : std::uint8_t { User, Thread };

    struct Rule
    {
        const RuleInfo* info = nullptr;
        Kind kind = Kind::NearDuplicate;
        Scope scope = Scope::User;
        std::int64_t windowMs = 0;
        int count = 0;            ///< repeats, max_queries or probes
        double similarity = 0;    ///< near_duplicate
        int minChars = 0;         ///< near_duplicate
        std::vector<std::string> phrases;     ///< prompt_probing, phrase-normalized
        std::vector<std::string> signalRules; ///< prompt_probing
    };
    const std::vector<Rule>& rules() const { return m_rules; }
    const scan::TextNormalizer& normalizer() const { return *m_normalizer; }

private:
    QueryAnomalyRules();
    RulePack m_pack; ///< owns the RuleInfo the rules point to
    std::vector<Rule> m_rules;
    std::unique_ptr<scan::TextNormalizer> m_normalizer;
};

/// Watches the queries of a stream of events, in order, and adds session findings to the
/// event that completes a pattern; the finding's message names the events that make it up
/// (their event ids, or their times where they have none). Each event counts toward one
/// finding of a rule at most, so a long run of repeats files one finding per group, not
/// one per query. An event id seen before in the same scope (a resent batch) is ignored.
///
/// Memory is bounded: at most kMaxScopes scopes (the least recently active are forgotten)
/// and kMaxHistory queries per scope. Not synchronized: feed it from one thread, in the
/// order events are stored.
class QueryAnomalyTracker
{
public:
    static constexpr std::size_t kMaxScopes = 4096;
    static constexpr std::size_t kMaxHistory = 64;
    static constexpr std::size_t kSignatureSize = 32;

    explicit QueryAnomalyTracker(std::shared_ptr<const QueryAnomalyRules> rules);
    ~QueryAnomalyTracker();
    QueryAnomalyTracker(const QueryAnomalyTracker&) = delete;
    QueryAnomalyTracker& operator=(const QueryAnomalyTracker&) = delete;

    /// Considers `event` (its findings so far in `findings`) and appends any session
    /// findings it completes.
    void observe(const AuditEvent& event, std::vector<Finding>& findings);

    std::size_t scopes() const { return m_scopes.size(); }

    /// Estimated trigram similarity of two texts after phrase normalization, 0..1 (for tests
    /// and for tuning `similarity`).
    double similarity(std::string_view a, std::string_view b) const;

    using Signature = std::array<std::uint32_t, kSignatureSize>;

private:
    struct Entry
    {
        std::int64_t ts = 0;
        std::string eventId;
        std::string when; ///< the event's timestamp as written
        Signature sig{};
        bool counted = false; ///< already part of a finding of this rule
    };
    struct ScopeState
    {
        std::vector<std::vector<Entry>> perRule; ///< one history per rule
        std::list<std::string>::iterator lru;
    };

    ScopeState& scopeFor(const std::string& key);
    Signature signatureOf(std::string_view text, bool* longEnough, int minChars) const;
    std::string normalized(std::string_view text) const;

    std::shared_ptr<const QueryAnomalyRules> m_rules;
    std::unordered_map<std::string, ScopeState> m_scopes;
    std::list<std::string> m_lru; ///< most recently active first
};

} // namespace vigil
