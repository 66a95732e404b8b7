// RunKpiQuery over cells built from hand-made contributions: the §7 shape, buckets, groups.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "projections/kpi.h"

namespace gendan {
namespace {

using nlohmann::json;

Date D(std::string_view text) { return ParseDate(text).value_or(Date{}); }

// An order that only carries group ids.
OrderFacts Parties(std::string customer, std::string merchandiser, std::string supplier) {
  OrderFacts f;
  f.placed = true;
  f.customer_id = std::move(customer);
  f.merchandiser_id = std::move(merchandiser);
  f.supplier_id = std::move(supplier);
  return f;
}

Contribution Hit(KpiKey key, std::string_view date, bool hit = true) {
  Contribution c;
  c.key = key;
  c.date = D(date);
  c.num = hit ? 1 : 0;
  c.den = 1;
  return c;
}

// "num/den" of one KPI in one series entry.
std::string RateOf(const json& entry, std::string_view key) {
  const json& k = entry["kpis"][std::string(key)];
  return std::to_string(k["numerator"].get<int64_t>()) + "/" +
         std::to_string(k["denominator"].get<int64_t>());
}

// "group@bucket_start=num/den" for every series entry, for one KPI.
std::vector<std::string> Series(const json& result, std::string_view key) {
  std::vector<std::string> out;
  for (const json& e : result["series"]) {
    std::string group = e["group"].is_null() ? "null" : e["group"].get<std::string>();
    out.push_back(group + "@" + e["bucket_start"].get<std::string>() + "=" + RateOf(e, key));
  }
  return out;
}

class KpiQueryTest : public ::testing::Test {
 protected:
  void Add(const OrderFacts& facts, const std::vector<Contribution>& parts) {
    CellMap delta;
    AddContributions(parts, facts, +1, &delta);
    source_.Apply(delta);
  }
  json Run(std::string_view from, std::string_view to, std::optional<Bucket> bucket = std::nullopt,
           GroupKind group_by = GroupKind::kNone) {
    return RunKpiQuery(source_, {D(from), D(to), bucket, group_by});
  }
  MemoryCellSource source_;
};

// Without bucket or group: one entry, group null, bucket_start = from, all 20 keys present.
TEST_F(KpiQueryTest, ShapeWithoutBucketOrGroup) {
  Add(Parties("C1", "M1", "F1"), {Hit(KpiKey::kOtifRate, "2024-01-05")});
  json r = Run("2024-01-01", "2024-01-31");
  EXPECT_EQ(r["from"], "2024-01-01");
  EXPECT_EQ(r["to"], "2024-01-31");
  EXPECT_TRUE(r["bucket"].is_null());
  EXPECT_TRUE(r["group_by"].is_null());
  ASSERT_EQ(r["series"].size(), 1u);
  const json& e = r["series"][0];
  EXPECT_TRUE(e["group"].is_null());
  EXPECT_EQ(e["bucket_start"], "2024-01-01");
  ASSERT_EQ(e["kpis"].size(), kKpiCount);
  for (KpiKey key : kAllKpis) {
    const json& k = e["kpis"][std::string(KpiName(key))];
    if (IsDistribution(key)) {
      EXPECT_EQ(k, json({{"count", 0}, {"mean", nullptr}, {"p50", nullptr}, {"p90", nullptr}}));
    } else if (key == KpiKey::kOtifRate) {
      EXPECT_EQ(k, json({{"value", 1.0}, {"numerator", 1}, {"denominator", 1}}));
    } else {
      EXPECT_EQ(k, json({{"value", nullptr}, {"numerator", 0}, {"denominator", 0}}));
    }
  }
}

// Without group_by the one series entry is there even when the range holds no data.
TEST_F(KpiQueryTest, EmptyRangeStillReportsTheTotal) {
  json r = Run("2024-01-01", "2024-01-03", Bucket::kDay);
  EXPECT_EQ(Series(r, "otif_rate"),
            (std::vector<std::string>{"null@2024-01-01=0/0", "null@2024-01-02=0/0",
                                      "null@2024-01-03=0/0"}));
  EXPECT_TRUE(
      Run("2024-01-01", "2024-01-03", std::nullopt, GroupKind::kCustomer)["series"].empty());
  EXPECT_TRUE(Run("2024-01-05", "2024-01-04")["series"].empty()) << "from > to";
}

// ISO weeks across a year end: buckets start on Mondays, the first clipped to `from`.
TEST_F(KpiQueryTest, IsoWeeksAcrossYearEnd) {
  OrderFacts f = Parties("C1", "M1", "F1");
  Add(f, {Hit(KpiKey::kCsat, "2024-12-24"),         // before the range
          Hit(KpiKey::kCsat, "2024-12-25"),         // Wednesday of the week of Mon 12-23
          Hit(KpiKey::kCsat, "2024-12-29", false),  // Sunday, same week
          Hit(KpiKey::kCsat, "2024-12-30"),         // Monday: ISO week 1 of 2025
          Hit(KpiKey::kCsat, "2025-01-01", false),  // same ISO week
          Hit(KpiKey::kCsat, "2025-01-19"),         // the last day of the range
          Hit(KpiKey::kCsat, "2025-01-20")});       // after the range
  json r = Run("2024-12-25", "2025-01-19", Bucket::kWeek);
  EXPECT_EQ(r["bucket"], "week");
  EXPECT_EQ(Series(r, "csat"),
            (std::vector<std::string>{"null@2024-12-25=1/2", "null@2024-12-30=1/2",
                                      "null@2025-01-06=0/0", "null@2025-01-13=1/1"}));
}

// Month buckets: calendar months, the first clipped to `from`, the last cut at `to`.
TEST_F(KpiQueryTest, MonthBuckets) {
  Add(Parties("C1", "M1", "F1"),
      {Hit(KpiKey::kOtifRate, "2024-01-14"), Hit(KpiKey::kOtifRate, "2024-01-15"),
       Hit(KpiKey::kOtifRate, "2024-01-31", false), Hit(KpiKey::kOtifRate, "2024-02-29"),
       Hit(KpiKey::kOtifRate, "2024-03-10"), Hit(KpiKey::kOtifRate, "2024-03-11")});
  json r = Run("2024-01-15", "2024-03-10", Bucket::kMonth);
  EXPECT_EQ(Series(r, "otif_rate"),
            (std::vector<std::string>{"null@2024-01-15=1/2", "null@2024-02-01=1/1",
                                      "null@2024-03-01=1/1"}));
}

// group_by: one entry per group with data in range, sorted by group then bucket_start.
TEST_F(KpiQueryTest, GroupByEachKind) {
  Add(Parties("C2", "M1", "F1"),
      {Hit(KpiKey::kOtifRate, "2024-01-02"), Hit(KpiKey::kOtifRate, "2024-01-03", false)});
  Add(Parties("C1", "M2", "F1"), {Hit(KpiKey::kOtifRate, "2024-01-03")});
  Add(Parties("C3", "M3", "F3"), {Hit(KpiKey::kOtifRate, "2024-02-03")});  // outside the range
  json by_customer = Run("2024-01-01", "2024-01-04", Bucket::kDay, GroupKind::kCustomer);
  EXPECT_EQ(by_customer["group_by"], "customer");
  EXPECT_EQ(Series(by_customer, "otif_rate"),
            (std::vector<std::string>{"C1@2024-01-01=0/0", "C1@2024-01-02=0/0", "C1@2024-01-03=1/1",
                                      "C1@2024-01-04=0/0", "C2@2024-01-01=0/0", "C2@2024-01-02=1/1",
                                      "C2@2024-01-03=0/1", "C2@2024-01-04=0/0"}));
  EXPECT_EQ(
      Series(Run("2024-01-01", "2024-01-31", std::nullopt, GroupKind::kMerchandiser), "otif_rate"),
      (std::vector<std::string>{"M1@2024-01-01=1/2", "M2@2024-01-01=1/1"}));
  EXPECT_EQ(
      Series(Run("2024-01-01", "2024-01-31", std::nullopt, GroupKind::kSupplier), "otif_rate"),
      (std::vector<std::string>{"F1@2024-01-01=2/3"}));
  EXPECT_EQ(Series(Run("2024-01-01", "2024-02-29"), "otif_rate"),
            (std::vector<std::string>{"null@2024-01-01=3/4"}));
}

// A contribution's own supplier (an inspection's) overrides the order's in supplier groups only.
TEST_F(KpiQueryTest, ContributionSupplierGroups) {
  Contribution inspection = Hit(KpiKey::kInspectionPassRate, "2024-01-05");
  inspection.supplier = "F9";
  Add(Parties("C1", "M1", "F1"), {inspection, Hit(KpiKey::kOrderAccuracyRate, "2024-01-05")});
  json r = Run("2024-01-01", "2024-01-31", std::nullopt, GroupKind::kSupplier);
  EXPECT_EQ(Series(r, "inspection_pass_rate"),
            (std::vector<std::string>{"F1@2024-01-01=0/0", "F9@2024-01-01=1/1"}));
  EXPECT_EQ(Series(r, "order_accuracy_rate"),
            (std::vector<std::string>{"F1@2024-01-01=1/1", "F9@2024-01-01=0/0"}));
  EXPECT_EQ(Series(Run("2024-01-01", "2024-01-31", std::nullopt, GroupKind::kCustomer),
                   "inspection_pass_rate"),
            (std::vector<std::string>{"C1@2024-01-01=1/1"}));
}

// A group whose cells all netted to empty has no data: it is left out.
TEST_F(KpiQueryTest, RetractedGroupDisappears) {
  OrderFacts f = Parties("C1", "M1", "F1");
  std::vector<Contribution> parts = {Hit(KpiKey::kOtifRate, "2024-01-05")};
  Add(f, parts);
  CellMap retract;
  AddContributions(parts, f, -1, &retract);
  source_.Apply(retract);
  EXPECT_TRUE(source_.cells().empty());
  EXPECT_TRUE(
      Run("2024-01-01", "2024-01-31", std::nullopt, GroupKind::kCustomer)["series"].empty());
}

}  // namespace
}  // namespace gendan
