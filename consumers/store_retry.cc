#include "consumers/store_retry.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <thread>

namespace gendan {
namespace {

constexpr auto kMaxBackoff = std::chrono::seconds(30);

// Sleeps `d` in short steps; false when `stop` was set meanwhile.
bool SleepUnlessStopped(std::chrono::milliseconds d, const std::atomic<bool>* stop) {
  const auto until = std::chrono::steady_clock::now() + d;
  while (std::chrono::steady_clock::now() < until) {
    if (stop != nullptr && stop->load()) return false;
    std::this_thread::sleep_for(std::min<std::chrono::milliseconds>(
        std::chrono::milliseconds(100), std::chrono::duration_cast<std::chrono::milliseconds>(
                                            until - std::chrono::steady_clock::now())));
  }
  return stop == nullptr || !stop->load();
}

}  // namespace

Status WriteWithRetry(const StoreRetryOptions& options, StoreHealth* health,
                      const std::atomic<bool>* stop, std::string_view what,
                      const std::function<Status()>& write, const std::function<Status()>& resume) {
  const int attempts = 1 + options.write_retries;
  auto backoff = options.retry_backoff;
  Status last;
  int tried = 0;
  bool counted = false;  // in health->failing
  for (int attempt = 1; attempt <= attempts; ++attempt) {
    ++tried;
    last = write();
    if (last.ok()) {
      if (counted) {
        health->failing.fetch_sub(1);
        spdlog::info("{}: write succeeded again", what);
      }
      return last;
    }
    const bool retryable =
        last.code() == Status::Code::kIoError || last.code() == Status::Code::kTryAgain;
    if (!retryable) return last;
    health->write_errors.fetch_add(1, std::memory_order_relaxed);
    if (!counted) health->failing.fetch_add(1);
    counted = true;
    if (attempt == attempts) break;
    spdlog::warn("{}: write failed (attempt {} of {}), not ready; retrying in {} ms: {}", what,
                 attempt, attempts, backoff.count(), last.message());
    if (!SleepUnlessStopped(backoff, stop)) break;
    if (Status r = resume(); !r.ok()) spdlog::info("{}: {}", what, r.message());
    backoff = std::min<std::chrono::milliseconds>(backoff * 2, kMaxBackoff);
  }
  return Status::Fatal(
      std::string(what) + ": the store refused a write " + std::to_string(tried) +
      (tried == 1 ? " time" : " times") + (tried < attempts ? " (shutting down)" : "") +
      "; stopping without committing the batch or consuming further: " + last.message());
}

}  // namespace gendan
