// SPDX-License-Identifier: Apache-2.0
#pragma once

// Value types of the review (checklists, verdicts, threat matrices) that cross from the
// review thread and the writer to the views through EngineBridge's queued signals. Plain
// Qt values: no core/ type appears here (ui/bridge/reviewbridge.cpp converts).

#include <QMetaType>
#include <QString>
#include <QStringList>
#include <QVector>

#include <limits>
#include <optional>

namespace vigil::ui {

/// A reviewer's decision on one checklist item, as recorded.
struct VerdictInfo
{
    qint64 id = 0;
    QString itemId;
    QString component; ///< empty: the whole system
    QString kind;      ///< pass, fail, not_applicable
    QString note;
    QString reviewer;
    qint64 atMs = 0;
};

/// What a listing of evidence shows.
enum class EvidenceTargetKind : int { Findings = 0, Events = 1, Rejected = 2, Iam = 3 };

/// How to list the rows behind an automatic status (an opaque query the bridge runs).
struct EvidenceListingRef
{
    EvidenceTargetKind target = EvidenceTargetKind::Findings;
    qint64 count = 0;
    QStringList categories;
    QStringList rules;
    QStringList eventTypes;
    QString agent;
    qint64 fromMs = std::numeric_limits<qint64>::min(); ///< inclusive window
    qint64 toMs = std::numeric_limits<qint64>::max();
};

/// One checklist item with its automatic status and the latest verdict side by side.
struct ChecklistItemState
{
    QString id;        ///< maestro.4.2
    QString checklist; ///< maestro, plugin, production
    QString section;   ///< MAESTRO layer name or the seed's heading
    int layer = 0;     ///< 1..7, 0 where none
    QString text;
    QString component;  ///< empty: the whole system
    QString autoStatus; ///< pass, fail, unknown
    qint64 evidenceCount = 0;
    QString ruleId; ///< empty: no log can judge the item
    QString ruleDescription;
    QString reason;
    QStringList subjects; ///< IAM rules: offending agents, roles or grants
    QVector<EvidenceListingRef> listings;
    std::optional<VerdictInfo> verdict;
    int verdictCount = 0;
    bool conflict = false; ///< verdict pass or n/a over failing evidence
};

/// A checklist as the tree shows it.
struct ChecklistInfo
{
    QString id;
    QString title;
    QString source;
    bool perComponent = false; ///< run per agent or plugin (else for the whole system)
};

/// The evaluation of the three seed checklists for one component.
struct ChecklistReport
{
    QString component; ///< empty: the whole system
    QVector<ChecklistInfo> checklists;
    QVector<ChecklistItemState> items; ///< in checklist order
    QStringList observedAgents;        ///< distinct agents of the stored events
    QStringList reviewedComponents;    ///< components that have verdicts (plugins named before)
    bool hasPolicies = false;          ///< whether an IAM file judged the IAM items
    qint64 evaluatedAtMs = 0;
    QString error; ///< non-empty: the evaluation failed and items may be missing
};

/// One row behind an automatic status: an event, a finding or a rejected line.
struct EvidenceEntry
{
    EvidenceTargetKind target = EvidenceTargetKind::Events;
    qint64 id = 0;
    qint64 eventRowId = 0; ///< 0 for rejected lines
    qint64 timestampMs = 0;
    QString agent;
    QString eventType;
    QString threadId;
    QString category;
    QString rule;
    int severity = -1;
    QString summary;
};

/// The rows of one listing (at most the limit asked for; `total` is the listing's count).
struct EvidenceList
{
    EvidenceListingRef listing;
    QVector<EvidenceEntry> rows;
    qint64 total = 0;
};

/// Severity of a threat: LOW, MED, HIGH, CRITICAL.
enum class ThreatSeverityLevel : int { Low = 0, Med = 1, High = 2, Critical = 3 };
/// Review status of a threat row.
enum class ThreatRowStatus : int { Open = 0, Mitigated = 1, Accepted = 2, NotApplicable = 3 };

/// One row of a threat matrix.
struct ThreatRowData
{
    int layer = 1; ///< MAESTRO layer 1..7
    QString component;
    QString threat;
    ThreatSeverityLevel severity = ThreatSeverityLevel::Med;
    QString mitigation;
    ThreatRowStatus status = ThreatRowStatus::Open;
    QString owner;
    QStringList links; ///< finding categories or dotted rule ids
    QString description;

    bool operator==(const ThreatRowData&) const = default;
};

/// A threat matrix; `id` 0 until it is stored.
struct ThreatMatrixData
{
    qint64 id = 0;
    QString name;
    QString component; ///< empty: the whole system
    QString templateId;
    QVector<ThreatRowData> rows;
    qint64 updatedMs = 0;

    bool operator==(const ThreatMatrixData&) const = default;
};

/// One problem that keeps a threat matrix from being saved.
struct ThreatIssueInfo
{
    int row = -1;       ///< 0-based; -1: the matrix itself (its name)
    QString field;      ///< `layer`, `component`, ..., `description`; empty: the whole row or matrix
    QString message;    ///< the problem with the value (`'x' is not a finding category ...`)
    QString described;  ///< with where it is: `row 1, links: ...`
};

/// A shipped threat-matrix template.
struct ThreatTemplateInfo
{
    QString id; ///< maestro, attack-surface
    QString name;
    QString source;
    int rows = 0;
};

/// File formats of threat-matrix import and export.
enum class ThreatFileFormat : int { Csv = 0, Markdown = 1, Json = 2 };

/// `LOW` .. `CRITICAL`; `open` .. `not_applicable`; as core writes them.
QString threatSeverityText(ThreatSeverityLevel s);
QString threatStatusText(ThreatRowStatus s);
/// For screens: `Not applicable`, `Mitigated`, ...
QString threatStatusLabel(ThreatRowStatus s);

} // namespace vigil::ui

Q_DECLARE_METATYPE(vigil::ui::VerdictInfo)
Q_DECLARE_METATYPE(vigil::ui::EvidenceListingRef)
Q_DECLARE_METATYPE(vigil::ui::ChecklistReport)
Q_DECLARE_METATYPE(vigil::ui::EvidenceList)
Q_DECLARE_METATYPE(vigil::ui::ThreatMatrixData)
