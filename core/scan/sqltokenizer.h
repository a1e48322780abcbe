// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace vigil::scan {

enum class SqlTokenType { Word, QuotedIdent, String, Number, Symbol, Semicolon, LParen, RParen, Comma };

/// One SQL token: byte offsets into the tokenized text.
struct SqlToken
{
    SqlTokenType type = SqlTokenType::Symbol;
    std::size_t begin = 0;
    std::size_t end = 0;
};

/// A statement-level keyword found in SQL: the leading keyword of each statement (after
/// any WITH clause), the leading keyword of each WITH body (data-modifying CTEs), and
/// `SELECT INTO` for a SELECT that writes a table or file. Uppercase.
struct SqlKeywordHit
{
    std::string keyword;
    std::size_t begin = 0; ///< statement span, bytes
    std::size_t end = 0;
};

/// A small SQL lexer (not a parser): string literals ('..' with '' escapes, E'..' with
/// backslash escapes, "..", `..`, $$..$$ and $tag$..$tag$) are single tokens and comments
/// (-- and nested /* */) are skipped, so keywords inside them never count. Pure.
class SqlTokenizer
{
public:
    /// Tokens of `sql` from byte `from`, at most `maxTokens`. Unterminated strings and
    /// comments run to the end of the text.
    static std::vector<SqlToken> tokenize(std::string_view sql, std::size_t from = 0,
                                          std::size_t maxTokens = std::size_t(-1));

    /// Same, into `out` (cleared first), so a caller can reuse the allocation.
    static void tokenize(std::string_view sql, std::vector<SqlToken>& out);

    /// Statement keywords of SQL text (statements split on `;`). `tokens` is scratch space.
    static void statementKeywords(std::string_view sql, std::vector<SqlKeywordHit>& out,
                                  std::vector<SqlToken>& tokens);
    static void statementKeywords(std::string_view sql, std::vector<SqlKeywordHit>& out)
    {
        std::vector<SqlToken> tokens;
        statementKeywords(sql, out, tokens);
    }

    /// Mutations embedded in non-SQL text (a filter value, a user question): a keyword of
    /// `keywords` (uppercase) counts only in statement shape (`DROP TABLE x`, `DELETE FROM
    /// x`, `UPDATE x SET c =`, `INSERT INTO x VALUES`, ...) or right after a `;`, so "update
    /// me on viewers" or a show called "Drop Dead Gorgeous" do not.
    static void embeddedMutations(std::string_view text, const std::vector<std::string>& keywords,
                                  std::vector<SqlKeywordHit>& out);
};

} // namespace vigil::scan
