// projector_bench: gendan's ProjectorService against a raw librdkafka read_committed consume of
// the same events topic, in the same run, on the real broker.
//
//   projector_bench [--events 150000] [--rounds 3] [--spread-days 365] [--keep-state DIR]
//   projector_bench --serve DIR [--listen 127.0.0.1:0] [--port-file F]
//   projector_bench --sim-orders 100000 [--sim-days 260] [--seed 1] ...
//
// With --sim-orders the inbound records are every fact of `gendan simulate`'s book of that many
// orders (bench_util SimulatedRecords, spanning its own dates, no shift; what bench/suite.sh
// uses) instead of the HistoryGenerator setup below.
// Setup (untimed): N inbound events of valid, interleaved order histories (HistoryGenerator; each
// order's whole history shifted by a random whole number of days in [0, spread-days) so that the
// data covers a year instead of the generator's first weeks of 2024) are produced to
// "bench.<pid>.inbound" (6 partitions), and gendan's own EngineService runs in-process until all
// of them are decided and committed: "bench.<pid>.events" is then a real, transactional
// gendan.events (versions, recorded_at, commit markers) written by the engine.
// Each round then runs, one after the other, on that events topic:
//   raw        a KafkaConsumer made like the projector's (MakeConsumer, read_committed, own
//              group) assigned every partition from the beginning, reading key and every payload
//              byte of each record, until it has the engine's accepted count;
//   projector  gendan's ProjectorService on a thread of its own (own group id, fresh
//              ReadModelStore::OpenWriter in /tmp, default projector.commit_interval 200 ms,
//              publishing to "...status") until ProjectorMetrics.events == accepted — every event
//              applied and committed (synced WriteBatch) to the read models.
//   store      (unless --no-store) raw plus the projector's storage work minus the projection:
//              every record's bytes put in a RocksDB WriteBatch (read-model store options) under
//              a timeline-like key, written synced every commit interval — for scale.
// All are timed from partition assignment (raw: assign(); projector: its rebalance callback,
// so the consumer-group join is excluded) to the last record (raw) / the commit that covers it
// (projector). Prints a table, then one JSON line with the medians and projector/raw (target
// >= 0.6). With --keep-state DIR the last round's read models stay at DIR (a generation link)
// and DIR.ids lists every order id, for bench/http_bench.sh. --serve DIR serves the query API
// in-process over a kept DIR as a writer store (as `gendan run` does) until SIGINT/SIGTERM.
// Deletes its topics and the other state dirs at the end.
#include <google/protobuf/descriptor.h>
#include <google/protobuf/message.h>
#include <pthread.h>
#include <rocksdb/db.h>
#include <rocksdb/filter_policy.h>
#include <rocksdb/table.h>
#include <rocksdb/write_batch.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <unordered_set>
#include <vector>

#include "bench/bench_util.h"
#include "consumers/config.h"
#include "consumers/engine_metrics.h"
#include "consumers/engine_service.h"
#include "consumers/kafka_client.h"
#include "consumers/projector_service.h"
#include "consumers/query_api.h"
#include "projections/read_model_store.h"
#include "tests/engine/history_generator.h"

namespace gendan {
namespace {

using Clock = std::chrono::steady_clock;
using bench::CpuSeconds;
using bench::Median;
using bench::ProduceAll;
using bench::Record;
namespace fs = std::filesystem;

struct Flags {
  int64_t events = 150'000;
  int rounds = 3;
  int spread_days = 365;
  int open_orders = 2'000;
  int partitions = 6;
  uint64_t seed = 1;
  int timeout_s = 600;
  int projector_commit_interval_ms = 200;  // the config default
  std::string log_level = "warn";
  std::string only;            // "raw" or "projector" (for profiling); no ratio
  bool store_baseline = true;  // also run "store": raw + synced RocksDB writes of the bytes
  std::string keep_state;      // keep the last round's read models here (+ .ids)
  std::string serve;           // serve mode: the read-model dir to serve
  std::string listen = "127.0.0.1:0";
  std::string port_file;
  std::vector<std::string> kafka_properties;
  int64_t sim_orders = 0;  // > 0: the simulator's book of this many orders instead (all of it)
  int sim_days = 260;
};

double Seconds(Clock::duration d) { return std::chrono::duration<double>(d).count(); }

std::string FormatDay(int64_t unix_seconds) {
  std::chrono::year_month_day ymd{std::chrono::floor<std::chrono::days>(
      std::chrono::sys_seconds(std::chrono::seconds(unix_seconds)))};
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", int(ymd.year()), unsigned(ymd.month()),
                unsigned(ymd.day()));
  return buf;
}

// Moves every instant (Timestamp) and every "*_date" string of a message by whole days: the
// history keeps its shape (same gaps, same order), so it stays exactly as valid.
void ShiftDays(google::protobuf::Message* m, int days) {
  using google::protobuf::FieldDescriptor;
  const auto* d = m->GetDescriptor();
  const auto* r = m->GetReflection();
  if (d->full_name() == "google.protobuf.Timestamp") {
    const FieldDescriptor* secs = d->FindFieldByName("seconds");
    r->SetInt64(m, secs, r->GetInt64(*m, secs) + int64_t{days} * 86400);
    return;
  }
  std::vector<const FieldDescriptor*> fields;
  r->ListFields(*m, &fields);
  for (const FieldDescriptor* f : fields) {
    if (f->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE) {
      if (f->is_repeated()) {
        for (int i = 0; i < r->FieldSize(*m, f); ++i)
          ShiftDays(r->MutableRepeatedMessage(m, f, i), days);
      } else {
        ShiftDays(r->MutableMessage(m, f), days);
      }
    } else if (f->type() == FieldDescriptor::TYPE_STRING && !f->is_repeated() &&
               std::string_view(f->name()).ends_with("_date")) {
      std::string v = r->GetString(*m, f);
      int y = 0;
      unsigned mo = 0, dd = 0;
      if (std::sscanf(v.c_str(), "%d-%u-%u", &y, &mo, &dd) != 3) continue;
      std::chrono::sys_days day = std::chrono::year_month_day{
          std::chrono::year(y), std::chrono::month(mo), std::chrono::day(dd)};
      r->SetString(m, f,
                   FormatDay((day + std::chrono::days(days)).time_since_epoch().count() * 86400));
    }
  }
}

struct Generated {
  std::vector<Record> records;
  int orders = 0;
  std::vector<std::string> order_ids;                      // in order of first appearance
  int64_t native_min = INT64_MAX, native_max = INT64_MIN;  // occurred_at before the shift
  int64_t min = INT64_MAX, max = INT64_MIN;                // after
};

// As engine_pipe_bench: `open_orders` histories interleaved at random, each in its own order.
Generated Generate(const Flags& flags) {
  if (flags.sim_orders > 0) {  // the simulator's book spans its own dates: no shift
    Generated g;
    g.records =
        bench::SimulatedRecords(bench::SimWorkload(flags.sim_orders, flags.sim_days, flags.seed));
    std::unordered_set<std::string_view> seen;
    for (const Record& r : g.records) {
      if (seen.insert(r.key).second) g.order_ids.push_back(r.key);
      v1::InboundEvent e;
      e.ParseFromString(r.value);
      g.min = std::min<int64_t>(g.min, e.occurred_at().seconds());
      g.max = std::max<int64_t>(g.max, e.occurred_at().seconds());
    }
    g.native_min = g.min;
    g.native_max = g.max;
    g.orders = static_cast<int>(g.order_ids.size());
    return g;
  }
  test::HistoryGenerator gen(flags.seed);
  test::HistoryGenerator::Rng pick(flags.seed * 7919 + 1);
  struct Open {
    std::vector<v1::InboundEvent> history;
    size_t next = 0;
  };
  std::vector<Open> open(static_cast<size_t>(flags.open_orders));
  Generated g;
  g.records.reserve(static_cast<size_t>(flags.events));
  while (static_cast<int64_t>(g.records.size()) < flags.events) {
    Open& o = open[static_cast<size_t>(pick.Between(0, flags.open_orders - 1))];
    if (o.next == o.history.size()) {
      char id[32];
      std::snprintf(id, sizeof id, "ORD-%08d", g.orders++);
      g.order_ids.push_back(id);
      o.history = gen.Next(id);
      o.next = 0;
      int days =
          flags.spread_days > 0 ? static_cast<int>(pick.Between(0, flags.spread_days - 1)) : 0;
      for (auto& e : o.history) {
        g.native_min = std::min<int64_t>(g.native_min, e.occurred_at().seconds());
        g.native_max = std::max<int64_t>(g.native_max, e.occurred_at().seconds());
        if (days != 0) ShiftDays(&e, days);
      }
    }
    const v1::InboundEvent& e = o.history[o.next++];
    g.min = std::min<int64_t>(g.min, e.occurred_at().seconds());
    g.max = std::max<int64_t>(g.max, e.occurred_at().seconds());
    g.records.push_back({e.order_id(), e.SerializeAsString()});
  }
  return g;
}

// The engine, in-process, until every inbound record is decided and committed. Returns the
// number of OrderEvents it wrote to the events topic.
Result<int64_t> RunEngine(Config config, int64_t n, int timeout_s, std::string* note) {
  fs::remove_all(config.engine.state_dir);
  EngineMetrics metrics;
  std::atomic<bool> stop{false}, done{false};
  Status run_status;
  std::thread t([&] {
    EngineService engine(config, &metrics);
    run_status = engine.Run(stop);
    done = true;
  });
  Status s;
  const auto give_up = Clock::now() + std::chrono::seconds(timeout_s);
  while (metrics.batch_records_sum.load() < n) {
    if (done.load()) {
      s = Status::IoError("engine stopped early");
      break;
    }
    if (Clock::now() > give_up) {
      s = Status::TryAgain("engine: timed out after " + std::to_string(metrics.records.load()));
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  stop = true;
  t.join();
  fs::remove_all(config.engine.state_dir);
  if (!run_status.ok()) return run_status;
  if (!s.ok()) return s;
  int64_t rejected = 0;
  for (const auto& c : metrics.rejected) rejected += c.load();
  *note = std::to_string(metrics.accepted.load()) + " accepted, " + std::to_string(rejected) +
          " rejected, " + std::to_string(metrics.duplicates.load()) + " duplicates, " +
          std::to_string(metrics.transactions_committed.load()) + " transactions, " +
          std::to_string(metrics.transactions_aborted.load()) + " aborts";
  if (metrics.transactions_aborted.load() != 0)
    return Status::IoError("engine run not clean: " + *note);
  return metrics.accepted.load();
}

struct RunResult {
  double seconds = 0;        // assignment → done
  double seconds_total = 0;  // client created → done (includes the group join for the projector)
  double thread_cpu = 0, process_cpu = 0;
  int64_t events = 0;
  std::string note;
  double eps() const { return seconds > 0 ? static_cast<double>(events) / seconds : 0; }
};

// Opens a fresh RocksDB with the read models' options (projections/read_model_store.cc).
Result<std::unique_ptr<rocksdb::DB>> OpenPlainStore(const std::string& dir) {
  fs::remove_all(dir);
  rocksdb::Options options;
  options.create_if_missing = true;
  options.compression = rocksdb::kLZ4Compression;
  rocksdb::BlockBasedTableOptions table;
  table.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10));
  options.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));
  rocksdb::DB* raw = nullptr;
  rocksdb::Status s = rocksdb::DB::Open(options, dir, &raw);
  if (!s.ok()) return Status::IoError("opening " + dir + ": " + s.ToString());
  return std::unique_ptr<rocksdb::DB>(raw);
}

// The baseline: consume every committed record of the topic and read all of its bytes.
// With `db` ("store"), also the projector's storage work minus the projection: each record's
// bytes go to a WriteBatch under a timeline-like key, written synced every `interval` (from the
// batch's first record, as the projector) or 20 000 records, the last one before the clock stops.
Result<RunResult> RunRaw(const Config& config, const std::string& topic, int partitions, int64_t n,
                         const std::string& group, int timeout_s, rocksdb::DB* db = nullptr,
                         std::chrono::milliseconds interval = std::chrono::milliseconds(200)) {
  const auto created = Clock::now();
  auto consumer = MakeConsumer(config, {{"group.id", group},
                                        {"enable.auto.commit", "false"},
                                        {"enable.auto.offset.store", "false"},
                                        {"auto.offset.reset", "earliest"},
                                        {"isolation.level", "read_committed"}});
  if (!consumer.ok()) return consumer.status();
  RdKafka::KafkaConsumer& c = **consumer;
  // Learn the topic's leaders first, as the projector's group join does before its assignment:
  // assigned without a known leader, librdkafka 2.0.2 retries the offset lookup only after 500 ms.
  {
    std::string err;
    std::unique_ptr<RdKafka::Topic> t(RdKafka::Topic::create(&c, topic, nullptr, err));
    RdKafka::Metadata* md = nullptr;
    if (t == nullptr || c.metadata(false, t.get(), &md, 10'000) != RdKafka::ERR_NO_ERROR)
      return Status::IoError("raw: no metadata for " + topic + " " + err);
    delete md;
  }
  std::vector<RdKafka::TopicPartition*> parts;
  for (int p = 0; p < partitions; ++p)
    parts.push_back(RdKafka::TopicPartition::create(topic, p, RdKafka::Topic::OFFSET_BEGINNING));
  const auto start = Clock::now();
  const double cpu_thread0 = CpuSeconds(CLOCK_THREAD_CPUTIME_ID);
  const double cpu_proc0 = CpuSeconds(CLOCK_PROCESS_CPUTIME_ID);
  RdKafka::ErrorCode e = c.assign(parts);
  RdKafka::TopicPartition::destroy(parts);
  if (e != RdKafka::ERR_NO_ERROR) return Status::IoError("assign: " + RdKafka::err2str(e));
  RunResult r;
  uint64_t touch = 0, bytes = 0;
  std::optional<Clock::time_point> first;
  rocksdb::WriteBatch wb;
  int64_t in_batch = 0, batches = 0;
  Clock::time_point deadline = Clock::time_point::max();
  auto write = [&]() -> Status {
    rocksdb::WriteOptions options;
    options.sync = true;
    rocksdb::Status s = db->Write(options, &wb);
    wb.Clear();
    in_batch = 0;
    ++batches;
    deadline = Clock::time_point::max();
    return s.ok() ? Status::Ok() : Status::IoError("store: " + s.ToString());
  };
  const auto give_up = start + std::chrono::seconds(timeout_s);
  while (r.events < n) {
    if (Clock::now() > give_up)
      return Status::TryAgain("raw: timed out after " + std::to_string(r.events) + " records");
    std::unique_ptr<RdKafka::Message> m(c.consume(100));
    if (m->err() == RdKafka::ERR_NO_ERROR) {
      if (!first) first = Clock::now();
      const auto* p = static_cast<const unsigned char*>(m->payload());
      for (size_t i = 0; i < m->len(); ++i) touch += p[i];
      touch += m->key_len();
      bytes += m->len();
      ++r.events;
      if (db != nullptr) {
        std::string key = "e/" + *m->key();
        key.push_back('\0');
        for (int i = 7; i >= 0; --i)
          key.push_back(static_cast<char>((m->offset() >> (8 * i)) & 0xff));
        wb.Put(key, rocksdb::Slice(static_cast<const char*>(m->payload()), m->len()));
        if (in_batch++ == 0) deadline = Clock::now() + interval;
      }
    } else if (m->err() != RdKafka::ERR__TIMED_OUT && m->err() != RdKafka::ERR__PARTITION_EOF) {
      spdlog::warn("raw: consume: {}", m->errstr());
    }
    if (db != nullptr && in_batch > 0 &&
        (r.events == n || in_batch >= 20'000 || Clock::now() >= deadline)) {
      if (Status s = write(); !s.ok()) return s;
    }
  }
  const auto end = Clock::now();
  r.seconds = Seconds(end - start);
  r.seconds_total = Seconds(end - created);
  r.thread_cpu = (CpuSeconds(CLOCK_THREAD_CPUTIME_ID) - cpu_thread0) / r.seconds;
  r.process_cpu = (CpuSeconds(CLOCK_PROCESS_CPUTIME_ID) - cpu_proc0) / r.seconds;
  c.close();
  r.note = fmt::format("{:.0f} B/event, first record after {:.0f} ms, {:.0f} events/s after it",
                       static_cast<double>(bytes) / static_cast<double>(r.events),
                       1000 * Seconds(*first - start),
                       static_cast<double>(r.events - 1) / Seconds(end - *first));
  if (touch == 42) r.note += ".";  // keeps the byte sum observable
  if (db != nullptr) r.note += fmt::format("; {} synced writes", batches);
  return r;
}

void RemoveStore(const std::string& dir) {
  std::error_code ec;
  if (fs::is_symlink(dir, ec)) {
    fs::path target = fs::read_symlink(dir, ec);
    if (target.is_relative()) target = fs::path(dir).parent_path() / target;
    fs::remove_all(target, ec);
  }
  fs::remove_all(dir, ec);
}

// gendan's projector on a thread of its own; this thread watches its metrics.
Result<RunResult> RunProjector(const Config& config, int64_t n, int timeout_s) {
  RemoveStore(config.projector.state_dir);
  const auto created = Clock::now();
  auto store = ReadModelStore::OpenWriter(config.projector.state_dir, StoreMemoryFrom(config));
  if (!store.ok()) return store.status();
  ProjectorMetrics metrics;
  std::atomic<bool> stop{false}, done{false};
  Status run_status;
  std::thread t([&] {
    pthread_setname_np(pthread_self(), "gendan-proj");  // for perf report --comms
    ProjectorService projector(config, store->get(), &metrics);
    run_status = projector.Run(stop);
    done = true;
  });
  clockid_t clock{};
  pthread_getcpuclockid(t.native_handle(), &clock);
  std::optional<Clock::time_point> start, end;
  double cpu_thread0 = 0, cpu_proc0 = 0, cpu_thread1 = 0, cpu_proc1 = 0;
  Status s;
  const auto give_up = Clock::now() + std::chrono::seconds(timeout_s);
  while (!end) {
    const auto now = Clock::now();
    if (!start && metrics.assigned.load()) {
      start = now;
      cpu_thread0 = CpuSeconds(clock);
      cpu_proc0 = CpuSeconds(CLOCK_PROCESS_CPUTIME_ID);
    }
    if (metrics.events.load() >= n) {
      end = now;
      cpu_thread1 = CpuSeconds(clock);
      cpu_proc1 = CpuSeconds(CLOCK_PROCESS_CPUTIME_ID);
      break;
    }
    if (done.load()) {
      s = Status::IoError("projector stopped early");
      break;
    }
    if (now > give_up) {
      s = Status::TryAgain("projector: timed out after " + std::to_string(metrics.events.load()));
      break;
    }
    std::this_thread::sleep_for(std::chrono::microseconds(500));
  }
  stop = true;
  t.join();
  store->reset();
  if (!run_status.ok()) return run_status;
  if (!s.ok()) return s;
  RunResult r;
  r.events = metrics.events.load();
  r.seconds = Seconds(*end - (start ? *start : created));
  r.seconds_total = Seconds(*end - created);
  r.thread_cpu = (cpu_thread1 - cpu_thread0) / r.seconds;
  r.process_cpu = (cpu_proc1 - cpu_proc0) / r.seconds;
  r.note = fmt::format("{} batches, {} statuses published", metrics.batches.load(),
                       metrics.statuses_published.load());
  if (r.events != n) return Status::IoError("projector applied " + std::to_string(r.events));
  return r;
}

std::atomic<bool> g_stop{false};

// The query API in-process over a kept writer store (Refresh is a no-op, as in `gendan run`).
int Serve(const Flags& flags, const Config& base) {
  auto store = ReadModelStore::OpenWriter(flags.serve);
  if (!store.ok()) {
    std::fprintf(stderr, "projector_bench: %s\n", store.status().ToString().c_str());
    return 1;
  }
  Config c = base;
  c.serve.listen = flags.listen;
  QueryApi api(c, store->get(), MetricsSources{}, [] { return int64_t{0}; });
  if (Status s = api.Start(); !s.ok()) {
    std::fprintf(stderr, "projector_bench: %s\n", s.ToString().c_str());
    return 1;
  }
  std::printf("serving %s on port %d\n", flags.serve.c_str(), api.port());
  std::fflush(stdout);
  if (!flags.port_file.empty()) {
    std::ofstream(flags.port_file + ".tmp") << api.port() << "\n";
    fs::rename(flags.port_file + ".tmp", flags.port_file);
  }
  std::signal(SIGINT, [](int) { g_stop = true; });
  std::signal(SIGTERM, [](int) { g_stop = true; });
  while (!g_stop.load()) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  api.Stop();
  return 0;
}

int Main(Flags flags) {
  spdlog::set_level(spdlog::level::from_str(flags.log_level));
  Config base;
  ApplyEnvironment(&base);
  if (Status s = bench::ApplyKafkaFlags(flags.kafka_properties, &base); !s.ok()) {
    std::fprintf(stderr, "projector_bench: %s\n", s.ToString().c_str());
    return 2;
  }
  if (!flags.serve.empty()) return Serve(flags, base);
  base.projector.commit_interval = std::chrono::milliseconds(flags.projector_commit_interval_ms);
  if (Status up = CheckBroker(base, 5'000); !up.ok()) {
    std::fprintf(stderr, "projector_bench: %s\n", up.ToString().c_str());
    return 1;
  }
  const std::string run_id = "bench." + std::to_string(getpid());
  base.kafka.topic_prefix = run_id + ".";
  std::vector<std::string> topics;
  std::vector<TopicSpec> specs;
  for (const char* t : {"inbound", "events", "rejections", "status", "alerts"}) {
    KafkaProperties configs;
    if (std::string_view(t) == "status") configs["cleanup.policy"] = "compact";
    specs.push_back({base.Topic(t), flags.partitions, configs});
    topics.push_back(base.Topic(t));
  }
  int rc = 0;
  auto fail = [&](const std::string& what, const Status& s) {
    std::fprintf(stderr, "projector_bench: %s: %s\n", what.c_str(), s.ToString().c_str());
    rc = 1;
  };

  std::printf("generating %lld events (%d orders open at a time, seed %llu, spread %d days)...\n",
              static_cast<long long>(flags.events), flags.open_orders,
              static_cast<unsigned long long>(flags.seed), flags.spread_days);
  Generated g = Generate(flags);
  if (flags.sim_orders > 0) flags.events = static_cast<int64_t>(g.records.size());
  std::printf(
      "%zu events of %d orders; generator's own occurred_at span %s .. %s; after the per-order "
      "shift %s .. %s\n",
      g.records.size(), g.orders, FormatDay(g.native_min).c_str(), FormatDay(g.native_max).c_str(),
      FormatDay(g.min).c_str(), FormatDay(g.max).c_str());
  if (Status s = CreateTopics(base, specs); !s.ok()) {
    fail("creating topics", s);
    (void)DeleteTopics(base, topics);
    return rc;
  }
  auto t0 = Clock::now();
  if (Status s = ProduceAll(base, base.Topic("inbound"), g.records); !s.ok()) fail("producing", s);
  int64_t accepted = 0;
  if (rc == 0) {
    std::printf("produced %s in %.1f s; running the engine...\n", base.Topic("inbound").c_str(),
                Seconds(Clock::now() - t0));
    std::fflush(stdout);
    Config c = base;
    c.engine.group_id = run_id + ".engine";
    c.engine.state_dir = (fs::temp_directory_path() / ("gendan-" + run_id + ".engine")).string();
    t0 = Clock::now();
    std::string note;
    auto a = RunEngine(c, static_cast<int64_t>(g.records.size()), flags.timeout_s, &note);
    if (!a.ok()) {
      fail("engine", a.status());
    } else {
      accepted = *a;
      std::printf("engine wrote %s in %.1f s: %s\n\n", base.Topic("events").c_str(),
                  Seconds(Clock::now() - t0), note.c_str());
    }
  }
  if (rc == 0 && accepted == 0) fail("engine", Status::IoError("no event accepted"));

  std::vector<double> raw_eps, proj_eps, store_eps;
  std::string kept;
  if (rc == 0) {
    std::printf("%-6s %-10s %8s %10s %9s %8s %9s  %s\n", "round", "reader", "seconds", "events/s",
                "w/ join s", "thr.cpu", "proc.cpu", "notes");
  }
  auto row = [](int round, const char* who, const RunResult& r, const std::string& notes) {
    std::printf("%-6d %-10s %8.3f %10.0f %9.3f %7.0f%% %8.0f%%  %s\n", round, who, r.seconds,
                r.eps(), r.seconds_total, 100 * r.thread_cpu, 100 * r.process_cpu, notes.c_str());
    std::fflush(stdout);
  };
  for (int round = 0; round < flags.rounds && rc == 0; ++round) {
    const std::string tag = run_id + ".r" + std::to_string(round);
    double raw_round = 0;
    if (flags.only != "projector") {
      auto raw = RunRaw(base, base.Topic("events"), flags.partitions, accepted, tag + ".raw",
                        flags.timeout_s);
      if (!raw.ok()) {
        fail("raw", raw.status());
        break;
      }
      raw_eps.push_back(raw_round = raw->eps());
      row(round, "raw", *raw, raw->note);
    }
    if (flags.only == "raw") continue;
    if (flags.only.empty() && flags.store_baseline) {
      const std::string dir = (fs::temp_directory_path() / ("gendan-" + tag + ".store")).string();
      auto db = OpenPlainStore(dir);
      if (!db.ok()) {
        fail("store", db.status());
        break;
      }
      auto st = RunRaw(base, base.Topic("events"), flags.partitions, accepted, tag + ".store",
                       flags.timeout_s, db->get(),
                       std::chrono::milliseconds(flags.projector_commit_interval_ms));
      db->reset();
      fs::remove_all(dir);
      if (!st.ok()) {
        fail("store", st.status());
        break;
      }
      store_eps.push_back(st->eps());
      row(round, "store", *st, st->note);
    }
    Config c = base;
    c.projector.group_id = tag + ".projector";
    c.projector.state_dir =
        (fs::temp_directory_path() / ("gendan-" + tag + ".projections")).string();
    auto proj = RunProjector(c, accepted, flags.timeout_s);
    if (!proj.ok()) {
      fail("projector", proj.status());
      RemoveStore(c.projector.state_dir);
      break;
    }
    proj_eps.push_back(proj->eps());
    std::string notes = proj->note;
    if (raw_round > 0) notes += fmt::format("; ratio {:.2f}", proj->eps() / raw_round);
    row(round, "projector", *proj, notes);
    if (!kept.empty()) RemoveStore(kept);
    kept = c.projector.state_dir;
  }
  if (!kept.empty()) {
    if (rc == 0 && !flags.keep_state.empty()) {
      // Move the generation and re-point a fresh link at it.
      std::error_code ec;
      fs::path gen = fs::read_symlink(kept, ec);
      if (gen.is_relative()) gen = fs::path(kept).parent_path() / gen;
      RemoveStore(flags.keep_state);
      const std::string new_gen = flags.keep_state + ".gen-bench";
      fs::remove_all(new_gen, ec);
      fs::rename(gen, new_gen, ec);
      if (!ec) fs::create_directory_symlink(fs::path(new_gen).filename(), flags.keep_state, ec);
      fs::remove(kept, ec);
      if (ec) {
        fail("keeping the read models", Status::IoError(ec.message()));
      } else {
        std::ofstream ids(flags.keep_state + ".ids");
        for (const std::string& id : g.order_ids) ids << id << "\n";
        std::printf("\nkept the last read models at %s (%d order ids in %s.ids)\n",
                    flags.keep_state.c_str(), g.orders, flags.keep_state.c_str());
      }
    } else {
      RemoveStore(kept);
    }
  }
  if (Status s = DeleteTopics(base, topics); !s.ok()) fail("deleting topics", s);
  if (rc != 0 || !flags.only.empty()) return rc;

  const double raw_m = Median(raw_eps), proj_m = Median(proj_eps);
  const double store_m = store_eps.empty() ? 0 : Median(store_eps);
  std::printf(
      "\nmedian of %zu: raw %.0f events/s, projector %.0f events/s, ratio %.3f (target >= 0.6)\n",
      raw_eps.size(), raw_m, proj_m, proj_m / raw_m);
  if (store_m > 0) {
    std::printf(
        "store (raw + synced RocksDB writes of the bytes) %.0f events/s; projector/store %.3f\n",
        store_m, proj_m / store_m);
  }
  std::printf(
      "{\"bench\":\"projector\",\"events\":%lld,\"rounds\":%zu,\"partitions\":%d,"
      "\"commit_interval_ms\":%d,\"span\":\"%s..%s\",\"raw_eps\":%.0f,\"projector_eps\":%.0f,"
      "\"ratio\":%.3f,\"target\":0.6,\"store_eps\":%.0f}\n",
      static_cast<long long>(accepted), raw_eps.size(), flags.partitions,
      flags.projector_commit_interval_ms, FormatDay(g.min).c_str(), FormatDay(g.max).c_str(), raw_m,
      proj_m, proj_m / raw_m, store_m);
  return 0;
}

}  // namespace
}  // namespace gendan

int main(int argc, char** argv) {
  gendan::Flags flags;
  CLI::App app{
      "projector_bench: gendan's projector vs a raw librdkafka read_committed consume of the same "
      "events topic (broker at GENDAN_BOOTSTRAP, default 127.0.0.1:9092)"};
  app.add_option("-n,--events", flags.events,
                 "Inbound events to generate (the engine accepts them)")
      ->check(CLI::Range(int64_t{1}, int64_t{100'000'000}));
  app.add_option("-r,--rounds", flags.rounds, "Rounds of raw then projector; medians are reported")
      ->check(CLI::Range(1, 99));
  app.add_option("--spread-days", flags.spread_days,
                 "Shift each order's history by a random 0..N-1 days (0: as generated)")
      ->check(CLI::Range(0, 3650));
  app.add_option("--open-orders", flags.open_orders, "Orders interleaved in the inbound stream")
      ->check(CLI::Range(1, 10'000'000));
  app.add_option("--partitions", flags.partitions, "Partitions per topic")
      ->check(CLI::Range(1, 1000));
  app.add_option("--seed", flags.seed, "HistoryGenerator seed");
  app.add_option("--timeout-s", flags.timeout_s, "Give up on a run after this long");
  app.add_option("--commit-interval-ms", flags.projector_commit_interval_ms,
                 "projector.commit_interval")
      ->check(CLI::Range(1, 60'000));
  app.add_option("--log-level", flags.log_level, "trace|debug|info|warn|error")
      ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error"}));
  app.add_option("--only", flags.only, "Run one reader only, e.g. under perf (no ratio)")
      ->check(CLI::IsMember({"raw", "projector"}));
  app.add_flag("!--no-store", flags.store_baseline,
               "Skip the store baseline (raw consume + synced RocksDB writes of the bytes)");
  app.add_option("--keep-state", flags.keep_state,
                 "Keep the last round's read models at this path (+ .ids), for http_bench.sh");
  app.add_option("--serve", flags.serve,
                 "Serve mode: the query API in-process over kept read models (writer store)");
  app.add_option("--listen", flags.listen, "Serve mode: host:port");
  app.add_option("--port-file", flags.port_file, "Serve mode: write the bound port here");
  app.add_option("-X", flags.kafka_properties, "librdkafka property for every client");
  app.add_option("--sim-orders", flags.sim_orders,
                 "Use gendan simulate's book of this many orders (every event of it) instead of "
                 "--events of HistoryGenerator histories");
  app.add_option("--sim-days", flags.sim_days, "Business days of the simulated book (260: a year)")
      ->check(CLI::Range(1, 100'000));
  CLI11_PARSE(app, argc, argv);
  return gendan::Main(flags);
}
