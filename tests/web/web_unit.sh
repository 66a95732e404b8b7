#!/usr/bin/env bash
# The dashboard's pure modules (web/src/dates.js, web/src/kpis.js) under node's test runner
# (web/test/*.test.mjs). Needs node (deploy/local/install-deps.sh); without it the test is
# skipped (exit 77) on a developer machine and fails under CI=true.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
if ! command -v node >/dev/null; then
  [[ "${CI:-}" == "true" ]] && { echo "[web_unit] FAIL: CI=true and no node" >&2; exit 1; }
  echo "[web_unit] SKIP: no node (deploy/local/install-deps.sh installs it)"
  exit 77
fi
exec node --test "$ROOT"/web/test/*.test.mjs
