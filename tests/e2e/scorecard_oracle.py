#!/usr/bin/env python3
"""Independent reference implementation of gendan's assessment scorecards (DOMAIN.md §8).

Written from the DOMAIN.md §8 text and the decisions listed in docs/api.md ("Scorecards"), not
from the C++ code. The KPI values come from kpi_oracle.Oracle, itself written from DOMAIN.md §5
without gendan's code.

  # the expected /v1/scorecards body for one query
  scorecard_oracle.py query --workload w.jsonl [--manifest m.json] --offset +08:00 \\
      --from 2025-07-01 --to 2025-07-31 [--group-by merchandiser] [--compare-previous]

  # fetch every query from a running server and compare; check the hand-designed cases
  scorecard_oracle.py check --workload w.jsonl --manifest m.json --offset +08:00 \\
      --base-url http://127.0.0.1:8080 --query 2025-07-01:2025-07-31:merchandiser:previous ... \\
      [--designed scorecard_manifest.json]

  # compare `gendan scorecard --csv` output with the expected body
  scorecard_oracle.py check-csv --workload w.jsonl --manifest m.json --offset +08:00 \\
      --query 2025-07-01:2025-07-31:merchandiser:previous --csv out.csv [--card card.conf]

A query is FROM:TO:GROUP_BY[:previous]. --card reads `scorecard.<kpi> = target=.. weight=..
direction=..` lines (docs/config.md) instead of the default card.

Comparison: groups, their order and ranks exactly; scores, values and attainments within 1e-9
(relative, or absolute below 1); targets and weights exactly; nulls as nulls.

Python 3 standard library only.
"""
import argparse
import csv
import datetime as dt
import json
import os
import sys
import urllib.error
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from kpi_oracle import DISTRIBUTIONS, Oracle  # noqa: E402
from workload_io import load_events  # noqa: E402

# DOMAIN.md §8's default card: (kpi, target, weight, direction)
DEFAULT_CARD = [
    ("otif_rate", 0.95, 30, "higher"),
    ("perfect_order_rate", 0.90, 15, "higher"),
    ("order_accuracy_rate", 0.98, 10, "higher"),
    ("confirmation_hours", 24, 10, "lower"),
    ("csat", 0.90, 15, "higher"),
    ("issue_sla_rate", 0.90, 10, "higher"),
    ("handoff_on_time_rate", 0.90, 10, "higher"),
]


def read_card(path):
    """scorecard.<kpi> lines of a config file; the first one replaces the default card."""
    card = []
    with open(path) as f:
        for line in f:
            line = line.strip()
            if not line.startswith("scorecard."):
                continue
            key, spec = line.split("=", 1)
            fields = dict(part.split("=") for part in spec.split())
            entry = (key.strip()[len("scorecard."):], float(fields["target"]),
                     float(fields["weight"]), fields["direction"])
            card = [e for e in card if e[0] != entry[0]] + [entry]
    return card


# ---- DOMAIN.md §8 ------------------------------------------------------------------------

def kpi_value(key, obj):
    """A duration is scored on its mean; a rate on its value."""
    return obj["mean"] if key in DISTRIBUTIONS else obj["value"]


def attainment(value, target, direction):
    if value is None:
        return None
    if direction == "higher":
        return min(1.0, value / target)
    return 1.0 if value == 0 else min(1.0, target / value)


def score_group(kpis, card):
    """(score, {kpi: (value, attainment)}) of one /v1/kpis `kpis` object."""
    parts, num, den = {}, 0.0, 0.0
    for key, target, weight, direction in card:
        v = kpi_value(key, kpis[key])
        a = attainment(v, target, direction)
        parts[key] = (v, a)
        if a is not None:
            num += weight * a
            den += weight
    return (100.0 * num / den if den > 0 else None), parts


def ranked(kpi_body, card):
    """[(group, score, rank, parts)] best first; ties (equal to 6 decimals) share a rank."""
    rows = [(e["group"],) + score_group(e["kpis"], card) for e in kpi_body["series"]]

    def tie_key(score):
        return round(score * 1e6)

    scored = sorted([r for r in rows if r[1] is not None],
                    key=lambda r: (-tie_key(r[1]), r[0] or ""))
    unscored = sorted([r for r in rows if r[1] is None], key=lambda r: r[0] or "")
    out = []
    for i, (group, score, parts) in enumerate(scored):
        rank = i + 1
        if out and tie_key(out[-1][1]) == tie_key(score):
            rank = out[-1][2]
        out.append((group, score, rank, parts))
    return out + [(g, None, None, p) for g, _, p in unscored]


def expected(oracle, frm, to, group_by, previous, card):
    """The /v1/scorecards body DOMAIN.md §8 asks for."""
    kind = None if group_by == "department" else group_by
    body = {"from": frm.isoformat(), "to": to.isoformat(), "group_by": group_by, "entries": []}
    before = {}
    if previous:
        days = (to - frm).days + 1
        pfrom, pto = frm - dt.timedelta(days=days), frm - dt.timedelta(days=1)
        body["previous"] = {"from": pfrom.isoformat(), "to": pto.isoformat()}
        before = {g: (s, r, p) for g, s, r, p in ranked(oracle.query(pfrom, pto, None, kind), card)}
    for group, score, rank, parts in ranked(oracle.query(frm, to, None, kind), card):
        entry = {"group": group, "score": score, "rank": rank, "kpis": {
            key: {"value": parts[key][0], "target": target, "weight": weight,
                  "attainment": parts[key][1]} for key, target, weight, _ in card}}
        if previous:
            s, r, p = before.get(group, (None, None, None))
            entry["previous"] = {"score": s, "rank": r, "kpis": {
                key: {"value": p[key][0] if p else None, "attainment": p[key][1] if p else None}
                for key, _, _, _ in card}}
        body["entries"].append(entry)
    return body


# ---- comparison --------------------------------------------------------------------------

def same_number(got, want):
    if want is None or got is None:
        return got is None and want is None
    return isinstance(got, (int, float)) and abs(got - want) <= 1e-9 * max(1.0, abs(want))


def compare_entry(got, want, where, out):
    if got.get("rank") != want["rank"]:
        out.append("%s: rank %r, expected %r" % (where, got.get("rank"), want["rank"]))
    if not same_number(got.get("score"), want["score"]):
        out.append("%s: score %r, expected %r" % (where, got.get("score"), want["score"]))
    gk = got.get("kpis") or {}
    if set(gk) != set(want["kpis"]):
        out.append("%s: kpis %s, expected %s" % (where, sorted(gk), sorted(want["kpis"])))
    for key, w in want["kpis"].items():
        g = gk.get(key) or {}
        for f, wv in w.items():
            ok = g.get(f) == wv if f in ("target", "weight") else same_number(g.get(f), wv)
            if not ok:
                out.append("%s %s.%s: %r, expected %r" % (where, key, f, g.get(f), wv))
    if "previous" in want:
        gp = got.get("previous")
        if not isinstance(gp, dict):
            out.append("%s: no previous" % where)
        else:
            compare_entry(dict(gp, kpis=gp.get("kpis")), dict(want["previous"]),
                          where + " previous", out)


def compare_body(got, want, label, out):
    for f in ("from", "to", "group_by", "previous"):
        if got.get(f) != want.get(f):
            out.append("%s: %s is %r, expected %r" % (label, f, got.get(f), want.get(f)))
    gg = [e.get("group") for e in got.get("entries", [])]
    wg = [e["group"] for e in want["entries"]]
    if gg != wg:
        out.append("%s: groups in order %s, expected %s" % (label, gg[:12], wg[:12]))
        return
    for g, w in zip(got["entries"], want["entries"]):
        compare_entry(g, w, "%s [group=%s]" % (label, json.dumps(w["group"])), out)


def parse_query(spec):
    parts = spec.split(":")
    return (dt.date.fromisoformat(parts[0]), dt.date.fromisoformat(parts[1]), parts[2],
            len(parts) > 3 and parts[3] == "previous")


def fetch(base_url, frm, to, group_by, previous):
    url = "%s/v1/scorecards?from=%s&to=%s&group_by=%s%s" % (
        base_url.rstrip("/"), frm, to, group_by, "&compare_previous=true" if previous else "")
    with urllib.request.urlopen(url, timeout=30) as resp:
        return url, json.loads(resp.read().decode())


def check_designed(oracle, designed_path, card, out):
    """The hand computations of scorecard_workload.py must be what the oracle computes too,
    and the workload must exercise every rule of DOMAIN.md §8."""
    with open(designed_path) as f:
        designed = json.load(f)["designed"]
    cases = {"tie": 0, "tie below the top (next rank skipped)": 0, "null score": 0,
             "higher capped": 0, "lower capped": 0, "lower with value 0": 0,
             "null KPI renormalised": 0}
    for spec, rows in designed.items():
        frm, to, group_by, _ = parse_query(spec)
        body = expected(oracle, frm, to, group_by, False, card)
        got = [[e["group"], e["score"], e["rank"]] for e in body["entries"]]
        if len(got) != len(rows) or any(
                g[0] != w[0] or g[2] != w[2] or not same_number(g[1], w[1])
                for g, w in zip(got, rows)):
            out.append("designed %s: oracle %s, by hand %s" % (spec, got, rows))
        ranks = [e["rank"] for e in body["entries"] if e["rank"] is not None]
        cases["tie"] += len(ranks) - len(set(ranks))
        cases["tie below the top (next rank skipped)"] += sum(
            1 for i in range(1, len(ranks)) if ranks[i] == ranks[i - 1] and ranks[i] > 1)
        for e in body["entries"]:
            cases["null score"] += e["score"] is None
            direction = {k: d for k, _, _, d in card}
            for k, v in e["kpis"].items():
                if v["value"] is None:
                    cases["null KPI renormalised"] += e["score"] is not None
                    continue
                raw = v["value"] / v["target"] if direction[k] == "higher" else (
                    v["target"] / v["value"] if v["value"] else None)
                if raw is None:
                    cases["lower with value 0"] += v["attainment"] == 1.0
                elif raw > 1:
                    cases["higher capped" if direction[k] == "higher" else "lower capped"] += 1
    print("scorecard_oracle: designed cases: " + ", ".join(
        "%s %d" % kv for kv in cases.items()))
    for name, n in cases.items():
        if not n:
            out.append("designed workload: no case of '%s'" % name)


def cmd_check(args, oracle, card):
    out, n_entries = [], 0
    if args.designed:
        check_designed(oracle, args.designed, card, out)
    for spec in args.query:
        frm, to, group_by, previous = parse_query(spec)
        want = expected(oracle, frm, to, group_by, previous, card)
        try:
            url, got = fetch(args.base_url, frm, to, group_by, previous)
        except (urllib.error.URLError, ValueError, OSError) as e:
            out.append("%s: request failed: %s" % (spec, e))
            continue
        before = len(out)
        compare_body(got, want, "GET " + url[len(args.base_url.rstrip("/")):], out)
        n_entries += len(want["entries"])
        scored = sum(1 for e in want["entries"] if e["score"] is not None)
        print("  %-44s %3d entries (%d scored)  %s" % (
            spec, len(want["entries"]), scored,
            "ok" if len(out) == before else "%d MISMATCHES" % (len(out) - before)))
    print("scorecard_oracle: %d queries, %d entries, %d mismatches" % (
        len(args.query), n_entries, len(out)))
    for m in out[:25]:
        print("MISMATCH " + m)
    return 1 if out else 0


def csv_number(text):
    return None if text == "" else float(text)


def cmd_check_csv(args, oracle, card):
    frm, to, group_by, previous = parse_query(args.query[0])
    want = expected(oracle, frm, to, group_by, previous, card)
    with open(args.csv, newline="") as f:
        rows = list(csv.DictReader(f))
    out = []
    if len(rows) != len(want["entries"]):
        out.append("%d CSV rows, expected %d" % (len(rows), len(want["entries"])))
    for row, w in zip(rows, want["entries"]):
        where = "CSV group %s" % json.dumps(w["group"])
        group = row.get("group") or None
        if group != w["group"]:
            out.append("%s: group cell %r" % (where, row.get("group")))
        rank = row.get("rank")
        if (int(rank) if rank else None) != w["rank"]:
            out.append("%s: rank %r, expected %r" % (where, rank, w["rank"]))
        checks = [("score", w["score"])]
        for key, _, _, _ in card:
            checks += [(key + "_value", w["kpis"][key]["value"]),
                       (key + "_attainment", w["kpis"][key]["attainment"])]
        if previous:
            p = w["previous"]
            checks.append(("previous_score", p["score"]))
            if (int(row["previous_rank"]) if row.get("previous_rank") else None) != p["rank"]:
                out.append("%s: previous_rank %r, expected %r" % (
                    where, row.get("previous_rank"), p["rank"]))
            for key, _, _, _ in card:
                checks += [(key + "_previous_value", p["kpis"][key]["value"]),
                           (key + "_previous_attainment", p["kpis"][key]["attainment"])]
        for column, wv in checks:
            if column not in row:
                out.append("%s: no column %s" % (where, column))
            elif not same_number(csv_number(row[column]), wv):
                out.append("%s: %s %r, expected %r" % (where, column, row[column], wv))
    print("scorecard_oracle: CSV %s: %d rows, %d mismatches" % (args.query[0], len(rows), len(out)))
    for m in out[:25]:
        print("MISMATCH " + m)
    return 1 if out else 0


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    for name in ("query", "check", "check-csv"):
        p = sub.add_parser(name)
        p.add_argument("--workload", required=True)
        p.add_argument("--manifest", help="from kpi_workload.py: the events to leave out")
        p.add_argument("--offset", default="+00:00", help="business UTC offset, e.g. +08:00")
        p.add_argument("--card", help="a config file whose scorecard.<kpi> lines are the card")
        if name == "query":
            p.add_argument("--from", dest="frm", required=True)
            p.add_argument("--to", required=True)
            p.add_argument("--group-by", default="merchandiser",
                           choices=["merchandiser", "customer", "supplier", "department"])
            p.add_argument("--compare-previous", action="store_true")
        else:
            p.add_argument("--query", action="append", required=True,
                           help="FROM:TO:GROUP_BY[:previous]; repeatable (check-csv: one)")
        if name == "check":
            p.add_argument("--base-url", required=True)
            p.add_argument("--designed", help="scorecard_workload.py's manifest")
        if name == "check-csv":
            p.add_argument("--csv", required=True, help="`gendan scorecard --csv` output")
    args = ap.parse_args()
    card = read_card(args.card) if args.card else DEFAULT_CARD
    oracle = Oracle(load_events(args.workload, args.manifest), args.offset)
    if args.cmd == "query":
        body = expected(oracle, dt.date.fromisoformat(args.frm), dt.date.fromisoformat(args.to),
                        args.group_by, args.compare_previous, card)
        json.dump(body, sys.stdout, indent=1)
        print()
        return 0
    if args.cmd == "check":
        return cmd_check(args, oracle, card)
    return cmd_check_csv(args, oracle, card)


if __name__ == "__main__":
    sys.exit(main())
