// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "bridge/bridgetypes.h"

#include <QDialog>

class QCheckBox;
class QComboBox;
class QDateTimeEdit;
class QDialogButtonBox;
class QLabel;
class QLineEdit;
class QPushButton;
class QTreeWidget;

namespace vigil::ui {

class EngineBridge;

/// "Mute findings like this…": a small form prefilled with the rule, agent and field of an
/// incident or a finding. Each criterion can be switched off, a glob over the matched text
/// added; a reason is required and an expiry offered (30 days unless changed). Mute stays
/// disabled until there is a reason and at least one criterion: the app never creates a
/// rule that mutes everything.
class MuteDialog : public QDialog
{
    Q_OBJECT

public:
    /// `prefill`: the criteria to offer; `useField` checks the field's box (a finding's).
    explicit MuteDialog(const MuteRuleData& prefill, bool useField, QWidget* parent = nullptr);

    /// The rule as entered (criteria switched off are empty; expiresMs 0 for never).
    MuteRuleData rule() const;
    /// Why Mute is disabled, empty when it is enabled.
    QString problem() const;

    /// Opens the dialog (window-modal, without a nested event loop) and, on Mute, stores the
    /// rule through `bridge`; a refusal from the store is shown in a message box.
    static MuteDialog* ask(QWidget* parent, EngineBridge& bridge, const MuteRuleData& prefill,
                           bool useField);

private:
    void update();

    QCheckBox* m_useRule;
    QLineEdit* m_rule;
    QCheckBox* m_useAgent;
    QLineEdit* m_agent;
    QCheckBox* m_useField;
    QLineEdit* m_field;
    QLineEdit* m_pattern;
    QLineEdit* m_reason;
    QComboBox* m_expiry;
    QDateTimeEdit* m_until;
    QLabel* m_problem;
    QDialogButtonBox* m_buttons;
};

/// The mute rules of the database, removed ones too on request, with status, criteria,
/// reason, author, expiry and the findings each matches; Remove asks why and removes the
/// selected rule through the bridge (it stays in the history).
class MuteRulesDialog : public QDialog
{
    Q_OBJECT

public:
    explicit MuteRulesDialog(EngineBridge& bridge, QWidget* parent = nullptr);

    QTreeWidget* list() const { return m_list; }
    void reload();
    /// Removes the rule `id` with `reason` (what the Remove button does after asking).
    void removeRule(qint64 id, const QString& reason);

Q_SIGNALS:
    void rulesLoaded();

private:
    void showRules(const QVector<MuteRuleData>& rules);

    EngineBridge& m_bridge;
    QTreeWidget* m_list;
    QCheckBox* m_showRemoved;
    QPushButton* m_remove;
    QLabel* m_summary;
    QVector<MuteRuleData> m_rules;
    quint64 m_token = 0;
};

/// "rule pii.email, agent planner" (or "all findings"): a rule's criteria in one line.
QString muteCriteriaText(const MuteRuleData& rule);

} // namespace vigil::ui
