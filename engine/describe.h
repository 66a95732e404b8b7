// Describe: events, histories, decisions and states as short readable strings, so a failing
// test or a log line reads like the behaviour it checks (after LevelDB's WriteBatch rendering).
//
//   Describe(history)  // "order_placed(ORD-1 lines=2)@v1 -> shipment_dispatched(S1 L1=5)@v7"
//   Describe(decision) // "rejected INVALID_TRANSITION: production_started needs stage ..."
//
// The format is for people and may change; never parse it. Pure functions; thread-safe.
#pragma once

#include <span>
#include <string>
#include <string_view>

#include "engine/decide.h"
#include "engine/order_state.h"
#include "gendan/v1/events.pb.h"

namespace gendan {

// The payload's oneof member name ("order_placed"), or "no_payload" when none is set.
std::string_view PayloadName(v1::InboundEvent::PayloadCase payload);
std::string_view PayloadName(v1::OrderEvent::PayloadCase payload);
// Enum value names as DOMAIN.md spells them ("PLACED", "INVALID_TRANSITION"); "?" if unknown.
std::string_view StageName(v1::Stage::Value stage);
std::string_view ReasonName(v1::RejectionReason::Value reason);

// "shipment_dispatched(S1 L1=5 L2=3)"; an inbound's expected_version shows as "?v6".
std::string Describe(const v1::InboundEvent& event);
// As above plus "@v<version>".
std::string Describe(const v1::OrderEvent& event);
// The events joined by " -> ".
std::string Describe(std::span<const v1::InboundEvent> events);
std::string Describe(std::span<const v1::OrderEvent> events);
// "accepted <event>", "rejected <REASON>: <message>" or "duplicate".
std::string Describe(const Decision& decision);
// "v7 SHIPPING held lines[L1 10/5/0] shipments[S1 S2:delivered] issues[I1:open] ...".
std::string Describe(const OrderState& state);

}  // namespace gendan
