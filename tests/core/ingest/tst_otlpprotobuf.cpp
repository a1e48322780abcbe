// SPDX-License-Identifier: Apache-2.0
// OTLP/HTTP protobuf bodies (application/x-protobuf): each JSON fixture re-encoded with the
// official generated classes maps to exactly the same events; bodies protobuf cannot read,
// and bodies that expand beyond the limit, are one rejection each with the body kept; the
// answers decode with the official classes.
#include "ingest/otlpmapper.h"
#include "ingest/otlpprotobuf.h"
#include "ingest/toolactionmap.h"

#include "otlpprotobufbody.h"
#include "otlptestsupport.h"
#include "testsupport.h"

#include "google/rpc/status.pb.h"

#include <QtTest>

#include <string>
#include <vector>

using namespace vigil;
namespace otlp = opentelemetry::proto;

namespace {

std::vector<ForeignRecord> mapBody(OtlpSignal signal, std::string_view body, OtlpEncoding encoding)
{
    return mapOtlpBody(signal, reinterpret_cast<const std::uint8_t*>(body.data()), body.size(),
                       test::builtinTools(), encoding);
}

/// A request of `n` resources, each with one span that says only how many attributes it
/// dropped: a few bytes each in protobuf, a long member name each in JSON.
std::string expandingBody(int n)
{
    otlp::collector::trace::v1::ExportTraceServiceRequest r;
    for (int i = 0; i < n; ++i)
        r.add_resource_spans()->add_scope_spans()->add_spans()->set_dropped_attributes_count(1);
    return r.SerializeAsString();
}

} // namespace

class TestOtlpProtobuf : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void sameEventsAsJson_data();
    void sameEventsAsJson();
    void unreadableBodyIsOneRejection_data();
    void unreadableBodyIsOneRejection();
    void everyCutIsRecordsOrOneRejection();
    void expansionBeyondTheLimitIsRefused();
    void emptyRequestCarriesNothing();
    void answersDecodeWithTheOfficialClasses();
};

void TestOtlpProtobuf::sameEventsAsJson_data()
{
    QTest::addColumn<QString>("file");
    for (const char* f : {"traces-genai-latest.json", "traces-openllmetry.json",
                          "traces-span-events.json", "traces-children-first.json",
                          "traces-parent-later.json", "logs-genai-events.json"})
        QTest::newRow(f) << QString::fromLatin1(f);
}

void TestOtlpProtobuf::sameEventsAsJson()
{
    QFETCH(QString, file);
    const bool traces = file.startsWith(QStringLiteral("traces"));
    const OtlpSignal signal = traces ? OtlpSignal::Traces : OtlpSignal::Logs;
    const std::string json = test::otlpFixture(file.toStdString());
    const std::string pb = test::otlpJsonToProtobuf(json, traces);
    QVERIFY(!pb.empty());
    QVERIFY(pb.find('{') == std::string::npos || pb.size() < json.size()); // binary, smaller

    const auto fromJson = mapBody(signal, json, OtlpEncoding::Json);
    const auto fromPb = mapBody(signal, pb, OtlpEncoding::Protobuf);
    QVERIFY(!fromJson.empty());
    QCOMPARE(fromPb.size(), fromJson.size());
    for (std::size_t i = 0; i < fromJson.size(); ++i) {
        QCOMPARE(fromPb[i].rejectCode, fromJson[i].rejectCode);
        QCOMPARE(fromPb[i].recordNo, fromJson[i].recordNo);
        QCOMPARE(QString::fromStdString(fromPb[i].line), QString::fromStdString(fromJson[i].line));
    }
}

void TestOtlpProtobuf::unreadableBodyIsOneRejection_data()
{
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<QString>("code");
    QTest::newRow("JSON sent as protobuf")
        << QByteArray("{\"resourceSpans\":[]}") << QStringLiteral("input.invalid_protobuf");
    QTest::newRow("bad wire type") << QByteArray("\x0f\x01", 2) << QStringLiteral("input.invalid_protobuf");
    QTest::newRow("length past the end")
        << QByteArray("\x0a\x7f\x12\x00", 4) << QStringLiteral("input.invalid_protobuf");
    QTest::newRow("endless varint")
        << QByteArray("\x08\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff", 12)
        << QStringLiteral("input.invalid_protobuf");
    // An attribute value nested 200 kvlists deep: deeper than the reader goes.
    otlp::collector::trace::v1::ExportTraceServiceRequest deep;
    auto* v = deep.add_resource_spans()->add_scope_spans()->add_spans()->add_attributes()->mutable_value();
    for (int i = 0; i < 200; ++i) {
        auto* kv = v->mutable_kvlist_value()->add_values();
        kv->set_key("k");
        v = kv->mutable_value();
    }
    v->set_string_value("x");
    QTest::newRow("nested too deep")
        << QByteArray::fromStdString(deep.SerializeAsString()) << QStringLiteral("input.invalid_protobuf");
}

void TestOtlpProtobuf::unreadableBodyIsOneRejection()
{
    QFETCH(QByteArray, body);
    QFETCH(QString, code);
    OtlpMapper mapper(test::builtinTools());
    const auto out = mapper.map(OtlpSignal::Traces, std::string_view(body.constData(), body.size()),
                                0, 7, OtlpEncoding::Protobuf);
    QCOMPARE(out.size(), std::size_t(1));
    QCOMPARE(QString::fromStdString(out[0].rejectCode), code);
    QVERIFY2(out[0].rejectMessage.find("ExportTraceServiceRequest") != std::string::npos,
             out[0].rejectMessage.c_str());
    QCOMPARE(out[0].tag, std::uint64_t(7));
    QCOMPARE(out[0].rawBytes, std::int64_t(body.size()));
    // The body is kept, in base64: all of it, since it is short.
    const std::string b64 = body.toBase64().toStdString();
    QCOMPARE(out[0].raw, "protobuf (" + std::to_string(body.size()) + " bytes), base64: " + b64);
    QVERIFY(mapper.bodyRejection() != nullptr);
}

void TestOtlpProtobuf::everyCutIsRecordsOrOneRejection()
{
    const std::string pb = test::otlpJsonToProtobuf(test::otlpFixture("traces-genai-latest.json"), true);
    const std::size_t whole = mapBody(OtlpSignal::Traces, pb, OtlpEncoding::Protobuf).size();
    int rejectedCuts = 0;
    for (std::size_t cut = 1; cut < pb.size(); ++cut) {
        const auto out = mapBody(OtlpSignal::Traces, std::string_view(pb).substr(0, cut),
                                 OtlpEncoding::Protobuf);
        if (out.size() == 1 && out[0].rejectCode == "input.invalid_protobuf") {
            ++rejectedCuts;
            continue;
        }
        // A cut at a field boundary is a valid, shorter request: never more than the whole.
        QVERIFY2(out.size() <= whole, qPrintable(QString::number(cut)));
    }
    // Most cuts fall inside a field and are refused as a whole.
    QVERIFY(rejectedCuts > static_cast<int>(pb.size()) / 2);
}

void TestOtlpProtobuf::expansionBeyondTheLimitIsRefused()
{
    const std::string body = expandingBody(200);
    OtlpMapperOptions o;
    o.maxBodyBytes = 4096;
    QVERIFY(body.size() < o.maxBodyBytes);
    OtlpMapper small(test::builtinTools(), o);
    const auto out = small.map(OtlpSignal::Traces, body, 0, 1, OtlpEncoding::Protobuf);
    QCOMPARE(out.size(), std::size_t(1));
    QCOMPARE(out[0].rejectCode, std::string("input.too_long"));
    QVERIFY2(out[0].rejectMessage.find("expands") != std::string::npos, out[0].rejectMessage.c_str());
    // With room, the same body is 200 spans (each quarantined: a span needs ids).
    OtlpMapper roomy(test::builtinTools());
    const auto all = roomy.map(OtlpSignal::Traces, body, 0, 1, OtlpEncoding::Protobuf);
    QCOMPARE(all.size(), std::size_t(200));
}

void TestOtlpProtobuf::emptyRequestCarriesNothing()
{
    OtlpMapper mapper(test::builtinTools());
    QVERIFY(mapper.map(OtlpSignal::Logs, std::string_view(), 0, 1, OtlpEncoding::Protobuf).empty());
    QVERIFY(mapper.bodyRejection() == nullptr);
}

void TestOtlpProtobuf::answersDecodeWithTheOfficialClasses()
{
    otlp::collector::trace::v1::ExportTraceServiceResponse full;
    QVERIFY(full.ParseFromString(otlppb::exportResponse(OtlpSignal::Traces, 0, "")));
    QVERIFY(!full.has_partial_success());

    otlp::collector::logs::v1::ExportLogsServiceResponse partial;
    QVERIFY(partial.ParseFromString(otlppb::exportResponse(OtlpSignal::Logs, 3, "3 quarantined")));
    QCOMPARE(partial.partial_success().rejected_log_records(), std::int64_t(3));
    QCOMPARE(partial.partial_success().error_message(), std::string("3 quarantined"));

    google::rpc::Status status;
    QVERIFY(status.ParseFromString(otlppb::errorStatus(16, "http.unauthorized: no token")));
    QCOMPARE(status.code(), 16);
    QCOMPARE(status.message(), std::string("http.unauthorized: no token"));
}

QTEST_GUILESS_MAIN(TestOtlpProtobuf)
#include "tst_otlpprotobuf.moc"
