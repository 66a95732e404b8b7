// Rebuild: `gendan rebuild`, fresh read models from offset 0 of gendan.events, built beside the
// live ones and swapped in atomically while the old ones keep serving.
//
//   Result<RebuildReport> r = Rebuild(config, progress_callback);
//
// Reads every partition from its beginning to the end offsets seen at the start (read_committed),
// one partition after another (an order's events are all in one partition), applying batches to a
// new generation folder "<projector.state_dir>.gen-<ms>", then points the state_dir link at it
// (rename(2)). Running projectors and servers notice the swap and move over; the projector resumes
// from the new generation's offsets, so events recorded during the rebuild are applied after the
// swap. The previous generation is kept; older ones are deleted.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>

#include "consumers/config.h"
#include "engine/status.h"

namespace gendan {

struct RebuildProgress {
  int64_t done = 0;   // events applied
  int64_t total = 0;  // offsets to read (an upper bound: transaction markers take offsets too)
  double seconds = 0;
};

struct RebuildReport {
  int64_t events = 0;
  double seconds = 0;
  std::string generation;  // the folder now live
};

struct RebuildOptions {
  // Events applied per batch: what a batch holds in memory is bounded by it, not by the number
  // of orders. More than the projector's 20 000 because a batch stages each order and KPI cell
  // it touched once, so larger batches serialize and write each order fewer times
  // (docs/benchmarks.md, "Rebuild, fifth session").
  size_t batch_events = 100'000;
};

Result<RebuildReport> Rebuild(const Config& config,
                              const std::function<void(const RebuildProgress&)>& progress,
                              const RebuildOptions& options = {});

}  // namespace gendan
