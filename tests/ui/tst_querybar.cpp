// SPDX-License-Identifier: Apache-2.0
// The query bar of the Events view (saved queries, issue 17): a typed query runs on the
// bridge and its events fill the events table; stats fill the results table; an error is
// shown under the bar with the cursor at its column; completion offers fields; saved and
// built-in queries run from the drop-down; Esc, Ctrl+L and "/".

#include "uitestsupport.h"

#include "common/eventcolumns.h"
#include "common/eventdetailpane.h"
#include "events/eventsmodel.h"
#include "events/eventsview.h"
#include "events/querybar.h"
#include "events/queryresultmodel.h"

#include <QAbstractItemModelTester>
#include <QComboBox>
#include <QCompleter>
#include <QLabel>
#include <QSignalSpy>
#include <QStringListModel>
#include <QTableView>
#include <QToolButton>

using namespace vigil::ui;
using namespace vigil::test;

class TestQueryBar : public QObject
{
    Q_OBJECT

private:
    static constexpr qint64 kBase = 1795255200000; // 2026-11-21T10:00:00Z
    Fixture m_fx;

    static QByteArray toolDetails(const char* outcome)
    {
        return QByteArray("{\"action\":\"s3:GetObject\",\"resource\":\"arn:aws:s3:::b/k\",\"outcome\":\"") + outcome +
               "\"}";
    }

    // Types `text` into the bar and presses Enter, as a user would.
    static void typeAndRun(QueryBar* bar, const QString& text)
    {
        bar->lineEdit()->clear();
        // QTest types Latin-1 only; other text is set as a paste would.
        bool ascii = true;
        for (QChar c : text)
            ascii = ascii && c.unicode() < 0x80;
        if (ascii)
            QTest::keyClicks(bar->lineEdit(), text);
        else
            bar->lineEdit()->setText(text);
        // Completion may have opened its popup on the last word; Enter is then the popup's.
        bar->lineEdit()->completer()->popup()->hide();
        QTest::keyClick(bar->lineEdit(), Qt::Key_Return);
    }

    static bool waitIdle(QueryBar* bar)
    {
        return QTest::qWaitFor([bar] { return !bar->isRunning(); }, 20000);
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_fx.open());
        QList<QByteArray> lines;
        lines << eventLine(kBase + 1000, QStringLiteral("security_event"), QStringLiteral("guard"),
                           QStringLiteral("warning"), QStringLiteral("t-1"),
                           "{\"type\":\"prompt_injection\",\"details\":\"blocked an override\"}", QStringLiteral("s1"));
        lines << eventLine(kBase + 2000, QStringLiteral("tool_call"), QStringLiteral("sql-writer"),
                           QStringLiteral("info"), QStringLiteral("t-1"), toolDetails("denied"), QStringLiteral("c1"));
        lines << eventLine(kBase + 3000, QStringLiteral("tool_call"), QStringLiteral("reporter"),
                           QStringLiteral("info"), QStringLiteral("t-2"), toolDetails("denied"), QStringLiteral("c2"));
        lines << eventLine(kBase + 4000, QStringLiteral("tool_call"), QStringLiteral("reporter"),
                           QStringLiteral("info"), QStringLiteral("t-2"), toolDetails("denied"), QStringLiteral("c3"));
        lines << eventLine(kBase + 5000, QStringLiteral("security_event"), QStringLiteral("brain"),
                           QStringLiteral("critical"), QStringLiteral("t-3"),
                           "{\"type\":\"exfiltration\",\"details\":\"large export\"}", QStringLiteral("s2"));
        for (int i = 0; i < 20; ++i)
            lines << eventLine(kBase + 10000 + i, QStringLiteral("user_query_received"), QStringLiteral("brain"),
                               QStringLiteral("info"), QStringLiteral("t-4"),
                               queryDetails(QStringLiteral("Viewers of channel %1").arg(i)), QStringLiteral("q%1").arg(i));
        m_fx.ingest(lines);
    }

    void typedQueryFillsTheEventsTable()
    {
        EventsView view(*m_fx.bridge);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        EventsModel* model = view.model();
        QAbstractItemModelTester tester(model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        QVERIFY(QTest::qWaitFor([model] { return !model->isLoading(); }, 20000));
        QCOMPARE(model->rowCount(), 25);

        QueryBar* bar = view.queryBar();
        typeAndRun(bar, QStringLiteral("fields @timestamp, agent_name | filter event_type = \"security_event\" "
                                       "| sort @timestamp desc | limit 100"));
        QVERIFY(QTest::qWaitFor([&] { return view.showsQueryResult(); }, 20000));
        QVERIFY(model->showsQueryRows());
        QVERIFY(view.table()->isVisible());
        QVERIFY(!view.queryResultsTable()->isVisible());
        QCOMPARE(model->rowCount(), 2);
        QCOMPARE(model->index(0, ColAgent).data().toString(), QStringLiteral("brain"));
        QCOMPARE(model->index(1, ColAgent).data().toString(), QStringLiteral("guard"));
        QCOMPARE(model->index(0, ColType).data().toString(), QStringLiteral("security_event"));
        QVERIFY(!bar->errorLabel()->isVisible());
        // The row opens in the detail pane.
        view.table()->selectRow(0);
        QTRY_VERIFY(view.detailPane()->rowId() > 0);
        // Sorting the header does not reorder a query's rows (its sort decides).
        model->sort(ColTime, Qt::AscendingOrder);
        QCOMPARE(model->index(0, ColAgent).data().toString(), QStringLiteral("brain"));

        // Esc goes back to the list of the filters.
        bar->lineEdit()->setFocus();
        QTest::keyClick(bar->lineEdit(), Qt::Key_Escape);
        QVERIFY(bar->lineEdit()->text().isEmpty());
        QVERIFY(!view.showsQueryResult());
        QVERIFY(QTest::qWaitFor([model] { return !model->isLoading(); }, 20000));
        QVERIFY(!model->showsQueryRows());
        QCOMPARE(model->rowCount(), 25);
    }

    void errorPointsAtItsColumn()
    {
        EventsView view(*m_fx.bridge);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        QueryBar* bar = view.queryBar();
        typeAndRun(bar, QStringLiteral("filter agnt = \"x\" | limit 5"));
        QVERIFY(QTest::qWaitFor([bar] { return bar->errorLabel()->isVisible(); }, 20000));
        QCOMPARE(bar->errorLabel()->text(), QStringLiteral("unknown field 'agnt' at column 8; did you mean 'agent'?"));
        QCOMPARE(bar->errorLabel()->property("role").toString(), QStringLiteral("error"));
        QVERIFY(bar->lineEdit()->property("invalid").toBool());
        QCOMPARE(bar->lineEdit()->cursorPosition(), 7);
        QCOMPARE(bar->lineEdit()->selectedText(), QStringLiteral("agnt"));
        QVERIFY(!view.showsQueryResult());

        // Positions count characters of the line, not bytes: "é" is one.
        typeAndRun(bar, QStringLiteral("filter agent = \"é\" and severty = 1"));
        QVERIFY(QTest::qWaitFor([bar] { return bar->errorLabel()->text().contains(u"severty"); }, 20000));
        QCOMPARE(bar->errorLabel()->text(), QStringLiteral("unknown field 'severty' at column 24; did you mean 'severity'?"));
        QCOMPARE(bar->lineEdit()->cursorPosition(), 23);
        QCOMPARE(bar->lineEdit()->selectedText(), QStringLiteral("severty"));

        // Editing clears the red frame; a good query hides the message.
        QTest::keyClick(bar->lineEdit(), Qt::Key_End);
        QTest::keyClick(bar->lineEdit(), Qt::Key_Space);
        QVERIFY(!bar->lineEdit()->property("invalid").toBool());
        typeAndRun(bar, QStringLiteral("filter severity = \"critical\""));
        QVERIFY(QTest::qWaitFor([&] { return view.showsQueryResult(); }, 20000));
        QVERIFY(!bar->errorLabel()->isVisible());
        QCOMPARE(view.model()->rowCount(), 1);
    }

    void statsFillTheResultsTable()
    {
        EventsView view(*m_fx.bridge);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        QAbstractItemModelTester tester(view.queryResultModel(), QAbstractItemModelTester::FailureReportingMode::QtTest);
        typeAndRun(view.queryBar(), QStringLiteral("filter event_type = \"tool_call\" and details.outcome = \"denied\" "
                                                   "| stats count() as denied by agent"));
        QVERIFY(QTest::qWaitFor([&] { return view.showsQueryResult(); }, 20000));
        QVERIFY(view.queryResultsTable()->isVisible());
        QVERIFY(!view.table()->isVisible());
        QueryResultModel* m = view.queryResultModel();
        QCOMPARE(m->columnCount(), 2);
        QCOMPARE(m->headerData(0, Qt::Horizontal).toString(), QStringLiteral("agent"));
        QCOMPARE(m->headerData(1, Qt::Horizontal).toString(), QStringLiteral("denied"));
        QCOMPARE(m->rowCount(), 2);
        QCOMPARE(m->index(0, 0).data().toString(), QStringLiteral("reporter"));
        QCOMPARE(m->index(0, 1).data().toString(), QStringLiteral("2"));
        QCOMPARE(m->index(1, 0).data().toString(), QStringLiteral("sql-writer"));

        // A query of findings' fields lists rows there too, each opening its event.
        typeAndRun(view.queryBar(), QStringLiteral("source findings | stats count()"));
        QVERIFY(QTest::qWaitFor([m] { return m->columnCount() == 1; }, 20000));
        QCOMPARE(m->headerData(0, Qt::Horizontal).toString(), QStringLiteral("count"));
    }

    void completionOffersFields()
    {
        EventsView view(*m_fx.bridge);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        QueryLineEdit* line = view.queryBar()->lineEdit();
        line->setFocus();
        QTest::keyClicks(line, QStringLiteral("filter ag"));
        QCompleter* c = line->completer();
        QCOMPARE(c->completionPrefix(), QStringLiteral("ag"));
        QStringList offered;
        for (int r = 0; r < c->completionModel()->rowCount(); ++r)
            offered << c->completionModel()->index(r, 0).data().toString();
        QCOMPARE(offered, (QStringList{QStringLiteral("agent"), QStringLiteral("agent_name")}));
        QVERIFY(c->popup()->isVisible());
        // Enter in the popup takes the first offer, in place of the typed prefix.
        QTest::keyClick(c->popup(), Qt::Key_Return);
        QCOMPARE(line->text(), QStringLiteral("filter agent"));
        QVERIFY(!view.showsQueryResult()); // that Enter was the popup's, not a run

        // Commands and finding fields after a pipe.
        QTest::keyClicks(line, QStringLiteral(" = \"a\" | so"));
        QCOMPARE(c->completionPrefix(), QStringLiteral("so"));
        QCOMPARE(c->currentCompletion(), QStringLiteral("sort"));
        c->popup()->hide();
        line->clear();
        QTest::keyClicks(line, QStringLiteral("filter finding.ca"));
        QCOMPARE(c->currentCompletion(), QStringLiteral("finding.category"));
    }

    void savedQueriesRunAndSave()
    {
        EventsView view(*m_fx.bridge);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        QueryBar* bar = view.queryBar();
        QComboBox* saved = bar->savedBox();
        QVERIFY(QTest::qWaitFor([saved] { return saved->findText(QStringLiteral("suspicious-activity")) > 0; }, 20000));
        QVERIFY(saved->findText(QStringLiteral("denied-tool-calls")) > 0);

        // Picking the guide's query runs it.
        const int index = saved->findText(QStringLiteral("suspicious-activity"));
        saved->setCurrentIndex(index);
        Q_EMIT saved->activated(index);
        QVERIFY(QTest::qWaitFor([&] { return view.showsQueryResult(); }, 20000));
        QVERIFY(bar->lineEdit()->text().startsWith(u"fields @timestamp, event_type, agent_name, details"));
        QCOMPARE(view.model()->rowCount(), 2);

        // Saving goes through the writer and the drop-down lists the new query.
        bar->lineEdit()->setText(QStringLiteral("filter agent = \"reporter\""));
        QSignalSpy savedSpy(m_fx.bridge.get(), &EngineBridge::querySaved);
        bar->saveAs(QStringLiteral("reporter-only"));
        // The writer may report before a wait() begins: wait for the count instead.
        QTRY_COMPARE_WITH_TIMEOUT(savedSpy.count(), 1, 20000);
        QVERIFY(savedSpy.at(0).at(1).toBool());
        QTRY_COMPARE(bar->errorLabel()->text(), QStringLiteral("Saved query reporter-only"));
        QVERIFY(QTest::qWaitFor([saved] { return saved->findText(QStringLiteral("reporter-only")) > 0; }, 20000));
        const int mine = saved->findText(QStringLiteral("reporter-only"));
        QCOMPARE(saved->itemData(mine).toString(), QStringLiteral("filter agent = \"reporter\""));
        Q_EMIT saved->activated(mine);
        QVERIFY(QTest::qWaitFor([&] { return view.model()->rowCount() == 2 && view.showsQueryResult() &&
                                             view.model()->index(0, ColAgent).data().toString() == u"reporter"; },
                                20000));

        // A built-in's name is refused, with the reason in the bar.
        savedSpy.clear();
        bar->saveAs(QStringLiteral("suspicious-activity"));
        QTRY_COMPARE_WITH_TIMEOUT(savedSpy.count(), 1, 20000);
        QVERIFY(!savedSpy.at(0).at(1).toBool());
        QTRY_COMPARE(bar->errorLabel()->text(),
                 QStringLiteral("'suspicious-activity' is a built-in query; choose another name"));
        QVERIFY(m_fx.bridge->deleteSavedQuery(QStringLiteral("reporter-only")) != 0);
    }

    void keyboardFocusesTheBar()
    {
        EventsView view(*m_fx.bridge);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        QApplication::setActiveWindow(&view);
        QVERIFY(QTest::qWaitForWindowActive(&view));
        view.table()->setFocus();
        QTRY_VERIFY(view.table()->hasFocus());
        QTest::keyClick(view.table(), Qt::Key_L, Qt::ControlModifier);
        QTRY_VERIFY(view.queryBar()->lineEdit()->hasFocus());
        view.table()->setFocus();
        QTRY_VERIFY(view.table()->hasFocus());
        QTest::keyClick(view.table(), Qt::Key_Slash);
        QTRY_VERIFY(view.queryBar()->lineEdit()->hasFocus());
        // In the line itself "/" is text.
        QTest::keyClick(view.queryBar()->lineEdit(), Qt::Key_Slash, Qt::NoModifier);
        QCOMPARE(view.queryBar()->lineEdit()->text(), QStringLiteral("/"));
    }
};

QTEST_MAIN(TestQueryBar)
#include "tst_querybar.moc"
