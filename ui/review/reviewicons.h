// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QColor>
#include <QIcon>
#include <QString>

namespace vigil::ui::review {

/// The look of review states, shared by the checklist and threat views: a colored badge
/// icon per automatic status (`pass`, `fail`, `unknown`), per verdict kind (`pass`, `fail`,
/// `not_applicable`) and for a conflict, drawn for the current theme.
QColor statusColor(const QString& status);
QIcon statusIcon(const QString& status);
QIcon verdictIcon(const QString& kind);
QIcon conflictIcon();
/// `Pass`, `Fail`, `Unknown`, `Not applicable`.
QString statusLabel(const QString& status);

} // namespace vigil::ui::review
