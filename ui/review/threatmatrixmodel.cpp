// SPDX-License-Identifier: Apache-2.0
#include "review/threatmatrixmodel.h"

#include "bridge/bridgetypes.h"
#include "review/reviewicons.h"
#include "theme.h"

#include <QFont>
#include <QRegularExpression>
#include <QUndoCommand>
#include <QUndoStack>

#include <algorithm>

namespace vigil::ui {
namespace {

QString oneLine(QString s)
{
    s.replace(u'\r', u' ');
    s.replace(u'\n', u' ');
    return s;
}

QString columnName(int column)
{
    switch (column) {
    case ThreatMatrixModel::ColLayer:
        return ThreatMatrixModel::tr("layer");
    case ThreatMatrixModel::ColComponent:
        return ThreatMatrixModel::tr("component");
    case ThreatMatrixModel::ColThreat:
        return ThreatMatrixModel::tr("threat");
    case ThreatMatrixModel::ColSeverity:
        return ThreatMatrixModel::tr("severity");
    case ThreatMatrixModel::ColMitigation:
        return ThreatMatrixModel::tr("mitigation");
    case ThreatMatrixModel::ColStatus:
        return ThreatMatrixModel::tr("status");
    case ThreatMatrixModel::ColOwner:
        return ThreatMatrixModel::tr("owner");
    case ThreatMatrixModel::ColLinks:
        return ThreatMatrixModel::tr("links");
    case ThreatMatrixModel::ColDescription:
        return ThreatMatrixModel::tr("description");
    }
    return {};
}

class SetCellCommand : public QUndoCommand
{
public:
    SetCellCommand(ThreatMatrixModel* m, int row, int column, QVariant before, QVariant after)
        : m_model(m), m_row(row), m_column(column), m_before(std::move(before)), m_after(std::move(after))
    {
        setText(ThreatMatrixModel::tr("Set %1 of row %2").arg(columnName(column)).arg(row + 1));
    }
    void undo() override { m_model->applyCell(m_row, m_column, m_before); }
    void redo() override { m_model->applyCell(m_row, m_column, m_after); }

private:
    ThreatMatrixModel* m_model;
    int m_row, m_column;
    QVariant m_before, m_after;
};

class InsertRowCommand : public QUndoCommand
{
public:
    InsertRowCommand(ThreatMatrixModel* m, int at, ThreatRowData row, bool insert)
        : m_model(m), m_at(at), m_row(std::move(row)), m_insert(insert)
    {
        setText(insert ? ThreatMatrixModel::tr("Add row %1").arg(at + 1)
                       : ThreatMatrixModel::tr("Delete row %1").arg(at + 1));
    }
    void undo() override { m_insert ? m_model->applyRemove(m_at) : m_model->applyInsert(m_at, m_row); }
    void redo() override { m_insert ? m_model->applyInsert(m_at, m_row) : m_model->applyRemove(m_at); }

private:
    ThreatMatrixModel* m_model;
    int m_at;
    ThreatRowData m_row;
    bool m_insert;
};

class MoveRowCommand : public QUndoCommand
{
public:
    MoveRowCommand(ThreatMatrixModel* m, int from, int to) : m_model(m), m_from(from), m_to(to)
    {
        setText(ThreatMatrixModel::tr("Move row %1 to %2").arg(from + 1).arg(to + 1));
    }
    void undo() override { m_model->applyMove(m_to, m_from); }
    void redo() override { m_model->applyMove(m_from, m_to); }

private:
    ThreatMatrixModel* m_model;
    int m_from, m_to;
};

class HeaderCommand : public QUndoCommand
{
public:
    HeaderCommand(ThreatMatrixModel* m, bool name, QString before, QString after)
        : m_model(m), m_name(name), m_before(std::move(before)), m_after(std::move(after))
    {
        setText(name ? ThreatMatrixModel::tr("Rename matrix") : ThreatMatrixModel::tr("Change component"));
    }
    void undo() override { apply(m_before); }
    void redo() override { apply(m_after); }

private:
    void apply(const QString& v) { m_name ? m_model->applyName(v) : m_model->applyComponent(v); }
    ThreatMatrixModel* m_model;
    bool m_name;
    QString m_before, m_after;
};

class ReplaceCommand : public QUndoCommand
{
public:
    ReplaceCommand(ThreatMatrixModel* m, ThreatMatrixData before, ThreatMatrixData after, const QString& text)
        : m_model(m), m_before(std::move(before)), m_after(std::move(after))
    {
        setText(text);
    }
    void undo() override { m_model->applyReplace(m_before); }
    void redo() override { m_model->applyReplace(m_after); }

private:
    ThreatMatrixModel* m_model;
    ThreatMatrixData m_before, m_after;
};

/// The column a core field name (`links`) stands for; the threat column for a whole row.
int columnOfField(const QString& field)
{
    static const QList<QPair<QString, int>> kColumns{
        {QStringLiteral("layer"), ThreatMatrixModel::ColLayer},
        {QStringLiteral("component"), ThreatMatrixModel::ColComponent},
        {QStringLiteral("threat"), ThreatMatrixModel::ColThreat},
        {QStringLiteral("severity"), ThreatMatrixModel::ColSeverity},
        {QStringLiteral("mitigation"), ThreatMatrixModel::ColMitigation},
        {QStringLiteral("status"), ThreatMatrixModel::ColStatus},
        {QStringLiteral("owner"), ThreatMatrixModel::ColOwner},
        {QStringLiteral("links"), ThreatMatrixModel::ColLinks},
        {QStringLiteral("description"), ThreatMatrixModel::ColDescription},
    };
    for (const auto& [name, column] : kColumns)
        if (name == field)
            return column;
    return ThreatMatrixModel::ColThreat;
}

} // namespace

ThreatMatrixModel::ThreatMatrixModel(QObject* parent) : QAbstractTableModel(parent) {}

void ThreatMatrixModel::setMatrix(const ThreatMatrixData& matrix)
{
    beginResetModel();
    m_matrix = matrix;
    m_counts = QVector<qint64>(matrix.rows.size(), -1);
    m_issues.clear();
    endResetModel();
    if (m_undo)
        m_undo->clear();
}

void ThreatMatrixModel::setIssues(const QVector<ThreatIssueInfo>& issues)
{
    if (issues.size() == m_issues.size() &&
        std::equal(issues.begin(), issues.end(), m_issues.begin(), [](const auto& a, const auto& b) {
            return a.row == b.row && a.field == b.field && a.message == b.message;
        }))
        return;
    m_issues = issues;
    if (rowCount() > 0)
        Q_EMIT dataChanged(index(0, 0), index(rowCount() - 1, ColumnCount - 1),
                           {Qt::DecorationRole, Qt::ToolTipRole});
}

QString ThreatMatrixModel::issueText(int row, int column) const
{
    QStringList out;
    for (const ThreatIssueInfo& i : m_issues)
        if (i.row == row && columnOfField(i.field) == column)
            out << i.message;
    return out.join(u'\n');
}

void ThreatMatrixModel::setCounts(const QVector<qint64>& counts)
{
    if (counts.size() != m_matrix.rows.size() || counts == m_counts)
        return;
    m_counts = counts;
    if (!m_counts.isEmpty())
        Q_EMIT dataChanged(index(0, ColFindings), index(static_cast<int>(m_counts.size()) - 1, ColFindings));
}

qint64 ThreatMatrixModel::count(int row) const
{
    return row >= 0 && row < m_counts.size() ? m_counts[row] : -1;
}

QString ThreatMatrixModel::layerLabel(int layer)
{
    const QStringList& names = maestroLayerNames();
    // The names carry their number: `3 Integration`.
    return layer >= 1 && layer <= names.size() ? names.at(layer - 1) : QString::number(layer);
}

QVariant ThreatMatrixModel::rawValue(const ThreatRowData& r, int column)
{
    switch (column) {
    case ColLayer:
        return r.layer;
    case ColComponent:
        return r.component;
    case ColThreat:
        return r.threat;
    case ColSeverity:
        return static_cast<int>(r.severity);
    case ColMitigation:
        return r.mitigation;
    case ColStatus:
        return static_cast<int>(r.status);
    case ColOwner:
        return r.owner;
    case ColLinks:
        return r.links.join(QStringLiteral("; "));
    case ColDescription:
        return r.description;
    }
    return {};
}

std::optional<QVariant> ThreatMatrixModel::normalized(int column, const QVariant& value)
{
    bool isInt = false;
    const int n = value.toInt(&isInt);
    const QString text = value.toString().trimmed();
    switch (column) {
    case ColLayer: {
        const int layer = isInt ? n : text.section(u' ', 0, 0).toInt(&isInt);
        if (!isInt || layer < 1 || layer > 7)
            return std::nullopt;
        return QVariant(layer);
    }
    case ColSeverity: {
        if (isInt && value.typeId() != QMetaType::QString)
            return n >= 0 && n <= 3 ? std::optional<QVariant>(n) : std::nullopt;
        for (int s = 0; s <= 3; ++s)
            if (text.compare(threatSeverityText(static_cast<ThreatSeverityLevel>(s)), Qt::CaseInsensitive) == 0)
                return QVariant(s);
        if (text.compare(u"MEDIUM", Qt::CaseInsensitive) == 0)
            return QVariant(1);
        if (isInt && n >= 0 && n <= 3)
            return QVariant(n);
        return std::nullopt;
    }
    case ColStatus: {
        if (isInt && value.typeId() != QMetaType::QString)
            return n >= 0 && n <= 3 ? std::optional<QVariant>(n) : std::nullopt;
        for (int s = 0; s <= 3; ++s) {
            const auto st = static_cast<ThreatRowStatus>(s);
            if (text.compare(threatStatusText(st), Qt::CaseInsensitive) == 0 ||
                text.compare(threatStatusLabel(st), Qt::CaseInsensitive) == 0)
                return QVariant(s);
        }
        if (isInt && n >= 0 && n <= 3)
            return QVariant(n);
        return std::nullopt;
    }
    case ColLinks: {
        const QStringList parts = value.typeId() == QMetaType::QStringList
                                      ? value.toStringList()
                                      : text.split(QRegularExpression(QStringLiteral("[;,\\s]+")), Qt::SkipEmptyParts);
        QStringList links;
        for (const QString& p : parts)
            if (!p.trimmed().isEmpty() && !links.contains(p.trimmed()))
                links.push_back(p.trimmed());
        return QVariant(links.join(QStringLiteral("; ")));
    }
    case ColComponent:
    case ColThreat:
    case ColOwner:
        return QVariant(oneLine(value.toString()));
    case ColMitigation:
    case ColDescription:
        return QVariant(value.toString());
    }
    return std::nullopt;
}

bool ThreatMatrixModel::applyCell(int row, int column, const QVariant& value)
{
    if (row < 0 || row >= m_matrix.rows.size())
        return false;
    const auto v = normalized(column, value);
    if (!v)
        return false;
    ThreatRowData& r = m_matrix.rows[row];
    switch (column) {
    case ColLayer:
        r.layer = v->toInt();
        break;
    case ColComponent:
        r.component = v->toString();
        break;
    case ColThreat:
        r.threat = v->toString();
        break;
    case ColSeverity:
        r.severity = static_cast<ThreatSeverityLevel>(v->toInt());
        break;
    case ColMitigation:
        r.mitigation = v->toString();
        break;
    case ColStatus:
        r.status = static_cast<ThreatRowStatus>(v->toInt());
        break;
    case ColOwner:
        r.owner = v->toString();
        break;
    case ColLinks:
        r.links = v->toString().split(QStringLiteral("; "), Qt::SkipEmptyParts);
        break;
    case ColDescription:
        r.description = v->toString();
        break;
    default:
        return false;
    }
    Q_EMIT dataChanged(index(row, 0), index(row, ColumnCount - 1));
    Q_EMIT matrixEdited();
    return true;
}

void ThreatMatrixModel::applyInsert(int at, const ThreatRowData& row)
{
    at = std::clamp(at, 0, static_cast<int>(m_matrix.rows.size()));
    beginInsertRows({}, at, at);
    m_matrix.rows.insert(at, row);
    m_counts.insert(at, -1);
    endInsertRows();
    Q_EMIT matrixEdited();
}

void ThreatMatrixModel::applyRemove(int row)
{
    if (row < 0 || row >= m_matrix.rows.size())
        return;
    beginRemoveRows({}, row, row);
    m_matrix.rows.removeAt(row);
    m_counts.removeAt(row);
    endRemoveRows();
    Q_EMIT matrixEdited();
}

void ThreatMatrixModel::applyMove(int from, int to)
{
    const int n = static_cast<int>(m_matrix.rows.size());
    if (from < 0 || from >= n || to < 0 || to >= n || from == to)
        return;
    // beginMoveRows takes the destination before which the row goes, in the old numbering.
    beginMoveRows({}, from, from, {}, to > from ? to + 1 : to);
    m_matrix.rows.move(from, to);
    m_counts.move(from, to);
    endMoveRows();
    Q_EMIT matrixEdited();
}

void ThreatMatrixModel::applyName(const QString& name)
{
    m_matrix.name = name;
    Q_EMIT headerEdited();
    Q_EMIT matrixEdited();
}

void ThreatMatrixModel::applyComponent(const QString& component)
{
    m_matrix.component = component;
    // Counts are per component: unknown until recounted.
    m_counts.fill(-1);
    if (!m_counts.isEmpty())
        Q_EMIT dataChanged(index(0, ColFindings), index(static_cast<int>(m_counts.size()) - 1, ColFindings));
    Q_EMIT headerEdited();
    Q_EMIT matrixEdited();
}

void ThreatMatrixModel::applyReplace(const ThreatMatrixData& matrix)
{
    const qint64 id = m_matrix.id;
    beginResetModel();
    m_matrix = matrix;
    m_matrix.id = id;
    m_counts = QVector<qint64>(matrix.rows.size(), -1);
    endResetModel();
    Q_EMIT headerEdited();
    Q_EMIT matrixEdited();
}

void ThreatMatrixModel::replaceMatrix(const ThreatMatrixData& matrix, const QString& text)
{
    if (matrix.rows == m_matrix.rows && matrix.name == m_matrix.name && matrix.component == m_matrix.component)
        return;
    if (m_undo)
        m_undo->push(new ReplaceCommand(this, m_matrix, matrix, text));
    else
        applyReplace(matrix);
}

ThreatRowData ThreatMatrixModel::newRow() const
{
    ThreatRowData r;
    r.layer = 1;
    r.component = m_matrix.component.isEmpty() ? tr("component") : m_matrix.component;
    r.threat = tr("New threat");
    return r;
}

void ThreatMatrixModel::insertThreatRow(int at, const ThreatRowData& row)
{
    at = std::clamp(at, 0, static_cast<int>(m_matrix.rows.size()));
    if (m_undo)
        m_undo->push(new InsertRowCommand(this, at, row, true));
    else
        applyInsert(at, row);
}

void ThreatMatrixModel::removeThreatRow(int row)
{
    if (row < 0 || row >= m_matrix.rows.size())
        return;
    if (m_undo)
        m_undo->push(new InsertRowCommand(this, row, m_matrix.rows[row], false));
    else
        applyRemove(row);
}

void ThreatMatrixModel::moveThreatRow(int from, int to)
{
    const int n = static_cast<int>(m_matrix.rows.size());
    if (from < 0 || from >= n || to < 0 || to >= n || from == to)
        return;
    if (m_undo)
        m_undo->push(new MoveRowCommand(this, from, to));
    else
        applyMove(from, to);
}

void ThreatMatrixModel::setMatrixName(const QString& name)
{
    const QString v = oneLine(name).trimmed();
    if (v == m_matrix.name)
        return;
    if (m_undo)
        m_undo->push(new HeaderCommand(this, true, m_matrix.name, v));
    else
        applyName(v);
}

void ThreatMatrixModel::setMatrixComponent(const QString& component)
{
    const QString v = oneLine(component).trimmed();
    if (v == m_matrix.component)
        return;
    if (m_undo)
        m_undo->push(new HeaderCommand(this, false, m_matrix.component, v));
    else
        applyComponent(v);
}

int ThreatMatrixModel::rowCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : static_cast<int>(m_matrix.rows.size());
}

void ThreatMatrixModel::relabelLayers()
{
    if (rowCount() > 0)
        Q_EMIT dataChanged(index(0, ColLayer), index(rowCount() - 1, ColLayer));
}

int ThreatMatrixModel::columnCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant ThreatMatrixModel::data(const QModelIndex& index, int role) const
{
    if (!index.isValid() || index.model() != this || index.row() >= m_matrix.rows.size())
        return {};
    const ThreatRowData& r = m_matrix.rows[index.row()];
    const int c = index.column();
    if (c == ColFindings) {
        const qint64 n = count(index.row());
        switch (role) {
        case Qt::DisplayRole:
            return r.links.isEmpty() ? tr("—") : n < 0 ? tr("…") : QString::number(n);
        case Qt::EditRole:
            return n;
        case Qt::TextAlignmentRole:
            return QVariant::fromValue(Qt::AlignRight | Qt::AlignVCenter);
        case Qt::ForegroundRole:
            return n > 0 ? QVariant(review::statusColor(QStringLiteral("fail"))) : QVariant();
        case Qt::FontRole:
            if (n > 0) {
                QFont f;
                f.setBold(true);
                return f;
            }
            return {};
        case Qt::ToolTipRole:
            return r.links.isEmpty() ? tr("No finding category or rule is linked to this threat.")
                                     : tr("%1 observed findings of %2%3")
                                           .arg(n < 0 ? tr("(counting)") : QString::number(n), r.links.join(QStringLiteral(", ")),
                                                m_matrix.component.isEmpty() ? QString() : tr(" by %1").arg(m_matrix.component));
        default:
            return {};
        }
    }
    if (role == Qt::DecorationRole || role == Qt::ToolTipRole) {
        // A cell that keeps the matrix from being saved says so, before anything else.
        if (const QString problem = issueText(index.row(), c); !problem.isEmpty())
            return role == Qt::DecorationRole ? QVariant(review::conflictIcon())
                                              : QVariant(tr("Not saved until fixed: %1").arg(problem));
    }
    switch (role) {
    case Qt::DisplayRole:
        switch (c) {
        case ColLayer:
            return layerLabel(r.layer);
        case ColSeverity:
            return threatSeverityText(r.severity);
        case ColStatus:
            return threatStatusLabel(r.status);
        default:
            return rawValue(r, c);
        }
    case Qt::EditRole:
        return rawValue(r, c);
    case Qt::ToolTipRole:
        if (c == ColMitigation || c == ColDescription || c == ColThreat)
            return rawValue(r, c);
        if (c == ColLinks)
            return tr("Finding categories (pii) or rule ids (pii.email) whose findings count against this threat; "
                      "'rejected' counts rejected lines. Separate with ';'.");
        return {};
    case Qt::ForegroundRole:
        if (c == ColSeverity)
            return Theme::instance().findingSeverityColor(static_cast<int>(r.severity));
        if (c == ColStatus && r.status == ThreatRowStatus::Open)
            return review::statusColor(QStringLiteral("conflict"));
        return {};
    case Qt::FontRole:
        if (c == ColSeverity) {
            QFont f;
            f.setBold(true);
            return f;
        }
        return {};
    default:
        return {};
    }
}

bool ThreatMatrixModel::setData(const QModelIndex& index, const QVariant& value, int role)
{
    if (role != Qt::EditRole || !index.isValid() || index.column() == ColFindings ||
        index.row() >= m_matrix.rows.size())
        return false;
    const auto v = normalized(index.column(), value);
    if (!v)
        return false;
    const QVariant before = rawValue(m_matrix.rows[index.row()], index.column());
    if (before == *v)
        return false;
    if (m_undo) {
        m_undo->push(new SetCellCommand(this, index.row(), index.column(), before, *v));
        return true;
    }
    return applyCell(index.row(), index.column(), *v);
}

Qt::ItemFlags ThreatMatrixModel::flags(const QModelIndex& index) const
{
    if (!index.isValid())
        return Qt::NoItemFlags;
    const Qt::ItemFlags base = Qt::ItemIsEnabled | Qt::ItemIsSelectable;
    return index.column() == ColFindings ? base : base | Qt::ItemIsEditable;
}

QVariant ThreatMatrixModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation == Qt::Vertical)
        return role == Qt::DisplayRole ? QVariant(section + 1) : QVariant();
    if (role == Qt::ToolTipRole && section == ColFindings)
        return tr("Observed findings linked to the row, counted live");
    if (role != Qt::DisplayRole)
        return {};
    switch (section) {
    case ColLayer:
        return tr("Layer");
    case ColComponent:
        return tr("Component");
    case ColThreat:
        return tr("Threat");
    case ColSeverity:
        return tr("Sev");
    case ColMitigation:
        return tr("Mitigation");
    case ColStatus:
        return tr("Status");
    case ColOwner:
        return tr("Owner");
    case ColLinks:
        return tr("Links");
    case ColFindings:
        return tr("Findings");
    case ColDescription:
        return tr("Description");
    }
    return {};
}

} // namespace vigil::ui
