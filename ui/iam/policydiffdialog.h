// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "bridge/iamtypes.h"

#include <QDialog>

class QLabel;
class QPushButton;
class QTreeWidget;

namespace vigil::ui {

/// Shows what replacing the IAM policy file changes before it is applied: agents, roles and
/// statements added, removed or changed, and every map entry whose decision changes under
/// the observed use. Accepting the dialog means "apply".
class PolicyDiffDialog : public QDialog
{
    Q_OBJECT

public:
    PolicyDiffDialog(const IamPolicyDiff& diff, QWidget* parent = nullptr);

    const IamPolicyDiff& diff() const { return m_diff; }
    QTreeWidget* tree() const { return m_tree; }
    QPushButton* applyButton() const { return m_apply; }
    /// Every line of the tree, depth first ("Agents added (1)", "  formatter: role ..."),
    /// for tests and the clipboard.
    QStringList lines() const;

private:
    IamPolicyDiff m_diff;
    QLabel* m_summary;
    QTreeWidget* m_tree;
    QPushButton* m_apply;
};

} // namespace vigil::ui
