#!/usr/bin/env python3
"""Seeded generator of a realistic multi-month gendan workload with known answers.

Writes JSON Lines of gendan.v1.InboundEvent (protobuf JSON, snake_case names of DOMAIN.md §3)
and a manifest describing what the engine must do with them:

  kpi_workload.py --seed 7 --orders 450 --out workload.jsonl --manifest manifest.json

Every order's history is valid under DOMAIN.md §4, except a few events that are deliberately
invalid (each listed in the manifest with the reason code the engine must give) and a few exact
re-sends of valid events (same event_id: duplicates the engine must drop without a rejection).
The manifest lists, per order, the version the order must end at, so a test can tell when the
engine and the projector have taken everything.

The workload covers (placements from early October 2025 to late January 2026, so it spans month
ends and the 2025/2026 year end, ISO week 2026-W01 starting on Monday 2025-12-29):
placed -> confirmed -> materials -> production -> FINAL inspections (some FAILED first, some by
another supplier) -> partial shipments (some delivered out of order, some damaged) -> delivery
(on time, late, or exactly on the commit date in the +08:00 business zone) -> closed; amendments
of every reason, before and after confirmation; holds and releases; cancellations at every
stage before shipping; documents and corrections; issues of every category and severity with
resolutions, reopens and re-resolutions (some exactly at the SLA, some 1 ms past it); customer
complaints after closing with every complaint reason; feedback 1-5; STATUS_UPDATE contacts
before and after completion; handoffs acknowledged, completed on time, late, exactly at due_at,
without acknowledgement, or never. Some events fall a few minutes either side of midnight in
+08:00 (16:00Z).

Python 3 standard library only. Deterministic for a given --seed and --orders.
"""
import argparse
import datetime as dt
import json
import random
import sys

UTC = dt.timezone.utc
BUSINESS_OFFSET = dt.timedelta(hours=8)  # the zone the e2e test configures: +08:00

MERCHANDISERS = ["M-LI", "M-WANG", "M-CHEN", "M-ZHAO"]
CUSTOMERS = ["C-ACME", "C-BOREAL", "C-CIRRUS", "C-DUNE", "C-EMBER", "C-FJORD", "C-GALE", "C-HALO",
             "C-IONA", "C-JADE"]
SUPPLIERS = ["F-NINGBO", "F-SUZHOU", "F-DONGGUAN", "F-QINGDAO", "F-XIAMEN"]
THIRD_PARTY_INSPECTORS = ["F-SGS-LAB", "F-QIMA"]  # inspections "by another supplier_id"
SKUS = ["TSHIRT-WHT-M", "TSHIRT-BLK-L", "HOODIE-GRY-M", "CAP-NVY", "SOCK-WHT-3P", "JACKET-OLV-L",
        "POLO-RED-S", "SCARF-BEI"]
DEPARTMENTS = ["SALES", "PROCUREMENT", "PRODUCTION", "QUALITY", "LOGISTICS", "FINANCE",
               "AFTER_SALES"]
SLA_HOURS = {"CRITICAL": 24, "MAJOR": 72, "MINOR": 168}
NON_COMPLAINT_CATEGORIES = ["MATERIAL_SHORTAGE", "PRODUCTION_INTERRUPTION", "QUALITY",
                            "LOGISTICS_DELAY", "DOCUMENTATION", "OTHER"]
COMPLAINT_REASONS = ["QUALITY", "QUANTITY", "DAMAGE", "LATE_DELIVERY", "DOCUMENTATION",
                     "SERVICE"]
AMEND_REASONS = ["CUSTOMER_REQUEST", "ENTRY_ERROR", "SUPPLY_CONSTRAINT", "OTHER"]
DOC_TYPES = ["ORDER_CONFIRMATION", "CONTRACT", "PROFORMA_INVOICE", "COMMERCIAL_INVOICE",
             "PACKING_LIST", "BILL_OF_LADING", "CERTIFICATE", "OTHER"]


def fmt_ts(t):
    """RFC 3339 with 'Z'; milliseconds only when there are any."""
    if t.microsecond:
        return t.strftime("%Y-%m-%dT%H:%M:%S.") + "%03dZ" % (t.microsecond // 1000)
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


def business_date(t):
    return (t + BUSINESS_OFFSET).date()


def local_instant(d, hh, mm, ss, ms=0):
    """The UTC instant of business-local date d at hh:mm:ss.ms."""
    naive = dt.datetime(d.year, d.month, d.day, hh, mm, ss, ms * 1000, tzinfo=UTC)
    return naive - BUSINESS_OFFSET


class OrderSim:
    """Builds one order's history, keeping the engine's view of it so every event is valid
    (except the ones emitted with invalid=..., which must leave the engine's state alone)."""

    def __init__(self, gen, index, placed_at):
        self.g = gen
        self.rng = gen.rng
        self.oid = "PO-%05d" % (1000 + index)
        self.t = placed_at
        self.seq = 0
        self.records = []  # (emit_at, line_json, event_id, valid)
        self.version = 0
        self.stage = None
        self.held = False
        self.lines = {}  # line_id -> ordered quantity
        self.shipped = {}
        self.shipments = {}  # shipment_id -> {line_id: quantity}
        self.supplier = None
        self.commit = None
        self.open_issues = {}  # issue_id -> category
        self.resolved_issues = {}  # issue_id -> category
        self.docs = []
        self.handoffs = {}  # handoff_id -> "REQUESTED" | "ACKNOWLEDGED"
        self.n_issue = self.n_doc = self.n_handoff = self.n_insp = self.n_ship = 0
        self.valid_events = []  # the accepted events, for choosing duplicates

    # ---- time ----------------------------------------------------------------------------
    def adv(self, lo_h, hi_h, midnight_p=0.08):
        secs = self.rng.uniform(lo_h * 3600.0, hi_h * 3600.0)
        if self.rng.random() < 0.3:
            step = dt.timedelta(milliseconds=int(secs * 1000))
        else:
            step = dt.timedelta(seconds=int(secs))
        self.t = self.t + max(step, dt.timedelta(seconds=1))
        if self.rng.random() < midnight_p:
            # a few minutes either side of midnight in +08:00 (16:00Z)
            cand = self.t.replace(hour=16, minute=0, second=0, microsecond=0) + dt.timedelta(
                seconds=self.rng.randint(-300, 300))
            if cand <= self.t:
                cand += dt.timedelta(days=1)
            self.t = cand

    def at(self, instant):
        """Moves the clock to an exact instant (must not go back)."""
        assert instant > self.t, (self.oid, instant, self.t)
        self.t = instant

    # ---- emission ------------------------------------------------------------------------
    def emit(self, name, payload, source, actor=None, invalid=None, occurred_at=None):
        """Appends one event at the clock (or at `occurred_at`: a source with a skewed clock;
        the log order stays the order of emission)."""
        self.seq += 1
        ev = {
            "event_id": "%s-%s-%d" % (source, self.oid, self.seq),
            "order_id": self.oid,
            "occurred_at": fmt_ts(occurred_at or self.t),
            "source": source,
            "actor": actor or self.actor,
            name: payload,
        }
        line = json.dumps(ev, separators=(",", ":"))
        self.records.append((self.t, line, ev["event_id"], invalid is None))
        if invalid is not None:
            self.g.invalid.append({"event_id": ev["event_id"], "order_id": self.oid,
                                   "payload": name, "reason": invalid})
        else:
            self.version += 1
            self.valid_events.append(len(self.records) - 1)
        return ev

    def terminal(self):
        return self.stage in ("CLOSED", "CANCELLED")

    # ---- side events (allowed on any non-terminal stage) ---------------------------------
    def side(self, intensity=1.0):
        r = self.rng
        for _ in range(r.choice([0, 1, 1, 2, 2])):
            if self.terminal():
                return
            self.adv(0.5, 20 * intensity)
            x = r.random()
            if x < 0.14:
                self.doc_issue()
            elif x < 0.165 and self.docs:
                self.emit("document_corrected",
                          {"document_id": r.choice(self.docs), "reason": "typo in consignee"},
                          "erp")
            elif x < 0.28:
                self.emit("milestone_planned", {
                    "milestone": r.choice(["MATERIALS_IN_HOUSE", "PRODUCTION_START",
                                           "PRODUCTION_END", "FINAL_INSPECTION", "EX_FACTORY",
                                           "DELIVERY"]),
                    "planned_date": (business_date(self.t) + dt.timedelta(
                        days=r.randint(3, 40))).isoformat()}, "mes")
            elif x < 0.40:
                self.issue_episode()
            elif x < 0.50 and self.open_issues:
                self.resolve_issue(r.choice(sorted(self.open_issues)))
            elif x < 0.51 and self.resolved_issues:
                self.reopen_issue(r.choice(sorted(self.resolved_issues)))
            elif x < 0.70:
                self.handoff_episode()
            elif x < 0.78 and self.handoffs:
                self.progress_handoff(r.choice(sorted(self.handoffs)))
            elif x < 0.90:
                self.contact()
            elif x < 0.93:
                self.feedback()
            elif x < 0.97 and self.stage not in ("PLACED",):
                self.inspect(r.choice(["INCOMING", "INLINE"]))
            else:
                self.contact(purpose="INQUIRY_RESPONSE")

    def doc_issue(self, doc_type=None):
        self.n_doc += 1
        doc_id = "%s-D%d" % (self.oid, self.n_doc)
        self.emit("document_issued",
                  {"document_id": doc_id, "document_type": doc_type or self.rng.choice(DOC_TYPES)},
                  "erp")
        self.docs.append(doc_id)

    def raise_issue(self, category=None, severity=None, complaint_reason=None):
        r = self.rng
        self.n_issue += 1
        iid = "I%d" % self.n_issue
        if category is None:
            category = "CUSTOMER_COMPLAINT" if r.random() < 0.15 else r.choice(
                NON_COMPLAINT_CATEGORIES)
        p = {"issue_id": iid, "category": category,
             "severity": severity or r.choice(["CRITICAL", "MAJOR", "MAJOR", "MINOR", "MINOR"]),
             "owner_department": r.choice(DEPARTMENTS),
             "description": "%s on %s" % (category.lower(), self.oid)}
        if category == "CUSTOMER_COMPLAINT":
            p["complaint_reason"] = complaint_reason or r.choice(COMPLAINT_REASONS)
        self.emit("issue_raised", p, "crm" if category == "CUSTOMER_COMPLAINT" else "qms")
        self.open_issues[iid] = (category, p["severity"])
        return iid

    def resolve_issue(self, iid, first_contact=None):
        if first_contact is None:
            first_contact = self.rng.random() < 0.6
        self.emit("issue_resolved", {"issue_id": iid, "resolution": "fixed",
                                     "first_contact": first_contact}, "crm")
        self.resolved_issues[iid] = self.open_issues.pop(iid)

    def reopen_issue(self, iid):
        self.emit("issue_reopened", {"issue_id": iid, "reason": "recurred"}, "crm")
        self.open_issues[iid] = self.resolved_issues.pop(iid)

    def issue_episode(self):
        """Raised, usually resolved within a time typical of its severity, sometimes reopened."""
        r = self.rng
        iid = self.raise_issue()
        sev = self.open_issues[iid][1]
        if r.random() < 0.8:
            sla = SLA_HOURS[sev]
            self.adv(0.2, sla * r.choice([0.3, 0.6, 0.9, 1.2, 1.6]), midnight_p=0.04)
            self.resolve_issue(iid)
            if r.random() < 0.08:
                self.adv(2, 48)
                self.reopen_issue(iid)
                if r.random() < 0.7:
                    self.adv(1, sla)
                    self.resolve_issue(iid)

    def handoff_episode(self):
        """Requested, usually acknowledged and completed; on time, late, or never."""
        r = self.rng
        hid = self.request_handoff()
        due = self.handoffs[hid][1]
        span = (due - self.t).total_seconds() / 3600.0
        if r.random() < 0.9:
            self.adv(0.1, max(0.2, span * 0.4), midnight_p=0.02)
            self.emit("handoff_acknowledged", {"handoff_id": hid}, "erp")
            self.handoffs[hid][0] = "ACKNOWLEDGED"
        if r.random() < 0.85:
            self.adv(0.1, max(0.2, span * 0.9), midnight_p=0.02)
            self.emit("handoff_completed", {"handoff_id": hid}, "erp")
            del self.handoffs[hid]

    def issue_at_sla_edge(self):
        """An issue resolved exactly at its SLA (within) or 1 ms past it (breach)."""
        sev = self.rng.choice(["CRITICAL", "MAJOR", "MINOR"])
        iid = self.raise_issue(category=self.rng.choice(NON_COMPLAINT_CATEGORIES), severity=sev)
        extra = dt.timedelta(milliseconds=self.rng.choice([0, 1]))
        self.at(self.t + dt.timedelta(hours=SLA_HOURS[sev]) + extra)
        self.resolve_issue(iid)

    def request_handoff(self, due_h=None, snap=True):
        r = self.rng
        self.n_handoff += 1
        hid = "H%d" % self.n_handoff
        due = self.t + dt.timedelta(hours=due_h if due_h is not None else r.choice(
            [4, 8, 24, 48, 72, 96]))
        if snap and r.random() < 0.25:  # due around midnight +08:00
            due = due.replace(hour=16, minute=0, second=0, microsecond=0) + dt.timedelta(
                seconds=r.choice([-1, 0, 1, -600, 600]))
            if due <= self.t:
                due += dt.timedelta(days=1)
        self.emit("handoff_requested", {
            "handoff_id": hid, "from_department": "MERCHANDISING",
            "to_department": r.choice(DEPARTMENTS), "subject": "please check",
            "due_at": fmt_ts(due)}, "erp")
        self.handoffs[hid] = ["REQUESTED", due]
        return hid

    def progress_handoff(self, hid):
        state, due = self.handoffs[hid]
        if state == "REQUESTED" and self.rng.random() < 0.8:
            self.emit("handoff_acknowledged", {"handoff_id": hid}, "erp")
            self.handoffs[hid][0] = "ACKNOWLEDGED"
        else:  # completing without acknowledging is allowed
            self.emit("handoff_completed", {"handoff_id": hid}, "erp")
            del self.handoffs[hid]

    def handoff_exact_due(self):
        """A handoff completed exactly at its due_at (on time)."""
        hid = self.request_handoff(due_h=self.rng.choice([6, 30]), snap=False)
        due = self.handoffs[hid][1]
        self.adv(0.1, 2, midnight_p=0)
        self.emit("handoff_acknowledged", {"handoff_id": hid}, "erp")
        self.at(due)
        self.emit("handoff_completed", {"handoff_id": hid}, "erp")
        del self.handoffs[hid]

    def contact(self, purpose=None):
        r = self.rng
        if purpose is None:
            purpose = r.choice(["STATUS_UPDATE", "STATUS_UPDATE", "STATUS_UPDATE",
                                "INQUIRY_RESPONSE", "OTHER"])
        self.emit("customer_contacted", {
            "channel": r.choice(["EMAIL", "PHONE", "PORTAL", "MEETING", "OTHER"]),
            "purpose": purpose}, "crm")

    def feedback(self):
        rating = self.rng.choice([1, 2, 3, 3, 4, 4, 4, 5, 5, 5, 5])
        self.emit("feedback_received", {"rating": rating, "comment": "rated %d" % rating}, "crm")

    def inspect(self, stage, result="PASSED", other_supplier=False):
        r = self.rng
        self.n_insp += 1
        inspected = r.randint(50, 600)
        if result == "FAILED":
            defective = r.randint(max(1, inspected // 20), max(2, inspected // 5))
        else:
            defective = r.choice([0, 0, 0, r.randint(0, max(1, inspected // 50))])
        p = {"inspection_id": "Q%d" % self.n_insp, "stage": stage, "result": result,
             "inspected_quantity": inspected, "defective_quantity": defective}
        if other_supplier:
            p["supplier_id"] = r.choice(THIRD_PARTY_INSPECTORS)
        elif r.random() < 0.2:
            p["supplier_id"] = self.supplier  # explicitly the order's own
        self.emit("inspection_recorded", p, "qms")

    def hold_cycle(self, blocked_payload=None):
        """Hold, maybe try a gated step while held (rejected ORDER_ON_HOLD), release."""
        self.adv(1, 20)
        self.emit("order_held", {"reason": self.rng.choice(["credit check", "awaiting deposit",
                                                            "spec question"])}, "erp")
        self.held = True
        if blocked_payload is not None and self.rng.random() < 0.3:
            self.adv(0.5, 10)
            name, payload, source = blocked_payload
            self.emit(name, payload, source, invalid="ORDER_ON_HOLD")
        self.side(0.5)
        self.adv(2, 48)
        self.emit("order_released", {}, "erp")
        self.held = False

    def amend(self, before_confirm, reason=None):
        r = self.rng
        reason = reason or r.choice(AMEND_REASONS)
        p = {"reason": reason}
        if r.random() < 0.75:
            base = self.commit or (business_date(self.t) + dt.timedelta(days=30))
            p["new_promised_date"] = (base + dt.timedelta(
                days=r.choice([-6, -3, 2, 4, 7, 10, 14]))).isoformat()
        if r.random() < 0.5 or "new_promised_date" not in p:
            changes = []
            for lid in sorted(self.lines):
                if r.random() < 0.5:
                    changes.append({"line_id": lid, "quantity": r.randint(100, 3000)})
            if r.random() < 0.3 or not changes:
                lid = "L%d" % (len(self.lines) + 1)
                changes.append({"line_id": lid, "quantity": r.randint(100, 1500)})
            p["line_changes"] = changes
        self.adv(2, 60)
        self.emit("order_amended", p, "erp")
        for ch in p.get("line_changes", []):
            self.lines[ch["line_id"]] = ch["quantity"]
            self.shipped.setdefault(ch["line_id"], 0)
        if (not before_confirm and self.commit is not None
                and reason in ("CUSTOMER_REQUEST", "ENTRY_ERROR") and "new_promised_date" in p):
            self.commit = dt.date.fromisoformat(p["new_promised_date"])

    # ---- the lifecycle -------------------------------------------------------------------
    def run(self):
        r = self.rng
        self.actor = r.choice(["merch.li", "merch.wang", "merch.chen", "merch.zhao"])
        fate = r.random()
        order = ["PLACED", "CONFIRMED", "IN_PRODUCTION", "PRODUCED", "READY_TO_SHIP", "SHIPPING",
                 "DELIVERED"]
        if fate < 0.08:
            self.cancel_at = r.choice(order[:5])
            self.stop_at = None
        elif fate < 0.20:
            self.cancel_at = None
            self.stop_at = r.choice(order)  # in progress at the end of the workload
        else:
            self.cancel_at = self.stop_at = None

        # placed
        self.supplier = r.choice(SUPPLIERS)
        nlines = r.choice([1, 1, 2, 2, 3])
        lines = [{"line_id": "L%d" % (i + 1), "sku": r.choice(SKUS),
                  "quantity": r.randint(200, 5000)} for i in range(nlines)]
        self.emit("order_placed", {
            "customer_id": r.choice(CUSTOMERS), "merchandiser_id": r.choice(MERCHANDISERS),
            "supplier_id": self.supplier,
            "requested_date": (business_date(self.t) + dt.timedelta(
                days=r.randint(30, 60))).isoformat(),
            "incoterm": r.choice(["FOB", "CIF", "EXW", "DDP"]), "lines": lines}, "erp")
        self.stage = "PLACED"
        self.placed_at = self.t
        for ln in lines:
            self.lines[ln["line_id"]] = ln["quantity"]
            self.shipped[ln["line_id"]] = 0
        if r.random() < 0.005:
            self.adv(0.1, 1)
            self.emit("order_placed", {"customer_id": "C-ACME", "merchandiser_id": "M-LI",
                                       "supplier_id": "F-NINGBO", "requested_date": "2026-06-01",
                                       "incoterm": "FOB", "lines": lines},
                      "erp", invalid="DUPLICATE_ORDER")
        if r.random() < 0.4:
            self.adv(0.2, 6)
            self.doc_issue("ORDER_CONFIRMATION")
        self.side(0.6)
        if r.random() < (0.6 if self.stop_at == "PLACED" else 0.10):
            # before confirmation: sets no commitment, whatever the reason (never-confirmed
            # orders with a CUSTOMER_REQUEST/ENTRY_ERROR date here must stay outside otif_rate)
            self.amend(before_confirm=True,
                       reason="CUSTOMER_REQUEST" if self.stop_at == "PLACED" else None)
        if self.maybe_end("PLACED"):
            return

        # confirmed
        promised = None

        def confirm_payload():
            return ("order_confirmed", {"promised_date": promised.isoformat()}, "erp")

        if r.random() < 0.08:
            promised = business_date(self.t) + dt.timedelta(days=r.randint(30, 60))
            self.hold_cycle(confirm_payload())
        self.adv(0.5, 40)
        if promised is None or promised <= business_date(self.t):
            promised = business_date(self.t) + dt.timedelta(days=r.randint(30, 60))
        skewed = None
        if r.random() < 0.015:  # the confirming system's clock is behind the ERP's
            skewed = self.placed_at - dt.timedelta(minutes=r.randint(1, 30))
        self.emit(*confirm_payload()[:2], "erp", occurred_at=skewed)
        self.stage = "CONFIRMED"
        self.commit = promised
        if r.random() < 0.3:
            for m in r.sample(["MATERIALS_IN_HOUSE", "PRODUCTION_START", "PRODUCTION_END",
                               "EX_FACTORY", "DELIVERY"], 2):
                self.adv(0.1, 5)
                self.emit("milestone_planned", {"milestone": m, "planned_date": (
                    business_date(self.t) + dt.timedelta(days=r.randint(5, 40))).isoformat()},
                    "mes")
        self.side()
        if r.random() < 0.22:
            self.amend(before_confirm=False)
        if r.random() < 0.02:
            self.adv(1, 5)
            self.emit("issue_resolved", {"issue_id": "I999", "resolution": "n/a",
                                         "first_contact": True}, "crm",
                      invalid="UNKNOWN_REFERENCE")
        self.adv(24, 24 * 6)
        self.emit("materials_in_house", {}, "wms")
        if r.random() < 0.4:
            self.adv(1, 24)
            self.inspect("INCOMING", r.choice(["PASSED", "PASSED", "FAILED"]))
        if r.random() < 0.06:
            self.hold_cycle(("production_started", {}, "mes"))
        if self.maybe_end("CONFIRMED"):
            return

        # in production
        self.adv(12, 24 * 4)
        self.emit("production_started", {}, "mes")
        self.stage = "IN_PRODUCTION"
        self.side()
        if r.random() < 0.5:
            self.adv(24, 24 * 5)
            self.inspect("INLINE", r.choice(["PASSED", "PASSED", "PASSED", "FAILED"]))
        if r.random() < 0.1:
            self.amend(before_confirm=False)
        if r.random() < 0.08:
            self.issue_at_sla_edge()
        if self.maybe_end("IN_PRODUCTION"):
            return

        # produced
        self.adv(24 * 3, 24 * 12)
        self.emit("production_completed", {"produced_quantity": sum(self.lines.values())}, "mes")
        self.stage = "PRODUCED"
        self.side(0.7)
        other = r.random() < 0.15
        fails = 0 if r.random() < 0.78 else (1 if r.random() < 0.8 else 2)
        for _ in range(fails):
            self.adv(6, 60)
            self.inspect("FINAL", "FAILED", other_supplier=other and r.random() < 0.7)
        if self.maybe_end("PRODUCED"):
            return
        self.adv(6, 72)
        self.inspect("FINAL", "PASSED", other_supplier=other)
        self.stage = "READY_TO_SHIP"
        self.side(0.5)
        if r.random() < 0.05:
            self.amend(before_confirm=False)
        if r.random() < 0.04:
            self.hold_cycle(("shipment_dispatched", {
                "shipment_id": "S-HELD", "carrier": "COSCO", "tracking_number": "X",
                "estimated_arrival_date": (business_date(self.t) + dt.timedelta(
                    days=20)).isoformat(),
                "lines": [{"line_id": lid, "quantity": 1} for lid in sorted(self.lines)]},
                "tms"))
        if self.maybe_end("READY_TO_SHIP"):
            return

        # shipping: partial shipments
        nship = r.choice([1, 1, 2, 2, 3])
        plan = [dict() for _ in range(nship)]
        by_line = len(self.lines) > 1 and r.random() < 0.35  # whole lines per shipment
        for n, (lid, qty) in enumerate(sorted(self.lines.items())):
            if by_line:
                plan[n % nship][lid] = qty
                continue
            if nship == 1 or qty < nship * 10:
                plan[r.randrange(nship)][lid] = qty
                continue
            cuts = sorted(r.sample(range(1, qty), nship - 1))
            parts = [b - a for a, b in zip([0] + cuts, cuts + [qty])]
            for i, q in enumerate(parts):
                plan[i][lid] = q
        plan = [p for p in plan if p]
        if r.random() < 0.015:
            lid = sorted(self.lines)[0]
            self.adv(1, 10)
            self.emit("shipment_dispatched", {
                "shipment_id": "S-OVER", "carrier": "MAERSK", "tracking_number": "OVER",
                "estimated_arrival_date": (business_date(self.t) + dt.timedelta(
                    days=20)).isoformat(),
                "lines": [{"line_id": lid, "quantity": self.lines[lid] + 1}]}, "tms",
                invalid="QUANTITY_EXCEEDED")
        ship_ids = []
        for i, p in enumerate(plan):
            self.adv(12, 24 * 4)
            sid = "S%d" % (i + 1)
            self.emit("shipment_dispatched", {
                "shipment_id": sid, "carrier": r.choice(["MAERSK", "COSCO", "DHL", "SF"]),
                "tracking_number": "TRK%s%d" % (self.oid[-4:], i),
                "estimated_arrival_date": (business_date(self.t) + dt.timedelta(
                    days=r.randint(5, 25))).isoformat(),
                "lines": [{"line_id": lid, "quantity": q} for lid, q in sorted(p.items())]},
                "tms")
            for lid, q in p.items():
                self.shipped[lid] += q
            self.shipments[sid] = p
            ship_ids.append(sid)
            self.stage = "SHIPPING"
            if i == 0 and r.random() < 0.02:
                self.adv(1, 5)
                self.emit("order_amended", {"reason": "CUSTOMER_REQUEST",
                                            "new_promised_date": "2026-03-01"}, "erp",
                          invalid="INVALID_TRANSITION")
            if i == 0 and r.random() < 0.01:
                self.adv(1, 5)
                self.emit("order_cancelled", {"reason": "too late", "cancelled_by": "CUSTOMER"},
                          "erp", invalid="INVALID_TRANSITION")
            if r.random() < 0.3:
                self.contact()
        self.side(0.5)
        deliver_order = list(ship_ids)
        if len(deliver_order) > 1 and r.random() < 0.3:
            r.shuffle(deliver_order)
        if self.stop_at == "SHIPPING":
            # partially delivered (or not at all) at the end
            for sid in deliver_order[:-1]:
                self.adv(24, 24 * 8)
                self.deliver(sid)
            return
        for sid in deliver_order[:-1]:
            self.adv(24, 24 * 8)
            self.deliver(sid)
            if r.random() < 0.02:
                self.adv(1, 10)
                self.emit("shipment_delivered", {"shipment_id": sid, "damaged_quantity": 0},
                          "tms", invalid="REFERENCE_STATE")
        # the completing delivery: on time, late, or right at the commit date's midnight edge
        mode = r.random()
        target = None
        if mode < 0.10:
            target = local_instant(self.commit, 23, 59, 59, 999)  # last ms of the commit date
        elif mode < 0.18:
            target = local_instant(self.commit + dt.timedelta(days=1), 0, 0, 0)  # 1 ms late
        elif mode < 0.60:
            target = local_instant(self.commit - dt.timedelta(days=r.randint(0, 9)),
                                   r.randint(0, 23), r.randint(0, 59), r.randint(0, 59))
        if target is not None and target > self.t + dt.timedelta(hours=12):
            self.at(target)
        else:
            self.adv(24, 24 * 8)
        self.deliver(deliver_order[-1])
        self.stage = "DELIVERED"
        if r.random() < 0.05:  # at the very instant of completion: not "before" it
            self.emit("customer_contacted", {"channel": "EMAIL", "purpose": "STATUS_UPDATE"},
                      "crm")
        if self.maybe_end("SHIPPING"):
            return

        # delivered -> after completion
        if r.random() < 0.5:
            self.adv(1, 72)
            self.contact(purpose="STATUS_UPDATE")
        if r.random() < 0.4:
            self.adv(2, 72)
            self.feedback()
        if r.random() < 0.06 and self.docs:
            self.adv(1, 48)
            self.emit("document_corrected", {"document_id": r.choice(self.docs),
                                             "reason": "invoice amount"}, "erp")
        if r.random() < 0.06:
            self.handoff_exact_due()
        self.side(0.6)
        # open handoffs: most get completed, some late, some never
        for hid in sorted(self.handoffs):
            while hid in self.handoffs and r.random() < 0.6:
                self.adv(1, 80)
                self.progress_handoff(hid)
        if self.open_issues and r.random() < 0.06:
            self.adv(1, 24)
            # DOMAIN.md §4 names no code for this; the engine answers REFERENCE_STATE (an issue
            # is in the wrong state), which is what the manifest expects
            self.emit("order_closed", {}, "erp", invalid="REFERENCE_STATE")
        for iid in sorted(self.open_issues):
            if r.random() < 0.9:
                self.adv(1, 100)
                self.resolve_issue(iid)
        if self.maybe_end("DELIVERED") or self.open_issues:
            return
        self.adv(24, 24 * 10)
        self.emit("order_closed", {}, "erp")
        self.stage = "CLOSED"

        # after-sales
        if r.random() < 0.02:
            self.adv(1, 48)
            self.emit("issue_raised", {"issue_id": "IX", "category": "QUALITY",
                                       "severity": "MINOR", "owner_department": "QUALITY",
                                       "description": "late internal issue"}, "qms",
                      invalid="ORDER_TERMINAL")
        if r.random() < 0.5:
            self.adv(2, 24 * 10)
            self.feedback()
        if r.random() < 0.2:
            self.adv(2, 24 * 20)
            self.contact()
        if r.random() < 0.22:
            self.adv(24, 24 * 20)
            iid = self.raise_issue(category="CUSTOMER_COMPLAINT",
                                   complaint_reason=r.choice(COMPLAINT_REASONS))
            self.adv(1, 120)
            self.resolve_issue(iid)
            if r.random() < 0.25:
                self.adv(4, 24 * 7)
                self.reopen_issue(iid)
                if r.random() < 0.8:
                    self.adv(1, 120)
                    self.resolve_issue(iid)
            if r.random() < 0.3:
                self.adv(1, 48)
                self.feedback()

    def deliver(self, sid):
        damaged = 0
        if self.rng.random() < 0.07:  # at most what the shipment carried
            damaged = self.rng.randint(1, min(30, sum(self.shipments[sid].values())))
        self.emit("shipment_delivered", {"shipment_id": sid, "damaged_quantity": damaged}, "tms")

    def maybe_end(self, stage):
        """Stops the history here if this order is cancelled or left in progress at `stage`."""
        r = self.rng
        if self.cancel_at == stage:
            # things that happened before the cancellation must all be left out of the KPIs
            if r.random() < 0.6:
                self.adv(1, 24)
                self.feedback()
            if r.random() < 0.6:
                iid = self.raise_issue()
                if r.random() < 0.7:
                    self.adv(1, 30)
                    self.resolve_issue(iid)
            if r.random() < 0.5:
                self.adv(1, 20)
                hid = self.request_handoff()
                self.adv(1, 10)
                self.progress_handoff(hid)
            if stage != "PLACED" and r.random() < 0.5:
                self.adv(1, 20)
                self.inspect("INCOMING", r.choice(["PASSED", "FAILED"]))
            if stage == "PRODUCED":
                self.adv(1, 20)
                self.inspect("FINAL", "FAILED")
            if self.docs and r.random() < 0.3:
                self.adv(1, 20)
                self.emit("document_corrected", {"document_id": self.docs[0], "reason": "x"},
                          "erp")
            if r.random() < 0.5:
                self.adv(1, 10)
                self.contact(purpose="STATUS_UPDATE")
            self.adv(2, 72)
            self.emit("order_cancelled", {
                "reason": r.choice(["customer withdrew", "credit refused", "duplicate"]),
                "cancelled_by": r.choice(["CUSTOMER", "INTERNAL"])}, "erp")
            self.stage = "CANCELLED"
            if r.random() < 0.3:
                self.adv(1, 48)
                self.emit("feedback_received", {"rating": 1, "comment": "cancelled"}, "crm",
                          invalid="ORDER_TERMINAL")
            return True
        if self.stop_at == stage:
            self.side()
            return True
        return False


class Generator:
    def __init__(self, seed):
        self.rng = random.Random(seed)
        self.invalid = []

    def build(self, n_orders, start, days):
        sims = []
        for i in range(n_orders):
            placed = start + dt.timedelta(seconds=self.rng.randint(0, days * 86400 - 1))
            if self.rng.random() < 0.1:  # placed just before or after midnight +08:00
                placed = placed.replace(hour=16, minute=0, second=0) + dt.timedelta(
                    seconds=self.rng.randint(-180, 180))
            sim = OrderSim(self, i, placed)
            sim.run()
            sims.append(sim)
        # a few exact re-sends (at-least-once delivery upstream): same event, later in the log
        dups = []
        for sim in self.rng.sample(sims, 8):
            idx = self.rng.choice(sim.valid_events)
            emit_at, line, eid, _ = sim.records[idx]
            pos = self.rng.randint(idx + 1, len(sim.records))
            later_at = sim.records[pos - 1][0]
            sim.records.insert(pos, (later_at, line, eid, None))  # None: a duplicate
            dups.append({"event_id": eid, "order_id": sim.oid})
        # interleave orders by time, keeping each order's events in its lifecycle order
        rows = []
        for n, sim in enumerate(sims):
            last = None
            for k, (emit_at, line, eid, valid) in enumerate(sim.records):
                last = emit_at if last is None else max(last, emit_at)
                rows.append((last, n, k, line))
        rows.sort()
        return sims, [row[3] for row in rows], dups


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--seed", type=int, default=20251001)
    ap.add_argument("--orders", type=int, default=450)
    ap.add_argument("--start", default="2025-10-06T00:00:00Z",
                    help="first possible order_placed instant (UTC)")
    ap.add_argument("--days", type=int, default=112, help="placement window in days")
    ap.add_argument("--out", required=True, help="JSON Lines output ('-' for stdout)")
    ap.add_argument("--manifest", required=True, help="manifest JSON output")
    args = ap.parse_args()

    start = dt.datetime.fromisoformat(args.start.replace("Z", "+00:00")).astimezone(UTC)
    gen = Generator(args.seed)
    sims, lines, dups = gen.build(args.orders, start, args.days)
    latest = max(dt.datetime.fromisoformat(
        json.loads(l)["occurred_at"].replace("Z", "+00:00")) for l in lines)
    if latest >= dt.datetime.now(UTC):
        sys.exit("kpi_workload.py: an event is in the future (%s); use an earlier --start"
                 % latest)
    out = sys.stdout if args.out == "-" else open(args.out, "w")
    for l in lines:
        out.write(l + "\n")
    if out is not sys.stdout:
        out.close()
    manifest = {
        "seed": args.seed,
        "orders": len(sims),
        "lines": len(lines),
        "accepted": sum(s.version for s in sims),
        "duplicates": dups,
        "invalid": gen.invalid,
        "final_versions": {s.oid: s.version for s in sims},
        "final_stages": {s.oid: s.stage for s in sims},
        "latest_occurred_at": fmt_ts(latest),
    }
    with open(args.manifest, "w") as f:
        json.dump(manifest, f, indent=1, sort_keys=True)


if __name__ == "__main__":
    main()
