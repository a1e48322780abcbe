// SPDX-License-Identifier: Apache-2.0
// Content length limits of seed guide 4.2, counted in code points.

#include "scantestutil.h"

using namespace scantest;

class TestLength : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void limits_data();
    void limits();
    void countsCodePoints();
    void totalRequest();
    void onlyTheNamedFields();
};

void TestLength::limits_data()
{
    QTest::addColumn<QByteArray>("type");
    QTest::addColumn<QByteArray>("path");
    QTest::addColumn<int>("limit");
    QTest::addColumn<QByteArray>("rule");
    QTest::newRow("question") << QByteArray("user_query_received") << QByteArray("details.query") << 2000
                              << QByteArray("length.query");
    QTest::newRow("filter value") << QByteArray("worker_invoked") << QByteArray("details.filters[0].value") << 200
                                  << QByteArray("length.filter_value");
    QTest::newRow("filter value in list") << QByteArray("worker_invoked") << QByteArray("details.filters[2].value[3]")
                                          << 200 << QByteArray("length.filter_value");
    QTest::newRow("filter column") << QByteArray("worker_invoked") << QByteArray("details.filters[1].column") << 50
                                   << QByteArray("length.dimension_name");
    QTest::newRow("dimension") << QByteArray("brain_plan_created") << QByteArray("details.plan.dimensions[0]") << 50
                               << QByteArray("length.dimension_name");
    QTest::newRow("group by") << QByteArray("worker_invoked") << QByteArray("details.group_by") << 50
                              << QByteArray("length.dimension_name");
}

void TestLength::limits()
{
    QFETCH(QByteArray, type);
    QFETCH(QByteArray, path);
    QFETCH(int, limit);
    QFETCH(QByteArray, rule);
    const auto atLimit = makeEvent(type.toStdString(), {{path.toStdString(), std::string(std::size_t(limit), 'x')}});
    QVERIFY2(rules(scan(atLimit), "length").isEmpty(), describe(scan(atLimit)));
    const auto over = makeEvent(type.toStdString(), {{path.toStdString(), std::string(std::size_t(limit) + 7, 'x')}});
    const auto fs = scan(over);
    QCOMPARE(rules(fs, "length"), QStringList{QString::fromLatin1(rule)});
    const Finding* f = first(fs, "length");
    QCOMPARE(f->layer, 2);
    QCOMPARE(f->field, path.toStdString());
    QCOMPARE(f->start, limit); // the span is the part beyond the limit
    QCOMPARE(f->end, limit + 7);
}

void TestLength::countsCodePoints()
{
    // 60 two-byte characters are 120 bytes but 60 code points: over 50, within 200.
    std::string name;
    for (int i = 0; i < 60; ++i)
        name += "\xC3\xA9";
    auto fs = scan(makeEvent("worker_invoked", {{"details.filters[0].column", name}, {"details.filters[0].value", name}}));
    QCOMPARE(rules(fs, "length"), QStringList{QStringLiteral("length.dimension_name")});
    QCOMPARE(fs[0].end, 60);
}

void TestLength::totalRequest()
{
    auto e = makeField("user_query_received", "query", "short");
    e.detailsChars = 10001;
    auto fs = scan(e);
    QCOMPARE(rules(fs, "length"), QStringList{QStringLiteral("length.total_request")});
    QCOMPARE(fs[0].field, std::string("details"));
    QCOMPARE(fs[0].start, -1);
    e.detailsChars = 10000;
    QVERIFY(scan(e).empty());
    // Only user queries have a total-request limit.
    auto other = makeField("worker_result", "output", "short");
    other.detailsChars = 20000;
    QVERIFY(scan(other).empty());
}

void TestLength::onlyTheNamedFields()
{
    const std::string big(3000, 'y');
    for (const char* path : {"details.output", "details.plan", "details.reason", "details.stack_trace"}) {
        const auto fs = scan(makeEvent("worker_result", {{path, big}}));
        QVERIFY2(rules(fs, "length").isEmpty(), describe(fs));
    }
    // details.query of another event type is not a user question.
    QVERIFY(scan(makeEvent("worker_result", {{"details.query", big}})).empty());
}

QTEST_GUILESS_MAIN(TestLength)
#include "tst_length.moc"
