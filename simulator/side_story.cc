// Side stories of an order: amendments, holds, issues and their resolutions, documents,
// handoffs, contacts, feedback, inline and incoming inspections, plans. Like the main path
// (story.cc), each checks the order model before it emits.
#include <algorithm>

#include "simulator/order_model.h"

namespace gendan::sim::internal {
namespace {

using v1::InboundEvent;
using v1::Stage;
using M = v1::Milestone;

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

}  // namespace

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
}  // namespace gendan::sim::internal
