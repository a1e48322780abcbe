// SPDX-License-Identifier: Apache-2.0
#include "store/schema.h"

#include <algorithm>

namespace vigil {

const std::vector<std::string>& schemaMigrations()
{
    static const std::vector<std::string> kMigrations{
        // 0 -> 1: the initial schema.
        R"sql(
CREATE TABLE sources (
    id          INTEGER PRIMARY KEY,
    kind        TEXT NOT NULL,              -- file | tcp | stdin
    name        TEXT NOT NULL,              -- path, or peer address
    device      INTEGER,
    inode       INTEGER,
    fp_len      INTEGER NOT NULL DEFAULT 0, -- bytes covered by fingerprint
    fingerprint TEXT NOT NULL DEFAULT '',   -- hex hash of the first fp_len bytes
    offset      INTEGER NOT NULL DEFAULT 0, -- bytes consumed (committed with their events)
    line_no     INTEGER NOT NULL DEFAULT 0, -- lines consumed
    updated_ms  INTEGER NOT NULL DEFAULT 0,
    UNIQUE (kind, name)
);

CREATE TABLE events (
    id            INTEGER PRIMARY KEY,       -- insertion order
    ts            INTEGER NOT NULL,          -- epoch milliseconds
    event_type    TEXT NOT NULL,
    agent         TEXT NOT NULL,
    thread_id     TEXT NOT NULL,
    severity      INTEGER NOT NULL,          -- 0 info .. 3 critical
    event_id      TEXT,
    user_id       TEXT,
    trace_id      TEXT,
    span_id       TEXT,
    source_id     INTEGER,
    line_no       INTEGER,
    details       TEXT NOT NULL,             -- minified JSON
    finding_mask  INTEGER NOT NULL DEFAULT 0,-- bit per finding category (schema.cpp)
    finding_sev   INTEGER NOT NULL DEFAULT -1, -- highest finding severity, -1 none
    erased        INTEGER NOT NULL DEFAULT 0
);
CREATE UNIQUE INDEX events_event_id ON events(event_id) WHERE event_id IS NOT NULL;
CREATE INDEX events_ts ON events(ts);
CREATE INDEX events_agent_ts ON events(agent, ts);
CREATE INDEX events_type_ts ON events(event_type, ts);
CREATE INDEX events_sev_ts ON events(severity, ts);
CREATE INDEX events_thread ON events(thread_id);
CREATE INDEX events_user ON events(user_id) WHERE user_id IS NOT NULL;

CREATE TABLE quarantine (
    id          INTEGER PRIMARY KEY,
    received_ms INTEGER NOT NULL,
    source_id   INTEGER,
    source      TEXT NOT NULL,
    line_no     INTEGER,
    reason      TEXT NOT NULL,               -- input.* code
    message     TEXT NOT NULL,
    raw         BLOB NOT NULL,               -- the line, capped at 64 KiB
    raw_bytes   INTEGER NOT NULL             -- the line's full length
);
CREATE INDEX quarantine_reason ON quarantine(reason);

CREATE TABLE incidents (
    id          INTEGER PRIMARY KEY,
    group_key   TEXT NOT NULL,               -- thread:<id>:<category> | agent:<name>:<rule>
    title       TEXT NOT NULL,
    category    TEXT NOT NULL,
    rule        TEXT NOT NULL,
    agent       TEXT NOT NULL,
    thread_id   TEXT NOT NULL,
    layer       INTEGER NOT NULL,
    severity    INTEGER NOT NULL,            -- highest finding severity, 0 low .. 3 critical
    first_ms    INTEGER NOT NULL,
    last_ms     INTEGER NOT NULL,
    findings    INTEGER NOT NULL DEFAULT 0,
    status      TEXT NOT NULL DEFAULT 'open',-- open | investigating | resolved | false_positive
    assignee    TEXT NOT NULL DEFAULT '',
    notes       TEXT NOT NULL DEFAULT '',
    updated_ms  INTEGER NOT NULL
);
CREATE INDEX incidents_group ON incidents(group_key, last_ms);
CREATE INDEX incidents_status ON incidents(status, severity);
CREATE INDEX incidents_last ON incidents(last_ms);

CREATE TABLE findings (
    id          INTEGER PRIMARY KEY,
    event_rowid INTEGER NOT NULL,            -- events.id, or quarantine.id for category rejected
    ts          INTEGER NOT NULL,
    agent       TEXT NOT NULL,
    rule        TEXT NOT NULL,
    category    TEXT NOT NULL,
    layer       INTEGER NOT NULL,
    severity    INTEGER NOT NULL,
    field       TEXT NOT NULL,
    span_start  INTEGER,
    span_end    INTEGER,
    message     TEXT NOT NULL,
    incident_id INTEGER
);
CREATE INDEX findings_event ON findings(event_rowid);
CREATE INDEX findings_category ON findings(category, ts);
CREATE INDEX findings_incident ON findings(incident_id);

CREATE TABLE incident_history (
    id          INTEGER PRIMARY KEY,
    incident_id INTEGER NOT NULL REFERENCES incidents(id),
    ts_ms       INTEGER NOT NULL,
    actor       TEXT NOT NULL,
    field       TEXT NOT NULL,
    old_value   TEXT NOT NULL,
    new_value   TEXT NOT NULL
);
CREATE INDEX incident_history_incident ON incident_history(incident_id);

-- Who did what in the app that a reviewer must be able to account for (reveals, erasures).
CREATE TABLE audit_trail (
    id          INTEGER PRIMARY KEY,
    ts_ms       INTEGER NOT NULL,
    actor       TEXT NOT NULL,
    action      TEXT NOT NULL,
    target      TEXT NOT NULL,
    detail      TEXT NOT NULL DEFAULT ''
);

CREATE TABLE counters (
    name        TEXT PRIMARY KEY,
    value       INTEGER NOT NULL
) WITHOUT ROWID;
INSERT INTO counters(name, value) VALUES ('duplicates', 0);

CREATE TABLE meta (
    key         TEXT PRIMARY KEY,
    value       TEXT NOT NULL
) WITHOUT ROWID;
)sql",
        // 1 -> 2: the tamper-evident chain, tombstones, erasure/purge receipts, retention
        // (core/store/chain.h, erasure.h, retention.h; docs/integrity.md).
        R"sql(
ALTER TABLE events ADD COLUMN chain BLOB;   -- HMAC link of this event (32 bytes)
ALTER TABLE events ADD COLUMN leaf BLOB;    -- tombstones: leaf hash of the removed content
ALTER TABLE events ADD COLUMN tomb BLOB;    -- tombstones: keyed tag over row, leaf, receipt
-- events.erased: 0 for a live event, else the id of the receipt that tombstoned it.

-- One row per erasure (GDPR) or purge (retention) run. Holds counts and a keyed hash of
-- the selector, never erased content.
CREATE TABLE receipts (
    id            INTEGER PRIMARY KEY,
    ts_ms         INTEGER NOT NULL,
    kind          TEXT NOT NULL,             -- erase | purge
    actor         TEXT NOT NULL,             -- OS user
    selector      TEXT NOT NULL,             -- thread | user | retention
    selector_hash TEXT NOT NULL,             -- HMAC of the selector value; '' for purge
    events        INTEGER NOT NULL DEFAULT 0,
    findings      INTEGER NOT NULL DEFAULT 0,
    incidents     INTEGER NOT NULL DEFAULT 0,
    quarantined   INTEGER NOT NULL DEFAULT 0,
    detail        TEXT NOT NULL DEFAULT '{}',-- JSON: per-type counts, cutoffs
    tag           TEXT NOT NULL DEFAULT ''   -- keyed tag over every column above
);
CREATE INDEX events_erased ON events(erased) WHERE erased <> 0;

-- Overrides of the built-in retention periods (core/store/retention.h): scope is an event
-- type, '*' (other types), 'findings', 'incidents' or 'quarantine'.
CREATE TABLE retention (
    scope       TEXT PRIMARY KEY,
    days        INTEGER NOT NULL CHECK (days > 0)
) WITHOUT ROWID;
)sql",
        // 2 -> 3: full-text search over incidents (title, notes, category, rule, agent) for
        // the incident browser. External-content FTS5 kept in step by triggers; the update
        // trigger fires only for the indexed columns, so ingest's severity/last_ms updates
        // do not touch the index.
        R"sql(
CREATE VIRTUAL TABLE incidents_fts USING fts5(
    title, notes, category, rule, agent,
    content='incidents', content_rowid='id'
);
CREATE TRIGGER incidents_fts_insert AFTER INSERT ON incidents BEGIN
    INSERT INTO incidents_fts(rowid, title, notes, category, rule, agent)
    VALUES (new.id, new.title, new.notes, new.category, new.rule, new.agent);
END;
CREATE TRIGGER incidents_fts_delete AFTER DELETE ON incidents BEGIN
    INSERT INTO incidents_fts(incidents_fts, rowid, title, notes, category, rule, agent)
    VALUES ('delete', old.id, old.title, old.notes, old.category, old.rule, old.agent);
END;
CREATE TRIGGER incidents_fts_update AFTER UPDATE OF title, notes, category, rule, agent
ON incidents BEGIN
    INSERT INTO incidents_fts(incidents_fts, rowid, title, notes, category, rule, agent)
    VALUES ('delete', old.id, old.title, old.notes, old.category, old.rule, old.agent);
    INSERT INTO incidents_fts(rowid, title, notes, category, rule, agent)
    VALUES (new.id, new.title, new.notes, new.category, new.rule, new.agent);
END;
INSERT INTO incidents_fts(incidents_fts) VALUES ('rebuild');
)sql",
        // 3 -> 4: the review (core/review/reviewstore.h): reviewer verdicts on checklist
        // items, append-only (triggers refuse UPDATE and DELETE), and threat matrices kept as
        // their JSON export.
        R"sql(
CREATE TABLE verdicts (
    id          INTEGER PRIMARY KEY,             -- recording order
    item_id     TEXT NOT NULL,                   -- maestro.4.2, plugin.output.2, ...
    component   TEXT NOT NULL DEFAULT '',        -- agent or plugin; '' for the system
    kind        TEXT NOT NULL CHECK (kind IN ('pass', 'fail', 'not_applicable')),
    note        TEXT NOT NULL DEFAULT '',
    reviewer    TEXT NOT NULL,
    at_ms       INTEGER NOT NULL
);
CREATE INDEX verdicts_item ON verdicts(component, item_id, id);
CREATE TRIGGER verdicts_no_update BEFORE UPDATE ON verdicts BEGIN
    SELECT RAISE(ABORT, 'verdicts are append-only');
END;
CREATE TRIGGER verdicts_no_delete BEFORE DELETE ON verdicts BEGIN
    SELECT RAISE(ABORT, 'verdicts are append-only');
END;

CREATE TABLE threat_matrices (
    id          INTEGER PRIMARY KEY,
    name        TEXT NOT NULL,
    component   TEXT NOT NULL DEFAULT '',        -- '' for the whole system
    template_id TEXT NOT NULL DEFAULT '',        -- maestro | attack-surface | '' (blank)
    json        TEXT NOT NULL,                   -- exportMatrixJson() of the matrix
    updated_ms  INTEGER NOT NULL
);
)sql",
        // 4 -> 5: the reviewer's severity filter is "at least warning" over a time-ordered
        // page. (severity, ts) could not serve that (a range on the first column leaves ts
        // unordered) and cost an index insert for every event; nearly all events are info,
        // so a partial time index over the rest is small, cheap to keep and exactly what the
        // page query reads.
        R"sql(
DROP INDEX events_sev_ts;
CREATE INDEX events_notable_ts ON events(ts) WHERE severity > 0;
)sql",
        // 5 -> 6: thread ids are random strings, so an index on them took every insert to
        // a random page (2.8 s of a 1M-event import). Threads are numbered in the order
        // they first appear, and events are indexed by that number: an active thread's
        // entries now sit at the end of the index, next to each other.
        R"sql(
CREATE TABLE threads (
    id        INTEGER PRIMARY KEY,            -- in order of first appearance
    thread_id TEXT NOT NULL UNIQUE
);
INSERT INTO threads(thread_id)
    SELECT thread_id FROM events WHERE erased = 0 GROUP BY thread_id ORDER BY min(id);
ALTER TABLE events ADD COLUMN thread_no INTEGER; -- threads.id; NULL for tombstones
UPDATE events SET thread_no = (SELECT t.id FROM threads t WHERE t.thread_id = events.thread_id)
    WHERE erased = 0;
DROP INDEX events_thread;
CREATE INDEX events_thread_no ON events(thread_no);
)sql",
        // 6 -> 7: findings, the finding summary, rejected lines and incidents join the
        // integrity chain (core/store/recordseal.h, docs/integrity.md). The rows stored so
        // far are sealed once, inside this migration's transaction, when the database has
        // a chain key (sealRecordsAfterMigration).
        R"sql(
ALTER TABLE events ADD COLUMN fdigest BLOB;  -- digest of its findings, sealed into its leaf
ALTER TABLE events ADD COLUMN fseal BLOB;    -- keyed amendment: its findings as they are now
ALTER TABLE events ADD COLUMN freceipt INTEGER NOT NULL DEFAULT 0; -- receipt of the amendment
ALTER TABLE findings ADD COLUMN hash BLOB;   -- SHA-256 of the finding's canonical form
ALTER TABLE quarantine ADD COLUMN erased INTEGER NOT NULL DEFAULT 0; -- receipt that wiped it
ALTER TABLE quarantine ADD COLUMN seal BLOB; -- keyed seal of the row
ALTER TABLE incidents ADD COLUMN hlink BLOB; -- link of its last history entry
ALTER TABLE incidents ADD COLUMN seal BLOB;  -- keyed seal of the row and its history
ALTER TABLE incident_history ADD COLUMN link BLOB; -- keyed link to the entry before it
)sql",
        // 7 -> 8: queries a reviewer saved by name (core/query/savedqueries.h). Built-in
        // queries ship with the program and are not stored here.
        R"sql(
CREATE TABLE saved_queries (
    name        TEXT PRIMARY KEY,                -- a-z 0-9 . _ -, at most 64 characters
    query       TEXT NOT NULL,                   -- compiles with core/query/query.h
    author      TEXT NOT NULL DEFAULT '',        -- OS user who saved it last
    created_ms  INTEGER NOT NULL,
    updated_ms  INTEGER NOT NULL
) WITHOUT ROWID;
)sql",
        // 8 -> 9: mute rules (core/store/suppression.h, docs/review.md "Muting findings"):
        // reviewers mute known false positives by rule, agent, field and/or a glob over the
        // matched text, with a reason, an author and an optional expiry. Whether a finding
        // is muted is decided when it is read, so nothing here touches findings. A rule is
        // removed by marking it (the row stays for the history and the reports), and every
        // add, change and removal is appended to suppression_history, which triggers keep
        // append-only. Self-contained and idempotent (IF NOT EXISTS): it only adds its own
        // objects, so it can be renumbered behind another migration.
        R"sql(
CREATE TABLE IF NOT EXISTS suppressions (
    id          INTEGER PRIMARY KEY,
    rule        TEXT NOT NULL DEFAULT '',        -- finding rule id; '' any
    agent       TEXT NOT NULL DEFAULT '',        -- agent name; '' any
    field       TEXT NOT NULL DEFAULT '',        -- finding field path; '' any
    pattern     TEXT NOT NULL DEFAULT '',        -- glob over the matched text; '' any
    reason      TEXT NOT NULL,
    author      TEXT NOT NULL,
    created_ms  INTEGER NOT NULL,
    expires_ms  INTEGER,                         -- NULL: never
    updated_ms  INTEGER NOT NULL,
    removed_ms  INTEGER NOT NULL DEFAULT 0       -- 0 while the rule exists
);
CREATE TRIGGER IF NOT EXISTS suppressions_no_delete BEFORE DELETE ON suppressions BEGIN
    SELECT RAISE(ABORT, 'mute rules are removed by marking them, never deleted');
END;
CREATE TABLE IF NOT EXISTS suppression_history (
    id             INTEGER PRIMARY KEY,          -- recording order
    suppression_id INTEGER NOT NULL REFERENCES suppressions(id),
    ts_ms          INTEGER NOT NULL,
    actor          TEXT NOT NULL,
    action         TEXT NOT NULL CHECK (action IN ('add', 'change', 'remove')),
    reason         TEXT NOT NULL,
    rule_json      TEXT NOT NULL                 -- the rule after the action
);
CREATE INDEX IF NOT EXISTS suppression_history_rule ON suppression_history(suppression_id, id);
CREATE TRIGGER IF NOT EXISTS suppression_history_no_update BEFORE UPDATE ON suppression_history BEGIN
    SELECT RAISE(ABORT, 'the mute rule history is append-only');
END;
CREATE TRIGGER IF NOT EXISTS suppression_history_no_delete BEFORE DELETE ON suppression_history BEGIN
    SELECT RAISE(ABORT, 'the mute rule history is append-only');
END;
)sql",
    };
    return kMigrations;
}

const std::vector<std::string>& findingCategoryBits()
{
    static const std::vector<std::string> kBits{
        "injection", "pii",  "secret", "sql_mutation",         "log_injection",
        "length",    "schema", "iam",  "privilege_escalation", "other",
        // Added after "other": stored masks and chain seals keep their meaning for every
        // category that existed before.
        "model_extraction"};
    return kBits;
}

unsigned findingCategoryBit(const std::string& category)
{
    const auto& bits = findingCategoryBits();
    static const unsigned kOther =
        static_cast<unsigned>(std::find(bits.begin(), bits.end(), "other") - bits.begin());
    const auto at = std::find(bits.begin(), bits.end(), category);
    return at == bits.end() || *at == "other" ? kOther : static_cast<unsigned>(at - bits.begin());
}

} // namespace vigil
