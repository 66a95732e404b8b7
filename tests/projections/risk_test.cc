// The risk rules of DOMAIN.md §6 with an injected clock: each alert kind raised at its exact
// boundary (business midnights in +08:00, SLA and due_at instants) and not a millisecond before,
// cleared when its cause ends, raised again by a new cause; NextChange at exactly the next
// boundary; Diff raising and clearing once. Statuses are folds of text-format OrderEvents.
#include "projections/risk.h"

#include <google/protobuf/text_format.h>
#include <google/protobuf/util/time_util.h>
#include <gtest/gtest.h>

#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "engine/decide.h"
#include "projections/alert_monitor.h"
#include "projections/order_view.h"
#include "tests/engine/history_generator.h"

namespace gendan {
namespace {

using Clock = std::chrono::system_clock;
using std::chrono::days;
using std::chrono::hours;
using std::chrono::milliseconds;
using std::chrono::minutes;
using std::chrono::nanoseconds;
using Kind = v1::AlertKind;

constexpr int kCst = 8 * 60;  // the business zone of these tests: +08:00

// The instant of a business wall-clock time "YYYY-MM-DD HH:MM" in a zone (+08:00 by default).
Clock::time_point At(std::string_view local, int offset_minutes = kCst) {
  std::optional<Date> d = ParseDate(local.substr(0, 10));
  EXPECT_TRUE(d.has_value() && local.size() == 16) << local;
  const int hh = std::stoi(std::string(local.substr(11, 2)));
  const int mm = std::stoi(std::string(local.substr(14, 2)));
  return Clock::time_point(d.value_or(Date{}).time_since_epoch() + hours(hh) + minutes(mm) -
                           minutes(offset_minutes));
}

int64_t Seconds(std::string_view local) {
  return std::chrono::floor<std::chrono::seconds>(At(local).time_since_epoch()).count();
}

RiskOptions Options() {
  RiskOptions o;
  o.offset = UtcOffset::FromMinutes(kCst);
  return o;
}

// Alerts as "A, B(x)", in OpenAlerts' order.
std::string Render(const std::vector<AlertKey>& keys) {
  std::string out;
  for (const AlertKey& k : keys) out += (out.empty() ? "" : ", ") + ToString(k);
  return out;
}

std::string Render(const std::vector<AlertChange>& changes) {
  std::string out;
  for (const AlertChange& c : changes) {
    out += (out.empty() ? "" : ", ") + std::string(c.raised ? "+" : "-") + ToString(c.key);
  }
  return out;
}

// One order's status, folded from OrderEvents written as payload text at business times.
//
//   Order o;
//   o.Place("2026-03-01 09:00").Confirm("2026-03-01 10:00", "2026-03-20");
//   EXPECT_EQ(o.Open("2026-03-13 00:00"), "DELIVERY_AT_RISK");
class Order {
 public:
  Order& Add(std::string_view local, std::string_view payload) {
    v1::OrderEvent e;
    EXPECT_TRUE(google::protobuf::TextFormat::ParseFromString(std::string(payload), &e)) << payload;
    e.set_order_id("O1");
    e.set_version(++version_);
    e.set_event_id("E" + std::to_string(version_));
    e.mutable_occurred_at()->set_seconds(Seconds(local));
    ApplyToStatus(status_, e, options.offset);
    return *this;
  }
  // order_placed with one line L1 of 10.
  Order& Place(std::string_view local) {
    return Add(local,
               "order_placed { customer_id: 'C1' merchandiser_id: 'M1' supplier_id: 'F1' "
               "lines { line_id: 'L1' sku: 'K' quantity: 10 } }");
  }
  Order& Confirm(std::string_view local, std::string_view promised) {
    return Add(local, "order_confirmed { promised_date: '" + std::string(promised) + "' }");
  }
  Order& Plan(std::string_view local, std::string_view milestone, std::string_view date) {
    return Add(local, "milestone_planned { milestone: " + std::string(milestone) +
                          " planned_date: '" + std::string(date) + "' }");
  }
  // Production started and completed, and a passed FINAL inspection: READY_TO_SHIP.
  Order& ReadyToShip(std::string_view local) {
    return Add(local, "production_started {}")
        .Add(local, "production_completed { produced_quantity: 10 }")
        .Add(local,
             "inspection_recorded { inspection_id: 'Q1' stage: FINAL result: PASSED "
             "inspected_quantity: 10 }");
  }
  Order& Ship(std::string_view local) {
    return Add(local,
               "shipment_dispatched { shipment_id: 'S1' lines { line_id: 'L1' quantity: 10 } }");
  }
  Order& Deliver(std::string_view local) {
    return Add(local, "shipment_delivered { shipment_id: 'S1' }");
  }
  Order& RaiseIssue(std::string_view local, std::string_view id, std::string_view severity,
                    std::string_view category = "QUALITY") {
    return Add(local, "issue_raised { issue_id: '" + std::string(id) + "' category: " +
                          std::string(category) + " severity: " + std::string(severity) + " }");
  }
  Order& Resolve(std::string_view local, std::string_view id) {
    return Add(local, "issue_resolved { issue_id: '" + std::string(id) + "' }");
  }
  Order& Reopen(std::string_view local, std::string_view id) {
    return Add(local, "issue_reopened { issue_id: '" + std::string(id) + "' }");
  }
  // A handoff from PRODUCTION to QUALITY due at the business time `due`.
  Order& RequestHandoff(std::string_view local, std::string_view id, std::string_view due) {
    return Add(local, "handoff_requested { handoff_id: '" + std::string(id) +
                          "' from_department: PRODUCTION to_department: QUALITY "
                          "subject: 'recheck' due_at { seconds: " +
                          std::to_string(Seconds(due)) + " } }");
  }

  std::string Open(Clock::time_point now) const {
    return Render(OpenAlerts(status_, now, options));
  }
  std::string Open(std::string_view local) const { return Open(At(local)); }
  std::vector<AlertKey> Keys(std::string_view local) const {
    return OpenAlerts(status_, At(local), options);
  }
  std::optional<Clock::time_point> Next(Clock::time_point now) const {
    return NextChange(status_, now, options);
  }
  const v1::OrderStatus& status() const { return status_; }

  RiskOptions options = Options();

 private:
  v1::OrderStatus status_;
  int64_t version_ = 0;
};

// Placed 03-01, committed to 04-30: nothing date-driven happens in March but milestones.
Order Confirmed(std::string_view commit = "2026-04-30") {
  Order o;
  o.Place("2026-03-01 09:00").Confirm("2026-03-01 10:00", commit);
  return o;
}

// ---- MILESTONE_OVERDUE ----------------------------------------------------------------------

TEST(RiskTest, MilestoneOverdueRaisesAtTheBusinessMidnightAfterItsPlannedDate) {
  // Invariant: MILESTONE_OVERDUE holds from 00:00 business time of planned_date + 1, not a ms
  // before.
  Order o = Confirmed();
  o.Plan("2026-03-01 11:00", "PRODUCTION_START", "2026-03-02");
  EXPECT_EQ(o.Open("2026-03-02 23:59"), "");
  EXPECT_EQ(o.Open(At("2026-03-03 00:00") - milliseconds(1)), "");
  EXPECT_EQ(o.Open(At("2026-03-03 00:00") - nanoseconds(1)), "");
  EXPECT_EQ(o.Open("2026-03-03 00:00"), "MILESTONE_OVERDUE(PRODUCTION_START)");
  EXPECT_EQ(o.Next(At("2026-03-02 09:00")), At("2026-03-03 00:00"));

  // The same status in UTC passes the date eight hours later.
  o.options.offset = UtcOffset::FromMinutes(0);
  EXPECT_EQ(o.Open("2026-03-03 00:00"), "");
  EXPECT_EQ(o.Open(At("2026-03-03 00:00", 0) - nanoseconds(1)), "");
  EXPECT_EQ(o.Open(At("2026-03-03 00:00", 0)), "MILESTONE_OVERDUE(PRODUCTION_START)");
  EXPECT_EQ(o.Next(At("2026-03-02 09:00")), At("2026-03-03 00:00", 0));
}

TEST(RiskTest, MilestoneOverdueClearsWhenItsFactHappens) {
  // Invariant: each milestone clears on its own fact (§6), and completion ends the plan.
  Order o = Confirmed();
  for (const char* m : {"MATERIALS_IN_HOUSE", "PRODUCTION_START", "PRODUCTION_END",
                        "FINAL_INSPECTION", "EX_FACTORY", "DELIVERY"}) {
    o.Plan("2026-03-01 11:00", m, "2026-03-02");
  }
  auto overdue = [&](std::string_view local) {
    std::string subjects;
    for (const AlertKey& k : o.Keys(local)) {
      if (k.kind == Kind::MILESTONE_OVERDUE) subjects += (subjects.empty() ? "" : " ") + k.subject;
    }
    return subjects;
  };
  EXPECT_EQ(overdue("2026-03-03 08:00"),
            "DELIVERY EX_FACTORY FINAL_INSPECTION MATERIALS_IN_HOUSE PRODUCTION_END "
            "PRODUCTION_START");
  o.Add("2026-03-03 09:00", "materials_in_house {}");
  EXPECT_EQ(overdue("2026-03-03 09:00"),
            "DELIVERY EX_FACTORY FINAL_INSPECTION PRODUCTION_END PRODUCTION_START");
  o.Add("2026-03-04 09:00", "production_started {}");
  EXPECT_EQ(overdue("2026-03-04 09:00"), "DELIVERY EX_FACTORY FINAL_INSPECTION PRODUCTION_END");
  o.Add("2026-03-05 09:00", "production_completed { produced_quantity: 10 }");
  EXPECT_EQ(overdue("2026-03-05 09:00"), "DELIVERY EX_FACTORY FINAL_INSPECTION");
  o.Add("2026-03-06 09:00",
        "inspection_recorded { inspection_id: 'Q0' stage: FINAL result: FAILED }");
  EXPECT_EQ(overdue("2026-03-06 09:00"), "DELIVERY EX_FACTORY FINAL_INSPECTION");
  o.Add("2026-03-07 09:00",
        "inspection_recorded { inspection_id: 'Q1' stage: FINAL result: PASSED }");
  EXPECT_EQ(overdue("2026-03-07 09:00"), "DELIVERY EX_FACTORY");
  o.Ship("2026-03-08 09:00");
  EXPECT_EQ(overdue("2026-03-08 09:00"), "DELIVERY");
  o.Deliver("2026-03-09 09:00");
  EXPECT_EQ(o.Open("2026-03-09 09:00"), "");
  EXPECT_EQ(o.Next(At("2026-03-09 09:00")), std::nullopt);
}

TEST(RiskTest, ReplannedMilestoneClearsAndRaisesAgainWhenTheNewDatePasses) {
  // Invariant: a re-plan later than today clears the alert; the new date passing raises it again.
  Order o = Confirmed();
  o.Plan("2026-03-01 11:00", "PRODUCTION_START", "2026-03-02");
  const std::vector<AlertKey> overdue = o.Keys("2026-03-03 08:00");
  EXPECT_EQ(Render(overdue), "MILESTONE_OVERDUE(PRODUCTION_START)");

  o.Plan("2026-03-03 09:00", "PRODUCTION_START", "2026-03-05");
  EXPECT_EQ(Render(Diff(overdue, o.Keys("2026-03-03 09:00"))),
            "-MILESTONE_OVERDUE(PRODUCTION_START)");
  EXPECT_EQ(o.Next(At("2026-03-03 09:00")), At("2026-03-06 00:00"));
  EXPECT_EQ(o.Open(At("2026-03-06 00:00") - nanoseconds(1)), "");
  EXPECT_EQ(Render(Diff(o.Keys("2026-03-05 23:59"), o.Keys("2026-03-06 00:00"))),
            "+MILESTONE_OVERDUE(PRODUCTION_START)");

  // Re-planning to a date already passed keeps it overdue; to today clears it until tomorrow.
  o.Plan("2026-03-06 09:00", "PRODUCTION_START", "2026-03-04");
  EXPECT_EQ(o.Open("2026-03-06 09:00"), "MILESTONE_OVERDUE(PRODUCTION_START)");
  o.Plan("2026-03-06 10:00", "PRODUCTION_START", "2026-03-06");
  EXPECT_EQ(o.Open("2026-03-06 23:59"), "");
  EXPECT_EQ(o.Open("2026-03-07 00:00"), "MILESTONE_OVERDUE(PRODUCTION_START)");
}

TEST(RiskTest, OnlyAPlannedMilestoneWhoseFactIsMissingAlerts) {
  // Invariant: a fact that happened (before or after its plan) or a missing plan never alerts.
  Order o = Confirmed();
  o.Add("2026-03-01 11:00", "production_started {}");
  o.Plan("2026-03-01 12:00", "PRODUCTION_START", "2026-03-02");  // planned after the fact
  o.Add("2026-03-05 09:00", "production_completed { produced_quantity: 10 }");  // never planned
  o.Plan("2026-03-01 12:00", "FINAL_INSPECTION", "not-a-date");
  EXPECT_EQ(o.Open("2026-03-20 09:00"), "");
  EXPECT_EQ(o.Next(At("2026-03-20 09:00")), At("2026-04-23 00:00"));  // only the commit buffer
}

// ---- DELIVERY_AT_RISK and LATE --------------------------------------------------------------

TEST(RiskTest, DeliveryAtRiskRaisesWhenTheCommitDateEntersTheBuffer) {
  // Invariant: DELIVERY_AT_RISK holds from 00:00 of commit_date - buffer_days, not a ms before.
  Order o = Confirmed("2026-03-20");
  EXPECT_EQ(o.Open("2026-03-01 10:00"), "");
  EXPECT_EQ(o.Next(At("2026-03-01 10:00")), At("2026-03-13 00:00"));
  EXPECT_EQ(o.Open(At("2026-03-13 00:00") - nanoseconds(1)), "");
  EXPECT_EQ(o.Open("2026-03-13 00:00"), "DELIVERY_AT_RISK");

  o.options.buffer_days = 3;
  EXPECT_EQ(o.Open("2026-03-16 23:59"), "");
  EXPECT_EQ(o.Open("2026-03-17 00:00"), "DELIVERY_AT_RISK");
  o.options.buffer_days = 0;  // at risk on the commit day only
  EXPECT_EQ(o.Open("2026-03-19 23:59"), "");
  EXPECT_EQ(o.Open("2026-03-20 00:00"), "DELIVERY_AT_RISK");
}

TEST(RiskTest, LateSupersedesDeliveryAtRiskWhenTheCommitDatePasses) {
  // Invariant: at the midnight the commit date passes, DELIVERY_AT_RISK clears and LATE raises.
  Order o = Confirmed("2026-03-20");
  EXPECT_EQ(o.Open(At("2026-03-21 00:00") - nanoseconds(1)), "DELIVERY_AT_RISK");
  EXPECT_EQ(o.Next(At("2026-03-20 12:00")), At("2026-03-21 00:00"));
  EXPECT_EQ(o.Open("2026-03-21 00:00"), "LATE");
  EXPECT_EQ(Render(Diff(o.Keys("2026-03-20 23:59"), o.Keys("2026-03-21 00:00"))),
            "-DELIVERY_AT_RISK, +LATE");
  EXPECT_EQ(o.Next(At("2026-03-21 00:00")), std::nullopt);  // LATE holds until an event
}

TEST(RiskTest, ReadyToShipEndsDeliveryAtRiskButNotLate) {
  // Invariant: READY_TO_SHIP or later clears DELIVERY_AT_RISK; only completion prevents LATE.
  Order o = Confirmed("2026-03-20");
  EXPECT_EQ(o.Open("2026-03-15 09:00"), "DELIVERY_AT_RISK");
  o.ReadyToShip("2026-03-15 10:00");
  EXPECT_EQ(o.Open("2026-03-15 10:00"), "");
  EXPECT_EQ(o.Next(At("2026-03-15 10:00")), At("2026-03-21 00:00"));
  EXPECT_EQ(o.Open("2026-03-21 00:00"), "LATE");
  o.Ship("2026-03-22 09:00");
  EXPECT_EQ(o.Open("2026-03-22 09:00"), "LATE");  // SHIPPING is not completion
}

TEST(RiskTest, CompletionClearsLate) {
  // Invariant: completion, even after the commit date, ends LATE and leaves nothing pending.
  Order o = Confirmed("2026-03-20");
  o.ReadyToShip("2026-03-18 09:00").Ship("2026-03-19 09:00");
  EXPECT_EQ(o.Open("2026-03-24 09:00"), "LATE");
  o.Deliver("2026-03-25 09:00");
  EXPECT_EQ(o.Open("2026-03-25 09:00"), "");
  EXPECT_EQ(o.Next(At("2026-03-25 09:00")), std::nullopt);
}

TEST(RiskTest, OnlyCommitmentAmendmentsMoveDeliveryAlerts) {
  // Invariant: CUSTOMER_REQUEST/ENTRY_ERROR amendments move the commit date and its alerts; others
  // don't.
  Order o = Confirmed("2026-03-20");
  EXPECT_EQ(o.Open("2026-03-22 09:00"), "LATE");
  o.Add("2026-03-22 10:00",
        "order_amended { reason: SUPPLY_CONSTRAINT new_promised_date: '2026-04-30' }");
  EXPECT_EQ(o.Open("2026-03-22 10:00"), "LATE");
  o.Add("2026-03-22 11:00",
        "order_amended { reason: CUSTOMER_REQUEST new_promised_date: '2026-04-30' }");
  EXPECT_EQ(o.Open("2026-03-22 11:00"), "");
  EXPECT_EQ(o.Next(At("2026-03-22 11:00")), At("2026-04-23 00:00"));
  EXPECT_EQ(o.Open("2026-04-23 00:00"), "DELIVERY_AT_RISK");
  EXPECT_EQ(o.Open("2026-05-01 00:00"), "LATE");
}

TEST(RiskTest, NoCommitDateNoDeliveryAlerts) {
  // Invariant: before confirmation there is no commitment, hence no DELIVERY_AT_RISK or LATE.
  Order o;
  o.Place("2026-03-01 09:00");
  EXPECT_EQ(o.Open("2027-01-01 00:00"), "");
  EXPECT_EQ(o.Next(At("2026-03-01 09:00")), std::nullopt);
}

// ---- ISSUE_SLA_BREACH -----------------------------------------------------------------------

TEST(RiskTest, IssueSlaBreachRaisesJustAfterEachSeveritysSla) {
  // Invariant: ISSUE_SLA_BREACH holds once open longer than its SLA; exactly at the SLA is within.
  Order o = Confirmed();
  o.RaiseIssue("2026-03-02 10:00", "I1", "CRITICAL")
      .RaiseIssue("2026-03-02 10:00", "I2", "MAJOR")
      .RaiseIssue("2026-03-02 10:00", "I3", "MINOR");
  const Clock::time_point t0 = At("2026-03-02 10:00");
  const milliseconds ms(1);
  EXPECT_EQ(o.Open(t0 + hours(24)), "");
  EXPECT_EQ(o.Open(t0 + hours(24) + ms - nanoseconds(1)), "");
  EXPECT_EQ(o.Open(t0 + hours(24) + ms), "ISSUE_SLA_BREACH(I1)");
  EXPECT_EQ(o.Open(t0 + hours(72)), "ISSUE_SLA_BREACH(I1)");
  EXPECT_EQ(o.Open(t0 + hours(72) + ms), "ISSUE_SLA_BREACH(I1), ISSUE_SLA_BREACH(I2)");
  EXPECT_EQ(o.Open(t0 + hours(168)), "ISSUE_SLA_BREACH(I1), ISSUE_SLA_BREACH(I2)");
  EXPECT_EQ(o.Open(t0 + hours(168) + ms),
            "ISSUE_SLA_BREACH(I1), ISSUE_SLA_BREACH(I2), ISSUE_SLA_BREACH(I3)");
  EXPECT_EQ(o.Next(t0), t0 + hours(24) + ms);
  EXPECT_EQ(o.Next(t0 + hours(24) + ms), t0 + hours(72) + ms);
  EXPECT_EQ(o.Next(t0 + hours(72) + ms), t0 + hours(168) + ms);
}

TEST(RiskTest, IssueSlasAreConfigurableAndUnknownSeverityIsMinor) {
  // Invariant: RiskOptions' SLAs decide the breach instant; an unset severity gets sla_minor.
  Order o = Confirmed();
  o.options.sla_critical = hours(4);
  o.options.sla_minor = hours(10);
  o.RaiseIssue("2026-03-02 10:00", "I1", "CRITICAL")
      .Add("2026-03-02 10:00", "issue_raised { issue_id: 'I9' category: OTHER }");
  const Clock::time_point t0 = At("2026-03-02 10:00");
  EXPECT_EQ(o.Next(t0), t0 + hours(4) + milliseconds(1));
  EXPECT_EQ(o.Open(t0 + hours(4) + milliseconds(1)), "ISSUE_SLA_BREACH(I1)");
  EXPECT_EQ(o.Open(t0 + hours(10)), "ISSUE_SLA_BREACH(I1)");
  EXPECT_EQ(o.Open(t0 + hours(10) + milliseconds(1)), "ISSUE_SLA_BREACH(I1), ISSUE_SLA_BREACH(I9)");
}

TEST(RiskTest, ResolvingClearsTheBreachAndReopeningRaisesItAgain) {
  // Invariant: resolve clears; a reopened issue past its SLA (counted from raised_at) breaches at
  // once.
  Order o = Confirmed();
  o.RaiseIssue("2026-03-02 10:00", "I1", "CRITICAL");
  const std::vector<AlertKey> breached = o.Keys("2026-03-03 11:00");
  EXPECT_EQ(Render(breached), "ISSUE_SLA_BREACH(I1)");
  o.Resolve("2026-03-03 12:00", "I1");
  const std::vector<AlertKey> resolved = o.Keys("2026-03-03 12:00");
  EXPECT_EQ(Render(Diff(breached, resolved)), "-ISSUE_SLA_BREACH(I1)");
  EXPECT_EQ(o.Next(At("2026-03-03 12:00")), At("2026-04-23 00:00"));  // only the commit buffer
  o.Reopen("2026-03-04 09:00", "I1");
  EXPECT_EQ(Render(Diff(resolved, o.Keys("2026-03-04 09:00"))), "+ISSUE_SLA_BREACH(I1)");
}

TEST(RiskTest, IssueReopenedWithinItsSlaBreachesAtTheOriginalDeadline) {
  // Invariant: a reopen does not restart the SLA clock.
  Order o = Confirmed();
  o.RaiseIssue("2026-03-02 10:00", "I1", "CRITICAL")
      .Resolve("2026-03-02 12:00", "I1")
      .Reopen("2026-03-02 20:00", "I1");
  EXPECT_EQ(o.Next(At("2026-03-02 20:00")), At("2026-03-03 10:00") + milliseconds(1));
  EXPECT_EQ(o.Open("2026-03-03 10:00"), "");
  EXPECT_EQ(o.Open("2026-03-03 10:01"), "ISSUE_SLA_BREACH(I1)");
}

// ---- HANDOFF_OVERDUE ------------------------------------------------------------------------

TEST(RiskTest, HandoffOverdueRaisesAfterDueAtUntilCompleted) {
  // Invariant: HANDOFF_OVERDUE holds from just after due_at until completed; acknowledging is not
  // enough.
  Order o = Confirmed();
  o.RequestHandoff("2026-03-02 10:00", "H1", "2026-03-05 18:00");
  const Clock::time_point due = At("2026-03-05 18:00");
  EXPECT_EQ(o.Next(At("2026-03-02 10:00")), due + milliseconds(1));
  EXPECT_EQ(o.Open(due), "");
  EXPECT_EQ(o.Open(due + milliseconds(1)), "HANDOFF_OVERDUE(H1)");
  o.Add("2026-03-05 19:00", "handoff_acknowledged { handoff_id: 'H1' }");
  EXPECT_EQ(o.Open("2026-03-05 19:00"), "HANDOFF_OVERDUE(H1)");
  o.Add("2026-03-06 09:00", "handoff_completed { handoff_id: 'H1' }");
  EXPECT_EQ(o.Open("2026-03-06 09:00"), "");
}

TEST(RiskTest, HandoffCompletedByDueAtNeverAlerts) {
  // Invariant: a handoff completed by its due_at (inclusive) is never overdue nor scheduled.
  Order o = Confirmed();
  o.RequestHandoff("2026-03-02 10:00", "H1", "2026-03-05 18:00")
      .Add("2026-03-05 18:00", "handoff_completed { handoff_id: 'H1' }");
  EXPECT_EQ(o.Open("2026-03-20 09:00"), "");
  EXPECT_EQ(o.Next(At("2026-03-05 18:00")), At("2026-04-23 00:00"));  // only the commit buffer
}

// ---- Terminal and completed orders ---------------------------------------------------------

TEST(RiskTest, CancellationClearsEveryAlertAndLeavesNothingPending) {
  // Invariant: a cancelled order has no alerts and nothing to re-evaluate.
  Order o = Confirmed("2026-03-10");
  o.Plan("2026-03-01 11:00", "PRODUCTION_START", "2026-03-02")
      .RaiseIssue("2026-03-02 10:00", "I1", "CRITICAL")
      .RaiseIssue("2026-03-12 10:00", "I2", "MINOR")
      .RequestHandoff("2026-03-02 10:00", "H1", "2026-03-05 18:00");
  EXPECT_EQ(o.Open("2026-03-12 10:00"),
            "MILESTONE_OVERDUE(PRODUCTION_START), LATE, ISSUE_SLA_BREACH(I1), "
            "HANDOFF_OVERDUE(H1)");
  o.Add("2026-03-12 11:00", "order_cancelled { reason: 'x' cancelled_by: CUSTOMER }");
  EXPECT_EQ(o.Open("2026-03-12 11:00"), "");
  EXPECT_EQ(o.Next(At("2026-03-12 11:00")), std::nullopt);
}

TEST(RiskTest, CompletionEndsPlanAndDeliveryAlertsButNotIssuesOrHandoffs) {
  // Invariant: completion clears milestone and delivery alerts; issue and handoff alerts go on.
  Order o = Confirmed("2026-03-10");
  o.Plan("2026-03-01 11:00", "MATERIALS_IN_HOUSE", "2026-03-02")  // skipped: never recorded
      .RaiseIssue("2026-03-02 10:00", "I1", "CRITICAL")
      .RequestHandoff("2026-03-02 10:00", "H1", "2026-03-05 18:00")
      .ReadyToShip("2026-03-09 09:00")
      .Ship("2026-03-10 09:00");
  EXPECT_EQ(o.Open("2026-03-11 09:00"),
            "MILESTONE_OVERDUE(MATERIALS_IN_HOUSE), LATE, ISSUE_SLA_BREACH(I1), "
            "HANDOFF_OVERDUE(H1)");
  o.Deliver("2026-03-11 10:00");
  EXPECT_EQ(o.Open("2026-03-11 10:00"), "ISSUE_SLA_BREACH(I1), HANDOFF_OVERDUE(H1)");
}

TEST(RiskTest, ClosedOrderKeepsOnlyIssueAlerts) {
  // Invariant: after closing only after-sales issues can breach their SLA.
  Order o = Confirmed("2026-03-20");
  o.RequestHandoff("2026-03-02 10:00", "H1", "2026-03-30 18:00")
      .ReadyToShip("2026-03-09 09:00")
      .Ship("2026-03-10 09:00")
      .Deliver("2026-03-11 10:00")
      .Add("2026-03-12 09:00", "order_closed {}")
      .RaiseIssue("2026-03-15 09:00", "C1", "MAJOR", "CUSTOMER_COMPLAINT");
  EXPECT_EQ(o.Next(At("2026-03-15 09:00")), At("2026-03-18 09:00") + milliseconds(1));
  EXPECT_EQ(o.Open("2026-03-18 09:00"), "");
  EXPECT_EQ(o.Open("2026-04-01 09:00"), "ISSUE_SLA_BREACH(C1)");  // H1 overdue, but closed
  o.Resolve("2026-04-01 10:00", "C1");
  EXPECT_EQ(o.Open("2026-04-01 10:00"), "");
}

// ---- NextChange -----------------------------------------------------------------------------

TEST(RiskTest, NextChangeWalksEveryBoundaryInOrder) {
  // Invariant: NextChange is exactly where the set changes: just before it old, at it new, none
  // between.
  Order o = Confirmed("2026-03-20");
  o.Plan("2026-03-01 11:00", "PRODUCTION_START", "2026-03-04")
      .RaiseIssue("2026-03-02 10:30", "I1", "MAJOR")
      .RequestHandoff("2026-03-02 10:00", "H1", "2026-03-10 17:45");
  std::vector<std::pair<Clock::time_point, std::string>> walk;
  Clock::time_point t = At("2026-03-02 11:00");
  while (std::optional<Clock::time_point> next = o.Next(t)) {
    ASSERT_GT(*next, t);
    EXPECT_EQ(o.Open(*next - nanoseconds(1)), o.Open(t));
    EXPECT_NE(o.Open(*next), o.Open(t));
    for (Clock::time_point probe = t; probe < *next; probe += minutes(30)) {
      EXPECT_EQ(o.Open(probe), o.Open(t));
    }
    walk.emplace_back(*next, o.Open(*next));
    t = *next;
  }
  const milliseconds ms(1);
  const std::vector<std::pair<Clock::time_point, std::string>> expected = {
      {At("2026-03-05 00:00"), "MILESTONE_OVERDUE(PRODUCTION_START)"},
      {At("2026-03-05 10:30") + ms, "MILESTONE_OVERDUE(PRODUCTION_START), ISSUE_SLA_BREACH(I1)"},
      {At("2026-03-10 17:45") + ms,
       "MILESTONE_OVERDUE(PRODUCTION_START), ISSUE_SLA_BREACH(I1), HANDOFF_OVERDUE(H1)"},
      {At("2026-03-13 00:00"),
       "MILESTONE_OVERDUE(PRODUCTION_START), DELIVERY_AT_RISK, ISSUE_SLA_BREACH(I1), "
       "HANDOFF_OVERDUE(H1)"},
      {At("2026-03-21 00:00"),
       "MILESTONE_OVERDUE(PRODUCTION_START), LATE, ISSUE_SLA_BREACH(I1), HANDOFF_OVERDUE(H1)"},
  };
  EXPECT_EQ(walk, expected);
}

TEST(RiskTest, NextChangeIgnoresBoundariesThatChangeNothing) {
  // Invariant: a rule that cannot hold (done, or an empty window) schedules nothing.
  Order o = Confirmed("2026-03-20");
  o.options.buffer_days = -1;  // an empty DELIVERY_AT_RISK window: [03-21, 03-21)
  o.Plan("2026-03-01 11:00", "PRODUCTION_START", "2026-03-04")
      .Add("2026-03-02 09:00", "production_started {}");
  EXPECT_EQ(o.Next(At("2026-03-02 09:00")), At("2026-03-21 00:00"));
  EXPECT_EQ(o.Open("2026-03-21 00:00"), "LATE");
}

// ---- Diff, messages, ids, at_risk -----------------------------------------------------------

TEST(RiskTest, DiffReportsEachRaisedAndClearedKeyOnceInKeyOrder) {
  // Invariant: raised iff only in after, cleared iff only in before, once each, whatever the input
  // order.
  const AlertKey late{Kind::LATE, ""};
  const AlertKey risk{Kind::DELIVERY_AT_RISK, ""};
  const AlertKey i1{Kind::ISSUE_SLA_BREACH, "I1"};
  const AlertKey i2{Kind::ISSUE_SLA_BREACH, "I2"};
  EXPECT_EQ(Render(Diff({}, {})), "");
  EXPECT_EQ(Render(Diff({late, i1}, {i1, late})), "");
  EXPECT_EQ(Render(Diff({}, {i2, late, i1})),
            "+LATE, +ISSUE_SLA_BREACH(I1), +ISSUE_SLA_BREACH(I2)");
  EXPECT_EQ(Render(Diff({i2, risk, i1}, {})),
            "-DELIVERY_AT_RISK, -ISSUE_SLA_BREACH(I1), -ISSUE_SLA_BREACH(I2)");
  EXPECT_EQ(Render(Diff({risk, i1, i1}, {i2, late, i1, late})),
            "-DELIVERY_AT_RISK, +LATE, +ISSUE_SLA_BREACH(I2)");
  EXPECT_EQ(Diff({risk}, {late}), (std::vector<AlertChange>{{risk, false}, {late, true}}));
}

TEST(RiskTest, AlertMessageNamesTheCause) {
  // Invariant: each alert's text says what is overdue, against which date or deadline.
  Order o = Confirmed("2026-03-20");
  o.Plan("2026-03-01 11:00", "PRODUCTION_START", "2026-03-02")
      .RaiseIssue("2026-03-02 10:00", "I1", "MAJOR")
      .RequestHandoff("2026-03-02 10:00", "H1", "2026-03-05 18:00");
  auto message = [&](Kind::Value kind, std::string subject, std::string_view local) {
    return AlertMessage(o.status(), {kind, std::move(subject)}, At(local), o.options);
  };
  EXPECT_EQ(message(Kind::MILESTONE_OVERDUE, "PRODUCTION_START", "2026-03-03 09:00"),
            "PRODUCTION_START planned 2026-03-02 has not happened");
  EXPECT_EQ(message(Kind::DELIVERY_AT_RISK, "", "2026-03-14 09:00"),
            "commit date 2026-03-20 is within 7 days (today 2026-03-14) and the order is "
            "CONFIRMED, not yet READY_TO_SHIP");
  EXPECT_EQ(message(Kind::LATE, "", "2026-03-21 00:00"),
            "commit date 2026-03-20 has passed (today 2026-03-21) and the order is not "
            "delivered (stage CONFIRMED)");
  EXPECT_EQ(message(Kind::ISSUE_SLA_BREACH, "I1", "2026-03-06 09:00"),
            "MAJOR QUALITY issue I1 raised 2026-03-02T02:00:00Z is open beyond its 72 h SLA");
  EXPECT_EQ(message(Kind::HANDOFF_OVERDUE, "H1", "2026-03-06 09:00"),
            "handoff H1 from PRODUCTION to QUALITY (recheck) was due 2026-03-05T10:00:00Z and "
            "is not completed");
  EXPECT_EQ(message(Kind::ISSUE_SLA_BREACH, "I404", "2026-03-06 09:00"), "ISSUE_SLA_BREACH I404");
}

TEST(RiskTest, AlertIdNamesOrderKindSubjectAndRaising) {
  // Invariant: alert ids follow "<order_id>/<KIND>/<subject>/<n>", distinct per raising.
  EXPECT_EQ(AlertId("O1", {Kind::LATE, ""}, 1), "O1/LATE//1");
  EXPECT_EQ(AlertId("O1", {Kind::MILESTONE_OVERDUE, "PRODUCTION_START"}, 2),
            "O1/MILESTONE_OVERDUE/PRODUCTION_START/2");
  EXPECT_EQ(ToString({Kind::HANDOFF_OVERDUE, "H1"}), "HANDOFF_OVERDUE(H1)");
  EXPECT_EQ(ToString({Kind::LATE, ""}), "LATE");
}

TEST(RiskTest, AtRiskIsExactlyDeliveryAtRiskOrLate) {
  // Invariant: the at_risk list filter agrees with the delivery alerts on every business day.
  std::vector<Order> orders(5, Confirmed("2026-03-20"));
  orders[1].ReadyToShip("2026-03-05 09:00");
  orders[2].ReadyToShip("2026-03-05 09:00").Ship("2026-03-06 09:00");
  orders[3].ReadyToShip("2026-03-05 09:00").Ship("2026-03-06 09:00").Deliver("2026-03-25 09:00");
  orders[4].Add("2026-03-05 09:00", "order_cancelled { reason: 'x' cancelled_by: INTERNAL }");
  for (const Order& o : orders) {
    for (Date day = *ParseDate("2026-03-06"); day <= *ParseDate("2026-04-05"); day += days(1)) {
      const std::string local = FormatDate(day) + " 12:00";
      bool alerted = false;
      for (const AlertKey& k : o.Keys(local)) {
        alerted |= k.kind == Kind::DELIVERY_AT_RISK || k.kind == Kind::LATE;
      }
      EXPECT_EQ(AtRisk(o.status(), day, 7), alerted) << o.status().stage() << " " << local;
      std::optional<Kind::Value> kind = DeliveryRisk(o.status(), day, 7);
      EXPECT_EQ(kind.has_value(), alerted);
    }
  }
}

// RiskNeutral's promise, which lets the projector skip evaluating alerts after such events: on
// generated histories (every event kind), the open alerts and NextChange of the status after a
// neutral event equal those before it, at instants before, around and long after it. Other
// events do change them (so the comparison can fail).
TEST(RiskTest, NeutralEventsChangeNoAssessment) {
  test::HistoryGenerator gen(29);
  DecideOptions decide;
  decide.now = test::HistoryGenerator::Now();
  const RiskOptions options = Options();
  std::set<int> neutral_seen;
  int changed_by_others = 0;
  for (int n = 0; n < 400; ++n) {
    OrderState state;
    v1::OrderStatus status;
    for (const v1::InboundEvent& inbound : gen.Next("ORD-" + std::to_string(n))) {
      auto decision = Decide(state, inbound, decide);
      auto* accepted = std::get_if<Accepted>(&decision);
      if (accepted == nullptr) continue;
      Evolve(state, accepted->event);
      const v1::OrderStatus before = status;
      ApplyToStatus(status, accepted->event, options.offset);
      const auto at = Clock::time_point(nanoseconds(
          google::protobuf::util::TimeUtil::TimestampToNanoseconds(accepted->event.occurred_at())));
      for (Clock::time_point now : {test::HistoryGenerator::Start(), at - days(2), at,
                                    at + hours(30), at + days(40), test::HistoryGenerator::Now()}) {
        RiskAt was = Assess(before, now, options), is = Assess(status, now, options);
        const bool same = was.open == is.open && was.next_change == is.next_change;
        if (RiskNeutral(accepted->event.payload_case())) {
          neutral_seen.insert(accepted->event.payload_case());
          EXPECT_TRUE(same) << v1::OrderEvent::descriptor()
                                   ->FindFieldByNumber(accepted->event.payload_case())
                                   ->name()
                            << " of " << accepted->event.order_id() << " at "
                            << Clock::to_time_t(now);
        } else if (!same) {
          ++changed_by_others;
        }
      }
    }
  }
  EXPECT_EQ(neutral_seen.size(), 7u);  // every neutral kind was checked
  EXPECT_GT(changed_by_others, 100);
}

}  // namespace
// A caller that keeps the alert set serialized (the projector's cache) hands it over only when
// the memo cannot answer: the first evaluation (no memo) and a raising or clearing. The set and
// records come out as with the set handed over every time.
TEST(RiskTest, AlertMonitorAsksForTheSetOnlyWhenAnAlertChanges) {
  Order o = Confirmed();
  o.Plan("2026-03-01 11:00", "PRODUCTION_START", "2026-03-02");
  v1::AlertSet lazy_set, eager_set;
  int64_t lazy_seq = 1, eager_seq = 1;
  std::string memo;
  std::vector<v1::Alert> lazy_records, eager_records;
  int asked = 0;
  auto evaluate = [&](std::string_view local) {
    AlertMonitor::Evaluate(
        o.status(), At(local), o.options,
        [&] {
          ++asked;
          return &lazy_set;
        },
        &lazy_seq, &lazy_records, &memo);
    AlertMonitor::Evaluate(o.status(), At(local), o.options, &eager_set, &eager_seq,
                           &eager_records);
  };
  evaluate("2026-03-02 09:00");
  EXPECT_EQ(asked, 1);  // no memo yet
  evaluate("2026-03-02 18:00");
  EXPECT_EQ(asked, 1);  // nothing raised or cleared: the memo answers
  evaluate("2026-03-03 00:00");
  EXPECT_EQ(asked, 2);  // MILESTONE_OVERDUE raised
  ASSERT_EQ(lazy_set.open_size(), 1);
  evaluate("2026-03-04 00:00");
  EXPECT_EQ(asked, 2);
  EXPECT_EQ(lazy_set.SerializeAsString(), eager_set.SerializeAsString());
  ASSERT_EQ(lazy_records.size(), 1u);
  EXPECT_EQ(lazy_records[0].SerializeAsString(), eager_records[0].SerializeAsString());
  EXPECT_EQ(lazy_seq, eager_seq);
}

}  // namespace gendan
