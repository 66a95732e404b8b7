#include "projections/order_view.h"

#include <google/protobuf/util/time_util.h>

#include <algorithm>

#include "projections/risk.h"

namespace gendan {
namespace {

using google::protobuf::Timestamp;
using Json = nlohmann::json;

template <typename List, typename Id>
auto* Find(List* list, const Id& id, auto key) {
  auto it = std::find_if(list->begin(), list->end(), [&](const auto& x) { return key(x) == id; });
  return it == list->end() ? nullptr : &*it;
}

v1::LineStatus* Line(v1::OrderStatus& s, const std::string& id) {
  return Find(s.mutable_lines(), id, [](const v1::LineStatus& l) { return l.line_id(); });
}
v1::ShipmentStatus* Shipment(v1::OrderStatus& s, const std::string& id) {
  return Find(s.mutable_shipments(), id,
              [](const v1::ShipmentStatus& x) { return x.shipment_id(); });
}
v1::DocumentStatus* Document(v1::OrderStatus& s, const std::string& id) {
  return Find(s.mutable_documents(), id,
              [](const v1::DocumentStatus& x) { return x.document_id(); });
}
v1::IssueStatus* Issue(v1::OrderStatus& s, const std::string& id) {
  return Find(s.mutable_issues(), id, [](const v1::IssueStatus& x) { return x.issue_id(); });
}
v1::HandoffStatus* Handoff(v1::OrderStatus& s, const std::string& id) {
  return Find(s.mutable_handoffs(), id, [](const v1::HandoffStatus& x) { return x.handoff_id(); });
}

// The milestone row, created on first mention so planned and actual can arrive in any order.
v1::MilestoneStatus& Milestone(v1::OrderStatus& s, v1::Milestone::Value m) {
  if (auto* found = Find(s.mutable_milestones(), m,
                         [](const v1::MilestoneStatus& x) { return x.milestone(); })) {
    return *found;
  }
  v1::MilestoneStatus* row = s.add_milestones();
  row->set_milestone(m);
  return *row;
}

// Marks a milestone's fact as happened, once: the first occurrence is the actual date.
void MarkActual(v1::OrderStatus& s, v1::Milestone::Value m, const Timestamp& at) {
  v1::MilestoneStatus& row = Milestone(s, m);
  if (!row.has_actual_at()) *row.mutable_actual_at() = at;
}

bool FullyDelivered(const v1::OrderStatus& s) {
  if (s.lines_size() == 0) return false;
  return std::all_of(s.lines().begin(), s.lines().end(),
                     [](const v1::LineStatus& l) { return l.delivered() >= l.ordered(); });
}

void ApplyOrder(v1::OrderStatus& s, const v1::OrderEvent& e) {
  switch (e.payload_case()) {
    case v1::OrderEvent::kOrderPlaced: {
      const auto& p = e.order_placed();
      s.set_customer_id(p.customer_id());
      s.set_merchandiser_id(p.merchandiser_id());
      s.set_supplier_id(p.supplier_id());
      s.set_requested_date(p.requested_date());
      s.set_incoterm(p.incoterm());
      s.set_stage(v1::Stage::PLACED);
      *s.mutable_placed_at() = e.occurred_at();
      for (const auto& l : p.lines()) {
        v1::LineStatus* line = s.add_lines();
        line->set_line_id(l.line_id());
        line->set_sku(l.sku());
        line->set_ordered(l.quantity());
      }
      break;
    }
    case v1::OrderEvent::kOrderConfirmed:
      s.set_stage(v1::Stage::CONFIRMED);
      s.set_commit_date(e.order_confirmed().promised_date());
      break;
    case v1::OrderEvent::kOrderAmended: {
      const auto& a = e.order_amended();
      bool moves_commitment = a.reason() == v1::AmendmentReason::CUSTOMER_REQUEST ||
                              a.reason() == v1::AmendmentReason::ENTRY_ERROR;
      if (a.has_new_promised_date() && moves_commitment && !s.commit_date().empty()) {
        s.set_commit_date(a.new_promised_date());
      }
      for (const auto& c : a.line_changes()) {
        v1::LineStatus* line = Line(s, c.line_id());
        if (line == nullptr) {
          line = s.add_lines();
          line->set_line_id(c.line_id());
        }
        line->set_ordered(c.quantity());
      }
      break;
    }
    case v1::OrderEvent::kOrderHeld: s.set_on_hold(true); break;
    case v1::OrderEvent::kOrderReleased: s.set_on_hold(false); break;
    case v1::OrderEvent::kOrderCancelled: s.set_stage(v1::Stage::CANCELLED); break;
    case v1::OrderEvent::kOrderClosed: s.set_stage(v1::Stage::CLOSED); break;
    default: break;
  }
}

void ApplyProduction(v1::OrderStatus& s, const v1::OrderEvent& e) {
  switch (e.payload_case()) {
    case v1::OrderEvent::kMilestonePlanned:
      Milestone(s, e.milestone_planned().milestone())
          .set_planned_date(e.milestone_planned().planned_date());
      break;
    case v1::OrderEvent::kMaterialsInHouse:
      MarkActual(s, v1::Milestone::MATERIALS_IN_HOUSE, e.occurred_at());
      break;
    case v1::OrderEvent::kProductionStarted:
      s.set_stage(v1::Stage::IN_PRODUCTION);
      MarkActual(s, v1::Milestone::PRODUCTION_START, e.occurred_at());
      break;
    case v1::OrderEvent::kProductionCompleted:
      s.set_stage(v1::Stage::PRODUCED);
      MarkActual(s, v1::Milestone::PRODUCTION_END, e.occurred_at());
      break;
    case v1::OrderEvent::kInspectionRecorded: {
      const auto& i = e.inspection_recorded();
      if (i.stage() == v1::InspectionStage::FINAL && i.result() == v1::InspectionResult::PASSED) {
        if (s.stage() == v1::Stage::PRODUCED) s.set_stage(v1::Stage::READY_TO_SHIP);
        MarkActual(s, v1::Milestone::FINAL_INSPECTION, e.occurred_at());
      }
      break;
    }
    default: break;
  }
}

void ApplyLogistics(v1::OrderStatus& s, const v1::OrderEvent& e, UtcOffset offset) {
  if (e.has_shipment_dispatched()) {
    const auto& d = e.shipment_dispatched();
    v1::ShipmentStatus* sh = s.add_shipments();
    sh->set_shipment_id(d.shipment_id());
    sh->set_carrier(d.carrier());
    sh->set_tracking_number(d.tracking_number());
    sh->set_estimated_arrival_date(d.estimated_arrival_date());
    *sh->mutable_dispatched_at() = e.occurred_at();
    for (const auto& l : d.lines()) {
      auto* out = sh->add_lines();
      out->set_line_id(l.line_id());
      out->set_quantity(l.quantity());
      if (v1::LineStatus* line = Line(s, l.line_id()))
        line->set_shipped(line->shipped() + l.quantity());
    }
    s.set_stage(v1::Stage::SHIPPING);
    MarkActual(s, v1::Milestone::EX_FACTORY, e.occurred_at());
  } else if (e.has_shipment_delivered()) {
    v1::ShipmentStatus* sh = Shipment(s, e.shipment_delivered().shipment_id());
    if (sh == nullptr || sh->has_delivered_at()) return;
    *sh->mutable_delivered_at() = e.occurred_at();
    sh->set_damaged_quantity(e.shipment_delivered().damaged_quantity());
    for (const auto& l : sh->lines()) {
      if (v1::LineStatus* line = Line(s, l.line_id()))
        line->set_delivered(line->delivered() + l.quantity());
    }
    if (!s.has_completed_at() && FullyDelivered(s)) {
      s.set_stage(v1::Stage::DELIVERED);
      *s.mutable_completed_at() = e.occurred_at();
      MarkActual(s, v1::Milestone::DELIVERY, e.occurred_at());
      if (auto commit = ParseDate(s.commit_date())) {
        s.set_on_time(BusinessDate(e.occurred_at().seconds(), offset) <= *commit);
      }
    }
  }
}

void ApplyCollaboration(v1::OrderStatus& s, const v1::OrderEvent& e) {
  switch (e.payload_case()) {
    case v1::OrderEvent::kDocumentIssued: {
      v1::DocumentStatus* d = s.add_documents();
      d->set_document_id(e.document_issued().document_id());
      d->set_document_type(e.document_issued().document_type());
      *d->mutable_issued_at() = e.occurred_at();
      break;
    }
    case v1::OrderEvent::kDocumentCorrected:
      if (auto* d = Document(s, e.document_corrected().document_id()))
        d->set_corrections(d->corrections() + 1);
      break;
    case v1::OrderEvent::kIssueRaised: {
      const auto& r = e.issue_raised();
      v1::IssueStatus* i = s.add_issues();
      i->set_issue_id(r.issue_id());
      i->set_category(r.category());
      i->set_severity(r.severity());
      i->set_complaint_reason(r.complaint_reason());
      i->set_owner_department(r.owner_department());
      i->set_description(r.description());
      i->set_open(true);
      *i->mutable_raised_at() = e.occurred_at();
      break;
    }
    case v1::OrderEvent::kIssueResolved:
      if (auto* i = Issue(s, e.issue_resolved().issue_id())) {
        i->set_open(false);
        *i->mutable_resolved_at() = e.occurred_at();
      }
      break;
    case v1::OrderEvent::kIssueReopened:
      if (auto* i = Issue(s, e.issue_reopened().issue_id())) {
        i->set_open(true);
        i->clear_resolved_at();
        i->set_reopen_count(i->reopen_count() + 1);
      }
      break;
    case v1::OrderEvent::kHandoffRequested: {
      const auto& r = e.handoff_requested();
      v1::HandoffStatus* h = s.add_handoffs();
      h->set_handoff_id(r.handoff_id());
      h->set_from_department(r.from_department());
      h->set_to_department(r.to_department());
      h->set_subject(r.subject());
      if (r.has_due_at()) *h->mutable_due_at() = r.due_at();
      *h->mutable_requested_at() = e.occurred_at();
      break;
    }
    case v1::OrderEvent::kHandoffAcknowledged:
      if (auto* h = Handoff(s, e.handoff_acknowledged().handoff_id()))
        *h->mutable_acknowledged_at() = e.occurred_at();
      break;
    case v1::OrderEvent::kHandoffCompleted:
      if (auto* h = Handoff(s, e.handoff_completed().handoff_id()))
        *h->mutable_completed_at() = e.occurred_at();
      break;
    default: break;
  }
}

Json Instant(const Timestamp& t, bool present) {
  if (!present) return nullptr;
  return google::protobuf::util::TimeUtil::ToString(t);
}

Json OrNull(const std::string& s) { return s.empty() ? Json(nullptr) : Json(s); }

Json ShipmentsJson(const v1::OrderStatus& s) {
  Json out = Json::array();
  for (const auto& sh : s.shipments()) {
    Json lines = Json::array();
    for (const auto& l : sh.lines())
      lines.push_back({{"line_id", l.line_id()}, {"quantity", l.quantity()}});
    out.push_back({{"shipment_id", sh.shipment_id()},
                   {"carrier", sh.carrier()},
                   {"tracking_number", sh.tracking_number()},
                   {"estimated_arrival_date", OrNull(sh.estimated_arrival_date())},
                   {"lines", lines},
                   {"dispatched_at", Instant(sh.dispatched_at(), sh.has_dispatched_at())},
                   {"delivered_at", Instant(sh.delivered_at(), sh.has_delivered_at())},
                   {"damaged_quantity", sh.damaged_quantity()}});
  }
  return out;
}

Json IssuesJson(const v1::OrderStatus& s) {
  Json out = Json::array();
  for (const auto& i : s.issues()) {
    out.push_back(
        {{"issue_id", i.issue_id()},
         {"category", v1::IssueCategory::Value_Name(i.category())},
         {"severity", v1::IssueSeverity::Value_Name(i.severity())},
         {"complaint_reason", i.complaint_reason() == 0
                                  ? Json(nullptr)
                                  : Json(v1::ComplaintReason::Value_Name(i.complaint_reason()))},
         {"owner_department", v1::Department::Value_Name(i.owner_department())},
         {"description", i.description()},
         {"status", i.open() ? "OPEN" : "RESOLVED"},
         {"raised_at", Instant(i.raised_at(), i.has_raised_at())},
         {"resolved_at", Instant(i.resolved_at(), i.has_resolved_at())},
         {"reopen_count", i.reopen_count()}});
  }
  return out;
}

Json HandoffsJson(const v1::OrderStatus& s) {
  Json out = Json::array();
  for (const auto& h : s.handoffs()) {
    const char* state = h.has_completed_at()      ? "COMPLETED"
                        : h.has_acknowledged_at() ? "ACKNOWLEDGED"
                                                  : "REQUESTED";
    out.push_back({{"handoff_id", h.handoff_id()},
                   {"from_department", v1::Department::Value_Name(h.from_department())},
                   {"to_department", v1::Department::Value_Name(h.to_department())},
                   {"subject", h.subject()},
                   {"status", state},
                   {"due_at", Instant(h.due_at(), h.has_due_at())},
                   {"requested_at", Instant(h.requested_at(), h.has_requested_at())},
                   {"acknowledged_at", Instant(h.acknowledged_at(), h.has_acknowledged_at())},
                   {"completed_at", Instant(h.completed_at(), h.has_completed_at())}});
  }
  return out;
}

}  // namespace

void ApplyToStatus(v1::OrderStatus& status, const v1::OrderEvent& event, UtcOffset offset) {
  if (status.order_id().empty()) status.set_order_id(event.order_id());
  status.set_version(event.version());
  if (!status.has_last_event_at() ||
      google::protobuf::util::TimeUtil::TimestampToNanoseconds(event.occurred_at()) >
          google::protobuf::util::TimeUtil::TimestampToNanoseconds(status.last_event_at())) {
    *status.mutable_last_event_at() = event.occurred_at();
  }
  ApplyOrder(status, event);
  ApplyProduction(status, event);
  ApplyLogistics(status, event, offset);
  ApplyCollaboration(status, event);
}

Json StatusJson(const v1::OrderStatus& s) {
  Json lines = Json::array();
  for (const auto& l : s.lines()) {
    lines.push_back({{"line_id", l.line_id()},
                     {"sku", l.sku()},
                     {"ordered", l.ordered()},
                     {"shipped", l.shipped()},
                     {"delivered", l.delivered()}});
  }
  Json documents = Json::array();
  for (const auto& d : s.documents()) {
    documents.push_back({{"document_id", d.document_id()},
                         {"document_type", v1::DocumentType::Value_Name(d.document_type())},
                         {"issued_at", Instant(d.issued_at(), d.has_issued_at())},
                         {"corrections", d.corrections()}});
  }
  Json milestones = Json::array();
  for (const auto& m : s.milestones()) {
    milestones.push_back({{"milestone", v1::Milestone::Value_Name(m.milestone())},
                          {"planned", OrNull(m.planned_date())},
                          {"actual", Instant(m.actual_at(), m.has_actual_at())}});
  }
  return {{"order_id", s.order_id()},
          {"customer_id", s.customer_id()},
          {"merchandiser_id", s.merchandiser_id()},
          {"supplier_id", s.supplier_id()},
          {"stage", v1::Stage::Value_Name(s.stage())},
          {"on_hold", s.on_hold()},
          {"version", s.version()},
          {"commit_date", OrNull(s.commit_date())},
          {"requested_date", OrNull(s.requested_date())},
          {"incoterm", s.incoterm()},
          {"lines", lines},
          {"shipments", ShipmentsJson(s)},
          {"documents", documents},
          {"milestones", milestones},
          {"issues", IssuesJson(s)},
          {"handoffs", HandoffsJson(s)},
          {"alerts", Json::array()},
          {"placed_at", Instant(s.placed_at(), s.has_placed_at())},
          {"completed_at", Instant(s.completed_at(), s.has_completed_at())},
          {"on_time", s.has_on_time() ? Json(s.on_time()) : Json(nullptr)},
          {"last_event_at", Instant(s.last_event_at(), s.has_last_event_at())}};
}

std::vector<std::pair<std::string, std::string>> IndexTerms(const v1::OrderStatus& s) {
  std::vector<std::pair<std::string, std::string>> terms;
  if (s.stage() != v1::Stage::STAGE_UNSPECIFIED)
    terms.emplace_back("stage", v1::Stage::Value_Name(s.stage()));
  if (!s.customer_id().empty()) terms.emplace_back("customer", s.customer_id());
  if (!s.merchandiser_id().empty()) terms.emplace_back("merchandiser", s.merchandiser_id());
  if (!s.supplier_id().empty()) terms.emplace_back("supplier", s.supplier_id());
  // Open commitments by commit date: the at_risk filter reads those due up to today + buffer.
  if (!s.commit_date().empty() && !s.has_completed_at() && s.stage() != v1::Stage::CANCELLED &&
      s.stage() != v1::Stage::CLOSED) {
    terms.emplace_back("due", s.commit_date());
  }
  return terms;
}

bool AtRisk(const v1::OrderStatus& s, Date today, int buffer_days) {
  return DeliveryRisk(s, today, buffer_days).has_value();
}

}  // namespace gendan
