// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "bridge/reporttypes.h"
#include "viewpage.h"

#include <QWidget>

#include <functional>

class QCheckBox;
class QComboBox;
class QDateTimeEdit;
class QLabel;
class QLineEdit;
class QPushButton;
class QTextBrowser;

namespace vigil::ui {

class EngineBridge;

/// The Reports view: choose a kind, a time window, a format and redaction, preview the
/// report (built off the UI thread by the bridge) and save it. Saving asks for a file,
/// asks again before replacing an existing one, and writes only that file. The Data
/// protection box erases a thread or user (after a confirmation) and applies retention.
class ReportsView : public QWidget, public ViewPage
{
    Q_OBJECT

public:
    explicit ReportsView(EngineBridge& bridge, QWidget* parent = nullptr);

    void focusSearch() override;
    void layerNamesChanged() override;
    bool canExport() const override { return m_result.ok; }
    void exportData(QWidget* dialogParent) override;

    /// The request the form describes now.
    ReportRequestData request() const;
    /// The last report built (ok == false before the first).
    const ReportResult& result() const { return m_result; }

    /// Test hooks: replace the file and question dialogs. `chooseFile` gets a suggested
    /// path and returns the chosen one (empty: cancelled); `confirm` gets a question and
    /// returns the answer.
    void setDialogHooks(std::function<QString(const QString&)> chooseFile,
                        std::function<bool(const QString&)> confirm);

public Q_SLOTS:
    /// Builds the report of the form's settings (the preview).
    void generate();
    /// Saves the report; builds it first when the form changed since the preview.
    void save();
    void eraseSubject();
    /// Counts what retention would remove, asks, and only then applies it.
    void applyRetention();

Q_SIGNALS:
    /// The preview shows a new report (tests wait on it).
    void previewUpdated();
    /// A save finished.
    void saved(bool ok, const QString& message);
    /// An erasure or retention run finished.
    void maintenanceFinished(bool ok, const QString& message);

private:
    void onReportReady(quint64 token, const ReportResult& result);
    void onSaved(quint64 token, bool ok, const QString& message);
    void onMaintenance(quint64 token, bool ok, const QString& message);
    void onRetentionPreviewed(quint64 token, bool ok, qint64 items, const QString& summary);
    void onAutoRetentionToggled(bool enabled);
    void markDirty();
    void setBusy(bool busy, const QString& text);
    void saveResult();
    QString chooseFile(const QString& suggested);
    bool confirm(const QString& question);

    EngineBridge& m_bridge;
    QComboBox* m_kind;
    QComboBox* m_format;
    QCheckBox* m_allTime;
    QDateTimeEdit* m_from;
    QDateTimeEdit* m_to;
    QCheckBox* m_redact;
    QCheckBox* m_verify;
    QPushButton* m_generate;
    QPushButton* m_save;
    QLabel* m_status;
    QLabel* m_chain;
    QTextBrowser* m_preview;
    QComboBox* m_subject;
    QLineEdit* m_subjectId;
    QPushButton* m_erase;
    QPushButton* m_retention;
    QCheckBox* m_autoRetention;
    QLabel* m_retentionNotice;
    enum class PreviewFor { None, Apply, Enable };
    PreviewFor m_previewFor = PreviewFor::None;
    quint64 m_pendingPreview = 0;

    ReportResult m_result;
    quint64 m_pendingReport = 0;
    quint64 m_pendingSave = 0;
    quint64 m_pendingMaintenance = 0;
    bool m_dirty = true;
    bool m_saveAfterBuild = false;
    QString m_lastFolder;
    std::function<QString(const QString&)> m_chooseFileHook;
    std::function<bool(const QString&)> m_confirmHook;
};

} // namespace vigil::ui
