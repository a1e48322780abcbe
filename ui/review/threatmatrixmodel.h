// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "bridge/reviewtypes.h"

#include <QAbstractTableModel>

class QUndoStack;

namespace vigil::ui {

/// One threat matrix as an editable table. Every change a user makes (setData, adding,
/// deleting and moving rows, renaming, changing the component) is a command on the undo
/// stack given with setUndoStack(), so Ctrl+Z / Ctrl+Shift+Z undo and redo it. Columns:
/// layer (1..7), component, threat, severity, mitigation, status, owner, links, the live
/// count of observed findings (read-only, from setCounts()) and description. Qt::EditRole
/// gives and takes the raw value: layer as int, severity and status as their enum's int
/// (ThreatSeverityLevel, ThreatRowStatus) or text (`HIGH`, `not_applicable`), links as
/// text split at `;`, `,` or spaces.
class ThreatMatrixModel : public QAbstractTableModel
{
    Q_OBJECT

public:
    enum Column {
        ColLayer = 0,
        ColComponent,
        ColThreat,
        ColSeverity,
        ColMitigation,
        ColStatus,
        ColOwner,
        ColLinks,
        ColFindings,
        ColDescription,
        ColumnCount
    };

    explicit ThreatMatrixModel(QObject* parent = nullptr);

    /// Shows `matrix` and clears the undo stack (a loaded matrix starts a new history).
    void setMatrix(const ThreatMatrixData& matrix);
    const ThreatMatrixData& matrix() const { return m_matrix; }
    /// Sets the stored id (after the first save) without touching the history.
    void setMatrixId(qint64 id) { m_matrix.id = id; }
    void setUndoStack(QUndoStack* stack) { m_undo = stack; }
    QUndoStack* undoStack() const { return m_undo; }

    /// Marks the cells that keep the matrix from being saved: a warning icon, and the
    /// problem in the tooltip (EngineBridge::threatMatrixIssues). Empty: nothing is marked.
    void setIssues(const QVector<ThreatIssueInfo>& issues);
    const QVector<ThreatIssueInfo>& issues() const { return m_issues; }
    /// The problems of one cell, one per line; empty when it has none.
    QString issueText(int row, int column) const;

    /// Live finding counts, one per row in order (ignored when the row count differs).
    void setCounts(const QVector<qint64>& counts);
    /// The count shown for `row`, or -1 while unknown.
    qint64 count(int row) const;

    // ---- undoable edits ----
    void insertThreatRow(int at, const ThreatRowData& row);
    void removeThreatRow(int row);
    /// Moves `from` so that it ends up at index `to`.
    void moveThreatRow(int from, int to);
    void setMatrixName(const QString& name);
    void setMatrixComponent(const QString& component);
    /// Replaces every row, the name and the component with `matrix`'s (keeping the id), as
    /// one undoable step named `text` (Revert).
    void replaceMatrix(const ThreatMatrixData& matrix, const QString& text);
    /// A new row for this matrix: layer 1, its component (or "component"), "New threat".
    ThreatRowData newRow() const;

    // ---- the raw changes the undo commands apply (no history) ----
    bool applyCell(int row, int column, const QVariant& value);
    void applyInsert(int at, const ThreatRowData& row);
    void applyRemove(int row);
    void applyMove(int from, int to);
    void applyName(const QString& name);
    void applyComponent(const QString& component);
    void applyReplace(const ThreatMatrixData& matrix);

    int rowCount(const QModelIndex& parent = {}) const override;
    /// The layer column's labels changed (View > MAESTRO Layer Names).
    void relabelLayers();
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    bool setData(const QModelIndex& index, const QVariant& value, int role = Qt::EditRole) override;
    Qt::ItemFlags flags(const QModelIndex& index) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

    /// The value `value` means for `column`, normalized for the row (nullopt: invalid).
    static std::optional<QVariant> normalized(int column, const QVariant& value);
    /// The raw value of `column` of `row`, as EditRole gives it.
    static QVariant rawValue(const ThreatRowData& row, int column);
    /// Layer 1..7 as `3 Integration`.
    static QString layerLabel(int layer);

Q_SIGNALS:
    /// The rows or the name/component changed (a user edit, an undo or a redo).
    void matrixEdited();
    /// The name or component changed.
    void headerEdited();

private:
    ThreatMatrixData m_matrix;
    QVector<qint64> m_counts;
    QVector<ThreatIssueInfo> m_issues;
    QUndoStack* m_undo = nullptr;
};

} // namespace vigil::ui
