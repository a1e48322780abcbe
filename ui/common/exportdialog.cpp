// SPDX-License-Identifier: Apache-2.0
#include "common/exportdialog.h"

#include "bridge/enginebridge.h"

#include <QFileDialog>
#include <QMessageBox>
#include <QPointer>
#include <QStandardPaths>

namespace vigil::ui {

void exportEventsWithDialog(EngineBridge& bridge, const EventQuery& query, QWidget* parent)
{
    QString selected;
    const QString path = QFileDialog::getSaveFileName(
        parent, QObject::tr("Export events"),
        QStandardPaths::writableLocation(QStandardPaths::DocumentsLocation) + QStringLiteral("/events.jsonl"),
        QObject::tr("JSON Lines (*.jsonl);;CSV (*.csv)"), &selected);
    if (path.isEmpty())
        return;
    const bool csv = path.endsWith(QStringLiteral(".csv"), Qt::CaseInsensitive) || selected.startsWith(u'C');
    const quint64 token = bridge.exportEvents(query, path, csv ? EngineBridge::ExportFormat::Csv
                                                               : EngineBridge::ExportFormat::JsonLines);
    QPointer<QWidget> guard(parent);
    auto* context = new QObject(&bridge);
    QObject::connect(&bridge, &EngineBridge::exportFinished, context,
                     [token, guard, context](quint64 t, bool ok, const QString& message) {
                         if (t != token)
                             return;
                         context->deleteLater();
                         if (!guard)
                             return;
                         if (ok)
                             QMessageBox::information(guard, QObject::tr("Export"), message);
                         else
                             QMessageBox::warning(guard, QObject::tr("Export failed"), message);
                     });
}

} // namespace vigil::ui
