// The poison corpus (tests/poison/) through the pure core: ParseRecord, then Decide against
// order ORD-P1 just placed. Each item ends as exactly its expected reason, with a message that a
// Rejection can carry. tests/consumers/poison_test.cc sends the same bytes through the engine.
#include <gtest/gtest.h>

#include "engine/describe.h"
#include "engine/intake.h"
#include "tests/engine/test_events.h"
#include "tests/poison/corpus.h"

namespace gendan::test {
namespace {

// The state of ORD-P1 after a valid order_placed.
OrderState PlacedPoisonOrder(const DecideOptions& o) {
  v1::InboundEvent placed = Event(
      R"(order_placed { customer_id: "C" merchandiser_id: "M" supplier_id: "F"
         lines { line_id: "L1" quantity: 10 } })");
  placed.set_order_id(kPoisonOrder);
  OrderState state;
  Decision d = Decide(state, placed, o);
  if (auto* a = std::get_if<Accepted>(&d)) Evolve(state, a->event);
  return state;
}

// What the engine decides for one record: the refusal of ParseRecord or Decide's answer.
Decision DecideRecord(const OrderState& state, const PoisonItem& item, const DecideOptions& o) {
  v1::InboundEvent inbound;
  if (auto refused = ParseRecord(item.value, item.key, o, &inbound)) return refused->rejected;
  return Decide(state, inbound, o);
}

// Every item is refused with its reason; the message survives a protobuf round trip.
TEST(PoisonCoreTest, EveryItemEndsAsItsReason) {
  std::vector<PoisonItem> items = LoadPoisonCorpus();
  ASSERT_GE(items.size(), 60u) << "tests/poison/manifest.tsv missing or short";
  DecideOptions o;
  o.now = std::chrono::system_clock::now();
  OrderState state = PlacedPoisonOrder(o);
  ASSERT_TRUE(state.exists());
  for (const PoisonItem& item : items) {
    ASSERT_NE(item.reason, v1::RejectionReason::REJECTION_REASON_UNSPECIFIED) << item.name;
    Decision d = DecideRecord(state, item, o);
    const auto* r = std::get_if<Rejected>(&d);
    EXPECT_TRUE(r != nullptr && r->reason == item.reason)
        << item.name << " (" << item.description << "): want " << ReasonName(item.reason)
        << ", got " << Describe(d);
    if (r == nullptr) continue;
    v1::Rejection rejection, back;
    rejection.set_message(r->message);
    EXPECT_TRUE(back.ParseFromString(rejection.SerializeAsString()) && back.message() == r->message)
        << item.name << ": message is not valid UTF-8: " << r->message;
  }
}

// A record above max_record_bytes (not committed: 300 KB) is INVALID_EVENT, unparsed.
TEST(PoisonCoreTest, HugeRecordIsInvalid) {
  v1::InboundEvent e = Event(R"(feedback_received { rating: 4 })");
  e.set_order_id(kPoisonOrder);
  e.mutable_feedback_received()->set_comment(std::string(300 * 1024, 'x'));
  v1::InboundEvent parsed;
  auto refused = ParseRecord(e.SerializeAsString(), kPoisonOrder, TestOptions(), &parsed);
  ASSERT_TRUE(refused.has_value());
  EXPECT_EQ(refused->rejected.reason, v1::RejectionReason::INVALID_EVENT);
  EXPECT_FALSE(refused->parsed);
}

}  // namespace
}  // namespace gendan::test
