// SPDX-License-Identifier: Apache-2.0
// `vigil-cli report --db DB --kind K --format F -o FILE` as spec/cli.md says, end to end:
// every kind in every format, redaction by default, the chain head in every report, the
// output written exactly where asked.
#include "testsupport.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QtTest>

#include <sys/stat.h>

namespace {

struct Run
{
    int code = -1;
    QByteArray out, err;
};

QString sample()
{
    return vigil::test::sharedPath(QStringLiteral("samples/labeled-small/events.jsonl"));
}

/// The results of a SARIF log's first run.
QJsonArray sarifResults(const QByteArray& json)
{
    return QJsonDocument::fromJson(json)
        .object()
        .value(QStringLiteral("runs"))
        .toArray()
        .first()
        .toObject()
        .value(QStringLiteral("results"))
        .toArray();
}
QString policies()
{
    return vigil::test::sharedPath(QStringLiteral("samples/labeled-small/policies.json"));
}

QByteArray readAll(const QString& path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

} // namespace

class TestCliReport : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void everyKindAndFormat_data();
    void everyKindAndFormat();
    void carriesTheChainHead();
    void redactedUnlessAsked();
    void csvGuardsFormulas();
    void findingsAsOcsfAndSarif();
    void csaLayerNames();
    void scanSarifNamesLayers();
    void writesOnlyTheChosenPath();
    void usageErrors_data();
    void usageErrors();

private:
    Run cli(const QStringList& args) const;
    Run report(const QString& kind, const QString& format, const QString& out,
               const QStringList& extra = {}) const
    {
        return cli(QStringList{QStringLiteral("report"), QStringLiteral("--db"), m_db,
                               QStringLiteral("--kind"), kind, QStringLiteral("--format"), format,
                               QStringLiteral("-o"), out} +
                   extra);
    }

    QTemporaryDir m_dir;
    QString m_db;
    QString m_head;
};

Run TestCliReport::cli(const QStringList& args) const
{
    QProcess p;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("XDG_CONFIG_HOME"), m_dir.filePath(QStringLiteral("config")));
    p.setProcessEnvironment(env);
    p.start(QStringLiteral(VIGIL_CLI_PATH), args);
    p.waitForFinished(120000);
    return Run{p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1,
               p.readAllStandardOutput(), p.readAllStandardError()};
}

void TestCliReport::initTestCase()
{
    QVERIFY(m_dir.isValid());
    m_db = m_dir.filePath(QStringLiteral("r.db"));
    const Run r = cli({QStringLiteral("import"), QStringLiteral("--db"), m_db,
                       QStringLiteral("--policies"), policies(), sample()});
    QVERIFY2(r.code == 0, r.err.constData());
    const Run h = cli(
        {QStringLiteral("verify"), QStringLiteral("--db"), m_db, QStringLiteral("--show-head")});
    QCOMPARE(h.code, 0);
    m_head = QRegularExpression(QStringLiteral("head ([0-9a-f]{64})"))
                 .match(QString::fromUtf8(h.out))
                 .captured(1);
    QCOMPARE(m_head.size(), 64);
}

void TestCliReport::everyKindAndFormat_data()
{
    QTest::addColumn<QString>("kind");
    QTest::addColumn<QString>("format");
    for (const char* k : {"soc2", "gdpr", "production", "incidents", "full"})
        for (const char* f : {"pdf", "html", "csv", "json"})
            QTest::newRow(
                qPrintable(QStringLiteral("%1 %2").arg(QLatin1String(k), QLatin1String(f))))
                << QString::fromLatin1(k) << QString::fromLatin1(f);
}

void TestCliReport::everyKindAndFormat()
{
    QFETCH(QString, kind);
    QFETCH(QString, format);
    const QString out = m_dir.filePath(kind + QLatin1Char('.') + format);
    const Run r = report(kind, format, out);
    QVERIFY2(r.code == 0, r.err.constData());
    const QByteArray bytes = readAll(out);
    QVERIFY(!bytes.isEmpty());
    if (format == QLatin1String("pdf")) {
        QVERIFY(bytes.startsWith("%PDF-1.4"));
        QVERIFY(bytes.trimmed().endsWith("%%EOF"));
    } else if (format == QLatin1String("json")) {
        const QJsonObject o = QJsonDocument::fromJson(bytes).object();
        QCOMPARE(
            o.value(QStringLiteral("report")).toObject().value(QStringLiteral("kind")).toString(),
            kind);
        QVERIFY(o.value(QStringLiteral("sections")).toArray().size() >= 2);
    } else if (format == QLatin1String("html")) {
        QVERIFY(bytes.startsWith("<!DOCTYPE html>"));
        QVERIFY(bytes.contains("<svg"));
        QVERIFY(!bytes.contains("<script"));
    } else {
        QVERIFY(bytes.startsWith("section,table,row,c1"));
    }
    // The spec's command overwrites an existing file.
    QCOMPARE(report(kind, format, out).code, 0);
}

void TestCliReport::carriesTheChainHead()
{
    for (const char* f : {"html", "csv", "json"}) {
        const QString out = m_dir.filePath(QStringLiteral("head.") + QLatin1String(f));
        QCOMPARE(report(QStringLiteral("soc2"), QString::fromLatin1(f), out).code, 0);
        const QByteArray bytes = readAll(out);
        QVERIFY2(bytes.contains(m_head.toLatin1()), f);
        QVERIFY2(bytes.contains("intact"), f);
    }
    // The head of a report is what verify --head takes.
    const QJsonObject o =
        QJsonDocument::fromJson(readAll(m_dir.filePath(QStringLiteral("head.json")))).object();
    const QString head = o.value(QStringLiteral("report"))
                             .toObject()
                             .value(QStringLiteral("chain"))
                             .toObject()
                             .value(QStringLiteral("head"))
                             .toString();
    QCOMPARE(cli({QStringLiteral("verify"), QStringLiteral("--db"), m_db, QStringLiteral("--head"),
                  head})
                 .code,
             0);
}

void TestCliReport::redactedUnlessAsked()
{
    const QString out = m_dir.filePath(QStringLiteral("gdpr-red.json"));
    QCOMPARE(report(QStringLiteral("gdpr"), QStringLiteral("json"), out).code, 0);
    const QByteArray red = readAll(out);
    QVERIFY(red.contains("[REDACTED:pii."));
    QVERIFY(red.contains("\"redacted\": true"));
    // No e-mail address survives in a redacted report.
    QVERIFY(!QRegularExpression(QStringLiteral("[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\\.[a-z]{2,}"))
                 .match(QString::fromUtf8(red))
                 .hasMatch());

    const QString raw = m_dir.filePath(QStringLiteral("gdpr-raw.json"));
    const Run r = report(QStringLiteral("gdpr"), QStringLiteral("json"), raw,
                         {QStringLiteral("--unredacted")});
    QCOMPARE(r.code, 0);
    QVERIFY(r.err.contains("UNREDACTED"));
    const QByteArray unredacted = readAll(raw);
    QVERIFY(unredacted.contains("\"redacted\": false"));
    QVERIFY(unredacted.contains("UNREDACTED"));
    QVERIFY(!unredacted.contains("[REDACTED:pii."));
    struct stat st
    {
    };
    QCOMPARE(::stat(raw.toUtf8().constData(), &st), 0);
    QCOMPARE(st.st_mode & 0777, 0600u); // personal data: not readable by others
}

void TestCliReport::csvGuardsFormulas()
{
    const QString out = m_dir.filePath(QStringLiteral("full.csv"));
    QCOMPARE(
        report(QStringLiteral("full"), QStringLiteral("csv"), out, {QStringLiteral("--unredacted")})
            .code,
        0);
    const QByteArray csv = readAll(out);
    // Parse RFC 4180 and check that no field starts with a formula character.
    QList<QByteArray> fields;
    QByteArray field;
    bool quoted = false;
    int records = 0, width = -1, inRecord = 0;
    for (qsizetype i = 0; i < csv.size(); ++i) {
        const char c = csv[i];
        if (quoted) {
            if (c == '"' && i + 1 < csv.size() && csv[i + 1] == '"') {
                field += '"';
                ++i;
            } else if (c == '"') {
                quoted = false;
            } else {
                field += c;
            }
        } else if (c == '"') {
            quoted = true;
        } else if (c == ',' || (c == '\r' && i + 1 < csv.size() && csv[i + 1] == '\n')) {
            fields << field;
            field.clear();
            ++inRecord;
            if (c == '\r') {
                ++i;
                ++records;
                if (width < 0)
                    width = inRecord;
                QCOMPARE(inRecord, width); // every record has the header's width
                inRecord = 0;
            }
        } else {
            field += c;
        }
    }
    QVERIFY(!quoted);
    QVERIFY(records > 50);
    for (const QByteArray& f : fields)
        QVERIFY2(f.isEmpty() || !QByteArray("=+-@\t\r").contains(f.front()), f.constData());
}

void TestCliReport::findingsAsOcsfAndSarif()
{
    const QString ocsf = m_dir.filePath(QStringLiteral("f.ocsf.json"));
    QCOMPARE(report(QStringLiteral("full"), QStringLiteral("ocsf"), ocsf).code, 0);
    const QJsonArray a = QJsonDocument::fromJson(readAll(ocsf)).array();
    QVERIFY(a.size() > 10);
    QCOMPARE(a.first().toObject().value(QStringLiteral("class_uid")).toInt(), 2004);
    const QString sarif = m_dir.filePath(QStringLiteral("f.sarif"));
    QCOMPARE(report(QStringLiteral("incidents"), QStringLiteral("sarif"), sarif).code, 0);
    const QJsonObject s = QJsonDocument::fromJson(readAll(sarif)).object();
    QCOMPARE(s.value(QStringLiteral("version")).toString(), QStringLiteral("2.1.0"));
    const QJsonArray results = sarifResults(readAll(sarif));
    QCOMPARE(results.size(), a.size());
    const QJsonObject loc =
        results.first().toObject().value(QStringLiteral("locations")).toArray().first().toObject();
    QVERIFY(loc.value(QStringLiteral("physicalLocation"))
                .toObject()
                .value(QStringLiteral("artifactLocation"))
                .toObject()
                .value(QStringLiteral("uri"))
                .toString()
                .endsWith(QStringLiteral("events.jsonl")));
}

void TestCliReport::csaLayerNames()
{
    // --layer-names csa names layers as the CSA does in the report and the exports; the
    // layer numbers that identify them stay the seed's.
    const QString seedHtml = m_dir.filePath(QStringLiteral("seed.html"));
    const QString csaHtml = m_dir.filePath(QStringLiteral("csa.html"));
    QCOMPARE(report(QStringLiteral("incidents"), QStringLiteral("html"), seedHtml).code, 0);
    QCOMPARE(report(QStringLiteral("incidents"), QStringLiteral("html"), csaHtml,
                    {QStringLiteral("--layer-names"), QStringLiteral("csa")})
                 .code,
             0);
    const QByteArray seed = readAll(seedHtml), csa = readAll(csaHtml);
    QVERIFY(seed.contains("<td>1 Model</td>"));
    QVERIFY(!seed.contains("Foundation Models"));
    QVERIFY(csa.contains("<td>L1 Foundation Models</td>"));
    QVERIFY(!csa.contains("<td>1 Model</td>"));
    const QString sarif = m_dir.filePath(QStringLiteral("csa.sarif"));
    QCOMPARE(report(QStringLiteral("incidents"), QStringLiteral("sarif"), sarif,
                    {QStringLiteral("--layer-names"), QStringLiteral("csa")})
                 .code,
             0);
    const QJsonArray results = sarifResults(readAll(sarif));
    QVERIFY(!results.isEmpty());
    for (const QJsonValue& r : results) {
        const QJsonObject p = r.toObject().value(QStringLiteral("properties")).toObject();
        const int layer = p.value(QStringLiteral("maestro_layer")).toInt();
        const int csaLayer = p.value(QStringLiteral("csa_maestro_layer")).toInt();
        const QString name = p.value(QStringLiteral("maestro_layer_name")).toString();
        static const QStringList kCsa{QStringLiteral("Foundation Models"),
                                      QStringLiteral("Data Operations"),
                                      QStringLiteral("Agent Frameworks"),
                                      QStringLiteral("Deployment and Infrastructure"),
                                      QStringLiteral("Evaluation and Observability"),
                                      QStringLiteral("Security and Compliance"),
                                      QStringLiteral("Agent Ecosystem")};
        QVERIFY(layer >= 1 && layer <= 7);
        QVERIFY(csaLayer >= 1 && csaLayer <= 7);
        QCOMPARE(name, kCsa.at(csaLayer - 1));
    }
}

void TestCliReport::scanSarifNamesLayers()
{
    const auto results = [&](const QStringList& extra) {
        const Run r = cli(QStringList{QStringLiteral("scan"), QStringLiteral("--format"),
                                      QStringLiteral("sarif")} +
                          extra + QStringList{sample()});
        return sarifResults(r.out);
    };
    const QJsonArray seed = results({});
    const QJsonArray csa = results({QStringLiteral("--layer-names"), QStringLiteral("csa")});
    QVERIFY(!seed.isEmpty());
    QCOMPARE(csa.size(), seed.size());
    bool sawMonitoring = false;
    for (qsizetype i = 0; i < seed.size(); ++i) {
        const QJsonObject s = seed[i].toObject().value(QStringLiteral("properties")).toObject();
        const QJsonObject c = csa[i].toObject().value(QStringLiteral("properties")).toObject();
        QCOMPARE(c.value(QStringLiteral("layer")), s.value(QStringLiteral("layer")));
        if (s.value(QStringLiteral("layer")).toInt() == 4) {
            sawMonitoring = true;
            QCOMPARE(s.value(QStringLiteral("layer_name")).toString(), QStringLiteral("Monitoring"));
            QCOMPARE(c.value(QStringLiteral("layer_name")).toString(),
                     QStringLiteral("Evaluation and Observability"));
            QCOMPARE(c.value(QStringLiteral("csa_layer")).toInt(), 5);
        }
    }
    QVERIFY(sawMonitoring);
    const Run bad = cli({QStringLiteral("scan"), QStringLiteral("--layer-names"),
                         QStringLiteral("owasp"), sample()});
    QCOMPARE(bad.code, 1);
    QVERIFY(bad.err.startsWith("vigil-cli scan: --layer-names must be seed or csa"));
}

void TestCliReport::writesOnlyTheChosenPath()
{
    QTemporaryDir out;
    const Run r = report(QStringLiteral("soc2"), QStringLiteral("html"),
                         out.filePath(QStringLiteral("x.html")));
    QCOMPARE(r.code, 0);
    QCOMPARE(QDir(out.path()).entryList(QDir::AllEntries | QDir::Hidden | QDir::NoDotAndDotDot),
             QStringList{QStringLiteral("x.html")});
    // A folder that does not exist, or a folder as the output: refused, nothing written.
    Run bad = report(QStringLiteral("soc2"), QStringLiteral("html"),
                     out.filePath(QStringLiteral("no/such/x.html")));
    QCOMPARE(bad.code, 1);
    QVERIFY(bad.err.startsWith("vigil-cli report: "));
    bad = report(QStringLiteral("soc2"), QStringLiteral("html"), out.path());
    QCOMPARE(bad.code, 1);
    QVERIFY(QFileInfo(out.path()).isDir());
    // -o - writes to standard output only.
    const Run stdoutRun =
        report(QStringLiteral("soc2"), QStringLiteral("csv"), QStringLiteral("-"));
    QCOMPARE(stdoutRun.code, 0);
    QVERIFY(stdoutRun.out.startsWith("section,table,row"));
}

void TestCliReport::usageErrors_data()
{
    QTest::addColumn<QStringList>("args");
    QTest::newRow("bad kind") << QStringList{QStringLiteral("--kind"),   QStringLiteral("hipaa"),
                                             QStringLiteral("--format"), QStringLiteral("pdf"),
                                             QStringLiteral("-o"),       QStringLiteral("x")};
    QTest::newRow("bad format") << QStringList{QStringLiteral("--kind"),   QStringLiteral("soc2"),
                                               QStringLiteral("--format"), QStringLiteral("docx"),
                                               QStringLiteral("-o"),       QStringLiteral("x")};
    QTest::newRow("no output") << QStringList{QStringLiteral("--kind"), QStringLiteral("soc2"),
                                              QStringLiteral("--format"), QStringLiteral("pdf")};
    QTest::newRow("bad layer names") << QStringList{
        QStringLiteral("--kind"), QStringLiteral("soc2"), QStringLiteral("--format"),
        QStringLiteral("pdf"), QStringLiteral("-o"), QStringLiteral("x"),
        QStringLiteral("--layer-names"), QStringLiteral("owasp")};
    QTest::newRow("bad window") << QStringList{
        QStringLiteral("--kind"), QStringLiteral("soc2"),     QStringLiteral("--format"),
        QStringLiteral("pdf"),    QStringLiteral("-o"),       QStringLiteral("x"),
        QStringLiteral("--from"), QStringLiteral("last week")};
}

void TestCliReport::usageErrors()
{
    QFETCH(QStringList, args);
    const Run r = cli(QStringList{QStringLiteral("report"), QStringLiteral("--db"), m_db} + args);
    QCOMPARE(r.code, 1);
    QVERIFY(r.err.startsWith("vigil-cli report: "));
    QCOMPARE(r.err.count('\n'), 1);
    QVERIFY(!QFile::exists(QStringLiteral("x")));
}

QTEST_GUILESS_MAIN(TestCliReport)
#include "tst_report.moc"
