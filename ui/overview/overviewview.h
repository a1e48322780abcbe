// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "bridge/bridgetypes.h"
#include "viewpage.h"

#include <QElapsedTimer>
#include <QWidget>

class QChart;
class QChartView;
class QComboBox;
class QLabel;
class QTimer;

namespace vigil::ui {

class EngineBridge;

/// Charts over pre-aggregated buckets computed by the bridge off the UI thread: events per
/// minute by severity (last hour, 24 hours, all), findings by category and by MAESTRO
/// layer, open incidents by severity, tokens and cost per agent. Clicking a bar, slice or
/// point asks the window to open the matching incidents or events.
class OverviewView : public QWidget, public ViewPage
{
    Q_OBJECT

public:
    explicit OverviewView(EngineBridge& bridge, QWidget* parent = nullptr);

    void setRange(OverviewRange range);
    OverviewRange range() const;
    void refresh();
    const OverviewData& data() const { return m_data; }
    bool hasData() const { return m_loaded; }
    QChart* chart(const QString& name) const;

    void focusSearch() override;
    void layerNamesChanged() override;
    void saveState(QSettings& settings) const override;
    void restoreState(QSettings& settings) override;

Q_SIGNALS:
    void openEvents(const vigil::ui::EventQuery& query);
    void openIncidents(const vigil::ui::IncidentQuery& query);
    void dataShown();

protected:
    void showEvent(QShowEvent* event) override;

private:
    void show(const OverviewData& data);
    void buildTimeline();
    void buildCategories();
    void buildLayers();
    void buildIncidents();
    void buildUsage();
    void styleChart(QChart* chart, const QString& title);
    QChartView* addChart(const QString& name);

    EngineBridge& m_bridge;
    OverviewData m_data;
    bool m_loaded = false;
    quint64 m_token = 0;
    QComboBox* m_range;
    QLabel* m_summary;
    QTimer* m_refresh;
    QElapsedTimer m_lastShown; ///< since the figures on screen arrived
    QList<QChartView*> m_views;
};

} // namespace vigil::ui
