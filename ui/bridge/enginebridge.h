// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "bridge/bridgetypes.h"
#include "bridge/iamtypes.h"
#include "bridge/reporttypes.h"
#include "bridge/reviewtypes.h"

#include <QObject>
#include <QString>
#include <QStringList>

#include <functional>
#include <memory>
#include <optional>

namespace vigil {
class StoreReader;
class StoreWriter;
namespace iam {
class PolicySet;
} // namespace iam
} // namespace vigil

namespace vigil::ui {

/// The one object through which ui/ reaches the engine (core/). It owns the database's
/// single StoreWriter, the detection Engine, the ingest pipeline that live sources and the
/// demo feed into, and one read connection per worker thread (queries, aggregates, live
/// tail). Views call its request functions from the UI thread; results come back as
/// immutable values through signals, queued to the receiver's thread. Requests return a
/// token; a cancelled or superseded token's result is never emitted. No core/ type and no
/// SQLite handle leaves this class. Every change a user makes (incident review, reveal)
/// is written by the writer thread and recorded with the OS user as the actor.
class EngineBridge : public QObject
{
    Q_OBJECT

public:
    struct EngineOptions
    {
        std::optional<QString> rulesFile;
        std::optional<QString> policiesFile;
        /// Policy JSON text instead of a file (the demo's embedded seed policies).
        std::optional<QByteArray> policiesJson;
    };

    /// The live feed started with each database: a TCP listener (off unless enabled), an
    /// HTTP receiver for OTLP and NDJSON (off unless an address is given) and followed files.
    struct LiveSettings
    {
        bool tcp = false;
        QString listen = QStringLiteral("127.0.0.1:7514"); ///< port 0 picks a free one
        QString http; ///< HOST:PORT of the HTTP receiver; empty: none
        QStringList followFiles;
    };

    explicit EngineBridge(QObject* parent = nullptr);
    ~EngineBridge() override;

    /// Loads the detection rules and policies used for imports and live ingest. Call before
    /// open(); on failure the previous engine (or none) stays and `error` says why.
    bool loadEngine(const EngineOptions& options, QString* error);

    /// Settings of the live feed for the next open().
    void setLiveSettings(const LiveSettings& settings);
    /// `HOST:PORT` the live feed listens on, empty when it does not.
    QString liveAddress() const;
    /// Where the HTTP receiver listens (`HOST:PORT`), empty when it is off.
    QString httpAddress() const;
    /// Follows a log file through the live pipeline (it need not exist yet).
    bool followFile(const QString& path, QString* error);
    /// The live feed's settings in force (those of the next open() before one).
    LiveSettings liveSettings() const;
    /// Restarts the TCP listener and the HTTP receiver of the open database with `settings`
    /// (followed files keep being followed). When a listener cannot start, the previous
    /// settings are restored, `error` says why, and the result is false.
    bool applyLiveSettings(const LiveSettings& settings, QString* error);

    /// Opens (creating and migrating) the database at `path` and starts the readers and
    /// the live tail. A database of a newer schema, a file that is not a database or an
    /// unwritable location is refused with a message for the user. Closes any previous one.
    bool open(const QString& path, QString* error);
    void close();
    bool isOpen() const;
    QString databasePath() const;

    /// The name recorded as actor of review changes and reveals: the OS user.
    static QString actorName();

    // ---- queries (asynchronous; each returns a token echoed by its result signal) ----
    /// A page of events after `after` (or from the newest/oldest when unset).
    quint64 loadEvents(const EventQuery& query, std::optional<PageKey> after, int limit);
    quint64 countEvents(const EventQuery& query);
    /// The event's JSON with PII and secrets redacted.
    quint64 loadEventDetail(qint64 rowId);
    /// Records a reveal of the event in the audit trail (through the writer) and only then
    /// delivers the unredacted detail.
    quint64 revealEventDetail(qint64 rowId);
    quint64 loadIncidents(const IncidentQuery& query);
    quint64 loadIncidentDetail(qint64 incidentId);
    quint64 loadOverview(OverviewRange range);
    /// Distinct agents and event types seen, for filter pickers.
    quint64 loadVocabulary();
    enum class ExportFormat { JsonLines, Csv };
    /// Writes every event matching `query` to `path`, PII and secrets redacted, off the UI
    /// thread; exportFinished reports the outcome.
    quint64 exportEvents(const EventQuery& query, const QString& path, ExportFormat format);
    /// Drops a pending request: its result will not be emitted.
    void cancel(quint64 token);

    // ---- the query bar (core/query; docs/review.md, "Saved queries") ----
    /// Compiles and runs `text` on the query worker; queryFinished delivers the rows, or the
    /// error with its position. Returns 0 when no database is open.
    quint64 runQuery(const QString& text);
    /// The built-in queries and those saved in the open database; savedQueriesLoaded
    /// delivers them. Returns 0 when no database is open.
    quint64 loadSavedQueries();
    /// Saves `text` as `name` in the database through the writer, with actorName() as
    /// author; querySaved reports the outcome (a bad name, a built-in's name or a query that
    /// does not compile is refused with the reason).
    quint64 saveQuery(const QString& name, const QString& text);
    /// Deletes the saved query `name` through the writer; querySaved reports the outcome.
    quint64 deleteSavedQuery(const QString& name);
    /// Commands, field names and keywords of the query language, for completion.
    static QStringList queryVocabulary();

    // ---- changes (through the writer thread) ----
    /// Applies `change` to each incident and records every changed field in
    /// incident_history. Emits incidentsChanged when committed.
    void updateIncidents(const QVector<qint64>& ids, const IncidentChange& change);

    // ---- mute rules (core/store/suppression.h) ----
    /// Stores mute rule `rule` (author: actorName() when empty) through the writer;
    /// muteRuleAdded reports the new id or why it was refused (no reason, no criterion).
    /// Emits muteRulesChanged once committed. Returns 0 when no database is open.
    quint64 addMuteRule(const vigil::ui::MuteRuleData& rule);
    /// Removes mute rule `id` (it stays in the history) with `reason`; muteRuleRemoved.
    quint64 removeMuteRule(qint64 id, const QString& reason);
    /// Every mute rule, removed ones too, with status and matched findings; muteRulesLoaded.
    quint64 loadMuteRules();

    // ---- ingest ----
    /// Imports log files off the UI thread; progress via importProgress.
    bool importFiles(const QStringList& paths);
    bool isImporting() const;
    /// Feeds lines (without newline) into the live pipeline, as the TCP feed would.
    bool ingestLines(const QString& sourceName, const QList<QByteArray>& lines);
    /// Blocks until every line given to ingestLines() so far is committed (tests, benches).
    void drainIngest();
    /// Fills the open database from the embedded demo corpus: imports its first part with
    /// timestamps rebased to now, then streams the rest at `eventsPerSecond`, looping.
    bool startDemo(double eventsPerSecond = 4.0);
    void stopDemo();
    /// The IAM policy JSON the demo runs with (the seed's agents plus its workers' roles).
    static QByteArray demoPolicies();

    // ---- IAM map (ui/bridge/iambridge.cpp) ----------------------------------------------
    /// Whether a policy set is current: one loaded with applyIamPolicies(), else the
    /// engine's (EngineOptions::policiesFile / policiesJson).
    bool hasIamPolicies() const;
    /// The current policy set's file, or a description of embedded policies; empty if none.
    QString iamPolicySource() const;
    /// Computes the permission map and least-privilege review of the current policy set
    /// with the observed use of the open database (policy-only when none is open), off the
    /// UI thread; iamMapReady delivers it.
    quint64 loadIamMap();
    /// Reads and validates the policy file at `path` off the UI thread and compares it with
    /// the current set (map entries under the observed use included); iamPoliciesChecked
    /// delivers the diff, or the error naming the JSON path of the fault. Nothing changes
    /// until applyIamPolicies() with the same token.
    quint64 checkIamPolicies(const QString& path);
    /// Makes the set checked under `token` the current one of the map and the review, and
    /// emits iamPoliciesChanged. Findings of ingest keep the engine's policies. False when
    /// `token` is not the latest successful check.
    bool applyIamPolicies(quint64 token);
    /// Summaries (previews redacted) of the stored events `rowIds`, in that order, for the
    /// detail of a map cell; iamEventsLoaded delivers them.
    quint64 loadIamEvents(const QVector<qint64>& rowIds);

Q_SIGNALS:
    void iamMapReady(quint64 token, const vigil::ui::IamMapData& map);
    void iamPoliciesChecked(quint64 token, const vigil::ui::IamPolicyCheck& check);
    void iamPoliciesChanged(const QString& source);
    void iamEventsLoaded(quint64 token, const QVector<vigil::ui::EventSummary>& rows);

private:
    // Hooks into Private for iambridge.cpp, defined in enginebridge.cpp.
    quint64 iamNewToken();
    bool iamFinish(quint64 token);
    bool iamIsPending(quint64 token);
    std::shared_ptr<const vigil::iam::PolicySet> iamEnginePolicies() const;
    /// Runs `job` on the query (or aggregate) worker with its read connection (nullptr when
    /// unreadable); false when no database is open.
    bool iamPost(bool queryWorker, std::function<void(vigil::StoreReader*)> job);
    struct IamState;
    std::shared_ptr<IamState> m_iam; // UI thread; created on first use
    // ---- end of IAM map -------------------------------------------------------------

public:
    // ---- review (ui/bridge/reviewbridge.cpp) -------------------------------------------
    // Checklists and threat matrices. Reads and evaluations run on a review thread with
    // its own read connection; changes (verdicts, matrices) go through the writer. The
    // evaluation last asked for (checklists of one component, counts of one matrix) is
    // repeated there as new events and findings are committed: 2 s after the last commit,
    // at least every 10 s while commits keep coming. Such a repeat carries a fresh token,
    // larger than every earlier one: a view keeps a result whose token is at least the
    // one its request returned.
    /// Evaluates the three seed checklists with the stored verdicts: MAESTRO and plugin
    /// for `component` (empty: the whole system), production for the system;
    /// checklistsEvaluated delivers the report. Returns 0 when no database is open.
    quint64 evaluateChecklists(const QString& component);
    /// Up to `limit` rows (newest first) behind one listing of an item's status.
    quint64 loadEvidence(const vigil::ui::EvidenceListingRef& listing, int limit = 500);
    /// Appends a verdict (`pass`, `fail`, `not_applicable`) on `itemId` for `component` to
    /// its history, with actorName() as reviewer and the current time; verdictRecorded
    /// reports the outcome once committed.
    quint64 recordVerdict(const QString& itemId, const QString& component, const QString& kind,
                          const QString& note);
    /// The verdict history of one item in one component, oldest first.
    quint64 loadVerdictHistory(const QString& itemId, const QString& component);
    /// The stored threat matrices. The first time a database has none, one matrix from
    /// each shipped template is stored first (once per database).
    quint64 loadThreatMatrices();
    /// Stores `matrix` (a new one when its id is 0); threatMatrixSaved gives its id. A
    /// matrix with validation problems is refused with the first problem.
    quint64 saveThreatMatrix(const vigil::ui::ThreatMatrixData& matrix);
    quint64 deleteThreatMatrix(qint64 id);
    /// Observed findings linked to each row of `matrix` (restricted to its component);
    /// threatCountsReady delivers them, and again as findings arrive.
    quint64 countThreatFindings(const vigil::ui::ThreatMatrixData& matrix);
    /// The shipped templates (`maestro`, `attack-surface`).
    static QVector<vigil::ui::ThreatTemplateInfo> threatTemplates();
    /// A new, unsaved matrix from template `templateId` (empty: blank).
    static vigil::ui::ThreatMatrixData newThreatMatrix(const QString& templateId, const QString& name,
                                                       const QString& component);
    /// Problems that keep `matrix` from being saved ("row 3, threat: is empty"); empty: valid.
    static QStringList validateThreatMatrix(const vigil::ui::ThreatMatrixData& matrix);
    /// The same problems, each with the row and field it is about, for marking cells.
    static QVector<vigil::ui::ThreatIssueInfo> threatMatrixIssues(const vigil::ui::ThreatMatrixData& matrix);
    /// `matrix` as CSV, Markdown or JSON (core/review/threatmatrixio.h).
    static QByteArray exportThreatMatrix(const vigil::ui::ThreatMatrixData& matrix,
                                         vigil::ui::ThreatFileFormat format);
    /// Largest matrix file importThreatMatrix() accepts: read at most one byte more.
    static qint64 maxThreatImportBytes();
    /// Reads a matrix file; on failure returns nullopt and a one-line `error` with the line
    /// and column or JSON path of the fault, or the limit a too large or too deep file broke.
    /// CSV and Markdown take `name` as the name.
    static std::optional<vigil::ui::ThreatMatrixData> importThreatMatrix(const QByteArray& data,
                                                                         vigil::ui::ThreatFileFormat format,
                                                                         const QString& name,
                                                                         QString* error);

Q_SIGNALS:
    void checklistsEvaluated(quint64 token, const vigil::ui::ChecklistReport& report);
    void evidenceLoaded(quint64 token, const vigil::ui::EvidenceList& list);
    void verdictRecorded(quint64 token, bool ok, const vigil::ui::VerdictInfo& verdict,
                         const QString& message);
    void verdictHistoryLoaded(quint64 token, const QVector<vigil::ui::VerdictInfo>& history);
    void threatMatricesLoaded(quint64 token, const QVector<vigil::ui::ThreatMatrixData>& matrices);
    void threatMatrixSaved(quint64 token, bool ok, qint64 id, const QString& message);
    void threatMatrixDeleted(quint64 token, bool ok, qint64 id, const QString& message);
    void threatCountsReady(quint64 token, qint64 matrixId, const QVector<qint64>& counts);

private:
    // Hooks into Private for reviewbridge.cpp, defined in enginebridge.cpp (UI thread).
    vigil::StoreWriter* reviewWriter() const;
    std::shared_ptr<const vigil::iam::PolicySet> reviewPolicies() const;
    struct ReviewState;
    std::shared_ptr<ReviewState> m_review; // created on first use; its thread stops with it
    // ---- end of review -----------------------------------------------------------------

public:
    // ---- reports, erasure, retention (ui/bridge/reportbridge.cpp) ----------------------
    // Reports are built on a report thread with their own read connection; erasure and
    // retention run as tasks of the writer. Each request returns a token echoed by its
    // signal; a report superseded by a newer request is dropped (and stopped early).
    /// Builds the report `request` of the open database; reportReady delivers the file's
    /// bytes and an HTML preview. Returns 0 when no database is open.
    quint64 generateReport(const vigil::ui::ReportRequestData& request);
    /// Writes `bytes` to exactly `path` off the UI thread, through a temporary file in the
    /// same folder. Without `replace` an existing file is refused (the view asks first);
    /// `privateFile` (unredacted reports) makes it mode 0600. reportSaved reports back.
    quint64 saveReport(const QString& path, const QByteArray& bytes, bool replace, bool privateFile);
    /// GDPR erasure of every event of a thread (`subject` "thread") or user ("user"),
    /// recorded with actorName(); erasureFinished reports the count or the error.
    quint64 eraseSubject(const QString& subject, const QString& id);
    /// Applies the retention periods now; retentionApplied says what was removed.
    quint64 applyRetention();
    /// Counts what applyRetention() would remove now, removing nothing; retentionPreviewed
    /// delivers the count and a sentence for the question asked before purging.
    quint64 previewRetention();
    /// Whether the schedule applies retention to the open database (stored in it). A
    /// database the app created has it on; any other database has it off until enabled.
    bool autoRetention() const;
    void setAutoRetention(bool enabled);
    /// Applies retention every `intervalMs` (the first run a minute after enabling) while
    /// a database is open and autoRetention() is on; 0 stops. Before the first purge of a
    /// database it asks (retentionAwaitingConfirmation) instead of removing anything.
    void setRetentionSchedule(int intervalMs);

Q_SIGNALS:
    void reportReady(quint64 token, const vigil::ui::ReportResult& result);
    void reportSaved(quint64 token, bool ok, const QString& message);
    void erasureFinished(quint64 token, bool ok, const QString& message);
    void retentionApplied(quint64 token, bool ok, const QString& message);
    void retentionPreviewed(quint64 token, bool ok, qint64 items, const QString& summary);
    void autoRetentionChanged(bool enabled);
    /// The schedule found `items` past their period in a database never purged before; it
    /// removes nothing until applyRetention() is called.
    void retentionAwaitingConfirmation(qint64 items, const QString& summary);
    /// Stored content was removed (a purge or an erasure): views that show it reload.
    void storeChanged();

private:
    void runRetention(quint64 token, bool scheduled);
    void runScheduledRetention();
    void loadRetentionState(bool createdNow);
    struct ReportState;
    std::shared_ptr<ReportState> m_reports; // created on first use; its thread stops with it
    // ---- end of reports ------------------------------------------------------------

Q_SIGNALS:
    void databaseOpened(const QString& path);
    void eventsLoaded(quint64 token, const QVector<vigil::ui::EventSummary>& rows);
    void eventsCounted(quint64 token, qint64 count);
    void eventDetailReady(quint64 token, const vigil::ui::EventDetail& detail);
    void incidentsLoaded(quint64 token, const QVector<vigil::ui::IncidentSummary>& rows);
    void incidentDetailReady(quint64 token, const vigil::ui::IncidentDetail& detail);
    void overviewReady(quint64 token, const vigil::ui::OverviewData& data);
    void vocabularyReady(quint64 token, const QStringList& agents, const QStringList& eventTypes);
    /// Newly committed events, ascending by row id (the live tail).
    void eventsCommitted(const QVector<vigil::ui::EventSummary>& rows);
    void statusUpdated(const vigil::ui::IngestStatus& status);
    void incidentsChanged(const QVector<qint64>& ids);
    void muteRuleAdded(quint64 token, bool ok, qint64 id, const QString& message);
    void muteRuleRemoved(quint64 token, bool ok, qint64 id, const QString& message);
    void muteRulesLoaded(quint64 token, const QVector<vigil::ui::MuteRuleData>& rules);
    /// A mute rule was added or removed: what is muted changed everywhere.
    void muteRulesChanged();
    /// Incidents of critical severity created since the database was opened.
    void criticalIncidents(const QVector<vigil::ui::IncidentSummary>& incidents);
    void revealRecorded(qint64 rowId);
    void importProgress(const vigil::ui::ImportState& state);
    void importFinished(bool ok, const QString& message);
    void demoLoaded(qint64 events);
    void exportFinished(quint64 token, bool ok, const QString& message);
    void queryFinished(quint64 token, const vigil::ui::QueryResultData& result);
    void savedQueriesLoaded(quint64 token, const QVector<vigil::ui::SavedQueryInfo>& queries);
    void querySaved(quint64 token, bool ok, const QString& message);
    /// A failure of background work that the user should see.
    void errorOccurred(const QString& message);

private:
    /// Starts the live feed with d->liveSettings; with `error` set, a listener that cannot
    /// start fails the call (nothing runs) instead of falling back to followed files only.
    bool startLive(QString* error = nullptr);

    struct Private;
    std::unique_ptr<Private> d;
};

} // namespace vigil::ui
