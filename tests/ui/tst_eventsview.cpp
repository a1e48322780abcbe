// SPDX-License-Identifier: Apache-2.0
// The history window (issue 2): lists the rows of a small database paged by keyset, sorts
// by time, filters change the rows, and the detail pane shows the event's JSON.

#include "uitestsupport.h"

#include "common/eventcolumns.h"
#include "common/eventdetailpane.h"
#include "common/eventfilterbar.h"
#include "events/eventsmodel.h"
#include "events/eventsview.h"
#include "mainwindow.h"

#include <QAbstractItemModelTester>
#include <QComboBox>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QSignalSpy>
#include <QTableView>

using namespace vigil::ui;
using namespace vigil::test;

class TestEventsView : public QObject
{
    Q_OBJECT

private:
    static constexpr qint64 kBase = 1767225600000; // 2026-01-01T00:00:00Z
    static constexpr int kEvents = 450;

    Fixture m_fx;

    // Waits until the model has stopped loading; then returns its row count.
    static int settle(EventsModel* model)
    {
        if (!QTest::qWaitFor([model] { return !model->isLoading(); }, 20000))
            return -1;
        return model->rowCount();
    }

    // Loads every page of `model` (as scrolling to the end would).
    static int loadAll(EventsModel* model)
    {
        settle(model);
        while (model->canFetchMore({})) {
            model->fetchMore({});
            settle(model);
        }
        return model->rowCount();
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_fx.open());
        QList<QByteArray> lines;
        for (int i = 0; i < kEvents; ++i) {
            const QString severity = i % 50 == 0 ? QStringLiteral("critical") : i % 10 == 0 ? QStringLiteral("warning") : QStringLiteral("info");
            const QString agent = i % 3 == 0 ? QStringLiteral("sql-writer") : QStringLiteral("brain");
            lines << eventLine(kBase + i * 1000, QStringLiteral("user_query_received"), agent, severity,
                               QStringLiteral("t-%1").arg(i / 10),
                               queryDetails(QStringLiteral("Viewers of channel %1 by region").arg(i)),
                               QStringLiteral("ev-%1").arg(i));
        }
        m_fx.ingest(lines);
    }

    void listsTheRowsOfTheDatabase()
    {
        MainWindow window(*m_fx.bridge);
        window.show();
        window.showView(QStringLiteral("events"));
        EventsView* view = window.eventsView();
        EventsModel* model = view->model();
        QAbstractItemModelTester tester(model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        QVERIFY(settle(model) >= EventsModel::kPageSize);
        QCOMPARE(model->totalCount(), qint64(kEvents));
        // Newest first by default.
        QCOMPARE(model->index(0, ColSummary).data().toString(), QStringLiteral("Viewers of channel 449 by region"));
        QCOMPARE(model->index(0, ColAgent).data().toString(), QStringLiteral("brain"));
        QCOMPARE(loadAll(model), kEvents);
        QCOMPARE(model->index(kEvents - 1, ColSummary).data().toString(), QStringLiteral("Viewers of channel 0 by region"));
        // Rows are unique and strictly ordered by time across page borders.
        qint64 previous = std::numeric_limits<qint64>::max();
        for (int r = 0; r < model->rowCount(); ++r) {
            const qint64 ts = model->index(r, 0).data(TimestampRole).toLongLong();
            QVERIFY2(ts < previous, qPrintable(QStringLiteral("row %1").arg(r)));
            previous = ts;
        }
    }

    void pagesNeverTheWholeTable()
    {
        // No model tester here: it calls fetchMore() itself.
        EventsModel model(*m_fx.bridge);
        model.reload();
        QCOMPARE(settle(&model), EventsModel::kPageSize);
        QVERIFY(model.canFetchMore({}));
        model.fetchMore({});
        // Placeholders stand for the page until it arrives.
        QCOMPARE(model.rowCount(), 2 * EventsModel::kPageSize);
        QVERIFY(model.index(EventsModel::kPageSize + 1, 0).data(PlaceholderRole).toBool());
        QCOMPARE(settle(&model), 2 * EventsModel::kPageSize);
        model.fetchMore({});
        QCOMPARE(settle(&model), kEvents);
        QVERIFY(!model.canFetchMore({}));
    }

    void sortsByTime()
    {
        EventsView view(*m_fx.bridge);
        EventsModel* model = view.model();
        QAbstractItemModelTester tester(model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        settle(model);
        model->sort(ColTime, Qt::AscendingOrder);
        settle(model);
        QCOMPARE(model->index(0, ColSummary).data().toString(), QStringLiteral("Viewers of channel 0 by region"));
        QCOMPARE(loadAll(model), kEvents);
        QCOMPARE(model->index(kEvents - 1, ColSummary).data().toString(), QStringLiteral("Viewers of channel 449 by region"));
        model->sort(ColTime, Qt::DescendingOrder);
        settle(model);
        QCOMPARE(model->index(0, ColSummary).data().toString(), QStringLiteral("Viewers of channel 449 by region"));
    }

    void filtersChangeTheRows()
    {
        EventsView view(*m_fx.bridge);
        view.show();
        EventsModel* model = view.model();
        QAbstractItemModelTester tester(model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        settle(model);

        // Severity picker: critical only (every 50th event).
        auto* severity = view.findChild<QComboBox*>(QStringLiteral("severityFilter"));
        QVERIFY(severity);
        severity->setCurrentIndex(severity->findData(3));
        Q_EMIT severity->activated(severity->currentIndex());
        QCOMPARE(loadAll(model), kEvents / 50);
        for (int r = 0; r < model->rowCount(); ++r)
            QCOMPARE(model->index(r, ColSeverity).data().toString(), QStringLiteral("critical"));

        // Agent on top of it.
        severity->setCurrentIndex(0);
        auto* agent = view.findChild<QComboBox*>(QStringLiteral("agentFilter"));
        QTRY_VERIFY_WITH_TIMEOUT(agent->findData(QStringLiteral("sql-writer")) >= 0, 10000);
        agent->setCurrentIndex(agent->findData(QStringLiteral("sql-writer")));
        Q_EMIT agent->activated(agent->currentIndex());
        QCOMPARE(loadAll(model), kEvents / 3);

        // Free text in the details, typed into the search box.
        agent->setCurrentIndex(0);
        auto* search = view.findChild<QLineEdit*>(QStringLiteral("searchBox"));
        QTest::keyClicks(search, QStringLiteral("channel 44"));
        QTest::keyClick(search, Qt::Key_Return);
        QCOMPARE(loadAll(model), 11); // 44 and 440..449
        // Text that a query would treat as syntax is only ever a substring.
        search->setText(QStringLiteral("'; DROP TABLE events; --"));
        QTest::keyClick(search, Qt::Key_Return);
        QCOMPARE(loadAll(model), 0);
    }

    void staleFilterPagesAreDropped()
    {
        EventsModel model(*m_fx.bridge);
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        EventQuery critical;
        critical.minSeverity = 3;
        EventQuery warning;
        warning.minSeverity = 1;
        // Three queries in a row: only the last one's pages may land.
        model.setQuery(EventQuery{});
        model.setQuery(warning);
        model.setQuery(critical);
        QCOMPARE(loadAll(&model), kEvents / 50);
        for (int r = 0; r < model.rowCount(); ++r)
            QCOMPARE(model.index(r, ColSeverity).data().toString(), QStringLiteral("critical"));
    }

    void evictedPagesReloadByKey()
    {
        EventsModel model(*m_fx.bridge);
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.reload();
        QCOMPARE(loadAll(&model), kEvents);
        const QString first = model.index(0, ColSummary).data().toString();
        QVERIFY(model.loadedPageCount() <= EventsModel::kMaxLoadedPages);
        // Touch the first page again: still (or again) the same row.
        QTRY_COMPARE_WITH_TIMEOUT(model.index(0, ColSummary).data().toString(), first, 10000);
    }

    void detailPaneShowsTheJson()
    {
        EventsView view(*m_fx.bridge);
        view.show();
        settle(view.model());
        QSignalSpy shown(view.detailPane(), &EventDetailPane::detailShown);
        view.table()->selectRow(0);
        QVERIFY(shown.wait(10000));
        const QString json = view.detailPane()->jsonText();
        QVERIFY2(json.contains(QStringLiteral("\"event_type\": \"user_query_received\"")), qPrintable(json));
        QVERIFY(json.contains(QStringLiteral("\"query\": \"Viewers of channel 449 by region\"")));
        QVERIFY(json.contains(QStringLiteral("\"event_id\": \"ev-449\"")));
    }
};

QTEST_MAIN(TestEventsView)
#include "tst_eventsview.moc"
