// KPI math of DOMAIN.md §5 as "retract and re-emit": an order's KPI contributions are a pure
// function of its OrderFacts (projections/kpi_facts.h); when an event changes the facts, the
// projector subtracts the old contributions from aggregate cells and adds the new ones. Late
// facts, cancellations, amendments moving the commit date and later complaints revising
// perfect_order_rate are all handled by that one rule, exactly.
//
//   CellMap delta;
//   ApplyEventDelta(facts, event, options, &delta);   // or Delta(before, after, options)
//   store.Merge(delta);                                // cells keyed by CellKey::Encode()
//   nlohmann::json body = RunKpiQuery(store, {from, to, Bucket::kWeek, GroupKind::kCustomer});
//
// Cells are per (group kind, group value, business date, KPI key); a query sums the cells of a
// date range and never scans orders. Pure functions and values; thread-safe except where a
// class says otherwise.
//
// Decisions where DOMAIN.md §5 leaves room (binding for the projector and the API):
// - Dates: an instant's date is its business date under KpiOptions::offset; commit dates and
//   due_at use their own date (due_at converted by the offset). Instants are compared at
//   millisecond resolution; "before" is strict, "by"/"on or before"/"within" are inclusive.
// - Commit date: order_confirmed's promised_date; a CUSTOMER_REQUEST or ENTRY_ERROR amendment's
//   new_promised_date replaces it only once there is one; a date that does not parse sets none.
//   Orders without a commit date are outside otif_rate, completion_rate and
//   on_time_delivery_rate, and count as not perfect in perfect_order_rate (perfect needs "on
//   time").
// - Cancelled orders contribute nothing at all (feedback, issues, handoffs, inspections too),
//   and neither does an order whose facts have no order_placed.
// - complaint_rate: the numerator counts complaints on every non-cancelled order, completed or
//   not, at their raise date; the denominator counts completions. It can exceed 1.
// - Issue resolution KPIs (issue_resolution_hours, issue_sla_rate,
//   first_contact_resolution_rate) count an issue while it is resolved now, at the date of its
//   last resolution, measured from issue_raised. A reopen retracts it; resolving it again counts
//   it at the new date. first_contact is the flag of that last resolution, and a complaint ever
//   reopened is never a first-contact resolution. An issue of unknown severity gets the MINOR
//   SLA. Within SLA means duration <= SLA.
// - issue_reopen_rate counts every issue_reopened (numerator) and every issue_resolved
//   (denominator), each at its own date.
// - handoff_on_time_rate: handoffs without due_at are not counted; completed_at <= due_at.
// - first_pass_yield: the order's FINAL inspection with the earliest occurred_at (log order on
//   ties), counted at its date. Like inspection_pass_rate and defect_ppm it groups by that
//   inspection's supplier (DOMAIN.md: "inspection KPIs group by the inspection's supplier").
// - defect_ppm: an inspection of zero quantity contributes nothing.
// - Durations (hours, days) are measured between occurred_at instants; a negative one (clock
//   skew between systems) counts as 0, in the mean and the percentiles alike.
// - Distributions: count and the sum are exact integers (the sum in ticks: milliseconds for
//   hours and days, units for rating), so means are exact and subtraction leaves no residue.
//   Percentiles are nearest-rank from a log-bucketed sketch with relative accuracy 0.5%;
//   integral samples 0..1000 (every rating) are kept exactly, so their percentiles are exact.
// - Queries: without group_by the one (null) group is always reported, even with no data, so a
//   dashboard shows nulls rather than nothing; with group_by, groups with no non-empty cell in
//   the range are left out. from > to gives an empty series.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "engine/status.h"
#include "projections/business_time.h"
#include "projections/kpi_facts.h"

namespace gendan {

// ---- Keys and groups ---------------------------------------------------------------------

// The KPIs of DOMAIN.md §5, in the order of its table. The values are stored in cell keys:
// append new keys, never renumber.
enum class KpiKey : uint8_t {
  kOtifRate,
  kOnTimeDeliveryRate,
  kCompletionRate,
  kPerfectOrderRate,
  kOrderAccuracyRate,
  kConfirmationHours,
  kCycleTimeDays,
  kCsat,
  kRating,
  kComplaintRate,
  kIssueResolutionHours,
  kIssueSlaRate,
  kIssueReopenRate,
  kFirstContactResolutionRate,
  kHandoffAckHours,
  kHandoffOnTimeRate,
  kInspectionPassRate,
  kFirstPassYield,
  kDefectPpm,
  kProactiveUpdateRate,
};
inline constexpr size_t kKpiCount = 20;
inline constexpr std::array<KpiKey, kKpiCount> kAllKpis = [] {
  std::array<KpiKey, kKpiCount> keys{};
  for (size_t i = 0; i < kKpiCount; ++i) keys[i] = static_cast<KpiKey>(i);
  return keys;
}();

std::string_view KpiName(KpiKey key);                      // "otif_rate", ...
std::optional<KpiKey> ParseKpiKey(std::string_view name);  // the inverse; nullopt if unknown
// True for the keys reported as count/mean/p50/p90: confirmation_hours, cycle_time_days,
// rating, issue_resolution_hours, handoff_ack_hours.
bool IsDistribution(KpiKey key);

// What a cell is grouped by. kNone is everything, with group "". Stored in cell keys.
enum class GroupKind : uint8_t { kNone, kMerchandiser, kCustomer, kSupplier };
inline constexpr std::array<GroupKind, 4> kAllGroupKinds = {
    GroupKind::kNone, GroupKind::kMerchandiser, GroupKind::kCustomer, GroupKind::kSupplier};
std::string_view GroupKindName(GroupKind kind);  // "none", "merchandiser", "customer", "supplier"
std::optional<GroupKind> ParseGroupKind(std::string_view name);  // the inverse

// ---- Contributions -----------------------------------------------------------------------

struct KpiOptions {
  UtcOffset offset;  // the business time zone; every KPI date is in it
  // Issue SLAs by severity (DOMAIN.md §5 defaults).
  std::chrono::hours sla_critical{24};
  std::chrono::hours sla_major{72};
  std::chrono::hours sla_minor{168};
};

// One order's addition to one KPI on one date: rate parts, or a distribution sample.
struct Contribution {
  KpiKey key = KpiKey::kOtifRate;
  Date date;
  int64_t num = 0;
  int64_t den = 0;
  std::optional<double> sample;  // in the key's unit: hours, days, or the rating
  std::string supplier;  // empty = the order's supplier; inspection KPIs set the inspection's

  bool operator==(const Contribution&) const = default;
};

// Everything the order adds to the KPIs, as DOMAIN.md §5 and the decisions above define it.
// Empty for cancelled orders and for facts without order_placed. Deterministic order.
std::vector<Contribution> Contributions(const OrderFacts& facts, const KpiOptions& options);
// As Contributions, appending to *out (so a caller can reuse its buffer).
void AppendContributions(const OrderFacts& facts, const KpiOptions& options,
                         std::vector<Contribution>* out);

// "otif_rate@2024-01-05 1/1", "rating@2024-01-05 ~4 supplier=F2", for tests and logs.
std::string Describe(const Contribution& c);

// ---- Cells -------------------------------------------------------------------------------

struct CellKey {
  GroupKind kind = GroupKind::kNone;
  std::string group;  // "" for kNone
  Date date;
  KpiKey key = KpiKey::kOtifRate;
  // A month rollup: the sum of the month's day cells, dated the 1st. A query over whole
  // months reads these (12 cells a year instead of 365); AddMonthRollups keeps them.
  bool month = false;

  // 1 byte kind (| 0x40 for a month rollup), 4 bytes big-endian (days since epoch + 2^31),
  // the group, '\0', 1 byte key: bytes sort by (month, kind, date, group, key), so one kind's
  // day cells (or month cells) over [from, to] are one contiguous range
  // [RangeStart(kind, from), RangeEnd(kind, to)). Group ids hold no control characters (the
  // engine validates them), so the '\0' separator keeps the order.
  std::string Encode() const;
  static std::optional<CellKey> Decode(std::string_view bytes);
  // The first key of (kind, from), of day cells or of month cells.
  static std::string RangeStart(GroupKind kind, Date from, bool month = false);
  // Just past the last key of (kind, to).
  static std::string RangeEnd(GroupKind kind, Date to, bool month = false);

  bool operator==(const CellKey&) const = default;
  bool operator<(const CellKey& other) const;  // the order of Encode()
};
std::string Describe(const CellKey& key);  // "customer/C1/2024-01-05/otif_rate"

// A mergeable, subtractable aggregate of contributions to one KPI: rate parts (num, den) and a
// distribution (count, exact sum, log-bucketed sketch). Adding a contribution and then
// subtracting it leaves the cell exactly as it was. A plain value; not thread-safe.
class Cell {
 public:
  // Adds (sign +1) or retracts (sign -1) a contribution. The key picks the sum's tick unit.
  void Add(const Contribution& c, int sign);
  // Adds (sign +1) or subtracts (sign -1) another cell of the same KPI.
  void Merge(const Cell& other, int sign = 1);
  // True when the cell holds nothing: all parts zero (a retraction of everything added).
  bool Empty() const;

  int64_t num() const { return num_; }
  int64_t den() const { return den_; }
  int64_t count() const { return count_; }
  int64_t sum_ticks() const { return sum_ticks_; }
  // The nearest-rank quantile q = q_num/q_den (value at rank ceil(q·n), n = samples) within
  // 0.5% relative, exact for integral samples 0..1000; nullopt without samples.
  std::optional<double> Quantile(int q_num, int q_den) const;

  // Compact: a version byte, then varints. Parse gives Status::Fatal on anything else.
  std::string Serialize() const;
  static Result<Cell> Parse(std::string_view bytes);

  Cell() = default;
  Cell(const Cell& other);
  Cell& operator=(const Cell& other);
  Cell(Cell&&) noexcept = default;
  Cell& operator=(Cell&&) noexcept = default;
  bool operator==(const Cell& other) const;
  std::string ToString() const;  // "1/2", "n=3 sum=7200000 ~[2h:1 ...]"

 private:
  using Buckets = std::vector<std::pair<int32_t, int64_t>>;  // sorted index → count, no zeros
  static void AddTo(Buckets& buckets, int32_t index, int64_t delta);
  struct Sketch {
    Buckets exact;  // integral samples 0..1000, by value
    Buckets log;    // other samples by log bucket: index i holds (γ^(i-1), γ^i]
  };
  const Buckets& exact() const;
  const Buckets& log() const;
  Sketch& MutableSketch();
  void DropEmptySketch();  // no buckets left: back to no sketch, as a rate cell

  int64_t num_ = 0;
  int64_t den_ = 0;
  int64_t count_ = 0;
  int64_t sum_ticks_ = 0;
  // The distribution's buckets, on the heap and only while the cell has some: most of a book's
  // cells are rates, and a cell without a sketch is 40 bytes instead of 80, which is what the
  // projector's cell cache (projector.cache_cells) costs per cell (docs/benchmarks.md).
  std::unique_ptr<Sketch> sketch_;
};

// Ticks per unit of a distribution's sum: 3'600'000 (ms) for hours, 86'400'000 for days, 1 for
// rating; 1 for rates (unused).
int64_t TicksPerUnit(KpiKey key);

using CellMap = std::map<CellKey, Cell>;

// For each contribution, the cell of every group kind (kNone with "", the order's merchandiser,
// customer, and supplier — c.supplier when set) gets the contribution with `sign`. Cells that
// net to empty are removed from *out.
void AddContributions(const std::vector<Contribution>& contributions, const OrderFacts& facts,
                      int sign, CellMap* out);

// The change to the cells when an order's facts go from `before` to `after`: after's
// contributions added, before's retracted, empty cells dropped. Contributions present in both
// cancel before they touch a cell, so an event that changes one KPI costs a handful of cells.
CellMap Delta(const OrderFacts& before, const OrderFacts& after, const KpiOptions& options);
// ApplyEvent(facts, event) and adds the resulting Delta to *out, without copying the facts.
void ApplyEventDelta(OrderFacts& facts, const v1::OrderEvent& event, const KpiOptions& options,
                     CellMap* out);

// Adds to *delta, for every day cell in it, the same change to its month's rollup cell.
void AddMonthRollups(CellMap* delta);

// One line per cell, "customer/C1/2024-01-05/otif_rate 1/1", for tests and logs.
std::string DescribeCells(const CellMap& cells);

// A KPI as DOMAIN.md §5 reports it. Rate: {"value": num/den or null, "numerator",
// "denominator"} (defect_ppm: value × 10⁶). Distribution: {"count", "mean", "p50", "p90"},
// the last three null when count is 0, in the key's unit.
nlohmann::json KpiJson(KpiKey key, const Cell& cell);

// ---- Queries -----------------------------------------------------------------------------

// Where a query reads cells from (a RocksDB column family, or memory).
class CellSource {
 public:
  virtual ~CellSource() = default;
  // Calls fn for every day cell of `kind` dated in [from, to], in key order.
  virtual void Scan(GroupKind kind, Date from, Date to,
                    const std::function<void(const CellKey&, const Cell&)>& fn) const = 0;
  // True when the source keeps month rollups of all its day cells (then ScanMonths works).
  virtual bool HasMonthRollups() const { return false; }
  // Calls fn for every month rollup of `kind` whose month starts in [from, to].
  virtual void ScanMonths(GroupKind, Date, Date,
                          const std::function<void(const CellKey&, const Cell&)>&) const {}
};

// Cells in a map: for tests and small uses. Not thread-safe.
class MemoryCellSource : public CellSource {
 public:
  // Merges a delta of day cells (and their month rollups); cells that become empty are erased.
  void Apply(const CellMap& delta);
  const CellMap& cells() const { return cells_; }
  void Scan(GroupKind kind, Date from, Date to,
            const std::function<void(const CellKey&, const Cell&)>& fn) const override;
  bool HasMonthRollups() const override { return true; }
  void ScanMonths(GroupKind kind, Date from, Date to,
                  const std::function<void(const CellKey&, const Cell&)>& fn) const override;

 private:
  void ScanCells(GroupKind kind, Date from, Date to, bool months,
                 const std::function<void(const CellKey&, const Cell&)>& fn) const;
  CellMap cells_;
};

struct KpiQuery {
  Date from;  // inclusive
  Date to;    // inclusive
  std::optional<Bucket> bucket;
  GroupKind group_by = GroupKind::kNone;
};

// The body of GET /v1/kpis (DOMAIN.md §7): {"from", "to", "bucket" (null or "week"...),
// "group_by" (null or "customer"...), "series": [{"group" (null or the id), "bucket_start",
// "kpis": {every key: KpiJson}}]}. Without bucket one entry per group, bucket_start = from;
// with it one per group and bucket, buckets clipped to [from, to] (the first starts at from),
// empty ones included. Sorted by group, then bucket_start.
nlohmann::json RunKpiQuery(const CellSource& source, const KpiQuery& query);

}  // namespace gendan
