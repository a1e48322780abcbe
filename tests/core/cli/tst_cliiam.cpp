// SPDX-License-Identifier: Apache-2.0
// `vigil-cli iam`: the permission map of a policy file with the observed use of a database
// (imported with `vigil-cli import`) or of event files, as JSON and CSV; the review; and
// one-line errors, a malformed policy file naming the JSON path of its fault.
#include "testsupport.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QSet>
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
    p.start(QStringLiteral(VIGIL_CLI_PATH), args);
    p.waitForFinished(120000);
    return Run{p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1, p.readAllStandardOutput(),
               p.readAllStandardError()};
}

QString sample(const char* file)
{
    return vigil::test::sharedPath(QStringLiteral("samples/labeled-small/") + QLatin1String(file));
}

const QSet<QString>& decisions()
{
    static const QSet<QString> d{QStringLiteral("allowed_used"),     QStringLiteral("allowed_unused"),
                                 QStringLiteral("denied_attempted"), QStringLiteral("boundary_blocked"),
                                 QStringLiteral("explicit_deny"),    QStringLiteral("conditional")};
    return d;
}

QJsonArray parseArray(const QByteArray& out)
{
    QJsonParseError e;
    const QJsonDocument doc = QJsonDocument::fromJson(out, &e);
    if (e.error != QJsonParseError::NoError || !doc.isArray())
        qWarning("not a JSON array: %s", qPrintable(e.errorString()));
    return doc.array();
}

} // namespace

class TestCliIam : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void jsonFromDatabase();
    void labeledAttemptsAreOnTheMap();
    void filesGiveTheSameMapAsTheDatabase();
    void csvFromDatabase();
    void withoutObservedUseEveryGrantIsUnused();
    void review();
    void reviewCsv();
    void malformedPolicyNamesJsonPath_data();
    void malformedPolicyNamesJsonPath();
    void usageErrors_data();
    void usageErrors();
    void help();

private:
    QString writeFile(const QString& name, const QByteArray& content);

    QTemporaryDir m_dir;
    QString m_db;
    QByteArray m_json; ///< the map of the sample's policies over the imported sample
};

QString TestCliIam::writeFile(const QString& name, const QByteArray& content)
{
    const QString path = m_dir.filePath(name);
    QFile f(path);
    if (f.open(QIODevice::WriteOnly))
        f.write(content);
    return path;
}

void TestCliIam::initTestCase()
{
    QVERIFY(m_dir.isValid());
    m_db = m_dir.filePath(QStringLiteral("sample.db"));
    const Run r = cli({QStringLiteral("import"), QStringLiteral("--db"), m_db, sample("events.jsonl")});
    QVERIFY2(r.code == 0, r.err.constData());
}

void TestCliIam::jsonFromDatabase()
{
    const Run r = cli({QStringLiteral("iam"), QStringLiteral("--policies"), sample("policies.json"), QStringLiteral("--db"),
                       m_db, QStringLiteral("--format"), QStringLiteral("json")});
    QVERIFY2(r.code == 0, r.err.constData());
    QVERIFY(r.err.isEmpty());
    m_json = r.out;
    const QJsonArray rows = parseArray(r.out);
    QVERIFY(rows.size() > 10);
    QMap<QString, int> byDecision;
    QSet<QString> agents;
    for (const QJsonValue& v : rows) {
        const QJsonObject o = v.toObject();
        QCOMPARE(o.keys(), (QStringList{QStringLiteral("action"), QStringLiteral("agent"), QStringLiteral("decision"),
                                        QStringLiteral("observed"), QStringLiteral("resource"),
                                        QStringLiteral("statement")}));
        const QString decision = o.value(QStringLiteral("decision")).toString();
        QVERIFY2(decisions().contains(decision), qPrintable(decision));
        QVERIFY(o.value(QStringLiteral("statement")).isString() || o.value(QStringLiteral("statement")).isNull());
        QVERIFY(o.value(QStringLiteral("observed")).isDouble());
        const int observed = o.value(QStringLiteral("observed")).toInt();
        QVERIFY(observed >= 0);
        if (decision == u"allowed_used")
            QVERIFY(observed > 0);
        if (decision == u"allowed_unused")
            QCOMPARE(observed, 0);
        if (decision == u"denied_attempted")
            QVERIFY(o.value(QStringLiteral("statement")).isNull());
        ++byDecision[decision];
        agents << o.value(QStringLiteral("agent")).toString();
    }
    // Every agent of the file has its grants on the map, used and unused ones alike.
    for (const char* a : {"brain", "sql-writer", "weight-applier", "formatter"})
        QVERIFY2(agents.contains(QLatin1String(a)), a);
    QVERIFY(byDecision.value(QStringLiteral("allowed_used")) > 0);
    QVERIFY(byDecision.value(QStringLiteral("allowed_unused")) > 0);
    QVERIFY(byDecision.value(QStringLiteral("explicit_deny")) > 0);
    // The brain plans with Sonnet, which its first statement allows.
    bool sonnet = false;
    for (const QJsonValue& v : rows) {
        const QJsonObject o = v.toObject();
        if (o.value(QStringLiteral("agent")).toString() == u"brain" &&
            o.value(QStringLiteral("action")).toString() == u"bedrock:InvokeModel" &&
            o.value(QStringLiteral("decision")).toString() == u"allowed_used") {
            QVERIFY(o.value(QStringLiteral("statement")).toString().startsWith(QStringLiteral("agent-brain-role.Statement[0]")));
            QVERIFY(o.value(QStringLiteral("observed")).toInt() > 100);
            sonnet = true;
        }
    }
    QVERIFY(sonnet);
}

void TestCliIam::labeledAttemptsAreOnTheMap()
{
    // Every event the corpus labels `iam` is an attempt outside the agent's permissions: the
    // map has a row for its agent, action and exact resource with a denying decision.
    QVERIFY(!m_json.isEmpty());
    const QJsonArray rows = parseArray(m_json);
    QFile events(sample("events.jsonl")), labels(sample("labels.jsonl"));
    QVERIFY(events.open(QIODevice::ReadOnly) && labels.open(QIODevice::ReadOnly));
    const QList<QByteArray> lines = events.readAll().split('\n');
    int checked = 0;
    while (!labels.atEnd()) {
        const QJsonObject label = QJsonDocument::fromJson(labels.readLine()).object();
        if (!label.value(QStringLiteral("cats")).toArray().contains(QStringLiteral("iam")))
            continue;
        const int line = label.value(QStringLiteral("line")).toInt();
        const QJsonObject ev = QJsonDocument::fromJson(lines.value(line - 1)).object();
        const QString agent = ev.value(QStringLiteral("agent_name")).toString();
        const QJsonObject d = ev.value(QStringLiteral("details")).toObject();
        QString action = d.value(QStringLiteral("action")).toString();
        QString resource = d.value(QStringLiteral("resource")).toString();
        if (action.isEmpty()) {
            action = QStringLiteral("bedrock:InvokeModel");
            resource = QStringLiteral("foundation-model/") + d.value(QStringLiteral("model")).toString();
        }
        bool found = false;
        for (const QJsonValue& v : rows) {
            const QJsonObject o = v.toObject();
            const QString decision = o.value(QStringLiteral("decision")).toString();
            if (o.value(QStringLiteral("agent")).toString() == agent &&
                o.value(QStringLiteral("action")).toString().compare(action, Qt::CaseInsensitive) == 0 &&
                o.value(QStringLiteral("resource")).toString() == resource && decision != u"allowed_used" &&
                decision != u"allowed_unused" && o.value(QStringLiteral("observed")).toInt() > 0)
                found = true;
        }
        QVERIFY2(found, qPrintable(QStringLiteral("line %1: %2 %3 %4").arg(line).arg(agent, action, resource)));
        ++checked;
    }
    QCOMPARE(checked, 20);
}

void TestCliIam::filesGiveTheSameMapAsTheDatabase()
{
    QVERIFY(!m_json.isEmpty());
    const Run r = cli({QStringLiteral("iam"), QStringLiteral("--policies"), sample("policies.json"),
                       QStringLiteral("--format=json"), sample("events.jsonl")});
    QCOMPARE(r.code, 0);
    // The sample has invalid lines on purpose: they are skipped, with a note on stderr.
    QCOMPARE(r.err.count('\n'), 1);
    QVERIFY2(r.err.contains("not valid events"), r.err.constData());
    QCOMPARE(r.out, m_json);
}

void TestCliIam::csvFromDatabase()
{
    const Run r = cli({QStringLiteral("iam"), QStringLiteral("--policies"), sample("policies.json"), QStringLiteral("--db"),
                       m_db, QStringLiteral("--format"), QStringLiteral("csv")});
    QVERIFY2(r.code == 0, r.err.constData());
    QVERIFY(r.out.endsWith('\n'));
    const QList<QByteArray> lines = r.out.trimmed().split('\n');
    QCOMPARE(lines.front(), QByteArray("agent,action,resource,decision,statement,observed"));
    QCOMPARE(lines.size() - 1, parseArray(m_json).size());
    int sonnet = 0;
    for (qsizetype i = 1; i < lines.size(); ++i) {
        const QByteArray& l = lines[i];
        QVERIFY2(!l.contains('\r'), l.constData());
        // The last field is the observed count, the one before the decision or statement.
        const QByteArray observed = l.mid(l.lastIndexOf(',') + 1);
        bool ok = false;
        observed.toLongLong(&ok);
        QVERIFY2(ok, l.constData());
        if (l.startsWith("brain,bedrock:InvokeModel,foundation-model/anthropic.claude-sonnet*,allowed_used,"))
            ++sonnet;
    }
    QCOMPARE(sonnet, 1);
}

void TestCliIam::withoutObservedUseEveryGrantIsUnused()
{
    const Run r = cli({QStringLiteral("iam"), QStringLiteral("--policies"), sample("policies.json")});
    QVERIFY2(r.code == 0, r.err.constData());
    const QJsonArray rows = parseArray(r.out);
    QVERIFY(!rows.isEmpty());
    for (const QJsonValue& v : rows) {
        const QJsonObject o = v.toObject();
        QCOMPARE(o.value(QStringLiteral("observed")).toInt(), 0);
        QVERIFY(o.value(QStringLiteral("decision")).toString() != u"allowed_used");
        QVERIFY(o.value(QStringLiteral("decision")).toString() != u"denied_attempted");
    }
}

void TestCliIam::review()
{
    const Run r = cli({QStringLiteral("iam"), QStringLiteral("--policies"), sample("policies.json"), QStringLiteral("--db"),
                       m_db, QStringLiteral("--review"), QStringLiteral("--format"), QStringLiteral("json")});
    QVERIFY2(r.code == 0, r.err.constData());
    const QJsonArray items = parseArray(r.out);
    QVERIFY(!items.isEmpty());
    const QSet<QString> kinds{QStringLiteral("missing_boundary"),   QStringLiteral("unassigned_role"),
                              QStringLiteral("wildcard_action"),    QStringLiteral("wildcard_service_action"),
                              QStringLiteral("wildcard_resource"),  QStringLiteral("not_action_allow"),
                              QStringLiteral("not_resource_allow"), QStringLiteral("conditional_grant"),
                              QStringLiteral("dead_grant"),         QStringLiteral("unused_grant"),
                              QStringLiteral("missing_tier"),       QStringLiteral("unknown_agent")};
    bool unused = false;
    for (const QJsonValue& v : items) {
        const QJsonObject o = v.toObject();
        QCOMPARE(o.keys(), (QStringList{QStringLiteral("agent"), QStringLiteral("kind"), QStringLiteral("role"),
                                        QStringLiteral("severity"), QStringLiteral("statement"), QStringLiteral("text")}));
        QVERIFY2(kinds.contains(o.value(QStringLiteral("kind")).toString()), qPrintable(o.value(QStringLiteral("kind")).toString()));
        QVERIFY(!o.value(QStringLiteral("text")).toString().isEmpty());
        unused = unused || o.value(QStringLiteral("kind")).toString() == u"unused_grant";
    }
    // Against the observed use, some grants of the sample's roles were never used.
    QVERIFY(unused);
    // Without observed use there is nothing to call unused.
    const Run fileOnly = cli({QStringLiteral("iam"), QStringLiteral("--policies"), sample("policies.json"), QStringLiteral("--review")});
    QCOMPARE(fileOnly.code, 0);
    QVERIFY(!fileOnly.out.contains("unused_grant"));
}

void TestCliIam::reviewCsv()
{
    const Run r = cli({QStringLiteral("iam"), QStringLiteral("--policies"), sample("policies.json"), QStringLiteral("--db"),
                       m_db, QStringLiteral("--review"), QStringLiteral("--format"), QStringLiteral("csv")});
    QVERIFY2(r.code == 0, r.err.constData());
    QVERIFY(r.out.startsWith("kind,severity,agent,role,statement,text\n"));
    QVERIFY(r.out.count('\n') > 1);
}

void TestCliIam::malformedPolicyNamesJsonPath_data()
{
    QTest::addColumn<QByteArray>("policy");
    QTest::addColumn<QString>("path");
    QTest::newRow("bad effect") << QByteArray(R"({"agents": {"a": "r"}, "roles": {"r": {"Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"},
                      {"Effect": "Permit", "Action": "s3:GetObject", "Resource": "*"}]}}})")
                                << QStringLiteral("$.roles.r.Statement[1].Effect");
    QTest::newRow("unknown role") << QByteArray(R"({"agents": {"a": "nope"}, "roles": {}})")
                                  << QStringLiteral("$.agents.a");
    QTest::newRow("wrong type") << QByteArray(R"({"agents": {"a": "r"}, "roles": {"r": {"Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": 5, "Resource": "*"}]}}})")
                                << QStringLiteral("$.roles.r.Statement[0].Action");
    QTest::newRow("duplicate key") << QByteArray(R"({"agents": {"a": "r", "a": "r"}, "roles": {}})")
                                   << QStringLiteral("$.agents.a");
}

void TestCliIam::malformedPolicyNamesJsonPath()
{
    QFETCH(QByteArray, policy);
    QFETCH(QString, path);
    const QString file = writeFile(QStringLiteral("bad-%1.json").arg(QLatin1String(QTest::currentDataTag())).replace(u' ', u'-'), policy);
    for (const QString& format : {QStringLiteral("json"), QStringLiteral("csv")}) {
        const Run r = cli({QStringLiteral("iam"), QStringLiteral("--policies"), file, QStringLiteral("--db"), m_db,
                           QStringLiteral("--format"), format});
        QCOMPARE(r.code, 1);
        QVERIFY(r.out.isEmpty());
        QCOMPARE(r.err.count('\n'), 1);
        QVERIFY2(r.err.startsWith("vigil-cli iam: "), r.err.constData());
        QVERIFY2(r.err.contains(path.toUtf8()), r.err.constData());
        QVERIFY2(r.err.contains(file.toUtf8()), r.err.constData());
    }
}

void TestCliIam::usageErrors_data()
{
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<QString>("mentions");
    const QString policies = sample("policies.json");
    QTest::newRow("no policies") << QStringList{QStringLiteral("iam"), QStringLiteral("--db"), QStringLiteral("x.db")}
                                 << QStringLiteral("--policies");
    QTest::newRow("bad format") << QStringList{QStringLiteral("iam"), QStringLiteral("--policies"), policies,
                                               QStringLiteral("--format"), QStringLiteral("xml")}
                                << QStringLiteral("--format");
    QTest::newRow("missing policy file") << QStringList{QStringLiteral("iam"), QStringLiteral("--policies"),
                                                        QStringLiteral("/no/such/policies.json")}
                                         << QStringLiteral("/no/such/policies.json");
    QTest::newRow("missing database") << QStringList{QStringLiteral("iam"), QStringLiteral("--policies"), policies,
                                                     QStringLiteral("--db"), QStringLiteral("/no/such/x.db")}
                                      << QStringLiteral("/no/such/x.db");
    QTest::newRow("missing events file") << QStringList{QStringLiteral("iam"), QStringLiteral("--policies"), policies,
                                                        QStringLiteral("/no/such/events.jsonl")}
                                         << QStringLiteral("/no/such/events.jsonl");
    QTest::newRow("unknown option") << QStringList{QStringLiteral("iam"), QStringLiteral("--bogus")}
                                    << QStringLiteral("--bogus");
}

void TestCliIam::usageErrors()
{
    QFETCH(QStringList, args);
    QFETCH(QString, mentions);
    const Run r = cli(args);
    QCOMPARE(r.code, 1);
    QVERIFY(r.out.isEmpty());
    QCOMPARE(r.err.count('\n'), 1);
    QVERIFY2(r.err.contains(mentions.toUtf8()), r.err.constData());
}

void TestCliIam::help()
{
    const Run top = cli({QStringLiteral("--help")});
    QVERIFY(top.out.contains("\n  iam "));
    const Run r = cli({QStringLiteral("iam"), QStringLiteral("--help")});
    QCOMPARE(r.code, 0);
    QVERIFY(r.out.startsWith("usage: vigil-cli iam --policies FILE"));
    QVERIFY(r.out.contains("--review"));
}

QTEST_GUILESS_MAIN(TestCliIam)
#include "tst_cliiam.moc"
