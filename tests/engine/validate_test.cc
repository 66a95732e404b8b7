// The checks Decide makes before it reads any state: fields (INVALID_EVENT, DOMAIN.md §2–§3),
// the clock (FUTURE_EVENT) and the size limits of DecideOptions.
#include "engine/validate.h"

#include <gtest/gtest.h>

#include "engine/decide.h"
#include "tests/engine/test_events.h"

namespace gendan::test {
namespace {

using R = v1::RejectionReason;
constexpr auto kInvalid = R::INVALID_EVENT;

// Payload texts: `Placing(fields)` is an order_placed with the parties and one good line
// unless `fields` is given instead.
const std::string kParties = R"(customer_id: "C" merchandiser_id: "M" supplier_id: "F" )";
const std::string kLine = R"(lines { line_id: "L1" quantity: 1 } )";
std::string Placing(const std::string& fields) { return "order_placed { " + fields + " }"; }
std::string Line(const std::string& id, int quantity) {
  return "lines { line_id: \"" + id + "\" quantity: " + std::to_string(quantity) + " } ";
}
std::string Inspection(const std::string& fields) {
  return R"(inspection_recorded { inspection_id: "Q1" )" + fields + " }";
}
std::string Dispatch(const std::string& fields) { return "shipment_dispatched { " + fields + " }"; }
std::string Issue(const std::string& fields) {
  return R"(issue_raised { issue_id: "I1" severity: MINOR owner_department: QUALITY )" + fields +
         " }";
}

// order_placed with `n` lines L0..L<n-1>, or with the last two equal.
Tweak Lines(int n, bool last_repeats) {
  return [n, last_repeats](v1::InboundEvent& e) {
    for (int i = 0; i < n; ++i) {
      auto* l = e.mutable_order_placed()->add_lines();
      l->set_line_id("L" + std::to_string(last_repeats && i == n - 1 ? i - 1 : i));
      l->set_quantity(1);
    }
  };
}

// INVALID_EVENT for the envelope: ids, sizes, occurred_at, expected_version, payload.
TEST(ValidateTest, Envelope) {
  const std::string placed = Placing(kParties + kLine);
  auto order_id = [](std::string id) { return Tweak([id](auto& e) { e.set_order_id(id); }); };
  auto event_id = [](std::string id) { return Tweak([id](auto& e) { e.set_event_id(id); }); };
  ExpectAll({
      {"no payload", Placed(), "", kInvalid},
      {"empty event_id", Placed(), kDoc, kInvalid, [](auto& e) { e.clear_event_id(); }},
      {"event_id of 129", Placed(), kDoc, kInvalid, event_id(std::string(129, 'e'))},
      {"event_id of 128", Placed(), kDoc, kAccepted, event_id(std::string(128, 'e'))},
      {"empty order_id", {}, placed, kInvalid, order_id("")},
      {"order_id of 65", {}, placed, kInvalid, order_id(std::string(65, 'o'))},
      {"order_id of 64, every kind of character",
       {},
       placed,
       kAccepted,
       order_id("Az09._:-" + std::string(56, 'o'))},
      {"order_id with a slash", {}, placed, kInvalid, order_id("ORD/1")},
      {"order_id with a space", {}, placed, kInvalid, order_id("ORD 1")},
      {"no occurred_at", Placed(), kDoc, kInvalid, [](auto& e) { e.clear_occurred_at(); }},
      {"occurred_at nanos of 1e9", Placed(), kDoc, kInvalid,
       [](auto& e) { e.mutable_occurred_at()->set_nanos(1'000'000'000); }},
      {"occurred_at before year 1", Placed(), kDoc, kInvalid,
       [](auto& e) { e.mutable_occurred_at()->set_seconds(-62135596801); }},
      {"occurred_at in year 1", Placed(), kDoc, kInvalid,
       [](auto& e) { e.mutable_occurred_at()->set_seconds(-62135596800); }},
      {"occurred_at at epoch 0 (a zero value)", Placed(), kDoc, kInvalid,
       [](auto& e) { e.mutable_occurred_at()->Clear(); }},
      {"occurred_at 1 s before 2000", Placed(), kDoc, kInvalid,
       [](auto& e) { e.mutable_occurred_at()->set_seconds(946684799); }},
      {"occurred_at at 2000-01-01", Placed(), kDoc, kAccepted,
       [](auto& e) { e.mutable_occurred_at()->set_seconds(946684800); }},
      {"expected_version -1", Placed(), kDoc, kInvalid,
       [](auto& e) { e.set_expected_version(-1); }},
      {"actor with a newline", Placed(), kDoc, kInvalid, [](auto& e) { e.set_actor("a\nb"); }},
      {"source of 129", Placed(), kDoc, kInvalid,
       [](auto& e) { e.set_source(std::string(129, 's')); }},
  });
}

// INVALID_EVENT for order_placed: parties, at least one line, quantities > 0, unique lines.
TEST(ValidateTest, OrderPlaced) {
  const std::string cm = R"(customer_id: "C" merchandiser_id: "M" )";
  ExpectAll({
      {"well formed", {}, Placing(kParties + kLine), kAccepted},
      {"no lines", {}, Placing(kParties), kInvalid},
      {"no customer", {}, Placing(R"(merchandiser_id: "M" supplier_id: "F" )" + kLine), kInvalid},
      {"no merchandiser", {}, Placing(R"(customer_id: "C" supplier_id: "F" )" + kLine), kInvalid},
      {"no supplier", {}, Placing(cm + kLine), kInvalid},
      {"quantity 0", {}, Placing(kParties + Line("L1", 0)), kInvalid},
      {"quantity -3", {}, Placing(kParties + Line("L1", -3)), kInvalid},
      {"line without id", {}, Placing(kParties + Line("", 1)), kInvalid},
      {"a line twice", {}, Placing(kParties + Line("L1", 1) + Line("L1", 2)), kInvalid},
      {"sku with a tab",
       {},
       Placing(kParties + R"(lines { line_id: "L1" sku: "a\tb" quantity: 1 })"),
       kInvalid},
      {"requested Feb 30",
       {},
       Placing(kParties + kLine + R"(requested_date: "2024-02-30")"),
       kInvalid},
      {"requested Feb 29, 2024",
       {},
       Placing(kParties + kLine + R"(requested_date: "2024-02-29")"),
       kAccepted},
      {"requested Feb 29, 2023",
       {},
       Placing(kParties + kLine + R"(requested_date: "2023-02-29")"),
       kInvalid},
      {"requested in year 0",
       {},
       Placing(kParties + kLine + R"(requested_date: "0000-01-01")"),
       kInvalid},
      {"1000 lines", {}, Placing(kParties), kAccepted, Lines(1000, false)},
      {"1001 lines", {}, Placing(kParties), kInvalid, Lines(1001, false)},
      {"1000 lines, the last two equal", {}, Placing(kParties), kInvalid, Lines(1000, true)},
  });
}

// INVALID_EVENT for the other order payloads and documents, plans and production.
TEST(ValidateTest, OrderAndPlanPayloads) {
  const std::string amend = "order_amended { reason: OTHER ";
  ExpectAll({
      {"confirmed without date", Placed(), "order_confirmed {}", kInvalid},
      {"confirmed month 13", Placed(), R"(order_confirmed { promised_date: "2024-13-01" })",
       kInvalid},
      {"confirmed as d/m/y", Placed(), R"(order_confirmed { promised_date: "01/02/2024" })",
       kInvalid},
      {"amended without reason", Placed(), "order_amended {}", kInvalid},
      {"amended for reason 99", Placed(), "order_amended { reason: 99 }", kInvalid},
      {"amended to quantity 0", Placed(), amend + R"(line_changes { line_id: "L1" quantity: 0 } })",
       kInvalid},
      {"amended with an empty date", Placed(), amend + R"(new_promised_date: "" })", kInvalid},
      {"amended a line twice", Placed(),
       amend +
           R"(line_changes { line_id: "L1" quantity: 3 } line_changes { line_id: "L1" quantity: 4 } })",
       kInvalid},
      {"amended with no change at all", Placed(), amend + "}", kAccepted},
      {"held reason of 1025", Placed(), "order_held {}", kInvalid,
       [](auto& e) { e.mutable_order_held()->set_reason(std::string(1025, 'x')); }},
      {"held reason of 1024", Placed(), "order_held {}", kAccepted,
       [](auto& e) { e.mutable_order_held()->set_reason(std::string(1024, 'x')); }},
      {"cancelled by nobody", Placed(), R"(order_cancelled { reason: "x" })", kInvalid},
      {"document without id", Placed(), "document_issued { document_type: CONTRACT }", kInvalid},
      {"document without type", Placed(), R"(document_issued { document_id: "D1" })", kInvalid},
      {"correction without id", Placed(), R"(document_corrected { reason: "typo" })", kInvalid},
      {"milestone without kind", Placed(), R"(milestone_planned { planned_date: "2024-02-01" })",
       kInvalid},
      {"milestone without date", Placed(), "milestone_planned { milestone: EX_FACTORY }", kInvalid},
      {"produced -1", InProduction(), "production_completed { produced_quantity: -1 }", kInvalid},
      {"produced 0 (not reported)", InProduction(), "production_completed {}", kAccepted},
  });
}

// INVALID_EVENT for inspections and logistics: quantities and their relations.
TEST(ValidateTest, QualityAndLogistics) {
  const std::string s1 = R"(shipment_id: "S1" )";
  ExpectAll({
      {"inspection of nothing", Produced(), Inspection("stage: FINAL result: PASSED"), kInvalid},
      {"defective > inspected", Produced(),
       Inspection("stage: FINAL result: FAILED inspected_quantity: 5 defective_quantity: 6"),
       kInvalid},
      {"defective = inspected", Produced(),
       Inspection("stage: FINAL result: FAILED inspected_quantity: 5 defective_quantity: 5"),
       kAccepted},
      {"defective -1", Produced(),
       Inspection("stage: FINAL result: PASSED inspected_quantity: 5 defective_quantity: -1"),
       kInvalid},
      {"inspection without stage", Produced(), Inspection("result: PASSED inspected_quantity: 5"),
       kInvalid},
      {"inspection without result", Produced(), Inspection("stage: FINAL inspected_quantity: 5"),
       kInvalid},
      {"inspection without id", Produced(),
       "inspection_recorded { stage: FINAL result: PASSED inspected_quantity: 5 }", kInvalid},
      {"dispatch without lines", ReadyToShip(), Dispatch(s1), kInvalid},
      {"dispatch of quantity 0", ReadyToShip(), Dispatch(s1 + Line("L1", 0)), kInvalid},
      {"dispatch of a line twice", ReadyToShip(), Dispatch(s1 + Line("L1", 1) + Line("L1", 1)),
       kInvalid},
      {"dispatch without id", ReadyToShip(), Dispatch(Line("L1", 1)), kInvalid},
      {"arriving on Apr 31", ReadyToShip(),
       Dispatch(s1 + Line("L1", 1) + R"(estimated_arrival_date: "2024-04-31")"), kInvalid},
      {"delivery damaged -1", Shipping(),
       R"(shipment_delivered { shipment_id: "S1" damaged_quantity: -1 })", kInvalid},
  });
}

// Quantities stop at max_quantity, so no sum of them can overflow int64 (INT64_MAX units on two
// lines of one shipment once did, in ShipmentState::quantity).
TEST(ValidateTest, AbsurdQuantities) {
  const std::string big = "1000000001", max = "1000000000", int64_max = "9223372036854775807";
  auto placing = [](const std::string& q) {
    return Placing(kParties + "lines { line_id: \"L1\" quantity: " + q + " }");
  };
  ExpectAll({
      {"a line of max_quantity", {}, placing(max), kAccepted},
      {"a line of max_quantity + 1", {}, placing(big), kInvalid},
      {"a line of INT64_MAX", {}, placing(int64_max), kInvalid},
      {"an amended line of INT64_MAX", Placed(),
       "order_amended { reason: OTHER line_changes { line_id: \"L1\" quantity: " + int64_max +
           " } }",
       kInvalid},
      {"a dispatch of INT64_MAX", ReadyToShip(),
       R"(shipment_dispatched { shipment_id: "S9" lines { line_id: "L1" quantity: )" + int64_max +
           " } }",
       kInvalid},
      {"inspected INT64_MAX", Produced(),
       Inspection("stage: FINAL result: PASSED inspected_quantity: " + int64_max), kInvalid},
      {"defective INT64_MAX", Produced(),
       Inspection("stage: FINAL result: FAILED inspected_quantity: " + int64_max +
                  " defective_quantity: " + int64_max),
       kInvalid},
      {"produced INT64_MAX", InProduction(),
       "production_completed { produced_quantity: " + int64_max + " }", kInvalid},
      {"damaged INT64_MAX", Shipping(),
       R"(shipment_delivered { shipment_id: "S1" damaged_quantity: )" + int64_max + " }", kInvalid},
  });
}

// INVALID_EVENT for customer, issue and handoff payloads; complaint_reason goes with
// CUSTOMER_COMPLAINT and only with it.
TEST(ValidateTest, CustomerIssuesHandoffs) {
  const std::string handoff = R"(handoff_requested { handoff_id: "H1" from_department: SALES )";
  ExpectAll({
      {"contact without channel", Placed(), "customer_contacted { purpose: STATUS_UPDATE }",
       kInvalid},
      {"contact without purpose", Placed(), "customer_contacted { channel: EMAIL }", kInvalid},
      {"rating 0", Placed(), "feedback_received { rating: 0 }", kInvalid},
      {"rating 6", Placed(), "feedback_received { rating: 6 }", kInvalid},
      {"rating 1", Placed(), "feedback_received { rating: 1 }", kAccepted},
      {"rating 5", Placed(), "feedback_received { rating: 5 }", kAccepted},
      {"complaint without reason", Placed(), Issue("category: CUSTOMER_COMPLAINT"), kInvalid},
      {"complaint with reason", Placed(),
       Issue("category: CUSTOMER_COMPLAINT complaint_reason: LATE_DELIVERY"), kAccepted},
      {"QUALITY issue with a complaint reason", Placed(),
       Issue("category: QUALITY complaint_reason: DAMAGE"), kInvalid},
      {"issue of category 42", Placed(), Issue("category: 42"), kInvalid},
      {"issue without severity", Placed(),
       R"(issue_raised { issue_id: "I1" category: QUALITY owner_department: QUALITY })", kInvalid},
      {"issue without owner", Placed(),
       R"(issue_raised { issue_id: "I1" category: QUALITY severity: MINOR })", kInvalid},
      {"resolution without id", Placed(), R"(issue_resolved { resolution: "done" })", kInvalid},
      {"reopen without id", Placed(), "issue_reopened {}", kInvalid},
      {"handoff without due_at", Placed(), handoff + "to_department: LOGISTICS }", kInvalid},
      {"handoff to nobody", Placed(), handoff + "due_at { seconds: 1 } }", kInvalid},
      {"handoff well formed", Placed(),
       handoff + "to_department: LOGISTICS due_at { seconds: 1800000000 } }", kAccepted},
      {"handoff due at epoch 0", Placed(), handoff + "to_department: LOGISTICS due_at {} }",
       kInvalid},
      {"acknowledgement without id", Placed(), "handoff_acknowledged {}", kInvalid},
      {"completion without id", Placed(), "handoff_completed {}", kInvalid},
  });
}

// FUTURE_EVENT: occurred_at may run ahead of the engine's clock by max_clock_skew, no more.
TEST(ValidateTest, FutureEvent) {
  DecideOptions o = TestOptions();
  auto ahead = [&o](std::chrono::nanoseconds by) {
    return Tweak([&o, by](v1::InboundEvent& e) {
      *e.mutable_occurred_at() = internal::ToTimestamp(o.now + by);
    });
  };
  using std::chrono::minutes;
  using std::chrono::nanoseconds;
  ExpectAll({{"exactly now + skew", Placed(), kDoc, kAccepted, ahead(minutes(5))},
             {"1 ns past now + skew", Placed(), kDoc, R::FUTURE_EVENT,
              ahead(minutes(5) + nanoseconds(1))},
             {"a day ahead", Placed(), kDoc, R::FUTURE_EVENT, ahead(minutes(24 * 60))},
             {"in year 9999", Placed(), kDoc, R::FUTURE_EVENT,
              [](auto& e) { e.mutable_occurred_at()->set_seconds(253402300799); }},
             {"a creation too", {}, Placed()[0], R::FUTURE_EVENT, ahead(minutes(6))}},
            o);
  o.max_clock_skew = std::chrono::seconds(0);
  ExpectAll({{"no skew allowed", Placed(), kDoc, R::FUTURE_EVENT, ahead(nanoseconds(1))}}, o);
}

// The size limits of DecideOptions hold, the per-order ones included.
TEST(ValidateTest, OptionLimits) {
  DecideOptions o = TestOptions();
  o.max_references = 1;
  o.max_lines = 2;
  o.max_text_length = 4;
  o.max_id_length = 3;
  const std::string amend = "order_amended { reason: OTHER line_changes { line_id: ";
  ExpectAll({{"a second document", Plus(Placed(), {kDoc}),
              R"(document_issued { document_id: "D2" document_type: OTHER })", kInvalid},
             {"a third line", Placed(), amend + R"("L3" quantity: 1 } })", kInvalid},
             {"an existing line", Placed(), amend + R"("L1" quantity: 1 } })", kAccepted},
             {"text of 5", Placed(), R"(order_held { reason: "12345" })", kInvalid},
             {"id of 4", Placed(),
              R"(document_issued { document_id: "D123" document_type: OTHER })", kInvalid}},
            o);
}

// Dates are real calendar dates spelled YYYY-MM-DD, nothing looser.
TEST(ValidateTest, IsDate) {
  EXPECT_TRUE(internal::IsDate("2024-02-29"));
  EXPECT_TRUE(internal::IsDate("9999-12-31"));
  EXPECT_TRUE(internal::IsDate("0001-01-01"));
  for (const char* bad : {"2023-02-29", "2024-00-10", "2024-01-00", "2024-1-10", "2024/01/10",
                          "20240110", "2024-01-10T00:00", " 2024-01-10", "0000-01-01", ""}) {
    EXPECT_FALSE(internal::IsDate(bad)) << bad;
  }
}

}  // namespace
}  // namespace gendan::test
