// Helpers for the engine tests: events written as protobuf text, histories run through
// Decide + Evolve.
//
//   OrderState s = MustAccept({Event("order_placed { ... }"), Event("order_confirmed { ... }")});
//   Decision d = Decide(s, Event("production_started {}"), TestOptions());
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/decide.h"
#include "engine/order_state.h"
#include "gendan/v1/events.pb.h"

namespace gendan::test {

inline constexpr char kOrderId[] = "ORD-1";

// Options with now = HistoryGenerator::Now() and the defaults otherwise.
DecideOptions TestOptions();

// An InboundEvent from text format. Envelope fields the text leaves unset are filled in:
// event_id a fresh "t<n>", order_id ORD-1, occurred_at one minute after the previous Event().
v1::InboundEvent Event(std::string_view text);

// Texts of the payload lines of a history, e.g. {"order_placed {...}", "order_confirmed {...}"}.
using Script = std::vector<std::string>;
std::vector<v1::InboundEvent> Events(const Script& script);

// Runs the events through Decide + Evolve on `state`; returns each decision in order.
std::vector<Decision> Replay(OrderState& state, const std::vector<v1::InboundEvent>& events,
                             const DecideOptions& options = TestOptions());

// The state after `script`, adding a gtest failure (with the history) unless every event was
// accepted with versions 1..N.
OrderState MustAccept(const Script& script);

// A rejection's reason; kAccepted for Accepted, kDuplicate for Duplicate.
inline constexpr int kAccepted = 0;  // REJECTION_REASON_UNSPECIFIED, never a real reason
inline constexpr int kDuplicate = -1;
int ReasonOf(const Decision& d);

// Changes an event in ways its text cannot say (e.g. clears the event_id).
using Tweak = std::function<void(v1::InboundEvent&)>;

// One row of a rule table: a valid history, one more event, and what Decide must say.
struct Case {
  std::string name;
  Script history;         // accepted first
  std::string event;      // the event under test, as text
  int expected;           // a RejectionReason, kAccepted or kDuplicate
  Tweak tweak = nullptr;  // for what text cannot say
};
// Checks every row, reporting each miss with the event, the history and the state.
void ExpectAll(const std::vector<Case>& cases, const DecideOptions& options = TestOptions());

// Payloads the rule tables use often.
inline constexpr char kDoc[] = R"(document_issued { document_id: "D1" document_type: CONTRACT })";
inline constexpr char kHeld[] = R"(order_held { reason: "credit check" })";

// Ready-made histories, each valid and each the previous plus a step. ORD-1 has lines L1 (10)
// and L2 (5); SHIPPING has shipment S1 (L1=4) in transit.
Script Placed();
Script Confirmed();
Script InProduction();
Script Produced();
Script ReadyToShip();
Script Shipping();
Script Delivered();
Script Closed();
Script Cancelled();
// `base` plus `more`.
Script Plus(Script base, const Script& more);

}  // namespace gendan::test
