// SPDX-License-Identifier: Apache-2.0
// The window: its views and shortcuts, themes and saved state, database errors, the
// overview's charts and their drill-down, and rate-limited notifications.

#include "uitestsupport.h"

#include "common/eventfilterbar.h"
#include "events/eventsmodel.h"
#include "events/eventsview.h"
#include "incidents/incidentsmodel.h"
#include "incidents/incidentsview.h"
#include "live/liveview.h"
#include "mainwindow.h"
#include "notifications/notifier.h"
#include "overview/overviewview.h"
#include "review/threatmatricesview.h"
#include "review/threatmatrixmodel.h"
#include "theme.h"

#include <QAbstractBarSeries>
#include <QLabel>
#include <QLineSeries>
#include <QLogValueAxis>
#include <QValueAxis>
#include <QAction>
#include <QBarCategoryAxis>
#include <QBarSet>
#include <QChart>
#include <QComboBox>
#include <QLineEdit>
#include <QSignalSpy>
#include <QStackedWidget>
#include <QUndoStack>
#include <QTableView>

#include <sqlite3.h>

using namespace vigil::ui;
using namespace vigil::test;

class TestMainWindow : public QObject
{
    Q_OBJECT

private:
    Fixture m_fx;

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_fx.open());
        const qint64 now = QDateTime::currentMSecsSinceEpoch();
        QList<QByteArray> lines;
        for (int i = 0; i < 60; ++i) {
            lines << eventLine(now - (60 - i) * 30000, QStringLiteral("brain_plan_created"), QStringLiteral("brain"),
                               i % 7 == 0 ? QStringLiteral("warning") : QStringLiteral("info"), QStringLiteral("t-%1").arg(i),
                               "{\"plan\":\"1. sql-writer builds query\",\"model\":\"anthropic.claude-sonnet-4\",\"tokens\":1000,\"cost\":0.01}");
            lines << eventLine(now - (60 - i) * 30000 + 10, QStringLiteral("worker_result"), QStringLiteral("formatter"),
                               QStringLiteral("info"), QStringLiteral("t-%1").arg(i),
                               outputDetails(i % 10 == 0 ? QStringLiteral("mail x%1@example.org").arg(i) : QStringLiteral("fine")));
        }
        m_fx.ingest(lines);
    }

    void viewsAndShortcuts()
    {
        MainWindow window(*m_fx.bridge);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        const QStringList ids = window.viewIds();
        QCOMPARE(ids.mid(0, 4), (QStringList{QStringLiteral("overview"), QStringLiteral("live"), QStringLiteral("incidents"),
                                             QStringLiteral("events")}));
        QTest::keyClick(&window, Qt::Key_3, Qt::ControlModifier);
        QCOMPARE(window.currentViewId(), QStringLiteral("incidents"));
        QTest::keyClick(&window, Qt::Key_4, Qt::ControlModifier);
        QCOMPARE(window.currentViewId(), QStringLiteral("events"));
        QTest::keyClick(&window, Qt::Key_F, Qt::ControlModifier);
        QTRY_VERIFY(window.eventsView()->filterBar()->searchBox()->hasFocus());
        QTest::keyClick(&window, Qt::Key_2, Qt::ControlModifier);
        QCOMPARE(window.currentViewId(), QStringLiteral("live"));
        QTest::keyClick(&window, Qt::Key_F, Qt::ControlModifier);
        QTRY_VERIFY(window.liveView()->filterBar()->searchBox()->hasFocus());
        // Space in the search box types a space; on the table it pauses.
        QTest::keyClick(window.liveView()->filterBar()->searchBox(), Qt::Key_Space);
        QVERIFY(!window.liveView()->isPaused());
        window.liveView()->focusTable();
        QTest::keyClick(window.liveView()->table(), Qt::Key_Space);
        QVERIFY(window.liveView()->isPaused());
        // Registered views only: no placeholder pages.
        QCOMPARE(window.findChild<QStackedWidget*>()->count(), ids.size());
    }

    void addViewRegistersAndAssignsShortcut()
    {
        MainWindow window(*m_fx.bridge);
        auto* extra = new QWidget;
        window.addView(QStringLiteral("test-extra"), QStringLiteral("Extra"), extra);
        QCOMPARE(window.view(QStringLiteral("test-extra")), extra);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        QTest::keyClick(&window, static_cast<Qt::Key>(Qt::Key_0 + window.viewIds().size()), Qt::ControlModifier);
        QCOMPARE(window.currentViewId(), QStringLiteral("test-extra"));
    }

    void themesAndSettingsPersist()
    {
        {
            MainWindow window(*m_fx.bridge);
            window.show();
            auto* dark = window.findChild<QAction*>(QStringLiteral("theme-dark"));
            QVERIFY(dark);
            dark->trigger();
            QVERIFY(Theme::instance().isDark());
            QVERIFY(qApp->palette().color(QPalette::Window).lightness() < 128);
            window.showView(QStringLiteral("incidents"));
            window.resize(1111, 777);
            window.close(); // saves
        }
        {
            MainWindow window(*m_fx.bridge);
            window.restoreSettings();
            QCOMPARE(window.currentViewId(), QStringLiteral("incidents"));
            QVERIFY(Theme::instance().isDark());
            QCOMPARE(window.size(), QSize(1111, 777));
            auto* light = window.findChild<QAction*>(QStringLiteral("theme-light"));
            light->trigger();
            QVERIFY(!Theme::instance().isDark());
            QVERIFY(qApp->palette().color(QPalette::Window).lightness() > 128);
        }
    }

    void refusesNewerAndForeignDatabases()
    {
        const QString newer = m_fx.dir.path() + QStringLiteral("/newer.db");
        {
            sqlite3* db = nullptr;
            QCOMPARE(sqlite3_open(newer.toUtf8().constData(), &db), SQLITE_OK);
            QCOMPARE(sqlite3_exec(db, "CREATE TABLE x(a); PRAGMA user_version=99", nullptr, nullptr, nullptr), SQLITE_OK);
            sqlite3_close(db);
        }
        EngineBridge bridge;
        MainWindow window(bridge);
        QString error;
        QVERIFY(!bridge.open(newer, &error));
        QVERIFY2(error.contains(QStringLiteral("newer Vigil")), qPrintable(error));
        QVERIFY(!window.openDatabase(newer, true));
        const QString junk = m_fx.dir.path() + QStringLiteral("/junk.db");
        QFile f(junk);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(QByteArray(4096, 'x'));
        f.close();
        QVERIFY(!bridge.open(junk, &error));
        QVERIFY2(error.contains(QStringLiteral("not a Vigil database")), qPrintable(error));
        QVERIFY(!bridge.isOpen());
    }

    void overviewChartsAndDrillDown()
    {
        MainWindow window(*m_fx.bridge);
        window.show();
        OverviewView* overview = window.overviewView();
        QSignalSpy shown(overview, &OverviewView::dataShown);
        overview->setRange(OverviewRange::LastHour);
        QVERIFY(shown.wait(10000));
        const OverviewData& d = overview->data();
        QCOMPARE(d.buckets.size(), 60);
        qint64 total = 0;
        for (const SeverityBucket& b : d.buckets)
            for (qint64 n : b.counts)
                total += n;
        QCOMPARE(total, d.events);
        QVERIFY(total >= 100);
        QVERIFY(!d.findingsByCategory.isEmpty());
        QCOMPARE(d.findingsByCategory.first().first, QStringLiteral("pii"));
        QCOMPARE(d.usage.size(), 1);
        QCOMPARE(d.usage.first().agent, QStringLiteral("brain"));
        QCOMPARE(d.usage.first().tokens, qint64(60000));
        QVERIFY(qAbs(d.usage.first().cost - 0.6) < 1e-6);

        // A click on the category bar opens the matching incidents.
        QChart* categories = overview->chart(QStringLiteral("categories"));
        QVERIFY(categories && !categories->series().isEmpty());
        auto* series = qobject_cast<QAbstractBarSeries*>(categories->series().first());
        QVERIFY(series);
        QSignalSpy reloaded(window.incidentsView(), &IncidentsView::incidentsReloaded);
        Q_EMIT series->barSets().first()->clicked(series->barSets().first()->count() - 1);
        QCOMPARE(window.currentViewId(), QStringLiteral("incidents"));
        QCOMPARE(window.incidentsView()->query().category, QStringLiteral("pii"));
        QVERIFY(reloaded.wait(10000));
        QVERIFY(window.incidentsView()->model()->rowCount() > 0);

        // A click on the tokens bar opens the agent's plans in the event history.
        auto* tokens = qobject_cast<QAbstractBarSeries*>(overview->chart(QStringLiteral("tokens"))->series().first());
        Q_EMIT tokens->barSets().first()->clicked(0);
        QCOMPARE(window.currentViewId(), QStringLiteral("events"));
        QCOMPARE(window.eventsView()->model()->query().agent, QStringLiteral("brain"));
        QTRY_VERIFY_WITH_TIMEOUT(!window.eventsView()->model()->isLoading(), 10000);
        QCOMPARE(window.eventsView()->model()->totalCount(), qint64(60));
    }

    void overviewSaysWhatItCountsAndShowsSmallCounts()
    {
        MainWindow window(*m_fx.bridge);
        window.resize(1280, 720);
        window.show();
        OverviewView* overview = window.overviewView();
        QSignalSpy shown(overview, &OverviewView::dataShown);
        overview->setRange(OverviewRange::LastHour);
        QVERIFY(shown.wait(10000));

        // The header names its range and says the open incidents are the whole store's; the
        // status bar says its totals are the whole store's.
        auto* summary = overview->findChild<QLabel*>(QStringLiteral("overviewSummary"));
        QVERIFY(summary);
        QVERIFY2(summary->text().startsWith(QStringLiteral("Last hour, ")), qPrintable(summary->text()));
        QVERIFY2(summary->text().contains(QStringLiteral("Open incidents now, whole store:")), qPrintable(summary->text()));
        auto* totals = window.findChild<QLabel*>(QStringLiteral("statusTotals"));
        QVERIFY(totals);
        QTRY_VERIFY_WITH_TIMEOUT(totals->text().startsWith(QStringLiteral("Whole store: ")), 10000);

        // One warning among two info events a minute stands clear of the axis: a log scale,
        // the warning's point well above the floor where empty minutes lie.
        QChart* timeline = overview->chart(QStringLiteral("timeline"));
        auto* y = qobject_cast<QLogValueAxis*>(timeline->axes(Qt::Vertical).value(0));
        QVERIFY2(y, "the events chart has a log-scale axis");
        QLineSeries* warning = nullptr;
        for (QAbstractSeries* series : timeline->series())
            if (series->name() == QStringLiteral("warning"))
                warning = qobject_cast<QLineSeries*>(series);
        QVERIFY(warning);
        QPointF one, empty;
        for (const QPointF& p : warning->points()) {
            if (p.y() >= 1 && one.isNull())
                one = p;
            if (p.y() < 1 && empty.isNull())
                empty = p;
        }
        QVERIFY(!one.isNull() && !empty.isNull());
        const qreal height = timeline->plotArea().height();
        const qreal lift = timeline->mapToPosition(empty, warning).y() - timeline->mapToPosition(one, warning).y();
        QVERIFY2(lift > height * 0.15, qPrintable(QStringLiteral("%1 of %2").arg(lift).arg(height)));

        // Dollars: the same format on the bars and the axis ($0.60, not $0.6 beside 0.60).
        auto* cost = qobject_cast<QAbstractBarSeries*>(overview->chart(QStringLiteral("cost"))->series().first());
        QCOMPARE(cost->labelsFormat(), QStringLiteral("$@value"));
        auto* costAxis = qobject_cast<QValueAxis*>(overview->chart(QStringLiteral("cost"))->axes(Qt::Vertical).value(0));
        QVERIFY(costAxis);
        QCOMPARE(costAxis->labelFormat(), QStringLiteral("$%.2f"));
        const double bar = cost->barSets().first()->at(0);
        QCOMPARE(bar, std::round(bar * 100) / 100);

        // Revisited, the overview asks for fresh figures at once, not at its next 10 s tick.
        window.showView(QStringLiteral("live"));
        QTest::qWait(2100);
        shown.clear();
        window.showView(QStringLiteral("overview"));
        QVERIFY(shown.wait(3000));
    }

    void editMenuUndoesTheShownViewsEdits()
    {
        MainWindow window(*m_fx.bridge);
        window.show();
        auto* undo = window.findChild<QAction*>(QStringLiteral("editUndo"));
        auto* redo = window.findChild<QAction*>(QStringLiteral("editRedo"));
        QVERIFY(undo && redo);
        window.showView(QStringLiteral("threats"));
        auto* threats = qobject_cast<ThreatMatricesView*>(window.findChild<ThreatMatricesView*>());
        QVERIFY(threats);
        QTRY_VERIFY_WITH_TIMEOUT(threats->model()->rowCount() > 0, 15000);
        QVERIFY(!undo->isEnabled());

        // An owner typed into a threat row: Edit > Undo names it and takes it back, Redo
        // brings it again.
        const QModelIndex owner = threats->model()->index(0, ThreatMatrixModel::ColOwner);
        const QString before = owner.data().toString();
        QVERIFY(threats->model()->setData(owner, QStringLiteral("carol"), Qt::EditRole));
        QCOMPARE(owner.data().toString(), QStringLiteral("carol"));
        QTRY_VERIFY(undo->isEnabled());
        QVERIFY2(undo->text().startsWith(QStringLiteral("&Undo ")) && undo->text().endsWith(QStringLiteral("\tCtrl+Z")),
                 qPrintable(undo->text()));
        undo->trigger();
        QCOMPARE(owner.data().toString(), before);
        QVERIFY(redo->isEnabled());
        redo->trigger();
        QCOMPARE(owner.data().toString(), QStringLiteral("carol"));

        // Another view without edits of its own: nothing to undo there.
        window.showView(QStringLiteral("overview"));
        QVERIFY(!undo->isEnabled());
        QVERIFY(!redo->isEnabled());
        window.showView(QStringLiteral("threats"));
        QVERIFY(undo->isEnabled());
        threats->undoStack()->undo();
    }

    void layerNamesFollowTheViewMenu()
    {
        // View > MAESTRO Layer Names relabels the views at once and is remembered.
        MainWindow window(*m_fx.bridge);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        auto* seed = window.findChild<QAction*>(QStringLiteral("layerNames-seed"));
        auto* csa = window.findChild<QAction*>(QStringLiteral("layerNames-csa"));
        QVERIFY(seed && csa);
        QVERIFY(seed->isChecked());
        OverviewView* overview = window.overviewView();
        QSignalSpy shown(overview, &OverviewView::dataShown);
        overview->setRange(OverviewRange::LastHour);
        QVERIFY(shown.wait(10000));
        const auto layerAxis = [&] {
            QChart* layers = overview->chart(QStringLiteral("layers"));
            for (QAbstractAxis* a : layers->axes())
                if (auto* c = qobject_cast<QBarCategoryAxis*>(a))
                    return c->categories();
            return QStringList();
        };
        QVERIFY(layerAxis().contains(QStringLiteral("4 Monitoring")));
        QTest::keyClick(&window, Qt::Key_3, Qt::ControlModifier);
        IncidentsView* incidents = window.incidentsView();
        QTRY_VERIFY_WITH_TIMEOUT(incidents->model()->rowCount() > 0, 10000);
        auto* filter = incidents->findChild<QComboBox*>(QStringLiteral("layerFilter"));
        QVERIFY(filter);
        QCOMPARE(filter->itemText(filter->findData(4)), QStringLiteral("4 Monitoring"));
        const QModelIndex layer = incidents->model()->index(0, IncidentsModel::ColLayer);
        QVERIFY(!layer.data().toString().startsWith(u'L'));
        QSignalSpy relabelled(incidents->model(), &QAbstractItemModel::dataChanged);

        csa->trigger();
        QVERIFY(csa->isChecked());
        QCOMPARE(filter->itemText(filter->findData(4)), QStringLiteral("L5 Evaluation and Observability"));
        QCOMPARE(filter->itemText(filter->findData(2)), QStringLiteral("L3 Agent Frameworks"));
        QVERIFY(!relabelled.isEmpty());
        QVERIFY(layer.data().toString().startsWith(u'L'));
        QVERIFY(layerAxis().contains(QStringLiteral("L5 Evaluation and Observability")));
        QVERIFY(!layerAxis().contains(QStringLiteral("4 Monitoring")));
        // The chart lists the CSA's layers in the CSA's order, top (last category) to bottom,
        // and a click on one still opens the incidents of the seed layer underneath.
        QCOMPARE(layerAxis().last(), QStringLiteral("L1 Foundation Models"));
        QCOMPARE(layerAxis().first(), QStringLiteral("L7 Agent Ecosystem"));
        auto* bars = qobject_cast<QAbstractBarSeries*>(overview->chart(QStringLiteral("layers"))->series().first());
        Q_EMIT bars->barSets().first()->clicked(
            static_cast<int>(layerAxis().indexOf(QStringLiteral("L5 Evaluation and Observability"))));
        QCOMPARE(incidents->query().layer, 4);
        QCOMPARE(QSettings().value(QStringLiteral("view/layerNames")).toString(), QStringLiteral("csa"));

        // A window opened later starts with the remembered choice; going back restores the seed's.
        MainWindow later(*m_fx.bridge);
        auto* laterSeed = later.findChild<QAction*>(QStringLiteral("layerNames-seed"));
        QVERIFY(later.findChild<QAction*>(QStringLiteral("layerNames-csa"))->isChecked());
        laterSeed->trigger();
        QCOMPARE(QSettings().value(QStringLiteral("view/layerNames")).toString(), QStringLiteral("seed"));
        auto* laterFilter = later.incidentsView()->findChild<QComboBox*>(QStringLiteral("layerFilter"));
        QCOMPARE(laterFilter->itemText(laterFilter->findData(4)), QStringLiteral("4 Monitoring"));
    }

    void notificationsAreRateLimited()
    {
        EngineBridge bridge;
        Notifier notifier(bridge);
        QSignalSpy notified(&notifier, &Notifier::notified);
        IncidentSummary a;
        a.id = 1;
        a.title = QStringLiteral("secret leaked by sql-writer");
        IncidentSummary b = a;
        b.id = 2;
        IncidentSummary c = a;
        c.id = 3;
        Q_EMIT bridge.criticalIncidents({a});
        QCOMPARE(notified.count(), 1);
        QCOMPARE(notified.first().at(0).toString(), QStringLiteral("Critical incident #1"));
        Q_EMIT bridge.criticalIncidents({b});
        Q_EMIT bridge.criticalIncidents({c});
        QCOMPARE(notified.count(), 1); // held back, then summarized
        QTRY_COMPARE_WITH_TIMEOUT(notified.count(), 2, Notifier::kMinIntervalMs + 10000);
        QVERIFY2(notified.last().at(0).toString().contains(QStringLiteral("2 new critical incidents")),
                 qPrintable(notified.last().at(0).toString()));

        notifier.setEnabled(false);
        Q_EMIT bridge.criticalIncidents({a});
        QTest::qWait(50);
        QCOMPARE(notified.count(), 2);
    }
};

QTEST_MAIN(TestMainWindow)
#include "tst_mainwindow.moc"
