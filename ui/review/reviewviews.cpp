// SPDX-License-Identifier: Apache-2.0
#include "review/reviewviews.h"

#include "mainwindow.h"
#include "review/checklistsview.h"
#include "review/threatmatricesview.h"

namespace vigil::ui {

void registerReviewViews(MainWindow& window, EngineBridge& bridge)
{
    auto* checklists = new ChecklistsView(bridge);
    auto* threats = new ThreatMatricesView(bridge);
    window.addView(QStringLiteral("checklists"), MainWindow::tr("Checklists"), checklists);
    window.addView(QStringLiteral("threats"), MainWindow::tr("Threat Matrices"), threats);
    QObject::connect(checklists, &ChecklistsView::openEvents, &window, &MainWindow::showEvents);
}

} // namespace vigil::ui
