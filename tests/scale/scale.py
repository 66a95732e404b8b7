#!/usr/bin/env python3
"""The scale-out test's checks and measurements (tests/scale/run.sh, issue 10).

  scale.py expect   --bootstrap B --prefix P --workload book.jsonl --scratch DIR
      the recorded and rejected event_ids against the simulated book (the fault checker,
      tests/fault/check.py, has already verified exactly-once; this adds what its manifest
      would: every valid fact recorded, every invalid one ("bad-..." ids) rejected, each
      order's final version = its valid facts)
  scale.py alerts   --bootstrap B --prefix P --scratch DIR --out alerts.json
      gendan.alerts read_committed: no (alert_id, state) published twice; saves the RAISED/
      CLEARED ids for `compare` (every alert open at the end must have been RAISED once, never
      CLEARED)
  scale.py partitions --bootstrap B --prefix P --out map.json
      order_id -> gendan.events partition
  scale.py pauses   --bootstrap B --prefix P --windows windows.json --out result.json
      per rebalance window, the largest gap between consecutive records of each partition
      (gendan.events for the engine, gendan.status for the projector), split into the partitions
      that moved and those that did not
  scale.py watch    --serve URL ... --out ownership.jsonl --stop FILE
      polls each serve's ownership record (for how long moved partitions stay unserved)
  scale.py compare  --ref URL --serve URL [--serve URL ...] --partitions map.json --moved 1,5
                    [--alerts alerts.json] [--span-from D --span-to D]
      every /v1 answer of every serve equals the single-instance reference byte for byte

Reads topics with kcat (librdkafka, read_committed) and decodes protobuf with the fault
checker's own wire decoder, not gendan's code.
"""
import argparse
import collections
import datetime
import importlib.util
import json
import os
import re
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
_spec = importlib.util.spec_from_file_location("fault_check", os.path.join(HERE, "..", "fault",
                                                                          "check.py"))
check = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(check)


def say(text):
    print("[scale] " + text, flush=True)


def kcat_lines(bootstrap, topic, fmt):
    r = subprocess.run(["kcat", "-b", bootstrap, "-C", "-t", topic, "-o", "beginning", "-e", "-q",
                        "-X", "isolation.level=read_committed", "-f", fmt],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=600)
    if r.returncode != 0:
        sys.exit("scale.py: kcat could not read %s: %s" % (topic, r.stderr.decode()[-500:]))
    return r.stdout.decode("utf-8", "replace").splitlines()


# ---- expect ------------------------------------------------------------------------------

def cmd_expect(a):
    valid, bad = set(), set()
    per_order = collections.Counter()
    for line in open(a.workload):
        e = json.loads(line)
        if e["event_id"].startswith("bad-"):
            bad.add(e["event_id"])
        else:
            valid.add(e["event_id"])
            per_order[e["order_id"]] += 1
    events = check.read_topic(a.bootstrap, a.prefix + "events", a.scratch + "/x_events.bin")
    rejections = check.read_topic(a.bootstrap, a.prefix + "rejections",
                                  a.scratch + "/x_rejections.bin")
    recorded = collections.Counter()
    versions = collections.Counter()
    for _, _, v in events:
        f = check.decode(v, {1: "str", 2: "str"})
        recorded[f.get(1, "")] += 1
        versions[f.get(2, "")] += 1
    rejected = collections.Counter()
    for _, _, v in rejections:
        f = check.decode(v, {1: "bytes"})
        if 1 in f:
            rejected[check.decode(f[1], {1: "str"}).get(1, "")] += 1
    problems = []
    missing = valid - set(recorded)
    extra = set(recorded) - valid
    if missing:
        problems.append("%d valid facts not recorded, e.g. %s" % (len(missing), sorted(missing)[:5]))
    if extra:
        problems.append("%d recorded event_ids are not valid facts of the book, e.g. %s" % (
            len(extra), sorted(extra)[:5]))
    if set(rejected) != bad:
        problems.append("rejected %d event_ids, the book has %d invalid (%d not rejected, %d "
                        "rejected but valid)" % (len(rejected), len(bad), len(bad - set(rejected)),
                                                 len(set(rejected) - bad)))
    wrong = [o for o in set(per_order) | set(versions) if per_order[o] != versions[o]]
    if wrong:
        problems.append("%d orders end at another version than their valid facts, e.g. %s: %d vs %d"
                        % (len(wrong), wrong[0], versions[wrong[0]], per_order[wrong[0]]))
    say("book: %d valid facts in %d orders, %d invalid; recorded %d, rejected %d" % (
        len(valid), len(per_order), len(bad), sum(recorded.values()), sum(rejected.values())))
    for p in problems:
        say("  " + p)
    if problems:
        say("expect: FAIL")
        return 1
    say("expect: every valid fact recorded, every invalid one rejected, versions match the book")
    return 0


# ---- alerts ------------------------------------------------------------------------------

def cmd_alerts(a):
    recs = check.read_topic(a.bootstrap, a.prefix + "alerts", a.scratch + "/x_alerts.bin")
    when = {}
    for line in kcat_lines(a.bootstrap, a.prefix + "alerts", "%p %o %T\n"):
        p, o, t = line.split()
        when[(int(p), int(o))] = int(t)
    t_first = min(when.values()) if when else 0
    seen = collections.defaultdict(list)
    for p, o, v in recs:
        f = check.decode(v, {1: "str", 5: "int", 11: "int"})
        seen[(f.get(1, ""), f.get(5, 0))].append((p, o, f.get(11, 0), when.get((p, o), 0)))
    dups = [(k, at) for k, at in seen.items() if len(at) > 1]
    raised = sorted(k[0] for k in seen if k[1] == 1)
    cleared = sorted(k[0] for k in seen if k[1] == 2)
    json.dump({"raised": raised, "cleared": cleared, "duplicates": len(dups),
               "duplicate_partitions": sorted({p for _, at in dups for p, _, _, _ in at})},
              open(a.out, "w"))
    say("gendan.alerts: %d records, %d raised, %d cleared, %d published more than once" % (
        len(recs), len(raised), len(cleared), len(dups)))
    for (aid, state), at in sorted(dups, key=lambda d: d[1][0][3])[:10]:
        say("  %s %s published %d times: %s" % (
            aid, {1: "RAISED", 2: "CLEARED"}.get(state, state), len(at), ", ".join(
                "partition %d offset %d sequence %d at +%.1f s" % (p, o, seq, (t - t_first) / 1000)
                for p, o, seq, t in at)))
    if dups:
        say("  partitions with doubles: %s" % sorted({p for _, at in dups for p, _, _, _ in at}))
    return 1 if dups else 0


# ---- partitions --------------------------------------------------------------------------

def cmd_partitions(a):
    out = {}
    for line in kcat_lines(a.bootstrap, a.prefix + "events", "%p %k\n"):
        p, _, k = line.partition(" ")
        if k:
            out[k] = int(p)
    json.dump(out, open(a.out, "w"))
    return 0


# ---- pauses ------------------------------------------------------------------------------

def timestamps(bootstrap, topic):
    per = collections.defaultdict(list)
    for line in kcat_lines(bootstrap, topic, "%p %T\n"):
        p, t = line.split()
        per[int(p)].append(int(t))
    for p in per:
        per[p].sort()  # CreateTime; a producer's records of one partition are in order anyway
    return per


def pause_of(ts, t0, t1):
    """The largest gap (ms) between consecutive records that overlaps [t0, t1]; None when the
    partition has no record after t0 (it never resumed)."""
    best = 0
    prev = None
    resumed = False
    for t in ts:
        if prev is not None:
            if prev >= t1:
                break
            if t > t0:
                best = max(best, t - prev)
        if t > t0:
            resumed = True
        prev = t
    return best if resumed else None


def summary(values):
    vals = [v for v in values if v is not None]
    stalled = len(values) - len(vals)
    if not vals:
        return {"n": len(values), "max_ms": None, "median_ms": None, "stalled": stalled}
    return {"n": len(values), "max_ms": max(vals), "median_ms": int(statistics.median(vals)),
            "stalled": stalled}


ENGINE_LINE = re.compile(r"^\[(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d+)\] .*engine: .*owns \[([0-9,]*)\]")


def engine_changes(logs):
    """(t_ms, partitions added or removed) from the engines' logs ("... now owns [..]",
    "... still owns [..]"); each log is one process, starting from nothing."""
    out = []
    for path in logs:
        owned = set()
        for line in open(path, errors="replace"):
            m = ENGINE_LINE.match(line)
            if not m:
                continue
            t = int(datetime.datetime.strptime(m.group(1), "%Y-%m-%d %H:%M:%S.%f").timestamp()
                    * 1000)
            now = {int(x) for x in m.group(2).split(",") if x}
            if now != owned:
                out.append((t, now ^ owned))
            owned = now
    return out


def projector_changes(polls):
    """(t_ms, partitions whose set of claiming instances changed) from the ownership polls; a
    serve that does not answer keeps its last record (a killed projector's claim stays until
    another instance takes the partition)."""
    out = []
    latest = {}
    prev = None
    for rec in polls:
        if rec["own"] is not None:
            latest[rec["slot"]] = rec["own"]
        claims = collections.defaultdict(set)
        for o in latest.values():
            for p in o.get("partitions", []):
                claims[p].add(str(o.get("instance")))
        if prev is not None:
            changed = {p for p in set(claims) | set(prev) if claims.get(p) != prev.get(p)}
            if changed:
                out.append((rec["t"], changed))
        prev = dict(claims)
    return out


def moved_in(changes, t0, t1):
    return sorted({p for t, ps in changes if t0 <= t <= t1 for p in ps})


def cmd_pauses(a):
    w = json.load(open(a.windows))
    topics = {"engine": timestamps(a.bootstrap, a.prefix + "events"),
              "projector": timestamps(a.bootstrap, a.prefix + "status")}
    parts = list(range(w["partitions"]))
    polls = []
    if a.ownership and os.path.exists(a.ownership):
        polls = sorted((json.loads(x) for x in open(a.ownership)), key=lambda r: r["t"])
    rows = []
    base = w["baseline"]
    for role in ("engine", "projector"):
        per = topics[role]
        gaps = [pause_of(per.get(p, []), base["from_ms"], base["to_ms"]) for p in parts]
        rows.append({"window": "baseline", "role": role, "moved": [],
                     "unaffected": summary(gaps), "moved_pause": summary([])})
    for win in w["windows"]:
        per = topics[win["role"]]
        # Moved: the partitions the action itself moved (the killed instance's, the joiner's)
        # and every other one whose owner changed in the window (an assignor may shuffle more).
        changes = engine_changes(a.engine_log or []) if win["role"] == "engine" else \
            projector_changes(polls)
        moved = sorted(set(win["moved"]) | set(moved_in(changes, win["from_ms"], win["to_ms"])))
        un = [pause_of(per.get(p, []), win["from_ms"], win["to_ms"]) for p in parts
              if p not in moved]
        mv = [pause_of(per.get(p, []), win["from_ms"], win["to_ms"]) for p in moved]
        row = {"window": win["name"], "role": win["role"], "moved": moved,
               "moved_by_action": sorted(set(win["moved"])),
               "unaffected": summary(un), "moved_pause": summary(mv),
               "window_s": round((win["to_ms"] - win["from_ms"]) / 1000, 1)}
        if win["role"] == "projector":
            row["served_again_s"] = settled_after(polls, win)
        rows.append(row)

    def fmt(s):
        if s["max_ms"] is None:
            return "%-21s" % ("-" if s["n"] == 0 else "stalled (%d)" % s["stalled"])
        extra = " +%d stalled" % s["stalled"] if s["stalled"] else ""
        return "%7.2f / %7.2f%s" % (s["max_ms"] / 1000, s["median_ms"] / 1000, extra)

    lines = ["%-26s %-9s %-16s %-23s %-23s" % ("window", "measured", "moved partitions",
                                               "unaffected max/med s", "moved max/med s")]
    for r in rows:
        lines.append("%-26s %-9s %-16s %-23s %-23s" % (
            r["window"], "events" if r["role"] == "engine" else "status",
            ",".join(map(str, r["moved"])) or "-", fmt(r["unaffected"]), fmt(r["moved_pause"])))
    for r in rows:
        extra = sorted(set(r["moved"]) - set(r.get("moved_by_action", [])))
        if extra:
            lines.append("%s: the action moved %s; the rebalance also moved %s" % (
                r["window"], ",".join(map(str, r["moved_by_action"])) or "nothing",
                ",".join(map(str, extra))))
    for r in rows:
        if r.get("served_again_s") is not None or (r["role"] == "projector" and r["moved"]):
            lines.append("%s: the moved partitions were served again (claimed, loaded) after %s s"
                         % (r["window"], r.get("served_again_s")))
    for line in lines:
        say(line)
    result = {"test": "ScaleOut", "rate_per_s": w.get("rate"), "orders": w.get("orders"),
              "partitions": w["partitions"], "session_timeout_ms": w.get("session_timeout_ms"),
              "windows": rows}
    json.dump(result, open(a.out, "w"))
    return 0


# ---- watch: the projectors' ownership records over time ----------------------------------

def cmd_watch(a):
    """Every --interval seconds, each serve's /v1/internal/ownership (its store's record) as a
    JSON line {"t": ms, "slot": i, "own": record or null}, until --stop exists."""
    with open(a.out, "a") as out:
        while not os.path.exists(a.stop):
            for slot, base in enumerate(a.serve, 1):
                t = int(time.time() * 1000)
                try:
                    with urllib.request.urlopen(base + "/v1/internal/ownership", timeout=2) as r:
                        body = json.loads(r.read())
                    own = body.get("ownership") if body.get("fresh", True) else None
                except Exception:  # a serve that is down or not started yet
                    own = None
                out.write(json.dumps({"t": t, "slot": slot, "own": own}) + "\n")
            out.flush()
            time.sleep(a.interval)
    return 0


def settled_after(polls, win):
    """Seconds from the window's start until the moved partitions are served again: each held,
    not loading, by a live instance that is the gainer (join) or not the loser (kill)."""
    if not polls or not win.get("moved"):
        return None
    latest = {}
    for rec in polls:
        latest[rec["slot"]] = rec
        if rec["t"] < win["from_ms"]:
            continue
        ok = True
        for p in win["moved"]:
            held = False
            for r in latest.values():
                o = r["own"]
                if o is None or rec["t"] - r["t"] > 3000:
                    continue
                inst = str(o.get("instance"))
                if win.get("gainer") is not None and inst != str(win["gainer"]):
                    continue
                if win.get("loser") is not None and inst == str(win["loser"]):
                    continue
                if p in o.get("partitions", []) and p not in o.get("loading", []):
                    held = True
                    break
            if not held:
                ok = False
                break
        if ok:
            return round((rec["t"] - win["from_ms"]) / 1000, 2)
    return None


# ---- compare -----------------------------------------------------------------------------

def get(base, path, tries=1):
    url = base + path
    last = None
    for _ in range(tries):
        try:
            with urllib.request.urlopen(url, timeout=60) as r:
                return r.status, r.read(), dict(r.headers)
        except urllib.error.HTTPError as e:
            return e.code, e.read(), dict(e.headers)
        except (urllib.error.URLError, ConnectionError, TimeoutError) as e:
            last = e
            time.sleep(1)
    return 0, ("no answer: %s" % last).encode(), {}


def coverage_partial(headers):
    return any(k.lower() == "gendan-coverage" and v.strip().lower() != "complete"
               for k, v in headers.items())


def q(path, **params):
    params = {k: v for k, v in params.items() if v is not None}
    return path + ("?" + urllib.parse.urlencode(params) if params else "")


def days_between(a, b):
    d0 = datetime.date.fromisoformat(a)
    d1 = datetime.date.fromisoformat(b)
    return (d1 - d0).days + 1


def build_paths(ref, part_of, moved, span_from, span_to):
    """The URLs to compare, from what the reference holds."""
    paths = []
    listings = []  # (base path with filters, limit): paged through next_cursor
    # Sample orders: a few of every partition, more of the moved ones, and one unknown.
    by_part = collections.defaultdict(list)
    for o, p in sorted(part_of.items()):
        by_part[p].append(o)
    sample = []
    for p, orders in sorted(by_part.items()):
        k = 6 if p in moved else 3
        step = max(1, len(orders) // k)
        sample += orders[::step][:k]
    sample.append("ORD-99999999")
    for o in sample:
        paths.append("/v1/orders/" + o)
        paths.append("/v1/orders/" + o + "/events")
    # Filter values from the reference's orders.
    status, body, _ = get(ref, q("/v1/orders", limit=1000))
    if status != 200:
        raise SystemExit("reference /v1/orders answered %d" % status)
    first = json.loads(body)["orders"]
    counts = {k: collections.Counter(o.get(k) for o in first)
              for k in ("stage", "customer_id", "merchandiser_id", "supplier_id")}

    def top(k, n):
        return [v for v, _ in counts[k].most_common(n) if v]

    def tail(k, n):
        return [v for v, _ in counts[k].most_common()[-n:] if v]

    listings.append(({}, 200))
    listings.append(({}, 13))
    for st in sorted(s for s in counts["stage"] if s):
        listings.append(({"stage": st}, 50))
    for c in top("customer_id", 3) + tail("customer_id", 1):
        listings.append(({"customer": c}, 20))
    for m in top("merchandiser_id", 3):
        listings.append(({"merchandiser": m}, 25))
    for s in top("supplier_id", 2) + tail("supplier_id", 1):
        listings.append(({"supplier": s}, 20))
    listings.append(({"at_risk": "true"}, 25))
    listings.append(({"at_risk": "false"}, 100))
    m0, st0 = top("merchandiser_id", 1), top("stage", 1)
    if m0 and st0:
        listings.append(({"merchandiser": m0[0], "stage": st0[0]}, 10))
        listings.append(({"merchandiser": m0[0], "at_risk": "true"}, 10))
    c0, s0 = top("customer_id", 1), top("supplier_id", 1)
    if c0 and s0:
        listings.append(({"customer": c0[0], "supplier": s0[0]}, 5))
    listings.append(({"customer": "C-NOBODY"}, 50))
    paths += ["/v1/alerts", "/v1/alerts?open=true"]
    # KPIs: several ranges, every bucket and grouping (day buckets on short ranges only, or the
    # answers get large without testing more).
    mid = datetime.date.fromisoformat(span_from) + datetime.timedelta(days=40)
    ranges = [(span_from, span_to),
              ("2024-12-01", "2025-12-31"),
              (span_from, (datetime.date.fromisoformat(span_from)
                           + datetime.timedelta(days=27)).isoformat()),
              (mid.isoformat(), mid.isoformat()),
              ("2025-02-10", "2025-03-16")]
    for f, t in ranges:
        for bucket in (None, "day", "week", "month"):
            for g in (None, "merchandiser", "customer", "supplier"):
                if bucket == "day" and days_between(f, t) > 40 and g not in (None, "merchandiser"):
                    continue
                paths.append(q("/v1/kpis", **{"from": f, "to": t, "bucket": bucket,
                                              "group_by": g}))
    for f, t in ranges[:3] + ranges[4:]:
        for g in (None, "merchandiser", "customer", "supplier", "department"):
            for cmp in (None, "true"):
                paths.append(q("/v1/scorecards", **{"from": f, "to": t, "group_by": g,
                                                    "compare_previous": cmp}))
    return paths, listings


def cmd_compare(a):
    part_of = json.load(open(a.partitions))
    moved = {int(x) for x in a.moved.split(",") if x}
    serves = a.serve
    paths, listings = build_paths(a.ref, part_of, moved, a.span_from, a.span_to)
    compared = mismatches = partial_left = 0
    shown = []
    pages = 0

    def one(path):
        nonlocal compared, mismatches, partial_left
        rs, rb, _ = get(a.ref, path, tries=3)
        for s in serves:
            for attempt in range(a.retries + 1):
                ss, sb, sh = get(s, path, tries=3)
                partial = coverage_partial(sh)
                if not partial and (ss, sb) == (rs, rb):
                    break
                time.sleep(1)  # partial coverage or a difference: ask again, it may be settling
            compared += 1
            if partial:
                partial_left += 1
            if (ss, sb) != (rs, rb) or partial:
                mismatches += 1
                if len(shown) < 12:
                    i = next((k for k in range(min(len(rb), len(sb))) if rb[k] != sb[k]),
                             min(len(rb), len(sb)))
                    shown.append("%s%s: reference %d (%d bytes), serve %d (%d bytes)%s; first "
                                 "difference at byte %d: ref ...%r... serve ...%r..." % (
                                     s, path, rs, len(rb), ss, len(sb),
                                     " [Gendan-Coverage partial]" if partial else "", i,
                                     rb[max(0, i - 60):i + 60], sb[max(0, i - 60):i + 60]))
        return rs, rb

    for path in paths:
        one(path)
    for params, limit in listings:
        cursor = None
        for _ in range(a.max_pages):
            p = dict(params, limit=limit)
            if cursor:
                p["cursor"] = cursor
            rs, rb = one(q("/v1/orders", **p))
            pages += 1
            if rs != 200:
                break
            cursor = json.loads(rb).get("next_cursor")
            if not cursor:
                break
    # Alerts open at the end were raised once in gendan.alerts and not cleared since.
    alert_problems = 0
    if a.alerts:
        topic = json.load(open(a.alerts))
        raised, cleared = set(topic["raised"]), set(topic["cleared"])
        _, body, _ = get(a.ref, "/v1/alerts", tries=3)
        open_ids = [x["alert_id"] for x in json.loads(body)["alerts"]]
        not_raised = [x for x in open_ids if x not in raised]
        cleared_open = [x for x in open_ids if x in cleared]
        alert_problems = len(not_raised) + len(cleared_open)
        say("open alerts: %d; never RAISED in gendan.alerts: %d%s; CLEARED there but open: %d%s" % (
            len(open_ids), len(not_raised), " e.g. %s" % not_raised[:3] if not_raised else "",
            len(cleared_open), " e.g. %s" % cleared_open[:3] if cleared_open else ""))
    say("compared %d answers (%d URLs and %d list pages, each from %d serves) with the "
        "single-instance reference: %d differ, %d still partial" % (
            compared, len(paths), pages, len(serves), mismatches, partial_left))
    for line in shown:
        say("  " + line)
    if a.summary:
        json.dump({"answers": compared, "urls": len(paths), "pages": pages,
                   "mismatches": mismatches, "partial": partial_left,
                   "alert_problems": alert_problems}, open(a.summary, "w"))
    return 1 if mismatches else 2 if alert_problems else 0


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    for name in ("expect", "alerts", "partitions", "pauses"):
        p = sub.add_parser(name)
        p.add_argument("--bootstrap", required=True)
        p.add_argument("--prefix", required=True)
        p.add_argument("--scratch", default="/tmp")
        p.add_argument("--workload")
        p.add_argument("--windows")
        p.add_argument("--out")
        p.add_argument("--ownership")
        p.add_argument("--engine-log", action="append")
    p = sub.add_parser("watch")
    p.add_argument("--serve", action="append", required=True)
    p.add_argument("--out", required=True)
    p.add_argument("--stop", required=True)
    p.add_argument("--interval", type=float, default=0.5)
    p = sub.add_parser("compare")
    p.add_argument("--ref", required=True)
    p.add_argument("--serve", action="append", required=True)
    p.add_argument("--partitions", required=True)
    p.add_argument("--moved", default="")
    p.add_argument("--alerts")
    p.add_argument("--span-from", required=True)
    p.add_argument("--span-to", required=True)
    p.add_argument("--retries", type=int, default=5)
    p.add_argument("--max-pages", type=int, default=40)
    p.add_argument("--summary")
    a = ap.parse_args()
    return {"expect": cmd_expect, "alerts": cmd_alerts, "partitions": cmd_partitions,
            "pauses": cmd_pauses, "compare": cmd_compare, "watch": cmd_watch}[a.cmd](a)


if __name__ == "__main__":
    sys.exit(main())
