// SPDX-License-Identifier: Apache-2.0
#include "iam/policydiffdialog.h"

#include "iam/permissionmapmodel.h"

#include <QDialogButtonBox>
#include <QDir>
#include <QHeaderView>
#include <QLabel>
#include <QPushButton>
#include <QTreeWidget>
#include <QVBoxLayout>

namespace vigil::ui {
namespace {

QString stateText(int state)
{
    if (state < 0)
        return QObject::tr("(none)");
    const auto s = static_cast<IamCellState>(state);
    return PermissionMapModel::glyph(s) + u' ' + PermissionMapModel::label(s);
}

} // namespace

PolicyDiffDialog::PolicyDiffDialog(const IamPolicyDiff& diff, QWidget* parent) : QDialog(parent), m_diff(diff)
{
    setObjectName(QStringLiteral("iamPolicyDiff"));
    setWindowTitle(tr("Replace IAM policies"));
    auto* layout = new QVBoxLayout(this);
    m_summary = new QLabel(this);
    m_summary->setWordWrap(true);
    m_summary->setTextFormat(Qt::RichText);
    const QString from = diff.oldSource.isEmpty() ? tr("no policy file") : QDir::toNativeSeparators(diff.oldSource);
    QString summary = tr("<b>From</b> %1<br><b>To</b> %2").arg(from.toHtmlEscaped(),
                                                                QDir::toNativeSeparators(diff.newSource).toHtmlEscaped());
    summary += diff.isEmpty() ? tr("<p>The new file grants and denies exactly the same: nothing changes.</p>")
                              : tr("<p>%n map entry(s) change their decision under the observed use.</p>", nullptr,
                                   int(diff.cells.size()));
    m_summary->setText(summary);
    layout->addWidget(m_summary);

    m_tree = new QTreeWidget(this);
    m_tree->setObjectName(QStringLiteral("iamPolicyDiffTree"));
    m_tree->setHeaderLabels({tr("Change"), tr("Before"), tr("After")});
    m_tree->setRootIsDecorated(true);
    m_tree->setUniformRowHeights(true);
    m_tree->header()->setStretchLastSection(false);
    m_tree->header()->setSectionResizeMode(0, QHeaderView::Stretch);
    auto group = [this](const QString& title, const QStringList& items) {
        if (items.isEmpty())
            return;
        auto* top = new QTreeWidgetItem(m_tree, {title.arg(items.size())});
        for (const QString& i : items) {
            auto* item = new QTreeWidgetItem(top, {i});
            item->setToolTip(0, i);
        }
        top->setExpanded(true);
    };
    group(tr("Agents added (%1)"), diff.addedAgents);
    group(tr("Agents removed (%1)"), diff.removedAgents);
    group(tr("Agents changed (%1)"), diff.changedAgents);
    group(tr("Roles added (%1)"), diff.addedRoles);
    group(tr("Roles removed (%1)"), diff.removedRoles);
    group(tr("Statements added (%1)"), diff.addedStatements);
    group(tr("Statements removed (%1)"), diff.removedStatements);
    if (!diff.cells.isEmpty()) {
        auto* top = new QTreeWidgetItem(m_tree, {tr("Map entries whose decision changes (%1)").arg(diff.cells.size())});
        for (const IamCellChange& c : diff.cells) {
            const QString what = QStringLiteral("%1 · %2 · %3%4")
                                     .arg(c.agent, c.action, c.resource,
                                          c.fromPolicy ? QString() : tr(" (observed)"));
            auto* item = new QTreeWidgetItem(top, {what, stateText(c.oldState), stateText(c.newState)});
            item->setToolTip(0, what);
            item->setToolTip(1, c.oldStatement);
            item->setToolTip(2, c.newStatement);
        }
        top->setExpanded(true);
    }
    m_tree->resizeColumnToContents(1);
    m_tree->resizeColumnToContents(2);
    layout->addWidget(m_tree, 1);

    auto* note = new QLabel(tr("Applies to the permission map and its review. Findings of newly ingested events "
                               "keep using the policies Vigil started with (--policies)."),
                            this);
    note->setWordWrap(true);
    note->setProperty("role", QStringLiteral("muted"));
    layout->addWidget(note);

    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Cancel, this);
    m_apply = buttons->addButton(tr("&Apply"), QDialogButtonBox::AcceptRole);
    m_apply->setObjectName(QStringLiteral("iamApplyPolicies"));
    m_apply->setDefault(true);
    connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    layout->addWidget(buttons);
    resize(760, 520);
}

QStringList PolicyDiffDialog::lines() const
{
    QStringList out;
    for (int i = 0; i < m_tree->topLevelItemCount(); ++i) {
        const QTreeWidgetItem* top = m_tree->topLevelItem(i);
        out << top->text(0);
        for (int c = 0; c < top->childCount(); ++c) {
            const QTreeWidgetItem* item = top->child(c);
            QString line = QStringLiteral("  ") + item->text(0);
            if (!item->text(1).isEmpty() || !item->text(2).isEmpty())
                line += QStringLiteral(": %1 → %2").arg(item->text(1), item->text(2));
            out << line;
        }
    }
    return out;
}

} // namespace vigil::ui
