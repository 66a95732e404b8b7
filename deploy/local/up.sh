#!/usr/bin/env bash
# The main front door: sets up everything on this machine and runs gendan's main job.
#   1. installs missing Debian packages    2. starts a local Kafka broker (KRaft)
#   3. creates gendan's topics             4. builds build/gendan
#   5. publishes the sample order book to gendan.inbound
# Idempotent: run it again at any time. Stop the broker with ./deploy/local/down.sh.
set -euo pipefail
cd "$(dirname "$0")/../.."
source deploy/local/lib.sh

./deploy/local/install-deps.sh
./deploy/local/broker.sh start
./deploy/local/topics.sh

say "building build/gendan"
cmake -S . -B build -G Ninja >/dev/null
ninja -C build gendan >/dev/null

SAMPLE="${GENDAN_SAMPLE:-deploy/local/sample-orders.jsonl}"
say "publishing $SAMPLE"
./build/gendan publish --bootstrap "$BOOTSTRAP" --topic-prefix "$TOPIC_PREFIX" "$SAMPLE"

say "done. Broker: $BOOTSTRAP; topics: ${TOPIC_PREFIX}{inbound,events,rejections,status,alerts}"
say "read the inbound topic:  kcat -b $BOOTSTRAP -C -t ${TOPIC_PREFIX}inbound -e -f '%k %o\\n'"
say "stop the broker:         ./deploy/local/down.sh"
