#include "consumers/scorecard_report.h"

#include <algorithm>
#include <cstdio>
#include <sstream>
#include <vector>

namespace gendan {
namespace {

using Json = nlohmann::json;

// A CSV field: quoted when it holds a comma, a quote or a line break (RFC 4180).
std::string CsvField(const std::string& text) {
  if (text.find_first_of(",\"\r\n") == std::string::npos) return text;
  std::string out = "\"";
  for (char c : text) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

// Full precision for a spreadsheet: JSON's shortest round-trip form; "" for null.
std::string CsvValue(const Json& v) {
  if (v.is_null()) return "";
  if (v.is_string()) return CsvField(v.get<std::string>());
  return v.dump();
}

std::string Fixed(double v, int digits) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", digits, v);
  return buf;
}

std::string Percent(const Json& v) {
  return v.is_number() ? Fixed(100 * v.get<double>(), 1) + "%" : "-";
}

std::string GroupText(const Json& g) { return g.is_null() ? "(department)" : g.get<std::string>(); }

// Prints rows as left-aligned columns two spaces apart.
std::string Columns(const std::vector<std::vector<std::string>>& rows) {
  std::vector<size_t> width;
  for (const auto& r : rows) {
    width.resize(std::max(width.size(), r.size()), 0);
    for (size_t c = 0; c < r.size(); ++c) width[c] = std::max(width[c], r[c].size());
  }
  std::string out;
  for (const auto& r : rows) {
    std::string line;
    for (size_t c = 0; c < r.size(); ++c) {
      line += r[c];
      if (c + 1 < r.size()) line += std::string(width[c] - r[c].size() + 2, ' ');
    }
    out += line + "\n";
  }
  return out;
}

}  // namespace

std::string ScorecardCsv(const Json& body, const Scorecard& card) {
  const bool previous = body.contains("previous");
  std::vector<std::string> header = {"rank", "group", "score"};
  for (const ScorecardEntry& e : card) {
    header.push_back(std::string(KpiName(e.kpi)) + "_value");
    header.push_back(std::string(KpiName(e.kpi)) + "_attainment");
  }
  if (previous) {
    header.insert(header.end(), {"previous_rank", "previous_score"});
    for (const ScorecardEntry& e : card) {
      header.push_back(std::string(KpiName(e.kpi)) + "_previous_value");
      header.push_back(std::string(KpiName(e.kpi)) + "_previous_attainment");
    }
  }
  std::ostringstream out;
  auto line = [&out](const std::vector<std::string>& fields) {
    for (size_t i = 0; i < fields.size(); ++i) out << (i ? "," : "") << fields[i];
    out << "\n";
  };
  line(header);
  for (const Json& entry : body["entries"]) {
    std::vector<std::string> row = {CsvValue(entry["rank"]), CsvValue(entry["group"]),
                                    CsvValue(entry["score"])};
    for (const ScorecardEntry& e : card) {
      const Json& k = entry["kpis"][std::string(KpiName(e.kpi))];
      row.push_back(CsvValue(k["value"]));
      row.push_back(CsvValue(k["attainment"]));
    }
    if (previous) {
      const Json& p = entry["previous"];
      row.push_back(CsvValue(p["rank"]));
      row.push_back(CsvValue(p["score"]));
      for (const ScorecardEntry& e : card) {
        const Json& k = p["kpis"][std::string(KpiName(e.kpi))];
        row.push_back(CsvValue(k["value"]));
        row.push_back(CsvValue(k["attainment"]));
      }
    }
    line(row);
  }
  return out.str();
}

std::string ScorecardTable(const Json& body, const Scorecard& card) {
  const bool previous = body.contains("previous");
  std::string out = "Scorecard " + body["from"].get<std::string>() + " .. " +
                    body["to"].get<std::string>() + " by " + body["group_by"].get<std::string>();
  if (previous) {
    out += " (previous period " + body["previous"]["from"].get<std::string>() + " .. " +
           body["previous"]["to"].get<std::string>() + ")";
  }
  out += "\n";
  std::vector<std::vector<std::string>> rows;
  std::vector<std::string> header = {"rank", body["group_by"].get<std::string>(), "score"};
  if (previous) header.insert(header.end(), {"previous", "change"});
  for (const ScorecardEntry& e : card) header.push_back(std::string(KpiName(e.kpi)));
  rows.push_back(header);
  for (const Json& entry : body["entries"]) {
    const Json& score = entry["score"];
    std::vector<std::string> row = {entry["rank"].is_null() ? "-" : entry["rank"].dump(),
                                    GroupText(entry["group"]),
                                    score.is_null() ? "-" : Fixed(score.get<double>(), 1)};
    if (previous) {
      const Json& before = entry["previous"]["score"];
      row.push_back(before.is_null() ? "-" : Fixed(before.get<double>(), 1));
      row.push_back(before.is_null() || score.is_null()
                        ? "-"
                        : (score.get<double>() >= before.get<double>() ? "+" : "") +
                              Fixed(score.get<double>() - before.get<double>(), 1));
    }
    for (const ScorecardEntry& e : card) {
      const Json& k = entry["kpis"][std::string(KpiName(e.kpi))];
      row.push_back(k["value"].is_null() ? "-"
                                         : Percent(k["attainment"]) + " (" +
                                               Fixed(k["value"].get<double>(), 3) + ")");
    }
    rows.push_back(row);
  }
  out += Columns(rows);
  if (body["entries"].empty()) out += "(no data in this range)\n";
  out += "KPI cells: attainment (value). Targets:";
  for (const ScorecardEntry& e : card) {
    std::ostringstream t;
    t << " " << KpiName(e.kpi) << (e.direction == Direction::kHigher ? " >= " : " <= ") << e.target
      << " (weight " << e.weight << ")";
    out += t.str() + (&e == &card.back() ? "\n" : ",");
  }
  return out;
}

}  // namespace gendan
