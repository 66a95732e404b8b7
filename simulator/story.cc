// One order's story: what happens after what, and when. Each action checks the order model
// (order_model.h) before it emits, so every emitted fact is valid where the engine reads it.
#include <algorithm>
#include <cmath>

#include "simulator/order_model.h"

namespace gendan::sim::internal {
namespace {

using v1::InboundEvent;
using v1::Stage;
using M = v1::Milestone;

constexpr int64_t kHour = 3600;

std::string Id(char kind, size_t index) { return kind + std::to_string(index + 1); }

// A moment on the business day `days` business days after t's day, in working hours, and
// never before t (so that an order's facts keep their order in time).
int64_t DaysLater(const World& w, Order& o, int64_t t, int days) {
  const Calendar& c = w.calendar;
  int64_t day = Calendar::AddBusinessDays(c.Day(t), std::max(days, 0));
  int64_t at =
      c.At(day, static_cast<int>(o.rng.Between(Calendar::kOpenMinute, Calendar::kCloseMinute - 1)));
  return std::max(at, t + 60);
}

int64_t OnDay(const World& w, Order& o, int64_t day, int64_t not_before) {
  day = Calendar::NextBusinessDay(day);
  int64_t at = w.calendar.At(
      day, static_cast<int>(o.rng.Between(Calendar::kOpenMinute, Calendar::kCloseMinute - 1)));
  return std::max(at, not_before + 60);
}

int64_t HoursLater(const World& w, int64_t t, double hours) {
  return std::max(w.calendar.AddWorkHours(t, hours), t + 60);
}

// The department that owns an issue of each category.
v1::Department::Value OwnerOf(v1::IssueCategory::Value c) {
  switch (c) {
    case v1::IssueCategory::MATERIAL_SHORTAGE: return v1::Department::PROCUREMENT;
    case v1::IssueCategory::PRODUCTION_INTERRUPTION: return v1::Department::PRODUCTION;
    case v1::IssueCategory::QUALITY: return v1::Department::QUALITY;
    case v1::IssueCategory::LOGISTICS_DELAY: return v1::Department::LOGISTICS;
    case v1::IssueCategory::CUSTOMER_COMPLAINT: return v1::Department::AFTER_SALES;
    default: return v1::Department::MERCHANDISING;
  }
}

// Wall-clock hours to resolve: most issues well inside their SLA (DOMAIN.md §5), some beyond.
double ResolutionHours(Order& o, v1::IssueSeverity::Value s) {
  double sla = s == v1::IssueSeverity::CRITICAL ? 24 : s == v1::IssueSeverity::MAJOR ? 72 : 168;
  return std::clamp(o.rng.Skewed(sla * 0.35), 0.25, sla * 4);
}

v1::IssueSeverity::Value DrawSeverity(Order& o) {
  double u = o.rng.Uniform();
  return u < 0.12   ? v1::IssueSeverity::CRITICAL
         : u < 0.45 ? v1::IssueSeverity::MAJOR
                    : v1::IssueSeverity::MINOR;
}

// ---- the main path -----------------------------------------------------------------------

// The time-and-action plan, backwards from the promised date: delivery, transit, final
// inspection, production, materials; squeezed when the lead time is short.
void MakePlan(const World& w, Order& o, int64_t now) {
  int64_t today = w.calendar.Day(now);
  int transit =
      static_cast<int>(o.rng.Between(0, 9) < 7 ? o.rng.Between(12, 24) : o.rng.Between(2, 5));
  o.plan[M::DELIVERY] = o.promise_day - o.rng.Between(0, 2);
  o.plan[M::EX_FACTORY] = o.plan[M::DELIVERY] - transit;
  o.plan[M::FINAL_INSPECTION] = o.plan[M::EX_FACTORY] - o.rng.Between(1, 3);
  o.plan[M::PRODUCTION_END] = o.plan[M::FINAL_INSPECTION] - 1;
  o.plan[M::PRODUCTION_START] = o.plan[M::PRODUCTION_END] - o.rng.Between(10, 25);
  o.plan[M::MATERIALS_IN_HOUSE] = o.plan[M::PRODUCTION_START] - o.rng.Between(2, 6);
  // Too little time: everything moves up behind the earliest feasible materials date.
  int64_t earliest = today + 3;
  if (o.plan[M::MATERIALS_IN_HOUSE] < earliest) {
    int64_t shift = earliest - o.plan[M::MATERIALS_IN_HOUSE];
    for (int m = M::MATERIALS_IN_HOUSE; m <= M::DELIVERY; ++m) o.plan[m] += shift;
  }
  for (int m = M::MATERIALS_IN_HOUSE; m <= M::DELIVERY; ++m) {
    o.Schedule(HoursLater(w, now, o.rng.Between(1, 16)), Act::kPlan, m);
  }
}

// Moves every milestone from `from` on by `days` and re-plans them (milestone_planned again);
// a long slip may also be agreed with the customer (a CUSTOMER_REQUEST amendment) or recorded
// as a supply constraint.
void Slip(const World& w, Order& o, int64_t now, M::Value from, int days) {
  for (int m = from; m <= M::DELIVERY; ++m) {
    o.plan[m] += days;
    o.Schedule(HoursLater(w, now, o.rng.Between(1, 8)), Act::kPlan, m);
  }
  if (days >= 5 && o.rng.Chance(0.5)) {
    auto reason = o.rng.Chance(0.5) ? v1::AmendmentReason::CUSTOMER_REQUEST
                                    : v1::AmendmentReason::SUPPLY_CONSTRAINT;
    o.Schedule(HoursLater(w, now, o.rng.Between(2, 24)), Act::kAmend, reason);
  }
}

void RaiseLater(const World& w, Order& o, int64_t at, v1::IssueCategory::Value c) {
  (void)w;
  o.Schedule(at, Act::kIssue, c);
}

void MaybeHandoff(const World& w, Order& o, int64_t now, v1::Department::Value to) {
  if (o.rng.Chance(w.options.rates.handoff)) {
    o.Schedule(HoursLater(w, now, o.rng.Between(1, 6)), Act::kHandoff, to);
  }
}

bool Confirm(const World& w, Order& o, int64_t now, InboundEvent* e) {
  // A commitment a little after what was asked for, now and then.
  o.promise_day = o.requested_day + (o.rng.Chance(0.3) ? o.rng.Between(1, 10) : 0);
  Envelope(w, o, now, "erp", e);
  e->mutable_order_confirmed()->set_promised_date(Calendar::Date(o.promise_day));
  o.stage = Stage::CONFIRMED;
  o.Schedule(HoursLater(w, now, 0.5), Act::kDocument, v1::DocumentType::ORDER_CONFIRMATION);
  if (o.rng.Chance(0.5))
    o.Schedule(HoursLater(w, now, 4), Act::kDocument, v1::DocumentType::PROFORMA_INVOICE);
  if (o.rng.Chance(0.3))
    o.Schedule(DaysLater(w, o, now, 2), Act::kDocument, v1::DocumentType::CONTRACT);
  MakePlan(w, o, now);
  MaybeHandoff(w, o, now, v1::Department::PROCUREMENT);
  const double q = w.supplier_quality[static_cast<size_t>(o.supplier)];
  int64_t materials = o.plan[M::MATERIALS_IN_HOUSE];
  if (o.rng.Chance(w.options.rates.slip * q)) {
    int days = static_cast<int>(o.rng.Between(2, 10));
    RaiseLater(w, o, OnDay(w, o, materials - 1, now), v1::IssueCategory::MATERIAL_SHORTAGE);
    materials += days;
    o.shortage = true;  // the plan moves once the materials are in
  }
  o.Schedule(OnDay(w, o, materials, now), Act::kMaterials);
  if (w.diligence[static_cast<size_t>(o.merchandiser)] > o.rng.Uniform()) {
    o.Schedule(DaysLater(w, o, now, static_cast<int>(o.rng.Between(4, 8))), Act::kContact,
               v1::ContactPurpose::STATUS_UPDATE);
  }
  return true;
}

bool Materials(const World& w, Order& o, int64_t now, InboundEvent* e) {
  Envelope(w, o, now, "wms", e);
  e->mutable_materials_in_house();
  if (o.shortage) {  // the shortage moved everything after it
    o.shortage = false;
    int64_t slip = w.calendar.Day(now) - o.plan[M::MATERIALS_IN_HOUSE];
    if (slip > 0) Slip(w, o, now, M::PRODUCTION_START, static_cast<int>(slip));
  }
  if (o.rng.Chance(0.7)) {
    o.Schedule(HoursLater(w, now, o.rng.Between(2, 12)), Act::kInspect,
               v1::InspectionStage::INCOMING);
  }
  int64_t start = std::max(o.plan[M::PRODUCTION_START], w.calendar.Day(now) + 1);
  o.Schedule(OnDay(w, o, start, now), Act::kStart);
  return true;
}

bool Start(const World& w, Order& o, int64_t now, InboundEvent* e) {
  Envelope(w, o, now, "mes", e);
  e->mutable_production_started();
  o.stage = Stage::IN_PRODUCTION;
  const double q = w.supplier_quality[static_cast<size_t>(o.supplier)];
  int64_t end = std::max(o.plan[M::PRODUCTION_END], w.calendar.Day(now) + 3);
  if (o.rng.Chance(w.options.rates.interruption * q)) {
    int days = static_cast<int>(o.rng.Between(1, 6));
    int64_t at = OnDay(w, o, w.calendar.Day(now) + (end - w.calendar.Day(now)) / 2, now);
    RaiseLater(w, o, at, v1::IssueCategory::PRODUCTION_INTERRUPTION);
    end += days;
    Slip(w, o, at, M::PRODUCTION_END, days);
  } else if (o.rng.Chance(w.options.rates.slip * q * 0.5)) {
    int days = static_cast<int>(o.rng.Between(1, 5));
    end += days;
    Slip(w, o, DaysLater(w, o, now, 2), M::PRODUCTION_END, days);
  }
  for (int n = static_cast<int>(o.rng.Between(0, 2)); n > 0; --n) {
    o.Schedule(OnDay(w, o, o.rng.Between(w.calendar.Day(now) + 1, end), now), Act::kInspect,
               v1::InspectionStage::INLINE);
  }
  MaybeHandoff(w, o, now, v1::Department::QUALITY);
  o.Schedule(OnDay(w, o, end, now), Act::kComplete);
  return true;
}

bool Complete(const World& w, Order& o, int64_t now, InboundEvent* e) {
  int64_t units = 0;
  for (int64_t q : o.ordered) units += q;
  Envelope(w, o, now, "mes", e);
  e->mutable_production_completed()->set_produced_quantity(units +
                                                           units * o.rng.Between(0, 3) / 100);
  o.stage = Stage::PRODUCED;
  o.Schedule(DaysLater(w, o, now, static_cast<int>(o.rng.Between(0, 2))), Act::kFinal);
  return true;
}

bool Final(const World& w, Order& o, int64_t now, InboundEvent* e) {
  const double q = w.supplier_quality[static_cast<size_t>(o.supplier)];
  bool pass = ++o.final_attempts >= 3 || !o.rng.Chance(w.options.rates.inspection_fail * q);
  int64_t units = 0;
  for (int64_t n : o.ordered) units += n;
  int64_t inspected = std::clamp<int64_t>(units / 10, 1, 800);
  Envelope(w, o, now, "qms", e);
  auto* p = e->mutable_inspection_recorded();
  p->set_inspection_id(Id('Q', static_cast<size_t>(o.inspections++)));
  p->set_stage(v1::InspectionStage::FINAL);
  p->set_result(pass ? v1::InspectionResult::PASSED : v1::InspectionResult::FAILED);
  p->set_inspected_quantity(inspected);
  p->set_defective_quantity(pass ? inspected * o.rng.Between(0, 15) / 1000
                                 : std::max<int64_t>(1, inspected * o.rng.Between(30, 120) / 1000));
  if (!pass) {  // rework, then a re-inspection
    RaiseLater(w, o, HoursLater(w, now, 1), v1::IssueCategory::QUALITY);
    o.Schedule(DaysLater(w, o, now, static_cast<int>(o.rng.Between(2, 6))), Act::kFinal);
    return true;
  }
  o.stage = Stage::READY_TO_SHIP;
  o.lots_left = !o.rng.Chance(w.options.rates.partial_shipment) ? 1 : o.rng.Chance(0.75) ? 2 : 3;
  MaybeHandoff(w, o, now, v1::Department::LOGISTICS);
  int64_t ex_factory = std::max(o.plan[M::EX_FACTORY], w.calendar.Day(now) + 1);
  o.Schedule(OnDay(w, o, std::min(ex_factory, w.calendar.Day(now) + 3), now), Act::kDispatch);
  return true;
}

bool Dispatch(const World& w, Order& o, int64_t now, InboundEvent* e) {
  bool left = false;
  for (size_t i = 0; i < o.ordered.size(); ++i) left |= o.shipped[i] < o.ordered[i];
  if (!left) return false;  // an earlier lot took the rest
  bool first = o.shipments.empty();
  Envelope(w, o, now, "tms", e);
  auto* p = e->mutable_shipment_dispatched();
  p->set_shipment_id(Id('S', o.shipments.size()));
  p->set_carrier(o.rng.Chance(0.8) ? "COSCO" : "DHL");
  p->set_tracking_number("TRK" + std::to_string(o.rng.Between(100000000, 999999999)));
  bool air = p->carrier() == "DHL";
  int transit = static_cast<int>(air ? o.rng.Between(2, 5) : o.rng.Between(10, 20));
  int64_t units = 0;
  for (size_t i = 0; i < o.ordered.size(); ++i) {
    int64_t left = o.ordered[i] - o.shipped[i];
    if (left <= 0) continue;
    // A lot before the last takes part of each line: at least one unit, at most all of it.
    int64_t q = o.lots_left <= 1 ? left : std::max<int64_t>(1, left * o.rng.Between(35, 70) / 100);
    auto* line = p->add_lines();
    line->set_line_id(Id('L', i));
    line->set_quantity(q);
    o.shipped[i] += q;
    units += q;
  }
  p->set_estimated_arrival_date(Calendar::Date(w.calendar.Day(now) + transit));
  o.shipments.push_back({units, false});
  o.stage = Stage::SHIPPING;
  int32_t s = static_cast<int32_t>(o.shipments.size() - 1);
  int64_t arrive = DaysLater(w, o, now, transit * 5 / 7);
  if (o.rng.Chance(w.options.rates.logistics_delay)) {
    RaiseLater(w, o, DaysLater(w, o, now, 2), v1::IssueCategory::LOGISTICS_DELAY);
    arrive = DaysLater(w, o, arrive, static_cast<int>(o.rng.Between(3, 8)));
  }
  o.Schedule(arrive, Act::kDeliver, s);
  if (first) {
    o.Schedule(HoursLater(w, now, 2), Act::kDocument, v1::DocumentType::COMMERCIAL_INVOICE);
    o.Schedule(HoursLater(w, now, 2), Act::kDocument, v1::DocumentType::PACKING_LIST);
    o.Schedule(DaysLater(w, o, now, 1), Act::kDocument, v1::DocumentType::BILL_OF_LADING);
    MaybeHandoff(w, o, now, v1::Department::FINANCE);
  }
  if (--o.lots_left > 0) {
    o.Schedule(DaysLater(w, o, now, static_cast<int>(o.rng.Between(3, 10))), Act::kDispatch);
  }
  return true;
}

bool FullyDelivered(const Order& o) {
  for (size_t i = 0; i < o.ordered.size(); ++i) {
    if (o.shipped[i] < o.ordered[i]) return false;
  }
  return std::all_of(o.shipments.begin(), o.shipments.end(),
                     [](const Shipment& s) { return s.delivered; });
}

bool Deliver(const World& w, Order& o, int32_t s, int64_t now, InboundEvent* e) {
  Shipment& sh = o.shipments[static_cast<size_t>(s)];
  Envelope(w, o, now, "tms", e);
  auto* p = e->mutable_shipment_delivered();
  p->set_shipment_id(Id('S', static_cast<size_t>(s)));
  if (o.rng.Chance(w.options.rates.damage)) {
    p->set_damaged_quantity(std::clamp<int64_t>(sh.units * o.rng.Between(1, 5) / 100, 1, sh.units));
    o.damaged = true;
  }
  sh.delivered = true;
  if (!FullyDelivered(o)) return true;
  o.stage = Stage::DELIVERED;
  o.late = w.calendar.Day(now) > o.promise_day;
  const SimRates& r = w.options.rates;
  if (o.rng.Chance(r.feedback)) {
    o.Schedule(DaysLater(w, o, now, static_cast<int>(o.rng.Between(1, 10))), Act::kFeedback);
  }
  if (o.rng.Chance(r.complaint * (o.late || o.damaged ? 3 : 1))) {
    o.Schedule(DaysLater(w, o, now, static_cast<int>(o.rng.Between(1, 8))), Act::kIssue,
               v1::IssueCategory::CUSTOMER_COMPLAINT);
  }
  o.Schedule(DaysLater(w, o, now, static_cast<int>(o.rng.Between(3, 12))), Act::kClose);
  return true;
}

bool Close(const World& w, Order& o, int64_t now, InboundEvent* e) {
  bool busy =
      std::any_of(o.issues.begin(), o.issues.end(), [](const Issue& i) { return i.open; }) ||
      std::any_of(o.handoffs.begin(), o.handoffs.end(),
                  [](HandoffState h) { return h != HandoffState::kCompleted; });
  if (busy) {  // close once the loose ends are tied up
    if (++o.close_deferrals < 30) o.Schedule(DaysLater(w, o, now, 1), Act::kClose);
    return false;
  }
  Envelope(w, o, now, "erp", e);
  e->mutable_order_closed();
  o.stage = Stage::CLOSED;
  const SimRates& r = w.options.rates;
  if (o.rng.Chance(r.complaint * 0.5)) {  // after-sales: a complaint weeks later
    o.Schedule(DaysLater(w, o, now, static_cast<int>(o.rng.Between(5, 30))), Act::kIssue,
               v1::IssueCategory::CUSTOMER_COMPLAINT);
  }
  if (o.rng.Chance(0.2)) {
    o.Schedule(DaysLater(w, o, now, static_cast<int>(o.rng.Between(5, 30))), Act::kContact,
               v1::ContactPurpose::INQUIRY_RESPONSE);
  }
  return true;
}

// ---- side stories ------------------------------------------------------------------------

void Amend(const World& w, Order& o, v1::AmendmentReason::Value reason, int64_t now,
           InboundEvent* e) {
  Envelope(w, o, now, "erp", e);
  auto* p = e->mutable_order_amended();
  p->set_reason(reason);
  auto change = [&](size_t line, int64_t quantity) {
    auto* c = p->add_line_changes();
    c->set_line_id(Id('L', line));
    c->set_quantity(quantity);
    if (line == o.ordered.size()) {
      o.ordered.push_back(quantity);
      o.shipped.push_back(0);
    } else {
      o.ordered[line] = quantity;
    }
  };
  size_t line = static_cast<size_t>(o.rng.Between(0, std::ssize(o.ordered) - 1));
  int64_t today = w.calendar.Day(now);
  switch (reason) {
    case v1::AmendmentReason::CUSTOMER_REQUEST:  // more, another article, or later
      if (o.rng.Chance(0.4)) change(line, o.ordered[line] + o.rng.Between(50, 500));
      if (o.rng.Chance(0.25) && std::ssize(o.ordered) < w.options.max_lines + 3)
        change(o.ordered.size(), o.rng.Between(100, 2000));
      if (o.promise_day > 0 && (p->line_changes_size() == 0 || o.rng.Chance(0.4))) {
        o.promise_day = std::max(o.promise_day, today) + o.rng.Between(5, 20);
        p->set_new_promised_date(Calendar::Date(o.promise_day));
      } else if (p->line_changes_size() == 0) {
        change(line, o.ordered[line] + o.rng.Between(10, 100));
      }
      break;
    case v1::AmendmentReason::ENTRY_ERROR:  // a typo in a quantity, or in the date
      if (o.promise_day > 0 && o.rng.Chance(0.3)) {
        o.promise_day = std::max(o.promise_day + o.rng.Between(-3, 3), today + 1);
        p->set_new_promised_date(Calendar::Date(o.promise_day));
      } else {
        change(line, std::max<int64_t>(1, o.ordered[line] + o.rng.Between(-100, 100)));
      }
      break;
    case v1::AmendmentReason::SUPPLY_CONSTRAINT:  // the factory cannot make it all, or in time
      if (o.rng.Chance(0.5)) {
        p->set_new_promised_date(Calendar::Date(std::max(o.plan[M::DELIVERY], today) + 7));
      } else {
        change(line, std::max<int64_t>(1, o.ordered[line] * 8 / 10));
      }
      break;
    default: change(line, o.ordered[line] + o.rng.Between(1, 50)); break;
  }
}

bool RaiseIssue(const World& w, Order& o, v1::IssueCategory::Value c, int64_t now,
                InboundEvent* e) {
  bool complaint = c == v1::IssueCategory::CUSTOMER_COMPLAINT;
  Envelope(w, o, now, complaint ? "crm" : c == v1::IssueCategory::QUALITY ? "qms" : "erp", e);
  auto* p = e->mutable_issue_raised();
  p->set_issue_id(Id('I', o.issues.size()));
  p->set_category(c);
  auto severity = DrawSeverity(o);
  p->set_severity(severity);
  if (complaint) {
    v1::ComplaintReason::Value reason =
        o.late && o.rng.Chance(0.6)      ? v1::ComplaintReason::LATE_DELIVERY
        : o.damaged && o.rng.Chance(0.6) ? v1::ComplaintReason::DAMAGE
                                         : v1::ComplaintReason::Value(o.rng.Between(1, 6));
    p->set_complaint_reason(reason);
  }
  p->set_owner_department(OwnerOf(c));
  p->set_description(std::string(v1::IssueCategory::Value_Name(c)) + " on " + o.id);
  o.issues.push_back({c, true});
  int32_t i = static_cast<int32_t>(o.issues.size() - 1);
  o.Schedule(HoursLater(w, now, ResolutionHours(o, severity) * 10 / 24), Act::kResolve, i);
  return true;
}

bool Resolve(const World& w, Order& o, int32_t i, int64_t now, InboundEvent* e) {
  Issue& issue = o.issues[static_cast<size_t>(i)];
  bool complaint = issue.category == v1::IssueCategory::CUSTOMER_COMPLAINT;
  if (!issue.open || (o.stage == Stage::CLOSED && !complaint)) return false;
  Envelope(w, o, now, complaint ? "crm" : "erp", e);
  auto* p = e->mutable_issue_resolved();
  p->set_issue_id(Id('I', static_cast<size_t>(i)));
  p->set_resolution("fixed with the " +
                    std::string(v1::Department::Value_Name(OwnerOf(issue.category))) + " team");
  p->set_first_contact(complaint && o.rng.Chance(0.6));
  issue.open = false;
  if (o.rng.Chance(w.options.rates.reopen)) {
    o.Schedule(DaysLater(w, o, now, static_cast<int>(o.rng.Between(1, 5))), Act::kReopen, i);
  }
  return true;
}

bool Reopen(const World& w, Order& o, int32_t i, int64_t now, InboundEvent* e) {
  Issue& issue = o.issues[static_cast<size_t>(i)];
  bool complaint = issue.category == v1::IssueCategory::CUSTOMER_COMPLAINT;
  if (issue.open || (o.stage == Stage::CLOSED && !complaint)) return false;
  Envelope(w, o, now, complaint ? "crm" : "erp", e);
  auto* p = e->mutable_issue_reopened();
  p->set_issue_id(Id('I', static_cast<size_t>(i)));
  p->set_reason("the fix did not hold");
  issue.open = true;
  o.Schedule(HoursLater(w, now, o.rng.Skewed(12)), Act::kResolve, i);
  return true;
}

bool Document(const World& w, Order& o, v1::DocumentType::Value type, int64_t now,
              InboundEvent* e) {
  Envelope(w, o, now, "erp", e);
  auto* p = e->mutable_document_issued();
  p->set_document_id(Id('D', o.documents.size()));
  p->set_document_type(type);
  o.documents.push_back(type);
  if (o.rng.Chance(w.options.rates.correction)) {
    int32_t d = static_cast<int32_t>(o.documents.size() - 1);
    int64_t at = DaysLater(w, o, now, static_cast<int>(o.rng.Between(1, 4)));
    if (o.rng.Chance(0.5)) o.Schedule(at, Act::kIssue, v1::IssueCategory::DOCUMENTATION);
    o.Schedule(HoursLater(w, at, 2), Act::kCorrect, d);
  }
  return true;
}

bool Handoff(const World& w, Order& o, v1::Department::Value to, int64_t now, InboundEvent* e) {
  Envelope(w, o, now, "erp", e);
  auto* p = e->mutable_handoff_requested();
  p->set_handoff_id(Id('H', o.handoffs.size()));
  p->set_from_department(v1::Department::MERCHANDISING);
  p->set_to_department(to);
  p->set_subject("please take over: " + std::string(v1::Department::Value_Name(to)));
  int64_t due = w.calendar.At(
      Calendar::AddBusinessDays(w.calendar.Day(now) + 1, static_cast<int>(o.rng.Between(0, 2))),
      17 * 60);
  p->mutable_due_at()->set_seconds(due);
  o.handoffs.push_back(HandoffState::kRequested);
  int32_t h = static_cast<int32_t>(o.handoffs.size() - 1);
  int64_t ack = HoursLater(w, now, o.rng.Skewed(3));
  if (o.rng.Chance(0.85)) o.Schedule(ack, Act::kAck, h);
  // Most are done by the due time; some late.
  double work = (o.rng.Chance(0.85) ? 0.6 : 1.8) * static_cast<double>(due - now) / 3600 * 10 / 24;
  o.Schedule(HoursLater(w, ack, std::max(1.0, work)), Act::kHandoffDone, h);
  return true;
}

bool Inspect(const World& w, Order& o, v1::InspectionStage::Value stage, int64_t now,
             InboundEvent* e) {
  const double q = w.supplier_quality[static_cast<size_t>(o.supplier)];
  bool pass = !o.rng.Chance(0.08 * q);
  int64_t inspected = o.rng.Between(20, 200);
  Envelope(w, o, now, "qms", e);
  auto* p = e->mutable_inspection_recorded();
  p->set_inspection_id(Id('Q', static_cast<size_t>(o.inspections++)));
  p->set_stage(stage);
  p->set_result(pass ? v1::InspectionResult::PASSED : v1::InspectionResult::FAILED);
  p->set_inspected_quantity(inspected);
  p->set_defective_quantity(pass ? o.rng.Between(0, 2) : o.rng.Between(5, 20));
  if (!pass) {  // re-inspect after the fix
    o.Schedule(DaysLater(w, o, now, static_cast<int>(o.rng.Between(1, 3))), Act::kInspect, stage);
  }
  return true;
}

// Feedback is kinder to orders that came on time and whole.
int32_t Rating(Order& o) {
  int64_t base = o.late ? 3 : 5;
  if (o.damaged) --base;
  return static_cast<int32_t>(
      std::clamp<int64_t>(base - o.rng.Between(0, 2) + (o.rng.Chance(0.1) ? 1 : 0), 1, 5));
}

bool SideStep(const World& w, Order& o, const Action& a, InboundEvent* e) {
  const int64_t now = a.at;
  switch (a.act) {
    case Act::kHold:
      if (o.held || !o.NothingShipped()) return false;
      Envelope(w, o, now, "erp", e);
      e->mutable_order_held()->set_reason(o.rng.Chance(0.5) ? "awaiting deposit"
                                                            : "credit limit exceeded");
      o.held = true;
      o.Schedule(DaysLater(w, o, now, static_cast<int>(o.rng.Between(1, 5))), Act::kRelease);
      return true;
    case Act::kRelease:
      if (!o.held || !o.Open()) return false;
      Envelope(w, o, now, "erp", e);
      e->mutable_order_released();
      o.held = false;
      return true;
    case Act::kAmend:
      if (!o.NothingShipped()) return false;
      Amend(w, o, v1::AmendmentReason::Value(a.arg), now, e);
      return true;
    case Act::kIssue: {
      auto c = v1::IssueCategory::Value(a.arg);
      if (!o.Open() && !(o.stage == Stage::CLOSED && c == v1::IssueCategory::CUSTOMER_COMPLAINT))
        return false;
      return RaiseIssue(w, o, c, now, e);
    }
    case Act::kResolve: return Resolve(w, o, a.arg, now, e);
    case Act::kReopen: return Reopen(w, o, a.arg, now, e);
    case Act::kDocument: return o.Open() && Document(w, o, v1::DocumentType::Value(a.arg), now, e);
    case Act::kCorrect: {
      if (!o.Open()) return false;
      Envelope(w, o, now, "erp", e);
      auto* p = e->mutable_document_corrected();
      p->set_document_id(Id('D', static_cast<size_t>(a.arg)));
      p->set_reason("wrong consignee address");
      return true;
    }
    case Act::kContact: {
      if (o.stage == Stage::CANCELLED) return false;
      Envelope(w, o, now, "crm", e);
      auto* p = e->mutable_customer_contacted();
      p->set_channel(v1::ContactChannel::Value(o.rng.Between(1, 5)));
      p->set_purpose(v1::ContactPurpose::Value(a.arg));
      if (a.arg == v1::ContactPurpose::STATUS_UPDATE && o.Before(Stage::DELIVERED)) {
        o.Schedule(DaysLater(w, o, now, static_cast<int>(o.rng.Between(5, 10))), Act::kContact,
                   a.arg);
      }
      return true;
    }
    case Act::kFeedback: {
      if (o.stage == Stage::CANCELLED) return false;
      Envelope(w, o, now, "crm", e);
      auto* p = e->mutable_feedback_received();
      p->set_rating(Rating(o));
      p->set_comment(p->rating() >= 4 ? "good job" : "needs to improve");
      return true;
    }
    case Act::kHandoff: return o.Open() && Handoff(w, o, v1::Department::Value(a.arg), now, e);
    case Act::kAck: {
      auto& h = o.handoffs[static_cast<size_t>(a.arg)];
      if (!o.Open() || h != HandoffState::kRequested) return false;
      Envelope(w, o, now, "erp", e);
      e->mutable_handoff_acknowledged()->set_handoff_id(Id('H', static_cast<size_t>(a.arg)));
      h = HandoffState::kAcknowledged;
      return true;
    }
    case Act::kHandoffDone: {
      auto& h = o.handoffs[static_cast<size_t>(a.arg)];
      if (!o.Open() || h == HandoffState::kCompleted) return false;
      Envelope(w, o, now, "erp", e);
      e->mutable_handoff_completed()->set_handoff_id(Id('H', static_cast<size_t>(a.arg)));
      h = HandoffState::kCompleted;
      return true;
    }
    case Act::kInspect:
      if (o.Before(Stage::CONFIRMED) || o.Terminal()) return false;
      return Inspect(w, o, v1::InspectionStage::Value(a.arg), now, e);
    case Act::kPlan: {
      if (!o.Open()) return false;
      Envelope(w, o, now, "mes", e);
      auto* p = e->mutable_milestone_planned();
      p->set_milestone(M::Value(a.arg));
      p->set_planned_date(Calendar::Date(o.plan[static_cast<size_t>(a.arg)]));
      return true;
    }
    default: return false;
  }
}

// Steps on the main path, each valid only from its stage (and not while held, where the
// engine refuses it): a held order waits a day and tries again.
bool MainStep(const World& w, Order& o, const Action& a, InboundEvent* e) {
  auto wait = [&] {
    o.Schedule(DaysLater(w, o, a.at, 1), a.act, a.arg);
    return false;
  };
  switch (a.act) {
    case Act::kConfirm:
      if (o.stage != Stage::PLACED) return false;
      return o.held ? wait() : Confirm(w, o, a.at, e);
    case Act::kMaterials: return o.Open() && Materials(w, o, a.at, e);
    case Act::kStart:
      if (o.stage != Stage::CONFIRMED) return false;
      return o.held ? wait() : Start(w, o, a.at, e);
    case Act::kComplete: return o.stage == Stage::IN_PRODUCTION && Complete(w, o, a.at, e);
    case Act::kFinal: return o.stage == Stage::PRODUCED && Final(w, o, a.at, e);
    case Act::kDispatch:
      if (o.stage != Stage::READY_TO_SHIP && o.stage != Stage::SHIPPING) return false;
      return o.held ? wait() : Dispatch(w, o, a.at, e);
    case Act::kDeliver: {
      if (o.Terminal() || o.shipments[static_cast<size_t>(a.arg)].delivered) return false;
      return Deliver(w, o, a.arg, a.at, e);
    }
    case Act::kClose: return o.stage == Stage::DELIVERED && Close(w, o, a.at, e);
    case Act::kCancel: {
      if (!o.NothingShipped()) return false;
      Envelope(w, o, a.at, "erp", e);
      auto* p = e->mutable_order_cancelled();
      bool customer = o.rng.Chance(0.6);
      p->set_cancelled_by(customer ? v1::CancelledBy::CUSTOMER : v1::CancelledBy::INTERNAL);
      p->set_reason(customer ? "customer withdrew the order" : "supplier cannot deliver");
      o.stage = Stage::CANCELLED;
      o.agenda.clear();
      return true;
    }
    default: return SideStep(w, o, a, e);
  }
}

}  // namespace

void Order::Schedule(int64_t at, Act act, int32_t arg) {
  agenda.push_back({at, act, arg});
  std::push_heap(agenda.begin(), agenda.end(), std::greater<>());
}

Action Order::PopAction() {
  std::pop_heap(agenda.begin(), agenda.end(), std::greater<>());
  Action a = agenda.back();
  agenda.pop_back();
  return a;
}

std::string PartyId(const char* kind, int index) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%s-%03d", kind, index + 1);
  return buf;
}

void Envelope(const World& w, Order& o, int64_t at, const char* source, InboundEvent* out) {
  out->Clear();
  out->set_event_id(std::string(source) + "-" + o.id + "-" + std::to_string(++o.emitted));
  out->set_order_id(o.id);
  out->mutable_occurred_at()->set_seconds(at);
  out->set_source(source);
  out->set_actor(PartyId("M", o.merchandiser));
  (void)w;
}

void Place(const World& w, Order& o, int64_t at, InboundEvent* out) {
  const SimOptions& opt = w.options;
  o.customer = w.customer_zipf.Sample(o.rng);
  // Each customer has an account merchandiser; one order in ten is covered by someone else.
  o.merchandiser = o.rng.Chance(0.9) ? w.account_owner[static_cast<size_t>(o.customer)]
                                     : static_cast<int>(o.rng.Between(0, opt.merchandisers - 1));
  o.supplier = w.supplier_zipf.Sample(o.rng);
  Envelope(w, o, at, "erp", out);
  auto* p = out->mutable_order_placed();
  p->set_customer_id(PartyId("C", o.customer));
  p->set_merchandiser_id(PartyId("M", o.merchandiser));
  p->set_supplier_id(PartyId("F", o.supplier));
  int64_t today = w.calendar.Day(at);
  o.requested_day = today + o.rng.Between(35, 90);
  p->set_requested_date(Calendar::Date(o.requested_day));
  p->set_incoterm(o.rng.Chance(0.7) ? "FOB" : o.rng.Chance(0.5) ? "CIF" : "EXW");
  // Small orders are the common case: 1 line often, max_lines rarely.
  int lines = 1;
  while (lines < opt.max_lines && o.rng.Chance(0.45)) ++lines;
  for (int i = 0; i < lines; ++i) {
    auto* line = p->add_lines();
    line->set_line_id(Id('L', static_cast<size_t>(i)));
    line->set_sku("SKU-" + std::to_string(o.rng.Between(10000, 10999)));
    int64_t q = static_cast<int64_t>(std::round(std::min(50000.0, o.rng.Skewed(600)))) + 1;
    line->set_quantity(q);
    o.ordered.push_back(q);
    o.shipped.push_back(0);
  }
  o.stage = Stage::PLACED;
  ++o.version;

  const SimRates& r = opt.rates;
  o.Schedule(HoursLater(w, at, std::min(120.0, o.rng.Skewed(8))), Act::kConfirm);
  if (o.rng.Chance(r.hold)) {
    o.Schedule(DaysLater(w, o, at, static_cast<int>(o.rng.Between(0, 30))), Act::kHold);
  }
  if (o.rng.Chance(r.amend)) {
    for (int n = static_cast<int>(o.rng.Between(1, 2)); n > 0; --n) {
      o.Schedule(DaysLater(w, o, at, static_cast<int>(o.rng.Between(0, 25))), Act::kAmend,
                 static_cast<int32_t>(o.rng.Between(1, 4)));
    }
  }
  if (o.rng.Chance(r.cancel)) {
    o.Schedule(DaysLater(w, o, at, static_cast<int>(o.rng.Between(1, 40))), Act::kCancel);
  }
  if (o.rng.Chance(r.issue)) {
    static constexpr v1::IssueCategory::Value kOther[] = {
        v1::IssueCategory::DOCUMENTATION, v1::IssueCategory::OTHER,
        v1::IssueCategory::MATERIAL_SHORTAGE, v1::IssueCategory::QUALITY};
    o.Schedule(DaysLater(w, o, at, static_cast<int>(o.rng.Between(1, 35))), Act::kIssue,
               kOther[o.rng.Between(0, 3)]);
  }
  if (o.rng.Chance(0.3)) {
    o.Schedule(DaysLater(w, o, at, static_cast<int>(o.rng.Between(1, 20))), Act::kContact,
               v1::ContactPurpose::INQUIRY_RESPONSE);
  }
  MaybeHandoff(w, o, at, v1::Department::SALES);
}

bool Step(const World& w, Order& o, InboundEvent* out) {
  Action a = o.PopAction();
  if (!MainStep(w, o, a, out)) return false;
  ++o.version;
  // Some senders use optimistic concurrency; they always know the version they saw.
  if (o.rng.Chance(0.1)) out->set_expected_version(o.version - 1);
  return true;
}

}  // namespace gendan::sim::internal
