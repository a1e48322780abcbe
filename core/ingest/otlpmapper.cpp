// SPDX-License-Identifier: Apache-2.0
#include "ingest/otlpmapper.h"

#include "base/timeutil.h"
#include "ingest/decoder.h"
#include "ingest/otlpprotobuf.h"

#include <openssl/evp.h>
#include "ingest/jsontypename.h"

#include <simdjson.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <deque>
#include <iterator>
#include <map>
#include <optional>
#include <string>
#include <tuple>
#include <unordered_map>
#include <unordered_set>
#include <utility>

namespace vigil {
namespace {

using simdjson::dom::array;
using simdjson::dom::element;
using simdjson::dom::element_type;
using simdjson::dom::object;

/// OTLP nests about eight levels before the first attribute value and three per level of
/// AnyValue; 128 leaves room for values nested 32 deep. Deeper bodies are refused whole.
constexpr std::size_t kMaxBodyDepth = 128;
/// Nested attribute values (arrays, kvlists) deeper than this make their record invalid, so
/// an event's details stay well inside the decoder's 64 levels.
constexpr int kMaxValueDepth = 20;
/// JSON held inside string attributes (message lists, tool arguments) is read to this depth.
constexpr std::size_t kMaxInnerDepth = 32;
/// Details must stay under the decoder's 64 KiB; this leaves room for the keys the
/// finalization adds.
constexpr std::size_t kDetailsBudget = kMaxDetailsBytes - 512;
constexpr std::size_t kMaxRawBytes = 64 * 1024;
constexpr int kMaxChainSteps = 1000;

using Check = std::expected<void, Error>;

std::unexpected<Error> reject(const char* code, std::string message)
{
    return std::unexpected<Error>(Error{code, std::move(message)});
}

// ---------------------------------------------------------------- JSON writing

void appendEscaped(std::string& out, std::string_view s)
{
    static constexpr char kHex[] = "0123456789abcdef";
    out += '"';
    std::size_t run = 0;
    for (std::size_t i = 0; i < s.size(); ++i) {
        const auto c = static_cast<unsigned char>(s[i]);
        if (c >= 0x20 && c != '"' && c != '\\')
            continue;
        out.append(s.data() + run, i - run);
        run = i + 1;
        switch (c) {
        case '"':
            out += "\\\"";
            break;
        case '\\':
            out += "\\\\";
            break;
        case '\n':
            out += "\\n";
            break;
        case '\r':
            out += "\\r";
            break;
        case '\t':
            out += "\\t";
            break;
        default:
            out += "\\u00";
            out += kHex[c >> 4];
            out += kHex[c & 15];
        }
    }
    out.append(s.data() + run, s.size() - run);
    out += '"';
}

std::string jsonString(std::string_view s)
{
    std::string out;
    out.reserve(s.size() + 2);
    appendEscaped(out, s);
    return out;
}

std::size_t escapedSize(std::string_view s)
{
    std::size_t n = 2;
    for (char ch : s) {
        const auto c = static_cast<unsigned char>(ch);
        n += c == '"' || c == '\\' || c == '\n' || c == '\r' || c == '\t' ? 2 : c < 0x20 ? 6 : 1;
    }
    return n;
}

/// The longest prefix of `s` of at most `maxBytes` that ends on a UTF-8 character boundary.
std::string_view utf8Prefix(std::string_view s, std::size_t maxBytes)
{
    if (s.size() <= maxBytes)
        return s;
    std::size_t n = maxBytes;
    while (n > 0 && (static_cast<unsigned char>(s[n]) & 0xC0) == 0x80)
        --n;
    return s.substr(0, n);
}

std::string sha256Hex(std::string_view s)
{
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    std::string out = "sha256:";
    if (EVP_Digest(s.data(), s.size(), md, &len, EVP_sha256(), nullptr) != 1)
        return out + "unavailable";
    static constexpr char kHex[] = "0123456789abcdef";
    for (unsigned int i = 0; i < len; ++i) {
        out += kHex[md[i] >> 4];
        out += kHex[md[i] & 15];
    }
    return out;
}

bool isAlnum(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

/// Makes `name` fit `^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$`: other characters become `-`,
/// leading non-alphanumerics are dropped. Empty when nothing usable is left.
std::string sanitizeAgent(std::string_view name)
{
    std::string out;
    for (char c : name) {
        if (out.size() >= 64)
            break;
        const bool ok = isAlnum(c) || c == '_' || c == '.' || c == '-';
        if (out.empty() && !isAlnum(c))
            continue;
        out += ok ? c : '-';
    }
    return out;
}

/// `gen_ai.` + the operation, made a valid event type (lowercase, `[a-z0-9_.-]`, 64 max).
std::string customOperationType(std::string_view op)
{
    std::string out = "gen_ai.";
    for (char c : op) {
        if (out.size() >= 64)
            break;
        if (c >= 'A' && c <= 'Z')
            c = static_cast<char>(c - 'A' + 'a');
        out += (isAlnum(c) || c == '_' || c == '.' || c == '-') ? c : '_';
    }
    return out;
}

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

std::size_t codePoints(std::string_view s)
{
    std::size_t n = 0;
    for (char c : s)
        n += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
    return n;
}

// ---------------------------------------------------------------- OTLP field access

const char* typeName(element_type t) { return jsonTypeName(t); }

/// A message field by its JSON name (lowerCamelCase, what OTLP/JSON writes) or, failing
/// that, its protobuf name (snake_case), which some encoders emit.
std::optional<element> member(object o, std::string_view camel, std::string_view snake = {})
{
    element e;
    if (o.at_key(camel).get(e) == simdjson::SUCCESS && !e.is_null())
        return e;
    if (!snake.empty() && o.at_key(snake).get(e) == simdjson::SUCCESS && !e.is_null())
        return e;
    return std::nullopt;
}

/// An unsigned 64-bit integer written as OTLP/JSON writes int64 fields (a decimal string) or
/// as a plain JSON number.
std::expected<std::optional<std::uint64_t>, Error>
uintField(object o, std::string_view camel, std::string_view snake, const std::string& where)
{
    const auto e = member(o, camel, snake);
    if (!e)
        return std::optional<std::uint64_t>{};
    std::uint64_t v = 0;
    if (e->is_string()) {
        const std::string_view s(*e);
        const auto r = std::from_chars(s.data(), s.data() + s.size(), v);
        if (s.empty() || r.ec != std::errc{} || r.ptr != s.data() + s.size())
            return reject("input.bad_value",
                          where + "." + std::string(camel) + " must be a decimal integer string");
        return std::optional<std::uint64_t>{v};
    }
    if (e->get_uint64().get(v) == simdjson::SUCCESS)
        return std::optional<std::uint64_t>{v};
    return reject("input.bad_type", where + "." + std::string(camel) +
                                        " must be an unsigned integer, got " + typeName(e->type()));
}

int hexDigit(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

int base64Digit(char c)
{
    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 26;
    if (c >= '0' && c <= '9')
        return c - '0' + 52;
    if (c == '+' || c == '-')
        return 62;
    if (c == '/' || c == '_')
        return 63;
    return -1;
}

/// A trace id (16 bytes) or span id (8 bytes) as lowercase hex. OTLP/JSON writes them in hex;
/// the generic protobuf JSON mapping writes base64, which some exporters send, so that is
/// accepted too. Empty when the field is absent or empty; an all-zero id is invalid.
std::expected<std::string, Error> idField(object o, std::string_view camel, std::string_view snake,
                                          std::size_t bytes, const std::string& where)
{
    const auto e = member(o, camel, snake);
    const std::string name = where + "." + std::string(camel);
    if (!e)
        return std::string{};
    if (!e->is_string())
        return reject("input.bad_type", name + " must be a string, got " + typeName(e->type()));
    const std::string_view s(*e);
    if (s.empty())
        return std::string{};
    std::string hex;
    static constexpr char kHex[] = "0123456789abcdef";
    if (s.size() == bytes * 2) {
        for (char c : s) {
            const int d = hexDigit(c);
            if (d < 0)
                return reject("input.bad_value", name + " must be " + std::to_string(bytes * 2) +
                                                     " hex digits, got \"" +
                                                     std::string(utf8Prefix(s, 64)) + "\"");
            hex += kHex[d];
        }
    } else if (s.size() == (bytes + 2) / 3 * 4) {
        std::uint32_t acc = 0;
        int bits = 0;
        std::size_t pad = 0;
        for (char c : s) {
            if (c == '=') {
                ++pad;
                continue;
            }
            const int d = base64Digit(c);
            if (d < 0 || pad)
                return reject("input.bad_value",
                              name + " must be " + std::to_string(bytes * 2) + " hex digits");
            acc = (acc << 6) | static_cast<std::uint32_t>(d);
            bits += 6;
            if (bits >= 8) {
                bits -= 8;
                const auto b = static_cast<unsigned>((acc >> bits) & 0xFF);
                hex += kHex[b >> 4];
                hex += kHex[b & 15];
            }
        }
        if (hex.size() != bytes * 2)
            return reject("input.bad_value",
                          name + " must be " + std::to_string(bytes * 2) + " hex digits");
    } else {
        return reject("input.bad_value", name + " must be " + std::to_string(bytes * 2) +
                                             " hex digits, got " + std::to_string(s.size()) +
                                             " characters");
    }
    if (hex.find_first_not_of('0') == std::string::npos)
        return reject("input.bad_value",
                      name + " is all zeros, which OpenTelemetry treats as invalid");
    return hex;
}

/// Nanoseconds since the epoch -> RFC 3339 with milliseconds, or a reason.
std::expected<std::string, Error> nanosToTimestamp(std::uint64_t ns, const std::string& name)
{
    const std::uint64_t ms = ns / 1'000'000;
    if (ns == 0)
        return reject("input.missing_field", name + " is 0 (unset)");
    if (ms > 253402300799999ULL) // 9999-12-31T23:59:59.999Z
        return reject("input.bad_value", name + " is after the year 9999");
    return formatRfc3339Utc(static_cast<std::int64_t>(ms));
}

// ---------------------------------------------------------------- AnyValue

enum class AnyKind : std::uint8_t
{
    Empty,
    String,
    Bool,
    Int,
    Double,
    Array,
    Kvlist,
    Bytes
};

struct AnyView
{
    AnyKind kind = AnyKind::Empty;
    element value; ///< the payload (the string, the {values:[...]} object, ...)
};

std::expected<AnyView, Error> classify(element any, const std::string& where)
{
    if (!any.is_object())
        return reject("input.bad_type",
                      where + " must be an AnyValue object, got " + typeName(any.type()));
    AnyView out;
    int found = 0;
    for (auto [key, value] : object(any)) {
        AnyKind k;
        if (key == "stringValue" || key == "string_value")
            k = AnyKind::String;
        else if (key == "boolValue" || key == "bool_value")
            k = AnyKind::Bool;
        else if (key == "intValue" || key == "int_value")
            k = AnyKind::Int;
        else if (key == "doubleValue" || key == "double_value")
            k = AnyKind::Double;
        else if (key == "arrayValue" || key == "array_value")
            k = AnyKind::Array;
        else if (key == "kvlistValue" || key == "kvlist_value")
            k = AnyKind::Kvlist;
        else if (key == "bytesValue" || key == "bytes_value")
            k = AnyKind::Bytes;
        else
            continue; // unknown fields are ignored, as OTLP/JSON requires
        if (value.is_null())
            continue;
        if (++found > 1)
            return reject("input.bad_value", where + " holds more than one kind of value");
        out.kind = k;
        out.value = value;
    }
    switch (out.kind) {
    case AnyKind::Empty:
        break;
    case AnyKind::String:
    case AnyKind::Bytes:
        if (!out.value.is_string())
            return reject("input.bad_type", where + (out.kind == AnyKind::String
                                                         ? ".stringValue must be a string"
                                                         : ".bytesValue must be a base64 string"));
        break;
    case AnyKind::Bool:
        if (!out.value.is_bool())
            return reject("input.bad_type", where + ".boolValue must be true or false");
        break;
    case AnyKind::Int: {
        std::int64_t v = 0;
        if (out.value.is_string()) {
            const std::string_view s(out.value);
            const auto r = std::from_chars(s.data(), s.data() + s.size(), v);
            if (s.empty() || r.ec != std::errc{} || r.ptr != s.data() + s.size())
                return reject("input.bad_value", where + ".intValue must be a 64-bit integer");
        } else if (out.value.get_int64().get(v) != simdjson::SUCCESS) {
            return reject("input.bad_type", where + ".intValue must be a 64-bit integer");
        }
        break;
    }
    case AnyKind::Double:
        if (out.value.is_string()) {
            const std::string_view s(out.value);
            if (s != "NaN" && s != "Infinity" && s != "-Infinity")
                return reject("input.bad_type", where + ".doubleValue must be a number");
        } else if (out.value.type() != element_type::DOUBLE &&
                   out.value.type() != element_type::INT64 &&
                   out.value.type() != element_type::UINT64) {
            return reject("input.bad_type", where + ".doubleValue must be a number");
        }
        break;
    case AnyKind::Array:
    case AnyKind::Kvlist: {
        if (!out.value.is_object())
            return reject("input.bad_type",
                          where + (out.kind == AnyKind::Array ? ".arrayValue must be an object"
                                                              : ".kvlistValue must be an object"));
        element values;
        if (object(out.value).at_key("values").get(values) == simdjson::SUCCESS &&
            !values.is_null() && !values.is_array())
            return reject("input.bad_type", where + ".values must be an array");
        break;
    }
    }
    return out;
}

std::int64_t anyInt(const AnyView& v)
{
    std::int64_t out = 0;
    if (v.value.is_string()) {
        const std::string_view s(v.value);
        std::from_chars(s.data(), s.data() + s.size(), out);
    } else {
        if (v.value.get_int64().get(out) != simdjson::SUCCESS)
            out = 0;
    }
    return out;
}

array anyValues(const AnyView& v)
{
    element values;
    if (object(v.value).at_key("values").get(values) == simdjson::SUCCESS && values.is_array())
        return array(values);
    static const simdjson::padded_string kEmpty(std::string_view("[]"));
    static simdjson::dom::parser parser;
    static const element empty = parser.parse(kEmpty).value_unsafe();
    return array(empty);
}

/// Writes an AnyValue as plain JSON: strings, numbers, booleans, arrays, objects, null.
Check anyToJson(element any, std::string& out, int depth, const std::string& where)
{
    if (depth > kMaxValueDepth)
        return reject("input.too_deep", where + " is nested deeper than " +
                                            std::to_string(kMaxValueDepth) + " levels");
    auto v = classify(any, where);
    if (!v)
        return std::unexpected(v.error());
    switch (v->kind) {
    case AnyKind::Empty:
        out += "null";
        return {};
    case AnyKind::String:
    case AnyKind::Bytes:
        appendEscaped(out, std::string_view(v->value));
        return {};
    case AnyKind::Bool:
        out += bool(v->value) ? "true" : "false";
        return {};
    case AnyKind::Int:
        out += std::to_string(anyInt(*v));
        return {};
    case AnyKind::Double:
        if (v->value.is_string())
            appendEscaped(out, std::string_view(v->value));
        else
            out += simdjson::minify(v->value);
        return {};
    case AnyKind::Array: {
        out += '[';
        std::size_t i = 0;
        for (element item : anyValues(*v)) {
            if (i)
                out += ',';
            if (auto r = anyToJson(item, out, depth + 1, where + "[" + std::to_string(i) + "]"); !r)
                return r;
            ++i;
        }
        out += ']';
        return {};
    }
    case AnyKind::Kvlist: {
        out += '{';
        std::size_t i = 0;
        std::unordered_set<std::string_view> seen;
        for (element kv : anyValues(*v)) {
            const std::string p = where + ".values[" + std::to_string(i) + "]";
            if (!kv.is_object())
                return reject("input.bad_type", p + " must be a {key, value} object");
            element key, value;
            if (object(kv).at_key("key").get(key) != simdjson::SUCCESS || !key.is_string())
                return reject("input.missing_field", p + ".key must be a string");
            if (!seen.insert(std::string_view(key)).second)
                return reject("input.bad_value",
                              p + ": key \"" + std::string(utf8Prefix(std::string_view(key), 100)) +
                                  "\" given twice");
            if (i)
                out += ',';
            appendEscaped(out, std::string_view(key));
            out += ':';
            if (object(kv).at_key("value").get(value) != simdjson::SUCCESS || value.is_null())
                out += "null";
            else if (auto r = anyToJson(value, out, depth + 1,
                                        where + "." + std::string(std::string_view(key)));
                     !r)
                return r;
            ++i;
        }
        out += '}';
        return {};
    }
    }
    return {};
}

// ---------------------------------------------------------------- attributes

struct Attr
{
    std::string_view key;
    element value; ///< the AnyValue object
    bool used = false;
};

/// The attributes of one span, event or record, sorted by key for lookup. Each known
/// attribute a mapping reads is marked used; the rest go to details.otel.attributes.
class Attrs
{
public:
    Check load(object owner, const std::string& where)
    {
        m_where = where;
        m_attrs.clear();
        const auto list = member(owner, "attributes");
        if (!list)
            return {};
        if (!list->is_array())
            return reject("input.bad_type",
                          where + ".attributes must be an array, got " + typeName(list->type()));
        std::size_t i = 0;
        for (element kv : array(*list)) {
            // The path is only spelled out for an error: this loop runs for every attribute.
            const auto path = [&] { return where + ".attributes[" + std::to_string(i) + "]"; };
            ++i;
            if (!kv.is_object())
                return reject("input.bad_type", path() + " must be a {key, value} object");
            element key, value;
            if (object(kv).at_key("key").get(key) != simdjson::SUCCESS || !key.is_string())
                return reject("input.missing_field", path() + ".key must be a string");
            if (object(kv).at_key("value").get(value) != simdjson::SUCCESS || value.is_null()) {
                static const simdjson::padded_string kEmpty(std::string_view("{}"));
                static simdjson::dom::parser parser;
                static const element empty = parser.parse(kEmpty).value_unsafe();
                value = empty;
            }
            m_attrs.push_back(Attr{std::string_view(key), value});
        }
        std::stable_sort(m_attrs.begin(), m_attrs.end(),
                         [](const Attr& a, const Attr& b) { return a.key < b.key; });
        for (std::size_t k = 1; k < m_attrs.size(); ++k)
            if (m_attrs[k].key == m_attrs[k - 1].key)
                return reject("input.bad_value", where + ": attribute \"" +
                                                     std::string(utf8Prefix(m_attrs[k].key, 100)) +
                                                     "\" given twice");
        return {};
    }

    Attr* find(std::string_view key)
    {
        const auto it =
            std::lower_bound(m_attrs.begin(), m_attrs.end(), key,
                             [](const Attr& a, std::string_view k) { return a.key < k; });
        return it != m_attrs.end() && it->key == key ? &*it : nullptr;
    }

    std::string name(std::string_view key) const
    {
        return m_where + ".attributes[\"" + std::string(key) + "\"]";
    }

    /// A string attribute; absent or empty gives nullopt; any other kind is a rejection.
    std::expected<std::optional<std::string_view>, Error> string(std::string_view key)
    {
        Attr* a = find(key);
        if (!a)
            return std::optional<std::string_view>{};
        auto v = classify(a->value, name(key));
        if (!v)
            return std::unexpected(v.error());
        a->used = true;
        if (v->kind == AnyKind::Empty)
            return std::optional<std::string_view>{};
        if (v->kind != AnyKind::String)
            return reject("input.bad_type", name(key) + " must be a stringValue");
        const std::string_view s(v->value);
        if (s.empty())
            return std::optional<std::string_view>{};
        return std::optional<std::string_view>{s};
    }

    /// A non-negative integer attribute (intValue, or an integral doubleValue).
    std::expected<std::optional<std::int64_t>, Error> count(std::string_view key)
    {
        Attr* a = find(key);
        if (!a)
            return std::optional<std::int64_t>{};
        auto v = classify(a->value, name(key));
        if (!v)
            return std::unexpected(v.error());
        a->used = true;
        std::int64_t n = 0;
        if (v->kind == AnyKind::Int) {
            n = anyInt(*v);
        } else if (v->kind == AnyKind::Double && !v->value.is_string()) {
            const double d = v->value.get_double().value_unsafe();
            if (d != static_cast<double>(static_cast<std::int64_t>(d)))
                return reject("input.bad_value", name(key) + " must be a whole number");
            n = static_cast<std::int64_t>(d);
        } else if (v->kind == AnyKind::Empty) {
            return std::optional<std::int64_t>{};
        } else {
            return reject("input.bad_type", name(key) + " must be an intValue");
        }
        if (n < 0)
            return reject("input.bad_value", name(key) + " must not be negative");
        return std::optional<std::int64_t>{n};
    }

    /// The value as JSON text (strings as they are, structures serialized), for attributes
    /// that may be either a JSON string or a structured AnyValue.
    std::expected<std::optional<std::pair<std::string, bool>>, Error> jsonish(std::string_view key)
    {
        Attr* a = find(key);
        if (!a)
            return std::optional<std::pair<std::string, bool>>{};
        auto v = classify(a->value, name(key));
        if (!v)
            return std::unexpected(v.error());
        a->used = true;
        if (v->kind == AnyKind::Empty)
            return std::optional<std::pair<std::string, bool>>{};
        if (v->kind == AnyKind::String)
            return std::optional<std::pair<std::string, bool>>{
                std::pair{std::string(std::string_view(v->value)), false}};
        std::string out;
        if (auto r = anyToJson(a->value, out, 1, name(key)); !r)
            return std::unexpected(r.error());
        return std::optional<std::pair<std::string, bool>>{std::pair{std::move(out), true}};
    }

    /// The attributes no mapping read, as a JSON object; empty string when there are none.
    std::expected<std::string, Error> rest()
    {
        std::string out;
        for (Attr& a : m_attrs) {
            if (a.used)
                continue;
            out += out.empty() ? '{' : ',';
            appendEscaped(out, a.key);
            out += ':';
            if (auto r = anyToJson(a.value, out, 1, name(a.key)); !r)
                return std::unexpected(r.error());
        }
        if (!out.empty())
            out += '}';
        return out;
    }

    std::vector<Attr>& all() { return m_attrs; }

private:
    std::string m_where;
    std::vector<Attr> m_attrs;
};

#define VIGIL_TRY(expr)                                                                            \
    do {                                                                                           \
        if (auto _r = (expr); !_r)                                                                 \
            return std::unexpected(_r.error());                                                    \
    } while (false)

#define VIGIL_ASSIGN(var, expr)                                                                    \
    auto var##_result = (expr);                                                                    \
    if (!var##_result)                                                                             \
        return std::unexpected(var##_result.error());                                              \
    auto var = std::move(*var##_result)

// ---------------------------------------------------------------- the event being built

/// A Vigil event built from a span or log record, complete but for its agent, which may
/// still be waiting for a parent span. Everything here is owned: it outlives the body.
struct Draft
{
    std::string timestamp;
    std::string eventType;
    std::string threadId;
    std::string severity = "info";
    std::string eventId;
    std::string traceId; ///< the event's trace_id
    std::string spanId;  ///< the event's span_id
    std::string userId;
    bool workerNameIsAgent = false;

    /// details: (key, serialized JSON value) in order, then scanned texts, then `otel`.
    std::vector<std::pair<std::string, std::string>> fields;
    std::vector<std::pair<std::string, std::string>> texts;
    std::string otel;

    // Agent resolution.
    std::string explicitAgent; ///< sanitized gen_ai.agent.name of this record
    std::string displayAgent;  ///< the name as sent, when sanitizing changed it
    std::string serviceAgent;  ///< sanitized service.name of the resource
    std::string chainTrace;    ///< trace to walk
    std::string chainStart;    ///< span id whose agent this record inherits (parent / own span)

    std::int64_t recordNo = 0;
    std::int64_t rawBytes = 0;
    std::uint64_t tag = 0; ///< the body's (ForeignRecord::tag)

    // Set by prepare(): the event line but for its agent, which finish() puts in.
    std::string head;       ///< `{"timestamp":...,"agent_name":`
    std::string afterAgent; ///< `,"thread_id":...,"details":{`
    std::string middle;     ///< details' fields and texts, each followed by a comma
    std::string tail;       ///< `,"truncated":[...],"otel":{...}}}`

    std::size_t bytes() const
    {
        std::size_t n = sizeof(Draft) + timestamp.size() + eventType.size() + threadId.size() +
                        eventId.size() + otel.size() + head.size() + afterAgent.size() +
                        middle.size() + tail.size() + 256;
        for (const auto& [k, v] : fields)
            n += k.size() + v.size() + 64;
        for (const auto& [k, v] : texts)
            n += k.size() + v.size() + 64;
        return n;
    }

    void field(std::string key, std::string json)
    {
        fields.emplace_back(std::move(key), std::move(json));
    }
    void text(std::string key, std::string value)
    {
        texts.emplace_back(std::move(key), std::move(value));
    }
    void stringField(std::string key, std::string_view value)
    {
        field(std::move(key), jsonString(value));
    }
};

/// Texts gathered from the several places GenAI conventions put content.
struct Content
{
    std::vector<std::string> instructions;
    std::vector<std::string> input;
    std::vector<std::string> output;
    std::vector<std::string> toolCalls;  ///< serialized {"name","id","arguments"} objects
    std::vector<std::string> otherParts; ///< message parts of unknown types, serialized

    bool empty() const
    {
        return instructions.empty() && input.empty() && output.empty() && toolCalls.empty() &&
               otherParts.empty();
    }
};

std::string joined(const std::vector<std::string>& parts)
{
    std::string out;
    for (const std::string& p : parts) {
        if (!out.empty())
            out += "\n\n";
        out += p;
    }
    return out;
}

std::string toolCallJson(std::string_view name, std::string_view id, element* args)
{
    std::string out = "{\"name\":" + jsonString(name);
    if (!id.empty())
        out += ",\"id\":" + jsonString(id);
    if (args && !args->is_null()) {
        out += ",\"arguments\":";
        if (args->is_string())
            appendEscaped(out, std::string_view(*args));
        else
            out += simdjson::minify(*args);
    }
    return out + "}";
}

std::string_view stringMember(element o, std::string_view key)
{
    element e;
    if (o.is_object() && object(o).at_key(key).get(e) == simdjson::SUCCESS && e.is_string())
        return std::string_view(e);
    return {};
}

/// Reads OpenAI-style tool calls ([{id, function: {name, arguments}}] or {name, arguments}).
void readToolCalls(element calls, Content& c)
{
    if (!calls.is_array())
        return;
    for (element call : array(calls)) {
        if (!call.is_object())
            continue;
        element fn, args;
        std::string_view name = stringMember(call, "name");
        element* argsPtr = nullptr;
        if (object(call).at_key("function").get(fn) == simdjson::SUCCESS && fn.is_object()) {
            name = stringMember(fn, "name");
            if (object(fn).at_key("arguments").get(args) == simdjson::SUCCESS)
                argsPtr = &args;
        } else if (object(call).at_key("arguments").get(args) == simdjson::SUCCESS) {
            argsPtr = &args;
        }
        c.toolCalls.push_back(toolCallJson(name, stringMember(call, "id"), argsPtr));
    }
}

/// One message of gen_ai.input.messages / output.messages (role + parts), or of the older
/// shapes ({role, content}, a choice's {message: {...}}), into `c`.
void readMessage(element m, bool isOutput, Content& c)
{
    if (m.is_string()) {
        (isOutput ? c.output : c.input).emplace_back(std::string_view(m));
        return;
    }
    if (!m.is_object())
        return;
    element inner;
    if (object(m).at_key("message").get(inner) == simdjson::SUCCESS && inner.is_object())
        m = inner;
    const std::string_view role = stringMember(m, "role");
    auto& texts = isOutput ? c.output : role == "system" ? c.instructions : c.input;
    element content, parts, calls;
    bool haveParts = false;
    if (object(m).at_key("content").get(content) == simdjson::SUCCESS) {
        if (content.is_string()) {
            if (!std::string_view(content).empty())
                texts.emplace_back(std::string_view(content));
        } else if (content.is_array()) {
            parts = content; // OpenAI content parts: [{type: text, text: ...}]
            haveParts = true;
        }
    }
    if (!haveParts && object(m).at_key("parts").get(parts) == simdjson::SUCCESS)
        haveParts = true;
    if (haveParts) {
        if (parts.is_array()) {
            for (element p : array(parts)) {
                const std::string_view type = stringMember(p, "type");
                if (p.is_string()) {
                    texts.emplace_back(std::string_view(p));
                } else if (type == "text" || type == "reasoning" || type == "thinking" ||
                           type == "input_text" || type == "output_text") {
                    std::string_view t = stringMember(p, "content");
                    if (t.empty())
                        t = stringMember(p, "text");
                    texts.emplace_back(t);
                } else if (type == "tool_call") {
                    element args;
                    const bool has = object(p).at_key("arguments").get(args) == simdjson::SUCCESS;
                    c.toolCalls.push_back(toolCallJson(
                        stringMember(p, "name"), stringMember(p, "id"), has ? &args : nullptr));
                } else if (type == "tool_call_response") {
                    element resp;
                    if (object(p).at_key("response").get(resp) == simdjson::SUCCESS)
                        c.input.push_back(resp.is_string() ? std::string(std::string_view(resp))
                                                           : simdjson::minify(resp));
                } else {
                    c.otherParts.push_back(simdjson::minify(p));
                }
            }
        }
    }
    if (object(m).at_key("tool_calls").get(calls) == simdjson::SUCCESS)
        readToolCalls(calls, c);
}

// ---------------------------------------------------------------- resolution state

struct SpanInfo
{
    std::string parent;
    std::string agent; ///< sanitized explicit agent; empty: inherits
};

struct TraceState
{
    std::unordered_map<std::string, SpanInfo> spans;
    std::vector<std::uint64_t> pending; ///< seqs, possibly stale
    std::int64_t lastSeenMs = 0;
};

struct Pending
{
    Draft draft;
    std::int64_t arrivedMs = 0;
    std::size_t bytes = 0;
};

enum class Resolution : std::uint8_t
{
    Explicit,
    Ancestor,
    Service,
    Wait
};

/// A span the body names: its trace, parent and own agent, for the join.
struct SpanNote
{
    std::string trace;
    std::string span;
    std::string parent;
    std::string agent; ///< sanitized explicit agent; empty: inherits
};

} // namespace

struct OtlpReadBody::Data
{
    std::vector<ForeignRecord> rejected; ///< records refused while reading, in body order
    std::vector<Draft> drafts;           ///< records read, each waiting only for its agent
    std::vector<SpanNote> spans;         ///< every span named, invalid ones included
    std::optional<Error> rejection;      ///< why the body as a whole was refused
};

// ---------------------------------------------------------------- reading a body

struct OtlpReader::Impl
{
    ToolActionMap tools;
    OtlpMapperOptions options;
    simdjson::dom::parser body;
    simdjson::dom::parser inner;

    // Per body.
    std::int64_t recordNo = 0;
    std::uint64_t bodyTag = 0;
    OtlpReadBody::Data* cur = nullptr;

    Impl(ToolActionMap t, OtlpMapperOptions o) : tools(std::move(t)), options(o) {}

    bool parseInner(std::string_view json, element& root)
    {
        if (json.size() > options.maxBodyBytes)
            return false;
        if ((inner.capacity() < json.size() + 1 || inner.max_depth() != kMaxInnerDepth) &&
            inner.allocate(std::max<std::size_t>(json.size() + 1, 65536), kMaxInnerDepth) !=
                simdjson::SUCCESS)
            return false;
        const simdjson::padded_string padded(json);
        return inner.parse(padded).get(root) == simdjson::SUCCESS;
    }


    // -------------------------------------------------- output

    void rejectRecord(const Error& e, std::string raw, std::int64_t recordNumber)
    {
        ForeignRecord r;
        r.rejectCode = e.code;
        r.rejectMessage = e.message;
        r.rawBytes = static_cast<std::int64_t>(raw.size());
        if (raw.size() > kMaxRawBytes)
            raw.resize(utf8Prefix(raw, kMaxRawBytes).size());
        r.raw = std::move(raw);
        r.recordNo = recordNumber;
        r.tag = bodyTag;
        cur->rejected.push_back(std::move(r));
    }

    /// Serializes all of the draft's event line but its agent into head, afterAgent, middle
    /// and tail, cutting the longest texts when details would pass the decoder's 64 KiB
    /// limit (the agent adds nothing the budget does not leave room for). Frees the parts.
    static void prepare(Draft& d)
    {
        std::vector<std::string> truncated;
        auto detailsSize = [&] {
            std::size_t n = 2;
            for (const auto& [k, v] : d.fields)
                n += escapedSize(k) + v.size() + 2;
            for (const auto& [k, v] : d.texts)
                n += escapedSize(k) + escapedSize(v) + 2;
            if (!d.otel.empty())
                n += 8 + d.otel.size();
            return n;
        };
        // Over the limit, the pieces share the room fairly: a cap is found such that every
        // piece up to it fits; texts longer than the cap are cut to it, serialized parts
        // (otel, tool calls) longer than it are replaced by a note of their size.
        for (int round = 0; round < 8; ++round) {
            const std::size_t size = detailsSize();
            if (size <= kDetailsBudget)
                break;
            std::vector<std::size_t> sizes;
            std::size_t fixed = size;
            auto piece = [&](std::size_t n) {
                sizes.push_back(n);
                fixed -= n;
            };
            for (const auto& [k, v] : d.texts)
                piece(escapedSize(v));
            for (const auto& [k, v] : d.fields)
                if (v.size() > 1024)
                    piece(v.size());
            if (!d.otel.empty())
                piece(d.otel.size());
            if (fixed + 64 * sizes.size() >= kDetailsBudget)
                break; // nothing left to cut; refused below
            const std::size_t room = kDetailsBudget - fixed - 64 * sizes.size();
            std::sort(sizes.begin(), sizes.end());
            std::size_t cap = 0, used = 0;
            for (std::size_t i = 0; i < sizes.size(); ++i) {
                const std::size_t rest = sizes.size() - i;
                if (used + sizes[i] * rest > room) {
                    cap = (room - used) / rest;
                    break;
                }
                used += sizes[i];
                cap = sizes[i];
            }
            cap = cap * (8 - static_cast<std::size_t>(round)) / 8; // escapes: shrink if still over
            for (auto& [k, v] : d.texts) {
                if (escapedSize(v) <= cap)
                    continue;
                // Escaping may grow the text: cut by raw bytes in proportion.
                const std::size_t keep = v.size() * cap / escapedSize(v);
                v.resize(utf8Prefix(v, keep > 16 ? keep - 16 : 0).size());
                v += " [truncated]";
                truncated.push_back(k);
            }
            for (auto& [k, v] : d.fields)
                if (v.size() > 1024 && v.size() > cap) {
                    v = "{\"omitted_bytes\":" + std::to_string(v.size()) + "}";
                    truncated.push_back(k);
                }
            if (d.otel.size() > cap) {
                d.otel = "{\"omitted_bytes\":" + std::to_string(d.otel.size()) + "}";
                truncated.push_back("otel");
            }
        }

        d.middle.clear();
        for (const auto& [k, v] : d.fields) {
            appendEscaped(d.middle, k);
            (d.middle += ':') += v;
            d.middle += ',';
        }
        for (const auto& [k, v] : d.texts) {
            appendEscaped(d.middle, k);
            d.middle += ':';
            appendEscaped(d.middle, v);
            d.middle += ',';
        }
        d.tail.clear();
        if (!truncated.empty()) {
            std::sort(truncated.begin(), truncated.end());
            truncated.erase(std::unique(truncated.begin(), truncated.end()), truncated.end());
            d.tail += ",\"truncated\":[";
            for (std::size_t i = 0; i < truncated.size(); ++i) {
                if (i)
                    d.tail += ',';
                appendEscaped(d.tail, truncated[i]);
            }
            d.tail += ']';
        }
        if (!d.otel.empty())
            (d.tail += ",\"otel\":") += d.otel;
        d.tail += "}}"; // details, then the event

        std::string severity = d.severity;
        if (!truncated.empty() && severity == "info")
            severity = "warning"; // content the scanners could not see in full

        d.head = "{\"timestamp\":";
        appendEscaped(d.head, d.timestamp);
        d.head += ",\"event_type\":";
        appendEscaped(d.head, d.eventType);
        d.head += ",\"agent_name\":";
        std::string& a = d.afterAgent;
        a = ",\"thread_id\":";
        appendEscaped(a, d.threadId);
        a += ",\"severity\":";
        appendEscaped(a, severity);
        const auto put = [&a](const char* key, const std::string& value) {
            if (value.empty())
                return;
            (a += ",\"") += key;
            a += "\":";
            appendEscaped(a, value);
        };
        put("event_id", d.eventId);
        put("user_id", d.userId);
        put("trace_id", d.traceId);
        put("span_id", d.spanId);
        a += ",\"details\":{";
        d.fields = {};
        d.texts = {};
        d.otel = {};
    }

    // -------------------------------------------------- body

    /// Reads one body into `into`: its rejections, its drafts (prepared but for the agent)
    /// and the spans it names.
    void read(OtlpSignal signal, std::string_view text, std::uint64_t tag, OtlpEncoding encoding,
              OtlpReadBody::Data& into)
    {
        cur = &into;
        recordNo = 0;
        bodyTag = tag;
        readInto(signal, text, encoding);
        for (Draft& d : into.drafts)
            prepare(d);
        cur = nullptr;
    }

    void readInto(OtlpSignal signal, std::string_view text, OtlpEncoding encoding)
    {

        // The body as a whole is refused: one rejection, the body kept as `raw` (as text, or
        // as protobuf's quarantine text), counted at its full size.
        const std::string_view received = text;
        const auto rejectBody = [&](Error e, std::string raw) {
            cur->rejection = e;
            rejectRecord(std::move(e), std::move(raw), 1);
            cur->rejected.back().rawBytes = static_cast<std::int64_t>(received.size());
        };
        const auto bodyReject = [&](const char* code, std::string msg) {
            rejectBody(Error{code, std::move(msg)}, std::string(utf8Prefix(text, kMaxRawBytes)));
        };
        if (text.size() > options.maxBodyBytes) {
            bodyReject("input.too_long", "the request body is " + std::to_string(text.size()) +
                                             " bytes, over the limit of " +
                                             std::to_string(options.maxBodyBytes) +
                                             "; send smaller batches");
            return;
        }
        std::string converted;
        if (encoding == OtlpEncoding::Protobuf) {
            auto json = otlppb::toJson(signal, text, options.maxBodyBytes);
            if (!json) {
                rejectBody(std::move(json.error()), otlppb::quarantineText(text, kMaxRawBytes));
                return;
            }
            converted = std::move(*json);
            text = converted;
        }
        if (body.capacity() < text.size() + 1 &&
            body.allocate(std::max<std::size_t>(text.size() + 1, 4096), kMaxBodyDepth) !=
                simdjson::SUCCESS) {
            bodyReject("input.too_long", "not enough memory to read a body of " +
                                             std::to_string(text.size()) + " bytes");
            return;
        }
        const simdjson::padded_string padded(text);
        element root;
        if (const auto err = body.parse(padded).get(root); err) {
            if (err == simdjson::DEPTH_ERROR)
                bodyReject("input.too_deep", "the request body is nested deeper than " +
                                                 std::to_string(kMaxBodyDepth) + " levels");
            else if (err == simdjson::UTF8_ERROR)
                bodyReject("input.invalid_utf8", "the request body is not valid UTF-8");
            else
                bodyReject("input.invalid_json",
                           std::string("the request body is not valid JSON (") +
                               simdjson::error_message(err) + "); OTLP/HTTP JSON was expected");
            return;
        }
        if (!root.is_object()) {
            bodyReject("input.not_object", std::string("the request body is ") +
                                               typeName(root.type()) +
                                               ", not an OTLP export request object");
            return;
        }
        const bool traces_ = signal == OtlpSignal::Traces;
        const std::string_view topKey = traces_ ? "resourceSpans" : "resourceLogs";
        const auto top = member(object(root), topKey, traces_ ? "resource_spans" : "resource_logs");
        if (!top) {
            const auto other = member(object(root), traces_ ? "resourceLogs" : "resourceSpans");
            if (other)
                bodyReject("input.bad_value",
                           std::string("the body holds ") +
                               (traces_ ? "log records (resourceLogs)" : "spans (resourceSpans)") +
                               " but was sent to " + (traces_ ? "/v1/traces" : "/v1/logs"));
            // An export request with no resource entries is valid and carries nothing.
            return;
        }
        if (!top->is_array()) {
            bodyReject("input.bad_type",
                       std::string(topKey) + " must be an array, got " + typeName(top->type()));
            return;
        }

        std::size_t ri = 0;
        for (element resource : array(*top)) {
            const std::string where = std::string(topKey) + "[" + std::to_string(ri++) + "]";
            walkResource(resource, where, traces_);
        }
    }

    std::string rawOf(element e, std::int64_t* bytes)
    {
        std::string raw = simdjson::minify(e);
        *bytes = static_cast<std::int64_t>(raw.size());
        if (raw.size() > kMaxRawBytes)
            raw.resize(utf8Prefix(raw, kMaxRawBytes).size());
        return raw;
    }

    void walkResource(element resource, const std::string& where, bool isTraces)
    {
        auto bad = [&](element e, const Error& err) {
            std::int64_t n = 0;
            std::string raw = rawOf(e, &n);
            rejectRecord(err, std::move(raw), ++recordNo);
            cur->rejected.back().rawBytes = n;
        };
        if (!resource.is_object())
            return bad(resource, Error{"input.bad_type", where + " must be an object"});
        // Resource attributes: service.name for the fallback agent, the rest kept.
        std::string service = "unknown_service", resourceJson;
        if (const auto res = member(object(resource), "resource")) {
            if (!res->is_object())
                return bad(resource,
                           Error{"input.bad_type", where + ".resource must be an object"});
            Attrs ra;
            if (auto r = ra.load(object(*res), where + ".resource"); !r)
                return bad(resource, r.error());
            auto name = ra.string("service.name");
            if (!name)
                return bad(resource, name.error());
            if (*name)
                service = std::string(**name);
            if (Attr* sn = ra.find("service.name"))
                sn->used = false; // kept in otel.resource as well
            auto rest = ra.rest();
            if (!rest)
                return bad(resource, rest.error());
            resourceJson = std::move(*rest);
        }
        std::string serviceAgent = sanitizeAgent(service);
        if (serviceAgent.empty())
            serviceAgent = "unknown_service";

        const std::string_view scopesKey = isTraces ? "scopeSpans" : "scopeLogs";
        const auto scopes =
            member(object(resource), scopesKey, isTraces ? "scope_spans" : "scope_logs");
        if (!scopes)
            return;
        if (!scopes->is_array())
            return bad(resource, Error{"input.bad_type",
                                       where + "." + std::string(scopesKey) + " must be an array"});
        std::size_t si = 0;
        for (element scope : array(*scopes)) {
            const std::string sw =
                where + "." + std::string(scopesKey) + "[" + std::to_string(si++) + "]";
            if (!scope.is_object()) {
                bad(scope, Error{"input.bad_type", sw + " must be an object"});
                continue;
            }
            std::string scopeJson;
            if (const auto sc = member(object(scope), "scope"); sc && sc->is_object()) {
                const std::string_view name = stringMember(*sc, "name");
                const std::string_view version = stringMember(*sc, "version");
                if (!name.empty() || !version.empty()) {
                    scopeJson = "{\"name\":" + jsonString(name);
                    if (!version.empty())
                        scopeJson += ",\"version\":" + jsonString(version);
                    scopeJson += '}';
                }
            }
            const std::string_view itemsKey = isTraces ? "spans" : "logRecords";
            const auto items = member(object(scope), itemsKey, isTraces ? "spans" : "log_records");
            if (!items)
                continue;
            if (!items->is_array()) {
                bad(scope, Error{"input.bad_type",
                                 sw + "." + std::string(itemsKey) + " must be an array"});
                continue;
            }
            std::size_t ii = 0;
            for (element item : array(*items)) {
                const std::string iw =
                    sw + "." + std::string(itemsKey) + "[" + std::to_string(ii++) + "]";
                Draft d;
                m_extraOtel.clear();
                d.recordNo = ++recordNo;
                d.tag = bodyTag;
                d.serviceAgent = serviceAgent;
                std::string raw = rawOf(item, &d.rawBytes);
                std::expected<void, Error> r;
                if (!item.is_object())
                    r = reject("input.bad_type", iw + " must be an object");
                else if (isTraces)
                    r = mapSpan(object(item), iw, d);
                else
                    r = mapLog(object(item), iw, d, service);
                if (!r) {
                    rejectRecord(r.error(), std::move(raw), d.recordNo);
                    cur->rejected.back().rawBytes = d.rawBytes;
                    continue;
                }
                std::string otel = "{";
                auto add = [&](std::string_view k, const std::string& v) {
                    if (v.empty())
                        return;
                    if (otel.size() > 1)
                        otel += ',';
                    otel += jsonString(k) + ":" + v;
                };
                add("attributes", d.otel); // mapSpan/mapLog left the item's rest here
                add("resource", resourceJson);
                add("scope", scopeJson);
                for (auto& [k, v] : m_extraOtel)
                    add(k, v);
                m_extraOtel.clear();
                d.otel = otel.size() > 1 ? otel + "}" : std::string{};
                cur->drafts.push_back(std::move(d));
            }
        }
    }

    std::vector<std::pair<std::string, std::string>> m_extraOtel; ///< otel.* parts of the item

    // -------------------------------------------------- shared GenAI attribute mapping

    struct Common
    {
        std::string op;
        std::string agentName;
        std::string model;
        std::string requestModel;
        std::string toolName;
        std::string conversation;
    };

    /// Reads the GenAI attributes every record kind shares into `d` and `c`.
    Check readGenAi(Attrs& a, Draft& d, Content& c, Common& k)
    {
        VIGIL_ASSIGN(op, a.string("gen_ai.operation.name"));
        if (op)
            k.op = std::string(*op);
        VIGIL_ASSIGN(agent, a.string("gen_ai.agent.name"));
        if (agent)
            k.agentName = std::string(*agent);
        VIGIL_ASSIGN(conv, a.string("gen_ai.conversation.id"));
        if (conv)
            k.conversation = std::string(*conv);
        VIGIL_ASSIGN(reqModel, a.string("gen_ai.request.model"));
        VIGIL_ASSIGN(respModel, a.string("gen_ai.response.model"));
        if (reqModel)
            k.requestModel = std::string(*reqModel);
        k.model = respModel ? std::string(*respModel) : k.requestModel;
        if (!k.model.empty())
            d.stringField("model", k.model);
        if (reqModel && respModel && *reqModel != *respModel)
            d.stringField("request_model", *reqModel);
        VIGIL_ASSIGN(provider, a.string("gen_ai.provider.name"));
        VIGIL_ASSIGN(system, a.string("gen_ai.system"));
        if (provider || system)
            d.stringField("provider", provider ? *provider : *system);
        for (const auto& [attr, field] : {std::pair{"gen_ai.agent.id", "agent_id"},
                                          {"gen_ai.agent.description", "agent_description"},
                                          {"gen_ai.response.id", "response_id"},
                                          {"gen_ai.tool.type", "tool_type"},
                                          {"gen_ai.tool.description", "tool_description"},
                                          {"gen_ai.data_source.id", "data_source_id"}}) {
            VIGIL_ASSIGN(v, a.string(attr));
            if (v)
                d.stringField(field, *v);
        }
        VIGIL_ASSIGN(inTok, a.count("gen_ai.usage.input_tokens"));
        VIGIL_ASSIGN(outTok, a.count("gen_ai.usage.output_tokens"));
        // OpenLLMetry's older names for the same counts.
        VIGIL_ASSIGN(promptTok, a.count("gen_ai.usage.prompt_tokens"));
        VIGIL_ASSIGN(complTok, a.count("gen_ai.usage.completion_tokens"));
        const auto in = inTok ? inTok : promptTok;
        const auto outN = outTok ? outTok : complTok;
        if (in)
            d.field("input_tokens", std::to_string(*in));
        if (outN)
            d.field("output_tokens", std::to_string(*outN));
        if (in || outN)
            d.field("tokens", std::to_string(in.value_or(0) + outN.value_or(0)));

        VIGIL_ASSIGN(tool, a.string("gen_ai.tool.name"));
        if (tool)
            k.toolName = std::string(*tool);

        for (const auto& [attr, isOutput, system] :
             {std::tuple{"gen_ai.input.messages", false, false},
              {"gen_ai.output.messages", true, false},
              {"gen_ai.system_instructions", false, true}}) {
            VIGIL_ASSIGN(msgs, a.jsonish(attr));
            if (!msgs)
                continue;
            if (!readMessages(msgs->first, isOutput, system, c)) {
                // Not the documented shape: keep it as it came, scanned as text.
                a.find(attr)->used = false;
            }
        }
        VIGIL_TRY(readIndexedPrompts(a, c));

        // OpenLLMetry (Traceloop) entity input/output.
        VIGIL_ASSIGN(entityIn, a.string("traceloop.entity.input"));
        VIGIL_ASSIGN(entityOut, a.string("traceloop.entity.output"));
        if (entityIn)
            c.input.emplace_back(*entityIn);
        if (entityOut)
            c.output.emplace_back(*entityOut);

        VIGIL_ASSIGN(userId, a.string("user.id"));
        VIGIL_ASSIGN(endUser, a.string("enduser.id"));
        const auto uid = userId ? userId : endUser;
        if (uid && codePoints(*uid) <= 100 && printable(*uid))
            d.userId = std::string(*uid);
        else if (uid)
            a.find(userId ? "user.id" : "enduser.id")->used = false;
        return {};
    }

    /// gen_ai.input.messages and friends: a JSON array (as a string or structured).
    bool readMessages(const std::string& json, bool isOutput, bool system, Content& c)
    {
        element root;
        if (!parseInner(json, root) || !root.is_array())
            return false;
        Content local;
        for (element m : array(root)) {
            if (system) {
                // System instructions are a list of parts, not of messages.
                const std::string_view t = stringMember(m, "content");
                if (!t.empty())
                    local.instructions.emplace_back(t);
                else if (m.is_string())
                    local.instructions.emplace_back(std::string_view(m));
                else
                    local.otherParts.push_back(simdjson::minify(m));
                continue;
            }
            readMessage(m, isOutput, local);
        }
        for (std::vector<std::string> Content::*v :
             {&Content::instructions, &Content::input, &Content::output, &Content::toolCalls,
              &Content::otherParts})
            for (std::string& s : local.*v)
                (c.*v).push_back(std::move(s));
        return true;
    }

    /// OpenLLMetry's flattened prompts: gen_ai.prompt.N.{role,content}, gen_ai.completion.N.
    /// {content, tool_calls.M.{name,id,arguments}}.
    Check readIndexedPrompts(Attrs& a, Content& c)
    {
        struct Msg
        {
            std::string role, content;
            std::map<long, std::array<std::string, 3>> calls; // name, id, arguments
        };
        std::map<long, Msg> prompts, completions;
        for (Attr& attr : a.all()) {
            const bool prompt = attr.key.starts_with("gen_ai.prompt.");
            const bool completion = attr.key.starts_with("gen_ai.completion.");
            if (!prompt && !completion)
                continue;
            std::string_view rest = attr.key.substr(prompt ? 14 : 18);
            long n = 0;
            const auto r = std::from_chars(rest.data(), rest.data() + rest.size(), n);
            if (r.ec != std::errc{} || r.ptr == rest.data() + rest.size() || *r.ptr != '.')
                continue;
            rest.remove_prefix(static_cast<std::size_t>(r.ptr - rest.data()) + 1);
            Msg& m = (prompt ? prompts : completions)[n];
            std::string* slot = nullptr;
            if (rest == "content")
                slot = &m.content;
            else if (rest == "role")
                slot = &m.role;
            else if (rest.starts_with("tool_calls.")) {
                std::string_view t = rest.substr(11);
                long k = 0;
                const auto r2 = std::from_chars(t.data(), t.data() + t.size(), k);
                if (r2.ec != std::errc{} || r2.ptr == t.data() + t.size() || *r2.ptr != '.')
                    continue;
                t.remove_prefix(static_cast<std::size_t>(r2.ptr - t.data()) + 1);
                auto& call = m.calls[k];
                slot = t == "name"        ? &call[0]
                       : t == "id"        ? &call[1]
                       : t == "arguments" ? &call[2]
                                          : nullptr;
            }
            if (!slot)
                continue;
            VIGIL_ASSIGN(v, a.jsonish(attr.key));
            if (v)
                *slot = std::move(v->first);
        }
        for (auto& [n, m] : prompts)
            if (!m.content.empty())
                (m.role == "system" ? c.instructions : c.input).push_back(std::move(m.content));
        for (auto& [n, m] : completions) {
            if (!m.content.empty())
                c.output.push_back(std::move(m.content));
            for (auto& [k, call] : m.calls) {
                std::string json = "{\"name\":" + jsonString(call[0]);
                if (!call[1].empty())
                    json += ",\"id\":" + jsonString(call[1]);
                if (!call[2].empty())
                    json += ",\"arguments\":" + jsonString(call[2]);
                c.toolCalls.push_back(json + "}");
            }
        }
        return {};
    }

    void putContent(Draft& d, Content& c, std::string_view inputKey)
    {
        if (!c.instructions.empty())
            d.text("instructions", joined(c.instructions));
        if (!c.input.empty())
            d.text(std::string(inputKey), joined(c.input));
        if (!c.output.empty())
            d.text("output", joined(c.output));
        auto list = [](const std::vector<std::string>& v) {
            std::string s = "[";
            for (std::size_t i = 0; i < v.size(); ++i)
                s += (i ? "," : "") + v[i];
            return s + "]";
        };
        if (!c.toolCalls.empty())
            d.field("tool_calls", list(c.toolCalls));
        if (!c.otherParts.empty())
            d.field("other_parts", list(c.otherParts));
    }

    void setAgent(Draft& d, std::string_view name)
    {
        d.explicitAgent = sanitizeAgent(name);
        if (!d.explicitAgent.empty() && d.explicitAgent != name)
            d.displayAgent = std::string(name);
    }

    std::string threadFor(const std::string& conversation, const std::string& trace,
                          const std::string& fallback, Draft& d)
    {
        if (!conversation.empty()) {
            if (codePoints(conversation) <= 100 && printable(conversation))
                return conversation;
            d.stringField("conversation_id", conversation);
        }
        return trace.empty() ? fallback : trace;
    }

    // -------------------------------------------------- spans

    Check mapSpan(object span, const std::string& where, Draft& d)
    {
        VIGIL_ASSIGN(trace, idField(span, "traceId", "trace_id", 16, where));
        VIGIL_ASSIGN(spanId, idField(span, "spanId", "span_id", 8, where));
        if (trace.empty())
            return reject("input.missing_field", "missing field " + where + ".traceId");
        if (spanId.empty())
            return reject("input.missing_field", "missing field " + where + ".spanId");
        auto parentR = idField(span, "parentSpanId", "parent_span_id", 8, where);
        const std::string parent = parentR ? *parentR : std::string{};
        // Remember the span at once, even if it turns out invalid below, so its children can
        // still reach their agent through it.
        cur->spans.push_back(SpanNote{trace, spanId, parent, {}});
        if (!parentR)
            return std::unexpected(parentR.error());

        VIGIL_ASSIGN(start, uintField(span, "startTimeUnixNano", "start_time_unix_nano", where));
        VIGIL_ASSIGN(end, uintField(span, "endTimeUnixNano", "end_time_unix_nano", where));
        if (!start || *start == 0)
            return reject("input.missing_field", "missing field " + where + ".startTimeUnixNano");
        if (!end || *end == 0)
            return reject("input.missing_field", "missing field " + where + ".endTimeUnixNano");
        if (*end < *start)
            return reject("input.bad_value",
                          where + ".endTimeUnixNano is before startTimeUnixNano");
        VIGIL_ASSIGN(ts, nanosToTimestamp(*start, where + ".startTimeUnixNano"));
        d.timestamp = std::move(ts);

        std::string_view name;
        if (const auto n = member(span, "name")) {
            if (!n->is_string())
                return reject("input.bad_type", where + ".name must be a string");
            name = std::string_view(*n);
        }
        std::int64_t kind = 0;
        if (const auto k = member(span, "kind");
            k && k->get_int64().get(kind) != simdjson::SUCCESS && !k->is_string())
            return reject("input.bad_type", where + ".kind must be an integer");

        // Status: code 2 (or "STATUS_CODE_ERROR") is an error.
        bool error = false;
        std::string statusMessage;
        if (const auto st = member(span, "status")) {
            if (!st->is_object())
                return reject("input.bad_type", where + ".status must be an object");
            if (const auto code = member(object(*st), "code")) {
                std::int64_t c = 0;
                if (code->get_int64().get(c) == simdjson::SUCCESS)
                    error = c == 2;
                else if (code->is_string())
                    error = std::string_view(*code) == "STATUS_CODE_ERROR";
                else
                    return reject("input.bad_type", where + ".status.code must be an integer");
            }
            statusMessage = std::string(stringMember(*st, "message"));
        }

        Attrs a;
        VIGIL_TRY(a.load(span, where));
        Content c;
        Common k;
        VIGIL_TRY(readGenAi(a, d, c, k));

        // OpenLLMetry spans name the operation and the entity differently.
        VIGIL_ASSIGN(reqType, a.string("llm.request.type"));
        VIGIL_ASSIGN(tlKind, a.string("traceloop.span.kind"));
        VIGIL_ASSIGN(tlName, a.string("traceloop.entity.name"));
        if (k.op.empty() && reqType)
            k.op = *reqType == "completion"  ? "text_completion"
                   : *reqType == "embedding" ? "embeddings"
                                             : std::string(*reqType);
        if (k.op.empty() && tlKind) {
            if (*tlKind == "tool")
                k.op = "execute_tool";
            else if (*tlKind == "agent")
                k.op = "invoke_agent";
            else if (*tlKind == "workflow")
                k.op = "invoke_workflow";
        }
        if (tlKind && tlName && *tlKind == "tool" && k.toolName.empty())
            k.toolName = std::string(*tlName);
        if (tlKind && tlName && *tlKind == "agent" && k.agentName.empty())
            k.agentName = std::string(*tlName);

        if (!k.agentName.empty())
            setAgent(d, k.agentName);
        // Remember the span's own agent for its descendants (a span names an agent only when
        // it carries gen_ai.agent.name, typically invoke_agent / create_agent).
        cur->spans.back().agent = d.explicitAgent;

        d.traceId = trace;
        d.spanId = spanId;
        d.chainTrace = trace;
        d.chainStart = parent;
        d.eventId = "otel:" + trace + ":" + spanId;
        d.threadId = threadFor(k.conversation, trace, trace, d);

        // Span events: prompt/completion content of the older conventions, exceptions.
        std::string events;
        std::string errorType, stackTrace, exceptionMessage;
        if (const auto evs = member(span, "events")) {
            if (!evs->is_array())
                return reject("input.bad_type", where + ".events must be an array");
            std::size_t ei = 0;
            for (element ev : array(*evs)) {
                const std::string ew = where + ".events[" + std::to_string(ei++) + "]";
                if (!ev.is_object())
                    return reject("input.bad_type", ew + " must be an object");
                const std::string_view en = stringMember(ev, "name");
                Attrs ea;
                VIGIL_TRY(ea.load(object(ev), ew));
                bool consumed = false;
                if (en == "gen_ai.content.prompt" || en == "gen_ai.content.completion") {
                    const bool isPrompt = en == "gen_ai.content.prompt";
                    VIGIL_ASSIGN(t, ea.jsonish(isPrompt ? "gen_ai.prompt" : "gen_ai.completion"));
                    if (t) {
                        (isPrompt ? c.input : c.output).push_back(std::move(t->first));
                        consumed = true;
                    }
                } else if (en == "gen_ai.system.message" || en == "gen_ai.user.message" ||
                           en == "gen_ai.assistant.message" || en == "gen_ai.tool.message" ||
                           en == "gen_ai.choice") {
                    consumed = readMessageEvent(en, ea, c);
                } else if (en == "exception") {
                    VIGIL_ASSIGN(et, ea.string("exception.type"));
                    VIGIL_ASSIGN(em, ea.string("exception.message"));
                    VIGIL_ASSIGN(es, ea.string("exception.stacktrace"));
                    if (et && errorType.empty())
                        errorType = std::string(*et);
                    if (em && exceptionMessage.empty())
                        exceptionMessage = std::string(*em);
                    if (es && stackTrace.empty())
                        stackTrace = std::string(*es);
                    consumed = true;
                }
                VIGIL_ASSIGN(restE, ea.rest());
                if (consumed && restE.empty())
                    continue;
                if (!events.empty())
                    events += ',';
                events += "{\"name\":" + jsonString(en);
                if (auto t = uintField(object(ev), "timeUnixNano", "time_unix_nano", ew);
                    t && *t && **t)
                    if (auto s = nanosToTimestamp(**t, ew); s)
                        events += ",\"time\":" + jsonString(*s);
                if (!restE.empty())
                    events += ",\"attributes\":" + restE;
                events += '}';
            }
        }
        VIGIL_ASSIGN(errType, a.string("error.type"));
        if (errType)
            errorType = std::string(*errType);

        // The event type (docs/event-format.md, "OpenTelemetry GenAI").
        const std::string& op = k.op;
        if (!op.empty())
            d.stringField("operation", op);
        if (!name.empty())
            d.stringField("span_name", name);
        d.stringField("parent_span_id", parent);
        d.field("latency_ms", std::to_string((*end - *start) / 1'000'000));
        if (op == "chat" || op == "text_completion" || op == "generate_content" ||
            op == "embeddings" || op == "completion") {
            d.eventType = "worker_invoked";
            d.workerNameIsAgent = true;
            const std::string input = joined(c.input);
            d.fields.insert(d.fields.begin(), std::pair<std::string, std::string>{
                                                  "input_hash", jsonString(sha256Hex(input))});
            if (k.model.empty())
                d.fields.insert(d.fields.begin(),
                                std::pair<std::string, std::string>{"model", jsonString("")});
            putContent(d, c, "input");
        } else if (op == "execute_tool") {
            d.eventType = "tool_call";
            VIGIL_TRY(mapTool(a, d, k, name));
            putContent(d, c, "input");
            if (error)
                d.stringField("outcome", "error");
        } else if (op == "invoke_agent" || op == "create_agent" || op == "invoke_workflow") {
            d.eventType = op == "invoke_agent"   ? "agent_invoked"
                          : op == "create_agent" ? "agent_created"
                                                 : "workflow_invoked";
            putContent(d, c, "input");
        } else if (!op.empty()) {
            d.eventType = customOperationType(op);
            putContent(d, c, "input");
        } else if (error) {
            d.eventType = "error_occurred";
            d.fields.insert(
                d.fields.begin(),
                std::pair<std::string, std::string>{
                    "error_type", jsonString(errorType.empty() ? "span_error" : errorType)});
            putContent(d, c, "input");
        } else {
            d.eventType = "otel_span";
            putContent(d, c, "input");
        }
        if (kind)
            d.field("span_kind", std::to_string(kind));
        if (error) {
            d.severity = "error";
            if (!errorType.empty() && d.eventType != "error_occurred")
                d.stringField("error_type", errorType);
            if (!statusMessage.empty())
                d.text("error_message", statusMessage);
        }
        if (!exceptionMessage.empty())
            d.text("exception_message", exceptionMessage);
        if (!stackTrace.empty())
            d.text("stack_trace", stackTrace);

        VIGIL_ASSIGN(rest, a.rest());
        d.otel = std::move(rest);
        if (!events.empty())
            m_extraOtel.emplace_back("events", "[" + events + "]");
        if (const auto links = member(span, "links");
            links && links->is_array() && array(*links).size() > 0) {
            std::string l = "[";
            for (element link : array(*links)) {
                if (!link.is_object())
                    continue;
                auto lt = idField(object(link), "traceId", "trace_id", 16, where + ".links");
                auto ls = idField(object(link), "spanId", "span_id", 8, where + ".links");
                if (!lt || !ls)
                    return reject("input.bad_value", where + ".links holds an invalid id");
                l += (l.size() > 1 ? "," : "") + std::string("{\"trace_id\":") + jsonString(*lt) +
                     ",\"span_id\":" + jsonString(*ls) + "}";
            }
            m_extraOtel.emplace_back("links", l + "]");
        }
        return {};
    }

    /// A gen_ai.*.message / gen_ai.choice span event: its content attribute(s).
    bool readMessageEvent(std::string_view name, Attrs& ea, Content& c)
    {
        const bool isOutput = name == "gen_ai.choice" || name == "gen_ai.assistant.message";
        auto& texts = name == "gen_ai.system.message" ? c.instructions
                      : isOutput                      ? c.output
                                                      : c.input;
        bool any = false;
        for (const char* key : {"content", "gen_ai.event.content", "message"}) {
            auto v = ea.jsonish(key);
            if (!v || !*v)
                continue;
            const std::string& s = (*v)->first;
            {
                element root;
                if (parseInner(s, root) && root.is_object()) {
                    Content local;
                    readMessage(root, isOutput, local);
                    if (!local.empty()) {
                        for (std::vector<std::string> Content::*m :
                             {&Content::instructions, &Content::input, &Content::output,
                              &Content::toolCalls, &Content::otherParts})
                            for (std::string& t : local.*m)
                                (c.*m).push_back(std::move(t));
                        any = true;
                        continue;
                    }
                }
            }
            texts.push_back(s);
            any = true;
        }
        return any;
    }

    /// execute_tool: the IAM action from the tool table, the resource from its template.
    Check mapTool(Attrs& a, Draft& d, const Common& k, std::string_view spanName)
    {
        std::string tool = k.toolName;
        if (tool.empty() && spanName.starts_with("execute_tool "))
            tool = std::string(spanName.substr(13));
        if (tool.empty())
            tool = spanName.empty() ? "unknown" : std::string(spanName);
        VIGIL_ASSIGN(args, a.jsonish("gen_ai.tool.call.arguments"));
        VIGIL_ASSIGN(callId, a.string("gen_ai.tool.call.id"));
        VIGIL_ASSIGN(result, a.jsonish("gen_ai.tool.call.result"));

        // Arguments as an object, for the resource template.
        element argsObj;
        bool haveObj = false;
        if (args)
            haveObj = parseInner(args->first, argsObj) && argsObj.is_object();
        const ToolAction* entry = tools.find(tool);
        std::string action = entry ? entry->action : unmappedToolAction(tool);
        std::string resource = "tool/" + tool;
        bool resolved = true;
        if (entry && !entry->resource.empty()) {
            std::string r;
            const std::string& t = entry->resource;
            for (std::size_t i = 0; i < t.size();) {
                const auto open = t.find('{', i);
                if (open == std::string::npos) {
                    r += t.substr(i);
                    break;
                }
                const auto close = t.find('}', open);
                if (close == std::string::npos) {
                    r += t.substr(i);
                    break;
                }
                r += t.substr(i, open - i);
                const std::string key = t.substr(open + 1, close - open - 1);
                element v;
                if (haveObj && object(argsObj).at_key(key).get(v) == simdjson::SUCCESS &&
                    (v.is_string() || v.is_number())) {
                    r += v.is_string() ? std::string(std::string_view(v)) : simdjson::minify(v);
                } else {
                    resolved = false;
                    break;
                }
                i = close + 1;
            }
            if (resolved && !r.empty())
                resource = std::move(r);
        }
        // The resource is a single-line identifier: keep it printable and short.
        if (!printable(resource) || resource.size() > 1024)
            resource = "tool/" + std::string(utf8Prefix(tool, 200));
        d.stringField("action", action);
        d.stringField("resource", resource);
        d.stringField("tool_name", tool);
        if (callId)
            d.stringField("tool_call_id", *callId);
        if (args) {
            if (args->second && haveObj)
                d.field("arguments", args->first);
            else
                d.text("arguments", args->first);
        }
        if (result)
            d.text("result", result->first);
        return {};
    }

    // -------------------------------------------------- log records

    static const char* severityOf(std::int64_t number, std::string_view text)
    {
        if (number >= 21)
            return "critical";
        if (number >= 17)
            return "error";
        if (number >= 13)
            return "warning";
        if (number >= 1)
            return "info";
        std::string t;
        for (char ch : text)
            t += static_cast<char>(ch >= 'a' && ch <= 'z' ? ch - 'a' + 'A' : ch);
        if (t.starts_with("FATAL") || t == "CRITICAL")
            return "critical";
        if (t.starts_with("ERROR"))
            return "error";
        if (t.starts_with("WARN"))
            return "warning";
        return "info";
    }

    Check mapLog(object rec, const std::string& where, Draft& d, const std::string& service)
    {
        VIGIL_ASSIGN(trace, idField(rec, "traceId", "trace_id", 16, where));
        VIGIL_ASSIGN(spanId, idField(rec, "spanId", "span_id", 8, where));
        VIGIL_ASSIGN(t, uintField(rec, "timeUnixNano", "time_unix_nano", where));
        VIGIL_ASSIGN(observed,
                     uintField(rec, "observedTimeUnixNano", "observed_time_unix_nano", where));
        const std::uint64_t ns = t && *t ? *t : observed ? *observed : 0;
        if (!ns)
            return reject("input.missing_field",
                          "missing field " + where + ".timeUnixNano (and observedTimeUnixNano)");
        VIGIL_ASSIGN(ts, nanosToTimestamp(ns, where + ".timeUnixNano"));
        d.timestamp = std::move(ts);

        std::int64_t sevNumber = 0;
        if (const auto sn = member(rec, "severityNumber", "severity_number")) {
            if (sn->get_int64().get(sevNumber) != simdjson::SUCCESS && !sn->is_string())
                return reject("input.bad_type", where + ".severityNumber must be an integer");
            if (sevNumber < 0 || sevNumber > 24)
                return reject("input.bad_value", where + ".severityNumber must be 0 to 24");
        }
        std::string_view sevText;
        if (const auto st = member(rec, "severityText", "severity_text")) {
            if (!st->is_string())
                return reject("input.bad_type", where + ".severityText must be a string");
            sevText = std::string_view(*st);
        }
        d.severity = severityOf(sevNumber, sevText);

        Attrs a;
        VIGIL_TRY(a.load(rec, where));
        std::string eventName;
        if (const auto en = member(rec, "eventName", "event_name")) {
            if (!en->is_string())
                return reject("input.bad_type", where + ".eventName must be a string");
            eventName = std::string(std::string_view(*en));
        }
        VIGIL_ASSIGN(attrEvent, a.string("event.name"));
        if (eventName.empty() && attrEvent)
            eventName = std::string(*attrEvent);

        Content c;
        Common k;
        VIGIL_TRY(readGenAi(a, d, c, k));
        if (!k.agentName.empty())
            setAgent(d, k.agentName);

        // The body: a string, or a structured value whose message content is read.
        std::string bodyJson;
        bool bodyIsString = false;
        if (const auto b = member(rec, "body")) {
            auto v = classify(*b, where + ".body");
            if (!v)
                return std::unexpected(v.error());
            if (v->kind == AnyKind::String) {
                bodyJson = std::string(std::string_view(v->value));
                bodyIsString = true;
            } else if (v->kind != AnyKind::Empty) {
                VIGIL_TRY(anyToJson(*b, bodyJson, 1, where + ".body"));
            }
        }

        const bool isMessage = eventName == "gen_ai.user.message" ||
                               eventName == "gen_ai.system.message" ||
                               eventName == "gen_ai.assistant.message" ||
                               eventName == "gen_ai.tool.message" || eventName == "gen_ai.choice";
        bool bodyRead = false;
        if (isMessage && !bodyJson.empty()) {
            const bool isOutput =
                eventName == "gen_ai.choice" || eventName == "gen_ai.assistant.message";
            Content local;
            if (bodyIsString) {
                local.input.push_back(bodyJson);
                bodyRead = true;
            } else {
                element root;
                if (parseInner(bodyJson, root) && root.is_object()) {
                    readMessage(root, isOutput, local);
                    if (eventName == "gen_ai.system.message") {
                        for (std::string& s : local.input)
                            local.instructions.push_back(std::move(s));
                        local.input.clear();
                    }
                    const std::string_view id = stringMember(root, "id");
                    if (!id.empty())
                        d.stringField("tool_call_id", id);
                    const std::string_view finish = stringMember(root, "finish_reason");
                    if (!finish.empty())
                        d.stringField("finish_reason", finish);
                    bodyRead = !local.empty() || !id.empty();
                }
            }
            if (bodyRead) {
                if (eventName == "gen_ai.user.message") {
                    // What the user asked: the field the user-query rules read.
                    std::vector<std::string> all = std::move(local.input);
                    d.text("query", joined(all));
                    local.input.clear();
                }
                for (std::vector<std::string> Content::*m :
                     {&Content::instructions, &Content::input, &Content::output,
                      &Content::toolCalls, &Content::otherParts})
                    for (std::string& s : local.*m)
                        (c.*m).push_back(std::move(s));
            }
        }

        if (eventName == "gen_ai.user.message") {
            d.eventType = "user_query_received";
            if (!bodyRead)
                d.text("query", "");
            // user_query_received requires details.query first among the texts.
            std::stable_partition(d.texts.begin(), d.texts.end(),
                                  [](const auto& p) { return p.first == "query"; });
            putContent(d, c, "input");
        } else if (eventName == "gen_ai.system.message") {
            d.eventType = "model_instructions";
            putContent(d, c, "input");
        } else if (eventName == "gen_ai.assistant.message") {
            d.eventType = "model_message";
            putContent(d, c, "input");
        } else if (eventName == "gen_ai.tool.message") {
            d.eventType = "tool_result";
            c.output.swap(c.input); // the tool's answer, handed to the model
            if (!c.output.empty())
                d.text("result", joined(c.output));
            c.output.clear();
            putContent(d, c, "input");
        } else if (eventName == "gen_ai.choice") {
            d.eventType = "model_output";
            putContent(d, c, "input");
        } else if (eventName == "gen_ai.client.inference.operation.details" ||
                   (!k.op.empty() && eventName.empty())) {
            d.eventType = "worker_invoked";
            d.workerNameIsAgent = true;
            d.fields.insert(d.fields.begin(),
                            std::pair<std::string, std::string>{
                                "input_hash", jsonString(sha256Hex(joined(c.input)))});
            if (k.model.empty())
                d.fields.insert(d.fields.begin(),
                                std::pair<std::string, std::string>{"model", jsonString("")});
            if (!k.op.empty())
                d.stringField("operation", k.op);
            putContent(d, c, "input");
        } else {
            d.eventType = "log_record";
            putContent(d, c, "input");
        }
        if (!eventName.empty())
            d.stringField("event_name", eventName);
        if (!sevText.empty())
            d.stringField("severity_text", sevText);
        if (!bodyRead && !bodyJson.empty()) {
            if (bodyIsString)
                d.text("body", bodyJson);
            else
                d.field("body", bodyJson);
        }

        d.traceId = trace;
        d.spanId = spanId;
        d.chainTrace = trace;
        d.chainStart = spanId; // a log record inherits the agent of its span
        d.threadId =
            threadFor(k.conversation, trace, "service:" + std::string(utf8Prefix(service, 90)), d);
        if (!printable(d.threadId))
            d.threadId = "service:" + d.serviceAgent;
        VIGIL_ASSIGN(rest, a.rest());
        d.otel = std::move(rest);
        // Identical resends of a body give identical ids, whichever encoding carries them
        // (JSON or protobuf, key order, hex or base64 ids): the id digests what was read, not
        // the text. Distinct records differ in content or in their place in the body.
        std::string identity = service;
        for (const std::string_view part :
             {std::string_view(trace), std::string_view(spanId), std::string_view(eventName),
              sevText, std::string_view(d.otel), std::string_view(bodyJson)})
            (identity += '\x1f') += part;
        identity += '\x1f' + std::to_string(t ? *t : 0) + '\x1f' +
                    std::to_string(observed ? *observed : 0) + '\x1f' + std::to_string(sevNumber);
        for (const auto* list : {&d.fields, &d.texts})
            for (const auto& [k, v] : *list)
                ((identity += '\x1e') += k) += '\x1f' + v;
        d.eventId = "otel-log:" + sha256Hex(identity).substr(7, 32) + ":" +
                    std::to_string(d.recordNo);
        return {};
    }
};


// ---------------------------------------------------------------- the agent join

struct OtlpMapper::Impl
{
    OtlpReader reader;
    OtlpMapperOptions options;

    std::unordered_map<std::string, TraceState> traces;
    std::deque<std::pair<std::string, std::int64_t>> touches; ///< (trace, when), oldest first
    std::map<std::uint64_t, Pending> pending;                 ///< by arrival
    std::uint64_t nextSeq = 1;
    std::size_t knownSpans = 0;
    std::size_t pendingBytes = 0;

    std::optional<Error> bodyRejection; ///< why the last body as a whole was refused
    std::vector<ForeignRecord>* out = nullptr;
    std::vector<std::string> bodyTraces; ///< traces the body being joined touched

    Impl(ToolActionMap t, OtlpMapperOptions o) : reader(std::move(t), o), options(o) {}

    /// Completes a prepared draft with its agent into an event line.
    void finish(Draft& d, Resolution how, std::string agent)
    {
        if (agent.empty())
            agent = d.serviceAgent;
        const char* source = how == Resolution::Explicit   ? "gen_ai.agent.name"
                             : how == Resolution::Ancestor ? "ancestor_span"
                             : how == Resolution::Service  ? "service.name"
                                                           : "service.name_parent_not_received";
        std::string line;
        line.reserve(d.head.size() + d.afterAgent.size() + d.middle.size() + d.tail.size() +
                     2 * agent.size() + d.displayAgent.size() + 96);
        line += d.head;
        appendEscaped(line, agent);
        line += d.afterAgent;
        const std::size_t detailsAt = line.size() - 1; // its '{'
        if (d.workerNameIsAgent) {
            line += "\"worker_name\":";
            appendEscaped(line, agent);
            line += ',';
        }
        line += d.middle;
        line += "\"agent_source\":";
        appendEscaped(line, source);
        if (!d.displayAgent.empty() && how == Resolution::Explicit) {
            line += ",\"agent_display_name\":";
            appendEscaped(line, d.displayAgent);
        }
        line += d.tail;
        const std::size_t detailsBytes = line.size() - 1 - detailsAt;

        ForeignRecord r;
        r.recordNo = d.recordNo;
        r.rawBytes = d.rawBytes;
        r.tag = d.tag;
        if (detailsBytes > kMaxDetailsBytes || line.size() > kMaxLineBytes) {
            // Only reachable with hundreds of huge keys: refuse rather than store a line the
            // decoder would refuse anyway.
            r.rejectCode = "input.too_long";
            r.rejectMessage = "the converted event's details are larger than 64 KiB even after "
                              "truncating its texts";
            r.raw = std::string(utf8Prefix(line, kMaxRawBytes));
        } else {
            r.line = std::move(line);
        }
        out->push_back(std::move(r));
    }

    // -------------------------------------------------- agent join

    std::pair<Resolution, std::string> resolve(const Draft& d) const
    {
        if (!d.explicitAgent.empty())
            return {Resolution::Explicit, d.explicitAgent};
        if (d.chainTrace.empty() || d.chainStart.empty())
            return {Resolution::Service, d.serviceAgent};
        const auto t = traces.find(d.chainTrace);
        if (t == traces.end())
            return {Resolution::Wait, {}};
        std::string_view id = d.chainStart;
        for (int step = 0; step < kMaxChainSteps; ++step) {
            const auto s = t->second.spans.find(std::string(id));
            if (s == t->second.spans.end())
                return {Resolution::Wait, {}};
            if (!s->second.agent.empty())
                return {Resolution::Ancestor, s->second.agent};
            if (s->second.parent.empty())
                return {Resolution::Service, d.serviceAgent};
            id = s->second.parent;
        }
        return {Resolution::Service, d.serviceAgent}; // a cycle of parent ids
    }

    void touch(const std::string& trace, std::int64_t now)
    {
        bodyTraces.push_back(trace);
        TraceState& t = traces[trace];
        if (t.lastSeenMs != now || t.spans.empty()) {
            t.lastSeenMs = now;
            touches.emplace_back(trace, now);
        }
    }

    void remember(const std::string& trace, const std::string& span, const std::string& parent,
                  const std::string& agent, std::int64_t now)
    {
        touch(trace, now);
        auto [it, added] = traces[trace].spans.try_emplace(span);
        it->second.parent = parent;
        it->second.agent = agent;
        knownSpans += added;
    }

    void hold(Draft&& d, std::int64_t now)
    {
        const std::uint64_t seq = nextSeq++;
        Pending p{std::move(d), now, 0};
        p.bytes = p.draft.bytes();
        pendingBytes += p.bytes;
        touch(p.draft.chainTrace, now);
        traces[p.draft.chainTrace].pending.push_back(seq);
        pending.emplace(seq, std::move(p));
    }

    /// Emits held record `seq` with the best agent known now.
    void release(std::map<std::uint64_t, Pending>::iterator it, bool final)
    {
        auto [how, agent] = resolve(it->second.draft);
        if (how == Resolution::Wait) {
            if (!final)
                return;
            how = Resolution::Wait; // emitted with service.name, marked as not received
        }
        pendingBytes -= it->second.bytes;
        finish(it->second.draft, how, std::move(agent));
        pending.erase(it);
    }

    /// Retries the held records of `trace` that are still waiting.
    void retry(const std::string& trace)
    {
        const auto t = traces.find(trace);
        if (t == traces.end() || t->second.pending.empty())
            return;
        std::vector<std::uint64_t> keep;
        for (std::uint64_t seq : t->second.pending) {
            const auto it = pending.find(seq);
            if (it == pending.end())
                continue;
            release(it, false);
            if (pending.contains(seq))
                keep.push_back(seq);
        }
        traces[trace].pending = std::move(keep);
    }

    void forgetTrace(const std::string& trace)
    {
        const auto t = traces.find(trace);
        if (t == traces.end())
            return;
        for (std::uint64_t seq : t->second.pending)
            if (const auto it = pending.find(seq); it != pending.end())
                release(it, true);
        knownSpans -= t->second.spans.size();
        traces.erase(t);
    }

    void expire(std::int64_t now)
    {
        const std::int64_t cutoff = now - options.joinWindowMs;
        while (!pending.empty() && pending.begin()->second.arrivedMs <= cutoff)
            release(pending.begin(), true);
        while (!touches.empty() && touches.front().second <= cutoff) {
            const auto [trace, when] = touches.front();
            touches.pop_front();
            const auto t = traces.find(trace);
            if (t != traces.end() && t->second.lastSeenMs == when)
                forgetTrace(trace);
        }
    }

    void enforceBounds()
    {
        while (!pending.empty() && (pending.size() > options.maxPendingRecords ||
                                    pendingBytes > options.maxPendingBytes))
            release(pending.begin(), true);
        while (knownSpans > options.maxKnownSpans && !touches.empty()) {
            const auto [trace, when] = touches.front();
            touches.pop_front();
            const auto t = traces.find(trace);
            if (t != traces.end() && t->second.lastSeenMs == when)
                forgetTrace(trace);
        }
    }

    // -------------------------------------------------- one body

    std::vector<ForeignRecord> join(OtlpReadBody::Data& body, std::int64_t now)
    {
        std::vector<ForeignRecord> result;
        out = &result;
        bodyRejection = body.rejection;
        expire(now);
        std::move(body.rejected.begin(), body.rejected.end(), std::back_inserter(result));
        if (body.rejection) {
            out = nullptr;
            return result;
        }
        // Every span of the body is known first, whatever their order; then its records are
        // resolved.
        for (const SpanNote& s : body.spans)
            remember(s.trace, s.span, s.parent, s.agent, now);
        std::vector<std::string> touched = std::move(bodyTraces);
        bodyTraces.clear();
        const std::uint64_t firstSeq = nextSeq;
        for (Draft& d : body.drafts) {
            auto [how, agent] = resolve(d);
            if (how == Resolution::Wait)
                hold(std::move(d), now);
            else
                finish(d, how, std::move(agent));
        }
        bodyTraces.clear();
        // Records held from earlier bodies that this body may complete: only traces this body
        // added spans to can have changed.
        std::erase_if(touched, [&](const std::string& t) {
            const auto it = traces.find(t);
            return it == traces.end() || it->second.pending.empty() ||
                   it->second.pending.front() >= firstSeq;
        });
        std::sort(touched.begin(), touched.end());
        touched.erase(std::unique(touched.begin(), touched.end()), touched.end());
        for (const std::string& t : touched)
            retry(t);
        enforceBounds();
        out = nullptr;
        return result;
    }
};

#undef VIGIL_TRY
#undef VIGIL_ASSIGN

OtlpReadBody::OtlpReadBody() : m_data(std::make_unique<Data>()) {}
OtlpReadBody::~OtlpReadBody() = default;
OtlpReadBody::OtlpReadBody(OtlpReadBody&&) noexcept = default;
OtlpReadBody& OtlpReadBody::operator=(OtlpReadBody&&) noexcept = default;

std::size_t OtlpReadBody::recordCount() const
{
    return m_data ? m_data->rejected.size() + m_data->drafts.size() : 0;
}

const Error* OtlpReadBody::rejection() const
{
    return m_data && m_data->rejection ? &*m_data->rejection : nullptr;
}

OtlpReader::OtlpReader(ToolActionMap tools, OtlpMapperOptions options)
    : m_impl(std::make_unique<Impl>(std::move(tools), options))
{
}

OtlpReader::~OtlpReader() = default;
OtlpReader::OtlpReader(OtlpReader&&) noexcept = default;
OtlpReader& OtlpReader::operator=(OtlpReader&&) noexcept = default;

OtlpReadBody OtlpReader::read(OtlpSignal signal, std::string_view body, std::uint64_t tag,
                              OtlpEncoding encoding)
{
    OtlpReadBody result;
    m_impl->read(signal, body, tag, encoding, *result.m_data);
    return result;
}

OtlpMapper::OtlpMapper(ToolActionMap tools, OtlpMapperOptions options)
    : m_impl(std::make_unique<Impl>(std::move(tools), options))
{
}

OtlpMapper::~OtlpMapper() = default;
OtlpMapper::OtlpMapper(OtlpMapper&&) noexcept = default;
OtlpMapper& OtlpMapper::operator=(OtlpMapper&&) noexcept = default;

std::vector<ForeignRecord> OtlpMapper::map(OtlpSignal signal, std::string_view body,
                                           std::int64_t nowMs, std::uint64_t tag,
                                           OtlpEncoding encoding)
{
    OtlpReadBody read = m_impl->reader.read(signal, body, tag, encoding);
    return join(std::move(read), nowMs);
}

std::vector<ForeignRecord> OtlpMapper::join(OtlpReadBody body, std::int64_t nowMs)
{
    if (!body.m_data)
        return {};
    return m_impl->join(*body.m_data, nowMs);
}

std::vector<ForeignRecord> OtlpMapper::expire(std::int64_t nowMs)
{
    std::vector<ForeignRecord> result;
    m_impl->out = &result;
    m_impl->expire(nowMs);
    m_impl->out = nullptr;
    return result;
}

std::vector<ForeignRecord> OtlpMapper::flush()
{
    std::vector<ForeignRecord> result;
    m_impl->out = &result;
    while (!m_impl->pending.empty())
        m_impl->release(m_impl->pending.begin(), true);
    for (auto& [trace, state] : m_impl->traces)
        state.pending.clear();
    m_impl->out = nullptr;
    return result;
}

std::size_t OtlpMapper::pendingCount() const
{
    return m_impl->pending.size();
}

std::size_t OtlpMapper::pendingCount(std::uint64_t tag) const
{
    return static_cast<std::size_t>(
        std::count_if(m_impl->pending.begin(), m_impl->pending.end(),
                      [tag](const auto& p) { return p.second.draft.tag == tag; }));
}

const Error* OtlpMapper::bodyRejection() const
{
    return m_impl->bodyRejection ? &*m_impl->bodyRejection : nullptr;
}

std::size_t OtlpMapper::knownSpanCount() const
{
    return m_impl->knownSpans;
}

std::vector<ForeignRecord> mapOtlpBody(OtlpSignal signal, const std::uint8_t* data,
                                       std::size_t size, const ToolActionMap& tools,
                                       OtlpEncoding encoding)
{
    OtlpMapper mapper(tools);
    std::vector<ForeignRecord> out = mapper.map(
        signal, std::string_view(reinterpret_cast<const char*>(data), size), 0, 0, encoding);
    std::vector<ForeignRecord> rest = mapper.flush();
    std::move(rest.begin(), rest.end(), std::back_inserter(out));
    std::sort(out.begin(), out.end(), [](const ForeignRecord& a, const ForeignRecord& b) {
        return a.recordNo < b.recordNo;
    });
    return out;
}

} // namespace vigil

