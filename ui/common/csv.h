// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QString>
#include <QStringList>

namespace vigil::ui::csv {

/// One RFC 4180 field. A text cell that a spreadsheet would run as a formula (it starts with
/// =, +, -, @, a tab or a carriage return) is prefixed with a single quote first; fields
/// holding a comma, quote, CR or LF are quoted with inner quotes doubled.
QString cell(const QString& text);
/// A number cell: written as is, never prefixed.
QString number(qint64 value);
/// Joins cells (already made with cell()/number()) into one CRLF-terminated record.
QString record(const QStringList& cells);

} // namespace vigil::ui::csv
