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
ROOT="$(cd "$HERE/../.." && pwd)"
BIN="${1:-$ROOT/build/gendan}"
BOOTSTRAP="${GENDAN_BOOTSTRAP:-127.0.0.1:9092}"
BOOTSTRAP_FOR_CLEANUP="$BOOTSTRAP"  # lib.sh, sourced in cleanup, sets its own BOOTSTRAP
SEED="${ALERTS_E2E_SEED:-20251001}"
ORDERS="${ALERTS_E2E_ORDERS:-450}"
OFFSET="+08:00"
# The risk clock. The workload places orders from 2025-10-06 to 2026-01-25 and runs to about
# 2026-04; a clock in the middle of it gives every kind of alert (DELIVERY_AT_RISK needs commit
# dates still ahead), and this instant is the business midnight 2026-03-01 00:00 +08:00, so a
# commit or planned date of 2026-02-28 has just passed.
NOW="${ALERTS_E2E_NOW:-2026-02-28T16:00:00Z}"
BUFFER_DAYS=7
START_TS=$(date +%s)

say() { printf '[alerts_e2e] %s\n' "$*"; }
fail() { printf '[alerts_e2e] FAIL: %s\n' "$*" >&2; exit 1; }

[[ -x "$BIN" ]] || fail "no gendan binary at $BIN (build it: ninja -C build)"
command -v python3 >/dev/null || fail "python3 is required"
command -v curl >/dev/null || fail "curl is required"
command -v kcat >/dev/null || fail "kcat is required (to read gendan.alerts)"

# ---- the broker ------------------------------------------------------------------------
host="${BOOTSTRAP%%,*}"; port="${host##*:}"; host="${host%:*}"
if ! timeout 5 bash -c "exec 3<>/dev/tcp/$host/$port" 2>/dev/null; then
  if [[ "${CI:-}" == "true" ]]; then
    fail "CI=true and no Kafka broker answers on $BOOTSTRAP"
  fi
  say "SKIP: no Kafka broker on $BOOTSTRAP (start one with deploy/local/broker.sh start)"
  exit 77
fi

# ---- scratch, unique names, cleanup ----------------------------------------------------
TMP="$(mktemp -d "${TMPDIR:-/tmp}/alerts_e2e.XXXXXX")"
RAND="$(od -An -N4 -tu4 /dev/urandom | tr -d ' ')"
PREFIX="e2e.alerts.$RAND."
GENDAN_PID=""

cleanup() {
  local rc=$?
  if [[ -n "$GENDAN_PID" ]] && kill -0 "$GENDAN_PID" 2>/dev/null; then
    kill -TERM "$GENDAN_PID" 2>/dev/null || true
    for _ in $(seq 1 100); do kill -0 "$GENDAN_PID" 2>/dev/null || break; sleep 0.1; done
    if kill -0 "$GENDAN_PID" 2>/dev/null; then
      say "gendan did not stop on SIGTERM within 10 s; killing it"
      kill -KILL "$GENDAN_PID" 2>/dev/null || true
    fi
    wait "$GENDAN_PID" 2>/dev/null || true
  fi
  if [[ $rc -ne 0 && -f "$TMP/gendan.log" ]]; then
    say "last lines of the gendan log:"
    tail -n 30 "$TMP/gendan.log" >&2 || true
  fi
  # Drop this run's topics (best effort; needs the local Kafka tools of deploy/local).
  if [[ -f "$ROOT/deploy/local/lib.sh" ]] && command -v java >/dev/null; then
    (
      # shellcheck source=/dev/null
      source "$ROOT/deploy/local/lib.sh"
      [[ -d "$KAFKA_LIBS" ]] || exit 0
      timeout 30 java -Xms64m -Xmx256m \
        -Dlog4j2.configurationFile="$DEPLOY_LOCAL_DIR/log4j2.properties" \
        -Dkafka.logs.dir="$TMP/kafka-tool-logs" -cp "$(kafka_classpath)" org.apache.kafka.tools.TopicCommand \
        --bootstrap-server "$BOOTSTRAP_FOR_CLEANUP" --delete --topic "${PREFIX//./\\.}.*"
    ) </dev/null >/dev/null 2>&1 || true
  fi
  if [[ "${ALERTS_E2E_KEEP:-}" == "1" ]]; then
    say "kept $TMP"
  else
    rm -rf "$TMP"
  fi
  exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---- the workload ----------------------------------------------------------------------
python3 "$HERE/kpi_workload.py" --seed "$SEED" --orders "$ORDERS" \
  --out "$TMP/workload.jsonl" --manifest "$TMP/manifest.json"
read -r N_LINES N_ACCEPTED N_INVALID N_DUPS N_ORDERS < <(python3 -c '
import json, sys
m = json.load(open(sys.argv[1]))
print(m["lines"], m["accepted"], len(m["invalid"]), len(m["duplicates"]), m["orders"])
' "$TMP/manifest.json")
say "workload: $N_ORDERS orders, $N_LINES lines ($N_ACCEPTED to accept, $N_INVALID invalid," \
  "$N_DUPS re-sent duplicates), seed $SEED"

# ---- topics and the service ------------------------------------------------------------
"$BIN" topics --bootstrap "$BOOTSTRAP" --topic-prefix "$PREFIX" --partitions 3 \
  --log-level warn >"$TMP/topics.log" 2>&1 || { cat "$TMP/topics.log" >&2; fail "topics"; }

HTTP_PORT="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
BASE="http://127.0.0.1:$HTTP_PORT"
mkdir -p "$TMP/data"
"$BIN" run --bootstrap "$BOOTSTRAP" --topic-prefix "$PREFIX" --data-dir "$TMP/data" \
  --listen "127.0.0.1:$HTTP_PORT" --log-level info \
  -X projector.utc_offset="$OFFSET" -X risk.now="$NOW" -X risk.buffer_days="$BUFFER_DAYS" \
  -X projector.sla_critical_hours=24 -X projector.sla_major_hours=72 -X projector.sla_minor_hours=168 \
  -X engine.group_id="e2e-alerts-engine-$RAND" -X projector.group_id="e2e-alerts-projector-$RAND" \
  >"$TMP/gendan.log" 2>&1 &
GENDAN_PID=$!

for i in $(seq 1 100); do
  curl -fsS "$BASE/healthz" >/dev/null 2>&1 && break
  kill -0 "$GENDAN_PID" 2>/dev/null || fail "gendan run exited during start-up"
  [[ $i -eq 100 ]] && fail "gendan run did not answer /healthz within 20 s"
  sleep 0.2
done
say "gendan run is up (pid $GENDAN_PID, $BASE, topics ${PREFIX}*)"

# ---- publish ---------------------------------------------------------------------------
"$BIN" publish --bootstrap "$BOOTSTRAP" --topic-prefix "$PREFIX" --log-level warn \
  "$TMP/workload.jsonl" >"$TMP/publish.log" 2>&1 \
  || { tail -n 20 "$TMP/publish.log" >&2; fail "gendan publish failed"; }
say "published $N_LINES lines"

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
