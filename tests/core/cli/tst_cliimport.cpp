// SPDX-License-Identifier: Apache-2.0
// `vigil-cli import` and `stats` as spec/cli.md says: counts, exit codes, one-line errors.
#include "testsupport.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

#include <sqlite3.h>

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
    p.waitForFinished(120000);
    return Run{p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1, p.readAllStandardOutput(),
               p.readAllStandardError()};
}

QString sample() { return vigil::test::sharedPath(QStringLiteral("samples/labeled-small/events.jsonl")); }

int number(const QByteArray& out, const char* word)
{
    const QRegularExpression re(QStringLiteral("%1\\D*(\\d+)").arg(QLatin1String(word)));
    const auto m = re.match(QString::fromUtf8(out));
    return m.hasMatch() ? m.captured(1).toInt() : -1;
}

} // namespace

class TestCliImport : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void importThenStats();
    void reimportCountsNothingNew();
    void errorsAreOneLine_data();
    void errorsAreOneLine();
    void everyCommandHasHelp();
    void newerSchemaIsRefused();

private:
    QTemporaryDir m_dir;
};

void TestCliImport::importThenStats()
{
    const QString db = m_dir.filePath(QStringLiteral("a.db"));
    const Run r = cli({QStringLiteral("import"), QStringLiteral("--db"), db, sample()});
    QVERIFY2(r.code == 0, r.err.constData());
    const int accepted = number(r.out, "accepted");
    const int rejected = number(r.out, "rejected");
    QCOMPARE(number(r.out, "duplicates"), 0);
    QVERIFY(accepted > 1900);
    QVERIFY(rejected > 0);

    const Run s = cli({QStringLiteral("stats"), QStringLiteral("--db"), db, QStringLiteral("--format"), QStringLiteral("json")});
    QCOMPARE(s.code, 0);
    const QJsonObject o = QJsonDocument::fromJson(s.out).object();
    QCOMPARE(o.value(QStringLiteral("events")).toInt(), accepted);
    QCOMPARE(o.value(QStringLiteral("rejected")).toInt(), rejected);
    QCOMPARE(o.value(QStringLiteral("duplicates")).toInt(), 0);
    QVERIFY(o.value(QStringLiteral("findings")).isObject());
    QVERIFY(o.value(QStringLiteral("findings")).toObject().value(QStringLiteral("pii")).toInt() > 0);
    QVERIFY(o.value(QStringLiteral("incidents")).toInt() > 0);
}

void TestCliImport::reimportCountsNothingNew()
{
    const QString db = m_dir.filePath(QStringLiteral("b.db"));
    QCOMPARE(cli({QStringLiteral("import"), QStringLiteral("--db"), db, sample()}).code, 0);
    const Run again = cli({QStringLiteral("import"), QStringLiteral("--db"), db, sample()});
    QCOMPARE(again.code, 0);
    QCOMPARE(number(again.out, "accepted"), 0);
    QCOMPARE(number(again.out, "rejected"), 0);
}

void TestCliImport::errorsAreOneLine_data()
{
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<QString>("mentions");
    const QString db = m_dir.filePath(QStringLiteral("e.db"));
    QTest::newRow("missing file") << QStringList{QStringLiteral("import"), QStringLiteral("--db"), db, QStringLiteral("/no/such/file.jsonl")} << QStringLiteral("/no/such/file.jsonl");
    QTest::newRow("unwritable db") << QStringList{QStringLiteral("import"), QStringLiteral("--db"), QStringLiteral("/no/such/dir/x.db"), sample()} << QStringLiteral("/no/such/dir/x.db");
    QTest::newRow("missing db option") << QStringList{QStringLiteral("import"), sample()} << QStringLiteral("--db");
    QTest::newRow("unknown option") << QStringList{QStringLiteral("import"), QStringLiteral("--bogus")} << QStringLiteral("--bogus");
    QTest::newRow("stats on missing db") << QStringList{QStringLiteral("stats"), QStringLiteral("--db"), m_dir.filePath(QStringLiteral("none.db")), QStringLiteral("--format"), QStringLiteral("json")} << QStringLiteral("none.db");
    QTest::newRow("unknown command") << QStringList{QStringLiteral("frobnicate")} << QStringLiteral("frobnicate");
}

void TestCliImport::errorsAreOneLine()
{
    QFETCH(QStringList, args);
    QFETCH(QString, mentions);
    const Run r = cli(args);
    QCOMPARE(r.code, 1);
    QCOMPARE(r.err.count('\n'), 1);
    QVERIFY2(r.err.contains(mentions.toUtf8()), r.err.constData());
}

void TestCliImport::everyCommandHasHelp()
{
    const Run top = cli({QStringLiteral("--help")});
    QCOMPARE(top.code, 0);
    const QRegularExpression cmd(QStringLiteral("^  ([a-z-]+)\\s"), QRegularExpression::MultilineOption);
    int n = 0;
    for (auto it = cmd.globalMatch(QString::fromUtf8(top.out)); it.hasNext();) {
        const QString c = it.next().captured(1);
        const Run h = cli({c, QStringLiteral("--help")});
        QVERIFY2(h.code == 0 && h.out.contains("usage: vigil-cli " + c.toUtf8()), qPrintable(c));
        ++n;
    }
    QVERIFY(n >= 3);
}

void TestCliImport::newerSchemaIsRefused()
{
    const QString db = m_dir.filePath(QStringLiteral("newer.db"));
    QCOMPARE(cli({QStringLiteral("import"), QStringLiteral("--db"), db, sample()}).code, 0);
    sqlite3* h = nullptr;
    QCOMPARE(sqlite3_open(db.toUtf8().constData(), &h), SQLITE_OK);
    QCOMPARE(sqlite3_exec(h, "PRAGMA user_version=999", nullptr, nullptr, nullptr), SQLITE_OK);
    sqlite3_close(h);
    for (const QString& c : {QStringLiteral("import"), QStringLiteral("stats")}) {
        QStringList args{c, QStringLiteral("--db"), db};
        args << (c == QStringLiteral("import") ? sample() : QStringLiteral("--format=json"));
        const Run r = cli(args);
        QCOMPARE(r.code, 1);
        QCOMPARE(r.err.count('\n'), 1);
        QVERIFY2(r.err.contains("newer"), r.err.constData());
    }
}

QTEST_GUILESS_MAIN(TestCliImport)
#include "tst_cliimport.moc"
