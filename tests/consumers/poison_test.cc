// The poison corpus (tests/poison/) through the real engine on the broker: every item lands in
// gendan.rejections with its reason code (DOMAIN.md §4), nothing of it in gendan.events, and the
// engine keeps running: a valid event sent after all of them is accepted.
#include <gtest/gtest.h>

#include <map>

#include "engine/describe.h"
#include "tests/consumers/broker_fixture.h"
#include "tests/consumers/running_engine.h"
#include "tests/engine/test_events.h"
#include "tests/poison/corpus.h"

namespace gendan {
namespace {

using gendan::test::Event;
using gendan::test::kPoisonOrder;
using gendan::test::LoadPoisonCorpus;
using gendan::test::PoisonItem;
using gendan::testing::BrokerTest;
using gendan::testing::Record;
using gendan::testing::RunningEngine;

class PoisonIT : public BrokerTest {
 protected:
  int partitions() const override { return 1; }  // inbound offsets number the records
};

v1::InboundEvent ForPoisonOrder(const char* text) {
  v1::InboundEvent e = Event(text);
  e.set_order_id(kPoisonOrder);
  return e;
}

// Each poison record is rejected with its reason, carrying the inbound offset it came from;
// only the valid events before and after the poison are recorded, as versions 1 and 2.
TEST_F(PoisonIT, EveryItemIsRejectedWithItsReasonAndTheEngineGoesOn) {
  std::vector<PoisonItem> items = LoadPoisonCorpus();
  ASSERT_GE(items.size(), 60u);
  v1::InboundEvent huge = ForPoisonOrder(R"(feedback_received { rating: 4 })");
  huge.mutable_feedback_received()->set_comment(std::string(300 * 1024, 'x'));
  items.push_back({"(generated) huge_record", v1::RejectionReason::INVALID_EVENT, kPoisonOrder,
                   "300 KB, above the 256 KB record limit", huge.SerializeAsString()});

  v1::InboundEvent placed = ForPoisonOrder(
      R"(order_placed { customer_id: "C" merchandiser_id: "M" supplier_id: "F"
         lines { line_id: "L1" quantity: 10 } })");
  v1::InboundEvent after = ForPoisonOrder(R"(order_confirmed { promised_date: "2026-12-01" })");
  std::vector<std::pair<std::string, std::string>> records = {
      {kPoisonOrder, placed.SerializeAsString()}};
  for (const PoisonItem& item : items) records.emplace_back(item.key, item.value);
  records.emplace_back(kPoisonOrder, after.SerializeAsString());
  ProduceRaw(config().Topic("inbound"), records);

  RunningEngine engine(config());
  std::vector<Record> rejections = ReadAll(config().Topic("rejections"), items.size(), 60'000);
  std::vector<Record> events = ReadAll(config().Topic("events"), 2);
  ASSERT_TRUE(engine.Stop().ok());

  // Inbound offset 0 is `placed`; item i is at offset i + 1.
  std::map<int64_t, v1::Rejection> by_offset;
  for (const Record& r : rejections) {
    v1::Rejection rejection;
    ASSERT_TRUE(rejection.ParseFromString(r.value)) << "a rejection that does not parse";
    by_offset[rejection.offset()] = rejection;
  }
  EXPECT_EQ(rejections.size(), items.size());
  for (size_t i = 0; i < items.size(); ++i) {
    auto it = by_offset.find(static_cast<int64_t>(i + 1));
    if (it == by_offset.end()) {
      ADD_FAILURE() << items[i].name << ": no rejection";
      continue;
    }
    EXPECT_EQ(ReasonName(it->second.reason()), ReasonName(items[i].reason))
        << items[i].name << " (" << items[i].description << "): " << it->second.message();
    EXPECT_EQ(it->second.topic(), config().Topic("inbound"));
    EXPECT_FALSE(it->second.message().empty());
  }
  ASSERT_EQ(events.size(), 2u) << "the poison must not stop or leak into gendan.events";
  v1::OrderEvent first, second;
  ASSERT_TRUE(first.ParseFromString(events[0].value));
  ASSERT_TRUE(second.ParseFromString(events[1].value));
  EXPECT_EQ(first.event_id(), placed.event_id());
  EXPECT_EQ(second.event_id(), after.event_id());
  EXPECT_EQ(second.version(), 2);
  EXPECT_EQ(engine.metrics().accepted.load(), 2);
}

}  // namespace
}  // namespace gendan
