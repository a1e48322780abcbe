// SPDX-License-Identifier: Apache-2.0
#include "overview/overviewview.h"

#include "bridge/enginebridge.h"
#include "theme.h"

#include <QBarCategoryAxis>
#include <QBarSeries>
#include <QBarSet>
#include <QChart>
#include <QChartView>
#include <QComboBox>
#include <QDateTime>
#include <QDateTimeAxis>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QHorizontalBarSeries>
#include <QLabel>
#include <QLegendMarker>
#include <QLineSeries>
#include <QLogValueAxis>
#include <QPieSeries>
#include <QPieSlice>
#include <QSettings>
#include <QShowEvent>
#include <QTimer>
#include <QValueAxis>
#include <QVBoxLayout>

#include <algorithm>
#include <array>
#include <cmath>

namespace vigil::ui {
namespace {

// A round upper bound for a value axis, so ticks land on readable numbers.
double niceMax(double v)
{
    if (v <= 0)
        return 1;
    const double mag = std::pow(10.0, std::floor(std::log10(v)));
    for (double m : {1.0, 2.0, 2.5, 5.0, 10.0})
        if (v <= m * mag)
            return m * mag;
    return 10 * mag;
}

} // namespace

OverviewView::OverviewView(EngineBridge& bridge, QWidget* parent) : QWidget(parent), m_bridge(bridge)
{
    auto* layout = new QVBoxLayout(this);
    auto* top = new QHBoxLayout;
    auto* heading = new QLabel(tr("Overview"), this);
    heading->setProperty("role", QStringLiteral("heading"));
    m_range = new QComboBox(this);
    m_range->setObjectName(QStringLiteral("rangePicker"));
    m_range->addItem(tr("Last hour"), static_cast<int>(OverviewRange::LastHour));
    m_range->addItem(tr("Last 24 hours"), static_cast<int>(OverviewRange::Last24Hours));
    m_range->addItem(tr("All time"), static_cast<int>(OverviewRange::All));
    m_summary = new QLabel(this);
    m_summary->setObjectName(QStringLiteral("overviewSummary"));
    m_summary->setProperty("role", QStringLiteral("muted"));
    top->addWidget(heading);
    top->addSpacing(12);
    top->addWidget(m_range);
    top->addSpacing(12);
    top->addWidget(m_summary, 1);
    layout->addLayout(top);

    auto* grid = new QGridLayout;
    grid->setSpacing(8);
    const char* names[] = {"timeline", "categories", "layers", "incidents", "tokens", "cost"};
    for (const char* name : names)
        m_views << addChart(QString::fromLatin1(name));
    // Row 0: the timeline and the open incidents; row 1: findings by category and by layer,
    // with tokens over cost in the third column.
    grid->addWidget(m_views[0], 0, 0, 1, 2);
    grid->addWidget(m_views[3], 0, 2);
    grid->addWidget(m_views[1], 1, 0);
    grid->addWidget(m_views[2], 1, 1);
    auto* usage = new QVBoxLayout;
    usage->setSpacing(8);
    usage->addWidget(m_views[4]);
    usage->addWidget(m_views[5]);
    grid->addLayout(usage, 1, 2);
    grid->setRowStretch(0, 1);
    grid->setRowStretch(1, 1);
    for (int c = 0; c < 3; ++c)
        grid->setColumnStretch(c, 1);
    layout->addLayout(grid, 1);

    connect(m_range, &QComboBox::activated, this, &OverviewView::refresh);
    connect(&m_bridge, &EngineBridge::overviewReady, this, [this](quint64 token, const OverviewData& d) {
        if (token != m_token)
            return;
        m_token = 0;
        show(d);
    });
    connect(&m_bridge, &EngineBridge::databaseOpened, this, &OverviewView::refresh);
    connect(&m_bridge, &EngineBridge::storeChanged, this, &OverviewView::refresh);
    connect(&Theme::instance(), &Theme::changed, this, [this] {
        if (m_loaded)
            show(m_data);
    });
    m_refresh = new QTimer(this);
    m_refresh->setInterval(10000);
    connect(m_refresh, &QTimer::timeout, this, [this] {
        if (isVisible() && m_token == 0)
            refresh();
    });
    m_refresh->start();
    if (m_bridge.isOpen())
        refresh();
}

QChartView* OverviewView::addChart(const QString& name)
{
    auto* chart = new QChart;
    chart->setObjectName(name);
    auto* view = new QChartView(chart, this);
    view->setObjectName(name + QStringLiteral("Chart"));
    view->setRenderHint(QPainter::Antialiasing);
    view->setMinimumHeight(180);
    return view;
}

QChart* OverviewView::chart(const QString& name) const
{
    for (QChartView* v : m_views)
        if (v->chart()->objectName() == name)
            return v->chart();
    return nullptr;
}

void OverviewView::setRange(OverviewRange range)
{
    m_range->setCurrentIndex(std::max(0, m_range->findData(static_cast<int>(range))));
    refresh();
}

OverviewRange OverviewView::range() const
{
    return static_cast<OverviewRange>(m_range->currentData().toInt());
}

void OverviewView::refresh()
{
    m_bridge.cancel(m_token);
    m_token = m_bridge.loadOverview(range());
}

void OverviewView::styleChart(QChart* chart, const QString& title)
{
    const bool dark = Theme::instance().isDark();
    chart->setTheme(dark ? QChart::ChartThemeDark : QChart::ChartThemeLight);
    chart->setBackgroundBrush(palette().color(QPalette::Base));
    chart->setBackgroundRoundness(4);
    chart->setTitle(title);
    QFont f = chart->titleFont();
    f.setBold(true);
    f.setPointSizeF(font().pointSizeF() + 0.5);
    chart->setTitleFont(f);
    chart->setTitleBrush(palette().color(QPalette::Text));
    chart->legend()->setLabelColor(palette().color(QPalette::Text));
    chart->setMargins(QMargins(4, 4, 4, 4));
    chart->setAnimationOptions(QChart::NoAnimation);
}

void OverviewView::show(const OverviewData& d)
{
    m_data = d;
    m_loaded = true;
    qint64 findings = 0;
    for (const auto& c : d.findingsByCategory)
        findings += c.second;
    qint64 open = 0;
    for (qint64 n : d.openIncidentsBySeverity)
        open += n;
    // Say what is counted where: the charts count the range, the open incidents are the
    // whole store's as of now (so are the status bar's totals).
    m_summary->setText(tr("%1, %2 to %3: %L4 events · %L5 findings. Open incidents now, whole store: %L6")
                           .arg(m_range->currentText(),
                                QDateTime::fromMSecsSinceEpoch(d.fromMs).toString(QStringLiteral("yyyy-MM-dd HH:mm")),
                                QDateTime::fromMSecsSinceEpoch(d.toMs).toString(QStringLiteral("yyyy-MM-dd HH:mm")))
                           .arg(d.events)
                           .arg(findings)
                           .arg(open));
    m_lastShown.start();
    buildTimeline();
    buildCategories();
    buildLayers();
    buildIncidents();
    buildUsage();
    Q_EMIT dataShown();
}

void OverviewView::buildTimeline()
{
    QChart* chart = m_views[0]->chart();
    chart->removeAllSeries();
    for (QAbstractAxis* a : chart->axes())
        chart->removeAxis(a);
    const double perMinute = double(m_data.bucketMs) / 60000.0;
    styleChart(chart, perMinute > 1 ? tr("Events per minute by severity (averaged over %1 min)").arg(perMinute)
                                    : tr("Events per minute by severity"));
    auto* x = new QDateTimeAxis;
    x->setFormat(m_data.toMs - m_data.fromMs > 36LL * 3600 * 1000 ? QStringLiteral("MM-dd HH:mm")
                                                                 : QStringLiteral("HH:mm"));
    x->setRange(QDateTime::fromMSecsSinceEpoch(m_data.fromMs), QDateTime::fromMSecsSinceEpoch(m_data.toMs));
    x->setTickCount(7);
    // A log scale: one warning a minute beside forty info events must not lie flat on the
    // axis. The axis floor is half the smallest rate there can be (one event in a bucket),
    // and a bucket without events is drawn on the floor.
    const double smallest = 1.0 / std::max(1.0, perMinute);
    const double floor = smallest / 2;
    auto* y = new QLogValueAxis;
    y->setBase(10);
    y->setLabelFormat(smallest < 1 ? QStringLiteral("%g") : QStringLiteral("%.0f"));
    y->setMinorTickCount(-1);
    y->setTitleText(tr("log scale"));
    chart->addAxis(x, Qt::AlignBottom);
    chart->addAxis(y, Qt::AlignLeft);
    double maxY = 0;
    for (int sev = 0; sev < 4; ++sev) {
        auto* series = new QLineSeries;
        series->setName(severityName(sev));
        QList<QPointF> points;
        points.reserve(m_data.buckets.size());
        for (const SeverityBucket& b : m_data.buckets) {
            const double v = double(b.counts[static_cast<std::size_t>(sev)]) / perMinute;
            maxY = std::max(maxY, v);
            points.append(QPointF(double(b.startMs + m_data.bucketMs / 2), std::max(v, floor)));
        }
        series->replace(points);
        QPen pen(Theme::instance().eventSeverityColor(sev));
        pen.setWidthF(sev == 0 ? 1.5 : 2.0);
        series->setPen(pen);
        chart->addSeries(series);
        series->attachAxis(x);
        series->attachAxis(y);
        connect(series, &QLineSeries::clicked, this, [this, sev](const QPointF& p) {
            const qint64 ms = static_cast<qint64>(p.x());
            const qint64 bucket = (ms - m_data.fromMs) / m_data.bucketMs;
            EventQuery q;
            q.minSeverity = sev;
            q.fromMs = m_data.fromMs + bucket * m_data.bucketMs;
            q.toMs = q.fromMs + m_data.bucketMs - 1;
            q.ascending = true;
            Q_EMIT openEvents(q);
        });
    }
    y->setRange(floor, std::max(10.0, niceMax(maxY * 1.5)));
    chart->legend()->setAlignment(Qt::AlignTop);
}

void OverviewView::buildCategories()
{
    QChart* chart = m_views[1]->chart();
    chart->removeAllSeries();
    for (QAbstractAxis* a : chart->axes())
        chart->removeAxis(a);
    styleChart(chart, tr("Findings by category"));
    chart->legend()->hide();
    auto* set = new QBarSet(tr("Findings"));
    QStringList labels;
    qint64 maxV = 0;
    // Largest at the top: horizontal bars are drawn bottom-up.
    for (auto it = m_data.findingsByCategory.crbegin(); it != m_data.findingsByCategory.crend(); ++it) {
        labels << it->first;
        *set << double(it->second);
        maxV = std::max(maxV, it->second);
    }
    set->setColor(palette().color(QPalette::Highlight));
    set->setBorderColor(palette().color(QPalette::Highlight));
    set->setLabelColor(palette().color(QPalette::Text));
    auto* series = new QHorizontalBarSeries;
    series->append(set);
    series->setLabelsVisible(true);
    series->setLabelsPosition(QAbstractBarSeries::LabelsOutsideEnd);
    series->setBarWidth(0.7);
    chart->addSeries(series);
    auto* y = new QBarCategoryAxis;
    y->append(labels.isEmpty() ? QStringList{tr("none")} : labels);
    auto* x = new QValueAxis;
    x->setRange(0, niceMax(double(maxV) * 1.2));
    x->applyNiceNumbers();
    x->setLabelFormat(QStringLiteral("%.0f"));
    chart->addAxis(y, Qt::AlignLeft);
    chart->addAxis(x, Qt::AlignBottom);
    series->attachAxis(x);
    series->attachAxis(y);
    connect(set, &QBarSet::clicked, this, [this, labels](int index) {
        IncidentQuery q;
        q.category = labels.value(index);
        Q_EMIT openIncidents(q);
    });
}

void OverviewView::buildLayers()
{
    QChart* chart = m_views[2]->chart();
    chart->removeAllSeries();
    for (QAbstractAxis* a : chart->axes())
        chart->removeAxis(a);
    styleChart(chart, tr("Findings by MAESTRO layer"));
    chart->legend()->hide();
    auto* set = new QBarSet(tr("Findings"));
    // Top to bottom in the order of the naming shown: the seed's 1..7, or the CSA's L1..L7.
    std::array<int, 7> order{1, 2, 3, 4, 5, 6, 7};
    if (layerNaming() == LayerNaming::Csa)
        std::sort(order.begin(), order.end(),
                  [](int a, int b) { return csaLayerOf(a) < csaLayerOf(b); });
    std::reverse(order.begin(), order.end()); // bar categories grow upwards
    qint64 maxV = 0;
    QStringList names;
    for (int layer : order) {
        const qint64 n = m_data.findingsByLayer[static_cast<std::size_t>(layer - 1)];
        *set << double(n);
        maxV = std::max(maxV, n);
        names << maestroLayerNames().at(layer - 1);
    }
    const QColor c = Theme::instance().isDark() ? QColor(0x9b, 0x7b, 0xe6) : QColor(0x6c, 0x4b, 0xc4);
    set->setColor(c);
    set->setBorderColor(c);
    set->setLabelColor(palette().color(QPalette::Text));
    auto* series = new QHorizontalBarSeries;
    series->append(set);
    series->setLabelsVisible(true);
    series->setLabelsPosition(QAbstractBarSeries::LabelsOutsideEnd);
    series->setBarWidth(0.7);
    chart->addSeries(series);
    auto* y = new QBarCategoryAxis;
    y->append(names);
    auto* x = new QValueAxis;
    x->setRange(0, niceMax(double(maxV) * 1.2));
    x->applyNiceNumbers();
    x->setLabelFormat(QStringLiteral("%.0f"));
    chart->addAxis(y, Qt::AlignLeft);
    chart->addAxis(x, Qt::AlignBottom);
    series->attachAxis(x);
    series->attachAxis(y);
    connect(set, &QBarSet::clicked, this, [this, order](int index) {
        IncidentQuery q;
        q.layer = order.at(static_cast<std::size_t>(index));
        Q_EMIT openIncidents(q);
    });
}

void OverviewView::buildIncidents()
{
    QChart* chart = m_views[3]->chart();
    chart->removeAllSeries();
    styleChart(chart, tr("Open incidents by severity (now, whole store)"));
    auto* series = new QPieSeries;
    series->setHoleSize(0.45);
    qint64 total = 0;
    for (int sev = 3; sev >= 0; --sev) {
        const qint64 n = m_data.openIncidentsBySeverity[static_cast<std::size_t>(sev)];
        total += n;
        if (n == 0)
            continue;
        QPieSlice* slice = series->append(QStringLiteral("%1 (%L2)").arg(findingSeverityName(sev)).arg(n), double(n));
        slice->setColor(Theme::instance().findingSeverityColor(sev));
        slice->setBorderColor(palette().color(QPalette::Base));
        slice->setLabelColor(palette().color(QPalette::Text));
        connect(slice, &QPieSlice::clicked, this, [this, sev] {
            IncidentQuery q;
            q.statuses = {QStringLiteral("open"), QStringLiteral("investigating")};
            q.severity = sev;
            Q_EMIT openIncidents(q);
        });
    }
    if (total == 0) {
        QPieSlice* none = series->append(tr("no open incidents"), 1);
        none->setColor(palette().color(QPalette::Mid));
    }
    chart->addSeries(series);
    chart->legend()->setAlignment(Qt::AlignRight);
    const auto markers = chart->legend()->markers(series);
    for (QLegendMarker* m : markers)
        m->setLabelBrush(palette().color(QPalette::Text));
}

void OverviewView::buildUsage()
{
    struct Spec
    {
        int view;
        QString title;
        bool cost;
    };
    for (const Spec& s : {Spec{4, tr("Tokens per agent (plans)"), false}, Spec{5, tr("Cost per agent, USD (plans and SQL)"), true}}) {
        QChart* chart = m_views[s.view]->chart();
        chart->removeAllSeries();
        for (QAbstractAxis* a : chart->axes())
            chart->removeAxis(a);
        styleChart(chart, s.title);
        chart->legend()->hide();
        auto* set = new QBarSet(s.title);
        QStringList agents;
        double maxV = 0;
        // Dollars the same way on the bars and the axis: cents, or tenths of a cent when
        // every agent cost less than ten cents.
        double maxCost = 0;
        for (const AgentUsage& u : m_data.usage)
            maxCost = std::max(maxCost, u.cost);
        const int decimals = maxCost >= 0.1 ? 2 : 4;
        const double unit = std::pow(10.0, decimals);
        for (const AgentUsage& u : m_data.usage) {
            const double v = s.cost ? std::round(u.cost * unit) / unit : double(u.tokens);
            if (!s.cost && u.tokens == 0)
                continue;
            agents << u.agent;
            *set << v;
            maxV = std::max(maxV, v);
        }
        const QColor c = s.cost ? (Theme::instance().isDark() ? QColor(0x4c, 0xc2, 0x8a) : QColor(0x1f, 0x8a, 0x5b))
                                : (Theme::instance().isDark() ? QColor(0x5a, 0xb4, 0xe6) : QColor(0x1f, 0x78, 0xb4));
        set->setColor(c);
        set->setBorderColor(c);
        set->setLabelColor(palette().color(QPalette::Text));
        auto* series = new QBarSeries;
        series->append(set);
        series->setLabelsVisible(true);
        series->setLabelsPosition(QAbstractBarSeries::LabelsOutsideEnd);
        series->setLabelsPrecision(s.cost ? 12 : 9);
        series->setLabelsFormat(s.cost ? QStringLiteral("$@value") : QStringLiteral("@value"));
        series->setBarWidth(0.55);
        chart->addSeries(series);
        auto* x = new QBarCategoryAxis;
        x->append(agents.isEmpty() ? QStringList{tr("none")} : agents);
        auto* y = new QValueAxis;
        y->setRange(0, niceMax(maxV * 1.25));
        y->applyNiceNumbers();
        y->setLabelFormat(s.cost ? QStringLiteral("$%.%1f").arg(decimals) : QStringLiteral("%.0f"));
        chart->addAxis(x, Qt::AlignBottom);
        chart->addAxis(y, Qt::AlignLeft);
        series->attachAxis(x);
        series->attachAxis(y);
        const bool cost = s.cost;
        connect(set, &QBarSet::clicked, this, [this, agents, cost](int index) {
            EventQuery q;
            q.agent = agents.value(index);
            q.eventType = cost ? QString() : QStringLiteral("brain_plan_created");
            q.fromMs = m_data.fromMs;
            q.toMs = m_data.toMs;
            Q_EMIT openEvents(q);
        });
    }
}

void OverviewView::showEvent(QShowEvent* event)
{
    QWidget::showEvent(event);
    // Revisited after a while: ask for fresh figures now rather than at the next tick.
    if (m_bridge.isOpen() && m_token == 0 && (!m_lastShown.isValid() || m_lastShown.elapsed() > 2000))
        refresh();
}

void OverviewView::layerNamesChanged()
{
    if (m_loaded)
        buildLayers();
}

void OverviewView::focusSearch()
{
    m_range->setFocus(Qt::ShortcutFocusReason);
}

void OverviewView::saveState(QSettings& settings) const
{
    settings.setValue(QStringLiteral("range"), m_range->currentIndex());
}

void OverviewView::restoreState(QSettings& settings)
{
    m_range->setCurrentIndex(std::clamp(settings.value(QStringLiteral("range"), 0).toInt(), 0, 2));
    if (m_bridge.isOpen())
        refresh();
}

} // namespace vigil::ui
