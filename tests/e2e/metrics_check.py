#!/usr/bin/env python3
"""Checks a live gendan /metrics (issue 9): the series an operator relies on are there and true.

  metrics_check.py run      --base-url URL --manifest M --partitions N --repo ROOT
  metrics_check.py role     --base-url URL --worker engine|projector --partitions N
  metrics_check.py logs     FILE...

`run` (gendan run after the workload went through):
  - rejections by reason equal the workload manifest's invalid lines, accepted/records too;
  - gendan_consumer_lag has every partition of both workers, and the engine's sums to 0;
  - liveness: last poll within 5 s of now for both workers; idle for a few seconds, the poll
    stamp moves on while the progress stamp stays (how an idle worker differs from a stuck one);
  - RocksDB figures for both stores, estimated keys > 0;
  - every gendan_kpi{stat="value"} gauge equals GET /v1/kpis over the same window;
  - every metric name used by deploy/monitoring (alert rules, Grafana dashboard) is exposed.
`role` (gendan engine / gendan project with metrics.listen): liveness and lag per partition.
`logs`: every line (but the `gendan run:` banner on stdout) is a JSON object with ts/level/msg.
The Prometheus syntax itself is checked by promtool in metrics_e2e.sh.
"""
import argparse
import collections
import datetime
import json
import re
import sys
import time
import urllib.request

SAMPLE = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})?\s+(\S+)$')
LABEL = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"')

failures = []


def check(ok, what):
    print("[metrics_e2e]   %-4s %s" % ("ok" if ok else "FAIL", what))
    if not ok:
        failures.append(what)


def get(base, path):
    with urllib.request.urlopen(base + path, timeout=10) as r:
        return r.read().decode()


def scrape(base):
    """[(name, {labels}, value)] from /metrics."""
    out = []
    for line in get(base, "/metrics").splitlines():
        if not line or line.startswith("#"):
            continue
        m = SAMPLE.match(line)
        if not m:
            raise SystemExit("unparsable sample line: %r" % line)
        out.append((m.group(1), dict(LABEL.findall(m.group(3) or "")), float(m.group(4))))
    return out


def series(samples, name, **labels):
    return [(l, v) for n, l, v in samples if n == name and all(l.get(k) == x for k, x in labels.items())]


def one(samples, name, **labels):
    found = series(samples, name, **labels)
    return found[0][1] if len(found) == 1 else None


def check_liveness(base, workers, progressed=True):
    """progressed: the workers have committed something since they started."""
    now = time.time()
    s = scrape(base)
    for w in workers:
        poll = one(s, "gendan_worker_last_poll_timestamp_seconds", worker=w)
        progress = one(s, "gendan_worker_last_progress_timestamp_seconds", worker=w)
        check(poll is not None and abs(now - poll) < 5, "%s: last poll %.1f s ago" % (w, now - (poll or 0)))
        if progressed:
            check(progress is not None and progress > 0, "%s: has a last-progress stamp" % w)
        else:  # a fresh process with nothing to do: 0 = no progress yet, and that is not stuck
            check(progress is not None, "%s: has a last-progress series (%s)" % (w, progress))
    time.sleep(3.5)  # idle: nothing new arrives
    s2 = scrape(base)
    for w in workers:
        p1 = one(s, "gendan_worker_last_poll_timestamp_seconds", worker=w) or 0
        p2 = one(s2, "gendan_worker_last_poll_timestamp_seconds", worker=w) or 0
        g1 = one(s, "gendan_worker_last_progress_timestamp_seconds", worker=w) or 0
        g2 = one(s2, "gendan_worker_last_progress_timestamp_seconds", worker=w) or 0
        check(p2 - p1 >= 3 and g2 == g1 and p2 - g2 >= 3,
              "%s idle: poll moved %.1f s, progress moved %.1f s, poll - progress = %.1f s" % (
                  w, p2 - p1, g2 - g1, p2 - g2))
    return s2


def check_lag(s, worker, partitions):
    lag = series(s, "gendan_consumer_lag", worker=worker)
    parts = sorted(int(l["partition"]) for l, _ in lag)
    check(parts == list(range(partitions)), "%s: gendan_consumer_lag for partitions %s" % (worker, parts))
    check(all(v >= 0 and v == int(v) for _, v in lag), "%s: lag values are whole and >= 0" % worker)
    return sum(v for _, v in lag)


def run(args):
    manifest = json.load(open(args.manifest))
    # wait until the workload is decided and projected
    deadline = time.time() + 60
    while True:
        s = scrape(args.base_url)
        done = one(s, "gendan_projector_events_total") == manifest["accepted"] and \
            one(s, "gendan_engine_records_total") == manifest["lines"]
        if done or time.time() > deadline:
            break
        time.sleep(0.5)
    time.sleep(1.5)
    s = scrape(args.base_url)
    check(one(s, "gendan_engine_records_total") == manifest["lines"],
          "records_total = %s lines" % manifest["lines"])
    check(one(s, "gendan_engine_accepted_total") == manifest["accepted"],
          "accepted_total = %s" % manifest["accepted"])
    want = collections.Counter(x["reason"] for x in manifest["invalid"])
    got = {l["reason"]: int(v) for l, v in series(s, "gendan_engine_rejected_total")}
    check(all(got.get(r, 0) == n for r, n in want.items()) and sum(got.values()) == sum(want.values()),
          "rejections by reason %s" % dict(want))
    check(one(s, "gendan_engine_transactions_aborted_total") == 0, "no transaction aborts")

    s = check_liveness(args.base_url, ["engine", "projector"])
    check(check_lag(s, "engine", args.partitions) == 0, "engine lag 0 after catching up")
    # the projector's lag counts transaction markers (at most a few per partition)
    check(check_lag(s, "projector", args.partitions) <= 3 * args.partitions, "projector lag ~0")

    for store in ("engine", "projector"):
        for name in ("gendan_rocksdb_estimated_keys", "gendan_rocksdb_live_sst_files_bytes",
                     "gendan_rocksdb_pending_compaction_bytes", "gendan_rocksdb_memtable_bytes"):
            check(one(s, name, store=store) is not None, "%s{store=%s}" % (name, store))
        check((one(s, "gendan_rocksdb_estimated_keys", store=store) or 0) > 0, "%s store has keys" % store)
        for name in ("gendan_rocksdb_table_readers_bytes", "gendan_rocksdb_block_cache_bytes",
                     "gendan_rocksdb_block_cache_pinned_bytes"):
            check(one(s, name, store=store) is not None, "%s{store=%s}" % (name, store))
    # The read models' index and filter blocks live in their bounded block cache
    # (projector.block_cache_mb, 64 MiB by default), not beside it in the table readers.
    cache = one(s, "gendan_rocksdb_block_cache_bytes", store="projector") or 0
    check(0 < cache <= 64 << 20, "projector block cache in use and within 64 MiB (%d bytes)" % cache)
    check((one(s, "gendan_projector_cached_orders") or 0) > 0, "projector keeps orders in memory")
    check((one(s, "gendan_projector_cached_cells") or 0) > 0, "projector keeps KPI cells in memory")

    # KPI gauges against /v1/kpis over the same window
    start = one(s, "gendan_kpi_window_start_timestamp_seconds", window="%dd" % args.kpi_window_days)
    check(start is not None, "KPI window start gauge")
    if start is not None:
        d0 = datetime.datetime.fromtimestamp(start, datetime.timezone.utc).date()
        d1 = d0 + datetime.timedelta(days=args.kpi_window_days - 1)
        body = json.loads(get(args.base_url, "/v1/kpis?from=%s&to=%s" % (d0, d1)))
        kpis = body["series"][0]["kpis"]
        n_checked, bad = 0, []
        for name, fields in kpis.items():
            for stat, want_v in fields.items():
                got_v = one(s, "gendan_kpi", kpi=name, stat=stat)
                if want_v is None:
                    ok = got_v is None
                else:
                    ok = got_v is not None and abs(got_v - want_v) <= 1e-9 * max(1, abs(want_v))
                    n_checked += 1
                if not ok:
                    bad.append((name, stat, got_v, want_v))
        check(not bad and n_checked >= 20, "%d KPI gauges equal /v1/kpis %s..%s%s" % (
            n_checked, d0, d1, "" if not bad else " (differ: %s)" % bad[:5]))

    # everything the monitoring files use is exposed
    exposed = {n for n, _, _ in s}
    exposed |= {re.sub(r"_(bucket|sum|count)$", "", n) for n in exposed}
    used = set()
    rules = open(args.repo + "/deploy/monitoring/gendan-alerts.yml").read()
    dash = json.load(open(args.repo + "/deploy/monitoring/grafana-dashboard.json"))
    exprs = [t["expr"] for p in dash["panels"] for t in p.get("targets", [])]
    exprs += [re.sub(r"\{\{.*?\}\}", "", x) for x in re.findall(r"expr: (.*(?:\n\s{10,}.*)*)", rules)]
    for e in exprs:
        used |= set(re.findall(r"\b(gendan_[a-z0-9_]+)", e))
    missing = sorted(used - exposed)
    check(not missing and len(used) >= 15,
          "%d metric names of the alert rules and dashboard exposed%s" % (
              len(used), "" if not missing else " (missing: %s)" % missing))


def role(args):
    s = check_liveness(args.base_url, [args.worker], progressed=False)
    check_lag(s, args.worker, args.partitions)
    store = one(s, "gendan_rocksdb_estimated_keys", store=args.worker)
    check(store is not None, "%s: RocksDB figures" % args.worker)
    other = "projector" if args.worker == "engine" else "engine"
    check(not series(s, "gendan_worker_last_poll_timestamp_seconds", worker=other),
          "%s: no %s series in a %s-only process" % (args.worker, other, args.worker))


def logs(args):
    n = 0
    for path in args.files:
        for i, line in enumerate(open(path, encoding="utf-8", errors="replace"), 1):
            line = line.rstrip("\n")
            if not line or line.startswith("gendan run: "):
                continue
            try:
                obj = json.loads(line)
                ok = isinstance(obj, dict) and {"ts", "level", "msg"} <= obj.keys()
            except ValueError:
                ok = False
            if not ok:
                check(False, "%s:%d is not a JSON log line: %r" % (path, i, line[:120]))
                return
            n += 1
    check(n >= 3, "%d log lines, every one a JSON object with ts, level, msg" % n)


def main():
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest="cmd", required=True)
    r = sub.add_parser("run")
    r.add_argument("--base-url", required=True)
    r.add_argument("--manifest", required=True)
    r.add_argument("--partitions", type=int, required=True)
    r.add_argument("--kpi-window-days", type=int, required=True)
    r.add_argument("--repo", required=True)
    o = sub.add_parser("role")
    o.add_argument("--base-url", required=True)
    o.add_argument("--worker", required=True)
    o.add_argument("--partitions", type=int, required=True)
    g = sub.add_parser("logs")
    g.add_argument("files", nargs="+")
    args = ap.parse_args()
    {"run": run, "role": role, "logs": logs}[args.cmd](args)
    if failures:
        print("[metrics_e2e] %d check(s) failed" % len(failures))
        sys.exit(1)


if __name__ == "__main__":
    main()
