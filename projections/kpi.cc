// KPI keys and the contributions of one order (DOMAIN.md §5); the decisions are in kpi.h.
#include "projections/kpi.h"

#include <algorithm>
#include <cstdio>

namespace gendan {
namespace {

constexpr std::array<std::string_view, kKpiCount> kKpiNames = {
    "otif_rate",
    "on_time_delivery_rate",
    "completion_rate",
    "perfect_order_rate",
    "order_accuracy_rate",
    "confirmation_hours",
    "cycle_time_days",
    "csat",
    "rating",
    "complaint_rate",
    "issue_resolution_hours",
    "issue_sla_rate",
    "issue_reopen_rate",
    "first_contact_resolution_rate",
    "handoff_ack_hours",
    "handoff_on_time_rate",
    "inspection_pass_rate",
    "first_pass_yield",
    "defect_ppm",
    "proactive_update_rate",
};

constexpr std::array<std::string_view, 4> kGroupKindNames = {"none", "merchandiser", "customer",
                                                             "supplier"};

constexpr double kMillisPerHour = 3'600'000.0;
constexpr double kMillisPerDay = 86'400'000.0;

// Builds one order's contributions; each method is one family of §5's table.
class Contributor {
 public:
  Contributor(const OrderFacts& f, const KpiOptions& o, std::vector<Contribution>* out)
      : f_(f), o_(o), out_(*out) {}

  void Run() {
    if (!f_.placed || f_.cancelled) return;
    Order();
    Delivery();
    Feedback();
    for (const IssueFacts& issue : f_.issues) Issue(issue);
    for (const HandoffFacts& h : f_.handoffs) Handoff(h);
    Inspections();
  }

 private:
  Date DateOf(Millis at) const { return BusinessDateOf(at, o_.offset); }

  void Rate(KpiKey key, Date date, bool hit, int64_t den = 1) {
    Contribution& c = out_.emplace_back();
    c.key = key;
    c.date = date;
    c.num = hit ? 1 : 0;
    c.den = den;
  }
  // A duration from `from` to `to` in the key's unit; negative ones count as 0 (kpi.h).
  void Sample(KpiKey key, Millis from, Millis to, double millis_per_unit) {
    Contribution& c = out_.emplace_back();
    c.key = key;
    c.date = DateOf(to);
    c.sample = std::max<double>(0, double(to - from) / millis_per_unit);
  }

  void Order() {
    Rate(KpiKey::kOrderAccuracyRate, DateOf(f_.placed_at),
         !f_.entry_error && !f_.document_corrected);
    if (f_.confirmed_at) {
      Sample(KpiKey::kConfirmationHours, f_.placed_at, *f_.confirmed_at, kMillisPerHour);
    }
    if (f_.commit_date) {
      bool completed = f_.completed_at.has_value();
      Rate(KpiKey::kOtifRate, *f_.commit_date,
           completed && DateOf(*f_.completed_at) <= *f_.commit_date);
      Rate(KpiKey::kCompletionRate, *f_.commit_date, completed);
    }
  }

  void Delivery() {
    if (!f_.completed_at) return;
    const Millis done = *f_.completed_at;
    const Date date = DateOf(done);
    const bool on_time = f_.commit_date && date <= *f_.commit_date;
    if (f_.commit_date) Rate(KpiKey::kOnTimeDeliveryRate, date, on_time);
    Rate(KpiKey::kPerfectOrderRate, date,
         on_time && !f_.document_corrected && !f_.damaged && !f_.bad_complaint());
    Sample(KpiKey::kCycleTimeDays, f_.placed_at, done, kMillisPerDay);
    Rate(KpiKey::kComplaintRate, date, false);
    Rate(KpiKey::kProactiveUpdateRate, date,
         f_.first_status_update && *f_.first_status_update < done);
  }

  void Feedback() {
    for (const FeedbackFacts& fb : f_.feedbacks) {
      Date date = DateOf(fb.at);
      Rate(KpiKey::kCsat, date, fb.rating >= 4);
      Contribution& c = out_.emplace_back();
      c.key = KpiKey::kRating;
      c.date = date;
      c.sample = fb.rating;
    }
  }

  Millis SlaMillis(v1::IssueSeverity::Value severity) const {
    std::chrono::hours sla = o_.sla_minor;
    if (severity == v1::IssueSeverity::CRITICAL) sla = o_.sla_critical;
    if (severity == v1::IssueSeverity::MAJOR) sla = o_.sla_major;
    return std::chrono::duration_cast<std::chrono::milliseconds>(sla).count();
  }

  void Issue(const IssueFacts& issue) {
    if (issue.complaint()) {
      Contribution& c = out_.emplace_back();
      c.key = KpiKey::kComplaintRate;
      c.date = DateOf(issue.raised_at);
      c.num = 1;
    }
    for (Millis at : issue.resolved_at) Rate(KpiKey::kIssueReopenRate, DateOf(at), false);
    for (Millis at : issue.reopened_at) Rate(KpiKey::kIssueReopenRate, DateOf(at), true, 0);
    if (!issue.resolved || issue.resolved_at.empty()) return;
    const Millis last = issue.resolved_at.back();
    Sample(KpiKey::kIssueResolutionHours, issue.raised_at, last, kMillisPerHour);
    Rate(KpiKey::kIssueSlaRate, DateOf(last), last - issue.raised_at <= SlaMillis(issue.severity));
    if (issue.complaint()) {
      Rate(KpiKey::kFirstContactResolutionRate, DateOf(last),
           issue.first_contact && !issue.ever_reopened());
    }
  }

  void Handoff(const HandoffFacts& h) {
    if (h.acked_at) Sample(KpiKey::kHandoffAckHours, h.requested_at, *h.acked_at, kMillisPerHour);
    if (h.due_at) {
      Rate(KpiKey::kHandoffOnTimeRate, DateOf(*h.due_at),
           h.completed_at && *h.completed_at <= *h.due_at);
    }
  }

  void Inspections() {
    const InspectionFacts* first_final = nullptr;
    for (const InspectionFacts& i : f_.inspections) {
      Date date = DateOf(i.at);
      if (i.final()) {
        Rate(KpiKey::kInspectionPassRate, date, i.passed());
        out_.back().supplier = i.supplier_id;
        if (first_final == nullptr || i.at < first_final->at) first_final = &i;
      }
      if (i.inspected != 0 || i.defective != 0) {
        Contribution& c = out_.emplace_back();
        c.key = KpiKey::kDefectPpm;
        c.date = date;
        c.num = i.defective;
        c.den = i.inspected;
        c.supplier = i.supplier_id;
      }
    }
    if (first_final != nullptr) {
      Rate(KpiKey::kFirstPassYield, DateOf(first_final->at), first_final->passed());
      out_.back().supplier = first_final->supplier_id;
    }
  }

  const OrderFacts& f_;
  const KpiOptions& o_;
  std::vector<Contribution>& out_;
};

const std::string& GroupOf(GroupKind kind, const Contribution& c, const OrderFacts& f) {
  static const std::string kEmpty;
  switch (kind) {
    case GroupKind::kNone: return kEmpty;
    case GroupKind::kMerchandiser: return f.merchandiser_id;
    case GroupKind::kCustomer: return f.customer_id;
    case GroupKind::kSupplier: return c.supplier.empty() ? f.supplier_id : c.supplier;
  }
  return kEmpty;
}

void AddOne(const Contribution& c, const OrderFacts& f, int sign, CellMap* out) {
  for (GroupKind kind : kAllGroupKinds) {
    CellKey key{kind, GroupOf(kind, c, f), c.date, c.key};
    auto it = out->try_emplace(std::move(key)).first;
    it->second.Add(c, sign);
    if (it->second.Empty()) out->erase(it);
  }
}

bool ContributionLess(const Contribution& a, const Contribution& b) {
  return std::tie(a.key, a.date, a.num, a.den, a.sample, a.supplier) <
         std::tie(b.key, b.date, b.num, b.den, b.sample, b.supplier);
}

// Adds after's contributions and retracts before's, skipping pairs equal in both: they would
// add and retract the very same parts of the very same cells. Sorts both lists in place.
void AddDifference(std::vector<Contribution>& before, const OrderFacts& before_facts,
                   std::vector<Contribution>& after, const OrderFacts& after_facts, CellMap* out) {
  std::sort(before.begin(), before.end(), ContributionLess);
  std::sort(after.begin(), after.end(), ContributionLess);
  size_t i = 0, j = 0;
  while (i < before.size() || j < after.size()) {
    if (j == after.size() || (i < before.size() && ContributionLess(before[i], after[j]))) {
      AddOne(before[i++], before_facts, -1, out);
    } else if (i == before.size() || ContributionLess(after[j], before[i])) {
      AddOne(after[j++], after_facts, +1, out);
    } else {
      ++i;
      ++j;
    }
  }
}

bool SameGroups(const OrderFacts& a, const OrderFacts& b) {
  return a.customer_id == b.customer_id && a.merchandiser_id == b.merchandiser_id &&
         a.supplier_id == b.supplier_id;
}

}  // namespace

std::string_view KpiName(KpiKey key) {
  auto i = static_cast<size_t>(key);
  return i < kKpiCount ? kKpiNames[i] : std::string_view("?");
}

std::optional<KpiKey> ParseKpiKey(std::string_view name) {
  for (size_t i = 0; i < kKpiCount; ++i) {
    if (kKpiNames[i] == name) return static_cast<KpiKey>(i);
  }
  return std::nullopt;
}

bool IsDistribution(KpiKey key) {
  switch (key) {
    case KpiKey::kConfirmationHours:
    case KpiKey::kCycleTimeDays:
    case KpiKey::kRating:
    case KpiKey::kIssueResolutionHours:
    case KpiKey::kHandoffAckHours: return true;
    default: return false;
  }
}

std::string_view GroupKindName(GroupKind kind) {
  auto i = static_cast<size_t>(kind);
  return i < kGroupKindNames.size() ? kGroupKindNames[i] : std::string_view("?");
}

std::optional<GroupKind> ParseGroupKind(std::string_view name) {
  for (size_t i = 0; i < kGroupKindNames.size(); ++i) {
    if (kGroupKindNames[i] == name) return static_cast<GroupKind>(i);
  }
  return std::nullopt;
}

int64_t TicksPerUnit(KpiKey key) {
  switch (key) {
    case KpiKey::kConfirmationHours:
    case KpiKey::kIssueResolutionHours:
    case KpiKey::kHandoffAckHours: return 3'600'000;
    case KpiKey::kCycleTimeDays: return 86'400'000;
    default: return 1;
  }
}

void AppendContributions(const OrderFacts& facts, const KpiOptions& options,
                         std::vector<Contribution>* out) {
  Contributor(facts, options, out).Run();
}

std::vector<Contribution> Contributions(const OrderFacts& facts, const KpiOptions& options) {
  std::vector<Contribution> out;
  AppendContributions(facts, options, &out);
  return out;
}

std::string Describe(const Contribution& c) {
  std::string s = std::string(KpiName(c.key)) + "@" + FormatDate(c.date);
  if (c.sample) {
    char buf[32];
    std::snprintf(buf, sizeof buf, " ~%g", *c.sample);
    s += buf;
  } else {
    s += " " + std::to_string(c.num) + "/" + std::to_string(c.den);
  }
  if (!c.supplier.empty()) s += " supplier=" + c.supplier;
  return s;
}

void AddContributions(const std::vector<Contribution>& contributions, const OrderFacts& facts,
                      int sign, CellMap* out) {
  for (const Contribution& c : contributions) AddOne(c, facts, sign, out);
}

CellMap Delta(const OrderFacts& before, const OrderFacts& after, const KpiOptions& options) {
  std::vector<Contribution> old_parts, new_parts;
  AppendContributions(before, options, &old_parts);
  AppendContributions(after, options, &new_parts);
  CellMap out;
  if (SameGroups(before, after)) {
    AddDifference(old_parts, before, new_parts, after, &out);
  } else {
    AddContributions(new_parts, after, +1, &out);
    AddContributions(old_parts, before, -1, &out);
  }
  return out;
}

void ApplyEventDelta(OrderFacts& facts, const v1::OrderEvent& event, const KpiOptions& options,
                     CellMap* out) {
  // Buffers reused across calls: the projector calls this once per event.
  thread_local std::vector<Contribution> before, after;
  before.clear();
  after.clear();
  AppendContributions(facts, options, &before);
  ApplyEvent(facts, event);
  AppendContributions(facts, options, &after);
  // The group ids change only with the order's first order_placed, when `before` is empty
  // (no order_placed, no contributions), so one facts value serves both sides.
  AddDifference(before, facts, after, facts, out);
}

std::string DescribeCells(const CellMap& cells) {
  std::string s;
  for (const auto& [key, cell] : cells) {
    s += Describe(key) + " " + cell.ToString() + "\n";
  }
  return s;
}

}  // namespace gendan
