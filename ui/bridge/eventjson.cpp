// SPDX-License-Identifier: Apache-2.0
#include "bridge/eventjson.h"

#include "base/jsonlimits.h"
#include "base/timeutil.h"
#include "scan/scanner.h"
#include "store/detailsfield.h"

#include <nlohmann/json.hpp>

#include <algorithm>

namespace vigil::ui::eventjson {
namespace {

using Json = nlohmann::ordered_json;

/// Stored details as a tree, or a discarded value when they are not JSON or break the JSON
/// limits (only a database edited by hand holds such details): callers then show the text.
Json parseDetails(std::string_view detailsJson)
{
    if (!withinJsonLimits(detailsJson))
        return Json(Json::value_t::discarded);
    return Json::parse(detailsJson, nullptr, false);
}

// Decodes UTF-8 (already validated at ingest) into code points; a stray byte becomes U+FFFD.
std::u32string decodeUtf8(std::string_view s)
{
    std::u32string out;
    out.reserve(s.size());
    for (std::size_t i = 0; i < s.size();) {
        const auto c = static_cast<unsigned char>(s[i]);
        int len = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 0;
        if (len == 0 || i + static_cast<std::size_t>(len) > s.size()) {
            out.push_back(0xFFFD);
            ++i;
            continue;
        }
        char32_t cp = len == 1 ? c : len == 2 ? (c & 0x1F) : len == 3 ? (c & 0x0F) : (c & 0x07);
        for (int k = 1; k < len; ++k)
            cp = (cp << 6) | (static_cast<unsigned char>(s[i + static_cast<std::size_t>(k)]) & 0x3F);
        out.push_back(cp);
        i += static_cast<std::size_t>(len);
    }
    return out;
}

void appendUtf8(std::string& out, char32_t c)
{
    if (c < 0x80) {
        out += static_cast<char>(c);
    } else if (c < 0x800) {
        out += static_cast<char>(0xC0 | (c >> 6));
        out += static_cast<char>(0x80 | (c & 0x3F));
    } else if (c < 0x10000) {
        out += static_cast<char>(0xE0 | (c >> 12));
        out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (c & 0x3F));
    } else {
        out += static_cast<char>(0xF0 | (c >> 18));
        out += static_cast<char>(0x80 | ((c >> 12) & 0x3F));
        out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (c & 0x3F));
    }
}

void appendQt(QString& out, char32_t c)
{
    if (c < 0x10000) {
        out += QChar(static_cast<char16_t>(c));
    } else {
        out += QChar(QChar::highSurrogate(c));
        out += QChar(QChar::lowSurrogate(c));
    }
}

void appendEscaped(QString& out, char32_t c)
{
    switch (c) {
    case U'"': out += u"\\\""; return;
    case U'\\': out += u"\\\\"; return;
    case U'\n': out += u"\\n"; return;
    case U'\r': out += u"\\r"; return;
    case U'\t': out += u"\\t"; return;
    default: break;
    }
    if (c < 0x20) {
        out += QStringLiteral("\\u%1").arg(static_cast<uint>(c), 4, 16, QLatin1Char('0'));
        return;
    }
    appendQt(out, c);
}

// The spans of `findings` on the value at `path`, sorted by start, valid ones only.
QVector<const FindingInfo*> spansAt(const QVector<FindingInfo>& findings, const QString& path,
                                    std::size_t length)
{
    QVector<const FindingInfo*> out;
    for (const FindingInfo& f : findings) {
        if (f.start < 0 || f.end <= f.start || f.field != path)
            continue;
        if (static_cast<std::size_t>(f.start) >= length)
            continue;
        out.push_back(&f);
    }
    std::sort(out.begin(), out.end(),
              [](const FindingInfo* a, const FindingInfo* b) { return a->start < b->start; });
    return out;
}

class Printer
{
public:
    Printer(const QVector<FindingInfo>& findings, bool reveal, EventDetail& out)
        : m_findings(findings), m_reveal(reveal), m_out(out)
    {
    }

    void value(const Json& j, const QString& path, int depth)
    {
        if (j.is_object()) {
            if (j.empty()) {
                m_s += u"{}";
                return;
            }
            m_s += u"{\n";
            std::size_t i = 0;
            for (auto it = j.begin(); it != j.end(); ++it, ++i) {
                indent(depth + 1);
                const QString key = QString::fromStdString(it.key());
                string(it.key(), QString(), false);
                m_s += u": ";
                value(it.value(), path.isEmpty() ? key : path + u'.' + key, depth + 1);
                if (i + 1 < j.size())
                    m_s += u',';
                m_s += u'\n';
            }
            indent(depth);
            m_s += u'}';
        } else if (j.is_array()) {
            if (j.empty()) {
                m_s += u"[]";
                return;
            }
            m_s += u"[\n";
            for (std::size_t i = 0; i < j.size(); ++i) {
                indent(depth + 1);
                value(j[i], path + QStringLiteral("[%1]").arg(i), depth + 1);
                if (i + 1 < j.size())
                    m_s += u',';
                m_s += u'\n';
            }
            indent(depth);
            m_s += u']';
        } else if (j.is_string()) {
            string(j.get_ref<const std::string&>(), path, true);
        } else {
            m_s += QString::fromStdString(j.dump());
        }
    }

    QString take() { return std::move(m_s); }

private:
    void indent(int depth) { m_s += QString(depth * 2, u' '); }

    void string(const std::string& v, const QString& path, bool withFindings)
    {
        const std::u32string cps = decodeUtf8(v);
        m_s += u'"';
        std::size_t pos = 0;
        if (withFindings) {
            const QVector<const FindingInfo*> spans = spansAt(m_findings, path, cps.size());
            for (qsizetype k = 0; k < spans.size(); ++k) {
                const FindingInfo* f = spans[k];
                const std::size_t start = std::max<std::size_t>(static_cast<std::size_t>(f->start), pos);
                std::size_t end = std::min<std::size_t>(static_cast<std::size_t>(f->end), cps.size());
                if (start >= end)
                    continue;
                for (; pos < start; ++pos)
                    appendEscaped(m_s, cps[pos]);
                Highlight h;
                h.start = static_cast<int>(m_s.size());
                h.category = f->category;
                h.severity = f->severity;
                if (!m_reveal && isSensitiveCategory(f->category)) {
                    // Later sensitive spans that overlap this one join its marker; the
                    // marker itself comes from the engine's redact(), as in every export.
                    std::vector<std::pair<int, int>> group{{0, static_cast<int>(end - start)}};
                    std::vector<std::string> rules{f->rule.toStdString()};
                    for (; k + 1 < spans.size() && isSensitiveCategory(spans[k + 1]->category) &&
                           static_cast<std::size_t>(spans[k + 1]->start) < end;
                         ++k) {
                        const FindingInfo* g = spans[k + 1];
                        const std::size_t gEnd = std::min<std::size_t>(static_cast<std::size_t>(g->end), cps.size());
                        group.emplace_back(static_cast<int>(std::max<std::size_t>(static_cast<std::size_t>(g->start), start) - start),
                                           static_cast<int>(gEnd - start));
                        rules.push_back(g->rule.toStdString());
                        end = std::max(end, gEnd);
                        h.severity = std::max(h.severity, g->severity);
                    }
                    group.front().second = static_cast<int>(
                        std::min<std::size_t>(static_cast<std::size_t>(f->end), end) - start);
                    std::string text;
                    for (std::size_t c = start; c < end; ++c)
                        appendUtf8(text, cps[c]);
                    for (char32_t c : decodeUtf8(vigil::redact(text, group, rules)))
                        appendEscaped(m_s, c);
                    h.redacted = true;
                    ++m_out.redactions;
                } else {
                    for (std::size_t c = start; c < end; ++c)
                        appendEscaped(m_s, cps[c]);
                }
                h.length = static_cast<int>(m_s.size()) - h.start;
                m_out.highlights.push_back(h);
                pos = end;
            }
        }
        for (; pos < cps.size(); ++pos)
            appendEscaped(m_s, cps[pos]);
        m_s += u'"';
    }

    const QVector<FindingInfo>& m_findings;
    bool m_reveal;
    EventDetail& m_out;
    QString m_s;
};

// Redacts, in place, every string leaf of `j` that has sensitive spans.
void redactTree(Json& j, const QString& path, const QVector<FindingInfo>& findings)
{
    if (j.is_object()) {
        for (auto it = j.begin(); it != j.end(); ++it)
            redactTree(it.value(), path + u'.' + QString::fromStdString(it.key()), findings);
    } else if (j.is_array()) {
        for (std::size_t i = 0; i < j.size(); ++i)
            redactTree(j[i], path + QStringLiteral("[%1]").arg(i), findings);
    } else if (j.is_string()) {
        QVector<FindingInfo> at;
        for (const FindingInfo& f : findings)
            if (f.field == path && isSensitiveCategory(f.category) && f.start >= 0)
                at.push_back(f);
        if (!at.isEmpty())
            j = redact(j.get_ref<const std::string&>(), at);
    }
}

QString oneLine(const std::string& s, int maxChars)
{
    QString out;
    out.reserve(std::min<int>(static_cast<int>(s.size()), maxChars + 1));
    bool space = false;
    for (QChar c : QString::fromStdString(s)) {
        if (c.isSpace()) {
            space = !out.isEmpty();
            continue;
        }
        if (space) {
            out += u' ';
            space = false;
        }
        out += c;
        if (out.size() >= maxChars) {
            out += u'…';
            break;
        }
    }
    return out;
}

} // namespace

bool isSensitiveCategory(const QString& category)
{
    return category == u"pii" || category == u"secret";
}

bool maskHasSensitive(quint32 mask)
{
    static const quint32 sensitive = categoryBit(QStringLiteral("pii")) | categoryBit(QStringLiteral("secret"));
    return (mask & sensitive) != 0;
}

std::string redact(std::string_view value, const QVector<FindingInfo>& spans)
{
    std::vector<std::pair<int, int>> ranges;
    std::vector<std::string> rules;
    for (const FindingInfo& f : spans) {
        if (f.start < 0 || f.end <= f.start || !isSensitiveCategory(f.category))
            continue;
        ranges.emplace_back(f.start, f.end);
        rules.push_back(f.rule.toStdString());
    }
    return vigil::redact(value, ranges, rules);
}

std::string redactedDetails(std::string_view detailsJson, const QVector<FindingInfo>& findings)
{
    std::vector<Finding> spans;
    spans.reserve(static_cast<std::size_t>(findings.size()));
    for (const FindingInfo& f : findings) {
        Finding s;
        s.rule = f.rule.toStdString();
        s.category = f.category.toStdString();
        s.field = f.field.toStdString();
        s.start = f.start;
        s.end = f.end;
        spans.push_back(std::move(s));
    }
    return vigil::redactedDetails(detailsJson, spans);
}

void render(const TopLevel& top, std::string_view detailsJson, const QVector<FindingInfo>& findings,
            bool reveal, EventDetail& out)
{
    Json event = Json::object();
    event["timestamp"] = formatRfc3339Utc(top.timestampMs);
    event["event_type"] = top.eventType;
    event["agent_name"] = top.agent;
    event["thread_id"] = top.threadId;
    event["severity"] = top.severity;
    if (!top.eventId.empty())
        event["event_id"] = top.eventId;
    if (!top.userId.empty())
        event["user_id"] = top.userId;
    Json details = parseDetails(detailsJson);
    if (details.is_discarded())
        details = std::string(detailsJson);
    event["details"] = std::move(details);

    out.highlights.clear();
    out.redactions = 0;
    out.revealed = reveal;
    out.findings = findings;
    Printer p(findings, reveal, out);
    p.value(event, QString(), 0);
    out.json = p.take();
}

QString preview(std::string_view eventType, std::string_view detailsJson,
                const QVector<FindingInfo>& findings, int maxChars)
{
    Json d = parseDetails(detailsJson);
    if (d.is_discarded() || !d.is_object())
        return oneLine(std::string(detailsJson), maxChars);
    bool sensitive = false;
    for (const FindingInfo& f : findings)
        sensitive = sensitive || isSensitiveCategory(f.category);
    if (sensitive)
        redactTree(d, QStringLiteral("details"), findings);

    static const std::vector<std::pair<std::string_view, std::vector<const char*>>> kKeys{
        {"user_query_received", {"query"}},
        {"brain_plan_created", {"plan"}},
        {"worker_invoked", {"model", "input", "filters"}},
        {"worker_result", {"output"}},
        {"sql_executed", {"sql", "table"}},
        {"human_escalation", {"reason"}},
        {"security_event", {"type", "details"}},
        {"error_occurred", {"error_type", "stack_trace"}},
        {"tool_call", {"action", "resource", "outcome"}},
    };
    std::string text;
    auto add = [&](const Json& v) {
        if (!text.empty())
            text += "  ·  ";
        text += v.is_string() ? v.get<std::string>() : v.dump();
    };
    auto it = std::find_if(kKeys.begin(), kKeys.end(),
                           [&](const auto& e) { return e.first == eventType; });
    if (it != kKeys.end()) {
        for (const char* key : it->second)
            if (auto v = d.find(key); v != d.end())
                add(*v);
    }
    if (text.empty()) {
        for (auto v = d.begin(); v != d.end(); ++v) {
            if (!text.empty())
                text += "  ·  ";
            text += v.key() + "=" + (v->is_string() ? v->get<std::string>() : v->dump());
            if (text.size() > static_cast<std::size_t>(maxChars) * 2)
                break;
        }
    }
    return oneLine(text, maxChars);
}

} // namespace vigil::ui::eventjson
