// Decide, rule by rule and reason code by reason code (DOMAIN.md §4). Each table row is a
// valid history, one more event, and what Decide must say about it.
#include "engine/decide.h"

#include <gtest/gtest.h>

#include <set>

#include "engine/describe.h"
#include "tests/engine/test_events.h"

namespace gendan::test {
namespace {

using R = v1::RejectionReason;

const std::string kQualityIssue =
    R"(issue_raised { issue_id: "I1" category: QUALITY severity: MAJOR owner_department: QUALITY })";
const std::string kComplaint = R"(issue_raised { issue_id: "C1" category: CUSTOMER_COMPLAINT
    complaint_reason: DAMAGE severity: MINOR owner_department: AFTER_SALES })";
const std::string kHandoff = R"(handoff_requested { handoff_id: "H1" from_department: SALES
    to_department: LOGISTICS subject: "book vessel" due_at { seconds: 1704200000 } })";

// Decide can give every reason code but MALFORMED, which is for bytes that do not parse.
TEST(DecideTest, EveryReasonCodeIsReachable) {
  const std::string ship_l1 = R"(shipment_dispatched { shipment_id: "S2" lines { line_id: "L1" )";
  std::vector<Case> one_each = {
      {"INVALID_EVENT", Placed(), "feedback_received {}", R::INVALID_EVENT},
      {"FUTURE_EVENT", Placed(), kDoc, R::FUTURE_EVENT,
       [](auto& e) { e.mutable_occurred_at()->set_seconds(253402300799); }},
      {"UNKNOWN_ORDER", {}, kDoc, R::UNKNOWN_ORDER},
      {"DUPLICATE_ORDER", Placed(), Placed()[0], R::DUPLICATE_ORDER},
      {"VERSION_CONFLICT", Placed(), kDoc, R::VERSION_CONFLICT,
       [](auto& e) { e.set_expected_version(5); }},
      {"ORDER_TERMINAL", Cancelled(), kDoc, R::ORDER_TERMINAL},
      {"INVALID_TRANSITION", Placed(), "production_started {}", R::INVALID_TRANSITION},
      {"ORDER_ON_HOLD", Plus(Placed(), {kHeld}), Confirmed().back(), R::ORDER_ON_HOLD},
      {"QUANTITY_EXCEEDED", Shipping(), ship_l1 + "quantity: 7 } }", R::QUANTITY_EXCEEDED},
      {"UNKNOWN_REFERENCE", Placed(), "issue_reopened { issue_id: \"I9\" }", R::UNKNOWN_REFERENCE},
      {"DUPLICATE_REFERENCE", Plus(Placed(), {kDoc}), kDoc, R::DUPLICATE_REFERENCE},
      {"REFERENCE_STATE", Plus(Shipping(), {R"(shipment_delivered { shipment_id: "S1" })"}),
       R"(shipment_delivered { shipment_id: "S1" })", R::REFERENCE_STATE},
  };
  ExpectAll(one_each);
  std::set<int> covered;
  for (const Case& c : one_each) covered.insert(c.expected);
  for (int code = R::Value_MIN; code <= R::Value_MAX; ++code) {
    if (code == R::REJECTION_REASON_UNSPECIFIED || code == R::MALFORMED) continue;
    EXPECT_TRUE(covered.contains(code)) << ReasonName(R::Value(code)) << " has no example";
  }
}

// A repeated event_id is a Duplicate whatever the order's state has become since.
TEST(DecideTest, DuplicateEventId) {
  std::vector<v1::InboundEvent> setup = Events(Shipping());
  OrderState state;
  Replay(state, setup);
  ASSERT_EQ(state.version.value(), int64_t(setup.size()));
  DecideOptions o = TestOptions();
  for (const v1::InboundEvent& e : setup) {
    EXPECT_TRUE(std::holds_alternative<Duplicate>(Decide(state, e, o)))
        << "redelivered " << Describe(e) << " after " << Describe(setup);
  }
  // Same id, other content: the id is the idempotency key, content is not compared.
  v1::InboundEvent other = Event("production_started {}");
  other.set_event_id(setup[0].event_id());
  EXPECT_TRUE(std::holds_alternative<Duplicate>(Decide(state, other, o)));
  // Dedupe precedes expected_version, existence and terminal checks.
  other.set_expected_version(0);
  EXPECT_TRUE(std::holds_alternative<Duplicate>(Decide(state, other, o)));
  OrderState cancelled;
  std::vector<v1::InboundEvent> cancel = Events(Cancelled());
  Replay(cancelled, cancel);
  EXPECT_TRUE(std::holds_alternative<Duplicate>(Decide(cancelled, cancel.back(), o)));
  // But it follows the field and clock checks: a redelivery is judged on its fields.
  v1::InboundEvent invalid = setup[1];
  invalid.mutable_order_confirmed()->set_promised_date("2024-02-31");
  EXPECT_EQ(ReasonOf(Decide(state, invalid, o)), R::INVALID_EVENT);
  v1::InboundEvent future = setup[1];
  future.mutable_occurred_at()->set_seconds(253402300799);
  EXPECT_EQ(ReasonOf(Decide(state, future, o)), R::FUTURE_EVENT);
  // Only accepted ids count: a rejected event sent again is judged again.
  ExpectAll({{"unused id", Placed(), "production_started {}", R::INVALID_TRANSITION,
              [](auto& e) { e.set_event_id("fresh"); }}});
}

// VERSION_CONFLICT: expected_version must equal the order's version (0: must not exist).
TEST(DecideTest, VersionConflict) {
  auto expect = [](int64_t v) { return Tweak([v](auto& e) { e.set_expected_version(v); }); };
  ExpectAll({
      {"0 for a new order", {}, Placed()[0], kAccepted, expect(0)},
      {"1 for a new order", {}, Placed()[0], R::VERSION_CONFLICT, expect(1)},
      {"0 for an existing order", Placed(), kDoc, R::VERSION_CONFLICT, expect(0)},
      {"0 on order_placed of an existing order", Placed(), Placed()[0], R::VERSION_CONFLICT,
       expect(0)},
      {"the current version", Confirmed(), kDoc, kAccepted, expect(2)},
      {"one behind", Confirmed(), kDoc, R::VERSION_CONFLICT, expect(1)},
      {"one ahead", Confirmed(), kDoc, R::VERSION_CONFLICT, expect(3)},
      {"before the stage check", Confirmed(), "order_confirmed { promised_date: \"2024-02-01\" }",
       R::VERSION_CONFLICT, expect(7)},
      {"before the terminal check", Cancelled(), kDoc, R::VERSION_CONFLICT, expect(1)},
  });
}

// UNKNOWN_ORDER: only order_placed creates; DUPLICATE_ORDER: it creates only once.
TEST(DecideTest, Existence) {
  ExpectAll({
      {"placed", {}, Placed()[0], kAccepted},
      {"confirmed before placed",
       {},
       R"(order_confirmed { promised_date: "2024-02-01" })",
       R::UNKNOWN_ORDER},
      {"document before placed", {}, kDoc, R::UNKNOWN_ORDER},
      {"contact before placed",
       {},
       "customer_contacted { channel: EMAIL purpose: OTHER }",
       R::UNKNOWN_ORDER},
      {"placed twice", Placed(), Placed()[0], R::DUPLICATE_ORDER},
      {"placed after closing", Closed(), Placed()[0], R::DUPLICATE_ORDER},
      {"placed after cancelling", Cancelled(), Placed()[0], R::DUPLICATE_ORDER},
  });
}

// ORDER_TERMINAL: CANCELLED accepts nothing; CLOSED only after-sales events.
TEST(DecideTest, OrderTerminal) {
  const std::string resolve_c1 = R"(issue_resolved { issue_id: "C1" first_contact: true })";
  ExpectAll({
      {"document after cancel", Cancelled(), kDoc, R::ORDER_TERMINAL},
      {"contact after cancel", Cancelled(), "customer_contacted { channel: EMAIL purpose: OTHER }",
       R::ORDER_TERMINAL},
      {"complaint after cancel", Cancelled(), kComplaint, R::ORDER_TERMINAL},
      {"cancel after cancel", Cancelled(), "order_cancelled { cancelled_by: INTERNAL }",
       R::ORDER_TERMINAL},
      {"confirm after cancel", Cancelled(), R"(order_confirmed { promised_date: "2024-02-01" })",
       R::ORDER_TERMINAL},
      {"document after close", Closed(), kDoc, R::ORDER_TERMINAL},
      {"hold after close", Closed(), kHeld, R::ORDER_TERMINAL},
      {"close after close", Closed(), "order_closed {}", R::ORDER_TERMINAL},
      {"milestone after close", Closed(),
       R"(milestone_planned { milestone: DELIVERY planned_date: "2024-02-01" })",
       R::ORDER_TERMINAL},
      {"handoff after close", Closed(), kHandoff, R::ORDER_TERMINAL},
      {"QUALITY issue after close", Closed(), kQualityIssue, R::ORDER_TERMINAL},
      {"resolving a QUALITY issue after close",
       Plus(Delivered(), {kQualityIssue, "issue_resolved { issue_id: \"I1\" }", "order_closed {}"}),
       "issue_reopened { issue_id: \"I1\" }", R::ORDER_TERMINAL},
      {"contact after close", Closed(),
       "customer_contacted { channel: PHONE purpose: INQUIRY_RESPONSE }", kAccepted},
      {"feedback after close", Closed(), "feedback_received { rating: 2 comment: \"late\" }",
       kAccepted},
      {"complaint after close", Closed(), kComplaint, kAccepted},
      {"complaint resolved after close", Plus(Closed(), {kComplaint}), resolve_c1, kAccepted},
      {"complaint reopened after close", Plus(Closed(), {kComplaint, resolve_c1}),
       "issue_reopened { issue_id: \"C1\" }", kAccepted},
      {"complaint from before closing reopened",
       Plus(Delivered(), {kComplaint, resolve_c1, "order_closed {}"}),
       "issue_reopened { issue_id: \"C1\" }", kAccepted},
      // An issue id the order never had is named as such, not as a terminal refusal.
      {"unknown issue resolved after close", Closed(), "issue_resolved { issue_id: \"nope\" }",
       R::UNKNOWN_REFERENCE},
  });
}

// ORDER_ON_HOLD: a held order is not confirmed, started or dispatched; all else goes on.
TEST(DecideTest, OrderOnHold) {
  ExpectAll({
      {"confirm while held", Plus(Placed(), {kHeld}),
       R"(order_confirmed { promised_date: "2024-02-01" })", R::ORDER_ON_HOLD},
      {"start while held", Plus(Confirmed(), {kHeld}), "production_started {}", R::ORDER_ON_HOLD},
      {"dispatch while held", Plus(ReadyToShip(), {kHeld}),
       R"(shipment_dispatched { shipment_id: "S1" lines { line_id: "L1" quantity: 1 } })",
       R::ORDER_ON_HOLD},
      {"second dispatch while held", Plus(Shipping(), {kHeld}),
       R"(shipment_dispatched { shipment_id: "S2" lines { line_id: "L1" quantity: 1 } })",
       R::ORDER_ON_HOLD},
      {"hold is checked before the stage", Plus(Placed(), {kHeld}), "production_started {}",
       R::ORDER_ON_HOLD},
      {"confirm after release", Plus(Placed(), {kHeld, "order_released {}"}),
       R"(order_confirmed { promised_date: "2024-02-01" })", kAccepted},
      {"complete production while held", Plus(InProduction(), {kHeld}),
       "production_completed { produced_quantity: 1 }", kAccepted},
      {"inspect while held", Plus(Produced(), {kHeld}),
       R"(inspection_recorded { inspection_id: "Q9" stage: FINAL result: PASSED inspected_quantity: 3 })",
       kAccepted},
      {"deliver while held", Plus(Shipping(), {kHeld}),
       R"(shipment_delivered { shipment_id: "S1" })", kAccepted},
      {"amend while held", Plus(Placed(), {kHeld}),
       R"(order_amended { reason: CUSTOMER_REQUEST line_changes { line_id: "L1" quantity: 2 } })",
       kAccepted},
      {"cancel while held", Plus(Placed(), {kHeld}), "order_cancelled { cancelled_by: INTERNAL }",
       kAccepted},
      {"document while held", Plus(Placed(), {kHeld}), kDoc, kAccepted},
      {"close while held", Plus(Delivered(), {kHeld}), "order_closed {}", kAccepted},
  });
}

// INVALID_TRANSITION: each stage rule of DOMAIN.md §4, both sides of it.
TEST(DecideTest, InvalidTransition) {
  const std::string confirm = R"(order_confirmed { promised_date: "2024-02-01" })";
  const std::string final_pass =
      R"(inspection_recorded { inspection_id: "Q9" stage: FINAL result: PASSED inspected_quantity: 3 })";
  const std::string inline_check =
      R"(inspection_recorded { inspection_id: "Q9" stage: INLINE result: FAILED inspected_quantity: 3 defective_quantity: 1 })";
  const std::string dispatch =
      R"(shipment_dispatched { shipment_id: "S9" lines { line_id: "L2" quantity: 1 } })";
  const std::string amend =
      R"(order_amended { reason: ENTRY_ERROR line_changes { line_id: "L3" quantity: 7 } })";
  const std::string cancel = "order_cancelled { cancelled_by: CUSTOMER }";
  ExpectAll({
      {"confirm when placed", Placed(), confirm, kAccepted},
      {"confirm twice", Confirmed(), confirm, R::INVALID_TRANSITION},
      {"start when placed", Placed(), "production_started {}", R::INVALID_TRANSITION},
      {"start when confirmed", Confirmed(), "production_started {}", kAccepted},
      {"start twice", InProduction(), "production_started {}", R::INVALID_TRANSITION},
      {"complete when confirmed", Confirmed(), "production_completed {}", R::INVALID_TRANSITION},
      {"complete when in production", InProduction(), "production_completed {}", kAccepted},
      {"complete twice", Produced(), "production_completed {}", R::INVALID_TRANSITION},
      {"FINAL while in production", InProduction(), final_pass, R::INVALID_TRANSITION},
      {"FINAL when produced", Produced(), final_pass, kAccepted},
      {"FINAL when ready to ship", ReadyToShip(), final_pass, kAccepted},
      {"FINAL while shipping", Shipping(), final_pass, kAccepted},
      {"FINAL when delivered", Delivered(), final_pass, R::INVALID_TRANSITION},
      {"INLINE when placed", Placed(), inline_check, R::INVALID_TRANSITION},
      {"INLINE when confirmed", Confirmed(), inline_check, kAccepted},
      {"INLINE when delivered", Delivered(), inline_check, kAccepted},
      {"dispatch when produced", Produced(), dispatch, R::INVALID_TRANSITION},
      {"dispatch when ready", ReadyToShip(), dispatch, kAccepted},
      {"dispatch while shipping", Shipping(), dispatch, kAccepted},
      {"dispatch when delivered", Delivered(), dispatch, R::INVALID_TRANSITION},
      {"close while shipping", Shipping(), "order_closed {}", R::INVALID_TRANSITION},
      {"close when placed", Placed(), "order_closed {}", R::INVALID_TRANSITION},
      {"close when delivered", Delivered(), "order_closed {}", kAccepted},
      {"cancel when placed", Placed(), cancel, kAccepted},
      {"cancel when ready to ship", ReadyToShip(), cancel, kAccepted},
      {"cancel while shipping", Shipping(), cancel, R::INVALID_TRANSITION},
      {"cancel when delivered", Delivered(), cancel, R::INVALID_TRANSITION},
      {"amend when placed", Placed(), amend, kAccepted},
      {"amend when ready to ship", ReadyToShip(), amend, kAccepted},
      {"amend while shipping", Shipping(), amend, R::INVALID_TRANSITION},
      {"hold twice", Plus(Placed(), {kHeld}), kHeld, R::INVALID_TRANSITION},
      {"release when not held", Placed(), "order_released {}", R::INVALID_TRANSITION},
      {"release twice", Plus(Placed(), {kHeld, "order_released {}"}), "order_released {}",
       R::INVALID_TRANSITION},
      {"hold when delivered", Delivered(), kHeld, kAccepted},
      {"milestone when delivered", Delivered(),
       R"(milestone_planned { milestone: DELIVERY planned_date: "2024-02-01" })", kAccepted},
      {"materials when shipping", Shipping(), "materials_in_house {}", kAccepted},
  });
}

// UNKNOWN_REFERENCE, DUPLICATE_REFERENCE, REFERENCE_STATE: ids inside an order.
TEST(DecideTest, References) {
  const std::string resolve = "issue_resolved { issue_id: \"I1\" }";
  const std::string reopen = "issue_reopened { issue_id: \"I1\" }";
  const std::string ack = "handoff_acknowledged { handoff_id: \"H1\" }";
  const std::string complete = "handoff_completed { handoff_id: \"H1\" }";
  ExpectAll({
      {"correct an unknown document", Placed(), "document_corrected { document_id: \"D1\" }",
       R::UNKNOWN_REFERENCE},
      {"correct an issued document", Plus(Placed(), {kDoc}),
       "document_corrected { document_id: \"D1\" }", kAccepted},
      {"issue a document twice", Plus(Placed(), {kDoc}), kDoc, R::DUPLICATE_REFERENCE},
      {"resolve an unknown issue", Placed(), resolve, R::UNKNOWN_REFERENCE},
      {"reopen an unknown issue", Placed(), reopen, R::UNKNOWN_REFERENCE},
      {"raise an issue twice", Plus(Placed(), {kQualityIssue}), kQualityIssue,
       R::DUPLICATE_REFERENCE},
      {"resolve an open issue", Plus(Placed(), {kQualityIssue}), resolve, kAccepted},
      {"resolve a resolved issue", Plus(Placed(), {kQualityIssue, resolve}), resolve,
       R::REFERENCE_STATE},
      {"reopen an open issue", Plus(Placed(), {kQualityIssue}), reopen, R::REFERENCE_STATE},
      {"reopen a resolved issue", Plus(Placed(), {kQualityIssue, resolve}), reopen, kAccepted},
      {"resolve a reopened issue", Plus(Placed(), {kQualityIssue, resolve, reopen}), resolve,
       kAccepted},
      {"close with an open issue", Plus(Delivered(), {kQualityIssue}), "order_closed {}",
       R::REFERENCE_STATE},
      {"close with a reopened issue", Plus(Delivered(), {kQualityIssue, resolve, reopen}),
       "order_closed {}", R::REFERENCE_STATE},
      {"close with every issue resolved", Plus(Delivered(), {kQualityIssue, resolve}),
       "order_closed {}", kAccepted},
      {"acknowledge an unknown handoff", Placed(), ack, R::UNKNOWN_REFERENCE},
      {"complete an unknown handoff", Placed(), complete, R::UNKNOWN_REFERENCE},
      {"request a handoff twice", Plus(Placed(), {kHandoff}), kHandoff, R::DUPLICATE_REFERENCE},
      {"acknowledge", Plus(Placed(), {kHandoff}), ack, kAccepted},
      {"complete without acknowledging", Plus(Placed(), {kHandoff}), complete, kAccepted},
      {"complete after acknowledging", Plus(Placed(), {kHandoff, ack}), complete, kAccepted},
      {"acknowledge twice", Plus(Placed(), {kHandoff, ack}), ack, R::REFERENCE_STATE},
      {"acknowledge after completion", Plus(Placed(), {kHandoff, complete}), ack,
       R::REFERENCE_STATE},
      {"complete twice", Plus(Placed(), {kHandoff, complete}), complete, R::REFERENCE_STATE},
      {"deliver an unknown shipment", Shipping(), "shipment_delivered { shipment_id: \"S7\" }",
       R::UNKNOWN_REFERENCE},
      {"deliver before any dispatch", ReadyToShip(), "shipment_delivered { shipment_id: \"S1\" }",
       R::UNKNOWN_REFERENCE},
      {"deliver twice", Plus(Shipping(), {"shipment_delivered { shipment_id: \"S1\" }"}),
       "shipment_delivered { shipment_id: \"S1\" }", R::REFERENCE_STATE},
      {"dispatch a shipment id twice", Shipping(),
       R"(shipment_dispatched { shipment_id: "S1" lines { line_id: "L2" quantity: 1 } })",
       R::DUPLICATE_REFERENCE},
      {"dispatch an unknown line", Shipping(),
       R"(shipment_dispatched { shipment_id: "S2" lines { line_id: "L9" quantity: 1 } })",
       R::UNKNOWN_REFERENCE},
      {"record an inspection id twice", ReadyToShip(),
       R"(inspection_recorded { inspection_id: "Q1" stage: INLINE result: PASSED inspected_quantity: 1 })",
       R::DUPLICATE_REFERENCE},
      // The stage is checked before references, references before quantities.
      {"duplicate shipment id in the wrong stage", Produced(),
       R"(shipment_dispatched { shipment_id: "S1" lines { line_id: "L1" quantity: 1 } })",
       R::INVALID_TRANSITION},
      {"unknown line beside an excessive one", ReadyToShip(),
       R"(shipment_dispatched { shipment_id: "S2" lines { line_id: "L1" quantity: 99 } lines { line_id: "L9" quantity: 1 } })",
       R::UNKNOWN_REFERENCE},
  });
}

// QUANTITY_EXCEEDED: per line, shipped never exceeds ordered; damage never exceeds a shipment.
TEST(DecideTest, QuantityExceeded) {
  auto ship = [](const std::string& id, int l1, int l2) {
    std::string s = "shipment_dispatched { shipment_id: \"" + id + "\"";
    if (l1 > 0) s += " lines { line_id: \"L1\" quantity: " + std::to_string(l1) + " }";
    if (l2 > 0) s += " lines { line_id: \"L2\" quantity: " + std::to_string(l2) + " }";
    return s + " }";
  };
  const std::string amend =
      R"(order_amended { reason: CUSTOMER_REQUEST line_changes { line_id: "L1" quantity: 12 } })";
  ExpectAll({
      {"all of both lines", ReadyToShip(), ship("S1", 10, 5), kAccepted},
      {"one more than ordered", ReadyToShip(), ship("S1", 11, 5), R::QUANTITY_EXCEEDED},
      {"the rest of L1 after S1", Shipping(), ship("S2", 6, 0), kAccepted},
      {"one more than the rest of L1", Shipping(), ship("S2", 7, 0), R::QUANTITY_EXCEEDED},
      {"L2 fine, L1 over", Shipping(), ship("S2", 7, 1), R::QUANTITY_EXCEEDED},
      {"up to an amended quantity",
       Plus(Placed(), {amend, Confirmed()[1], "production_started {}", "production_completed {}",
                       ReadyToShip().back()}),
       ship("S1", 12, 0), kAccepted},
      {"beyond an amended quantity",
       Plus(Placed(), {amend, Confirmed()[1], "production_started {}", "production_completed {}",
                       ReadyToShip().back()}),
       ship("S1", 13, 0), R::QUANTITY_EXCEEDED},
      {"all units damaged", Shipping(),
       "shipment_delivered { shipment_id: \"S1\" damaged_quantity: 4 }", kAccepted},
      {"more damaged than shipped", Shipping(),
       "shipment_delivered { shipment_id: \"S1\" damaged_quantity: 5 }", R::QUANTITY_EXCEEDED},
  });
}

// An accepted event is the inbound, field for field, plus version and recorded_at.
TEST(DecideTest, AcceptedEventCopiesTheInbound) {
  OrderState state = MustAccept(Shipping());
  v1::InboundEvent in = Event(R"(event_id: "e-77" source: "tms" actor: "dock 3" expected_version: 6
      shipment_dispatched { shipment_id: "S2" carrier: "Maersk" tracking_number: "MSK1"
      estimated_arrival_date: "2024-03-03" lines { line_id: "L1" quantity: 2 } })");
  DecideOptions o = TestOptions();
  o.now += std::chrono::milliseconds(1500);
  Decision d = Decide(state, in, o);
  ASSERT_TRUE(std::holds_alternative<Accepted>(d)) << Describe(d);
  v1::OrderEvent event = std::get<Accepted>(d).event;
  EXPECT_EQ(event.version(), 7);
  auto now = std::chrono::duration_cast<std::chrono::nanoseconds>(o.now.time_since_epoch());
  EXPECT_EQ(event.recorded_at().seconds(), now.count() / 1'000'000'000);
  EXPECT_EQ(event.recorded_at().nanos(), 500'000'000);
  // The shared field numbers make the rest byte-identical to the inbound (events.proto).
  event.clear_version();
  event.clear_recorded_at();
  EXPECT_EQ(event.SerializeAsString(), in.SerializeAsString());
}

// Rejection messages name the rule and the order's state, for the person who sent it.
TEST(DecideTest, MessagesHelpTheSender) {
  auto message = [](const Script& history, const std::string& text) {
    Decision d = Decide(MustAccept(history), Event(text), TestOptions());
    return std::holds_alternative<Rejected>(d) ? std::get<Rejected>(d).message : Describe(d);
  };
  EXPECT_EQ(message(Placed(), "production_started {}"),
            "production_started needs stage CONFIRMED; order ORD-1 is PLACED");
  EXPECT_EQ(message(Placed(), "document_corrected { document_id: \"D4\" }"),
            "document_corrected: order ORD-1 has no document D4");
  EXPECT_EQ(
      message(Shipping(),
              R"(shipment_dispatched { shipment_id: "S2" lines { line_id: "L1" quantity: 7 } })"),
      "shipment S2 ships 7 of line L1 of order ORD-1; ordered 10, already shipped 4");
  EXPECT_EQ(message(Plus(Delivered(), {kQualityIssue}), "order_closed {}"),
            "order_closed needs every issue resolved; issue I1 of order ORD-1 is open");
  EXPECT_EQ(message(Placed(), "feedback_received { rating: 7 }"),
            "feedback_received.rating must be 1-5, got 7");
  EXPECT_EQ(
      message(Placed(),
              R"(order_amended { reason: OTHER line_changes { line_id: "L1" quantity: 0 } })"),
      "order_amended.line_changes[0].quantity must be >= 1, got 0");
  EXPECT_EQ(message({}, kDoc),
            "document_issued: order ORD-1 does not exist; order_placed must come first");
}

// Decide never reads a clock: the same inputs always give the same decision.
TEST(DecideTest, IsDeterministic) {
  OrderState state = MustAccept(Shipping());
  v1::InboundEvent in = Event(R"(shipment_delivered { shipment_id: "S1" })");
  Decision a = Decide(state, in, TestOptions());
  Decision b = Decide(state, in, TestOptions());
  ASSERT_TRUE(std::holds_alternative<Accepted>(a));
  EXPECT_EQ(std::get<Accepted>(a).event.SerializeAsString(),
            std::get<Accepted>(b).event.SerializeAsString());
}

}  // namespace
}  // namespace gendan::test
