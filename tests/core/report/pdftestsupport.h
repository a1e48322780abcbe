// SPDX-License-Identifier: Apache-2.0
// Reading a rendered PDF back with poppler's pdftotext (poppler-utils): the plain text, and
// each page's lines of text from top to bottom (from `pdftotext -bbox`), so that tests can
// ask what a page starts or ends with.
#pragma once

#include <QFile>
#include <QProcess>
#include <QRegularExpression>
#include <QStandardPaths>
#include <QString>
#include <QStringList>
#include <QTemporaryDir>

#include <algorithm>
#include <string>
#include <vector>

namespace vigil::test {

/// One line of text on a page: its words left to right, and where its bottom lies (PDF
/// points from the top of the page).
struct PdfLine
{
    double bottom = 0;
    QString text;
};

/// The lines of one page, top to bottom, without the page header and footer.
struct PdfPage
{
    std::vector<PdfLine> lines;
    QString text() const
    {
        QStringList out;
        for (const PdfLine& l : lines)
            out << l.text;
        return out.join(QLatin1Char('\n'));
    }
};

/// Writes `bytes` to `dir/name` and runs pdftotext with `args` before the file; returns
/// standard output, or an empty string (with a warning) on failure.
inline QString runPdfToText(const std::string& bytes, const QTemporaryDir& dir, const QString& name,
                            const QStringList& args)
{
    const QString tool = QStandardPaths::findExecutable(QStringLiteral("pdftotext"));
    if (tool.isEmpty()) {
        qWarning("pdftotext is missing: apt-get install poppler-utils");
        return {};
    }
    const QString path = dir.filePath(name);
    QFile f(path);
    if (!f.open(QIODevice::WriteOnly))
        return {};
    f.write(bytes.data(), static_cast<qint64>(bytes.size()));
    f.close();
    QProcess p;
    p.start(tool, QStringList(args) << path << QStringLiteral("-"));
    p.waitForFinished(30000);
    if (p.exitStatus() != QProcess::NormalExit || p.exitCode() != 0) {
        qWarning("pdftotext: %s", p.readAllStandardError().constData());
        return {};
    }
    return QString::fromUtf8(p.readAllStandardOutput());
}

/// The pages of a report PDF as lines of words. The report's running header (above 70 pt
/// from the top) and footer (below 58 pt from the bottom) are left out.
inline std::vector<PdfPage> pdfPages(const std::string& bytes, const QTemporaryDir& dir,
                                     const QString& name)
{
    const QString xml = runPdfToText(bytes, dir, name, {QStringLiteral("-bbox")});
    static const QRegularExpression pageRe(
        QStringLiteral("<page width=\"([0-9.]+)\" height=\"([0-9.]+)\">(.*?)</page>"),
        QRegularExpression::DotMatchesEverythingOption);
    static const QRegularExpression wordRe(
        QStringLiteral("<word xMin=\"([0-9.]+)\" yMin=\"([0-9.]+)\" xMax=\"([0-9.]+)\" "
                       "yMax=\"([0-9.]+)\">(.*?)</word>"));
    std::vector<PdfPage> pages;
    for (auto pm = pageRe.globalMatch(xml); pm.hasNext();) {
        const auto page = pm.next();
        const double height = page.captured(2).toDouble();
        struct Word
        {
            double x, bottom;
            QString text;
        };
        std::vector<Word> words;
        for (auto wm = wordRe.globalMatch(page.captured(3)); wm.hasNext();) {
            const auto w = wm.next();
            const double top = w.captured(2).toDouble(), bottom = w.captured(4).toDouble();
            if (top < 70 || bottom > height - 58)
                continue; // running header or footer
            QString text = w.captured(5);
            text.replace(QStringLiteral("&lt;"), QStringLiteral("<"))
                .replace(QStringLiteral("&gt;"), QStringLiteral(">"))
                .replace(QStringLiteral("&quot;"), QStringLiteral("\""))
                .replace(QStringLiteral("&apos;"), QStringLiteral("'"))
                .replace(QStringLiteral("&amp;"), QStringLiteral("&"));
            words.push_back({w.captured(1).toDouble(), bottom, text});
        }
        std::ranges::sort(words, [](const Word& a, const Word& b) {
            return a.bottom != b.bottom ? a.bottom < b.bottom : a.x < b.x;
        });
        PdfPage out;
        std::vector<std::vector<Word>> lines;
        for (const Word& w : words) {
            // Words whose bottoms lie within 2.5 pt share a line (fonts differ in descent).
            if (lines.empty() || w.bottom - lines.back().front().bottom > 2.5)
                lines.emplace_back();
            lines.back().push_back(w);
        }
        for (auto& line : lines) {
            std::ranges::sort(line, {}, &Word::x);
            QStringList text;
            for (const Word& w : line)
                text << w.text;
            out.lines.push_back({line.front().bottom, text.join(QLatin1Char(' '))});
        }
        pages.push_back(std::move(out));
    }
    return pages;
}

} // namespace vigil::test
