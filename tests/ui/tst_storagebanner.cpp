// SPDX-License-Identifier: Apache-2.0
// The window says when storing fails: a full disk (through a fault-injecting SQLite VFS over
// the real database file) raises a banner while the writer holds and retries, and the
// banner goes once the disk has room again and every line held meanwhile is stored.
#include "faultyvfs.h"
#include "uitestsupport.h"

#include "mainwindow.h"
#include "store/database.h"

#include <QLabel>

using namespace vigil::ui;
using namespace vigil::test;

class TestStorageBanner : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void bannerWhileStoringFails()
    {
        FaultyVfs::install(); // before the database is opened: its connections use it
        Fixture fx;
        QVERIFY(fx.open());
        MainWindow window(*fx.bridge);
        window.show();
        auto* banner = window.findChild<QLabel*>(QStringLiteral("alertBanner"));
        QVERIFY(banner);
        QVERIFY(!banner->isVisible());

        const qint64 now = QDateTime::currentMSecsSinceEpoch();
        QList<QByteArray> lines;
        for (int i = 0; i < 200; ++i)
            lines << eventLine(now + i, QStringLiteral("user_query_received"), QStringLiteral("brain"),
                               QStringLiteral("info"), QStringLiteral("t-%1").arg(i % 9),
                               queryDetails(QStringLiteral("question %1").arg(i)));
        FaultyVfs::setFull(true);
        QVERIFY(fx.bridge->ingestLines(QStringLiteral("banner-test"), lines));
        QTRY_VERIFY_WITH_TIMEOUT(banner->isVisible(), 15000);
        QVERIFY2(banner->text().contains(QStringLiteral("full")), qPrintable(banner->text()));
        QVERIFY(banner->text().contains(QStringLiteral("nothing is lost")));

        FaultyVfs::setFull(false);
        fx.bridge->drainIngest();
        QTRY_VERIFY_WITH_TIMEOUT(!banner->isVisible(), 15000);
        auto db = vigil::Database::openReader(fx.dbPath().toStdString());
        QVERIFY(db);
        QCOMPARE(vigil::queryInt(*db, "SELECT count(*) FROM events").value_or(-1), 200);
    }
};

QTEST_MAIN(TestStorageBanner)
#include "tst_storagebanner.moc"
