// SPDX-License-Identifier: Apache-2.0
#include "ingest/decoder.h"

#include "base/timeutil.h"

#include "ingest/jsontypename.h"

#include <simdjson.h>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include <array>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

namespace vigil {
namespace {

using simdjson::dom::element;
using simdjson::dom::element_type;
using simdjson::dom::object;

std::unexpected<Rejection> reject(const char* code, std::string message)
{
    return std::unexpected<Rejection>(Rejection{code, std::move(message)});
}

// UTF-8 code points: bytes that are not continuation bytes (10xxxxxx), eight at a time.
std::size_t codePoints(std::string_view s)
{
    std::size_t n = s.size();
    std::size_t i = 0;
#if defined(__SSE2__)
    // Continuation bytes are 0x80..0xBF: below -64 as signed bytes. Per-lane counts are
    // summed (psadbw) before they can wrap.
    const __m128i below = _mm_set1_epi8(-64);
    while (i + 16 <= s.size()) {
        __m128i counts = _mm_setzero_si128();
        for (int k = 0; k < 255 && i + 16 <= s.size(); ++k, i += 16) {
            const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(s.data() + i));
            counts = _mm_sub_epi8(counts, _mm_cmplt_epi8(v, below));
        }
        const __m128i sums = _mm_sad_epu8(counts, _mm_setzero_si128());
        n -= static_cast<std::size_t>(_mm_cvtsi128_si32(sums) + _mm_extract_epi16(sums, 4));
    }
#endif
    for (; i + 8 <= s.size(); i += 8) {
        std::uint64_t w;
        std::memcpy(&w, s.data() + i, 8);
        const std::uint64_t continuation = (w & ~(w << 1) & 0x8080808080808080ULL) >> 7;
        n -= static_cast<std::size_t>((continuation * 0x0101010101010101ULL) >> 56); // byte sum
    }
    for (; i < s.size(); ++i)
        n -= (static_cast<unsigned char>(s[i]) & 0xC0) == 0x80;
    return n;
}

// Printable: no C0 controls, no DEL, no C1 controls (U+0080..U+009F, encoded C2 80..C2 9F).
bool printable(std::string_view s)
{
    for (std::size_t i = 0; i < s.size(); ++i) {
        const auto c = static_cast<unsigned char>(s[i]);
        if (c < 0x20 || c == 0x7F)
            return false;
        if (c == 0xC2 && i + 1 < s.size()) {
            const auto d = static_cast<unsigned char>(s[i + 1]);
            if (d >= 0x80 && d <= 0x9F)
                return false;
        }
    }
    return true;
}

bool isLower(char c)
{
    return c >= 'a' && c <= 'z';
}
bool isDigit(char c)
{
    return c >= '0' && c <= '9';
}
bool isAlnum(char c)
{
    return isLower(c) || isDigit(c) || (c >= 'A' && c <= 'Z');
}

// ^[a-z][a-z0-9_.-]{0,63}$
bool validEventType(std::string_view s)
{
    if (s.empty() || s.size() > 64 || !isLower(s[0]))
        return false;
    for (char c : s.substr(1))
        if (!(isLower(c) || isDigit(c) || c == '_' || c == '.' || c == '-'))
            return false;
    return true;
}

// ^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$
bool validAgentName(std::string_view s)
{
    if (s.empty() || s.size() > 64 || !isAlnum(s[0]))
        return false;
    for (char c : s.substr(1))
        if (!(isAlnum(c) || c == '_' || c == '.' || c == '-'))
            return false;
    return true;
}

// `service:Action`: a lowercase-ish service id, a colon, an action name.
bool validAction(std::string_view s)
{
    const auto colon = s.find(':');
    if (colon == std::string_view::npos || colon == 0 || colon + 1 >= s.size() || s.size() > 256)
        return false;
    for (char c : s.substr(0, colon))
        if (!(isAlnum(c) || c == '-' || c == '_' || c == '.'))
            return false;
    for (char c : s.substr(colon + 1))
        if (!(isAlnum(c) || c == '-' || c == '_' || c == '*' || c == '?'))
            return false;
    return true;
}

const char* typeName(element_type t) { return jsonTypeName(t); }

bool isNumber(element_type t)
{
    return t == element_type::INT64 || t == element_type::UINT64 || t == element_type::DOUBLE;
}

double asDouble(element e)
{
    switch (e.type()) {
    case element_type::INT64:
        return static_cast<double>(int64_t(e));
    case element_type::UINT64:
        return static_cast<double>(uint64_t(e));
    default:
        return double(e);
    }
}

/// Empties `ev` for the next decode but keeps the storage of its strings, so decoding into a
/// reused event allocates nothing for fields that fit. The fields every accepted event sets
/// (timestamp, type, agent, thread, details) are overwritten later and not touched here;
/// nor is a string that is already empty (a recycled event's storage is cold, and clearing
/// writes to it). `texts` keeps its elements too: collectTexts() overwrites them.
void clearForReuse(AuditEvent& ev)
{
    ev.timestampMs = 0;
    ev.kind = EventKind::Custom;
    ev.severity = EventSeverity::Info;
    for (std::string* s :
         {&ev.eventId, &ev.userId, &ev.traceId, &ev.spanId, &ev.model, &ev.workerName, &ev.action,
          &ev.resource, &ev.outcome, &ev.securityType, &ev.outputSchema, &ev.outputJson})
        if (!s->empty())
            s->clear();
    ev.tokens.reset();
    ev.cost.reset();
    ev.confidence.reset();
    ev.bytesScanned.reset();
    ev.detailsChars = 0;
}

/// Text fields the decoder took off events that had more of them than the next event needed,
/// kept for events that need more: an event's `texts` only ever grows or passes its surplus
/// here, so a stream of events with varying numbers of fields allocates nothing in steady
/// state. Bounded in count and in the storage each field may keep.
struct SpareTexts
{
    static constexpr std::size_t kMaxFields = 256;
    static constexpr std::size_t kMaxFieldBytes = 4096;
    std::vector<TextField> fields;

    void grow(std::vector<TextField>& out)
    {
        if (fields.empty()) {
            out.emplace_back();
            return;
        }
        out.push_back(std::move(fields.back()));
        fields.pop_back();
    }

    void trim(std::vector<TextField>& texts, std::size_t used)
    {
        while (texts.size() > used) {
            TextField& t = texts.back();
            if (fields.size() < kMaxFields &&
                t.path.capacity() + t.value.capacity() <= kMaxFieldBytes)
                fields.push_back(std::move(t));
            texts.pop_back();
        }
    }
};

void collectTexts(element e, std::string& path, std::vector<TextField>& out, std::size_t& used,
                  SpareTexts& spare)
{
    switch (e.type()) {
    case element_type::STRING: {
        if (used == out.size())
            spare.grow(out);
        TextField& t = out[used++];
        t.path.assign(path);
        t.value.assign(std::string_view(e));
        break;
    }
    case element_type::OBJECT:
        for (auto field : object(e)) {
            const std::size_t keep = path.size();
            path += '.';
            path += field.key;
            collectTexts(field.value, path, out, used, spare);
            path.resize(keep);
        }
        break;
    case element_type::ARRAY: {
        std::size_t i = 0;
        for (element child : simdjson::dom::array(e)) {
            const std::size_t keep = path.size();
            path += '[';
            path += std::to_string(i++);
            path += ']';
            collectTexts(child, path, out, used, spare);
            path.resize(keep);
        }
        break;
    }
    default:
        break;
    }
}

/// Checks on one details object, by event type. `d` is `details`.
class DetailsChecker
{
public:
    DetailsChecker(object d, AuditEvent& ev) : m_d(d), m_ev(ev) {}

    std::expected<void, Rejection> run()
    {
        switch (m_ev.kind) {
        case EventKind::UserQueryReceived:
            return userQuery();
        case EventKind::BrainPlanCreated:
            return brainPlan();
        case EventKind::WorkerInvoked:
            return workerInvoked();
        case EventKind::WorkerResult:
            return workerResult();
        case EventKind::SqlExecuted:
            return sqlExecuted();
        case EventKind::HumanEscalation:
            return humanEscalation();
        case EventKind::SecurityEvent:
            return securityEvent();
        case EventKind::ErrorOccurred:
            return errorOccurred();
        case EventKind::ToolCall:
            return toolCall();
        case EventKind::Custom:
            return {};
        }
        return {};
    }

private:
    using Check = std::expected<void, Rejection>;

    std::string path(std::string_view key) const { return "details." + std::string(key); }

    // Fetches details.key; `required` decides whether absence is an error.
    std::expected<std::optional<element>, Rejection> get(std::string_view key, bool required)
    {
        element e;
        if (m_d.at_key(key).get(e) != simdjson::SUCCESS) {
            if (required)
                return reject("input.missing_field",
                              "missing field " + path(key) + " for " + m_ev.eventType);
            return std::optional<element>{};
        }
        if (e.is_null() && !required)
            return std::optional<element>{};
        return std::optional<element>{e};
    }

    Check string(std::string_view key, bool required, std::string* out = nullptr)
    {
        auto e = get(key, required);
        if (!e)
            return std::unexpected(e.error());
        if (!*e)
            return {};
        if (!(*e)->is_string())
            return reject("input.bad_type",
                          path(key) + " must be a string, got " + typeName((*e)->type()));
        if (out)
            out->assign(std::string_view(**e));
        return {};
    }

    Check textOrObject(std::string_view key, bool required, std::string* objectOut = nullptr)
    {
        auto e = get(key, required);
        if (!e)
            return std::unexpected(e.error());
        if (!*e)
            return {};
        const element_type t = (*e)->type();
        if (t == element_type::STRING)
            return {};
        if (t == element_type::OBJECT || t == element_type::ARRAY) {
            if (objectOut)
                *objectOut = simdjson::minify(**e);
            return {};
        }
        return reject("input.bad_type",
                      path(key) + " must be text or an object, got " + typeName(t));
    }

    Check number(std::string_view key, bool required, double lo, double hi,
                 std::optional<double>* out = nullptr, bool integer = false,
                 std::optional<std::int64_t>* intOut = nullptr)
    {
        auto e = get(key, required);
        if (!e)
            return std::unexpected(e.error());
        if (!*e)
            return {};
        const element_type t = (*e)->type();
        if (!isNumber(t) || (integer && t == element_type::DOUBLE))
            return reject("input.bad_type",
                          path(key) + (integer ? " must be an integer" : " must be a number") +
                              ", got " + typeName(t));
        const double v = asDouble(**e);
        if (!(v >= lo && v <= hi))
            return reject("input.bad_value", path(key) + " is out of range");
        if (out)
            *out = v;
        if (intOut)
            *intOut = t == element_type::UINT64
                          ? static_cast<std::int64_t>(std::min<uint64_t>(uint64_t(**e), INT64_MAX))
                          : int64_t(**e);
        return {};
    }

    static constexpr double kHuge = 1.0e300;

#define VIGIL_TRY(expr)                                                                            \
    do {                                                                                           \
        if (auto r_ = (expr); !r_)                                                                 \
            return r_;                                                                             \
    } while (0)

    Check userQuery()
    {
        VIGIL_TRY(string("query", true));
        if (!m_ev.userId.empty())
            return string("user_id", false);
        VIGIL_TRY(string("user_id", false, &m_ev.userId));
        if (codePoints(m_ev.userId) > 100)
            m_ev.userId.clear();
        return {};
    }

    Check brainPlan()
    {
        VIGIL_TRY(textOrObject("plan", true));
        VIGIL_TRY(string("model", true, &m_ev.model));
        VIGIL_TRY(number("tokens", true, 0, kHuge, nullptr, true, &m_ev.tokens));
        VIGIL_TRY(number("cost", true, 0, kHuge, &m_ev.cost));
        return {};
    }

    Check workerInvoked()
    {
        VIGIL_TRY(string("worker_name", true, &m_ev.workerName));
        VIGIL_TRY(string("input_hash", true));
        VIGIL_TRY(string("model", true, &m_ev.model));
        VIGIL_TRY(string("input", false));
        auto f = get("filters", false);
        if (!f)
            return std::unexpected(f.error());
        if (*f) {
            if (!(*f)->is_array())
                return reject("input.bad_type", "details.filters must be an array");
            std::size_t i = 0;
            for (element item : simdjson::dom::array(**f)) {
                const std::string p = "details.filters[" + std::to_string(i++) + "]";
                if (!item.is_object())
                    return reject("input.bad_type", p + " must be an object");
                for (const char* key : {"column", "operator"}) {
                    element v;
                    if (item.at_key(key).get(v) != simdjson::SUCCESS)
                        return reject("input.missing_field", "missing field " + p + "." + key);
                    if (!v.is_string())
                        return reject("input.bad_type", p + "." + key + " must be a string");
                }
                element v;
                if (item.at_key("value").get(v) != simdjson::SUCCESS)
                    return reject("input.missing_field", "missing field " + p + ".value");
                if (v.is_object())
                    return reject("input.bad_type", p + ".value must be a scalar or an array");
            }
        }
        return {};
    }

    Check workerResult()
    {
        VIGIL_TRY(string("output_hash", true));
        VIGIL_TRY(number("confidence", true, 0, 1, &m_ev.confidence));
        VIGIL_TRY(number("latency_ms", true, 0, kHuge));
        VIGIL_TRY(textOrObject("output", false, &m_ev.outputJson));
        VIGIL_TRY(string("schema", false, &m_ev.outputSchema));
        if (!m_ev.outputSchema.empty() && m_ev.outputSchema != "metric" &&
            m_ev.outputSchema != "table")
            return reject("input.bad_value", "details.schema must be \"metric\" or \"table\"");
        return {};
    }

    Check sqlExecuted()
    {
        VIGIL_TRY(string("query_hash", true));
        VIGIL_TRY(number("bytes_scanned", true, 0, kHuge, nullptr, true, &m_ev.bytesScanned));
        VIGIL_TRY(number("cost", true, 0, kHuge, &m_ev.cost));
        VIGIL_TRY(string("sql", false));
        VIGIL_TRY(string("table", false));
        return {};
    }

    Check humanEscalation()
    {
        VIGIL_TRY(string("reason", true));
        VIGIL_TRY(number("confidence", true, 0, 1, &m_ev.confidence));
        VIGIL_TRY(string("reviewer", false));
        return {};
    }

    Check securityEvent()
    {
        VIGIL_TRY(string("type", true, &m_ev.securityType));
        if (m_ev.securityType.empty())
            return reject("input.bad_value", "details.type must not be empty");
        VIGIL_TRY(textOrObject("details", true));
        VIGIL_TRY(string("severity", false));
        return {};
    }

    Check errorOccurred()
    {
        VIGIL_TRY(string("error_type", true));
        VIGIL_TRY(string("stack_trace", false));
        VIGIL_TRY(string("state_id", false));
        return {};
    }

    Check toolCall()
    {
        VIGIL_TRY(string("action", true, &m_ev.action));
        if (!validAction(m_ev.action))
            return reject("input.bad_value", "details.action must look like service:Action");
        VIGIL_TRY(string("resource", true, &m_ev.resource));
        if (m_ev.resource.empty())
            return reject("input.bad_value", "details.resource must not be empty");
        VIGIL_TRY(string("outcome", false, &m_ev.outcome));
        if (!m_ev.outcome.empty() && m_ev.outcome != "allowed" && m_ev.outcome != "denied" &&
            m_ev.outcome != "error")
            return reject("input.bad_value",
                          "details.outcome must be \"allowed\", \"denied\" or \"error\"");
        return {};
    }
#undef VIGIL_TRY

    object m_d;
    AuditEvent& m_ev;
};

constexpr auto byteSet(std::string_view members)
{
    std::array<bool, 256> t{};
    for (char c : members)
        t[static_cast<unsigned char>(c)] = true;
    return t;
}
// Read only where SSE2 is missing (clang says so: -Wunused-const-variable).
[[maybe_unused]] constexpr auto kStringStop = byteSet("\"\\");
constexpr auto kStructural = byteSet("\"{}[],: \t\r\n");

/// What one pass over the text finds before the parser runs.
struct Outline
{
    bool tooDeep = false;
    /// Raw bytes of the top-level `details` value (trustworthy once the text parsed).
    std::size_t detailsBegin = std::string_view::npos;
    std::size_t detailsEnd = std::string_view::npos;
    bool detailsSpaced = false; ///< whitespace between its tokens: minify before storing
};

// One linear pass, no recursion: stops at the first level above `cap`, so a line of 100,000
// brackets costs one scan, and notes where the top-level `details` value lies so it can be
// stored from its text instead of serialized from the parsed tree. `s` must be followed by
// 16 readable bytes: string contents are skipped 16 bytes at a time.
Outline outline(std::string_view s, std::size_t cap)
{
    Outline o;
    std::size_t depth = 0;
    bool inString = false;
    bool expectKey = false; // at depth 1, the next string is a key
    bool keyIsDetails = false;
    bool inDetails = false; // between `"details":` and the `,` or `}` that ends its value
    std::size_t keyStart = 0;
    const std::size_t n = s.size();
    for (std::size_t i = 0; i < n; ++i) {
        if (inString) {
#if defined(__SSE2__)
            const __m128i quote = _mm_set1_epi8('"');
            const __m128i backslash = _mm_set1_epi8('\\');
            for (;;) {
                const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(s.data() + i));
                const auto stops = static_cast<unsigned>(_mm_movemask_epi8(
                    _mm_or_si128(_mm_cmpeq_epi8(v, quote), _mm_cmpeq_epi8(v, backslash))));
                if (stops) {
                    i += static_cast<std::size_t>(__builtin_ctz(stops));
                    break;
                }
                i += 16;
                if (i >= n)
                    break;
            }
#else
            while (i < n && !kStringStop[static_cast<unsigned char>(s[i])])
                ++i;
#endif
            if (i >= n)
                break;
            if (s[i] == '\\') {
                ++i;
            } else {
                inString = false;
                if (depth == 1 && expectKey) {
                    keyIsDetails = s.substr(keyStart, i - keyStart) == "details";
                    expectKey = false;
                }
            }
            continue;
        }
        while (i < n && !kStructural[static_cast<unsigned char>(s[i])])
            ++i;
        if (i >= n)
            break;
        const char c = s[i];
        switch (c) {
        case '"':
            inString = true;
            keyStart = i + 1;
            break;
        case '{':
        case '[':
            if (++depth > cap) {
                o.tooDeep = true;
                return o;
            }
            if (depth == 1)
                expectKey = c == '{';
            break;
        case '}':
        case ']':
            if (depth == 1 && inDetails) {
                o.detailsEnd = i;
                inDetails = false;
            }
            if (depth > 0)
                --depth;
            break;
        case ',':
            if (depth == 1) {
                if (inDetails) {
                    o.detailsEnd = i;
                    inDetails = false;
                }
                expectKey = true;
            }
            break;
        case ' ':
        case '\t':
        case '\r':
        case '\n':
            if (inDetails)
                o.detailsSpaced = true;
            break;
        case ':':
            if (depth == 1 && keyIsDetails && o.detailsBegin == std::string_view::npos) {
                o.detailsBegin = i + 1;
                inDetails = true;
            }
            keyIsDetails = false;
            break;
        default:
            break;
        }
    }
    return o;
}

} // namespace

struct Decoder::Impl
{
    simdjson::dom::parser parser;
    std::vector<char> padded;
    std::string pathScratch;
    SpareTexts spareTexts;

    Impl()
    {
        // The structural tape holds at most one entry per input byte; the depth cap is ours.
        if (parser.allocate(kMaxLineBytes + 64, kMaxDepth + 1) != simdjson::SUCCESS)
            throw std::bad_alloc();
    }
};

Decoder::Decoder() : m_impl(std::make_unique<Impl>()) {}
Decoder::~Decoder() = default;

bool isBlankLine(std::string_view line)
{
    for (char c : line)
        if (c != ' ' && c != '\t' && c != '\r')
            return false;
    return true;
}

std::expected<void, Rejection> Decoder::decode(std::string_view line, AuditEvent& ev)
{
    if (!line.empty() && line.back() == '\r')
        line.remove_suffix(1);
    if (line.size() > kMaxLineBytes)
        return reject("input.too_long",
                      "line is longer than 1 MiB (" + std::to_string(line.size()) + " bytes)");
    if (line.starts_with("\xEF\xBB\xBF"))
        line.remove_prefix(3);
    if (!simdjson::validate_utf8(line.data(), line.size()))
        return reject("input.invalid_utf8", "line is not valid UTF-8");

    // A CloudWatch prefix: an RFC 3339 timestamp and exactly one space before the object.
    std::string_view json = line;
    const std::size_t brace = line.find('{');
    if (brace != std::string_view::npos && brace > 1 && line[brace - 1] == ' ' &&
        parseRfc3339Utc(line.substr(0, brace - 1)))
        json = line.substr(brace);

    auto& buf = m_impl->padded;
    if (buf.size() < json.size() + simdjson::SIMDJSON_PADDING)
        buf.resize(json.size() + simdjson::SIMDJSON_PADDING);
    std::memcpy(buf.data(), json.data(), json.size());
    std::memset(buf.data() + json.size(), 0, simdjson::SIMDJSON_PADDING);

    const Outline shape = outline(std::string_view(buf.data(), json.size()), kMaxDepth);
    if (shape.tooDeep)
        return reject("input.too_deep", "JSON is nested deeper than 64 levels");

    element root;
    if (const auto err = m_impl->parser.parse(buf.data(), json.size(), false).get(root); err) {
        if (err == simdjson::DEPTH_ERROR)
            return reject("input.too_deep", "JSON is nested deeper than 64 levels");
        if (err == simdjson::UTF8_ERROR)
            return reject("input.invalid_utf8", "JSON string is not valid UTF-8");
        return reject("input.invalid_json",
                      std::string("not valid JSON: ") + simdjson::error_message(err));
    }
    if (!root.is_object())
        return reject("input.not_object",
                      std::string("line is ") + typeName(root.type()) + ", not a JSON object");

    clearForReuse(ev);
    std::optional<element> timestamp, eventType, agent, thread, severity, details;
    for (auto field : object(root)) {
        std::optional<element>* slot = nullptr;
        std::string* idSlot = nullptr;
        std::size_t idMax = 0;
        const std::string_view k = field.key;
        if (k == "timestamp")
            slot = &timestamp;
        else if (k == "event_type")
            slot = &eventType;
        else if (k == "agent_name")
            slot = &agent;
        else if (k == "thread_id")
            slot = &thread;
        else if (k == "severity")
            slot = &severity;
        else if (k == "details")
            slot = &details;
        else if (k == "event_id")
            idSlot = &ev.eventId, idMax = 128;
        else if (k == "user_id")
            idSlot = &ev.userId, idMax = 100;
        else if (k == "trace_id")
            idSlot = &ev.traceId, idMax = 64;
        else if (k == "span_id")
            idSlot = &ev.spanId, idMax = 64;
        if (slot) {
            if (*slot)
                return reject("input.bad_value", "duplicate key " + std::string(k));
            *slot = field.value;
        } else if (idSlot) {
            if (!idSlot->empty())
                return reject("input.bad_value", "duplicate key " + std::string(k));
            if (field.value.is_null())
                continue;
            if (!field.value.is_string())
                return reject("input.bad_type", std::string(k) + " must be a string, got " +
                                                    typeName(field.value.type()));
            const std::string_view v(field.value);
            const std::size_t n = codePoints(v);
            if (n == 0 || n > idMax || !printable(v))
                return reject("input.bad_value", std::string(k) + " must be 1 to " +
                                                     std::to_string(idMax) +
                                                     " printable characters");
            idSlot->assign(v);
        }
    }

    struct Required
    {
        const char* name;
        std::optional<element>* value;
        element_type type;
    };
    for (const Required& r : {Required{"timestamp", &timestamp, element_type::STRING},
                              Required{"event_type", &eventType, element_type::STRING},
                              Required{"agent_name", &agent, element_type::STRING},
                              Required{"thread_id", &thread, element_type::STRING},
                              Required{"severity", &severity, element_type::STRING},
                              Required{"details", &details, element_type::OBJECT}}) {
        if (!*r.value)
            return reject("input.missing_field", std::string("missing field ") + r.name);
        if ((*r.value)->type() != r.type)
            return reject("input.bad_type", std::string(r.name) + " must be " + typeName(r.type) +
                                                ", got " + typeName((*r.value)->type()));
    }

    const std::string_view ts(*timestamp);
    const auto ms = parseRfc3339Utc(ts);
    if (!ms)
        return reject("input.bad_value", "timestamp must be RFC 3339 UTC with a Z suffix");
    ev.timestampMs = *ms;
    ev.timestamp.assign(ts);

    ev.eventType.assign(std::string_view(*eventType));
    if (!validEventType(ev.eventType))
        return reject("input.bad_value", "event_type must match ^[a-z][a-z0-9_.-]{0,63}$");
    ev.kind = eventKindFromType(ev.eventType);

    ev.agentName.assign(std::string_view(*agent));
    if (!validAgentName(ev.agentName))
        return reject("input.bad_value", "agent_name must match ^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$");

    const std::string_view th(*thread);
    const std::size_t thLen = codePoints(th);
    if (thLen == 0 || thLen > 100 || !printable(th))
        return reject("input.bad_value", "thread_id must be 1 to 100 printable characters");
    ev.threadId.assign(th);

    const auto sev = eventSeverityFromString(std::string_view(*severity));
    if (!sev)
        return reject("input.bad_value",
                      "severity must be \"info\", \"warning\", \"error\" or \"critical\"");
    ev.severity = *sev;

    ev.detailsJson.clear();
    if (shape.detailsEnd != std::string_view::npos && shape.detailsEnd > shape.detailsBegin) {
        // The parser accepted the text, so the span is exactly the value: store its bytes,
        // minified when the producer spaced its tokens. Read from the padded copy: the
        // minifier may load whole blocks past the end.
        const std::string_view raw(buf.data() + shape.detailsBegin,
                                   shape.detailsEnd - shape.detailsBegin);
        if (!shape.detailsSpaced)
            ev.detailsJson.assign(raw);
        else
            ev.detailsJson.resize_and_overwrite(raw.size(), [&](char* out, std::size_t) {
                std::size_t n = 0;
                return simdjson::minify(raw.data(), raw.size(), out, n) == simdjson::SUCCESS ? n
                                                                                             : 0;
            });
    }
    if (ev.detailsJson.empty()) // `details` spelled with escapes in its key
        ev.detailsJson = simdjson::minify(*details);
    if (ev.detailsJson.size() > kMaxDetailsBytes)
        return reject("input.too_long", "details is larger than 64 KiB");
    ev.detailsChars = codePoints(ev.detailsJson);

    if (auto r = DetailsChecker(object(*details), ev).run(); !r)
        return r;

    std::string& path = m_impl->pathScratch;
    path.assign("details");
    std::size_t used = 0;
    collectTexts(*details, path, ev.texts, used, m_impl->spareTexts);
    m_impl->spareTexts.trim(ev.texts, used);
    return {};
}

} // namespace vigil
