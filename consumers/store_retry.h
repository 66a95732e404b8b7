// WriteWithRetry: how a worker (engine, projector) writes to its RocksDB store when the disk may
// refuse (full, read-only, failing): it stops where it is, reports the store as failing, lets
// RocksDB recover and writes the same batch again, a bounded number of times.
//
//   StoreHealth health;                          // in the worker's metrics; /readyz reads it
//   Status s = WriteWithRetry(config.store, &health, &stop, "engine: order store",
//                             [&] { return store->Commit(batch); },
//                             [&] { return store->Resume(); });
//   if (!s.ok()) return s;                       // Fatal: give up, exit non-zero
//
// The write must be idempotent (every value absolute), and the caller must not write, produce or
// commit anything after it while this runs: the batch waits, whole, until it lands or the worker
// exits (the projector applies its next batch in memory meanwhile, and writes it only after; the
// engine decides its next transaction's records and holds them, produced only after).
// Only IoError and TryAgain are retried; any other failure (a corrupt store) returns at once.
// Thread-safe StoreHealth; WriteWithRetry runs on the worker's (or its writer's) thread.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <string_view>

#include "consumers/config.h"
#include "engine/status.h"

namespace gendan {

struct StoreHealth {
  // Writers whose last write failed: the worker is not ready while any is. A count, not a flag:
  // two threads may write at once (the engine's committer and a partition's catch-up), and one
  // succeeding says nothing of the other.
  std::atomic<int> failing{0};
  std::atomic<int64_t> write_errors{0};  // failed write attempts, ever
  bool Failing() const { return failing.load() > 0; }
};

// Runs `write` until it succeeds, at most 1 + options.write_retries times, sleeping
// options.retry_backoff (doubling, at most 30 s) and calling `resume` before each retry.
// Ok once a write landed (this call no longer counted in health->failing). Otherwise Fatal, naming
// `what`, the number of attempts and the last error; the call stays counted in health->failing.
// `stop` (may be null) cuts the wait short: the worker is shutting down, and the last error is
// returned as Fatal at once.
Status WriteWithRetry(const StoreRetryOptions& options, StoreHealth* health,
                      const std::atomic<bool>* stop, std::string_view what,
                      const std::function<Status()>& write, const std::function<Status()>& resume);

}  // namespace gendan
