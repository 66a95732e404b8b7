// RunningEngine: an EngineService on its own thread for broker tests, stopped when destroyed.
//
//   RunningEngine engine(config());
//   ... produce, ReadAll ...
//   ASSERT_TRUE(engine.Stop().ok());
#pragma once

#include <atomic>
#include <thread>

#include "consumers/engine_service.h"

namespace gendan::testing {

class RunningEngine {
 public:
  explicit RunningEngine(const Config& config)
      : engine_(config, &metrics_), thread_([this] { status_ = engine_.Run(stop_); }) {}
  ~RunningEngine() { (void)Stop(); }
  RunningEngine(const RunningEngine&) = delete;
  RunningEngine& operator=(const RunningEngine&) = delete;

  // Stops the engine (it commits its open batch) and returns how Run ended.
  Status Stop() {
    stop_.store(true);
    if (thread_.joinable()) thread_.join();
    return status_;
  }
  const EngineMetrics& metrics() const { return metrics_; }

 private:
  EngineMetrics metrics_;
  EngineService engine_;
  std::atomic<bool> stop_{false};
  Status status_;
  std::thread thread_;
};

}  // namespace gendan::testing
