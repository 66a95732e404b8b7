#!/usr/bin/env bash
# Runs clang-tidy (.clang-tidy) over gendan's own sources using build/compile_commands.json.
#   tools/tidy.sh [files...]   default: every .cc under engine/ projections/ consumers/
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD_DIR="${GENDAN_BUILD_DIR:-build}"
[ -f "$BUILD_DIR/compile_commands.json" ] || cmake -S . -B "$BUILD_DIR" -G Ninja >/dev/null
# Generated protobuf headers must exist before clang-tidy can parse our includes.
ninja -C "$BUILD_DIR" gendan_proto >/dev/null
if [ $# -eq 0 ]; then
  mapfile -t files < <(git ls-files -- 'engine/*.cc' 'projections/*.cc' 'consumers/*.cc')
else
  files=("$@")
fi
clang-tidy -p "$BUILD_DIR" --quiet "${files[@]}"
