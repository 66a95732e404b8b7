// Scorecards (DOMAIN.md §8) from the /v1/kpis answer: attainment, weighted score, ranking.
#include "projections/scorecard.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <map>
#include <sstream>

namespace gendan {
namespace {

using nlohmann::json;

Status BadEntry(std::string_view kpi, const std::string& why) {
  return Status::InvalidArgument("scorecard." + std::string(kpi) + ": " + why);
}

// A finite number > 0, the whole text.
std::optional<double> ParsePositiveNumber(std::string_view text) {
  double v = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || end != text.data() + text.size() || !std::isfinite(v) || v <= 0) {
    return std::nullopt;
  }
  return v;
}

std::vector<std::string_view> SplitSpaces(std::string_view text) {
  std::vector<std::string_view> parts;
  size_t i = 0;
  while (i < text.size()) {
    if (text[i] == ' ' || text[i] == '\t') {
      ++i;
      continue;
    }
    size_t end = text.find_first_of(" \t", i);
    if (end == std::string_view::npos) end = text.size();
    parts.push_back(text.substr(i, end - i));
    i = end;
  }
  return parts;
}

std::string KnownKpis() {
  std::string names;
  for (KpiKey key : kAllKpis) names += (names.empty() ? "" : ", ") + std::string(KpiName(key));
  return names;
}

json Nullable(std::optional<double> v) { return v ? json(*v) : json(nullptr); }
json Nullable(std::optional<int> v) { return v ? json(*v) : json(nullptr); }

// The score to 6 decimal places, the unit of ties.
int64_t TieKey(double score) { return std::llround(score * 1e6); }

// Every group of one /v1/kpis body, scored and ranked.
std::vector<GroupScore> ScoreKpiBody(const json& kpi_body, const Scorecard& card) {
  std::vector<GroupScore> scores;
  for (const json& e : kpi_body["series"]) {
    std::string group = e["group"].is_null() ? "" : e["group"].get<std::string>();
    scores.push_back(ScoreGroup(card, std::move(group), KpiValuesFromJson(e["kpis"])));
  }
  RankScores(&scores);
  return scores;
}

json EntryJson(const GroupScore& g, GroupKind kind) {
  json kpis = json::object();
  for (const KpiScore& k : g.kpis) {
    kpis[std::string(KpiName(k.entry.kpi))] = {{"value", Nullable(k.value)},
                                               {"target", k.entry.target},
                                               {"weight", k.entry.weight},
                                               {"attainment", Nullable(k.attainment)}};
  }
  return {{"group", kind == GroupKind::kNone ? json(nullptr) : json(g.group)},
          {"score", Nullable(g.score)},
          {"rank", Nullable(g.rank)},
          {"kpis", std::move(kpis)}};
}

// An entry's "previous" object; `g` is null when the group had no data in that period.
json PreviousJson(const GroupScore* g, const Scorecard& card) {
  json kpis = json::object();
  for (size_t i = 0; i < card.size(); ++i) {
    const KpiScore* k = g ? &g->kpis[i] : nullptr;
    kpis[std::string(KpiName(card[i].kpi))] = {
        {"value", k ? Nullable(k->value) : json(nullptr)},
        {"attainment", k ? Nullable(k->attainment) : json(nullptr)}};
  }
  return {{"score", g ? Nullable(g->score) : json(nullptr)},
          {"rank", g ? Nullable(g->rank) : json(nullptr)},
          {"kpis", std::move(kpis)}};
}

}  // namespace

std::string_view DirectionName(Direction d) { return d == Direction::kLower ? "lower" : "higher"; }

std::optional<Direction> ParseDirection(std::string_view text) {
  if (text == "higher") return Direction::kHigher;
  if (text == "lower") return Direction::kLower;
  return std::nullopt;
}

const Scorecard& DefaultScorecard() {
  static const Scorecard card = {
      {KpiKey::kOtifRate, 0.95, 30, Direction::kHigher},
      {KpiKey::kPerfectOrderRate, 0.90, 15, Direction::kHigher},
      {KpiKey::kOrderAccuracyRate, 0.98, 10, Direction::kHigher},
      {KpiKey::kConfirmationHours, 24, 10, Direction::kLower},
      {KpiKey::kCsat, 0.90, 15, Direction::kHigher},
      {KpiKey::kIssueSlaRate, 0.90, 10, Direction::kHigher},
      {KpiKey::kHandoffOnTimeRate, 0.90, 10, Direction::kHigher},
  };
  return card;
}

Result<ScorecardEntry> ParseScorecardEntry(std::string_view kpi, std::string_view spec) {
  auto key = ParseKpiKey(kpi);
  if (!key)
    return BadEntry(kpi, "unknown KPI '" + std::string(kpi) + "' (one of " + KnownKpis() + ")");
  ScorecardEntry entry;
  entry.kpi = *key;
  bool has_target = false, has_weight = false, has_direction = false;
  for (std::string_view part : SplitSpaces(spec)) {
    size_t eq = part.find('=');
    std::string_view name = part.substr(0, eq);
    std::string_view value = eq == std::string_view::npos ? "" : part.substr(eq + 1);
    bool* seen = name == "target"      ? &has_target
                 : name == "weight"    ? &has_weight
                 : name == "direction" ? &has_direction
                                       : nullptr;
    if (seen == nullptr || eq == std::string_view::npos) {
      return BadEntry(kpi, "expected target=NUMBER weight=NUMBER direction=higher|lower, got '" +
                               std::string(part) + "'");
    }
    if (*seen) return BadEntry(kpi, std::string(name) + " is given twice");
    *seen = true;
    if (name == "direction") {
      auto d = ParseDirection(value);
      if (!d)
        return BadEntry(kpi, "direction must be higher or lower, got '" + std::string(value) + "'");
      entry.direction = *d;
      continue;
    }
    auto number = ParsePositiveNumber(value);
    if (!number) {
      return BadEntry(
          kpi, std::string(name) + " must be a number > 0, got '" + std::string(value) + "'");
    }
    (name == "target" ? entry.target : entry.weight) = *number;
  }
  if (!has_target || !has_weight || !has_direction) {
    return BadEntry(kpi, std::string("missing ") +
                             (!has_target   ? "target"
                              : !has_weight ? "weight"
                                            : "direction") +
                             " (expected target=NUMBER weight=NUMBER direction=higher|lower)");
  }
  return entry;
}

std::string FormatScorecardSpec(const ScorecardEntry& entry) {
  std::ostringstream out;
  out << "target=" << entry.target << " weight=" << entry.weight
      << " direction=" << DirectionName(entry.direction);
  return out.str();
}

KpiValues KpiValuesFromJson(const json& kpis) {
  KpiValues values;
  for (KpiKey key : kAllKpis) {
    auto it = kpis.find(KpiName(key));
    if (it == kpis.end()) continue;
    const json& v = IsDistribution(key) ? (*it)["mean"] : (*it)["value"];
    if (v.is_number()) values[size_t(key)] = v.get<double>();
  }
  return values;
}

std::optional<double> Attainment(const ScorecardEntry& entry, std::optional<double> value) {
  if (!value) return std::nullopt;
  double a = 0;
  if (entry.direction == Direction::kHigher) {
    a = *value / entry.target;
  } else {
    a = *value <= 0 ? 1.0 : entry.target / *value;
  }
  return std::clamp(a, 0.0, 1.0);
}

GroupScore ScoreGroup(const Scorecard& card, std::string group, const KpiValues& values) {
  GroupScore out;
  out.group = std::move(group);
  double weighted = 0, weights = 0;
  for (const ScorecardEntry& entry : card) {
    std::optional<double> value = values[size_t(entry.kpi)];
    std::optional<double> attainment = Attainment(entry, value);
    if (attainment) {
      weighted += entry.weight * *attainment;
      weights += entry.weight;
    }
    out.kpis.push_back({entry, value, attainment});
  }
  if (weights > 0) out.score = 100 * weighted / weights;
  return out;
}

void RankScores(std::vector<GroupScore>* scores) {
  std::sort(scores->begin(), scores->end(), [](const GroupScore& a, const GroupScore& b) {
    if (a.score.has_value() != b.score.has_value()) return a.score.has_value();
    if (a.score && TieKey(*a.score) != TieKey(*b.score)) return TieKey(*a.score) > TieKey(*b.score);
    return a.group < b.group;
  });
  for (size_t i = 0; i < scores->size(); ++i) {
    GroupScore& g = (*scores)[i];
    if (!g.score) {
      g.rank.reset();
      continue;
    }
    const GroupScore* prev = i > 0 ? &(*scores)[i - 1] : nullptr;
    g.rank =
        prev && prev->score && TieKey(*prev->score) == TieKey(*g.score) ? *prev->rank : int(i) + 1;
  }
}

std::optional<GroupKind> ParseScorecardGroupBy(std::string_view text) {
  if (text == "department") return GroupKind::kNone;
  auto kind = ParseGroupKind(text);
  if (!kind || *kind == GroupKind::kNone) return std::nullopt;
  return kind;
}

std::string_view ScorecardGroupByName(GroupKind kind) {
  return kind == GroupKind::kNone ? "department" : GroupKindName(kind);
}

std::pair<Date, Date> PreviousPeriod(Date from, Date to) {
  auto length = to - from + std::chrono::days(1);
  return {from - length, from - std::chrono::days(1)};
}

json RunScorecardQuery(const CellSource& source, const Scorecard& card, const ScorecardQuery& q) {
  json out = {{"from", FormatDate(q.from)},
              {"to", FormatDate(q.to)},
              {"group_by", ScorecardGroupByName(q.group_by)},
              {"entries", json::array()}};
  if (q.from > q.to) return out;
  std::vector<GroupScore> now =
      ScoreKpiBody(RunKpiQuery(source, {q.from, q.to, std::nullopt, q.group_by}), card);
  std::map<std::string, GroupScore> before;
  if (q.compare_previous) {
    auto [prev_from, prev_to] = PreviousPeriod(q.from, q.to);
    out["previous"] = {{"from", FormatDate(prev_from)}, {"to", FormatDate(prev_to)}};
    for (GroupScore& g :
         ScoreKpiBody(RunKpiQuery(source, {prev_from, prev_to, std::nullopt, q.group_by}), card)) {
      std::string group = g.group;
      before.emplace(std::move(group), std::move(g));
    }
  }
  json& entries = out["entries"];
  for (const GroupScore& g : now) {
    json entry = EntryJson(g, q.group_by);
    if (q.compare_previous) {
      auto it = before.find(g.group);
      entry["previous"] = PreviousJson(it == before.end() ? nullptr : &it->second, card);
    }
    entries.push_back(std::move(entry));
  }
  return out;
}

}  // namespace gendan
