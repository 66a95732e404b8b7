// What the benchmarks share: records to pre-load, a bulk producer for them, CPU clocks and
// medians. Benchmark support only; not part of gendan.
#pragma once

#include <ctime>
#include <string>
#include <vector>

#include "consumers/config.h"
#include "engine/status.h"
#include "simulator/simulator.h"

namespace gendan::bench {

// One Kafka record as a benchmark generates it.
struct Record {
  std::string key;
  std::string value;
};

// Produces every record to `topic` (keyed, default partitioner) with a producer tuned for bulk
// loading, and waits until all are acknowledged. Setup work: never timed.
Status ProduceAll(const Config& config, const std::string& topic,
                  const std::vector<Record>& records);

// Every valid fact of a simulated book (gendan simulate's generator, invalid_rate forced to 0),
// in the order it emits them: the same options give the same records in every bench, so the
// suite's engine, projector and HTTP runs see the same workload.
std::vector<Record> SimulatedRecords(sim::SimOptions options);

// The simulator options the benches' --sim-* flags build: `orders` orders over `days` business
// days from 2025-01-06 (so 260 days cover about a year), with `seed`.
sim::SimOptions SimWorkload(int64_t orders, int days, uint64_t seed);

// CPU seconds of a clock: CLOCK_THREAD_CPUTIME_ID, CLOCK_PROCESS_CPUTIME_ID, ...
double CpuSeconds(clockid_t clock);

// The median (mean of the two middle values for an even count); v must not be empty.
double Median(std::vector<double> v);

// Applies each -X key=value as the config key kafka.<key> (a librdkafka property for every
// client), through the config's own ApplySetting: the error names the bad flag.
Status ApplyKafkaFlags(const std::vector<std::string>& flags, Config* config);

}  // namespace gendan::bench
