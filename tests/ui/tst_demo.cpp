// SPDX-License-Identifier: Apache-2.0
// `vigil --demo`: the embedded corpus fills a fresh database with the story (injection,
// PII, secrets, destructive SQL, out-of-role tool calls), rebased to now, then streams.

#include "uitestsupport.h"

#include "bridge/demofeed.h"
#include "store/storereader.h"

#include <nlohmann/json.hpp>

#include <QFile>
#include <QSignalSpy>

using namespace vigil::ui;
using namespace vigil::test;

class TestDemo : public QObject
{
    Q_OBJECT

private:
    static qint64 scalar(vigil::StoreReader& r, const char* sql)
    {
        auto st = vigil::SqlStatement::prepare(r.database(), sql);
        if (!st)
            return -1;
        auto row = st->step();
        return row && *row ? st->columnInt(0) : -1;
    }

private Q_SLOTS:
    void demoDatabaseGetsFilled()
    {
        Fixture fx;
        QString error;
        EngineBridge::EngineOptions options;
        options.policiesJson = EngineBridge::demoPolicies();
        QVERIFY(!options.policiesJson->isEmpty());
        QVERIFY2(fx.bridge->loadEngine(options, &error), qPrintable(error));
        // The live part streams over loopback TCP into the live feed, on a free port.
        EngineBridge::LiveSettings live;
        live.tcp = true;
        live.listen = QStringLiteral("127.0.0.1:0");
        fx.bridge->setLiveSettings(live);
        QVERIFY(fx.open());
        QVERIFY(fx.bridge->liveAddress().startsWith(QStringLiteral("127.0.0.1:")));
        QSignalSpy loaded(fx.bridge.get(), &EngineBridge::demoLoaded);
        QVERIFY(fx.bridge->startDemo(20.0));
        QVERIFY(loaded.wait(180000));
        QVERIFY(loaded.first().first().toLongLong() >= 3000);

        auto reader = vigil::StoreReader::open(fx.dbPath().toStdString());
        QVERIFY(reader);
        const qint64 events = scalar(*reader, "SELECT count(*) FROM events");
        QVERIFY2(events >= 3000, qPrintable(QString::number(events)));
        // Rebased: the history ends about now.
        const qint64 newest = scalar(*reader, "SELECT max(ts) FROM events");
        QVERIFY(qAbs(newest - QDateTime::currentMSecsSinceEpoch()) < 10 * 60 * 1000);
        QVERIFY(scalar(*reader, "SELECT min(ts) FROM events") < newest - 90 * 60 * 1000);
        // The story's findings.
        for (const char* category : {"injection", "pii", "secret", "sql_mutation", "iam"}) {
            const std::string sql = std::string("SELECT count(*) FROM findings WHERE category='") + category + "'";
            QVERIFY2(scalar(*reader, sql.c_str()) > 0, category);
        }
        QVERIFY(scalar(*reader, "SELECT count(*) FROM events WHERE details LIKE '%DROP TABLE daily_summary%' AND event_type='sql_executed'") > 0);
        QVERIFY(scalar(*reader, "SELECT count(*) FROM incidents") > 5);
        QVERIFY(scalar(*reader, "SELECT count(*) FROM incidents WHERE severity = 3") > 0);
        QVERIFY(scalar(*reader, "SELECT count(*) FROM quarantine") >= 3);
        // Both models' token counts are there for the cost chart.
        QVERIFY(scalar(*reader, "SELECT sum(json_extract(details, '$.tokens')) FROM events WHERE event_type='brain_plan_created'") > 100000);

        // Then it keeps streaming.
        QSignalSpy committed(fx.bridge.get(), &EngineBridge::eventsCommitted);
        QVERIFY(committed.wait(15000));
        QTRY_VERIFY_WITH_TIMEOUT(scalar(*reader, "SELECT count(*) FROM sources WHERE kind = 'tcp'") > 0 ||
                                     scalar(*reader, "SELECT count(*) FROM events") > events,
                                 15000);
        fx.bridge->stopDemo();
    }

    void demoCorpusIsDeterministicAndSmall()
    {
        QFile f(QStringLiteral(VIGIL_RESOURCE_DIR "/demo/demo.jsonl"));
        QVERIFY(f.open(QIODevice::ReadOnly));
        const QByteArray all = f.readAll();
        QVERIFY(all.size() < 2 * 1024 * 1024);
        const qsizetype lines = all.count('\n');
        QVERIFY(lines >= 3000 && lines <= 5000);
        for (const char* needle : {"DROP TABLE daily_summary", "s3:PutObject", "dynamodb:GetItem\",\"resource\":\"table/agent-checkpoints\",\"outcome\":\"denied",
                                   "Ignore all previous instructions", "sk-proj-", "@example.org"})
            QVERIFY2(all.contains(needle), needle);
    }

    void aReplayIsNewEventsOfNewUsers()
    {
        const std::string line = R"({"timestamp":"2026-11-21T10:00:00.000Z","event_type":"user_query_received",)"
                                 R"("agent_name":"brain","thread_id":"t-1","event_id":"e-1","user_id":"u-7",)"
                                 R"("details":{"query":"hi there, how are you","user_id":"u-7"}})";
        // The first pass keeps the corpus's ids.
        const std::string first = vigil::ui::demo::rebase(line, 1'795'000'000'000, 0);
        QVERIFY(first.find(R"("user_id":"u-7")") != std::string::npos);
        QVERIFY(first.find(R"("event_id":"e-1")") != std::string::npos);
        // A replay renames every id, both user ids included, so the replayed queries are
        // neither duplicates nor the same user asking again (model_extraction.near_duplicate).
        const std::string again = vigil::ui::demo::rebase(line, 1'795'000'000'000, 3);
        QVERIFY(again.find(R"("user_id":"u-7")") == std::string::npos);
        std::size_t users = 0;
        for (std::size_t at = again.find(R"("user_id":"u-7-r3")"); at != std::string::npos;
             at = again.find(R"("user_id":"u-7-r3")", at + 1))
            ++users;
        QCOMPARE(users, std::size_t(2));
        QVERIFY(again.find(R"("event_id":"e-1-r3")") != std::string::npos);
        QVERIFY(again.find(R"("thread_id":"t-1-r3")") != std::string::npos);
        QVERIFY(again.find("2026-11-21T10:00:00.000Z") == std::string::npos);
        QVERIFY(nlohmann::json::accept(again));
    }
};

QTEST_MAIN(TestDemo)
#include "tst_demo.moc"
