#include "consumers/engine_service.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <map>
#include <memory>
#include <set>
#include <thread>

#include "consumers/kafka_client.h"
#include "engine/describe.h"
#include "tests/consumers/broker_fixture.h"
#include "tests/consumers/running_engine.h"
#include "tests/engine/history_generator.h"
#include "tests/engine/test_events.h"

namespace gendan {
namespace {

using gendan::test::Event;
using gendan::test::Events;
using gendan::test::HistoryGenerator;
using gendan::testing::BrokerTest;
using gendan::testing::Record;
using gendan::testing::RunningEngine;

std::vector<v1::OrderEvent> ParseEvents(const std::vector<Record>& records) {
  std::vector<v1::OrderEvent> out;
  for (const Record& r : records) {
    v1::OrderEvent e;
    EXPECT_TRUE(e.ParseFromString(r.value));
    EXPECT_EQ(r.key, e.order_id());
    out.push_back(std::move(e));
  }
  return out;
}

class EngineServiceIT : public BrokerTest {
 protected:
  void SetUp() override {
    BrokerTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    mutable_config().engine.commit_interval = std::chrono::milliseconds(100);
  }

  // SIGKILLs `gendan engine` (with `threads` pipelines) in the middle of batches, restarts it
  // (once with the state dir lost), and checks the log holds every event exactly once.
  void KillRestartAndCheck(int threads, uint64_t seed);
};

// A scripted order through its whole life is recorded as exactly its events, versions 1..N.
TEST_F(EngineServiceIT, WholeLifeIsRecordedInOrderWithContiguousVersions) {
  std::vector<v1::InboundEvent> life = Events({
      R"(order_placed { customer_id: "C1" merchandiser_id: "M1" supplier_id: "F1"
         requested_date: "2024-03-01" incoterm: "FOB"
         lines { line_id: "L1" sku: "A" quantity: 10 } lines { line_id: "L2" sku: "B" quantity: 5 } })",
      R"(order_confirmed { promised_date: "2024-03-05" })",
      R"(milestone_planned { milestone: PRODUCTION_START planned_date: "2024-01-20" })",
      R"(document_issued { document_id: "D1" document_type: CONTRACT })",
      R"(order_held { reason: "credit check" })",
      R"(order_released {})",
      R"(order_amended { reason: CUSTOMER_REQUEST new_promised_date: "2024-03-09"
         line_changes { line_id: "L2" quantity: 6 } })",
      R"(materials_in_house {})",
      R"(production_started {})",
      R"(issue_raised { issue_id: "I1" category: MATERIAL_SHORTAGE severity: MAJOR
         owner_department: PROCUREMENT description: "short" })",
      R"(handoff_requested { handoff_id: "H1" from_department: MERCHANDISING
         to_department: QUALITY subject: "check" due_at { seconds: 1706000000 } })",
      R"(handoff_acknowledged { handoff_id: "H1" })",
      R"(handoff_completed { handoff_id: "H1" })",
      R"(issue_resolved { issue_id: "I1" resolution: "found stock" first_contact: true })",
      R"(production_completed { produced_quantity: 16 })",
      R"(inspection_recorded { inspection_id: "Q1" stage: FINAL result: PASSED
         inspected_quantity: 16 defective_quantity: 0 })",
      R"(shipment_dispatched { shipment_id: "S1" carrier: "X" lines { line_id: "L1" quantity: 10 } })",
      R"(shipment_dispatched { shipment_id: "S2" carrier: "X" lines { line_id: "L2" quantity: 6 } })",
      R"(shipment_delivered { shipment_id: "S1" })",
      R"(shipment_delivered { shipment_id: "S2" })",
      R"(order_closed {})",
      R"(issue_raised { issue_id: "C1" category: CUSTOMER_COMPLAINT severity: MINOR
         complaint_reason: DAMAGE owner_department: AFTER_SALES description: "dented" })",
      R"(issue_resolved { issue_id: "C1" resolution: "credit note" })",
      R"(feedback_received { rating: 4 comment: "ok" })",
  });
  ProduceInbound(life);
  RunningEngine engine(config());
  std::vector<v1::OrderEvent> got = ParseEvents(ReadAll(config().Topic("events"), life.size()));
  ASSERT_TRUE(engine.Stop().ok());
  ASSERT_EQ(got.size(), life.size()) << Describe(std::span<const v1::OrderEvent>(got));
  for (size_t i = 0; i < got.size(); ++i) {
    EXPECT_EQ(got[i].version(), static_cast<int64_t>(i + 1)) << Describe(got[i]);
    EXPECT_EQ(got[i].event_id(), life[i].event_id());
    EXPECT_EQ(got[i].payload_case(), static_cast<int>(life[i].payload_case()));
    EXPECT_TRUE(got[i].has_recorded_at());
  }
  EXPECT_TRUE(ReadAll(config().Topic("rejections"), 0, 1000).empty());
}

// Each reason code sent through Kafka lands in gendan.rejections with that code.
TEST_F(EngineServiceIT, EveryReasonCodeLandsInRejections) {
  auto placed = [](const char* order) {
    v1::InboundEvent e = Event(
        R"(order_placed { customer_id: "C" merchandiser_id: "M" supplier_id: "F"
           requested_date: "2024-03-01" lines { line_id: "L1" sku: "A" quantity: 10 } })");
    e.set_order_id(order);
    return e;
  };
  auto on = [](const char* order, std::string_view text) {
    v1::InboundEvent e = Event(text);
    e.set_order_id(order);
    return e;
  };
  std::vector<v1::InboundEvent> setup = {
      placed("A"),
      placed("B"),
      on("B", R"(order_cancelled { reason: "x" cancelled_by: CUSTOMER })"),
      placed("C"),
      on("C", R"(order_held { reason: "x" })"),
      placed("D"),
      on("D", R"(order_confirmed { promised_date: "2024-03-05" })"),
      on("D", "production_started {}"),
      on("D", "production_completed { produced_quantity: 10 }"),
      on("D", R"(inspection_recorded { inspection_id: "Q" stage: FINAL result: PASSED
                  inspected_quantity: 10 })"),
      on("D",
         R"(issue_raised { issue_id: "I1" category: QUALITY severity: MINOR owner_department: QUALITY })"),
      on("D", R"(issue_resolved { issue_id: "I1" resolution: "ok" })")};
  std::map<std::string, v1::RejectionReason::Value> expected;
  std::vector<v1::InboundEvent> bad;
  auto expect = [&](v1::InboundEvent e, v1::RejectionReason::Value reason) {
    e.set_event_id("bad-" + v1::RejectionReason::Value_Name(reason));
    expected[e.event_id()] = reason;
    bad.push_back(std::move(e));
  };
  v1::InboundEvent invalid = on("A", R"(feedback_received { rating: 9 })");
  expect(invalid, v1::RejectionReason::INVALID_EVENT);
  v1::InboundEvent future = on("A", R"(customer_contacted { channel: EMAIL purpose: OTHER })");
  future.mutable_occurred_at()->set_seconds(std::time(nullptr) + 86400);
  expect(future, v1::RejectionReason::FUTURE_EVENT);
  expect(on("NOPE", R"(order_confirmed { promised_date: "2024-03-05" })"),
         v1::RejectionReason::UNKNOWN_ORDER);
  expect(placed("A"), v1::RejectionReason::DUPLICATE_ORDER);
  v1::InboundEvent conflict = on("A", R"(order_confirmed { promised_date: "2024-03-05" })");
  conflict.set_expected_version(7);
  expect(conflict, v1::RejectionReason::VERSION_CONFLICT);
  expect(on("B", R"(customer_contacted { channel: EMAIL purpose: OTHER })"),
         v1::RejectionReason::ORDER_TERMINAL);
  expect(on("A", "production_started {}"), v1::RejectionReason::INVALID_TRANSITION);
  expect(on("C", R"(order_confirmed { promised_date: "2024-03-05" })"),
         v1::RejectionReason::ORDER_ON_HOLD);
  expect(
      on("D", R"(shipment_dispatched { shipment_id: "S" lines { line_id: "L1" quantity: 11 } })"),
      v1::RejectionReason::QUANTITY_EXCEEDED);
  expect(on("D", R"(shipment_delivered { shipment_id: "NOPE" })"),
         v1::RejectionReason::UNKNOWN_REFERENCE);
  expect(on("D", R"(inspection_recorded { inspection_id: "Q" stage: INLINE result: PASSED
                    inspected_quantity: 1 })"),
         v1::RejectionReason::DUPLICATE_REFERENCE);
  expect(on("D", R"(issue_resolved { issue_id: "I1" resolution: "again" })"),
         v1::RejectionReason::REFERENCE_STATE);

  ProduceInbound(setup);
  ProduceInbound(bad);
  ProduceRaw(config().Topic("inbound"), {{"A", std::string("\xff\xff\xff not protobuf", 17)}});
  RunningEngine engine(config());
  std::vector<Record> rejections = ReadAll(config().Topic("rejections"), bad.size() + 1);
  ASSERT_TRUE(engine.Stop().ok());
  ASSERT_EQ(rejections.size(), bad.size() + 1);
  std::set<int> seen;
  for (const Record& r : rejections) {
    v1::Rejection rejection;
    ASSERT_TRUE(rejection.ParseFromString(r.value));
    seen.insert(rejection.reason());
    EXPECT_FALSE(rejection.message().empty());
    EXPECT_EQ(rejection.topic(), config().Topic("inbound"));
    if (rejection.has_inbound()) {
      EXPECT_EQ(rejection.reason(), expected.at(rejection.inbound().event_id()))
          << rejection.message();
    } else {
      EXPECT_EQ(rejection.reason(), v1::RejectionReason::MALFORMED);
      EXPECT_EQ(rejection.raw().substr(0, 2), "\xff\xff");
    }
  }
  EXPECT_EQ(seen.size(), 13u) << "every reason code but UNSPECIFIED";
  EXPECT_EQ(ReadAll(config().Topic("events"), setup.size()).size(), setup.size());
}

// The same inbound records delivered twice are recorded once; the repeats count as duplicates.
TEST_F(EngineServiceIT, RedeliveredEventsAreRecordedOnce) {
  HistoryGenerator gen(7);
  std::vector<v1::InboundEvent> events;
  for (int i = 0; i < 20; ++i) {
    auto h = gen.Next("ORD-" + std::to_string(i));
    events.insert(events.end(), h.begin(), h.end());
  }
  ProduceInbound(events);
  ProduceInbound(events);
  RunningEngine engine(config());
  std::vector<Record> recorded = ReadAll(config().Topic("events"), events.size());
  // The duplicates are decided after the first copies; wait until they are all counted.
  for (int i = 0; i < 100 && engine.metrics().duplicates.load() < int64_t(events.size()); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  ASSERT_TRUE(engine.Stop().ok());
  EXPECT_EQ(recorded.size(), events.size());
  EXPECT_EQ(engine.metrics().duplicates.load(), static_cast<int64_t>(events.size()));
  EXPECT_TRUE(ReadAll(config().Topic("rejections"), 0, 1000).empty());
}

// With a state cache smaller than the orders seen, the states a commit drops from the cache are
// read back from the store: redeliveries of their events are still duplicates, and the orders
// the cache kept (decided in the transaction that dropped the others) go on from their versions.
TEST_F(EngineServiceIT, StatesDroppedFromASmallCacheComeBackFromTheStore) {
  mutable_config().engine.state_cache_orders = 3;
  HistoryGenerator gen(11);
  std::vector<v1::InboundEvent> first, second;
  for (int i = 0; i < 20; ++i) {
    auto h = gen.Next("ORD-" + std::to_string(i));
    (i < 10 ? first : second).insert((i < 10 ? first : second).end(), h.begin(), h.end());
  }
  RunningEngine engine(config());
  ProduceInbound(first);
  ASSERT_EQ(ReadAll(config().Topic("events"), first.size()).size(), first.size());
  // Committing these drops the first orders' states from the cache (more than 3 cached).
  ProduceInbound(second);
  ASSERT_EQ(ReadAll(config().Topic("events"), first.size() + second.size()).size(),
            first.size() + second.size());
  ProduceInbound(first);
  ProduceInbound(second);
  const auto all = static_cast<int64_t>(first.size() + second.size());
  for (int i = 0; i < 100 && engine.metrics().duplicates.load() < all; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  ASSERT_TRUE(engine.Stop().ok());
  EXPECT_EQ(engine.metrics().duplicates.load(), all);
  std::vector<v1::OrderEvent> got = ParseEvents(ReadAll(config().Topic("events"), all, 2'000));
  EXPECT_EQ(static_cast<int64_t>(got.size()), all);
  std::map<std::string, int64_t> last;  // per order: versions run 1, 2, ... in log order
  for (const v1::OrderEvent& e : got) EXPECT_EQ(e.version(), ++last[e.order_id()]) << Describe(e);
  EXPECT_TRUE(ReadAll(config().Topic("rejections"), 0, 1000).empty());
}

// A partition taken over while its previous owner's last transaction still holds its offsets
// back (a killed instance's, aborted only at transaction.timeout.ms) is decided from the offsets
// that transaction leaves, never again from the beginning: librdkafka 2.0.2 started such a
// partition at auto.offset.reset when the member's assignment changed during its committed
// offset lookup, and every unknown-order fact the previous owner had rejected was rejected twice.
TEST_F(EngineServiceIT, TakenOverPartitionResumesAtItsCommittedOffset) {
  // The previous owner decided `decided` facts about unknown orders (their rejections are not
  // needed here): its committed transaction moved the group's offsets past them.
  // `n` facts about orders nobody placed: "<ORDER>-i", event ids "<event>-i".
  auto unknown_orders = [](const std::string& order, const std::string& event, int n) {
    std::vector<v1::InboundEvent> facts;
    for (int i = 0; i < n; ++i) {
      v1::InboundEvent e = Event(R"(order_confirmed { promised_date: "2024-03-05" })");
      e.set_order_id(order + "-" + std::to_string(i));
      e.set_event_id(event + "-" + std::to_string(i));
      facts.push_back(std::move(e));
    }
    return facts;
  };
  const std::vector<v1::InboundEvent> decided = unknown_orders("GONE", "gone", 30);
  ProduceInbound(decided);
  auto owner = MakeProducer(config(), {{"transactional.id", config().engine.group_id + "-old"}});
  ASSERT_TRUE(owner.ok()) << owner.status().ToString();
  auto group = MakeConsumer(config(), {{"group.id", config().engine.group_id}});
  ASSERT_TRUE(group.ok()) << group.status().ToString();
  std::unique_ptr<RdKafka::ConsumerGroupMetadata> metadata((*group)->groupMetadata());
  std::vector<RdKafka::TopicPartition*> offsets;
  for (int32_t p = 0; p < partitions(); ++p) {
    int64_t low = 0, high = 0;
    ASSERT_EQ((*owner)->query_watermark_offsets(config().Topic("inbound"), p, &low, &high, 10'000),
              RdKafka::ERR_NO_ERROR);
    offsets.push_back(RdKafka::TopicPartition::create(config().Topic("inbound"), p, high));
  }
  auto txn = [](RdKafka::Error* error) {  // "" or what failed
    std::unique_ptr<RdKafka::Error> owned(error);
    return owned ? owned->str() : std::string();
  };
  auto send_offsets = [&] {
    return txn((*owner)->send_offsets_to_transaction(offsets, metadata.get(), 10'000));
  };
  ASSERT_EQ(txn((*owner)->init_transactions(10'000)), "");
  ASSERT_EQ(txn((*owner)->begin_transaction()), "");
  ASSERT_EQ(send_offsets(), "");
  ASSERT_EQ(txn((*owner)->commit_transaction(10'000)), "");
  // Its next transaction is left open, as by a SIGKILL: an event on every events partition (the
  // catch-up waits for it) and the same offsets again (pending: their lookup is refused).
  ASSERT_EQ(txn((*owner)->begin_transaction()), "");
  for (int32_t p = 0; p < partitions(); ++p) {
    ASSERT_EQ(ProduceWaiting(**owner, config().Topic("events"), p, "GONE", "never committed"),
              RdKafka::ERR_NO_ERROR);
  }
  ASSERT_EQ((*owner)->flush(10'000), RdKafka::ERR_NO_ERROR);
  ASSERT_EQ(send_offsets(), "");

  // One instance takes every partition and waits; a second joins, so the first one's assignment
  // changes while its offset lookups are refused; then the open transaction is aborted.
  Config second = config();
  second.instance_id = "1";
  second.engine.state_dir += "-1";
  auto first_engine = std::make_unique<RunningEngine>(config());
  std::this_thread::sleep_for(std::chrono::seconds(3));
  auto second_engine = std::make_unique<RunningEngine>(second);
  std::this_thread::sleep_for(std::chrono::seconds(4));
  ASSERT_EQ(txn((*owner)->abort_transaction(10'000)), "");

  // New facts about unknown orders: these, and only these, are rejected.
  const std::vector<v1::InboundEvent> fresh = unknown_orders("NEW", "new", 12);
  ProduceInbound(fresh);
  auto rejected = [&] {
    return first_engine->metrics().rejected[v1::RejectionReason::UNKNOWN_ORDER].load() +
           second_engine->metrics().rejected[v1::RejectionReason::UNKNOWN_ORDER].load();
  };
  EXPECT_TRUE(
      gendan::testing::WaitFor([&] { return rejected() >= int64_t(fresh.size()); }, 60'000));
  std::this_thread::sleep_for(std::chrono::seconds(1));
  ASSERT_TRUE(first_engine->Stop().ok());
  ASSERT_TRUE(second_engine->Stop().ok());
  std::vector<Record> rejections =
      ReadAll(config().Topic("rejections"), decided.size() + fresh.size(), 3000);
  std::set<std::string> ids;
  for (const Record& r : rejections) {
    v1::Rejection rejection;
    ASSERT_TRUE(rejection.ParseFromString(r.value));
    EXPECT_EQ(rejection.inbound().event_id().substr(0, 4), "new-")
        << "decided again: " << rejection.inbound().event_id() << " (inbound partition "
        << rejection.partition() << " offset " << rejection.offset() << ")";
    ids.insert(rejection.inbound().event_id());
  }
  EXPECT_EQ(rejections.size(), fresh.size());
  EXPECT_EQ(ids.size(), fresh.size());
  RdKafka::TopicPartition::destroy(offsets);
}

// Checks the recorded log: every generated event exactly once, versions 1..N per order.
void ExpectExactlyOnce(const std::vector<v1::InboundEvent>& sent,
                       const std::vector<v1::OrderEvent>& recorded) {
  std::map<std::string, int> count;
  std::map<std::string, int64_t> last_version;
  for (const v1::OrderEvent& e : recorded) {
    ++count[e.event_id()];
    int64_t& v = last_version[e.order_id()];
    EXPECT_EQ(e.version(), v + 1) << "order " << e.order_id() << " jumps at " << Describe(e);
    v = e.version();
  }
  int missing = 0, doubled = 0;
  for (const v1::InboundEvent& e : sent) {
    int n = count[e.event_id()];
    missing += n == 0;
    doubled += n > 1;
  }
  EXPECT_EQ(missing, 0);
  EXPECT_EQ(doubled, 0);
  EXPECT_EQ(recorded.size(), sent.size());
}

pid_t SpawnEngine(const Config& config, int threads) {
  pid_t pid = fork();
  if (pid == 0) {
    std::string bin = std::string(GENDAN_BINARY_DIR) + "/gendan";
    execl(bin.c_str(), bin.c_str(), "engine", "--log-level", "warn", "--bootstrap",
          config.kafka.bootstrap.c_str(), "--topic-prefix", config.kafka.topic_prefix.c_str(),
          "--state-dir", config.engine.state_dir.c_str(), "-X", "engine.commit_interval_ms=400",
          "-X", ("engine.group_id=" + config.engine.group_id).c_str(), "-X",
          ("engine.threads=" + std::to_string(threads)).c_str(), static_cast<char*>(nullptr));
    _exit(127);
  }
  return pid;
}

void EngineServiceIT::KillRestartAndCheck(int threads, uint64_t seed) {
  HistoryGenerator gen(seed);
  std::vector<v1::InboundEvent> events;
  for (int i = 0; i < 1500; ++i) {
    auto h = gen.Next("K-" + std::to_string(i));
    events.insert(events.end(), h.begin(), h.end());
  }
  // Publish in slices while the engine is killed and restarted, so kills land mid-batch.
  const size_t slices = 6;
  const size_t per = (events.size() + slices - 1) / slices;
  int kills = 0;
  for (size_t s = 0; s < slices; ++s) {
    std::vector<v1::InboundEvent> slice(events.begin() + std::min(events.size(), s * per),
                                        events.begin() + std::min(events.size(), (s + 1) * per));
    pid_t pid = SpawnEngine(config(), threads);
    ProduceInbound(slice);
    std::this_thread::sleep_for(std::chrono::milliseconds(1200 + 150 * s));
    ASSERT_EQ(kill(pid, SIGKILL), 0);
    int status = 0;
    waitpid(pid, &status, 0);
    ASSERT_TRUE(WIFSIGNALED(status))
        << "the process had already exited with " << WEXITSTATUS(status);
    ++kills;
    if (s == 2) std::filesystem::remove_all(config().engine.state_dir);  // lost disk
  }
  pid_t pid = SpawnEngine(config(), threads);
  std::vector<v1::OrderEvent> recorded =
      ParseEvents(ReadAll(config().Topic("events"), events.size(), 120'000));
  kill(pid, SIGTERM);
  int status = 0;
  waitpid(pid, &status, 0);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "clean stop after SIGTERM";
  std::cout << "[ NOTE ] " << events.size() << " events, " << kills << " SIGKILLs\n";
  ExpectExactlyOnce(events, recorded);
  EXPECT_TRUE(ReadAll(config().Topic("rejections"), 0, 1000).empty())
      << "a lost state would reject valid events";
}

// SIGKILL in the middle of batches, restarts (once with the state dir lost), and the log still
// holds every accepted event exactly once with no gap.
TEST_F(EngineServiceIT, SigkillMidBatchLosesAndDoublesNothing) { KillRestartAndCheck(1, 11); }

// The same with two pipelines in the process (engine.threads = 2): each a group member with
// its own partitions, transactional id and share of the store.
TEST_F(EngineServiceIT, TwoPipelinesSigkilledLoseAndDoubleNothing) { KillRestartAndCheck(2, 13); }

}  // namespace
}  // namespace gendan
