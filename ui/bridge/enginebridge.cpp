// SPDX-License-Identifier: Apache-2.0
// EngineBridge: the database and its threads, request tokens, the live feed, and the hooks
// its other parts use. The requests live beside it, one file per area of the views:
// eventbridge.cpp, incidentbridge.cpp, overviewbridge.cpp, querybridge.cpp,
// mutebridge.cpp, ingestbridge.cpp (and iambridge.cpp, reviewbridge.cpp, reportbridge.cpp).
// Every SQL statement and every rule of the store is in core/; this class runs them on its
// threads and converts their values (bridgeconvert.h).
#include "bridge/enginebridge_p.h"

#include "base/timeutil.h"
#include "store/database.h"
#include "store/storereader.h"

#include <QDir>
#include <QFileInfo>
#include <QTemporaryFile>

#include <tuple>

namespace vigil::ui {

quint64 EngineBridge::Private::newToken()
{
    const quint64 t = nextToken++;
    std::lock_guard l(tokenMutex);
    pending.insert(t);
    return t;
}

bool EngineBridge::Private::isPending(quint64 t)
{
    std::lock_guard l(tokenMutex);
    return pending.contains(t);
}

bool EngineBridge::Private::finish(quint64 t)
{
    std::lock_guard l(tokenMutex);
    return pending.erase(t) > 0;
}

StoreReader* EngineBridge::Private::reader(BridgeWorker& w)
{
    std::string error;
    StoreReader* r = w.reader(path, &error);
    if (!r)
        Q_EMIT q->errorOccurred(QObject::tr("Cannot read the database: %1").arg(qstr(error)));
    return r;
}

// ---------------------------------------------------------------------------------------

EngineBridge::EngineBridge(QObject* parent) : QObject(parent), d(std::make_unique<Private>())
{
    d->q = this;
    qRegisterMetaType<EventSummary>();
    qRegisterMetaType<QVector<EventSummary>>();
    qRegisterMetaType<EventDetail>();
    qRegisterMetaType<IngestStatus>();
    qRegisterMetaType<IncidentSummary>();
    qRegisterMetaType<QVector<IncidentSummary>>();
    qRegisterMetaType<IncidentDetail>();
    qRegisterMetaType<OverviewData>();
    qRegisterMetaType<ImportState>();
    qRegisterMetaType<QVector<qint64>>();
    qRegisterMetaType<MuteRuleData>();
    qRegisterMetaType<QVector<MuteRuleData>>();
    qRegisterMetaType<QueryResultData>();
    qRegisterMetaType<QVector<SavedQueryInfo>>();
    d->startStatus();
}

EngineBridge::~EngineBridge()
{
    close();
}

QString EngineBridge::actorName()
{
    QString user = qEnvironmentVariable("USER");
    if (user.isEmpty())
        user = qEnvironmentVariable("LOGNAME");
    if (user.isEmpty())
        user = QStringLiteral("unknown");
    return user;
}

bool EngineBridge::loadEngine(const EngineOptions& options, QString* error)
{
    std::optional<std::string> rules, policies;
    if (options.rulesFile)
        rules = str(*options.rulesFile);
    if (options.policiesFile)
        policies = str(*options.policiesFile);
    // The engine reads policies from a file; embedded text goes through a temporary one.
    QTemporaryFile temp(QDir::tempPath() + QStringLiteral("/vigil-policies-XXXXXX.json"));
    if (options.policiesJson) {
        if (!temp.open() || temp.write(*options.policiesJson) != options.policiesJson->size() ||
            !temp.flush()) {
            if (error)
                *error = tr("Cannot write a temporary policy file.");
            return false;
        }
        policies = str(temp.fileName());
    }
    auto e = Engine::load(rules, policies);
    if (!e) {
        if (error)
            *error = qstr(e.error().message);
        return false;
    }
    d->engine = std::move(*e);
    return true;
}

bool EngineBridge::open(const QString& path, QString* error)
{
    close();
    if (!d->engine) {
        auto e = Engine::load(std::nullopt, std::nullopt);
        if (!e) {
            if (error)
                *error = qstr(e.error().message);
            return false;
        }
        d->engine = std::move(*e);
    }
    const bool createdNow = !QFileInfo::exists(path);
    if (createdNow)
        (void)createPrivateDirectory(str(QFileInfo(path).absolutePath())); // 0700: it holds PII
    auto w = StoreWriter::open(str(path));
    if (!w) {
        if (error)
            *error = qstr(w.error().message);
        return false;
    }
    d->writer = std::move(*w);
    d->path = str(path);
    d->qpath = path;
    {
        PipelineOptions po;
        d->engine->configure(po);
        std::lock_guard l(d->ingestMutex);
        d->pipeline = std::make_unique<IngestPipeline>(*d->writer, po);
        d->lineNumbers.clear();
    }
    startLive();
    d->query = std::make_unique<BridgeWorker>(QStringLiteral("vigil-query"));
    d->aggregate = std::make_unique<BridgeWorker>(QStringLiteral("vigil-aggregate"));
    d->tail = std::make_unique<BridgeWorker>(QStringLiteral("vigil-tail"));
    d->lastCommitted = 0;
    d->rateClock.start();
    d->criticalSince = nowEpochMs();
    d->notified.clear();

    d->startTail();
    d->statusTimer->start();
    loadRetentionState(createdNow);
    Q_EMIT databaseOpened(path);
    return true;
}

void EngineBridge::close()
{
    if (!d->writer)
        return;
    m_review.reset(); // stops the review thread before the writer goes (reviewbridge.cpp)
    d->statusTimer->stop();
    stopDemo();
    if (d->importThread.joinable())
        d->importThread.join();
    std::unique_ptr<IngestPipeline> pipeline;
    {
        std::lock_guard l(d->ingestMutex);
        pipeline = std::move(d->pipeline);
    }
    if (pipeline)
        pipeline->stop();
    if (d->live) {
        d->live->stop();
        d->live.reset();
        d->liveAddress.clear();
        d->httpAddress.clear();
    }
    // Let queued review tasks finish while the readers they hand results to still run.
    d->writer->flush();
    d->writer->setCommitListener({});
    d->query.reset();
    d->aggregate.reset();
    d->tail.reset();
    d->writer->close();
    d->writer.reset();
    d->statusPending = false;
    d->tailScheduled = false;
    std::lock_guard l(d->tokenMutex);
    d->pending.clear();
}

void EngineBridge::setLiveSettings(const LiveSettings& settings)
{
    d->liveSettings = settings;
}

QString EngineBridge::liveAddress() const
{
    return d->liveAddress;
}

QString EngineBridge::httpAddress() const
{
    return d->httpAddress;
}

EngineBridge::LiveSettings EngineBridge::liveSettings() const
{
    return d->liveSettings;
}

bool EngineBridge::applyLiveSettings(const LiveSettings& settings, QString* error)
{
    if (!d->writer) {
        if (error)
            *error = tr("No database is open.");
        return false;
    }
    // An address that does not parse changes nothing.
    for (const auto& [on, address, what] :
         {std::tuple{settings.tcp, settings.listen, tr("The live feed address is not valid: %1")},
          std::tuple{!settings.http.isEmpty(), settings.http, tr("The HTTP receiver's address is not valid: %1")}}) {
        if (!on)
            continue;
        if (auto parsed = parseListenAddress(str(address)); !parsed) {
            if (error)
                *error = what.arg(qstr(parsed.error().message));
            return false;
        }
    }
    LiveSettings next = settings;
    next.followFiles = d->liveSettings.followFiles; // files followed since stay followed
    // Restoring binds the ports the listeners had, not port 0 again.
    LiveSettings previous = d->liveSettings;
    if (!d->liveAddress.isEmpty())
        previous.listen = d->liveAddress;
    if (!d->httpAddress.isEmpty())
        previous.http = d->httpAddress;
    if (d->live) {
        d->live->stop();
        d->live.reset();
    }
    d->liveAddress.clear();
    d->httpAddress.clear();
    d->liveSettings = next;
    if (startLive(error))
        return true;
    d->liveSettings = previous;
    startLive();
    return false;
}

bool EngineBridge::startLive(QString* error)
{
    LiveOptions options;
    d->engine->configure(options.pipeline);
    options.tcp.reset();
    if (d->liveSettings.tcp) {
        auto address = parseListenAddress(str(d->liveSettings.listen));
        if (address) {
            TcpOptions tcp;
            tcp.host = address->first;
            tcp.port = address->second;
            options.tcp = tcp;
        } else {
            const QString why = tr("The live feed address is not valid: %1").arg(qstr(address.error().message));
            if (error) {
                *error = why;
                return false;
            }
            Q_EMIT errorOccurred(why);
        }
    }
    if (!d->liveSettings.http.isEmpty()) {
        auto address = parseListenAddress(str(d->liveSettings.http));
        if (address) {
            HttpOptions http;
            http.host = address->first;
            http.port = address->second;
            options.http = http;
        } else {
            const QString why =
                tr("The HTTP receiver's address is not valid: %1").arg(qstr(address.error().message));
            if (error) {
                *error = why;
                return false;
            }
            Q_EMIT errorOccurred(why);
        }
    }
    for (const QString& f : d->liveSettings.followFiles)
        options.tailFiles.push_back(str(f));
    options.tail.reader.roleAgents = roleAgentsOf(d->engine->policies().get());
    d->live = std::make_unique<LiveIngest>(*d->writer, options);
    if (auto r = d->live->start(); !r) {
        const QString why = tr("The live feed is not listening: %1").arg(qstr(r.error().message));
        if (error) {
            d->live.reset();
            *error = why;
            return false;
        }
        // Typically the port is taken (another Vigil, or `vigil-cli serve`): keep the
        // followed files going without the listeners.
        Q_EMIT errorOccurred(why);
        options.tcp.reset();
        options.http.reset();
        d->live = std::make_unique<LiveIngest>(*d->writer, options);
        if (auto again = d->live->start(); !again) {
            d->live.reset();
            return false;
        }
    }
    d->liveAddress = qstr(d->live->listenAddress());
    d->httpAddress = qstr(d->live->httpAddress());
    return true;
}

bool EngineBridge::followFile(const QString& path, QString* error)
{
    if (!d->live) {
        if (error)
            *error = tr("No database is open.");
        return false;
    }
    if (auto r = d->live->addTail(str(path)); !r) {
        if (error)
            *error = qstr(r.error().message);
        return false;
    }
    if (!d->liveSettings.followFiles.contains(path))
        d->liveSettings.followFiles.push_back(path);
    return true;
}

bool EngineBridge::isOpen() const
{
    return d->writer != nullptr;
}

QString EngineBridge::databasePath() const
{
    return d->qpath;
}

void EngineBridge::cancel(quint64 token)
{
    std::lock_guard l(d->tokenMutex);
    d->pending.erase(token);
}

// ---- IAM map hooks (used by ui/bridge/iambridge.cpp) ----------------------------------

quint64 EngineBridge::iamNewToken()
{
    return d->newToken();
}

bool EngineBridge::iamFinish(quint64 token)
{
    return d->finish(token);
}

bool EngineBridge::iamIsPending(quint64 token)
{
    return d->isPending(token);
}

std::shared_ptr<const iam::PolicySet> EngineBridge::iamEnginePolicies() const
{
    return d->engine ? d->engine->policies() : nullptr;
}

bool EngineBridge::iamPost(bool queryWorker, std::function<void(StoreReader*)> job)
{
    BridgeWorker* w = queryWorker ? d->query.get() : d->aggregate.get();
    if (!w)
        return false;
    Private* p = d.get();
    w->post([p, w, job = std::move(job)] { job(p->reader(*w)); });
    return true;
}

// ---- review hooks (used by ui/bridge/reviewbridge.cpp) --------------------------------

StoreWriter* EngineBridge::reviewWriter() const
{
    return d->writer.get();
}

std::shared_ptr<const iam::PolicySet> EngineBridge::reviewPolicies() const
{
    return d->engine ? d->engine->policies() : nullptr;
}

} // namespace vigil::ui
