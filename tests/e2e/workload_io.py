"""What both e2e oracles read the same way: the workload's JSON Lines and its instants.

Shared by kpi_oracle.py and alerts_oracle.py; written from DOMAIN.md, not from the C++ code.
"""

import datetime as dt
import json

ENVELOPE = {"event_id", "order_id", "occurred_at", "source", "actor", "expected_version"}
MS_PER_HOUR = 3_600_000
MS_PER_DAY = 86_400_000


def parse_instant_ms(text):
    """RFC 3339 -> milliseconds since the epoch (exact integer; sub-ms digits truncated)."""
    s = text.strip()
    if s[-1] in "Zz":
        s, off = s[:-1], 0
    else:
        sign = 1 if s[-6] == "+" else -1
        off = sign * (int(s[-5:-3]) * 60 + int(s[-2:]))
        s = s[:-6]
    frac_ms = 0
    if "." in s:
        s, frac = s.split(".", 1)
        frac_ms = int((frac + "000")[:3])
    base = dt.datetime.strptime(s, "%Y-%m-%dT%H:%M:%S").replace(tzinfo=dt.timezone.utc)
    return (int(base.timestamp()) - off * 60) * 1000 + frac_ms


def parse_offset_minutes(text):
    if text in ("Z", "z"):
        return 0
    sign = 1 if text[0] == "+" else -1
    return sign * (int(text[1:3]) * 60 + int(text[4:6]))


def parse_date(text):
    try:
        return dt.date.fromisoformat(text)
    except (TypeError, ValueError):
        return None


def load_events(workload_path, manifest_path=None):
    """The events the engine accepts, per order in log order: the manifest's deliberately
    invalid events and re-sent duplicates are left out."""
    invalid = set()
    if manifest_path:
        with open(manifest_path) as f:
            manifest = json.load(f)
        invalid = {(x["order_id"], x["event_id"]) for x in manifest.get("invalid", [])}
    seen, orders = set(), {}
    with open(workload_path) as f:
        for line in f:
            line = line.strip()
            if not line:
                continue
            ev = json.loads(line)
            key = (ev["order_id"], ev["event_id"])
            if key in invalid or key in seen:
                continue
            seen.add(key)
            orders.setdefault(ev["order_id"], []).append(ev)
    return orders


def payload_of(ev):
    """(oneof member name, payload) of an InboundEvent in JSON."""
    names = [k for k in ev if k not in ENVELOPE]
    assert len(names) == 1, ev
    return names[0], ev[names[0]]
