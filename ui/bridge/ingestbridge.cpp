// SPDX-License-Identifier: Apache-2.0
// EngineBridge's ingest: file imports on a thread of their own, lines handed to the live
// pipeline, and the demo feed.
#include "bridge/enginebridge_p.h"

#include "base/timeutil.h"
#include "ingest/decoder.h"
#include "pipeline/importer.h"

namespace vigil::ui {

void EngineBridge::Private::demoTick(double perTick, double& carry, std::size_t& index, int& loop,
                                     const std::shared_ptr<demo::Corpus>& c,
                                     demo::LineSender& sender)
{
    carry += perTick;
    const int n = static_cast<int>(carry);
    carry -= n;
    std::vector<std::string> lines;
    for (int i = 0; i < n && !c->lines.empty(); ++i) {
        if (index >= c->lines.size()) {
            index = 0;
            ++loop;
        }
        lines.push_back(demo::rebase(c->lines[index], nowEpochMs(), loop));
        ++index;
    }
    if (lines.empty() || (sender.isConnected() && sender.send(lines)))
        return;
    QList<QByteArray> direct;
    for (const std::string& l : lines)
        direct.push_back(QByteArray::fromStdString(l));
    q->ingestLines(QStringLiteral("demo"), direct);
}

bool EngineBridge::importFiles(const QStringList& paths)
{
    if (!d->writer || d->importing.exchange(true))
        return false;
    if (d->importThread.joinable())
        d->importThread.join();
    std::vector<std::string> files;
    for (const QString& f : paths)
        files.push_back(str(f));
    ImportOptions options;
    d->engine->configure(options.pipeline);
    // CloudTrail records name their agent through the policy file's role ARNs.
    options.reader.roleAgents = roleAgentsOf(d->engine->policies().get());
    Private* p = d.get();
    options.progress = [p](const ImportProgress& progress) {
        Q_EMIT p->q->importProgress(ImportState{progress.bytesRead, progress.bytesTotal,
                                                progress.linesRead, qstr(progress.currentFile)});
    };
    d->importThread = std::thread([p, files, options] {
        auto r = vigil::importFiles(*p->writer, files, options);
        QString message;
        if (r)
            message = tr("Imported %L1 events (%L2 duplicates, %L3 rejected lines, %L4 findings) "
                         "from %L5 lines in %6 s.")
                          .arg(r->accepted)
                          .arg(r->duplicates)
                          .arg(r->rejected)
                          .arg(r->findings)
                          .arg(r->lines)
                          .arg(r->seconds, 0, 'f', 1);
        else
            message = qstr(r.error().message);
        p->importing = false;
        Q_EMIT p->q->importFinished(r.has_value(), message);
    });
    return true;
}

bool EngineBridge::isImporting() const
{
    return d->importing;
}

bool EngineBridge::ingestLines(const QString& sourceName, const QList<QByteArray>& lines)
{
    std::lock_guard l(d->ingestMutex);
    if (!d->pipeline)
        return false;
    RawChunk chunk;
    chunk.sourceName = str(sourceName);
    std::int64_t& lineNo = d->lineNumbers[chunk.sourceName];
    for (const QByteArray& line : lines) {
        const bool overlong = static_cast<std::size_t>(line.size()) > kMaxLineBytes;
        const std::string_view text(line.constData(),
                                    overlong ? 64 * 1024 : static_cast<std::size_t>(line.size()));
        chunk.addLine(text, overlong, line.size(), ++lineNo);
    }
    return d->pipeline->submit(std::move(chunk));
}

void EngineBridge::drainIngest()
{
    std::lock_guard l(d->ingestMutex);
    if (d->pipeline)
        d->pipeline->drain();
}

bool EngineBridge::startDemo(double eventsPerSecond)
{
    if (!d->writer || d->demoRunning.exchange(true))
        return false;
    auto c = std::make_shared<demo::Corpus>(demo::corpus());
    if (c->lines.empty()) {
        d->demoRunning = false;
        Q_EMIT errorOccurred(tr("This build has no demo corpus."));
        return false;
    }
    d->demoWorker = std::make_unique<BridgeWorker>(QStringLiteral("vigil-demo"));
    Private* p = d.get();
    d->demoWorker->post([p, c, eventsPerSecond] {
        // History: the imported part ends now, its spacing kept.
        const std::int64_t shift = nowEpochMs() - c->timestamps[c->liveStart - 1];
        QList<QByteArray> batch;
        for (std::size_t i = 0; i < c->liveStart && p->demoRunning; ++i) {
            batch.push_back(
                QByteArray::fromStdString(demo::rebase(c->lines[i], c->timestamps[i] + shift, 0)));
            if (batch.size() == 1000 || i + 1 == c->liveStart) {
                p->q->ingestLines(QStringLiteral("demo"), batch);
                batch.clear();
            }
        }
        {
            std::lock_guard l(p->ingestMutex);
            if (p->pipeline)
                p->pipeline->drain();
        }
        Q_EMIT p->q->demoLoaded(static_cast<qint64>(c->liveStart));
        if (!p->demoRunning)
            return;
        // Live: the rest of the story, then replays, stamped with the time they arrive,
        // sent to the live feed over loopback TCP like any producer (directly into the
        // pipeline when the feed is not listening).
        p->demoStreaming = true;
        auto sender = std::make_shared<demo::LineSender>();
        if (!p->liveAddress.isEmpty())
            sender->connectTo(str(p->liveAddress));
        auto* timer = new QTimer(p->demoWorker->context());
        auto carry = std::make_shared<double>(0.0);
        auto index = std::make_shared<std::size_t>(c->liveStart);
        auto loop = std::make_shared<int>(0);
        const double perTick = eventsPerSecond / 4.0;
        QObject::connect(timer, &QTimer::timeout, p->demoWorker->context(),
                         [p, c, carry, index, loop, perTick, sender] {
                             if (p->demoRunning)
                                 p->demoTick(perTick, *carry, *index, *loop, c, *sender);
                         });
        timer->start(250);
    });
    return true;
}

QByteArray EngineBridge::demoPolicies()
{
    return QByteArray::fromStdString(demo::policies());
}

void EngineBridge::stopDemo()
{
    d->demoRunning = false;
    d->demoStreaming = false;
    d->demoWorker.reset();
}

} // namespace vigil::ui
