// SPDX-License-Identifier: Apache-2.0
#include "store/sqlutil.h"

namespace vigil {
namespace {

/// Length in bytes of the white-space character at `s[i]` (Unicode White_Space, as the
/// views' search field splits), or 0 when there is none.
std::size_t spaceAt(std::string_view s, std::size_t i)
{
    const auto c = static_cast<unsigned char>(s[i]);
    if (c == ' ' || (c >= '\t' && c <= '\r'))
        return 1;
    const auto byte = [&](std::size_t k) {
        return i + k < s.size() ? static_cast<unsigned char>(s[i + k]) : 0u;
    };
    if (c == 0xC2 && (byte(1) == 0x85 || byte(1) == 0xA0))
        return 2; // U+0085, U+00A0
    if (c == 0xE1 && byte(1) == 0x9A && byte(2) == 0x80)
        return 3; // U+1680
    if (c == 0xE2 && byte(1) == 0x80 &&
        ((byte(2) >= 0x80 && byte(2) <= 0x8A) || byte(2) == 0xA8 || byte(2) == 0xA9 ||
         byte(2) == 0xAF))
        return 3; // U+2000..U+200A, U+2028, U+2029, U+202F
    if (c == 0xE2 && byte(1) == 0x81 && byte(2) == 0x9F)
        return 3; // U+205F
    if (c == 0xE3 && byte(1) == 0x80 && byte(2) == 0x80)
        return 3; // U+3000
    return 0;
}

} // namespace

void SqlWhere::add(std::string_view clause)
{
    m_sql += m_sql.empty() ? " WHERE " : " AND ";
    m_sql += clause;
}

void SqlWhere::text(std::string_view clause, std::string value)
{
    add(clause);
    m_texts.push_back(std::move(value));
    m_values.emplace_back(&m_texts.back());
}

void SqlWhere::integer(std::string_view clause, std::int64_t value)
{
    add(clause);
    m_values.emplace_back(value);
}

void SqlWhere::textIn(std::string_view column, const std::vector<std::string>& values)
{
    if (values.empty())
        return;
    std::string in;
    for (const std::string& v : values) {
        m_texts.push_back(v);
        m_values.emplace_back(&m_texts.back());
        in += in.empty() ? "?" : ", ?";
    }
    add(std::string(column) + " IN (" + in + ")");
}

int SqlWhere::bind(SqlStatement& st) const
{
    int i = 1;
    for (const auto& v : m_values) {
        if (const auto* n = std::get_if<std::int64_t>(&v))
            st.bind(i++, *n);
        else
            st.bindText(i++, *std::get<const std::string*>(v));
    }
    return i;
}

std::string ftsQuery(std::string_view text)
{
    std::string out;
    std::size_t i = 0;
    while (i < text.size()) {
        if (const std::size_t n = spaceAt(text, i)) {
            i += n;
            continue;
        }
        std::string term;
        while (i < text.size() && spaceAt(text, i) == 0) {
            if (text[i] == '"')
                term += '"';
            term += text[i++];
        }
        if (!out.empty())
            out += ' ';
        out += "\"" + term + "\"*";
    }
    return out;
}

} // namespace vigil
