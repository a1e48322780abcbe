// SPDX-License-Identifier: Apache-2.0
#pragma once

// The IAM area's views (see viewregistry.h): the per-agent permission map.

namespace vigil::ui {

class EngineBridge;
class MainWindow;

/// Adds the IAM permission map view ("iam") to `window`, the File menu's "Load IAM
/// Policies…" action, and the map's link to the Events view.
void registerIamViews(MainWindow& window, EngineBridge& bridge);

} // namespace vigil::ui
