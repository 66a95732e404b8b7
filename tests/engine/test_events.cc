#include "tests/engine/test_events.h"

#include <google/protobuf/text_format.h>
#include <gtest/gtest.h>

#include "engine/describe.h"
#include "tests/engine/history_generator.h"

namespace gendan::test {

DecideOptions TestOptions() {
  DecideOptions o;
  o.now = HistoryGenerator::Now();
  return o;
}

v1::InboundEvent Event(std::string_view text) {
  static int counter = 0;
  ++counter;
  v1::InboundEvent e;
  if (!google::protobuf::TextFormat::ParseFromString(std::string(text), &e)) {
    ADD_FAILURE() << "bad test event text: " << text;
  }
  if (e.event_id().empty()) e.set_event_id("t" + std::to_string(counter));
  if (e.order_id().empty()) e.set_order_id(kOrderId);
  if (!e.has_occurred_at()) {
    auto start = std::chrono::duration_cast<std::chrono::seconds>(
        HistoryGenerator::Start().time_since_epoch());
    e.mutable_occurred_at()->set_seconds(start.count() + int64_t{60} * counter);
  }
  return e;
}

std::vector<v1::InboundEvent> Events(const Script& script) {
  std::vector<v1::InboundEvent> events;
  for (const std::string& text : script) events.push_back(Event(text));
  return events;
}

std::vector<Decision> Replay(OrderState& state, const std::vector<v1::InboundEvent>& events,
                             const DecideOptions& options) {
  std::vector<Decision> decisions;
  for (const v1::InboundEvent& e : events) {
    Decision d = Decide(state, e, options);
    if (const auto* a = std::get_if<Accepted>(&d)) Evolve(state, a->event);
    decisions.push_back(std::move(d));
  }
  return decisions;
}

OrderState MustAccept(const Script& script) {
  std::vector<v1::InboundEvent> events = Events(script);
  OrderState state;
  std::vector<Decision> decisions = Replay(state, events);
  for (size_t i = 0; i < decisions.size(); ++i) {
    const auto* a = std::get_if<Accepted>(&decisions[i]);
    if (a == nullptr || a->event.version() != int64_t(i + 1)) {
      ADD_FAILURE() << "event " << i << " of the setup: " << Describe(decisions[i])
                    << "\nhistory: " << Describe(events);
      break;
    }
  }
  return state;
}

int ReasonOf(const Decision& d) {
  if (const auto* r = std::get_if<Rejected>(&d)) return r->reason;
  return std::holds_alternative<Duplicate>(d) ? -1 : 0;
}

void ExpectAll(const std::vector<Case>& cases, const DecideOptions& options) {
  auto name = [](int code) -> std::string {
    if (code == kAccepted) return "accepted";
    if (code == kDuplicate) return "duplicate";
    return std::string(ReasonName(static_cast<v1::RejectionReason::Value>(code)));
  };
  for (const Case& c : cases) {
    OrderState state = MustAccept(c.history);
    v1::InboundEvent event = Event(c.event);
    if (c.tweak) c.tweak(event);
    Decision d = Decide(state, event, options);
    EXPECT_EQ(ReasonOf(d), c.expected)
        << c.name << ": expected " << name(c.expected) << ", got " << Describe(d)
        << "\n  event: " << Describe(event) << "\n  after: " << Describe(Events(c.history))
        << "\n  state: " << Describe(state);
  }
}

Script Plus(Script base, const Script& more) {
  base.insert(base.end(), more.begin(), more.end());
  return base;
}

Script Placed() {
  return {R"(order_placed { customer_id: "C1" merchandiser_id: "M1" supplier_id: "F1"
             requested_date: "2024-03-01" lines { line_id: "L1" sku: "A" quantity: 10 }
             lines { line_id: "L2" sku: "B" quantity: 5 } })"};
}
Script Confirmed() {
  return Plus(Placed(), {R"(order_confirmed { promised_date: "2024-02-20" })"});
}
Script InProduction() { return Plus(Confirmed(), {"production_started {}"}); }
Script Produced() {
  return Plus(InProduction(), {"production_completed { produced_quantity: 15 }"});
}
Script ReadyToShip() {
  return Plus(Produced(), {R"(inspection_recorded { inspection_id: "Q1" stage: FINAL
      result: PASSED inspected_quantity: 15 defective_quantity: 0 })"});
}
Script Shipping() {
  return Plus(ReadyToShip(),
              {R"(shipment_dispatched { shipment_id: "S1" lines { line_id: "L1" quantity: 4 } })"});
}
Script Delivered() {
  return Plus(Shipping(), {R"(shipment_delivered { shipment_id: "S1" })",
                           R"(shipment_dispatched { shipment_id: "S2"
                                lines { line_id: "L1" quantity: 6 }
                                lines { line_id: "L2" quantity: 5 } })",
                           R"(shipment_delivered { shipment_id: "S2" })"});
}
Script Closed() { return Plus(Delivered(), {"order_closed {}"}); }
Script Cancelled() {
  return Plus(Confirmed(),
              {"order_cancelled { reason: \"no longer needed\" cancelled_by: CUSTOMER }"});
}

}  // namespace gendan::test
