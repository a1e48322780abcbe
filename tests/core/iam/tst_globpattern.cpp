// SPDX-License-Identifier: Apache-2.0
// The IAM wildcard matcher, resource normalization and the pattern algebra used by the
// policy review, checked against tables and against brute force on small alphabets.
#include "iam/globpattern.h"

#include "testsupport.h"

#include <QtTest>

#include <functional>
#include <random>
#include <string>
#include <vector>

using namespace vigil::iam;

namespace {

/// Reference matcher: plain recursion, obviously correct, exponential.
bool naiveMatch(std::string_view p, std::string_view t)
{
    if (p.empty())
        return t.empty();
    if (p[0] == '*')
        return naiveMatch(p.substr(1), t) || (!t.empty() && naiveMatch(p, t.substr(1)));
    if (t.empty())
        return false;
    return (p[0] == '?' || p[0] == t[0]) && naiveMatch(p.substr(1), t.substr(1));
}

std::vector<std::string> allStrings(std::size_t maxLen)
{
    std::vector<std::string> out{""};
    std::vector<std::string> layer{""};
    for (std::size_t n = 1; n <= maxLen; ++n) {
        std::vector<std::string> next;
        for (const std::string& s : layer)
            for (char c : std::string("ab")) {
                next.push_back(s + c);
                out.push_back(s + c);
            }
        layer = std::move(next);
    }
    return out;
}

std::string randomPattern(std::mt19937& rng, std::size_t maxLen)
{
    static const std::string alphabet = "ab*?";
    std::uniform_int_distribution<std::size_t> len(0, maxLen);
    std::uniform_int_distribution<std::size_t> pick(0, alphabet.size() - 1);
    std::string p;
    const std::size_t n = len(rng);
    for (std::size_t i = 0; i < n; ++i)
        p.push_back(alphabet[pick(rng)]);
    return p;
}

} // namespace

class TestGlobPattern : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void matches_data();
    void matches();
    void agreesWithReference();
    void resourcePart_data();
    void resourcePart();
    void intersectIsExact();
    void coversIsSound();
    void covers_data();
    void covers();
};

void TestGlobPattern::matches_data()
{
    QTest::addColumn<QString>("pattern");
    QTest::addColumn<QString>("text");
    QTest::addColumn<bool>("expected");
    QTest::newRow("star matches empty") << "*" << "" << true;
    QTest::newRow("star matches anything") << "*" << "arn:aws:s3:::x/y" << true;
    QTest::newRow("literal") << "s3:getobject" << "s3:getobject" << true;
    QTest::newRow("literal is case-sensitive") << "table/T" << "table/t" << false;
    QTest::newRow("literal longer") << "abc" << "abcd" << false;
    QTest::newRow("prefix") << "athena:getquery*" << "athena:getqueryresults" << true;
    QTest::newRow("prefix needs the prefix") << "athena:getquery*" << "athena:startquery" << false;
    QTest::newRow("prefix matches exact") << "a*" << "a" << true;
    QTest::newRow("suffix") << "*.csv" << "data/x.csv" << true;
    QTest::newRow("suffix miss") << "*.csv" << "data/x.json" << false;
    QTest::newRow("question one char") << "a?c" << "abc" << true;
    QTest::newRow("question not zero") << "a?c" << "ac" << false;
    QTest::newRow("question not two") << "a?c" << "abbc" << false;
    QTest::newRow("question empty") << "?" << "" << false;
    QTest::newRow("infix") << "a*b*c" << "axxbyyc" << true;
    QTest::newRow("infix order") << "a*b*c" << "acb" << false;
    QTest::newRow("overlap at end") << "*ab*ab" << "ababab" << true;
    QTest::newRow("anchors do not overlap") << "a*a" << "a" << false;
    QTest::newRow("star question") << "*?*" << "" << false;
    QTest::newRow("collapsed stars") << "a**b" << "ab" << true;
    QTest::newRow("floating with question") << "*a?c*" << "zzabcz" << true;
    QTest::newRow("question at end") << "a*c?" << "abcd" << true;
    QTest::newRow("seed model") << "foundation-model/anthropic.claude-sonnet*"
                                << "foundation-model/anthropic.claude-sonnet-4" << true;
    QTest::newRow("seed model haiku") << "foundation-model/anthropic.claude-sonnet*"
                                      << "foundation-model/anthropic.claude-3-5-haiku" << false;
}

void TestGlobPattern::matches()
{
    QFETCH(QString, pattern);
    QFETCH(QString, text);
    QFETCH(bool, expected);
    const GlobPattern p(pattern.toStdString());
    QCOMPARE(p.matches(text.toStdString()), expected);
    QCOMPARE(naiveMatch(pattern.toStdString(), text.toStdString()), expected);
}

void TestGlobPattern::agreesWithReference()
{
    std::mt19937 rng(20261121);
    const std::vector<std::string> texts = allStrings(6);
    for (int i = 0; i < 3000; ++i) {
        const std::string pat = randomPattern(rng, 7);
        const GlobPattern p(pat);
        for (const std::string& t : texts)
            if (p.matches(t) != naiveMatch(pat, t))
                QFAIL(qPrintable(QStringLiteral("pattern '%1' text '%2'")
                                     .arg(QString::fromStdString(pat), QString::fromStdString(t))));
    }
}

void TestGlobPattern::resourcePart_data()
{
    QTest::addColumn<QString>("resource");
    QTest::addColumn<QString>("expected");
    QTest::newRow("s3 arn") << "arn:aws:s3:::data-bucket/readonly/a.csv"
                            << "data-bucket/readonly/a.csv";
    QTest::newRow("s3 arn pattern") << "arn:aws:s3:::data-bucket/readonly/*"
                                    << "data-bucket/readonly/*";
    QTest::newRow("seed short form") << "s3:::data-bucket/readonly/*" << "data-bucket/readonly/*";
    QTest::newRow("plain") << "data-bucket/readonly/a.csv" << "data-bucket/readonly/a.csv";
    QTest::newRow("dynamodb arn") << "arn:aws:dynamodb:us-east-1:123456789012:table/agent-checkpoints"
                                  << "table/agent-checkpoints";
    QTest::newRow("dynamodb short") << "dynamodb:us-east-1:123456789012:table/agent-checkpoints"
                                    << "table/agent-checkpoints";
    QTest::newRow("bedrock arn") << "arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-sonnet-4"
                                 << "foundation-model/anthropic.claude-sonnet-4";
    QTest::newRow("govcloud partition") << "arn:aws-us-gov:s3:::b/k" << "b/k";
    QTest::newRow("wildcard region") << "arn:aws:dynamodb:*:*:table/t" << "table/t";
    QTest::newRow("colons in resource part") << "arn:aws:logs:us-east-1:1:log-group:/aws/x:*"
                                             << "log-group:/aws/x:*";
    QTest::newRow("short arn with star") << "arn:aws:*" << "*";
    QTest::newRow("short arn no star") << "arn:aws:s3" << "arn:aws:s3";
    QTest::newRow("star") << "*" << "*";
    QTest::newRow("not a service head") << "log-group:a:b:c" << "log-group:a:b:c";
    QTest::newRow("uppercase head is not a service") << "S3:::x" << "S3:::x";
    QTest::newRow("aws-managed account") << "iam::aws:policy/x" << "policy/x";
    QTest::newRow("empty") << "" << "";
}

void TestGlobPattern::resourcePart()
{
    QFETCH(QString, resource);
    QFETCH(QString, expected);
    const std::string r = resource.toStdString();
    QCOMPARE(std::string(vigil::iam::resourcePart(r)), expected.toStdString());
}

void TestGlobPattern::intersectIsExact()
{
    std::mt19937 rng(7);
    // A shortest common string of two patterns is never longer than the number of non-star
    // tokens of both together (each character of it is produced by at least one of them), so
    // with patterns of at most 4 tokens, all strings up to 8 characters decide the question.
    const std::vector<std::string> texts = allStrings(8);
    for (int i = 0; i < 1500; ++i) {
        const std::string a = randomPattern(rng, 4);
        const std::string b = randomPattern(rng, 4);
        bool brute = false;
        for (const std::string& t : texts)
            if (naiveMatch(a, t) && naiveMatch(b, t)) {
                brute = true;
                break;
            }
        QVERIFY2(globsIntersect(a, b) == brute,
                 qPrintable(QString::fromStdString("'" + a + "' vs '" + b + "'")));
    }
}

void TestGlobPattern::coversIsSound()
{
    std::mt19937 rng(11);
    const std::vector<std::string> texts = allStrings(7);
    int covered = 0;
    for (int i = 0; i < 3000; ++i) {
        const std::string g = randomPattern(rng, 4);
        const std::string s = randomPattern(rng, 4);
        if (!globCovers(g, s))
            continue;
        ++covered;
        for (const std::string& t : texts)
            if (naiveMatch(s, t) && !naiveMatch(g, t))
                QFAIL(qPrintable(QString::fromStdString("'" + g + "' claimed to cover '" + s +
                                                        "' but misses '" + t + "'")));
    }
    QVERIFY(covered > 100);
}

void TestGlobPattern::covers_data()
{
    QTest::addColumn<QString>("general");
    QTest::addColumn<QString>("specific");
    QTest::addColumn<bool>("expected");
    QTest::newRow("star covers all") << "*" << "iam:create*" << true;
    QTest::newRow("service star") << "iam:*" << "iam:createuser" << true;
    QTest::newRow("service star covers prefix") << "iam:*" << "iam:create*" << true;
    QTest::newRow("prefix does not cover star") << "iam:create*" << "iam:*" << false;
    QTest::newRow("question covers question") << "a?" << "a?" << true;
    QTest::newRow("question does not cover star") << "a?" << "a*" << false;
    QTest::newRow("literal") << "s3:getobject" << "s3:getobject" << true;
    QTest::newRow("other literal") << "s3:getobject" << "s3:putobject" << false;
}

void TestGlobPattern::covers()
{
    QFETCH(QString, general);
    QFETCH(QString, specific);
    QFETCH(bool, expected);
    QCOMPARE(globCovers(general.toStdString(), specific.toStdString()), expected);
}

QTEST_GUILESS_MAIN(TestGlobPattern)
#include "tst_globpattern.moc"
