// SPDX-License-Identifier: Apache-2.0
// Responsiveness of the window while events pour in: feeds N events/s (default 20,000)
// into the live pipeline from a producer thread, with the Live view open and following,
// and measures on the UI thread the longest gap between ticks of a 5 ms timer (the
// longest event-loop stall) and how long events take from creation to the screen.
//
//   QT_QPA_PLATFORM=offscreen bench_ui [--rate 20000] [--seconds 10]
//   (or under xvfb-run -a to include real X11 painting)

#include "bridge/enginebridge.h"
#include "live/livemodel.h"
#include "live/liveview.h"
#include "mainwindow.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QDateTime>
#include <QElapsedTimer>
#include <QSettings>
#include <QTemporaryDir>
#include <QTimer>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <thread>
#include <vector>

using namespace vigil::ui;

namespace {

QByteArray makeLine(qint64 ms, int i)
{
    static const char* kAgents[] = {"brain", "sql-writer", "weight-applier", "formatter"};
    const QByteArray ts = QDateTime::fromMSecsSinceEpoch(ms, Qt::UTC).toString(Qt::ISODateWithMs).toUtf8();
    const QByteArray agent = kAgents[i % 4];
    const QByteArray thread = "t-" + QByteArray::number(i / 11);
    QByteArray details;
    switch (i % 5) {
    case 0:
        details = "{\"query\":\"Viewers of channel " + QByteArray::number(i % 90) + " by region\"}";
        return "{\"timestamp\":\"" + ts + "\",\"event_type\":\"user_query_received\",\"agent_name\":\"brain\",\"thread_id\":\"" +
               thread + "\",\"severity\":\"info\",\"details\":" + details + "}";
    case 1:
        return "{\"timestamp\":\"" + ts + "\",\"event_type\":\"tool_call\",\"agent_name\":\"" + agent + "\",\"thread_id\":\"" +
               thread + "\",\"severity\":\"info\",\"details\":{\"action\":\"athena:StartQueryExecution\",\"resource\":\"workgroup/agent-queries\"}}";
    case 2:
        // Every 50th output leaks an email: a finding, a badge and a redaction.
        details = i % 50 == 2 ? "\"Reach 4210, contact ann" + QByteArray::number(i) + "@example.org\""
                              : "\"Reach for channel 7: 4210 viewers\"";
        return "{\"timestamp\":\"" + ts + "\",\"event_type\":\"worker_result\",\"agent_name\":\"formatter\",\"thread_id\":\"" +
               thread + "\",\"severity\":\"info\",\"details\":{\"output_hash\":\"ab12\",\"confidence\":0.9,\"latency_ms\":12,\"output\":" +
               details + "}}";
    case 3:
        return "{\"timestamp\":\"" + ts + "\",\"event_type\":\"sql_executed\",\"agent_name\":\"sql-writer\",\"thread_id\":\"" + thread +
               "\",\"severity\":\"info\",\"details\":{\"query_hash\":\"9f\",\"bytes_scanned\":1000,\"cost\":0.01,\"sql\":\"SELECT region, count(*) FROM daily_summary GROUP BY region\"}}";
    default:
        return "{\"timestamp\":\"" + ts + "\",\"event_type\":\"brain_plan_created\",\"agent_name\":\"brain\",\"thread_id\":\"" + thread +
               "\",\"severity\":\"info\",\"details\":{\"plan\":\"1. sql-writer builds query\",\"model\":\"anthropic.claude-sonnet-4\",\"tokens\":900,\"cost\":0.008}}";
    }
}

} // namespace

int main(int argc, char* argv[])
{
    QApplication app(argc, argv);
    QCommandLineParser parser;
    parser.addHelpOption();
    const QCommandLineOption rateOption(QStringLiteral("rate"), QStringLiteral("Events per second."), QStringLiteral("N"),
                                        QStringLiteral("20000"));
    const QCommandLineOption secondsOption(QStringLiteral("seconds"), QStringLiteral("Duration."), QStringLiteral("S"),
                                           QStringLiteral("10"));
    const QCommandLineOption viewOption(QStringLiteral("view"), QStringLiteral("View shown while feeding (live)."),
                                        QStringLiteral("ID"), QStringLiteral("live"));
    parser.addOptions({rateOption, secondsOption, viewOption});
    parser.process(app);
    const int rate = parser.value(rateOption).toInt();
    const int seconds = parser.value(secondsOption).toInt();

    QTemporaryDir dir;
    QSettings::setPath(QSettings::NativeFormat, QSettings::UserScope, dir.path());
    EngineBridge bridge;
    QString error;
    if (!bridge.open(dir.path() + QStringLiteral("/bench.db"), &error)) {
        std::fprintf(stderr, "bench_ui: %s\n", qPrintable(error));
        return 1;
    }
    MainWindow window(bridge);
    window.resize(1600, 1000);
    window.show();
    window.showView(parser.value(viewOption));

    // Producer: batches every 10 ms, timestamped when made, so that the display latency
    // includes decode, scan, commit, the tail read, the queued signal and the flush.
    std::atomic<bool> running{true};
    std::atomic<qint64> produced{0};
    std::thread producer([&] {
        const int perTick = std::max(1, rate / 100);
        QElapsedTimer clock;
        clock.start();
        qint64 tick = 0;
        int i = 0;
        while (running) {
            QList<QByteArray> lines;
            lines.reserve(perTick);
            const qint64 now = QDateTime::currentMSecsSinceEpoch();
            for (int k = 0; k < perTick; ++k)
                lines << makeLine(now, i++);
            bridge.ingestLines(QStringLiteral("bench"), lines);
            produced += perTick;
            ++tick;
            const qint64 due = tick * 10 - clock.elapsed();
            if (due > 0)
                std::this_thread::sleep_for(std::chrono::milliseconds(due));
        }
    });

    // The UI thread's pulse.
    QElapsedTimer pulse;
    pulse.start();
    qint64 last = 0;
    qint64 maxGap = 0;
    qint64 maxGapAt = 0;
    std::vector<qint64> gaps;
    QTimer ticker;
    ticker.setTimerType(Qt::PreciseTimer);
    ticker.setInterval(5);
    QObject::connect(&ticker, &QTimer::timeout, &app, [&] {
        const qint64 now = pulse.elapsed();
        // The first second shows and lays out the window: not ingest's doing.
        if (last > 0 && now > 1000) {
            if (now - last > maxGap) {
                maxGap = now - last;
                maxGapAt = now;
            }
            gaps.push_back(now - last);
        }
        last = now;
    });
    ticker.start();

    std::vector<qint64> latencies;
    LiveModel* model = window.liveView()->model();
    qint64 shown = 0;
    // How long one flush keeps the UI thread (trim, insert, the view's bookkeeping).
    QElapsedTimer flushClock;
    qint64 maxFlush = 0;
    QObject::connect(model, &QAbstractItemModel::rowsAboutToBeRemoved, &app, [&] { flushClock.start(); });
    QObject::connect(model, &QAbstractItemModel::rowsAboutToBeInserted, &app, [&] {
        if (!flushClock.isValid())
            flushClock.start();
    });
    QObject::connect(model, &LiveModel::flushed, &app, [&](int inserted) {
        if (flushClock.isValid())
            maxFlush = std::max(maxFlush, flushClock.elapsed());
        flushClock.invalidate();
        shown += inserted;
        const int n = model->rowCount();
        if (n > 0)
            latencies.push_back(QDateTime::currentMSecsSinceEpoch() - model->summaryAt(n - 1)->timestampMs);
    });

    QTimer::singleShot(seconds * 1000, &app, [&] {
        running = false;
        ticker.stop();
        app.quit();
    });
    app.exec();
    producer.join();
    bridge.drainIngest();

    std::sort(gaps.begin(), gaps.end());
    std::sort(latencies.begin(), latencies.end());
    auto pct = [](const std::vector<qint64>& v, double p) {
        return v.empty() ? 0 : v[std::min(v.size() - 1, static_cast<std::size_t>(p * double(v.size())))];
    };
    std::printf("bench_ui: %d s at %d events/s offered: %lld produced, %lld shown in the live view\n", seconds, rate,
                static_cast<long long>(produced.load()), static_cast<long long>(shown));
    std::printf("longest event-loop stall: %lld ms at %.1f s (5 ms timer; gap p50 %lld ms, p99 %lld ms, max %lld ms)\n",
                static_cast<long long>(std::max<qint64>(0, maxGap - 5)), double(maxGapAt) / 1000.0,
                static_cast<long long>(pct(gaps, 0.5)), static_cast<long long>(pct(gaps, 0.99)),
                static_cast<long long>(maxGap));
    std::printf("longest flush (trim + insert + view updates): %lld ms\n", static_cast<long long>(maxFlush));
    std::printf("creation to screen: p50 %lld ms, p99 %lld ms, max %lld ms (%zu flushes)\n",
                static_cast<long long>(pct(latencies, 0.5)), static_cast<long long>(pct(latencies, 0.99)),
                static_cast<long long>(latencies.empty() ? 0 : latencies.back()), latencies.size());
    return 0;
}
