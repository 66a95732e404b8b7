// LagProbe: how many gendan.events records the read models lack, for /readyz and /metrics.
//
//   LagProbe probe(config, store);
//   int64_t lag = probe.Lag();   // -1 when Kafka cannot be asked
//
// Asks Kafka for each partition's end offset at most once per second and compares it with the
// offsets stored beside the read models. Thread-safe.
//
// Which partitions count: when the store carries its projector's ownership record (several
// projector instances each hold only their own partitions), the partitions assigned to it,
// those still loading included; without a record, every partition of gendan.events, one the
// store holds nothing of counting from its first offset. Whether the other partitions are
// served is the cluster coverage check's part of /readyz, not the lag's.
#pragma once

#include <librdkafka/rdkafkacpp.h>

#include <chrono>
#include <memory>
#include <mutex>

#include "consumers/config.h"
#include "projections/read_model_store.h"

namespace gendan {

class LagProbe {
 public:
  LagProbe(const Config& config, ReadModelStore* store);
  ~LagProbe();
  int64_t Lag();

 private:
  Config config_;
  ReadModelStore* store_;
  std::mutex mu_;
  std::unique_ptr<RdKafka::Producer> handle_;
  std::chrono::steady_clock::time_point checked_{};
  int64_t lag_ = -1;
};

}  // namespace gendan
