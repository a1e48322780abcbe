// SPDX-License-Identifier: Apache-2.0
// `vigil-cli import` of CloudWatch and CloudTrail files: recognized by content, each event
// stored once whatever shape it came in, rejections quarantined with their reason.
#include "testsupport.h"

#include <QFile>
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

QString data(const char* relative)
{
    return vigil::test::dataPath(QString::fromLatin1(relative));
}

/// Rows of a one-column-per-field query, fields joined with '|'.
QStringList query(const QString& db, const char* sql)
{
    sqlite3* h = nullptr;
    QStringList rows;
    if (sqlite3_open_v2(db.toUtf8().constData(), &h, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK)
        return {QStringLiteral("cannot open")};
    sqlite3_stmt* st = nullptr;
    if (sqlite3_prepare_v2(h, sql, -1, &st, nullptr) == SQLITE_OK) {
        while (sqlite3_step(st) == SQLITE_ROW) {
            QStringList fields;
            for (int i = 0; i < sqlite3_column_count(st); ++i)
                fields << QString::fromUtf8(reinterpret_cast<const char*>(sqlite3_column_text(st, i)));
            rows << fields.join(QLatin1Char('|'));
        }
    }
    sqlite3_finalize(st);
    sqlite3_close(h);
    return rows;
}

} // namespace

class TestCliImportCloud : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void exportAndFilterOutputStoreEachEventOnce();
    void everyShapeAgainStoresNothing();
    void rejectedPayloadsAreQuarantinedWithTheirCode();
    void cloudTrailDeniedAndMappedToTheAgent();
    void formatCanBeForcedAndIsChecked();
    void otlpFilesImportWithTheirAgents();

private:
    QTemporaryDir m_dir;
};

void TestCliImportCloud::exportAndFilterOutputStoreEachEventOnce()
{
    const QString db = m_dir.filePath(QStringLiteral("once.db"));
    const Run a = cli({QStringLiteral("import"), QStringLiteral("--db"), db,
                       data("cloudwatch/000000.gz")});
    QCOMPARE(a.code, 0);
    QVERIFY2(a.out.startsWith("accepted 3, duplicates 0, rejected 0"), a.out.constData());
    const Run b = cli({QStringLiteral("import"), QStringLiteral("--db"), db,
                       data("cloudwatch/filter-log-events.json")});
    QCOMPARE(b.code, 0);
    QVERIFY2(b.out.startsWith("accepted 0, duplicates 3, rejected 0"), b.out.constData());
    QCOMPARE(query(db, "SELECT count(*) FROM events"), QStringList{QStringLiteral("3")});
    QCOMPARE(query(db, "SELECT event_id FROM events ORDER BY ts"),
             (QStringList{QStringLiteral("cw-4628939e0fe95787ac3946911cc2c2ac"),
                          QStringLiteral("cw-4ad6f8b520053e9a4709fab7ea06ba48"),
                          QStringLiteral("evt-own-0003")}));
}

void TestCliImportCloud::everyShapeAgainStoresNothing()
{
    const QString db = m_dir.filePath(QStringLiteral("shapes.db"));
    const Run a = cli({QStringLiteral("import"), QStringLiteral("--db"), db,
                       data("cloudwatch/subscription.b64"), data("cloudwatch/get-log-events.json"),
                       data("cloudwatch/000000.gz"), data("cloudwatch/filter-log-events.json")});
    QCOMPARE(a.code, 0);
    QVERIFY2(a.out.startsWith("accepted 3, duplicates 9, rejected 0"), a.out.constData());
    QVERIFY2(a.out.contains("skipped 1 CloudWatch control messages"), a.out.constData());
    // The subscription payload came first: its log group is kept with each event.
    QCOMPARE(query(db, "SELECT DISTINCT json_extract(details, '$.cloudwatch.log_group') FROM events"),
             QStringList{QStringLiteral("/agent-system/brain")});
    // Importing the same files again resumes past what they stored: nothing new, no duplicates.
    const Run b = cli({QStringLiteral("import"), QStringLiteral("--db"), db,
                       data("cloudwatch/subscription.b64"), data("cloudwatch/000000.gz")});
    QCOMPARE(b.code, 0);
    QVERIFY2(b.out.startsWith("accepted 0, duplicates 0, rejected 0"), b.out.constData());
}

void TestCliImportCloud::rejectedPayloadsAreQuarantinedWithTheirCode()
{
    const QString db = m_dir.filePath(QStringLiteral("bad.db"));
    const Run a = cli({QStringLiteral("import"), QStringLiteral("--db"), db,
                       data("cloudwatch/subscription-bad-base64.b64"),
                       data("cloudwatch/subscription-truncated.b64")});
    QCOMPARE(a.code, 0);
    QVERIFY2(a.out.startsWith("accepted 2, duplicates 0, rejected 2"), a.out.constData());
    const QStringList rows = query(db, "SELECT reason, line_no, raw_bytes > 100 FROM quarantine ORDER BY id");
    QCOMPARE(rows, (QStringList{QStringLiteral("input.invalid_base64|1|1"),
                                QStringLiteral("input.gzip_truncated|3|1")}));
}

void TestCliImportCloud::cloudTrailDeniedAndMappedToTheAgent()
{
    const QString db = m_dir.filePath(QStringLiteral("trail.db"));
    const Run a = cli({QStringLiteral("import"), QStringLiteral("--db"), db, QStringLiteral("--policies"),
                       data("cloudtrail/policies.json"),
                       data("cloudtrail/123456789012_CloudTrail_us-east-1_20261121T1000Z_example.json.gz")});
    QCOMPARE(a.code, 0);
    QVERIFY2(a.out.startsWith("accepted 5, duplicates 0, rejected 0"), a.out.constData());
    QCOMPARE(query(db, "SELECT agent, json_extract(details, '$.action'), json_extract(details, "
                       "'$.outcome') FROM events WHERE event_type = 'tool_call' ORDER BY ts DESC LIMIT 4"),
             (QStringList{QStringLiteral("brain|ec2:RunInstances|denied"),
                          QStringLiteral("etl-nightly-role|s3:GetObject|allowed"),
                          QStringLiteral("sql-writer|dynamodb:PutItem|denied"),
                          QStringLiteral("brain|bedrock:InvokeModel|allowed")}));
    // The IAM map shows the cloud's record as observed use of the agent's role.
    const Run iam = cli({QStringLiteral("iam"), QStringLiteral("--policies"), data("cloudtrail/policies.json"),
                         QStringLiteral("--db"), db, QStringLiteral("--format"), QStringLiteral("csv")});
    QCOMPARE(iam.code, 0);
    QVERIFY2(iam.out.contains("sql-writer") && iam.out.contains("dynamodb:PutItem"), iam.out.constData());
    // The same trail as plain JSON: the same eventIDs, stored once.
    const Run b = cli({QStringLiteral("import"), QStringLiteral("--db"), db, data("cloudtrail/trail.json")});
    QVERIFY2(b.out.startsWith("accepted 0, duplicates 5"), b.out.constData());
}

void TestCliImportCloud::formatCanBeForcedAndIsChecked()
{
    const QString db = m_dir.filePath(QStringLiteral("forced.db"));
    // Read as Vigil lines, a CloudTrail file is one invalid line per text line.
    const Run a = cli({QStringLiteral("import"), QStringLiteral("--db"), db, QStringLiteral("--format"),
                       QStringLiteral("vigil"), data("cloudtrail/trail.json")});
    QCOMPARE(a.code, 0);
    QVERIFY2(a.out.startsWith("accepted 0"), a.out.constData());
    const Run bad = cli({QStringLiteral("import"), QStringLiteral("--db"), db, QStringLiteral("--format"),
                         QStringLiteral("syslog"), data("cloudtrail/trail.json")});
    QCOMPARE(bad.code, 1);
    QVERIFY2(bad.err.contains("--format must be one of auto, vigil, cloudwatch, cloudtrail, otlp"),
             bad.err.constData());
    QCOMPARE(bad.err.count('\n'), 1);
}

void TestCliImportCloud::otlpFilesImportWithTheirAgents()
{
    // Pretty-printed OTLP JSON bodies, children exported before their parent across two
    // bodies of one file: each span is an event, with the agent of its invoke_agent span.
    const QString db = m_dir.filePath(QStringLiteral("otlp.db"));
    QFile joined(m_dir.filePath(QStringLiteral("two-bodies.json")));
    QVERIFY(joined.open(QIODevice::WriteOnly));
    for (const char* f : {"otlp/traces-children-first.json", "otlp/traces-parent-later.json"}) {
        QFile in(data(f));
        QVERIFY(in.open(QIODevice::ReadOnly));
        joined.write(in.readAll());
        joined.write("\n");
    }
    joined.close();
    const Run a = cli({QStringLiteral("import"), QStringLiteral("--db"), db, joined.fileName()});
    QVERIFY2(a.code == 0, a.err.constData());
    QVERIFY2(!a.out.startsWith("accepted 0"), a.out.constData());
    QVERIFY2(a.out.contains("rejected 0"), a.out.constData());
    const QStringList agents = query(db, "SELECT DISTINCT agent FROM events ORDER BY agent");
    QVERIFY2(!agents.isEmpty() && !agents.contains(QString()), qPrintable(agents.join(QLatin1Char(','))));
    QVERIFY(query(db, "SELECT count(*) FROM events WHERE trace_id IS NULL").value(0) == QStringLiteral("0"));
    // A second import of the same file stores nothing twice (span ids make the event ids).
    const Run b = cli({QStringLiteral("import"), QStringLiteral("--db"), db, joined.fileName()});
    QVERIFY2(b.out.startsWith("accepted 0"), b.out.constData());
}

QTEST_GUILESS_MAIN(TestCliImportCloud)
#include "tst_cliimportcloud.moc"
