// `gendan scorecard`'s CSV and table from a hand-made /v1/scorecards body.
#include "consumers/scorecard_report.h"

#include <gtest/gtest.h>

namespace gendan {
namespace {

using Json = nlohmann::json;

const Scorecard kCard = {{KpiKey::kOtifRate, 0.8, 3, Direction::kHigher},
                         {KpiKey::kConfirmationHours, 10, 1, Direction::kLower}};

Json Kpi(Json value, Json attainment, double target, double weight) {
  return {{"value", value}, {"target", target}, {"weight", weight}, {"attainment", attainment}};
}

Json Body(bool previous) {
  Json body = {{"from", "2026-02-01"}, {"to", "2026-02-28"}, {"group_by", "merchandiser"}};
  body["entries"] = Json::array(
      {{{"group", "M,1"},
        {"score", 87.5},
        {"rank", 1},
        {"kpis",
         {{"otif_rate", Kpi(0.64, 0.8, 0.8, 3)}, {"confirmation_hours", Kpi(5.5, 1.0, 10, 1)}}}},
       {{"group", "M2"},
        {"score", nullptr},
        {"rank", nullptr},
        {"kpis",
         {{"otif_rate", Kpi(nullptr, nullptr, 0.8, 3)},
          {"confirmation_hours", Kpi(nullptr, nullptr, 10, 1)}}}}});
  if (previous) {
    body["previous"] = {{"from", "2026-01-04"}, {"to", "2026-01-31"}};
    body["entries"][0]["previous"] = {
        {"score", 25.0},
        {"rank", 2},
        {"kpis",
         {{"otif_rate", {{"value", 0.2}, {"attainment", 0.25}}},
          {"confirmation_hours", {{"value", nullptr}, {"attainment", nullptr}}}}}};
    body["entries"][1]["previous"] = {
        {"score", nullptr},
        {"rank", nullptr},
        {"kpis",
         {{"otif_rate", {{"value", nullptr}, {"attainment", nullptr}}},
          {"confirmation_hours", {{"value", nullptr}, {"attainment", nullptr}}}}}};
  }
  return body;
}

// Columns in the card's order, nulls empty, a group with a comma quoted, full precision.
TEST(ScorecardReportTest, Csv) {
  EXPECT_EQ(ScorecardCsv(Body(false), kCard),
            "rank,group,score,otif_rate_value,otif_rate_attainment,confirmation_hours_value,"
            "confirmation_hours_attainment\n"
            "1,\"M,1\",87.5,0.64,0.8,5.5,1.0\n"
            ",M2,,,,,\n");
}

TEST(ScorecardReportTest, CsvWithPreviousPeriod) {
  std::string csv = ScorecardCsv(Body(true), kCard);
  EXPECT_EQ(csv,
            "rank,group,score,otif_rate_value,otif_rate_attainment,confirmation_hours_value,"
            "confirmation_hours_attainment,previous_rank,previous_score,"
            "otif_rate_previous_value,otif_rate_previous_attainment,"
            "confirmation_hours_previous_value,confirmation_hours_previous_attainment\n"
            "1,\"M,1\",87.5,0.64,0.8,5.5,1.0,2,25.0,0.2,0.25,,\n"
            ",M2,,,,,,,,,,,\n");
}

// The table: a heading, ranked rows with attainment (value), the change, and the targets.
TEST(ScorecardReportTest, Table) {
  std::string table = ScorecardTable(Body(true), kCard);
  EXPECT_NE(table.find("Scorecard 2026-02-01 .. 2026-02-28 by merchandiser (previous period "
                       "2026-01-04 .. 2026-01-31)"),
            std::string::npos)
      << table;
  EXPECT_NE(table.find("rank  merchandiser  score  previous  change  otif_rate"), std::string::npos)
      << table;
  EXPECT_NE(
      table.find("1     M,1           87.5   25.0      +62.5   80.0% (0.640)  100.0% (5.500)"),
      std::string::npos)
      << table;
  EXPECT_NE(table.find("-     M2            -      -         -       -"), std::string::npos)
      << table;
  EXPECT_NE(table.find("otif_rate >= 0.8 (weight 3), confirmation_hours <= 10 (weight 1)"),
            std::string::npos)
      << table;
  Json empty = Body(false);
  empty["entries"] = Json::array();
  EXPECT_NE(ScorecardTable(empty, kCard).find("(no data in this range)"), std::string::npos);
}

}  // namespace
}  // namespace gendan
