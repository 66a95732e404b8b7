#!/usr/bin/env bash
# Reproduces web/vendor/ from the npm packages pinned in web/package-lock.json.
#
#   web/vendor.sh           npm ci, then copy the pinned files into web/vendor/
#   web/vendor.sh --check   npm ci, then exit 1 if web/vendor/ differs from them
#
# web/vendor/ is committed so that building gendan needs no node or network; this script is
# how it was made and how the dashboard test (tests/e2e/dashboard_e2e.sh) proves it still
# matches the lock file. To upgrade Chart.js: edit package.json, `npm install` in web/, run
# this script, and commit package.json, package-lock.json and web/vendor/ together.
set -euo pipefail
cd "$(dirname "$0")"

# package file -> vendored name
FILES=(
  "node_modules/chart.js/dist/chart.umd.min.js:chart.umd.min.js"
)

command -v npm >/dev/null || { echo "web/vendor.sh: npm is required (deploy/local/install-deps.sh)" >&2; exit 1; }
npm ci --no-audit --no-fund --loglevel=error >/dev/null

rc=0
for pair in "${FILES[@]}"; do
  src="${pair%%:*}"; dst="vendor/${pair##*:}"
  [[ -f "$src" ]] || { echo "web/vendor.sh: $src is not in the pinned package" >&2; exit 1; }
  if [[ "${1:-}" == "--check" ]]; then
    if ! cmp -s "$src" "$dst"; then
      echo "web/vendor.sh: $dst differs from $src of package-lock.json (run web/vendor.sh)" >&2
      rc=1
    fi
  else
    mkdir -p vendor
    cp "$src" "$dst"
    echo "web/vendor.sh: $dst <- $src"
  fi
done
exit $rc
