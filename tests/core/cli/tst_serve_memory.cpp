// SPDX-License-Identifier: Apache-2.0
// 200 clients each send 1 MiB without a newline to `vigil-cli serve` with its default limits:
// the process's resident memory stays under the stated budget and a well-formed client keeps
// being served throughout.
#include "livetestclient.h"
#include "serveprocess.h"
#include "testsupport.h"

#include "store/storereader.h"

#include <QTemporaryDir>
#include <QtTest>

#include <thread>

using namespace vigil;
using namespace std::chrono_literals;
using test::LiveTestClient;
using test::ServeProcess;

namespace {

/// The stated budget: resident memory of `serve` under this flood, default limits (64 MiB
/// global connection budget, 1 MiB line limit, 256 connections).
constexpr long kRssBudgetKiB = 192 * 1024;
constexpr int kHogs = 200;

std::string lines(std::int64_t from, std::int64_t to)
{
    std::string s;
    for (std::int64_t i = from; i <= to; ++i)
        s += test::seqEvent(i, "mem-" + std::to_string(i)) + "\n";
    return s;
}

} // namespace

class TestServeMemory : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void floodOfPartialLinesStaysInBudget();
};

void TestServeMemory::floodOfPartialLinesStaysInBudget()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString db = dir.filePath(QStringLiteral("mem.db"));
    ServeProcess serve;
    QVERIFY(serve.start({QStringLiteral("--db"), db, QStringLiteral("--listen"),
                         QStringLiteral("127.0.0.1:0"), QStringLiteral("--quiet")}));
    const long baseline = serve.rssKiB();
    QVERIFY(baseline > 0);

    LiveTestClient good;
    QVERIFY(good.connect(serve.port()));
    QVERIFY(good.sendAll("{\"hello\":{\"ack\":true}}\n"));
    std::int64_t goodSent = 0;
    auto serveGood = [&](int n) {
        const std::int64_t from = goodSent + 1;
        goodSent += n;
        return good.sendAll(lines(from, goodSent)) && good.waitAck(goodSent, 20000) == goodSent;
    };
    QVERIFY(serveGood(200));

    std::vector<LiveTestClient> hogs(kHogs);
    for (auto& h : hogs)
        QVERIFY(h.connect(serve.port()));
    const std::string mib(1024 * 1024, 'm');
    std::vector<std::size_t> sent(kHogs, 0);
    long peak = baseline;
    const auto deadline = std::chrono::steady_clock::now() + 20s;
    int rounds = 0;
    for (;;) {
        bool all = true;
        for (int i = 0; i < kHogs; ++i) {
            if (sent[std::size_t(i)] == mib.size())
                continue;
            const ssize_t n =
                hogs[std::size_t(i)].sendSome(std::string_view(mib).substr(sent[std::size_t(i)]));
            QVERIFY(n >= 0);
            sent[std::size_t(i)] += std::size_t(n);
            all = all && sent[std::size_t(i)] == mib.size();
        }
        peak = std::max(peak, serve.rssKiB());
        // A well-formed client is served all along.
        if (++rounds % 10 == 0)
            QVERIFY2(serveGood(100), "the well-formed client was not served during the flood");
        if (all || std::chrono::steady_clock::now() > deadline)
            break;
        std::this_thread::sleep_for(2ms);
    }
    std::size_t total = 0;
    for (std::size_t n : sent)
        total += n;
    // Let the server take in whatever it will, then measure again.
    for (int i = 0; i < 20; ++i) {
        std::this_thread::sleep_for(50ms);
        peak = std::max(peak, serve.rssKiB());
    }
    QVERIFY(serveGood(1000));
    peak = std::max(peak, serve.rssKiB());
    qInfo("baseline %ld KiB, peak %ld KiB (budget %ld KiB); %zu MiB sent by %d clients without "
          "a newline",
          baseline, peak, kRssBudgetKiB, total >> 20, kHogs);
    QVERIFY2(peak < kRssBudgetKiB, std::to_string(peak).c_str());
    QVERIFY(total >= std::size_t(kHogs) * 256 * 1024); // the flood really reached the server

    hogs.clear();
    QCOMPARE(serve.stop(), 0);
    auto reader = StoreReader::open(db.toStdString());
    auto st = SqlStatement::prepare(reader->database(), "SELECT COUNT(*) FROM events");
    QVERIFY(*st->step());
    QCOMPARE(st->columnInt(0), goodSent);
}

QTEST_GUILESS_MAIN(TestServeMemory)
#include "tst_serve_memory.moc"
