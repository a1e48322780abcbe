// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "bridge/bridgetypes.h"

#include <QElapsedTimer>
#include <QObject>

class QSystemTrayIcon;
class QTimer;

namespace vigil::ui {

class EngineBridge;

/// Tray notifications for new critical incidents, at most one per kMinIntervalMs: incidents
/// arriving in between are summarized in the next one. Off with setEnabled(false). Without
/// a system tray (or offscreen) the notifications are still counted and signalled.
class Notifier : public QObject
{
    Q_OBJECT

public:
    static constexpr int kMinIntervalMs = 10000;

    explicit Notifier(EngineBridge& bridge, QObject* parent = nullptr);

    void setEnabled(bool enabled);
    bool isEnabled() const { return m_enabled; }
    int shownCount() const { return m_shown; }

Q_SIGNALS:
    /// A notification was shown (or would have been, without a tray).
    void notified(const QString& title, const QString& message);
    /// The user clicked the latest notification.
    void activated(qint64 incidentId);

private:
    void onCritical(const QVector<IncidentSummary>& incidents);
    void flush();

    bool m_enabled = true;
    int m_shown = 0;
    qint64 m_lastIncident = 0;
    QVector<IncidentSummary> m_queued;
    QElapsedTimer m_sinceLast;
    QTimer* m_timer;
    QSystemTrayIcon* m_tray = nullptr;
};

} // namespace vigil::ui
