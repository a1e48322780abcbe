#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# HTTP receiver figures (docs/performance.md, "HTTP receiver"): bench_http posts NDJSON to
# /v1/events and OTLP JSON GenAI spans to /v1/traces from 4 keep-alive clients, each request
# waiting for its 200 (sent once committed), then paces 10,000 events/s and reports
# request-to-commit p50/p99. Beside it, in the same run, bench_live sends the same events over
# the TCP feed, so the cost of HTTP's request/answer round trips shows against it.
# Usage: tests/bench/http.sh [BUILD_DIR] [EVENTS]
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
build=${1:-$here/../../build/release}
events=${2:-400000}
work=$(mktemp -d "${TMPDIR:-/tmp}/vigil-http-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT

cmake --build "$build" --target bench_http bench_live -j2 >/dev/null
echo "== HTTP receiver: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"
/usr/bin/time -f "bench_http: %e s wall, peak RSS %M KiB" \
    "$build/tests/bench/bench_http" --events "$events" --clients 4 --batch 1000 \
    --rate 10000 --seconds 10 --dir "$work"
echo "== the OTLP spans again, each body as protobuf (application/x-protobuf)"
"$build/tests/bench/bench_http" --events "$events" --clients 4 --batch 1000 \
    --rate 10000 --seconds 10 --dir "$work/pb" --mode otlp-protobuf
echo "== the same events over the TCP feed (bench_live), for comparison"
"$build/tests/bench/bench_live" --events "$events" --clients 4 --rate 10000 --seconds 10 \
    --dir "$work/tcp"
