#!/usr/bin/env bash
# End-to-end alerts check (issue 5): the generated workload of kpi_workload.py (with its delays,
# overdue handoffs, late orders and open issues) goes through `gendan publish` into a real broker,
# `gendan run` decides and projects it with the risk clock pinned (-X risk.now=...), and the
# alerts must be exactly those of the independent oracle tests/e2e/alerts_oracle.py:
# - GET /v1/alerts: the set of open (order_id, kind, subject) equals the oracle's final open sets;
# - gendan.alerts (read_committed, read with kcat and decoded): the total record count, the
#   count per order, the (order, kind, subject, state) multiset and, per order, the exact
#   record sequence with alert_ids.
#
#   tests/e2e/alerts_e2e.sh [path/to/gendan]      (default: build/gendan)
#
# Env: GENDAN_BOOTSTRAP (default 127.0.0.1:9092); CI=true makes a missing broker a failure
# (otherwise the test is skipped with exit code 77); ALERTS_E2E_SEED, ALERTS_E2E_ORDERS,
# ALERTS_E2E_NOW to vary the workload and the clock; ALERTS_E2E_KEEP=1 keeps the temp dir.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=tests/e2e/lib.sh
source "$HERE/lib.sh"
e2e_init alerts "${1:-}"
SEED="${ALERTS_E2E_SEED:-20251001}"
ORDERS="${ALERTS_E2E_ORDERS:-450}"
OFFSET="+08:00"
# The risk clock. The workload places orders from 2025-10-06 to 2026-01-25 and runs to about
# 2026-04; a clock in the middle of it gives every kind of alert (DELIVERY_AT_RISK needs commit
# dates still ahead), and this instant is the business midnight 2026-03-01 00:00 +08:00, so a
# commit or planned date of 2026-02-28 has just passed.
NOW="${ALERTS_E2E_NOW:-2026-02-28T16:00:00Z}"
BUFFER_DAYS=7

e2e_require_tools
command -v kcat >/dev/null || fail "kcat is required (to read gendan.alerts)"
e2e_require_broker
e2e_setup_scratch
e2e_make_workload
e2e_create_topics
e2e_start_gendan -X projector.utc_offset="$OFFSET" -X risk.now="$NOW" -X risk.buffer_days="$BUFFER_DAYS" \
  -X projector.sla_critical_hours=24 -X projector.sla_major_hours=72 -X projector.sla_minor_hours=168
e2e_publish

# ---- wait until everything is decided and projected ----------------------------------------
python3 - "$BASE" "$TMP/manifest.json" <<'PY' || fail "the engine/projector did not take the workload as expected"
import collections, json, sys, time, urllib.request
base, manifest = sys.argv[1], json.load(open(sys.argv[2]))

def metrics():
    out = collections.defaultdict(float)
    with urllib.request.urlopen(base + "/metrics", timeout=10) as r:
        for line in r.read().decode().splitlines():
            if line.startswith("#") or not line.strip():
                continue
            name, value = line.rsplit(" ", 1)
            out[name.split("{")[0] + "{*}"] += float(value)
            out[name] = float(value)
    return out

want = {
    "gendan_engine_accepted_total": manifest["accepted"],
    "gendan_engine_rejected_total{*}": len(manifest["invalid"]),
    "gendan_projector_events_total": manifest["accepted"],
}
deadline = time.time() + 45
while time.time() < deadline:
    m = metrics()
    if all(m.get(k, 0) >= v for k, v in want.items()):
        break
    time.sleep(0.25)
m = metrics()
ok = True
for k, v in want.items():
    got = int(m.get(k, 0))
    print("[alerts_e2e]   %-36s %6d (expected %d)%s" % (k, got, v, "" if got == v else "  <-- WRONG"))
    ok &= got == v
sys.exit(0 if ok else 1)
PY

# ---- read gendan.alerts until the expected number of records is there and stays -----------
EXPECTED="$(python3 "$HERE/alerts_oracle.py" expect --workload "$TMP/workload.jsonl" \
  --manifest "$TMP/manifest.json" --offset "$OFFSET" --now "$NOW" --buffer-days "$BUFFER_DAYS" \
  | python3 -c 'import json,sys; print(json.load(sys.stdin)["records"])')"
say "risk.now $NOW: the oracle expects $EXPECTED records on ${PREFIX}alerts"
read_alerts() {
  timeout 60 kcat -b "$BOOTSTRAP" -C -t "${PREFIX}alerts" -o beginning -e -q \
    -X isolation.level=read_committed -f '%p:%R%s' >"$TMP/alerts.bin" 2>"$TMP/kcat.log" \
    || { cat "$TMP/kcat.log" >&2; fail "kcat could not read ${PREFIX}alerts"; }
  python3 -c '
import struct, sys
d = open(sys.argv[1], "rb").read(); i = n = 0
while i < len(d):
    i = d.index(b":", i) + 1
    i += 4 + struct.unpack(">i", d[i:i + 4])[0]; n += 1
print(n)' "$TMP/alerts.bin"
}
deadline=$(( $(date +%s) + 30 ))
last=-1; stable=0
while :; do
  got="$(read_alerts)"
  if [[ "$got" == "$last" ]]; then stable=$((stable + 1)); else stable=0; fi
  last="$got"
  # done once the count reached the expectation and held for two more reads (~1 s), so any
  # surplus would show too; or when it stops moving below it
  if [[ "$got" -ge "$EXPECTED" && $stable -ge 2 ]] || [[ $stable -ge 8 ]]; then break; fi
  [[ $(date +%s) -ge $deadline ]] && break
  sleep 0.5
done
say "read $got records from ${PREFIX}alerts (read_committed)"

# ---- compare ----------------------------------------------------------------------------------
rc=0
python3 "$HERE/alerts_oracle.py" check --workload "$TMP/workload.jsonl" \
  --manifest "$TMP/manifest.json" --offset "$OFFSET" --now "$NOW" --buffer-days "$BUFFER_DAYS" \
  --base-url "$BASE" --records "$TMP/alerts.bin" || rc=$?
say "took $(( $(date +%s) - START_TS )) s"
if [[ $rc -ne 0 ]]; then
  say "FAIL: the alerts differ from the oracle (ALERTS_E2E_KEEP=1 keeps the workload and logs)"
  exit 1
fi
say "PASS"
