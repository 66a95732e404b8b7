# Shared pieces of the fault scripts (run.sh, storage.sh); source it, don't run it.
#
#   source "$HERE/lib.sh"
#   fault_init NAME BIN DUMP   # ROOT, BIN (gendan), DUMP (gendan_read_model_dump), say/fail
#   fault_require_tools        # gendan, the dump tool, python3, kcat (fail under CI, else skip 77)
#   fault_scratch              # TMP, RAND, PREFIX, groups; the EXIT trap stops what we started
#   fault_workload ORDERS SEED # kpi_workload.py -> $TMP/workload.jsonl, manifest; EXPECTED_OUTCOMES
#   start_engine / start_projector [extra -X ...]   # ENGINE_PID / PROJECTOR_PID, logs in $TMP
#   publish_lines FROM TO      # `gendan publish` of workload lines FROM..TO (1-based, inclusive)
#   send_garbage N             # N records that are not protobuf, keyed, via kcat
#   wait_outcomes N SECONDS    # until events + rejections (read_committed) reach N
#   compare_with_rebuild       # the projector's read models == a clean `gendan rebuild`
#
# Env: CI=true turns missing tools into failures; FAULT_KEEP=1 keeps $TMP.

fault_init() {
  FAULT_NAME="$1"
  ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
  BIN="${2:-$ROOT/build/gendan}"
  DUMP="${3:-$ROOT/build/tests/fault/gendan_read_model_dump}"
  START_TS=$(date +%s)
  ENGINE_PID="" PROJECTOR_PID=""
  # The risk monitor's clock, pinned: the read models must not depend on when they were built.
  RISK_NOW="2026-02-28T16:00:00Z"
  PROJECTION_FLAGS=(-X risk.now="$RISK_NOW" -X projector.utc_offset=+08:00)
}

say() { printf '[%s] %s\n' "$FAULT_NAME" "$*"; }
fail() { printf '[%s] FAIL: %s\n' "$FAULT_NAME" "$*" >&2; exit 1; }
skip_or_fail() {
  [[ "${CI:-}" == "true" ]] && fail "$* (CI=true)"
  say "SKIP: $*"
  exit 77
}

fault_require_tools() {
  [[ -x "$BIN" ]] || fail "no gendan binary at $BIN"
  [[ -x "$DUMP" ]] || fail "no gendan_read_model_dump at $DUMP (ninja -C build gendan_read_model_dump)"
  command -v python3 >/dev/null || skip_or_fail "python3 is required"
  command -v kcat >/dev/null || skip_or_fail "kcat is required (deploy/local/install-deps.sh)"
}

broker_answers() {
  local host="${1%%,*}" port
  port="${host##*:}"; host="${host%:*}"
  timeout 5 bash -c "exec 3<>/dev/tcp/$host/$port" 2>/dev/null
}

fault_scratch() {
  TMP="$(mktemp -d "${TMPDIR:-/tmp}/fault_${FAULT_NAME}.XXXXXX")"
  RAND="$(od -An -N4 -tu4 /dev/urandom | tr -d ' ')"
  PREFIX="fault.$FAULT_NAME.$RAND."
  ENGINE_GROUP="fault-engine-$RAND"
  PROJECTOR_GROUP="fault-projector-$RAND"
  trap fault_cleanup EXIT
  trap 'exit 130' INT TERM
  # One build for the whole run: the binaries in the build folder may be relinked meanwhile.
  cp "$BIN" "$TMP/gendan" && BIN="$TMP/gendan"
  cp "$DUMP" "$TMP/gendan_read_model_dump" && DUMP="$TMP/gendan_read_model_dump"
}

# Stops a process we started: SIGTERM, then SIGKILL after 15 s.
stop_pid() {
  local pid="$1"
  [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null || return 0
  kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 1 150); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -KILL "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}

fault_cleanup() {
  local rc=$?
  stop_pid "$ENGINE_PID"
  stop_pid "$PROJECTOR_PID"
  declare -F fault_extra_cleanup >/dev/null && fault_extra_cleanup
  if [[ $rc -ne 0 ]]; then
    for log in "$TMP"/engine*.log "$TMP"/projector*.log; do
      [[ -f "$log" ]] || continue
      say "last lines of $(basename "$log"):"
      tail -n 15 "$log" >&2 || true
    done
  fi
  if [[ "${FAULT_KEEP:-}" == "1" ]]; then say "kept $TMP"; else rm -rf "$TMP"; fi
  exit $rc
}

fault_workload() {
  local orders="$1" seed="$2"
  python3 "$ROOT/tests/e2e/kpi_workload.py" --seed "$seed" --orders "$orders" \
    --out "$TMP/workload.jsonl" --manifest "$TMP/manifest.json"
  read -r N_LINES N_ACCEPTED N_INVALID < <(python3 -c '
import json, sys
m = json.load(open(sys.argv[1]))
print(m["lines"], m["accepted"], len(m["invalid"]))' "$TMP/manifest.json")
  say "workload: $orders orders, $N_LINES lines ($N_ACCEPTED to accept, $N_INVALID invalid), seed $seed"
}

create_topics() {
  "$BIN" topics --bootstrap "$BOOTSTRAP" --topic-prefix "$PREFIX" --partitions 3 \
    --log-level warn >"$TMP/topics.log" 2>&1 || { cat "$TMP/topics.log" >&2; fail "gendan topics"; }
  # A worker started before the new partitions have leaders stops at once ("Not leader").
  local t
  for t in inbound events rejections; do
    for _ in $(seq 1 100); do
      [[ $(kcat -b "$BOOTSTRAP" -L -t "$PREFIX$t" 2>/dev/null | grep -c "leader [0-9]") -ge 3 ]] && break
      sleep 0.2
    done
  done
}

# start_engine [LOG_SUFFIX] [extra options...]
start_engine() {
  local n="${1:-}"; shift || true
  "$BIN" engine --bootstrap "$BOOTSTRAP" --topic-prefix "$PREFIX" --state-dir "$ENGINE_DIR" \
    -X engine.group_id="$ENGINE_GROUP" --log-level info "$@" >>"$TMP/engine$n.log" 2>&1 &
  ENGINE_PID=$!
}

start_projector() {
  local n="${1:-}"; shift || true
  "$BIN" project --bootstrap "$BOOTSTRAP" --topic-prefix "$PREFIX" --state-dir "$PROJECTOR_DIR" \
    -X projector.group_id="$PROJECTOR_GROUP" "${PROJECTION_FLAGS[@]}" --log-level info "$@" \
    >>"$TMP/projector$n.log" 2>&1 &
  PROJECTOR_PID=$!
}

# publish_lines FROM TO: the workload's lines FROM..TO through `gendan publish` (idempotent
# producer: librdkafka's retries across a broker restart double nothing). Never re-sent.
publish_lines() {
  sed -n "$1,$2p" "$TMP/workload.jsonl" >"$TMP/chunk.jsonl"
  "$BIN" publish --bootstrap "$BOOTSTRAP" --topic-prefix "$PREFIX" --log-level warn \
    "$TMP/chunk.jsonl" >>"$TMP/publish.log" 2>&1 || { tail -n 5 "$TMP/publish.log" >&2; fail "gendan publish of lines $1-$2"; }
}

GARBAGE_SENT=0
# send_garbage N: records whose bytes are not an InboundEvent (field number 0 is invalid).
send_garbage() {
  local i first=$((GARBAGE_SENT + 1))
  GARBAGE_SENT=$((GARBAGE_SENT + $1))
  for i in $(seq "$first" "$GARBAGE_SENT"); do
    printf 'GARBAGE-%s:\x07not-protobuf-%s-%s\n' "$i" "$RAND" "$i"
  done | kcat -b "$BOOTSTRAP" -P -t "${PREFIX}inbound" -K: -X enable.idempotence=true 2>>"$TMP/kcat.log" \
    || fail "kcat could not send garbage records"
}

count_topic() {
  timeout 120 kcat -b "$BOOTSTRAP" -C -t "$1" -o beginning -e -q -X isolation.level=read_committed \
    -f '%o\n' 2>/dev/null | wc -l
}

outcomes() { echo $(( $(count_topic "${PREFIX}events") + $(count_topic "${PREFIX}rejections") )); }

# wait_outcomes N SECONDS: until events + rejections reach N (fails on timeout).
wait_outcomes() {
  local want="$1" deadline=$(( $(date +%s) + $2 )) got=0
  while :; do
    got="$(outcomes)"
    [[ "$got" -ge "$want" ]] && { say "outcomes: $got of $want"; return 0; }
    [[ $(date +%s) -ge $deadline ]] && fail "only $got of $want outcomes after $2 s"
    sleep 1
  done
}

# The independent checker over the three topics.
run_checker() {
  python3 "$ROOT/tests/fault/check.py" --bootstrap "$BOOTSTRAP" --prefix "$PREFIX" \
    --scratch "$TMP" --enums "$ROOT/proto/gendan/v1/enums.proto" "$@"
}

# compare_with_rebuild SECONDS: `gendan rebuild` into a fresh folder, then the running projector's
# read models must equal it (it may still be catching up: it is stopped, compared, and restarted
# until they match or SECONDS pass). Leaves the projector stopped.
compare_with_rebuild() {
  local deadline=$(( $(date +%s) + $1 )) tries=0
  "$BIN" rebuild --bootstrap "$BOOTSTRAP" --topic-prefix "$PREFIX" --state-dir "$TMP/clean" \
    -X projector.group_id="fault-rebuild-$RAND" "${PROJECTION_FLAGS[@]}" --log-level warn \
    >"$TMP/rebuild.log" 2>&1 || { tail -n 20 "$TMP/rebuild.log" >&2; fail "gendan rebuild"; }
  "$DUMP" "$TMP/clean" >"$TMP/clean.dump" || fail "dumping the rebuild"
  say "clean rebuild: $(grep -c '' "$TMP/clean.dump") keys ($(tail -n 1 "$TMP/rebuild.log" 2>/dev/null))"
  while :; do
    tries=$((tries + 1))
    stop_pid "$PROJECTOR_PID"; PROJECTOR_PID=""
    "$DUMP" "$PROJECTOR_DIR" >"$TMP/live.dump" || fail "dumping the projector's read models"
    if cmp -s "$TMP/live.dump" "$TMP/clean.dump"; then
      say "read models equal the clean rebuild ($(grep -c '' "$TMP/live.dump") keys, compared $tries times)"
      return 0
    fi
    if [[ $(date +%s) -ge $deadline ]]; then
      diff "$TMP/clean.dump" "$TMP/live.dump" | head -n 20 >&2
      fail "the projector's read models differ from a clean rebuild"
    fi
    start_projector
    sleep 5
  done
}
