// SPDX-License-Identifier: Apache-2.0
#include "bridge/enginebridge.h"

#include "bridge/bridgeutil.h"
#include "bridge/demofeed.h"
#include "common/csv.h"
#include "bridge/eventjson.h"

#include "base/jsonlimits.h"
#include "base/timeutil.h"
#include "pipeline/engine.h"
#include "pipeline/importer.h"
#include "pipeline/ingestpipeline.h"
#include "pipeline/liveingest.h"
#include "query/query.h"
#include "query/queryrunner.h"
#include "query/savedqueries.h"
#include "ingest/decoder.h"
#include "store/database.h"
#include "store/incidentreview.h"
#include "store/schema.h"
#include "store/storereader.h"
#include "store/storewriter.h"
#include "store/suppression.h"

#include <QDateTime>
#include <QFile>
#include <QSaveFile>
#include <QDir>
#include <QElapsedTimer>
#include <QFileInfo>
#include <QPointer>
#include <QRegularExpression>
#include <QTemporaryFile>
#include <QThread>
#include <QTimer>

#include <nlohmann/json.hpp>

#include <atomic>
#include <deque>
#include <map>
#include <mutex>
#include <set>
#include <thread>
#include <unordered_set>
#include <variant>

namespace vigil::ui {
namespace {

qint64 nowMs()
{
    return QDateTime::currentMSecsSinceEpoch();
}

EventFilter toFilter(const EventQuery& q)
{
    EventFilter f;
    if (q.minSeverity >= 0)
        f.minSeverity = static_cast<EventSeverity>(std::clamp(q.minSeverity, 0, 3));
    f.agent = str(q.agent);
    f.eventType = str(q.eventType);
    f.threadId = str(q.threadId);
    f.findingMask = q.findingMask;
    f.text = str(q.text);
    if (q.fromMs > 0)
        f.fromMs = q.fromMs;
    if (q.toMs > 0)
        f.toMs = q.toMs;
    return f;
}

FindingInfo toInfo(const FindingRow& f)
{
    FindingInfo i;
    i.id = f.id;
    i.incidentId = f.incidentId;
    i.rule = qstr(f.rule);
    i.category = qstr(f.category);
    i.field = qstr(f.field);
    i.message = qstr(f.message);
    i.layer = f.layer;
    i.severity = f.severity;
    i.start = f.start;
    i.end = f.end;
    return i;
}

/// Mute rules in force now, for one read (none when they cannot be read).
MuteScope muteNow(Database& db)
{
    auto scope = muteScope(db, nowMs());
    return scope ? *scope : MuteScope{nowMs(), false};
}

QVector<FindingInfo> findingsOf(StoreReader& r, std::int64_t rowId, bool markMuted = false)
{
    QVector<FindingInfo> out;
    if (auto fs = r.findingsForEvent(rowId))
        for (const FindingRow& f : *fs)
            out.push_back(toInfo(f));
    if (!markMuted || out.isEmpty())
        return out;
    const MuteScope scope = muteNow(r.database());
    if (!scope.any)
        return out;
    auto st = SqlStatement::prepare(r.database(), "SELECT f.id FROM findings f WHERE "
                                                  "f.event_rowid = ?1 AND " +
                                                      mutedFindingSql(scope, "f"));
    if (!st)
        return out;
    st->bind(1, rowId);
    while (auto row = st->step()) {
        if (!*row)
            break;
        for (FindingInfo& f : out)
            if (f.id == st->columnInt(0))
                f.muted = true;
    }
    return out;
}

EventSummary summarize(StoreReader& r, const EventRow& e)
{
    EventSummary s;
    s.rowId = e.rowId;
    s.timestampMs = e.timestampMs;
    s.eventType = qstr(e.eventType);
    s.agent = qstr(e.agent);
    s.threadId = qstr(e.threadId);
    s.eventId = qstr(e.eventId);
    s.severity = static_cast<int>(e.severity);
    s.findingMask = e.findingMask;
    s.findingSeverity = e.findingSeverity;
    // Only events with personal data or secrets need their spans to redact the preview.
    const QVector<FindingInfo> findings =
        eventjson::maskHasSensitive(e.findingMask) ? findingsOf(r, e.rowId) : QVector<FindingInfo>{};
    s.preview = eventjson::preview(e.eventType, e.details, findings);
    return s;
}

/// Parameters of a statement built from optional filters, bound in order. Texts are kept
/// in a deque so that SQLITE_STATIC bindings stay valid.
struct Params
{
    std::string where;
    std::deque<std::string> texts;
    std::vector<std::variant<std::int64_t, const std::string*>> values;

    void add(const std::string& clause)
    {
        where += where.empty() ? " WHERE " : " AND ";
        where += clause;
    }
    void text(const std::string& clause, std::string v)
    {
        add(clause);
        texts.push_back(std::move(v));
        values.emplace_back(&texts.back());
    }
    void integer(const std::string& clause, std::int64_t v)
    {
        add(clause);
        values.emplace_back(v);
    }
    int bind(SqlStatement& st) const
    {
        int i = 1;
        for (const auto& v : values) {
            if (const auto* n = std::get_if<std::int64_t>(&v))
                st.bind(i++, *n);
            else
                st.bindText(i++, *std::get<const std::string*>(v));
        }
        return i;
    }
};

/// The user's search text as an FTS5 query in which every term is a quoted string (a prefix
/// match): quotes are doubled, so no input can become FTS5 syntax (operators, columns, NEAR).
std::string ftsQuery(const QString& text)
{
    std::string out;
    for (QString term : text.split(QRegularExpression(QStringLiteral("\\s+")), Qt::SkipEmptyParts)) {
        term.replace(u'"', QStringLiteral("\"\""));
        if (!out.empty())
            out += ' ';
        out += "\"" + str(term) + "\"*";
    }
    return out;
}

constexpr const char* kIncidentColumns =
    "id, title, category, rule, agent, thread_id, layer, severity, first_ms, last_ms, "
    "findings, status, assignee, notes, updated_ms, stored_findings";

/// The incidents table as reads see it: `findings` and `severity` leave out findings that a
/// mute rule in force mutes; `stored_findings` is the stored count. Select kIncidentColumns
/// from it, with the incidents' own column names in WHERE.
std::string incidentsSource(const MuteScope& scope)
{
    return "(SELECT i.id, i.title, i.category, i.rule, i.agent, i.thread_id, i.layer, " +
           liveIncidentSeveritySql(scope, "i") + " AS severity, i.first_ms, i.last_ms, " +
           liveIncidentFindingsSql(scope, "i") + " AS findings, i.status, i.assignee, i.notes, "
           "i.updated_ms, i.findings AS stored_findings FROM incidents i)";
}

IncidentSummary readIncident(const SqlStatement& st)
{
    IncidentSummary i;
    i.id = st.columnInt(0);
    i.title = qstr(st.columnText(1));
    i.category = qstr(st.columnText(2));
    i.rule = qstr(st.columnText(3));
    i.agent = qstr(st.columnText(4));
    i.threadId = qstr(st.columnText(5));
    i.layer = static_cast<int>(st.columnInt(6));
    i.severity = static_cast<int>(st.columnInt(7));
    i.firstMs = st.columnInt(8);
    i.lastMs = st.columnInt(9);
    i.findings = st.columnInt(10);
    i.status = qstr(st.columnText(11));
    i.assignee = qstr(st.columnText(12));
    i.notes = qstr(st.columnText(13));
    i.updatedMs = st.columnInt(14);
    i.mutedFindings = std::max<std::int64_t>(0, st.columnInt(15) - i.findings);
    return i;
}

/// Runs `st` to the end, calling `row` for each result row.
template <typename F>
Result<void> eachRow(SqlStatement& st, F row)
{
    for (;;) {
        auto r = st.step();
        if (!r)
            return std::unexpected(r.error());
        if (!*r)
            return {};
        row(st);
    }
}

Result<std::int64_t> scalar(Database& db, const std::string& sql)
{
    auto st = SqlStatement::prepare(db, sql);
    if (!st)
        return std::unexpected(st.error());
    auto r = st->step();
    if (!r)
        return std::unexpected(r.error());
    return *r ? st->columnInt(0) : 0;
}

const QStringList kStatuses{QStringLiteral("open"), QStringLiteral("investigating"),
                            QStringLiteral("resolved"), QStringLiteral("false_positive")};

} // namespace

// ---------------------------------------------------------------------------------------

struct EngineBridge::Private
{
    EngineBridge* q = nullptr;
    std::optional<Engine> engine;
    std::unique_ptr<StoreWriter> writer;
    std::unique_ptr<IngestPipeline> pipeline; // lines handed over by ingestLines()
    std::unique_ptr<LiveIngest> live;         // TCP feed and followed files
    LiveSettings liveSettings;
    QString liveAddress;
    QString httpAddress;
    std::mutex ingestMutex; // guards `pipeline` and `lineNumbers` for ingestLines()
    std::map<std::string, std::int64_t> lineNumbers;
    std::string path;
    QString qpath;

    std::unique_ptr<BridgeWorker> query;     // pages, details, incident lists
    std::unique_ptr<BridgeWorker> aggregate; // charts, status, notifications
    std::unique_ptr<BridgeWorker> tail;      // the live tail

    std::mutex tokenMutex;
    std::unordered_set<quint64> pending;
    std::atomic<quint64> nextToken{1};

    std::atomic<bool> tailScheduled{false};
    std::int64_t tailLast = 0; // tail thread only

    QTimer* statusTimer = nullptr;
    QElapsedTimer rateClock;
    std::int64_t lastCommitted = 0;
    std::atomic<bool> statusPending{false};
    std::int64_t criticalSince = 0;       // aggregate thread only (after open)
    std::set<std::int64_t> notified;      // aggregate thread only

    std::thread importThread;
    std::atomic<bool> importing{false};

    // Demo feed: a thread of its own whose timer streams the corpus' live part.
    std::unique_ptr<BridgeWorker> demoWorker;
    std::atomic<bool> demoRunning{false};
    std::atomic<bool> demoStreaming{false};

    quint64 newToken()
    {
        const quint64 t = nextToken++;
        std::lock_guard l(tokenMutex);
        pending.insert(t);
        return t;
    }
    bool isPending(quint64 t)
    {
        std::lock_guard l(tokenMutex);
        return pending.contains(t);
    }
    /// True once for a pending token: the result may be emitted.
    bool finish(quint64 t)
    {
        std::lock_guard l(tokenMutex);
        return pending.erase(t) > 0;
    }

    StoreReader* reader(BridgeWorker& w)
    {
        std::string error;
        StoreReader* r = w.reader(path, &error);
        if (!r)
            Q_EMIT q->errorOccurred(QObject::tr("Cannot read the database: %1").arg(qstr(error)));
        return r;
    }

    void scheduleTail()
    {
        if (!tailScheduled.exchange(true))
            tail->post([this] { drainTail(); });
    }

    void drainTail()
    {
        tailScheduled = false;
        StoreReader* r = reader(*tail);
        if (!r)
            return;
        constexpr int kPage = 4096;
        for (;;) {
            auto rows = r->eventsAfterRow(tailLast, kPage);
            if (!rows || rows->empty())
                return;
            QVector<EventSummary> out;
            out.reserve(static_cast<qsizetype>(rows->size()));
            for (const EventRow& e : *rows)
                out.push_back(summarize(*r, e));
            tailLast = rows->back().rowId;
            Q_EMIT q->eventsCommitted(out);
            if (rows->size() < static_cast<std::size_t>(kPage))
                return;
        }
    }

    void loadDetail(quint64 token, qint64 rowId, bool reveal)
    {
        if (!isPending(token))
            return;
        EventDetail detail;
        if (StoreReader* r = reader(*query)) {
            auto ev = r->event(rowId);
            if (ev && *ev) {
                const EventRow& e = **ev;
                const QVector<FindingInfo> findings = findingsOf(*r, rowId, true);
                detail.summary = summarize(*r, e);
                eventjson::TopLevel top{e.timestampMs, e.eventType, e.agent, e.threadId,
                                        std::string(toString(e.severity)), e.eventId, e.userId};
                eventjson::render(top, e.details, findings, reveal, detail);
            } else {
                detail.found = false;
            }
        } else {
            detail.found = false;
        }
        if (finish(token))
            Q_EMIT q->eventDetailReady(token, detail);
    }

    void updateStatus(IngestStatus status)
    {
        StoreReader* r = reader(*aggregate);
        if (!r) {
            statusPending = false;
            return;
        }
        Database& db = r->database();
        status.sources = scalar(db, "SELECT count(*) FROM sources").value_or(0);
        status.events = scalar(db, "SELECT count(*) FROM events").value_or(0);
        status.findings = scalar(db, "SELECT count(*) FROM findings").value_or(0);
        // Incidents whose findings are all muted leave the count and the alerts.
        const MuteScope mute = muteNow(db);
        const std::string incidents = incidentsSource(mute);
        status.openIncidents =
            scalar(db, ("SELECT count(*) FROM " + incidents +
                        " WHERE status IN ('open', 'investigating') AND findings > 0")
                           .c_str())
                .value_or(0);
        status.databaseBytes = QFileInfo(qpath).size() + QFileInfo(qpath + QStringLiteral("-wal")).size();
        Q_EMIT q->statusUpdated(status);

        // Critical incidents created or raised to critical since the database was opened.
        auto st = SqlStatement::prepare(db, std::string("SELECT ") + kIncidentColumns + " FROM " +
                                                incidents + " WHERE severity >= 3 AND findings > 0 "
                                                "AND updated_ms >= ?1 ORDER BY id");
        if (st) {
            st->bind(1, criticalSince);
            QVector<IncidentSummary> fresh;
            (void)eachRow(*st, [&](const SqlStatement& s) {
                IncidentSummary i = readIncident(s);
                if (notified.insert(i.id).second)
                    fresh.push_back(std::move(i));
            });
            if (!fresh.isEmpty())
                Q_EMIT q->criticalIncidents(fresh);
        }
        statusPending = false;
    }

    void demoTick(double perTick, double& carry, std::size_t& index, int& loop,
                  const std::shared_ptr<demo::Corpus>& c, demo::LineSender& sender)
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
};

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
    d->statusTimer = new QTimer(this);
    d->statusTimer->setInterval(1000);
    connect(d->statusTimer, &QTimer::timeout, this, [this] {
        if (!d->writer || d->statusPending.exchange(true))
            return;
        const WriterStats ws = d->writer->stats();
        IngestStatus s;
        const double secs = std::max(0.001, double(d->rateClock.restart()) / 1000.0);
        s.eventsPerSecond = double(ws.committedEvents - d->lastCommitted) / secs;
        d->lastCommitted = ws.committedEvents;
        s.queueDepth = ws.queueDepth;
        s.storageRetrying = ws.retrying;
        s.storageError = qstr(ws.lastError);
        for (const std::string& name : ws.stoppedSources)
            s.stoppedSources << qstr(name);
        if (d->pipeline)
            s.queueDepth += d->pipeline->stats().inFlight;
        if (d->live) {
            const LiveStats ls = d->live->stats();
            s.queueDepth += ls.pipelineInFlight;
            s.connections = ls.connectionsOpen;
            s.followedFiles = static_cast<qint64>(ls.files.size());
            s.listenAddress = d->liveAddress;
            s.httpAddress = d->httpAddress;
        }
        s.state = d->importing ? QStringLiteral("importing")
                  : d->demoStreaming ? QStringLiteral("demo")
                  : s.eventsPerSecond > 0 ? QStringLiteral("live")
                                          : QStringLiteral("idle");
        d->aggregate->post([this, s] { d->updateStatus(s); });
    });
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
    d->criticalSince = nowMs();
    d->notified.clear();

    // The tail starts after what is stored now; commits wake it, and a slow poll catches
    // rows committed by other processes (vigil-cli import into the same database).
    Private* p = d.get();
    d->tail->post([p] {
        if (StoreReader* r = p->reader(*p->tail))
            p->tailLast = scalar(r->database(), "SELECT coalesce(max(id), 0) FROM events").value_or(0);
        auto* poll = new QTimer(p->tail->context());
        QObject::connect(poll, &QTimer::timeout, p->tail->context(), [p] { p->drainTail(); });
        poll->start(1000);
    });
    d->writer->setCommitListener([p](const std::vector<CommittedEvent>&) { p->scheduleTail(); });
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

void EngineBridge::startLive()
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
            Q_EMIT errorOccurred(tr("The live feed address is not valid: %1").arg(qstr(address.error().message)));
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
            Q_EMIT errorOccurred(tr("The HTTP receiver's address is not valid: %1").arg(qstr(address.error().message)));
        }
    }
    for (const QString& f : d->liveSettings.followFiles)
        options.tailFiles.push_back(str(f));
    options.tail.reader.roleAgents = roleAgentsOf(d->engine->policies().get());
    d->live = std::make_unique<LiveIngest>(*d->writer, options);
    if (auto r = d->live->start(); !r) {
        // Typically the port is taken (another Vigil, or `vigil-cli serve`): keep the
        // followed files going without the listeners.
        Q_EMIT errorOccurred(tr("The live feed is not listening: %1").arg(qstr(r.error().message)));
        options.tcp.reset();
        options.http.reset();
        d->live = std::make_unique<LiveIngest>(*d->writer, options);
        if (auto again = d->live->start(); !again) {
            d->live.reset();
            return;
        }
    }
    d->liveAddress = qstr(d->live->listenAddress());
    d->httpAddress = qstr(d->live->httpAddress());
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

quint64 EngineBridge::loadEvents(const EventQuery& query, std::optional<PageKey> after, int limit)
{
    if (!d->query)
        return 0;
    const quint64 token = d->newToken();
    Private* p = d.get();
    d->query->post([p, token, query, after, limit] {
        if (!p->isPending(token))
            return; // cancelled before it ran: the loader skips the query
        QVector<EventSummary> out;
        if (StoreReader* r = p->reader(*p->query)) {
            std::optional<EventKey> from;
            if (after)
                from = EventKey{after->timestampMs, after->rowId};
            auto rows = r->events(toFilter(query), from, query.ascending, limit);
            if (rows) {
                out.reserve(static_cast<qsizetype>(rows->size()));
                for (const EventRow& e : *rows)
                    out.push_back(summarize(*r, e));
            } else {
                Q_EMIT p->q->errorOccurred(qstr(rows.error().message));
            }
        }
        if (p->finish(token))
            Q_EMIT p->q->eventsLoaded(token, out);
    });
    return token;
}

quint64 EngineBridge::countEvents(const EventQuery& query)
{
    if (!d->aggregate)
        return 0;
    const quint64 token = d->newToken();
    Private* p = d.get();
    d->aggregate->post([p, token, query] {
        if (!p->isPending(token))
            return;
        qint64 n = 0;
        if (StoreReader* r = p->reader(*p->aggregate))
            n = r->countEvents(toFilter(query)).value_or(0);
        if (p->finish(token))
            Q_EMIT p->q->eventsCounted(token, n);
    });
    return token;
}

quint64 EngineBridge::loadEventDetail(qint64 rowId)
{
    if (!d->query)
        return 0;
    const quint64 token = d->newToken();
    Private* p = d.get();
    d->query->post([p, token, rowId] { p->loadDetail(token, rowId, false); });
    return token;
}

quint64 EngineBridge::revealEventDetail(qint64 rowId)
{
    if (!d->writer)
        return 0;
    const quint64 token = d->newToken();
    Private* p = d.get();
    const std::string actor = str(actorName());
    const bool queued = d->writer->post(
        [rowId, actor](Database& db) -> Result<void> {
            auto st = SqlStatement::prepare(
                db, "INSERT INTO audit_trail(ts_ms, actor, action, target, detail) "
                    "SELECT ?1, ?2, 'reveal_event', 'event:' || ?3, coalesce(event_id, '') "
                    "FROM events WHERE id = ?3");
            if (!st)
                return std::unexpected(st.error());
            st->bind(1, nowEpochMs()).bindText(2, actor).bind(3, static_cast<std::int64_t>(rowId));
            return st->run();
        },
        [p, token, rowId](const Result<void>& r) {
            // Writer thread: the reveal is committed before the clear text is read.
            if (!r) {
                p->finish(token);
                Q_EMIT p->q->errorOccurred(
                    QObject::tr("The reveal could not be recorded, so the event stays redacted: %1")
                        .arg(qstr(r.error().message)));
                return;
            }
            Q_EMIT p->q->revealRecorded(rowId);
            p->query->post([p, token, rowId] { p->loadDetail(token, rowId, true); });
        });
    if (!queued)
        d->finish(token);
    return queued ? token : 0;
}

quint64 EngineBridge::loadIncidents(const IncidentQuery& query)
{
    if (!d->query)
        return 0;
    const quint64 token = d->newToken();
    Private* p = d.get();
    d->query->post([p, token, query] {
        if (!p->isPending(token))
            return;
        QVector<IncidentSummary> out;
        if (StoreReader* r = p->reader(*p->query)) {
            Params w;
            if (!query.statuses.isEmpty()) {
                std::string in;
                for (const QString& s : query.statuses) {
                    w.texts.push_back(str(s));
                    w.values.emplace_back(&w.texts.back());
                    in += in.empty() ? "?" : ", ?";
                }
                w.add("status IN (" + in + ")");
            }
            if (query.minSeverity >= 0)
                w.integer("severity >= ?", query.minSeverity);
            if (query.severity >= 0)
                w.integer("severity = ?", query.severity);
            if (!query.category.isEmpty())
                w.text("category = ?", str(query.category));
            if (query.layer > 0)
                w.integer("layer = ?", query.layer);
            if (!query.agent.isEmpty())
                w.text("agent = ?", str(query.agent));
            if (query.fromMs > 0)
                w.integer("last_ms >= ?", query.fromMs);
            if (query.toMs > 0)
                w.integer("first_ms <= ?", query.toMs);
            if (const std::string fts = ftsQuery(query.text); !fts.empty())
                w.text("id IN (SELECT rowid FROM incidents_fts WHERE incidents_fts MATCH ?)", fts);
            // Incidents whose findings are all muted come along, marked (IncidentSummary::
            // muted()): the view hides them unless asked to show what is muted.
            auto st = SqlStatement::prepare(r->database(), std::string("SELECT ") + kIncidentColumns +
                                                               " FROM " + incidentsSource(muteNow(r->database())) +
                                                               w.where +
                                                               " ORDER BY last_ms DESC, id DESC LIMIT ?");
            if (st) {
                st->bind(w.bind(*st), query.limit);
                auto done = eachRow(*st, [&](const SqlStatement& s) { out.push_back(readIncident(s)); });
                if (!done)
                    Q_EMIT p->q->errorOccurred(qstr(done.error().message));
            } else {
                Q_EMIT p->q->errorOccurred(qstr(st.error().message));
            }
        }
        if (p->finish(token))
            Q_EMIT p->q->incidentsLoaded(token, out);
    });
    return token;
}

quint64 EngineBridge::loadIncidentDetail(qint64 incidentId)
{
    if (!d->query)
        return 0;
    const quint64 token = d->newToken();
    Private* p = d.get();
    d->query->post([p, token, incidentId] {
        if (!p->isPending(token))
            return;
        IncidentDetail out;
        out.found = false;
        if (StoreReader* r = p->reader(*p->query)) {
            Database& db = r->database();
            const MuteScope mute = muteNow(db);
            auto st = SqlStatement::prepare(db, std::string("SELECT ") + kIncidentColumns + " FROM " +
                                                    incidentsSource(mute) + " WHERE id = ?1");
            if (st) {
                st->bind(1, static_cast<std::int64_t>(incidentId));
                (void)eachRow(*st, [&](const SqlStatement& s) {
                    out.incident = readIncident(s);
                    out.found = true;
                });
            }
            auto hist = SqlStatement::prepare(
                db, "SELECT ts_ms, actor, field, old_value, new_value FROM incident_history "
                    "WHERE incident_id = ?1 ORDER BY ts_ms, id");
            if (hist) {
                hist->bind(1, static_cast<std::int64_t>(incidentId));
                (void)eachRow(*hist, [&](const SqlStatement& s) {
                    out.history.push_back(IncidentHistoryEntry{s.columnInt(0), qstr(s.columnText(1)),
                                                               qstr(s.columnText(2)), qstr(s.columnText(3)),
                                                               qstr(s.columnText(4))});
                });
            }
            auto fs = SqlStatement::prepare(
                db, "SELECT id, event_rowid, rule, category, field, message, layer, severity, "
                    "coalesce(span_start, -1), coalesce(span_end, -1), " +
                    mutedFindingSql(mute, "findings") + " FROM findings "
                    "WHERE incident_id = ?1 ORDER BY ts, id LIMIT 1000");
            std::vector<std::int64_t> rows;
            if (fs) {
                fs->bind(1, static_cast<std::int64_t>(incidentId));
                (void)eachRow(*fs, [&](const SqlStatement& s) {
                    FindingInfo f;
                    f.id = s.columnInt(0);
                    f.incidentId = incidentId;
                    f.rule = qstr(s.columnText(2));
                    f.category = qstr(s.columnText(3));
                    f.field = qstr(s.columnText(4));
                    f.message = qstr(s.columnText(5));
                    f.layer = static_cast<int>(s.columnInt(6));
                    f.severity = static_cast<int>(s.columnInt(7));
                    f.start = static_cast<int>(s.columnInt(8));
                    f.end = static_cast<int>(s.columnInt(9));
                    f.muted = s.columnInt(10) != 0;
                    out.findings.push_back(f);
                    const std::int64_t row = s.columnInt(1);
                    if (rows.empty() || rows.back() != row)
                        rows.push_back(row);
                });
            }
            rows.erase(std::unique(rows.begin(), rows.end()), rows.end());
            for (std::size_t i = 0; i < rows.size() && i < 500; ++i)
                if (auto ev = r->event(rows[i]); ev && *ev)
                    out.evidence.push_back(summarize(*r, **ev));
        }
        if (p->finish(token))
            Q_EMIT p->q->incidentDetailReady(token, out);
    });
    return token;
}

quint64 EngineBridge::loadOverview(OverviewRange range)
{
    if (!d->aggregate)
        return 0;
    const quint64 token = d->newToken();
    Private* p = d.get();
    d->aggregate->post([p, token, range] {
        if (!p->isPending(token))
            return;
        OverviewData o;
        o.range = range;
        StoreReader* r = p->reader(*p->aggregate);
        if (!r) {
            if (p->finish(token))
                Q_EMIT p->q->overviewReady(token, o);
            return;
        }
        Database& db = r->database();
        const std::int64_t first = scalar(db, "SELECT coalesce(min(ts), 0) FROM events").value_or(0);
        const std::int64_t last = scalar(db, "SELECT coalesce(max(ts), 0) FROM events").value_or(0);
        // The window ends at the newest event (a database of old logs still shows its last
        // hour), rounded up to a whole minute.
        constexpr std::int64_t kMinute = 60000;
        o.toMs = (std::max<std::int64_t>(last, 1) / kMinute + 1) * kMinute;
        switch (range) {
        case OverviewRange::LastHour: o.fromMs = o.toMs - 60 * kMinute; break;
        case OverviewRange::Last24Hours: o.fromMs = o.toMs - 24 * 60 * kMinute; break;
        case OverviewRange::All: o.fromMs = (first / kMinute) * kMinute; break;
        }
        if (o.toMs - o.fromMs < kMinute)
            o.fromMs = o.toMs - kMinute;
        // Per minute where that gives a readable chart; wider buckets over long histories.
        const std::int64_t span = o.toMs - o.fromMs;
        o.bucketMs = std::max<std::int64_t>(kMinute, (span / 720 / kMinute + 1) * kMinute);
        if (span <= 24 * 60 * kMinute)
            o.bucketMs = kMinute;
        const std::int64_t nBuckets = (span + o.bucketMs - 1) / o.bucketMs;
        o.buckets.resize(static_cast<qsizetype>(nBuckets));
        for (std::int64_t i = 0; i < nBuckets; ++i)
            o.buckets[static_cast<qsizetype>(i)].startMs = o.fromMs + i * o.bucketMs;

        auto run = [&](const char* sql, auto row) {
            auto st = SqlStatement::prepare(db, sql);
            if (!st) {
                Q_EMIT p->q->errorOccurred(qstr(st.error().message));
                return;
            }
            st->bind(1, std::int64_t{o.fromMs}).bind(2, std::int64_t{o.toMs}).bind(3, std::int64_t{o.bucketMs});
            (void)eachRow(*st, row);
        };
        run("SELECT (ts - ?1) / ?3 AS b, severity, count(*) FROM events "
            "WHERE ts >= ?1 AND ts < ?2 GROUP BY b, severity",
            [&](const SqlStatement& s) {
                const auto b = s.columnInt(0);
                const auto sev = std::clamp<std::int64_t>(s.columnInt(1), 0, 3);
                if (b >= 0 && b < nBuckets) {
                    o.buckets[static_cast<qsizetype>(b)].counts[static_cast<std::size_t>(sev)] += s.columnInt(2);
                    o.events += s.columnInt(2);
                }
            });
        run("SELECT category, count(*) AS n FROM findings WHERE ts >= ?1 AND ts < ?2 AND ?3 > 0 "
            "GROUP BY category ORDER BY n DESC, category",
            [&](const SqlStatement& s) {
                o.findingsByCategory.push_back({qstr(s.columnText(0)), s.columnInt(1)});
            });
        run("SELECT layer, count(*) FROM findings WHERE ts >= ?1 AND ts < ?2 AND ?3 > 0 GROUP BY layer",
            [&](const SqlStatement& s) {
                const auto layer = s.columnInt(0);
                if (layer >= 1 && layer <= 7)
                    o.findingsByLayer[static_cast<std::size_t>(layer - 1)] += s.columnInt(1);
            });
        // Open incidents are a state, not a rate: all of them, whatever the window.
        const std::string openBySeverity =
            "SELECT severity, count(*) FROM " + incidentsSource(muteNow(db)) +
            " WHERE status IN ('open', 'investigating') AND findings > 0 "
            "AND ?1 = ?1 AND ?2 = ?2 AND ?3 = ?3 GROUP BY severity";
        run(openBySeverity.c_str(),
            [&](const SqlStatement& s) {
                const auto sev = std::clamp<std::int64_t>(s.columnInt(0), 0, 3);
                o.openIncidentsBySeverity[static_cast<std::size_t>(sev)] += s.columnInt(1);
            });
        run("SELECT agent, "
            "sum(CASE WHEN event_type = 'brain_plan_created' "
            "THEN coalesce(json_extract(details, '$.tokens'), 0) ELSE 0 END), "
            "sum(coalesce(json_extract(details, '$.cost'), 0)) "
            "FROM events WHERE event_type IN ('brain_plan_created', 'sql_executed') "
            "AND ts >= ?1 AND ts < ?2 AND ?3 > 0 GROUP BY agent ORDER BY agent",
            [&](const SqlStatement& s) {
                o.usage.push_back(AgentUsage{qstr(s.columnText(0)), s.columnInt(1), s.columnDouble(2)});
            });
        if (p->finish(token))
            Q_EMIT p->q->overviewReady(token, o);
    });
    return token;
}

quint64 EngineBridge::loadVocabulary()
{
    if (!d->aggregate)
        return 0;
    const quint64 token = d->newToken();
    Private* p = d.get();
    d->aggregate->post([p, token] {
        if (!p->isPending(token))
            return;
        QStringList agents, types;
        if (StoreReader* r = p->reader(*p->aggregate)) {
            for (auto [list, sql] : {std::pair{&agents, "SELECT DISTINCT agent FROM events ORDER BY 1"},
                                     std::pair{&types, "SELECT DISTINCT event_type FROM events ORDER BY 1"}}) {
                auto st = SqlStatement::prepare(r->database(), sql);
                if (st)
                    (void)eachRow(*st, [&](const SqlStatement& s) { list->push_back(qstr(s.columnText(0))); });
            }
        }
        if (p->finish(token))
            Q_EMIT p->q->vocabularyReady(token, agents, types);
    });
    return token;
}

// ---- the query bar ---------------------------------------------------------------------

quint64 EngineBridge::runQuery(const QString& text)
{
    if (!d->query)
        return 0;
    const quint64 token = d->newToken();
    Private* p = d.get();
    d->query->post([p, token, text] {
        if (!p->isPending(token))
            return;
        QueryResultData out;
        out.text = text;
        const std::string utf8 = str(text);
        auto compiled = query::compileQuery(utf8);
        if (!compiled) {
            const query::QueryError& e = compiled.error();
            const std::size_t offset = std::min(e.offset, utf8.size());
            const std::size_t length = std::min(e.length, utf8.size() - offset);
            out.error = qstr(e.message);
            out.errorColumn = e.column;
            // Positions in the QString the user edits (UTF-16), not in the UTF-8 bytes.
            out.errorPosition = static_cast<int>(QString::fromUtf8(utf8.data(), static_cast<qsizetype>(offset)).size());
            out.errorLength = std::max<int>(
                1, static_cast<int>(QString::fromUtf8(utf8.data() + offset, static_cast<qsizetype>(length)).size()));
        } else if (StoreReader* r = p->reader(*p->query)) {
            auto result = query::runQuery(r->database(), *compiled); // redacted
            if (!result) {
                out.error = qstr(result.error().message);
            } else {
                out.ok = true;
                out.truncated = result->truncated;
                out.eventRows = !compiled->aggregate && !compiled->findings;
                for (const query::Column& c : result->columns)
                    out.columns << qstr(c.name);
                out.cells.reserve(static_cast<qsizetype>(result->rows.size()));
                for (const auto& row : result->rows) {
                    QStringList cells;
                    for (std::size_t c = 0; c < result->columns.size(); ++c)
                        cells << qstr(query::cellText(result->columns[c].kind, row[c]));
                    out.cells.push_back(std::move(cells));
                }
                for (std::int64_t id : result->eventRowIds)
                    out.rowIds.push_back(id);
                if (out.eventRows) {
                    out.events.reserve(out.rowIds.size());
                    for (qint64 id : out.rowIds) {
                        if (!p->isPending(token))
                            return; // superseded: stop reading
                        auto ev = r->event(id);
                        if (ev && *ev)
                            out.events.push_back(summarize(*r, **ev));
                    }
                }
            }
        } else {
            out.error = tr("The database cannot be read");
        }
        if (p->finish(token))
            Q_EMIT p->q->queryFinished(token, out);
    });
    return token;
}

quint64 EngineBridge::loadSavedQueries()
{
    if (!d->query)
        return 0;
    const quint64 token = d->newToken();
    Private* p = d.get();
    d->query->post([p, token] {
        if (!p->isPending(token))
            return;
        QVector<SavedQueryInfo> out;
        if (StoreReader* r = p->reader(*p->query)) {
            auto list = query::listSavedQueries(r->database());
            if (!list)
                Q_EMIT p->q->errorOccurred(tr("Cannot read the saved queries: %1").arg(qstr(list.error().message)));
            for (const query::SavedQuery& q : list ? *list : query::builtinQueries())
                out.push_back(SavedQueryInfo{qstr(q.name), qstr(q.text), qstr(q.description), qstr(q.author),
                                             q.builtin});
        }
        if (p->finish(token))
            Q_EMIT p->q->savedQueriesLoaded(token, out);
    });
    return token;
}

quint64 EngineBridge::saveQuery(const QString& name, const QString& text)
{
    if (!d->writer)
        return 0;
    const quint64 token = d->newToken();
    Private* p = d.get();
    const std::string n = str(name), t = str(text), actor = str(actorName());
    const bool queued = d->writer->post(
        [n, t, actor](Database& db) { return query::saveQuery(db, n, t, actor, nowEpochMs()); },
        [p, token, name](const Result<void>& r) {
            if (p->finish(token))
                Q_EMIT p->q->querySaved(token, r.has_value(),
                                        r ? tr("Saved query %1").arg(name) : qstr(r.error().message));
        });
    if (!queued)
        d->finish(token);
    return queued ? token : 0;
}

quint64 EngineBridge::deleteSavedQuery(const QString& name)
{
    if (!d->writer)
        return 0;
    const quint64 token = d->newToken();
    Private* p = d.get();
    const std::string n = str(name);
    const bool queued = d->writer->post(
        [n](Database& db) { return query::deleteSavedQuery(db, n); },
        [p, token, name](const Result<void>& r) {
            if (p->finish(token))
                Q_EMIT p->q->querySaved(token, r.has_value(),
                                        r ? tr("Deleted query %1").arg(name) : qstr(r.error().message));
        });
    if (!queued)
        d->finish(token);
    return queued ? token : 0;
}

QStringList EngineBridge::queryVocabulary()
{
    return qlist(query::queryCommands()) + qlist(query::queryFieldNames()) + qlist(query::queryKeywords());
}

quint64 EngineBridge::exportEvents(const EventQuery& query, const QString& path, ExportFormat format)
{
    if (!d->query)
        return 0;
    const quint64 token = d->newToken();
    Private* p = d.get();
    d->query->post([p, token, query, path, format] {
        StoreReader* r = p->reader(*p->query);
        QSaveFile out(path);
        if (!r || !out.open(QIODevice::WriteOnly)) {
            if (p->finish(token))
                Q_EMIT p->q->exportFinished(token, false, tr("Cannot write %1: %2").arg(path, out.errorString()));
            return;
        }
        if (format == ExportFormat::Csv)
            out.write(csv::record({QStringLiteral("timestamp"), QStringLiteral("severity"),
                                   QStringLiteral("event_type"), QStringLiteral("agent_name"),
                                   QStringLiteral("thread_id"), QStringLiteral("event_id"),
                                   QStringLiteral("findings"), QStringLiteral("details")})
                          .toUtf8());
        const EventFilter filter = toFilter(query);
        std::optional<EventKey> from;
        qint64 written = 0;
        for (;;) {
            if (!p->isPending(token))
                return; // cancelled: QSaveFile discards the partial file
            auto rows = r->events(filter, from, query.ascending, 2000);
            if (!rows) {
                if (p->finish(token))
                    Q_EMIT p->q->exportFinished(token, false, qstr(rows.error().message));
                return;
            }
            for (const EventRow& e : *rows) {
                const QVector<FindingInfo> findings = findingsOf(*r, e.rowId);
                const std::string details = eventjson::maskHasSensitive(e.findingMask)
                                                ? eventjson::redactedDetails(e.details, findings)
                                                : e.details;
                QStringList rules;
                for (const FindingInfo& f : findings)
                    rules << f.rule;
                if (format == ExportFormat::Csv) {
                    out.write(csv::record({csv::cell(qstr(formatRfc3339Utc(e.timestampMs))),
                                           csv::cell(qstr(std::string(toString(e.severity)))),
                                           csv::cell(qstr(e.eventType)), csv::cell(qstr(e.agent)),
                                           csv::cell(qstr(e.threadId)), csv::cell(qstr(e.eventId)),
                                           csv::cell(rules.join(u' ')), csv::cell(qstr(details))})
                                  .toUtf8());
                } else {
                    nlohmann::ordered_json j;
                    j["timestamp"] = formatRfc3339Utc(e.timestampMs);
                    j["event_type"] = e.eventType;
                    j["agent_name"] = e.agent;
                    j["thread_id"] = e.threadId;
                    j["severity"] = std::string(toString(e.severity));
                    if (!e.eventId.empty())
                        j["event_id"] = e.eventId;
                    if (!e.userId.empty())
                        j["user_id"] = e.userId;
                    auto tree = withinJsonLimits(details)
                                    ? nlohmann::ordered_json::parse(details, nullptr, false)
                                    : nlohmann::ordered_json(nlohmann::ordered_json::value_t::discarded);
                    // Details that are not JSON (a database edited by hand) go out as text.
                    j["details"] = tree.is_discarded() ? nlohmann::ordered_json(details) : std::move(tree);
                    std::vector<std::string> ruleIds;
                    for (const QString& rule : rules)
                        ruleIds.push_back(str(rule));
                    j["findings"] = ruleIds;
                    const std::string line = j.dump() + "\n";
                    out.write(line.data(), static_cast<qint64>(line.size()));
                }
                ++written;
            }
            if (rows->size() < 2000)
                break;
            from = EventKey{rows->back().timestampMs, rows->back().rowId};
        }
        const bool ok = out.commit();
        if (p->finish(token))
            Q_EMIT p->q->exportFinished(token, ok,
                                        ok ? tr("Exported %L1 events to %2 (personal data and secrets redacted).")
                                                 .arg(written)
                                                 .arg(path)
                                           : tr("Cannot write %1: %2").arg(path, out.errorString()));
    });
    return token;
}

void EngineBridge::updateIncidents(const QVector<qint64>& ids, const IncidentChange& change)
{
    if (!d->writer || ids.isEmpty())
        return;
    if (change.status && !kStatuses.contains(*change.status)) {
        Q_EMIT errorOccurred(tr("Unknown incident status: %1").arg(*change.status));
        return;
    }
    // The store appends the history, links it into the incident's keyed history chain and
    // reseals the incident (store/incidentreview.h), so verify keeps passing.
    IncidentReviewChange review;
    if (change.status)
        review.status = str(*change.status);
    if (change.assignee)
        review.assignee = str(*change.assignee);
    if (change.notes)
        review.notes = str(*change.notes);
    const std::string actor = str(actorName());
    std::vector<std::int64_t> rows(ids.begin(), ids.end());
    Private* p = d.get();
    d->writer->post(
        [rows, review, actor](Database& db) -> Result<void> {
            return updateIncidentReview(db, rows, review, actor, nowEpochMs());
        },
        [p, ids](const Result<void>& r) {
            // Writer thread: hand the outcome to the bridge's thread, so whoever reacts to it
            // (views, a waiting test) sees it only once the event loop runs again.
            const QString error = r ? QString() : qstr(r.error().message);
            EngineBridge* q = p->q;
            QMetaObject::invokeMethod(
                q,
                [q, ids, error] {
                    if (error.isEmpty())
                        Q_EMIT q->incidentsChanged(ids);
                    else
                        Q_EMIT q->errorOccurred(
                            QObject::tr("The incident change was not saved: %1").arg(error));
                },
                Qt::QueuedConnection);
        });
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
            batch.push_back(QByteArray::fromStdString(demo::rebase(c->lines[i], c->timestamps[i] + shift, 0)));
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

namespace vigil::ui {
namespace {

MuteRuleData toMuteRuleData(const SuppressionRule& r, std::int64_t now, std::int64_t findings)
{
    MuteRuleData m;
    m.id = r.id;
    m.rule = qstr(r.rule);
    m.agent = qstr(r.agent);
    m.field = qstr(r.field);
    m.pattern = qstr(r.pattern);
    m.reason = qstr(r.reason);
    m.author = qstr(r.author);
    m.expiresMs = r.expiresMs.value_or(0);
    m.createdMs = r.createdMs;
    m.removedMs = r.removedMs;
    m.status = qstr(std::string(suppressionStatus(r, now)));
    m.findings = findings;
    return m;
}

} // namespace

quint64 EngineBridge::addMuteRule(const MuteRuleData& rule)
{
    if (!d->writer)
        return 0;
    SuppressionRule r;
    r.rule = str(rule.rule.trimmed());
    r.agent = str(rule.agent.trimmed());
    r.field = str(rule.field.trimmed());
    r.pattern = str(rule.pattern);
    r.reason = str(rule.reason.trimmed());
    r.author = str(rule.author.isEmpty() ? actorName() : rule.author);
    if (rule.expiresMs > 0)
        r.expiresMs = rule.expiresMs;
    const std::string actor = str(actorName());
    const quint64 token = d->newToken();
    Private* p = d.get();
    // The app never creates a rule that mutes everything: that takes the CLI's --all.
    d->writer->postResult<std::int64_t>(
        [r, actor](Database& db) { return addSuppression(db, r, false, actor, nowEpochMs()); },
        [p, token](const Result<std::int64_t>& id) {
            const qint64 newId = id ? *id : 0;
            const QString error = id ? QString() : qstr(id.error().message);
            EngineBridge* q = p->q;
            QMetaObject::invokeMethod(
                q,
                [q, token, newId, error] {
                    Q_EMIT q->muteRuleAdded(token, error.isEmpty(), newId, error);
                    if (error.isEmpty())
                        Q_EMIT q->muteRulesChanged();
                },
                Qt::QueuedConnection);
        });
    return token;
}

quint64 EngineBridge::removeMuteRule(qint64 id, const QString& reason)
{
    if (!d->writer)
        return 0;
    const std::string why = str(reason.trimmed());
    const std::string actor = str(actorName());
    const quint64 token = d->newToken();
    Private* p = d.get();
    d->writer->post(
        [id, why, actor](Database& db) { return removeSuppression(db, id, why, actor, nowEpochMs()); },
        [p, token, id](const Result<void>& r) {
            const QString error = r ? QString() : qstr(r.error().message);
            EngineBridge* q = p->q;
            QMetaObject::invokeMethod(
                q,
                [q, token, id, error] {
                    Q_EMIT q->muteRuleRemoved(token, error.isEmpty(), id, error);
                    if (error.isEmpty())
                        Q_EMIT q->muteRulesChanged();
                },
                Qt::QueuedConnection);
        });
    return token;
}

quint64 EngineBridge::loadMuteRules()
{
    if (!d->query)
        return 0;
    const quint64 token = d->newToken();
    Private* p = d.get();
    d->query->post([p, token] {
        if (!p->isPending(token))
            return;
        QVector<MuteRuleData> out;
        if (StoreReader* r = p->reader(*p->query)) {
            Database& db = r->database();
            auto rules = listSuppressions(db, true);
            auto counts = suppressionFindingCounts(db);
            if (!rules || !counts) {
                Q_EMIT p->q->errorOccurred(
                    qstr((!rules ? rules.error() : counts.error()).message));
            } else {
                const std::int64_t now = nowEpochMs();
                for (const SuppressionRule& rule : *rules) {
                    const auto n = counts->find(rule.id);
                    out.push_back(toMuteRuleData(rule, now, n == counts->end() ? 0 : n->second));
                }
            }
        }
        if (p->finish(token))
            Q_EMIT p->q->muteRulesLoaded(token, out);
    });
    return token;
}

} // namespace vigil::ui
