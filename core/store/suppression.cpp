// SPDX-License-Identifier: Apache-2.0
#include "store/suppression.h"

#include "base/jsonlimits.h"
#include "base/timeutil.h"
#include "scan/utf8.h"
#include "store/database.h"
#include "store/detailsfield.h"

#include <nlohmann/json.hpp>
#include <sqlite3.h>

#include <algorithm>
#include <charconv>

namespace vigil {
namespace {

using scan::decodeUtf8;

constexpr std::string_view kColumns =
    "id, rule, agent, field, pattern, reason, author, created_ms, expires_ms, updated_ms, "
    "removed_ms";

SuppressionRule readRule(const SqlStatement& s)
{
    SuppressionRule r;
    r.id = s.columnInt(0);
    r.rule = s.columnText(1);
    r.agent = s.columnText(2);
    r.field = s.columnText(3);
    r.pattern = s.columnText(4);
    r.reason = s.columnText(5);
    r.author = s.columnText(6);
    r.createdMs = s.columnInt(7);
    if (!s.columnIsNull(8))
        r.expiresMs = s.columnInt(8);
    r.updatedMs = s.columnInt(9);
    r.removedMs = s.columnInt(10);
    return r;
}

Result<bool> tableExists(Database& db)
{
    return hasTable(db, "suppressions");
}

Result<std::optional<SuppressionRule>> readById(Database& db, std::int64_t id)
{
    auto st = SqlStatement::prepare(db, "SELECT " + std::string(kColumns) +
                                            " FROM suppressions WHERE id=?1");
    if (!st)
        return std::unexpected(st.error());
    st->bind(1, id);
    auto row = st->step();
    if (!row)
        return std::unexpected(row.error());
    if (!*row)
        return std::optional<SuppressionRule>{};
    return std::optional<SuppressionRule>{readRule(*st)};
}

Result<void> appendHistory(Database& db, const SuppressionRule& r, std::string_view action,
                           std::string_view why, std::string_view actor, std::int64_t nowMs)
{
    auto st = SqlStatement::prepare(
        db, "INSERT INTO suppression_history(suppression_id, ts_ms, actor, action, reason, "
            "rule_json) VALUES (?1, ?2, ?3, ?4, ?5, ?6)");
    if (!st)
        return std::unexpected(st.error());
    const std::string json = suppressionToJson(r, nowMs);
    st->bind(1, r.id)
        .bind(2, nowMs)
        .bindText(3, actor)
        .bindText(4, action)
        .bindText(5, why)
        .bindText(6, json);
    return st->run();
}

bool hasControl(std::string_view s)
{
    return std::any_of(s.begin(), s.end(),
                       [](char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7f; });
}

/// The criteria of suppression `s` against finding `f` in SQL, without the activity check.
std::string criteriaSql(std::string_view s, std::string_view f)
{
    const std::string S(s), F(f);
    return "(" + S + ".rule = '' OR " + S + ".rule = " + F + ".rule) AND (" + S +
           ".agent = '' OR " + S + ".agent = " + F + ".agent) AND (" + S + ".field = '' OR " + S +
           ".field = " + F + ".field) AND (" + S + ".pattern = '' OR vigil_mute_text(" + S +
           ".pattern, CASE WHEN " + F +
           ".category = 'rejected' THEN NULL ELSE (SELECT me.details FROM events me WHERE "
           "me.id = " +
           F + ".event_rowid) END, " + F + ".field, " + F + ".span_start, " + F + ".span_end))";
}

void muteTextFunction(sqlite3_context* ctx, int argc, sqlite3_value** argv)
{
    if (argc != 5 || sqlite3_value_type(argv[0]) != SQLITE_TEXT ||
        sqlite3_value_type(argv[1]) != SQLITE_TEXT) {
        sqlite3_result_int(ctx, 0);
        return;
    }
    auto text = [&](int i) {
        const auto* p = reinterpret_cast<const char*>(sqlite3_value_text(argv[i]));
        return std::string_view(p ? p : "", static_cast<std::size_t>(sqlite3_value_bytes(argv[i])));
    };
    const std::string_view pattern = text(0), details = text(1), field = text(2);
    const int start = sqlite3_value_type(argv[3]) == SQLITE_NULL ? -1 : sqlite3_value_int(argv[3]);
    const int end = sqlite3_value_type(argv[4]) == SQLITE_NULL ? -1 : sqlite3_value_int(argv[4]);
    const auto value = detailsFieldValue(details, field);
    sqlite3_result_int(ctx, value && globMatch(pattern, matchedText(*value, start, end)) ? 1 : 0);
}

std::string isoOrNull(const std::optional<std::int64_t>& ms)
{
    return ms ? formatRfc3339Utc(*ms) : std::string();
}

} // namespace

std::string_view suppressionStatus(const SuppressionRule& r, std::int64_t nowMs)
{
    if (r.removedMs != 0)
        return "removed";
    if (r.expiresMs && *r.expiresMs <= nowMs)
        return "expired";
    return "active";
}

bool suppressionActive(const SuppressionRule& r, std::int64_t nowMs)
{
    return r.removedMs == 0 && (!r.expiresMs || *r.expiresMs > nowMs);
}

Result<void> validateSuppression(const SuppressionRule& r, bool allowAll)
{
    if (r.reason.find_first_not_of(" \t") == std::string::npos)
        return fail("mute.no_reason", "a mute rule needs a reason (why these findings are muted)");
    if (r.author.find_first_not_of(" \t") == std::string::npos)
        return fail("mute.no_author", "a mute rule needs an author");
    if (r.pattern.size() > kMaxMutePatternBytes)
        return fail("mute.pattern_too_long", "the pattern is longer than " +
                                                 std::to_string(kMaxMutePatternBytes) + " bytes");
    for (const auto& [name, value] : {std::pair<const char*, const std::string*>{"rule", &r.rule},
                                      {"agent", &r.agent},
                                      {"field", &r.field},
                                      {"pattern", &r.pattern},
                                      {"reason", &r.reason},
                                      {"author", &r.author}}) {
        if (value->size() > kMaxMuteTextBytes)
            return fail("mute.too_long", std::string("the ") + name + " is longer than " +
                                             std::to_string(kMaxMuteTextBytes) + " bytes");
        if (std::string_view(name) != "reason" && hasControl(*value))
            return fail("mute.control", std::string("the ") + name + " holds a control character");
    }
    // Up to the last millisecond of year 9999, what RFC 3339 can write and read back.
    constexpr std::int64_t kLastMs = 253'402'300'799'999;
    if (r.expiresMs && (*r.expiresMs < 0 || *r.expiresMs > kLastMs))
        return fail("mute.bad_expiry", "the expiry must lie between 1970 and the end of 9999");
    if (r.matchesEverything() && !allowAll)
        return fail("mute.empty_rule",
                    "the rule names no rule, agent, field or pattern, so it would mute every "
                    "finding; give a criterion, or ask for that explicitly (--all)");
    return {};
}

bool globMatch(std::string_view pattern, std::string_view text)
{
    // Tokens: a literal code point, or one of the two wildcards.
    constexpr char32_t kAny = 0x110000, kStar = 0x110001;
    std::vector<char32_t> p;
    p.reserve(pattern.size());
    for (std::size_t i = 0; i < pattern.size();) {
        const char32_t c = decodeUtf8(pattern, i);
        if (c == U'\\' && i < pattern.size())
            p.push_back(decodeUtf8(pattern, i));
        else if (c == U'*') {
            if (p.empty() || p.back() != kStar) // runs of stars are one star
                p.push_back(kStar);
        } else
            p.push_back(c == U'?' ? kAny : c);
    }
    // Greedy matching with one remembered star: on a mismatch, the last star takes one more
    // code point. Earlier stars never need revisiting, so this is O(text * pattern).
    std::size_t pi = 0, ti = 0;
    std::size_t starP = std::string::npos, starT = 0;
    while (ti < text.size()) {
        std::size_t next = ti;
        const char32_t c = decodeUtf8(text, next);
        if (pi < p.size() && p[pi] != kStar && (p[pi] == kAny || p[pi] == c)) {
            ++pi;
            ti = next;
        } else if (pi < p.size() && p[pi] == kStar) {
            starP = pi++;
            starT = ti;
        } else if (starP != std::string::npos) {
            pi = starP + 1;
            decodeUtf8(text, starT); // the star swallows one more code point
            ti = starT;
        } else {
            return false;
        }
    }
    while (pi < p.size() && p[pi] == kStar)
        ++pi;
    return pi == p.size();
}

std::string matchedText(std::string_view value, int start, int end)
{
    if (start < 0)
        return std::string(value);
    std::size_t i = 0, from = value.size(), to = value.size();
    for (int cp = 0; i <= value.size(); ++cp) {
        if (cp == start)
            from = i;
        if (cp == end) {
            to = i;
            break;
        }
        if (i == value.size())
            break;
        decodeUtf8(value, i);
    }
    if (from >= to)
        return {};
    return std::string(value.substr(from, to - from));
}

bool suppressionMatches(const SuppressionRule& r, const Finding& f, std::string_view agent,
                        const std::optional<std::string_view>& value)
{
    if (!r.rule.empty() && r.rule != f.rule)
        return false;
    if (!r.agent.empty() && r.agent != agent)
        return false;
    if (!r.field.empty() && r.field != f.field)
        return false;
    if (r.pattern.empty())
        return true;
    return value && globMatch(r.pattern, matchedText(*value, f.start, f.end));
}

Result<std::int64_t> parseMuteExpiry(std::string_view text)
{
    if (!text.empty() &&
        std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; })) {
        std::int64_t ms = 0;
        const auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), ms);
        if (ec == std::errc() && p == text.data() + text.size())
            return ms;
    }
    if (auto ms = parseRfc3339Utc(text))
        return *ms;
    if (text.size() == 10)
        if (auto ms = parseRfc3339Utc(std::string(text) + "T00:00:00Z"))
            return *ms;
    return fail("mute.bad_expiry",
                "cannot read expiry '" + std::string(text) +
                    "': use an RFC 3339 UTC time (2026-12-31T18:00:00Z), a date (2026-12-31) "
                    "or epoch milliseconds");
}

Result<std::int64_t> parseMuteDuration(std::string_view text)
{
    auto bad = [&] {
        return fail("mute.bad_duration",
                    "cannot read duration '" + std::string(text) +
                        "': use a whole number and a unit, e.g. 45m, 12h, 30d or 2w");
    };
    if (text.size() < 2)
        return bad();
    std::int64_t unit = 0;
    switch (text.back()) {
    case 'm':
        unit = 60'000;
        break;
    case 'h':
        unit = 3'600'000;
        break;
    case 'd':
        unit = 86'400'000;
        break;
    case 'w':
        unit = 7 * 86'400'000LL;
        break;
    default:
        return bad();
    }
    const std::string_view digits = text.substr(0, text.size() - 1);
    std::int64_t n = 0;
    const auto [p, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), n);
    if (ec != std::errc() || p != digits.data() + digits.size() || n <= 0)
        return bad();
    constexpr std::int64_t kTenYears = 3653LL * 86'400'000;
    if (n > kTenYears / unit)
        return fail("mute.bad_duration",
                    "duration '" + std::string(text) + "' is longer than ten years");
    return n * unit;
}

Result<std::int64_t> addSuppression(Database& db, SuppressionRule r, bool allowAll,
                                    std::string_view actor, std::int64_t nowMs)
{
    if (r.author.empty())
        r.author = std::string(actor);
    if (auto ok = validateSuppression(r, allowAll); !ok)
        return std::unexpected(ok.error());
    r.createdMs = nowMs;
    r.updatedMs = nowMs;
    r.removedMs = 0;
    auto st = SqlStatement::prepare(
        db, "INSERT INTO suppressions(rule, agent, field, pattern, reason, author, created_ms, "
            "expires_ms, updated_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?7)");
    if (!st)
        return std::unexpected(st.error());
    st->bindText(1, r.rule)
        .bindText(2, r.agent)
        .bindText(3, r.field)
        .bindText(4, r.pattern)
        .bindText(5, r.reason)
        .bindText(6, r.author)
        .bind(7, nowMs);
    if (r.expiresMs)
        st->bind(8, *r.expiresMs);
    else
        st->bindNull(8);
    if (auto ok = st->run(); !ok)
        return std::unexpected(ok.error());
    r.id = sqlite3_last_insert_rowid(db.handle());
    if (auto h = appendHistory(db, r, "add", r.reason, actor, nowMs); !h)
        return std::unexpected(h.error());
    return r.id;
}

Result<void> changeSuppression(Database& db, std::int64_t id, const SuppressionRule& wanted,
                               bool allowAll, std::string_view why, std::string_view actor,
                               std::int64_t nowMs)
{
    if (why.find_first_not_of(" \t") == std::string_view::npos)
        return fail("mute.no_reason", "changing a mute rule needs a reason");
    auto current = readById(db, id);
    if (!current)
        return std::unexpected(current.error());
    if (!*current)
        return fail("mute.unknown", "there is no mute rule " + std::to_string(id));
    if ((*current)->removedMs != 0)
        return fail("mute.removed", "mute rule " + std::to_string(id) + " was removed");
    SuppressionRule r = **current;
    r.rule = wanted.rule;
    r.agent = wanted.agent;
    r.field = wanted.field;
    r.pattern = wanted.pattern;
    r.reason = wanted.reason.empty() ? r.reason : wanted.reason;
    r.expiresMs = wanted.expiresMs;
    r.updatedMs = nowMs;
    if (auto ok = validateSuppression(r, allowAll); !ok)
        return ok;
    auto st = SqlStatement::prepare(
        db, "UPDATE suppressions SET rule=?2, agent=?3, field=?4, pattern=?5, reason=?6, "
            "expires_ms=?7, updated_ms=?8 WHERE id=?1");
    if (!st)
        return std::unexpected(st.error());
    st->bind(1, id)
        .bindText(2, r.rule)
        .bindText(3, r.agent)
        .bindText(4, r.field)
        .bindText(5, r.pattern)
        .bindText(6, r.reason)
        .bind(8, nowMs);
    if (r.expiresMs)
        st->bind(7, *r.expiresMs);
    else
        st->bindNull(7);
    if (auto ok = st->run(); !ok)
        return ok;
    return appendHistory(db, r, "change", why, actor, nowMs);
}

Result<void> removeSuppression(Database& db, std::int64_t id, std::string_view why,
                               std::string_view actor, std::int64_t nowMs)
{
    if (why.find_first_not_of(" \t") == std::string_view::npos)
        return fail("mute.no_reason", "removing a mute rule needs a reason");
    auto current = readById(db, id);
    if (!current)
        return std::unexpected(current.error());
    if (!*current)
        return fail("mute.unknown", "there is no mute rule " + std::to_string(id));
    if ((*current)->removedMs != 0)
        return fail("mute.removed", "mute rule " + std::to_string(id) + " was already removed");
    SuppressionRule r = **current;
    r.removedMs = nowMs;
    r.updatedMs = nowMs;
    auto st = SqlStatement::prepare(db, "UPDATE suppressions SET removed_ms=?2, updated_ms=?2 "
                                        "WHERE id=?1");
    if (!st)
        return std::unexpected(st.error());
    st->bind(1, id).bind(2, nowMs);
    if (auto ok = st->run(); !ok)
        return ok;
    return appendHistory(db, r, "remove", why, actor, nowMs);
}

Result<std::vector<SuppressionRule>> listSuppressions(Database& db, bool includeRemoved)
{
    std::vector<SuppressionRule> out;
    auto exists = tableExists(db);
    if (!exists)
        return std::unexpected(exists.error());
    if (!*exists)
        return out;
    auto st = SqlStatement::prepare(db, "SELECT " + std::string(kColumns) + " FROM suppressions" +
                                            (includeRemoved ? "" : " WHERE removed_ms = 0") +
                                            " ORDER BY id");
    if (!st)
        return std::unexpected(st.error());
    for (;;) {
        auto row = st->step();
        if (!row)
            return std::unexpected(row.error());
        if (!*row)
            break;
        out.push_back(readRule(*st));
    }
    return out;
}

Result<std::vector<SuppressionHistoryEntry>> suppressionHistory(Database& db, std::int64_t id)
{
    std::vector<SuppressionHistoryEntry> out;
    auto exists = tableExists(db);
    if (!exists)
        return std::unexpected(exists.error());
    if (!*exists)
        return out;
    auto st = SqlStatement::prepare(
        db, std::string("SELECT id, suppression_id, ts_ms, actor, action, reason, rule_json "
                        "FROM suppression_history") +
                (id != 0 ? " WHERE suppression_id = ?1" : "") + " ORDER BY id");
    if (!st)
        return std::unexpected(st.error());
    if (id != 0)
        st->bind(1, id);
    for (;;) {
        auto row = st->step();
        if (!row)
            return std::unexpected(row.error());
        if (!*row)
            break;
        out.push_back(SuppressionHistoryEntry{st->columnInt(0), st->columnInt(1), st->columnInt(2),
                                              st->columnText(3), st->columnText(4),
                                              st->columnText(5), st->columnText(6)});
    }
    return out;
}

Result<std::map<std::int64_t, std::int64_t>>
suppressionFindingCounts(Database& db, std::optional<std::pair<std::int64_t, std::int64_t>> range)
{
    std::map<std::int64_t, std::int64_t> out;
    auto exists = tableExists(db);
    if (!exists)
        return std::unexpected(exists.error());
    if (!*exists)
        return out;
    auto st = SqlStatement::prepare(db, "SELECT s.id, (SELECT count(*) FROM findings f WHERE " +
                                            criteriaSql("s", "f") +
                                            (range ? " AND f.ts >= ?1 AND f.ts <= ?2" : "") +
                                            ") FROM suppressions s ORDER BY s.id");
    if (!st)
        return std::unexpected(st.error());
    if (range)
        st->bind(1, range->first).bind(2, range->second);
    for (;;) {
        auto row = st->step();
        if (!row)
            return std::unexpected(row.error());
        if (!*row)
            break;
        out[st->columnInt(0)] = st->columnInt(1);
    }
    return out;
}

Result<MuteScope> muteScope(Database& db, std::int64_t nowMs)
{
    MuteScope scope{nowMs, false};
    auto exists = tableExists(db);
    if (!exists)
        return std::unexpected(exists.error());
    if (!*exists)
        return scope;
    auto st = SqlStatement::prepare(db, "SELECT EXISTS (SELECT 1 FROM suppressions WHERE "
                                        "removed_ms = 0 AND (expires_ms IS NULL OR "
                                        "expires_ms > ?1))");
    if (!st)
        return std::unexpected(st.error());
    st->bind(1, nowMs);
    auto row = st->step();
    if (!row)
        return std::unexpected(row.error());
    scope.any = *row && st->columnInt(0) != 0;
    return scope;
}

MuteScope muteScopeOrNone(Database& db, std::int64_t nowMs)
{
    auto scope = muteScope(db, nowMs);
    return scope ? *scope : MuteScope{nowMs, false};
}

Result<std::vector<std::int64_t>> mutedFindingIds(Database& db, std::int64_t eventRowId,
                                                  const MuteScope& scope)
{
    std::vector<std::int64_t> out;
    if (!scope.any)
        return out;
    auto st = SqlStatement::prepare(db, "SELECT f.id FROM findings f WHERE f.event_rowid = ?1 "
                                        "AND " + mutedFindingSql(scope, "f") + " ORDER BY f.id");
    if (!st)
        return std::unexpected(st.error());
    st->bind(1, eventRowId);
    for (;;) {
        auto row = st->step();
        if (!row)
            return std::unexpected(row.error());
        if (!*row)
            return out;
        out.push_back(st->columnInt(0));
    }
}

std::string mutedFindingSql(const MuteScope& scope, std::string_view f)
{
    if (!scope.any)
        return "0";
    // The time is a number this function formats itself, never user text.
    return "EXISTS (SELECT 1 FROM suppressions ms WHERE ms.removed_ms = 0 AND (ms.expires_ms "
           "IS NULL OR ms.expires_ms > " +
           std::to_string(scope.nowMs) + ") AND " + criteriaSql("ms", f) + ")";
}

std::string mutingRuleSql(const MuteScope& scope, std::string_view f)
{
    if (!scope.any)
        return "NULL";
    return "(SELECT ms.id FROM suppressions ms WHERE ms.removed_ms = 0 AND (ms.expires_ms IS "
           "NULL OR ms.expires_ms > " +
           std::to_string(scope.nowMs) + ") AND " + criteriaSql("ms", f) +
           " ORDER BY ms.id LIMIT 1)";
}

std::string liveIncidentFindingsSql(const MuteScope& scope, std::string_view i)
{
    const std::string I(i);
    if (!scope.any)
        return I + ".findings";
    return "(SELECT count(*) FROM findings lf WHERE lf.incident_id = " + I + ".id AND NOT " +
           mutedFindingSql(scope, "lf") + ")";
}

std::string liveIncidentSeveritySql(const MuteScope& scope, std::string_view i)
{
    const std::string I(i);
    if (!scope.any)
        return I + ".severity";
    return "coalesce((SELECT max(lf.severity) FROM findings lf WHERE lf.incident_id = " + I +
           ".id AND NOT " + mutedFindingSql(scope, "lf") + "), " + I + ".severity)";
}

void registerSuppressionFunctions(sqlite3* db)
{
    sqlite3_create_function_v2(db, "vigil_mute_text", 5,
                               SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS, nullptr,
                               muteTextFunction, nullptr, nullptr, nullptr);
}

std::string suppressionToJson(const SuppressionRule& r, std::int64_t nowMs,
                              std::optional<std::int64_t> findings)
{
    nlohmann::ordered_json j;
    if (r.id != 0)
        j["id"] = r.id;
    j["rule"] = r.rule;
    j["agent"] = r.agent;
    j["field"] = r.field;
    j["pattern"] = r.pattern;
    if (r.matchesEverything())
        j["all"] = true;
    j["reason"] = r.reason;
    j["author"] = r.author;
    if (r.createdMs != 0)
        j["created"] = formatRfc3339Utc(r.createdMs);
    j["expires"] = r.expiresMs ? nlohmann::ordered_json(isoOrNull(r.expiresMs)) : nullptr;
    if (r.removedMs != 0)
        j["removed"] = formatRfc3339Utc(r.removedMs);
    j["status"] = std::string(suppressionStatus(r, nowMs));
    if (findings)
        j["findings"] = *findings;
    return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string suppressionsToJson(const std::vector<SuppressionRule>& rules, std::int64_t nowMs,
                               const std::map<std::int64_t, std::int64_t>& findings)
{
    std::string out = "{\n  \"vigil_mute_rules\": 1,\n  \"rules\": [";
    for (std::size_t k = 0; k < rules.size(); ++k) {
        const auto it = findings.find(rules[k].id);
        out += k ? ",\n    " : "\n    ";
        out += suppressionToJson(rules[k], nowMs,
                                 it == findings.end() ? std::nullopt
                                                      : std::optional<std::int64_t>(it->second));
    }
    out += rules.empty() ? "]\n}\n" : "\n  ]\n}\n";
    return out;
}

Result<std::vector<SuppressionRule>> suppressionsFromJson(std::string_view text)
{
    if (auto ok = checkJsonLimits(text, "mute rules", "mute.file"); !ok)
        return std::unexpected(ok.error());
    const auto doc = nlohmann::json::parse(text, nullptr, false);
    if (doc.is_discarded())
        return fail("mute.file", "mute rules: not valid JSON");
    if (!doc.is_object() || !doc.contains("rules") || !doc["rules"].is_array())
        return fail("mute.file", "mute rules: expected an object {\"vigil_mute_rules\": 1, "
                                 "\"rules\": [...]}");
    for (const auto& [key, value] : doc.items()) {
        if (key != "vigil_mute_rules" && key != "rules")
            return fail("mute.file", "mute rules: unknown key '" + key + "'");
        if (key == "vigil_mute_rules" && (!value.is_number_integer() || value.get<int>() != 1))
            return fail("mute.file", "mute rules: vigil_mute_rules must be 1 (this build reads "
                                     "version 1 of the format)");
    }
    std::vector<SuppressionRule> out;
    const auto& rules = doc["rules"];
    for (std::size_t k = 0; k < rules.size(); ++k) {
        const auto& j = rules[k];
        const std::string where = "mute rules: rule " + std::to_string(k + 1);
        if (!j.is_object())
            return fail("mute.file", where + " is not an object");
        SuppressionRule r;
        bool all = false;
        bool removed = false;
        for (const auto& [key, value] : j.items()) {
            auto str = [&](std::string& slot) -> Result<void> {
                if (!value.is_string())
                    return fail("mute.file", where + ": '" + key + "' must be a string");
                slot = value.get<std::string>();
                return {};
            };
            Result<void> ok;
            std::string ignored;
            if (key == "rule")
                ok = str(r.rule);
            else if (key == "agent")
                ok = str(r.agent);
            else if (key == "field")
                ok = str(r.field);
            else if (key == "pattern")
                ok = str(r.pattern);
            else if (key == "reason")
                ok = str(r.reason);
            else if (key == "author")
                ok = str(r.author);
            else if (key == "all") {
                if (!value.is_boolean())
                    return fail("mute.file", where + ": 'all' must be true or false");
                all = value.get<bool>();
            } else if (key == "expires") {
                if (value.is_null())
                    r.expiresMs.reset();
                else if (value.is_number_integer())
                    r.expiresMs = value.get<std::int64_t>();
                else if (value.is_string()) {
                    auto ms = parseMuteExpiry(value.get<std::string>());
                    if (!ms)
                        return fail("mute.file", where + ": " + ms.error().message);
                    r.expiresMs = *ms;
                } else
                    return fail("mute.file", where + ": 'expires' must be a time, epoch "
                                                     "milliseconds or null");
            } else if (key == "status") {
                ok = str(ignored);
                if (ok && ignored != "active" && ignored != "expired" && ignored != "removed")
                    return fail("mute.file", where + ": 'status' must be active, expired or "
                                                     "removed");
                removed = ignored == "removed";
            } else if (key == "id" || key == "findings") {
                if (!value.is_number_integer())
                    return fail("mute.file", where + ": '" + key + "' must be a whole number");
            } else if (key == "created" || key == "removed") {
                ok = str(ignored);
            } else {
                return fail("mute.file", where + ": unknown key '" + key + "'");
            }
            if (!ok)
                return std::unexpected(ok.error());
        }
        if (r.author.empty())
            r.author = "rule file";
        if (r.matchesEverything() && !all)
            return fail("mute.empty_rule",
                        where + " names no rule, agent, field or pattern, so it would mute "
                                "every finding; add \"all\": true if that is meant");
        if (auto ok = validateSuppression(r, all); !ok)
            return fail(ok.error().code, where + ": " + ok.error().message);
        if (!removed)
            out.push_back(std::move(r));
    }
    return out;
}

} // namespace vigil
