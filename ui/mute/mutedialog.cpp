// SPDX-License-Identifier: Apache-2.0
#include "mute/mutedialog.h"

#include "bridge/enginebridge.h"
#include "common/eventcolumns.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDateTime>
#include <QDateTimeEdit>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QInputDialog>
#include <QLabel>
#include <QLineEdit>
#include <QMessageBox>
#include <QPointer>
#include <QPushButton>
#include <QTreeWidget>
#include <QVBoxLayout>

namespace vigil::ui {
namespace {

constexpr qint64 kDayMs = 86'400'000;

/// A criterion: a check box in the label column and its value beside it.
QLineEdit* criterionRow(QFormLayout* form, QCheckBox* check, const QString& value,
                        const QString& objectName, QWidget* parent)
{
    auto* edit = new QLineEdit(value, parent);
    edit->setObjectName(objectName);
    form->addRow(check, edit);
    QObject::connect(check, &QCheckBox::toggled, edit, &QWidget::setEnabled);
    return edit;
}

} // namespace

QString muteCriteriaText(const MuteRuleData& r)
{
    QStringList parts;
    if (!r.rule.isEmpty())
        parts << QObject::tr("rule %1").arg(r.rule);
    if (!r.agent.isEmpty())
        parts << QObject::tr("agent %1").arg(r.agent);
    if (!r.field.isEmpty())
        parts << QObject::tr("field %1").arg(r.field);
    if (!r.pattern.isEmpty())
        parts << QObject::tr("text matching %1").arg(r.pattern);
    return parts.isEmpty() ? QObject::tr("all findings") : parts.join(QStringLiteral(", "));
}

MuteDialog::MuteDialog(const MuteRuleData& prefill, bool useField, QWidget* parent)
    : QDialog(parent)
{
    setObjectName(QStringLiteral("muteDialog"));
    setWindowTitle(tr("Mute Findings Like This"));
    auto* layout = new QVBoxLayout(this);
    auto* intro = new QLabel(tr("Findings that match every checked criterion are muted: they stay "
                                "stored and listed, but leave incident counts and alerts until the "
                                "rule expires or is removed."),
                             this);
    intro->setWordWrap(true);
    layout->addWidget(intro);

    auto* form = new QFormLayout;
    m_useRule = new QCheckBox(tr("Rule"), this);
    m_useRule->setObjectName(QStringLiteral("muteUseRule"));
    m_rule = criterionRow(form, m_useRule, prefill.rule, QStringLiteral("muteRule"), this);
    m_useAgent = new QCheckBox(tr("Agent"), this);
    m_useAgent->setObjectName(QStringLiteral("muteUseAgent"));
    m_agent = criterionRow(form, m_useAgent, prefill.agent, QStringLiteral("muteAgent"), this);
    m_useField = new QCheckBox(tr("Field"), this);
    m_useField->setObjectName(QStringLiteral("muteUseField"));
    m_field = criterionRow(form, m_useField, prefill.field, QStringLiteral("muteField"), this);
    m_pattern = new QLineEdit(prefill.pattern, this);
    m_pattern->setObjectName(QStringLiteral("mutePattern"));
    m_pattern->setPlaceholderText(tr("any text; e.g. *@test.example.com"));
    m_pattern->setToolTip(
        tr("A glob over the matched text: * any run, ? one character, \\ makes the "
           "next one literal. It must cover the whole text: *word* for a substring."));
    m_pattern->setMaxLength(256);
    form->addRow(tr("Matched text"), m_pattern);
    m_reason = new QLineEdit(prefill.reason, this);
    m_reason->setObjectName(QStringLiteral("muteReason"));
    m_reason->setPlaceholderText(tr("Required: why these findings are not a problem"));
    form->addRow(tr("Reason"), m_reason);
    auto* expiry = new QHBoxLayout;
    m_expiry = new QComboBox(this);
    m_expiry->setObjectName(QStringLiteral("muteExpiry"));
    m_expiry->addItem(tr("In 7 days"), 7);
    m_expiry->addItem(tr("In 30 days"), 30);
    m_expiry->addItem(tr("In 90 days"), 90);
    m_expiry->addItem(tr("On…"), -1);
    m_expiry->addItem(tr("Never"), 0);
    m_expiry->setCurrentIndex(1);
    m_until = new QDateTimeEdit(QDateTime::currentDateTime().addDays(30), this);
    m_until->setObjectName(QStringLiteral("muteUntil"));
    m_until->setCalendarPopup(true);
    m_until->setMinimumDateTime(QDateTime::currentDateTime());
    m_until->setDisplayFormat(QStringLiteral("yyyy-MM-dd HH:mm"));
    m_until->setEnabled(false);
    expiry->addWidget(m_expiry);
    expiry->addWidget(m_until, 1);
    form->addRow(tr("Expires"), expiry);
    layout->addLayout(form);

    m_problem = new QLabel(this);
    m_problem->setObjectName(QStringLiteral("muteProblem"));
    m_problem->setProperty("role", QStringLiteral("muted"));
    layout->addWidget(m_problem);
    m_buttons = new QDialogButtonBox(QDialogButtonBox::Cancel, this);
    QPushButton* mute = m_buttons->addButton(tr("Mute"), QDialogButtonBox::AcceptRole);
    mute->setObjectName(QStringLiteral("muteAccept"));
    layout->addWidget(m_buttons);
    connect(m_buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(m_buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);

    m_useRule->setChecked(!prefill.rule.isEmpty());
    m_useAgent->setChecked(!prefill.agent.isEmpty());
    m_useField->setChecked(useField && !prefill.field.isEmpty());
    m_rule->setEnabled(m_useRule->isChecked());
    m_agent->setEnabled(m_useAgent->isChecked());
    m_field->setEnabled(m_useField->isChecked());
    for (QCheckBox* box : {m_useRule, m_useAgent, m_useField})
        connect(box, &QCheckBox::toggled, this, &MuteDialog::update);
    for (QLineEdit* edit : {m_rule, m_agent, m_field, m_pattern, m_reason})
        connect(edit, &QLineEdit::textChanged, this, &MuteDialog::update);
    connect(m_expiry, &QComboBox::currentIndexChanged, this, [this] {
        m_until->setEnabled(m_expiry->currentData().toInt() < 0);
        update();
    });
    setMinimumWidth(520);
    update();
    m_reason->setFocus();
}

MuteRuleData MuteDialog::rule() const
{
    MuteRuleData r;
    if (m_useRule->isChecked())
        r.rule = m_rule->text().trimmed();
    if (m_useAgent->isChecked())
        r.agent = m_agent->text().trimmed();
    if (m_useField->isChecked())
        r.field = m_field->text().trimmed();
    r.pattern = m_pattern->text();
    r.reason = m_reason->text().trimmed();
    const int days = m_expiry->currentData().toInt();
    if (days > 0)
        r.expiresMs = QDateTime::currentMSecsSinceEpoch() + days * kDayMs;
    else if (days < 0)
        r.expiresMs = m_until->dateTime().toMSecsSinceEpoch();
    return r;
}

QString MuteDialog::problem() const
{
    const MuteRuleData r = rule();
    if (r.rule.isEmpty() && r.agent.isEmpty() && r.field.isEmpty() && r.pattern.isEmpty())
        return tr("Check at least one criterion: a rule without any would mute every finding.");
    if (r.reason.isEmpty())
        return tr("Give a reason: it is kept with the rule and shown in reports.");
    if (m_expiry->currentData().toInt() < 0 && r.expiresMs <= QDateTime::currentMSecsSinceEpoch())
        return tr("The expiry is already past.");
    return {};
}

void MuteDialog::update()
{
    const QString why = problem();
    m_problem->setText(why.isEmpty() ? tr("Mutes: %1").arg(muteCriteriaText(rule())) : why);
    if (QPushButton* mute = findChild<QPushButton*>(QStringLiteral("muteAccept")))
        mute->setEnabled(why.isEmpty());
}

MuteDialog* MuteDialog::ask(QWidget* parent, EngineBridge& bridge, const MuteRuleData& prefill,
                            bool useField)
{
    auto* dialog = new MuteDialog(prefill, useField, parent);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->setWindowModality(Qt::WindowModal);
    QPointer<QWidget> owner(parent);
    QObject::connect(dialog, &QDialog::accepted, &bridge, [&bridge, dialog, owner] {
        const quint64 token = bridge.addMuteRule(dialog->rule());
        if (!token)
            return;
        // One answer per request: the connection goes with it.
        auto conn = std::make_shared<QMetaObject::Connection>();
        *conn = QObject::connect(
            &bridge, &EngineBridge::muteRuleAdded, &bridge,
            [token, conn, owner](quint64 t, bool ok, qint64, const QString& message) {
                if (t != token)
                    return;
                QObject::disconnect(*conn);
                if (!ok && owner)
                    QMessageBox::warning(owner, QObject::tr("Mute Findings"),
                                         QObject::tr("The rule was not stored: %1").arg(message));
            });
    });
    dialog->open();
    return dialog;
}

MuteRulesDialog::MuteRulesDialog(EngineBridge& bridge, QWidget* parent)
    : QDialog(parent), m_bridge(bridge)
{
    setObjectName(QStringLiteral("muteRulesDialog"));
    setWindowTitle(tr("Suppression Rules"));
    auto* layout = new QVBoxLayout(this);
    m_summary = new QLabel(this);
    m_summary->setWordWrap(true);
    layout->addWidget(m_summary);
    m_list = new QTreeWidget(this);
    m_list->setObjectName(QStringLiteral("muteRuleList"));
    m_list->setRootIsDecorated(false);
    m_list->setHeaderLabels({tr("ID"), tr("Status"), tr("Mutes"), tr("Reason"), tr("Author"),
                             tr("Expires"), tr("Findings")});
    m_list->header()->setStretchLastSection(false);
    m_list->header()->setSectionResizeMode(2, QHeaderView::Stretch);
    m_list->header()->setSectionResizeMode(3, QHeaderView::Stretch);
    layout->addWidget(m_list, 1);
    auto* buttons = new QHBoxLayout;
    m_showRemoved = new QCheckBox(tr("Show removed rules"), this);
    m_showRemoved->setObjectName(QStringLiteral("muteShowRemoved"));
    m_remove = new QPushButton(tr("Remove Rule…"), this);
    m_remove->setObjectName(QStringLiteral("muteRemove"));
    m_remove->setEnabled(false);
    auto* close = new QPushButton(tr("Close"), this);
    buttons->addWidget(m_showRemoved);
    buttons->addStretch(1);
    buttons->addWidget(m_remove);
    buttons->addWidget(close);
    layout->addLayout(buttons);
    resize(900, 420);

    connect(close, &QPushButton::clicked, this, &QDialog::close);
    connect(m_showRemoved, &QCheckBox::toggled, this, [this] { showRules(m_rules); });
    connect(m_list, &QTreeWidget::currentItemChanged, this, [this](QTreeWidgetItem* item) {
        m_remove->setEnabled(item &&
                             item->data(1, Qt::UserRole).toString() != QStringLiteral("removed"));
    });
    connect(m_remove, &QPushButton::clicked, this, [this] {
        QTreeWidgetItem* item = m_list->currentItem();
        if (!item)
            return;
        const qint64 id = item->data(0, Qt::UserRole).toLongLong();
        // getText runs its own event loop; the bridge keeps working on its threads meanwhile.
        bool ok = false;
        const QString reason =
            QInputDialog::getText(this, tr("Remove Rule %1").arg(id),
                                  tr("Why does the rule go? Its findings count again at once."),
                                  QLineEdit::Normal, QString(), &ok);
        if (ok && !reason.trimmed().isEmpty())
            removeRule(id, reason);
    });
    connect(&m_bridge, &EngineBridge::muteRulesLoaded, this,
            [this](quint64 token, const QVector<MuteRuleData>& rules) {
                if (token != m_token)
                    return;
                m_token = 0;
                showRules(rules);
                Q_EMIT rulesLoaded();
            });
    connect(&m_bridge, &EngineBridge::muteRulesChanged, this, &MuteRulesDialog::reload);
    connect(&m_bridge, &EngineBridge::muteRuleRemoved, this,
            [this](quint64, bool ok, qint64 id, const QString& message) {
                if (!ok)
                    QMessageBox::warning(this, tr("Remove Rule"),
                                         tr("Rule %1 was not removed: %2").arg(id).arg(message));
            });
    reload();
}

void MuteRulesDialog::reload()
{
    m_bridge.cancel(m_token);
    m_token = m_bridge.loadMuteRules();
}

void MuteRulesDialog::removeRule(qint64 id, const QString& reason)
{
    m_bridge.removeMuteRule(id, reason);
}

void MuteRulesDialog::showRules(const QVector<MuteRuleData>& rules)
{
    m_rules = rules;
    const qint64 keep =
        m_list->currentItem() ? m_list->currentItem()->data(0, Qt::UserRole).toLongLong() : 0;
    m_list->clear();
    int active = 0;
    for (const MuteRuleData& r : rules) {
        active += r.status == QStringLiteral("active") ? 1 : 0;
        if (r.status == QStringLiteral("removed") && !m_showRemoved->isChecked())
            continue;
        auto* item = new QTreeWidgetItem(m_list);
        item->setText(0, QString::number(r.id));
        item->setData(0, Qt::UserRole, r.id);
        item->setText(1, r.status);
        item->setData(1, Qt::UserRole, r.status);
        item->setText(2, muteCriteriaText(r));
        item->setText(3, r.reason);
        item->setToolTip(3, r.reason);
        item->setText(4, r.author);
        item->setText(5, r.expiresMs ? QDateTime::fromMSecsSinceEpoch(r.expiresMs)
                                           .toString(QStringLiteral("yyyy-MM-dd HH:mm"))
                                     : tr("never"));
        item->setToolTip(5, r.expiresMs ? formatTimestamp(r.expiresMs) : QString());
        item->setText(6, QString::number(r.findings));
        item->setTextAlignment(6, Qt::AlignRight | Qt::AlignVCenter);
        if (r.status != QStringLiteral("active"))
            for (int c = 0; c < 7; ++c)
                item->setForeground(c, palette().color(QPalette::Disabled, QPalette::Text));
        if (r.id == keep)
            m_list->setCurrentItem(item);
    }
    for (int c : {0, 1, 4, 5, 6})
        m_list->resizeColumnToContents(c);
    m_summary->setText(
        rules.isEmpty()
            ? tr("No mute rules. Mute findings from the Incidents view or an event's "
                 "findings (right-click, or Ctrl+M).")
            : (active == 1 ? tr("1 rule in force.") : tr("%L1 rules in force.").arg(active)) +
                  QLatin1Char(' ') +
                  tr("Muted findings stay stored; they leave incident counts and alerts "
                     "while their rule is in force."));
}

} // namespace vigil::ui
