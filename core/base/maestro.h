// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace vigil {

/// Which names the seven MAESTRO layers are shown with. Vigil numbers layers as the seed
/// skill does (1 Model ... 7 Orchestration) everywhere it stores or exchanges them; the Cloud
/// Security Alliance's write-up of MAESTRO names and orders them differently. With `Csa`
/// each seed layer is shown as the CSA layer whose scope it matches (docs/review.md,
/// "MAESTRO layer names"), with the CSA's own number.
enum class LayerNaming : unsigned char
{
    Seed, ///< the seed's names: "Model", "Agent Logic", ...
    Csa,  ///< the CSA's: "Foundation Models", "Agent Frameworks", ...
};

/// The CSA layer (1..7) that seed layer `layer` (1..7) corresponds to; 0 outside 1..7.
/// A one-to-one mapping.
int csaLayerOf(int layer);

/// The name of seed layer `layer` in `naming` ("Agent Logic" / "Agent Frameworks"); empty
/// outside 1..7.
std::string_view maestroLayerName(int layer, LayerNaming naming);

/// The label views and reports print: "2 Agent Logic" for the seed's names, "L3 Agent
/// Frameworks" for the CSA's (the CSA's number, prefixed so it is not read as the seed's);
/// the bare number outside 1..7.
std::string maestroLayerLabel(int layer, LayerNaming naming);

/// "seed" or "csa", as options and settings spell them.
std::string_view layerNamingId(LayerNaming naming);
std::optional<LayerNaming> parseLayerNaming(std::string_view id);

} // namespace vigil
