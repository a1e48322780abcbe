// SPDX-License-Identifier: Apache-2.0
#include "scan/queryanomaly.h"

#include "scan/textnormalizer.h"
#include "scan/utf8.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <limits>

namespace vigil {

using Rule = QueryAnomalyRules::Rule;
using scan::isAsciiAlnum;
using Kind = QueryAnomalyRules::Kind;
using Scope = QueryAnomalyRules::Scope;

namespace {

constexpr std::size_t kMaxEvidence = 8; ///< evidence events named in a message
constexpr std::size_t kMaxShingleBytes = 1024; ///< of a query's normalized text

std::uint64_t splitmix64(std::uint64_t x)
{
    x += 0x9e3779b97f4a7c15ull;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
    return x ^ (x >> 31);
}

std::uint64_t fnv1a(std::string_view s)
{
    std::uint64_t h = 0xcbf29ce484222325ull;
    for (unsigned char c : s) {
        h ^= c;
        h *= 0x100000001b3ull;
    }
    return h;
}

/// Whether `phrase` occurs in `text` at word boundaries (a boundary is only required next to
/// an ASCII letter or digit, so CJK phrases match anywhere).
bool containsPhrase(std::string_view text, std::string_view phrase)
{
    if (phrase.empty())
        return false;
    for (std::size_t at = text.find(phrase); at != std::string_view::npos;
         at = text.find(phrase, at + 1)) {
        const bool startOk = at == 0 || !isAsciiAlnum(phrase.front()) || !isAsciiAlnum(text[at - 1]);
        const std::size_t end = at + phrase.size();
        const bool endOk =
            end == text.size() || !isAsciiAlnum(phrase.back()) || !isAsciiAlnum(text[end]);
        if (startOk && endOk)
            return true;
    }
    return false;
}

std::string windowText(std::int64_t ms)
{
    const std::int64_t s = ms / 1000;
    if (s >= 3600 && s % 3600 == 0)
        return std::to_string(s / 3600) + " h";
    if (s >= 60 && s % 60 == 0)
        return std::to_string(s / 60) + " min";
    return std::to_string(s) + " s";
}

} // namespace

QueryAnomalyRules::QueryAnomalyRules() = default;
QueryAnomalyRules::~QueryAnomalyRules() = default;

Result<std::shared_ptr<const QueryAnomalyRules>> QueryAnomalyRules::fromPack(const RulePack& pack)
{
    std::shared_ptr<QueryAnomalyRules> out(new QueryAnomalyRules());
    out->m_pack = pack;
    out->m_normalizer = std::make_unique<scan::TextNormalizer>(out->m_pack.confusables());
    for (const RuleInfo& info : out->m_pack.rules()) {
        if (!info.enabled || !isSessionKind(info.kind))
            continue;
        for (const std::string& f : info.fields)
            if (f.find('*') != std::string::npos)
                return fail("rules.invalid",
                            info.source + ".fields: a session rule reads exact field paths, not `" +
                                f + "`");
        // The pack loader has checked names, types and ranges; what is absent takes its default.
        const nlohmann::json p = nlohmann::json::parse(info.paramsJson);
        auto num = [&](const char* key, double dflt) { return p.value(key, dflt); };
        Rule r;
        r.info = &info;
        r.scope = p.value("scope", std::string("user")) == "thread" ? Scope::Thread : Scope::User;
        if (info.kind == "near_duplicate") {
            r.kind = Kind::NearDuplicate;
            r.count = static_cast<int>(num("repeats", 4));
            r.similarity = num("similarity", 0.75);
            r.minChars = static_cast<int>(num("min_chars", 12));
            r.windowMs = static_cast<std::int64_t>(num("window_s", 600) * 1000);
        } else if (info.kind == "query_burst") {
            r.kind = Kind::Burst;
            r.count = static_cast<int>(num("max_queries", 30));
            r.windowMs = static_cast<std::int64_t>(num("window_s", 60) * 1000);
        } else {
            r.kind = Kind::Probing;
            r.count = static_cast<int>(num("probes", 3));
            r.windowMs = static_cast<std::int64_t>(num("window_s", 1800) * 1000);
            for (const std::string& phrase : p.value("phrases", std::vector<std::string>{})) {
                std::string n;
                scan::MappedText raw;
                scan::TextRef ref{phrase};
                if (out->m_normalizer->raw(phrase, nullptr, raw, nullptr))
                    ref = scan::TextRef{raw.text, raw.src.data()};
                out->m_normalizer->phrase(ref, n, nullptr);
                if (!n.empty())
                    r.phrases.push_back(std::move(n));
            }
            r.signalRules = p.value("signal_rules", std::vector<std::string>{});
        }
        out->m_rules.push_back(std::move(r));
    }
    return std::shared_ptr<const QueryAnomalyRules>(std::move(out));
}

QueryAnomalyTracker::QueryAnomalyTracker(std::shared_ptr<const QueryAnomalyRules> rules)
    : m_rules(std::move(rules))
{
}

QueryAnomalyTracker::~QueryAnomalyTracker() = default;

std::string QueryAnomalyTracker::normalized(std::string_view text) const
{
    const scan::TextNormalizer& norm = m_rules->normalizer();
    scan::MappedText raw;
    scan::TextRef ref{text};
    if (norm.raw(text, nullptr, raw, nullptr))
        ref = scan::TextRef{raw.text, raw.src.data()};
    std::string out;
    norm.phrase(ref, out, nullptr);
    return out;
}

QueryAnomalyTracker::Signature QueryAnomalyTracker::signatureOf(std::string_view text,
                                                                bool* longEnough,
                                                                int minChars) const
{
    // MinHash over the character trigrams of the phrase view: the share of equal slots of
    // two signatures estimates the Jaccard similarity of their trigram sets.
    std::string n = normalized(text);
    while (!n.empty() && n.back() == ' ')
        n.pop_back();
    std::size_t codePoints = 0;
    for (unsigned char c : n)
        codePoints += (c & 0xC0) != 0x80;
    if (longEnough)
        *longEnough = codePoints >= static_cast<std::size_t>(std::max(minChars, 0));
    if (n.size() > kMaxShingleBytes)
        n.resize(kMaxShingleBytes);
    Signature sig;
    sig.fill(std::numeric_limits<std::uint32_t>::max());
    auto add = [&](std::string_view shingle) {
        const std::uint64_t h = fnv1a(shingle);
        for (std::size_t k = 0; k < kSignatureSize; ++k)
            sig[k] = std::min(sig[k], static_cast<std::uint32_t>(splitmix64(h + k) >> 32));
    };
    if (n.size() < 3)
        add(n);
    else
        for (std::size_t i = 0; i + 3 <= n.size(); ++i)
            add(std::string_view(n).substr(i, 3));
    return sig;
}

double QueryAnomalyTracker::similarity(std::string_view a, std::string_view b) const
{
    const Signature x = signatureOf(a, nullptr, 0), y = signatureOf(b, nullptr, 0);
    std::size_t same = 0;
    for (std::size_t k = 0; k < kSignatureSize; ++k)
        same += x[k] == y[k];
    return static_cast<double>(same) / kSignatureSize;
}

QueryAnomalyTracker::ScopeState& QueryAnomalyTracker::scopeFor(const std::string& key)
{
    if (auto it = m_scopes.find(key); it != m_scopes.end()) {
        m_lru.splice(m_lru.begin(), m_lru, it->second.lru);
        return it->second;
    }
    if (m_scopes.size() >= kMaxScopes) {
        m_scopes.erase(m_lru.back());
        m_lru.pop_back();
    }
    m_lru.push_front(key);
    ScopeState& s = m_scopes[key];
    s.lru = m_lru.begin();
    s.perRule.resize(m_rules->rules().size());
    return s;
}

void QueryAnomalyTracker::observe(const AuditEvent& event, std::vector<Finding>& findings)
{
    if (!m_rules || m_rules->empty())
        return;
    const std::vector<Rule>& rules = m_rules->rules();
    for (std::size_t ri = 0; ri < rules.size(); ++ri) {
        const Rule& rule = rules[ri];
        const RuleInfo& info = *rule.info;
        if (!info.eventTypes.empty() &&
            std::find(info.eventTypes.begin(), info.eventTypes.end(), event.eventType) ==
                info.eventTypes.end())
            continue;
        const TextField* field = nullptr;
        for (const std::string& path : info.fields)
            if ((field = event.text(path)))
                break;
        if (!field)
            continue;

        Entry entry;
        entry.ts = event.timestampMs;
        entry.eventId = event.eventId;
        entry.when = event.timestamp;
        if (rule.kind == Kind::NearDuplicate) {
            bool longEnough = false;
            entry.sig = signatureOf(field->value, &longEnough, rule.minChars);
            if (!longEnough)
                continue;
        } else if (rule.kind == Kind::Probing) {
            bool probe = false;
            for (const Finding& f : findings)
                if (std::find(rule.signalRules.begin(), rule.signalRules.end(), f.rule) !=
                    rule.signalRules.end()) {
                    probe = true;
                    break;
                }
            if (!probe) {
                const std::string n = normalized(field->value);
                for (const std::string& phrase : rule.phrases)
                    if (containsPhrase(n, phrase)) {
                        probe = true;
                        break;
                    }
            }
            if (!probe)
                continue;
        }

        const std::string key = rule.scope == Scope::User && !event.userId.empty()
                                    ? "u\x1f" + event.userId
                                    : "t\x1f" + event.threadId;
        std::vector<Entry>& history = scopeFor(key).perRule[ri];
        // Forget what fell out of the window (events arrive roughly in time order; an event
        // far from the others is judged against what is near it).
        std::erase_if(history, [&](const Entry& e) {
            return std::llabs(e.ts - entry.ts) > rule.windowMs;
        });
        if (!entry.eventId.empty() &&
            std::any_of(history.begin(), history.end(),
                        [&](const Entry& e) { return e.eventId == entry.eventId; }))
            continue; // the same event again (a resent batch)
        if (history.size() >= kMaxHistory)
            history.erase(history.begin());

        std::vector<Entry*> group;
        for (Entry& e : history) {
            if (e.counted)
                continue;
            if (rule.kind == Kind::NearDuplicate) {
                std::size_t same = 0;
                for (std::size_t k = 0; k < kSignatureSize; ++k)
                    same += e.sig[k] == entry.sig[k];
                if (static_cast<double>(same) / kSignatureSize < rule.similarity)
                    continue;
            }
            group.push_back(&e);
        }
        const bool fires = rule.kind == Kind::Burst
                               ? static_cast<int>(group.size()) + 1 > rule.count
                               : static_cast<int>(group.size()) >= rule.count -
                                                                       (rule.kind == Kind::Probing);
        if (!fires) {
            history.push_back(std::move(entry));
            continue;
        }

        Finding f;
        f.rule = info.id;
        f.category = info.category;
        f.layer = info.layer;
        f.severity = info.severity;
        f.field = field->path;
        std::string detail = std::to_string(group.size() + 1) + " queries ";
        detail += rule.scope == Scope::User && !event.userId.empty() ? "from one user"
                                                                     : "in one thread";
        detail += " within " + windowText(rule.windowMs) + "; evidence: ";
        for (std::size_t i = 0; i < group.size() && i < kMaxEvidence; ++i) {
            const Entry& e = *group[i];
            detail += e.eventId.empty() ? "event at " + e.when : "event " + e.eventId;
            detail += ", ";
        }
        if (group.size() > kMaxEvidence)
            detail += "and " + std::to_string(group.size() - kMaxEvidence) + " more, ";
        detail += "and this event";
        f.message = info.message + ": " + detail;
        findings.push_back(std::move(f));

        for (Entry* e : group)
            e->counted = true;
        entry.counted = true;
        history.push_back(std::move(entry));
    }
}


} // namespace vigil
