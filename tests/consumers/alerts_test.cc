// The risk monitor through the real broker: alerts raised and cleared exactly once on
// gendan.alerts, under an injected clock, across restarts and clock ticks.
#include <google/protobuf/util/time_util.h>
#include <gtest/gtest.h>

#include <map>
#include <thread>

#include "consumers/engine_service.h"
#include "consumers/projector_service.h"
#include "tests/consumers/broker_fixture.h"
#include "tests/engine/test_events.h"

namespace gendan {
namespace {

using gendan::test::Event;
using gendan::testing::BrokerTest;
using gendan::testing::WaitFor;

v1::InboundEvent At(const char* order, const char* at, std::string_view text) {
  v1::InboundEvent e = Event(text);
  e.set_order_id(order);
  google::protobuf::util::TimeUtil::FromString(at, e.mutable_occurred_at());
  return e;
}

const char* kPlaced = R"(order_placed { customer_id: "C" merchandiser_id: "M" supplier_id: "F"
    requested_date: "2024-03-01" lines { line_id: "L1" sku: "A" quantity: 10 } })";

class AlertsIT : public BrokerTest {
 protected:
  void SetUp() override {
    BrokerTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    Config& c = mutable_config();
    c.projector.commit_interval = std::chrono::milliseconds(100);
    c.risk.tick_interval = std::chrono::milliseconds(100);
  }

  void RecordAll(const std::vector<v1::InboundEvent>& events) {
    ProduceInbound(events);
    EngineMetrics m;
    EngineService engine(config(), &m);
    std::atomic<bool> stop{false};
    Status s;
    std::thread t([&] { s = engine.Run(stop); });
    EXPECT_TRUE(
        WaitFor([&] { return m.accepted.load() == int64_t(events.size()) && m.consumer_lag == 0; },
                60'000));
    stop = true;
    t.join();
    ASSERT_TRUE(s.ok()) << s.ToString();
  }

  // Runs the projector with the risk clock at `now` until `events` are applied and `quiet_ms`
  // passed (time for ticks), then stops it.
  void Project(const std::string& now, int64_t events, ReadModelStore& store, int quiet_ms = 600) {
    Config c = config();
    c.risk.now = now;
    ProjectorMetrics m;
    ProjectorService projector(c, &store, &m);
    std::atomic<bool> stop{false};
    Status s;
    std::thread t([&] { s = projector.Run(stop); });
    EXPECT_TRUE(WaitFor([&] { return m.events.load() >= events; }, 60'000));
    std::this_thread::sleep_for(std::chrono::milliseconds(quiet_ms));
    stop = true;
    t.join();
    ASSERT_TRUE(s.ok()) << s.ToString();
  }

  // (order, kind/subject, state) of every record on gendan.alerts.
  std::multiset<std::string> AlertRecords(size_t expected) {
    std::multiset<std::string> out;
    for (const gendan::testing::Record& r : ReadAll(config().Topic("alerts"), expected, 15'000)) {
      v1::Alert a;
      EXPECT_TRUE(a.ParseFromString(r.value));
      EXPECT_EQ(r.key, a.order_id());
      out.insert(a.order_id() + " " + v1::AlertKind::Value_Name(a.kind()) + "(" + a.subject() +
                 ") " + v1::Alert::State_Name(a.state()));
    }
    return out;
  }
};

// Each kind is raised at the injected "now", a resolved cause clears once, and a restart
// publishes nothing again.
TEST_F(AlertsIT, EachKindRaisedAndClearedOnceAcrossARestart) {
  std::vector<v1::InboundEvent> in = {
      At("M", "2024-02-20T00:00:00Z", kPlaced),
      At("M", "2024-02-20T01:00:00Z", R"(order_confirmed { promised_date: "2024-03-05" })"),
      At("M", "2024-02-20T02:00:00Z",
         R"(milestone_planned { milestone: PRODUCTION_START planned_date: "2024-03-01" })"),
      At("M", "2024-03-01T00:00:00Z",
         R"(issue_raised { issue_id: "I1" category: QUALITY severity: MAJOR owner_department: QUALITY })"),
      At("M", "2024-03-01T01:00:00Z",
         R"(handoff_requested { handoff_id: "H1" from_department: MERCHANDISING
          to_department: QUALITY subject: "x" due_at { seconds: 1709596800 } })"),  // 2024-03-05
      At("N", "2024-02-20T00:00:00Z", kPlaced),
      At("N", "2024-02-20T01:00:00Z", R"(order_confirmed { promised_date: "2024-03-15" })"),
      At("P", "2024-02-20T00:00:00Z", kPlaced),
      At("P", "2024-03-01T00:00:00Z",
         R"(issue_raised { issue_id: "I9" category: OTHER severity: CRITICAL owner_department: SALES })"),
      At("P", "2024-03-09T00:00:00Z", R"(issue_resolved { issue_id: "I9" resolution: "done" })"),
  };
  RecordAll(in);
  auto store = ReadModelStore::OpenWriter(config().projector.state_dir);
  ASSERT_TRUE(store.ok());
  Project("2024-03-10T00:00:00Z", static_cast<int64_t>(in.size()), **store);
  std::multiset<std::string> want = {"M LATE() RAISED",
                                     "M MILESTONE_OVERDUE(PRODUCTION_START) RAISED",
                                     "M ISSUE_SLA_BREACH(I1) RAISED",
                                     "M HANDOFF_OVERDUE(H1) RAISED",
                                     "N DELIVERY_AT_RISK() RAISED",
                                     "P ISSUE_SLA_BREACH(I9) RAISED",
                                     "P ISSUE_SLA_BREACH(I9) CLEARED"};
  EXPECT_EQ(AlertRecords(want.size()), want);
  auto open = (*store)->OpenAlerts();
  ASSERT_TRUE(open.ok());
  EXPECT_EQ(open->size(), 5u);

  // A restart at the same instant re-evaluates nothing into a new record.
  Project("2024-03-10T00:00:00Z", 0, **store);
  EXPECT_EQ(AlertRecords(want.size()), want);
}

// With no new event, the clock alone raises an alert when its moment comes (after a restart with
// a later "now"), and an event that removes the cause clears it.
TEST_F(AlertsIT, ClockTickRaisesWithoutEventsAndAnEventClears) {
  std::vector<v1::InboundEvent> in = {
      At("T", "2024-02-20T00:00:00Z", kPlaced),
      At("T", "2024-02-20T01:00:00Z", R"(order_confirmed { promised_date: "2024-04-30" })"),
      At("T", "2024-02-20T02:00:00Z",
         R"(milestone_planned { milestone: MATERIALS_IN_HOUSE planned_date: "2024-03-01" })"),
  };
  RecordAll(in);
  auto store = ReadModelStore::OpenWriter(config().projector.state_dir);
  ASSERT_TRUE(store.ok());
  Project("2024-03-01T12:00:00Z", 3, **store);  // planned date not passed yet
  EXPECT_TRUE((*store)->OpenAlerts()->empty());
  Project("2024-03-02T00:00:01Z", 0, **store);  // the tick finds it due
  EXPECT_EQ(AlertRecords(1),
            (std::multiset<std::string>{"T MILESTONE_OVERDUE(MATERIALS_IN_HOUSE) RAISED"}));

  RecordAll({At("T", "2024-03-02T08:00:00Z", "materials_in_house {}")});
  Project("2024-03-02T09:00:00Z", 1, **store);
  EXPECT_EQ(AlertRecords(2),
            (std::multiset<std::string>{"T MILESTONE_OVERDUE(MATERIALS_IN_HOUSE) RAISED",
                                        "T MILESTONE_OVERDUE(MATERIALS_IN_HOUSE) CLEARED"}));
  EXPECT_TRUE((*store)->OpenAlerts()->empty());
}

}  // namespace
}  // namespace gendan
