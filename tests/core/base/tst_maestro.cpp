// SPDX-License-Identifier: Apache-2.0
// The two namings of the MAESTRO layers: the seed's, and the Cloud Security Alliance's matched
// to them by scope, one to one, with the labels views and reports print.

#include "base/maestro.h"

#include <QtTest>

#include <set>

using namespace vigil;

class TestMaestro : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void seedNames();
    void csaMappingIsOneToOne();
    void csaPairsFollowScope();
    void labels();
    void outsideTheLayers();
    void namingIds();
};

void TestMaestro::seedNames()
{
    const char* expected[] = {"Model",     "Agent Logic", "Integration", "Monitoring",
                              "Execution", "Environment", "Orchestration"};
    for (int layer = 1; layer <= 7; ++layer)
        QCOMPARE(maestroLayerName(layer, LayerNaming::Seed), std::string_view(expected[layer - 1]));
}

void TestMaestro::csaMappingIsOneToOne()
{
    std::set<int> csa;
    std::set<std::string_view> names;
    for (int layer = 1; layer <= 7; ++layer) {
        const int c = csaLayerOf(layer);
        QVERIFY(c >= 1 && c <= 7);
        csa.insert(c);
        names.insert(maestroLayerName(layer, LayerNaming::Csa));
    }
    QCOMPARE(csa.size(), std::size_t(7));
    QCOMPARE(names.size(), std::size_t(7));
    // The CSA's numbers and names belong together, whichever seed layer shows them.
    const char* csaNames[] = {"Foundation Models",
                              "Data Operations",
                              "Agent Frameworks",
                              "Deployment and Infrastructure",
                              "Evaluation and Observability",
                              "Security and Compliance",
                              "Agent Ecosystem"};
    for (int layer = 1; layer <= 7; ++layer)
        QCOMPARE(maestroLayerName(layer, LayerNaming::Csa),
                 std::string_view(csaNames[csaLayerOf(layer) - 1]));
}

void TestMaestro::csaPairsFollowScope()
{
    // docs/review.md gives the reason for each pair; these are the ones a reviewer relies on.
    QCOMPARE(csaLayerOf(1), 1); // Model: the foundation model
    QCOMPARE(csaLayerOf(4), 5); // Monitoring: evaluation and observability, not layer 4
    QCOMPARE(csaLayerOf(5), 4); // Execution: deployment and infrastructure
    QCOMPARE(csaLayerOf(7), 7); // Orchestration: the agent ecosystem and its registry
}

void TestMaestro::labels()
{
    QCOMPARE(maestroLayerLabel(2, LayerNaming::Seed), std::string("2 Agent Logic"));
    QCOMPARE(maestroLayerLabel(2, LayerNaming::Csa), std::string("L3 Agent Frameworks"));
    QCOMPARE(maestroLayerLabel(4, LayerNaming::Csa), std::string("L5 Evaluation and Observability"));
}

void TestMaestro::outsideTheLayers()
{
    for (int layer : {0, 8, -1}) {
        QCOMPARE(csaLayerOf(layer), 0);
        QVERIFY(maestroLayerName(layer, LayerNaming::Csa).empty());
        QCOMPARE(maestroLayerLabel(layer, LayerNaming::Seed), std::to_string(layer));
    }
}

void TestMaestro::namingIds()
{
    for (LayerNaming n : {LayerNaming::Seed, LayerNaming::Csa})
        QCOMPARE(parseLayerNaming(layerNamingId(n)), std::optional<LayerNaming>(n));
    QVERIFY(!parseLayerNaming("CSA"));
    QVERIFY(!parseLayerNaming(""));
}

QTEST_GUILESS_MAIN(TestMaestro)
#include "tst_maestro.moc"
