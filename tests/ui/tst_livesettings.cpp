// SPDX-License-Identifier: Apache-2.0
// File > Live Feed Settings: the TCP feed and the HTTP receiver start, move and stop while
// the database is open; a bad address is refused in the dialog with the old listener still
// running; followed files stay followed across the restart. Events sent over real loopback
// sockets reach the store.

#include "uitestsupport.h"

#include "bridge/demofeed.h"
#include "live/livesettingsdialog.h"
#include "mainwindow.h"

#include <QAction>
#include <QCheckBox>
#include <QFile>
#include <QLabel>
#include <QLineEdit>
#include <QSignalSpy>

using namespace vigil::ui;
using namespace vigil::test;

class TestLiveSettings : public QObject
{
    Q_OBJECT

private:
    Fixture m_fx;
    int m_next = 0;

    QByteArray line()
    {
        ++m_next;
        return eventLine(QDateTime::currentMSecsSinceEpoch(), QStringLiteral("user_query_received"),
                         QStringLiteral("brain"), QStringLiteral("info"), QStringLiteral("t-feed"),
                         queryDetails(QStringLiteral("over the wire %1").arg(m_next)),
                         QStringLiteral("feed-%1").arg(m_next)) +
               '\n';
    }

    /// Whether a line sent to the TCP feed at `address` is committed to the store.
    bool feedDelivers(const QString& address)
    {
        demo::LineSender sender;
        if (!sender.connectTo(address.toStdString()))
            return false;
        QSignalSpy committed(m_fx.bridge.get(), &EngineBridge::eventsCommitted);
        QByteArray l = line();
        l.chop(1);
        if (!sender.send({l.toStdString()}))
            return false;
        return committed.wait(10000);
    }

private Q_SLOTS:
    void initTestCase() { QVERIFY(m_fx.open()); }

    void menuOpensTheDialog()
    {
        MainWindow window(*m_fx.bridge);
        auto* action = window.findChild<QAction*>(QStringLiteral("liveSettingsAction"));
        QVERIFY(action);
        QCOMPARE(action->shortcut(), QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_L));
    }

    void startsMovesAndStopsTheListeners()
    {
        // A followed file, before the restart: it must still be followed after it.
        const QString followed = m_fx.dir.filePath(QStringLiteral("followed.jsonl"));
        QString error;
        QVERIFY2(m_fx.bridge->followFile(followed, &error), qPrintable(error));

        LiveSettingsDialog dialog(*m_fx.bridge);
        dialog.tcpCheck()->setChecked(true);
        dialog.tcpAddress()->setText(QStringLiteral("127.0.0.1:0"));
        dialog.httpCheck()->setChecked(true);
        dialog.httpAddress()->setText(QStringLiteral("127.0.0.1:0"));
        QVERIFY(dialog.apply());
        const QString tcp = m_fx.bridge->liveAddress();
        QVERIFY2(tcp.startsWith(QStringLiteral("127.0.0.1:")) && !tcp.endsWith(QStringLiteral(":0")), qPrintable(tcp));
        QVERIFY(!m_fx.bridge->httpAddress().isEmpty());
        QVERIFY2(dialog.statusLabel()->text().contains(tcp), qPrintable(dialog.statusLabel()->text()));
        QVERIFY(feedDelivers(tcp));

        // The followed file still feeds the store.
        {
            QSignalSpy committed(m_fx.bridge.get(), &EngineBridge::eventsCommitted);
            QFile f(followed);
            QVERIFY(f.open(QIODevice::Append));
            f.write(line());
            f.close();
            QVERIFY(committed.wait(15000));
        }

        // A bad address is refused in the dialog; the feed that ran keeps running.
        dialog.tcpAddress()->setText(QStringLiteral("not an address"));
        QVERIFY(!dialog.apply());
        auto* errorLabel = dialog.findChild<QLabel*>(QStringLiteral("liveSettingsError"));
        QVERIFY(errorLabel && !errorLabel->isHidden());
        QVERIFY2(errorLabel->text().contains(QStringLiteral("not valid")), qPrintable(errorLabel->text()));
        QCOMPARE(m_fx.bridge->liveAddress(), tcp);
        QVERIFY(feedDelivers(tcp));

        // Off: nothing listens on the old port any more.
        dialog.tcpCheck()->setChecked(false);
        dialog.httpCheck()->setChecked(false);
        QVERIFY(dialog.apply());
        QVERIFY(errorLabel->isHidden());
        QVERIFY(m_fx.bridge->liveAddress().isEmpty());
        QVERIFY(m_fx.bridge->httpAddress().isEmpty());
        QVERIFY2(dialog.statusLabel()->text().contains(QStringLiteral("TCP feed off")), qPrintable(dialog.statusLabel()->text()));
        demo::LineSender sender;
        QVERIFY(!sender.connectTo(tcp.toStdString()));
    }
};

QTEST_MAIN(TestLiveSettings)
#include "tst_livesettings.moc"
