// SPDX-License-Identifier: Apache-2.0
#include "common/eventfilterbar.h"

#include <QComboBox>
#include <QDateTime>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QTimer>
#include <QToolButton>

namespace vigil::ui {

EventFilterBar::EventFilterBar(QWidget* parent) : QWidget(parent)
{
    auto* layout = new QHBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    m_text = new QLineEdit(this);
    m_text->setObjectName(QStringLiteral("searchBox"));
    m_text->setPlaceholderText(tr("Search event details (Ctrl+F)"));
    m_text->setClearButtonEnabled(true);
    m_severity = new QComboBox(this);
    m_severity->setObjectName(QStringLiteral("severityFilter"));
    m_severity->addItem(tr("Any severity"), -1);
    m_severity->addItem(tr("Warning and above"), 1);
    m_severity->addItem(tr("Error and above"), 2);
    m_severity->addItem(tr("Critical"), 3);
    m_agent = new QComboBox(this);
    m_agent->setObjectName(QStringLiteral("agentFilter"));
    m_agent->addItem(tr("All agents"), QString());
    m_type = new QComboBox(this);
    m_type->setObjectName(QStringLiteral("typeFilter"));
    m_type->addItem(tr("All event types"), QString());
    m_category = new QComboBox(this);
    m_category->setObjectName(QStringLiteral("categoryFilter"));
    m_category->addItem(tr("Any findings or none"), 0u);
    m_category->addItem(tr("With any finding"), 0xFFFFFFFFu);
    for (int b = 0; b < categoryNames().size(); ++b)
        m_category->addItem(categoryNames().at(b), 1u << b);
    for (QComboBox* box : {m_severity, m_agent, m_type, m_category}) {
        box->setSizeAdjustPolicy(QComboBox::AdjustToContents);
        connect(box, &QComboBox::activated, this, [this] { Q_EMIT queryChanged(); });
    }
    m_debounce = new QTimer(this);
    m_debounce->setSingleShot(true);
    m_debounce->setInterval(300);
    connect(m_debounce, &QTimer::timeout, this, &EventFilterBar::queryChanged);
    connect(m_text, &QLineEdit::textEdited, m_debounce, qOverload<>(&QTimer::start));
    connect(m_text, &QLineEdit::returnPressed, this, [this] {
        m_debounce->stop();
        Q_EMIT queryChanged();
    });
    auto* clear = new QToolButton(this);
    clear->setText(tr("Reset"));
    clear->setToolTip(tr("Clear every filter"));
    connect(clear, &QToolButton::clicked, this, [this] {
        setQuery(EventQuery{});
        Q_EMIT queryChanged();
    });
    m_scope = new QToolButton(this);
    m_scope->setObjectName(QStringLiteral("scopeChip"));
    m_scope->setToolTip(tr("Filter set from another view; click to remove it"));
    m_scope->setVisible(false);
    connect(m_scope, &QToolButton::clicked, this, [this] {
        m_hidden = EventQuery{};
        showScope();
        Q_EMIT queryChanged();
    });
    layout->addWidget(m_scope);
    layout->addWidget(m_text, 3);
    layout->addWidget(m_severity);
    layout->addWidget(m_agent);
    layout->addWidget(m_type);
    layout->addWidget(m_category);
    layout->addWidget(clear);
}

EventQuery EventFilterBar::query() const
{
    EventQuery q = m_hidden;
    q.text = m_text->text();
    q.minSeverity = m_severity->currentData().toInt();
    q.agent = m_agent->currentData().toString();
    q.eventType = m_type->currentData().toString();
    q.findingMask = m_category->currentData().toUInt();
    return q;
}

void EventFilterBar::setComboText(QComboBox* box, const QString& text)
{
    if (text.isEmpty()) {
        box->setCurrentIndex(0);
        return;
    }
    int i = box->findData(text);
    if (i < 0) {
        box->addItem(text, text);
        i = box->count() - 1;
    }
    box->setCurrentIndex(i);
}

void EventFilterBar::setQuery(const EventQuery& query)
{
    m_hidden = EventQuery{};
    m_hidden.threadId = query.threadId;
    m_hidden.fromMs = query.fromMs;
    m_hidden.toMs = query.toMs;
    m_hidden.ascending = query.ascending;
    showScope();
    m_text->setText(query.text);
    m_severity->setCurrentIndex(std::max(0, m_severity->findData(query.minSeverity)));
    setComboText(m_agent, query.agent);
    setComboText(m_type, query.eventType);
    int c = m_category->findData(query.findingMask);
    if (c < 0) {
        m_category->addItem(tr("Selected categories"), query.findingMask);
        c = m_category->count() - 1;
    }
    m_category->setCurrentIndex(c);
}

void EventFilterBar::showScope()
{
    QStringList parts;
    if (!m_hidden.threadId.isEmpty())
        parts << tr("thread %1").arg(m_hidden.threadId);
    if (m_hidden.fromMs > 0 || m_hidden.toMs > 0) {
        const auto fmt = [](qint64 ms) {
            return ms > 0 ? QDateTime::fromMSecsSinceEpoch(ms).toString(QStringLiteral("MM-dd HH:mm"))
                          : QStringLiteral("…");
        };
        parts << tr("%1 – %2").arg(fmt(m_hidden.fromMs), fmt(m_hidden.toMs));
    }
    m_scope->setText(parts.join(QStringLiteral(", ")) + QStringLiteral("  ✕"));
    m_scope->setVisible(!parts.isEmpty());
}

void EventFilterBar::setVocabulary(const QStringList& agents, const QStringList& eventTypes)
{
    for (auto [box, values] : {std::pair{m_agent, &agents}, std::pair{m_type, &eventTypes}}) {
        const QString current = box->currentData().toString();
        for (const QString& v : *values)
            if (box->findData(v) < 0)
                box->addItem(v, v);
        setComboText(box, current);
    }
}

} // namespace vigil::ui
