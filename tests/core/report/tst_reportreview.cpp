// SPDX-License-Identifier: Apache-2.0
// The full report carries the reviewer's work: the MAESTRO and plugin checklists with
// automatic status and verdicts (a pass over failing evidence flagged as a conflict), the
// verdict history, incidents with assignee, notes and triage history, and the threat
// matrices by name with their finding counts, in JSON, HTML, CSV and PDF (read back with
// pdftotext). In the PDF, rule ids and status words are not cut, and no page ends with a
// heading.
#include "pdftestsupport.h"
#include "reporttestsupport.h"

#include "report/reportbuilder.h"
#include "report/reportrender.h"
#include "review/reviewstore.h"
#include "review/threatmatrix.h"
#include "store/incidentreview.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

using namespace vigil;
using namespace vigil::test;

namespace {

constexpr std::int64_t kReviewMs = 1'795'300'000'000; // 2026-11-21T22:26:40Z
const QString kNote = QStringLiteral("QA mailbox, accepted by the DPO");
const QString kIncidentNote = QStringLiteral("Key rotated on 2026-11-22; revoke the old one");
const QString kMatrix = QStringLiteral("Checkout agent threats");

/// The section `id` of a JSON report, or an empty object.
QJsonObject section(const QJsonObject& report, const QString& id)
{
    for (const auto s : report.value(QStringLiteral("sections")).toArray())
        if (s.toObject().value(QStringLiteral("id")).toString() == id)
            return s.toObject();
    return {};
}

/// The rows of table `id` in `section`.
QJsonArray rows(const QJsonObject& section, const QString& id)
{
    for (const auto t : section.value(QStringLiteral("tables")).toArray())
        if (t.toObject().value(QStringLiteral("id")).toString() == id)
            return t.toObject().value(QStringLiteral("rows")).toArray();
    return {};
}

/// The first row whose `key` is `value`, or an empty object.
QJsonObject rowWhere(const QJsonArray& rows, const QString& key, const QJsonValue& value)
{
    for (const auto r : rows)
        if (r.toObject().value(key) == value)
            return r.toObject();
    return {};
}

} // namespace

class TestReportReview : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void jsonHoldsChecklistsAndVerdicts();
    void jsonHoldsIncidentTriage();
    void jsonHoldsThreatMatrices();
    void htmlAndCsvHoldTheReview();
    void pdfHoldsTheReviewUncut();
    void pdfNoPageEndsWithAHeading();
    void otherKindsLeaveTheChecklistsOut();

private:
    Result<std::string> report(ReportFormat format, ReportKind kind = ReportKind::Full);
    QJsonObject jsonReport();

    std::unique_ptr<QTemporaryDir> m_dir;
    std::string m_db;
    std::int64_t m_incident = 0;
};

void TestReportReview::initTestCase()
{
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
    useKeyFolder(*m_dir);
    m_db = m_dir->filePath(QStringLiteral("review.db")).toStdString();
    QVERIFY(buildReportFixture(m_db));

    auto w = StoreWriter::open(m_db);
    QVERIFY(w);
    StoreWriter& writer = **w;
    // A leaked OpenAI key: its rule id is the long dotted kind that PDF columns used to cut.
    EventSpec leak;
    leak.ms = 1'795'255'209'000; // 2026-11-21T10:00:09Z
    leak.type = "worker_result";
    leak.agent = "formatter";
    leak.thread = "t-delta";
    leak.eventId = "fx-openai";
    leak.details = R"({"output":"use sk-proj-abcdefghijklmnopqrstuvwx to call"})";
    leak.severity = EventSeverity::Error;
    leak.findings = {makeFinding("secret.openai_key", "secret", FindingSeverity::Critical,
                                 "details.output", 4, 30, 6)};
    auto c = commit(writer, {makeEvent(leak)});
    QVERIFY(c && c->accepted == 1);
    m_incident = std::stoll(rawScalar(QString::fromStdString(m_db),
                                      "SELECT id FROM incidents WHERE rule = 'secret.openai_key'"));
    QVERIFY(m_incident > 0);

    // The reviewer's work: verdicts (a pass over the failing "No PII in default log output",
    // after an earlier fail; a plugin verdict for one component), triage, a named matrix.
    ReviewStore review(writer);
    QVERIFY(review.addVerdict(
        Verdict{"maestro.4.2", "", VerdictKind::Fail, "PII in logs", "bob", kReviewMs}));
    QVERIFY(review.addVerdict(Verdict{"maestro.4.2", "", VerdictKind::Pass, kNote.toStdString(),
                                      "alice", kReviewMs + 60'000}));
    QVERIFY(review.addVerdict(Verdict{"plugin.output.2", "formatter", VerdictKind::Fail,
                                      "leaks keys", "carol", kReviewMs + 120'000}));
    QVERIFY(review.addVerdict(Verdict{"production.iam.1", "", VerdictKind::NotApplicable, "",
                                      "alice", kReviewMs + 180'000}));
    IncidentReviewChange triage;
    triage.status = "investigating";
    triage.assignee = "alice";
    triage.notes = kIncidentNote.toStdString();
    QVERIFY(writer.run([&](Database& db) {
        return updateIncidentReview(db, {m_incident}, triage, "alice", kReviewMs + 240'000);
    }));
    auto tpl = loadThreatTemplate("maestro");
    QVERIFY(tpl);
    ThreatMatrix matrix = createMatrixFromTemplate(*tpl, kMatrix.toStdString(), "formatter");
    matrix.rows.front().owner = "dana";
    QVERIFY(review.saveMatrix(0, matrix));
    writer.close();
}

Result<std::string> TestReportReview::report(ReportFormat format, ReportKind kind)
{
    auto db = Database::openReader(m_db);
    if (!db)
        return std::unexpected(db.error());
    ReportRequest r;
    r.kind = kind;
    r.nowMs = kFixtureNow;
    return generateReport(*db, r, format);
}

QJsonObject TestReportReview::jsonReport()
{
    auto json = report(ReportFormat::Json);
    if (!json)
        return {};
    return QJsonDocument::fromJson(QByteArray::fromStdString(*json)).object();
}

void TestReportReview::jsonHoldsChecklistsAndVerdicts()
{
    const QJsonObject doc = jsonReport();
    QVERIFY(!doc.isEmpty());

    const QJsonObject maestro = section(doc, QStringLiteral("maestro-checklist"));
    QVERIFY2(!maestro.isEmpty(), "no MAESTRO checklist in the full report");
    const QJsonArray items = rows(maestro, QStringLiteral("maestro-items"));
    QCOMPARE(items.size(), 21);
    const QJsonObject pii = rowWhere(items, QStringLiteral("id"), QStringLiteral("maestro.4.2"));
    QCOMPARE(pii.value(QStringLiteral("auto")).toString(), QStringLiteral("fail"));
    QCOMPARE(pii.value(QStringLiteral("verdict")).toString(), QStringLiteral("pass (conflict)"));
    QCOMPARE(pii.value(QStringLiteral("reviewer")).toString(), QStringLiteral("alice"));
    QVERIFY(pii.value(QStringLiteral("evidence")).toInt() > 0);

    // The plugin checklist: the system's run, and the run of the component with a verdict.
    const QJsonObject plugin = section(doc, QStringLiteral("plugin-checklist"));
    QCOMPARE(rows(plugin, QStringLiteral("plugin-items")).size(), 20);
    const QJsonArray formatter = rows(plugin, QStringLiteral("plugin-items-formatter"));
    QCOMPARE(formatter.size(), 20);
    const QJsonObject output =
        rowWhere(formatter, QStringLiteral("id"), QStringLiteral("plugin.output.2"));
    QCOMPARE(output.value(QStringLiteral("verdict")).toString(), QStringLiteral("fail"));
    QCOMPARE(output.value(QStringLiteral("reviewer")).toString(), QStringLiteral("carol"));

    const QJsonObject verdicts = section(doc, QStringLiteral("verdicts"));
    const QJsonArray conflicts = rows(verdicts, QStringLiteral("verdict-conflicts"));
    QCOMPARE(conflicts.size(), 1);
    QCOMPARE(conflicts[0].toObject().value(QStringLiteral("id")).toString(),
             QStringLiteral("maestro.4.2"));
    QCOMPARE(conflicts[0].toObject().value(QStringLiteral("note")).toString(), kNote);
    QCOMPARE(conflicts[0].toObject().value(QStringLiteral("component")).toString(),
             QStringLiteral("whole system"));

    // The history: every verdict in recording order, the superseded one too.
    const QJsonArray history = rows(verdicts, QStringLiteral("verdict-history"));
    QCOMPARE(history.size(), 4);
    QStringList seen;
    for (const auto h : history) {
        const QJsonObject o = h.toObject();
        seen << o.value(QStringLiteral("id")).toString() + QLatin1Char(' ') +
                    o.value(QStringLiteral("verdict")).toString() + QLatin1Char(' ') +
                    o.value(QStringLiteral("reviewer")).toString() + QLatin1Char(' ') +
                    o.value(QStringLiteral("standing")).toString();
    }
    QCOMPARE(seen, (QStringList{QStringLiteral("maestro.4.2 fail bob superseded"),
                                QStringLiteral("maestro.4.2 pass alice current"),
                                QStringLiteral("plugin.output.2 fail carol current"),
                                QStringLiteral("production.iam.1 not_applicable alice current")}));
    QCOMPARE(history[1].toObject().value(QStringLiteral("when")).toString(),
             QStringLiteral("2026-11-21T22:27:40.000Z"));
}

void TestReportReview::jsonHoldsIncidentTriage()
{
    const QJsonObject incidents = section(jsonReport(), QStringLiteral("incidents"));
    const QJsonObject listed = rowWhere(rows(incidents, QStringLiteral("incident-list")),
                                        QStringLiteral("id"), QJsonValue(qint64(m_incident)));
    QCOMPARE(listed.value(QStringLiteral("assignee")).toString(), QStringLiteral("alice"));
    QCOMPARE(listed.value(QStringLiteral("status")).toString(), QStringLiteral("investigating"));
    QCOMPARE(listed.value(QStringLiteral("rule")).toString(), QStringLiteral("secret.openai_key"));

    const QJsonArray triage = rows(incidents, QStringLiteral("incident-triage"));
    QCOMPARE(triage.size(), 1);
    QCOMPARE(triage[0].toObject().value(QStringLiteral("notes")).toString(), kIncidentNote);
    QCOMPARE(triage[0].toObject().value(QStringLiteral("assignee")).toString(),
             QStringLiteral("alice"));

    const QJsonArray history = rows(incidents, QStringLiteral("incident-history"));
    QStringList fields;
    for (const auto h : history) {
        QCOMPARE(h.toObject().value(QStringLiteral("incident")).toInteger(), m_incident);
        QCOMPARE(h.toObject().value(QStringLiteral("actor")).toString(), QStringLiteral("alice"));
        fields << h.toObject().value(QStringLiteral("field")).toString() + QLatin1Char('=') +
                      h.toObject().value(QStringLiteral("to")).toString();
    }
    QCOMPARE(fields,
             (QStringList{QStringLiteral("status=investigating"), QStringLiteral("assignee=alice"),
                          QStringLiteral("notes=") + kIncidentNote}));
}

void TestReportReview::jsonHoldsThreatMatrices()
{
    const QJsonObject threats = section(jsonReport(), QStringLiteral("threat-matrices"));
    const QJsonArray matrices = rows(threats, QStringLiteral("matrices"));
    QCOMPARE(matrices.size(), 1); // the stored one, not the templates
    const QJsonObject m = matrices[0].toObject();
    QCOMPARE(m.value(QStringLiteral("matrix")).toString(), kMatrix);
    QCOMPARE(m.value(QStringLiteral("component")).toString(), QStringLiteral("formatter"));
    QCOMPARE(m.value(QStringLiteral("template")).toString(), QStringLiteral("maestro"));
    QCOMPARE(m.value(QStringLiteral("threats")).toInt(), 7);
    QCOMPARE(m.value(QStringLiteral("saved")).toString().size(), 24); // an RFC 3339 time
    // The matrix's count is the sum of its rows' counts, and the formatter's two secret
    // findings (AWS and OpenAI keys) are among them.
    std::int64_t sum = 0;
    bool owner = false;
    for (const auto r : rows(threats, QStringLiteral("threats"))) {
        QCOMPARE(r.toObject().value(QStringLiteral("matrix")).toString(), kMatrix);
        sum += r.toObject().value(QStringLiteral("findings")).toInteger();
        owner = owner || r.toObject().value(QStringLiteral("owner")).toString() == u"dana";
    }
    QVERIFY(owner);
    QCOMPARE(m.value(QStringLiteral("findings")).toInteger(), sum);
    QVERIFY2(sum >= 2, qPrintable(QString::number(sum)));
}

void TestReportReview::htmlAndCsvHoldTheReview()
{
    auto html = report(ReportFormat::Html);
    QVERIFY(html);
    const QString h = QString::fromStdString(*html);
    for (const QString& expected :
         {QStringLiteral("<section id=\"maestro-checklist\">"),
          QStringLiteral("<section id=\"plugin-checklist\">"),
          QStringLiteral("<section id=\"verdicts\">"), QStringLiteral("Verdict history"),
          QStringLiteral("<td class=\"fail\">pass (conflict)</td>"),
          QString::fromStdString(htmlEscape(kNote.toStdString())), QStringLiteral("<td>alice</td>"),
          kIncidentNote, kMatrix, QStringLiteral("<td>dana</td>")})
        QVERIFY2(h.contains(expected), qPrintable(expected));

    auto csv = report(ReportFormat::Csv);
    QVERIFY(csv);
    const QString c = QString::fromStdString(*csv);
    QVERIFY(c.contains(QStringLiteral("verdicts,verdict-history,2,2,2026-11-21T22:27:40.000Z,"
                                      "maestro.4.2,whole system,pass,alice,")));
    QVERIFY(c.contains(QStringLiteral("verdicts,verdict-conflicts,1,maestro.4.2,whole system,")));
    QVERIFY(c.contains(QStringLiteral("incidents,incident-triage,1,")));
    QVERIFY(c.contains(QStringLiteral("threat-matrices,matrices,1,") + kMatrix));
}

void TestReportReview::pdfHoldsTheReviewUncut()
{
    auto pdf = report(ReportFormat::Pdf);
    QVERIFY(pdf);
    const QString text = runPdfToText(*pdf, *m_dir, QStringLiteral("full.pdf"), {});
    QVERIFY(!text.isEmpty());
    // pdftotext writes each drawn line apart: a value cut across lines would not be found.
    QVERIFY2(!text.contains(QStringLiteral("secret.openai_ke\n")) &&
                 text.contains(QStringLiteral("secret.openai_key")),
             "the rule id is cut");
    QVERIFY2(!text.contains(QStringLiteral("investigatin\n")) &&
                 text.contains(QStringLiteral("investigating")),
             "the status is cut");
    for (const QString& expected :
         {QStringLiteral("MAESTRO 7-Layer Security Check"),
          QStringLiteral("Security Checklist for Plugins"), QStringLiteral("Review verdicts"),
          QStringLiteral("pass (conflict)"), QStringLiteral("superseded"), QStringLiteral("alice"),
          QStringLiteral("carol"), QStringLiteral("secret.openai_key"),
          QStringLiteral("secret.aws_access_key"), QStringLiteral("investigating"),
          QStringLiteral("not_applicable"), kMatrix, QStringLiteral("2026-11-21T10:00:09.000Z")})
        QVERIFY2(text.contains(expected), qPrintable(expected));
}

void TestReportReview::pdfNoPageEndsWithAHeading()
{
    auto db = Database::openReader(m_db);
    QVERIFY(db);
    ReportRequest r;
    r.kind = ReportKind::Full;
    r.nowMs = kFixtureNow;
    auto doc = buildReport(*db, r);
    QVERIFY(doc);
    QSet<QString> headings;
    for (const ReportSection& s : doc->sections) {
        headings.insert(QString::fromStdString(s.title));
        for (const ReportBlock& b : s.blocks) {
            if (const auto* t = std::get_if<ReportTable>(&b))
                headings.insert(QString::fromStdString(t->title));
            else if (const auto* c = std::get_if<ReportChart>(&b))
                headings.insert(QString::fromStdString(c->title));
        }
    }
    const std::string pdf = renderPdf(*doc);
    // VIGIL_KEEP_REPORT=path keeps the PDF for a look (pdftoppm -png -r 60 path page).
    if (const QString keep = qEnvironmentVariable("VIGIL_KEEP_REPORT"); !keep.isEmpty()) {
        QFile out(keep);
        QVERIFY(out.open(QIODevice::WriteOnly));
        out.write(pdf.data(), static_cast<qint64>(pdf.size()));
    }
    const auto pages = pdfPages(pdf, *m_dir, QStringLiteral("headings.pdf"));
    QVERIFY(pages.size() >= 5);
    for (std::size_t p = 0; p < pages.size(); ++p) {
        QVERIFY(!pages[p].lines.empty());
        const QString last = pages[p].lines.back().text;
        QVERIFY2(
            !headings.contains(last),
            qPrintable(QStringLiteral("page %1 ends with the heading '%2'").arg(p + 1).arg(last)));
    }
}

void TestReportReview::otherKindsLeaveTheChecklistsOut()
{
    // The review sections belong to the full report; the production report keeps its
    // checklist (with the conflict flag) and nothing else of the review.
    auto json = report(ReportFormat::Json, ReportKind::Production);
    QVERIFY(json);
    const QJsonObject doc = QJsonDocument::fromJson(QByteArray::fromStdString(*json)).object();
    QVERIFY(section(doc, QStringLiteral("maestro-checklist")).isEmpty());
    QVERIFY(section(doc, QStringLiteral("verdicts")).isEmpty());
    const QJsonObject iam = rowWhere(
        rows(section(doc, QStringLiteral("production-checklist")), QStringLiteral("items")),
        QStringLiteral("id"), QStringLiteral("production.iam.1"));
    QCOMPARE(iam.value(QStringLiteral("verdict")).toString(), QStringLiteral("not_applicable"));
}

QTEST_GUILESS_MAIN(TestReportReview)
#include "tst_reportreview.moc"
