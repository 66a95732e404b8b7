#!/usr/bin/env bash
# End-to-end scorecard check (issue 6): the generated workload of kpi_workload.py plus the
# hand-made one of scorecard_workload.py (merchandisers with known KPIs in May-July 2025) go
# through `gendan publish` into a real broker and `gendan run`; then GET /v1/scorecards and
# `gendan scorecard --csv` must match the independent oracle scorecard_oracle.py (DOMAIN.md §8
# on top of kpi_oracle.py's KPIs), and the oracle must match the hand computations.
#
#   tests/e2e/scorecard_e2e.sh [path/to/gendan]      (default: build/gendan)
#
# Env: GENDAN_BOOTSTRAP (default 127.0.0.1:9092); CI=true makes a missing broker a failure
# (otherwise the test is skipped with exit code 77); SCORECARD_E2E_SEED, SCORECARD_E2E_ORDERS
# vary the generated part; SCORECARD_E2E_KEEP=1 keeps the temp dir.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=tests/e2e/lib.sh
source "$HERE/lib.sh"
e2e_init scorecard "${1:-}"
SEED="${SCORECARD_E2E_SEED:-20251001}"
ORDERS="${SCORECARD_E2E_ORDERS:-300}"
OFFSET="+08:00"

e2e_require_tools
e2e_require_broker
e2e_setup_scratch
e2e_make_workload
python3 "$HERE/scorecard_workload.py" --out "$TMP/scorecard.jsonl" \
  --manifest "$TMP/scorecard_manifest.json"
cat "$TMP/scorecard.jsonl" >>"$TMP/workload.jsonl"
N_SC_LINES=$(wc -l <"$TMP/scorecard.jsonl")
N_LINES=$((N_LINES + N_SC_LINES))
EXPECTED=$((N_ACCEPTED + N_SC_LINES))  # every hand-made event is valid
say "plus $N_SC_LINES hand-made scorecard events: $EXPECTED events to accept in all"
e2e_create_topics
e2e_start_gendan -X projector.utc_offset="$OFFSET"
e2e_publish

# ---- wait until everything is decided and projected --------------------------------------
python3 - "$BASE" "$EXPECTED" "$TMP/scorecard_manifest.json" <<'PY' || fail "the workload was not taken as expected"
import json, sys, time, urllib.request
base, expected, manifest = sys.argv[1], int(sys.argv[2]), json.load(open(sys.argv[3]))

def get(path):
    with urllib.request.urlopen(base + path, timeout=10) as r:
        return r.read().decode()

def projected():
    for line in get("/metrics").splitlines():
        if line.startswith("gendan_projector_events_total "):
            return int(float(line.split()[1]))
    return 0

deadline = time.time() + 60
while time.time() < deadline and projected() < expected:
    time.sleep(0.25)
time.sleep(1.0)
got = projected()
print("[scorecard_e2e]   projected %d events (expected %d)" % (got, expected))
bad = [(oid, v) for oid, v in sorted(manifest["final_versions"].items())
       if json.loads(get("/v1/orders/" + oid))["version"] != v]
for oid, v in bad:
    print("[scorecard_e2e]   order %s is not at version %d  <-- WRONG" % (oid, v))
sys.exit(0 if got == expected and not bad else 1)
PY

# ---- the API's 400s and defaults ---------------------------------------------------------
python3 - "$BASE" <<'PY' || fail "GET /v1/scorecards parameter handling"
import json, sys, urllib.error, urllib.request
base, ok = sys.argv[1], True

def get(path):
    try:
        with urllib.request.urlopen(base + path, timeout=10) as r:
            return r.status, json.loads(r.read().decode())
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read().decode())

for path, code in [
        ("/v1/scorecards?to=2025-07-31", "missing_parameter"),
        ("/v1/scorecards?from=2025-07-01", "missing_parameter"),
        ("/v1/scorecards?from=2025-07-32&to=2025-08-31", "invalid_parameter"),
        ("/v1/scorecards?from=2025-07-31&to=2025-07-01", "invalid_parameter"),
        ("/v1/scorecards?from=2000-01-01&to=2025-07-01", "invalid_parameter"),
        ("/v1/scorecards?from=2025-07-01&to=2025-07-31&group_by=none", "invalid_parameter"),
        ("/v1/scorecards?from=2025-07-01&to=2025-07-31&compare_previous=yes", "invalid_parameter")]:
    status, body = get(path)
    good = status == 400 and body.get("error", {}).get("code") == code
    print("[scorecard_e2e]   %-72s %d %s%s" % (path, status, body.get("error", {}).get("code"),
                                             "" if good else "  <-- WRONG (want 400 %s)" % code))
    ok &= good
status, body = get("/v1/scorecards?from=2025-07-01&to=2025-07-31")
good = status == 200 and body["group_by"] == "merchandiser" and "previous" not in body
print("[scorecard_e2e]   default group_by: %s %s%s" % (status, body.get("group_by"),
                                                       "" if good else "  <-- WRONG"))
sys.exit(0 if ok and good else 1)
PY

# ---- the API against the oracle ----------------------------------------------------------
QUERIES=(
  2025-07-01:2025-07-31:merchandiser:previous  # the hand-made month against June
  2025-05-31:2025-06-30:merchandiser
  2025-07-01:2025-07-31:department:previous
  2025-07-01:2025-07-31:customer
  2025-07-01:2025-07-31:supplier:previous
  2025-12-01:2025-12-31:merchandiser:previous  # the generated workload
  2026-02-01:2026-02-28:merchandiser
  2026-01-01:2026-03-31:customer:previous
  2025-10-01:2026-04-30:supplier               # third-party inspectors: inspection data only
  2025-11-01:2025-11-30:department:previous
  2025-09-01:2026-06-30:department
  2024-01-01:2024-01-31:merchandiser           # no data: no entries
  2024-01-01:2024-01-31:department             # no data: the one entry, score null
)
ORACLE=(python3 "$HERE/scorecard_oracle.py")
COMMON=(--workload "$TMP/workload.jsonl" --manifest "$TMP/manifest.json" --offset "$OFFSET")
say "comparing /v1/scorecards with the oracle:"
"${ORACLE[@]}" check "${COMMON[@]}" --base-url "$BASE" \
  --designed "$TMP/scorecard_manifest.json" $(printf -- '--query %s ' "${QUERIES[@]}") \
  || fail "/v1/scorecards differs from the oracle (SCORECARD_E2E_KEEP=1 keeps the workload)"

# ---- the CLI: CSV with the default card and with a card from a config file -------------
STATE="$TMP/data/projections"
cli_csv() {  # cli_csv OUT QUERY [gendan options...]: runs `gendan scorecard --csv` for QUERY
  local out="$1" q="$2"; shift 2
  local from to group prev
  IFS=: read -r from to group prev <<<"$q"
  "$BIN" scorecard --state-dir "$STATE" --log-level warn --from "$from" --to "$to" \
    --group-by "$group" --csv ${prev:+--compare-previous} "$@" >"$out" 2>"$out.err" \
    || { cat "$out.err" >&2; fail "gendan scorecard $q failed"; }
}
for q in 2025-07-01:2025-07-31:merchandiser:previous 2026-01-01:2026-03-31:customer:previous \
  2025-07-01:2025-07-31:department; do
  cli_csv "$TMP/card.csv" "$q"
  "${ORACLE[@]}" check-csv "${COMMON[@]}" --query "$q" --csv "$TMP/card.csv" \
    || fail "gendan scorecard --csv ($q) differs from the oracle"
done
cat >"$TMP/card.conf" <<'EOF'
# a card of its own: replaces DOMAIN.md's default
scorecard.otif_rate = target=0.8 weight=5 direction=higher
scorecard.cycle_time_days = target=20 weight=2 direction=lower
scorecard.rating = direction=higher target=4.5 weight=1
scorecard.complaint_rate = target=0.05 weight=1 direction=lower
EOF
for q in 2025-07-01:2025-07-31:merchandiser:previous 2025-12-01:2026-02-28:supplier; do
  cli_csv "$TMP/custom.csv" "$q" --config "$TMP/card.conf"
  "${ORACLE[@]}" check-csv "${COMMON[@]}" --card "$TMP/card.conf" --query "$q" \
    --csv "$TMP/custom.csv" || fail "gendan scorecard --config card.conf ($q) differs"
done
"$BIN" scorecard --state-dir "$STATE" --from 2025-07-01 --to 2025-07-31 --compare-previous \
  >"$TMP/table.txt" || fail "gendan scorecard (table)"
grep -q '^1 .*SC-ACE .*100\.0 .*43\.8' "$TMP/table.txt" \
  || { cat "$TMP/table.txt" >&2; fail "the table does not rank SC-ACE first"; }
rc=0
"$BIN" scorecard --state-dir "$STATE" --from 2025-07-01 --to 2025-07-31 \
  -X 'scorecard.csat=target=0.9 weight=0 direction=higher' >"$TMP/bad.err" 2>&1 || rc=$?
[[ $rc -eq 2 ]] && grep -q "scorecard.csat: weight must be a number > 0" "$TMP/bad.err" \
  || { cat "$TMP/bad.err" >&2; fail "a bad scorecard entry must be a usage error (2), got $rc"; }
say "CLI: CSV (default and custom card), table and a bad entry as expected"
say "took $(( $(date +%s) - START_TS )) s"
say "PASS"
