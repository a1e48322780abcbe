// SPDX-License-Identifier: Apache-2.0
#pragma once

// Value types of reports, erasure and retention that cross from the report thread and the
// writer to the views through EngineBridge's queued signals. Plain Qt values: no core/
// type appears here (ui/bridge/reportbridge.cpp converts).

#include "base/maestro.h"

#include <QByteArray>
#include <QMetaType>
#include <QString>

#include <optional>

namespace vigil::ui {

/// What the Reports view asks for.
struct ReportRequestData
{
    QString kind = QStringLiteral("soc2");  ///< soc2, gdpr, production, incidents, full
    QString format = QStringLiteral("pdf"); ///< pdf, html, csv, json, ocsf, sarif
    std::optional<qint64> fromMs;           ///< inclusive window; unset: the first event
    std::optional<qint64> toMs;             ///< unset: the last event
    bool redact = true;                     ///< PII and secrets as [REDACTED:<rule>]
    bool verifyChain = true;
    LayerNaming layerNaming = LayerNaming::Seed; ///< View > MAESTRO Layer Names at the time
};

/// A generated report: the file's bytes, a preview, and what the header says.
struct ReportResult
{
    bool ok = false;
    QString message; ///< the error, when !ok
    ReportRequestData request;
    QByteArray bytes;      ///< the file in request.format
    QString previewHtml;   ///< HTML a QTextBrowser can show (charts as table bars)
    QString suggestedName; ///< vigil-<kind>-<db>-<yyyymmdd>.<ext>, safe as a file name
    QString chainHead;     ///< hex, empty when the database has no events
    QString chainStatus;   ///< intact / broken at event N: ... / not verified: ...
    QString window;        ///< the window as the report states it
};

} // namespace vigil::ui

Q_DECLARE_METATYPE(vigil::ui::ReportRequestData)
Q_DECLARE_METATYPE(vigil::ui::ReportResult)
