#include "consumers/metrics.h"

#include <cmath>
#include <sstream>
#include <vector>

#include "engine/describe.h"
#include "projections/kpi.h"
#include "projections/read_model_store.h"

namespace gendan {
namespace {

using Labels = std::vector<std::pair<std::string, std::string>>;

std::string EscapeLabel(const std::string& v) {
  std::string out;
  for (char c : v) {
    if (c == '\\' || c == '"') out += '\\';
    out += c == '\n' ? std::string("\\n") : std::string(1, c);
  }
  return out;
}

// Integers as integers; other values with enough digits to round-trip.
std::string FormatValue(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  std::ostringstream out;
  if (v == std::floor(v) && std::fabs(v) < 9e15) {
    out << static_cast<int64_t>(v);
  } else {
    out.precision(15);
    out << v;
  }
  return out.str();
}

// Collects samples by family, so that every family is written once, in first-seen order, with
// its HELP and TYPE lines and all its samples together.
class Exposition {
 public:
  void Add(const std::string& name, const char* type, const char* help, const Labels& labels,
           double value) {
    auto [it, fresh] = index_.try_emplace(name, families_.size());
    if (fresh) families_.push_back({name, type, help, {}});
    std::string line = name;
    if (!labels.empty()) {
      line += '{';
      for (size_t i = 0; i < labels.size(); ++i) {
        if (i > 0) line += ',';
        line += labels[i].first + "=\"" + EscapeLabel(labels[i].second) + "\"";
      }
      line += '}';
    }
    families_[it->second].samples.push_back(line + " " + FormatValue(value));
  }
  void Add(const std::string& name, const char* type, const char* help, double value) {
    Add(name, type, help, {}, value);
  }
  std::string Text() const {
    std::string out;
    for (const Family& f : families_) {
      out += "# HELP " + f.name + " " + f.help + "\n# TYPE " + f.name + " " + f.type + "\n";
      for (const std::string& s : f.samples) out += s + "\n";
    }
    return out;
  }

 private:
  struct Family {
    std::string name, type, help;
    std::vector<std::string> samples;
  };
  std::vector<Family> families_;
  std::map<std::string, size_t> index_;
};

void RenderEngine(Exposition& out, const EngineMetrics& m) {
  out.Add("gendan_engine_records_total", "counter", "Inbound records decided.", m.records.load());
  out.Add("gendan_engine_accepted_total", "counter", "Events recorded in gendan.events.",
          m.accepted.load());
  out.Add("gendan_engine_duplicates_total", "counter", "Redelivered event_ids dropped.",
          m.duplicates.load());
  for (int r = 1; r < v1::RejectionReason::Value_ARRAYSIZE; ++r) {
    out.Add("gendan_engine_rejected_total", "counter", "Inbound records rejected, by reason.",
            {{"reason", std::string(ReasonName(static_cast<v1::RejectionReason::Value>(r)))}},
            m.rejected[r].load());
  }
  out.Add("gendan_engine_transactions_committed_total", "counter", "Kafka transactions committed.",
          m.transactions_committed.load());
  out.Add("gendan_engine_transactions_aborted_total", "counter", "Kafka transactions aborted.",
          m.transactions_aborted.load());
  out.Add("gendan_engine_batch_records_total", "counter", "Records over all committed batches.",
          m.batch_records_sum.load());
  out.Add("gendan_engine_last_batch_records", "gauge", "Records in the last committed batch.",
          m.last_batch_records.load());
  out.Add("gendan_engine_consumer_lag", "gauge", "Inbound records not yet decided.",
          m.consumer_lag.load());
  out.Add("gendan_engine_catchup_events_total", "counter",
          "Events folded into the state store on assignment.", m.catchup_events.load());
  out.Add("gendan_engine_last_commit_timestamp_seconds", "gauge", "Unix time of the last commit.",
          m.last_commit_unix_ms.load() / 1000.0);
  out.Add("gendan_engine_store_write_errors_total", "counter",
          "Order-store writes RocksDB refused (every retry counts).",
          m.store_health.write_errors.load());
  out.Add("gendan_engine_store_failing", "gauge",
          "1 while a refused order-store write is retried (the engine is not ready).",
          m.store_health.Failing() ? 1 : 0);
}

void RenderProjector(Exposition& out, const ProjectorMetrics& m) {
  out.Add("gendan_projector_events_total", "counter", "Events applied to the read models.",
          m.events.load());
  out.Add("gendan_projector_batches_total", "counter", "Read-model batches committed.",
          m.batches.load());
  out.Add("gendan_projector_statuses_published_total", "counter", "Statuses sent to gendan.status.",
          m.statuses_published.load());
  out.Add("gendan_alerts_raised_total", "counter", "Risk alerts raised.", m.alerts_raised.load());
  out.Add("gendan_alerts_cleared_total", "counter", "Risk alerts cleared.",
          m.alerts_cleared.load());
  out.Add("gendan_alerts_published_total", "counter", "Alert records delivered to gendan.alerts.",
          m.alerts_published.load());
  out.Add("gendan_projector_lag", "gauge", "Events of gendan.events not yet applied.",
          m.lag.load());
  out.Add("gendan_projector_last_commit_timestamp_seconds", "gauge",
          "Unix time of the last commit.", m.last_commit_unix_ms.load() / 1000.0);
  const char* partitions_help =
      "gendan.events partitions by state: owned (assigned here), loading (owned, still "
      "replaying), unloading (held but assigned to another instance).";
  out.Add("gendan_projector_partitions", "gauge", partitions_help, {{"state", "owned"}},
          m.partitions_owned.load());
  out.Add("gendan_projector_partitions", "gauge", partitions_help, {{"state", "loading"}},
          m.partitions_loading.load());
  out.Add("gendan_projector_partitions", "gauge", partitions_help, {{"state", "unloading"}},
          m.partitions_unloading.load());
  out.Add("gendan_projector_cached_orders", "gauge",
          "Orders kept in memory between batches (projector.cache_orders).",
          m.cached_orders.load());
  out.Add("gendan_projector_cached_cells", "gauge",
          "KPI cells kept in memory (projector.cache_cells).", m.cached_cells.load());
  out.Add("gendan_projector_store_write_errors_total", "counter",
          "Read-model writes RocksDB refused (every retry counts).",
          m.store_health.write_errors.load());
  out.Add("gendan_projector_store_failing", "gauge",
          "1 while a refused read-model write is retried (the projector is not ready).",
          m.store_health.Failing() ? 1 : 0);
}

// Liveness, lag per partition and store figures: one family each, a sample per worker.
void RenderWorker(Exposition& out, const std::string& worker, const std::string& topic,
                  const WorkerGauges& g) {
  const Labels who = {{"worker", worker}};
  out.Add("gendan_worker_last_poll_timestamp_seconds", "gauge",
          "Unix time the worker's consume loop last came back from Kafka (stale = stuck).", who,
          g.liveness.last_poll_unix_ms.load() / 1000.0);
  out.Add("gendan_worker_last_progress_timestamp_seconds", "gauge",
          "Unix time the worker last committed records (stale with lag 0 = idle).", who,
          g.liveness.last_progress_unix_ms.load() / 1000.0);
  for (const auto& [partition, lag] : g.lag.Snapshot()) {
    out.Add("gendan_consumer_lag", "gauge",
            "Records of an assigned partition the worker has not committed yet.",
            {{"worker", worker}, {"topic", topic}, {"partition", std::to_string(partition)}}, lag);
  }
  const StoreGauges& s = g.store;
  if (!s.sampled.load()) return;
  const Labels store = {{"store", worker}};
  out.Add("gendan_rocksdb_estimated_keys", "gauge", "RocksDB rocksdb.estimate-num-keys.", store,
          s.estimate_num_keys.load());
  out.Add("gendan_rocksdb_live_sst_files_bytes", "gauge", "RocksDB rocksdb.live-sst-files-size.",
          store, s.live_sst_files_bytes.load());
  out.Add("gendan_rocksdb_pending_compaction_bytes", "gauge",
          "RocksDB rocksdb.estimate-pending-compaction-bytes.", store,
          s.estimate_pending_compaction_bytes.load());
  out.Add("gendan_rocksdb_memtable_bytes", "gauge", "RocksDB rocksdb.cur-size-all-mem-tables.",
          store, s.memtable_bytes.load());
  out.Add("gendan_rocksdb_running_compactions", "gauge", "RocksDB rocksdb.num-running-compactions.",
          store, s.running_compactions.load());
  out.Add("gendan_rocksdb_table_readers_bytes", "gauge",
          "RocksDB rocksdb.estimate-table-readers-mem: index and filter blocks outside the cache.",
          store, s.table_readers_bytes.load());
  out.Add("gendan_rocksdb_block_cache_bytes", "gauge", "RocksDB rocksdb.block-cache-usage.", store,
          s.block_cache_bytes.load());
  out.Add("gendan_rocksdb_block_cache_pinned_bytes", "gauge",
          "RocksDB rocksdb.block-cache-pinned-usage.", store, s.block_cache_pinned_bytes.load());
}

// Department-wide KPIs over the window, the same numbers GET /v1/kpis gives for it.
void RenderKpis(Exposition& out, const ReadModelStore& store, const KpiWindow& w) {
  const Date from = w.today - std::chrono::days(w.days - 1);
  nlohmann::json body = RunKpiQuery(store, {from, w.today, std::nullopt, GroupKind::kNone});
  const std::string window = std::to_string(w.days) + "d";
  out.Add("gendan_kpi_window_start_timestamp_seconds", "gauge",
          "Start (UTC midnight of the first business date) of the KPI gauges' window.",
          {{"window", window}},
          static_cast<double>(
              std::chrono::duration_cast<std::chrono::seconds>(from.time_since_epoch()).count()));
  if (body["series"].empty()) return;
  for (const auto& [kpi, fields] : body["series"][0]["kpis"].items()) {
    for (const auto& [stat, value] : fields.items()) {
      if (!value.is_number()) continue;  // null: no data in the window
      out.Add("gendan_kpi", "gauge",
              "Department KPI over the last `window` business days (DOMAIN.md section 5); stat "
              "value/numerator/denominator for rates, count/mean/p50/p90 for distributions.",
              {{"kpi", kpi}, {"stat", stat}, {"window", window}}, value.get<double>());
    }
  }
}

void RenderAlerts(Exposition& out, const ReadModelStore& store) {
  auto alerts = store.OpenAlerts();
  if (!alerts.ok()) return;
  std::map<std::string, int64_t> by_kind;
  for (int k = 1; k <= v1::AlertKind::Value_MAX; ++k) {
    if (v1::AlertKind::Value_IsValid(k)) by_kind[v1::AlertKind::Value_Name(k)] = 0;
  }
  for (const v1::Alert& a : *alerts) ++by_kind[v1::AlertKind::Value_Name(a.kind())];
  for (const auto& [kind, n] : by_kind) {
    out.Add("gendan_open_alerts", "gauge", "Risk alerts open now, by kind.", {{"kind", kind}}, n);
  }
}

}  // namespace

void HttpMetrics::Observe(const std::string& route, int status, double seconds) {
  std::lock_guard lock(mu_);
  Histogram& h = routes_[{route, status}];
  for (size_t i = 0; i < kBuckets.size(); ++i) {
    if (seconds <= kBuckets[i]) ++h.counts[i];
  }
  ++h.count;
  h.sum += seconds;
}

std::string HttpMetrics::Render() const {
  std::ostringstream out;
  out << "# HELP gendan_http_request_duration_seconds Query API request latency.\n"
      << "# TYPE gendan_http_request_duration_seconds histogram\n";
  std::lock_guard lock(mu_);
  for (const auto& [key, h] : routes_) {
    std::string labels = "route=\"" + key.first + "\",code=\"" + std::to_string(key.second) + "\"";
    for (size_t i = 0; i < kBuckets.size(); ++i) {
      out << "gendan_http_request_duration_seconds_bucket{" << labels << ",le=\"" << kBuckets[i]
          << "\"} " << h.counts[i] << "\n";
    }
    out << "gendan_http_request_duration_seconds_bucket{" << labels << ",le=\"+Inf\"} " << h.count
        << "\n"
        << "gendan_http_request_duration_seconds_sum{" << labels << "} " << h.sum << "\n"
        << "gendan_http_request_duration_seconds_count{" << labels << "} " << h.count << "\n";
  }
  return out.str();
}

std::string RenderPrometheus(const MetricsSources& sources) {
  Exposition out;
  if (sources.engine != nullptr) RenderEngine(out, *sources.engine);
  if (sources.projector != nullptr) RenderProjector(out, *sources.projector);
  if (sources.engine != nullptr) {
    RenderWorker(out, "engine", sources.engine_topic, sources.engine->worker);
  }
  if (sources.projector != nullptr) {
    RenderWorker(out, "projector", sources.projector_topic, sources.projector->worker);
  }
  if (sources.read_model_lag >= 0) {
    out.Add("gendan_read_model_lag", "gauge", "Events of gendan.events the read models lack.",
            sources.read_model_lag);
  }
  if (sources.read_models != nullptr) {
    RenderAlerts(out, *sources.read_models);
    if (sources.kpi_window.days > 0) RenderKpis(out, *sources.read_models, sources.kpi_window);
  }
  std::string text = out.Text();
  if (sources.http != nullptr) text += sources.http->Render();
  return text;
}

}  // namespace gendan
