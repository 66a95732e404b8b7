#include "consumers/lag_probe.h"

#include <set>

#include "consumers/kafka_client.h"

namespace gendan {

LagProbe::LagProbe(const Config& config, ReadModelStore* store) : config_(config), store_(store) {}
LagProbe::~LagProbe() = default;

int64_t LagProbe::Lag() {
  std::lock_guard lock(mu_);
  auto now = std::chrono::steady_clock::now();
  if (now - checked_ < std::chrono::seconds(1)) return lag_;
  checked_ = now;
  if (!handle_) {
    auto p = MakeProducer(config_, {});
    if (!p.ok()) return lag_ = -1;
    handle_ = std::move(*p);
  }
  const std::string topic = config_.Topic("events");
  auto partitions = PartitionCount(*handle_, topic, 2000);
  auto offsets = store_->Offsets();
  auto ownership = store_->GetOwnership();
  if (!partitions.ok() || !offsets.ok() || !ownership.ok()) return lag_ = -1;
  // With an ownership record the store serves only what its projector is assigned (those still
  // loading included); the other partitions are other instances' business (cluster coverage).
  // Without one (an older store, a single instance before its first assignment): all of them.
  std::set<int32_t> counted;
  if (ownership->has_value()) {
    counted.insert((*ownership)->partitions.begin(), (*ownership)->partitions.end());
    counted.insert((*ownership)->loading.begin(), (*ownership)->loading.end());
  } else {
    for (int32_t p = 0; p < *partitions; ++p) counted.insert(p);
  }
  int64_t lag = 0;
  for (int32_t p : counted) {
    if (p < 0 || p >= *partitions) continue;  // a record from before the topic shrank: moot
    int64_t low = 0, high = 0;
    if (handle_->query_watermark_offsets(topic, p, &low, &high, 2000) != RdKafka::ERR_NO_ERROR) {
      return lag_ = -1;
    }
    auto it = offsets->find(p);
    // Transaction markers take offsets too, so a caught-up partition may sit one or two short
    // of the end; that noise is far below any sensible readiness threshold.
    lag += std::max<int64_t>(0, high - (it == offsets->end() ? low : it->second));
  }
  return lag_ = lag;
}

}  // namespace gendan
