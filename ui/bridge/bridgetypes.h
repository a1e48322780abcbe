// SPDX-License-Identifier: Apache-2.0
#pragma once

// Immutable value types that cross from the engine (worker threads) to the views through
// EngineBridge's queued signals. Plain Qt values: no core/ type appears here.

#include "base/maestro.h"

#include <QMetaType>
#include <QString>
#include <QStringList>
#include <QVector>

#include <array>
#include <optional>

namespace vigil::ui {

/// Event severity as the producer declared it: 0 info, 1 warning, 2 error, 3 critical.
enum class Severity : int { Info = 0, Warning = 1, Error = 2, Critical = 3 };

/// One event as a row of a table: typed columns and a one-line preview of its details.
struct EventSummary
{
    qint64 rowId = 0;
    qint64 timestampMs = 0;
    QString eventType;
    QString agent;
    QString threadId;
    QString eventId;
    QString preview; ///< the most telling text of the details, cut to one line
    int severity = 0;
    quint32 findingMask = 0; ///< one bit per finding category (categoryNames())
    int findingSeverity = -1; ///< highest finding severity 0 low .. 3 critical, -1 none
};

/// Filters of an event list; empty members do not filter.
struct EventQuery
{
    int minSeverity = -1;
    QString agent;
    QString eventType;
    QString threadId;
    quint32 findingMask = 0;
    QString text;     ///< substring of the details JSON
    qint64 fromMs = 0; ///< 0: open
    qint64 toMs = 0;   ///< 0: open
    bool ascending = false;

    bool operator==(const EventQuery&) const = default;
};

/// Position after which a keyset page starts: (timestamp, row id).
struct PageKey
{
    qint64 timestampMs = 0;
    qint64 rowId = 0;
};

/// One finding of an event, as stored (field path plus code-point span, never the text).
struct FindingInfo
{
    qint64 id = 0;
    qint64 incidentId = 0;
    QString rule;
    QString category;
    QString field;
    QString message;
    int layer = 0;
    int severity = 0;
    int start = -1;
    int end = -1;
    bool muted = false; ///< a mute rule in force mutes it (it stays stored and listed)
};

/// A range of EventDetail::json to highlight (a finding span or its redaction marker).
struct Highlight
{
    int start = 0;
    int length = 0;
    int severity = 0;
    QString category;
    bool redacted = false;
};

/// An event with its pretty-printed JSON, redacted unless `revealed`.
struct EventDetail
{
    EventSummary summary;
    QString json;
    QVector<Highlight> highlights;
    QVector<FindingInfo> findings;
    bool revealed = false;
    int redactions = 0; ///< spans replaced by [REDACTED:<rule>]
    bool found = true;
};

/// Counters for the status bar.
struct IngestStatus
{
    qint64 sources = 0;
    qint64 events = 0;
    qint64 findings = 0;
    qint64 openIncidents = 0;
    qint64 queueDepth = 0;
    qint64 databaseBytes = 0;
    double eventsPerSecond = 0;
    qint64 connections = 0;   ///< clients of the live feed
    qint64 followedFiles = 0;
    QString listenAddress;    ///< of the live feed, empty when off
    QString httpAddress;      ///< of the HTTP receiver (OTLP, NDJSON), empty when off
    QString state; ///< idle, importing, live, demo
    /// Storing is failing (a full disk): the writer holds everything and retries.
    bool storageRetrying = false;
    QString storageError; ///< the writer's last storage error
    QStringList stoppedSources; ///< sources a failed batch stopped (they resume on their own)
};

struct IncidentSummary
{
    qint64 id = 0;
    QString title;
    QString category;
    QString rule;
    QString agent;
    QString threadId;
    QString status;
    QString assignee;
    QString notes;
    int layer = 0;
    int severity = 0; ///< 0 low .. 3 critical
    qint64 firstMs = 0;
    qint64 lastMs = 0;
    qint64 findings = 0;      ///< findings not muted (all of them without mute rules)
    qint64 updatedMs = 0;
    qint64 mutedFindings = 0; ///< findings muted by a rule in force, not in `findings`
    /// Every finding is muted: the incident leaves counts and alerts until a rule lapses.
    bool muted() const { return findings == 0 && mutedFindings > 0; }
};

/// A mute rule (core/store/suppression.h) as the views show and create it: findings
/// matching every criterion set are muted until `expiresMs` (0: never).
struct MuteRuleData
{
    qint64 id = 0;
    QString rule;
    QString agent;
    QString field;
    QString pattern; ///< glob over the matched text
    QString reason;
    QString author;  ///< empty: the OS user, when created from the app
    qint64 expiresMs = 0;
    qint64 createdMs = 0;
    qint64 removedMs = 0;
    QString status;      ///< active | expired | removed
    qint64 findings = 0; ///< stored findings its criteria match
};

/// Filters of the incident list; empty members do not filter. `text` is matched with FTS5
/// over title, notes, category, rule and agent, always as quoted strings (never syntax).
struct IncidentQuery
{
    QStringList statuses;
    int minSeverity = -1;
    int severity = -1; ///< exactly this severity (0 low .. 3 critical)
    QString category;
    int layer = 0;
    QString agent;
    qint64 fromMs = 0;
    qint64 toMs = 0;
    QString text;
    int limit = 10000;

    bool operator==(const IncidentQuery&) const = default;
};

struct IncidentHistoryEntry
{
    qint64 timestampMs = 0;
    QString actor;
    QString field;
    QString oldValue;
    QString newValue;
};

struct IncidentDetail
{
    IncidentSummary incident;
    QVector<IncidentHistoryEntry> history;
    QVector<EventSummary> evidence; ///< events with findings of this incident, by time
    QVector<FindingInfo> findings;
    bool found = true;
};

/// A review change of one or more incidents; unset members are left as they are.
struct IncidentChange
{
    std::optional<QString> status;
    std::optional<QString> assignee;
    std::optional<QString> notes;
};

enum class OverviewRange : int { LastHour = 0, Last24Hours = 1, All = 2 };

struct SeverityBucket
{
    qint64 startMs = 0;
    std::array<qint64, 4> counts{}; ///< by event severity
};

struct AgentUsage
{
    QString agent;
    qint64 tokens = 0;
    double cost = 0;
};

/// Pre-aggregated chart data of the overview.
struct OverviewData
{
    OverviewRange range = OverviewRange::LastHour;
    qint64 fromMs = 0;
    qint64 toMs = 0;
    qint64 bucketMs = 60000;
    QVector<SeverityBucket> buckets;
    QVector<QPair<QString, qint64>> findingsByCategory;
    std::array<qint64, 7> findingsByLayer{}; ///< MAESTRO layers 1..7
    std::array<qint64, 4> openIncidentsBySeverity{};
    QVector<AgentUsage> usage;
    qint64 events = 0;
};

/// Progress of an import started from the window.
struct ImportState
{
    qint64 bytesRead = 0;
    qint64 bytesTotal = 0;
    qint64 lines = 0;
    QString currentFile;
};

/// Finding category names in the order of their bit in EventSummary::findingMask.
const QStringList& categoryNames();
/// The bit of a category name (the last bit collects unknown categories).
quint32 categoryBit(const QString& category);
/// MAESTRO layer labels in the naming chosen under View > MAESTRO Layer Names, index 0 is
/// layer 1 ("1 Model", or "L1 Foundation Models") .. 6 is layer 7. Layers keep the seed's
/// numbers underneath (base/maestro.h).
const QStringList& maestroLayerNames();
/// The naming maestroLayerNames() uses; the UI thread sets it from the settings.
LayerNaming layerNaming();
void setLayerNaming(LayerNaming naming);
QString severityName(int eventSeverity);
QString findingSeverityName(int findingSeverity);

/// What a query of the query bar returned (core/query/query.h), or why it did not run.
struct QueryResultData
{
    QString text;           ///< the query as run
    bool ok = false;
    QString error;          ///< one line naming the problem and its column
    int errorColumn = 0;    ///< 1-based character column of the fault; 0 when ok
    int errorPosition = -1; ///< where the fault starts in `text` (a QString index)
    int errorLength = 0;    ///< how much of `text` the fault spans
    /// Rows are events (no `stats`, no finding field): the events table shows `events`.
    /// Otherwise `columns` and `cells` are shown as they are.
    bool eventRows = false;
    QStringList columns;
    QVector<QStringList> cells; ///< display text of each row, one entry per column
    QVector<qint64> rowIds;     ///< the event behind each row; empty for stats
    QVector<EventSummary> events;
    bool truncated = false;     ///< more rows matched than the query's limit
};

/// A built-in or saved query, for the drop-down of the query bar.
struct SavedQueryInfo
{
    QString name;
    QString text;
    QString description;
    QString author;
    bool builtin = false;
};

} // namespace vigil::ui

Q_DECLARE_METATYPE(vigil::ui::EventSummary)
Q_DECLARE_METATYPE(vigil::ui::EventQuery)
Q_DECLARE_METATYPE(vigil::ui::EventDetail)
Q_DECLARE_METATYPE(vigil::ui::IngestStatus)
Q_DECLARE_METATYPE(vigil::ui::IncidentSummary)
Q_DECLARE_METATYPE(vigil::ui::IncidentQuery)
Q_DECLARE_METATYPE(vigil::ui::IncidentDetail)
Q_DECLARE_METATYPE(vigil::ui::OverviewData)
Q_DECLARE_METATYPE(vigil::ui::ImportState)
Q_DECLARE_METATYPE(vigil::ui::MuteRuleData)
Q_DECLARE_METATYPE(vigil::ui::QueryResultData)
Q_DECLARE_METATYPE(vigil::ui::SavedQueryInfo)
