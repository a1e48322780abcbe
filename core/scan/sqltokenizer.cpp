// SPDX-License-Identifier: Apache-2.0
#include "scan/sqltokenizer.h"

#include "scan/utf8.h"

#include <algorithm>
#include <array>
#include <initializer_list>
#include <span>

namespace vigil::scan {
namespace {

bool isWordStart(char c)
{
    return isAsciiAlpha(c) || c == '_' || static_cast<unsigned char>(c) >= 0x80;
}

bool isWordChar(char c)
{
    return isWordStart(c) || isAsciiDigit(c) || c == '$';
}

/// Offset just past a quoted run opened at `i` by `q`; a doubled quote is an escape, and a
/// backslash escapes when `backslash`.
std::size_t skipQuoted(std::string_view s, std::size_t i, char q, bool backslash)
{
    ++i;
    while (i < s.size()) {
        if (backslash && s[i] == '\\') {
            i += 2;
            continue;
        }
        if (s[i] == q) {
            if (i + 1 < s.size() && s[i + 1] == q) {
                i += 2;
                continue;
            }
            return i + 1;
        }
        ++i;
    }
    return s.size();
}

class Cursor
{
public:
    Cursor(std::string_view text, const std::vector<SqlToken>& toks, std::size_t pos, std::size_t end)
        : m_text(text), m_toks(toks), m_pos(pos), m_end(end)
    {
    }

    bool done() const { return m_pos >= m_end; }
    std::size_t pos() const { return m_pos; }
    void seek(std::size_t p) { m_pos = p; }
    const SqlToken* peek(std::size_t ahead = 0) const
    {
        return m_pos + ahead < m_end ? &m_toks[m_pos + ahead] : nullptr;
    }
    std::size_t lastEnd() const { return m_pos > 0 ? m_toks[m_pos - 1].end : 0; }

    std::string upper(const SqlToken& t) const
    {
        std::string w(m_text.substr(t.begin, t.end - t.begin));
        for (char& c : w)
            if (c >= 'a' && c <= 'z')
                c = char(c - 32);
        return w;
    }
    bool isWord(std::size_t ahead, std::initializer_list<std::string_view> words) const
    {
        const SqlToken* t = peek(ahead);
        if (!t || t->type != SqlTokenType::Word)
            return false;
        const std::string u = upper(*t);
        return std::find(words.begin(), words.end(), u) != words.end();
    }
    bool isWordIn(std::size_t ahead, std::span<const std::string_view> words) const
    {
        const SqlToken* t = peek(ahead);
        if (!t || t->type != SqlTokenType::Word)
            return false;
        const std::string u = upper(*t);
        return std::find(words.begin(), words.end(), u) != words.end();
    }
    bool isType(std::size_t ahead, SqlTokenType type) const
    {
        const SqlToken* t = peek(ahead);
        return t && t->type == type;
    }
    bool accept(std::initializer_list<std::string_view> words)
    {
        if (!isWord(0, words))
            return false;
        ++m_pos;
        return true;
    }
    bool acceptType(SqlTokenType type)
    {
        if (!isType(0, type))
            return false;
        ++m_pos;
        return true;
    }
    /// An identifier, possibly qualified (`db.schema."table"`).
    bool identifier()
    {
        if (!isType(0, SqlTokenType::Word) && !isType(0, SqlTokenType::QuotedIdent))
            return false;
        ++m_pos;
        while (isSymbol(0, '.') &&
               (isType(1, SqlTokenType::Word) || isType(1, SqlTokenType::QuotedIdent)))
            m_pos += 2;
        return true;
    }
    bool isSymbol(std::size_t ahead, char c) const
    {
        const SqlToken* t = peek(ahead);
        return t && t->type == SqlTokenType::Symbol && t->end == t->begin + 1 && m_text[t->begin] == c;
    }
    /// Skips a balanced parenthesized group starting at an LParen.
    void skipParens()
    {
        int depth = 0;
        while (!done()) {
            const SqlTokenType t = m_toks[m_pos].type;
            ++m_pos;
            if (t == SqlTokenType::LParen)
                ++depth;
            else if (t == SqlTokenType::RParen && --depth <= 0)
                return;
        }
    }
    /// True when one of `words` appears within the next `limit` tokens.
    bool findWithin(std::size_t limit, std::initializer_list<std::string_view> words)
    {
        for (std::size_t k = 0; k < limit && peek(k); ++k)
            if (isWord(k, words)) {
                m_pos += k + 1;
                return true;
            }
        return false;
    }

private:
    std::string_view m_text;
    const std::vector<SqlToken>& m_toks;
    std::size_t m_pos;
    std::size_t m_end;
};

class StatementAnalyzer
{
public:
    StatementAnalyzer(std::string_view sql, const std::vector<SqlToken>& toks,
                      std::vector<SqlKeywordHit>& out)
        : m_sql(sql), m_toks(toks), m_out(out)
    {
    }

    /// Analyzes tokens [begin, end) as one statement.
    void analyze(std::size_t begin, std::size_t end, int depth)
    {
        Cursor c(m_sql, m_toks, begin, end);
        while (c.acceptType(SqlTokenType::LParen)) {
        }
        if (c.done() || !c.isType(0, SqlTokenType::Word) || depth > 8)
            return;
        const std::size_t stmtBegin = c.peek()->begin;
        const std::size_t stmtEnd = m_toks[end - 1].end;
        std::string kw = c.upper(*c.peek());
        if (kw == "WITH") {
            c.seek(c.pos() + 1);
            c.accept({"RECURSIVE"});
            while (c.identifier()) {
                if (c.isType(0, SqlTokenType::LParen))
                    c.skipParens();
                if (!c.accept({"AS"}))
                    return;
                c.accept({"NOT"});
                c.accept({"MATERIALIZED"});
                if (!c.isType(0, SqlTokenType::LParen))
                    return;
                const std::size_t open = c.pos();
                c.skipParens();
                analyze(open + 1, c.pos() - 1, depth + 1);
                if (!c.acceptType(SqlTokenType::Comma))
                    break;
            }
            analyze(c.pos(), end, depth + 1);
            return;
        }
        if (kw == "EXPLAIN") {
            c.seek(c.pos() + 1);
            bool analyzes = false;
            while (true) {
                if (c.accept({"ANALYZE", "ANALYSE"}))
                    analyzes = true;
                else if (c.accept({"VERBOSE", "FORMAT", "TEXT", "JSON", "XML", "YAML"}))
                    continue;
                else if (c.isType(0, SqlTokenType::LParen))
                    c.skipParens();
                else
                    break;
            }
            if (analyzes) // EXPLAIN ANALYZE executes the statement
                analyze(c.pos(), end, depth + 1);
            return;
        }
        // REPLACE('new york', ' ', '_'), MySQL's INSERT(str, pos, len, new) and
        // TRUNCATE(x, d): a function call, not a statement (those name a table first).
        if ((kw == "REPLACE" || kw == "INSERT" || kw == "TRUNCATE") &&
            c.isType(1, SqlTokenType::LParen))
            return;
        m_out.push_back(SqlKeywordHit{kw, stmtBegin, stmtEnd});
        if (kw == "SELECT") {
            int parens = 0;
            for (std::size_t k = c.pos(); k < end; ++k) {
                const SqlToken& t = m_toks[k];
                if (t.type == SqlTokenType::LParen)
                    ++parens;
                else if (t.type == SqlTokenType::RParen)
                    --parens;
                else if (parens == 0 && t.type == SqlTokenType::Word && c.upper(t) == "INTO") {
                    m_out.push_back(SqlKeywordHit{"SELECT INTO", stmtBegin, stmtEnd});
                    break;
                }
            }
        }
    }

private:
    std::string_view m_sql;
    const std::vector<SqlToken>& m_toks;
    std::vector<SqlKeywordHit>& m_out;
};

/// Privilege words of GRANT and REVOKE (PostgreSQL, MySQL, SQL Server, Oracle, Snowflake).
constexpr std::array<std::string_view, 42> kPrivileges{
    "ALL",        "PRIVILEGES", "SELECT",    "INSERT",     "UPDATE",      "DELETE",
    "TRUNCATE",   "REFERENCES", "TRIGGER",   "CREATE",     "CONNECT",     "TEMPORARY",
    "TEMP",       "EXECUTE",    "EXEC",      "USAGE",      "ALTER",       "DROP",
    "INDEX",      "SUPER",      "FILE",      "PROCESS",    "RELOAD",      "SHUTDOWN",
    "REPLICATION", "CLIENT",    "SLAVE",     "GRANT",      "OPTION",      "CONTROL",
    "IMPERSONATE", "VIEW",      "DEFINITION", "LOCK",      "TABLES",      "EVENT",
    "SHOW",       "DATABASES",  "ROUTINE",   "OWNERSHIP",  "MAINTAIN",    "ANY"};

/// `SELECT, INSERT (a, b), ALL PRIVILEGES` up to the ON of GRANT / REVOKE, so "grant read
/// access on the dashboard to the team" is not one.
bool privilegeList(Cursor& c)
{
    std::size_t n = 0;
    for (; n < 24 && !c.done(); ++n) {
        if (c.isWord(0, {"ON"}))
            return n > 0;
        if (c.acceptType(SqlTokenType::Comma))
            continue;
        if (n > 0 && c.isType(0, SqlTokenType::LParen)) { // column list
            c.skipParens();
            continue;
        }
        if (!c.isWordIn(0, kPrivileges))
            return false;
        c.seek(c.pos() + 1);
    }
    return false;
}

/// The object of GRANT ... ON: `t`, `db.t`, `db.*`, `*.*`, `TABLE t`, `ALL TABLES IN
/// SCHEMA s`, a comma-separated list.
bool grantObject(Cursor& c)
{
    while (c.accept({"TABLE", "SCHEMA", "DATABASE", "FUNCTION", "PROCEDURE", "ROUTINE",
                     "SEQUENCE", "VIEW", "TYPE", "DOMAIN", "LANGUAGE", "TABLESPACE", "FOREIGN",
                     "SERVER", "DATA", "WRAPPER", "LARGE", "OBJECT", "WAREHOUSE"})) {
    }
    if (c.accept({"ALL"}) &&
        !(c.accept({"TABLES", "SEQUENCES", "FUNCTIONS", "PROCEDURES", "ROUTINES"}) &&
          c.accept({"IN"}) && c.accept({"SCHEMA"})))
        return false;
    do {
        if (c.isSymbol(0, '*'))
            c.seek(c.pos() + 1);
        else if (!c.identifier())
            return false;
        if (c.isSymbol(0, '.') && c.isSymbol(1, '*'))
            c.seek(c.pos() + 2);
    } while (c.acceptType(SqlTokenType::Comma));
    return true;
}

/// A grantee or account: `bob`, `"bob"`, `PUBLIC`, `ROLE r`, MySQL's `'x'@'%'`.
bool account(Cursor& c)
{
    c.accept({"ROLE", "USER", "GROUP"});
    if (c.acceptType(SqlTokenType::String)) {
        if (c.isSymbol(0, '@') &&
            (c.isType(1, SqlTokenType::String) || c.isType(1, SqlTokenType::Word)))
            c.seek(c.pos() + 2);
        return true;
    }
    return c.identifier();
}

/// A procedure name whose last part is an extended or system procedure: `xp_cmdshell`,
/// `master..xp_cmdshell`, `[master].[dbo].[sp_addsrvrolemember]`, `"sp_executesql"`.
bool systemProcedure(Cursor& c, std::string_view text)
{
    std::string last;
    while (true) {
        const SqlToken* t = c.peek();
        if (c.isSymbol(0, '[') && c.isType(1, SqlTokenType::Word) && c.isSymbol(2, ']')) {
            last = c.upper(*c.peek(1));
            c.seek(c.pos() + 3);
        } else if (t && t->type == SqlTokenType::Word) {
            last = c.upper(*t);
            c.seek(c.pos() + 1);
        } else if (t && t->type == SqlTokenType::QuotedIdent && t->end - t->begin >= 2) {
            last.assign(text.substr(t->begin + 1, t->end - t->begin - 2));
            for (char& ch : last)
                ch = (ch >= 'a' && ch <= 'z') ? char(ch - 32) : ch;
            c.seek(c.pos() + 1);
        } else {
            return false;
        }
        int dots = 0;
        while (dots < 2 && c.isSymbol(0, '.')) {
            c.seek(c.pos() + 1);
            ++dots;
        }
        if (!dots)
            break;
    }
    return last.starts_with("XP_") || last.starts_with("SP_");
}

/// What may follow the name in `CREATE <type> <name> ...` for the text to be SQL rather
/// than prose ("create table summaries for each region"): the end, `;`, `(`, or one of
/// these words.
constexpr std::array<std::string_view, 34> kCreateFollow{
    "AS",       "LIKE",       "ON",        "IDENTIFIED", "WITH",       "PASSWORD", "AUTHORIZATION",
    "START",    "INCREMENT",  "OWNER",     "DEFAULT",    "CHARACTER",  "FROM",     "RETURNS",
    "LOCATION", "STORED",     "ROW",       "PARTITIONED", "PARTITION", "COMMENT",  "USING",
    "ENGINE",   "TBLPROPERTIES", "CLONE",  "LANGUAGE",   "INHERITS",   "TABLESPACE", "SUPERUSER",
    "LOGIN",    "NOLOGIN",    "CREATEDB",  "CREATEROLE", "ENCRYPTED",  "IN"};

/// What follows the name in `ALTER <type> <name> ...`: the action.
constexpr std::array<std::string_view, 46> kAlterActions{
    "ADD",        "DROP",        "ALTER",       "RENAME",     "MODIFY",     "CHANGE",
    "OWNER",      "SET",         "RESET",       "ENABLE",     "DISABLE",    "WITH",
    "IDENTIFIED", "PASSWORD",    "ATTACH",      "DETACH",     "INHERIT",    "NO",
    "VALIDATE",   "REPLICA",     "CLUSTER",     "FORCE",      "CONVERT",    "DEFAULT",
    "CHARACTER",  "ENGINE",      "PARTITION",   "ACCOUNT",    "REBUILD",    "REORGANIZE",
    "SUPERUSER",  "NOSUPERUSER", "CREATEDB",    "CREATEROLE", "LOGIN",      "NOLOGIN",
    "VALID",      "CONNECTION",  "REFRESH",     "AUTO_INCREMENT", "COMMENT", "TRUNCATE",
    "EXCHANGE",   "REMOVE",      "REPLICATION", "BYPASSRLS"};

/// End offset of `kw ...` in statement shape, or 0. The cursor starts after the keyword.
std::size_t shapeEnd(const std::string& kw, Cursor& c, std::string_view text)
{
    bool ok = false;
    if (kw == "DROP") {
        ok = c.accept({"TABLE", "DATABASE", "SCHEMA", "VIEW", "INDEX", "USER", "ROLE",
                       "FUNCTION", "PROCEDURE", "TRIGGER", "SEQUENCE", "COLUMN", "TABLESPACE"});
        if (ok && c.accept({"IF"}))
            ok = c.accept({"EXISTS"});
        ok = ok && c.identifier();
    } else if (kw == "DELETE") {
        ok = c.accept({"FROM"}) && c.identifier();
    } else if (kw == "INSERT" || kw == "UPSERT") {
        if (c.accept({"OVERWRITE"})) {
            ok = c.accept({"TABLE", "DIRECTORY"});
        } else {
            ok = c.accept({"INTO"}) && c.identifier() &&
                 (c.isType(0, SqlTokenType::LParen) || c.isWord(0, {"VALUES", "SELECT", "DEFAULT", "SET", "VALUE"}));
            if (ok)
                c.seek(c.pos() + 1);
        }
    } else if (kw == "REPLACE" || kw == "MERGE") {
        ok = c.accept({"INTO"}) && c.identifier();
        if (ok && kw == "MERGE")
            ok = c.findWithin(6, {"USING"});
    } else if (kw == "UPDATE") {
        ok = c.identifier() && c.accept({"SET"}) && c.identifier() && c.isSymbol(0, '=');
        if (ok)
            c.seek(c.pos() + 1);
    } else if (kw == "ALTER") {
        if (c.accept({"SYSTEM"})) {
            ok = c.accept({"SET", "RESET", "KILL", "FLUSH"});
        } else {
            const bool isAccount = c.isWord(0, {"USER", "ROLE", "LOGIN"});
            ok = c.accept({"TABLE", "DATABASE", "USER", "ROLE", "LOGIN", "SCHEMA", "VIEW", "INDEX",
                           "FUNCTION", "PROCEDURE", "SEQUENCE", "TRIGGER"});
            if (ok && c.accept({"IF"}))
                ok = c.accept({"EXISTS"});
            ok = ok && (isAccount ? account(c) : c.identifier()) &&
                 c.isWordIn(0, kAlterActions);
            if (ok)
                c.seek(c.pos() + 1);
        }
    } else if (kw == "TRUNCATE") {
        if (c.accept({"TABLE"}))
            ok = c.identifier();
        else
            ok = c.identifier() && (c.done() || c.isType(0, SqlTokenType::Semicolon));
    } else if (kw == "CREATE") {
        if (c.accept({"OR"}))
            ok = c.accept({"REPLACE"});
        else
            ok = true;
        while (ok && c.accept({"TEMP", "TEMPORARY", "EXTERNAL", "UNIQUE", "GLOBAL", "LOCAL",
                               "MATERIALIZED", "UNLOGGED"})) {
        }
        const bool isAccount = c.isWord(0, {"USER", "ROLE", "LOGIN"});
        const bool trigger = c.isWord(0, {"TRIGGER"});
        const bool index = c.isWord(0, {"INDEX"});
        // Users, roles, databases, schemas and sequences may be created by name alone; a
        // table, view, index or routine needs more ("create table later" is prose).
        const bool byName = isAccount || c.isWord(0, {"DATABASE", "SCHEMA", "SEQUENCE"});
        ok = ok && c.accept({"TABLE", "DATABASE", "USER", "ROLE", "VIEW", "INDEX", "FUNCTION",
                             "PROCEDURE", "TRIGGER", "SCHEMA", "SEQUENCE", "LOGIN"});
        if (ok && c.accept({"IF"}))
            ok = c.accept({"NOT"}) && c.accept({"EXISTS"});
        ok = ok && (isAccount ? account(c) : c.identifier());
        const bool ended = c.done() || c.isType(0, SqlTokenType::Semicolon);
        if (ok && !(byName && ended) && !c.isType(0, SqlTokenType::LParen)) {
            ok = trigger ? c.isWord(0, {"BEFORE", "AFTER", "INSTEAD", "FOR", "ON"})
                 : index ? c.isWord(0, {"ON", "USING"})
                         : c.isWordIn(0, kCreateFollow);
            if (ok)
                c.seek(c.pos() + 1);
        }
    } else if (kw == "GRANT") {
        ok = privilegeList(c) && c.accept({"ON"}) && grantObject(c) && c.accept({"TO"}) &&
             account(c);
    } else if (kw == "REVOKE") {
        if (c.accept({"GRANT"}))
            ok = c.accept({"OPTION"}) && c.accept({"FOR"});
        else
            ok = true;
        ok = ok && privilegeList(c) && c.accept({"ON"}) && grantObject(c) &&
             c.accept({"FROM"}) && account(c);
    } else if (kw == "EXEC" || kw == "EXECUTE") {
        if (c.isSymbol(0, '@') && c.isType(1, SqlTokenType::Word) && c.isSymbol(2, '='))
            c.seek(c.pos() + 3); // EXEC @rc = proc
        if (c.accept({"IMMEDIATE"})) {
            ok = true;
        } else if (c.accept({"AS"})) { // EXECUTE AS USER = 'dbo': impersonation
            ok = c.accept({"USER", "LOGIN", "OWNER", "CALLER", "SELF"});
        } else if (c.isType(0, SqlTokenType::LParen)) { // EXEC ('...'), EXEC (@sql)
            ok = c.isType(1, SqlTokenType::String) || c.isSymbol(1, '@');
            c.skipParens();
        } else {
            ok = systemProcedure(c, text);
        }
    } else if (kw == "RENAME") {
        ok = c.accept({"TABLE", "USER", "DATABASE"}) && c.identifier();
    } else if (kw == "CALL") {
        ok = c.identifier() && c.isType(0, SqlTokenType::LParen);
        if (ok)
            c.skipParens();
    } else if (kw == "COPY") {
        ok = c.identifier() && c.accept({"FROM", "TO"}) &&
             (c.acceptType(SqlTokenType::String) || c.accept({"STDIN", "STDOUT", "PROGRAM"}));
    } else if (kw == "UNLOAD") {
        ok = c.isType(0, SqlTokenType::LParen);
        if (ok) {
            c.skipParens();
            ok = c.accept({"TO"}) && c.acceptType(SqlTokenType::String);
        }
    } else if (kw == "LOAD") {
        ok = c.accept({"DATA"});
        c.accept({"LOCAL"});
        ok = ok && c.accept({"INFILE", "INPATH"});
    }
    return ok ? c.lastEnd() : 0;
}

/// True when the `;` at `semi`, followed by a statement operand ending at `operandEnd`,
/// stacks a statement onto an injected value: nothing but spaces before the `;`, a closing
/// quote (`x'; DROP users`, `x'); DELETE t`), a value that is one number (`1; DROP users`),
/// or a comment opener right after the operand (`north; DROP users --`). A `;` in prose
/// ("done; update me tomorrow") or code (`i = 0; delete p;`) has none of these.
bool closesValue(std::string_view text, std::size_t semi, std::size_t operandEnd)
{
    auto space = [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; };
    std::size_t q = semi;
    while (q > 0 && space(text[q - 1]))
        --q;
    if (q == 0)
        return true;
    std::size_t r = q;
    while (r > 0 && (text[r - 1] == ')' || space(text[r - 1])))
        --r;
    if (r > 0 && r < q && (text[r - 1] == '\'' || text[r - 1] == '"'))
        return true;
    const char b = text[q - 1];
    if (b == '\'' || b == '"' || b == '`')
        return true;
    if (isAsciiDigit(b) && std::all_of(text.begin(), text.begin() + std::ptrdiff_t(q), [&](char c) {
            return isAsciiDigit(c) || c == '.' || c == '-' || space(c);
        }))
        return true;
    std::size_t k = operandEnd;
    while (k < text.size() && (space(text[k]) || text[k] == ';'))
        ++k;
    const std::string_view rest = text.substr(k);
    return rest.starts_with("--") || rest.starts_with("#") || rest.starts_with("/*");
}

} // namespace

namespace {

void lex(std::string_view s, std::size_t from, std::size_t maxTokens, std::vector<SqlToken>& out)
{
    std::size_t i = from;
    const std::size_t n = s.size();
    while (i < n && out.size() < maxTokens) {
        const char c = s[i];
        if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v') {
            ++i;
            continue;
        }
        if (c == '-' && i + 1 < n && s[i + 1] == '-') {
            while (i < n && s[i] != '\n')
                ++i;
            continue;
        }
        if (c == '/' && i + 1 < n && s[i + 1] == '*') {
            int depth = 0;
            while (i < n) {
                if (s[i] == '/' && i + 1 < n && s[i + 1] == '*') {
                    ++depth;
                    i += 2;
                } else if (s[i] == '*' && i + 1 < n && s[i + 1] == '/') {
                    i += 2;
                    if (--depth == 0)
                        break;
                } else {
                    ++i;
                }
            }
            continue;
        }
        const std::size_t b = i;
        SqlTokenType type = SqlTokenType::Symbol;
        if (c == '\'') {
            i = skipQuoted(s, i, '\'', false);
            type = SqlTokenType::String;
        } else if ((c == 'E' || c == 'e') && i + 1 < n && s[i + 1] == '\'' &&
                   (i == 0 || !isWordChar(s[i - 1]))) {
            i = skipQuoted(s, i + 1, '\'', true);
            type = SqlTokenType::String;
        } else if (c == '"' || c == '`') {
            i = skipQuoted(s, i, c, false);
            type = SqlTokenType::QuotedIdent;
        } else if (c == '$' && i + 1 < n && (s[i + 1] == '$' || isWordStart(s[i + 1]))) {
            // Dollar quoting: $$...$$ or $tag$...$tag$.
            std::size_t t = i + 1;
            while (t < n && isWordChar(s[t]) && s[t] != '$')
                ++t;
            if (t < n && s[t] == '$') {
                const std::string_view tag = s.substr(i, t - i + 1);
                const std::size_t close = s.find(tag, t + 1);
                i = close == std::string_view::npos ? n : close + tag.size();
                type = SqlTokenType::String;
            } else {
                i = t;
                type = SqlTokenType::Symbol;
            }
        } else if (isWordStart(c)) {
            while (i < n && isWordChar(s[i]))
                ++i;
            type = SqlTokenType::Word;
        } else if (isAsciiDigit(c)) {
            while (i < n && (isAsciiAlnum(s[i]) || s[i] == '.' || s[i] == '_'))
                ++i;
            type = SqlTokenType::Number;
        } else {
            ++i;
            type = c == ';'   ? SqlTokenType::Semicolon
                   : c == '(' ? SqlTokenType::LParen
                   : c == ')' ? SqlTokenType::RParen
                   : c == ',' ? SqlTokenType::Comma
                              : SqlTokenType::Symbol;
        }
        out.push_back(SqlToken{type, b, i});
    }
}

} // namespace

std::vector<SqlToken> SqlTokenizer::tokenize(std::string_view sql, std::size_t from,
                                             std::size_t maxTokens)
{
    std::vector<SqlToken> out;
    lex(sql, from, maxTokens, out);
    return out;
}

void SqlTokenizer::tokenize(std::string_view sql, std::vector<SqlToken>& out)
{
    out.clear();
    lex(sql, 0, std::size_t(-1), out);
}

void SqlTokenizer::statementKeywords(std::string_view sql, std::vector<SqlKeywordHit>& out,
                                     std::vector<SqlToken>& toks)
{
    tokenize(sql, toks);
    StatementAnalyzer analyzer(sql, toks, out);
    std::size_t begin = 0;
    for (std::size_t k = 0; k <= toks.size(); ++k) {
        if (k == toks.size() || toks[k].type == SqlTokenType::Semicolon) {
            if (k > begin)
                analyzer.analyze(begin, k, 0);
            begin = k + 1;
        }
    }
}

void SqlTokenizer::embeddedMutations(std::string_view text, const std::vector<std::string>& keywords,
                                     std::vector<SqlKeywordHit>& out)
{
    const std::size_t n = text.size();
    std::string word;
    for (std::size_t i = 0; i < n;) {
        if (!isAsciiAlpha(text[i]) || (i > 0 && isWordChar(text[i - 1]))) {
            ++i;
            continue;
        }
        std::size_t j = i;
        while (j < n && isWordChar(text[j]))
            ++j;
        word.assign(text.substr(i, j - i));
        for (char& c : word)
            c = (c >= 'a' && c <= 'z') ? char(c - 32) : c;
        if (std::find(keywords.begin(), keywords.end(), word) == keywords.end()) {
            i = j;
            continue;
        }
        const std::vector<SqlToken> toks = tokenize(text, i, 24);
        Cursor c(text, toks, 1, toks.size());
        std::size_t end = shapeEnd(word, c, text);
        if (!end) {
            // Stacked after `;` onto an injected value (`x'; DROP users`, `1; DELETE t`,
            // `x; GRANT dba --`): any operand will do.
            std::size_t p = i;
            while (p > 0 && (text[p - 1] == ' ' || text[p - 1] == '\t' || text[p - 1] == '\n'))
                --p;
            Cursor s(text, toks, 1, toks.size());
            if (p > 0 && text[p - 1] == ';' && s.identifier() &&
                closesValue(text, p - 1, s.lastEnd()))
                end = s.lastEnd();
        }
        if (end) {
            out.push_back(SqlKeywordHit{word, i, end});
            i = end;
        } else {
            i = j;
        }
    }
}

} // namespace vigil::scan
