// SPDX-License-Identifier: Apache-2.0
// The report's line breaking and column sizing (report/textwrap.h), with a measure that
// counts code points, so that every width is a number of characters: breaks at spaces,
// then after separators, cutting inside a piece only when it alone is too long, and never
// losing a character.
#include "report/textwrap.h"

#include <QRandomGenerator>
#include <QtTest>

#include <algorithm>
#include <numeric>

using namespace vigil;

namespace {

/// One unit per code point.
double codePoints(std::string_view s)
{
    double n = 0;
    for (const char c : s)
        n += (static_cast<unsigned char>(c) & 0xC0) != 0x80 ? 1 : 0;
    return n;
}

const TextMeasure kMeasure = codePoints;

QString joined(const std::vector<std::string>& lines)
{
    QStringList out;
    for (const std::string& l : lines)
        out << QString::fromStdString(l);
    return out.join(QLatin1Char('|'));
}

std::string withoutBlanks(std::string_view s)
{
    std::string out;
    for (const char c : s)
        if (c != ' ' && c != '\n')
            out.push_back(c);
    return out;
}

} // namespace

class TestTextWrap : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void wraps_data();
    void wraps();
    void neverLosesCharacters();
    void widestWordAndLine();
    void fitsColumns_data();
    void fitsColumns();
    void columnsAlwaysFillTheWidth();
};

void TestTextWrap::wraps_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<double>("width");
    QTest::addColumn<QString>("lines"); // joined by |

    QTest::newRow("fits") << "hello world" << 11.0 << "hello world";
    QTest::newRow("at a space") << "hello world" << 8.0 << "hello|world";
    QTest::newRow("spaces at a break are dropped") << "aaa   bbb" << 4.0 << "aaa|bbb";
    QTest::newRow("inner spaces stay") << "a  b" << 10.0 << "a  b";
    QTest::newRow("indentation stays") << "  ab cd" << 5.0 << "  ab|cd";
    // The "investigatin/g": a word that fits a line of its own moves down whole.
    QTest::newRow("word moves down whole")
        << "status investigating" << 14.0 << "status|investigating";
    // The "secret.openai_ke/y": a rule id that fits its line is never split.
    QTest::newRow("rule id kept whole")
        << "the rule secret.openai_key fired" << 20.0 << "the rule|secret.openai_key|fired";
    QTest::newRow("rule id at its dot") << "secret.openai_key" << 10.0 << "secret.|openai_key";
    QTest::newRow("rule id at its underscore")
        << "secret.openai_key" << 7.0 << "secret.|openai_|key";
    QTest::newRow("path at slashes")
        << "/usr/local/share/vigil/rules.json" << 12.0 << "/usr/local/|share/vigil/|rules.json";
    QTest::newRow("every separator") << "a,b:c-d_e" << 4.0 << "a,b:|c-d_|e";
    QTest::newRow("long word starts on the current line")
        << "see aa.bb.cc.dd.ee" << 10.0 << "see aa.bb.|cc.dd.ee";
    QTest::newRow("timestamp") << "2026-11-21T10:00:08.000Z" << 12.0
                               << "2026-11-|21T10:00:08.|000Z";
    // Only a piece that alone is wider than the line is cut inside.
    QTest::newRow("hard break of an over-long word") << "investigating" << 10.0 << "investigat|ing";
    QTest::newRow("hard break of an over-long piece") << "abcdefghij.k" << 4.0 << "abcd|efgh|ij.k";
    QTest::newRow("hash") << "hmac:0123456789abcdef" << 8.0 << "hmac:|01234567|89abcdef";
    QTest::newRow("code points, not bytes")
        << "\u00e9\u00e9\u00e9\u00e9\u00e9" << 2.0 << "\u00e9\u00e9|\u00e9\u00e9|\u00e9";
    QTest::newRow("zero width: one code point per line") << "abc" << 0.0 << "a|b|c";
    QTest::newRow("newlines") << "a\n\nb c" << 10.0 << "a||b c";
    QTest::newRow("empty") << "" << 10.0 << "";
    QTest::newRow("trailing separator") << "end." << 3.0 << "end|.";
    // A column sized to its widest word (plus padding, minus padding) holds that word even
    // when the arithmetic rounds a hair below it.
    QTest::newRow("rounding") << "Findings" << 8.0 - 1e-9 << "Findings";
}

void TestTextWrap::wraps()
{
    QFETCH(QString, text);
    QFETCH(double, width);
    QFETCH(QString, lines);
    QCOMPARE(joined(wrapText(text.toStdString(), width, kMeasure)), lines);
}

void TestTextWrap::neverLosesCharacters()
{
    // Random text of words, separators, spaces, newlines and two-byte letters at random
    // widths: the lines hold every character but the spaces and newlines at breaks, and
    // only a line of a single code point may be wider than the width.
    const std::vector<std::string> alphabet{"a", "b", "c", ".", "_",  "/",      "-",     ":",
                                            ",", " ", " ", " ", "\n", "\u00e9", "\u20ac"};
    QRandomGenerator rng(20);
    for (int round = 0; round < 3000; ++round) {
        std::string text;
        const int length = static_cast<int>(rng.bounded(60));
        for (int i = 0; i < length; ++i)
            text += alphabet[rng.bounded(static_cast<quint32>(alphabet.size()))];
        const double width = rng.bounded(25);
        const auto lines = wrapText(text, width, kMeasure);
        QVERIFY(!lines.empty());
        std::string all;
        for (const std::string& l : lines) {
            all += l;
            QVERIFY2(codePoints(l) <= width || codePoints(l) == 1,
                     qPrintable(QStringLiteral("'%1' wider than %2 in '%3'")
                                    .arg(QString::fromStdString(l))
                                    .arg(width)
                                    .arg(QString::fromStdString(text))));
        }
        QCOMPARE(withoutBlanks(all), withoutBlanks(text));
        // Newlines always break: at least one line per paragraph.
        QVERIFY(lines.size() >= static_cast<std::size_t>(std::ranges::count(text, '\n')) + 1);
    }
}

void TestTextWrap::widestWordAndLine()
{
    QCOMPARE(widestWord("ab secret.openai_key c", kMeasure), 17.0);
    QCOMPARE(widestPiece("ab secret.openai_key c", kMeasure), 7.0);   // openai_
    QCOMPARE(widestPiece("2026-11-21T10:00:08.000Z", kMeasure), 6.0); // 21T10:
    QCOMPARE(widestWord("  ", kMeasure), 0.0);
    QCOMPARE(widestLine("ab cd\nabcdefg", kMeasure), 7.0);
    QCOMPARE(widestLine("", kMeasure), 0.0);
}

void TestTextWrap::fitsColumns_data()
{
    QTest::addColumn<QList<double>>("mins");
    QTest::addColumn<QList<double>>("preferred");
    QTest::addColumn<QList<double>>("maxes");
    QTest::addColumn<QList<double>>("weights");
    QTest::addColumn<double>("total");
    QTest::addColumn<QList<double>>("widths");

    // Room to spare after every column has its max: shared by weight.
    QTest::newRow("all fit") << QList<double>{5, 5} << QList<double>{10, 10}
                             << QList<double>{20, 30} << QList<double>{1, 1} << 100.0
                             << QList<double>{45, 55};
    QTest::newRow("all fit, weighted")
        << QList<double>{5, 5} << QList<double>{10, 10} << QList<double>{20, 30}
        << QList<double>{3, 1} << 90.0 << QList<double>{50, 40};
    // A column that wants little gets all of it; the others share the rest.
    QTest::newRow("water filling")
        << QList<double>{5, 5, 5} << QList<double>{10, 10, 10} << QList<double>{15, 100, 100}
        << QList<double>{1, 1, 1} << 60.0 << QList<double>{15, 22.5, 22.5};
    QTest::newRow("water filling, weighted")
        << QList<double>{5, 5} << QList<double>{10, 10} << QList<double>{100, 100}
        << QList<double>{1, 3} << 60.0 << QList<double>{20, 40};
    // Words too wide together: from the pieces up, the column whose word is only a little
    // wider than its pieces keeps its words whole; the other breaks at separators.
    QTest::newRow("words break at separators")
        << QList<double>{20, 10} << QList<double>{25, 60} << QList<double>{25, 90}
        << QList<double>{1, 1} << 60.0 << QList<double>{25, 35};
    // Pieces wider than the page together: every minimum shrinks alike.
    QTest::newRow("mins too wide")
        << QList<double>{60, 60} << QList<double>{60, 70} << QList<double>{80, 70}
        << QList<double>{1, 1} << 100.0 << QList<double>{50, 50};
}

void TestTextWrap::fitsColumns()
{
    QFETCH(QList<double>, mins);
    QFETCH(QList<double>, preferred);
    QFETCH(QList<double>, maxes);
    QFETCH(QList<double>, weights);
    QFETCH(double, total);
    QFETCH(QList<double>, widths);
    std::vector<ColumnExtent> columns;
    for (qsizetype i = 0; i < mins.size(); ++i)
        columns.push_back({mins[i], preferred[i], maxes[i], weights[i]});
    const auto got = fitColumns(columns, total);
    QCOMPARE(got.size(), static_cast<std::size_t>(widths.size()));
    for (qsizetype i = 0; i < widths.size(); ++i)
        QVERIFY2(qAbs(got[static_cast<std::size_t>(i)] - widths[i]) < 1e-6,
                 qPrintable(QStringLiteral("column %1: %2, want %3")
                                .arg(i)
                                .arg(got[static_cast<std::size_t>(i)])
                                .arg(widths[i])));
}

void TestTextWrap::columnsAlwaysFillTheWidth()
{
    QRandomGenerator rng(7);
    for (int round = 0; round < 2000; ++round) {
        std::vector<ColumnExtent> columns(1 + rng.bounded(9));
        double sumMin = 0, sumPreferred = 0;
        for (ColumnExtent& c : columns) {
            c.min = rng.bounded(60.0);
            c.preferred = c.min + rng.bounded(60.0);
            c.max = c.preferred + rng.bounded(300.0);
            c.weight = 0.3 + rng.bounded(2.0);
            sumMin += c.min;
            sumPreferred += c.preferred;
        }
        const double total = 50 + rng.bounded(500.0);
        const auto widths = fitColumns(columns, total);
        QVERIFY(qAbs(std::accumulate(widths.begin(), widths.end(), 0.0) - total) < 1e-6);
        for (std::size_t i = 0; i < columns.size(); ++i) {
            if (sumPreferred <= total)
                QVERIFY(widths[i] >= columns[i].preferred - 1e-9);
            else if (sumMin <= total)
                QVERIFY(widths[i] >= columns[i].min - 1e-9 &&
                        widths[i] <= columns[i].preferred + 1e-9);
        }
    }
    QVERIFY(fitColumns({}, 100).empty());
}

QTEST_GUILESS_MAIN(TestTextWrap)
#include "tst_textwrap.moc"
