// SPDX-License-Identifier: Apache-2.0
// JSON files given to vigil-cli that break the JSON limits (nested 50,000 deep, over 16 MiB):
// every command refuses them with exit 1 and a one-line message naming the file and the limit,
// never with a crash (exit 139 from a stack overflow, before the limits).
#include "deepjson.h"
#include "testsupport.h"

#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

#include <sqlite3.h>

#include <filesystem>

namespace {

struct Run
{
    int code = -1;
    QByteArray out, err;
};

Run cli(const QStringList& args)
{
    QProcess p;
    p.start(QStringLiteral(VIGIL_CLI_PATH), args);
    p.closeWriteChannel();
    if (!p.waitForFinished(60000)) {
        p.kill();
        p.waitForFinished();
        return Run{-2, p.readAllStandardOutput(), p.readAllStandardError()};
    }
    // A crash (SIGSEGV) is a CrashExit: reported as -1, never as a clean exit code.
    return Run{p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1,
               p.readAllStandardOutput(), p.readAllStandardError()};
}

QString sample()
{
    return vigil::test::sharedPath(QStringLiteral("samples/labeled-small/events.jsonl"));
}

bool writeFile(const QString& path, const std::string& text)
{
    QFile f(path);
    return f.open(QIODevice::WriteOnly) &&
           f.write(text.data(), static_cast<qint64>(text.size())) == qint64(text.size());
}

} // namespace

class TestCliLimits : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void refusedWithOneLine_data();
    void refusedWithOneLine();
    void statsShowsDeepLiveStatsAsAbsent();

private:
    QString path(const char* name) const { return m_dir.filePath(QLatin1String(name)); }

    QTemporaryDir m_dir;
};

void TestCliLimits::initTestCase()
{
    QVERIFY(m_dir.isValid());
    const std::string deep = vigil::test::nestedArrays(50'000);
    // Nested objects in `params`: what overflowed the stack before the limits.
    QVERIFY(writeFile(path("deep-rules.json"), R"({"rules": [{"id": "pii.phone", "params": )" +
                                                   vigil::test::nestedObjects(50'000) + "}]}"));
    QVERIFY(writeFile(path("deep.json"), deep));
    // Sparse: 17 MiB on paper, nothing on disk; refused by its size before it is read.
    QVERIFY(writeFile(path("huge.json"), "{}"));
    std::filesystem::resize_file(path("huge.json").toStdString(), 17u << 20);
}

void TestCliLimits::refusedWithOneLine_data()
{
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<QString>("message");
    const QString deepRules = path("deep-rules.json");
    const QString deep = path("deep.json");
    const QString huge = path("huge.json");
    const QString db = path("limits.db");
    const QString depthFault = QStringLiteral(": nested deeper than 64 levels at byte ");
    const QString rulesFault =
        deepRules + depthFault +
        QString::number(std::string_view(R"({"rules": [{"id": "pii.phone", "params": )").size() +
                        5 * 61);

    QTest::newRow("scan --rules deep")
        << QStringList{QStringLiteral("scan"), QStringLiteral("--rules"), deepRules, sample()}
        << QStringLiteral("vigil-cli scan: ") + rulesFault;
    QTest::newRow("import --rules deep") << QStringList{QStringLiteral("import"),
                                                        QStringLiteral("--db"),
                                                        db,
                                                        QStringLiteral("--rules"),
                                                        deepRules,
                                                        sample()}
                                         << QStringLiteral("vigil-cli import: ") + rulesFault;
    QTest::newRow("serve --rules deep") << QStringList{QStringLiteral("serve"),
                                                       QStringLiteral("--db"),
                                                       db,
                                                       QStringLiteral("--listen"),
                                                       QStringLiteral("127.0.0.1:0"),
                                                       QStringLiteral("--rules"),
                                                       deepRules}
                                        << QStringLiteral("vigil-cli serve: ") + rulesFault;
    QTest::newRow("scan --rules huge")
        << QStringList{QStringLiteral("scan"), QStringLiteral("--rules"), huge, sample()}
        << QStringLiteral("vigil-cli scan: ") + huge +
               QStringLiteral(": larger than 16 MiB (17825792 bytes)");
    QTest::newRow("scan --policies deep")
        << QStringList{QStringLiteral("scan"), QStringLiteral("--policies"), deep, sample()}
        << QStringLiteral("vigil-cli scan: ") + deep +
               QStringLiteral(": $[0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0]"
                              "[0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0]"
                              "[0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0]"
                              "[0][0][0][0]: nested deeper than 64 levels");
    QTest::newRow("scan --policies huge")
        << QStringList{QStringLiteral("scan"), QStringLiteral("--policies"), huge, sample()}
        << QStringLiteral("vigil-cli scan: ") + huge +
               QStringLiteral(": larger than 16 MiB (17825792 bytes)");
}

void TestCliLimits::refusedWithOneLine()
{
    QFETCH(QStringList, args);
    QFETCH(QString, message);
    const Run r = cli(args);
    QCOMPARE(r.code, 1);
    QCOMPARE(QString::fromUtf8(r.err), message + QLatin1Char('\n'));
    QVERIFY(r.out.isEmpty());
}

void TestCliLimits::statsShowsDeepLiveStatsAsAbsent()
{
    // `serve` writes the live figures; a database edited by hand may hold any text there.
    const QString db = path("stats.db");
    QCOMPARE(cli({QStringLiteral("import"), QStringLiteral("--db"), db, sample()}).code, 0);
    sqlite3* h = nullptr;
    QCOMPARE(sqlite3_open(db.toUtf8().constData(), &h), SQLITE_OK);
    sqlite3_stmt* st = nullptr;
    QCOMPARE(sqlite3_prepare_v2(h,
                                "INSERT OR REPLACE INTO meta(key, value) VALUES ('live_stats', ?)",
                                -1, &st, nullptr),
             SQLITE_OK);
    const std::string deep = vigil::test::nestedObjects(50'000);
    sqlite3_bind_text(st, 1, deep.data(), static_cast<int>(deep.size()), SQLITE_STATIC);
    QCOMPARE(sqlite3_step(st), SQLITE_DONE);
    sqlite3_finalize(st);
    sqlite3_close(h);

    const Run json = cli({QStringLiteral("stats"), QStringLiteral("--db"), db,
                          QStringLiteral("--format"), QStringLiteral("json")});
    QCOMPARE(json.code, 0);
    const QJsonObject o = QJsonDocument::fromJson(json.out).object();
    QVERIFY(o.value(QStringLiteral("events")).toInt() > 0);
    QVERIFY(o.contains(QStringLiteral("live")));
    QVERIFY(o.value(QStringLiteral("live")).isNull());
    const Run table = cli({QStringLiteral("stats"), QStringLiteral("--db"), db});
    QCOMPARE(table.code, 0);
    QVERIFY(table.out.contains("events"));
    QVERIFY(!table.out.contains("\nlive "));
}

QTEST_GUILESS_MAIN(TestCliLimits)
#include "tst_clilimits.moc"
