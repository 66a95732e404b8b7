#!/usr/bin/env bash
# Stops `gendan run` (started by up.sh) and the local broker, if up.sh started it (a broker that
# was running before is left alone). Data stays; pass --wipe to stop the broker whoever started
# it and delete its data and gendan's read models too.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
GENDAN_DATA="${GENDAN_DATA:-${XDG_STATE_HOME:-$HOME/.local/state}/gendan/data}"
if pid=$(cat "$GENDAN_DATA/gendan-run.pid" 2>/dev/null) && kill -0 "$pid" 2>/dev/null; then
  say "stopping gendan run (pid $pid)"
  kill -TERM "$pid"
  for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
fi
rm -f "$GENDAN_DATA/gendan-run.pid"
if [ -f "$GENDAN_DATA/broker-started-by-up" ] || [ "${1:-}" = "--wipe" ]; then
  "$DEPLOY_LOCAL_DIR/broker.sh" stop
  rm -f "$GENDAN_DATA/broker-started-by-up"
elif broker_pid >/dev/null; then
  say "leaving the broker on $BOOTSTRAP running: it was running before up.sh (stop it with deploy/local/broker.sh stop)"
fi
if [ "${1:-}" = "--wipe" ]; then
  say "deleting broker state in $KAFKA_STATE and gendan data in $GENDAN_DATA"
  rm -rf "$KAFKA_STATE" "$GENDAN_DATA"
fi
