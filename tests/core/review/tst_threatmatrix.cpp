// SPDX-License-Identifier: Apache-2.0
// Threat matrices: creation from templates, validation, editing with undo/redo, live counts.
#include "review/threatmatrix.h"
#include "review/threatmatrixeditor.h"

#include "fakeevidencesource.h"
#include "reviewtestutil.h"

#include <QtTest/QtTest>

using namespace vigil;
using test::FakeEvidenceSource;

namespace {

ThreatTemplate shippedTemplate(const std::string& id)
{
    auto tpl = loadThreatTemplate(id);
    if (!tpl)
        qFatal("%s", tpl.error().message.c_str());
    return *tpl;
}

std::vector<std::string> threats(const ThreatMatrix& m)
{
    std::vector<std::string> out;
    for (const auto& r : m.rows)
        out.push_back(r.threat);
    return out;
}

ThreatRow row(int layer, const std::string& component, const std::string& threat)
{
    ThreatRow r;
    r.layer = layer;
    r.component = component;
    r.threat = threat;
    return r;
}

} // namespace

class TestThreatMatrix : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void enumNames();
    void createFromBothTemplates();
    void createBlank();
    void fieldTextRoundTrip();
    void setFieldTextRefusesBadValues_data();
    void setFieldTextRefusesBadValues();
    void validation();
    void editSetFieldUndoRedo();
    void addDeleteMoveUndoRedo();
    void failedEditsChangeNothing();
    void noOpEditsAreNotRecorded();
    void newEditDropsRedo();
    void cleanState();
    void findingsForCountsLinkedFindings();
};

void TestThreatMatrix::enumNames()
{
    QVERIFY(threatSeverityFromString("med") == ThreatSeverity::Med);
    QVERIFY(threatSeverityFromString("Medium") == ThreatSeverity::Med);
    QVERIFY(threatSeverityFromString("CRITICAL") == ThreatSeverity::Critical);
    QVERIFY(!threatSeverityFromString("severe"));
    QVERIFY(threatStatusFromString("Not_Applicable") == ThreatStatus::NotApplicable);
    QVERIFY(!threatStatusFromString("closed"));
    QVERIFY(threatFieldFromString("Sev") == ThreatField::Severity);
    QVERIFY(threatFieldFromString(" Mitigation ") == ThreatField::Mitigation);
    QCOMPARE(threatFields().size(), std::size_t(9));
}

void TestThreatMatrix::createFromBothTemplates()
{
    const auto maestro =
        createMatrixFromTemplate(shippedTemplate("maestro"), "Checkout feature", "brain");
    QCOMPARE(maestro.name, std::string("Checkout feature"));
    QCOMPARE(maestro.component, std::string("brain"));
    QCOMPARE(maestro.templateId, std::string("maestro"));
    QCOMPARE(maestro.rows.size(), std::size_t(7));
    QCOMPARE(threats(maestro), (std::vector<std::string>{
                                   "Prompt inj.", "Type confusion", "Svc downtime", "Log injection",
                                   "Resource exh.", "Secret exposure", "Hijacking"}));
    for (int i = 0; i < 7; ++i) {
        QCOMPARE(maestro.rows[i].layer, i + 1);
        QCOMPARE(test::name(maestro.rows[i].status), std::string("open"));
        QVERIFY(maestro.rows[i].owner.empty());
    }
    QVERIFY(validateMatrix(maestro).empty());

    const auto surface = createMatrixFromTemplate(shippedTemplate("attack-surface"), "System");
    QCOMPARE(surface.rows.size(), std::size_t(6));
    QCOMPARE(surface.templateId, std::string("attack-surface"));
    QCOMPARE(surface.rows[0].threat, std::string("Prompt injection"));
    QCOMPARE(surface.rows[0].description,
             std::string("Malicious input manipulates agent behaviour"));
    QCOMPARE(test::name(surface.rows[0].severity), std::string("CRITICAL"));
    QCOMPARE(test::name(surface.rows[5].severity), std::string("LOW"));
    QVERIFY(validateMatrix(surface).empty());
}

void TestThreatMatrix::createBlank()
{
    const auto m = createBlankMatrix("New feature", "formatter");
    QCOMPARE(m.name, std::string("New feature"));
    QCOMPARE(m.component, std::string("formatter"));
    QVERIFY(m.templateId.empty());
    QVERIFY(m.rows.empty());
    QVERIFY(validateMatrix(m).empty());
    QCOMPARE(validateMatrix(createBlankMatrix("")).size(), std::size_t(1));
}

void TestThreatMatrix::fieldTextRoundTrip()
{
    ThreatRow r = row(4, "Logs", "Log injection");
    r.links = {"log_injection", "log_injection.crlf"};
    r.severity = ThreatSeverity::High;
    r.status = ThreatStatus::NotApplicable;
    for (const auto f : threatFields()) {
        ThreatRow copy;
        QVERIFY(setFieldText(copy, f, fieldText(r, f)));
        QCOMPARE(fieldText(copy, f), fieldText(r, f));
    }
    QCOMPARE(fieldText(r, ThreatField::Links), std::string("log_injection;log_injection.crlf"));
    QCOMPARE(fieldText(r, ThreatField::Layer), std::string("4"));
    QVERIFY(setFieldText(r, ThreatField::Links, " pii, secret ;; iam "));
    QCOMPARE(r.links, (std::vector<std::string>{"pii", "secret", "iam"}));
    QVERIFY(setFieldText(r, ThreatField::Layer, " 7 "));
    QCOMPARE(r.layer, 7);
}

void TestThreatMatrix::setFieldTextRefusesBadValues_data()
{
    QTest::addColumn<int>("field");
    QTest::addColumn<QString>("text");
    QTest::addColumn<QString>("message");
    QTest::newRow("layer 0") << int(ThreatField::Layer) << "0"
                             << "'0' is not a layer from 1 to 7";
    QTest::newRow("layer 8") << int(ThreatField::Layer) << "8"
                             << "'8' is not a layer from 1 to 7";
    QTest::newRow("layer text") << int(ThreatField::Layer) << "two"
                                << "'two' is not a layer from 1 to 7";
    QTest::newRow("layer 3x") << int(ThreatField::Layer) << "3x"
                              << "'3x' is not a layer from 1 to 7";
    QTest::newRow("layer empty") << int(ThreatField::Layer) << ""
                                 << "'' is not a layer from 1 to 7";
    QTest::newRow("severity") << int(ThreatField::Severity) << "severe"
                              << "'severe' is not LOW, MED, HIGH or CRITICAL";
    QTest::newRow("status") << int(ThreatField::Status) << "done"
                            << "'done' is not open, mitigated, accepted or not_applicable";
}

void TestThreatMatrix::setFieldTextRefusesBadValues()
{
    QFETCH(int, field);
    QFETCH(QString, text);
    QFETCH(QString, message);
    ThreatRow r = row(2, "Plugin", "Type confusion");
    const ThreatRow before = r;
    const auto result = setFieldText(r, static_cast<ThreatField>(field), text.toStdString());
    QVERIFY(!result);
    QCOMPARE(result.error().message, message.toStdString());
    QVERIFY(r == before);
}

void TestThreatMatrix::validation()
{
    ThreatMatrix m = createBlankMatrix("M");
    ThreatRow r;
    r.layer = 9;
    r.links = {"pii", "pi", "pii", "Bad.Rule", "pii.email"};
    r.status = ThreatStatus::Mitigated;
    m.rows.push_back(r);
    ThreatRow accepted = row(1, "Brain", "Prompt injection");
    accepted.status = ThreatStatus::Accepted;
    accepted.component = "two\nlines";
    m.rows.push_back(accepted);
    std::vector<std::string> messages;
    for (const auto& issue : validateMatrix(m))
        messages.push_back(describe(issue));
    const std::vector<std::string> expected{
        "row 1, layer: '9' is not a layer from 1 to 7",
        "row 1, component: is empty",
        "row 1, threat: is empty",
        "row 1, links: 'pi' is not a finding category",
        "row 1, links: 'pii' is listed twice",
        "row 1, links: 'Bad.Rule' is not a dotted rule id",
        "row 1, mitigation: a mitigated threat must name its mitigation",
        "row 2, component: must be one line",
        "row 2, owner: an accepted risk must have an owner",
    };
    QCOMPARE(messages, expected);
    QCOMPARE(describe(MatrixIssue{-1, std::nullopt, "name is empty"}),
             std::string("matrix: name is empty"));

    ThreatRow tooLong = row(1, "C", "T");
    tooLong.description = std::string(4001, 'x');
    QCOMPARE(validateRow(tooLong).size(), std::size_t(1));
    tooLong.description = std::string(4000, 'x');
    QVERIFY(validateRow(tooLong).empty());
}

void TestThreatMatrix::editSetFieldUndoRedo()
{
    ThreatMatrixEditor editor(createMatrixFromTemplate(shippedTemplate("maestro"), "M"));
    const ThreatMatrix original = editor.matrix();
    QVERIFY(!editor.canUndo());

    QVERIFY(editor.apply(SetThreatField{0, ThreatField::Severity, "CRITICAL"}));
    QVERIFY(editor.apply(SetThreatField{0, ThreatField::Status, "mitigated"}));
    QVERIFY(editor.apply(SetThreatField{0, ThreatField::Owner, "ana"}));
    QVERIFY(editor.apply(RenameThreatMatrix{"Checkout"}));
    QVERIFY(editor.apply(SetThreatMatrixComponent{"brain"}));
    QCOMPARE(test::name(editor.matrix().rows[0].severity), std::string("CRITICAL"));
    QCOMPARE(editor.matrix().rows[0].owner, std::string("ana"));
    QCOMPARE(editor.matrix().name, std::string("Checkout"));
    QCOMPARE(editor.undoCount(), std::size_t(5));
    QCOMPARE(editor.undoText(), std::string("Set matrix component"));

    QVERIFY(editor.undo());
    QVERIFY(editor.undo());
    QCOMPARE(editor.matrix().name, std::string("M"));
    QCOMPARE(editor.undoText(), std::string("Set owner of row 1"));
    QCOMPARE(editor.redoText(), std::string("Rename matrix"));
    QVERIFY(editor.undo());
    QVERIFY(editor.undo());
    QVERIFY(editor.undo());
    QVERIFY(!editor.undo());
    QVERIFY(editor.matrix() == original);
    QCOMPARE(editor.redoCount(), std::size_t(5));

    while (editor.redo()) {
    }
    QCOMPARE(editor.matrix().component, std::string("brain"));
    QCOMPARE(test::name(editor.matrix().rows[0].status), std::string("mitigated"));
    QVERIFY(!editor.canRedo());
}

void TestThreatMatrix::addDeleteMoveUndoRedo()
{
    ThreatMatrixEditor editor(createMatrixFromTemplate(shippedTemplate("maestro"), "M"));
    const ThreatMatrix original = editor.matrix();
    using V = std::vector<std::string>;

    // Reorder: the Registry row to the top, then the new first row to the end.
    QVERIFY(editor.apply(MoveThreatRow{6, 0}));
    QCOMPARE(threats(editor.matrix()),
             (V{"Hijacking", "Prompt inj.", "Type confusion", "Svc downtime", "Log injection",
                "Resource exh.", "Secret exposure"}));
    QVERIFY(editor.apply(MoveThreatRow{1, 3}));
    QCOMPARE(threats(editor.matrix()),
             (V{"Hijacking", "Type confusion", "Svc downtime", "Prompt inj.", "Log injection",
                "Resource exh.", "Secret exposure"}));
    // Add (insert in the middle and append) and delete.
    QVERIFY(editor.apply(AddThreatRow{2, row(3, "Tools", "Tool abuse")}));
    QVERIFY(editor.apply(AddThreatRow{8, row(7, "Worker", "Privilege escalation")}));
    QVERIFY(editor.apply(DeleteThreatRow{0}));
    QCOMPARE(threats(editor.matrix()),
             (V{"Type confusion", "Tool abuse", "Svc downtime", "Prompt inj.", "Log injection",
                "Resource exh.", "Secret exposure", "Privilege escalation"}));
    QCOMPARE(editor.undoText(), std::string("Delete row 1"));

    // Undo everything, step by step, back to the template.
    QVERIFY(editor.undo());
    QCOMPARE(editor.matrix().rows.front().threat, std::string("Hijacking"));
    QCOMPARE(editor.matrix().rows.size(), std::size_t(9));
    QVERIFY(editor.undo());
    QVERIFY(editor.undo());
    QVERIFY(editor.undo());
    QVERIFY(editor.undo());
    QVERIFY(editor.matrix() == original);

    // Redo everything.
    for (int i = 0; i < 5; ++i)
        QVERIFY(editor.redo());
    QCOMPARE(threats(editor.matrix()),
             (V{"Type confusion", "Tool abuse", "Svc downtime", "Prompt inj.", "Log injection",
                "Resource exh.", "Secret exposure", "Privilege escalation"}));
    // A deleted row comes back whole, with every field.
    ThreatMatrixEditor e2(original);
    QVERIFY(e2.apply(SetThreatField{5, ThreatField::Links, "secret;secret.aws"}));
    QVERIFY(e2.apply(DeleteThreatRow{5}));
    QVERIFY(e2.undo());
    QCOMPARE(e2.matrix().rows[5].links, (V{"secret", "secret.aws"}));
    // Replace a row as a whole.
    QVERIFY(e2.apply(ReplaceThreatRow{0, row(1, "LLM caller", "Jailbreak")}));
    QCOMPARE(e2.matrix().rows[0].threat, std::string("Jailbreak"));
    QVERIFY(e2.undo());
    QCOMPARE(e2.matrix().rows[0].threat, std::string("Prompt inj."));
}

void TestThreatMatrix::failedEditsChangeNothing()
{
    ThreatMatrixEditor editor(createMatrixFromTemplate(shippedTemplate("maestro"), "M"));
    const ThreatMatrix before = editor.matrix();
    auto r = editor.apply(SetThreatField{0, ThreatField::Layer, "9"});
    QVERIFY(!r);
    QCOMPARE(r.error().message, std::string("row 1, layer: '9' is not a layer from 1 to 7"));
    r = editor.apply(SetThreatField{7, ThreatField::Threat, "x"});
    QVERIFY(!r);
    QCOMPARE(r.error().message, std::string("row 8 does not exist (the matrix has 7 rows)"));
    QVERIFY(!editor.apply(DeleteThreatRow{7}));
    QVERIFY(!editor.apply(MoveThreatRow{0, 7}));
    QVERIFY(!editor.apply(AddThreatRow{8, ThreatRow{}}));
    QVERIFY(!editor.apply(ReplaceThreatRow{9, ThreatRow{}}));
    QVERIFY(editor.matrix() == before);
    QVERIFY(!editor.canUndo());
}

void TestThreatMatrix::noOpEditsAreNotRecorded()
{
    ThreatMatrixEditor editor(createMatrixFromTemplate(shippedTemplate("maestro"), "M"));
    QVERIFY(editor.apply(SetThreatField{0, ThreatField::Severity, "high"})); // already HIGH
    QVERIFY(editor.apply(MoveThreatRow{2, 2}));
    QVERIFY(editor.apply(RenameThreatMatrix{"M"}));
    QVERIFY(!editor.canUndo());
    // Semantic problems are allowed while editing and reported by validate().
    QVERIFY(editor.apply(AddThreatRow{7, ThreatRow{}}));
    QCOMPARE(editor.validate().size(), std::size_t(2)); // empty component and threat
}

void TestThreatMatrix::newEditDropsRedo()
{
    ThreatMatrixEditor editor(createBlankMatrix("M"));
    QVERIFY(editor.apply(AddThreatRow{0, row(1, "A", "a")}));
    QVERIFY(editor.apply(AddThreatRow{1, row(2, "B", "b")}));
    QVERIFY(editor.undo());
    QVERIFY(editor.canRedo());
    QVERIFY(editor.apply(AddThreatRow{1, row(3, "C", "c")}));
    QVERIFY(!editor.canRedo());
    QCOMPARE(threats(editor.matrix()), (std::vector<std::string>{"a", "c"}));
}

void TestThreatMatrix::cleanState()
{
    ThreatMatrixEditor editor(createBlankMatrix("M"));
    QVERIFY(editor.isClean());
    QVERIFY(editor.apply(AddThreatRow{0, row(1, "A", "a")}));
    QVERIFY(!editor.isClean());
    editor.setClean(); // saved with one row
    QVERIFY(editor.apply(AddThreatRow{1, row(2, "B", "b")}));
    QVERIFY(!editor.isClean());
    QVERIFY(editor.undo());
    QVERIFY(editor.isClean());
    QVERIFY(editor.undo());
    QVERIFY(!editor.isClean());
    // A new edit from before the saved state makes it unreachable.
    QVERIFY(editor.apply(RenameThreatMatrix{"N"}));
    QVERIFY(!editor.isClean());
    QVERIFY(editor.undo());
    QVERIFY(!editor.isClean());
    editor.reset(createBlankMatrix("Other"));
    QVERIFY(editor.isClean());
    QVERIFY(!editor.canUndo());
}

void TestThreatMatrix::findingsForCountsLinkedFindings()
{
    FakeEvidenceSource source;
    source.add("worker_result", "formatter", 1000, "pii", "pii.email");
    source.add("worker_result", "formatter", 2000, "secret", "secret.aws");
    source.add("worker_result", "brain", 3000, "secret", "secret.github");
    source.add("worker_result", "brain", 3000, "schema", "schema.missing");
    source.rejected.push_back({"", 1000});

    const auto surface = createMatrixFromTemplate(shippedTemplate("attack-surface"), "S");
    const auto& exfiltration = surface.rows[1]; // pii, secret
    QCOMPARE(findingsFor(exfiltration, source), std::int64_t(3));
    QCOMPARE(findingsFor(exfiltration, source, EvidenceScope{"formatter"}), std::int64_t(2));
    QCOMPARE(findingsFor(exfiltration, source, EvidenceScope{"", 1500, 2500}), std::int64_t(1));

    const auto maestro = createMatrixFromTemplate(shippedTemplate("maestro"), "M");
    QCOMPARE(findingsFor(maestro.rows[1], source), std::int64_t(2)); // schema + rejected line
    QCOMPARE(findingsFor(maestro.rows[2], source), std::int64_t(0)); // no links: never counts
    QCOMPARE(findingsFor(maestro.rows[5], source), std::int64_t(2)); // secret

    ThreatRow byRule = row(6, "Infra", "AWS keys");
    byRule.links = {"secret.aws", "pii"};
    QCOMPARE(findingsFor(byRule, source), std::int64_t(2)); // rule OR category
}

QTEST_APPLESS_MAIN(TestThreatMatrix)
#include "tst_threatmatrix.moc"
