// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "bridge/bridgetypes.h"
#include "viewpage.h"

#include <QWidget>

class QLabel;
class QSplitter;
class QStackedWidget;
class QTableView;

namespace vigil::ui {

class EngineBridge;
class EventDetailPane;
class EventFilterBar;
class EventsModel;
class QueryBar;
class QueryResultModel;

/// The event history: a query bar (saved queries; docs/review.md), filters, a keyset-paged
/// table sortable by time, and the detail pane. A query that selects events shows them in
/// the events table; stats and finding rows go to a table of the query's columns.
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
    QueryBar* queryBar() const { return m_queryBar; }
    QTableView* queryResultsTable() const { return m_results; }
    QueryResultModel* queryResultModel() const { return m_resultModel; }
    /// Whether a query's result is shown instead of the filters' list.
    bool showsQueryResult() const { return m_queryActive; }
    /// Focuses the query bar (Ctrl+L, /).
    void focusQuery();

    void focusSearch() override;
    bool canExport() const override { return true; }
    void exportData(QWidget* dialogParent) override;
    void saveState(QSettings& settings) const override;
    void restoreState(QSettings& settings) override;

private:
    void updateCount();
    void showQueryResult(const QueryResultData& result);
    void leaveQuery();
    void showEvent(QShowEvent* event) override;

    EngineBridge& m_bridge;
    EventsModel* m_model;
    EventFilterBar* m_filters;
    QTableView* m_table;
    EventDetailPane* m_detail;
    QSplitter* m_split;
    QLabel* m_count;
    QueryBar* m_queryBar;
    QStackedWidget* m_tables;
    QTableView* m_results;
    QueryResultModel* m_resultModel;
    bool m_queryActive = false;
    bool m_queryTruncated = false;
    qint64 m_queryRows = 0;
    quint64 m_vocabularyToken = 0;
    qint64 m_newer = 0; ///< events committed since the list was loaded
};

} // namespace vigil::ui
