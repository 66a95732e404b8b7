#!/usr/bin/env bash
# Stops the local broker. Its data stays in $GENDAN_KAFKA_STATE; pass --wipe to delete it too.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
"$DEPLOY_LOCAL_DIR/broker.sh" stop
if [ "${1:-}" = "--wipe" ]; then
  say "deleting broker state in $KAFKA_STATE"
  rm -rf "$KAFKA_STATE"
fi
