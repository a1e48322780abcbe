#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Import benchmark (issue 2) and scan benchmark (issue 3), in one run on one corpus.
#
#   tests/bench/import.sh [EVENTS]        default 1,000,000 events (about 380 MB)
#
# Builds the release preset, or uses the build tree in VIGIL_BUILD (e.g. build/release or a
# RelWithDebInfo tree) as it is.
#
# Times: vigil-cli import (scanning on and off), the sqlite3 shell loading the same lines
# (.import into a one-column table, then INSERT ... SELECT json_extract(...) in one
# transaction, WAL, with the same reviewer indexes), lnav indexing the file, vigil-cli scan,
# and ripgrep in its fast ASCII mode with the seed's four PII regexes and eleven phrases.
# Needs: sqlite3, lnav, ripgrep, GNU time (apt-get install sqlite3 lnav ripgrep time).
set -euo pipefail
here=$(cd "$(dirname "$0")/../.." && pwd)
n=${1:-1000000}
work=${VIGIL_BENCH_DIR:-/tmp/vigil-bench}
mkdir -p "$work"
if [ -n "${VIGIL_BUILD:-}" ]; then
  build=$VIGIL_BUILD
  cmake --build "$build" -j2 --target vigil-cli bench_gencorpus >/dev/null
else
  build=$here/build/release
  (cd "$here" && cmake --preset release >/dev/null && cmake --build --preset release -j2 \
    --target vigil-cli bench_gencorpus >/dev/null)
fi
echo "machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"
corpus=$work/corpus-$n.jsonl
[ -f "$corpus" ] || "$build/tests/bench/bench_gencorpus" "$n" "$corpus"
bytes=$(stat -L -c %s "$corpus")
lines=$(wc -l <"$corpus")
echo "corpus: $corpus, $lines lines, $bytes bytes"
sync

measure() { # label, command...: prints seconds and peak RSS
  local label=$1; shift
  local out
  local rc=0
  /usr/bin/time -o "$work/time.txt" -f '%e %M' "$@" >/dev/null 2>"$work/stderr.txt" || rc=$?
  # Exit 1 is "found something" for rg and scan; anything else is a failed run.
  if [ "$rc" -gt 1 ]; then echo "$label failed (exit $rc):"; tail -3 "$work/stderr.txt"; return 1; fi
  out=$(tail -1 "$work/time.txt")
  local secs=${out% *} kb=${out#* }
  awk -v l="$label" -v s="$secs" -v kb="$kb" -v n="$lines" -v b="$bytes" \
    'BEGIN { printf "%-34s %7.2f s  %10.0f lines/s  %7.1f MB/s  peak %6.1f MB\n", l, s, n/s, b/1e6/s, kb/1024 }'
}

rm -f "$work"/vigil.db*
measure "vigil-cli import (scan on)" "$build/app/vigil-cli" import --db "$work/vigil.db" "$corpus"
rm -f "$work"/vigil-noscan.db*
measure "vigil-cli import (scan off)" "$build/app/vigil-cli" import --no-scan --db "$work/vigil-noscan.db" "$corpus"

rm -f "$work"/shell.db*
cat >"$work/shell.sql" <<SQL
PRAGMA journal_mode=WAL;
PRAGMA synchronous=NORMAL;
CREATE TABLE raw(line TEXT);
CREATE TABLE events(id INTEGER PRIMARY KEY, ts TEXT, event_type TEXT, agent TEXT, thread_id TEXT,
  severity TEXT, event_id TEXT, user_id TEXT, details TEXT);
CREATE INDEX e_ts ON events(ts); CREATE INDEX e_agent ON events(agent, ts);
CREATE INDEX e_type ON events(event_type, ts); CREATE INDEX e_notable ON events(ts) WHERE severity <> 'info';
CREATE INDEX e_thread ON events(thread_id); CREATE INDEX e_user ON events(user_id) WHERE user_id IS NOT NULL;
CREATE UNIQUE INDEX e_event_id ON events(event_id) WHERE event_id IS NOT NULL;
.mode ascii
.separator "\037" "\n"
.import $corpus raw
BEGIN;
INSERT INTO events(ts, event_type, agent, thread_id, severity, event_id, user_id, details)
  SELECT json_extract(line, '\$.timestamp'), json_extract(line, '\$.event_type'),
         json_extract(line, '\$.agent_name'), json_extract(line, '\$.thread_id'),
         json_extract(line, '\$.severity'), json_extract(line, '\$.event_id'),
         json_extract(line, '\$.user_id'), json_extract(line, '\$.details')
  FROM raw WHERE json_valid(line);
COMMIT;
SQL
measure "sqlite3 shell (.import + json_extract)" sh -c "sqlite3 '$work/shell.db' < '$work/shell.sql'"
if command -v lnav >/dev/null; then
  # tests/bench/lnav holds a log format for these JSON lines; without it lnav sees plain text.
  measure "lnav (index, count)" lnav -I "$here/tests/bench/lnav" -n -c ';SELECT count(*) FROM all_logs' "$corpus"
fi

measure "vigil-cli scan" "$build/app/vigil-cli" scan --format jsonl "$corpus"
if command -v rg >/dev/null; then
  pats=(
    '(?-u)[a-zA-Z0-9._%+-]+@[a-zA-Z0-9.-]+\.[a-zA-Z]+'
    '(?-u)\b\d\d\d[-.]?\d\d\d[-.]?\d\d\d\d\b'
    '(?-u)\b\d\d\d-\d\d-\d\d\d\d\b'
    '(?-u)\b\d\d\d\d[-\s]?\d\d\d\d[-\s]?\d\d\d\d[-\s]?\d\d\d\d\b'
    '(?-u)ignore previous instructions' '(?-u)ignore all instructions'
    '(?-u)disregard your instructions' '(?-u)system prompt' '(?-u)reveal your prompt'
    '(?-u)what are your instructions' '(?-u)act as if you are' '(?-u)pretend you are'
    '(?-u)you are now' '(?-u)new instructions:' '(?-u)override:'
  )
  args=()
  for p in "${pats[@]}"; do args+=(-e "$p"); done
  measure "ripgrep -c -i (ASCII, 15 patterns)" rg -c -i "${args[@]}" "$corpus"
fi
