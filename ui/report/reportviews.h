// SPDX-License-Identifier: Apache-2.0
#pragma once

namespace vigil::ui {

class EngineBridge;
class MainWindow;

/// Adds the "Reports" view to the window (called by registerExtensionViews()): compliance
/// reports with kind, window, format, redaction and a preview, saved with overwrite
/// confirmation; GDPR erasure of a thread or user; retention applied on demand. Also turns
/// on the bridge's hourly retention schedule.
void registerReportViews(MainWindow& window, EngineBridge& bridge);

} // namespace vigil::ui
