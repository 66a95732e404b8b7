// One order's story: the main path from placement to closing, and when each step happens.
// Each action checks the order model (order_model.h) before it emits, so every emitted fact is
// valid where the engine reads it; the side stories are in side_story.cc.
#include <algorithm>
#include <cmath>

#include "simulator/order_model.h"

namespace gendan::sim::internal {

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

namespace {

using v1::InboundEvent;
using v1::Stage;
using M = v1::Milestone;

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
