#!/usr/bin/env bash
# Installs the Debian packages gendan builds, tests and runs with, when any is missing.
# Idempotent and quick when everything is there. Needs root (or sudo) only when installing.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

PACKAGES=(
  build-essential cmake ninja-build pkg-config git
  librdkafka-dev librocksdb-dev libprotobuf-dev protobuf-compiler libjemalloc-dev
  libgtest-dev libbenchmark-dev
  libcpp-httplib-dev nlohmann-json3-dev libcli11-dev libspdlog-dev libabsl-dev
  clang-format clang-tidy
  clang-14 libclang-rt-14-dev
  openjdk-17-jre-headless maven kcat curl
  python3
  # issue 9: promtool (the Prometheus parser and linter, from Debian's prometheus package: ~100 MB
  # with its web assets; only promtool is used, though apt may start its service under systemd)
  # for the metrics and alert-rule tests; PyYAML and systemd-analyze for the deployment checks
  prometheus python3-yaml systemd
  # issue 9: the dashboard's browser test (tests/e2e/dashboard_e2e.sh): Debian's Chromium,
  # driven by playwright-core, which web/package-lock.json pins and `npm ci` installs
  chromium nodejs npm
)

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
# A JDK installed some other way (e.g. Temurin) is fine for the broker.
if [[ " ${missing[*]} " == *" openjdk-17-jre-headless "* ]] && command -v java >/dev/null; then
  missing=("${missing[@]/openjdk-17-jre-headless}")
fi
if [[ " ${missing[*]} " == *" maven "* ]] && command -v mvn >/dev/null; then
  missing=("${missing[@]/maven}")
fi
# Node.js installed some other way (e.g. NodeSource's nodejs, which bundles npm and conflicts
# with Debian's npm) is fine for the dashboard test.
if [[ " ${missing[*]} " == *" nodejs "* ]] && command -v node >/dev/null; then
  missing=("${missing[@]/nodejs}")
fi
if [[ " ${missing[*]} " == *" npm "* ]] && command -v npm >/dev/null; then
  missing=("${missing[@]/npm}")
fi
read -ra missing <<<"${missing[*]}"
if [ ${#missing[@]} -eq 0 ]; then
  say "all packages present"
  exit 0
fi
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
command -v apt-get >/dev/null || die "apt-get not found; install these by hand: ${missing[*]}"
say "installing: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq || die "apt-get update failed"
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null \
  || die "apt-get install failed for: ${missing[*]}"
say "packages installed"
