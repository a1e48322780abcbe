#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# One entry point for a fresh Debian 12 machine: installs the Debian packages Vigil needs
# that are missing, configures and builds, then either launches the dashboard on its demo
# or runs every test.
#
#   packaging/setup.sh demo     build and launch `vigil --demo`
#   packaging/setup.sh test     build (warnings as errors) and run the whole test suite, then
#                               run every fuzz target for a fixed number of inputs and
#                               the UI tests once more in a Debug build with Qt's assertions
#   packaging/setup.sh build    build only
#   packaging/setup.sh deb      build and produce a .deb with CPack
set -euo pipefail

mode=${1:-demo}
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
jobs=${VIGIL_JOBS:-2}

packages=(
  build-essential cmake pkg-config git
  qt6-base-dev qt6-base-dev-tools qt6-charts-dev qt6-svg-dev libgl-dev
  libqt6opengl6-dev  # Qt6Charts' CMake config needs Qt6OpenGL; qt6-charts-dev does not pull it in
  nlohmann-json3-dev libboost-dev libboost-system-dev libssl-dev
  libhyperscan-dev libsimdjson-dev libicu-dev libsqlite3-dev sqlite3 zlib1g-dev
  libprotobuf-dev protobuf-compiler  # OTLP/HTTP protobuf bodies (core/ingest/proto)
  libphonenumber-dev  # phone numbers by numbering plan (core/scan/phoneplan.cpp)
  xvfb xauth poppler-utils procps
  fonts-dejavu-core fonts-droid-fallback  # embedded in PDF reports (core/report/pdfwriter.cpp)
  clang-16 libclang-rt-16-dev libfuzzer-16-dev  # the fuzz preset (docs/fuzzing.md)
  syslog-ng-core syslog-ng-mod-http openssl curl  # real shippers and TLS in tests/core/cli/tst_shippers
)

install_missing() {
  local missing=()
  # Node.js runs the OpenTelemetry SDK client of the tests; a machine that has node (any
  # source) needs no Debian package for it.
  if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
    packages+=(nodejs npm)
  fi
  for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  if [ ${#missing[@]} -eq 0 ]; then
    return
  fi
  echo "setup: installing ${missing[*]}" >&2
  local sudo=()
  [ "$(id -u)" -eq 0 ] || sudo=(sudo)
  "${sudo[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
}

build() {
  local preset=$1
  local build_preset=${2:-$1}
  shift $(( $# > 1 ? 2 : 1 ))
  # Presets are read from the current folder: work from the checkout wherever we were called.
  cd "$here"
  cmake --preset "$preset" "$@" >/dev/null
  cmake --build --preset "$build_preset" -j"$jobs"
}

# Prints how long the step named $1 took since $2 (seconds since the epoch).
took() {
  echo "setup: $1 took $(( $(date +%s) - $2 )) s" >&2
}

case "$mode" in
  demo)
    install_missing
    build release
    exec "$here/build/release/app/vigil" --demo
    ;;
  test)
    install_missing
    # The OpenTelemetry JS SDK at the versions pinned in its lock file (tests/clients/otel).
    (cd "$here/tests/clients/otel" && npm ci --no-audit --no-fund --loglevel=error)
    start=$(date +%s)
    build ci
    cd "$here"
    QT_QPA_PLATFORM=offscreen ctest --preset ci
    took "the ci build and suite" "$start"

    # Every fuzz target for a fixed number of inputs from a fixed seed on the committed
    # corpus, the same inputs on every machine; a crash or a failed check fails the run.
    start=$(date +%s)
    build fuzz fuzz -DVIGIL_FUZZ_RUNS_SCALE="${VIGIL_FUZZ_RUNS_SCALE:-1}"
    ctest --preset fuzz
    took "fuzzing" "$start"

    # The UI tests again, built in Debug with Q_ASSERT and libstdc++'s checks active.
    start=$(date +%s)
    build debugqt debugqt-ui
    ctest --preset debugqt-ui
    took "the debugqt UI tests" "$start"
    ;;
  build)
    install_missing
    build release
    ;;
  deb)
    install_missing
    build release
    (cd "$here/build/release" && cpack -G DEB)
    ;;
  *)
    echo "usage: packaging/setup.sh demo|test|build|deb" >&2
    exit 1
    ;;
esac
