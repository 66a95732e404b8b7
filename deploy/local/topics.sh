#!/usr/bin/env bash
# Creates gendan's topics (DOMAIN.md §1) on the local broker; existing topics are left as they are.
# Partitions: $GENDAN_PARTITIONS (default 6). Prefix: $GENDAN_TOPIC_PREFIX (default "gendan.").
set -euo pipefail
source "$(dirname "$0")/lib.sh"

port_open "$KAFKA_HOST" "$KAFKA_PORT" || die "no broker answers on $BOOTSTRAP; run deploy/local/broker.sh start first"
need_java

# name|configs — why each:
#   inbound: upstream facts, replayable for a week after the engine has taken them.
#   events: the event store; never deleted by time or size.
#   rejections: kept for a month so senders can look up what was refused.
#   status: latest status per order; compaction keeps one record per key.
#   alerts: raised/cleared history; a quarter is enough for dashboards and audits.
TOPICS=(
  "inbound|retention.ms=604800000"
  "events|retention.ms=-1,retention.bytes=-1"
  "rejections|retention.ms=2592000000"
  "status|cleanup.policy=compact,min.compaction.lag.ms=60000"
  "alerts|retention.ms=7776000000"
)

existing=$(kafka_java org.apache.kafka.tools.TopicCommand --bootstrap-server "$BOOTSTRAP" --list 2>/dev/null) \
  || die "listing topics on $BOOTSTRAP failed"
for spec in "${TOPICS[@]}"; do
  name="$TOPIC_PREFIX${spec%%|*}"
  if grep -qx "$name" <<<"$existing"; then
    say "topic $name exists"
    continue
  fi
  args=()
  IFS=',' read -ra configs <<<"${spec#*|}"
  for c in "${configs[@]}"; do args+=(--config "$c"); done
  say "creating topic $name ($PARTITIONS partitions; ${spec#*|})"
  kafka_java org.apache.kafka.tools.TopicCommand --bootstrap-server "$BOOTSTRAP" --create --if-not-exists \
    --topic "$name" --partitions "$PARTITIONS" --replication-factor 1 "${args[@]}" >/dev/null \
    || die "creating topic $name failed"
done
