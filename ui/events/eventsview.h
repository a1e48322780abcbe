// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "bridge/bridgetypes.h"
#include "viewpage.h"

#include <QWidget>

class QLabel;
class QSplitter;
class QTableView;

namespace vigil::ui {

class EngineBridge;
class EventDetailPane;
class EventFilterBar;
class EventsModel;

/// The event history: filters, a keyset-paged table sortable by time, and the detail pane.
class EventsView : public QWidget, public ViewPage
{
    Q_OBJECT

public:
    explicit EventsView(EngineBridge& bridge, QWidget* parent = nullptr);

    /// Shows the events matching `query` (used when another view drills down).
    void applyQuery(const EventQuery& query);
    EventsModel* model() const { return m_model; }
    QTableView* table() const { return m_table; }
    EventFilterBar* filterBar() const { return m_filters; }
    EventDetailPane* detailPane() const { return m_detail; }

    void focusSearch() override;
    bool canExport() const override { return true; }
    void exportData(QWidget* dialogParent) override;
    void saveState(QSettings& settings) const override;
    void restoreState(QSettings& settings) override;

private:
    void updateCount();
    void showEvent(QShowEvent* event) override;

    EngineBridge& m_bridge;
    EventsModel* m_model;
    EventFilterBar* m_filters;
    QTableView* m_table;
    EventDetailPane* m_detail;
    QSplitter* m_split;
    QLabel* m_count;
    quint64 m_vocabularyToken = 0;
    qint64 m_newer = 0; ///< events committed since the list was loaded
};

} // namespace vigil::ui
