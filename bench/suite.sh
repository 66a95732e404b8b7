#!/usr/bin/env bash
# suite.sh: issue 7's end-to-end benchmark suite, in one run, on the local broker, over the same
# simulated workload (`gendan simulate`'s book for --orders / --days / --seed):
#   (a) engine vs a raw librdkafka transactional consume→produce pipe   (build/bench/engine_pipe_bench)
#   (b) projector vs a raw read_committed consume of gendan.events      (build/bench/projector_bench)
#   (c) status lookups and KPI queries (a year; a year grouped by merchandiser) vs /healthz of the
#       same server, under wrk, over (b)'s read models                   (bench/http_bench.sh)
#   (d) peak RSS (VmHWM) of `gendan engine` and `gendan project` as separate processes once they
#       have read a simulated book of each --rss-orders size
#   (e) `gendan rebuild` of each of those books' events (the target is for the largest)
# Prints a table and, last, one JSON summary line ({"bench":"suite",...}).
#
#   bench/suite.sh [--quick] [--orders 100000] [--days 260] [--seed 1] [--rounds 3]
#                  [--rss-orders "100000 1000000"] [--http-duration 10s] [--http-modes "follower writer"]
#                  [--only a,b,c,d,e] [--keep DIR] [-X key=value]...
#
# --quick: a small run to check the suite itself (2 000 orders, 1 round, RSS at 1 000 and 10 000
# orders, 3 s of wrk, writer mode only; a few minutes). -X passes a librdkafka property to both
# pipes of (a) and (b), e.g. -X queued.min.messages=10000000 (see docs/benchmarks.md). The full
# default run takes long on 2 cores: 1M orders are ~30M events through engine, projector and rebuild.
# Needs the broker at GENDAN_BOOTSTRAP (default 127.0.0.1:9092), ninja targets gendan,
# engine_pipe_bench, projector_bench, catchup (built here through the shared lock when missing),
# wrk, curl and python3. Its topics (bench.*) and state dirs are deleted at the end.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
ORDERS=100000
DAYS=260
SEED=1
ROUNDS=3
RSS_ORDERS="100000 1000000"
HTTP_DURATION=10s
HTTP_MODES="follower writer"
ONLY="a,b,c,d,e"
KEEP=""
KAFKA_X=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --quick) ORDERS=2000; DAYS=60; ROUNDS=1; RSS_ORDERS="1000 10000"; HTTP_DURATION=3s
             HTTP_MODES="writer"; shift ;;
    --orders) ORDERS=$2; shift 2 ;;
    --days) DAYS=$2; shift 2 ;;
    --seed) SEED=$2; shift 2 ;;
    --rounds) ROUNDS=$2; shift 2 ;;
    --rss-orders) RSS_ORDERS=$2; shift 2 ;;
    --http-duration) HTTP_DURATION=$2; shift 2 ;;
    --http-modes) HTTP_MODES=$2; shift 2 ;;
    --only) ONLY=$2; shift 2 ;;
    --keep) KEEP=$2; shift 2 ;;
    -X) KAFKA_X+=(-X "$2"); shift 2 ;;
    -h|--help) sed -n '2,25p' "$0"; exit 0 ;;
    *) echo "suite.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done
want() { [[ ",$ONLY," == *",$1,"* ]]; }
say() { printf '[suite] %s\n' "$*" >&2; }
die() { printf '[suite] error: %s\n' "$*" >&2; exit 1; }

for tool in curl python3; do command -v $tool >/dev/null || die "$tool is missing"; done
if want c && ! command -v wrk >/dev/null; then die "wrk is missing (apt-get install wrk)"; fi
missing=()
for t in gendan bench/engine_pipe_bench bench/projector_bench bench/catchup; do
  [[ -x $BUILD/$t ]] || missing+=("${t#bench/}")
done
if [[ ${#missing[@]} -gt 0 ]]; then
  say "building ${missing[*]}"
  flock /tmp/gendan-build.lock ninja -C "$BUILD" "${missing[@]}" >/dev/null
fi
export GENDAN_BOOTSTRAP=${GENDAN_BOOTSTRAP:-127.0.0.1:9092}

WORK=${KEEP:-$(mktemp -d /tmp/gendan-suite.XXXXXX)}
mkdir -p "$WORK"
RUN=bench.suite.$$
PIDS=()
TOPICS=()
cleanup() {
  for pid in "${PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; done
  if [[ ${#TOPICS[@]} -gt 0 ]]; then
    "$BUILD/bench/catchup" --delete-topics "$(IFS=,; echo "${TOPICS[*]}")" || true
  fi
  [[ -n $KEEP ]] || rm -rf "$WORK"
}
trap cleanup EXIT

# The calendar year the simulated span mostly covers, for the KPI queries of (c).
YEAR_FROM=2025-01-01
YEAR_TO=2025-12-31
if [[ $DAYS -lt 260 ]]; then YEAR_TO=$(date -u -d "2025-01-06 + $((DAYS * 7 / 5)) days" +%F); fi

say "machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg); workload: simulate --orders $ORDERS --days $DAYS --seed $SEED"
# ---- (a) engine vs raw transactional pipe ------------------------------------------------------
if want a; then
  say "(a) engine_pipe_bench --sim-orders $ORDERS --sim-days $DAYS --rounds $ROUNDS"
  "$BUILD/bench/engine_pipe_bench" --sim-orders "$ORDERS" --sim-days "$DAYS" --seed "$SEED" \
    --rounds "$ROUNDS" "${KAFKA_X[@]}" | tee "$WORK/a.log" >&2
  grep '^{"bench":"engine_pipe"' "$WORK/a.log" > "$WORK/a.json" || die "(a) gave no JSON line"
fi
# ---- (b) projector vs raw consume; keeps the read models for (c) --------------------------------
if want b || want c; then
  say "(b) projector_bench --sim-orders $ORDERS --sim-days $DAYS --rounds $ROUNDS --keep-state"
  "$BUILD/bench/projector_bench" --sim-orders "$ORDERS" --sim-days "$DAYS" --seed "$SEED" \
    --rounds "$ROUNDS" --keep-state "$WORK/projections" "${KAFKA_X[@]}" | tee "$WORK/b.log" >&2
  grep '^{"bench":"projector"' "$WORK/b.log" > "$WORK/b.json" || die "(b) gave no JSON line"
fi
# ---- (c) status lookups and KPI queries under wrk ----------------------------------------------
if want c; then
  say "(c) http_bench.sh --modes \"$HTTP_MODES\" --duration $HTTP_DURATION ($YEAR_FROM..$YEAR_TO)"
  BUILD=$BUILD bench/http_bench.sh --state "$WORK/projections" --modes "$HTTP_MODES" \
    --duration "$HTTP_DURATION" --from "$YEAR_FROM" --to "$YEAR_TO" | tee "$WORK/c.log" >&2
  grep '^{"bench":"http"' "$WORK/c.log" > "$WORK/c.json" || die "(c) gave no JSON line"
fi

# ---- (d) peak RSS of the engine and projector processes, (e) rebuild ---------------------------
hwm_kb() { awk '/^VmHWM:/ {print $2}' "/proc/$1/status"; }
stop() {
  kill -TERM "$1" 2>/dev/null || true
  wait "$1" 2>/dev/null || true
  PIDS=("${PIDS[@]/$1}")
}
: > "$WORK/d.json"
: > "$WORK/e.json"
if want d || want e; then
  for n in $RSS_ORDERS; do
    prefix=$RUN.$n.
    dir=$WORK/rss-$n
    mkdir -p "$dir"
    common=(--topic-prefix "$prefix" --log-level warn)
    "$BUILD/gendan" topics "${common[@]}" --partitions 6 >/dev/null
    TOPICS+=("${prefix}inbound" "${prefix}events" "${prefix}rejections" "${prefix}status" "${prefix}alerts")
    say "(d) $n orders: gendan simulate --publish"
    t0=$(date +%s.%N)
    "$BUILD/gendan" simulate "${common[@]}" --orders "$n" --days "$DAYS" --seed "$SEED" --publish \
      2>"$dir/simulate.log" || { cat "$dir/simulate.log" >&2; die "simulate failed"; }
    events=$(grep -oE '[0-9]+ valid facts' "$dir/simulate.log" | grep -oE '^[0-9]+')
    say "    $events events published in $(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN {printf "%.0f", b - a}') s"

    "$BUILD/gendan" engine "${common[@]}" --state-dir "$dir/engine" -X engine.group_id="${prefix}engine" \
      >"$dir/engine.log" 2>&1 &
    epid=$!; PIDS+=("$epid")
    t0=$(date +%s.%N)
    "$BUILD/bench/catchup" --group "${prefix}engine" --topic "${prefix}inbound" --timeout-s 7200 ||
      { tail "$dir/engine.log" >&2; die "the engine did not catch up"; }
    engine_s=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN {printf "%.1f", b - a}')
    engine_kb=$(hwm_kb "$epid")
    stop "$epid"
    say "    engine: caught up in $engine_s s, VmHWM $engine_kb kB"

    "$BUILD/gendan" project "${common[@]}" --state-dir "$dir/projections" \
      -X projector.group_id="${prefix}projector" >"$dir/project.log" 2>&1 &
    ppid_=$!; PIDS+=("$ppid_")
    t0=$(date +%s.%N)
    "$BUILD/bench/catchup" --state-dir "$dir/projections" --topic "${prefix}events" --timeout-s 7200 ||
      { tail "$dir/project.log" >&2; die "the projector did not catch up"; }
    project_s=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN {printf "%.1f", b - a}')
    project_kb=$(hwm_kb "$ppid_")
    stop "$ppid_"
    say "    projector: caught up in $project_s s, VmHWM $project_kb kB"
    printf '{"orders":%s,"events":%s,"engine_hwm_kb":%s,"engine_s":%s,"projector_hwm_kb":%s,"projector_s":%s}\n' \
      "$n" "$events" "$engine_kb" "$engine_s" "$project_kb" "$project_s" >> "$WORK/d.json"

    if want e; then
      say "(e) gendan rebuild of $n orders' events"
      "$BUILD/gendan" rebuild "${common[@]}" --state-dir "$dir/projections" 2>/dev/null | tee "$dir/rebuild.log" >&2
      read -r rebuilt seconds < <(sed -nE 's/^rebuilt ([0-9]+) events in ([0-9.e+-]+) s.*/\1 \2/p' "$dir/rebuild.log")
      [[ -n ${rebuilt:-} ]] || die "rebuild printed no summary"
      printf '{"orders":%s,"events":%s,"seconds":%s}\n' "$n" "$rebuilt" "$seconds" >> "$WORK/e.json"
    fi
    "$BUILD/bench/catchup" --delete-topics "${prefix}inbound,${prefix}events,${prefix}rejections,${prefix}status,${prefix}alerts" || true
    TOPICS=()
    rm -rf "$dir"/engine "$dir"/projections*
  done
fi

# ---- the table and the summary line ------------------------------------------------------------
python3 - "$WORK" "$ORDERS" "$DAYS" "$SEED" "$(nproc)" "$(cut -d' ' -f1-3 /proc/loadavg)" <<'PY'
import json, os, sys
work, orders, days, seed, cores, load = sys.argv[1:7]
def lines(name):
    p = os.path.join(work, name)
    return [json.loads(l) for l in open(p)] if os.path.exists(p) else []
a, b, c, d, e = (lines(f"{x}.json") for x in "abcde")
rows = []
def row(what, value, target="", ok=None):
    rows.append((what, value, target, "" if ok is None else ("met" if ok else "NOT met")))
s = {"bench": "suite", "orders": int(orders), "days": int(days), "seed": int(seed),
     "cores": int(cores), "load_after": load}
if a:
    a = a[-1]
    s["engine_pipe"] = {k: a[k] for k in ("events", "rounds", "raw_eps", "engine_eps", "ratio")}
    row("(a) raw transactional pipe", f"{a['raw_eps']:,.0f} events/s")
    row("(a) engine", f"{a['engine_eps']:,.0f} events/s")
    row("(a) engine / raw", f"{a['ratio']:.3f}", ">= 0.8", a["ratio"] >= 0.8)
if b:
    b = b[-1]
    s["projector"] = {k: b[k] for k in ("events", "rounds", "raw_eps", "projector_eps", "ratio")}
    row("(b) raw consume", f"{b['raw_eps']:,.0f} events/s")
    row("(b) projector", f"{b['projector_eps']:,.0f} events/s")
    row("(b) projector / raw", f"{b['ratio']:.3f}", ">= 0.7", b["ratio"] >= 0.7)
if c:
    s["http"] = {}
    for m in c:
        mode = m["mode"]
        h, o, k = m["healthz"], m["order"], m["kpis_year_by_merchandiser"]
        ratio = o["rps"] / h["rps"] if h["rps"] else 0
        s["http"][mode] = {"healthz_rps": h["rps"], "order_rps": o["rps"], "order_p50_ms": o["p50_ms"],
                           "order_p99_ms": o["p99_ms"], "order_ratio": round(ratio, 3),
                           "kpi_year_by_merchandiser_rps": k["rps"], "kpi_p50_ms": k["p50_ms"],
                           "kpi_p99_ms": k["p99_ms"]}
        row(f"(c) {mode}: /healthz", f"{h['rps']:,.0f} req/s, p99 {h['p99_ms']} ms")
        row(f"(c) {mode}: status lookup / healthz", f"{ratio:.3f} ({o['rps']:,.0f} req/s)", ">= 0.5",
            ratio >= 0.5)
        row(f"(c) {mode}: status lookup p99", f"{o['p99_ms']} ms", "<= 5 ms", o["p99_ms"] <= 5)
        row(f"(c) {mode}: KPI year by merchandiser p99", f"{k['p99_ms']} ms ({k['rps']:,.0f} req/s)",
            "<= 20 ms", k["p99_ms"] <= 20)
if d:
    s["rss"] = d
    for r in d:
        row(f"(d) engine VmHWM, {r['orders']:,} orders ({r['events']:,} events)",
            f"{r['engine_hwm_kb'] / 1024:,.0f} MB")
        row(f"(d) projector VmHWM, {r['orders']:,} orders", f"{r['projector_hwm_kb'] / 1024:,.0f} MB")
    if len(d) >= 2:
        lo, hi = min(d, key=lambda r: r["orders"]), max(d, key=lambda r: r["orders"])
        for who in ("engine", "projector"):
            ratio = hi[f"{who}_hwm_kb"] / lo[f"{who}_hwm_kb"]
            s[f"rss_ratio_{who}"] = round(ratio, 3)
            row(f"(d) {who} RSS {hi['orders']:,} / {lo['orders']:,} orders", f"{ratio:.2f}",
                "<= 1.25", ratio <= 1.25)
if e:
    s["rebuild"] = []
    largest = max(r["orders"] for r in e)
    for r in sorted(e, key=lambda r: r["orders"]):
        eps = r["events"] / r["seconds"] if r["seconds"] else 0
        s["rebuild"].append(dict(r, eps=round(eps)))
        row(f"(e) rebuild, {r['orders']:,} orders",
            f"{r['events']:,} events in {r['seconds']:.1f} s = {eps:,.0f} events/s",
            ">= 150k events/s" if r["orders"] == largest else "",
            eps >= 150000 if r["orders"] == largest else None)
w = max(len(r[0]) for r in rows) if rows else 10
v = max(len(r[1]) for r in rows) if rows else 10
print()
print(f"{'measure':<{w}}  {'value':<{v}}  {'target':<16}  status")
for r in rows:
    print(f"{r[0]:<{w}}  {r[1]:<{v}}  {r[2]:<16}  {r[3]}")
print(json.dumps(s, separators=(",", ":")))
PY
