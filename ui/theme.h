// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QColor>
#include <QObject>
#include <QString>

namespace vigil::ui {

/// Light and dark palettes on the Fusion style, and the colors the views share (severity,
/// finding categories). Qt 6.4 has no color-scheme hint, so "system" is read from the
/// desktop palette the application started with.
class Theme : public QObject
{
    Q_OBJECT

public:
    enum class Mode { System, Light, Dark };

    static Theme& instance();

    /// Applies `mode` to the application (palette, style sheet) and emits changed().
    void apply(Mode mode);
    Mode mode() const { return m_mode; }
    bool isDark() const { return m_dark; }
    /// Whether the desktop's palette was dark when the application started.
    bool systemPrefersDark() const { return m_systemDark; }

    static QString modeName(Mode mode);
    static Mode modeFromName(const QString& name);

    /// Color of an event severity (0 info .. 3 critical) for the current theme.
    QColor eventSeverityColor(int severity) const;
    /// Color of a finding severity (0 low .. 3 critical) for the current theme.
    QColor findingSeverityColor(int severity) const;
    /// Color of a finding category badge.
    QColor categoryColor(int bit) const;
    /// Short badge text of a category (INJ, PII, SEC, ...).
    static QString categoryBadge(int bit);
    /// Background tint of a highlighted finding span in the JSON pane.
    QColor highlightColor(int findingSeverity) const;

Q_SIGNALS:
    void changed(bool dark);

private:
    Theme();
    Mode m_mode = Mode::System;
    bool m_dark = false;
    bool m_systemDark = false;
};

} // namespace vigil::ui
