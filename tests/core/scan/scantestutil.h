// SPDX-License-Identifier: Apache-2.0
#pragma once

// Helpers shared by the scan tests: hand-built events (the decoder is tested on its own) and
// a scanner over the embedded rule packs.

#include "scan/scanner.h"

#include <QString>
#include <QStringList>
#include <QTest>

#include <algorithm>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace scantest {

using vigil::AuditEvent;
using vigil::Finding;

/// An event of `type` whose `details` hold exactly `texts` (path, value), in that order.
inline AuditEvent makeEvent(const std::string& type,
                            std::vector<std::pair<std::string, std::string>> texts)
{
    AuditEvent e;
    e.timestamp = "2026-11-21T10:00:00.000Z";
    e.eventType = type;
    e.kind = vigil::eventKindFromType(type);
    e.agentName = "tester";
    e.threadId = "t-1";
    std::size_t chars = 2;
    for (auto& [path, value] : texts) {
        chars += path.size() + value.size() + 6;
        e.texts.push_back(vigil::TextField{std::move(path), std::move(value)});
    }
    e.detailsChars = chars;
    return e;
}

/// One text field `details.<key>` on an event of `type`.
inline AuditEvent makeField(const std::string& type, const std::string& key,
                            const std::string& value)
{
    return makeEvent(type, {{"details." + key, value}});
}

inline const vigil::Scanner& builtinScanner()
{
    static const std::shared_ptr<const vigil::Scanner> scanner = [] {
        auto pack = vigil::RulePack::builtin();
        if (!pack)
            qFatal("builtin rule pack: %s", pack.error().message.c_str());
        auto s = vigil::Scanner::create(*pack);
        if (!s)
            qFatal("scanner: %s", s.error().message.c_str());
        return *s;
    }();
    return *scanner;
}

inline std::vector<Finding> scanAsIs(const AuditEvent& e, const vigil::Scanner& s)
{
    thread_local std::unique_ptr<vigil::ScanScratch> scratch;
    thread_local const vigil::Scanner* owner = nullptr;
    if (!scratch || owner != &s) {
        scratch = s.makeScratch();
        owner = &s;
    }
    std::vector<Finding> out;
    s.scan(e, *scratch, out);
    return out;
}

inline QByteArray describe(const std::vector<Finding>& fs);

/// Scans `e`. The scanner joins an event's ASCII fields for its fast passes and scans a lone
/// field by itself, so a one-field event is also scanned between two benign fields, and the
/// findings must be the same: every detector table checks both paths.
inline std::vector<Finding> scan(const AuditEvent& e, const vigil::Scanner& s = builtinScanner())
{
    std::vector<Finding> out = scanAsIs(e, s);
    if (e.texts.size() != 1)
        return out;
    AuditEvent padded = e;
    padded.texts.insert(padded.texts.begin(), vigil::TextField{"details.note", "ok"});
    padded.texts.push_back(vigil::TextField{"details.channel", "web"});
    std::vector<Finding> joined = scanAsIs(padded, s);
    auto same = [](const Finding& a, const Finding& b) {
        return a.rule == b.rule && a.field == b.field && a.start == b.start && a.end == b.end &&
               a.category == b.category && a.severity == b.severity && a.message == b.message;
    };
    const bool equal = std::equal(out.begin(), out.end(), joined.begin(), joined.end(), same);
    QTest::qVerify(equal, "joined scan",
                   ("alone: " + describe(out) + " joined: " + describe(joined)).constData(),
                   __FILE__, __LINE__);
    return out;
}

/// Rule ids of `fs` in order (of one category when given).
inline QStringList rules(const std::vector<Finding>& fs, const std::string& category = {})
{
    QStringList out;
    for (const Finding& f : fs)
        if (category.empty() || f.category == category)
            out << QString::fromStdString(f.rule);
    return out;
}

inline QStringList categories(const std::vector<Finding>& fs)
{
    QStringList out;
    for (const Finding& f : fs)
        if (!out.contains(QString::fromStdString(f.category)))
            out << QString::fromStdString(f.category);
    return out;
}

inline bool hasRule(const std::vector<Finding>& fs, const QByteArray& rule)
{
    for (const Finding& f : fs)
        if (f.rule == rule.toStdString())
            return true;
    return false;
}

inline const Finding* first(const std::vector<Finding>& fs, const std::string& category)
{
    for (const Finding& f : fs)
        if (f.category == category)
            return &f;
    return nullptr;
}

/// The code points [start, end) of UTF-8 `s` (what a finding's span points at).
inline QString slice(const std::string& s, int start, int end)
{
    return QString::fromStdU32String(QString::fromStdString(s).toStdU32String().substr(
        std::size_t(start), std::size_t(end - start)));
}

/// Describes findings for failure messages.
inline QByteArray describe(const std::vector<Finding>& fs)
{
    QByteArray out;
    for (const Finding& f : fs)
        out += QByteArray::fromStdString(f.rule + " " + f.field + " [" + std::to_string(f.start) +
                                         "," + std::to_string(f.end) + ") ");
    return out.isEmpty() ? QByteArray("(none)") : out;
}

} // namespace scantest
