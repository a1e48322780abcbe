// SPDX-License-Identifier: Apache-2.0
#include "store/storewriter.h"

#include "store/eventrecycler.h"

#include "base/timeutil.h"
#include "store/chain.h"
#include "store/eventrecycler.h"
#include "store/recordseal.h"
#include "store/schema.h"

#include <sqlite3.h>

#include <algorithm>
#include <chrono>
#include <tuple>
#include <unordered_map>
#include <unordered_set>

namespace vigil {

struct StoreWriter::Prepared
{
    SqlStatement upsertSource;
    SqlStatement insertEvent;
    SqlStatement updateEventFindings;
    SqlStatement insertQuarantine;
    SqlStatement sealQuarantine;
    SqlStatement insertFinding;
    SqlStatement findThreadIncident;
    SqlStatement findAgentRuleIncident;
    SqlStatement insertIncident;
    SqlStatement readIncident;
    SqlStatement updateIncident;
    SqlStatement bumpDuplicates;
    SqlStatement findThread;
    SqlStatement insertThread;
    // Seals each stored event into the tamper-evident chain (store/chain.h), and the rows
    // beside it (store/recordseal.h).
    std::optional<ChainSealer> chain;
    LeafHasher leaves; // for events and lines that come without their hashes
    // The keyed sets of rejected lines and incidents, loaded when first touched in a
    // transaction and written at the end of each batch that changed them.
    std::optional<RecordSet> quarantineSet, incidentSet;
    bool quarantineDirty = false, incidentsDirty = false;
    // Incidents created in the current batch: sealed by flushTouches without a check.
    std::unordered_set<std::int64_t> createdIncidents;

    struct OpenIncident
    {
        std::int64_t id = 0;
        std::int64_t lastMs = 0;
    };
    // Caches of open incidents by grouping key; cleared whenever a transaction rolls back or
    // a task (which may change incident status) runs.
    std::unordered_map<std::string, OpenIncident> byThread;
    std::unordered_map<std::string, OpenIncident> byAgentRule;

    // What the current batch's findings add to each incident, written once per batch
    // (flushTouches): an attack storm files thousands of findings into a few incidents, and
    // one UPDATE each (which also moves their index entries) cost more than the findings.
    struct Touch
    {
        std::int64_t severity = 0;
        std::int64_t firstMs = 0;
        std::int64_t lastMs = 0;
        std::int64_t findings = 0;
    };
    std::unordered_map<std::int64_t, Touch> touches;

    // Thread numbers (threads.id) by thread id, so most events need no lookup.
    std::unordered_map<std::string, std::int64_t> threadNumbers;

    // After a rollback or a task (which may erase threads) the caches may be wrong.
    void forgetCaches()
    {
        byThread.clear();
        byAgentRule.clear();
        touches.clear();
        threadNumbers.clear();
        quarantineSet.reset();
        incidentSet.reset();
        quarantineDirty = incidentsDirty = false;
        createdIncidents.clear();
    }
};

namespace {
// Open-incident caches hold at most this many keys; beyond, they start over (the database
// still answers every lookup), so a feed of endless new threads cannot grow them unbounded.
constexpr std::size_t kMaxCachedIncidentKeys = 100'000;
constexpr std::size_t kMaxCachedThreads = 16'384;
} // namespace

Result<std::unique_ptr<StoreWriter>> StoreWriter::open(const std::string& path,
                                                       StoreWriterOptions options)
{
    auto db = Database::openWriter(path, WriterOpenOptions{options.durable});
    if (!db)
        return std::unexpected(db.error());
    std::unique_ptr<StoreWriter> w(new StoreWriter(std::move(*db), options));
    if (auto r = w->prepare(); !r)
        return std::unexpected(r.error());
    w->m_reaper = std::thread([p = w.get()] { p->reaperLoop(); });
    w->m_thread = std::thread([p = w.get()] { p->loop(); });
    return w;
}

StoreWriter::StoreWriter(Database db, StoreWriterOptions options)
    : m_db(std::move(db)), m_options(options), m_path(m_db.path()),
      m_st(std::make_unique<Prepared>())
{
}

StoreWriter::~StoreWriter()
{
    close();
}

Result<void> StoreWriter::prepare()
{
    struct Def
    {
        SqlStatement* target;
        const char* sql;
    };
    const std::string readIncidentSql =
        std::string("SELECT ") + kIncidentSealColumns + " FROM incidents WHERE id=?1";
    const Def defs[] = {
        {&m_st->upsertSource,
         "INSERT INTO sources(kind, name, device, inode, fp_len, fingerprint, offset, line_no, "
         "updated_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9) "
         "ON CONFLICT(kind, name) DO UPDATE SET device=?3, inode=?4, fp_len=?5, "
         "fingerprint=?6, offset=?7, line_no=?8, updated_ms=?9 RETURNING id"},
        {&m_st->insertEvent,
         "INSERT OR IGNORE INTO events(ts, event_type, agent, thread_id, severity, event_id, "
         "user_id, trace_id, span_id, source_id, line_no, details, finding_mask, finding_sev, "
         "chain, thread_no, fdigest) "
         "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17)"},
        {&m_st->updateEventFindings, "UPDATE events SET finding_mask=?2 WHERE id=?1"},
        {&m_st->insertQuarantine,
         "INSERT INTO quarantine(received_ms, source_id, source, line_no, reason, message, raw, "
         "raw_bytes) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)"},
        {&m_st->sealQuarantine, "UPDATE quarantine SET seal=?2 WHERE id=?1"},
        {&m_st->insertFinding,
         "INSERT INTO findings(event_rowid, ts, agent, rule, category, layer, severity, field, "
         "span_start, span_end, message, incident_id, hash) "
         "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)"},
        {&m_st->findThreadIncident,
         "SELECT id, last_ms FROM incidents WHERE group_key=?1 "
         "AND status IN ('open', 'investigating') ORDER BY id DESC LIMIT 1"},
        {&m_st->findAgentRuleIncident,
         "SELECT id, last_ms FROM incidents WHERE agent=?1 AND rule=?2 AND last_ms>=?3 "
         "AND status IN ('open', 'investigating') ORDER BY last_ms DESC LIMIT 1"},
        {&m_st->insertIncident,
         "INSERT INTO incidents(group_key, title, category, rule, agent, thread_id, layer, "
         "severity, first_ms, last_ms, findings, updated_ms) "
         "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?9, 0, ?10)"},
        {&m_st->readIncident, readIncidentSql.c_str()},
        {&m_st->updateIncident,
         "UPDATE incidents SET severity=?2, first_ms=?3, last_ms=?4, findings=?5, updated_ms=?6, "
         "seal=?7 WHERE id=?1"},
        {&m_st->bumpDuplicates, "UPDATE counters SET value=value+?1 WHERE name='duplicates'"},
        {&m_st->findThread, "SELECT id FROM threads WHERE thread_id=?1"},
        {&m_st->insertThread, "INSERT INTO threads(thread_id) VALUES (?1)"},
    };
    for (const Def& d : defs) {
        auto st = SqlStatement::prepare(m_db, d.sql);
        if (!st)
            return std::unexpected(st.error());
        *d.target = std::move(*st);
    }
    auto chain = ChainSealer::open(m_db);
    if (!chain)
        return std::unexpected(chain.error());
    m_st->chain.emplace(std::move(*chain));
    return {};
}

bool StoreWriter::submit(WriteBatch batch)
{
    std::unique_lock lock(m_mutex);
    m_notFull.wait(lock,
                   [&] { return m_closing || m_queue.size() + m_held < m_options.queueCapacity; });
    if (m_closing)
        return false;
    m_queue.emplace_back(std::move(batch));
    m_notEmpty.notify_one();
    return true;
}

bool StoreWriter::post(Task task, std::function<void(const Result<void>&)> done)
{
    std::unique_lock lock(m_mutex);
    m_notFull.wait(lock,
                   [&] { return m_closing || m_queue.size() + m_held < m_options.queueCapacity; });
    if (m_closing)
        return false;
    m_queue.emplace_back(TaskItem{std::move(task), std::move(done)});
    m_notEmpty.notify_one();
    return true;
}

Result<void> StoreWriter::run(Task task)
{
    std::mutex m;
    std::condition_variable cv;
    bool finished = false;
    Result<void> result;
    const bool queued = post(std::move(task), [&](const Result<void>& r) {
        std::lock_guard l(m);
        result = r;
        finished = true;
        cv.notify_one();
    });
    if (!queued)
        return fail("store.closed", "the database writer has stopped");
    std::unique_lock l(m);
    cv.wait(l, [&] { return finished; });
    return result;
}

void StoreWriter::flush()
{
    std::unique_lock lock(m_mutex);
    m_idle.wait(lock, [&] { return m_queue.empty() && !m_busy; });
}

void StoreWriter::close()
{
    {
        std::lock_guard lock(m_mutex);
        if (m_closing && !m_thread.joinable())
            return;
        m_closing = true;
    }
    m_notEmpty.notify_all();
    m_notFull.notify_all();
    m_retryWake.notify_all();
    if (m_thread.joinable())
        m_thread.join();
    {
        std::lock_guard lock(m_reaperMutex);
        m_reaperStop = true;
    }
    m_reaperWake.notify_all();
    if (m_reaper.joinable())
        m_reaper.join();
}

void StoreWriter::setCommitListener(CommitListener listener)
{
    std::lock_guard lock(m_listenerMutex);
    m_listener = std::move(listener);
    m_hasListener = static_cast<bool>(m_listener);
}

WriterStats StoreWriter::stats() const
{
    WriterStats s;
    s.committedEvents = m_committed.load();
    s.duplicates = m_duplicates.load();
    s.rejected = m_rejected.load();
    s.findings = m_findings.load();
    s.batches = m_batches.load();
    s.failedBatches = m_failed.load();
    s.retries = m_retries.load();
    std::lock_guard lock(m_mutex);
    s.queueDepth = static_cast<std::int64_t>(m_queue.size());
    s.retrying = m_retrying;
    s.lastError = m_lastError;
    s.lastErrorMs = m_lastErrorMs;
    for (const auto& [name, error] : m_stopped)
        s.stoppedSources.push_back(name);
    return s;
}

void StoreWriter::resumeSource(const std::string& sourceName)
{
    std::lock_guard lock(m_mutex);
    m_stopped.erase(sourceName);
}

void StoreWriter::noteError(const Error& e)
{
    std::lock_guard lock(m_mutex);
    m_lastError = e.message;
    m_lastErrorMs = nowEpochMs();
}

void StoreWriter::loop()
{
    std::vector<CommittedEvent> committed;
    for (;;) {
        Item item;
        {
            std::unique_lock lock(m_mutex);
            m_notEmpty.wait(lock, [&] { return m_closing || !m_queue.empty(); });
            if (m_queue.empty()) {
                m_idle.notify_all();
                break; // closing and drained
            }
            item = std::move(m_queue.front());
            m_queue.pop_front();
            m_busy = true;
        }
        m_notFull.notify_one();

        if (std::holds_alternative<WriteBatch>(item)) {
            // Batches already waiting behind this one share its transaction: fewer commits,
            // and an index page that several batches touch goes to the WAL once.
            std::vector<WriteBatch> group;
            group.push_back(std::move(std::get<WriteBatch>(item)));
            std::size_t events = group.back().events.size();
            {
                std::lock_guard lock(m_mutex);
                while (!m_queue.empty() && std::holds_alternative<WriteBatch>(m_queue.front()) &&
                       events < m_options.groupEvents) {
                    group.push_back(std::move(std::get<WriteBatch>(m_queue.front())));
                    m_queue.pop_front();
                    events += group.back().events.size();
                }
                // The group still counts against the queue's capacity until it is
                // committed, so memory stays bounded by `queueCapacity` batches.
                m_held = group.size() - 1;
            }
            commitGroup(group, committed);
            {
                std::lock_guard lock(m_mutex);
                m_held = 0;
            }
            m_notFull.notify_all();
        } else {
            auto& t = std::get<TaskItem>(item);
            const Result<void> r = inTransaction([&] { return t.task(m_db); });
            m_st->forgetCaches(); // a task may change incidents or erase threads
            if (t.done)
                t.done(r);
        }

        std::lock_guard lock(m_mutex);
        m_busy = false;
        if (m_queue.empty())
            m_idle.notify_all();
    }
}

void StoreWriter::commitGroup(std::vector<WriteBatch>& group,
                              std::vector<CommittedEvent>& committed)
{
    auto finish = [&](WriteBatch& batch, const Result<CommitResult>& r) {
        if (r) {
            m_committed += r->accepted;
            m_duplicates += r->duplicates;
            m_rejected += r->rejected;
            m_findings += r->findings;
            ++m_batches;
        } else {
            ++m_failed;
        }
        if (batch.onCommitted)
            batch.onCommitted(r);
    };
    auto notify = [&] {
        std::lock_guard l(m_listenerMutex);
        if (m_listener && !committed.empty())
            m_listener(committed);
    };

    committed.clear();
    bool anyStopped = false;
    {
        std::lock_guard lock(m_mutex);
        if (!m_stopped.empty())
            for (const WriteBatch& b : group)
                anyStopped = anyStopped || m_stopped.contains(b.sourceName);
    }
    if (group.size() > 1 && !anyStopped) {
        std::vector<CommitResult> results;
        results.reserve(group.size());
        auto r = inTransaction([&]() -> Result<void> {
            for (WriteBatch& b : group) {
                auto one = writeBatch(b, committed);
                if (!one)
                    return std::unexpected(one.error());
                results.push_back(std::move(*one));
            }
            return {};
        });
        if (r) {
            notify();
            for (std::size_t i = 0; i < group.size(); ++i)
                finish(group[i], results[i]);
            releaseBatches(group);
            return;
        }
        // One of them failed: commit each on its own, so the others still land and only the
        // failing batch reports the error.
    }
    for (WriteBatch& b : group) {
        committed.clear();
        std::optional<Error> stopped;
        {
            std::lock_guard lock(m_mutex);
            if (auto it = m_stopped.find(b.sourceName); it != m_stopped.end())
                stopped = Error{"store.source_stopped",
                                "not stored: an earlier batch of " + b.sourceName +
                                    " failed (" + it->second.message + ")"};
        }
        if (stopped) {
            finish(b, std::unexpected(*stopped));
            continue;
        }
        auto r = commitAlone(b, committed);
        if (r) {
            notify();
        } else {
            noteError(r.error());
            std::lock_guard lock(m_mutex);
            // Bounded: every closed TCP connection that failed leaves a name. Forgetting the
            // oldest can only let a late batch of a connection long closed commit, which was
            // never acknowledged and so is resent at worst.
            if (m_stopped.size() >= 10'000)
                m_stopped.erase(m_stopped.begin());
            m_stopped.emplace(b.sourceName, r.error());
        }
        finish(b, r);
    }
    releaseBatches(group);
}

Result<CommitResult> StoreWriter::commitAlone(WriteBatch& batch,
                                              std::vector<CommittedEvent>& committed)
{
    const auto started = std::chrono::steady_clock::now();
    std::int64_t delayMs = m_options.retryFirstDelayMs;
    for (;;) {
        CommitResult result;
        auto r = inTransaction([&]() -> Result<void> {
            auto one = writeBatch(batch, committed);
            if (!one)
                return std::unexpected(one.error());
            result = std::move(*one);
            return {};
        });
        if (r) {
            std::lock_guard lock(m_mutex);
            m_retrying = false;
            return result;
        }
        committed.clear();
        const auto elapsedMs = std::chrono::duration_cast<std::chrono::milliseconds>(
                                   std::chrono::steady_clock::now() - started)
                                   .count();
        const bool budgetLeft = m_options.retryMs < 0 || elapsedMs < m_options.retryMs;
        if (!isTransientStoreError(r.error()) || !budgetLeft) {
            std::lock_guard lock(m_mutex);
            m_retrying = false;
            return std::unexpected(r.error());
        }
        noteError(r.error());
        ++m_retries;
        std::unique_lock lock(m_mutex);
        m_retrying = true;
        std::int64_t waitMs = delayMs;
        if (m_options.retryMs >= 0)
            waitMs = std::min(waitMs, std::max<std::int64_t>(0, m_options.retryMs - elapsedMs));
        if (m_retryWake.wait_for(lock, std::chrono::milliseconds(waitMs),
                                 [&] { return m_closing; })) {
            m_retrying = false;
            return std::unexpected(Error{r.error().code, r.error().message +
                                                             " (the writer stopped while "
                                                             "retrying)"});
        }
        delayMs = std::min(delayMs * 2, m_options.retryMaxDelayMs);
    }
}

void StoreWriter::releaseBatches(std::vector<WriteBatch>& group)
{
    // Freeing a group's thousands of strings took ~7% of the writer thread, the import's
    // bottleneck; a helper thread does it instead. Bounded: when it falls behind, the
    // writer frees inline (one group waits at most, to keep peak memory down).
    {
        std::lock_guard lock(m_reaperMutex);
        if (m_graveyard.empty() && !m_reaperStop) {
            m_graveyard.push_back(std::move(group));
            group.clear();
            m_reaperWake.notify_one();
            return;
        }
    }
    group.clear();
}

void StoreWriter::reaperLoop()
{
    for (;;) {
        std::vector<WriteBatch> dead;
        {
            std::unique_lock lock(m_reaperMutex);
            m_reaperWake.wait(lock, [&] { return m_reaperStop || !m_graveyard.empty(); });
            if (m_graveyard.empty())
                return;
            dead = std::move(m_graveyard.front());
            m_graveyard.pop_front();
        }
        for (WriteBatch& b : dead)
            EventRecycler::give(std::move(b.events));
        // what the recycler did not take is freed here, outside the lock
    }
}

Result<void> StoreWriter::inTransaction(const std::function<Result<void>()>& body)
{
    Prepared& st = *m_st;
    const ChainHash headBefore = st.chain->head();
    if (auto r = m_db.exec("BEGIN IMMEDIATE"); !r)
        return r;
    auto r = body();
    if (r)
        r = m_db.exec("COMMIT");
    if (!r) {
        (void)m_db.exec("ROLLBACK");
        st.chain->restore(headBefore);
        st.forgetCaches();
    }
    return r;
}

Result<std::int64_t> StoreWriter::threadNumber(const std::string& threadId)
{
    Prepared& st = *m_st;
    if (auto it = st.threadNumbers.find(threadId); it != st.threadNumbers.end())
        return it->second;
    st.findThread.bindText(1, threadId);
    auto row = st.findThread.step();
    std::int64_t id = 0;
    if (row && *row)
        id = st.findThread.columnInt(0);
    st.findThread.reset();
    if (!row)
        return std::unexpected(row.error());
    if (id == 0) {
        st.insertThread.bindText(1, threadId);
        auto r = st.insertThread.run();
        st.insertThread.reset();
        if (!r)
            return std::unexpected(r.error());
        id = sqlite3_last_insert_rowid(m_db.handle());
    }
    // Bounded: the threads that are talking now fit easily; the table answers the rest.
    if (st.threadNumbers.size() >= kMaxCachedThreads)
        st.threadNumbers.clear();
    st.threadNumbers.emplace(threadId, id);
    return id;
}

Result<void> StoreWriter::flushTouches()
{
    Prepared& st = *m_st;
    ChainHasher& hasher = st.chain->hasher();
    const std::int64_t now = nowEpochMs();
    for (const auto& [id, t] : st.touches) {
        // The incident's seal covers these columns: reseal it, unless it no longer matched
        // its seal before (an edit outside Vigil stays visible to verify).
        st.readIncident.bind(1, id);
        auto row = st.readIncident.step();
        if (!row || !*row) {
            st.readIncident.reset();
            if (!row)
                return std::unexpected(row.error());
            return fail("store.incident", "incident " + std::to_string(id) + " vanished");
        }
        IncidentFields f = incidentFromRow(st.readIncident, id, 0);
        std::optional<ChainHash> seal = columnHash(st.readIncident, 15);
        st.readIncident.reset();
        const bool intact =
            st.createdIncidents.contains(id) || (seal && *seal == incidentSeal(hasher, f));
        f.severity = std::max(f.severity, t.severity);
        f.firstMs = std::min(f.firstMs, t.firstMs);
        f.lastMs = std::max(f.lastMs, t.lastMs);
        f.findings += t.findings;
        if (intact)
            seal = incidentSeal(hasher, f);
        st.updateIncident.bind(1, id)
            .bind(2, f.severity)
            .bind(3, f.firstMs)
            .bind(4, f.lastMs)
            .bind(5, f.findings)
            .bind(6, now);
        if (seal)
            st.updateIncident.bindBlob(7, seal->data(), static_cast<int>(seal->size()));
        else
            st.updateIncident.bindNull(7);
        auto r = st.updateIncident.run();
        st.updateIncident.reset();
        if (!r)
            return r;
    }
    st.touches.clear();
    st.createdIncidents.clear();
    if (st.byThread.size() > kMaxCachedIncidentKeys ||
        st.byAgentRule.size() > kMaxCachedIncidentKeys) {
        st.byThread.clear();
        st.byAgentRule.clear();
    }
    return {};
}

namespace {

std::string threadKey(const IngestedEvent& ev, const Finding& f)
{
    return "thread:" + ev.event.threadId + ":" + f.category;
}

std::string agentRuleKey(const IngestedEvent& ev, const Finding& f)
{
    return "agent:" + ev.event.agentName + ":" + f.rule;
}

} // namespace

Result<std::int64_t> StoreWriter::incidentFor(const IngestedEvent& ev, const Finding& f,
                                              std::int64_t /*eventRow*/)
{
    Prepared& st = *m_st;
    const std::int64_t ts = ev.event.timestampMs;
    const std::string tkey = threadKey(ev, f);
    const std::string akey = agentRuleKey(ev, f);
    const auto sev = static_cast<std::int64_t>(f.severity);

    auto touch = [&](std::int64_t id) -> Result<std::int64_t> {
        Prepared::Touch& p =
            st.touches.try_emplace(id, Prepared::Touch{sev, ts, ts, 0}).first->second;
        p.severity = std::max(p.severity, sev);
        p.firstMs = std::min(p.firstMs, ts);
        p.lastMs = std::max(p.lastMs, ts);
        ++p.findings;
        auto& t = st.byThread[tkey];
        t.id = id;
        t.lastMs = std::max(t.lastMs, ts);
        auto& a = st.byAgentRule[akey];
        a.id = id;
        a.lastMs = std::max(a.lastMs, ts);
        return id;
    };

    // 1. An open incident of the same thread and category.
    if (auto it = st.byThread.find(tkey); it != st.byThread.end())
        return touch(it->second.id);
    st.findThreadIncident.bindText(1, tkey);
    auto row = st.findThreadIncident.step();
    if (!row) {
        st.findThreadIncident.reset();
        return std::unexpected(row.error());
    }
    if (*row) {
        const std::int64_t id = st.findThreadIncident.columnInt(0);
        st.findThreadIncident.reset();
        return touch(id);
    }
    st.findThreadIncident.reset();

    // 2. An open incident of the same agent and rule, seen within the window.
    if (auto it = st.byAgentRule.find(akey); it != st.byAgentRule.end() &&
                                             ts - it->second.lastMs <= m_options.incidentWindowMs &&
                                             it->second.lastMs - ts <= m_options.incidentWindowMs)
        return touch(it->second.id);
    st.findAgentRuleIncident.bindText(1, ev.event.agentName)
        .bindText(2, f.rule)
        .bind(3, ts - m_options.incidentWindowMs);
    row = st.findAgentRuleIncident.step();
    if (!row) {
        st.findAgentRuleIncident.reset();
        return std::unexpected(row.error());
    }
    if (*row) {
        const std::int64_t id = st.findAgentRuleIncident.columnInt(0);
        st.findAgentRuleIncident.reset();
        return touch(id);
    }
    st.findAgentRuleIncident.reset();

    // 3. A new incident.
    const std::int64_t now = nowEpochMs();
    const std::string title =
        f.category + " " + f.rule + " by " + ev.event.agentName + " in thread " + ev.event.threadId;
    st.insertIncident.bindText(1, tkey)
        .bindText(2, title)
        .bindText(3, f.category)
        .bindText(4, f.rule)
        .bindText(5, ev.event.agentName)
        .bindText(6, ev.event.threadId)
        .bind(7, f.layer)
        .bind(8, sev)
        .bind(9, ts)
        .bind(10, now);
    auto ins = st.insertIncident.run();
    st.insertIncident.reset();
    if (!ins)
        return std::unexpected(ins.error());
    const std::int64_t id = sqlite3_last_insert_rowid(m_db.handle());
    // Sealed when flushTouches() writes its counts; it joins the keyed set of incidents now.
    st.createdIncidents.insert(id);
    if (!st.incidentSet) {
        auto set = readRecordSet(m_db, st.chain->hasher(), RecordSetKind::Incidents);
        if (!set)
            return std::unexpected(set.error());
        st.incidentSet = *set;
    }
    st.incidentSet->toggle(incidentElement(st.chain->hasher(), id), 1);
    st.incidentsDirty = true;
    return touch(id);
}

Result<CommitResult> StoreWriter::writeBatch(WriteBatch& batch,
                                             std::vector<CommittedEvent>& committed)
{
    Prepared& st = *m_st;
    CommitResult res;
    // On error the caller's transaction rolls back (inTransaction); the summaries go too.
    auto abandon = [&](const Error& e) -> Result<CommitResult> {
        committed.clear();
        return std::unexpected(e);
    };

    std::optional<std::int64_t> sourceId;
    if (batch.checkpoint) {
        const SourceCheckpoint& c = *batch.checkpoint;
        st.upsertSource.bindText(1, c.kind)
            .bindText(2, c.name)
            .bind(3, c.device)
            .bind(4, c.inode)
            .bind(5, c.fingerprintLength)
            .bindText(6, c.fingerprint)
            .bind(7, c.offset)
            .bind(8, c.lineNo)
            .bind(9, nowEpochMs());
        auto row = st.upsertSource.step();
        if (row && *row)
            sourceId = st.upsertSource.columnInt(0);
        st.upsertSource.reset();
        if (!row)
            return abandon(row.error());
    }

    for (IngestedEvent& ie : batch.events) {
        const AuditEvent& e = ie.event;
        const FindingSummary summary = summarizeFindings(ie.findings);
        const std::uint32_t mask = summary.mask;
        const int maxSev = summary.severity;
        // The chain leaf covers the event's findings and summary (store/recordseal.h);
        // decode workers hash them, the writer only what came without.
        if (!ie.leaf)
            ie.leaf = st.leaves.leaf(canonicalFields(e));
        if (!ie.findings.empty() &&
            (!ie.summaryLeaf || ie.findingHashes.size() != ie.findings.size()))
            hashFindings(ie, st.leaves);
        st.insertEvent.bind(1, e.timestampMs)
            .bindText(2, e.eventType)
            .bindText(3, e.agentName)
            .bindText(4, e.threadId)
            .bind(5, static_cast<int>(e.severity))
            .bindTextOrNull(6, e.eventId)
            .bindTextOrNull(7, e.userId)
            .bindTextOrNull(8, e.traceId)
            .bindTextOrNull(9, e.spanId);
        if (sourceId)
            st.insertEvent.bind(10, *sourceId);
        else
            st.insertEvent.bindNull(10);
        const bool withFindings = !ie.findings.empty() && ie.summaryLeaf && ie.findingsDigest;
        const ChainHash link = withFindings ? st.chain->sealLeaf(*ie.summaryLeaf)
                               : ie.leaf    ? st.chain->sealLeaf(*ie.leaf)
                                            : st.chain->seal(canonicalFields(e));
        auto threadNo = threadNumber(e.threadId);
        if (!threadNo)
            return abandon(threadNo.error());
        st.insertEvent.bind(11, ie.lineNo)
            .bindText(12, e.detailsJson)
            .bind(13, static_cast<std::int64_t>(mask))
            .bind(14, maxSev)
            .bindBlob(15, link.data(), static_cast<int>(link.size()))
            .bind(16, *threadNo);
        if (withFindings)
            st.insertEvent.bindBlob(17, ie.findingsDigest->data(), 32);
        else
            st.insertEvent.bindNull(17);
        auto r = st.insertEvent.run();
        st.insertEvent.reset();
        if (!r)
            return abandon(r.error());
        if (sqlite3_changes(m_db.handle()) == 0) {
            ++res.duplicates; // an ignored duplicate does not advance the chain
            continue;
        }
        st.chain->advance(link);
        ++res.accepted;
        const std::int64_t row = sqlite3_last_insert_rowid(m_db.handle());
        for (std::size_t fi = 0; fi < ie.findings.size(); ++fi) {
            const Finding& f = ie.findings[fi];
            auto incident = incidentFor(ie, f, row);
            if (!incident)
                return abandon(incident.error());
            if (std::find(res.incidents.begin(), res.incidents.end(), *incident) ==
                res.incidents.end())
                res.incidents.push_back(*incident);
            st.insertFinding.bind(1, row)
                .bind(2, e.timestampMs)
                .bindText(3, e.agentName)
                .bindText(4, f.rule)
                .bindText(5, f.category)
                .bind(6, f.layer)
                .bind(7, static_cast<int>(f.severity))
                .bindText(8, f.field);
            if (f.start >= 0) {
                st.insertFinding.bind(9, f.start).bind(10, f.end);
            } else {
                st.insertFinding.bindNull(9).bindNull(10);
            }
            st.insertFinding.bindText(11, f.message).bind(12, *incident);
            if (fi < ie.findingHashes.size())
                st.insertFinding.bindBlob(13, ie.findingHashes[fi].data(), 32);
            else
                st.insertFinding.bindNull(13);
            auto fr = st.insertFinding.run();
            st.insertFinding.reset();
            if (!fr)
                return abandon(fr.error());
            ++res.findings;
        }
        if (m_hasListener.load(std::memory_order_relaxed))
            committed.push_back(CommittedEvent{row, e.timestampMs, e.eventType, e.agentName,
                                               e.threadId, e.severity, mask, maxSev});
    }

    const std::int64_t received = nowEpochMs();
    const std::int64_t receivedMs = batch.receivedMs > 0 ? batch.receivedMs : received;
    const bool hashed = batch.rejectedHashes.size() == batch.rejected.size();
    for (std::size_t qi = 0; qi < batch.rejected.size(); ++qi) {
        const QuarantinedLine& q = batch.rejected[qi];
        st.insertQuarantine.bind(1, receivedMs);
        if (sourceId)
            st.insertQuarantine.bind(2, *sourceId);
        else
            st.insertQuarantine.bindNull(2);
        st.insertQuarantine.bindText(3, batch.sourceName)
            .bind(4, q.lineNo)
            .bindText(5, q.reason)
            .bindText(6, q.message)
            .bindBlob(7, q.raw.data(), static_cast<int>(q.raw.size()))
            .bind(8, q.rawBytes);
        auto r = st.insertQuarantine.run();
        st.insertQuarantine.reset();
        if (!r)
            return abandon(r.error());
        // Its keyed seal, and its element in the keyed set of rejected lines.
        const std::int64_t id = sqlite3_last_insert_rowid(m_db.handle());
        const ChainHash content =
            hashed
                ? batch.rejectedHashes[qi]
                : quarantineHash(st.leaves, QuarantineFields{batch.sourceName, q.lineNo, q.reason,
                                                             q.message, q.raw, q.rawBytes});
        const ChainHash seal =
            quarantineSeal(st.chain->hasher(), id, receivedMs, sourceId, 0, content);
        st.sealQuarantine.bind(1, id).bindBlob(2, seal.data(), static_cast<int>(seal.size()));
        r = st.sealQuarantine.run();
        st.sealQuarantine.reset();
        if (!r)
            return abandon(r.error());
        if (!st.quarantineSet) {
            auto set = readRecordSet(m_db, st.chain->hasher(), RecordSetKind::Quarantine);
            if (!set)
                return abandon(set.error());
            st.quarantineSet = *set;
        }
        st.quarantineSet->toggle(quarantineElement(st.chain->hasher(), seal), 1);
        st.quarantineDirty = true;
        ++res.rejected;
    }

    if (auto r = flushTouches(); !r)
        return abandon(r.error());
    for (auto [kind, set, dirty] :
         {std::tuple{RecordSetKind::Quarantine, &st.quarantineSet, &st.quarantineDirty},
          std::tuple{RecordSetKind::Incidents, &st.incidentSet, &st.incidentsDirty}}) {
        if (!*dirty)
            continue;
        if (auto r = writeRecordSet(m_db, st.chain->hasher(), kind, **set); !r)
            return abandon(r.error());
        *dirty = false;
    }

    if (res.duplicates > 0) {
        st.bumpDuplicates.bind(1, res.duplicates);
        auto r = st.bumpDuplicates.run();
        st.bumpDuplicates.reset();
        if (!r)
            return abandon(r.error());
    }
    return res;
}

} // namespace vigil
