// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QtTest/QtTest>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

// Readable QCOMPARE failures for the standard and review types the tests compare.
namespace QTest {
template <> inline char* toString(const std::string& s)
{
    return qstrdup(s.c_str());
}
template <> inline char* toString(const std::vector<std::string>& v)
{
    std::string joined = "[";
    for (const auto& s : v)
        joined += (joined.size() > 1 ? ", " : "") + s;
    return qstrdup((joined + "]").c_str());
}
} // namespace QTest

namespace vigil::test {

/// An enum's name, for QCOMPARE: inside QCOMPARE, ADL prefers vigil::toString (which returns
/// a string_view) to QTest::toString, so enums are compared by name.
template <typename E> std::string name(E value)
{
    return std::string(toString(value));
}

inline std::string readFile(const std::string& path)
{
    std::ifstream in(path, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

inline std::string seedText(const char* name)
{
    return readFile(std::string(VIGIL_SHARED_DIR) + "/seeds/" + name);
}

inline std::string goldenPath(const std::string& name)
{
    return std::string(VIGIL_TEST_DATA_DIR) + "/expected/review/" + name;
}

/// Compares `actual` byte for byte with tests/data/expected/review/<name>. With
/// VIGIL_UPDATE_GOLDEN=1 in the environment it rewrites the file instead (review the diff).
inline bool matchesGolden(const std::string& name, const std::string& actual)
{
    const std::string path = goldenPath(name);
    if (const char* update = std::getenv("VIGIL_UPDATE_GOLDEN");
        update && std::string(update) == "1") {
        std::ofstream(path, std::ios::binary) << actual;
        return true;
    }
    const std::string expected = readFile(path);
    if (expected == actual)
        return true;
    qWarning("golden %s differs:\n--- expected\n%s\n--- actual\n%s", path.c_str(), expected.c_str(),
             actual.c_str());
    return false;
}

} // namespace vigil::test
