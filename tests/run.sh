#!/usr/bin/env bash
# The test front door: installs what is missing, starts the local Kafka broker if it is not
# running, builds, checks formatting, and runs every test with ctest.
#   ./tests/run.sh              everything
#   ./tests/run.sh -L unit      only ctest label "unit" (extra args go to ctest)
# Env: GENDAN_BUILD_DIR (default build), GENDAN_SANITIZE=ON for an ASan+UBSan build.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
BUILD_DIR="${GENDAN_BUILD_DIR:-build}"

say() { printf '\n[tests/run.sh] %s\n' "$*"; }

say "1/5 packages"
./deploy/local/install-deps.sh

say "2/5 Kafka broker"
./deploy/local/broker.sh start
./deploy/local/topics.sh
export GENDAN_BOOTSTRAP="${GENDAN_BOOTSTRAP:-127.0.0.1:${GENDAN_KAFKA_PORT:-9092}}"

say "3/5 format check"
./tools/format.sh --check

say "4/5 build ($BUILD_DIR)"
cmake -S . -B "$BUILD_DIR" -G Ninja -DGENDAN_SANITIZE="${GENDAN_SANITIZE:-OFF}" >/dev/null
ninja -C "$BUILD_DIR"

say "5/5 tests"
cd "$BUILD_DIR"
ctest --output-on-failure --timeout 600 -j "${GENDAN_TEST_JOBS:-2}" "$@"
