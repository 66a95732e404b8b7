// EngineService: `gendan engine`, the consume-transform-produce loop from gendan.inbound to
// gendan.events and gendan.rejections, exactly once.
//
//   EngineMetrics metrics;
//   EngineService engine(config, &metrics);
//   Status s = engine.Run(stop_flag);   // returns when stop_flag is set, or on a fatal error
//
// Per batch (engine.commit_interval_ms): each inbound record is parsed and decided against its
// order's state; accepted OrderEvents go to the gendan.events partition with the same number as
// the inbound partition (so one partition's states are rebuilt from one events partition),
// rejections to gendan.rejections, and the consumed offsets join the same Kafka transaction.
// After the commit, the changed states and the partition positions go to RocksDB in one
// WriteBatch. A crash between the two leaves the store behind, never ahead; on assignment a
// store that is behind is caught up from gendan.events before records are decided.
// Abortable errors abort, rewind to the committed offsets and go on; fatal ones (a fenced
// producer) end Run with Status::Fatal. Not thread-safe: Run on one thread.
#pragma once

#include <atomic>
#include <memory>

#include "consumers/config.h"
#include "consumers/engine_metrics.h"
#include "engine/status.h"

namespace gendan {

class EngineService {
 public:
  EngineService(Config config, EngineMetrics* metrics);
  ~EngineService();
  EngineService(const EngineService&) = delete;
  EngineService& operator=(const EngineService&) = delete;

  // Runs until `stop` is set (then commits the open batch and leaves the group cleanly).
  // Ok after a clean stop; an error when the engine had to give up.
  Status Run(const std::atomic<bool>& stop);

 private:
  class Loop;
  Config config_;
  EngineMetrics* metrics_;
};

}  // namespace gendan
