#!/usr/bin/env bash
# The steps of deploy/docker/Dockerfile as a plain script, so they can run (and be tested)
# without Docker. The Dockerfile calls exactly these:
#
#   build-steps.sh deps                  apt-get install the build packages (build stage)
#   build-steps.sh build SRC OUT         configure + build gendan (Release, no tests) from SRC,
#                                        stripped binary at OUT/gendan
#   build-steps.sh runtime-deps          apt-get install the runtime libraries (slim stage)
#   build-steps.sh check-runtime BINARY  every shared library of BINARY resolves (slim stage)
#   build-steps.sh packages build|runtime  print a package list
#   build-steps.sh check-packages BINARY on the build machine: every library BINARY links comes
#                                        from a package RUNTIME_PACKAGES installs (with their
#                                        dependencies), i.e. the slim image will have it
#
# --dry-run before the step prints the commands instead of running them, after checking what
# can be checked cheaply: every package is known to apt, SRC holds gendan's CMakeLists.txt.
# BUILD_PACKAGES is the C++ part of deploy/local/install-deps.sh (ctest DeployFiles checks that
# they agree); RUNTIME_PACKAGES are the Debian bookworm libraries build/gendan links.
set -euo pipefail

BUILD_PACKAGES=(
  build-essential cmake ninja-build pkg-config
  librdkafka-dev librocksdb-dev libprotobuf-dev protobuf-compiler libjemalloc-dev
  libcpp-httplib-dev nlohmann-json3-dev libcli11-dev libspdlog-dev libabsl-dev
)
RUNTIME_PACKAGES=(
  librdkafka++1 librocksdb7.8 libprotobuf32 libcpp-httplib0.11 libspdlog1.10 libfmt9 libjemalloc2 libabsl20220623
  ca-certificates
)

DRY=0
if [[ "${1:-}" == "--dry-run" ]]; then DRY=1; shift; fi
say() { printf '[build-steps] %s\n' "$*" >&2; }
die() { printf '[build-steps] error: %s\n' "$*" >&2; exit 1; }
run() {
  if [[ $DRY -eq 1 ]]; then printf '+ %s\n' "$*"; else "$@"; fi
}

# Every package must have an install candidate (apt-cache reads the local lists: no network).
check_known() {
  local p missing=()
  for p in "$@"; do
    [[ "$(apt-cache policy "$p" 2>/dev/null)" =~ Candidate:\ [^\(] ]] || missing+=("$p")
  done
  [[ ${#missing[@]} -eq 0 ]] || die "apt knows no candidate for: ${missing[*]} (apt-get update?)"
}

apt_install() {
  if [[ $DRY -eq 1 ]]; then check_known "$@"; fi
  run env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  run env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@"
  run sh -c 'rm -rf /var/lib/apt/lists/*' 
}

step="${1:-}"
case "$step" in
  deps) apt_install "${BUILD_PACKAGES[@]}" ;;
  runtime-deps) apt_install "${RUNTIME_PACKAGES[@]}" ;;
  build)
    src="${2:?usage: build-steps.sh build SRC OUT}"
    out="${3:?usage: build-steps.sh build SRC OUT}"
    [[ -f "$src/CMakeLists.txt" && -f "$src/consumers/main.cc" ]] || die "$src is not a gendan source tree"
    jobs="${GENDAN_BUILD_JOBS:-$(nproc)}"
    run cmake -S "$src" -B "$out/cmake" -G Ninja -DCMAKE_BUILD_TYPE=Release \
      -DGENDAN_BUILD_TESTS=OFF -DGENDAN_BUILD_BENCH=OFF
    run ninja -C "$out/cmake" -j "$jobs" gendan
    run install -D -m 0755 -s "$out/cmake/gendan" "$out/gendan"
    run "$out/gendan" --version
    ;;
  check-runtime)
    bin="${2:?usage: build-steps.sh check-runtime BINARY}"
    [[ -x "$bin" ]] || die "no executable at $bin"
    if ldd "$bin" | grep -q 'not found'; then
      ldd "$bin" | grep 'not found' >&2
      die "$bin needs libraries the image lacks (add their packages to RUNTIME_PACKAGES)"
    fi
    "$bin" --version >/dev/null || die "$bin does not start"
    say "$bin: every shared library resolves"
    ;;
  check-packages)
    bin="${2:?usage: build-steps.sh check-packages BINARY}"
    closure="$(apt-cache depends --recurse --no-recommends --no-suggests --no-conflicts \
      --no-breaks --no-replaces --no-enhances "${RUNTIME_PACKAGES[@]}" 2>/dev/null \
      | sed -n 's/^\([a-z0-9][^ <>]*\)$/\1/p; s/^ *[A-Za-z]*Depends: \([^<> ]*\)$/\1/p' \
      | sed 's/:.*//' | sort -u)"
    missing=()
    while read -r lib; do
      pkg="$(dpkg -S "$(readlink -f "$lib")" 2>/dev/null || dpkg -S "$lib" 2>/dev/null || true)"
      pkg="${pkg%%:*}"
      [[ -n "$pkg" ]] || die "no package owns $lib"
      grep -qxF "$pkg" <<<"$closure" || missing+=("$pkg ($lib)")
    done < <(ldd "$bin" | awk '$3 ~ /^\// {print $3}')
    [[ ${#missing[@]} -eq 0 ]] || die "RUNTIME_PACKAGES lack: ${missing[*]}"
    say "$bin: all $(ldd "$bin" | grep -c '=> /') libraries come from RUNTIME_PACKAGES and their dependencies"
    ;;
  packages)
    case "${2:-}" in
      build) printf '%s\n' "${BUILD_PACKAGES[@]}" ;;
      runtime) printf '%s\n' "${RUNTIME_PACKAGES[@]}" ;;
      *) die "usage: build-steps.sh packages build|runtime" ;;
    esac
    ;;
  *) die "usage: build-steps.sh [--dry-run] deps|build SRC OUT|runtime-deps|check-runtime BINARY|packages build|runtime" ;;
esac
