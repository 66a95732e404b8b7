// What every consume loop (engine, projector) reports beside its own counters, for /metrics:
// liveness, consumer lag per partition and its RocksDB store's figures.
//
//   WorkerGauges g;
//   g.liveness.Polled();               // each time consume() returned, message or not
//   g.liveness.Progressed();           // each time the loop committed work
//   g.lag.Set(3, 120);                 // partition 3 is 120 records behind
//   g.store.Set(store.Stats());        // sampled by the loop's own thread
//
// Stuck versus idle: an idle loop keeps polling (last poll fresh) with nothing to do (lag 0, last
// progress old); a stuck one stops polling (last poll old), whatever its lag. A loop that polls
// but makes no progress while lag grows is failing on every batch (aborts, a bad record).
// Thread-safe: written by the loop's thread, read by the /metrics thread.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>

#include "projections/store_stats.h"

namespace gendan {

struct WorkerLiveness {
  std::atomic<int64_t> last_poll_unix_ms{0};      // consume() returned
  std::atomic<int64_t> last_progress_unix_ms{0};  // records or events committed
  void Polled() { last_poll_unix_ms.store(NowMs(), std::memory_order_relaxed); }
  void Progressed() { last_progress_unix_ms.store(NowMs(), std::memory_order_relaxed); }

 private:
  static int64_t NowMs() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
  }
};

// Records behind the high watermark, per assigned partition.
class PartitionLag {
 public:
  void Set(int32_t partition, int64_t lag) {
    std::lock_guard lock(mu_);
    lag_[partition] = lag;
  }
  // A partition no longer assigned (revoked in a rebalance) leaves the gauge.
  void Erase(int32_t partition) {
    std::lock_guard lock(mu_);
    lag_.erase(partition);
  }
  void Clear() {
    std::lock_guard lock(mu_);
    lag_.clear();
  }
  std::map<int32_t, int64_t> Snapshot() const {
    std::lock_guard lock(mu_);
    return lag_;
  }

 private:
  mutable std::mutex mu_;
  std::map<int32_t, int64_t> lag_;
};

struct StoreGauges {
  std::atomic<bool> sampled{false};
  std::atomic<uint64_t> estimate_num_keys{0}, live_sst_files_bytes{0},
      estimate_pending_compaction_bytes{0}, memtable_bytes{0}, running_compactions{0},
      table_readers_bytes{0}, block_cache_bytes{0}, block_cache_pinned_bytes{0};
  void Set(const StoreStats& s) {
    estimate_num_keys.store(s.estimate_num_keys, std::memory_order_relaxed);
    live_sst_files_bytes.store(s.live_sst_files_bytes, std::memory_order_relaxed);
    estimate_pending_compaction_bytes.store(s.estimate_pending_compaction_bytes,
                                            std::memory_order_relaxed);
    memtable_bytes.store(s.memtable_bytes, std::memory_order_relaxed);
    running_compactions.store(s.running_compactions, std::memory_order_relaxed);
    table_readers_bytes.store(s.table_readers_bytes, std::memory_order_relaxed);
    block_cache_bytes.store(s.block_cache_bytes, std::memory_order_relaxed);
    block_cache_pinned_bytes.store(s.block_cache_pinned_bytes, std::memory_order_relaxed);
    sampled.store(true);
  }
};

struct WorkerGauges {
  WorkerLiveness liveness;
  PartitionLag lag;
  StoreGauges store;
};

}  // namespace gendan
