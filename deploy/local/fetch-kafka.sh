#!/usr/bin/env bash
# Resolves the pinned Apache Kafka release (see KAFKA_VERSION.md) and its runtime dependencies
# from Maven Central into $GENDAN_CACHE/kafka-<version>/libs. Idempotent: a complete cache is reused.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

if [ -f "$KAFKA_LIBS/.complete" ]; then
  say "Kafka $KAFKA_VERSION jars already in $KAFKA_LIBS"
  exit 0
fi
need mvn "Install Maven (Debian: apt-get install maven)."
need_java
say "resolving Apache Kafka $KAFKA_VERSION from Maven Central into $KAFKA_LIBS"
rm -rf "$KAFKA_LIBS" && mkdir -p "$KAFKA_LIBS"
if ! mvn -q -B -f "$DEPLOY_LOCAL_DIR/kafka-pom.xml" -Dkafka.version="$KAFKA_VERSION" \
    dependency:copy-dependencies -DincludeScope=runtime -DoutputDirectory="$KAFKA_LIBS" \
    >"$GENDAN_CACHE/fetch-kafka.log" 2>&1; then
  tail -20 "$GENDAN_CACHE/fetch-kafka.log" >&2
  die "download of Kafka $KAFKA_VERSION failed (full log: $GENDAN_CACHE/fetch-kafka.log)"
fi
[ -f "$KAFKA_LIBS/kafka_2.13-$KAFKA_VERSION.jar" ] || die "kafka_2.13-$KAFKA_VERSION.jar missing after download"
touch "$KAFKA_LIBS/.complete"
say "resolved $(ls "$KAFKA_LIBS" | wc -l) jars"
