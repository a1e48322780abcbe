// SPDX-License-Identifier: Apache-2.0
#include "common/eventdetailpane.h"

#include "bridge/enginebridge.h"
#include "common/eventcolumns.h"
#include "mute/mutedialog.h"
#include "theme.h"

#include <QAction>
#include <QFontDatabase>
#include <QMenu>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSplitter>
#include <QTextBlock>
#include <QTreeWidget>
#include <QVBoxLayout>

namespace vigil::ui {

EventDetailPane::EventDetailPane(EngineBridge& bridge, QWidget* parent)
    : QWidget(parent), m_bridge(bridge)
{
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    auto* header = new QHBoxLayout;
    m_title = new QLabel(tr("Select an event to see its details."), this);
    m_title->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_title->setWordWrap(true);
    m_redactions = new QLabel(this);
    m_redactions->setProperty("role", QStringLiteral("muted"));
    m_reveal = new QPushButton(tr("Reveal"), this);
    m_reveal->setObjectName(QStringLiteral("revealButton"));
    m_reveal->setToolTip(tr("Show the redacted personal data and secrets of this event. "
                            "Recorded in the audit trail with your user name."));
    m_reveal->setVisible(false);
    connect(m_reveal, &QPushButton::clicked, this, &EventDetailPane::reveal);
    header->addWidget(m_title, 1);
    header->addWidget(m_redactions);
    header->addWidget(m_reveal);
    layout->addLayout(header);

    auto* split = new QSplitter(Qt::Vertical, this);
    m_json = new QPlainTextEdit(split);
    m_json->setObjectName(QStringLiteral("eventJson"));
    m_json->setReadOnly(true);
    m_json->setLineWrapMode(QPlainTextEdit::WidgetWidth);
    m_json->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    m_findings = new QTreeWidget(split);
    m_findings->setObjectName(QStringLiteral("eventFindings"));
    m_findings->setRootIsDecorated(false);
    m_findings->setHeaderLabels({tr("Rule"), tr("Category"), tr("Severity"), tr("Layer"), tr("Field"),
                                 tr("Message")});
    m_findings->header()->setStretchLastSection(true);
    m_findings->setContextMenuPolicy(Qt::CustomContextMenu);
    // Ctrl+M while the findings list has focus (the incident table has its own).
    m_muteAction = new QAction(tr("Mute Findings Like This…"), m_findings);
    m_muteAction->setObjectName(QStringLiteral("muteFindingAction"));
    m_muteAction->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_M));
    m_muteAction->setShortcutContext(Qt::WidgetShortcut);
    m_findings->addAction(m_muteAction);
    connect(m_muteAction, &QAction::triggered, this, &EventDetailPane::muteCurrentFinding);
    connect(m_findings, &QWidget::customContextMenuRequested, this, [this](const QPoint& pos) {
        if (!m_findings->itemAt(pos))
            return;
        QMenu menu(this);
        menu.addAction(m_muteAction);
        menu.exec(m_findings->viewport()->mapToGlobal(pos));
    });
    split->setStretchFactor(0, 3);
    split->setStretchFactor(1, 1);
    layout->addWidget(split, 1);

    connect(&m_bridge, &EngineBridge::eventDetailReady, this, &EventDetailPane::onDetail);
    connect(&Theme::instance(), &Theme::changed, this, [this] { applyHighlights(); });
    // Which findings are muted changed: show them again (a revealed event stays as it is).
    connect(&m_bridge, &EngineBridge::muteRulesChanged, this, [this] {
        if (m_rowId && m_token == 0 && !m_detail.revealed) {
            m_token = m_bridge.loadEventDetail(m_rowId);
        }
    });
}

void EventDetailPane::setEvent(qint64 rowId)
{
    if (rowId == m_rowId && m_token == 0 && m_detail.found && !m_detail.json.isEmpty())
        return;
    m_bridge.cancel(m_token);
    m_rowId = rowId;
    m_token = m_bridge.loadEventDetail(rowId);
}

void EventDetailPane::clear()
{
    m_bridge.cancel(m_token);
    m_token = 0;
    m_rowId = 0;
    m_detail = EventDetail{};
    m_title->setText(tr("Select an event to see its details."));
    m_redactions->clear();
    m_reveal->setVisible(false);
    m_json->clear();
    m_findings->clear();
}

void EventDetailPane::reveal()
{
    if (m_rowId == 0 || m_detail.revealed)
        return;
    m_bridge.cancel(m_token);
    m_token = m_bridge.revealEventDetail(m_rowId);
}

QString EventDetailPane::jsonText() const
{
    return m_json->toPlainText();
}

void EventDetailPane::onDetail(quint64 token, const EventDetail& detail)
{
    if (token != m_token)
        return;
    m_token = 0;
    m_detail = detail;
    if (!detail.found) {
        m_title->setText(tr("This event is no longer in the database."));
        m_json->clear();
        m_findings->clear();
        m_reveal->setVisible(false);
        m_redactions->clear();
        return;
    }
    const EventSummary& s = detail.summary;
    m_title->setText(QStringLiteral("<b>%1</b> · %2 · %3 · %4")
                         .arg(s.eventType.toHtmlEscaped(), s.agent.toHtmlEscaped(),
                              formatTimestamp(s.timestampMs), severityName(s.severity)));
    if (detail.revealed)
        m_redactions->setText(tr("Revealed (recorded in the audit trail)"));
    else if (detail.redactions > 0)
        m_redactions->setText(tr("%n value(s) redacted", nullptr, detail.redactions));
    else
        m_redactions->clear();
    m_reveal->setVisible(!detail.revealed && detail.redactions > 0);
    m_json->setPlainText(detail.json);
    applyHighlights();
    m_findings->clear();
    for (const FindingInfo& f : detail.findings) {
        auto* item = new QTreeWidgetItem(m_findings);
        item->setText(0, f.rule);
        item->setText(1, f.category);
        item->setText(2, findingSeverityName(f.severity));
        item->setForeground(2, Theme::instance().findingSeverityColor(f.severity));
        item->setText(3, maestroLayerNames().value(f.layer - 1, QString::number(f.layer)));
        item->setText(4, f.field);
        item->setText(5, f.muted ? tr("%1 (muted)").arg(f.message) : f.message);
        item->setToolTip(5, f.muted ? tr("Muted by a suppression rule: it leaves incident counts and alerts")
                                    : f.message);
        if (f.muted)
            for (int c = 0; c < 6; ++c)
                item->setForeground(c, palette().color(QPalette::Disabled, QPalette::Text));
    }
    if (m_findings->topLevelItemCount() > 0 && !m_findings->currentItem())
        m_findings->setCurrentItem(m_findings->topLevelItem(0), 0, QItemSelectionModel::NoUpdate);
    for (int c = 0; c < 5; ++c)
        m_findings->resizeColumnToContents(c);
    Q_EMIT detailShown(m_rowId);
}

void EventDetailPane::muteCurrentFinding()
{
    const int row = m_findings->currentItem() ? m_findings->indexOfTopLevelItem(m_findings->currentItem()) : -1;
    if (row < 0 || row >= m_detail.findings.size())
        return;
    const FindingInfo& f = m_detail.findings[row];
    MuteRuleData prefill;
    prefill.rule = f.rule;
    prefill.agent = m_detail.summary.agent;
    prefill.field = f.field;
    MuteDialog::ask(this, m_bridge, prefill, true);
}

void EventDetailPane::applyHighlights()
{
    QList<QTextEdit::ExtraSelection> selections;
    QTextDocument* doc = m_json->document();
    for (const Highlight& h : std::as_const(m_detail.highlights)) {
        QTextEdit::ExtraSelection sel;
        sel.cursor = QTextCursor(doc);
        sel.cursor.setPosition(h.start);
        sel.cursor.setPosition(h.start + h.length, QTextCursor::KeepAnchor);
        sel.format.setBackground(Theme::instance().highlightColor(h.severity));
        sel.format.setToolTip(h.category);
        if (h.redacted)
            sel.format.setFontWeight(QFont::Bold);
        selections.push_back(sel);
    }
    m_json->setExtraSelections(selections);
}

} // namespace vigil::ui
