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
    r.layerNaming = request.layerNaming;
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

/// Items a purge removes (or would).
qint64 purgeItems(const PurgeResult& p)
{
    return p.events + p.findings + p.incidents + p.quarantined;
}

/// What a purge would remove, for the question asked before it.
QString previewSummary(const PurgeResult& p)
{
    if (purgeItems(p) == 0)
        return QStringLiteral("Nothing is older than its retention period.");
    QStringList types;
    for (const auto& [type, n] : p.eventsByType)
        types << QStringLiteral("%L1 %2").arg(n).arg(qstr(type));
    return QStringLiteral("%L1 events%2, %L3 findings, %L4 incidents and %L5 rejected lines are "
                          "older than their retention periods and would be removed (events "
                          "keep a tombstone, so the chain still verifies).")
        .arg(p.events)
        .arg(types.isEmpty() ? QString() : QStringLiteral(" (") + types.join(QStringLiteral(", ")) + QLatin1Char(')'))
        .arg(p.findings)
        .arg(p.incidents)
        .arg(p.quarantined);
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
    // The open database's automatic retention (UI thread; see autoRetentionEnabled()).
    bool autoRetention = false;
    bool scheduledRunning = false;

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
            this,
            [this, token, ok, message] {
                Q_EMIT erasureFinished(token, ok, message);
                if (ok)
                    Q_EMIT storeChanged(); // every view shows the tombstones, not the content
            },
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
    runRetention(token, false);
    return token;
}

void EngineBridge::runRetention(quint64 token, bool scheduled)
{
    // scheduled: the hourly run. It only runs where automatic retention is on, and before
    // the first purge of a database it asks (retentionAwaitingConfirmation) instead.
    auto finish = [this, token, scheduled](bool ok, const QString& message, bool removed,
                                           std::optional<std::pair<qint64, QString>> ask) {
        QMetaObject::invokeMethod(
            this,
            [this, token, ok, message, removed, scheduled, ask] {
                if (scheduled && m_reports)
                    m_reports->scheduledRunning = false;
                if (ask) {
                    Q_EMIT retentionAwaitingConfirmation(ask->first, ask->second);
                    return;
                }
                if (!scheduled || removed || !ok)
                    Q_EMIT retentionApplied(token, ok, message);
                if (removed)
                    Q_EMIT storeChanged();
            },
            Qt::QueuedConnection);
    };
    StoreWriter* writer = reviewWriter();
    if (!writer) {
        finish(false, QStringLiteral("No database is open."), false, std::nullopt);
        return;
    }
    struct Outcome
    {
        std::optional<PurgeResult> purged;
        std::optional<PurgeResult> waiting; // a first purge that needs the user's yes
    };
    auto outcome = std::make_shared<Outcome>();
    const std::string actor = str(actorName());
    const bool queued = writer->post(
        [outcome, actor, scheduled](Database& db) -> Result<void> {
            const std::int64_t now = nowEpochMs();
            if (scheduled) {
                auto first = lastPurgeMs(db);
                if (!first)
                    return std::unexpected(first.error());
                if (!*first) {
                    auto preview = previewPurge(db, now);
                    if (!preview)
                        return std::unexpected(preview.error());
                    if (purgeItems(*preview) > 0) {
                        outcome->waiting = std::move(*preview);
                        return {};
                    }
                }
            }
            auto r = purgeExpired(db, now, actor);
            if (!r)
                return std::unexpected(r.error());
            outcome->purged = std::move(*r);
            return {};
        },
        [finish, outcome](const Result<void>& r) {
            if (!r) {
                finish(false, qstr(r.error().message), false, std::nullopt);
            } else if (outcome->waiting) {
                finish(true, {}, false,
                       std::pair<qint64, QString>(purgeItems(*outcome->waiting),
                                                  previewSummary(*outcome->waiting)));
            } else if (outcome->purged) {
                finish(true, purgeSummary(*outcome->purged), outcome->purged->receiptId != 0,
                       std::nullopt);
            } else {
                finish(false, QStringLiteral("retention did not run"), false, std::nullopt);
            }
        });
    if (!queued)
        finish(false, QStringLiteral("The database writer has stopped."), false, std::nullopt);
}

quint64 EngineBridge::previewRetention()
{
    if (!m_reports)
        m_reports = std::make_shared<ReportState>();
    const quint64 token = m_reports->nextToken++;
    auto finish = [this, token](bool ok, qint64 items, const QString& summary) {
        QMetaObject::invokeMethod(
            this,
            [this, token, ok, items, summary] { Q_EMIT retentionPreviewed(token, ok, items, summary); },
            Qt::QueuedConnection);
    };
    StoreWriter* writer = reviewWriter();
    if (!writer) {
        finish(false, 0, QStringLiteral("No database is open."));
        return token;
    }
    auto result = std::make_shared<std::optional<PurgeResult>>();
    const bool queued = writer->post(
        [result](Database& db) -> Result<void> {
            auto r = previewPurge(db, nowEpochMs());
            if (!r)
                return std::unexpected(r.error());
            *result = std::move(*r);
            return {};
        },
        [finish, result](const Result<void>& r) {
            if (!r || !*result)
                finish(false, 0, qstr(r ? std::string("the preview did not run") : r.error().message));
            else
                finish(true, purgeItems(**result), previewSummary(**result));
        });
    if (!queued)
        finish(false, 0, QStringLiteral("The database writer has stopped."));
    return token;
}

bool EngineBridge::autoRetention() const
{
    return m_reports && m_reports->autoRetention;
}

void EngineBridge::setAutoRetention(bool enabled)
{
    if (!m_reports)
        m_reports = std::make_shared<ReportState>();
    StoreWriter* writer = reviewWriter();
    if (!writer)
        return;
    writer->post([enabled](Database& db) { return vigil::setAutoRetention(db, enabled); },
                 [this, enabled](const Result<void>& r) {
                     QMetaObject::invokeMethod(
                         this,
                         [this, enabled, ok = r.has_value(),
                          message = r ? QString() : qstr(r.error().message)] {
                             if (!ok) {
                                 Q_EMIT errorOccurred(message);
                                 return;
                             }
                             if (m_reports)
                                 m_reports->autoRetention = enabled;
                             Q_EMIT autoRetentionChanged(enabled);
                         },
                         Qt::QueuedConnection);
                 });
}

void EngineBridge::loadRetentionState(bool createdNow)
{
    if (!m_reports)
        m_reports = std::make_shared<ReportState>();
    m_reports->autoRetention = false;
    StoreWriter* writer = reviewWriter();
    if (!writer)
        return;
    // A database this app created keeps itself within its periods; one opened from elsewhere
    // (an archive, a copy) is never purged until the user turns retention on for it.
    writer->post(
        [createdNow](Database& db) -> Result<void> {
            if (createdNow)
                return vigil::setAutoRetention(db, true);
            return {};
        },
        [this](const Result<void>&) {});
    auto on = std::make_shared<bool>(false);
    writer->post(
        [on](Database& db) -> Result<void> {
            auto r = autoRetentionEnabled(db);
            if (!r)
                return std::unexpected(r.error());
            *on = *r;
            return {};
        },
        [this, on](const Result<void>&) {
            QMetaObject::invokeMethod(
                this,
                [this, enabled = *on] {
                    if (m_reports)
                        m_reports->autoRetention = enabled;
                    Q_EMIT autoRetentionChanged(enabled);
                },
                Qt::QueuedConnection);
        });
}

void EngineBridge::setRetentionSchedule(int intervalMs)
{
    if (!m_reports)
        m_reports = std::make_shared<ReportState>();
    if (!m_reports->schedule) {
        m_reports->schedule = new QTimer(this);
        connect(m_reports->schedule, &QTimer::timeout, this, [this] { runScheduledRetention(); });
    }
    if (intervalMs <= 0) {
        m_reports->schedule->stop();
        return;
    }
    m_reports->schedule->start(intervalMs);
    QTimer::singleShot(std::min(intervalMs, 60'000), this, [this] {
        if (m_reports && m_reports->schedule->isActive())
            runScheduledRetention();
    });
}

void EngineBridge::runScheduledRetention()
{
    if (!isOpen() || !m_reports || !m_reports->autoRetention || m_reports->scheduledRunning)
        return;
    m_reports->scheduledRunning = true;
    runRetention(m_reports->nextToken++, true);
}

} // namespace vigil::ui
