#include "projections/risk.h"

#include <google/protobuf/util/time_util.h>

#include <algorithm>
#include <limits>
#include <string_view>

#include "projections/kpi_facts.h"

namespace gendan {
namespace {

using Clock = std::chrono::system_clock;
using std::chrono::days;
using std::chrono::milliseconds;

constexpr Millis kForever = std::numeric_limits<Millis>::max();

// Every rule of §6, for a fixed status, holds on one half-open interval of instants
// [from, until) (milliseconds since the epoch). OpenAlerts and NextChange both read these
// windows, so the set at an instant and the instant it changes cannot disagree. The subject
// points into the status or at an enum name: a window is built for every rule after every
// event, and only the open ones become AlertKeys.
struct Window {
  v1::AlertKind::Value kind;
  std::string_view subject;
  Millis from = 0;
  Millis until = kForever;
};

// A window of business dates [from, until), for the delivery rules (whose subject is empty).
struct DateWindow {
  v1::AlertKind::Value kind;
  Date from;
  std::optional<Date> until;  // nullopt: open-ended
};

// DELIVERY_AT_RISK's and LATE's windows, those that apply: a fixed list, as this is asked after
// every event.
struct DeliveryWindowList {
  DateWindow windows[2];
  int size = 0;
  const DateWindow* begin() const { return windows; }
  const DateWindow* end() const { return windows + size; }
};

bool Cancelled(const v1::OrderStatus& s) { return s.stage() == v1::Stage::CANCELLED; }
bool Closed(const v1::OrderStatus& s) { return s.stage() == v1::Stage::CLOSED; }
// Cancelled, closed or completed: the plan and the commitment are over.
bool PlanOver(const v1::OrderStatus& s) {
  return Cancelled(s) || Closed(s) || s.has_completed_at();
}

// The first instant of the business date d.
Millis Midnight(Date d, UtcOffset offset) {
  return (int64_t{d.time_since_epoch().count()} * 86400 - int64_t{offset.minutes()} * 60) * 1000;
}

DeliveryWindowList DeliveryWindows(const v1::OrderStatus& s, int buffer_days) {
  DeliveryWindowList out;
  std::optional<Date> commit = ParseDate(s.commit_date());
  if (!commit || PlanOver(s)) return out;
  const Date passed = *commit + days(1);
  if (s.stage() < v1::Stage::READY_TO_SHIP) {
    out.windows[out.size++] = {v1::AlertKind::DELIVERY_AT_RISK, *commit - days(buffer_days),
                               passed};
  }
  out.windows[out.size++] = {v1::AlertKind::LATE, passed, std::nullopt};
  return out;
}

std::chrono::hours Sla(v1::IssueSeverity::Value severity, const RiskOptions& o) {
  if (severity == v1::IssueSeverity::CRITICAL) return o.sla_critical;
  if (severity == v1::IssueSeverity::MAJOR) return o.sla_major;
  return o.sla_minor;
}

// The date windows at their business midnights, then the instant-driven rules, into `out`.
void Windows(const v1::OrderStatus& s, const RiskOptions& o, std::vector<Window>& out) {
  out.clear();
  if (Cancelled(s)) return;
  for (const DateWindow& w : DeliveryWindows(s, o.buffer_days)) {
    out.push_back({w.kind, "", Midnight(w.from, o.offset),
                   w.until ? Midnight(*w.until, o.offset) : kForever});
  }
  if (!PlanOver(s)) {
    for (const v1::MilestoneStatus& m : s.milestones()) {
      if (m.has_actual_at()) continue;
      std::optional<Date> planned = ParseDate(m.planned_date());
      if (!planned) continue;
      out.push_back({v1::AlertKind::MILESTONE_OVERDUE, v1::Milestone::Value_Name(m.milestone()),
                     Midnight(*planned + days(1), o.offset), kForever});
    }
  }
  for (const v1::IssueStatus& i : s.issues()) {
    if (!i.open() || !i.has_raised_at()) continue;
    Millis sla = std::chrono::duration_cast<milliseconds>(Sla(i.severity(), o)).count();
    out.push_back(
        {v1::AlertKind::ISSUE_SLA_BREACH, i.issue_id(), ToMillis(i.raised_at()) + sla + 1});
  }
  if (Closed(s)) return;
  for (const v1::HandoffStatus& h : s.handoffs()) {
    if (!h.has_due_at() || h.has_completed_at()) continue;
    out.push_back({v1::AlertKind::HANDOFF_OVERDUE, h.handoff_id(), ToMillis(h.due_at()) + 1});
  }
}

std::string Rfc3339(const google::protobuf::Timestamp& t) {
  return google::protobuf::util::TimeUtil::ToString(t);
}

template <typename List, typename Pred>
auto* FindIf(const List& list, Pred pred) {
  auto it = std::find_if(list.begin(), list.end(), pred);
  return it == list.end() ? nullptr : &*it;
}

std::string MilestoneMessage(const v1::OrderStatus& s, const AlertKey& key) {
  const auto* m = FindIf(s.milestones(), [&](const v1::MilestoneStatus& x) {
    return v1::Milestone::Value_Name(x.milestone()) == key.subject;
  });
  if (m == nullptr) return "";
  return key.subject + " planned " + m->planned_date() + " has not happened";
}

std::string DeliveryMessage(const v1::OrderStatus& s, const AlertKey& key, Date today,
                            const RiskOptions& o) {
  const std::string stage = v1::Stage::Value_Name(s.stage());
  if (key.kind == v1::AlertKind::LATE) {
    return "commit date " + s.commit_date() + " has passed (today " + FormatDate(today) +
           ") and the order is not delivered (stage " + stage + ")";
  }
  return "commit date " + s.commit_date() + " is within " + std::to_string(o.buffer_days) +
         " days (today " + FormatDate(today) + ") and the order is " + stage +
         ", not yet READY_TO_SHIP";
}

std::string IssueMessage(const v1::OrderStatus& s, const AlertKey& key, const RiskOptions& o) {
  const auto* i =
      FindIf(s.issues(), [&](const v1::IssueStatus& x) { return x.issue_id() == key.subject; });
  if (i == nullptr) return "";
  return v1::IssueSeverity::Value_Name(i->severity()) + " " +
         v1::IssueCategory::Value_Name(i->category()) + " issue " + i->issue_id() + " raised " +
         Rfc3339(i->raised_at()) + " is open beyond its " +
         std::to_string(Sla(i->severity(), o).count()) + " h SLA";
}

std::string HandoffMessage(const v1::OrderStatus& s, const AlertKey& key) {
  const auto* h = FindIf(s.handoffs(),
                         [&](const v1::HandoffStatus& x) { return x.handoff_id() == key.subject; });
  if (h == nullptr) return "";
  return "handoff " + h->handoff_id() + " from " +
         v1::Department::Value_Name(h->from_department()) + " to " +
         v1::Department::Value_Name(h->to_department()) + " (" + h->subject() + ") was due " +
         Rfc3339(h->due_at()) + " and is not completed";
}

}  // namespace

std::string ToString(const AlertKey& key) {
  std::string kind = v1::AlertKind::Value_Name(key.kind);
  if (kind.empty()) kind = "AlertKind(" + std::to_string(static_cast<int>(key.kind)) + ")";
  return key.subject.empty() ? kind : kind + "(" + key.subject + ")";
}

std::optional<Clock::time_point> AssessInto(const v1::OrderStatus& status, Clock::time_point now,
                                            const RiskOptions& options,
                                            std::vector<AlertKeyView>& open) {
  // A boundary b (whole milliseconds) is after `now` exactly when b > floor(now).
  const Millis t = FloorMillis(now);
  const Millis last = FloorMillis(Clock::time_point::max());
  thread_local std::vector<Window> windows;  // reused: this runs after every event
  Windows(status, options, windows);
  open.clear();
  std::optional<Millis> next;
  for (const Window& w : windows) {
    if (w.from >= w.until) continue;  // never holds, so its ends change nothing
    for (Millis b : {w.from, w.until}) {
      if (b > t && b <= last && (!next || b < *next)) next = b;
    }
    if (w.from <= t && t < w.until) open.push_back({w.kind, w.subject});
  }
  std::sort(open.begin(), open.end());
  open.erase(std::unique(open.begin(), open.end()), open.end());
  if (!next) return std::nullopt;
  return Clock::time_point(std::chrono::duration_cast<Clock::duration>(milliseconds(*next)));
}

std::vector<AlertKey> Owned(const std::vector<AlertKeyView>& keys) {
  std::vector<AlertKey> out;
  out.reserve(keys.size());
  for (const AlertKeyView& k : keys) out.push_back({k.kind, std::string(k.subject)});
  return out;
}

RiskAt Assess(const v1::OrderStatus& status, Clock::time_point now, const RiskOptions& options) {
  thread_local std::vector<AlertKeyView> open;
  RiskAt at;
  at.next_change = AssessInto(status, now, options, open);
  at.open = Owned(open);
  return at;
}

std::vector<AlertKey> OpenAlerts(const v1::OrderStatus& status, Clock::time_point now,
                                 const RiskOptions& options) {
  return Assess(status, now, options).open;
}

std::optional<Clock::time_point> NextChange(const v1::OrderStatus& status, Clock::time_point now,
                                            const RiskOptions& options) {
  return Assess(status, now, options).next_change;
}

bool RiskNeutral(v1::OrderEvent::PayloadCase payload) {
  switch (payload) {
    case v1::OrderEvent::kDocumentIssued:
    case v1::OrderEvent::kDocumentCorrected:
    case v1::OrderEvent::kCustomerContacted:
    case v1::OrderEvent::kFeedbackReceived:
    case v1::OrderEvent::kHandoffAcknowledged:
    case v1::OrderEvent::kOrderHeld:
    case v1::OrderEvent::kOrderReleased: return true;
    default: return false;
  }
}

std::vector<AlertChange> Diff(const std::vector<AlertKey>& before,
                              const std::vector<AlertKey>& after) {
  auto sorted = [](const std::vector<AlertKey>& keys) {
    std::vector<AlertKeyView> views;
    views.reserve(keys.size());
    for (const AlertKey& k : keys) views.push_back({k.kind, k.subject});
    std::sort(views.begin(), views.end());
    return views;
  };
  std::vector<AlertChange> changes;
  DiffInto(sorted(before), sorted(after), changes);
  return changes;
}

void DiffInto(const std::vector<AlertKeyView>& before, const std::vector<AlertKeyView>& after,
              std::vector<AlertChange>& changes) {
  changes.clear();
  // Past every copy of the key at k.
  auto past = [](const std::vector<AlertKeyView>& keys, size_t& k) {
    const AlertKeyView key = keys[k];
    while (k < keys.size() && keys[k] == key) ++k;
  };
  size_t i = 0, j = 0;
  while (i < before.size() || j < after.size()) {
    if (j == after.size() || (i < before.size() && before[i] < after[j])) {
      changes.push_back({{before[i].kind, std::string(before[i].subject)}, false});
      past(before, i);
    } else if (i == before.size() || after[j] < before[i]) {
      changes.push_back({{after[j].kind, std::string(after[j].subject)}, true});
      past(after, j);
    } else {
      past(before, i);
      past(after, j);
    }
  }
}

std::string AlertMessage(const v1::OrderStatus& status, const AlertKey& key, Clock::time_point now,
                         const RiskOptions& options) {
  std::string text;
  switch (key.kind) {
    case v1::AlertKind::MILESTONE_OVERDUE: text = MilestoneMessage(status, key); break;
    case v1::AlertKind::DELIVERY_AT_RISK:
    case v1::AlertKind::LATE: {
      Date today = BusinessDateOf(FloorMillis(now), options.offset);
      text = DeliveryMessage(status, key, today, options);
      break;
    }
    case v1::AlertKind::ISSUE_SLA_BREACH: text = IssueMessage(status, key, options); break;
    case v1::AlertKind::HANDOFF_OVERDUE: text = HandoffMessage(status, key); break;
    default: break;
  }
  if (!text.empty()) return text;
  return key.subject.empty() ? ToString(key)
                             : v1::AlertKind::Value_Name(key.kind) + " " + key.subject;
}

std::string AlertId(const std::string& order_id, const AlertKey& key, int64_t raising) {
  return order_id + "/" + v1::AlertKind::Value_Name(key.kind) + "/" + key.subject + "/" +
         std::to_string(raising);
}

std::optional<v1::AlertKind::Value> DeliveryRisk(const v1::OrderStatus& status, Date today,
                                                 int buffer_days) {
  for (const DateWindow& w : DeliveryWindows(status, buffer_days)) {
    if (w.from <= today && (!w.until || today < *w.until)) return w.kind;
  }
  return std::nullopt;
}

}  // namespace gendan
