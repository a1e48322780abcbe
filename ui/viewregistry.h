// SPDX-License-Identifier: Apache-2.0
#pragma once

// How views built elsewhere in ui/ join the main window. Each area provides one header
// with one registration function that calls MainWindow::addView for each of its views:
//
//   ui/review/reviewviews.h   void vigil::ui::registerReviewViews(MainWindow&, EngineBridge&);
//                             (threat matrices, checklists)
//   ui/iam/iamviews.h         void vigil::ui::registerIamViews(MainWindow&, EngineBridge&);
//   ui/report/reportviews.h   void vigil::ui::registerReportViews(MainWindow&, EngineBridge&);
//
// registerExtensionViews() calls each of them whose header exists (ui/CMakeLists.txt
// checks, and VIGIL_UI_AREAS can leave an area out), in that order, so an area joins the
// window by adding its header and sources; nothing here needs editing.

namespace vigil::ui {

class EngineBridge;
class MainWindow;

void registerExtensionViews(MainWindow& window, EngineBridge& bridge);

} // namespace vigil::ui
