// SPDX-License-Identifier: Apache-2.0
// CloudWatch Logs envelopes (tests/data/cloudwatch, see its README): every shape yields the
// Vigil events of its messages, with the same derived event_id, and bad input becomes a
// reasoned rejection.
#include "ingest/cloudconvert.h"
#include "ingest/decoder.h"
#include "ingest/gzipstream.h"
#include "ingest/inputformat.h"
#include "testsupport.h"

#include <QFile>
#include <QtTest>

using namespace vigil;

namespace {

std::string readFixture(const QString& name)
{
    QFile f(vigil::test::dataPath(QStringLiteral("cloudwatch/") + name));
    if (!f.open(QIODevice::ReadOnly))
        qFatal("missing fixture %s", qPrintable(name));
    std::string bytes = f.readAll().toStdString();
    if (looksGzipped(bytes)) {
        std::string out;
        GzipStream gz;
        if (!gz.feed(bytes, [&](std::string_view s) { out.append(s); }))
            qFatal("bad gzip fixture");
        return out;
    }
    return bytes;
}

/// Feeds `bytes` to a CloudWatch reader `step` bytes at a time.
std::vector<ForeignRecord> readInPieces(std::string_view bytes, std::size_t step,
                                        std::int64_t* skipped = nullptr)
{
    std::vector<ForeignRecord> out;
    auto reader = makeRecordReader(InputFormat::CloudWatch, {});
    const RecordSink sink = [&](ForeignRecord&& r, std::int64_t) { out.push_back(std::move(r)); };
    for (std::size_t i = 0; i < bytes.size(); i += step)
        reader->feed(bytes.substr(i, step), sink);
    reader->finish(sink);
    if (skipped)
        *skipped = reader->skipped();
    return out;
}

struct Decoded
{
    AuditEvent event;
    bool ok = false;
};

Decoded decode(const ForeignRecord& r)
{
    Decoded d;
    Decoder decoder;
    d.ok = !r.rejected() && decoder.decode(r.line, d.event).has_value();
    return d;
}

const std::vector<std::string> kExpectedIds{"cw-4628939e0fe95787ac3946911cc2c2ac",
                                            "cw-4ad6f8b520053e9a4709fab7ea06ba48",
                                            "evt-own-0003"};

} // namespace

class TestCloudWatch : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void everyShapeGivesTheSameEvents_data();
    void everyShapeGivesTheSameEvents();
    void derivedIdIsTimestampAndMessage();
    void logGroupGoesIntoDetails();
    void controlMessageIsSkippedAndCounted();
    void badInputIsRejectedWithReason_data();
    void badInputIsRejectedWithReason();
    void detectsByContent_data();
    void detectsByContent();
};

void TestCloudWatch::everyShapeGivesTheSameEvents_data()
{
    QTest::addColumn<QString>("fixture");
    QTest::addColumn<int>("step");
    for (const char* f : {"filter-log-events.json", "get-log-events.json", "000000.gz",
                          "subscription-data.json", "subscription.b64"}) {
        QTest::newRow(qPrintable(QStringLiteral("%1 whole").arg(QLatin1String(f))))
            << QString::fromLatin1(f) << 0;
        QTest::newRow(qPrintable(QStringLiteral("%1 byte by byte").arg(QLatin1String(f))))
            << QString::fromLatin1(f) << 1;
    }
}

void TestCloudWatch::everyShapeGivesTheSameEvents()
{
    QFETCH(QString, fixture);
    QFETCH(int, step);
    const std::string bytes = readFixture(fixture);
    QVERIFY(detectInputFormat(bytes) == InputFormat::CloudWatch);
    const auto records = readInPieces(bytes, step > 0 ? std::size_t(step) : bytes.size());
    QCOMPARE(records.size(), kExpectedIds.size());
    for (std::size_t i = 0; i < records.size(); ++i) {
        const Decoded d = decode(records[i]);
        QVERIFY2(d.ok, records[i].line.c_str());
        QCOMPARE(d.event.eventId, kExpectedIds[i]);
        QCOMPARE(records[i].recordNo, static_cast<std::int64_t>(i + 1));
    }
    QCOMPARE(decode(records[2]).event.agentName, std::string("sql-writer"));
}

void TestCloudWatch::derivedIdIsTimestampAndMessage()
{
    const std::string msg = R"({"timestamp":"2026-11-21T10:00:00Z","event_type":"x","agent_name":"a","thread_id":"t","severity":"info","details":{}})";
    const auto a = convertCloudWatchMessage(msg, 1795255200000, {}, 1, {});
    const auto b = convertCloudWatchMessage(msg, 1795255200000, {"/g", "s", "123"}, 7, {});
    const auto c = convertCloudWatchMessage(msg, 1795255200001, {}, 1, {});
    QCOMPARE(decode(a).event.eventId, cloudWatchEventId(1795255200000, msg));
    QCOMPARE(decode(b).event.eventId, decode(a).event.eventId); // envelope does not matter
    QVERIFY(decode(c).event.eventId != decode(a).event.eventId); // the timestamp does
    QCOMPARE(b.recordNo, 7);
}

void TestCloudWatch::logGroupGoesIntoDetails()
{
    const auto records = readInPieces(readFixture(QStringLiteral("subscription-data.json")), 4096);
    QCOMPARE(records.size(), std::size_t(3));
    const Decoded d = decode(records[0]);
    QVERIFY(d.ok);
    QVERIFY2(d.event.detailsJson.find(R"("cloudwatch":{"log_group":"/agent-system/brain","log_stream":"brain/7f3c2a","event_id":"379517952552000000000")") != std::string::npos,
             d.event.detailsJson.c_str());
    QVERIFY(d.event.detailsJson.find(R"("query":"What were Q3 sales in EMEA?")") != std::string::npos);
    // A message that already carries its event_id keeps it.
    QCOMPARE(decode(records[2]).event.eventId, std::string("evt-own-0003"));
}

void TestCloudWatch::controlMessageIsSkippedAndCounted()
{
    std::int64_t skipped = -1;
    const auto records = readInPieces(readFixture(QStringLiteral("subscription.b64")), 100, &skipped);
    QCOMPARE(skipped, 1);
    QCOMPARE(records.size(), std::size_t(3));
    for (const ForeignRecord& r : records)
        QVERIFY(!r.rejected());
}

void TestCloudWatch::badInputIsRejectedWithReason_data()
{
    QTest::addColumn<QByteArray>("input");
    QTest::addColumn<QString>("code");
    QTest::addColumn<int>("valid"); // events still delivered

    QTest::newRow("invalid base64")
        << QByteArray::fromStdString(readFixture(QStringLiteral("subscription-bad-base64.b64")))
        << "input.invalid_base64" << 0;
    QTest::newRow("truncated gzip")
        << QByteArray::fromStdString(readFixture(QStringLiteral("subscription-truncated.b64")))
        << "input.gzip_truncated" << 2;
    QTest::newRow("event without message")
        << QByteArray(R"({"events":[{"timestamp":1,"eventId":"1"}]})") << "input.missing_field" << 0;
    QTest::newRow("event with an empty message")
        << QByteArray(R"({"events":[{"timestamp":1,"message":" "}]})") << "input.missing_field" << 0;
    QTest::newRow("export line with an empty message")
        << QByteArray("2026-11-21T10:00:00.000Z \n\n") << "input.missing_field" << 0;
    QTest::newRow("event without timestamp")
        << QByteArray(R"({"events":[{"message":"{}"}]})") << "input.missing_field" << 0;
    QTest::newRow("malformed event")
        << QByteArray(R"({"events":[{"message":"{}",,}]})") << "input.invalid_json" << 0;
    QTest::newRow("cut off") << QByteArray(R"({"events":[{"message":"{}","timestamp":)")
                             << "input.invalid_json" << 0;
    QTest::newRow("deeply nested event")
        << QByteArray(R"({"events":[)") + QByteArray(100000, '[') + QByteArray(100000, ']') +
               QByteArray("]}")
        << "input.too_deep" << 0;
    QTest::newRow("event over the cap")
        << QByteArray(R"({"events":[{"timestamp":1,"message":")") + QByteArray(2 << 20, 'a') +
               QByteArray(R"("}]})")
        << "input.too_long" << 0;
    QTest::newRow("document not an object")
        << QByteArray(R"({"events":[]} [1,2])") << "input.not_object" << 0;
}

void TestCloudWatch::badInputIsRejectedWithReason()
{
    QFETCH(QByteArray, input);
    QFETCH(QString, code);
    QFETCH(int, valid);
    const auto records = readInPieces(std::string_view(input.constData(), input.size()), 65536);
    int good = 0, bad = 0;
    for (const ForeignRecord& r : records) {
        if (r.rejected()) {
            ++bad;
            QCOMPARE(QString::fromStdString(r.rejectCode), code);
            QVERIFY(!r.rejectMessage.empty());
            QVERIFY(r.raw.size() <= 64 * 1024);
        } else {
            ++good;
            QVERIFY(decode(r).ok);
        }
    }
    QCOMPARE(bad, 1);
    QCOMPARE(good, valid);
}

void TestCloudWatch::detectsByContent_data()
{
    QTest::addColumn<QByteArray>("head");
    QTest::addColumn<QString>("format");
    QTest::newRow("vigil line") << QByteArray(R"({"timestamp":"2026-11-21T10:00:00Z"})") << "vigil";
    QTest::newRow("filter-log-events") << QByteArray("{\n    \"events\": [") << "cloudwatch";
    QTest::newRow("subscription json") << QByteArray(R"({"messageType":"DATA_MESSAGE")") << "cloudwatch";
    QTest::newRow("subscription base64") << QByteArray("H4sIAAAAAAAAA") << "cloudwatch";
    QTest::newRow("s3 export") << QByteArray("2026-11-21T10:00:00.000Z {}") << "cloudwatch";
    QTest::newRow("cloudtrail") << QByteArray("\xEF\xBB\xBF {\"Records\":[") << "cloudtrail";
    QTest::newRow("garbage") << QByteArray("hello") << "vigil";
    QTest::newRow("empty") << QByteArray() << "vigil";
}

void TestCloudWatch::detectsByContent()
{
    QFETCH(QByteArray, head);
    QFETCH(QString, format);
    QCOMPARE(QString::fromLatin1(toString(detectInputFormat(head.toStdString()))), format);
    QVERIFY(inputFormatFromString(format.toStdString()) == detectInputFormat(head.toStdString()));
}

QTEST_APPLESS_MAIN(TestCloudWatch)
#include "tst_cloudwatch.moc"
