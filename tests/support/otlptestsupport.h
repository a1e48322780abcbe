// SPDX-License-Identifier: Apache-2.0
#pragma once

// What the OTLP tests share: the fixtures of tests/data/otlp and the built-in tool table.

#include "ingest/toolactionmap.h"
#include "testsupport.h"

#include <QFile>
#include <QString>

#include <string>
#include <string_view>

namespace vigil::test {

/// The bytes of tests/data/otlp/<name>; a missing fixture ends the test run.
inline std::string otlpFixture(std::string_view name)
{
    const QString file = QString::fromUtf8(name.data(), static_cast<qsizetype>(name.size()));
    QFile f(dataPath(QStringLiteral("otlp/") + file));
    if (!f.open(QIODevice::ReadOnly))
        qFatal("cannot open fixture %s", qPrintable(file));
    return f.readAll().toStdString();
}

/// The tool-name to IAM action table Vigil ships (resources/otel/).
inline ToolActionMap builtinTools()
{
    auto t = ToolActionMap::builtin();
    if (!t)
        qFatal("built-in tool table: %s", t.error().message.c_str());
    return std::move(*t);
}

} // namespace vigil::test
