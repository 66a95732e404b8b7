#!/usr/bin/env python3
"""Independent reference implementation of gendan's KPIs (DOMAIN.md §5) and of GET /v1/kpis (§7).

Written from the DOMAIN.md text, not from the C++ code. Where the text leaves room it follows
the decisions documented at the top of projections/kpi.h (each is marked "kpi.h:" below).

  # the expected /v1/kpis body for one query
  kpi_oracle.py query --workload w.jsonl --manifest m.json --offset +08:00 \
      --from 2025-10-01 --to 2026-04-30 [--bucket month] [--group-by customer]

  # fetch every query from a running server and compare KPI by KPI
  kpi_oracle.py check --workload w.jsonl --manifest m.json --offset +08:00 \
      --base-url http://127.0.0.1:8080 --query 2025-10-01:2026-04-30:none:none ...

The manifest (from kpi_workload.py) names the events the engine must reject; they and re-sent
duplicates (same order_id and event_id: the first one counts) are left out, as the engine does.

Comparison: numerators, denominators and counts exactly; rates and means within 1e-9
(relative, or absolute below 1); percentiles within 1% relative (the server may use a
sketch, DOMAIN.md §5); nulls as nulls.

Python 3 standard library only.
"""
import argparse
import datetime as dt
import json
import math
import sys
import textwrap
import urllib.error
import urllib.request

KPI_KEYS = [
    "otif_rate", "on_time_delivery_rate", "completion_rate", "perfect_order_rate",
    "order_accuracy_rate", "confirmation_hours", "cycle_time_days", "csat", "rating",
    "complaint_rate", "issue_resolution_hours", "issue_sla_rate", "issue_reopen_rate",
    "first_contact_resolution_rate", "handoff_ack_hours", "handoff_on_time_rate",
    "inspection_pass_rate", "first_pass_yield", "defect_ppm", "proactive_update_rate",
]
DISTRIBUTIONS = {"confirmation_hours", "cycle_time_days", "rating", "issue_resolution_hours",
                 "handoff_ack_hours"}
# "inspection KPIs group by the inspection's supplier" (DOMAIN.md §5)
INSPECTION_KPIS = {"inspection_pass_rate", "first_pass_yield", "defect_ppm"}
DEFAULT_SLA_HOURS = {"CRITICAL": 24, "MAJOR": 72, "MINOR": 168}
PERFECT_BREAKING_COMPLAINTS = {"QUALITY", "QUANTITY", "DAMAGE", "DOCUMENTATION"}
from workload_io import (MS_PER_DAY, MS_PER_HOUR, load_events, parse_date,
                         parse_instant_ms, parse_offset_minutes, payload_of)


# ---- time --------------------------------------------------------------------------------

class Clock:
    def __init__(self, offset_minutes):
        self.offset_ms = offset_minutes * 60_000

    def date(self, ms):
        """The business date of an instant (floor division: correct before 1970 too)."""
        return dt.date(1970, 1, 1) + dt.timedelta(days=(ms + self.offset_ms) // MS_PER_DAY)


# ---- the workload ------------------------------------------------------------------------

class Order:
    """What the KPI formulas need to know about one order, folded from its events."""

    def __init__(self, order_id, events):
        self.id = order_id
        self.placed_ms = None
        self.customer = self.merchandiser = self.supplier = ""
        self.confirmed_ms = None
        self.commit = None  # date
        self.entry_error = False
        self.document_corrected = False
        self.damaged = False
        self.cancelled = False
        self.ordered = {}  # line_id -> quantity
        self.shipments = {}  # shipment_id -> {line_id: quantity}
        self.delivered = {}  # line_id -> quantity
        self.completion_ms = None
        self.status_updates = []  # occurred_at ms of STATUS_UPDATE contacts
        self.feedback = []  # (ms, rating)
        self.issues = {}  # issue_id -> dict
        self.issue_resolved_ms = []  # every issue_resolved
        self.issue_reopened_ms = []  # every issue_reopened
        self.handoffs = {}  # handoff_id -> dict
        self.inspections = []  # dicts, log order
        self.amendments = []  # (reason, has new_promised_date, after confirmation), for coverage
        self.deliveries = 0
        self.contacts_at_completion = 0
        self.instants = []  # every occurred_at, for coverage
        for ev in events:
            self.apply(ev)

    def apply(self, ev):
        name, p = payload_of(ev)
        t = parse_instant_ms(ev["occurred_at"])
        self.instants.append(t)
        if name == "order_placed":
            self.placed_ms = t
            self.customer = p.get("customer_id", "")
            self.merchandiser = p.get("merchandiser_id", "")
            self.supplier = p.get("supplier_id", "")
            for ln in p.get("lines", []):
                self.ordered[ln["line_id"]] = int(ln["quantity"])
        elif name == "order_confirmed":
            self.confirmed_ms = t
            self.commit = parse_date(p.get("promised_date"))
        elif name == "order_amended":
            reason = p.get("reason")
            self.amendments.append((reason, bool(p.get("new_promised_date")),
                                    self.confirmed_ms is not None))
            if reason == "ENTRY_ERROR":
                self.entry_error = True
            # the commitment moves only for these reasons, and only once there is one
            if (reason in ("CUSTOMER_REQUEST", "ENTRY_ERROR") and self.confirmed_ms is not None
                    and p.get("new_promised_date")):
                d = parse_date(p["new_promised_date"])
                if d is not None:
                    self.commit = d
            for ch in p.get("line_changes", []):
                self.ordered[ch["line_id"]] = int(ch["quantity"])
        elif name == "order_cancelled":
            self.cancelled = True
        elif name == "document_corrected":
            self.document_corrected = True
        elif name == "shipment_dispatched":
            self.shipments[p["shipment_id"]] = {
                ln["line_id"]: int(ln["quantity"]) for ln in p.get("lines", [])}
        elif name == "shipment_delivered":
            self.deliveries += 1
            if int(p.get("damaged_quantity", 0)) > 0:
                self.damaged = True
            for lid, q in self.shipments[p["shipment_id"]].items():
                self.delivered[lid] = self.delivered.get(lid, 0) + q
            if self.completion_ms is None and all(
                    self.delivered.get(lid, 0) >= q for lid, q in self.ordered.items()):
                self.completion_ms = t
        elif name == "customer_contacted":
            if p.get("purpose") == "STATUS_UPDATE":
                self.status_updates.append(t)
                if t == self.completion_ms:
                    self.contacts_at_completion += 1
        elif name == "feedback_received":
            self.feedback.append((t, int(p["rating"])))
        elif name == "issue_raised":
            self.issues[p["issue_id"]] = {
                "raised_ms": t, "category": p.get("category"), "severity": p.get("severity"),
                "complaint_reason": p.get("complaint_reason"), "resolved": False,
                "last_resolved_ms": None, "first_contact": False, "reopened": False}
        elif name == "issue_resolved":
            iss = self.issues[p["issue_id"]]
            iss["resolved"] = True
            iss["last_resolved_ms"] = t
            iss["first_contact"] = bool(p.get("first_contact", False))
            self.issue_resolved_ms.append(t)
        elif name == "issue_reopened":
            iss = self.issues[p["issue_id"]]
            iss["resolved"] = False
            iss["reopened"] = True
            self.issue_reopened_ms.append(t)
        elif name == "handoff_requested":
            due = p.get("due_at")
            self.handoffs[p["handoff_id"]] = {
                "requested_ms": t, "due_ms": parse_instant_ms(due) if due else None,
                "acked_ms": None, "completed_ms": None}
        elif name == "handoff_acknowledged":
            self.handoffs[p["handoff_id"]]["acked_ms"] = t
        elif name == "handoff_completed":
            self.handoffs[p["handoff_id"]]["completed_ms"] = t
        elif name == "inspection_recorded":
            self.inspections.append({
                "ms": t, "stage": p.get("stage"), "result": p.get("result"),
                "inspected": int(p.get("inspected_quantity", 0)),
                "defective": int(p.get("defective_quantity", 0)),
                "supplier": p.get("supplier_id") or self.supplier})

    def complaints(self):
        return [i for i in self.issues.values() if i["category"] == "CUSTOMER_COMPLAINT"]


def contributions(order, clock, sla_hours):
    """(kpi, date, numerator, denominator, sample, supplier) for everything the order adds to
    the KPIs. sample is None for rates; supplier is the group for supplier grouping."""
    out = []
    if order.cancelled or order.placed_ms is None:
        return out  # cancelled orders are left out of every KPI
    sup = order.supplier

    def rate(key, date, num, den, supplier=sup):
        out.append((key, date, num, den, None, supplier))

    def sample(key, date, value):
        out.append((key, date, 0, 0, value, sup))

    completed = order.completion_ms is not None
    comp_date = clock.date(order.completion_ms) if completed else None
    on_time = completed and order.commit is not None and comp_date <= order.commit

    # otif_rate, completion_rate: the cohort of the commit date
    if order.commit is not None:
        rate("otif_rate", order.commit, 1 if on_time else 0, 1)
        rate("completion_rate", order.commit, 1 if completed else 0, 1)
    if completed:
        # on_time_delivery_rate: completions that have a commit date
        if order.commit is not None:
            rate("on_time_delivery_rate", comp_date, 1 if on_time else 0, 1)
        perfect = (on_time and not order.document_corrected and not order.damaged and not any(
            c["complaint_reason"] in PERFECT_BREAKING_COMPLAINTS for c in order.complaints()))
        rate("perfect_order_rate", comp_date, 1 if perfect else 0, 1)
        # cycle_time_days: placed -> completion (kpi.h: negative durations count as 0)
        sample("cycle_time_days", comp_date,
               max(0, order.completion_ms - order.placed_ms) / MS_PER_DAY)
        rate("complaint_rate", comp_date, 0, 1)  # the denominator: orders completed in P
        proactive = any(t < order.completion_ms for t in order.status_updates)
        rate("proactive_update_rate", comp_date, 1 if proactive else 0, 1)

    accurate = not order.entry_error and not order.document_corrected
    rate("order_accuracy_rate", clock.date(order.placed_ms), 1 if accurate else 0, 1)

    if order.confirmed_ms is not None:
        sample("confirmation_hours", clock.date(order.confirmed_ms),
               max(0, order.confirmed_ms - order.placed_ms) / MS_PER_HOUR)

    for t, rating in order.feedback:
        rate("csat", clock.date(t), 1 if rating >= 4 else 0, 1)
        sample("rating", clock.date(t), float(rating))

    for iss in order.issues.values():
        if iss["category"] == "CUSTOMER_COMPLAINT":
            rate("complaint_rate", clock.date(iss["raised_ms"]), 1, 0)
        if iss["resolved"]:  # resolved now: counted at its last resolution
            d = clock.date(iss["last_resolved_ms"])
            dur_ms = max(0, iss["last_resolved_ms"] - iss["raised_ms"])
            sample("issue_resolution_hours", d, dur_ms / MS_PER_HOUR)
            sla = sla_hours.get(iss["severity"], sla_hours["MINOR"])
            rate("issue_sla_rate", d, 1 if dur_ms <= sla * MS_PER_HOUR else 0, 1)
            if iss["category"] == "CUSTOMER_COMPLAINT":
                fcr = iss["first_contact"] and not iss["reopened"]
                rate("first_contact_resolution_rate", d, 1 if fcr else 0, 1)
    for t in order.issue_resolved_ms:
        rate("issue_reopen_rate", clock.date(t), 0, 1)
    for t in order.issue_reopened_ms:
        rate("issue_reopen_rate", clock.date(t), 1, 0)

    for h in order.handoffs.values():
        if h["acked_ms"] is not None:
            sample("handoff_ack_hours", clock.date(h["acked_ms"]),
                   max(0, h["acked_ms"] - h["requested_ms"]) / MS_PER_HOUR)
        if h["due_ms"] is not None:
            done = h["completed_ms"] is not None and h["completed_ms"] <= h["due_ms"]
            rate("handoff_on_time_rate", clock.date(h["due_ms"]), 1 if done else 0, 1)

    finals = [i for i in order.inspections if i["stage"] == "FINAL"]
    for ins in finals:
        rate("inspection_pass_rate", clock.date(ins["ms"]), 1 if ins["result"] == "PASSED" else 0,
             1, ins["supplier"])
    if finals:
        first = min(finals, key=lambda i: i["ms"])  # min() keeps the first on ties: log order
        rate("first_pass_yield", clock.date(first["ms"]), 1 if first["result"] == "PASSED" else 0,
             1, first["supplier"])
    for ins in order.inspections:  # defect_ppm: "inspections in P", every stage
        if ins["inspected"] or ins["defective"]:
            rate("defect_ppm", clock.date(ins["ms"]), ins["defective"], ins["inspected"],
                 ins["supplier"])
    return out


# ---- queries -----------------------------------------------------------------------------

def bucket_start(d, bucket):
    if bucket == "day":
        return d
    if bucket == "week":
        return d - dt.timedelta(days=d.weekday())  # ISO: Monday first
    return d.replace(day=1)


def next_bucket(start, bucket):
    if bucket == "day":
        return start + dt.timedelta(days=1)
    if bucket == "week":
        return start + dt.timedelta(days=7)
    return (start.replace(day=28) + dt.timedelta(days=4)).replace(day=1)


def bucket_starts(frm, to, bucket):
    if bucket is None:
        return [frm]
    starts, s = [], frm
    while s <= to:
        starts.append(s)
        s = max(frm, next_bucket(bucket_start(s, bucket), bucket))
    return starts


class Agg:
    def __init__(self):
        self.num = 0
        self.den = 0
        self.samples = []


def nearest_rank(sorted_values, q_num, q_den):
    n = len(sorted_values)
    rank = -(-q_num * n // q_den)  # ceil(q * n), exactly
    return sorted_values[max(1, rank) - 1]


def kpi_json(key, agg):
    if key in DISTRIBUTIONS:
        n = len(agg.samples)
        if n == 0:
            return {"count": 0, "mean": None, "p50": None, "p90": None}
        vals = sorted(agg.samples)
        return {"count": n, "mean": math.fsum(vals) / n, "p50": nearest_rank(vals, 1, 2),
                "p90": nearest_rank(vals, 9, 10)}
    value = None
    if agg.den != 0:
        value = agg.num / agg.den * (1e6 if key == "defect_ppm" else 1)
    return {"value": value, "numerator": agg.num, "denominator": agg.den}


class Oracle:
    def __init__(self, orders_events, offset, sla_hours=None):
        self.clock = Clock(parse_offset_minutes(offset))
        self.sla = dict(DEFAULT_SLA_HOURS, **(sla_hours or {}))
        self.orders = [Order(oid, evs) for oid, evs in sorted(orders_events.items())]
        self.contribs = []  # (order, contribution)
        for o in self.orders:
            for c in contributions(o, self.clock, self.sla):
                self.contribs.append((o, c))

    @staticmethod
    def group_of(order, contrib, group_by):
        if group_by is None:
            return None
        if group_by == "merchandiser":
            return order.merchandiser
        if group_by == "customer":
            return order.customer
        return contrib[5]  # supplier: the inspection's for inspection KPIs, else the order's

    def query(self, frm, to, bucket=None, group_by=None):
        """The expected /v1/kpis body. frm/to are dates."""
        body = {"from": frm.isoformat(), "to": to.isoformat(), "bucket": bucket,
                "group_by": group_by, "series": []}
        if frm > to:
            return body
        starts = bucket_starts(frm, to, bucket)
        cells = {}  # (group, bucket_start) -> {key: Agg}
        groups = set()
        for order, c in self.contribs:
            key, d, num, den, smp, _ = c
            if not (frm <= d <= to):
                continue
            if num == 0 and den == 0 and smp is None:
                continue
            g = self.group_of(order, c, group_by)
            groups.add(g)
            b = max(frm, bucket_start(d, bucket)) if bucket else frm
            agg = cells.setdefault((g, b), {}).setdefault(key, Agg())
            agg.num += num
            agg.den += den
            if smp is not None:
                agg.samples.append(smp)
        if group_by is None:
            groups = {None}  # kpi.h: the null group is always reported
        for g in sorted(groups, key=lambda x: "" if x is None else x):
            for b in starts:
                aggs = cells.get((g, b), {})
                body["series"].append({
                    "group": g, "bucket_start": b.isoformat(),
                    "kpis": {k: kpi_json(k, aggs.get(k, Agg())) for k in KPI_KEYS}})
        return body


# ---- coverage: the cases the workload must contain for the comparison to mean something ----

def coverage(oracle):
    """Counts of the edge cases DOMAIN.md §5 turns on, over the accepted events."""
    c = {}

    def add(name, n=1):
        c[name] = c.get(name, 0) + n

    clock = oracle.clock
    for o in oracle.orders:
        add("orders")
        near_midnight = sum(1 for t in o.instants
                            if abs((t + clock.offset_ms) % MS_PER_DAY - MS_PER_DAY // 2) >
                            MS_PER_DAY // 2 - 10 * 60_000)
        add("events within 10 min of business midnight", near_midnight)
        if o.cancelled:
            add("cancelled orders")
            if o.issues or o.feedback or o.inspections or o.handoffs:
                add("cancelled orders with issues/feedback/inspections/handoffs")
            continue
        if o.confirmed_ms is not None and o.confirmed_ms < o.placed_ms:
            add("confirmed before placed (clock skew)")
        if o.confirmed_ms is None:
            add("never-confirmed orders")
            if any(r in ("CUSTOMER_REQUEST", "ENTRY_ERROR") and d for r, d, _ in o.amendments):
                add("never-confirmed orders with a CUSTOMER_REQUEST/ENTRY_ERROR date")
        for reason, has_date, after in o.amendments:
            add("amendments %s %s confirmation%s" % (
                reason, "after" if after else "before", " with new date" if has_date else ""))
        if o.completion_ms is not None:
            add("completed orders")
            cd = clock.date(o.completion_ms)
            if cd == o.commit:
                add("completed on the commit date")
            if o.commit and cd == o.commit + dt.timedelta(days=1):
                add("completed the day after the commit date")
            local_ms = (o.completion_ms + clock.offset_ms) % MS_PER_DAY
            if local_ms == MS_PER_DAY - 1:
                add("completed at 23:59:59.999 business time")
            if local_ms == 0:
                add("completed at 00:00:00.000 business time")
            if o.deliveries > 1:
                add("completed in several deliveries")
            if not o.status_updates:
                add("completed without STATUS_UPDATE")
            elif all(t > o.completion_ms for t in o.status_updates):
                add("completed with STATUS_UPDATE only after completion")
            if o.contacts_at_completion:
                add("STATUS_UPDATE at the completion instant")
            if o.damaged:
                add("completed with damage")
            if any(i["category"] == "CUSTOMER_COMPLAINT" and i["raised_ms"] > o.completion_ms
                   for i in o.issues.values()):
                add("complaints after completion")
        elif o.deliveries:
            add("partially delivered orders")
        if o.document_corrected:
            add("orders with a document correction")
        finals = [i for i in o.inspections if i["stage"] == "FINAL"]
        if finals and finals[0]["result"] == "FAILED" and any(
                i["result"] == "PASSED" for i in finals):
            add("orders with a FINAL FAILED then PASSED")
        if any(i["supplier"] != o.supplier for i in o.inspections):
            add("orders inspected by another supplier_id")
        if any(i["stage"] != "FINAL" for i in o.inspections):
            add("orders with INCOMING/INLINE inspections")
        for i in o.issues.values():
            add("issues %s" % i["severity"])
            if i["category"] == "CUSTOMER_COMPLAINT":
                add("complaints %s" % i["complaint_reason"])
                if i["resolved"] and not i["reopened"]:
                    add("complaints resolved, first_contact=%s" % i["first_contact"])
            if i["reopened"]:
                add("issues reopened and %s" % ("resolved again" if i["resolved"] else
                                                 "still open"))
            if i["resolved"]:
                d = i["last_resolved_ms"] - i["raised_ms"]
                sla = oracle.sla.get(i["severity"], oracle.sla["MINOR"]) * MS_PER_HOUR
                if d == sla:
                    add("issues resolved exactly at the SLA")
                if d == sla + 1:
                    add("issues resolved 1 ms past the SLA")
            else:
                add("issues open at the end")
        for _, rating in o.feedback:
            add("feedback rating %d" % rating)
        for h in o.handoffs.values():
            if h["completed_ms"] is None:
                add("handoffs never completed")
            elif h["completed_ms"] == h["due_ms"]:
                add("handoffs completed exactly at due_at")
            elif h["completed_ms"] > h["due_ms"]:
                add("handoffs completed late")
            else:
                add("handoffs completed early")
            if h["completed_ms"] is not None and h["acked_ms"] is None:
                add("handoffs completed without acknowledgement")
    return c


REQUIRED_COVERAGE = [
    "cancelled orders with issues/feedback/inspections/handoffs",
    "never-confirmed orders with a CUSTOMER_REQUEST/ENTRY_ERROR date",
    "amendments CUSTOMER_REQUEST after confirmation with new date",
    "amendments ENTRY_ERROR after confirmation with new date",
    "amendments SUPPLY_CONSTRAINT after confirmation with new date",
    "amendments OTHER after confirmation with new date",
    "completed on the commit date", "completed the day after the commit date",
    "completed at 23:59:59.999 business time", "completed at 00:00:00.000 business time",
    "completed in several deliveries", "completed with STATUS_UPDATE only after completion",
    "STATUS_UPDATE at the completion instant", "completed with damage",
    "complaints after completion", "orders with a document correction",
    "orders with a FINAL FAILED then PASSED", "orders inspected by another supplier_id",
    "issues CRITICAL", "issues MAJOR", "issues MINOR",
    "complaints QUALITY", "complaints QUANTITY", "complaints DAMAGE",
    "complaints LATE_DELIVERY", "complaints DOCUMENTATION", "complaints SERVICE",
    "complaints resolved, first_contact=True", "complaints resolved, first_contact=False",
    "issues reopened and resolved again", "issues reopened and still open",
    "issues resolved exactly at the SLA", "issues resolved 1 ms past the SLA",
    "feedback rating 1", "feedback rating 2", "feedback rating 3", "feedback rating 4",
    "feedback rating 5", "handoffs never completed", "handoffs completed exactly at due_at",
    "handoffs completed late", "handoffs completed without acknowledgement",
    "events within 10 min of business midnight", "partially delivered orders",
    "confirmed before placed (clock skew)",
]


# ---- comparison --------------------------------------------------------------------------

def close(a, b, rel):
    return abs(a - b) <= rel * max(1.0, abs(b))


def compare_kpi(key, got, want, where, mismatches, counter):
    if not isinstance(got, dict):
        mismatches.append("%s %s: missing or not an object: %r" % (where, key, got))
        return
    fields = ["count", "mean", "p50", "p90"] if key in DISTRIBUTIONS else [
        "value", "numerator", "denominator"]
    extra = set(got) - set(fields)
    if extra:
        mismatches.append("%s %s: unexpected fields %s" % (where, key, sorted(extra)))
    for f in fields:
        counter[0] += 1
        w = want[f]
        g = got.get(f, "<absent>")
        if w is None or g is None or g == "<absent>":
            ok = g is None and w is None
        elif f in ("count", "numerator", "denominator"):
            ok = isinstance(g, int) and g == w
        elif f in ("p50", "p90"):
            ok = isinstance(g, (int, float)) and abs(g - w) <= 0.01 * abs(w)
        else:
            ok = isinstance(g, (int, float)) and close(g, w, 1e-9)
        if not ok:
            mismatches.append("%s %s.%s: server %r, expected %r (server %s, expected %s)" % (
                where, key, f, g, w, json.dumps(got), json.dumps(want)))


def compare_body(got, want, label, mismatches, counter):
    for f in ("from", "to", "bucket", "group_by"):
        if got.get(f) != want[f]:
            mismatches.append("%s: %s is %r, expected %r" % (label, f, got.get(f), want[f]))
    gs = got.get("series")
    if not isinstance(gs, list):
        mismatches.append("%s: no series list" % label)
        return
    gkeys = [(e.get("group"), e.get("bucket_start")) for e in gs]
    wkeys = [(e["group"], e["bucket_start"]) for e in want["series"]]
    if gkeys != wkeys:
        missing = [k for k in wkeys if k not in set(gkeys)]
        unexpected = [k for k in gkeys if k not in set(wkeys)]
        mismatches.append("%s: series entries differ: missing %s, unexpected %s%s" % (
            label, missing[:5], unexpected[:5],
            ", order differs" if not missing and not unexpected else ""))
    by_key = {(e.get("group"), e.get("bucket_start")): e for e in gs}
    for w in want["series"]:
        k = (w["group"], w["bucket_start"])
        e = by_key.get(k)
        if e is None:
            continue
        where = "%s [group=%s bucket_start=%s]" % (label, json.dumps(k[0]), k[1])
        kpis = e.get("kpis", {})
        extra = set(kpis) - set(KPI_KEYS)
        if extra:
            mismatches.append("%s: unexpected KPI keys %s" % (where, sorted(extra)))
        for key in KPI_KEYS:
            compare_kpi(key, kpis.get(key), w["kpis"][key], where, mismatches, counter)


def parse_query(spec):
    """FROM:TO:BUCKET:GROUP_BY, with 'none' for no bucket / no grouping."""
    frm, to, bucket, group_by = spec.split(":")
    return (dt.date.fromisoformat(frm), dt.date.fromisoformat(to),
            None if bucket == "none" else bucket, None if group_by == "none" else group_by)


def fetch(base_url, frm, to, bucket, group_by):
    url = "%s/v1/kpis?from=%s&to=%s" % (base_url.rstrip("/"), frm, to)
    if bucket:
        url += "&bucket=" + bucket
    if group_by:
        url += "&group_by=" + group_by
    with urllib.request.urlopen(url, timeout=30) as resp:
        return url, json.loads(resp.read().decode())


def cmd_check(args, oracle):
    mismatches, counter, n_entries, nonempty = [], [0], 0, 0
    cov = coverage(oracle)
    print(textwrap.fill("workload coverage (accepted events): " + "; ".join(
        "%s %d" % (k, v) for k, v in sorted(cov.items())), width=100, subsequent_indent="  "))
    for k in REQUIRED_COVERAGE:
        if not cov.get(k):
            mismatches.append("workload coverage: no case of '%s' (change the seed?)" % k)
    for spec in args.query:
        frm, to, bucket, group_by = parse_query(spec)
        want = oracle.query(frm, to, bucket, group_by)
        try:
            url, got = fetch(args.base_url, frm, to, bucket, group_by)
        except (urllib.error.URLError, ValueError, OSError) as e:
            mismatches.append("%s: request failed: %s" % (spec, e))
            continue
        before = len(mismatches)
        compare_body(got, want, "GET " + url[len(args.base_url.rstrip("/")):], mismatches,
                     counter)
        n_entries += len(want["series"])
        nonempty += sum(1 for e in want["series"] for k in KPI_KEYS
                        if e["kpis"][k].get("denominator") or e["kpis"][k].get("count"))
        print("  %-62s %4d entries  %s" % (spec, len(want["series"]),
                                          "ok" if len(mismatches) == before else
                                          "%d MISMATCHES" % (len(mismatches) - before)))
    print("kpi_oracle: %d queries, %d series entries, %d KPI objects with data, "
          "%d KPI values compared, %d mismatches" % (
              len(args.query), n_entries, nonempty, counter[0], len(mismatches)))
    for m in mismatches[:args.show]:
        print("MISMATCH " + m)
    if len(mismatches) > args.show:
        print("... and %d more" % (len(mismatches) - args.show))
    return 1 if mismatches else 0


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    for name in ("query", "check"):
        p = sub.add_parser(name)
        p.add_argument("--workload", required=True)
        p.add_argument("--manifest", help="from kpi_workload.py: the events to leave out")
        p.add_argument("--offset", default="+00:00", help="business UTC offset, e.g. +08:00")
        p.add_argument("--sla", default="", help="e.g. CRITICAL=24,MAJOR=72,MINOR=168")
        if name == "query":
            p.add_argument("--from", dest="frm", required=True)
            p.add_argument("--to", required=True)
            p.add_argument("--bucket", choices=["day", "week", "month"])
            p.add_argument("--group-by", choices=["merchandiser", "customer", "supplier"])
        else:
            p.add_argument("--base-url", required=True)
            p.add_argument("--query", action="append", required=True,
                           help="FROM:TO:BUCKET:GROUP_BY ('none' for either); repeatable")
            p.add_argument("--show", type=int, default=25, help="mismatches to print")
    args = ap.parse_args()
    sla = {}
    for part in filter(None, args.sla.split(",")):
        k, v = part.split("=")
        sla[k] = int(v)
    oracle = Oracle(load_events(args.workload, args.manifest), args.offset, sla)
    if args.cmd == "query":
        body = oracle.query(dt.date.fromisoformat(args.frm), dt.date.fromisoformat(args.to),
                            args.bucket, args.group_by)
        json.dump(body, sys.stdout, indent=1)
        print()
        return 0
    return cmd_check(args, oracle)


if __name__ == "__main__":
    sys.exit(main())
