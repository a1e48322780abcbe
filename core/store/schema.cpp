// SPDX-License-Identifier: Apache-2.0
#include "store/schema.h"

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
    };
    return kMigrations;
}

const std::vector<std::string>& findingCategoryBits()
{
    static const std::vector<std::string> kBits{
        "injection", "pii",  "secret", "sql_mutation",         "log_injection",
        "length",    "schema", "iam",  "privilege_escalation", "other"};
    return kBits;
}

unsigned findingCategoryBit(const std::string& category)
{
    const auto& bits = findingCategoryBits();
    for (unsigned i = 0; i + 1 < bits.size(); ++i)
        if (bits[i] == category)
            return i;
    return static_cast<unsigned>(bits.size() - 1);
}

} // namespace vigil
