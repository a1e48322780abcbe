// SPDX-License-Identifier: Apache-2.0
#include "base/maestro.h"

#include <array>

namespace vigil {
namespace {

struct Layer
{
    std::string_view seed;
    int csa;
    std::string_view csaName;
};

// By scope, not by number (docs/review.md explains each pair): the seed's Agent Logic
// (typed inputs, type safety) is the agent framework's code; Integration (the services an
// agent calls for its data, their timeouts and keys) is the CSA's data operations;
// Execution (timeouts, resource limits) is deployment and infrastructure; Environment
// (isolation, secrets, segmentation) is the security and compliance controls; Orchestration
// (ordering, the agent registry, static imports) is the agent ecosystem.
constexpr std::array<Layer, 7> kLayers{{
    {"Model", 1, "Foundation Models"},
    {"Agent Logic", 3, "Agent Frameworks"},
    {"Integration", 2, "Data Operations"},
    {"Monitoring", 5, "Evaluation and Observability"},
    {"Execution", 4, "Deployment and Infrastructure"},
    {"Environment", 6, "Security and Compliance"},
    {"Orchestration", 7, "Agent Ecosystem"},
}};

const Layer* find(int layer)
{
    return layer >= 1 && layer <= 7 ? &kLayers[static_cast<std::size_t>(layer - 1)] : nullptr;
}

} // namespace

int csaLayerOf(int layer)
{
    const Layer* l = find(layer);
    return l ? l->csa : 0;
}

std::string_view maestroLayerName(int layer, LayerNaming naming)
{
    const Layer* l = find(layer);
    if (!l)
        return {};
    return naming == LayerNaming::Seed ? l->seed : l->csaName;
}

std::string maestroLayerLabel(int layer, LayerNaming naming)
{
    const Layer* l = find(layer);
    if (!l)
        return std::to_string(layer);
    if (naming == LayerNaming::Seed)
        return std::to_string(layer) + " " + std::string(l->seed);
    return "L" + std::to_string(l->csa) + " " + std::string(l->csaName);
}

std::string_view layerNamingId(LayerNaming naming)
{
    return naming == LayerNaming::Seed ? "seed" : "csa";
}

std::optional<LayerNaming> parseLayerNaming(std::string_view id)
{
    if (id == "seed")
        return LayerNaming::Seed;
    if (id == "csa")
        return LayerNaming::Csa;
    return std::nullopt;
}

} // namespace vigil
