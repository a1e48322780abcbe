// SPDX-License-Identifier: Apache-2.0
// The PDF writer and the PDF report, read back with poppler's pdfinfo and pdftotext (the
// poppler-utils package): pages, page header and footer, text, escaping, charts as paths.
#include "pdftestsupport.h"
#include "reporttestsupport.h"

#include "report/pdfwriter.h"
#include "report/reportbuilder.h"
#include "report/reportrender.h"

#include <QFile>
#include <QProcess>
#include <QStandardPaths>

using namespace vigil;
using namespace vigil::test;

class TestReportPdf : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void escapesStrings();
    void convertsToWinAnsi();
    void measuresText();
    void writesAValidFile();
    void pageNumbersAndBreaks();
    void tableHeaderRepeatsOnEveryPage();
    void noPageEndsWithAHeading_data();
    void noPageEndsWithAHeading();
    void columnsFitTheirContent();
    void fullReportHasPagesHeaderAndText();
    void reportIsRedactedInPdf();
    void chartsAreVectorPaths();

private:
    /// Writes `bytes` to a file and returns pdftotext's output (fails the test on error).
    QString textOf(const std::string& bytes, const QString& name);
    int pagesOf(const std::string& bytes, const QString& name);

    std::unique_ptr<QTemporaryDir> m_dir;
    std::string m_db;
    QString m_pdftotext, m_pdfinfo;
};

void TestReportPdf::initTestCase()
{
    m_pdftotext = QStandardPaths::findExecutable(QStringLiteral("pdftotext"));
    m_pdfinfo = QStandardPaths::findExecutable(QStringLiteral("pdfinfo"));
    if (m_pdftotext.isEmpty() || m_pdfinfo.isEmpty())
        QFAIL("pdftotext and pdfinfo are needed to read the PDFs back: "
              "apt-get install poppler-utils");
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
    useKeyFolder(*m_dir);
    m_db = m_dir->filePath(QStringLiteral("fixture.db")).toStdString();
    QVERIFY(buildReportFixture(m_db));
}

QString TestReportPdf::textOf(const std::string& bytes, const QString& name)
{
    const QString path = m_dir->filePath(name);
    QFile f(path);
    if (!f.open(QIODevice::WriteOnly))
        return {};
    f.write(bytes.data(), static_cast<qint64>(bytes.size()));
    f.close();
    QProcess p;
    p.start(m_pdftotext, {path, QStringLiteral("-")});
    p.waitForFinished(20000);
    if (p.exitCode() != 0)
        qWarning("pdftotext: %s", p.readAllStandardError().constData());
    return QString::fromUtf8(p.readAllStandardOutput());
}

int TestReportPdf::pagesOf(const std::string& bytes, const QString& name)
{
    const QString path = m_dir->filePath(name);
    QFile f(path);
    if (!f.open(QIODevice::WriteOnly))
        return -1;
    f.write(bytes.data(), static_cast<qint64>(bytes.size()));
    f.close();
    QProcess p;
    p.start(m_pdfinfo, {path});
    p.waitForFinished(20000);
    const QString err = QString::fromUtf8(p.readAllStandardError());
    if (p.exitCode() != 0 || !err.isEmpty()) {
        qWarning("pdfinfo: %s", qPrintable(err));
        return -1;
    }
    const QString out = QString::fromUtf8(p.readAllStandardOutput());
    for (const QString& line : out.split(QLatin1Char('\n')))
        if (line.startsWith(QStringLiteral("Pages:")))
            return line.mid(6).trimmed().toInt();
    return -1;
}

void TestReportPdf::escapesStrings()
{
    QCOMPARE(PdfWriter::escapeString("a(b)c\\d"), std::string("a\\(b\\)c\\\\d"));
    QCOMPARE(PdfWriter::escapeString(std::string("\xe9\n", 2)), std::string("\\351\\012"));
    QCOMPARE(PdfWriter::escapeString(") Tj ET BT /F1 99 Tf ("),
             std::string("\\) Tj ET BT /F1 99 Tf \\("));
}

void TestReportPdf::convertsToWinAnsi()
{
    QCOMPARE(PdfWriter::toWinAnsi("caf\u00e9"), std::string("caf\xe9"));
    QCOMPARE(PdfWriter::toWinAnsi("\u20ac \u2013 \u201cq\u201d"),
             std::string("\x80 \x96 \x93q\x94"));
    QCOMPARE(PdfWriter::toWinAnsi("\xf0\x9f\x94\x92 \xff"), std::string("? ?")); // emoji, bad byte
    QCOMPARE(PdfWriter::toWinAnsi("a\tb\x01"), std::string("a b "));
}

void TestReportPdf::measuresText()
{
    // The standard fonts' metrics (the embedded fonts' are checked in tst_pdffonts).
    const PdfWriter w(PdfFontSet::standard());
    QCOMPARE(w.measure(PdfWriter::Font::Regular, 10, "Hello"), 22.78); // 722+556+222+222+556
    QCOMPARE(w.measure(PdfWriter::Font::Mono, 10, "abcd"), 24.0);
    QVERIFY(w.measure(PdfWriter::Font::Bold, 10, "Hello") >
            w.measure(PdfWriter::Font::Regular, 10, "Hello"));
}

void TestReportPdf::writesAValidFile()
{
    PdfWriter w;
    w.beginPage();
    w.text(72, 700, PdfWriter::Font::Regular, 12, "Hello (world) \\ caf\u00e9 \u20ac");
    w.rect(72, 600, 100, 20, {0.2, 0.4, 0.6});
    const std::string pdf = w.finish({"T", "S", "20261121100000Z"});
    QVERIFY(pdf.starts_with("%PDF-1.4\n"));
    QVERIFY(pdf.ends_with("%%EOF\n"));
    // The xref offsets point at the objects.
    const auto xref = pdf.rfind("\nxref\n") + 1;
    const auto start = std::stoul(pdf.substr(pdf.rfind("startxref\n") + 10));
    QCOMPARE(start, xref);
    const auto firstEntry = pdf.find("0000000", xref + 20);
    QVERIFY(pdf.compare(std::stoul(pdf.substr(firstEntry, 10)), 8, "1 0 obj\n") == 0);
    QCOMPARE(pagesOf(pdf, QStringLiteral("one.pdf")), 1);
    const QString text = textOf(pdf, QStringLiteral("one.pdf"));
    QVERIFY2(text.contains(QStringLiteral("Hello (world) \\ caf\u00e9 \u20ac")), qPrintable(text));
}

void TestReportPdf::pageNumbersAndBreaks()
{
    // A long table must flow over pages, repeating its header, each page numbered.
    ReportDocument doc;
    doc.meta.title = "Long report";
    doc.meta.chainHead = std::string(64, 'a');
    ReportSection s{"long", "Long section", {}};
    ReportTable t{"rows", "Rows", {{"n", "Number", 1, true}, {"text", "Text", 4}}, {}, "none"};
    for (int i = 1; i <= 300; ++i)
        t.rows.push_back({std::to_string(i), "row " + std::to_string(i) + " with (parentheses)"});
    s.blocks.push_back(std::move(t));
    doc.sections.push_back(std::move(s));
    const std::string pdf = renderPdf(doc);
    const int pages = pagesOf(pdf, QStringLiteral("long.pdf"));
    QVERIFY2(pages >= 4, qPrintable(QString::number(pages)));
    const QString text = textOf(pdf, QStringLiteral("long.pdf"));
    for (int p = 1; p <= pages; ++p)
        QVERIFY(text.contains(QStringLiteral("Page %1 of %2").arg(p).arg(pages)));
    QCOMPARE(text.count(QStringLiteral("Chain head:")), pages);
    QVERIFY(text.count(QStringLiteral("Number")) >= pages); // header repeated after breaks
    QVERIFY(text.contains(QStringLiteral("row 300 with (parentheses)")));
    QCOMPARE(renderPdf(doc), pdf); // deterministic
}

void TestReportPdf::tableHeaderRepeatsOnEveryPage()
{
    ReportDocument doc;
    doc.meta.title = "Long table";
    ReportSection s{"long", "Long section", {}};
    ReportTable t{
        "rows", "Rows", {{"n", "Alpha header", 1, true}, {"text", "Beta header", 3}}, {}, "none"};
    for (int i = 1; i <= 200; ++i)
        t.rows.push_back({std::to_string(i), "row-" + std::to_string(i) + " of the long table"});
    s.blocks.push_back(std::move(t));
    doc.sections.push_back(std::move(s));
    const auto pages = pdfPages(renderPdf(doc), *m_dir, QStringLiteral("header.pdf"));
    QVERIFY(pages.size() >= 3);
    int continued = 0;
    for (std::size_t p = 0; p < pages.size(); ++p) {
        const auto& lines = pages[p].lines;
        const auto firstRow = std::ranges::find_if(
            lines, [](const PdfLine& l) { return l.text.contains(QStringLiteral("row-")); });
        if (firstRow == lines.end())
            continue;
        // The header stands right above the page's first row.
        QVERIFY2(firstRow != lines.begin() &&
                     std::prev(firstRow)->text == QStringLiteral("Alpha header Beta header"),
                 qPrintable(QStringLiteral("page %1: %2").arg(p + 1).arg(pages[p].text())));
        continued += p > 0 ? 1 : 0;
    }
    QVERIFY(continued >= 2);
}

void TestReportPdf::noPageEndsWithAHeading_data()
{
    // Filler paragraphs push what follows down the page by 17.5 pt each, so that every
    // heading meets the page's end somewhere in this range.
    QTest::addColumn<int>("fillers");
    for (int n = 0; n <= 44; ++n)
        QTest::addRow("%d fillers", n) << n;
}

void TestReportPdf::noPageEndsWithAHeading()
{
    QFETCH(int, fillers);
    ReportDocument doc;
    doc.meta.title = "Headings";
    ReportSection filler{"filler", "Filler section", {}};
    for (int i = 0; i < fillers; ++i)
        filler.blocks.push_back(ReportParagraph{"Filler line " + std::to_string(i) + "."});
    ReportSection charts{"charts", "Heading of a chart section", {}};
    ReportChart chart{"bars", "Heading of a chart", "n", {}};
    for (int i = 0; i < 12; ++i)
        chart.bars.push_back({"bar " + std::to_string(i), static_cast<double>(i + 1), ""});
    charts.blocks.push_back(std::move(chart));
    ReportSection tables{"tables", "Heading of a table section", {}};
    ReportTable t{"t", "Heading of a table", {{"k", "Key"}, {"v", "Value"}}, {}, "none"};
    for (int i = 0; i < 25; ++i)
        t.rows.push_back({"key " + std::to_string(i), "value " + std::to_string(i)});
    tables.blocks.push_back(std::move(t));
    ReportTable empty{"e", "Heading of an empty table", {{"k", "Key"}}, {}, "Nothing here."};
    tables.blocks.push_back(std::move(empty));
    ReportSection none{"none", "Heading of a section without blocks", {}};
    ReportSection text{"text", "Heading before a paragraph", {}};
    text.blocks.push_back(ReportParagraph{std::string(60, 'x') + " " + std::string(400, 'y')});
    for (ReportSection* s : {&filler, &charts, &tables, &none, &text})
        doc.sections.push_back(std::move(*s));
    const QSet<QString> headings{QStringLiteral("Filler section"),
                                 QStringLiteral("Heading of a chart section"),
                                 QStringLiteral("Heading of a chart"),
                                 QStringLiteral("Heading of a table section"),
                                 QStringLiteral("Heading of a table"),
                                 QStringLiteral("Heading of an empty table"),
                                 QStringLiteral("Heading of a section without blocks"),
                                 QStringLiteral("Heading before a paragraph")};
    const auto pages = pdfPages(renderPdf(doc), *m_dir, QStringLiteral("headings.pdf"));
    QVERIFY(!pages.empty());
    for (std::size_t p = 0; p < pages.size(); ++p) {
        QVERIFY2(!pages[p].lines.empty(),
                 qPrintable(QStringLiteral("page %1 is empty").arg(p + 1)));
        const QString last = pages[p].lines.back().text;
        QVERIFY2(!headings.contains(last),
                 qPrintable(QStringLiteral("page %1 ends with '%2'").arg(p + 1).arg(last)));
    }
    // Nothing is lost on the way: every heading is there once.
    QString all;
    for (const PdfPage& p : pages)
        all += p.text() + QLatin1Char('\n');
    for (const QString& h : headings)
        QVERIFY2(all.count(QLatin1Char('\n') + h + QLatin1Char('\n')) +
                         (all.startsWith(h + QLatin1Char('\n')) ? 1 : 0) ==
                     1,
                 qPrintable(h));
}

void TestReportPdf::columnsFitTheirContent()
{
    // A short column keeps its words whole however wide its neighbour's text is, and a
    // long token breaks at its separators, not inside a piece.
    ReportDocument doc;
    doc.meta.title = "Columns";
    ReportSection s{"cols", "Columns", {}};
    ReportTable t{"t",
                  "Findings",
                  {{"status", "Status", 0.3}, {"rule", "Rule", 0.3}, {"text", "Text", 5}},
                  {},
                  "none"};
    t.rows.push_back({"investigating", "secret.openai_key",
                      std::string(300, 'w') + " and more words after the long one"});
    t.rows.push_back({"false_positive",
                      "a/very/long/path/of/many/short/parts/that/cannot/fit/"
                      "on/one/line/of/this/column/at/all/even/alone.json",
                      "short"});
    s.blocks.push_back(std::move(t));
    doc.sections.push_back(std::move(s));
    const QString text = textOf(renderPdf(doc), QStringLiteral("columns.pdf"));
    for (const QString& whole :
         {QStringLiteral("investigating"), QStringLiteral("secret.openai_key"),
          QStringLiteral("false_positive")})
        QVERIFY2(text.contains(whole), qPrintable(text));
    // The path breaks only after its slashes: every line of it ends in one or in .json.
    static const QRegularExpression pathLine(
        QStringLiteral("^[a-z/.]*(very|long|path|json)[a-z/.]*$"),
        QRegularExpression::MultilineOption);
    int lines = 0;
    for (auto m = pathLine.globalMatch(text); m.hasNext(); ++lines) {
        const QString l = m.next().captured(0);
        QVERIFY2(l.endsWith(QLatin1Char('/')) || l.endsWith(QStringLiteral(".json")),
                 qPrintable(l));
    }
    QVERIFY(lines >= 1);
}

void TestReportPdf::fullReportHasPagesHeaderAndText()
{
    auto db = Database::openReader(m_db);
    ReportRequest r;
    r.kind = ReportKind::Full;
    r.nowMs = kFixtureNow;
    auto pdf = generateReport(*db, r, ReportFormat::Pdf);
    QVERIFY(pdf);
    const int pages = pagesOf(*pdf, QStringLiteral("full.pdf"));
    QVERIFY2(pages >= 3, qPrintable(QString::number(pages)));
    const QString text = textOf(*pdf, QStringLiteral("full.pdf"));
    auto doc = buildReport(*db, r);
    QVERIFY(doc);
    for (const QString& expected :
         {QStringLiteral("Security and compliance report (full)"),
          QStringLiteral("Window: 2026-11-21T10:00:00.000Z to 2026-11-21T10:00:08.000Z"),
          QStringLiteral("Chain head: ") + QString::fromStdString(doc->meta.chainHead),
          QStringLiteral("intact"),
          QStringLiteral("SOC 2 controls"),
          QStringLiteral("Access control"),
          QStringLiteral("Audit logging"),
          QStringLiteral("Change management"),
          QStringLiteral("Encryption"),
          QStringLiteral("Incident response"),
          QStringLiteral("Production checklist"),
          QStringLiteral("One IAM role per agent type"),
          QStringLiteral("Incidents by severity"),
          QStringLiteral("Right to erasure"),
          QStringLiteral("Retention in force"),
          QStringLiteral("Data minimization"),
          QStringLiteral("Threat matrices"),
          QStringLiteral("IAM permission map"),
          QStringLiteral("PII and secrets are redacted"),
          QStringLiteral("Page 1 of %1").arg(pages),
          QStringLiteral("Page %1 of %1").arg(pages)})
        // Compared with line breaks folded: a table cell may wrap between words.
        QVERIFY2(text.simplified().contains(expected), qPrintable(expected));
    QCOMPARE(text.count(QStringLiteral("Window: 2026-11-21T10:00:00.000Z")), pages);
}

void TestReportPdf::reportIsRedactedInPdf()
{
    auto db = Database::openReader(m_db);
    ReportRequest r;
    r.kind = ReportKind::Gdpr;
    r.nowMs = kFixtureNow;
    auto pdf = generateReport(*db, r, ReportFormat::Pdf);
    QVERIFY(pdf);
    QString text = textOf(*pdf, QStringLiteral("gdpr.pdf"));
    QVERIFY(text.contains(QStringLiteral("[REDACTED:pii.email]")));
    QVERIFY(!text.contains(QStringLiteral("jane.doe")));
    QVERIFY(pdf->find("jane.doe") == std::string::npos);
    r.redact = false;
    pdf = generateReport(*db, r, ReportFormat::Pdf);
    text = textOf(*pdf, QStringLiteral("gdpr-unredacted.pdf"));
    QVERIFY(text.contains(QStringLiteral("jane.doe@example.com")));
    QVERIFY(text.contains(QStringLiteral("UNREDACTED")));
}

void TestReportPdf::chartsAreVectorPaths()
{
    ReportDocument doc;
    doc.meta.title = "Chart";
    ReportSection s{"c", "Charts", {}};
    s.blocks.push_back(
        ReportChart{"bars", "Bars", "n", {{"alpha", 4, "pass"}, {"beta", 2, "fail"}}});
    doc.sections.push_back(std::move(s));
    const std::string pdf = renderPdf(doc);
    // Bars are filled paths (m, l, h, f), not images.
    QVERIFY(pdf.find(" m\n") != std::string::npos);
    QVERIFY(pdf.find("h\nf\n") != std::string::npos);
    QVERIFY(pdf.find("/Image") == std::string::npos);
    const QString text = textOf(pdf, QStringLiteral("chart.pdf"));
    QVERIFY(text.contains(QStringLiteral("alpha")) && text.contains(QStringLiteral("beta")));
}

QTEST_GUILESS_MAIN(TestReportPdf)
#include "tst_reportpdf.moc"
