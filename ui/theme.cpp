// SPDX-License-Identifier: Apache-2.0
#include "theme.h"

#include "bridge/bridgetypes.h"

#include <QApplication>
#include <QFile>
#include <QPalette>
#include <QStyleFactory>

#include <algorithm>

// Resources of a static library are registered by hand (outside any namespace).
static void initVigilResources()
{
    Q_INIT_RESOURCE(vigil);
}

namespace vigil::ui {
namespace {

QPalette lightPalette()
{
    QPalette p;
    const QColor window(0xf4, 0xf5, 0xf7), base(0xff, 0xff, 0xff), text(0x1d, 0x21, 0x29);
    const QColor accent(0x2f, 0x6f, 0xde);
    p.setColor(QPalette::Window, window);
    p.setColor(QPalette::WindowText, text);
    p.setColor(QPalette::Base, base);
    p.setColor(QPalette::AlternateBase, QColor(0xf0, 0xf2, 0xf5));
    p.setColor(QPalette::ToolTipBase, base);
    p.setColor(QPalette::ToolTipText, text);
    p.setColor(QPalette::PlaceholderText, QColor(0x80, 0x86, 0x90));
    p.setColor(QPalette::Text, text);
    p.setColor(QPalette::Button, QColor(0xfa, 0xfb, 0xfc));
    p.setColor(QPalette::ButtonText, text);
    p.setColor(QPalette::BrightText, Qt::white);
    p.setColor(QPalette::Highlight, accent);
    p.setColor(QPalette::HighlightedText, Qt::white);
    p.setColor(QPalette::Link, accent);
    p.setColor(QPalette::Mid, QColor(0xc8, 0xcc, 0xd2));
    p.setColor(QPalette::Dark, QColor(0xa0, 0xa6, 0xae));
    p.setColor(QPalette::Disabled, QPalette::Text, QColor(0xa0, 0xa4, 0xaa));
    p.setColor(QPalette::Disabled, QPalette::WindowText, QColor(0xa0, 0xa4, 0xaa));
    p.setColor(QPalette::Disabled, QPalette::ButtonText, QColor(0xa0, 0xa4, 0xaa));
    return p;
}

QPalette darkPalette()
{
    QPalette p;
    const QColor window(0x1f, 0x22, 0x28), base(0x17, 0x19, 0x1e), text(0xe3, 0xe6, 0xeb);
    const QColor accent(0x4c, 0x8d, 0xf6);
    p.setColor(QPalette::Window, window);
    p.setColor(QPalette::WindowText, text);
    p.setColor(QPalette::Base, base);
    p.setColor(QPalette::AlternateBase, QColor(0x22, 0x25, 0x2c));
    p.setColor(QPalette::ToolTipBase, QColor(0x2a, 0x2e, 0x36));
    p.setColor(QPalette::ToolTipText, text);
    p.setColor(QPalette::PlaceholderText, QColor(0x8a, 0x90, 0x9a));
    p.setColor(QPalette::Text, text);
    p.setColor(QPalette::Button, QColor(0x2a, 0x2e, 0x36));
    p.setColor(QPalette::ButtonText, text);
    p.setColor(QPalette::BrightText, Qt::white);
    p.setColor(QPalette::Highlight, accent);
    p.setColor(QPalette::HighlightedText, Qt::white);
    p.setColor(QPalette::Link, QColor(0x7c, 0xb0, 0xff));
    p.setColor(QPalette::Light, QColor(0x3a, 0x3f, 0x48));
    p.setColor(QPalette::Midlight, QColor(0x33, 0x37, 0x40));
    p.setColor(QPalette::Mid, QColor(0x2c, 0x30, 0x38));
    p.setColor(QPalette::Dark, QColor(0x12, 0x14, 0x18));
    p.setColor(QPalette::Shadow, QColor(0x08, 0x09, 0x0b));
    p.setColor(QPalette::Disabled, QPalette::Text, QColor(0x6a, 0x70, 0x7a));
    p.setColor(QPalette::Disabled, QPalette::WindowText, QColor(0x6a, 0x70, 0x7a));
    p.setColor(QPalette::Disabled, QPalette::ButtonText, QColor(0x6a, 0x70, 0x7a));
    return p;
}

QString styleSheet(bool dark)
{
    QFile f(dark ? QStringLiteral(":/vigil/styles/dark.qss") : QStringLiteral(":/vigil/styles/light.qss"));
    QString common;
    QFile c(QStringLiteral(":/vigil/styles/common.qss"));
    if (c.open(QIODevice::ReadOnly))
        common = QString::fromUtf8(c.readAll());
    if (f.open(QIODevice::ReadOnly))
        common += QString::fromUtf8(f.readAll());
    return common;
}

} // namespace

Theme& Theme::instance()
{
    static Theme* theme = new Theme; // lives as long as the application
    return *theme;
}

Theme::Theme()
{
    initVigilResources();
    // Read before Vigil sets a palette: this is the desktop's.
    const QPalette desktop = QGuiApplication::palette();
    m_systemDark = desktop.color(QPalette::Window).lightness() < 128;
    m_dark = m_systemDark;
}

void Theme::apply(Mode mode)
{
    m_mode = mode;
    m_dark = mode == Mode::Dark || (mode == Mode::System && m_systemDark);
    if (auto* app = qobject_cast<QApplication*>(QCoreApplication::instance())) {
        app->setStyle(QStyleFactory::create(QStringLiteral("Fusion")));
        app->setPalette(m_dark ? darkPalette() : lightPalette());
        app->setStyleSheet(styleSheet(m_dark));
    }
    Q_EMIT changed(m_dark);
}

QString Theme::modeName(Mode mode)
{
    switch (mode) {
    case Mode::Light: return QStringLiteral("light");
    case Mode::Dark: return QStringLiteral("dark");
    case Mode::System: break;
    }
    return QStringLiteral("system");
}

Theme::Mode Theme::modeFromName(const QString& name)
{
    if (name == u"light")
        return Mode::Light;
    if (name == u"dark")
        return Mode::Dark;
    return Mode::System;
}

QColor Theme::eventSeverityColor(int s) const
{
    switch (s) {
    case 1: return m_dark ? QColor(0xf0, 0xb4, 0x29) : QColor(0xb7, 0x79, 0x00);
    case 2: return m_dark ? QColor(0xff, 0x8a, 0x4c) : QColor(0xd0, 0x52, 0x0f);
    case 3: return m_dark ? QColor(0xff, 0x5c, 0x6c) : QColor(0xc4, 0x1d, 0x2e);
    default: return m_dark ? QColor(0x8f, 0xa3, 0xbf) : QColor(0x5b, 0x6b, 0x82);
    }
}

QColor Theme::findingSeverityColor(int s) const
{
    switch (s) {
    case 0: return m_dark ? QColor(0x6e, 0xb6, 0xff) : QColor(0x1f, 0x6f, 0xc5);
    case 1: return m_dark ? QColor(0xf0, 0xb4, 0x29) : QColor(0xb7, 0x79, 0x00);
    case 2: return m_dark ? QColor(0xff, 0x8a, 0x4c) : QColor(0xd0, 0x52, 0x0f);
    case 3: return m_dark ? QColor(0xff, 0x5c, 0x6c) : QColor(0xc4, 0x1d, 0x2e);
    default: return QColor();
    }
}

QColor Theme::categoryColor(int bit) const
{
    static const QColor kColors[] = {
        QColor(0xd6, 0x33, 0x84), // injection
        QColor(0x8e, 0x44, 0xd8), // pii
        QColor(0xc4, 0x1d, 0x2e), // secret
        QColor(0xd0, 0x52, 0x0f), // sql_mutation
        QColor(0x6d, 0x7a, 0x8c), // log_injection
        QColor(0x2b, 0x8a, 0x9e), // length
        QColor(0x3d, 0x8b, 0x37), // schema
        QColor(0x1f, 0x6f, 0xc5), // iam
        QColor(0xa3, 0x3b, 0x1f), // privilege_escalation
        QColor(0x75, 0x75, 0x75), // other
        QColor(0x9a, 0x6a, 0x00), // model_extraction
    };
    const int n = static_cast<int>(std::size(kColors));
    QColor c = kColors[std::clamp(bit, 0, n - 1)];
    return m_dark ? c.lighter(135) : c;
}

QString Theme::categoryBadge(int bit)
{
    static const QStringList kBadges{
        QStringLiteral("INJ"), QStringLiteral("PII"), QStringLiteral("SECRET"), QStringLiteral("SQL"),
        QStringLiteral("LOG"), QStringLiteral("LEN"), QStringLiteral("SCHEMA"), QStringLiteral("IAM"),
        QStringLiteral("PRIV"), QStringLiteral("OTHER"), QStringLiteral("EXTRACT")};
    return kBadges.value(bit, QStringLiteral("OTHER"));
}

QColor Theme::highlightColor(int findingSeverity) const
{
    QColor c = findingSeverityColor(std::clamp(findingSeverity, 0, 3));
    c.setAlpha(m_dark ? 90 : 60);
    return c;
}

} // namespace vigil::ui
