// Scorecards (DOMAIN.md §8): the scoring rules on hand-computed values, the config form of an
// entry, and RunScorecardQuery over hand-made KPI cells.
#include "projections/scorecard.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace gendan {
namespace {

using nlohmann::json;

Date D(std::string_view text) { return ParseDate(text).value_or(Date{}); }

ScorecardEntry Higher(KpiKey kpi, double target, double weight) {
  return {kpi, target, weight, Direction::kHigher};
}
ScorecardEntry Lower(KpiKey kpi, double target, double weight) {
  return {kpi, target, weight, Direction::kLower};
}

KpiValues Values(std::initializer_list<std::pair<KpiKey, double>> values) {
  KpiValues out;
  for (auto [key, v] : values) out[size_t(key)] = v;
  return out;
}

GroupScore Scored(std::string group, std::optional<double> score) {
  GroupScore g;
  g.group = std::move(group);
  g.score = score;
  return g;
}

// "group:rank:score" in list order, "-" for null.
std::vector<std::string> Ranking(const std::vector<GroupScore>& scores) {
  std::vector<std::string> out;
  for (const GroupScore& g : scores) {
    std::string score = g.score ? std::to_string(int(std::lround(*g.score * 1000))) : "-";
    out.push_back(g.group + ":" + (g.rank ? std::to_string(*g.rank) : "-") + ":" + score);
  }
  return out;
}

// The default is DOMAIN.md §8's table, in its order.
TEST(ScorecardTest, DefaultIsTheDomainTable) {
  const Scorecard want = {
      Higher(KpiKey::kOtifRate, 0.95, 30),
      Higher(KpiKey::kPerfectOrderRate, 0.90, 15),
      Higher(KpiKey::kOrderAccuracyRate, 0.98, 10),
      Lower(KpiKey::kConfirmationHours, 24, 10),
      Higher(KpiKey::kCsat, 0.90, 15),
      Higher(KpiKey::kIssueSlaRate, 0.90, 10),
      Higher(KpiKey::kHandoffOnTimeRate, 0.90, 10),
  };
  EXPECT_EQ(DefaultScorecard(), want);
}

// higher: value ÷ target, capped at 1; 0 attains 0.
TEST(ScorecardTest, HigherAttainmentIsCapped) {
  ScorecardEntry e = Higher(KpiKey::kOtifRate, 0.8, 30);
  EXPECT_DOUBLE_EQ(*Attainment(e, 0.6), 0.75);
  EXPECT_DOUBLE_EQ(*Attainment(e, 0.8), 1.0);   // exactly on target
  EXPECT_DOUBLE_EQ(*Attainment(e, 0.96), 1.0);  // above target: capped
  EXPECT_DOUBLE_EQ(*Attainment(e, 0.0), 0.0);
  EXPECT_FALSE(Attainment(e, std::nullopt).has_value());
}

// lower: target ÷ value, capped at 1; a value of 0 attains 1 (not a division by zero).
TEST(ScorecardTest, LowerAttainmentIncludingZero) {
  ScorecardEntry e = Lower(KpiKey::kConfirmationHours, 24, 10);
  EXPECT_DOUBLE_EQ(*Attainment(e, 48.0), 0.5);
  EXPECT_DOUBLE_EQ(*Attainment(e, 96.0), 0.25);
  EXPECT_DOUBLE_EQ(*Attainment(e, 24.0), 1.0);
  EXPECT_DOUBLE_EQ(*Attainment(e, 6.0), 1.0);  // better than target: capped
  EXPECT_DOUBLE_EQ(*Attainment(e, 0.0), 1.0);  // DOMAIN.md: "1 when value is 0"
  EXPECT_FALSE(Attainment(e, std::nullopt).has_value());
}

// Every default entry with a value: score = 100 × Σ(w × a) ÷ 100 (the weights sum to 100).
TEST(ScorecardTest, ScoreOfTheDefaultCardByHand) {
  KpiValues v = Values({{KpiKey::kOtifRate, 0.76},           // 0.76/0.95 = 0.8  × 30 = 24
                        {KpiKey::kPerfectOrderRate, 0.95},   // capped 1         × 15 = 15
                        {KpiKey::kOrderAccuracyRate, 0.49},  // 0.49/0.98 = 0.5  × 10 = 5
                        {KpiKey::kConfirmationHours, 32},    // 24/32 = 0.75     × 10 = 7.5
                        {KpiKey::kCsat, 0.45},               // 0.5              × 15 = 7.5
                        {KpiKey::kIssueSlaRate, 0.9},        // 1                × 10 = 10
                        {KpiKey::kHandoffOnTimeRate, 0.0},   // 0                × 10 = 0
                        {KpiKey::kDefectPpm, 5000}});        // not on the card
  GroupScore g = ScoreGroup(DefaultScorecard(), "M1", v);
  EXPECT_EQ(g.group, "M1");
  ASSERT_TRUE(g.score.has_value());
  EXPECT_NEAR(*g.score, 69.0, 1e-9);  // 24 + 15 + 5 + 7.5 + 7.5 + 10 + 0
  ASSERT_EQ(g.kpis.size(), 7u);
  EXPECT_EQ(g.kpis[0].entry.kpi, KpiKey::kOtifRate);
  EXPECT_NEAR(*g.kpis[0].attainment, 0.8, 1e-12);
  EXPECT_DOUBLE_EQ(*g.kpis[3].value, 32.0);
  EXPECT_DOUBLE_EQ(*g.kpis[3].attainment, 0.75);
  EXPECT_DOUBLE_EQ(*g.kpis[6].attainment, 0.0);
  EXPECT_FALSE(g.rank.has_value()) << "ranks come from RankScores";
}

// A null KPI is left out and the remaining weights renormalised.
TEST(ScorecardTest, NullKpisRenormaliseTheWeights) {
  // otif 0.475 → 0.5 × 30 = 15; csat 0.9 → 1 × 15 = 15; the other five are null.
  GroupScore g = ScoreGroup(DefaultScorecard(), "M1",
                            Values({{KpiKey::kOtifRate, 0.475}, {KpiKey::kCsat, 0.9}}));
  ASSERT_TRUE(g.score.has_value());
  EXPECT_NEAR(*g.score, 100.0 * 30 / 45, 1e-9);  // (15 + 15) ÷ (30 + 15), not ÷ 100
  EXPECT_FALSE(g.kpis[1].value.has_value());
  EXPECT_FALSE(g.kpis[1].attainment.has_value());
  EXPECT_EQ(g.kpis[1].entry.weight, 15) << "the configured weight is reported as is";

  // A single kept entry decides the score alone.
  GroupScore only = ScoreGroup(DefaultScorecard(), "M2", Values({{KpiKey::kConfirmationHours, 0}}));
  EXPECT_DOUBLE_EQ(*only.score, 100.0);
}

// Every entry null (or only KPIs off the card): a null score, unranked, listed last.
TEST(ScorecardTest, AllNullGivesANullUnrankedScore) {
  GroupScore none = ScoreGroup(DefaultScorecard(), "M0", Values({{KpiKey::kDefectPpm, 100}}));
  EXPECT_FALSE(none.score.has_value());
  std::vector<GroupScore> scores = {
      none, ScoreGroup(DefaultScorecard(), "M9", Values({{KpiKey::kCsat, 0.45}}))};
  RankScores(&scores);
  EXPECT_EQ(Ranking(scores), (std::vector<std::string>{"M9:1:50000", "M0:-:-"}));
}

// Ranked by score, best first; ties share the best rank of their run and the next rank skips;
// equal scores are listed by group; null scores last by group, unranked.
TEST(ScorecardTest, TiesShareARank) {
  std::vector<GroupScore> scores = {
      Scored("E", 70), Scored("Z", std::nullopt), Scored("D", 80),           Scored("B", 90),
      Scored("C", 80), Scored("A", 80),           Scored("Y", std::nullopt), Scored("F", 10)};
  RankScores(&scores);
  EXPECT_EQ(Ranking(scores),
            (std::vector<std::string>{"B:1:90000", "A:2:80000", "C:2:80000", "D:2:80000",
                                      "E:5:70000", "F:6:10000", "Y:-:-", "Z:-:-"}));
  std::vector<GroupScore> top_tie = {Scored("B", 100), Scored("A", 100), Scored("C", 99.5)};
  RankScores(&top_tie);
  EXPECT_EQ(Ranking(top_tie), (std::vector<std::string>{"A:1:100000", "B:1:100000", "C:3:99500"}));
}

// Equal scores reached by different sums tie although their doubles differ in the last bits;
// scores 1e-6 apart do not.
TEST(ScorecardTest, TiesIgnoreFloatingPointNoise) {
  Scorecard card = {Higher(KpiKey::kOtifRate, 1, 1), Higher(KpiKey::kCsat, 1, 1),
                    Higher(KpiKey::kIssueSlaRate, 1, 1)};
  GroupScore a = ScoreGroup(card, "A",
                            Values({{KpiKey::kOtifRate, 0.1},
                                    {KpiKey::kCsat, 0.2},
                                    {KpiKey::kIssueSlaRate, 0.3}}));  // 100 × 0.6 / 3
  GroupScore b = ScoreGroup(card, "B",
                            Values({{KpiKey::kOtifRate, 0.3},
                                    {KpiKey::kCsat, 0.3},
                                    {KpiKey::kIssueSlaRate, 0.0}}));  // 100 × 0.6 / 3
  ASSERT_NE(*a.score, *b.score) << "the premise: the two doubles differ";
  EXPECT_NEAR(*a.score, 20.0, 1e-9);
  std::vector<GroupScore> scores = {b, a, Scored("C", 20.000001), Scored("D", 19.999999)};
  RankScores(&scores);
  EXPECT_EQ(Ranking(scores),
            (std::vector<std::string>{"C:1:20000", "A:2:20000", "B:2:20000", "D:4:20000"}));
}

// A duration is scored on its mean, a rate on its value (defect_ppm: the ppm figure).
TEST(ScorecardTest, ValuesFromTheKpiJson) {
  json kpis = {
      {"otif_rate", {{"value", 0.5}, {"numerator", 1}, {"denominator", 2}}},
      {"csat", {{"value", nullptr}, {"numerator", 0}, {"denominator", 0}}},
      {"confirmation_hours", {{"count", 2}, {"mean", 30.0}, {"p50", 20.0}, {"p90", 40.0}}},
      {"cycle_time_days", {{"count", 0}, {"mean", nullptr}, {"p50", nullptr}, {"p90", nullptr}}},
      {"defect_ppm", {{"value", 2500.0}, {"numerator", 1}, {"denominator", 400}}}};
  KpiValues v = KpiValuesFromJson(kpis);
  EXPECT_EQ(v[size_t(KpiKey::kOtifRate)], 0.5);
  EXPECT_FALSE(v[size_t(KpiKey::kCsat)].has_value());
  EXPECT_EQ(v[size_t(KpiKey::kConfirmationHours)], 30.0);
  EXPECT_FALSE(v[size_t(KpiKey::kCycleTimeDays)].has_value());
  EXPECT_EQ(v[size_t(KpiKey::kDefectPpm)], 2500.0);
  EXPECT_FALSE(v[size_t(KpiKey::kRating)].has_value()) << "absent keys are null";
}

// The config form of an entry, and every way it can be wrong.
TEST(ScorecardTest, ParseEntry) {
  auto e = ParseScorecardEntry("confirmation_hours", "weight=10  direction=lower target=24.5");
  ASSERT_TRUE(e.ok()) << e.status().ToString();
  EXPECT_EQ(*e, Lower(KpiKey::kConfirmationHours, 24.5, 10));
  EXPECT_EQ(FormatScorecardSpec(*e), "target=24.5 weight=10 direction=lower");
  auto round_trip = ParseScorecardEntry("otif_rate", FormatScorecardSpec(DefaultScorecard()[0]));
  ASSERT_TRUE(round_trip.ok());
  EXPECT_EQ(*round_trip, DefaultScorecard()[0]);

  struct Bad {
    const char* kpi;
    const char* spec;
    const char* message;  // a part of the error message
  };
  for (const Bad& bad : std::vector<Bad>{
           {"otif_ratio", "target=1 weight=1 direction=higher", "unknown KPI 'otif_ratio'"},
           {"otif_rate", "target=0.9 weight=0 direction=higher", "weight must be a number > 0"},
           {"otif_rate", "target=0.9 weight=-3 direction=higher", "got '-3'"},
           {"otif_rate", "target=0 weight=3 direction=higher", "target must be a number > 0"},
           {"otif_rate", "target=nan weight=3 direction=higher", "target must be"},
           {"otif_rate", "target=inf weight=3 direction=higher", "target must be"},
           {"otif_rate", "target=0.9x weight=3 direction=higher", "got '0.9x'"},
           {"otif_rate", "target=0.9 weight=3 direction=up", "direction must be higher or lower"},
           {"otif_rate", "target=0.9 weight=3", "missing direction"},
           {"otif_rate", "", "missing target"},
           {"otif_rate", "target=0.9 target=0.8 weight=3 direction=higher",
            "target is given twice"},
           {"otif_rate", "target=0.9 weight=3 direction=higher bonus=2", "got 'bonus=2'"},
           {"otif_rate", "0.9 3 higher", "got '0.9'"},
       }) {
    auto r = ParseScorecardEntry(bad.kpi, bad.spec);
    ASSERT_FALSE(r.ok()) << bad.kpi << " = " << bad.spec;
    EXPECT_EQ(r.status().code(), Status::Code::kInvalidArgument);
    EXPECT_NE(r.status().message().find(bad.message), std::string::npos)
        << r.status().message() << " (wanted: " << bad.message << ")";
    EXPECT_NE(r.status().message().find(std::string("scorecard.") + bad.kpi + ": "),
              std::string::npos)
        << "names the entry: " << r.status().message();
  }
}

TEST(ScorecardTest, PreviousPeriodHasEqualLength) {
  EXPECT_EQ(PreviousPeriod(D("2026-03-01"), D("2026-03-31")),
            std::make_pair(D("2026-01-29"), D("2026-02-28")));
  EXPECT_EQ(PreviousPeriod(D("2026-01-01"), D("2026-01-01")),
            std::make_pair(D("2025-12-31"), D("2025-12-31")));
  EXPECT_EQ(PreviousPeriod(D("2024-03-01"), D("2024-05-30")),  // 91 days, across 2024-02-29
            std::make_pair(D("2023-12-01"), D("2024-02-29")));
}

TEST(ScorecardTest, GroupByNames) {
  EXPECT_EQ(ParseScorecardGroupBy("department"), GroupKind::kNone);
  EXPECT_EQ(ParseScorecardGroupBy("merchandiser"), GroupKind::kMerchandiser);
  EXPECT_EQ(ParseScorecardGroupBy("supplier"), GroupKind::kSupplier);
  EXPECT_FALSE(ParseScorecardGroupBy("none").has_value());
  EXPECT_FALSE(ParseScorecardGroupBy("").has_value());
  EXPECT_EQ(ScorecardGroupByName(GroupKind::kNone), "department");
  EXPECT_EQ(ScorecardGroupByName(GroupKind::kCustomer), "customer");
}

// ---- RunScorecardQuery over cells ----------------------------------------------------------

class ScorecardQueryTest : public ::testing::Test {
 protected:
  // Adds rate parts num/den of `key` on `date` to an order of merchandiser `m`.
  void Rate(std::string m, KpiKey key, std::string_view date, int64_t num, int64_t den) {
    Contribution c;
    c.key = key;
    c.date = D(date);
    c.num = num;
    c.den = den;
    Add(std::move(m), c);
  }
  void Sample(std::string m, KpiKey key, std::string_view date, double sample) {
    Contribution c;
    c.key = key;
    c.date = D(date);
    c.sample = sample;
    Add(std::move(m), c);
  }
  json Run(std::string_view from, std::string_view to, GroupKind group_by, bool previous = false) {
    return RunScorecardQuery(source_, card_, {D(from), D(to), group_by, previous});
  }
  Scorecard card_ = {Higher(KpiKey::kOtifRate, 0.8, 3), Lower(KpiKey::kConfirmationHours, 10, 1)};

 private:
  void Add(std::string m, const Contribution& c) {
    OrderFacts f;
    f.placed = true;
    f.customer_id = "C-" + m;
    f.merchandiser_id = std::move(m);
    f.supplier_id = "F1";
    CellMap delta;
    AddContributions({c}, f, +1, &delta);
    source_.Apply(delta);
  }
  MemoryCellSource source_;
};

// The §8 body: entries ranked, every card entry in every kpis object, groups without any data
// left out, a group with data only off the card listed last with a null score.
TEST_F(ScorecardQueryTest, BodyByMerchandiser) {
  Rate("M1", KpiKey::kOtifRate, "2026-01-05", 2, 5);           // 0.4 → 0.5 × 3
  Sample("M1", KpiKey::kConfirmationHours, "2026-01-06", 20);  // 10/20 = 0.5 × 1 → 50
  Rate("M2", KpiKey::kOtifRate, "2026-01-07", 4, 4);           // 1 → 1 × 3, hours null → 100
  Rate("M3", KpiKey::kDefectPpm, "2026-01-08", 1, 100);        // off the card → null
  Rate("M4", KpiKey::kOtifRate, "2026-02-01", 1, 1);           // outside the range
  Sample("M5", KpiKey::kConfirmationHours, "2026-01-31", 0);   // lower, value 0 → 100
  json r = Run("2026-01-01", "2026-01-31", GroupKind::kMerchandiser);
  EXPECT_EQ(r["from"], "2026-01-01");
  EXPECT_EQ(r["to"], "2026-01-31");
  EXPECT_EQ(r["group_by"], "merchandiser");
  EXPECT_FALSE(r.contains("previous"));
  const json& e = r["entries"];
  ASSERT_EQ(e.size(), 4u) << r.dump();
  EXPECT_EQ(e[0]["group"], "M2");
  EXPECT_EQ(e[0]["rank"], 1);
  EXPECT_DOUBLE_EQ(e[0]["score"].get<double>(), 100.0);
  EXPECT_EQ(e[1]["group"], "M5");
  EXPECT_EQ(e[1]["rank"], 1);
  EXPECT_EQ(e[2]["group"], "M1");
  EXPECT_EQ(e[2]["rank"], 3);
  EXPECT_DOUBLE_EQ(e[2]["score"].get<double>(), 50.0);
  EXPECT_EQ(e[2]["kpis"]["otif_rate"],
            json({{"value", 0.4}, {"target", 0.8}, {"weight", 3.0}, {"attainment", 0.5}}));
  EXPECT_EQ(e[2]["kpis"]["confirmation_hours"],
            json({{"value", 20.0}, {"target", 10.0}, {"weight", 1.0}, {"attainment", 0.5}}));
  EXPECT_EQ(e[0]["kpis"]["confirmation_hours"],
            json({{"value", nullptr}, {"target", 10.0}, {"weight", 1.0}, {"attainment", nullptr}}));
  EXPECT_EQ(e[3]["group"], "M3");
  EXPECT_TRUE(e[3]["score"].is_null());
  EXPECT_TRUE(e[3]["rank"].is_null());
  EXPECT_EQ(e[3]["kpis"].size(), 2u) << "only the card's KPIs";
}

// department: one entry, group null, always present; empty range of a grouping: no entries.
TEST_F(ScorecardQueryTest, Department) {
  Rate("M1", KpiKey::kOtifRate, "2026-01-05", 2, 5);
  Rate("M2", KpiKey::kOtifRate, "2026-01-07", 4, 5);  // together 6/10 = 0.6 → 0.75
  json r = Run("2026-01-01", "2026-01-31", GroupKind::kNone);
  EXPECT_EQ(r["group_by"], "department");
  ASSERT_EQ(r["entries"].size(), 1u);
  EXPECT_TRUE(r["entries"][0]["group"].is_null());
  EXPECT_EQ(r["entries"][0]["rank"], 1);
  EXPECT_NEAR(r["entries"][0]["score"].get<double>(), 75.0, 1e-9);

  json empty = Run("2025-01-01", "2025-01-31", GroupKind::kNone);
  ASSERT_EQ(empty["entries"].size(), 1u);
  EXPECT_TRUE(empty["entries"][0]["score"].is_null());
  EXPECT_TRUE(empty["entries"][0]["rank"].is_null());
  EXPECT_TRUE(Run("2025-01-01", "2025-01-31", GroupKind::kMerchandiser)["entries"].empty());
  EXPECT_TRUE(Run("2026-01-31", "2026-01-01", GroupKind::kNone)["entries"].empty());
}

// compare_previous: each entry gains the group's score, rank and attainments in the period of
// equal length just before; null when the group had no data then.
TEST_F(ScorecardQueryTest, ComparePrevious) {
  Rate("M1", KpiKey::kOtifRate, "2026-02-10", 4, 5);   // Feb: 0.8 → 100
  Rate("M2", KpiKey::kOtifRate, "2026-02-11", 1, 5);   // Feb: 0.2 → 25
  Rate("M1", KpiKey::kOtifRate, "2026-01-30", 1, 5);   // previous: 0.2 → 25
  Rate("M3", KpiKey::kOtifRate, "2026-01-03", 8, 10);  // previous: 1 → 100 (rank 1 then)
  Rate("M2", KpiKey::kOtifRate, "2026-01-02", 9, 9);   // 2026-01-02: before the previous period
  json r = Run("2026-02-01", "2026-02-28", GroupKind::kMerchandiser, true);
  EXPECT_EQ(r["previous"], json({{"from", "2026-01-04"}, {"to", "2026-01-31"}}));
  ASSERT_EQ(r["entries"].size(), 2u) << "only the current period's groups";
  const json& m1 = r["entries"][0];
  EXPECT_EQ(m1["group"], "M1");
  EXPECT_DOUBLE_EQ(m1["score"].get<double>(), 100.0);
  EXPECT_DOUBLE_EQ(m1["previous"]["score"].get<double>(), 25.0);
  EXPECT_EQ(m1["previous"]["rank"], 1) << "M3's data is on 01-03, outside the 28 days";
  EXPECT_EQ(m1["previous"]["kpis"]["otif_rate"], json({{"value", 0.2}, {"attainment", 0.25}}));
  EXPECT_EQ(m1["previous"]["kpis"]["confirmation_hours"],
            json({{"value", nullptr}, {"attainment", nullptr}}));
  const json& m2 = r["entries"][1];
  EXPECT_EQ(m2["group"], "M2");
  EXPECT_TRUE(m2["previous"]["score"].is_null());
  EXPECT_TRUE(m2["previous"]["rank"].is_null());
  EXPECT_TRUE(m2["previous"]["kpis"]["otif_rate"]["attainment"].is_null());

  json wider = Run("2026-01-30", "2026-02-28", GroupKind::kMerchandiser, true);  // 30 days
  EXPECT_EQ(wider["previous"], json({{"from", "2025-12-31"}, {"to", "2026-01-29"}}));
  EXPECT_EQ(wider["entries"][0]["group"], "M1");
  EXPECT_EQ(wider["entries"][1]["previous"]["rank"], 1) << "M2 (9/9) ties M3 at 100 before";
}

}  // namespace
}  // namespace gendan
