// SPDX-License-Identifier: Apache-2.0
// Scores `vigil-cli scan` against the labelled sample: per line and category, the findings
// must match the ground truth with precision and recall of at least 0.98 (1.0 for the IAM
// categories), and PII findings must carry the labelled rule ids.
#include "testsupport.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QtTest>

#include <map>
#include <set>

namespace {

using LineSets = std::map<int, std::set<QString>>;

struct Score
{
    int tp = 0, fp = 0, fn = 0;
    double precision() const { return tp + fp == 0 ? 1.0 : double(tp) / (tp + fp); }
    double recall() const { return tp + fn == 0 ? 1.0 : double(tp) / (tp + fn); }
};

} // namespace

class TestScanScore : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void categories_data();
    void categories();
    void piiRules();
    void outputNeverHoldsMatchedText();

private:
    LineSets m_truthCats, m_truthRules, m_gotCats, m_gotRules;
    QByteArray m_output;
};

void TestScanScore::initTestCase()
{
    const QString dir = vigil::test::sharedPath(QStringLiteral("samples/labeled-small/"));
    QFile labels(dir + QStringLiteral("labels.jsonl"));
    QVERIFY(labels.open(QIODevice::ReadOnly));
    while (!labels.atEnd()) {
        const QJsonObject o = QJsonDocument::fromJson(labels.readLine()).object();
        const int line = o.value(QStringLiteral("line")).toInt();
        for (const auto v : o.value(QStringLiteral("cats")).toArray())
            m_truthCats[line].insert(v.toString());
        for (const auto v : o.value(QStringLiteral("rules")).toArray())
            m_truthRules[line].insert(v.toString());
    }
    QVERIFY(!m_truthCats.empty());

    QProcess p;
    p.start(QStringLiteral(VIGIL_CLI_PATH),
            {QStringLiteral("scan"), QStringLiteral("--policies"), dir + QStringLiteral("policies.json"),
             QStringLiteral("--format"), QStringLiteral("jsonl"), dir + QStringLiteral("events.jsonl")});
    QVERIFY(p.waitForFinished(120000));
    QCOMPARE(p.exitStatus(), QProcess::NormalExit);
    QCOMPARE(p.exitCode(), 0);
    m_output = p.readAllStandardOutput();
    const QByteArray err = p.readAllStandardError();
    QVERIFY2(err.contains("lines") && err.contains("MB/s"), err.constData());
    for (const QByteArray& l : m_output.split('\n')) {
        if (l.trimmed().isEmpty())
            continue;
        QJsonParseError pe;
        const QJsonObject o = QJsonDocument::fromJson(l, &pe).object();
        QVERIFY2(pe.error == QJsonParseError::NoError, l.constData());
        for (const char* key : {"line", "rule", "category", "severity", "layer", "message"})
            QVERIFY2(o.contains(QLatin1String(key)), l.constData());
        const int layer = o.value(QStringLiteral("layer")).toInt();
        QVERIFY(layer >= 1 && layer <= 7);
        const int line = o.value(QStringLiteral("line")).toInt();
        m_gotCats[line].insert(o.value(QStringLiteral("category")).toString());
        const QString rule = o.value(QStringLiteral("rule")).toString();
        if (rule.startsWith(QStringLiteral("pii.")))
            m_gotRules[line].insert(rule);
    }
}

void TestScanScore::categories_data()
{
    QTest::addColumn<QString>("category");
    QTest::addColumn<double>("floor");
    for (const char* c : {"injection", "pii", "secret", "sql_mutation", "log_injection", "length", "schema", "rejected"})
        QTest::newRow(c) << QString::fromLatin1(c) << 0.98;
    QTest::newRow("iam") << QStringLiteral("iam") << 1.0;
    QTest::newRow("privilege_escalation") << QStringLiteral("privilege_escalation") << 1.0;
}

void TestScanScore::categories()
{
    QFETCH(QString, category);
    QFETCH(double, floor);
    Score s;
    std::set<int> lines;
    for (const auto& [l, _] : m_truthCats)
        lines.insert(l);
    for (const auto& [l, _] : m_gotCats)
        lines.insert(l);
    QStringList misses;
    for (int l : lines) {
        const bool truth = m_truthCats[l].count(category) > 0;
        const bool got = m_gotCats[l].count(category) > 0;
        s.tp += truth && got;
        s.fp += !truth && got;
        s.fn += truth && !got;
        if (truth != got)
            misses << QStringLiteral("%1%2").arg(got ? QStringLiteral("+") : QStringLiteral("-")).arg(l);
    }
    QVERIFY2(s.tp + s.fn > 0, "the sample has no line of this category");
    const QByteArray why = QStringLiteral("%1: precision %2 recall %3 (fp/fn lines: %4)")
                               .arg(category).arg(s.precision()).arg(s.recall())
                               .arg(misses.join(QLatin1Char(' '))).toUtf8();
    QVERIFY2(s.precision() >= floor, why.constData());
    QVERIFY2(s.recall() >= floor, why.constData());
}

void TestScanScore::piiRules()
{
    for (const auto& [line, rules] : m_truthRules)
        for (const QString& r : rules)
            QVERIFY2(m_gotRules[line].count(r), qPrintable(QStringLiteral("line %1 lacks %2").arg(line).arg(r)));
}

void TestScanScore::outputNeverHoldsMatchedText()
{
    // A sample email and a sample key never appear in the findings output.
    QFile events(vigil::test::sharedPath(QStringLiteral("samples/labeled-small/events.jsonl")));
    QVERIFY(events.open(QIODevice::ReadOnly));
    const QByteArray all = events.readAll();
    QRegularExpression email(QStringLiteral("[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\\.[A-Za-z]{2,}"));
    int checked = 0;
    for (auto it = email.globalMatch(QString::fromUtf8(all)); it.hasNext();) {
        const QString m = it.next().captured(0);
        QVERIFY2(!m_output.contains(m.toUtf8()), qPrintable(m));
        ++checked;
    }
    QVERIFY(checked > 0);
}

QTEST_GUILESS_MAIN(TestScanScore)
#include "tst_scanscore.moc"
