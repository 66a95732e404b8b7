// Evolve: folds one accepted event into the order's state (declared in engine/decide.h).
//
// It trusts that Decide accepted the event, so it does not re-check rules; but it is also how
// state is rebuilt from gendan.events, so a lookup that fails (an event recorded under older
// rules) is skipped rather than trusted.
#include "engine/decide.h"

namespace gendan {
namespace {

using v1::OrderEvent;
using v1::Stage;

void Placed(OrderState& s, const v1::OrderPlaced& p) {
  s.stage = Stage::PLACED;
  s.customer_id = p.customer_id();
  s.merchandiser_id = p.merchandiser_id();
  s.supplier_id = p.supplier_id();
  for (const auto& line : p.lines()) s.lines[line.line_id()].ordered = line.quantity();
}

// The commitment moves only when the customer asked for it or it was entered wrong, and only
// once there is one (DOMAIN.md §5); other re-plans leave the promise as it was.
void Amended(OrderState& s, const v1::OrderAmended& p) {
  for (const auto& change : p.line_changes()) s.lines[change.line_id()].ordered = change.quantity();
  bool moves_commitment = p.reason() == v1::AmendmentReason::CUSTOMER_REQUEST ||
                          p.reason() == v1::AmendmentReason::ENTRY_ERROR;
  if (p.has_new_promised_date() && moves_commitment && !s.commit_date.empty()) {
    s.commit_date = p.new_promised_date();
  }
}

void Dispatched(OrderState& s, const v1::ShipmentDispatched& p) {
  ShipmentState& shipment = s.shipments[p.shipment_id()];
  shipment.lines.reserve(p.lines_size());
  for (const auto& line : p.lines()) {
    shipment.lines.emplace_back(line.line_id(), line.quantity());
    if (auto it = s.lines.find(line.line_id()); it != s.lines.end()) {
      it->second.shipped += line.quantity();
    }
  }
  s.stage = Stage::SHIPPING;
}

// The delivery that makes every line whole is the order's completion.
void Delivered(OrderState& s, const v1::ShipmentDelivered& p) {
  auto shipment = s.shipments.find(p.shipment_id());
  if (shipment == s.shipments.end()) return;
  shipment->second.delivered = true;
  for (const auto& [line_id, quantity] : shipment->second.lines) {
    if (auto it = s.lines.find(line_id); it != s.lines.end()) it->second.delivered += quantity;
  }
  if (s.FullyDelivered()) s.stage = Stage::DELIVERED;
}

void SetIssue(OrderState& s, const std::string& issue_id, IssueStatus status) {
  if (auto it = s.issues.find(issue_id); it != s.issues.end()) it->second.status = status;
}

void SetHandoff(OrderState& s, const std::string& handoff_id, HandoffStatus status) {
  if (auto it = s.handoffs.find(handoff_id); it != s.handoffs.end()) it->second = status;
}

// For OrderEvent and InboundEvent alike: their payload oneofs are the same (events.proto).
template <typename Event>
void ApplyPayload(OrderState& s, const Event& e) {
  switch (e.payload_case()) {
    case Event::kOrderPlaced: Placed(s, e.order_placed()); break;
    case Event::kOrderConfirmed:
      s.stage = Stage::CONFIRMED;
      s.commit_date = e.order_confirmed().promised_date();
      break;
    case Event::kOrderAmended: Amended(s, e.order_amended()); break;
    case Event::kOrderHeld: s.on_hold = true; break;
    case Event::kOrderReleased: s.on_hold = false; break;
    case Event::kOrderCancelled: s.stage = Stage::CANCELLED; break;
    case Event::kOrderClosed: s.stage = Stage::CLOSED; break;
    case Event::kDocumentIssued: s.documents.insert(e.document_issued().document_id()); break;
    case Event::kProductionStarted: s.stage = Stage::IN_PRODUCTION; break;
    case Event::kProductionCompleted: s.stage = Stage::PRODUCED; break;
    case Event::kInspectionRecorded: {
      const auto& p = e.inspection_recorded();
      s.inspections.insert(p.inspection_id());
      if (p.stage() == v1::InspectionStage::FINAL && p.result() == v1::InspectionResult::PASSED &&
          s.stage == Stage::PRODUCED) {
        s.stage = Stage::READY_TO_SHIP;
      }
      break;
    }
    case Event::kShipmentDispatched: Dispatched(s, e.shipment_dispatched()); break;
    case Event::kShipmentDelivered: Delivered(s, e.shipment_delivered()); break;
    case Event::kIssueRaised:
      s.issues[e.issue_raised().issue_id()] = {e.issue_raised().category(), IssueStatus::kOpen};
      break;
    case Event::kIssueResolved:
      SetIssue(s, e.issue_resolved().issue_id(), IssueStatus::kResolved);
      break;
    case Event::kIssueReopened:
      SetIssue(s, e.issue_reopened().issue_id(), IssueStatus::kOpen);
      break;
    case Event::kHandoffRequested:
      s.handoffs[e.handoff_requested().handoff_id()] = HandoffStatus::kRequested;
      break;
    case Event::kHandoffAcknowledged:
      SetHandoff(s, e.handoff_acknowledged().handoff_id(), HandoffStatus::kAcknowledged);
      break;
    case Event::kHandoffCompleted:
      SetHandoff(s, e.handoff_completed().handoff_id(), HandoffStatus::kCompleted);
      break;
    // Facts no rule reads back: corrections, plans, materials, contacts, feedback.
    default: break;
  }
}

}  // namespace

void Evolve(OrderState& state, const OrderEvent& event) {
  ApplyPayload(state, event);
  state.event_ids.insert(event.event_id());
  state.version = Version(event.version());
}

void EvolveInbound(OrderState& state, const v1::InboundEvent& inbound, Version version) {
  ApplyPayload(state, inbound);
  state.event_ids.insert(inbound.event_id());
  state.version = version;
}

}  // namespace gendan
