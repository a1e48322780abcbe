// SPDX-License-Identifier: Apache-2.0
// Vigil's own threat model (resources/threats/vigil.json): offered as a built-in template but
// not seeded into audited databases, every row mitigated by Vigil, and every test it names
// as proof present in the sources, so the matrix cannot point at a test that is gone.
#include "review/reviewstore.h"
#include "review/threatmatrix.h"
#include "store/storewriter.h"

#include <QTemporaryDir>
#include <QtTest/QtTest>

#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>
#include <string>

using namespace vigil;

namespace {

std::string readSource(const std::filesystem::path& p)
{
    std::ifstream in(p, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

} // namespace

class TestThreatTemplates : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void vigilTemplateIsBuiltInButNotSeeded();
    void everyRowIsMitigatedByVigil();
    void coversEveryExposedPart();
    void everyProofNamesAnExistingTest();
    void proofsShowInTheDescription();
    void badStatusIsRefused();
};

void TestThreatTemplates::vigilTemplateIsBuiltInButNotSeeded()
{
    const auto builtin = builtinThreatTemplateIds();
    QVERIFY(std::find(builtin.begin(), builtin.end(), "vigil") != builtin.end());
    const auto seeded = threatTemplateIds();
    QVERIFY(std::find(seeded.begin(), seeded.end(), "vigil") == seeded.end());
    QCOMPARE(loadThreatTemplates(true)->size(), builtin.size());

    QTemporaryDir dir;
    const std::string db = dir.filePath(QStringLiteral("t.db")).toStdString();
    auto writer = StoreWriter::open(db);
    QVERIFY(writer);
    ReviewStore store(**writer);
    const auto created = store.seedTemplates();
    QVERIFY(created);
    QCOMPARE(*created, static_cast<int>(seeded.size()));
}

void TestThreatTemplates::everyRowIsMitigatedByVigil()
{
    const auto tpl = loadThreatTemplate("vigil");
    QVERIFY2(tpl, tpl ? "" : tpl.error().message.c_str());
    QCOMPARE(tpl->name, std::string("Vigil's own threat model"));
    QVERIFY(tpl->rows.size() >= 6);
    for (const ThreatTemplateRow& r : tpl->rows) {
        QVERIFY(r.row.status == ThreatStatus::Mitigated);
        QCOMPARE(r.row.owner, std::string("Vigil"));
        QVERIFY(!r.row.mitigation.empty());
        QVERIFY(!r.proof.empty());
        QVERIFY(r.row.layer >= 1 && r.row.layer <= 7);
    }
    // A matrix made from it keeps the status and owner, and is valid as it stands.
    const ThreatMatrix m = createMatrixFromTemplate(*tpl, tpl->name);
    QVERIFY(validateMatrix(m).empty());
    QVERIFY(m.rows.front().status == ThreatStatus::Mitigated);
}

void TestThreatTemplates::coversEveryExposedPart()
{
    const auto tpl = loadThreatTemplate("vigil");
    QVERIFY(tpl);
    std::set<std::string> components;
    for (const ThreatTemplateRow& r : tpl->rows)
        components.insert(r.row.component);
    for (const char* part :
         {"TCP feed", "HTTP receiver", "Store", "Reports", "Rule packs", "PII reveal"})
        QVERIFY2(components.contains(part), part);
}

void TestThreatTemplates::everyProofNamesAnExistingTest()
{
    const auto tpl = loadThreatTemplate("vigil");
    QVERIFY(tpl);
    const std::filesystem::path root = std::filesystem::path(VIGIL_TEST_DATA_DIR).parent_path().parent_path();
    const std::regex form(R"(^(tests/[a-z/_]+\.cpp): ([A-Za-z_][A-Za-z0-9_]*)$)");
    for (const ThreatTemplateRow& r : tpl->rows)
        for (const std::string& proof : r.proof) {
            std::smatch m;
            QVERIFY2(std::regex_match(proof, m, form), proof.c_str());
            const std::filesystem::path file = root / m[1].str();
            QVERIFY2(std::filesystem::exists(file), proof.c_str());
            // Declared as a test slot and defined: `void name()` in the class, and its body.
            const std::string text = readSource(file);
            const std::regex declared("\\bvoid " + m[2].str() + "\\(\\)");
            QVERIFY2(std::distance(std::sregex_iterator(text.begin(), text.end(), declared),
                                   std::sregex_iterator()) >= 1,
                     proof.c_str());
        }
}

void TestThreatTemplates::proofsShowInTheDescription()
{
    const auto tpl = loadThreatTemplate("vigil");
    QVERIFY(tpl);
    for (const ThreatTemplateRow& r : tpl->rows) {
        const auto at = r.row.description.find("Proven by: ");
        QVERIFY(at != std::string::npos);
        for (const std::string& proof : r.proof)
            QVERIFY2(r.row.description.find(proof, at) != std::string::npos, proof.c_str());
    }
}

void TestThreatTemplates::badStatusIsRefused()
{
    const auto bad = parseThreatTemplate(
        R"({"template":"x","name":"X","rows":[{"layer":1,"component":"c","threat":"t",)"
        R"("severity":"HIGH","mitigation":"m","status":"done","links":[]}]})",
        "x.json");
    QVERIFY(!bad);
    QVERIFY2(bad.error().message.find("rows[0].status") != std::string::npos,
             bad.error().message.c_str());
}

QTEST_GUILESS_MAIN(TestThreatTemplates)
#include "tst_threattemplates.moc"
