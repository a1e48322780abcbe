// SPDX-License-Identifier: Apache-2.0
// The JSON limits every reader checks before it parses: depth counted outside strings, the
// offset of the first bracket too many, the size cap, and reading a file no larger than a cap.

#include "base/jsonlimits.h"
#include "deepjson.h"
#include "testsupport.h"

#include <QTemporaryDir>

#include <filesystem>
#include <fstream>

using vigil::checkJsonLimits;
using vigil::JsonLimits;
using vigil::readFileLimited;
using vigil::withinJsonLimits;
using vigil::test::nestedArrays;
using vigil::test::nestedObjects;

class TestJsonLimits : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void depth_data();
    void depth();
    void size();
    void byteLimitNames_data();
    void byteLimitNames();
    void readFile();
};

void TestJsonLimits::depth_data()
{
    QTest::addColumn<std::string>("text");
    QTest::addColumn<qint64>("faultAt"); // -1: within the limits

    QTest::newRow("empty") << std::string() << qint64(-1);
    QTest::newRow("scalar") << std::string("42") << qint64(-1);
    QTest::newRow("64 arrays") << nestedArrays(64) << qint64(-1);
    QTest::newRow("65 arrays") << nestedArrays(65) << qint64(64);
    QTest::newRow("64 objects") << nestedObjects(64) << qint64(-1);
    QTest::newRow("65 objects") << nestedObjects(65) << qint64(5 * 64);
    QTest::newRow("50,000 arrays") << nestedArrays(50'000) << qint64(64);
    QTest::newRow("50,000 objects") << nestedObjects(50'000) << qint64(5 * 64);
    // Siblings do not add up: only what is open at once counts.
    std::string siblings = "[";
    for (int i = 0; i < 1000; ++i)
        siblings += nestedArrays(63) + ",";
    siblings += "0]";
    QTest::newRow("1000 siblings 64 deep") << siblings << qint64(-1);
    // Brackets inside strings are text, escaped quotes do not end a string.
    QTest::newRow("brackets in a string") << "[\"" + std::string(100, '[') + "\"]" << qint64(-1);
    QTest::newRow("escaped quote") << "[\"\\\"" + std::string(100, '{') + "\"]" << qint64(-1);
    QTest::newRow("escaped backslash ends the string")
        << "[\"\\\\\"," + nestedArrays(64) + "]" << qint64(6 + 63);
    // Not JSON, but the parser is the one to say so; stray closers never lower the count
    // below zero, so they cannot hide depth that follows.
    QTest::newRow("stray closers")
        << std::string(1000, ']') + nestedArrays(65) << qint64(1000 + 64);
    QTest::newRow("unterminated string") << std::string("[\"[[[[") << qint64(-1);
}

void TestJsonLimits::depth()
{
    QFETCH(std::string, text);
    QFETCH(qint64, faultAt);
    const auto r = checkJsonLimits(text, "rules.json", "rules.invalid");
    QCOMPARE(withinJsonLimits(text), faultAt < 0);
    if (faultAt < 0) {
        QVERIFY2(r.has_value(), r ? "" : r.error().message.c_str());
        return;
    }
    QVERIFY(!r.has_value());
    QCOMPARE(r.error().code, std::string("rules.invalid"));
    QCOMPARE(r.error().message,
             "rules.json: nested deeper than 64 levels at byte " + std::to_string(faultAt));
}

void TestJsonLimits::size()
{
    const JsonLimits limits{1024, 64};
    QVERIFY(checkJsonLimits(std::string(1024, ' '), "a.json", "x", limits).has_value());
    const auto r = checkJsonLimits(std::string(1025, ' '), "a.json", "x.too_large", limits);
    QVERIFY(!r.has_value());
    QCOMPARE(r.error().code, std::string("x.too_large"));
    QCOMPARE(r.error().message, std::string("a.json: larger than 1 KiB (1025 bytes)"));
    QVERIFY(!withinJsonLimits(std::string(1025, ' '), limits));
    // The defaults: 16 MiB and 64 levels.
    const auto big = checkJsonLimits(std::string(16 * 1024 * 1024 + 1, ' '), "b.json", "x");
    QVERIFY(!big.has_value());
    QCOMPARE(big.error().message, std::string("b.json: larger than 16 MiB (16777217 bytes)"));
    QCOMPARE(JsonLimits{}.maxDepth, std::size_t(64));
}

void TestJsonLimits::byteLimitNames_data()
{
    QTest::addColumn<qulonglong>("bytes");
    QTest::addColumn<QString>("name");
    QTest::newRow("MiB") << qulonglong(16 * 1024 * 1024) << QStringLiteral("16 MiB");
    QTest::newRow("KiB") << qulonglong(64 * 1024) << QStringLiteral("64 KiB");
    QTest::newRow("odd") << qulonglong(1000) << QStringLiteral("1000 bytes");
    QTest::newRow("MiB and a bit") << qulonglong(1024 * 1024 + 1024) << QStringLiteral("1025 KiB");
}

void TestJsonLimits::byteLimitNames()
{
    QFETCH(qulonglong, bytes);
    QFETCH(QString, name);
    QCOMPARE(QString::fromStdString(vigil::describeByteLimit(bytes)), name);
}

void TestJsonLimits::readFile()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const std::filesystem::path folder = dir.path().toStdString();
    const auto write = [&](const char* name, std::size_t bytes) {
        std::ofstream(folder / name, std::ios::binary) << std::string(bytes, 'x');
        return folder / name;
    };
    const auto fits = readFileLimited(write("fits", 100'000), 100'000, "io", "big");
    QVERIFY2(fits.has_value(), fits ? "" : fits.error().message.c_str());
    QCOMPARE(fits->size(), std::size_t(100'000));

    const auto over = readFileLimited(write("over", 100'001), 100'000, "io", "big");
    QVERIFY(!over.has_value());
    QCOMPARE(over.error().code, std::string("big"));
    QCOMPARE(over.error().message,
             (folder / "over").string() + ": larger than 100000 bytes (100001 bytes)");

    // A sparse file far over the cap: refused by its size, without reading it.
    const auto huge = folder / "huge";
    std::ofstream(huge, std::ios::binary).put('x');
    std::filesystem::resize_file(huge, std::uintmax_t(64) << 30);
    const auto h = readFileLimited(huge, 16 * 1024 * 1024, "io", "big");
    QVERIFY(!h.has_value());
    QCOMPARE(h.error().message, huge.string() + ": larger than 16 MiB (68719476736 bytes)");

    const auto missing = readFileLimited(folder / "nope", 10, "io", "big");
    QVERIFY(!missing.has_value());
    QCOMPARE(missing.error().code, std::string("io"));
    QCOMPARE(missing.error().message,
             (folder / "nope").string() + ": cannot read the file (No such file or directory)");

    const auto isDir = readFileLimited(folder, 10, "io", "big");
    QVERIFY(!isDir.has_value());
    QCOMPARE(isDir.error().message, folder.string() + ": cannot read the file (it is a folder)");
}

QTEST_GUILESS_MAIN(TestJsonLimits)
#include "tst_jsonlimits.moc"
