#!/usr/bin/env bash
# End-to-end observability check (issue 9): `gendan run` takes a generated workload through a
# real broker with JSON logs on, and then
#   - its live /metrics passes `promtool check metrics` (Debian's prometheus package: the real
#     Prometheus parser and linter), and metrics_check.py finds the series an operator needs with
#     true values (rejections by reason, lag per partition, idle-vs-stuck liveness, RocksDB
#     figures, KPI gauges equal to /v1/kpis, every metric the alert rules and dashboard use);
#   - every log line is JSON;
#   - `gendan engine` and `gendan project` started alone with -X metrics.listen serve a /metrics
#     that passes promtool too, with their own liveness and lag per partition.
#
#   tests/e2e/metrics_e2e.sh [path/to/gendan]      (default: build/gendan)
#
# Env: GENDAN_BOOTSTRAP (default 127.0.0.1:9092); CI=true makes a missing broker a failure
# (otherwise the test is skipped with exit code 77); METRICS_E2E_KEEP=1 keeps the temp dir.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=tests/e2e/lib.sh
source "$HERE/lib.sh"
e2e_init metrics "${1:-}"
SEED="${METRICS_E2E_SEED:-20251001}"
ORDERS="${METRICS_E2E_ORDERS:-120}"
WINDOW_DAYS=3660  # the KPI gauges' window: wide enough to hold the 2025-2026 workload

e2e_require_tools
command -v promtool >/dev/null || fail "promtool is required (Debian package prometheus; deploy/local/install-deps.sh)"
e2e_require_broker
e2e_setup_scratch
e2e_make_workload
e2e_create_topics
e2e_start_gendan --log-format json -X metrics.kpi_window_days="$WINDOW_DAYS"
e2e_publish

promcheck() {  # promcheck FILE WHAT: promtool must accept it without a single lint remark
  local out
  if ! out="$(promtool check metrics <"$1" 2>&1)" || [[ -n "$out" ]]; then
    printf '%s\n' "$out" >&2
    fail "promtool check metrics refused the /metrics of $2"
  fi
  say "  ok   promtool check metrics: $2 ($(grep -c '^gendan_' "$1") samples)"
}

python3 "$HERE/metrics_check.py" run --base-url "$BASE" --manifest "$TMP/manifest.json" \
  --partitions 3 --kpi-window-days "$WINDOW_DAYS" --repo "$ROOT" || fail "gendan run's /metrics"
curl -fsS "$BASE/metrics" >"$TMP/run.metrics"
promcheck "$TMP/run.metrics" "gendan run"
python3 "$HERE/metrics_check.py" logs "$TMP/gendan.log" || fail "JSON logs"

# ---- the roles alone, each with its own metrics listener ---------------------------------------
kill -TERM "$GENDAN_PID"; wait "$GENDAN_PID" || fail "gendan run did not stop cleanly"
GENDAN_PID=""
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
ROLE_PIDS=()
stop_roles() { for p in "${ROLE_PIDS[@]}"; do kill -TERM "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done; }
trap 'stop_roles; e2e_cleanup' EXIT
for role in engine project; do
  port="$(free_port)"
  worker="$role"; [[ $role == project ]] && worker=projector
  "$BIN" "$role" --bootstrap "$BOOTSTRAP" --topic-prefix "$PREFIX" --log-level info \
    -X "$([[ $role == engine ]] && echo engine || echo projector).state_dir=$TMP/data/$([[ $role == engine ]] && echo engine || echo projections)" \
    -X engine.group_id="e2e-metrics-engine-$RAND" -X projector.group_id="e2e-metrics-projector-$RAND" \
    -X metrics.listen="127.0.0.1:$port" >"$TMP/$role.log" 2>&1 &
  ROLE_PIDS+=($!)
  for i in $(seq 1 100); do
    curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break
    kill -0 "${ROLE_PIDS[-1]}" 2>/dev/null || { tail -n 20 "$TMP/$role.log" >&2; fail "gendan $role exited"; }
    [[ $i -eq 100 ]] && fail "gendan $role's metrics listener did not answer within 20 s"
    sleep 0.2
  done
  # wait for the partitions to be assigned (the lag series appear then)
  for i in $(seq 1 100); do
    curl -fsS "http://127.0.0.1:$port/metrics" | grep -q '^gendan_consumer_lag{' && break
    [[ $i -eq 100 ]] && fail "gendan $role reported no lag per partition within 20 s"
    sleep 0.2
  done
  sleep 5.5  # past the first RocksDB sample
  python3 "$HERE/metrics_check.py" role --base-url "http://127.0.0.1:$port" --worker "$worker" \
    --partitions 3 || fail "gendan $role's /metrics"
  curl -fsS "http://127.0.0.1:$port/metrics" >"$TMP/$role.metrics"
  promcheck "$TMP/$role.metrics" "gendan $role"
done
say "took $(( $(date +%s) - START_TS )) s"
say "PASS"
