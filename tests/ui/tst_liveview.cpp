// SPDX-License-Identifier: Apache-2.0
// The live tail: committed events appear, pause holds them with a waiting count and resume
// shows them, live filters, the capped ring.

#include "uitestsupport.h"

#include "common/eventcolumns.h"
#include "common/eventfilterbar.h"
#include "live/livemodel.h"
#include "live/liveview.h"
#include "mainwindow.h"

#include <QAbstractItemModelTester>
#include <QComboBox>
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
