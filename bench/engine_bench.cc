// Throughput of the pure lifecycle core on generated histories, one core:
//   engine_bench --benchmark_filter=DecideEvolve
// items_per_second is events per second; the target is >= 1M/s for Decide + Evolve.
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <string>
#include <unordered_map>
#include <vector>

#include "engine/decide.h"
#include "tests/engine/history_generator.h"

namespace gendan {
namespace {

using History = std::vector<v1::InboundEvent>;

const std::vector<History>& Histories() {
  static const std::vector<History> all = [] {
    test::HistoryGenerator gen(1);
    std::vector<History> h;
    h.reserve(1000);
    for (int i = 0; i < 1000; ++i) h.push_back(gen.Next("ORD-" + std::to_string(i)));
    return h;
  }();
  return all;
}

DecideOptions Options() {
  DecideOptions o;
  o.now = test::HistoryGenerator::Now();
  return o;
}

// Every order from nothing to its last event: what the engine does for new traffic.
void BM_DecideEvolve(benchmark::State& bench) {
  const DecideOptions options = Options();
  int64_t events = 0;
  for (auto _ : bench) {
    for (const History& history : Histories()) {
      OrderState state;
      for (const v1::InboundEvent& e : history) {
        Decision d = Decide(state, e, options);
        auto* accepted = std::get_if<Accepted>(&d);
        if (accepted == nullptr) std::abort();  // the generator's histories are all valid
        Evolve(state, accepted->event);
      }
      events += int64_t(history.size());
      benchmark::DoNotOptimize(state);
    }
  }
  bench.SetItemsProcessed(events);
}
BENCHMARK(BM_DecideEvolve)->Unit(benchmark::kMillisecond);

// Redelivery of every event of finished orders: the dedupe path of at-least-once delivery.
void BM_DecideDuplicate(benchmark::State& bench) {
  const DecideOptions options = Options();
  std::vector<OrderState> finished;
  for (const History& history : Histories()) {
    OrderState& state = finished.emplace_back();
    for (const v1::InboundEvent& e : history) {
      Evolve(state, std::get<Accepted>(Decide(state, e, options)).event);
    }
  }
  int64_t events = 0;
  for (auto _ : bench) {
    for (size_t i = 0; i < finished.size(); ++i) {
      for (const v1::InboundEvent& e : Histories()[i]) {
        Decision d = Decide(finished[i], e, options);
        benchmark::DoNotOptimize(d);
      }
      events += int64_t(Histories()[i].size());
    }
  }
  bench.SetItemsProcessed(events);
}
BENCHMARK(BM_DecideDuplicate)->Unit(benchmark::kMillisecond);

// The state store's share: encode and decode a finished order's state.
void BM_StateRoundTrip(benchmark::State& bench) {
  const DecideOptions options = Options();
  std::vector<OrderState> finished;
  size_t bytes = 0;
  for (const History& history : Histories()) {
    OrderState& state = finished.emplace_back();
    for (const v1::InboundEvent& e : history) {
      Evolve(state, std::get<Accepted>(Decide(state, e, options)).event);
    }
    bytes += state.Serialize().size();
  }
  int64_t states = 0;
  for (auto _ : bench) {
    for (const OrderState& s : finished) {
      Result<OrderState> back = OrderState::Parse(s.Serialize());
      benchmark::DoNotOptimize(back);
    }
    states += int64_t(finished.size());
  }
  bench.SetItemsProcessed(states);
  bench.counters["bytes_per_state"] = double(bytes) / double(finished.size());
}
BENCHMARK(BM_StateRoundTrip)->Unit(benchmark::kMillisecond);

// The engine service's per-record work without Kafka: 2000 orders' histories interleaved as
// upstream traffic arrives, each record parsed from bytes, its order's state found by id,
// decided, evolved and the event serialized. What one engine thread pays per record.
void BM_ServicePath(benchmark::State& bench) {
  constexpr size_t kOpen = 2000;
  std::vector<std::string> records;
  {
    test::HistoryGenerator::Rng pick(7919);
    struct Open {
      size_t history = 0, next = 0;
      std::string order_id;  // a fresh order for each use of a history
    };
    std::vector<Open> open(kOpen);
    size_t started = 0;
    while (records.size() < 200'000) {
      Open& o = open[pick.Between(0, kOpen - 1)];
      if (o.order_id.empty() || o.next == Histories()[o.history].size()) {
        o = {started % Histories().size(), 0, "ORD-X" + std::to_string(started)};
        ++started;
      }
      v1::InboundEvent e = Histories()[o.history][o.next++];
      e.set_order_id(o.order_id);
      records.push_back(e.SerializeAsString());
    }
  }
  const DecideOptions options = Options();
  int64_t events = 0;
  for (auto _ : bench) {
    std::unordered_map<std::string, OrderState> states;
    std::string out;
    for (const std::string& bytes : records) {
      v1::InboundEvent inbound;
      if (!inbound.ParseFromString(bytes)) std::abort();
      OrderState& state = states[inbound.order_id()];
      Decision d = Decide(state, inbound, options);
      auto* a = std::get_if<Accepted>(&d);
      if (a == nullptr) std::abort();  // every record is a valid next fact
      Evolve(state, a->event);
      a->event.SerializeToString(&out);
      benchmark::DoNotOptimize(out);
    }
    events += int64_t(records.size());
  }
  bench.SetItemsProcessed(events);
}
BENCHMARK(BM_ServicePath)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace gendan

BENCHMARK_MAIN();
