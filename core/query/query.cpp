// SPDX-License-Identifier: Apache-2.0
#include "query/query.h"

#include "base/timeutil.h"
#include "ingest/auditevent.h"
#include "scan/finding.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <map>
#include <optional>

namespace vigil::query {

namespace {

// ---- fields ---------------------------------------------------------------------------

/// A field of the language and the only SQL that may stand for it. `e` is the events
/// table, `f` the findings table (joined only when a query reads findings).
struct FieldDef
{
    std::string_view name;
    std::string_view sql;
    ValueKind kind;
    bool finding = false;  ///< needs the findings join
    bool nullable = false; ///< may be NULL (optional event fields)
};

constexpr std::array kFields{
    FieldDef{"@timestamp", "e.ts", ValueKind::Timestamp},
    FieldDef{"event_type", "e.event_type", ValueKind::Text},
    FieldDef{"agent", "e.agent", ValueKind::Text},
    FieldDef{"thread_id", "e.thread_id", ValueKind::Text},
    FieldDef{"severity", "e.severity", ValueKind::EventSeverity},
    FieldDef{"event_id", "e.event_id", ValueKind::Text, false, true},
    FieldDef{"user_id", "e.user_id", ValueKind::Text, false, true},
    FieldDef{"trace_id", "e.trace_id", ValueKind::Text, false, true},
    FieldDef{"span_id", "e.span_id", ValueKind::Text, false, true},
    FieldDef{"details", "e.details", ValueKind::Text},
    FieldDef{"id", "e.id", ValueKind::Integer},
    FieldDef{"finding.rule", "f.rule", ValueKind::Text, true},
    FieldDef{"finding.category", "f.category", ValueKind::Text, true},
    FieldDef{"finding.severity", "f.severity", ValueKind::FindingSeverity, true},
    FieldDef{"finding.layer", "f.layer", ValueKind::Integer, true},
    FieldDef{"finding.field", "f.field", ValueKind::Text, true},
    FieldDef{"finding.message", "f.message", ValueKind::Text, true},
};

/// Other names for fields: the guide's (`agent_name`), Logs Insights' (`@message`) and
/// the column names of the events table (`ts`).
constexpr std::array<std::pair<std::string_view, std::string_view>, 6> kAliases{{
    {"agent_name", "agent"},
    {"ts", "@timestamp"},
    {"timestamp", "@timestamp"},
    {"@message", "details"},
    {"thread", "thread_id"},
    {"user", "user_id"},
}};

const FieldDef* findField(std::string_view name)
{
    for (const auto& [alias, target] : kAliases)
        if (alias == name)
            name = target;
    for (const FieldDef& f : kFields)
        if (f.name == name)
            return &f;
    return nullptr;
}

// ---- text helpers ---------------------------------------------------------------------

std::string lower(std::string_view s)
{
    std::string out(s);
    for (char& c : out)
        if (c >= 'A' && c <= 'Z')
            c = static_cast<char>(c - 'A' + 'a');
    return out;
}

std::size_t editDistance(std::string_view a, std::string_view b)
{
    std::vector<std::size_t> prev(b.size() + 1), cur(b.size() + 1);
    for (std::size_t j = 0; j <= b.size(); ++j)
        prev[j] = j;
    for (std::size_t i = 1; i <= a.size(); ++i) {
        cur[0] = i;
        for (std::size_t j = 1; j <= b.size(); ++j)
            cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1,
                               prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)});
        std::swap(prev, cur);
    }
    return prev[b.size()];
}

/// The nearest of `names` to `word`, when it is close enough to be a likely typo.
std::optional<std::string> nearest(std::string_view word, const std::vector<std::string>& names)
{
    std::optional<std::string> best;
    std::size_t bestDistance = std::max<std::size_t>(2, word.size() / 3) + 1;
    for (const std::string& n : names) {
        const std::size_t d = editDistance(lower(word), n);
        if (d < bestDistance) {
            bestDistance = d;
            best = n;
        }
    }
    return best;
}

/// Whether `s` is valid UTF-8 (no overlongs, surrogates or code points past U+10FFFF).
bool validUtf8(std::string_view s)
{
    std::size_t i = 0;
    while (i < s.size()) {
        const auto c = static_cast<unsigned char>(s[i]);
        std::size_t n = 0;
        std::uint32_t cp = 0;
        if (c < 0x80) {
            ++i;
            continue;
        }
        if ((c & 0xE0) == 0xC0) {
            n = 1;
            cp = c & 0x1F;
        } else if ((c & 0xF0) == 0xE0) {
            n = 2;
            cp = c & 0x0F;
        } else if ((c & 0xF8) == 0xF0) {
            n = 3;
            cp = c & 0x07;
        } else {
            return false;
        }
        for (std::size_t k = 1; k <= n; ++k) {
            if (i + k >= s.size())
                return false;
            const auto cc = static_cast<unsigned char>(s[i + k]);
            if ((cc & 0xC0) != 0x80)
                return false;
            cp = (cp << 6) | (cc & 0x3F);
        }
        if ((n == 1 && cp < 0x80) || (n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000) ||
            cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
            return false;
        i += n + 1;
    }
    return true;
}

/// 1-based character column of byte `offset` in `text` (valid UTF-8).
int columnOf(std::string_view text, std::size_t offset)
{
    int col = 1;
    for (std::size_t i = 0; i < offset && i < text.size(); ++i)
        if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80)
            ++col;
    return col;
}

std::string quoted(std::string_view s)
{
    return "'" + std::string(s) + "'";
}

// ---- tokens ---------------------------------------------------------------------------

enum class Tok { Ident, String, Number, Pipe, Comma, LParen, RParen, LBracket, RBracket, Op, End };

struct Token
{
    Tok kind = Tok::End;
    std::string text;  ///< identifier or operator as written; the value of a string
    std::size_t offset = 0;
    std::size_t length = 1;
};

bool identStart(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == '@';
}

bool identChar(char c)
{
    return identStart(c) || (c >= '0' && c <= '9') || c == '.';
}

bool digit(char c)
{
    return c >= '0' && c <= '9';
}

// ---- the compiler ---------------------------------------------------------------------

struct Failure
{
    QueryError error;
};

class Compiler
{
public:
    explicit Compiler(std::string_view text) : m_text(text) {}

    QueryResultOr<CompiledQuery> run()
    {
        if (m_text.size() > kMaxQueryBytes)
            return std::unexpected(makeError("query.too_long",
                                             "the query is " + std::to_string(m_text.size()) +
                                                 " bytes long; the limit is " +
                                                 std::to_string(kMaxQueryBytes),
                                             0, 1, false));
        if (!validUtf8(m_text))
            return std::unexpected(
                makeError("query.syntax", "the query is not valid UTF-8", 0, 1, false));
        if (auto lexed = lex(); !lexed)
            return std::unexpected(lexed.error());
        if (auto parsed = parse(); !parsed)
            return std::unexpected(parsed.error());
        return build();
    }

private:
    using Step = std::expected<void, QueryError>;

    QueryError makeError(std::string code, std::string message, std::size_t offset,
                         std::size_t length, bool withColumn = true) const
    {
        QueryError e;
        e.code = std::move(code);
        e.offset = std::min(offset, m_text.size());
        e.column = columnOf(m_text, e.offset);
        e.length = std::max<std::size_t>(1, length);
        e.message = withColumn ? message + " at column " + std::to_string(e.column) : message;
        return e;
    }

    std::unexpected<QueryError> errorAt(const Token& t, std::string code, std::string message,
                                        std::string suffix = {}) const
    {
        QueryError e = makeError(std::move(code), std::move(message), t.offset, t.length);
        e.message += suffix;
        return std::unexpected(std::move(e));
    }

    static std::string describe(const Token& t)
    {
        switch (t.kind) {
        case Tok::End: return "the end of the query";
        case Tok::String: return "string \"" + t.text + "\"";
        case Tok::Pipe: return "'|'";
        default: return quoted(t.text);
        }
    }

    // -- lexing --

    Step lex()
    {
        std::size_t i = 0;
        const std::string_view s = m_text;
        while (i < s.size()) {
            const char c = s[i];
            if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
                ++i;
                continue;
            }
            Token t;
            t.offset = i;
            if (identStart(c)) {
                std::size_t j = i + 1;
                while (j < s.size() && identChar(s[j]))
                    ++j;
                t.kind = Tok::Ident;
                t.text = std::string(s.substr(i, j - i));
                t.length = j - i;
                i = j;
            } else if (digit(c) || (c == '-' && i + 1 < s.size() && digit(s[i + 1]))) {
                std::size_t j = i + 1;
                while (j < s.size() && (digit(s[j]) || s[j] == '.'))
                    ++j;
                if (j < s.size() && identChar(s[j]) && s[j] != '.') {
                    Token bad{Tok::Number, std::string(s.substr(i, j + 1 - i)), i, j + 1 - i};
                    return errorAt(bad, "query.syntax",
                                   "a number cannot run into letters (" + quoted(bad.text) + ")");
                }
                t.kind = Tok::Number;
                t.text = std::string(s.substr(i, j - i));
                t.length = j - i;
                i = j;
            } else if (c == '"' || c == '\'') {
                std::string value;
                std::size_t j = i + 1;
                bool closed = false;
                while (j < s.size()) {
                    const char d = s[j];
                    if (d == c) {
                        closed = true;
                        ++j;
                        break;
                    }
                    if (d == '\\' && j + 1 < s.size()) {
                        const char e = s[j + 1];
                        switch (e) {
                        case 'n': value += '\n'; break;
                        case 't': value += '\t'; break;
                        case '\\': value += '\\'; break;
                        case '"': value += '"'; break;
                        case '\'': value += '\''; break;
                        default: {
                            Token bad{Tok::String, {}, j, 2};
                            return errorAt(bad, "query.syntax",
                                           std::string("unknown escape '\\") + e +
                                               "' in a string (use \\\", \\', \\\\, \\n or \\t)");
                        }
                        }
                        j += 2;
                        continue;
                    }
                    value += d;
                    ++j;
                }
                if (!closed) {
                    Token bad{Tok::String, {}, i, 1};
                    return errorAt(bad, "query.syntax", "string not closed (started", ")");
                }
                t.kind = Tok::String;
                t.text = std::move(value);
                t.length = j - i;
                i = j;
            } else if (c == '|' || c == ',' || c == '(' || c == ')' || c == '[' || c == ']') {
                t.kind = c == '|'   ? Tok::Pipe
                         : c == ',' ? Tok::Comma
                         : c == '(' ? Tok::LParen
                         : c == ')' ? Tok::RParen
                         : c == '[' ? Tok::LBracket
                                    : Tok::RBracket;
                t.text = std::string(1, c);
                ++i;
            } else if (c == '*') {
                // Only meaningful in count(*).
                t.kind = Tok::Op;
                t.text = "*";
                ++i;
            } else if (c == '=' || c == '!' || c == '<' || c == '>') {
                std::string op(1, c);
                if (i + 1 < s.size() && (s[i + 1] == '=' || (c == '<' && s[i + 1] == '>')))
                    op += s[i + 1];
                if (op == "!") {
                    Token bad{Tok::Op, op, i, 1};
                    return errorAt(bad, "query.syntax", "'!' must be followed by '=' (write !=)");
                }
                t.kind = Tok::Op;
                t.text = op == "==" ? "=" : op == "<>" ? "!=" : op;
                t.length = op.size();
                i += op.size();
            } else {
                // One whole character, for the message and the caret.
                std::size_t j = i + 1;
                while (j < s.size() && (static_cast<unsigned char>(s[j]) & 0xC0) == 0x80)
                    ++j;
                Token bad{Tok::Op, std::string(s.substr(i, j - i)), i, j - i};
                return errorAt(bad, "query.syntax", "unexpected character " + quoted(bad.text));
            }
            m_toks.push_back(std::move(t));
        }
        Token end;
        end.kind = Tok::End;
        end.offset = s.size();
        m_toks.push_back(end);
        return {};
    }

    // -- token access --

    const Token& peek(std::size_t ahead = 0) const
    {
        return m_toks[std::min(m_pos + ahead, m_toks.size() - 1)];
    }
    const Token& next() { return m_toks[std::min(m_pos++, m_toks.size() - 1)]; }
    bool isWord(const Token& t, std::string_view w) const
    {
        return t.kind == Tok::Ident && lower(t.text) == w;
    }
    bool atCommandEnd() const { return peek().kind == Tok::Pipe || peek().kind == Tok::End; }

    // -- parameters --

    std::string param(Param value)
    {
        m_params.push_back(std::move(value));
        return "?" + std::to_string(m_params.size());
    }

    // -- fields --

    /// A field reference: its SQL, kind and display name.
    struct FieldRef
    {
        std::string sql;
        ValueKind kind = ValueKind::Text;
        std::string name;
        bool nullable = false;
        const FieldDef* def = nullptr; ///< nullptr for a details path
        std::string detailsPath;       ///< Column::detailsPath
    };

    std::expected<FieldRef, QueryError> field(const Token& t)
    {
        if (t.kind != Tok::Ident)
            return errorAt(t, "query.syntax", "expected a field name, found " + describe(t));
        const std::string name = t.text;
        // A path into the event's details: details.<key>[.<key>...].
        std::string head = lower(name.substr(0, name.find('.')));
        if ((head == "details" || head == "@message") && name.find('.') != std::string::npos) {
            const std::string rest = name.substr(name.find('.') + 1);
            std::string path = "$";
            std::size_t start = 0;
            while (start <= rest.size()) {
                const std::size_t dot = std::min(rest.find('.', start), rest.size());
                const std::string key = rest.substr(start, dot - start);
                if (key.empty() || key.find('@') != std::string::npos)
                    return errorAt(t, "query.syntax",
                                   "bad path " + quoted(name) +
                                       ": each key after 'details.' is letters, digits or '_'");
                path += "." + key;
                start = dot + 1;
            }
            FieldRef r;
            auto it = m_paths.find(path);
            if (it == m_paths.end())
                it = m_paths.emplace(path, param(path)).first;
            r.sql = "json_extract(CASE WHEN json_valid(e.details) THEN e.details END, " +
                    it->second + ")";
            r.kind = ValueKind::Json;
            r.name = name;
            r.nullable = true;
            r.detailsPath = "details." + rest;
            return r;
        }
        const FieldDef* def = findField(lower(name));
        if (!def) {
            std::string suffix;
            if (auto s = nearest(name, queryFieldNames()))
                suffix = "; did you mean " + quoted(*s) + "?";
            else if (head == "finding")
                suffix = "; finding fields are finding.rule, finding.category, "
                         "finding.severity, finding.layer, finding.field, finding.message";
            return errorAt(t, "query.unknown_field", "unknown field " + quoted(name), suffix);
        }
        if (def->finding)
            m_findings = true;
        FieldRef r;
        r.sql = std::string(def->sql);
        r.kind = def->kind;
        r.name = name;
        r.nullable = def->nullable;
        r.def = def;
        if (def->name == "details")
            r.detailsPath = "details";
        return r;
    }

    // -- values --

    /// A literal, checked against and converted for the field it is compared with.
    std::expected<Param, QueryError> value(const Token& t, const FieldRef& f)
    {
        if (t.kind != Tok::String && t.kind != Tok::Number)
            return errorAt(t, "query.syntax",
                           "expected a value (a \"string\" or a number), found " + describe(t));
        std::optional<std::int64_t> integer;
        std::optional<double> real;
        if (t.kind == Tok::Number) {
            std::int64_t v = 0;
            const auto* end = t.text.data() + t.text.size();
            if (auto [p, ec] = std::from_chars(t.text.data(), end, v); ec == std::errc() && p == end) {
                integer = v;
            } else {
                double d = 0;
                if (auto [q, ec2] = std::from_chars(t.text.data(), end, d);
                    ec2 == std::errc() && q == end)
                    real = d;
                else
                    return errorAt(t, "query.value", "bad number " + quoted(t.text));
            }
        }
        const std::string fieldName = quoted(f.name);
        switch (f.kind) {
        case ValueKind::Text:
            if (t.kind != Tok::String)
                return errorAt(t, "query.type",
                               fieldName + " is text: write the value in quotes, \"" + t.text + "\"");
            return Param{t.text};
        case ValueKind::Integer:
            if (!integer)
                return errorAt(t, "query.type", fieldName + " is a whole number; found " + describe(t));
            return Param{*integer};
        case ValueKind::Timestamp:
            if (integer)
                return Param{*integer}; // epoch milliseconds
            if (t.kind == Tok::String) {
                if (auto ms = parseIsoTime(t.text))
                    return Param{*ms};
                return errorAt(t, "query.value",
                               "bad time \"" + t.text + "\" for " + fieldName +
                                   " (use ISO-8601, e.g. \"2026-11-21T10:00:00Z\")");
            }
            return errorAt(t, "query.type", fieldName + " takes an ISO-8601 time or epoch milliseconds");
        case ValueKind::EventSeverity:
        case ValueKind::FindingSeverity: {
            const bool ev = f.kind == ValueKind::EventSeverity;
            const char* names = ev ? "info, warning, error, critical" : "low, medium, high, critical";
            if (integer && *integer >= 0 && *integer <= 3)
                return Param{*integer};
            if (t.kind == Tok::String) {
                const std::string n = lower(t.text);
                if (ev) {
                    if (auto s = eventSeverityFromString(n))
                        return Param{static_cast<std::int64_t>(*s)};
                } else if (auto s = findingSeverityFromString(n)) {
                    return Param{static_cast<std::int64_t>(*s)};
                }
            }
            return errorAt(t, "query.value",
                           "bad severity " + describe(t) + " for " + fieldName + " (one of " +
                               names + ")");
        }
        case ValueKind::Json:
            if (integer)
                return Param{*integer};
            if (real)
                return Param{*real};
            return Param{t.text};
        case ValueKind::Count:
            break;
        }
        return errorAt(t, "query.type", "cannot compare " + fieldName);
    }

    // -- filter expressions --

    std::expected<std::string, QueryError> orExpr(int depth)
    {
        auto left = andExpr(depth);
        if (!left)
            return left;
        std::string sql = *left;
        while (isWord(peek(), "or")) {
            next();
            auto right = andExpr(depth);
            if (!right)
                return right;
            sql = "(" + sql + " OR " + *right + ")";
        }
        return sql;
    }

    std::expected<std::string, QueryError> andExpr(int depth)
    {
        auto left = notExpr(depth);
        if (!left)
            return left;
        std::string sql = *left;
        while (isWord(peek(), "and")) {
            next();
            auto right = notExpr(depth);
            if (!right)
                return right;
            sql = "(" + sql + " AND " + *right + ")";
        }
        return sql;
    }

    std::expected<std::string, QueryError> notExpr(int depth)
    {
        if (depth > kMaxFilterDepth)
            return errorAt(peek(), "query.limit",
                           "the filter nests deeper than " + std::to_string(kMaxFilterDepth) +
                               " levels");
        if (isWord(peek(), "not")) {
            next();
            auto inner = notExpr(depth + 1);
            if (!inner)
                return inner;
            return "(NOT " + *inner + ")";
        }
        if (peek().kind == Tok::LParen) {
            next();
            auto inner = orExpr(depth + 1);
            if (!inner)
                return inner;
            if (peek().kind != Tok::RParen)
                return errorAt(peek(), "query.syntax", "expected ')', found " + describe(peek()));
            next();
            return *inner;
        }
        return comparison();
    }

    std::expected<std::string, QueryError> comparison()
    {
        const Token& ft = next();
        if (ft.kind == Tok::End || ft.kind == Tok::Pipe)
            return errorAt(ft, "query.syntax", "expected a condition, found " + describe(ft));
        auto f = field(ft);
        if (!f)
            return std::unexpected(f.error());
        bool negate = false;
        if (isWord(peek(), "not")) {
            next();
            negate = true;
            if (!isWord(peek(), "like") && !isWord(peek(), "in"))
                return errorAt(peek(), "query.syntax",
                               "expected 'like' or 'in' after 'not', found " + describe(peek()));
        }
        const Token& op = next();
        if (isWord(op, "like")) {
            if (f->kind != ValueKind::Text && f->kind != ValueKind::Json)
                return errorAt(op, "query.type", "'like' needs a text field; " + quoted(f->name) +
                                                     " is not text");
            const Token& pat = next();
            if (pat.kind != Tok::String)
                return errorAt(pat, "query.syntax",
                               "'like' takes a \"string\" to look for, found " + describe(pat));
            // Logs Insights semantics: a case-sensitive substring test. instr() has no
            // wildcard or escape characters, so the pattern means exactly what it says.
            const std::string p = param(pat.text);
            const std::string test = "instr(coalesce(CAST(" + f->sql + " AS TEXT), ''), " + p + ") > 0";
            return negate ? "(NOT " + test + ")" : "(" + test + ")";
        }
        if (isWord(op, "in")) {
            if (peek().kind != Tok::LBracket)
                return errorAt(peek(), "query.syntax", "expected '[' after 'in', found " + describe(peek()));
            next();
            std::vector<std::string> values;
            for (;;) {
                if (static_cast<int>(values.size()) >= kMaxInValues)
                    return errorAt(peek(), "query.limit",
                                   "an 'in' list holds at most " + std::to_string(kMaxInValues) +
                                       " values");
                auto v = value(next(), *f);
                if (!v)
                    return std::unexpected(v.error());
                values.push_back(param(std::move(*v)));
                if (peek().kind == Tok::Comma) {
                    next();
                    continue;
                }
                if (peek().kind == Tok::RBracket) {
                    next();
                    break;
                }
                return errorAt(peek(), "query.syntax", "expected ',' or ']', found " + describe(peek()));
            }
            std::string list;
            for (const auto& v : values)
                list += (list.empty() ? "" : ", ") + v;
            const std::string test = f->sql + " IN (" + list + ")";
            if (negate)
                return f->nullable ? "(" + f->sql + " IS NULL OR " + f->sql + " NOT IN (" + list + "))"
                                   : "(" + f->sql + " NOT IN (" + list + "))";
            return "(" + test + ")";
        }
        if (op.kind != Tok::Op)
            return errorAt(op, "query.syntax",
                           "expected a comparison (=, !=, <, <=, >, >=, like, in) after " +
                               quoted(f->name) + ", found " + describe(op));
        auto v = value(next(), *f);
        if (!v)
            return std::unexpected(v.error());
        // A thread is found through its number (the indexed column, schema 6).
        if (op.text == "=" && f->def && f->def->name == "thread_id")
            return "(e.thread_no = (SELECT id FROM threads WHERE thread_id = " + param(std::move(*v)) + "))";
        const std::string p = param(std::move(*v));
        if (op.text == "!=")
            // "Not equal" holds for an absent optional field too.
            return f->nullable ? "(" + f->sql + " IS NOT " + p + ")" : "(" + f->sql + " != " + p + ")";
        return "(" + f->sql + " " + op.text + " " + p + ")";
    }

    // -- commands --

    Step expectCommandEnd(const char* command)
    {
        if (atCommandEnd())
            return {};
        return errorAt(peek(), "query.syntax",
                       std::string("unexpected ") + describe(peek()) + " in '" + command +
                           "' (commands are separated by '|')");
    }

    /// Output columns are named, so each field appears once (`agent` and `agent_name` are
    /// the same field).
    Step notListed(const Token& t, const FieldRef& f, const std::vector<FieldRef>& list)
    {
        for (const FieldRef& other : list)
            if (other.sql == f.sql)
                return errorAt(t, "query.syntax", quoted(t.text) + " is listed twice");
        return {};
    }

    Step onceOnly(const Token& cmd, bool& seen)
    {
        if (seen)
            return errorAt(cmd, "query.syntax", "'" + lower(cmd.text) + "' given twice");
        seen = true;
        return {};
    }

    Step parse()
    {
        if (peek().kind == Tok::End)
            return errorAt(peek(), "query.syntax",
                           "the query is empty (start with a command such as 'filter')");
        bool first = true;
        for (;;) {
            const Token& cmd = next();
            if (cmd.kind != Tok::Ident)
                return errorAt(cmd, "query.syntax", "expected a command (fields, filter, sort, "
                                                    "limit, stats, source), found " + describe(cmd));
            const std::string name = lower(cmd.text);
            Step s;
            if (name == "source")
                s = commandSource(cmd, first);
            else if (name == "fields" || name == "display")
                s = commandFields(cmd);
            else if (name == "filter")
                s = commandFilter(cmd);
            else if (name == "sort")
                s = commandSort(cmd);
            else if (name == "limit")
                s = commandLimit(cmd);
            else if (name == "stats")
                s = commandStats(cmd);
            else {
                std::string suffix;
                if (auto n = nearest(name, queryCommands()))
                    suffix = "; did you mean " + quoted(*n) + "?";
                return errorAt(cmd, "query.unknown_command", "unknown command " + quoted(cmd.text),
                               suffix);
            }
            if (!s)
                return s;
            first = false;
            if (peek().kind == Tok::End)
                return {};
            if (peek().kind != Tok::Pipe)
                return errorAt(peek(), "query.syntax", "expected '|' before " + describe(peek()));
            next();
        }
    }

    Step commandSource(const Token& cmd, bool first)
    {
        if (!first)
            return errorAt(cmd, "query.syntax", "'source' must be the first command");
        const Token& what = next();
        if (isWord(what, "events")) {
            m_sourceFindings = false;
        } else if (isWord(what, "findings")) {
            m_sourceFindings = true;
        } else {
            return errorAt(what, "query.syntax",
                           "'source' takes 'events' or 'findings', found " + describe(what));
        }
        return expectCommandEnd("source");
    }

    Step commandFields(const Token& cmd)
    {
        if (auto s = onceOnly(cmd, m_seenFields); !s)
            return s;
        if (m_stats)
            return errorAt(cmd, "query.syntax", "'fields' cannot follow 'stats' (stats chooses its columns)");
        for (;;) {
            const Token& t = next();
            auto f = field(t);
            if (!f)
                return std::unexpected(f.error());
            if (auto s = notListed(t, *f, m_select); !s)
                return s;
            m_select.push_back(std::move(*f));
            if (peek().kind == Tok::Comma) {
                next();
                continue;
            }
            return expectCommandEnd("fields");
        }
    }

    Step commandFilter(const Token& cmd)
    {
        if (m_stats)
            return errorAt(cmd, "query.syntax", "'filter' after 'stats' is not supported; filter first");
        if (m_sorted || m_limited)
            return errorAt(cmd, "query.syntax", "'filter' must come before 'sort' and 'limit'");
        auto e = orExpr(0);
        if (!e)
            return std::unexpected(e.error());
        m_where.push_back(std::move(*e));
        return expectCommandEnd("filter");
    }

    Step commandSort(const Token& cmd)
    {
        if (auto s = onceOnly(cmd, m_sorted); !s)
            return s;
        for (;;) {
            const Token& t = next();
            std::string sql;
            if (m_stats) {
                // After stats: a group field or the count.
                const std::string n = t.kind == Tok::Ident ? lower(t.text) : std::string();
                if (n == lower(m_countName) || n == "count") {
                    sql = "count(*)";
                } else {
                    auto f = field(t);
                    if (!f)
                        return std::unexpected(f.error());
                    const auto it = std::find_if(m_groups.begin(), m_groups.end(),
                                                 [&](const FieldRef& g) { return g.sql == f->sql; });
                    if (it == m_groups.end())
                        return errorAt(t, "query.syntax",
                                       "after 'stats', sort by " + quoted(m_countName) +
                                           " or a field of its 'by' list, not " + quoted(t.text));
                    sql = it->sql;
                }
            } else {
                auto f = field(t);
                if (!f)
                    return std::unexpected(f.error());
                sql = f->sql;
            }
            bool desc = false;
            if (isWord(peek(), "desc")) {
                next();
                desc = true;
            } else if (isWord(peek(), "asc")) {
                next();
            }
            m_order.push_back(sql + (desc ? " DESC" : " ASC"));
            if (peek().kind == Tok::Comma) {
                next();
                continue;
            }
            return expectCommandEnd("sort");
        }
    }

    Step commandLimit(const Token& cmd)
    {
        if (auto s = onceOnly(cmd, m_limited); !s)
            return s;
        const Token& t = next();
        std::int64_t n = 0;
        const auto* end = t.text.data() + t.text.size();
        if (t.kind != Tok::Number || std::from_chars(t.text.data(), end, n).ptr != end)
            return errorAt(t, "query.syntax", "'limit' takes a whole number, found " + describe(t));
        if (n < 1 || n > kMaxLimit)
            return errorAt(t, "query.limit",
                           "limit " + t.text + " is outside 1.." + std::to_string(kMaxLimit));
        m_limit = static_cast<int>(n);
        return expectCommandEnd("limit");
    }

    Step commandStats(const Token& cmd)
    {
        if (auto s = onceOnly(cmd, m_stats); !s)
            return s;
        if (m_seenFields)
            return errorAt(cmd, "query.syntax", "'stats' cannot be combined with 'fields'");
        if (m_sorted || m_limited)
            return errorAt(cmd, "query.syntax", "'stats' must come before 'sort' and 'limit'");
        // count() or count(*).
        const Token& fn = next();
        if (!isWord(fn, "count"))
            return errorAt(fn, "query.syntax", "'stats' supports count() only, found " + describe(fn));
        if (peek().kind != Tok::LParen)
            return errorAt(peek(), "query.syntax", "expected '(' after 'count', found " + describe(peek()));
        next();
        if (peek().kind == Tok::Op && peek().text == "*")
            next();
        if (peek().kind != Tok::RParen)
            return errorAt(peek(), "query.syntax", "count() takes no argument; found " + describe(peek()));
        next();
        if (isWord(peek(), "as")) {
            next();
            const Token& alias = next();
            if (alias.kind != Tok::Ident || alias.text.find('.') != std::string::npos ||
                alias.text.find('@') != std::string::npos || findField(lower(alias.text)))
                return errorAt(alias, "query.syntax",
                               "expected a new column name after 'as', found " + describe(alias));
            m_countName = alias.text;
        }
        if (isWord(peek(), "by")) {
            next();
            for (;;) {
                const Token& t = next();
                auto f = field(t);
                if (!f)
                    return std::unexpected(f.error());
                if (auto s = notListed(t, *f, m_groups); !s)
                    return s;
                m_groups.push_back(std::move(*f));
                if (peek().kind == Tok::Comma) {
                    next();
                    continue;
                }
                break;
            }
        }
        return expectCommandEnd("stats");
    }

    // -- SQL --

    CompiledQuery build()
    {
        CompiledQuery q;
        q.findings = m_findings || m_sourceFindings;
        q.aggregate = m_stats;
        q.limit = m_limit;
        std::vector<FieldRef> cols;
        if (m_stats) {
            cols = m_groups;
        } else if (!m_select.empty()) {
            cols = m_select;
        } else {
            // Default columns: what a reviewer reads first.
            std::vector<std::string_view> names{"@timestamp", "event_type", "agent", "severity"};
            if (q.findings) {
                names.insert(names.end(), {"finding.rule", "finding.category",
                                           "finding.severity", "finding.field"});
            } else {
                names.insert(names.end(), {"thread_id", "details"});
            }
            for (std::string_view n : names) {
                const FieldDef* d = findField(n);
                cols.push_back(FieldRef{std::string(d->sql), d->kind, std::string(d->name),
                                        d->nullable, d, d->name == "details" ? "details" : ""});
            }
        }
        std::string select;
        if (!m_stats)
            select = "e.id, e.finding_mask"; // the row's event, and whether it needs redaction
        for (const FieldRef& c : cols) {
            select += (select.empty() ? "" : ", ") + c.sql;
            q.columns.push_back(Column{c.name, c.kind, c.detailsPath, -1});
        }
        if (m_stats) {
            select += (select.empty() ? "" : ", ") + std::string("count(*)");
            q.columns.push_back(Column{m_countName, ValueKind::Count, {}, -1});
            // A group value out of details may hold PII or a secret: a flag says whether an
            // event of the group has such a finding in (or under) that value.
            int next = static_cast<int>(q.columns.size());
            for (Column& c : q.columns) {
                if (c.detailsPath.empty())
                    continue;
                const std::string p = param(c.detailsPath);
                select += ", max(EXISTS (SELECT 1 FROM findings s WHERE s.event_rowid = e.id AND "
                          "s.category IN ('pii', 'secret') AND (s.field = " + p +
                          " OR substr(s.field, 1, length(" + p + ") + 1) IN (" + p + " || '.', " + p +
                          " || '['))))";
                c.sensitiveFlag = next++;
            }
        }
        std::string sql = "SELECT " + select;
        // Findings of category `rejected` belong to quarantined lines, not to events.
        sql += q.findings ? " FROM findings f JOIN events e ON e.id = f.event_rowid"
                            " WHERE f.category <> 'rejected' AND e.erased = 0"
                          : " FROM events e WHERE e.erased = 0";
        for (const std::string& w : m_where)
            sql += " AND " + w;
        if (m_stats && !m_groups.empty()) {
            std::string group;
            for (const FieldRef& g : m_groups)
                group += (group.empty() ? "" : ", ") + g.sql;
            sql += " GROUP BY " + group;
        }
        std::string order;
        for (const std::string& o : m_order)
            order += (order.empty() ? "" : ", ") + o;
        if (m_stats) {
            // Largest groups first, then by the group fields, so that equal counts keep a
            // stable order.
            if (order.empty() && !m_groups.empty())
                order = "count(*) DESC";
            for (const FieldRef& g : m_groups)
                order += ", " + g.sql + " ASC";
        } else {
            if (order.empty())
                order = "e.ts DESC";
            // Ties keep insertion order, newest first, so that a result is reproducible.
            order += q.findings ? ", e.id DESC, f.id DESC" : ", e.id DESC";
        }
        if (!order.empty())
            sql += " ORDER BY " + order;
        // One row more than the limit, so that the runner can tell a cut result.
        sql += " LIMIT " + param(static_cast<std::int64_t>(m_limit) + 1);
        q.sql = std::move(sql);
        q.params = std::move(m_params);
        return q;
    }

    std::string_view m_text;
    std::vector<Token> m_toks;
    std::size_t m_pos = 0;
    std::vector<Param> m_params;
    std::map<std::string, std::string> m_paths; // JSON path -> its parameter
    bool m_findings = false, m_sourceFindings = false;
    bool m_seenFields = false, m_sorted = false, m_limited = false, m_stats = false;
    std::vector<FieldRef> m_select, m_groups;
    std::vector<std::string> m_where, m_order;
    std::string m_countName = "count";
    int m_limit = kDefaultLimit;
};

} // namespace

QueryResultOr<CompiledQuery> compileQuery(std::string_view text)
{
    return Compiler(text).run();
}

const std::vector<std::string>& queryCommands()
{
    static const std::vector<std::string> kCommands{"fields", "filter", "sort", "limit", "stats",
                                                    "source"};
    return kCommands;
}

const std::vector<std::string>& queryFieldNames()
{
    static const std::vector<std::string> kNames = [] {
        std::vector<std::string> out;
        for (const FieldDef& f : kFields)
            out.emplace_back(f.name);
        for (const auto& [alias, target] : kAliases)
            out.emplace_back(alias);
        return out;
    }();
    return kNames;
}

const std::vector<std::string>& queryKeywords()
{
    static const std::vector<std::string> kWords{"and", "or", "not", "like", "in", "asc",
                                                 "desc", "by", "count()", "as", "events",
                                                 "findings"};
    return kWords;
}

std::optional<std::int64_t> parseIsoTime(std::string_view text)
{
    // Normalized to the RFC 3339 form parseRfc3339Utc reads, then shifted by the offset.
    std::string s(text);
    if (s.size() == 10)
        s += "T00:00:00";
    if (s.size() < 16 || (s[10] != 'T' && s[10] != 't' && s[10] != ' '))
        return std::nullopt;
    s[10] = 'T';
    std::int64_t offsetMs = 0;
    if (!s.empty() && (s.back() == 'Z' || s.back() == 'z')) {
        s.pop_back();
    } else if (s.size() > 19 && (s[s.size() - 6] == '+' || s[s.size() - 6] == '-') &&
               s[s.size() - 3] == ':') {
        const std::string off = s.substr(s.size() - 6);
        int hh = 0, mm = 0;
        if (std::from_chars(off.data() + 1, off.data() + 3, hh).ec != std::errc() ||
            std::from_chars(off.data() + 4, off.data() + 6, mm).ec != std::errc() || hh > 23 ||
            mm > 59)
            return std::nullopt;
        offsetMs = (hh * 60 + mm) * 60000LL * (off[0] == '+' ? 1 : -1);
        s.resize(s.size() - 6);
    }
    if (s.size() == 16)
        s += ":00";
    auto ms = parseRfc3339Utc(s + "Z");
    if (!ms)
        return std::nullopt;
    return *ms - offsetMs;
}

} // namespace vigil::query
