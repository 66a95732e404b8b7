// HistoryGenerator: seeded random histories of one order, each of which the engine must
// accept whole, in order, with versions 1..N. Shared by engine_tests and engine_bench.
//
//   HistoryGenerator gen(/*seed=*/42);
//   std::vector<v1::InboundEvent> history = gen.Next("ORD-1");
//   DecideOptions options;  options.now = HistoryGenerator::Now();
//
// A history starts with order_placed and walks the lifecycle of DOMAIN.md §4 with the side
// events sprinkled in: amendments, holds and releases, documents and corrections, milestones,
// inspections (failed FINALs too), partial shipments delivered out of order, issues raised,
// resolved and reopened, handoffs, contacts and feedback, complaints after closing. About one
// in ten is cancelled before shipping and one in seven stops short of closing. Its own small
// model of the order decides what is valid: it does not call the engine.
// Event ids are "<order_id>-e<n>"; occurred_at rises from Start(). Deterministic per seed.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "gendan/v1/events.pb.h"

namespace gendan::test {

class HistoryGenerator {
 public:
  explicit HistoryGenerator(uint64_t seed) : rng_(seed) {}

  // A new valid history for `order_id`.
  std::vector<v1::InboundEvent> Next(const std::string& order_id);

  // Generated events occur after Start() and long before Now().
  static std::chrono::system_clock::time_point Start();
  static std::chrono::system_clock::time_point Now();

  // SplitMix64: tiny, fast and the same on every platform (std distributions are not).
  class Rng {
   public:
    explicit Rng(uint64_t seed) : state_(seed) {}
    uint64_t Next();
    int64_t Between(int64_t lo, int64_t hi);  // inclusive
    bool Percent(int p) { return Between(1, 100) <= p; }

   private:
    uint64_t state_;
  };

 private:
  Rng rng_;
};

}  // namespace gendan::test
