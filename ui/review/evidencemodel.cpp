// SPDX-License-Identifier: Apache-2.0
#include "review/evidencemodel.h"

#include "review/reviewicons.h"
#include "theme.h"

#include <QDateTime>

namespace vigil::ui {
namespace {

QString timeText(qint64 ms)
{
    return QDateTime::fromMSecsSinceEpoch(ms).toString(QStringLiteral("yyyy-MM-dd HH:mm:ss"));
}

} // namespace

EvidenceModel::EvidenceModel(QObject* parent) : QAbstractTableModel(parent) {}

void EvidenceModel::setRows(const QVector<EvidenceEntry>& rows, const QStringList& subjects,
                            const QString& subjectKind)
{
    beginResetModel();
    m_rows = rows;
    m_subjects = subjects;
    m_subjectKind = subjectKind.isEmpty() ? tr("IAM") : subjectKind;
    endResetModel();
}

void EvidenceModel::clear()
{
    setRows({}, {});
}

const EvidenceEntry* EvidenceModel::entry(int row) const
{
    const int i = row - static_cast<int>(m_subjects.size());
    return i >= 0 && i < m_rows.size() ? &m_rows[i] : nullptr;
}

int EvidenceModel::rowCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : static_cast<int>(m_subjects.size() + m_rows.size());
}

int EvidenceModel::columnCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant EvidenceModel::data(const QModelIndex& index, int role) const
{
    if (!index.isValid() || index.model() != this)
        return {};
    if (index.row() < m_subjects.size()) {
        const QString& subject = m_subjects[index.row()];
        if (role == Qt::DisplayRole || role == Qt::ToolTipRole) {
            switch (index.column()) {
            case ColKind:
                return m_subjectKind;
            case ColSummary:
                return subject;
            default:
                return {};
            }
        }
        if (role == Qt::DecorationRole && index.column() == ColKind)
            return review::statusIcon(QStringLiteral("fail"));
        return {};
    }
    const EvidenceEntry* e = entry(index.row());
    if (!e)
        return {};
    switch (role) {
    case Qt::DisplayRole:
        switch (index.column()) {
        case ColTime:
            return timeText(e->timestampMs);
        case ColKind:
            switch (e->target) {
            case EvidenceTargetKind::Findings:
                return e->category;
            case EvidenceTargetKind::Events:
                return e->eventType;
            case EvidenceTargetKind::Rejected:
                return tr("rejected line");
            case EvidenceTargetKind::Iam:
                return tr("IAM");
            }
            return {};
        case ColAgent:
            return e->agent;
        case ColSummary:
            return e->summary;
        }
        return {};
    case Qt::ToolTipRole:
        if (e->target == EvidenceTargetKind::Rejected)
            return tr("%1\nRejected lines have no trusted agent and no event to open.").arg(e->summary);
        return tr("%1\nDouble-click or Enter opens the event in the Events view.").arg(e->summary);
    case Qt::ForegroundRole:
        if (index.column() == ColKind && e->target == EvidenceTargetKind::Findings && e->severity >= 0)
            return Theme::instance().findingSeverityColor(e->severity);
        return {};
    case EventRowIdRole:
        return e->eventRowId;
    default:
        return {};
    }
}

QVariant EvidenceModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case ColTime:
        return tr("Time");
    case ColKind:
        return tr("Kind");
    case ColAgent:
        return tr("Agent");
    case ColSummary:
        return tr("Evidence");
    }
    return {};
}

// ---------------------------------------------------------------------------------------

VerdictHistoryModel::VerdictHistoryModel(QObject* parent) : QAbstractTableModel(parent) {}

void VerdictHistoryModel::setHistory(const QVector<VerdictInfo>& history)
{
    beginResetModel();
    m_rows = history;
    endResetModel();
}

int VerdictHistoryModel::rowCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : static_cast<int>(m_rows.size());
}

int VerdictHistoryModel::columnCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant VerdictHistoryModel::data(const QModelIndex& index, int role) const
{
    if (!index.isValid() || index.model() != this || index.row() >= m_rows.size())
        return {};
    const VerdictInfo& v = m_rows[index.row()];
    switch (role) {
    case Qt::DisplayRole:
        switch (index.column()) {
        case ColTime:
            return timeText(v.atMs);
        case ColKind:
            return review::statusLabel(v.kind);
        case ColReviewer:
            return v.reviewer;
        case ColNote:
            return v.note;
        }
        return {};
    case Qt::DecorationRole:
        return index.column() == ColKind ? QVariant(review::verdictIcon(v.kind)) : QVariant();
    case Qt::ToolTipRole:
        return index.column() == ColNote ? QVariant(v.note) : QVariant();
    default:
        return {};
    }
}

QVariant VerdictHistoryModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case ColTime:
        return tr("Recorded");
    case ColKind:
        return tr("Verdict");
    case ColReviewer:
        return tr("Reviewer");
    case ColNote:
        return tr("Note");
    }
    return {};
}

} // namespace vigil::ui
