// SPDX-License-Identifier: Apache-2.0
#include "bridge/bridgetypes.h"

#include "store/schema.h"


namespace vigil::ui {

const QStringList& categoryNames()
{
    static const QStringList names = [] {
        QStringList out;
        for (const std::string& c : findingCategoryBits())
            out.push_back(QString::fromStdString(c));
        return out;
    }();
    return names;
}

quint32 categoryBit(const QString& category)
{
    return 1u << findingCategoryBit(category.toStdString());
}

namespace {
LayerNaming g_layerNaming = LayerNaming::Seed; // UI thread only

QStringList layerLabels(LayerNaming naming)
{
    QStringList names;
    for (int layer = 1; layer <= 7; ++layer)
        names << QString::fromStdString(maestroLayerLabel(layer, naming));
    return names;
}
} // namespace

const QStringList& maestroLayerNames()
{
    static const QStringList seed = layerLabels(LayerNaming::Seed);
    static const QStringList csa = layerLabels(LayerNaming::Csa);
    return g_layerNaming == LayerNaming::Seed ? seed : csa;
}

LayerNaming layerNaming()
{
    return g_layerNaming;
}

void setLayerNaming(LayerNaming naming)
{
    g_layerNaming = naming;
}

QString severityName(int s)
{
    switch (s) {
    case 0: return QStringLiteral("info");
    case 1: return QStringLiteral("warning");
    case 2: return QStringLiteral("error");
    case 3: return QStringLiteral("critical");
    default: return QString();
    }
}

QString findingSeverityName(int s)
{
    switch (s) {
    case 0: return QStringLiteral("low");
    case 1: return QStringLiteral("medium");
    case 2: return QStringLiteral("high");
    case 3: return QStringLiteral("critical");
    default: return QString();
    }
}

} // namespace vigil::ui
