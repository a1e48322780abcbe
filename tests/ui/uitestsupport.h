// SPDX-License-Identifier: Apache-2.0
// Helpers of the GUI tests: audit event lines and a bridge on a temporary database.
#pragma once

#include "bridge/enginebridge.h"
#include "testsupport.h"

#include <QDateTime>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSettings>
#include <QTemporaryDir>

#include <memory>

namespace vigil::test {

/// One audit event line. `details` is a JSON object as text.
inline QByteArray eventLine(qint64 tsMs, const QString& type, const QString& agent, const QString& severity,
                            const QString& thread, const QByteArray& details, const QString& eventId = {})
{
    QByteArray line = "{\"timestamp\":\"" +
                      QDateTime::fromMSecsSinceEpoch(tsMs, Qt::UTC).toString(Qt::ISODateWithMs).toUtf8() +
                      "\",\"event_type\":\"" + type.toUtf8() + "\",\"agent_name\":\"" + agent.toUtf8() +
                      "\",\"thread_id\":\"" + thread.toUtf8() + "\",\"severity\":\"" + severity.toUtf8() + "\"";
    if (!eventId.isEmpty())
        line += ",\"event_id\":\"" + eventId.toUtf8() + "\"";
    line += ",\"details\":" + details + "}";
    return line;
}

inline QByteArray queryDetails(const QString& query)
{
    return QJsonDocument(QJsonObject{{QStringLiteral("query"), query}}).toJson(QJsonDocument::Compact);
}

inline QByteArray outputDetails(const QString& output)
{
    return QJsonDocument(QJsonObject{{QStringLiteral("output_hash"), QStringLiteral("abcdef0123456789")},
                                     {QStringLiteral("confidence"), 0.9},
                                     {QStringLiteral("latency_ms"), 120},
                                     {QStringLiteral("output"), output}})
        .toJson(QJsonDocument::Compact);
}

/// A bridge on a fresh database in a temporary directory; settings go there too.
struct Fixture
{
    QTemporaryDir dir;
    std::unique_ptr<vigil::ui::EngineBridge> bridge;

    Fixture()
    {
        QSettings::setPath(QSettings::NativeFormat, QSettings::UserScope, dir.path() + QStringLiteral("/config"));
        bridge = std::make_unique<vigil::ui::EngineBridge>();
    }
    QString dbPath() const { return dir.path() + QStringLiteral("/test.db"); }
    bool open()
    {
        QString error;
        const bool ok = bridge->open(dbPath(), &error);
        if (!ok)
            qWarning("open failed: %s", qPrintable(error));
        return ok;
    }
    void ingest(const QList<QByteArray>& lines, const QString& source = QStringLiteral("test"))
    {
        for (qsizetype i = 0; i < lines.size(); i += 500)
            bridge->ingestLines(source, lines.mid(i, 500));
        bridge->drainIngest();
    }
};

} // namespace vigil::test
