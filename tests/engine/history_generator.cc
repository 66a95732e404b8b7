#include "tests/engine/history_generator.h"

#include <cstdio>
#include <map>
#include <utility>

namespace gendan::test {
namespace {

using v1::InboundEvent;
using v1::Stage;
using Rng = HistoryGenerator::Rng;

constexpr int64_t kStartSeconds = 1704067200;  // 2024-01-01T00:00:00Z
constexpr int64_t kNowSeconds = kStartSeconds + int64_t{10} * 365 * 86400;

std::string DateAfter(int64_t seconds, int days) {
  std::chrono::year_month_day ymd{std::chrono::floor<std::chrono::days>(
      std::chrono::sys_seconds(std::chrono::seconds(seconds)) + std::chrono::days(days))};
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", int(ymd.year()), unsigned(ymd.month()),
                unsigned(ymd.day()));
  return buf;
}

struct Issue {
  bool open = true;
  bool complaint = false;
};
enum class Handoff { kRequested, kAcknowledged, kCompleted };

// One order being written: the generator's own model of what the engine will accept next.
class Story {
 public:
  Story(Rng& rng, std::string order_id) : rng_(rng), order_id_(std::move(order_id)) {}
  std::vector<InboundEvent> Write();

 private:
  InboundEvent& Emit();
  bool Terminal() const { return stage_ == Stage::CLOSED || stage_ == Stage::CANCELLED; }
  bool Before(Stage::Value s) const { return stage_ < s; }
  template <typename Pred>
  std::string Pick(const std::map<std::string, Pred>& m, bool (*want)(const Pred&));

  void Place();
  void Advance();
  void ReleaseIfHeld();
  void Dispatch();
  void Deliver();
  void Side();
  void AfterSales();
  void Amend();
  void RaiseIssue(bool complaint);
  void Inspect(v1::InspectionStage::Value stage, v1::InspectionResult::Value result);

  Rng& rng_;
  std::string order_id_;
  std::vector<InboundEvent> events_;
  int64_t clock_ = kStartSeconds;
  Stage::Value stage_ = Stage::STAGE_UNSPECIFIED;
  bool held_ = false;
  std::map<std::string, int64_t> ordered_, shipped_;
  std::map<std::string, int64_t> in_transit_;  // shipment id -> units, not yet delivered
  std::map<std::string, Issue> issues_;
  std::map<std::string, Handoff> handoffs_;
  int documents_ = 0, shipments_ = 0, inspections_ = 0, lines_ = 0;
};

InboundEvent& Story::Emit() {
  clock_ += rng_.Between(60, int64_t{48} * 3600);
  InboundEvent& e = events_.emplace_back();
  e.set_event_id(order_id_ + "-e" + std::to_string(events_.size()));
  e.set_order_id(order_id_);
  e.mutable_occurred_at()->set_seconds(clock_);
  e.set_source("erp");
  e.set_actor("merch-1");
  // Some senders use optimistic concurrency; they always know the version they saw.
  if (rng_.Percent(20)) e.set_expected_version(static_cast<int64_t>(events_.size()) - 1);
  return e;
}

template <typename V>
std::string Story::Pick(const std::map<std::string, V>& m, bool (*want)(const V&)) {
  std::vector<const std::string*> ids;
  for (const auto& [id, v] : m) {
    if (want(v)) ids.push_back(&id);
  }
  return ids.empty() ? std::string() : *ids[rng_.Between(0, int64_t(ids.size()) - 1)];
}

void Story::Place() {
  auto* p = Emit().mutable_order_placed();
  p->set_customer_id("cust-" + std::to_string(rng_.Between(1, 20)));
  p->set_merchandiser_id("merch-" + std::to_string(rng_.Between(1, 5)));
  p->set_supplier_id("sup-" + std::to_string(rng_.Between(1, 8)));
  p->set_requested_date(DateAfter(clock_, 45));
  p->set_incoterm("FOB");
  for (int n = int(rng_.Between(1, 4)); n > 0; --n) {
    auto* line = p->add_lines();
    line->set_line_id("L" + std::to_string(++lines_));
    line->set_sku("SKU-" + std::to_string(rng_.Between(100, 999)));
    line->set_quantity(rng_.Between(1, 500));
    ordered_[line->line_id()] = line->quantity();
  }
  stage_ = Stage::PLACED;
}

void Story::ReleaseIfHeld() {
  if (!held_) return;
  Emit().mutable_order_released();
  held_ = false;
}

void Story::Inspect(v1::InspectionStage::Value stage, v1::InspectionResult::Value result) {
  auto* p = Emit().mutable_inspection_recorded();
  p->set_inspection_id("Q" + std::to_string(++inspections_));
  p->set_stage(stage);
  p->set_result(result);
  p->set_inspected_quantity(rng_.Between(10, 200));
  p->set_defective_quantity(result == v1::InspectionResult::FAILED ? rng_.Between(5, 10)
                                                                   : rng_.Between(0, 4));
}

// A shipment of part of what is left: some lines, some of each.
void Story::Dispatch() {
  ReleaseIfHeld();
  auto* p = Emit().mutable_shipment_dispatched();
  p->set_shipment_id("S" + std::to_string(++shipments_));
  p->set_carrier("carrier-" + std::to_string(rng_.Between(1, 3)));
  p->set_tracking_number("TRK" + std::to_string(rng_.Next() % 1000000));
  p->set_estimated_arrival_date(DateAfter(clock_, 14));
  int64_t units = 0;
  for (const auto& [line_id, ordered] : ordered_) {
    int64_t left = ordered - shipped_[line_id];
    if (left == 0 || (units > 0 && rng_.Percent(40))) continue;
    int64_t q = rng_.Percent(50) ? left : rng_.Between(1, left);
    auto* line = p->add_lines();
    line->set_line_id(line_id);
    line->set_quantity(q);
    shipped_[line_id] += q;
    units += q;
  }
  in_transit_[p->shipment_id()] = units;
  stage_ = Stage::SHIPPING;
}

void Story::Deliver() {
  auto it = in_transit_.begin();
  std::advance(it, rng_.Between(0, int64_t(in_transit_.size()) - 1));
  auto* p = Emit().mutable_shipment_delivered();
  p->set_shipment_id(it->first);
  if (rng_.Percent(10)) p->set_damaged_quantity(rng_.Between(0, it->second));
  in_transit_.erase(it);
  bool all_shipped = true;
  for (const auto& [line_id, ordered] : ordered_) all_shipped &= shipped_[line_id] == ordered;
  if (all_shipped && in_transit_.empty()) stage_ = Stage::DELIVERED;
}

// One step along the main path (with the releases and resolutions it needs first).
void Story::Advance() {
  switch (stage_) {
    case Stage::PLACED:
      ReleaseIfHeld();
      Emit().mutable_order_confirmed()->set_promised_date(DateAfter(clock_, 40));
      stage_ = Stage::CONFIRMED;
      break;
    case Stage::CONFIRMED:
      ReleaseIfHeld();
      Emit().mutable_production_started();
      stage_ = Stage::IN_PRODUCTION;
      break;
    case Stage::IN_PRODUCTION:
      Emit().mutable_production_completed()->set_produced_quantity(rng_.Between(1, 2000));
      stage_ = Stage::PRODUCED;
      break;
    case Stage::PRODUCED:
      if (rng_.Percent(20)) Inspect(v1::InspectionStage::FINAL, v1::InspectionResult::FAILED);
      Inspect(v1::InspectionStage::FINAL, v1::InspectionResult::PASSED);
      stage_ = Stage::READY_TO_SHIP;
      break;
    case Stage::READY_TO_SHIP:
    case Stage::SHIPPING: {
      bool left = false;
      for (const auto& [line_id, ordered] : ordered_) left |= shipped_[line_id] < ordered;
      if (left && (in_transit_.empty() || rng_.Percent(50))) {
        Dispatch();
      } else {
        Deliver();
      }
      break;
    }
    case Stage::DELIVERED: {
      std::string open = Pick<Issue>(issues_, [](const Issue& i) { return i.open; });
      if (open.empty()) {
        Emit().mutable_order_closed();
        stage_ = Stage::CLOSED;
      } else {
        Emit().mutable_issue_resolved()->set_issue_id(open);
        issues_[open].open = false;
      }
      break;
    }
    default: break;
  }
}

void Story::Amend() {
  auto* p = Emit().mutable_order_amended();
  p->set_reason(static_cast<v1::AmendmentReason::Value>(rng_.Between(1, 4)));
  if (rng_.Percent(50)) p->set_new_promised_date(DateAfter(clock_, 50));
  if (rng_.Percent(30)) {
    auto* c = p->add_line_changes();
    c->set_line_id("L" + std::to_string(++lines_));
    c->set_quantity(rng_.Between(1, 300));
  }
  if (rng_.Percent(70)) {
    auto it = ordered_.begin();
    std::advance(it, rng_.Between(0, int64_t(ordered_.size()) - 1));
    auto* c = p->add_line_changes();
    c->set_line_id(it->first);
    c->set_quantity(rng_.Between(1, 500));
  }
  for (const auto& c : p->line_changes()) ordered_[c.line_id()] = c.quantity();
}

void Story::RaiseIssue(bool complaint) {
  auto* p = Emit().mutable_issue_raised();
  p->set_issue_id("I" + std::to_string(issues_.size() + 1));
  p->set_category(complaint ? v1::IssueCategory::CUSTOMER_COMPLAINT
                            : static_cast<v1::IssueCategory::Value>(rng_.Between(1, 5)));
  if (complaint)
    p->set_complaint_reason(static_cast<v1::ComplaintReason::Value>(rng_.Between(1, 6)));
  p->set_severity(static_cast<v1::IssueSeverity::Value>(rng_.Between(1, 3)));
  p->set_owner_department(static_cast<v1::Department::Value>(rng_.Between(1, 8)));
  p->set_description("something went wrong");
  issues_[p->issue_id()] = Issue{true, complaint};
}

// One event that does not move the stage, valid in any non-terminal stage unless noted.
void Story::Side() {
  switch (rng_.Between(0, 13)) {
    case 0: {
      auto* p = Emit().mutable_document_issued();
      p->set_document_id("D" + std::to_string(++documents_));
      p->set_document_type(static_cast<v1::DocumentType::Value>(rng_.Between(1, 8)));
      return;
    }
    case 1:
      if (documents_ == 0) return;
      Emit().mutable_document_corrected()->set_document_id(
          "D" + std::to_string(rng_.Between(1, documents_)));
      return;
    case 2: {
      auto* p = Emit().mutable_milestone_planned();
      p->set_milestone(static_cast<v1::Milestone::Value>(rng_.Between(1, 6)));
      p->set_planned_date(DateAfter(clock_, int(rng_.Between(1, 60))));
      return;
    }
    case 3: Emit().mutable_materials_in_house(); return;
    case 4: {
      auto* p = Emit().mutable_customer_contacted();
      p->set_channel(static_cast<v1::ContactChannel::Value>(rng_.Between(1, 5)));
      p->set_purpose(static_cast<v1::ContactPurpose::Value>(rng_.Between(1, 3)));
      return;
    }
    case 5: RaiseIssue(rng_.Percent(20)); return;
    case 6: {
      std::string id = Pick<Issue>(issues_, [](const Issue& i) { return i.open; });
      if (id.empty()) return;
      auto* p = Emit().mutable_issue_resolved();
      p->set_issue_id(id);
      p->set_first_contact(rng_.Percent(50));
      issues_[id].open = false;
      return;
    }
    case 7: {
      std::string id = Pick<Issue>(issues_, [](const Issue& i) { return !i.open; });
      if (id.empty()) return;
      Emit().mutable_issue_reopened()->set_issue_id(id);
      issues_[id].open = true;
      return;
    }
    case 8: {
      auto* p = Emit().mutable_handoff_requested();
      p->set_handoff_id("H" + std::to_string(handoffs_.size() + 1));
      p->set_from_department(v1::Department::MERCHANDISING);
      p->set_to_department(static_cast<v1::Department::Value>(rng_.Between(2, 8)));
      p->set_subject("please check");
      p->mutable_due_at()->set_seconds(clock_ + rng_.Between(3600, int64_t{7} * 86400));
      handoffs_[p->handoff_id()] = Handoff::kRequested;
      return;
    }
    case 9: {
      std::string id =
          Pick<Handoff>(handoffs_, [](const Handoff& h) { return h == Handoff::kRequested; });
      if (id.empty()) return;
      Emit().mutable_handoff_acknowledged()->set_handoff_id(id);
      handoffs_[id] = Handoff::kAcknowledged;
      return;
    }
    case 10: {
      std::string id =
          Pick<Handoff>(handoffs_, [](const Handoff& h) { return h != Handoff::kCompleted; });
      if (id.empty()) return;
      Emit().mutable_handoff_completed()->set_handoff_id(id);
      handoffs_[id] = Handoff::kCompleted;
      return;
    }
    case 11:
      if (held_) {
        Emit().mutable_order_released();
      } else {
        Emit().mutable_order_held()->set_reason("awaiting payment");
      }
      held_ = !held_;
      return;
    case 12:
      if (Before(Stage::SHIPPING)) Amend();
      return;
    case 13:
      if (!Before(Stage::CONFIRMED)) {
        Inspect(rng_.Percent(50) ? v1::InspectionStage::INCOMING : v1::InspectionStage::INLINE,
                rng_.Percent(80) ? v1::InspectionResult::PASSED : v1::InspectionResult::FAILED);
      } else {
        Emit().mutable_feedback_received()->set_rating(int32_t(rng_.Between(1, 5)));
      }
      return;
  }
}

// After closing: complaints and their resolution, contacts, feedback.
void Story::AfterSales() {
  for (int n = int(rng_.Between(0, 4)); n > 0; --n) {
    switch (rng_.Between(0, 4)) {
      case 0: RaiseIssue(true); break;
      case 1: {
        std::string id = Pick<Issue>(issues_, [](const Issue& i) { return i.complaint && i.open; });
        if (!id.empty()) {
          Emit().mutable_issue_resolved()->set_issue_id(id);
          issues_[id].open = false;
        }
        break;
      }
      case 2: {
        std::string id =
            Pick<Issue>(issues_, [](const Issue& i) { return i.complaint && !i.open; });
        if (!id.empty()) {
          Emit().mutable_issue_reopened()->set_issue_id(id);
          issues_[id].open = true;
        }
        break;
      }
      case 3: Emit().mutable_feedback_received()->set_rating(int32_t(rng_.Between(1, 5))); break;
      default: {
        auto* p = Emit().mutable_customer_contacted();
        p->set_channel(v1::ContactChannel::EMAIL);
        p->set_purpose(v1::ContactPurpose::INQUIRY_RESPONSE);
      }
    }
  }
}

std::vector<InboundEvent> Story::Write() {
  Place();
  // Where the story ends early, if it does: cancelled before shipping, or simply not done yet.
  Stage::Value cancel_at = rng_.Percent(10)
                               ? Stage::Value(rng_.Between(Stage::PLACED, Stage::READY_TO_SHIP))
                               : Stage::STAGE_UNSPECIFIED;
  Stage::Value stop_at = rng_.Percent(15)
                             ? Stage::Value(rng_.Between(Stage::PLACED, Stage::DELIVERED))
                             : Stage::STAGE_UNSPECIFIED;
  while (!Terminal()) {
    for (int n = int(rng_.Between(0, 4)); n > 0; --n) Side();
    if (stage_ == cancel_at) {
      auto* p = Emit().mutable_order_cancelled();
      p->set_reason("customer changed their mind");
      p->set_cancelled_by(static_cast<v1::CancelledBy::Value>(rng_.Between(1, 2)));
      stage_ = Stage::CANCELLED;
      return std::move(events_);
    }
    if (stage_ == stop_at) return std::move(events_);
    Advance();
  }
  AfterSales();
  return std::move(events_);
}

}  // namespace

uint64_t HistoryGenerator::Rng::Next() {
  uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

int64_t HistoryGenerator::Rng::Between(int64_t lo, int64_t hi) {
  return lo + static_cast<int64_t>(Next() % static_cast<uint64_t>(hi - lo + 1));
}

std::vector<InboundEvent> HistoryGenerator::Next(const std::string& order_id) {
  return Story(rng_, order_id).Write();
}

std::chrono::system_clock::time_point HistoryGenerator::Start() {
  return std::chrono::system_clock::time_point(std::chrono::seconds(kStartSeconds));
}

std::chrono::system_clock::time_point HistoryGenerator::Now() {
  return std::chrono::system_clock::time_point(std::chrono::seconds(kNowSeconds));
}

}  // namespace gendan::test
