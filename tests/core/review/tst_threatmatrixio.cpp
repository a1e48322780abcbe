// SPDX-License-Identifier: Apache-2.0
// Threat matrix CSV / Markdown / JSON: golden exports, formula guard, round trips, errors.
#include "review/threatmatrix.h"
#include "review/threatmatrixio.h"

#include "deepjson.h"
#include "reviewtestutil.h"

#include <QtTest/QtTest>

using namespace vigil;

namespace {

ThreatMatrix fromTemplate(const std::string& id, const std::string& name)
{
    auto tpl = loadThreatTemplate(id);
    if (!tpl)
        qFatal("%s", tpl.error().message.c_str());
    return createMatrixFromTemplate(*tpl, name);
}

ThreatRow row(std::string threat, std::string mitigation = {}, std::string description = {})
{
    ThreatRow r;
    r.layer = 2;
    r.component = "Plugin";
    r.threat = std::move(threat);
    r.mitigation = std::move(mitigation);
    r.description = std::move(description);
    return r;
}

/// Values a spreadsheet would run as formulas, and CSV's own special characters.
ThreatMatrix hostileMatrix()
{
    ThreatMatrix m = createBlankMatrix("Hostile");
    m.rows.push_back(row("=HYPERLINK(\"http://evil\",\"x\")", "+1+1", "-2"));
    m.rows.push_back(row("@SUM(A1:A2)", "\tTabbed", "\rCR first"));
    m.rows.push_back(row("'=already quoted", "''+twice", "'plain apostrophe"));
    m.rows.push_back(row("a,b", "say \"hi\"", "two\nlines"));
    m.rows.back().owner = "ana";
    m.rows.back().status = ThreatStatus::Accepted;
    m.rows.back().links = {"pii", "secret.aws"};
    return m;
}

/// Values that Markdown must escape.
ThreatMatrix markdownMatrix()
{
    ThreatMatrix m = createBlankMatrix("Markdown");
    m.rows.push_back(row("a | b", "back\\slash \\| both", "line one\nline two"));
    m.rows.push_back(row("literal <br> tag", "x", "*emphasis* `code`"));
    m.rows.back().links = {"log_injection"};
    return m;
}

std::string errorOf(const Result<ThreatMatrix>& r)
{
    return r ? std::string("(no error)") : r.error().message;
}

} // namespace

class TestThreatMatrixIo : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void csvCellGuardsFormulas_data();
    void csvCellGuardsFormulas();
    void goldenExports();
    void roundTrips_data();
    void roundTrips();
    void csvParserHandlesRfc4180();
    void csvImportErrors_data();
    void csvImportErrors();
    void csvImportReportsSeveralRows();
    void markdownImportErrors_data();
    void markdownImportErrors();
    void markdownImportSkipsSurroundingText();
    void jsonImportErrors_data();
    void jsonImportErrors();
    void importsRefuseDeepAndHugeFiles_data();
    void importsRefuseDeepAndHugeFiles();
};

void TestThreatMatrixIo::csvCellGuardsFormulas_data()
{
    QTest::addColumn<QString>("value");
    QTest::addColumn<QString>("cell");
    QTest::newRow("=") << "=1+1"
                       << "'=1+1";
    QTest::newRow("+") << "+1"
                       << "'+1";
    QTest::newRow("-") << "-1"
                       << "'-1";
    QTest::newRow("@") << "@SUM(A1)"
                       << "'@SUM(A1)";
    QTest::newRow("tab") << "\tx"
                         << "'\tx";
    QTest::newRow("cr") << "\rx"
                        << "\"'\rx\"";
    QTest::newRow("guarded twice") << "'=x"
                                   << "''=x";
    QTest::newRow("apostrophe") << "'x"
                                << "'x";
    QTest::newRow("plain") << "Structured out"
                           << "Structured out";
    QTest::newRow("inner =") << "a=b"
                             << "a=b";
    QTest::newRow("comma") << "a,b"
                           << "\"a,b\"";
    QTest::newRow("quote") << "say \"hi\""
                           << "\"say \"\"hi\"\"\"";
    QTest::newRow("newline") << "a\nb"
                             << "\"a\nb\"";
    QTest::newRow("formula with comma") << "=A1,B1"
                                        << "\"'=A1,B1\"";
    QTest::newRow("empty") << ""
                           << "";
}

void TestThreatMatrixIo::csvCellGuardsFormulas()
{
    QFETCH(QString, value);
    QFETCH(QString, cell);
    QCOMPARE(csvCell(value.toStdString()), cell.toStdString());
    // Parsing the cell back and removing the guard gives the value exactly.
    const auto parsed = parseCsv(cell.toStdString() + "\r\n");
    QVERIFY(parsed.has_value());
    if (!value.isEmpty())
        QCOMPARE(csvUnguard(parsed->at(0).at(0).value), value.toStdString());
}

void TestThreatMatrixIo::goldenExports()
{
    const auto maestro = fromTemplate("maestro", "MAESTRO template");
    const auto surface = fromTemplate("attack-surface", "Attack surface");
    QVERIFY(test::matchesGolden("matrix_maestro.csv", exportMatrixCsv(maestro)));
    QVERIFY(test::matchesGolden("matrix_maestro.md", exportMatrixMarkdown(maestro)));
    QVERIFY(test::matchesGolden("matrix_maestro.json", exportMatrixJson(maestro)));
    QVERIFY(test::matchesGolden("matrix_attack_surface.csv", exportMatrixCsv(surface)));
    QVERIFY(test::matchesGolden("matrix_attack_surface.md", exportMatrixMarkdown(surface)));
    QVERIFY(test::matchesGolden("matrix_hostile.csv", exportMatrixCsv(hostileMatrix())));
    QVERIFY(
        test::matchesGolden("matrix_markdown_escapes.md", exportMatrixMarkdown(markdownMatrix())));

    // The hostile export has no cell a spreadsheet would evaluate: every cell (after RFC 4180
    // unquoting) starts with something other than = + - @ tab CR.
    const auto parsed = parseCsv(exportMatrixCsv(hostileMatrix()));
    QVERIFY(parsed.has_value());
    for (const auto& record : *parsed)
        for (const auto& cell : record)
            QVERIFY2(cell.value.empty() ||
                         std::string("=+-@\t\r").find(cell.value[0]) == std::string::npos,
                     cell.value.c_str());
}

void TestThreatMatrixIo::roundTrips_data()
{
    QTest::addColumn<QString>("matrixName");
    QTest::addColumn<QString>("formatName");
    for (const char* m : {"maestro", "attack-surface", "hostile", "markdown"})
        for (const char* f : {"csv", "md", "json"}) {
            if (std::string(m) == "hostile" && std::string(f) == "md")
                continue; // Markdown keeps neither CR nor a cell's surrounding spaces
            QTest::newRow((std::string(m) + "/" + f).c_str()) << m << f;
        }
}

void TestThreatMatrixIo::roundTrips()
{
    QFETCH(QString, matrixName);
    QFETCH(QString, formatName);
    const std::string matrix = matrixName.toStdString();
    const std::string format = formatName.toStdString();
    ThreatMatrix m = matrix == "hostile"    ? hostileMatrix()
                     : matrix == "markdown" ? markdownMatrix()
                                            : fromTemplate(matrix, "Round trip");
    Result<ThreatMatrix> back = fail("x", "x");
    if (format == "csv") {
        back = importMatrixCsv(exportMatrixCsv(m), m.name);
        m.templateId.clear(); // a row table carries no template
    } else if (format == "md") {
        back = importMatrixMarkdown(exportMatrixMarkdown(m), m.name);
        m.templateId.clear();
    } else {
        m.component = "brain";
        back = importMatrixJson(exportMatrixJson(m));
    }
    QVERIFY2(back.has_value(), errorOf(back).c_str());
    QCOMPARE(back->rows.size(), m.rows.size());
    for (std::size_t i = 0; i < m.rows.size(); ++i)
        for (const auto f : threatFields())
            QCOMPARE(fieldText(back->rows[i], f), fieldText(m.rows[i], f));
    QVERIFY(*back == m);
}

void TestThreatMatrixIo::csvParserHandlesRfc4180()
{
    // BOM, LF and CRLF mixed, a quoted cell over two lines, an empty line, a trailing comma,
    // no final line break.
    const std::string text = "\xEF\xBB\xBF"
                             "a,b\r\n\"x\r\ny\",\"q\"\"q\"\n\nlast,\r\nend,e";
    const auto parsed = parseCsv(text);
    QVERIFY2(parsed.has_value(), parsed ? "" : parsed.error().message.c_str());
    QCOMPARE(parsed->size(), std::size_t(4));
    QCOMPARE((*parsed)[1][0].value, std::string("x\r\ny"));
    QCOMPARE((*parsed)[1][1].value, std::string("q\"q"));
    QCOMPARE((*parsed)[1][1].line, 3); // the quoted cell before it spans lines 2-3
    QCOMPARE((*parsed)[1][1].column, 2);
    QCOMPARE((*parsed)[2].size(), std::size_t(2));
    QCOMPARE((*parsed)[2][0].line, 5);
    QCOMPARE((*parsed)[2][1].value, std::string());
    QCOMPARE((*parsed)[3][1].value, std::string("e"));
    QCOMPARE((*parsed)[3][1].line, 6);
}

void TestThreatMatrixIo::csvImportErrors_data()
{
    QTest::addColumn<QString>("csv");
    QTest::addColumn<QString>("message");
    const QString head = QStringLiteral("layer,component,threat,severity\r\n");
    QTest::newRow("empty") << ""
                           << "line 1: no header row";
    QTest::newRow("unknown column") << "layer,component,threat,severity,colour\r\n"
                                    << "line 1, column 5: unknown column 'colour'";
    QTest::newRow("missing column") << "layer,component,threat\r\n1,a,b\r\n"
                                    << "line 1: missing column 'severity'";
    QTest::newRow("repeated column") << "layer,component,threat,Sev,severity\r\n"
                                     << "line 1, column 5: column 'severity' appears twice";
    QTest::newRow("bad layer")
        << head + QStringLiteral("1,LLM caller,Prompt inj.,HIGH\r\n9,API,Svc downtime,MED\r\n")
        << "line 3, column 1 (layer): '9' is not a layer from 1 to 7";
    QTest::newRow("bad severity")
        << head + QStringLiteral("1,LLM caller,Prompt inj.,URGENT\r\n")
        << "line 2, column 4 (severity): 'URGENT' is not LOW, MED, HIGH or CRITICAL";
    QTest::newRow("cell count") << head + QStringLiteral("1,LLM caller,HIGH\r\n")
                                << "line 2: expected 4 cells, found 3";
    QTest::newRow("unterminated quote") << head + QStringLiteral("1,a,\"never closed,HIGH\r\n")
                                        << "line 2, column 3: unterminated quoted cell";
    QTest::newRow("stray quote") << head + QStringLiteral("1,a\"b,c,HIGH\r\n")
                                 << "line 2, column 2: quote inside an unquoted cell";
    QTest::newRow("after quote") << head + QStringLiteral("1,\"a\"b,c,HIGH\r\n")
                                 << "line 2, column 2: text after the closing quote";
    QTest::newRow("empty threat") << head + QStringLiteral("1,a,,HIGH\r\n")
                                  << "line 2, column 3 (threat): is empty";
    QTest::newRow("owner column absent")
        << "layer,component,threat,severity,status\r\n1,a,b,HIGH,accepted\r\n"
        << "line 2 (owner): an accepted risk must have an owner";
    QTest::newRow("bad link")
        << "layer,component,threat,severity,links\r\n1,a,b,HIGH,pii;emails\r\n"
        << "line 2, column 5 (links): 'emails' is not a finding category";
    QTest::newRow("line numbers after a multi-line cell")
        << head + QStringLiteral("1,\"two\nline component\",b,HIGH\r\n2,c,d,HUGE\r\n")
        << "line 2, column 2 (component): must be one line; line 4, column 4 (severity): 'HUGE' is "
           "not LOW, MED, HIGH or CRITICAL";
}

void TestThreatMatrixIo::csvImportErrors()
{
    QFETCH(QString, csv);
    QFETCH(QString, message);
    const auto r = importMatrixCsv(csv.toStdString(), "M");
    QVERIFY(!r.has_value());
    QCOMPARE(r.error().code, std::string("review.bad_import"));
    QCOMPARE(r.error().message, message.toStdString());
}

void TestThreatMatrixIo::csvImportReportsSeveralRows()
{
    std::string csv = "layer,component,threat,severity\r\n";
    for (int i = 0; i < 8; ++i)
        csv += "0,a,b,HIGH\r\n";
    const auto r = importMatrixCsv(csv, "M");
    QVERIFY(!r.has_value());
    QCOMPARE(r.error().message,
             std::string("line 2, column 1 (layer): '0' is not a layer from 1 to 7; "
                         "line 3, column 1 (layer): '0' is not a layer from 1 to 7; "
                         "line 4, column 1 (layer): '0' is not a layer from 1 to 7; "
                         "line 5, column 1 (layer): '0' is not a layer from 1 to 7; "
                         "line 6, column 1 (layer): '0' is not a layer from 1 to 7; and 3 more"));
    // Columns in any order and case; optional ones default.
    const auto ok =
        importMatrixCsv("Threat,SEV,Layer,Component\r\nLog injection,med,4,Logs\r\n", "M");
    QVERIFY2(ok.has_value(), errorOf(ok).c_str());
    QCOMPARE(ok->rows.at(0).layer, 4);
    QCOMPARE(test::name(ok->rows[0].severity), std::string("MED"));
    QCOMPARE(test::name(ok->rows[0].status), std::string("open"));
}

void TestThreatMatrixIo::markdownImportErrors_data()
{
    QTest::addColumn<QString>("md");
    QTest::addColumn<QString>("message");
    const QString head =
        QStringLiteral("| Layer | Component | Threat | Sev |\n|---|---|---|---|\n");
    QTest::newRow("no table") << "# Threats\n\nnone yet\n"
                              << "no Markdown table (no line starts with '|')";
    QTest::newRow("no delimiter") << "| Layer | Component | Threat | Sev |\n| 1 | a | b | HIGH |\n"
                                  << "line 2: expected the |---| row with 4 cells under the header";
    QTest::newRow("header only") << "| Layer | Component | Threat | Sev |\n"
                                 << "line 2: expected the |---| row under the header";
    QTest::newRow("cells") << head + QStringLiteral("| 1 | a | b |\n")
                           << "line 3: expected 4 cells, found 3";
    QTest::newRow("severity")
        << head + QStringLiteral("| 1 | a | b | HIGH |\n| 2 | c | d | BAD |\n")
        << "line 4, column 4 (severity): 'BAD' is not LOW, MED, HIGH or CRITICAL";
    QTest::newRow("unknown column") << "| Layer | Colour |\n|---|---|\n"
                                    << "line 1, column 2: unknown column 'Colour'";
}

void TestThreatMatrixIo::markdownImportErrors()
{
    QFETCH(QString, md);
    QFETCH(QString, message);
    const auto r = importMatrixMarkdown(md.toStdString(), "M");
    QVERIFY(!r.has_value());
    QCOMPARE(r.error().code, std::string("review.bad_import"));
    QCOMPARE(r.error().message, message.toStdString());
}

void TestThreatMatrixIo::markdownImportSkipsSurroundingText()
{
    const std::string md = "## Checkout feature\n\nThreats we track:\n\n"
                           "| Layer | Component | Threat | Sev | Mitigation |\n"
                           "|:---|---|:---:|---|---:|\n"
                           "| 1 | LLM caller | Prompt inj. | HIGH | Structured out |\n"
                           "| 5 | Runner | Resource exh. | HIGH | Timeouts\n"
                           "\nNotes after the table | are not rows.\n";
    const auto r = importMatrixMarkdown(md, "Checkout");
    QVERIFY2(r.has_value(), errorOf(r).c_str());
    QCOMPARE(r->rows.size(), std::size_t(2));
    QCOMPARE(r->rows[1].mitigation, std::string("Timeouts"));
    QCOMPARE(r->name, std::string("Checkout"));
}

void TestThreatMatrixIo::jsonImportErrors_data()
{
    QTest::addColumn<QString>("json");
    QTest::addColumn<QString>("message");
    const auto rowJson = [](const char* fields) {
        return QStringLiteral(R"({"name":"M","rows":[)") + QString::fromUtf8(fields) +
               QStringLiteral("]}");
    };
    QTest::newRow("syntax") << "{\"name\":"
                            << "threat matrix: invalid JSON: ";
    QTest::newRow("name") << R"({"rows":[]})"
                          << "threat matrix: name: missing";
    QTest::newRow("unknown key") << R"({"name":"M","rows":[],"owner":"x"})"
                                 << "threat matrix: owner: unknown key";
    QTest::newRow("layer") << rowJson(
                                  R"({"layer":8,"component":"a","threat":"b","severity":"HIGH"})")
                           << "threat matrix: rows[0].layer: expected an integer from 1 to 7";
    QTest::newRow("severity")
        << rowJson(R"({"layer":1,"component":"a","threat":"b","severity":"x"})")
        << "threat matrix: rows[0].severity: 'x' is not LOW, MED, HIGH or CRITICAL";
    QTest::newRow("status")
        << rowJson(R"({"layer":1,"component":"a","threat":"b","severity":"LOW","status":"done"})")
        << "threat matrix: rows[0].status: 'done' is not open, mitigated, accepted or "
           "not_applicable";
    QTest::newRow("links type")
        << rowJson(R"({"layer":1,"component":"a","threat":"b","severity":"LOW","links":"pii"})")
        << "threat matrix: rows[0].links: expected an array of strings";
    QTest::newRow("validation")
        << rowJson(
               R"({"layer":1,"component":"a","threat":"b","severity":"LOW","status":"mitigated"})")
        << "threat matrix: rows[0].mitigation: a mitigated threat must name its mitigation";
    QTest::newRow("second row")
        << rowJson(
               R"({"layer":1,"component":"a","threat":"b","severity":"LOW"},{"layer":1,"component":"a","severity":"LOW"})")
        << "threat matrix: rows[1].threat: missing";
}

void TestThreatMatrixIo::jsonImportErrors()
{
    QFETCH(QString, json);
    QFETCH(QString, message);
    const auto r = importMatrixJson(json.toStdString());
    QVERIFY(!r.has_value());
    QCOMPARE(r.error().code, std::string("review.bad_import"));
    QVERIFY2(QString::fromStdString(r.error().message).startsWith(message),
             r.error().message.c_str());
}

void TestThreatMatrixIo::importsRefuseDeepAndHugeFiles_data()
{
    QTest::addColumn<QString>("format");
    QTest::addColumn<std::string>("text");
    QTest::addColumn<std::string>("message");
    const std::string deep = vigil::test::nestedArrays(50'000);
    const std::string rowsPrefix = R"({"name":"m","rows":[{"threat":)";
    const std::string inRows = rowsPrefix + deep + "}]}";
    const std::string tooLarge = "the file is larger than 16 MiB; import a smaller matrix";
    QTest::newRow("json: 50,000 arrays")
        << QStringLiteral("json") << deep
        << std::string("threat matrix: nested deeper than 64 levels at byte 64");
    QTest::newRow("json: deep in a row")
        << QStringLiteral("json") << inRows
        << "threat matrix: nested deeper than 64 levels at byte " +
               std::to_string(rowsPrefix.size() + 61); // three levels open before it
    const std::string huge(16 * 1024 * 1024 + 1, ' ');
    QTest::newRow("json: over 16 MiB") << QStringLiteral("json") << huge << tooLarge;
    QTest::newRow("csv: over 16 MiB") << QStringLiteral("csv") << huge << tooLarge;
    QTest::newRow("md: over 16 MiB") << QStringLiteral("md") << huge << tooLarge;
}

void TestThreatMatrixIo::importsRefuseDeepAndHugeFiles()
{
    QFETCH(QString, format);
    QFETCH(std::string, text);
    QFETCH(std::string, message);
    const auto r = format == u"json"  ? importMatrixJson(text)
                   : format == u"csv" ? importMatrixCsv(text, "m")
                                      : importMatrixMarkdown(text, "m");
    QVERIFY(!r.has_value());
    QCOMPARE(r.error().code, std::string("review.bad_import"));
    QCOMPARE(r.error().message, message);
}

QTEST_APPLESS_MAIN(TestThreatMatrixIo)
#include "tst_threatmatrixio.moc"
