#!/usr/bin/env python3
"""Independent reference implementation of gendan's risk alerts (DOMAIN.md §6) for a workload
evaluated at one fixed clock instant (`-X risk.now=...`).

Written from DOMAIN.md §6, docs/api.md ("Alerts") and the documented decisions at the top of
projections/risk.h, not from the C++ code:
- "today" is the business date of `now` in the business offset; a date has passed from the
  business midnight that ends it (planned/commit date < today).
- MILESTONE_OVERDUE(m): m planned with a parseable date < today and its fact never happened
  (MATERIALS_IN_HOUSE <-> materials_in_house, PRODUCTION_START <-> production_started,
  PRODUCTION_END <-> production_completed, FINAL_INSPECTION <-> a passed FINAL inspection,
  EX_FACTORY <-> first dispatch, DELIVERY <-> completion).
- DELIVERY_AT_RISK: stage before READY_TO_SHIP and today <= commit <= today + buffer_days.
- LATE: commit < today and not completed.
- ISSUE_SLA_BREACH(i): issue OPEN and now - raised_at > SLA(severity) (strict; ms resolution;
  the clock runs from the first raising, a reopen does not restart it).
- HANDOFF_OVERDUE(h): due_at set, now > due_at, not completed.
- Cancelled orders: nothing. Closed: only ISSUE_SLA_BREACH. Completed: no milestone/delivery
  alerts. on_hold changes nothing.

With a fixed clock only events change the answer, so the records on gendan.alerts are, per
order, walking its accepted events in log order: Diff(open before, open after) -- RAISED for
keys entering the open set, CLEARED for keys leaving it, in key order (kind, then subject).

  alerts_oracle.py expect --workload w.jsonl --manifest m.json --offset +08:00 --now <RFC3339>
  alerts_oracle.py check  --workload w.jsonl --manifest m.json --offset +08:00 --now <RFC3339> \
      --base-url http://127.0.0.1:8080 --records alerts.bin
(alerts.bin: the gendan.alerts topic read with kcat -f '%p:%R%s': partition, ':', each value prefixed by its
4-byte big-endian length.)

Python 3 standard library only.
"""
import argparse
import collections
import datetime as dt
import json
import struct
import sys
import urllib.request

from workload_io import (MS_PER_DAY, MS_PER_HOUR, load_events, parse_date,
                         parse_instant_ms, parse_offset_minutes, payload_of)
STAGES = ["PLACED", "CONFIRMED", "IN_PRODUCTION", "PRODUCED", "READY_TO_SHIP", "SHIPPING",
          "DELIVERED", "CLOSED", "CANCELLED"]
KINDS = {1: "MILESTONE_OVERDUE", 2: "DELIVERY_AT_RISK", 3: "LATE", 4: "ISSUE_SLA_BREACH",
         5: "HANDOFF_OVERDUE"}
KIND_ORDER = {v: k for k, v in KINDS.items()}
STATES = {1: "RAISED", 2: "CLEARED"}
MILESTONE_FACT = {  # milestone -> the fact's name in Order.facts
    "MATERIALS_IN_HOUSE": "materials_in_house", "PRODUCTION_START": "production_started",
    "PRODUCTION_END": "production_completed", "FINAL_INSPECTION": "final_passed",
    "EX_FACTORY": "dispatched", "DELIVERY": "completed",
}


# ---- time --------------------------------------------------------------------------------

def business_date(ms, offset_minutes):
    return dt.date(1970, 1, 1) + dt.timedelta(days=(ms + offset_minutes * 60_000) // MS_PER_DAY)


# ---- the workload ------------------------------------------------------------------------

class Order:
    """The part of an order's status the alert rules read."""

    def __init__(self):
        self.stage = None
        self.confirmed = False
        self.commit = None  # date or None
        self.commit_text = None
        self.ordered = {}
        self.shipments = {}
        self.delivered = {}
        self.completed = False
        self.planned = {}  # milestone -> planned_date text (re-planning replaces it)
        self.facts = set()
        self.issues = {}  # issue_id -> {"raised_ms", "severity", "open"}
        self.handoffs = {}  # handoff_id -> {"due_ms", "completed"}

    def apply(self, ev):
        name, p = payload_of(ev)
        t = parse_instant_ms(ev["occurred_at"])
        if name == "order_placed":
            self.stage = "PLACED"
            for ln in p.get("lines", []):
                self.ordered[ln["line_id"]] = int(ln["quantity"])
        elif name == "order_confirmed":
            self.stage = "CONFIRMED"
            self.confirmed = True
            self.commit = parse_date(p.get("promised_date"))
        elif name == "order_amended":
            # DOMAIN.md §5: the commitment moves only for CUSTOMER_REQUEST / ENTRY_ERROR, and an
            # amendment before confirmation sets none
            if (p.get("reason") in ("CUSTOMER_REQUEST", "ENTRY_ERROR") and self.confirmed
                    and p.get("new_promised_date")):
                self.commit = parse_date(p["new_promised_date"])
            for ch in p.get("line_changes", []):
                self.ordered[ch["line_id"]] = int(ch["quantity"])
        elif name == "order_cancelled":
            self.stage = "CANCELLED"
        elif name == "order_closed":
            self.stage = "CLOSED"
        elif name == "milestone_planned":
            self.planned[p["milestone"]] = p.get("planned_date")
        elif name == "materials_in_house":
            self.facts.add("materials_in_house")
        elif name == "production_started":
            self.facts.add("production_started")
            self.stage = "IN_PRODUCTION"
        elif name == "production_completed":
            self.facts.add("production_completed")
            self.stage = "PRODUCED"
        elif name == "inspection_recorded":
            if p.get("stage") == "FINAL" and p.get("result") == "PASSED":
                self.facts.add("final_passed")
                if self.stage == "PRODUCED":
                    self.stage = "READY_TO_SHIP"
        elif name == "shipment_dispatched":
            self.facts.add("dispatched")
            self.stage = "SHIPPING"
            self.shipments[p["shipment_id"]] = {
                ln["line_id"]: int(ln["quantity"]) for ln in p.get("lines", [])}
        elif name == "shipment_delivered":
            for lid, q in self.shipments[p["shipment_id"]].items():
                self.delivered[lid] = self.delivered.get(lid, 0) + q
            if not self.completed and all(
                    self.delivered.get(lid, 0) >= q for lid, q in self.ordered.items()):
                self.completed = True
                self.facts.add("completed")
                self.stage = "DELIVERED"
        elif name == "issue_raised":
            self.issues[p["issue_id"]] = {"raised_ms": t, "severity": p.get("severity"),
                                          "open": True}
        elif name == "issue_resolved":
            self.issues[p["issue_id"]]["open"] = False
        elif name == "issue_reopened":
            self.issues[p["issue_id"]]["open"] = True  # raised_at unchanged
        elif name == "handoff_requested":
            due = p.get("due_at")
            self.handoffs[p["handoff_id"]] = {
                "due_ms": parse_instant_ms(due) if due else None, "completed": False}
        elif name == "handoff_completed":
            self.handoffs[p["handoff_id"]]["completed"] = True

    def open_alerts(self, now_ms, today, buffer_days, sla_hours):
        out = set()
        if self.stage == "CANCELLED":
            return out
        closed = self.stage == "CLOSED"
        for iid, iss in self.issues.items():
            sla = sla_hours.get(iss["severity"], sla_hours["MINOR"])
            if iss["open"] and now_ms - iss["raised_ms"] > sla * MS_PER_HOUR:
                out.add(("ISSUE_SLA_BREACH", iid))
        if closed:
            return out
        for hid, h in self.handoffs.items():
            if h["due_ms"] is not None and not h["completed"] and now_ms > h["due_ms"]:
                out.add(("HANDOFF_OVERDUE", hid))
        if self.completed:
            return out
        for m, text in self.planned.items():
            d = parse_date(text)
            if d is not None and d < today and MILESTONE_FACT[m] not in self.facts:
                out.add(("MILESTONE_OVERDUE", m))
        if self.commit is not None:
            if self.commit < today:
                out.add(("LATE", ""))
            elif (STAGES.index(self.stage) < STAGES.index("READY_TO_SHIP")
                  and self.commit <= today + dt.timedelta(days=buffer_days)):
                out.add(("DELIVERY_AT_RISK", ""))
        return out


def key_order(k):
    return (KIND_ORDER[k[0]], k[1])


def expected(orders, now_ms, offset_minutes, buffer_days, sla_hours):
    """order_id -> (records [(kind, subject, state, alert_id)], final open set)."""
    today = business_date(now_ms, offset_minutes)
    out = {}
    for oid, events in orders.items():
        o, before, records = Order(), set(), []
        raisings = collections.Counter()
        for ev in events:
            o.apply(ev)
            after = o.open_alerts(now_ms, today, buffer_days, sla_hours)
            changes = [(k, "RAISED") for k in after - before] + \
                      [(k, "CLEARED") for k in before - after]
            for k, state in sorted(changes, key=lambda c: key_order(c[0])):
                if state == "RAISED":
                    raisings[k] += 1
                records.append((k[0], k[1], state,
                                "%s/%s/%s/%d" % (oid, k[0], k[1], raisings[k])))
            before = after
        out[oid] = (records, before)
    return out


# ---- protobuf wire format (just enough for gendan.v1.Alert) ---------------------------------

def _varint(buf, i):
    shift = result = 0
    while True:
        b = buf[i]
        i += 1
        result |= (b & 0x7F) << shift
        if not b & 0x80:
            return result, i
        shift += 7


def decode_fields(buf):
    fields, i = {}, 0
    while i < len(buf):
        tag, i = _varint(buf, i)
        num, wt = tag >> 3, tag & 7
        if wt == 0:
            v, i = _varint(buf, i)
        elif wt == 2:
            n, i = _varint(buf, i)
            v, i = bytes(buf[i:i + n]), i + n
        elif wt == 1:
            v, i = buf[i:i + 8], i + 8
        elif wt == 5:
            v, i = buf[i:i + 4], i + 4
        else:
            raise ValueError("wire type %d" % wt)
        fields[num] = v
    return fields


def decode_alert(buf):
    f = decode_fields(buf)
    s = lambda n: f.get(n, b"").decode()

    def ts(n):
        if n not in f:
            return None
        t = decode_fields(f[n])
        return t.get(1, 0) * 1000 + t.get(2, 0) // 1_000_000
    return {"alert_id": s(1), "order_id": s(2), "kind": KINDS.get(f.get(3, 0), str(f.get(3, 0))),
            "subject": s(4), "state": STATES.get(f.get(5, 0), str(f.get(5, 0))),
            "raised_ms": ts(6), "cleared_ms": ts(7), "message": s(8), "sequence": f.get(11, 0)}


def read_records(path):
    """kcat -f '%p:%R%s' output: the partition in decimal, ':', the value's length as 4 bytes
    big-endian, then the value."""
    data = open(path, "rb").read()
    out, i = [], 0
    while i < len(data):
        colon = data.index(b":", i)
        partition = int(data[i:colon])
        i = colon + 1
        (n,) = struct.unpack(">i", data[i:i + 4])
        i += 4
        rec = decode_alert(data[i:i + n])
        rec["partition"] = partition
        out.append(rec)
        i += n
    return out


# ---- main ----------------------------------------------------------------------------------

def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("command", choices=["expect", "check"])
    ap.add_argument("--workload", required=True)
    ap.add_argument("--manifest", required=True)
    ap.add_argument("--offset", default="+08:00")
    ap.add_argument("--now", required=True)
    ap.add_argument("--buffer-days", type=int, default=7)
    ap.add_argument("--sla-hours", default="24,72,168", help="CRITICAL,MAJOR,MINOR")
    ap.add_argument("--base-url")
    ap.add_argument("--records")
    args = ap.parse_args()
    sla = dict(zip(["CRITICAL", "MAJOR", "MINOR"], map(int, args.sla_hours.split(","))))
    now_ms = parse_instant_ms(args.now)
    exp = expected(load_events(args.workload, args.manifest), now_ms,
                   parse_offset_minutes(args.offset), args.buffer_days, sla)
    n_records = sum(len(r) for r, _ in exp.values())
    if args.command == "expect":
        print(json.dumps({"records": n_records,
                          "raised": sum(1 for r, _ in exp.values() for x in r if x[2] == "RAISED"),
                          "open": sum(len(s) for _, s in exp.values())}))
        return 0
    return check(args, exp, now_ms)


def check(args, exp, now_ms):
    say = lambda *a: print("[alerts_e2e]  ", *a)
    ok = True
    want_open = {(oid, k, s) for oid, (_, st) in exp.items() for k, s in st}
    want_records = {oid: [x[:3] for x in r] for oid, (r, _) in exp.items() if r}
    n_want = sum(len(r) for r in want_records.values())
    kinds = collections.Counter(x[0] + "/" + x[2] for r in want_records.values() for x in r)
    say("oracle: %d records (%s), %d open at the end, over %d orders" % (
        n_want, ", ".join("%s %d" % kv for kv in sorted(kinds.items())), len(want_open),
        len(want_records)))

    # 1. the open alerts of GET /v1/alerts
    with urllib.request.urlopen(args.base_url + "/v1/alerts", timeout=30) as r:
        body = json.loads(r.read().decode())
    api = body["alerts"]
    got_open = collections.Counter((a["order_id"], a["kind"], a["subject"] or "") for a in api)
    dup = [k for k, c in got_open.items() if c > 1]
    missing = sorted(want_open - set(got_open))
    extra = sorted(set(got_open) - want_open)
    say("/v1/alerts: %d open alerts, expected %d; %d missing, %d unexpected, %d duplicated" % (
        len(api), len(want_open), len(missing), len(extra), len(dup)))
    for x in missing[:10]:
        say("  missing open alert %s" % (x,))
    for x in extra[:10]:
        say("  unexpected open alert %s" % (x,))
    ok &= not missing and not extra and not dup
    bad_state = [a for a in api if a.get("state") != "RAISED" or a.get("cleared_at")]
    if bad_state:
        say("  %d open alerts are not in state RAISED / have cleared_at, e.g. %s" % (
            len(bad_state), bad_state[0]))
        ok = False

    # 2. the records on gendan.alerts, order by order, in order
    recs = read_records(args.records)
    got = collections.defaultdict(list)
    for r in recs:
        got[r["order_id"]].append(r)
    say("gendan.alerts: %d records, expected %d" % (len(recs), n_want))
    ok &= len(recs) == n_want
    count_bad = [oid for oid in sorted(set(got) | set(want_records))
                 if len(got.get(oid, [])) != len(want_records.get(oid, []))]
    say("per order record counts: %d orders differ" % len(count_bad))
    for oid in count_bad[:10]:
        say("  %s: %d records, expected %d" % (oid, len(got.get(oid, [])),
                                                len(want_records.get(oid, []))))
    ok &= not count_bad
    got_ms = collections.Counter((r["order_id"], r["kind"], r["subject"], r["state"]) for r in recs)
    want_ms = collections.Counter((oid, *x) for oid, r in want_records.items() for x in r)
    diff_missing = want_ms - got_ms
    diff_extra = got_ms - want_ms
    say("(order, kind, subject, state) multiset: %d missing, %d unexpected" % (
        sum(diff_missing.values()), sum(diff_extra.values())))
    for x in sorted(diff_missing)[:10]:
        say("  missing record %s x%d" % (x, diff_missing[x]))
    for x in sorted(diff_extra)[:10]:
        say("  unexpected record %s x%d" % (x, diff_extra[x]))
    ok &= not diff_missing and not diff_extra
    # per order, in order (an order's records share one partition, so their order is kept; the
    # changes of one evaluation come in key order, risk.h Diff)
    seq_bad = []
    for oid, want in want_records.items():
        g = [(r["kind"], r["subject"], r["state"]) for r in got.get(oid, [])]
        if g != want:
            seq_bad.append((oid, g, want))
    say("per order record sequences (kind, subject, state): %d orders differ" % len(seq_bad))
    for oid, g, w in seq_bad[:5]:
        say("  %s:\n     got      %s\n     expected %s" % (oid, g, w))
    ok &= not seq_bad
    # alert_id: "<order_id>/<KIND>/<subject>/<n>", n = 1 for the first raising of that
    # (order, kind, subject), 2 for the next after it cleared, ... (alert.proto field 1,
    # risk.h AlertId); equal on the RAISED and CLEARED records of one raising
    id_bad = []
    for oid, (want, _) in exp.items():
        for r, w in zip(got.get(oid, []), want):
            if (r["kind"], r["subject"], r["state"]) == tuple(w[:3]) and r["alert_id"] != w[3]:
                id_bad.append((oid, r["state"], r["alert_id"], w[3]))
    pair_bad = []
    for oid, rs in got.items():
        open_ids = {}
        for r in rs:
            k = (r["kind"], r["subject"])
            if r["state"] == "RAISED":
                open_ids[k] = r["alert_id"]
            elif open_ids.pop(k, None) != r["alert_id"]:
                pair_bad.append((oid, r["alert_id"]))
    say("alert_ids: %d records with another alert_id than documented, %d CLEARED records "
        "whose alert_id is not their RAISED one's" % (len(id_bad), len(pair_bad)))
    for x in id_bad[:5]:
        say("  %s %s: alert_id %s, expected %s" % x)
    ok &= not id_bad and not pair_bad
    # record-level invariants of alert.proto
    inv = []
    seqs = [r["sequence"] for r in recs]
    for r in recs:
        if r["state"] == "RAISED" and r["cleared_ms"] is not None:
            inv.append(("RAISED with cleared_at", r))
        if r["state"] == "CLEARED" and r["cleared_ms"] is None:
            inv.append(("CLEARED without cleared_at", r))
        if r["raised_ms"] is None:
            inv.append(("no raised_at", r))
        if not r["message"]:
            inv.append(("no message", r))
    by_partition = collections.defaultdict(list)
    for r in recs:
        by_partition[r["partition"]].append(r["sequence"])
    for p, ss in sorted(by_partition.items()):
        if any(b <= a for a, b in zip(ss, ss[1:])):
            inv.append(("sequence not increasing within partition", p))
    say("record invariants (cleared_at iff CLEARED, raised_at and message set, unique "
        "sequence increasing per partition): %d violations" % len(inv))
    for x in inv[:5]:
        say("  %s: %s" % x)
    ok &= not inv
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
