#include "engine/describe.h"

#include <google/protobuf/descriptor.h>

#include "engine/reject.h"

namespace gendan {
namespace {

using internal::AppendPiece;

template <typename... Pieces>
void Append(std::string& out, const Pieces&... pieces) {
  (AppendPiece(out, pieces), ...);
}

// The oneof case of a payload is its field number, so the descriptor knows its name.
std::string_view FieldName(const google::protobuf::Descriptor* d, int number) {
  const google::protobuf::FieldDescriptor* f = d->FindFieldByNumber(number);
  return f == nullptr ? std::string_view("no_payload") : std::string_view(f->name());
}

// Value_Name gives "" for a number the enum does not know.
std::string_view Known(const std::string& name) {
  if (name.empty()) return "?";
  return name;
}

// The arguments that tell one event of a kind from another: its ids and key numbers.
// InboundEvent and OrderEvent share their payload accessors, hence the template.
template <typename Event>
void AppendArgs(std::string& out, const Event& e) {
  using E = Event;
  switch (e.payload_case()) {
    case E::kOrderPlaced:
      Append(out, e.order_id(), " lines=", e.order_placed().lines_size());
      break;
    case E::kOrderConfirmed: Append(out, e.order_confirmed().promised_date()); break;
    case E::kOrderAmended: {
      const auto& a = e.order_amended();
      Append(out, Known(v1::AmendmentReason::Value_Name(a.reason())));
      for (const auto& c : a.line_changes()) Append(out, " ", c.line_id(), "=", c.quantity());
      if (a.has_new_promised_date()) Append(out, " promised=", a.new_promised_date());
      break;
    }
    case E::kOrderCancelled:
      Append(out, Known(v1::CancelledBy::Value_Name(e.order_cancelled().cancelled_by())));
      break;
    case E::kDocumentIssued:
      Append(out, e.document_issued().document_id(), " ",
             Known(v1::DocumentType::Value_Name(e.document_issued().document_type())));
      break;
    case E::kDocumentCorrected: Append(out, e.document_corrected().document_id()); break;
    case E::kMilestonePlanned:
      Append(out, Known(v1::Milestone::Value_Name(e.milestone_planned().milestone())), " ",
             e.milestone_planned().planned_date());
      break;
    case E::kProductionCompleted: Append(out, e.production_completed().produced_quantity()); break;
    case E::kInspectionRecorded: {
      const auto& i = e.inspection_recorded();
      Append(out, i.inspection_id(), " ", Known(v1::InspectionStage::Value_Name(i.stage())), " ",
             Known(v1::InspectionResult::Value_Name(i.result())), " ", i.defective_quantity(), "/",
             i.inspected_quantity());
      break;
    }
    case E::kShipmentDispatched: {
      const auto& s = e.shipment_dispatched();
      Append(out, s.shipment_id());
      for (const auto& l : s.lines()) Append(out, " ", l.line_id(), "=", l.quantity());
      break;
    }
    case E::kShipmentDelivered:
      Append(out, e.shipment_delivered().shipment_id());
      if (e.shipment_delivered().damaged_quantity() != 0) {
        Append(out, " damaged=", e.shipment_delivered().damaged_quantity());
      }
      break;
    case E::kCustomerContacted:
      Append(out, Known(v1::ContactChannel::Value_Name(e.customer_contacted().channel())), " ",
             Known(v1::ContactPurpose::Value_Name(e.customer_contacted().purpose())));
      break;
    case E::kFeedbackReceived: Append(out, e.feedback_received().rating()); break;
    case E::kIssueRaised:
      Append(out, e.issue_raised().issue_id(), " ",
             Known(v1::IssueCategory::Value_Name(e.issue_raised().category())));
      break;
    case E::kIssueResolved: Append(out, e.issue_resolved().issue_id()); break;
    case E::kIssueReopened: Append(out, e.issue_reopened().issue_id()); break;
    case E::kHandoffRequested: Append(out, e.handoff_requested().handoff_id()); break;
    case E::kHandoffAcknowledged: Append(out, e.handoff_acknowledged().handoff_id()); break;
    case E::kHandoffCompleted: Append(out, e.handoff_completed().handoff_id()); break;
    default: break;  // no arguments worth showing
  }
}

template <typename Event>
std::string DescribeEvent(const Event& e) {
  std::string out(PayloadName(e.payload_case()));
  std::string args;
  AppendArgs(args, e);
  if (!args.empty()) Append(out, "(", args, ")");
  if (e.has_expected_version()) Append(out, "?v", e.expected_version());
  return out;
}

template <typename Event>
std::string DescribeAll(std::span<const Event> events) {
  std::string out;
  for (const Event& e : events) {
    if (!out.empty()) out += " -> ";
    out += Describe(e);
  }
  return out;
}

std::string_view HandoffStatusName(HandoffStatus s) {
  switch (s) {
    case HandoffStatus::kRequested: return "requested";
    case HandoffStatus::kAcknowledged: return "acknowledged";
    case HandoffStatus::kCompleted: return "completed";
  }
  return "?";
}

}  // namespace

std::string_view PayloadName(v1::InboundEvent::PayloadCase payload) {
  return FieldName(v1::InboundEvent::descriptor(), payload);
}

std::string_view PayloadName(v1::OrderEvent::PayloadCase payload) {
  return FieldName(v1::OrderEvent::descriptor(), payload);
}

std::string_view StageName(v1::Stage::Value stage) { return Known(v1::Stage::Value_Name(stage)); }

std::string_view ReasonName(v1::RejectionReason::Value reason) {
  return Known(v1::RejectionReason::Value_Name(reason));
}

std::string Describe(const v1::InboundEvent& event) { return DescribeEvent(event); }

std::string Describe(const v1::OrderEvent& event) {
  std::string out = DescribeEvent(event);
  Append(out, "@v", event.version());
  return out;
}

std::string Describe(std::span<const v1::InboundEvent> events) { return DescribeAll(events); }
std::string Describe(std::span<const v1::OrderEvent> events) { return DescribeAll(events); }

std::string Describe(const Decision& decision) {
  if (const auto* a = std::get_if<Accepted>(&decision)) return "accepted " + Describe(a->event);
  if (const auto* r = std::get_if<Rejected>(&decision)) {
    std::string out = "rejected ";
    Append(out, ReasonName(r->reason), ": ", r->message);
    return out;
  }
  return "duplicate";
}

std::string Describe(const OrderState& s) {
  std::string out;
  Append(out, "v", s.version.value(), " ", StageName(s.stage), s.on_hold ? " held" : "");
  out += " lines[";
  for (const auto& [id, l] : s.lines) {
    Append(out, out.back() == '[' ? "" : " ", id, " ", l.ordered, "/", l.shipped, "/", l.delivered);
  }
  out += "] shipments[";
  for (const auto& [id, sh] : s.shipments) {
    Append(out, out.back() == '[' ? "" : " ", id, sh.delivered ? ":delivered" : "");
  }
  out += "] issues[";
  for (const auto& [id, is] : s.issues) {
    Append(out, out.back() == '[' ? "" : " ", id,
           is.status == IssueStatus::kOpen ? ":open" : ":resolved");
  }
  out += "] handoffs[";
  for (const auto& [id, h] : s.handoffs) {
    Append(out, out.back() == '[' ? "" : " ", id, ":", HandoffStatusName(h));
  }
  Append(out, "] documents=", s.documents.size(), " events=", s.event_ids.size());
  return out;
}

}  // namespace gendan
