// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "bridge/reviewtypes.h"

#include <QAbstractTableModel>

namespace vigil::ui {

/// The rows behind a checklist item's automatic status: findings, events or rejected lines
/// (from the bridge), or for IAM items the offending grants, roles or agents. Columns:
/// time, kind, agent, summary.
class EvidenceModel : public QAbstractTableModel
{
    Q_OBJECT

public:
    enum Column { ColTime = 0, ColKind, ColAgent, ColSummary, ColumnCount };
    enum Role { EventRowIdRole = Qt::UserRole + 1 };

    explicit EvidenceModel(QObject* parent = nullptr);

    /// Replaces the rows with `rows` (appended after `subjects`, which are IAM findings).
    /// `subjects` (IAM problems, overdue secrets) come first, their Kind column saying
    /// `subjectKind`.
    void setRows(const QVector<EvidenceEntry>& rows, const QStringList& subjects = {},
                 const QString& subjectKind = {});
    void clear();
    /// The entry of `row`, or nullptr for an IAM subject row.
    const EvidenceEntry* entry(int row) const;

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    QStringList m_subjects;
    QString m_subjectKind;
    QVector<EvidenceEntry> m_rows;
};

/// The verdict history of one item, oldest first. Columns: time, verdict, reviewer, note.
class VerdictHistoryModel : public QAbstractTableModel
{
    Q_OBJECT

public:
    enum Column { ColTime = 0, ColKind, ColReviewer, ColNote, ColumnCount };

    explicit VerdictHistoryModel(QObject* parent = nullptr);

    void setHistory(const QVector<VerdictInfo>& history);
    const QVector<VerdictInfo>& history() const { return m_rows; }

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    QVector<VerdictInfo> m_rows;
};

} // namespace vigil::ui
