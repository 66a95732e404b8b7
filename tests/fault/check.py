#!/usr/bin/env python3
"""Independent exactly-once checker for gendan's topics (issue 8).

Reads <prefix>inbound, <prefix>events and <prefix>rejections with its own client (kcat, librdkafka,
isolation.level=read_committed) and decodes the records with the hand-written protobuf wire
decoder below, from the field numbers of proto/gendan/v1 (the contract), not with gendan's code:

  check.py --bootstrap 127.0.0.1:19292 --prefix fault.123. --workload w.jsonl --manifest m.json \
           [--garbage N] [--engine-kills K ...] [--engine-committed offsets.json]

Verifies, per inbound record:
  * a record that is not an InboundEvent (garbage bytes) is rejected exactly once, as MALFORMED,
    at its inbound partition/offset;
  * the first record of every event_id is recorded in <prefix>events exactly once or rejected
    exactly once (never both, never twice); later records with the same event_id (upstream
    re-sends) leave no trace;
  * per order, the recorded versions are 1, 2, ..., n in log order (contiguous, no repeats);
  * against the workload's manifest (tests/e2e/kpi_workload.py): the accepted count, the rejected
    event_ids with their reason codes, and every order's final version.
With --engine-committed (the engine group's committed offsets, {"partition": offset}): only the
records below the committed offsets must have an outcome, and none at or above them may have one
(the engine stopped without committing past a batch it had not recorded); the manifest is not
compared then.
Prints the counts and "lost"/"duplicated"; exits 1 on any violation.
"""
import argparse
import collections
import json
import re
import subprocess
import sys

REASONS = {}  # number -> name, read from the contract (proto/gendan/v1/enums.proto)


def load_reasons(enums_proto):
    text = open(enums_proto).read()
    block = text[text.index("message RejectionReason"):]
    block = block[:block.index("}")]
    for name, num in re.findall(r"([A-Z_]+)\s*=\s*(\d+);", block):
        REASONS[int(num)] = name


class Malformed(Exception):
    pass


def varint(buf, i):
    shift = value = 0
    while True:
        if i >= len(buf) or shift > 63:
            raise Malformed("truncated varint")
        b = buf[i]
        i += 1
        value |= (b & 0x7F) << shift
        if not b & 0x80:
            return value, i
        shift += 7


def fields(buf):
    """Yields (field number, wire type, value) of one message; Malformed on bad bytes."""
    i = 0
    while i < len(buf):
        tag, i = varint(buf, i)
        num, wt = tag >> 3, tag & 7
        if num == 0:
            raise Malformed("field number 0")
        if wt == 0:
            v, i = varint(buf, i)
        elif wt == 1:
            v, i = buf[i:i + 8], i + 8
        elif wt == 2:
            n, i = varint(buf, i)
            if i + n > len(buf):
                raise Malformed("truncated field")
            v, i = buf[i:i + n], i + n
        elif wt == 5:
            v, i = buf[i:i + 4], i + 4
        else:
            raise Malformed("wire type %d" % wt)
        if i > len(buf):
            raise Malformed("truncated")
        yield num, wt, v


def decode(buf, want):
    """The fields of `want` ({number: kind}) of a message; kind is 'str', 'int' or 'bytes'."""
    out = {}
    for num, wt, v in fields(buf):
        kind = want.get(num)
        if kind == "str" and wt == 2:
            out[num] = v.decode("utf-8")
        elif kind == "bytes" and wt == 2:
            out[num] = v
        elif kind == "int" and wt == 0:
            out[num] = v
    return out


def read_topic(bootstrap, topic, path):
    """Every committed record of `topic` as (partition, offset, value bytes), in log order."""
    with open(path, "wb") as f:
        r = subprocess.run(["kcat", "-b", bootstrap, "-C", "-t", topic, "-o", "beginning", "-e",
                            "-q", "-X", "isolation.level=read_committed",
                            "-f", "%p %o %R%s"], stdout=f, stderr=subprocess.PIPE, timeout=600)
    if r.returncode != 0:
        sys.exit("check.py: kcat could not read %s: %s" % (topic, r.stderr.decode()[-500:]))
    data = open(path, "rb").read()
    out, i = [], 0
    while i < len(data):
        sp1 = data.index(b" ", i)
        sp2 = data.index(b" ", sp1 + 1)
        p, o = int(data[i:sp1]), int(data[sp1 + 1:sp2])
        n = int.from_bytes(data[sp2 + 1:sp2 + 5], "big", signed=True)
        i = sp2 + 5
        value = data[i:i + max(n, 0)]
        i += max(n, 0)
        out.append((p, o, value))
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--bootstrap", required=True)
    ap.add_argument("--prefix", required=True)
    ap.add_argument("--workload", help="the JSON Lines published (kpi_workload.py --out)")
    ap.add_argument("--manifest", help="its manifest (kpi_workload.py --manifest)")
    ap.add_argument("--garbage", type=int, default=0, help="raw non-protobuf records sent")
    ap.add_argument("--enums", default=None, help="proto/gendan/v1/enums.proto")
    ap.add_argument("--engine-committed", help="JSON {partition: committed offset}")
    ap.add_argument("--scratch", default="/tmp", help="where to keep the raw topic reads")
    ap.add_argument("--engine-kills", type=int, default=0)
    ap.add_argument("--projector-kills", type=int, default=0)
    ap.add_argument("--broker-restarts", type=int, default=0)
    args = ap.parse_args()
    load_reasons(args.enums or __file__.rsplit("/tests/", 1)[0] + "/proto/gendan/v1/enums.proto")

    inbound = read_topic(args.bootstrap, args.prefix + "inbound", args.scratch + "/inbound.bin")
    events = read_topic(args.bootstrap, args.prefix + "events", args.scratch + "/events.bin")
    rejections = read_topic(args.bootstrap, args.prefix + "rejections",
                            args.scratch + "/rejections.bin")
    committed = None
    if args.engine_committed:
        committed = {int(k): v for k, v in json.load(open(args.engine_committed)).items()}

    problems = []
    lost = duplicated = other = 0

    def problem(kind, text):
        nonlocal lost, duplicated, other
        if kind == "lost":
            lost += 1
        elif kind == "dup":
            duplicated += 1
        else:
            other += 1
        if len(problems) < 30:
            problems.append(text)
        elif len(problems) == 30:
            problems.append("... (more)")

    # Events: per event_id count, per order the versions in log order.
    ev_count = collections.Counter()
    versions = collections.defaultdict(list)
    for p, o, v in sorted(events):
        f = decode(v, {1: "str", 2: "str", 100: "int"})
        ev_count[f.get(1, "")] += 1
        versions[f.get(2, "")].append((f.get(100, 0), p, o))
    # Rejections: per inbound position and per event_id.
    rej_at = collections.defaultdict(list)
    rej_eid = collections.Counter()
    rej_reason = {}
    for p, o, v in rejections:
        f = decode(v, {1: "bytes", 2: "bytes", 3: "int", 7: "int", 8: "int"})
        eid = decode(f[1], {1: "str"}).get(1, "") if 1 in f else None
        rej_at[(f.get(7, 0), f.get(8, 0))].append((eid, f.get(3, 0)))
        if eid is not None:
            rej_eid[eid] += 1
            rej_reason[eid] = REASONS.get(f.get(3, 0), str(f.get(3, 0)))

    seen = set()
    garbage = dup_resends = 0
    outcome_positions = set()
    for p, o, v in inbound:
        below = committed is None or o < committed.get(p, 0)
        try:
            eid = decode(v, {1: "str", 2: "str"}).get(1, "")
        except (Malformed, UnicodeDecodeError):
            eid = None
        here = rej_at.get((p, o), [])
        if eid is None:
            garbage += 1
            if here:
                outcome_positions.add((p, o))
            if below and not here:
                problem("lost", "garbage record %d:%d has no MALFORMED rejection" % (p, o))
            elif len(here) > 1:
                problem("dup", "garbage record %d:%d rejected %d times" % (p, o, len(here)))
            elif here and REASONS.get(here[0][1]) != "MALFORMED":
                problem("other", "garbage record %d:%d rejected as %s" % (
                    p, o, REASONS.get(here[0][1])))
            continue
        if eid in seen:
            dup_resends += 1
            if here:
                problem("dup", "re-sent event_id %s at %d:%d was rejected again" % (eid, p, o))
            continue
        seen.add(eid)
        n = ev_count[eid] + rej_eid[eid]
        if n:
            outcome_positions.add((p, o))
        if n == 0 and below:
            problem("lost", "event_id %s (inbound %d:%d) is neither recorded nor rejected" % (
                eid, p, o))
        elif n > 1:
            problem("dup", "event_id %s recorded %d and rejected %d times" % (
                eid, ev_count[eid], rej_eid[eid]))
        elif n == 1 and not below:
            problem("other", "event_id %s (inbound %d:%d) has an outcome past the committed "
                    "offset %d" % (eid, p, o, committed.get(p, 0)))
    for eid, n in ev_count.items():
        if eid not in seen:
            problem("other", "recorded event_id %s was never sent" % eid)
    positions = {(ip, io) for ip, io, _ in inbound}
    for (p, o) in rej_at:
        if (p, o) not in positions:
            problem("other", "a rejection points at inbound %d:%d, which does not exist" % (p, o))

    gaps = 0
    for order, vs in versions.items():
        got = [v for v, _, _ in vs]
        if got != list(range(1, len(got) + 1)):
            gaps += 1
            problem("dup" if len(set(got)) < len(got) else "other",
                    "order %s versions in log order are %s" % (order, got[:20]))

    if committed is None and args.manifest:
        m = json.load(open(args.manifest))
        if len(ev_count) != m["accepted"] or sum(ev_count.values()) != m["accepted"]:
            problem("other", "recorded %d events (%d distinct), the workload has %d to accept" % (
                sum(ev_count.values()), len(ev_count), m["accepted"]))
        want_rej = {x["event_id"]: x["reason"] for x in m["invalid"]}
        got_rej = dict(rej_reason)
        for eid, reason in want_rej.items():
            if got_rej.get(eid) != reason:
                problem("other", "event_id %s: expected rejection %s, got %s" % (
                    eid, reason, got_rej.get(eid)))
        for eid in set(got_rej) - set(want_rej):
            problem("other", "event_id %s rejected as %s, but it is valid" % (eid, got_rej[eid]))
        for order, version in m["final_versions"].items():
            have = len(versions.get(order, []))
            if have != version:
                problem("other", "order %s ends at version %d, expected %d" % (
                    order, have, version))
        if garbage != args.garbage:
            problem("other", "found %d garbage records on inbound, sent %d" % (
                garbage, args.garbage))

    print("[check] inbound records:   %d (%d distinct event_ids, %d re-sends, %d garbage)" % (
        len(inbound), len(seen), dup_resends, garbage))
    print("[check] recorded events:   %d in %d orders" % (sum(ev_count.values()), len(versions)))
    print("[check] rejections:        %d" % len(rejections))
    if committed is not None:
        print("[check] engine committed:  %s (records with an outcome: %d)" % (
            json.dumps(committed, sort_keys=True), len(outcome_positions)))
    print("[check] engine kills: %d, projector kills: %d, broker restarts: %d" % (
        args.engine_kills, args.projector_kills, args.broker_restarts))
    print("[check] lost: %d, duplicated: %d, version gaps: %d, other problems: %d" % (
        lost, duplicated, gaps, other))
    for t in problems:
        print("[check]   " + t)
    if problems:
        print("[check] FAIL")
        return 1
    print("[check] PASS: every inbound record recorded or rejected exactly once")
    return 0


if __name__ == "__main__":
    sys.exit(main())
