#!/usr/bin/env bash
# Scale-out test (issue 10): 12 partitions, 3 `gendan engine` and 3 `gendan project` processes
# (each projector with a `gendan serve` whose cluster.peers name the other serves) under a
# simulated workload published at a steady rate. While it flows:
#   1. engine-kill      SIGKILL engine 2 (not restarted: its partitions move after the session
#                       timeout)
#   2. engine-join      a new engine, instance 4, with an empty state dir
#   3. projector-kill   SIGKILL projector 2 and its serve
#   4. projector-join   a new projector + serve, instance 4, with an empty store
#   5. engine-static    SIGKILL engine 3 and restart it at once with the same instance id and
#                       state dir (static membership: it takes its partitions back, no rebalance)
#   6. projector-return projector 2 + its serve come back with the same instance id and their old
#                       store (a static member back after its session expired: it gets whatever
#                       the group gives it and unloads the rest)
# Then, once the input ended and every lag is 0:
#   (a) tests/fault/check.py (kcat, its own protobuf decoding): every inbound event_id recorded
#       or rejected exactly once, versions contiguous; tests/scale/scale.py expect: every valid
#       fact of the book recorded, every invalid one rejected; gendan.alerts: no alert published
#       twice and every alert open at the end raised once and not cleared;
#   (b) every /v1 answer of each serve equals, byte for byte, a single-instance reference (one
#       more `gendan project` with its own group over all 12 partitions and a `gendan serve`
#       without peers): order lookups and events (a sample of every partition, more of the moved
#       ones, an unknown id), /v1/orders with each filter paged through next_cursor, /v1/alerts,
#       /v1/kpis over several ranges x bucket x group_by, /v1/scorecards;
#   (c) the pause each rebalance caused: per partition, the largest gap between consecutive
#       records inside the window — gendan.events (CreateTime = when an engine produced it) for
#       the engine actions, gendan.status (when a projector published) for the projector ones —
#       for the partitions that moved and for those that did not; printed as a table and one
#       JSON line (SCALE_RESULT {...}), also in $TMP/scale_result.json.
#
#   tests/scale/run.sh [--short|--long] [path/to/gendan] [path/to/gendan_read_model_dump]
#
# --short (ctest ScaleOut): 1 500 orders (~39k facts, 1 % invalid) over ~2 min, ~4 min in all.
# --long: 20 000 orders (~520k facts) over ~9 min, for a manual run.
# The broker listens on GENDAN_SCALE_KAFKA_PORT (default 19392; controller port + 1), state in
# the temp dir; the HTTP ports are GENDAN_SCALE_HTTP_BASE + 1..29 (default 19400). CI=true turns
# missing tools (java, kcat, python3, curl) into failures, else the test skips (exit 77);
# FAULT_KEEP=1 keeps the temp dir; SCALE_SEED picks the book.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
MODE="--short"
[[ "${1:-}" == --* ]] && { MODE="$1"; shift; }
case "$MODE" in
  # STEP: seconds between two actions (each action's window is STEP - 1 s long).
  --short) ORDERS=1500 STEP=18 WAIT_S=180 ;;
  --long) ORDERS=20000 STEP=75 WAIT_S=900 ;;
  *) echo "usage: $0 [--short|--long] [gendan] [gendan_read_model_dump]" >&2; exit 2 ;;
esac
# shellcheck source=tests/fault/lib.sh
source "$HERE/../fault/lib.sh"
fault_init "scale" "${1:-}" "${2:-}"
fault_require_tools
command -v java >/dev/null || skip_or_fail "java is required for the test's own broker"
command -v curl >/dev/null || skip_or_fail "curl is required"

SEED="${SCALE_SEED:-$RANDOM}"
PARTITIONS=12
SESSION_MS=6000          # the broker's group.min.session.timeout.ms
TXN_TIMEOUT_MS=10000     # how long a killed engine's open transaction blocks read_committed readers
RISK_NOW="2025-04-07T00:00:00Z"   # the Monday after the simulated span: alerts are deterministic
PROJECTION_FLAGS=(-X risk.now="$RISK_NOW" -X projector.utc_offset=+08:00)
SPAN_FROM=2025-01-06 SPAN_TO=2025-04-04
KAFKA_FLAGS=(-X kafka.session.timeout.ms=$SESSION_MS -X kafka.heartbeat.interval.ms=1000)
fault_scratch
export GENDAN_KAFKA_PORT="${GENDAN_SCALE_KAFKA_PORT:-19392}"
export GENDAN_KAFKA_CONTROLLER_PORT=$((GENDAN_KAFKA_PORT + 1))
export GENDAN_KAFKA_STATE="$TMP/kafka"
BOOTSTRAP="127.0.0.1:$GENDAN_KAFKA_PORT"
BROKER="$ROOT/deploy/local/broker.sh"
HTTP_BASE="${GENDAN_SCALE_HTTP_BASE:-19400}"
serve_port() { echo $((HTTP_BASE + $1)); }          # serves 1..4, reference 9
metrics_port() { echo $((HTTP_BASE + 10 + $1)); }   # projectors 1..4, reference 19
engine_metrics_port() { echo $((HTTP_BASE + 20 + $1)); }
SCALE="$HERE/scale.py"
export PYTHONDONTWRITEBYTECODE=1  # no __pycache__ in the source tree
declare -A PIDS=()
WATCH_PID="" PUBLISHER_PID=""

fault_extra_cleanup() {
  local k
  touch "$TMP/watch.stop" 2>/dev/null || true
  for k in "${!PIDS[@]}"; do stop_pid "${PIDS[$k]}"; done
  stop_pid "$PUBLISHER_PID"
  stop_pid "$WATCH_PID"
  if [[ -n "${TMP:-}" ]]; then
    for log in "$TMP"/serve*.log; do
      [[ -f "$log" ]] && grep -qiE "error|fatal" "$log" && { say "errors in $(basename "$log"):"; grep -iE "error|fatal" "$log" | tail -n 5 >&2; }
    done
  fi
  "$BROKER" stop >/dev/null 2>&1 || true
}

now_ms() { date +%s%3N; }

# ---- processes ------------------------------------------------------------------------------
# start_engine_n ID [LOG]: instance ID with its own state dir; the log name defaults to engineID.
start_engine_n() {
  local id="$1" log="${2:-engine$1}"
  "$BIN" engine --bootstrap "$BOOTSTRAP" --topic-prefix "$PREFIX" --state-dir "$TMP/engine-$id" \
    -X engine.group_id="$ENGINE_GROUP" -X instance_id="$id" "${KAFKA_FLAGS[@]}" \
    -X kafka.transaction.timeout.ms=$TXN_TIMEOUT_MS \
    -X metrics.listen="127.0.0.1:$(engine_metrics_port "$id")" --log-level info \
    >>"$TMP/$log.log" 2>&1 &
  PIDS[engine$id]=$!
}

start_projector_n() {
  local id="$1" log="${2:-projector$1}"
  "$BIN" project --bootstrap "$BOOTSTRAP" --topic-prefix "$PREFIX" --state-dir "$TMP/proj-$id" \
    -X projector.group_id="$PROJECTOR_GROUP" -X instance_id="$id" "${PROJECTION_FLAGS[@]}" \
    "${KAFKA_FLAGS[@]}" -X metrics.listen="127.0.0.1:$(metrics_port "$id")" --log-level info \
    >>"$TMP/$log.log" 2>&1 &
  PIDS[projector$id]=$!
}

# Every serve names the other three slots (instance discovery is by config): a slot that is down
# makes the merged answers 503 until it is back, which is why the final comparison waits for all.
peers_of() {
  local id="$1" i out=""
  for i in 1 2 3 4; do
    [[ $i -eq $id ]] && continue
    out+="${out:+,}http://127.0.0.1:$(serve_port "$i")"
  done
  echo "$out"
}

start_serve_n() {
  local id="$1" dir="$TMP/proj-$1" log="${2:-serve$1}"
  for _ in $(seq 1 100); do [[ -e "$dir" ]] && break; sleep 0.2; done
  [[ -e "$dir" ]] || fail "projector $id created no store in $dir"
  "$BIN" serve --bootstrap "$BOOTSTRAP" --topic-prefix "$PREFIX" --state-dir "$dir" \
    --listen "127.0.0.1:$(serve_port "$id")" -X cluster.peers="$(peers_of "$id")" \
    "${PROJECTION_FLAGS[@]}" --log-level info >>"$TMP/$log.log" 2>&1 &
  PIDS[serve$id]=$!
  for _ in $(seq 1 100); do
    curl -fs -o /dev/null "http://127.0.0.1:$(serve_port "$id")/healthz" && return 0
    sleep 0.2
  done
  fail "serve $id does not answer /healthz"
}

kill9() {
  local name="$1" pid="${PIDS[$1]:-}"
  [[ -n "$pid" ]] || fail "no process $name to kill"
  kill -KILL "$pid" 2>/dev/null || fail "$name (pid $pid) had already exited"
  wait "$pid" 2>/dev/null || true
  unset "PIDS[$name]"
}

# Every process we started must still run: an exit on its own is a finding, not noise.
check_running() {
  local k
  for k in "${!PIDS[@]}"; do
    kill -0 "${PIDS[$k]}" 2>/dev/null || fail "$k exited on its own (see $TMP/$k.log)"
  done
}

# engine_owns LOG: the inbound partitions the engine's log last said it owns ("1,5,9").
engine_owns() {
  grep -o 'owns \[[0-9,]*\]' "$TMP/$1.log" 2>/dev/null | tail -n 1 | tr -dc '0-9,'
}

# projector_owns SLOT: the partitions in the ownership record of serve SLOT's store.
projector_owns() {
  curl -fs "http://127.0.0.1:$(serve_port "$1")/v1/internal/ownership" 2>/dev/null | python3 -c '
import json, sys
o = json.load(sys.stdin).get("ownership") or {}
print(",".join(str(p) for p in o.get("partitions", [])))' 2>/dev/null || true
}

count_csv() { [[ -z "$1" ]] && echo 0 || tr ',' '\n' <<<"$1" | grep -c .; }

# Until every engine's log says it owns some partitions, PARTITIONS between them, and every
# projector's record claims some, PARTITIONS between them, none loading or unloading.
wait_steady() {
  local what="$1" deadline=$(( $(date +%s) + $2 )) e p n c ok
  while :; do
    check_running
    ok=1 e=0 p=0
    for n in "${ENGINES[@]}"; do
      c=$(count_csv "$(engine_owns "$n")"); e=$((e + c)); [[ $c -gt 0 ]] || ok=0
    done
    for n in "${SERVES[@]}"; do
      c=$(curl -fs "http://127.0.0.1:$(serve_port "$n")/v1/internal/ownership" 2>/dev/null | python3 -c '
import json, sys
o = json.load(sys.stdin).get("ownership") or {}
print(len(o.get("partitions", [])) if not o.get("loading") and not o.get("unloading") else 0)' 2>/dev/null || echo 0)
      p=$((p + c)); [[ $c -gt 0 ]] || ok=0
    done
    [[ $ok -eq 1 && $e -eq $PARTITIONS && $p -eq $PARTITIONS ]] && { say "$what: engines own $e, projectors $p partitions"; return 0; }
    [[ $(date +%s) -ge $deadline ]] && fail "$what: engines own $e and projectors $p of $PARTITIONS partitions after $2 s"
    sleep 0.5
  done
}

prom_value() {  # prom_value PORT METRIC: the first sample's value, or empty
  { curl -fs "http://127.0.0.1:$1/metrics" 2>/dev/null || true; } | awk -v m="$2" '$1 == m {print $2; exit}'
}

# ---- set-up ---------------------------------------------------------------------------------
broker_answers "$BOOTSTRAP" && fail "port $GENDAN_KAFKA_PORT is taken (set GENDAN_SCALE_KAFKA_PORT)"
for i in 1 2 3 4 9; do
  broker_answers "127.0.0.1:$(serve_port $i)" && fail "port $(serve_port $i) is taken (set GENDAN_SCALE_HTTP_BASE)"
done
"$BROKER" start >"$TMP/broker.log" 2>&1 || { tail -n 20 "$TMP/broker.log" >&2; fail "starting the broker"; }
say "own broker on $BOOTSTRAP; seed $SEED; mode $MODE"
"$BIN" topics --bootstrap "$BOOTSTRAP" --topic-prefix "$PREFIX" --partitions "$PARTITIONS" \
  --log-level warn >"$TMP/topics.log" 2>&1 || { cat "$TMP/topics.log" >&2; fail "gendan topics"; }
for t in inbound events rejections status alerts; do
  for _ in $(seq 1 100); do
    [[ $(kcat -b "$BOOTSTRAP" -L -t "$PREFIX$t" 2>/dev/null | grep -c "leader [0-9]") -ge $PARTITIONS ]] && break
    sleep 0.2
  done
done

SIM_FLAGS=(--orders "$ORDERS" --seed "$SEED" --invalid-rate 0.01 --start "$SPAN_FROM" --days 65
  --utc-offset +08:00)
"$BIN" simulate "${SIM_FLAGS[@]}" -o "$TMP/book.jsonl" 2>"$TMP/simulate.log" \
  || { cat "$TMP/simulate.log" >&2; fail "gendan simulate"; }
N_LINES=$(grep -c '' "$TMP/book.jsonl")
PUBLISH_S=$((7 * STEP))
RATE=$(( (N_LINES + PUBLISH_S - 1) / PUBLISH_S ))
say "book: $(cat "$TMP/simulate.log")"

ENGINES=(engine1 engine2 engine3) SERVES=(1 2 3)
for i in 1 2 3; do start_engine_n "$i"; start_projector_n "$i"; done
for i in 1 2 3; do start_serve_n "$i"; done
wait_steady "start" 120
sleep 2
python3 "$SCALE" watch --serve "http://127.0.0.1:$(serve_port 1)" --serve "http://127.0.0.1:$(serve_port 2)" \
  --serve "http://127.0.0.1:$(serve_port 3)" --serve "http://127.0.0.1:$(serve_port 4)" \
  --out "$TMP/ownership.jsonl" --stop "$TMP/watch.stop" &
WATCH_PID=$!

# ---- the workload flows at a steady rate while the group changes ---------------------------
T0=$(now_ms)
"$BIN" simulate "${SIM_FLAGS[@]}" --bootstrap "$BOOTSTRAP" --topic-prefix "$PREFIX" --publish \
  --rate "$RATE" --log-level warn >"$TMP/publish.log" 2>&1 &
PUBLISHER_PID=$!
say "publishing $N_LINES facts at $RATE/s (~$PUBLISH_S s); one action every $STEP s"

WINDOWS=()
# window NAME ROLE FROM_MS MOVED_CSV [gainer=ID|loser=ID]
window() {
  local extra=""
  case "${5:-}" in gainer=*) extra=",\"gainer\":\"${5#gainer=}\"" ;; loser=*) extra=",\"loser\":\"${5#loser=}\"" ;; esac
  WINDOWS+=("{\"name\":\"$1\",\"role\":\"$2\",\"from_ms\":$3,\"to_ms\":$(( $3 + STEP * 1000 - 1000 )),\"moved\":[$4]$extra}")
  say "$1: moved partitions [$4]"
}
at_step() {  # sleeps until T0 + N * STEP seconds, keeping an eye on the processes
  local due=$(( T0 + $1 * STEP * 1000 ))
  while [[ $(now_ms) -lt $due ]]; do check_running; sleep 0.2; done
}

at_step 1
t=$(now_ms); moved="$(engine_owns engine2)"; kill9 engine2
ENGINES=(engine1 engine3)
window engine-kill engine "$t" "$moved" loser=2

at_step 2
t=$(now_ms); start_engine_n 4; ENGINES=(engine1 engine3 engine4)
at_step 3
window engine-join engine "$t" "$(engine_owns engine4)" gainer=4

t=$(now_ms); moved="$(projector_owns 2)"; kill9 projector2; kill9 serve2
[[ -n "$moved" ]] || fail "projector 2 owned nothing before it was killed"
window projector-kill projector "$t" "$moved" loser=2
SERVES=(1 3)

at_step 4
t=$(now_ms); start_projector_n 4; start_serve_n 4; SERVES=(1 3 4)
at_step 5
window projector-join projector "$t" "$(projector_owns 4)" gainer=4

t=$(now_ms); moved="$(engine_owns engine3)"; kill9 engine3; start_engine_n 3 engine3b
window engine-static engine "$t" "$moved"
ENGINES=(engine1 engine3b engine4)

at_step 6
t=$(now_ms); start_projector_n 2 projector2b; start_serve_n 2 serve2b; SERVES=(1 2 3 4)
at_step 7
window projector-return projector "$t" "$(projector_owns 2)" gainer=2

say "actions done; waiting for the publisher"
wait "$PUBLISHER_PID" || { tail -n 5 "$TMP/publish.log" >&2; fail "the publisher failed"; }
PUBLISHER_PID=""
BASE_FROM=$((T0 + 4000)) BASE_TO=$((T0 + STEP * 1000 - 1000))
printf '{"partitions":%d,"rate":%d,"orders":%d,"session_timeout_ms":%d,"baseline":{"from_ms":%d,"to_ms":%d},"windows":[%s]}\n' \
  "$PARTITIONS" "$RATE" "$ORDERS" "$SESSION_MS" "$BASE_FROM" "$BASE_TO" "$(IFS=,; echo "${WINDOWS[*]}")" \
  >"$TMP/windows.json"

# ---- drain: every inbound record decided, every projector caught up, coverage complete ------
deadline=$(( $(date +%s) + WAIT_S ))
while :; do
  check_running
  got="$(outcomes)"
  [[ "$got" -ge "$N_LINES" ]] && break
  [[ $(date +%s) -ge $deadline ]] && fail "only $got of $N_LINES outcomes after $WAIT_S s"
  sleep 2
done
say "engines: $got outcomes for $N_LINES inbound records"
N_EVENTS="$(count_topic "${PREFIX}events")"
# A projector is caught up when none of its partitions lacks more than the transaction markers
# at its end (each takes an offset; consumers/lag_probe.cc): at most 2 offsets per partition.
while :; do
  check_running
  behind=0; lags=""
  for i in 1 2 3 4; do
    m="$(curl -fs "http://127.0.0.1:$(metrics_port $i)/metrics" 2>/dev/null || true)"
    lags+=" $(awk '$1 == "gendan_projector_lag" {print $2}' <<<"$m")"
    behind=$((behind + $(awk '/^gendan_consumer_lag\{worker="projector"/ && $2 > 2 {n++} END {print n + 0}' <<<"$m")))
  done
  [[ $behind -eq 0 && $(wc -w <<<"$lags") -eq 4 ]] && break
  [[ $(date +%s) -ge $deadline ]] && fail "projector lags [$lags ] after $WAIT_S s"
  sleep 1
done
say "projectors caught up: lags [$lags ] (transaction markers)"
FAILURES=()
# /readyz: 200 on every serve once the cluster covers every partition and the stores are current.
READY=0
for _ in $(seq 1 30); do
  READY=0
  for i in 1 2 3 4; do
    code=$(curl -s -o "$TMP/readyz$i.json" -w '%{http_code}' "http://127.0.0.1:$(serve_port $i)/readyz" || true)
    [[ "$code" == 200 ]] && READY=$((READY + 1))
  done
  [[ $READY -eq 4 ]] && break
  sleep 1
done
if [[ $READY -eq 4 ]]; then
  say "all 4 serves ready: $(cat "$TMP/readyz1.json")"
else
  for i in 1 2 3 4; do say "serve $i /readyz: $(cat "$TMP/readyz$i.json")"; done
  FAILURES+=("only $READY of 4 serves answer /readyz 200 with every partition served and caught up")
fi

# ---- (a) nothing lost or doubled ------------------------------------------------------------
run_checker --engine-kills 2 --projector-kills 1 \
  || FAILURES+=("the independent checker found lost or duplicated events")
python3 "$SCALE" expect --bootstrap "$BOOTSTRAP" --prefix "$PREFIX" --workload "$TMP/book.jsonl" \
  --scratch "$TMP" || FAILURES+=("the recorded events and rejections do not match the book")
# Before the reference projector publishes anything of its own to gendan.alerts.
ALERTS_OK=1
python3 "$SCALE" alerts --bootstrap "$BOOTSTRAP" --prefix "$PREFIX" --scratch "$TMP" \
  --out "$TMP/alerts.json" || { ALERTS_OK=0; FAILURES+=("gendan.alerts holds alerts published more than once"); }
python3 "$SCALE" partitions --bootstrap "$BOOTSTRAP" --prefix "$PREFIX" --out "$TMP/partitions.json"

# ---- (c) the pauses (read before the reference projector writes to gendan.status) -----------
touch "$TMP/watch.stop"; wait "$WATCH_PID" 2>/dev/null || true; WATCH_PID=""
engine_logs=()
for f in "$TMP"/engine*.log; do engine_logs+=(--engine-log "$f"); done
python3 "$SCALE" pauses --bootstrap "$BOOTSTRAP" --prefix "$PREFIX" --windows "$TMP/windows.json" \
  --ownership "$TMP/ownership.jsonl" "${engine_logs[@]}" --out "$TMP/pauses.json" \
  || fail "measuring the pauses"
# Cooperative rebalancing: a new instance takes its share, the others keep the rest.
while read -r w; do
  FAILURES+=("$w moved every partition: the rebalance was not incremental (cooperative-sticky keeps the partitions that stay)")
done < <(python3 -c '
import json, sys
for r in json.load(open(sys.argv[1]))["windows"]:
    if r["window"].endswith("-join") and len(r["moved"]) >= int(sys.argv[2]):
        print(r["window"])' "$TMP/pauses.json" "$PARTITIONS")

# ---- (b) every answer equals a single-instance reference ------------------------------------
"$BIN" project --bootstrap "$BOOTSTRAP" --topic-prefix "$PREFIX" --state-dir "$TMP/reference" \
  -X projector.group_id="scale-reference-$RAND" -X instance_id=reference "${PROJECTION_FLAGS[@]}" \
  -X metrics.listen="127.0.0.1:$(metrics_port 9)" --log-level info >>"$TMP/reference.log" 2>&1 &
PIDS[reference]=$!
deadline=$(( $(date +%s) + WAIT_S ))
while :; do
  check_running
  n="$(prom_value "$(metrics_port 9)" gendan_projector_events_total)"
  [[ -n "$n" && "${n%.*}" -ge "$N_EVENTS" ]] && break
  [[ $(date +%s) -ge $deadline ]] && fail "the reference projector applied ${n:-0} of $N_EVENTS events"
  sleep 1
done
"$BIN" serve --bootstrap "$BOOTSTRAP" --topic-prefix "$PREFIX" --state-dir "$TMP/reference" \
  --listen "127.0.0.1:$(serve_port 9)" "${PROJECTION_FLAGS[@]}" --log-level info \
  >>"$TMP/reference_serve.log" 2>&1 &
PIDS[reference_serve]=$!
for _ in $(seq 1 100); do
  curl -fs -o /dev/null "http://127.0.0.1:$(serve_port 9)/readyz" && break
  sleep 0.2
done
say "reference: $n events applied by one projector over all $PARTITIONS partitions"
MOVED_ALL="$(python3 -c '
import json, sys
print(",".join(sorted({str(p) for w in json.load(open(sys.argv[1]))["windows"] for p in w["moved"]}, key=int)))' "$TMP/windows.json")"
serve_args=() rc=0
for i in 1 2 3 4; do serve_args+=(--serve "http://127.0.0.1:$(serve_port $i)"); done
python3 "$SCALE" compare --ref "http://127.0.0.1:$(serve_port 9)" "${serve_args[@]}" \
  --partitions "$TMP/partitions.json" --moved "$MOVED_ALL" --alerts "$TMP/alerts.json" \
  --span-from "$SPAN_FROM" --span-to "$SPAN_TO" --summary "$TMP/compare.json" || rc=$?
case "${rc:-0}" in
  0) ;;
  2) FAILURES+=("alerts open in the read models were never published RAISED to gendan.alerts") ;;
  *) FAILURES+=("the serves' answers differ from the single-instance reference") ;;
esac

# ---- results ------------------------------------------------------------------------------
took=$(( $(date +%s) - START_TS ))
python3 - "$TMP/pauses.json" "$TMP/compare.json" "$took" "$SEED" "$MODE" "$N_LINES" "$N_EVENTS" \
  "$ALERTS_OK" "$READY" "${#FAILURES[@]}" >"$TMP/scale_result.json" <<'EOF'
import json, os, sys
r = json.load(open(sys.argv[1]))
r["compare"] = json.load(open(sys.argv[2])) if os.path.exists(sys.argv[2]) else None
r.update({"took_s": int(sys.argv[3]), "seed": int(sys.argv[4]), "mode": sys.argv[5],
          "inbound": int(sys.argv[6]), "events": int(sys.argv[7]),
          "alerts_once": sys.argv[8] == "1", "serves_ready": int(sys.argv[9]),
          "failures": int(sys.argv[10])})
print(json.dumps(r, separators=(",", ":")))
EOF
echo "SCALE_RESULT $(cat "$TMP/scale_result.json")"
[[ -n "${SCALE_RESULT_OUT:-}" ]] && cp "$TMP/scale_result.json" "$SCALE_RESULT_OUT"
say "took $took s"
if [[ ${#FAILURES[@]} -gt 0 ]]; then
  for f in "${FAILURES[@]}"; do say "FAILED: $f"; done
  fail "${#FAILURES[@]} check(s) failed"
fi
say "PASS"
