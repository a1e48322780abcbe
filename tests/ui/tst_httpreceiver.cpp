// SPDX-License-Identifier: Apache-2.0
// The desktop app's HTTP receiver (vigil --http HOST:PORT): the status bar says where it
// listens, and NDJSON and OTLP posted to it by a real HTTP client (curl) appear in the
// Events view once stored.
#include "uitestsupport.h"

#include "mainwindow.h"

#include <QLabel>
#include <QProcess>
#include <QTableView>
#include <QtTest>

using namespace vigil::ui;

namespace {

/// POSTs `body` with curl; returns the HTTP status it printed, or -1.
int curlPost(const QString& url, const QByteArray& body, const QString& type)
{
    QProcess p;
    p.start(QStringLiteral("curl"), {QStringLiteral("-s"), QStringLiteral("-o"), QStringLiteral("/dev/null"),
                                     QStringLiteral("-w"), QStringLiteral("%{http_code}"),
                                     QStringLiteral("-H"), QStringLiteral("Content-Type: ") + type,
                                     QStringLiteral("--data-binary"), QStringLiteral("@-"), url});
    if (!p.waitForStarted(10000))
        return -1;
    p.write(body);
    p.closeWriteChannel();
    if (!p.waitForFinished(30000))
        return -1;
    return p.readAllStandardOutput().toInt();
}

} // namespace

class TestHttpReceiver : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void receivesAndShowsWhereItListens()
    {
        vigil::test::Fixture fx;
        EngineBridge::LiveSettings live;
        live.http = QStringLiteral("127.0.0.1:0");
        fx.bridge->setLiveSettings(live);
        MainWindow window(*fx.bridge);
        window.show();
        QVERIFY(window.openDatabase(fx.dbPath()));
        const QString address = fx.bridge->httpAddress();
        QVERIFY2(address.startsWith(QStringLiteral("127.0.0.1:")) && !address.endsWith(QStringLiteral(":0")),
                 qPrintable(address));

        auto* sources = window.findChild<QLabel*>(QStringLiteral("statusSources"));
        QVERIFY(sources);
        QTRY_VERIFY_WITH_TIMEOUT(sources->text().contains(QStringLiteral("HTTP ") + address), 10000);

        const QByteArray line =
            R"({"timestamp":"2026-11-21T10:00:00.000Z","event_type":"tool_call","agent_name":"http-agent","thread_id":"h-1","severity":"info","event_id":"ui-http-1","details":{"action":"s3:GetObject","resource":"arn:aws:s3:::b/k"}})";
        QCOMPARE(curlPost(QStringLiteral("http://%1/v1/events").arg(address), line + '\n',
                          QStringLiteral("application/x-ndjson")),
                 200);
        QCOMPARE(curlPost(QStringLiteral("http://%1/v1/traces").arg(address), QByteArray("{\"resourceSpans\":"),
                          QStringLiteral("application/json")),
                 400);
        // Stored once answered: the Events view shows the event.
        window.showView(QStringLiteral("events"));
        auto* table = window.findChild<QTableView*>(QStringLiteral("eventsTable"));
        QVERIFY(table);
        QTRY_VERIFY_WITH_TIMEOUT(table->model()->rowCount() >= 1, 15000);
        bool found = false;
        for (int r = 0; r < table->model()->rowCount() && !found; ++r)
            for (int c = 0; c < table->model()->columnCount() && !found; ++c)
                found = table->model()->index(r, c).data().toString() == QStringLiteral("http-agent");
        QVERIFY(found);
    }
};

QTEST_MAIN(TestHttpReceiver)
#include "tst_httpreceiver.moc"
