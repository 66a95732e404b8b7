// Rebuild: `gendan rebuild`, fresh read models from offset 0 of gendan.events, built beside the
// live ones and swapped in atomically while the old ones keep serving.
//
//   Result<RebuildReport> r = Rebuild(config, progress_callback);
//
// Reads every partition from its beginning to the end offsets seen at the start (read_committed),
// one partition after another (an order's events are all in one partition), applying batches of
// projector.rebuild_batch_events events order by order to a new generation folder
// "<projector.state_dir>.gen-<ms>", which RocksDB compacts once when it is complete; then points
// the state_dir link at it (rename(2)). Running projectors and servers notice the swap and move
// over; the projector resumes from the new generation's offsets, so events recorded during the
// rebuild are applied after the swap. The previous generation is kept; older ones are deleted.
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
  // A batch lands in writes of about this many bytes (BatchWriter::WriteInChunks): RocksDB puts
  // a write batch into one memtable whole, so without it a batch of a million events took a
  // memtable of ~300 MB beside the ones being flushed.
  size_t write_chunk_bytes = 16 << 20;
};

Result<RebuildReport> Rebuild(const Config& config,
                              const std::function<void(const RebuildProgress&)>& progress,
                              const RebuildOptions& options = {});

}  // namespace gendan
