// SPDX-License-Identifier: Apache-2.0
// The C++ validators behind the detectors: Luhn, issuer prefixes, SSN, NANP, country codes,
// entropy. (Placeholders are the secret pack's allowlist now: tst_secret.)

#include "scan/validators.h"

#include <QTest>

using namespace vigil::scan::validators;

class TestValidators : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void luhn_data();
    void luhn();
    void issuer_data();
    void issuer();
    void ssn_data();
    void ssn();
    void nanp_data();
    void nanp();
    void entropy();
};

void TestValidators::luhn_data()
{
    QTest::addColumn<QByteArray>("digits");
    QTest::addColumn<bool>("valid");
    QTest::newRow("visa test") << QByteArray("4111111111111111") << true;
    QTest::newRow("amex test") << QByteArray("378282246310005") << true;
    QTest::newRow("off by one") << QByteArray("4111111111111112") << false;
    QTest::newRow("order number") << QByteArray("5323041144269420") << false;
    QTest::newRow("non digits") << QByteArray("4111-1111") << false;
    QTest::newRow("empty") << QByteArray() << false;
}

void TestValidators::luhn()
{
    QFETCH(QByteArray, digits);
    QFETCH(bool, valid);
    QCOMPARE(luhnValid(digits.toStdString()), valid);
}

void TestValidators::issuer_data()
{
    QTest::addColumn<QByteArray>("digits");
    QTest::addColumn<bool>("valid");
    QTest::newRow("visa 16") << QByteArray("4111111111111111") << true;
    QTest::newRow("visa 13") << QByteArray("4222222222222") << true;
    QTest::newRow("visa 15") << QByteArray("411111111111111") << false;
    QTest::newRow("mc 51") << QByteArray("5105105105105100") << true;
    QTest::newRow("mc 2-series") << QByteArray("2221001234123450") << true;
    QTest::newRow("2-series out of range") << QByteArray("2721001234123456") << false;
    QTest::newRow("amex 15") << QByteArray("371449635398431") << true;
    QTest::newRow("amex 16") << QByteArray("3714496353984310") << false;
    QTest::newRow("discover") << QByteArray("6011000990139424") << true;
    QTest::newRow("jcb") << QByteArray("3530111333300000") << true;
    QTest::newRow("diners 14") << QByteArray("30569309025904") << true;
    QTest::newRow("jcb 19") << QByteArray("3530111333300000126") << true;
    QTest::newRow("jcb below range") << QByteArray("3527111333300000") << false;
    QTest::newRow("maestro 12") << QByteArray("501800000009") << true;
    QTest::newRow("maestro 19") << QByteArray("6759649826438453128") << true;
    QTest::newRow("maestro 11") << QByteArray("50180000000") << false;
    QTest::newRow("mastercard 12") << QByteArray("510510510510") << false;
    QTest::newRow("mir") << QByteArray("2200123456789019") << true;
    QTest::newRow("mir range end") << QByteArray("2205123456789010") << false;
    QTest::newRow("unionpay 19") << QByteArray("6212345678901234569") << true;
    QTest::newRow("rupay 60") << QByteArray("6085123456789010") << true;
    QTest::newRow("troy") << QByteArray("9792123456789018") << true;
    QTest::newRow("unassigned 9") << QByteArray("9112345678901234") << false;
    QTest::newRow("visa 17") << QByteArray("41111111111111111") << false;
    QTest::newRow("epoch ms") << QByteArray("1732147200123") << false;
    QTest::newRow("all zeros") << QByteArray("0000000000000000") << false;
    QTest::newRow("all fours") << QByteArray("4444444444444444") << false;
}

void TestValidators::issuer()
{
    QFETCH(QByteArray, digits);
    QFETCH(bool, valid);
    QCOMPARE(cardIssuerValid(digits.toStdString()), valid);
}

void TestValidators::ssn_data()
{
    QTest::addColumn<QByteArray>("ssn");
    QTest::addColumn<bool>("valid");
    QTest::newRow("ok") << QByteArray("585681287") << true;
    QTest::newRow("area 000") << QByteArray("000712481") << false;
    QTest::newRow("area 666") << QByteArray("666123456") << false;
    QTest::newRow("area 9xx") << QByteArray("912345678") << false;
    QTest::newRow("group 00") << QByteArray("123004567") << false;
    QTest::newRow("serial 0000") << QByteArray("123450000") << false;
    QTest::newRow("area 899") << QByteArray("899451234") << true;
}

void TestValidators::ssn()
{
    QFETCH(QByteArray, ssn);
    QFETCH(bool, valid);
    const std::string s = ssn.toStdString();
    QCOMPARE(ssnValid(s.substr(0, 3), s.substr(3, 2), s.substr(5)), valid);
}

void TestValidators::nanp_data()
{
    QTest::addColumn<QByteArray>("digits");
    QTest::addColumn<bool>("valid");
    QTest::newRow("ok") << QByteArray("5552345678") << true;
    QTest::newRow("sample") << QByteArray("8415494408") << true;
    QTest::newRow("area starts 1") << QByteArray("1552345678") << false;
    QTest::newRow("area starts 0") << QByteArray("0552345678") << false;
    QTest::newRow("exchange starts 1") << QByteArray("5551345678") << false;
    QTest::newRow("area n9x") << QByteArray("5952345678") << false;
    QTest::newRow("area n11") << QByteArray("4112345678") << false;
    QTest::newRow("exchange n11") << QByteArray("5554115678") << false;
    QTest::newRow("nine digits") << QByteArray("555234567") << false;
    QTest::newRow("all same") << QByteArray("2222222222") << false;
}

void TestValidators::nanp()
{
    QFETCH(QByteArray, digits);
    QFETCH(bool, valid);
    QCOMPARE(nanpValid(digits.toStdString()), valid);
}

void TestValidators::entropy()
{
    QCOMPARE(shannonEntropy(""), 0.0);
    QCOMPARE(shannonEntropy("aaaa"), 0.0);
    QCOMPARE(shannonEntropy("abcd"), 2.0);
    QVERIFY(shannonEntropy("QijLtCW3eiznLOUp4woLtNrL3zkfqvPINCgVzPZdtQ2tLHCF") > 4.5);
    QCOMPARE(charClasses("abc"), 1);
    QCOMPARE(charClasses("aB3-"), 4);
}

QTEST_GUILESS_MAIN(TestValidators)
#include "tst_validators.moc"
