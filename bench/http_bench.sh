#!/usr/bin/env bash
# http_bench.sh: the query API under wrk — GET /healthz (the trivial endpoint) against
# GET /v1/orders/{id} over random existing ids and GET /v1/kpis over a year (daily buckets, the
# year's total, and the year grouped by merchandiser), with the same threads, connections and
# duration. See docs/benchmarks.md ("Projector and query API").
#
#   bench/http_bench.sh [--state DIR] [--events 150000] [--threads 2] [--connections 16]
#                       [--duration 10s] [--modes "follower writer follower+nodelay writer+nodelay"] [--from 2024-01-01]
#                       [--to 2024-12-31]
#
# Without --state it first runs build/bench/projector_bench --rounds 1 --keep-state (broker at
# GENDAN_BOOTSTRAP) to get read models of N engine-accepted events and the list of order ids
# (DIR.ids). Modes:
#   follower  build/gendan serve --state-dir DIR: the deployed shape, a separate process that
#             opens the read models as a RocksDB secondary (each /v1 request calls Refresh(),
#             i.e. TryCatchUpWithPrimary);
#   writer    projector_bench --serve DIR: the QueryApi in-process over the store opened as its
#             writer, as `gendan run` serves (Refresh() is a no-op).
#   MODE+nodelay  the same server with an LD_PRELOAD shim (built here with cc) that sets
#             TCP_NODELAY on every accepted socket — a what-if for
#             httplib::Server::set_tcp_nodelay(true), which QueryApi does not call: without it
#             every response waits out Nagle + the client's delayed ACK (~40 ms).
# Prints one table row per (mode, endpoint) and a JSON line per mode. Needs wrk (installed with
# apt-get when missing and run as root) and curl. Servers listen on 127.0.0.1:0 and are stopped
# at the end; a state dir it created itself is deleted.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
STATE=""
EVENTS=150000
THREADS=2
CONNECTIONS=16
DURATION=10s
MODES="follower writer follower+nodelay writer+nodelay"
FROM=2024-01-01
TO=2024-12-31
while [[ $# -gt 0 ]]; do
  case "$1" in
    --state) STATE=$2; shift 2 ;;
    --events) EVENTS=$2; shift 2 ;;
    --threads) THREADS=$2; shift 2 ;;
    --connections) CONNECTIONS=$2; shift 2 ;;
    --duration) DURATION=$2; shift 2 ;;
    --modes) MODES=$2; shift 2 ;;
    --from) FROM=$2; shift 2 ;;
    --to) TO=$2; shift 2 ;;
    -h|--help) sed -n '2,25p' "$0"; exit 0 ;;
    *) echo "http_bench.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done

if ! command -v wrk >/dev/null; then
  if [[ $(id -u) -eq 0 ]]; then apt-get install -y wrk >/dev/null; else
    echo "http_bench.sh: wrk is missing (apt-get install wrk)" >&2; exit 1
  fi
fi

WORK=$(mktemp -d /tmp/gendan-http-bench.XXXXXX)
SERVER_PID=""
OWN_STATE=""
cleanup() {
  if [[ -n $SERVER_PID ]]; then kill "$SERVER_PID" 2>/dev/null || true; wait "$SERVER_PID" 2>/dev/null || true; fi
  if [[ -n $OWN_STATE ]]; then
    rm -rf "$OWN_STATE" "$OWN_STATE".gen-* "$OWN_STATE.ids"
  fi
  rm -rf "$WORK"
}
trap cleanup EXIT

if [[ -z $STATE ]]; then
  STATE=$WORK/projections
  OWN_STATE=$STATE
  echo "== read models: $BUILD/bench/projector_bench --events $EVENTS --rounds 1 --keep-state $STATE"
  "$BUILD/bench/projector_bench" --events "$EVENTS" --rounds 1 --keep-state "$STATE" | tail -n 6
fi
[[ -s $STATE.ids ]] || { echo "http_bench.sh: $STATE.ids (order ids) is missing" >&2; exit 1; }
IDS=$(wc -l < "$STATE.ids")

cat > "$WORK/orders.lua" <<'EOF'
-- GET /v1/orders/{id} over ids read from the file given after "--", one at random per request.
local ids = {}
function init(args)
  for line in io.lines(args[1]) do ids[#ids + 1] = line end
  math.randomseed(os.time() + tonumber(tostring(ids):match("0x(%x+)") or "0", 16) % 100000)
end
function request()
  return wrk.format("GET", "/v1/orders/" .. ids[math.random(#ids)])
end
EOF

cat > "$WORK/nodelay.c" <<'EOF'
// LD_PRELOAD shim: TCP_NODELAY on every accepted socket.
#define _GNU_SOURCE
#include <dlfcn.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
static void nodelay(int fd) {
  int one = 1;
  if (fd >= 0) setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
}
int accept(int s, struct sockaddr* a, socklen_t* l) {
  static int (*real)(int, struct sockaddr*, socklen_t*);
  if (!real) real = (int (*)(int, struct sockaddr*, socklen_t*))dlsym(RTLD_NEXT, "accept");
  int fd = real(s, a, l);
  nodelay(fd);
  return fd;
}
int accept4(int s, struct sockaddr* a, socklen_t* l, int f) {
  static int (*real)(int, struct sockaddr*, socklen_t*, int);
  if (!real) real = (int (*)(int, struct sockaddr*, socklen_t*, int))dlsym(RTLD_NEXT, "accept4");
  int fd = real(s, a, l, f);
  nodelay(fd);
  return fd;
}
EOF
if [[ $MODES == *+nodelay* ]]; then
  cc -O2 -shared -fPIC "$WORK/nodelay.c" -o "$WORK/nodelay.so" -ldl
fi

# wrk's "Latency  50%  1.23ms" → milliseconds.
to_ms() {
  awk -v v="$1" 'BEGIN {
    if (v ~ /us$/) { sub(/us$/, "", v); printf "%.3f", v / 1000 }
    else if (v ~ /ms$/) { sub(/ms$/, "", v); printf "%.3f", v }
    else if (v ~ /s$/) { sub(/s$/, "", v); printf "%.3f", v * 1000 }
    else printf "nan" }'
}

# Starts the server of a mode on 127.0.0.1:0 and sets PORT.
start_server() {
  local mode=${1%+nodelay} log=$WORK/$1.log preload=""
  [[ $1 == *+nodelay ]] && preload=$WORK/nodelay.so
  PORT=""
  case "$mode" in
    follower)
      LD_PRELOAD=$preload "$BUILD/gendan" serve --state-dir "$STATE" --listen 127.0.0.1:0 \
        >"$log" 2>&1 &
      SERVER_PID=$! ;;
    writer)
      LD_PRELOAD=$preload "$BUILD/bench/projector_bench" --serve "$STATE" \
        --listen 127.0.0.1:0 >"$log" 2>&1 &
      SERVER_PID=$! ;;
    *) echo "http_bench.sh: unknown mode $mode" >&2; exit 2 ;;
  esac
  for _ in $(seq 100); do
    PORT=$(grep -oE '(127\.0\.0\.1:|port )[0-9]+' "$log" | grep -oE '[0-9]+$' | head -n 1 || true)
    [[ -n $PORT ]] && break
    kill -0 "$SERVER_PID" 2>/dev/null || { cat "$log" >&2; exit 1; }
    sleep 0.1
  done
  [[ -n $PORT ]] || { echo "http_bench.sh: $mode server did not report a port" >&2; cat "$log" >&2; exit 1; }
}

stop_server() {
  kill "$SERVER_PID" 2>/dev/null || true
  wait "$SERVER_PID" 2>/dev/null || true
  SERVER_PID=""
}

# run_wrk NAME PATH [lua script] → sets RPS P50 P99 and prints a row.
run_wrk() {
  local name=$1 path=$2 script=${3:-} out=$WORK/wrk.out
  local args=(-t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency)
  if [[ -n $script ]]; then
    wrk "${args[@]}" -s "$script" "http://127.0.0.1:$PORT$path" -- "$STATE.ids" >"$out" 2>&1
  else
    wrk "${args[@]}" "http://127.0.0.1:$PORT$path" >"$out" 2>&1
  fi
  RPS=$(awk '/^Requests\/sec:/ {print $2}' "$out")
  P50=$(to_ms "$(awk '$1 == "50%" {print $2}' "$out")")
  P99=$(to_ms "$(awk '$1 == "99%" {print $2}' "$out")")
  local requests bad errors
  requests=$(awk '/requests in/ {print $1}' "$out")
  bad=$(awk '/Non-2xx or 3xx responses:/ {print $NF}' "$out")
  errors=$(grep -E 'Socket errors' "$out" | sed 's/^ *//' || true)
  printf "%-16s %-22s %10s %9s %9s %9s  %s\n" "$MODE" "$name" "$RPS" "$P50" "$P99" "$requests" \
    "${bad:+non-2xx $bad }${errors}"
}

echo
echo "== $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg); read models $STATE ($IDS orders)"
echo "== wrk -t$THREADS -c$CONNECTIONS -d$DURATION --latency; KPIs over $FROM..$TO"
echo
printf "%-16s %-22s %10s %9s %9s %9s  %s\n" mode endpoint "req/s" "p50 ms" "p99 ms" requests notes
for MODE in $MODES; do
  start_server "$MODE"
  # Warm up and check every route answers 200 before timing it.
  first_id=$(head -n 1 "$STATE.ids")
  for path in /healthz "/v1/orders/$first_id" "/v1/kpis?from=$FROM&to=$TO&bucket=day" \
              "/v1/kpis?from=$FROM&to=$TO" "/v1/kpis?from=$FROM&to=$TO&group_by=merchandiser"; do
    code=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$PORT$path")
    [[ $code == 200 ]] || { echo "http_bench.sh: $MODE $path answered $code" >&2; exit 1; }
  done
  run_wrk /healthz /healthz
  H_RPS=$RPS H_P50=$P50 H_P99=$P99
  run_wrk "/v1/orders/{id}" /v1/orders/x "$WORK/orders.lua"
  O_RPS=$RPS O_P50=$P50 O_P99=$P99
  run_wrk "/v1/kpis year, daily" "/v1/kpis?from=$FROM&to=$TO&bucket=day"
  KD_RPS=$RPS KD_P50=$P50 KD_P99=$P99
  run_wrk "/v1/kpis year, total" "/v1/kpis?from=$FROM&to=$TO"
  KT_RPS=$RPS KT_P50=$P50 KT_P99=$P99
  run_wrk "/v1/kpis year, by merch." "/v1/kpis?from=$FROM&to=$TO&group_by=merchandiser"
  KM_RPS=$RPS KM_P50=$P50 KM_P99=$P99
  stop_server
  RATIO=$(awk -v o="$O_RPS" -v h="$H_RPS" 'BEGIN {printf "%.3f", o / h}')
  echo "$MODE: /v1/orders/{id} $O_RPS req/s = $RATIO of /healthz $H_RPS req/s (target >= 0.5); p99 $O_P99 ms (target <= 5)"
  printf '{"bench":"http","mode":"%s","threads":%s,"connections":%s,"duration":"%s","orders":%s,' \
    "$MODE" "$THREADS" "$CONNECTIONS" "$DURATION" "$IDS"
  printf '"healthz":{"rps":%s,"p50_ms":%s,"p99_ms":%s},"order":{"rps":%s,"p50_ms":%s,"p99_ms":%s},' \
    "$H_RPS" "$H_P50" "$H_P99" "$O_RPS" "$O_P50" "$O_P99"
  printf '"kpis_year_daily":{"rps":%s,"p50_ms":%s,"p99_ms":%s},"kpis_year_total":{"rps":%s,"p50_ms":%s,"p99_ms":%s},' \
    "$KD_RPS" "$KD_P50" "$KD_P99" "$KT_RPS" "$KT_P50" "$KT_P99"
  printf '"kpis_year_by_merchandiser":{"rps":%s,"p50_ms":%s,"p99_ms":%s,"target_p99_ms":20},' \
    "$KM_RPS" "$KM_P50" "$KM_P99"
  printf '"ratio":%s,"target_ratio":0.5,"target_p99_ms":5}\n' "$RATIO"
done
echo "== load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
