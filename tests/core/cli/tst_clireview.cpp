// SPDX-License-Identifier: Apache-2.0
// `vigil-cli checklist`, `threats` and `verdict` as spec/cli.md says: the 61 checklist items
// with their fields, `auto` flipping on imported evidence and on the IAM file, verdicts
// shown next to it, every threat-matrix row in csv, json and md, one-line errors.
#include "testsupport.h"

#include <QDateTime>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

namespace {

struct Run
{
    int code = -1;
    QByteArray out, err;
};

Run cli(const QStringList& args)
{
    QProcess p;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("USER"), QStringLiteral("tester"));
    p.setProcessEnvironment(env);
    p.start(QStringLiteral(VIGIL_CLI_PATH), args);
    p.waitForFinished(120000);
    return Run{p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1, p.readAllStandardOutput(),
               p.readAllStandardError()};
}

QString sample(const char* name = "events.jsonl")
{
    return vigil::test::sharedPath(QStringLiteral("samples/labeled-small/") + QLatin1String(name));
}

QJsonArray checklist(const QString& db, const QStringList& extra = {})
{
    const Run r = cli(QStringList{QStringLiteral("checklist"), QStringLiteral("--db"), db, QStringLiteral("--format"),
                                  QStringLiteral("json")} +
                      extra);
    if (r.code != 0)
        qWarning("checklist failed: %s", r.err.constData());
    return QJsonDocument::fromJson(r.out).array();
}

QJsonObject item(const QJsonArray& items, const QString& id)
{
    for (const QJsonValue& v : items)
        if (v.toObject().value(QStringLiteral("id")).toString() == id)
            return v.toObject();
    return {};
}

} // namespace

class TestCliReview : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void checklistHasTheSeedItems();
    void autoFlipsOnImportedEvidence();
    void iamItemsNeedThePolicyFile();
    void overdueSecretFailsRotationItem();
    void componentNarrowsTheEvidence();
    void verdictsShowNextToAuto();
    void threatsFormats_data();
    void threatsFormats();
    void threatsSeedOnce();
    void errorsAreOneLine_data();
    void errorsAreOneLine();
    void commandsHaveHelp();

private:
    QString m_db;      ///< the labeled sample, imported
    QString m_emptyDb; ///< a database without events
    QTemporaryDir m_dir;
};

void TestCliReview::initTestCase()
{
    QVERIFY(m_dir.isValid());
    m_db = m_dir.filePath(QStringLiteral("sample.db"));
    const Run r = cli({QStringLiteral("import"), QStringLiteral("--db"), m_db, sample()});
    QVERIFY2(r.code == 0, r.err.constData());
    m_emptyDb = m_dir.filePath(QStringLiteral("empty.db"));
    const QString none = m_dir.filePath(QStringLiteral("none.jsonl"));
    QFile f(none);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.close();
    QCOMPARE(cli({QStringLiteral("import"), QStringLiteral("--db"), m_emptyDb, none}).code, 0);
}

void TestCliReview::overdueSecretFailsRotationItem()
{
    // Guide 7.2 as evidence: database credentials every 30 days, LangSmith keys every 90,
    // Bedrock through an IAM role (never overdue); other security events do not count.
    const qint64 day = 86'400'000;
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    const auto line = [](qint64 ts, const QString& type, const QString& secret) {
        QJsonObject details{{QStringLiteral("type"), type},
                            {QStringLiteral("details"), QJsonObject{{QStringLiteral("secret"), secret}}}};
        return QJsonDocument(QJsonObject{
                                 {QStringLiteral("timestamp"),
                                  QDateTime::fromMSecsSinceEpoch(ts, Qt::UTC).toString(Qt::ISODateWithMs)},
                                 {QStringLiteral("event_type"), QStringLiteral("security_event")},
                                 {QStringLiteral("agent_name"), QStringLiteral("brain")},
                                 {QStringLiteral("thread_id"), QStringLiteral("ops")},
                                 {QStringLiteral("severity"), QStringLiteral("info")},
                                 {QStringLiteral("details"), details}})
                   .toJson(QJsonDocument::Compact) +
               "\n";
    };
    const auto write = [&](const QString& name, const QByteArray& text) {
        const QString path = m_dir.filePath(name);
        QFile f(path);
        if (!f.open(QIODevice::WriteOnly) || f.write(text) != text.size())
            qFatal("cannot write %s", qPrintable(path));
        return path;
    };
    const QString db = m_dir.filePath(QStringLiteral("rotation.db"));
    const QString first = write(
        QStringLiteral("rotations.jsonl"),
        line(now - 40 * day, QStringLiteral("secret_rotated"), QStringLiteral("agent-system/db-password")) +
            line(now - 10 * day, QStringLiteral("secret_rotated"), QStringLiteral("agent-system/langsmith-api-key")) +
            line(now - 400 * day, QStringLiteral("secret_rotated"), QStringLiteral("agent-system/bedrock-api-key")) +
            line(now - 1 * day, QStringLiteral("access_denied"), QStringLiteral("agent-system/db-password")));
    QCOMPARE(cli({QStringLiteral("import"), QStringLiteral("--db"), db, first}).code, 0);
    const QJsonObject overdue = item(checklist(db), QStringLiteral("production.secrets.3"));
    QCOMPARE(overdue.value(QStringLiteral("evidence_rule")).toString(), QStringLiteral("secrets_rotated"));
    QCOMPARE(overdue.value(QStringLiteral("auto")).toString(), QStringLiteral("fail"));
    QCOMPARE(overdue.value(QStringLiteral("evidence")).toInteger(), 1);
    const QJsonArray subjects = overdue.value(QStringLiteral("subjects")).toArray();
    QCOMPARE(subjects.size(), 1);
    QVERIFY2(subjects.first().toString().startsWith(QStringLiteral("agent-system/db-password (Database credentials, every 30 days)")),
             qPrintable(subjects.first().toString()));

    // Rotated again yesterday: nothing is overdue, two secrets have a period and were kept to it.
    const QString second = write(QStringLiteral("rotations-2.jsonl"),
                                 line(now - 1 * day, QStringLiteral("secret_rotated"),
                                      QStringLiteral("agent-system/db-password")));
    QCOMPARE(cli({QStringLiteral("import"), QStringLiteral("--db"), db, second}).code, 0);
    const QJsonObject kept = item(checklist(db), QStringLiteral("production.secrets.3"));
    QCOMPARE(kept.value(QStringLiteral("auto")).toString(), QStringLiteral("pass"));
    QCOMPARE(kept.value(QStringLiteral("evidence")).toInteger(), 2);
    QVERIFY(!kept.contains(QStringLiteral("subjects")));
}

void TestCliReview::checklistHasTheSeedItems()
{
    const QJsonArray items = checklist(m_db);
    QCOMPARE(items.size(), 61);
    QMap<QString, int> perChecklist;
    QSet<QString> ids;
    for (const QJsonValue& v : items) {
        const QJsonObject o = v.toObject();
        for (const char* key : {"id", "checklist", "section", "text", "auto", "evidence", "verdict"})
            QVERIFY2(o.contains(QLatin1String(key)), key);
        const QString id = o.value(QStringLiteral("id")).toString();
        QVERIFY2(!ids.contains(id), qPrintable(id));
        ids.insert(id);
        const QString list = o.value(QStringLiteral("checklist")).toString();
        QVERIFY2(id.startsWith(list + u'.'), qPrintable(id));
        ++perChecklist[list];
        QVERIFY(!o.value(QStringLiteral("section")).toString().isEmpty());
        QVERIFY(!o.value(QStringLiteral("text")).toString().isEmpty());
        const QString automatic = o.value(QStringLiteral("auto")).toString();
        QVERIFY2(automatic == u"pass" || automatic == u"fail" || automatic == u"unknown", qPrintable(automatic));
        QVERIFY(o.value(QStringLiteral("evidence")).isDouble());
        QVERIFY(o.value(QStringLiteral("evidence")).toInteger() >= 0);
        if (automatic == u"unknown")
            QCOMPARE(o.value(QStringLiteral("evidence")).toInteger(), 0);
        QVERIFY(o.value(QStringLiteral("verdict")).isNull());
    }
    QCOMPARE(perChecklist.value(QStringLiteral("maestro")), 21);
    QCOMPARE(perChecklist.value(QStringLiteral("plugin")), 20);
    QCOMPARE(perChecklist.value(QStringLiteral("production")), 20);
    // In the seed's order: the first item of each checklist comes first.
    QCOMPARE(items.at(0).toObject().value(QStringLiteral("id")).toString(), QStringLiteral("maestro.1.1"));
    QCOMPARE(items.at(21).toObject().value(QStringLiteral("checklist")).toString(), QStringLiteral("plugin"));
    QCOMPARE(items.at(41).toObject().value(QStringLiteral("checklist")).toString(), QStringLiteral("production"));
    QCOMPARE(item(items, QStringLiteral("maestro.4.2")).value(QStringLiteral("text")).toString(),
             QStringLiteral("No PII in default log output"));
}

void TestCliReview::autoFlipsOnImportedEvidence()
{
    const QString db = m_dir.filePath(QStringLiteral("flip.db"));
    QCOMPARE(cli({QStringLiteral("import"), QStringLiteral("--db"), db, m_dir.filePath(QStringLiteral("none.jsonl"))}).code, 0);
    QJsonArray before = checklist(db);
    QCOMPARE(before.size(), 61);
    for (const char* id : {"maestro.4.2", "maestro.4.1", "production.prompt.4", "production.secrets.1", "plugin.output.2"}) {
        QCOMPARE(item(before, QLatin1String(id)).value(QStringLiteral("auto")).toString(), QStringLiteral("unknown"));
        QCOMPARE(item(before, QLatin1String(id)).value(QStringLiteral("evidence")).toInteger(), 0);
    }

    QCOMPARE(cli({QStringLiteral("import"), QStringLiteral("--db"), db, sample()}).code, 0);
    const QJsonArray after = checklist(db);
    // The labeled sample holds PII, log injection, over-long input, secrets and rejected lines.
    for (const char* id : {"maestro.4.2", "maestro.4.1", "production.prompt.4", "production.secrets.1",
                           "plugin.output.2", "production.audit.1"}) {
        const QJsonObject o = item(after, QLatin1String(id));
        QVERIFY2(o.value(QStringLiteral("auto")).toString() == u"fail", id);
        QVERIFY2(o.value(QStringLiteral("evidence")).toInteger() > 0, id);
    }
    const QJsonObject pii = item(after, QStringLiteral("maestro.4.2"));
    QCOMPARE(pii.value(QStringLiteral("evidence_rule")).toString(), QStringLiteral("pii_absent"));
    QVERIFY(pii.value(QStringLiteral("reason")).toString().contains(QStringLiteral("pii")));
    // Items no log can judge stay unknown.
    QCOMPARE(item(after, QStringLiteral("production.network.1")).value(QStringLiteral("auto")).toString(),
             QStringLiteral("unknown"));
    // Injection attempts in user queries were classified; error paths logged error events.
    const QJsonObject classified = item(after, QStringLiteral("production.prompt.1"));
    QCOMPARE(classified.value(QStringLiteral("auto")).toString(), QStringLiteral("pass"));
    QVERIFY(classified.value(QStringLiteral("evidence")).toInteger() > 0);
    QCOMPARE(item(before, QStringLiteral("production.prompt.1")).value(QStringLiteral("auto")).toString(), QStringLiteral("unknown"));
    QCOMPARE(item(after, QStringLiteral("plugin.observability.4")).value(QStringLiteral("auto")).toString(), QStringLiteral("pass"));
}

void TestCliReview::iamItemsNeedThePolicyFile()
{
    const QJsonArray without = checklist(m_db);
    const QJsonArray with = checklist(m_db, {QStringLiteral("--policies"), sample("policies.json")});
    for (const char* id : {"production.iam.1", "production.iam.2", "production.iam.3"}) {
        QCOMPARE(item(without, QLatin1String(id)).value(QStringLiteral("auto")).toString(), QStringLiteral("unknown"));
        QCOMPARE(item(with, QLatin1String(id)).value(QStringLiteral("auto")).toString(), QStringLiteral("pass"));
    }
    // A wildcard grant fails "No wildcard (*) permissions".
    QFile in(sample("policies.json"));
    QVERIFY(in.open(QIODevice::ReadOnly));
    QJsonObject policies = QJsonDocument::fromJson(in.readAll()).object();
    QJsonObject roles = policies.value(QStringLiteral("roles")).toObject();
    QJsonObject brain = roles.value(QStringLiteral("agent-brain-role")).toObject();
    QJsonArray statements = brain.value(QStringLiteral("Statement")).toArray();
    statements.append(QJsonObject{{QStringLiteral("Effect"), QStringLiteral("Allow")},
                                  {QStringLiteral("Action"), QStringLiteral("s3:*")},
                                  {QStringLiteral("Resource"), QStringLiteral("*")}});
    brain.insert(QStringLiteral("Statement"), statements);
    roles.insert(QStringLiteral("agent-brain-role"), brain);
    policies.insert(QStringLiteral("roles"), roles);
    const QString wild = m_dir.filePath(QStringLiteral("wild.json"));
    QFile out(wild);
    QVERIFY(out.open(QIODevice::WriteOnly));
    out.write(QJsonDocument(policies).toJson());
    out.close();
    const QJsonObject wildcards = item(checklist(m_db, {QStringLiteral("--policies"), wild}), QStringLiteral("production.iam.3"));
    QCOMPARE(wildcards.value(QStringLiteral("auto")).toString(), QStringLiteral("fail"));
    QCOMPARE(wildcards.value(QStringLiteral("evidence")).toInteger(), 1);
}

void TestCliReview::componentNarrowsTheEvidence()
{
    const QJsonArray all = checklist(m_db);
    const QJsonArray nobody = checklist(m_db, {QStringLiteral("--component"), QStringLiteral("no-such-plugin")});
    QCOMPARE(nobody.size(), 61);
    const QJsonObject pii = item(nobody, QStringLiteral("maestro.4.2"));
    QCOMPARE(pii.value(QStringLiteral("component")).toString(), QStringLiteral("no-such-plugin"));
    QCOMPARE(pii.value(QStringLiteral("auto")).toString(), QStringLiteral("unknown"));
    // The production checklist is judged for the whole system whatever the component.
    const QJsonObject secrets = item(nobody, QStringLiteral("production.secrets.1"));
    QVERIFY(secrets.value(QStringLiteral("component")).isNull());
    QCOMPARE(secrets.value(QStringLiteral("auto")).toString(),
             item(all, QStringLiteral("production.secrets.1")).value(QStringLiteral("auto")).toString());
}

void TestCliReview::verdictsShowNextToAuto()
{
    const QString db = m_dir.filePath(QStringLiteral("verdicts.db"));
    QCOMPARE(cli({QStringLiteral("import"), QStringLiteral("--db"), db, sample()}).code, 0);
    Run r = cli({QStringLiteral("verdict"), QStringLiteral("--db"), db, QStringLiteral("--item"), QStringLiteral("maestro.4.2"),
                 QStringLiteral("--kind"), QStringLiteral("fail"), QStringLiteral("--note"), QStringLiteral("first look")});
    QVERIFY2(r.code == 0, r.err.constData());
    r = cli({QStringLiteral("verdict"), QStringLiteral("--db"), db, QStringLiteral("--item"), QStringLiteral("maestro.4.2"),
             QStringLiteral("--kind"), QStringLiteral("pass"), QStringLiteral("--note"), QStringLiteral("redacted upstream"),
             QStringLiteral("--reviewer"), QStringLiteral("alice")});
    QVERIFY2(r.code == 0, r.err.constData());
    const QJsonObject o = item(checklist(db), QStringLiteral("maestro.4.2"));
    QCOMPARE(o.value(QStringLiteral("auto")).toString(), QStringLiteral("fail"));
    QCOMPARE(o.value(QStringLiteral("verdict")).toString(), QStringLiteral("pass"));
    QCOMPARE(o.value(QStringLiteral("verdict_note")).toString(), QStringLiteral("redacted upstream"));
    QCOMPARE(o.value(QStringLiteral("verdict_reviewer")).toString(), QStringLiteral("alice"));
    QCOMPARE(o.value(QStringLiteral("verdicts")).toInt(), 2);
    QCOMPARE(o.value(QStringLiteral("conflict")).toBool(), true);
    QVERIFY(r.out.contains("by alice"));
    // A component's verdict does not apply to the system run.
    r = cli({QStringLiteral("verdict"), QStringLiteral("--db"), db, QStringLiteral("--item"), QStringLiteral("maestro.1.3"),
             QStringLiteral("--component"), QStringLiteral("formatter"), QStringLiteral("--kind"), QStringLiteral("not_applicable")});
    QVERIFY2(r.code == 0, r.err.constData());
    QVERIFY(item(checklist(db), QStringLiteral("maestro.1.3")).value(QStringLiteral("verdict")).isNull());
    const QJsonObject formatter =
        item(checklist(db, {QStringLiteral("--component"), QStringLiteral("formatter")}), QStringLiteral("maestro.1.3"));
    QCOMPARE(formatter.value(QStringLiteral("verdict")).toString(), QStringLiteral("not_applicable"));
    QCOMPARE(formatter.value(QStringLiteral("verdict_reviewer")).toString(), QStringLiteral("tester"));
}

void TestCliReview::threatsFormats_data()
{
    QTest::addColumn<QString>("format");
    QTest::newRow("csv") << QStringLiteral("csv");
    QTest::newRow("json") << QStringLiteral("json");
    QTest::newRow("md") << QStringLiteral("md");
}

void TestCliReview::threatsFormats()
{
    QFETCH(QString, format);
    const Run r = cli({QStringLiteral("threats"), QStringLiteral("--db"), m_db, QStringLiteral("--format"), format});
    QVERIFY2(r.code == 0, r.err.constData());
    // The two seeded templates: the skill's 7 rows and the guide's 6 attack vectors.
    const QStringList columns{QStringLiteral("matrix"),   QStringLiteral("layer"),      QStringLiteral("component"),
                              QStringLiteral("threat"),   QStringLiteral("severity"),   QStringLiteral("mitigation"),
                              QStringLiteral("status"),   QStringLiteral("findings")};
    if (format == u"json") {
        const QJsonArray rows = QJsonDocument::fromJson(r.out).array();
        QCOMPARE(rows.size(), 13);
        for (const QJsonValue& v : rows)
            for (const QString& c : columns)
                QVERIFY2(v.toObject().contains(c), qPrintable(c));
        const QJsonObject first = rows.at(0).toObject();
        QCOMPARE(first.value(QStringLiteral("matrix")).toString(), QStringLiteral("MAESTRO threat matrix"));
        QCOMPARE(first.value(QStringLiteral("threat")).toString(), QStringLiteral("Prompt inj."));
        QCOMPARE(first.value(QStringLiteral("severity")).toString(), QStringLiteral("HIGH"));
        QCOMPARE(first.value(QStringLiteral("status")).toString(), QStringLiteral("open"));
        QVERIFY(first.value(QStringLiteral("findings")).toInteger() > 0); // injection attempts in the sample
        QCOMPARE(rows.at(2).toObject().value(QStringLiteral("findings")).toInteger(), 0); // no links
        return;
    }
    const QList<QByteArray> lines = r.out.split('\n');
    if (format == u"csv") {
        QVERIFY(r.out.endsWith("\r\n"));
        QCOMPARE(r.out.count("\r\n"), 14);
        QCOMPARE(lines.at(0), QByteArray("matrix,layer,component,threat,severity,mitigation,status,findings\r"));
        QVERIFY(lines.at(1).startsWith("MAESTRO threat matrix,1,LLM caller,Prompt inj.,HIGH,Structured out,open,"));
    } else {
        QCOMPARE(lines.at(0), QByteArray("| matrix | layer | component | threat | severity | mitigation | status | findings |"));
        QVERIFY(lines.at(1).startsWith("|---"));
        QCOMPARE(r.out.count('\n'), 15);
        QVERIFY(lines.at(2).startsWith("| MAESTRO threat matrix | 1 | LLM caller | Prompt inj. | HIGH | Structured out | open | "));
    }
}

void TestCliReview::threatsSeedOnce()
{
    const Run first = cli({QStringLiteral("threats"), QStringLiteral("--db"), m_emptyDb, QStringLiteral("--format"), QStringLiteral("csv")});
    QCOMPARE(first.code, 0);
    QCOMPARE(first.out.count("\r\n"), 14);
    QVERIFY(first.out.contains(",0\r\n"));
    const Run again = cli({QStringLiteral("threats"), QStringLiteral("--db"), m_emptyDb, QStringLiteral("--format"), QStringLiteral("csv")});
    QCOMPARE(again.out, first.out); // stored once, not seeded again
}

void TestCliReview::errorsAreOneLine_data()
{
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<QString>("mentions");
    const QString missing = m_dir.filePath(QStringLiteral("missing.db"));
    QTest::newRow("checklist without db") << QStringList{QStringLiteral("checklist"), QStringLiteral("--format"), QStringLiteral("json")} << QStringLiteral("--db");
    QTest::newRow("checklist missing db") << QStringList{QStringLiteral("checklist"), QStringLiteral("--db"), missing} << QStringLiteral("missing.db");
    QTest::newRow("checklist format") << QStringList{QStringLiteral("checklist"), QStringLiteral("--db"), missing, QStringLiteral("--format"), QStringLiteral("csv")} << QStringLiteral("--format");
    QTest::newRow("checklist bad policies") << QStringList{QStringLiteral("checklist"), QStringLiteral("--db"), missing, QStringLiteral("--policies"), sample("events.jsonl")} << QStringLiteral("events.jsonl");
    QTest::newRow("threats format") << QStringList{QStringLiteral("threats"), QStringLiteral("--db"), missing, QStringLiteral("--format"), QStringLiteral("xml")} << QStringLiteral("csv, json or md");
    QTest::newRow("threats missing db") << QStringList{QStringLiteral("threats"), QStringLiteral("--db"), missing, QStringLiteral("--format"), QStringLiteral("csv")} << QStringLiteral("missing.db");
    QTest::newRow("verdict unknown item") << QStringList{QStringLiteral("verdict"), QStringLiteral("--db"), missing, QStringLiteral("--item"), QStringLiteral("maestro.9.9"), QStringLiteral("--kind"), QStringLiteral("pass")} << QStringLiteral("maestro.9.9");
    QTest::newRow("verdict bad kind") << QStringList{QStringLiteral("verdict"), QStringLiteral("--db"), missing, QStringLiteral("--item"), QStringLiteral("maestro.1.1"), QStringLiteral("--kind"), QStringLiteral("maybe")} << QStringLiteral("maybe");
    QTest::newRow("verdict missing db") << QStringList{QStringLiteral("verdict"), QStringLiteral("--db"), missing, QStringLiteral("--item"), QStringLiteral("maestro.1.1"), QStringLiteral("--kind"), QStringLiteral("pass")} << QStringLiteral("missing.db");
}

void TestCliReview::errorsAreOneLine()
{
    QFETCH(QStringList, args);
    QFETCH(QString, mentions);
    const Run r = cli(args);
    QCOMPARE(r.code, 1);
    QCOMPARE(r.err.count('\n'), 1);
    QVERIFY2(r.err.contains(mentions.toUtf8()), r.err.constData());
    QVERIFY(r.out.isEmpty());
    QVERIFY(!QFile::exists(m_dir.filePath(QStringLiteral("missing.db")))); // nothing created
}

void TestCliReview::commandsHaveHelp()
{
    for (const QString& c : {QStringLiteral("checklist"), QStringLiteral("threats"), QStringLiteral("verdict")}) {
        const Run h = cli({c, QStringLiteral("--help")});
        QCOMPARE(h.code, 0);
        QVERIFY2(h.out.contains("usage: vigil-cli " + c.toUtf8()), qPrintable(c));
    }
    QVERIFY(cli({QStringLiteral("--help")}).out.contains("  checklist "));
}

QTEST_GUILESS_MAIN(TestCliReview)
#include "tst_clireview.moc"
