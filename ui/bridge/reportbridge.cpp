// SPDX-License-Identifier: Apache-2.0
// EngineBridge's reports, GDPR erasure and retention: the only place ui/ reaches
// core/report and the store's erasure and retention functions.
#include "bridge/enginebridge.h"

#include "bridge/bridgeutil.h"

#include "base/timeutil.h"
#include "report/reportbuilder.h"
#include "report/reportfile.h"
#include "report/reportrender.h"
#include "store/database.h"
#include "store/erasure.h"
#include "store/retention.h"
#include "store/storewriter.h"

#include <QFileInfo>
#include <QPointer>
#include <QThread>
#include <QTimer>

#include <atomic>
#include <filesystem>

namespace vigil::ui {

namespace {

/// The report of `request` from the database at `path` (report thread).
ReportResult buildResult(const std::string& path, const ReportRequestData& request,
                         std::shared_ptr<const iam::PolicySet> policies,
                         std::function<bool()> cancelled)
{
    ReportResult out;
    out.request = request;
    const auto kind = reportKindFromString(str(request.kind));
    const auto format = reportFormatFromString(str(request.format));
    if (!kind || !format) {
        out.message = QStringLiteral("Unknown report kind or format.");
        return out;
    }
    auto db = Database::openReader(path);
    if (!db) {
        out.message = qstr(db.error().message);
        return out;
    }
    ReportRequest r;
    r.kind = *kind;
    r.fromMs = request.fromMs;
    r.toMs = request.toMs;
    r.redact = request.redact;
    r.verifyChain = request.verifyChain;
    r.policies = std::move(policies);
    r.cancelled = std::move(cancelled);
    r.nowMs = nowEpochMs();
    auto doc = buildReport(*db, r);
    if (!doc) {
        out.message = qstr(doc.error().message);
        return out;
    }
    std::string bytes;
    switch (*format) {
    case ReportFormat::Pdf:
        bytes = renderPdf(*doc);
        break;
    case ReportFormat::Html:
        bytes = renderHtml(*doc);
        break;
    case ReportFormat::Csv:
        bytes = renderCsv(*doc);
        break;
    case ReportFormat::Json:
        bytes = renderJson(*doc);
        break;
    case ReportFormat::Ocsf:
    case ReportFormat::Sarif: {
        auto exported = generateReport(*db, r, *format);
        if (!exported) {
            out.message = qstr(exported.error().message);
            return out;
        }
        bytes = std::move(*exported);
        break;
    }
    }
    if (*format == ReportFormat::Ocsf || *format == ReportFormat::Sarif) {
        constexpr std::size_t kPreviewBytes = 200 * 1024;
        std::string shown = bytes.substr(0, kPreviewBytes);
        if (bytes.size() > kPreviewBytes)
            shown += "\n...";
        out.previewHtml = QStringLiteral("<h2>%1</h2><pre>%2</pre>")
                              .arg(qstr(htmlEscape(doc->meta.title)), qstr(htmlEscape(shown)));
    } else {
        HtmlOptions preview;
        preview.svgCharts = false; // QTextBrowser does not draw SVG
        out.previewHtml = qstr(renderHtml(*doc, preview));
    }
    out.bytes = QByteArray(bytes.data(), static_cast<qsizetype>(bytes.size()));
    out.suggestedName = qstr(suggestedReportName(*kind, *format, doc->meta.database, r.nowMs));
    out.chainHead = qstr(doc->meta.chainHead);
    out.chainStatus = qstr(doc->meta.chainStatus);
    out.window = qstr(windowText(doc->meta));
    out.ok = true;
    return out;
}

QString purgeSummary(const PurgeResult& p)
{
    if (p.receiptId == 0)
        return QStringLiteral("Retention applied: nothing was older than its period.");
    return QStringLiteral("Retention applied: removed %1 events, %2 findings, %3 incidents and %4 "
                          "rejected lines (receipt %5).")
        .arg(p.events)
        .arg(p.findings)
        .arg(p.incidents)
        .arg(p.quarantined)
        .arg(p.receiptId);
}

} // namespace

/// The report thread and the retention timer.
struct EngineBridge::ReportState
{
    BridgeWorker worker{QStringLiteral("vigil-reports")};
    quint64 nextToken = 1;
    std::shared_ptr<std::atomic<quint64>> latestReport = std::make_shared<std::atomic<quint64>>(0);
    QTimer* schedule = nullptr; // owned by the bridge (UI thread)

    ReportState()
    {
        qRegisterMetaType<ReportResult>();
        qRegisterMetaType<ReportRequestData>();
    }
    ~ReportState()
    {
        latestReport->store(0); // stops a report being built; the worker then winds down
    }
    ReportState(const ReportState&) = delete;
    ReportState& operator=(const ReportState&) = delete;

    template <typename F> void post(F f) { worker.post(std::move(f)); }
};

quint64 EngineBridge::generateReport(const ReportRequestData& request)
{
    if (!isOpen())
        return 0;
    if (!m_reports)
        m_reports = std::make_shared<ReportState>();
    const quint64 token = m_reports->nextToken++;
    m_reports->latestReport->store(token);
    auto latest = m_reports->latestReport;
    m_reports->post([this, token, latest, request, path = str(databasePath()),
                     policies = reviewPolicies()] {
        if (latest->load() != token)
            return; // superseded before it started
        ReportResult result = buildResult(path, request, policies,
                                          [latest, token] { return latest->load() != token; });
        if (latest->load() != token)
            return;
        QMetaObject::invokeMethod(
            this, [this, token, result = std::move(result)] { Q_EMIT reportReady(token, result); },
            Qt::QueuedConnection);
    });
    return token;
}

quint64 EngineBridge::saveReport(const QString& path, const QByteArray& bytes, bool replace,
                                 bool privateFile)
{
    if (!m_reports)
        m_reports = std::make_shared<ReportState>();
    const quint64 token = m_reports->nextToken++;
    m_reports->post([this, token, target = str(path), bytes, replace, privateFile] {
        auto r = writeReportFile(
            target, std::string_view(bytes.constData(), static_cast<std::size_t>(bytes.size())),
            replace ? Overwrite::Replace : Overwrite::Refuse, privateFile);
        const bool ok = r.has_value();
        const QString message =
            ok ? QStringLiteral("Saved %1.").arg(qstr(target)) : qstr(r.error().message);
        QMetaObject::invokeMethod(
            this, [this, token, ok, message] { Q_EMIT reportSaved(token, ok, message); },
            Qt::QueuedConnection);
    });
    return token;
}

quint64 EngineBridge::eraseSubject(const QString& subject, const QString& id)
{
    if (!m_reports)
        m_reports = std::make_shared<ReportState>();
    const quint64 token = m_reports->nextToken++;
    StoreWriter* writer = reviewWriter();
    auto finish = [this, token](bool ok, const QString& message) {
        QMetaObject::invokeMethod(
            this, [this, token, ok, message] { Q_EMIT erasureFinished(token, ok, message); },
            Qt::QueuedConnection);
    };
    if (!writer || id.isEmpty() ||
        (subject != QLatin1String("thread") && subject != QLatin1String("user"))) {
        finish(false, writer ? QStringLiteral("Give a thread or user id to erase.")
                             : QStringLiteral("No database is open."));
        return token;
    }
    ErasureRequest request;
    request.subject =
        subject == QLatin1String("user") ? ErasureSubject::User : ErasureSubject::Thread;
    request.value = str(id);
    request.actor = str(actorName());
    auto outcome = std::make_shared<std::optional<ErasureOutcome>>();
    const bool queued = writer->post(
        [request, outcome](Database& db) -> Result<void> {
            auto r = vigil::eraseSubject(db, request);
            if (!r)
                return std::unexpected(r.error());
            *outcome = std::move(*r);
            return {};
        },
        [finish, outcome, subject](const Result<void>& r) {
            if (!r || !*outcome) {
                finish(false, qstr(r ? std::string("the erasure did not run") : r.error().message));
                return;
            }
            const Receipt& rc = (*outcome)->receipt;
            finish(true,
                   QStringLiteral("Erased %1 events of the %2 (receipt %3: %4 findings and %5 "
                                  "incidents scrubbed, %6 rejected lines cleared).")
                       .arg(rc.events)
                       .arg(subject)
                       .arg(rc.id)
                       .arg(rc.findings)
                       .arg(rc.incidents)
                       .arg(rc.quarantined));
        });
    if (!queued)
        finish(false, QStringLiteral("The database writer has stopped."));
    return token;
}

quint64 EngineBridge::applyRetention()
{
    if (!m_reports)
        m_reports = std::make_shared<ReportState>();
    const quint64 token = m_reports->nextToken++;
    auto finish = [this, token](bool ok, const QString& message) {
        QMetaObject::invokeMethod(
            this, [this, token, ok, message] { Q_EMIT retentionApplied(token, ok, message); },
            Qt::QueuedConnection);
    };
    StoreWriter* writer = reviewWriter();
    if (!writer) {
        finish(false, QStringLiteral("No database is open."));
        return token;
    }
    auto result = std::make_shared<std::optional<PurgeResult>>();
    const std::string actor = str(actorName());
    const bool queued = writer->post(
        [result, actor](Database& db) -> Result<void> {
            auto r = purgeExpired(db, nowEpochMs(), actor);
            if (!r)
                return std::unexpected(r.error());
            *result = std::move(*r);
            return {};
        },
        [finish, result](const Result<void>& r) {
            if (!r || !*result)
                finish(false, qstr(r ? std::string("retention did not run") : r.error().message));
            else
                finish(true, purgeSummary(**result));
        });
    if (!queued)
        finish(false, QStringLiteral("The database writer has stopped."));
    return token;
}

void EngineBridge::setRetentionSchedule(int intervalMs)
{
    if (!m_reports)
        m_reports = std::make_shared<ReportState>();
    if (!m_reports->schedule) {
        m_reports->schedule = new QTimer(this);
        connect(m_reports->schedule, &QTimer::timeout, this, [this] {
            if (isOpen())
                applyRetention();
        });
    }
    if (intervalMs <= 0) {
        m_reports->schedule->stop();
        return;
    }
    m_reports->schedule->start(intervalMs);
    QTimer::singleShot(std::min(intervalMs, 60'000), this, [this] {
        if (isOpen() && m_reports && m_reports->schedule->isActive())
            applyRetention();
    });
}

} // namespace vigil::ui
