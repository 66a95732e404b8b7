// The whole pipeline on the real broker: engine → gendan.events → projector → read models →
// query API over real HTTP; and the projector's crash safety.
#include <google/protobuf/util/time_util.h>
#include <gtest/gtest.h>
#include <httplib.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <thread>

#include "consumers/engine_service.h"
#include "consumers/lag_probe.h"
#include "consumers/projector_service.h"
#include "consumers/query_api.h"
#include "consumers/rebuild.h"
#include "tests/consumers/broker_fixture.h"
#include "tests/engine/history_generator.h"
#include "tests/engine/test_events.h"

namespace gendan {
namespace {

using gendan::test::Event;
using gendan::test::HistoryGenerator;
using gendan::testing::BrokerTest;
using gendan::testing::WaitFor;
using Json = nlohmann::json;

// Runs `fn(stop)` on a thread until destroyed.
class Background {
 public:
  explicit Background(std::function<Status(const std::atomic<bool>&)> fn)
      : thread_([this, fn] { status_ = fn(stop_); }) {}
  ~Background() { (void)Stop(); }
  Status Stop() {
    stop_.store(true);
    if (thread_.joinable()) thread_.join();
    return status_;
  }

 private:
  std::atomic<bool> stop_{false};
  Status status_;
  std::thread thread_;
};

class PipelineIT : public BrokerTest {
 protected:
  void SetUp() override {
    BrokerTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    Config& c = mutable_config();
    c.projector.commit_interval = std::chrono::milliseconds(100);
    c.serve.listen = "127.0.0.1:0";
    // A fixed risk-monitor clock makes alerts a function of the log alone, so stores compare.
    c.risk.now = "2030-01-01T00:00:00Z";
  }

  // Runs the engine until `accepted` events are recorded.
  void RecordAll(int64_t accepted) {
    EngineMetrics metrics;
    EngineService engine(config(), &metrics);
    Background run([&](const std::atomic<bool>& stop) { return engine.Run(stop); });
    ASSERT_TRUE(WaitFor(
        [&] { return metrics.accepted.load() >= accepted && metrics.consumer_lag.load() == 0; },
        120'000))
        << metrics.accepted.load() << " of " << accepted;
    ASSERT_TRUE(run.Stop().ok());
  }

  // Projects into `dir` until the read models hold `events` events (the versions of all orders
  // add up to it), then returns a dump of every read model.
  std::string ProjectAll(const std::string& dir, const std::string& group, int64_t events) {
    Config c = config();
    c.projector.state_dir = dir;
    c.projector.group_id = group;
    auto store = ReadModelStore::OpenWriter(dir);
    EXPECT_TRUE(store.ok()) << store.status().ToString();
    if (!store.ok()) return "";
    ProjectorMetrics metrics;
    ProjectorService projector(c, store->get(), &metrics);
    {
      Background run([&](const std::atomic<bool>& stop) { return projector.Run(stop); });
      int64_t held = 0;
      EXPECT_TRUE(WaitFor(
          [&] {
            auto page = (*store)->List(OrderFilter{}, 1'000'000, "");
            held = 0;
            for (const auto& o : page->orders) held += o.version();
            return held >= events;
          },
          120'000))
          << held << " of " << events;
      EXPECT_TRUE(run.Stop().ok());
    }
    return (*store)->Dump();
  }
};

// Events through engine and projector give the expected status and KPIs over real HTTP.
TEST_F(PipelineIT, StatusAndKpisOverHttp) {
  auto on = [](const char* order, const char* at, std::string_view text) {
    v1::InboundEvent e = Event(text);
    e.set_order_id(order);
    google::protobuf::util::TimeUtil::FromString(at, e.mutable_occurred_at());
    return e;
  };
  const char* placed = R"(order_placed { customer_id: "C1" merchandiser_id: "M1" supplier_id: "F1"
      requested_date: "2024-03-01" lines { line_id: "L1" sku: "A" quantity: 10 } })";
  std::vector<v1::InboundEvent> in = {
      // A: on time (delivered 2024-03-04 at +08:00, committed 2024-03-05).
      on("A", "2024-02-01T00:00:00Z", placed),
      on("A", "2024-02-01T12:00:00Z", R"(order_confirmed { promised_date: "2024-03-05" })"),
      on("A", "2024-02-02T00:00:00Z", "production_started {}"),
      on("A", "2024-02-20T00:00:00Z", "production_completed { produced_quantity: 10 }"),
      on("A", "2024-02-21T00:00:00Z", R"(inspection_recorded { inspection_id: "Q1" stage: FINAL
          result: PASSED inspected_quantity: 10 defective_quantity: 1 })"),
      on("A", "2024-02-22T00:00:00Z",
         R"(shipment_dispatched { shipment_id: "S1" lines { line_id: "L1" quantity: 10 } })"),
      on("A", "2024-03-04T15:00:00Z", R"(shipment_delivered { shipment_id: "S1" })"),
      // B: committed 2024-03-05, not delivered: an OTIF miss.
      on("B", "2024-02-01T00:00:00Z", placed),
      on("B", "2024-02-01T06:00:00Z", R"(order_confirmed { promised_date: "2024-03-05" })"),
  };
  ProduceInbound(in);
  RecordAll(static_cast<int64_t>(in.size()));
  mutable_config().projector.utc_offset = "+08:00";
  auto store = ReadModelStore::OpenWriter(config().projector.state_dir);
  ASSERT_TRUE(store.ok());
  ProjectorMetrics pm;
  ProjectorService projector(config(), store->get(), &pm);
  Background run([&](const std::atomic<bool>& stop) { return projector.Run(stop); });
  ASSERT_TRUE(WaitFor([&] { return pm.events.load() >= int64_t(in.size()); }, 60'000));
  LagProbe probe(config(), store->get());
  MetricsSources sources;
  sources.projector = &pm;
  QueryApi api(config(), store->get(), sources, [&] { return probe.Lag(); });
  ASSERT_TRUE(api.Start().ok());
  httplib::Client http("127.0.0.1", api.port());

  auto a = http.Get("/v1/orders/A");
  ASSERT_TRUE(a);
  ASSERT_EQ(a->status, 200) << a->body;
  Json order = Json::parse(a->body);
  EXPECT_EQ(order["stage"], "DELIVERED");
  EXPECT_EQ(order["version"], 7);
  EXPECT_EQ(order["commit_date"], "2024-03-05");
  EXPECT_EQ(order["on_time"], true);
  EXPECT_EQ(order["lines"][0]["delivered"], 10);

  auto missing = http.Get("/v1/orders/NOPE");
  ASSERT_TRUE(missing);
  EXPECT_EQ(missing->status, 404);
  EXPECT_EQ(Json::parse(missing->body)["error"]["code"], "not_found");
  auto bad = http.Get("/v1/kpis?from=2024-13-01&to=2024-03-31");
  ASSERT_TRUE(bad);
  EXPECT_EQ(bad->status, 400);
  EXPECT_TRUE(Json::parse(bad->body)["error"].contains("message"));

  auto kpis = http.Get("/v1/kpis?from=2024-03-01&to=2024-03-31");
  ASSERT_TRUE(kpis);
  ASSERT_EQ(kpis->status, 200) << kpis->body;
  Json k = Json::parse(kpis->body)["series"][0]["kpis"];
  EXPECT_EQ(k["otif_rate"]["numerator"], 1);
  EXPECT_EQ(k["otif_rate"]["denominator"], 2);
  EXPECT_DOUBLE_EQ(k["otif_rate"]["value"].get<double>(), 0.5);
  EXPECT_EQ(k["on_time_delivery_rate"]["value"], 1.0);
  EXPECT_EQ(k["cycle_time_days"]["count"], 1);
  EXPECT_NEAR(k["cycle_time_days"]["mean"].get<double>(), 32.625,
              1e-9);  // Feb 1 00:00 → Mar 4 15:00
  EXPECT_TRUE(k["csat"]["value"].is_null());
  auto feb =
      Json::parse(http.Get("/v1/kpis?from=2024-02-01&to=2024-02-29&group_by=supplier")->body);
  EXPECT_EQ(feb["series"][0]["group"], "F1");
  EXPECT_EQ(feb["series"][0]["kpis"]["confirmation_hours"]["count"], 2);
  EXPECT_DOUBLE_EQ(feb["series"][0]["kpis"]["confirmation_hours"]["mean"].get<double>(), 9.0);
  EXPECT_DOUBLE_EQ(feb["series"][0]["kpis"]["defect_ppm"]["value"].get<double>(), 100000.0);

  auto ids = [&](const std::string& path) {
    auto r = http.Get(path.c_str());
    std::vector<std::string> out;
    if (!r || r->status != 200) return std::vector<std::string>{"HTTP error"};
    Json body = Json::parse(r->body);
    for (const Json& o : body["orders"]) out.push_back(o["order_id"]);
    return out;
  };
  using Ids = std::vector<std::string>;
  EXPECT_EQ(ids("/v1/orders"), (Ids{"A", "B"}));
  EXPECT_EQ(ids("/v1/orders?stage=DELIVERED"), (Ids{"A"}));
  EXPECT_EQ(ids("/v1/orders?at_risk=true"), (Ids{"B"}));  // committed 2024-03-05, never delivered
  EXPECT_EQ(ids("/v1/orders?at_risk=false&supplier=F1"), (Ids{"A"}));
  EXPECT_EQ(ids("/v1/orders?customer=C1&limit=1"), (Ids{"A"}));
  EXPECT_EQ(Json::parse(http.Get("/v1/orders?customer=C1&limit=1")->body)["next_cursor"], "A");
  EXPECT_EQ(ids("/v1/orders?customer=C1&limit=1&cursor=A"), (Ids{"B"}));
  EXPECT_EQ(http.Get("/v1/orders?limit=0")->status, 400);
  EXPECT_EQ(http.Get("/v1/orders?stage=NOPE")->status, 400);
  auto timeline = Json::parse(http.Get("/v1/orders/A/events")->body)["events"];
  ASSERT_EQ(timeline.size(), 7u);
  EXPECT_EQ(timeline[6]["version"], "7");  // the protobuf JSON mapping prints int64 as a string
  EXPECT_TRUE(timeline[0].contains("order_placed"));

  auto metrics = http.Get("/metrics");
  ASSERT_TRUE(metrics);
  EXPECT_NE(metrics->body.find("gendan_projector_events_total " + std::to_string(in.size())),
            std::string::npos)
      << metrics->body;
  EXPECT_TRUE(WaitFor([&] { return http.Get("/readyz")->status == 200; }, 10'000));
  api.Stop();
  ASSERT_TRUE(run.Stop().ok());
}

pid_t SpawnProjector(const Config& c) {
  pid_t pid = fork();
  if (pid == 0) {
    std::string bin = std::string(GENDAN_BINARY_DIR) + "/gendan";
    execl(bin.c_str(), bin.c_str(), "project", "--log-level", "warn", "--bootstrap",
          c.kafka.bootstrap.c_str(), "--topic-prefix", c.kafka.topic_prefix.c_str(), "--state-dir",
          c.projector.state_dir.c_str(), "-X",
          ("projector.group_id=" + c.projector.group_id).c_str(), "-X",
          "projector.commit_interval_ms=300", "-X", ("risk.now=" + c.risk.now).c_str(),
          static_cast<char*>(nullptr));
    _exit(127);
  }
  return pid;
}

// A projector SIGKILLed mid-stream and restarted ends byte-identical to a clean rebuild.
TEST_F(PipelineIT, ProjectorKilledMidStreamEqualsCleanRebuild) {
  HistoryGenerator gen(5);
  std::vector<v1::InboundEvent> events;
  for (int i = 0; i < 1500; ++i) {
    auto h = gen.Next("P-" + std::to_string(i));
    events.insert(events.end(), h.begin(), h.end());
  }
  ProduceInbound(events);
  RecordAll(static_cast<int64_t>(events.size()));
  for (int kill_no = 0; kill_no < 4; ++kill_no) {
    pid_t pid = SpawnProjector(config());
    std::this_thread::sleep_for(std::chrono::milliseconds(700 + 300 * kill_no));
    ASSERT_EQ(kill(pid, SIGKILL), 0);
    int status = 0;
    waitpid(pid, &status, 0);
    ASSERT_TRUE(WIFSIGNALED(status))
        << "the process had already exited with " << WEXITSTATUS(status);
  }
  // The restarted projector resumes from its stored offsets and finishes the rest.
  std::string crashed = ProjectAll(config().projector.state_dir, config().projector.group_id,
                                   static_cast<int64_t>(events.size()));
  // Every alert record the store numbered is on gendan.alerts exactly once, despite the kills.
  {
    auto store = ReadModelStore::OpenWriter(config().projector.state_dir);
    ASSERT_TRUE(store.ok());
    int64_t numbered = 0;
    for (int32_t p = 0; p < partitions(); ++p) numbered += *(*store)->NextSequence(p) - 1;
    std::map<std::pair<int32_t, int64_t>, int> seen;
    for (const auto& r : ReadAll(config().Topic("alerts"), static_cast<size_t>(numbered), 30'000)) {
      v1::Alert a;
      ASSERT_TRUE(a.ParseFromString(r.value));
      ++seen[{r.partition, a.sequence()}];
    }
    EXPECT_GT(numbered, 0);
    EXPECT_EQ(static_cast<int64_t>(seen.size()), numbered) << "lost alert records";
    for (const auto& [key, n] : seen)
      EXPECT_EQ(n, 1) << "partition " << key.first << " sequence " << key.second;
  }
  std::string clean = ProjectAll(scratch_dir() + "clean", config().projector.group_id + "-clean",
                                 static_cast<int64_t>(events.size()));
  ASSERT_FALSE(clean.empty());
  EXPECT_EQ(crashed.size(), clean.size());
  if (crashed != clean) {  // leave both for a diff
    std::ofstream(::testing::TempDir() + "crashed.dump") << crashed;
    std::ofstream(::testing::TempDir() + "clean.dump") << clean;
  }
  EXPECT_TRUE(crashed == clean) << "read models after kills differ from a clean rebuild; dumps in "
                                << ::testing::TempDir();
}

std::vector<v1::InboundEvent> Histories(uint64_t seed, const std::string& prefix, int orders) {
  HistoryGenerator gen(seed);
  std::vector<v1::InboundEvent> events;
  for (int i = 0; i < orders; ++i) {
    auto h = gen.Next(prefix + std::to_string(i));
    events.insert(events.end(), h.begin(), h.end());
  }
  return events;
}

int64_t EventsHeld(ReadModelStore& store) {
  auto page = store.List(OrderFilter{}, 1'000'000, "");
  int64_t held = 0;
  for (const auto& o : page->orders) held += o.version();
  return held;
}

// `gendan rebuild` swaps fresh read models in under a running projector, which moves over and
// goes on; the result equals a clean projection of the whole log.
TEST_F(PipelineIT, RebuildSwapsUnderARunningProjector) {
  auto first = Histories(21, "R-", 300);
  ProduceInbound(first);
  RecordAll(static_cast<int64_t>(first.size()));
  auto store = ReadModelStore::OpenWriter(config().projector.state_dir);
  ASSERT_TRUE(store.ok());
  ProjectorMetrics pm;
  ProjectorService projector(config(), store->get(), &pm);
  Background run([&](const std::atomic<bool>& stop) { return projector.Run(stop); });
  ASSERT_TRUE(WaitFor([&] { return EventsHeld(**store) == int64_t(first.size()); }, 60'000));
  const std::string before = (*store)->generation();

  auto report = Rebuild(config(), [](const RebuildProgress&) {});
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_EQ(report->events, static_cast<int64_t>(first.size()));
  ASSERT_TRUE(WaitFor([&] { return (*store)->generation() == report->generation; }, 10'000))
      << "the projector did not move to the rebuilt generation";
  EXPECT_NE(before, report->generation);

  auto second = Histories(22, "S-", 100);
  ProduceInbound(second);
  RecordAll(static_cast<int64_t>(second.size()));  // counts this run only
  const int64_t all = static_cast<int64_t>(first.size() + second.size());
  ASSERT_TRUE(WaitFor([&] { return EventsHeld(**store) == all; }, 60'000)) << EventsHeld(**store);
  ASSERT_TRUE(run.Stop().ok());
  std::string live = (*store)->Dump();
  std::string clean =
      ProjectAll(scratch_dir() + "clean", config().projector.group_id + "-clean", all);
  EXPECT_TRUE(live == clean) << "rebuilt-then-continued read models differ from a clean projection";
}

// Read partition after partition, in batches of a few hundred events each written in several
// chunks, with an order cache far smaller than the orders in play (so orders are evicted and read
// back), a rebuild's store equals a projection that read the partitions together.
TEST_F(PipelineIT, RebuildInSmallBatchesEqualsACleanProjection) {
  auto events = Histories(23, "B-", 400);
  ProduceInbound(events);
  RecordAll(static_cast<int64_t>(events.size()));
  Config c = config();
  c.projector.cache_orders = 7;
  c.projector.rebuild_batch_events = 211;
  // The clean projection first: it waits until every event is readable, so the rebuild starts
  // on the whole log. RecordAll returns once the engine committed, and the broker writes a
  // transaction's commit markers after that; a rebuild started in between reads what was
  // committed before it, which once (CI) missed a whole partition.
  std::string clean = ProjectAll(scratch_dir() + "clean", c.projector.group_id + "-clean",
                                 static_cast<int64_t>(events.size()));
  ASSERT_FALSE(clean.empty());
  auto report = Rebuild(
      c, [](const RebuildProgress&) {},
      // Writes of ~4 KiB: each batch lands in several (BatchWriter::WriteInChunks).
      RebuildOptions{.write_chunk_bytes = 4096});
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_EQ(report->events, static_cast<int64_t>(events.size()));
  std::string rebuilt;
  {
    auto store = ReadModelStore::OpenWriter(c.projector.state_dir);
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    rebuilt = (*store)->Dump();
  }
  EXPECT_TRUE(rebuilt == clean) << "the rebuilt read models differ from a clean projection";
}

}  // namespace
}  // namespace gendan
