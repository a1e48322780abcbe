// SPDX-License-Identifier: Apache-2.0
#pragma once

namespace vigil::ui {

class EngineBridge;
class MainWindow;

/// Adds the review views to the window (called by registerExtensionViews()): "Checklists"
/// (the three seed checklists with live evidence and verdicts; its evidence opens in the
/// Events view) and "Threat Matrices" (editable matrices with live finding counts).
void registerReviewViews(MainWindow& window, EngineBridge& bridge);

} // namespace vigil::ui
