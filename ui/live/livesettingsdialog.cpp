// SPDX-License-Identifier: Apache-2.0
#include "live/livesettingsdialog.h"

#include "bridge/enginebridge.h"

#include <QCheckBox>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QVBoxLayout>

namespace vigil::ui {

LiveSettingsDialog::LiveSettingsDialog(EngineBridge& bridge, QWidget* parent) : QDialog(parent), m_bridge(bridge)
{
    setWindowTitle(tr("Live Feed Settings"));
    setObjectName(QStringLiteral("liveSettingsDialog"));
    const EngineBridge::LiveSettings current = bridge.liveSettings();
    auto* layout = new QVBoxLayout(this);
    auto* intro = new QLabel(tr("Where Vigil receives events while it runs. Apply restarts the listeners; "
                                "followed files keep being followed. Port 0 picks a free port. "
                                "These settings last until Vigil quits (--listen, --http and --no-listen "
                                "choose them at start)."),
                             this);
    intro->setWordWrap(true);
    layout->addWidget(intro);

    auto* form = new QFormLayout;
    m_tcp = new QCheckBox(tr("&TCP feed (newline-delimited JSON)"), this);
    m_tcp->setObjectName(QStringLiteral("liveTcpEnabled"));
    m_tcp->setChecked(!bridge.liveAddress().isEmpty());
    m_tcpAddress = new QLineEdit(bridge.liveAddress().isEmpty() ? current.listen : bridge.liveAddress(), this);
    m_tcpAddress->setObjectName(QStringLiteral("liveTcpAddress"));
    m_tcpAddress->setPlaceholderText(QStringLiteral("127.0.0.1:7514"));
    m_tcpAddress->setToolTip(tr("HOST:PORT, e.g. 127.0.0.1:7514 or [::1]:7514"));
    form->addRow(m_tcp, m_tcpAddress);
    m_http = new QCheckBox(tr("&HTTP receiver (OTLP, NDJSON)"), this);
    m_http->setObjectName(QStringLiteral("liveHttpEnabled"));
    m_http->setChecked(!bridge.httpAddress().isEmpty());
    m_httpAddress = new QLineEdit(!bridge.httpAddress().isEmpty() ? bridge.httpAddress()
                                  : current.http.isEmpty()        ? QStringLiteral("127.0.0.1:4318")
                                                                  : current.http,
                                  this);
    m_httpAddress->setObjectName(QStringLiteral("liveHttpAddress"));
    m_httpAddress->setToolTip(tr("HOST:PORT of the OTLP/HTTP and NDJSON receiver, e.g. 127.0.0.1:4318"));
    form->addRow(m_http, m_httpAddress);
    layout->addLayout(form);

    m_status = new QLabel(this);
    m_status->setObjectName(QStringLiteral("liveSettingsStatus"));
    m_status->setProperty("role", QStringLiteral("muted"));
    m_status->setWordWrap(true);
    layout->addWidget(m_status);
    m_error = new QLabel(this);
    m_error->setObjectName(QStringLiteral("liveSettingsError"));
    m_error->setWordWrap(true);
    m_error->setProperty("role", QStringLiteral("error")); // the theme's error colour
    m_error->hide();
    layout->addWidget(m_error);

    m_buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Apply | QDialogButtonBox::Close, this);
    layout->addWidget(m_buttons);
    connect(m_buttons->button(QDialogButtonBox::Apply), &QPushButton::clicked, this, [this] { apply(); });
    connect(m_buttons->button(QDialogButtonBox::Ok), &QPushButton::clicked, this, [this] {
        if (apply())
            accept();
    });
    connect(m_buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    auto enable = [this] {
        m_tcpAddress->setEnabled(m_tcp->isChecked());
        m_httpAddress->setEnabled(m_http->isChecked());
    };
    connect(m_tcp, &QCheckBox::toggled, this, enable);
    connect(m_http, &QCheckBox::toggled, this, enable);
    enable();
    showState();
}

bool LiveSettingsDialog::apply()
{
    EngineBridge::LiveSettings s = m_bridge.liveSettings();
    s.tcp = m_tcp->isChecked();
    if (s.tcp)
        s.listen = m_tcpAddress->text().trimmed();
    s.http = m_http->isChecked() ? m_httpAddress->text().trimmed() : QString();
    QString error;
    const bool ok = m_bridge.applyLiveSettings(s, &error);
    m_error->setVisible(!ok);
    m_error->setText(ok ? QString() : tr("Not applied: %1. The listeners before the change keep running.").arg(error));
    showState();
    return ok;
}

void LiveSettingsDialog::showState()
{
    const QString tcp = m_bridge.liveAddress();
    const QString http = m_bridge.httpAddress();
    m_status->setText(tr("Now: TCP feed %1 · HTTP receiver %2")
                          .arg(tcp.isEmpty() ? tr("off") : tr("on %1").arg(tcp),
                               http.isEmpty() ? tr("off") : tr("on %1").arg(http)));
}

} // namespace vigil::ui
