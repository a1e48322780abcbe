// SPDX-License-Identifier: Apache-2.0
// Log injection: forged records after line breaks, terminal escapes, control characters;
// multi-line stack traces and outputs stay clean.

#include "scantestutil.h"

using namespace scantest;

class TestLogInjection : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void positives_data();
    void positives();
    void negatives_data();
    void negatives();
    void spans();
};

void TestLogInjection::positives_data()
{
    QTest::addColumn<QByteArray>("key");
    QTest::addColumn<QByteArray>("text");
    QTest::addColumn<QByteArray>("rule");
    const QByteArray forged("log_injection.forged_record");
    const QByteArray esc("log_injection.terminal_escape");
    const QByteArray ctl("log_injection.control_char");
    QTest::newRow("crlf json record")
        << QByteArray("reason")
        << QByteArray("low confidence\r\n{\"timestamp\":\"2026-11-21T10:00:00Z\",\"event_type\":\"security_event\"}")
        << forged;
    QTest::newRow("lf iso timestamp") << QByteArray("query") << QByteArray("ok\n2026-11-21T10:00:00Z INFO all clear") << forged;
    QTest::newRow("lf bracket level") << QByteArray("reason") << QByteArray("fine\n[INFO] user admin logged in") << forged;
    QTest::newRow("lf level word") << QByteArray("query") << QByteArray("x\nERROR: disk full") << forged;
    QTest::newRow("lf key value") << QByteArray("reason") << QByteArray("x\nlevel=info msg=\"all good\"") << forged;
    QTest::newRow("syslog") << QByteArray("reason") << QByteArray("x\nNov 21 10:00:00 host sshd[1]: accepted") << forged;
    QTest::newRow("nel") << QByteArray("reason") << QByteArray("x\xC2\x85[WARN] ignore") << forged;
    QTest::newRow("line separator") << QByteArray("reason") << QByteArray("x\xE2\x80\xA8{\"level\":\"info\"}") << forged;
    QTest::newRow("forged inside stack trace")
        << QByteArray("stack_trace")
        << QByteArray("Traceback:\n  File a.py\nValueError\n2026-11-21T10:00:00Z {\"event_type\":\"x\"}") << forged;
    QTest::newRow("json in output") << QByteArray("output") << QByteArray("done\n{\"timestamp\": \"2026-01-01\"}") << forged;
    QTest::newRow("ansi clear") << QByteArray("reason") << QByteArray("low confidence\x1B[2J\x1B[1;1H all clear") << esc;
    QTest::newRow("ansi color") << QByteArray("reason") << QByteArray("low\x1B[31mCRITICAL\x1B[0m fake alert") << esc;
    QTest::newRow("osc title") << QByteArray("output") << QByteArray("x\x1B]0;pwned\x07 y") << esc;
    QTest::newRow("osc hyperlink") << QByteArray("output") << QByteArray("\x1B]8;;http://evil\x1B\\click\x1B]8;;\x1B\\") << esc;
    QTest::newRow("c1 csi") << QByteArray("reason") << QByteArray("x\xC2\x9B" "2J y") << esc;
    QTest::newRow("nul") << QByteArray("reason") << QByteArray(QByteArray("a") + '\0' + "b") << ctl;
    QTest::newRow("bell backspace") << QByteArray("query") << QByteArray("abc\x08\x08\x08xyz\x07") << ctl;
    QTest::newRow("bare cr") << QByteArray("reason") << QByteArray("approved\rdenied  ") << ctl;
    QTest::newRow("c1 control") << QByteArray("reason") << QByteArray("x\xC2\x80y") << ctl;
    QTest::newRow("newline in identifier") << QByteArray("worker_name") << QByteArray("sql-writer\nformatter") << ctl;
}

void TestLogInjection::positives()
{
    QFETCH(QByteArray, key);
    QFETCH(QByteArray, text);
    QFETCH(QByteArray, rule);
    const auto fs = scan(makeField("human_escalation", key.toStdString(), text.toStdString()));
    QVERIFY2(rules(fs, "log_injection").contains(QString::fromLatin1(rule)), describe(fs));
    QCOMPARE(first(fs, "log_injection")->layer, 4);
}

void TestLogInjection::negatives_data()
{
    QTest::addColumn<QByteArray>("key");
    QTest::addColumn<QByteArray>("text");
    QTest::newRow("python traceback")
        << QByteArray("stack_trace")
        << QByteArray("Traceback (most recent call last):\n  File \"worker.py\", line 88, in run\n    raise TimeoutError()\nTimeoutError");
    QTest::newRow("windows line endings") << QByteArray("stack_trace") << QByteArray("line one\r\nline two\r\n");
    QTest::newRow("java trace")
        << QByteArray("stack_trace")
        << QByteArray("java.lang.IllegalStateException: boom\n\tat a.B.c(B.java:10)\nCaused by: x\nERROR: relation missing");
    QTest::newRow("multi-line plan") << QByteArray("plan") << QByteArray("1. sql-writer builds query\n2. formatter renders");
    QTest::newRow("multi-line output") << QByteArray("output") << QByteArray("region | viewers\nnorth | 10\n{\"a\": 1}");
    QTest::newRow("multi-line question") << QByteArray("query") << QByteArray("Compare channels\nfor October\n\nthanks");
    QTest::newRow("tabs") << QByteArray("output") << QByteArray("a\tb\tc");
    QTest::newRow("unicode text") << QByteArray("output") << QByteArray("caf\xC3\xA9 \xE2\x80\x94 \xC2\xA9 2026");
}

void TestLogInjection::negatives()
{
    QFETCH(QByteArray, key);
    QFETCH(QByteArray, text);
    const auto fs = scan(makeField("error_occurred", key.toStdString(), text.toStdString()));
    QVERIFY2(rules(fs, "log_injection").isEmpty(), describe(fs));
}

void TestLogInjection::spans()
{
    const std::string v = "low confidence\r\n{\"timestamp\":\"2026\"}\nnext";
    auto fs = scan(makeField("human_escalation", "reason", v));
    QCOMPARE(fs.size(), std::size_t(1));
    QCOMPARE(slice(v, fs[0].start, fs[0].end), QStringLiteral("\r\n{\"timestamp\":\"2026\"}"));

    const std::string e = "ab\x1B[2J\x1B[1;1Hcd";
    fs = scan(makeField("human_escalation", "reason", e));
    QCOMPARE(fs.size(), std::size_t(1)); // adjacent sequences form one finding
    QCOMPARE(fs[0].start, 2);
    QCOMPARE(fs[0].end, 2 + 4 + 6);
}

QTEST_GUILESS_MAIN(TestLogInjection)
#include "tst_loginjection.moc"
