// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "bridge/bridgetypes.h"

#include <QObject>

#include <functional>

class QMenu;
class QModelIndex;
class QTableView;

namespace vigil::ui {

class EventFilterBar;

/// The context menu of an event table (Live, Events): narrow the list to the clicked row's
/// agent, thread or event type, clear the filters, open the thread in the Events view, copy
/// the cell or the row. Installed on the table; the menu opens on a right click or the menu
/// key, for the row under the pointer (or the current one).
class EventTableMenu : public QObject
{
    Q_OBJECT

public:
    /// `openEvents`, when set, adds "Open this thread in the Events view".
    EventTableMenu(QTableView* table, EventFilterBar* filters,
                   std::function<void(const EventQuery&)> openEvents = {});

    /// The menu for `index` (the caller owns it); public so that tests can trigger actions.
    QMenu* menuFor(const QModelIndex& index) const;

private:
    void narrow(void (*set)(EventQuery&, const QString&), const QString& value) const;

    QTableView* m_table;
    EventFilterBar* m_filters;
    std::function<void(const EventQuery&)> m_openEvents;
};

} // namespace vigil::ui
