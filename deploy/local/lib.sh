# Shared settings and helpers for the local broker scripts. Sourced, never run.
# Every setting can be overridden from the environment.

KAFKA_VERSION="${GENDAN_KAFKA_VERSION:-4.1.1}"
GENDAN_CACHE="${GENDAN_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/gendan}"
KAFKA_LIBS="$GENDAN_CACHE/kafka-$KAFKA_VERSION/libs"
KAFKA_HOST="${GENDAN_KAFKA_HOST:-127.0.0.1}"
KAFKA_PORT="${GENDAN_KAFKA_PORT:-9092}"
KAFKA_CONTROLLER_PORT="${GENDAN_KAFKA_CONTROLLER_PORT:-$((KAFKA_PORT + 1))}"
# Broker state (logs, pid, KRaft metadata) lives outside the source tree, one folder per port.
KAFKA_STATE="${GENDAN_KAFKA_STATE:-${XDG_STATE_HOME:-$HOME/.local/state}/gendan/kafka-$KAFKA_PORT}"
TOPIC_PREFIX="${GENDAN_TOPIC_PREFIX:-gendan.}"
PARTITIONS="${GENDAN_PARTITIONS:-6}"
BOOTSTRAP="$KAFKA_HOST:$KAFKA_PORT"
DEPLOY_LOCAL_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

say() { printf '[gendan] %s\n' "$*"; }
die() { printf '[gendan] error: %s\n' "$*" >&2; exit 1; }

need() {
  command -v "$1" >/dev/null 2>&1 || die "$1 is not installed. $2"
}

need_java() {
  need java "Install a Java 17+ runtime (Debian: apt-get install openjdk-17-jre-headless)."
  local major
  major=$(java -version 2>&1 | sed -n 's/.*version "\([0-9]*\).*/\1/p' | head -1)
  [ -n "$major" ] && [ "$major" -ge 17 ] || die "Kafka $KAFKA_VERSION needs Java 17 or newer; found: $(java -version 2>&1 | head -1)"
}

kafka_classpath() { printf '%s/*' "$KAFKA_LIBS"; }

# Runs a Kafka main class with the resolved jars on the class path.
kafka_java() {
  java -Xms64m -Xmx512m -Dlog4j2.configurationFile="$DEPLOY_LOCAL_DIR/log4j2.properties" \
    -Dkafka.logs.dir="$KAFKA_STATE/logs" -cp "$(kafka_classpath)" "$@"
}

port_open() { (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null; }

broker_pid() {
  local pid
  pid=$(cat "$KAFKA_STATE/broker.pid" 2>/dev/null) || return 1
  kill -0 "$pid" 2>/dev/null || return 1
  printf '%s' "$pid"
}
