#include "consumers/metrics.h"

#include <sstream>

#include "engine/describe.h"

namespace gendan {
namespace {

void Metric(std::ostringstream& out, const char* name, const char* type, const char* help,
            int64_t value) {
  out << "# HELP " << name << " " << help << "\n# TYPE " << name << " " << type << "\n"
      << name << " " << value << "\n";
}

void RenderEngine(std::ostringstream& out, const EngineMetrics& m) {
  Metric(out, "gendan_engine_records_total", "counter", "Inbound records decided.",
         m.records.load());
  Metric(out, "gendan_engine_accepted_total", "counter", "Events recorded in gendan.events.",
         m.accepted.load());
  Metric(out, "gendan_engine_duplicates_total", "counter", "Redelivered event_ids dropped.",
         m.duplicates.load());
  out << "# HELP gendan_engine_rejected_total Inbound records rejected, by reason.\n"
      << "# TYPE gendan_engine_rejected_total counter\n";
  for (int r = 1; r < v1::RejectionReason::Value_ARRAYSIZE; ++r) {
    out << "gendan_engine_rejected_total{reason=\""
        << ReasonName(static_cast<v1::RejectionReason::Value>(r)) << "\"} " << m.rejected[r].load()
        << "\n";
  }
  Metric(out, "gendan_engine_transactions_committed_total", "counter",
         "Kafka transactions committed.", m.transactions_committed.load());
  Metric(out, "gendan_engine_transactions_aborted_total", "counter", "Kafka transactions aborted.",
         m.transactions_aborted.load());
  Metric(out, "gendan_engine_batch_records_total", "counter", "Records over all committed batches.",
         m.batch_records_sum.load());
  Metric(out, "gendan_engine_last_batch_records", "gauge", "Records in the last committed batch.",
         m.last_batch_records.load());
  Metric(out, "gendan_engine_consumer_lag", "gauge", "Inbound records not yet decided.",
         m.consumer_lag.load());
  Metric(out, "gendan_engine_catchup_events_total", "counter",
         "Events folded into the state store on assignment.", m.catchup_events.load());
  Metric(out, "gendan_engine_last_commit_timestamp_ms", "gauge", "Unix time of the last commit.",
         m.last_commit_unix_ms.load());
}

void RenderProjector(std::ostringstream& out, const ProjectorMetrics& m) {
  Metric(out, "gendan_projector_events_total", "counter", "Events applied to the read models.",
         m.events.load());
  Metric(out, "gendan_projector_batches_total", "counter", "Read-model batches committed.",
         m.batches.load());
  Metric(out, "gendan_projector_statuses_published_total", "counter",
         "Statuses sent to gendan.status.", m.statuses_published.load());
  Metric(out, "gendan_alerts_raised_total", "counter", "Risk alerts raised.",
         m.alerts_raised.load());
  Metric(out, "gendan_alerts_cleared_total", "counter", "Risk alerts cleared.",
         m.alerts_cleared.load());
  Metric(out, "gendan_alerts_published_total", "counter",
         "Alert records delivered to gendan.alerts.", m.alerts_published.load());
  Metric(out, "gendan_projector_lag", "gauge", "Events of gendan.events not yet applied.",
         m.lag.load());
  Metric(out, "gendan_projector_last_commit_timestamp_ms", "gauge", "Unix time of the last commit.",
         m.last_commit_unix_ms.load());
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
  std::ostringstream out;
  if (sources.engine != nullptr) RenderEngine(out, *sources.engine);
  if (sources.projector != nullptr) RenderProjector(out, *sources.projector);
  if (sources.read_model_lag >= 0) {
    Metric(out, "gendan_read_model_lag", "gauge", "Events of gendan.events the read models lack.",
           sources.read_model_lag);
  }
  std::string text = out.str();
  if (sources.http != nullptr) text += sources.http->Render();
  return text;
}

}  // namespace gendan
