#!/usr/bin/env bash
# Fault-injection suite (issue 8): while a workload with invalid facts and garbage records flows,
# SIGKILL `gendan engine` and `gendan project` at random moments and restart them, and restart
# the broker itself (its own, never the shared one); then the independent checker
# (tests/fault/check.py: kcat, read_committed, its own protobuf decoding) verifies that every
# inbound event_id is recorded or rejected exactly once, none is missing and versions are
# contiguous, and the read models must equal a clean `gendan rebuild` byte for byte.
#
#   tests/fault/run.sh --short [path/to/gendan] [path/to/gendan_read_model_dump]   # ctest FaultShort
#   tests/fault/run.sh --long  ...     # >= 20 kills of each, >= 2 broker restarts, >= 500k events
#
# The broker listens on GENDAN_FAULT_KAFKA_PORT (default 19292; controller port + 1) with its
# state in the temp dir; deploy/local/broker.sh runs it (Java and the pinned Kafka release, which
# it fetches). Env: CI=true turns missing tools into failures (else skip, exit 77); FAULT_KEEP=1
# keeps the temp dir; FAULT_SEED picks the workload and the kill moments.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
MODE="${1:-}"
case "$MODE" in
  # KILLS of each worker and BROKER_RESTARTS while the input flows, spread over the publishing.
  --short) ORDERS=720 KILLS=5 BROKER_RESTARTS_WANTED=1 SLICE=500 WAIT_S=240 ;;
  --long) ORDERS=18000 KILLS=24 BROKER_RESTARTS_WANTED=3 SLICE=2000 WAIT_S=1800 ;;
  *) echo "usage: $0 --short|--long [gendan] [gendan_read_model_dump]" >&2; exit 2 ;;
esac
# shellcheck source=tests/fault/lib.sh
source "$HERE/lib.sh"
fault_init "fault${MODE#-}" "${2:-}" "${3:-}"
fault_require_tools
command -v java >/dev/null || skip_or_fail "java is required for the suite's own broker"

SEED="${FAULT_SEED:-$RANDOM}"
RANDOM=$SEED
fault_scratch
export GENDAN_KAFKA_PORT="${GENDAN_FAULT_KAFKA_PORT:-19292}"
export GENDAN_KAFKA_CONTROLLER_PORT=$((GENDAN_KAFKA_PORT + 1))
export GENDAN_KAFKA_STATE="$TMP/kafka"
BOOTSTRAP="127.0.0.1:$GENDAN_KAFKA_PORT"
BROKER="$ROOT/deploy/local/broker.sh"
ENGINE_DIR="$TMP/engine"
PROJECTOR_DIR="$TMP/projections"
ENGINE_KILLS=0 PROJECTOR_KILLS=0 BROKER_RESTARTS=0 ENGINE_EXITS=0 PROJECTOR_EXITS=0

fault_extra_cleanup() {
  "$BROKER" stop >/dev/null 2>&1 || true
}

broker_pid_file() { cat "$GENDAN_KAFKA_STATE/broker.pid" 2>/dev/null; }

# Restarts the suite's broker: a clean stop, or (every second time) SIGKILL. Holds the publisher's
# lock meanwhile; the workers see the broker go away mid-batch.
restart_broker() {
  exec 9>"$TMP/broker.lock"
  flock 9
  BROKER_RESTARTS=$((BROKER_RESTARTS + 1))
  if (( BROKER_RESTARTS % 2 == 0 )); then
    local pid
    pid="$(broker_pid_file)"
    say "broker restart $BROKER_RESTARTS: SIGKILL (pid $pid)"
    kill -KILL "$pid"
    while kill -0 "$pid" 2>/dev/null; do sleep 0.1; done
  else
    say "broker restart $BROKER_RESTARTS: clean stop"
    "$BROKER" stop >>"$TMP/broker.log" 2>&1 9>&-
  fi
  sleep $((RANDOM % 3))
  # 9>&-: the broker must not inherit the lock, or it would hold it for good.
  "$BROKER" start >>"$TMP/broker.log" 2>&1 9>&- || { tail -n 20 "$TMP/broker.log" >&2; fail "broker restart"; }
  exec 9>&-
}

# A worker that exited on its own (e.g. a fatal error while the broker was away) is restarted
# too; such exits are counted, not hidden.
ensure_running() {
  if [[ -n "$ENGINE_PID" ]] && ! kill -0 "$ENGINE_PID" 2>/dev/null; then
    wait "$ENGINE_PID" 2>/dev/null || true
    ENGINE_EXITS=$((ENGINE_EXITS + 1))
    start_engine
  fi
  if [[ -n "$PROJECTOR_PID" ]] && ! kill -0 "$PROJECTOR_PID" 2>/dev/null; then
    wait "$PROJECTOR_PID" 2>/dev/null || true
    PROJECTOR_EXITS=$((PROJECTOR_EXITS + 1))
    start_projector
  fi
}

# sleep_random MAX_TENTHS: sleeps 0..MAX_TENTHS tenths of a second while keeping workers up.
sleep_random() {
  local t=$((RANDOM % ($1 + 1)))
  while (( t > 0 )); do
    sleep 0.1
    t=$((t - 1))
  done
  ensure_running
}

kill_engine() {
  ensure_running
  kill -KILL "$ENGINE_PID" 2>/dev/null && ENGINE_KILLS=$((ENGINE_KILLS + 1))
  wait "$ENGINE_PID" 2>/dev/null || true
  start_engine
}

kill_projector() {
  ensure_running
  kill -KILL "$PROJECTOR_PID" 2>/dev/null && PROJECTOR_KILLS=$((PROJECTOR_KILLS + 1))
  wait "$PROJECTOR_PID" 2>/dev/null || true
  start_projector
}

# ---- set-up ---------------------------------------------------------------------------------------
broker_answers "$BOOTSTRAP" && fail "port $GENDAN_KAFKA_PORT is taken (set GENDAN_FAULT_KAFKA_PORT)"
"$BROKER" start >"$TMP/broker.log" 2>&1 || { tail -n 20 "$TMP/broker.log" >&2; fail "starting the broker"; }
say "own broker on $BOOTSTRAP; seed $SEED"
fault_workload "$ORDERS" "$SEED"
create_topics
start_engine
start_projector

# ---- the workload flows in slices (in the background) while the faults happen ------------------
# The publisher sends SLICE lines at a time (plus garbage records), pausing between slices, so
# the engine and the projector are busy whenever a kill lands. A broker restart blocks it only
# for the restart itself: a slice and a restart never overlap (a `gendan publish` that cannot
# reach the broker at its start exits, and re-sending its slice could double records).
PAUSE_S="$(python3 -c "print(round(max(0.05, 60.0 / ($N_LINES / $SLICE)), 2))")"
(
  for from in $(seq 1 "$SLICE" "$N_LINES"); do
    to=$(( from + SLICE - 1 < N_LINES ? from + SLICE - 1 : N_LINES ))
    { flock 9; publish_lines "$from" "$to"; } 9>"$TMP/broker.lock"
    sleep "$PAUSE_S"
  done
) &
PUBLISHER_PID=$!
# Garbage records go in from here, between faults.
actions=()
for _ in $(seq 1 "$KILLS"); do actions+=(engine projector); done
for _ in $(seq 1 "$BROKER_RESTARTS_WANTED"); do actions+=(broker); done
# A shuffled plan, spread over the ~60 s of publishing (a broker restart takes ~10 s of it).
mapfile -t actions < <(printf '%s\n' "${actions[@]}" | shuf --random-source=<(yes "$SEED"))
step_tenths=$(( 600 / ${#actions[@]} ))
for action in "${actions[@]}"; do
  sleep_random $((step_tenths * 2))
  case "$action" in
    engine) kill_engine ;;
    projector) kill_projector ;;
    broker) restart_broker ;;
  esac
  (( RANDOM % 4 == 0 )) && send_garbage 3
  ensure_running
done
say "faults done: engine kills $ENGINE_KILLS, projector kills $PROJECTOR_KILLS, broker restarts" \
  "$BROKER_RESTARTS; publisher still running: $(kill -0 "$PUBLISHER_PID" 2>/dev/null && echo yes || echo no)"
wait "$PUBLISHER_PID" || fail "the publisher failed (see $TMP/publish.log)"
send_garbage 3

# ---- drain, check ---------------------------------------------------------------------------
want=$((N_ACCEPTED + N_INVALID + GARBAGE_SENT))
deadline=$(( $(date +%s) + WAIT_S ))
while :; do
  ensure_running
  got="$(outcomes)"
  [[ "$got" -ge "$want" ]] && break
  [[ $(date +%s) -ge $deadline ]] && { say "only $got of $want outcomes after the wait"; break; }
  sleep 2
done
stop_pid "$ENGINE_PID"; ENGINE_PID=""
say "engine and projector exited on their own (and were restarted): $ENGINE_EXITS and $PROJECTOR_EXITS times"
rc=0
run_checker --workload "$TMP/workload.jsonl" --manifest "$TMP/manifest.json" \
  --garbage "$GARBAGE_SENT" --engine-kills "$ENGINE_KILLS" --projector-kills "$PROJECTOR_KILLS" \
  --broker-restarts "$BROKER_RESTARTS" || rc=$?
[[ $rc -eq 0 ]] || fail "the independent checker found lost or duplicated events"
compare_with_rebuild 120
say "took $(( $(date +%s) - START_TS )) s"
say "PASS"
