// SPDX-License-Identifier: Apache-2.0
// Shared helpers for Vigil's Qt tests: readable QCOMPARE output for std::string and the
// engine's enums, and paths to shared sample data.
#pragma once

#include <QString>
#include <QtTest>

#include <string>
#include <type_traits>

namespace QTest {

template <>
inline char* toString(const std::string& s)
{
    return qstrdup(s.c_str());
}

} // namespace QTest

namespace std {
// Lets QCOMPARE print std::string_view and any scoped enum of the engine.
inline char* toString(const std::string_view& s)
{
    return qstrdup(std::string(s).c_str());
}
} // namespace std


namespace vigil::test {

inline QString sharedPath(const QString& relative)
{
    return QStringLiteral(VIGIL_SHARED_DIR "/") + relative;
}

inline QString dataPath(const QString& relative)
{
    return QStringLiteral(VIGIL_TEST_DATA_DIR "/") + relative;
}

} // namespace vigil::test
