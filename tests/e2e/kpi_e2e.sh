#!/usr/bin/env bash
# End-to-end KPI check (issue 4): a generated multi-month workload with known answers is fed
# through `gendan publish` into a real broker, `gendan run` decides and projects it, and every
# KPI read from GET /v1/kpis must match the independent oracle (tests/e2e/kpi_oracle.py).
#
#   tests/e2e/kpi_e2e.sh [path/to/gendan]      (default: build/gendan)
#
# Env: GENDAN_BOOTSTRAP (default 127.0.0.1:9092); CI=true makes a missing broker a failure
# (otherwise the test is skipped with exit code 77); KPI_E2E_SEED, KPI_E2E_ORDERS to vary the
# workload; KPI_E2E_KEEP=1 keeps the temp dir (logs, workload) for a look afterwards.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=tests/e2e/lib.sh
source "$HERE/lib.sh"
e2e_init kpi "${1:-}"
SEED="${KPI_E2E_SEED:-20251001}"
ORDERS="${KPI_E2E_ORDERS:-450}"
OFFSET="+08:00"

e2e_require_tools
e2e_require_broker
e2e_setup_scratch
e2e_make_workload
e2e_create_topics
e2e_start_gendan -X projector.utc_offset="$OFFSET"
e2e_publish

# ---- wait until everything is decided and projected, then check the orders ---------------
python3 - "$BASE" "$TMP/manifest.json" <<'PY' || fail "the engine/projector did not take the workload as expected"
import collections, json, sys, time, urllib.request
base, manifest = sys.argv[1], json.load(open(sys.argv[2]))

def get(path):
    with urllib.request.urlopen(base + path, timeout=10) as r:
        return r.read().decode()

def metrics():
    out = collections.defaultdict(float)
    for line in get("/metrics").splitlines():
        if line.startswith("#") or not line.strip():
            continue
        name, value = line.rsplit(" ", 1)
        out[name] = float(value)
        out[name.split("{")[0] + "{*}"] += float(value)
    return out

want = {
    "gendan_engine_accepted_total": manifest["accepted"],
    "gendan_engine_duplicates_total": len(manifest["duplicates"]),
    "gendan_engine_rejected_total{*}": len(manifest["invalid"]),
    "gendan_projector_events_total": manifest["accepted"],
}
deadline = time.time() + 45
m = {}
while time.time() < deadline:
    m = metrics()
    if all(m.get(k, 0) >= v for k, v in want.items()):
        break
    time.sleep(0.25)
time.sleep(1.0)  # anything beyond the expected counts would show up now
m = metrics()
ok = True
for k, v in want.items():
    got = int(m.get(k, 0))
    print("[kpi_e2e]   %-36s %6d (expected %d)%s" % (k, got, v, "" if got == v else "  <-- WRONG"))
    ok &= got == v
by_reason = collections.Counter(x["reason"] for x in manifest["invalid"])
for reason in sorted(set(by_reason) | {k.split('"')[1] for k in m if k.startswith(
        "gendan_engine_rejected_total{reason=") and m[k] > 0}):
    got = int(m.get('gendan_engine_rejected_total{reason="%s"}' % reason, 0))
    if got != by_reason.get(reason, 0):
        print("[kpi_e2e]   rejections %s: %d, expected %d  <-- WRONG" % (
            reason, got, by_reason.get(reason, 0)))
        ok = False
# every order at its final version and stage, read back through /v1/orders
seen, cursor = {}, ""
while True:
    page = json.loads(get("/v1/orders?limit=1000" + ("&cursor=" + cursor if cursor else "")))
    for o in page["orders"]:
        seen[o["order_id"]] = (o["version"], o["stage"])
    cursor = page.get("next_cursor") or ""
    if not cursor:
        break
bad = [(oid, seen.get(oid), (v, manifest["final_stages"][oid]))
       for oid, v in sorted(manifest["final_versions"].items())
       if seen.get(oid) != (v, manifest["final_stages"][oid])]
print("[kpi_e2e]   /v1/orders: %d orders, %d at the expected version and stage" % (
    len(seen), len(manifest["final_versions"]) - len(bad)))
for b in bad[:10]:
    print("[kpi_e2e]   order %s: (version, stage) %s, expected %s  <-- WRONG" % b)
ok &= not bad and len(seen) == len(manifest["final_versions"])
sys.exit(0 if ok else 1)
PY
curl -fsS "$BASE/readyz" >/dev/null || fail "/readyz is not 200 after catching up"

# ---- compare the KPIs --------------------------------------------------------------------
# The workload places orders from 2025-10-06 to 2026-01-25 and runs to about 2026-05.
QUERIES=(
  2025-09-01:2026-06-30:none:none          # the whole span, one entry
  2025-09-01:2026-06-30:month:none         # month buckets
  2025-11-20:2026-02-10:week:none          # ISO weeks across the year end, clipped first week
  2025-12-26:2026-01-04:day:none           # 10 days across month and year end
  2025-10-31:2025-11-09:day:none           # 10 days across a month end
  2025-09-01:2026-06-30:none:merchandiser
  2025-09-01:2026-06-30:none:customer
  2025-09-01:2026-06-30:none:supplier
  2025-10-15:2026-03-14:month:merchandiser # clipped first and last months
  2025-10-01:2026-04-30:month:customer
  2025-12-01:2026-01-31:week:supplier
  2026-01-01:2026-01-10:day:merchandiser
  2024-01-01:2024-01-31:none:none          # no data: the null group with empty KPIs
  2024-01-01:2024-01-31:week:customer      # no data: no groups
)
say "comparing /v1/kpis with the oracle ($OFFSET business time):"
rc=0
python3 "$HERE/kpi_oracle.py" check --workload "$TMP/workload.jsonl" \
  --manifest "$TMP/manifest.json" --offset "$OFFSET" --base-url "$BASE" \
  $(printf -- '--query %s ' "${QUERIES[@]}") || rc=$?
say "took $(( $(date +%s) - START_TS )) s"
if [[ $rc -ne 0 ]]; then
  say "FAIL: /v1/kpis differs from the oracle (KPI_E2E_KEEP=1 keeps the workload and logs)"
  exit 1
fi
say "PASS"
