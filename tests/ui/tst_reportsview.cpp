// SPDX-License-Identifier: Apache-2.0
// The Reports view offscreen: a preview built off the UI thread (redacted by default),
// Save with overwrite confirmation (declined: the file stays; accepted: replaced), the
// window, GDPR erasure from the app with verify still passing, and retention on demand.
#include "uitestsupport.h"

#include "bridge/enginebridge.h"
#include "mainwindow.h"
#include "events/eventsmodel.h"
#include "events/eventsview.h"
#include "report/reportsview.h"
#include "theme.h"
#include "store/chainverifier.h"
#include "store/database.h"
#include "store/storewriter.h"

#include <QCheckBox>
#include <QComboBox>
#include <QFile>
#include <QLineEdit>
#include <QPushButton>
#include <QSignalSpy>
#include <QTextBrowser>

using namespace vigil::ui;
using namespace vigil::test;

namespace {
constexpr qint64 kBase = 1767225600000; // 2026-01-01
}

class TestReportsView : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void registersInTheWindow();
    void previewIsRedactedByDefault();
    void saveAsksBeforeReplacing();
    void unredactedSaysSo();
    void eraseFromTheApp();
    void retentionDeclinedRemovesNothing();
    void retentionOnDemand();
    void archiveIsNotPurgedOnItsOwn();

private:
    std::unique_ptr<Fixture> m_fx;
    std::unique_ptr<ReportsView> m_view;
    QStringList m_questions;
    bool m_answer = true;
    QString m_chosen;
};

void TestReportsView::initTestCase()
{
    m_fx = std::make_unique<Fixture>();
    qputenv("XDG_CONFIG_HOME", (m_fx->dir.path() + QStringLiteral("/xdg")).toUtf8());
    QVERIFY(m_fx->open());
    QList<QByteArray> lines;
    for (int i = 0; i < 20; ++i)
        lines << eventLine(
            kBase + i * 1000, QStringLiteral("user_query_received"), QStringLiteral("brain"),
            QStringLiteral("info"), QStringLiteral("t-%1").arg(i % 4),
            queryDetails(i == 3 ? QStringLiteral("mail me at jane.roe@example.com please")
                                : QStringLiteral("viewers by region %1").arg(i)));
    m_fx->ingest(lines);
    m_view = std::make_unique<ReportsView>(*m_fx->bridge);
    m_view->setDialogHooks([this](const QString&) { return m_chosen; },
                           [this](const QString& q) {
                               m_questions << q;
                               return m_answer;
                           });
}

void TestReportsView::registersInTheWindow()
{
    MainWindow window(*m_fx->bridge);
    QVERIFY(window.viewIds().contains(QStringLiteral("reports")));
    QVERIFY(qobject_cast<ReportsView*>(window.view(QStringLiteral("reports"))));
}

void TestReportsView::previewIsRedactedByDefault()
{
    auto* kind = m_view->findChild<QComboBox*>(QStringLiteral("reportKind"));
    auto* format = m_view->findChild<QComboBox*>(QStringLiteral("reportFormat"));
    QVERIFY(kind && format);
    kind->setCurrentIndex(kind->findData(QStringLiteral("gdpr")));
    format->setCurrentIndex(format->findData(QStringLiteral("html")));
    QSignalSpy ready(m_view.get(), &ReportsView::previewUpdated);
    m_view->generate();
    QVERIFY(ready.wait(20000));
    const QString html =
        m_view->findChild<QTextBrowser*>(QStringLiteral("reportPreview"))->toHtml();
    QVERIFY(html.contains(QStringLiteral("GDPR compliance report")));
    QVERIFY(html.contains(QStringLiteral("[REDACTED:pii.email]")));
    QVERIFY(!html.contains(QStringLiteral("jane.roe@example.com")));
    QVERIFY(m_view->result().ok);
    QCOMPARE(m_view->result().chainHead.size(), 64);
    QVERIFY(m_view->result().chainStatus.startsWith(QStringLiteral("intact")));
    QVERIFY(!m_view->result().bytes.contains("jane.roe@example.com"));
    QVERIFY(m_view->result().bytes.contains("<svg")); // the file keeps its SVG charts

    // The preview stays dark text on white paper in the dark theme too.
    auto* preview = m_view->findChild<QTextBrowser*>(QStringLiteral("reportPreview"));
    Theme::instance().apply(Theme::modeFromName(QStringLiteral("dark")));
    QVERIFY(qApp->palette().color(QPalette::Base).lightness() < 100);
    QCOMPARE(preview->palette().color(QPalette::Base), QColor(Qt::white));
    QVERIFY(preview->palette().color(QPalette::Text).lightness() < 60);
    Theme::instance().apply(Theme::modeFromName(QStringLiteral("light")));
}

void TestReportsView::saveAsksBeforeReplacing()
{
    m_chosen = m_fx->dir.path() + QStringLiteral("/report.html");
    QSignalSpy saved(m_view.get(), &ReportsView::saved);
    m_questions.clear();
    m_view->save();
    QVERIFY(saved.wait(10000));
    QVERIFY(saved.takeFirst().at(0).toBool());
    QVERIFY(m_questions.isEmpty()); // a new file: no question
    QFile f(m_chosen);
    QVERIFY(f.open(QIODevice::ReadOnly));
    QCOMPARE(f.readAll(), m_view->result().bytes);
    f.close();

    // The file exists now: declining keeps it as it is.
    {
        QFile w(m_chosen);
        QVERIFY(w.open(QIODevice::WriteOnly));
        w.write("keep me");
    }
    m_answer = false;
    m_view->save();
    QCOMPARE(m_questions.size(), 1);
    QVERIFY(m_questions.front().contains(QStringLiteral("report.html")));
    QVERIFY(!saved.wait(500));
    QVERIFY(f.open(QIODevice::ReadOnly));
    QCOMPARE(f.readAll(), QByteArray("keep me"));
    f.close();
    // Accepting replaces it.
    m_answer = true;
    m_view->save();
    QVERIFY(saved.wait(10000));
    QVERIFY(f.open(QIODevice::ReadOnly));
    QCOMPARE(f.readAll(), m_view->result().bytes);
}

void TestReportsView::unredactedSaysSo()
{
    auto* redact = m_view->findChildren<QCheckBox*>().at(1); // all time, redact, verify
    QVERIFY(redact->text().contains(QStringLiteral("Redact")));
    redact->setChecked(false);
    QSignalSpy ready(m_view.get(), &ReportsView::previewUpdated);
    m_view->generate();
    QVERIFY(ready.wait(20000));
    QVERIFY(m_view->result().bytes.contains("jane.roe@example.com"));
    QVERIFY(m_view->result().bytes.contains("UNREDACTED"));
    redact->setChecked(true);
}

void TestReportsView::eraseFromTheApp()
{
    auto* id = m_view->findChild<QLineEdit*>(QStringLiteral("searchBox"));
    QVERIFY(id);
    id->setText(QStringLiteral("t-3"));
    QSignalSpy done(m_view.get(), &ReportsView::maintenanceFinished);
    m_questions.clear();
    m_answer = true;
    m_view->eraseSubject();
    QCOMPARE(m_questions.size(), 1);
    QVERIFY(m_questions.front().contains(QStringLiteral("t-3")));
    QVERIFY(done.wait(10000));
    const auto args = done.takeFirst();
    QVERIFY2(args.at(0).toBool(), qPrintable(args.at(1).toString()));
    QVERIFY(args.at(1).toString().startsWith(QStringLiteral("Erased 5 events")));
    auto db = vigil::Database::openReader(m_fx->dbPath().toStdString());
    QVERIFY(db);
    auto v = vigil::verifyChain(*db);
    QVERIFY(v && v->intact);
    QCOMPARE(v->tombstones, 5);
}

namespace {
qint64 storedEvents(const QString& path)
{
    auto db = vigil::Database::openReader(path.toStdString());
    if (!db)
        return -1;
    return vigil::queryInt(*db, "SELECT count(*) FROM events WHERE erased=0").value_or(-1);
}
} // namespace

void TestReportsView::retentionDeclinedRemovesNothing()
{
    // The question names what would go; "no" leaves every event where it was.
    const qint64 before = storedEvents(m_fx->dbPath());
    QVERIFY(before > 0);
    QSignalSpy done(m_view.get(), &ReportsView::maintenanceFinished);
    m_questions.clear();
    m_answer = false;
    m_view->applyRetention();
    QTRY_COMPARE_WITH_TIMEOUT(m_questions.size(), 1, 10000);
    QVERIFY2(m_questions.front().contains(QStringLiteral("15 events")), qPrintable(m_questions.front()));
    QVERIFY(done.isEmpty());
    QCOMPARE(storedEvents(m_fx->dbPath()), before);
    m_answer = true;
}

void TestReportsView::retentionOnDemand()
{
    EventsView events(*m_fx->bridge);
    QSignalSpy totals(events.model(), &EventsModel::totalCountChanged);
    events.model()->reload();
    QVERIFY(totals.wait(10000));
    const qint64 shownBefore = events.model()->totalCount();
    QSignalSpy changed(m_fx->bridge.get(), &EngineBridge::storeChanged);
    QSignalSpy done(m_view.get(), &ReportsView::maintenanceFinished);
    m_questions.clear();
    m_answer = true;
    m_view->applyRetention();
    QVERIFY(done.wait(10000));
    QCOMPARE(m_questions.size(), 1);
    QVERIFY(m_questions.front().contains(QStringLiteral("15 events")));
    const auto args = done.takeFirst();
    QVERIFY(args.at(0).toBool());
    // 2026-01-01 events are older than 90 days by now: they go.
    QVERIFY2(args.at(1).toString().contains(QStringLiteral("removed 15 events")),
             qPrintable(args.at(1).toString()));
    auto db = vigil::Database::openReader(m_fx->dbPath().toStdString());
    auto v = vigil::verifyChain(*db);
    QVERIFY(v && v->intact);
    // Every view reloads: the events list no longer counts the purged rows.
    QTRY_VERIFY_WITH_TIMEOUT(!changed.isEmpty(), 10000);
    QTRY_VERIFY_WITH_TIMEOUT(events.model()->totalCount() < shownBefore, 10000);
}

void TestReportsView::archiveIsNotPurgedOnItsOwn()
{
    // A database Vigil did not create (here: written by the engine directly, as vigil-cli
    // import would) holding events a year old.
    Fixture archive;
    const QString path = archive.dbPath();
    {
        auto w = vigil::StoreWriter::open(path.toStdString());
        QVERIFY(w.has_value());
        (*w)->close();
    }
    QVERIFY(archive.open());
    QVERIFY(!archive.bridge->autoRetention());
    QList<QByteArray> lines;
    // One question per thread: twelve times the same one in a thread would be a
    // near-duplicate query run (model_extraction), adding findings to the count.
    for (int i = 0; i < 12; ++i)
        lines << eventLine(kBase - 365LL * 86400000 + i * 1000, QStringLiteral("user_query_received"),
                           QStringLiteral("brain"), QStringLiteral("info"), QStringLiteral("t-old-%1").arg(i),
                           queryDetails(QStringLiteral("what is the refund policy")));
    archive.ingest(lines);
    QSignalSpy applied(archive.bridge.get(), &EngineBridge::retentionApplied);
    QSignalSpy waiting(archive.bridge.get(), &EngineBridge::retentionAwaitingConfirmation);
    archive.bridge->setRetentionSchedule(20);
    QTest::qWait(400); // about twenty scheduled runs: none of them may touch the archive
    QVERIFY(applied.isEmpty());
    QVERIFY(waiting.isEmpty());
    QCOMPARE(storedEvents(path), 12);

    // Turned on, the schedule still removes nothing before the first purge: it waits, with
    // the count, for the reviewer's yes.
    QSignalSpy autoChanged(archive.bridge.get(), &EngineBridge::autoRetentionChanged);
    archive.bridge->setAutoRetention(true);
    QVERIFY(autoChanged.wait(10000));
    QVERIFY(archive.bridge->autoRetention());
    QVERIFY(waiting.wait(10000));
    QCOMPARE(waiting.first().at(0).toLongLong(), 12);
    QVERIFY(waiting.first().at(1).toString().contains(QStringLiteral("12 events")));
    QVERIFY(applied.isEmpty());
    QCOMPARE(storedEvents(path), 12);
    archive.bridge->setRetentionSchedule(0);
}

QTEST_MAIN(TestReportsView)
#include "tst_reportsview.moc"
