#include "engine/decide.h"

#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/unknown_field_set.h>

#include "engine/describe.h"
#include "engine/reject.h"
#include "engine/validate.h"

namespace gendan {
namespace {

using internal::Check;
using internal::Reject;
using v1::InboundEvent;
using v1::RejectionReason;
using v1::Stage;

// Stages are numbered in lifecycle order, PLACED (1) ... CLOSED (8), so ranges compare.
bool InStages(const OrderState& s, Stage::Value first, Stage::Value last) {
  return s.stage >= first && s.stage <= last;
}

std::string_view Name(const InboundEvent& in) { return PayloadName(in.payload_case()); }

// "<payload> needs stage <what>; order <id> is <stage>": the rule and where the order is.
Rejected NeedStage(const OrderState& s, const InboundEvent& in, std::string_view what) {
  return Reject(RejectionReason::INVALID_TRANSITION, Name(in), " needs stage ", what, "; order ",
                in.order_id(), " is ", StageName(s.stage));
}

Check RequireStage(const OrderState& s, const InboundEvent& in, Stage::Value first,
                   Stage::Value last, std::string_view what) {
  if (InStages(s, first, last)) return std::nullopt;
  return NeedStage(s, in, what);
}

Check Unknown(const InboundEvent& in, std::string_view kind, std::string_view id) {
  return Reject(RejectionReason::UNKNOWN_REFERENCE, Name(in), ": order ", in.order_id(), " has no ",
                kind, " ", id);
}

// A new id of some kind: not seen before in this order, and the order not full of them.
template <typename Ids>
Check NewReference(const Ids& ids, const InboundEvent& in, std::string_view kind,
                   std::string_view id, const DecideOptions& o) {
  if (ids.contains(id)) {
    return Reject(RejectionReason::DUPLICATE_REFERENCE, Name(in), ": order ", in.order_id(),
                  " already has ", kind, " ", id);
  }
  if (ids.size() >= o.max_references) {
    return Reject(RejectionReason::INVALID_EVENT, Name(in), ": order ", in.order_id(), " has ",
                  ids.size(), " ", kind, "s, the most max_references allows");
  }
  return std::nullopt;
}

// ---- step 5–7: existence, terminal stages, hold ------------------------------------------

Check CheckExistence(const OrderState& s, const InboundEvent& in) {
  bool creates = in.payload_case() == InboundEvent::kOrderPlaced;
  if (creates && s.exists()) {
    return Reject(RejectionReason::DUPLICATE_ORDER, "order ", in.order_id(), " already exists (",
                  StageName(s.stage), ", v", s.version.value(), ")");
  }
  if (!creates && !s.exists()) {
    return Reject(RejectionReason::UNKNOWN_ORDER, Name(in), ": order ", in.order_id(),
                  " does not exist; order_placed must come first");
  }
  return std::nullopt;
}

// After closing, only after-sales facts: contacts, feedback and customer complaints. An issue
// id the order does not know passes here so that step 9 can name it (UNKNOWN_REFERENCE).
bool AfterSales(const OrderState& s, const InboundEvent& in) {
  auto complaint = [&](const std::string& issue_id) {
    auto it = s.issues.find(issue_id);
    return it == s.issues.end() || it->second.category == v1::IssueCategory::CUSTOMER_COMPLAINT;
  };
  switch (in.payload_case()) {
    case InboundEvent::kCustomerContacted:
    case InboundEvent::kFeedbackReceived: return true;
    case InboundEvent::kIssueRaised:
      return in.issue_raised().category() == v1::IssueCategory::CUSTOMER_COMPLAINT;
    case InboundEvent::kIssueResolved: return complaint(in.issue_resolved().issue_id());
    case InboundEvent::kIssueReopened: return complaint(in.issue_reopened().issue_id());
    default: return false;
  }
}

Check CheckTerminal(const OrderState& s, const InboundEvent& in) {
  if (s.stage == Stage::CANCELLED) {
    return Reject(RejectionReason::ORDER_TERMINAL, Name(in), ": order ", in.order_id(),
                  " is CANCELLED and accepts no more events");
  }
  if (s.stage == Stage::CLOSED && !AfterSales(s, in)) {
    return Reject(RejectionReason::ORDER_TERMINAL, Name(in), ": order ", in.order_id(),
                  " is CLOSED; it accepts only customer_contacted, feedback_received and "
                  "CUSTOMER_COMPLAINT issues");
  }
  return std::nullopt;
}

Check CheckHold(const OrderState& s, const InboundEvent& in) {
  if (!s.on_hold) return std::nullopt;
  switch (in.payload_case()) {
    case InboundEvent::kOrderConfirmed:
    case InboundEvent::kProductionStarted:
    case InboundEvent::kShipmentDispatched:
      return Reject(RejectionReason::ORDER_ON_HOLD, Name(in), ": order ", in.order_id(),
                    " is on hold; it needs order_released first");
    default: return std::nullopt;
  }
}

// ---- steps 8–10 per payload: stage, then references, then quantities ----------------------

Check OrderAmended(const OrderState& s, const InboundEvent& in, const DecideOptions& o) {
  // Once goods have left, the order is what was shipped; amend by a new order instead.
  if (auto r = RequireStage(s, in, Stage::PLACED, Stage::READY_TO_SHIP,
                            "PLACED to READY_TO_SHIP (nothing shipped)")) {
    return r;
  }
  size_t added = 0;
  for (const auto& change : in.order_amended().line_changes()) {
    added += s.lines.contains(change.line_id()) ? 0 : 1;
  }
  if (s.lines.size() + added > o.max_lines) {
    return Reject(RejectionReason::INVALID_EVENT, "order_amended would give order ", in.order_id(),
                  " ", s.lines.size() + added, " lines, more than max_lines ", o.max_lines);
  }
  return std::nullopt;
}

// Held and released toggle a flag; a toggle to where it already is signals a lost or
// reordered message upstream, which the sender should hear about rather than a silent no-op.
Check HoldToggle(const OrderState& s, const InboundEvent& in, bool hold) {
  if (s.on_hold != hold) return std::nullopt;
  return Reject(RejectionReason::INVALID_TRANSITION, Name(in), ": order ", in.order_id(),
                hold ? " is already on hold" : " is not on hold");
}

Check OrderCancelled(const OrderState& s, const InboundEvent& in) {
  return RequireStage(s, in, Stage::PLACED, Stage::READY_TO_SHIP,
                      "PLACED to READY_TO_SHIP (nothing shipped)");
}

// An open issue blocks closing: the order's state is right, one of its references is not.
Check OrderClosed(const OrderState& s, const InboundEvent& in) {
  if (auto r = RequireStage(s, in, Stage::DELIVERED, Stage::DELIVERED, "DELIVERED")) return r;
  std::string_view open = s.AnyOpenIssue();
  if (open.empty()) return std::nullopt;
  return Reject(RejectionReason::REFERENCE_STATE, "order_closed needs every issue resolved; issue ",
                open, " of order ", in.order_id(), " is open");
}

// FINAL inspects finished goods, so it needs production done; it is also accepted while
// shipping, for the lots not yet dispatched. INCOMING and INLINE need a confirmed order.
Check InspectionRecorded(const OrderState& s, const InboundEvent& in, const DecideOptions& o) {
  const auto& p = in.inspection_recorded();
  Check r = p.stage() == v1::InspectionStage::FINAL
                ? RequireStage(s, in, Stage::PRODUCED, Stage::SHIPPING,
                               "PRODUCED, READY_TO_SHIP or SHIPPING for a FINAL inspection")
                : RequireStage(s, in, Stage::CONFIRMED, Stage::DELIVERED,
                               "CONFIRMED or later for an INCOMING or INLINE inspection");
  if (r) return r;
  return NewReference(s.inspections, in, "inspection", p.inspection_id(), o);
}

Check ShipmentDispatched(const OrderState& s, const InboundEvent& in, const DecideOptions& o) {
  const auto& p = in.shipment_dispatched();
  if (auto r =
          RequireStage(s, in, Stage::READY_TO_SHIP, Stage::SHIPPING, "READY_TO_SHIP or SHIPPING")) {
    return r;
  }
  if (auto r = NewReference(s.shipments, in, "shipment", p.shipment_id(), o)) return r;
  for (const auto& line : p.lines()) {
    if (!s.lines.contains(line.line_id())) return Unknown(in, "line", line.line_id());
  }
  for (const auto& line : p.lines()) {
    const LineState& l = s.lines.find(line.line_id())->second;
    if (line.quantity() > l.ordered - l.shipped) {
      return Reject(RejectionReason::QUANTITY_EXCEEDED, "shipment ", p.shipment_id(), " ships ",
                    line.quantity(), " of line ", line.line_id(), " of order ", in.order_id(),
                    "; ordered ", l.ordered, ", already shipped ", l.shipped);
    }
  }
  return std::nullopt;
}

Check ShipmentDelivered(const OrderState& s, const InboundEvent& in) {
  const auto& p = in.shipment_delivered();
  auto it = s.shipments.find(p.shipment_id());
  if (it == s.shipments.end()) return Unknown(in, "shipment", p.shipment_id());
  if (it->second.delivered) {
    return Reject(RejectionReason::REFERENCE_STATE, "shipment ", p.shipment_id(), " of order ",
                  in.order_id(), " is already delivered");
  }
  if (int64_t units = it->second.quantity(); p.damaged_quantity() > units) {
    return Reject(RejectionReason::QUANTITY_EXCEEDED, "shipment ", p.shipment_id(), " of order ",
                  in.order_id(), " carried ", units, " units; damaged_quantity is ",
                  p.damaged_quantity());
  }
  return std::nullopt;
}

// Resolve needs an open issue, reopen a resolved one.
Check IssueTransition(const OrderState& s, const InboundEvent& in, const std::string& issue_id,
                      IssueStatus needed) {
  auto it = s.issues.find(issue_id);
  if (it == s.issues.end()) return Unknown(in, "issue", issue_id);
  if (it->second.status == needed) return std::nullopt;
  return Reject(RejectionReason::REFERENCE_STATE, Name(in), ": issue ", issue_id, " of order ",
                in.order_id(), needed == IssueStatus::kOpen ? " is not open" : " is not resolved");
}

// requested -> acknowledged -> completed; completing straight from requested is allowed.
Check HandoffTransition(const OrderState& s, const InboundEvent& in, const std::string& handoff_id,
                        bool completing) {
  auto it = s.handoffs.find(handoff_id);
  if (it == s.handoffs.end()) return Unknown(in, "handoff", handoff_id);
  HandoffStatus now = it->second;
  bool ok = completing ? now != HandoffStatus::kCompleted : now == HandoffStatus::kRequested;
  if (ok) return std::nullopt;
  return Reject(RejectionReason::REFERENCE_STATE, Name(in), ": handoff ", handoff_id, " of order ",
                in.order_id(), " is already ",
                now == HandoffStatus::kCompleted ? "completed" : "acknowledged");
}

Check CheckPayloadRules(const OrderState& s, const InboundEvent& in, const DecideOptions& o) {
  switch (in.payload_case()) {
    case InboundEvent::kOrderConfirmed:
      return RequireStage(s, in, Stage::PLACED, Stage::PLACED, "PLACED");
    case InboundEvent::kOrderAmended: return OrderAmended(s, in, o);
    case InboundEvent::kOrderHeld: return HoldToggle(s, in, true);
    case InboundEvent::kOrderReleased: return HoldToggle(s, in, false);
    case InboundEvent::kOrderCancelled: return OrderCancelled(s, in);
    case InboundEvent::kOrderClosed: return OrderClosed(s, in);
    case InboundEvent::kDocumentIssued:
      return NewReference(s.documents, in, "document", in.document_issued().document_id(), o);
    case InboundEvent::kDocumentCorrected: {
      const std::string& id = in.document_corrected().document_id();
      return s.documents.contains(id) ? std::nullopt : Unknown(in, "document", id);
    }
    case InboundEvent::kProductionStarted:
      return RequireStage(s, in, Stage::CONFIRMED, Stage::CONFIRMED, "CONFIRMED");
    case InboundEvent::kProductionCompleted:
      return RequireStage(s, in, Stage::IN_PRODUCTION, Stage::IN_PRODUCTION, "IN_PRODUCTION");
    case InboundEvent::kInspectionRecorded: return InspectionRecorded(s, in, o);
    case InboundEvent::kShipmentDispatched: return ShipmentDispatched(s, in, o);
    case InboundEvent::kShipmentDelivered: return ShipmentDelivered(s, in);
    case InboundEvent::kIssueRaised:
      return NewReference(s.issues, in, "issue", in.issue_raised().issue_id(), o);
    case InboundEvent::kIssueResolved:
      return IssueTransition(s, in, in.issue_resolved().issue_id(), IssueStatus::kOpen);
    case InboundEvent::kIssueReopened:
      return IssueTransition(s, in, in.issue_reopened().issue_id(), IssueStatus::kResolved);
    case InboundEvent::kHandoffRequested:
      return NewReference(s.handoffs, in, "handoff", in.handoff_requested().handoff_id(), o);
    case InboundEvent::kHandoffAcknowledged:
      return HandoffTransition(s, in, in.handoff_acknowledged().handoff_id(), false);
    case InboundEvent::kHandoffCompleted:
      return HandoffTransition(s, in, in.handoff_completed().handoff_id(), true);
    // order_placed (step 5 decided), milestones, materials, contacts, feedback: any stage
    // that got past step 6.
    default: return std::nullopt;
  }
}

Check CheckState(const OrderState& s, const InboundEvent& in, const DecideOptions& o) {
  if (in.has_expected_version() && in.expected_version() != s.version.value()) {
    return Reject(RejectionReason::VERSION_CONFLICT, Name(in), " expects order ", in.order_id(),
                  " at version ", in.expected_version(), "; it is at ", s.version.value());
  }
  if (auto r = CheckExistence(s, in)) return r;
  if (auto r = CheckTerminal(s, in)) return r;
  if (auto r = CheckHold(s, in)) return r;
  return CheckPayloadRules(s, in, o);
}

// Copies the payload member by member: the oneofs are identical (events.proto) but the
// envelopes are different types, and a serialize/parse round trip would cost more.
void CopyPayload(const InboundEvent& in, v1::OrderEvent& out) {
  switch (in.payload_case()) {
#define GENDAN_COPY(Case, field) \
  case InboundEvent::Case: *out.mutable_##field() = in.field(); break;
    GENDAN_COPY(kOrderPlaced, order_placed)
    GENDAN_COPY(kOrderConfirmed, order_confirmed)
    GENDAN_COPY(kOrderAmended, order_amended)
    GENDAN_COPY(kOrderHeld, order_held)
    GENDAN_COPY(kOrderReleased, order_released)
    GENDAN_COPY(kOrderCancelled, order_cancelled)
    GENDAN_COPY(kOrderClosed, order_closed)
    GENDAN_COPY(kDocumentIssued, document_issued)
    GENDAN_COPY(kDocumentCorrected, document_corrected)
    GENDAN_COPY(kMilestonePlanned, milestone_planned)
    GENDAN_COPY(kMaterialsInHouse, materials_in_house)
    GENDAN_COPY(kProductionStarted, production_started)
    GENDAN_COPY(kProductionCompleted, production_completed)
    GENDAN_COPY(kInspectionRecorded, inspection_recorded)
    GENDAN_COPY(kShipmentDispatched, shipment_dispatched)
    GENDAN_COPY(kShipmentDelivered, shipment_delivered)
    GENDAN_COPY(kCustomerContacted, customer_contacted)
    GENDAN_COPY(kFeedbackReceived, feedback_received)
    GENDAN_COPY(kIssueRaised, issue_raised)
    GENDAN_COPY(kIssueResolved, issue_resolved)
    GENDAN_COPY(kIssueReopened, issue_reopened)
    GENDAN_COPY(kHandoffRequested, handoff_requested)
    GENDAN_COPY(kHandoffAcknowledged, handoff_acknowledged)
    GENDAN_COPY(kHandoffCompleted, handoff_completed)
#undef GENDAN_COPY
    case InboundEvent::PAYLOAD_NOT_SET: break;
  }
}

v1::OrderEvent Record(const OrderState& s, const InboundEvent& in, const DecideOptions& o) {
  v1::OrderEvent e;
  e.set_event_id(in.event_id());
  e.set_order_id(in.order_id());
  *e.mutable_occurred_at() = in.occurred_at();
  e.set_source(in.source());
  e.set_actor(in.actor());
  if (in.has_expected_version()) e.set_expected_version(in.expected_version());
  CopyPayload(in, e);
  e.set_version(s.version.value() + 1);
  *e.mutable_recorded_at() = internal::ToTimestamp(o.now);
  return e;
}

}  // namespace

Verdict Judge(const OrderState& state, const InboundEvent& inbound, const DecideOptions& options) {
  if (auto r = internal::ValidateFields(inbound, options)) return *std::move(r);
  if (auto r = internal::CheckClock(inbound, options)) return *std::move(r);
  if (state.event_ids.contains(inbound.event_id())) return Duplicate{};
  if (auto r = CheckState(state, inbound, options)) return *std::move(r);
  return Accept{Version(state.version.value() + 1)};
}

Decision Decide(const OrderState& state, const InboundEvent& inbound,
                const DecideOptions& options) {
  Verdict verdict = Judge(state, inbound, options);
  if (auto* r = std::get_if<Rejected>(&verdict)) return std::move(*r);
  if (std::holds_alternative<Duplicate>(verdict)) return Duplicate{};
  return Accepted{Record(state, inbound, options)};
}

v1::OrderEvent BuildEvent(const OrderState& state, const InboundEvent& inbound,
                          const DecideOptions& options) {
  return Record(state, inbound, options);
}

bool RecordsAsBytes(const InboundEvent& inbound) {
  return inbound.GetReflection()->GetUnknownFields(inbound).empty();
}

// Written by hand as protobuf writes an OrderEvent holding only these two fields (proto3 leaves
// out zero scalars; a set message field is written even when empty): appended, they complete
// the inbound's bytes. Serializing a reused OrderEvent cost the engine ~50 ns per record;
// tests/engine/record_bytes_test.cc checks the bytes parse to Decide's event.
void AppendRecordFields(std::string* bytes, Version version,
                        std::chrono::system_clock::time_point recorded_at) {
  using google::protobuf::io::CodedOutputStream;
  const google::protobuf::Timestamp at = internal::ToTimestamp(recorded_at);
  uint8_t body[24];  // the Timestamp: at most 1 + 10 + 1 + 10 bytes
  uint8_t* end = body;
  if (at.seconds() != 0) {
    end = CodedOutputStream::WriteTagToArray(1 << 3, end);
    end = CodedOutputStream::WriteVarint64ToArray(static_cast<uint64_t>(at.seconds()), end);
  }
  if (at.nanos() != 0) {
    end = CodedOutputStream::WriteTagToArray(2 << 3, end);
    end = CodedOutputStream::WriteVarint64ToArray(static_cast<uint64_t>(int64_t{at.nanos()}), end);
  }
  uint8_t head[32];  // version (2 + 10 bytes), then recorded_at's tag and length (2 + 1)
  uint8_t* h = head;
  if (version.value() != 0) {
    h = CodedOutputStream::WriteTagToArray(100 << 3, h);
    h = CodedOutputStream::WriteVarint64ToArray(static_cast<uint64_t>(version.value()), h);
  }
  h = CodedOutputStream::WriteTagToArray((101 << 3) | 2, h);
  h = CodedOutputStream::WriteVarint64ToArray(static_cast<uint64_t>(end - body), h);
  bytes->append(reinterpret_cast<const char*>(head), static_cast<size_t>(h - head));
  bytes->append(reinterpret_cast<const char*>(body), static_cast<size_t>(end - body));
}

}  // namespace gendan
