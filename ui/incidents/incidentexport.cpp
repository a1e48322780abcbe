// SPDX-License-Identifier: Apache-2.0
#include "incidents/incidentexport.h"

#include "common/csv.h"

#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

namespace vigil::ui {
namespace {

QString isoTime(qint64 ms)
{
    return QDateTime::fromMSecsSinceEpoch(ms, Qt::UTC).toString(Qt::ISODateWithMs);
}

} // namespace

QByteArray incidentsToCsv(const QVector<IncidentSummary>& incidents)
{
    QString out = csv::record({QStringLiteral("id"), QStringLiteral("severity"), QStringLiteral("status"),
                               QStringLiteral("title"), QStringLiteral("category"), QStringLiteral("rule"),
                               QStringLiteral("layer"), QStringLiteral("agent"), QStringLiteral("thread_id"),
                               QStringLiteral("findings"), QStringLiteral("first_seen"),
                               QStringLiteral("last_seen"), QStringLiteral("assignee"), QStringLiteral("notes")});
    for (const IncidentSummary& i : incidents)
        out += csv::record({csv::number(i.id), csv::cell(findingSeverityName(i.severity)), csv::cell(i.status),
                            csv::cell(i.title), csv::cell(i.category), csv::cell(i.rule), csv::number(i.layer),
                            csv::cell(i.agent), csv::cell(i.threadId), csv::number(i.findings),
                            csv::cell(isoTime(i.firstMs)), csv::cell(isoTime(i.lastMs)), csv::cell(i.assignee),
                            csv::cell(i.notes)});
    return out.toUtf8();
}

QByteArray incidentsToJson(const QVector<IncidentSummary>& incidents)
{
    QJsonArray array;
    for (const IncidentSummary& i : incidents)
        array.append(QJsonObject{{QStringLiteral("id"), i.id},
                                 {QStringLiteral("severity"), findingSeverityName(i.severity)},
                                 {QStringLiteral("status"), i.status},
                                 {QStringLiteral("title"), i.title},
                                 {QStringLiteral("category"), i.category},
                                 {QStringLiteral("rule"), i.rule},
                                 {QStringLiteral("layer"), i.layer},
                                 {QStringLiteral("agent"), i.agent},
                                 {QStringLiteral("thread_id"), i.threadId},
                                 {QStringLiteral("findings"), i.findings},
                                 {QStringLiteral("first_seen"), isoTime(i.firstMs)},
                                 {QStringLiteral("last_seen"), isoTime(i.lastMs)},
                                 {QStringLiteral("assignee"), i.assignee},
                                 {QStringLiteral("notes"), i.notes}});
    return QJsonDocument(array).toJson(QJsonDocument::Indented);
}

} // namespace vigil::ui
