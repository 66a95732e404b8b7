// Metrics: the counters and gauges every role keeps, rendered in the Prometheus text exposition
// format (version 0.0.4) for /metrics. docs/operations.md lists every metric and how to read it.
//
//   HttpMetrics http;
//   http.Observe("/v1/orders/{id}", 200, 0.0012);
//   MetricsSources sources{&engine_metrics, &projector_metrics, &http};
//   std::string text = RenderPrometheus(sources);
//
// Counters are atomics written by their role's thread; rendering reads them from any thread.
// Each metric family is written once with all its samples (engine and projector alike), as the
// format requires.
#pragma once

#include <array>
#include <atomic>
#include <map>
#include <mutex>
#include <string>

#include "consumers/engine_metrics.h"
#include "consumers/projector_service.h"
#include "projections/business_time.h"

namespace gendan {

class ReadModelStore;

// Request counts and latency histograms per route and status class. Thread-safe.
class HttpMetrics {
 public:
  static constexpr std::array<double, 12> kBuckets = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
                                                      0.05,   0.1,   0.25,   0.5,   1,    2.5};
  void Observe(const std::string& route, int status, double seconds);
  std::string Render() const;

 private:
  struct Histogram {
    std::array<int64_t, kBuckets.size()> counts{};
    int64_t count = 0;
    double sum = 0;
  };
  mutable std::mutex mu_;
  std::map<std::pair<std::string, int>, Histogram> routes_;  // (route, status)
};

// The KPIs /metrics reports as gauges: the department-wide values over the last `days` business
// days up to `today` (metrics.kpi_window_days).
struct KpiWindow {
  Date today{};
  int days = 0;  // 0: no KPI gauges
};

struct MetricsSources {
  const EngineMetrics* engine = nullptr;        // null when the engine runs elsewhere
  const ProjectorMetrics* projector = nullptr;  // null when the projector runs elsewhere
  const HttpMetrics* http = nullptr;
  int64_t read_model_lag = -1;  // events behind gendan.events; -1 unknown
  std::string engine_topic;     // the topics the workers consume, for the lag labels
  std::string projector_topic;
  const ReadModelStore* read_models = nullptr;  // KPI gauges and open alerts, when set
  KpiWindow kpi_window;
};

std::string RenderPrometheus(const MetricsSources& sources);

}  // namespace gendan
