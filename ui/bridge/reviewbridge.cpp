// SPDX-License-Identifier: Apache-2.0
// The review part of EngineBridge: checklists with live evidence, verdicts and threat
// matrices. Evaluations and reads run on a review thread with its own read connection;
// changes go through the store writer. Only Qt value types (bridge/reviewtypes.h) leave.
#include "bridge/enginebridge.h"

#include "bridge/bridgeutil.h"

#include "base/timeutil.h"
#include "iam/policyset.h"
#include "review/checklist.h"
#include "review/checkliststate.h"
#include "review/reviewstore.h"
#include "review/sqliteevidence.h"
#include "review/threatmatrix.h"
#include "review/threatmatrixio.h"
#include "store/database.h"
#include "store/storereader.h"
#include "store/storewriter.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QThread>
#include <QTimer>

#include <algorithm>
#include <atomic>
#include <map>
#include <optional>

namespace vigil::ui {
namespace {

constexpr int kDebounceMs = 2000;     // after the last commit
constexpr int kMaxLatencyMs = 10000;  // while commits keep coming

EvidenceListingRef toRef(const EvidenceListing& l)
{
    EvidenceListingRef r;
    r.target = static_cast<EvidenceTargetKind>(static_cast<int>(l.target));
    r.count = l.count;
    r.categories = qlist(l.query.categories);
    r.rules = qlist(l.query.rules);
    r.eventTypes = qlist(l.query.eventTypes);
    r.agent = qstr(l.query.agent);
    r.fromMs = l.query.fromMs;
    r.toMs = l.query.toMs;
    return r;
}

EvidenceListing fromRef(const EvidenceListingRef& r)
{
    EvidenceListing l;
    l.target = static_cast<EvidenceTarget>(std::clamp(static_cast<int>(r.target), 0, 3));
    l.count = r.count;
    l.query.categories = slist(r.categories);
    l.query.rules = slist(r.rules);
    l.query.eventTypes = slist(r.eventTypes);
    l.query.agent = str(r.agent);
    l.query.fromMs = r.fromMs;
    l.query.toMs = r.toMs;
    return l;
}

VerdictInfo toInfo(const Verdict& v, std::int64_t id = 0)
{
    VerdictInfo i;
    i.id = id;
    i.itemId = qstr(v.itemId);
    i.component = qstr(v.component);
    i.kind = qstr(std::string(toString(v.kind)));
    i.note = qstr(v.note);
    i.reviewer = qstr(v.reviewer);
    i.atMs = v.atMs;
    return i;
}

ThreatRowData toRowData(const ThreatRow& r)
{
    ThreatRowData d;
    d.layer = r.layer;
    d.component = qstr(r.component);
    d.threat = qstr(r.threat);
    d.severity = static_cast<ThreatSeverityLevel>(static_cast<int>(r.severity));
    d.mitigation = qstr(r.mitigation);
    d.status = static_cast<ThreatRowStatus>(static_cast<int>(r.status));
    d.owner = qstr(r.owner);
    d.links = qlist(r.links);
    d.description = qstr(r.description);
    return d;
}

ThreatRow fromRowData(const ThreatRowData& d)
{
    ThreatRow r;
    r.layer = d.layer;
    r.component = str(d.component);
    r.threat = str(d.threat);
    r.severity = static_cast<ThreatSeverity>(std::clamp(static_cast<int>(d.severity), 0, 3));
    r.mitigation = str(d.mitigation);
    r.status = static_cast<ThreatStatus>(std::clamp(static_cast<int>(d.status), 0, 3));
    r.owner = str(d.owner);
    r.links = slist(d.links);
    r.description = str(d.description);
    return r;
}

ThreatMatrixData toMatrixData(const ThreatMatrix& m, std::int64_t id = 0, std::int64_t updatedMs = 0)
{
    ThreatMatrixData d;
    d.id = id;
    d.name = qstr(m.name);
    d.component = qstr(m.component);
    d.templateId = qstr(m.templateId);
    d.updatedMs = updatedMs;
    for (const ThreatRow& r : m.rows)
        d.rows.push_back(toRowData(r));
    return d;
}

ThreatMatrix fromMatrixData(const ThreatMatrixData& d)
{
    ThreatMatrix m;
    m.name = str(d.name);
    m.component = str(d.component);
    m.templateId = str(d.templateId);
    for (const ThreatRowData& r : d.rows)
        m.rows.push_back(fromRowData(r));
    return m;
}

EvidenceEntry toEntry(const EvidenceRow& r)
{
    EvidenceEntry e;
    e.target = static_cast<EvidenceTargetKind>(static_cast<int>(r.target));
    e.id = r.id;
    e.eventRowId = r.eventRowId;
    e.timestampMs = r.timestampMs;
    e.agent = qstr(r.agent);
    e.eventType = qstr(r.eventType);
    e.threadId = qstr(r.threadId);
    e.category = qstr(r.category);
    e.rule = qstr(r.rule);
    e.severity = r.severity;
    e.summary = qstr(r.summary);
    return e;
}

} // namespace

QString threatSeverityText(ThreatSeverityLevel s)
{
    return qstr(std::string(toString(static_cast<ThreatSeverity>(std::clamp(static_cast<int>(s), 0, 3)))));
}

QString threatStatusText(ThreatRowStatus s)
{
    return qstr(std::string(toString(static_cast<ThreatStatus>(std::clamp(static_cast<int>(s), 0, 3)))));
}

QString threatStatusLabel(ThreatRowStatus s)
{
    switch (s) {
    case ThreatRowStatus::Open:
        return QCoreApplication::translate("vigil::ui::review", "Open");
    case ThreatRowStatus::Mitigated:
        return QCoreApplication::translate("vigil::ui::review", "Mitigated");
    case ThreatRowStatus::Accepted:
        return QCoreApplication::translate("vigil::ui::review", "Accepted");
    case ThreatRowStatus::NotApplicable:
        return QCoreApplication::translate("vigil::ui::review", "Not applicable");
    }
    return {};
}

// ---------------------------------------------------------------------------------------

/// The review thread and what lives on it. Created on first use, destroyed when the
/// database closes (EngineBridge::close) or with the bridge; the destructor stops the thread
/// and drops its queued jobs.
struct EngineBridge::ReviewState
{
    EngineBridge* q = nullptr;
    QThread thread;
    QObject* context = nullptr;
    std::atomic<quint64> nextToken{1};

    // Review thread only.
    std::optional<StoreReader> reader;
    std::string readerPath;
    std::optional<std::vector<Checklist>> checklists;
    std::map<std::string, std::string> ruleDescriptions;
    QTimer* debounce = nullptr;
    qint64 pendingSinceMs = 0;
    struct ChecklistWatch
    {
        QString component;
        std::string path;
        std::shared_ptr<const iam::PolicySet> policies;
    };
    std::optional<ChecklistWatch> checklistWatch;
    struct MatrixWatch
    {
        ThreatMatrixData matrix;
        std::string path;
    };
    std::optional<MatrixWatch> matrixWatch;

    explicit ReviewState(EngineBridge* bridge) : q(bridge)
    {
        qRegisterMetaType<ChecklistReport>();
        qRegisterMetaType<EvidenceList>();
        qRegisterMetaType<VerdictInfo>();
        qRegisterMetaType<QVector<VerdictInfo>>();
        qRegisterMetaType<ThreatMatrixData>();
        qRegisterMetaType<QVector<ThreatMatrixData>>();
        qRegisterMetaType<QVector<qint64>>();
        thread.setObjectName(QStringLiteral("vigil-review"));
        context = new QObject;
        debounce = new QTimer(context); // moves with its parent to the review thread
        debounce->setSingleShot(true);
        context->moveToThread(&thread);
        QObject::connect(debounce, &QTimer::timeout, context, [this] { refreshWatched(); });
        // The timer belongs to the review thread: stop it there, right before it ends.
        QObject::connect(&thread, &QThread::finished, context, [this] { debounce->stop(); },
                         Qt::DirectConnection);
        // Commits wake the debounce on the review thread (the tail emits eventsCommitted).
        QObject::connect(q, &EngineBridge::eventsCommitted, context, [this] { onCommitted(); });
        thread.start();
    }
    ~ReviewState()
    {
        thread.quit();
        thread.wait();
        delete context; // its thread has finished: pending jobs are discarded with it
        reader.reset();
    }
    ReviewState(const ReviewState&) = delete;
    ReviewState& operator=(const ReviewState&) = delete;

    quint64 newToken() { return nextToken++; }

    template <typename F>
    void post(F f)
    {
        QMetaObject::invokeMethod(context, std::move(f), Qt::QueuedConnection);
    }

    /// The read connection to `path`, opened on first use. Review thread only.
    StoreReader* readerFor(const std::string& path, std::string* error)
    {
        if (reader && readerPath == path)
            return &*reader;
        reader.reset();
        auto r = StoreReader::open(path);
        if (!r) {
            *error = r.error().message;
            return nullptr;
        }
        reader.emplace(std::move(*r));
        readerPath = path;
        return &*reader;
    }

    const std::vector<Checklist>* loadedChecklists(std::string* error)
    {
        if (!checklists) {
            auto lists = loadChecklists();
            if (!lists) {
                *error = lists.error().message;
                return nullptr;
            }
            checklists = std::move(*lists);
            if (auto rules = loadEvidenceRules())
                for (const EvidenceRule& r : *rules)
                    ruleDescriptions[r.id] = r.description;
        }
        return &*checklists;
    }

    ChecklistReport evaluate(const QString& component, const std::string& path,
                             const std::shared_ptr<const iam::PolicySet>& policies)
    {
        ChecklistReport report;
        report.component = component;
        report.hasPolicies = policies != nullptr;
        report.evaluatedAtMs = QDateTime::currentMSecsSinceEpoch();
        std::string error;
        const std::vector<Checklist>* lists = loadedChecklists(&error);
        StoreReader* r = lists ? readerFor(path, &error) : nullptr;
        if (!r) {
            report.error = qstr(error);
            return report;
        }
        SqliteEvidenceSource source(r->database(), policies.get());
        for (const Checklist& c : *lists) {
            const bool perComponent = c.scope == ChecklistScope::Component;
            report.checklists.push_back(
                ChecklistInfo{qstr(c.id), qstr(c.title), qstr(c.source), perComponent});
            ChecklistState state(c.items, perComponent ? str(component) : std::string());
            state.evaluate(source);
            if (auto loaded = ReviewStore::loadVerdicts(r->database(), state); !loaded)
                report.error = qstr(loaded.error().message);
            for (const ItemState& s : state.states()) {
                ChecklistItemState i;
                i.id = qstr(s.item.id);
                i.checklist = qstr(s.item.checklist);
                i.section = qstr(s.item.section);
                i.layer = s.item.layer;
                i.text = qstr(s.item.text);
                i.component = qstr(s.component);
                i.autoStatus = qstr(std::string(toString(s.automatic.status)));
                i.evidenceCount = s.automatic.count;
                i.ruleId = qstr(s.automatic.ruleId);
                if (const auto it = ruleDescriptions.find(s.automatic.ruleId); it != ruleDescriptions.end())
                    i.ruleDescription = qstr(it->second);
                i.reason = qstr(s.automatic.reason);
                i.subjects = qlist(s.automatic.subjects);
                for (const EvidenceListing& l : s.automatic.listings)
                    i.listings.push_back(toRef(l));
                if (s.verdict)
                    i.verdict = toInfo(*s.verdict);
                i.verdictCount = static_cast<int>(s.verdictCount);
                i.conflict = s.conflict;
                report.items.push_back(std::move(i));
            }
        }
        if (auto agents = source.observedAgents())
            report.observedAgents = qlist(*agents);
        if (auto reviewed = ReviewStore::verdictComponents(r->database()))
            report.reviewedComponents = qlist(*reviewed);
        if (source.lastError())
            report.error = qstr(source.lastError()->message);
        return report;
    }

    QVector<qint64> countFindings(const ThreatMatrixData& matrix, const std::string& path,
                                  QString* error)
    {
        QVector<qint64> counts;
        std::string e;
        StoreReader* r = readerFor(path, &e);
        if (!r) {
            *error = qstr(e);
            return counts;
        }
        SqliteEvidenceSource source(r->database());
        const EvidenceScope scope{str(matrix.component)};
        for (const ThreatRowData& row : matrix.rows)
            counts.push_back(findingsFor(fromRowData(row), source, scope));
        if (source.lastError())
            *error = qstr(source.lastError()->message);
        return counts;
    }

    void onCommitted()
    {
        if (!checklistWatch && !matrixWatch)
            return;
        const qint64 now = QDateTime::currentMSecsSinceEpoch();
        if (!debounce->isActive())
            pendingSinceMs = now;
        const qint64 left = pendingSinceMs + kMaxLatencyMs - now;
        debounce->start(static_cast<int>(std::clamp<qint64>(left, 0, kDebounceMs)));
    }

    /// Repeats the last evaluations asked for, with fresh tokens.
    void refreshWatched()
    {
        if (checklistWatch) {
            const ChecklistReport report =
                evaluate(checklistWatch->component, checklistWatch->path, checklistWatch->policies);
            Q_EMIT q->checklistsEvaluated(newToken(), report);
        }
        if (matrixWatch) {
            QString error;
            const QVector<qint64> counts = countFindings(matrixWatch->matrix, matrixWatch->path, &error);
            if (error.isEmpty())
                Q_EMIT q->threatCountsReady(newToken(), matrixWatch->matrix.id, counts);
        }
    }
};

// ---------------------------------------------------------------------------------------

quint64 EngineBridge::evaluateChecklists(const QString& component)
{
    if (!isOpen())
        return 0;
    if (!m_review)
        m_review = std::make_shared<ReviewState>(this);
    ReviewState* s = m_review.get();
    const quint64 token = s->newToken();
    const std::string path = str(databasePath());
    auto policies = reviewPolicies();
    s->post([s, token, component, path, policies] {
        s->checklistWatch = ReviewState::ChecklistWatch{component, path, policies};
        const ChecklistReport report = s->evaluate(component, path, policies);
        Q_EMIT s->q->checklistsEvaluated(token, report);
    });
    return token;
}

quint64 EngineBridge::loadEvidence(const EvidenceListingRef& listing, int limit)
{
    if (!isOpen())
        return 0;
    if (!m_review)
        m_review = std::make_shared<ReviewState>(this);
    ReviewState* s = m_review.get();
    const quint64 token = s->newToken();
    const std::string path = str(databasePath());
    s->post([s, token, listing, limit, path] {
        EvidenceList out;
        out.listing = listing;
        out.total = listing.count;
        std::string error;
        if (StoreReader* r = s->readerFor(path, &error)) {
            SqliteEvidenceSource source(r->database());
            auto rows = source.list(fromRef(listing), limit);
            if (rows)
                for (const EvidenceRow& row : *rows)
                    out.rows.push_back(toEntry(row));
            else
                Q_EMIT s->q->errorOccurred(tr("Cannot list the evidence: %1").arg(qstr(rows.error().message)));
        } else {
            Q_EMIT s->q->errorOccurred(tr("Cannot read the database: %1").arg(qstr(error)));
        }
        Q_EMIT s->q->evidenceLoaded(token, out);
    });
    return token;
}

quint64 EngineBridge::recordVerdict(const QString& itemId, const QString& component,
                                    const QString& kind, const QString& note)
{
    StoreWriter* writer = reviewWriter();
    if (!writer)
        return 0;
    if (!m_review)
        m_review = std::make_shared<ReviewState>(this);
    const quint64 token = m_review->newToken();
    Verdict v;
    v.itemId = str(itemId);
    v.component = str(component);
    v.note = str(note);
    v.reviewer = str(actorName());
    v.atMs = nowEpochMs();
    const auto parsed = verdictKindFromString(str(kind));
    VerdictInfo info = toInfo(v);
    info.kind = kind;
    if (!parsed) {
        // Queued like every result, so that the caller sees it after this returns.
        QMetaObject::invokeMethod(
            this,
            [this, token, info] {
                Q_EMIT verdictRecorded(token, false, info, tr("Unknown verdict: %1").arg(info.kind));
            },
            Qt::QueuedConnection);
        return token;
    }
    v.kind = *parsed;
    ReviewStore store(*writer);
    const bool queued = store.postVerdict(v, [this, token, info](const Result<std::int64_t>& r) mutable {
        // Writer thread (or here, for a refused verdict): only emit.
        if (r)
            info.id = *r;
        Q_EMIT verdictRecorded(token, r.has_value(), info,
                               r ? QString() : tr("The verdict was not saved: %1").arg(qstr(r.error().message)));
    });
    return queued ? token : 0;
}

quint64 EngineBridge::loadVerdictHistory(const QString& itemId, const QString& component)
{
    if (!isOpen())
        return 0;
    if (!m_review)
        m_review = std::make_shared<ReviewState>(this);
    ReviewState* s = m_review.get();
    const quint64 token = s->newToken();
    const std::string path = str(databasePath());
    s->post([s, token, itemId, component, path] {
        QVector<VerdictInfo> out;
        std::string error;
        if (StoreReader* r = s->readerFor(path, &error)) {
            if (auto h = ReviewStore::verdictHistory(r->database(), str(itemId), str(component)))
                for (const StoredVerdict& v : *h)
                    out.push_back(toInfo(v.verdict, v.id));
        }
        Q_EMIT s->q->verdictHistoryLoaded(token, out);
    });
    return token;
}

quint64 EngineBridge::loadThreatMatrices()
{
    StoreWriter* writer = reviewWriter();
    if (!writer)
        return 0;
    if (!m_review)
        m_review = std::make_shared<ReviewState>(this);
    ReviewState* s = m_review.get();
    const quint64 token = s->newToken();
    const std::string path = str(databasePath());
    // The writer outlives the review thread (close() stops the thread first).
    s->post([s, token, path, writer] {
        QVector<ThreatMatrixData> out;
        std::string error;
        StoreReader* r = s->readerFor(path, &error);
        if (!r) {
            Q_EMIT s->q->errorOccurred(tr("Cannot read the database: %1").arg(qstr(error)));
            Q_EMIT s->q->threatMatricesLoaded(token, out);
            return;
        }
        auto stored = ReviewStore::matrices(r->database());
        if (stored && stored->empty() && !ReviewStore::isSeeded(r->database()).value_or(true)) {
            // First use of this database: one matrix from each template (blocks this
            // thread only, until the writer has committed them).
            if (auto seeded = ReviewStore(*writer).seedTemplates(); !seeded)
                Q_EMIT s->q->errorOccurred(
                    tr("The threat-matrix templates could not be stored: %1").arg(qstr(seeded.error().message)));
            stored = ReviewStore::matrices(r->database());
        }
        if (!stored)
            Q_EMIT s->q->errorOccurred(tr("Cannot read the threat matrices: %1").arg(qstr(stored.error().message)));
        else
            for (const StoredMatrix& m : *stored)
                out.push_back(toMatrixData(m.matrix, m.id, m.updatedMs));
        Q_EMIT s->q->threatMatricesLoaded(token, out);
    });
    return token;
}

quint64 EngineBridge::saveThreatMatrix(const ThreatMatrixData& matrix)
{
    StoreWriter* writer = reviewWriter();
    if (!writer)
        return 0;
    if (!m_review)
        m_review = std::make_shared<ReviewState>(this);
    const quint64 token = m_review->newToken();
    const bool queued = ReviewStore(*writer).postSaveMatrix(
        matrix.id, fromMatrixData(matrix), [this, token, id = matrix.id](const Result<std::int64_t>& r) {
            Q_EMIT threatMatrixSaved(token, r.has_value(), r ? *r : id,
                                     r ? QString() : qstr(r.error().message));
        });
    return queued ? token : 0;
}

quint64 EngineBridge::deleteThreatMatrix(qint64 id)
{
    StoreWriter* writer = reviewWriter();
    if (!writer)
        return 0;
    if (!m_review)
        m_review = std::make_shared<ReviewState>(this);
    const quint64 token = m_review->newToken();
    const bool queued = writer->post([id](Database& db) { return ReviewStore::removeMatrix(db, id); },
                                     [this, token, id](const Result<void>& r) {
                                         Q_EMIT threatMatrixDeleted(token, r.has_value(), id,
                                                                    r ? QString() : qstr(r.error().message));
                                     });
    return queued ? token : 0;
}

quint64 EngineBridge::countThreatFindings(const ThreatMatrixData& matrix)
{
    if (!isOpen())
        return 0;
    if (!m_review)
        m_review = std::make_shared<ReviewState>(this);
    ReviewState* s = m_review.get();
    const quint64 token = s->newToken();
    const std::string path = str(databasePath());
    s->post([s, token, matrix, path] {
        s->matrixWatch = ReviewState::MatrixWatch{matrix, path};
        QString error;
        const QVector<qint64> counts = s->countFindings(matrix, path, &error);
        if (!error.isEmpty())
            Q_EMIT s->q->errorOccurred(tr("Cannot count the findings: %1").arg(error));
        Q_EMIT s->q->threatCountsReady(token, matrix.id, counts);
    });
    return token;
}

QVector<ThreatTemplateInfo> EngineBridge::threatTemplates()
{
    QVector<ThreatTemplateInfo> out;
    if (auto templates = loadThreatTemplates(true))
        for (const ThreatTemplate& t : *templates)
            out.push_back(ThreatTemplateInfo{qstr(t.id), qstr(t.name), qstr(t.source), static_cast<int>(t.rows.size())});
    return out;
}

ThreatMatrixData EngineBridge::newThreatMatrix(const QString& templateId, const QString& name,
                                               const QString& component)
{
    if (!templateId.isEmpty())
        if (auto t = loadThreatTemplate(str(templateId)))
            return toMatrixData(createMatrixFromTemplate(*t, str(name), str(component)));
    return toMatrixData(createBlankMatrix(str(name), str(component)));
}

QStringList EngineBridge::validateThreatMatrix(const ThreatMatrixData& matrix)
{
    QStringList out;
    for (const MatrixIssue& issue : validateMatrix(fromMatrixData(matrix)))
        out.push_back(qstr(describe(issue)));
    return out;
}

QVector<ThreatIssueInfo> EngineBridge::threatMatrixIssues(const ThreatMatrixData& matrix)
{
    QVector<ThreatIssueInfo> out;
    for (const MatrixIssue& issue : validateMatrix(fromMatrixData(matrix)))
        out.push_back({issue.row, issue.field ? qstr(std::string(toString(*issue.field))) : QString(),
                       qstr(issue.message), qstr(describe(issue))});
    return out;
}

QByteArray EngineBridge::exportThreatMatrix(const ThreatMatrixData& matrix, ThreatFileFormat format)
{
    const ThreatMatrix m = fromMatrixData(matrix);
    switch (format) {
    case ThreatFileFormat::Csv:
        return QByteArray::fromStdString(exportMatrixCsv(m));
    case ThreatFileFormat::Markdown:
        return QByteArray::fromStdString(exportMatrixMarkdown(m));
    case ThreatFileFormat::Json:
        return QByteArray::fromStdString(exportMatrixJson(m));
    }
    return {};
}

qint64 EngineBridge::maxThreatImportBytes()
{
    return static_cast<qint64>(kMaxMatrixImportBytes);
}

std::optional<ThreatMatrixData> EngineBridge::importThreatMatrix(const QByteArray& data, ThreatFileFormat format,
                                                                 const QString& name, QString* error)
{
    const std::string_view text(data.constData(), static_cast<std::size_t>(data.size()));
    Result<ThreatMatrix> m = format == ThreatFileFormat::Csv        ? importMatrixCsv(text, str(name))
                             : format == ThreatFileFormat::Markdown ? importMatrixMarkdown(text, str(name))
                                                                    : importMatrixJson(text);
    if (!m) {
        if (error)
            *error = qstr(m.error().message);
        return std::nullopt;
    }
    return toMatrixData(*m);
}

} // namespace vigil::ui
