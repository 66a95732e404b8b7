// GET /v1/kpis from cells (DOMAIN.md §7): sums the cells of a date range per group and bucket.
#include <algorithm>

#include "projections/kpi.h"

namespace gendan {
namespace {

using nlohmann::json;
using KpiCells = std::array<Cell, kKpiCount>;

// The first date of the bucket holding d, clipped to the query's range.
Date ClippedBucketStart(Date d, const KpiQuery& q) {
  return q.bucket ? std::max(BucketStart(d, *q.bucket), q.from) : q.from;
}

json KpisJson(const KpiCells& cells) {
  json kpis = json::object();
  for (KpiKey key : kAllKpis) kpis[KpiName(key)] = KpiJson(key, cells[size_t(key)]);
  return kpis;
}

}  // namespace

void MemoryCellSource::Apply(const CellMap& day_delta) {
  CellMap delta = day_delta;
  AddMonthRollups(&delta);
  for (const auto& [key, cell] : delta) {
    auto it = cells_.try_emplace(key).first;
    it->second.Merge(cell);
    if (it->second.Empty()) cells_.erase(it);
  }
}

void MemoryCellSource::Scan(GroupKind kind, Date from, Date to,
                            const std::function<void(const CellKey&, const Cell&)>& fn) const {
  ScanCells(kind, from, to, /*months=*/false, fn);
}

void MemoryCellSource::ScanMonths(
    GroupKind kind, Date from, Date to,
    const std::function<void(const CellKey&, const Cell&)>& fn) const {
  ScanCells(kind, from, to, /*months=*/true, fn);
}

// Cells sort by (month, kind, date, ...), so one kind's day cells (or rollups) are a run.
void MemoryCellSource::ScanCells(GroupKind kind, Date from, Date to, bool months,
                                 const std::function<void(const CellKey&, const Cell&)>& fn) const {
  CellKey start{kind, "", from, KpiKey{}, months};
  for (auto it = cells_.lower_bound(start); it != cells_.end(); ++it) {
    if (it->first.month != months || it->first.kind != kind || it->first.date > to) break;
    fn(it->first, it->second);
  }
}

json RunKpiQuery(const CellSource& source, const KpiQuery& q) {
  json out = {{"from", FormatDate(q.from)},
              {"to", FormatDate(q.to)},
              {"bucket", q.bucket ? json(BucketName(*q.bucket)) : json(nullptr)},
              {"group_by",
               q.group_by == GroupKind::kNone ? json(nullptr) : json(GroupKindName(q.group_by))},
              {"series", json::array()}};
  if (q.from > q.to) return out;

  // group → clipped bucket start → the summed cells of every key.
  std::map<std::string, std::map<Date, KpiCells>> sums;
  auto add = [&](const CellKey& key, const Cell& cell) {
    if (key.kind != q.group_by || key.date < q.from || key.date > q.to || cell.Empty()) return;
    if (static_cast<size_t>(key.key) >= kKpiCount) return;
    sums[key.group][ClippedBucketStart(key.date, q)][size_t(key.key)].Merge(cell);
  };
  // Whole months inside the range come from month rollups when a month lies within one
  // bucket (no bucket, or months): a year is 12 cells per group and key, not 365.
  const Date first_full = q.from == BucketStart(q.from, Bucket::kMonth)
                              ? q.from
                              : NextBucketStart(q.from, Bucket::kMonth);
  const Date after_full = BucketStart(q.to + std::chrono::days(1), Bucket::kMonth);
  const bool rollups = source.HasMonthRollups() && first_full < after_full &&
                       (!q.bucket || *q.bucket == Bucket::kMonth);
  if (rollups) {
    if (q.from < first_full)
      source.Scan(q.group_by, q.from, first_full - std::chrono::days(1), add);
    source.ScanMonths(q.group_by, first_full, after_full - std::chrono::days(1), add);
    if (after_full <= q.to) source.Scan(q.group_by, after_full, q.to, add);
  } else {
    source.Scan(q.group_by, q.from, q.to, add);
  }
  // Without group_by the one group is always reported (kpi.h).
  if (q.group_by == GroupKind::kNone) sums.try_emplace("");

  static const KpiCells kNothing{};
  json& series = out["series"];
  for (const auto& [group, buckets] : sums) {
    json group_json = q.group_by == GroupKind::kNone ? json(nullptr) : json(group);
    for (Date start = q.from; start <= q.to;
         start = q.bucket ? NextBucketStart(start, *q.bucket) : q.to + std::chrono::days(1)) {
      auto it = buckets.find(start);
      series.push_back({{"group", group_json},
                        {"bucket_start", FormatDate(start)},
                        {"kpis", KpisJson(it == buckets.end() ? kNothing : it->second)}});
    }
  }
  return out;
}

}  // namespace gendan
