#include "bench/bench_util.h"

#include <algorithm>

#include "consumers/kafka_client.h"

namespace gendan::bench {

Status ProduceAll(const Config& config, const std::string& topic,
                  const std::vector<Record>& records) {
  auto producer = MakeProducer(config, {{"enable.idempotence", "true"},
                                        {"linger.ms", "20"},
                                        {"batch.num.messages", "10000"},
                                        {"compression.type", "lz4"},
                                        {"queue.buffering.max.messages", "1000000"},
                                        {"queue.buffering.max.kbytes", "1048576"}});
  if (!producer.ok()) return producer.status();
  for (const Record& r : records) {
    RdKafka::ErrorCode e =
        ProduceWaiting(**producer, topic, RdKafka::Topic::PARTITION_UA, r.key, r.value);
    if (e != RdKafka::ERR_NO_ERROR) {
      return Status::IoError("producing to " + topic + ": " + RdKafka::err2str(e));
    }
  }
  if (auto e = (*producer)->flush(120'000); e != RdKafka::ERR_NO_ERROR) {
    return Status::IoError("flushing to " + topic + ": " + RdKafka::err2str(e));
  }
  return Status::Ok();
}

std::vector<Record> SimulatedRecords(sim::SimOptions options) {
  options.invalid_rate = 0;
  sim::Simulator simulator(options);
  std::vector<Record> out;
  for (sim::SimEvent e; simulator.Next(&e);) {
    out.push_back({e.event.order_id(), e.event.SerializeAsString()});
  }
  return out;
}

sim::SimOptions SimWorkload(int64_t orders, int days, uint64_t seed) {
  sim::SimOptions o;
  o.orders = orders;
  o.business_days = days;
  o.seed = seed;
  return o;
}

double CpuSeconds(clockid_t clock) {
  timespec ts{};
  clock_gettime(clock, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

double Median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  size_t m = v.size() / 2;
  return v.size() % 2 == 1 ? v[m] : (v[m - 1] + v[m]) / 2;
}

Status ApplyKafkaFlags(const std::vector<std::string>& flags, Config* config) {
  for (const std::string& kv : flags) {
    const size_t eq = kv.find('=');
    if (eq == std::string::npos)
      return Status::InvalidArgument("-X " + kv + ": expected key=value");
    Status s = ApplySetting(config, "kafka." + kv.substr(0, eq), kv.substr(eq + 1), "-X");
    if (!s.ok()) return s;
  }
  return Status::Ok();
}

}  // namespace gendan::bench
