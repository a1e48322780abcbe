// SPDX-License-Identifier: Apache-2.0
#include "common/eventtablemenu.h"

#include "common/eventcolumns.h"
#include "common/eventfilterbar.h"

#include <QApplication>
#include <QClipboard>
#include <QMenu>
#include <QTableView>

namespace vigil::ui {

EventTableMenu::EventTableMenu(QTableView* table, EventFilterBar* filters,
                               std::function<void(const EventQuery&)> openEvents)
    : QObject(table), m_table(table), m_filters(filters), m_openEvents(std::move(openEvents))
{
    table->setContextMenuPolicy(Qt::CustomContextMenu);
    connect(table, &QWidget::customContextMenuRequested, this, [this](const QPoint& pos) {
        QModelIndex index = m_table->indexAt(pos);
        if (!index.isValid())
            index = m_table->currentIndex();
        QMenu* menu = menuFor(index);
        menu->setAttribute(Qt::WA_DeleteOnClose);
        menu->popup(m_table->viewport()->mapToGlobal(pos));
    });
}

void EventTableMenu::narrow(void (*set)(EventQuery&, const QString&), const QString& value) const
{
    EventQuery q = m_filters->query();
    set(q, value);
    m_filters->setQuery(q);
    Q_EMIT m_filters->queryChanged();
}

QMenu* EventTableMenu::menuFor(const QModelIndex& index) const
{
    auto* menu = new QMenu(m_table);
    menu->setObjectName(QStringLiteral("eventTableMenu"));
    const QAbstractItemModel* model = m_table->model();
    auto text = [&](int column) {
        return index.isValid() ? model->index(index.row(), column).data().toString() : QString();
    };
    const QString agent = text(ColAgent);
    const QString thread = text(ColThread);
    const QString type = text(ColType);
    if (!agent.isEmpty())
        menu->addAction(tr("Only Agent “%1”").arg(agent), this, [this, agent] {
            narrow([](EventQuery& q, const QString& v) { q.agent = v; }, agent);
        });
    if (!thread.isEmpty())
        menu->addAction(tr("Only Thread “%1”").arg(thread), this, [this, thread] {
            narrow([](EventQuery& q, const QString& v) { q.threadId = v; }, thread);
        });
    if (!type.isEmpty())
        menu->addAction(tr("Only Event Type “%1”").arg(type), this, [this, type] {
            narrow([](EventQuery& q, const QString& v) { q.eventType = v; }, type);
        });
    if (m_filters->query() != EventQuery{})
        menu->addAction(tr("Clear Filters"), this, [this] {
            m_filters->setQuery(EventQuery{});
            Q_EMIT m_filters->queryChanged();
        });
    if (m_openEvents && !thread.isEmpty()) {
        menu->addSeparator();
        menu->addAction(tr("Open Thread “%1” in Events").arg(thread), this, [this, thread] {
            EventQuery q;
            q.threadId = thread;
            q.ascending = true;
            m_openEvents(q);
        });
    }
    if (index.isValid()) {
        menu->addSeparator();
        const QString cell = index.data().toString();
        menu->addAction(tr("Copy Value"), this, [cell] { QApplication::clipboard()->setText(cell); });
        menu->addAction(tr("Copy Row"), this, [model, row = index.row()] {
            QStringList cells;
            for (int c = 0; c < model->columnCount(); ++c)
                cells << model->index(row, c).data().toString();
            QApplication::clipboard()->setText(cells.join(u'\t'));
        });
    }
    for (QAction* a : menu->actions())
        a->setObjectName(a->text());
    return menu;
}

} // namespace vigil::ui
