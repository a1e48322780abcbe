// SPDX-License-Identifier: Apache-2.0
#include "notifications/notifier.h"

#include "bridge/enginebridge.h"

#include <QIcon>
#include <QSystemTrayIcon>
#include <QTimer>

namespace vigil::ui {

Notifier::Notifier(EngineBridge& bridge, QObject* parent) : QObject(parent)
{
    m_timer = new QTimer(this);
    m_timer->setSingleShot(true);
    connect(m_timer, &QTimer::timeout, this, &Notifier::flush);
    connect(&bridge, &EngineBridge::criticalIncidents, this, &Notifier::onCritical);
    if (QSystemTrayIcon::isSystemTrayAvailable()) {
        m_tray = new QSystemTrayIcon(QIcon(QStringLiteral(":/vigil/icons/vigil.svg")), this);
        m_tray->setToolTip(tr("Vigil"));
        m_tray->show();
        connect(m_tray, &QSystemTrayIcon::messageClicked, this, [this] {
            if (m_lastIncident)
                Q_EMIT activated(m_lastIncident);
        });
    }
}

void Notifier::setEnabled(bool enabled)
{
    m_enabled = enabled;
    if (!enabled) {
        m_queued.clear();
        m_timer->stop();
    }
}

void Notifier::onCritical(const QVector<IncidentSummary>& incidents)
{
    if (!m_enabled || incidents.isEmpty())
        return;
    m_queued += incidents;
    if (m_timer->isActive())
        return;
    const qint64 wait = m_sinceLast.isValid() ? kMinIntervalMs - m_sinceLast.elapsed() : 0;
    if (wait <= 0)
        flush();
    else
        m_timer->start(static_cast<int>(wait));
}

void Notifier::flush()
{
    if (m_queued.isEmpty() || !m_enabled)
        return;
    QString title;
    QString message;
    const IncidentSummary& first = m_queued.front();
    if (m_queued.size() == 1) {
        title = tr("Critical incident #%1").arg(first.id);
        message = first.title;
    } else {
        title = tr("%n new critical incidents", nullptr, static_cast<int>(m_queued.size()));
        message = tr("#%1 %2, and %n more", nullptr, static_cast<int>(m_queued.size() - 1))
                      .arg(first.id)
                      .arg(first.title);
    }
    m_lastIncident = m_queued.back().id;
    m_queued.clear();
    m_sinceLast.start();
    ++m_shown;
    if (m_tray)
        m_tray->showMessage(title, message, QSystemTrayIcon::Critical, 8000);
    Q_EMIT notified(title, message);
}

} // namespace vigil::ui
