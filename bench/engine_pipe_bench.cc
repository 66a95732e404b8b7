// engine_pipe_bench: gendan's EngineService against a raw librdkafka transactional
// consume→produce pipe, over the same records and the same commit interval, on the real broker.
//
//   engine_pipe_bench [--events 200000] [--rounds 3] [--commit-interval-ms 100] [-X key=value]
//   engine_pipe_bench --sim-orders 100000 [--sim-days 260] [--seed 1] ...
//
// With --sim-orders the records are every fact of `gendan simulate`'s book of that many orders
// (bench_util SimulatedRecords; what bench/suite.sh uses) instead of the setup below.
// Setup (untimed): N events of valid order histories (HistoryGenerator), 2000 orders interleaved
// at a time, produced keyed by order_id to one inbound topic per round
// ("bench.<pid>.r<i>.inbound", 6 partitions). Each round then runs on that topic, in turn:
//   raw     a KafkaConsumer (own group, read_committed, no auto commit) and a transactional
//           producer with the engine's producer settings (linger.ms=5, lz4) copying each
//           record's bytes unchanged to the same partition of "...raw", committing with
//           send_offsets_to_transaction every commit interval: the engine minus the engine;
//   engine  gendan's EngineService in a thread (own group, fresh RocksDB state dir in /tmp)
//           writing "...events" / "...rejections".
// Each is timed from its first consumed record until all N are consumed and committed (raw:
// the commit_transaction that covers record N returned; engine: EngineMetrics counts N records
// in committed transactions). Prints a table, then one JSON line with the medians and the ratio
// engine/raw (target >= 0.75). Deletes its topics and state dirs at the end.
//
// -X sets a librdkafka property on every client of both pipes (as `kafka.*` does in gendan's
// config). librdkafka 2.0.2 stops fetching for a fixed second once a consumer has more than
// queued.min.messages (100000) records queued, which throttles both pipes on a backlog; see
// docs/benchmarks.md for the runs with `-X queued.min.messages=10000000
// -X queued.max.messages.kbytes=1048576`, which lift it.
#include <malloc.h>
#include <pthread.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "bench/bench_util.h"
#include "consumers/config.h"
#include "consumers/engine_metrics.h"
#include "consumers/engine_service.h"
#include "consumers/kafka_client.h"
#include "engine/decide.h"
#include "tests/engine/history_generator.h"

namespace gendan {
namespace {

using Clock = std::chrono::steady_clock;
using bench::CpuSeconds;
using bench::Median;
using bench::ProduceAll;
using bench::Record;
constexpr int kKafkaTimeoutMs = 30'000;

struct Flags {
  int64_t events = 200'000;
  int rounds = 3;
  int commit_interval_ms = 100;
  int engine_threads = 1;   // engine.threads: the engine's pipelines (the raw pipe has one)
  int open_orders = 2'000;  // orders whose histories are interleaved at any time
  int partitions = 6;
  uint64_t seed = 1;
  int timeout_s = 600;  // per run
  std::string log_level = "warn";
  std::string only;    // "raw" or "engine": run just that pipe (for profiling); no ratio
  bool trace = false;  // a line per transaction
  std::vector<std::string> kafka_properties;  // key=value, for every client of both pipes
  int64_t sim_orders = 0;  // > 0: the simulator's book of this many orders instead (all of it)
  int sim_days = 260;
};

double Ms(Clock::duration d) { return std::chrono::duration<double, std::milli>(d).count(); }

// N events of valid histories, `open_orders` of them interleaved at random (each order's own
// events stay in order), as upstream traffic would arrive. The last histories may be cut
// short, which leaves them valid.
std::vector<Record> Generate(const Flags& flags) {
  if (flags.sim_orders > 0) {
    return bench::SimulatedRecords(
        bench::SimWorkload(flags.sim_orders, flags.sim_days, flags.seed));
  }
  test::HistoryGenerator gen(flags.seed);
  test::HistoryGenerator::Rng pick(flags.seed * 7919 + 1);
  struct Open {
    std::vector<v1::InboundEvent> history;
    size_t next = 0;
  };
  std::vector<Open> open(static_cast<size_t>(flags.open_orders));
  int next_order = 0;
  std::vector<Record> out;
  out.reserve(static_cast<size_t>(flags.events));
  while (static_cast<int64_t>(out.size()) < flags.events) {
    Open& o = open[static_cast<size_t>(pick.Between(0, flags.open_orders - 1))];
    if (o.next == o.history.size()) {
      char id[32];
      std::snprintf(id, sizeof id, "ORD-%08d", next_order++);
      o.history = gen.Next(id);
      o.next = 0;
    }
    const v1::InboundEvent& e = o.history[o.next++];
    out.push_back({e.order_id(), e.SerializeAsString()});
  }
  return out;
}

// The pure core over the same record stream, in memory: parse, Decide, Evolve, serialize the
// accepted event. A ceiling for the service, and the expected number of acceptances.
struct CoreResult {
  double eps = 0;
  int64_t accepted = 0;
  size_t accepted_bytes = 0;  // serialized OrderEvents
};
CoreResult RunCore(const std::vector<Record>& records) {
  DecideOptions options;
  options.now = std::chrono::system_clock::now();
  std::unordered_map<std::string, OrderState> states;
  CoreResult r;
  auto t0 = Clock::now();
  for (const Record& rec : records) {
    v1::InboundEvent inbound;
    if (!inbound.ParseFromString(rec.value)) continue;
    OrderState& state = states[inbound.order_id()];
    Decision d = Decide(state, inbound, options);
    if (auto* a = std::get_if<Accepted>(&d)) {
      Evolve(state, a->event);
      r.accepted_bytes += a->event.SerializeAsString().size();
      ++r.accepted;
    }
  }
  double s = std::chrono::duration<double>(Clock::now() - t0).count();
  r.eps = static_cast<double>(records.size()) / s;
  return r;
}

// CPU use over the timed window, as a share of one core: the pipe's own thread (the one that
// consumes, decides and produces) and the whole process (adds librdkafka's threads).
struct CpuMark {
  double thread = 0, process = 0;
  static CpuMark Now(clockid_t thread_clock) {
    return {CpuSeconds(thread_clock), CpuSeconds(CLOCK_PROCESS_CPUTIME_ID)};
  }
};

struct RunResult {
  double seconds = 0;
  double thread_cpu = 0, process_cpu = 0;  // CPU seconds / wall seconds over the window
  int64_t records = 0;
  int64_t transactions = 0;
  std::string note;  // engine: accepted / rejected / duplicates
  double eps() const { return seconds > 0 ? static_cast<double>(records) / seconds : 0; }
};

Status Txn(RdKafka::Error* error, const char* what) {
  if (error == nullptr) return Status::Ok();
  std::unique_ptr<RdKafka::Error> owned(error);
  return Status::IoError(std::string(what) + ": " + error->str());
}

class DeliveryCounter : public RdKafka::DeliveryReportCb {
 public:
  void dr_cb(RdKafka::Message& m) override {
    if (m.err() != RdKafka::ERR_NO_ERROR) {
      if (error.empty()) error = m.errstr();
      return;
    }
    ++delivered;
  }
  int64_t delivered = 0;
  std::string error;
};

// The baseline: the engine's Kafka work with no parsing, deciding or state.
Result<RunResult> RunRaw(const Config& config, const std::string& inbound, const std::string& out,
                         int64_t n, std::chrono::milliseconds interval, const std::string& group,
                         int timeout_s, bool trace) {
  DeliveryCounter dr;
  // The engine's producer and consumer settings (EngineService::Loop::Start); keep them in step.
  auto producer = MakeProducer(config,
                               {{"transactional.id", group},
                                {"linger.ms", "5"},
                                {"compression.type", "lz4"},
                                {"message.max.bytes", "4194304"}},
                               &dr);
  if (!producer.ok()) return producer.status();
  RdKafka::Producer& p = **producer;
  // As the engine's Start does: learn both topics' metadata before the first record.
  for (const std::string* topic : {&inbound, &out}) {
    if (auto parts = PartitionCount(p, *topic, kKafkaTimeoutMs); !parts.ok()) return parts.status();
  }
  Status s = Txn(p.init_transactions(kKafkaTimeoutMs), "init_transactions");
  if (!s.ok()) return s;
  // The engine's prefetch (WithDeepPrefetch), like its other client settings.
  auto consumer = MakeConsumer(config, WithDeepPrefetch({{"group.id", group},
                                                         {"enable.auto.commit", "false"},
                                                         {"auto.offset.reset", "earliest"},
                                                         {"isolation.level", "read_committed"}}));
  if (!consumer.ok()) return consumer.status();
  RdKafka::KafkaConsumer& c = **consumer;
  if (auto e = c.subscribe({inbound}); e != RdKafka::ERR_NO_ERROR)
    return Status::IoError("subscribe: " + RdKafka::err2str(e));

  RunResult r;
  std::map<int32_t, int64_t> next;
  bool in_txn = false;
  int64_t produced = 0, txn_start = 0;
  std::optional<Clock::time_point> first;
  CpuMark cpu0;
  Clock::time_point deadline;
  const auto give_up = Clock::now() + std::chrono::seconds(timeout_s);
  while (s.ok() && (r.records < n || in_txn)) {
    if (Clock::now() > give_up) {
      s = Status::TryAgain("raw pipe: timed out after " + std::to_string(r.records) + " records");
      break;
    }
    auto wait = std::chrono::milliseconds(100);
    if (in_txn) {
      wait =
          std::max(std::chrono::milliseconds(0),
                   std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()));
    }
    std::unique_ptr<RdKafka::Message> m(c.consume(static_cast<int>(wait.count())));
    if (m->err() == RdKafka::ERR_NO_ERROR) {
      if (!first) {
        first = Clock::now();
        cpu0 = CpuMark::Now(CLOCK_THREAD_CPUTIME_ID);
      }
      if (!in_txn) {
        s = Txn(p.begin_transaction(), "begin_transaction");
        if (!s.ok()) break;
        in_txn = true;
        deadline = Clock::now() + interval;
      }
      next[m->partition()] = m->offset() + 1;
      ++r.records;
      RdKafka::ErrorCode e =
          ProduceWaiting(p, out, m->partition(),
                         std::string_view(static_cast<const char*>(m->key_pointer()), m->key_len()),
                         std::string_view(static_cast<const char*>(m->payload()), m->len()));
      if (e != RdKafka::ERR_NO_ERROR) s = Status::IoError("produce: " + RdKafka::err2str(e));
      ++produced;
    } else if (m->err() != RdKafka::ERR__TIMED_OUT && m->err() != RdKafka::ERR__PARTITION_EOF) {
      spdlog::warn("raw: consume: {}", m->errstr());
    }
    if (s.ok() && in_txn && Clock::now() >= deadline) {
      std::vector<RdKafka::TopicPartition*> offsets;
      for (const auto& [part, off] : next) {
        offsets.push_back(RdKafka::TopicPartition::create(inbound, part, off));
      }
      std::unique_ptr<RdKafka::ConsumerGroupMetadata> meta(c.groupMetadata());
      const auto t_send = Clock::now();
      s = Txn(p.send_offsets_to_transaction(offsets, meta.get(), kKafkaTimeoutMs),
              "send_offsets_to_transaction");
      RdKafka::TopicPartition::destroy(offsets);
      const auto t_commit = Clock::now();
      if (s.ok()) s = Txn(p.commit_transaction(kKafkaTimeoutMs), "commit_transaction");
      p.poll(0);
      if (trace) {
        auto t_end = Clock::now();
        std::printf(
            "  raw txn %lld at %8.1f ms: %7lld records, send_offsets %6.1f ms, commit %6.1f ms\n",
            static_cast<long long>(r.transactions), Ms(t_send - *first),
            static_cast<long long>(produced - txn_start), Ms(t_commit - t_send),
            Ms(t_end - t_commit));
      }
      txn_start = produced;
      if (s.ok() && (!dr.error.empty() || dr.delivered != produced))
        s = Status::IoError("raw: " + std::to_string(produced - dr.delivered) +
                            " records not acknowledged: " + dr.error);
      next.clear();
      in_txn = false;
      ++r.transactions;
    }
  }
  auto end = Clock::now();
  const CpuMark cpu1 = CpuMark::Now(CLOCK_THREAD_CPUTIME_ID);
  c.close();
  if (!s.ok()) return s;
  if (!first) return Status::IoError("raw pipe: no record consumed");
  r.seconds = std::chrono::duration<double>(end - *first).count();
  r.thread_cpu = (cpu1.thread - cpu0.thread) / r.seconds;
  r.process_cpu = (cpu1.process - cpu0.process) / r.seconds;
  return r;
}

// gendan's engine, in-process, on a thread of its own; this thread watches its metrics.
Result<RunResult> RunEngine(Config config, int64_t n, int timeout_s, bool trace) {
  std::filesystem::remove_all(config.engine.state_dir);
  EngineMetrics metrics;
  std::atomic<bool> stop{false}, done{false};
  Status run_status;
  std::thread engine_thread([&] {
    pthread_setname_np(pthread_self(), "gendan-engine");  // for perf and top
    EngineService engine(config, &metrics);
    run_status = engine.Run(stop);
    done = true;
  });
  Status s;
  std::optional<Clock::time_point> first, last;
  clockid_t engine_clock{};
  pthread_getcpuclockid(engine_thread.native_handle(), &engine_clock);
  CpuMark cpu0, cpu1;
  int64_t traced = 0;
  const auto give_up = Clock::now() + std::chrono::seconds(timeout_s);
  while (!last) {
    auto now = Clock::now();
    if (trace && first && metrics.transactions_committed.load() != traced) {
      traced = metrics.transactions_committed.load();
      std::printf(
          "  engine txn %lld seen at %8.1f ms: %7lld records decided, %7lld committed, last "
          "batch %lld\n",
          static_cast<long long>(traced - 1), Ms(now - *first),
          static_cast<long long>(metrics.records.load()),
          static_cast<long long>(metrics.batch_records_sum.load()),
          static_cast<long long>(metrics.last_batch_records.load()));
    }
    if (!first && metrics.records.load() > 0) {
      first = now;
      cpu0 = CpuMark::Now(engine_clock);
    }
    // Records count into batch_records_sum only once their transaction and store write are
    // committed; an aborted transaction would decide its records again (records > N).
    if (metrics.batch_records_sum.load() >= n) {
      last = now;
      cpu1 = CpuMark::Now(engine_clock);
    }
    if (last) break;
    if (done.load()) {
      s = Status::IoError("engine stopped early");
      break;
    }
    if (now > give_up) {
      s = Status::TryAgain("engine: timed out after " + std::to_string(metrics.records.load()) +
                           " records");
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  stop = true;
  engine_thread.join();
  std::filesystem::remove_all(config.engine.state_dir);
  if (!run_status.ok()) return run_status;
  if (!s.ok()) return s;
  RunResult r;
  r.records = metrics.records.load();
  r.transactions = metrics.transactions_committed.load();
  r.seconds = std::chrono::duration<double>(*last - *first).count();
  r.thread_cpu = (cpu1.thread - cpu0.thread) / r.seconds;
  r.process_cpu = (cpu1.process - cpu0.process) / r.seconds;
  int64_t rejected = 0;
  for (const auto& c : metrics.rejected) rejected += c.load();
  r.note = std::to_string(metrics.accepted.load()) + " accepted, " + std::to_string(rejected) +
           " rejected, " + std::to_string(metrics.duplicates.load()) + " duplicates, " +
           std::to_string(metrics.transactions_aborted.load()) + " aborts";
  if (metrics.transactions_aborted.load() != 0 || r.records != n)
    return Status::IoError("engine run not clean: " + r.note);
  return r;
}

int Main(Flags flags) {
  spdlog::set_level(spdlog::level::from_str(flags.log_level));
  Config base;
  ApplyEnvironment(&base);
  if (Status s = bench::ApplyKafkaFlags(flags.kafka_properties, &base); !s.ok()) {
    std::fprintf(stderr, "engine_pipe_bench: %s\n", s.ToString().c_str());
    return 2;
  }
  base.engine.commit_interval = std::chrono::milliseconds(flags.commit_interval_ms);
  base.engine.threads = flags.engine_threads;
  if (Status up = CheckBroker(base, 5'000); !up.ok()) {
    std::fprintf(stderr, "engine_pipe_bench: %s\n", up.ToString().c_str());
    return 1;
  }
  const std::string run_id = "bench." + std::to_string(getpid());
  auto round_config = [&](int round) {
    Config c = base;
    c.kafka.topic_prefix = run_id + ".r" + std::to_string(round) + ".";
    return c;
  };
  // Each round has its own topics: a fresh engine catches up from its events topic on
  // assignment, so it must start from an empty one; "raw" is the raw pipe's output.
  std::vector<std::string> topics;
  std::vector<TopicSpec> specs;
  for (int round = 0; round < flags.rounds; ++round) {
    Config c = round_config(round);
    for (const char* t : {"inbound", "events", "rejections", "raw"}) {
      specs.push_back({c.Topic(t), flags.partitions, {}});
      topics.push_back(c.Topic(t));
    }
  }
  int rc = 0;
  auto fail = [&](const std::string& what, const Status& s) {
    std::fprintf(stderr, "engine_pipe_bench: %s: %s\n", what.c_str(), s.ToString().c_str());
    rc = 1;
  };

  std::printf("generating %lld events (%d orders open at a time, seed %llu)...\n",
              static_cast<long long>(flags.events), flags.open_orders,
              static_cast<unsigned long long>(flags.seed));
  std::vector<Record> records = Generate(flags);
  if (flags.sim_orders > 0) {  // the whole simulated book, however many events it has
    flags.events = static_cast<int64_t>(records.size());
    std::printf("simulated book: %lld orders over %d business days\n",
                static_cast<long long>(flags.sim_orders), flags.sim_days);
  }
  size_t bytes = 0;
  for (const Record& r : records) bytes += r.value.size();
  CoreResult core = RunCore(records);
  std::printf(
      "%zu records, %.0f bytes each on average; core (parse+decide+evolve+serialize) "
      "%.0f events/s, %lld would be accepted (%.0f-byte OrderEvents)\n",
      records.size(), static_cast<double>(bytes) / static_cast<double>(records.size()), core.eps,
      static_cast<long long>(core.accepted),
      static_cast<double>(core.accepted_bytes) /
          static_cast<double>(std::max<int64_t>(1, core.accepted)));

  if (Status s = CreateTopics(base, specs); !s.ok()) {
    fail("creating topics", s);
    (void)DeleteTopics(base, topics);
    return rc;
  }
  auto t = Clock::now();
  for (int round = 0; round < flags.rounds && rc == 0; ++round) {
    Status s = ProduceAll(base, round_config(round).Topic("inbound"), records);
    if (!s.ok()) fail("producing", s);
  }
  std::printf("produced to %d inbound topics (%d partitions) in %.1f s\n\n", flags.rounds,
              flags.partitions, std::chrono::duration<double>(Clock::now() - t).count());
  // The pipes run in a process like the service's own: without the generated records (100+ MB
  // at 1M events) and with their memory handed back, so the allocator starts out small.
  std::vector<Record>().swap(records);
  malloc_trim(0);

  std::vector<double> raw_eps, engine_eps;
  std::printf("%-6s %-7s %9s %10s %5s %8s %9s  %s\n", "round", "pipe", "seconds", "events/s",
              "txns", "thr.cpu", "proc.cpu", "notes");
  auto row = [](int round, const char* pipe, const RunResult& r, const std::string& notes) {
    std::printf("%-6d %-7s %9.3f %10.0f %5lld %7.0f%% %8.0f%%  %s\n", round, pipe, r.seconds,
                r.eps(), static_cast<long long>(r.transactions), 100 * r.thread_cpu,
                100 * r.process_cpu, notes.c_str());
    std::fflush(stdout);
  };
  const auto interval = std::chrono::milliseconds(flags.commit_interval_ms);
  for (int round = 0; round < flags.rounds && rc == 0; ++round) {
    Config c = round_config(round);
    const std::string tag = run_id + ".r" + std::to_string(round);
    double raw_round = 0;
    if (flags.only != "engine") {
      auto raw = RunRaw(c, c.Topic("inbound"), c.Topic("raw"), flags.events, interval, tag + ".raw",
                        flags.timeout_s, flags.trace);
      if (!raw.ok()) {
        fail("raw pipe", raw.status());
        break;
      }
      raw_eps.push_back(raw_round = raw->eps());
      row(round, "raw", *raw, "");
    }
    if (flags.only == "raw") continue;
    c.engine.group_id = tag + ".engine";
    c.engine.state_dir =
        (std::filesystem::temp_directory_path() / ("gendan-" + tag + ".engine")).string();
    auto engine = RunEngine(c, flags.events, flags.timeout_s, flags.trace);
    if (!engine.ok()) {
      fail("engine", engine.status());
      break;
    }
    engine_eps.push_back(engine->eps());
    std::string notes = engine->note;
    if (raw_round > 0) notes += fmt::format("; ratio {:.2f}", engine->eps() / raw_round);
    row(round, "engine", *engine, notes);
  }
  if (Status s = DeleteTopics(base, topics); !s.ok()) fail("deleting topics", s);
  if (rc != 0 || !flags.only.empty()) return rc;

  const double raw_m = Median(raw_eps), engine_m = Median(engine_eps);
  std::printf(
      "\nmedian of %zu: raw %.0f events/s, engine %.0f events/s, ratio %.3f (target >= "
      "0.75)\n",
      raw_eps.size(), raw_m, engine_m, engine_m / raw_m);
  // The -X settings go into the summary as given (keys and values of librdkafka properties
  // need no JSON escaping).
  std::string settings;
  for (const std::string& kv : flags.kafka_properties) {
    settings += (settings.empty() ? "\"" : ",\"") + kv + "\"";
  }
  std::printf(
      "{\"bench\":\"engine_pipe\",\"events\":%lld,\"rounds\":%zu,\"commit_interval_ms\":%d,"
      "\"engine_threads\":%d,\"kafka\":[%s],\"raw_eps\":%.0f,\"engine_eps\":%.0f,"
      "\"ratio\":%.3f,\"core_eps\":%.0f}\n",
      static_cast<long long>(flags.events), raw_eps.size(), flags.commit_interval_ms,
      flags.engine_threads, settings.c_str(), raw_m, engine_m, engine_m / raw_m, core.eps);
  return 0;
}

}  // namespace
}  // namespace gendan

int main(int argc, char** argv) {
  gendan::Flags flags;
  CLI::App app{
      "engine_pipe_bench: gendan's engine service vs a raw librdkafka transactional "
      "consume-produce pipe over the same records (broker at GENDAN_BOOTSTRAP, default "
      "127.0.0.1:9092)"};
  app.add_option("-n,--events", flags.events, "Events to generate and pipe")
      ->check(CLI::Range(int64_t{1}, int64_t{100'000'000}));
  app.add_option("-r,--rounds", flags.rounds, "Rounds of raw then engine; medians are reported")
      ->check(CLI::Range(1, 99));
  app.add_option("--commit-interval-ms", flags.commit_interval_ms,
                 "Transaction length for both pipes (engine.commit_interval)")
      ->check(CLI::Range(1, 60'000));
  app.add_option("--open-orders", flags.open_orders, "Orders interleaved in the inbound stream")
      ->check(CLI::Range(1, 10'000'000));
  app.add_option("--partitions", flags.partitions, "Partitions per topic")
      ->check(CLI::Range(1, 1000));
  app.add_option("--seed", flags.seed, "HistoryGenerator seed");
  app.add_option("--timeout-s", flags.timeout_s, "Give up on a run after this long");
  app.add_option("--log-level", flags.log_level, "trace|debug|info|warn|error")
      ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error"}));
  app.add_option("--only", flags.only, "Run one pipe only, e.g. under perf (no ratio)")
      ->check(CLI::IsMember({"raw", "engine"}));
  app.add_option("-X", flags.kafka_properties,
                 "librdkafka property for every client of both pipes (as kafka.* in the config)");
  app.add_flag("--trace", flags.trace, "Print a line per transaction");
  app.add_option("--engine-threads", flags.engine_threads,
                 "engine.threads: pipelines in the engine (the raw pipe always has one)")
      ->check(CLI::Range(1, 64));
  app.add_option("--sim-orders", flags.sim_orders,
                 "Pipe gendan simulate's book of this many orders (every event of it) instead of "
                 "--events of HistoryGenerator histories");
  app.add_option("--sim-days", flags.sim_days, "Business days of the simulated book (260: a year)")
      ->check(CLI::Range(1, 100'000));
  CLI11_PARSE(app, argc, argv);
  return gendan::Main(flags);
}
