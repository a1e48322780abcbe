// SPDX-License-Identifier: Apache-2.0
#pragma once

// Immutable values of the IAM permission map that cross from the engine's worker threads to
// the views through EngineBridge's queued signals (ui/bridge/iambridge.cpp fills them from
// core/iam). Plain Qt values: no core/ type appears here.

#include <QMetaType>
#include <QString>
#include <QStringList>
#include <QVector>

namespace vigil::ui {

/// State of one permission-map entry, in the order of core's iam::CellState.
enum class IamCellState : int {
    AllowedUsed = 0,  ///< a grant the agent used
    AllowedUnused,    ///< a grant the agent did not use
    DeniedAttempted,  ///< an observed action no Allow grants (or by an agent without role)
    BoundaryBlocked,  ///< a grant the boundary voids, or an action the boundary stopped
    ExplicitDeny,     ///< a Deny of the role, or an action one of them stopped
    Conditional,      ///< a statement with a Condition (not evaluated), or a use decided by one
};
inline constexpr int kIamCellStateCount = 6;

/// `allowed_used`, `allowed_unused`, `denied_attempted`, `boundary_blocked`, `explicit_deny`,
/// `conditional` (the names of `vigil-cli iam`).
QString iamCellStateName(IamCellState state);

/// One statement of the policy file, as the detail of a cell shows it.
struct IamStatement
{
    bool boundary = false; ///< from the permission boundary, else from `policy` (a role)
    QString policy;        ///< role name, or `permission_boundary`
    int index = -1;        ///< position in the document's Statement array
    QString sid;
    QString label;         ///< `agent-brain-role.Statement[3] (Sid NoCheapModels)`
    QString json;          ///< the statement, indented

    bool operator==(const IamStatement&) const = default;
};

/// One entry of the map: a grant of the agent's role (`fromPolicy`) or an observed action
/// that was not plainly allowed.
struct IamMapRow
{
    QString agent;
    QString action;   ///< as written (a pattern for grants; `NOT a, b` for NotAction)
    QString resource; ///< as written (a pattern for grants; `NOT ...` for NotResource)
    IamCellState state = IamCellState::AllowedUnused;
    QString statementLabel; ///< the deciding statement's label, empty when none decided
    qint64 observed = 0;    ///< events this entry decided
    bool fromPolicy = true;
    QVector<IamStatement> statements; ///< deciding statement first (see core PermissionRow)
    QVector<qint64> eventRefs;        ///< event row ids (at most 256) behind `observed`
};

/// An agent of the map: in the policy file, seen in events, or both.
struct IamAgentInfo
{
    QString name;
    QString role; ///< empty for an agent without a role in the file
    QString tier; ///< `orchestrator`, `worker` or empty
    qint64 events = 0; ///< stored events of the agent (any type)
};

/// One least-privilege review item (core iam::ReviewItem).
struct IamReviewEntry
{
    QString kind;     ///< `wildcard_action`, `unused_grant`, ... (vigil-cli iam --review)
    int severity = 0; ///< 0 low .. 3 critical
    QString agent;
    QString role;
    QString statementLabel;
    QString statementJson;
    QString text;
};

/// Everything the permission-map view shows, computed off the UI thread.
struct IamMapData
{
    bool hasPolicies = false;
    QString policySource; ///< the policy file's path, or a description of embedded policies
    QString error;        ///< why the observed use could not be read (the map is still valid)
    QVector<IamAgentInfo> agents; ///< sorted by name
    QVector<IamMapRow> rows;      ///< grouped by agent, as core's PermissionMap orders them
    QVector<IamReviewEntry> review;
    bool observedFromDatabase = false;
    qint64 observedEvents = 0; ///< tool_call, plan and worker events read
    qint64 observedUses = 0;   ///< of which carried an IAM action
    qint64 droppedUses = 0;    ///< distinct uses beyond the aggregator's bound
};

/// A map entry whose decision differs between two policy files.
struct IamCellChange
{
    QString agent;
    QString action;
    QString resource;
    bool fromPolicy = true;
    int oldState = -1; ///< an IamCellState, -1 when the entry is new
    int newState = -1; ///< an IamCellState, -1 when the entry is gone
    QString oldStatement;
    QString newStatement;
};

/// What replacing the current policy file by another changes.
struct IamPolicyDiff
{
    QString oldSource;
    QString newSource;
    QStringList addedAgents;
    QStringList removedAgents;
    QStringList changedAgents; ///< `name: role a → role b` or a tier change
    QStringList addedRoles;
    QStringList removedRoles;
    QStringList addedStatements;   ///< labels in the new file
    QStringList removedStatements; ///< labels in the old file
    QVector<IamCellChange> cells;  ///< with the observed use of the open database

    bool isEmpty() const
    {
        return addedAgents.isEmpty() && removedAgents.isEmpty() && changedAgents.isEmpty() &&
               addedRoles.isEmpty() && removedRoles.isEmpty() && addedStatements.isEmpty() &&
               removedStatements.isEmpty() && cells.isEmpty();
    }
};

/// The outcome of EngineBridge::checkIamPolicies: a valid file and its diff, or the error
/// (naming the JSON path of the fault).
struct IamPolicyCheck
{
    bool ok = false;
    QString path;
    QString error;
    IamPolicyDiff diff;
};

} // namespace vigil::ui

Q_DECLARE_METATYPE(vigil::ui::IamMapData)
Q_DECLARE_METATYPE(vigil::ui::IamPolicyCheck)
