// EngineMetrics: what the engine service counts, read by /metrics and the logs.
// Every field is an atomic written by the engine thread and read by any thread.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>

#include "consumers/store_retry.h"
#include "consumers/worker_metrics.h"
#include "gendan/v1/enums.pb.h"

namespace gendan {

struct EngineMetrics {
  std::atomic<int64_t> records{0};     // inbound records decided
  std::atomic<int64_t> accepted{0};    // OrderEvents written to gendan.events
  std::atomic<int64_t> duplicates{0};  // redelivered event_ids, dropped
  // Rejections by RejectionReason value (index = enum number).
  std::array<std::atomic<int64_t>, v1::RejectionReason::Value_ARRAYSIZE> rejected{};
  std::atomic<int64_t> transactions_committed{0};
  std::atomic<int64_t> transactions_aborted{0};
  std::atomic<int64_t> batch_records_sum{0};  // records over all committed transactions
  std::atomic<int64_t> last_batch_records{0};
  std::atomic<int64_t> consumer_lag{0};    // records behind the inbound high watermark
  std::atomic<int64_t> catchup_events{0};  // gendan.events records folded in on assignment
  std::atomic<int64_t> last_commit_unix_ms{0};
  StoreHealth store_health;  // failing while a refused order-store write is retried
  WorkerGauges worker;       // liveness, lag per inbound partition, the order store's figures
};

}  // namespace gendan
