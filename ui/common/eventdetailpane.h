// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "bridge/bridgetypes.h"

#include <QWidget>

class QAction;
class QLabel;
class QPlainTextEdit;
class QPushButton;
class QTreeWidget;

namespace vigil::ui {

class EngineBridge;

/// The selected event's JSON, pretty-printed, with its finding spans highlighted and its
/// findings listed. PII and secrets stay redacted until the user presses Reveal, which the
/// bridge records in the audit trail before it hands over the clear text; showing another
/// event redacts again.
class EventDetailPane : public QWidget
{
    Q_OBJECT

public:
    explicit EventDetailPane(EngineBridge& bridge, QWidget* parent = nullptr);

    void setEvent(qint64 rowId);
    void clear();
    qint64 rowId() const { return m_rowId; }
    bool isRevealed() const { return m_detail.revealed; }
    const EventDetail& detail() const { return m_detail; }
    QString jsonText() const;
    QTreeWidget* findingsList() const { return m_findings; }

public Q_SLOTS:
    /// Asks for the unredacted event; recorded in the audit trail.
    void reveal();
    /// Opens "Mute findings like this…" for the current finding (rule, agent and field).
    void muteCurrentFinding();

Q_SIGNALS:
    void detailShown(qint64 rowId);

private:
    void onDetail(quint64 token, const EventDetail& detail);
    void applyHighlights();

    EngineBridge& m_bridge;
    qint64 m_rowId = 0;
    quint64 m_token = 0;
    EventDetail m_detail;
    QLabel* m_title;
    QLabel* m_redactions;
    QPushButton* m_reveal;
    QPlainTextEdit* m_json;
    QTreeWidget* m_findings;
    QAction* m_muteAction;
};

} // namespace vigil::ui
