// SPDX-License-Identifier: Apache-2.0
// CloudTrail log files (tests/data/cloudtrail, see its README): each record a tool_call with
// the cloud's own view of action, resource, outcome and agent; read as a stream.
#include "ingest/cloudconvert.h"
#include "ingest/decoder.h"
#include "ingest/inputformat.h"
#include "testsupport.h"

#include <QFile>
#include <QtTest>

using namespace vigil;

namespace {

std::string fixture(const QString& name)
{
    QFile f(vigil::test::dataPath(QStringLiteral("cloudtrail/") + name));
    if (!f.open(QIODevice::ReadOnly))
        qFatal("missing fixture %s", qPrintable(name));
    return f.readAll().toStdString();
}

ReaderOptions withRoles()
{
    ReaderOptions o;
    auto map = std::make_shared<RoleAgentMap>();
    map->emplace("arn:aws:iam::123456789012:role/agent-brain-role", "brain");
    map->emplace("arn:aws:iam::123456789012:role/agent-sql-writer-role", "sql-writer");
    o.roleAgents = map;
    return o;
}

std::vector<ForeignRecord> read(std::string_view bytes, std::size_t step, const ReaderOptions& o,
                                std::vector<std::int64_t>* offsets = nullptr)
{
    std::vector<ForeignRecord> out;
    auto reader = makeRecordReader(InputFormat::CloudTrail, o);
    const RecordSink sink = [&](ForeignRecord&& r, std::int64_t end) {
        out.push_back(std::move(r));
        if (offsets)
            offsets->push_back(end);
    };
    for (std::size_t i = 0; i < bytes.size(); i += step)
        reader->feed(bytes.substr(i, step), sink);
    reader->finish(sink);
    return out;
}

AuditEvent decoded(const ForeignRecord& r)
{
    AuditEvent e;
    Decoder d;
    if (r.rejected() || !d.decode(r.line, e))
        qFatal("not a valid event: %s %s", r.rejectCode.c_str(), r.line.c_str());
    return e;
}

} // namespace

class TestCloudTrail : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void recordsBecomeToolCalls_data();
    void recordsBecomeToolCalls();
    void pieceSizeDoesNotMatter();
    void everyCutGivesTheSameRecords();
    void badRecordsAreRejectedAlone_data();
    void badRecordsAreRejectedAlone();
};

void TestCloudTrail::recordsBecomeToolCalls_data()
{
    QTest::addColumn<int>("index");
    QTest::addColumn<QString>("eventId");
    QTest::addColumn<QString>("agent");
    QTest::addColumn<QString>("action");
    QTest::addColumn<QString>("resource");
    QTest::addColumn<QString>("outcome");
    QTest::addColumn<QString>("agentSource");
    QTest::newRow("mapped role, allowed")
        << 0 << "0c4a7e3e-1111-4b8f-8c5d-000000000001" << "brain" << "bedrock:InvokeModel"
        << "arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-sonnet-4" << "allowed"
        << "role_arns";
    QTest::newRow("AccessDenied is denied")
        << 1 << "0c4a7e3e-2222-4b8f-8c5d-000000000002" << "sql-writer" << "dynamodb:PutItem"
        << "arn:aws:dynamodb:us-east-1:123456789012:table/agent-checkpoints" << "denied"
        << "role_arns";
    QTest::newRow("unmapped role keeps its name")
        << 2 << "0c4a7e3e-3333-4b8f-8c5d-000000000003" << "etl-nightly-role" << "s3:GetObject"
        << "arn:aws:s3:::data-bucket/readonly/q3.csv" << "allowed"
        << "role name: the role is not in the policy file's role_arns";
    QTest::newRow("IAM user, no resources")
        << 3 << "eae87c48-d421-4626-94f5-EXAMPLEac994" << "Mary_Major" << "cloudtrail:StartLogging"
        << "*" << "allowed" << "IAM user name: not an assumed role";
    QTest::newRow("Client.UnauthorizedOperation is denied")
        << 4 << "0c4a7e3e-5555-4b8f-8c5d-000000000005" << "brain" << "ec2:RunInstances" << "*"
        << "denied" << "role_arns";
}

void TestCloudTrail::recordsBecomeToolCalls()
{
    QFETCH(int, index);
    QFETCH(QString, eventId);
    QFETCH(QString, agent);
    QFETCH(QString, action);
    QFETCH(QString, resource);
    QFETCH(QString, outcome);
    QFETCH(QString, agentSource);
    const std::string bytes = fixture(QStringLiteral("trail.json"));
    QVERIFY(detectInputFormat(bytes) == InputFormat::CloudTrail);
    const auto records = read(bytes, bytes.size(), withRoles());
    QCOMPARE(records.size(), std::size_t(5));
    const AuditEvent e = decoded(records[static_cast<std::size_t>(index)]);
    QCOMPARE(records[static_cast<std::size_t>(index)].recordNo, index + 1);
    QCOMPARE(QString::fromStdString(e.eventType), QStringLiteral("tool_call"));
    QCOMPARE(QString::fromStdString(e.eventId), eventId);
    QCOMPARE(QString::fromStdString(e.agentName), agent);
    QCOMPARE(QString::fromStdString(e.action), action);
    QCOMPARE(QString::fromStdString(e.resource), resource);
    QCOMPARE(QString::fromStdString(e.outcome), outcome);
    QVERIFY2(e.detailsJson.find("\"agent_source\":\"" + agentSource.toStdString() + "\"") !=
                 std::string::npos,
             e.detailsJson.c_str());
    // Without a mapping the assumed role's own name is the agent.
    const auto plain = read(bytes, bytes.size(), {});
    if (index == 0)
        QCOMPARE(decoded(plain[0]).agentName, std::string("agent-brain-role"));
}

void TestCloudTrail::pieceSizeDoesNotMatter()
{
    const std::string bytes = fixture(QStringLiteral("trail.json"));
    std::vector<std::int64_t> wholeEnds, pieceEnds;
    const auto whole = read(bytes, bytes.size(), withRoles(), &wholeEnds);
    const auto pieces = read(bytes, 7, withRoles(), &pieceEnds);
    QCOMPARE(pieces.size(), whole.size());
    for (std::size_t i = 0; i < whole.size(); ++i)
        QCOMPARE(pieces[i].line, whole[i].line);
    QCOMPARE(pieceEnds, wholeEnds);
    // Each offset is just past its record's closing brace.
    QCOMPARE(bytes[static_cast<std::size_t>(wholeEnds[0] - 1)], '}');
}

// Two pieces, cut at every byte: a scalar (top-level or an element) that ends exactly where
// a piece begins used to swallow the rest of that piece (found by fuzz_foreign).
void TestCloudTrail::everyCutGivesTheSameRecords()
{
    const std::string good = R"({"eventTime":"2026-11-21T10:00:00Z","eventSource":"s3.amazonaws.com","eventName":"ListBuckets","eventID":"e1"})";
    const std::string bytes = "{\"n\":12,\"ok\":true ,\"Records\":[7," + good + ",8 ," + good +
                              "],\"m\":3}\n{\"Records\":[" + good + "],\"z\":0}";
    const auto whole = read(bytes, bytes.size(), {});
    QCOMPARE(whole.size(), std::size_t(5)); // 7 and 8 are rejected, three records kept
    for (std::size_t cut = 1; cut < bytes.size(); ++cut) {
        std::vector<ForeignRecord> out;
        auto reader = makeRecordReader(InputFormat::CloudTrail, {});
        const RecordSink sink = [&](ForeignRecord&& r, std::int64_t) { out.push_back(std::move(r)); };
        reader->feed(std::string_view(bytes).substr(0, cut), sink);
        reader->feed(std::string_view(bytes).substr(cut), sink);
        reader->finish(sink);
        QVERIFY2(out.size() == whole.size(), qPrintable(QStringLiteral("cut at %1").arg(cut)));
        for (std::size_t i = 0; i < whole.size(); ++i) {
            QCOMPARE(out[i].line, whole[i].line);
            QCOMPARE(out[i].rejectCode, whole[i].rejectCode);
        }
    }
}

void TestCloudTrail::badRecordsAreRejectedAlone_data()
{
    const std::string good = R"({"eventTime":"2026-11-21T10:00:00Z","eventSource":"s3.amazonaws.com","eventName":"ListBuckets","eventID":"e1"})";
    QTest::addColumn<QByteArray>("input");
    QTest::addColumn<QString>("code");
    QTest::addColumn<int>("valid");
    auto doc = [&](const QByteArray& bad) {
        return QByteArray("{\"Records\":[") + QByteArray::fromStdString(good) + "," + bad + "," +
               QByteArray::fromStdString(good).replace("e1", "e2") + "]}";
    };
    QTest::newRow("malformed record") << doc("{\"eventTime\":}") << "input.invalid_json" << 2;
    QTest::newRow("not an object") << doc("42") << "input.not_object" << 2;
    QTest::newRow("no eventName")
        << doc(R"({"eventTime":"2026-11-21T10:00:00Z","eventSource":"s3.amazonaws.com"})")
        << "input.missing_field" << 2;
    QTest::newRow("record over the cap")
        << doc("{\"eventTime\":\"" + QByteArray(3 << 20, 'x') + "\"}") << "input.too_long" << 2;
    QTest::newRow("absurdly deep") << doc(QByteArray(1 << 18, '[') + QByteArray(1 << 18, ']'))
                                   << "input.too_deep" << 2;
    QTest::newRow("cut off at the end")
        << QByteArray("{\"Records\":[") + QByteArray::fromStdString(good) + ",{\"eventTime\":\"20"
        << "input.invalid_json" << 1;
    QTest::newRow("not a trail at all") << QByteArray("[1,2,3]") << "input.not_object" << 0;
}

void TestCloudTrail::badRecordsAreRejectedAlone()
{
    QFETCH(QByteArray, input);
    QFETCH(QString, code);
    QFETCH(int, valid);
    const auto records = read(std::string_view(input.constData(), input.size()), 1 << 16, {});
    int good = 0, bad = 0;
    for (const ForeignRecord& r : records) {
        if (r.rejected()) {
            ++bad;
            QCOMPARE(QString::fromStdString(r.rejectCode), code);
            QVERIFY(r.raw.size() <= 64 * 1024);
        } else {
            ++good;
            QCOMPARE(decoded(r).action, std::string("s3:ListBuckets"));
        }
    }
    QCOMPARE(bad, 1);
    QCOMPARE(good, valid);
}

QTEST_APPLESS_MAIN(TestCloudTrail)
#include "tst_cloudtrail.moc"
