#!/usr/bin/env bash
# The dashboard in a browser (issue 9): `gendan run` on a real broker is fed a simulated order
# book (`gendan simulate`), then
# Debian's headless Chromium, driven by playwright-core (tests/e2e/dashboard_browser.mjs), checks
# that GET / shows exactly what /v1/kpis and /v1/alerts return, that an order page opens, and
# that a phone gets a usable page, and that a `gendan serve` with serve.auth_token asks for the
# token and then shows the same numbers; it saves screenshots. Also checks that web/vendor/ is what
# web/package-lock.json pins (web/vendor.sh --check).
#
#   tests/e2e/dashboard_e2e.sh [path/to/gendan] [screenshot dir]
#       (defaults: build/gendan, build/test-output/dashboard)
#
# Needs node, npm (for `npm ci` of web/: playwright-core) and /usr/bin/chromium (or $CHROMIUM);
# deploy/local/install-deps.sh installs them. Without them, or without a broker, the test is
# skipped (exit 77) on a developer machine and FAILS under CI=true.
# Env: GENDAN_BOOTSTRAP (default 127.0.0.1:9092), DASHBOARD_E2E_KEEP=1 keeps the temp dir.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=tests/e2e/lib.sh
source "$HERE/lib.sh"
e2e_init dashboard "${1:-}"
OUT="${2:-$ROOT/build/test-output/dashboard}"
WEB="$ROOT/web"
CHROMIUM="${CHROMIUM:-/usr/bin/chromium}"
OFFSET="+08:00"  # the browser runs in Asia/Shanghai, the same business zone

e2e_require_tools
missing=()
command -v node >/dev/null || missing+=(node)
command -v npm >/dev/null || missing+=(npm)
[[ -x "$CHROMIUM" ]] || missing+=("$CHROMIUM")
if [[ ${#missing[@]} -gt 0 ]]; then
  [[ "${CI:-}" == "true" ]] && fail "CI=true and missing: ${missing[*]} (deploy/local/install-deps.sh)"
  say "SKIP: missing ${missing[*]} (deploy/local/install-deps.sh installs them)"
  exit 77
fi
e2e_require_broker

# ---- the pinned front-end packages, and the vendored Chart.js they must reproduce ----------
say "npm ci in web/ (playwright-core, chart.js as web/package-lock.json pins them)"
"$WEB/vendor.sh" --check || fail "web/vendor/ is not what web/package-lock.json pins"

# ---- a running gendan with a simulated order book ------------------------------------------
e2e_setup_scratch
e2e_create_topics
# A live book: 1,200 orders over the last ~26 weeks up to yesterday, the risk clock the real one.
# The dashboard shows its "last 90 days" preset (by week) against the 90 days before.
e2e_start_gendan -X projector.utc_offset="$OFFSET"
"$BIN" simulate --orders 1200 --seed 20261127 --until "$(TZ=Asia/Shanghai date -d yesterday +%F)" \
  --days 130 --utc-offset "$OFFSET" --merchandisers 6 --customers 30 --suppliers 12 \
  -o "$TMP/workload.jsonl" 2>"$TMP/simulate.log" || { cat "$TMP/simulate.log" >&2; fail "gendan simulate"; }
EXPECTED="$(sed -n 's/.* \([0-9][0-9]*\) valid facts.*/\1/p' "$TMP/simulate.log")"
[[ -n "$EXPECTED" ]] || { cat "$TMP/simulate.log" >&2; fail "no fact count in the simulator's summary"; }
N_LINES="$(wc -l <"$TMP/workload.jsonl")"
say "simulated book: $N_LINES facts ($EXPECTED valid)"
TO="$(TZ=Asia/Shanghai date +%F)"
FROM="$(date -d "$TO -89 days" +%F)"
PREV_TO="$(date -d "$TO -90 days" +%F)"
PREV_FROM="$(date -d "$TO -179 days" +%F)"
e2e_publish

python3 - "$BASE" "$EXPECTED" <<'PY' || fail "the engine/projector did not take the book"
import sys, time, urllib.request
base, expected = sys.argv[1], int(sys.argv[2])

def metrics():
    out = {}
    with urllib.request.urlopen(base + "/metrics", timeout=10) as r:
        for line in r.read().decode().splitlines():
            if line and not line.startswith("#"):
                name, value = line.rsplit(" ", 1)
                out[name] = float(value)
    return out

deadline = time.time() + 120
while time.time() < deadline:
    m = metrics()
    got = (m.get("gendan_engine_accepted_total", 0), m.get("gendan_projector_events_total", 0))
    if got == (expected, expected):
        break
    time.sleep(0.25)
print("[dashboard_e2e] accepted and projected %d and %d of %d" % (*got, expected))
sys.exit(0 if got == (expected, expected) else 1)
PY
for _ in $(seq 1 50); do curl -fsS "$BASE/readyz" >/dev/null 2>&1 && break; sleep 0.2; done
curl -fsS "$BASE/readyz" >/dev/null || fail "/readyz is not 200 after catching up"

# ---- a `gendan serve` of the same read models that wants a bearer token ---------------------
TOKEN="dashboard-e2e-token-$RAND"
TOKEN_PORT="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
SERVE_PID=""
dashboard_cleanup() {
  local rc=$?
  if [[ -n "$SERVE_PID" ]]; then kill -TERM "$SERVE_PID" 2>/dev/null || true; wait "$SERVE_PID" 2>/dev/null || true; fi
  (exit $rc)
  e2e_cleanup
}
trap dashboard_cleanup EXIT
"$BIN" serve --bootstrap "$BOOTSTRAP" --topic-prefix "$PREFIX" --state-dir "$TMP/data/projections" \
  --listen "127.0.0.1:$TOKEN_PORT" -X projector.utc_offset="$OFFSET" -X serve.auth_token="$TOKEN" \
  >"$TMP/serve.log" 2>&1 &
SERVE_PID=$!
for i in $(seq 1 100); do
  curl -fsS "http://127.0.0.1:$TOKEN_PORT/healthz" >/dev/null 2>&1 && break
  kill -0 "$SERVE_PID" 2>/dev/null || { cat "$TMP/serve.log" >&2; fail "gendan serve exited during start-up"; }
  [[ $i -eq 100 ]] && fail "gendan serve did not answer /healthz within 20 s"
  sleep 0.2
done

# ---- the browser ---------------------------------------------------------------------------
say "Chromium: $("$CHROMIUM" --version 2>/dev/null | head -n 1); period $FROM..$TO vs $PREV_FROM..$PREV_TO"
rm -rf "$OUT"
mkdir -p "$OUT"
BASE="$BASE" OUT="$OUT" FROM="$FROM" TO="$TO" PREV_FROM="$PREV_FROM" PREV_TO="$PREV_TO" \
  PRESET=90d BUCKET=week TOKEN_BASE="http://127.0.0.1:$TOKEN_PORT" TOKEN="$TOKEN" WEB_DIR="$WEB" CHROMIUM="$CHROMIUM" \
  timeout 240 node "$HERE/dashboard_browser.mjs" || fail "the dashboard differs from the API (screenshots in $OUT)"
say "took $(( $(date +%s) - START_TS )) s; screenshots in $OUT"
say "PASS"
