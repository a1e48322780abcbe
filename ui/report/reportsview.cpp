// SPDX-License-Identifier: Apache-2.0
#include "report/reportsview.h"

#include "bridge/enginebridge.h"
#include "mainwindow.h"
#include "report/reportviews.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDateTimeEdit>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QMessageBox>
#include <QPalette>
#include <QPushButton>
#include <QSplitter>
#include <QTextBrowser>
#include <QVBoxLayout>

#include <utility>

namespace vigil::ui {

namespace {

constexpr int kRetentionIntervalMs = 60 * 60 * 1000;

} // namespace

ReportsView::ReportsView(EngineBridge& bridge, QWidget* parent)
    : QWidget(parent), m_bridge(bridge), m_kind(new QComboBox), m_format(new QComboBox),
      m_allTime(new QCheckBox(tr("All stored events"))), m_from(new QDateTimeEdit),
      m_to(new QDateTimeEdit), m_redact(new QCheckBox(tr("Redact PII and secrets"))),
      m_verify(new QCheckBox(tr("Verify the tamper-evident chain"))),
      m_generate(new QPushButton(tr("&Preview"))), m_save(new QPushButton(tr("&Save…"))),
      m_status(new QLabel), m_chain(new QLabel), m_preview(new QTextBrowser),
      m_subject(new QComboBox), m_subjectId(new QLineEdit), m_erase(new QPushButton(tr("&Erase…"))),
      m_retention(new QPushButton(tr("Apply &retention now…"))),
      m_autoRetention(new QCheckBox(tr("Apply retention to this database every hour"))),
      m_retentionNotice(new QLabel)
{
    m_autoRetention->setObjectName(QStringLiteral("autoRetention"));
    m_retentionNotice->setObjectName(QStringLiteral("retentionNotice"));
    m_retentionNotice->setWordWrap(true);
    m_retentionNotice->hide();
    setObjectName(QStringLiteral("reportsView"));
    m_kind->setObjectName(QStringLiteral("reportKind"));
    m_format->setObjectName(QStringLiteral("reportFormat"));
    m_preview->setObjectName(QStringLiteral("reportPreview"));
    m_subjectId->setObjectName(QStringLiteral("searchBox")); // Ctrl+F lands on the id field

    m_kind->addItem(tr("SOC 2 controls"), QStringLiteral("soc2"));
    m_kind->addItem(tr("GDPR"), QStringLiteral("gdpr"));
    m_kind->addItem(tr("Production checklist"), QStringLiteral("production"));
    m_kind->addItem(tr("Incidents"), QStringLiteral("incidents"));
    m_kind->addItem(tr("Full (with checklists, verdicts, threat matrices and IAM map)"),
                    QStringLiteral("full"));
    m_format->addItem(tr("PDF"), QStringLiteral("pdf"));
    m_format->addItem(tr("HTML"), QStringLiteral("html"));
    m_format->addItem(tr("CSV"), QStringLiteral("csv"));
    m_format->addItem(tr("JSON"), QStringLiteral("json"));
    m_format->addItem(tr("Findings as OCSF (JSON)"), QStringLiteral("ocsf"));
    m_format->addItem(tr("Findings as SARIF 2.1.0"), QStringLiteral("sarif"));

    const QDateTime now = QDateTime::currentDateTimeUtc();
    for (QDateTimeEdit* e : {m_from, m_to}) {
        e->setTimeSpec(Qt::UTC);
        e->setDisplayFormat(QStringLiteral("yyyy-MM-dd HH:mm:ss 'UTC'"));
        e->setCalendarPopup(true);
        e->setEnabled(false);
    }
    m_from->setDateTime(now.addDays(-30));
    m_to->setDateTime(now);
    m_allTime->setChecked(true);
    m_redact->setChecked(true);
    m_verify->setChecked(true);
    m_redact->setToolTip(tr("Unredacted reports may contain personal data and secrets as they "
                            "were logged; the report says so and the file is private to you."));
    m_save->setEnabled(false);
    m_status->setWordWrap(true);
    m_chain->setWordWrap(true);
    m_chain->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_preview->setOpenLinks(false);
    // The preview is the document as it will print: dark text on white paper in either
    // theme (the report's HTML sets only some of its colours).
    QPalette paper = m_preview->palette();
    for (auto group : {QPalette::Active, QPalette::Inactive, QPalette::Disabled}) {
        paper.setColor(group, QPalette::Base, Qt::white);
        paper.setColor(group, QPalette::Text, QColor(0x1f, 0x23, 0x28));
        paper.setColor(group, QPalette::PlaceholderText, QColor(0x6a, 0x73, 0x7d));
    }
    m_preview->setPalette(paper);
    m_preview->setPlaceholderText(tr("Choose what to report on and press Preview."));

    auto* window = new QWidget;
    auto* windowRow = new QHBoxLayout(window);
    windowRow->setContentsMargins(0, 0, 0, 0);
    windowRow->addWidget(m_allTime);
    windowRow->addWidget(new QLabel(tr("from")));
    windowRow->addWidget(m_from);
    windowRow->addWidget(new QLabel(tr("to")));
    windowRow->addWidget(m_to);
    windowRow->addStretch();

    auto* reportBox = new QGroupBox(tr("Report"));
    auto* form = new QFormLayout(reportBox);
    form->addRow(tr("&Kind:"), m_kind);
    form->addRow(tr("&Window:"), window);
    form->addRow(tr("&Format:"), m_format);
    form->addRow(QString(), m_redact);
    form->addRow(QString(), m_verify);
    auto* buttons = new QHBoxLayout;
    buttons->addWidget(m_generate);
    buttons->addWidget(m_save);
    buttons->addStretch();
    form->addRow(buttons);
    form->addRow(m_chain);
    form->addRow(m_status);

    m_subject->addItem(tr("Thread"), QStringLiteral("thread"));
    m_subject->addItem(tr("User"), QStringLiteral("user"));
    m_subjectId->setPlaceholderText(tr("thread or user id, exactly as logged"));
    auto* protectBox = new QGroupBox(tr("Data protection"));
    auto* protect = new QFormLayout(protectBox);
    auto* eraseRow = new QHBoxLayout;
    eraseRow->addWidget(m_subject);
    eraseRow->addWidget(m_subjectId, 1);
    eraseRow->addWidget(m_erase);
    protect->addRow(tr("GDPR erasure:"), eraseRow);
    protect->addRow(tr("Retention:"), m_retention);
    protect->addRow(QString(), m_autoRetention);
    protect->addRow(m_retentionNotice);
    auto* note = new QLabel(tr("Hourly retention is on for databases Vigil created and off for "
                               "any other until you turn it on; before the first purge of a "
                               "database Vigil says how much it would remove and asks. Erased "
                               "events keep only a tombstone with their chain hash and leave a "
                               "receipt without their content."));
    note->setWordWrap(true);
    protect->addRow(note);

    auto* left = new QWidget;
    auto* leftLayout = new QVBoxLayout(left);
    leftLayout->addWidget(reportBox);
    leftLayout->addWidget(protectBox);
    leftLayout->addStretch();
    auto* split = new QSplitter(Qt::Horizontal);
    split->addWidget(left);
    split->addWidget(m_preview);
    split->setStretchFactor(1, 2);
    auto* layout = new QVBoxLayout(this);
    layout->addWidget(split);

    connect(m_allTime, &QCheckBox::toggled, this, [this](bool all) {
        m_from->setEnabled(!all);
        m_to->setEnabled(!all);
        markDirty();
    });
    connect(m_kind, &QComboBox::currentIndexChanged, this, &ReportsView::markDirty);
    connect(m_format, &QComboBox::currentIndexChanged, this, &ReportsView::markDirty);
    connect(m_redact, &QCheckBox::toggled, this, &ReportsView::markDirty);
    connect(m_verify, &QCheckBox::toggled, this, &ReportsView::markDirty);
    connect(m_from, &QDateTimeEdit::dateTimeChanged, this, &ReportsView::markDirty);
    connect(m_to, &QDateTimeEdit::dateTimeChanged, this, &ReportsView::markDirty);
    connect(m_generate, &QPushButton::clicked, this, &ReportsView::generate);
    connect(m_save, &QPushButton::clicked, this, &ReportsView::save);
    connect(m_erase, &QPushButton::clicked, this, &ReportsView::eraseSubject);
    connect(m_subjectId, &QLineEdit::returnPressed, this, &ReportsView::eraseSubject);
    connect(m_retention, &QPushButton::clicked, this, &ReportsView::applyRetention);
    connect(m_autoRetention, &QCheckBox::clicked, this, &ReportsView::onAutoRetentionToggled);
    connect(&m_bridge, &EngineBridge::retentionPreviewed, this, &ReportsView::onRetentionPreviewed);
    connect(&m_bridge, &EngineBridge::autoRetentionChanged, this, [this](bool enabled) {
        const QSignalBlocker block(m_autoRetention);
        m_autoRetention->setChecked(enabled);
    });
    connect(&m_bridge, &EngineBridge::retentionAwaitingConfirmation, this,
            [this](qint64, const QString& summary) {
                m_retentionNotice->setText(
                    tr("Retention has not removed anything from this database yet. %1 Choose "
                       "\"Apply retention now\" to review and confirm, or turn hourly "
                       "retention off.")
                        .arg(summary));
                m_retentionNotice->show();
            });
    connect(&m_bridge, &EngineBridge::reportReady, this, &ReportsView::onReportReady);
    connect(&m_bridge, &EngineBridge::reportSaved, this, &ReportsView::onSaved);
    connect(&m_bridge, &EngineBridge::erasureFinished, this, &ReportsView::onMaintenance);
    connect(&m_bridge, &EngineBridge::retentionApplied, this, &ReportsView::onMaintenance);
    connect(&m_bridge, &EngineBridge::databaseOpened, this, [this] {
        markDirty();
        m_result = ReportResult{};
        m_preview->clear();
        m_chain->clear();
    });
}

void ReportsView::layerNamesChanged()
{
    markDirty(); // the preview names layers as it was generated
}

void ReportsView::focusSearch()
{
    m_subjectId->setFocus(Qt::ShortcutFocusReason);
    m_subjectId->selectAll();
}

void ReportsView::exportData(QWidget*)
{
    save();
}

ReportRequestData ReportsView::request() const
{
    ReportRequestData r;
    r.kind = m_kind->currentData().toString();
    r.format = m_format->currentData().toString();
    if (!m_allTime->isChecked()) {
        r.fromMs = m_from->dateTime().toMSecsSinceEpoch();
        r.toMs = m_to->dateTime().toMSecsSinceEpoch();
    }
    r.redact = m_redact->isChecked();
    r.verifyChain = m_verify->isChecked();
    r.layerNaming = layerNaming();
    return r;
}

void ReportsView::setDialogHooks(std::function<QString(const QString&)> chooseFile,
                                 std::function<bool(const QString&)> confirm)
{
    m_chooseFileHook = std::move(chooseFile);
    m_confirmHook = std::move(confirm);
}

void ReportsView::markDirty()
{
    m_dirty = true;
}

void ReportsView::setBusy(bool busy, const QString& text)
{
    m_generate->setEnabled(!busy);
    m_save->setEnabled(!busy && (m_result.ok || !m_dirty));
    m_status->setText(text);
}

void ReportsView::generate()
{
    const ReportRequestData r = request();
    if (r.fromMs && r.toMs && *r.fromMs > *r.toMs) {
        m_status->setText(tr("The window starts after it ends."));
        m_saveAfterBuild = false;
        return;
    }
    m_pendingReport = m_bridge.generateReport(r);
    if (m_pendingReport == 0) {
        m_status->setText(tr("Open a database first."));
        m_saveAfterBuild = false;
        return;
    }
    m_dirty = false;
    setBusy(true, tr("Building the report…"));
}

void ReportsView::onReportReady(quint64 token, const ReportResult& result)
{
    if (token != m_pendingReport)
        return; // superseded
    m_pendingReport = 0;
    if (!result.ok) {
        m_saveAfterBuild = false;
        setBusy(false, tr("The report could not be built: %1").arg(result.message));
        return;
    }
    m_result = result;
    m_preview->setHtml(result.previewHtml);
    m_chain->setText(tr("Window: %1\nChain head: %2\nChain: %3")
                         .arg(result.window,
                              result.chainHead.isEmpty() ? tr("(no events)") : result.chainHead,
                              result.chainStatus));
    setBusy(false, result.request.redact
                       ? tr("Report ready (%1 bytes).").arg(result.bytes.size())
                       : tr("Report ready (%1 bytes), UNREDACTED: it may contain personal data.")
                             .arg(result.bytes.size()));
    Q_EMIT previewUpdated();
    if (m_saveAfterBuild) {
        m_saveAfterBuild = false;
        saveResult();
    }
}

void ReportsView::save()
{
    if (m_dirty || !m_result.ok) {
        m_saveAfterBuild = true;
        generate();
        return;
    }
    saveResult();
}

QString ReportsView::chooseFile(const QString& suggested)
{
    if (m_chooseFileHook)
        return m_chooseFileHook(suggested);
    return QFileDialog::getSaveFileName(this, tr("Save report"), suggested, QString(), nullptr,
                                        QFileDialog::DontConfirmOverwrite);
}

bool ReportsView::confirm(const QString& question)
{
    if (m_confirmHook)
        return m_confirmHook(question);
    return QMessageBox::question(this, tr("Vigil"), question, QMessageBox::Yes | QMessageBox::No,
                                 QMessageBox::No) == QMessageBox::Yes;
}

void ReportsView::saveResult()
{
    const QString folder = m_lastFolder.isEmpty() ? QDir::homePath() : m_lastFolder;
    const QString path = chooseFile(QDir(folder).filePath(m_result.suggestedName));
    if (path.isEmpty())
        return;
    const QFileInfo info(path);
    if (info.isDir()) {
        m_status->setText(tr("%1 is a folder.").arg(path));
        return;
    }
    bool replace = false;
    if (info.exists() || info.isSymLink()) {
        if (!confirm(tr("%1 already exists. Replace it?").arg(info.fileName())))
            return;
        replace = true;
    }
    m_lastFolder = info.absolutePath();
    m_pendingSave = m_bridge.saveReport(path, m_result.bytes, replace, !m_result.request.redact);
    setBusy(true, tr("Saving…"));
}

void ReportsView::onSaved(quint64 token, bool ok, const QString& message)
{
    if (token != m_pendingSave)
        return;
    m_pendingSave = 0;
    setBusy(false, message);
    Q_EMIT saved(ok, message);
}

void ReportsView::eraseSubject()
{
    const QString id = m_subjectId->text();
    if (id.isEmpty()) {
        m_status->setText(tr("Type the thread or user id to erase."));
        return;
    }
    const QString subject = m_subject->currentData().toString();
    const QString question =
        subject == QLatin1String("user")
            ? tr("Erase every stored event of user \"%1\"? Their content is removed for good; a "
                 "receipt records the erasure without it.")
                  .arg(id)
            : tr("Erase every stored event of thread \"%1\"? Their content is removed for good; a "
                 "receipt records the erasure without it.")
                  .arg(id);
    if (!confirm(question))
        return;
    m_pendingMaintenance = m_bridge.eraseSubject(subject, id);
    m_erase->setEnabled(false);
    m_status->setText(tr("Erasing…"));
}

void ReportsView::applyRetention()
{
    m_previewFor = PreviewFor::Apply;
    m_pendingPreview = m_bridge.previewRetention();
    m_retention->setEnabled(false);
    m_status->setText(tr("Counting what retention would remove…"));
}

void ReportsView::onAutoRetentionToggled(bool enabled)
{
    if (!enabled) {
        m_bridge.setAutoRetention(false);
        m_retentionNotice->hide();
        return;
    }
    // Ask with the count first; the box stays off until the answer is yes.
    const QSignalBlocker block(m_autoRetention);
    m_autoRetention->setChecked(false);
    m_previewFor = PreviewFor::Enable;
    m_pendingPreview = m_bridge.previewRetention();
    m_status->setText(tr("Counting what retention would remove…"));
}

void ReportsView::onRetentionPreviewed(quint64 token, bool ok, qint64 items, const QString& summary)
{
    if (token != m_pendingPreview)
        return;
    m_pendingPreview = 0;
    const PreviewFor purpose = std::exchange(m_previewFor, PreviewFor::None);
    m_retention->setEnabled(true);
    if (!ok) {
        m_status->setText(summary);
        return;
    }
    if (purpose == PreviewFor::Enable) {
        const QString question =
            items == 0 ? tr("Apply the retention periods to this database every hour? Nothing "
                            "is older than its period now.")
                       : tr("Apply the retention periods to this database every hour? %1 The "
                            "first run removes them.")
                             .arg(summary);
        if (confirm(question)) {
            m_bridge.setAutoRetention(true);
            m_status->setText(tr("Hourly retention is on for this database."));
        } else {
            m_status->setText(tr("Hourly retention stays off."));
        }
        return;
    }
    if (items == 0) {
        m_status->setText(summary);
        return;
    }
    if (!confirm(summary + QLatin1Char(' ') + tr("Remove them now? This cannot be undone; a receipt is kept."))) {
        m_status->setText(tr("Retention not applied."));
        return;
    }
    m_pendingMaintenance = m_bridge.applyRetention();
    m_retention->setEnabled(false);
    m_retentionNotice->hide();
    m_status->setText(tr("Applying retention…"));
}

void ReportsView::onMaintenance(quint64 token, bool ok, const QString& message)
{
    if (token != m_pendingMaintenance)
        return; // e.g. the hourly schedule
    m_pendingMaintenance = 0;
    m_erase->setEnabled(true);
    m_retention->setEnabled(true);
    if (ok)
        m_subjectId->clear();
    m_status->setText(message);
    markDirty();
    Q_EMIT maintenanceFinished(ok, message);
}

void registerReportViews(MainWindow& window, EngineBridge& bridge)
{
    window.addView(QStringLiteral("reports"), QObject::tr("Reports"), new ReportsView(bridge));
    bridge.setRetentionSchedule(kRetentionIntervalMs);
}

} // namespace vigil::ui
