#!/usr/bin/env python3
"""A hand-made workload with known per-merchandiser KPIs for the scorecard e2e test (issue 6).

  scorecard_workload.py --out scorecard.jsonl --manifest scorecard_manifest.json

Orders of merchandisers SC-* in May-July 2025 (before the generated workload of kpi_workload.py,
which starts in October 2025, so the two never share a period), in the +08:00 business zone.
Every event is valid. The July 2025 outcomes are designed by hand so that the default scorecard
of DOMAIN.md §8 meets every rule:

  SC-ACE   2 orders, all seven card KPIs at or above target (capped)      -> 100, rank 1
  SC-TWIN  like SC-ACE but no issues and no handoffs: two nulls, the
           other weights renormalised                                     -> 100, rank 1 (a tie)
  SC-SLOW  confirmation 48 h (lower: 24/48), a late handoff               -> 83.33, rank 3
  SC-MIDA  one late order, an ENTRY_ERROR amendment, 36 h confirmations,
           csat 1/2, a CRITICAL issue past its SLA, no handoffs           -> 49.16, rank 4
  SC-MIDB  the same outcomes as SC-MIDA                                   -> 49.16, rank 4 (a tie)
  SC-ZERO  confirmed at the placing instant (lower, value 0 -> 1), late,
           rated 3                                                        -> 25, rank 6
  SC-NULL  in July only an INCOMING inspection (defect_ppm, off the card) -> null, unranked

The 31 days before July 2025 (2025-05-31 to 2025-06-30, what --compare-previous compares July
with) hold one late SC-ACE order (43.75) and SC-NULL's placing and confirmation (90).
The manifest's "designed" scores are these hand computations; the e2e test checks that the
independent oracle (scorecard_oracle.py) agrees with them and that gendan agrees with the oracle.

Python 3 standard library only. Deterministic.
"""
import argparse
import datetime as dt
import json

UTC = dt.timezone.utc
OFFSET = dt.timedelta(hours=8)


def local(date_text, hh=9, mm=0):
    """The UTC instant of a business-local (+08:00) date and time, as RFC 3339."""
    d = dt.date.fromisoformat(date_text)
    t = dt.datetime(d.year, d.month, d.day, hh, mm, tzinfo=UTC) - OFFSET
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


class Order:
    def __init__(self, oid, merchandiser, customer, supplier):
        self.oid, self.m, self.c, self.s = oid, merchandiser, customer, supplier
        self.events = []

    def emit(self, at, name, payload, source="erp"):
        self.events.append({"event_id": "%s-%d" % (self.oid, len(self.events) + 1),
                            "order_id": self.oid, "occurred_at": at, "source": source,
                            "actor": self.m.lower(), name: payload})
        return self

    def place(self, at):
        return self.emit(at, "order_placed", {
            "customer_id": self.c, "merchandiser_id": self.m, "supplier_id": self.s,
            "requested_date": "2025-09-01", "incoterm": "FOB",
            "lines": [{"line_id": "L1", "sku": "SKU-SC", "quantity": 100}]})

    def confirm(self, at, promised):
        return self.emit(at, "order_confirmed", {"promised_date": promised})

    def produce(self, start_day, end_day, passed_day):
        self.emit(local(start_day, 8), "materials_in_house", {}, "wms")
        self.emit(local(start_day, 10), "production_started", {}, "mes")
        self.emit(local(end_day), "production_completed", {"produced_quantity": 100}, "mes")
        return self.emit(local(passed_day), "inspection_recorded", {
            "inspection_id": "Q1", "stage": "FINAL", "result": "PASSED",
            "inspected_quantity": 50, "defective_quantity": 0}, "qms")

    def ship(self, dispatch_day, delivered_at):
        self.emit(local(dispatch_day), "shipment_dispatched", {
            "shipment_id": "S1", "carrier": "COSCO", "tracking_number": "T-" + self.oid,
            "estimated_arrival_date": "2025-08-30",
            "lines": [{"line_id": "L1", "quantity": 100}]}, "tms")
        return self.emit(delivered_at, "shipment_delivered",
                         {"shipment_id": "S1", "damaged_quantity": 0}, "tms")

    def feedback(self, at, rating):
        return self.emit(at, "feedback_received", {"rating": rating, "comment": "ok"}, "crm")

    def issue(self, raised_at, resolved_at, severity, iid="I1"):
        self.emit(raised_at, "issue_raised", {
            "issue_id": iid, "category": "LOGISTICS_DELAY", "severity": severity,
            "owner_department": "LOGISTICS", "description": "late truck"}, "qms")
        return self.emit(resolved_at, "issue_resolved",
                         {"issue_id": iid, "resolution": "rebooked", "first_contact": True}, "qms")

    def handoff(self, requested_at, due_at, completed_at, hid="H1"):
        self.emit(requested_at, "handoff_requested", {
            "handoff_id": hid, "from_department": "MERCHANDISING", "to_department": "QUALITY",
            "subject": "check labels", "due_at": due_at})
        return self.emit(completed_at, "handoff_completed", {"handoff_id": hid})


def on_time_order(oid, m, day0, with_issue, with_handoff):
    """Placed 2025-07-(day0) 09:00, confirmed 12 h later for 07-(day0+19), delivered
    07-(day0+14) undamaged: a perfect order, rated 5. Events in time order."""
    def d(n):
        return "2025-07-%02d" % (day0 + n)
    o = Order(oid, m, "SC-C-" + m[3:], "SC-F1")
    o.place(local(d(0))).confirm(local(d(0), 21), d(19))
    o.produce(d(2), d(7), d(8))
    if with_issue:
        o.issue(local(d(8), 10), local(d(8), 20), "MAJOR")  # 10 h, within the MAJOR 72 h
    if with_handoff:
        o.handoff(local(d(8), 11), local(d(10)), local(d(9), 8))  # completed before due
    o.ship(d(9), local(d(14), 10))
    return o.feedback(local(d(15)), 5)


def build():
    orders = []
    # SC-ACE: two perfect orders, 12 h confirmations, an issue within SLA and an on-time handoff
    # each: every attainment capped at 1 -> 100.
    orders.append(on_time_order("SC-ACE-1", "SC-ACE", 1, True, True))
    orders.append(on_time_order("SC-ACE-2", "SC-ACE", 2, True, True))
    # SC-TWIN: one perfect order, no issue, no handoff -> 100 over 80 of the 100 weight points.
    orders.append(on_time_order("SC-TWIN-1", "SC-TWIN", 3, False, False))
    # SC-SLOW: confirmed 48 h after placing (24/48 = 0.5), otherwise perfect, a handoff completed
    # a day late: (30 + 15 + 10 + 10*0.5 + 15 + 10*0) / 90 = 83.33...
    o = Order("SC-SLOW-1", "SC-SLOW", "SC-C-SLOW", "SC-F2")
    o.place(local("2025-07-02")).confirm(local("2025-07-04"), "2025-07-25")
    o.produce("2025-07-05", "2025-07-07", "2025-07-08")
    o.handoff(local("2025-07-08", 12), local("2025-07-09"), local("2025-07-10"))  # a day late
    o.ship("2025-07-11", local("2025-07-16"))
    orders.append(o.feedback(local("2025-07-17"), 5))
    # SC-MIDA and SC-MIDB: the same outcomes each. Order 1: perfect, confirmed after 36 h, a
    # CRITICAL issue resolved after 30 h (past its 24 h SLA), rated 4. Order 2: an ENTRY_ERROR
    # amendment (quantities only), confirmed after 36 h, promised 07-12, delivered 07-14 (late),
    # rated 2. otif 1/2, perfect 1/2, accuracy 1/2, confirmation mean 36 h, csat 1/2, SLA 0/1.
    for m in ("SC-MIDA", "SC-MIDB"):
        a = Order(m + "-1", m, "SC-C-MID", "SC-F2")
        a.place(local("2025-07-01")).confirm(local("2025-07-02", 21), "2025-07-25")
        a.issue(local("2025-07-03", 8), local("2025-07-04", 14), "CRITICAL")
        a.produce("2025-07-05", "2025-07-09", "2025-07-10")
        a.ship("2025-07-11", local("2025-07-20"))
        orders.append(a.feedback(local("2025-07-21"), 4))
        b = Order(m + "-2", m, "SC-C-MID", "SC-F3")
        b.place(local("2025-07-01", 10))
        b.emit(local("2025-07-01", 12), "order_amended", {
            "reason": "ENTRY_ERROR", "line_changes": [{"line_id": "L1", "quantity": 100}]})
        b.confirm(local("2025-07-02", 22), "2025-07-12")
        b.produce("2025-07-04", "2025-07-08", "2025-07-09")
        b.ship("2025-07-10", local("2025-07-14"))
        orders.append(b.feedback(local("2025-07-15"), 2))
    # SC-ZERO: confirmed at the very instant it was placed (confirmation_hours mean 0: `lower`
    # attains 1), promised 07-10, delivered 07-12 (late, so not perfect), rated 3:
    # (30*0 + 15*0 + 10*1 + 10*1 + 15*0) / 80 = 25.
    z = Order("SC-ZERO-1", "SC-ZERO", "SC-C-ZERO", "SC-F3")
    z.place(local("2025-07-03")).confirm(local("2025-07-03"), "2025-07-10")
    z.produce("2025-07-04", "2025-07-06", "2025-07-07")
    z.ship("2025-07-08", local("2025-07-12"))
    orders.append(z.feedback(local("2025-07-13"), 3))
    # SC-NULL: placed and confirmed (30 h) in June, promised for September; in July only an
    # INCOMING inspection (defect_ppm, off the card) -> a null score, listed last, unranked.
    # June: accuracy 1, confirmation 30 h (24/30 = 0.8) -> (10 + 8) / 20 = 90.
    n = Order("SC-NULL-1", "SC-NULL", "SC-C-NULL", "SC-F1")
    n.place(local("2025-06-10")).confirm(local("2025-06-11", 15), "2025-09-30")
    n.emit(local("2025-06-20"), "materials_in_house", {}, "wms")
    orders.append(n.emit(local("2025-07-05"), "inspection_recorded", {
        "inspection_id": "Q1", "stage": "INCOMING", "result": "PASSED",
        "inspected_quantity": 200, "defective_quantity": 3}, "qms"))
    # SC-ACE in June: confirmed after exactly 24 h (on target), promised 06-25, delivered 06-27
    # (late), rated 4: (0 + 0 + 10 + 10 + 15) / 80 = 43.75.
    e = Order("SC-ACE-0", "SC-ACE", "SC-C-ACE", "SC-F1")
    e.place(local("2025-06-05")).confirm(local("2025-06-06"), "2025-06-25")
    e.produce("2025-06-08", "2025-06-15", "2025-06-16")
    e.ship("2025-06-17", local("2025-06-27"))
    orders.append(e.feedback(local("2025-06-28"), 4))
    return orders


def designed():
    """The hand computations of the docstring (DOMAIN.md §8 on the default card)."""
    mid = 100 * (30 * 0.5 / 0.95 + 15 * 0.5 / 0.90 + 10 * 0.5 / 0.98 + 10 * 24 / 36
                 + 15 * 0.5 / 0.90 + 10 * 0) / 90
    return {
        "2025-07-01:2025-07-31:merchandiser": [
            ["SC-ACE", 100.0, 1], ["SC-TWIN", 100.0, 1], ["SC-SLOW", 100 * 75 / 90, 3],
            ["SC-MIDA", mid, 4], ["SC-MIDB", mid, 4], ["SC-ZERO", 25.0, 6],
            ["SC-NULL", None, None]],
        "2025-05-31:2025-06-30:merchandiser": [["SC-NULL", 90.0, 1], ["SC-ACE", 43.75, 2]],
    }


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", required=True)
    ap.add_argument("--manifest", required=True)
    args = ap.parse_args()
    orders = build()
    with open(args.out, "w") as f:
        for o in orders:
            for ev in o.events:
                f.write(json.dumps(ev, separators=(",", ":")) + "\n")
    with open(args.manifest, "w") as f:
        json.dump({"accepted": sum(len(o.events) for o in orders),
                   "final_versions": {o.oid: len(o.events) for o in orders},
                   "designed": designed()}, f, indent=1, sort_keys=True)


if __name__ == "__main__":
    main()
