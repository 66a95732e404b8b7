// What the benchmarks share: records to pre-load, a bulk producer for them, CPU clocks and
// medians. Benchmark support only; not part of gendan.
#pragma once

#include <ctime>
#include <string>
#include <vector>

#include "consumers/config.h"
#include "engine/status.h"

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

// CPU seconds of a clock: CLOCK_THREAD_CPUTIME_ID, CLOCK_PROCESS_CPUTIME_ID, ...
double CpuSeconds(clockid_t clock);

// The median (mean of the two middle values for an even count); v must not be empty.
double Median(std::vector<double> v);

}  // namespace gendan::bench
