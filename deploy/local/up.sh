#!/usr/bin/env bash
# The main front door: sets up everything on this machine and runs gendan.
#   1. installs missing Debian packages     2. starts a local Kafka broker (KRaft)
#   3. creates gendan's topics              4. builds build/gendan
#   5. starts `gendan run` (engine + projector + query API) in the background
#   6. publishes the sample order book and a simulated one (`gendan simulate`, the last
#      GENDAN_SIM_DAYS business days up to yesterday) and waits until the read models have them
# Idempotent: run it again at any time (a running gendan is restarted on the new build).
# Stop everything with ./deploy/local/down.sh.
set -euo pipefail
cd "$(dirname "$0")/../.."
source deploy/local/lib.sh

GENDAN_DATA="${GENDAN_DATA:-${XDG_STATE_HOME:-$HOME/.local/state}/gendan/data}"
GENDAN_LISTEN="${GENDAN_LISTEN:-127.0.0.1:8080}"
RUN_PID="$GENDAN_DATA/gendan-run.pid"
RUN_LOG="$GENDAN_DATA/gendan-run.log"
SAMPLE="${GENDAN_SAMPLE:-deploy/local/sample-orders.jsonl}"
SIM_ORDERS="${GENDAN_SIM_ORDERS:-2000}"   # 0: the sample only
SIM_DAYS="${GENDAN_SIM_DAYS:-65}"

./deploy/local/install-deps.sh
# down.sh stops the broker only if this started it: one already running (a test run's, another
# checkout's) is someone else's.
broker_was_running=$(broker_pid >/dev/null && echo yes || true)
./deploy/local/broker.sh start
mkdir -p "$GENDAN_DATA"
[ -n "$broker_was_running" ] || echo "$KAFKA_STATE" >"$GENDAN_DATA/broker-started-by-up"
./deploy/local/topics.sh

say "building build/gendan"
cmake -S . -B build -G Ninja >/dev/null
ninja -C build gendan >/dev/null

if pid=$(cat "$RUN_PID" 2>/dev/null) && kill -0 "$pid" 2>/dev/null; then
  say "stopping the running gendan (pid $pid) to start the new build"
  kill -TERM "$pid"
  for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
fi
port="${GENDAN_LISTEN##*:}"
port_open "${GENDAN_LISTEN%:*}" "$port" && die "$GENDAN_LISTEN is taken by another process; set GENDAN_LISTEN=host:port"

say "starting gendan run (data in $GENDAN_DATA, log in $RUN_LOG)"
nohup ./build/gendan run --bootstrap "$BOOTSTRAP" --topic-prefix "$TOPIC_PREFIX" \
  --data-dir "$GENDAN_DATA" --listen "$GENDAN_LISTEN" >>"$RUN_LOG" 2>&1 </dev/null &
echo $! >"$RUN_PID"
for _ in $(seq 1 100); do
  curl -fs "http://$GENDAN_LISTEN/healthz" >/dev/null 2>&1 && break
  kill -0 "$(cat "$RUN_PID")" 2>/dev/null || { tail -20 "$RUN_LOG" >&2; die "gendan run exited; see $RUN_LOG"; }
  sleep 0.2
done

say "publishing $SAMPLE"
./build/gendan publish --bootstrap "$BOOTSTRAP" --topic-prefix "$TOPIC_PREFIX" "$SAMPLE" || true
# A realistic book up to yesterday (facts from the future would be rejected). The order ids carry
# the end date, so a second run on the same day re-sends the same facts (the engine drops the
# duplicates) and a run on another day adds a new book beside the old one.
until=$(date -u -d yesterday +%F)
if [ "$SIM_ORDERS" -gt 0 ]; then
  say "simulating $SIM_ORDERS orders over the $SIM_DAYS business days up to $until"
  ./build/gendan simulate --bootstrap "$BOOTSTRAP" --topic-prefix "$TOPIC_PREFIX" --publish \
    --orders "$SIM_ORDERS" --days "$SIM_DAYS" --until "$until" \
    --order-prefix "SIM${until//-/}-" --seed "${until//-/}" || true
fi
say "waiting until the read models have caught up"
# Ready (within serve.ready_max_lag) and both sample orders there: their partitions' events can
# reach the projector in different fetches, so one being there does not mean the other is.
caught_up=
for _ in $(seq 1 150); do
  if curl -fs "http://$GENDAN_LISTEN/readyz" >/dev/null 2>&1 &&
    curl -fs "http://$GENDAN_LISTEN/v1/orders/ORD-1001" >/dev/null 2>&1 &&
    curl -fs "http://$GENDAN_LISTEN/v1/orders/ORD-1002" >/dev/null 2>&1; then
    caught_up=1
    break
  fi
  sleep 0.2
done
[ -n "$caught_up" ] || say "warning: not caught up after 30 s; it goes on in the background (log: $RUN_LOG)"

API="http://$GENDAN_LISTEN"
say "gendan is running: query API on $API/"
say "  dashboard:      open $API/ in a browser"
say "  order status:   curl $API/v1/orders/ORD-1001"
say "  order events:   curl $API/v1/orders/ORD-1001/events"
say "  order list:     curl '$API/v1/orders?stage=SHIPPING'"
say "  KPIs:           curl '$API/v1/kpis?from=2026-09-01&to=2026-11-30&bucket=month'"
[ "$SIM_ORDERS" -gt 0 ] && say "  simulated book: curl '$API/v1/kpis?from=$(date -u -d "$until -95 days" +%F)&to=$until&bucket=month&group_by=merchandiser'"
say "  metrics:        curl $API/metrics"
say "  from the CLI:   build/gendan kpi --state-dir $GENDAN_DATA/projections --from 2026-09-01 --to 2026-11-30"
say "  rejections:     kcat -b $BOOTSTRAP -C -t ${TOPIC_PREFIX}rejections -e"
say "stop everything: ./deploy/local/down.sh"
