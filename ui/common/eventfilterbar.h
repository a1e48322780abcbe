// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "bridge/bridgetypes.h"

#include <QWidget>

class QComboBox;
class QToolButton;
class QLineEdit;
class QTimer;

namespace vigil::ui {

/// Filters of an event list: free text, minimum severity, agent, event type and finding
/// category. Emits queryChanged() once the user pauses typing (text) or at once (pickers).
class EventFilterBar : public QWidget
{
    Q_OBJECT

public:
    explicit EventFilterBar(QWidget* parent = nullptr);

    EventQuery query() const;
    /// Shows `query` in the pickers without emitting queryChanged().
    void setQuery(const EventQuery& query);
    void setVocabulary(const QStringList& agents, const QStringList& eventTypes);
    QLineEdit* searchBox() const { return m_text; }

Q_SIGNALS:
    void queryChanged();

private:
    void setComboText(QComboBox* box, const QString& text);

    QLineEdit* m_text;
    QComboBox* m_severity;
    QComboBox* m_agent;
    QComboBox* m_type;
    QComboBox* m_category;
    void showScope();

    QTimer* m_debounce;
    QToolButton* m_scope;
    EventQuery m_hidden; ///< parts of a programmatic query the pickers do not show (time, thread)
};

} // namespace vigil::ui
