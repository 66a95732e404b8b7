// Describe: events, histories and decisions render as short readable strings.
#include "engine/describe.h"

#include <gtest/gtest.h>

#include "tests/engine/test_events.h"

namespace gendan::test {
namespace {

// A recorded history reads like the story it tells, with versions.
TEST(DescribeTest, RecordedHistory) {
  std::vector<v1::InboundEvent> in = Events(Plus(
      Shipping(),
      {R"(shipment_delivered { shipment_id: "S1" damaged_quantity: 2 })",
       R"(issue_raised { issue_id: "I1" category: CUSTOMER_COMPLAINT complaint_reason: DAMAGE severity: MINOR owner_department: AFTER_SALES })"}));
  OrderState state;
  std::vector<v1::OrderEvent> recorded;
  for (const Decision& d : Replay(state, in)) recorded.push_back(std::get<Accepted>(d).event);
  EXPECT_EQ(Describe(recorded),
            "order_placed(ORD-1 lines=2)@v1 -> order_confirmed(2024-02-20)@v2 -> "
            "production_started@v3 -> production_completed(15)@v4 -> "
            "inspection_recorded(Q1 FINAL PASSED 0/15)@v5 -> shipment_dispatched(S1 L1=4)@v6 -> "
            "shipment_delivered(S1 damaged=2)@v7 -> issue_raised(I1 CUSTOMER_COMPLAINT)@v8");
  EXPECT_EQ(Describe(state),
            "v8 SHIPPING lines[L1 10/4/4 L2 5/0/0] shipments[S1:delivered] issues[I1:open] "
            "handoffs[] documents=0 events=8");
}

// Inbound events show their expected_version; decisions say what happened and why.
TEST(DescribeTest, InboundAndDecisions) {
  v1::InboundEvent e = Event(R"(expected_version: 3 order_amended { reason: ENTRY_ERROR
      new_promised_date: "2024-06-01" line_changes { line_id: "L1" quantity: 4 } })");
  EXPECT_EQ(Describe(e), "order_amended(ENTRY_ERROR L1=4 promised=2024-06-01)?v3");
  EXPECT_EQ(Describe(Event("order_released {}")), "order_released");
  EXPECT_EQ(Describe(Decision(Duplicate{})), "duplicate");
  EXPECT_EQ(Describe(Decision(Rejected{v1::RejectionReason::ORDER_ON_HOLD, "held"})),
            "rejected ORDER_ON_HOLD: held");
  EXPECT_EQ(Describe(v1::InboundEvent()), "no_payload");
}

// Names are the contract's spellings.
TEST(DescribeTest, Names) {
  EXPECT_EQ(PayloadName(v1::InboundEvent::kHandoffAcknowledged), "handoff_acknowledged");
  EXPECT_EQ(PayloadName(v1::OrderEvent::kOrderPlaced), "order_placed");
  EXPECT_EQ(StageName(v1::Stage::READY_TO_SHIP), "READY_TO_SHIP");
  EXPECT_EQ(StageName(static_cast<v1::Stage::Value>(77)), "?");
  EXPECT_EQ(ReasonName(v1::RejectionReason::QUANTITY_EXCEEDED), "QUANTITY_EXCEEDED");
}

}  // namespace
}  // namespace gendan::test
