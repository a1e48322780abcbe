// SPDX-License-Identifier: Apache-2.0
// Worker output schema validation (seed guide 5.2).

#include "scantestutil.h"

using namespace scantest;

class TestSchema : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void outputs_data();
    void outputs();
    void noSchemaNoCheck();
};

void TestSchema::outputs_data()
{
    QTest::addColumn<QByteArray>("schema");
    QTest::addColumn<QByteArray>("output"); // AuditEvent::outputJson; empty for text output
    QTest::addColumn<QStringList>("expected");
    const QStringList none;
    QTest::newRow("metric ok") << QByteArray("metric")
                               << QByteArray(R"({"value":25808,"unit":"viewers","confidence":0.77,"weighted":true})")
                               << none;
    QTest::newRow("metric float value") << QByteArray("metric")
                                        << QByteArray(R"({"value":0.25,"unit":"share","confidence":1,"weighted":false,"note":"x"})")
                                        << none;
    QTest::newRow("metric missing weighted")
        << QByteArray("metric") << QByteArray(R"({"value":25808,"unit":"viewers","confidence":0.77,"note":"x"})")
        << QStringList{QStringLiteral("schema.missing_field")};
    QTest::newRow("metric value text")
        << QByteArray("metric") << QByteArray(R"({"value":"lots","unit":"viewers","confidence":0.57,"weighted":true})")
        << QStringList{QStringLiteral("schema.wrong_type")};
    QTest::newRow("metric value bool")
        << QByteArray("metric") << QByteArray(R"({"value":true,"unit":"viewers","confidence":0.57,"weighted":true})")
        << QStringList{QStringLiteral("schema.wrong_type")};
    QTest::newRow("metric confidence range")
        << QByteArray("metric") << QByteArray(R"({"value":1,"unit":"viewers","confidence":1.7,"weighted":true})")
        << QStringList{QStringLiteral("schema.out_of_range")};
    QTest::newRow("metric negative confidence")
        << QByteArray("metric") << QByteArray(R"({"value":1,"unit":"viewers","confidence":-0.1,"weighted":true})")
        << QStringList{QStringLiteral("schema.out_of_range")};
    QTest::newRow("metric several")
        << QByteArray("metric") << QByteArray(R"({"value":"x","confidence":3})")
        << QStringList{QStringLiteral("schema.missing_field"), QStringLiteral("schema.wrong_type"),
                       QStringLiteral("schema.out_of_range")};
    QTest::newRow("metric as text") << QByteArray("metric") << QByteArray()
                                    << QStringList{QStringLiteral("schema.not_object")};
    QTest::newRow("metric as array") << QByteArray("metric") << QByteArray("[1,2]")
                                     << QStringList{QStringLiteral("schema.not_object")};
    QTest::newRow("table ok") << QByteArray("table") << QByteArray(R"({"columns":["a"],"rows":[[1],[2]]})") << none;
    QTest::newRow("table missing rows") << QByteArray("table") << QByteArray(R"({"columns":["a"]})")
                                        << QStringList{QStringLiteral("schema.missing_field")};
    QTest::newRow("table rows not array") << QByteArray("table") << QByteArray(R"({"columns":["a"],"rows":5})")
                                          << QStringList{QStringLiteral("schema.wrong_type")};
}

void TestSchema::outputs()
{
    QFETCH(QByteArray, schema);
    QFETCH(QByteArray, output);
    QFETCH(QStringList, expected);
    auto e = makeEvent("worker_result", {{"details.output_hash", "38c0c8fd8712b8bc"}});
    e.outputSchema = schema.toStdString();
    e.outputJson = output.toStdString();
    const auto fs = scan(e);
    QCOMPARE(rules(fs, "schema"), expected);
    for (const Finding& f : fs) {
        QCOMPARE(f.layer, 2);
        QCOMPARE(f.field, std::string("details.output"));
    }
}

void TestSchema::noSchemaNoCheck()
{
    auto e = makeEvent("worker_result", {{"details.output", "plain text answer"}});
    QVERIFY(scan(e).empty());
    // The row limit.
    std::string rows = R"({"columns":["a"],"rows":[)";
    for (int i = 0; i < 10001; ++i)
        rows += i ? ",[1]" : "[1]";
    rows += "]}";
    e.outputSchema = "table";
    e.outputJson = rows;
    QCOMPARE(rules(scan(e), "schema"), QStringList{QStringLiteral("schema.row_limit")});
}

QTEST_GUILESS_MAIN(TestSchema)
#include "tst_schema.moc"
