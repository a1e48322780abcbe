// SPDX-License-Identifier: Apache-2.0
// The live tail: committed events appear, pause holds them with a waiting count and resume
// shows them, live filters, the capped ring; it opens following the newest row, the Follow
// checkbox returns to it, and the detail pane keeps its event when the ring drops the row.

#include "uitestsupport.h"

#include "common/eventcolumns.h"
#include "common/eventfilterbar.h"
#include "live/livemodel.h"
#include "live/liveview.h"
#include "mainwindow.h"

#include "common/eventdetailpane.h"
#include "common/eventtablemenu.h"
#include "events/eventsmodel.h"
#include "events/eventsview.h"

#include <QAbstractItemModelTester>
#include <QAction>
#include <QCheckBox>
#include <QClipboard>
#include <QMenu>
#include <QComboBox>
#include <QScrollBar>
#include <QSettings>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSignalSpy>
#include <QTableView>

using namespace vigil::ui;
using namespace vigil::test;

class TestLiveView : public QObject
{
    Q_OBJECT

private:
    Fixture m_fx;
    int m_next = 0;

    QList<QByteArray> batch(int n, const QString& agent = QStringLiteral("brain"),
                            const QString& severity = QStringLiteral("info"))
    {
        QList<QByteArray> lines;
        const qint64 now = QDateTime::currentMSecsSinceEpoch();
        for (int i = 0; i < n; ++i, ++m_next)
            lines << eventLine(now + m_next, QStringLiteral("user_query_received"), agent, severity,
                               QStringLiteral("t-live"), queryDetails(QStringLiteral("live question %1").arg(m_next)),
                               QStringLiteral("live-%1").arg(m_next));
        return lines;
    }

    /// Whether the last row of `view`'s table is inside its viewport.
    static bool newestVisible(LiveView& view)
    {
        QTableView* t = view.table();
        const int last = t->model()->rowCount() - 1;
        return last >= 0 && t->viewport()->rect().contains(t->visualRect(t->model()->index(last, 0)).center());
    }

    static QCheckBox* followBox(LiveView& view)
    {
        return view.findChild<QCheckBox*>(QStringLiteral("followCheck"));
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_fx.open());
        m_fx.ingest(batch(20)); // history before the view opens
    }

    void startsWithRecentRowsThenTails()
    {
        LiveView view(*m_fx.bridge);
        view.show();
        QAbstractItemModelTester tester(view.model(), QAbstractItemModelTester::FailureReportingMode::QtTest);
        QTRY_COMPARE_WITH_TIMEOUT(view.model()->rowCount(), 20, 10000);
        QSignalSpy flushed(view.model(), &LiveModel::flushed);
        m_fx.ingest(batch(15));
        QTRY_COMPARE_WITH_TIMEOUT(view.model()->rowCount(), 35, 10000);
        // Batched: the 15 rows came in few inserts, not one per row.
        QVERIFY(flushed.count() >= 1 && flushed.count() <= 3);
        QCOMPARE(view.model()->index(34, ColSummary).data().toString(),
                 QStringLiteral("live question %1").arg(m_next - 1));
    }

    void pauseAndResume()
    {
        MainWindow window(*m_fx.bridge);
        window.show();
        window.showView(QStringLiteral("live"));
        LiveView* view = window.liveView();
        QAbstractItemModelTester tester(view->model(), QAbstractItemModelTester::FailureReportingMode::QtTest);
        QTRY_VERIFY_WITH_TIMEOUT(view->model()->rowCount() > 0, 10000);
        const int before = view->model()->rowCount();

        // Space on the table pauses.
        view->table()->setFocus();
        QTest::keyClick(view->table(), Qt::Key_Space);
        QVERIFY(view->isPaused());
        QCOMPARE(view->pauseButton()->text(), QStringLiteral("Resume"));

        m_fx.ingest(batch(12));
        QTRY_COMPARE_WITH_TIMEOUT(view->model()->waitingCount(), qint64(12), 10000);
        QVERIFY2(view->waitingLabel()->text().contains(QStringLiteral("12")), qPrintable(view->waitingLabel()->text()));
        QCOMPARE(view->model()->rowCount(), before); // nothing moved while paused

        QTest::mouseClick(view->pauseButton(), Qt::LeftButton);
        QVERIFY(!view->isPaused());
        QCOMPARE(view->model()->waitingCount(), qint64(0));
        QTRY_COMPARE_WITH_TIMEOUT(view->model()->rowCount(), before + 12, 10000);
    }

    void opensFollowingTheNewestRow()
    {
        // A session that ended scrolled back must not open the next one scrolled back: the
        // tail always opens on the newest row.
        QSettings().setValue(QStringLiteral("views/live/follow"), false);
        m_fx.ingest(batch(150));
        MainWindow window(*m_fx.bridge);
        window.restoreSettings();
        window.resize(1280, 720);
        window.show();
        window.showView(QStringLiteral("overview"));
        LiveView* view = window.liveView();
        QTRY_VERIFY_WITH_TIMEOUT(view->model()->rowCount() > 150, 10000);
        m_fx.ingest(batch(5)); // arrives while the tail is hidden
        QTRY_COMPARE_WITH_TIMEOUT(view->model()->summaryAt(view->model()->rowCount() - 1)->eventId,
                                  QStringLiteral("live-%1").arg(m_next - 1), 10000);
        window.showView(QStringLiteral("live"));
        QTRY_VERIFY_WITH_TIMEOUT(newestVisible(*view), 5000);
        QVERIFY(view->isFollowing());
        QVERIFY(followBox(*view)->isChecked());
        QCOMPARE(view->waitingLabel()->text(), QStringLiteral("Live"));
        QSettings().remove(QStringLiteral("views/live"));
    }

    void followCheckboxReturnsToTheNewestRow()
    {
        LiveView view(*m_fx.bridge);
        view.resize(1000, 400);
        view.show();
        QTRY_VERIFY_WITH_TIMEOUT(view.model()->rowCount() > 100, 10000);
        QTRY_VERIFY_WITH_TIMEOUT(newestVisible(view), 5000);

        // Scrolling back leaves follow mode, and the status says the tail is not in view.
        view.table()->verticalScrollBar()->setValue(0);
        QVERIFY(!view.isFollowing());
        QVERIFY(!newestVisible(view));
        QVERIFY2(view.waitingLabel()->text().contains(QStringLiteral("scrolled back")),
                 qPrintable(view.waitingLabel()->text()));
        // A click on Follow brings the newest row back, and new rows keep it there.
        QCheckBox* follow = followBox(view);
        QTest::mouseClick(follow, Qt::LeftButton, {}, QPoint(8, follow->height() / 2));
        QVERIFY(follow->isChecked());
        QTRY_VERIFY_WITH_TIMEOUT(newestVisible(view), 5000);
        m_fx.ingest(batch(40));
        QTRY_COMPARE_WITH_TIMEOUT(view.model()->summaryAt(view.model()->rowCount() - 1)->eventId,
                                  QStringLiteral("live-%1").arg(m_next - 1), 10000);
        QTRY_VERIFY_WITH_TIMEOUT(newestVisible(view), 5000);
        QCOMPARE(view.waitingLabel()->text(), QStringLiteral("Live"));

        // Paused, the box shows where the view is, and scrolling to the end does not resume;
        // a click on Follow means "show me the newest": it resumes the tail.
        view.setPaused(true);
        m_fx.ingest(batch(3));
        QTRY_COMPARE_WITH_TIMEOUT(view.model()->waitingCount(), qint64(3), 10000);
        view.table()->verticalScrollBar()->setValue(0);
        QVERIFY(!follow->isChecked());
        view.table()->scrollToBottom();
        QVERIFY(follow->isChecked());
        QVERIFY(view.isPaused());
        view.table()->verticalScrollBar()->setValue(0);
        QVERIFY(!follow->isChecked());
        QTest::mouseClick(follow, Qt::LeftButton, {}, QPoint(8, follow->height() / 2));
        QVERIFY(!view.isPaused());
        QTRY_COMPARE_WITH_TIMEOUT(view.model()->summaryAt(view.model()->rowCount() - 1)->eventId,
                                  QStringLiteral("live-%1").arg(m_next - 1), 10000);
        QTRY_VERIFY_WITH_TIMEOUT(newestVisible(view), 5000);
    }

    void detailPaneKeepsItsEventWhenTheRingDropsTheRow()
    {
        LiveView view(*m_fx.bridge);
        view.show();
        QTRY_VERIFY_WITH_TIMEOUT(view.model()->rowCount() > 10, 10000);
        // The oldest row is selected; then the ring drops it to make room for new rows.
        view.table()->selectRow(0);
        const qint64 chosen = view.model()->summaryAt(0)->rowId;
        QTRY_COMPARE_WITH_TIMEOUT(view.detailPane()->rowId(), chosen, 5000);
        // Exactly one row too many: only the selected row goes, and the next one moves up.
        QVector<EventSummary> flood;
        const qint64 newest = view.model()->summaryAt(view.model()->rowCount() - 1)->rowId;
        const int excess = LiveModel::kCapacity - view.model()->rowCount() + 1;
        const qint64 next = view.model()->summaryAt(1)->rowId;
        for (int i = 1; i <= excess; ++i) {
            EventSummary e;
            e.rowId = newest + i;
            e.timestampMs = QDateTime::currentMSecsSinceEpoch();
            e.eventId = QStringLiteral("flood-%1").arg(i);
            flood.push_back(e);
        }
        view.model()->append(flood);
        view.model()->flush();
        QCOMPARE(view.model()->summaryAt(0)->rowId, next);
        QCOMPARE(view.detailPane()->rowId(), chosen); // not the row that moved into its place
        QVERIFY(!view.table()->selectionModel()->hasSelection());
    }

    void contextMenuNarrowsCopiesAndOpens()
    {
        m_fx.ingest(batch(3, QStringLiteral("sql-writer"), QStringLiteral("warning")));
        MainWindow window(*m_fx.bridge);
        window.show();
        window.showView(QStringLiteral("live"));
        LiveView* view = window.liveView();
        QTRY_VERIFY_WITH_TIMEOUT(view->model()->rowCount() > 3, 10000);
        auto* menus = view->table()->findChild<EventTableMenu*>();
        QVERIFY2(menus, "the live table has a context menu");
        QCOMPARE(view->table()->contextMenuPolicy(), Qt::CustomContextMenu);
        const int last = view->model()->rowCount() - 1;
        const QModelIndex row = view->model()->index(last, ColSummary);
        auto action = [&](const QString& name) -> QAction* {
            std::unique_ptr<QMenu> menu(menus->menuFor(row));
            for (QAction* a : menu->actions())
                if (a->objectName() == name) {
                    a->setParent(nullptr); // outlives the menu for the trigger below
                    return a;
                }
            return nullptr;
        };

        // Copy the clicked value.
        std::unique_ptr<QAction> copy(action(QStringLiteral("Copy Value")));
        QVERIFY(copy);
        copy->trigger();
        QCOMPARE(QGuiApplication::clipboard()->text(), row.data().toString());

        // Only this agent: the tail narrows to it.
        std::unique_ptr<QAction> agent(action(QStringLiteral("Only Agent “sql-writer”")));
        QVERIFY(agent);
        agent->trigger();
        QCOMPARE(view->model()->filter().agent, QStringLiteral("sql-writer"));
        QTRY_COMPARE_WITH_TIMEOUT(view->model()->rowCount(), 3, 10000);
        for (int r = 0; r < view->model()->rowCount(); ++r)
            QCOMPARE(view->model()->index(r, ColAgent).data().toString(), QStringLiteral("sql-writer"));

        // Clear Filters brings every row back.
        std::unique_ptr<QAction> clear(action(QStringLiteral("Clear Filters")));
        QVERIFY(clear);
        clear->trigger();
        QTRY_VERIFY_WITH_TIMEOUT(view->model()->rowCount() > 3, 10000);

        // The thread in the Events view.
        std::unique_ptr<QAction> open(action(QStringLiteral("Open Thread “t-live” in Events")));
        QVERIFY(open);
        open->trigger();
        QCOMPARE(window.currentViewId(), QStringLiteral("events"));
        QCOMPARE(window.eventsView()->model()->query().threadId, QStringLiteral("t-live"));
    }

    void liveFiltersChangeTheRows()
    {
        LiveView view(*m_fx.bridge);
        view.show();
        QAbstractItemModelTester tester(view.model(), QAbstractItemModelTester::FailureReportingMode::QtTest);
        QTRY_VERIFY_WITH_TIMEOUT(view.model()->rowCount() > 0, 10000);
        auto* severity = view.findChild<QComboBox*>(QStringLiteral("severityFilter"));
        severity->setCurrentIndex(severity->findData(2));
        Q_EMIT severity->activated(severity->currentIndex());
        QTRY_COMPARE_WITH_TIMEOUT(view.model()->rowCount(), 0, 10000);
        m_fx.ingest(batch(5));
        m_fx.ingest(batch(3, QStringLiteral("sql-writer"), QStringLiteral("error")));
        QTRY_COMPARE_WITH_TIMEOUT(view.model()->rowCount(), 3, 10000);
        for (int r = 0; r < 3; ++r)
            QCOMPARE(view.model()->index(r, ColAgent).data().toString(), QStringLiteral("sql-writer"));

        // Free text on top: only the last of those three.
        auto* search = view.findChild<QLineEdit*>(QStringLiteral("searchBox"));
        search->setText(QStringLiteral("live question %1").arg(m_next - 1));
        QTest::keyClick(search, Qt::Key_Return);
        QTRY_COMPARE_WITH_TIMEOUT(view.model()->rowCount(), 1, 10000);
    }

    void ringIsCapped()
    {
        LiveModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        QVector<EventSummary> rows;
        for (int i = 1; i <= LiveModel::kCapacity + 500; ++i) {
            EventSummary e;
            e.rowId = i;
            e.timestampMs = i;
            rows.push_back(e);
        }
        model.append(rows.mid(0, 6000));
        model.flush();
        model.append(rows.mid(6000));
        model.flush();
        QCOMPARE(model.rowCount(), LiveModel::kCapacity);
        QCOMPARE(model.summaryAt(0)->rowId, qint64(501));
        QCOMPARE(model.summaryAt(LiveModel::kCapacity - 1)->rowId, qint64(LiveModel::kCapacity + 500));
        // Paused, the waiting buffer is capped too but the count is not.
        model.setPaused(true);
        QVector<EventSummary> more;
        for (int i = 1; i <= LiveModel::kCapacity + 10; ++i) {
            EventSummary e;
            e.rowId = LiveModel::kCapacity + 500 + i;
            more.push_back(e);
        }
        model.append(more);
        QCOMPARE(model.waitingCount(), qint64(LiveModel::kCapacity + 10));
        QCOMPARE(model.pendingCount(), qint64(LiveModel::kCapacity));
        model.setPaused(false);
        QCOMPARE(model.rowCount(), LiveModel::kCapacity);
        QCOMPARE(model.summaryAt(LiveModel::kCapacity - 1)->rowId, more.back().rowId);
    }

    void loadOlderPagesFromTheDatabase()
    {
        LiveView view(*m_fx.bridge);
        view.show();
        QTRY_VERIFY_WITH_TIMEOUT(view.model()->rowCount() > 10, 10000);
        const int stored = view.model()->rowCount();
        // Keep only the newest five rows in the ring, then page the older ones back in.
        QVector<EventSummary> newest;
        for (int r = stored - 5; r < stored; ++r)
            newest << *view.model()->summaryAt(r);
        view.model()->setRecent(newest);
        QCOMPARE(view.model()->rowCount(), 5);
        view.loadOlder();
        QVERIFY(view.isPaused());
        QTRY_COMPARE_WITH_TIMEOUT(view.model()->rowCount(), stored, 10000);
        for (int r = 1; r < stored; ++r)
            QVERIFY(view.model()->summaryAt(r - 1)->rowId < view.model()->summaryAt(r)->rowId);
    }
};

QTEST_MAIN(TestLiveView)
#include "tst_liveview.moc"
