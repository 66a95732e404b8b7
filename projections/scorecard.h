// Assessment scorecards (考核, DOMAIN.md §8): each group scored 0..100 against KPI targets.
//
//   Scorecard card = DefaultScorecard();          // or the config's scorecard.<kpi> entries
//   nlohmann::json body = RunScorecardQuery(cells, card, {from, to, GroupKind::kMerchandiser});
//   ScoreGroup(card, "M-LI", values).score;        // the rule itself, on KPI values
//
// A scorecard is computed from the answer of RunKpiQuery (GET /v1/kpis) for the same range and
// grouping, so it reads only the KPI cells (never orders) and never disagrees with the KPIs.
// Pure functions and values; thread-safe.
//
// Decisions where DOMAIN.md §8 leaves room (binding for the API and the CLI):
// - A KPI's value is its rate's `value` (defect_ppm: the ppm figure), or its `mean` for a
//   distribution (durations, rating); null when that is null.
// - attainment = value ÷ target (higher) or target ÷ value (lower), then clamped to [0, 1]; for
//   `lower` a value ≤ 0 attains 1 (DOMAIN.md: "1 when value is 0"; values are never negative).
// - Every configured entry is reported in every `kpis` object (GroupScore::kpis keeps the
//   config's order); an entry whose value is null has a null attainment and `weight` is always the
//   configured weight (the renormalisation only shows in the score).
// - Ranking: by score, best first; scores that agree to 6 decimal places tie (floating-point
//   sums of equal scores may differ in the last bits) and share the best rank of their run,
//   the next rank skipping (1, 1, 3: standard competition ranking). Equal scores are listed by
//   group id. Null scores come last, by group id, with a null rank.
// - group_by=department is GroupKind::kNone: one entry whose group is null, always present
//   (with a null score when nothing happened), like /v1/kpis without group_by. With a grouping,
//   groups without any KPI data in the range are left out, as /v1/kpis does; a group with data
//   only in KPIs outside the scorecard is listed with a null score.
// - compare_previous: the previous period is the same number of days ending the day before
//   `from`. The body gains "previous": {"from", "to"}, and every entry "previous": {"score",
//   "rank", "kpis": {KEY: {"value", "attainment"}}} — the group's score, its rank among the
//   groups of the previous period, and its attainments there (all null when the group had no
//   data then).
#pragma once

#include <array>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "engine/status.h"
#include "projections/business_time.h"
#include "projections/kpi.h"

namespace gendan {

enum class Direction { kHigher, kLower };                        // which way is better
std::string_view DirectionName(Direction d);                     // "higher" | "lower"
std::optional<Direction> ParseDirection(std::string_view text);  // the inverse

// One line of a scorecard: a KPI, its target, its weight among the entries, and which way is
// better. Valid entries have target > 0 and weight > 0 (both finite).
struct ScorecardEntry {
  KpiKey kpi = KpiKey::kOtifRate;
  double target = 1;
  double weight = 1;
  Direction direction = Direction::kHigher;

  bool operator==(const ScorecardEntry&) const = default;
};
using Scorecard = std::vector<ScorecardEntry>;

// DOMAIN.md §8's default: otif_rate 0.95/30, perfect_order_rate 0.90/15, order_accuracy_rate
// 0.98/10, confirmation_hours 24/10 (lower), csat 0.90/15, issue_sla_rate 0.90/10,
// handoff_on_time_rate 0.90/10; all `higher` but confirmation_hours.
const Scorecard& DefaultScorecard();

// Parses the config form of an entry: `kpi` is the KPI key ("otif_rate") and `spec` is
// "target=0.95 weight=30 direction=higher" (the three fields, in any order, separated by
// spaces). InvalidArgument "scorecard.<kpi>: <problem>" for an unknown KPI, a missing, repeated or
// unknown field, a target or weight that is not a finite number > 0, a direction not higher/lower.
Result<ScorecardEntry> ParseScorecardEntry(std::string_view kpi, std::string_view spec);
// The inverse: "target=0.95 weight=30 direction=higher".
std::string FormatScorecardSpec(const ScorecardEntry& entry);

// ---- The rule ----------------------------------------------------------------------------

// The value of every KPI in one group, or null (nullopt) where it has none.
using KpiValues = std::array<std::optional<double>, kKpiCount>;
// The values a /v1/kpis `kpis` object reports: each rate's `value`, each distribution's `mean`.
KpiValues KpiValuesFromJson(const nlohmann::json& kpis);

// An entry's attainment in [0, 1] for a value, or nullopt for a null value.
std::optional<double> Attainment(const ScorecardEntry& entry, std::optional<double> value);

struct KpiScore {
  ScorecardEntry entry;
  std::optional<double> value;
  std::optional<double> attainment;
};

struct GroupScore {
  std::string group;            // "" for the department
  std::optional<double> score;  // 0..100; null when every entry's value is null
  std::optional<int> rank;      // set by RankScores; null for a null score
  std::vector<KpiScore> kpis;   // one per scorecard entry, in its order
};

// score = 100 × Σ(weight × attainment) ÷ Σ(weight) over the entries with a value; null if none.
GroupScore ScoreGroup(const Scorecard& card, std::string group, const KpiValues& values);

// Sorts best first (score descending, then group id; null scores last, by group id) and sets
// each rank: tied scores (equal to 6 decimal places) share a rank, the next one skips.
void RankScores(std::vector<GroupScore>* scores);

// ---- The query ---------------------------------------------------------------------------

// "merchandiser" | "customer" | "supplier" | "department" (= GroupKind::kNone); nullopt else.
std::optional<GroupKind> ParseScorecardGroupBy(std::string_view text);
std::string_view ScorecardGroupByName(GroupKind kind);  // the inverse

// The period of equal length immediately before [from, to].
std::pair<Date, Date> PreviousPeriod(Date from, Date to);

struct ScorecardQuery {
  Date from;  // inclusive
  Date to;    // inclusive
  GroupKind group_by = GroupKind::kMerchandiser;
  bool compare_previous = false;
};

// The body of GET /v1/scorecards (DOMAIN.md §8): {"from", "to", "group_by", "entries": [{"group",
// "score", "rank", "kpis": {KEY: {"value", "target", "weight", "attainment"}}}]}, entries
// ranked as RankScores orders them; with compare_previous also "previous" as described above.
// from > to gives no entries.
nlohmann::json RunScorecardQuery(const CellSource& source, const Scorecard& card,
                                 const ScorecardQuery& query);

}  // namespace gendan
