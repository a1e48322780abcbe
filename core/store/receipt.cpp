// SPDX-License-Identifier: Apache-2.0
#include "store/receipt.h"

#include <pwd.h>
#include <unistd.h>

namespace vigil {
namespace {

void putField(std::string& out, std::string_view s)
{
    const auto n = static_cast<std::uint32_t>(s.size());
    for (int i = 3; i >= 0; --i)
        out.push_back(static_cast<char>((n >> (8 * i)) & 0xFF));
    out.append(s);
}

constexpr const char* kColumns =
    "id, ts_ms, kind, actor, selector, selector_hash, events, findings, incidents, quarantined, "
    "detail, tag";

Receipt readRow(const SqlStatement& st)
{
    Receipt r;
    r.id = st.columnInt(0);
    r.timestampMs = st.columnInt(1);
    r.kind = st.columnText(2);
    r.actor = st.columnText(3);
    r.selector = st.columnText(4);
    r.selectorHash = st.columnText(5);
    r.events = st.columnInt(6);
    r.findings = st.columnInt(7);
    r.incidents = st.columnInt(8);
    r.quarantined = st.columnInt(9);
    r.detail = st.columnText(10);
    r.tag = st.columnText(11);
    return r;
}

} // namespace

ChainHash receiptTag(ChainHasher& hasher, const Receipt& r)
{
    std::string data;
    for (const std::int64_t n :
         {r.id, r.timestampMs, r.events, r.findings, r.incidents, r.quarantined})
        putField(data, std::to_string(n));
    for (const std::string* s : {&r.kind, &r.actor, &r.selector, &r.selectorHash, &r.detail})
        putField(data, *s);
    return hasher.tag("receipt", data);
}

std::string selectorHash(ChainHasher& hasher, std::string_view kind, std::string_view value)
{
    std::string data(kind);
    data.push_back(':');
    data.append(value);
    return toHex(hasher.tag("selector", data));
}

Result<void> insertReceipt(Database& db, Receipt& r)
{
    auto st = SqlStatement::prepare(
        db, "INSERT INTO receipts(ts_ms, kind, actor, selector, selector_hash) "
            "VALUES (?1, ?2, ?3, ?4, ?5) RETURNING id");
    if (!st)
        return std::unexpected(st.error());
    st->bind(1, r.timestampMs)
        .bindText(2, r.kind)
        .bindText(3, r.actor)
        .bindText(4, r.selector)
        .bindText(5, r.selectorHash);
    auto row = st->step();
    if (!row)
        return std::unexpected(row.error());
    r.id = *row ? st->columnInt(0) : 0;
    return {};
}

Result<void> finishReceipt(Database& db, ChainHasher& hasher, Receipt& r)
{
    r.tag = toHex(receiptTag(hasher, r));
    auto st = SqlStatement::prepare(
        db, "UPDATE receipts SET events=?2, findings=?3, incidents=?4, quarantined=?5, "
            "detail=?6, tag=?7 WHERE id=?1");
    if (!st)
        return std::unexpected(st.error());
    st->bind(1, r.id)
        .bind(2, r.events)
        .bind(3, r.findings)
        .bind(4, r.incidents)
        .bind(5, r.quarantined)
        .bindText(6, r.detail)
        .bindText(7, r.tag);
    return st->run();
}

Result<std::vector<Receipt>> readReceipts(Database& db)
{
    auto st =
        SqlStatement::prepare(db, std::string("SELECT ") + kColumns + " FROM receipts ORDER BY id");
    if (!st)
        return std::unexpected(st.error());
    std::vector<Receipt> out;
    for (;;) {
        auto row = st->step();
        if (!row)
            return std::unexpected(row.error());
        if (!*row)
            break;
        out.push_back(readRow(*st));
    }
    return out;
}

Result<std::optional<Receipt>> readReceipt(Database& db, std::int64_t id)
{
    auto st =
        SqlStatement::prepare(db, std::string("SELECT ") + kColumns + " FROM receipts WHERE id=?1");
    if (!st)
        return std::unexpected(st.error());
    st->bind(1, id);
    auto row = st->step();
    if (!row)
        return std::unexpected(row.error());
    if (!*row)
        return std::optional<Receipt>{};
    return std::optional<Receipt>(readRow(*st));
}

std::string osUserName()
{
    const uid_t uid = ::geteuid();
    struct passwd pw
    {
    };
    struct passwd* found = nullptr;
    std::string buffer(4096, '\0');
    if (::getpwuid_r(uid, &pw, buffer.data(), buffer.size(), &found) == 0 && found &&
        found->pw_name && *found->pw_name)
        return found->pw_name;
    return "uid " + std::to_string(uid);
}

} // namespace vigil
