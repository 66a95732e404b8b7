// `gendan scorecard`'s output: a GET /v1/scorecards body (projections/scorecard.h) as a ranked
// table for a terminal or as CSV for a spreadsheet.
//
//   nlohmann::json body = RunScorecardQuery(store, card, query);
//   std::cout << ScorecardCsv(body, card);    // or ScorecardTable(body, card)
//
// Columns follow the card's order. Pure functions; thread-safe.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "projections/scorecard.h"

namespace gendan {

// CSV (RFC 4180 quoting, lines ending in \n): one header line then one line per entry in rank
// order:
//   rank,group,score,<kpi>_value,<kpi>_attainment,... for each card entry
// and with a "previous" period also
//   previous_rank,previous_score,<kpi>_previous_value,<kpi>_previous_attainment,...
// Nulls are empty cells (the department's group too); numbers are printed in full precision.
std::string ScorecardCsv(const nlohmann::json& body, const Scorecard& card);

// A heading, one row per entry (rank, group, score, each KPI's attainment in % and its value,
// and with a previous period the previous score and the change), then the card's targets.
std::string ScorecardTable(const nlohmann::json& body, const Scorecard& card);

}  // namespace gendan
