// Risk alerts of DOMAIN.md §6: which alerts an order's status has open at an instant, when that
// set next changes without a new event, and what changed between two evaluations.
//
//   std::vector<AlertKey> open = OpenAlerts(status, now, options);
//   for (const AlertChange& c : Diff(was_open, open)) Publish(c, AlertMessage(status, c.key, ...));
//   if (auto at = NextChange(status, now, options)) ScheduleReevaluation(status.order_id(), *at);
//
// Pure functions of (status, now, options); thread-safe. Nothing here reads the system clock:
// `now` is the caller's (injectable) clock, so replays and tests are deterministic.
//
// Decisions where DOMAIN.md §6 leaves room (binding for the monitor, the at_risk filter and the
// API):
// - "today" is the business date of `now` under RiskOptions::offset, and a date has passed from
//   the business midnight that ends it. So MILESTONE_OVERDUE raises at 00:00 of planned_date + 1,
//   DELIVERY_AT_RISK at 00:00 of commit_date - buffer_days, LATE at 00:00 of commit_date + 1.
// - LATE supersedes DELIVERY_AT_RISK: DELIVERY_AT_RISK holds while today <= commit date <=
//   today + buffer_days; at the midnight the commit date passes it clears and LATE raises, so an
//   order has at most one of the two open. AtRisk (order_view.h) is "either of them".
// - Instants compare at millisecond resolution, as the KPIs do (kpi.h). ISSUE_SLA_BREACH holds
//   when now - raised_at > the severity's SLA (an issue resolved exactly at its SLA is "within
//   SLA" in issue_sla_rate and never alerted); an unknown severity gets the MINOR SLA. The clock
//   runs from raised_at and is not restarted by a reopen: a reopened issue past its SLA is
//   breached again at once. HANDOFF_OVERDUE holds when now > due_at and the handoff has no
//   completed_at (acknowledging does not stop it). The engine requires due_at; a status
//   without one never alerts.
// - Cancelled orders have no alerts. Closed orders have only ISSUE_SLA_BREACH (after-sales
//   complaints). A completed order (completed_at set) has no MILESTONE_OVERDUE, DELIVERY_AT_RISK
//   or LATE: completion ends the plan, including a skipped optional step such as
//   MATERIALS_IN_HOUSE. Its issue and handoff alerts go on until closing.
// - A milestone never planned, with a planned date that does not parse, or whose fact already
//   happened (MilestoneStatus.actual_at, whenever it happened) never alerts; a commit date that
//   does not parse gives no DELIVERY_AT_RISK or LATE. on_hold changes nothing.
#pragma once

#include <chrono>
#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "gendan/v1/alert.pb.h"
#include "gendan/v1/events.pb.h"
#include "gendan/v1/status.pb.h"
#include "projections/business_time.h"

namespace gendan {

struct RiskOptions {
  // Business time zone: decides "today" and the midnights at which dates pass.
  UtcOffset offset;
  // DELIVERY_AT_RISK starts this many days before the commit date (config risk.buffer_days).
  // Larger warns earlier and more often.
  int buffer_days = 7;
  // Issue SLAs by severity (DOMAIN.md §5 defaults; the same as KpiOptions').
  std::chrono::hours sla_critical{24};
  std::chrono::hours sla_major{72};
  std::chrono::hours sla_minor{168};
};

// One alert of one order: its kind and subject (the milestone's name, the issue_id or the
// handoff_id; empty for DELIVERY_AT_RISK and LATE). Ordered by kind, then subject.
struct AlertKey {
  v1::AlertKind::Value kind = v1::AlertKind::ALERT_KIND_UNSPECIFIED;
  std::string subject;

  // NOLINTNEXTLINE(modernize-use-nullptr): clang-tidy misreads the defaulted <=>'s "< 0".
  auto operator<=>(const AlertKey&) const = default;
};

// "LATE", "MILESTONE_OVERDUE(PRODUCTION_START)", "ISSUE_SLA_BREACH(I1)": for logs and tests.
std::string ToString(const AlertKey& key);

// The alerts open for `status` at `now`, sorted and without duplicates.
std::vector<AlertKey> OpenAlerts(const v1::OrderStatus& status,
                                 std::chrono::system_clock::time_point now,
                                 const RiskOptions& options);

// The earliest instant after `now` at which OpenAlerts gives a different answer for this same
// status (a business midnight when a date passes or enters the buffer, an SLA expiry, a
// handoff's due_at): OpenAlerts just before it equals OpenAlerts(now), at it differs. nullopt
// when no such instant exists (or none before system_clock's range ends). A new event can change
// the answer: re-ask after every event.
std::optional<std::chrono::system_clock::time_point> NextChange(
    const v1::OrderStatus& status, std::chrono::system_clock::time_point now,
    const RiskOptions& options);

// OpenAlerts and NextChange together, from one pass over the rules.
struct RiskAt {
  std::vector<AlertKey> open;
  std::optional<std::chrono::system_clock::time_point> next_change;
};
RiskAt Assess(const v1::OrderStatus& status, std::chrono::system_clock::time_point now,
              const RiskOptions& options);

// An AlertKey whose subject is borrowed: from `status` (an issue or handoff id) or from a
// static enum name. Valid while the status is unchanged.
struct AlertKeyView {
  v1::AlertKind::Value kind = v1::AlertKind::ALERT_KIND_UNSPECIFIED;
  std::string_view subject;

  // NOLINTNEXTLINE(modernize-use-nullptr): clang-tidy misreads the defaulted <=>'s "< 0".
  auto operator<=>(const AlertKeyView&) const = default;
};

// Assess without copying a subject: the open alerts into `open` (cleared first; sorted, no
// duplicates), NextChange returned. What the projector asks after every event, where the usual
// answer is "the same alerts as before" and copies would be most of the cost.
std::optional<std::chrono::system_clock::time_point> AssessInto(
    const v1::OrderStatus& status, std::chrono::system_clock::time_point now,
    const RiskOptions& options, std::vector<AlertKeyView>& open);
// The keys with their subjects copied, for when what they borrow from may change.
std::vector<AlertKey> Owned(const std::vector<AlertKeyView>& keys);

struct AlertChange {
  AlertKey key;
  bool raised = false;  // true: open in `after` only; false: cleared, open in `before` only

  bool operator==(const AlertChange&) const = default;
};

// Whether an event of this kind leaves everything the rules read as it was: ApplyToStatus
// (projections/order_view.h) changes none of the stage, commit date, completion, milestones,
// issues or handoffs' due and completion for documents, contacts, feedback, a handoff's
// acknowledgement or a hold. After such an event the open alerts and NextChange are those of the
// status before it, so the projector need not ask again until NextChange
// (RiskTest.NeutralEventsChangeNoAssessment checks it on generated histories).
bool RiskNeutral(v1::OrderEvent::PayloadCase payload);

// The alerts raised (in `after`, not in `before`) and cleared (in `before`, not in `after`),
// each key once, in key order. Inputs need not be sorted; duplicates count once.
std::vector<AlertChange> Diff(const std::vector<AlertKey>& before,
                              const std::vector<AlertKey>& after);
// Diff of sorted borrowed keys into `changes` (cleared first), copying only the keys that
// changed: what the alert monitor asks after an event that raised or cleared something.
void DiffInto(const std::vector<AlertKeyView>& before, const std::vector<AlertKeyView>& after,
              std::vector<AlertChange>& changes);

// Human text for an alert open at `now`, e.g. "PRODUCTION_START planned 2026-03-02 has not
// happened". A key the status does not explain gets a plain "<KIND> <subject>".
std::string AlertMessage(const v1::OrderStatus& status, const AlertKey& key,
                         std::chrono::system_clock::time_point now, const RiskOptions& options);

// Alert.alert_id: "<order_id>/<KIND>/<subject>/<raising>", raising = 1 for the first time the
// key is raised on the order, 2 after it cleared and was raised again, ...
std::string AlertId(const std::string& order_id, const AlertKey& key, int64_t raising);

// The delivery alert of `status` on the business date `today` (LATE or DELIVERY_AT_RISK), or
// nullopt: the date-only half of OpenAlerts, for the at_risk list filter.
std::optional<v1::AlertKind::Value> DeliveryRisk(const v1::OrderStatus& status, Date today,
                                                 int buffer_days);

}  // namespace gendan
