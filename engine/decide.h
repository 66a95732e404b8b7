// Decide and Evolve: the order lifecycle as pure functions (DOMAIN.md §4).
//
//   DecideOptions options;  options.now = clock.Now();
//   Decision d = Decide(state, inbound, options);
//   if (auto* a = std::get_if<Accepted>(&d)) { Evolve(state, a->event); Publish(a->event); }
//   else if (auto* r = std::get_if<Rejected>(&d)) { Reject(inbound, r->reason, r->message); }
//   // Duplicate: already recorded; count it and move on.
//
// Decide reads no clock and does no I/O: the same state, inbound and options always give the
// same decision, so a rule is tested without a broker. Thread-safe (no shared state).
//
// Checks run in this order, and the first that fails decides:
//   1. fields          INVALID_EVENT      ids, sizes, enums, ranges, dates, occurred_at
//   2. clock           FUTURE_EVENT       occurred_at > now + max_clock_skew
//   3. dedupe          Duplicate          event_id already accepted for this order
//   4. expectation     VERSION_CONFLICT   expected_version set and != the order's version
//   5. existence       UNKNOWN_ORDER / DUPLICATE_ORDER
//   6. terminal        ORDER_TERMINAL     CANCELLED; CLOSED except after-sales events
//   7. hold            ORDER_ON_HOLD      confirm, production start, dispatch while held
//   8. stage           INVALID_TRANSITION the event is not allowed from the order's stage
//   9. references      UNKNOWN_REFERENCE / DUPLICATE_REFERENCE / REFERENCE_STATE
//  10. quantities      QUANTITY_EXCEEDED
// Dedupe comes right after the checks that need no state, so the redelivery of an accepted
// event is a Duplicate even after the order has moved on (a rejection would be a lie: the
// fact is recorded). MALFORMED is the service's: it is for bytes that do not parse.
//
// Where DOMAIN.md is silent, the engine decides:
//   - order_held while held, order_released while not held: INVALID_TRANSITION (a lost or
//     reordered message upstream deserves a word, not a silent no-op).
//   - order_closed with an open issue: REFERENCE_STATE (the stage is right; an issue is not).
//   - FINAL inspections in PRODUCED, READY_TO_SHIP or SHIPPING (lots not yet dispatched);
//     INCOMING and INLINE in CONFIRMED … DELIVERED.
//   - order_held / order_released in any non-terminal stage; a hold blocks only the three
//     events above (closing, cancelling, delivering go on).
//   - inspection ids are unique per order, like the other ids (DUPLICATE_REFERENCE).
//   - damaged_quantity beyond the shipment's units: QUANTITY_EXCEEDED.
//   - more lines or references than max_lines / max_references allow: INVALID_EVENT.
//   - resolving or reopening an unknown issue on a CLOSED order: UNKNOWN_REFERENCE.
//   - a repeated event_id with other content is still a Duplicate: the id is the key.
//   - required although §3 does not say so: the party ids of order_placed (the KPI group keys;
//     nothing later can set them), promised_date, planned_date, handoff due_at, and every enum
//     field (0 is "unset", enums.proto); inspected_quantity >= 1; produced_quantity >= 0.
//   - every quantity at most max_quantity, every instant at or after earliest_instant
//     (2000-01-01T00:00:00Z): INVALID_EVENT; an absurd value is a sender's bug, not a fact.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <variant>

#include "engine/order_state.h"
#include "gendan/v1/events.pb.h"

namespace gendan {

struct DecideOptions {
  // The engine's "now", injected so that decisions replay identically; stamped as recorded_at.
  std::chrono::system_clock::time_point now{};
  // How far in the future occurred_at may be: upstream clocks drift (DOMAIN.md §2 default).
  std::chrono::nanoseconds max_clock_skew = std::chrono::minutes(5);
  // event_id length; the contract's bound (DOMAIN.md §2), big enough for a UUID or a
  // "system:table:row" key.
  size_t max_event_id_length = 128;
  // order_id length; the contract's bound (DOMAIN.md §2): it is a Kafka key and a URL segment.
  size_t max_order_id_length = 64;
  // Every other id (line, shipment, document, inspection, issue, handoff and party ids, skus,
  // incoterms) and the source/actor labels: room for any ERP key, small enough to keep the
  // state row and every message that quotes an id short.
  size_t max_id_length = 128;
  // Free text (reasons, descriptions, comments, subjects, resolutions, carrier, tracking
  // numbers): a paragraph; longer belongs in a document store, not in every copy of the log.
  size_t max_text_length = 1024;
  // Lines in one event and in one order: far above real purchase orders, low enough that the
  // per-line checks and the state row stay small.
  size_t max_lines = 1000;
  // Ids of one kind (shipments, documents, inspections, issues, handoffs) in one order: the
  // state is read and written on every event, so it must not grow without bound.
  size_t max_references = 1000;
  // Any one quantity (a line's, a shipment line's, inspected, defective, produced, damaged):
  // a billion units is far beyond any real order, and sums over max_lines lines or millions of
  // events stay far inside int64 (an absurd value would otherwise overflow a total downstream).
  int64_t max_quantity = 1'000'000'000;
  // The earliest instant (occurred_at, due_at) taken as real: an older one is a sender's zero
  // value (epoch 0, year 1) or seconds read as milliseconds, not a fact of this system.
  std::chrono::sys_seconds earliest_instant{
      std::chrono::sys_days{std::chrono::year{2000} / std::chrono::January / 1}};
  // Records larger than this are refused (INVALID_EVENT) before they are parsed.
  size_t max_record_bytes = 256 * 1024;
};

// The inbound fact, recorded: the same fields and payload, version = state.version + 1,
// recorded_at = options.now.
struct Accepted {
  v1::OrderEvent event;
};

// Refused: the reason code of DOMAIN.md §4 and a message for the person who sent it, naming
// what was wrong and the order's state, e.g.
// "production_started needs stage CONFIRMED; order ORD-1 is PLACED".
struct Rejected {
  v1::RejectionReason::Value reason = v1::RejectionReason::REJECTION_REASON_UNSPECIFIED;
  std::string message;
};

// The event_id was accepted before for this order: not recorded again, not a rejection.
struct Duplicate {};

using Decision = std::variant<Accepted, Rejected, Duplicate>;

// Decides what to do with `inbound` given the order's current state. Never throws.
Decision Decide(const OrderState& state, const v1::InboundEvent& inbound,
                const DecideOptions& options);

// The engine service's path, which builds no OrderEvent. events.proto gives OrderEvent the
// field numbers of InboundEvent plus version (100) and recorded_at (101), so the serialized
// inbound with those two fields appended is the serialized event Decide would build:
//
//   Verdict v = Judge(state, inbound, options);
//   if (auto* a = std::get_if<Accept>(&v)) {
//     std::string bytes = inbound_bytes;                  // as read from gendan.inbound
//     if (RecordsAsBytes(inbound)) AppendRecordFields(&bytes, a->version, options.now);
//     else bytes = BuildEvent(state, inbound, options).SerializeAsString();
//     EvolveInbound(state, inbound, a->version);
//   }
struct Accept {
  Version version;  // the recorded event's: state.version + 1
};
using Verdict = std::variant<Accept, Rejected, Duplicate>;

// Decide's verdict without the event. Decide(s, in, o) accepts exactly when Judge does.
Verdict Judge(const OrderState& state, const v1::InboundEvent& inbound,
              const DecideOptions& options);

// The event Decide accepts `inbound` as (meant for inbound that Judge accepted).
v1::OrderEvent BuildEvent(const OrderState& state, const v1::InboundEvent& inbound,
                          const DecideOptions& options);

// True when `inbound`'s own bytes, with AppendRecordFields, are its OrderEvent: it carried no
// top-level field unknown to InboundEvent (one would pass into the event, or could be a
// version or recorded_at of its own). Unknown fields inside the payload pass either way.
bool RecordsAsBytes(const v1::InboundEvent& inbound);

// Appends OrderEvent's version and recorded_at fields to a serialized InboundEvent.
void AppendRecordFields(std::string* bytes, Version version,
                        std::chrono::system_clock::time_point recorded_at);

// Evolve(state, event) for the event Decide builds from `inbound` at `version`.
void EvolveInbound(OrderState& state, const v1::InboundEvent& inbound, Version version);

// Applies an accepted event to the state: state.version becomes event.version(). Meant for
// events Decide accepted (or replayed from gendan.events); an event the rules would refuse is
// applied as far as it makes sense and never crashes.
void Evolve(OrderState& state, const v1::OrderEvent& event);

}  // namespace gendan
