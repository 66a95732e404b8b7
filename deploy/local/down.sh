#!/usr/bin/env bash
# Stops `gendan run` (started by up.sh) and the local broker. Data stays; pass --wipe to delete
# the broker's data and gendan's read models too.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
GENDAN_DATA="${GENDAN_DATA:-${XDG_STATE_HOME:-$HOME/.local/state}/gendan/data}"
if pid=$(cat "$GENDAN_DATA/gendan-run.pid" 2>/dev/null) && kill -0 "$pid" 2>/dev/null; then
  say "stopping gendan run (pid $pid)"
  kill -TERM "$pid"
  for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
fi
rm -f "$GENDAN_DATA/gendan-run.pid"
"$DEPLOY_LOCAL_DIR/broker.sh" stop
if [ "${1:-}" = "--wipe" ]; then
  say "deleting broker state in $KAFKA_STATE and gendan data in $GENDAN_DATA"
  rm -rf "$KAFKA_STATE" "$GENDAN_DATA"
fi
