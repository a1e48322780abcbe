// SPDX-License-Identifier: Apache-2.0
#include "viewregistry.h"

#include "bridge/enginebridge.h"
#include "mainwindow.h"

// ui/CMakeLists.txt defines VIGIL_HAS_<AREA>_VIEWS for each area built in whose header
// exists.
#ifdef VIGIL_HAS_REVIEW_VIEWS
#include "review/reviewviews.h"
#endif
#ifdef VIGIL_HAS_IAM_VIEWS
#include "iam/iamviews.h"
#endif
#ifdef VIGIL_HAS_REPORT_VIEWS
#include "report/reportviews.h"
#endif

namespace vigil::ui {

void registerExtensionViews([[maybe_unused]] MainWindow& window, [[maybe_unused]] EngineBridge& bridge)
{
#ifdef VIGIL_HAS_REVIEW_VIEWS
    registerReviewViews(window, bridge);
#endif
#ifdef VIGIL_HAS_IAM_VIEWS
    registerIamViews(window, bridge);
#endif
#ifdef VIGIL_HAS_REPORT_VIEWS
    registerReportViews(window, bridge);
#endif
}

} // namespace vigil::ui
