#!/usr/bin/env bash
# ctest MonitoringFiles: deploy/monitoring (and the compose Prometheus config) checked with the
# real tools: `promtool check rules`, `promtool test rules` (the alert rules' unit tests: an idle
# worker does not alert, a stuck one does, ...), `promtool check config`; the Grafana dashboard
# parses (python3 -m json.tool) and every panel queries something. That the metrics these files
# use are really exposed is checked on a live /metrics by tests/e2e/metrics_e2e.sh.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
M="$ROOT/deploy/monitoring"
say() { printf '[monitoring_check] %s\n' "$*"; }
fail() { printf '[monitoring_check] FAIL: %s\n' "$*" >&2; exit 1; }
command -v promtool >/dev/null || fail "promtool is required (Debian package prometheus; deploy/local/install-deps.sh)"

promtool check rules "$M/gendan-alerts.yml" || fail "promtool check rules"
(cd "$M" && promtool test rules gendan-alerts_test.yml) || fail "promtool test rules"
promtool check config "$M/prometheus.yml" || fail "promtool check config prometheus.yml"
TMP="$(mktemp -d)"; trap 'rm -rf "$TMP"' EXIT
cp "$ROOT/deploy/docker/prometheus-compose.yml" "$M/gendan-alerts.yml" "$TMP/"
promtool check config "$TMP/prometheus-compose.yml" || fail "promtool check config prometheus-compose.yml"

python3 -m json.tool "$M/grafana-dashboard.json" >/dev/null || fail "grafana-dashboard.json is not JSON"
python3 - "$M/grafana-dashboard.json" <<'PY' || fail "grafana-dashboard.json"
import json, sys
d = json.load(open(sys.argv[1]))
assert d.get("uid") and d.get("title") and d.get("schemaVersion"), "uid, title, schemaVersion"
panels = [p for p in d["panels"] if p["type"] != "row"]
ids = [p["id"] for p in d["panels"]]
assert len(ids) == len(set(ids)), "panel ids are unique"
for p in panels:
    assert p.get("targets") and all(t.get("expr", "").count("gendan_") for t in p["targets"]), \
        "panel %r queries gendan metrics" % p["title"]
    g = p["gridPos"]
    assert 0 <= g["x"] and g["x"] + g["w"] <= 24, "panel %r fits the 24-column grid" % p["title"]
names = {t["expr"] for p in panels for t in p["targets"]}
for want in ("gendan_consumer_lag", "gendan_worker_last_poll_timestamp_seconds",
             "gendan_worker_last_progress_timestamp_seconds", "gendan_engine_rejected_total",
             "gendan_engine_transactions_aborted_total", "gendan_rocksdb_", "gendan_kpi{"):
    assert any(want in e for e in names), "the dashboard shows " + want
print("[monitoring_check] grafana-dashboard.json: %d panels, every one querying gendan metrics" % len(panels))
PY
say "PASS"
