#!/usr/bin/env bash
# Smoke test of `gendan simulate` (no broker): its JSON Lines are what `gendan publish` reads —
# one InboundEvent per line with an event_id, an order_id, an occurred_at and exactly one payload
# of DOMAIN.md §3 — stdout carries nothing else, the summary goes to stderr, the same seed gives
# the same bytes, another seed others, and bad flags exit 2.
#   tests/e2e/simulate_smoke.sh [path/to/gendan]
set -euo pipefail
BIN="${1:-$(cd "$(dirname "$0")/../.." && pwd)/build/gendan}"
TMP=$(mktemp -d /tmp/gendan-simulate-smoke.XXXXXX)
trap 'rm -rf "$TMP"' EXIT
fail() { echo "[simulate_smoke] FAIL: $*" >&2; exit 1; }

"$BIN" simulate --orders 60 --days 30 --seed 5 --invalid-rate 0.1 >"$TMP/a.jsonl" 2>"$TMP/a.err"
"$BIN" simulate --orders 60 --days 30 --seed 5 --invalid-rate 0.1 -o "$TMP/b.jsonl" 2>/dev/null
"$BIN" simulate --orders 60 --days 30 --seed 6 --invalid-rate 0.1 -o "$TMP/c.jsonl" 2>/dev/null
cmp -s "$TMP/a.jsonl" "$TMP/b.jsonl" || fail "the same seed gave different books"
cmp -s "$TMP/a.jsonl" "$TMP/c.jsonl" && fail "seeds 5 and 6 gave the same book"
grep -q '^simulated 60 orders .* valid facts, [0-9]* invalid; [0-9]* written to stdout$' "$TMP/a.err" ||
  fail "no summary on stderr: $(cat "$TMP/a.err")"

python3 - "$TMP/a.jsonl" "$TMP/a.err" <<'PY' || fail "bad JSON Lines (above)"
import json, re, sys
payloads = {"order_placed", "order_confirmed", "order_amended", "order_held", "order_released",
            "order_cancelled", "order_closed", "document_issued", "document_corrected",
            "milestone_planned", "materials_in_house", "production_started",
            "production_completed", "inspection_recorded", "shipment_dispatched",
            "shipment_delivered", "customer_contacted", "feedback_received", "issue_raised",
            "issue_resolved", "issue_reopened", "handoff_requested", "handoff_acknowledged",
            "handoff_completed"}
envelope = {"event_id", "order_id", "occurred_at", "source", "actor", "expected_version"}
lines = open(sys.argv[1]).read().splitlines()
summary = open(sys.argv[2]).read()
valid, invalid = map(int, re.search(r"(\d+) valid facts, (\d+) invalid", summary).groups())
assert len(lines) == valid + invalid, (len(lines), valid, invalid)
assert invalid > 0
ids, last = set(), ""
for n, line in enumerate(lines, 1):
    e = json.loads(line)
    keys = set(e)
    assert keys - envelope - payloads == set(), (n, keys)
    assert len(keys & payloads) == 1, (n, "needs exactly one payload", keys)
    assert e["event_id"] and e["order_id"] and e["occurred_at"].endswith("Z"), n
    assert re.fullmatch(r"[A-Za-z0-9._:-]{1,64}", e["order_id"]), n
    assert e["occurred_at"] >= last, (n, "not in time order")
    last = e["occurred_at"]
    assert e["event_id"] not in ids, (n, "event_id repeated")
    ids.add(e["event_id"])
print(f"[simulate_smoke] {len(lines)} lines ok ({valid} valid, {invalid} invalid)")
PY

set +e
"$BIN" simulate --start 2025-02-30 >"$TMP/bad.err" 2>&1; rc=$?
set -e
[[ $rc == 2 ]] || fail "a bad --start exited $rc, expected 2"
grep -q "start date" "$TMP/bad.err" || fail "a bad --start did not say why: $(cat "$TMP/bad.err")"
echo "[simulate_smoke] ok"
