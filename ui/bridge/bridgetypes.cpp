// SPDX-License-Identifier: Apache-2.0
#include "bridge/bridgetypes.h"

#include "store/schema.h"

#include <QCoreApplication>

namespace vigil::ui {

const QStringList& categoryNames()
{
    static const QStringList names = [] {
        QStringList out;
        for (const std::string& c : findingCategoryBits())
            out.push_back(QString::fromStdString(c));
        return out;
    }();
    return names;
}

quint32 categoryBit(const QString& category)
{
    return 1u << findingCategoryBit(category.toStdString());
}

const QStringList& maestroLayerNames()
{
    static const QStringList names{
        QCoreApplication::translate("vigil", "1 Model"),
        QCoreApplication::translate("vigil", "2 Agent Logic"),
        QCoreApplication::translate("vigil", "3 Integration"),
        QCoreApplication::translate("vigil", "4 Monitoring"),
        QCoreApplication::translate("vigil", "5 Execution"),
        QCoreApplication::translate("vigil", "6 Environment"),
        QCoreApplication::translate("vigil", "7 Orchestration"),
    };
    return names;
}

QString severityName(int s)
{
    switch (s) {
    case 0: return QStringLiteral("info");
    case 1: return QStringLiteral("warning");
    case 2: return QStringLiteral("error");
    case 3: return QStringLiteral("critical");
    default: return QString();
    }
}

QString findingSeverityName(int s)
{
    switch (s) {
    case 0: return QStringLiteral("low");
    case 1: return QStringLiteral("medium");
    case 2: return QStringLiteral("high");
    case 3: return QStringLiteral("critical");
    default: return QString();
    }
}

} // namespace vigil::ui
