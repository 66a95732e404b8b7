#!/usr/bin/env python3
"""Writes the poison corpus: tests/poison/items/<name>.bin and tests/poison/manifest.tsv.

Each item is one gendan.inbound record value that must be refused with one reason code
(DOMAIN.md §4); poison_test (tests/consumers/poison_test.cc) sends every item through the pure
core and through the real engine on the broker. Protobuf items are written here as text format
and encoded with `protoc --encode`; the rest are raw bytes. Every item is about order ORD-P1,
which the test places first; the record key is ORD-P1 unless the item names another.

Run after changing an item (needs protoc):  tests/poison/make_corpus.py
"""
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))

# A well-formed envelope: event id, the order, 2024-06-01T00:00:00Z.
def env(eid, order="ORD-P1", at="occurred_at { seconds: 1717200000 }"):
    return f'event_id: "{eid}" order_id: "{order}" {at} source: "erp" actor: "poison" '

DOC = 'document_issued { document_id: "D1" document_type: CONTRACT }'
PLACE = ('order_placed { customer_id: "C" merchandiser_id: "M" supplier_id: "F" '
         'lines { line_id: "L1" quantity: 10 } }')
HANDOFF = ('handoff_requested { handoff_id: "H1" from_department: SALES '
           'to_department: LOGISTICS subject: "s" ')

# (name, reason, key or None, description, text format of an InboundEvent)
TEXT_ITEMS = [
    # Missing required fields.
    ("missing_event_id", "INVALID_EVENT", None, "no event_id", env("").replace('event_id: "" ', "") + DOC),
    ("missing_order_id", "INVALID_EVENT", None, "no order_id", 'event_id: "p-noorder" occurred_at { seconds: 1717200000 } ' + DOC),
    ("missing_occurred_at", "INVALID_EVENT", None, "no occurred_at", env("p-noat", at="") + DOC),
    ("missing_payload", "INVALID_EVENT", None, "no payload", env("p-nopayload")),
    ("missing_lines", "INVALID_EVENT", None, "order_placed without lines",
     env("p-nolines") + 'order_placed { customer_id: "C" merchandiser_id: "M" supplier_id: "F" }'),
    ("missing_customer", "INVALID_EVENT", None, "order_placed without customer_id",
     env("p-nocust") + 'order_placed { merchandiser_id: "M" supplier_id: "F" lines { line_id: "L1" quantity: 1 } }'),
    ("missing_promised_date", "INVALID_EVENT", None, "order_confirmed without promised_date",
     env("p-nopromise") + "order_confirmed {}"),
    ("missing_inspection_stage", "INVALID_EVENT", None, "inspection without stage",
     env("p-nostage") + 'inspection_recorded { inspection_id: "Q1" result: PASSED inspected_quantity: 5 }'),
    ("missing_enum_zero", "INVALID_EVENT", None, "document_type left at 0 (unset)",
     env("p-enum0") + 'document_issued { document_id: "D1" }'),
    # Unknown enum values (proto3 keeps them as numbers).
    ("unknown_enum_document_type", "INVALID_EVENT", None, "document_type 99",
     env("p-enum99") + 'document_issued { document_id: "D1" document_type: 99 }'),
    ("unknown_enum_category", "INVALID_EVENT", None, "issue category 42",
     env("p-enum42") + 'issue_raised { issue_id: "I1" category: 42 severity: MINOR owner_department: QUALITY }'),
    ("unknown_enum_negative", "INVALID_EVENT", None, "cancelled_by -1",
     env("p-enumneg") + 'order_cancelled { cancelled_by: -1 }'),
    # Negative and absurd quantities.
    ("negative_line_quantity", "INVALID_EVENT", None, "amended line quantity -5",
     env("p-negline") + 'order_amended { reason: OTHER line_changes { line_id: "L1" quantity: -5 } }'),
    ("zero_line_quantity", "INVALID_EVENT", None, "amended line quantity 0",
     env("p-zeroline") + 'order_amended { reason: OTHER line_changes { line_id: "L1" quantity: 0 } }'),
    ("negative_produced", "INVALID_EVENT", None, "produced_quantity -1",
     env("p-negprod") + "production_completed { produced_quantity: -1 }"),
    ("negative_damaged", "INVALID_EVENT", None, "damaged_quantity -3",
     env("p-negdmg") + 'shipment_delivered { shipment_id: "S1" damaged_quantity: -3 }'),
    ("negative_defective", "INVALID_EVENT", None, "defective_quantity -1",
     env("p-negdef") + 'inspection_recorded { inspection_id: "Q1" stage: INLINE result: PASSED inspected_quantity: 5 defective_quantity: -1 }'),
    ("defective_above_inspected", "INVALID_EVENT", None, "defective 6 of 5 inspected",
     env("p-def6") + 'inspection_recorded { inspection_id: "Q1" stage: INLINE result: FAILED inspected_quantity: 5 defective_quantity: 6 }'),
    ("absurd_line_quantity", "INVALID_EVENT", None, "line quantity INT64_MAX",
     env("p-maxline") + 'order_amended { reason: OTHER line_changes { line_id: "L1" quantity: 9223372036854775807 } }'),
    ("absurd_inspected", "INVALID_EVENT", None, "inspected 10^15 units",
     env("p-maxinsp") + 'inspection_recorded { inspection_id: "Q1" stage: INLINE result: PASSED inspected_quantity: 1000000000000000 }'),
    ("negative_expected_version", "INVALID_EVENT", None, "expected_version -1",
     env("p-negver") + "expected_version: -1 " + DOC),
    # Ratings out of range.
    ("rating_zero", "INVALID_EVENT", None, "rating 0", env("p-r0") + "feedback_received { rating: 0 }"),
    ("rating_six", "INVALID_EVENT", None, "rating 6", env("p-r6") + "feedback_received { rating: 6 }"),
    ("rating_negative", "INVALID_EVENT", None, "rating -1", env("p-rneg") + "feedback_received { rating: -1 }"),
    ("rating_int32_max", "INVALID_EVENT", None, "rating 2147483647",
     env("p-rmax") + "feedback_received { rating: 2147483647 }"),
    # Timestamps: far future, beyond the Timestamp range, ancient, zero.
    ("future_year_2999", "FUTURE_EVENT", None, "occurred_at in 2999",
     env("p-2999", at="occurred_at { seconds: 32503680000 }") + DOC),
    ("future_year_9999", "FUTURE_EVENT", None, "occurred_at 9999-12-31T23:59:59Z",
     env("p-9999", at="occurred_at { seconds: 253402300799 }") + DOC),
    ("beyond_timestamp_range", "INVALID_EVENT", None, "occurred_at after year 9999",
     env("p-10000", at="occurred_at { seconds: 253402300800 }") + DOC),
    ("millis_as_seconds", "INVALID_EVENT", None, "milliseconds in the seconds field (year 56000)",
     env("p-ms", at="occurred_at { seconds: 1717200000000 }") + DOC),
    ("ancient_epoch_zero", "INVALID_EVENT", None, "occurred_at present but zero (1970-01-01)",
     env("p-epoch", at="occurred_at {}") + DOC),
    ("ancient_year_1", "INVALID_EVENT", None, "occurred_at 0001-01-01 (a zero time.Time)",
     env("p-year1", at="occurred_at { seconds: -62135596800 }") + DOC),
    ("ancient_1999", "INVALID_EVENT", None, "occurred_at 1999-12-31",
     env("p-1999", at="occurred_at { seconds: 946684799 }") + DOC),
    ("before_year_1", "INVALID_EVENT", None, "occurred_at before year 1",
     env("p-year0", at="occurred_at { seconds: -62135596801 }") + DOC),
    ("negative_nanos", "INVALID_EVENT", None, "occurred_at nanos -1",
     env("p-nanos", at="occurred_at { seconds: 1717200000 nanos: -1 }") + DOC),
    ("due_at_zero", "INVALID_EVENT", None, "handoff due_at present but zero",
     env("p-due0") + HANDOFF + "due_at {} }"),
    ("bad_date", "INVALID_EVENT", None, "promised_date 2024-02-30",
     env("p-feb30") + 'order_confirmed { promised_date: "2024-02-30" }'),
    ("bad_date_words", "INVALID_EVENT", None, "promised_date 'tomorrow'",
     env("p-tomorrow") + 'order_confirmed { promised_date: "tomorrow" }'),
    # Ids with forbidden characters, and oversized strings.
    ("order_id_slash", "INVALID_EVENT", "ORD/P1", "order_id with a slash", env("p-slash", order="ORD/P1") + DOC),
    ("order_id_space", "INVALID_EVENT", "ORD P1", "order_id with a space", env("p-space", order="ORD P1") + DOC),
    ("order_id_nul", "INVALID_EVENT", None, "order_id with a NUL byte",
     env("p-nul", order="ORD\\000P1") + DOC),
    ("order_id_unicode", "INVALID_EVENT", None, "order_id in Chinese (valid UTF-8, forbidden)",
     env("p-zh", order="\\350\\267\\237\\345\\215\\225-1") + DOC),
    ("order_id_too_long", "INVALID_EVENT", None, "order_id of 65 characters",
     env("p-long", order="O" * 65) + DOC),
    ("order_id_long_unicode", "INVALID_EVENT", None, "order_id of 90 bytes of 跟 (quote cut mid-character)",
     env("p-longzh", order="\\350\\267\\237" * 30) + DOC),
    ("event_id_too_long", "INVALID_EVENT", None, "event_id of 129 characters", env("e" * 129) + DOC),
    ("actor_newline", "INVALID_EVENT", None, "actor with a newline",
     env("p-nl").replace('actor: "poison"', 'actor: "a\\nb"') + DOC),
    ("id_control_char", "INVALID_EVENT", None, "document_id with an escape character",
     env("p-esc") + 'document_issued { document_id: "D\\033[31m" document_type: CONTRACT }'),
    ("huge_comment", "INVALID_EVENT", None, "feedback comment of 5000 bytes",
     env("p-bigtext") + 'feedback_received { rating: 4 comment: "' + "x" * 5000 + '" }'),
    ("huge_id", "INVALID_EVENT", None, "document_id of 300 bytes",
     env("p-bigid") + 'document_issued { document_id: "' + "D" * 300 + '" document_type: CONTRACT }'),
    ("too_many_lines", "INVALID_EVENT", None, "order_amended with 1001 line changes",
     env("p-lines") + "order_amended { reason: OTHER " +
     " ".join(f'line_changes {{ line_id: "N{i}" quantity: 1 }}' for i in range(1001)) + " }"),
    # A well-formed event whose record key is another order's.
    ("key_mismatch", "INVALID_EVENT", "ORD-OTHER", "record key differs from order_id", env("p-key") + DOC),
]

def varint(n):
    n &= (1 << 64) - 1
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        out.append(b | (0x80 if n else 0))
        if not n:
            return bytes(out)

def field(num, wire, payload):
    key = varint((num << 3) | wire)
    if wire == 2:
        return key + varint(len(payload)) + payload
    return key + payload

def s(num, text):
    return field(num, 2, text if isinstance(text, bytes) else text.encode())

def encode(text, message="gendan.v1.InboundEvent", proto="gendan/v1/events.proto"):
    return subprocess.run(["protoc", "-I", os.path.join(ROOT, "proto"), f"--encode={message}", proto],
                          input=text.encode(), capture_output=True, check=True).stdout

def raw_items():
    good = encode(env("p-good") + DOC)
    at = field(3, 2, field(1, 0, varint(1717200000)))
    doc = field(30, 2, s(1, "D1") + field(2, 0, varint(2)))
    return [
        ("not_protobuf_ff", "MALFORMED", None, "0xff bytes (field 0 / wire type 7)", b"\xff" * 16),
        ("not_protobuf_json", "MALFORMED", None, "the event as JSON text",
         b'{"event_id":"p-json","order_id":"ORD-P1","document_issued":{"document_id":"D1"}}'),
        ("not_protobuf_zero_tag", "MALFORMED", None, "a field number of 0", b"\x00\x01\x02\x03"),
        ("truncated_mid_string", "MALFORMED", None, "a good event cut in the middle of a field",
         good[: len(good) // 2 + 3]),
        ("truncated_varint", "MALFORMED", None, "ends inside a varint", s(1, "p-tv") + b"\x30\xff\xff"),
        ("length_beyond_end", "MALFORMED", None, "a length prefix larger than the record",
         b"\x0a\xff\xff\xff\x0f" + b"abc"),
        ("invalid_utf8_event_id", "MALFORMED", None, "event_id bytes ff fe (not UTF-8)",
         s(1, b"p-\xff\xfe") + s(2, "ORD-P1") + at + doc),
        ("invalid_utf8_comment", "MALFORMED", None, "feedback comment with a lone continuation byte",
         s(1, "p-badutf") + s(2, "ORD-P1") + at + field(71, 2, field(1, 0, varint(4)) + s(2, b"ok \x80 ok"))),
        ("invalid_utf8_surrogate", "MALFORMED", None, "actor holding an encoded UTF-16 surrogate",
         s(1, "p-surr") + s(2, "ORD-P1") + at + s(5, b"\xed\xa0\x80") + doc),
        ("wire_type_mismatch", "INVALID_EVENT", None,
         "event_id sent as a varint: protobuf keeps it as an unknown field, so event_id is missing",
         field(1, 0, varint(42)) + s(2, "ORD-P1") + at + doc),
        ("unknown_payload_field", "INVALID_EVENT", None, "a payload field number this engine does not know (99)",
         s(1, "p-unk") + s(2, "ORD-P1") + at + field(99, 2, s(1, "x"))),
        ("wrong_type_timestamp", "INVALID_EVENT", None,
         "a google.protobuf.Timestamp: parses with nothing set (wire types differ)",
         encode("seconds: 1717200000 nanos: 5", "google.protobuf.Timestamp", "google/protobuf/timestamp.proto")),
        ("wrong_type_rejection", "MALFORMED", None,
         "a gendan.v1.Rejection: its nested inbound lands in event_id as bytes with invalid UTF-8",
         encode('inbound { event_id: "x" order_id: "ORD-P1" occurred_at { seconds: 1717200000 } } '
                'reason: INVALID_EVENT message: "m" rejected_at { seconds: 1717200000 }',
                "gendan.v1.Rejection")),
        ("empty_record", "INVALID_EVENT", None, "zero bytes: an InboundEvent with nothing set", b""),
    ]

def main():
    items_dir = os.path.join(HERE, "items")
    os.makedirs(items_dir, exist_ok=True)
    for f in os.listdir(items_dir):
        os.remove(os.path.join(items_dir, f))
    rows = []
    items = [(n, r, k, d, encode(t)) for n, r, k, d, t in TEXT_ITEMS] + raw_items()
    for name, reason, key, desc, data in items:
        with open(os.path.join(items_dir, name + ".bin"), "wb") as f:
            f.write(data)
        rows.append(f"{name}.bin\t{reason}\t{key or 'ORD-P1'}\t{desc}")
    with open(os.path.join(HERE, "manifest.tsv"), "w") as f:
        f.write("# file\texpected reason\trecord key\twhat it is (generated by make_corpus.py)\n")
        f.write("\n".join(rows) + "\n")
    print(f"{len(rows)} poison items in {items_dir}")

if __name__ == "__main__":
    sys.exit(main())
