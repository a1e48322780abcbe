// SPDX-License-Identifier: Apache-2.0
// `vigil-cli incidents list|show|update` and `vigil-cli export` end to end on the shared
// sample: the list agrees with stats, an update shows in the history and keeps verify
// passing, exports are redacted unless asked otherwise, and errors are one line.
#include "testsupport.h"

#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QRegularExpression>
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
    return Run{p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1,
               p.readAllStandardOutput(), p.readAllStandardError()};
}

QString sample()
{
    return vigil::test::sharedPath(QStringLiteral("samples/labeled-small/events.jsonl"));
}

QString s(const char* text)
{
    return QString::fromUtf8(text);
}

const QRegularExpression& emailAddress()
{
    static const QRegularExpression re(
        QStringLiteral("[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\\.[A-Za-z]{2,}"));
    return re;
}

} // namespace

class TestCliIncidents : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void listCountEqualsStats();
    void listFiltersAndFormats();
    void updateThenShowHasHistory();
    void updateIsAllOrNothing();
    void exportIsRedacted();
    void exportFilters();
    void errorsAreOneLine_data();
    void errorsAreOneLine();
    void help();

private:
    QJsonArray list(const QStringList& extra = {});
    QString m_db;
    QTemporaryDir m_dir;
};

void TestCliIncidents::initTestCase()
{
    QVERIFY(m_dir.isValid());
    m_db = m_dir.filePath(QStringLiteral("sample.db"));
    const Run r = cli({s("import"), s("--db"), m_db, sample()});
    QVERIFY2(r.code == 0, r.err.constData());
}

QJsonArray TestCliIncidents::list(const QStringList& extra)
{
    const Run r = cli(
        QStringList{s("incidents"), s("list"), s("--db"), m_db, s("--format"), s("json")} + extra);
    if (r.code != 0)
        qWarning("incidents list: %s", r.err.constData());
    return QJsonDocument::fromJson(r.out).array();
}

void TestCliIncidents::listCountEqualsStats()
{
    const Run stats = cli({s("stats"), s("--db"), m_db, s("--format"), s("json")});
    QCOMPARE(stats.code, 0);
    const QJsonObject st = QJsonDocument::fromJson(stats.out).object();
    const QJsonArray all = list();
    QVERIFY(all.size() > 0);
    QCOMPARE(all.size(), st.value(s("incidents")).toInt());
    int open = 0;
    for (const QJsonValue& v : all) {
        const QJsonObject i = v.toObject();
        QVERIFY(i.value(s("id")).toInt() > 0);
        QVERIFY(!i.value(s("title")).toString().isEmpty());
        QVERIFY(QStringList({s("low"), s("medium"), s("high"), s("critical")})
                    .contains(i.value(s("severity")).toString()));
        if (QStringList({s("open"), s("investigating")})
                .contains(i.value(s("status")).toString()) &&
            !i.value(s("muted")).toBool())
            ++open;
    }
    QCOMPARE(open, st.value(s("open_incidents")).toInt());
    // Most recently active first.
    for (int k = 1; k < all.size(); ++k)
        QVERIFY(all[k - 1].toObject().value(s("last")).toString() >=
                all[k].toObject().value(s("last")).toString());
}

void TestCliIncidents::listFiltersAndFormats()
{
    const QJsonArray pii = list({s("--category"), s("pii")});
    QVERIFY(pii.size() > 0);
    for (const QJsonValue& v : pii)
        QCOMPARE(v.toObject().value(s("category")).toString(), s("pii"));
    const QJsonArray critical = list({s("--severity"), s("critical")});
    for (const QJsonValue& v : critical)
        QCOMPARE(v.toObject().value(s("severity")).toString(), s("critical"));
    QCOMPARE(list({s("--limit"), s("2")}).size(), 2);

    const Run csv = cli({s("incidents"), s("list"), s("--db"), m_db, s("--format"), s("csv")});
    QCOMPARE(csv.code, 0);
    QVERIFY(csv.out.startsWith("id,status,severity,category,rule,layer,agent,thread_id,"));
    QCOMPARE(csv.out.count("\r\n"), list().size() + 1);

    const Run table = cli({s("incidents"), s("list"), s("--db"), m_db, s("--status"), s("open")});
    QCOMPARE(table.code, 0);
    QVERIFY(table.out.contains("status"));
    QVERIFY(table.out.contains("open"));
}

void TestCliIncidents::updateThenShowHasHistory()
{
    const int id = list().at(0).toObject().value(s("id")).toInt();
    const QString ids = QString::number(id);
    const Run u = cli({s("incidents"), s("update"), s("--db"), m_db, ids, s("--status"),
                       s("investigating"), s("--assignee"), s("alice"), s("--note"),
                       s("checking with the data owner"), s("--actor"), s("reviewer-1")});
    QVERIFY2(u.code == 0, u.err.constData());
    QVERIFY(u.out.contains("status 'open' -> 'investigating'"));
    QVERIFY(u.out.contains("recorded 3 changes by reviewer-1"));

    const Run show =
        cli({s("incidents"), s("show"), s("--db"), m_db, ids, s("--format"), s("json")});
    QVERIFY2(show.code == 0, show.err.constData());
    const QJsonObject j = QJsonDocument::fromJson(show.out).object();
    QCOMPARE(j.value(s("id")).toInt(), id);
    QCOMPARE(j.value(s("status")).toString(), s("investigating"));
    QCOMPARE(j.value(s("assignee")).toString(), s("alice"));
    QCOMPARE(j.value(s("notes")).toString(), s("checking with the data owner"));
    const QJsonArray history = j.value(s("history")).toArray();
    QCOMPARE(history.size(), 3);
    const QJsonObject first = history.at(0).toObject();
    QCOMPARE(first.value(s("actor")).toString(), s("reviewer-1"));
    QCOMPARE(first.value(s("field")).toString(), s("status"));
    QCOMPARE(first.value(s("old")).toString(), s("open"));
    QCOMPARE(first.value(s("new")).toString(), s("investigating"));
    QVERIFY(j.value(s("findings")).toArray().size() > 0);
    QVERIFY(j.value(s("evidence")).toArray().size() > 0);

    // Again with the same values: nothing changes, nothing is recorded.
    const Run again =
        cli({s("incidents"), s("update"), s("--db"), m_db, ids, s("--status"), s("investigating")});
    QCOMPARE(again.code, 0);
    QVERIFY(again.out.contains("nothing changed"));
    const Run table = cli({s("incidents"), s("show"), s("--db"), m_db, ids});
    QCOMPARE(table.code, 0);
    QVERIFY(table.out.contains("history (3)"));
    QVERIFY(table.out.contains("reviewer-1  status: 'open' -> 'investigating'"));

    // The review is in the keyed history chain.
    const Run verify = cli({s("verify"), s("--db"), m_db});
    QVERIFY2(verify.code == 0, verify.out.constData());
}

void TestCliIncidents::updateIsAllOrNothing()
{
    const int id = list().at(1).toObject().value(s("id")).toInt();
    const Run u = cli({s("incidents"), s("update"), s("--db"), m_db, QString::number(id),
                       s("999999"), s("--status"), s("resolved")});
    QCOMPARE(u.code, 1);
    QVERIFY2(u.err.contains("no incident 999999"), u.err.constData());
    const Run show = cli({s("incidents"), s("show"), s("--db"), m_db, QString::number(id),
                          s("--format"), s("json")});
    QCOMPARE(QJsonDocument::fromJson(show.out).object().value(s("history")).toArray().size(), 0);
}

void TestCliIncidents::exportIsRedacted()
{
    const QString redacted = m_dir.filePath(s("events.csv"));
    const Run r = cli({s("export"), s("--db"), m_db, s("--format"), s("csv"), s("-o"), redacted});
    QVERIFY2(r.code == 0, r.err.constData());
    QVERIFY(r.err.contains("redacted"));
    QFile f(redacted);
    QVERIFY(f.open(QIODevice::ReadOnly));
    const QString text = QString::fromUtf8(f.readAll());
    QVERIFY(text.startsWith(
        s("timestamp,severity,event_type,agent_name,thread_id,event_id,findings,details")));
    QVERIFY(text.contains(s("[REDACTED:pii.email]")));
    const auto m = emailAddress().match(text);
    QVERIFY2(!m.hasMatch(), qPrintable(m.captured(0)));

    const QString clear = m_dir.filePath(s("events-clear.jsonl"));
    const Run u = cli({s("export"), s("--db"), m_db, s("--unredacted"), s("-o"), clear});
    QVERIFY2(u.code == 0, u.err.constData());
    QVERIFY(u.err.contains("UNREDACTED"));
    QFile g(clear);
    QVERIFY(g.open(QIODevice::ReadOnly));
    const QByteArray all = g.readAll();
    QVERIFY(emailAddress().match(QString::fromUtf8(all)).hasMatch());
    QVERIFY(!all.contains("[REDACTED:"));
    // Unredacted files are the owner's only.
    QCOMPARE(QFileInfo(clear).permissions() & (QFile::ReadGroup | QFile::ReadOther),
             QFileDevice::Permissions{});

    // One JSON line per stored event.
    const Run stats = cli({s("stats"), s("--db"), m_db, s("--format"), s("json")});
    QCOMPARE(all.count('\n'),
             QJsonDocument::fromJson(stats.out).object().value(s("events")).toInt());
}

void TestCliIncidents::exportFilters()
{
    const Run r = cli({s("export"), s("--db"), m_db, s("--category"), s("pii"), s("-o"), s("-")});
    QVERIFY2(r.code == 0, r.err.constData());
    const QList<QByteArray> lines = r.out.split('\n');
    QVERIFY(lines.size() > 1);
    for (const QByteArray& line : lines) {
        if (line.isEmpty())
            continue;
        const QJsonArray rules =
            QJsonDocument::fromJson(line).object().value(s("findings")).toArray();
        bool pii = false;
        for (const QJsonValue& rule : rules)
            pii = pii || rule.toString().startsWith(s("pii."));
        QVERIFY2(pii, line.constData());
    }
    QVERIFY(!emailAddress().match(QString::fromUtf8(r.out)).hasMatch());
    const Run none =
        cli({s("export"), s("--db"), m_db, s("--agent"), s("nobody"), s("-o"), s("-")});
    QCOMPARE(none.code, 0);
    QVERIFY(none.out.isEmpty());
    QVERIFY(none.err.contains("wrote 0 events"));
}

void TestCliIncidents::errorsAreOneLine_data()
{
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<QString>("mentions");
    const QString db = m_dir.filePath(s("sample.db"));
    const QString none = m_dir.filePath(s("none.db"));
    QTest::newRow("no subcommand") << QStringList{s("incidents"), s("frob")} << s("frob");
    QTest::newRow("list without db") << QStringList{s("incidents"), s("list")} << s("--db");
    QTest::newRow("list bad status")
        << QStringList{s("incidents"), s("list"), s("--db"), db, s("--status"), s("closed")}
        << s("closed");
    QTest::newRow("list bad format")
        << QStringList{s("incidents"), s("list"), s("--db"), db, s("--format"), s("xml")}
        << s("--format");
    QTest::newRow("list missing db")
        << QStringList{s("incidents"), s("list"), s("--db"), none} << s("none.db");
    QTest::newRow("show without id")
        << QStringList{s("incidents"), s("show"), s("--db"), db} << s("ID");
    QTest::newRow("show bad id") << QStringList{s("incidents"), s("show"), s("--db"), db, s("x1")}
                                 << s("x1");
    QTest::newRow("show unknown id")
        << QStringList{s("incidents"), s("show"), s("--db"), db, s("999999")} << s("999999");
    QTest::newRow("update nothing")
        << QStringList{s("incidents"), s("update"), s("--db"), db, s("1")} << s("--status");
    QTest::newRow("update bad status")
        << QStringList{s("incidents"), s("update"), s("--db"), db, s("1"), s("--status"), s("done")}
        << s("done");
    QTest::newRow("update missing db")
        << QStringList{s("incidents"), s("update"),   s("--db"), none,
                       s("1"),         s("--status"), s("open")}
        << s("none.db");
    QTest::newRow("export without -o") << QStringList{s("export"), s("--db"), db} << s("-o");
    QTest::newRow("export bad format")
        << QStringList{s("export"), s("--db"), db, s("--format"), s("xml"), s("-o"), s("-")}
        << s("--format");
    QTest::newRow("export bad category")
        << QStringList{s("export"), s("--db"), db, s("--category"), s("gossip"), s("-o"), s("-")}
        << s("gossip");
    QTest::newRow("export bad time")
        << QStringList{s("export"), s("--db"), db, s("--from"), s("yesterday"), s("-o"), s("-")}
        << s("--from");
    QTest::newRow("export missing db")
        << QStringList{s("export"), s("--db"), none, s("-o"), s("-")} << s("none.db");
}

void TestCliIncidents::errorsAreOneLine()
{
    QFETCH(QStringList, args);
    QFETCH(QString, mentions);
    const Run r = cli(args);
    QCOMPARE(r.code, 1);
    QCOMPARE(r.err.count('\n'), 1);
    QVERIFY2(r.err.contains(mentions.toUtf8()), r.err.constData());
    QVERIFY(!QFileInfo::exists(m_dir.filePath(s("none.db"))));
}

void TestCliIncidents::help()
{
    const Run top = cli({s("--help")});
    QVERIFY(top.out.contains("\n  incidents "));
    QVERIFY(top.out.contains("\n  export "));
    for (const QStringList& args : {QStringList{s("incidents"), s("--help")},
                                    QStringList{s("incidents"), s("list"), s("--help")},
                                    QStringList{s("incidents"), s("show"), s("--help")},
                                    QStringList{s("incidents"), s("update"), s("--help")},
                                    QStringList{s("export"), s("--help")}}) {
        const Run h = cli(args);
        QCOMPARE(h.code, 0);
        QVERIFY2(h.out.startsWith("usage: vigil-cli " + args.front().toUtf8()), h.out.constData());
    }
    QCOMPARE(cli({s("incidents")}).code, 1);
}

QTEST_GUILESS_MAIN(TestCliIncidents)
#include "tst_cliincidents.moc"
