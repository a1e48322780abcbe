// SPDX-License-Identifier: Apache-2.0
// Unicode in PDFs: the TrueType reader and subsetter (core/report/truetype) and the writer's
// embedded fonts, read back with poppler's pdftotext and pdffonts (poppler-utils), on the
// fonts Debian installs (fonts-dejavu-core, fonts-droid-fallback).
#include "report/pdfwriter.h"
#include "report/reportdocument.h"
#include "report/reportrender.h"
#include "report/truetype.h"

#include <QFile>
#include <QProcess>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QtTest>

#include <fstream>
#include <random>

using namespace vigil;

namespace {

const std::string kDejaVu = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf";
const std::string kDroid = "/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf";

std::string readFile(const std::string& path)
{
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

} // namespace

class TestPdfFonts : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void readsTheCharacterMap();
    void rejectsWhatIsNotAFont();
    void survivesDamagedFonts();
    void subsetKeepsGlyphsAndShrinks();
    void embedsNonLatinNames();
    void fallsBackForCjk();
    void dropsInvisibleCharacters();
    void measuresWithTheEmbeddedFonts();
    void standardFontsWithoutFontFiles();
    void reportWithNonLatinNamesIsDeterministic();
    void infoDictionaryHoldsUnicode();

private:
    QString run(const QString& tool, const std::string& bytes, const QString& name,
                const QStringList& extra = {});

    QTemporaryDir m_dir;
    QString m_pdftotext, m_pdffonts, m_pdfinfo;
};

void TestPdfFonts::initTestCase()
{
    m_pdftotext = QStandardPaths::findExecutable(QStringLiteral("pdftotext"));
    m_pdffonts = QStandardPaths::findExecutable(QStringLiteral("pdffonts"));
    m_pdfinfo = QStandardPaths::findExecutable(QStringLiteral("pdfinfo"));
    if (m_pdftotext.isEmpty() || m_pdffonts.isEmpty() || m_pdfinfo.isEmpty())
        QFAIL("pdftotext, pdffonts and pdfinfo are needed: apt-get install poppler-utils");
    if (!QFile::exists(QString::fromStdString(kDejaVu)) ||
        !QFile::exists(QString::fromStdString(kDroid)))
        QFAIL("the report fonts are missing: apt-get install fonts-dejavu-core "
              "fonts-droid-fallback");
    QVERIFY(PdfFontSet::system()->embedded());
    QVERIFY(PdfFontSet::system()->face(3) != nullptr);
}

QString TestPdfFonts::run(const QString& tool, const std::string& bytes, const QString& name,
                          const QStringList& extra)
{
    const QString path = m_dir.filePath(name);
    QFile f(path);
    if (!f.open(QIODevice::WriteOnly))
        return {};
    f.write(bytes.data(), static_cast<qint64>(bytes.size()));
    f.close();
    QProcess p;
    p.start(tool, extra + QStringList{path} +
                      (tool == m_pdftotext ? QStringList{QStringLiteral("-")} : QStringList{}));
    p.waitForFinished(20000);
    const QByteArray err = p.readAllStandardError();
    if (p.exitCode() != 0 || !err.isEmpty())
        qWarning("%s: %s", qPrintable(tool), err.constData());
    return QString::fromUtf8(p.readAllStandardOutput());
}

void TestPdfFonts::readsTheCharacterMap()
{
    std::string error;
    auto font = TrueTypeFont::load(kDejaVu, &error);
    QVERIFY2(font, error.c_str());
    QCOMPARE(font->postScriptName(), std::string("DejaVuSans"));
    QVERIFY(font->glyph(U'A') != 0);
    QVERIFY(font->glyph(U'\u0416') != 0);      // Cyrillic Zhe
    QVERIFY(font->glyph(U'\u03A9') != 0);      // Greek Omega
    QCOMPARE(font->glyph(U'\u4E2D'), 0);       // no CJK in DejaVu
    QCOMPARE(font->glyph(char32_t{0x10FFFF}), 0);
    QVERIFY(font->glyph(U'A') != font->glyph(U'B'));
    // DejaVu Sans: 'i' is narrower than 'W'; widths are in 1/1000 em.
    QVERIFY(font->advance(font->glyph(U'i')) < font->advance(font->glyph(U'W')));
    QVERIFY(font->advance(font->glyph(U'W')) > 500 && font->advance(font->glyph(U'W')) < 1200);
    QVERIFY(font->metrics().ascent > 700 && font->metrics().descent < 0);

    auto droid = TrueTypeFont::load(kDroid, &error);
    QVERIFY2(droid, error.c_str());
    QVERIFY(droid->glyph(U'\u4E2D') != 0);
    QVERIFY(droid->glyph(U'\u3042') != 0); // Hiragana a
    QCOMPARE(droid->glyph(U'\uD55C'), 0); // Droid Sans Fallback has no Hangul but U+AC00
}

void TestPdfFonts::rejectsWhatIsNotAFont()
{
    std::string error;
    QVERIFY(!TrueTypeFont::parse("", &error));
    QVERIFY(!error.empty());
    QVERIFY(!TrueTypeFont::parse("%PDF-1.4 not a font", &error));
    QCOMPARE(error, std::string("not a TrueType font"));
    QVERIFY(!TrueTypeFont::parse(std::string("OTTO") + std::string(64, '\0'), &error));
    QVERIFY2(error.find("CFF") != std::string::npos, error.c_str());
    QVERIFY(!TrueTypeFont::parse(std::string("ttcf") + std::string(12, '\0'), &error));
    QVERIFY(!TrueTypeFont::load("/nonexistent/font.ttf", &error));
    QVERIFY2(error.find("/nonexistent/font.ttf") != std::string::npos, error.c_str());
    QVERIFY(!PdfFontSet::load("/nonexistent/a.ttf", kDejaVu, kDejaVu, {}, &error));
}

void TestPdfFonts::survivesDamagedFonts()
{
    const std::string good = readFile(kDejaVu);
    QVERIFY(good.size() > 100000);
    // Truncations at every scale, and bytes flipped all over the file: each parses or fails
    // with a reason, and whatever parses can still be asked for glyphs and a subset.
    std::vector<std::string> damaged;
    for (std::size_t cut : {std::size_t{11}, std::size_t{12}, std::size_t{200}, std::size_t{4096},
                            good.size() / 3, good.size() / 2, good.size() - 1})
        damaged.push_back(good.substr(0, cut));
    std::mt19937 rng(7);
    for (int round = 0; round < 40; ++round) {
        std::string copy = good;
        const int flips = 1 + round % 8;
        for (int k = 0; k < flips; ++k) {
            // The first 4 KiB hold the directory and the small tables (head, hhea, maxp).
            const std::size_t at = round % 2 ? rng() % 4096 : rng() % copy.size();
            copy[at] = static_cast<char>(rng());
        }
        damaged.push_back(std::move(copy));
    }
    int parsed = 0;
    for (std::string& bytes : damaged) {
        std::string error;
        auto font = TrueTypeFont::parse(std::move(bytes), &error);
        if (!font) {
            QVERIFY(!error.empty());
            continue;
        }
        ++parsed;
        const std::uint16_t a = font->glyph(U'a');
        (void)font->advance(a);
        (void)font->advance(0xFFFF);
        const std::string sub = font->subset({a, font->glyph(U'\u00E9'), 0xFFFF});
        QVERIFY(sub.size() >= 12);
    }
    QVERIFY(parsed > 0); // flips in glyph data leave a usable font
}

void TestPdfFonts::subsetKeepsGlyphsAndShrinks()
{
    auto font = TrueTypeFont::load(kDejaVu);
    QVERIFY(font);
    std::set<std::uint16_t> glyphs;
    for (char32_t c : std::u32string(U"Hello \u00C5ngstr\u00F6m \u0416"))
        glyphs.insert(font->glyph(c));
    const std::string sub = font->subset(glyphs);
    QVERIFY2(sub.size() < readFile(kDejaVu).size() / 4, qPrintable(QString::number(sub.size())));
    std::string error;
    auto again = TrueTypeFont::parse(sub + std::string(), &error);
    // The subset drops the cmap on purpose (PDF maps codes to glyphs itself), so it does
    // not parse as a complete font; its table directory and checksums must still be sound.
    QVERIFY(!again);
    QCOMPARE(error, std::string("no cmap table"));
    // Checksum of the whole file with the head adjustment in place is the magic constant.
    std::uint32_t sum = 0;
    for (std::size_t i = 0; i + 3 < sub.size(); i += 4)
        sum += (static_cast<std::uint32_t>(static_cast<unsigned char>(sub[i])) << 24) |
               (static_cast<std::uint32_t>(static_cast<unsigned char>(sub[i + 1])) << 16) |
               (static_cast<std::uint32_t>(static_cast<unsigned char>(sub[i + 2])) << 8) |
               static_cast<unsigned char>(sub[i + 3]);
    QCOMPARE(sub.size() % 4, std::size_t{0});
    QCOMPARE(sum, 0xB1B0AFBAu);
    // 'Å' in DejaVu is a composite of 'A' and the ring: both outlines come along, and
    // pdftotext of a PDF that uses only 'Å' shows it (checked through the writer below).
    PdfWriter w;
    w.beginPage();
    w.text(72, 700, PdfWriter::Font::Regular, 14, "\u00C5");
    const QString fonts = run(m_pdffonts, w.finish({"t", "", ""}), QStringLiteral("ring.pdf"));
    QVERIFY2(fonts.contains(QStringLiteral("CID TrueType")), qPrintable(fonts));
}

void TestPdfFonts::embedsNonLatinNames()
{
    PdfWriter w;
    w.beginPage();
    const char* lines[] = {"Agent: \u0418\u0432\u0430\u043D \u041F\u0435\u0442\u0440\u043E\u0432",
                           "User: \u0391\u03B8\u03B7\u03BD\u03AC \u039A.",
                           "Caf\u00E9 \u20AC 12,50 \u2013 \u201Cquoted\u201D",
                           "Name: \u05D3\u05D5\u05D3", "(parentheses) \\ backslash"};
    double y = 760;
    for (const char* line : lines) {
        w.text(72, y, PdfWriter::Font::Regular, 12, line);
        w.text(72, y - 14, PdfWriter::Font::Bold, 12, line);
        w.text(72, y - 28, PdfWriter::Font::Mono, 10, line);
        y -= 48;
    }
    const std::string pdf = w.finish({"Unicode", "", "20261204100000Z"});
    const QString text = run(m_pdftotext, pdf, QStringLiteral("names.pdf"));
    for (const char* line : lines)
        QVERIFY2(text.count(QString::fromUtf8(line)) == 3 ||
                     // pdftotext may reorder right-to-left runs; the Hebrew letters remain
                     QString::fromUtf8(line).startsWith(QStringLiteral("Name:")),
                 qPrintable(QString::fromUtf8(line) + QStringLiteral(" in\n") + text));
    QVERIFY2(text.contains(QStringLiteral("\u05D3")), qPrintable(text));
    const QString fonts = run(m_pdffonts, pdf, QStringLiteral("names.pdf"));
    // Three faces, each an embedded subset: "ABCDEF+DejaVuSans  CID TrueType  Identity-H
    // yes yes yes".
    for (const char* face : {"+DejaVuSans ", "+DejaVuSans-Bold ", "+DejaVuSansMono "})
        QVERIFY2(fonts.contains(QLatin1String(face)), qPrintable(fonts));
    QCOMPARE(fonts.count(QRegularExpression(QStringLiteral("Identity-H\\s+yes\\s+yes\\s+yes"))),
             3);
}

void TestPdfFonts::fallsBackForCjk()
{
    PdfWriter w;
    w.beginPage();
    const QString line = QStringLiteral("Reviewer \u5F20\u4F1F, agent \u30A8\u30FC\u30B8\u30A7"
                                        "\u30F3\u30C8");
    w.text(72, 700, PdfWriter::Font::Bold, 12, line.toStdString());
    w.text(72, 680, PdfWriter::Font::Regular, 12, "\xF0\x9F\x94\x92 locked"); // no font has it
    const std::string pdf = w.finish({"CJK", "", ""});
    const QString text = run(m_pdftotext, pdf, QStringLiteral("cjk.pdf"));
    QVERIFY2(text.contains(line), qPrintable(text));
    QVERIFY2(text.contains(QStringLiteral("? locked")), qPrintable(text));
    const QString fonts = run(m_pdffonts, pdf, QStringLiteral("cjk.pdf"));
    QVERIFY2(fonts.contains(QStringLiteral("+DroidSansFallback")), qPrintable(fonts));
}

void TestPdfFonts::dropsInvisibleCharacters()
{
    PdfWriter w;
    w.beginPage();
    // DejaVu has (empty) glyphs for the zero-width joiner and the variation selectors, so
    // they stay in the text, as evidence should; a tag character, which no face has, draws
    // nothing rather than a `?`. A tab is a space.
    w.text(72, 700, PdfWriter::Font::Regular, 12, "ad\u200Dmin\uFE0F\tus\U000E0041er");
    const QString text = run(m_pdftotext, w.finish({"t", "", ""}), QStringLiteral("zw.pdf"));
    QVERIFY2(text.contains(QStringLiteral("ad\u200Dmin\uFE0F user")), qPrintable(text));
}

void TestPdfFonts::measuresWithTheEmbeddedFonts()
{
    const auto fonts = PdfFontSet::system();
    const TrueTypeFont* mono = fonts->face(2);
    QVERIFY(mono);
    const double a = mono->advance(mono->glyph(U'a'));
    QCOMPARE(PdfWriter::textWidth(PdfWriter::Font::Mono, 10, "abcd"), 4 * a * 10 / 1000);
    QCOMPARE(PdfWriter::textWidth(PdfWriter::Font::Mono, 10, "\u0416\u0416"), 2 * a * 10 / 1000);
    QVERIFY(PdfWriter::textWidth(PdfWriter::Font::Bold, 10, "Hello") >
            PdfWriter::textWidth(PdfWriter::Font::Regular, 10, "Hello"));
    // CJK from the fallback face: one em each.
    QCOMPARE(PdfWriter::textWidth(PdfWriter::Font::Regular, 10, "\u5F20\u4F1F"), 20.0);
    QCOMPARE(PdfWriter::textWidth(PdfWriter::Font::Regular, 10, "a\u200Db"),
             PdfWriter::textWidth(PdfWriter::Font::Regular, 10, "ab"));
    QCOMPARE(PdfWriter::textWidth(PdfWriter::Font::Regular, 10, ""), 0.0);
}

void TestPdfFonts::standardFontsWithoutFontFiles()
{
    PdfWriter w(PdfFontSet::standard());
    QCOMPARE(w.measure(PdfWriter::Font::Regular, 10, "Hello"), 22.78); // Helvetica AFM
    QCOMPARE(w.measure(PdfWriter::Font::Mono, 10, "abcd"), 24.0);       // Courier
    w.beginPage();
    w.text(72, 700, PdfWriter::Font::Regular, 12, "caf\u00E9 \u20AC \u0416");
    const std::string pdf = w.finish({"t", "", ""});
    QVERIFY(pdf.find("/BaseFont /Helvetica ") != std::string::npos);
    QVERIFY(pdf.find("FontFile2") == std::string::npos);
    const QString text = run(m_pdftotext, pdf, QStringLiteral("std.pdf"));
    QVERIFY2(text.contains(QStringLiteral("caf\u00E9 \u20AC ?")), qPrintable(text));
}

void TestPdfFonts::reportWithNonLatinNamesIsDeterministic()
{
    ReportDocument doc;
    doc.meta.title = "Report for \u0410\u043B\u0438\u0441\u0430";
    doc.meta.chainHead = std::string(64, 'b');
    ReportSection s{"agents", "Agents \u4EE3\u7406", {}};
    ReportTable t{"rows", "Agents", {{"name", "Name", 2}, {"owner", "Owner", 2}}, {}, "none"};
    t.rows.push_back({"sql-worker-\u03B1", "\u674E\u5A1C"});
    t.rows.push_back({"formatter", "Jos\u00E9 Mar\u00EDa"});
    s.blocks.push_back(std::move(t));
    doc.sections.push_back(std::move(s));
    const std::string pdf = renderPdf(doc);
    QCOMPARE(renderPdf(doc), pdf);
    const QString text = run(m_pdftotext, pdf, QStringLiteral("report.pdf"));
    for (const QString& expected :
         {QStringLiteral("Agents \u4EE3\u7406"), QStringLiteral("sql-worker-\u03B1"),
          QStringLiteral("\u674E\u5A1C"), QStringLiteral("Jos\u00E9 Mar\u00EDa")})
        QVERIFY2(text.contains(expected), qPrintable(expected + QStringLiteral(" in\n") + text));
}

void TestPdfFonts::infoDictionaryHoldsUnicode()
{
    PdfWriter w;
    w.beginPage();
    w.text(72, 700, PdfWriter::Font::Regular, 12, "x");
    const std::string pdf =
        w.finish({"Bericht \u00FCber \u0410\u043B\u0438\u0441\u0430", "(plain)", ""});
    const QString info = run(m_pdfinfo, pdf, QStringLiteral("info.pdf"));
    QVERIFY2(info.contains(QStringLiteral("Bericht \u00FCber \u0410\u043B\u0438\u0441\u0430")),
             qPrintable(info));
    QVERIFY2(info.contains(QStringLiteral("(plain)")), qPrintable(info));
}

QTEST_GUILESS_MAIN(TestPdfFonts)
#include "tst_pdffonts.moc"
