// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QString>

namespace vigil::ui {

class MainWindow;

/// Saves `<dir>/<view>-<light|dark>.png` of every view, grabbed from the window once data
/// has arrived, then quits the application. Used by `vigil --screenshot DIR` (hidden) to
/// produce docs/screenshots/.
void takeScreenshots(MainWindow& window, const QString& dir, int settleMs = 2500);

} // namespace vigil::ui
