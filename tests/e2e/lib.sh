# Shared setup for the end-to-end scripts (kpi_e2e.sh, alerts_e2e.sh); source it, don't run it.
#
# It only defines functions. A script using it does, in this order:
#
#   source "$HERE/lib.sh"
#   e2e_init NAME "${1:-}"    # NAME is kpi or alerts: sets ROOT, BIN, BOOTSTRAP, START_TS and
#                             # the say/fail helpers, which print as [NAME_e2e]
#   e2e_require_tools         # gendan binary, python3, curl (fails otherwise)
#   e2e_require_broker        # SKIP with exit 77 without a broker, FAIL when CI=true
#   e2e_setup_scratch         # TMP, RAND, PREFIX (e2e.NAME.RAND.), the EXIT trap (e2e_cleanup)
#   e2e_make_workload         # kpi_workload.py -> $TMP/workload.jsonl, $TMP/manifest.json;
#                             # N_LINES N_ACCEPTED N_INVALID N_DUPS N_ORDERS
#   e2e_create_topics         # `gendan topics` for PREFIX
#   e2e_start_gendan ARGS...  # `gendan run` in the background (GENDAN_PID, HTTP_PORT, BASE),
#                             # ARGS are extra options such as -X projector.utc_offset=...;
#                             # returns once /healthz answers
#   e2e_publish               # `gendan publish` of the workload
#
# Uses the script's SEED and ORDERS (e2e_make_workload). Env: GENDAN_BOOTSTRAP (default
# 127.0.0.1:9092); CI=true turns a missing broker into a failure; <NAME>_E2E_KEEP=1 keeps $TMP.

# e2e_init NAME [path/to/gendan]
e2e_init() {
  E2E_NAME="$1"
  E2E_KEEP_VAR="${1^^}_E2E_KEEP"
  ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
  BIN="${2:-$ROOT/build/gendan}"
  BOOTSTRAP="${GENDAN_BOOTSTRAP:-127.0.0.1:9092}"
  BOOTSTRAP_FOR_CLEANUP="$BOOTSTRAP"  # deploy/local/lib.sh, sourced in cleanup, sets its own BOOTSTRAP
  START_TS=$(date +%s)
  GENDAN_PID=""
}

say() { printf '[%s_e2e] %s\n' "$E2E_NAME" "$*"; }
fail() { printf '[%s_e2e] FAIL: %s\n' "$E2E_NAME" "$*" >&2; exit 1; }

e2e_require_tools() {
  [[ -x "$BIN" ]] || fail "no gendan binary at $BIN (build it: ninja -C build)"
  command -v python3 >/dev/null || fail "python3 is required"
  command -v curl >/dev/null || fail "curl is required"
}

# Exits 77 (skip) when nothing answers on the first bootstrap address, or fails when CI=true.
e2e_require_broker() {
  local host port
  host="${BOOTSTRAP%%,*}"; port="${host##*:}"; host="${host%:*}"
  if ! timeout 5 bash -c "exec 3<>/dev/tcp/$host/$port" 2>/dev/null; then
    if [[ "${CI:-}" == "true" ]]; then
      fail "CI=true and no Kafka broker answers on $BOOTSTRAP"
    fi
    say "SKIP: no Kafka broker on $BOOTSTRAP (start one with deploy/local/broker.sh start)"
    exit 77
  fi
}

# Temp dir, unique topic prefix and consumer-group suffix, and the cleanup traps.
e2e_setup_scratch() {
  TMP="$(mktemp -d "${TMPDIR:-/tmp}/${E2E_NAME}_e2e.XXXXXX")"
  RAND="$(od -An -N4 -tu4 /dev/urandom | tr -d ' ')"
  PREFIX="e2e.$E2E_NAME.$RAND."
  GENDAN_PID=""
  trap e2e_cleanup EXIT
  trap 'exit 130' INT TERM
}

# EXIT trap: stop gendan (SIGTERM, SIGKILL after 10 s), show its log on failure, delete this
# run's topics (best effort), remove $TMP unless <NAME>_E2E_KEEP=1; keeps the exit code.
e2e_cleanup() {
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
  if [[ "${!E2E_KEEP_VAR:-}" == "1" ]]; then
    say "kept $TMP"
  else
    rm -rf "$TMP"
  fi
  exit $rc
}

# Generates the workload from SEED and ORDERS and reads the counts from its manifest.
e2e_make_workload() {
  python3 "$E2E_DIR/kpi_workload.py" --seed "$SEED" --orders "$ORDERS" \
    --out "$TMP/workload.jsonl" --manifest "$TMP/manifest.json"
  read -r N_LINES N_ACCEPTED N_INVALID N_DUPS N_ORDERS < <(python3 -c '
import json, sys
m = json.load(open(sys.argv[1]))
print(m["lines"], m["accepted"], len(m["invalid"]), len(m["duplicates"]), m["orders"])
' "$TMP/manifest.json")
  say "workload: $N_ORDERS orders, $N_LINES lines ($N_ACCEPTED to accept, $N_INVALID invalid," \
    "$N_DUPS re-sent duplicates), seed $SEED"
}

e2e_create_topics() {
  "$BIN" topics --bootstrap "$BOOTSTRAP" --topic-prefix "$PREFIX" --partitions 3 \
    --log-level warn >"$TMP/topics.log" 2>&1 || { cat "$TMP/topics.log" >&2; fail "topics"; }
}

# e2e_start_gendan [extra gendan run options...]: on a free port, with this run's consumer groups.
e2e_start_gendan() {
  HTTP_PORT="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
  BASE="http://127.0.0.1:$HTTP_PORT"
  mkdir -p "$TMP/data"
  "$BIN" run --bootstrap "$BOOTSTRAP" --topic-prefix "$PREFIX" --data-dir "$TMP/data" \
    --listen "127.0.0.1:$HTTP_PORT" --log-level info \
    "$@" \
    -X engine.group_id="e2e-$E2E_NAME-engine-$RAND" -X projector.group_id="e2e-$E2E_NAME-projector-$RAND" \
    >"$TMP/gendan.log" 2>&1 &
  GENDAN_PID=$!

  local i
  for i in $(seq 1 100); do
    curl -fsS "$BASE/healthz" >/dev/null 2>&1 && break
    kill -0 "$GENDAN_PID" 2>/dev/null || fail "gendan run exited during start-up"
    [[ $i -eq 100 ]] && fail "gendan run did not answer /healthz within 20 s"
    sleep 0.2
  done
  say "gendan run is up (pid $GENDAN_PID, $BASE, topics ${PREFIX}*)"
}

e2e_publish() {
  "$BIN" publish --bootstrap "$BOOTSTRAP" --topic-prefix "$PREFIX" --log-level warn \
    "$TMP/workload.jsonl" >"$TMP/publish.log" 2>&1 \
    || { tail -n 20 "$TMP/publish.log" >&2; fail "gendan publish failed"; }
  say "published $N_LINES lines"
}

E2E_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
