// Deliberately invalid facts: for the order as the model has it right now, a fact that breaks
// exactly one rule of DOMAIN.md §4, and the reason code the engine gives for it (the first
// failing check in engine/decide.h's order). They never change the model.
#include <vector>

#include "simulator/order_model.h"

namespace gendan::sim::internal {
namespace {

using v1::InboundEvent;
using v1::RejectionReason;
using v1::Stage;

enum class Kind {
  kBadRating,
  kTooManyDefects,
  kStaleVersion,
  kGhostOrder,
  kPlacedTwice,
  kTerminal,
  kWrongStage,
  kOnHold,
  kUnknownIssue,
  kResolvedTwice,
  kDocumentTwice,
  kOvership,
};

// Kinds that break a rule for the order as it stands (every kind's guard mirrors the engine's
// earlier checks, so that the named rule is the first to fail).
std::vector<Kind> Applicable(const Order& o) {
  std::vector<Kind> k = {Kind::kBadRating, Kind::kTooManyDefects, Kind::kStaleVersion,
                         Kind::kGhostOrder, Kind::kPlacedTwice};
  if (o.Terminal()) k.push_back(Kind::kTerminal);
  if (o.Open() && o.stage != Stage::IN_PRODUCTION) k.push_back(Kind::kWrongStage);
  if (o.Open() && o.held) k.push_back(Kind::kOnHold);
  if (o.stage != Stage::CANCELLED) k.push_back(Kind::kUnknownIssue);
  for (const Issue& i : o.issues) {
    bool after_sales = i.category == v1::IssueCategory::CUSTOMER_COMPLAINT;
    if (!i.open && (o.Open() || (o.stage == Stage::CLOSED && after_sales))) {
      k.push_back(Kind::kResolvedTwice);
      break;
    }
  }
  if (o.Open() && !o.documents.empty()) k.push_back(Kind::kDocumentTwice);
  if (!o.held && (o.stage == Stage::READY_TO_SHIP || o.stage == Stage::SHIPPING))
    k.push_back(Kind::kOvership);
  return k;
}

}  // namespace

RejectionReason::Value MakeInvalid(const World& w, Order& o, int64_t at, InboundEvent* out) {
  std::vector<Kind> kinds = Applicable(o);
  // The first five apply to every order; half the time pick among the ones its state allows,
  // so that the rarer states (held, shipping, closed) get their share.
  constexpr int64_t kAlways = 5;
  bool stateful = std::ssize(kinds) > kAlways && o.rng.Chance(0.5);
  Kind kind =
      kinds[static_cast<size_t>(o.rng.Between(stateful ? kAlways : 0, std::ssize(kinds) - 1))];
  Envelope(w, o, at, "bad", out);
  out->set_event_id(out->event_id() + "x");  // never the id of a valid fact
  switch (kind) {
    case Kind::kBadRating:
      out->mutable_feedback_received()->set_rating(o.rng.Chance(0.5) ? 0 : 6);
      return RejectionReason::INVALID_EVENT;
    case Kind::kTooManyDefects: {
      auto* p = out->mutable_inspection_recorded();
      p->set_inspection_id("QX");
      p->set_stage(v1::InspectionStage::FINAL);
      p->set_result(v1::InspectionResult::FAILED);
      p->set_inspected_quantity(10);
      p->set_defective_quantity(11);
      return RejectionReason::INVALID_EVENT;
    }
    case Kind::kStaleVersion: {
      out->set_expected_version(o.version + o.rng.Between(1, 3));
      auto* p = out->mutable_customer_contacted();
      p->set_channel(v1::ContactChannel::EMAIL);
      p->set_purpose(v1::ContactPurpose::STATUS_UPDATE);
      return RejectionReason::VERSION_CONFLICT;
    }
    case Kind::kGhostOrder:
      out->set_order_id("GHOST-" + o.id);
      out->mutable_order_confirmed()->set_promised_date("2030-01-01");
      return RejectionReason::UNKNOWN_ORDER;
    case Kind::kPlacedTwice: {
      auto* p = out->mutable_order_placed();
      p->set_customer_id(PartyId("C", o.customer));
      p->set_merchandiser_id(PartyId("M", o.merchandiser));
      p->set_supplier_id(PartyId("F", o.supplier));
      p->set_requested_date(Calendar::Date(o.requested_day));
      auto* line = p->add_lines();
      line->set_line_id("L1");
      line->set_quantity(1);
      return RejectionReason::DUPLICATE_ORDER;
    }
    case Kind::kTerminal: out->mutable_materials_in_house(); return RejectionReason::ORDER_TERMINAL;
    case Kind::kWrongStage:
      out->mutable_production_completed()->set_produced_quantity(1);
      return RejectionReason::INVALID_TRANSITION;
    case Kind::kOnHold: out->mutable_production_started(); return RejectionReason::ORDER_ON_HOLD;
    case Kind::kUnknownIssue:
      out->mutable_issue_resolved()->set_issue_id("I-UNKNOWN");
      return RejectionReason::UNKNOWN_REFERENCE;
    case Kind::kResolvedTwice: {
      for (size_t i = 0; i < o.issues.size(); ++i) {
        const Issue& issue = o.issues[i];
        bool after_sales = issue.category == v1::IssueCategory::CUSTOMER_COMPLAINT;
        if (!issue.open && (o.Open() || after_sales)) {
          out->mutable_issue_resolved()->set_issue_id("I" + std::to_string(i + 1));
          break;
        }
      }
      return RejectionReason::REFERENCE_STATE;
    }
    case Kind::kDocumentTwice: {
      auto* p = out->mutable_document_issued();
      p->set_document_id("D1");
      p->set_document_type(o.documents[0]);
      return RejectionReason::DUPLICATE_REFERENCE;
    }
    case Kind::kOvership: {
      auto* p = out->mutable_shipment_dispatched();
      p->set_shipment_id("S-OVER");
      p->set_estimated_arrival_date(Calendar::Date(w.calendar.Day(at) + 10));
      auto* line = p->add_lines();
      line->set_line_id("L1");
      line->set_quantity(o.ordered[0] - o.shipped[0] + 1);
      return RejectionReason::QUANTITY_EXCEEDED;
    }
  }
  return RejectionReason::REJECTION_REASON_UNSPECIFIED;
}

}  // namespace gendan::sim::internal
