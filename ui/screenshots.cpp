// SPDX-License-Identifier: Apache-2.0
#include "screenshots.h"

#include "common/eventcolumns.h"
#include "events/eventsview.h"
#include "events/querybar.h"
#include "incidents/incidentsview.h"
#include "live/liveview.h"
#include "mainwindow.h"
#include "mute/mutedialog.h"
#include "theme.h"

#include <QAbstractItemModel>
#include <QApplication>
#include <QCheckBox>
#include <QLineEdit>
#include <QDir>
#include <QItemSelectionModel>
#include <QPixmap>
#include <QTableView>
#include <QTimer>

#include <functional>
#include <memory>

namespace vigil::ui {
namespace {

// Selects the first row of `table` whose findings include a sensitive category (else any
// finding), so that the detail pane shows highlights and redaction.
void selectInteresting(QTableView* table, bool fromEnd)
{
    QAbstractItemModel* m = table->model();
    const int n = m->rowCount();
    int best = -1;
    for (int k = 0; k < n && k < 2000; ++k) {
        const int r = fromEnd ? n - 1 - k : k;
        const quint32 mask = m->index(r, 0).data(FindingMaskRole).toUInt();
        if (mask & (categoryBit(QStringLiteral("pii")) | categoryBit(QStringLiteral("secret")))) {
            best = r;
            break;
        }
        if (mask && best < 0)
            best = r;
    }
    if (best >= 0) {
        table->selectionModel()->setCurrentIndex(m->index(best, 0),
                                                 QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
        table->scrollTo(m->index(best, 0));
    }
}

/// The muting workflow, last (it stores a rule, which changes what the other views show):
/// the dialog prefilled from the most severe incident, the Incidents view with "Show muted"
/// after muting, and the Suppression Rules dialog.
void shootMuting(MainWindow& window, const QString& dir, int settleMs, std::function<void()> done)
{
    Theme::instance().apply(Theme::modeFromName(QStringLiteral("light")));
    window.showView(QStringLiteral("incidents"));
    IncidentsView* view = window.incidentsView();
    QTableView* t = view->table();
    t->sortByColumn(1, Qt::DescendingOrder);
    if (t->model()->rowCount() > 0)
        t->selectRow(0);
    QTimer::singleShot(settleMs / 2, &window, [&window, view, dir, settleMs, done] {
        view->muteCurrent();
        auto* dialog = view->findChild<MuteDialog*>();
        if (!dialog) {
            done();
            return;
        }
        if (auto* reason = dialog->findChild<QLineEdit*>(QStringLiteral("muteReason")))
            reason->setText(QStringLiteral("Expected denials of the demo's sandbox account"));
        QTimer::singleShot(settleMs / 2, &window, [&window, view, dialog, dir, settleMs, done] {
            dialog->grab().save(QStringLiteral("%1/mute-dialog-light.png").arg(dir));
            dialog->accept();
            view->showMutedBox()->setChecked(true);
            QTimer::singleShot(settleMs, &window, [&window, view, dir, settleMs, done] {
                window.grab().save(QStringLiteral("%1/incidents-muted-light.png").arg(dir));
                view->showMuteRules();
                QTimer::singleShot(settleMs, &window, [view, dir, done] {
                    if (auto* rules = view->findChild<MuteRulesDialog*>()) {
                        rules->grab().save(QStringLiteral("%1/suppression-rules-light.png").arg(dir));
                        rules->close();
                    }
                    done();
                });
            });
        });
    });
}

} // namespace

void takeScreenshots(MainWindow& window, const QString& dir, int settleMs)
{
    QDir().mkpath(dir);
    window.resize(1560, 960);
    struct Step
    {
        QString theme;
        QString view;
    };
    auto steps = std::make_shared<QList<Step>>();
    for (const QString& theme : {QStringLiteral("light"), QStringLiteral("dark")})
        for (const QString& id : window.viewIds())
            steps->push_back({theme, id});
    auto next = std::make_shared<std::function<void()>>();
    *next = [&window, dir, steps, next, settleMs] {
        if (steps->isEmpty()) {
            shootMuting(window, dir, settleMs, [] { QApplication::quit(); });
            return;
        }
        const Step step = steps->takeFirst();
        Theme::instance().apply(Theme::modeFromName(step.theme));
        window.showView(step.view);
        if (step.view == u"events") {
            // The findings of personal data and secrets, as a reviewer would ask for them in
            // the query bar; the first row's event opens, redacted, in the detail pane.
            QueryBar* bar = window.eventsView()->queryBar();
            bar->lineEdit()->setText(QStringLiteral(
                "filter finding.category in [\"pii\", \"secret\"] | fields @timestamp, agent, event_type, "
                "finding.rule, finding.severity, finding.field | sort @timestamp desc"));
            bar->lineEdit()->setCursorPosition(0); // the start of the query in view
            bar->run();
            QTimer::singleShot(settleMs / 2, &window, [&window] {
                QTableView* results = window.eventsView()->queryResultsTable();
                if (results->model()->rowCount() > 0)
                    results->selectRow(0);
            });
        }
        else if (step.view == u"incidents")
            QTimer::singleShot(settleMs / 2, &window, [&window] {
                // The most severe incident with an event to show.
                QTableView* t = window.incidentsView()->table();
                t->sortByColumn(1, Qt::DescendingOrder);
                if (t->model()->rowCount() > 0)
                    t->selectRow(0);
            });
        else if (step.view == u"live") {
            window.liveView()->setPaused(false);
            QTimer::singleShot(settleMs / 2, &window, [&window] {
                window.liveView()->setPaused(true);
                selectInteresting(window.liveView()->table(), true);
            });
        }
        else if (step.view == u"reports") {
            // A built preview, as a reviewer sees it before saving the report.
            if (QWidget* reports = window.view(step.view))
                QMetaObject::invokeMethod(reports, "generate", Qt::QueuedConnection);
        }
        QTimer::singleShot(settleMs, &window, [&window, dir, step, next] {
            window.grab().save(QStringLiteral("%1/%2-%3.png").arg(dir, step.view, step.theme));
            (*next)();
        });
    };
    QTimer::singleShot(settleMs, &window, [next] { (*next)(); });
}

} // namespace vigil::ui
