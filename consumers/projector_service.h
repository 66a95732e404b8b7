// ProjectorService: `gendan project`, gendan.events → RocksDB read models (+ gendan.status).
//
//   ProjectorMetrics metrics;
//   auto store = ReadModelStore::OpenWriter(config.projector.state_dir);
//   ProjectorService projector(config, store->get(), &metrics);
//   Status s = projector.Run(stop_flag);
//
// Reads gendan.events read_committed, applies each batch (projector.commit_interval_ms) to the
// read models with the consumed offsets in the same WriteBatch (projections/projector.h), and
// resumes from those stored offsets. It commits no offsets to its consumer group: a commit that
// meets a rebalance in progress is refused as of an old generation, and librdkafka then treats
// the whole assignment as lost (every partition would move); gendan_projector_lag and the
// per-partition gendan_consumer_lag show the lag instead. After each batch, the latest status
// of every changed order goes to the compacted gendan.status. Not thread-safe: Run on one thread.
#pragma once

#include <atomic>
#include <cstdint>

#include "consumers/config.h"
#include "consumers/store_retry.h"
#include "consumers/worker_metrics.h"
#include "engine/status.h"
#include "projections/projector.h"
#include "projections/read_model_store.h"

namespace gendan {

struct ProjectorMetrics {
  std::atomic<int64_t> events{0};   // events applied to the read models
  std::atomic<int64_t> batches{0};  // read-model commits
  std::atomic<int64_t> statuses_published{0};
  std::atomic<int64_t> alerts_raised{0};  // risk alerts raised (records in the outbox)
  std::atomic<int64_t> alerts_cleared{0};
  std::atomic<int64_t> alerts_published{0};  // records delivered to gendan.alerts
  std::atomic<int64_t> lag{0};               // events behind the end of gendan.events
  std::atomic<int64_t> last_commit_unix_ms{0};
  std::atomic<bool> assigned{false};  // owns partitions and has caught up once
  // Partitions of gendan.events by state (several instances: docs/scaling.md): assigned to this
  // instance, of those still replaying, and held but assigned elsewhere (being unloaded).
  std::atomic<int64_t> partitions_owned{0};
  std::atomic<int64_t> partitions_loading{0};
  std::atomic<int64_t> partitions_unloading{0};
  // What the projector keeps in memory between batches (projector.cache_orders, .cache_cells).
  std::atomic<int64_t> cached_orders{0};
  std::atomic<int64_t> cached_cells{0};
  StoreHealth store_health;  // failing while a refused read-model write is retried
  WorkerGauges worker;       // liveness, lag per gendan.events partition, the read models' figures
};

class ProjectorService {
 public:
  ProjectorService(Config config, ReadModelStore* store, ProjectorMetrics* metrics);
  ~ProjectorService();
  ProjectorService(const ProjectorService&) = delete;
  ProjectorService& operator=(const ProjectorService&) = delete;

  // Runs until `stop` is set (committing the open batch first). Ok after a clean stop.
  Status Run(const std::atomic<bool>& stop);

 private:
  class Loop;
  Config config_;
  ReadModelStore* store_;
  ProjectorMetrics* metrics_;
};

// The KPI and risk options (and the risk monitor's clock) the projector computes with.
Result<ProjectionOptions> ProjectionOptionsFrom(const Config& config);
// The read-model store's memory as configured (projector.block_cache_mb).
inline StoreMemory StoreMemoryFrom(const Config& config) {
  return {.block_cache_bytes = config.projector.block_cache_mb << 20};
}

}  // namespace gendan
