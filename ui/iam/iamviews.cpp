// SPDX-License-Identifier: Apache-2.0
#include "iam/iamviews.h"

#include "bridge/enginebridge.h"
#include "iam/iammapview.h"
#include "mainwindow.h"

#include <QAction>
#include <QMenu>
#include <QMenuBar>

namespace vigil::ui {

void registerIamViews(MainWindow& window, EngineBridge& bridge)
{
    auto* view = new IamMapView(bridge);
    window.addView(QStringLiteral("iam"), QObject::tr("IAM Map"), view);
    QObject::connect(view, &IamMapView::openEvents, &window, &MainWindow::showEvents);

    // File > Load IAM Policies…, above the separator that precedes Quit.
    QMenu* file = nullptr;
    for (QAction* a : window.menuBar()->actions())
        if (a->menu()) {
            file = a->menu();
            break;
        }
    if (!file)
        return;
    auto* load = new QAction(QObject::tr("Load IAM &Policies…"), file);
    load->setObjectName(QStringLiteral("loadIamPolicies"));
    load->setStatusTip(QObject::tr("Load or replace the agent IAM policy file of the permission map"));
    QObject::connect(load, &QAction::triggered, view, [&window, view] {
        window.showView(QStringLiteral("iam"));
        view->choosePolicyFile();
    });
    QAction* before = nullptr;
    for (QAction* a : file->actions())
        if (a->isSeparator()) {
            before = a;
            break;
        }
    file->insertAction(before, load);
}

} // namespace vigil::ui
