#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# CloudTrail import benchmark (issue 14): vigil-cli import of CloudTrail log files, end to
# end (read, cut Records[], convert, decode, scan, store with the chain and the indexes).
#
#   tests/bench/cloudtrail.sh [RECORDS [FILES]]    default 500,000 records in 5 files
#
# Builds the release preset (with ccache when it is installed), or uses the build tree in
# VIGIL_BUILD as it is. bench_gencloudtrail writes the files (deterministic, about 1.5 KB a
# record, minified as CloudTrail writes them), then gzip copies of them (.json.gz, as
# CloudTrail delivers them to S3). Times, in one run and on the same files:
#
#   - vigil-cli import of the .json files (scanning on, the default rules), and of the
#     .json.gz files;
#   - vigil-cli import --no-scan of the .json files;
#   - jq -c '.Records[]' over the .json files, as a reference for reading the same JSON
#     (when jq is installed).
#
# Prints records/s, wall time and peak RSS (GNU time). Needs GNU time and gzip; jq is
# optional (apt-get install time jq).
set -euo pipefail
here=$(cd "$(dirname "$0")/../.." && pwd)
n=${1:-500000}
files=${2:-5}
work=${VIGIL_BENCH_DIR:-/tmp/vigil-bench}
mkdir -p "$work"
if [ -n "${VIGIL_BUILD:-}" ]; then
  build=$VIGIL_BUILD
  cmake --build "$build" -j2 --target vigil-cli bench_gencloudtrail >/dev/null
else
  build=$here/build/release
  launcher=()
  command -v ccache >/dev/null && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
  (cd "$here" && cmake --preset release "${launcher[@]}" >/dev/null &&
    cmake --build build/release -j2 --target vigil-cli bench_gencloudtrail >/dev/null)
fi
echo "machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "build: $build ($(git -C "$here" rev-parse --short HEAD)$(git -C "$here" diff --quiet || echo ', modified'))"

dir=$work/cloudtrail-$n-$files
if [ ! -f "$dir/done" ]; then
  rm -rf "$dir"
  mkdir -p "$dir/plain" "$dir/gz"
  "$build/tests/bench/bench_gencloudtrail" "$n" "$files" "$dir/plain"
  for f in "$dir"/plain/*.json; do gzip -c "$f" >"$dir/gz/$(basename "$f").gz"; done
  touch "$dir/done"
fi
plain=("$dir"/plain/*.json)
gz=("$dir"/gz/*.json.gz)
bytes=$(cat "${plain[@]}" | wc -c)
gzbytes=$(cat "${gz[@]}" | wc -c)
echo "input: $n records in $files files, $bytes bytes ($gzbytes gzipped)"
sync

measure() { # label, command...: prints seconds, records/s and peak RSS
  local label=$1; shift
  local out rc=0
  /usr/bin/time -o "$work/time.txt" -f '%e %M %U %S' "$@" >"$work/stdout.txt" 2>"$work/stderr.txt" || rc=$?
  if [ "$rc" -ne 0 ]; then echo "$label failed (exit $rc):"; tail -3 "$work/stderr.txt"; return 1; fi
  read -r secs kb user sys < <(tail -1 "$work/time.txt")
  awk -v l="$label" -v s="$secs" -v kb="$kb" -v u="$user" -v y="$sys" -v n="$n" -v b="$bytes" \
    'BEGIN { printf "%-30s %7.2f s  %9.0f records/s  %6.1f MB/s  peak %6.1f MB  cpu %.1f s\n", l, s, n/s, b/1e6/s, kb/1024, u+y }'
}

import() { # label, files...: imports into a fresh database and checks every record was stored
  local label=$1; shift
  rm -f "$work"/ct.db*
  measure "$label" "$build/app/vigil-cli" import --db "$work/ct.db" "$@"
  echo "    $(tail -1 "$work/stdout.txt")"
  grep -q "^accepted $n," "$work/stdout.txt" || { echo "    not every record was stored"; return 1; }
}

import "vigil-cli import (.json)" "${plain[@]}"
import "vigil-cli import (.json.gz)" "${gz[@]}"
import "vigil-cli import --no-scan" --no-scan "${plain[@]}"
rm -f "$work"/ct.db*
if command -v jq >/dev/null; then
  measure "jq -c '.Records[]'" jq -c '.Records[]' "${plain[@]}"
fi
