// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QDialog>

class QCheckBox;
class QDialogButtonBox;
class QLabel;
class QLineEdit;

namespace vigil::ui {

class EngineBridge;

/// File > Live Feed Settings…: starts, stops or moves the TCP feed and the HTTP receiver of
/// the open database while it runs. Apply restarts both listeners (followed files keep
/// being followed); an address that cannot be used is shown in the dialog and the listeners
/// that ran before keep running. The settings last for the session; `--listen`, `--http`
/// and `--no-listen` choose them at start.
class LiveSettingsDialog : public QDialog
{
    Q_OBJECT

public:
    explicit LiveSettingsDialog(EngineBridge& bridge, QWidget* parent = nullptr);

    QCheckBox* tcpCheck() const { return m_tcp; }
    QLineEdit* tcpAddress() const { return m_tcpAddress; }
    QCheckBox* httpCheck() const { return m_http; }
    QLineEdit* httpAddress() const { return m_httpAddress; }
    QLabel* statusLabel() const { return m_status; }

    /// Restarts the listeners with the form's settings; false (and the reason shown) when
    /// one cannot start.
    bool apply();

private:
    void showState();

    EngineBridge& m_bridge;
    QCheckBox* m_tcp;
    QLineEdit* m_tcpAddress;
    QCheckBox* m_http;
    QLineEdit* m_httpAddress;
    QLabel* m_status;
    QLabel* m_error;
    QDialogButtonBox* m_buttons;
};

} // namespace vigil::ui
