#!/usr/bin/env python3
"""Writes the committed seed corpus of the fuzz targets (tests/fuzz/corpus/{engine,query}/).

engine: byte 0 picks the starting state of ORD-1 (fuzz_engine.cc: 0 = no order, 1 = PLACED,
2 = CONFIRMED, ..., 14 = CLOSED, 15..17 = held / cancelled / held while shipping), the rest is
an InboundEvent: one valid event of every payload, and the poison corpus (tests/poison/items).
query: byte 0 picks the route (0 orders, 1 kpis, 2 alerts, 3 an order id), the rest is the raw
query string. Needs protoc. Run: tests/fuzz/make_seeds.py
"""
import hashlib
import os
import subprocess

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))

PAYLOADS = {
    # payload text: the states (byte 0) it is sent against
    'order_placed { customer_id: "C" merchandiser_id: "M" supplier_id: "F" requested_date: "2024-07-01" '
    'incoterm: "FOB" lines { line_id: "L1" sku: "A" quantity: 10 } lines { line_id: "L2" quantity: 5 } }': [0, 1],
    'order_confirmed { promised_date: "2024-08-01" }': [1, 15],
    'order_amended { reason: CUSTOMER_REQUEST new_promised_date: "2024-08-09" '
    'line_changes { line_id: "L2" quantity: 6 } line_changes { line_id: "L3" quantity: 1 } }': [2, 8],
    'order_held { reason: "credit" }': [2, 15],
    'order_released {}': [15, 17],
    'order_cancelled { reason: "customer" cancelled_by: CUSTOMER }': [2, 16],
    'order_closed {}': [13, 14],
    'document_issued { document_id: "D2" document_type: COMMERCIAL_INVOICE }': [3, 14],
    'document_corrected { document_id: "D1" reason: "typo" }': [3],
    'milestone_planned { milestone: EX_FACTORY planned_date: "2024-07-20" }': [2],
    'materials_in_house {}': [2],
    'production_started {}': [5, 15],
    'production_completed { produced_quantity: 15 }': [6],
    'inspection_recorded { inspection_id: "Q2" stage: FINAL result: PASSED inspected_quantity: 15 defective_quantity: 1 }': [7, 9],
    'inspection_recorded { inspection_id: "Q3" stage: INLINE result: FAILED inspected_quantity: 5 defective_quantity: 5 supplier_id: "F2" }': [4],
    'shipment_dispatched { shipment_id: "S3" carrier: "X" tracking_number: "T" estimated_arrival_date: "2024-08-01" '
    'lines { line_id: "L1" quantity: 6 } }': [8, 9, 17],
    'shipment_delivered { shipment_id: "S1" damaged_quantity: 1 }': [9, 11],
    'customer_contacted { channel: EMAIL purpose: STATUS_UPDATE }': [3, 14],
    'feedback_received { rating: 5 comment: "great" }': [14],
    'issue_raised { issue_id: "I2" category: CUSTOMER_COMPLAINT severity: CRITICAL complaint_reason: DAMAGE '
    'owner_department: AFTER_SALES description: "dent" }': [14, 4],
    'issue_resolved { issue_id: "I1" resolution: "fixed" first_contact: true }': [4, 14],
    'issue_reopened { issue_id: "I1" reason: "again" }': [10],
    'handoff_requested { handoff_id: "H2" from_department: MERCHANDISING to_department: QUALITY subject: "s" '
    'due_at { seconds: 1720000000 } }': [3],
    'handoff_acknowledged { handoff_id: "H1" }': [5],
    'handoff_completed { handoff_id: "H1" }': [5],
}

QUERIES = [
    b"\x00", b"\x00stage=SHIPPING&limit=10", b"\x00customer=C1&merchandiser=M%201&supplier=F",
    b"\x00at_risk=true&limit=1000&cursor=2024-01-01%2FORD-1", b"\x00limit=0", b"\x00limit=99999999999",
    b"\x00stage=STAGE_UNSPECIFIED", b"\x00cursor=%FF%FE&limit=1&limit=2", b"\x00unknown=1",
    b"\x01from=2024-01-01&to=2024-12-31", b"\x01from=2024-01-01&to=2024-03-31&bucket=week&group_by=customer",
    b"\x01from=2024-02-30&to=2024-03-01", b"\x01from=2030-01-01&to=2020-01-01", b"\x01from=0001-01-01&to=9999-12-31",
    b"\x01from=2024-01-01&to=2024-01-02&bucket=%C3%28", b"\x01group_by=none&from=2024-01-01&to=2024-01-01",
    b"\x02open=true", b"\x02open=false", b"\x02", b"\x03ORD-1", b"\x03ORD%2F1", b"\x03" + b"O" * 65,
]

def encode(text):
    return subprocess.run(["protoc", "-I", os.path.join(ROOT, "proto"), "--encode=gendan.v1.InboundEvent",
                           "gendan/v1/events.proto"], input=text.encode(), capture_output=True,
                          check=True).stdout

def write(target, data):
    d = os.path.join(HERE, "corpus", target)
    os.makedirs(d, exist_ok=True)
    name = "seed-" + hashlib.sha1(data).hexdigest()[:16]
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)

def main():
    for n, (payload, states) in enumerate(PAYLOADS.items()):
        env = (f'event_id: "seed-{n}" order_id: "ORD-1" occurred_at {{ seconds: 1717200000 }} '
               f'source: "erp" actor: "fuzz" ')
        for state in states:
            write("engine", bytes([state]) + encode(env + payload))
        write("engine", bytes([states[0]]) + encode(env + f"expected_version: {states[0] + 1} " + payload))
    items = os.path.join(ROOT, "tests", "poison", "items")
    for i, name in enumerate(sorted(os.listdir(items))):
        with open(os.path.join(items, name), "rb") as f:
            write("engine", bytes([1 + i % 17]) + f.read())
    for q in QUERIES:
        write("query", q)

if __name__ == "__main__":
    main()
