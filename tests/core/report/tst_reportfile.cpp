// SPDX-License-Identifier: Apache-2.0
// Writing a report touches exactly the chosen file: names that leave the folder are
// refused, symlinks are replaced rather than followed, nothing is left half-written.
#include "testsupport.h"

#include "report/reportfile.h"

#include <QDir>
#include <QFile>
#include <QTemporaryDir>

#include <sys/stat.h>

using namespace vigil;

class TestReportFile : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void refusesNamesOutsideTheFolder_data();
    void refusesNamesOutsideTheFolder();
    void acceptsPlainNames();
    void writesAndReplaces();
    void refuseModeKeepsExistingFile();
    void symlinkIsReplacedNotFollowed();
    void refusesFoldersAndMissingFolders();
    void privateFilesAre0600();
    void suggestedNamesAreSafe();

private:
    QStringList entries() const
    {
        return QDir(m_dir->path())
            .entryList(QDir::AllEntries | QDir::Hidden | QDir::System | QDir::NoDotAndDotDot);
    }
    std::unique_ptr<QTemporaryDir> m_dir;
};

void TestReportFile::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
}

void TestReportFile::refusesNamesOutsideTheFolder_data()
{
    QTest::addColumn<QString>("name");
    QTest::newRow("parent") << QStringLiteral("../evil.pdf");
    QTest::newRow("deep parent") << QStringLiteral("../../../../etc/passwd");
    QTest::newRow("sub then parent") << QStringLiteral("sub/../../x.pdf");
    QTest::newRow("absolute") << QStringLiteral("/etc/cron.d/x");
    QTest::newRow("backslash") << QStringLiteral("..\\x.pdf");
    QTest::newRow("dotdot") << QStringLiteral("..");
    QTest::newRow("dot") << QStringLiteral(".");
    QTest::newRow("hidden") << QStringLiteral(".bashrc");
    QTest::newRow("empty") << QString();
    QTest::newRow("newline") << QStringLiteral("a\nb.pdf");
    QTest::newRow("long") << QString(300, QLatin1Char('a'));
}

void TestReportFile::refusesNamesOutsideTheFolder()
{
    QFETCH(QString, name);
    auto p = reportPathIn(m_dir->path().toStdString(), name.toStdString());
    QVERIFY(!p);
    QCOMPARE(p.error().code, std::string("report.bad_name"));
    // A name with NUL inside.
    QVERIFY(!reportPathIn(m_dir->path().toStdString(), std::string("a\0b", 3)));
}

void TestReportFile::acceptsPlainNames()
{
    auto p = reportPathIn("/reports", "vigil-soc2-db-20261121.pdf");
    QVERIFY(p);
    QCOMPARE(p->string(), std::string("/reports/vigil-soc2-db-20261121.pdf"));
    QVERIFY(reportPathIn("/reports", "weird name (1) \u00e9.html"));
}

void TestReportFile::writesAndReplaces()
{
    const std::string path = m_dir->filePath(QStringLiteral("r.html")).toStdString();
    QVERIFY(writeReportFile(path, "first", Overwrite::Replace, false));
    QVERIFY(writeReportFile(path, "second", Overwrite::Replace, false));
    QFile f(QString::fromStdString(path));
    QVERIFY(f.open(QIODevice::ReadOnly));
    QCOMPARE(f.readAll(), QByteArray("second"));
    QCOMPARE(entries(), QStringList{QStringLiteral("r.html")}); // no temporary files left
}

void TestReportFile::refuseModeKeepsExistingFile()
{
    const std::string path = m_dir->filePath(QStringLiteral("r.csv")).toStdString();
    QVERIFY(writeReportFile(path, "mine", Overwrite::Refuse, false));
    auto r = writeReportFile(path, "other", Overwrite::Refuse, false);
    QVERIFY(!r);
    QCOMPARE(r.error().code, std::string("report.exists"));
    QFile f(QString::fromStdString(path));
    QVERIFY(f.open(QIODevice::ReadOnly));
    QCOMPARE(f.readAll(), QByteArray("mine"));
    QCOMPARE(entries(), QStringList{QStringLiteral("r.csv")});
}

void TestReportFile::symlinkIsReplacedNotFollowed()
{
    QTemporaryDir outside;
    const QString victim = outside.filePath(QStringLiteral("victim.txt"));
    {
        QFile v(victim);
        QVERIFY(v.open(QIODevice::WriteOnly));
        v.write("precious");
    }
    const QString link = m_dir->filePath(QStringLiteral("report.pdf"));
    QVERIFY(QFile::link(victim, link));
    QVERIFY(writeReportFile(link.toStdString(), "%PDF-report", Overwrite::Replace, false));
    QFile v(victim);
    QVERIFY(v.open(QIODevice::ReadOnly));
    QCOMPARE(v.readAll(), QByteArray("precious")); // the target outside is untouched
    struct stat st
    {
    };
    QCOMPARE(::lstat(link.toUtf8().constData(), &st), 0);
    QVERIFY(S_ISREG(st.st_mode));
    // In refuse mode an existing symlink counts as an existing file.
    const QString link2 = m_dir->filePath(QStringLiteral("r2.pdf"));
    QVERIFY(QFile::link(victim, link2));
    QVERIFY(!writeReportFile(link2.toStdString(), "x", Overwrite::Refuse, false));
    // A dangling symlink too: nothing is created at its target.
    const QString dangling = m_dir->filePath(QStringLiteral("r3.pdf"));
    const QString nowhere = outside.filePath(QStringLiteral("created-by-accident"));
    QVERIFY(QFile::link(nowhere, dangling));
    QVERIFY(writeReportFile(dangling.toStdString(), "x", Overwrite::Replace, false));
    QVERIFY(!QFile::exists(nowhere));
}

void TestReportFile::refusesFoldersAndMissingFolders()
{
    auto r = writeReportFile(m_dir->path().toStdString(), "x", Overwrite::Replace, false);
    QVERIFY(!r);
    QVERIFY(QDir(m_dir->path()).mkdir(QStringLiteral("sub")));
    r = writeReportFile(m_dir->filePath(QStringLiteral("sub")).toStdString(), "x",
                        Overwrite::Replace, false);
    QVERIFY(!r);
    QCOMPARE(r.error().code, std::string("report.bad_path"));
    r = writeReportFile(m_dir->filePath(QStringLiteral("missing/r.pdf")).toStdString(), "x",
                        Overwrite::Replace, false);
    QVERIFY(!r);
    QCOMPARE(r.error().code, std::string("report.no_folder"));
    QVERIFY(!writeReportFile("", "x", Overwrite::Replace, false));
}

void TestReportFile::privateFilesAre0600()
{
    const std::string path = m_dir->filePath(QStringLiteral("unredacted.json")).toStdString();
    QVERIFY(writeReportFile(path, "{}", Overwrite::Replace, true));
    struct stat st
    {
    };
    QCOMPARE(::stat(path.c_str(), &st), 0);
    QCOMPARE(st.st_mode & 0777, 0600u);
    const std::string shared = m_dir->filePath(QStringLiteral("redacted.json")).toStdString();
    QVERIFY(writeReportFile(shared, "{}", Overwrite::Replace, false));
    QCOMPARE(::stat(shared.c_str(), &st), 0);
    QVERIFY((st.st_mode & 0044) != 0); // readable by others unless the umask says no
}

void TestReportFile::suggestedNamesAreSafe()
{
    const std::string n = suggestedReportName(ReportKind::Gdpr, ReportFormat::Pdf,
                                              "../../etc/my db;rm -rf.sqlite", 1'795'255'200'000);
    QCOMPARE(n, std::string("vigil-gdpr-my-db-rm--rf-20261121.pdf"));
    QVERIFY(reportPathIn("/x", n));
    QCOMPARE(suggestedReportName(ReportKind::Full, ReportFormat::Sarif, "", 0),
             std::string("vigil-full-database-19700101.sarif"));
}

QTEST_GUILESS_MAIN(TestReportFile)
#include "tst_reportfile.moc"
