// SPDX-License-Identifier: Apache-2.0
// kill -9 of `vigil-cli serve` at random (seeded) points while a client streams events with
// event_id over the acknowledgement protocol and resends whatever was not acknowledged:
// after the last restart every event is stored exactly once and the database is intact.
#include "livetestclient.h"
#include "serveprocess.h"
#include "testsupport.h"

#include "store/storereader.h"

#include <QTemporaryDir>
#include <QtTest>

#include <random>
#include <set>
#include <thread>

using namespace vigil;
using namespace std::chrono_literals;
using test::LiveTestClient;
using test::ServeProcess;

namespace {

constexpr int kEvents = 10000;
constexpr int kTrials = 20;

std::string eventLine(int i)
{
    return test::seqEvent(i, "crash-" + std::to_string(i)) + "\n";
}

/// One connection's view: which event went out as its n-th line after the hello.
struct Session
{
    LiveTestClient client;
    std::vector<int> sent;    // event index of each line, in order
    std::int64_t applied = 0; // acknowledgements already applied to `done`

    void applyAcks(std::vector<bool>& done)
    {
        const std::int64_t n = std::min<std::int64_t>(client.acked(), std::int64_t(sent.size()));
        for (; applied < n; ++applied)
            done[std::size_t(sent[std::size_t(applied)])] = true;
    }
};

} // namespace

class TestServeCrash : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void killNineLosesAndDuplicatesNothing();
};

void TestServeCrash::killNineLosesAndDuplicatesNothing()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString db = dir.filePath(QStringLiteral("crash.db"));
    const QStringList args{QStringLiteral("--db"),       db,
                           QStringLiteral("--listen"),   QStringLiteral("127.0.0.1:0"),
                           QStringLiteral("--flush-ms"), QStringLiteral("20"),
                           QStringLiteral("--quiet")};
    std::mt19937 rng(20261121); // deterministic "random" kill points
    std::vector<bool> done(kEvents, false);
    int nextNew = 0;
    int killedMidBatch = 0;

    for (int trial = 0; trial <= kTrials; ++trial) {
        const bool last = trial == kTrials;
        ServeProcess serve;
        QVERIFY2(serve.start(args), serve.err().constData());
        Session s;
        QVERIFY(s.client.connect(serve.port()));
        QVERIFY(s.client.sendAll("{\"hello\":{\"ack\":true}}\n"));

        // Whatever was not acknowledged goes again, first; then new events.
        std::vector<int> queue;
        for (int i = 0; i < nextNew; ++i)
            if (!done[std::size_t(i)])
                queue.push_back(i);
        std::size_t queued = 0;
        const auto runFor =
            std::chrono::milliseconds(std::uniform_int_distribution<int>(20, 400)(rng));
        int newBudget = last ? kEvents : std::uniform_int_distribution<int>(50, 600)(rng);
        const auto started = std::chrono::steady_clock::now();
        while (last || std::chrono::steady_clock::now() - started < runFor) {
            std::string batch;
            const int n = std::uniform_int_distribution<int>(1, 150)(rng);
            for (int k = 0; k < n; ++k) {
                int ev;
                if (queued < queue.size()) {
                    ev = queue[queued++];
                } else if (nextNew < kEvents && newBudget > 0) {
                    ev = nextNew++;
                    --newBudget;
                } else {
                    break;
                }
                s.sent.push_back(ev);
                batch += eventLine(ev);
            }
            if (batch.empty()) {
                if (!last) {
                    // Quiet client: only acknowledgements move until the kill.
                    s.client.pump(5);
                    s.applyAcks(done);
                    continue;
                }
                // Everything sent: wait for the rest of the acknowledgements.
                const auto want = std::int64_t(s.sent.size());
                QCOMPARE(s.client.waitAck(want, 30000), want);
                s.applyAcks(done);
                break;
            }
            if (!s.client.sendAll(batch, 10000))
                break;
            s.client.pump(0);
            s.applyAcks(done);
            std::this_thread::sleep_for(
                std::chrono::milliseconds(std::uniform_int_distribution<int>(0, 4)(rng)));
        }
        if (last) {
            QCOMPARE(serve.stop(SIGTERM), 0);
            break;
        }
        // Sometimes in the middle of sending a batch, sometimes while the client is quiet.
        if (trial % 2 == 0 && nextNew < kEvents) {
            std::string more;
            for (int k = 0; k < 50 && nextNew < kEvents; ++k) {
                s.sent.push_back(nextNew);
                more += eventLine(nextNew++);
            }
            s.client.sendSome(more);
            ++killedMidBatch;
        }
        serve.crash();
        // Acknowledgements that arrived before the process died are still valid.
        s.client.waitClosed(2000);
        s.applyAcks(done);
    }

    const auto acked = std::count(done.begin(), done.end(), true);
    QCOMPARE(nextNew, kEvents);
    QCOMPARE(acked, kEvents);
    QVERIFY(killedMidBatch >= 10);

    auto reader = StoreReader::open(db.toStdString());
    QVERIFY(reader.has_value());
    auto check = SqlStatement::prepare(reader->database(), "PRAGMA integrity_check");
    QVERIFY(*check->step());
    QCOMPARE(check->columnText(0), std::string("ok"));
    auto count = SqlStatement::prepare(reader->database(),
                                       "SELECT COUNT(*), COUNT(DISTINCT event_id) FROM events");
    QVERIFY(*count->step());
    QCOMPARE(count->columnInt(0), kEvents);
    QCOMPARE(count->columnInt(1), kEvents);
    std::set<std::string> ids;
    auto all = SqlStatement::prepare(reader->database(), "SELECT event_id FROM events");
    while (*all->step())
        ids.insert(all->columnText(0));
    for (int i = 0; i < kEvents; ++i)
        QVERIFY2(ids.count("crash-" + std::to_string(i)) == 1, std::to_string(i).c_str());
    // Resent events that had been stored before the crash were recognised, not stored again.
    auto dups = SqlStatement::prepare(reader->database(),
                                      "SELECT value FROM counters WHERE name='duplicates'");
    QVERIFY(*dups->step());
    qInfo("%d trials, %lld duplicates recognised on resend", kTrials,
          static_cast<long long>(dups->columnInt(0)));
    auto q = SqlStatement::prepare(reader->database(), "SELECT COUNT(*) FROM quarantine");
    QVERIFY(*q->step());
    QCOMPARE(q->columnInt(0), 0);
}

QTEST_GUILESS_MAIN(TestServeCrash)
#include "tst_serve_crash.moc"
