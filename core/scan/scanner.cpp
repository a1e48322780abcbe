// SPDX-License-Identifier: Apache-2.0
#include "scan/scanner.h"

#include "scan/injectionclassifier.h"
#include "scan/logmatcher.h"
#include "scan/patternset.h"
#include "scan/payloaddecoder.h"
#include "scan/phoneplan.h"
#include "scan/piimatcher.h"
#include "scan/schemachecker.h"
#include "scan/secretmatcher.h"
#include "scan/sqltokenizer.h"
#include "scan/textnormalizer.h"
#include "scan/utf8.h"

#include <hs/hs.h>
#include <nlohmann/json.hpp>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <future>
#include <map>
#include <optional>
#include <unordered_map>

namespace vigil {

using namespace vigil::scan;

namespace {

enum class Kind
{
    Phrase,
    Regex,
    Token,
    Jwt,
    Pem,
    Assignment,
    BasicAuth,
    ConnectionString,
    Encoded,
    HiddenText,
    Email,
    Phone,
    Ssn,
    CreditCard,
    Iban,
    Sql,
    LogForged,
    LogEscape,
    LogControl,
    Length,
    DetailsLength,
    Schema,
    SecurityEvent,
    Classifier,
};

constexpr std::array<std::pair<std::string_view, Kind>, 24> kKindNames{{
    {"phrase", Kind::Phrase},
    {"regex", Kind::Regex},
    {"token", Kind::Token},
    {"jwt", Kind::Jwt},
    {"pem", Kind::Pem},
    {"assignment", Kind::Assignment},
    {"basic_auth", Kind::BasicAuth},
    {"connection_string", Kind::ConnectionString},
    {"encoded", Kind::Encoded},
    {"hidden_text", Kind::HiddenText},
    {"email", Kind::Email},
    {"phone", Kind::Phone},
    {"ssn", Kind::Ssn},
    {"credit_card", Kind::CreditCard},
    {"iban", Kind::Iban},
    {"sql", Kind::Sql},
    {"log_forged_record", Kind::LogForged},
    {"log_escape", Kind::LogEscape},
    {"log_control", Kind::LogControl},
    {"length", Kind::Length},
    {"details_length", Kind::DetailsLength},
    {"schema", Kind::Schema},
    {"security_event", Kind::SecurityEvent},
    {"classifier", Kind::Classifier},
}};

/// Kinds whose patterns run on the raw view (the rest of the pattern kinds are phrases).
bool isRawPatternKind(Kind k)
{
    return k == Kind::Regex || k == Kind::Token || k == Kind::Jwt || k == Kind::Pem ||
           k == Kind::Assignment || k == Kind::BasicAuth || k == Kind::ConnectionString;
}

/// Built-in prefilters: cheap Hyperscan hits that decide which C++ validators run.
enum Trigger : unsigned
{
    TEmail = 1u << 0,
    TEmailObfuscated = 1u << 1,
    TNumber = 1u << 2,
    TEscapes = 1u << 3,
    TBase64 = 1u << 4,
    THex = 1u << 5,
    TLineBreak = 1u << 6,
    TEsc = 1u << 7,
    TControl = 1u << 8,
    TSqlKeyword = 1u << 9,
    /// A `gate_words` entry of the classifier rule in the phrase view (not a raw trigger:
    /// scanField() keeps it apart from the bits the PII and log checks read).
    TClassifierWord = 1u << 10,
};

/// Path glob: `*` matches any run of characters, `[*]` any array index.
bool globMatch(std::string_view pat, std::string_view s)
{
    while (!pat.empty()) {
        if (pat.starts_with("[*]")) {
            if (s.empty() || s[0] != '[')
                return false;
            std::size_t j = 1;
            while (j < s.size() && isAsciiDigit(s[j]))
                ++j;
            if (j == 1 || j >= s.size() || s[j] != ']')
                return false;
            pat.remove_prefix(3);
            s.remove_prefix(j + 1);
            continue;
        }
        if (pat[0] == '*') {
            pat.remove_prefix(1);
            if (pat.empty())
                return true;
            for (std::size_t k = 0; k <= s.size(); ++k)
                if (globMatch(pat, s.substr(k)))
                    return true;
            return false;
        }
        if (s.empty() || s[0] != pat[0])
            return false;
        pat.remove_prefix(1);
        s.remove_prefix(1);
    }
    return s.empty();
}

struct FieldFilter
{
    bool all = false;
    std::vector<std::string> include;
    std::vector<std::string> exclude;

    void set(const std::vector<std::string>& inc, const std::vector<std::string>& exc)
    {
        include = inc;
        exclude = exc;
        all = exc.empty() && std::find(inc.begin(), inc.end(), "*") != inc.end();
    }
    bool match(std::string_view path) const
    {
        if (all)
            return true;
        bool in = false;
        for (const std::string& g : include)
            if (globMatch(g, path)) {
                in = true;
                break;
            }
        if (!in)
            return false;
        for (const std::string& g : exclude)
            if (globMatch(g, path))
                return false;
        return true;
    }
};

enum class SchemaCheck
{
    NotObject,
    MissingField,
    WrongType,
    OutOfRange,
    RowLimit
};

struct CompiledRule
{
    const RuleInfo* info = nullptr;
    Kind kind = Kind::Regex;
    FieldFilter fields;
    bool allEvents = true;
    std::uint32_t kindMask = 0;           ///< known event kinds the rule reads
    std::vector<std::string> customTypes; ///< other event types it reads

    bool appliesTo(const AuditEvent& ev) const
    {
        if (allEvents)
            return true;
        if (ev.kind != EventKind::Custom)
            return (kindMask >> unsigned(ev.kind)) & 1u;
        return std::find(customTypes.begin(), customTypes.end(), ev.eventType) != customTypes.end();
    }

    // Parameters by kind (only the relevant ones are read).
    bool caseless = false;
    TokenGate token;
    AssignmentGate assign;
    ConnectionGate conn;
    std::size_t minBody = 20;
    bool encBase64 = true, encHex = true, encEscapes = true, encTags = true;
    std::size_t minBase64 = 16, minHex = 16;
    int maxDepth = 2;
    double minPrintable = 0.85;
    std::size_t hiddenMin = 4;
    bool emailObfuscated = true;
    bool bareNanp = true, international = true;
    bool internationalValid = false; ///< `international_check: valid`
    std::vector<std::string> phoneRegions;
    bool ssnSpaces = true, ssnDots = true;
    std::vector<std::string> ssnContext{"ssn", "social security", "ss#", "ss #"};
    std::size_t ssnWindow = 24;
    std::size_t cardMin = 12, cardMax = 19;
    bool sqlEmbedded = false;
    std::vector<std::string> sqlKeywords;
    FieldFilter multiline;
    FieldFilter singleLine;
    std::size_t maxLength = 0;
    SchemaCheck check = SchemaCheck::NotObject;
    std::size_t maxRows = 10000;
    std::map<std::string, std::string> aliases;
    std::map<std::string, int> layers;
    std::vector<std::string> outcomeSuffixes; ///< "_blocked": the type names what was stopped
    double threshold = 0.5;           ///< classifier: report at or above this score
    std::size_t showNgrams = 5;       ///< classifier: n-grams named in the message
    bool gateNonAscii = true;         ///< classifier: run on any text that is not ASCII
    std::size_t minChars = 0;         ///< classifier: shorter fields are left to the phrases
    std::vector<std::string> gateWords; ///< classifier: phrase-view words that let it run
};

/// What a pattern id in a database stands for: a rule's pattern or a built-in trigger.
struct PatternRef
{
    int rule = -1; ///< index into compiled rules, or -1 for a trigger
    unsigned trigger = 0;
};

/// Which rules apply to one (event type, field path), plus derived switches.
/// What the fast scans of the joined fields found for one field (Scanner::scan).
struct FieldPlan;
struct FieldGate
{
    const FieldPlan* plan = nullptr;
    bool joined = false; ///< ASCII, part of the joined scans; else scanned on its own
    unsigned trigger = 0;
    bool rawHit = false;
    bool phraseHit = false;
    std::size_t rawBegin = 0, rawEnd = 0;
    std::size_t phraseBegin = 0, phraseEnd = 0;
};

struct FieldPlan
{
    std::vector<char> applies;
    bool anyPhrase = false;
    bool anyRawPattern = false;
    bool multiline = false;  ///< for log_forged_record
    bool singleLine = false; ///< for log_control
    int encoded = -1;
    int hiddenText = -1;
    int email = -1;
    int phone = -1, ssn = -1, card = -1, iban = -1;
    int forged = -1, escape = -1, control = -1;
    int classifier = -1;
    std::vector<int> length, sqlStatement, sqlEmbedded;
};

std::string where(std::string_view path)
{
    if (path == "details.query")
        return "user query";
    if (path.starts_with("details.output"))
        return "agent output";
    if (path.starts_with("details.plan"))
        return "agent plan";
    if (path.starts_with("details.filters")) {
        if (path.ends_with(".column"))
            return "filter column";
        return "filter value";
    }
    if (path == "details.reason")
        return "escalation reason";
    if (path == "details.stack_trace")
        return "stack trace";
    if (path == "details.sql")
        return "SQL";
    if (path == "details.input")
        return "worker input";
    if (path.starts_with("details.details"))
        return "security event details";
    if (path.starts_with("details.dimension") || path.starts_with("details.group_by"))
        return "dimension name";
    return "event details";
}

std::string formatMessage(const std::string& tmpl, std::string_view path, std::string_view type)
{
    std::string out = tmpl;
    for (std::size_t p = out.find("{where}"); p != std::string::npos; p = out.find("{where}", p))
        out.replace(p, 7, where(path));
    for (std::size_t p = out.find("{type}"); p != std::string::npos; p = out.find("{type}", p))
        out.replace(p, 6, type);
    return out;
}

/// Phrase pattern as written in a pack -> Hyperscan expression over the phrase view: a
/// space matches an optional separator and the phrase is anchored at word boundaries.
std::string phraseExpression(const std::string& p)
{
    std::string body;
    for (char c : p)
        body += c == ' ' ? std::string("[ :]?") : std::string(1, c);
    std::string e = "\\b(?:" + body + ")";
    if (!p.empty() && p.back() != ':' && p.back() != ' ')
        e += "\\b";
    return e;
}

enum ByteClass : unsigned char
{
    CBase64 = 1, ///< [A-Za-z0-9+/_-]
    CHex = 2,    ///< [0-9A-Fa-f]
    CHexSep = 4, ///< between hex pairs: ` `, `:`, `-`
    CDigit = 8,
    CNumberSep = 16, ///< between digit groups: ` `, `.`, `-`
    CSpecial = 32,   ///< `(`, `+`, `%`, `\`, `&`: checked where they stand
    CHigh = 64,      ///< not ASCII
};

constexpr std::array<unsigned char, 256> kByteClass = [] {
    std::array<unsigned char, 256> t{};
    for (int c = 0; c < 256; ++c) {
        const bool digit = c >= '0' && c <= '9';
        const bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
        const bool hex = digit || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
        unsigned k = 0;
        if (digit || alpha || c == '+' || c == '/' || c == '_' || c == '-')
            k |= CBase64;
        if (hex)
            k |= CHex;
        if (c == ' ' || c == ':' || c == '-')
            k |= CHexSep;
        if (digit)
            k |= CDigit;
        if (c == ' ' || c == '.' || c == '-')
            k |= CNumberSep;
        if (c == '(' || c == '+' || c == '%' || c == '\\' || c == '&')
            k |= CSpecial;
        if (c >= 0x80)
            k |= CHigh;
        t[std::size_t(c)] = static_cast<unsigned char>(k);
    }
    return t;
}();

/// What byteTriggers() needs from every byte: the longest base64 and hex runs, the digit
/// count, and which classes occur at all.
struct ByteSummary
{
    std::size_t longestBase64 = 0, longestHex = 0, digits = 0;
    unsigned seen = 0; ///< ByteClass bits
};

/// Longest run of set bits in a stream of 16-bit block masks (bit 0 = first byte).
struct RunTracker
{
    std::size_t run = 0, longest = 0;

    void add(unsigned m)
    {
        if (m == 0xFFFF) {
            run += 16;
        } else {
            const auto lead = static_cast<std::size_t>(__builtin_ctz(~m));
            longest = std::max(longest, run + lead);
            std::size_t inner = 0; // longest run inside the block
            for (unsigned x = m; x; x &= x >> 1)
                ++inner;
            longest = std::max(longest, inner);
            const unsigned zeros = ~m & 0xFFFF;
            run = static_cast<std::size_t>(15 - (31 - __builtin_clz(zeros))); // ones at the top
        }
        longest = std::max(longest, run);
    }
};

ByteSummary summarize(std::string_view t)
{
    ByteSummary out;
    std::size_t i = 0;
#if defined(__SSE2__)
    RunTracker b64, hex;
    __m128i digitSums = _mm_setzero_si128();
    unsigned hexSep = 0, special = 0, high = 0;
    auto block = [&](const char* p) {
        const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
        auto eq = [&](char c) { return _mm_cmpeq_epi8(v, _mm_set1_epi8(c)); };
        auto range = [&](char lo, char hi) { // ASCII bounds: bytes >= 0x80 are negative, outside
            return _mm_and_si128(_mm_cmpgt_epi8(v, _mm_set1_epi8(static_cast<char>(lo - 1))),
                                 _mm_cmplt_epi8(v, _mm_set1_epi8(static_cast<char>(hi + 1))));
        };
        const __m128i digit = range('0', '9');
        const __m128i dash = eq('-');
        const __m128i hexMask = _mm_or_si128(digit, _mm_or_si128(range('a', 'f'), range('A', 'F')));
        const __m128i b64Mask = _mm_or_si128(
            _mm_or_si128(_mm_or_si128(digit, range('a', 'z')), _mm_or_si128(range('A', 'Z'), dash)),
            _mm_or_si128(_mm_or_si128(eq('+'), eq('/')), eq('_')));
        b64.add(static_cast<unsigned>(_mm_movemask_epi8(b64Mask)));
        hex.add(static_cast<unsigned>(_mm_movemask_epi8(hexMask)));
        digitSums = _mm_add_epi64(
            digitSums, _mm_sad_epu8(_mm_and_si128(digit, _mm_set1_epi8(1)), _mm_setzero_si128()));
        hexSep |= static_cast<unsigned>(
            _mm_movemask_epi8(_mm_or_si128(_mm_or_si128(eq(' '), eq(':')), dash)));
        special |= static_cast<unsigned>(_mm_movemask_epi8(_mm_or_si128(
            _mm_or_si128(_mm_or_si128(eq('('), eq('+')), _mm_or_si128(eq('%'), eq('\\'))),
            eq('&'))));
        high |= static_cast<unsigned>(_mm_movemask_epi8(v));
    };
    for (; i + 16 <= t.size(); i += 16)
        block(t.data() + i);
    if (i < t.size()) { // the tail, zero-padded: zero bytes belong to no class
        char tail[16] = {};
        std::memcpy(tail, t.data() + i, t.size() - i);
        block(tail);
        i = t.size();
    }
    b64.add(0); // close a run that reached the end
    hex.add(0);
    out.longestBase64 = b64.longest;
    out.longestHex = hex.longest;
    out.digits =
        static_cast<std::size_t>(_mm_cvtsi128_si32(digitSums) + _mm_extract_epi16(digitSums, 4));
    out.seen = (hexSep ? unsigned(CHexSep) : 0u) | (special ? unsigned(CSpecial) : 0u) |
               (high ? unsigned(CHigh) : 0u) | (out.digits ? unsigned(CDigit) : 0u);
#else
    std::size_t b64 = 0, hex = 0;
    for (; i < t.size(); ++i) {
        const unsigned char k = kByteClass[static_cast<unsigned char>(t[i])];
        b64 = (k & CBase64) ? b64 + 1 : 0;
        hex = (k & CHex) ? hex + 1 : 0;
        out.longestBase64 = std::max(out.longestBase64, b64);
        out.longestHex = std::max(out.longestHex, hex);
        out.digits += (k & CDigit) != 0;
        out.seen |= k;
    }
#endif
    return out;
}

/// The prefilters that are plain byte runs, found in one pass (they have no literal for
/// Hyperscan to anchor on, and the run patterns matched at nearly every byte of a hash):
/// - TBase64: a run of at least `minBase64` base64 (or base64url) letters;
/// - THex: a run of `minHex` hex digits, or eight hex pairs joined by ` `, `:` or `-`;
/// - TNumber: nine digits in groups joined by single ` `, `.` or `-` (phone numbers, SSNs
///   and cards all have that many), `(ddd)`, or `+` before a digit;
/// - TEscapes: `%hh`, `\xhh`, `\uhhhh`, `&#[x]h{1,6};` or `&name;` (2 to 6 letters).
/// Each is a superset of what its validators accept; they decide whether those run.
unsigned byteTriggers(std::string_view t, std::size_t minBase64, std::size_t minHex,
                      bool* ascii = nullptr)
{
    const std::size_t n = t.size();
    auto cls = [&](std::size_t i) {
        return i < n ? kByteClass[static_cast<unsigned char>(t[i])] : static_cast<unsigned char>(0);
    };

    const ByteSummary sum = summarize(t);
    const std::size_t longestB64 = sum.longestBase64, longestHex = sum.longestHex;
    const std::size_t digitCount = sum.digits;
    const unsigned seen = sum.seen;
    if (ascii)
        *ascii = !(seen & CHigh);
    unsigned out = 0;
    if (longestB64 >= minBase64)
        out |= TBase64;
    if (longestHex >= minHex)
        out |= THex;

    if (minHex != SIZE_MAX && !(out & THex) && (seen & CHexSep) && n >= 23) {
        for (std::size_t i = 0; i + 23 <= n && !(out & THex); ++i) {
            bool grouped = true;
            for (std::size_t g = 0; g < 8 && grouped; ++g) {
                const std::size_t at = i + 3 * g;
                grouped =
                    (cls(at) & CHex) && (cls(at + 1) & CHex) && (g == 7 || (cls(at + 2) & CHexSep));
            }
            if (grouped)
                out |= THex;
        }
    }

    if (digitCount >= 9) {
        std::size_t digits = 0;
        bool afterSep = false;
        for (std::size_t i = 0; i < n && !(out & TNumber); ++i) {
            const unsigned char k = kByteClass[static_cast<unsigned char>(t[i])];
            if (k & CDigit) {
                afterSep = false;
                if (++digits >= 9)
                    out |= TNumber;
            } else if ((k & CNumberSep) && digits > 0 && !afterSep) {
                afterSep = true;
            } else {
                digits = 0;
                afterSep = false;
            }
        }
    }

    if (!(seen & CSpecial))
        return out;
    auto run = [&](std::size_t from, unsigned char mask, std::size_t max) {
        std::size_t k = 0;
        while (k < max && (cls(from + k) & mask))
            ++k;
        return k;
    };
    for (std::size_t i = 0; i < n; ++i) {
        if (!(kByteClass[static_cast<unsigned char>(t[i])] & CSpecial))
            continue;
        switch (t[i]) {
        case '(':
            if (run(i + 1, CDigit, 3) == 3 && i + 4 < n && t[i + 4] == ')')
                out |= TNumber;
            break;
        case '+':
            if (cls(i + 1) & CDigit)
                out |= TNumber;
            break;
        case '%':
            if (run(i + 1, CHex, 2) == 2)
                out |= TEscapes;
            break;
        case '\\':
            if (i + 1 < n && (t[i + 1] == 'x' || t[i + 1] == 'X') && run(i + 2, CHex, 2) == 2)
                out |= TEscapes;
            if (i + 1 < n && (t[i + 1] == 'u' || t[i + 1] == 'U') && run(i + 2, CHex, 4) == 4)
                out |= TEscapes;
            break;
        case '&': {
            std::size_t j = i + 1;
            if (j < n && t[j] == '#') {
                ++j;
                if (j < n && (t[j] == 'x' || t[j] == 'X'))
                    ++j;
                const std::size_t h = run(j, CHex, 7);
                if (h >= 1 && h <= 6 && j + h < n && t[j + h] == ';')
                    out |= TEscapes;
            } else {
                std::size_t letters = 0;
                while (j + letters < n && letters < 7 && isAsciiAlpha(t[j + letters]))
                    ++letters;
                if (letters >= 2 && letters <= 6 && j + letters < n && t[j + letters] == ';')
                    out |= TEscapes;
            }
            break;
        }
        default:
            break;
        }
    }
    return out;
}

/// True when `e` holds `^`, `$`, `\A`, `\z`, `\Z` or `\G` outside a character class:
/// its matches depend on the buffer's edges, not only on the field's bytes.
bool anchored(std::string_view e)
{
    bool inClass = false;
    for (std::size_t i = 0; i < e.size(); ++i) {
        const char c = e[i];
        if (c == '\\') {
            if (i + 1 < e.size() && !inClass &&
                std::string_view("AzZG").find(e[i + 1]) != std::string_view::npos)
                return true;
            ++i;
            continue;
        }
        if (inClass) {
            if (c == ']')
                inClass = false;
            continue;
        }
        if (c == '[') {
            inClass = true;
            // A `]` (after an optional `^`) right after `[` is a literal member.
            if (i + 1 < e.size() && e[i + 1] == '^')
                ++i;
            if (i + 1 < e.size() && e[i + 1] == ']')
                ++i;
        } else if (c == '^' || c == '$') {
            return true;
        }
    }
    return false;
}

FindingSeverity severityFromWord(std::string_view w, FindingSeverity fallback)
{
    if (auto s = findingSeverityFromString(w))
        return *s;
    if (w == "info")
        return FindingSeverity::Low;
    if (w == "warning" || w == "warn")
        return FindingSeverity::Medium;
    if (w == "error")
        return FindingSeverity::High;
    return fallback;
}

} // namespace

// -------------------------------------------------------------------------------------------
// Scratch

struct ScanScratch::Impl
{
    const void* owner = nullptr;
    hs_scratch* hs = nullptr;
    MappedText raw;
    std::vector<TagPayload> tags;
    std::string norm;
    std::vector<int> normSrc;
    std::vector<HsMatch> matches;
    std::vector<HsMatch> som;
    std::vector<Finding> field;
    std::vector<std::size_t> fieldRule; ///< compiled rule index of each `field` entry
    std::vector<PiiHit> pii;
    std::vector<LogHit> log;
    std::vector<SqlKeywordHit> sql;
    std::vector<SqlToken> sqlTokens;

    /// The event's ASCII fields, joined for one fast scan per view (see Scanner::scan).
    std::string joinedRaw, joinedPhrase;
    std::vector<FieldGate> gates;

    /// Field plans by event type, then by path (looked up without building a key).
    struct PathHash
    {
        using is_transparent = void;
        std::size_t operator()(std::string_view s) const
        {
            return std::hash<std::string_view>{}(s);
        }
    };
    using PathPlans = std::unordered_map<std::string, FieldPlan, PathHash, std::equal_to<>>;
    std::vector<std::pair<std::string, PathPlans>> plans;
    std::size_t lastType = 0;
    std::size_t planCount = 0;

    ~Impl() { hs_free_scratch(hs); }
};

ScanScratch::ScanScratch() : m_impl(std::make_unique<Impl>()) {}
ScanScratch::~ScanScratch() = default;

// -------------------------------------------------------------------------------------------
// Scanner

struct Scanner::Impl
{
    std::vector<RuleInfo> rules;
    std::vector<CompiledRule> compiled;
    std::vector<std::size_t> eventLevel; ///< compiled rules judged per event, not per field
    std::vector<PatternRef> refs;
    PatternSet rawFast, rawSom, phraseFast, phraseSom;
    SecretAllowlist allowInfo;
    SecretAllowlistMatcher allowlist; ///< what no secret rule reports
    /// Every fast-scan expression gives the same matches inside a field whether the field
    /// is scanned alone or joined with others (no `^`, `$` or other buffer anchors).
    bool joinable = true;
    /// Shortest base64 and hex runs the encoded-payload rules decode (SIZE_MAX: none).
    std::size_t runBase64 = SIZE_MAX, runHex = SIZE_MAX;
    TextNormalizer normalizer;
    NumberOptions numberBase;
    std::unique_ptr<PhonePlan> phonePlan; ///< numberBase.phonePlan points here
    std::optional<InjectionClassifier> classifier; ///< loaded when a classifier rule is on

    explicit Impl(const RulePack& pack)
        : rules(pack.rules()), allowInfo(pack.secretAllowlist()), normalizer(pack.confusables())
    {
    }

    Result<void> compileRules();
    const FieldPlan& plan(ScanScratch::Impl& s, const AuditEvent& ev, std::string_view path) const;

    void scanField(const AuditEvent& ev, const TextField& tf, ScanScratch::Impl& s,
                   std::vector<Finding>& out, const FieldGate* gate) const;
    void gateFields(std::span<const AuditEvent* const> events, ScanScratch::Impl& s) const;
    void scanEvent(const AuditEvent& ev, ScanScratch::Impl& s, std::vector<Finding>& out) const;

    void add(const CompiledRule& r, std::string_view path, int start, int end,
             std::vector<Finding>& out) const
    {
        Finding f;
        f.rule = r.info->id;
        f.category = r.info->category;
        f.layer = r.info->layer;
        f.severity = r.info->severity;
        f.field = std::string(path);
        f.start = start;
        f.end = end;
        f.message = formatMessage(r.info->message, path, {});
        out.push_back(std::move(f));
    }
    /// A finding inside the current text field; finishField() orders and merges them.
    void addField(const CompiledRule& r, std::string_view path, int start, int end,
                  ScanScratch::Impl& s) const;

    void phrases(TextRef ref, const FieldPlan& p, std::string_view path, ScanScratch::Impl& s,
                 const FieldGate* gate, unsigned& trig) const;
    void rawPatterns(TextRef ref, const FieldPlan& p, std::string_view path,
                     ScanScratch::Impl& s) const;
    void encoded(TextRef ref, unsigned trig, const FieldPlan& p, std::string_view path,
                 ScanScratch::Impl& s) const;
    bool payloadHasPhrase(std::string_view text, int depth, const CompiledRule& enc,
                          const FieldPlan& p, ScanScratch::Impl& s) const;
    bool phraseHit(std::string_view norm, const FieldPlan& p, ScanScratch::Impl& s,
                   unsigned* trig = nullptr) const;
    void classify(TextRef ref, std::string_view value, unsigned trig, const FieldPlan& p,
                  std::string_view path, ScanScratch::Impl& s) const;
    void pii(TextRef ref, unsigned trig, const FieldPlan& p, std::string_view path,
             ScanScratch::Impl& s) const;
    void sql(TextRef ref, unsigned trig, const FieldPlan& p, std::string_view path,
             ScanScratch::Impl& s) const;
    void logs(TextRef ref, unsigned trig, const FieldPlan& p, std::string_view path,
              ScanScratch::Impl& s) const;
    void finishField(ScanScratch::Impl& s, std::vector<Finding>& out) const;
};

namespace {

/// Reads the typed parameters of `r` from its validated JSON.
void readParams(CompiledRule& r)
{
    const nlohmann::json p = nlohmann::json::parse(r.info->paramsJson);
    auto num = [&](const char* k, auto& out) {
        if (p.contains(k))
            out = p[k].get<std::remove_reference_t<decltype(out)>>();
    };
    auto list = [&](const char* k, std::vector<std::string>& out) {
        if (p.contains(k))
            out = p[k].get<std::vector<std::string>>();
    };
    num("caseless", r.caseless);
    if (r.kind == Kind::Token) {
        r.token.minEntropy = 3.0;
        r.token.minLength = 16;
        num("min_entropy", r.token.minEntropy);
        num("min_length", r.token.minLength);
        num("min_classes", r.token.minClasses);
        num("min_segment", r.token.minSegment);
        num("max_length", r.token.maxLength);
        num("base64", r.token.base64);
        list("prefixes", r.token.prefixes);
        list("exclude_prefixes", r.token.excludePrefixes);
        list("keywords", r.token.keywords);
        for (std::string& k : r.token.keywords)
            for (char& c : k)
                c = asciiLower(c);
    }
    if (r.kind == Kind::Assignment) {
        r.caseless = true;
        num("caseless", r.caseless);
        num("min_length", r.assign.minLength);
        num("max_length", r.assign.maxLength);
        num("min_entropy", r.assign.minEntropy);
        num("min_classes", r.assign.minClasses);
        list("exclude_keys", r.assign.excludeKeys);
        list("exclude_key_suffixes", r.assign.excludeKeySuffixes);
        list("keywords", r.assign.keywords);
        for (auto* l : {&r.assign.excludeKeys, &r.assign.excludeKeySuffixes, &r.assign.keywords})
            for (std::string& k : *l)
                for (char& c : k)
                    c = asciiLower(c);
    }
    if (r.kind == Kind::BasicAuth || r.kind == Kind::ConnectionString) {
        r.caseless = true;
        num("caseless", r.caseless);
    }
    if (r.kind == Kind::ConnectionString) {
        num("min_length", r.conn.minLength);
        list("context_words", r.conn.contextWords);
        for (std::string& k : r.conn.contextWords)
            for (char& c : k)
                c = asciiLower(c);
    }
    num("min_body", r.minBody);
    if (p.contains("encodings")) {
        const auto e = p["encodings"].get<std::vector<std::string>>();
        auto has = [&](const char* n) { return std::find(e.begin(), e.end(), n) != e.end(); };
        r.encBase64 = has("base64");
        r.encHex = has("hex");
        r.encEscapes = has("escapes");
        r.encTags = has("tags");
    }
    num("min_base64", r.minBase64);
    num("min_hex", r.minHex);
    num("max_depth", r.maxDepth);
    num("min_printable", r.minPrintable);
    num("min_chars", r.hiddenMin);
    num("obfuscated", r.emailObfuscated);
    num("bare_nanp", r.bareNanp);
    num("international", r.international);
    if (p.contains("international_check"))
        r.internationalValid = p["international_check"].get<std::string>() == "valid";
    list("default_regions", r.phoneRegions);
    num("allow_spaces", r.ssnSpaces);
    num("allow_dots", r.ssnDots);
    list("context_words", r.ssnContext);
    num("context_window", r.ssnWindow);
    num("min_digits", r.cardMin);
    num("max_digits", r.cardMax);
    if (p.contains("mode"))
        r.sqlEmbedded = p["mode"].get<std::string>() == "embedded";
    if (r.kind == Kind::Sql)
        list("keywords", r.sqlKeywords);
    for (std::string& k : r.sqlKeywords)
        for (char& c : k)
            c = (c >= 'a' && c <= 'z') ? char(c - 32) : c;
    std::vector<std::string> globs;
    if (p.contains("multiline_fields")) {
        list("multiline_fields", globs);
        r.multiline.set(globs, {});
    }
    if (p.contains("single_line_fields")) {
        list("single_line_fields", globs);
        r.singleLine.set(globs, {});
    }
    num("max", r.maxLength);
    if (p.contains("check")) {
        const std::string c = p["check"].get<std::string>();
        r.check = c == "missing_field"  ? SchemaCheck::MissingField
                  : c == "wrong_type"   ? SchemaCheck::WrongType
                  : c == "out_of_range" ? SchemaCheck::OutOfRange
                  : c == "row_limit"    ? SchemaCheck::RowLimit
                                        : SchemaCheck::NotObject;
    }
    num("max_rows", r.maxRows);
    if (p.contains("aliases"))
        r.aliases = p["aliases"].get<std::map<std::string, std::string>>();
    if (p.contains("layers"))
        r.layers = p["layers"].get<std::map<std::string, int>>();
    if (p.contains("outcome_suffixes"))
        r.outcomeSuffixes = p["outcome_suffixes"].get<std::vector<std::string>>();
    if (r.kind == Kind::Classifier) {
        num("threshold", r.threshold);
        num("show_ngrams", r.showNgrams);
        num("gate_non_ascii", r.gateNonAscii);
        num("min_chars", r.minChars);
        list("gate_words", r.gateWords);
    }
}

struct TriggerDef
{
    unsigned bit;
    std::string expression;
    unsigned flags;
};

} // namespace

Result<void> Scanner::Impl::compileRules()
{
    for (const RuleInfo& info : rules) {
        if (!info.enabled || isSessionKind(info.kind)) // session kinds: QueryAnomalyTracker
            continue;
        CompiledRule r;
        r.info = &info;
        const auto k = std::find_if(kKindNames.begin(), kKindNames.end(),
                                    [&](const auto& e) { return e.first == info.kind; });
        if (k == kKindNames.end())
            return fail("rules.invalid", info.source + ".kind: unknown kind " + info.kind);
        r.kind = k->second;
        r.fields.set(info.fields, info.excludeFields);
        r.allEvents = info.eventTypes.empty();
        for (const std::string& t : info.eventTypes) {
            const EventKind k = eventKindFromType(t);
            if (k == EventKind::Custom)
                r.customTypes.push_back(t);
            else
                r.kindMask |= 1u << unsigned(k);
        }
        readParams(r);
        if (r.kind == Kind::DetailsLength || r.kind == Kind::Schema ||
            r.kind == Kind::SecurityEvent)
            eventLevel.push_back(compiled.size());
        compiled.push_back(std::move(r));
    }

    std::vector<HsPattern> rawFastP, rawSomP, phraseFastP, phraseSomP;
    struct Origin
    {
        int rule;
        int pattern;
    };
    std::vector<Origin> rawOrigins, phraseOrigins;
    for (std::size_t ri = 0; ri < compiled.size(); ++ri) {
        const CompiledRule& r = compiled[ri];
        const bool raw = isRawPatternKind(r.kind);
        if (!raw && r.kind != Kind::Phrase)
            continue;
        for (std::size_t pi = 0; pi < r.info->patterns.size(); ++pi) {
            const unsigned id = unsigned(refs.size());
            refs.push_back(PatternRef{int(ri), 0});
            if (raw) {
                const unsigned flags = r.caseless ? HS_FLAG_CASELESS : 0u;
                rawFastP.push_back(HsPattern{r.info->patterns[pi], flags, id});
                rawSomP.push_back(
                    HsPattern{r.info->patterns[pi], flags | HS_FLAG_SOM_LEFTMOST, id});
                rawOrigins.push_back(Origin{int(ri), int(pi)});
            } else {
                const std::string e = phraseExpression(r.info->patterns[pi]);
                phraseFastP.push_back(HsPattern{e, 0, id});
                phraseSomP.push_back(HsPattern{e, HS_FLAG_SOM_LEFTMOST, id});
                phraseOrigins.push_back(Origin{int(ri), int(pi)});
            }
        }
    }

    // Triggers, sized by the rules that use them.
    std::size_t minBase64 = 4096, minHex = 4096;
    std::vector<std::string> sqlWords;
    for (const CompiledRule& r : compiled) {
        if (r.kind == Kind::Encoded) {
            if (r.encBase64)
                minBase64 = std::min(minBase64, r.minBase64);
            if (r.encHex)
                minHex = std::min(minHex, r.minHex);
        }
        if (r.kind == Kind::Sql && r.sqlEmbedded)
            for (const std::string& w : r.sqlKeywords)
                if (std::find(sqlWords.begin(), sqlWords.end(), w) == sqlWords.end())
                    sqlWords.push_back(w);
    }
    std::vector<TriggerDef> triggers{
        // Bytes 0x80-0xFD stand for the UTF-8 of internationalized local parts and domains
        // (0xFF joins the fields of an event, and UTF-8 never holds 0xFE or 0xFF).
        {TEmail,
         R"([A-Za-z0-9._%+\x80-\xFD-]@[A-Za-z0-9\x80-\xFD-]+(?:\.[A-Za-z0-9\x80-\xFD-]+)*\.(?:[A-Za-z]{2}|[\x80-\xFD]))",
         0},
        {TEmailObfuscated, R"([\[({] ?at ?[\])}])", HS_FLAG_CASELESS},
        {TLineBreak, R"([\r\n]|\xC2\x85|\xE2\x80[\xA8\xA9])", 0},
        {TEsc, R"(\x1B|\xC2[\x90\x9B\x9D\x9E\x9F])", 0},
        {TControl, R"([\x00-\x08\x0B\x0C\x0D\x0E-\x1A\x1C-\x1F\x7F]|\xC2[\x80-\x9F])", 0},
    };
    // Runs of base64 or hex letters, digit groups and escapes: byteTriggers(), not Hyperscan.
    if (minBase64 < 4096)
        runBase64 = minBase64;
    if (minHex < 4096)
        runHex = minHex;
    if (!sqlWords.empty()) {
        std::string e = "\\b(?:";
        for (std::size_t i = 0; i < sqlWords.size(); ++i)
            e += (i ? "|" : "") + sqlWords[i];
        e += ")\\b";
        triggers.push_back({TSqlKeyword, e, HS_FLAG_CASELESS});
    }
    for (const TriggerDef& t : triggers) {
        const unsigned id = unsigned(refs.size());
        refs.push_back(PatternRef{-1, t.bit});
        rawFastP.push_back(HsPattern{t.expression, t.flags, id});
        rawOrigins.push_back(Origin{-1, -1});
    }
    // The classifier's gate words ride along in the fast phrase scan: no extra pass.
    std::vector<std::string> gateWords;
    for (const CompiledRule& r : compiled)
        if (r.kind == Kind::Classifier)
            for (const std::string& w : r.gateWords)
                if (std::find(gateWords.begin(), gateWords.end(), w) == gateWords.end())
                    gateWords.push_back(w);
    for (const std::string& w : gateWords) {
        const unsigned id = unsigned(refs.size());
        refs.push_back(PatternRef{-1, TClassifierWord});
        phraseFastP.push_back(HsPattern{phraseExpression(w), 0, id});
        phraseOrigins.push_back(Origin{-1, -1});
    }

    // Fast scans run on fields joined per event (Scanner::scan) unless an expression
    // depends on where the buffer starts or ends. Without single-match flags they report
    // every match end, so each field hears of its own.
    for (const auto* list : {&rawFastP, &phraseFastP})
        for (const HsPattern& p : *list)
            joinable = joinable && !anchored(p.expression);

    // The four databases compile independently; Hyperscan compilation dominates start-up.
    struct Job
    {
        const std::vector<HsPattern>* patterns;
        const std::vector<Origin>* origins;
        PatternSet* into;
        std::future<std::expected<PatternSet, PatternSet::CompileError>> result;
    };
    std::array<Job, 4> jobs{{{&rawFastP, &rawOrigins, &rawFast, {}},
                             {&rawSomP, &rawOrigins, &rawSom, {}},
                             {&phraseFastP, &phraseOrigins, &phraseFast, {}},
                             {&phraseSomP, &phraseOrigins, &phraseSom, {}}}};
    for (Job& j : jobs)
        j.result =
            std::async(std::launch::async, [p = j.patterns] { return PatternSet::compile(*p); });
    std::optional<Error> firstError;
    for (Job& j : jobs) {
        auto set = j.result.get();
        if (set) {
            *j.into = std::move(*set);
            continue;
        }
        if (firstError)
            continue;
        const int idx = set.error().index;
        if (idx >= 0 && std::size_t(idx) < j.origins->size() &&
            (*j.origins)[std::size_t(idx)].rule >= 0) {
            const Origin o = (*j.origins)[std::size_t(idx)];
            firstError = Error{"rules.bad_pattern", compiled[std::size_t(o.rule)].info->source +
                                                        ".patterns[" + std::to_string(o.pattern) +
                                                        "]: " + set.error().message};
        } else {
            firstError = Error{"rules.bad_pattern", "built-in prefilter: " + set.error().message};
        }
    }
    if (firstError)
        return std::unexpected(*firstError);

    SecretAllowlistMatcher::Entries entries{allowInfo.stopwords, allowInfo.values,
                                            allowInfo.repeatRun, allowInfo.ascendingRun};
    auto list = SecretAllowlistMatcher::compile(std::move(entries), allowInfo.patterns);
    if (!list)
        return fail("rules.bad_pattern", "allowlist.patterns[" +
                                             std::to_string(list.error().index) +
                                             "]: " + list.error().message);
    allowlist = std::move(*list);
    return {};
}

const FieldPlan& Scanner::Impl::plan(ScanScratch::Impl& s, const AuditEvent& ev,
                                     std::string_view path) const
{
    if (s.lastType >= s.plans.size() || s.plans[s.lastType].first != ev.eventType) {
        s.lastType = 0;
        while (s.lastType < s.plans.size() && s.plans[s.lastType].first != ev.eventType)
            ++s.lastType;
        if (s.lastType == s.plans.size())
            s.plans.emplace_back(ev.eventType, ScanScratch::Impl::PathPlans{});
    }
    ScanScratch::Impl::PathPlans& byPath = s.plans[s.lastType].second;
    if (auto it = byPath.find(path); it != byPath.end())
        return it->second;
    ++s.planCount; // Scanner::scan bounds the count between events

    FieldPlan p;
    p.applies.assign(compiled.size(), 0);
    for (std::size_t i = 0; i < compiled.size(); ++i) {
        const CompiledRule& r = compiled[i];
        if (!r.appliesTo(ev) || !r.fields.match(path))
            continue;
        p.applies[i] = 1;
        const int idx = int(i);
        switch (r.kind) {
        case Kind::Phrase:
            p.anyPhrase = true;
            break;
        case Kind::Encoded:
            p.encoded = idx;
            break;
        case Kind::HiddenText:
            p.hiddenText = idx;
            break;
        case Kind::Email:
            p.email = idx;
            break;
        case Kind::Phone:
            p.phone = idx;
            break;
        case Kind::Ssn:
            p.ssn = idx;
            break;
        case Kind::CreditCard:
            p.card = idx;
            break;
        case Kind::Iban:
            p.iban = idx;
            break;
        case Kind::Sql:
            (r.sqlEmbedded ? p.sqlEmbedded : p.sqlStatement).push_back(idx);
            break;
        case Kind::LogForged:
            p.forged = idx;
            p.multiline = r.multiline.match(path);
            break;
        case Kind::LogEscape:
            p.escape = idx;
            break;
        case Kind::LogControl:
            p.control = idx;
            p.singleLine = !r.singleLine.include.empty() && r.singleLine.match(path);
            break;
        case Kind::Length:
            p.length.push_back(idx);
            break;
        case Kind::Classifier:
            p.classifier = idx;
            p.anyPhrase = true; // its gate words are found in the phrase scan
            break;
        default:
            if (isRawPatternKind(r.kind))
                p.anyRawPattern = true;
            break;
        }
    }
    return byPath.emplace(std::string(path), std::move(p)).first->second;
}

bool Scanner::Impl::phraseHit(std::string_view norm, const FieldPlan& p, ScanScratch::Impl& s,
                              unsigned* trig) const
{
    s.matches.clear();
    phraseFast.scan(norm, s.hs, s.matches);
    bool hit = false;
    for (const HsMatch& m : s.matches) {
        const PatternRef& pr = refs[m.id];
        if (pr.rule < 0) {
            if (trig)
                *trig |= pr.trigger;
        } else if (p.applies[std::size_t(pr.rule)]) {
            hit = true;
            if (!trig)
                break;
        }
    }
    return hit;
}

void Scanner::Impl::phrases(TextRef ref, const FieldPlan& p, std::string_view path,
                            ScanScratch::Impl& s, const FieldGate* gate, unsigned& trig) const
{
    if (gate) {
        trig |= gate->trigger & TClassifierWord;
        if (!gate->phraseHit)
            return;
    } else {
        normalizer.phrase(ref, s.norm, nullptr);
        if (!phraseHit(s.norm, p, s, &trig))
            return;
    }
    // Rare path: rebuild with the offset map and ask for start offsets.
    normalizer.phrase(ref, s.norm, &s.normSrc);
    s.som.clear();
    phraseSom.scan(s.norm, s.hs, s.som);
    for (const HsMatch& m : s.som) {
        const int ri = refs[m.id].rule;
        if (!p.applies[std::size_t(ri)])
            continue;
        std::size_t b = m.from, e = m.to;
        while (e > b && s.norm[e - 1] == ' ')
            --e;
        if (e <= b)
            continue;
        addField(compiled[std::size_t(ri)], path, s.normSrc[b], s.normSrc[e - 1] + 1, s);
    }
}

void Scanner::Impl::rawPatterns(TextRef ref, const FieldPlan& p, std::string_view path,
                                ScanScratch::Impl& s) const
{
    s.som.clear();
    rawSom.scan(ref.text, s.hs, s.som);
    // One candidate per (pattern, start): the longest end.
    std::sort(s.som.begin(), s.som.end(), [](const HsMatch& a, const HsMatch& b) {
        return a.id != b.id ? a.id < b.id : a.from != b.from ? a.from < b.from : a.to > b.to;
    });
    std::size_t lastId = ~std::size_t(0), lastFrom = ~std::size_t(0);
    for (const HsMatch& m : s.som) {
        if (m.id == lastId && m.from == lastFrom)
            continue;
        lastId = m.id;
        lastFrom = m.from;
        const int ri = refs[m.id].rule;
        if (ri < 0 || !p.applies[std::size_t(ri)])
            continue;
        const CompiledRule& r = compiled[std::size_t(ri)];
        std::optional<ByteSpan> span;
        const AllowCheck allow{&allowlist, s.hs};
        switch (r.kind) {
        case Kind::Regex:
            span = ByteSpan{m.from, m.to};
            break;
        case Kind::Token:
            span = SecretMatcher::token(ref.text, m.from, m.to, r.token, allow);
            break;
        case Kind::Jwt:
            span = SecretMatcher::jwt(ref.text, m.from, m.to, allow);
            break;
        case Kind::Pem:
            span = SecretMatcher::pem(ref.text, m.from, m.to, r.minBody, allow);
            break;
        case Kind::Assignment:
            span = SecretMatcher::assignment(ref.text, m.from, m.to, r.assign, allow);
            break;
        case Kind::BasicAuth:
            span = SecretMatcher::basicAuth(ref.text, m.from, m.to, allow);
            break;
        case Kind::ConnectionString:
            span = SecretMatcher::connectionString(ref.text, m.from, m.to, r.conn, allow);
            break;
        default:
            break;
        }
        if (span && span->second > span->first) {
            const auto [b, e] = ref.span(span->first, span->second);
            addField(r, path, b, e, s);
        }
    }
}

bool Scanner::Impl::payloadHasPhrase(std::string_view text, int depth, const CompiledRule& enc,
                                     const FieldPlan& p, ScanScratch::Impl& s) const
{
    MappedText raw;
    std::vector<TagPayload> tags;
    TextRef ref{text, nullptr};
    if (normalizer.raw(text, nullptr, raw, &tags))
        ref = TextRef{raw.text, raw.src.data()};
    std::string norm;
    normalizer.phrase(ref, norm, nullptr);
    if (phraseHit(norm, p, s))
        return true;
    if (depth >= enc.maxDepth)
        return false;
    if (enc.encTags)
        for (const TagPayload& t : tags)
            if (payloadHasPhrase(t.ascii, depth + 1, enc, p, s))
                return true;
    if (enc.encEscapes) {
        MappedText u;
        if (PayloadDecoder::unescape(ref, u) > 0 && payloadHasPhrase(u.text, depth + 1, enc, p, s))
            return true;
    }
    std::vector<EncodedRun> runs;
    if (enc.encBase64)
        PayloadDecoder::findBase64(ref.text, enc.minBase64, enc.minPrintable, runs);
    if (enc.encHex)
        PayloadDecoder::findHex(ref.text, enc.minHex, enc.minPrintable, runs);
    for (const EncodedRun& r : runs)
        if (payloadHasPhrase(r.decoded, depth + 1, enc, p, s))
            return true;
    return false;
}

void Scanner::Impl::encoded(TextRef ref, unsigned trig, const FieldPlan& p, std::string_view path,
                            ScanScratch::Impl& s) const
{
    const CompiledRule* enc = p.encoded >= 0 ? &compiled[std::size_t(p.encoded)] : nullptr;
    const bool phrasesOn = p.anyPhrase;
    for (const TagPayload& t : s.tags) {
        if (enc && enc->encTags && phrasesOn && payloadHasPhrase(t.ascii, 1, *enc, p, s))
            addField(*enc, path, t.begin, t.end, s);
        else if (p.hiddenText >= 0 &&
                 t.ascii.size() >= compiled[std::size_t(p.hiddenText)].hiddenMin)
            addField(compiled[std::size_t(p.hiddenText)], path, t.begin, t.end, s);
    }
    if (!enc || !phrasesOn)
        return;
    if (enc->encEscapes && (trig & TEscapes)) {
        MappedText u;
        if (PayloadDecoder::unescape(ref, u) > 0) {
            // Decoded in place, so phrase spans map back to the escapes precisely.
            MappedText raw;
            std::vector<TagPayload> tags;
            TextRef uref{u.text, u.src.data()};
            if (normalizer.raw(u.text, u.src.data(), raw, &tags))
                uref = TextRef{raw.text, raw.src.data()};
            std::string norm;
            std::vector<int> src;
            normalizer.phrase(uref, norm, &src);
            if (phraseHit(norm, p, s)) {
                std::vector<HsMatch> som;
                phraseSom.scan(norm, s.hs, som);
                for (const HsMatch& m : som) {
                    if (!p.applies[std::size_t(refs[m.id].rule)])
                        continue;
                    std::size_t e = m.to;
                    while (e > m.from && norm[e - 1] == ' ')
                        --e;
                    if (e > m.from)
                        addField(*enc, path, src[m.from], src[e - 1] + 1, s);
                }
            }
            for (const TagPayload& t : tags)
                if (payloadHasPhrase(t.ascii, 2, *enc, p, s))
                    addField(*enc, path, t.begin, t.end, s);
        }
    }
    std::vector<EncodedRun> runs;
    if (enc->encBase64 && (trig & TBase64))
        PayloadDecoder::findBase64(ref.text, enc->minBase64, enc->minPrintable, runs);
    if (enc->encHex && (trig & (THex | TBase64)))
        PayloadDecoder::findHex(ref.text, enc->minHex, enc->minPrintable, runs);
    for (const EncodedRun& r : runs)
        if (payloadHasPhrase(r.decoded, 1, *enc, p, s)) {
            const auto [b, e] = ref.span(r.begin, r.end);
            addField(*enc, path, b, e, s);
        }
}

void Scanner::Impl::pii(TextRef ref, unsigned trig, const FieldPlan& p, std::string_view path,
                        ScanScratch::Impl& s) const
{
    if (p.email >= 0 && (trig & (TEmail | TEmailObfuscated))) {
        s.pii.clear();
        PiiMatcher::findEmails(
            ref.text, compiled[std::size_t(p.email)].emailObfuscated && (trig & TEmailObfuscated),
            s.pii);
        for (const PiiHit& h : s.pii) {
            const auto [b, e] = ref.span(h.begin, h.end);
            addField(compiled[std::size_t(p.email)], path, b, e, s);
        }
    }
    if ((p.phone >= 0 || p.ssn >= 0 || p.card >= 0 || p.iban >= 0) && (trig & TNumber)) {
        NumberOptions o = numberBase;
        o.phone = p.phone >= 0;
        o.ssn = p.ssn >= 0;
        o.card = p.card >= 0;
        o.iban = p.iban >= 0;
        s.pii.clear();
        PiiMatcher::findNumbers(ref.text, o, s.pii);
        for (const PiiHit& h : s.pii) {
            const int ri = h.kind == NumberKind::Card   ? p.card
                           : h.kind == NumberKind::Ssn  ? p.ssn
                           : h.kind == NumberKind::Iban ? p.iban
                                                        : p.phone;
            const auto [b, e] = ref.span(h.begin, h.end);
            addField(compiled[std::size_t(ri)], path, b, e, s);
        }
    }
}

void Scanner::Impl::sql(TextRef ref, unsigned trig, const FieldPlan& p, std::string_view path,
                        ScanScratch::Impl& s) const
{
    if (!p.sqlStatement.empty()) {
        s.sql.clear();
        SqlTokenizer::statementKeywords(ref.text, s.sql, s.sqlTokens);
        for (int ri : p.sqlStatement) {
            const CompiledRule& r = compiled[std::size_t(ri)];
            for (const SqlKeywordHit& h : s.sql)
                if (std::find(r.sqlKeywords.begin(), r.sqlKeywords.end(), h.keyword) !=
                    r.sqlKeywords.end()) {
                    const auto [b, e] = ref.span(h.begin, h.end);
                    addField(r, path, b, e, s);
                }
        }
    }
    if (p.sqlEmbedded.empty() || !(trig & (TSqlKeyword | TEscapes)))
        return;
    MappedText u;
    const bool escaped = (trig & TEscapes) && PayloadDecoder::unescape(ref, u) > 0;
    for (int ri : p.sqlEmbedded) {
        const CompiledRule& r = compiled[std::size_t(ri)];
        s.sql.clear();
        if (trig & TSqlKeyword)
            SqlTokenizer::embeddedMutations(ref.text, r.sqlKeywords, s.sql);
        for (const SqlKeywordHit& h : s.sql) {
            const auto [b, e] = ref.span(h.begin, h.end);
            addField(r, path, b, e, s);
        }
        if (escaped) { // `%3B%20DROP%20TABLE%20x`
            s.sql.clear();
            SqlTokenizer::embeddedMutations(u.text, r.sqlKeywords, s.sql);
            const TextRef uref{u.text, u.src.data()};
            for (const SqlKeywordHit& h : s.sql) {
                const auto [b, e] = uref.span(h.begin, h.end);
                addField(r, path, b, e, s);
            }
        }
    }
}

void Scanner::Impl::logs(TextRef ref, unsigned trig, const FieldPlan& p, std::string_view path,
                         ScanScratch::Impl& s) const
{
    auto emit = [&](int ri) {
        for (const LogHit& h : s.log) {
            const auto [b, e] = ref.span(h.begin, h.end);
            addField(compiled[std::size_t(ri)], path, b, e, s);
        }
    };
    if (p.forged >= 0 && (trig & TLineBreak)) {
        s.log.clear();
        LogMatcher::findForgedRecords(ref.text, p.multiline, s.log);
        emit(p.forged);
    }
    if (p.escape >= 0 && (trig & TEsc)) {
        s.log.clear();
        LogMatcher::findEscapes(ref.text, s.log);
        emit(p.escape);
    }
    if (p.control >= 0 && ((trig & TControl) || (p.singleLine && (trig & TLineBreak)))) {
        s.log.clear();
        LogMatcher::findControls(ref.text, p.singleLine, s.log);
        emit(p.control);
    }
}

void Scanner::Impl::gateFields(std::span<const AuditEvent* const> events,
                               ScanScratch::Impl& s) const
{
    // Each fast scan costs a fixed setup on top of its bytes, and most fields are short, so
    // the ASCII fields of the events are joined (0xFF, never valid UTF-8, between them) and
    // each view is scanned once. Without buffer anchors (`joinable`), every match inside a
    // field ends inside it and is reported there; a match running over a separator can only
    // add a trigger or a hit that the field's own checks then fail to confirm.
    std::size_t fields = 0;
    for (const AuditEvent* ev : events)
        fields += ev->texts.size();
    s.gates.assign(fields, FieldGate{});
    s.joinedRaw.clear();
    s.joinedPhrase.clear();
    std::size_t i = 0;
    for (const AuditEvent* evp : events)
        for (const TextField& tf : evp->texts) {
            const AuditEvent& ev = *evp;
            const std::size_t at = i++;
            bool ascii = false;
            const unsigned trigger = byteTriggers(tf.value, runBase64, runHex, &ascii);
            if (!ascii)
                continue;
            FieldGate& g = s.gates[at];
            g.plan = &plan(s, ev, tf.path);
            g.joined = true;
            g.trigger = trigger;
            g.rawBegin = s.joinedRaw.size();
            s.joinedRaw += tf.value;
            g.rawEnd = s.joinedRaw.size();
            s.joinedRaw += '\xFF';
            if (g.plan->anyPhrase) {
                normalizer.phrase(TextRef{tf.value, nullptr}, s.norm, nullptr);
                g.phraseBegin = s.joinedPhrase.size();
                s.joinedPhrase += s.norm;
                g.phraseEnd = s.joinedPhrase.size();
                s.joinedPhrase += '\xFF';
            }
        }

    // The field whose bytes [begin, end) hold a match's last byte, or nullptr when it is a
    // separator. Hyperscan reports matches in order of their end, so the search moves forward.
    auto owner = [&](std::size_t to, std::size_t& cursor, bool phrase) -> FieldGate* {
        for (; cursor < s.gates.size(); ++cursor) {
            FieldGate& g = s.gates[cursor];
            if (!g.joined)
                continue;
            const std::size_t b = phrase ? g.phraseBegin : g.rawBegin;
            const std::size_t e = phrase ? g.phraseEnd : g.rawEnd;
            if (phrase && b == e)
                continue; // not in the phrase view
            if (to <= b)
                return nullptr;
            if (to <= e)
                return &g;
        }
        return nullptr;
    };
    auto scanJoined = [&](const PatternSet& set, const std::string& text, bool phrase) {
        s.matches.clear();
        set.scan(text, s.hs, s.matches);
        std::stable_sort(s.matches.begin(), s.matches.end(),
                         [](const HsMatch& a, const HsMatch& b) { return a.to < b.to; });
        std::size_t cursor = 0;
        for (const HsMatch& m : s.matches) {
            FieldGate* g = owner(m.to, cursor, phrase);
            if (!g)
                continue;
            const PatternRef& pr = refs[m.id];
            if (pr.rule < 0)
                g->trigger |= pr.trigger;
            else if (g->plan->applies[std::size_t(pr.rule)])
                (phrase ? g->phraseHit : g->rawHit) = true;
        }
    };
    if (!s.joinedRaw.empty())
        scanJoined(rawFast, s.joinedRaw, false);
    if (!s.joinedPhrase.empty())
        scanJoined(phraseFast, s.joinedPhrase, true);
}

void Scanner::Impl::scanField(const AuditEvent& ev, const TextField& tf, ScanScratch::Impl& s,
                              std::vector<Finding>& out, const FieldGate* gate) const
{
    const FieldPlan& p = gate ? *gate->plan : plan(s, ev, tf.path);
    s.field.clear();
    s.fieldRule.clear();

    for (int ri : p.length) {
        const CompiledRule& r = compiled[std::size_t(ri)];
        const int n = codePointCount(tf.value);
        if (std::size_t(n) > r.maxLength)
            addField(r, tf.path, int(r.maxLength), n, s);
    }

    s.tags.clear();
    TextRef ref{tf.value, nullptr};
    unsigned trig = 0;
    bool rawHit = false;
    if (gate) { // ASCII: its own raw view, already scanned with the event's other fields
        trig = gate->trigger & ~unsigned(TClassifierWord);
        rawHit = gate->rawHit;
    } else {
        if (normalizer.raw(tf.value, nullptr, s.raw, &s.tags))
            ref = TextRef{s.raw.text, s.raw.src.data()};
        trig = byteTriggers(ref.text, runBase64, runHex);
        s.matches.clear();
        rawFast.scan(ref.text, s.hs, s.matches);
        for (const HsMatch& m : s.matches) {
            const PatternRef& pr = refs[m.id];
            if (pr.rule < 0)
                trig |= pr.trigger;
            else if (p.applies[std::size_t(pr.rule)])
                rawHit = true;
        }
    }

    unsigned phraseTrig = 0;
    if (p.anyPhrase)
        phrases(ref, p, tf.path, s, gate, phraseTrig);
    if (p.encoded >= 0 || p.hiddenText >= 0)
        encoded(ref, trig, p, tf.path, s);
    if (rawHit)
        rawPatterns(ref, p, tf.path, s);
    if (trig) {
        pii(ref, trig, p, tf.path, s);
        logs(ref, trig, p, tf.path, s);
    }
    sql(ref, trig, p, tf.path, s);
    if (p.classifier >= 0)
        classify(ref, tf.value, phraseTrig, p, tf.path, s);
    finishField(s, out);
}

void Scanner::Impl::classify(TextRef ref, std::string_view value, unsigned trig,
                             const FieldPlan& p, std::string_view path, ScanScratch::Impl& s) const
{
    const CompiledRule& r = compiled[std::size_t(p.classifier)];
    // The gate: a gate word in the phrase view, or text in a script the words do not cover;
    // and long enough for n-gram statistics to mean something.
    if (!(trig & TClassifierWord) && !(r.gateNonAscii && !isAscii(value)))
        return;
    if (r.minChars && std::size_t(codePointCount(value)) < r.minChars)
        return;
    // A rule already named the field: a second finding would say nothing new.
    for (const Finding& f : s.field)
        if (f.category == "injection")
            return;
    normalizer.phrase(ref, s.norm, &s.normSrc);
    const InjectionClassifier::Score sc = classifier->score(s.norm);
    if (sc.score < r.threshold)
        return;
    int start = 0, end = codePointCount(value);
    std::size_t b = sc.begin, e = sc.end;
    while (e > b && s.norm[e - 1] == ' ')
        --e;
    if (e > b) {
        start = s.normSrc[b];
        end = s.normSrc[e - 1] + 1;
    }
    addField(r, path, start, end, s);
    char num[64];
    std::snprintf(num, sizeof num, " (score %.2f, threshold %.2f", sc.score, r.threshold);
    std::string& msg = s.field.back().message;
    msg += num;
    const auto top = classifier->explain(std::string_view(s.norm).substr(b, sc.end - b),
                                         r.showNgrams);
    for (std::size_t i = 0; i < top.size(); ++i) {
        std::snprintf(num, sizeof num, " +%.2f", top[i].logit);
        msg += (i ? ", \"" : "; top n-grams: \"") + top[i].gram + "\"" + num;
    }
    msg += ')';
}

void Scanner::Impl::addField(const CompiledRule& r, std::string_view path, int start, int end,
                             ScanScratch::Impl& s) const
{
    add(r, path, start, end, s.field);
    s.fieldRule.push_back(std::size_t(&r - compiled.data()));
}

void Scanner::Impl::finishField(ScanScratch::Impl& s, std::vector<Finding>& out) const
{
    const std::vector<Finding>& f = s.field;
    if (f.empty())
        return;
    std::vector<std::size_t> order(f.size());
    for (std::size_t i = 0; i < order.size(); ++i)
        order[i] = i;
    std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
        if (f[a].start != f[b].start)
            return f[a].start < f[b].start;
        if (f[a].end != f[b].end)
            return f[a].end > f[b].end;
        return s.fieldRule[a] < s.fieldRule[b];
    });
    auto overlaps = [](const Finding& a, const Finding& b) {
        return a.start < b.end && b.start < a.end;
    };
    std::vector<Finding> kept;
    std::vector<std::size_t> keptRule;
    for (std::size_t idx : order) {
        const Finding& cur = f[idx];
        const std::size_t ri = s.fieldRule[idx];
        const Kind ki = compiled[ri].kind;
        bool dropCur = false;
        for (std::size_t j = 0; j < kept.size() && !dropCur; ++j) {
            if (!overlaps(cur, kept[j]))
                continue;
            const Kind kj = compiled[keptRule[j]].kind;
            if (keptRule[j] == ri) { // one match found twice: merge
                kept[j].end = std::max(kept[j].end, cur.end);
                dropCur = true;
            } else if (cur.category == "secret" && kept[j].category == "secret" &&
                       (ki == Kind::Assignment || kj == Kind::Assignment)) {
                // A generic `key=value` over a provider token says nothing new.
                if (ki == Kind::Assignment)
                    dropCur = true;
                else {
                    kept[j] = cur;
                    keptRule[j] = ri;
                    dropCur = true;
                }
            } else if (ki == Kind::Encoded && kj == Kind::Phrase) {
                dropCur = true; // plain phrase matching already reported it
            } else if (kj == Kind::Encoded && ki == Kind::Phrase) {
                kept[j] = cur;
                keptRule[j] = ri;
                dropCur = true;
            }
        }
        if (!dropCur) {
            kept.push_back(cur);
            keptRule.push_back(ri);
        }
    }
    order.resize(kept.size());
    for (std::size_t i = 0; i < order.size(); ++i)
        order[i] = i;
    std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
        if (kept[a].start != kept[b].start)
            return kept[a].start < kept[b].start;
        if (kept[a].end != kept[b].end)
            return kept[a].end > kept[b].end;
        return keptRule[a] < keptRule[b];
    });
    for (std::size_t i : order)
        out.push_back(std::move(kept[i]));
}

void Scanner::Impl::scanEvent(const AuditEvent& ev, ScanScratch::Impl& s,
                              std::vector<Finding>& out) const
{
    bool schemaDone = false;
    SchemaReport report;
    for (std::size_t ri : eventLevel) {
        const CompiledRule& r = compiled[ri];
        if (!r.appliesTo(ev))
            continue;
        switch (r.kind) {
        case Kind::DetailsLength:
            if (ev.detailsChars > r.maxLength)
                add(r, "details", -1, -1, out);
            break;
        case Kind::Schema: {
            if (ev.kind != EventKind::WorkerResult || ev.outputSchema.empty())
                break;
            if (!schemaDone) {
                report = SchemaChecker::check(ev.outputSchema, ev.outputJson);
                schemaDone = true;
            }
            const bool hit = r.check == SchemaCheck::NotObject      ? report.notObject
                             : r.check == SchemaCheck::MissingField ? report.missingField
                             : r.check == SchemaCheck::WrongType    ? report.wrongType
                             : r.check == SchemaCheck::OutOfRange   ? report.outOfRange
                                                                    : report.rows > r.maxRows;
            if (hit)
                add(r, "details.output", -1, -1, out);
            break;
        }
        case Kind::SecurityEvent: {
            if (ev.kind != EventKind::SecurityEvent)
                break;
            std::string type;
            for (char c : ev.securityType)
                type += isAsciiAlnum(c) ? asciiLower(c) : '_';
            if (type.empty())
                type = "security_event";
            std::string category = type;
            if (auto a = r.aliases.find(type); a != r.aliases.end()) {
                category = a->second;
            } else {
                // "injection_blocked", "sql_injection_prevented": what the agent stopped is
                // the category, when the part before the outcome is one Vigil knows.
                for (const std::string& suffix : r.outcomeSuffixes) {
                    if (type.size() <= suffix.size() || !type.ends_with(suffix))
                        continue;
                    const std::string base = type.substr(0, type.size() - suffix.size());
                    if (auto b = r.aliases.find(base); b != r.aliases.end()) {
                        category = b->second;
                        break;
                    }
                    if (r.layers.contains(base)) {
                        category = base;
                        break;
                    }
                }
            }
            Finding f;
            f.rule = r.info->id;
            f.category = category;
            const auto layer = r.layers.find(category);
            f.layer = layer != r.layers.end() ? layer->second : r.info->layer;
            static constexpr std::array<FindingSeverity, 4> kFromEvent{
                FindingSeverity::Low, FindingSeverity::Medium, FindingSeverity::High,
                FindingSeverity::Critical};
            f.severity = kFromEvent[std::size_t(ev.severity)];
            for (const TextField& t : ev.texts)
                if (t.path == "details.severity")
                    f.severity = severityFromWord(t.value, f.severity);
            f.field = "details.type";
            f.message = formatMessage(r.info->message, f.field, category);
            out.push_back(std::move(f));
            break;
        }
        default:
            break;
        }
    }
    (void)s;
}

// -------------------------------------------------------------------------------------------

Scanner::Scanner() = default;
Scanner::~Scanner() = default;

Result<std::shared_ptr<const Scanner>> Scanner::create(const RulePack& pack)
{
    std::shared_ptr<Scanner> scanner(new Scanner());
    scanner->m_impl = std::make_unique<Impl>(pack);
    Impl& d = *scanner->m_impl;
    if (auto r = d.compileRules(); !r)
        return std::unexpected(r.error());
    for (const CompiledRule& r : d.compiled) {
        if (r.kind == Kind::Classifier && !d.classifier) {
            auto model = InjectionClassifier::builtin();
            if (!model)
                return std::unexpected(model.error());
            d.classifier = std::move(*model);
        }
        if (r.kind == Kind::Phone) {
            d.numberBase.phoneBareNanp = r.bareNanp;
            d.numberBase.phoneInternational = r.international;
            d.phonePlan = std::make_unique<PhonePlan>(
                r.phoneRegions, r.internationalValid ? PhonePlan::International::Valid
                                                     : PhonePlan::International::Possible);
            d.numberBase.phonePlan = d.phonePlan.get();
        } else if (r.kind == Kind::Ssn) {
            d.numberBase.ssnSpaces = r.ssnSpaces;
            d.numberBase.ssnDots = r.ssnDots;
            d.numberBase.ssnContext = r.ssnContext;
            d.numberBase.ssnContextWindow = r.ssnWindow;
        } else if (r.kind == Kind::CreditCard) {
            d.numberBase.cardMinDigits = r.cardMin;
            d.numberBase.cardMaxDigits = r.cardMax;
        }
    }
    // Fail early when Hyperscan cannot serve the databases.
    if (!scanner->makeScratch())
        return fail("scan.no_memory", "cannot allocate Hyperscan scratch space");
    return std::shared_ptr<const Scanner>(std::move(scanner));
}

std::unique_ptr<ScanScratch> Scanner::makeScratch() const
{
    std::unique_ptr<ScanScratch> s(new ScanScratch());
    s->m_impl->owner = this;
    for (const PatternSet* set : std::initializer_list<const PatternSet*>{
             &m_impl->rawFast, &m_impl->rawSom, &m_impl->phraseFast, &m_impl->phraseSom,
             &m_impl->allowlist.patterns()})
        if (!set->allocScratch(&s->m_impl->hs))
            return nullptr;
    return s;
}

void Scanner::scan(const AuditEvent& event, ScanScratch& scratch, std::vector<Finding>& out) const
{
    const AuditEvent* one = &event;
    std::vector<Finding>* to = &out;
    scan(std::span<const AuditEvent* const>(&one, 1), scratch,
         std::span<std::vector<Finding>* const>(&to, 1));
}

void Scanner::scan(std::span<const AuditEvent* const> events, ScanScratch& scratch,
                   std::span<std::vector<Finding>* const> outs) const
{
    ScanScratch::Impl& s = *scratch.m_impl;
    const Impl& d = *m_impl;
    std::size_t fields = 0;
    for (const AuditEvent* ev : events)
        fields += ev->texts.size();
    // Field plans are cached per path; paths with array indices are unbounded, so the cache
    // is emptied between calls once it grows past a bound (never during one: the gates
    // below hold plans).
    if (s.planCount + fields > 8192) {
        for (auto& t : s.plans)
            t.second.clear();
        s.planCount = 0;
    }
    const bool join = d.joinable && fields > 1;
    if (join)
        d.gateFields(events, s);
    std::size_t g = 0;
    for (std::size_t k = 0; k < events.size(); ++k) {
        const AuditEvent& ev = *events[k];
        std::vector<Finding>& out = *outs[k];
        for (const TextField& tf : ev.texts) {
            const FieldGate* gate = join && s.gates[g].joined ? &s.gates[g] : nullptr;
            ++g;
            d.scanField(ev, tf, s, out, gate);
        }
        d.scanEvent(ev, s, out);
    }
}

const std::vector<RuleInfo>& Scanner::rules() const
{
    return m_impl->rules;
}

// -------------------------------------------------------------------------------------------
// Redaction

std::string redact(std::string_view value, const std::vector<std::pair<int, int>>& spans,
                   const std::vector<std::string>& rules)
{
    struct Span
    {
        int b, e;
        std::string rule;
    };
    const int n = codePointCount(value);
    std::vector<Span> list;
    for (std::size_t i = 0; i < spans.size(); ++i) {
        const int b = std::clamp(spans[i].first, 0, n);
        const int e = std::clamp(spans[i].second, 0, n);
        if (e > b)
            list.push_back(Span{b, e, i < rules.size() ? rules[i] : std::string("unknown")});
    }
    if (list.empty())
        return std::string(value);
    std::sort(list.begin(), list.end(), [](const Span& a, const Span& c) { return a.b < c.b; });
    std::vector<Span> merged;
    for (Span& sp : list) {
        if (!merged.empty() && sp.b < merged.back().e) {
            Span& m = merged.back();
            m.e = std::max(m.e, sp.e);
            if (("+" + m.rule + "+").find("+" + sp.rule + "+") == std::string::npos)
                m.rule += "+" + sp.rule;
        } else {
            merged.push_back(std::move(sp));
        }
    }
    // Byte offset of every code point boundary.
    std::vector<std::size_t> at;
    at.reserve(std::size_t(n) + 1);
    for (std::size_t i = 0; i < value.size();) {
        at.push_back(i);
        decodeUtf8(value, i);
    }
    at.push_back(value.size());
    std::string out;
    std::size_t cursor = 0;
    for (const Span& sp : merged) {
        out.append(value.substr(cursor, at[std::size_t(sp.b)] - cursor));
        out += "[REDACTED:" + sp.rule + "]";
        cursor = at[std::size_t(sp.e)];
    }
    out.append(value.substr(cursor));
    return out;
}

std::string redact(std::string_view value, std::string_view field,
                   const std::vector<Finding>& findings)
{
    std::vector<std::pair<int, int>> spans;
    std::vector<std::string> rules;
    for (const Finding& f : findings)
        if (f.field == field && f.start >= 0 && (f.category == "pii" || f.category == "secret")) {
            spans.emplace_back(f.start, f.end);
            rules.push_back(f.rule);
        }
    return redact(value, spans, rules);
}

} // namespace vigil
