// SPDX-License-Identifier: Apache-2.0
// security_event records become findings of their declared type.

#include "scantestutil.h"

using namespace scantest;

class TestSecurityEvent : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void types_data();
    void types();
    void severity();
    void textsAreScannedToo();
};

void TestSecurityEvent::types_data()
{
    QTest::addColumn<QByteArray>("type");
    QTest::addColumn<QByteArray>("category");
    QTest::addColumn<int>("layer");
    QTest::newRow("known category") << QByteArray("injection") << QByteArray("injection") << 1;
    QTest::newRow("seed pii_detected") << QByteArray("pii_detected") << QByteArray("pii") << 4;
    QTest::newRow("alias") << QByteArray("prompt_injection") << QByteArray("injection") << 1;
    QTest::newRow("secret leak") << QByteArray("credential_leak") << QByteArray("secret") << 6;
    QTest::newRow("escalation") << QByteArray("privilege_escalation") << QByteArray("privilege_escalation") << 7;
    QTest::newRow("unknown stays") << QByteArray("rate_limit") << QByteArray("rate_limit") << 4;
    QTest::newRow("normalized") << QByteArray("Rate-Limit Hit") << QByteArray("rate_limit_hit") << 4;
    // What the agent stopped is the category: "injection_blocked" is an injection.
    QTest::newRow("blocked") << QByteArray("injection_blocked") << QByteArray("injection") << 1;
    QTest::newRow("blocked alias") << QByteArray("SQL injection prevented") << QByteArray("sql_mutation") << 5;
    QTest::newRow("refused secret") << QByteArray("secret_refused") << QByteArray("secret") << 6;
    QTest::newRow("unknown blocked stays") << QByteArray("rate_limit_blocked") << QByteArray("rate_limit_blocked") << 4;
    QTest::newRow("suffix alone stays") << QByteArray("_blocked") << QByteArray("_blocked") << 4;
}

void TestSecurityEvent::types()
{
    QFETCH(QByteArray, type);
    QFETCH(QByteArray, category);
    QFETCH(int, layer);
    auto e = makeEvent("security_event", {{"details.type", type.toStdString()}, {"details.details", "blocked"}});
    e.securityType = type.toStdString();
    const auto fs = scan(e);
    QCOMPARE(fs.size(), std::size_t(1));
    QCOMPARE(fs[0].rule, std::string("security_event.reported"));
    QCOMPARE(fs[0].category, category.toStdString());
    QCOMPARE(fs[0].layer, layer);
    QCOMPARE(fs[0].field, std::string("details.type"));
    QCOMPARE(fs[0].message, "agent reported a security event: " + category.toStdString());
}

void TestSecurityEvent::severity()
{
    auto e = makeEvent("security_event", {{"details.type", "x"}});
    e.securityType = "x";
    e.severity = vigil::EventSeverity::Error;
    QCOMPARE(int(scan(e)[0].severity), int(vigil::FindingSeverity::High));
    e.texts.push_back({"details.severity", "critical"});
    QCOMPARE(int(scan(e)[0].severity), int(vigil::FindingSeverity::Critical));
    e.texts.back().value = "low";
    QCOMPARE(int(scan(e)[0].severity), int(vigil::FindingSeverity::Low));
}

void TestSecurityEvent::textsAreScannedToo()
{
    auto e = makeEvent("security_event", {{"details.type", "pii_detected"},
                                          {"details.details", "leaked john.doe@example.com"}});
    e.securityType = "pii_detected";
    const auto fs = scan(e);
    QCOMPARE(rules(fs), (QStringList{QStringLiteral("pii.email"), QStringLiteral("security_event.reported")}));
}

QTEST_GUILESS_MAIN(TestSecurityEvent)
#include "tst_securityevent.moc"
