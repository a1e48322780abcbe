#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Live ingest figures (docs/performance.md, "Live ingest"):
#  1. bench_live: sustained events/s from 4 TCP clients into SQLite with scanning on, and
#     receipt-to-commit latency p50/p99 at a paced 10,000 events/s;
#  2. beside it, the sqlite3 shell loading the very same lines: raw (one TEXT column) and
#     parsed with json_extract into typed, indexed columns.
# Usage: tests/bench/live.sh [BUILD_DIR] [EVENTS]
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
build=${1:-$here/../../build}
events=${2:-400000}
work=$(mktemp -d "${TMPDIR:-/tmp}/vigil-live-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT

cmake --build "$build" --target bench_live -j2 >/dev/null
echo "== live ingest: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"
"$build/tests/bench/bench_live" --events "$events" --clients 4 --rate 10000 --seconds 10 \
    --dir "$work" --lines-out "$work/lines.jsonl"

if ! command -v sqlite3 >/dev/null; then
    echo "sqlite3 shell not installed: no baseline"
    exit 0
fi
lines=$(wc -l <"$work/lines.jsonl")
now() { date +%s.%N; }
rate() { awk -v n="$lines" -v a="$1" -v b="$2" 'BEGIN { printf "%.2f s, %.0f lines/s", b - a, n / (b - a) }'; }

t0=$(now)
sqlite3 "$work/raw.db" >/dev/null <<EOF
PRAGMA journal_mode=WAL;
PRAGMA synchronous=NORMAL;
CREATE TABLE raw(line TEXT);
.mode ascii
.separator "\\037" "\\n"
.import $work/lines.jsonl raw
EOF
t1=$(now)
echo "sqlite3 shell, raw .import of the same $lines lines: $(rate "$t0" "$t1")"

t0=$(now)
sqlite3 "$work/raw.db" >/dev/null <<'EOF'
PRAGMA synchronous=NORMAL;
CREATE TABLE ev(ts TEXT, event_type TEXT, agent TEXT, thread_id TEXT, severity TEXT,
                event_id TEXT, details TEXT);
CREATE UNIQUE INDEX ev_id ON ev(event_id);
CREATE INDEX ev_ts ON ev(ts);
CREATE INDEX ev_agent ON ev(agent, ts);
CREATE INDEX ev_type ON ev(event_type, ts);
CREATE INDEX ev_thread ON ev(thread_id);
INSERT INTO ev SELECT json_extract(line, '$.timestamp'), json_extract(line, '$.event_type'),
       json_extract(line, '$.agent_name'), json_extract(line, '$.thread_id'),
       json_extract(line, '$.severity'), json_extract(line, '$.event_id'),
       json(json_extract(line, '$.details')) FROM raw;
EOF
t1=$(now)
echo "sqlite3 shell, json_extract of those lines into 7 indexed columns: $(rate "$t0" "$t1")"
