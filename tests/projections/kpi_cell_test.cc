// Cells, cell keys, KPI names and KpiJson (projections/kpi.h).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <string>
#include <vector>

#include "projections/kpi.h"

namespace gendan {
namespace {

using nlohmann::json;

Date D(std::string_view text) { return ParseDate(text).value_or(Date{}); }

Contribution RatePart(KpiKey key, int64_t num, int64_t den) {
  Contribution c;
  c.key = key;
  c.date = D("2024-01-05");
  c.num = num;
  c.den = den;
  return c;
}

Contribution SamplePart(KpiKey key, double sample) {
  Contribution c;
  c.key = key;
  c.date = D("2024-01-05");
  c.sample = sample;
  return c;
}

// The value at rank ceil(q·n) of the sorted samples: nearest-rank, as DOMAIN.md §5 defines it.
double NearestRank(std::vector<double> v, int q_num, int q_den) {
  std::sort(v.begin(), v.end());
  size_t rank = (size_t(q_num) * v.size() + q_den - 1) / q_den;
  return v[std::max<size_t>(rank, 1) - 1];
}

// ---- Names ------------------------------------------------------------------------------------

// The 20 keys are named exactly as DOMAIN.md §5 spells them, in its table order.
TEST(KpiNamesTest, KeysInTableOrder) {
  const std::vector<std::string> expected = {"otif_rate",
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
                                             "proactive_update_rate"};
  ASSERT_EQ(kAllKpis.size(), expected.size());
  std::vector<std::string> distributions;
  for (size_t i = 0; i < kAllKpis.size(); ++i) {
    EXPECT_EQ(KpiName(kAllKpis[i]), expected[i]);
    EXPECT_EQ(ParseKpiKey(expected[i]), kAllKpis[i]);
    if (IsDistribution(kAllKpis[i])) distributions.emplace_back(KpiName(kAllKpis[i]));
  }
  EXPECT_EQ(distributions,
            (std::vector<std::string>{"confirmation_hours", "cycle_time_days", "rating",
                                      "issue_resolution_hours", "handoff_ack_hours"}));
  EXPECT_FALSE(ParseKpiKey("otif").has_value());
}

// Group kinds parse from and print as the names the query API uses.
TEST(KpiNamesTest, GroupKinds) {
  for (GroupKind kind : kAllGroupKinds) EXPECT_EQ(ParseGroupKind(GroupKindName(kind)), kind);
  EXPECT_EQ(ParseGroupKind("merchandiser"), GroupKind::kMerchandiser);
  EXPECT_EQ(ParseGroupKind("customer"), GroupKind::kCustomer);
  EXPECT_EQ(ParseGroupKind("supplier"), GroupKind::kSupplier);
  EXPECT_FALSE(ParseGroupKind("department").has_value());
}

// ---- Cell -------------------------------------------------------------------------------------

// Adding contributions and retracting them again leaves an empty cell: no residue.
TEST(KpiCellTest, RetractLeavesNothing) {
  std::vector<Contribution> parts = {
      RatePart(KpiKey::kDefectPpm, 3, 400), SamplePart(KpiKey::kConfirmationHours, 1.0 / 3),
      SamplePart(KpiKey::kConfirmationHours, 24), SamplePart(KpiKey::kConfirmationHours, -2),
      SamplePart(KpiKey::kConfirmationHours, 12345.678)};
  Cell cell;
  for (const Contribution& c : parts) cell.Add(c, +1);
  EXPECT_FALSE(cell.Empty());
  for (const Contribution& c : parts) cell.Add(c, -1);
  EXPECT_TRUE(cell.Empty()) << cell.ToString();
  EXPECT_EQ(cell, Cell());
}

// Merging cells equals adding all their contributions to one; subtracting undoes a merge.
TEST(KpiCellTest, MergeIsAddition) {
  Cell a, b, all;
  for (double x : {1.5, 2.0, 7.25}) {
    a.Add(SamplePart(KpiKey::kHandoffAckHours, x), +1);
    all.Add(SamplePart(KpiKey::kHandoffAckHours, x), +1);
  }
  for (double x : {2.0, 3000.5}) {
    b.Add(SamplePart(KpiKey::kHandoffAckHours, x), +1);
    all.Add(SamplePart(KpiKey::kHandoffAckHours, x), +1);
  }
  Cell merged = a;
  merged.Merge(b);
  EXPECT_EQ(merged, all);
  merged.Merge(b, -1);
  EXPECT_EQ(merged, a);
}

// Rate cells, distribution cells and deltas with negative parts survive Serialize → Parse.
TEST(KpiCellTest, SerializeRoundTrip) {
  Cell rate, dist, delta;
  rate.Add(RatePart(KpiKey::kOtifRate, 1, 1), +1);
  rate.Add(RatePart(KpiKey::kOtifRate, 0, 1), +1);
  for (double x : {0.0, 1.0, 5.0, 1000.0, 1000.5, 0.001, 36.5, 1e7}) {
    dist.Add(SamplePart(KpiKey::kIssueResolutionHours, x), +1);
  }
  delta.Add(SamplePart(KpiKey::kCycleTimeDays, 2.5), -1);
  delta.Add(RatePart(KpiKey::kComplaintRate, 1, 0), -1);
  for (const Cell& c : {Cell(), rate, dist, delta}) {
    Result<Cell> back = Cell::Parse(c.Serialize());
    ASSERT_TRUE(back.ok()) << back.status().ToString();
    EXPECT_EQ(*back, c) << c.ToString();
  }
  EXPECT_LE(rate.Serialize().size(), 4u);
}

// Truncated or extended bytes are Fatal; flipped bytes never crash.
TEST(KpiCellTest, ParseRejectsCorruptBytes) {
  Cell c;
  for (double x : {1.0, 2.5, 99.9}) c.Add(SamplePart(KpiKey::kRating, x), +1);
  std::string bytes = c.Serialize();
  for (size_t n = 0; n < bytes.size(); ++n) {
    Result<Cell> r = Cell::Parse(std::string_view(bytes).substr(0, n));
    ASSERT_FALSE(r.ok()) << n;
    EXPECT_EQ(r.status().code(), Status::Code::kFatal);
  }
  EXPECT_FALSE(Cell::Parse(bytes + '\0').ok());
  for (size_t i = 0; i < bytes.size(); ++i) {
    std::string flipped = bytes;
    flipped[i] = static_cast<char>(flipped[i] ^ 0xff);
    Result<Cell> r = Cell::Parse(flipped);
    if (r.ok()) (void)r->Quantile(1, 2);
  }
}

// p50 and p90 are within 1% of exact nearest-rank on random samples, also after retractions.
TEST(KpiCellTest, PercentilesWithinOnePercent) {
  std::mt19937_64 rng(7);
  std::lognormal_distribution<double> hours(3.0, 2.0);
  for (int round = 0; round < 200; ++round) {
    size_t n = 1 + rng() % 300;
    std::vector<double> kept, dropped;
    Cell cell;
    for (size_t i = 0; i < n; ++i) {
      // Mix in integral values so exact and log buckets interleave.
      double x = rng() % 4 == 0 ? std::floor(hours(rng)) : hours(rng);
      cell.Add(SamplePart(KpiKey::kIssueResolutionHours, x), +1);
      (rng() % 3 == 0 ? dropped : kept).push_back(x);
    }
    for (double x : dropped) cell.Add(SamplePart(KpiKey::kIssueResolutionHours, x), -1);
    if (kept.empty()) {
      EXPECT_FALSE(cell.Quantile(1, 2).has_value());
      continue;
    }
    for (auto [q_num, q_den] :
         {std::pair{1, 2}, std::pair{9, 10}, std::pair{1, 100}, std::pair{1, 1}}) {
      double exact = NearestRank(kept, q_num, q_den);
      std::optional<double> got = cell.Quantile(q_num, q_den);
      ASSERT_TRUE(got.has_value());
      EXPECT_LE(std::abs(*got - exact), 0.01 * exact)
          << "q=" << q_num << "/" << q_den << " n=" << kept.size() << " round " << round;
    }
  }
}

// Ratings (small integers) give exact percentiles; a 0 sample is exact too.
TEST(KpiCellTest, IntegerPercentilesAreExact) {
  std::mt19937_64 rng(11);
  for (int round = 0; round < 100; ++round) {
    std::vector<double> ratings;
    Cell cell;
    for (size_t i = 0, n = 1 + rng() % 50; i < n; ++i) {
      double r = double(1 + rng() % 5);
      ratings.push_back(r);
      cell.Add(SamplePart(KpiKey::kRating, r), +1);
    }
    EXPECT_EQ(cell.Quantile(1, 2), NearestRank(ratings, 1, 2));
    EXPECT_EQ(cell.Quantile(9, 10), NearestRank(ratings, 9, 10));
  }
  Cell zeros;
  zeros.Add(SamplePart(KpiKey::kHandoffAckHours, 0), +1);
  zeros.Add(SamplePart(KpiKey::kHandoffAckHours, 0.25), +1);
  EXPECT_EQ(zeros.Quantile(1, 2), 0.0);
  // Integers that share a log bucket still come out exactly.
  Cell close;
  for (double x : {900.0, 901.0, 902.0}) close.Add(SamplePart(KpiKey::kRating, x), +1);
  EXPECT_EQ(close.Quantile(1, 2), 901.0);
}

// A negative sample (clock skew) counts as 0 in the mean and the percentiles.
TEST(KpiCellTest, NegativeSamplesCountAsZero) {
  Cell cell;
  cell.Add(SamplePart(KpiKey::kConfirmationHours, -5), +1);
  cell.Add(SamplePart(KpiKey::kConfirmationHours, 4), +1);
  json j = KpiJson(KpiKey::kConfirmationHours, cell);
  EXPECT_EQ(j["count"], 2);
  EXPECT_DOUBLE_EQ(j["mean"].get<double>(), 2.0);
  EXPECT_DOUBLE_EQ(j["p50"].get<double>(), 0.0);
}

// ---- KpiJson ----------------------------------------------------------------------------------

// A rate with denominator 0 reports value null; otherwise num/den.
TEST(KpiJsonTest, RateValueAndNull) {
  EXPECT_EQ(KpiJson(KpiKey::kOtifRate, Cell()),
            json({{"value", nullptr}, {"numerator", 0}, {"denominator", 0}}));
  Cell c;
  c.Add(RatePart(KpiKey::kOtifRate, 1, 1), +1);
  c.Add(RatePart(KpiKey::kOtifRate, 0, 1), +1);
  c.Add(RatePart(KpiKey::kOtifRate, 0, 1), +1);
  json j = KpiJson(KpiKey::kOtifRate, c);
  EXPECT_DOUBLE_EQ(j["value"].get<double>(), 1.0 / 3);
  EXPECT_EQ(j["numerator"], 1);
  EXPECT_EQ(j["denominator"], 3);
  // A numerator without a denominator (complaints, no completions) is still null.
  Cell complaints;
  complaints.Add(RatePart(KpiKey::kComplaintRate, 1, 0), +1);
  EXPECT_TRUE(KpiJson(KpiKey::kComplaintRate, complaints)["value"].is_null());
}

// defect_ppm reports Σ defective, Σ inspected and their ratio × 10⁶.
TEST(KpiJsonTest, DefectPpm) {
  Cell c;
  c.Add(RatePart(KpiKey::kDefectPpm, 3, 1000), +1);
  c.Add(RatePart(KpiKey::kDefectPpm, 1, 3000), +1);
  EXPECT_EQ(KpiJson(KpiKey::kDefectPpm, c),
            json({{"value", 1000.0}, {"numerator", 4}, {"denominator", 4000}}));
}

// A distribution reports count, exact mean and percentiles; null when count is 0.
TEST(KpiJsonTest, Distribution) {
  EXPECT_EQ(KpiJson(KpiKey::kCycleTimeDays, Cell()),
            json({{"count", 0}, {"mean", nullptr}, {"p50", nullptr}, {"p90", nullptr}}));
  Cell c;
  // Durations of 1, 2 and 4 hours + 1 ms, as the contributor computes them from milliseconds.
  for (int64_t ms : {3'600'000, 7'200'000, 14'400'001}) {
    c.Add(SamplePart(KpiKey::kConfirmationHours, double(ms) / 3'600'000.0), +1);
  }
  json j = KpiJson(KpiKey::kConfirmationHours, c);
  EXPECT_EQ(j["count"], 3);
  EXPECT_EQ(c.sum_ticks(), 25'200'001) << "the sum is kept in milliseconds, exactly";
  EXPECT_DOUBLE_EQ(j["mean"].get<double>(), 25'200'001.0 / 3'600'000.0 / 3);
  EXPECT_DOUBLE_EQ(j["p50"].get<double>(), 2.0);
  EXPECT_NEAR(j["p90"].get<double>(), 4.0, 0.02);
}

// ---- CellKey ----------------------------------------------------------------------------------

// Encode sorts bytewise like operator< (kind, date, group, key), and Decode inverts it.
TEST(CellKeyTest, EncodingSortsAndRoundTrips) {
  std::mt19937_64 rng(3);
  const std::vector<std::string> groups = {"", "A", "AB", "B", "a", "zz", "M-1", "\xff"};
  std::vector<CellKey> keys;
  for (int i = 0; i < 2000; ++i) {
    CellKey k;
    k.kind = kAllGroupKinds[rng() % 4];
    k.group = groups[rng() % groups.size()];
    k.date =
        D("1969-12-25") + std::chrono::days(rng() % 30) + std::chrono::days(rng() % 2 ? 0 : 20000);
    k.key = kAllKpis[rng() % kKpiCount];
    keys.push_back(k);
  }
  std::vector<CellKey> by_key = keys, by_bytes = keys;
  std::sort(by_key.begin(), by_key.end());
  std::sort(by_bytes.begin(), by_bytes.end(),
            [](const CellKey& a, const CellKey& b) { return a.Encode() < b.Encode(); });
  EXPECT_EQ(by_key, by_bytes);
  for (const CellKey& k : keys) {
    std::optional<CellKey> back = CellKey::Decode(k.Encode());
    ASSERT_TRUE(back.has_value()) << Describe(k);
    EXPECT_EQ(*back, k);
  }
}

// [RangeStart(kind, from), RangeEnd(kind, to)) holds exactly the keys of kind dated in range.
TEST(CellKeyTest, RangeIsContiguous) {
  const Date from = D("2024-12-30"), to = D("2025-01-05");
  const std::string lo = CellKey::RangeStart(GroupKind::kCustomer, from);
  const std::string hi = CellKey::RangeEnd(GroupKind::kCustomer, to);
  for (GroupKind kind : kAllGroupKinds) {
    for (Date d = from - std::chrono::days(3); d <= to + std::chrono::days(3);
         d += std::chrono::days(1)) {
      for (const char* group : {"", "C1", "\xff\xff"}) {
        CellKey k{kind, group, d, KpiKey::kProactiveUpdateRate};
        std::string bytes = k.Encode();
        bool inside = kind == GroupKind::kCustomer && d >= from && d <= to;
        EXPECT_EQ(bytes >= lo && bytes < hi, inside) << Describe(k);
      }
    }
  }
}

// Bytes that are not a cell key decode to nullopt.
TEST(CellKeyTest, DecodeRejectsGarbage) {
  CellKey k{GroupKind::kSupplier, "F1", D("2024-01-05"), KpiKey::kDefectPpm};
  std::string bytes = k.Encode();
  EXPECT_EQ(Describe(*CellKey::Decode(bytes)), "supplier/F1/2024-01-05/defect_ppm");
  EXPECT_FALSE(CellKey::Decode("").has_value());
  EXPECT_FALSE(CellKey::Decode(bytes.substr(0, 6)).has_value());
  std::string bad_kind = bytes, bad_key = bytes, no_separator = bytes;
  bad_kind[0] = 9;
  bad_key.back() = 20;
  no_separator[bytes.size() - 2] = 'x';
  EXPECT_FALSE(CellKey::Decode(bad_kind).has_value());
  EXPECT_FALSE(CellKey::Decode(bad_key).has_value());
  EXPECT_FALSE(CellKey::Decode(no_separator).has_value());
}

}  // namespace
}  // namespace gendan
