// Evolve: what an accepted event does to the order's state.
#include <gtest/gtest.h>

#include "engine/decide.h"
#include "engine/describe.h"
#include "tests/engine/test_events.h"

namespace gendan::test {
namespace {

using v1::Stage;

// The main path moves the stage one step per event, as DOMAIN.md §4 lists them.
TEST(EvolveTest, MainPathStages) {
  EXPECT_EQ(MustAccept(Placed()).stage, Stage::PLACED);
  EXPECT_EQ(MustAccept(Confirmed()).stage, Stage::CONFIRMED);
  EXPECT_EQ(MustAccept(InProduction()).stage, Stage::IN_PRODUCTION);
  EXPECT_EQ(MustAccept(Produced()).stage, Stage::PRODUCED);
  EXPECT_EQ(MustAccept(ReadyToShip()).stage, Stage::READY_TO_SHIP);
  EXPECT_EQ(MustAccept(Shipping()).stage, Stage::SHIPPING);
  EXPECT_EQ(MustAccept(Delivered()).stage, Stage::DELIVERED);
  EXPECT_EQ(MustAccept(Closed()).stage, Stage::CLOSED);
  EXPECT_EQ(MustAccept(Cancelled()).stage, Stage::CANCELLED);
}

// A failed FINAL inspection, or any INCOMING/INLINE one, leaves the stage where it was.
TEST(EvolveTest, InspectionsThatDoNotMoveTheStage) {
  OrderState s = MustAccept(Plus(Produced(), {R"(inspection_recorded { inspection_id: "Q7"
      stage: FINAL result: FAILED inspected_quantity: 9 defective_quantity: 4 })"}));
  EXPECT_EQ(s.stage, Stage::PRODUCED);
  s = MustAccept(Plus(Confirmed(), {R"(inspection_recorded { inspection_id: "Q7"
      stage: INCOMING result: PASSED inspected_quantity: 9 })"}));
  EXPECT_EQ(s.stage, Stage::CONFIRMED);
  s = MustAccept(Plus(Shipping(), {R"(inspection_recorded { inspection_id: "Q7"
      stage: FINAL result: PASSED inspected_quantity: 9 })"}));
  EXPECT_EQ(s.stage, Stage::SHIPPING);
}

// Lines count what was dispatched and delivered; the last delivery completes the order.
TEST(EvolveTest, PartialShipmentsAndCompletion) {
  OrderState s = MustAccept(Shipping());
  EXPECT_EQ(s.lines.at("L1"), (LineState{10, 4, 0}));
  s = MustAccept(Plus(Shipping(), {R"(shipment_delivered { shipment_id: "S1" })"}));
  EXPECT_EQ(s.lines.at("L1"), (LineState{10, 4, 4}));
  EXPECT_EQ(s.stage, Stage::SHIPPING);
  EXPECT_TRUE(s.shipments.at("S1").delivered);
  s = MustAccept(Delivered());
  EXPECT_EQ(s.lines.at("L1"), (LineState{10, 10, 10}));
  EXPECT_EQ(s.lines.at("L2"), (LineState{5, 5, 5}));
  EXPECT_EQ(s.stage, Stage::DELIVERED);
}

// Everything shipped is not everything delivered: the order completes on the last delivery.
TEST(EvolveTest, CompletionWaitsForTheLastDelivery) {
  OrderState s = MustAccept(Plus(
      Shipping(),
      {R"(shipment_dispatched { shipment_id: "S2" lines { line_id: "L1" quantity: 6 } lines { line_id: "L2" quantity: 5 } })",
       R"(shipment_delivered { shipment_id: "S2" })"}));
  EXPECT_EQ(s.stage, Stage::SHIPPING);
}

// The commit date follows DOMAIN.md §5: set by confirmation, moved only by CUSTOMER_REQUEST or
// ENTRY_ERROR amendments, never by an amendment before confirmation.
TEST(EvolveTest, CommitDate) {
  auto amend = [](const std::string& reason, const std::string& date) {
    return "order_amended { reason: " + reason + " new_promised_date: \"" + date + "\" }";
  };
  EXPECT_EQ(MustAccept(Placed()).commit_date, "");
  EXPECT_EQ(MustAccept(Confirmed()).commit_date, "2024-02-20");
  EXPECT_EQ(MustAccept(Plus(Placed(), {amend("CUSTOMER_REQUEST", "2024-05-01")})).commit_date, "");
  EXPECT_EQ(MustAccept(Plus(Confirmed(), {amend("CUSTOMER_REQUEST", "2024-05-01")})).commit_date,
            "2024-05-01");
  EXPECT_EQ(MustAccept(Plus(Confirmed(), {amend("ENTRY_ERROR", "2024-05-02")})).commit_date,
            "2024-05-02");
  EXPECT_EQ(MustAccept(Plus(Confirmed(), {amend("SUPPLY_CONSTRAINT", "2024-05-03")})).commit_date,
            "2024-02-20");
  EXPECT_EQ(MustAccept(Plus(Confirmed(), {amend("OTHER", "2024-05-04")})).commit_date,
            "2024-02-20");
}

// An amendment sets a line's quantity, or adds the line.
TEST(EvolveTest, AmendmentChangesAndAddsLines) {
  OrderState s = MustAccept(Plus(Placed(), {R"(order_amended { reason: CUSTOMER_REQUEST
      line_changes { line_id: "L2" quantity: 8 } line_changes { line_id: "L3" quantity: 2 } })"}));
  EXPECT_EQ(s.lines.at("L1").ordered, 10);
  EXPECT_EQ(s.lines.at("L2").ordered, 8);
  EXPECT_EQ(s.lines.at("L3").ordered, 2);
}

// Parties, hold flag, documents, issues and handoffs are remembered as the rules need them.
TEST(EvolveTest, RemembersReferences) {
  OrderState s = MustAccept(Plus(
      Placed(),
      {R"(order_held { reason: "credit" })",
       R"(document_issued { document_id: "D1" document_type: PROFORMA_INVOICE })",
       R"(issue_raised { issue_id: "I1" category: LOGISTICS_DELAY severity: CRITICAL owner_department: LOGISTICS })",
       R"(issue_raised { issue_id: "I2" category: OTHER severity: MINOR owner_department: SALES })",
       R"(issue_resolved { issue_id: "I2" })",
       R"(handoff_requested { handoff_id: "H1" from_department: SALES to_department: FINANCE due_at { seconds: 1800000000 } })",
       R"(handoff_acknowledged { handoff_id: "H1" })"}));
  EXPECT_EQ(s.customer_id, "C1");
  EXPECT_EQ(s.merchandiser_id, "M1");
  EXPECT_EQ(s.supplier_id, "F1");
  EXPECT_TRUE(s.on_hold);
  EXPECT_TRUE(s.documents.contains("D1"));
  EXPECT_EQ(s.issues.at("I1"),
            (IssueState{v1::IssueCategory::LOGISTICS_DELAY, IssueStatus::kOpen}));
  EXPECT_EQ(s.issues.at("I2").status, IssueStatus::kResolved);
  EXPECT_EQ(s.AnyOpenIssue(), "I1");
  EXPECT_EQ(s.handoffs.at("H1"), HandoffStatus::kAcknowledged);
  EXPECT_EQ(s.version.value(), 8);
  EXPECT_EQ(s.event_ids.size(), 8u);
}

// Evolve tolerates a recorded event that today's rules would refuse (a replay of old data).
TEST(EvolveTest, ToleratesEventsOutsideTheRules) {
  OrderState s = MustAccept(Placed());
  v1::OrderEvent odd;
  odd.set_event_id("old-1");
  odd.set_version(2);
  odd.mutable_shipment_delivered()->set_shipment_id("never-dispatched");
  Evolve(s, odd);
  odd.set_event_id("old-2");
  odd.set_version(3);
  odd.mutable_issue_resolved()->set_issue_id("never-raised");
  Evolve(s, odd);
  EXPECT_EQ(s.version.value(), 3);
  EXPECT_EQ(s.stage, Stage::PLACED);
  EXPECT_TRUE(s.issues.empty());
}

}  // namespace
}  // namespace gendan::test
