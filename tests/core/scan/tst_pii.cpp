// SPDX-License-Identifier: Apache-2.0
// PII detection: pii.email, pii.phone, pii.ssn, pii.credit_card (and pii.iban, off by
// default) with their validators, spans in code points, evasions, and the number shapes
// that must not count.

#include "scantestutil.h"

using namespace scantest;

namespace {

std::string str(const QByteArray& b)
{
    return b.toStdString();
}

/// The built-in packs with `json` merged on top.
std::shared_ptr<const vigil::Scanner> scannerWith(const char* json)
{
    auto pack = vigil::RulePack::builtin();
    if (!pack)
        qFatal("builtin rule pack: %s", pack.error().message.c_str());
    if (auto r = pack->merge(json, "user.json"); !r)
        qFatal("user pack: %s", r.error().message.c_str());
    auto s = vigil::Scanner::create(*pack);
    if (!s)
        qFatal("scanner: %s", s.error().message.c_str());
    return *s;
}

QByteArray fullwidthDigits(const QByteArray& ascii)
{
    std::u32string out;
    for (char c : ascii)
        out += (c >= '0' && c <= '9') ? char32_t(0xFF10 + (c - '0')) : char32_t(c);
    return QString::fromStdU32String(out).toUtf8();
}

} // namespace

class TestPii : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void positives_data();
    void positives();
    void negatives_data();
    void negatives();
    void evasions_data();
    void evasions();
    void exclusiveNumberKinds();
    void severalInOneField();
    void layerAndMessage();
    void ibanIsNotACard_data();
    void ibanIsNotACard();
    void ibanRuleWhenEnabled();
    void phoneRegionsParam();
    void internationalCheckValid();
    void findingsHoldNoPii();
};

void TestPii::positives_data()
{
    QTest::addColumn<QByteArray>("text");
    QTest::addColumn<QByteArray>("rule");
    QTest::addColumn<QByteArray>("match");

    QTest::newRow("email") << QByteArray("row 17: li.wei+ott@mail.example.org, region north")
                           << QByteArray("pii.email") << QByteArray("li.wei+ott@mail.example.org");
    QTest::newRow("email co.uk") << QByteArray("contact maria_g@corp.example.co.uk.") << QByteArray("pii.email")
                                 << QByteArray("maria_g@corp.example.co.uk");
    QTest::newRow("email in parens") << QByteArray("(john.doe@example.com)") << QByteArray("pii.email")
                                     << QByteArray("john.doe@example.com");
    QTest::newRow("email obfuscated") << QByteArray("write to john [at] example [dot] com today")
                                      << QByteArray("pii.email") << QByteArray("john [at] example [dot] com");

    QTest::newRow("phone parens") << QByteArray("call (555) 234-5678 now") << QByteArray("pii.phone")
                                  << QByteArray("(555) 234-5678");
    QTest::newRow("phone parens tight") << QByteArray("tel:(555)234-5678") << QByteArray("pii.phone")
                                        << QByteArray("(555)234-5678");
    QTest::newRow("phone dashes") << QByteArray("Top viewer contact: 510-606-6522") << QByteArray("pii.phone")
                                  << QByteArray("510-606-6522");
    QTest::newRow("phone dots") << QByteArray("Customer 455.271.9765 asked") << QByteArray("pii.phone")
                                << QByteArray("455.271.9765");
    QTest::newRow("phone spaces") << QByteArray("ring 415 555 0132 please") << QByteArray("pii.phone")
                                  << QByteArray("415 555 0132");
    QTest::newRow("phone +1") << QByteArray("dial +1 555 234 5678") << QByteArray("pii.phone")
                              << QByteArray("+1 555 234 5678");
    QTest::newRow("phone +1 parens") << QByteArray("dial +1 (555) 234-5678.") << QByteArray("pii.phone")
                                     << QByteArray("+1 (555) 234-5678");
    QTest::newRow("phone 1-800") << QByteArray("call 1-800-555-0199") << QByteArray("pii.phone")
                                 << QByteArray("1-800-555-0199");
    QTest::newRow("phone e164 us") << QByteArray("sms +15552345678") << QByteArray("pii.phone")
                                   << QByteArray("+15552345678");
    QTest::newRow("phone bare 10") << QByteArray("escalated by 5757195821 for review") << QByteArray("pii.phone")
                                   << QByteArray("5757195821");
    QTest::newRow("phone uk") << QByteArray("office +44 20 7946 0958") << QByteArray("pii.phone")
                              << QByteArray("+44 20 7946 0958");
    QTest::newRow("phone uk trunk") << QByteArray("office +44 (0)20 7946 0958") << QByteArray("pii.phone")
                                    << QByteArray("+44 (0)20 7946 0958");
    QTest::newRow("phone de") << QByteArray("Berlin: +49 30 1234567") << QByteArray("pii.phone")
                              << QByteArray("+49 30 1234567");
    QTest::newRow("phone fr") << QByteArray("Paris +33 1 23 45 67 89") << QByteArray("pii.phone")
                              << QByteArray("+33 1 23 45 67 89");
    QTest::newRow("phone e164 intl") << QByteArray("whatsapp +442079460958") << QByteArray("pii.phone")
                                     << QByteArray("+442079460958");
    // +1 with an exchange code NANP does not assign (182): a possible number by
    // libphonenumber's plan for +1, which the `+` makes a phone number.
    QTest::newRow("phone +1 dashes") << QByteArray("reach me at +1-984-182-0190.") << QByteArray("pii.phone")
                                     << QByteArray("+1-984-182-0190");
    QTest::newRow("phone +91") << QByteArray("mobile +91 98765 43210 (IN)") << QByteArray("pii.phone")
                               << QByteArray("+91 98765 43210");
    QTest::newRow("phone +86") << QByteArray("tel +86 138 1234 5678") << QByteArray("pii.phone")
                               << QByteArray("+86 138 1234 5678");
    QTest::newRow("phone +81 dashes") << QByteArray("call +81-90-1234-5678") << QByteArray("pii.phone")
                                      << QByteArray("+81-90-1234-5678");
    // National forms of the default regions.
    QTest::newRow("phone gb mobile national") << QByteArray("text 07700 063 966 after six") << QByteArray("pii.phone")
                                              << QByteArray("07700 063 966");
    QTest::newRow("phone gb landline national") << QByteArray("office 020 7946 0958, ask for Sam")
                                                << QByteArray("pii.phone") << QByteArray("020 7946 0958");
    QTest::newRow("phone gb mobile bare") << QByteArray("sms 07700900123 now") << QByteArray("pii.phone")
                                          << QByteArray("07700900123");
    QTest::newRow("phone jp mobile") << QByteArray("keitai 090-1234-5678") << QByteArray("pii.phone")
                                     << QByteArray("090-1234-5678");
    QTest::newRow("phone jp tokyo") << QByteArray("Tokyo office 03-1234-5678") << QByteArray("pii.phone")
                                    << QByteArray("03-1234-5678");
    QTest::newRow("phone cn mobile bare") << QByteArray("shouji 13812345678 ok") << QByteArray("pii.phone")
                                          << QByteArray("13812345678");
    QTest::newRow("phone cn mobile grouped") << QByteArray("shouji 138 1234 5678") << QByteArray("pii.phone")
                                             << QByteArray("138 1234 5678");
    QTest::newRow("phone de national") << QByteArray("Festnetz 030 1234567") << QByteArray("pii.phone")
                                       << QByteArray("030 1234567");
    QTest::newRow("phone fr national") << QByteArray("portable 06 12 34 56 78") << QByteArray("pii.phone")
                                       << QByteArray("06 12 34 56 78");
    QTest::newRow("phone fr dotted") << QByteArray("bureau 01.23.45.67.89") << QByteArray("pii.phone")
                                     << QByteArray("01.23.45.67.89");
    QTest::newRow("phone br mobile") << QByteArray("celular (11) 91234-5678") << QByteArray("pii.phone")
                                     << QByteArray("(11) 91234-5678");
    QTest::newRow("phone cn landline") << QByteArray("Dalian 0411 4426 9420") << QByteArray("pii.phone")
                                       << QByteArray("0411 4426 9420");
    QTest::newRow("phone cn landline merged") << QByteArray("Beijing 010-12345678") << QByteArray("pii.phone")
                                              << QByteArray("010-12345678");
    QTest::newRow("phone in landline") << QByteArray("Mumbai 022 2345 6789") << QByteArray("pii.phone")
                                       << QByteArray("022 2345 6789");

    QTest::newRow("ssn") << QByteArray("Customer 585-68-1287 asked for a refund") << QByteArray("pii.ssn")
                         << QByteArray("585-68-1287");
    QTest::newRow("ssn spaces") << QByteArray("ssn 123 45 6789") << QByteArray("pii.ssn") << QByteArray("123 45 6789");
    QTest::newRow("ssn bare with context") << QByteArray("SSN: 123456789") << QByteArray("pii.ssn")
                                           << QByteArray("123456789");
    QTest::newRow("ssn dots") << QByteArray("on file: 123.45.6789.") << QByteArray("pii.ssn")
                              << QByteArray("123.45.6789");

    QTest::newRow("visa grouped") << QByteArray("card 4111 1111 1111 1111 on file") << QByteArray("pii.credit_card")
                                  << QByteArray("4111 1111 1111 1111");
    QTest::newRow("visa plain") << QByteArray("Top viewer contact: 4539578763621486") << QByteArray("pii.credit_card")
                                << QByteArray("4539578763621486");
    QTest::newRow("mastercard dashes") << QByteArray("Customer 5425-2334-3010-9903 asked")
                                       << QByteArray("pii.credit_card") << QByteArray("5425-2334-3010-9903");
    QTest::newRow("mastercard 2-series") << QByteArray("pay 2221 0012 3412 3450") << QByteArray("pii.credit_card")
                                         << QByteArray("2221 0012 3412 3450");
    QTest::newRow("amex 4-6-5") << QByteArray("amex 3782 822463 10005 ok") << QByteArray("pii.credit_card")
                                << QByteArray("3782 822463 10005");
    QTest::newRow("amex plain") << QByteArray("amex 371449635398431") << QByteArray("pii.credit_card")
                                << QByteArray("371449635398431");
    QTest::newRow("discover") << QByteArray("disc 6011 1111 1111 1117") << QByteArray("pii.credit_card")
                              << QByteArray("6011 1111 1111 1117");
    QTest::newRow("visa 19") << QByteArray("v 4222 2222 2222 2222 224") << QByteArray("pii.credit_card")
                             << QByteArray("4222 2222 2222 2222 224");
    QTest::newRow("maestro 12") << QByteArray("maestro 5018 0000 0009 exp 04/27") << QByteArray("pii.credit_card")
                                << QByteArray("5018 0000 0009");
    QTest::newRow("maestro 12 plain") << QByteArray("card 501800000009") << QByteArray("pii.credit_card")
                                      << QByteArray("501800000009");
    QTest::newRow("maestro 19") << QByteArray("m 6759 6498 2643 8453 128") << QByteArray("pii.credit_card")
                                << QByteArray("6759 6498 2643 8453 128");
    QTest::newRow("jcb 16") << QByteArray("jcb 3530 1113 3330 0000") << QByteArray("pii.credit_card")
                            << QByteArray("3530 1113 3330 0000");
    QTest::newRow("jcb 19") << QByteArray("jcb 3530111333300000126") << QByteArray("pii.credit_card")
                            << QByteArray("3530111333300000126");
    QTest::newRow("unionpay 19") << QByteArray("up 6212345678901234569") << QByteArray("pii.credit_card")
                                 << QByteArray("6212345678901234569");
    QTest::newRow("mir") << QByteArray("mir 2200 1234 5678 9019") << QByteArray("pii.credit_card")
                         << QByteArray("2200 1234 5678 9019");
    QTest::newRow("rupay") << QByteArray("rupay 6085-1234-5678-9010") << QByteArray("pii.credit_card")
                           << QByteArray("6085-1234-5678-9010");
    QTest::newRow("diners 4-6-4") << QByteArray("diners 3056 930902 5904") << QByteArray("pii.credit_card")
                                  << QByteArray("3056 930902 5904");

    QTest::newRow("email idn domain") << QByteArray("mail user@b\xC3\xBC" "cher.de please") << QByteArray("pii.email")
                                      << QByteArray("user@b\xC3\xBC" "cher.de");
    // The raw view drops combining marks (bücher is matched as bucher); ß and ø have none.
    QTest::newRow("email idn sharp s") << QByteArray("J\xC3\xB6rg: joerg@stra\xC3\x9F" "e.de") << QByteArray("pii.email")
                                       << QByteArray("joerg@stra\xC3\x9F" "e.de");
    QTest::newRow("email idn local part") << QByteArray("write s\xC3\xB8ren.l\xC3\xB8kke@f\xC3\xB8tex.dk today")
                                          << QByteArray("pii.email")
                                          << QByteArray("s\xC3\xB8ren.l\xC3\xB8kke@f\xC3\xB8tex.dk");
    QTest::newRow("email cjk") << QByteArray("\xE9\x82\xAE\xE7\xAE\xB1 \xE7\x94\xA8\xE6\x88\xB7@\xE4\xBE\x8B\xE5\xAD\x90.\xE5\xB9\xBF\xE5\x91\x8A")
                               << QByteArray("pii.email")
                               << QByteArray("\xE7\x94\xA8\xE6\x88\xB7@\xE4\xBE\x8B\xE5\xAD\x90.\xE5\xB9\xBF\xE5\x91\x8A");
    QTest::newRow("email cyrillic") << QByteArray("\xD0\xBF\xD0\xBE\xD1\x87\xD1\x82\xD0\xB0@\xD0\xBF\xD1\x80\xD0\xB8\xD0\xBC\xD0\xB5\xD1\x80.\xD1\x80\xD1\x84, ok")
                                    << QByteArray("pii.email")
                                    << QByteArray("\xD0\xBF\xD0\xBE\xD1\x87\xD1\x82\xD0\xB0@\xD0\xBF\xD1\x80\xD0\xB8\xD0\xBC\xD0\xB5\xD1\x80.\xD1\x80\xD1\x84");
    QTest::newRow("email punycode") << QByteArray("to info@xn--bcher-kva.xn--p1ai now") << QByteArray("pii.email")
                                    << QByteArray("info@xn--bcher-kva.xn--p1ai");
    QTest::newRow("email then cjk text") << QByteArray("bob@example.com\xE6\x82\xA8\xE5\xA5\xBD") << QByteArray("pii.email")
                                         << QByteArray("bob@example.com");
}

void TestPii::positives()
{
    QFETCH(QByteArray, text);
    QFETCH(QByteArray, rule);
    QFETCH(QByteArray, match);
    for (const char* key : {"output", "query", "filters[0].value"}) {
        const std::string value = str(text);
        const auto fs = scan(makeField("worker_result", key, value));
        QVERIFY2(rules(fs, "pii") == QStringList{QString::fromLatin1(rule)}, describe(fs));
        QCOMPARE(slice(value, fs.front().start, fs.front().end), QString::fromUtf8(match));
    }
}

void TestPii::negatives_data()
{
    QTest::addColumn<QByteArray>("text");
    QTest::newRow("luhn fails") << QByteArray("order 5323 0411 4426 9420 shipped");
    QTest::newRow("luhn fails plain") << QByteArray("ref 4539578763621487");
    QTest::newRow("epoch ms") << QByteArray("ts 1732147200123 and 1700000000000");
    QTest::newRow("epoch s") << QByteArray("at 1732147200");
    QTest::newRow("uuid") << QByteArray("trace 5f2d64e8-6723-4a1b-9c3d-369989732588");
    QTest::newRow("uuid digits") << QByteArray("id 12345678-1234-5678-1234-567812345678");
    QTest::newRow("ipv4") << QByteArray("node 10.0.34.36 and 192.168.100.200");
    QTest::newRow("version") << QByteArray("build 2026.11.16 v1.2.3.4 release 555.123.4567.1");
    QTest::newRow("hex hash") << QByteArray("input a4850822b0af6735 and 008a05a6c4647159");
    QTest::newRow("digit hash") << QByteArray("sha 3729463821097364882910");
    QTest::newRow("longer digit run") << QByteArray("acct 55512345678901");
    QTest::newRow("inside alnum") << QByteArray("token x5551234567y and AB123-45-6789");
    QTest::newRow("decimals") << QByteArray("ratio 0.697182 of viewers, share 38.8%");
    QTest::newRow("money") << QByteArray("revenue 1,234,567.89 USD");
    QTest::newRow("dates") << QByteArray("from 2026-11-21 to 11/22/2026 at 10:00:00");
    QTest::newRow("ssn invalid area") << QByteArray("ref 000-71-2481 closed, 666-12-3456, 912-34-5678");
    QTest::newRow("ssn invalid group serial") << QByteArray("ref 123-00-4567 and 123-45-0000");
    QTest::newRow("ssn bare no context") << QByteArray("count 123456789 viewers");
    QTest::newRow("nanp invalid area") << QByteArray("id 1234567890 and 055-234-5678");
    QTest::newRow("nanp n11") << QByteArray("call 911-555-1234");
    QTest::newRow("short local") << QByteArray("ext 555-1234");
    QTest::newRow("email localhost") << QByteArray("contact admin@localhost for access");
    QTest::newRow("email no tld") << QByteArray("user@host and @mention and a@b.c");
    QTest::newRow("numbers list") << QByteArray("viewers 29390 31200 1200");
    QTest::newRow("plus delta") << QByteArray("+12.5% and +300 viewers");
    QTest::newRow("repeated digits card") << QByteArray("0000 0000 0000 0000");
    // Digits that libphonenumber finds valid somewhere, in shapes no one writes a phone in.
    QTest::newRow("us-shaped, not nanp") << QByteArray("ticket 055-234-5678 (a valid Japanese number)");
    QTest::newRow("epoch s is a br landline") << QByteArray("ts=1732147200 and 1700000000");
    QTest::newRow("epoch ms 12-13") << QByteArray("t 173214720012 and 1732147200123");
    // 0411 4426 9420 alone is a Dalian landline; after 4000 it is the tail of a longer run.
    QTest::newRow("number list") << QByteArray("viewers 29390 31200 1200 4000 0411 4426 9420");
    QTest::newRow("card-shaped order") << QByteArray("order 6011 0411 4426 9421 shipped");
    QTest::newRow("zip codes") << QByteArray("zip 94103, 10001-1234 and 01234-5678");
    QTest::newRow("ports and hosts") << QByteArray("ports 8080 443 5432 on 0.0.0.0:8080 and 010.020.030.040");
    QTest::newRow("prices") << QByteArray("$1,299.00, 0.99 EUR, 12 345 678,90 RUB");
    QTest::newRow("dotted dates") << QByteArray("01.02.2026 and 2026.01.02 and 20.11.2026 10:00");
    QTest::newRow("long decimal") << QByteArray("pi 3.14159265358979 and 0.0612345678");
    QTest::newRow("bare 9 with zero") << QByteArray("ref 012345678");
    QTest::newRow("bare landline") << QByteArray("invoice 0412345678 paid");
    QTest::newRow("fr grouping wrong") << QByteArray("batch 0532 0130 00");
    QTest::newRow("lone trunk digit") << QByteArray("scores 0 30 1234 567");
    QTest::newRow("ssn mixed separators") << QByteArray("ref 123-45.6789 and 123.45-6789");
    QTest::newRow("maestro 12 luhn fails") << QByteArray("card 5018 0000 0000");
    QTest::newRow("email decorator") << QByteArray("@decorator\ndef f(): pass\n@app.route('/x')");
    QTest::newRow("email idn no tld") << QByteArray("\xE7\x94\xA8\xE6\x88\xB7@\xE4\xBE\x8B\xE5\xAD\x90 and user@b\xC3\xBC" "cher");
    QTest::newRow("email idn digit tld") << QByteArray("\xE4\xBB\xB7@3.5\xE5\x85\x83");
}

void TestPii::negatives()
{
    QFETCH(QByteArray, text);
    const auto fs = scan(makeField("worker_result", "output", str(text)));
    QVERIFY2(rules(fs, "pii").isEmpty(), describe(fs));
}

void TestPii::evasions_data()
{
    QTest::addColumn<QByteArray>("text");
    QTest::addColumn<QByteArray>("rule");
    QTest::addColumn<QString>("match");
    QTest::newRow("fullwidth phone") << fullwidthDigits("call 555-234-5678 now") << QByteArray("pii.phone")
                                     << QString::fromUtf8(fullwidthDigits("555-234-5678"));
    QTest::newRow("fullwidth at") << QString::fromUtf8("mail bob\xEF\xBC\xA0" "example.com").toUtf8()
                                  << QByteArray("pii.email") << QString::fromUtf8("bob\xEF\xBC\xA0" "example.com");
    QTest::newRow("zero-width in email")
        << QByteArray("mail jo\xE2\x80\x8Bhn@exam\xE2\x80\x8Cple.com") << QByteArray("pii.email")
        << QString::fromUtf8("jo\xE2\x80\x8Bhn@exam\xE2\x80\x8Cple.com");
    QTest::newRow("zero-width in card")
        << QByteArray("card 4111\xE2\x80\x8B 1111 1111 1111") << QByteArray("pii.credit_card")
        << QString::fromUtf8("4111\xE2\x80\x8B 1111 1111 1111");
    QTest::newRow("nbsp grouped ssn") << QByteArray("ssn 585\xC2\xA0" "68\xC2\xA0" "1287") << QByteArray("pii.ssn")
                                      << QString::fromUtf8("585\xC2\xA0" "68\xC2\xA0" "1287");
    QTest::newRow("after accents") << QByteArray("Zo\xC3\xAB: 585-68-1287") << QByteArray("pii.ssn")
                                   << QStringLiteral("585-68-1287");
}

void TestPii::evasions()
{
    QFETCH(QByteArray, text);
    QFETCH(QByteArray, rule);
    QFETCH(QString, match);
    const std::string value = str(text);
    const auto fs = scan(makeField("worker_result", "output", value));
    QVERIFY2(rules(fs, "pii") == QStringList{QString::fromLatin1(rule)}, describe(fs));
    QCOMPARE(slice(value, fs.front().start, fs.front().end), match);
}

void TestPii::exclusiveNumberKinds()
{
    // A card is not also a phone; an SSN is not also a phone.
    auto fs = scan(makeField("worker_result", "output", "5308 7359 7155 6641"));
    QCOMPARE(rules(fs, "pii"), QStringList{QStringLiteral("pii.credit_card")});
    fs = scan(makeField("worker_result", "output", "row 17 555-234-5678"));
    QCOMPARE(rules(fs, "pii"), QStringList{QStringLiteral("pii.phone")});
    // Hash fields are not read for numbers.
    fs = scan(makeField("worker_result", "output_hash", "4539578763621486"));
    QVERIFY2(rules(fs, "pii").isEmpty(), describe(fs));
}

void TestPii::severalInOneField()
{
    const std::string v = "a@example.com, 555-234-5678 and b@example.org; ssn 585-68-1287";
    const auto fs = scan(makeField("worker_result", "output", v));
    QCOMPARE(rules(fs, "pii"), (QStringList{QStringLiteral("pii.email"), QStringLiteral("pii.phone"),
                                            QStringLiteral("pii.email"), QStringLiteral("pii.ssn")}));
    for (std::size_t i = 1; i < fs.size(); ++i)
        QVERIFY(fs[i - 1].start < fs[i].start);
}

void TestPii::layerAndMessage()
{
    const auto fs = scan(makeField("worker_result", "output", "x john.doe@example.com"));
    QCOMPARE(fs.size(), std::size_t(1));
    QCOMPARE(fs[0].layer, 4);
    QCOMPARE(fs[0].category, std::string("pii"));
    QCOMPARE(fs[0].message, std::string("email address in agent output"));
    QCOMPARE(fs[0].start, 2);
    QCOMPARE(fs[0].end, 22);
}

void TestPii::ibanIsNotACard_data()
{
    QTest::addColumn<QByteArray>("text");
    QTest::newRow("de grouped") << QByteArray("pay to DE89 3704 0044 0532 0130 00 by Friday");
    QTest::newRow("gb grouped") << QByteArray("IBAN: GB82 WEST 1234 5698 7654 32.");
    QTest::newRow("de compact") << QByteArray("iban DE89370400440532013000");
    QTest::newRow("fr grouped") << QByteArray("FR14 2004 1010 0505 0001 3M02 606");
    QTest::newRow("lower case") << QByteArray("de89 3704 0044 0532 0130 00");
    // Valid IBANs whose digit groups alone would be payment cards (Visa 4111 1111 1111
    // 1111 and Maestro 5018 0000 0009, both Luhn-valid): only the IBAN check keeps them out.
    QTest::newRow("visa inside") << QByteArray("transfer to DE95 4111 1111 1111 1111 00 today");
    QTest::newRow("maestro inside") << QByteArray("BE25 5018 0000 0009");
}

void TestPii::ibanIsNotACard()
{
    // With pii.iban off (the default) an IBAN yields no finding at all: its digit groups
    // are kept out of the card, SSN and phone detectors.
    QFETCH(QByteArray, text);
    const auto fs = scan(makeField("worker_result", "output", str(text)));
    QVERIFY2(rules(fs, "pii").isEmpty(), describe(fs));
}

void TestPii::ibanRuleWhenEnabled()
{
    QVERIFY(!builtinScanner().rules().empty());
    const auto off = vigil::RulePack::builtin();
    QVERIFY(off->rule("pii.iban"));
    QVERIFY(!off->rule("pii.iban")->enabled);

    const auto s = scannerWith(R"({"rules": [{"id": "pii.iban", "enabled": true}]})");
    const std::string v = "refund to DE89 3704 0044 0532 0130 00 or GB82WEST12345698765432, card 4111 1111 1111 1111,"
                          " DE95 4111 1111 1111 1111 00";
    const auto fs = scan(makeField("worker_result", "output", v), *s);
    QCOMPARE(rules(fs, "pii"), (QStringList{QStringLiteral("pii.iban"), QStringLiteral("pii.iban"),
                                            QStringLiteral("pii.credit_card"), QStringLiteral("pii.iban")}));
    QCOMPARE(slice(v, fs[0].start, fs[0].end), QStringLiteral("DE89 3704 0044 0532 0130 00"));
    QCOMPARE(slice(v, fs[1].start, fs[1].end), QStringLiteral("GB82WEST12345698765432"));
    QCOMPARE(fs[0].message, std::string("bank account number (IBAN) in agent output"));

    // A wrong check digit, a wrong length, letters glued on: not IBANs (and the digits are
    // then judged as any other digits: 3704 0044 0532 0130 00 is not a card).
    for (const char* bad : {"DE88 3704 0044 0532 0130 00", "DE89 3704 0044 0532 0130 0",
                            "XDE89370400440532013000", "DE89370400440532013000X"}) {
        const auto none = scan(makeField("worker_result", "output", bad), *s);
        QVERIFY2(!hasRule(none, "pii.iban"), bad);
    }
}

void TestPii::phoneRegionsParam()
{
    // Without regions, national forms are not read; NANP and + forms still are.
    const auto s = scannerWith(R"({"rules": [{"id": "pii.phone", "params": {"default_regions": []}}]})");
    for (const char* national : {"07700 063 966", "090-1234-5678", "13812345678"}) {
        const auto fs = scan(makeField("worker_result", "output", national), *s);
        QVERIFY2(rules(fs, "pii").isEmpty(), national);
    }
    for (const char* other : {"510-606-6522", "+44 20 7946 0958"}) {
        const auto fs = scan(makeField("worker_result", "output", other), *s);
        QVERIFY2(rules(fs, "pii") == QStringList{QStringLiteral("pii.phone")}, other);
    }
    // Only Japan: a British mobile is not Japanese, a Japanese mobile is.
    const auto jp = scannerWith(R"({"rules": [{"id": "pii.phone", "params": {"default_regions": ["JP"]}}]})");
    QVERIFY(rules(scan(makeField("worker_result", "output", "07700 063 966"), *jp), "pii").isEmpty());
    QCOMPARE(rules(scan(makeField("worker_result", "output", "090-1234-5678"), *jp), "pii"),
             QStringList{QStringLiteral("pii.phone")});
}

void TestPii::internationalCheckValid()
{
    const auto s = scannerWith(R"({"rules": [{"id": "pii.phone", "params": {"international_check": "valid"}}]})");
    // 182 is no assigned exchange: possible for +1, not valid.
    QVERIFY(rules(scan(makeField("worker_result", "output", "+1-984-182-0190"), *s), "pii").isEmpty());
    QCOMPARE(rules(scan(makeField("worker_result", "output", "+44 20 7946 0958"), *s), "pii"),
             QStringList{QStringLiteral("pii.phone")});
    QCOMPARE(rules(scan(makeField("worker_result", "output", "+1-984-182-0190"), builtinScanner()), "pii"),
             QStringList{QStringLiteral("pii.phone")});
    // Too short for the UK plan, possible or not.
    QVERIFY(rules(scan(makeField("worker_result", "output", "+44 20 7946"), builtinScanner()), "pii").isEmpty());
}

void TestPii::findingsHoldNoPii()
{
    // spec/cli.md: no output ever contains the matched PII.
    const std::string v = "user@b\xC3\xBC" "cher.de +1-984-182-0190 07700 063 966 123.45.6789 3530 1113 3330 0000";
    const auto fs = scan(makeField("worker_result", "output", v));
    QCOMPARE(fs.size(), std::size_t(5));
    for (const vigil::Finding& f : fs)
        for (const char* secret : {"bücher", "984", "07700", "6789", "3530"})
            QVERIFY2(f.message.find(secret) == std::string::npos && f.field.find(secret) == std::string::npos,
                     f.message.c_str());
}

QTEST_GUILESS_MAIN(TestPii)
#include "tst_pii.moc"
