#!/usr/bin/env bash
# Storage faults (issue 8): a full disk under the RocksDB stores of `gendan engine` and
# `gendan project`, for real — each store sits on its own small tmpfs, filled with a file.
#
#   tests/fault/storage.sh [path/to/gendan] [path/to/gendan_read_model_dump]
#
# 1. Both workers take the first half of a workload (with invalid facts and garbage records).
# 2. Both are restarted with store.write_retries=3, their disks are filled to the last 16 KiB and
#    a slice of the rest is published, the remainder once the engine reports its store failing.
#    Each worker must stop consuming, log that it is not ready, retry and exit with status 1 and
#    a clear message; the engine group's committed offsets (read with Kafka's own
#    kafka-consumer-groups tool) must cover exactly the inbound records that have an outcome
#    (check.py) and must not reach the end of the input.
# 3. The projector is restarted on a healthy disk that then fills; once it reports the store
#    failing, the filler is removed and it must recover in the same process.
# 4. Meanwhile the engine restarts on its freed disk. Then every event_id must be recorded or
#    rejected exactly once (check.py against the manifest) and the read models must equal a clean
#    `gendan rebuild`: no lost offsets, no half-applied batch.
#
# Needs a Kafka broker (GENDAN_BOOTSTRAP, default 127.0.0.1:9092), python3, kcat, Java (the Kafka
# tools of deploy/local) and the right to mount a tmpfs: root, or an unprivileged user namespace
# (the script re-runs itself under `unshare -rm`). Without them it skips (exit 77), or fails when
# CI=true. FAULT_KEEP=1 keeps the temp dir.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=tests/fault/lib.sh
source "$HERE/lib.sh"
fault_init storage "${1:-}" "${2:-}"

if [[ $(id -u) -ne 0 && -z "${FAULT_IN_USERNS:-}" ]]; then
  if unshare --user --map-root-user --mount true 2>/dev/null; then
    exec unshare --user --map-root-user --mount env FAULT_IN_USERNS=1 bash "$0" "$@"
  fi
  skip_or_fail "mounting a tmpfs needs root or unprivileged user namespaces"
fi

fault_require_tools
BOOTSTRAP="${GENDAN_BOOTSTRAP:-127.0.0.1:9092}"
broker_answers "$BOOTSTRAP" || skip_or_fail "no Kafka broker on $BOOTSTRAP"
# shellcheck source=/dev/null
KAFKA_TOOLS_BOOTSTRAP="$BOOTSTRAP"
( source "$ROOT/deploy/local/lib.sh"; [[ -d "$KAFKA_LIBS" ]] ) \
  || skip_or_fail "the Kafka tools are not fetched (deploy/local/broker.sh start fetches them)"

fault_scratch
fault_extra_cleanup() {
  for d in "$TMP/disk-engine" "$TMP/disk-projector"; do
    mountpoint -q "$d" 2>/dev/null && umount "$d" 2>/dev/null || true
  done
}
# Each disk offers the stores 70 MiB: RocksDB resumes after a full disk only once a write buffer's
# worth (64 MiB) is free again, and it preallocates a new WAL in 70.4 MiB blocks (1.1 write
# buffers) — with less free, no WAL gets a preallocated reserve that would hide the full disk.
for d in engine projector; do
  mkdir -p "$TMP/disk-$d"
  mount -t tmpfs -o size=160m "gendan-fault-$d" "$TMP/disk-$d" \
    || skip_or_fail "cannot mount a tmpfs (not permitted here)"
  avail=$(df --output=avail -B1 "$TMP/disk-$d" | tail -n 1 | tr -d ' ')
  fallocate -l $(( avail - 70 * 1024 * 1024 )) "$TMP/disk-$d/reserve"
done
ENGINE_DIR="$TMP/disk-engine/state"
PROJECTOR_DIR="$TMP/disk-projector/state"

# fill DIR: leaves 16 KiB free on the tmpfs holding DIR.
fill() {
  dd if=/dev/zero of="$1/filler" bs=1M status=none 2>/dev/null || true
  truncate -s -16K "$1/filler"
  say "$(basename "$1"): $(df --output=avail -B1K "$1" | tail -n 1 | tr -d ' ') KiB free"
}

# committed_offsets GROUP TOPIC > JSON {partition: offset}, with Kafka's own tool.
committed_offsets() {
  (
    source "$ROOT/deploy/local/lib.sh"
    KAFKA_STATE="$TMP"
    kafka_java org.apache.kafka.tools.consumer.group.ConsumerGroupCommand \
      --bootstrap-server "$KAFKA_TOOLS_BOOTSTRAP" --describe --group "$1" 2>/dev/null
  ) | awk -v t="$2" '$2 == t && $4 ~ /^[0-9]+$/ { printf "%s%s\"%s\": %s", sep, "", $3, $4; sep=", " }
      BEGIN { printf "{" } END { print "}" }'
}

# wait_exit PID SECONDS: the worker's exit status in WAIT_RC (fails if it still runs after SECONDS).
wait_exit() {
  local pid="$1" deadline=$(( $(date +%s) + $2 ))
  while kill -0 "$pid" 2>/dev/null; do
    [[ $(date +%s) -ge $deadline ]] && fail "pid $pid still runs $2 s into a full disk"
    sleep 0.2
  done
  WAIT_RC=0
  wait "$pid" || WAIT_RC=$?
}

# wait_assigned LOG PID: until the worker logged its partition assignment.
wait_assigned() {
  for _ in $(seq 1 300); do
    grep -q "assigned [0-9]* partitions" "$1" && return 0
    kill -0 "$2" 2>/dev/null || fail "the worker logging to $(basename "$1") exited during start-up"
    sleep 0.1
  done
  fail "no partition assignment in $(basename "$1") within 30 s"
}

wait_stable_outcomes() {
  local last=-1 got stable=0
  for _ in $(seq 1 60); do
    got="$(outcomes)"
    if [[ "$got" == "$last" && "$got" -gt 0 ]]; then stable=$((stable + 1)); else stable=0; fi
    [[ $stable -ge 3 ]] && { say "phase 1: $got outcomes"; return 0; }
    last="$got"
    sleep 1
  done
  fail "the workers did not settle on the first half"
}

fault_workload 200 8801
create_topics
HALF=$(( N_LINES / 3 ))

# ---- 1. the first half on healthy disks --------------------------------------------------------
start_engine 1
start_projector 1
publish_lines 1 "$HALF"
send_garbage 5
wait_stable_outcomes
stop_pid "$ENGINE_PID"; ENGINE_PID=""
stop_pid "$PROJECTOR_PID"; PROJECTOR_PID=""

# ---- 2. full disks: stop, report, retry, exit 1 --------------------------------------------------
# The disks fill while the workers run (after their stores opened, so a reopen cannot free space).
RETRY=(-X store.write_retries=3 -X store.retry_backoff_ms=500)
start_engine 2 "${RETRY[@]}"
start_projector 2 "${RETRY[@]}"
wait_assigned "$TMP/engine2.log" "$ENGINE_PID"
wait_assigned "$TMP/projector2.log" "$PROJECTOR_PID"
fill "$TMP/disk-engine"
fill "$TMP/disk-projector"
# A first slice makes both fail; the rest arrives while they retry and must stay unconsumed.
publish_lines $((HALF + 1)) $((HALF + 200))
for _ in $(seq 1 300); do
  grep -q "not ready; retrying in" "$TMP/engine2.log" && break
  sleep 0.1
done
grep -q "not ready; retrying in" "$TMP/engine2.log" || fail "the engine did not report a failing store"
publish_lines $((HALF + 201)) "$N_LINES"
send_garbage 5
TOTAL_INBOUND=$(count_topic "${PREFIX}inbound")
wait_exit "$ENGINE_PID" 120; ENGINE_PID=""
[[ "$WAIT_RC" == 1 ]] || fail "the engine exited with $WAIT_RC on a full disk, expected 1"
wait_exit "$PROJECTOR_PID" 120; PROJECTOR_PID=""
[[ "$WAIT_RC" == 1 ]] || fail "the projector exited with $WAIT_RC on a full disk, expected 1"
for w in engine projector; do
  log="$TMP/${w}2.log"
  grep -q "not ready; retrying in" "$log" || fail "$w did not report not ready while retrying"
  msg="$(grep -m1 "the store refused a write 4 times; stopping without committing the batch or consuming further" "$log")" \
    || fail "$w did not give up with the expected message"
  grep -q "No space left on device" <<<"$msg" || fail "$w's message does not name the cause: $msg"
  say "$w exited 1: ${msg#*] }" | cut -c1-300
done
committed_offsets "$ENGINE_GROUP" "${PREFIX}inbound" >"$TMP/engine-committed.json"
say "engine group committed offsets: $(cat "$TMP/engine-committed.json") of $TOTAL_INBOUND inbound records"
python3 - "$TMP/engine-committed.json" "$TOTAL_INBOUND" <<'PY' || fail "the engine consumed the whole input despite the full disk"
import json, sys
c = json.load(open(sys.argv[1]))
sys.exit(0 if c and sum(c.values()) < int(sys.argv[2]) else 1)
PY
run_checker --engine-committed "$TMP/engine-committed.json" \
  || fail "the engine's committed offsets do not match its recorded outcomes"

# ---- 3. the projector rides out a shorter outage in-process -----------------------------------
# Started on a healthy disk that fills once it runs; the engine then records the rest of the input.
rm -f "$TMP/disk-projector/filler"
start_projector 3 -X store.write_retries=8 -X store.retry_backoff_ms=1000
wait_assigned "$TMP/projector3.log" "$PROJECTOR_PID"
sleep 2  # lets it take what the engine recorded before it stopped
fill "$TMP/disk-projector"
rm -f "$TMP/disk-engine/filler"
start_engine 3
for _ in $(seq 1 300); do
  grep -q "not ready; retrying in" "$TMP/projector3.log" && break
  kill -0 "$PROJECTOR_PID" 2>/dev/null || fail "the projector exited before retrying"
  sleep 0.1
done
grep -q "not ready; retrying in" "$TMP/projector3.log" || fail "the projector did not retry"
rm -f "$TMP/disk-projector/filler"
say "projector: store failing, filler removed"
for _ in $(seq 1 600); do
  grep -q "write succeeded again" "$TMP/projector3.log" && break
  kill -0 "$PROJECTOR_PID" 2>/dev/null || fail "the projector exited instead of recovering"
  sleep 0.1
done
grep -q "write succeeded again" "$TMP/projector3.log" || fail "the projector did not recover within 60 s"
say "projector recovered in-process after $(grep -c 'not ready; retrying in' "$TMP/projector3.log") retries"

# ---- 4. recovery: every event exactly once, read models equal a clean rebuild --------------------
wait_outcomes $((N_ACCEPTED + N_INVALID + GARBAGE_SENT)) 120
run_checker --workload "$TMP/workload.jsonl" --manifest "$TMP/manifest.json" \
  --garbage "$GARBAGE_SENT" || fail "the independent checker found lost or duplicated events"
compare_with_rebuild 60
say "took $(( $(date +%s) - START_TS )) s"
say "PASS"
